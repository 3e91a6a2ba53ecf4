use ipnet::IpNet;

use crate::model::VnetId;
use crate::query::peered_prefixes;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports overlapping address spaces between vnets that reach each other only through
    /// forwarding hubs: a spoke of one hub and a spoke of another hub peered with it, where the
    /// hubs forward (an appliance, or a gateway). Direct neighbours are `peered-address-overlap`
    /// and spokes of one hub are `overlap-with-remote-peer`. Each spoke takes part with what it
    /// peers over its link to its hub: its participating subnets for a subnet peering, only
    /// its IPv6 prefixes for an IPv6-only link (IPv4 traffic never crosses such a link).
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
        needs: [AddressSpace, Subnets, SubnetPrefixes, Peerings, RemoteVnet, PeeredSubnetNames, PeerCompleteVnets, OnlyIpv6],
    }
}

impl Rule for TransitAddressOverlap {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let r = cx.reach();
        // The forwarding hubs each vnet is peered with (both ways), and the prefixes the vnet
        // peers over each of those links (its participating subnets for a subnet peering, only
        // IPv6 for an IPv6-only link): what the hub learns of it.
        let mut hubs: Vec<Vec<VnetId>> = vec![Vec::new(); g.vnets().count()];
        let mut blocks: Vec<(IpNet, VnetId, VnetId)> = Vec::new();
        for (h, hv) in g.defined_vnets() {
            if hv.appliances.is_empty() && !g.has_gateway(h) {
                continue;
            }
            for s in g.neighbours(h) {
                let Some((hs, sh)) = r.connected(h, s) else {
                    continue;
                };
                hubs[s.0 as usize].push(h);
                let side = if g.peering(sh).local == s {
                    peered_prefixes(g, sh, true)
                } else {
                    peered_prefixes(g, hs, false)
                };
                for p in side.iter().flat_map(|x| &x.prefixes) {
                    if let Some(n) = p.net() {
                        blocks.push((n, s, h));
                    }
                }
            }
        }
        // One sort-and-sweep over them.
        blocks
            .sort_by_key(|(n, v, h)| (n.network().is_ipv6(), n.network(), n.prefix_len(), *v, *h));
        blocks.dedup();
        let mut open: Vec<(IpNet, VnetId, VnetId)> = Vec::new();
        let mut reported = std::collections::HashSet::new();
        for (n, v, h1) in blocks {
            open.retain(|(o, _, _)| o.contains(&n.network()));
            for &(o, ov, h2) in &open {
                if ov == v
                    || h1 == h2
                    || reported.contains(&(ov.min(v), ov.max(v)))
                    || r.connected(v, ov).is_some()
                {
                    continue;
                }
                // Spokes of one hub are overlap-with-remote-peer's.
                let (hv, ho) = (&hubs[v.0 as usize], &hubs[ov.0 as usize]);
                if hv.iter().any(|h| ho.contains(h)) || r.connected(h1, h2).is_none() {
                    continue;
                }
                reported.insert((ov.min(v), ov.max(v)));
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
            open.push((n, v, h1));
        }
    }
}
