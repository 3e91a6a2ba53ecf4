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

/// The deployment: its name, location and properties, all chosen or known only at deployment;
/// any other member reads as unknown.
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
    Ok(cx
        .object(vec![
            (Rc::from("name"), name),
            (Rc::from("properties"), props),
        ])
        .opened())
}

/// The principal deploying: its ids are known only at deployment, and whether it has a
/// `userPrincipalName` (a user does, a service principal doesn't) too.
pub(super) fn deployer(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let member = |what: &str| {
        Value::unknown(
            format!("the deploying principal's {what} is known only at deployment"),
            None,
            cx.at,
        )
    };
    Ok(cx
        .object(vec![
            (Rc::from("objectId"), member("object id")),
            (Rc::from("tenantId"), member("tenant id")),
        ])
        .opened())
}

pub(super) fn environment(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, CLOUD_AND_TENANT, None)
}
