use crate::model::Remote;
use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering that sets `useRemoteGateways` towards a classic
    /// (`Microsoft.ClassicNetwork`) vnet.
    ///
    /// ## Why is this bad?
    /// Between an Azure Resource Manager vnet and a classic one, gateway transit works only
    /// with the gateway in the Resource Manager vnet: a classic vnet's gateway can't be used
    /// remotely (and classic VPN gateways are retired).
    ///
    /// ## Example
    /// ```json
    /// { "useRemoteGateways": true,
    ///   "remoteVirtualNetwork": { "id": "/subscriptions/.../providers/Microsoft.ClassicNetwork/virtualNetworks/legacy" } }
    /// ```
    ///
    /// ## How to fix
    /// Set `useRemoteGateways` to false; put the gateway in a Resource Manager vnet (or migrate
    /// the classic vnet) and use it from there.
    pub RemoteGatewayOnClassicVnet {
        name: "remote-gateway-on-classic-vnet",
        group: Correctness,
        summary: "useRemoteGateways towards a classic vnet",
        needs: [RemoteVnet, UseRemoteGateways],
    }
}

impl Rule for RemoteGatewayOnClassicVnet {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Remote::Classic { text, loc } = &p.remote else {
                continue;
            };
            if !p.use_remote_gateways.value || p.use_remote_gateways.unresolved {
                continue;
            }
            let name = text.rsplit('/').next().unwrap_or(text);
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} sets `useRemoteGateways` towards classic vnet `{name}`, whose gateway can't be used through a peering",
                        peering_name(g, pid)
                    ),
                    p.flag_loc(&p.use_remote_gateways),
                    "uses the classic vnet's gateway",
                )
                .related(*loc, "classic vnet")
                .help("set `useRemoteGateways` to false, and use a gateway in a Resource Manager vnet instead")
                .note("gateway transit with a classic vnet works only with the gateway in the Resource Manager vnet"),
            );
        }
    }
}
