//! Every rule against its fixture in `testdata/rules/`: each `bad-*` resource is flagged, no
//! `ok-*` resource is, and the rendered output is snapshotted.
//!
//! There is one test per rule, `fixture::<rule_module>`, so a failure in one rule never hides
//! another, and one rule runs alone with `cargo test --test rules self_peering`. A rule's fixture
//! is `testdata/rules/<rule-name>.json`, `.yaml` or `.yml` (a design spec), or a folder
//! `testdata/rules/<rule-name>/` of inputs read together (with, for a rule about the
//! configuration, a `.toml` configuration file: see [`run_fixture`]); its snapshot is
//! `tests/snapshots/rules__rule@<rule-name>.snap`.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use peerlint::rules;

const FIXTURES: &str = "testdata/rules";
const SNAPSHOTS: &str = "tests/snapshots";

/// Every entry of `testdata/rules`, in name order.
fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// The rule a fixture is for: a folder's name, or the stem of a `.json`, `.yaml` or `.yml`
/// file. None for anything else.
fn rule_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if path.is_dir() {
        return Some(name.to_string());
    }
    [".json", ".yaml", ".yml"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .map(str::to_string)
}

/// The fixtures for the rule `name` (exactly one when all is well).
fn fixtures_of(name: &str) -> Vec<PathBuf> {
    fixtures()
        .into_iter()
        .filter(|p| rule_name(p).as_deref() == Some(name))
        .collect()
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

/// The configuration file of a fixture folder, if it holds one (a `.toml` file).
fn fixture_config(path: &Path) -> Option<PathBuf> {
    if !path.is_dir() {
        return None;
    }
    fixtures_in(path)
        .into_iter()
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
}

fn fixtures_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Runs a fixture: its rule alone; or, for a folder holding a configuration (a `.toml` file),
/// as the command line does: every rule, then the configuration and the inline suppressions
/// (so every other rule's finding must be suppressed, and what is left is the rule's).
fn run_fixture(path: &Path, rule: &'static dyn peerlint::rule::Rule) -> peerlint::engine::Outcome {
    let Some(config) = fixture_config(path) else {
        return common::run(path, &[rule]);
    };
    let inputs: Vec<_> = common::inputs(path)
        .into_iter()
        .filter(|i| !i.display.ends_with(".toml"))
        .collect();
    let mut outcome = peerlint::engine::run(&inputs, &mut std::io::empty(), rules::ALL);
    let cwd = std::env::current_dir().unwrap();
    let config = peerlint::config::Config::load(&config, "fixture", &cwd)
        .unwrap_or_else(|f| panic!("{}: {:?}", config.display(), f.errors));
    let selection = peerlint::config::Selection {
        config: &config,
        select: Vec::new(),
        ignore: Vec::new(),
    };
    let request = peerlint::filter::Request {
        selection: &selection,
        ran: rules::ALL,
        today: peerlint::config::Date::today(),
        whole: true,
    };
    peerlint::filter::apply(&mut outcome, &request);
    outcome
}

/// Runs the rule `name` alone on its fixture and checks everything, reporting all that is wrong
/// at once: `bad-*` flagged, `ok-*` not, nothing else flagged, only this rule reporting, message
/// style, no control characters in the human output, and its snapshot.
fn check_fixture(name: &str) {
    let rule = rules::by_name(name).unwrap_or_else(|| panic!("no rule named `{name}`"));
    let path = match fixtures_of(name).as_slice() {
        [one] => one.clone(),
        [] => panic!("{name}: no fixture in {FIXTURES}"),
        many => panic!("{name}: more than one fixture: {many:?}"),
    };
    let outcome = run_fixture(&path, rule);
    let text = fixture_text(&path);
    let bad = common::tokens(&text, "bad-");
    let ok = common::tokens(&text, "ok-");
    let mut failures = Vec::new();
    if bad.is_empty() {
        failures.push("a fixture needs at least one bad-* resource".to_string());
    }
    let subjects: Vec<String> = outcome.diagnostics.iter().map(common::subject).collect();
    for b in &bad {
        if !subjects.iter().any(|s| s.starts_with(b.as_str())) {
            failures.push(format!("`{b}` was not flagged"));
        }
    }
    for s in &subjects {
        if ok.iter().any(|o| s.starts_with(o.as_str())) {
            failures.push(format!("`{s}` is ok-* but was flagged"));
        } else if !s.starts_with("bad-") {
            failures.push(format!("flagged `{s}`, which is not a bad-* resource"));
        }
    }
    for d in &outcome.diagnostics {
        if d.rule != name {
            failures.push(format!(
                "only the fixture's rule runs, but `{}` reported: {}",
                d.rule, d.message
            ));
        }
        // Message style: lower-case start, no trailing period (as clippy enforces).
        let upper = d.message.chars().next().is_none_or(char::is_uppercase);
        if upper || d.message.ends_with('.') {
            failures.push(format!("message style: {:?}", d.message));
        }
    }
    // Snapshots are text: input bytes such as a UTF-16 file's NULs must not reach the output raw.
    let rendered = common::human(&outcome);
    if let Some(c) = rendered
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        failures.push(format!("the output holds the control character {c:?}"));
    }
    // The snapshot is compared last and its panic caught, so that a changed rendering neither
    // hides the checks above nor is hidden by them (insta has printed the diff and, unless
    // INSTA_UPDATE=no, written the `.snap.new` for `cargo insta review`).
    let snapshot = catch_unwind(AssertUnwindSafe(|| {
        insta::assert_snapshot!(format!("rule@{name}"), common::human(&outcome));
    }));
    if snapshot.is_err() {
        failures.push(format!(
            "the output differs from {SNAPSHOTS}/rules__rule@{name}.snap (diff above)"
        ));
    }
    assert!(
        failures.is_empty(),
        "{name} ({}):\n  {}",
        path.display(),
        failures.join("\n  ")
    );
}

/// One `#[test]` per rule module, each checking that rule's fixture. The list must name every
/// rule in `rules::ALL` (`every_rule_has_a_fixture_test` says which are missing).
macro_rules! fixture_tests {
    ($($module:ident),* $(,)?) => {
        mod fixture {
            $(
                #[test]
                fn $module() {
                    super::check_fixture(&stringify!($module).replace('_', "-"));
                }
            )*
        }

        /// The rule modules `fixture_tests!` made a test for.
        const TESTED: &[&str] = &[$(stringify!($module)),*];
    };
}

fixture_tests! {
    // Address spaces
    invalid_address_prefix,
    overlapping_vnet_prefixes,
    subnet_outside_vnet,
    overlapping_subnets,
    reserved_address_range,
    invalid_subnet_size,
    peered_address_overlap,
    overlap_with_remote_peer,
    // Links
    missing_reverse_peering,
    peering_not_connected,
    duplicate_remote_peering,
    self_peering,
    invalid_remote_network_id,
    invalid_peering_name,
    peering_limit_exceeded,
    dangling_remote_network,
    classic_network_peering,
    // Gateways
    multiple_remote_gateway_peerings,
    remote_gateway_missing,
    remote_gateway_with_local_gateway,
    remote_gateway_without_transit,
    gateway_transit_without_gateway,
    conflicting_gateway_flags,
    // Transitivity
    transitive_peering_assumed,
    intent_violated,
    forwarded_traffic_blocked,
    transit_address_overlap,
    // Subnet peering
    unknown_peered_subnet,
    subnet_peering_without_subnets,
    asymmetric_subnet_peering,
    ipv6_only_peering_without_ipv6,
    too_many_peered_subnets,
    // Exported state
    stale_peering_sync,
    // Plans
    peering_recreated_one_side,
    peering_remote_changed,
    address_space_change_without_sync,
    // Deployment time
    peering_before_remote_gateway,
    basic_gateway_transit,
    peering_property_needs_newer_api,
    misnamed_gateway_subnet,
    route_server_subnet_too_small,
    remote_gateway_on_classic_vnet,
    // Inputs and housekeeping
    invalid_syntax,
    unrecognized_input,
    unused_suppression,
    invalid_property_type,
    truncated_export,
    unresolved_value,
    invalid_expression,
    conflicting_declarations,
    invalid_spec,
}

#[test]
fn every_rule_has_a_fixture_test() {
    let tested: Vec<String> = TESTED.iter().map(|m| m.replace('_', "-")).collect();
    let registered: Vec<&str> = rules::ALL.iter().map(|r| r.meta().name).collect();
    let untested: Vec<&str> = registered
        .iter()
        .copied()
        .filter(|n| !tested.iter().any(|t| t == n))
        .collect();
    let unknown: Vec<&str> = tested
        .iter()
        .map(String::as_str)
        .filter(|t| !registered.contains(t))
        .collect();
    assert!(
        untested.is_empty() && unknown.is_empty(),
        "the list in `fixture_tests!` (tests/rules.rs) must match rules::ALL\n  \
         rules without a test (add their module name): {untested:?}\n  \
         tests without a rule: {unknown:?}"
    );
}

#[test]
fn every_rule_has_a_fixture() {
    let mut problems = Vec::new();
    for r in rules::ALL {
        let name = r.meta().name;
        match fixtures_of(name).len() {
            1 => {}
            0 => problems.push(format!(
                "{name}: no {FIXTURES}/{name}.json, .yaml, .yml or folder"
            )),
            _ => problems.push(format!("{name}: more than one fixture")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let orphans: Vec<PathBuf> = fixtures()
        .into_iter()
        .filter(|p| rule_name(p).and_then(|n| rules::by_name(&n)).is_none())
        .collect();
    assert!(
        orphans.is_empty(),
        "in {FIXTURES}, named after no rule (or not .json, .yaml, .yml or a folder): {orphans:?}"
    );
}

#[test]
fn every_fixture_has_a_snapshot_and_every_snapshot_a_fixture() {
    let fixture_rules: Vec<String> = fixtures().iter().filter_map(|p| rule_name(p)).collect();
    let mut snapshot_rules = Vec::new();
    let mut orphans = Vec::new();
    for e in std::fs::read_dir(SNAPSHOTS).unwrap() {
        let file = e.unwrap().file_name().to_string_lossy().into_owned();
        // Only this file's snapshots; pending `.snap.new` files are insta's business.
        let Some(rest) = file.strip_prefix("rules__") else {
            continue;
        };
        let Some(rest) = rest.strip_suffix(".snap") else {
            continue;
        };
        match rest.strip_prefix("rule@") {
            Some(rule) if fixture_rules.iter().any(|f| f == rule) => {
                snapshot_rules.push(rule.to_string())
            }
            _ => orphans.push(file),
        }
    }
    let unsnapshotted: Vec<&String> = fixture_rules
        .iter()
        .filter(|f| !snapshot_rules.contains(f))
        .collect();
    orphans.sort();
    assert!(
        orphans.is_empty() && unsnapshotted.is_empty(),
        "snapshots without a fixture (delete them): {orphans:?}\n\
         fixtures without a snapshot (run `cargo insta test` and review): {unsnapshotted:?}"
    );
}

#[test]
fn fixture_files_and_folders_name_their_rule() {
    let cases = [
        ("testdata/rules/self-peering.json", Some("self-peering")),
        ("testdata/rules/self-peering.yaml", Some("self-peering")),
        ("testdata/rules/self-peering.yml", Some("self-peering")),
        ("testdata/rules/invalid-syntax", Some("invalid-syntax")),
        ("testdata/rules/notes.md", None),
    ];
    for (path, rule) in cases {
        assert_eq!(rule_name(Path::new(path)).as_deref(), rule, "{path}");
    }
}
