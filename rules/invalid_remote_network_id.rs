use crate::model::Remote;
use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering whose `remoteVirtualNetwork.id` is missing or is not a well-formed
    /// virtual network id: a wrong provider namespace (`Microsoft.Networks`), a wrong resource
    /// type, or missing segments.
    ///
    /// ## Why is this bad?
    /// Azure can't resolve the remote vnet, so the peering fails to deploy.
    ///
    /// ## Example
    /// ```json
    /// { "remoteVirtualNetwork": { "id": "/subscriptions/.../providers/Microsoft.Networks/virtualNetworks/vnet-hub" } }
    /// ```
    ///
    /// ## How to fix
    /// Write the full id:
    /// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}`.
    pub InvalidRemoteNetworkId {
        name: "invalid-remote-network-id",
        group: Correctness,
        summary: "a peering's remote vnet id is missing or malformed",
        needs: [RemoteVnet],
    }
}

impl Rule for InvalidRemoteNetworkId {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let finding = match &p.remote {
                Remote::Invalid { text, reason, loc } => Finding::new(
                    &p.id,
                    format!(
                        "peering {} has an invalid remote vnet id `{text}`: {reason}",
                        peering_name(g, pid)
                    ),
                    *loc,
                    "not a virtual network id",
                ),
                Remote::Missing => Finding::new(
                    &p.id,
                    format!(
                        "peering {} has no `remoteVirtualNetwork.id`",
                        peering_name(g, pid)
                    ),
                    p.label_loc(),
                    "no remote vnet",
                ),
                _ => continue,
            };
            cx.report(finding.help(
                "write the full id: /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}",
            ));
        }
    }
}
