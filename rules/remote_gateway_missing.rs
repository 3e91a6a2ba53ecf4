use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering that sets `useRemoteGateways` while the remote vnet has no gateway (no
    /// VPN or ExpressRoute gateway, no Route Server). `doNotVerifyRemoteGateways` doesn't waive
    /// this.
    ///
    /// ## Why is this bad?
    /// Azure refuses the peering with `RemoteVnetHasNoGateways`.
    ///
    /// ## Example
    /// ```json
    /// { "name": "spoke1-to-hub", "useRemoteGateways": true, "remoteVirtualNetwork": { "id": ".../vnet-hub-without-gateway" } }
    /// ```
    ///
    /// ## How to fix
    /// Deploy a gateway in the remote vnet (and make the peering depend on it), or set
    /// `useRemoteGateways` to false.
    pub RemoteGatewayMissing {
        name: "remote-gateway-missing",
        group: Correctness,
        summary: "useRemoteGateways is set but the remote vnet has no gateway",
        needs: [RemoteVnet, UseRemoteGateways, Gateways],
    }
}

impl Rule for RemoteGatewayMissing {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let unknown = crate::query::gateways_unknown(g);
        for (pid, p) in g.peerings() {
            if !p.use_remote_gateways.value {
                continue;
            }
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            let r = g.vnet(remote);
            if !r.defined
                || g.has_gateway(remote)
                || g.may_have_unplaced_gateway()
                || unknown.contains(&r.key.to_ascii_lowercase())
            {
                continue;
            }
            let mut f = Finding::new(
                &p.id,
                format!(
                    "peering {} sets `useRemoteGateways` but {} has no gateway",
                    peering_name(g, pid),
                    vnet_name(g, remote)
                ),
                p.flag_loc(&p.use_remote_gateways),
                "uses the remote vnet's gateway",
            )
            .related(
                r.label_loc(),
                format!(
                    "{} has no VPN or ExpressRoute gateway or Route Server",
                    vnet_name(g, remote)
                ),
            );
            for (loc, text) in crate::query::absent_gateways(r) {
                f = f.related(loc, text);
            }
            cx.report(
                f.help(format!(
                    "deploy a gateway in {}, or set `useRemoteGateways` to false",
                    vnet_name(g, remote)
                ))
                .note("Azure rejects this at deploy time with RemoteVnetHasNoGateways"),
            );
        }
    }
}
