use crate::query::vnet_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet where more than one peering sets `useRemoteGateways`.
    ///
    /// ## Why is this bad?
    /// A vnet can use one remote gateway; Azure refuses a second peering that asks for one.
    ///
    /// ## Example
    /// ```json
    /// "virtualNetworkPeerings": [
    ///   { "name": "to-hub-a", "useRemoteGateways": true, "remoteVirtualNetwork": { "id": ".../vnet-hub-a" } },
    ///   { "name": "to-hub-b", "useRemoteGateways": true, "remoteVirtualNetwork": { "id": ".../vnet-hub-b" } } ]
    /// ```
    ///
    /// ## How to fix
    /// Keep `useRemoteGateways` on the one peering towards the hub whose gateway this vnet uses.
    pub MultipleRemoteGatewayPeerings {
        name: "multiple-remote-gateway-peerings",
        group: Correctness,
        summary: "more than one peering of a vnet sets useRemoteGateways",
        needs: [Peerings, UseRemoteGateways],
    }
}

impl Rule for MultipleRemoteGatewayPeerings {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (vid, v) in g.vnets() {
            let mut using = v
                .peerings
                .iter()
                .map(|&p| g.peering(p))
                .filter(|p| p.use_remote_gateways.value);
            let Some(first) = using.next() else { continue };
            for p in using {
                cx.report(
                    Finding::new(
                        &p.id,
                        format!("{} sets `useRemoteGateways` on peerings `{}` and `{}`", vnet_name(g, vid), first.name, p.name),
                        p.flag_loc(&p.use_remote_gateways),
                        "second peering using a remote gateway",
                    )
                    .related(first.flag_loc(&first.use_remote_gateways), format!("`{}` already uses a remote gateway", first.name))
                    .help("keep `useRemoteGateways` on the one peering towards the hub whose gateway this vnet uses"),
                );
            }
        }
    }
}
