//! The binary end to end: exit codes, every output format, stdin, malformed inputs.

mod common;

use common::{Out, peerlint, scratch};

fn json(out: &Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

fn diagnostics(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v["diagnostics"].as_array().expect("a diagnostics array")
}

#[test]
fn demo_has_error_findings_and_exits_1() {
    let out = peerlint(&["check", "testdata/demo", "--color", "never"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("demo_human", out.stdout);
}

#[test]
fn demo_json_follows_the_contract() {
    let out = peerlint(&["check", "testdata/demo", "--format", "json"], None);
    assert_eq!(out.code, 1);
    let v = json(&out);
    assert_eq!(v["version"], 1);
    let diags = diagnostics(&v);
    assert!(!diags.is_empty());
    for d in diags {
        for key in [
            "rule", "severity", "message", "help", "path", "span", "line", "column", "pointer",
            "resource", "related",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks `{key}`: {d}");
        }
        assert!(d["span"]["start"].as_u64().unwrap() <= d["span"]["end"].as_u64().unwrap());
        assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
        assert!(
            d["pointer"].as_str().unwrap().starts_with('/'),
            "pointer of {d}"
        );
        assert!(
            d["resource"]
                .as_str()
                .unwrap()
                .starts_with("/subscriptions/")
        );
        for r in d["related"].as_array().unwrap() {
            for key in ["path", "span", "line", "column", "message"] {
                assert!(r.get(key).is_some(), "related label lacks `{key}`: {r}");
            }
        }
    }
    for key in ["files", "vnets", "peerings", "errors", "warnings", "infos"] {
        assert!(v["summary"][key].is_u64(), "summary lacks `{key}`");
    }
    // The pointer names the offending value: check one against the file.
    let d = diags
        .iter()
        .find(|d| d["rule"] == "invalid-address-prefix")
        .expect("demo has a host-bits prefix");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d["path"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        file.pointer(d["pointer"].as_str().unwrap()).unwrap(),
        "10.2.2.5/24"
    );
    insta::assert_snapshot!("demo_json", out.stdout);
}

#[test]
fn a_correct_design_exits_0() {
    let out = peerlint(&["check", "testdata/cli/clean"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("No problems found in 1 file (3 vnets, 4 peerings)."),
        "{}",
        out.stdout
    );
}

#[test]
fn the_same_estate_exported_twice_is_one_estate() {
    let out = peerlint(&["check", "testdata/cli/twice", "--format", "json"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v = json(&out);
    assert_eq!(v["summary"]["vnets"], 3);
    assert_eq!(v["summary"]["peerings"], 4);
    assert!(diagnostics(&v).is_empty());
}

#[test]
fn stdin_is_read_for_dash() {
    let text = std::fs::read("testdata/demo/spokes.json").unwrap();
    let out = peerlint(&["check", "-", "--format", "json"], Some(&text));
    assert_eq!(out.code, 1);
    let v = json(&out);
    assert!(diagnostics(&v).iter().all(|d| d["path"] == "<stdin>"));
    let clean = std::fs::read("testdata/cli/clean/vnets.json").unwrap();
    let out = peerlint(&["check", "-"], Some(&clean));
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn malformed_inputs_are_diagnosed_and_the_rest_is_still_checked() {
    let dir = scratch("malformed");
    std::fs::write(
        dir.join("a-truncated.json"),
        "[{\"name\": \"vnet-x\", \"addressSpace\": {",
    )
    .unwrap();
    std::fs::write(dir.join("b-deep.json"), "[".repeat(100_000)).unwrap();
    std::fs::write(
        dir.join("c-binary.json"),
        [0u8, 0xff, 0xfe, 0x01, b'x', 0x80],
    )
    .unwrap();
    std::fs::write(dir.join("d-empty.json"), "").unwrap();
    std::fs::write(
        dir.join("e-wrong-types.json"),
        r#"[{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/vnet-w", "name": "vnet-w",
            "addressSpace": {"addressPrefixes": [10]}, "subnets": 7,
            "virtualNetworkPeerings": [{"name": "p", "useRemoteGateways": "yes", "remoteVirtualNetwork": {"id": 5}}]}]"#,
    )
    .unwrap();
    std::fs::copy("testdata/demo/spokes.json", dir.join("f-spokes.json")).unwrap();
    let files: Vec<String> = [
        "a-truncated",
        "b-deep",
        "c-binary",
        "d-empty",
        "e-wrong-types",
        "f-spokes",
    ]
    .iter()
    .map(|f| dir.join(format!("{f}.json")).to_string_lossy().into_owned())
    .collect();
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let out = peerlint(&args, None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    let diags = diagnostics(&v);
    let rules_for = |f: &str| -> Vec<String> {
        diags
            .iter()
            .filter(|d| d["path"].as_str().unwrap().ends_with(f))
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    };
    for f in [
        "a-truncated.json",
        "b-deep.json",
        "c-binary.json",
        "d-empty.json",
    ] {
        assert_eq!(rules_for(f), ["invalid-syntax"], "{f}");
    }
    let wrong = rules_for("e-wrong-types.json");
    assert!(
        wrong.contains(&"invalid-address-prefix".to_string()),
        "{wrong:?}"
    );
    assert!(
        wrong
            .iter()
            .filter(|r| *r == "invalid-property-type")
            .count()
            >= 3,
        "{wrong:?}"
    );
    // The good file is still checked.
    assert!(rules_for("f-spokes.json").contains(&"invalid-address-prefix".to_string()));
    let deep = diags
        .iter()
        .find(|d| d["path"].as_str().unwrap().ends_with("b-deep.json"))
        .unwrap();
    assert!(
        deep["message"].as_str().unwrap().contains("deeper than"),
        "{deep}"
    );
    // Human output renders the same run.
    let mut args = vec!["check", "--color", "never"];
    args.extend(files.iter().map(String::as_str));
    let human = peerlint(&args, None);
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("invalid-syntax"));
}

#[test]
fn a_missing_path_is_a_tool_failure_but_the_rest_is_checked() {
    let out = peerlint(
        &[
            "check",
            "testdata/demo/spokes.json",
            "testdata/no-such-file.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no-such-file.json"), "{}", out.stderr);
    assert!(!diagnostics(&json(&out)).is_empty());
}

#[test]
fn select_and_ignore() {
    let out = peerlint(
        &[
            "check",
            "testdata/demo",
            "--format",
            "json",
            "--select",
            "missing-reverse-peering",
        ],
        None,
    );
    let v = json(&out);
    assert!(
        diagnostics(&v)
            .iter()
            .all(|d| d["rule"] == "missing-reverse-peering")
    );
    assert_eq!(out.code, 1);
    let out = peerlint(&["check", "testdata/demo", "--ignore", "correctness"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = peerlint(
        &[
            "check",
            "testdata/demo",
            "--select",
            "missing-reverse-peerin",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("did you mean `missing-reverse-peering`?"),
        "{}",
        out.stderr
    );
    let out = peerlint(&["check", "testdata/demo", "--exit-zero"], None);
    assert_eq!(out.code, 0);
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(peerlint(&["check", "--format", "xml"], None).code, 2);
    assert_eq!(peerlint(&["frobnicate"], None).code, 2);
    assert_eq!(peerlint(&["--help"], None).code, 0);
}

#[test]
fn rules_lists_every_rule_as_json() {
    let out = peerlint(&["rules", "--format", "json"], None);
    assert_eq!(out.code, 0);
    let v = json(&out);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), peerlint::rules::ALL.len());
    for r in list {
        assert!(
            r["name"].is_string() && r["severity"].is_string() && r["summary"].is_string(),
            "{r}"
        );
        assert!(r["needs"].is_array(), "{r}");
    }
    let overlap = list
        .iter()
        .find(|r| r["name"] == "peered-address-overlap")
        .unwrap();
    assert_eq!(overlap["needs"][0], "address-space");
    let human = peerlint(&["rules"], None);
    assert!(human.stdout.contains("missing-reverse-peering"));
}

#[test]
fn rule_prints_docs() {
    let out = peerlint(&["rule", "remote-gateway-missing"], None);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("# remote-gateway-missing\n"));
    assert!(out.stdout.contains("## How to fix"));
    assert!(
        out.stdout
            .contains("\n\nReads: remote vnet, `useRemoteGateways`.\n\n"),
        "{}",
        out.stdout
    );
    // The rules about the inputs read no fact of the design.
    let out = peerlint(&["rule", "invalid-syntax"], None);
    assert!(!out.stdout.contains("Reads:"), "{}", out.stdout);
    let out = peerlint(&["rule", "remote-gateway-mising"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("did you mean `remote-gateway-missing`?")
    );
}

#[test]
fn an_unrecognised_file_named_explicitly_is_reported_but_not_when_walked() {
    let dir = scratch("unrecognised");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name": "web", "version": "1.0.0"}"#,
    )
    .unwrap();
    let explicit = peerlint(
        &[
            "check",
            "--format",
            "json",
            dir.join("package.json").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        json(&explicit)["diagnostics"][0]["rule"],
        "unrecognized-input"
    );
    assert_eq!(explicit.code, 0, "a warning doesn't fail the run");
    let walked = peerlint(&["check", "--format", "json", dir.to_str().unwrap()], None);
    assert!(diagnostics(&json(&walked)).is_empty());
}

#[test]
fn reach_explains_a_path_and_the_lack_of_one_on_the_demo() {
    // Two spokes of one hub: no path (peering is not transitive), exit 1.
    let out = peerlint(
        &["reach", "vnet-spoke1", "vnet-spoke2", "testdata/demo"],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("reach_spoke_to_spoke", out.stdout);
    // A spoke and its hub: the direct peering, exit 0.
    let out = peerlint(&["reach", "vnet-spoke1", "vnet-hub", "testdata/demo"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("reach_spoke_to_hub", out.stdout);
    let out = peerlint(
        &[
            "reach",
            "vnet-spoke1",
            "10.2.1.4",
            "testdata/demo",
            "--format",
            "json",
        ],
        None,
    );
    let v = json(&out);
    assert_eq!(v["results"][0]["reachable"], false);
    assert!(
        !v["results"][0]["shared_neighbours"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    insta::assert_snapshot!("reach_json", out.stdout);
}

#[test]
fn reach_with_an_unknown_vnet_is_a_tool_failure() {
    let out = peerlint(&["reach", "vnet-spoke9", "vnet-hub", "testdata/demo"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no vnet named `vnet-spoke9`"),
        "{}",
        out.stderr
    );
}

#[test]
fn schema_is_a_json_schema() {
    let out = peerlint(&["schema"], None);
    assert_eq!(out.code, 0);
    let v = json(&out);
    assert_eq!(v["properties"]["peerlint"]["const"], 1);
}

#[test]
fn expand_shows_the_template_as_evaluated() {
    let out = peerlint(&["expand", "testdata/arm/hub-spoke/azuredeploy.json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The parameters file beside the template is applied: the gateway is not deployed.
    assert!(
        out.stdout
            .contains("parameters  testdata/arm/hub-spoke/azuredeploy.parameters.json"),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("expand_hub_spoke_human", out.stdout);
    let out = peerlint(
        &[
            "expand",
            "testdata/arm/hub-spoke/azuredeploy.json",
            "--subscription",
            "00000000-0000-0000-0000-000000000001",
            "--resource-group",
            "rg-net",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["version"], 1);
    let resources = v["resources"].as_array().unwrap();
    let gateway = resources
        .iter()
        .find(|r| r["type"] == "Microsoft.Network/virtualNetworkGateways")
        .expect("the gateway is listed");
    assert_eq!(gateway["deployed"], false);
    assert_eq!(gateway["decidedBy"]["line"], 12);
    assert!(gateway.get("properties").is_none(), "{gateway}");
    insta::assert_snapshot!("expand_hub_spoke_json", out.stdout);
}

#[test]
fn expand_marks_unknowns_and_reports_expression_errors() {
    let dir = scratch("expand");
    let t = dir.join("main.json");
    std::fs::write(
        &t,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {"hubId": {"type": "string"}},
  "resources": [{"type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    "apiVersion": "2024-05-01", "name": "spoke/to-hub",
    "properties": {"remoteVirtualNetwork": {"id": "[parameters('hubId')]"}}}],
  "outputs": {"n": {"type": "int", "value": "[add(1)]"}}}"#,
    )
    .unwrap();
    let out = peerlint(&["expand", t.to_str().unwrap()], None);
    assert_eq!(out.code, 1, "expression errors exit 1: {}", out.stderr);
    assert!(
        out.stdout.contains(
            "remoteVirtualNetwork.id  ⟨unknown: parameter `hubId` has no default and no parameters file sets it⟩"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("n (int)  ⟨invalid: `add`: takes 2 arguments, found 1⟩"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("main.json:6:47: `add`: takes 2 arguments, found 1"),
        "{}",
        out.stdout
    );
    let out = peerlint(&["expand", t.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.code, 1);
    let v = json(&out);
    assert_eq!(
        v["resources"][0]["properties"]["remoteVirtualNetwork.id"]["$unknown"],
        "parameter `hubId` has no default and no parameters file sets it"
    );
    assert_eq!(v["errors"][0]["at"]["line"], 6);
}

#[test]
fn expand_needs_a_readable_template() {
    let out = peerlint(
        &[
            "expand",
            "testdata/arm/hub-spoke/azuredeploy.parameters.json",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not an ARM template"),
        "{}",
        out.stderr
    );
    let out = peerlint(&["expand", "testdata/arm/hub-spoke/nope.json"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read"), "{}", out.stderr);
    let out = peerlint(
        &[
            "expand",
            "testdata/arm/hub-spoke/azuredeploy.json",
            "--parameters",
            "testdata/arm/hub-spoke/azuredeploy.json",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not an ARM parameters file"),
        "{}",
        out.stderr
    );
}
