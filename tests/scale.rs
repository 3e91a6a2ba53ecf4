//! Output and work stay linear in the input: inputs with thousands of overlapping prefixes,
//! subnets, spokes or peerings, and a design-spec `mesh` of thousands of vnets, give a number
//! of findings and labels proportional to what was written (one finding per distinct prefix,
//! at most `prefix::LISTED` labels each), not one per pair. Inputs are generated here; the
//! counts are asserted, never the time (see the notes of issue 10 for measurements).

mod common;

use std::collections::BTreeMap;

use peerlint::engine::Outcome;
use peerlint::rules;
use serde_json::{Value, json};

const N: usize = 3000;
/// How many members a finding about a group names (`prefix::LISTED`).
const LISTED: usize = 10;
const SUB: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/";

fn vnet(name: &str, prefixes: &[&str], subnets: &[(String, &str)], peerings: &[Value]) -> Value {
    json!({
        "id": format!("{SUB}{name}"),
        "name": name,
        "type": "Microsoft.Network/virtualNetworks",
        "location": "westeurope",
        "addressSpace": { "addressPrefixes": prefixes },
        "subnets": subnets.iter().map(|(s, p)| json!({ "name": s, "properties": { "addressPrefix": p } })).collect::<Vec<_>>(),
        "virtualNetworkPeerings": peerings,
    })
}

fn peering(local: &str, remote: &str, name: &str) -> Value {
    json!({
        "id": format!("{SUB}{local}/virtualNetworkPeerings/{name}"),
        "name": name,
        "properties": {
            "remoteVirtualNetwork": { "id": format!("{SUB}{remote}") },
            "allowVirtualNetworkAccess": true,
            "peeringState": "Connected",
        },
    })
}

fn to(local: &str, remote: &str) -> Value {
    peering(local, remote, &format!("{local}-to-{remote}"))
}

/// Runs every rule on one generated file.
fn run(test: &str, file: &str, text: &str) -> Outcome {
    let dir = common::scratch(test);
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    let outcome = common::run(&path, rules::ALL);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn run_json(test: &str, vnets: Vec<Value>) -> Outcome {
    run(test, "export.json", &Value::Array(vnets).to_string())
}

/// Findings per rule.
fn by_rule(o: &Outcome) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for d in &o.diagnostics {
        *m.entry(d.rule).or_insert(0) += 1;
    }
    m
}

/// The findings of `rule`, each with at most `LISTED` labels beyond the few it always has.
fn findings<'o>(
    o: &'o Outcome,
    rule: &str,
    fixed: usize,
) -> Vec<&'o peerlint::diagnostic::Diagnostic> {
    let found: Vec<_> = o.diagnostics.iter().filter(|d| d.rule == rule).collect();
    for d in &found {
        assert!(
            d.related.len() <= LISTED + fixed,
            "{rule}: {} labels on {:?}",
            d.related.len(),
            d.message
        );
    }
    found
}

#[test]
fn copies_of_one_vnet_prefix_are_one_finding() {
    let o = run_json(
        "prefixes",
        vec![vnet("vnet-a", &vec!["10.1.0.0/16"; N], &[], &[])],
    );
    assert_eq!(
        by_rule(&o),
        BTreeMap::from([("overlapping-vnet-prefixes", 1)])
    );
    let [d] = findings(&o, "overlapping-vnet-prefixes", 0)[..] else {
        unreachable!()
    };
    assert_eq!(d.related.len(), LISTED);
    assert!(
        d.message.ends_with(&format!(
            "overlaps {} other prefixes of its address space: `10.1.0.0/16` ({} times)",
            N - 1,
            N - 1
        )),
        "{}",
        d.message
    );
}

#[test]
fn prefixes_inside_one_are_one_finding_per_distinct_prefix() {
    // A /16 after 3,000 distinct /24s inside it: one finding, on the /16.
    let inner: Vec<String> = (0..N)
        .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
        .collect();
    let mut prefixes: Vec<&str> = inner.iter().map(String::as_str).collect();
    prefixes.push("10.0.0.0/8");
    let o = run_json("inside", vec![vnet("vnet-a", &prefixes, &[], &[])]);
    let found = findings(&o, "overlapping-vnet-prefixes", 0);
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .contains(&format!("overlaps {N} other prefixes"))
    );
    // The /8 first: each /24 overlaps it, one finding each, one label each.
    prefixes.rotate_right(1);
    let o = run_json("inside-first", vec![vnet("vnet-a", &prefixes, &[], &[])]);
    let found = findings(&o, "overlapping-vnet-prefixes", 0);
    assert_eq!(found.len(), N);
    assert!(found.iter().all(|d| d.related.len() == 1));
}

#[test]
fn copies_of_one_subnet_are_one_finding() {
    let subnets: Vec<(String, &str)> = (0..N)
        .map(|i| (format!("snet-{i}"), "10.1.0.0/24"))
        .collect();
    let o = run_json(
        "subnets",
        vec![vnet("vnet-a", &["10.1.0.0/16"], &subnets, &[])],
    );
    assert_eq!(by_rule(&o), BTreeMap::from([("overlapping-subnets", 1)]));
    let [d] = findings(&o, "overlapping-subnets", 0)[..] else {
        unreachable!()
    };
    assert_eq!(d.related.len(), LISTED);
    assert!(d.resource.as_deref().unwrap().ends_with("/subnets/snet-1"));
    assert!(
        d.message
            .contains(&format!("overlaps {} prefixes of other subnets", N - 1))
    );
    assert!(
        d.message.ends_with(&format!("and {} more", N - 1 - LISTED)),
        "{}",
        d.message
    );
}

#[test]
fn spokes_reusing_one_range_are_one_finding_per_hub() {
    let spokes: Vec<String> = (0..N).map(|i| format!("spoke-{i}")).collect();
    let mut vnets = vec![vnet(
        "hub",
        &["10.0.0.0/16"],
        &[],
        &spokes.iter().map(|s| to("hub", s)).collect::<Vec<_>>(),
    )];
    vnets.extend(
        spokes
            .iter()
            .map(|s| vnet(s, &["10.1.0.0/16"], &[], &[to(s, "hub")])),
    );
    let o = run_json("hub", vnets);
    // The hub is also over Azure's peering limit.
    assert_eq!(
        by_rule(&o),
        BTreeMap::from([
            ("overlap-with-remote-peer", 1),
            ("peering-limit-exceeded", 1)
        ])
    );
    // Besides the partner and the two links, at most LISTED - 1 more.
    let [d] = findings(&o, "overlap-with-remote-peer", 2)[..] else {
        unreachable!()
    };
    assert!(
        d.message.ends_with(&format!(
            "; {} more prefixes of vnets peered with `hub` overlap it",
            N - 2
        )),
        "{}",
        d.message
    );
}

#[test]
fn two_peered_vnets_with_thousands_of_prefixes_are_one_finding() {
    let prefixes = vec!["10.1.0.0/16"; N];
    let o = run_json(
        "peered",
        vec![
            vnet("vnet-a", &prefixes, &[], &[to("vnet-a", "vnet-b")]),
            vnet("vnet-b", &prefixes, &[], &[to("vnet-b", "vnet-a")]),
        ],
    );
    assert_eq!(
        by_rule(&o),
        BTreeMap::from([
            ("overlapping-vnet-prefixes", 2),
            ("peered-address-overlap", 1)
        ])
    );
    // Ten pairs' prefixes on each side at most, and the link.
    let [d] = findings(&o, "peered-address-overlap", LISTED + 1)[..] else {
        unreachable!()
    };
    assert!(
        d.message
            .ends_with(&format!("10.1.0.0/16 ~ 10.1.0.0/16 and {} more", N * N - 1)),
        "{}",
        d.message
    );
}

#[test]
fn spokes_of_two_peered_hubs_reusing_one_range_are_one_finding() {
    let half = N / 2;
    let mut spec = String::from(
        "peerlint: 1\nvnets:\n  hub-a: { address_space: [10.0.0.0/16], appliances: { fw: 10.0.1.4 } }\n  hub-b: { address_space: [10.200.0.0/16], appliances: { fw: 10.200.1.4 } }\n",
    );
    for i in 0..half {
        spec.push_str(&format!("  sa-{i}: {{ address_space: [10.1.0.0/16] }}\n"));
        spec.push_str(&format!("  sb-{i}: {{ address_space: [10.1.0.0/16] }}\n"));
    }
    let list = |p: &str| {
        (0..half)
            .map(|i| format!("{p}-{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    spec.push_str(&format!(
        "topology:\n  - hub_and_spoke: {{ hub: hub-a, forwarded_traffic: true, spokes: [{}] }}\n  - hub_and_spoke: {{ hub: hub-b, forwarded_traffic: true, spokes: [{}] }}\n  - peer: hub-a <-> hub-b\n",
        list("sa"),
        list("sb")
    ));
    let o = run("transit", "design.yaml", &spec);
    assert_eq!(
        by_rule(&o),
        BTreeMap::from([
            ("overlap-with-remote-peer", 2),
            ("peering-limit-exceeded", 2),
            ("transit-address-overlap", 1),
        ])
    );
    let [d] = findings(&o, "transit-address-overlap", 1)[..] else {
        unreachable!()
    };
    assert!(
        d.message.contains(&format!(
            "; {} more ranges of other spokes overlap it",
            N - 2
        )),
        "{}",
        d.message
    );
    findings(&o, "overlap-with-remote-peer", 2);
}

#[test]
fn many_peerings_to_one_remote_are_one_finding() {
    let peerings: Vec<Value> = (0..N)
        .map(|i| peering("vnet-a", "vnet-b", &format!("p{i}")))
        .collect();
    let o = run_json(
        "duplicates",
        vec![
            vnet("vnet-a", &["10.1.0.0/16"], &[], &peerings),
            vnet("vnet-b", &["10.2.0.0/16"], &[], &[to("vnet-b", "vnet-a")]),
        ],
    );
    assert_eq!(
        by_rule(&o),
        BTreeMap::from([
            ("duplicate-remote-peering", 1),
            ("peering-limit-exceeded", 1)
        ])
    );
    let [d] = findings(&o, "duplicate-remote-peering", 0)[..] else {
        unreachable!()
    };
    assert!(
        d.message
            .starts_with(&format!("{N} peerings of `vnet-a` point at `vnet-b`"))
    );
}

#[test]
fn a_stale_copy_of_a_large_space_names_ten_prefixes() {
    let space: Vec<String> = (0..N)
        .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
        .collect();
    let space: Vec<&str> = space.iter().map(String::as_str).collect();
    let mut stale = to("vnet-a", "vnet-b");
    stale["properties"]["remoteAddressSpace"] = json!({ "addressPrefixes": ["10.0.0.0/24"] });
    let o = run_json(
        "stale",
        vec![
            vnet("vnet-a", &["10.100.0.0/16"], &[], &[stale]),
            vnet("vnet-b", &space, &[], &[to("vnet-b", "vnet-a")]),
        ],
    );
    let [d] = findings(&o, "stale-peering-sync", 0)[..] else {
        panic!("{:?}", by_rule(&o))
    };
    assert!(
        d.message.ends_with(&format!(" and {} more]", N - LISTED)),
        "{}",
        d.message
    );
}

#[test]
fn a_mesh_of_thousands_of_vnets_is_not_expanded() {
    let n = 2000;
    let mut spec = String::from("peerlint: 1\nvnets:\n");
    for i in 0..n {
        spec.push_str(&format!(
            "  v{i}: {{ address_space: [10.{}.{}.0/24] }}\n",
            i / 250,
            i % 250
        ));
    }
    let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    spec.push_str(&format!("topology:\n  - mesh: [{}]\n", names.join(", ")));
    // Nothing is concluded about links the mesh would make: neither intent is judged.
    spec.push_str("intents:\n  - allow: { from: v1, to: v2 }\n  - deny: { from: v1, to: v3 }\n");
    let dir = common::scratch("mesh-reach");
    let path = dir.join("design.yaml");
    std::fs::write(&path, &spec).unwrap();
    let reach = common::peerlint(&["reach", "v1", "v2", path.to_str().unwrap()], None);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(reach.code, 1, "unknown: {}", reach.stdout);
    assert!(
        reach
            .stdout
            .contains("`v1` is in a `mesh` too large to expand"),
        "{}",
        reach.stdout
    );
    let o = run("mesh", "design.yaml", &spec);
    assert_eq!(o.graph.peering_count(), 0, "no peering generated");
    assert_eq!(o.graph.unexpanded_meshes().len(), 1);
    assert_eq!(
        by_rule(&o),
        BTreeMap::from([("invalid-spec", 1), ("peering-limit-exceeded", 1)])
    );
    let limit = &findings(&o, "peering-limit-exceeded", 0)[0];
    assert_eq!(limit.severity.name(), "error");
    assert_eq!(
        limit.message,
        format!(
            "this `mesh` gives each of its {n} vnets {} peerings, more than Azure's limit of 500",
            n - 1
        )
    );
    let skipped = &findings(&o, "invalid-spec", 0)[0];
    assert_eq!(
        skipped.severity.name(),
        "warning",
        "a limit of peerlint's, not a flaw"
    );
    assert_eq!(skipped.at.line, limit.at.line);
    // Nothing is concluded from the links it would make: no vnet misses a peering back.
    for (v, _) in o.graph.vnets() {
        assert!(o.graph.peerings_unknown(v).is_some());
    }
}

#[test]
fn route_tables_seen_twice_are_kept_once() {
    let n = 20_000;
    let table = |i: usize| {
        json!({
            "id": format!("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt-{i}"),
            "name": format!("rt-{i}"),
            "type": "Microsoft.Network/routeTables",
            "location": "westeurope",
            "properties": { "routes": [] },
        })
    };
    let tables: Vec<Value> = (0..n).chain(0..n).map(table).collect();
    let o = run_json("route-tables", tables);
    assert_eq!(o.graph.route_tables().len(), n);
    assert_eq!(o.graph.route_tables()[0].name, "rt-0");
}

#[test]
fn routes_of_thousands_of_spokes_through_one_firewall_are_one_finding_per_link() {
    // Every spoke sends 10.0.0.0/8 to the hub's firewall; no link allows forwarded traffic.
    let mut spec = String::from(
        "peerlint: 1\nvnets:\n  hub: { address_space: [10.255.0.0/16], appliances: { fw: 10.255.1.4 }, subnets: { fw: 10.255.1.0/24 } }\n",
    );
    for i in 0..N {
        let (a, b) = (i / 250, i % 250);
        spec.push_str(&format!(
            "  s{i}: {{ address_space: [10.{a}.{b}.0/24], subnets: {{ app: {{ prefixes: [10.{a}.{b}.0/25], routes: {{ 10.0.0.0/8: hub/fw }} }} }} }}\n"
        ));
    }
    let spokes: Vec<String> = (0..N).map(|i| format!("s{i}")).collect();
    spec.push_str(&format!(
        "topology:\n  - hub_and_spoke: {{ hub: hub, spokes: [{}] }}\n",
        spokes.join(", ")
    ));
    let o = run("forwarded", "design.yaml", &spec);
    // One finding per spoke's link to the hub (it carries the requests of every other
    // route, and the replies of its own), not one per route and link.
    let found = findings(&o, "forwarded-traffic-blocked", 0);
    assert_eq!(found.len(), N);
    assert!(
        found.iter().all(|d| d.message.ends_with(&format!(
            "; {} more routes to the appliance need it too",
            N - 1
        ))),
        "{}",
        found[0].message
    );
}

#[test]
fn vnet_routes_are_one_route_table_for_all_subnets() {
    let subnets: Vec<String> = (0..N)
        .map(|i| format!("s{i}: 10.1.{}.{}/29", i / 32, (i % 32) * 8))
        .collect();
    let spec = format!(
        "peerlint: 1\nvnets:\n  hub: {{ address_space: [10.0.0.0/16], appliances: {{ fw: 10.0.1.4 }} }}\n  spoke:\n    address_space: [10.1.0.0/16]\n    routes: {{ default: hub/fw, 10.2.0.0/16: hub/fww }}\n    subnets: {{ {} }}\ntopology:\n  - hub_and_spoke: {{ hub: hub, spokes: [spoke] }}\n",
        subnets.join(", ")
    );
    let o = run("vnet-routes", "design.yaml", &spec);
    assert_eq!(o.graph.route_tables().len(), 1);
    assert_eq!(
        o.graph.route_tables()[0].routes.len(),
        1,
        "the typo'd hop makes no route"
    );
    // The typo is reported once, not once per subnet.
    assert_eq!(by_rule(&o).get("invalid-spec"), Some(&1));
}

#[test]
fn did_you_mean_stops_after_a_million_comparisons() {
    // 3,000 unknown subnet names on each side of a peering, each compared with the 3,000
    // subnets of its vnet for a suggestion: only the first 333 are (1,000,000 / 3,000).
    let subnets = |b: usize| -> Vec<(String, String)> {
        (0..N)
            .map(|i| {
                (
                    format!("snet-{i}"),
                    format!("10.{b}.{}.{}/29", i / 32, (i % 32) * 8),
                )
            })
            .collect()
    };
    let typos: Vec<String> = (0..N).map(|i| format!("snt-{i}x")).collect();
    let subnet_peering = |local: &str, remote: &str| {
        let mut p = to(local, remote);
        p["properties"]["peerCompleteVnets"] = json!(false);
        p["properties"]["localSubnetNames"] = json!(typos);
        p["properties"]["remoteSubnetNames"] = json!(typos);
        p
    };
    let (sa, sb) = (subnets(1), subnets(2));
    fn refs(s: &[(String, String)]) -> Vec<(String, &str)> {
        s.iter().map(|(n, p)| (n.clone(), p.as_str())).collect()
    }
    let o = run_json(
        "suggestions",
        vec![
            vnet(
                "vnet-a",
                &["10.1.0.0/16"],
                &refs(&sa),
                &[subnet_peering("vnet-a", "vnet-b")],
            ),
            vnet(
                "vnet-b",
                &["10.2.0.0/16"],
                &refs(&sb),
                &[subnet_peering("vnet-b", "vnet-a")],
            ),
        ],
    );
    let unknown = findings(&o, "unknown-peered-subnet", 1);
    assert_eq!(unknown.len(), 4 * N);
    let suggested = unknown
        .iter()
        .filter(|d| {
            d.help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean"))
        })
        .count();
    assert_eq!(suggested, 1_000_000 / N);
    // The same budget for a spec's references to vnets it doesn't declare.
    let mut spec = String::from("peerlint: 1\nvnets:\n");
    for i in 0..N {
        spec.push_str(&format!(
            "  v{i}: {{ address_space: [10.{}.{}.0/24] }}\n",
            i / 250,
            i % 250
        ));
    }
    let undeclared: Vec<String> = (0..N).map(|i| format!("w{i}")).collect();
    spec.push_str(&format!(
        "topology:\n  - hub_and_spoke: {{ hub: v0, spokes: [{}] }}\n",
        undeclared.join(", ")
    ));
    let o = run("undeclared", "design.yaml", &spec);
    let invalid = findings(&o, "invalid-spec", 0);
    assert_eq!(invalid.len(), N);
    let suggested = invalid
        .iter()
        .filter(|d| d.message.contains("did you mean"))
        .count();
    assert_eq!(suggested, 1_000_000 / N);
}
