//! Graph queries shared by several rules: names for messages, the prefixes a link peers.

use crate::graph::Graph;
use crate::model::*;

/// "`vnet-hub`"
pub fn vnet_name(g: &Graph, v: VnetId) -> String {
    format!("`{}`", g.vnet(v).name)
}

/// "`vnet-hub/hub-to-spoke1`"
pub fn peering_name(g: &Graph, p: PeeringId) -> String {
    let peering = g.peering(p);
    format!("`{}/{}`", g.vnet(peering.local).name, peering.name)
}

/// The prefixes one side of a peering contributes: the whole address space for a full peering,
/// the listed subnets' prefixes for a subnet peering. `local` picks the side.
/// `None` when they can't be known (a vnet not in the inputs, no address space).
pub fn peered_prefixes(g: &Graph, p: PeeringId, local: bool) -> Option<Vec<&Prefix>> {
    let peering = g.peering(p);
    let v = if local {
        peering.local
    } else {
        peering.remote_vnet()?
    };
    let vnet = g.vnet(v);
    if !vnet.defined {
        return None;
    }
    if peering.is_subnet_peering() {
        let list = if local {
            peering.local_subnets.as_ref()
        } else {
            peering.remote_subnets.as_ref()
        };
        let names = list?;
        let mut out = Vec::new();
        for (name, _) in &names.names {
            if let Some(s) = vnet.subnet(name) {
                out.extend(
                    s.prefixes
                        .iter()
                        .flat_map(|l| l.prefixes.iter())
                        .filter(|p| p.is_valid()),
                );
            }
        }
        Some(out)
    } else {
        Some(
            vnet.address_space
                .as_ref()?
                .prefixes
                .iter()
                .filter(|p| p.is_valid())
                .collect(),
        )
    }
}

/// Where to point for a vnet's address space (the list, else the vnet).
pub fn space_loc(v: &Vnet) -> Loc {
    v.address_space.as_ref().map(|s| s.loc).unwrap_or(v.loc)
}

/// Reports every input problem of one kind (the input rules are thin wrappers of this).
pub fn report_problems(cx: &mut crate::rule::RuleContext<'_>, kind: ProblemKind) {
    let g = cx.graph();
    for p in g.problems().iter().filter(|p| p.kind == kind) {
        let mut f = crate::rule::Finding::new("", p.message.clone(), p.loc, p.label.clone());
        if let Some(h) = &p.help {
            f = f.help(h.clone());
        }
        for (loc, text) in &p.related {
            f = f.related(*loc, text.clone());
        }
        cx.report(f);
    }
}

/// Adds labels for gateways a template declares for `v` under a false condition.
pub fn absent_gateways(mut f: crate::rule::Finding, v: &Vnet) -> crate::rule::Finding {
    for (name, condition, deciding) in &v.absent_gateways {
        f = f.related(
            *condition,
            format!("gateway `{name}` is not deployed: its condition is false"),
        );
        if deciding != condition {
            f = f.related(*deciding, "this value decides the condition");
        }
    }
    f
}
