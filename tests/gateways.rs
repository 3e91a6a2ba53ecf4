//! Gateways as Azure counts them: a Route Server in a template is its vnet's gateway, a
//! Virtual WAN hub is not; VPN and ExpressRoute gateways are told apart (templates and
//! exports that say, the design spec), and only a VPN gateway forwards traffic between vnets;
//! what can't be known stays unknown.

mod common;

use std::path::Path;

use peerlint::analysis::Analyses;
use peerlint::model::{Endpoint, GatewayKind};
use peerlint::query::step_text;
use peerlint::rule::Severity;
use peerlint::rules::ALL;

use common::{peerlint, scratch};

/// (rule, last segment of the resource) of each finding.
fn findings(o: &peerlint::engine::Outcome) -> Vec<(String, String)> {
    o.diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), common::subject(d)))
        .collect()
}

fn kinds(o: &peerlint::engine::Outcome, vnet: &str) -> Vec<GatewayKind> {
    let (_, v) = o
        .graph
        .vnets()
        .find(|(_, v)| v.name == vnet)
        .unwrap_or_else(|| panic!("no vnet {vnet}"));
    v.gateways.iter().map(|g| g.kind).collect()
}

#[test]
fn a_route_server_in_a_template_is_the_gateway_its_spokes_use() {
    let o = common::run(Path::new("testdata/arm/route-server-hub"), ALL);
    assert_eq!(kinds(&o, "vnet-hub"), vec![GatewayKind::RouteServer]);
    assert!(o.diagnostics.is_empty(), "{:#?}", findings(&o));
}

#[test]
fn a_virtual_wan_hub_is_no_route_server() {
    // The same hub with `virtualWan`: a Virtual WAN hub, joined by hub connections, not by
    // peerings (P14). The spoke's useRemoteGateways has no gateway to use.
    let text = std::fs::read_to_string("testdata/arm/route-server-hub/azuredeploy.json").unwrap();
    let wan = text.replace(
        r#""properties": { "sku": "Standard" }"#,
        r#""properties": { "sku": "Standard", "virtualWan": { "id": "[resourceId('Microsoft.Network/virtualWans', 'wan')]" } }"#,
    );
    assert_ne!(wan, text);
    let dir = scratch("vwan-hub");
    std::fs::write(dir.join("azuredeploy.json"), wan).unwrap();
    let o = common::run(&dir, ALL);
    assert!(kinds(&o, "vnet-hub").is_empty());
    let f = findings(&o);
    assert!(
        f.contains(&("remote-gateway-missing".into(), "spoke-to-hub".into())),
        "{f:#?}"
    );
    assert!(
        f.contains(&(
            "gateway-transit-without-gateway".into(),
            "hub-to-spoke".into()
        )),
        "{f:#?}"
    );
}

/// A hub (`vnet-hub`) and two spokes peered through it with gateway transit, each spoke
/// routing the other's space to the gateway, as `az network vnet list` and `az network
/// route-table list` print them; the hub's GatewaySubnet names gateway `vgw-hub` (of a type
/// the export doesn't say).
fn hub_with_gateway_routes(dir: &Path) {
    let sub = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-net/providers/Microsoft.Network";
    let peering = |from: &str, to: &str, hub_side: bool| {
        serde_json::json!({
            "name": format!("{from}-to-{to}"),
            "id": format!("{sub}/virtualNetworks/vnet-{from}/virtualNetworkPeerings/{from}-to-{to}"),
            "remoteVirtualNetwork": { "id": format!("{sub}/virtualNetworks/vnet-{to}") },
            "peeringState": "Connected",
            "allowVirtualNetworkAccess": true,
            "allowGatewayTransit": hub_side,
            "useRemoteGateways": !hub_side,
            "resourceGroup": "rg-net"
        })
    };
    let spoke = |name: &str, n: u8, other: &str| {
        serde_json::json!({
            "name": format!("vnet-{name}"),
            "id": format!("{sub}/virtualNetworks/vnet-{name}"),
            "resourceGroup": "rg-net",
            "addressSpace": { "addressPrefixes": [format!("10.{n}.0.0/16")] },
            "subnets": [{
                "name": "app",
                "id": format!("{sub}/virtualNetworks/vnet-{name}/subnets/app"),
                "addressPrefix": format!("10.{n}.1.0/24"),
                "routeTable": { "id": format!("{sub}/routeTables/rt-{name}") }
            }],
            "virtualNetworkPeerings": [peering(name, "hub", false)],
            "_other": other
        })
    };
    let vnets = serde_json::json!([
        {
            "name": "vnet-hub",
            "id": format!("{sub}/virtualNetworks/vnet-hub"),
            "resourceGroup": "rg-net",
            "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
            "subnets": [{
                "name": "GatewaySubnet",
                "id": format!("{sub}/virtualNetworks/vnet-hub/subnets/GatewaySubnet"),
                "addressPrefix": "10.0.0.0/27",
                "ipConfigurations": [{ "id": format!("{sub}/virtualNetworkGateways/vgw-hub/ipConfigurations/default") }]
            }],
            "virtualNetworkPeerings": [peering("hub", "a", true), peering("hub", "b", true)]
        },
        spoke("a", 1, "b"),
        spoke("b", 2, "a"),
    ]);
    let table = |name: &str, dest: u8| {
        serde_json::json!({
            "name": format!("rt-{name}"),
            "id": format!("{sub}/routeTables/rt-{name}"),
            "resourceGroup": "rg-net",
            "type": "Microsoft.Network/routeTables",
            "routes": [{
                "name": "to-other-spoke",
                "addressPrefix": format!("10.{dest}.0.0/16"),
                "nextHopType": "VirtualNetworkGateway"
            }]
        })
    };
    let tables = serde_json::json!([table("a", 2), table("b", 1)]);
    std::fs::write(dir.join("vnets.json"), vnets.to_string()).unwrap();
    std::fs::write(dir.join("route-tables.json"), tables.to_string()).unwrap();
}

/// `az network vnet-gateway list` of the hub's gateway, of type `ty`.
fn gateway_export(dir: &Path, ty: &str) {
    let sub = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-net/providers/Microsoft.Network";
    let gw = serde_json::json!([{
        "name": "vgw-hub",
        "id": format!("{sub}/virtualNetworkGateways/vgw-hub"),
        "resourceGroup": "rg-net",
        "type": "Microsoft.Network/virtualNetworkGateways",
        "gatewayType": ty,
        "ipConfigurations": [{ "name": "default", "subnet": { "id": format!("{sub}/virtualNetworks/vnet-hub/subnets/GatewaySubnet") } }]
    }]);
    std::fs::write(dir.join("gateways.json"), gw.to_string()).unwrap();
}

/// A spec of intents about the exported vnets: spoke a must reach spoke b, and must not.
fn intents(dir: &Path, kind: &str) {
    std::fs::write(
        dir.join("intents.yaml"),
        format!("peerlint: 1\nintents:\n  - {kind}: {{ from: vnet-a/app, to: vnet-b }}\n"),
    )
    .unwrap();
}

/// The answer for spoke a's subnet to spoke b: the path (`Debug`), what is missing and the
/// first thing that is unknown, in words.
fn a_to_b(o: &peerlint::engine::Outcome) -> (Option<String>, Vec<String>, Option<String>) {
    let an = Analyses::new(&o.graph);
    let r = an.reach();
    let from = r
        .source(&Endpoint::Subnet("vnet-a".into(), "app".into()))
        .unwrap();
    let a = r.reach(from, "10.2.1.0/24".parse().unwrap());
    (
        a.path.map(|p| format!("{p:?}")),
        a.missing
            .iter()
            .filter(|s| !s.is_unknown())
            .map(|s| step_text(&o.graph, s))
            .collect(),
        a.missing
            .iter()
            .find(|s| s.is_unknown())
            .map(|s| step_text(&o.graph, s)),
    )
}

#[test]
fn routes_to_an_expressroute_gateway_lead_nowhere() {
    let dir = scratch("gw-expressroute");
    hub_with_gateway_routes(&dir);
    gateway_export(&dir, "ExpressRoute");
    intents(&dir, "allow");
    let o = common::run(&dir, ALL);
    assert_eq!(kinds(&o, "vnet-hub"), vec![GatewayKind::ExpressRoute]);
    let (path, missing, unknown) = a_to_b(&o);
    assert_eq!((path, unknown), (None, None));
    assert_eq!(
        missing,
        [
            "the gateway of `vnet-hub` is no VPN gateway, and only a VPN gateway forwards traffic between vnets"
        ]
    );
    // Both spokes are peered with the hub, which can't forward: the allow intent assumes
    // a transitive path.
    let f = findings(&o);
    assert!(
        f.iter().any(|(r, _)| r == "transitive-peering-assumed"),
        "{f:#?}"
    );
}

#[test]
fn routes_to_a_vpn_gateway_forward_through_it() {
    let dir = scratch("gw-vpn");
    hub_with_gateway_routes(&dir);
    gateway_export(&dir, "Vpn");
    intents(&dir, "allow");
    let o = common::run(&dir, ALL);
    assert_eq!(kinds(&o, "vnet-hub"), vec![GatewayKind::Vpn]);
    let (path, missing, unknown) = a_to_b(&o);
    assert!(
        path.as_deref().is_some_and(|p| p.starts_with("Forwarded")),
        "{path:?} {missing:?}"
    );
    assert_eq!(unknown, None);
    let f = findings(&o);
    assert!(
        !f.iter()
            .any(|(r, _)| r == "transitive-peering-assumed" || r == "intent-violated"),
        "{f:#?}"
    );
}

#[test]
fn a_gateway_of_unknown_type_leaves_the_answer_unknown() {
    // The export names the gateway but not its type: neither a path nor its absence is
    // claimed, whichever way the intent goes.
    for kind in ["allow", "deny"] {
        let dir = scratch(&format!("gw-unknown-{kind}"));
        hub_with_gateway_routes(&dir);
        intents(&dir, kind);
        let o = common::run(&dir, ALL);
        assert_eq!(kinds(&o, "vnet-hub"), vec![GatewayKind::Unknown]);
        let (_, _, unknown) = a_to_b(&o);
        assert_eq!(
            unknown.as_deref(),
            Some(
                "whether the gateway of `vnet-hub` is a VPN gateway, which forwards traffic between vnets, can't be known from the inputs"
            )
        );
        let f = findings(&o);
        assert!(
            !f.iter()
                .any(|(r, _)| r == "transitive-peering-assumed" || r == "intent-violated"),
            "{kind}: {f:#?}"
        );
    }
    // `peerlint reach` says so, and doesn't exit as if the path were there.
    let dir = scratch("gw-unknown-reach");
    hub_with_gateway_routes(&dir);
    let out = peerlint(
        &[
            "reach",
            "vnet-a/app",
            "vnet-b",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_ne!(out.code, 0, "{}", out.stdout);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["results"][0]["reachable"], serde_json::Value::Null);
    assert_eq!(v["results"][0]["answer"], "unknown");
    let missing = v["results"][0]["missing"].as_array().unwrap();
    assert!(
        missing
            .iter()
            .any(|m| m["unknown"] == true && m["text"].as_str().unwrap().contains("VPN gateway")),
        "{v:#}"
    );
}

#[test]
fn the_spec_gateway_kinds_map_onto_the_model() {
    let dir = scratch("spec-kinds");
    std::fs::write(
        dir.join("design.yaml"),
        "peerlint: 1\n\
         vnets:\n  \
           v-vpn: { address_space: [10.0.0.0/16], gateway: vpn }\n  \
           v-er: { address_space: [10.1.0.0/16], gateway: expressroute }\n  \
           v-rs: { address_space: [10.2.0.0/16], gateway: route-server, subnets: { RouteServerSubnet: 10.2.0.0/27 } }\n  \
           v-none: { address_space: [10.3.0.0/16], gateway: none }\n",
    )
    .unwrap();
    let o = common::run(&dir, ALL);
    assert!(o.diagnostics.is_empty(), "{:#?}", findings(&o));
    assert_eq!(kinds(&o, "v-vpn"), vec![GatewayKind::Vpn]);
    assert_eq!(kinds(&o, "v-er"), vec![GatewayKind::ExpressRoute]);
    assert_eq!(kinds(&o, "v-rs"), vec![GatewayKind::RouteServer]);
    assert!(kinds(&o, "v-none").is_empty());
}

/// A hub with a VPN gateway whose `subnet.id` is `subnet`, and a spoke that uses it.
fn hub_and_spoke_template(subnet: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "gatewaySubnetId": {{ "type": "string" }} }},
  "resources": [
    {{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub",
       "properties": {{ "addressSpace": {{ "addressPrefixes": ["10.0.0.0/16"] }} }} }},
    {{ "type": "Microsoft.Network/virtualNetworkGateways", "apiVersion": "2024-05-01", "name": "hub-vpngw",
       "properties": {{ "gatewayType": "Vpn", "ipConfigurations": [{{ "name": "default", "properties": {{ "subnet": {{ "id": "{subnet}" }} }} }}] }} }},
    {{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "spoke",
       "properties": {{ "addressSpace": {{ "addressPrefixes": ["10.1.0.0/16"] }},
         "virtualNetworkPeerings": [{{ "name": "spoke-to-hub", "properties": {{ "useRemoteGateways": true,
           "remoteVirtualNetwork": {{ "id": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" }} }} }}] }} }}
  ]
}}"#
    )
}

#[test]
fn a_gateway_whose_subnet_is_unknown_keeps_gateway_absence_unknown() {
    // The gateway's subnet id is a parameter nobody gives: which vnet it is in is known only
    // at deployment, so no vnet can be said to lack a gateway.
    let dir = scratch("unplaced-gateway");
    let template = dir.join("template.json");
    std::fs::write(
        &template,
        hub_and_spoke_template("[parameters('gatewaySubnetId')]"),
    )
    .unwrap();
    let o = common::run(&dir, ALL);
    let f = findings(&o);
    assert!(
        !f.iter().any(|(r, _)| r == "remote-gateway-missing"),
        "{f:#?}"
    );
    let said = o.diagnostics.iter().any(|d| {
        d.rule == "unresolved-value"
            && d.message.contains("the subnet of `hub-vpngw`")
            && d.note
                .as_deref()
                .is_some_and(|n| n.contains("`remote-gateway-missing`"))
    });
    assert!(said, "{:#?}", o.diagnostics);
    // Placed in another vnet, it leaves the hub without a gateway: an error again.
    std::fs::write(
        &template,
        hub_and_spoke_template(
            "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'elsewhere', 'GatewaySubnet')]",
        ),
    )
    .unwrap();
    let o = common::run(&dir, ALL);
    assert!(
        o.diagnostics
            .iter()
            .any(|d| d.rule == "remote-gateway-missing" && d.severity == Severity::Error),
        "{:#?}",
        findings(&o)
    );
}

#[test]
fn an_unknown_dependency_names_the_ordering_check_it_blocks() {
    let o = common::run(
        Path::new("testdata/rules/peering-before-remote-gateway/hub-and-spokes.json"),
        ALL,
    );
    let said = o.diagnostics.iter().any(|d| {
        d.rule == "unresolved-value"
            && d.message
                .contains("`dependsOn` entry of `spoke1/ok-unknown-dependson`")
            && d.note
                .as_deref()
                .is_some_and(|n| n.contains("`peering-before-remote-gateway`"))
    });
    assert!(said, "{:#?}", o.diagnostics);
}

#[test]
fn an_unknown_gateway_sku_is_one_unknown_value() {
    let dir = scratch("unknown-sku");
    let template = hub_and_spoke_template(
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'GatewaySubnet')]",
    )
    .replace(
        r#""gatewayType": "Vpn","#,
        r#""gatewayType": "Vpn", "sku": { "name": "[parameters('sku')]", "tier": "[parameters('sku')]" },"#,
    )
    .replace(
        r#""gatewaySubnetId": { "type": "string" }"#,
        r#""gatewaySubnetId": { "type": "string" }, "sku": { "type": "string" }"#,
    );
    assert!(template.contains("parameters('sku')") && template.contains(r#""sku": { "type""#));
    std::fs::write(dir.join("template.json"), template).unwrap();
    let o = common::run(&dir, ALL);
    let sku: Vec<&str> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "unresolved-value" && d.message.contains("`sku."))
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(sku.len(), 1, "{sku:#?}");
    assert!(sku[0].starts_with("`sku.name` of `hub-vpngw`"), "{sku:#?}");
}

#[test]
fn resources_not_deployed_take_no_place_in_the_deployment_order() {
    // Resources whose condition is false, before and between the ones deployed (and inside a
    // nested deployment): each peering is judged by what it itself waits for.
    let absent = |name: &str| {
        format!(
            r#"{{ "condition": "[parameters('off')]", "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-05-01", "name": "{name}", "properties": {{}} }}"#
        )
    };
    let peering = |name: &str, depends_on: &str| {
        format!(
            r#"{{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "{name}",
       "dependsOn": [{depends_on}],
       "properties": {{ "useRemoteGateways": true, "remoteVirtualNetwork": {{ "id": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" }} }} }}"#
        )
    };
    let vnet = |name: &str, prefix: &str| {
        format!(
            r#"{{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "{name}",
       "properties": {{ "addressSpace": {{ "addressPrefixes": ["{prefix}"] }} }} }}"#
        )
    };
    let gateway = r#"{ "type": "Microsoft.Network/virtualNetworkGateways", "apiVersion": "2024-05-01", "name": "hub-vpngw",
       "properties": { "gatewayType": "Vpn", "ipConfigurations": [{ "name": "default", "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'GatewaySubnet')]" } } }] } }"#;
    let gw = r#""[resourceId('Microsoft.Network/virtualNetworkGateways', 'hub-vpngw')]""#;
    let nested = format!(
        r#"{{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "after-gateway",
       "dependsOn": [{gw}],
       "properties": {{ "mode": "Incremental", "template": {{
         "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
         "contentVersion": "1.0.0.0", "resources": [{}, {}] }} }} }}"#,
        absent("off-4"),
        peering("spoke1/ok-in-deployment", "")
    );
    let mut resources = vec![
        absent("off-1"),
        vnet("hub", "10.0.0.0/16"),
        absent("off-2"),
        gateway.to_string(),
        vnet("spoke1", "10.1.0.0/16"),
        vnet("spoke2", "10.2.0.0/16"),
        absent("off-3"),
        peering("spoke2/bad-no-wait", ""),
        nested,
        peering("spoke1/ok-waits", gw),
    ];
    // Enough resources after them that a step numbered as an instance stays in range.
    resources.extend((0..8).map(|i| vnet(&format!("filler{i}"), &format!("10.{}.0.0/16", 10 + i))));
    let template = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "off": {{ "type": "bool", "defaultValue": false }} }},
  "resources": [{}]
}}"#,
        resources.join(",\n")
    );
    let dir = scratch("absent-in-order");
    std::fs::write(dir.join("template.json"), template).unwrap();
    let o = common::run(&dir, ALL);
    let flagged: Vec<String> = findings(&o)
        .into_iter()
        .filter(|(rule, _)| rule == "peering-before-remote-gateway")
        .map(|(_, subject)| subject)
        .collect();
    assert_eq!(flagged, vec!["bad-no-wait"], "{:#?}", findings(&o));
}
