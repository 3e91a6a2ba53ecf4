//! `--format human`: miette reports with labels on the offending value and on the other
//! parties; labels in other files are shown as related snippets with their own source.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{Summary, is_hidden, visible};
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::{FileId, SourceDb};

/// How to draw.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
    /// Head each finding with its rule's name as a hyperlink to the rule's documentation
    /// (OSC 8; for terminals that show colour), instead of starting the message with it.
    pub links: bool,
}

struct Report {
    message: String,
    code: Option<String>,
    /// The rule's documentation page.
    url: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Report {}

impl MietteDiagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.labels.is_empty()).then_some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn MietteDiagnostic))
                as Box<dyn Iterator<Item = &dyn MietteDiagnostic>>
        })
    }
}

/// The part of a file a report's labels need, a few lines around them. miette scans the
/// source it is given from the start for every label; handing it the excerpt keeps rendering
/// linear in the number of findings, not findings × file size.
///
/// The excerpt is drawn with hidden characters escaped (see [`escape`]), so its offsets are
/// not the file's: a span handed to miette is `start` plus an offset in `text`, and
/// [`Excerpt::label`] moves a file span there.
struct Excerpt {
    name: String,
    /// The excerpt's lines as drawn.
    text: String,
    /// Where the excerpt starts in its file.
    start: usize,
    /// Where characters were escaped, in order.
    escapes: Vec<Escape>,
    /// Lines before the excerpt.
    line_base: usize,
}

/// A character written as an escape.
#[derive(Clone, Copy)]
struct Escape {
    /// Its offset in the original text.
    at: usize,
    /// Its offset in the escaped text.
    drawn: usize,
    /// How much longer the escaped text is, up to and including this escape.
    grown: usize,
}

/// Lines longer than this are not drawn (minified JSON): the finding gives line and column.
/// Escaping makes a line at most five times as wide (`\u{0}`), far below the 65,535 columns
/// where miette panics.
const MAX_LINE: usize = 4096;

/// `text` with every hidden character written as a Rust escape (`\u{0}`, `\u{1b}`,
/// `\u{202e}`): input must not reach the terminal as raw control bytes, which could move the
/// cursor, hide or reorder text, or make captured output binary. A CR before a newline is
/// kept when `crlf` is set (source lines: miette takes CRLF as a line end). Also returns where
/// it escaped.
fn escape(text: &str, crlf: bool) -> (Cow<'_, str>, Vec<Escape>) {
    let kept =
        |i: usize, c: char| !is_hidden(c) || (crlf && c == '\r' && text[i + 1..].starts_with('\n'));
    if text.char_indices().all(|(i, c)| kept(i, c)) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut escapes = Vec::new();
    for (at, c) in text.char_indices() {
        if kept(at, c) {
            out.push(c);
        } else {
            let drawn = out.len();
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            let grown = out.len() - (at + c.len_utf8());
            escapes.push(Escape { at, drawn, grown });
        }
    }
    (Cow::Owned(out), escapes)
}

impl Excerpt {
    /// The excerpt of `file` around `spans`, or None when a line in it is too long to draw.
    fn around(db: &SourceDb, file: FileId, spans: &[crate::source::Span]) -> Option<Excerpt> {
        let f = db.get(file);
        let starts = f.line_starts();
        let line = |o: usize| {
            starts
                .partition_point(|&s| s as usize <= o)
                .saturating_sub(1)
        };
        let lo = spans.iter().map(|s| s.start as usize).min().unwrap_or(0);
        let hi = spans
            .iter()
            .map(|s| s.end as usize)
            .max()
            .unwrap_or(0)
            .min(f.text.len());
        let first = line(lo).saturating_sub(2);
        let last = (line(hi) + 3).min(starts.len());
        let start = starts[first] as usize;
        let end = starts.get(last).map_or(f.text.len(), |&e| e as usize);
        let too_long = (first..last).any(|l| {
            let e = starts.get(l + 1).map_or(f.text.len(), |&e| e as usize);
            e - starts[l] as usize > MAX_LINE
        });
        if too_long {
            return None;
        }
        // A byte-order mark that starts the file is its encoding, not content: kept as it is.
        let bom = if start == 0 && f.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let (rest, escapes) = escape(&f.text[start + bom..end], true);
        let escapes = escapes
            .into_iter()
            .map(|e| Escape {
                at: start + bom + e.at,
                drawn: bom + e.drawn,
                grown: e.grown,
            })
            .collect();
        Some(Excerpt {
            name: visible(&f.path).into_owned(),
            text: format!("{}{rest}", &f.text[start..start + bom]),
            start,
            escapes,
            line_base: first,
        })
    }

    /// Where file offset `o` is drawn: moved past the escapes before it.
    fn offset(&self, o: usize) -> usize {
        match self.escapes.partition_point(|e| e.at < o) {
            0 => o,
            n => o + self.escapes[n - 1].grown,
        }
    }

    /// How much longer the escapes drawn before `drawn` (an offset in `text`) made the text.
    fn grown_before(&self, drawn: usize) -> usize {
        match self.escapes.partition_point(|e| e.drawn < drawn) {
            0 => 0,
            n => self.escapes[n - 1].grown,
        }
    }

    /// A label on the file span `span`, placed on the drawn text.
    fn label(&self, span: crate::source::Span, text: &str, primary: bool) -> LabeledSpan {
        let (a, b) = (
            self.offset(span.start as usize),
            self.offset(span.end as usize),
        );
        let text = Some(visible(text).into_owned());
        if primary {
            LabeledSpan::new_primary_with_span(text, (a, b - a))
        } else {
            LabeledSpan::new_with_span(text, (a, b - a))
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if span.offset() < self.start || span.offset() + span.len() > self.start + self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let local = SourceSpan::new((span.offset() - self.start).into(), span.len());
        let part = self.text.as_bytes();
        let c = part.read_span(&local, before, after)?;
        let data: &'a [u8] = &part[c.span().offset()..c.span().offset() + c.span().len()];
        // miette shows the primary label's column (in bytes) as the position: the file's, so
        // without what the escapes before it on its line added.
        let at = local.offset();
        let column = c.column() - (self.grown_before(at) - self.grown_before(at - c.column()));
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                data,
                SourceSpan::new((self.start + c.span().offset()).into(), c.span().len()),
                self.line_base + c.line(),
                column,
                self.line_base + c.line_count(),
            )
            .with_language("json"),
        ))
    }
}

/// No source to draw from (the report has no labels).
fn empty(db: &SourceDb, file: FileId) -> Excerpt {
    Excerpt {
        name: visible(&db.get(file).path).into_owned(),
        text: String::new(),
        start: 0,
        escapes: Vec::new(),
        line_base: 0,
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// A diagnostic as a miette report. With `links` (a colour terminal), the rule's name heads it
/// as a hyperlink to its documentation; otherwise the message starts with the name.
fn report(db: &SourceDb, d: &Diagnostic, links: bool) -> Report {
    // (span in the file, text, primary), made into labels once the excerpt is known.
    let mut marks = Vec::new();
    if !db.get(d.at.file).text.is_empty() {
        marks.push((d.at.span, d.label.as_str(), true));
    }
    let mut related = Vec::new();
    for r in &d.related {
        // Labels near the primary share its snippet; others get a snippet of their own (miette
        // would otherwise draw every line between two far-apart labels).
        if r.at.file == d.at.file && r.at.line.abs_diff(d.at.line) <= 3 {
            marks.push((r.at.span, r.message.as_str(), false));
        } else {
            let (source, labels) = match Excerpt::around(db, r.at.file, &[r.at.span]) {
                Some(x) => {
                    let label = x.label(r.at.span, &r.message, false);
                    (x, vec![label])
                }
                None => (empty(db, r.at.file), Vec::new()),
            };
            let message = if labels.is_empty() {
                format!(
                    "in {}:{}:{}: {}",
                    visible(&r.at.path),
                    r.at.line,
                    r.at.column,
                    visible(&r.message)
                )
            } else {
                format!("in {}", visible(&r.at.path))
            };
            related.push(Report {
                message,
                code: None,
                url: None,
                severity: miette::Severity::Advice,
                help: None,
                source,
                labels,
                related: Vec::new(),
            });
        }
    }
    let help = match (&d.help, &d.note) {
        (Some(h), Some(n)) => Some(format!("{}\nnote: {}", visible(h), visible(n))),
        (Some(h), None) => Some(visible(h).into_owned()),
        (None, Some(n)) => Some(format!("note: {}", visible(n))),
        (None, None) => None,
    };
    let spans: Vec<crate::source::Span> = marks.iter().map(|m| m.0).collect();
    let mut message = if links {
        visible(&d.message).into_owned()
    } else {
        format!("{}: {}", d.rule, visible(&d.message))
    };
    let (source, labels) = match Excerpt::around(db, d.at.file, &spans) {
        Some(x) => {
            let labels = marks.iter().map(|m| x.label(m.0, m.1, m.2)).collect();
            (x, labels)
        }
        None => {
            // A line too long to draw: say where instead.
            message.push_str(&format!(
                " (at {}:{}:{})",
                visible(&d.at.path),
                d.at.line,
                d.at.column
            ));
            (empty(db, d.at.file), Vec::new())
        }
    };
    Report {
        message,
        code: links.then(|| d.rule.to_string()),
        url: links.then(|| super::rule_url(d.rule)),
        severity: severity(d.severity),
        help,
        source,
        labels,
        related,
    }
}

/// Renders every diagnostic and the summary line.
pub fn render(db: &SourceDb, diags: &[Diagnostic], summary: Summary, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(style.links)
        .with_link_display_text("")
        .with_context_lines(1)
        .with_show_related_as_nested(true)
        .with_wrap_lines(false);
    let mut out = String::new();
    for d in diags {
        let r = report(db, d, style.links);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}: {}\n", d.rule, visible(&d.message)));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(summary));
    out.push('\n');
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn summary_line(s: Summary) -> String {
    let scope = format!(
        "{} ({}, {})",
        plural(s.files, "file", "files"),
        plural(s.vnets, "vnet", "vnets"),
        plural(s.peerings, "peering", "peerings")
    );
    if s.errors + s.warnings + s.infos == 0 {
        return format!("No problems found in {scope}.");
    }
    let mut parts = Vec::new();
    if s.errors > 0 {
        parts.push(plural(s.errors, "error", "errors"));
    }
    if s.warnings > 0 {
        parts.push(plural(s.warnings, "warning", "warnings"));
    }
    if s.infos > 0 {
        parts.push(plural(s.infos, "info", "infos"));
    }
    let list = match parts.len() {
        1 => parts[0].clone(),
        _ => format!(
            "{} and {}",
            parts[..parts.len() - 1].join(", "),
            parts[parts.len() - 1]
        ),
    };
    format!("Found {list} in {scope}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Position;
    use crate::source::{SourceFile, Span};

    #[test]
    fn hidden_characters_in_the_input_are_shown_escaped_and_labels_stay_aligned() {
        // A BOM, CRLF line ends, then an ESC sequence, a bidi override, a NUL and a lone CR
        // before the labelled value.
        let text = "\u{feff}{\r\n  \"name\": \"\u{1b}[2J\u{202e}x\0\r\",  \"at\": 1\r\n}\r\n";
        let mut db = SourceDb::default();
        let file = db.add(SourceFile::new("in\u{7}.json".into(), text.into(), 3));
        let one = text.find('1').unwrap();
        let d = Diagnostic {
            rule: "invalid-spec",
            severity: Severity::Error,
            message: "value `\u{1b}[2J` \u{9b}".into(),
            help: Some("fix\u{200b}it".into()),
            note: None,
            at: Position {
                file,
                path: "in\u{7}.json".into(),
                span: Span::new(one, one + 1),
                line: 2,
                column: 30,
                pointer: String::new(),
            },
            label: "here\r".into(),
            resource: None,
            related: Vec::new(),
        };
        let summary = Summary::new(1, 0, 0, std::slice::from_ref(&d));
        let style = Style {
            color: false,
            width: 80,
            links: false,
        };
        let out = render(&db, &[d], summary, style);
        // Only the file's byte-order mark is left as it is.
        assert!(
            !out.replacen("1 │ \u{feff}{", "", 1)
                .chars()
                .any(|c| c != '\n' && is_hidden(c)),
            "hidden characters in {out:?}"
        );
        assert!(
            out.contains("invalid-spec: value `\\u{1b}[2J` \\u{9b}"),
            "{out}"
        );
        assert!(out.contains("help: fix\\u{200b}it"), "{out}");
        // The position is the file's (miette counts bytes), not the escaped line's.
        assert!(out.contains("[in\\u{7}.json:2:32]"), "{out}");
        let line = r#"2 │   "name": "\u{1b}[2J\u{202e}x\u{0}\u{d}",  "at": 1"#;
        assert!(out.contains(line), "{out}");
        // The label points at `1` in the escaped line.
        let column = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
        let lines: Vec<&str> = out.lines().collect();
        let at = lines.iter().position(|l| l.contains(line)).unwrap();
        assert_eq!(
            column(lines[at], ": 1"),
            column(lines[at + 1], "┬").map(|c| c - 2)
        );
        assert!(lines[at + 2].ends_with("╰── here\\u{d}"), "{out}");
    }
}
