use ipnet::IpNet;

use crate::model::VnetId;
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
        needs: [AddressSpace, Peerings, RemoteVnet],
    }
}

impl Rule for TransitAddressOverlap {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let r = cx.reach();
        // The forwarding hubs each vnet is peered with (both ways).
        let mut hubs: Vec<Vec<VnetId>> = vec![Vec::new(); g.vnets().count()];
        for (h, hv) in g.defined_vnets() {
            if hv.appliances.is_empty() && !g.has_gateway(h) {
                continue;
            }
            for s in g.neighbours(h) {
                if r.connected(h, s).is_some() {
                    hubs[s.0 as usize].push(h);
                }
            }
        }
        // One sort-and-sweep over the address spaces of every vnet behind such a hub.
        let mut blocks: Vec<(IpNet, VnetId)> = g
            .vnets()
            .filter(|(v, _)| !hubs[v.0 as usize].is_empty())
            .flat_map(|(v, vn)| vn.space_nets().map(move |n| (n, v)))
            .collect();
        blocks.sort_by_key(|(n, v)| (n.network().is_ipv6(), n.network(), n.prefix_len(), *v));
        let mut open: Vec<(IpNet, VnetId)> = Vec::new();
        let mut reported = std::collections::HashSet::new();
        for (n, v) in blocks {
            open.retain(|(o, _)| o.contains(&n.network()));
            for &(o, ov) in &open {
                if ov == v
                    || r.connected(v, ov).is_some()
                    || !reported.insert((ov.min(v), ov.max(v)))
                {
                    continue;
                }
                let (hv, ho) = (&hubs[v.0 as usize], &hubs[ov.0 as usize]);
                // Spokes of one hub are overlap-with-remote-peer's.
                if hv.iter().any(|h| ho.contains(h)) {
                    continue;
                }
                let Some((h1, h2)) = hv.iter().find_map(|&a| {
                    ho.iter()
                        .find(|&&b| r.connected(a, b).is_some())
                        .map(|&b| (a, b))
                }) else {
                    continue;
                };
                let (va, vb) = (g.vnet(v), g.vnet(ov));
                cx.report(
                    Finding::new(
                        &va.id,
                        format!(
                            "`{}` ({n}) overlaps `{}` ({o}), a spoke of `{}`, which is peered with its hub `{}`",
                            va.name,
                            vb.name,
                            g.vnet(h2).name,
                            g.vnet(h1).name
                        ),
                        crate::query::space_loc(va),
                        "overlapping range",
                    )
                    .related(crate::query::space_loc(vb), format!("`{}` has {o}", vb.name))
                    .help("re-address one of the two spokes"),
                );
            }
            open.push((n, v));
        }
    }
}
