use std::collections::HashMap;

use crate::query::vnet_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two peerings of one vnet that point at the same remote vnet, or that share a name.
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
            let mut by_remote = HashMap::new();
            let mut by_name: HashMap<String, _> = HashMap::new();
            for &pid in &v.peerings {
                let p = g.peering(pid);
                // A peering deployed only under an unknown condition may exclude the other.
                if g.condition(&p.id).is_some() {
                    continue;
                }
                if let Some(r) = p.remote_vnet()
                    && let Some(&first) = by_remote.get(&r)
                {
                    let first: &crate::model::Peering = g.peering(first);
                    cx.report(
                        Finding::new(
                            &p.id,
                            format!(
                                "peerings `{}` and `{}` of {} both point at {}",
                                first.name,
                                p.name,
                                vnet_name(g, p.local),
                                vnet_name(g, r)
                            ),
                            p.remote_loc(),
                            "second peering to the same vnet",
                        )
                        .related(first.remote_loc(), format!("`{}` already points there", first.name))
                        .help("keep one peering per remote vnet")
                        .note("Azure rejects this at deploy time with AnotherPeeringAlreadyReferencesRemoteVnet"),
                    );
                } else if let Some(r) = p.remote_vnet() {
                    by_remote.insert(r, pid);
                }
                if p.name.is_empty() {
                    continue;
                }
                let key = p.name.to_ascii_lowercase();
                if let Some(&first) = by_name.get(&key) {
                    let first: &crate::model::Peering = g.peering(first);
                    cx.report(
                        Finding::new(
                            &p.id,
                            format!(
                                "two peerings of {} are named `{}`",
                                vnet_name(g, p.local),
                                p.name
                            ),
                            p.label_loc(),
                            "name used twice",
                        )
                        .related(first.label_loc(), "first peering with this name")
                        .help("give every peering of a vnet its own name"),
                    );
                } else {
                    by_name.insert(key, pid);
                }
            }
        }
    }
}
