//! Scope functions: what a template deploys to. Members not listed read as unknown: Azure
//! knows them (tags, `managedBy`, …).

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
    Ok(cx
        .object(vec![
            (Rc::from("id"), cx.str(&format!("/subscriptions/{sub}"))),
            (Rc::from("subscriptionId"), cx.str(&sub)),
            (Rc::from("tenantId"), tenant),
            (Rc::from("displayName"), display),
        ])
        .opened())
}

/// The resource group deployed to: its id and name from the deployment context.
pub(super) fn resource_group(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let ctx = &cx.ev.scope().ctx;
    let unknown = |what: &str, symbol: Option<&str>| {
        Value::unknown(
            format!("the resource group's {what} is known only at deployment"),
            symbol.map(str::to_string),
            cx.at,
        )
    };
    Ok(cx
        .object(vec![
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
            (
                Rc::from("location"),
                unknown("location", Some("{location}")),
            ),
            (Rc::from("tags"), unknown("tags", None)),
            (Rc::from("properties"), unknown("properties", None)),
        ])
        .opened())
}

pub(super) fn management_group(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, CLOUD_AND_TENANT, None)
}

pub(super) fn tenant(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, CLOUD_AND_TENANT, None)
}
