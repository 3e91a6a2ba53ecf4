use ipnet::IpNet;

use crate::model::VnetId;
use crate::reach::Reach;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports overlapping address spaces between vnets that reach each other only through
    /// forwarding hubs: a spoke of one hub and a spoke of another hub peered with it, where the
    /// hubs forward (an appliance, or a gateway). Direct neighbours are `peered-address-overlap`
    /// and spokes of one hub are `overlap-with-remote-peer`.
    ///
    /// ## Why is this bad?
    /// Azure accepts the peerings, but the hubs can't route both ranges: traffic for the
    /// overlapping range goes to whichever spoke the route tables name, never to both.
    ///
    /// ## Example
    /// ```yaml
    /// topology:
    ///   - hub_and_spoke: { hub: hub-we, spokes: [app-we] }   # app-we 10.1.0.0/16
    ///   - hub_and_spoke: { hub: hub-ne, spokes: [app-ne] }   # app-ne 10.1.0.0/16
    ///   - peer: hub-we <-> hub-ne
    /// ```
    ///
    /// ## How to fix
    /// Re-address one of the spokes; keep one address plan across regions.
    pub TransitAddressOverlap {
        name: "transit-address-overlap",
        group: Suspicious,
        summary: "overlapping spokes of two peered forwarding hubs",
    }
}

impl Rule for TransitAddressOverlap {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let r = Reach::new(g);
        let forwards = |v: VnetId| !g.vnet(v).appliances.is_empty() || g.has_gateway(v);
        let mut reported = std::collections::HashSet::new();
        for (h1, _) in g.defined_vnets().filter(|(v, _)| forwards(*v)) {
            for h2 in g.neighbours(h1) {
                if h2 <= h1 || !forwards(h2) || r.connected(h1, h2).is_none() {
                    continue;
                }
                // Spokes of each hub, tagged by side; one sort-and-sweep per hub pair.
                let mut blocks: Vec<(IpNet, VnetId, u8)> = Vec::new();
                for (side, (hub, other)) in [(h1, h2), (h2, h1)].into_iter().enumerate() {
                    for s in g.neighbours(hub) {
                        if s == other || r.connected(hub, s).is_none() {
                            continue;
                        }
                        blocks.extend(g.vnet(s).space_nets().map(|n| (n, s, side as u8)));
                    }
                }
                blocks.sort_by_key(|(n, _, _)| (n.network().is_ipv6(), n.network(), n.prefix_len()));
                let mut open: Vec<(IpNet, VnetId, u8)> = Vec::new();
                for (n, v, side) in blocks {
                    open.retain(|(o, _, _)| o.contains(&n.network()));
                    for &(o, ov, oside) in &open {
                        if oside == side || ov == v || r.connected(v, ov).is_some() {
                            continue;
                        }
                        let (a, b) = if v < ov { (v, ov) } else { (ov, v) };
                        if !reported.insert((a, b)) {
                            continue;
                        }
                        let (va, vb) = (g.vnet(v), g.vnet(ov));
                        cx.report(
                            Finding::new(
                                &va.id,
                                format!(
                                    "`{}` ({n}) overlaps `{}` ({o}), a spoke of `{}`, which is peered with its hub `{}`",
                                    va.name,
                                    vb.name,
                                    g.vnet(if side == 0 { h2 } else { h1 }).name,
                                    g.vnet(if side == 0 { h1 } else { h2 }).name
                                ),
                                crate::query::space_loc(va),
                                "overlapping range",
                            )
                            .related(crate::query::space_loc(vb), format!("`{}` has {o}", vb.name))
                            .help("re-address one of the two spokes"),
                        );
                    }
                    open.push((n, v, side));
                }
            }
        }
    }
}
