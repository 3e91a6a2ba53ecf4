//! ARM templates end to end: the hand-written hub-and-spoke template in
//! `testdata/arm/hub-spoke` (an overlapping spoke, a copy loop one peering short, spokes using
//! the gateway of a hub whose gateway's condition is false) and a clean Bicep-style template.

mod common;

use common::{peerlint, scratch};

fn findings(args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = peerlint(&all, None);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    (out.code, v["diagnostics"].as_array().unwrap().clone())
}

/// (rule, resource's last segment, path, line) of each finding.
fn summary(ds: &[serde_json::Value]) -> Vec<(String, String, String, u64)> {
    ds.iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["resource"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn hub_spoke_template_findings_point_into_the_template_and_its_parameters() {
    let (code, ds) = findings(&["testdata/arm/hub-spoke"]);
    assert_eq!(code, 1);
    let s = summary(&ds);
    let has =
        |rule: &str, subject: &str| s.iter().any(|(r, sub, _, _)| r == rule && sub == subject);
    // The spoke whose prefix (from the parameters file) overlaps the hub.
    assert!(has("peered-address-overlap", "to-spoke-c"), "{s:#?}");
    // The copy loop of spoke→hub peerings is one short: spoke-c never peers back.
    assert!(has("missing-reverse-peering", "to-spoke-c"), "{s:#?}");
    // The gateway's condition is false in the parameters file: useRemoteGateways fails.
    assert!(has("remote-gateway-missing", "to-hub-vnet"), "{s:#?}");
    assert_eq!(
        s.iter()
            .filter(|(r, ..)| r == "remote-gateway-missing")
            .count(),
        2
    );
    assert!(
        !s.iter()
            .any(|(r, ..)| r == "unresolved-value" || r == "invalid-expression"),
        "{s:#?}"
    );
    // The overlap shows where the prefix came from: the parameters file.
    let overlap = ds
        .iter()
        .find(|d| d["rule"] == "peered-address-overlap")
        .unwrap();
    assert_eq!(overlap["path"], "testdata/arm/hub-spoke/azuredeploy.json");
    let related: Vec<&str> = overlap["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(
        related.contains(&"testdata/arm/hub-spoke/azuredeploy.parameters.json"),
        "{related:?}"
    );
    let human = peerlint(
        &["check", "testdata/arm/hub-spoke", "--color", "never"],
        None,
    )
    .stdout;
    insta::assert_snapshot!("arm_hub_spoke_human", human);
}

#[test]
fn the_gateway_deployed_fixes_the_gateway_findings() {
    // With the gateway deployed (the template's default), remote-gateway-missing goes away.
    let dir = scratch("arm");
    let params =
        std::fs::read_to_string("testdata/arm/hub-spoke/azuredeploy.parameters.json").unwrap();
    let p = dir.join("with-gateway.parameters.json");
    std::fs::write(&p, params.replace("\"value\": false", "\"value\": true")).unwrap();
    let pairing = format!("testdata/arm/hub-spoke/azuredeploy.json={}", p.display());
    let (_, ds) = findings(&[
        "testdata/arm/hub-spoke/azuredeploy.json",
        "--parameters",
        &pairing,
    ]);
    let s = summary(&ds);
    assert!(
        !s.iter()
            .any(|(r, ..)| r == "remote-gateway-missing" || r == "gateway-transit-without-gateway"),
        "{s:#?}"
    );
    assert!(
        s.iter().any(|(r, ..)| r == "peered-address-overlap"),
        "{s:#?}"
    );
}

#[test]
fn without_its_parameters_file_the_template_says_what_it_could_not_check() {
    let dir = scratch("arm-alone");
    let t = dir.join("azuredeploy.json");
    std::fs::copy("testdata/arm/hub-spoke/azuredeploy.json", &t).unwrap();
    let (code, ds) = findings(&[t.to_str().unwrap()]);
    let s = summary(&ds);
    assert!(s.iter().any(|(r, ..)| r == "unresolved-value"), "{s:#?}");
    assert!(
        !s.iter().any(|(r, ..)| r == "peered-address-overlap"),
        "nothing guessed: {s:#?}"
    );
    assert_ne!(code, 2);
}

#[test]
fn subscription_and_resource_group_set_the_ids() {
    let (_, ds) = findings(&[
        "testdata/arm/hub-spoke",
        "--subscription",
        "00000000-0000-0000-0000-000000000001",
        "--resource-group",
        "rg-net",
    ]);
    let r = ds
        .iter()
        .find(|d| d["rule"] == "missing-reverse-peering")
        .unwrap();
    assert_eq!(
        r["resource"],
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub-vnet/virtualNetworkPeerings/to-spoke-c"
    );
}

#[test]
fn a_missing_parameters_file_is_a_tool_failure() {
    let out = peerlint(
        &[
            "check",
            "testdata/arm/hub-spoke",
            "--parameters",
            "nope.parameters.json",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("nope.parameters.json"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_clean_symbolic_name_template_passes() {
    let (code, ds) = findings(&["testdata/arm/clean"]);
    assert_eq!(code, 0, "{ds:#?}");
    assert!(ds.is_empty(), "{ds:#?}");
}

#[test]
fn route_tables_and_routes_are_kept_with_their_subnets() {
    let dir = scratch("arm-routes");
    let t = dir.join("routes.json");
    std::fs::write(
        &t,
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": { "firewallIp": "10.0.1.4" },
  "resources": [
    { "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt-spoke",
      "properties": { "routes": [
        { "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "[variables('firewallIp')]" } }
      ] } },
    { "type": "Microsoft.Network/routeTables/routes", "apiVersion": "2024-05-01", "name": "rt-spoke/to-onprem",
      "properties": { "addressPrefix": "192.168.0.0/16", "nextHopType": "VirtualNetworkGateway" } },
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "spoke",
      "properties": { "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
        "subnets": [{ "name": "app", "properties": { "addressPrefix": "10.1.0.0/24",
          "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt-spoke')]" } } }] } }
  ]
}"#,
    )
    .unwrap();
    let inputs = vec![peerlint::discover::Input {
        display: "routes.json".into(),
        origin: peerlint::discover::Origin::File(t),
        explicit: true,
    }];
    let o = peerlint::engine::run(&inputs, &mut std::io::empty(), peerlint::rules::ALL);
    let tables = o.graph.route_tables();
    assert_eq!(tables.len(), 1);
    let rt = &tables[0];
    assert_eq!(rt.name, "rt-spoke");
    let routes: Vec<(&str, &str, Option<&str>)> = rt
        .routes
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.prefix.as_ref().map(|p| &*p.text).unwrap_or(""),
                r.next_hop_ip.as_ref().map(|(ip, _)| ip.as_str()),
            )
        })
        .collect();
    assert_eq!(
        routes,
        vec![
            ("default", "0.0.0.0/0", Some("10.0.1.4")),
            ("to-onprem", "192.168.0.0/16", None)
        ]
    );
    let (_, spoke) = o.graph.defined_vnets().next().unwrap();
    let (rt_id, _) = spoke.subnet("app").unwrap().route_table.as_ref().unwrap();
    assert!(rt_id.eq_ignore_ascii_case(&rt.id), "{rt_id} vs {}", rt.id);
    assert!(o.diagnostics.is_empty(), "{:#?}", o.diagnostics);
}

#[test]
fn nested_copy_loops_stop_at_the_budget() {
    // 800 parents x 800 children: far beyond ARM's limits; peerlint stops expanding and says so.
    let dir = scratch("arm-budget");
    let t = dir.join("big.json");
    std::fs::write(
        &t,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [{ "type": "Microsoft.Network/virtualNetworks", "name": "[concat('v', copyIndex())]",
    "copy": { "name": "l", "count": 800 },
    "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
      "copy": [{ "name": "virtualNetworkPeerings", "count": 800,
        "input": { "name": "[concat('p', copyIndex('virtualNetworkPeerings'))]",
          "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'x')]" } } } }] } }] }"#,
    )
    .unwrap();
    let (_, ds) = findings(&[t.to_str().unwrap(), "--select", "invalid-expression"]);
    assert_eq!(ds.len(), 1, "{ds:#?}");
    assert!(
        ds[0]["message"]
            .as_str()
            .unwrap()
            .contains("more than 50000 copies")
    );
}

#[test]
fn findings_on_a_resource_under_an_unknown_condition_say_so_except_the_unknown_itself() {
    let dir = scratch("arm-condition");
    let t = dir.join("azuredeploy.json");
    std::fs::write(
        &t,
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "deployIt": { "type": "bool" } },
  "resources": [
    {
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2024-05-01",
      "name": "maybe",
      "condition": "[parameters('deployIt')]",
      "location": "westeurope",
      "properties": { "addressSpace": { "addressPrefixes": ["127.0.0.0/8"] } }
    }
  ]
}"#,
    )
    .unwrap();
    let (_, ds) = findings(&[t.to_str().unwrap()]);
    let labelled = |rule: &str| {
        let d = ds
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule}: {ds:#?}"));
        d["related"].as_array().unwrap().iter().any(|r| {
            r["message"]
                .as_str()
                .unwrap()
                .starts_with("applies only if this condition holds")
        })
    };
    // A check of the design applies only if the resource is deployed ...
    assert!(labelled("reserved-address-range"), "{ds:#?}");
    // ... but the finding about the unknown condition is not itself conditional.
    assert!(!labelled("unresolved-value"), "{ds:#?}");
}
