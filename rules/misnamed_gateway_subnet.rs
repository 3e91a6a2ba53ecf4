use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a VPN or ExpressRoute gateway whose ip configuration is in a subnet not named
    /// `GatewaySubnet`. Azure compares the name without regard to case (`gatewaySubnet` is
    /// accepted), so only another name is flagged.
    ///
    /// ## Why is this bad?
    /// A virtual network gateway can only be deployed into the vnet's `GatewaySubnet`: Azure
    /// rejects the gateway, and with it everything that waits for it (connections, peerings
    /// that use it).
    ///
    /// ## Example
    /// ```json
    /// { "type": "Microsoft.Network/virtualNetworkGateways", "properties": { "ipConfigurations": [
    ///   { "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'snet-gateway')]" } } } ] } }
    /// ```
    ///
    /// ## How to fix
    /// Name the gateway's subnet `GatewaySubnet` (a /27 or larger is recommended) and point the
    /// ip configuration at it.
    pub MisnamedGatewaySubnet {
        name: "misnamed-gateway-subnet",
        group: Correctness,
        summary: "a virtual network gateway is placed in a subnet not named GatewaySubnet",
        needs: [Gateways, GatewaySubnet],
    }
}

impl Rule for MisnamedGatewaySubnet {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.vnets() {
            for gw in &v.gateways {
                let Some((subnet, at)) = &gw.subnet else {
                    continue;
                };
                if !gw.kind.is_virtual_network_gateway()
                    || subnet.eq_ignore_ascii_case("GatewaySubnet")
                {
                    continue;
                }
                cx.report(
                    Finding::new(
                        format!("{}/subnets/{subnet}", v.id),
                        format!(
                            "gateway `{}` is placed in subnet `{subnet}` of `{}`, but a virtual network gateway needs the subnet named `GatewaySubnet`",
                            gw.name(),
                            v.name
                        ),
                        *at,
                        "not the GatewaySubnet",
                    )
                    .help(format!(
                        "name the gateway's subnet `GatewaySubnet` and point the ip configuration of `{}` at it",
                        gw.name()
                    )),
                );
            }
        }
    }
}
