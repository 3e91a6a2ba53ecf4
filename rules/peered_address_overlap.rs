use std::collections::HashSet;

use crate::model::{Loc, Prefix, VnetId};
use crate::prefix::{Block, sweep};
use crate::query::{peered_prefixes, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two directly peered vnets whose peered prefixes overlap. For a full peering that
    /// is the two whole address spaces; for a subnet peering (`peerCompleteVnets: false`) it
    /// is each side's participating subnets against the other side's address space, so an
    /// overlap confined to subnets outside the peering is not flagged.
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
        needs: [AddressSpace, Subnets, SubnetPrefixes, RemoteVnet, PeeredSubnetNames, PeerCompleteVnets],
    }
}

impl Rule for PeeredAddressOverlap {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        // Each peering is judged by its own settings (full or subnet, its own lists); the two
        // directions of a link are reported once when they find the same overlap.
        type Reported = (VnetId, VnetId, Vec<(Loc, Loc)>);
        let mut seen: HashSet<Reported> = HashSet::new();
        for (pid, p) in g.peerings() {
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            if remote == p.local {
                continue; // self-peering is its own rule
            }
            let (Some(local_side), Some(remote_side)) = (
                peered_prefixes(g, pid, true),
                peered_prefixes(g, pid, false),
            ) else {
                continue;
            };
            // Each side's peered prefixes against the other side's whole address space.
            let (a, b) = (g.vnet(p.local), g.vnet(remote));
            let full = |v: VnetId| -> Vec<&Prefix> {
                g.vnet(v)
                    .address_space
                    .iter()
                    .flat_map(|s| &s.prefixes)
                    .filter(|x| x.is_valid())
                    .collect()
            };
            let (a_all, b_all) = (full(p.local), full(remote));
            let mut pairs: Vec<(&Prefix, &Prefix)> = Vec::new();
            overlapping(&local_side, &b_all, &mut pairs);
            let mut reverse = Vec::new();
            overlapping(&a_all, &remote_side, &mut reverse);
            for pair in reverse {
                if !pairs
                    .iter()
                    .any(|(x, y)| x.loc == pair.0.loc && y.loc == pair.1.loc)
                {
                    pairs.push(pair);
                }
            }
            if pairs.is_empty() {
                continue;
            }
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
            let kind = if p.is_subnet_peering() {
                "peered subnets and address spaces"
            } else {
                "address spaces"
            };
            let mut f = Finding::new(
                &p.id,
                format!(
                    "peered vnets `{}` and `{}` have overlapping {kind}: {}",
                    a.name,
                    b.name,
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
                    f = f.related(y.loc, format!("`{}` in {}", y.text, vnet_name(g, remote)));
                }
                if !labelled.contains(&x.loc) {
                    labelled.push(x.loc);
                    f = f.related(x.loc, format!("`{}` in {}", x.text, vnet_name(g, p.local)));
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
