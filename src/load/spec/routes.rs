//! Route tables: the `routes` of a subnet (else of its vnet), their destinations and next hops.

use std::net::IpAddr;
use std::rc::Rc;

use ipnet::IpNet;

use super::{Loader, resource};
use crate::arm::value::Value;
use crate::model::{SpecInvalid, SpecProblem, SpecRef, SpecValue};
use crate::suggest::closest;
use crate::tree::{Kind, NodeId};

impl Loader<'_> {
    /// Route tables for subnets with `routes`: a table of their own, else one table of the
    /// vnet's `routes` that all its other subnets share (read once: a vnet of thousands of
    /// subnets doesn't make thousands of copies, nor report a problem of it once per subnet).
    pub(super) fn subnet_routes(&mut self, i: usize) {
        let t = self.t;
        let vnet_routes = self.vnets[i].routes;
        let mut shared: Option<Value> = None;
        for s in 0..self.vnets[i].subnets.len() {
            let sub = &self.vnets[i].subnets[s];
            let (sname, sdef) = (sub.name.clone(), sub.node);
            let own = if t.kind(sdef) == Kind::Object {
                self.object(sdef, "routes")
            } else {
                None
            };
            let rt = match (own, vnet_routes) {
                // The spec's route table of one subnet (no ARM resource: its own id).
                (Some(routes), _) => {
                    let rt_id = format!("{}/subnets/{sname}/routes", self.vnets[i].id);
                    let name = format!("{}-{sname}-routes", self.vnets[i].name);
                    self.route_table(&rt_id, &name, routes)
                }
                (None, Some(routes)) => match &shared {
                    Some(rt) => rt.clone(),
                    None => {
                        let rt_id = format!("{}/routes", self.vnets[i].id);
                        let name = format!("{}-routes", self.vnets[i].name);
                        let rt = self.route_table(&rt_id, &name, routes);
                        shared.insert(rt).clone()
                    }
                },
                (None, None) => continue,
            };
            self.vnets[i].subnets[s]
                .props
                .push((Rc::from("routeTable"), rt));
        }
    }

    /// Adds the route table of a `routes` mapping; returns the reference a subnet holds.
    fn route_table(&mut self, rt_id: &str, name: &str, routes: NodeId) -> Value {
        let list = self.route_list(routes);
        let at = self.loc(routes);
        let table = Value::object([("routes", Value::array(list, at))], at);
        self.standalone.push(resource(
            rt_id,
            name,
            "Microsoft.Network/routeTables",
            table,
            at,
        ));
        Value::object([("id", Value::str(rt_id, at))], at)
    }

    /// The routes of a `routes` mapping (destination: next hop), one per destination prefix.
    fn route_list(&mut self, routes: NodeId) -> Vec<Value> {
        let t = self.t;
        let mut list = Vec::new();
        for (dest, hop) in t.members(routes) {
            let dests = self.destination(dest, hop);
            let Some((hop_type, hop_ip)) = self.next_hop(hop) else {
                continue;
            };
            for (k, d) in dests.into_iter().enumerate() {
                let mut props = vec![
                    (
                        Rc::from("addressPrefix"),
                        Value::str(&d.to_string(), self.key_loc(hop)),
                    ),
                    (Rc::from("nextHopType"), Value::str(hop_type, self.loc(hop))),
                ];
                if let Some(ip) = hop_ip {
                    props.push((
                        Rc::from("nextHopIpAddress"),
                        Value::str(&ip.to_string(), self.loc(hop)),
                    ));
                }
                let rname = if k == 0 {
                    dest.to_string()
                } else {
                    format!("{dest}-{k}")
                };
                list.push(Value::object(
                    [
                        ("name", Value::str(&rname, self.key_loc(hop))),
                        ("properties", Value::object(props, self.loc(hop))),
                    ],
                    self.loc(hop),
                ));
            }
        }
        list
    }

    /// A route destination: a CIDR, `default`, a vnet or `vnet/subnet` (their prefixes).
    fn destination(&mut self, dest: &str, at: NodeId) -> Vec<IpNet> {
        if dest.eq_ignore_ascii_case("default") {
            return vec!["0.0.0.0/0".parse().unwrap()];
        }
        if let Ok(n) = dest.parse::<IpNet>() {
            return vec![n];
        }
        let (vname, sub) = match dest.split_once('/') {
            Some((v, s)) => (v, Some(s)),
            None => (dest, None),
        };
        let Some(v) = self.vnet_named(vname, at) else {
            return Vec::new();
        };
        match sub {
            None => self.vnets[v].space.clone(),
            Some(s) => {
                let t = self.t;
                let found = self.vnets[v]
                    .subnets
                    .iter()
                    .find(|sub| sub.name.eq_ignore_ascii_case(s))
                    .map(|sub| sub.node);
                match found {
                    Some(d) if t.kind(d) == Kind::String => {
                        t.str(d).and_then(|x| x.parse().ok()).into_iter().collect()
                    }
                    Some(d) => t
                        .get(d, "prefixes")
                        .map(|p| {
                            t.children(p)
                                .filter_map(|c| t.str(c).and_then(|x| x.parse().ok()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    None => {
                        let loc = self.loc(at);
                        self.problem(SpecProblem::Undeclared {
                            loc,
                            reference: SpecRef::Subnet {
                                vnet: vname.to_string(),
                                subnet: s.to_string(),
                            },
                        });
                        Vec::new()
                    }
                }
            }
        }
    }

    /// A next hop: `vnet/appliance`, an IP address, or `gateway`.
    fn next_hop(&mut self, hop: NodeId) -> Option<(&'static str, Option<IpAddr>)> {
        let Some(text) = self.t.str(hop).map(str::to_string) else {
            let loc = self.loc(hop);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::NextHop,
            });
            return None;
        };
        if text.eq_ignore_ascii_case("gateway") {
            return Some(("VirtualNetworkGateway", None));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Some(("VirtualAppliance", Some(ip)));
        }
        let Some((vname, aname)) = text.split_once('/') else {
            let loc = self.loc(hop);
            self.problem(SpecProblem::Invalid {
                loc,
                value: SpecInvalid::NextHop(text),
            });
            return None;
        };
        let v = self.vnet_named(vname, hop)?;
        match self.vnets[v]
            .appliances
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(aname))
        {
            Some(a) => Some(("VirtualAppliance", a.ip)),
            None => {
                let names: Vec<String> = self.vnets[v]
                    .appliances
                    .iter()
                    .map(|a| a.name.clone())
                    .collect();
                let suggestion =
                    closest(aname, names.iter().map(String::as_str)).map(str::to_string);
                let loc = self.loc(hop);
                self.problem(SpecProblem::Undeclared {
                    loc,
                    reference: SpecRef::Appliance {
                        vnet: vname.to_string(),
                        appliance: aname.to_string(),
                        suggestion,
                    },
                });
                None
            }
        }
    }
}
