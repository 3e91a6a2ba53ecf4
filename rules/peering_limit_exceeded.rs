use crate::query::vnet_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet with more than 500 peerings (an error), or with 450 or more (a warning:
    /// within 10% of the limit). A design spec's `mesh` of more than 501 vnets gives each of
    /// them more than 500: it is reported once, at the `mesh`, without generating its
    /// peerings; the vnets of a `mesh` left unexpanded for size count its peerings too.
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
        let help = "split the spokes across more hubs, or use Virtual WAN or Virtual Network Manager connectivity";
        // Meshes a spec left unexpanded: the peerings each of their vnets would have from
        // them. A mesh over the limit is one finding; its vnets are not reported again.
        let mut meshes: Vec<Vec<usize>> = vec![Vec::new(); g.vnets().count()];
        let mut covered = vec![false; g.vnets().count()];
        for (i, m) in g.unexpanded_meshes().iter().enumerate() {
            let each = m.vnets.len().saturating_sub(1);
            if each > LIMIT {
                for &v in &m.vnets {
                    covered[v.0 as usize] = true;
                }
                cx.report(
                    Finding::new(
                        "",
                        format!(
                            "this `mesh` gives each of its {} vnets {each} peerings, more than Azure's limit of {LIMIT}",
                            m.vnets.len()
                        ),
                        m.loc,
                        format!("{each} peerings each"),
                    )
                    .help("split the mesh: connect its vnets through hubs, or use Virtual WAN or Virtual Network Manager connectivity"),
                );
            } else {
                for &v in &m.vnets {
                    meshes[v.0 as usize].push(i);
                }
            }
        }
        for (vid, v) in g.vnets() {
            if covered[vid.0 as usize] {
                continue;
            }
            let mine = &meshes[vid.0 as usize];
            let all = g.unexpanded_meshes();
            let from_mesh: usize = mine.iter().map(|&i| all[i].vnets.len() - 1).sum();
            let n = v.peerings.len() + from_mesh;
            if n < WARN_AT {
                continue;
            }
            let loc = v.label_loc();
            let mut f = if n > LIMIT {
                let f = Finding::new(
                    &v.id,
                    format!(
                        "{} has {n} peerings, more than Azure's limit of {LIMIT}",
                        vnet_name(g, vid)
                    ),
                    loc,
                    format!("{n} peerings"),
                );
                match v.peerings.get(LIMIT) {
                    Some(&over) => f.related(
                        g.peering(over).label_loc(),
                        format!("peering {} is over the limit", LIMIT + 1),
                    ),
                    None => f,
                }
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
            for &i in mine {
                f = f.related(
                    all[i].loc,
                    format!("this `mesh` gives it {} peerings", all[i].vnets.len() - 1),
                );
            }
            cx.report(f.help(help));
        }
    }
}
