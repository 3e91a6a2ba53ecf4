//! The design spec end to end: the README's example, its JSON Schema, the same spec as JSON,
//! a spec merged with an export, route tables from `az network route-table list`.

mod common;

use std::sync::Arc;

use peerlint::tree::{Kind, NodeId, Tree};

/// A parsed YAML or JSON tree as a serde_json value.
fn to_json(t: &Tree, n: NodeId) -> serde_json::Value {
    match t.kind(n) {
        Kind::Null => serde_json::Value::Null,
        Kind::Bool => t.bool(n).unwrap().into(),
        Kind::Number => serde_json::from_str(t.number(n).unwrap()).unwrap(),
        Kind::String => t.str(n).unwrap().into(),
        Kind::Array => t.children(n).map(|c| to_json(t, c)).collect(),
        Kind::Object => serde_json::Value::Object(
            t.members(n)
                .map(|(k, c)| (k.to_string(), to_json(t, c)))
                .collect(),
        ),
    }
}

fn example() -> (String, serde_json::Value) {
    let text = std::fs::read_to_string("testdata/spec/example.yaml").unwrap();
    let tree = peerlint::yaml::parse(&Arc::new(text.clone()), 0).unwrap();
    let json = to_json(&tree, tree.root().unwrap());
    (text, json)
}

#[test]
fn the_readme_example_is_the_tested_one_and_checks_clean() {
    let (text, _) = example();
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(text.trim()),
        "README's spec example differs from testdata/spec/example.yaml"
    );
    let o = common::run(
        std::path::Path::new("testdata/spec/example.yaml"),
        peerlint::rules::ALL,
    );
    assert!(
        o.diagnostics.is_empty(),
        "{:#?}",
        o.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert!(o.graph.defined_vnets().count() >= 5);
    assert!(!o.graph.intents().is_empty());
}

#[test]
fn the_example_validates_against_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(peerlint::load::spec::SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (_, json) = example();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And the schema rejects what the loader rejects.
    let mut bad = json.clone();
    bad["vnets"]["hub"]["gatway"] = "vpn".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn the_same_spec_written_as_json_gives_the_same_result() {
    let (_, json) = example();
    let dir = common::scratch("spec");
    let p = dir.join("example.json");
    std::fs::write(&p, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let yaml = common::run(
        std::path::Path::new("testdata/spec/example.yaml"),
        peerlint::rules::ALL,
    );
    let as_json = common::run(&p, peerlint::rules::ALL);
    assert_eq!(
        yaml.graph.defined_vnets().count(),
        as_json.graph.defined_vnets().count()
    );
    assert_eq!(yaml.graph.peering_count(), as_json.graph.peering_count());
    assert_eq!(yaml.graph.intents().len(), as_json.graph.intents().len());
    assert_eq!(yaml.diagnostics.len(), as_json.diagnostics.len());
}

#[test]
fn a_spec_of_intents_checks_an_export_it_names() {
    let o = common::run(
        std::path::Path::new("testdata/spec/merge"),
        peerlint::rules::ALL,
    );
    let got: Vec<(&str, String, &str, usize)> = o
        .diagnostics
        .iter()
        .map(|d| (d.rule, common::subject(d), d.at.path.as_str(), d.at.line))
        .collect();
    assert_eq!(
        got,
        vec![(
            "intent-violated",
            "vnet-dev".to_string(),
            "testdata/spec/merge/intents.yaml",
            13
        )],
        "{got:#?}"
    );
}

#[test]
fn unknown_keys_in_yaml_point_at_the_key_with_a_suggestion() {
    let dir = common::scratch("spec-keys");
    let p = dir.join("net.yaml");
    std::fs::write(
        &p,
        "peerlint: 1\nvnets:\n  hub:\n    adress_space: [10.0.0.0/16]\n",
    )
    .unwrap();
    let o = common::run(&p, peerlint::rules::ALL);
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.rule == "invalid-spec")
        .expect("invalid-spec");
    assert!(
        d.message.contains("did you mean `address_space`"),
        "{}",
        d.message
    );
    assert_eq!((d.at.line, d.at.column), (4, 5));
}

#[test]
fn route_tables_from_az_route_table_list_feed_reachability() {
    let o = common::run(std::path::Path::new("testdata/spec/az-routes"), &[]);
    let analyses = peerlint::analysis::Analyses::new(&o.graph);
    let r = analyses.reach();
    let from = r
        .source(&peerlint::model::Endpoint::Subnet(
            "vnet-a".into(),
            "app".into(),
        ))
        .unwrap();
    let to = "10.2.1.0/24".parse().unwrap();
    let answer = r.reach(from, to);
    assert!(
        answer.path.is_some(),
        "{}",
        peerlint::query::explain(&o.graph, &answer)
    );
}

#[test]
fn a_spec_that_disagrees_with_an_export_is_reported_at_both_places() {
    let dir = common::scratch("spec-merge");
    for f in ["hub.json", "spokes.json"] {
        std::fs::copy(format!("testdata/demo/{f}"), dir.join(f)).unwrap();
    }
    std::fs::write(
        dir.join("design.yaml"),
        "peerlint: 1\nvnets:\n  vnet-hub:\n    address_space: [10.0.0.0/16]\n    gateway: none\n  vnet-spoke1:\n    address_space: [10.1.0.0/24]\n",
    )
    .unwrap();
    let o = common::run(
        &dir,
        &[peerlint::rules::by_name("conflicting-declarations").unwrap()],
    );
    let got: Vec<(&str, Vec<&str>)> = o
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.at.path.rsplit('/').next().unwrap(),
                d.related
                    .iter()
                    .map(|r| r.at.path.rsplit('/').next().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        got.len(),
        2,
        "{:#?}",
        o.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert!(
        got.iter()
            .all(|(at, rel)| *at == "design.yaml" && rel.iter().any(|r| r.ends_with(".json"))),
        "{got:?}"
    );
}

#[test]
fn a_gateway_of_no_known_kind_is_reported_once_not_compared_with_an_export() {
    let dir = common::scratch("spec-unknown-gateway");
    for f in ["hub.json", "spokes.json"] {
        std::fs::copy(format!("testdata/demo/{f}"), dir.join(f)).unwrap();
    }
    // The export's vnet-spoke1 has no gateway; whether `vpngw` means one is unknown.
    std::fs::write(
        dir.join("design.yaml"),
        "peerlint: 1\nvnets:\n  vnet-spoke1:\n    address_space: [10.1.0.0/16]\n    gateway: vpngw\n",
    )
    .unwrap();
    let o = common::run(&dir, peerlint::rules::ALL);
    let on_spec: Vec<(&str, &str)> = o
        .diagnostics
        .iter()
        .filter(|d| d.at.path.ends_with("design.yaml"))
        .map(|d| (d.rule, d.message.as_str()))
        .collect();
    assert_eq!(
        on_spec,
        [(
            "invalid-spec",
            "unknown gateway `vpngw`: expected `none`, `vpn`, `expressroute` or `route-server`"
        )]
    );
    // A known kind is still compared.
    std::fs::write(
        dir.join("design.yaml"),
        "peerlint: 1\nvnets:\n  vnet-spoke1:\n    address_space: [10.1.0.0/16]\n    gateway: vpn\n",
    )
    .unwrap();
    let o = common::run(&dir, peerlint::rules::ALL);
    assert!(
        o.diagnostics
            .iter()
            .any(|d| d.rule == "conflicting-declarations"
                && d.message
                    .contains("different gateways: a gateway here, none")),
        "{:#?}",
        o.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

#[test]
fn a_vnet_wide_route_is_reported_once_not_once_per_subnet() {
    let dir = common::scratch("spec-vnet-route");
    std::fs::write(
        dir.join("net.yaml"),
        "peerlint: 1\nvnets:\n  a: { address_space: [10.1.0.0/16], routes: { default: c/nva }, subnets: { s1: 10.1.1.0/24, s2: 10.1.2.0/24 } }\n  b: { address_space: [10.2.0.0/16] }\n  c: { address_space: [10.3.0.0/16], appliances: { nva: 10.3.0.4 } }\ntopology:\n  - peer: a <-> b\n  - peer: b <-> c\n",
    )
    .unwrap();
    let o = common::run(
        &dir,
        &[peerlint::rules::by_name("transitive-peering-assumed").unwrap()],
    );
    assert_eq!(
        o.diagnostics.len(),
        1,
        "{:#?}",
        o.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

#[test]
fn external_vnets_take_part_in_the_overlap_checks() {
    let dir = common::scratch("spec-external-overlap");
    std::fs::write(
        dir.join("net.yaml"),
        "peerlint: 1
defaults: { subscription: 11111111-1111-1111-1111-111111111111, resource_group: rg-net }
vnets:
  hub: { address_space: [10.0.0.0/16] }
  spoke1: { address_space: [10.1.0.0/16] }
  shared:
    id: /subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-shared/providers/Microsoft.Network/virtualNetworks/vnet-shared
    external: true
    address_space: [10.1.128.0/17]
  partner:
    id: /subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-partner/providers/Microsoft.Network/virtualNetworks/vnet-partner
    external: true
    address_space: [10.0.128.0/24]
  other:
    id: /subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/vnet-other
    external: true
    address_space: [10.9.0.0/16]
topology:
  - hub_and_spoke: { hub: hub, spokes: [spoke1] }
  - peer: hub <-> shared
  - peer: hub -> partner
  - peer: hub -> other
",
    )
    .unwrap();
    let rules = [
        peerlint::rules::by_name("peered-address-overlap").unwrap(),
        peerlint::rules::by_name("overlap-with-remote-peer").unwrap(),
    ];
    let o = common::run(&dir, &rules);
    let mut got: Vec<(&str, String, usize)> = o
        .diagnostics
        .iter()
        .map(|d| (d.rule, common::subject(d), d.at.line))
        .collect();
    got.sort();
    // The hub's link to `partner` overlaps it directly (at the hub's space); `shared`, peered
    // with the hub, overlaps the spoke (at `shared`: its side of the link lives elsewhere, so
    // the hub's link to it is the one named).
    assert_eq!(
        got,
        vec![
            ("overlap-with-remote-peer", "hub-to-shared".to_string(), 6),
            ("peered-address-overlap", "hub-to-partner".to_string(), 4),
        ],
        "{:#?}",
        o.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}
