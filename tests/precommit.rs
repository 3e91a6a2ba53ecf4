//! The pre-commit hook (`.pre-commit-hooks.yaml`) on a staged-like subset of a design: its
//! entry loads the whole design in peerlint.toml's `paths` and reports only the findings that
//! touch a named file.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{Out, copy_dir, peerlint_in, scratch};
use peerlint::tree::{Kind, Tree};

/// The hook as `.pre-commit-hooks.yaml` declares it.
struct Hook {
    entry: Vec<String>,
    language: String,
    types_or: Vec<String>,
    require_serial: bool,
}

fn hook() -> Hook {
    let text = std::sync::Arc::new(std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap());
    let tree: Tree = peerlint::yaml::parse(&text, 0).expect("valid YAML");
    let root = tree.root().unwrap();
    assert_eq!(tree.kind(root), Kind::Array, "a list of hooks");
    let hooks: Vec<_> = tree.children(root).collect();
    assert_eq!(hooks.len(), 1);
    let h = hooks[0];
    assert_eq!(tree.get_str(h, "id"), Some("peerlint"));
    let list = |key: &str| -> Vec<String> {
        tree.get(h, key)
            .map(|n| {
                tree.children(n)
                    .map(|c| tree.str(c).unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    Hook {
        entry: tree
            .get_str(h, "entry")
            .unwrap()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        language: tree.get_str(h, "language").unwrap().to_string(),
        types_or: list("types_or"),
        require_serial: tree.get(h, "require_serial").and_then(|n| tree.bool(n)) == Some(true),
    }
}

/// Runs the hook's entry in `dir` as pre-commit does: the entry, extra `args`, then the files.
fn run_hook(dir: &Path, args: &[&str], files: &[&str]) -> Out {
    let h = hook();
    assert_eq!(
        h.entry[0], "peerlint",
        "the entry runs the installed binary"
    );
    let mut all: Vec<&str> = h.entry[1..].iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    all.extend_from_slice(files);
    peerlint_in(dir, &all, None)
}

fn design(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(Path::new("testdata/cli/precommit"), &dir);
    dir
}

/// A finding as compared here: rule, path, line, message, and the paths it touches.
type Seen = (String, String, u64, String, BTreeSet<String>);

fn seen(out: &Out) -> Vec<Seen> {
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let mut touches: BTreeSet<String> = d["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["path"].as_str().unwrap().to_string())
                .collect();
            touches.insert(d["path"].as_str().unwrap().to_string());
            (
                d["rule"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
                touches,
            )
        })
        .collect()
}

#[test]
fn the_hook_is_declared_for_rust_json_and_yaml() {
    let h = hook();
    assert_eq!(h.language, "rust");
    assert_eq!(h.types_or, ["json", "yaml"]);
    assert_eq!(h.entry, ["peerlint", "check"]);
    assert!(h.require_serial);
}

#[test]
fn a_staged_spoke_gets_the_missing_link_that_involves_it_and_nothing_else() {
    let dir = design("precommit-spoke");
    // The spoke that has no way back to the hub, and an unrelated file pre-commit also passes.
    let out = run_hook(&dir, &[], &["network/spoke2.json", "README.json"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("missing-reverse-peering: peering `vnet-hub/hub-to-spoke2` has no counterpart on `vnet-spoke2`"),
        "{}",
        out.stdout
    );
    for other in [
        "invalid-address-prefix",
        "overlapping-subnets",
        "dangling-remote-network",
    ] {
        assert!(!out.stdout.contains(other), "{other} in\n{}", out.stdout);
    }
    assert!(
        out.stdout.contains("Found 1 error in 5 files"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(
            "not part of the design in peerlint.toml's `paths`, so not checked: README.json"
        ),
        "{}",
        out.stderr
    );
    // A spoke peered to vnets of unchanged files: nothing to report, no dangling remote.
    let out = run_hook(&dir, &["--format", "json"], &["network/spoke3.json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(seen(&out).is_empty(), "{:?}", seen(&out));
    // Checked alone, the same file has its remotes dangling: the design is what answers.
    let alone = peerlint_in(
        &dir,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "network/spoke3.json",
        ],
        None,
    );
    let dangling = seen(&alone)
        .into_iter()
        .filter(|s| s.0 == "dangling-remote-network")
        .count();
    assert_eq!(dangling, 2, "{}", alone.stdout);
    // Only unrelated files staged: nothing of the design is reported.
    let out = run_hook(&dir, &[], &["README.json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_staged_subset_reports_the_findings_of_the_whole_run_that_touch_it() {
    let dir = design("precommit-subsets");
    let whole = peerlint_in(&dir, &["check", "--format", "json"], None);
    assert_eq!(whole.code, 1);
    let whole = seen(&whole);
    assert_eq!(whole.len(), 3, "{whole:?}");
    let files = [
        "network/hub.json",
        "network/shared.json",
        "network/spoke1.json",
        "network/spoke2.json",
        "network/spoke3.json",
    ];
    let mut reported_somewhere = BTreeSet::new();
    for mask in 1u32..(1 << files.len()) {
        let staged: Vec<&str> = files
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, f)| *f)
            .collect();
        let out = run_hook(&dir, &["--format", "json"], &staged);
        let expected: Vec<Seen> = whole
            .iter()
            .filter(|s| s.4.iter().any(|p| staged.contains(&p.as_str())))
            .cloned()
            .collect();
        assert_eq!(seen(&out), expected, "staged {staged:?}");
        assert_eq!(
            out.code,
            i32::from(!expected.is_empty()),
            "staged {staged:?}"
        );
        reported_somewhere.extend(expected.into_iter().map(|s| s.0));
    }
    assert_eq!(reported_somewhere.len(), 3, "{reported_somewhere:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
