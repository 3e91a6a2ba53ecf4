use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering that sets both `allowGatewayTransit` and `useRemoteGateways`.
    ///
    /// ## Why is this bad?
    /// The two are opposite roles: share this vnet's gateway, or use the remote one. A vnet
    /// using a remote gateway has none of its own to share, so one of the flags is a mistake.
    ///
    /// ## Example
    /// ```json
    /// { "name": "spoke1-to-hub", "allowGatewayTransit": true, "useRemoteGateways": true }
    /// ```
    ///
    /// ## How to fix
    /// Keep `useRemoteGateways` on the spoke side and `allowGatewayTransit` on the hub side.
    pub ConflictingGatewayFlags {
        name: "conflicting-gateway-flags",
        group: Suspicious,
        summary: "allowGatewayTransit and useRemoteGateways are both set on one peering",
        needs: [UseRemoteGateways, AllowGatewayTransit],
    }
}

impl Rule for ConflictingGatewayFlags {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if !(p.allow_gateway_transit.value && p.use_remote_gateways.value) {
                continue;
            }
            cx.report(
                Finding::new(
                    &p.id,
                    format!("peering {} sets both `allowGatewayTransit` and `useRemoteGateways`", peering_name(g, pid)),
                    p.flag_loc(&p.allow_gateway_transit),
                    "shares this vnet's gateway",
                )
                .related(p.flag_loc(&p.use_remote_gateways), "and uses the remote one")
                .help("keep `useRemoteGateways` on the spoke side and `allowGatewayTransit` on the hub side"),
            );
        }
    }
}
