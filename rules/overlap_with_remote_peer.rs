use std::collections::BTreeSet;

use crate::model::{PeeringId, VnetId};
use crate::prefix::{Block, sweep};
use crate::query::{SpaceOf, peered_prefixes, peering_name, prefix_label, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet A peered with B while A's address space overlaps a vnet C that is also
    /// peered with B: typically two spokes of one hub with overlapping address spaces. Each
    /// vnet takes part with the prefixes it peers over its link to B (its participating
    /// subnets for a subnet peering, only IPv6 prefixes for an IPv6-only link). A design
    /// spec's `external` vnet takes part with its `address_space`, and a vnet that is not in
    /// the inputs with the address space an export of B's peering to it recorded: a new spoke
    /// reusing the range of a deleted vnet whose peering is still on the hub is caught.
    ///
    /// ## Why is this bad?
    /// Azure refuses the second peering with `VnetAddressSpaceOverlapsWithAlreadyPeeredVnet`:
    /// the hub could not tell which spoke an overlapping address belongs to.
    ///
    /// ## Example
    /// ```yaml
    /// # vnet-spoke1 10.1.0.0/16 <-> vnet-hub <-> vnet-spoke2 10.1.0.0/24
    /// ```
    ///
    /// ## How to fix
    /// Re-address one of the spokes so that every vnet peered with the hub has its own range.
    pub OverlapWithRemotePeer {
        name: "overlap-with-remote-peer",
        group: Correctness,
        summary: "a vnet overlaps another vnet peered with the same remote vnet",
        needs: [AddressSpace, Subnets, SubnetPrefixes, Peerings, RemoteVnet, PeeredSubnetNames, PeerCompleteVnets, OnlyIpv6],
    }
}

impl Rule for OverlapWithRemotePeer {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (hub, _) in g.vnets() {
            let neighbours = g.neighbours(hub);
            if neighbours.len() < 2 {
                continue;
            }
            // For each neighbour, the link to the hub, the prefixes it peers over it and where
            // they were read (a neighbour not in the inputs: the hub's export of the link).
            let mut links: Vec<(VnetId, PeeringId, SpaceOf)> = Vec::new();
            let mut blocks = Vec::new();
            for &n in &neighbours {
                let Some(link) = g.between(n, hub).or_else(|| g.between(hub, n)) else {
                    continue;
                };
                let from_neighbour = g.peering(link).local == n;
                let Some(side) = peered_prefixes(g, link, from_neighbour) else {
                    continue;
                };
                let li = links.len();
                links.push((n, link, side.from));
                for (pi, p) in side.prefixes.iter().enumerate() {
                    if let Some(net) = p.net() {
                        blocks.push(Block::new(&net, (li, pi, *p)));
                    }
                }
            }
            let mut pairs = BTreeSet::new();
            let mut examples = Vec::new();
            sweep(&mut blocks, |x, y| {
                if x.0 == y.0 {
                    return;
                }
                let (a, c) = (links[x.0].0, links[y.0].0);
                // A direct peering between the two is peered-address-overlap's finding.
                if g.between(a, c).is_some() || g.between(c, a).is_some() {
                    return;
                }
                // Two copies an export recorded are links that exist: nothing new to refuse.
                if links[x.0].2 == SpaceOf::Recorded && links[y.0].2 == SpaceOf::Recorded {
                    return;
                }
                let key = (x.0.min(y.0), x.0.max(y.0));
                if pairs.insert(key) {
                    examples.push((key, if x.0 < y.0 { (x.2, y.2) } else { (y.2, x.2) }));
                }
            });
            examples.sort_by_key(|(k, _)| *k);
            for ((i, j), (pi, pj)) in examples {
                // The link Azure refuses is the new one: not one an export recorded (that one
                // exists), else the one that comes later in the inputs.
                let ((c, c_link, pc, c_from), (a, a_link, pa, _)) = {
                    let (li, lj) = (links[i], links[j]);
                    let existing = |l: (VnetId, PeeringId, SpaceOf)| l.2 == SpaceOf::Recorded;
                    let i_first = match (existing(li), existing(lj)) {
                        (true, false) => true,
                        (false, true) => false,
                        _ => g.peering(li.1).loc <= g.peering(lj.1).loc,
                    };
                    if i_first {
                        ((li.0, li.1, pi, li.2), (lj.0, lj.1, pj, lj.2))
                    } else {
                        ((lj.0, lj.1, pj, lj.2), (li.0, li.1, pi, li.2))
                    }
                };
                let link = g.peering(a_link);
                let whence = if c_from == SpaceOf::Recorded {
                    format!(
                        " (its address space as recorded in the export of peering {}: the vnet is not in the inputs)",
                        peering_name(g, c_link)
                    )
                } else {
                    String::new()
                };
                cx.report(
                    Finding::new(
                        &link.id,
                        format!(
                            "{} is peered with {} while its address space overlaps {}{whence}, also peered with {}: `{}` ~ `{}`",
                            vnet_name(g, a),
                            vnet_name(g, hub),
                            vnet_name(g, c),
                            vnet_name(g, hub),
                            pa.text,
                            pc.text
                        ),
                        pa.loc,
                        format!("overlaps `{}` of {}", pc.text, vnet_name(g, c)),
                    )
                    .related(pc.loc, prefix_label(g, pc, c, c_from, c_link))
                    .related(link.remote_loc(), format!("peering between {} and {}", vnet_name(g, a), vnet_name(g, hub)))
                    .related(g.peering(c_link).remote_loc(), format!("peering between {} and {}", vnet_name(g, c), vnet_name(g, hub)))
                    .help(format!("re-address {} or {} so that every vnet peered with {} has its own range", vnet_name(g, a), vnet_name(g, c), vnet_name(g, hub)))
                    .note("Azure rejects this peering at deploy time with VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"),
                );
            }
        }
    }
}
