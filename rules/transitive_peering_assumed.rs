use crate::analysis::ApplianceRoute;
use crate::model::IntentKind;
use crate::query::{endpoint_text, explain, intent_links_unknown, intent_why, labels};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a design that relies on traffic crossing two peerings without a forwarder: an
    /// `allow` intent between two vnets that are both peered with a third (the classic
    /// spoke-to-spoke assumption) but have no path, and a route whose `VirtualAppliance` next
    /// hop lies in a vnet that is neither the local one nor directly peered with it. A next hop
    /// is looked for only among the vnets of the route's own design (its deployment scope, or
    /// linked to it by peerings): an appliance address held only by an unrelated design checked
    /// in the same run is outside the inputs, and an answer that depends on a value known only
    /// at deployment is unknown; neither is reported.
    ///
    /// ## Why is this bad?
    /// Peering is not transitive: A–B and B–C give A no path to C. The traffic is dropped,
    /// silently, after a deployment that succeeds.
    ///
    /// ## Example
    /// ```yaml
    /// topology:
    ///   - hub_and_spoke: { hub: hub, spokes: [spoke1, spoke2] }
    /// intents:
    ///   - allow: { from: spoke1, to: spoke2 }
    /// ```
    ///
    /// ## How to fix
    /// Peer the two vnets directly; or put an appliance (NVA, Azure Firewall) in the vnet in the
    /// middle, with a route in each side to it and `allowForwardedTraffic` on the links; or use
    /// the middle vnet's gateway with gateway transit and routes to it.
    pub TransitivePeeringAssumed {
        name: "transitive-peering-assumed",
        group: Correctness,
        summary: "traffic expected to cross two peerings with nothing forwarding it",
        needs: [AddressSpace, Subnets, SubnetPrefixes, Peerings, RemoteVnet, PeeredSubnetNames, UseRemoteGateways, PeerCompleteVnets, OnlyIpv6, Gateways, GatewayKind],
    }
}

impl Rule for TransitivePeeringAssumed {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for c in cx.intent_checks() {
            if c.intent.kind != IntentKind::Allow
                || c.answer.path.is_some()
                || c.answer.shared.is_empty()
                || c.answer.is_unknown()
                || intent_links_unknown(g, c)
            {
                continue;
            }
            let hubs: Vec<String> = c
                .answer
                .shared
                .iter()
                .map(|&h| format!("`{}`", g.vnet(h).name))
                .collect();
            let hub = hubs.join(", ");
            let why = intent_why(c.intent);
            let mut f = Finding::new(
                &g.vnet(c.source.vnet).id,
                format!(
                    "{} must reach {}{why}, but they are only peered through {hub}, and peering is not transitive: {}",
                    endpoint_text(c.from.0),
                    endpoint_text(c.to.0),
                    explain(g, &c.answer)
                ),
                c.intent.loc,
                "assumes a transitive path",
            )
            .related(c.to.1, format!("{} is the destination", c.dest))
            .help(format!(
                "peer the two vnets directly; or route {} to an appliance in {hub} (a route in both vnets, `allowForwardedTraffic` on the links); or use the gateway in {hub} with gateway transit and routes to it",
                c.dest
            ));
            for (loc, text) in labels(g, &c.answer) {
                f = f.related(loc, text);
            }
            cx.report(f);
        }
        // Routes whose next hop is beyond a directly peered vnet.
        let r = cx.reach();
        for &ApplianceRoute {
            vnet: vid,
            route,
            appliance_vnet: b,
            ..
        } in cx.appliance_routes()
        {
            // Links peerlint couldn't compute may be the one between them.
            if b == vid
                || r.connected(vid, b).is_some()
                || g.links_unknown(vid)
                || g.links_unknown(b)
            {
                continue;
            }
            let v = g.vnet(vid);
            let Some((ip_text, ip_loc)) = &route.next_hop_ip else {
                continue;
            };
            let hubs: Vec<String> = g
                .neighbours(vid)
                .into_iter()
                .filter(|&h| r.connected(vid, h).is_some() && r.connected(h, b).is_some())
                .map(|h| format!("`{}`", g.vnet(h).name))
                .collect();
            let through = if hubs.is_empty() {
                String::new()
            } else {
                format!(
                    " (it is peered with {}, which is peered with it)",
                    hubs.join(", ")
                )
            };
            cx.report(
                Finding::new(
                    &v.id,
                    format!(
                        "route `{}` of `{}` sends traffic to {ip_text} in `{}`, which is not peered with `{}`{through}; peering is not transitive",
                        route.name,
                        v.name,
                        g.vnet(b).name,
                        v.name
                    ),
                    *ip_loc,
                    "next hop two peerings away",
                )
                .help(format!("peer `{}` with `{}`, or use a next hop in a directly peered vnet", v.name, g.vnet(b).name)),
            );
        }
    }
}
