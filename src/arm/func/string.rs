//! String functions. Strings built from placeholders (`concat`, `format`, `toLower`, …) keep
//! a placeholder, so names built the same way still compare equal. Lengths and positions are in
//! UTF-16 code units, and case is ignored the way .NET's ordinal comparison ignores it, as in
//! Resource Manager. Where .NET's text for a value isn't certain (`True` or `true`, null
//! anywhere but in `format`, which writes nothing for it), the result is unknown rather than a
//! guess.

use super::{AT_DEPLOYMENT, Call, call_symbol, opaque, want_int, want_str};
use crate::arm::eval::{Exceeded, MAX_VALUE_SIZE};
use crate::arm::eval::{FnResult, arg_texts, first_unknown, symbolic_text};
use crate::arm::value::{NODE_BYTES, Val, Value};

/// The text a scalar stands for in a string built from it, when certain: strings, integers and
/// placeholders of unknowns. Err(why) for a value whose text is uncertain; Ok(None) for an
/// unknown without a placeholder.
fn scalar_text(v: &Value) -> Result<Option<String>, &'static str> {
    match &v.v {
        Val::Str(s) => Ok(Some(s.to_string())),
        Val::Int(n) => Ok(Some(n.to_string())),
        Val::Unknown(u) => Ok(u.symbol.clone()),
        Val::Bool(_) => Err("as text a boolean may read `True` or `true`"),
        Val::Null => Err("the text of null is not documented"),
        Val::Array(_) | Val::Object(_) => Err("the text of an array or object is not documented"),
    }
}

/// `concat` of strings (and integers), or of arrays when any argument is one.
pub(super) fn concat(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if args.iter().any(|a| matches!(a.v, Val::Array(_))) {
        return concat_arrays(cx, args);
    }
    let mut texts = Vec::new();
    for a in args {
        match &a.v {
            Val::Object(_) => return Err("takes strings or arrays, found an object".into()),
            _ => match scalar_text(a) {
                Ok(Some(t)) => texts.push(t),
                Ok(None) => return Ok(first_unknown(args, cx.at).unwrap()),
                Err(why) => return Ok(cx.unknown(why)),
            },
        }
    }
    if let Err(v) = cx.room(texts.iter().map(String::len).sum()) {
        return Ok(v);
    }
    Ok(symbolic_text(texts.concat(), args, cx.at))
}

fn concat_arrays(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let elements: usize = args
        .iter()
        .map(|a| match &a.v {
            Val::Array(x) => x.len(),
            _ => 0,
        })
        .sum();
    if let Err(v) = cx.room(elements.saturating_mul(NODE_BYTES)) {
        return Ok(v);
    }
    let mut out = Vec::new();
    for a in args {
        match &a.v {
            Val::Array(x) => out.extend(x.iter().cloned()),
            Val::Unknown(u) => return Ok(cx.unknown_from(u)),
            Val::Null => return Ok(cx.unknown("of an array and null is not documented")),
            other => {
                return Err(format!(
                    "can't concatenate an array and {}",
                    other.type_name()
                ));
            }
        }
    }
    Ok(cx.array(out))
}

/// `format(text, args...)`: .NET composite formatting.
pub(super) fn format(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let fmt: &str = match &args[0].v {
        Val::Str(s) => s,
        Val::Unknown(u) => return Ok(cx.unknown_from(u)),
        other => {
            return Err(format!(
                "the format must be a string, found {}",
                other.type_name()
            ));
        }
    };
    let mut texts = Vec::new();
    for a in &args[1..] {
        texts.push(match scalar_text(a) {
            // .NET's composite formatting writes nothing for a null argument, whatever its
            // format or alignment says (the alignment still pads).
            _ if matches!(a.v, Val::Null) => Arg {
                text: String::new(),
                int: false,
                null: true,
            },
            Ok(Some(t)) => Arg {
                text: t,
                int: matches!(a.v, Val::Int(_)),
                null: false,
            },
            Ok(None) => return Ok(first_unknown(args, cx.at).unwrap()),
            // Only an error if the format uses it; otherwise its text doesn't matter.
            Err(why) => Arg {
                text: format!("\u{0}{why}"),
                int: false,
                null: false,
            },
        });
    }
    match dotnet_format(fmt, &texts, MAX_VALUE_SIZE)? {
        Formatted::Text(t) => Ok(symbolic_text(t, args, cx.at)),
        Formatted::Uncertain(why) => Ok(cx.unknown(why)),
        Formatted::TooLong => Ok(cx.exceeded(Exceeded::Size)),
    }
}

pub(super) fn to_lower(cx: &Call<'_>, args: &[Value]) -> FnResult {
    change_case(cx, &args[0], |c| c.to_lowercase())
}

pub(super) fn to_upper(cx: &Call<'_>, args: &[Value]) -> FnResult {
    change_case(cx, &args[0], |c| c.to_uppercase())
}

/// `toLower`/`toUpper` (.NET's invariant culture: one character for one): an unknown's
/// placeholder changes case too.
fn change_case<I: Iterator<Item = char>>(
    cx: &Call<'_>,
    x: &Value,
    change: fn(char) -> I,
) -> FnResult {
    let apply = |s: &str| -> Option<String> {
        s.chars()
            .map(|c| {
                let mut m = change(c);
                match (m.next(), m.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
            .collect()
    };
    if let Some(u) = x.as_unknown() {
        let sym = u.symbol.as_deref().and_then(apply);
        return Ok(Value::unknown_from(u, sym, cx.at));
    }
    match apply(want_str(x, "the argument")?) {
        Some(t) => Ok(cx.str(&t)),
        None => Ok(cx.unknown("changes the length of a character; .NET's result is uncertain")),
    }
}

/// `string(x)`: a string as itself, an integer in decimal, an array or object as compact JSON
/// (members in their order).
pub(super) fn string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let x = &args[0];
    Ok(match &x.v {
        Val::Str(_) | Val::Int(_) => cx.str(&x.to_text().unwrap_or_default()),
        Val::Array(_) | Val::Object(_) => match cx.room(x.size()).map(|()| compact_json(x)) {
            Err(v) => v,
            Ok(Some(t)) => cx.str(&t),
            Ok(None) => match super::unknown_in(x) {
                Some(u) => cx.unknown_from(u),
                None => cx.unknown("of a value holding a boolean or null is not certain"),
            },
        },
        Val::Bool(_) => cx.unknown("of a boolean may read `True` or `true`"),
        Val::Null => cx.unknown("of null is not documented"),
        Val::Unknown(u) => cx.unknown_from(u),
    })
}

/// Compact JSON of a known value, members in their order; None with unknown parts.
fn compact_json(v: &Value) -> Option<String> {
    Some(match &v.v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Int(n) => n.to_string(),
        Val::Str(s) => serde_json::to_string(s.as_ref()).ok()?,
        Val::Array(a) => format!(
            "[{}]",
            a.iter()
                .map(compact_json)
                .collect::<Option<Vec<_>>>()?
                .join(",")
        ),
        Val::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| Some(format!(
                    "{}:{}",
                    serde_json::to_string(k.as_ref()).ok()?,
                    compact_json(x)?
                )))
                .collect::<Option<Vec<_>>>()?
                .join(",")
        ),
        Val::Unknown(_) => return None,
    })
}

pub(super) fn string_text(args: &[Value], t: &[String]) -> Option<String> {
    match (t, &args[0].v) {
        ([x], Val::Str(_) | Val::Int(_) | Val::Unknown(_)) => Some(x.clone()),
        _ => None,
    }
}

pub(super) fn replace(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the string")?;
    let old = want_str(&args[1], "the text to replace")?;
    let new = want_str(&args[2], "the replacement")?;
    if old.is_empty() {
        return Ok(cx.unknown("of an empty text is not documented"));
    }
    let n = t.matches(old).count();
    let len = (t.len() - n * old.len()).saturating_add(n.saturating_mul(new.len()));
    if let Err(v) = cx.room(len) {
        return Ok(v);
    }
    Ok(cx.str(&t.replace(old, new)))
}

pub(super) fn replace_text(args: &[Value], t: &[String]) -> Option<String> {
    if !args
        .iter()
        .all(|a| matches!(a.v, Val::Str(_) | Val::Unknown(_)))
    {
        return None;
    }
    match t {
        // Replacing inside a placeholder would rewrite the placeholder, not the value.
        [x, old, new] if args[0].is_unknown() => {
            // `{replace(x,old,new)}` with each `/` as `|`.
            let mut out = String::with_capacity(x.len() + old.len() + new.len() + 12);
            out.push_str("{replace(");
            for (i, part) in [x, old, new].into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                for (j, piece) in part.split('/').enumerate() {
                    if j > 0 {
                        out.push('|');
                    }
                    out.push_str(piece);
                }
            }
            out.push_str(")}");
            Some(out)
        }
        [x, old, new] if !old.is_empty() && !old.contains(['{', '}']) => {
            Some(x.replace(old.as_str(), new))
        }
        _ => None,
    }
}

pub(super) fn trim(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.str(want_str(&args[0], "the argument")?.trim()))
}

pub(super) fn trim_text(args: &[Value], t: &[String]) -> Option<String> {
    match t {
        // A placeholder's value may start or end with spaces.
        [x] if !args[0].is_unknown() => Some(x.trim().to_string()),
        _ => None,
    }
}

/// `split(text, delimiter or delimiters)`, as .NET's `String.Split`: at each position the
/// first delimiter (in order) that starts there cuts. A resource id built from placeholders
/// splits at its `/` (placeholders stand for whole segments there): the known segments come
/// out known.
pub(super) fn split(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let delims: Vec<String> = match &args[1].v {
        Val::Str(d) => vec![d.to_string()],
        Val::Array(a) => {
            let mut out = Vec::new();
            for d in a.iter() {
                match &d.v {
                    Val::Str(s) => out.push(s.to_string()),
                    Val::Unknown(u) => return Ok(cx.unknown_from(u)),
                    other => {
                        return Err(format!(
                            "a delimiter must be a string, found {}",
                            other.type_name()
                        ));
                    }
                }
            }
            out
        }
        Val::Unknown(u) => return Ok(cx.unknown_from(u)),
        other => {
            return Err(format!(
                "the delimiter must be a string or an array, found {}",
                other.type_name()
            ));
        }
    };
    let delims: Vec<&str> = delims
        .iter()
        .map(String::as_str)
        .filter(|d| !d.is_empty())
        .collect();
    match &args[0].v {
        Val::Str(t) => {
            let mut pieces = 0usize;
            cut(t, &delims, |_| pieces += 1);
            if let Err(v) = cx.room(pieces.saturating_mul(NODE_BYTES) + t.len()) {
                return Ok(v);
            }
            let mut out = Vec::with_capacity(pieces);
            cut(t, &delims, |p| out.push(cx.str(p)));
            Ok(cx.array(out))
        }
        Val::Unknown(u) => {
            let Some(sym) = u.symbol.as_deref().filter(|_| u.slash_free) else {
                return Ok(cx.unknown_from(u));
            };
            if delims != ["/"] {
                return Ok(cx.unknown_from(u));
            }
            let mut parts = Vec::new();
            cut(sym, &delims, |p| {
                parts.push(if p.contains(['{', '}']) {
                    Value::unknown_from(u, Some(p.to_string()), cx.at).slash_free()
                } else {
                    cx.str(p)
                })
            });
            Ok(cx.array(parts))
        }
        other => Err(format!(
            "the string must be a string, found {}",
            other.type_name()
        )),
    }
}

/// Each piece of `t` between delimiters, in order (none: `t` whole).
fn cut<'a>(t: &'a str, delims: &[&str], mut piece: impl FnMut(&'a str)) {
    let mut start = 0;
    let mut i = 0;
    while i < t.len() {
        match delims.iter().find(|d| t[i..].starts_with(**d)) {
            Some(d) => {
                piece(&t[start..i]);
                i += d.len();
                start = i;
            }
            None => i += t[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    piece(&t[start..]);
}

pub(super) fn starts_with(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let a = fold_case(want_str(&args[0], "the string")?);
    let b = fold_case(want_str(&args[1], "the prefix")?);
    Ok(cx.bool(a.starts_with(&b)))
}

pub(super) fn ends_with(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let a = fold_case(want_str(&args[0], "the string")?);
    let b = fold_case(want_str(&args[1], "the suffix")?);
    Ok(cx.bool(a.ends_with(&b)))
}

/// `substring(text, [start], [length])`, in UTF-16 code units.
pub(super) fn substring(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the string")?;
    let len = t.encode_utf16().count() as i64;
    let start = match args.get(1) {
        Some(s) => want_int(s, "the start")?,
        None => 0,
    };
    let count = match args.get(2) {
        Some(l) => want_int(l, "the length")?,
        None => len.saturating_sub(start),
    };
    if start < 0 || count < 0 || start.checked_add(count).is_none_or(|e| e > len) {
        return Err(format!(
            "start {start} and length {count} fall outside a string of {len} characters"
        ));
    }
    Ok(
        match utf16_slice(t, start as usize, (start + count) as usize) {
            Some(s) => cx.str(&s),
            None => cx.unknown("would cut a character in two"),
        },
    )
}

/// `uniqueString` and `guid` take strings.
fn want_strings(args: &[Value]) -> Result<(), String> {
    for a in args {
        if !matches!(a.v, Val::Str(_) | Val::Unknown(_)) {
            return Err(format!("takes strings, found {}", a.v.type_name()));
        }
    }
    Ok(())
}

pub(super) fn unique_string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    want_strings(args)?;
    // Strings Azure computes keep a placeholder, so names built from them still match.
    opaque(cx, AT_DEPLOYMENT, call_symbol(cx, args))
}

pub(super) fn guid(cx: &Call<'_>, args: &[Value]) -> FnResult {
    want_strings(args)?;
    opaque(cx, AT_DEPLOYMENT, call_symbol(cx, args))
}

pub(super) fn new_guid(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, AT_DEPLOYMENT, None)
}

/// `join(array, delimiter)`: the array's strings joined.
pub(super) fn join(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Val::Array(items) = &args[0].v else {
        return Err(format!("needs an array, found {}", args[0].v.type_name()));
    };
    let delim = want_str(&args[1], "the delimiter")?;
    if items
        .iter()
        .any(|x| !matches!(x.v, Val::Str(_) | Val::Unknown(_)))
    {
        return Ok(cx.unknown("of values other than strings is not documented"));
    }
    let len = items
        .iter()
        .map(|x| x.text_or_symbol().map_or(0, str::len))
        .sum::<usize>()
        .saturating_add(delim.len().saturating_mul(items.len()));
    if let Err(v) = cx.room(len) {
        return Ok(v);
    }
    match arg_texts(items) {
        Some(t) => Ok(symbolic_text(t.join(delim), items, cx.at)),
        None => Ok(first_unknown(items, cx.at).unwrap()),
    }
}

/// `padLeft(value, totalLength, [character])`: the value (a string or an integer) padded on
/// the left to `totalLength` UTF-16 code units with the character (a space by default).
pub(super) fn pad_left(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = match &args[0].v {
        Val::Str(s) => s.to_string(),
        Val::Int(n) => n.to_string(),
        other => {
            return Err(format!(
                "the value must be a string or an integer, found {}",
                other.type_name()
            ));
        }
    };
    let total = want_int(&args[1], "the total length")?;
    let pad = match args.get(2) {
        Some(p) => want_str(p, "the padding character")?,
        None => " ",
    };
    let mut chars = pad.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return Ok(cx.unknown("with padding other than one character is not documented"));
    };
    if c.len_utf16() != 1 || !(0..=1_000_000).contains(&total) {
        return Ok(cx.unknown("with this padding is not documented"));
    }
    let len = t.encode_utf16().count() as i64;
    let mut out: String = std::iter::repeat_n(c, (total - len).max(0) as usize).collect();
    out.push_str(&t);
    Ok(cx.str(&out))
}

/// The characters of `t` from UTF-16 offset `from` to `to`; None when either cuts a
/// surrogate pair.
pub(super) fn utf16_slice(t: &str, from: usize, to: usize) -> Option<String> {
    let mut out = String::new();
    let mut at = 0;
    for c in t.chars() {
        let w = c.len_utf16();
        if at >= to {
            break;
        }
        if at >= from {
            if at + w > to {
                return None;
            }
            out.push(c);
        } else if at + w > from {
            return None;
        }
        at += w;
    }
    Some(out)
}

/// `t` with case folded as .NET's ordinal case-insensitive comparison folds it: each character
/// to its single upper-case character (one of the same UTF-16 length), if it has one.
pub(super) fn fold_case(t: &str) -> String {
    t.chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) if u.len_utf16() == c.len_utf16() => u,
                _ => c,
            }
        })
        .collect()
}

/// An argument of `format`: its text, and whether it is an integer (numeric formats apply).
/// A text starting with NUL is the reason the argument has no certain text.
struct Arg {
    text: String,
    int: bool,
    /// A null argument: its text is empty under any format.
    null: bool,
}

enum Formatted {
    Text(String),
    /// A format .NET would apply in a way peerlint doesn't reproduce.
    Uncertain(String),
    /// The text would be longer than the most asked for.
    TooLong,
}

/// .NET composite formatting as ARM's `format` uses it: `{0}`, `{1,-8}`, `{2:D3}`, `{3:N0}`,
/// `{{` and `}}`; [`Formatted::TooLong`] past `max` bytes.
fn dotnet_format(fmt: &str, args: &[Arg], max: usize) -> Result<Formatted, String> {
    // About the result's length (each argument used once), within reason.
    let guess = fmt.len() + args.iter().map(|a| a.text.len()).sum::<usize>();
    let mut out = String::with_capacity(guess.min(1 << 16));
    let b = fmt.as_bytes();
    let mut i = 0;
    // Literal text is copied a run at a time, braces found with memchr; the result is as long
    // as when it was written a character at a time (see the checks against `max`).
    while i < b.len() {
        if out.len() > max {
            return Ok(Formatted::TooLong);
        }
        let run = memchr::memchr2(b'{', b'}', &b[i..]).unwrap_or(b.len() - i);
        if run > 0 {
            let text = &fmt[i..i + run];
            out.push_str(text);
            i += run;
            // Written a character at a time, a text longer than `max` before the run's last
            // character was checked before it.
            let last = text.chars().next_back().map_or(0, char::len_utf8);
            if out.len() - last > max {
                return Ok(Formatted::TooLong);
            }
            continue;
        }
        let c = b[i];
        let next = b.get(i + 1).copied();
        match c {
            b'{' if next == Some(b'{') => {
                i += 2;
                out.push('{');
            }
            b'}' if next == Some(b'}') => {
                i += 2;
                out.push('}');
            }
            b'}' => return Err(format!("format string `{fmt}` has an unmatched `}}`")),
            _ => {
                // `{`: the placeholder, up to the first `}`.
                let Some(len) = memchr::memchr(b'}', &b[i + 1..]) else {
                    return Err(format!("format string `{fmt}` has an unclosed `{{`"));
                };
                let spec = &fmt[i + 1..i + 1 + len];
                i += len + 2;
                let (head, pattern) = match spec.split_once(':') {
                    Some((h, p)) => (h, Some(p)),
                    None => (spec, None),
                };
                let (index, align) = match head.split_once(',') {
                    Some((i, a)) => (i, Some(a)),
                    None => (head, None),
                };
                let i: usize = index
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{{{spec}}}` is not a placeholder"))?;
                let arg = args
                    .get(i)
                    .ok_or_else(|| format!("placeholder {{{i}}} has no argument"))?;
                if let Some(why) = arg.text.strip_prefix('\u{0}') {
                    return Ok(Formatted::Uncertain(why.to_string()));
                }
                let text: std::borrow::Cow<'_, str> = match pattern {
                    _ if arg.null => "".into(),
                    None | Some("") => arg.text.as_str().into(),
                    Some(p) if arg.int && (p.starts_with(['D', 'd'])) => {
                        let uncertain = || {
                            Ok(Formatted::Uncertain(format!(
                                "of format `{p}` is not reproduced"
                            )))
                        };
                        let w = match &p[1..] {
                            "" => 0,
                            digits if digits.bytes().all(|b| b.is_ascii_digit()) => {
                                // .NET's precision specifier goes up to 999999999.
                                match digits.parse::<u64>() {
                                    Ok(w) if w <= 1000 => w as usize,
                                    Ok(w) if w <= 999_999_999 => return uncertain(),
                                    _ => {
                                        return Err(format!(
                                            "`{{{spec}}}`: precision over 999999999"
                                        ));
                                    }
                                }
                            }
                            _ => return uncertain(),
                        };
                        let (sign, digits) = match arg.text.strip_prefix('-') {
                            Some(d) => ("-", d),
                            None => ("", arg.text.as_str()),
                        };
                        format!("{sign}{digits:0>w$}").into()
                    }
                    Some("N0" | "n0") if arg.int => group_thousands(&arg.text).into(),
                    Some(p) => {
                        return Ok(Formatted::Uncertain(format!(
                            "of format `{p}` is not reproduced"
                        )));
                    }
                };
                match align.map(|a| a.trim().parse::<i64>()) {
                    None => out.push_str(&text),
                    Some(Ok(w)) if w.unsigned_abs() <= 1000 => {
                        let pad =
                            (w.unsigned_abs() as usize).saturating_sub(text.encode_utf16().count());
                        let spaces = " ".repeat(pad);
                        if w < 0 {
                            out.push_str(&text);
                            out.push_str(&spaces);
                        } else {
                            out.push_str(&spaces);
                            out.push_str(&text);
                        }
                    }
                    Some(Ok(_)) => {
                        return Ok(Formatted::Uncertain(
                            "of a wide alignment is not reproduced".into(),
                        ));
                    }
                    Some(Err(_)) => return Err(format!("`{{{spec}}}` is not a placeholder")),
                }
            }
        }
    }
    Ok(Formatted::Text(out))
}

/// `1234567` → `1,234,567` (.NET's `N0` in the invariant culture).
fn group_thousands(n: &str) -> String {
    let (sign, digits) = n.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", n));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `dotnet_format` as it was written, a character at a time: the reference for when the
    /// result is too long.
    fn too_long_by_chars(fmt: &str, max: usize) -> bool {
        let mut len = 0;
        for c in fmt.chars() {
            if len > max {
                return true;
            }
            len += c.len_utf8();
        }
        false
    }

    #[test]
    fn literal_runs_are_too_long_exactly_when_characters_were() {
        for fmt in [
            "",
            "a",
            "ab",
            "abc",
            "\u{e9}a",
            "a\u{e9}",
            "\u{e9}\u{e9}",
            "abcdef",
        ] {
            for max in 0..8 {
                let got = matches!(dotnet_format(fmt, &[], max), Ok(Formatted::TooLong));
                assert_eq!(got, too_long_by_chars(fmt, max), "{fmt:?} at most {max}");
            }
        }
        let arg = Arg {
            text: "xy".into(),
            int: false,
            null: false,
        };
        let text = |f: &str| match dotnet_format(f, std::slice::from_ref(&arg), 100) {
            Ok(Formatted::Text(t)) => t,
            _ => panic!("{f}"),
        };
        assert_eq!(text("a{0}b{{c}}{0,3}\u{e9}"), "axyb{c} xy\u{e9}");
        assert!(matches!(dotnet_format("a{0", &[], 100), Err(e) if e.contains("unclosed")));
        assert!(matches!(dotnet_format("a}b", &[], 100), Err(e) if e.contains("unmatched")));
    }
}
