//! Resource functions: resource ids, `reference`, and those reading live Azure state.

use super::{CLOUD_AND_TENANT, Call, LIVE_STATE, opaque, want_str};
use crate::arm::eval::{DeployCtx, FnResult, first_unknown, symbolic_text};
use crate::arm::value::{Val, Value};

/// `resourceId([subscriptionId], [resourceGroupName], type, names...)`.
pub(super) fn resource_id(cx: &Call<'_>, args: &[Value]) -> FnResult {
    build_id(cx, args, 0, |ctx, before| {
        Ok(Some(match before {
            [] => format!(
                "/subscriptions/{}/resourceGroups/{}",
                ctx.subscription, ctx.resource_group
            ),
            [rg] => format!("/subscriptions/{}/resourceGroups/{rg}", ctx.subscription),
            [sub, rg] => format!("/subscriptions/{sub}/resourceGroups/{rg}"),
            _ => {
                return Err(
                    "takes at most a subscription and a resource group before the type".into(),
                );
            }
        }))
    })
}

/// `subscriptionResourceId([subscriptionId], type, names...)`.
pub(super) fn subscription_resource_id(cx: &Call<'_>, args: &[Value]) -> FnResult {
    build_id(cx, args, 0, |ctx, before| match before {
        [] => Ok(Some(format!("/subscriptions/{}", ctx.subscription))),
        [sub] => Ok(Some(format!("/subscriptions/{sub}"))),
        _ => Err("takes at most a subscription before the type".into()),
    })
}

/// `tenantResourceId(type, names...)`.
pub(super) fn tenant_resource_id(cx: &Call<'_>, args: &[Value]) -> FnResult {
    build_id(cx, args, 0, |_, before| {
        if !before.is_empty() {
            return Err("takes the type first".into());
        }
        Ok(Some(String::new()))
    })
}

/// `extensionResourceId(scopeResourceId, type, names...)`.
pub(super) fn extension_resource_id(cx: &Call<'_>, args: &[Value]) -> FnResult {
    build_id(cx, args, 1, |_, before| match before {
        [scope] => Ok(Some(scope.trim_end_matches('/').to_string())),
        _ => Err("takes the scope's resource id before the type".into()),
    })
}

/// `managementGroupResourceId([managementGroupId], type, names...)`: without the management
/// group, the one deployed to, known only at deployment.
pub(super) fn management_group_resource_id(cx: &Call<'_>, args: &[Value]) -> FnResult {
    build_id(cx, args, 0, |_, before| match before {
        [] => Ok(None),
        [mg] => Ok(Some(format!(
            "/providers/Microsoft.Management/managementGroups/{mg}"
        ))),
        _ => Err("takes at most a management group before the type".into()),
    })
}

/// The id scope before `/providers/...`, from the deployment context and the arguments before
/// the type; Ok(None) when it is known only at deployment.
type IdPrefix = fn(&DeployCtx, &[String]) -> Result<Option<String>, String>;

/// A resource id: `prefix` then the type's `/providers/Namespace/type/name...`. The type is the
/// first argument that looks like one (`Namespace/type`), at `first_type` or later. Every
/// argument is a string; an unknown one with a placeholder stands for one whole segment (or
/// the name is of unknown shape: a plain unknown).
fn build_id(cx: &Call<'_>, args: &[Value], first_type: usize, prefix: IdPrefix) -> FnResult {
    let mut texts = Vec::new();
    for a in args {
        match &a.v {
            Val::Str(s) => texts.push(s.to_string()),
            Val::Unknown(u) => match &u.symbol {
                Some(s) => texts.push(s.clone()),
                None => return Ok(cx.unknown_from(u)),
            },
            other => return Err(format!("takes strings, found {}", other.type_name())),
        }
    }
    let type_pos = texts
        .iter()
        .position(|t| t.contains('/') && !t.starts_with('/'))
        .filter(|&i| i >= first_type);
    let Some(tp) = type_pos else {
        return match first_unknown(args, cx.at) {
            // An unknown may be the type.
            Some(u) => Ok(u),
            None => Err("names no resource type (`Namespace/type`)".into()),
        };
    };
    let ty = texts[tp].trim_end_matches('/');
    let names: Vec<&str> = texts[tp + 1..].iter().flat_map(|n| n.split('/')).collect();
    let segs: Vec<&str> = ty.split('/').collect();
    if segs.len() < 2 || segs.iter().any(|s| s.is_empty()) {
        return Err(format!("`{ty}` is not a resource type"));
    }
    if names.len() != segs.len() - 1 {
        if let Some(u) = first_unknown(args, cx.at) {
            // A placeholder stands for a whole value of unknown shape.
            return Ok(u);
        }
        return Err(format!(
            "type `{ty}` needs {} name segment{}, found {}",
            segs.len() - 1,
            if segs.len() == 2 { "" } else { "s" },
            names.len()
        ));
    }
    let mut tail = format!("/providers/{}", segs[0]);
    for (t, n) in segs[1..].iter().zip(&names) {
        tail.push('/');
        tail.push_str(t);
        tail.push('/');
        tail.push_str(n);
    }
    let Some(prefix) = prefix(&cx.ev.scope().ctx, &texts[..tp])? else {
        let id =
            format!("/providers/Microsoft.Management/managementGroups/{{managementGroup}}{tail}");
        return Ok(Value::unknown(
            format!(
                "`{}()` names the management group deployed to, known only at deployment",
                cx.name
            ),
            Some(id),
            cx.at,
        )
        .slash_free());
    };
    let id = symbolic_text(prefix + &tail, args, cx.at);
    // Each placeholder after the scope stood for one segment; one in the scope's id must
    // already be slash-free. Then the id's `/` are its own.
    let scope_free = args[..first_type]
        .iter()
        .all(|a| a.as_unknown().is_none_or(|u| u.slash_free));
    Ok(if scope_free { id.slash_free() } else { id })
}

/// `reference(resource, [apiVersion], ['Full'])`: the declared view of a resource or deployment
/// of the template, found by the walker; other resources are known only at deployment.
pub(super) fn reference(cx: &Call<'_>, args: &[Value]) -> FnResult {
    // A placeholder id still names the deployment or resource it was built for.
    let Some(target) = args[0].text_or_symbol() else {
        return match first_unknown(&args[..1], cx.at) {
            Some(u) => Ok(u),
            None => Err(format!(
                "the resource must be a string, found {}",
                args[0].v.type_name()
            )),
        };
    };
    let full = args
        .get(2)
        .and_then(|a| a.as_str())
        .is_some_and(|m| m.eq_ignore_ascii_case("full"));
    let found = cx
        .ev
        .scope()
        .resolver
        .as_ref()
        .and_then(|r| r.reference(target, full));
    Ok(match found {
        Some(v) => v.relocated(cx.at),
        None => Value::unknown(
            format!(
                "`reference('{target}')` reads a resource that isn't declared in the inputs; it is known only at deployment"
            ),
            None,
            cx.at,
        ),
    })
}

pub(super) fn references(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, LIVE_STATE, None)
}

/// Any function whose name starts with `list` (`listKeys`, `listSecrets`, …).
pub(super) fn list(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, LIVE_STATE, None)
}

pub(super) fn pick_zones(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, LIVE_STATE, None)
}

pub(super) fn providers(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, LIVE_STATE, None)
}

/// `toLogicalZone(s)`/`toPhysicalZone(s)`: the subscription's zone mapping, Azure's to know.
pub(super) fn zones(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, LIVE_STATE, None)
}

/// `roleDefinitions(name)`: a role definition of the tenant.
pub(super) fn role_definitions(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if !args[0].is_unknown() {
        want_str(&args[0], "the role's name")?;
    }
    opaque(cx, CLOUD_AND_TENANT, None)
}
