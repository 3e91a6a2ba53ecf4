//! Topology: `hub_and_spoke`, `mesh` and `peer` items, the peerings they make, and the
//! peering fields (`defaults.peering`, a `peer` item's own) those peerings carry.

use std::rc::Rc;

use super::Loader;
use crate::arm::value::{Val, Value};
use crate::graph::Partial;
use crate::model::{SpecField, SpecInvalid, SpecPlace, SpecProblem, SpecValue};
use crate::suggest::closest;
use crate::tree::{Kind, NodeId};

/// Peering fields a spec may set (snake_case) and their ARM names.
const PEERING_FIELDS: &[(&str, &str)] = &[
    ("allow_virtual_network_access", "allowVirtualNetworkAccess"),
    ("allow_forwarded_traffic", "allowForwardedTraffic"),
    ("allow_gateway_transit", "allowGatewayTransit"),
    ("use_remote_gateways", "useRemoteGateways"),
    ("do_not_verify_remote_gateways", "doNotVerifyRemoteGateways"),
    ("enable_only_ipv6_peering", "enableOnlyIPv6Peering"),
];
const HUB_AND_SPOKE: &[&str] = &["hub", "spokes", "gateway_transit", "forwarded_traffic"];

/// Azure's limit of peerings per vnet (P21): a `mesh` of more than `PEERING_LIMIT + 1` vnets
/// gives each more than Azure allows, so it is never expanded.
pub const PEERING_LIMIT: usize = 500;

/// How many peerings the `mesh` items of one spec may generate: a mesh of n vnets makes
/// n·(n−1), so a few thousand names would make millions, and every check reads them (a mesh of
/// 501 vnets sharing one range is 125,250 peered-address-overlap findings from 12 KB of YAML).
/// A mesh of up to 316 vnets fits, beyond the 250 of a Virtual Network Manager connected group
/// by default; a mesh that would take the spec past the budget is left unexpanded, its vnets'
/// peerings marked partial, and `invalid-spec` says so.
pub const MESH_BUDGET: usize = 100_000;

impl Loader<'_> {
    /// The peering fields set in `obj` (snake_case), as (ARM name, value); keys in `also`
    /// are allowed besides.
    pub(super) fn peering_fields(
        &mut self,
        obj: NodeId,
        also: &[&'static str],
    ) -> Vec<(&'static str, Value)> {
        let mut allowed: Vec<&'static str> = PEERING_FIELDS.iter().map(|(s, _)| *s).collect();
        allowed.extend_from_slice(also);
        self.keys(obj, &allowed, SpecPlace::PeeringSettings);
        let mut out = Vec::new();
        for (snake, arm) in PEERING_FIELDS {
            if let Some((_, n)) = self.boolean(obj, snake) {
                out.push((*arm, self.value(n)));
            }
        }
        out
    }

    /// A topology item: one of `hub_and_spoke`, `mesh` and `peer`.
    pub(super) fn topology(&mut self, item: NodeId) {
        let t = self.t;
        if t.kind(item) != Kind::Object {
            let loc = self.loc(item);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::TopologyItem,
            });
            return;
        }
        if let Some(hs) = t.get(item, "hub_and_spoke") {
            self.hub_and_spoke(item, hs);
        } else if let Some(m) = t.get(item, "mesh") {
            self.mesh(item, m);
        } else if let Some(p) = t.get(item, "peer") {
            self.peer(item, p);
        } else {
            self.unknown_topology(item);
        }
    }

    /// `hub_and_spoke`: a peering each way between the hub and every spoke.
    fn hub_and_spoke(&mut self, item: NodeId, hs: NodeId) {
        let t = self.t;
        self.keys(item, &["hub_and_spoke"], SpecPlace::HubAndSpokeItem);
        if t.kind(hs) != Kind::Object {
            let loc = self.loc(hs);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::HubAndSpoke,
            });
            return;
        }
        self.keys(hs, HUB_AND_SPOKE, SpecPlace::HubAndSpoke);
        let Some((hub, hub_n)) = self.string(hs, "hub") else {
            let loc = self.loc(hs);
            self.problem(SpecProblem::Missing {
                loc,
                field: SpecField::Hub,
            });
            return;
        };
        let Some(h) = self.vnet_named(&hub, hub_n) else {
            return;
        };
        let transit = self.boolean(hs, "gateway_transit");
        let forwarded = self.boolean(hs, "forwarded_traffic");
        let Some(spokes) = self.array(hs, "spokes") else {
            return;
        };
        for s in t.children(spokes) {
            let Some(sname) = t.str(s) else { continue };
            let Some(si) = self.vnet_named(sname, s) else {
                continue;
            };
            let mut hub_side = Vec::new();
            let mut spoke_side = Vec::new();
            if let Some((b, n)) = transit {
                hub_side.push(("allowGatewayTransit", Value::new(Val::Bool(b), self.loc(n))));
                spoke_side.push(("useRemoteGateways", Value::new(Val::Bool(b), self.loc(n))));
            }
            if let Some((b, n)) = forwarded {
                hub_side.push((
                    "allowForwardedTraffic",
                    Value::new(Val::Bool(b), self.loc(n)),
                ));
                spoke_side.push((
                    "allowForwardedTraffic",
                    Value::new(Val::Bool(b), self.loc(n)),
                ));
            }
            self.peering(h, si, s, None, hub_side, None);
            self.peering(si, h, s, None, spoke_side, None);
        }
    }

    /// `mesh`: a peering each way between every two of its vnets.
    fn mesh(&mut self, item: NodeId, m: NodeId) {
        let t = self.t;
        self.keys(item, &["mesh"], SpecPlace::MeshItem);
        let Some(list) = (t.kind(m) == Kind::Array).then_some(m) else {
            let loc = self.loc(m);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::Mesh,
            });
            return;
        };
        let members: Vec<(usize, NodeId)> = t
            .children(list)
            .filter_map(|n| Some((self.vnet_named(t.str(n)?, n)?, n)))
            .collect();
        let n = members.len();
        let peerings = n.saturating_mul(n.saturating_sub(1));
        let over_limit = n.saturating_sub(1) > PEERING_LIMIT;
        if over_limit || self.meshed.saturating_add(peerings) > self.mesh_budget {
            // Not expanded: peering-limit-exceeded reads the mesh itself, and every other
            // check takes its vnets' peerings as partly unknown. Pointed at by its key.
            let loc = self.key_loc(m);
            let keys: Vec<String> = members
                .iter()
                .map(|&(v, _)| self.vnets[v].key.clone())
                .collect();
            for key in &keys {
                self.b.partial(key, Partial::Peerings, loc);
            }
            self.unexpanded.push((loc, keys));
            self.problem(SpecProblem::MeshNotExpanded {
                loc,
                vnets: n,
                over_limit,
                budget: self.mesh_budget,
            });
            return;
        }
        self.meshed += peerings;
        for (i, &(a, an)) in members.iter().enumerate() {
            for &(c, cn) in &members[i + 1..] {
                self.peering(a, c, an, None, Vec::new(), None);
                self.peering(c, a, cn, None, Vec::new(), None);
            }
        }
    }

    /// `peer`: `a <-> b` or `a -> b`, with its own peering fields, `name` and `subnets`.
    fn peer(&mut self, item: NodeId, p: NodeId) {
        let t = self.t;
        let mut also = vec!["peer", "name", "subnets"];
        also.extend(PEERING_FIELDS.iter().map(|(s, _)| *s));
        self.keys(item, &also, SpecPlace::PeerItem);
        let Some(text) = t.str(p) else {
            let loc = self.loc(p);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::Peer,
            });
            return;
        };
        let (a, c, both) = if let Some((a, c)) = text.split_once("<->") {
            (a.trim(), c.trim(), true)
        } else if let Some((a, c)) = text.split_once("->") {
            (a.trim(), c.trim(), false)
        } else {
            let loc = self.loc(p);
            self.problem(SpecProblem::Invalid {
                loc,
                value: SpecInvalid::PeerLink(text.to_string()),
            });
            return;
        };
        let (Some(ai), Some(ci)) = (self.vnet_named(a, p), self.vnet_named(c, p)) else {
            return;
        };
        let overrides = self.peering_fields(item, &["peer", "name", "subnets"]);
        let name = self.string(item, "name");
        let subnets = self.object(item, "subnets").map(|s| {
            self.keys(s, &["local", "remote"], SpecPlace::PeerSubnets);
            (
                t.get(s, "local").map(|n| self.value(n)),
                t.get(s, "remote").map(|n| self.value(n)),
            )
        });
        self.peering(
            ai,
            ci,
            item,
            name.clone(),
            overrides.clone(),
            subnets.clone(),
        );
        if both {
            let mirrored = subnets.map(|(l, r)| (r, l));
            self.peering(ci, ai, item, None, overrides, mirrored);
        }
    }

    /// A topology item of none of the known kinds.
    fn unknown_topology(&mut self, item: NodeId) {
        let t = self.t;
        let keys: Vec<String> = t.members(item).map(|(k, _)| k.to_string()).collect();
        let k = keys.first().cloned().unwrap_or_default();
        let suggestion = closest(&k, ["hub_and_spoke", "mesh", "peer"].into_iter());
        let loc = self.loc(item);
        self.problem(SpecProblem::Invalid {
            loc,
            value: SpecInvalid::TopologyItem { key: k, suggestion },
        });
    }

    /// A peering of vnet `a` towards `c`, made by the topology node `at`.
    fn peering(
        &mut self,
        a: usize,
        c: usize,
        at: NodeId,
        name: Option<(String, NodeId)>,
        fields: Vec<(&'static str, Value)>,
        subnets: Option<(Option<Value>, Option<Value>)>,
    ) {
        let loc = self.loc(at);
        let (pname, name_loc) = match name {
            Some((n, node)) => (n, self.loc(node)),
            None => (
                format!("{}-to-{}", self.vnets[a].name, self.vnets[c].name),
                loc,
            ),
        };
        let remote = Value::object([("id", Value::str(&self.vnets[c].id, loc))], loc);
        let mut props: Vec<(Rc<str>, Value)> = vec![(Rc::from("remoteVirtualNetwork"), remote)];
        for (k, v) in self.peering_defaults.iter().cloned().chain(fields) {
            props.retain(|(x, _)| **x != *k);
            props.push((Rc::from(k), v));
        }
        if let Some((local, remote)) = subnets {
            props.push((
                Rc::from("peerCompleteVnets"),
                Value::new(Val::Bool(false), loc),
            ));
            if let Some(l) = local {
                props.push((Rc::from("localSubnetNames"), l));
            }
            if let Some(r) = remote {
                props.push((Rc::from("remoteSubnetNames"), r));
            }
        }
        let id = format!("{}/virtualNetworkPeerings/{pname}", self.vnets[a].id);
        let p = Value::object(
            [
                ("id", Value::str(&id, name_loc)),
                ("name", Value::str(&pname, name_loc)),
                ("properties", Value::object(props, loc)),
            ],
            loc,
        );
        self.vnets[a].peerings.push(p);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::graph::{Graph, GraphBuilder};
    use crate::model::{Problem, SpecProblem};
    use crate::source::FileId;

    fn load(spec: &str, budget: usize) -> Graph {
        let tree = crate::yaml::parse(&Arc::new(spec.to_string()), 0).expect("YAML");
        let mut b = GraphBuilder::new();
        super::super::load_with_budget(&tree, FileId(0), &mut b, budget);
        b.finish()
    }

    fn vnets(names: &[&str], first: usize) -> String {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("  {n}: {{ address_space: [10.{}.0.0/16] }}\n", first + i))
            .collect()
    }

    #[test]
    fn meshes_expand_within_the_budget_and_are_recorded_past_it() {
        // Budget 8: the first mesh makes 6 peerings; the second would make 6 more.
        let spec = format!(
            "peerlint: 1\nvnets:\n{}{}topology:\n  - mesh: [a, b, c]\n  - mesh: [d, e, f]\n  - hub_and_spoke: {{ hub: d, spokes: [e] }}\n",
            vnets(&["a", "b", "c"], 1),
            vnets(&["d", "e", "f"], 4)
        );
        let g = load(&spec, 8);
        // Six from the first mesh, two from hub_and_spoke (which no budget limits).
        assert_eq!(g.peering_count(), 8);
        let [mesh] = g.unexpanded_meshes() else {
            panic!("one mesh left unexpanded: {:?}", g.unexpanded_meshes());
        };
        let names: Vec<&str> = mesh
            .vnets
            .iter()
            .map(|&v| g.vnet(v).name.as_str())
            .collect();
        assert_eq!(names, ["d", "e", "f"]);
        for &v in &mesh.vnets {
            assert!(
                g.peerings_unknown(v).is_some(),
                "{}'s peerings are partial",
                g.vnet(v).name
            );
        }
        let a = g.vnets().find(|(_, v)| v.name == "a").unwrap().0;
        assert!(g.peerings_unknown(a).is_none());
        let problems: Vec<_> = g
            .problems()
            .iter()
            .filter_map(|p| match p {
                Problem::Spec(SpecProblem::MeshNotExpanded {
                    vnets,
                    over_limit,
                    budget,
                    ..
                }) => Some((*vnets, *over_limit, *budget)),
                _ => None,
            })
            .collect();
        assert_eq!(problems, [(3, false, 8)]);
        // With room for both, both expand.
        assert_eq!(load(&spec, 12).peering_count(), 14);
        assert!(load(&spec, 12).unexpanded_meshes().is_empty());
    }

    #[test]
    fn a_mesh_past_the_peering_limit_is_never_expanded() {
        let names: Vec<String> = (0..502).map(|i| format!("v{i}")).collect();
        let mut spec = String::from("peerlint: 1\nvnets:\n");
        for (i, n) in names.iter().enumerate() {
            spec.push_str(&format!(
                "  {n}: {{ address_space: [10.{}.{}.0/24] }}\n",
                i / 250,
                i % 250
            ));
        }
        spec.push_str(&format!("topology:\n  - mesh: [{}]\n", names.join(", ")));
        // Even with room for every peering: 501 each is more than Azure allows.
        let g = load(&spec, usize::MAX);
        assert_eq!(g.peering_count(), 0);
        assert_eq!(g.unexpanded_meshes()[0].vnets.len(), 502);
        assert!(g.problems().iter().any(|p| matches!(
            p,
            Problem::Spec(SpecProblem::MeshNotExpanded {
                vnets: 502,
                over_limit: true,
                ..
            })
        )));
    }
}
