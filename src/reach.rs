//! Reachability: can traffic from a vnet (or subnet) reach a destination prefix, and why not.
//!
//! Azure routes a packet by the source subnet's effective routes: its user-defined routes
//! (longest prefix wins) over the system routes, which include the address spaces of directly
//! peered vnets. Peering is never transitive (P17): a packet crosses a second peering only when
//! a route sends it to a forwarder (an appliance, or a gateway with transit) in the vnet in the
//! middle, forwarded traffic is allowed on the links it enters through (P16), and the
//! destination routes the way back the same way. Only the vnets on candidate paths are looked
//! at; nothing computes a closure of the estate.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;

use crate::graph::Graph;
use crate::model::{Endpoint, Loc, PeeringId, Route, RouteId, VnetId};
use rustc_hash::FxHashMap as FastMap;

/// Where traffic starts: a vnet, or one of its subnets (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub vnet: VnetId,
    pub subnet: Option<usize>,
}

/// One step of an answer: what the engine found, as data. `a` is the source vnet, `b` the
/// vnet of the forwarder, `c` the vnet holding the destination. [`Step::loc`] says where a
/// step is written; [`crate::query::step_text`] says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `dest` is in `vnet`'s own address space.
    Inside { dest: IpNet, vnet: VnetId },
    /// `a` and `b` are peered, both ways; `peering` is `a`'s link.
    Peered {
        a: VnetId,
        b: VnetId,
        peering: PeeringId,
    },
    /// The path needs subnet peering `peering`, and the source subnet isn't one of its local
    /// subnets.
    NotInSubnetPeering { peering: PeeringId },
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
    /// No vnet of the inputs holds `ip`, the next hop of `route`.
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
}

impl Step {
    /// Where the step is written, when it is in the inputs.
    pub fn loc(&self, g: &Graph) -> Option<Loc> {
        match *self {
            Step::Peered { peering, .. } | Step::OneSided { peering, .. } => {
                Some(g.peering(peering).label_loc())
            }
            Step::NotInSubnetPeering { peering } => {
                let p = g.peering(peering);
                Some(
                    p.local_subnets
                        .as_ref()
                        .map(|l| l.loc)
                        .unwrap_or(p.label_loc()),
                )
            }
            Step::ForwardingNotAllowed { peering, .. } => {
                let p = g.peering(peering);
                Some(p.flag_loc(&p.allow_forwarded_traffic))
            }
            Step::Route { route, .. }
            | Step::NoHopAddress { route }
            | Step::NoGateway { route, .. }
            | Step::GatewayNotVpn { route, .. }
            | Step::GatewayKindUnknown { route, .. }
            | Step::NotForwarding { route }
            | Step::HopNotPeered { route, .. } => Some(g.route(route).loc),
            Step::HopNotInInputs { route, .. } => {
                g.route(route).next_hop_ip.as_ref().map(|(_, l)| *l)
            }
            Step::NoRouteBack { route, .. } => route.map(|r| g.route(r).loc),
            Step::Inside { .. }
            | Step::NotPeered { .. }
            | Step::NoOwner { .. }
            | Step::NotPeeredBothWays { .. }
            | Step::Forwards { .. } => None,
        }
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
    /// What is missing for a path (empty when there is one).
    pub missing: Vec<Step>,
    /// The vnet owning the destination, when known.
    pub dest: Option<VnetId>,
    /// Vnets peered (both ways) with both the source and the destination vnet.
    pub shared: Vec<VnetId>,
    /// The source subnet's name, when the source is a subnet.
    pub source_subnet: Option<String>,
    /// What the answer hangs on that can't be known offline (a gateway of unknown type): the
    /// path, or its absence, holds only if it turns out one way. Nothing is concluded from it.
    pub unknown: Option<Step>,
}

/// What the engine looks things up in: address blocks by owner, route tables by id, vnets by
/// name. Built on the engine's first lookup; one per run, in [`crate::analysis::Analyses`],
/// shared by every rule.
pub struct Index {
    /// (network, vnet), sorted by family, first address, prefix length.
    blocks: Vec<(IpNet, VnetId)>,
    tables: FastMap<String, usize>,
    /// Defined vnets by lower-case name (several when ambiguous).
    names: FastMap<String, Vec<VnetId>>,
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
        Index {
            blocks,
            tables,
            names,
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

    /// The vnet holding a next hop seen from `a`: `a` itself or a directly peered vnet when
    /// one holds it (address spaces of unrelated vnets may overlap), else any vnet that does.
    pub fn hop_owner(&self, a: VnetId, ip: IpAddr) -> Option<VnetId> {
        let holders: Vec<VnetId> = self.holders(IpNet::from(ip)).collect();
        holders
            .iter()
            .find(|&&v| v == a)
            .or_else(|| holders.iter().find(|&&v| self.connected(a, v).is_some()))
            .or(holders.first())
            .copied()
    }

    /// A vnet by name or id, when exactly one matches.
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
            _ => Err(format!("no vnet named `{name}` in the inputs")),
        }
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
                let i = self
                    .g
                    .vnet(vnet)
                    .subnets
                    .iter()
                    .position(|x| x.name.eq_ignore_ascii_case(s))
                    .ok_or_else(|| format!("vnet `{v}` has no subnet `{s}`"))?;
                Ok(Source {
                    vnet,
                    subnet: Some(i),
                })
            }
            Endpoint::Prefix(p) => self
                .owner(*p)
                .map(|vnet| Source { vnet, subnet: None })
                .ok_or_else(|| format!("no vnet in the inputs holds {p}")),
        }
    }

    /// An intent endpoint as destination prefixes.
    pub fn destination(&self, e: &Endpoint) -> Result<Vec<IpNet>, String> {
        match e {
            Endpoint::Prefix(p) => Ok(vec![*p]),
            Endpoint::Vnet(n) => {
                let v = self.vnet(n)?;
                let nets: Vec<IpNet> = self.g.vnet(v).space_nets().collect();
                if nets.is_empty() {
                    Err(format!("the address space of `{n}` is not known"))
                } else {
                    Ok(nets)
                }
            }
            Endpoint::Subnet(v, s) => {
                let vnet = self.vnet(v)?;
                let sub = self
                    .g
                    .vnet(vnet)
                    .subnet(s)
                    .ok_or_else(|| format!("vnet `{v}` has no subnet `{s}`"))?;
                let nets: Vec<IpNet> = sub.nets().collect();
                if nets.is_empty() {
                    Err(format!("the prefix of `{v}/{s}` is not known"))
                } else {
                    Ok(nets)
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

    /// The user-defined routes that apply to a source: its subnet's table, or for a whole vnet
    /// the tables of all its subnets.
    pub fn routes(&self, s: Source) -> Vec<RouteId> {
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
            if let Some(&t) = self.ix().tables.get(&key) {
                out.extend((0..self.g.route_tables()[t].routes.len()).map(|i| RouteId {
                    table: t as u32,
                    route: i as u32,
                }));
            }
        }
        out
    }

    /// The route a packet for `dest` takes: the longest prefix containing it.
    pub fn route_for(&self, s: Source, dest: IpNet) -> Option<RouteId> {
        let g = self.g;
        self.routes(s)
            .into_iter()
            .filter(|&id| {
                let r = g.route(id);
                r.prefix
                    .as_ref()
                    .and_then(|p| p.net())
                    .is_some_and(|n| n.contains(&dest))
            })
            .max_by_key(|&id| {
                g.route(id)
                    .prefix
                    .as_ref()
                    .and_then(|p| p.net())
                    .map(|n| n.prefix_len())
                    .unwrap_or(0)
            })
    }

    /// Whether traffic from `subnet` of `a` may use peering `p` (always, for a full peering).
    fn in_subnet_peering(&self, subnet: Option<&str>, p: PeeringId) -> bool {
        let p = self.g.peering(p);
        if !p.is_subnet_peering() {
            return true;
        }
        match (subnet, &p.local_subnets) {
            (Some(s), Some(list)) => list.names.iter().any(|(n, _)| n.eq_ignore_ascii_case(s)),
            _ => true, // a whole vnet as source: some of its subnets take part
        }
    }

    /// The vnet whose gateway `a` uses: its own, or its hub's through `useRemoteGateways`.
    fn gateway_of(&self, a: VnetId) -> Option<VnetId> {
        if self.g.has_gateway(a) {
            return Some(a);
        }
        let v = self.g.vnet(a);
        v.peerings
            .iter()
            .map(|&p| self.g.peering(p))
            .find(|p| p.use_remote_gateways.value)
            .and_then(|p| p.remote_vnet())
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
        let g = self.g;
        let a = s.vnet;
        let source_subnet = s.subnet.map(|i| g.vnet(a).subnets[i].name.clone());
        let mut ans = Answer {
            path: None,
            steps: Vec::new(),
            missing: Vec::new(),
            dest: self.owner(dest),
            shared: Vec::new(),
            source_subnet,
            unknown: None,
        };
        if g.vnet(a).space_nets().any(|n| n.contains(&dest)) {
            ans.path = Some(Path::Local);
            ans.steps.push(Step::Inside { dest, vnet: a });
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
        match self.route_for(s, dest) {
            None => self.system_route(a, dest, &mut ans),
            Some(r) => self.user_route(s, r, dest, &mut ans),
        }
        ans
    }

    /// No user-defined route: the destination must be in a directly peered vnet.
    fn system_route(&self, a: VnetId, dest: IpNet, ans: &mut Answer) {
        let Some(c) = ans.dest else {
            ans.missing.push(Step::NoOwner {
                dest,
                unrouted_from: Some(a),
            });
            return;
        };
        match self.connected(a, c) {
            Some((ac, _)) if !self.in_subnet_peering(ans.source_subnet.as_deref(), ac) => {
                ans.missing.push(Step::NotInSubnetPeering { peering: ac });
            }
            Some((ac, _)) => {
                ans.path = Some(Path::Direct { to: c });
                ans.steps.push(Step::Peered {
                    a,
                    b: c,
                    peering: ac,
                });
            }
            None => {
                let half = self.g.between(a, c).or_else(|| self.g.between(c, a));
                ans.missing.push(match half {
                    Some(peering) => Step::OneSided { a, c, peering },
                    None => Step::NotPeered { a, c, dest },
                });
            }
        }
    }

    fn user_route(&self, s: Source, route: RouteId, dest: IpNet, ans: &mut Answer) {
        let a = s.vnet;
        let r = self.g.route(route);
        let hop = NextHop::of(r);
        ans.steps.push(Step::Route {
            route,
            vnet: a,
            dest,
            hop,
        });
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
                self.through(a, b, dest, ans, route);
            }
            NextHop::Gateway => match self.gateway_of(a) {
                // Only a VPN gateway forwards between vnets.
                Some(b) => match self.vpn_gateway(b) {
                    Some(true) => self.through(a, b, dest, ans, route),
                    Some(false) if !self.g.has_gateway(b) => {
                        ans.missing.push(Step::NoGateway { vnet: a, route })
                    }
                    Some(false) => ans.missing.push(Step::GatewayNotVpn { vnet: b, route }),
                    None => {
                        ans.unknown = Some(Step::GatewayKindUnknown { vnet: b, route });
                        self.through(a, b, dest, ans, route)
                    }
                },
                None if self.g.may_have_unplaced_gateway() => {
                    ans.unknown = Some(Step::GatewayKindUnknown { vnet: a, route });
                    ans.missing.push(Step::NoGateway { vnet: a, route });
                }
                None => ans.missing.push(Step::NoGateway { vnet: a, route }),
            },
            NextHop::VnetLocal => self.system_route(a, dest, ans),
            NextHop::Internet | NextHop::Discard | NextHop::Other => {
                ans.missing.push(Step::NotForwarding { route })
            }
        }
    }

    /// Traffic from `a` handed to a forwarder in `b` by `route`, on to the destination.
    fn through(&self, a: VnetId, b: VnetId, dest: IpNet, ans: &mut Answer, route: RouteId) {
        let g = self.g;
        if b == a {
            // A forwarder in the source vnet: from there, system routes apply.
            return self.system_route(a, dest, ans);
        }
        let Some((ab, _ba)) = self.connected(a, b) else {
            ans.missing.push(Step::HopNotPeered { b, a, route });
            return;
        };
        let Some(c) = ans.dest else {
            ans.missing.push(Step::NoOwner {
                dest,
                unrouted_from: None,
            });
            return;
        };
        if c == b {
            ans.path = Some(Path::Direct { to: c });
            ans.steps.push(Step::Peered { a, b, peering: ab });
            return;
        }
        let mut ok = true;
        let Some((_, cb)) = self.connected(b, c) else {
            ans.missing.push(Step::NotPeeredBothWays { b, c });
            return;
        };
        if NextHop::of(g.route(route)) != NextHop::Gateway {
            // Forwarded traffic must be allowed where it enters: C from B, and A on the way back.
            for (p, into, from) in [(cb, c, b), (ab, a, b)] {
                if !g.peering(p).allow_forwarded_traffic.value {
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
            let back_route = self.route_for(
                Source {
                    vnet: c,
                    subnet: None,
                },
                src_net,
            );
            let via_b = back_route.is_some_and(|id| {
                let br = g.route(id);
                match NextHop::of(br) {
                    NextHop::Appliance => {
                        br.next_hop_ip
                            .as_ref()
                            .and_then(|(ip, _)| ip.parse().ok())
                            .and_then(|ip| self.hop_owner(c, ip))
                            == Some(b)
                    }
                    NextHop::Gateway => self.gateway_of(c) == Some(b),
                    _ => false,
                }
            });
            if !via_b {
                ok = false;
                ans.missing.push(Step::NoRouteBack {
                    c,
                    src_net,
                    b,
                    route: back_route,
                });
            }
        }
        if ok {
            ans.path = Some(Path::Forwarded { via: b, to: c });
            ans.steps.push(Step::Forwards { b, c });
        }
    }
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
