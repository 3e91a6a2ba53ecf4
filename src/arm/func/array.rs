//! Array functions, and those Microsoft lists for strings and objects too (`length`,
//! `contains`, `first`, `take`, `union`, …).

use std::rc::Rc;

use super::{Call, want_int, want_str};
use crate::arm::eval::FnResult;
use crate::arm::value::{Val, Value};

pub(super) fn create_array(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.array(args.to_vec()))
}

pub(super) fn length(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.int(size(&args[0])?))
}

pub(super) fn empty(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(matches!(args[0].v, Val::Null) || size(&args[0])? == 0))
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

pub(super) fn contains(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(match (&args[0].v, &args[1].v) {
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

pub(super) fn first(cx: &Call<'_>, args: &[Value]) -> FnResult {
    end(cx, &args[0], true)
}

pub(super) fn last(cx: &Call<'_>, args: &[Value]) -> FnResult {
    end(cx, &args[0], false)
}

/// The first or last character of a string, or element of an array (null when empty).
fn end(cx: &Call<'_>, x: &Value, first: bool) -> FnResult {
    match &x.v {
        Val::Str(t) => {
            let c = if first {
                t.chars().next()
            } else {
                t.chars().last()
            };
            Ok(cx.str(&c.map(String::from).unwrap_or_default()))
        }
        Val::Array(a) => {
            let x = if first { a.first() } else { a.last() };
            Ok(x.cloned().map(|v| v.relocated(cx.at)).unwrap_or(cx.null()))
        }
        other => Err(format!(
            "needs a string or an array, found {}",
            other.type_name()
        )),
    }
}

pub(super) fn index_of(cx: &Call<'_>, args: &[Value]) -> FnResult {
    position(cx, args, false)
}

pub(super) fn last_index_of(cx: &Call<'_>, args: &[Value]) -> FnResult {
    position(cx, args, true)
}

/// Where the first (or last) occurrence is: of text in a string, ignoring case, in
/// characters; of an element in an array. -1 when there is none.
fn position(cx: &Call<'_>, args: &[Value], last: bool) -> FnResult {
    match &args[0].v {
        Val::Str(a) => {
            let (a, b) = (
                a.to_lowercase(),
                want_str(&args[1], "the text")?.to_lowercase(),
            );
            let i = if last { a.rfind(&b) } else { a.find(&b) };
            Ok(cx.int(i.map(|i| a[..i].chars().count() as i64).unwrap_or(-1)))
        }
        Val::Array(a) => {
            let mut it = a
                .iter()
                .enumerate()
                .filter(|(_, x)| x.equals(&args[1]) == Some(true))
                .map(|(i, _)| i as i64);
            let i = if last { it.next_back() } else { it.next() };
            Ok(cx.int(i.unwrap_or(-1)))
        }
        other => Err(format!(
            "needs a string or an array, found {}",
            other.type_name()
        )),
    }
}

pub(super) fn take(cx: &Call<'_>, args: &[Value]) -> FnResult {
    take_or_skip(cx, args, true)
}

pub(super) fn skip(cx: &Call<'_>, args: &[Value]) -> FnResult {
    take_or_skip(cx, args, false)
}

/// The first `n` characters or elements, or all but them.
fn take_or_skip(cx: &Call<'_>, args: &[Value], take: bool) -> FnResult {
    let n = want_int(&args[1], "the count")?.max(0) as usize;
    match &args[0].v {
        Val::Str(t) => {
            let it = t.chars();
            Ok(cx.str(&if take {
                it.take(n).collect::<String>()
            } else {
                it.skip(n).collect()
            }))
        }
        Val::Array(a) => Ok(cx.array(if take {
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

pub(super) fn range(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let start = want_int(&args[0], "the start")?;
    let count = want_int(&args[1], "the count")?;
    if !(0..=10_000).contains(&count) {
        return Err(format!("count {count} is outside 0 to 10000"));
    }
    Ok(cx.array((0..count).map(|i| cx.int(start + i)).collect()))
}

pub(super) fn union(cx: &Call<'_>, args: &[Value]) -> FnResult {
    combine(cx, args, true)
}

pub(super) fn intersection(cx: &Call<'_>, args: &[Value]) -> FnResult {
    combine(cx, args, false)
}

/// `union` or `intersection` of objects (by member) or arrays (by element).
fn combine(cx: &Call<'_>, args: &[Value], union: bool) -> FnResult {
    match &args[0].v {
        Val::Object(_) => Ok(cx.object(combine_objects(args, union)?)),
        Val::Array(_) => Ok(cx.array(combine_arrays(args, union)?)),
        other => Err(format!(
            "needs arrays or objects, found {}",
            other.type_name()
        )),
    }
}

fn combine_objects(args: &[Value], union: bool) -> Result<Vec<(Rc<str>, Value)>, String> {
    let mut members: Vec<(Rc<str>, Value)> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let Val::Object(m) = &a.v else {
            return Err("mixes objects and other values".into());
        };
        if union || i == 0 {
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
            members.retain(|(k, v)| a.get(k).is_some_and(|o| o.equals(v) == Some(true)));
        }
    }
    Ok(members)
}

fn combine_arrays(args: &[Value], union: bool) -> Result<Vec<Value>, String> {
    let mut out: Vec<Value> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let Val::Array(items) = &a.v else {
            return Err("mixes arrays and other values".into());
        };
        if union || i == 0 {
            for x in items.iter() {
                if !out.iter().any(|o| o.equals(x) == Some(true)) {
                    out.push(x.clone());
                }
            }
        } else {
            out.retain(|o| items.iter().any(|x| x.equals(o) == Some(true)));
        }
    }
    Ok(out)
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

pub(super) fn flatten(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Val::Array(a) = &args[0].v else {
        return Err(format!("needs an array, found {}", args[0].v.type_name()));
    };
    let mut out = Vec::new();
    for x in a.iter() {
        match &x.v {
            Val::Array(inner) => out.extend(inner.iter().cloned()),
            Val::Unknown(u) => return Ok(Value::unknown_from(u, None, cx.at)),
            _ => {
                return Err(format!(
                    "needs an array of arrays, found {} in it",
                    x.v.type_name()
                ));
            }
        }
    }
    Ok(cx.array(out))
}
