//! Between the rules and the renderer: the configuration applied to a run's findings.
//!
//! In order, for each finding: a rule that is off for the finding's file (`[[per-path]]`
//! tables) drops it; a severity set in `[severity]` replaces the rule's; an inline
//! suppression (`# peerlint: ignore[rule-name] reason` on the line before the item, in a
//! design spec or a commented JSON file) or a configured `[[exception]]` suppresses it. An
//! exception past its `expires` date no longer applies: the finding stays, and says so.
//!
//! A suppression that matched nothing is reported as `unused-suppression`, pointing at it —
//! only when the run checked the whole design (no files named, or the configured `paths`
//! loaded for context), and only for rules that ran: otherwise what it would match may simply
//! not have been looked at.
//!
//! Then [`only_named`] keeps, for a pre-commit run, the findings that touch the files named.

use std::path::{Path, PathBuf};

use crate::config::{Date, Exception, Selection, always_on};
use crate::diagnostic::{self, Diagnostic, RelatedLabel};
use crate::engine::Outcome;
use crate::model::Loc;
use crate::rule::{Rule, Severity};
use crate::rules;
use crate::source::{FileId, SourceDb, SourceFile, Span};
use crate::suggest::closest;
use crate::tree::{NodeId, Tree};

/// How to filter a run.
pub struct Request<'a> {
    pub selection: &'a Selection<'a>,
    /// The rules that ran.
    pub ran: &'a [&'static dyn Rule],
    /// The day exceptions' `expires` dates are compared with.
    pub today: Date,
    /// Whether the run checked the whole design (so a suppression that matched nothing is
    /// unused, not merely not looked at).
    pub whole: bool,
}

/// What filtering did.
#[derive(Debug, Default)]
pub struct Filtered {
    /// Findings suppressed by an exception or an inline suppression.
    pub suppressed: usize,
}

/// An inline suppression comment.
struct Inline {
    file: FileId,
    /// The comment.
    span: Span,
    /// The rules it names, each with its span.
    rules: Vec<(String, Span)>,
    reason: String,
    /// What it covers: from the start of the item's first line to the item's end.
    covers: Option<Span>,
    /// Why it can't apply (no reason, malformed), shown on its `unused-suppression`.
    broken: Option<(String, String)>,
}

/// Applies the configuration to the run's findings (in place), adding `unused-suppression`
/// findings; the result is sorted.
pub fn apply(outcome: &mut Outcome, req: &Request<'_>) -> Filtered {
    let config = req.selection.config;
    let mut rel_of: rustc_hash::FxHashMap<FileId, Option<String>> = Default::default();
    let mut rel = |db: &SourceDb, file: FileId| -> Option<String> {
        rel_of
            .entry(file)
            .or_insert_with(|| {
                db.get(file)
                    .fs_path
                    .as_deref()
                    .and_then(|p| config.relative(p))
            })
            .clone()
    };
    let mut inline = inline_suppressions(&outcome.db, outcome.trees());
    let mut used_inline = vec![Vec::new(); inline.len()];
    let mut used_exception = vec![false; config.exceptions.len()];
    let mut expired_matched = vec![false; config.exceptions.len()];
    let ran = |name: &str| req.ran.iter().any(|r| r.meta().name == name);
    let mut kept = Vec::with_capacity(outcome.diagnostics.len());
    let mut filtered = Filtered::default();
    let mut config_file: Option<FileId> = None;
    for mut d in std::mem::take(&mut outcome.diagnostics) {
        let Some(rule) = rules::by_name(d.rule) else {
            kept.push(d);
            continue;
        };
        let path = rel(&outcome.db, d.at.file);
        if !req.selection.enabled(rule, path.as_deref()) {
            continue;
        }
        if let Some((s, _)) = req.selection.severity(d.rule) {
            d.severity = overridden(rule, d.severity, s);
        }
        if always_on(d.rule) {
            kept.push(d);
            continue;
        }
        // Inline suppressions: every one that covers the finding and names its rule.
        let mut suppressed = false;
        for (i, s) in inline.iter().enumerate() {
            if s.file != d.at.file || s.broken.is_some() {
                continue;
            }
            let Some(covers) = s.covers else { continue };
            if !(covers.start..=covers.end).contains(&d.at.span.start) {
                continue;
            }
            for (name, _) in &s.rules {
                if name == d.rule {
                    used_inline[i].push(name.clone());
                    suppressed = true;
                }
            }
        }
        // Exceptions: every one that matches, so that none of them is reported unused.
        let mut expired: Option<&Exception> = None;
        for (i, e) in config.exceptions.iter().enumerate() {
            if !matches(e, &d, path.as_deref()) {
                continue;
            }
            match e.expires {
                Some((date, _)) if date < req.today => {
                    expired_matched[i] = true;
                    expired.get_or_insert(e);
                }
                _ => {
                    used_exception[i] = true;
                    suppressed = true;
                }
            }
        }
        if suppressed {
            filtered.suppressed += 1;
            continue;
        }
        if let Some(e) = expired {
            let file = *config_file.get_or_insert_with(|| add_config_file(&mut outcome.db, req));
            let (date, at) = e.expires.expect("an expired exception has a date");
            let note = format!(
                "an exception for this finding expired on {date} ({}): it no longer applies",
                config.at(e.span)
            );
            d.note = Some(match d.note.take() {
                Some(n) => format!("{n}\n{note}"),
                None => note,
            });
            d.related.push(RelatedLabel {
                at: diagnostic::position(&outcome.db, outcome.trees(), Loc::new(file, at, None)),
                message: format!("the exception expired on {date}"),
            });
        }
        kept.push(d);
    }
    // Suppressions that matched nothing.
    let unused_rule = rules::UNUSED_SUPPRESSION;
    let mut unused = Vec::new();
    if req.whole && ran(unused_rule.meta().name) {
        for (i, e) in config.exceptions.iter().enumerate() {
            if used_exception[i] || expired_matched[i] || !ran(e.rule) {
                continue;
            }
            let (message, label, help) = match e.expires {
                Some((date, _)) if date < req.today => (
                    format!(
                        "the exception for `{}` expired on {date} and matches no finding",
                        e.rule
                    ),
                    "expired, and matches nothing".to_string(),
                    "remove the exception".to_string(),
                ),
                _ => (
                    format!("the exception for `{}` matches no finding", e.rule),
                    "matches nothing".to_string(),
                    "remove the exception, or correct its `resource` or `path`".to_string(),
                ),
            };
            let file = *config_file.get_or_insert_with(|| add_config_file(&mut outcome.db, req));
            unused.push((file, e.span, message, label, help));
        }
        for (i, s) in inline.iter_mut().enumerate() {
            let path = rel(&outcome.db, s.file);
            if !req.selection.enabled(unused_rule, path.as_deref()) {
                continue;
            }
            if let Some((message, help)) = s.broken.take() {
                unused.push((s.file, s.span, message, "doesn't apply".into(), help));
                continue;
            }
            for (name, at) in &s.rules {
                if used_inline[i].contains(name) {
                    continue;
                }
                let problem = match rules::by_name(name) {
                    None => Some((
                        format!("the suppression names `{name}`, which is not a rule"),
                        match closest(name, rules::ALL.iter().map(|r| r.meta().name)) {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => "`peerlint rules` lists the rules".into(),
                        },
                    )),
                    Some(_) if always_on(name) => Some((
                        format!("`{name}` can't be suppressed"),
                        "a file peerlint can't read leaves part of the design unchecked: \
                         `exclude` it in peerlint.toml instead"
                            .into(),
                    )),
                    Some(_) if !ran(name) => None,
                    Some(_) => Some((
                        format!("the suppression of `{name}` matches no finding"),
                        "remove it, or put it on the line before the item the finding points at"
                            .into(),
                    )),
                };
                if let Some((message, help)) = problem {
                    unused.push((s.file, *at, message, "suppresses nothing".into(), help));
                }
            }
        }
    }
    for (file, span, message, label, help) in unused {
        let path = rel(&outcome.db, file);
        if !req.selection.enabled(unused_rule, path.as_deref()) {
            continue;
        }
        let mut severity = unused_rule.meta().severity();
        if let Some((s, _)) = req.selection.severity(unused_rule.meta().name) {
            severity = s;
        }
        kept.push(Diagnostic {
            rule: unused_rule.meta().name,
            severity,
            message,
            help: Some(help),
            note: None,
            at: diagnostic::position(&outcome.db, outcome.trees(), Loc::new(file, span, None)),
            label,
            resource: None,
            related: Vec::new(),
        });
    }
    diagnostic::sort(&mut kept);
    outcome.diagnostics = kept;
    filtered
}

/// A severity set in the configuration, for a finding of `rule` reported at `was`: the rule's
/// lesser form (one step down) stays one step down.
fn overridden(rule: &dyn Rule, was: Severity, set: Severity) -> Severity {
    let default = rule.meta().severity();
    if was != default && was == default.lesser() {
        set.lesser()
    } else {
        set
    }
}

/// Whether an exception matches a finding: its rule, and its `resource` glob on the finding's
/// ARM id and its `path` glob on the finding's file, each where given.
fn matches(e: &Exception, d: &Diagnostic, path: Option<&str>) -> bool {
    e.rule == d.rule
        && e.resource
            .as_ref()
            .is_none_or(|g| d.resource.as_deref().is_some_and(|id| g.matches_id(id)))
        && e.path
            .as_ref()
            .is_none_or(|g| path.is_some_and(|p| g.matches_path(p)))
}

/// Adds the configuration file to the sources, for findings that point into it.
fn add_config_file(db: &mut SourceDb, req: &Request<'_>) -> FileId {
    let file = req
        .selection
        .config
        .file
        .as_ref()
        .expect("exceptions come from a file");
    let mut f = SourceFile::new(file.display.clone(), file.text.clone(), 0);
    f.fs_path = Some(file.path.clone());
    db.add(f)
}

/// The inline suppressions of every file read, in file order.
fn inline_suppressions(db: &SourceDb, trees: &[Option<Tree>]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        let Some(tree) = tree else { continue };
        let file = FileId(i as u32);
        let Some(src) = db.try_get(file) else {
            continue;
        };
        for &c in &tree.comments {
            let raw = &src.text[c.range()];
            let Some(body) = directive(raw) else { continue };
            let mut s = parse_directive(file, c, body, raw);
            if s.broken.is_none() {
                s.covers = covered(src, tree, c);
            }
            out.push(s);
        }
    }
    out
}

/// A comment's text after `peerlint:`, if it is a peerlint directive.
fn directive(comment: &str) -> Option<&str> {
    let body = comment
        .strip_prefix('#')
        .or_else(|| comment.strip_prefix("//"))
        .or_else(|| {
            comment
                .strip_prefix("/*")
                .map(|c| c.strip_suffix("*/").unwrap_or(c))
        })?;
    body.trim_start().strip_prefix("peerlint:")
}

/// `ignore[rule-a, rule-b] reason`.
fn parse_directive(file: FileId, comment: Span, body: &str, raw: &str) -> Inline {
    let mut s = Inline {
        file,
        span: comment,
        rules: Vec::new(),
        reason: String::new(),
        covers: None,
        broken: None,
    };
    let base = comment.start as usize + (raw.len() - body.len());
    let trimmed = body.trim_start();
    let offset = base + (body.len() - trimmed.len());
    let Some(list) = trimmed.strip_prefix("ignore[") else {
        s.broken = Some((
            "malformed suppression comment".into(),
            "write `# peerlint: ignore[rule-name] reason`".into(),
        ));
        return s;
    };
    let Some(close) = list.find(']') else {
        s.broken = Some((
            "malformed suppression comment: `]` is missing".into(),
            "write `# peerlint: ignore[rule-name] reason`".into(),
        ));
        return s;
    };
    let mut at = offset + "ignore[".len();
    for name in list[..close].split(',') {
        let lead = name.len() - name.trim_start().len();
        let t = name.trim();
        if !t.is_empty() {
            s.rules
                .push((t.to_string(), Span::new(at + lead, at + lead + t.len())));
        }
        at += name.len() + 1;
    }
    s.reason = list[close + 1..].trim().to_string();
    let named = s
        .rules
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if s.rules.is_empty() {
        s.broken = Some((
            "the suppression names no rule".into(),
            "write `# peerlint: ignore[rule-name] reason`".into(),
        ));
    } else if s.reason.is_empty() {
        s.broken = Some((
            format!("the suppression of {named} has no reason, so it doesn't apply"),
            format!(
                "say why after it: `# peerlint: ignore[{}] <reason>`",
                s.rules[0].0
            ),
        ));
    }
    s
}

/// What a suppression comment covers: the item that starts on the line after it (blank lines
/// and other comments skipped), or on its own line when the comment ends a line of code; from
/// the start of that line to the item's end.
fn covered(src: &SourceFile, tree: &Tree, comment: Span) -> Option<Span> {
    let text = src.text.as_str();
    let starts = src.line_starts();
    let line_of = |offset: usize| starts.partition_point(|&s| s as usize <= offset) - 1;
    let line_range = |l: usize| {
        let s = starts[l] as usize;
        let e = starts.get(l + 1).map_or(text.len(), |&e| e as usize);
        s..e
    };
    let comment_line = line_of(comment.start as usize);
    let before = &text[line_range(comment_line).start..comment.start as usize];
    let mut target = comment_line;
    if before.trim().is_empty() {
        target += 1;
        while target < starts.len() {
            let l = text[line_range(target)].trim();
            if !(l.is_empty() || l.starts_with('#') || l.starts_with("//")) {
                break;
            }
            target += 1;
        }
        if target >= starts.len() {
            return None;
        }
    }
    // The outermost node that starts on the target line: the first met in pre-order.
    let root = tree.root()?;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let start = tree.key_span(n).start.min(tree.span(n).start) as usize;
        let end = tree.span(n).end as usize;
        if line_of(start) == target && (n != root || line_of(end) == target) {
            return Some(Span::new(line_range(target).start, end));
        }
        // Only nodes that reach the target line can hold one that starts on it.
        if line_of(start) <= target && line_of(end) >= target {
            let children: Vec<NodeId> = tree.children(n).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    None
}

/// Keeps the findings a pre-commit run reports: those whose primary location, or one of whose
/// related locations, is in a named file (`named` holds canonical paths).
pub fn only_named(diags: &mut Vec<Diagnostic>, db: &SourceDb, named: &[PathBuf]) {
    let mut in_named: rustc_hash::FxHashMap<FileId, bool> = Default::default();
    let mut is_named = |file: FileId| {
        *in_named.entry(file).or_insert_with(|| {
            let f = db.get(file);
            match &f.fs_path {
                Some(p) => {
                    let real = p.canonicalize().unwrap_or_else(|_| p.clone());
                    named.iter().any(|n| n == &real)
                }
                // Standard input is named (`-`) whenever it is read.
                None => true,
            }
        })
    };
    diags.retain(|d| is_named(d.at.file) || d.related.iter().any(|r| is_named(r.at.file)));
}

/// A path as [`only_named`] compares it.
pub fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_parsed() {
        let raw = "# peerlint: ignore[missing-reverse-peering, self-peering] owned by the partner";
        let body = directive(raw).unwrap();
        let s = parse_directive(FileId(0), Span::new(10, 10 + raw.len()), body, raw);
        assert!(s.broken.is_none());
        let names: Vec<&str> = s.rules.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["missing-reverse-peering", "self-peering"]);
        assert_eq!(s.reason, "owned by the partner");
        // Each name's span is where it is written.
        for (n, at) in &s.rules {
            assert_eq!(&raw[at.start as usize - 10..at.end as usize - 10], n);
        }
        let raw = "#peerlint: ignore[self-peering]";
        let s = parse_directive(FileId(0), Span::new(0, 31), directive(raw).unwrap(), raw);
        assert!(s.broken.unwrap().0.contains("has no reason"));
        let raw = "// peerlint: skip this";
        let s = parse_directive(FileId(0), Span::new(0, 22), directive(raw).unwrap(), raw);
        assert!(s.broken.unwrap().0.contains("malformed"));
        assert!(directive("# a comment about peerlint: nothing").is_none());
    }
}
