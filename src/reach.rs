//! Reachability: can traffic from a vnet (or subnet) reach a destination prefix, and why not.
//!
//! Azure routes a packet by the source subnet's effective routes: its user-defined routes
//! (longest prefix wins) over the system routes, which include the address spaces of directly
//! peered vnets. Peering is never transitive (P17): a packet crosses a second peering only when
//! a route sends it to a forwarder (an appliance, or a gateway with transit) in the vnet in the
//! middle, forwarded traffic is allowed on the links it enters through (P16), and the
//! destination routes the way back the same way. A subnet peering carries traffic only between
//! the subnets it lists, in both of its links; an IPv6-only peering carries no IPv4 traffic.
//! Only the vnets on candidate paths are looked at; nothing computes a closure of the estate.
//!
//! An answer has three outcomes: a path; no path, with what stops it; or unknown, when what
//! would decide it is a value computed only at deployment (a next hop from `reference()`, a
//! flag from a parameter) or lies outside the inputs (no vnet of the inputs holds the next
//! hop). Rules never report an error on an unknown answer.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;

use crate::graph::Graph;
use crate::model::{
    Blocked, Endpoint, Fact, Loc, NameList, Peering, PeeringId, PrefixValue, Remote, Route,
    RouteId, Subnet, Vnet, VnetId,
};
use rustc_hash::{FxHashMap as FastMap, FxHashSet as FastSet};

/// Where traffic starts: a vnet, or one of its subnets (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub vnet: VnetId,
    pub subnet: Option<usize>,
}

/// Which list of a subnet peering a step is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubnetList {
    /// `localSubnetNames`.
    Local,
    /// `remoteSubnetNames`.
    Remote,
}

impl SubnetList {
    pub fn key(self) -> &'static str {
        match self {
            SubnetList::Local => "localSubnetNames",
            SubnetList::Remote => "remoteSubnetNames",
        }
    }
}

/// What a subnet peering's list lacks for the traffic to cross it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crossing {
    /// The source subnet.
    Source,
    /// Any subnet at all (the source is a whole vnet, or the forwarder's subnet is unknown).
    AnySubnet,
    /// The subnet of the forwarder (appliance) at this address.
    Forwarder(IpAddr),
    /// A subnet holding this destination (or next hop).
    Dest(IpNet),
}

/// One step of an answer: what the engine found, as data. `a` is the source vnet, `b` the
/// vnet of the forwarder, `c` the vnet holding the destination. [`Step::loc`] says where a
/// step is written; [`crate::query::step_text`] says it in words; [`Step::is_unknown`] tells
/// the steps that leave the answer unknown from those that stop the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `dest` is in `vnet`'s own address space.
    Inside { dest: IpNet, vnet: VnetId },
    /// `dest` is in the source vnet's own address space as well as in `named`, the vnet asked
    /// about (their spaces overlap): traffic for it stays in the source vnet.
    StaysLocal {
        dest: IpNet,
        vnet: VnetId,
        named: VnetId,
    },
    /// `a` and `b` are peered, both ways; `peering` is `a`'s link.
    Peered {
        a: VnetId,
        b: VnetId,
        peering: PeeringId,
    },
    /// Subnet peering `peering`'s `list` lacks what the traffic needs.
    NotInSubnetPeering {
        peering: PeeringId,
        list: SubnetList,
        what: Crossing,
    },
    /// `peering` peers only IPv6 (`enableOnlyIPv6Peering`), and `dest` is IPv4.
    Ipv6Only { peering: PeeringId, dest: IpNet },
    /// Of the peering between `a` and `c` only one link, `peering`, exists.
    OneSided {
        a: VnetId,
        c: VnetId,
        peering: PeeringId,
    },
    /// `a` and `c` are not peered, and no route of `a` sends `dest` to a forwarder.
    NotPeered { a: VnetId, c: VnetId, dest: IpNet },
    /// No vnet of the inputs holds `dest`. `unrouted_from`: the vnet whose system routes were
    /// asked (no route of it covers `dest`); `None` past a forwarder.
    NoOwner {
        dest: IpNet,
        unrouted_from: Option<VnetId>,
    },
    /// Route `route` of `vnet`, of next-hop type `hop`, takes `dest`.
    Route {
        route: RouteId,
        vnet: VnetId,
        dest: IpNet,
        hop: NextHop,
    },
    /// The appliance route `route` has no valid next-hop address.
    NoHopAddress { route: RouteId },
    /// No vnet of the inputs that can be connected to the route's vnet holds `ip`, the next
    /// hop of `route` (unknown: the appliance may be outside the inputs).
    HopNotInInputs { ip: IpAddr, route: RouteId },
    /// `route` of `vnet` sends to a gateway, and `vnet` has none (own or remote).
    NoGateway { vnet: VnetId, route: RouteId },
    /// `route` sends to the gateway in `vnet`, which is no VPN gateway (ExpressRoute, Route
    /// Server): it forwards nothing between vnets (P16).
    GatewayNotVpn { vnet: VnetId, route: RouteId },
    /// `route` sends to the gateway in `vnet`, and whether that is a VPN gateway (which
    /// forwards) can't be known: the inputs don't say its type, or don't place a gateway.
    GatewayKindUnknown { vnet: VnetId, route: RouteId },
    /// `route` doesn't forward to another vnet (internet, none, an unknown type).
    NotForwarding { route: RouteId },
    /// The next hop of `route` is in `b`, which isn't peered with `a`.
    HopNotPeered {
        b: VnetId,
        a: VnetId,
        route: RouteId,
    },
    /// `b` and `c` are not peered both ways.
    NotPeeredBothWays { b: VnetId, c: VnetId },
    /// `peering`, the link of `into` towards `from`, doesn't allow forwarded traffic.
    ForwardingNotAllowed {
        peering: PeeringId,
        into: VnetId,
        from: VnetId,
    },
    /// `c` routes replies for `src_net` (`a`'s space) elsewhere than through `b`: by `route`,
    /// or by its system routes.
    NoRouteBack {
        c: VnetId,
        src_net: IpNet,
        b: VnetId,
        route: Option<RouteId>,
    },
    /// `b` forwards to `c` and `c` routes the way back.
    Forwards { b: VnetId, c: VnetId },
    /// Unknown: where `route` sends traffic (its next-hop type or address) is computed only at
    /// deployment.
    UnknownHop { route: RouteId },
    /// Unknown: `route`'s destination prefix is computed only at deployment, so whether it
    /// takes the traffic is unknown.
    UnknownRoutePrefix { route: RouteId },
    /// Unknown: the routes of `vnet`'s route table `table` (an index into the graph's tables,
    /// or none when the table isn't in the inputs).
    UnknownRoutes { vnet: VnetId, table: Option<u32> },
    /// Unknown: `property` of link `peering` is computed only at deployment (`condition`: the
    /// link is deployed only under a condition that can't be evaluated).
    UnknownLink {
        peering: PeeringId,
        property: &'static str,
    },
    /// Unknown: `peering` of `vnet` has a remote vnet computed only at deployment; it may be
    /// the link that is missing.
    UnknownRemote { vnet: VnetId, peering: PeeringId },
    /// Unknown: the subnets of `vnet`, or their prefixes, are not all known (computed at
    /// deployment, or the vnet is owned elsewhere).
    UnknownSubnets { vnet: VnetId },
    /// Unknown: `vnet`'s list of peerings is computed only at deployment; it may hold the link
    /// that is missing.
    UnknownPeerings { vnet: VnetId },
}

impl Step {
    /// Where the step is written, when it is in the inputs.
    pub fn loc(&self, g: &Graph) -> Option<Loc> {
        match *self {
            Step::Peered { peering, .. } | Step::OneSided { peering, .. } => {
                Some(g.peering(peering).label_loc())
            }
            Step::NotInSubnetPeering { peering, list, .. } => {
                let p = g.peering(peering);
                let names = match list {
                    SubnetList::Local => &p.local_subnets,
                    SubnetList::Remote => &p.remote_subnets,
                };
                Some(names.as_ref().map(|l| l.loc).unwrap_or(p.label_loc()))
            }
            Step::Ipv6Only { peering, .. } => {
                let p = g.peering(peering);
                Some(p.flag_loc(&p.only_ipv6))
            }
            Step::ForwardingNotAllowed { peering, .. } => {
                let p = g.peering(peering);
                Some(p.flag_loc(&p.allow_forwarded_traffic))
            }
            Step::UnknownLink { peering, property } => {
                let p = g.peering(peering);
                let flag = match property {
                    "enableOnlyIPv6Peering" => Some(&p.only_ipv6),
                    "peerCompleteVnets" => Some(&p.peer_complete_vnets),
                    "allowForwardedTraffic" => Some(&p.allow_forwarded_traffic),
                    "useRemoteGateways" => Some(&p.use_remote_gateways),
                    _ => None,
                };
                let list = match property {
                    "localSubnetNames" => p.local_subnets.as_ref().map(|l| l.loc),
                    "remoteSubnetNames" => p.remote_subnets.as_ref().map(|l| l.loc),
                    _ => None,
                };
                Some(
                    flag.map(|f| p.flag_loc(f))
                        .or(list)
                        .or_else(|| g.condition(&p.id))
                        .unwrap_or(p.label_loc()),
                )
            }
            Step::UnknownRemote { peering, .. } => Some(g.peering(peering).remote_loc()),
            Step::Route { route, .. }
            | Step::NoHopAddress { route }
            | Step::NoGateway { route, .. }
            | Step::GatewayNotVpn { route, .. }
            | Step::GatewayKindUnknown { route, .. }
            | Step::NotForwarding { route }
            | Step::UnknownRoutePrefix { route }
            | Step::HopNotPeered { route, .. } => Some(g.route(route).loc),
            Step::HopNotInInputs { route, .. } | Step::UnknownHop { route } => {
                let r = g.route(route);
                Some(r.next_hop_ip.as_ref().map(|(_, l)| *l).unwrap_or(r.loc))
            }
            Step::UnknownRoutes { table, vnet } => match table {
                Some(t) => Some(g.route_tables()[t as usize].loc),
                None => Some(g.vnet(vnet).label_loc()),
            },
            Step::UnknownSubnets { vnet } | Step::UnknownPeerings { vnet } => {
                Some(g.vnet(vnet).label_loc())
            }
            Step::NoRouteBack { route, .. } => route.map(|r| g.route(r).loc),
            Step::Inside { .. }
            | Step::StaysLocal { .. }
            | Step::NotPeered { .. }
            | Step::NoOwner { .. }
            | Step::NotPeeredBothWays { .. }
            | Step::Forwards { .. } => None,
        }
    }

    /// Whether the step leaves the answer unknown (rather than stopping the traffic).
    pub fn is_unknown(&self) -> bool {
        matches!(
            self,
            Step::UnknownHop { .. }
                | Step::UnknownRoutePrefix { .. }
                | Step::UnknownRoutes { .. }
                | Step::UnknownLink { .. }
                | Step::UnknownRemote { .. }
                | Step::UnknownSubnets { .. }
                | Step::UnknownPeerings { .. }
                | Step::GatewayKindUnknown { .. }
                | Step::HopNotInInputs { .. }
        )
    }
}

/// What a route's next-hop type does with the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHop {
    /// `VirtualAppliance`: to the route's next-hop address.
    Appliance,
    /// `VirtualNetworkGateway`: to the gateway the vnet uses.
    Gateway,
    /// `VnetLocal`: by the system routes.
    VnetLocal,
    /// `Internet`.
    Internet,
    /// `None`: dropped.
    Discard,
    /// Missing, or a type peerlint doesn't know.
    Other,
}

impl NextHop {
    pub fn of(r: &Route) -> NextHop {
        let t = r
            .next_hop_type
            .as_ref()
            .map(|(t, _)| t.to_ascii_lowercase())
            .unwrap_or_default();
        match t.as_str() {
            "virtualappliance" => NextHop::Appliance,
            "virtualnetworkgateway" => NextHop::Gateway,
            "vnetlocal" => NextHop::VnetLocal,
            "internet" => NextHop::Internet,
            "none" => NextHop::Discard,
            _ => NextHop::Other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Path {
    /// The destination is in the source vnet.
    Local,
    /// Through the peering between the two vnets (both links present).
    Direct { to: VnetId },
    /// Through a forwarder in `via`.
    Forwarded { via: VnetId, to: VnetId },
}

/// The answer for one source and destination prefix.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The path, when traffic gets there.
    pub path: Option<Path>,
    /// How it gets there (the route, the links), or the first thing that stops it.
    pub steps: Vec<Step>,
    /// What is missing for a path (empty when there is one), or what leaves it unknown.
    pub missing: Vec<Step>,
    /// The vnet owning the destination, when known.
    pub dest: Option<VnetId>,
    /// Vnets peered (both ways) with both the source and the destination vnet.
    pub shared: Vec<VnetId>,
    /// The source subnet's name, when the source is a subnet.
    pub source_subnet: Option<String>,
}

impl Answer {
    /// Whether the answer can't be known offline: no path was found, and everything that
    /// stands in the way is a value computed only at deployment or outside the inputs.
    pub fn is_unknown(&self) -> bool {
        self.path.is_none() && !self.missing.is_empty() && self.missing.iter().all(Step::is_unknown)
    }
}

/// A destination as asked: its prefixes, and the vnet named, when one was.
#[derive(Clone, Debug)]
pub struct Destination {
    pub nets: Vec<IpNet>,
    /// The vnet the endpoint names (a vnet or one of its subnets), to answer about that vnet
    /// even where another one holds the same prefixes.
    pub vnet: Option<VnetId>,
}

/// What the engine looks things up in: address blocks by owner, route tables by id, vnets by
/// name, what templates left unknown, and which vnets can be connected at all. Built on the
/// engine's first lookup; one per run, in [`crate::analysis::Analyses`], shared by every rule.
pub struct Index {
    /// (network, vnet), sorted by family, first address, prefix length.
    blocks: Vec<(IpNet, VnetId)>,
    tables: FastMap<String, usize>,
    /// Defined vnets by lower-case name (several when ambiguous).
    names: FastMap<String, Vec<VnetId>>,
    /// (lower-case resource id, fact) of the values templates compute only at deployment.
    unknown_facts: FastSet<(Box<str>, Fact)>,
    /// Per vnet: its first peering whose remote vnet is computed only at deployment.
    unknown_remote: Vec<Option<PeeringId>>,
    /// Per vnet: the design it belongs to. Vnets of one design can be connected: they share a
    /// deployment scope (subscription and resource group, or a template folder's placeholder
    /// scope) or a chain of peerings links them. Vnets of unrelated designs checked in one
    /// run never are.
    design: Vec<u32>,
}

/// Union-find root of `x`, halving paths on the way.
fn root(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

fn join(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (root(parent, a), root(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

/// The design of each vnet (see [`Index::design`]): one union-find pass over the peerings and
/// the vnets' deployment scopes, near-linear.
fn designs(g: &Graph) -> Vec<u32> {
    let n = g.vnets().count();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for (_, p) in g.peerings() {
        if let Some(r) = p.remote_vnet() {
            join(&mut parent, p.local.0, r.0);
        }
    }
    let mut scopes: FastMap<String, u32> = FastMap::default();
    for (v, vnet) in g.vnets() {
        let Ok(id) = crate::id::ArmId::parse(&vnet.id) else {
            continue;
        };
        let scope = format!("{}/{}", id.subscription, id.resource_group).to_ascii_lowercase();
        match scopes.get(&scope) {
            Some(&w) => join(&mut parent, v.0, w),
            None => {
                scopes.insert(scope, v.0);
            }
        }
    }
    (0..n as u32).map(|v| root(&mut parent, v)).collect()
}

impl Index {
    fn build(g: &Graph) -> Index {
        let mut blocks: Vec<(IpNet, VnetId)> = g
            .vnets()
            .flat_map(|(id, v)| v.space_nets().map(move |n| (n, id)))
            .collect();
        blocks.sort_by_key(|(n, v)| (key(n), *v));
        let tables = g
            .route_tables()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key.clone(), i))
            .collect();
        let mut names: FastMap<String, Vec<VnetId>> = FastMap::default();
        for (id, v) in g.vnets().filter(|(_, v)| v.defined || v.external) {
            names
                .entry(v.name.to_ascii_lowercase())
                .or_default()
                .push(id);
        }
        let unknown_facts = g
            .unresolved()
            .iter()
            .filter_map(|u| match u.blocks {
                Blocked::Fact(f) => Some((u.resource.to_ascii_lowercase().into_boxed_str(), f)),
                _ => None,
            })
            .collect();
        let mut unknown_remote = vec![None; g.vnets().count()];
        for (pid, p) in g.peerings() {
            if matches!(p.remote, Remote::Unresolved { .. }) {
                unknown_remote[p.local.0 as usize].get_or_insert(pid);
            }
        }
        Index {
            blocks,
            tables,
            names,
            unknown_facts,
            unknown_remote,
            design: designs(g),
        }
    }
}

/// The engine over one graph.
#[derive(Clone, Copy)]
pub struct Reach<'g> {
    g: &'g Graph,
    /// Built on the first lookup that needs it: answering whether two vnets are peered doesn't.
    ix: &'g OnceLock<Index>,
}

fn key(n: &IpNet) -> (u8, u128, u8) {
    match n {
        IpNet::V4(v) => (4, u32::from(v.network()) as u128, v.prefix_len()),
        IpNet::V6(v) => (6, u128::from(v.network()), v.prefix_len()),
    }
}

/// Whether two prefixes share addresses.
fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// The outcome of checking one condition of a path: it holds, it fails (a step that stops the
/// traffic), or it can't be known (a step that leaves the answer unknown).
type Check = Result<(), Step>;

/// The first failure of several checks, preferring a definite one to an unknown one.
fn worst(checks: impl IntoIterator<Item = Check>) -> Check {
    let mut unknown = None;
    for c in checks {
        match c {
            Err(s) if !s.is_unknown() => return Err(s),
            Err(s) => {
                unknown.get_or_insert(s);
            }
            Ok(()) => {}
        }
    }
    unknown.map_or(Ok(()), Err)
}

/// Where traffic crossing a link starts: a subnet of the vnet (by index) or any of them, and
/// how to name what a subnet list lacks.
#[derive(Clone, Copy, Debug)]
struct From {
    subnet: Option<usize>,
    what: Crossing,
}

impl<'g> Reach<'g> {
    /// The engine over `g`, with the place for its lookups (empty until first needed).
    pub fn new(g: &'g Graph, ix: &'g OnceLock<Index>) -> Reach<'g> {
        Reach { g, ix }
    }

    fn ix(&self) -> &'g Index {
        self.ix.get_or_init(|| Index::build(self.g))
    }

    /// The vnets whose address space holds `net`, most specific first. Scanning back from the
    /// last block starting at or before `net`, a block that contains it starts later the more
    /// specific it is. Bounded: unrelated blocks in between are skipped a few thousand at most.
    fn holders(&self, net: IpNet) -> impl Iterator<Item = VnetId> + '_ {
        let k = key(&net);
        let blocks = &self.ix().blocks;
        let end = blocks.partition_point(|(n, _)| key(n) <= k);
        blocks[..end]
            .iter()
            .rev()
            .take(4096)
            .filter(move |(n, _)| n.contains(&net))
            .map(|(_, v)| *v)
    }

    /// The vnet whose address space holds `net`, the most specific when several do.
    pub fn owner(&self, net: IpNet) -> Option<VnetId> {
        self.holders(net).next()
    }

    pub fn owner_of_ip(&self, ip: IpAddr) -> Option<VnetId> {
        self.owner(IpNet::from(ip))
    }

    /// Whether two vnets belong to one design (see [`Index::design`]).
    pub fn same_design(&self, a: VnetId, b: VnetId) -> bool {
        let d = &self.ix().design;
        d[a.0 as usize] == d[b.0 as usize]
    }

    /// The vnet holding a next hop seen from `a`: `a` itself or a directly peered vnet when
    /// one holds it, else one of `a`'s design. A vnet of an unrelated design found elsewhere
    /// in the same run never is: the appliance is then outside the inputs.
    pub fn hop_owner(&self, a: VnetId, ip: IpAddr) -> Option<VnetId> {
        let holders: Vec<VnetId> = self.holders(IpNet::from(ip)).collect();
        holders
            .iter()
            .find(|&&v| v == a)
            .or_else(|| holders.iter().find(|&&v| self.connected(a, v).is_some()))
            .or_else(|| holders.iter().find(|&&v| self.same_design(a, v)))
            .copied()
    }

    /// The vnet holding a destination seen from `a`: a directly peered one when one holds it,
    /// else one of `a`'s design, else any (the most specific).
    fn dest_owner(&self, a: VnetId, net: IpNet) -> Option<VnetId> {
        let holders: Vec<VnetId> = self.holders(net).collect();
        holders
            .iter()
            .find(|&&v| self.connected(a, v).is_some())
            .or_else(|| holders.iter().find(|&&v| self.same_design(a, v)))
            .or(holders.first())
            .copied()
    }

    /// A vnet by name or id, when exactly one matches; the error suggests a close name.
    pub fn vnet(&self, name: &str) -> Result<VnetId, String> {
        if name.starts_with('/') {
            let lower = name.to_ascii_lowercase();
            return self
                .g
                .vnets()
                .find(|(_, v)| v.key == lower)
                .map(|(id, _)| id)
                .ok_or_else(|| format!("no vnet with id `{name}` in the inputs"));
        }
        match self
            .ix()
            .names
            .get(&name.to_ascii_lowercase())
            .map(Vec::as_slice)
        {
            Some([one]) => Ok(*one),
            Some(many) if many.len() > 1 => Err(format!(
                "`{name}` names {} vnets; use the full id",
                many.len()
            )),
            _ => {
                let names = self
                    .g
                    .vnets()
                    .filter(|(_, v)| v.defined || v.external)
                    .map(|(_, v)| v.name.as_str());
                Err(match crate::suggest::closest(name, names) {
                    Some(s) => format!("no vnet named `{name}` in the inputs; did you mean `{s}`?"),
                    None => format!("no vnet named `{name}` in the inputs"),
                })
            }
        }
    }

    /// The subnet of `vnet` named `s` (its index); the error suggests a close name.
    fn subnet_index(&self, vnet: VnetId, v: &str, s: &str) -> Result<usize, String> {
        let subnets = &self.g.vnet(vnet).subnets;
        subnets
            .iter()
            .position(|x| x.name.eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                match crate::suggest::closest(s, subnets.iter().map(|x| x.name.as_str())) {
                    Some(close) => {
                        format!("vnet `{v}` has no subnet `{s}`; did you mean `{close}`?")
                    }
                    None => format!("vnet `{v}` has no subnet `{s}`"),
                }
            })
    }

    /// An intent endpoint as a source: a vnet or one of its subnets.
    pub fn source(&self, e: &Endpoint) -> Result<Source, String> {
        match e {
            Endpoint::Vnet(n) => Ok(Source {
                vnet: self.vnet(n)?,
                subnet: None,
            }),
            Endpoint::Subnet(v, s) => {
                let vnet = self.vnet(v)?;
                Ok(Source {
                    vnet,
                    subnet: Some(self.subnet_index(vnet, v, s)?),
                })
            }
            Endpoint::Prefix(p) => self
                .owner(*p)
                .map(|vnet| Source { vnet, subnet: None })
                .ok_or_else(|| format!("no vnet in the inputs holds {p}")),
        }
    }

    /// An intent endpoint as destination prefixes, with the vnet it names.
    pub fn destination(&self, e: &Endpoint) -> Result<Destination, String> {
        match e {
            Endpoint::Prefix(p) => Ok(Destination {
                nets: vec![*p],
                vnet: None,
            }),
            Endpoint::Vnet(n) => {
                let v = self.vnet(n)?;
                let vnet = self.g.vnet(v);
                let nets: Vec<IpNet> = vnet.space_nets().collect();
                let computed = vnet.address_space.as_ref().is_some_and(|l| {
                    l.prefixes
                        .iter()
                        .any(|p| p.parsed == PrefixValue::Unresolved)
                });
                if nets.is_empty() && computed {
                    Err(format!(
                        "the address space of `{n}` is known only at deployment"
                    ))
                } else if nets.is_empty() {
                    Err(format!("the address space of `{n}` is not known"))
                } else {
                    Ok(Destination {
                        nets,
                        vnet: Some(v),
                    })
                }
            }
            Endpoint::Subnet(v, s) => {
                let vnet = self.vnet(v)?;
                let i = self.subnet_index(vnet, v, s)?;
                let nets: Vec<IpNet> = self.g.vnet(vnet).subnets[i].nets().collect();
                if nets.is_empty() {
                    Err(format!("the prefix of `{v}/{s}` is not known"))
                } else {
                    Ok(Destination {
                        nets,
                        vnet: Some(vnet),
                    })
                }
            }
        }
    }

    /// Both links of the peering between `a` and `b`, when both exist. A vnet owned
    /// elsewhere (a spec's `external`) is taken to have its side: (link, its link if known).
    pub fn connected(&self, a: VnetId, b: VnetId) -> Option<(PeeringId, PeeringId)> {
        let (ab, ba) = (self.g.between(a, b), self.g.between(b, a));
        match (ab, ba) {
            (Some(x), Some(y)) => Some((x, y)),
            (Some(x), None) if self.g.vnet(b).external => Some((x, x)),
            (None, Some(y)) if self.g.vnet(a).external => Some((y, y)),
            _ => None,
        }
    }

    /// Whether a link the inputs don't show between `a` and `c` may still exist: one of them
    /// has a list of peerings, or a peering whose remote vnet, computed only at deployment.
    fn maybe_linked(&self, a: VnetId, c: VnetId) -> Option<Step> {
        let ix = self.ix();
        [a, c].into_iter().find_map(|v| {
            let key = self.g.vnet(v).key.as_str();
            // Also a list peerlint couldn't compute whole (an entry, a loop of unknown count).
            if self.g.peerings_unknown(v).is_some()
                || !ix.unknown_facts.is_empty()
                    && ix.unknown_facts.contains(&(Box::from(key), Fact::Peerings))
            {
                return Some(Step::UnknownPeerings { vnet: v });
            }
            ix.unknown_remote[v.0 as usize].map(|peering| Step::UnknownRemote { vnet: v, peering })
        })
    }

    /// The user-defined routes that apply to a source: its subnet's table, or for a whole vnet
    /// the tables of all its subnets.
    pub fn routes(&self, s: Source) -> Vec<RouteId> {
        self.tables(s)
            .into_iter()
            .flatten()
            .flat_map(|t| {
                (0..self.g.route_tables()[t].routes.len()).map(move |i| RouteId {
                    table: t as u32,
                    route: i as u32,
                })
            })
            .collect()
    }

    /// The route tables of a source's subnets (None for a table named but not in the inputs).
    fn tables(&self, s: Source) -> Vec<Option<usize>> {
        let v = self.g.vnet(s.vnet);
        let subnets: Vec<usize> = match s.subnet {
            Some(i) => vec![i],
            None => (0..v.subnets.len()).collect(),
        };
        let mut out = Vec::new();
        for i in subnets {
            let Some((id, _)) = &v.subnets[i].route_table else {
                continue;
            };
            let key = crate::id::ArmId::parse(id)
                .map(|a| a.key())
                .unwrap_or_else(|_| id.to_ascii_lowercase());
            let t = self.ix().tables.get(&key).copied();
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// The route a packet for `dest` takes: the longest prefix containing it.
    pub fn route_for(&self, s: Source, dest: IpNet) -> Option<RouteId> {
        self.pick_route(s, dest).ok().flatten()
    }

    /// The route a packet for `dest` takes (`None`: the system routes), or the step that makes
    /// it unknown: a route table that isn't in the inputs or whose routes are computed at
    /// deployment, or a route whose prefix is, and that could be longer than the known one.
    fn pick_route(&self, s: Source, dest: IpNet) -> Result<Option<RouteId>, Step> {
        let g = self.g;
        let mut best: Option<(u8, RouteId)> = None;
        let mut unknown: Option<RouteId> = None;
        for t in self.tables(s) {
            let Some(t) = t.filter(|&t| !g.route_tables()[t].routes_unknown) else {
                return Err(Step::UnknownRoutes {
                    vnet: s.vnet,
                    table: t.map(|t| t as u32),
                });
            };
            for i in 0..g.route_tables()[t].routes.len() {
                let id = RouteId {
                    table: t as u32,
                    route: i as u32,
                };
                match g.route(id).prefix.as_ref().map(|p| (&p.parsed, p.net())) {
                    Some((_, Some(n)))
                        if n.contains(&dest)
                            && best.is_none_or(|(len, _)| n.prefix_len() > len) =>
                    {
                        best = Some((n.prefix_len(), id));
                    }
                    Some((PrefixValue::Unresolved, _)) => {
                        unknown.get_or_insert(id);
                    }
                    _ => {}
                }
            }
        }
        match (unknown, best) {
            // A known /32 (or /128) can't be beaten.
            (Some(_), Some((len, id))) if len == dest.max_prefix_len() => Ok(Some(id)),
            (Some(u), _) => Err(Step::UnknownRoutePrefix { route: u }),
            (None, best) => Ok(best.map(|(_, id)| id)),
        }
    }

    /// Whether `(peering, fact)` is a value a template computes only at deployment.
    fn unknown_fact(&self, p: &Peering, fact: Fact) -> bool {
        let ix = self.ix();
        !ix.unknown_facts.is_empty()
            && ix
                .unknown_facts
                .contains(&(p.id.to_ascii_lowercase().into_boxed_str(), fact))
    }

    /// Whether traffic from `from` in `a` for `dest` (of the family of `family`) may cross the
    /// peering between `a` and `b`: `ab` is `a`'s link, `ba` `b`'s (the same link when `b` is
    /// owned elsewhere). Each link must carry it: IPv4 doesn't cross an IPv6-only link, and a
    /// subnet peering carries it only from a subnet its list names on `a`'s side to one on
    /// `b`'s side holding `dest` (`None`: anywhere in `b`).
    fn crosses(
        &self,
        (a, ab): (VnetId, PeeringId),
        (b, ba): (VnetId, PeeringId),
        from: From,
        dest: Option<IpNet>,
        family: IpNet,
    ) -> Check {
        let g = self.g;
        let mut links = vec![(ab, SubnetList::Local, SubnetList::Remote)];
        if ba != ab {
            links.push((ba, SubnetList::Remote, SubnetList::Local));
        }
        worst(links.into_iter().map(|(pid, src_list, dst_list)| {
            let p = g.peering(pid);
            if g.condition(&p.id).is_some() {
                return Err(Step::UnknownLink {
                    peering: pid,
                    property: "condition",
                });
            }
            if matches!(family, IpNet::V4(_)) && (p.only_ipv6.value || p.only_ipv6.unresolved) {
                return Err(if p.only_ipv6.unresolved {
                    Step::UnknownLink {
                        peering: pid,
                        property: "enableOnlyIPv6Peering",
                    }
                } else {
                    Step::Ipv6Only {
                        peering: pid,
                        dest: family,
                    }
                });
            }
            if p.peer_complete_vnets.unresolved {
                return Err(Step::UnknownLink {
                    peering: pid,
                    property: "peerCompleteVnets",
                });
            }
            if !p.is_subnet_peering() {
                return Ok(());
            }
            let list = |which: SubnetList| match which {
                SubnetList::Local => &p.local_subnets,
                SubnetList::Remote => &p.remote_subnets,
            };
            worst([
                self.source_listed(pid, list(src_list), src_list, g.vnet(a), from),
                match dest {
                    Some(d) => self.dest_listed(pid, list(dst_list), dst_list, b, d),
                    None => Ok(()),
                },
            ])
        }))
    }

    /// Whether a subnet peering's list on the traffic's side names where it starts.
    fn source_listed(
        &self,
        pid: PeeringId,
        names: &Option<Box<NameList>>,
        list: SubnetList,
        vnet: &Vnet,
        from: From,
    ) -> Check {
        let p = self.g.peering(pid);
        let listed = |n: &str| {
            names
                .as_ref()
                .is_some_and(|l| l.names.iter().any(|(x, _)| x.eq_ignore_ascii_case(n)))
        };
        let found = match from.subnet {
            Some(i) => listed(&vnet.subnets[i].name),
            None => names.as_ref().is_some_and(|l| !l.names.is_empty()),
        };
        if found {
            Ok(())
        } else if self.unknown_fact(p, Fact::PeeredSubnetNames) {
            Err(Step::UnknownLink {
                peering: pid,
                property: list.key(),
            })
        } else {
            Err(Step::NotInSubnetPeering {
                peering: pid,
                list,
                what: if from.subnet.is_some() {
                    from.what
                } else {
                    Crossing::AnySubnet
                },
            })
        }
    }

    /// Whether a subnet peering's list on the far side names a subnet of `b` holding `dest`.
    fn dest_listed(
        &self,
        pid: PeeringId,
        names: &Option<Box<NameList>>,
        list: SubnetList,
        b: VnetId,
        dest: IpNet,
    ) -> Check {
        let p = self.g.peering(pid);
        let vnet = self.g.vnet(b);
        let mut unknown = !vnet.defined;
        for (name, _) in names.iter().flat_map(|l| &l.names) {
            match self.g.subnet(b, name) {
                Some(s) => {
                    if s.nets().any(|n| overlaps(&n, &dest)) {
                        return Ok(());
                    }
                    unknown |= subnet_prefixes_unknown(s);
                }
                None => unknown = true, // unknown-peered-subnet's finding, or unknown subnets
            }
        }
        if self.unknown_fact(p, Fact::PeeredSubnetNames) {
            Err(Step::UnknownLink {
                peering: pid,
                property: list.key(),
            })
        } else if unknown {
            Err(Step::UnknownSubnets { vnet: b })
        } else {
            Err(Step::NotInSubnetPeering {
                peering: pid,
                list,
                what: Crossing::Dest(dest),
            })
        }
    }

    /// Where traffic leaves a forwarder at `ip` in `v`: the subnet holding the address.
    fn forwarder(&self, v: VnetId, ip: Option<IpAddr>) -> From {
        let Some(ip) = ip else {
            return From {
                subnet: None,
                what: Crossing::AnySubnet,
            };
        };
        let net = IpNet::from(ip);
        From {
            subnet: self
                .g
                .vnet(v)
                .subnets
                .iter()
                .position(|s| s.nets().any(|n| n.contains(&net))),
            what: Crossing::Forwarder(ip),
        }
    }

    /// The vnet whose gateway `a` uses: its own, or its hub's through `useRemoteGateways`;
    /// the step that leaves it unknown when a `useRemoteGateways` is computed at deployment.
    fn gateway_of(&self, a: VnetId) -> Result<Option<VnetId>, Step> {
        if self.g.has_gateway(a) {
            return Ok(Some(a));
        }
        let v = self.g.vnet(a);
        let mut unknown = None;
        for &pid in &v.peerings {
            let p = self.g.peering(pid);
            if p.use_remote_gateways.value && !p.use_remote_gateways.unresolved {
                return Ok(p.remote_vnet());
            }
            if p.use_remote_gateways.unresolved {
                unknown.get_or_insert(Step::UnknownLink {
                    peering: pid,
                    property: "useRemoteGateways",
                });
            }
        }
        unknown.map_or(Ok(None), Err)
    }

    /// Whether `b` has a VPN gateway; `None` when that can't be known: a gateway of unknown
    /// type, evidence of a gateway without its type, a vnet not in the inputs, or a gateway the
    /// inputs don't place.
    fn vpn_gateway(&self, b: VnetId) -> Option<bool> {
        use crate::model::GatewayKind;
        let v = self.g.vnet(b);
        let kinds = || v.gateways.iter().map(|g| g.kind);
        if kinds().any(|k| k == GatewayKind::Vpn) {
            Some(true)
        } else if kinds().any(|k| k == GatewayKind::Unknown)
            || (v.gateways.is_empty() && self.g.has_gateway(b))
            || !v.defined
            || self.g.may_have_unplaced_gateway()
        {
            None
        } else {
            Some(false)
        }
    }

    /// Can traffic from `s` reach `dest`?
    pub fn reach(&self, s: Source, dest: IpNet) -> Answer {
        self.reach_to(s, dest, None)
    }

    /// Can traffic from `s` reach `dest` in `named` (the vnet asked about, when one was: it is
    /// the destination even where another vnet holds the same prefix)?
    pub fn reach_to(&self, s: Source, dest: IpNet, named: Option<VnetId>) -> Answer {
        let g = self.g;
        let a = s.vnet;
        let source_subnet = s.subnet.map(|i| g.vnet(a).subnets[i].name.clone());
        let mut ans = Answer {
            path: None,
            steps: Vec::new(),
            missing: Vec::new(),
            dest: named.or_else(|| self.dest_owner(a, dest)),
            shared: Vec::new(),
            source_subnet,
        };
        if g.vnet(a).space_nets().any(|n| n.contains(&dest)) {
            match named {
                Some(c) if c != a => ans.missing.push(Step::StaysLocal {
                    dest,
                    vnet: a,
                    named: c,
                }),
                _ => {
                    ans.path = Some(Path::Local);
                    ans.steps.push(Step::Inside { dest, vnet: a });
                }
            }
            return ans;
        }
        if let Some(c) = ans.dest {
            ans.shared = g
                .neighbours(a)
                .into_iter()
                .filter(|&b| {
                    b != c && self.connected(a, b).is_some() && self.connected(b, c).is_some()
                })
                .collect();
        }
        let from = From {
            subnet: s.subnet,
            what: Crossing::Source,
        };
        match self.pick_route(s, dest) {
            Err(step) => ans.missing.push(step),
            Ok(None) => self.system_route(a, from, dest, &mut ans),
            Ok(Some(r)) => self.user_route(a, from, r, dest, &mut ans),
        }
        ans
    }

    /// No user-defined route: the destination must be in a directly peered vnet.
    fn system_route(&self, a: VnetId, from: From, dest: IpNet, ans: &mut Answer) {
        let Some(c) = ans.dest else {
            ans.missing.push(Step::NoOwner {
                dest,
                unrouted_from: Some(a),
            });
            return;
        };
        match self.connected(a, c) {
            Some((ac, ca)) => match self.crosses((a, ac), (c, ca), from, Some(dest), dest) {
                Err(step) => ans.missing.push(step),
                Ok(()) => {
                    ans.path = Some(Path::Direct { to: c });
                    ans.steps.push(Step::Peered {
                        a,
                        b: c,
                        peering: ac,
                    });
                }
            },
            None => {
                let half = self.g.between(a, c).or_else(|| self.g.between(c, a));
                ans.missing.push(match (self.maybe_linked(a, c), half) {
                    (Some(unknown), _) => unknown,
                    (None, Some(peering)) => Step::OneSided { a, c, peering },
                    (None, None) => Step::NotPeered { a, c, dest },
                });
            }
        }
    }

    fn user_route(&self, a: VnetId, from: From, route: RouteId, dest: IpNet, ans: &mut Answer) {
        let r = self.g.route(route);
        let hop = NextHop::of(r);
        ans.steps.push(Step::Route {
            route,
            vnet: a,
            dest,
            hop,
        });
        if r.next_hop_unknown {
            ans.missing.push(Step::UnknownHop { route });
            return;
        }
        match hop {
            NextHop::Appliance => {
                let Some(ip) = r
                    .next_hop_ip
                    .as_ref()
                    .and_then(|(ip, _)| ip.parse::<IpAddr>().ok())
                else {
                    ans.missing.push(Step::NoHopAddress { route });
                    return;
                };
                let Some(b) = self.hop_owner(a, ip) else {
                    ans.missing.push(Step::HopNotInInputs { ip, route });
                    return;
                };
                self.through(a, from, b, Some(ip), dest, ans, route);
            }
            NextHop::Gateway => match self.gateway_of(a) {
                // Only a VPN gateway forwards between vnets.
                Ok(Some(b)) => match self.vpn_gateway(b) {
                    Some(true) => self.through(a, from, b, None, dest, ans, route),
                    Some(false) if !self.g.has_gateway(b) => {
                        ans.missing.push(Step::NoGateway { vnet: a, route })
                    }
                    Some(false) => ans.missing.push(Step::GatewayNotVpn { vnet: b, route }),
                    None => {
                        // A path through it holds only if it is a VPN gateway: not a path
                        // then, but not "no path" either.
                        self.through(a, from, b, None, dest, ans, route);
                        ans.path = None;
                        ans.missing
                            .push(Step::GatewayKindUnknown { vnet: b, route });
                    }
                },
                Ok(None) if self.g.may_have_unplaced_gateway() => ans
                    .missing
                    .push(Step::GatewayKindUnknown { vnet: a, route }),
                Ok(None) => ans.missing.push(Step::NoGateway { vnet: a, route }),
                Err(unknown) => ans.missing.push(unknown),
            },
            NextHop::VnetLocal => self.system_route(a, from, dest, ans),
            NextHop::Internet | NextHop::Discard | NextHop::Other => {
                ans.missing.push(Step::NotForwarding { route })
            }
        }
    }

    /// Traffic from `a` handed by `route` to a forwarder in `b` (an appliance at `hop`, else
    /// the gateway), on to the destination.
    #[allow(clippy::too_many_arguments)]
    fn through(
        &self,
        a: VnetId,
        from: From,
        b: VnetId,
        hop: Option<IpAddr>,
        dest: IpNet,
        ans: &mut Answer,
        route: RouteId,
    ) {
        let g = self.g;
        let fwd = self.forwarder(b, hop);
        if b == a {
            // A forwarder in the source vnet: from there, system routes apply.
            return self.system_route(a, fwd, dest, ans);
        }
        let Some((ab, ba)) = self.connected(a, b) else {
            ans.missing.push(
                self.maybe_linked(a, b)
                    .unwrap_or(Step::HopNotPeered { b, a, route }),
            );
            return;
        };
        // The forwarder must be reachable over the link: in a subnet it peers.
        if let Err(step) = self.crosses((a, ab), (b, ba), from, hop.map(IpNet::from), dest) {
            ans.missing.push(step);
            return;
        }
        let Some(c) = ans.dest else {
            ans.missing.push(Step::NoOwner {
                dest,
                unrouted_from: None,
            });
            return;
        };
        if c == b {
            match self.crosses((a, ab), (b, ba), from, Some(dest), dest) {
                Err(step) => ans.missing.push(step),
                Ok(()) => {
                    ans.path = Some(Path::Direct { to: c });
                    ans.steps.push(Step::Peered { a, b, peering: ab });
                }
            }
            return;
        }
        let mut ok = true;
        let Some((bc, cb)) = self.connected(b, c) else {
            ans.missing.push(
                self.maybe_linked(b, c)
                    .unwrap_or(Step::NotPeeredBothWays { b, c }),
            );
            return;
        };
        if let Err(step) = self.crosses((b, bc), (c, cb), fwd, Some(dest), dest) {
            ok = false;
            ans.missing.push(step);
        }
        if NextHop::of(g.route(route)) != NextHop::Gateway {
            // Forwarded traffic must be allowed where it enters: C from B, and A on the way back.
            for (p, into, from) in [(cb, c, b), (ab, a, b)] {
                let flag = g.peering(p).allow_forwarded_traffic;
                if flag.unresolved {
                    ok = false;
                    ans.missing.push(Step::UnknownLink {
                        peering: p,
                        property: "allowForwardedTraffic",
                    });
                } else if !flag.value {
                    ok = false;
                    ans.missing.push(Step::ForwardingNotAllowed {
                        peering: p,
                        into,
                        from,
                    });
                }
            }
        }
        // The way back: C's route for A's space must go through B as well.
        let back = g.vnet(a).space_nets().next();
        if let Some(src_net) = back {
            let whole_c = Source {
                vnet: c,
                subnet: None,
            };
            match self.pick_route(whole_c, src_net) {
                Err(step) => {
                    ok = false;
                    ans.missing.push(step);
                }
                Ok(back_route) => {
                    let via_b = back_route.map_or(Ok(false), |id| {
                        let br = g.route(id);
                        if br.next_hop_unknown {
                            return Err(Step::UnknownHop { route: id });
                        }
                        Ok(match NextHop::of(br) {
                            NextHop::Appliance => {
                                br.next_hop_ip
                                    .as_ref()
                                    .and_then(|(ip, _)| ip.parse().ok())
                                    .and_then(|ip| self.hop_owner(c, ip))
                                    == Some(b)
                            }
                            NextHop::Gateway => self.gateway_of(c)? == Some(b),
                            _ => false,
                        })
                    });
                    match via_b {
                        Ok(true) => {}
                        Ok(false) => {
                            ok = false;
                            ans.missing.push(Step::NoRouteBack {
                                c,
                                src_net,
                                b,
                                route: back_route,
                            });
                        }
                        Err(step) => {
                            ok = false;
                            ans.missing.push(step);
                        }
                    }
                }
            }
        }
        if ok {
            ans.path = Some(Path::Forwarded { via: b, to: c });
            ans.steps.push(Step::Forwards { b, c });
        }
    }
}

/// Whether a subnet has a prefix computed only at deployment.
fn subnet_prefixes_unknown(s: &Subnet) -> bool {
    s.prefixes.as_ref().is_some_and(|l| {
        l.prefixes
            .iter()
            .any(|p| p.parsed == PrefixValue::Unresolved)
    })
}

#[cfg(test)]
mod tests {
    use super::{NextHop, Path, Step};
    use crate::analysis::Analyses;
    use crate::discover::{Input, Origin};
    use crate::model::Endpoint;

    #[test]
    fn an_answer_names_what_happened_and_where() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/spec/az-routes");
        let inputs: Vec<Input> = ["route-tables.json", "vnets.json"]
            .iter()
            .map(|f| Input {
                display: f.to_string(),
                origin: Origin::File(dir.join(f)),
                explicit: true,
            })
            .collect();
        let o = crate::engine::run(&inputs, &mut std::io::empty(), &[]);
        let g = &o.graph;
        let analyses = Analyses::new(g);
        let r = analyses.reach();
        let vnet = |n: &str| r.vnet(n).unwrap();
        let from = r
            .source(&Endpoint::Subnet("vnet-a".into(), "app".into()))
            .unwrap();
        let answer = r.reach(from, "10.2.1.0/24".parse().unwrap());
        let (hub, b) = (vnet("vnet-hub"), vnet("vnet-b"));
        assert_eq!(answer.path, Some(Path::Forwarded { via: hub, to: b }));
        let [
            Step::Route {
                route,
                vnet: a,
                hop,
                ..
            },
            Step::Forwards { b: via, c },
        ] = answer.steps[..]
        else {
            panic!("{:?}", answer.steps);
        };
        assert_eq!(
            (a, hop, via, c),
            (vnet("vnet-a"), NextHop::Appliance, hub, b)
        );
        assert!(answer.missing.is_empty());
        assert_eq!(answer.steps[0].loc(g), Some(g.route(route).loc));
        assert_eq!(answer.steps[1].loc(g), None);
    }
}
