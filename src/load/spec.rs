//! peerlint's own design spec (`peerlint: 1`, YAML or JSON): vnets, topology shorthands,
//! appliances, routes and intents (`../shared/design/native-spec.md` is the contract).
//!
//! Vnets, subnets, peerings, gateways and route tables are built as the ARM resources they
//! stand for, each value located at the spec node that produced it, and handed to the shared
//! extractor, so every rule reads them like any other input. Appliances and intents go to the
//! graph directly.

use std::net::IpAddr;
use std::rc::Rc;

use ipnet::IpNet;

use crate::arm::value::{Val, Value};
use crate::graph::GraphBuilder;
use crate::id::ArmId;
use crate::load::doc::EvalDoc;
use crate::model::{
    Appliance, Endpoint, InputProblem, Intent, IntentKind, Loc, Prefix, PrefixList, PrefixValue,
    ProblemKind,
};
use crate::source::FileId;
use crate::suggest::closest;
use crate::tree::{Kind, NodeId, Tree};
use rustc_hash::FxHashMap as FastMap;

/// The spec's JSON Schema (`peerlint schema`).
pub const SCHEMA: &str = include_str!("spec.schema.json");

/// A resource as the extractor reads it: `{id, name, type, properties}`, all located at `at`.
fn resource(id: &str, name: &str, ty: &str, properties: Value, at: Loc) -> Value {
    Value::object(
        [
            ("id", Value::str(id, at)),
            ("name", Value::str(name, at)),
            ("type", Value::str(ty, at)),
            ("properties", properties),
        ],
        at,
    )
}

/// Whether a document is a spec: its top level holds `peerlint`.
pub fn is_spec(t: &Tree, root: NodeId) -> bool {
    t.kind(root) == Kind::Object && t.get(root, "peerlint").is_some()
}

const TOP: &[&str] = &["peerlint", "defaults", "vnets", "topology", "intents"];
const DEFAULTS: &[&str] = &["subscription", "resource_group", "location", "peering"];
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
/// Peering fields a spec may set (snake_case) and their ARM names.
const PEERING_FIELDS: &[(&str, &str)] = &[
    ("allow_virtual_network_access", "allowVirtualNetworkAccess"),
    ("allow_forwarded_traffic", "allowForwardedTraffic"),
    ("allow_gateway_transit", "allowGatewayTransit"),
    ("use_remote_gateways", "useRemoteGateways"),
    ("do_not_verify_remote_gateways", "doNotVerifyRemoteGateways"),
    ("enable_only_ipv6_peering", "enableOnlyIPv6Peering"),
];
const HUB_AND_SPOKE: &[&str] = &["hub", "spokes", "gateway_transit", "forwarded_traffic"];
const INTENT: &[&str] = &["allow", "deny", "why"];
const ENDS: &[&str] = &["from", "to"];

/// A vnet of the spec as it is being built.
struct SpecVnet {
    name: String,
    key: String,
    id: String,
    node: NodeId,
    external: bool,
    space: Vec<IpNet>,
    /// `properties` members of the vnet resource.
    props: Vec<(Rc<str>, Value)>,
    subnets: Vec<SpecSubnet>,
    peerings: Vec<Value>,
    /// Routes for every subnet (`routes` on the vnet).
    routes: Option<NodeId>,
    appliances: Vec<Appliance>,
}

/// A subnet of a spec vnet: its name, node and the properties of the subnet resource.
struct SpecSubnet {
    name: String,
    node: NodeId,
    props: Vec<(Rc<str>, Value)>,
}

struct Loader<'a> {
    t: &'a Tree,
    file: FileId,
    b: &'a mut GraphBuilder,
    subscription: Option<String>,
    resource_group: Option<String>,
    /// `defaults.peering`: (ARM name, value).
    peering_defaults: Vec<(&'static str, Value)>,
    vnets: Vec<SpecVnet>,
    by_name: FastMap<String, usize>,
    /// Gateways and route tables, extracted after the vnets.
    standalone: Vec<Value>,
}

/// Loads a spec.
pub fn load(t: &Tree, file: FileId, b: &mut GraphBuilder) {
    let Some(root) = t.root() else { return };
    let mut l = Loader {
        t,
        file,
        b,
        subscription: None,
        resource_group: None,
        peering_defaults: Vec::new(),
        vnets: Vec::new(),
        by_name: FastMap::default(),
        standalone: Vec::new(),
    };
    l.keys(root, TOP, "the spec");
    if let Some(v) = t.get(root, "peerlint")
        && !(t.kind(v) == Kind::Number && t.number(v) == Some("1"))
    {
        l.problem(
            v,
            "this peerlint understands spec version 1 (`peerlint: 1`)".into(),
            "unsupported version",
        );
    }
    if let Some(d) = l.object(root, "defaults") {
        l.defaults(d);
    }
    if let Some(vs) = l.object(root, "vnets") {
        for (name, def) in t.members(vs) {
            l.vnet(name, def);
        }
    }
    // Routes and topology name vnets, so they come once all vnets are known.
    for i in 0..l.vnets.len() {
        l.subnet_routes(i);
    }
    if let Some(items) = l.array(root, "topology") {
        for item in t.children(items) {
            l.topology(item);
        }
    }
    if let Some(items) = l.array(root, "intents") {
        for item in t.children(items) {
            l.intent(item);
        }
    }
    l.finish()
}

impl Loader<'_> {
    fn loc(&self, n: NodeId) -> Loc {
        Loc::new(self.file, self.t.span(n), Some(n))
    }

    fn key_loc(&self, n: NodeId) -> Loc {
        Loc::new(self.file, self.t.key_span(n), Some(n))
    }

    fn problem(&mut self, n: NodeId, message: String, label: &str) {
        let loc = self.loc(n);
        self.b.problem(InputProblem {
            kind: ProblemKind::Spec,
            loc,
            message,
            label: label.into(),
            help: None,
            related: Vec::new(),
        });
    }

    /// Reports keys of `obj` that aren't in `allowed`, with a suggestion.
    fn keys(&mut self, obj: NodeId, allowed: &[&str], what: &str) {
        let t = self.t;
        for (k, v) in t.members(obj) {
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(k)) {
                continue;
            }
            let hint = match closest(k, allowed.iter().copied()) {
                Some(c) => format!("; did you mean `{c}`?"),
                None => format!(
                    "; expected one of {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let loc = self.key_loc(v);
            self.b.problem(InputProblem {
                kind: ProblemKind::Spec,
                loc,
                message: format!("unknown key `{k}` in {what}{hint}"),
                label: "unknown key".into(),
                help: None,
                related: Vec::new(),
            });
        }
    }

    fn typed(&mut self, obj: NodeId, key: &str, kind: Kind) -> Option<NodeId> {
        let n = self.t.get(obj, key)?;
        match self.t.kind(n) {
            k if k == kind => Some(n),
            Kind::Null => None,
            k => {
                let msg = format!(
                    "`{key}` should be {}, found {}",
                    kind.article_name(),
                    k.article_name()
                );
                self.problem(n, msg, "wrong type");
                None
            }
        }
    }
    fn object(&mut self, obj: NodeId, key: &str) -> Option<NodeId> {
        self.typed(obj, key, Kind::Object)
    }
    fn array(&mut self, obj: NodeId, key: &str) -> Option<NodeId> {
        self.typed(obj, key, Kind::Array)
    }
    fn string(&mut self, obj: NodeId, key: &str) -> Option<(String, NodeId)> {
        let n = self.typed(obj, key, Kind::String)?;
        Some((self.t.str(n).unwrap_or("").to_string(), n))
    }
    fn boolean(&mut self, obj: NodeId, key: &str) -> Option<(bool, NodeId)> {
        let n = self.typed(obj, key, Kind::Bool)?;
        Some((self.t.bool(n).unwrap_or(false), n))
    }

    /// A JSON value as the ARM value it stands for, located at `n`.
    fn value(&self, n: NodeId) -> Value {
        Value::literal(self.t, self.file, n)
    }

    fn defaults(&mut self, d: NodeId) {
        self.keys(d, DEFAULTS, "`defaults`");
        self.subscription = self.string(d, "subscription").map(|(s, _)| s);
        self.resource_group = self.string(d, "resource_group").map(|(s, _)| s);
        if let Some(p) = self.object(d, "peering") {
            self.peering_defaults = self.peering_fields(p, &[]);
        }
    }

    /// The peering fields set in `obj` (snake_case), as (ARM name, value); keys in `also`
    /// are allowed besides.
    fn peering_fields(&mut self, obj: NodeId, also: &[&str]) -> Vec<(&'static str, Value)> {
        let mut allowed: Vec<&str> = PEERING_FIELDS.iter().map(|(s, _)| *s).collect();
        allowed.extend_from_slice(also);
        self.keys(obj, &allowed, "peering settings");
        let mut out = Vec::new();
        for (snake, arm) in PEERING_FIELDS {
            if let Some((_, n)) = self.boolean(obj, snake) {
                out.push((*arm, self.value(n)));
            }
        }
        out
    }

    fn vnet(&mut self, name: &str, def: NodeId) {
        let t = self.t;
        if t.kind(def) != Kind::Object {
            self.problem(
                def,
                format!("vnet `{name}` should be a mapping of its settings"),
                "expected a mapping",
            );
            return;
        }
        self.keys(def, VNET, &format!("vnet `{name}`"));
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
                    self.problem(
                        n,
                        format!("`id` of vnet `{name}` is not a virtual network id"),
                        "not a vnet id",
                    );
                    return;
                }
            },
            // Without a subscription, a vnet another input defines under the same name (and
            // only one) is that vnet: the spec adds to an export.
            None if sub.is_none()
                && let [one] = self.b.defined_named(name).as_slice() =>
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
        let key = ArmId::parse(&id)
            .map(|a| a.key())
            .unwrap_or_else(|_| id.to_ascii_lowercase());
        let external = self.boolean(def, "external").is_some_and(|(b, _)| b);
        let mut props: Vec<(Rc<str>, Value)> = Vec::new();
        let mut space = Vec::new();
        if let Some(list) = self.array(def, "address_space") {
            for p in t.children(list) {
                if let Some(n) = t.str(p).and_then(|s| s.parse::<IpNet>().ok()) {
                    space.push(n);
                }
            }
            let prefixes = Value::object([("addressPrefixes", self.value(list))], self.loc(list));
            props.push((Rc::from("addressSpace"), prefixes));
        }
        let mut subnets = Vec::new();
        if let Some(list) = self.object(def, "subnets") {
            for (sname, sdef) in t.members(list) {
                let mut sprops: Vec<(Rc<str>, Value)> = Vec::new();
                match t.kind(sdef) {
                    Kind::String => sprops.push((Rc::from("addressPrefix"), self.value(sdef))),
                    Kind::Object => {
                        self.keys(sdef, SUBNET, &format!("subnet `{name}/{sname}`"));
                        if let Some(p) = self.array(sdef, "prefixes") {
                            sprops.push((Rc::from("addressPrefixes"), self.value(p)));
                        }
                    }
                    _ => {
                        self.problem(
                            sdef,
                            format!("subnet `{name}/{sname}` should be a prefix or a mapping"),
                            "expected a prefix",
                        );
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
        let mut appliances = Vec::new();
        if let Some(list) = self.object(def, "appliances") {
            for (aname, ip) in t.members(list) {
                match t.str(ip).and_then(|s| s.parse::<IpAddr>().ok()) {
                    Some(addr) => appliances.push(Appliance {
                        name: aname.to_string(),
                        ip: addr,
                        loc: self.loc(ip),
                    }),
                    None => self.problem(
                        ip,
                        format!("appliance `{name}/{aname}` should be an IP address"),
                        "not an IP address",
                    ),
                }
            }
        }
        if let Some((g, n)) = self.string(def, "gateway") {
            match g.to_ascii_lowercase().as_str() {
                "none" => {}
                "vpn" | "expressroute" | "route-server" => {
                    // The gateway resource a `virtualNetworkGateways` export would show.
                    let gw = serde_json::json!({
                        "id": format!("{id}/gateway"),
                        "type": "Microsoft.Network/virtualNetworkGateways",
                        "ipConfigurations": [{ "subnet": { "id": format!("{id}/subnets/GatewaySubnet") } }],
                    });
                    let gw = Value::from_json(&gw, self.loc(n));
                    self.standalone.push(gw);
                }
                other => self.problem(n, format!("unknown gateway `{other}`: expected `none`, `vpn`, `expressroute` or `route-server`"), "unknown gateway"),
            }
        }
        // The same vnet from another input: its gateway must agree with the spec's.
        if let Some((g, n)) = self
            .t
            .get(def, "gateway")
            .and_then(|n| Some((self.t.str(n)?.to_ascii_lowercase(), n)))
            && let Some((has, at)) = self.b.gateway_evidence(&key)
            && has != (g != "none")
        {
            let (spec_says, other_says) = if has {
                ("none", "a gateway")
            } else {
                ("a gateway", "none")
            };
            let loc = self.loc(n);
            self.b.problem(
                InputProblem {
                    kind: ProblemKind::Conflict,
                    loc,
                    message: format!("vnet `{name}` is described twice with different gateways: {spec_says} here, {other_says} in the other input"),
                    label: "the spec's gateway".into(),
                    help: Some("make the spec and the other input agree".into()),
                    related: Vec::new(),
                }
                .with_related(at, "the other input's description"),
            );
        }
        let routes = self.object(def, "routes");
        if self.by_name.contains_key(&name.to_ascii_lowercase()) {
            self.problem(
                def,
                format!("vnet `{name}` is declared twice"),
                "second declaration",
            );
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

    /// The vnet named `name`, or a problem at `n` with a suggestion.
    fn vnet_named(&mut self, name: &str, n: NodeId) -> Option<usize> {
        if let Some(&i) = self.by_name.get(&name.to_ascii_lowercase()) {
            return Some(i);
        }
        let names: Vec<String> = self.vnets.iter().map(|v| v.name.clone()).collect();
        let hint = closest(name, names.iter().map(String::as_str))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        self.problem(
            n,
            format!("no vnet `{name}` in `vnets`{hint}"),
            "unknown vnet",
        );
        None
    }

    /// Route tables for subnets with `routes` (their own, else the vnet's).
    fn subnet_routes(&mut self, i: usize) {
        let t = self.t;
        let vnet_routes = self.vnets[i].routes;
        for s in 0..self.vnets[i].subnets.len() {
            let sub = &self.vnets[i].subnets[s];
            let (sname, sdef) = (sub.name.clone(), sub.node);
            let own = if t.kind(sdef) == Kind::Object {
                self.object(sdef, "routes")
            } else {
                None
            };
            let Some(routes) = own.or(vnet_routes) else {
                continue;
            };
            // The spec's route table of one subnet (no ARM resource: its own id).
            let rt_id = format!("{}/subnets/{sname}/routes", self.vnets[i].id);
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
            let at = self.loc(routes);
            let name = format!("{}-{sname}-routes", self.vnets[i].name);
            let routes = Value::object([("routes", Value::array(list, at))], at);
            self.standalone.push(resource(
                &rt_id,
                &name,
                "Microsoft.Network/routeTables",
                routes,
                at,
            ));
            let rt = Value::object([("id", Value::str(&rt_id, at))], at);
            self.vnets[i].subnets[s]
                .props
                .push((Rc::from("routeTable"), rt));
        }
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
                        self.problem(
                            at,
                            format!("vnet `{vname}` has no subnet `{s}`"),
                            "unknown subnet",
                        );
                        Vec::new()
                    }
                }
            }
        }
    }

    /// A next hop: `vnet/appliance`, an IP address, or `gateway`.
    fn next_hop(&mut self, hop: NodeId) -> Option<(&'static str, Option<IpAddr>)> {
        let Some(text) = self.t.str(hop).map(str::to_string) else {
            self.problem(
                hop,
                "a next hop should be `vnet/appliance`, an IP address or `gateway`".into(),
                "expected a next hop",
            );
            return None;
        };
        if text.eq_ignore_ascii_case("gateway") {
            return Some(("VirtualNetworkGateway", None));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Some(("VirtualAppliance", Some(ip)));
        }
        let Some((vname, aname)) = text.split_once('/') else {
            self.problem(
                hop,
                format!("next hop `{text}` should be `vnet/appliance`, an IP address or `gateway`"),
                "unknown next hop",
            );
            return None;
        };
        let v = self.vnet_named(vname, hop)?;
        match self.vnets[v]
            .appliances
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(aname))
        {
            Some(a) => Some(("VirtualAppliance", Some(a.ip))),
            None => {
                let names: Vec<String> = self.vnets[v]
                    .appliances
                    .iter()
                    .map(|a| a.name.clone())
                    .collect();
                let hint = closest(aname, names.iter().map(String::as_str))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                self.problem(
                    hop,
                    format!("vnet `{vname}` has no appliance `{aname}`{hint}"),
                    "unknown appliance",
                );
                None
            }
        }
    }

    fn topology(&mut self, item: NodeId) {
        let t = self.t;
        if t.kind(item) != Kind::Object {
            self.problem(
                item,
                "a topology item should be `hub_and_spoke`, `mesh` or `peer`".into(),
                "expected a mapping",
            );
            return;
        }
        if let Some(hs) = t.get(item, "hub_and_spoke") {
            self.keys(item, &["hub_and_spoke"], "a `hub_and_spoke` item");
            if t.kind(hs) != Kind::Object {
                self.problem(
                    hs,
                    "`hub_and_spoke` should be a mapping".into(),
                    "expected a mapping",
                );
                return;
            }
            self.keys(hs, HUB_AND_SPOKE, "`hub_and_spoke`");
            let Some((hub, hub_n)) = self.string(hs, "hub") else {
                self.problem(hs, "`hub_and_spoke` needs a `hub`".into(), "no hub");
                return;
            };
            let Some(h) = self.vnet_named(&hub, hub_n) else {
                return;
            };
            let transit = self.boolean(hs, "gateway_transit");
            let forwarded = self.boolean(hs, "forwarded_traffic");
            let Some(spokes) = self.array(hs, "spokes") else {
                return;
            };
            for s in t.children(spokes) {
                let Some(sname) = t.str(s) else { continue };
                let Some(si) = self.vnet_named(sname, s) else {
                    continue;
                };
                let mut hub_side = Vec::new();
                let mut spoke_side = Vec::new();
                if let Some((b, n)) = transit {
                    hub_side.push(("allowGatewayTransit", Value::new(Val::Bool(b), self.loc(n))));
                    spoke_side.push(("useRemoteGateways", Value::new(Val::Bool(b), self.loc(n))));
                }
                if let Some((b, n)) = forwarded {
                    hub_side.push((
                        "allowForwardedTraffic",
                        Value::new(Val::Bool(b), self.loc(n)),
                    ));
                    spoke_side.push((
                        "allowForwardedTraffic",
                        Value::new(Val::Bool(b), self.loc(n)),
                    ));
                }
                self.peering(h, si, s, None, hub_side, None);
                self.peering(si, h, s, None, spoke_side, None);
            }
        } else if let Some(m) = t.get(item, "mesh") {
            self.keys(item, &["mesh"], "a `mesh` item");
            let Some(list) = (t.kind(m) == Kind::Array).then_some(m) else {
                self.problem(
                    m,
                    "`mesh` should be a list of vnets".into(),
                    "expected a list",
                );
                return;
            };
            let members: Vec<(usize, NodeId)> = t
                .children(list)
                .filter_map(|n| Some((self.vnet_named(t.str(n)?, n)?, n)))
                .collect();
            for (i, &(a, an)) in members.iter().enumerate() {
                for &(c, cn) in &members[i + 1..] {
                    self.peering(a, c, an, None, Vec::new(), None);
                    self.peering(c, a, cn, None, Vec::new(), None);
                }
            }
        } else if let Some(p) = t.get(item, "peer") {
            let mut also = vec!["peer", "name", "subnets"];
            also.extend(PEERING_FIELDS.iter().map(|(s, _)| *s));
            self.keys(item, &also, "a `peer` item");
            let Some(text) = t.str(p) else {
                self.problem(
                    p,
                    "`peer` should be `a <-> b` or `a -> b`".into(),
                    "expected a link",
                );
                return;
            };
            let (a, c, both) = if let Some((a, c)) = text.split_once("<->") {
                (a.trim(), c.trim(), true)
            } else if let Some((a, c)) = text.split_once("->") {
                (a.trim(), c.trim(), false)
            } else {
                self.problem(
                    p,
                    format!("`{text}` should be `a <-> b` (both directions) or `a -> b` (one)"),
                    "expected `<->` or `->`",
                );
                return;
            };
            let (Some(ai), Some(ci)) = (self.vnet_named(a, p), self.vnet_named(c, p)) else {
                return;
            };
            let overrides = self.peering_fields(item, &["peer", "name", "subnets"]);
            let name = self.string(item, "name");
            let subnets = self.object(item, "subnets").map(|s| {
                self.keys(s, &["local", "remote"], "`subnets`");
                (
                    t.get(s, "local").map(|n| self.value(n)),
                    t.get(s, "remote").map(|n| self.value(n)),
                )
            });
            self.peering(
                ai,
                ci,
                item,
                name.clone(),
                overrides.clone(),
                subnets.clone(),
            );
            if both {
                let mirrored = subnets.map(|(l, r)| (r, l));
                self.peering(ci, ai, item, None, overrides, mirrored);
            }
        } else {
            let keys: Vec<String> = t.members(item).map(|(k, _)| k.to_string()).collect();
            let k = keys.first().cloned().unwrap_or_default();
            let hint = closest(&k, ["hub_and_spoke", "mesh", "peer"].into_iter())
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            self.problem(
                item,
                format!(
                    "a topology item should be `hub_and_spoke`, `mesh` or `peer`, found `{k}`{hint}"
                ),
                "unknown topology item",
            );
        }
    }

    /// A peering of vnet `a` towards `c`, made by the topology node `at`.
    fn peering(
        &mut self,
        a: usize,
        c: usize,
        at: NodeId,
        name: Option<(String, NodeId)>,
        fields: Vec<(&'static str, Value)>,
        subnets: Option<(Option<Value>, Option<Value>)>,
    ) {
        let loc = self.loc(at);
        let (pname, name_loc) = match name {
            Some((n, node)) => (n, self.loc(node)),
            None => (
                format!("{}-to-{}", self.vnets[a].name, self.vnets[c].name),
                loc,
            ),
        };
        let remote = Value::object([("id", Value::str(&self.vnets[c].id, loc))], loc);
        let mut props: Vec<(Rc<str>, Value)> = vec![(Rc::from("remoteVirtualNetwork"), remote)];
        for (k, v) in self.peering_defaults.iter().cloned().chain(fields) {
            props.retain(|(x, _)| **x != *k);
            props.push((Rc::from(k), v));
        }
        if let Some((local, remote)) = subnets {
            props.push((
                Rc::from("peerCompleteVnets"),
                Value::new(Val::Bool(false), loc),
            ));
            if let Some(l) = local {
                props.push((Rc::from("localSubnetNames"), l));
            }
            if let Some(r) = remote {
                props.push((Rc::from("remoteSubnetNames"), r));
            }
        }
        let id = format!("{}/virtualNetworkPeerings/{pname}", self.vnets[a].id);
        let p = Value::object(
            [
                ("id", Value::str(&id, name_loc)),
                ("name", Value::str(&pname, name_loc)),
                ("properties", Value::object(props, loc)),
            ],
            loc,
        );
        self.vnets[a].peerings.push(p);
    }

    fn intent(&mut self, item: NodeId) {
        let t = self.t;
        if t.kind(item) != Kind::Object {
            self.problem(
                item,
                "an intent should be `allow: {from, to}` or `deny: {from, to}`".into(),
                "expected a mapping",
            );
            return;
        }
        self.keys(item, INTENT, "an intent");
        let (kind, body) = match (t.get(item, "allow"), t.get(item, "deny")) {
            (Some(b), None) => (IntentKind::Allow, b),
            (None, Some(b)) => (IntentKind::Deny, b),
            _ => {
                self.problem(
                    item,
                    "an intent has exactly one of `allow` and `deny`".into(),
                    "expected `allow` or `deny`",
                );
                return;
            }
        };
        if t.kind(body) != Kind::Object {
            self.problem(
                body,
                "`allow`/`deny` should be a mapping with `from` and `to`".into(),
                "expected a mapping",
            );
            return;
        }
        self.keys(body, ENDS, "an intent");
        let why = self.string(item, "why").map(|(s, _)| s);
        let (Some(from), Some(to)) = (t.get(body, "from"), t.get(body, "to")) else {
            self.problem(
                body,
                "an intent needs `from` and `to`".into(),
                "missing `from` or `to`",
            );
            return;
        };
        let from = self.endpoints(from);
        let to = self.endpoints(to);
        if from.is_empty() || to.is_empty() {
            return;
        }
        let loc = self.loc(item);
        self.b.intent(Intent {
            kind,
            from,
            to,
            why,
            loc,
        });
    }

    /// `from`/`to`: one endpoint or a list.
    fn endpoints(&mut self, n: NodeId) -> Vec<(Endpoint, Loc)> {
        let t = self.t;
        let items: Vec<NodeId> = if t.kind(n) == Kind::Array {
            t.children(n).collect()
        } else {
            vec![n]
        };
        let mut out = Vec::new();
        for i in items {
            let Some(s) = t.str(i) else {
                self.problem(
                    i,
                    "an endpoint is a vnet, `vnet/subnet` or a CIDR".into(),
                    "expected a string",
                );
                continue;
            };
            let e = if let Ok(net) = s.parse::<IpNet>() {
                Endpoint::Prefix(net)
            } else if let Ok(ip) = s.parse::<IpAddr>() {
                Endpoint::Prefix(IpNet::from(ip))
            } else if let Some((v, sub)) = s.split_once('/').filter(|_| !s.starts_with('/')) {
                Endpoint::Subnet(v.to_string(), sub.to_string())
            } else {
                Endpoint::Vnet(s.to_string())
            };
            out.push((e, self.loc(i)));
        }
        out
    }

    /// Hands everything to the extractor and the graph.
    fn finish(self) {
        let t = self.t;
        let Loader {
            file,
            b,
            vnets,
            standalone,
            ..
        } = self;
        for v in vnets {
            let at = Loc::new(file, t.key_span(v.node), Some(v.node));
            if v.external {
                let space = (!v.space.is_empty()).then(|| PrefixList {
                    prefixes: v
                        .space
                        .iter()
                        .map(|n| Prefix {
                            text: n.to_string(),
                            parsed: PrefixValue::Parsed(crate::prefix::parse(&n.to_string())),
                            loc: at,
                        })
                        .collect(),
                    loc: at,
                });
                b.external(&v.key, &v.id, &v.name, at, space);
                continue;
            }
            let mut props = v.props;
            let subnets: Vec<Value> = v
                .subnets
                .into_iter()
                .map(
                    |SpecSubnet {
                         name,
                         node,
                         props: sprops,
                     }| {
                        let sat = Loc::new(file, t.key_span(node), Some(node));
                        Value::object(
                            [
                                ("name", Value::str(&name, sat)),
                                ("properties", Value::object(sprops, sat)),
                            ],
                            sat,
                        )
                    },
                )
                .collect();
            props.push((Rc::from("subnets"), Value::array(subnets, at)));
            props.push((
                Rc::from("virtualNetworkPeerings"),
                Value::array(v.peerings, at),
            ));
            let props = Value::object(props, at);
            let body = resource(
                &v.id,
                &v.name,
                "Microsoft.Network/virtualNetworks",
                props,
                at,
            );
            EvalDoc::extract(&body, file, b);
            for a in v.appliances {
                b.appliance(&v.key, a);
            }
        }
        for r in standalone {
            EvalDoc::extract(&r, file, b);
        }
    }
}
