//! `--format human`: miette reports with labels on the offending value and on the other
//! parties; labels in other files are shown as related snippets with their own source.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::{FileId, SourceDb};

/// How to draw.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

struct Report {
    message: String,
    code: Option<String>,
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
struct Excerpt {
    name: String,
    text: Arc<String>,
    start: usize,
    end: usize,
    /// Lines before the excerpt.
    line_base: usize,
}

/// Lines longer than this are not drawn (minified JSON): the finding gives line and column.
const MAX_LINE: usize = 4096;

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
        (!too_long).then(|| Excerpt {
            name: f.path.clone(),
            text: f.text.clone(),
            start,
            end,
            line_base: first,
        })
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if span.offset() < self.start || span.offset() + span.len() > self.end {
            return Err(MietteError::OutOfBounds);
        }
        let local = SourceSpan::new((span.offset() - self.start).into(), span.len());
        let part = self.text[self.start..self.end].as_bytes();
        let c = part.read_span(&local, before, after)?;
        let data: &'a [u8] = &self.text.as_bytes()
            [self.start + c.span().offset()..self.start + c.span().offset() + c.span().len()];
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                data,
                SourceSpan::new((self.start + c.span().offset()).into(), c.span().len()),
                self.line_base + c.line(),
                c.column(),
                self.line_base + c.line_count(),
            )
            .with_language("json"),
        ))
    }
}

/// No source to draw from (the report has no labels).
fn empty(db: &SourceDb, file: FileId) -> Excerpt {
    Excerpt {
        name: db.get(file).path.clone(),
        text: Arc::new(String::new()),
        start: 0,
        end: 0,
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

fn labelled(span: crate::source::Span, text: &str, primary: bool) -> LabeledSpan {
    let s = (span.start as usize, span.len());
    if primary {
        LabeledSpan::new_primary_with_span(Some(text.to_string()), s)
    } else {
        LabeledSpan::new_with_span(Some(text.to_string()), s)
    }
}

fn report(db: &SourceDb, d: &Diagnostic) -> Report {
    let mut labels = Vec::new();
    if !db.get(d.at.file).text.is_empty() {
        labels.push(labelled(d.at.span, &d.label, true));
    }
    let mut related = Vec::new();
    for r in &d.related {
        // Labels near the primary share its snippet; others get a snippet of their own (miette
        // would otherwise draw every line between two far-apart labels).
        if r.at.file == d.at.file && r.at.line.abs_diff(d.at.line) <= 3 {
            labels.push(labelled(r.at.span, &r.message, false));
        } else {
            let (source, labels) = match Excerpt::around(db, r.at.file, &[r.at.span]) {
                Some(x) => (x, vec![labelled(r.at.span, &r.message, false)]),
                None => (empty(db, r.at.file), Vec::new()),
            };
            let message = if labels.is_empty() {
                format!(
                    "in {}:{}:{}: {}",
                    r.at.path, r.at.line, r.at.column, r.message
                )
            } else {
                format!("in {}", r.at.path)
            };
            related.push(Report {
                message,
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source,
                labels,
                related: Vec::new(),
            });
        }
    }
    let help = match (&d.help, &d.note) {
        (Some(h), Some(n)) => Some(format!("{h}\nnote: {n}")),
        (Some(h), None) => Some(h.clone()),
        (None, Some(n)) => Some(format!("note: {n}")),
        (None, None) => None,
    };
    let spans: Vec<crate::source::Span> = labels
        .iter()
        .map(|l: &LabeledSpan| crate::source::Span::new(l.offset(), l.offset() + l.len()))
        .collect();
    let mut message = format!("{}: {}", d.rule, d.message);
    let source = match Excerpt::around(db, d.at.file, &spans) {
        Some(x) => x,
        None => {
            // A line too long to draw: say where instead.
            labels.clear();
            message.push_str(&format!(
                " (at {}:{}:{})",
                d.at.path, d.at.line, d.at.column
            ));
            empty(db, d.at.file)
        }
    };
    Report {
        message,
        code: None,
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
        .with_links(false)
        .with_context_lines(1)
        .with_show_related_as_nested(true)
        .with_wrap_lines(false);
    let mut out = String::new();
    for d in diags {
        let r = report(db, d);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}: {}\n", d.rule, d.message));
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
