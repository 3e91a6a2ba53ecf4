//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning, Azure DevOps and SARIF viewers.
//!
//! A hand-written serde model of the part of SARIF peerlint fills (as cargo-deny does), so
//! that what is written, and in which order, is decided here and reviewed in one file.
//!
//! - `tool.driver.rules` holds every rule of the run (the enabled ones), with its summary,
//!   its docs (`fullDescription` and `help`, Markdown and plain text), its page (`helpUri`)
//!   and its default level; each result points at its rule by `ruleId` and `ruleIndex`.
//! - Locations are relative to `%SRCROOT%`, the working directory (given in
//!   `originalUriBaseIds`); a file outside it gets an absolute `file:` URI. Columns count
//!   UTF-16 code units (`columnKind`), which is what editors and web viewers count in; ends
//!   are exclusive.
//! - `partialFingerprints` identify a finding across runs without its position, so that an
//!   alert survives reformatting and lines moving: see [`crate::fingerprint`], which baselines
//!   use too.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{docs, rule_url};
use crate::diagnostic::{Diagnostic, Position};
use crate::discover::normalise;
use crate::fingerprint::{file_uri, fingerprint};
use crate::rule::{Rule, Severity};
use crate::source::SourceDb;

/// What a SARIF log is made from.
pub struct Input<'a> {
    pub db: &'a SourceDb,
    /// The findings to report, in order.
    pub diagnostics: &'a [Diagnostic],
    /// The rules that ran.
    pub rules: &'a [&'static dyn Rule],
    /// `%SRCROOT%`: relative paths are relative to it (the working directory).
    pub root: &'a Path,
    /// Inputs that could not be read (the run failed).
    pub errors: &'a [String],
}

/// The base id relative artifact locations use.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: MultiformatMessage,
    help: MultiformatMessage,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    /// The rule's group, for filtering (GitHub shows tags).
    tags: [&'static str; 1],
    /// GitHub's `problem.severity`: `error`, `warning` or `recommendation`.
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

#[derive(Serialize)]
struct MessageRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: MessageRef<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    message: MessageRef<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// What the JSON format says beyond the message, for tools that read SARIF only.
#[derive(Serialize)]
struct ResultProperties<'a> {
    /// peerlint's own severity name (`info` is SARIF's `note`).
    severity: &'static str,
    /// The full ARM id of the finding's subject; absent for file-level findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a str>,
    /// The JSON Pointer of the offending value.
    #[serde(skip_serializing_if = "str::is_empty")]
    pointer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log of a run.
pub fn render(input: &Input<'_>) -> String {
    // The rules of the run, in registry order; a finding of a rule not among them (none is
    // expected) still gets its descriptor.
    let mut rules: Vec<&'static dyn Rule> = input.rules.to_vec();
    for d in input.diagnostics {
        if !rules.iter().any(|r| r.meta().name == d.rule) {
            if let Some(r) = crate::rules::ALL.iter().find(|r| r.meta().name == d.rule) {
                rules.push(*r);
            }
        }
    }
    let index = |name: &str| rules.iter().position(|r| r.meta().name == name);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let results = input
        .diagnostics
        .iter()
        .filter_map(|d| {
            let rule_index = index(d.rule)?;
            let hash = fingerprint(d, input.root);
            let n = seen.entry(hash.clone()).or_default();
            *n += 1;
            let mut fingerprints = BTreeMap::new();
            // GitHub reads only this key (and computes it from the line's text when it is
            // missing, which reformatting would change).
            fingerprints.insert("primaryLocationLineHash", format!("{hash}:{n}"));
            fingerprints.insert("peerlint/v1", hash);
            Some(SarifResult {
                rule_id: d.rule,
                rule_index,
                level: level(d.severity),
                message: MessageRef { text: &d.message },
                locations: [Location {
                    id: None,
                    physical_location: physical(input, &d.at),
                    message: MessageRef { text: &d.label },
                }],
                related_locations: d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| Location {
                        id: Some(i + 1),
                        physical_location: physical(input, &r.at),
                        message: MessageRef { text: &r.message },
                    })
                    .collect(),
                partial_fingerprints: fingerprints,
                properties: ResultProperties {
                    severity: d.severity.name(),
                    resource: d.resource.as_deref(),
                    pointer: &d.at.pointer,
                    help: d.help.as_deref(),
                    note: d.note.as_deref(),
                },
            })
        })
        .collect();
    let descriptors = rules
        .iter()
        .map(|r| {
            let m = r.meta();
            let markdown = docs::body(m);
            let text = docs::plain_text(&markdown);
            ReportingDescriptor {
                id: m.name,
                name: m.struct_name,
                short_description: Message {
                    text: format!("{}.", capitalise(m.summary)),
                },
                full_description: MultiformatMessage {
                    text: text.clone(),
                    markdown: markdown.clone(),
                },
                help: MultiformatMessage { text, markdown },
                help_uri: rule_url(m.name),
                default_configuration: Configuration {
                    level: level(m.severity()),
                },
                properties: RuleProperties {
                    tags: [m.group.name()],
                    problem_severity: match m.severity() {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info => "recommendation",
                    },
                },
            }
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "peerlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: super::REPOSITORY,
                    rules: descriptors,
                },
            },
            invocations: [Invocation {
                execution_successful: input.errors.is_empty(),
                tool_execution_notifications: input
                    .errors
                    .iter()
                    .map(|e| Notification {
                        level: "error",
                        message: Message {
                            text: format!("cannot read {e}"),
                        },
                    })
                    .collect(),
            }],
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: Some(directory_uri(input.root)),
                    uri_base_id: None,
                    description: None,
                },
            )]),
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    // The same JSON, with nothing in its strings that a terminal would act on.
    let mut s = super::json_visible(serde_json::to_string_pretty(&log).expect("serialisable"));
    s.push('\n');
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn physical(input: &Input<'_>, at: &Position) -> PhysicalLocation {
    let file = input.db.get(at.file);
    let artifact_location = match &file.fs_path {
        Some(_) => artifact(&at.path, input.root),
        None => ArtifactLocation {
            uri: None,
            uri_base_id: None,
            description: Some(Message {
                text: "standard input".into(),
            }),
        },
    };
    let end = super::end_offset(input.db, at);
    let (end_line, _) = super::end_of(input.db, at);
    PhysicalLocation {
        artifact_location,
        region: Region {
            start_line: at.line,
            start_column: utf16_column(input.db, at, at.span.start as usize),
            end_line,
            end_column: utf16_column(input.db, at, end),
        },
    }
}

/// The 1-based column of byte offset `offset` in UTF-16 code units (a byte-order mark that
/// starts the file is no column).
fn utf16_column(db: &SourceDb, at: &Position, offset: usize) -> usize {
    let f = db.get(at.file);
    let text = f.text.as_str();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let starts = f.line_starts();
    let line = starts.partition_point(|&s| s as usize <= offset) - 1;
    let mut from = starts[line] as usize;
    if from == 0 && f.content_start > 0 && offset >= f.content_start {
        from = f.content_start;
    }
    text[from..offset].encode_utf16().count() + 1
}

/// Where a file is, as SARIF wants it: relative to `%SRCROOT%` when it is inside the root,
/// else an absolute `file:` URI.
fn artifact(path: &str, root: &Path) -> ArtifactLocation {
    let (uri, relative) = crate::fingerprint::location(path, root);
    ArtifactLocation {
        uri: Some(uri),
        uri_base_id: relative.then_some(SRCROOT),
        description: None,
    }
}

/// The root as the base URI of `%SRCROOT%`.
fn directory_uri(root: &Path) -> String {
    file_uri(&normalise(root), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        let root = Path::new("/work/repo");
        let a = artifact("testdata/demo/hub.json", root);
        assert_eq!(a.uri.as_deref(), Some("testdata/demo/hub.json"));
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        let a = artifact("./net/a b#%ü.json", root);
        assert_eq!(a.uri.as_deref(), Some("net/a%20b%23%25%C3%BC.json"));
        let a = artifact("c:x.json", root);
        assert_eq!(a.uri.as_deref(), Some("c%3Ax.json"));
        let a = artifact("/work/repo/sub/x.json", root);
        assert_eq!(a.uri.as_deref(), Some("sub/x.json"));
        let a = artifact("../other/x.json", root);
        assert_eq!(a.uri.as_deref(), Some("file:///work/other/x.json"));
        assert_eq!(a.uri_base_id, None);
        assert_eq!(directory_uri(root), "file:///work/repo/");
    }
}
