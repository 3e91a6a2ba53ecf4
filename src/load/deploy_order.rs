//! A template deployment's order for the deploy-time rules: which resources wait for which
//! (from `arm`'s evaluated order), the gateways it deploys and the peerings it sends with
//! `useRemoteGateways: true`, one per declaration, before a peering written twice (inline and
//! as a child resource) is merged into one. Kept only when the deployment has both. Depends on
//! `arm`'s evaluated resources, `id`, the model and the graph builder.

use crate::arm::value::{Val, Value};
use crate::arm::{Condition, Instance, Resource};

use super::template::in_virtual_wan_hub;
use crate::graph::GraphBuilder;
use crate::id::{ArmId, RemoteKind, classify_remote};
use crate::model::{
    Blocked, DeployOrder, DeployStep, Fact, OrderedGateway, RemoteGatewayUse, Unresolved,
};

/// Hands one deployment's order to the graph builder, with the `dependsOn` entries that can't
/// be known on the way of a peering that uses a gateway the deployment deploys.
pub(super) fn record(resources: &[Resource], instances: &[Instance], b: &mut GraphBuilder) {
    let hubs: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.ty == "microsoft.network/virtualhubs")
        .collect();
    let mut gateways = Vec::new();
    let mut uses = Vec::new();
    for r in resources {
        let Some(step) = r.step else { continue };
        let props = r.body.get("properties");
        match r.ty.as_str() {
            // A gateway deployed only under an unknown condition may not be there to wait for.
            "microsoft.network/virtualnetworkgateways" if r.condition == Condition::Always => {
                let configs = props.and_then(|p| p.get("ipConfigurations"));
                for c in configs.map(items).unwrap_or_default() {
                    if let Some((vnet, _, at)) = subnet_of(&c) {
                        gateways.push(gateway(step, vnet, r, at));
                        break;
                    }
                }
            }
            "microsoft.network/virtualhubs/ipconfigurations"
                if r.condition == Condition::Always && !in_virtual_wan_hub(r, &hubs) =>
            {
                if let Some((vnet, subnet, at)) = props.and_then(subnet_of)
                    && (subnet.contains('{') || subnet.eq_ignore_ascii_case("RouteServerSubnet"))
                {
                    let mut rs = gateway(step, vnet, r, at);
                    // The Route Server is the hub, not its ip configuration.
                    rs.name = r.name.split('/').next().unwrap_or(&r.name).to_string();
                    gateways.push(rs);
                }
            }
            "microsoft.network/virtualnetworks" => {
                let inline = props.and_then(|p| p.get("virtualNetworkPeerings"));
                for p in inline.map(items).unwrap_or_default() {
                    let name = p.get("name").and_then(Value::text_or_symbol);
                    if let Some(name) = name {
                        let id = format!("{}/virtualNetworkPeerings/{name}", r.id);
                        uses.extend(remote_gateway_use(step, &id, &p));
                    }
                }
            }
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                uses.extend(remote_gateway_use(step, &r.id, &r.body));
            }
            _ => {}
        }
    }
    uses.retain(|u: &RemoteGatewayUse| gateways.iter().any(|g| g.vnet == u.remote));
    if uses.is_empty() {
        return;
    }
    // What keeps a use from being checked: a `dependsOn` entry known only at deployment on
    // the peering's resource or the deployments it is declared in.
    let mut seen = Vec::new();
    for u in &uses {
        let mut s = Some(u.step as usize);
        while let Some(i) = s {
            let x = &instances[i];
            for &(loc, ref reason) in &x.unknown_depends_on {
                if !seen.contains(&loc) {
                    seen.push(loc);
                    b.unresolved(Unresolved {
                        loc,
                        resource: x.id.clone(),
                        what: format!("a `dependsOn` entry of `{}`", x.name),
                        reason: reason.clone(),
                        blocks: Blocked::Fact(Fact::DependsOn),
                    });
                }
            }
            s = x.within;
        }
    }
    // The order's steps are the deployed instances, numbered in the order met (the indexes
    // above are the instances').
    let mut number = Vec::with_capacity(instances.len());
    let mut steps = Vec::new();
    for x in instances {
        number.push(steps.len() as u32);
        if x.deployed() {
            steps.push(x);
        }
    }
    let steps = steps
        .into_iter()
        .map(|s| DeployStep {
            after: s.after.iter().map(|&a| number[a]).collect(),
            within: s.within.map(|w| number[w]),
            deployment: s.is_deployment(),
            unknown: !s.unknown_depends_on.is_empty(),
        })
        .collect();
    for g in &mut gateways {
        g.step = number[g.step as usize];
    }
    for u in &mut uses {
        u.step = number[u.step as usize];
    }
    b.deploy_order(DeployOrder {
        steps,
        gateways,
        remote_gateway_uses: uses,
    });
}

/// The items of an array value (none for anything else).
fn items(v: &Value) -> Vec<Value> {
    match &v.v {
        Val::Array(a) => a.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

fn gateway(step: usize, vnet: ArmId, r: &Resource, at: crate::model::Loc) -> OrderedGateway {
    OrderedGateway {
        step: step as u32,
        vnet: vnet.key(),
        name: r.name.clone(),
        loc: at,
    }
}

/// The vnet, subnet name and place of the `subnet.id` of an object with `properties.subnet`
/// (an ip configuration) or `subnet` (a resource's properties).
fn subnet_of(v: &Value) -> Option<(ArmId, String, crate::model::Loc)> {
    let holder = v.get("properties").unwrap_or(v);
    let id = holder.get("subnet")?.get("id")?;
    let sid = ArmId::parse(id.text_or_symbol()?).ok()?;
    if sid.types.len() != 2 || !sid.is_type("Microsoft.Network", &["virtualNetworks", "subnets"]) {
        return None;
    }
    let name = sid.name().to_string();
    Some((sid.ancestor(1), name, id.at))
}

/// A peering declaration (`{name, properties}`) that sets `useRemoteGateways: true`.
fn remote_gateway_use(step: usize, id: &str, p: &Value) -> Option<RemoteGatewayUse> {
    let props = p.get("properties")?;
    let flag = props.get("useRemoteGateways")?;
    if !matches!(flag.v, Val::Bool(true)) {
        return None;
    }
    let remote = props
        .get("remoteVirtualNetwork")?
        .get("id")?
        .text_or_symbol()?;
    let RemoteKind::Vnet(remote) = classify_remote(remote) else {
        return None;
    };
    let pid = ArmId::parse(id).ok()?;
    let name = match pid.types.as_slice() {
        [(_, vnet), (_, peering)] => format!("{vnet}/{peering}"),
        _ => return None,
    };
    Some(RemoteGatewayUse {
        step: step as u32,
        peering: id.to_string(),
        name,
        remote: remote.key(),
        remote_name: remote.name().to_string(),
        loc: flag.at,
    })
}
