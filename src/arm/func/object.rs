//! Object functions. (`union`, `intersection`, `contains`, `length` and `empty`, which take
//! objects too, are with the array functions.)

use std::rc::Rc;

use super::string::fold_case;
use super::{Call, want_str};
use crate::arm::eval::{Exceeded, FnResult, MAX_VALUE_SIZE, first_unknown};
use crate::arm::value::{NODE_BYTES, Val, Value};
use crate::model::Loc;

pub(super) fn create_object(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if args.len() % 2 != 0 {
        return Err("takes pairs of name and value".into());
    }
    let mut members = Vec::new();
    for pair in args.chunks(2) {
        if let Some(u) = first_unknown(&pair[..1], cx.at) {
            return Ok(u);
        }
        members.push((
            Rc::from(want_str(&pair[0], "a property name")?),
            pair[1].clone(),
        ));
    }
    Ok(cx.object(members))
}

pub(super) fn null(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(cx.null())
}

/// `json(text)`: the value the text holds, read as Resource Manager's JSON reader reads it:
/// comments, single-quoted strings, unquoted names and trailing commas are accepted, and empty
/// text is null.
pub(super) fn json(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let t = want_str(&args[0], "the argument")?;
    parse_json(cx, t)
}

pub(super) fn parse_json(cx: &Call<'_>, t: &str) -> FnResult {
    let mut p = Lenient {
        s: t.as_bytes(),
        text: t,
        pos: 0,
        at: cx.at,
        uncertain: None,
        nodes: MAX_VALUE_SIZE / NODE_BYTES,
    };
    p.skip();
    if p.pos == p.s.len() {
        return Ok(cx.null());
    }
    let v = p.value(0);
    if p.nodes == 0 {
        return Ok(cx.exceeded(Exceeded::Size));
    }
    let v = v.map_err(|e| format!("not valid JSON: {e} at offset {}", p.pos))?;
    p.skip();
    if p.pos < p.s.len() {
        return Err(format!(
            "not valid JSON: text after the value at offset {}",
            p.pos
        ));
    }
    Ok(match p.uncertain {
        Some(why) => cx.unknown(why),
        None => v,
    })
}

/// A JSON reader as lenient as Newtonsoft's.
struct Lenient<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    at: Loc,
    /// Why the value can't be represented exactly (a floating-point number, too deep).
    uncertain: Option<&'static str>,
    /// How many more values it may read: 0 stops it (a value larger than evaluation builds).
    nodes: usize,
}

impl Lenient<'_> {
    /// Skips whitespace and comments.
    fn skip(&mut self) {
        loop {
            while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            let rest = &self.s[self.pos..];
            if rest.starts_with(b"//") {
                while self.pos < self.s.len() && self.s[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else if rest.starts_with(b"/*") {
                match self.text[self.pos + 2..].find("*/") {
                    Some(e) => self.pos += 2 + e + 2,
                    None => self.pos = self.s.len(),
                }
            } else {
                return;
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if self.nodes == 0 {
            return Err("too large".into());
        }
        self.nodes -= 1;
        if depth > 256 {
            self.uncertain = Some("nests deeper than peerlint reads");
            return Err("too deeply nested".into());
        }
        self.skip();
        let at = self.at;
        match self.s.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut members: Vec<(Rc<str>, Value)> = Vec::new();
                // Where each name is in `members`: found by a hash, not a scan.
                let mut index: rustc_hash::FxHashMap<Rc<str>, usize> = Default::default();
                loop {
                    self.skip();
                    match self.s.get(self.pos) {
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b'"' | b'\'') => {}
                        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$' => {}
                        _ => return Err("expected a property name".into()),
                    }
                    let key = match self.s[self.pos] {
                        b'"' | b'\'' => self.string()?,
                        _ => {
                            let start = self.pos;
                            while self.pos < self.s.len()
                                && (self.s[self.pos].is_ascii_alphanumeric()
                                    || matches!(self.s[self.pos], b'_' | b'$'))
                            {
                                self.pos += 1;
                            }
                            self.text[start..self.pos].to_string()
                        }
                    };
                    self.skip();
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err("expected `:`".into());
                    }
                    self.pos += 1;
                    let v = self.value(depth + 1)?;
                    match index.get(key.as_str()) {
                        Some(&i) => members[i].1 = v,
                        None => {
                            let key: Rc<str> = Rc::from(key.as_str());
                            index.insert(key.clone(), members.len());
                            members.push((key, v));
                        }
                    }
                    self.skip();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {}
                        _ => return Err("expected `,` or `}`".into()),
                    }
                }
                Ok(Value::object(members, at))
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip();
                    if self.s.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {}
                        _ => return Err("expected `,` or `]`".into()),
                    }
                }
                Ok(Value::array(items, at))
            }
            Some(b'"' | b'\'') => {
                let s = self.string()?;
                Ok(Value::str(&s, at))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                let start = self.pos;
                self.pos += 1;
                while self.pos < self.s.len()
                    && (self.s[self.pos].is_ascii_alphanumeric()
                        || matches!(self.s[self.pos], b'.' | b'+' | b'-'))
                {
                    self.pos += 1;
                }
                let n = &self.text[start..self.pos];
                if let Ok(i) = n.parse::<i64>() {
                    return Ok(Value::new(Val::Int(i), at));
                }
                if n.parse::<f64>().is_ok() {
                    self.uncertain = Some("holds a number peerlint doesn't represent exactly");
                    return Ok(Value::new(Val::Null, at));
                }
                Err(format!("`{n}` is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_alphanumeric() {
                    self.pos += 1;
                }
                match &self.text[start..self.pos] {
                    "true" => Ok(Value::new(Val::Bool(true), at)),
                    "false" => Ok(Value::new(Val::Bool(false), at)),
                    "null" => Ok(Value::new(Val::Null, at)),
                    "NaN" | "Infinity" | "undefined" => {
                        self.uncertain = Some("holds a value peerlint doesn't represent");
                        Ok(Value::new(Val::Null, at))
                    }
                    w => Err(format!("unexpected `{w}`")),
                }
            }
            None => Err("unexpected end".into()),
            Some(_) => Err("unexpected character".into()),
        }
    }

    /// A string in double or single quotes, escapes decoded.
    fn string(&mut self) -> Result<String, String> {
        let quote = self.s[self.pos];
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err("unclosed string".into());
            };
            self.pos += c.len_utf8();
            match c {
                c if c as u32 == u32::from(quote) => return Ok(out),
                '\\' => {
                    let Some(e) = self.text[self.pos..].chars().next() else {
                        return Err("unclosed string".into());
                    };
                    self.pos += e.len_utf8();
                    match e {
                        '"' | '\'' | '\\' | '/' => out.push(e),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let unit = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&unit) {
                                if !self.text[self.pos..].starts_with("\\u") {
                                    return Err("unpaired surrogate".into());
                                }
                                self.pos += 2;
                                let low = self.hex4()?;
                                char::decode_utf16([unit, low]).next().and_then(Result::ok)
                            } else {
                                char::from_u32(u32::from(unit))
                            };
                            out.push(c.ok_or("invalid `\\u` escape")?);
                        }
                        _ => return Err(format!("invalid escape `\\{e}`")),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u16, String> {
        let h = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or("short `\\u` escape")?;
        self.pos += 4;
        u16::from_str_radix(h, 16).map_err(|_| "invalid `\\u` escape".into())
    }
}

/// `tryGet(value, key or index, ...)`: the member or element down that path, or null.
pub(super) fn try_get(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let mut cur = args[0].clone();
    for k in &args[1..] {
        if let Some(u) = first_unknown(&[cur.clone(), k.clone()], cx.at) {
            return Ok(u);
        }
        cur = match (&cur.v, &k.v) {
            (Val::Object(_), Val::Str(key)) => match cur.get(key) {
                Some(v) => v.clone(),
                None if cur.is_open() => {
                    return Ok(cx.unknown(format!("reads `{key}`, known only at deployment")));
                }
                None => cx.null(),
            },
            (Val::Array(a), Val::Int(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| a.get(i))
                .cloned()
                .unwrap_or(cx.null()),
            _ => cx.null(),
        };
    }
    Ok(cur.relocated(cx.at))
}

/// An object's members sorted by name, ignoring case (stable for names differing only in
/// case).
fn sorted_members(v: &Value) -> Result<Vec<&(Rc<str>, Value)>, String> {
    let Val::Object(m) = &v.v else {
        return Err(format!("needs an object, found {}", v.v.type_name()));
    };
    let mut entries: Vec<&(Rc<str>, Value)> = m.iter().collect();
    entries.sort_by_cached_key(|(k, _)| fold_case(k));
    Ok(entries)
}

/// `items(object)`: `{key, value}` for each member, sorted by name.
pub(super) fn items(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.array(
        sorted_members(&args[0])?
            .into_iter()
            .map(|(k, v)| {
                cx.object(vec![
                    (Rc::from("key"), cx.str(k)),
                    (Rc::from("value"), v.clone()),
                ])
            })
            .collect(),
    ))
}

/// `objectKeys(object)`: the member names, sorted as `items` sorts them.
pub(super) fn object_keys(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.array(
        sorted_members(&args[0])?
            .into_iter()
            .map(|(k, _)| cx.str(k))
            .collect(),
    ))
}

/// `shallowMerge(array of objects)`: members of later objects replace earlier ones; null
/// elements are skipped.
pub(super) fn shallow_merge(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Val::Array(a) = &args[0].v else {
        return Err(format!("needs an array, found {}", args[0].v.type_name()));
    };
    let mut members: Vec<(Rc<str>, Value)> = Vec::new();
    let mut index = rustc_hash::FxHashMap::default();
    for x in a.iter() {
        let m = match &x.v {
            Val::Object(m) => m,
            Val::Null => continue,
            Val::Unknown(u) => return Ok(cx.unknown_from(u)),
            other => {
                return Err(format!(
                    "needs an array of objects, found {} in it",
                    other.type_name()
                ));
            }
        };
        for (k, v) in m.iter() {
            match index.get(&k.to_lowercase()) {
                Some(&i) => members[i] = (k.clone(), v.clone()),
                None => {
                    index.insert(k.to_lowercase(), members.len());
                    members.push((k.clone(), v.clone()));
                }
            }
        }
    }
    Ok(cx.object(members))
}
