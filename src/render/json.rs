//! `--format json`: a versioned contract other tools read.
//!
//! `{"version":1,"diagnostics":[{"rule","severity","message","help","path","span":{"start","end"},
//! "line","column","pointer","resource","related":[{"path","span","line","column","message"}]}],
//! "summary":{"files","vnets","peerings","errors","warnings","infos"}}`

use serde::Serialize;

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<Diag<'a>>,
    summary: SummaryOut,
}

#[derive(Serialize)]
struct SpanOut {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct Diag<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    note: Option<&'a str>,
    path: &'a str,
    span: SpanOut,
    line: usize,
    column: usize,
    pointer: &'a str,
    resource: Option<&'a str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    path: &'a str,
    span: SpanOut,
    line: usize,
    column: usize,
    pointer: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct SummaryOut {
    files: usize,
    vnets: usize,
    peerings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

pub fn render(diags: &[Diagnostic], summary: Summary) -> String {
    let out = Output {
        version: 1,
        diagnostics: diags
            .iter()
            .map(|d| Diag {
                rule: d.rule,
                severity: d.severity,
                message: &d.message,
                help: d.help.as_deref(),
                note: d.note.as_deref(),
                path: &d.at.path,
                span: SpanOut {
                    start: d.at.span.start,
                    end: d.at.span.end,
                },
                line: d.at.line,
                column: d.at.column,
                pointer: &d.at.pointer,
                resource: d.resource.as_deref(),
                related: d
                    .related
                    .iter()
                    .map(|r| Related {
                        path: &r.at.path,
                        span: SpanOut {
                            start: r.at.span.start,
                            end: r.at.span.end,
                        },
                        line: r.at.line,
                        column: r.at.column,
                        pointer: &r.at.pointer,
                        message: &r.message,
                    })
                    .collect(),
            })
            .collect(),
        summary: SummaryOut {
            files: summary.files,
            vnets: summary.vnets,
            peerings: summary.peerings,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
        },
    };
    let mut s = serde_json::to_string_pretty(&out).expect("serialisable");
    s.push('\n');
    super::json_visible(s)
}
