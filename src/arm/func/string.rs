//! String functions. Strings built from placeholders (`concat`, `format`, `toLower`, …) keep
//! a placeholder, so names built the same way still compare equal.

use super::{AT_DEPLOYMENT, Call, call_symbol, opaque, want_int, want_str};
use crate::arm::eval::{FnResult, arg_texts, first_unknown, symbolic_text};
use crate::arm::value::{Val, Value};

/// `concat` of strings, or of arrays when any argument is one.
pub(super) fn concat(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if args.iter().any(|a| matches!(a.v, Val::Array(_))) {
        return concat_arrays(cx, args);
    }
    match arg_texts(args) {
        Some(t) => Ok(symbolic_text(t.concat(), args, cx.at)),
        None => first_unknown(args, cx.at).ok_or_else(|| "takes strings or arrays".into()),
    }
}

fn concat_arrays(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for a in args {
        match &a.v {
            Val::Array(x) => out.extend(x.iter().cloned()),
            Val::Unknown(_) => return Ok(a.clone().relocated(cx.at)),
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

pub(super) fn format(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Some(t) = arg_texts(args) else {
        return first_unknown(args, cx.at)
            .ok_or_else(|| "takes a format string and scalar arguments".into());
    };
    if args[0].is_unknown() {
        return Ok(first_unknown(args, cx.at).unwrap());
    }
    Ok(symbolic_text(dotnet_format(&t[0], &t[1..])?, args, cx.at))
}

pub(super) fn to_lower(cx: &Call<'_>, args: &[Value]) -> FnResult {
    change_case(cx, &args[0], str::to_lowercase)
}

pub(super) fn to_upper(cx: &Call<'_>, args: &[Value]) -> FnResult {
    change_case(cx, &args[0], str::to_uppercase)
}

/// `toLower`/`toUpper`: an unknown's placeholder changes case too.
fn change_case(cx: &Call<'_>, x: &Value, change: fn(&str) -> String) -> FnResult {
    if let Some(u) = x.as_unknown() {
        let sym = u.symbol.as_deref().map(change);
        return Ok(Value::unknown_from(u, sym, cx.at));
    }
    Ok(cx.str(&change(want_str(x, "the argument")?)))
}

pub(super) fn string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.str(&args[0].to_text().unwrap_or_default()))
}

pub(super) fn string_text(_: &[Value], t: &[String]) -> Option<String> {
    match t {
        [x] => Some(x.clone()),
        _ => None,
    }
}

pub(super) fn replace(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the string")?;
    let old = want_str(&args[1], "the text to replace")?;
    let new = want_str(&args[2], "the replacement")?;
    Ok(cx.str(&if old.is_empty() {
        t.to_string()
    } else {
        t.replace(old, new)
    }))
}

pub(super) fn replace_text(args: &[Value], t: &[String]) -> Option<String> {
    match t {
        // Replacing inside a placeholder would rewrite the placeholder, not the value.
        [x, old, new] if args[0].is_unknown() => {
            Some(format!("{{replace({x},{old},{new})}}").replace('/', "|"))
        }
        [x, old, new] if !old.is_empty() => Some(x.replace(old.as_str(), new)),
        _ => None,
    }
}

pub(super) fn trim(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.str(want_str(&args[0], "the argument")?.trim()))
}

pub(super) fn trim_text(_: &[Value], t: &[String]) -> Option<String> {
    match t {
        [x] => Some(x.trim().to_string()),
        _ => None,
    }
}

pub(super) fn split(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the string")?;
    let delims: Vec<String> = match &args[1].v {
        Val::Str(d) => vec![d.to_string()],
        Val::Array(a) => a
            .iter()
            .map(|d| want_str(d, "a delimiter").map(str::to_string))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "the delimiter must be a string or an array, found {}",
                other.type_name()
            ));
        }
    };
    let mut parts = vec![t.to_string()];
    for d in delims.iter().filter(|d| !d.is_empty()) {
        parts = parts
            .iter()
            .flat_map(|p| p.split(d.as_str()).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    Ok(cx.array(parts.iter().map(|p| cx.str(p)).collect()))
}

pub(super) fn starts_with(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = affix_args(args)?;
    Ok(cx.bool(a.starts_with(&b)))
}

pub(super) fn ends_with(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (a, b) = affix_args(args)?;
    Ok(cx.bool(a.ends_with(&b)))
}

/// `startsWith`/`endsWith` compare ignoring case.
fn affix_args(args: &[Value]) -> Result<(String, String), String> {
    let a = want_str(&args[0], "the string")?.to_lowercase();
    let b = want_str(&args[1], "the prefix")?.to_lowercase();
    Ok((a, b))
}

pub(super) fn substring(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let chars: Vec<char> = want_str(&args[0], "the string")?.chars().collect();
    let start = want_int(&args[1], "the start")?;
    let len = match args.get(2) {
        Some(l) => want_int(l, "the length")?,
        None => chars.len() as i64 - start,
    };
    if start < 0
        || len < 0
        || start
            .checked_add(len)
            .is_none_or(|e| e > chars.len() as i64)
    {
        return Err(format!(
            "start {start} and length {len} fall outside a string of {} characters",
            chars.len()
        ));
    }
    Ok(cx.str(
        &chars[start as usize..(start + len) as usize]
            .iter()
            .collect::<String>(),
    ))
}

pub(super) fn unique_string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    // Strings Azure computes keep a placeholder, so names built from them still match.
    opaque(cx, AT_DEPLOYMENT, call_symbol(cx, args))
}

pub(super) fn guid(cx: &Call<'_>, args: &[Value]) -> FnResult {
    opaque(cx, AT_DEPLOYMENT, call_symbol(cx, args))
}

pub(super) fn new_guid(cx: &Call<'_>, _: &[Value]) -> FnResult {
    opaque(cx, AT_DEPLOYMENT, None)
}

/// .NET composite formatting as ARM's `format` uses it: `{0}`, `{1:D3}`, `{{` and `}}`.
pub fn dotnet_format(fmt: &str, args: &[String]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(x) => spec.push(x),
                        None => return Err(format!("format string `{fmt}` has an unclosed `{{`")),
                    }
                }
                let (index, pad) = match spec.split_once(':') {
                    Some((i, p)) => (i, Some(p)),
                    None => (spec.as_str(), None),
                };
                let i: usize = index
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{{{spec}}}` is not a placeholder"))?;
                let arg = args
                    .get(i)
                    .ok_or_else(|| format!("placeholder {{{i}}} has no argument"))?;
                match pad {
                    Some(p) if p.starts_with(['D', 'd']) => {
                        let w: usize = p[1..].parse().unwrap_or(0);
                        if w > 1000 {
                            return Err(format!("`{{{spec}}}` pads to more than 1000 digits"));
                        }
                        out.push_str(&format!("{arg:0>w$}"));
                    }
                    Some(p) if (p == "N0" || p == "n0") && arg.parse::<i64>().is_ok() => {
                        out.push_str(&group_thousands(arg))
                    }
                    _ => out.push_str(arg),
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
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
