//! JSON with comments into a [`Tree`]: a byte-level lexer and an iterative parser, so nesting
//! depth is bounded without recursion and a 40 MB export parses at several hundred MB/s.
//!
//! Accepted beyond strict JSON, as ARM and the az CLI accept it: `//` and `/* */` comments,
//! raw newlines and tabs inside strings (multi-line ARM expressions). Rejected with a span:
//! trailing commas, single quotes, unquoted names, hex or non-finite numbers.

use std::sync::Arc;

use crate::source::Span;
use crate::tree::{Builder, Kind, MAX_DEPTH, SyntaxError, Tree};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    /// A string; whether it contains escapes.
    Str(bool),
    Num,
    True,
    False,
    Null,
    Eof,
}

impl Tok {
    fn describe(self) -> &'static str {
        match self {
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::Comma => "`,`",
            Tok::Colon => "`:`",
            Tok::Str(_) => "a string",
            Tok::Num => "a number",
            Tok::True | Tok::False => "a boolean",
            Tok::Null => "`null`",
            Tok::Eof => "the end of the file",
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    comments: Vec<Span>,
}

type LexResult<T> = Result<T, SyntaxError>;

fn error(start: usize, end: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        span: Span::new(start, end),
        message: message.into(),
    }
}

impl<'a> Lexer<'a> {
    fn skip_trivia(&mut self) -> LexResult<()> {
        loop {
            loop {
                match self.b.get(self.i) {
                    // Indentation: eight spaces at a time.
                    Some(b' ') => self.i = spaces_end(self.b, self.i + 1),
                    Some(b'\t' | b'\n' | b'\r') => self.i += 1,
                    _ => break,
                }
            }
            if self.b.get(self.i) != Some(&b'/') {
                return Ok(());
            }
            let start = self.i;
            match self.b.get(self.i + 1) {
                Some(b'/') => {
                    self.i += 2;
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                Some(b'*') => {
                    let Some(end) = self.text[self.i + 2..].find("*/") else {
                        return Err(error(start, start + 2, "unterminated `/*` comment"));
                    };
                    self.i += 2 + end + 2;
                }
                _ => return Err(error(start, start + 1, "unexpected character `/`")),
            }
            self.comments.push(Span::new(start, self.i));
        }
    }

    /// The next token and its start.
    fn next(&mut self) -> LexResult<(Tok, usize)> {
        self.skip_trivia()?;
        let start = self.i;
        let Some(&c) = self.b.get(self.i) else {
            return Ok((Tok::Eof, start));
        };
        let tok = match c {
            b'{' => Tok::LBrace,
            b'}' => Tok::RBrace,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b',' => Tok::Comma,
            b':' => Tok::Colon,
            b'"' => return self.string().map(|escaped| (Tok::Str(escaped), start)),
            b'-' | b'0'..=b'9' => return self.number().map(|()| (Tok::Num, start)),
            b't' => return self.word("true", Tok::True),
            b'f' => return self.word("false", Tok::False),
            b'n' => return self.word("null", Tok::Null),
            _ => {
                let ch = self.text[start..].chars().next().unwrap_or('?');
                let what = match ch {
                    '\'' => "single quotes are not JSON; use double quotes".to_string(),
                    c if c.is_alphabetic() || c == '_' => {
                        format!("unexpected word starting with `{c}`; names must be quoted")
                    }
                    c => format!("unexpected character `{}`", c.escape_debug()),
                };
                return Err(error(start, start + ch.len_utf8(), what));
            }
        };
        self.i += 1;
        Ok((tok, start))
    }

    fn word(&mut self, word: &str, tok: Tok) -> LexResult<(Tok, usize)> {
        let start = self.i;
        let end = start + word.len();
        let rest_ok = self
            .b
            .get(end)
            .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_');
        if self.b.len() >= end && &self.b[start..end] == word.as_bytes() && rest_ok {
            self.i = end;
            return Ok((tok, start));
        }
        let mut e = start;
        while e < self.b.len() && (self.b[e].is_ascii_alphanumeric() || self.b[e] == b'_') {
            e += 1;
        }
        Err(error(
            start,
            e.max(start + 1),
            format!(
                "unexpected word `{}`; names must be quoted",
                &self.text[start..e]
            ),
        ))
    }

    /// Scans a string starting at the opening quote; returns whether it has escapes.
    fn string(&mut self) -> LexResult<bool> {
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        loop {
            // Fast path: skip ordinary bytes, eight at a time.
            self.i = plain_end(self.b, self.i);
            match self.b.get(self.i) {
                None => return Err(error(start, start + 1, "unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    let at = self.i;
                    match self.b.get(self.i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 2,
                        Some(b'u') => {
                            let hex = self.b.get(self.i + 2..self.i + 6);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return Err(error(
                                    at,
                                    (at + 6).min(self.b.len()),
                                    "invalid `\\u` escape: four hex digits expected",
                                ));
                            }
                            self.i += 6;
                        }
                        _ => {
                            return Err(error(
                                at,
                                (at + 2).min(self.b.len()),
                                "invalid escape in string",
                            ));
                        }
                    }
                }
                // Raw newlines and tabs occur in multi-line ARM expressions; ARM accepts them.
                Some(b'\n' | b'\r' | b'\t') => self.i += 1,
                Some(_) => return Err(error(self.i, self.i + 1, "control character in string")),
            }
        }
    }

    fn number(&mut self) -> LexResult<()> {
        let start = self.i;
        let b = self.b;
        let digits = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i > s
        };
        let mut i = self.i;
        if b[i] == b'-' {
            i += 1;
        }
        let int_start = i;
        if !digits(&mut i) {
            return Err(error(start, i.max(start + 1), "expected a digit"));
        }
        if b[int_start] == b'0' && i - int_start > 1 {
            return Err(error(start, i, "numbers can't have leading zeros"));
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return Err(error(start, i, "expected a digit after the decimal point"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(error(start, i, "expected a digit in the exponent"));
            }
        }
        if b.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
            return Err(error(start, i + 1, "invalid number"));
        }
        self.i = i;
        Ok(())
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `b` at `i`, as one little-endian word (the first byte lowest).
fn word(b: &[u8], i: usize) -> Option<u64> {
    let w: [u8; 8] = b.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// The high bit of each byte of `w` below `n` (n <= 128). Only the lowest set bit is
/// exact (a borrow may mark bytes above it), which is all the scanners need.
fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS
}

/// Where the ordinary bytes of a string starting at `i` end: the first `"`, `\\` or control
/// character (or the end of the text). Eight bytes a step, by word arithmetic (SWAR): most of
/// an export is strings (ids of 150 bytes). Measured on the 10,000-vnet estate: the parse went
/// from 1.30 G to 0.96 G instructions with this and [`spaces_end`].
fn plain_end(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = word(b, i) {
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let found = bytes_below(quote, 1) | bytes_below(backslash, 1) | bytes_below(w, 0x20);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !matches!(b[i], b'"' | b'\\') && b[i] >= 0x20 {
        i += 1;
    }
    i
}

/// Where the run of spaces starting at `i` ends, eight bytes a step.
fn spaces_end(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = word(b, i) {
        let other = w ^ (ONES * u64::from(b' '));
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// Decodes the escapes of a string's content (between the quotes).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = u16::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate: pair it with a following `\uXXXX` low surrogate.
                    let rest = chars.as_str();
                    if let Some(low) = rest
                        .strip_prefix("\\u")
                        .and_then(|r| r.get(..4))
                        .and_then(|h| u16::from_str_radix(h, 16).ok())
                        && (0xDC00..0xE000).contains(&low)
                    {
                        let code = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        chars = rest[6..].chars();
                        continue;
                    }
                }
                out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// What the parser expects next.
#[derive(PartialEq, Clone, Copy)]
enum Want {
    Value,
    /// A value or the close of an array just opened.
    ValueOrClose,
    /// A key or the close of an object just opened.
    KeyOrClose,
    Key,
    Colon,
    CommaOrClose,
    End,
}

fn unterminated(at: usize) -> SyntaxError {
    error(
        at,
        at,
        "unexpected end of file: unterminated array or object",
    )
}

fn after_value(b: &Builder) -> Want {
    if b.depth() == 0 {
        Want::End
    } else {
        Want::CommaOrClose
    }
}

/// Parses JSON with comments. `start` is where the content begins (after a byte-order mark).
/// An error's span lies on character boundaries (a bad escape may end inside a character).
/// A large file (at least [`PARTS_MIN_BYTES`]) is parsed in parts side by side when on a pool of
/// several threads (see [`parse_in_parts`]); the tree is the one a single parse builds.
pub fn parse(text: &Arc<String>, start: usize) -> Result<Tree, SyntaxError> {
    let threads = crate::pool::threads();
    if threads > 1
        && text.len() - start >= PARTS_MIN_BYTES
        && let Some(tree) = parse_in_parts(text, start, threads)
    {
        return Ok(tree);
    }
    parse_tree(text, start).map_err(|mut e| {
        e.span = crate::tree::on_chars(text, e.span);
        e
    })
}

/// Files at least this large are parsed in parts on a pool of several threads.
pub const PARTS_MIN_BYTES: usize = 4 << 20;

/// Roughly one node per 40 bytes of pretty-printed JSON; the builder grows beyond that.
const BYTES_PER_NODE: usize = 40;

fn lexer(text: &str, start: usize) -> Lexer<'_> {
    Lexer {
        text,
        b: text.as_bytes(),
        i: start,
        comments: Vec::new(),
    }
}

fn parse_tree(text: &Arc<String>, start: usize) -> Result<Tree, SyntaxError> {
    let mut lx = lexer(text, start);
    let mut b = Builder::with_capacity(text.clone(), (text.len() - start) / BYTES_PER_NODE);
    run(&mut lx, &mut b, Want::Value, None)?;
    let mut tree = b.finish();
    tree.comments = lx.comments;
    Ok(tree)
}

/// The containers around the elements of a file's main array, outermost first (the spine: the
/// root array, or a root object whose first member is an array, as a REST list's `value`), and
/// where its first element starts. None for anything else, or an empty array.
fn spine(text: &str, start: usize) -> Option<(Vec<Kind>, usize)> {
    let mut lx = lexer(text, start);
    let spine = match lx.next().ok()?.0 {
        Tok::LBracket => vec![Kind::Array],
        Tok::LBrace => {
            let key = lx.next().ok()?.0;
            let colon = lx.next().ok()?.0;
            let array = lx.next().ok()?.0;
            (key == Tok::Str(false) && colon == Tok::Colon && array == Tok::LBracket)
                .then(|| vec![Kind::Object, Kind::Array])?
        }
        _ => return None,
    };
    lx.skip_trivia().ok()?;
    (lx.b.get(lx.i) == Some(&b'{')).then_some((spine, lx.i))
}

/// Where parts of a file after the first may start: up to `parts - 1` places spread over the
/// text, each the next line after them that starts as the first element does (`{` at the same
/// indentation). A guess: each part is checked to start where the part before it stopped.
fn part_starts(b: &[u8], first: usize, parts: usize) -> Vec<usize> {
    let line = b[..first]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let indent = &b[line..first];
    if line == 0 || indent.iter().any(|&c| c != b' ' && c != b'\t') {
        return Vec::new(); // no line breaks between elements
    }
    let mut pattern = vec![b'\n'];
    pattern.extend_from_slice(indent);
    pattern.push(b'{');
    let finder = memchr::memmem::Finder::new(&pattern);
    let mut starts = Vec::new();
    let mut last = first;
    for k in 1..parts {
        let target = (first + (b.len() - first) * k / parts).max(last);
        match finder.find(&b[target..]) {
            Some(i) => {
                last = target + i + pattern.len() - 1;
                starts.push(last);
            }
            None => break,
        }
    }
    starts.dedup();
    starts
}

/// Parses a large file in up to `parts` parts side by side on the current pool, each whole
/// elements of its main array (see [`spine`]): the first from the start of the file, each
/// later one from a guessed element start (see [`part_starts`]) to the next, the last to the
/// end of the file. A part that doesn't stop exactly where the next one starts (the guess was
/// inside a string or an element), or any syntax error, gives None: the caller then parses the
/// file in one go, which reports the first error as always.
fn parse_in_parts(text: &Arc<String>, start: usize, parts: usize) -> Option<Tree> {
    let (_, first) = spine(text, start)?;
    let starts = part_starts(text.as_bytes(), first, parts);
    if starts.is_empty() {
        return None;
    }
    parse_from(text, start, &starts)
}

/// [`parse_in_parts`] with the later parts starting at `starts`, which may be any places in the
/// text: ones that aren't increasing character boundaries after `start` give None too.
fn parse_from(text: &Arc<String>, start: usize, starts: &[usize]) -> Option<Tree> {
    use rayon::prelude::*;
    let (spine, _) = spine(text, start)?;
    let mut last = start;
    for &s in starts {
        if s <= last || !text.is_char_boundary(s) {
            return None;
        }
        last = s;
    }
    let spine = &spine[..];
    let depth = spine.len();
    // Part i: from `begin` (None for the file's start) to the element at or after `stop`.
    let bounds: Vec<(Option<usize>, Option<usize>)> = std::iter::once(None)
        .chain(starts.iter().copied().map(Some))
        .zip(
            starts
                .iter()
                .copied()
                .map(Some)
                .chain(std::iter::once(None)),
        )
        .collect();
    let parsed: Vec<Option<(crate::tree::Part, Option<usize>)>> = bounds
        .par_iter()
        .with_max_len(1)
        .map(|&(begin, stop)| {
            let from = begin.unwrap_or(start);
            let to = stop.unwrap_or(text.len());
            let nodes = (to - from) / BYTES_PER_NODE;
            let mut lx = lexer(text, from);
            let mut b = match begin {
                None => Builder::with_capacity(text.clone(), nodes),
                Some(_) => Builder::in_spine(text.clone(), nodes, spine),
            };
            let stopped = run(&mut lx, &mut b, Want::Value, stop.map(|at| (depth, at))).ok()?;
            let mut part = b.into_part(depth);
            part.set_comments(lx.comments);
            Some((part, stopped))
        })
        .collect();
    let mut joined = Vec::with_capacity(parsed.len());
    for (parsed, &(_, stop)) in parsed.into_iter().zip(&bounds) {
        let (part, stopped) = parsed?;
        // Each part but the last stops exactly where the next begins; the last at the end.
        if stopped != stop {
            return None;
        }
        joined.push(part);
    }
    Tree::join_parts(joined, depth)
}

/// Parses from the lexer's place into `b`, wanting `want`, to the end of the file (None) or,
/// with `pause` = (depth, at), before the first element of the spine's array (the container
/// open at that depth) that starts at or after `at` (Some of where it starts).
fn run(
    lx: &mut Lexer<'_>,
    b: &mut Builder,
    mut want: Want,
    pause: Option<(usize, usize)>,
) -> Result<Option<usize>, SyntaxError> {
    let text = lx.text;
    loop {
        if let Some((depth, at)) = pause
            && want == Want::Value
            && b.depth() == depth
            && b.open_node() == Some(depth as u32 - 1)
        {
            lx.skip_trivia()?;
            if lx.i >= at {
                return Ok(Some(lx.i));
            }
        }
        let (tok, ts) = lx.next()?;
        let te = lx.i;
        let span = Span::new(ts, te);
        let decoded =
            |escaped: bool| escaped.then(|| unescape(&text[ts + 1..te - 1]).into_boxed_str());
        match want {
            Want::Value | Want::ValueOrClose => match tok {
                Tok::LBrace | Tok::LBracket => {
                    if b.depth() >= MAX_DEPTH {
                        return Err(error(
                            ts,
                            te,
                            format!("nesting is deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    let object = tok == Tok::LBrace;
                    b.open(ts, if object { Kind::Object } else { Kind::Array });
                    want = if object {
                        Want::KeyOrClose
                    } else {
                        Want::ValueOrClose
                    };
                }
                Tok::RBracket if want == Want::ValueOrClose => {
                    b.close(te);
                    want = after_value(b);
                }
                Tok::Str(escaped) => {
                    b.scalar(span, Kind::String, false, decoded(escaped));
                    want = after_value(b);
                }
                Tok::Num => {
                    b.scalar(span, Kind::Number, false, None);
                    want = after_value(b);
                }
                Tok::True | Tok::False => {
                    b.scalar(span, Kind::Bool, tok == Tok::True, None);
                    want = after_value(b);
                }
                Tok::Null => {
                    b.scalar(span, Kind::Null, false, None);
                    want = after_value(b);
                }
                Tok::RBracket => return Err(error(ts, te, "trailing comma before `]`")),
                Tok::Eof if b.depth() == 0 => {
                    return Err(error(
                        ts,
                        ts,
                        "expected a JSON value, found the end of the file",
                    ));
                }
                Tok::Eof => {
                    return Err(unterminated(ts));
                }
                _ => {
                    return Err(error(
                        ts,
                        te.max(ts + 1),
                        format!("expected a JSON value, found {}", tok.describe()),
                    ));
                }
            },
            Want::Key | Want::KeyOrClose => match tok {
                Tok::Str(escaped) => {
                    b.key(Span::new(ts + 1, te - 1), decoded(escaped));
                    want = Want::Colon;
                }
                Tok::RBrace if want == Want::KeyOrClose => {
                    b.close(te);
                    want = after_value(b);
                }
                Tok::RBrace => return Err(error(ts, te, "trailing comma before `}`")),
                Tok::Eof => {
                    return Err(error(ts, ts, "unexpected end of file: unterminated object"));
                }
                _ => {
                    return Err(error(
                        ts,
                        te.max(ts + 1),
                        format!("expected a quoted property name, found {}", tok.describe()),
                    ));
                }
            },
            Want::Colon => match tok {
                Tok::Colon => want = Want::Value,
                _ => {
                    return Err(error(
                        ts,
                        te.max(ts + 1),
                        format!(
                            "expected `:` after the property name, found {}",
                            tok.describe()
                        ),
                    ));
                }
            },
            Want::CommaOrClose => {
                let in_object = b.open_kind() == Some(Kind::Object);
                match tok {
                    Tok::Comma => want = if in_object { Want::Key } else { Want::Value },
                    Tok::RBrace if in_object => {
                        b.close(te);
                        want = after_value(b);
                    }
                    Tok::RBracket if !in_object => {
                        b.close(te);
                        want = after_value(b);
                    }
                    Tok::Eof => {
                        return Err(unterminated(ts));
                    }
                    _ => {
                        let close = if in_object { "`}`" } else { "`]`" };
                        return Err(error(
                            ts,
                            te.max(ts + 1),
                            format!("expected `,` or {close}, found {}", tok.describe()),
                        ));
                    }
                }
            }
            Want::End => match tok {
                Tok::Eof => return Ok(None),
                _ => {
                    return Err(error(
                        ts,
                        te.max(ts + 1),
                        format!("expected the end of the file, found {}", tok.describe()),
                    ));
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::NodeId;

    fn parse_str(s: &str) -> Result<Tree, SyntaxError> {
        parse(&Arc::new(s.to_string()), 0)
    }

    #[test]
    fn values_keys_and_pointers() {
        let t = parse_str(
            r#"{"a": [1, "x\"y", true, null, {"b~/c": -2.5e3}], "u": "\u00e4\ud83d\ude00"}"#,
        )
        .unwrap();
        let root = t.root().unwrap();
        let a = t.get(root, "A").unwrap();
        let items: Vec<_> = t.children(a).collect();
        assert_eq!(t.str(items[1]), Some("x\"y"));
        assert_eq!(t.bool(items[2]), Some(true));
        assert!(t.is_null(items[3]));
        let inner = t.get(items[4], "b~/c").unwrap();
        assert_eq!(t.number(inner), Some("-2.5e3"));
        assert_eq!(t.pointer(inner), "/a/4/b~0~1c");
        assert_eq!(t.str(t.get(root, "u").unwrap()), Some("\u{e4}\u{1F600}"));
    }

    #[test]
    fn places_too_large_to_pack_are_kept_apart() {
        // A key longer than 4095 bytes, a comment of 5,000 bytes between key and value, and
        // ordinary members around them: keys, key spans and pointers as written.
        let long = "k".repeat(5000);
        let text = format!(
            r#"{{"a": 1, "{long}": {{"b": 2}}, "c" /*{}*/ : [3, 4], "d": 5}}"#,
            " ".repeat(5000)
        );
        let t = parse_str(&text).unwrap();
        let root = t.root().unwrap();
        let k = t.get(root, &long).unwrap();
        assert_eq!(t.key(k), Some(long.as_str()));
        assert_eq!(&text[t.key_span(k).range()], format!("\"{long}\""));
        assert_eq!(t.pointer(t.get(k, "b").unwrap()), format!("/{long}/b"));
        let c = t.get(root, "C").unwrap();
        assert_eq!(&text[t.key_span(c).range()], "\"c\"");
        let four = t.children(c).nth(1).unwrap();
        assert_eq!(t.pointer(four), "/c/1");
        assert_eq!(t.number(four), Some("4"));
        let d = t.get(root, "d").unwrap();
        assert_eq!((t.key(d), t.pointer(d).as_str()), (Some("d"), "/d"));
        assert_eq!(t.members(root).count(), 4);
    }

    #[test]
    fn a_member_with_escapes_in_both_key_and_value() {
        let t = parse_str(r#"{"z": 1, "a\u0062": "x\u0079", "c\u0064": 2}"#).unwrap();
        let root = t.root().unwrap();
        let v = t.get(root, "ab").unwrap();
        assert_eq!(t.key(v), Some("ab"));
        assert_eq!(t.str(v), Some("xy"));
        assert!(t.get(root, "cd").is_some());
    }

    #[test]
    fn comments_and_raw_newlines_are_accepted() {
        let t = parse_str("// c\n{\"e\": \"[if(\n  true)]\" /* b */}").unwrap();
        assert_eq!(t.comments.len(), 2);
        assert!(
            t.str(t.get(t.root().unwrap(), "e").unwrap())
                .unwrap()
                .contains('\n')
        );
    }

    #[test]
    fn errors_have_spans() {
        for (text, at, needle) in [
            ("", 0, "end of the file"),
            ("{\"a\": [1,]}", 9, "trailing comma"),
            ("{\"a\": 1,}", 8, "trailing comma"),
            ("{'a': 1}", 1, "single quotes"),
            ("{a: 1}", 1, "quoted"),
            ("[01]", 1, "leading zeros"),
            ("[1] 2", 4, "end of the file"),
            ("{\"a\": [1, 2", 11, "unterminated"),
            ("\"abc", 0, "unterminated string"),
            ("[0x10]", 1, "invalid number"),
            ("[\"\\x\"]", 2, "invalid escape"),
            // A bad escape of a multi-byte character spans all of it (found by tests/fuzz.rs).
            ("[\"\\\u{a1}\"]", 2, "invalid escape"),
            ("[\"\\u12\u{e4}\"]", 2, "four hex digits"),
        ] {
            let e = parse_str(text).unwrap_err();
            assert_eq!(e.span.start as usize, at, "{text}: {e:?}");
            assert!(text.get(e.span.range()).is_some(), "{text}: {e:?}");
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }

    #[test]
    fn strings_end_at_the_first_quote_escape_or_control_character_at_any_offset() {
        // The scanner reads eight bytes a step: every offset of the stop within a word, after
        // ASCII and multi-byte text; spaces are skipped the same way.
        for k in 0..20 {
            for pad in ["a", "\u{e9}", " "] {
                let head = pad.repeat(k);
                let t = parse_str(&format!(r#"["{head}\"x", "{head}"]"#)).unwrap();
                let items: Vec<_> = t.children(t.root().unwrap()).collect();
                assert_eq!(t.str(items[0]), Some(format!("{head}\"x").as_str()));
                assert_eq!(t.str(items[1]), Some(head.as_str()));
                let e = parse_str(&format!("[\"{head}\u{1}\"]")).unwrap_err();
                assert_eq!(e.span.start as usize, 2 + head.len(), "{k} {pad:?}");
                assert!(e.message.contains("control character"));
            }
            let spaces = " ".repeat(k);
            let t = parse_str(&format!("[{spaces}1,{spaces}2{spaces}]")).unwrap();
            let items: Vec<_> = t.children(t.root().unwrap()).collect();
            assert_eq!(t.number(items[1]), Some("2"));
            assert_eq!(t.span(items[1]).start as usize, 3 + 2 * k);
        }
    }

    #[test]
    fn keys_alike_but_different_are_no_duplicates() {
        // Same length, first, middle and last bytes: the quick screen can't tell them apart,
        // the exact comparison does; and a real duplicate among them is still found.
        let t = parse_str(r#"{"axxxb": 1, "ayxzb": 2, "aXxyb": 3, "AXXXB": 4, "q": 5}"#).unwrap();
        let root = t.root().unwrap();
        let keys: Vec<_> = t.members(root).map(|(k, _)| k).collect();
        assert_eq!(keys, ["axxxb", "ayxzb", "aXxyb", "q"]);
        assert_eq!(t.duplicates().len(), 1);
        let none = parse_str(r#"{"axxxb": 1, "ayxzb": 2, "aXxyb": 3}"#).unwrap();
        assert!(none.duplicates().is_empty());
    }

    #[test]
    fn a_key_given_twice_counts_once_and_is_listed() {
        // Small objects, case-insensitively, through escapes, three times (all point at the
        // first), and `copy` loops side by side (all count).
        let t = parse_str(
            r#"{"a": 1, "b": {"x": 1, "X": 2}, "A": 3, "\u0061": 4, "copy": [1], "Copy": [2]}"#,
        )
        .unwrap();
        let root = t.root().unwrap();
        let keys: Vec<_> = t.members(root).map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "copy", "Copy"]);
        assert_eq!(t.number(t.get(root, "A").unwrap()), Some("1"));
        let dups: Vec<_> = t
            .duplicates()
            .iter()
            .map(|&(a, b)| (t.key(a).unwrap(), t.key(b).unwrap(), t.pointer(b)))
            .collect();
        assert_eq!(
            dups,
            [
                ("x", "X", "/b/X".to_string()),
                ("a", "A", "/A".into()),
                ("a", "a", "/a".into())
            ]
        );
        // Objects through the filter (up to 64 members, many filter hits among `k0`..`k59`)
        // and sorted (more): the same answers.
        for n in [60, 100] {
            let mut members: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
            members.insert(30, "\"K7\": -1".into());
            members.push(format!("\"k{}\": -2", n - 1));
            members.push("\"k7\": -3".into());
            let t = parse_str(&format!("{{{}}}", members.join(", "))).unwrap();
            let root = t.root().unwrap();
            assert_eq!(t.members(root).count(), n);
            let dups: Vec<_> = t
                .duplicates()
                .iter()
                .map(|&(a, b)| (t.number(a).unwrap(), t.number(b).unwrap()))
                .collect();
            let last = (n - 1).to_string();
            assert_eq!(
                dups,
                [("7", "-1"), (last.as_str(), "-2"), ("7", "-3")],
                "{n}"
            );
        }
        // Values compared as JSON, whatever the layout.
        let t = parse_str(
            r#"{"a": {"x": [1, "\u0041"]}, "a": { "x" : [ 1 , "A" ] }, "a": {"x": [1]}}"#,
        )
        .unwrap();
        let same: Vec<_> = t
            .duplicates()
            .iter()
            .map(|&(a, b)| t.same_value(a, b))
            .collect();
        assert_eq!(same, [true, false]);
        // Arrays have no keys to repeat.
        assert!(parse_str("[1, 1, {}]").unwrap().duplicates().is_empty());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let e = parse_str(&"[".repeat(100_000)).unwrap_err();
        assert!(e.message.contains("deeper than"));
        assert!(
            parse_str(&format!(
                "{}{}",
                "[".repeat(MAX_DEPTH),
                "]".repeat(MAX_DEPTH)
            ))
            .is_ok()
        );
    }

    /// An export-like list of `n` items, pretty-printed as the az CLI prints it, with what
    /// makes a tree hard to join: escapes in keys and values, keys given twice, a key too long
    /// to pack, comments between elements, nested arrays.
    fn list(n: usize, newline: &str) -> String {
        let mut s = format!("[{newline}");
        for i in 0..n {
            let extra = match i % 5 {
                0 => format!(r#",{newline}    "k\u0065y": "v\"{i}""#),
                1 => format!(r#",{newline}    "Name": "again""#),
                2 => format!(r#",{newline}    "{}": 1"#, "x".repeat(5000)),
                3 => format!(r#",{newline}    "tags": [1, [2, {{"a": 3}}], "s"]"#),
                _ => String::new(),
            };
            s += &format!(
                r#"  {{{newline}    "name": "vnet-{i}",{newline}    "id": "/subscriptions/s/x/{i}"{extra}{newline}  }}"#
            );
            if i + 1 < n {
                s += ",";
                if i % 7 == 0 {
                    s += " // a comment";
                }
                s += newline;
            }
        }
        s + newline + "]" + newline
    }

    /// Parses `text` in `parts` parts on a pool of three threads.
    fn in_parts(text: &str, parts: usize) -> Option<Tree> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let text = Arc::new(text.to_string());
        pool.install(|| parse_in_parts(&text, 0, parts))
    }

    fn whole(text: &str) -> Tree {
        parse_tree(&Arc::new(text.to_string()), 0).unwrap()
    }

    #[test]
    fn a_file_parsed_in_parts_is_the_file_parsed_whole() {
        for newline in ["\n", "\r\n"] {
            let text = list(200, newline);
            let rest = format!(
                r#"{{"value": {}, "nextLink": "n", "Value": 1}}"#,
                list(90, newline).trim_end()
            );
            for (text, parts) in [(&text, 2), (&text, 7), (&rest, 4)] {
                let joined = in_parts(text, parts).expect("parsed in parts");
                // Every node, decoded text, place, comment and duplicate as one parse has them.
                assert_eq!(format!("{joined:?}"), format!("{:?}", whole(text)));
                let root = joined.root().unwrap();
                assert!(joined.pointer(joined.children(root).last().unwrap()).len() > 1);
            }
        }
    }

    #[test]
    fn a_guess_that_is_not_an_element_start_parses_in_one_go() {
        // A multi-line string with what looks like an element start in it: the part before it
        // doesn't stop there.
        let text = format!(
            "[\n  {{\"s\": \"{}\"}},\n  {{\"a\": 1}}\n]",
            "a\n  {\n".repeat(1000)
        );
        assert!(parse_tree(&Arc::new(text.clone()), 0).is_ok());
        let guesses = part_starts(text.as_bytes(), 4, 2);
        assert!(guesses[0] < text.len() / 2 + 10, "{guesses:?}");
        assert!(in_parts(&text, 2).is_none());
        // An element start inside an element (a nested list laid out as the main one): the
        // part from there parses, but the part before it goes on past it.
        let text = "[\n  {\"a\": 1},\n  {\"x\": [\n  {\"c\": 2},\n  {\"d\": 3}]},\n  {\"e\": 4},\n  {\"f\": 5}\n]";
        let at = |s: &str| text.find(s).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let text = Arc::new(text.to_string());
        let from = |starts: &[usize]| pool.install(|| parse_from(&text, 0, starts));
        assert!(from(&[at("{\"c"), at("{\"e")]).is_none());
        assert!(from(&[at("{\"x"), at("{\"e")]).is_some());
        // A start in a later array of the root object: the part from there parses to the end
        // of the file, but the one before it doesn't stop there (not the spine's array).
        let text = "{\"value\": [\n  {\"a\": 1},\n  {\"b\": 2}\n], \"more\": [\n  {\"c\": 3}\n]}";
        let text = Arc::new(text.to_string());
        let at = |s: &str| text.find(s).unwrap();
        let from = |starts: &[usize]| pool.install(|| parse_from(&text, 0, starts));
        assert!(from(&[at("{\"c")]).is_none());
        assert!(from(&[at("{\"b")]).is_some());
        // Neither does a syntax error, whichever part has it: one parse reports it.
        let broken = list(40, "\n").replacen("\"vnet-30\",", "\"vnet-30\"", 1);
        assert!(in_parts(&broken, 3).is_none());
        // Nor a minified file (no line to start a part at), nor a lone object.
        assert!(in_parts(&list(40, ""), 3).is_none());
        assert!(in_parts(r#"{"a": 1}"#, 3).is_none());
    }

    /// One element of the main array of [`recipe_text`], at indentation `ind`: what makes a
    /// guessed part start wrong (an element start inside a string, a comment or an element)
    /// or a tree hard to join (escapes, keys given twice, long keys, nesting near the limit).
    fn element(kind: u8, i: usize, ind: &str, nl: &str, depth: usize) -> String {
        match kind % 16 {
            0 => format!(r#"{{{nl}{ind}  "name": "vnet-{i}",{nl}{ind}  "id": "/x/{i}"{nl}{ind}}}"#),
            1 => format!(r#"{{"k\u0065y": "v\"{i}", "\u00e9": "é"}}"#),
            2 => format!(r#"{{"a": {i}, "b": [], "A": {{"x": 1, "X": 2}}}}"#),
            3 => format!(r#"{{"{}": {i}, "z": 1}}"#, "x".repeat(4100)),
            4 => format!(r#"{{"s": "a{nl}{ind}{{ \"t\": 1}},{nl}{ind}{{"}}"#),
            5 => format!(r#"{{"x": [{nl}{ind}{{"c": {i}}},{nl}{ind}{{"d": 3}}]}}"#),
            6 => i.to_string(),
            7 => format!(r#""{nl}{ind}{{""#),
            8 => format!(r#"[{nl}{ind}{{"a": 1}},{nl}{ind}{{"b": 2}}]"#),
            9 => "[]".into(),
            10 => "{}".into(),
            11 => {
                // Arrays nested to one less than, exactly, or one more than the limit.
                let k = (MAX_DEPTH - depth - 1 + i % 3).saturating_sub(1);
                format!(r#"{{"d": {}{}}}"#, "[".repeat(k), "]".repeat(k))
            }
            12 => format!(r#"{{ /*{nl}{ind}{{ */ "a": 1 // {{{nl}{ind}}}"#),
            13 => {
                let mut members: Vec<String> = (0..70).map(|j| format!(r#""k{j}": {j}"#)).collect();
                members.push(r#""K3": 3"#.into());
                format!("{{{}}}", members.join(", "))
            }
            14 => format!(
                r#"{{"{}": 1, "{}": 2}}"#,
                "y".repeat(4100),
                "Y".repeat(4100)
            ),
            _ => r#"{"n": null, "t": true, "f": false, "e": -1.5e3, "u": "\ud83d\ude00"}"#
                .to_string(),
        }
    }

    /// A text from a recipe: a byte-order mark, a comment before the root, line ends, the root
    /// (an array, a REST list, a REST list whose first key has an escape, a list as the second
    /// member), indentation, the elements and what separates them, the root object's other
    /// members, and a mutation (often a syntax error). Returns the text and where it starts.
    fn recipe_text(r: &Recipe) -> (String, usize) {
        let nl = if r.crlf { "\r\n" } else { "\n" };
        let ind = ["  ", "", "\t", "    "][r.indent as usize % 4];
        let mut s = String::new();
        if r.bom {
            s.push('\u{feff}');
        }
        let start = s.len();
        if r.lead_comment {
            s += &format!("// head{nl}/* [{nl}{ind}{{ */");
        }
        // Mostly the two spines `parse_in_parts` takes.
        let root = [0, 0, 0, 1, 1, 1, 2, 3][r.root as usize % 8];
        let depth = if root == 0 { 1 } else { 2 };
        s += match root {
            0 => "[",
            1 => r#"{"value": ["#,
            2 => r#"{"v\u0061lue": ["#,
            _ => r#"{"count": 1, "value": ["#,
        };
        for (i, &(mut kind, sep)) in r.elements.iter().enumerate() {
            if i == 0 && sep % 4 != 0 {
                kind = 0; // `spine` wants an object first
            }
            if i == 0 {
                s += nl;
                s += ind;
            } else {
                s += match sep % 6 {
                    0 | 1 => format!(",{nl}{ind}"),
                    2 => format!(", // c{nl}{ind}"),
                    3 => format!("{nl}{ind},{nl}{ind}"),
                    4 => format!(", /*{nl}{ind}{{ */{nl}{ind}"),
                    _ => ", ".to_string(),
                }
                .as_str();
            }
            s += &element(kind, i, ind, nl, depth);
        }
        s += nl;
        s += "]";
        if root != 0 {
            for (i, &t) in r.trailer.iter().enumerate() {
                s += &match t % 5 {
                    0 => r#", "nextLink": "n""#.to_string(),
                    1 => format!(r#", "more{i}": [{nl}{ind}{{"c": 3}},{nl}{ind}{{"d": 4}}{nl}]"#),
                    2 => r#", "Value": 1"#.to_string(),
                    3 => format!(r#", "e": [{nl}]"#),
                    _ => format!(", // c{nl}\"x\": {{}}"),
                };
            }
            s += "}";
        }
        s += nl;
        if let Some((at, op, c)) = r.mutation {
            // After the byte-order mark: `start` stays where the content begins.
            let mut at = start + at % (s.len() + 1 - start);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            let c = [',', ']', '}', '[', '{', '"', '/', ':', '\n', 'x', '\\', ' '][c as usize % 12];
            match op % 3 {
                0 if at < s.len() => {
                    s.remove(at);
                }
                1 if at < s.len() => {
                    s.remove(at);
                    s.insert(at, c);
                }
                _ => s.insert(at, c),
            }
        }
        (s, start)
    }

    #[derive(Debug, Clone)]
    struct Recipe {
        bom: bool,
        lead_comment: bool,
        crlf: bool,
        root: u8,
        indent: u8,
        elements: Vec<(u8, u8)>,
        trailer: Vec<u8>,
        mutation: Option<(usize, u8, u8)>,
    }

    fn recipe() -> impl proptest::strategy::Strategy<Value = Recipe> {
        use proptest::prelude::*;
        (
            (any::<bool>(), any::<bool>(), any::<bool>()),
            (any::<u8>(), any::<u8>()),
            proptest::collection::vec((any::<u8>(), any::<u8>()), 0..12),
            proptest::collection::vec(any::<u8>(), 0..4),
            proptest::option::weighted(0.15, (any::<usize>(), any::<u8>(), any::<u8>())),
        )
            .prop_map(
                |((bom, lead_comment, crlf), (root, indent), elements, trailer, mutation)| {
                    // Elements nested near the limit are rarer: they make long texts.
                    let elements = elements
                        .into_iter()
                        .map(|(k, s)| {
                            if k % 16 == 11 && s % 4 != 0 {
                                (0, s)
                            } else {
                                (k, s)
                            }
                        })
                        .collect();
                    Recipe {
                        bom,
                        lead_comment,
                        crlf,
                        root,
                        indent,
                        elements,
                        trailer,
                        mutation,
                    }
                },
            )
    }

    /// Starts for the parts after the first, from (how, which) pairs: an element of the main
    /// array (`elements`, where a single parse found them), an element-like line (`\n`,
    /// indentation, `{`), any `{`, or any character boundary, in increasing order (equal ones
    /// kept when `twice`), none before `start` (where the content begins).
    fn starts_in(
        text: &str,
        start: usize,
        elements: &[usize],
        picks: &[(u8, usize)],
        twice: bool,
    ) -> Vec<usize> {
        let b = text.as_bytes();
        let lines: Vec<usize> = (1..b.len())
            .filter(|&i| {
                b[i] == b'{'
                    && b[..i]
                        .iter()
                        .rposition(|&c| c == b'\n')
                        .is_some_and(|l| b[l + 1..i].iter().all(|&c| c == b' ' || c == b'\t'))
            })
            .collect();
        let braces: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b'{').collect();
        let bounds: Vec<usize> = (start..=b.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let mut starts: Vec<usize> = picks
            .iter()
            .filter_map(|&(how, which)| {
                let from = match how % 8 {
                    0..4 if !elements.is_empty() => elements,
                    0..6 => &lines,
                    6 => &braces,
                    _ => &bounds,
                };
                (!from.is_empty()).then(|| from[which % from.len()])
            })
            .collect();
        starts.sort_unstable();
        if !twice {
            starts.dedup();
        }
        starts
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        /// The claim of `parse_from`: whatever the starts of the parts (element starts or not),
        /// the tree is the one a single parse builds, or there is none (then the caller parses
        /// in one go). `PROPTEST_CASES=20000` for a longer hunt.
        #[test]
        fn parts_from_any_starts_join_into_the_one_parse_tree_or_none(
            r in recipe(),
            picks in proptest::collection::vec((proptest::prelude::any::<u8>(), proptest::prelude::any::<usize>()), 0..6),
            twice in proptest::prelude::any::<bool>(),
            parts in 2usize..7,
        ) {
            let (text, start) = recipe_text(&r);
            let text = Arc::new(text);
            let whole = parse_tree(&text, start).map(|t| format!("{t:?}"));
            let check = |joined: Option<Tree>, how: &str| -> Result<(), proptest::test_runner::TestCaseError> {
                if let Some(joined) = joined {
                    let Ok(whole) = &whole else {
                        return Err(proptest::test_runner::TestCaseError::fail(format!("{how}: a tree where one parse fails: {text:?}")));
                    };
                    proptest::prop_assert_eq!(&format!("{joined:?}"), whole, "{}: {:?}", how, text);
                }
                Ok(())
            };
            check(parse_in_parts(&text, start, parts), "parse_in_parts")?;
            if let Some((spine, _)) = spine(&text, start) {
                // Where the elements of the main array start, as one parse found them.
                let tree = parse_tree(&text, start).ok();
                let elements: Vec<usize> = tree
                    .iter()
                    .flat_map(|t| {
                        t.children(NodeId(spine.len() as u32 - 1))
                            .map(|c| t.span(c).start as usize)
                    })
                    .collect();
                let starts = starts_in(&text, start, &elements, &picks, twice);
                // (An empty list is one part, as `parse_in_parts` never asks.)
                if !starts.is_empty() {
                    check(parse_from(&text, start, &starts), &format!("parse_from {starts:?}"))?;
                }
            }
        }
    }
}
