//! Renderers: the only code that knows miette or machine formats.

//!
//! The report renderers (`human`, `json`, `sarif`, `github`, `junit`, `concise`) each take a
//! slice of diagnostics and render every one of them, in the order given: a caller that drops
//! some (exceptions, a baseline) passes the rest, and every format shows the same findings.

pub mod concise;
pub mod docs;
pub mod expand;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod reach;
pub mod sarif;

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, Position};
use crate::rule::Severity;
use crate::source::SourceDb;

/// The project's home page (Cargo.toml's `repository`).
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Where a rule's documentation page is published: `docs/rules/<name>.md` of the repository,
/// on its default branch. SARIF's `helpUri` and the human renderer's links use it. A fork
/// changes `repository` in Cargo.toml (and this function, if it doesn't host on GitHub).
pub fn rule_url(name: &str) -> String {
    format!("{REPOSITORY}/blob/main/docs/rules/{name}.md")
}

/// The byte offset where a position's span ends, a line break at its end left out (a value
/// ends on the line the break closes, not at the start of the next one).
pub fn end_offset(db: &SourceDb, at: &Position) -> usize {
    let text = db.get(at.file).text.as_str();
    let start = (at.span.start as usize).min(text.len());
    let mut end = (at.span.end as usize).clamp(start, text.len());
    while end > start && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// Where a position's span ends: the 1-based line and column (in characters, as
/// [`Position::column`]) just after its last character (see [`end_offset`]).
pub fn end_of(db: &SourceDb, at: &Position) -> (usize, usize) {
    let end = end_offset(db, at);
    if end <= at.span.start as usize {
        return (at.line, at.column);
    }
    db.get(at.file).line_col(end)
}

/// Whether a character must not reach a log or a terminal as it is: control characters other
/// than line breaks and tabs, and the invisible ones that hide or reorder text (bidirectional
/// overrides, zero-width characters).
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t' && c != '\r')
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Text from the inputs (names, messages, paths) made safe for a line-oriented log: hidden
/// characters, and line breaks and tabs too when `one_line`, written as Rust escapes
/// (`\u{1b}`).
pub(crate) fn visible(text: &str, one_line: bool) -> Cow<'_, str> {
    let escaped = |c: char| is_hidden(c) || (one_line && matches!(c, '\n' | '\r' | '\t'));
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How a finding names its subject: the resource names of its ARM id, from the vnet down
/// (`vnet-hub/hub-to-spoke1`), or None for a file-level finding.
pub fn subject(d: &Diagnostic) -> Option<String> {
    let id = d.resource.as_deref()?;
    // `/subscriptions/s/resourceGroups/g/providers/Namespace/type/name[/type/name…]`: the
    // names are every other segment after the namespace.
    let lower = id.to_ascii_lowercase();
    let names = match lower.rfind("/providers/") {
        Some(i) => {
            let rest = &id[i + "/providers/".len()..];
            let segments: Vec<&str> = rest.split('/').skip(1).collect();
            segments
                .iter()
                .skip(1)
                .step_by(2)
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        }
        None => String::new(),
    };
    Some(if names.is_empty() {
        id.to_string()
    } else {
        names
    })
}

/// Counts for the summary line and the JSON summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub vnets: usize,
    pub peerings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn new(files: usize, vnets: usize, peerings: usize, diags: &[Diagnostic]) -> Summary {
        let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
        Summary {
            files,
            vnets,
            peerings,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}
