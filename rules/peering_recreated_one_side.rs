use crate::graph::Graph;
use crate::id::ArmId;
use crate::model::{Loc, PlannedAction, PlannedChange};
use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// In a Terraform plan, flags a peering that is kept as it is while the other side of its
    /// link is replaced (deleted and created again): the vnet it points at, or the peering back
    /// from there.
    ///
    /// ## Why is this bad?
    /// Deleting one side of a peering, or either vnet, leaves the other side `Disconnected`,
    /// and a Disconnected peering never heals by itself. Creating the other side again then
    /// fails: Azure refuses a peering towards a vnet whose peering back is Disconnected.
    /// Terraform plans such a half replacement when a vnet or peering must be replaced (its
    /// `location`, `name` or another argument that forces replacement changes) and the
    /// peering on the other side names it by a value that doesn't change (an id written as a
    /// string, a name).
    ///
    /// ## Example
    /// ```text
    /// # azurerm_virtual_network.spoke must be replaced
    /// -/+ location = "westeurope" -> "northeurope" # forces replacement
    /// # azurerm_virtual_network_peering.hub_to_spoke: no changes
    /// ```
    ///
    /// ## How to fix
    /// Replace the kept peering in the same apply: give it
    /// `lifecycle { replace_triggered_by = [<the replaced resource>] }`, or run
    /// `terraform apply -replace=<its address>`.
    pub PeeringRecreatedOneSide {
        name: "peering-recreated-one-side",
        group: Correctness,
        summary: "a peering is kept while the vnet or peering on the other side of its link is replaced",
        needs: [Peerings, RemoteVnet],
    }
}

/// The change of the resource with `id` in a Terraform plan, when it is a replacement.
fn replaced<'g>(g: &'g Graph, id: &str) -> Option<(&'g str, &'g PlannedChange)> {
    let t = g.terraform(id)?;
    let c = t.change.as_ref()?;
    (c.action == PlannedAction::Replace).then_some((t.address.as_str(), c))
}

/// The resource group and name of the vnet an id is (or is the child of), lower-case.
fn vnet_place(id: &str) -> Option<(String, String)> {
    let a = ArmId::parse(id).ok()?;
    let (ty, _) = a.types.first()?;
    if !ty.eq_ignore_ascii_case("virtualNetworks") {
        return None;
    }
    let v = a.ancestor(1);
    Some((
        v.resource_group.to_ascii_lowercase(),
        v.name().to_ascii_lowercase(),
    ))
}

/// Whether `before` (an id before the change) is known to be in another vnet than `now`.
fn elsewhere(before: Option<&str>, now: &str) -> bool {
    match (before.and_then(vnet_place), vnet_place(now)) {
        // A part known only after apply can't tell.
        (Some(b), Some(n)) => b != n && ![&b.0, &b.1, &n.0, &n.1].iter().any(|s| s.contains('{')),
        _ => false,
    }
}

/// "because `location` forces it" for a replacement's `replace_paths`.
fn because(c: &PlannedChange) -> String {
    match c.replaced_because.as_slice() {
        [] => "replaced here".into(),
        paths => format!(
            "replaced here: {} forces it",
            paths
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Rule for PeeringRecreatedOneSide {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some(t) = g.terraform(&p.id) else {
                continue;
            };
            // Only a peering the plan leaves as it is: an update may bring it back to
            // Initiated (whether before or after the other side is deleted can't be known).
            if t.change
                .as_ref()
                .is_none_or(|c| c.action != PlannedAction::NoOp)
            {
                continue;
            }
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            // A peering whose own vnet is replaced goes with it: it is not left Disconnected.
            if replaced(g, &g.vnet(p.local).key).is_some() {
                continue;
            }
            // What a replacement deletes counts only when it is the other side of this link as
            // it is now: the same vnet (not one renamed or moved), or the peering back from
            // there to this vnet (not one that pointed elsewhere and is re-pointed here).
            let remote_key = &g.vnet(remote).key;
            let local_key = &g.vnet(p.local).key;
            let (other, what, at, change): (String, String, Loc, &PlannedChange) =
                if let Some((address, c)) = replaced(g, remote_key)
                    && !elsewhere(c.before_id.as_deref(), remote_key)
                {
                    (
                        address.to_string(),
                        format!("its remote vnet {}", vnet_name(g, remote)),
                        c.loc,
                        c,
                    )
                } else if let Some(back) = g.reverse(pid)
                    && let Some((address, c)) = replaced(g, &g.peering(back).id)
                    && !elsewhere(c.before_id.as_deref(), remote_key)
                    && !elsewhere(c.before_remote.as_ref().map(|(r, _)| r.as_str()), local_key)
                {
                    (
                        address.to_string(),
                        format!("the peering back {}", peering_name(g, back)),
                        c.loc,
                        c,
                    )
                } else {
                    continue;
                };
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} is kept while {what} is replaced: it goes Disconnected, and the link can't be made again",
                        peering_name(g, pid)
                    ),
                    p.label_loc(),
                    "kept as it is",
                )
                .related(at, because(change))
                .help(format!(
                    "replace `{}` in the same apply: add `lifecycle {{ replace_triggered_by = [{other}] }}` to it, or run `terraform apply -replace='{}'`",
                    t.address, t.address
                ))
                .note("Azure rejects the peering created again with RemotePeeringIsDisconnected"),
            );
        }
    }
}
