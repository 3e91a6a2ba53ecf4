use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a peering whose remote vnet is not in any input. The checks that need the
    /// remote side (reverse link, overlap, gateways) were skipped for it.
    ///
    /// ## Why is this bad?
    /// It isn't, necessarily: the remote vnet may be managed elsewhere (another team, a Virtual
    /// WAN hub). But peerlint can't tell whether the link works, and says so rather than guess.
    ///
    /// ## Example
    /// ```json
    /// { "name": "spoke1-to-hub", "remoteVirtualNetwork": { "id": ".../vnet-hub-in-another-subscription" } }
    /// ```
    ///
    /// ## How to fix
    /// Add an export of the remote vnet to the run to have the link checked, or ignore this
    /// rule for vnets you don't own.
    pub DanglingRemoteNetwork {
        name: "dangling-remote-network",
        group: Advisory,
        summary: "a peering's remote vnet is not in the inputs, so checks needing it were skipped",
        needs: [RemoteVnet],
    }
}

impl Rule for DanglingRemoteNetwork {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            // A spec's `external: true` vnet is owned elsewhere by design.
            if g.vnet(remote).defined || g.vnet(remote).external {
                continue;
            }
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "remote vnet {} of peering {} is not in the inputs; checks that need it were skipped",
                        vnet_name(g, remote),
                        peering_name(g, pid)
                    ),
                    p.remote_loc(),
                    "not in the inputs",
                )
                .help("add an export of the remote vnet to the run to have this link checked"),
            );
        }
    }
}
