//! The template functions peerlint evaluates offline. Names arrive lower-cased. A function
//! returns `Err(message)` for a call ARM would reject (wrong arity, wrong types); the caller
//! reports it at the expression. Functions whose value only Azure knows return unknown.

use std::net::IpAddr;
use std::rc::Rc;

use ipnet::IpNet;

use super::eval::{Eval, FnResult, arg_texts, first_unknown, symbolic_text};
use super::expr::Range;
use super::value::{Val, Value};

/// Functions whose result exists only at deployment time, with the reason.
fn opaque(name: &str) -> Option<&'static str> {
    Some(match name {
        "uniquestring" | "guid" | "newguid" | "utcnow" | "datetimeadd" | "datetimefromepoch"
        | "datetimetoepoch" => "it is computed by Azure at deployment",
        "list" | "listkeys" | "listsecrets" | "listaccountsas" | "listservicesas" | "pickzones"
        | "providers" | "references" => "it reads live Azure state",
        "environment" | "managementgroup" | "tenant" | "managementgroupresourceid" => {
            "it depends on the Azure cloud and tenant deployed to"
        }
        "lambda" => {
            "a lambda is evaluated only as an argument of `filter`, `map`, `reduce` or `toObject`"
        }
        "sort" | "groupby" => "peerlint does not evaluate this collection function yet",
        _ if name.starts_with("list") => "it reads live Azure state",
        _ => return None,
    })
}

fn arity(args: &[Value], min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "takes {want} argument{}, found {}",
            if want == "1" { "" } else { "s" },
            args.len()
        ));
    }
    Ok(())
}

fn want_str<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, found {}", v.v.type_name()))
}

fn want_int(v: &Value, what: &str) -> Result<i64, String> {
    match &v.v {
        Val::Int(n) => Ok(*n),
        other => Err(format!(
            "{what} must be an integer, found {}",
            other.type_name()
        )),
    }
}

fn want_bool(v: &Value, what: &str) -> Result<bool, String> {
    match &v.v {
        Val::Bool(b) => Ok(*b),
        other => Err(format!(
            "{what} must be a boolean, found {}",
            other.type_name()
        )),
    }
}

pub(super) fn call(
    ev: &Eval<'_, '_>,
    f: &str,
    name: &str,
    args: &[Value],
    call_range: Range,
) -> FnResult {
    let at = ev.at();
    let s = |t: &str| Value::str(t, at);
    let int = |n: i64| Value::new(Val::Int(n), at);
    let boolean = |b: bool| Value::new(Val::Bool(b), at);
    let array = |v: Vec<Value>| Value::array(v, at);
    let object = |v: Vec<(Rc<str>, Value)>| Value::object(v, at);

    if let Some(why) = opaque(f) {
        // Strings Azure computes keep a placeholder, so names built from them still match.
        let symbol = match f {
            "uniquestring" | "guid" | "utcnow" => {
                arg_texts(args).map(|t| format!("{{{name}({})}}", t.join(",")).replace('/', "|"))
            }
            _ => None,
        };
        return Ok(Value::unknown(
            format!("`{name}()` can't be evaluated offline: {why}"),
            symbol,
            at,
        ));
    }
    // Functions that accept unknown arguments (symbolic text, short-circuits, containers).
    match f {
        "parameters" | "variables" => {
            arity(args, 1, 1)?;
            if let Some(u) = first_unknown(args, at) {
                return Ok(u);
            }
            let n = want_str(&args[0], "the name")?;
            return if f == "parameters" {
                ev.parameter(n)
            } else {
                Ok(ev.variable(n, call_range))
            };
        }
        "concat" => {
            if args.iter().any(|a| matches!(a.v, Val::Array(_))) {
                let mut out = Vec::new();
                for a in args {
                    match &a.v {
                        Val::Array(x) => out.extend(x.iter().cloned()),
                        Val::Unknown(_) => return Ok(a.clone().relocated(at)),
                        other => {
                            return Err(format!(
                                "can't concatenate an array and {}",
                                other.type_name()
                            ));
                        }
                    }
                }
                return Ok(array(out));
            }
            return match arg_texts(args) {
                Some(t) => Ok(symbolic_text(t.concat(), args, at)),
                None => Ok(first_unknown(args, at).unwrap_or_else(|| s(""))).and_then(|v| {
                    if v.is_unknown() {
                        Ok(v)
                    } else {
                        Err("takes strings or arrays".into())
                    }
                }),
            };
        }
        "format" => {
            arity(args, 1, usize::MAX)?;
            let Some(t) = arg_texts(args) else {
                return first_unknown(args, at)
                    .ok_or_else(|| "takes a format string and scalar arguments".into());
            };
            if args[0].is_unknown() {
                return Ok(first_unknown(args, at).unwrap());
            }
            return Ok(symbolic_text(dotnet_format(&t[0], &t[1..])?, args, at));
        }
        "tolower" | "toupper" => {
            arity(args, 1, 1)?;
            if let Some(u) = args[0].as_unknown() {
                let sym = u.symbol.as_ref().map(|x| {
                    if f == "tolower" {
                        x.to_lowercase()
                    } else {
                        x.to_uppercase()
                    }
                });
                return Ok(Value::unknown_from(u, sym, at));
            }
            let x = want_str(&args[0], "the argument")?;
            return Ok(s(&if f == "tolower" {
                x.to_lowercase()
            } else {
                x.to_uppercase()
            }));
        }
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" | "extensionresourceid" => {
            return resource_id(ev, f, args);
        }
        "and" | "or" => {
            arity(args, 2, usize::MAX)?;
            let decisive = f == "or";
            let mut unknown = None;
            for a in args {
                match &a.v {
                    Val::Bool(b) if *b == decisive => return Ok(boolean(decisive)),
                    Val::Bool(_) => {}
                    Val::Unknown(_) => unknown = Some(a.clone().relocated(at)),
                    other => return Err(format!("takes booleans, found {}", other.type_name())),
                }
            }
            return Ok(unknown.unwrap_or(boolean(!decisive)));
        }
        "coalesce" => {
            for a in args {
                match &a.v {
                    Val::Null => continue,
                    _ => return Ok(a.clone().relocated(at)),
                }
            }
            return Ok(Value::new(Val::Null, at));
        }
        "createarray" => return Ok(array(args.to_vec())),
        "createobject" => {
            if args.len() % 2 != 0 {
                return Err("takes pairs of name and value".into());
            }
            let mut members = Vec::new();
            for pair in args.chunks(2) {
                if let Some(u) = first_unknown(&pair[..1], at) {
                    return Ok(u);
                }
                members.push((
                    Rc::from(want_str(&pair[0], "a property name")?),
                    pair[1].clone(),
                ));
            }
            return Ok(object(members));
        }
        "true" | "false" => {
            arity(args, 0, 0)?;
            return Ok(boolean(f == "true"));
        }
        "null" => {
            arity(args, 0, 0)?;
            return Ok(Value::new(Val::Null, at));
        }
        "subscription" => {
            arity(args, 0, 0)?;
            let sub = ev.scope().ctx.subscription.clone();
            let tenant = Value::unknown(
                "the tenant is known only at deployment",
                Some("{tenantId}".into()),
                at,
            );
            let display = Value::unknown(
                "the subscription's name is known only at deployment",
                Some("{subscriptionName}".into()),
                at,
            );
            return Ok(object(vec![
                (Rc::from("id"), s(&format!("/subscriptions/{sub}"))),
                (Rc::from("subscriptionId"), s(&sub)),
                (Rc::from("tenantId"), tenant),
                (Rc::from("displayName"), display),
            ]));
        }
        "resourcegroup" => {
            arity(args, 0, 0)?;
            let ctx = &ev.scope().ctx;
            let location = Value::unknown(
                "the resource group's location is known only at deployment",
                Some("{location}".into()),
                at,
            );
            return Ok(object(vec![
                (
                    Rc::from("id"),
                    s(&format!(
                        "/subscriptions/{}/resourceGroups/{}",
                        ctx.subscription, ctx.resource_group
                    )),
                ),
                (Rc::from("name"), s(&ctx.resource_group)),
                (Rc::from("type"), s("Microsoft.Resources/resourceGroups")),
                (Rc::from("location"), location),
                (Rc::from("tags"), object(vec![])),
                (Rc::from("properties"), object(vec![])),
            ]));
        }
        "deployment" => {
            arity(args, 0, 0)?;
            let name = Value::unknown(
                "the deployment's name is chosen at deployment",
                Some("{deploymentName}".into()),
                at,
            );
            let props = Value::unknown(
                "the deployment's properties are known only at deployment",
                None,
                at,
            );
            return Ok(object(vec![
                (Rc::from("name"), name),
                (Rc::from("properties"), props),
                (
                    Rc::from("location"),
                    Value::unknown(
                        "the deployment's location is chosen at deployment",
                        Some("{location}".into()),
                        at,
                    ),
                ),
            ]));
        }
        "copyindex" => return copy_index(ev, args),
        "reference" => {
            arity(args, 1, 3)?;
            // A placeholder id still names the deployment or resource it was built for.
            let Some(target) = args[0].text_or_symbol() else {
                return match first_unknown(&args[..1], at) {
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
            let found = ev
                .scope()
                .resolver
                .as_ref()
                .and_then(|r| r.reference(target, full));
            return Ok(match found {
                Some(v) => v.relocated(at),
                None => Value::unknown(
                    format!(
                        "`reference('{target}')` reads a resource that isn't declared in the inputs; it is known only at deployment"
                    ),
                    None,
                    at,
                ),
            });
        }
        "replace" | "string" | "trim"
            if args
                .iter()
                .any(|a| a.as_unknown().is_some_and(|u| u.symbol.is_some())) =>
        {
            let Some(t) = arg_texts(args) else {
                return Ok(first_unknown(args, at).unwrap());
            };
            let out = match (f, t.as_slice()) {
                // Replacing inside a placeholder would rewrite the placeholder, not the value.
                ("replace", [x, old, new]) if args[0].is_unknown() => {
                    format!("{{replace({x},{old},{new})}}").replace('/', "|")
                }
                ("replace", [x, old, new]) if !old.is_empty() => x.replace(old.as_str(), new),
                ("string", [x]) => x.clone(),
                ("trim", [x]) => x.trim().to_string(),
                _ => return Ok(first_unknown(args, at).unwrap()),
            };
            return Ok(symbolic_text(out, args, at));
        }
        "trygget" | "tryget" => {
            arity(args, 2, usize::MAX)?;
            let mut cur = args[0].clone();
            for k in &args[1..] {
                if let Some(u) = first_unknown(&[cur.clone(), k.clone()], at) {
                    return Ok(u);
                }
                cur = match (&cur.v, &k.v) {
                    (Val::Object(_), Val::Str(key)) => {
                        cur.get(key).cloned().unwrap_or(Value::new(Val::Null, at))
                    }
                    (Val::Array(a), Val::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| a.get(i))
                        .cloned()
                        .unwrap_or(Value::new(Val::Null, at)),
                    _ => Value::new(Val::Null, at),
                };
            }
            return Ok(cur.relocated(at));
        }
        _ => {}
    }
    // Everything else: an unknown argument makes the result unknown.
    if let Some(u) = first_unknown(args, at) {
        return Ok(u);
    }
    match f {
        "string" => {
            arity(args, 1, 1)?;
            Ok(s(&args[0].to_text().unwrap_or_default()))
        }
        "int" => {
            arity(args, 1, 1)?;
            match &args[0].v {
                Val::Int(n) => Ok(int(*n)),
                Val::Str(t) => t
                    .trim()
                    .parse::<i64>()
                    .map(int)
                    .map_err(|_| format!("`{t}` is not an integer")),
                other => Err(format!("can't convert {} to an integer", other.type_name())),
            }
        }
        "bool" => {
            arity(args, 1, 1)?;
            match &args[0].v {
                Val::Bool(b) => Ok(boolean(*b)),
                Val::Int(n) => Ok(boolean(*n != 0)),
                Val::Str(t) if t.eq_ignore_ascii_case("true") => Ok(boolean(true)),
                Val::Str(t) if t.eq_ignore_ascii_case("false") => Ok(boolean(false)),
                other => Err(format!("can't convert {} to a boolean", other.type_name())),
            }
        }
        "json" => {
            arity(args, 1, 1)?;
            let t = want_str(&args[0], "the argument")?;
            let j: serde_json::Value =
                serde_json::from_str(t).map_err(|e| format!("not valid JSON: {e}"))?;
            Ok(Value::from_json(&j, at))
        }
        "equals" => {
            arity(args, 2, 2)?;
            Ok(match args[0].equals(&args[1]) {
                Some(b) => boolean(b),
                None => Value::unknown("a compared value is unknown", None, at),
            })
        }
        "not" => {
            arity(args, 1, 1)?;
            Ok(boolean(!want_bool(&args[0], "the argument")?))
        }
        "if" => {
            arity(args, 3, 3)?;
            Ok(if want_bool(&args[0], "the condition")? {
                args[1].clone()
            } else {
                args[2].clone()
            }
            .relocated(at))
        }
        "greater" | "less" | "greaterorequals" | "lessorequals" => {
            arity(args, 2, 2)?;
            let ord = match (&args[0].v, &args[1].v) {
                (Val::Int(a), Val::Int(b)) => a.cmp(b),
                (Val::Str(a), Val::Str(b)) => a.cmp(b),
                _ => return Err("compares two integers or two strings".into()),
            };
            use std::cmp::Ordering::*;
            Ok(boolean(match f {
                "greater" => ord == Greater,
                "less" => ord == Less,
                "greaterorequals" => ord != Less,
                _ => ord != Greater,
            }))
        }
        "add" | "sub" | "mul" | "div" | "mod" => {
            arity(args, 2, 2)?;
            let a = want_int(&args[0], "the first operand")?;
            let b = want_int(&args[1], "the second operand")?;
            let r = match f {
                "add" => a.checked_add(b),
                "sub" => a.checked_sub(b),
                "mul" => a.checked_mul(b),
                "div" if b == 0 => return Err("division by zero".into()),
                "div" => a.checked_div(b),
                _ if b == 0 => return Err("division by zero".into()),
                _ => a.checked_rem(b),
            };
            r.map(int).ok_or_else(|| "integer overflow".into())
        }
        "min" | "max" => {
            arity(args, 1, usize::MAX)?;
            let items: Vec<Value> = match (&args[0].v, args.len()) {
                (Val::Array(a), 1) => a.as_ref().clone(),
                _ => args.to_vec(),
            };
            let mut nums = Vec::new();
            for v in &items {
                nums.push(want_int(v, "each value")?);
            }
            let r = if f == "min" {
                nums.iter().min()
            } else {
                nums.iter().max()
            };
            r.map(|n| int(*n))
                .ok_or_else(|| "needs at least one value".into())
        }
        "length" => {
            arity(args, 1, 1)?;
            Ok(int(size(&args[0])?))
        }
        "empty" => {
            arity(args, 1, 1)?;
            Ok(boolean(
                matches!(args[0].v, Val::Null) || size(&args[0])? == 0,
            ))
        }
        "contains" => {
            arity(args, 2, 2)?;
            Ok(boolean(match (&args[0].v, &args[1].v) {
                (Val::Str(a), _) => a.contains(args[1].to_text().unwrap_or_default().as_str()),
                (Val::Array(a), _) => a.iter().any(|x| x.equals(&args[1]) == Some(true)),
                (Val::Object(_), Val::Str(k)) => args[0].get(k).is_some(),
                (other, _) => {
                    return Err(format!(
                        "needs a string, array or object, found {}",
                        other.type_name()
                    ));
                }
            }))
        }
        "first" | "last" => {
            arity(args, 1, 1)?;
            match &args[0].v {
                Val::Str(t) => {
                    let c = if f == "first" {
                        t.chars().next()
                    } else {
                        t.chars().last()
                    };
                    Ok(s(&c.map(String::from).unwrap_or_default()))
                }
                Val::Array(a) => {
                    let x = if f == "first" { a.first() } else { a.last() };
                    Ok(x.cloned()
                        .map(|v| v.relocated(at))
                        .unwrap_or(Value::new(Val::Null, at)))
                }
                other => Err(format!(
                    "needs a string or an array, found {}",
                    other.type_name()
                )),
            }
        }
        "split" => {
            arity(args, 2, 2)?;
            let t = want_str(&args[0], "the string")?;
            let delims: Vec<String> = match &args[1].v {
                Val::Str(d) => vec![d.to_string()],
                Val::Array(a) => a
                    .iter()
                    .map(|d| want_str(d, "a delimiter").map(str::to_string))
                    .collect::<Result<_, _>>()?,
                other => {
                    return Err(format!(
                        "the delimiter must be a string or an array, found {}",
                        other.type_name()
                    ));
                }
            };
            let mut parts = vec![t.to_string()];
            for d in delims.iter().filter(|d| !d.is_empty()) {
                parts = parts
                    .iter()
                    .flat_map(|p| p.split(d.as_str()).map(str::to_string).collect::<Vec<_>>())
                    .collect();
            }
            Ok(array(parts.iter().map(|p| s(p)).collect()))
        }
        "replace" => {
            arity(args, 3, 3)?;
            let t = want_str(&args[0], "the string")?;
            let old = want_str(&args[1], "the text to replace")?;
            let new = want_str(&args[2], "the replacement")?;
            Ok(s(&if old.is_empty() {
                t.to_string()
            } else {
                t.replace(old, new)
            }))
        }
        "trim" => {
            arity(args, 1, 1)?;
            Ok(s(want_str(&args[0], "the argument")?.trim()))
        }
        "startswith" | "endswith" => {
            arity(args, 2, 2)?;
            let a = want_str(&args[0], "the string")?.to_lowercase();
            let b = want_str(&args[1], "the prefix")?.to_lowercase();
            Ok(boolean(if f == "startswith" {
                a.starts_with(&b)
            } else {
                a.ends_with(&b)
            }))
        }
        "indexof" | "lastindexof" => {
            arity(args, 2, 2)?;
            match &args[0].v {
                Val::Str(a) => {
                    let (a, b) = (
                        a.to_lowercase(),
                        want_str(&args[1], "the text")?.to_lowercase(),
                    );
                    let i = if f == "indexof" {
                        a.find(&b)
                    } else {
                        a.rfind(&b)
                    };
                    Ok(int(i.map(|i| a[..i].chars().count() as i64).unwrap_or(-1)))
                }
                Val::Array(a) => {
                    let mut it = a
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| x.equals(&args[1]) == Some(true))
                        .map(|(i, _)| i as i64);
                    let i = if f == "indexof" {
                        it.next()
                    } else {
                        it.next_back()
                    };
                    Ok(int(i.unwrap_or(-1)))
                }
                other => Err(format!(
                    "needs a string or an array, found {}",
                    other.type_name()
                )),
            }
        }
        "substring" => {
            arity(args, 2, 3)?;
            let chars: Vec<char> = want_str(&args[0], "the string")?.chars().collect();
            let start = want_int(&args[1], "the start")?;
            let len = match args.get(2) {
                Some(l) => want_int(l, "the length")?,
                None => chars.len() as i64 - start,
            };
            if start < 0
                || len < 0
                || start
                    .checked_add(len)
                    .is_none_or(|e| e > chars.len() as i64)
            {
                return Err(format!(
                    "start {start} and length {len} fall outside a string of {} characters",
                    chars.len()
                ));
            }
            Ok(s(&chars[start as usize..(start + len) as usize]
                .iter()
                .collect::<String>()))
        }
        "take" | "skip" => {
            arity(args, 2, 2)?;
            let n = want_int(&args[1], "the count")?.max(0) as usize;
            match &args[0].v {
                Val::Str(t) => {
                    let it = t.chars();
                    Ok(s(&if f == "take" {
                        it.take(n).collect::<String>()
                    } else {
                        it.skip(n).collect()
                    }))
                }
                Val::Array(a) => Ok(array(if f == "take" {
                    a.iter().take(n).cloned().collect()
                } else {
                    a.iter().skip(n).cloned().collect()
                })),
                other => Err(format!(
                    "needs a string or an array, found {}",
                    other.type_name()
                )),
            }
        }
        "range" => {
            arity(args, 2, 2)?;
            let start = want_int(&args[0], "the start")?;
            let count = want_int(&args[1], "the count")?;
            if !(0..=10_000).contains(&count) {
                return Err(format!("count {count} is outside 0 to 10000"));
            }
            Ok(array((0..count).map(|i| int(start + i)).collect()))
        }
        "union" | "intersection" => {
            arity(args, 1, usize::MAX)?;
            match &args[0].v {
                Val::Object(_) => {
                    let mut members: Vec<(Rc<str>, Value)> = Vec::new();
                    for (i, a) in args.iter().enumerate() {
                        let Val::Object(m) = &a.v else {
                            return Err("mixes objects and other values".into());
                        };
                        if f == "union" || i == 0 {
                            for (k, v) in m.iter() {
                                match members
                                    .iter_mut()
                                    .find(|(mk, _)| mk.eq_ignore_ascii_case(k))
                                {
                                    Some(slot) => slot.1 = deep_merge(&slot.1, v),
                                    None => members.push((k.clone(), v.clone())),
                                }
                            }
                        } else {
                            members.retain(|(k, v)| {
                                a.get(k).is_some_and(|o| o.equals(v) == Some(true))
                            });
                        }
                    }
                    Ok(object(members))
                }
                Val::Array(_) => {
                    let mut out: Vec<Value> = Vec::new();
                    for (i, a) in args.iter().enumerate() {
                        let Val::Array(items) = &a.v else {
                            return Err("mixes arrays and other values".into());
                        };
                        if f == "union" || i == 0 {
                            for x in items.iter() {
                                if !out.iter().any(|o| o.equals(x) == Some(true)) {
                                    out.push(x.clone());
                                }
                            }
                        } else {
                            out.retain(|o| items.iter().any(|x| x.equals(o) == Some(true)));
                        }
                    }
                    Ok(array(out))
                }
                other => Err(format!(
                    "needs arrays or objects, found {}",
                    other.type_name()
                )),
            }
        }
        "flatten" => {
            arity(args, 1, 1)?;
            let Val::Array(a) = &args[0].v else {
                return Err(format!("needs an array, found {}", args[0].v.type_name()));
            };
            let mut out = Vec::new();
            for x in a.iter() {
                match &x.v {
                    Val::Array(inner) => out.extend(inner.iter().cloned()),
                    Val::Unknown(u) => return Ok(Value::unknown_from(u, None, at)),
                    _ => {
                        return Err(format!(
                            "needs an array of arrays, found {} in it",
                            x.v.type_name()
                        ));
                    }
                }
            }
            Ok(array(out))
        }
        "shallowmerge" => {
            arity(args, 1, 1)?;
            let Val::Array(a) = &args[0].v else {
                return Err(format!("needs an array, found {}", args[0].v.type_name()));
            };
            let mut members: Vec<(Rc<str>, Value)> = Vec::new();
            for x in a.iter() {
                let Val::Object(m) = &x.v else {
                    return Err("needs an array of objects".into());
                };
                for (k, v) in m.iter() {
                    match members
                        .iter_mut()
                        .find(|(mk, _)| mk.eq_ignore_ascii_case(k))
                    {
                        Some(slot) => slot.1 = v.clone(),
                        None => members.push((k.clone(), v.clone())),
                    }
                }
            }
            Ok(object(members))
        }
        "items" => {
            arity(args, 1, 1)?;
            let Val::Object(m) = &args[0].v else {
                return Err(format!("needs an object, found {}", args[0].v.type_name()));
            };
            let mut entries: Vec<&(Rc<str>, Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(array(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        object(vec![
                            (Rc::from("key"), s(k)),
                            (Rc::from("value"), v.clone()),
                        ])
                    })
                    .collect(),
            ))
        }
        "cidrsubnet" => {
            arity(args, 3, 3)?;
            let net = parse_net(want_str(&args[0], "the network")?)?;
            let len = want_int(&args[1], "the new prefix length")?;
            let index = want_int(&args[2], "the index")?;
            let max = if net.addr().is_ipv4() { 32 } else { 128 };
            if len < net.prefix_len() as i64 || len > max {
                return Err(format!(
                    "the new prefix length {len} must lie between {} and {max}",
                    net.prefix_len()
                ));
            }
            // The index-th subnet, computed (not counted: indexes can be huge).
            let out_of_range =
                || format!("index {index} is out of range for /{len} subnets of {net}");
            let bits = (len - net.prefix_len() as i64) as u32;
            let index = u128::try_from(index).map_err(|_| out_of_range())?;
            if bits < 128 && index >= 1u128 << bits {
                return Err(out_of_range());
            }
            let shift = (max - len) as u32;
            let n = match net {
                IpNet::V4(v) => {
                    let base = u32::from(v.network()) as u128 + (index << shift);
                    IpNet::new(IpAddr::V4(std::net::Ipv4Addr::from(base as u32)), len as u8)
                }
                IpNet::V6(v) => {
                    let step = if shift >= 128 { 0 } else { index << shift };
                    IpNet::new(
                        IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v.network()) + step)),
                        len as u8,
                    )
                }
            }
            .map_err(|e| e.to_string())?;
            Ok(s(&n.to_string()))
        }
        "cidrhost" => {
            arity(args, 2, 2)?;
            let net = parse_net(want_str(&args[0], "the network")?)?;
            let index = want_int(&args[1], "the index")?;
            let host = host_at(net, index)
                .ok_or_else(|| format!("host index {index} is out of range for {net}"))?;
            Ok(s(&host.to_string()))
        }
        "parsecidr" => {
            arity(args, 1, 1)?;
            let net = parse_net(want_str(&args[0], "the network")?)?;
            let mut members = vec![
                (Rc::from("network"), s(&net.network().to_string())),
                (Rc::from("netmask"), s(&net.netmask().to_string())),
                (Rc::from("cidr"), int(net.prefix_len() as i64)),
            ];
            if net.addr().is_ipv4() {
                members.push((Rc::from("broadcast"), s(&net.broadcast().to_string())));
            }
            // IPv6 has no network address to skip.
            let first = if net.addr().is_ipv6() {
                Some(net.network())
            } else {
                host_at(net, 0)
            };
            if let Some(first) = first {
                members.push((Rc::from("firstUsable"), s(&first.to_string())));
            }
            let last = match net {
                IpNet::V4(n) if n.prefix_len() < 31 => Some(IpAddr::V4(std::net::Ipv4Addr::from(
                    u32::from(n.broadcast()) - 1,
                ))),
                IpNet::V4(n) => Some(IpAddr::V4(n.broadcast())),
                IpNet::V6(n) => Some(IpAddr::V6(n.broadcast())),
            };
            if let Some(last) = last {
                members.push((Rc::from("lastUsable"), s(&last.to_string())));
            }
            Ok(object(members))
        }
        "base64"
        | "base64tostring"
        | "base64tojson"
        | "datauri"
        | "datauritostring"
        | "uri"
        | "uricomponent"
        | "uricomponenttostring"
        | "padleft"
        | "loadtextcontent"
        | "loadfileasbase64"
        | "loadjsoncontent" => Ok(Value::unknown(
            format!("peerlint does not evaluate `{name}()`"),
            None,
            at,
        )),
        _ => {
            if name.contains('.') {
                return Ok(Value::unknown(
                    format!("user-defined function `{name}` is not evaluated offline"),
                    None,
                    at,
                ));
            }
            Err("unknown function".into())
        }
    }
}

/// The length of a string (in characters), array or object.
fn size(v: &Value) -> Result<i64, String> {
    Ok(match &v.v {
        Val::Str(t) => t.chars().count() as i64,
        Val::Array(a) => a.len() as i64,
        Val::Object(m) => m.len() as i64,
        other => {
            return Err(format!(
                "needs a string, array or object, found {}",
                other.type_name()
            ));
        }
    })
}

/// `union` of two objects: nested objects merge, anything else is replaced.
fn deep_merge(a: &Value, b: &Value) -> Value {
    match (&a.v, &b.v) {
        (Val::Object(x), Val::Object(y)) => {
            let mut members: Vec<(Rc<str>, Value)> = x.as_ref().clone();
            for (k, v) in y.iter() {
                match members
                    .iter_mut()
                    .find(|(mk, _)| mk.eq_ignore_ascii_case(k))
                {
                    Some(slot) => slot.1 = deep_merge(&slot.1, v),
                    None => members.push((k.clone(), v.clone())),
                }
            }
            Value {
                v: Val::Object(Rc::new(members)),
                ..b.clone()
            }
        }
        _ => b.clone(),
    }
}

fn parse_net(t: &str) -> Result<IpNet, String> {
    t.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| format!("`{t}` is not a CIDR prefix"))
}

/// The host at `index` of a network, the way `cidrHost` counts: from the first address after
/// the network address.
fn host_at(net: IpNet, index: i64) -> Option<IpAddr> {
    let index = u128::try_from(index).ok()?;
    match net {
        IpNet::V4(n) => {
            let size = 1u128 << (32 - n.prefix_len());
            // Network and broadcast addresses are not hosts (except in /31 and /32).
            let (offset, end) = if size > 2 {
                (index + 1, size - 1)
            } else {
                (index, size)
            };
            (offset < end).then(|| {
                IpAddr::V4(std::net::Ipv4Addr::from(
                    (u32::from(n.network()) as u128 + offset) as u32,
                ))
            })
        }
        IpNet::V6(n) => {
            let bits = 128 - n.prefix_len() as u32;
            let size = if bits == 128 {
                u128::MAX
            } else {
                1u128 << bits
            };
            let offset = index.checked_add(1)?;
            (offset < size)
                .then(|| IpAddr::V6(std::net::Ipv6Addr::from(u128::from(n.network()) + offset)))
        }
    }
}

/// .NET composite formatting as ARM's `format` uses it: `{0}`, `{1:D3}`, `{{` and `}}`.
pub fn dotnet_format(fmt: &str, args: &[String]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(x) => spec.push(x),
                        None => return Err(format!("format string `{fmt}` has an unclosed `{{`")),
                    }
                }
                let (index, pad) = match spec.split_once(':') {
                    Some((i, p)) => (i, Some(p)),
                    None => (spec.as_str(), None),
                };
                let i: usize = index
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{{{spec}}}` is not a placeholder"))?;
                let arg = args
                    .get(i)
                    .ok_or_else(|| format!("placeholder {{{i}}} has no argument"))?;
                match pad {
                    Some(p) if p.starts_with(['D', 'd']) => {
                        let w: usize = p[1..].parse().unwrap_or(0);
                        if w > 1000 {
                            return Err(format!("`{{{spec}}}` pads to more than 1000 digits"));
                        }
                        out.push_str(&format!("{arg:0>w$}"));
                    }
                    Some(p) if (p == "N0" || p == "n0") && arg.parse::<i64>().is_ok() => {
                        out.push_str(&group_thousands(arg))
                    }
                    _ => out.push_str(arg),
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// `1234567` → `1,234,567` (.NET's `N0` in the invariant culture).
fn group_thousands(n: &str) -> String {
    let (sign, digits) = n.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", n));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`.
fn copy_index(ev: &Eval<'_, '_>, args: &[Value]) -> FnResult {
    arity(args, 0, 2)?;
    let at = ev.at();
    if let Some(u) = first_unknown(args, at) {
        return Ok(u);
    }
    let (name, offset) = match args {
        [] => (None, 0),
        [a] => match &a.v {
            Val::Int(n) => (None, *n),
            Val::Str(s) => (Some(s.to_ascii_lowercase()), 0),
            other => {
                return Err(format!(
                    "takes a loop name or an offset, found {}",
                    other.type_name()
                ));
            }
        },
        [a, b] => (
            Some(want_str(a, "the loop name")?.to_ascii_lowercase()),
            want_int(b, "the offset")?,
        ),
        _ => unreachable!(),
    };
    let copies = ev.copies();
    let slot = match &name {
        Some(n) => copies.iter().rev().find(|(c, _)| c == n),
        None => copies.last(),
    };
    let Some((_, index)) = slot else {
        return Err(match name {
            Some(n) => format!("there is no copy loop named `{n}` here"),
            None => "used outside a copy loop".into(),
        });
    };
    match &index.v {
        Val::Int(i) => Ok(Value::new(Val::Int(i + offset), at)),
        _ => Ok(index.clone().relocated(at)),
    }
}

/// `resourceId([sub], [rg], type, names...)` and its subscription, tenant and extension forms.
fn resource_id(ev: &Eval<'_, '_>, f: &str, args: &[Value]) -> FnResult {
    let at = ev.at();
    let Some(texts) = arg_texts(args) else {
        return first_unknown(args, at).ok_or_else(|| "takes strings".into());
    };
    let ctx = &ev.scope().ctx;
    let type_pos = texts
        .iter()
        .position(|t| t.contains('/') && !t.starts_with('/'))
        .filter(|&i| f != "extensionresourceid" || i >= 1);
    let Some(tp) = type_pos else {
        return Err("names no resource type (`Namespace/type`)".into());
    };
    let ty = texts[tp].trim_end_matches('/');
    let names: Vec<&str> = texts[tp + 1..].iter().flat_map(|n| n.split('/')).collect();
    let segs: Vec<&str> = ty.split('/').collect();
    if segs.len() < 2 {
        return Err(format!("`{ty}` is not a resource type"));
    }
    if names.len() != segs.len() - 1 {
        if let Some(u) = first_unknown(args, at) {
            // A placeholder stands for a whole value of unknown shape.
            return Ok(Value::unknown(
                u.as_unknown().map(|x| x.reason.clone()).unwrap_or_default(),
                None,
                at,
            ));
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
    let before = &texts[..tp];
    let prefix = match f {
        "resourceid" => match before {
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
        },
        "subscriptionresourceid" => match before {
            [] => format!("/subscriptions/{}", ctx.subscription),
            [sub] => format!("/subscriptions/{sub}"),
            _ => return Err("takes at most a subscription before the type".into()),
        },
        "tenantresourceid" => {
            if !before.is_empty() {
                return Err("takes the type first".into());
            }
            String::new()
        }
        _ => match before {
            [scope] => scope.trim_end_matches('/').to_string(),
            _ => return Err("takes the scope's resource id before the type".into()),
        },
    };
    Ok(symbolic_text(prefix + &tail, args, at))
}
