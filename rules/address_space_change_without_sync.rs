use ipnet::IpNet;

use crate::model::{PeeringId, PlannedAction};
use crate::query::{peering_name, space_loc, updated_in_place, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// In a Terraform plan, flags a peering whose remote vnet's address space changes in place
    /// while the peering itself is left as it is: nothing syncs it. azurerm syncs a peering's
    /// copy of the remote address space whenever it creates or updates the peering; a peering
    /// with no change in the plan is not synced. Peerings written with `azapi_resource` are
    /// not judged (azapi has other ways to sync).
    ///
    /// ## Why is this bad?
    /// Azure lets a peered vnet's address space change, but every peering pointing at that
    /// vnet keeps the old prefixes until it is synced (`peeringSyncLevel` reads
    /// LocalNotInSync): the new ranges are not reachable over the link.
    ///
    /// ## Example
    /// ```text
    /// # azurerm_virtual_network.hub will be updated in-place
    /// ~ address_space = ["10.0.0.0/16"] -> ["10.0.0.0/16", "10.100.0.0/16"]
    /// # azurerm_virtual_network_peering.spoke_to_hub: no changes
    /// ```
    ///
    /// ## How to fix
    /// Give the peering `triggers` that follow the remote address space, so that the change
    /// updates (and syncs) it:
    /// `triggers = { remote_address_space = join(",", azurerm_virtual_network.hub.address_space) }`.
    pub AddressSpaceChangeWithoutSync {
        name: "address-space-change-without-sync",
        group: Suspicious,
        summary: "a peered vnet's address space changes while a peering pointing at it is not synced",
        needs: [AddressSpace, Peerings, RemoteVnet],
    }
}

impl Rule for AddressSpaceChangeWithoutSync {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        // The peerings pointing at each vnet, found once.
        let mut towards: rustc_hash::FxHashMap<crate::model::VnetId, Vec<PeeringId>> =
            Default::default();
        for (pid, p) in g.peerings() {
            if let Some(r) = p.remote_vnet() {
                towards.entry(r).or_default().push(pid);
            }
        }
        for (vid, v) in g.defined_vnets() {
            let Some((t, c)) = updated_in_place(g, &v.key) else {
                continue;
            };
            let Some((before, before_loc)) = &c.before_address_space else {
                continue;
            };
            // The space after the change, when every prefix of it is known and valid.
            let Some(after) = v.address_space.as_ref().filter(|s| s.all_valid()) else {
                continue;
            };
            let mut now: Vec<IpNet> = after.nets().collect();
            let mut was: Vec<IpNet> = match before.iter().map(|p| p.parse()).collect() {
                Ok(nets) => nets,
                Err(_) => continue,
            };
            now.sort();
            now.dedup();
            was.sort();
            was.dedup();
            if now == was {
                continue;
            }
            let list = |nets: &[IpNet]| {
                nets.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            for &pid in towards.get(&vid).map(Vec::as_slice).unwrap_or_default() {
                let p = g.peering(pid);
                let Some(pt) = g.terraform(&p.id) else {
                    continue;
                };
                if !pt.azurerm
                    || pt
                        .change
                        .as_ref()
                        .is_none_or(|c| c.action != PlannedAction::NoOp)
                {
                    continue;
                }
                cx.report(
                    Finding::new(
                        &p.id,
                        format!(
                            "the address space of {} changes from [{}] to [{}], but peering {} pointing at it is not synced",
                            vnet_name(g, vid),
                            list(&was),
                            list(&now),
                            peering_name(g, pid)
                        ),
                        p.label_loc(),
                        "no change here, so no sync",
                    )
                    .related(space_loc(v), "the new address space")
                    .related(*before_loc, "the address space before")
                    .help(format!(
                        "add `triggers = {{ remote_address_space = join(\",\", {}.address_space) }}` to `{}`, so that the change updates and syncs it",
                        t.address, pt.address
                    ))
                    .note("until the peering is synced, the remote's new prefixes are not reachable over it (peeringSyncLevel LocalNotInSync)"),
                );
            }
        }
    }
}
