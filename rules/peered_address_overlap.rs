use std::collections::HashSet;

use crate::model::{Loc, Prefix, VnetId};
use crate::prefix::{Block, sweep};
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
    /// the address space an export of the peering recorded (`remoteAddressSpace`).
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
        type Reported = (VnetId, VnetId, Vec<(Loc, Loc)>);
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
            let mut pairs: Vec<(&Prefix, &Prefix)> = Vec::new();
            let mut recorded = false;
            if let (Some(l), Some(r)) = (peered_prefixes(g, pid, true), side_space(g, pid, false)) {
                recorded |= r.from == SpaceOf::Recorded;
                overlapping(&l.prefixes, &r.prefixes, &mut pairs);
            }
            if let (Some(l), Some(r)) = (side_space(g, pid, true), peered_prefixes(g, pid, false)) {
                recorded |= r.from == SpaceOf::Recorded;
                let mut reverse = Vec::new();
                overlapping(&l.prefixes, &r.prefixes, &mut reverse);
                for pair in reverse {
                    if !pairs
                        .iter()
                        .any(|(x, y)| x.loc == pair.0.loc && y.loc == pair.1.loc)
                    {
                        pairs.push(pair);
                    }
                }
            }
            if pairs.is_empty() {
                continue;
            }
            let b = g.vnet(remote);
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
            if !seen.insert((p.local.min(remote), p.local.max(remote), key)) {
                continue;
            }
            pairs.sort_by_key(|(x, y)| (x.loc, y.loc));
            let (first_local, first_remote) = pairs[0];
            let listed: Vec<String> = pairs
                .iter()
                .map(|(x, y)| format!("{} ~ {}", x.text, y.text))
                .collect();
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
                    listed.join(", ")
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

/// Pairs (x from `left`, y from `right`) that overlap.
fn overlapping<'g>(
    left: &[&'g Prefix],
    right: &[&'g Prefix],
    out: &mut Vec<(&'g Prefix, &'g Prefix)>,
) {
    let mut blocks: Vec<Block<(bool, usize)>> = Vec::new();
    blocks.extend(
        left.iter()
            .enumerate()
            .filter_map(|(i, p)| Some(Block::new(&p.net()?, (false, i)))),
    );
    blocks.extend(
        right
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some(Block::new(&p.net()?, (true, i)))),
    );
    sweep(&mut blocks, |x, y| {
        if x.0 != y.0 {
            let (l, r) = if x.0 { (y.1, x.1) } else { (x.1, y.1) };
            out.push((left[l], right[r]));
        }
    });
}
