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
            .contains("\n\nReads: remote vnet, `useRemoteGateways`, gateway placement.\n\n"),
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
fn unrelated_designs_checked_together_stay_unrelated() {
    // Two landing zones in two folders reuse one address plan: each hub firewall is 10.0.1.4.
    // Landing zone B's hub is deployed elsewhere; its spoke's route to 10.0.1.4 must not
    // resolve to landing zone A's hub ("not peered": a false transitive-peering-assumed).
    let out = peerlint(
        &["check", "--format", "json", "testdata/cli/unrelated"],
        None,
    );
    let v = json(&out);
    let rules: Vec<&str> = diagnostics(&v)
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["dangling-remote-network"], "{}", out.stdout);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The route's next hop is outside the inputs: reach says unknown, not "no path".
    let out = peerlint(
        &[
            "reach",
            "spoke-b/app",
            "10.3.0.0/16",
            "testdata/cli/unrelated",
        ],
        None,
    );
    assert!(
        out.stdout.contains("unknown")
            && out
                .stdout
                .contains("no vnet in the inputs holds the next hop 10.0.1.4"),
        "{}",
        out.stdout
    );
    // Within one design the firewall is found: spoke A reaches its hub through it.
    let out = peerlint(
        &["reach", "spoke-a/app", "hub-a", "testdata/cli/unrelated"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn reach_takes_the_template_options_of_check() {
    let dir = "testdata/cli/reach-params";
    // The address spaces come from parameters without defaults: unknown without the file.
    let out = peerlint(&["reach", "hub", "spoke", dir], None);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("the address space of `spoke` is known only at deployment"),
        "{}",
        out.stderr
    );
    let params = "--parameters=testdata/cli/reach-params/dev.json";
    let out = peerlint(&["reach", "hub", "spoke/app", dir, params], None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("(10.1.1.0/24): reachable"),
        "{}",
        out.stdout
    );
    // With the deployment context, the vnets have their real ids.
    let sub = "0f0e0d0c-0b0a-4909-8807-060504030201";
    let hub = format!(
        "/subscriptions/{sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub"
    );
    let out = peerlint(
        &[
            "reach",
            &hub,
            "spoke",
            dir,
            params,
            "--subscription",
            sub,
            "--resource-group",
            "rg-net",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = peerlint(
        &["reach", "hub", "spoke", dir, "--parameters=missing.json"],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`missing.json` not found"),
        "{}",
        out.stderr
    );
}

#[test]
fn reach_suggests_the_name_meant() {
    let out = peerlint(&["reach", "vnet-spoke", "vnet-hub", "testdata/demo"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `vnet-spoke1`?"),
        "{}",
        out.stderr
    );
    let out = peerlint(
        &[
            "reach",
            "vnet-spoke1",
            "vnet-hub/snet-shard",
            "testdata/demo",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("vnet `vnet-hub` has no subnet `snet-shard`; did you mean `snet-shared`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn reach_answers_about_the_vnet_named_even_when_another_holds_its_prefix() {
    // `lab` reuses the range of `prod`; `app` is peered with `prod` only.
    let dir = scratch("reach-overlap");
    std::fs::write(
        dir.join("net.yaml"),
        "peerlint: 1\nvnets:\n  app: { address_space: [10.1.0.0/16] }\n  prod: { address_space: [10.2.0.0/16] }\n  lab: { address_space: [10.2.0.0/16] }\ntopology:\n  - peer: app <-> prod\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let out = peerlint(&["reach", "app", "lab", d], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("`app` is not peered with `lab`"),
        "{}",
        out.stdout
    );
    let out = peerlint(&["reach", "app", "prod", d], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("direct peering to `prod`"),
        "{}",
        out.stdout
    );
}

#[test]
fn reach_says_unknown_when_the_next_hop_is_known_only_at_deployment() {
    // The spokes route through the hub firewall, whose address comes from `reference()`.
    let template = "testdata/rules/transitive-peering-assumed/unknown-next-hop.json";
    let out = peerlint(
        &[
            "reach",
            "ok-spoke-unknown-hop/app",
            "data-unknown-hop",
            template,
        ],
        None,
    );
    assert_eq!(
        out.code, 1,
        "an unknown answer is not a path: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("(10.82.0.0/16): unknown")
            && out
                .stdout
                .contains("? the next hop of route `through-firewall` is known only at deployment")
            && !out.stdout.contains("no valid next-hop address")
            && !out.stdout.contains("peering is not transitive"),
        "{}",
        out.stdout
    );
    let out = peerlint(
        &[
            "reach",
            "ok-spoke-unknown-hop/app",
            "data-unknown-hop",
            template,
            "--format",
            "json",
        ],
        None,
    );
    let v = json(&out);
    assert_eq!(v["results"][0]["answer"], "unknown");
    assert!(v["results"][0]["reachable"].is_null());
    assert_eq!(v["results"][0]["missing"][0]["unknown"], true);
}

#[test]
fn reach_says_unknown_when_a_vnets_peerings_are_known_only_at_deployment() {
    let dir = scratch("reach-unknown-peerings");
    std::fs::write(
        dir.join("net.json"),
        r#"{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "peerings": { "type": "array" } },
  "resources": [
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "spoke", "location": "westeurope",
      "properties": { "addressSpace": { "addressPrefixes": ["10.5.0.0/16"] }, "virtualNetworkPeerings": "[parameters('peerings')]" } },
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub", "location": "westeurope",
      "properties": { "addressSpace": { "addressPrefixes": ["10.6.0.0/16"] } } } ] }"#,
    )
    .unwrap();
    let out = peerlint(&["reach", "spoke", "hub", dir.to_str().unwrap()], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("): unknown")
            && out
                .stdout
                .contains("the peerings of `spoke` are known only at deployment"),
        "{}",
        out.stdout
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
