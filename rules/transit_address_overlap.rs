use std::collections::HashSet;

use ipnet::IpNet;

use crate::model::VnetId;
use crate::prefix::{Block, Classes, LISTED};
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
    /// Reported once per distinct range: on the first spoke with that range (the range inside
    /// the other, or the later of two equal ones) that overlaps a spoke of another hub, with
    /// the other spokes overlapping it counted (the first ten named).
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

/// How many overlapping members one member's search for a spoke of another hub may pass
/// over (the same spoke, spokes it is peered with, spokes sharing a hub): past it, the member
/// is left unreported.
const SEARCH: usize = 64;

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
        for list in &mut hubs {
            list.sort_unstable();
        }
        let disjoint = |a: &[VnetId], b: &[VnetId]| {
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => return false,
                }
            }
            true
        };
        blocks
            .sort_by_key(|(n, v, h)| (n.network().is_ipv6(), n.network(), n.prefix_len(), *v, *h));
        blocks.dedup();
        // Members (spoke, hub, range), in vnet order within a range; and once per spoke, to
        // count them.
        let classes = Classes::new(
            blocks
                .iter()
                .map(|&(n, v, h)| Block::new(&n, (v, h, n)))
                .collect(),
            |&(v, h, _)| (v, h),
        );
        let mut spokes: Vec<(IpNet, VnetId)> = blocks.iter().map(|&(n, v, _)| (n, v)).collect();
        // Rules run side by side: what one holds adds to the run's peak memory.
        drop(blocks);
        spokes.dedup();
        let spokes = Classes::new(
            spokes.iter().map(|&(n, v)| Block::new(&n, v)).collect(),
            |&v| v,
        );
        let mut reported: HashSet<(VnetId, VnetId)> = HashSet::new();
        for c in 0..classes.count() {
            // The spoke whose range sorts later is the subject: a member is compared with the
            // members of the ranges containing it (the largest first) and the earlier vnets
            // of its own range, the first `SEARCH` of them.
            let members = classes.members(c);
            let mut outer: Vec<usize> = classes.ancestors(c).collect();
            outer.reverse();
            let mut found = None;
            for &(v, h1, n) in members {
                let own = &members[..members.partition_point(|o| o.0 < v)];
                let earlier = outer
                    .iter()
                    .flat_map(|&a| classes.members(a))
                    .chain(own)
                    .take(SEARCH);
                for &(ov, h2, o) in earlier {
                    if ov == v
                        || h1 == h2
                        || reported.contains(&(ov.min(v), ov.max(v)))
                        || r.connected(v, ov).is_some()
                    {
                        continue;
                    }
                    // Spokes of one hub are overlap-with-remote-peer's.
                    let (hv, ho) = (&hubs[v.0 as usize], &hubs[ov.0 as usize]);
                    if !disjoint(hv, ho) || r.connected(h1, h2).is_none() {
                        continue;
                    }
                    found = Some((v, h1, n, ov, h2, o));
                    break;
                }
                if found.is_some() {
                    break;
                }
            }
            let Some((v, h1, n, ov, h2, o)) = found else {
                continue;
            };
            reported.insert((ov.min(v), ov.max(v)));
            let (va, vb) = (g.vnet(v), g.vnet(ov));
            // The other spokes' ranges overlapping it, once per spoke and range.
            let (count, others) = spokes.others(c, |&s| s, v, LISTED + 1);
            let others: Vec<VnetId> = others
                .into_iter()
                .copied()
                .filter(|&s| s != ov)
                .take(LISTED - 1)
                .collect();
            let more = match count - 1 {
                0 => String::new(),
                1 => "; 1 more range of another spoke overlaps it".to_string(),
                k => format!("; {k} more ranges of other spokes overlap it"),
            };
            let mut f = Finding::new(
                &va.id,
                format!(
                    "`{}` ({n}) overlaps `{}` ({o}), a spoke of `{}`, which is peered with its hub `{}`{more}",
                    va.name,
                    vb.name,
                    g.vnet(h2).name,
                    g.vnet(h1).name
                ),
                crate::query::space_loc(va),
                "overlapping range",
            )
            .related(crate::query::space_loc(vb), format!("`{}` has {o}", vb.name));
            for s in others {
                let sv = g.vnet(s);
                f = f.related(
                    crate::query::space_loc(sv),
                    format!("`{}` also overlaps {n}", sv.name),
                );
            }
            cx.report(f.help("re-address one of the two spokes"));
        }
    }
}
