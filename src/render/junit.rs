//! `--format junit`: JUnit XML, for the test tabs of Azure Pipelines (`PublishTestResults`,
//! `testResultsFormat: JUnit`) and GitLab (`artifacts:reports:junit`).
//!
//! One `testsuite` per file with findings, one `testcase` per finding: its name is the rule
//! and the subject (`missing-reverse-peering: vnet-hub/hub-to-spoke4`, or the position for a
//! file-level finding), its `classname` and `file` the path. A finding that fails the run
//! (`--fail-on`, errors by default) is a `failure`; the others are `skipped`, with the same
//! text: both tools list skipped tests apart from passed ones (Azure Pipelines as "Not
//! executed", GitLab as "skipped"), so a warning stays visible without failing the tab, where
//! a passing test with `system-out` would be counted as a pass and its text shown by neither
//! without opening it. A run without findings is one passing test case, `no findings`, so the
//! tab shows the check ran.
//!
//! The body of each `failure` and `skipped` starts with the finding as the concise format
//! writes it (`path:line:col: severity[rule]: message`), then its related labels, help and
//! note. Text is escaped for XML; characters XML 1.0 can't hold are written as `\u{…}`.

use super::{Summary, detail_lines, human::summary_line, one_line, subject, visible_lines};
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;

/// The JUnit report; findings at or above `fail_on` are failures.
pub fn render(diags: &[Diagnostic], summary: Summary, fail_on: Severity) -> String {
    // Files in the order their first finding comes, findings in the order given.
    let mut files: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
    let mut by_path: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in diags {
        let i = *by_path.entry(d.at.path.as_str()).or_insert_with(|| {
            files.push((d.at.path.as_str(), Vec::new()));
            files.len() - 1
        });
        files[i].1.push(d);
    }
    let failures = diags.iter().filter(|d| d.severity >= fail_on).count();
    let skipped = diags.len() - failures;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if diags.is_empty() {
        out.push_str(&format!(
            "<testsuites name=\"peerlint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n  \
             <testsuite name=\"peerlint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    \
             <testcase name=\"no findings\" classname=\"peerlint\">\n      \
             <system-out>{}</system-out>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
            escape(&summary_line(summary), false)
        ));
        return out;
    }
    out.push_str(&format!(
        "<testsuites name=\"peerlint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n",
        diags.len()
    ));
    for (path, list) in &files {
        let failures = list.iter().filter(|d| d.severity >= fail_on).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\">\n",
            escape(path, true),
            list.len(),
            list.len() - failures
        ));
        for d in list {
            let name = match subject(d) {
                Some(s) => format!("{}: {s}", d.rule),
                None => format!("{}: {}:{}", d.rule, d.at.line, d.at.column),
            };
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n",
                escape(&name, true),
                escape(path, true),
                escape(path, true),
                d.at.line
            ));
            let (element, kind) = if d.severity >= fail_on {
                ("failure", format!(" type=\"{}\"", d.rule))
            } else {
                ("skipped", String::new())
            };
            out.push_str(&format!(
                "      <{element}{kind} message=\"{}\">{}</{element}>\n",
                escape(&d.message, true),
                escape(&details(d), false)
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The text of a finding: the concise line, related labels, help, note, each on one line (line
/// breaks within them written as `\u{a}`).
fn details(d: &Diagnostic) -> String {
    one_line(d) + &detail_lines(d)
}

/// Text as XML character data (or, with `attribute`, as a double-quoted attribute value,
/// where line breaks and tabs are written as references so that they survive attribute
/// normalisation). Characters XML 1.0 doesn't allow, and hidden ones, are written as `\u{…}`.
pub fn escape(text: &str, attribute: bool) -> String {
    let text = visible_lines(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            // Not XML 1.0 characters (`visible_lines` has escaped the other controls).
            '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b & \"c\"\n\u{0}\u{ffff}\r\t", true),
            "a&lt;b &amp; &quot;c&quot;&#10;\\u{0}\\u{ffff}\\u{d}&#9;"
        );
        assert_eq!(escape("a\n\"b\"", false), "a\n\"b\"");
    }
}
