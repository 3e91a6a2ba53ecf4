//! `--format human`: miette reports with labels on the offending value and on the other
//! parties; labels in other files are shown as related snippets with their own source.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource, SourceCode,
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
    source: NamedSource<Arc<String>>,
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

fn source(db: &SourceDb, file: FileId) -> NamedSource<Arc<String>> {
    let f = db.get(file);
    NamedSource::new(f.path.clone(), f.text.clone()).with_language("json")
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
            related.push(Report {
                message: format!("in {}", r.at.path),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: source(db, r.at.file),
                labels: vec![labelled(r.at.span, &r.message, false)],
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
    Report {
        message: format!("{}: {}", d.rule, d.message),
        code: None,
        severity: severity(d.severity),
        help,
        source: source(db, d.at.file),
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
