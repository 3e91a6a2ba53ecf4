//! Graph queries and wording shared by rules and renderers: names for messages, the prefixes a
//! link peers, the reachability engine's answers in words.

use crate::graph::Graph;
use crate::model::*;
use crate::reach::{Answer, NextHop, Step};

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

/// Related labels for the gateways a template declares for `v` under a false condition: the
/// condition, and the value that decides it when that is elsewhere.
pub fn absent_gateways(v: &Vnet) -> Vec<(Loc, String)> {
    let mut labels = Vec::new();
    for (name, condition, deciding) in &v.absent_gateways {
        labels.push((
            *condition,
            format!("gateway `{name}` is not deployed: its condition is false"),
        ));
        if deciding != condition {
            labels.push((*deciding, "this value decides the condition".into()));
        }
    }
    labels
}

/// How an endpoint of an intent is shown in messages.
pub fn endpoint_text(e: &Endpoint) -> String {
    match e {
        Endpoint::Vnet(v) => format!("`{v}`"),
        Endpoint::Subnet(v, s) => format!("`{v}/{s}`"),
        Endpoint::Prefix(p) => format!("{p}"),
    }
}

/// One step of a reachability answer in words.
pub fn step_text(g: &Graph, step: &Step) -> String {
    let name = |v| vnet_name(g, v);
    match *step {
        Step::Inside { dest, vnet } => format!("{dest} is inside {}", name(vnet)),
        Step::Peered { a, b, .. } => format!("{} and {} are peered", name(a), name(b)),
        Step::NotInSubnetPeering { peering } => format!(
            "peering `{}` is a subnet peering, and the source subnet is not in its `localSubnetNames`",
            g.peering(peering).name
        ),
        Step::OneSided { a, c, .. } => format!(
            "the peering between {} and {} has only one side",
            name(a),
            name(c)
        ),
        Step::NotPeered { a, c, dest } => format!(
            "{} is not peered with {}, and no route of {} sends {dest} to a forwarder",
            name(a),
            name(c),
            name(a)
        ),
        Step::NoOwner {
            dest,
            unrouted_from: Some(a),
        } => format!(
            "no vnet in the inputs holds {dest}, and no route of {} covers it",
            name(a)
        ),
        Step::NoOwner {
            dest,
            unrouted_from: None,
        } => format!("no vnet in the inputs holds {dest}"),
        Step::Route {
            route,
            vnet,
            dest,
            hop,
        } => {
            let r = g.route(route);
            let to = r
                .next_hop_ip
                .as_ref()
                .map(|(ip, _)| ip.as_str())
                .unwrap_or(match hop {
                    NextHop::Gateway => "the gateway",
                    NextHop::Discard => "nowhere (next hop None)",
                    NextHop::Internet => "the internet",
                    NextHop::VnetLocal => "the local vnet",
                    NextHop::Appliance | NextHop::Other => "its next hop",
                });
            format!("route `{}` of {} sends {dest} to {to}", r.name, name(vnet))
        }
        Step::NoHopAddress { .. } => "the route has no valid next-hop address".into(),
        Step::HopNotInInputs { ip, .. } => format!("no vnet in the inputs holds the next hop {ip}"),
        Step::NoGateway { vnet, .. } => format!(
            "{} has no gateway to send it to, of its own or through `useRemoteGateways`",
            name(vnet)
        ),
        Step::GatewayNotVpn { vnet, .. } => format!(
            "the gateway of {} is no VPN gateway, and only a VPN gateway forwards traffic between vnets",
            name(vnet)
        ),
        Step::GatewayKindUnknown { vnet, .. } => format!(
            "whether the gateway of {} is a VPN gateway, which forwards traffic between vnets, can't be known from the inputs",
            name(vnet)
        ),
        Step::NotForwarding { .. } => "the route does not forward it to another vnet".into(),
        Step::HopNotPeered { b, a, .. } => format!(
            "the next hop is in {}, which is not peered with {}: peering is not transitive",
            name(b),
            name(a)
        ),
        Step::NotPeeredBothWays { b, c } => {
            format!("{} is not peered (both ways) with {}", name(b), name(c))
        }
        Step::ForwardingNotAllowed {
            peering,
            into,
            from,
        } => format!(
            "peering `{}` doesn't allow forwarded traffic, so {} drops what {} forwards",
            g.peering(peering).name,
            name(into),
            name(from)
        ),
        Step::NoRouteBack { c, src_net, b, .. } => format!(
            "{} has no route back to {src_net} through {}",
            name(c),
            name(b)
        ),
        Step::Forwards { b, c } => format!(
            "{} forwards it to {} over their peering, and {} routes the way back",
            name(b),
            name(c),
            name(c)
        ),
    }
}

/// Everything an answer says (how it gets there, then what is missing), as one sentence list.
pub fn explain(g: &Graph, answer: &Answer) -> String {
    answer
        .steps
        .iter()
        .chain(&answer.missing)
        .map(|s| step_text(g, s))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The steps and missing pieces of an answer that have a place, as related labels.
pub fn labels(g: &Graph, answer: &Answer) -> Vec<(Loc, String)> {
    answer
        .steps
        .iter()
        .chain(&answer.missing)
        .filter_map(|s| Some((s.loc(g)?, step_text(g, s))))
        .collect()
}
