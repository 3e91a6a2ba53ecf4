//! Object functions. (`union`, `intersection`, `contains`, `length` and `empty`, which take
//! objects too, are with the array functions.)

use std::rc::Rc;

use super::{Call, want_str};
use crate::arm::eval::{FnResult, first_unknown};
use crate::arm::value::{Val, Value};

pub(super) fn create_object(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if args.len() % 2 != 0 {
        return Err("takes pairs of name and value".into());
    }
    let mut members = Vec::new();
    for pair in args.chunks(2) {
        if let Some(u) = first_unknown(&pair[..1], cx.at) {
            return Ok(u);
        }
        members.push((
            Rc::from(want_str(&pair[0], "a property name")?),
            pair[1].clone(),
        ));
    }
    Ok(cx.object(members))
}

pub(super) fn null(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(cx.null())
}

pub(super) fn json(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the argument")?;
    let j: serde_json::Value =
        serde_json::from_str(t).map_err(|e| format!("not valid JSON: {e}"))?;
    Ok(Value::from_json(&j, cx.at))
}

/// `tryGet(value, key, ...)`: the member or element down that path, or null.
pub(super) fn try_get(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let mut cur = args[0].clone();
    for k in &args[1..] {
        if let Some(u) = first_unknown(&[cur.clone(), k.clone()], cx.at) {
            return Ok(u);
        }
        cur = match (&cur.v, &k.v) {
            (Val::Object(_), Val::Str(key)) => cur.get(key).cloned().unwrap_or(cx.null()),
            (Val::Array(a), Val::Int(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| a.get(i))
                .cloned()
                .unwrap_or(cx.null()),
            _ => cx.null(),
        };
    }
    Ok(cur.relocated(cx.at))
}

pub(super) fn items(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Val::Object(m) = &args[0].v else {
        return Err(format!("needs an object, found {}", args[0].v.type_name()));
    };
    let mut entries: Vec<&(Rc<str>, Value)> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(cx.array(
        entries
            .into_iter()
            .map(|(k, v)| {
                cx.object(vec![
                    (Rc::from("key"), cx.str(k)),
                    (Rc::from("value"), v.clone()),
                ])
            })
            .collect(),
    ))
}

pub(super) fn shallow_merge(cx: &Call<'_>, args: &[Value]) -> FnResult {
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
    Ok(cx.object(members))
}
