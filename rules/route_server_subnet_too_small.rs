use ipnet::IpNet;

use crate::model::GatewayKind;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet whose `RouteServerSubnet` is smaller than /27 while a Route Server is
    /// deployed into it. (The subnet's name alone doesn't make Azure check its size; the
    /// Route Server does.)
    ///
    /// ## Why is this bad?
    /// Azure Route Server needs a subnet named `RouteServerSubnet` of /27 or larger: the
    /// Route Server's deployment fails, and peerings that use it as the remote gateway with it.
    ///
    /// ## Example
    /// ```json
    /// { "name": "RouteServerSubnet", "properties": { "addressPrefix": "10.0.1.0/28" } }
    /// ```
    ///
    /// ## How to fix
    /// Give `RouteServerSubnet` a /27 or larger prefix.
    pub RouteServerSubnetTooSmall {
        name: "route-server-subnet-too-small",
        group: Correctness,
        summary: "a RouteServerSubnet smaller than /27 that a Route Server is deployed into",
        needs: [Subnets, SubnetPrefixes, Gateways],
    }
}

impl Rule for RouteServerSubnetTooSmall {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.defined_vnets() {
            let Some(rs) = v
                .gateways
                .iter()
                .find(|gw| gw.kind == GatewayKind::RouteServer)
            else {
                continue;
            };
            let Some(subnet) = v.subnet("RouteServerSubnet") else {
                continue;
            };
            for p in subnet.prefixes.iter().flat_map(|l| &l.prefixes) {
                let Some(IpNet::V4(net)) = p.net() else {
                    continue;
                };
                if net.prefix_len() <= 27 {
                    continue;
                }
                cx.report(
                    Finding::new(
                        &v.id,
                        format!(
                            "`RouteServerSubnet` of `{}` is a /{}, but Route Server `{}` needs a /27 or larger",
                            v.name,
                            net.prefix_len(),
                            rs.name()
                        ),
                        p.loc,
                        format!("/{}", net.prefix_len()),
                    )
                    .related(rs.loc, format!("Route Server `{}` is deployed into it here", rs.name()))
                    .help("give `RouteServerSubnet` a /27 or larger prefix"),
                );
            }
        }
    }
}
