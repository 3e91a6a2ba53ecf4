//! A rendered-ready finding: rule, severity, positions resolved to path, line, column and
//! JSON Pointer. Renderers take these and the source texts, nothing else.

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
