use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a name in a subnet peering's `localSubnetNames` or `remoteSubnetNames` that isn't
    /// a subnet of that vnet (the remote list is checked when the remote vnet is in the inputs).
    ///
    /// ## Why is this bad?
    /// Azure can't peer a subnet that doesn't exist; the peering fails to deploy. Usually the
    /// name has a typo or the subnet was renamed.
    ///
    /// ## Example
    /// ```json
    /// { "peerCompleteVnets": false, "localSubnetNames": ["snet-ap"], "remoteSubnetNames": ["snet-shared"] }
    /// ```
    ///
    /// ## How to fix
    /// Use the exact name of an existing subnet.
    pub UnknownPeeredSubnet {
        name: "unknown-peered-subnet",
        group: Correctness,
        summary: "a subnet peering names a subnet that doesn't exist",
        needs: [Subnets, SubnetNames, RemoteVnet, PeeredSubnetNames, PeerCompleteVnets],
    }
}

/// How many subnet names one run compares for "did you mean" suggestions: each unknown name is
/// compared with every subnet of its vnet, so thousands of typos in a list naming a vnet of
/// thousands of subnets would be millions of comparisons. Past it, the help is the generic one.
const SUGGESTIONS: usize = 1_000_000;

impl Rule for UnknownPeeredSubnet {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let mut budget = SUGGESTIONS;
        for (pid, p) in g.peerings() {
            if !p.is_subnet_peering() {
                continue;
            }
            let sides = [
                (Some(p.local), &p.local_subnets, "localSubnetNames"),
                (p.remote_vnet(), &p.remote_subnets, "remoteSubnetNames"),
            ];
            for (vnet, list, key) in sides {
                let (Some(v), Some(list)) = (vnet, list) else {
                    continue;
                };
                let vnet = g.vnet(v);
                // A subnet peerlint couldn't compute (or name) may be the one listed.
                if !vnet.defined || g.subnets_unknown(v).is_some() {
                    continue;
                }
                for (name, loc) in &list.names {
                    if g.subnet(v, name).is_some() {
                        continue;
                    }
                    let mut f = Finding::new(
                        &p.id,
                        format!(
                            "`{key}` of peering {} names `{name}`, which is not a subnet of {}",
                            peering_name(g, pid),
                            vnet_name(g, v)
                        ),
                        *loc,
                        "no such subnet",
                    );
                    let compared = vnet.subnets.len();
                    let close = (compared <= budget)
                        .then(|| {
                            budget -= compared;
                            crate::suggest::closest(
                                name,
                                vnet.subnets.iter().map(|s| s.name.as_str()),
                            )
                        })
                        .flatten();
                    if let Some(close) = close {
                        f = f.help(format!("did you mean `{close}`?"));
                    } else {
                        f = f.help(format!(
                            "use the name of an existing subnet of {}",
                            vnet_name(g, v)
                        ));
                    }
                    cx.report(f.related(
                        vnet.label_loc(),
                        format!("{} defined here", vnet_name(g, v)),
                    ));
                }
            }
        }
    }
}
