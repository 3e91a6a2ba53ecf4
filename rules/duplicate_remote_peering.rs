use std::collections::HashMap;

use crate::model::PeeringId;
use crate::prefix::LISTED;
use crate::query::{listing, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two peerings of one vnet that point at the same remote vnet, or that share a name:
    /// the second of them, naming the first. Several peerings to one vnet (or with one name)
    /// are one finding on the second, naming the others (the first ten, then how many more).
    ///
    /// ## Why is this bad?
    /// Azure allows one link between two vnets: the second fails with
    /// `AnotherPeeringAlreadyReferencesRemoteVnet`. Two peerings with one name are one resource
    /// written twice; the second silently overwrites the first.
    ///
    /// ## Example
    /// ```json
    /// "virtualNetworkPeerings": [
    ///   { "name": "to-hub", "remoteVirtualNetwork": { "id": ".../vnet-hub" } },
    ///   { "name": "to-hub-2", "remoteVirtualNetwork": { "id": ".../vnet-hub" } } ]
    /// ```
    ///
    /// ## How to fix
    /// Keep one peering per remote vnet and give every peering its own name.
    pub DuplicateRemotePeering {
        name: "duplicate-remote-peering",
        group: Correctness,
        summary: "two peerings of one vnet point at the same remote vnet or share a name",
        needs: [Peerings, RemoteVnet, PeeringName],
    }
}

impl Rule for DuplicateRemotePeering {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.vnets().filter(|(_, v)| v.peerings.len() > 1) {
            // Peerings by remote vnet and by name, in input order, each group in the order its
            // first peering comes.
            let mut by_remote: HashMap<_, usize> = HashMap::new();
            let mut by_name: HashMap<String, usize> = HashMap::new();
            let mut remotes: Vec<Vec<PeeringId>> = Vec::new();
            let mut names: Vec<Vec<PeeringId>> = Vec::new();
            for &pid in &v.peerings {
                let p = g.peering(pid);
                // A peering deployed only under an unknown condition may exclude the other.
                if g.condition(&p.id).is_some() {
                    continue;
                }
                if let Some(r) = p.remote_vnet() {
                    let i = *by_remote.entry(r).or_insert_with(|| {
                        remotes.push(Vec::new());
                        remotes.len() - 1
                    });
                    remotes[i].push(pid);
                }
                if !p.name.is_empty() {
                    let i = *by_name
                        .entry(p.name.to_ascii_lowercase())
                        .or_insert_with(|| {
                            names.push(Vec::new());
                            names.len() - 1
                        });
                    names[i].push(pid);
                }
            }
            let named = |group: &[PeeringId]| -> Vec<String> {
                group
                    .iter()
                    .take(LISTED)
                    .map(|&q| format!("`{}`", g.peering(q).name))
                    .collect()
            };
            for group in remotes.iter().filter(|r| r.len() > 1) {
                let (first, p) = (g.peering(group[0]), g.peering(group[1]));
                let r = p.remote_vnet().expect("grouped by remote");
                let message = match group.len() {
                    2 => format!(
                        "peerings `{}` and `{}` of {} both point at {}",
                        first.name,
                        p.name,
                        vnet_name(g, p.local),
                        vnet_name(g, r)
                    ),
                    n => format!(
                        "{n} peerings of {} point at {}: {}",
                        vnet_name(g, p.local),
                        vnet_name(g, r),
                        listing(&named(group), n)
                    ),
                };
                let mut f = Finding::new(
                    &p.id,
                    message,
                    p.remote_loc(),
                    "second peering to the same vnet",
                )
                .related(
                    first.remote_loc(),
                    format!("`{}` already points there", first.name),
                );
                for &q in group.iter().skip(2).take(LISTED - 1) {
                    let q = g.peering(q);
                    f = f.related(q.remote_loc(), format!("`{}` points there too", q.name));
                }
                cx.report(
                    f.help("keep one peering per remote vnet")
                        .note("Azure rejects this at deploy time with AnotherPeeringAlreadyReferencesRemoteVnet"),
                );
            }
            for group in names.iter().filter(|n| n.len() > 1) {
                let (first, p) = (g.peering(group[0]), g.peering(group[1]));
                let message = match group.len() {
                    2 => format!(
                        "two peerings of {} are named `{}`",
                        vnet_name(g, p.local),
                        p.name
                    ),
                    n => format!(
                        "{n} peerings of {} are named `{}`",
                        vnet_name(g, p.local),
                        p.name
                    ),
                };
                let mut f = Finding::new(&p.id, message, p.label_loc(), "name used twice")
                    .related(first.label_loc(), "first peering with this name");
                for &q in group.iter().skip(2).take(LISTED - 1) {
                    f = f.related(g.peering(q).label_loc(), "this name again");
                }
                cx.report(f.help("give every peering of a vnet its own name"));
            }
        }
    }
}
