//! A rendered-ready finding: rule, severity, positions resolved to path, line, column and
//! JSON Pointer, and texts in the user's words ([`Readable`]). Renderers take these and the
//! source texts, nothing else.

use crate::graph::{Graph, placeholder_tokens};
use crate::model::Loc;
use crate::rule::Severity;
use crate::source::{FileId, SourceDb, Span};
use crate::tree::Tree;

#[derive(Clone, Debug)]
pub struct Position {
    pub file: FileId,
    pub path: String,
    pub span: Span,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// JSON Pointer of the value (empty for the whole document or when unknown).
    pub pointer: String,
}

#[derive(Clone, Debug)]
pub struct RelatedLabel {
    pub at: Position,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub note: Option<String>,
    pub at: Position,
    pub label: String,
    /// Full ARM id of the primary subject; None for file-level findings.
    pub resource: Option<String>,
    pub related: Vec<RelatedLabel>,
}

/// Resolves a [`Loc`] to a [`Position`].
pub fn position(db: &SourceDb, trees: &[Option<Tree>], loc: Loc) -> Position {
    let file = db.get(loc.file);
    let (line, column) = file.line_col(loc.span.start as usize);
    let pointer = match (loc.node(), trees.get(loc.file.0 as usize)) {
        (Some(n), Some(Some(t))) => t.pointer(n),
        _ => String::new(),
    };
    Position {
        file: loc.file,
        path: file.path.clone(),
        span: loc.span,
        line,
        column,
        pointer,
    }
}

/// Order of output: path, offset, rule.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (
            a.at.path.as_str(),
            a.at.span.start,
            a.rule,
            a.at.span.end,
            a.message.as_str(),
        )
            .cmp(&(
                b.at.path.as_str(),
                b.at.span.start,
                b.rule,
                b.at.span.end,
                b.message.as_str(),
            ))
    });
}

/// Turns the placeholders that stand for values known only at deployment into the user's
/// words, in every text of a finding (message, labels, help, note, resource). Placeholders
/// keep ids built from unknowns comparable (`{hubName}`: a vnet and the peering that names it
/// match), but they are peerlint's own notation; this is the one place they are translated:
///
/// - the deployment scope as `<subscription>`, `<resourceGroup>` (`<resourceGroup-2>` for the
///   templates of a second folder), `<location>`...;
/// - a parameter without a value as the expression that reads it, `[parameters('hubName')]`;
/// - any other unknown value as the expression written where it is computed
///   (`[uniqueString(resourceGroup().id)]`), shortened with `…` in messages;
/// - an unknown part of a computed value, whose own expression peerlint didn't keep, as the
///   function or parameter it comes from (`[split(…)[8]]`).
///
/// Braces that are not placeholders of the run (a rule's own `{name}`) are left alone.
pub struct Readable<'a> {
    graph: &'a Graph,
    db: &'a SourceDb,
    trees: &'a [Option<Tree>],
}

/// Longest expression shown in a message before it is cut with `…`.
const SHORT: usize = 60;

/// The deployment scope's placeholders, shown as `<name>`.
const SCOPE: &[&str] = &[
    "subscription",
    "resourceGroup",
    "location",
    "deploymentName",
    "tenantId",
    "subscriptionName",
];

impl<'a> Readable<'a> {
    pub fn new(graph: &'a Graph, db: &'a SourceDb, trees: &'a [Option<Tree>]) -> Readable<'a> {
        Readable { graph, db, trees }
    }

    /// `text` in the user's words; `short` cuts long expressions (for messages, not ids).
    pub fn text(&self, text: &str, short: bool) -> String {
        if !text.contains('{') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        for segment in segments(text) {
            if !segment.contains('{') {
                out.push_str(segment);
                continue;
            }
            let (shown, exact) = self.segment(segment, short);
            // A name or value built from unknowns some of which can only be approximated:
            // the expression that computes the whole of it, when there is one.
            if !exact
                && let Some(Some(loc)) = self.graph.placeholder(segment)
                && let Some(e) = self.expression(loc)
            {
                out.push_str(&if short { shorten(&e) } else { e });
                continue;
            }
            out.push_str(&shown);
        }
        out
    }

    /// A segment's placeholders translated one by one, and whether each was exactly (not
    /// approximated by [`fallback`]).
    fn segment(&self, segment: &str, short: bool) -> (String, bool) {
        let mut out = String::with_capacity(segment.len());
        let mut exact = true;
        let mut rest = segment;
        for token in placeholder_tokens(segment) {
            let at = rest.find(token).expect("tokens are in order");
            out.push_str(&rest[..at]);
            rest = &rest[at + token.len()..];
            let Some((shown, is_exact)) = self.token(token, short) else {
                out.push_str(token);
                continue;
            };
            exact &= is_exact;
            // `{x}.name`, a member of an unknown object: inside the expression's brackets.
            let members = member_chain(rest);
            match shown.strip_suffix(']') {
                Some(open) if shown.starts_with('[') && !members.is_empty() => {
                    out.push_str(open);
                    out.push_str(members);
                    out.push(']');
                    rest = &rest[members.len()..];
                }
                _ => out.push_str(&shown),
            }
        }
        out.push_str(rest);
        (out, exact)
    }

    /// One placeholder in the user's words, and whether exactly; None for braces that are no
    /// placeholder.
    fn token(&self, token: &str, short: bool) -> Option<(String, bool)> {
        let inner = &token[1..token.len() - 1];
        if let Some(scope) = scope_name(inner) {
            return Some((format!("<{scope}>"), true));
        }
        let cut = |text: String| if short { shorten(&text) } else { text };
        if let Some(text) = inner.strip_prefix('@').and_then(|at| self.written(at)) {
            return Some((cut(text), true));
        }
        let known = self.graph.placeholder(token)?;
        if let Some(p) = parameter_name(inner) {
            return Some((format!("[parameters('{p}')]"), true));
        }
        if let Some(text) = known.and_then(|loc| self.expression(loc)) {
            return Some((cut(text), true));
        }
        Some((format!("[{}]", fallback(inner)), false))
    }

    /// A value that has no placeholder but where it is written (`file:start:end`, a JSON
    /// string or a JavaScript expression; a fourth number tells apart the values one
    /// JavaScript expression computes in several calls): as written, whitespace collapsed.
    fn written(&self, at: &str) -> Option<String> {
        let mut parts = at.split(':').map(|p| p.parse::<u32>().ok());
        let (Some(Some(file)), Some(Some(start)), Some(Some(end))) =
            (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if !matches!(
            (parts.next(), parts.next()),
            (None, None) | (Some(Some(_)), None)
        ) {
            return None;
        }
        let file = crate::source::FileId(file);
        let text = self
            .db
            .try_get(file)?
            .text
            .get(start as usize..end as usize)?;
        let inner = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => inner,
            None if is_javascript(&self.db.try_get(file)?.path) => text,
            None => return None,
        };
        Some(inner.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// The expression written at `loc` (`[...]`), whitespace collapsed.
    fn expression(&self, loc: Loc) -> Option<String> {
        let tree = self.trees.get(loc.file.0 as usize)?.as_ref()?;
        let node = loc.node()?;
        if tree.span(node) != loc.span {
            return None;
        }
        if tree.kind(node) != crate::tree::Kind::String {
            return None;
        }
        // The decoded string; once the loaders released it (it had escapes), the raw text.
        let raw = &self.db.get(loc.file).text[loc.span.range()];
        let s = tree
            .str(node)
            .unwrap_or_else(|| raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""))
            .trim();
        if !(s.starts_with('[') && s.ends_with(']')) || s.starts_with("[[") {
            return None;
        }
        Some(s.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Whether a file is JavaScript (a GruCloud design), whose unknowns are expressions as
/// written.
fn is_javascript(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".js")
}

/// The text cut where names and ids end: at `/`, backticks, spaces, quotes, brackets and
/// punctuation outside placeholders; each delimiter is a segment of its own.
fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 && (c.is_whitespace() || "/`'\",;:()[]<>".contains(c)) => {
                if start < i {
                    out.push(&text[start..i]);
                }
                out.push(&text[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `resourceGroup-2` → `resourceGroup-2`: the deployment scope's placeholders, with the
/// number of the template folder they belong to.
fn scope_name(inner: &str) -> Option<&str> {
    let base = inner.split_once('-').map_or(inner, |(b, n)| {
        if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() {
            b
        } else {
            inner
        }
    });
    SCOPE.contains(&base).then_some(inner)
}

/// A parameter's placeholder (`hubName`, `hubName-2` in a second template folder): its name.
fn parameter_name(inner: &str) -> Option<&str> {
    let name = match inner.rsplit_once('-') {
        Some((n, tag)) if !tag.is_empty() && tag.chars().all(|c| c.is_ascii_digit()) => n,
        _ => inner,
    };
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_' || first == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$'))
    .then_some(name)
}

/// `.name.id` at the start of `rest`: member accesses on the placeholder before it.
fn member_chain(rest: &str) -> &str {
    let mut end = 0;
    let b = rest.as_bytes();
    while end < b.len() && b[end] == b'.' {
        let start = end + 1;
        let mut i = start;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
            i += 1;
        }
        if i == start {
            break;
        }
        end = i;
    }
    &rest[..end]
}

/// A placeholder's inside as an expression, when the expression that computed it is not
/// known: a function call as `f(…)`, an index or member of an unknown as written after it, a
/// parameter as `parameters('p')`.
fn fallback(inner: &str) -> String {
    if inner.starts_with('{') {
        // `{x}[8]`, `{x}.name`: the unknown, then what is applied to it.
        let head = placeholder_tokens(inner)
            .into_iter()
            .next()
            .filter(|t| inner.starts_with(t));
        if let Some(head) = head {
            let rest = &inner[head.len()..];
            return format!("{}{}", nested(head), plain(rest));
        }
    }
    let ident: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !ident.is_empty() && inner[ident.len()..].starts_with('(') {
        return if inner.len() == ident.len() + 2 {
            format!("{ident}()")
        } else {
            format!("{ident}(…)")
        };
    }
    plain(inner)
}

/// A placeholder inside another one, as part of an expression.
fn nested(token: &str) -> String {
    let inner = &token[1..token.len() - 1];
    if let Some(scope) = scope_name(inner) {
        return format!("<{scope}>");
    }
    if let Some(p) = parameter_name(inner) {
        return format!("parameters('{p}')");
    }
    fallback(inner)
}

/// Text between placeholders in an expression: `/` for the `|` that keeps id segments apart,
/// `…` for a digest of a long literal (`#7e743089`), nested placeholders translated.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    for token in placeholder_tokens(text) {
        let at = rest.find(token).expect("tokens are in order");
        out.push_str(&literal(&rest[..at]));
        out.push_str(&nested(token));
        rest = &rest[at + token.len()..];
    }
    out.push_str(&literal(rest));
    out
}

fn literal(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '#'
            && text.len() >= i + 9
            && text[i + 1..i + 9].bytes().all(|b| b.is_ascii_hexdigit())
        {
            out.push('…');
            for _ in 0..8 {
                chars.next();
            }
        } else if c == '|' {
            out.push('/');
        } else {
            out.push(c);
        }
    }
    out
}

/// An expression cut to [`SHORT`] characters: `[format('{0}-{1}', parameters('prefix'), …]`.
fn shorten(text: &str) -> String {
    if text.chars().count() <= SHORT {
        return text.to_string();
    }
    let cut: String = text.chars().take(SHORT - 2).collect();
    format!("{}…]", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::{fallback, literal, member_chain, parameter_name, scope_name, segments, shorten};

    #[test]
    fn scope_and_parameter_placeholders() {
        assert_eq!(scope_name("subscription"), Some("subscription"));
        assert_eq!(scope_name("resourceGroup-2"), Some("resourceGroup-2"));
        assert_eq!(scope_name("hubName"), None);
        assert_eq!(parameter_name("hubName-2"), Some("hubName"));
        assert_eq!(parameter_name("hub_name"), Some("hub_name"));
        assert_eq!(parameter_name("uniqueString(x)"), None);
        assert_eq!(parameter_name("@3:120"), None);
    }

    #[test]
    fn placeholders_without_their_expression() {
        assert_eq!(
            fallback("uniqueString(|subscriptions|{subscription})"),
            "uniqueString(…)"
        );
        assert_eq!(fallback("copyIndex()"), "copyIndex()");
        assert_eq!(
            fallback("{split(|subscriptions|{subscription}|x,|)}[8]"),
            "split(…)[8]"
        );
        assert_eq!(
            fallback("{peerings}[{copyIndex()}]"),
            "parameters('peerings')[copyIndex()]"
        );
        assert_eq!(fallback("{x}[{location}]"), "parameters('x')[<location>]");
        assert_eq!(literal("a|b#7e743089c"), "a/b…c");
        assert_eq!(member_chain(".name.id/rest"), ".name.id");
        assert_eq!(member_chain("/rest"), "");
    }

    #[test]
    fn segments_end_at_delimiters_outside_placeholders() {
        assert_eq!(
            segments("peering `a/{f(x, y)}-1` has"),
            [
                "peering",
                " ",
                "`",
                "a",
                "/",
                "{f(x, y)}-1",
                "`",
                " ",
                "has"
            ]
        );
    }

    #[test]
    fn long_expressions_are_cut() {
        let long = format!("[{}]", "x".repeat(100));
        let cut = shorten(&long);
        assert!(
            cut.ends_with("…]") && cut.chars().count() == super::SHORT,
            "{cut}"
        );
        assert_eq!(shorten("[parameters('a')]"), "[parameters('a')]");
    }
}
