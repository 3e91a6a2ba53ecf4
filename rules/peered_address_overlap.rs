use std::collections::HashSet;

use crate::model::{Loc, Prefix, VnetId};
use crate::prefix::{Block, LISTED, cross_pairs};
use crate::query::{SpaceOf, only_ipv6, peered_prefixes, prefix_label, side_space, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two directly peered vnets whose peered prefixes overlap. For a full peering that
    /// is the two whole address spaces; for a subnet peering (`peerCompleteVnets: false`) it
    /// is each side's participating subnets against the other side's address space, so an
    /// overlap confined to subnets outside the peering is not flagged. A link with
    /// `enableOnlyIPv6Peering` peers only IPv6 prefixes, so only those are compared: reusing
    /// IPv4 space on both sides is what IPv6-only peering is for. A design spec's `external`
    /// vnet takes part with its `address_space`; a remote vnet that isn't in the inputs, with
    /// the address space an export of the peering recorded (`remoteAddressSpace`). The first
    /// ten overlapping pairs are named, then how many more.
    ///
    /// ## Why is this bad?
    /// Azure refuses the peering with `VnetAddressSpacesOverlap`: a packet to an overlapping
    /// address could belong to either side.
    ///
    /// ## Example
    /// ```json
    /// [ { "name": "vnet-a", "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
    ///     "virtualNetworkPeerings": [{ "name": "a-to-b", "remoteVirtualNetwork": { "id": ".../vnet-b" } }] },
    ///   { "name": "vnet-b", "addressSpace": { "addressPrefixes": ["10.1.128.0/17"] } } ]
    /// ```
    ///
    /// ## How to fix
    /// Re-address one of the vnets, or peer only non-overlapping subnets (subnet peering).
    pub PeeredAddressOverlap {
        name: "peered-address-overlap",
        group: Correctness,
        summary: "two peered vnets have overlapping peered prefixes",
        needs: [AddressSpace, Subnets, SubnetPrefixes, RemoteVnet, PeeredSubnetNames, PeerCompleteVnets, OnlyIpv6],
    }
}

impl Rule for PeeredAddressOverlap {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        // Each peering is judged by its own settings (full or subnet, IPv6 only, its own
        // lists); the two directions of a link are reported once when they find the same
        // overlap.
        type Reported = (VnetId, VnetId, Vec<(Loc, Loc)>, usize);
        let mut seen: HashSet<Reported> = HashSet::new();
        for (pid, p) in g.peerings() {
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            if remote == p.local {
                continue; // self-peering is its own rule
            }
            // Each side's peered prefixes against the other side's whole address space; a
            // remote vnet not in the inputs has what an export of this link recorded of it.
            // Compared with the vnet that comes first on the left, so that both directions of
            // a link list the same pairs.
            let flip = remote < p.local;
            let mut lists: Vec<(Vec<&Prefix>, Vec<&Prefix>)> = Vec::new();
            let mut recorded = false;
            for (l, r) in [
                (peered_prefixes(g, pid, true), side_space(g, pid, false)),
                (side_space(g, pid, true), peered_prefixes(g, pid, false)),
            ] {
                let (Some(l), Some(r)) = (l, r) else { continue };
                recorded |= r.from == SpaceOf::Recorded;
                // A full peering peers the whole spaces: the second comparison is the first.
                let same = |a: &[&Prefix], b: &[&Prefix]| {
                    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| std::ptr::eq(*x, *y))
                };
                if !lists
                    .iter()
                    .any(|(a, b)| same(a, &l.prefixes) && same(b, &r.prefixes))
                {
                    lists.push((l.prefixes, r.prefixes));
                }
            }
            let mut total = 0;
            let mut pairs: Vec<(&Prefix, &Prefix)> = Vec::new();
            let mut listed: HashSet<(Loc, Loc)> = HashSet::new();
            for (l, r) in &lists {
                let (n, some) = if flip {
                    let (n, some) = overlapping(r, l);
                    (n, some.into_iter().map(|(y, x)| (x, y)).collect())
                } else {
                    overlapping(l, r)
                };
                total += n;
                for (x, y) in some {
                    // The same two prefixes found both ways (an external vnet's prefixes share
                    // one place) are one pair.
                    if listed.insert((x.loc, y.loc)) {
                        pairs.push((x, y));
                    } else {
                        total -= 1;
                    }
                }
            }
            if pairs.is_empty() {
                continue;
            }
            let (a, b) = (g.vnet(p.local), g.vnet(remote));
            // All pairs when they are few; else the first (listed the same way from either
            // side) and how many.
            let mut key: Vec<(Loc, Loc)> = pairs
                .iter()
                .map(|(x, y)| {
                    if p.local < remote {
                        (x.loc, y.loc)
                    } else {
                        (y.loc, x.loc)
                    }
                })
                .collect();
            key.sort();
            if !seen.insert((p.local.min(remote), p.local.max(remote), key, total)) {
                continue;
            }
            pairs.sort_by_key(|(x, y)| (x.loc, y.loc));
            pairs.truncate(LISTED);
            let (first_local, first_remote) = pairs[0];
            // Each pair of texts once ("10.1.0.0/16 ~ 10.1.0.0/16 and 41 more").
            let mut listed: Vec<String> = Vec::new();
            for (x, y) in &pairs {
                let text = format!("{} ~ {}", x.text, y.text);
                if !listed.contains(&text) {
                    listed.push(text);
                }
            }
            // A peerCompleteVnets known only at deployment: its listed subnets are compared.
            let kind = if p.is_subnet_peering() || p.peer_complete_vnets.unresolved {
                "peered subnets and address spaces"
            } else {
                "address spaces"
            };
            let (v6, v6_note) = if p.only_ipv6.unresolved {
                (
                    " IPv6",
                    " (IPv6 is peered whatever `enableOnlyIPv6Peering` turns out to be)",
                )
            } else if only_ipv6(p) {
                (" IPv6", " (the link peers only IPv6)")
            } else {
                ("", "")
            };
            let whence = if recorded {
                format!(
                    " (the address space of `{}` as recorded in the export of this peering: the vnet is not in the inputs)",
                    b.name
                )
            } else {
                String::new()
            };
            let remote_from = if recorded {
                SpaceOf::Recorded
            } else {
                SpaceOf::Vnet
            };
            let mut f = Finding::new(
                &p.id,
                format!(
                    "peered vnets `{}` and `{}` have overlapping{v6} {kind}{v6_note}: {}{whence}",
                    a.name,
                    b.name,
                    crate::query::listing(&listed, total)
                ),
                first_local.loc,
                format!(
                    "overlaps `{}` of {}",
                    first_remote.text,
                    vnet_name(g, remote)
                ),
            );
            let mut labelled = vec![first_local.loc];
            for (x, y) in &pairs {
                if !labelled.contains(&y.loc) {
                    labelled.push(y.loc);
                    f = f.related(y.loc, prefix_label(g, y, remote, remote_from, pid));
                }
                if !labelled.contains(&x.loc) {
                    labelled.push(x.loc);
                    f = f.related(x.loc, prefix_label(g, x, p.local, SpaceOf::Vnet, pid));
                }
            }
            f = f.related(p.remote_loc(), "peered here");
            cx.report(
                f.help("re-address one of the vnets, or peer only subnets that don't overlap (subnet peering)")
                    .note("Azure rejects this peering at deploy time with VnetAddressSpacesOverlap"),
            );
        }
    }
}

/// How many pairs (x from `left`, y from `right`) overlap, and the first of them.
fn overlapping<'g>(
    left: &[&'g Prefix],
    right: &[&'g Prefix],
) -> (usize, Vec<(&'g Prefix, &'g Prefix)>) {
    let blocks = |list: &[&'g Prefix]| -> Vec<Block<&'g Prefix>> {
        list.iter()
            .filter_map(|&p| Some(Block::new(&p.net()?, p)))
            .collect()
    };
    cross_pairs(blocks(left), blocks(right), LISTED)
}
