use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags exported peering state that isn't `Connected`: `Disconnected` (an error: the
    /// remote vnet or peering was deleted or re-created), or `Initiated` although the reverse
    /// link is in the inputs (a warning: the export is stale, or the reverse link was created
    /// wrongly). When the reverse link is absent, `missing-reverse-peering` reports it instead.
    ///
    /// ## Why is this bad?
    /// Traffic flows only while both links are `Connected`. A `Disconnected` link never heals
    /// by itself, and creating its counterpart fails with `RemotePeeringIsDisconnected`.
    ///
    /// ## Example
    /// ```json
    /// { "name": "hub-to-spoke1", "peeringState": "Disconnected", "remoteVirtualNetwork": { "id": ".../vnet-spoke1" } }
    /// ```
    ///
    /// ## How to fix
    /// Delete the disconnected peering and create both sides again; for `Initiated`, check the
    /// reverse link points at this vnet, then export again.
    pub PeeringNotConnected {
        name: "peering-not-connected",
        group: Correctness,
        summary: "exported peering state is Disconnected, or Initiated with the reverse link present",
        needs: [Peerings, RemoteVnet],
    }
}

impl Rule for PeeringNotConnected {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some((state, loc)) = &p.state else {
                continue;
            };
            let remote = p.remote_vnet();
            if state.eq_ignore_ascii_case("Disconnected") {
                let mut f = Finding::new(
                    &p.id,
                    format!("peering {} is Disconnected", peering_name(g, pid)),
                    *loc,
                    "Disconnected",
                )
                .help("delete this peering and create both sides again")
                .note("creating the remote side now fails with RemotePeeringIsDisconnected");
                if let Some(r) = g.reverse(pid) {
                    f = f.related(g.peering(r).label_loc(), "reverse peering");
                }
                cx.report(f);
            } else if state.eq_ignore_ascii_case("Initiated")
                && let Some(r) = g.reverse(pid)
            {
                cx.report(
                    Finding::new(
                        &p.id,
                        format!(
                            "peering {} is Initiated although {} has a peering back",
                            peering_name(g, pid),
                            vnet_name(g, remote.expect("reverse implies a remote"))
                        ),
                        *loc,
                        "Initiated",
                    )
                    .related(g.peering(r).label_loc(), "reverse peering")
                    .help("export again; if it stays Initiated, re-create the reverse peering")
                    .lesser(),
                );
            }
        }
    }
}
