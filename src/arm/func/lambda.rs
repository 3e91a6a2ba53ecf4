//! Lambda functions. `filter`, `map`, `mapValues`, `reduce`, `toObject`, `sort` and `groupBy`
//! are evaluated in `eval.rs` (`collection_lambda`), which binds the lambda's variables; what
//! reaches this file is a `lambda` outside them (and `sort`/`groupBy`, should `eval.rs` stop
//! taking them).

use super::{Call, opaque};
use crate::arm::eval::FnResult;
use crate::arm::value::Value;

pub(super) fn lambda(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let why =
        "a lambda is evaluated only as an argument of `filter`, `map`, `reduce` or `toObject`";
    opaque(cx, why, None)
}

pub(super) fn sort(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, NOT_YET, None)
}

pub(super) fn group_by(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, NOT_YET, None)
}

const NOT_YET: &str = "peerlint does not evaluate this collection function yet";
