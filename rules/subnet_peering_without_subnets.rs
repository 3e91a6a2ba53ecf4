use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a subnet peering (`peerCompleteVnets: false`) whose `localSubnetNames` or
    /// `remoteSubnetNames` is empty or missing.
    ///
    /// ## Why is this bad?
    /// A subnet peering peers the listed subnets; with no subnets on a side there is nothing
    /// to peer and Azure rejects it.
    ///
    /// ## Example
    /// ```json
    /// { "peerCompleteVnets": false, "localSubnetNames": ["snet-app"] }
    /// ```
    ///
    /// ## How to fix
    /// List the subnets of both sides, or drop `peerCompleteVnets: false` to peer whole vnets.
    pub SubnetPeeringWithoutSubnets {
        name: "subnet-peering-without-subnets",
        group: Correctness,
        summary: "a subnet peering lists no subnets on one side",
        needs: [PeeredSubnetNames, PeerCompleteVnets],
    }
}

impl Rule for SubnetPeeringWithoutSubnets {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if !p.is_subnet_peering() {
                continue;
            }
            for (list, key) in p.subnet_lists() {
                let (loc, how) = match list {
                    None => (p.flag_loc(&p.peer_complete_vnets), "has no"),
                    Some(l) if l.names.is_empty() && !l.incomplete => (l.loc, "has an empty"),
                    Some(_) => continue,
                };
                cx.report(
                    Finding::new(
                        &p.id,
                        format!("subnet peering {} {how} `{key}`", peering_name(g, pid)),
                        loc,
                        format!("no `{key}`"),
                    )
                    .help("list the subnets of both sides, or remove `peerCompleteVnets: false` to peer the whole vnets"),
                );
            }
        }
    }
}
