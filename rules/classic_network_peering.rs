use crate::model::Remote;
use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering whose remote vnet is a classic (`Microsoft.ClassicNetwork`) vnet.
    ///
    /// ## Why is this bad?
    /// Classic vnets are legacy: only the ARM side of such a link exists, gateway transit only
    /// works with the gateway in the ARM vnet, and classic VPN gateways are retired.
    ///
    /// ## Example
    /// ```json
    /// { "remoteVirtualNetwork": { "id": "/subscriptions/.../providers/Microsoft.ClassicNetwork/virtualNetworks/legacy" } }
    /// ```
    ///
    /// ## How to fix
    /// Migrate the classic vnet to Azure Resource Manager, then peer the two ARM vnets.
    pub ClassicNetworkPeering {
        name: "classic-network-peering",
        group: Suspicious,
        summary: "a peering's remote vnet is a classic vnet",
        needs: [RemoteVnet],
    }
}

impl Rule for ClassicNetworkPeering {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Remote::Classic { text, loc } = &p.remote else {
                continue;
            };
            let name = text.rsplit('/').next().unwrap_or(text);
            cx.report(
                Finding::new(&p.id, format!("peering {} points at classic vnet `{name}`", peering_name(g, pid)), *loc, "classic vnet")
                    .help("migrate the classic vnet to Azure Resource Manager, then peer the two ARM vnets"),
            );
        }
    }
}
