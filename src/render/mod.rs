//! Renderers: the only code that knows miette or machine formats.
//!
//! Text from the inputs (names, tags, JSON strings, file names) reaches a terminal only through
//! [`visible`] (human output, standard error) or [`json_visible`] (JSON output): a crafted
//! export must not be able to move the cursor, clear the screen or reorder what a reviewer
//! sees.
//!
//! The report renderers (`human`, `json`, `sarif`, `github`, `junit`, `concise`) each take a
//! slice of diagnostics and render every one of them, in the order given: a caller that drops
//! some (exceptions, a baseline) passes the rest, and every format shows the same findings.

pub mod concise;
pub mod config;
pub mod docs;
pub mod expand;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod reach;
pub mod sarif;

use std::borrow::Cow;
use std::fmt::Write as _;

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

/// Whether `c` would not show as itself in a terminal: C0 controls other than newline and tab
/// (NUL, ESC, BEL, a lone CR, ...), DEL and C1 controls, and invisible format characters (soft
/// hyphen, zero-width spaces and joiners, bidirectional marks, embeddings, overrides and
/// isolates, line and paragraph separators, byte-order mark, interlinear annotations, tag
/// characters).
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
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
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Text from the input as it is shown on one line of a terminal: every hidden character, and
/// newlines and tabs (which would start a line of their own, or shift what follows), written
/// as a Rust escape (`\u{1b}`, `\u{202e}`, `\u{a}`).
pub fn visible(text: &str) -> Cow<'_, str> {
    let shown = |c: char| !is_hidden(c) && c != '\n' && c != '\t';
    if text.chars().all(shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if shown(c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// Text of several lines, each made by peerlint around values from the input: every hidden
/// character escaped as [`visible`] does, newlines and tabs kept. Prefer [`visible`] on each
/// value where the lines are made: a newline inside a value still starts a line here.
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A finding as one line, `path:line:col: severity[rule]: message`, with its text made
/// [`visible`] (the `concise` format's line, and the first line of a JUnit failure).
pub fn one_line(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}]: {}",
        visible(&d.at.path),
        d.at.line,
        d.at.column,
        d.severity.name(),
        d.rule,
        visible(&d.message)
    )
}

/// What follows a finding's message where each part gets a line of its own (JUnit, GitHub
/// annotations): each related label as `\n  path:line:col: text`, then `\nhelp: …` and
/// `\nnote: …`, each made [`visible`].
pub fn detail_lines(d: &Diagnostic) -> String {
    let mut s = String::new();
    for r in &d.related {
        let _ = write!(
            s,
            "\n  {}:{}:{}: {}",
            visible(&r.at.path),
            r.at.line,
            r.at.column,
            visible(&r.message)
        );
    }
    if let Some(h) = &d.help {
        let _ = write!(s, "\nhelp: {}", visible(h));
    }
    if let Some(n) = &d.note {
        let _ = write!(s, "\nnote: {}", visible(n));
    }
    s
}

/// JSON text with the hidden characters serde_json writes as they are (DEL, C1 controls,
/// invisible format characters) written as `\uXXXX` escapes: the same JSON value, but nothing
/// in it that a terminal would act on. serde_json already escapes C0 controls.
pub fn json_visible(json: String) -> String {
    // Printable ASCII and newlines (nearly all output) need no look at characters.
    let plain = |b: &u8| (0x20..0x7f).contains(b) || *b == b'\n';
    if json.as_bytes().iter().all(plain) || !json.chars().any(is_hidden) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hidden(c) {
            // These characters occur only inside strings (the JSON syntax is ASCII).
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_what_would_act_on_a_terminal() {
        assert!(matches!(visible("vnet-hub/sub 1"), Cow::Borrowed(_)));
        assert_eq!(
            visible("a\u{1b}[2Jb\u{7}c\nd\te\u{202e}f\u{9b}g\u{e0041}"),
            "a\\u{1b}[2Jb\\u{7}c\\u{a}d\\u{9}e\\u{202e}f\\u{9b}g\\u{e0041}"
        );
        // Ordinary non-ASCII text is shown as it is.
        assert_eq!(visible("n\u{e4}me \u{1F600}"), "n\u{e4}me \u{1F600}");
    }

    #[test]
    fn json_visible_keeps_the_value_and_hides_nothing() {
        let value = serde_json::json!({"name": "x\u{1b}\u{7f}\u{9b}\u{202e}\u{e0041}\n\u{e4}"});
        let text = json_visible(serde_json::to_string(&value).unwrap());
        assert!(!text.chars().any(|c| is_hidden(c) || c == '\n'), "{text:?}");
        assert!(
            text.contains("\\u202e") && text.contains("\\udb40\\udc41"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
