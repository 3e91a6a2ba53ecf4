//! Generates a synthetic Terraform plan (`terraform show -json` of `terraform plan -out`) for
//! the benchmark: HUBS instances of a hub module (`for_each`), each with a hub vnet, its
//! GatewaySubnet and VPN gateway, SPOKES spoke vnets (`for_each`) and their peerings both ways,
//! all created by the plan: every vnet id, peering remote and gateway subnet is unknown and
//! linked through the configuration (`azurerm_virtual_network.spoke[each.key].id`,
//! `azurerm_virtual_network.hub.id`, `azurerm_subnet.gateway.id`). A correct design; 100 × 50
//! gives 10,000 peerings.
//!
//! `cargo run --release --example gen_tf_plan -- OUT.json [HUBS] [SPOKES]`

use std::io::{BufWriter, Write};

use serde_json::{Map, Value, json};

const AZURERM: &str = "registry.terraform.io/hashicorp/azurerm";

/// A resource of `planned_values` and its `resource_changes` entry (created; `unknown` is
/// its `after_unknown`).
fn resource(
    module: &str,
    ty: &str,
    name: &str,
    key: Option<&str>,
    values: Value,
    unknown: Value,
) -> (Value, Value) {
    let index = key.map(|k| format!("[{}]", json!(k))).unwrap_or_default();
    let address = format!("{module}.{ty}.{name}{index}");
    let mut planned = json!({
        "address": address,
        "mode": "managed",
        "type": ty,
        "name": name,
        "provider_name": AZURERM,
        "schema_version": 0,
        "values": values,
        "sensitive_values": {}
    });
    let mut change = json!({
        "address": address,
        "module_address": module,
        "mode": "managed",
        "type": ty,
        "name": name,
        "provider_name": AZURERM,
        "change": {
            "actions": ["create"],
            "before": null,
            "after": values,
            "after_unknown": unknown,
            "before_sensitive": false,
            "after_sensitive": {}
        }
    });
    if let Some(k) = key {
        planned["index"] = json!(k);
        change["index"] = json!(k);
    }
    (planned, change)
}

fn peering(name: &str, rg: &str, vnet: &str, transit: bool, use_remote: bool) -> Value {
    json!({
        "allow_forwarded_traffic": true,
        "allow_gateway_transit": transit,
        "allow_virtual_network_access": true,
        "local_subnet_names": null,
        "name": name,
        "only_ipv6_peering_enabled": null,
        "peer_complete_virtual_networks_enabled": true,
        "remote_subnet_names": null,
        "resource_group_name": rg,
        "timeouts": null,
        "triggers": null,
        "use_remote_gateways": use_remote,
        "virtual_network_name": vnet
    })
}

fn vnet(name: &str, rg: &str, space: &str, subnets: Option<Value>) -> Value {
    let mut v = json!({
        "address_space": [space],
        "bgp_community": null,
        "ddos_protection_plan": [],
        "edge_zone": null,
        "encryption": [],
        "flow_timeout_in_minutes": null,
        "location": "westeurope",
        "name": name,
        "private_endpoint_vnet_policies": "Disabled",
        "resource_group_name": rg,
        "tags": null,
        "timeouts": null
    });
    if let Some(s) = subnets {
        v["subnet"] = s;
    }
    v
}

fn refs(r: &[&str]) -> Value {
    json!({ "references": r })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .expect("usage: gen_tf_plan OUT.json [HUBS] [SPOKES]");
    let hubs: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(100);
    let spokes: usize = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(50);
    assert!(
        hubs <= 256 && spokes <= 119,
        "the address plan fits 256 hubs of 119 spokes"
    );
    let mut modules = Vec::new();
    let mut changes = Vec::new();
    let mut hub_vars = Map::new();
    for h in 0..hubs {
        let key = format!("hub{h:03}");
        let module = format!("module.hub[{}]", json!(key));
        let rg = format!("rg-{key}");
        let hub = format!("vnet-{key}");
        let mut resources = Vec::new();
        let mut add = |(p, c): (Value, Value)| {
            resources.push(p);
            changes.push(c);
        };
        add(resource(
            &module,
            "azurerm_virtual_network",
            "hub",
            None,
            vnet(&hub, &rg, &format!("10.{h}.0.0/20"), None),
            json!({"dns_servers": true, "guid": true, "id": true, "subnet": true}),
        ));
        add(resource(
            &module,
            "azurerm_subnet",
            "gateway",
            None,
            json!({
                "address_prefixes": [format!("10.{h}.0.0/27")],
                "default_outbound_access_enabled": true,
                "delegation": [],
                "name": "GatewaySubnet",
                "resource_group_name": rg,
                "virtual_network_name": hub
            }),
            json!({"id": true}),
        ));
        add(resource(
            &module,
            "azurerm_virtual_network_gateway",
            "hub",
            None,
            json!({
                "active_active": false,
                "enable_bgp": false,
                "generation": "Generation1",
                "ip_configuration": [{"name": "default", "private_ip_address_allocation": "Dynamic"}],
                "location": "westeurope",
                "name": format!("vgw-{key}"),
                "resource_group_name": rg,
                "sku": "VpnGw1",
                "type": "Vpn",
                "vpn_type": "RouteBased"
            }),
            json!({"id": true, "ip_configuration": [{"public_ip_address_id": true, "subnet_id": true}]}),
        ));
        let mut spoke_vars = Map::new();
        for s in 0..spokes {
            let sk = format!("spoke{s:03}");
            let name = format!("vnet-{key}-{sk}");
            let space = format!("10.{h}.{}.0/23", 16 + 2 * s);
            spoke_vars.insert(sk.clone(), json!({ "address_space": [space] }));
            let subnets = json!([{
                "address_prefixes": [format!("10.{h}.{}.0/24", 16 + 2 * s)],
                "name": "snet-app",
                "security_group": ""
            }]);
            add(resource(
                &module,
                "azurerm_virtual_network",
                "spoke",
                Some(&sk),
                vnet(&name, &rg, &space, Some(subnets)),
                json!({"dns_servers": true, "guid": true, "id": true, "subnet": [{"id": true}]}),
            ));
            add(resource(
                &module,
                "azurerm_virtual_network_peering",
                "spoke_to_hub",
                Some(&sk),
                peering(&format!("{sk}-to-hub"), &rg, &name, false, true),
                json!({"id": true, "remote_virtual_network_id": true}),
            ));
            add(resource(
                &module,
                "azurerm_virtual_network_peering",
                "hub_to_spoke",
                Some(&sk),
                peering(&format!("hub-to-{sk}"), &rg, &hub, true, false),
                json!({"id": true, "remote_virtual_network_id": true}),
            ));
        }
        hub_vars.insert(key.clone(), json!({ "spokes": spoke_vars }));
        modules.push(json!({ "resources": resources, "address": module }));
    }
    let res = |address: &str, ty: &str, name: &str, expressions: Value| {
        json!({
            "address": address, "mode": "managed", "type": ty, "name": name,
            "provider_config_key": "azurerm", "expressions": expressions, "schema_version": 0
        })
    };
    let for_each = |mut r: Value| {
        r["for_each_expression"] = refs(&["var.spokes"]);
        r
    };
    let module_resources = vec![
        res(
            "azurerm_virtual_network.hub",
            "azurerm_virtual_network",
            "hub",
            json!({
                "address_space": refs(&["var.address_space"]),
                "name": refs(&["var.name"]),
                "resource_group_name": refs(&["var.name"])
            }),
        ),
        res(
            "azurerm_subnet.gateway",
            "azurerm_subnet",
            "gateway",
            json!({
                "address_prefixes": refs(&["var.address_space"]),
                "name": {"constant_value": "GatewaySubnet"},
                "resource_group_name": refs(&["var.name"]),
                "virtual_network_name": refs(&["azurerm_virtual_network.hub.name", "azurerm_virtual_network.hub"])
            }),
        ),
        res(
            "azurerm_virtual_network_gateway.hub",
            "azurerm_virtual_network_gateway",
            "hub",
            json!({
                "ip_configuration": [{
                    "name": {"constant_value": "default"},
                    "public_ip_address_id": refs(&["azurerm_public_ip.vgw.id", "azurerm_public_ip.vgw"]),
                    "subnet_id": refs(&["azurerm_subnet.gateway.id", "azurerm_subnet.gateway"])
                }],
                "name": refs(&["var.name"]),
                "sku": {"constant_value": "VpnGw1"},
                "type": {"constant_value": "Vpn"}
            }),
        ),
        for_each(res(
            "azurerm_virtual_network.spoke",
            "azurerm_virtual_network",
            "spoke",
            json!({
                "address_space": refs(&["each.value.address_space", "each.value"]),
                "name": refs(&["var.name", "each.key"]),
                "resource_group_name": refs(&["var.name"]),
                "subnet": [{
                    "address_prefixes": refs(&["each.value.address_space", "each.value"]),
                    "name": {"constant_value": "snet-app"}
                }]
            }),
        )),
        for_each(res(
            "azurerm_virtual_network_peering.spoke_to_hub",
            "azurerm_virtual_network_peering",
            "spoke_to_hub",
            json!({
                "allow_forwarded_traffic": {"constant_value": true},
                "name": refs(&["each.key"]),
                "remote_virtual_network_id": refs(&["azurerm_virtual_network.hub.id", "azurerm_virtual_network.hub"]),
                "resource_group_name": refs(&["var.name"]),
                "use_remote_gateways": {"constant_value": true},
                "virtual_network_name": refs(&["azurerm_virtual_network.spoke", "each.key"])
            }),
        )),
        for_each(res(
            "azurerm_virtual_network_peering.hub_to_spoke",
            "azurerm_virtual_network_peering",
            "hub_to_spoke",
            json!({
                "allow_forwarded_traffic": {"constant_value": true},
                "allow_gateway_transit": {"constant_value": true},
                "name": refs(&["each.key"]),
                "remote_virtual_network_id": refs(&["azurerm_virtual_network.spoke", "each.key"]),
                "resource_group_name": refs(&["var.name"]),
                "virtual_network_name": refs(&["azurerm_virtual_network.hub.name", "azurerm_virtual_network.hub"])
            }),
        )),
    ];
    let configuration = json!({
        "provider_config": {
            "azurerm": {
                "name": "azurerm",
                "full_name": AZURERM,
                "expressions": {"features": [{}], "subscription_id": refs(&["var.subscription_id"])}
            }
        },
        "root_module": {
            "module_calls": {
                "hub": {
                    "source": "./modules/hub",
                    "for_each_expression": refs(&["var.hubs"]),
                    "expressions": {
                        "name": refs(&["each.key"]),
                        "spokes": refs(&["each.value.spokes", "each.value"])
                    },
                    "module": {
                        "resources": module_resources,
                        "variables": {"address_space": {}, "name": {}, "spokes": {}}
                    }
                }
            },
            "variables": {"hubs": {}, "subscription_id": {}}
        }
    });
    let plan = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "variables": {
            "hubs": {"value": hub_vars},
            "subscription_id": {"value": "11111111-1111-1111-1111-111111111111"}
        },
        "planned_values": {"root_module": {"child_modules": modules}},
        "resource_changes": changes,
        "configuration": configuration,
        "timestamp": "2026-11-20T10:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false
    });
    let file = std::fs::File::create(out).expect("writable output");
    let mut w = BufWriter::new(file);
    // `terraform show -json` writes one line.
    serde_json::to_writer(&mut w, &plan).unwrap();
    w.flush().unwrap();
}
