//! YAML into the same [`Tree`] as JSON, from the events of saphyr's parser (`saphyr-parser`).
//!
//! The events are read one at a time and fed to the [`Builder`], so mappings keep their
//! members in order with duplicate keys included, nesting is bounded as it is read (no
//! recursion here, and none in saphyr's state-machine parser), and no intermediate YAML value
//! is built. Choices:
//!
//! * Spans are byte ranges in the file. saphyr's markers count characters, so a char→byte table
//!   (only for files that are not pure ASCII) converts them. A block mapping or sequence spans
//!   from its first key or `-` to the end of its last value, a flow collection includes its
//!   brackets, a block scalar runs from its `|`/`>` header to the end of its last line, anchors
//!   and tags are left outside the node they mark.
//! * Scalars are typed by the YAML 1.2 core schema: `null`, `~` or nothing is null;
//!   `true`/`false` (also `True`, `TRUE`…) a boolean; decimal, `0x`, `0o`, float, `.inf` and
//!   `.nan` forms a number (read back raw by [`Tree::number`]); everything else, and every
//!   quoted or block scalar, a string. A `!!str` or any non-core tag makes a plain scalar a
//!   string; other tags are ignored.
//! * Keys are scalars (a non-string key is used as written); a mapping or sequence as a key is
//!   a syntax error. `<<` is an ordinary key (merge keys are YAML 1.1, not 1.2).
//! * Anchors and aliases are expanded: an alias repeats the anchored nodes, with the anchored
//!   nodes' spans. Expansion stops with a syntax error beyond [`MAX_ALIAS_NODES`] copied nodes
//!   (alias bombs) or [`MAX_DEPTH`] levels, and an alias inside the node it refers to is an error.
//! * One document per file: a second document (`---` after content) is a syntax error. An empty
//!   file, or one of comments only, is a single null.
//! * Comments are collected into [`Tree::comments`] for inline suppressions.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::source::Span;
use crate::tree::{Builder, Kind, MAX_DEPTH, SyntaxError, Tree};

/// Most nodes that alias expansion may add to one file.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

fn error(start: usize, end: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        span: Span::new(start, end),
        message: message.into(),
    }
}

/// Converts saphyr's character indices (into the text after `base`) to byte offsets in the file.
struct Offsets {
    base: usize,
    len: usize,
    /// Byte offset of each character, plus the end; None when the text is ASCII.
    table: Option<Vec<u32>>,
}

impl Offsets {
    fn new(body: &str, base: usize) -> Offsets {
        let table = (!body.is_ascii()).then(|| {
            body.char_indices()
                .map(|(i, _)| i as u32)
                .chain([body.len() as u32])
                .collect()
        });
        Offsets {
            base,
            len: body.len(),
            table,
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        self.base
            + match &self.table {
                None => char_index.min(self.len),
                Some(t) => t[char_index.min(t.len() - 1)] as usize,
            }
    }
}

/// One step of building the tree, kept while an anchor is open so that aliases can replay it.
#[derive(Clone, Debug)]
enum Op {
    Key(Span, Box<str>),
    Scalar(Span, Kind, bool, Option<Box<str>>),
    Open(usize, Kind),
    Close(usize),
}

#[derive(Debug)]
enum Anchor {
    /// An anchored scalar: its span, kind, truth and text (the text also serves as a key).
    Scalar(Span, Kind, bool, Box<str>),
    /// An anchored collection: its ops in the log.
    Collection(Range<usize>),
}

struct Frame {
    object: bool,
    flow: bool,
    /// For mappings: whether the next node is a key.
    want_key: bool,
    start: usize,
    /// The anchor id of this collection (0: none) and where its ops start in the log.
    anchor: usize,
    log_start: usize,
}

struct Loader<'a> {
    text: &'a str,
    at: Offsets,
    b: Builder,
    nodes: usize,
    frames: Vec<Frame>,
    /// Anchors by saphyr's anchor id (ids count up from 1); None while the node is open.
    anchors: Vec<Option<Anchor>>,
    log: Vec<Op>,
    /// How many anchored collections are open (ops are logged while this is not zero).
    recording: usize,
    /// Nodes added by alias expansion so far.
    expanded: usize,
    /// End of the last node finished (where an open block collection ends so far).
    last_end: usize,
    /// End of the previous event's span (block scalar headers are searched from there).
    prev_end: usize,
    /// Spans of the tokens seen, in bytes; comments are searched between them.
    seen: Vec<(usize, usize)>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where a node's content starts after its anchor and tag (`&a !t value`).
fn skip_properties(text: &str, mut i: usize, end: usize) -> usize {
    let b = text.as_bytes();
    while i < end {
        match b[i] {
            c if is_space(c) => i += 1,
            b'#' => {
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'&' | b'!' => {
                while i < end && !is_space(b[i]) {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i
}

fn digits(s: &str, ok: fn(&u8) -> bool) -> bool {
    !s.is_empty() && s.as_bytes().iter().all(ok)
}

fn is_core_int(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix("0x") {
        return digits(hex, u8::is_ascii_hexdigit);
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return digits(oct, |c| (b'0'..=b'7').contains(c));
    }
    digits(s.strip_prefix(['-', '+']).unwrap_or(s), u8::is_ascii_digit)
}

fn is_core_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if let Some(e) = exponent
        && !digits(e.strip_prefix(['-', '+']).unwrap_or(e), u8::is_ascii_digit)
    {
        return false;
    }
    match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac, u8::is_ascii_digit),
        Some((int, frac)) => {
            digits(int, u8::is_ascii_digit) && frac.bytes().all(|c| c.is_ascii_digit())
        }
        None => digits(mantissa, u8::is_ascii_digit),
    }
}

/// The kind of a scalar by the YAML 1.2 core schema, and whether a boolean is true.
fn scalar_kind(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> (Kind, bool) {
    let typed = style == ScalarStyle::Plain
        && tag.is_none_or(|t| {
            t.is_yaml_core_schema()
                && matches!(t.suffix.as_str(), "null" | "bool" | "int" | "float")
        });
    if !typed {
        return (Kind::String, false);
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => (Kind::Null, false),
        "true" | "True" | "TRUE" => (Kind::Bool, true),
        "false" | "False" | "FALSE" => (Kind::Bool, false),
        v if is_core_int(v) || is_core_float(v) => (Kind::Number, false),
        _ => (Kind::String, false),
    }
}

impl<'a> Loader<'a> {
    fn new(text: &'a Arc<String>, start: usize) -> Loader<'a> {
        Loader {
            text: text.as_str(),
            at: Offsets::new(&text[start..], start),
            b: Builder::with_capacity(text.clone(), (text.len() - start) / 20),
            nodes: 0,
            frames: Vec::new(),
            anchors: Vec::new(),
            log: Vec::new(),
            recording: 0,
            expanded: 0,
            last_end: start,
            prev_end: start,
            seen: Vec::new(),
        }
    }

    /// The span of the character at `at` (empty at the end of the text).
    fn point(&self, at: usize) -> (usize, usize) {
        let len = self.text[at..].chars().next().map_or(0, char::len_utf8);
        (at, at + len)
    }

    fn scan_error(&self, e: &ScanError) -> SyntaxError {
        let at = self.at.byte(e.marker().index());
        let (start, end) = self.point(at);
        let info = e.info();
        if info == "recursion limit exceeded" {
            return error(
                start,
                end,
                "flow collections (`[...]`, `{...}`) are nested more than 255 levels deep",
            );
        }
        if info.contains("unknown anchor") {
            let rest = &self.text[at..];
            let len = rest
                .find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
                .unwrap_or(rest.len());
            let name = &rest[..len];
            return error(
                at,
                at + len,
                format!(
                    "alias `{name}` refers to no anchor: define `&{}` before using it",
                    name.trim_start_matches('*')
                ),
            );
        }
        error(start, end, info)
    }

    fn wants_key(&self) -> bool {
        self.frames.last().is_some_and(|f| f.object && f.want_key)
    }

    /// A value is complete: a mapping expects its next key.
    fn value_done(&mut self) {
        if let Some(f) = self.frames.last_mut()
            && f.object
        {
            f.want_key = true;
        }
    }

    /// Applies one op to the builder (and to the log while an anchor is open). `at` is where
    /// an error is reported; `copy` marks ops replayed for an alias.
    fn emit(&mut self, op: Op, at: (usize, usize), copy: bool) -> Result<(), SyntaxError> {
        if matches!(op, Op::Scalar(..) | Op::Open(..)) {
            self.nodes += 1;
            if copy {
                self.expanded += 1;
                if self.expanded > MAX_ALIAS_NODES {
                    return Err(error(
                        at.0,
                        at.1,
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                    ));
                }
            }
        }
        if let Op::Open(..) = op
            && self.b.depth() >= MAX_DEPTH
        {
            return Err(error(
                at.0,
                at.1,
                format!("nesting is deeper than {MAX_DEPTH} levels"),
            ));
        }
        if self.recording > 0 {
            self.log.push(op.clone());
        }
        match op {
            Op::Key(span, text) => self.b.key(span, Some(text)),
            Op::Scalar(span, kind, truth, text) => {
                self.b.scalar(span, kind, truth, text);
                self.last_end = span.end as usize;
            }
            Op::Open(start, kind) => self.b.open(start, kind),
            Op::Close(end) => {
                self.b.close(end);
                self.last_end = end;
            }
        }
        Ok(())
    }

    /// Sets the key of the next member; `start..end` is the key as written.
    fn key(&mut self, start: usize, end: usize, text: Box<str>) -> Result<(), SyntaxError> {
        // `Tree::key_span` widens the stored span by one byte each side (JSON's quotes).
        let span = Span::new(start + 1, end.saturating_sub(1));
        self.emit(Op::Key(span, text), (start, end), false)?;
        if let Some(f) = self.frames.last_mut() {
            f.want_key = false;
        }
        Ok(())
    }

    fn set_anchor(&mut self, id: usize, anchor: Anchor) {
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, || None);
        }
        self.anchors[id] = Some(anchor);
    }

    /// Where a block scalar's `|`/`>` header starts and ends (searched from `from`), where its
    /// lines start and where its last non-blank line ends. `end` is where saphyr's span ends.
    fn block_scalar(&self, from: usize, content: usize, end: usize) -> [usize; 4] {
        let b = self.text.as_bytes();
        let mut i = from;
        let mut header = None;
        while i < end {
            match b[i] {
                b'#' if i == self.at.base || is_space(b[i - 1]) => {
                    while i < end && b[i] != b'\n' {
                        i += 1;
                    }
                }
                b'&' | b'!' if i == from || is_space(b[i - 1]) => {
                    while i < end && !is_space(b[i]) {
                        i += 1;
                    }
                }
                b'|' | b'>' => {
                    header = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        let Some(header) = header else {
            let last = content + self.text[content..end].trim_end().len();
            return [content, content, content, last];
        };
        let mut header_end = header + 1;
        while header_end < end && matches!(b[header_end], b'0'..=b'9' | b'+' | b'-') {
            header_end += 1;
        }
        // The lines start on the line after the header.
        let body = self.text[header_end..end]
            .find('\n')
            .map_or(end, |n| header_end + n + 1);
        let lines = self.text[body..end].trim_end().len();
        let last = if lines == 0 { header_end } else { body + lines };
        [header, header_end, body, last]
    }

    /// Where a quoted scalar starting at `start` ends (saphyr's span may run on over a comment).
    fn quoted_end(&self, start: usize, end: usize) -> usize {
        let b = self.text.as_bytes();
        let Some(&quote) = b.get(start).filter(|_| start < end) else {
            return end;
        };
        let mut i = start + 1;
        while i < end {
            match b[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
                c if c == quote => return i + 1,
                _ => i += 1,
            }
        }
        end
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), SyntaxError> {
        let has_properties = anchor != 0 || tag.is_some();
        let content = if has_properties {
            skip_properties(self.text, start, end)
        } else {
            start
        };
        let (start, end) = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let from = if has_properties {
                    content
                } else {
                    self.prev_end.min(content)
                };
                let [header, header_end, body, last] = self.block_scalar(from, content, end);
                // The header and the lines apart: a comment may sit between them.
                self.seen.push((header, header_end));
                self.seen.push((body.min(last), last));
                (header, last)
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                (content, self.quoted_end(content, end))
            }
            ScalarStyle::Plain if value.is_empty() => (content, content),
            ScalarStyle::Plain => (content, end),
        };
        let (mut kind, truth) = scalar_kind(&value, style, tag);
        // `Tree::number` reads the number from the span: it must be the number's exact text.
        if kind == Kind::Number && self.text[start..end] != *value {
            kind = Kind::String;
        }
        if end > start && !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            self.seen.push((start, end));
        }
        let span = Span::new(start, end);
        let text: Box<str> = value.into();
        if anchor != 0 {
            self.set_anchor(anchor, Anchor::Scalar(span, kind, truth, text.clone()));
        }
        if self.wants_key() {
            return self.key(start, end, text);
        }
        let decoded = (kind == Kind::String).then_some(text);
        self.emit(Op::Scalar(span, kind, truth, decoded), (start, end), false)?;
        self.value_done();
        Ok(())
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), SyntaxError> {
        self.seen.push((start, end));
        let name = &self.text[start..end];
        let Some(anchor) = self.anchors.get(id).and_then(Option::as_ref) else {
            return Err(error(
                start,
                end,
                format!("alias `{name}` is inside the node it refers to (a recursive alias)"),
            ));
        };
        let at = (start, end);
        if self.wants_key() {
            return match anchor {
                Anchor::Scalar(.., text) => {
                    let text = text.clone();
                    self.key(start, end, text)
                }
                Anchor::Collection(_) => Err(error(
                    start,
                    end,
                    format!(
                        "alias `{name}` stands for a mapping or sequence, which can't be a key"
                    ),
                )),
            };
        }
        match anchor {
            Anchor::Scalar(span, kind, truth, text) => {
                let decoded = (*kind == Kind::String).then(|| text.clone());
                let op = Op::Scalar(*span, *kind, *truth, decoded);
                self.emit(op, at, true)?;
            }
            Anchor::Collection(range) => {
                for i in range.clone() {
                    let op = self.log[i].clone();
                    self.emit(op, at, true)?;
                }
            }
        }
        self.last_end = end;
        self.value_done();
        Ok(())
    }

    fn open(
        &mut self,
        kind: Kind,
        anchor: usize,
        start: usize,
        end: usize,
    ) -> Result<(), SyntaxError> {
        // saphyr's span runs from the anchor or tag (if any) to the first key or item; a flow
        // collection starts at its bracket, a block one at its first key or `-`.
        let content = skip_properties(self.text, start, end);
        let flow = content < end && matches!(self.text.as_bytes()[content], b'[' | b'{');
        let start = if flow { content } else { end };
        let at = self.point(start);
        if self.wants_key() {
            return Err(error(
                at.0,
                at.1,
                "a mapping or sequence can't be a key here; keys must be plain values",
            ));
        }
        if flow {
            self.seen.push((start, start + 1));
        }
        let log_start = self.log.len();
        if anchor != 0 {
            self.recording += 1;
        }
        self.emit(Op::Open(start, kind), at, false)?;
        self.frames.push(Frame {
            object: kind == Kind::Object,
            flow,
            want_key: true,
            start,
            anchor,
            log_start,
        });
        Ok(())
    }

    fn close(&mut self, start: usize, end: usize) -> Result<(), SyntaxError> {
        let Some(f) = self.frames.pop() else {
            return Ok(());
        };
        let end = if f.flow {
            // saphyr's span may run on over a comment after the bracket.
            let end = if matches!(self.text.as_bytes().get(start), Some(b']' | b'}')) {
                start + 1
            } else {
                end
            };
            self.seen.push((start, end));
            end
        } else {
            self.last_end.max(f.start)
        };
        self.emit(Op::Close(end), (end, end), false)?;
        if f.anchor != 0 {
            self.recording -= 1;
            self.set_anchor(f.anchor, Anchor::Collection(f.log_start..self.log.len()));
        }
        self.value_done();
        Ok(())
    }

    fn finish(mut self) -> Tree {
        if self.nodes == 0 {
            let at = self.at.base;
            self.b.scalar(Span::new(at, at), Kind::Null, false, None);
        }
        let comments = comments(self.text, self.at.base, self.seen);
        let mut tree = self.b.finish();
        tree.comments = comments;
        tree
    }
}

/// Comments: `#` after white space (or at the start), outside every token, to the line end.
fn comments(text: &str, base: usize, mut seen: Vec<(usize, usize)>) -> Vec<Span> {
    seen.sort_unstable();
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = base;
    let scan = |mut i: usize, end: usize, out: &mut Vec<Span>| {
        while i < end {
            if b[i] == b'#' && (i == base || is_space(b[i - 1])) {
                let stop = text[i..].find(['\n', '\r']).map_or(text.len(), |n| i + n);
                out.push(Span::new(i, stop));
                i = stop;
            } else {
                i += 1;
            }
        }
        i
    };
    for (start, end) in seen {
        if start > pos {
            pos = scan(pos, start, &mut out);
        }
        pos = pos.max(end);
    }
    scan(pos, text.len(), &mut out);
    out
}

/// Parses YAML. `start` is where the content begins (after a byte-order mark). An error's span
/// lies on character boundaries.
pub fn parse(text: &Arc<String>, start: usize) -> Result<Tree, SyntaxError> {
    parse_tree(text, start).map_err(|mut e| {
        e.span = crate::tree::on_chars(text, e.span);
        e
    })
}

fn parse_tree(text: &Arc<String>, start: usize) -> Result<Tree, SyntaxError> {
    let mut ld = Loader::new(text, start);
    let mut parser = Parser::new_from_str(&text[start..]);
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| ld.scan_error(&e))?;
        let s = ld.at.byte(span.start.index());
        let e = ld.at.byte(span.end.index()).max(s);
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                let marker = text[s..].starts_with("---");
                if documents > 1 {
                    let (s, e) = if marker { (s, s + 3) } else { ld.point(s) };
                    return Err(error(
                        s,
                        e,
                        "a second YAML document starts here; peerlint reads one document per file",
                    ));
                }
                if marker {
                    ld.seen.push((s, s + 3));
                }
            }
            Event::DocumentEnd => {
                if text[s..].starts_with("...") {
                    ld.seen.push((s, s + 3));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                ld.scalar(value, style, anchor, tag.as_deref(), s, e)?;
            }
            Event::Alias(id) => ld.alias(id, s, e)?,
            Event::SequenceStart(anchor, _) => ld.open(Kind::Array, anchor, s, e)?,
            Event::MappingStart(anchor, _) => ld.open(Kind::Object, anchor, s, e)?,
            Event::SequenceEnd | Event::MappingEnd => ld.close(s, e)?,
        }
        ld.prev_end = e;
    }
    Ok(ld.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::NodeId;

    fn parse_str(s: &str) -> Result<Tree, SyntaxError> {
        parse(&Arc::new(s.to_string()), 0)
    }

    fn tree(s: &str) -> Tree {
        parse_str(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    /// The text under a node's span.
    fn at(t: &Tree, n: NodeId) -> &str {
        &t.text()[t.span(n).range()]
    }

    /// The text under a member's key span.
    fn key_at(t: &Tree, n: NodeId) -> &str {
        &t.text()[t.key_span(n).range()]
    }

    /// The node at a path of keys (objects) and indices (arrays).
    fn path(t: &Tree, steps: &[&str]) -> NodeId {
        let mut n = t.root().unwrap();
        for step in steps {
            n = match step.parse::<usize>() {
                Ok(i) if t.kind(n) == Kind::Array => t.children(n).nth(i).unwrap(),
                _ => t
                    .get(n, step)
                    .unwrap_or_else(|| panic!("no `{step}` in {}", at(t, n))),
            };
        }
        n
    }

    fn error_of(s: &str) -> SyntaxError {
        match parse_str(s) {
            Ok(t) => panic!("{s:?} parsed: {t:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn block_mapping_and_sequence_with_spans() {
        let src = "peerlint: 1\nvnets:\n  - name: hub\n    address_space: [10.0.0.0/16, \"10.1.0.0/16\"]\n  - name: 'spoke 1'\n    tags: {env: prod, owner: ~}\n";
        let t = tree(src);
        let root = t.root().unwrap();
        assert_eq!(t.kind(root), Kind::Object);
        assert_eq!(
            at(&t, root),
            src.trim_end(),
            "a block mapping spans its first key to its last value"
        );
        let keys: Vec<_> = t.members(root).map(|(k, _)| k).collect();
        assert_eq!(keys, ["peerlint", "vnets"]);

        let one = path(&t, &["peerlint"]);
        assert_eq!(t.kind(one), Kind::Number);
        assert_eq!(t.number(one), Some("1"));
        assert_eq!(key_at(&t, one), "peerlint");

        let vnets = path(&t, &["vnets"]);
        assert_eq!(t.kind(vnets), Kind::Array);
        assert!(at(&t, vnets).starts_with("- name: hub"));
        assert!(at(&t, vnets).ends_with("owner: ~}"));
        assert_eq!(t.children(vnets).count(), 2);

        let hub = path(&t, &["vnets", "0"]);
        assert_eq!(t.kind(hub), Kind::Object);
        assert_eq!(
            at(&t, hub),
            "name: hub\n    address_space: [10.0.0.0/16, \"10.1.0.0/16\"]"
        );
        let name = path(&t, &["vnets", "0", "name"]);
        assert_eq!(t.str(name), Some("hub"));
        assert_eq!(at(&t, name), "hub");
        assert_eq!(key_at(&t, name), "name");
        assert_eq!(t.key(name), Some("name"));

        let space = path(&t, &["vnets", "0", "address_space"]);
        assert_eq!(at(&t, space), "[10.0.0.0/16, \"10.1.0.0/16\"]");
        let prefixes: Vec<_> = t.children(space).collect();
        assert_eq!(t.str(prefixes[0]), Some("10.0.0.0/16"));
        assert_eq!(at(&t, prefixes[0]), "10.0.0.0/16");
        assert_eq!(t.str(prefixes[1]), Some("10.1.0.0/16"));
        assert_eq!(at(&t, prefixes[1]), "\"10.1.0.0/16\"");
        assert_eq!(
            key_at(&t, prefixes[1]),
            at(&t, prefixes[1]),
            "array items: value span"
        );

        let spoke = path(&t, &["vnets", "1", "name"]);
        assert_eq!(t.str(spoke), Some("spoke 1"));
        assert_eq!(at(&t, spoke), "'spoke 1'");
        let tags = path(&t, &["vnets", "1", "tags"]);
        assert_eq!(at(&t, tags), "{env: prod, owner: ~}");
        assert_eq!(t.get_str(tags, "env"), Some("prod"));
        assert!(t.is_null(path(&t, &["vnets", "1", "tags", "owner"])));
        assert_eq!(
            t.pointer(path(&t, &["vnets", "1", "tags", "owner"])),
            "/vnets/1/tags/owner"
        );
        assert_eq!(t.parent(tags), Some(path(&t, &["vnets", "1"])));
    }

    #[test]
    fn get_is_ascii_case_insensitive_and_keys_keep_their_text() {
        let t = tree("AddressSpace: x\n\"quoted key\": y\n'it''s': z\n10: ten\ntrue: yes\n");
        let root = t.root().unwrap();
        assert_eq!(t.get_str(root, "addressspace"), Some("x"));
        assert_eq!(t.get_str(root, "ADDRESSSPACE"), Some("x"));
        let q = t.get(root, "Quoted Key").unwrap();
        assert_eq!(t.key(q), Some("quoted key"));
        assert_eq!(key_at(&t, q), "\"quoted key\"");
        let s = t.get(root, "it's").unwrap();
        assert_eq!(key_at(&t, s), "'it''s'");
        // Keys that are not strings are used as written.
        let ten = t.get(root, "10").unwrap();
        assert_eq!(t.str(ten), Some("ten"));
        assert_eq!(key_at(&t, ten), "10");
        let yes = t.get(root, "true").unwrap();
        assert_eq!(t.str(yes), Some("yes"), "YAML 1.2: `yes` is a string");
        assert_eq!(key_at(&t, yes), "true");
        assert_eq!(t.get(root, "missing"), None);
    }

    #[test]
    fn core_schema_typing() {
        for (value, kind) in [
            ("", Kind::Null),
            ("~", Kind::Null),
            ("null", Kind::Null),
            ("NULL", Kind::Null),
            ("true", Kind::Bool),
            ("False", Kind::Bool),
            ("0", Kind::Number),
            ("-12", Kind::Number),
            ("+7", Kind::Number),
            ("2.5", Kind::Number),
            ("-2.5e3", Kind::Number),
            ("1e10", Kind::Number),
            (".5", Kind::Number),
            ("0x1F", Kind::Number),
            ("0o17", Kind::Number),
            (".inf", Kind::Number),
            ("-.Inf", Kind::Number),
            (".nan", Kind::Number),
            ("10.0.0.0/16", Kind::String),
            ("10.0.0.1", Kind::String),
            ("spoke1 <-> shared", Kind::String),
            ("hub/fw", Kind::String),
            ("yes", Kind::String),
            ("off", Kind::String),
            ("nul", Kind::String),
            ("1_000", Kind::String),
            ("0x", Kind::String),
            ("e3", Kind::String),
            ("1.2.3", Kind::String),
            ("\"10\"", Kind::String),
            ("'true'", Kind::String),
            ("\"null\"", Kind::String),
            ("!!str 10", Kind::String),
            ("!Ref vnet", Kind::String),
            ("!!int 10", Kind::Number),
            ("|\n  10", Kind::String),
        ] {
            let src = format!("v: {value}\n");
            let t = tree(&src);
            let v = path(&t, &["v"]);
            assert_eq!(t.kind(v), kind, "{value:?}");
            match kind {
                Kind::Number => assert_eq!(t.number(v), value.rsplit(' ').next(), "{value:?}"),
                Kind::String => assert!(t.str(v).is_some(), "{value:?}"),
                _ => {}
            }
        }
        let t = tree("[true, false, TRUE]");
        let flags: Vec<_> = t.children(t.root().unwrap()).map(|n| t.bool(n)).collect();
        assert_eq!(flags, [Some(true), Some(false), Some(true)]);
        let t = tree("a: !!str 10\nb: &n 42\nc: \"10\"\n");
        assert_eq!(t.str(path(&t, &["a"])), Some("10"));
        assert_eq!(
            at(&t, path(&t, &["a"])),
            "10",
            "the tag is outside the span"
        );
        assert_eq!(
            at(&t, path(&t, &["b"])),
            "42",
            "the anchor is outside the span"
        );
        assert_eq!(t.number(path(&t, &["b"])), Some("42"));
        assert_eq!(t.str(path(&t, &["c"])), Some("10"));
        assert_eq!(at(&t, path(&t, &["c"])), "\"10\"");
    }

    #[test]
    fn quoted_and_multi_line_strings_are_decoded() {
        let src = "a: \"tab\\there \\u00e4\"\nb: 'it''s'\nc: \"two\n  lines\"\nd: plain\n  continued\ne: ''\n";
        let t = tree(src);
        assert_eq!(t.str(path(&t, &["a"])), Some("tab\there \u{e4}"));
        assert_eq!(at(&t, path(&t, &["a"])), "\"tab\\there \\u00e4\"");
        assert_eq!(t.str(path(&t, &["b"])), Some("it's"));
        assert_eq!(t.str(path(&t, &["c"])), Some("two lines"));
        assert_eq!(at(&t, path(&t, &["c"])), "\"two\n  lines\"");
        assert_eq!(t.str(path(&t, &["d"])), Some("plain continued"));
        assert_eq!(at(&t, path(&t, &["d"])), "plain\n  continued");
        assert_eq!(t.str(path(&t, &["e"])), Some(""));
        assert_eq!(at(&t, path(&t, &["e"])), "''");
    }

    #[test]
    fn block_scalars_span_header_to_last_line() {
        let src = "lit: |\n  line one\n  line two\n\nfold: >-\n  folded\n  text\n\n\nkeep: |+ # note\n  kept\n\nseq:\n  - |\n    item\n  - &a >\n    anchored\nlast: |\n";
        let t = tree(src);
        let lit = path(&t, &["lit"]);
        assert_eq!(t.str(lit), Some("line one\nline two\n"));
        assert_eq!(at(&t, lit), "|\n  line one\n  line two");
        let fold = path(&t, &["fold"]);
        assert_eq!(t.str(fold), Some("folded text"));
        assert_eq!(at(&t, fold), ">-\n  folded\n  text");
        let keep = path(&t, &["keep"]);
        assert_eq!(t.str(keep), Some("kept\n\n"));
        assert_eq!(at(&t, keep), "|+ # note\n  kept");
        assert_eq!(at(&t, path(&t, &["seq", "0"])), "|\n    item");
        assert_eq!(at(&t, path(&t, &["seq", "1"])), ">\n    anchored");
        let last = path(&t, &["last"]);
        assert_eq!(t.str(last), Some(""));
        assert_eq!(at(&t, last), "|");
        assert_eq!(t.comments.len(), 1);
        assert_eq!(&src[t.comments[0].range()], "# note");
        // The block mapping ends at its last value.
        assert_eq!(at(&t, t.root().unwrap()), src.trim_end());
    }

    #[test]
    fn flow_collections_include_their_brackets() {
        let t = tree("a: &x  [ 1 ]\nb: !t\n  { c: 1 } # note\nd: [ # inside\n  2 ]\n");
        assert_eq!(at(&t, path(&t, &["a"])), "[ 1 ]");
        assert_eq!(at(&t, path(&t, &["b"])), "{ c: 1 }");
        assert_eq!(at(&t, path(&t, &["d"])), "[ # inside\n  2 ]");
        assert_eq!(t.comments.len(), 2);
        let src = "{a: [1, {b: c}], d: [], e: {}, f: [x, k: v]}";
        let t = tree(src);
        assert_eq!(at(&t, t.root().unwrap()), src);
        assert_eq!(at(&t, path(&t, &["a"])), "[1, {b: c}]");
        assert_eq!(at(&t, path(&t, &["a", "1"])), "{b: c}");
        assert_eq!(t.str(path(&t, &["a", "1", "b"])), Some("c"));
        assert_eq!(at(&t, path(&t, &["d"])), "[]");
        assert_eq!(t.children(path(&t, &["d"])).count(), 0);
        assert_eq!(at(&t, path(&t, &["e"])), "{}");
        // A single pair in a flow sequence is a one-member mapping.
        let pair = path(&t, &["f", "1"]);
        assert_eq!(t.kind(pair), Kind::Object);
        assert_eq!(t.str(path(&t, &["f", "1", "k"])), Some("v"));
        assert_eq!(key_at(&t, path(&t, &["f", "1", "k"])), "k");
    }

    #[test]
    fn non_ascii_text_does_not_shift_spans() {
        let src =
            "name: ä\nnote: \"→ ü 😀\"\nprefix: 10.0.0.0/16\n# ß comment\nöl: gas\nlist: [ä, b]\n";
        let t = tree(src);
        let prefix = path(&t, &["prefix"]);
        assert_eq!(
            t.span(prefix).start as usize,
            src.find("10.0.0.0/16").unwrap()
        );
        assert_eq!(at(&t, prefix), "10.0.0.0/16");
        assert_eq!(key_at(&t, prefix), "prefix");
        assert_eq!(at(&t, path(&t, &["name"])), "ä");
        assert_eq!(t.str(path(&t, &["note"])), Some("→ ü 😀"));
        let ol = path(&t, &["öl"]);
        assert_eq!(key_at(&t, ol), "öl");
        assert_eq!(t.key(ol), Some("öl"));
        assert_eq!(at(&t, ol), "gas");
        assert_eq!(at(&t, path(&t, &["list", "1"])), "b");
        assert_eq!(t.comments.len(), 1);
        assert_eq!(&src[t.comments[0].range()], "# ß comment");
        // A one-character multi-byte key.
        let t = tree("x: 1\nä: 2\n");
        assert_eq!(key_at(&t, path(&t, &["ä"])), "ä");
    }

    #[test]
    fn content_start_after_a_byte_order_mark() {
        let src = "\u{feff}a: ä\nb: 2\n";
        let t = parse(&Arc::new(src.to_string()), 3).unwrap();
        let b = path(&t, &["b"]);
        assert_eq!(at(&t, b), "2");
        assert_eq!(t.span(b).start as usize, src.find('2').unwrap());
        assert_eq!(key_at(&t, b), "b");
        let e = parse(&Arc::new("\u{feff}a: [1".to_string()), 3).unwrap_err();
        assert_eq!(e.span.start as usize, 8);
    }

    #[test]
    fn duplicate_keys_survive_in_order() {
        let src = "peering: a\nname: x\nPeering: b\npeering: {c: 1}\n";
        let t = tree(src);
        let root = t.root().unwrap();
        let children: Vec<_> = t
            .children(root)
            .map(|v| (t.key(v).unwrap(), at(&t, v)))
            .collect();
        assert_eq!(
            children,
            [
                ("peering", "a"),
                ("name", "x"),
                ("Peering", "b"),
                ("peering", "{c: 1}")
            ]
        );
        // As in JSON: the first counts (`get`, `members`), the later ones are listed as
        // duplicates, with their own key spans.
        assert_eq!(t.get_str(root, "PEERING"), Some("a"));
        let members: Vec<_> = t.members(root).map(|(k, _)| k).collect();
        assert_eq!(members, ["peering", "name"]);
        let first = t.get(root, "peering").unwrap();
        let dups: Vec<_> = t
            .duplicates()
            .iter()
            .map(|&(a, b)| (a, t.key(b).unwrap()))
            .collect();
        assert_eq!(dups, [(first, "Peering"), (first, "peering")]);
        let last = t.children(root).last().unwrap();
        assert_eq!(
            t.key_span(last).start as usize,
            src.rfind("peering").unwrap()
        );
    }

    #[test]
    fn aliases_are_expanded_with_the_anchors_spans() {
        let src = "defaults: &d\n  location: westeurope\n  tags: {env: prod}\nhub:\n  <<: *d\n  name: hub\nport: &p 443\nports: [*p, *p]\n&k region: x\nwhere: *k\n*k : again\n";
        let t = tree(src);
        let copy = path(&t, &["hub", "<<"]);
        assert_eq!(t.kind(copy), Kind::Object);
        assert_eq!(key_at(&t, copy), "<<");
        assert_eq!(t.get_str(copy, "location"), Some("westeurope"));
        let env = path(&t, &["hub", "<<", "tags", "env"]);
        assert_eq!(t.str(env), Some("prod"));
        assert_eq!(t.pointer(env), "/hub/<</tags/env");
        // Copied nodes point at the anchored text.
        assert_eq!(t.span(env), t.span(path(&t, &["defaults", "tags", "env"])));
        assert_eq!(key_at(&t, path(&t, &["hub", "<<", "location"])), "location");
        // The mapping holding the alias still ends after it.
        assert_eq!(at(&t, path(&t, &["hub"])), "<<: *d\n  name: hub");
        let ports: Vec<_> = t.children(path(&t, &["ports"])).collect();
        assert_eq!(ports.len(), 2);
        assert!(ports.iter().all(|&p| t.number(p) == Some("443")));
        assert_eq!(t.str(path(&t, &["where"])), Some("region"));
        let again = path(&t, &["region"]);
        assert_eq!(t.str(again), Some("x"));
        let alias_key = t.children(t.root().unwrap()).last().unwrap();
        assert_eq!(t.key(alias_key), Some("region"));
        assert_eq!(key_at(&t, alias_key), "*k");
    }

    #[test]
    fn bad_aliases_are_errors() {
        let e = error_of("a: [1, *nope]");
        assert_eq!(e.span.start, 7);
        assert!(e.message.contains("`*nope`"), "{}", e.message);

        let e = error_of("a: &x [1, *x]");
        assert_eq!(e.span.start, 10);
        assert!(e.message.contains("recursive"), "{}", e.message);

        let e = error_of("a: &x [1]\n*x : 2\n");
        assert!(e.message.contains("can't be a key"), "{}", e.message);

        // Billion laughs: ten levels of ten aliases.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = error_of(&bomb);
        assert!(e.message.contains("more than 1000000"), "{}", e.message);

        // Depth through aliases is bounded too.
        let deep = format!(
            "a: &a {}{}\nb: {}*a{}\n",
            "[".repeat(200),
            "]".repeat(200),
            "[".repeat(100),
            "]".repeat(100)
        );
        let e = error_of(&deep);
        assert!(e.message.contains("deeper than"), "{}", e.message);
        assert_eq!(&deep[e.span.range()], "*a");
    }

    #[test]
    fn complex_keys_are_errors() {
        let e = error_of("? [a, b]\n: c\n");
        assert_eq!(e.span.start, 2);
        assert!(e.message.contains("key"), "{}", e.message);
        let e = error_of("{[a]: b}");
        assert_eq!(e.span.start, 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for deep in [
            "[".repeat(100_000),
            "{a: ".repeat(100_000),
            "- ".repeat(100_000),
            format!("a:\n{}", "- ".repeat(100_000)),
            (0..300).map(|i| format!("{}a:\n", " ".repeat(i))).collect(),
        ] {
            let e = error_of(&deep);
            assert!(
                e.message.contains("deeper than") || e.message.contains("nested more than"),
                "{}",
                e.message
            );
        }
        let ok = format!("{}x", "- ".repeat(MAX_DEPTH));
        assert!(parse_str(&ok).is_ok());
        let over = format!("{}x", "- ".repeat(MAX_DEPTH + 1));
        let e = error_of(&over);
        assert_eq!(e.span.start as usize, 2 * MAX_DEPTH);
        let flow = format!("{}{}", "[".repeat(255), "]".repeat(255));
        assert!(parse_str(&flow).is_ok());
    }

    #[test]
    fn syntax_errors_have_byte_spans() {
        for (text, at, needle) in [
            ("a: b: c", 4, "not allowed"),
            ("a: [1, 2", 8, "expected ',' or ']'"),
            ("a: 'x", 3, "quoted scalar"),
            ("ä: ö\nb: [1, 2", 15, "expected ',' or ']'"),
            ("ä: 1\n b: 2\n", 8, "not allowed"),
            ("a:\n\t- b\n", 4, "tab"),
            ("- a\nb: c\n", 4, ""),
        ] {
            let e = error_of(text);
            assert_eq!(e.span.start as usize, at, "{text:?}: {e:?}");
            assert!(e.span.end as usize <= text.len());
            assert!(e.message.contains(needle), "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn one_document_per_file() {
        let e = error_of("a: 1\n---\nb: 2\n");
        assert_eq!(e.span.range(), 5..8);
        assert!(e.message.contains("second YAML document"));
        let e = error_of("a: 1\n...\nb: 2\n");
        assert_eq!(e.span.start, 9);
        // Markers around one document are fine.
        let t = tree("%YAML 1.2\n---\na: 1\n...\n");
        assert_eq!(t.number(path(&t, &["a"])), Some("1"));
        let t = tree("--- |\n  text\n");
        assert_eq!(t.str(t.root().unwrap()), Some("text\n"));
        assert_eq!(at(&t, t.root().unwrap()), "|\n  text");
    }

    #[test]
    fn empty_documents_are_null() {
        for src in ["", "# only a comment\n", "---\n", "\n\n", "--- # c\n...\n"] {
            let t = tree(src);
            let root = t.root().unwrap();
            assert_eq!(t.len(), 1, "{src:?}");
            assert!(t.is_null(root), "{src:?}");
            assert!(t.span(root).is_empty(), "{src:?}");
        }
        let t = tree("# only a comment\n");
        assert_eq!(t.comments.len(), 1);
    }

    #[test]
    fn comments_are_collected_outside_tokens() {
        let src = "# head\na: 1 # one\nb: 'x # not' # two\nc: \"#no\" #three\nd: x#y\ne: |\n  # content\nf: [1, # four\n  2]\n";
        let t = tree(src);
        let found: Vec<_> = t.comments.iter().map(|c| &src[c.range()]).collect();
        assert_eq!(found, ["# head", "# one", "# two", "#three", "# four"]);
        assert_eq!(t.str(path(&t, &["d"])), Some("x#y"));
        assert_eq!(t.str(path(&t, &["e"])), Some("# content\n"));
    }

    #[test]
    fn root_scalars_and_sequences() {
        let t = tree("just text");
        assert_eq!(t.str(t.root().unwrap()), Some("just text"));
        let t = tree("- a\n-\n- c\n");
        let items: Vec<_> = t.children(t.root().unwrap()).collect();
        assert_eq!(items.len(), 3);
        assert!(t.is_null(items[1]));
        assert_eq!(t.key(items[2]), None);
        assert_eq!(t.pointer(items[2]), "/2");
        let t = tree("a:\nb: 1\n");
        let a = path(&t, &["a"]);
        assert!(t.is_null(a));
        assert_eq!(key_at(&t, a), "a");
    }
}
