//! GruCloud designs (issue 13): a `resources.js` (with the `config.js` beside it) read by the
//! JavaScript static-subset evaluator, never run, and checked by every rule like any input.

mod common;

use std::path::{Path, PathBuf};

use common::{human, peerlint, run, scratch};
use peerlint::discover::{Input, Origin, discover};
use peerlint::engine::{self, Outcome};
use peerlint::model::{GatewayKind, Remote};
use peerlint::rules::ALL;

fn fixture(name: &str) -> PathBuf {
    Path::new("testdata/grucloud").join(name)
}

/// (rule, path:line:column) of every finding.
fn findings(o: &Outcome) -> Vec<(String, String)> {
    o.diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.to_string(),
                format!("{}:{}:{}", d.at.path, d.at.line, d.at.column),
            )
        })
        .collect()
}

fn rules_of(o: &Outcome) -> Vec<&'static str> {
    let mut r: Vec<&str> = o.diagnostics.iter().map(|d| d.rule).collect();
    r.sort();
    r
}

/// A scratch folder holding a GruCloud design: `resources.js`, and `config.js` when given.
fn design(name: &str, config: Option<&str>, resources: &str) -> PathBuf {
    let dir = scratch(name);
    if let Some(config) = config {
        std::fs::write(dir.join("config.js"), config).unwrap();
    }
    std::fs::write(dir.join("resources.js"), resources).unwrap();
    dir
}

fn explicit(path: &Path) -> Vec<Input> {
    vec![Input {
        display: path.to_string_lossy().into_owned(),
        origin: Origin::File(path.to_path_buf()),
        explicit: true,
    }]
}

fn check(inputs: &[Input]) -> Outcome {
    engine::run(inputs, &mut std::io::empty(), ALL)
}

#[test]
fn the_three_examples_of_the_peering_page_load_and_subid_is_named_as_grucloud_writes_it() {
    for (example, peerings) in [("doc-create", 1), ("doc-sync", 2), ("doc-encryption", 1)] {
        let o = run(&fixture(example), ALL);
        let g = &o.graph;
        assert_eq!(g.defined_vnets().count(), 2, "{example}");
        assert_eq!(g.peering_count(), peerings, "{example}");
        let names: Vec<&str> = g.defined_vnets().map(|(_, v)| v.name.as_str()).collect();
        assert!(
            names.contains(&"myVirtualNetwork") && names.contains(&"vnet2"),
            "{names:?}"
        );
        // The peering belongs to its `virtualNetwork` dependency, in its `resourceGroup`.
        let (_, p) = g.peerings().next().unwrap();
        // No `config.js`: the subscription is the design's own placeholder.
        assert_eq!(
            p.id,
            format!(
                "/subscriptions/{{subscription:testdata|grucloud|{example}|resources.js}}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVirtualNetwork/virtualNetworkPeerings/myVirtualNetworkPeering"
            )
        );
        // `subid` is no subscription: the one finding per peering, at the id, in GruCloud's terms.
        assert_eq!(
            rules_of(&o),
            vec!["invalid-remote-network-id"; peerings],
            "{example}"
        );
        for d in &o.diagnostics {
            assert!(d.at.path.ends_with("resources.js"));
            assert!(
                d.message.starts_with("peering `VirtualNetworkPeering "),
                "{}",
                d.message
            );
            assert!(d.message.contains("the subscription `subid` is not a GUID"));
            let help = d.help.as_deref().unwrap();
            assert!(
                help.contains("${config.subscriptionId}") && help.contains("getId"),
                "{help}"
            );
        }
    }
    let o = run(&fixture("doc-create"), ALL);
    insta::assert_snapshot!("grucloud_doc_create", human(&o));
}

#[test]
fn a_one_sided_peering_an_overlap_and_a_missing_remote_gateway_are_reported_in_resources_js() {
    let o = run(&fixture("mistakes"), ALL);
    let js = "testdata/grucloud/mistakes/resources.js";
    assert_eq!(
        findings(&o),
        vec![
            // The overlapping prefix as written.
            ("peered-address-overlap".into(), format!("{js}:46:29")),
            // The remote id of the peering that has no way back (a literal id).
            ("missing-reverse-peering".into(), format!("{js}:113:15")),
            // The `useRemoteGateways: true` that needs a gateway vnet-f lacks.
            ("remote-gateway-missing".into(), format!("{js}:175:28")),
            (
                "remote-gateway-without-transit".into(),
                format!("{js}:175:28")
            ),
        ]
    );
    insta::assert_snapshot!("grucloud_mistakes", human(&o));
    // Remote vnets named by id, by `config.subscriptionId` and by `getId` all link.
    let g = &o.graph;
    for (_, p) in g.peerings() {
        let Remote::Vnet { vnet, .. } = p.remote else {
            panic!("{} is not linked: {:?}", p.id, p.remote);
        };
        assert!(g.vnet(vnet).defined, "{}", p.id);
        assert!(
            p.id.starts_with("/subscriptions/0b7c2e1a-5d3f-4e8a-9c6b-1f2a3b4c5d6e/"),
            "config.js's subscription: {}",
            p.id
        );
    }
}

#[test]
fn functions_of_the_file_are_evaluated_with_their_arguments() {
    // The same mistakes written with helper functions, and no config.js: the subscription
    // is a placeholder, and spans point at the arguments that decide each finding.
    let o = run(&fixture("helpers"), ALL);
    let mut rules = rules_of(&o);
    rules.dedup();
    assert_eq!(
        rules,
        [
            "gateway-transit-without-gateway",
            "missing-reverse-peering",
            "peered-address-overlap",
            "remote-gateway-missing"
        ]
    );
    let overlap = o
        .diagnostics
        .iter()
        .find(|d| d.rule == "peered-address-overlap")
        .unwrap();
    let src = &o.db.get(overlap.at.file).text;
    let line = src.lines().nth(overlap.at.line - 1).unwrap();
    assert!(line.contains(r#"vnet("vnet-c", "10.20.0.0/16")"#), "{line}");
    for (_, p) in o.graph.peerings() {
        assert!(p.id.starts_with(
            "/subscriptions/{subscription:testdata|grucloud|helpers|resources.js}/resourceGroups/rg-net/"
        ));
    }
}

#[test]
fn a_gencode_design_loads_with_every_peering_linked_and_unknowns_reported() {
    let o = run(&fixture("gencode"), ALL);
    let g = &o.graph;
    // Every peering reaches a vnet of the design, and has its way back.
    assert_eq!(g.peering_count(), 2);
    for (pid, p) in g.peerings() {
        let Remote::Vnet { vnet, .. } = p.remote else {
            panic!("{} is not linked", p.id);
        };
        assert!(g.vnet(vnet).defined);
        assert!(g.reverse(pid).is_some(), "{} has its reverse", p.id);
    }
    let by_name = |n: &str| {
        g.defined_vnets()
            .find(|(_, v)| v.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let (hub_id, hub) = by_name("vnet-hub");
    // The gateway is placed by its `getId` subnet, with its type and SKU.
    assert!(g.has_gateway(hub_id));
    let gw = &hub.gateways[0];
    assert_eq!(gw.kind, GatewayKind::Vpn);
    assert_eq!(gw.sku.as_ref().map(|(s, _)| s.as_str()), Some("VpnGw2AZ"));
    assert_eq!(
        gw.subnet.as_ref().map(|(s, _)| s.as_str()),
        Some("GatewaySubnet")
    );
    // Subnets are the design's `Subnet` resources, in their vnets.
    let subnets: Vec<&str> = hub.subnets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(subnets, ["GatewaySubnet", "AzureFirewallSubnet"]);
    // The Azure Firewall is the hub's appliance; Azure gives it its address.
    assert_eq!(hub.appliances.len(), 1);
    assert_eq!(hub.appliances[0].name, "fw-hub");
    assert_eq!(hub.appliances[0].ip, None);
    // The spoke's address space comes from config.js; its subnet has the route table its
    // `routeTable` dependency names, and the table its `Route`.
    let (_, spoke) = by_name("vnet-spoke");
    let space = spoke.address_space.as_ref().unwrap();
    assert_eq!(&*space.prefixes[0].text, "10.1.0.0/16");
    let rt = spoke.subnets[0].route_table.as_ref().unwrap();
    assert!(
        rt.0.ends_with("/resourceGroups/rg-spoke/providers/Microsoft.Network/routeTables/rt-spoke")
    );
    assert_eq!(g.route_tables().len(), 1);
    assert_eq!(g.route_tables()[0].routes[0].name, "to-onprem");
    // `process.env` is unknown: unresolved-value at the expression, and nothing else.
    assert_eq!(rules_of(&o), ["unresolved-value"]);
    let d = &o.diagnostics[0];
    assert!(
        d.message
            .contains("`process.env.LAB_PREFIX` is read from the environment"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap().contains("without running it"));
    insta::assert_snapshot!("grucloud_gencode", human(&o));
}

#[test]
fn a_value_of_config_js_is_shown_where_it_is_read_and_where_it_is_written() {
    let dir = design(
        "config-origin",
        Some(
            "module.exports = ({ stage }) => ({\n  hubPrefix: \"10.0.0.0/16\",\n  spokePrefix: \"10.0.128.0/17\",\n});\n",
        ),
        r#"const vnet = (name, prefix) => ({
  type: "VirtualNetwork", group: "Network",
  properties: ({ config }) => ({ name, properties: { addressSpace: { addressPrefixes: [config[prefix]] } } }),
  dependencies: () => ({ resourceGroup: "rg" }),
});
const peer = (from, to) => ({
  type: "VirtualNetworkPeering", group: "Network",
  properties: ({ getId }) => ({ name: `${from}-${to}`, properties: {
    remoteVirtualNetwork: { id: getId({ type: "VirtualNetwork", group: "Network", name: `rg::${to}` }) } } }),
  dependencies: () => ({ resourceGroup: "rg", virtualNetwork: `rg::${from}` }),
});
// A list of functions, each called with `{ provider }`.
exports.createResources = [
  () => [vnet("hub", "hubPrefix"), vnet("spoke", "spokePrefix")],
  ({ provider }) => [peer("hub", "spoke"), peer("spoke", "hub")],
];
"#,
    );
    let o = run(&dir, ALL);
    assert_eq!(rules_of(&o), ["peered-address-overlap"]);
    let d = &o.diagnostics[0];
    assert!(d.at.path.ends_with("resources.js"), "{}", d.at.path);
    assert!(
        d.related
            .iter()
            .any(|r| r.at.path.ends_with("config.js") && r.message.contains("config.js")),
        "{:?}",
        d.related
    );
}

#[test]
fn unknown_values_are_unresolved_values_never_guesses() {
    let dir = design(
        "unknowns",
        None,
        r#"const { pipe, tap } = require("rubico");
const pkg = require("./package.json");
exports.createResources = ({ provider }) => [
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "hub", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "spoke", properties: { addressSpace: { addressPrefixes: [pipe([])] } } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualNetworkPeering", group: "Network",
    properties: ({ config }) => ({ name: "hub-to-spoke", properties: {
      useRemoteGateways: config.useGateway,
      allowGatewayTransit: 1 > 0,
      remoteVirtualNetwork: { id: "/subscriptions/" + config.sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke" } } }),
    dependencies: () => ({ resourceGroup: "rg", virtualNetwork: "rg::hub" }) },
  ...moreResources(),
];
"#,
    );
    let o = run(&dir, ALL);
    // Only unknowns are reported; no rule concludes anything from them.
    let mut reasons: Vec<String> = o
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.rule, "unresolved-value", "{}", d.message);
            d.message.clone()
        })
        .collect();
    reasons.sort();
    let all = reasons.join("\n");
    for expected in [
        "`pipe([])` calls `rubico.pipe`, a helper peerlint doesn't run",
        "`config.useGateway` is not set in `config.js`",
        "`1 > 0` is computed when GruCloud runs",
        "`\"/subscriptions/\" + config.sub + ",
        "an element of `createResources` can't be known before deployment: `...moreResources()` spreads",
    ] {
        assert!(all.contains(expected), "{expected}\n{all}");
    }
    // An element that may be any resource keeps the vnets' lists open: no missing reverse.
    assert!(
        o.diagnostics
            .iter()
            .all(|d| d.rule != "missing-reverse-peering")
    );
}

#[test]
fn javascript_that_isnt_a_grucloud_design_is_unrecognised_when_named_and_skipped_when_walked() {
    let dir = scratch("other-js");
    std::fs::write(
        dir.join("webpack.config.js"),
        "module.exports = { mode: 'production' };\n",
    )
    .unwrap();
    std::fs::write(dir.join("broken.js"), "function (\n").unwrap();
    std::fs::write(
        dir.join("mentions.js"),
        "// createResources is documented elsewhere\nconsole.log(1);\n",
    )
    .unwrap();
    // Named: reported.
    let o = check(&explicit(&dir.join("webpack.config.js")));
    assert_eq!(rules_of(&o), ["unrecognized-input"]);
    assert!(o.diagnostics[0].message.contains("isn't a GruCloud design"));
    // Walked: only a file that names `createResources` is read, and one that then exports
    // none is skipped quietly.
    let (inputs, errors) = discover(std::slice::from_ref(&dir));
    assert!(errors.is_empty());
    let walked: Vec<&str> = inputs
        .iter()
        .map(|i| i.display.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(walked, ["mentions.js"]);
    let o = check(&inputs);
    assert!(o.diagnostics.is_empty(), "{:?}", findings(&o));
    assert_eq!(o.graph.file_count(), 0);
}

#[test]
fn config_js_is_read_with_its_design_never_alone() {
    let dir = design(
        "config-alone",
        Some("module.exports = () => ({ location: 'x' });\n"),
        "exports.createResources = () => [];\n",
    );
    // Named with its design, walked, or named alone beside it: never an input of its own.
    for inputs in [
        common::inputs(&dir),
        discover(std::slice::from_ref(&dir)).0,
        explicit(&dir.join("config.js")),
    ] {
        let o = check(&inputs);
        assert!(o.diagnostics.is_empty(), "{:?}", findings(&o));
    }
    // A config.js that isn't valid JavaScript is reported where it fails.
    std::fs::write(
        dir.join("config.js"),
        "module.exports = () => ({ location: });\n",
    )
    .unwrap();
    let o = check(&common::inputs(&dir));
    assert_eq!(rules_of(&o), ["invalid-syntax"]);
    assert!(o.diagnostics[0].at.path.ends_with("config.js"));
    assert!(o.diagnostics[0].message.starts_with("invalid JavaScript: "));
}

#[test]
fn hostile_javascript_gives_a_clean_diagnostic() {
    let dir = scratch("hostile");
    // A syntax error: the parser's message and span.
    let bad = dir.join("resources.js");
    std::fs::write(
        &bad,
        "exports.createResources = () => [\n  { type: \"VirtualNetwork\", \n];\n",
    )
    .unwrap();
    let o = check(&explicit(&bad));
    assert_eq!(rules_of(&o), ["invalid-syntax"]);
    assert_eq!(o.diagnostics[0].at.line, 3);
    // 10,000-deep nesting, in a value and in the code: no stack overflow.
    for (i, deep) in [
        format!(
            "exports.createResources = () => [{{ type: \"VirtualNetwork\", group: \"Network\", properties: () => ({{ name: \"v\", x: {}1{} }}) }}];",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
        format!("exports.createResources = () => {}[]{};", "(".repeat(10_000), ")".repeat(10_000)),
        format!("exports.createResources = () => [{}1];", "!".repeat(10_000)),
        format!("exports.createResources = {}[];", "() => ".repeat(10_000)),
    ]
    .iter()
    .enumerate()
    {
        let f = dir.join(format!("deep-{i}.js"));
        std::fs::write(&f, deep).unwrap();
        let o = check(&explicit(&f));
        for d in &o.diagnostics {
            assert!(
                matches!(d.rule, "unresolved-value" | "invalid-syntax"),
                "{}: {}",
                d.rule,
                d.message
            );
        }
    }
    // A huge design: 20,000 vnets written out (about 4 MB), read in full.
    let mut huge = String::from("exports.createResources = () => [\n");
    for i in 0..20_000 {
        huge.push_str(&format!(
            "  {{ type: \"VirtualNetwork\", group: \"Network\", properties: () => ({{ name: \"v{i}\", properties: {{ addressSpace: {{ addressPrefixes: [\"10.{}.{}.0/24\"] }} }} }}), dependencies: () => ({{ resourceGroup: \"rg\" }}) }},\n",
            i / 256,
            i % 256
        ));
    }
    huge.push_str("];\n");
    let f = dir.join("huge.js");
    std::fs::write(&f, &huge).unwrap();
    let o = check(&explicit(&f));
    assert_eq!(o.graph.defined_vnets().count(), 20_000);
    assert!(o.diagnostics.is_empty(), "{:?}", findings(&o).first());
    // Evaluation that would never end is cut at a step budget: the values are unknown.
    let f = dir.join("endless.js");
    std::fs::write(
        &f,
        "const f0 = (x) => [x, x];\nconst f1 = (x) => [f0(x), f0(x)];\nconst f2 = (x) => [f1(x), f1(x), f1(x), f1(x)];\nconst f3 = (x) => [f2(x), f2(x), f2(x), f2(x), f2(x), f2(x), f2(x), f2(x)];\nconst f4 = (x) => [f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x), f3(x)];\nconst f5 = (x) => [f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x), f4(x)];\nconst f6 = (x) => [f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x), f5(x)];\nconst loop = (x) => loop(x);\nexports.createResources = () => [{ type: \"VirtualNetwork\", group: \"Network\", properties: () => ({ name: \"v\", tags: f6(1), x: loop(1), properties: { addressSpace: { addressPrefixes: [\"10.0.0.0/16\"] } } }), dependencies: () => ({ resourceGroup: \"rg\" }) }];\n",
    )
    .unwrap();
    let o = check(&explicit(&f));
    assert_eq!(o.graph.defined_vnets().count(), 1);
    // Work that would grow with the square of the file: 50,000 constants each read once, and
    // an object of 50,000 keys read 50,000 times. Scopes are hashed; object lookups are paid
    // from the step budget, so what lies beyond it is unknown, and the run ends.
    let mut wide = String::new();
    for i in 0..50_000 {
        wide.push_str(&format!(
            "const c{i} = {};
",
            if i == 0 {
                "0".to_string()
            } else {
                format!("c{}", i - 1)
            }
        ));
    }
    wide.push_str("const big = {");
    for i in 0..50_000 {
        wide.push_str(&format!("k{i}: {i}, "));
    }
    wide.push_str(
        "};
const reads = [",
    );
    for i in 0..50_000 {
        wide.push_str(&format!("big.k{i}, "));
    }
    wide.push_str("];
exports.createResources = () => [{ type: \"VirtualNetwork\", group: \"Network\", properties: () => ({ name: `v${c49999}`, tags: reads, properties: { addressSpace: { addressPrefixes: [\"10.0.0.0/16\"] } } }), dependencies: () => ({ resourceGroup: \"rg\" }) }];\n");
    let f = dir.join("wide.js");
    std::fs::write(&f, &wide).unwrap();
    let o = check(&explicit(&f));
    assert_eq!(o.graph.defined_vnets().count(), 0);
    assert_eq!(rules_of(&o), ["unresolved-value"]);
    assert!(
        o.diagnostics[0]
            .message
            .contains("steps, where peerlint stops"),
        "{}",
        o.diagnostics[0].message
    );
    // Without the reads, the constants alone are read in full.
    let head = wide.split("const big").next().unwrap();
    let create = &wide[wide.find("exports.createResources").unwrap()..];
    let consts = format!("{head}const reads = [];\n{create}");
    std::fs::write(&f, &consts).unwrap();
    let o = check(&explicit(&f));
    assert_eq!(o.graph.defined_vnets().next().unwrap().1.name, "v0");
    // Binary named `.js` on the command line.
    let f = dir.join("binary.js");
    std::fs::write(&f, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let o = check(&explicit(&f));
    assert!(o.diagnostics.iter().all(|d| d.rule == "invalid-syntax"));
}

#[test]
fn the_binary_reads_a_grucloud_folder() {
    let out = peerlint(
        &["check", "testdata/grucloud/mistakes", "--format", "concise"],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("resources.js:113:15: error[missing-reverse-peering]"),
        "{}",
        out.stdout
    );
    let out = peerlint(
        &["check", "testdata/grucloud/gencode", "--format", "concise"],
        None,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn route_servers_subnet_peering_and_inline_subnets_map_to_the_model() {
    let dir = design(
        "mapping",
        Some("module.exports = { subscriptionId: '11111111-2222-3333-4444-555555555555' };\n"),
        r#"exports.createResources = () => [
  // Inline subnets of a vnet, and a Route Server (a hub without virtualWan) in its
  // RouteServerSubnet, placed by the `subnet` dependency GruCloud turns into its id.
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "hub", properties: {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        { name: "RouteServerSubnet", properties: { addressPrefix: "10.0.0.0/27" } },
        { name: "shared", properties: { addressPrefix: "10.0.1.0/24" } },
      ] } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualHub", group: "Network",
    properties: () => ({ name: "rs", properties: { sku: "Standard" } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualHubIpConfiguration", group: "Network",
    properties: () => ({ name: "ipconfig1" }),
    dependencies: () => ({ resourceGroup: "rg", virtualHub: "rg::rs", subnet: "rg::hub::RouteServerSubnet" }) },
  // A Virtual WAN hub's ip configuration is no Route Server of the vnet.
  { type: "VirtualHub", group: "Network",
    properties: () => ({ name: "wanhub", properties: {} }),
    dependencies: () => ({ resourceGroup: "rg", virtualWan: "rg::wan" }) },
  { type: "VirtualHubIpConfiguration", group: "Network",
    properties: () => ({ name: "ipconfig1" }),
    dependencies: () => ({ resourceGroup: "rg", virtualHub: "rg::wanhub", subnet: "rg::spoke::RouteServerSubnet" }) },
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "spoke", properties: {
      addressSpace: { addressPrefixes: ["10.1.0.0/16", "fd00:1::/48"] },
      subnets: [
        { name: "RouteServerSubnet", properties: { addressPrefix: "10.1.0.0/27" } },
        { name: "app", properties: { addressPrefixes: ["10.1.1.0/24"] } },
      ] } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  // A subnet peering, IPv6 only, by every property of the REST schema; the short
  // `virtualNetwork` names a vnet of the peering's own resource group.
  { type: "VirtualNetworkPeering", group: "Network",
    properties: ({ getId }) => ({ name: "spoke-to-hub", properties: {
      allowVirtualNetworkAccess: true, allowForwardedTraffic: true,
      allowGatewayTransit: false, useRemoteGateways: true, doNotVerifyRemoteGateways: false,
      peerCompleteVnets: false, enableOnlyIPv6Peering: true,
      localSubnetNames: ["app"], remoteSubnetNames: ["shared", "missing"],
      peeringSyncLevel: "FullyInSync",
      remoteVirtualNetwork: { id: getId({ type: "VirtualNetwork", group: "Network", name: "rg::hub" }) } } }),
    dependencies: () => ({ resourceGroup: "rg", virtualNetwork: "spoke" }) },
  { type: "VirtualNetworkPeering", group: "Network",
    properties: ({ getId }) => ({ name: "hub-to-spoke", properties: {
      allowGatewayTransit: true,
      peerCompleteVnets: false, enableOnlyIPv6Peering: true,
      localSubnetNames: ["shared"], remoteSubnetNames: ["app"],
      remoteVirtualNetwork: { id: getId({ type: "VirtualNetwork", group: "Network", name: "rg::spoke" }) } } }),
    dependencies: () => ({ resourceGroup: "rg", virtualNetwork: "hub" }) },
];
"#,
    );
    let o = run(&dir, ALL);
    let g = &o.graph;
    let vnet = |n: &str| g.defined_vnets().find(|(_, v)| v.name == n).unwrap();
    let (hub_id, hub) = vnet("hub");
    let (spoke_id, _) = vnet("spoke");
    assert_eq!(hub.gateways.len(), 1);
    assert_eq!(hub.gateways[0].kind, GatewayKind::RouteServer);
    assert!(
        !g.has_gateway(spoke_id),
        "a Virtual WAN hub is no Route Server"
    );
    let subnets: Vec<&str> = hub.subnets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(subnets, ["RouteServerSubnet", "shared"]);
    let (pid, p) = g
        .peerings()
        .find(|(_, p)| p.name == "spoke-to-hub")
        .unwrap();
    assert_eq!(p.remote_vnet(), Some(hub_id));
    assert!(g.reverse(pid).is_some());
    assert!(p.use_remote_gateways.value && p.allow_forwarded_traffic.value);
    assert!(p.is_subnet_peering() && p.only_ipv6.value);
    assert_eq!(
        p.sync_level.as_ref().map(|(s, _)| &**s),
        Some("FullyInSync")
    );
    let remote: Vec<&str> = p
        .remote_subnets
        .as_ref()
        .unwrap()
        .names
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(remote, ["shared", "missing"]);
    // The rules read it all: the subnet that isn't there, and IPv6 on subnets without it.
    let rules = rules_of(&o);
    assert!(rules.contains(&"unknown-peered-subnet"), "{rules:?}");
    assert!(
        rules.contains(&"ipv6-only-peering-without-ipv6"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"remote-gateway-missing"), "{rules:?}");
}

#[test]
fn a_peering_without_a_remote_vnet_is_told_how_grucloud_names_one() {
    let dir = design(
        "no-remote",
        None,
        r#"exports.createResources = () => [
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "hub", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualNetworkPeering", group: "Network",
    properties: () => ({ name: "hub-to-nowhere", properties: { allowForwardedTraffic: true } }),
    dependencies: () => ({ resourceGroup: "rg", virtualNetwork: "rg::hub" }) },
];
"#,
    );
    let o = run(&dir, ALL);
    assert_eq!(rules_of(&o), ["invalid-remote-network-id"]);
    let help = o.diagnostics[0].help.as_deref().unwrap();
    assert!(
        help.contains("remoteVirtualNetwork: { id: getId("),
        "{help}"
    );
}

#[test]
fn a_gateway_named_only_by_its_subnets_dependency_is_placed_there() {
    let dir = design(
        "gateway-dependency",
        None,
        r#"exports.createResources = () => [
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "hub", properties: {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ name: "GatewaySubnet", properties: { addressPrefix: "10.0.0.0/27" } }] } }),
    dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualNetworkGateway", group: "Network",
    properties: () => ({ name: "gw", properties: {
      gatewayType: "ExpressRoute", sku: { name: "Standard" },
      ipConfigurations: [{ name: "default", properties: { privateIPAllocationMethod: "Dynamic" } }] } }),
    dependencies: () => ({ resourceGroup: "rg", subnets: ["rg::hub::GatewaySubnet"] }) },
];
"#,
    );
    let o = run(&dir, ALL);
    let (id, hub) = o.graph.defined_vnets().next().unwrap();
    assert!(o.graph.has_gateway(id));
    assert_eq!(hub.gateways[0].kind, GatewayKind::ExpressRoute);
    assert!(o.diagnostics.is_empty(), "{:?}", findings(&o));
}

#[test]
fn a_hub_with_a_gateway_subnet_may_have_its_gateway_in_another_stack() {
    // Regression: the hub's gateway is managed in another stack (or the portal); its
    // `GatewaySubnet` is here. GruCloud's subnet never shows what is deployed in it, so
    // whether the hub has a gateway is unknown: no remote-gateway-missing, no
    // gateway-transit-without-gateway, one unresolved-value at the `GatewaySubnet`.
    let o = run(&fixture("regress/gateway-elsewhere"), ALL);
    let js = "testdata/grucloud/regress/gateway-elsewhere/resources.js";
    assert_eq!(
        findings(&o),
        vec![("unresolved-value".into(), format!("{js}:13:3"))]
    );
    assert!(
        o.diagnostics[0]
            .message
            .contains("whether `vnet-hub` has a gateway")
    );
    // The same with the `GatewaySubnet` written inline in the vnet.
    let text = std::fs::read_to_string(fixture("regress/gateway-elsewhere/resources.js")).unwrap();
    let start = text.find("  {\n    type: \"Subnet\"").unwrap();
    let end = start + text[start..].find("  },\n").unwrap() + 5;
    let inline = format!("{}{}", &text[..start], &text[end..]).replace(
        r#"addressPrefixes: ["10.0.0.0/16"] } },"#,
        r#"addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "GatewaySubnet", properties: { addressPrefix: "10.0.0.0/27" } }] },"#,
    );
    assert_ne!(inline, text);
    let o = run(&design("gateway-elsewhere-inline", None, &inline), ALL);
    assert_eq!(rules_of(&o), vec!["unresolved-value"]);
    // A `RouteServerSubnet` may hold a Route Server managed elsewhere, the same way.
    let route_server = text.replace("\"GatewaySubnet\"", "\"RouteServerSubnet\"");
    assert_ne!(route_server, text);
    let o = run(&design("route-server-elsewhere", None, &route_server), ALL);
    assert_eq!(rules_of(&o), vec!["unresolved-value"]);
    assert!(o.diagnostics[0].message.contains("`RouteServerSubnet`"));
    // Without a `GatewaySubnet` the hub can have no gateway: both findings stay.
    let bare = format!("{}{}", &text[..start], &text[end..]);
    let o = run(&design("gateway-elsewhere-none", None, &bare), ALL);
    assert_eq!(
        rules_of(&o),
        vec!["gateway-transit-without-gateway", "remote-gateway-missing"]
    );
}

#[test]
fn designs_of_unknown_subscriptions_keep_their_same_named_vnets_apart() {
    // Regression: two spoke stacks, each deployed to the subscription of its own
    // environment (no `subscriptionId` in a `config.js`), both name their vnet
    // `rg-network/vnet-spoke`. They were merged into one vnet: conflicting-declarations, and
    // a false duplicate-remote-peering error on the two spokes' peerings to the hub.
    let dir = fixture("regress/two-subscriptions");
    let inputs: Vec<Input> = ["hub", "spoke1", "spoke2"]
        .iter()
        .flat_map(|s| explicit(&dir.join(s).join("resources.js")))
        .collect();
    let o = check(&inputs);
    assert_eq!(
        rules_of(&o),
        vec!["dangling-remote-network", "dangling-remote-network"]
    );
    // The hub's peerings name spokes of subscriptions only the environment knows.
    for d in &o.diagnostics {
        assert!(d.message.contains("hub-to-spoke"), "{}", d.message);
    }
    assert_eq!(o.graph.defined_vnets().count(), 3);
    // Each spoke's peering is linked to the hub, from its own vnet.
    let mut locals = Vec::new();
    for (_, p) in o.graph.peerings() {
        if p.id.contains("/vnet-spoke/") {
            let Remote::Vnet { vnet, .. } = p.remote else {
                panic!("{} is not linked: {:?}", p.id, p.remote);
            };
            assert!(o.graph.vnet(vnet).defined, "{}", p.id);
            locals.push(p.local);
        }
    }
    assert_eq!(locals.len(), 2);
    assert_ne!(locals[0], locals[1]);
}

#[test]
fn a_gateway_of_another_design_of_unknown_subscription_is_no_evidence_of_absence() {
    // Regression: the hub's gateway is in a stack of its own, naming the hub's
    // `GatewaySubnet` with `getId`. Neither stack sets a subscription, so each has its own:
    // the gateway may sit in the hub or in a vnet of that name elsewhere. Its vnet is
    // unknown, so no vnet can be said to lack a gateway.
    let dir = fixture("regress/gateway-stack");
    let inputs: Vec<Input> = ["gateway", "network"]
        .iter()
        .flat_map(|s| explicit(&dir.join(s).join("resources.js")))
        .collect();
    let o = check(&inputs);
    assert!(o.diagnostics.is_empty(), "{:?}", findings(&o));
    assert!(o.graph.may_have_unplaced_gateway());
    // Alone, the network stack's hub has no gateway.
    let o = check(&inputs[1..]);
    assert_eq!(
        rules_of(&o),
        vec!["gateway-transit-without-gateway", "remote-gateway-missing"]
    );
}

#[test]
fn a_subscription_config_js_reads_from_the_environment_still_links_the_design() {
    // `subscriptionId: process.env.AZURE_SUBSCRIPTION_ID`: the vnets' ids, `getId` and
    // `${config.subscriptionId}` all carry the one unknown it reads, so the peerings link.
    let dir = design(
        "subscription-from-env",
        Some("module.exports = () => ({ subscriptionId: process.env.AZURE_SUBSCRIPTION_ID });\n"),
        r#"exports.createResources = () => [
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "vnet-hub", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg-hub" }) },
  { type: "VirtualNetwork", group: "Network",
    properties: () => ({ name: "vnet-spoke", properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg-spoke" }) },
  { type: "VirtualNetworkPeering", group: "Network",
    properties: ({ getId }) => ({ name: "h2s", properties: {
      remoteVirtualNetwork: { id: getId({ type: "VirtualNetwork", group: "Network", name: "rg-spoke::vnet-spoke" }) } } }),
    dependencies: () => ({ resourceGroup: "rg-hub", virtualNetwork: "rg-hub::vnet-hub" }) },
  { type: "VirtualNetworkPeering", group: "Network",
    properties: ({ config }) => ({ name: "s2h", properties: {
      remoteVirtualNetwork: { id: `/subscriptions/${config.subscriptionId}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub` } } }),
    dependencies: () => ({ resourceGroup: "rg-spoke", virtualNetwork: "rg-spoke::vnet-spoke" }) },
];
"#,
    );
    let o = run(&dir, ALL);
    assert!(o.diagnostics.is_empty(), "{:?}", findings(&o));
    for (_, p) in o.graph.peerings() {
        let Remote::Vnet { vnet, .. } = p.remote else {
            panic!("{} is not linked: {:?}", p.id, p.remote);
        };
        assert!(o.graph.vnet(vnet).defined, "{}", p.id);
    }
}

#[test]
fn unknown_names_from_one_helper_are_never_one_vnet() {
    // Two vnets from one helper, named after the stage (an unknown without a placeholder of
    // its own): their names are written at one place, and were merged into one vnet.
    let dir = design(
        "helper-stage-names",
        Some("module.exports = ({ stage }) => ({ suffix: stage });\n"),
        r#"const vnet = (name, prefix, subnet) => ({ type: "VirtualNetwork", group: "Network",
  properties: ({ config }) => ({ name: `${name}-${config.suffix}`, properties: {
    addressSpace: { addressPrefixes: [prefix] },
    subnets: [{ name: "default", properties: { addressPrefix: subnet } }] } }),
  dependencies: () => ({ resourceGroup: "rg-app" }) });
exports.createResources = () => [
  vnet("hub", "10.0.0.0/16", "10.0.0.0/24"),
  vnet("spoke", "10.1.0.0/16", "10.1.0.0/24"),
];
"#,
    );
    let o = run(&dir, ALL);
    assert!(o.diagnostics.is_empty(), "{:?}", findings(&o));
    assert_eq!(o.graph.defined_vnets().count(), 2);
}
