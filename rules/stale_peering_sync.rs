use std::collections::BTreeSet;

use std::collections::HashMap;

use crate::model::{PrefixList, VnetId};
use crate::prefix::LISTED;
use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags exported peering state that is out of sync: a `peeringSyncLevel` other than
    /// `FullyInSync`, or a full peering whose `remoteAddressSpace` differs from the remote
    /// vnet's current address space (from the remote vnet's own export when it is in the
    /// inputs, else from the peering's `remoteVirtualNetworkAddressSpace`). Each list names
    /// its first ten prefixes, then how many more.
    ///
    /// ## Why is this bad?
    /// After a peered vnet's address space changes, every peering pointing at it must be
    /// synced. Until then the new prefixes are unreachable over the link.
    ///
    /// ## Example
    /// ```json
    /// { "name": "hub-to-spoke1", "peeringSyncLevel": "LocalNotInSync",
    ///   "remoteAddressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
    ///   "remoteVirtualNetworkAddressSpace": { "addressPrefixes": ["10.1.0.0/16", "10.2.0.0/16"] } }
    /// ```
    ///
    /// ## How to fix
    /// Sync the peering: `az network vnet peering sync --resource-group <rg> --vnet-name <vnet>
    /// --name <peering>` (PowerShell: `Sync-AzVirtualNetworkPeering`).
    pub StalePeeringSync {
        name: "stale-peering-sync",
        group: Suspicious,
        summary: "exported peering state is not in sync with the remote address space",
        needs: [AddressSpace, RemoteVnet, PeerCompleteVnets],
    }
}

/// A list's prefixes, canonical, sorted and each once.
fn canon(list: &PrefixList) -> BTreeSet<String> {
    list.prefixes
        .iter()
        .map(|p| {
            p.net()
                .map(|n| n.to_string())
                .unwrap_or_else(|| p.text.to_string())
        })
        .collect()
}

/// What two lists are compared by: their prefixes in any order, without allocating strings.
fn key(l: &PrefixList) -> Vec<Result<ipnet::IpNet, &str>> {
    let mut v: Vec<Result<ipnet::IpNet, &str>> =
        l.prefixes.iter().map(|p| p.net().ok_or(&*p.text)).collect();
    v.sort();
    v.dedup();
    v
}

/// A canonical list in a message: the first ten, then how many more.
fn shown(s: &BTreeSet<String>) -> String {
    let listed: Vec<String> = s.iter().take(LISTED).cloned().collect();
    crate::query::listing(&listed, s.len())
}

impl Rule for StalePeeringSync {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        // A vnet's current space, compared with every peering towards it: its key once.
        type Space<'g> = Vec<Result<ipnet::IpNet, &'g str>>;
        let mut spaces: HashMap<VnetId, Space<'_>> = HashMap::new();
        for (pid, p) in g.peerings() {
            let help = || {
                let local = g.vnet(p.local);
                let rg = crate::id::ArmId::parse(&local.id)
                    .map(|a| a.resource_group)
                    .unwrap_or_else(|_| "<rg>".into());
                format!(
                    "sync the peering: az network vnet peering sync --resource-group {rg} --vnet-name {} --name {}",
                    local.name, p.name
                )
            };
            if let Some((level, loc)) = &p.sync_level
                && !level.eq_ignore_ascii_case("FullyInSync")
            {
                cx.report(
                    Finding::new(&p.id, format!("peering {} is {level}", peering_name(g, pid)), *loc, "not FullyInSync")
                        .help(help())
                        .note("until it is synced, address-space changes on either side are not reachable over this link"),
                );
                continue;
            }
            if p.is_subnet_peering() {
                continue;
            }
            let Some(programmed) = &p.remote_address_space else {
                continue;
            };
            let remote = p.remote_vnet().map(|r| (r, g.vnet(r)));
            // The current space: the remote vnet's own (its key computed once), else the copy
            // this export recorded. Words are made only for a finding.
            let (current, own, current_key) = match remote {
                Some((r, v)) if v.defined => match &v.address_space {
                    Some(s) => {
                        let k = spaces.entry(r).or_insert_with(|| key(s));
                        (s, Some(r), std::borrow::Cow::Borrowed(&*k))
                    }
                    None => continue,
                },
                _ => match &p.remote_vnet_address_space {
                    Some(s) => (s, None, std::borrow::Cow::Owned(key(s))),
                    None => continue,
                },
            };
            if key(programmed) == *current_key {
                continue;
            }
            let whence = match own {
                Some(r) => format!("current address space of {}", vnet_name(g, r)),
                None => "`remoteVirtualNetworkAddressSpace`".to_string(),
            };
            let current_text = shown(&canon(current));
            let (was, current_loc) = (shown(&canon(programmed)), current.loc);
            cx.report(
                Finding::new(
                    &p.id,
                    format!(
                        "peering {} programs remote space [{}] but the remote vnet now has [{}]",
                        peering_name(g, pid),
                        was,
                        current_text
                    ),
                    programmed.loc,
                    "stale copy of the remote address space",
                )
                .related(current_loc, whence)
                .help(help()),
            );
        }
    }
}
