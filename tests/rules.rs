//! Every rule against its fixture in `testdata/rules/`: each `bad-*` resource is flagged, no
//! `ok-*` resource is, and the rendered output is snapshotted.

mod common;

use std::path::{Path, PathBuf};

use peerlint::rules;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new("testdata/rules");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn rule_name(path: &Path) -> String {
    path.file_name()
        .unwrap()
        .to_string_lossy()
        .trim_end_matches(".json")
        .to_string()
}

fn fixture_text(path: &Path) -> String {
    if path.is_dir() {
        common::inputs(path)
            .iter()
            .map(|i| {
                format!(
                    "{}\n{}",
                    i.display,
                    String::from_utf8_lossy(&std::fs::read(&i.display).unwrap())
                )
            })
            .collect()
    } else {
        String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
    }
}

#[test]
fn every_fixture_flags_its_bad_resources_and_only_those() {
    let mut failures = Vec::new();
    for path in fixtures() {
        let name = rule_name(&path);
        let Some(rule) = rules::by_name(&name) else {
            failures.push(format!("{}: no rule named `{name}`", path.display()));
            continue;
        };
        let outcome = common::run(&path, &[rule]);
        let text = fixture_text(&path);
        let bad = common::tokens(&text, "bad-");
        let ok = common::tokens(&text, "ok-");
        assert!(
            !bad.is_empty(),
            "{name}: a fixture needs at least one bad-* resource"
        );
        let subjects: Vec<String> = outcome.diagnostics.iter().map(common::subject).collect();
        for b in &bad {
            if !subjects.iter().any(|s| s.starts_with(b.as_str())) {
                failures.push(format!("{name}: `{b}` was not flagged"));
            }
        }
        for s in &subjects {
            if ok.iter().any(|o| s.starts_with(o.as_str())) {
                failures.push(format!("{name}: `{s}` is ok-* but was flagged"));
            } else if !s.starts_with("bad-") {
                failures.push(format!(
                    "{name}: flagged `{s}`, which is not a bad-* resource"
                ));
            }
        }
        for d in &outcome.diagnostics {
            assert_eq!(d.rule, name, "only the fixture's rule runs");
            // Message style: lower-case start, no trailing period (as clippy enforces).
            let first = d.message.chars().next().unwrap();
            if first.is_uppercase() || d.message.ends_with('.') {
                failures.push(format!("{name}: message style: {}", d.message));
            }
        }
        insta::assert_snapshot!(format!("rule@{name}"), common::human(&outcome));
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_fixture() {
    let names: Vec<String> = fixtures().iter().map(|p| rule_name(p)).collect();
    let missing: Vec<&str> = rules::ALL
        .iter()
        .map(|r| r.meta().name)
        .filter(|n| !names.iter().any(|f| f == n))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a fixture in testdata/rules: {missing:?}"
    );
}
