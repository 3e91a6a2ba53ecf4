//! Comparison and logical functions. `if`, `and`, `or` and `coalesce` are evaluated in
//! `eval.rs`: only the arguments that decide are evaluated, left to right.

use std::cmp::Ordering;

use super::{Call, unknown_in, want_bool};
use crate::arm::eval::FnResult;
use crate::arm::value::{Val, Value};

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

/// `fail(message)`: the deployment fails here (reported, whatever the message).
pub(super) fn fail(_: &Call<'_>, args: &[Value]) -> FnResult {
    Err(match args[0].as_str() {
        Some(m) => format!("the template fails the deployment here: {m}"),
        None => "the template fails the deployment here".into(),
    })
}

pub(super) fn equals(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(match args[0].equals(&args[1]) {
        Some(b) => cx.bool(b),
        None => match unknown_in(&args[0]).or(unknown_in(&args[1])) {
            Some(u) => cx.unknown_from(u),
            None => cx.unknown("compares values peerlint can't compare"),
        },
    })
}

pub(super) fn greater(cx: &Call<'_>, args: &[Value]) -> FnResult {
    order(cx, args, |o| o == Ordering::Greater)
}

pub(super) fn less(cx: &Call<'_>, args: &[Value]) -> FnResult {
    order(cx, args, |o| o == Ordering::Less)
}

pub(super) fn greater_or_equals(cx: &Call<'_>, args: &[Value]) -> FnResult {
    order(cx, args, |o| o != Ordering::Less)
}

pub(super) fn less_or_equals(cx: &Call<'_>, args: &[Value]) -> FnResult {
    order(cx, args, |o| o != Ordering::Greater)
}

fn order(cx: &Call<'_>, args: &[Value], test: fn(Ordering) -> bool) -> FnResult {
    Ok(match compare(&args[0], &args[1])? {
        Some(o) => cx.bool(test(o)),
        None => cx.unknown(
            "compares texts with characters whose order in .NET's culture-aware comparison \
             peerlint doesn't reproduce",
        ),
    })
}

/// Integers by value; strings as .NET's culture-aware comparison orders them (the
/// documentation's `greater('A', 'a')` is true): case is ignored first, then a lower-case
/// letter comes before its upper case. Reproduced for letters and digits only (None for other
/// characters, whose culture order differs from code points).
fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, String> {
    match (&a.v, &b.v) {
        (Val::Int(a), Val::Int(b)) => Ok(Some(a.cmp(b))),
        (Val::Str(a), Val::Str(b)) => {
            if a == b {
                return Ok(Some(Ordering::Equal));
            }
            if !a
                .chars()
                .chain(b.chars())
                .all(|c| c.is_ascii_alphanumeric())
            {
                return Ok(None);
            }
            let folded = a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
            if folded != Ordering::Equal {
                return Ok(Some(folded));
            }
            // Equal but for case: the first difference decides, lower case first.
            let (x, y) = a.chars().zip(b.chars()).find(|(x, y)| x != y).unwrap();
            Ok(Some(if x.is_ascii_lowercase() && y.is_ascii_uppercase() {
                Ordering::Less
            } else {
                Ordering::Greater
            }))
        }
        (x, y) => Err(format!(
            "compares two integers or two strings, found {} and {}",
            x.type_name(),
            y.type_name()
        )),
    }
}
