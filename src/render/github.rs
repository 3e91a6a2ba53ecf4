//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner turns
//! into annotations on the pull request's files:
//!
//! `::error file=hub.json,line=12,col=5,endLine=12,endColumn=20,title=peerlint(rule)::message`
//!
//! Errors are `error`, warnings `warning`, infos `notice`. The message is the finding's,
//! followed by one line per related label (`  path:line:col: text`) and its help and note;
//! line breaks and hidden characters within each are written as `\u{…}` escapes. GitHub's
//! escaping applies: `%`, CR and LF everywhere, and `:` and `,` in properties.
//! Columns count characters, as the JSON format's do; ends are exclusive.

use super::{detail_lines, end_of, visible, visible_lines};
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::SourceDb;

/// One workflow command per diagnostic.
pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (end_line, end_column) = end_of(db, &d.at);
        // Each part on one line of its own, so that the first line is always the message.
        let message = visible(&d.message).into_owned() + &detail_lines(d);
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={end_line},endColumn={end_column},title={}::{}\n",
            property(&d.at.path),
            d.at.line,
            d.at.column,
            property(&format!("peerlint({})", d.rule)),
            data(&message),
        ));
    }
    out
}

/// A command's message: `%`, CR and LF escaped (and hidden characters shown as escapes).
pub fn data(s: &str) -> String {
    visible_lines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`data`], and `:` and `,` escaped.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% a\nb: c, d"), "50%25 a%0Ab: c, d");
        // A carriage return is a hidden character: shown as an escape, never a line break.
        assert_eq!(data("a\r\nb"), "a\\u{d}%0Ab");
        assert_eq!(property("C:\\x,y%.json"), "C%3A\\x%2Cy%25.json");
        // A hidden character is shown as an escape, so it can't act on the log viewer.
        assert_eq!(data("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    }
}
