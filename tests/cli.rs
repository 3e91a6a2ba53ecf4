//! The binary end to end: exit codes, every output format, stdin, malformed inputs.

mod common;

use common::{Out, assert_has, copy_dir, peerlint, peerlint_in, scratch};

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
    // Alone, it is all there was: nothing was checked, which is no pass.
    assert_eq!(explicit.code, 2, "{}", explicit.stderr);
    assert_has(&explicit.stderr, "nothing to check");
    let with_design = peerlint(
        &[
            "check",
            "--format",
            "json",
            dir.join("package.json").to_str().unwrap(),
            "testdata/cli/clean/vnets.json",
        ],
        None,
    );
    assert_eq!(
        json(&with_design)["diagnostics"][0]["rule"],
        "unrecognized-input"
    );
    assert_eq!(with_design.code, 0, "a warning doesn't fail the run");
    let walked = peerlint(&["check", "--format", "json", dir.to_str().unwrap()], None);
    assert!(diagnostics(&json(&walked)).is_empty());
    assert_eq!(walked.code, 2, "nothing to check: {}", walked.stderr);
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
    assert_has(&out.stderr, "no vnet named `vnet-spoke9`");
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
    assert_has(&out.stdout, "(10.1.1.0/24): reachable");
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
    assert_has(&out.stderr, "`missing.json` not found");
}

#[test]
fn reach_suggests_the_name_meant() {
    let out = peerlint(&["reach", "vnet-spoke", "vnet-hub", "testdata/demo"], None);
    assert_eq!(out.code, 2);
    assert_has(&out.stderr, "did you mean `vnet-spoke1`?");
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
    assert_has(&out.stdout, "`app` is not peered with `lab`");
    let out = peerlint(&["reach", "app", "prod", d], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_has(&out.stdout, "direct peering to `prod`");
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
    assert_has(
        &out.stdout,
        "remoteVirtualNetwork.id  ⟨unknown: parameter `hubId` has no default and no parameters file sets it⟩",
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
fn expand_pairs_a_parameters_file_as_check_does() {
    // `Main.prod.parameters.json` is `check`'s prod deployment of `main.json` (case ignored):
    // `expand` applies it too, and the value it sets is not unknown.
    let dir = scratch("expand-pairs");
    let t = dir.join("main.json");
    std::fs::write(
        &t,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {"hubId": {"type": "string"}},
  "resources": [{"type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    "apiVersion": "2024-05-01", "name": "spoke/to-hub",
    "properties": {"remoteVirtualNetwork": {"id": "[parameters('hubId')]"}}}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("Main.prod.parameters.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"hubId": {"value": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub"}}}"#,
    )
    .unwrap();
    let out = peerlint(&["expand", t.to_str().unwrap()], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_has(&out.stdout, "Main.prod.parameters.json");
    assert_has(
        &out.stdout,
        "remoteVirtualNetwork.id  /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub",
    );
}

#[test]
fn a_standalone_peering_without_its_vnet_is_reported_once() {
    // Recognised as a peering: invalid-property-type says what is missing, and
    // unrecognized-input doesn't add that it isn't an input.
    let dir = scratch("standalone-peering-once");
    let file = dir.join("peering.json");
    std::fs::write(
        &file,
        r#"{"name": "hub-to-spoke",
  "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
  "properties": {"remoteVirtualNetwork": {"id": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke"},
    "allowVirtualNetworkAccess": true}}"#,
    )
    .unwrap();
    let o = common::run(&file, peerlint::rules::ALL);
    let got: Vec<&str> = o.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(got, ["invalid-property-type"], "{:#?}", o.diagnostics);
}

#[test]
fn expand_names_children_not_deployed_and_each_copy_by_its_index() {
    let dir = scratch("expand-names");
    let t = dir.join("main.json");
    std::fs::write(
        &t,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub",
     "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
     "resources": [
       {"condition": false, "type": "subnets", "apiVersion": "2024-05-01", "name": "app",
        "properties": {"addressPrefix": "10.0.1.0/24"}}]},
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "spoke",
     "copy": {"name": "spokes", "count": 2},
     "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}]}"#,
    )
    .unwrap();
    let out = peerlint(&["expand", t.to_str().unwrap()], None);
    // The child not deployed has its full name and id, as a deployed one would.
    assert_has(
        &out.stdout,
        "Microsoft.Network/virtualNetworks/subnets `hub/app` (line 6)\n    id         \
             /subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/\
             Microsoft.Network/virtualNetworks/hub/subnets/app\n    deployed   false",
    );
    // Two copies with one id: each once, by its index.
    for i in 0..2 {
        let line =
            format!("Microsoft.Network/virtualNetworks `spoke` (line 8, copy {i} of `spokes`)");
        assert_eq!(out.stdout.matches(&line).count(), 1, "{}", out.stdout);
    }
    let out = peerlint(&["expand", t.to_str().unwrap(), "--format", "json"], None);
    let v = json(&out);
    let resources = v["resources"].as_array().unwrap();
    assert_eq!(resources[1]["name"], "hub/app");
    assert!(resources[0].get("copy").is_none(), "{}", resources[0]);
    for i in 0..2 {
        assert_eq!(
            resources[2 + i]["copy"],
            serde_json::json!({"name": "spokes", "index": i})
        );
    }
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
    assert_has(&out.stderr, "is not an ARM template");
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
    assert_has(&out.stderr, "is not an ARM parameters file");
}

// ---------------------------------------------------------------------------------------------
// Output formats: SARIF, GitHub workflow commands, JUnit XML, concise.

/// What every format says of a finding.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Seen {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    column: u64,
    message: String,
}

/// Reads a format's output back.
type Reader = fn(&Out) -> Vec<Seen>;

fn from_json(out: &Out) -> Vec<Seen> {
    diagnostics(&json(out))
        .iter()
        .map(|d| Seen {
            rule: d["rule"].as_str().unwrap().into(),
            severity: d["severity"].as_str().unwrap().into(),
            path: d["path"].as_str().unwrap().into(),
            line: d["line"].as_u64().unwrap(),
            column: d["column"].as_u64().unwrap(),
            message: d["message"].as_str().unwrap().into(),
        })
        .collect()
}

/// A URI-encoded relative path, decoded.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn from_sarif(out: &Out) -> Vec<Seen> {
    let v = json(out);
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let rule = r["ruleId"].as_str().unwrap();
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], rule, "ruleIndex of {r}");
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%", "{r}");
            Seen {
                rule: rule.into(),
                severity: match r["level"].as_str().unwrap() {
                    "note" => "info".into(),
                    l => l.into(),
                },
                path: percent_decode(loc["artifactLocation"]["uri"].as_str().unwrap()),
                line: loc["region"]["startLine"].as_u64().unwrap(),
                column: loc["region"]["startColumn"].as_u64().unwrap(),
                message: r["message"]["text"].as_str().unwrap().into(),
            }
        })
        .collect()
}

/// Undoes GitHub's escaping of a workflow command's properties (`property`) or message.
fn github_unescape(s: &str, property: bool) -> String {
    let mut s = s.replace("%0A", "\n").replace("%0D", "\r");
    if property {
        s = s.replace("%3A", ":").replace("%2C", ",");
    }
    s.replace("%25", "%")
}

fn from_github(out: &Out) -> Vec<Seen> {
    out.stdout
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not a command: {l}"));
            let (head, message) = rest.split_once("::").unwrap();
            let (command, props) = head.split_once(' ').unwrap();
            let mut get = std::collections::HashMap::new();
            for p in props.split(',') {
                let (k, v) = p.split_once('=').unwrap();
                get.insert(k, github_unescape(v, true));
            }
            let title = &get["title"];
            let rule = title
                .strip_prefix("peerlint(")
                .and_then(|t| t.strip_suffix(')'))
                .unwrap();
            let message = github_unescape(message, false);
            assert!(get["endLine"].parse::<u64>().unwrap() >= get["line"].parse().unwrap());
            Seen {
                rule: rule.into(),
                severity: match command {
                    "notice" => "info".into(),
                    c => c.into(),
                },
                path: get["file"].clone(),
                line: get["line"].parse().unwrap(),
                column: get["col"].parse().unwrap(),
                message: message.lines().next().unwrap().into(),
            }
        })
        .collect()
}

/// `path:line:col: severity[rule]: message`.
fn concise_line(l: &str) -> Seen {
    let (head, message) = l.split_once("]: ").unwrap();
    let (place, tag) = head.rsplit_once(": ").unwrap();
    let (severity, rule) = tag.split_once('[').unwrap();
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next().unwrap().parse().unwrap();
    let line = parts.next().unwrap().parse().unwrap();
    Seen {
        rule: rule.into(),
        severity: severity.into(),
        path: parts.next().unwrap().into(),
        line,
        column,
        message: message.into(),
    }
}

fn from_concise(out: &Out, summary: bool) -> Vec<Seen> {
    let mut lines: Vec<&str> = out.stdout.lines().collect();
    if summary {
        let last = lines.pop().unwrap();
        assert!(
            last.starts_with("Found ") || last.starts_with("No problems"),
            "{last}"
        );
    }
    lines.into_iter().map(concise_line).collect()
}

fn from_junit(out: &Out) -> Vec<Seen> {
    let doc = roxmltree::Document::parse(&out.stdout)
        .unwrap_or_else(|e| panic!("not XML ({e}):\n{}", out.stdout));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut seen = Vec::new();
    let mut total = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(suite.attribute("tests").unwrap(), cases.len().to_string());
        total += cases.len();
        for case in cases {
            let Some(body) = case
                .children()
                .find(|n| n.has_tag_name("failure") || n.has_tag_name("skipped"))
            else {
                assert_eq!(case.attribute("name"), Some("no findings"));
                continue;
            };
            let first = body.text().unwrap().lines().next().unwrap();
            let s = concise_line(first);
            assert_eq!(body.attribute("message"), Some(s.message.as_str()));
            assert_eq!(case.attribute("classname"), Some(s.path.as_str()));
            assert_eq!(case.attribute("file"), Some(s.path.as_str()));
            assert_eq!(suite.attribute("name"), Some(s.path.as_str()));
            assert_eq!(case.attribute("line"), Some(s.line.to_string().as_str()));
            assert!(
                case.attribute("name")
                    .unwrap()
                    .starts_with(&format!("{}: ", s.rule)),
                "{:?}",
                case.attribute("name")
            );
            seen.push(s);
        }
    }
    assert_eq!(root.attribute("tests").unwrap(), total.to_string());
    seen
}

fn check_format(dir: &str, format: &str, extra: &[&str]) -> Out {
    let mut args = vec!["check", dir, "--format", format];
    args.extend(extra);
    peerlint(&args, None)
}

#[test]
fn every_format_carries_the_same_findings_in_the_same_order() {
    // The demo, and every rule's fixture at once (all rules, YAML and JSON, file-level
    // findings such as `invalid-syntax`, findings with and without related labels).
    for dir in ["testdata/demo", "testdata/rules"] {
        let reference = check_format(dir, "json", &[]);
        let expected = from_json(&reference);
        assert!(expected.len() >= 6, "{dir}: {}", expected.len());
        let formats: [(&str, Reader); 4] = [
            ("sarif", from_sarif),
            ("github", from_github),
            ("junit", from_junit),
            ("concise", |o| from_concise(o, true)),
        ];
        for (format, parse) in formats {
            let out = check_format(dir, format, &[]);
            assert_eq!(
                out.code, reference.code,
                "{dir} --format {format}: exit code"
            );
            let got = parse(&out);
            assert_eq!(got.len(), expected.len(), "{dir} --format {format}");
            for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert_eq!(g, e, "{dir} --format {format}: finding {i}");
            }
        }
    }
}

#[test]
fn a_run_without_findings_is_one_passing_test_case_and_an_empty_sarif_run() {
    let out = check_format("testdata/cli/clean", "junit", &[]);
    assert_eq!(out.code, 0);
    assert!(from_junit(&out).is_empty());
    assert_has(&out.stdout, "<testcase name=\"no findings\"");
    assert_has(&out.stdout, "No problems found in 1 file");
    let out = check_format("testdata/cli/clean", "sarif", &[]);
    let v = json(&out);
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
    for format in ["github", "concise"] {
        let out = check_format("testdata/cli/clean", format, &["-q"]);
        assert_eq!(out.stdout, "", "--format {format}");
    }
}

/// The demo's SARIF log with what depends on the machine (the working directory) and the
/// rules' documentation (checked against `docs::body` instead) left out, for the snapshot.
fn sarif_for_snapshot(out: &Out) -> String {
    let cwd = std::env::current_dir().unwrap();
    let root = json(out)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(root.ends_with(&format!("{}/", cwd.file_name().unwrap().to_string_lossy())));
    let mut text = out
        .stdout
        .replace(&format!("\"{root}\""), "\"file:///[working directory]/\"");
    for r in peerlint::rules::ALL {
        let m = r.meta();
        let markdown = peerlint::render::docs::body(m);
        let plain = peerlint::render::docs::plain_text(&markdown);
        for docs in [markdown, plain] {
            let quoted = serde_json::to_string(&docs).unwrap();
            text = text.replace(&quoted, &format!("\"[docs of {}]\"", m.name));
        }
    }
    text
}

#[test]
fn demo_sarif_describes_every_rule_that_ran() {
    let out = check_format("testdata/demo", "sarif", &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "peerlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let cwd = std::env::current_dir().unwrap();
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    assert_eq!(
        percent_decode(root.trim_start_matches("file://").trim_end_matches('/')),
        cwd.to_string_lossy()
    );
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), peerlint::rules::ALL.len());
    for (r, rule) in rules.iter().zip(peerlint::rules::ALL) {
        let m = rule.meta();
        assert_eq!(r["id"], m.name);
        assert_eq!(r["name"], m.struct_name);
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .ends_with('.')
        );
        let body = peerlint::render::docs::body(m);
        for key in ["fullDescription", "help"] {
            assert_eq!(r[key]["markdown"], body.as_str(), "{} {key}", m.name);
            let text = r[key]["text"].as_str().unwrap();
            assert!(
                text.starts_with("What it does\n") && !text.contains("```"),
                "{text}"
            );
        }
        assert_eq!(r["helpUri"], peerlint::render::rule_url(m.name));
        let level = match m.severity().name() {
            "info" => "note",
            s => s,
        };
        assert_eq!(r["defaultConfiguration"]["level"], level);
        assert_eq!(r["properties"]["tags"][0], m.group.name());
    }
    for r in run["results"].as_array().unwrap() {
        let fp = r["partialFingerprints"]["peerlint/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16);
        assert_eq!(
            r["partialFingerprints"]["primaryLocationLineHash"],
            format!("{fp}:1")
        );
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(
            (region["endLine"].as_u64(), region["endColumn"].as_u64())
                > (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            "{region}"
        );
        for (i, l) in r["relatedLocations"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            assert_eq!(l["id"], i + 1);
            assert!(!l["message"]["text"].as_str().unwrap().is_empty());
        }
        assert!(r["properties"]["resource"].is_string());
    }
    insta::assert_snapshot!("demo_sarif", sarif_for_snapshot(&out));
    // Only the rules that ran are described.
    let out = check_format(
        "testdata/demo",
        "sarif",
        &["--select", "stale-peering-sync,missing-reverse-peering"],
    );
    let v = json(&out);
    let ids: Vec<&str> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // With the rules that can't be switched off.
    assert_eq!(
        ids,
        [
            "missing-reverse-peering",
            "stale-peering-sync",
            "invalid-syntax",
            "unrecognized-input"
        ]
    );
    assert_eq!(from_sarif(&out).len(), 2);
}

#[test]
fn demo_github_junit_and_concise_snapshots() {
    for format in ["github", "junit", "concise"] {
        let out = check_format("testdata/demo", format, &[]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        insta::assert_snapshot!(format!("demo_{format}"), out.stdout);
    }
}

/// The fingerprints of a SARIF log, by rule and message.
fn fingerprints(out: &Out) -> Vec<(String, String, String, u64)> {
    let v = json(out);
    let mut list: Vec<_> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["message"]["text"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["peerlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    list.sort();
    list
}

#[test]
fn sarif_fingerprints_survive_reformatting_and_moved_lines() {
    let dir = scratch("fingerprints");
    let hub = std::fs::read_to_string("testdata/demo/hub.json").unwrap();
    let spokes = std::fs::read_to_string("testdata/demo/spokes.json").unwrap();
    std::fs::write(dir.join("hub.json"), &hub).unwrap();
    std::fs::write(dir.join("spokes.json"), &spokes).unwrap();
    // A file-level finding whose message names an offset.
    std::fs::write(dir.join("broken.json"), b"\n\n[\xff]").unwrap();
    let d = dir.to_str().unwrap();
    let before = fingerprints(&check_format(d, "sarif", &[]));
    assert!(
        before.iter().any(|f| f.1.contains("offset 3")),
        "{before:?}"
    );
    // Reformatted (one line, no indentation), moved down, the broken file shifted.
    let compact: serde_json::Value = serde_json::from_str(&hub).unwrap();
    std::fs::write(dir.join("hub.json"), compact.to_string()).unwrap();
    std::fs::write(dir.join("spokes.json"), format!("\n\n\n\n{spokes}")).unwrap();
    std::fs::write(dir.join("broken.json"), b"\n\n\n\n[\xff]").unwrap();
    let after = fingerprints(&check_format(d, "sarif", &[]));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.0, &b.2), (&a.0, &a.2), "{b:?} / {a:?}");
        // Every finding moved, or (the decode error) its message names another offset.
        assert!(b.3 != a.3 || b.1 != a.1, "the finding moved: {b:?} / {a:?}");
    }
    // What is wrong changes: so does the fingerprint.
    std::fs::write(
        dir.join("spokes.json"),
        spokes.replace("10.2.2.5/24", "10.2.2.6/24"),
    )
    .unwrap();
    let changed = fingerprints(&check_format(d, "sarif", &[]));
    let prefix = |l: &[(String, String, String, u64)]| {
        l.iter()
            .find(|f| f.0 == "invalid-address-prefix")
            .unwrap()
            .2
            .clone()
    };
    assert_ne!(prefix(&before), prefix(&changed));
}

#[test]
fn output_writes_the_report_to_a_file_and_keeps_the_exit_code() {
    let dir = scratch("output");
    let summary = "Found 4 errors, 1 warning and 1 info in 2 files (5 vnets, 8 peerings).\n";
    for format in ["human", "json", "sarif", "github", "junit", "concise"] {
        let file = dir.join(format!("report.{format}"));
        let f = file.to_str().unwrap();
        let out = check_format("testdata/demo", format, &["--output", f]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert_eq!(out.stdout, summary, "{format}");
        let direct = check_format("testdata/demo", format, &[]);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            direct.stdout,
            "{format}"
        );
        let quiet = check_format("testdata/demo", format, &["-o", f, "-q"]);
        assert_eq!((quiet.code, quiet.stdout.as_str()), (1, ""), "{format}");
    }
    // The human format in a file has no colour, even when asked for.
    let file = dir.join("colour.txt");
    let f = file.to_str().unwrap();
    let out = check_format(
        "testdata/demo",
        "human",
        &["--color", "always", "--output", f],
    );
    assert_eq!(out.code, 1);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("missing-reverse-peering: peering"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    // An unwritable report is a tool failure.
    let missing = dir.join("no-such-folder").join("report.json");
    let out = check_format(
        "testdata/demo",
        "json",
        &["--output", missing.to_str().unwrap()],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
}

#[test]
fn fail_on_warning_fails_the_run_on_warnings() {
    // Without its errors, the demo has one warning (`stale-peering-sync`) and one info.
    let no_errors = ["--ignore", "correctness"];
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "testdata/demo"];
        args.extend(no_errors);
        args.extend(extra);
        peerlint(&args, None)
    };
    assert_eq!(run(&[]).code, 0);
    assert_eq!(run(&["--fail-on", "error"]).code, 0);
    assert_eq!(run(&["--fail-on", "warning"]).code, 1);
    assert_eq!(run(&["--fail-on", "warning", "--exit-zero"]).code, 0);
    assert_eq!(run(&["--fail-on", "info"]).code, 2);
    // Infos never fail a run.
    let out = peerlint(
        &[
            "check",
            "testdata/demo",
            "--select",
            "dangling-remote-network",
            "--fail-on",
            "warning",
        ],
        None,
    );
    assert_eq!(out.code, 0);
    // Errors fail it either way.
    let out = check_format("testdata/demo", "json", &["--fail-on", "warning"]);
    assert_eq!(out.code, 1);
    // JUnit shows what fails the run as failures, the rest as skipped.
    for (fail_on, failures, skipped) in [("error", "0", "2"), ("warning", "1", "1")] {
        let out = run(&["--format", "junit", "--fail-on", fail_on]);
        let doc = roxmltree::Document::parse(&out.stdout).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("failures"), Some(failures), "{fail_on}");
        assert_eq!(root.attribute("skipped"), Some(skipped), "{fail_on}");
        let failed: Vec<&str> = root
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .map(|n| n.attribute("type").unwrap())
            .collect();
        let expected: &[&str] = if fail_on == "warning" {
            &["stale-peering-sync"]
        } else {
            &[]
        };
        assert_eq!(failed, expected);
    }
}

#[test]
fn machine_formats_escape_hostile_names_and_paths() {
    let dir = scratch("hostile");
    let name = "vnet\nx\u{1b}[31m%,:\u{202e}";
    let vnets = serde_json::json!([{
        "id": format!("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{name}"),
        "name": name,
        "type": "Microsoft.Network/virtualNetworks",
        "addressSpace": {"addressPrefixes": ["10.0.0.1/16"]},
        "subnets": [],
        "virtualNetworkPeerings": []
    }]);
    let file = dir.join("a,b:c%d é.json");
    std::fs::write(&file, serde_json::to_string_pretty(&vnets).unwrap()).unwrap();
    let f = file.to_str().unwrap();
    let expected = from_json(&check_format(f, "json", &[]));
    assert_eq!(expected.len(), 1);
    let e = &expected[0];
    assert!(e.message.contains(name), "{}", e.message);
    // As the text formats show it: one line, no raw control or bidi characters.
    let shown = e
        .message
        .replace('\n', "\\u{a}")
        .replace('\u{1b}', "\\u{1b}")
        .replace('\u{202e}', "\\u{202e}");
    // SARIF carries the message as it is (JSON escapes it), the file as a `file:` URI.
    let sarif = json(&check_format(f, "sarif", &[]));
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["message"]["text"], e.message.as_str());
    let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert_eq!(percent_decode(uri.trim_start_matches("file://")), f);
    // GitHub: one command, properties and message escaped.
    let github = check_format(f, "github", &[]);
    assert!(
        !github.stdout.contains(['\u{1b}', '\u{202e}']),
        "{}",
        github.stdout
    );
    let seen = from_github(&github);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, f);
    assert_eq!(seen[0].message, shown);
    assert!(github.stdout.contains("file=") && github.stdout.contains("a%2Cb%3Ac%25d é.json"));
    // Concise: one line per finding.
    let concise = check_format(f, "concise", &["-q"]);
    assert_eq!(concise.stdout.lines().count(), 1, "{}", concise.stdout);
    assert!(concise.stdout.contains(&shown), "{}", concise.stdout);
    // JUnit: well-formed, the message attribute exact but for hidden characters.
    let junit = check_format(f, "junit", &[]);
    assert!(!junit.stdout.contains(['\u{1b}', '\u{202e}']));
    let doc = roxmltree::Document::parse(&junit.stdout).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message").unwrap(),
        e.message
            .replace('\u{1b}', "\\u{1b}")
            .replace('\u{202e}', "\\u{202e}")
    );
    let case = failure.parent().unwrap();
    assert_eq!(case.attribute("classname"), Some(f));
    assert!(
        failure
            .text()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .ends_with(&shown)
    );
}

#[test]
fn sarif_columns_count_utf16_code_units() {
    // `𝒳` is one character but two UTF-16 code units: the JSON column counts characters,
    // SARIF's UTF-16 units (its `columnKind`).
    let dir = scratch("utf16");
    std::fs::write(
        dir.join("net.json"),
        "[{\"id\": \"/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v\", \"name\": \"v\", \"tags\": {\"𝒳\": \"é\"}, \"addressSpace\": {\"addressPrefixes\": [\"10.0.0.1/16\"]}}]",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let json_col = from_json(&check_format(d, "json", &[]))[0].column;
    let v = json(&check_format(d, "sarif", &[]));
    let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    let line = std::fs::read_to_string(dir.join("net.json")).unwrap();
    let at = line.find("\"10.0.0.1/16\"").unwrap();
    assert_eq!(json_col as usize, line[..at].chars().count() + 1);
    assert_eq!(
        region["startColumn"].as_u64().unwrap() as usize,
        line[..at].encode_utf16().count() + 1
    );
    assert_eq!(
        region["endColumn"].as_u64().unwrap() as usize,
        line[..at].encode_utf16().count() + 1 + "\"10.0.0.1/16\"".len()
    );
}

#[test]
fn completions_for_every_shell() {
    // Every script names the options; those that complete values list the formats.
    for (shell, marker, values) in [
        ("bash", "complete -F _peerlint", true),
        ("zsh", "#compdef peerlint", true),
        ("fish", "complete -c peerlint", true),
        ("powershell", "Register-ArgumentCompleter", false),
    ] {
        let out = peerlint(&["completions", shell], None);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in [marker, "--fail-on", "--output", "completions"] {
            assert!(out.stdout.contains(word), "{shell}: no `{word}`");
        }
        if values {
            for word in ["sarif", "junit", "concise", "github"] {
                assert!(out.stdout.contains(word), "{shell}: no `{word}`");
            }
        }
    }
    assert_eq!(peerlint(&["completions", "tcsh"], None).code, 2);
    // Bash completes an option and a format value with the script.
    let script = peerlint(&["completions", "bash"], None).stdout;
    let complete = |words: &str, current: usize| {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "{script}\nCOMP_WORDS=({words}); COMP_CWORD={current}; _peerlint peerlint \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\""
            ))
            .output()
            .expect("bash runs");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("peerlint check --fail", 2).trim(), "--fail-on");
    let formats = complete("peerlint check --format ''", 3);
    for f in ["human", "json", "sarif", "github", "junit", "concise"] {
        assert!(formats.split_whitespace().any(|w| w == f), "{formats}");
    }
}

#[test]
fn human_output_links_rule_names_to_their_docs_in_a_terminal() {
    let outcome = common::run(std::path::Path::new("testdata/demo"), peerlint::rules::ALL);
    let style = |links| peerlint::render::human::Style {
        color: true,
        width: 100,
        links,
    };
    let summary = common::summary(&outcome);
    let linked =
        peerlint::render::human::render(&outcome.db, &outcome.diagnostics, summary, style(true));
    let url = peerlint::render::rule_url("missing-reverse-peering");
    assert!(
        linked.contains(&format!("\u{1b}]8;;{url}\u{1b}\\")),
        "{linked}"
    );
    assert!(
        !linked.contains("missing-reverse-peering: peering"),
        "{linked}"
    );
    let plain =
        peerlint::render::human::render(&outcome.db, &outcome.diagnostics, summary, style(false));
    assert!(!plain.contains("\u{1b}]8;;"), "{plain}");
    assert!(
        plain.contains("missing-reverse-peering: peering"),
        "{plain}"
    );
}

#[test]
fn a_path_that_cant_be_read_prints_no_pass_line() {
    let out = peerlint(
        &["check", "testdata/cli/clean", "testdata/no-such-file.json"],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(!out.stdout.contains("No problems found"), "{}", out.stdout);
    assert!(out.stderr.contains("no-such-file.json"), "{}", out.stderr);
    let out = peerlint(
        &[
            "check",
            "testdata/cli/clean",
            "testdata/no-such-file.json",
            "--format",
            "concise",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(!out.stdout.contains("No problems found"), "{}", out.stdout);
}

#[test]
fn nothing_to_check_is_a_failure_that_says_what_was_looked_for() {
    let dir = scratch("nothing");
    let out = peerlint_in(&dir, &["check"], None);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(!out.stdout.contains("No problems found"), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("error: nothing to check: no file found in `.`; peerlint reads *.json"),
        "{}",
        out.stderr
    );
    std::fs::write(dir.join("package.json"), r#"{"name": "web"}"#).unwrap();
    std::fs::write(dir.join("tsconfig.json"), r#"{"compilerOptions": {}}"#).unwrap();
    let out = peerlint_in(&dir, &["check", "--format", "json"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("none of the 2 files found is an input peerlint reads"),
        "{}",
        out.stderr
    );
    // A file that doesn't parse is a finding (exit 1), not nothing to check.
    std::fs::write(dir.join("broken.json"), "[{").unwrap();
    let out = peerlint_in(&dir, &["check"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn walking_skips_dot_folders_and_what_gitignore_ignores() {
    let dir = scratch("ignored");
    copy_dir(std::path::Path::new("testdata/cli/clean"), &dir);
    // Files that would fail the run if they were read.
    for sub in [".vscode", "node_modules", "build", "sub/.cache"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("settings.json"), "{ not json").unwrap();
    }
    std::fs::write(dir.join(".hidden.json"), "{ not json").unwrap();
    std::fs::write(dir.join("build-output.json"), "{ not json").unwrap();
    std::fs::write(dir.join(".gitignore"), "/build/\nbuild-output.json\n").unwrap();
    let out = peerlint_in(&dir, &["check"], None);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_has(&out.stdout, "No problems found in 1 file");
    // Named, an ignored file is read (and fails).
    let out = peerlint_in(&dir, &["check", ".", "build/settings.json"], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    // `exclude` in peerlint.toml adds to .gitignore, for files named too.
    std::fs::create_dir_all(dir.join("legacy")).unwrap();
    std::fs::write(dir.join("legacy/old.json"), "{ not json").unwrap();
    assert_eq!(peerlint_in(&dir, &["check"], None).code, 1);
    std::fs::write(dir.join("peerlint.toml"), "exclude = [\"legacy\"]\n").unwrap();
    let out = peerlint_in(&dir, &["check"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = peerlint_in(&dir, &["check", "legacy/old.json", "vnets.json"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_files_cant_be_switched_off_by_select_or_ignore() {
    let dir = scratch("always-on");
    std::fs::write(dir.join("broken.json"), "[{\"name\": ").unwrap();
    std::fs::write(dir.join("package.json"), r#"{"name": "web"}"#).unwrap();
    let broken = dir.join("broken.json");
    let package = dir.join("package.json");
    let (broken, package) = (broken.to_str().unwrap(), package.to_str().unwrap());
    for extra in [
        &["--ignore", "invalid-syntax,unrecognized-input"][..],
        &["--select", "missing-reverse-peering"][..],
        &["--ignore", "correctness,suspicious"][..],
    ] {
        let mut args = vec![
            "check",
            "--format",
            "json",
            broken,
            package,
            "testdata/cli/clean/vnets.json",
        ];
        args.extend_from_slice(extra);
        let out = peerlint(&args, None);
        let rules: Vec<String> = diagnostics(&json(&out))
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(rules, ["invalid-syntax", "unrecognized-input"], "{extra:?}");
        assert_eq!(out.code, 1, "{extra:?}");
    }
    let out = peerlint(&["check", broken, "--ignore", "invalid-syntax"], None);
    assert!(
        out.stderr
            .contains("`invalid-syntax` can't be switched off"),
        "{}",
        out.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_input_is_recognised_by_its_content_yaml_included() {
    let spec = std::fs::read("testdata/spec/example.yaml").unwrap();
    let out = peerlint(&["check", "-", "--format", "json"], Some(&spec));
    let file = peerlint(
        &["check", "testdata/spec/example.yaml", "--format", "json"],
        None,
    );
    assert_eq!(out.code, file.code, "{}", out.stdout);
    assert_eq!(json(&out)["summary"], json(&file)["summary"]);
    assert!(json(&out)["summary"]["vnets"].as_u64().unwrap() > 0);
    // JSON with a leading comment is still JSON.
    let mut commented = b"// az network vnet list\n".to_vec();
    commented.extend(std::fs::read("testdata/cli/clean/vnets.json").unwrap());
    let out = peerlint(&["check", "-"], Some(&commented));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("No problems found in 1 file (3 vnets"),
        "{}",
        out.stdout
    );
}

#[test]
fn parameters_and_subscriptions_that_cant_be_are_refused() {
    let out = peerlint(
        &[
            "check",
            "testdata/demo",
            "--parameters",
            "testdata/demo/hub.json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains("`testdata/demo/hub.json` is not a parameters file"),
        "{}",
        out.stderr
    );
    let out = peerlint(
        &["check", "testdata/demo", "--subscription", "production"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_has(&out.stderr, "a subscription id is a GUID");
    let out = peerlint(
        &[
            "check",
            "testdata/demo",
            "--subscription",
            "11111111-1111-1111-1111-111111111111",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
}

/// The demo's findings as (rule, message).
fn rule_messages(out: &Out) -> Vec<(String, String)> {
    diagnostics(&json(out))
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_baseline_lets_an_estate_adopt_the_gate() {
    let dir = scratch("baseline");
    copy_dir(std::path::Path::new("testdata/demo"), &dir.join("net"));
    let before = peerlint_in(&dir, &["check", "net", "--format", "json"], None);
    assert_eq!(before.code, 1);
    let all = rule_messages(&before);
    // Today's findings recorded: the next run passes.
    let out = peerlint_in(
        &dir,
        &["check", "net", "--write-baseline", "baseline.json"],
        None,
    );
    assert_eq!(
        out.code, 1,
        "writing a baseline doesn't hide today's findings"
    );
    assert_has(&out.stderr, "wrote the baseline baseline.json");
    let text = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    let b: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), all.len());
    assert!(
        !text.contains("\"line\""),
        "a baseline holds no line numbers"
    );
    let out = peerlint_in(&dir, &["check", "net", "--baseline", "baseline.json"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_has(
        &out.stdout,
        &format!(
            "Baseline baseline.json: {} known findings not shown; 0 baseline entries fixed.",
            all.len()
        ),
    );
    let with_baseline = || {
        let args = [
            "check",
            "net",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ];
        peerlint_in(&dir, &args, None)
    };
    // Reformatted and shifted by lines: still the same findings.
    let hub = std::fs::read_to_string(dir.join("net/hub.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&hub).unwrap();
    std::fs::write(
        dir.join("net/hub.json"),
        format!("\n\n\n{}", serde_json::to_string(&v).unwrap()),
    )
    .unwrap();
    let out = with_baseline();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(diagnostics(&json(&out)).is_empty());
    // One new flaw: only it is reported, and it alone fails the run.
    let spokes = std::fs::read_to_string(dir.join("net/spokes.json")).unwrap();
    assert!(spokes.contains("\"10.1.1.0/24\""));
    std::fs::write(
        dir.join("net/spokes.json"),
        spokes.replacen("\"10.1.1.0/24\"", "\"10.1.1.7/24\"", 1),
    )
    .unwrap();
    let out = with_baseline();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let new = rule_messages(&out);
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].0, "invalid-address-prefix");
    assert!(new[0].1.contains("10.1.1.7/24"), "{new:?}");
    // An old flaw fixed: counted as fixed.
    std::fs::write(dir.join("net/spokes.json"), &spokes).unwrap();
    let (rule, message) = all
        .iter()
        .find(|(r, _)| r == "invalid-address-prefix")
        .expect("the demo has a host-bits prefix")
        .clone();
    assert!(message.contains("10.2.2.5/24"), "{message}");
    std::fs::write(
        dir.join("net/spokes.json"),
        spokes.replacen("\"10.2.2.5/24\"", "\"10.2.2.0/24\"", 1),
    )
    .unwrap();
    let out = peerlint_in(&dir, &["check", "net", "--baseline", "baseline.json"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("1 baseline entry fixed"),
        "{rule}: {}",
        out.stdout
    );
    // The baseline named in peerlint.toml, from another folder.
    std::fs::write(
        dir.join("peerlint.toml"),
        "paths = [\"net\"]\nbaseline = \"baseline.json\"\n",
    )
    .unwrap();
    let out = peerlint_in(&dir.join("net"), &["check", "--format", "json"], None);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_has(&out.stderr, "1 baseline entry fixed");
    // A baseline that isn't one is a tool failure.
    std::fs::write(dir.join("bad.json"), "{}").unwrap();
    let out = peerlint_in(&dir, &["check", "net", "--baseline", "bad.json"], None);
    assert_eq!(out.code, 2);
    assert_has(&out.stderr, "not a peerlint baseline");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn baselines_and_sarif_share_one_fingerprint() {
    let dir = scratch("baseline-sarif");
    copy_dir(std::path::Path::new("testdata/demo"), &dir.join("net"));
    let out = peerlint_in(&dir, &["check", "net", "--write-baseline", "b.json"], None);
    assert_eq!(out.code, 1);
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("b.json")).unwrap()).unwrap();
    let mut recorded: Vec<String> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let sarif = peerlint_in(&dir, &["check", "net", "--format", "sarif"], None);
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let mut shown: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["peerlint/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    recorded.sort();
    shown.sort();
    assert!(!shown.is_empty());
    assert_eq!(recorded, shown);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A step of `action.yml`, by name: its `run` script and its `env` (values as written).
fn action_step(name: &str) -> (String, Vec<(String, String)>) {
    let text = std::sync::Arc::new(std::fs::read_to_string("action.yml").unwrap());
    let t = peerlint::yaml::parse(&text, 0).expect("action.yml is YAML");
    let root = t.root().unwrap();
    assert_eq!(t.get_str(root, "name"), Some("peerlint"));
    let runs = t.get(root, "runs").unwrap();
    assert_eq!(t.get_str(runs, "using"), Some("composite"));
    let steps = t.get(runs, "steps").unwrap();
    let step = t
        .children(steps)
        .find(|&s| t.get_str(s, "name") == Some(name))
        .unwrap_or_else(|| panic!("no step `{name}`"));
    let env = t
        .get(step, "env")
        .map(|e| {
            t.members(e)
                .map(|(k, v)| (k.to_string(), t.str(v).unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default();
    (t.get_str(step, "run").unwrap_or("").to_string(), env)
}

/// Runs a step's script with bash as the runner would: `${{ inputs.x }}` in its env replaced
/// by `inputs`, `${{ steps.check.outputs.exit-code }}` by `exit_code`, the built peerlint on
/// the PATH. Returns the exit code and what the step wrote to `$GITHUB_OUTPUT`.
fn run_step(
    name: &str,
    dir: &std::path::Path,
    inputs: &[(&str, &str)],
    exit_code: &str,
) -> (i32, String) {
    let (script, env) = action_step(name);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_peerlint"))
        .parent()
        .unwrap();
    let output = dir.join("github-output");
    std::fs::write(&output, "").unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-e").arg("-c").arg(&script).current_dir(dir);
    cmd.env(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    cmd.env("GITHUB_OUTPUT", &output);
    for (k, v) in env {
        let mut value = v.replace("${{ steps.check.outputs.exit-code }}", exit_code);
        for (input, given) in inputs {
            value = value.replace(&format!("${{{{ inputs.{input} }}}}"), given);
        }
        assert!(
            !value.contains("${{"),
            "{k} = {value}: an input the test didn't give"
        );
        cmd.env(k, value);
    }
    let out = cmd.output().expect("bash runs");
    (
        out.status.code().unwrap(),
        std::fs::read_to_string(&output).unwrap(),
    )
}

#[test]
fn the_github_action_checks_reports_sarif_and_gates_on_the_exit_code() {
    let dir = scratch("action");
    copy_dir(std::path::Path::new("testdata/demo"), &dir.join("net"));
    let inputs = [
        ("paths", "net"),
        ("args", "--fail-on error"),
        ("sarif-file", "out.sarif"),
    ];
    // The check step never fails by itself: it records the exit code for the gate.
    let (code, output) = run_step("Check", &dir, &inputs, "");
    assert_eq!(code, 0);
    assert_eq!(output.trim(), "exit-code=1");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.sarif")).unwrap()).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    // A clean design passes; one that can't be checked records 2.
    copy_dir(
        std::path::Path::new("testdata/cli/clean"),
        &dir.join("clean"),
    );
    let clean = [
        ("paths", "clean"),
        ("args", ""),
        ("sarif-file", "clean.sarif"),
    ];
    assert_eq!(run_step("Check", &dir, &clean, "").1.trim(), "exit-code=0");
    let missing = [
        ("paths", "nowhere"),
        ("args", ""),
        ("sarif-file", "x.sarif"),
    ];
    assert_eq!(
        run_step("Check", &dir, &missing, "").1.trim(),
        "exit-code=2"
    );
    // The gate passes on 0 only: findings, a tool failure and no exit code at all fail it.
    for (recorded, expected) in [("0", 0), ("1", 1), ("2", 2), ("", 2)] {
        assert_eq!(
            run_step("Gate on the exit code", &dir, &[], recorded).0,
            expected,
            "{recorded:?}"
        );
    }
    // The SARIF upload runs even when the check failed, and only when there is a report.
    let text = std::fs::read_to_string("action.yml").unwrap();
    assert!(text.contains("uses: github/codeql-action/upload-sarif@"));
    assert!(text.contains(
        "if: ${{ always() && inputs.sarif == 'true' && hashFiles(inputs.sarif-file) != '' }}"
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_shows_ci_snippets_and_a_configuration_that_parse() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let blocks = |lang: &str| -> Vec<String> {
        let fence = format!("```{lang}\n");
        readme
            .split(&fence)
            .skip(1)
            .map(|b| b.split("```").next().unwrap().to_string())
            .collect()
    };
    // The configuration example is a valid configuration (its paths need not exist here).
    let tomls = blocks("toml");
    let example = tomls
        .iter()
        .find(|t| t.contains("[[exception]]"))
        .expect("the README shows a configuration");
    let dir = scratch("readme-config");
    for p in ["network/spoke.json", "network/spoke.prod.json"] {
        std::fs::create_dir_all(dir.join(p).parent().unwrap()).unwrap();
        std::fs::write(dir.join(p), "{}").unwrap();
    }
    std::fs::write(dir.join("peerlint.toml"), example).unwrap();
    let out = peerlint_in(&dir, &["config"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Every YAML snippet parses; the CI ones run the commands this peerlint has.
    let yamls = blocks("yaml");
    for y in &yamls {
        peerlint::yaml::parse(&std::sync::Arc::new(y.clone()), 0)
            .unwrap_or_else(|e| panic!("{}: {y}", e.message));
    }
    let snippet = |needle: &str| {
        yamls
            .iter()
            .find(|y| y.contains(needle))
            .unwrap_or_else(|| panic!("no snippet with {needle}"))
    };
    assert!(snippet("id: peerlint").contains("repo: https://github.com/peerlint/peerlint"));
    assert!(snippet("uses: peerlint/peerlint@").contains("security-events: write"));
    let azure = snippet("PublishTestResults@2");
    assert!(azure.contains("condition: succeededOrFailed()"));
    assert!(azure.contains("testResultsFormat: JUnit"));
    for line in azure.lines().filter(|l| l.contains("script: peerlint ")) {
        let args: Vec<&str> = line
            .split("script: ")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .map(|a| a.trim_matches('"'))
            .collect();
        peerlint::cli::command()
            .try_get_matches_from(&args)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_baseline_survives_a_new_folder_of_templates_that_renumbers_the_others() {
    let dir = scratch("baseline-folders");
    let template = |prefix: &str| {
        format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
 "contentVersion": "1.0.0.0",
 "resources": [{{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
   "name": "vnet-app", "location": "westeurope",
   "properties": {{"addressSpace": {{"addressPrefixes": ["{prefix}"]}}}}}}]}}
"#
        )
    };
    std::fs::create_dir_all(dir.join("tpl/m")).unwrap();
    std::fs::write(dir.join("tpl/m/main.json"), template("10.0.0.5/16")).unwrap();
    let out = peerlint_in(
        &dir,
        &[
            "check",
            "tpl",
            "--write-baseline",
            "b.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let first = diagnostics(&json(&out))[0]["resource"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        first.contains("/resourceGroups/<resourceGroup>/"),
        "{first}"
    );
    // A folder that sorts first: the old one's templates now deploy to <resourceGroup-2>.
    std::fs::create_dir_all(dir.join("tpl/a")).unwrap();
    std::fs::write(dir.join("tpl/a/main.json"), template("10.1.0.0/16")).unwrap();
    let all = peerlint_in(&dir, &["check", "tpl", "--format", "json"], None);
    let now = diagnostics(&json(&all))[0]["resource"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(now.contains("/resourceGroups/<resourceGroup-2>/"), "{now}");
    let out = peerlint_in(&dir, &["check", "tpl", "--baseline", "b.json"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("1 known finding not shown; 0 baseline entries fixed"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}
