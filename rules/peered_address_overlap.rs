use std::collections::{HashMap, HashSet};

use crate::graph::Graph;
use crate::model::{Loc, Prefix, VnetId};
use crate::prefix::{Block, LISTED, Sorted, cross_pairs_sorted};
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
        // Vnets' whole address spaces, sorted once: a hub's space is compared with each of
        // its spokes in time proportional to the spoke's.
        let mut spaces: HashMap<VnetId, Sorted<&Prefix>> = HashMap::new();
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
            // Each comparison: the lists, and for each whether it is a vnet's whole address
            // space (then its sorted form is kept for every link of that vnet).
            type Side<'g> = (Vec<&'g Prefix>, Option<VnetId>);
            let mut lists: Vec<(Side<'_>, Side<'_>)> = Vec::new();
            let mut recorded = false;
            let subnets = p.is_subnet_peering() || p.peer_complete_vnets.unresolved;
            let whole = |from: SpaceOf, v: VnetId, peered: bool| {
                (from == SpaceOf::Vnet && !(peered && subnets)).then_some(v)
            };
            for ((l, l_peered), (r, r_peered)) in [
                (
                    (peered_prefixes(g, pid, true), true),
                    (side_space(g, pid, false), false),
                ),
                (
                    (side_space(g, pid, true), false),
                    (peered_prefixes(g, pid, false), true),
                ),
            ] {
                let (Some(l), Some(r)) = (l, r) else { continue };
                recorded |= r.from == SpaceOf::Recorded;
                // A full peering peers the whole spaces: the second comparison is the first.
                let same = |a: &[&Prefix], b: &[&Prefix]| {
                    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| std::ptr::eq(*x, *y))
                };
                if !lists
                    .iter()
                    .any(|((a, _), (b, _))| same(a, &l.prefixes) && same(b, &r.prefixes))
                {
                    let (lw, rw) = (
                        whole(l.from, p.local, l_peered),
                        whole(r.from, remote, r_peered),
                    );
                    lists.push(((l.prefixes, lw), (r.prefixes, rw)));
                }
            }
            let mut total = 0;
            let mut pairs: Vec<(&Prefix, &Prefix)> = Vec::new();
            let mut listed: HashSet<(Loc, Loc)> = HashSet::new();
            for (l, r) in &lists {
                let (n, some) = if flip {
                    let (n, some) = overlapping(g, r, l, &mut spaces);
                    (n, some.into_iter().map(|(y, x)| (x, y)).collect())
                } else {
                    overlapping(g, l, r, &mut spaces)
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
            let b = g.vnet(remote);
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
                    "peered vnets {} and {} have overlapping{v6} {kind}{v6_note}: {}{whence}",
                    vnet_name(g, p.local),
                    vnet_name(g, remote),
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

/// How many pairs (x from `left`, y from `right`) overlap, and the first of them: the shorter
/// list looked up in the longer one, sorted (kept in `spaces` when it is a vnet's whole
/// address space). Both directions of a link choose alike, so they list the same pairs.
fn overlapping<'g>(
    g: &'g Graph,
    (left, left_space): &(Vec<&'g Prefix>, Option<VnetId>),
    (right, right_space): &(Vec<&'g Prefix>, Option<VnetId>),
    spaces: &mut HashMap<VnetId, Sorted<&'g Prefix>>,
) -> (usize, Vec<(&'g Prefix, &'g Prefix)>) {
    let blocks = |list: &[&'g Prefix]| -> Vec<Block<&'g Prefix>> {
        list.iter()
            .filter_map(|&p| Some(Block::new(&p.net()?, p)))
            .collect()
    };
    // A vnet's whole space, unfiltered: the other list, of the same link, holds only the
    // families the link peers, so no pair of another family forms.
    let whole = |v: VnetId| -> Sorted<&'g Prefix> {
        let all: Vec<&Prefix> = g
            .vnet(v)
            .address_space
            .iter()
            .flat_map(|s| &s.prefixes)
            .collect();
        Sorted::new(blocks(&all))
    };
    let mut sorted = |list: &[&'g Prefix], space: &Option<VnetId>| -> Sorted<&'g Prefix> {
        match space {
            Some(v) => spaces.remove(v).unwrap_or_else(|| whole(*v)),
            None => Sorted::new(blocks(list)),
        }
    };
    if left.len() <= right.len() {
        let index = sorted(right, right_space);
        let found = cross_pairs_sorted(&blocks(left), &index, LISTED);
        if let Some(v) = right_space {
            spaces.insert(*v, index);
        }
        found
    } else {
        let index = sorted(left, left_space);
        let (n, some) = cross_pairs_sorted(&blocks(right), &index, LISTED);
        if let Some(v) = left_space {
            spaces.insert(*v, index);
        }
        (n, some.into_iter().map(|(y, x)| (x, y)).collect())
    }
}
