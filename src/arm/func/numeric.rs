//! Numeric functions, `copyIndex` among them.

use super::{Call, want_int, want_str};
use crate::arm::eval::{FnResult, first_unknown};
use crate::arm::value::{Val, Value};

pub(super) fn int(cx: &Call<'_>, args: &[Value]) -> FnResult {
    match &args[0].v {
        Val::Int(n) => Ok(cx.int(*n)),
        Val::Str(t) => t
            .trim()
            .parse::<i64>()
            .map(|n| cx.int(n))
            .map_err(|_| format!("`{t}` is not an integer")),
        other => Err(format!("can't convert {} to an integer", other.type_name())),
    }
}

pub(super) fn add(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = operands(args)?;
    checked(cx, a.checked_add(b))
}

pub(super) fn sub(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = operands(args)?;
    checked(cx, a.checked_sub(b))
}

pub(super) fn mul(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = operands(args)?;
    checked(cx, a.checked_mul(b))
}

pub(super) fn div(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = operands(args)?;
    if b == 0 {
        return Err("division by zero".into());
    }
    checked(cx, a.checked_div(b))
}

pub(super) fn mod_(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = operands(args)?;
    if b == 0 {
        return Err("division by zero".into());
    }
    checked(cx, a.checked_rem(b))
}

fn operands(args: &[Value]) -> Result<(i64, i64), String> {
    let a = want_int(&args[0], "the first operand")?;
    let b = want_int(&args[1], "the second operand")?;
    Ok((a, b))
}

fn checked(cx: &Call<'_>, r: Option<i64>) -> FnResult {
    r.map(|n| cx.int(n))
        .ok_or_else(|| "integer overflow".into())
}

pub(super) fn min(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let nums = ints(args)?;
    nums.iter()
        .min()
        .map(|n| cx.int(*n))
        .ok_or_else(|| "needs at least one value".into())
}

pub(super) fn max(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let nums = ints(args)?;
    nums.iter()
        .max()
        .map(|n| cx.int(*n))
        .ok_or_else(|| "needs at least one value".into())
}

/// `min`/`max` take integers, or one array of them.
fn ints(args: &[Value]) -> Result<Vec<i64>, String> {
    let items: Vec<Value> = match (&args[0].v, args.len()) {
        (Val::Array(a), 1) => a.as_ref().clone(),
        _ => args.to_vec(),
    };
    let mut nums = Vec::new();
    for v in &items {
        nums.push(want_int(v, "each value")?);
    }
    Ok(nums)
}

/// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`.
pub(super) fn copy_index(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if let Some(u) = first_unknown(args, cx.at) {
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
        _ => unreachable!("the table allows copyIndex 0 to 2 arguments"),
    };
    let copies = cx.ev.copies();
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
        Val::Int(i) => Ok(cx.int(i + offset)),
        _ => Ok(index.clone().relocated(cx.at)),
    }
}
