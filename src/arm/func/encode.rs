//! The string article's encoding functions: base64, data URIs and URIs, as .NET computes them
//! (`Convert.ToBase64String` of UTF-8, `Uri.EscapeDataString`, …). Where .NET's result isn't
//! certain (text that isn't valid UTF-8, URIs needing normalisation), the result is unknown.

use super::object::parse_json;
use super::{Call, want_str};
use crate::arm::eval::FnResult;
use crate::arm::value::{Val, Value};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 as .NET's `Convert.FromBase64String` reads it: whitespace ignored, padding required.
fn decode(t: &str) -> Result<Vec<u8>, String> {
    let s: Vec<u8> = t.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let bad = || format!("`{t}` is not valid base64");
    if s.len() % 4 != 0 {
        return Err(bad());
    }
    let pad = s.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for (q, quad) in s.chunks(4).enumerate() {
        let last = q == s.len() / 4 - 1;
        let mut n = 0u32;
        for (i, &c) in quad.iter().enumerate() {
            let v = match c {
                b'=' if last && i >= 4 - pad => 0,
                _ => ALPHABET.iter().position(|&a| a == c).ok_or_else(bad)? as u32,
            };
            n = n << 6 | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = if last { 3 - pad } else { 3 };
        out.extend_from_slice(&bytes[..keep]);
    }
    Ok(out)
}

/// Decoded bytes as text: UTF-8, else unknown (.NET would substitute characters).
fn text(cx: &Call<'_>, bytes: Vec<u8>) -> Result<String, Value> {
    String::from_utf8(bytes).map_err(|_| cx.unknown("decodes to bytes that aren't UTF-8 text"))
}

pub(super) fn base64(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.str(&encode(want_str(&args[0], "the argument")?.as_bytes())))
}

pub(super) fn base64_to_string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let bytes = decode(want_str(&args[0], "the argument")?)?;
    Ok(match text(cx, bytes) {
        Ok(t) => cx.str(&t),
        Err(u) => u,
    })
}

pub(super) fn base64_to_json(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let bytes = decode(want_str(&args[0], "the argument")?)?;
    match text(cx, bytes) {
        Ok(t) => parse_json(cx, &t),
        Err(u) => Ok(u),
    }
}

/// `dataUri(text)`: `data:text/plain;charset=utf8;base64,` and the text in base64.
pub(super) fn data_uri(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the argument")?;
    Ok(cx.str(&format!(
        "data:text/plain;charset=utf8;base64,{}",
        encode(t.as_bytes())
    )))
}

/// `dataUriToString(uri)`: the data of a `data:` URI, decoded when it is base64.
pub(super) fn data_uri_to_string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the argument")?;
    let rest = t
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .map(|_| &t[5..])
        .ok_or_else(|| format!("`{t}` is not a data URI"))?;
    let (header, data) = rest
        .split_once(',')
        .ok_or_else(|| format!("`{t}` is not a data URI: it has no `,`"))?;
    let params: Vec<&str> = header.split(';').collect();
    let charset_ok = params.iter().all(|p| {
        p.get(..8)
            .is_none_or(|k| !k.eq_ignore_ascii_case("charset="))
            || ["utf8", "utf-8"]
                .iter()
                .any(|c| p[8..].eq_ignore_ascii_case(c))
    });
    if !charset_ok {
        return Ok(cx.unknown("decodes a charset other than UTF-8"));
    }
    if params
        .last()
        .is_some_and(|p| p.eq_ignore_ascii_case("base64"))
    {
        return Ok(match text(cx, decode(data)?) {
            Ok(s) => cx.str(&s),
            Err(u) => u,
        });
    }
    if data.contains('%') {
        return Ok(cx.unknown("of percent-encoded data is not documented"));
    }
    Ok(cx.str(data))
}

/// Whether a byte is left as it is by `Uri.EscapeDataString` (RFC 3986's unreserved).
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// `uriComponent(text)`: every byte but the unreserved ones as `%XX` (upper case, as the
/// documentation shows).
pub(super) fn uri_component(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the argument")?;
    let mut out = String::new();
    for &b in t.as_bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(cx.str(&out))
}

/// `uriComponentToString(text)`: `%XX` sequences decoded (others left as they are).
pub(super) fn uri_component_to_string(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the argument")?;
    let b = t.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|&c| hex(c)),
                b.get(i + 2).and_then(|&c| hex(c)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(match text(cx, out) {
        Ok(s) => cx.str(&s),
        Err(u) => u,
    })
}

/// `uri(baseUri, relativeUri)`: the relative reference resolved against the base (RFC 3986,
/// as .NET's `Uri` resolves it) for plain URIs: a relative path replaces the base's last
/// segment; one starting with `/` replaces the base's path (where the documentation and .NET
/// differ: unknown). URIs .NET would normalise (case, ports, escapes, dot segments, queries)
/// are unknown.
pub(super) fn uri(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let base = want_str(&args[0], "the base URI")?;
    let rel = want_str(&args[1], "the relative URI")?;
    let plain = |s: &str| {
        s.bytes().all(|b| {
            unreserved(b)
                || matches!(
                    b,
                    b'/' | b':'
                        | b'@'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                )
        })
    };
    let Some((scheme, after)) = base.split_once("://") else {
        return Ok(cx.unknown(format!("of `{base}`, which peerlint doesn't read as a URI")));
    };
    let (authority, path) = match after.find('/') {
        Some(i) => (&after[..i], &after[i..]),
        None => (after, ""),
    };
    let normalised = |s: &str| s.bytes().all(|b| !b.is_ascii_uppercase());
    let dots = |p: &str| p.split('/').any(|s| s == "." || s == "..");
    if !plain(base)
        || !plain(rel)
        || scheme.is_empty()
        || authority.is_empty()
        || !normalised(scheme)
        || !normalised(authority)
        || authority.contains([':', '@'])
        || dots(path)
        || dots(rel)
        || rel.contains(':')
        || rel.starts_with('/')
        || rel.is_empty()
    {
        return Ok(cx.unknown("of these URIs needs normalisation peerlint doesn't reproduce"));
    }
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    Ok(cx.str(&format!("{scheme}://{authority}{dir}{rel}")))
}

/// `buildUri`/`parseUri`: not in Microsoft's reference; the argument's type is still checked.
pub(super) fn build_uri(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if !matches!(args[0].v, Val::Object(_)) {
        return Err(format!("needs an object, found {}", args[0].v.type_name()));
    }
    Ok(cx.unknown(UNDOCUMENTED))
}

pub(super) fn parse_uri(cx: &Call<'_>, args: &[Value]) -> FnResult {
    want_str(&args[0], "the argument")?;
    Ok(cx.unknown(UNDOCUMENTED))
}

const UNDOCUMENTED: &str =
    "is not in Microsoft's template function reference; peerlint doesn't evaluate it";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for t in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "one, two, three",
        ] {
            assert_eq!(decode(&encode(t.as_bytes())).unwrap(), t.as_bytes());
        }
        assert_eq!(encode(b"one, two, three"), "b25lLCB0d28sIHRocmVl");
        assert!(decode("abc").is_err());
        assert!(decode("ab=c").is_err());
        assert!(decode("a===").is_err());
    }
}
