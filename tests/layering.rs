//! The crate's modules form layers, and data flows one way through them: a module may use
//! modules of lower layers only. This test reads every `crate::` path in `src/` and `rules/`
//! and fails on an import that runs back up (or sideways) — the start of a cycle.
//!
//! Layers, lowest first. A new module gets a line here, which is where its place in the
//! design is decided.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::rust_files;

const LAYERS: &[&[&str]] = &[
    // The thread pool the run is on.
    &["pool"],
    // Foundations: texts, ids, prefixes, file discovery, did-you-mean, calendar dates.
    &["source", "id", "prefix", "suggest", "discover", "calendar"],
    // The spanned parse tree, and the parsers that build it.
    &["tree"],
    &["json", "yaml"],
    // The model every loader produces.
    &["model"],
    // The ARM template evaluator and the JavaScript static-subset evaluator: libraries of the
    // template and GruCloud loaders, independent of each other.
    &["arm", "js"],
    // The merged graph.
    &["graph"],
    // Loaders: files into the graph.
    &["load"],
    // Analyses beside the graph (reachability), built once per run on first use.
    &["reach"],
    &["analysis"],
    // Graph queries and wording shared by rules and renderers.
    &["query"],
    // What a rule is, and the rules.
    &["rule"],
    &["rules"],
    // Findings resolved to positions.
    &["diagnostic"],
    // One run: load, check, sort.
    &["engine"],
    // The configuration, and what it does to a run's findings (exceptions, inline
    // suppressions, severities, rules per path); a finding's identity across runs, and
    // baselines of them.
    &["config", "fingerprint"],
    &["filter", "baseline"],
    // The only code that knows miette and the output formats.
    &["render"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file belongs to (`src/load/spec/mod.rs` → `load`).
fn module_of(path: &Path) -> Option<String> {
    let rel: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match rel.first().map(String::as_str) {
        Some("rules") => Some("rules".into()),
        Some("src") => {
            let first = rel.get(1)?;
            let m = first.strip_suffix(".rs").unwrap_or(first);
            (!matches!(m, "lib" | "main")).then(|| m.to_string())
        }
        _ => None,
    }
}

/// The modules a file names through `crate::x` or `use crate::{x, y}` (code only: comments
/// and doc links don't count), with the line of the first use.
fn imports(text: &str) -> Vec<(String, usize)> {
    let code: Vec<&str> = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect();
    let joined = code.join("\n");
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut add = |name: &str, at: usize| {
        if !name.is_empty() && out.iter().all(|(n, _)| n != name) {
            let line = joined[..at].matches('\n').count() + 1;
            out.push((name.to_string(), line));
        }
    };
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut from = 0;
    while let Some(found) = joined[from..].find("crate::") {
        let at = from + found;
        from = at + "crate::".len();
        if joined[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue; // part of a longer name
        }
        let rest = &joined[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::B, c}`: the first name of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        add(&ident(&group[i..]), from + 1 + i);
                    }
                    _ => {}
                }
            }
        } else {
            add(&ident(rest), at);
        }
    }
    out
}

#[test]
fn imports_only_run_down_the_layers() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    rust_files(Path::new("rules"), &mut files);
    files.sort();
    let mut unknown = BTreeSet::new();
    let mut back_edges = Vec::new();
    for f in &files {
        let Some(module) = module_of(f) else { continue };
        let Some(from) = layer_of(&module) else {
            unknown.insert(module);
            continue;
        };
        let whole = std::fs::read_to_string(f).unwrap();
        // Unit tests (a `#[cfg(test)]` module at the end of a file) may drive the whole run.
        let text = whole.split("\n#[cfg(test)]").next().unwrap_or("");
        for (name, line) in imports(text) {
            if name == module {
                continue;
            }
            // Macros exported at the crate root (`crate::declare_rule!`) are not modules.
            if text.contains(&format!("crate::{name}!")) {
                continue;
            }
            match layer_of(&name) {
                None => {
                    unknown.insert(name);
                }
                Some(to) if to >= from => back_edges.push(format!(
                    "{}:{line}: `{module}` uses `crate::{name}`, which is not below it",
                    f.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from LAYERS in tests/layering.rs (give each its place): {unknown:?}"
    );
    assert!(
        back_edges.is_empty(),
        "imports that run back up the layers:\n{}",
        back_edges.join("\n")
    );
}

#[test]
fn the_checker_sees_imports() {
    // A guard against a checker that passes because it reads nothing.
    let found = imports(
        "use crate::graph::Graph;\n// crate::cli in a comment\nlet x = crate::model::Loc::new();\nuse crate::{\n    load::{self, X},\n    tree::Tree,\n};\n$crate::rule::Meta",
    );
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["graph", "model", "load", "tree", "rule"]);
    assert_eq!(found[2].1, 5, "the line of `load`");
    assert_eq!(
        module_of(Path::new("src/load/spec/mod.rs")).as_deref(),
        Some("load")
    );
    assert_eq!(
        module_of(Path::new("rules/self_peering.rs")).as_deref(),
        Some("rules")
    );
}
