use crate::model::Remote;
use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering A→B when B is in the inputs and has no peering back to A.
    ///
    /// ## Why is this bad?
    /// A peering carries traffic only when both vnets have a link to each other. With one side
    /// only, Azure accepts the deployment, the link stays `Initiated`, and no packet flows.
    ///
    /// ## Example
    /// ```json
    /// [ { "name": "vnet-hub", "virtualNetworkPeerings": [{ "name": "hub-to-spoke1", "remoteVirtualNetwork": { "id": ".../vnet-spoke1" } }] },
    ///   { "name": "vnet-spoke1", "virtualNetworkPeerings": [] } ]
    /// ```
    ///
    /// ## How to fix
    /// Add the reverse peering on the remote vnet, pointing back at this one.
    pub MissingReversePeering {
        name: "missing-reverse-peering",
        group: Correctness,
        summary: "a peering has no counterpart on the remote vnet",
        needs: [Peerings, RemoteVnet],
    }
}

impl Rule for MissingReversePeering {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            if remote == p.local || !g.vnet(remote).defined || g.reverse(pid).is_some() {
                continue;
            }
            let r = g.vnet(remote);
            // A peering of the remote vnet whose own remote is unknown until deployment may be
            // the way back: unresolved-value reports it, this rule doesn't guess.
            if r.peerings
                .iter()
                .any(|&q| matches!(g.peering(q).remote, Remote::Unresolved { .. }))
            {
                continue;
            }
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} has no counterpart on {}",
                        peering_name(g, pid),
                        vnet_name(g, remote)
                    ),
                    p.remote_loc(),
                    format!("{} has no peering back", vnet_name(g, remote)),
                )
                .related(
                    r.label_loc(),
                    format!(
                        "{} defined here, without a peering to {}",
                        vnet_name(g, remote),
                        vnet_name(g, p.local)
                    ),
                )
                .help(format!(
                    "add a peering on {} whose remote is {}",
                    vnet_name(g, remote),
                    vnet_name(g, p.local)
                ))
                .note("without both links the peering stays Initiated and carries no traffic"),
            );
        }
    }
}
