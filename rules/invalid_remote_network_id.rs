use crate::model::Remote;
use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering whose `remoteVirtualNetwork.id` is missing or is not a well-formed
    /// virtual network id: a wrong provider namespace (`Microsoft.Networks`), a wrong resource
    /// type, or missing segments. In a template or a design spec (a design to deploy) the names
    /// in the id must also follow Azure's naming rules: the subscription is a GUID (a
    /// `${HUB_SUBSCRIPTION_ID}` token a pipeline left unsubstituted is not), the resource group
    /// 1–90 letters, digits, `_ - . ( )` not ending in `.`, the vnet name 2–64 letters, digits,
    /// `_ . -` starting with a letter or digit and ending with a letter, digit or `_`. A
    /// placeholder for a value known only at deployment (`{subscription}`, a parameter without
    /// a value) is unknown, never invalid. Exports are not held to the naming rules: Azure
    /// accepted their names, and a redacted subscription (`subid`) is no design flaw. A
    /// GruCloud design is a design too: `subid`, as GruCloud's documentation writes it, is not
    /// a subscription, and the help names GruCloud's placeholder, `${config.subscriptionId}`.
    ///
    /// ## Why is this bad?
    /// Azure can't resolve the remote vnet, so the peering fails to deploy.
    ///
    /// ## Example
    /// ```json
    /// { "remoteVirtualNetwork": { "id": "/subscriptions/.../providers/Microsoft.Networks/virtualNetworks/vnet-hub" } }
    /// ```
    ///
    /// ## How to fix
    /// Write the full id:
    /// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}`.
    pub InvalidRemoteNetworkId {
        name: "invalid-remote-network-id",
        group: Correctness,
        summary: "a peering's remote vnet id is missing or malformed",
        needs: [RemoteVnet],
    }
}

impl Rule for InvalidRemoteNetworkId {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let finding = match &p.remote {
                Remote::Invalid { text, reason, loc } => Finding::new(
                    &p.id,
                    format!(
                        "peering {} has an invalid remote vnet id `{text}`: {reason}",
                        peering_name(g, pid)
                    ),
                    *loc,
                    "not a virtual network id",
                ),
                Remote::Missing => Finding::new(
                    &p.id,
                    format!(
                        "peering {} has no `remoteVirtualNetwork.id`",
                        peering_name(g, pid)
                    ),
                    p.label_loc(),
                    "no remote vnet",
                ),
                _ => continue,
            };
            let help = match &p.remote {
                // GruCloud's documentation writes `subid`: its designs name the subscription
                // with `config.subscriptionId`, or the vnet with `getId`.
                Remote::Invalid { text, loc, .. }
                    if g.is_grucloud(*loc)
                        && crate::id::ArmId::parse(text)
                            .is_ok_and(|id| !crate::id::is_guid(&id.subscription)) =>
                {
                    "write the subscription as `${config.subscriptionId}` in a template literal \
                     (GruCloud's placeholder for it), or name the vnet with \
                     `getId({ type: \"VirtualNetwork\", group: \"Network\", name: \"<resource-group>::<vnet-name>\" })`"
                }
                Remote::Missing if g.is_grucloud(p.label_loc()) => {
                    "name the remote vnet: `remoteVirtualNetwork: { id: getId({ type: \"VirtualNetwork\", group: \"Network\", name: \"<resource-group>::<vnet-name>\" }) }`"
                }
                _ => {
                    "write the full id: /subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Network/virtualNetworks/<vnet-name>"
                }
            };
            cx.report(finding.help(help));
        }
    }
}
