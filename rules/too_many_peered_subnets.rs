use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a subnet peering that lists more than 200 subnets on one side.
    ///
    /// ## Why is this bad?
    /// Azure allows at most 200 subnets per side (400 per link); the peering fails to deploy.
    ///
    /// ## Example
    /// ```yaml
    /// # localSubnetNames with 201 entries
    /// ```
    ///
    /// ## How to fix
    /// Peer fewer subnets, or peer the whole vnets.
    pub TooManyPeeredSubnets {
        name: "too-many-peered-subnets",
        group: Correctness,
        summary: "a subnet peering lists more than 200 subnets on one side",
        needs: [PeeredSubnetNames, PeerCompleteVnets],
    }
}

const LIMIT: usize = 200;

impl Rule for TooManyPeeredSubnets {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if !p.is_subnet_peering() {
                continue;
            }
            for (list, key) in p.subnet_lists() {
                let Some(list) = list else { continue };
                let n = list.names.len();
                if n <= LIMIT {
                    continue;
                }
                cx.report(
                    Finding::new(
                        &p.id,
                        format!("`{key}` of peering {} lists {n} subnets, more than Azure's limit of {LIMIT}", peering_name(g, pid)),
                        list.loc,
                        format!("{n} subnets"),
                    )
                    .related(list.names[LIMIT].1, format!("subnet {} is over the limit", LIMIT + 1))
                    .help("peer fewer subnets, or peer the whole vnets"),
                );
            }
        }
    }
}
