//! peerlint.toml end to end: discovery, mistakes drawn on the file (exit 2), `paths`,
//! `exclude`, rules and severities per path, exceptions (unused, expired), inline
//! suppressions in design specs, deployments, and `peerlint config`.

mod common;

use std::path::{Path, PathBuf};

use common::{Out, assert_has, copy_dir, peerlint_in, scratch};

fn json(out: &Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", out.stdout, out.stderr))
}

/// (rule, path, resource's last segment) of each finding.
fn findings(out: &Out) -> Vec<(String, String, String)> {
    json(out)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["resource"]
                    .as_str()
                    .map(|r| r.rsplit('/').next().unwrap().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// A copy of the pre-commit design (testdata/cli/precommit) with this configuration.
fn design(name: &str, config: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(Path::new("testdata/cli/precommit"), &dir);
    std::fs::write(dir.join("peerlint.toml"), config).unwrap();
    dir
}

fn check(dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    peerlint_in(dir, &args, None)
}

/// A configuration mistake: exit 2, nothing checked, the message and the span drawn on the
/// file, at the line given.
fn assert_config_error(out: &Out, message: &str, line: usize) {
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "nothing is checked: {}", out.stdout);
    assert!(
        out.stderr.contains(message),
        "{message:?} in\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("[peerlint.toml:{line}:")),
        "drawn at line {line}:\n{}",
        out.stderr
    );
}

#[test]
fn mistakes_in_the_configuration_exit_2_with_their_place() {
    let dir = design(
        "config-mistakes",
        "paths = [\"network\"]\nexclde = [\"x\"]\n",
    );
    let out = check(&dir, &[]);
    assert_config_error(&out, "unknown key `exclde`", 2);
    assert_has(&out.stderr, "did you mean `exclude`?");

    // A top-level key after a table is part of that table in TOML: said so.
    std::fs::write(
        dir.join("peerlint.toml"),
        "[[exception]]\nrule = \"self-peering\"\npath = \"x\"\nreason = \"r\"\nbaseline = \"b.json\"\n",
    )
    .unwrap();
    let out = check(&dir, &[]);
    assert_config_error(&out, "unknown key `baseline`", 5);
    assert!(
        out.stderr
            .contains("`baseline` is a top-level key: move it above the first"),
        "{}",
        out.stderr
    );

    let cases: &[(&str, &str, usize)] = &[
        (
            "[[exception]]\nrule = \"missing-reverse-peering\"\npath = \"network/hub.json\"\n",
            "an exception needs a reason",
            1,
        ),
        (
            "[[exception]]\nrule = \"missing-reverse-peering\"\npath = \"x\"\nreason = \"  \"\n",
            "an exception needs a reason",
            4,
        ),
        (
            "[[exception]]\nrule = \"missing-reverse-peerin\"\npath = \"x\"\nreason = \"r\"\n",
            "unknown rule `missing-reverse-peerin`",
            2,
        ),
        (
            "select = [\"correctnes\"]\n",
            "unknown rule or group `correctnes`",
            1,
        ),
        (
            "[severity]\nself-peerin = \"warning\"\n",
            "unknown rule `self-peerin`",
            2,
        ),
        (
            "[severity]\nself-peering = \"fatal\"\n",
            "unknown severity `fatal`",
            2,
        ),
        (
            "[severity]\ninvalid-syntax = \"info\"\n",
            "the severity of `invalid-syntax` can't be changed",
            2,
        ),
        (
            "[[exception]]\nrule = \"self-peering\"\npath = \"net/[a\"\nreason = \"r\"\n",
            "invalid glob `net/[a`",
            3,
        ),
        (
            "[[exception]]\nrule = \"self-peering\"\npath = \"x\"\nreason = \"r\"\nexpires = \"2026-02-30\"\n",
            "`expires` is not a date",
            5,
        ),
        (
            "[[exception]]\nrule = \"self-peering\"\nreason = \"r\"\n",
            "an exception needs `resource` or `path`",
            1,
        ),
        (
            "[[exception]]\nrule = \"invalid-syntax\"\npath = \"x\"\nreason = \"r\"\n",
            "`invalid-syntax` can't have exceptions",
            2,
        ),
        (
            "subscription = \"prod\"\n",
            "`prod` is not a subscription id",
            1,
        ),
        ("paths = [\"nowhere\"]\n", "`nowhere` does not exist", 1),
        (
            "[[deployment]]\ntemplate = \"network/missing.json\"\n",
            "template `network/missing.json` not found",
            2,
        ),
        (
            "[[deployment]]\ntemplate = \"network/hub.json\"\nparameters = \"network/spoke1.json\"\n",
            "is not a parameters file",
            3,
        ),
    ];
    for (text, message, line) in cases {
        std::fs::write(dir.join("peerlint.toml"), text).unwrap();
        assert_config_error(&check(&dir, &[]), message, *line);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_configuration_is_found_upwards_and_can_be_named_or_left_out() {
    // `paths` leaves out hub.json: from a subfolder, the configuration above still applies.
    let dir = design(
        "config-found",
        "paths = [\"network/spoke2.json\", \"network/spoke1.json\"]\n",
    );
    let sub = dir.join("network");
    let found = check(&sub, &[]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert_eq!(json(&found)["summary"]["files"], 2, "{}", found.stdout);
    // --no-config: the working directory, every file in it.
    let none = check(&sub, &["--no-config"]);
    assert_eq!(json(&none)["summary"]["files"], 5, "{}", none.stdout);
    // --config names another file.
    std::fs::write(dir.join("other.toml"), "paths = [\"network/hub.json\"]\n").unwrap();
    let named = check(&sub, &["--config", "../other.toml"]);
    assert_eq!(json(&named)["summary"]["files"], 1, "{}", named.stdout);
    let missing = check(&sub, &["--config", "../nowhere.toml"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("cannot read"), "{}", missing.stderr);
    // The search stops at the repository's root.
    std::fs::create_dir_all(sub.join(".git")).unwrap();
    let stopped = check(&sub, &[]);
    assert_eq!(json(&stopped)["summary"]["files"], 5, "{}", stopped.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exclude_and_rules_and_severities_per_path() {
    let all = check(&design("config-all", "paths = [\"network\"]\n"), &[]);
    let all = findings(&all);
    let rules: Vec<&str> = all.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        rules,
        [
            "invalid-address-prefix",
            "missing-reverse-peering",
            "overlapping-subnets"
        ]
    );
    let dir = design(
        "config-per-path",
        r#"
paths = ["network"]
exclude = ["network/shared.json"]

[severity]
missing-reverse-peering = "warning"

[[per-path]]
path = "network/hub.json"
ignore = ["invalid-address-prefix"]
"#,
    );
    let out = check(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v = json(&out);
    let found = findings(&out);
    // shared.json is not read: its vnet is a remote outside the inputs.
    assert_eq!(v["summary"]["files"], 4);
    assert!(
        found.iter().all(|f| f.1 != "network/shared.json"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.0 == "dangling-remote-network"),
        "{found:?}"
    );
    assert!(
        found.iter().all(|f| f.0 != "invalid-address-prefix"),
        "{found:?}"
    );
    let d = &v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "missing-reverse-peering")
        .unwrap()["severity"];
    assert_eq!(*d, "warning");
    // The command line's --select replaces the configuration's selection.
    let out = check(&dir, &["--select", "invalid-address-prefix"]);
    let rules: Vec<String> = findings(&out).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["invalid-address-prefix"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exceptions_apply_and_those_that_match_nothing_or_expired_are_said() {
    let dir = design(
        "config-exceptions",
        r#"
paths = ["network"]

[[exception]]
rule = "missing-reverse-peering"
resource = "*/VNET-HUB/virtualNetworkPeerings/hub-to-spoke2"
reason = "spoke2 is peered back by the platform pipeline"

[[exception]]
rule = "overlapping-subnets"
path = "network/shared.json"
reason = "being renumbered"
expires = 2000-01-31

[[exception]]
rule = "invalid-address-prefix"
path = "network/gone.json"
reason = "a file that no longer exists"
"#,
    );
    let out = check(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    let found = findings(&out);
    // The first exception holds (ids compare ignoring case).
    assert!(
        found.iter().all(|f| f.0 != "missing-reverse-peering"),
        "{found:?}"
    );
    // The expired one no longer applies, and the finding says so.
    let overlap = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "overlapping-subnets")
        .expect("the expired exception no longer applies");
    assert!(
        overlap["note"]
            .as_str()
            .unwrap()
            .contains("expired on 2000-01-31 (peerlint.toml:"),
        "{overlap}"
    );
    assert!(
        overlap["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == "peerlint.toml" && r["line"] == 13),
        "{overlap}"
    );
    // The one that matches nothing is unused-suppression, pointing into peerlint.toml.
    let unused: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert_eq!(unused[0]["path"], "peerlint.toml");
    assert_eq!(unused[0]["line"], 15);
    assert_eq!(unused[0]["severity"], "warning");
    // A run that looked at part of the design doesn't call exceptions unused.
    let part = check(&dir, &["--no-config", "network/hub.json"]);
    assert!(findings(&part).iter().all(|f| f.0 != "unused-suppression"));
    // Nor one whose rule didn't run.
    let selected = check(&dir, &["--select", "missing-reverse-peering"]);
    assert!(findings(&selected).is_empty(), "{:?}", findings(&selected));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn inline_suppressions_in_a_design_spec() {
    let dir = scratch("config-inline");
    let spec = |suppression: &str| {
        format!(
            "peerlint: 1\ndefaults:\n  subscription: 44444444-4444-4444-4444-444444444444\n  \
             resource_group: rg-inline\n  location: westeurope\nvnets:\n{suppression}  lab:\n    \
             address_space: [10.80.0.0/16]\n    subnets:\n      wide: 10.80.1.0/24\n      \
             narrow: 10.80.1.0/25\n  other:\n    address_space: [10.81.0.0/16]\n    subnets:\n      \
             a: 10.81.1.0/24\n      b: 10.81.1.0/25\n"
        )
    };
    let rules = |out: &Out| -> Vec<(String, String)> {
        findings(out)
            .into_iter()
            .map(|f| (f.0, f.2))
            .collect::<Vec<_>>()
    };
    std::fs::write(dir.join("design.yaml"), spec("")).unwrap();
    let plain = rules(&check(&dir, &[]));
    assert_eq!(plain.len(), 2, "{plain:?}");
    // On the line before the item: that item only.
    std::fs::write(
        dir.join("design.yaml"),
        spec("  # peerlint: ignore[overlapping-subnets] the lab is rebuilt nightly\n"),
    )
    .unwrap();
    let out = check(&dir, &[]);
    assert_eq!(
        rules(&out),
        [("overlapping-subnets".to_string(), "b".to_string())]
    );
    // Without a reason it doesn't apply, and says so.
    std::fs::write(
        dir.join("design.yaml"),
        spec("  # peerlint: ignore[overlapping-subnets]\n"),
    )
    .unwrap();
    let out = check(&dir, &[]);
    let found = rules(&out);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        json(&out)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| {
                d["rule"] == "unused-suppression"
                    && d["message"].as_str().unwrap().contains("has no reason")
                    && d["line"] == 7
            })
    );
    // A rule name that is no rule.
    std::fs::write(
        dir.join("design.yaml"),
        spec("  # peerlint: ignore[overlaping-subnets] typo\n"),
    )
    .unwrap();
    let out = check(&dir, &[]);
    let v = json(&out);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unused-suppression")
        .expect("reported");
    assert!(d["message"].as_str().unwrap().contains("not a rule"), "{d}");
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `overlapping-subnets`"),
        "{d}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deployments_and_per_path_scopes_place_templates() {
    let dir = scratch("config-deploy");
    std::fs::create_dir_all(dir.join("tpl")).unwrap();
    // A spoke template deployed twice: the same vnet name in two resource groups, with the
    // address space of each deployment's parameters file.
    std::fs::write(
        dir.join("tpl/spoke.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "prefix": { "type": "string" } },
  "resources": [
    {
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2023-09-01",
      "name": "vnet-spoke",
      "location": "westeurope",
      "properties": { "addressSpace": { "addressPrefixes": ["[parameters('prefix')]"] } }
    }
  ]
}
"#,
    )
    .unwrap();
    let params = |p: &str| {
        format!(
            "{{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#\", \
             \"contentVersion\": \"1.0.0.0\", \"parameters\": {{\"prefix\": {{\"value\": \"{p}\"}}}}}}\n"
        )
    };
    std::fs::write(dir.join("tpl/dev.json"), params("10.90.0.0/16")).unwrap();
    std::fs::write(dir.join("tpl/prod.json"), params("10.91.0.0/16")).unwrap();
    std::fs::write(
        dir.join("peerlint.toml"),
        r#"
paths = ["tpl/spoke.json"]

[[deployment]]
template = "tpl/spoke.json"
parameters = "tpl/dev.json"
subscription = "55555555-5555-5555-5555-555555555555"
resource-group = "rg-dev"

[[deployment]]
template = "tpl/spoke.json"
parameters = "tpl/prod.json"
subscription = "55555555-5555-5555-5555-555555555555"
resource_group = "rg-prod"
"#,
    )
    .unwrap();
    let out = check(&dir, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let v = json(&out);
    assert_eq!(v["summary"]["vnets"], 2, "two deployments, two vnets: {v}");
    // Without the deployments, one evaluation with an unknown prefix: one vnet.
    let plain = check(&dir, &["--no-config", "tpl/spoke.json"]);
    assert_eq!(json(&plain)["summary"]["vnets"], 1, "{}", plain.stdout);
    // [[per-path]] places the templates under a path.
    std::fs::write(
        dir.join("peerlint.toml"),
        r#"
paths = ["tpl/spoke.json"]

[[per-path]]
path = "tpl"
subscription = "66666666-6666-6666-6666-666666666666"
resource-group = "rg-per-path"
"#,
    )
    .unwrap();
    let out = peerlint_in(&dir, &["config"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_has(&out.stdout, "resource-group = \"rg-per-path\"");
    let out = check(&dir, &[]);
    let v = json(&out);
    let ids: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["resource"].as_str())
        .collect();
    assert!(
        ids.iter().any(|id| id.contains(
            "/subscriptions/66666666-6666-6666-6666-666666666666/resourceGroups/rg-per-path/"
        )),
        "{v}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_prints_the_resolved_configuration_and_where_each_value_came_from() {
    let dir = design(
        "config-print",
        r#"paths = ["network"]
ignore = ["transitive-peering-assumed"]

[severity]
dangling-remote-network = "error"

[[exception]]
rule = "missing-reverse-peering"
path = "network/hub.json"
reason = "the platform team peers back"
expires = 2000-01-01
"#,
    );
    let out = peerlint_in(&dir, &["config"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = |key: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no `{key}` in\n{}", out.stdout))
            .to_string()
    };
    assert!(line("# configuration: peerlint.toml").contains("found upwards"));
    assert!(line("paths = [\"network\"]").ends_with("# peerlint.toml:1"));
    assert!(line("ignore = ").ends_with("# peerlint.toml:2"));
    assert!(line("select = [\"all\"]").ends_with("# default"));
    assert!(line("transitive-peering-assumed = \"off\"").contains("select/ignore"));
    assert!(line("dangling-remote-network = \"error\"").contains("peerlint.toml:5"));
    assert!(line("missing-reverse-peering = \"error\"").contains("default (correctness)"));
    assert!(line("[[exception]]").contains("expired on 2000-01-01"));
    let none = peerlint_in(&dir, &["config", "--no-config"], None);
    assert_has(&none.stdout, "# configuration: none");
    std::fs::write(dir.join("peerlint.toml"), "selct = []\n").unwrap();
    assert_config_error(
        &peerlint_in(&dir, &["config"], None),
        "unknown key `selct`",
        1,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
