use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering that sets `allowGatewayTransit` on a vnet that has no gateway or Route
    /// Server.
    ///
    /// ## Why is this bad?
    /// Azure accepts it, but there is no gateway to share: the peer that expects to use it
    /// gets nothing, or the flag sits on the wrong side of the link.
    ///
    /// ## Example
    /// ```json
    /// { "name": "spoke1-to-hub", "allowGatewayTransit": true } // on a spoke without a gateway
    /// ```
    ///
    /// ## How to fix
    /// Set `allowGatewayTransit` on the side that owns the gateway, or deploy the gateway.
    pub GatewayTransitWithoutGateway {
        name: "gateway-transit-without-gateway",
        group: Suspicious,
        summary: "allowGatewayTransit is set on a vnet without a gateway",
        needs: [AllowGatewayTransit, Gateways],
    }
}

impl Rule for GatewayTransitWithoutGateway {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let unknown = crate::query::gateways_unknown(g);
        for (pid, p) in g.peerings() {
            if !p.allow_gateway_transit.value
                || !g.vnet(p.local).defined
                || g.has_gateway(p.local)
                || g.may_have_unplaced_gateway()
                || unknown.contains(&g.vnet(p.local).key.to_ascii_lowercase())
            {
                continue;
            }
            let mut f = Finding::new(
                &p.id,
                format!("peering {} allows gateway transit but {} has no gateway", peering_name(g, pid), vnet_name(g, p.local)),
                p.flag_loc(&p.allow_gateway_transit),
                "no gateway to share",
            )
            .help("set `allowGatewayTransit` on the side that owns the gateway, or deploy the gateway");
            for (loc, text) in crate::query::absent_gateways(g.vnet(p.local)) {
                f = f.related(loc, text);
            }
            cx.report(f);
        }
    }
}
