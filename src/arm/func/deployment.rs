//! Deployment functions: the template's parameters and variables, and the deployment itself.

use std::rc::Rc;

use super::{CLOUD_AND_TENANT, Call, opaque, want_str};
use crate::arm::eval::{FnResult, first_unknown};
use crate::arm::value::Value;

pub(super) fn parameters(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if let Some(u) = first_unknown(args, cx.at) {
        return Ok(u);
    }
    cx.ev.parameter(want_str(&args[0], "the name")?)
}

pub(super) fn variables(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if let Some(u) = first_unknown(args, cx.at) {
        return Ok(u);
    }
    Ok(cx.ev.variable(want_str(&args[0], "the name")?, cx.range))
}

/// The deployment: all of it chosen or known only at deployment.
pub(super) fn deployment(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let name = Value::unknown(
        "the deployment's name is chosen at deployment",
        Some("{deploymentName}".into()),
        cx.at,
    );
    let props = Value::unknown(
        "the deployment's properties are known only at deployment",
        None,
        cx.at,
    );
    let location = Value::unknown(
        "the deployment's location is chosen at deployment",
        Some("{location}".into()),
        cx.at,
    );
    Ok(cx.object(vec![
        (Rc::from("name"), name),
        (Rc::from("properties"), props),
        (Rc::from("location"), location),
    ]))
}

pub(super) fn environment(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, CLOUD_AND_TENANT, None)
}
