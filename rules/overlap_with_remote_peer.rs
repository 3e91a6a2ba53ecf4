use std::collections::HashSet;

use crate::model::{PeeringId, Prefix, VnetId};
use crate::prefix::{Block, Classes, LISTED};
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
    /// Reported once per distinct prefix and hub: on the first link with that prefix that Azure
    /// refuses, with the other vnets peered with the hub that overlap it counted (the first ten
    /// named), so that a thousand spokes reusing one range are one finding.
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

/// How many overlapping prefixes one member's search for a vnet Azure would compare it with
/// may pass over (the same vnet, or one directly peered with it, whose overlap is
/// `peered-address-overlap`'s): past it, the member is left unreported. Only a design whose
/// spokes are also directly peered with many overlapping others gets there, and
/// `peered-address-overlap` reports those.
const SEARCH: usize = 64;

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
            let mut sides = Vec::new();
            for &n in &neighbours {
                let Some(link) = g.between(n, hub).or_else(|| g.between(hub, n)) else {
                    continue;
                };
                let from_neighbour = g.peering(link).local == n;
                let Some(side) = peered_prefixes(g, link, from_neighbour) else {
                    continue;
                };
                links.push((n, link, side.from));
                sides.push(side.prefixes);
            }
            // The link Azure refuses is the new one: not one an export recorded (that one
            // exists), else the one that comes later in the inputs. Links by that order.
            let mut order: Vec<usize> = (0..links.len()).collect();
            order.sort_by_key(|&i| {
                let (_, link, from) = links[i];
                (from != SpaceOf::Recorded, g.peering(link).loc, i)
            });
            let mut blocks: Vec<Block<(usize, usize, &Prefix)>> = Vec::new();
            for (rank, &li) in order.iter().enumerate() {
                for (pi, p) in sides[li].iter().enumerate() {
                    if let Some(net) = p.net() {
                        blocks.push(Block::new(&net, (rank, pi, *p)));
                    }
                }
            }
            let link_of = |rank: usize| links[order[rank]];
            // Members (link rank, prefix index, prefix), owned by their link.
            let classes = Classes::new(blocks, |&(rank, pi, _)| (rank, pi));
            let owner = |m: &(usize, usize, &Prefix)| m.0;
            // Whether Azure compares member `m` with the earlier member `o`: other vnets, not
            // peered directly (that overlap is peered-address-overlap's), and not two links
            // an export recorded (both exist: nothing new to refuse). Each pair of vnets is
            // reported once.
            let mut reported: HashSet<(usize, usize)> = HashSet::new();
            let compared = |m: usize, o: usize, reported: &HashSet<(usize, usize)>| {
                let (a, c) = (link_of(m).0, link_of(o).0);
                o < m
                    && link_of(m).2 != SpaceOf::Recorded
                    && !reported.contains(&(m, o))
                    && g.between(a, c).is_none()
                    && g.between(c, a).is_none()
            };
            type Member<'g> = (usize, usize, &'g Prefix);
            for c in 0..classes.count() {
                let members = classes.members(c);
                let ancestors: Vec<&[Member<'_>]> =
                    classes.ancestors(c).map(|x| classes.members(x)).collect();
                let mut inside: Vec<&Member<'_>> = classes.inside(c).iter().collect();
                inside.sort_by_key(|m| m.0);
                // The first member of the class that Azure refuses, and the earliest member it
                // is compared with, among the `SEARCH` earliest that overlap it: the class's
                // own, those of the classes containing it and those inside it.
                let mut found = None;
                for m in members {
                    let mut earlier: Vec<&Member<'_>> = Vec::new();
                    for list in std::iter::once(members).chain(ancestors.iter().copied()) {
                        let n = list.partition_point(|o| o.0 < m.0);
                        earlier.extend(list[..n].iter().take(SEARCH));
                    }
                    let n = inside.partition_point(|o| o.0 < m.0);
                    earlier.extend(inside[..n].iter().take(SEARCH));
                    earlier.sort_by_key(|o| (o.0, o.1));
                    if let Some(o) = earlier
                        .into_iter()
                        .take(SEARCH)
                        .find(|o| compared(m.0, o.0, &reported))
                    {
                        found = Some((*m, *o));
                        break;
                    }
                }
                let Some(((ra, _, pa), (rc, _, pc))) = found else {
                    continue;
                };
                reported.insert((ra, rc));
                let ((a, a_link, _), (c_vnet, c_link, c_from)) = (link_of(ra), link_of(rc));
                let link = g.peering(a_link);
                let whence = if c_from == SpaceOf::Recorded {
                    format!(
                        " (its address space as recorded in the export of peering {}: the vnet is not in the inputs)",
                        peering_name(g, c_link)
                    )
                } else {
                    String::new()
                };
                // The other prefixes of vnets peered with the hub that overlap it.
                let (count, others) = classes.others(c, owner, ra, LISTED + 1);
                let others: Vec<_> = others
                    .into_iter()
                    .filter(|o| !std::ptr::eq(o.2, pc))
                    .take(LISTED - 1)
                    .collect();
                let more = match count - 1 {
                    0 => String::new(),
                    1 => format!(
                        "; 1 more prefix of a vnet peered with {} overlaps it",
                        vnet_name(g, hub)
                    ),
                    n => format!(
                        "; {n} more prefixes of vnets peered with {} overlap it",
                        vnet_name(g, hub)
                    ),
                };
                let mut f = Finding::new(
                    &link.id,
                    format!(
                        "{} is peered with {} while its address space overlaps {}{whence}, also peered with {}: `{}` ~ `{}`{more}",
                        vnet_name(g, a),
                        vnet_name(g, hub),
                        vnet_name(g, c_vnet),
                        vnet_name(g, hub),
                        pa.text,
                        pc.text
                    ),
                    pa.loc,
                    format!("overlaps `{}` of {}", pc.text, vnet_name(g, c_vnet)),
                )
                .related(pc.loc, prefix_label(g, pc, c_vnet, c_from, c_link))
                .related(link.remote_loc(), format!("peering between {} and {}", vnet_name(g, a), vnet_name(g, hub)))
                .related(g.peering(c_link).remote_loc(), format!("peering between {} and {}", vnet_name(g, c_vnet), vnet_name(g, hub)));
                for &&(ro, _, po) in &others {
                    let (o, o_link, o_from) = link_of(ro);
                    f = f.related(
                        po.loc,
                        format!("also overlaps: {}", prefix_label(g, po, o, o_from, o_link)),
                    );
                }
                cx.report(
                    f.help(format!("re-address {} or {} so that every vnet peered with {} has its own range", vnet_name(g, a), vnet_name(g, c_vnet), vnet_name(g, hub)))
                    .note("Azure rejects this peering at deploy time with VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"),
                );
            }
        }
    }
}
