//! Date functions. `utcNow` is known only at deployment; the epoch conversions and
//! `dateTimeAdd` are computed when their texts are in a format peerlint reads exactly
//! (`2020-04-07T14:53:14Z`, `2020-04-07 14:53:14Z`), else unknown.

use super::{AT_DEPLOYMENT, Call, call_symbol, opaque, want_int, want_str};
use crate::arm::eval::FnResult;
use crate::arm::value::{Val, Value};
use crate::calendar::{civil_from_days, days_from_civil, month_days};

pub(super) fn utc_now(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if let Some(f) = args.first()
        && !matches!(f.v, Val::Str(_) | Val::Unknown(_))
    {
        return Err(format!(
            "the format must be a string, found {}",
            f.v.type_name()
        ));
    }
    // Strings Azure computes keep a placeholder, so names built from them still match.
    opaque(cx, AT_DEPLOYMENT, call_symbol(cx, args))
}

/// Seconds since 1970 ↔ `yyyy-MM-ddTHH:mm:ssZ`, within .NET's years 1 to 9999.
const MIN_EPOCH: i64 = -62_135_596_800;
const MAX_EPOCH: i64 = 253_402_300_799;

pub(super) fn date_time_from_epoch(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_int(&args[0], "the epoch time")?;
    if !(MIN_EPOCH..=MAX_EPOCH).contains(&t) {
        return Err(format!("epoch time {t} is outside the years 1 to 9999"));
    }
    Ok(cx.str(&iso(t)))
}

pub(super) fn date_time_to_epoch(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the date and time")?;
    Ok(match parse(t) {
        Some((epoch, _)) => cx.int(epoch),
        None => cx.unknown(format!(
            "reads `{t}` in a format peerlint doesn't read exactly"
        )),
    })
}

/// `dateTimeAdd(base, duration, [format])`: computed when the base is one of the formats
/// peerlint reads, the duration has whole numbers, and the result's format is `u` or `s`.
pub(super) fn date_time_add(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let base = want_str(&args[0], "the base time")?;
    let duration = want_str(&args[1], "the duration")?;
    let format = match args.get(2) {
        Some(f) => Some(want_str(f, "the format")?),
        None => None,
    };
    let Some((epoch, _)) = parse(base) else {
        return Ok(cx.unknown(format!(
            "reads `{base}` in a format peerlint doesn't read exactly"
        )));
    };
    let Some(d) = Duration::parse(duration) else {
        return Ok(cx.unknown(format!(
            "reads the duration `{duration}`, which peerlint doesn't read exactly"
        )));
    };
    let Some(t) = d
        .add_to(epoch)
        .filter(|t| (MIN_EPOCH..=MAX_EPOCH).contains(t))
    else {
        return Err(format!(
            "`{base}` plus `{duration}` is outside the years 1 to 9999"
        ));
    };
    let text = match format {
        // The documentation's example shows `4/7/2023 2:53:14 PM` for a base in `u` format.
        None => return Ok(cx.unknown("without a format: the text of its result is not documented")),
        Some("u") => iso(t).replacen('T', " ", 1),
        Some("s") => iso(t).trim_end_matches('Z').to_string(),
        Some(f) => return Ok(cx.unknown(format!("with format `{f}` is not reproduced"))),
    };
    Ok(cx.str(&text))
}

/// An ISO 8601 duration of whole numbers: `[-]P[nY][nM][nW][nD][T[nH][nM][nS]]`.
struct Duration {
    negative: bool,
    months: i64,
    seconds: i64,
}

impl Duration {
    fn parse(t: &str) -> Option<Duration> {
        let (negative, t) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let mut rest = t.strip_prefix('P')?;
        let (mut months, mut seconds, mut time, mut any) = (0i64, 0i64, false, false);
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('T') {
                if time {
                    return None;
                }
                time = true;
                rest = r;
                continue;
            }
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let n: i64 = rest[..digits].parse().ok()?;
            let unit = rest[digits..].chars().next()?;
            rest = &rest[digits + unit.len_utf8()..];
            any = true;
            match (unit, time) {
                ('Y', false) => months = months.checked_add(n.checked_mul(12)?)?,
                ('M', false) => months = months.checked_add(n)?,
                ('W', false) => seconds = seconds.checked_add(n.checked_mul(7 * 86_400)?)?,
                ('D', false) => seconds = seconds.checked_add(n.checked_mul(86_400)?)?,
                ('H', true) => seconds = seconds.checked_add(n.checked_mul(3_600)?)?,
                ('M', true) => seconds = seconds.checked_add(n.checked_mul(60)?)?,
                ('S', true) => seconds = seconds.checked_add(n)?,
                _ => return None,
            }
        }
        any.then_some(Duration {
            negative,
            months,
            seconds,
        })
    }

    /// `epoch` plus the duration: months first (the day kept, or the month's last), as .NET's
    /// `AddMonths`, then the rest.
    fn add_to(&self, epoch: i64) -> Option<i64> {
        let sign = if self.negative { -1 } else { 1 };
        let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        let total = y
            .checked_mul(12)?
            .checked_add(m - 1)?
            .checked_add(sign * self.months)?;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        if !(0..=10_000).contains(&y) {
            return None; // outside .NET's years 1 to 9999 (and `days_from_civil`'s range)
        }
        let d = d.min(month_days(y, m));
        let t = days_from_civil(y, m, d)
            .checked_mul(86_400)?
            .checked_add(secs)?;
        t.checked_add(sign * self.seconds)
    }
}

/// Reads `yyyy-MM-ddTHH:mm:ssZ` or `yyyy-MM-dd HH:mm:ssZ`: seconds since 1970, and whether
/// the date and time were separated by a space.
fn parse(t: &str) -> Option<(i64, bool)> {
    let b = t.as_bytes();
    if b.len() != 20 || b[19] != b'Z' || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        t.get(r.clone())
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, min, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if y < 1
        || !(1..=12).contains(&m)
        || d < 1
        || d > month_days(y, m)
        || h > 23
        || min > 59
        || s > 59
    {
        return None;
    }
    Some((
        days_from_civil(y, m, d) * 86_400 + h * 3_600 + min * 60 + s,
        b[10] == b' ',
    ))
}

fn iso(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for t in [
            0,
            1_586_271_194,
            1_683_040_573,
            MIN_EPOCH,
            MAX_EPOCH,
            951_782_400,
        ] {
            assert_eq!(parse(&iso(t)), Some((t, false)), "{}", iso(t));
        }
        assert_eq!(iso(1_586_271_194), "2020-04-07T14:53:14Z");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn durations_add_months_then_time() {
        let base = parse("2020-01-31T00:00:00Z").unwrap().0;
        let plus = |d: &str| iso(Duration::parse(d).unwrap().add_to(base).unwrap());
        assert_eq!(plus("P1M"), "2020-02-29T00:00:00Z");
        assert_eq!(plus("P3Y"), "2023-01-31T00:00:00Z");
        assert_eq!(plus("-P9D"), "2020-01-22T00:00:00Z");
        assert_eq!(plus("PT1H30M"), "2020-01-31T01:30:00Z");
        assert!(Duration::parse("P1.5D").is_none());
        assert!(Duration::parse("P").is_none());
        assert!(Duration::parse("PT1D").is_none());
    }
}
