//! Terraform plans and state (`terraform show -json`): peerings linked to their vnets through
//! the plan's configuration, the core rules on planted flaws with Terraform addresses in their
//! messages, a state of the same design giving the same findings, and the documents peerlint
//! refuses.

mod common;

use std::path::{Path, PathBuf};

use peerlint::diagnostic::Diagnostic;
use peerlint::engine::Outcome;
use peerlint::model::Remote;
use peerlint::rules;

const DESIGNS: [&str; 3] = ["hub-spoke", "mesh", "data-source"];

fn run(path: &Path) -> Outcome {
    common::run(path, rules::ALL)
}

fn design(name: &str, file: &str) -> PathBuf {
    Path::new("testdata/terraform").join(name).join(file)
}

/// (rule, message) of every finding, in output order.
fn findings(o: &Outcome) -> Vec<(String, String)> {
    o.diagnostics
        .iter()
        .map(|d: &Diagnostic| (d.rule.to_string(), d.message.clone()))
        .collect()
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "peerlint-terraform-{}-{n}-{tag}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A copy of a fixture with `edit` applied, written minified to a temporary folder (removed
/// when the returned guard is dropped).
fn edited(
    from: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> (TempDir, PathBuf) {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
    edit(&mut doc);
    let dir = TempDir::new(name);
    let path = dir.0.join(name);
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    (dir, path)
}

#[test]
fn every_peering_of_the_plans_is_linked() {
    for name in DESIGNS.into_iter().chain(["hub-gateway"]) {
        let o = run(&design(name, "plan.json"));
        let g = &o.graph;
        assert!(g.peering_count() > 0, "{name}: no peering loaded");
        for (_, p) in g.peerings() {
            assert!(
                matches!(p.remote, Remote::Vnet { .. }),
                "{name}: peering {} is not linked: {:?}",
                p.id,
                p.remote
            );
        }
        let unresolved: Vec<&str> = g
            .unresolved()
            .iter()
            .filter(|u| !u.what.contains("data.azurerm_virtual_network.hub"))
            .map(|u| u.what.as_str())
            .collect();
        assert!(unresolved.is_empty(), "{name}: unresolved {unresolved:?}");
    }
}

#[test]
fn links_go_to_the_vnets_the_configuration_names() {
    let o = run(&design("hub-spoke", "plan.json"));
    let g = &o.graph;
    let mut links: Vec<String> = g
        .peerings()
        .map(|(_, p)| {
            let remote = g.vnet(p.remote_vnet().unwrap());
            format!("{} -> {}", p.name, remote.name)
        })
        .collect();
    links.sort();
    assert_eq!(
        links,
        [
            "app-to-hub -> vnet-hub",
            "data-to-hub -> vnet-hub",
            "hub-to-app -> vnet-spoke-app",
            "hub-to-legacy -> vnet-spoke-legacy",
            "legacy-to-hub -> vnet-hub",
        ]
    );
    // The provider's subscription comes from `var.subscription_id`.
    let hub = g
        .defined_vnets()
        .find(|(_, v)| v.name == "vnet-hub")
        .unwrap()
        .1;
    assert_eq!(
        hub.id,
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    );
    // The hub's subnets are separate resources: its `subnet` is unknown but complete.
    assert_eq!(hub.subnets.len(), 1);
    assert_eq!(hub.subnets[0].name, "GatewaySubnet");
}

#[test]
fn planted_flaws_are_reported_with_terraform_addresses() {
    let o = run(&design("hub-spoke", "plan.json"));
    let f = findings(&o);
    let has = |rule: &str, parts: &[&str]| {
        f.iter()
            .any(|(r, m)| r == rule && parts.iter().all(|p| m.contains(p)))
    };
    assert!(
        has(
            "missing-reverse-peering",
            &[
                "`module.spoke[\"data\"].azurerm_virtual_network_peering.to_hub`",
                "`azurerm_virtual_network.hub`"
            ]
        ),
        "{f:#?}"
    );
    assert!(
        has(
            "peered-address-overlap",
            &[
                "`module.spoke[\"legacy\"].azurerm_virtual_network.this`",
                "`azurerm_virtual_network.hub`"
            ]
        ),
        "{f:#?}"
    );
    assert!(
        has(
            "remote-gateway-missing",
            &["`module.spoke[\"app\"].azurerm_virtual_network_peering.to_hub`"]
        ),
        "{f:#?}"
    );
    let mesh = findings(&run(&design("mesh", "plan.json")));
    assert!(
        mesh.iter().any(|(r, m)| r == "peered-address-overlap"
            && m.contains("`azurerm_virtual_network.mesh[\"neu\"]`")
            && m.contains("`azurerm_virtual_network.mesh[\"eus\"]`")),
        "{mesh:#?}"
    );
    let ds = findings(&run(&design("data-source", "plan.json")));
    assert!(
        ds.iter().any(|(r, m)| r == "peered-address-overlap"
            && m.contains("`data.azurerm_virtual_network.ad_vnet_data`")),
        "{ds:#?}"
    );
}

#[test]
fn a_linked_remote_points_at_the_plan_and_at_the_expression() {
    let o = run(&design("hub-spoke", "plan.json"));
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.rule == "missing-reverse-peering")
        .unwrap();
    // The value in the planned values (the peering, whose remote Terraform doesn't know yet)…
    assert!(
        d.at.pointer.starts_with("/planned_values/"),
        "{}",
        d.at.pointer
    );
    // …and the configuration expression the link was followed from.
    let expr = d
        .related
        .iter()
        .find(|r| r.message.contains("followed from this expression"))
        .expect("a label at the expression");
    assert!(
        expr.at
            .pointer
            .starts_with("/configuration/root_module/module_calls/spoke/module/resources/")
            && expr
                .at
                .pointer
                .ends_with("/expressions/remote_virtual_network_id"),
        "{}",
        expr.at.pointer
    );
    assert!(
        expr.message.contains("`azurerm_virtual_network.hub`"),
        "{}",
        expr.message
    );
}

#[test]
fn a_state_gives_the_same_findings_as_its_plan() {
    for name in DESIGNS {
        let plan = run(&design(name, "plan.json"));
        let state = run(&design(name, "state.json"));
        // The plan knows less: a data source it reads only at apply is unresolved there.
        let known = |o: &Outcome| -> Vec<(String, String)> {
            findings(o)
                .into_iter()
                .filter(|(r, _)| r != "unresolved-value")
                .collect()
        };
        assert!(!known(&plan).is_empty(), "{name}: no finding");
        let mut from_plan = known(&plan);
        if name == "hub-spoke" {
            // The plan creates the hub without a gateway and a spoke's peering that uses it:
            // Azure would refuse that peering. A state holding it shows that Azure accepted
            // it, so the hub has a gateway (managed elsewhere), and what the plan says about
            // the missing gateway is not said of the state.
            let gateway = |(r, _): &(String, String)| {
                r == "remote-gateway-missing" || r == "gateway-transit-without-gateway"
            };
            assert_eq!(from_plan.iter().filter(|f| gateway(f)).count(), 3, "{name}");
            from_plan.retain(|f| !gateway(f));
        }
        assert_eq!(from_plan, known(&state), "{name}");
        assert!(
            !findings(&state)
                .iter()
                .any(|(r, _)| r == "unresolved-value"),
            "{name}: a state knows every value"
        );
    }
}

#[test]
fn a_minified_plan_reads_the_same() {
    let from = design("hub-spoke", "plan.json");
    let (_dir, minified) = edited(&from, "minified.json", |_| {});
    assert_eq!(findings(&run(&from)), findings(&run(&minified)));
}

#[test]
fn format_version_2_is_refused_with_a_reason() {
    let (_dir, path) = edited(&design("mesh", "plan.json"), "v2.json", |d| {
        d["format_version"] = "2.0".into();
    });
    let o = run(&path);
    let f = findings(&o);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, "unrecognized-input");
    assert!(f[0].1.contains("`format_version`"), "{}", f[0].1);
    assert_eq!(o.graph.peering_count(), 0);
    // Met while walking a folder, it is still reported: it is a plan nobody checked.
    let dir = path.parent().unwrap().join("walked");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&path, dir.join("plan.json")).unwrap();
    let walked = peerlint::engine::run(
        &[peerlint::discover::Input {
            display: "plan.json".into(),
            origin: peerlint::discover::Origin::File(dir.join("plan.json")),
            explicit: false,
        }],
        &mut std::io::empty(),
        rules::ALL,
    );
    assert_eq!(findings(&walked).len(), 1);
}

#[test]
fn a_remote_made_from_a_local_value_stays_unknown() {
    // The hub-networking module's mesh: `for_each = local.hub_peering_map` and
    // `remote_virtual_network_id = each.value.remote_virtual_network_id`. Terraform writes no
    // local values into the plan, so the new vnets' ids can't be linked.
    let (_dir, path) = edited(&design("mesh", "plan.json"), "locals.json", |d| {
        for r in d["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap()
        {
            if r["type"] == "azurerm_virtual_network_peering" {
                r["values"]
                    .as_object_mut()
                    .unwrap()
                    .remove("remote_virtual_network_id");
            }
        }
        for c in d["resource_changes"].as_array_mut().unwrap() {
            if c["type"] == "azurerm_virtual_network_peering" {
                c["change"]["after_unknown"]["remote_virtual_network_id"] = true.into();
            }
        }
        for r in d["configuration"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap()
        {
            if r["type"] == "azurerm_virtual_network_peering" {
                r["for_each_expression"] =
                    serde_json::json!({"references": ["local.hub_peering_map"]});
                r["expressions"]["remote_virtual_network_id"] = serde_json::json!({
                    "references": ["each.value.remote_virtual_network_id", "each.value"]
                });
            }
        }
    });
    let o = run(&path);
    let g = &o.graph;
    assert_eq!(g.peering_count(), 6);
    for (_, p) in g.peerings() {
        assert!(matches!(p.remote, Remote::Unresolved { .. }), "{}", p.id);
    }
    let f = findings(&o);
    let unresolved: Vec<&String> = f
        .iter()
        .filter(|(r, _)| r == "unresolved-value")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(unresolved.len(), 6, "{f:#?}");
    assert!(
        unresolved.iter().all(|m| m
            .contains("`remote_virtual_network_id` of `azurerm_virtual_network_peering.mesh[")
            && m.contains("`local.hub_peering_map`")),
        "{unresolved:#?}"
    );
    // Nothing is concluded from the unknown links.
    assert!(f.iter().all(|(r, _)| r == "unresolved-value"), "{f:#?}");
}

#[test]
fn gateways_route_servers_firewalls_and_route_tables_are_placed() {
    use peerlint::model::GatewayKind;
    for file in ["plan.json", "state.json"] {
        let o = run(&design("hub-gateway", file));
        let g = &o.graph;
        assert!(o.diagnostics.is_empty(), "{file}: {:#?}", findings(&o));
        let vnet = |name: &str| g.defined_vnets().find(|(_, v)| v.name == name).unwrap().1;
        let hub = vnet("vnet-hub");
        let mut kinds: Vec<(GatewayKind, Option<String>)> = hub
            .gateways
            .iter()
            .map(|x| (x.kind, x.subnet.as_ref().map(|s| s.0.clone())))
            .collect();
        kinds.sort_by_key(|k| format!("{k:?}"));
        assert_eq!(
            kinds,
            [
                (GatewayKind::RouteServer, Some("RouteServerSubnet".into())),
                (GatewayKind::Vpn, Some("GatewaySubnet".into())),
            ],
            "{file}"
        );
        // The azapi spoke, its subnet associated with the route table by its own resource.
        let spoke = vnet("vnet-spoke");
        let rt = spoke
            .subnet("snet-app")
            .unwrap()
            .route_table
            .as_ref()
            .unwrap();
        assert!(rt.0.ends_with("/routeTables/rt-spoke"), "{file}: {}", rt.0);
        let table = &g.route_tables()[0];
        assert_eq!(table.routes.len(), 1, "{file}");
        // The firewall's address (and the route's next hop) are known once applied.
        let applied = file == "state.json";
        assert_eq!(table.routes[0].next_hop_unknown, !applied, "{file}");
        assert_eq!(
            hub.appliances
                .iter()
                .map(|a| a.ip.map(|ip| ip.to_string()))
                .collect::<Vec<_>>(),
            // Planned, the firewall is an appliance at an address not yet known.
            if applied {
                vec![Some("10.0.1.4".to_string())]
            } else {
                vec![None]
            },
            "{file}"
        );
        // The azapi peering, linked through its `body` expression.
        let (_, p) = g
            .peerings()
            .find(|(_, p)| p.name == "spoke-to-hub")
            .unwrap();
        assert_eq!(g.vnet(p.remote_vnet().unwrap()).name, "vnet-hub", "{file}");
        assert!(p.use_remote_gateways.value);
        assert_eq!(p.api_version.as_ref().unwrap().0, "2024-05-01");
    }
}

/// The hub-gateway plan without the resources at `drop` (addresses), and with `edit` applied.
fn without(
    name: &str,
    drop: &[&str],
    edit: impl FnOnce(&mut serde_json::Value),
) -> (TempDir, PathBuf) {
    let drop: Vec<String> = drop.iter().map(|s| s.to_string()).collect();
    edited(&design("hub-gateway", "plan.json"), name, |d| {
        let keep = |r: &serde_json::Value| !drop.iter().any(|a| r["address"] == a.as_str());
        d["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap()
            .retain(keep);
        d["resource_changes"].as_array_mut().unwrap().retain(keep);
        edit(d);
    })
}

#[test]
fn a_hub_without_gateway_is_named_by_its_address() {
    let (_dir, path) = without(
        "no-gateway.json",
        &[
            "azurerm_virtual_network_gateway.hub",
            "azurerm_route_server.hub",
        ],
        |_| {},
    );
    let f = findings(&run(&path));
    assert!(
        f.iter().any(|(r, m)| r == "remote-gateway-missing"
            && m.contains("`vnet-spoke/spoke-to-hub` (`azapi_resource.spoke_to_hub`)")
            && m.contains("`vnet-hub` (`azurerm_virtual_network.hub`)")),
        "{f:#?}"
    );
}

#[test]
fn a_gateway_whose_subnet_can_not_be_followed_claims_nothing() {
    let (_dir, path) = without("unplaced.json", &["azurerm_route_server.hub"], |d| {
        for r in d["configuration"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap()
        {
            if r["address"] == "azurerm_virtual_network_gateway.hub" {
                r["expressions"]["ip_configuration"][0]["subnet_id"] =
                    serde_json::json!({"references": ["local.gateway_subnet_id"]});
            }
        }
    });
    let o = run(&path);
    let f = findings(&o);
    // The gateway may be in any vnet: no vnet is said to lack one…
    assert!(
        !f.iter().any(|(r, _)| r == "remote-gateway-missing"),
        "{f:#?}"
    );
    // …and the unknown subnet is reported in Terraform's terms.
    assert!(
        f.iter().any(|(r, m)| r == "unresolved-value"
            && m.contains("`subnet_id` of `azurerm_virtual_network_gateway.hub`")
            && m.contains("`local.gateway_subnet_id`")),
        "{f:#?}"
    );
}

#[test]
fn the_pull_request_flow_fails_on_the_planted_errors() {
    // `terraform show -json tf.plan > plan.json && peerlint check plan.json`
    let path = "testdata/terraform/hub-spoke/plan.json";
    let file = common::peerlint(&["check", path, "--format", "json"], None);
    assert_eq!(file.code, 1, "{}", file.stderr);
    let json: serde_json::Value = serde_json::from_str(&file.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 3, "{}", file.stdout);
    assert_eq!(json["summary"]["peerings"], 5);
    // `terraform show -json tf.plan | peerlint check -`
    let bytes = std::fs::read(path).unwrap();
    let piped = common::peerlint(&["check", "-", "--format", "json"], Some(&bytes));
    assert_eq!(piped.code, 1, "{}", piped.stderr);
    let messages = |out: &str| -> Vec<String> {
        let j: serde_json::Value = serde_json::from_str(out).unwrap();
        j["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(messages(&file.stdout), messages(&piped.stdout));
    // A correct design checks clean.
    let clean = common::peerlint(&["check", "testdata/terraform/hub-gateway/plan.json"], None);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
}

#[test]
fn unknown_values_are_worded_in_terraform_terms() {
    let (_dir, path) = edited(&design("hub-spoke", "plan.json"), "unknown.json", |d| {
        let mut set_unknown = |address: &str, path: &[&str]| {
            for c in d["resource_changes"].as_array_mut().unwrap() {
                if c["address"] == address {
                    let mut at = &mut c["change"]["after_unknown"];
                    for (k, p) in path.iter().enumerate() {
                        at = if let Ok(i) = p.parse::<usize>() {
                            if !at.is_array() {
                                *at = serde_json::json!([{}]);
                            }
                            &mut at[i]
                        } else if k + 1 == path.len() {
                            at[*p] = true.into();
                            break;
                        } else {
                            &mut at[*p]
                        };
                    }
                }
            }
        };
        set_unknown("azurerm_subnet.gateway", &["address_prefixes"]);
        set_unknown(
            "module.spoke[\"app\"].azurerm_virtual_network.this",
            &["subnet", "0", "address_prefixes"],
        );
    });
    let f = findings(&run(&path));
    let unresolved: Vec<&String> = f
        .iter()
        .filter(|(r, _)| r == "unresolved-value")
        .map(|(_, m)| m)
        .collect();
    assert!(
        unresolved
            .iter()
            .any(|m| m.starts_with("`address_prefixes` of `azurerm_subnet.gateway` ")),
        "{unresolved:#?}"
    );
    assert!(
        unresolved.iter().any(|m| m.contains(
            "`address_prefixes` of subnet `snet-app` of `module.spoke[\"app\"].azurerm_virtual_network.this`"
        )),
        "{unresolved:#?}"
    );
}

/// A plan of `n` new vnets `azurerm_virtual_network.v["v<i>"]` and one new peering of the first
/// whose `remote_virtual_network_id` has the references `refs`.
fn ambiguous_plan(n: usize, refs: serde_json::Value) -> serde_json::Value {
    let mut planned = Vec::new();
    let mut changes = Vec::new();
    let mut add = |address: String,
                   ty: &str,
                   values: serde_json::Value,
                   unknown: serde_json::Value| {
        planned.push(serde_json::json!({"address": address, "mode": "managed", "type": ty, "values": values}));
        changes.push(serde_json::json!({"address": address, "mode": "managed", "type": ty,
            "change": {"actions": ["create"], "before": null, "after": values, "after_unknown": unknown}}));
    };
    for i in 0..n {
        add(
            format!("azurerm_virtual_network.v[\"v{i}\"]"),
            "azurerm_virtual_network",
            serde_json::json!({"name": format!("vnet-{i}"), "resource_group_name": "rg",
                "address_space": [format!("10.{}.{}.0/24", i / 256, i % 256)]}),
            serde_json::json!({"id": true, "subnet": true}),
        );
    }
    add(
        "azurerm_virtual_network_peering.p".into(),
        "azurerm_virtual_network_peering",
        serde_json::json!({"name": "p", "resource_group_name": "rg", "virtual_network_name": "vnet-0"}),
        serde_json::json!({"id": true, "remote_virtual_network_id": true}),
    );
    serde_json::json!({
        "format_version": "1.2", "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_virtual_network.v", "mode": "managed", "type": "azurerm_virtual_network",
             "name": "v", "for_each_expression": {"references": ["var.vnets"]}, "expressions": {}},
            {"address": "azurerm_virtual_network_peering.p", "mode": "managed",
             "type": "azurerm_virtual_network_peering", "name": "p",
             "expressions": {"remote_virtual_network_id": refs}}
        ]}}
    })
}

#[test]
fn a_reference_to_many_vnets_is_not_a_link() {
    for (n, refs, want) in [
        (
            1,
            serde_json::json!({"references": ["azurerm_virtual_network.v"]}),
            None,
        ),
        (
            40,
            serde_json::json!({"references": ["azurerm_virtual_network.v"]}),
            Some("may name any of the 40 instances of `azurerm_virtual_network.v`"),
        ),
        (
            3,
            // `var.a ? azurerm_virtual_network.v["v1"].id : azurerm_virtual_network.v["v2"].id`
            serde_json::json!({"references": [
                "azurerm_virtual_network.v[\"v1\"].id", "azurerm_virtual_network.v[\"v1\"]",
                "azurerm_virtual_network.v", "azurerm_virtual_network.v[\"v2\"].id",
                "azurerm_virtual_network.v[\"v2\"]", "azurerm_virtual_network.v"
            ]}),
            Some("may name any of 2 vnets"),
        ),
    ] {
        let doc = ambiguous_plan(n, refs);
        let (_dir, path) = edited(&design("mesh", "plan.json"), "many.json", |d| *d = doc);
        let o = run(&path);
        let (_, p) = o.graph.peerings().next().unwrap();
        let f = findings(&o);
        match want {
            None => assert!(matches!(p.remote, Remote::Vnet { .. }), "{n}: {f:#?}"),
            Some(text) => {
                assert!(matches!(p.remote, Remote::Unresolved { .. }), "{n}");
                assert!(
                    f.iter()
                        .any(|(r, m)| r == "unresolved-value" && m.contains(text)),
                    "{n}: {f:#?}"
                );
            }
        }
    }
}

/// A hand-written regression plan of `testdata/terraform/regress/`.
fn regress(file: &str) -> Outcome {
    run(&Path::new("testdata/terraform/regress").join(file))
}

#[test]
fn a_target_plan_keeps_what_it_does_not_list() {
    // `terraform plan -target=...h2s`: the peering back is only in `prior_state`.
    let o = regress("target-partial-plan.json");
    assert_eq!(o.graph.peering_count(), 2);
    assert_eq!(findings(&o), Vec::<(String, String)>::new());
}

#[test]
fn two_provider_configurations_keep_two_vnets_of_the_same_name() {
    // `azurerm` and `azurerm.b` each create rg/vnet-main; their subscriptions are unknown.
    let o = regress("two-provider-aliases.json");
    let g = &o.graph;
    assert_eq!(findings(&o), Vec::<(String, String)>::new());
    assert_eq!(g.peering_count(), 2);
    for (_, p) in g.peerings() {
        let remote = p.remote_vnet().expect("linked");
        assert_ne!(p.local, remote, "{} points at its own vnet", p.id);
    }
    assert!(
        g.peerings()
            .any(|(_, p)| g.vnet(p.local).key.contains("{subscription:azurerm.b}")),
        "the alias has a subscription placeholder of its own"
    );
}

#[test]
fn a_peering_azure_accepted_with_use_remote_gateways_shows_the_gateway() {
    // The hub's gateway is managed outside these inputs; the spoke's peering that uses it
    // exists (a state, and a plan that keeps it).
    for file in ["gateway-outside-state.json", "gateway-outside-plan.json"] {
        let o = regress(file);
        assert_eq!(o.graph.peering_count(), 2, "{file}");
        assert_eq!(findings(&o), Vec::<(String, String)>::new(), "{file}");
    }
}

#[test]
fn an_implied_index_that_lands_on_the_own_vnet_is_unknown() {
    // `vnet[1 - count.index]` is written as the references `vnet` and `count.index`, as
    // `vnet[count.index]` is; `vnet[var.vnets[each.key].peer]` has another value beside
    // `each.key`. Neither is the peering's own vnet: the remote stays unknown.
    for file in [
        "count-one-minus-index.json",
        "each-key-variable-lookup.json",
    ] {
        let o = regress(file);
        assert_eq!(o.graph.peering_count(), 2, "{file}");
        let found = findings(&o);
        assert_eq!(found.len(), 2, "{file}: {found:?}");
        for (rule, message) in &found {
            assert_eq!(rule, "unresolved-value", "{file}: {message}");
            assert!(
                message.starts_with("`remote_virtual_network_id` of "),
                "{file}: {message}"
            );
            // With `var.vnets` beside `each.key` no index is implied: any of the vnets.
            if file.starts_with("each-key") {
                assert!(message.contains("may name any of 2 vnets"), "{message}");
            }
        }
    }
}

#[test]
fn an_existing_hub_with_a_gateway_subnet_may_have_a_gateway_elsewhere() {
    let path = Path::new("testdata/terraform/regress/existing-hub-gateway-elsewhere.json");
    let o = run(path);
    let found = findings(&o);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "unresolved-value");
    assert!(
        found[0]
            .1
            .starts_with("whether `azurerm_virtual_network.hub` has a gateway"),
        "{}",
        found[0].1
    );
    // The same hub created by the plan can have no gateway outside it.
    let (_dir, created) = edited(path, "created-hub.json", |d| {
        d["resource_changes"][0]["change"]["actions"] = serde_json::json!(["create"]);
        d["resource_changes"][0]["change"]["before"] = serde_json::Value::Null;
    });
    let rules: Vec<String> = findings(&run(&created)).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        ["gateway-transit-without-gateway", "remote-gateway-missing"]
    );
}

#[test]
fn a_resource_of_no_known_provider_configuration_takes_no_subscription() {
    // Two provider configurations with their subscriptions, and no configuration of the
    // resources: which subscription each vnet is in is unknown, so a remote written as a
    // string with either subscription is no peering back to report missing.
    let from = Path::new("testdata/terraform/regress/two-provider-aliases.json");
    let (_dir, path) = edited(from, "no-resource-configuration.json", |d| {
        let sub = |s: &str| serde_json::json!({"subscription_id": {"constant_value": s}});
        let providers = &mut d["configuration"]["provider_config"];
        providers["azurerm"]["expressions"] = sub("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
        providers["azurerm.b"]["expressions"] = sub("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb");
        d["configuration"]["root_module"]["resources"] = serde_json::json!([]);
        let remote = |s: &str| {
            format!(
                "/subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-main"
            )
        };
        let resources = d["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap();
        resources[0]["values"]["name"] = "vnet-a".into();
        resources[2]["values"]["virtual_network_name"] = "vnet-a".into();
        resources[2]["values"]["remote_virtual_network_id"] =
            remote("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb").into();
        resources[3]["values"]["remote_virtual_network_id"] =
            remote("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa")
                .replace("vnet-main", "vnet-a")
                .into();
        for c in d["resource_changes"].as_array_mut().unwrap() {
            c["change"]["after_unknown"] = serde_json::json!({"id": true});
        }
    });
    let o = run(&path);
    let errors: Vec<&Diagnostic> = o
        .diagnostics
        .iter()
        .filter(|d| d.severity == peerlint::rule::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_vnet_of_unknown_subscription_is_found_by_its_name() {
    // Two provider configurations with their subscriptions; the configuration doesn't say
    // which one manages vnet a, so its subscription is unknown. Peering a2b names its vnet
    // by name: that is vnet a, not a vnet of the same name in a2b's subscription.
    let from = Path::new("testdata/terraform/regress/two-provider-aliases.json");
    let (_dir, path) = edited(from, "vnet-of-unknown-provider.json", |d| {
        let sub = |s: &str| serde_json::json!({"subscription_id": {"constant_value": s}});
        let providers = &mut d["configuration"]["provider_config"];
        providers["azurerm"]["expressions"] = sub("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
        providers["azurerm.b"]["expressions"] = sub("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb");
        d["configuration"]["root_module"]["resources"]
            .as_array_mut()
            .unwrap()
            .remove(0);
    });
    let o = run(&path);
    assert_eq!(findings(&o), Vec::<(String, String)>::new());
    assert_eq!(o.graph.vnets().count(), 2);
}

#[test]
fn a_missing_instance_is_named_with_its_key() {
    // `vnet[split("_to_", each.key)[1]]` is written as `vnet` and `each.key`: the instance
    // `vnet["a_to_b"]` is missing, not the resource `vnet`.
    let from = Path::new("testdata/terraform/regress/each-key-variable-lookup.json");
    let (_dir, path) = edited(from, "mesh-split-each-key.json", |d| {
        let text = serde_json::to_string(d)
            .unwrap()
            .replace(r#"p[\"a\"]"#, r#"p[\"a_to_b\"]"#)
            .replace(r#"p[\"b\"]"#, r#"p[\"b_to_a\"]"#)
            .replace(r#""var.vnets","each.key""#, r#""each.key""#);
        *d = serde_json::from_str(&text).unwrap();
    });
    let found = findings(&run(&path));
    assert_eq!(found.len(), 2, "{found:?}");
    for (rule, message) in &found {
        assert_eq!(rule, "unresolved-value");
        assert!(
            message.ends_with(
                "is not in the plan: the index Terraform doesn't write out is not the instance's own key"
            ) && (message.contains("`azurerm_virtual_network.vnet[\"a_to_b\"]`")
                || message.contains("`azurerm_virtual_network.vnet[\"b_to_a\"]`")),
            "{message}"
        );
    }
}
