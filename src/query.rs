//! Graph queries and wording shared by rules and renderers: names for messages, the prefixes a
//! link peers, the reachability engine's answers in words.

use crate::analysis::IntentCheck;
use crate::graph::Graph;
use crate::model::*;
use crate::reach::{Answer, Crossing, NextHop, Step};

/// "`vnet-hub`"; as the input names it when it has its own names; from Terraform, with the
/// resource's address:
/// "`vnet-hub` (`azurerm_virtual_network.hub`)".
pub fn vnet_name(g: &Graph, v: VnetId) -> String {
    let vnet = g.vnet(v);
    match (g.written_name(&vnet.key), g.terraform(&vnet.key)) {
        (Some(n), _) => format!("`{n}`"),
        (None, Some(t)) => format!("`{}` (`{}`)", vnet.name, t.address),
        (None, None) => format!("`{}`", vnet.name),
    }
}

/// "`vnet-hub/hub-to-spoke1`"; as the input names it when it has its own names (GruCloud's
/// "`VirtualNetworkPeering hub-to-spoke1`"); from Terraform, with the resource's address:
/// "`vnet-hub/hub-to-spoke1` (`azurerm_virtual_network_peering.hub_to_spoke1`)".
pub fn peering_name(g: &Graph, p: PeeringId) -> String {
    let peering = g.peering(p);
    if let Some(n) = g.written_name(&peering.id) {
        return format!("`{n}`");
    }
    let name = format!("`{}/{}`", g.vnet(peering.local).name, peering.name);
    match g.terraform(&peering.id) {
        Some(t) => format!("{name} (`{}`)", t.address),
        None => name,
    }
}

/// Where the prefixes of one side of a link were read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpaceOf {
    /// The vnet's own definition (for a design spec's `external` vnet, its `address_space`).
    Vnet,
    /// The copy an export of the link recorded (`remoteAddressSpace`,
    /// `remoteVirtualNetworkAddressSpace`): the remote vnet itself is not in the inputs.
    Recorded,
}

/// Prefixes of one side of a link, and where they were read.
pub struct SidePrefixes<'g> {
    pub prefixes: Vec<&'g Prefix>,
    pub from: SpaceOf,
}

/// Whether a link peers only IPv6 prefixes (`enableOnlyIPv6Peering`). A flag a template
/// computes only at deployment counts as set: the IPv6 prefixes are peered either way, so what
/// is concluded from them alone holds whatever the flag turns out to be. The flag is honoured
/// on a full peering too (Azure documents it for subnet peering only; comparing fewer
/// prefixes never makes a false overlap).
pub fn only_ipv6(p: &Peering) -> bool {
    p.only_ipv6.value || p.only_ipv6.unresolved
}

/// Valid prefixes of a list, only the IPv6 ones when `v6` is set.
fn valid<'g>(list: &'g PrefixList, v6: bool) -> impl Iterator<Item = &'g Prefix> + 'g {
    list.prefixes.iter().filter(move |p| {
        p.net()
            .is_some_and(|n| !v6 || matches!(n, ipnet::IpNet::V6(_)))
    })
}

/// The vnet on one side of a peering (`local` picks it) and whether the inputs describe its
/// address space themselves: a defined vnet, or a spec's `external` vnet with `address_space`.
fn side_vnet(g: &Graph, p: &Peering, local: bool) -> Option<(VnetId, bool)> {
    let v = if local { p.local } else { p.remote_vnet()? };
    let vnet = g.vnet(v);
    Some((
        v,
        vnet.defined || (vnet.external && vnet.address_space.is_some()),
    ))
}

/// The prefixes one side of a peering contributes: the whole address space for a full peering,
/// the listed subnets' prefixes for a subnet peering, and of those only the IPv6 ones when the
/// link peers only IPv6 (see [`only_ipv6`]). `local` picks the side. A remote vnet that is not
/// in the inputs contributes what an export of the link recorded of it (`remoteAddressSpace`,
/// for a full peering else `remoteVirtualNetworkAddressSpace`).
///
/// `None` when they can't be known: a vnet not in the inputs and nothing recorded, no address
/// space, a subnet peering whose subnets can't be resolved, or a `peerCompleteVnets` computed
/// only at deployment without subnet lists. With such a `peerCompleteVnets` and the lists
/// written, the listed subnets are what is certainly peered (a full peering peers them too).
pub fn peered_prefixes(g: &Graph, p: PeeringId, local: bool) -> Option<SidePrefixes<'_>> {
    let peering = g.peering(p);
    let v6 = only_ipv6(peering);
    let subnet_peering = peering.is_subnet_peering() || peering.peer_complete_vnets.unresolved;
    let (v, described) = side_vnet(g, peering, local)?;
    let vnet = g.vnet(v);
    if !described {
        if local {
            return None;
        }
        let recorded = if subnet_peering {
            // Only a subnet peering's programmed copy is limited to the peered subnets.
            peering.remote_address_space.as_ref()
        } else {
            peering
                .remote_address_space
                .as_ref()
                .or(peering.remote_vnet_address_space.as_ref())
        };
        return Some(SidePrefixes {
            prefixes: valid(recorded?, v6).collect(),
            from: SpaceOf::Recorded,
        });
    }
    let prefixes = if subnet_peering {
        let list = if local {
            peering.local_subnets.as_ref()
        } else {
            peering.remote_subnets.as_ref()
        };
        if !vnet.defined {
            return None; // an external vnet's subnets aren't known
        }
        let mut out = Vec::new();
        for (name, _) in &list?.names {
            if let Some(s) = g.subnet(v, name) {
                out.extend(s.prefixes.iter().flat_map(|l| valid(l, v6)));
            }
        }
        out
    } else {
        valid(vnet.address_space.as_ref()?, v6).collect()
    };
    Some(SidePrefixes {
        prefixes,
        from: SpaceOf::Vnet,
    })
}

/// The whole address space of one side of a peering, as the other side's peered prefixes are
/// compared with it: only its IPv6 prefixes when the link peers only IPv6. A remote vnet not
/// in the inputs has the space an export of the link recorded (for a subnet peering
/// `remoteVirtualNetworkAddressSpace`, else the copy [`peered_prefixes`] reads). `None` when
/// unknown.
pub fn side_space(g: &Graph, p: PeeringId, local: bool) -> Option<SidePrefixes<'_>> {
    let peering = g.peering(p);
    let v6 = only_ipv6(peering);
    let (v, described) = side_vnet(g, peering, local)?;
    if described {
        return Some(SidePrefixes {
            prefixes: valid(g.vnet(v).address_space.as_ref()?, v6).collect(),
            from: SpaceOf::Vnet,
        });
    }
    if local {
        return None;
    }
    // A full peering programs the whole space: the same copy as its peered prefixes.
    let (first, second) = if peering.is_subnet_peering() || peering.peer_complete_vnets.unresolved {
        (
            &peering.remote_vnet_address_space,
            &peering.remote_address_space,
        )
    } else {
        (
            &peering.remote_address_space,
            &peering.remote_vnet_address_space,
        )
    };
    let recorded = first.as_ref().or(second.as_ref())?;
    Some(SidePrefixes {
        prefixes: valid(recorded, v6).collect(),
        from: SpaceOf::Recorded,
    })
}

/// How a prefix is named in a label: "`10.1.0.0/16` in `vnet-b`", or for a recorded copy
/// "`10.1.0.0/16` of `vnet-b` as recorded in the export of peering `vnet-a/a-to-b`".
pub fn prefix_label(
    g: &Graph,
    prefix: &Prefix,
    v: VnetId,
    from: SpaceOf,
    link: PeeringId,
) -> String {
    match from {
        SpaceOf::Vnet => format!("`{}` in {}", prefix.text, vnet_name(g, v)),
        SpaceOf::Recorded => format!(
            "`{}` of {} as recorded in the export of peering {}",
            prefix.text,
            vnet_name(g, v),
            peering_name(g, link)
        ),
    }
}

/// The Terraform resource with id (or vnet key) `id` and its planned change, when the plan
/// updates it in place.
pub fn updated_in_place<'g>(g: &'g Graph, id: &str) -> Option<(&'g TfResource, &'g PlannedChange)> {
    let t = g.terraform(id)?;
    let c = t
        .change
        .as_ref()
        .filter(|c| c.action == PlannedAction::Update)?;
    Some((t, c))
}

/// Whether an intent's source or destination vnet, or a vnet between them, may have links
/// peerlint couldn't compute: its "no path" is then unknown.
pub fn intent_links_unknown(g: &Graph, c: &IntentCheck<'_>) -> bool {
    std::iter::once(c.source.vnet)
        .chain(c.answer.dest)
        .chain(c.answer.shared.iter().copied())
        .any(|v| g.links_unknown(v))
}

/// An intent's `why`, as ` (why)` to follow what it asks for; empty when it gives none.
pub fn intent_why(i: &Intent) -> String {
    i.why
        .as_ref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default()
}

/// A list of what a finding names, the first of `total`: "`a`, `b`, `c`", or "`a`, `b` and
/// 40 more" when there are more than listed (see [`crate::prefix::LISTED`]).
pub fn listing(listed: &[String], total: usize) -> String {
    let list = listed.join(", ");
    match total.saturating_sub(listed.len()) {
        0 => list,
        more => format!("{list} and {more} more"),
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
        Step::StaysLocal { dest, vnet, named } => format!(
            "{dest} is inside {} itself, so traffic for it stays there and never reaches {}",
            name(vnet),
            name(named)
        ),
        Step::NotInSubnetPeering {
            peering,
            list,
            what,
        } => {
            let what = match what {
                Crossing::Source => "the source subnet is not".to_string(),
                Crossing::AnySubnet => "no subnet is".to_string(),
                Crossing::Forwarder(ip) => format!("the subnet of the forwarder {ip} is not"),
                Crossing::Dest(d) if d.prefix_len() == d.max_prefix_len() => {
                    format!("no subnet holding {} is", d.addr())
                }
                Crossing::Dest(d) => format!("no subnet holding {d} is"),
            };
            format!(
                "peering `{}` is a subnet peering, and {what} in its `{}`",
                g.peering(peering).name,
                list.key()
            )
        }
        Step::Ipv6Only { peering, dest } => format!(
            "peering `{}` peers only IPv6 (`enableOnlyIPv6Peering`), and {dest} is IPv4",
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
        Step::UnknownHop { route } => format!(
            "the next hop of route `{}` is known only at deployment",
            g.route(route).name
        ),
        Step::UnknownRoutePrefix { route } => format!(
            "the destination prefix of route `{}` is known only at deployment, so which route applies is unknown",
            g.route(route).name
        ),
        Step::UnknownRoutes { vnet, table } => match table {
            Some(t) => format!(
                "the routes of route table `{}` of {} are known only at deployment",
                g.route_tables()[t as usize].name,
                name(vnet)
            ),
            None => format!(
                "a route table of {} is not in the inputs, so its routes are unknown",
                name(vnet)
            ),
        },
        Step::UnknownLink { peering, property } => {
            let p = g.peering(peering);
            if property == "condition" {
                format!(
                    "peering `{}` is deployed only if its condition holds, which can't be known before deployment",
                    p.name
                )
            } else {
                format!(
                    "`{property}` of peering `{}` is known only at deployment",
                    p.name
                )
            }
        }
        Step::UnknownRemote { vnet, peering } => format!(
            "the remote vnet of peering `{}` of {} is known only at deployment; it may be the missing link",
            g.peering(peering).name,
            name(vnet)
        ),
        Step::UnknownPeerings { vnet }
            if g.unexpanded_meshes()
                .iter()
                .any(|m| m.vnets.contains(&vnet)) =>
        {
            format!(
                "{} is in a `mesh` too large to expand, so its peerings are not all known; one may be the missing link",
                name(vnet)
            )
        }
        Step::UnknownPeerings { vnet } => format!(
            "the peerings of {} are known only at deployment; one may be the missing link",
            name(vnet)
        ),
        Step::UnknownSubnets { vnet } => format!(
            "the subnets of {} or their prefixes are not all known",
            name(vnet)
        ),
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

/// The vnets (by lower-case id) of which it is unknown whether they have a gateway (an
/// unresolved `Gateways` fact of the vnet): no rule may say they have none.
pub fn gateways_unknown(g: &Graph) -> rustc_hash::FxHashSet<String> {
    g.unresolved()
        .iter()
        .filter(|u| matches!(u.blocks, Blocked::Fact(Fact::Gateways)))
        .map(|u| u.resource.to_ascii_lowercase())
        .collect()
}
