//! Comparison and logical functions. `if` with three arguments is evaluated lazily in
//! `eval.rs`; what reaches [`if_`] has another arity.

use std::cmp::Ordering;

use super::{Call, want_bool};
use crate::arm::eval::FnResult;
use crate::arm::value::{Val, Value};

pub(super) fn and(cx: &Call<'_>, args: &[Value]) -> FnResult {
    decide(cx, args, false)
}

pub(super) fn or(cx: &Call<'_>, args: &[Value]) -> FnResult {
    decide(cx, args, true)
}

/// `and`/`or`: a `decisive` argument decides, even if others are unknown; otherwise an
/// unknown argument makes the result unknown.
fn decide(cx: &Call<'_>, args: &[Value], decisive: bool) -> FnResult {
    let mut unknown = None;
    for a in args {
        match &a.v {
            Val::Bool(b) if *b == decisive => return Ok(cx.bool(decisive)),
            Val::Bool(_) => {}
            Val::Unknown(_) => unknown = Some(a.clone().relocated(cx.at)),
            other => return Err(format!("takes booleans, found {}", other.type_name())),
        }
    }
    Ok(unknown.unwrap_or(cx.bool(!decisive)))
}

pub(super) fn true_(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(cx.bool(true))
}

pub(super) fn false_(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(cx.bool(false))
}

pub(super) fn bool(cx: &Call<'_>, args: &[Value]) -> FnResult {
    match &args[0].v {
        Val::Bool(b) => Ok(cx.bool(*b)),
        Val::Int(n) => Ok(cx.bool(*n != 0)),
        Val::Str(t) if t.eq_ignore_ascii_case("true") => Ok(cx.bool(true)),
        Val::Str(t) if t.eq_ignore_ascii_case("false") => Ok(cx.bool(false)),
        other => Err(format!("can't convert {} to a boolean", other.type_name())),
    }
}

pub(super) fn not(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(!want_bool(&args[0], "the argument")?))
}

pub(super) fn if_(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(if want_bool(&args[0], "the condition")? {
        args[1].clone()
    } else {
        args[2].clone()
    }
    .relocated(cx.at))
}

/// The first argument that isn't null, or null.
pub(super) fn coalesce(cx: &Call<'_>, args: &[Value]) -> FnResult {
    for a in args {
        match &a.v {
            Val::Null => continue,
            _ => return Ok(a.clone().relocated(cx.at)),
        }
    }
    Ok(cx.null())
}

pub(super) fn equals(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(match args[0].equals(&args[1]) {
        Some(b) => cx.bool(b),
        None => Value::unknown("a compared value is unknown", None, cx.at),
    })
}

pub(super) fn greater(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(compare(args)? == Ordering::Greater))
}

pub(super) fn less(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(compare(args)? == Ordering::Less))
}

pub(super) fn greater_or_equals(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(compare(args)? != Ordering::Less))
}

pub(super) fn less_or_equals(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(compare(args)? != Ordering::Greater))
}

fn compare(args: &[Value]) -> Result<Ordering, String> {
    match (&args[0].v, &args[1].v) {
        (Val::Int(a), Val::Int(b)) => Ok(a.cmp(b)),
        (Val::Str(a), Val::Str(b)) => Ok(a.cmp(b)),
        _ => Err("compares two integers or two strings".into()),
    }
}
