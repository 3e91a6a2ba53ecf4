use crate::model::GatewayKind;
use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags gateway transit through a Basic-SKU VPN gateway: a peering A→B sets
    /// `useRemoteGateways`, B→A sets `allowGatewayTransit`, and B's VPN gateway has the
    /// `Basic` SKU (`sku.name` or `sku.tier`).
    ///
    /// ## Why is this bad?
    /// Gateway transit works with every VPN Gateway SKU except Basic: A's traffic to
    /// on-premises (and the routes from it) never go through B's gateway.
    ///
    /// ## Example
    /// ```json
    /// { "type": "Microsoft.Network/virtualNetworkGateways", "properties": { "gatewayType": "Vpn",
    ///   "sku": { "name": "Basic", "tier": "Basic" }, ... } }
    /// ```
    ///
    /// ## How to fix
    /// Resize the gateway to a SKU that supports transit (VpnGw1 or larger), or give the
    /// spoke its own gateway and drop `useRemoteGateways`.
    pub BasicGatewayTransit {
        name: "basic-gateway-transit",
        group: Correctness,
        summary: "gateway transit through a Basic-SKU VPN gateway",
        needs: [Peerings, RemoteVnet, UseRemoteGateways, AllowGatewayTransit, Gateways, GatewayKind, GatewaySku],
    }
}

impl Rule for BasicGatewayTransit {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if !p.use_remote_gateways.value || p.use_remote_gateways.unresolved {
                continue;
            }
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            let Some(rid) = g.reverse(pid) else { continue };
            let r = g.peering(rid);
            if !r.allow_gateway_transit.value || r.allow_gateway_transit.unresolved {
                continue;
            }
            let basic = g.vnet(remote).gateways.iter().find_map(|gw| {
                let (sku, at) = gw.sku.as_ref()?;
                (gw.kind == GatewayKind::Vpn && sku.eq_ignore_ascii_case("Basic"))
                    .then_some((gw, *at))
            });
            let Some((gw, at)) = basic else { continue };
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} uses the gateway of {}, but `{}` is a Basic-SKU VPN gateway, which doesn't support gateway transit",
                        peering_name(g, pid),
                        vnet_name(g, remote),
                        gw.name()
                    ),
                    p.flag_loc(&p.use_remote_gateways),
                    "uses the remote gateway",
                )
                .related(at, "the Basic SKU")
                .related(r.flag_loc(&r.allow_gateway_transit), "gateway transit allowed here")
                .help(format!(
                    "resize `{}` to a SKU that supports transit (VpnGw1 or larger), or give {} its own gateway",
                    gw.name(),
                    vnet_name(g, p.local)
                ))
                .note("gateway transit works with every VPN Gateway SKU except Basic"),
            );
        }
    }
}
