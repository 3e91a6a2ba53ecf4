use std::collections::BTreeSet;

use crate::model::NameList;
use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a pair of peerings whose two directions don't mirror: A's `localSubnetNames`
    /// differ from B's `remoteSubnetNames` (or the other way round), or one direction peers
    /// whole vnets while the other peers subnets.
    ///
    /// ## Why is this bad?
    /// Each side programs routes for what its own link lists. When the lists differ, some
    /// subnets get routes one way only and their traffic has no way back.
    ///
    /// ## Example
    /// ```json
    /// { "name": "a-to-b", "peerCompleteVnets": false, "localSubnetNames": ["snet-app", "snet-data"], "remoteSubnetNames": ["snet-shared"] }
    /// { "name": "b-to-a", "peerCompleteVnets": false, "localSubnetNames": ["snet-shared"], "remoteSubnetNames": ["snet-app"] }
    /// ```
    ///
    /// ## How to fix
    /// Make each side's local list equal the other side's remote list, then sync both peerings.
    pub AsymmetricSubnetPeering {
        name: "asymmetric-subnet-peering",
        group: Suspicious,
        summary: "the two directions of a subnet peering don't mirror each other",
        needs: [Peerings, RemoteVnet, PeeredSubnetNames, PeerCompleteVnets],
    }
}

fn set(list: &Option<Box<NameList>>) -> BTreeSet<String> {
    list.iter()
        .flat_map(|l| l.names.iter().map(|(n, _)| n.to_ascii_lowercase()))
        .collect()
}

impl Rule for AsymmetricSubnetPeering {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some(rid) = g.reverse(pid) else { continue };
            let r = g.peering(rid);
            // Each pair once: from the peering that comes first in the inputs.
            if (r.loc, rid) < (p.loc, pid) && g.reverse(rid) == Some(pid) {
                continue;
            }
            if !p.is_subnet_peering() && !r.is_subnet_peering() {
                continue;
            }
            // Either side's kind or lists known only at deployment: nothing to compare.
            let unknown = |q: &crate::model::Peering| {
                q.peer_complete_vnets.unresolved
                    || [&q.local_subnets, &q.remote_subnets]
                        .iter()
                        .any(|l| l.as_ref().is_some_and(|l| l.incomplete))
            };
            if unknown(p) || unknown(r) {
                continue;
            }
            if p.is_subnet_peering() != r.is_subnet_peering() {
                let (sub, full) = if p.is_subnet_peering() {
                    (p, r)
                } else {
                    (r, p)
                };
                cx.report(
                    Finding::new(
                        &p.id,
                        format!(
                            "{} peers subnets but {} peers whole vnets",
                            peering_name(g, if sub.id == p.id { pid } else { rid }),
                            peering_name(g, if full.id == p.id { pid } else { rid })
                        ),
                        sub.flag_loc(&sub.peer_complete_vnets),
                        "subnet peering",
                    )
                    .related(full.flag_loc(&full.peer_complete_vnets), "full peering")
                    .help("use the same kind of peering in both directions"),
                );
                continue;
            }
            let pairs = [
                (
                    &p.local_subnets,
                    &r.remote_subnets,
                    "localSubnetNames",
                    "remoteSubnetNames",
                ),
                (
                    &p.remote_subnets,
                    &r.local_subnets,
                    "remoteSubnetNames",
                    "localSubnetNames",
                ),
            ];
            for (mine, theirs, mine_key, their_key) in pairs {
                let (a, b) = (set(mine), set(theirs));
                if a == b {
                    continue;
                }
                let fmt = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
                let mut f = Finding::new(
                    &p.id,
                    format!(
                        "`{mine_key}` of {} [{}] doesn't mirror `{their_key}` of {} [{}]",
                        peering_name(g, pid),
                        fmt(&a),
                        peering_name(g, rid),
                        fmt(&b)
                    ),
                    mine.as_ref().map(|l| l.loc).unwrap_or(p.label_loc()),
                    "this side",
                );
                f = f.related(
                    theirs.as_ref().map(|l| l.loc).unwrap_or(r.label_loc()),
                    "the other side",
                );
                cx.report(f.help("make each side's local list equal the other side's remote list, then sync both peerings"));
            }
        }
    }
}
