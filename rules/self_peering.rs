use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering whose remote vnet is its own vnet.
    ///
    /// ## Why is this bad?
    /// A vnet can't peer with itself; Azure rejects the peering (its address space overlaps
    /// itself). It is usually a copy-paste slip in the remote id.
    ///
    /// ## Example
    /// ```json
    /// { "name": "vnet-hub", "virtualNetworkPeerings": [{ "name": "hub-to-hub", "remoteVirtualNetwork": { "id": ".../vnet-hub" } }] }
    /// ```
    ///
    /// ## How to fix
    /// Point `remoteVirtualNetwork.id` at the vnet you meant to peer with.
    pub SelfPeering {
        name: "self-peering",
        group: Correctness,
        summary: "a peering's remote vnet is its own vnet",
        needs: [RemoteVnet],
    }
}

impl Rule for SelfPeering {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if p.remote_vnet() == Some(p.local) {
                cx.report(
                    Finding::new(
                        &p.id,
                        format!("peering {} points at its own vnet", peering_name(g, pid)),
                        p.remote_loc(),
                        "this is the peering's own vnet",
                    )
                    .help("point `remoteVirtualNetwork.id` at the vnet you meant to peer with"),
                );
            }
        }
    }
}
