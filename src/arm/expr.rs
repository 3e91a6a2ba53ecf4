//! ARM template expressions: recognising them in JSON strings, lexing and parsing.
//!
//! Grammar (input-formats.md §2.1): `[` value `]`, where a value is a string (`'...'`, `''`
//! escapes a quote), an integer, or a function call `name(args)` / `ns.name(args)`, followed by
//! any number of `.property` and `[index]` accessors. Offsets are bytes from the start of the
//! expression text (after the opening `[`), so diagnostics can point inside the string.

use std::borrow::Cow;

use super::func::Func;

/// What a JSON string is, seen as an ARM template value.
#[derive(Debug, PartialEq, Eq)]
pub enum Text<'a> {
    /// A plain string (an `[[` escape already removed).
    Literal(std::borrow::Cow<'a, str>),
    /// An expression; the text between the outer brackets and its offset in the string.
    Expr(&'a str, usize),
}

/// Classifies a string. `levels` is how many leading `[` make an expression at this level
/// (1 normally; a template nested with outer scope also evaluates `[[` once more).
pub fn classify(s: &str) -> Text<'_> {
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        if s.starts_with("[[") {
            return Text::Literal(std::borrow::Cow::Owned(s[1..].to_string()));
        }
        return Text::Expr(&s[1..s.len() - 1], 1);
    }
    Text::Literal(std::borrow::Cow::Borrowed(s))
}

/// A parsed expression, borrowing its names (and strings without `''`) from the text.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr<'a> {
    Str(Cow<'a, str>, Range),
    Int(i64, Range),
    Call {
        name: &'a str,
        /// The function, looked up by name (case-insensitively) once, as the expression is
        /// parsed.
        func: Func,
        args: Vec<Expr<'a>>,
        /// The function name.
        at: Range,
        /// The whole call.
        range: Range,
    },
    /// `value.name`
    Member(Box<Expr<'a>>, &'a str, Range),
    /// `value[index]`
    Index(Box<Expr<'a>>, Box<Expr<'a>>, Range),
}

/// A byte range in the expression text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

impl Expr<'_> {
    pub fn range(&self) -> Range {
        match self {
            Expr::Str(_, r) | Expr::Int(_, r) | Expr::Member(_, _, r) | Expr::Index(_, _, r) => *r,
            Expr::Call { range, .. } => *range,
        }
    }
}

/// A syntax error in an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub at: Range,
    pub message: String,
}

/// Longest expression ARM accepts.
pub const MAX_LEN: usize = 24_576;
/// Deepest nesting of calls and accessors accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 128;

/// Parses the text of an expression (without the outer brackets).
pub fn parse(text: &str) -> Result<Expr<'_>, ExprError> {
    if text.len() > MAX_LEN {
        return Err(ExprError {
            at: Range {
                start: 0,
                end: text.len() as u32,
            },
            message: format!("expression is longer than ARM's limit of {MAX_LEN} characters"),
        });
    }
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    p.ws();
    let e = p.value()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.error(
            p.pos,
            p.pos + 1,
            format!("unexpected `{}` after the expression", p.ch_text()),
        ));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

/// The bytes of a name: letters, digits, `_` and `$`.
static NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
        b += 1;
    }
    t
};

impl<'a> Parser<'a> {
    fn error(&self, start: usize, end: usize, message: String) -> ExprError {
        // On character boundaries: `pos + 1` may fall inside a multi-byte character.
        let mut start = start.min(self.s.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end.min(self.s.len()).max(start);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        ExprError {
            at: Range {
                start: start as u32,
                end: end as u32,
            },
            message,
        }
    }
    fn ch_text(&self) -> &str {
        let rest = &self.text[self.pos..];
        let end = rest
            .char_indices()
            .nth(1)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        &rest[..end]
    }
    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn range(start: usize, end: usize) -> Range {
        Range {
            start: start as u32,
            end: end as u32,
        }
    }
    fn value(&mut self) -> Result<Expr<'a>, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                self.pos,
                self.pos + 1,
                "expression nested too deeply".into(),
            ));
        }
        self.ws();
        let start = self.pos;
        let mut e = self.primary()?;
        loop {
            self.ws();
            match self.s.get(self.pos) {
                Some(b'.') => {
                    self.pos += 1;
                    self.ws();
                    let (name, _) = self.ident()?;
                    e = Expr::Member(Box::new(e), name, Self::range(start, self.pos));
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.ws();
                    let index = self.value()?;
                    if !self.eat(b']') {
                        return Err(self.expected("`]` to close the index"));
                    }
                    e = Expr::Index(Box::new(e), Box::new(index), Self::range(start, self.pos));
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(e)
    }
    fn expected(&self, what: &str) -> ExprError {
        if self.pos >= self.s.len() {
            self.error(
                self.pos,
                self.pos,
                format!("expected {what}, found the end of the expression"),
            )
        } else {
            self.error(
                self.pos,
                self.pos + 1,
                format!("expected {what}, found `{}`", self.ch_text()),
            )
        }
    }
    fn ident(&mut self) -> Result<(&'a str, Range), ExprError> {
        let start = self.pos;
        self.pos += self.s[start..]
            .iter()
            .position(|&c| !NAME_BYTE[usize::from(c)])
            .unwrap_or(self.s.len() - start);
        if start == self.pos || self.s[start].is_ascii_digit() {
            self.pos = start;
            return Err(self.expected("a name"));
        }
        Ok((&self.text[start..self.pos], Self::range(start, self.pos)))
    }
    fn primary(&mut self) -> Result<Expr<'a>, ExprError> {
        self.ws();
        let start = self.pos;
        match self.s.get(self.pos) {
            Some(b'\'') => {
                self.pos += 1;
                // Borrowed from the text unless it holds a `''` escape.
                let mut out: Cow<'a, str> = Cow::Borrowed("");
                loop {
                    let Some(rel) = memchr::memchr(b'\'', &self.s[self.pos..]) else {
                        return Err(self.error(
                            start,
                            self.s.len(),
                            "string is not closed: `'` missing".into(),
                        ));
                    };
                    let part = &self.text[self.pos..self.pos + rel];
                    self.pos += rel + 1;
                    let escaped = self.s.get(self.pos) == Some(&b'\'');
                    if escaped {
                        self.pos += 1;
                    }
                    match (&mut out, escaped) {
                        (Cow::Borrowed(""), false) => out = Cow::Borrowed(part),
                        _ => {
                            let o = out.to_mut();
                            o.push_str(part);
                            if escaped {
                                o.push('\'');
                            }
                        }
                    }
                    if !escaped {
                        break;
                    }
                }
                Ok(Expr::Str(out, Self::range(start, self.pos)))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                self.pos += 1;
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
                let t = &self.text[start..self.pos];
                t.parse::<i64>()
                    .map(|n| Expr::Int(n, Self::range(start, self.pos)))
                    .map_err(|_| self.error(start, self.pos, format!("`{t}` is not an integer")))
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let (mut name, at) = self.ident()?;
                let mut at = at;
                // `ns.fn(...)`: a user-defined function.
                if self.s.get(self.pos) == Some(&b'.') {
                    let save = self.pos;
                    self.pos += 1;
                    if let Ok((_, r)) = self.ident() {
                        self.ws();
                        if self.s.get(self.pos) == Some(&b'(') {
                            // `ns`, `.` and the member are adjacent in the text.
                            at.end = r.end;
                            name = &self.text[at.start as usize..at.end as usize];
                        } else {
                            self.pos = save;
                        }
                    } else {
                        self.pos = save;
                    }
                }
                if !self.eat(b'(') {
                    return Err(self.error(at.start as usize, at.end as usize, format!("`{name}` is not a function call: `(` expected after it (strings are written in single quotes)")));
                }
                let mut args = Vec::new();
                self.ws();
                if !self.eat(b')') {
                    loop {
                        args.push(self.value()?);
                        if self.eat(b',') {
                            continue;
                        }
                        if self.eat(b')') {
                            break;
                        }
                        return Err(self.expected("`,` or `)`"));
                    }
                }
                Ok(Expr::Call {
                    func: super::func::find(name),
                    name,
                    args,
                    at,
                    range: Self::range(start, self.pos),
                })
            }
            _ => Err(self.expected("a function call, a string in single quotes or a number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(e: &'a Expr<'a>) -> (&'a str, usize) {
        match e {
            Expr::Call { name, args, .. } => (name, args.len()),
            _ => panic!("not a call: {e:?}"),
        }
    }

    #[test]
    fn classifies_strings() {
        assert_eq!(
            classify("[parameters('a')]"),
            Text::Expr("parameters('a')", 1)
        );
        assert_eq!(classify("[[literal]"), Text::Literal("[literal]".into()));
        assert_eq!(
            classify("[test] value"),
            Text::Literal("[test] value".into())
        );
        assert_eq!(classify("plain"), Text::Literal("plain".into()));
        assert_eq!(classify("[]"), Text::Expr("", 1));
    }

    #[test]
    fn parses_calls_members_and_indexes() {
        let e = parse("concat(parameters('vNets')[copyIndex(1)].name, '-', 'x')").unwrap();
        assert_eq!(call(&e), ("concat", 3));
        let Expr::Call { args, .. } = &e else {
            unreachable!()
        };
        assert!(
            matches!(&args[0], Expr::Member(inner, name, _) if *name == "name" && matches!(**inner, Expr::Index(..)))
        );
    }

    #[test]
    fn quote_escape() {
        assert_eq!(
            parse("'it''s'").unwrap(),
            Expr::Str("it's".into(), Range { start: 0, end: 7 })
        );
    }

    #[test]
    fn user_defined_namespace() {
        assert_eq!(call(&parse("ns.fn(1)").unwrap()), ("ns.fn", 1));
    }

    #[test]
    fn multi_line_and_spaces() {
        let e = parse(" if(\n  equals(1, 1),\n  'a',\n  'b') ").unwrap();
        assert_eq!(call(&e), ("if", 3));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("concat('a', 'b'").unwrap_err();
        assert!(e.message.contains("`,` or `)`"), "{}", e.message);
        assert_eq!(e.at.start, 15);
        let e = parse("concat('a)").unwrap_err();
        assert!(e.message.contains("not closed"));
        let e = parse("parameters").unwrap_err();
        assert!(e.message.contains("not a function call"));
        let e = parse("a() b").unwrap_err();
        assert!(e.message.contains("unexpected `b`"));
        let e = parse("").unwrap_err();
        assert!(e.message.contains("end of the expression"));
        let deep = "f(".repeat(500) + &")".repeat(500);
        assert!(parse(&deep).unwrap_err().message.contains("too deeply"));
    }
}
