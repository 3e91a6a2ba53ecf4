//! Scope functions: what a template deploys to.

use std::rc::Rc;

use super::{CLOUD_AND_TENANT, Call, opaque};
use crate::arm::eval::FnResult;
use crate::arm::value::Value;

/// The subscription deployed to: its id from the deployment context, the rest unknown.
pub(super) fn subscription(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let sub = cx.ev.scope().ctx.subscription.clone();
    let tenant = Value::unknown(
        "the tenant is known only at deployment",
        Some("{tenantId}".into()),
        cx.at,
    );
    let display = Value::unknown(
        "the subscription's name is known only at deployment",
        Some("{subscriptionName}".into()),
        cx.at,
    );
    Ok(cx.object(vec![
        (Rc::from("id"), cx.str(&format!("/subscriptions/{sub}"))),
        (Rc::from("subscriptionId"), cx.str(&sub)),
        (Rc::from("tenantId"), tenant),
        (Rc::from("displayName"), display),
    ]))
}

/// The resource group deployed to: its id and name from the deployment context.
pub(super) fn resource_group(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let ctx = &cx.ev.scope().ctx;
    let location = Value::unknown(
        "the resource group's location is known only at deployment",
        Some("{location}".into()),
        cx.at,
    );
    Ok(cx.object(vec![
        (
            Rc::from("id"),
            cx.str(&format!(
                "/subscriptions/{}/resourceGroups/{}",
                ctx.subscription, ctx.resource_group
            )),
        ),
        (Rc::from("name"), cx.str(&ctx.resource_group)),
        (
            Rc::from("type"),
            cx.str("Microsoft.Resources/resourceGroups"),
        ),
        (Rc::from("location"), location),
        (Rc::from("tags"), cx.object(vec![])),
        (Rc::from("properties"), cx.object(vec![])),
    ]))
}

pub(super) fn management_group(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, CLOUD_AND_TENANT, None)
}

pub(super) fn tenant(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, CLOUD_AND_TENANT, None)
}
