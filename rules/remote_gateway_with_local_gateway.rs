use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering that sets `useRemoteGateways` on a vnet that has a gateway of its own.
    ///
    /// ## Why is this bad?
    /// A vnet either has its own gateway or uses a peer's; Azure refuses `useRemoteGateways`
    /// on a vnet with a gateway.
    ///
    /// ## Example
    /// ```json
    /// { "name": "vnet-branch", "subnets": [{ "name": "GatewaySubnet", "ipConfigurations": [{ "id": ".../virtualNetworkGateways/vgw-branch/..." }] }],
    ///   "virtualNetworkPeerings": [{ "name": "to-hub", "useRemoteGateways": true }] }
    /// ```
    ///
    /// ## How to fix
    /// Set `useRemoteGateways` to false, or remove the local gateway.
    pub RemoteGatewayWithLocalGateway {
        name: "remote-gateway-with-local-gateway",
        group: Correctness,
        summary: "useRemoteGateways is set on a vnet that has its own gateway",
        needs: [UseRemoteGateways],
    }
}

impl Rule for RemoteGatewayWithLocalGateway {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let local = g.vnet(p.local);
            if !p.use_remote_gateways.value || !g.has_gateway(p.local) {
                continue;
            }
            let gateway = local
                .gateways
                .first()
                .map(|gw| gw.loc)
                .unwrap_or(local.label_loc());
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} sets `useRemoteGateways` but {} has its own gateway",
                        peering_name(g, pid),
                        vnet_name(g, p.local)
                    ),
                    p.flag_loc(&p.use_remote_gateways),
                    "uses a remote gateway",
                )
                .related(gateway, "local gateway")
                .help("set `useRemoteGateways` to false, or remove the local gateway"),
            );
        }
    }
}
