use crate::analysis::ApplianceRoute;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a route that sends traffic for another peered vnet to an appliance (NVA, Azure
    /// Firewall) in a peered vnet, while a link the forwarded traffic enters through has
    /// `allowForwardedTraffic` false: the destination's link to the appliance's vnet, or, for
    /// the replies, the source's own link to it. Default routes (`0.0.0.0/0`, egress through
    /// a hub firewall) are not checked: that pattern works with the flag off.
    ///
    /// ## Why is this bad?
    /// Traffic an appliance forwards keeps its original source address; a peering without
    /// `allowForwardedTraffic` drops it. The route deploys, and the traffic silently doesn't
    /// flow.
    ///
    /// ## Example
    /// ```yaml
    /// topology:
    ///   - hub_and_spoke: { hub: hub, spokes: [spoke1, spoke2], forwarded_traffic: false }
    /// vnets:
    ///   spoke1: { subnets: { app: { prefixes: [10.1.1.0/24], routes: { spoke2: hub/fw } } } }
    /// ```
    ///
    /// ## How to fix
    /// Set `allowForwardedTraffic: true` on the peerings of the vnets behind the appliance.
    pub ForwardedTrafficBlocked {
        name: "forwarded-traffic-blocked",
        group: Suspicious,
        summary: "a route to an appliance in a peered vnet whose forwarded traffic a link drops",
        needs: [AddressSpace, Subnets, Peerings, RemoteVnet],
    }
}

impl Rule for ForwardedTrafficBlocked {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let r = cx.reach();
        for &ApplianceRoute {
            vnet: a,
            route,
            ip,
            appliance_vnet: b,
        } in cx.appliance_routes()
        {
            let v = g.vnet(a);
            let Some(dest) = route.prefix.as_ref().and_then(|p| p.net()) else {
                continue;
            };
            if dest.prefix_len() == 0 {
                continue; // egress through a hub firewall
            }
            let Some((ab, _)) = (b != a).then(|| r.connected(a, b)).flatten() else {
                continue;
            };
            // The vnets the route reaches through the appliance: peered with it, in range.
            let mut links = vec![ab];
            for c in g.neighbours(b) {
                if c == a
                    || !g
                        .vnet(c)
                        .space_nets()
                        .any(|n| dest.contains(&n) || n.contains(&dest))
                {
                    continue;
                }
                if let Some((_, cb)) = r.connected(b, c) {
                    links.push(cb);
                }
            }
            if links.len() == 1 {
                continue; // nothing behind the appliance in range
            }
            for p in links {
                let peering = g.peering(p);
                if peering.allow_forwarded_traffic.value
                    || peering.allow_forwarded_traffic.unresolved
                {
                    continue;
                }
                let into = &g.vnet(peering.local).name;
                cx.report(
                    Finding::new(
                        &peering.id,
                        format!(
                            "route `{}` of `{}` sends {dest} to the appliance {ip} in `{}`, but peering `{}` doesn't allow forwarded traffic, so `{into}` drops what the appliance forwards",
                            route.name, v.name, g.vnet(b).name, peering.name
                        ),
                        peering.flag_loc(&peering.allow_forwarded_traffic),
                        "forwarded traffic not allowed",
                    )
                    .related(route.loc, "the route to the appliance")
                    .help(format!("set `allowForwardedTraffic: true` on `{}`", peering.name)),
                );
            }
        }
    }
}
