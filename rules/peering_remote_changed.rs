use crate::graph::may_be_same;
use crate::id::ArmId;
use crate::query::{peering_name, updated_in_place, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// In a Terraform plan, flags a peering whose remote vnet changes while the peering is
    /// updated in place (not replaced). azurerm replaces a peering whose
    /// `remote_virtual_network_id` changes; an `azapi_resource` peering whose body names
    /// another vnet is updated in place.
    ///
    /// ## Why is this bad?
    /// A peering can't be re-pointed: once created, its remote vnet is fixed, and the update
    /// fails. The peering must be deleted and created again (and the old remote's peering back
    /// dealt with).
    ///
    /// ## Example
    /// ```text
    /// # azapi_resource.a_to_b will be updated in-place
    /// ~ body = { properties = { remoteVirtualNetwork = { id = ".../vnet-b" -> ".../vnet-c" } } }
    /// ```
    ///
    /// ## How to fix
    /// Replace the peering instead: `lifecycle { replace_triggered_by = [...] }`, or
    /// `terraform apply -replace=<its address>`; or create a new peering to the new remote.
    pub PeeringRemoteChanged {
        name: "peering-remote-changed",
        group: Correctness,
        summary: "a peering's remote vnet changes in an in-place update",
        needs: [RemoteVnet],
    }
}

impl Rule for PeeringRemoteChanged {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some((t, c)) = updated_in_place(g, &p.id) else {
                continue;
            };
            let Some((before, before_loc)) = &c.before_remote else {
                continue;
            };
            // A remote known only after apply is unresolved-value's; one that may be the
            // same vnet once placeholders are known is not claimed to differ.
            let Some(remote) = p.remote_vnet() else {
                continue;
            };
            // A trailing `/` names the same vnet.
            let before = before.trim_end_matches('/');
            let before_key = ArmId::parse(before)
                .map(|a| a.key())
                .unwrap_or_else(|_| before.to_ascii_lowercase());
            if may_be_same(&before_key, &g.vnet(remote).key) {
                continue;
            }
            let old = before.rsplit('/').next().unwrap_or(before);
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} is updated in place to point at {} instead of `{old}`: a peering's remote vnet can't change",
                        peering_name(g, pid),
                        vnet_name(g, remote)
                    ),
                    p.remote_loc(),
                    "the new remote vnet",
                )
                .related(*before_loc, format!("the remote vnet was `{old}`"))
                .related(c.loc, "updated in place")
                .help(format!(
                    "replace `{}` instead of updating it: add `lifecycle {{ replace_triggered_by = [...] }}` naming what changes its remote, or run `terraform apply -replace='{}'`",
                    t.address, t.address
                ))
                .note("Azure doesn't re-point an existing peering; it must be deleted and created again"),
            );
        }
    }
}
