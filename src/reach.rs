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

/// One step of an explanation, and where it is written.
#[derive(Clone, Debug)]
pub struct Step {
    pub text: String,
    pub loc: Option<Loc>,
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

    fn name(&self, v: VnetId) -> String {
        format!("`{}`", self.g.vnet(v).name)
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
        };
        if g.vnet(a).space_nets().any(|n| n.contains(&dest)) {
            ans.path = Some(Path::Local);
            ans.steps.push(Step {
                text: format!("{dest} is inside {}", self.name(a)),
                loc: None,
            });
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
            Some(r) => self.user_route(s, g.route(r), dest, &mut ans),
        }
        ans
    }

    /// No user-defined route: the destination must be in a directly peered vnet.
    fn system_route(&self, a: VnetId, dest: IpNet, ans: &mut Answer) {
        let Some(c) = ans.dest else {
            ans.missing.push(Step {
                text: format!(
                    "no vnet in the inputs holds {dest}, and no route of {} covers it",
                    self.name(a)
                ),
                loc: None,
            });
            return;
        };
        match self.connected(a, c) {
            Some((ac, _)) if !self.in_subnet_peering(ans.source_subnet.as_deref(), ac) => {
                let p = self.g.peering(ac);
                ans.missing.push(Step {
                    text: format!("peering `{}` is a subnet peering, and the source subnet is not in its `localSubnetNames`", p.name),
                    loc: Some(p.local_subnets.as_ref().map(|l| l.loc).unwrap_or(p.label_loc())),
                });
            }
            Some((ac, _)) => {
                ans.path = Some(Path::Direct { to: c });
                ans.steps.push(Step {
                    text: format!("{} and {} are peered", self.name(a), self.name(c)),
                    loc: Some(self.g.peering(ac).label_loc()),
                });
            }
            None => {
                let half = self.g.between(a, c).or_else(|| self.g.between(c, a));
                let text = match half {
                    Some(_) => format!(
                        "the peering between {} and {} has only one side",
                        self.name(a),
                        self.name(c)
                    ),
                    None => format!(
                        "{} is not peered with {}, and no route of {} sends {dest} to a forwarder",
                        self.name(a),
                        self.name(c),
                        self.name(a)
                    ),
                };
                ans.missing.push(Step {
                    text,
                    loc: half.map(|p| self.g.peering(p).label_loc()),
                });
            }
        }
    }

    fn user_route(&self, s: Source, r: &'g Route, dest: IpNet, ans: &mut Answer) {
        let a = s.vnet;
        let hop = r
            .next_hop_type
            .as_ref()
            .map(|(t, _)| t.to_ascii_lowercase())
            .unwrap_or_default();
        let rtext = format!(
            "route `{}` of {} sends {dest} to {}",
            r.name,
            self.name(a),
            r.next_hop_ip
                .as_ref()
                .map(|(ip, _)| ip.as_str())
                .unwrap_or(match hop.as_str() {
                    "virtualnetworkgateway" => "the gateway",
                    "none" => "nowhere (next hop None)",
                    "internet" => "the internet",
                    "vnetlocal" => "the local vnet",
                    _ => "its next hop",
                })
        );
        ans.steps.push(Step {
            text: rtext,
            loc: Some(r.loc),
        });
        match hop.as_str() {
            "virtualappliance" => {
                let Some(ip) = r.next_hop_ip.as_ref().and_then(|(ip, _)| ip.parse::<IpAddr>().ok()) else {
                    ans.missing.push(Step { text: "the route has no valid next-hop address".into(), loc: Some(r.loc) });
                    return;
                };
                let Some(b) = self.hop_owner(a, ip) else {
                    ans.missing.push(Step { text: format!("no vnet in the inputs holds the next hop {ip}"), loc: r.next_hop_ip.as_ref().map(|(_, l)| *l) });
                    return;
                };
                self.through(a, b, dest, ans, r);
            }
            "virtualnetworkgateway" => match self.gateway_of(a) {
                Some(b) => self.through(a, b, dest, ans, r),
                None => ans.missing.push(Step { text: format!("{} has no gateway to send it to, of its own or through `useRemoteGateways`", self.name(a)), loc: Some(r.loc) }),
            },
            "vnetlocal" => self.system_route(a, dest, ans),
            _ => ans.missing.push(Step { text: "the route does not forward it to another vnet".into(), loc: Some(r.loc) }),
        }
    }

    /// Traffic from `a` handed to a forwarder in `b`, on to the destination.
    fn through(&self, a: VnetId, b: VnetId, dest: IpNet, ans: &mut Answer, r: &Route) {
        let g = self.g;
        if b == a {
            // A forwarder in the source vnet: from there, system routes apply.
            return self.system_route(a, dest, ans);
        }
        let Some((ab, _ba)) = self.connected(a, b) else {
            ans.missing.push(Step {
                text: format!(
                    "the next hop is in {}, which is not peered with {}: peering is not transitive",
                    self.name(b),
                    self.name(a)
                ),
                loc: Some(r.loc),
            });
            return;
        };
        let Some(c) = ans.dest else {
            ans.missing.push(Step {
                text: format!("no vnet in the inputs holds {dest}"),
                loc: None,
            });
            return;
        };
        if c == b {
            ans.path = Some(Path::Direct { to: c });
            ans.steps.push(Step {
                text: format!("{} and {} are peered", self.name(a), self.name(b)),
                loc: Some(g.peering(ab).label_loc()),
            });
            return;
        }
        let mut ok = true;
        let Some((_, cb)) = self.connected(b, c) else {
            ans.missing.push(Step {
                text: format!(
                    "{} is not peered (both ways) with {}",
                    self.name(b),
                    self.name(c)
                ),
                loc: None,
            });
            return;
        };
        let gateway = r
            .next_hop_type
            .as_ref()
            .is_some_and(|(t, _)| t.eq_ignore_ascii_case("VirtualNetworkGateway"));
        if !gateway {
            // Forwarded traffic must be allowed where it enters: C from B, and A on the way back.
            for (p, into, from) in [(cb, c, b), (ab, a, b)] {
                let peering = g.peering(p);
                if !peering.allow_forwarded_traffic.value {
                    ok = false;
                    ans.missing.push(Step {
                        text: format!("peering `{}` doesn't allow forwarded traffic, so {} drops what {} forwards", peering.name, self.name(into), self.name(from)),
                        loc: Some(peering.flag_loc(&peering.allow_forwarded_traffic)),
                    });
                }
            }
        }
        // The way back: C's route for A's space must go through B as well.
        let back = g.vnet(a).space_nets().next();
        if let Some(src_net) = back {
            let back_route = self
                .route_for(
                    Source {
                        vnet: c,
                        subnet: None,
                    },
                    src_net,
                )
                .map(|id| g.route(id));
            let via_b = back_route.is_some_and(|br| {
                let t = br
                    .next_hop_type
                    .as_ref()
                    .map(|(t, _)| t.to_ascii_lowercase())
                    .unwrap_or_default();
                match t.as_str() {
                    "virtualappliance" => {
                        br.next_hop_ip
                            .as_ref()
                            .and_then(|(ip, _)| ip.parse().ok())
                            .and_then(|ip| self.hop_owner(c, ip))
                            == Some(b)
                    }
                    "virtualnetworkgateway" => self.gateway_of(c) == Some(b),
                    _ => false,
                }
            });
            if !via_b {
                ok = false;
                ans.missing.push(Step {
                    text: format!(
                        "{} has no route back to {src_net} through {}",
                        self.name(c),
                        self.name(b)
                    ),
                    loc: back_route.map(|br| br.loc),
                });
            }
        }
        if ok {
            ans.path = Some(Path::Forwarded { via: b, to: c });
            ans.steps.push(Step {
                text: format!(
                    "{} forwards it to {} over their peering, and {} routes the way back",
                    self.name(b),
                    self.name(c),
                    self.name(c)
                ),
                loc: None,
            });
        }
    }
}

impl Answer {
    /// The steps and missing pieces that have a place, as related labels.
    pub fn labels(&self) -> Vec<(Loc, String)> {
        self.steps
            .iter()
            .chain(&self.missing)
            .filter_map(|s| Some((s.loc?, s.text.clone())))
            .collect()
    }
    /// Everything said, as one sentence list.
    pub fn explain(&self) -> String {
        self.steps
            .iter()
            .chain(&self.missing)
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// How an endpoint is shown in messages.
pub fn endpoint_text(e: &Endpoint) -> String {
    match e {
        Endpoint::Vnet(v) => format!("`{v}`"),
        Endpoint::Subnet(v, s) => format!("`{v}/{s}`"),
        Endpoint::Prefix(p) => format!("{p}"),
    }
}
