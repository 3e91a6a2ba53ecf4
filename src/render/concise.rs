//! `--format concise`: one line per finding, for CI logs and editors' problem matchers, as
//! ruff's and tflint's compact formats:
//!
//! `path:line:col: severity[rule]: message`
//!
//! then the summary line (left out with `--quiet`). Columns count characters, as the JSON
//! format's do. Line breaks and hidden characters from the inputs are written as escapes, so
//! a finding is always one line.

use super::{Summary, human::summary_line, one_line};
use crate::diagnostic::Diagnostic;

/// One line per diagnostic, and the summary line when `summary` is given.
pub fn render(diags: &[Diagnostic], summary: Option<Summary>) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&one_line(d));
        out.push('\n');
    }
    if let Some(s) = summary {
        out.push_str(&summary_line(s));
        out.push('\n');
    }
    out
}
