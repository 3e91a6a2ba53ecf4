//! Date functions: all computed by Azure at deployment.

use super::{AT_DEPLOYMENT, Call, call_symbol, opaque};
use crate::arm::eval::FnResult;
use crate::arm::value::Value;

pub(super) fn utc_now(cx: &Call<'_>, args: &[Value]) -> FnResult {
    // Strings Azure computes keep a placeholder, so names built from them still match.
    opaque(cx, AT_DEPLOYMENT, call_symbol(cx, args))
}

pub(super) fn date_time_add(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, AT_DEPLOYMENT, None)
}

pub(super) fn date_time_from_epoch(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, AT_DEPLOYMENT, None)
}

pub(super) fn date_time_to_epoch(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, AT_DEPLOYMENT, None)
}
