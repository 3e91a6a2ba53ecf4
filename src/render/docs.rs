//! Rule documentation for the web: one page per rule (`docs/rules/<name>.md`) and an index
//! (`docs/rules/README.md`), generated from each rule's metadata. The doc comment is the only
//! text about a rule: these pages, `peerlint rule NAME` and SARIF's rule descriptions all read
//! it. `tests/registry.rs` fails when the files in `docs/rules` are stale and rewrites them
//! with `UPDATE_DOCS=1`.

use crate::rule::{Group, Rule, RuleMeta};

/// The rule's doc comment as Markdown (the space after each `///` removed).
pub fn body(m: &RuleMeta) -> String {
    m.docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

/// The rule's source file, relative to the repository (`rules/self_peering.rs`).
pub fn source_file(m: &RuleMeta) -> &'static str {
    let f = m.file;
    f.rfind("rules/").map_or(f, |i| &f[i..])
}

/// The Azure error codes the rule's docs name: the codes in backticks after "with" in a
/// sentence that says Azure rejects, refuses or fails (`Azure rejects the subnet with
/// `NetcfgSubnetRangesOverlap``; several joined by "or" or commas).
pub fn azure_error_codes(docs: &str) -> Vec<&str> {
    // Line breaks as spaces (one byte each way, so offsets stay those of `docs`).
    let flat = docs.replace('\n', " ");
    let mut out: Vec<&str> = Vec::new();
    let mut sentence_start = 0;
    let ends = flat
        .match_indices(". ")
        .chain(flat.match_indices("; "))
        .map(|(i, _)| i + 1)
        .chain([flat.len()]);
    let mut ends: Vec<usize> = ends.collect();
    ends.sort_unstable();
    for end in ends {
        let sentence = &flat[sentence_start..end];
        let base = sentence_start;
        sentence_start = end;
        let says_rejected = ["rejects", "refuses", "fails", "rejected", "refused"]
            .iter()
            .any(|w| sentence.contains(w));
        if !says_rejected {
            continue;
        }
        for (i, _) in sentence.match_indices("with ") {
            let after = &sentence[i + "with ".len()..];
            let mut at = sentence.len() - after.trim_start().len();
            while let Some((code, _)) = sentence[at..]
                .strip_prefix('`')
                .and_then(|t| t.split_once('`'))
            {
                if !is_error_code(code) {
                    break;
                }
                let code = &docs[base + at + 1..base + at + 1 + code.len()];
                if !out.contains(&code) {
                    out.push(code);
                }
                at += code.len() + 2;
                // `, `, ` or ` or `, or ` before the next code (a line break is a space).
                let rest = &sentence[at..];
                let mut next = rest.trim_start();
                let comma = next.strip_prefix(',');
                next = comma.unwrap_or(next).trim_start();
                let or = next.strip_prefix("or ");
                if comma.is_none() && or.is_none() {
                    break;
                }
                next = or.unwrap_or(next).trim_start();
                at += rest.len() - next.len();
            }
        }
    }
    out
}

/// An Azure error code: a PascalCase identifier of at least two words (`InvalidCIDRNotation`).
fn is_error_code(s: &str) -> bool {
    s.len() >= 8
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2
}

/// What a group means, for the index.
fn group_text(g: Group) -> &'static str {
    match g {
        Group::Correctness => {
            "The deployment fails, or traffic the design expects cannot flow: errors by default."
        }
        Group::Suspicious => "It deploys, but is probably wrong: warnings by default.",
        Group::Advisory => "Worth knowing; never fails a run: infos by default.",
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The page of one rule, `docs/rules/<name>.md`.
pub fn page(r: &dyn Rule) -> String {
    let m = r.meta();
    let mut s = format!("# {}\n\n{}.\n\n", m.name, capitalise(m.summary));
    s.push_str(&format!(
        "- **Group:** {} (default severity: {})\n",
        m.group.name(),
        m.severity().name()
    ));
    if m.needs.is_empty() {
        s.push_str("- **Reads:** the input files themselves, no fact of the design\n");
    } else {
        let facts: Vec<&str> = m.needs.iter().map(|f| f.text()).collect();
        s.push_str(&format!("- **Reads:** {}\n", facts.join(", ")));
    }
    let codes = azure_error_codes(m.docs);
    if !codes.is_empty() {
        let codes: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        let label = if codes.len() == 1 {
            "Azure error code"
        } else {
            "Azure error codes"
        };
        s.push_str(&format!("- **{label}:** {}\n", codes.join(", ")));
    }
    let file = source_file(m);
    s.push_str(&format!("- **Source:** [`{file}`](../../{file})\n\n"));
    s.push_str(&body(m));
    s.push_str(&format!(
        "\n---\n\n[All rules](README.md). Generated from the doc comment in `{file}` by \
         `UPDATE_DOCS=1 cargo test --test registry`: edit the doc comment, not this page.\n"
    ));
    s
}

/// The index of every rule, `docs/rules/README.md`, grouped as `--select` groups them.
pub fn index(rules: &[&dyn Rule]) -> String {
    let mut s = String::from(
        "# peerlint rules\n\n\
         Every rule of peerlint, by group. A rule's name is what `--select`, `--ignore` and \
         SARIF's `ruleId` use; a group's name selects all of its rules. `peerlint rule NAME` \
         prints a rule's page in the terminal.\n\n\
         These pages are generated from the rules' doc comments by \
         `UPDATE_DOCS=1 cargo test --test registry`.\n",
    );
    for g in Group::ALL {
        s.push_str(&format!(
            "\n## {}\n\n{}\n\n| rule | what it flags | Azure error code |\n|---|---|---|\n",
            capitalise(g.name()),
            group_text(g)
        ));
        for r in rules.iter().filter(|r| r.meta().group == g) {
            let m = r.meta();
            let codes: Vec<String> = azure_error_codes(m.docs)
                .iter()
                .map(|c| format!("`{c}`"))
                .collect();
            s.push_str(&format!(
                "| [`{0}`]({0}.md) | {1} | {2} |\n",
                m.name,
                cell(m.summary),
                codes.join(", ")
            ));
        }
    }
    s
}

/// Markdown as plain text, for SARIF's `text` forms: headings without their `#`, code blocks
/// indented instead of fenced, inline code without backticks, links as `text (url)`.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(h) = line.strip_prefix('#') {
            out.push_str(h.trim_start_matches('#').trim());
        } else {
            out.push_str(&inline_plain(line));
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// One line of Markdown prose as plain text.
fn inline_plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        match c {
            '`' => {
                // Inline code: its text, as it is.
                let ticks = rest.len() - rest.trim_start_matches('`').len();
                let fence = &rest[..ticks];
                match rest[ticks..].find(fence) {
                    Some(end) => {
                        out.push_str(rest[ticks..ticks + end].trim());
                        rest = &rest[ticks + end + ticks..];
                    }
                    None => {
                        out.push_str(fence);
                        rest = &rest[ticks..];
                    }
                }
            }
            '[' => {
                // `[text](url)` → `text (url)`.
                let link = rest[1..].split_once("](").and_then(|(text, tail)| {
                    tail.split_once(')')
                        .filter(|(url, _)| !url.contains(' '))
                        .map(|(url, after)| (text, url, after))
                });
                match link {
                    Some((text, url, after)) if !text.contains(']') => {
                        out.push_str(&format!("{} ({url})", inline_plain(text)));
                        rest = after;
                    }
                    _ => {
                        out.push('[');
                        rest = &rest[1..];
                    }
                }
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_where_azure_rejects() {
        let docs = "## Why is this bad?\n Azure rejects the vnet with `InvalidAddressPrefixFormat` or\n `InvalidCIDRNotation`. Set it with `allowGatewayTransit`; pair it with `GatewaySubnet`.\n";
        assert_eq!(
            azure_error_codes(docs),
            ["InvalidAddressPrefixFormat", "InvalidCIDRNotation"]
        );
        assert!(azure_error_codes("Azure deploys it with `GatewaySubnet`.").is_empty());
    }

    #[test]
    fn markdown_becomes_plain_text() {
        let md = "## What it does\nFlags `a` and ``b`c`` ([docs](https://x.test/a)).\n```json\n{\"a\": 1}\n```\n";
        assert_eq!(
            plain_text(md),
            "What it does\nFlags a and b`c (docs (https://x.test/a)).\n    {\"a\": 1}"
        );
        assert_eq!(plain_text("a `b"), "a `b");
        assert_eq!(plain_text("[x] and [y](z w)"), "[x] and [y](z w)");
    }
}
