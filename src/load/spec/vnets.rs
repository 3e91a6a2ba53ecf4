//! Defaults and vnets: each spec vnet's identity, address space, subnets, appliances and
//! gateway (external vnets included), and the vnet another input defines that it stands for.

use std::net::IpAddr;
use std::rc::Rc;

use ipnet::IpNet;

use super::{Loader, SpecSubnet, SpecVnet};
use crate::arm::value::Value;
use crate::id::ArmId;
use crate::model::{
    Appliance, Conflict, Problem, SpecInvalid, SpecPlace, SpecProblem, SpecRef, SpecValue,
};
use crate::suggest::closest;
use crate::tree::{Kind, NodeId};

const DEFAULTS: &[&str] = &["subscription", "resource_group", "location", "peering"];
/// The kinds of `gateway` a vnet may have (lower-case).
const GATEWAYS: &[&str] = &["none", "vpn", "expressroute", "route-server"];
const VNET: &[&str] = &[
    "id",
    "subscription",
    "resource_group",
    "location",
    "address_space",
    "subnets",
    "gateway",
    "appliances",
    "routes",
    "external",
];
const SUBNET: &[&str] = &["prefixes", "routes"];

impl Loader<'_> {
    /// `defaults`: subscription and resource group of vnets without their own, and peering
    /// fields for every peering.
    pub(super) fn defaults(&mut self, d: NodeId) {
        self.keys(d, DEFAULTS, SpecPlace::Defaults);
        self.subscription = self.string(d, "subscription").map(|(s, _)| s);
        self.resource_group = self.string(d, "resource_group").map(|(s, _)| s);
        if let Some(p) = self.object(d, "peering") {
            self.peering_defaults = self.peering_fields(p, &[]);
        }
    }

    /// A vnet of `vnets`, registered under its name unless that name is taken.
    pub(super) fn vnet(&mut self, name: &str, def: NodeId) {
        let t = self.t;
        if t.kind(def) != Kind::Object {
            let loc = self.loc(def);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::Vnet(name.to_string()),
            });
            return;
        }
        self.keys(def, VNET, SpecPlace::Vnet(name.to_string()));
        let Some(id) = self.vnet_id(name, def) else {
            return;
        };
        let key = ArmId::parse(&id)
            .map(|a| a.key())
            .unwrap_or_else(|_| id.to_ascii_lowercase());
        let external = self.boolean(def, "external").is_some_and(|(b, _)| b);
        let (space, address_space) = self.address_space(def);
        let props: Vec<(Rc<str>, Value)> = address_space
            .into_iter()
            .map(|a| (Rc::from("addressSpace"), a))
            .collect();
        let subnets = self.subnets(name, def);
        let appliances = self.appliances(name, def);
        self.gateway(def, &id);
        self.gateway_agrees(name, def, &key);
        let routes = self.object(def, "routes");
        if self.by_name.contains_key(&name.to_ascii_lowercase()) {
            let loc = self.loc(def);
            self.problem(SpecProblem::DuplicateVnet {
                loc,
                name: name.to_string(),
            });
            return;
        }
        self.by_name
            .insert(name.to_ascii_lowercase(), self.vnets.len());
        self.vnets.push(SpecVnet {
            name: name.to_string(),
            key,
            id,
            node: def,
            external,
            space,
            props,
            subnets,
            peerings: Vec::new(),
            routes,
            appliances,
        });
    }

    /// The vnet's ARM id: its `id`, else the one vnet another input defines under its name
    /// (when it has no subscription), else one made of its subscription and resource group.
    /// `None` (with a problem) when `id` is not a vnet id.
    fn vnet_id(&mut self, name: &str, def: NodeId) -> Option<String> {
        let sub = self
            .string(def, "subscription")
            .map(|(s, _)| s)
            .or_else(|| self.subscription.clone());
        let rg = self
            .string(def, "resource_group")
            .map(|(s, _)| s)
            .or_else(|| self.resource_group.clone());
        let id = match self.string(def, "id") {
            Some((id, n)) => match ArmId::parse(&id) {
                Ok(a) if a.is_type("Microsoft.Network", &["virtualNetworks"]) => id,
                _ => {
                    let loc = self.loc(n);
                    self.problem(SpecProblem::Invalid {
                        loc,
                        value: SpecInvalid::VnetId {
                            vnet: name.to_string(),
                        },
                    });
                    return None;
                }
            },
            // Without a subscription, a vnet another input defines under the same name (and
            // only one) is that vnet: the spec adds to an export.
            None if sub.is_none()
                && let [one] = self
                    .defined
                    .get_or_insert_with(|| self.b.defined_by_name())
                    .get(&name.to_ascii_lowercase())
                    .map(Vec::as_slice)
                    .unwrap_or_default() =>
            {
                let v = *one;
                self.b.vnet_id(v).to_string()
            }
            None => format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{name}",
                sub.as_deref().unwrap_or("{subscription}"),
                rg.as_deref().unwrap_or("{resourceGroup}")
            ),
        };
        Some(id)
    }

    /// `address_space`: its prefixes, and the `addressSpace` of the vnet resource.
    fn address_space(&mut self, def: NodeId) -> (Vec<IpNet>, Option<Value>) {
        let t = self.t;
        let mut space = Vec::new();
        let Some(list) = self.array(def, "address_space") else {
            return (space, None);
        };
        for p in t.children(list) {
            if let Some(n) = t.str(p).and_then(|s| s.parse::<IpNet>().ok()) {
                space.push(n);
            }
        }
        let prefixes = Value::object([("addressPrefixes", self.value(list))], self.loc(list));
        (space, Some(prefixes))
    }

    /// `subnets`: each a prefix or a mapping with `prefixes` (its `routes` are read later).
    fn subnets(&mut self, name: &str, def: NodeId) -> Vec<SpecSubnet> {
        let t = self.t;
        let mut subnets = Vec::new();
        if let Some(list) = self.object(def, "subnets") {
            for (sname, sdef) in t.members(list) {
                let mut sprops: Vec<(Rc<str>, Value)> = Vec::new();
                match t.kind(sdef) {
                    Kind::String => sprops.push((Rc::from("addressPrefix"), self.value(sdef))),
                    Kind::Object => {
                        self.keys(
                            sdef,
                            SUBNET,
                            SpecPlace::Subnet {
                                vnet: name.to_string(),
                                subnet: sname.to_string(),
                            },
                        );
                        if let Some(p) = self.array(sdef, "prefixes") {
                            sprops.push((Rc::from("addressPrefixes"), self.value(p)));
                        }
                    }
                    _ => {
                        let loc = self.loc(sdef);
                        self.problem(SpecProblem::WrongForm {
                            loc,
                            value: SpecValue::Subnet {
                                vnet: name.to_string(),
                                subnet: sname.to_string(),
                            },
                        });
                        continue;
                    }
                }
                subnets.push(SpecSubnet {
                    name: sname.to_string(),
                    node: sdef,
                    props: sprops,
                });
            }
        }
        subnets
    }

    /// `appliances`: name to IP address.
    fn appliances(&mut self, name: &str, def: NodeId) -> Vec<Appliance> {
        let t = self.t;
        let mut appliances = Vec::new();
        if let Some(list) = self.object(def, "appliances") {
            for (aname, ip) in t.members(list) {
                match t.str(ip).and_then(|s| s.parse::<IpAddr>().ok()) {
                    Some(addr) => appliances.push(Appliance {
                        name: aname.to_string(),
                        ip: Some(addr),
                        loc: self.loc(ip),
                    }),
                    None => {
                        let loc = self.loc(ip);
                        self.problem(SpecProblem::Invalid {
                            loc,
                            value: SpecInvalid::ApplianceIp {
                                vnet: name.to_string(),
                                appliance: aname.to_string(),
                            },
                        });
                    }
                }
            }
        }
        appliances
    }

    /// `gateway`: none, or the gateway resource of vnet `id` (one of [`GATEWAYS`]).
    fn gateway(&mut self, def: NodeId, id: &str) {
        if let Some((g, n)) = self.string(def, "gateway") {
            match g.to_ascii_lowercase().as_str() {
                "none" => {}
                "route-server" => {
                    // The ip configuration of a Route Server in the vnet's RouteServerSubnet.
                    let rs = serde_json::json!({
                        "id": format!("{id}/routeServer/ipConfigurations/default"),
                        "type": "Microsoft.Network/virtualHubs/ipConfigurations",
                        "subnet": { "id": format!("{id}/subnets/RouteServerSubnet") },
                    });
                    let rs = Value::from_json(&rs, self.loc(n));
                    self.standalone.push(rs);
                }
                kind @ ("vpn" | "expressroute") => {
                    // The gateway resource a `virtualNetworkGateways` export would show.
                    let gw = serde_json::json!({
                        "id": format!("{id}/gateway"),
                        "type": "Microsoft.Network/virtualNetworkGateways",
                        "gatewayType": if kind == "vpn" { "Vpn" } else { "ExpressRoute" },
                        "ipConfigurations": [{ "subnet": { "id": format!("{id}/subnets/GatewaySubnet") } }],
                    });
                    let gw = Value::from_json(&gw, self.loc(n));
                    self.standalone.push(gw);
                }
                _ => {
                    let loc = self.loc(n);
                    self.problem(SpecProblem::Invalid {
                        loc,
                        value: SpecInvalid::Gateway(g),
                    });
                }
            }
        }
    }

    /// The same vnet from another input: its gateway must agree with the spec's. A `gateway`
    /// of no known kind is invalid-spec's alone: whether it means one is unknown.
    fn gateway_agrees(&mut self, name: &str, def: NodeId, key: &str) {
        if let Some((g, n)) = self
            .t
            .get(def, "gateway")
            .and_then(|n| Some((self.t.str(n)?.to_ascii_lowercase(), n)))
            && GATEWAYS.contains(&g.as_str())
            && let Some((has, at)) = self.b.gateway_evidence(key)
            && has != (g != "none")
        {
            let loc = self.loc(n);
            let id = self.b.id_of(key).unwrap_or_default();
            self.b.problem_of(
                &id,
                Problem::Conflict(Conflict::Gateways {
                    loc,
                    vnet: name.to_string(),
                    here: g != "none",
                    other: has,
                    other_loc: at,
                }),
            );
        }
    }

    /// The vnet named `name`, or a problem at `n` with a suggestion.
    pub(super) fn vnet_named(&mut self, name: &str, n: NodeId) -> Option<usize> {
        if let Some(&i) = self.by_name.get(&name.to_ascii_lowercase()) {
            return Some(i);
        }
        // Compared with every vnet of the spec, within the spec's budget of comparisons.
        let suggestion = (self.vnets.len() <= self.suggestions)
            .then(|| {
                self.suggestions -= self.vnets.len();
                closest(name, self.vnets.iter().map(|v| v.name.as_str())).map(str::to_string)
            })
            .flatten();
        let loc = self.loc(n);
        self.problem(SpecProblem::Undeclared {
            loc,
            reference: SpecRef::Vnet {
                name: name.to_string(),
                suggestion,
            },
        });
        None
    }
}
