use crate::model::{DeployOrder, RemoteGatewayUse};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// In a template, flags a peering with `useRemoteGateways: true` that does not wait for the
    /// remote vnet's gateway (or Route Server) although the same template deploys that
    /// gateway: neither the peering nor a nested deployment it is declared in depends on the
    /// gateway, directly or through `dependsOn` (by id, name or symbolic name), a
    /// `reference()`, or a nested deployment that deploys the gateway. A peering written
    /// inside its vnet resource is sent when the vnet is, so the vnet's `dependsOn` counts.
    ///
    /// ## Why is this bad?
    /// Resource Manager deploys resources that don't depend on each other in parallel. A
    /// gateway takes half an hour or more to deploy, so the peering is usually sent first and
    /// Azure rejects it with `RemoteVnetHasNoGateways`; the deployment fails on a clean
    /// subscription and works on a rerun, which hides the cause.
    ///
    /// ## Example
    /// ```json
    /// { "type": "Microsoft.Network/virtualNetworkGateways", "name": "hub-vpngw", ... },
    /// { "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "name": "spoke/to-hub",
    ///   "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'spoke')]"],
    ///   "properties": { "useRemoteGateways": true, "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" } } }
    /// ```
    ///
    /// ## How to fix
    /// Add the gateway (or the nested deployment that creates it) to the peering's
    /// `dependsOn`; for a peering written inside its vnet, declare it as a child resource that
    /// does.
    pub PeeringBeforeRemoteGateway {
        name: "peering-before-remote-gateway",
        group: Suspicious,
        summary: "a template may create a useRemoteGateways peering before the remote gateway it deploys",
        needs: [RemoteVnet, UseRemoteGateways, Gateways, DependsOn],
    }
}

impl Rule for PeeringBeforeRemoteGateway {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for order in g.deploy_orders() {
            // One pass per remote vnet the uses point at (usually one hub per template).
            let mut remotes: Vec<&str> = order
                .remote_gateway_uses
                .iter()
                .map(|u| u.remote.as_str())
                .collect();
            remotes.sort_unstable();
            remotes.dedup();
            for remote in remotes {
                let waits = waiting_for_gateway(order, remote);
                for u in &order.remote_gateway_uses {
                    if u.remote == remote && !waits[u.step as usize] {
                        cx.report(finding(order, u));
                    }
                }
            }
        }
    }
}

fn finding(order: &DeployOrder, u: &RemoteGatewayUse) -> Finding {
    let gateways: Vec<_> = order
        .gateways
        .iter()
        .filter(|x| x.vnet == u.remote)
        .collect();
    let names: Vec<String> = gateways.iter().map(|x| format!("`{}`", x.name)).collect();
    let remote = &u.remote_name;
    let mut f = Finding::new(
        &u.peering,
        format!(
            "peering `{}` sets `useRemoteGateways` but doesn't wait for {}, the gateway of `{remote}` this template deploys",
            u.name,
            names.join(", ")
        ),
        u.loc,
        "may be created before the remote gateway",
    );
    for x in gateways {
        f = f.related(x.loc, format!("gateway `{}` is deployed here", x.name));
    }
    f.help(format!(
        "add {} (or the nested deployment that creates it) to the peering's `dependsOn`",
        names.join(" or ")
    ))
    .note("the two are deployed in parallel; a peering created first is rejected with RemoteVnetHasNoGateways")
}

/// Which steps start only after a gateway of `remote` is deployed: those that wait for it, or
/// for a step that finishes after it (a nested deployment finishes after everything in it),
/// and everything declared in a deployment that starts after it. A step with a `dependsOn`
/// entry that can't be known may wait for anything, so it counts as waiting. Linear in the
/// steps and their dependencies.
fn waiting_for_gateway(order: &DeployOrder, remote: &str) -> Vec<bool> {
    let n = order.steps.len();
    let mut waiters: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut inside: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, s) in order.steps.iter().enumerate() {
        for &a in &s.after {
            waiters[a as usize].push(i as u32);
        }
        if let Some(w) = s.within {
            inside[w as usize].push(i as u32);
        }
    }
    // `starts[i]`: i starts after a gateway is there; `ends[i]`: i finishes after it is.
    let mut starts = vec![false; n];
    let mut ends = vec![false; n];
    // (step, whether it starts after the gateway, or only ends after it)
    let mut queue: Vec<(usize, bool)> = Vec::new();
    for x in order.gateways.iter().filter(|x| x.vnet == remote) {
        queue.push((x.step as usize, false));
    }
    for (i, s) in order.steps.iter().enumerate() {
        if s.unknown {
            queue.push((i, true));
        }
    }
    while let Some((i, start)) = queue.pop() {
        if start {
            if starts[i] {
                continue;
            }
            starts[i] = true;
            if order.steps[i].deployment {
                queue.extend(inside[i].iter().map(|&c| (c as usize, true)));
            }
        }
        if ends[i] {
            continue;
        }
        ends[i] = true;
        queue.extend(waiters[i].iter().map(|&w| (w as usize, true)));
        if let Some(w) = order.steps[i].within {
            queue.push((w as usize, false));
        }
    }
    starts
}
