use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering A→B that sets `useRemoteGateways` while the reverse peering B→A doesn't
    /// set `allowGatewayTransit`.
    ///
    /// ## Why is this bad?
    /// The remote gateway is used only when both flags are set. Azure deploys the pair, and
    /// traffic to on-premises silently doesn't take the hub's gateway.
    ///
    /// ## Example
    /// ```json
    /// { "name": "spoke1-to-hub", "useRemoteGateways": true }   // on vnet-spoke1
    /// { "name": "hub-to-spoke1", "allowGatewayTransit": false } // on vnet-hub
    /// ```
    ///
    /// ## How to fix
    /// Set `allowGatewayTransit: true` on the hub's peering back to this vnet.
    pub RemoteGatewayWithoutTransit {
        name: "remote-gateway-without-transit",
        group: Correctness,
        summary: "useRemoteGateways is set but the reverse peering lacks allowGatewayTransit",
        needs: [Peerings, RemoteVnet, UseRemoteGateways, AllowGatewayTransit],
    }
}

impl Rule for RemoteGatewayWithoutTransit {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if !p.use_remote_gateways.value {
                continue;
            }
            // Without a reverse link, missing-reverse-peering says it.
            let Some(rid) = g.reverse(pid) else { continue };
            let r = g.peering(rid);
            if r.allow_gateway_transit.value || r.allow_gateway_transit.unresolved {
                continue;
            }
            let how = if r.allow_gateway_transit.loc.is_some() {
                "sets it to false"
            } else {
                "leaves it unset"
            };
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} sets `useRemoteGateways` but the reverse peering {} doesn't allow gateway transit",
                        peering_name(g, pid),
                        peering_name(g, rid)
                    ),
                    p.flag_loc(&p.use_remote_gateways),
                    "uses the remote gateway",
                )
                .related(r.flag_loc(&r.allow_gateway_transit), format!("`allowGatewayTransit` {how} here"))
                .help(format!("set `allowGatewayTransit: true` on {}", peering_name(g, rid)))
                .note(format!(
                    "the remote gateway is used only when both flags are set; traffic from {} won't reach it",
                    vnet_name(g, p.local)
                )),
            );
        }
    }
}
