use crate::query::vnet_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet with more than 500 peerings (an error), or with 450 or more (a warning:
    /// within 10% of the limit).
    ///
    /// ## Why is this bad?
    /// Azure allows 500 peerings per vnet; the 501st fails to deploy. A hub close to the limit
    /// leaves no room for the next spokes.
    ///
    /// ## Example
    /// ```yaml
    /// # vnet-hub with 501 entries in virtualNetworkPeerings
    /// ```
    ///
    /// ## How to fix
    /// Split the spokes across more hubs, or move to Azure Virtual WAN or Virtual Network
    /// Manager connectivity.
    pub PeeringLimitExceeded {
        name: "peering-limit-exceeded",
        group: Correctness,
        summary: "a vnet has more than 500 peerings (450 or more: warning)",
        needs: [Peerings],
    }
}

const LIMIT: usize = 500;
const WARN_AT: usize = 450;

impl Rule for PeeringLimitExceeded {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (vid, v) in g.vnets() {
            let n = v.peerings.len();
            if n < WARN_AT {
                continue;
            }
            let loc = v.label_loc();
            let f = if n > LIMIT {
                let over = g.peering(v.peerings[LIMIT]);
                Finding::new(
                    &v.id,
                    format!(
                        "{} has {n} peerings, more than Azure's limit of {LIMIT}",
                        vnet_name(g, vid)
                    ),
                    loc,
                    format!("{n} peerings"),
                )
                .related(
                    over.label_loc(),
                    format!("peering {} is over the limit", LIMIT + 1),
                )
            } else {
                Finding::new(
                    &v.id,
                    format!(
                        "{} has {n} peerings, close to Azure's limit of {LIMIT}",
                        vnet_name(g, vid)
                    ),
                    loc,
                    format!("{n} peerings"),
                )
                .lesser()
            };
            cx.report(f.help("split the spokes across more hubs, or use Virtual WAN or Virtual Network Manager connectivity"));
        }
    }
}
