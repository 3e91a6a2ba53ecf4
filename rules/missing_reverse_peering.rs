use crate::graph::{Graph, may_be_same};
use crate::model::{PeeringId, Remote};
use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering A→B when B is in the inputs and has no peering back to A. When some of
    /// B's peerings can't be known offline (a loop with an unknown count, a name or remote from
    /// a parameter without a value), the link is not judged: `unresolved-value` reports the
    /// unknown.
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
        // Peerings of vnets named by placeholders: each may be a peering of another vnet.
        let floating: Vec<PeeringId> = g
            .peerings()
            .filter(|(_, q)| g.vnet(q.local).key.contains('{'))
            .map(|(q, _)| q)
            .collect();
        // Per vnet, the peerings that may come back to a vnet they don't name outright: a
        // remote known only at deployment, or named by placeholders.
        let mut loose: Vec<Vec<PeeringId>> = vec![Vec::new(); g.vnets().count()];
        for (q, p) in g.peerings() {
            let open = match &p.remote {
                Remote::Unresolved { .. } => true,
                Remote::Vnet { vnet, .. } => g.vnet(*vnet).key.contains('{'),
                _ => false,
            };
            if open {
                loose[p.local.0 as usize].push(q);
            }
        }
        for (pid, p) in g.peerings() {
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            if remote == p.local || !g.vnet(remote).defined || g.reverse(pid).is_some() {
                continue;
            }
            let r = g.vnet(remote);
            // The way back may be a peering peerlint couldn't compute (the remote vnet's list
            // of peerings is partly unknown), or one whose remote is unknown or named by a
            // placeholder that may be this vnet: unresolved-value reports those, this rule
            // doesn't guess.
            if g.peerings_unknown(remote).is_some() || may_come_back(g, pid, &floating, &loose) {
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

/// Whether a peering known only up to values computed at deployment may be the way back of
/// `pid` (A→B): a peering of B whose remote is unknown, or may be A once placeholders are
/// known; or a peering of a vnet named by placeholders that may be B, whose remote may be A.
///
/// `loose` holds, per vnet, its peerings whose remote is unknown or named by placeholders: the
/// others name a vnet outright, and one naming A would be the reverse peering itself, so only
/// when A's own id has placeholders are all of B's peerings looked at.
fn may_come_back(
    g: &Graph,
    pid: PeeringId,
    floating: &[PeeringId],
    loose: &[Vec<PeeringId>],
) -> bool {
    let p = g.peering(pid);
    let (a, b) = (g.vnet(p.local), p.remote_vnet());
    let Some(b_id) = b else { return false };
    let b = g.vnet(b_id);
    let back_to_a = |q: &crate::model::Peering| match &q.remote {
        Remote::Unresolved { .. } => true,
        Remote::Vnet { vnet, .. } => may_be_same(&g.vnet(*vnet).key, &a.key),
        _ => false,
    };
    let candidates = if a.key.contains('{') {
        &b.peerings
    } else {
        &loose[b_id.0 as usize]
    };
    if candidates.iter().any(|&q| back_to_a(g.peering(q))) {
        return true;
    }
    floating.iter().any(|&q| {
        let q = g.peering(q);
        let local = g.vnet(q.local);
        q.local != p.local
            && local.key.contains('{')
            && local.key != b.key
            && may_be_same(&local.key, &b.key)
            && back_to_a(q)
    })
}
