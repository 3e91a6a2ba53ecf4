//! Lambda functions. `filter`, `map`, `mapValues`, `reduce`, `sort`, `toObject` and `groupBy`
//! are evaluated in `eval.rs`, which binds the lambda's variables; what reaches this file is a
//! `lambda` anywhere else, which Resource Manager doesn't allow.

use super::{Call, opaque};
use crate::arm::eval::FnResult;
use crate::arm::value::Value;

pub(super) fn lambda(cx: &Call<'_>, _: &[Value]) -> FnResult {
    let why = "a lambda is evaluated only as an argument of `filter`, `groupBy`, `map`, \
               `mapValues`, `reduce`, `sort` or `toObject`";
    opaque(cx, why, None)
}
