//! Numeric functions, `copyIndex` among them. Arithmetic is checked: an overflow is an error,
//! as Resource Manager's 64-bit arithmetic rejects it.

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

/// `float(x)`: peerlint has no floating-point values; the argument is still checked.
pub(super) fn float(cx: &Call<'_>, args: &[Value]) -> FnResult {
    match &args[0].v {
        Val::Int(_) => {}
        Val::Str(t) if t.trim().parse::<f64>().is_ok() => {}
        Val::Str(t) => return Err(format!("`{t}` is not a number")),
        other => return Err(format!("can't convert {} to a number", other.type_name())),
    }
    Ok(cx.unknown("makes a floating-point number, which peerlint doesn't evaluate"))
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

/// The two integer operands; a string of digits counts as its integer (as PSRule reads it;
/// an error there could be a false one).
fn operands(args: &[Value]) -> Result<(i64, i64), String> {
    let operand = |v: &Value, what: &str| match &v.v {
        Val::Str(s) => s
            .parse::<i64>()
            .map_err(|_| format!("{what} must be an integer, found a string")),
        _ => want_int(v, what),
    };
    Ok((
        operand(&args[0], "the first operand")?,
        operand(&args[1], "the second operand")?,
    ))
}

fn checked(cx: &Call<'_>, r: Option<i64>) -> FnResult {
    r.map(|n| cx.int(n))
        .ok_or_else(|| "integer overflow".into())
}

pub(super) fn min(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(match ints(args)? {
        Ok(nums) => nums
            .iter()
            .min()
            .map(|n| cx.int(*n))
            .ok_or("needs at least one value")?,
        Err(u) => u,
    })
}

pub(super) fn max(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(match ints(args)? {
        Ok(nums) => nums
            .iter()
            .max()
            .map(|n| cx.int(*n))
            .ok_or("needs at least one value")?,
        Err(u) => u,
    })
}

/// `min`/`max` take integers, or arrays of them; Ok(Err(unknown)) when an element is unknown.
fn ints(args: &[Value]) -> Result<Result<Vec<i64>, Value>, String> {
    let mut nums = Vec::new();
    for a in args {
        let items: Vec<Value> = match &a.v {
            Val::Array(x) => x.as_ref().clone(),
            _ => vec![a.clone()],
        };
        for v in &items {
            if let Some(u) = first_unknown(std::slice::from_ref(v), v.at) {
                return Ok(Err(u));
            }
            nums.push(want_int(v, "each value")?);
        }
    }
    Ok(Ok(nums))
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
        Val::Int(i) => checked(cx, i.checked_add(offset)),
        _ => Ok(index.clone().relocated(cx.at)),
    }
}
