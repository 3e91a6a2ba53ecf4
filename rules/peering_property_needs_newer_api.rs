use crate::model::{Flag, Loc, Peering};
use crate::query::peering_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a template peering that sets subnet-peering or IPv6-only fields
    /// (`peerCompleteVnets`, `localSubnetNames`, `remoteSubnetNames`, `enableOnlyIPv6Peering`)
    /// while its `apiVersion` predates them: they exist from `2023-11-01`. A peering written
    /// inside its vnet resource is sent with the vnet's `apiVersion`. Preview API versions are
    /// not judged.
    ///
    /// ## Why is this bad?
    /// Azure rejects properties its API version doesn't know: the deployment fails with
    /// `InvalidRequestFormat` ("Could not find member 'peerCompleteVnets' on object of type
    /// 'VirtualNetworkPeeringProperties'").
    ///
    /// ## Example
    /// ```json
    /// { "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2023-09-01",
    ///   "properties": { "peerCompleteVnets": false, "localSubnetNames": ["app"], ... } }
    /// ```
    ///
    /// ## How to fix
    /// Deploy the peering (or the vnet it is written in) with `apiVersion` `2023-11-01` or
    /// later.
    pub PeeringPropertyNeedsNewerApi {
        name: "peering-property-needs-newer-api",
        group: Correctness,
        summary: "subnet-peering or IPv6-only fields on a peering deployed with an older API version",
        needs: [PeeredSubnetNames, PeerCompleteVnets, OnlyIpv6, ApiVersion],
    }
}

/// The first API version of `Microsoft.Network` whose peerings have these fields (P27).
const FIRST: &str = "2023-11-01";

impl Rule for PeeringPropertyNeedsNewerApi {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            let Some((api, api_loc)) = p.api_version.as_deref() else {
                continue;
            };
            if !is_release_before(api, FIRST) {
                continue;
            }
            let found = newer_fields(p);
            let Some(&(_, first)) = found.first() else {
                continue;
            };
            let names: Vec<String> = found.iter().map(|(n, _)| format!("`{n}`")).collect();
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} sets {} but is deployed with API version {api}, which predates {}",
                        peering_name(g, pid),
                        names.join(", "),
                        if names.len() == 1 { "it" } else { "them" }
                    ),
                    first,
                    format!("exists from API version {FIRST}"),
                )
                .related(*api_loc, "the API version the peering is sent with")
                .help(format!(
                    "deploy the peering with `apiVersion` {FIRST} or later"
                ))
                .note("Azure rejects this at deploy time with InvalidRequestFormat"),
            );
        }
    }
}

/// Whether `api` is a release version (`YYYY-MM-DD`, no `-preview`) older than `first`.
fn is_release_before(api: &str, first: &str) -> bool {
    let b = api.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    shape && api < first
}

/// The fields of the peering its API version must know, each where it is written (only
/// values known offline: an unknown one is reported as unresolved).
fn newer_fields(p: &Peering) -> Vec<(&'static str, Loc)> {
    let flag = |f: &Flag| f.loc.filter(|_| !f.unresolved);
    let mut out = Vec::new();
    if let Some(l) = flag(&p.peer_complete_vnets) {
        out.push(("peerCompleteVnets", l));
    }
    for (list, name) in p.subnet_lists() {
        if let Some(l) = list {
            out.push((name, l.loc));
        }
    }
    if let Some(l) = flag(&p.only_ipv6) {
        out.push(("enableOnlyIPv6Peering", l));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn release_versions_compare_by_date_and_previews_are_not_judged() {
        use super::is_release_before as before;
        assert!(before("2023-09-01", "2023-11-01"));
        assert!(before("2020-11-01", "2023-11-01"));
        assert!(!before("2023-11-01", "2023-11-01"));
        assert!(!before("2024-05-01", "2023-11-01"));
        assert!(!before("2023-06-01-preview", "2023-11-01"));
        assert!(!before("latest", "2023-11-01"));
    }
}
