//! The azurerm (and azapi) resources of a plan or state as the ARM resources they manage:
//! vnets with their subnets (inline `subnet` blocks, `azurerm_subnet`, route table
//! associations), peerings, gateways (`azurerm_virtual_network_gateway`, Route Servers:
//! `azurerm_route_server`, `azurerm_virtual_hub_ip`), route tables with their routes,
//! Azure Firewalls (appliances), and `azapi_resource` vnets, subnets and peerings whose
//! `body` is the ARM `properties` shape. Peering attributes of azurerm 3.x and 4.x alike.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::config::{Resolution, Target};
use super::plan::{self, Action, At};
use super::{AFTER_APPLY, Loader};
use crate::arm::value::{Val, Value};
use crate::graph::GraphBuilder;
use crate::id::{ArmId, RemoteKind, classify_remote};
use crate::load::doc::EvalDoc;
use crate::model::{
    Appliance, Blocked, Fact, Loc, PlannedAction, PlannedChange, TfResource, Unresolved,
};

/// A subnet to place in its vnet: its instance, its name and its ARM value.
struct SubnetDraft {
    inst: usize,
    name: String,
    value: Value,
}

/// What an `azapi_resource` manages, from its `type` (`Microsoft.Network/virtualNetworks@…`).
fn azapi_type<'t>(l: &Loader<'t>, i: usize) -> Option<(&'t str, Option<&'t str>)> {
    let v = l.inst.str(l.t, i, "type")?;
    Some(match v.split_once('@') {
        Some((ty, api)) => (ty, Some(api)),
        None => (v, None),
    })
}

fn is_azapi(l: &Loader<'_>, i: usize, ty: &str) -> bool {
    l.inst.list[i].is("azapi_resource")
        && azapi_type(l, i).is_some_and(|(t, _)| t.eq_ignore_ascii_case(ty))
}

const VNETS: &str = "Microsoft.Network/virtualNetworks";
const SUBNETS: &str = "Microsoft.Network/virtualNetworks/subnets";
const PEERINGS: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";

/// Whether an instance is a vnet (managed, azapi, or a data source).
fn is_vnet(l: &Loader<'_>, i: usize) -> bool {
    let inst = &l.inst.list[i];
    inst.is("azurerm_virtual_network")
        || inst.is_data("azurerm_virtual_network")
        || is_azapi(l, i, VNETS)
}

fn key_of(id: &str) -> String {
    ArmId::parse(id)
        .map(|a| a.key())
        .unwrap_or_else(|_| id.to_ascii_lowercase())
}

/// A member of an object value, or null.
fn get(v: &Value, key: &str) -> Value {
    v.get(key)
        .cloned()
        .unwrap_or_else(|| Value::new(Val::Null, v.at))
}

fn obj(members: Vec<(&str, Value)>, at: Loc) -> Value {
    Value::object(
        members
            .into_iter()
            .filter(|(_, v)| !matches!(v.v, Val::Null))
            .map(|(k, v)| (Rc::<str>::from(k), v)),
        at,
    )
}

/// The elements of an array value (none for other values).
fn items(v: &Value) -> Vec<Value> {
    match &v.v {
        Val::Array(a) => a.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Builds every resource of the document and hands it to the graph.
pub(super) fn build(l: &mut Loader<'_>, b: &mut GraphBuilder) {
    let n = l.inst.list.len();
    // Vnets by resource group and name (from their ids, known or made), the managed ones
    // first.
    for pass in [false, true] {
        for i in 0..n {
            if !is_vnet(l, i) || l.inst.list[i].addr.data != pass {
                continue;
            }
            let id = l.vnet_id(b, i);
            // Known by resource group and name (its subscription may be a placeholder).
            if let Ok(a) = ArmId::parse(&id)
                && a.types.len() == 1
                && !a.resource_group.contains('{')
                && !a.name().contains('{')
            {
                l.by_name
                    .entry((
                        a.resource_group.to_ascii_lowercase(),
                        a.name().to_ascii_lowercase(),
                    ))
                    .or_default()
                    .push(i);
            }
        }
    }
    let mut cx = Build {
        subnets: Vec::new(),
        subnets_of: FxHashMap::default(),
        subnet_of: FxHashMap::default(),
        route_tables: FxHashMap::default(),
        associations: FxHashMap::default(),
        routes: FxHashMap::default(),
        gateway_unseen: Vec::new(),
    };
    for i in 0..n {
        if l.inst.list[i].is("azurerm_route") {
            let rg = l.known(i, "resource_group_name").map(|(s, _)| s);
            let table = l.known(i, "route_table_name").map(|(s, _)| s);
            if let (Some(rg), Some(table)) = (rg, table) {
                cx.routes
                    .entry((rg.to_ascii_lowercase(), table.to_ascii_lowercase()))
                    .or_default()
                    .push(i);
            }
        }
    }
    for i in 0..n {
        if l.inst.list[i].is("azurerm_subnet") || is_azapi(l, i, SUBNETS) {
            cx.subnet(l, b, i);
        }
    }
    for i in 0..n {
        if l.inst.list[i].is("azurerm_route_table") {
            let id = route_table_id(l, i);
            cx.route_tables.insert(i, id);
        }
    }
    for i in 0..n {
        if l.inst.list[i].is("azurerm_subnet_route_table_association") {
            cx.association(l, b, i);
        }
    }
    // Vnets, then what refers to them.
    for i in 0..n {
        if is_vnet(l, i) {
            cx.vnet(l, b, i);
        }
    }
    for i in 0..n {
        let inst = &l.inst.list[i];
        if inst.is("azurerm_virtual_network_peering") {
            peering(l, b, i);
        } else if is_azapi(l, i, PEERINGS) {
            azapi_peering(l, b, i);
        } else if inst.is("azurerm_virtual_network_gateway") {
            gateway(l, &cx, b, i);
        } else if inst.is("azurerm_route_server") || inst.is("azurerm_virtual_hub_ip") {
            route_server(l, &cx, b, i);
        } else if inst.is("azurerm_route_table") {
            route_table(l, &cx, b, i);
        } else if inst.is("azurerm_firewall") {
            firewall(l, &cx, b, i);
        }
    }
    // An existing vnet with a `GatewaySubnet` (or subnets the plan doesn't show) may have a
    // gateway managed outside the plan, which Terraform's vnet can't show: where a peering
    // needs one and nothing shows one, whether it has one is unknown, not "no".
    for (key, id, i) in std::mem::take(&mut cx.gateway_unseen) {
        if l.gateway_wanted.contains(&key)
            && !l.gateway_shown.contains(&key)
            && b.gateway_evidence(&key).is_some_and(|(has, _)| !has)
        {
            b.unresolved(Unresolved {
                loc: l.anchor(i),
                resource: id,
                what: format!("whether `{}` has a gateway", l.address(i)),
                reason: "the vnet exists and has a `GatewaySubnet` (or subnets the plan doesn't show), and a gateway managed outside this plan doesn't show in it".into(),
                blocks: Blocked::Fact(Fact::Gateways),
            });
        }
    }
}

/// What is gathered before the vnets are built.
struct Build {
    subnets: Vec<SubnetDraft>,
    /// The subnets of each vnet (by key): indexes into `subnets`.
    subnets_of: FxHashMap<String, Vec<usize>>,
    /// Subnet instances: their vnet's id and their name.
    subnet_of: FxHashMap<usize, (String, String)>,
    /// Route table instances: their ids.
    route_tables: FxHashMap<usize, String>,
    /// Route tables associated with subnets, by (vnet key, subnet name in lower case).
    associations: FxHashMap<(String, String), Value>,
    /// `azurerm_route` instances by (resource group, route table name), lower case.
    routes: FxHashMap<(String, String), Vec<usize>>,
    /// Vnets that exist before the plan with a `GatewaySubnet` (or subnets the plan doesn't
    /// show): key, id, instance.
    gateway_unseen: Vec<(String, String, usize)>,
}

/// Extracts an ARM value, then words the unknowns the extractor found in Terraform's terms:
/// the argument, of the instance's address (a subnet's: of the `azurerm_subnet` in `subnets`
/// by lower-case name, else of the vnet's inline block).
fn extract(
    l: &Loader<'_>,
    b: &mut GraphBuilder,
    i: usize,
    value: &Value,
    names: &[(&str, &str)],
    subnets: &FxHashMap<String, usize>,
) {
    let mark = b.mark().1;
    EvalDoc::extract(value, l.file, b);
    let address = l.address(i);
    for u in b.unresolved_since(mark) {
        let (what, _) = u.what.rsplit_once(" of `").unwrap_or((&u.what, ""));
        let mut what = what.to_string();
        let subnet = u
            .resource
            .rsplit_once("/subnets/")
            .map(|(_, name)| name.to_string());
        let (names, owner) = match subnet {
            Some(name) => match subnets.get(&name.to_ascii_lowercase()) {
                Some(&s) => (SUBNET_NAMES, format!("`{}`", l.address(s))),
                None => (SUBNET_NAMES, format!("subnet `{name}` of `{address}`")),
            },
            None => (names, format!("`{address}`")),
        };
        for (arm, tf) in names {
            what = what.replace(arm, tf);
        }
        u.what = format!("{what} of {owner}");
    }
}

const SUBNET_NAMES: &[(&str, &str)] = &[
    ("`addressPrefixes`", "`address_prefixes`"),
    ("`addressPrefix`", "`address_prefix`"),
    ("an address prefix", "an entry of `address_prefixes`"),
];

/// ARM names of a peering's properties and the azurerm arguments they come from.
const PEERING_NAMES: &[(&str, &str)] = &[
    ("`remoteVirtualNetwork.id`", "`remote_virtual_network_id`"),
    ("`remoteVirtualNetwork`", "`remote_virtual_network_id`"),
    ("`useRemoteGateways`", "`use_remote_gateways`"),
    ("`allowGatewayTransit`", "`allow_gateway_transit`"),
    (
        "`peerCompleteVnets`",
        "`peer_complete_virtual_networks_enabled`",
    ),
    ("`enableOnlyIPv6Peering`", "`only_ipv6_peering_enabled`"),
    ("`localSubnetNames`", "`local_subnet_names`"),
    ("`remoteSubnetNames`", "`remote_subnet_names`"),
    ("the peering's name", "`name`"),
];

const VNET_NAMES: &[(&str, &str)] = &[
    ("`addressPrefixes`", "`address_space`"),
    ("`addressSpace`", "`address_space`"),
    (
        "an address prefix",
        "an entry of `address_space` or `address_prefixes`",
    ),
    ("an entry of `subnets`", "a `subnet`"),
    ("`subnets`", "`subnet`"),
];

const GATEWAY_NAMES: &[(&str, &str)] = &[
    ("`gatewayType`", "`type`"),
    ("`sku.name`", "`sku`"),
    ("the subnet", "`subnet_id`"),
    ("`ipConfigurations`", "`ip_configuration`"),
];

/// Records a vnet's or peering's Terraform address and change.
fn record(l: &Loader<'_>, b: &mut GraphBuilder, i: usize, id: &str, vnet: bool) {
    let change = l.inst.list[i].change.as_ref().map(|c| {
        let t = l.t;
        let action = match c.action {
            Action::NoOp => PlannedAction::NoOp,
            Action::Create => PlannedAction::Create,
            Action::Update => PlannedAction::Update,
            Action::Replace => PlannedAction::Replace,
            Action::Delete | Action::Read => PlannedAction::Other,
        };
        let replaced_because = c
            .replace_paths
            .map(|p| {
                t.children(p)
                    .map(|path| {
                        t.children(path)
                            .map(|s| match t.str(s) {
                                Some(x) => x.to_string(),
                                None => t.number(s).unwrap_or("").to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .collect()
            })
            .unwrap_or_default();
        let before = |key: &str| c.before.and_then(|bf| t.get(bf, key));
        PlannedChange {
            action,
            loc: l.loc(c.actions),
            replaced_because,
            before_address_space: before("address_space")
                .filter(|_| vnet)
                .filter(|&n| t.kind(n) == crate::tree::Kind::Array)
                .map(|n| {
                    (
                        t.children(n)
                            .filter_map(|p| t.str(p).map(str::to_string))
                            .collect(),
                        l.loc(n),
                    )
                }),
            before_remote: before("remote_virtual_network_id")
                .filter(|_| !vnet)
                .and_then(|n| Some((t.str(n)?.to_string(), l.loc(n))))
                .or_else(|| {
                    // azapi: in the body, an object (2.x) or a JSON string (1.x).
                    let body = before("body").filter(|_| !vnet)?;
                    let remote = |v: &serde_json::Value| {
                        v.pointer("/properties/remoteVirtualNetwork/id")?
                            .as_str()
                            .map(str::to_string)
                    };
                    let text = match t.str(body) {
                        Some(s) => remote(&serde_json::from_str(s).ok()?)?,
                        None => {
                            let n = plan::walk(
                                t,
                                body,
                                &[
                                    At::Key("properties"),
                                    At::Key("remoteVirtualNetwork"),
                                    At::Key("id"),
                                ],
                            )?;
                            return Some((t.str(n)?.to_string(), l.loc(n)));
                        }
                    };
                    Some((text, l.loc(body)))
                }),
            before_id: before("id").and_then(|n| t.str(n)).map(str::to_string),
        }
    });
    b.terraform(
        id,
        TfResource {
            address: l.address(i).to_string(),
            azurerm: !l.inst.list[i].is("azapi_resource"),
            change,
        },
    );
}

impl Build {
    /// An `azurerm_subnet` or azapi subnet: placed in its vnet.
    fn subnet(&mut self, l: &mut Loader<'_>, b: &mut GraphBuilder, i: usize) {
        let after = l.after_only(i, &["name", "address_prefixes", "address_prefix", "body"]);
        let (vnet_id, value) = if l.inst.list[i].is("azapi_resource") {
            let parent = l.parent_id_of_vnet_child(b, i);
            let props = body_properties(&after);
            (parent, props)
        } else {
            let Some(vnet_id) = local_vnet(l, b, i) else {
                return;
            };
            let prefixes = after
                .get("address_prefixes")
                .cloned()
                .map(|p| ("addressPrefixes", p))
                .or_else(|| {
                    after
                        .get("address_prefix")
                        .cloned()
                        .map(|p| ("addressPrefix", p))
                });
            let mut members = Vec::new();
            if let Some((k, v)) = prefixes {
                members.push((k, v));
            }
            (vnet_id, obj(members, after.at))
        };
        let name = l.name_or_placeholder(b, i, "name");
        let at = l.anchor(i);
        let name_value = after
            .get("name")
            .cloned()
            .unwrap_or_else(|| Value::str(&name, at));
        let value = Value::object(
            [("name", name_value), ("properties", value)],
            l.loc(l.inst.list[i].obj),
        );
        self.subnet_of.insert(i, (vnet_id.clone(), name.clone()));
        self.subnets_of
            .entry(key_of(&vnet_id))
            .or_default()
            .push(self.subnets.len());
        self.subnets.push(SubnetDraft {
            inst: i,
            name,
            value,
        });
    }

    /// An `azurerm_subnet_route_table_association`.
    fn association(&mut self, l: &mut Loader<'_>, b: &mut GraphBuilder, i: usize) {
        let Some((vnet_id, subnet)) = subnet_ref(l, self, b, i, &[At::Key("subnet_id")]) else {
            return;
        };
        let rt = route_table_ref(l, self, i, &[At::Key("route_table_id")]);
        self.associations
            .insert((key_of(&vnet_id), subnet.to_ascii_lowercase()), rt);
    }

    /// A vnet: managed (with its subnets) or a data source (an existing vnet outside the
    /// plan, external).
    fn vnet(&mut self, l: &mut Loader<'_>, b: &mut GraphBuilder, i: usize) {
        let id = l.vnet_id(b, i);
        let key = key_of(&id);
        let after = l.after_only(i, &["name", "address_space", "subnet", "body"]);
        let at = l.loc(l.inst.list[i].obj);
        if l.inst.list[i].addr.data {
            // A vnet the plan defines too is that one.
            if b.id_of(&key).is_some() {
                return;
            }
            let name = l.name_or_placeholder(b, i, "name");
            let space = external_space(&after);
            if let Some(u) = after.get("address_space").filter(|v| v.is_unknown()) {
                b.unresolved(Unresolved {
                    loc: u.at,
                    resource: id.clone(),
                    what: format!("`address_space` of `{}`", l.address(i)),
                    reason: "Terraform reads the data source only at apply".into(),
                    blocks: Blocked::Fact(Fact::AddressSpace),
                });
            }
            b.external(&key, &id, &name, l.anchor(i), space);
            record(l, b, i, &id, true);
            return;
        }
        let azapi = l.inst.list[i].is("azapi_resource");
        let mut props: Vec<(Rc<str>, Value)> = if azapi {
            match &body_properties(&after).v {
                Val::Object(m) => m.iter().cloned().collect(),
                _ => {
                    let v = body_properties(&after);
                    vec![(Rc::from("properties"), v)]
                }
            }
        } else {
            vec![(
                Rc::from("addressSpace"),
                obj(vec![("addressPrefixes", get(&after, "address_space"))], at),
            )]
        };
        // azapi with an unknown body: the extractor reads the unknown `properties`.
        let opaque = props.len() == 1 && &*props[0].0 == "properties";
        let mut subnets: Vec<Value> = Vec::new();
        let mut unknown_list: Option<Value> = None;
        if !azapi {
            match &get(&after, "subnet").v {
                Val::Array(list) => {
                    for s in list.iter() {
                        subnets.push(inline_subnet(s));
                    }
                }
                Val::Unknown(_) if !self.subnets_only_separate(l, i) => {
                    unknown_list = Some(get(&after, "subnet"));
                }
                _ => {}
            }
        } else if let Some(pos) = props.iter().position(|(k, _)| &**k == "subnets") {
            let (_, v) = props.remove(pos);
            match &v.v {
                Val::Array(list) => subnets.extend(list.iter().cloned()),
                Val::Unknown(_) => unknown_list = Some(v),
                _ => {}
            }
        }
        let has = |subnets: &[Value], name: &str| {
            subnets.iter().any(|s| {
                s.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
        };
        if l.plan
            && l.inst.list[i]
                .change
                .as_ref()
                .is_none_or(|c| matches!(c.action, Action::NoOp | Action::Update))
            && (unknown_list.is_some()
                || has(&subnets, "GatewaySubnet")
                || self.subnets_of.get(&key).is_some_and(|ds| {
                    ds.iter()
                        .any(|&d| self.subnets[d].name.eq_ignore_ascii_case("GatewaySubnet"))
                }))
        {
            self.gateway_unseen.push((key.clone(), id.clone(), i));
        }
        let mut separate: FxHashMap<String, usize> = FxHashMap::default();
        for &d in self
            .subnets_of
            .get(&key)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let d = &self.subnets[d];
            if !has(&subnets, &d.name) {
                subnets.push(d.value.clone());
                separate.insert(d.name.to_ascii_lowercase(), d.inst);
            }
        }
        // Route tables associated by their own resource.
        let subnets: Vec<Value> = subnets
            .into_iter()
            .map(|s| self.with_route_table(&key, s))
            .collect();
        if !opaque {
            props.push((
                Rc::from("subnets"),
                unknown_list.unwrap_or_else(|| Value::array(subnets, at)),
            ));
        }
        let mut members: Vec<(&str, Value)> = vec![
            ("id", Value::str(&id, l.anchor(i))),
            ("name", get(&after, "name")),
            ("type", Value::str(VNETS, at)),
        ];
        if let Some((_, Some(api))) = azapi_type(l, i) {
            members.push(("apiVersion", Value::str(api, at)));
        }
        if opaque {
            members.push(("properties", props.remove(0).1));
        } else {
            members.push(("properties", Value::object(props, at)));
        }
        let value = obj(members, at);
        extract(l, b, i, &value, VNET_NAMES, &separate);
        record(l, b, i, &id, true);
    }

    /// Whether a vnet's subnets are all separate resources: it is created by this plan and
    /// its configuration writes no `subnet` (then its computed `subnet` is unknown, but will
    /// hold only the subnets the plan creates in it).
    fn subnets_only_separate(&self, l: &Loader<'_>, i: usize) -> bool {
        let created = l.inst.list[i]
            .change
            .as_ref()
            .is_some_and(|c| matches!(c.action, Action::Create | Action::Replace));
        let configured = l.expression(i, &[At::Key("subnet")]).is_some();
        let has_config = l
            .config
            .as_ref()
            .and_then(|c| {
                c.resource(
                    &l.inst.list[i].addr.module,
                    &l.inst.list[i].addr.config_name(),
                )
            })
            .is_some();
        created && has_config && !configured
    }

    /// A subnet value with the route table its association gives it.
    fn with_route_table(&self, vnet_key: &str, subnet: Value) -> Value {
        let Some(name) = subnet.get("name").and_then(Value::as_str) else {
            return subnet;
        };
        let Some(rt) = self
            .associations
            .get(&(vnet_key.to_string(), name.to_ascii_lowercase()))
        else {
            return subnet;
        };
        let at = subnet.at;
        let mut members: Vec<(Rc<str>, Value)> = match &subnet.v {
            Val::Object(m) => m.iter().cloned().collect(),
            _ => return subnet,
        };
        let props = members.iter().position(|(k, _)| &**k == "properties");
        let mut p: Vec<(Rc<str>, Value)> = match props.map(|x| &members[x].1.v) {
            Some(Val::Object(m)) => m.iter().cloned().collect(),
            _ => Vec::new(),
        };
        p.retain(|(k, _)| &**k != "routeTable");
        p.push((Rc::from("routeTable"), obj(vec![("id", rt.clone())], rt.at)));
        let pv = Value::object(p, at);
        match props {
            Some(x) => members[x].1 = pv,
            None => members.push((Rc::from("properties"), pv)),
        }
        Value::object(members, at)
    }
}

/// An inline `subnet` block of `azurerm_virtual_network` as an ARM subnet (3.x writes
/// `address_prefix`, 4.x `address_prefixes`; 4.x may name a `route_table_id`).
fn inline_subnet(s: &Value) -> Value {
    let at = s.at;
    let mut props = Vec::new();
    if let Some(p) = s.get("address_prefixes") {
        props.push(("addressPrefixes", p.clone()));
    } else if let Some(p) = s.get("address_prefix") {
        props.push(("addressPrefix", p.clone()));
    }
    if let Some(rt) = s
        .get("route_table_id")
        .filter(|v| v.as_str().is_some_and(|x| !x.is_empty()))
    {
        props.push(("routeTable", obj(vec![("id", rt.clone())], rt.at)));
    }
    obj(
        vec![("name", get(s, "name")), ("properties", obj(props, at))],
        at,
    )
}

/// A data source vnet's address space, when the plan read it.
fn external_space(after: &Value) -> Option<crate::model::PrefixList> {
    let list = after.get("address_space")?;
    let Val::Array(items) = &list.v else {
        return None;
    };
    let prefixes: Vec<crate::model::Prefix> = items
        .iter()
        .filter_map(|p| {
            let s = p.as_str()?;
            Some(crate::model::Prefix {
                text: s.into(),
                parsed: crate::model::PrefixValue::Parsed(crate::prefix::parse(s)),
                loc: p.at,
            })
        })
        .collect();
    (!prefixes.is_empty()).then_some(crate::model::PrefixList {
        prefixes,
        loc: list.at,
    })
}

/// An azapi resource's `body.properties` (azapi 2.x: an object; 1.x: a JSON string), or an
/// unknown when Terraform knows the body only after apply.
fn body_properties(after: &Value) -> Value {
    let body = get(after, "body");
    let body = match &body.v {
        Val::Str(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => Value::from_json(&j, body.at),
            Err(_) => Value::unknown("its `body` is not JSON", None, body.at),
        },
        _ => body,
    };
    match &body.v {
        Val::Unknown(_) => body,
        _ => get(&body, "properties"),
    }
}

impl Loader<'_> {
    /// An azapi child resource's parent (its vnet): known, else linked.
    fn parent_id_of_vnet_child(&mut self, b: &mut GraphBuilder, i: usize) -> String {
        if let Some((p, _)) = self.known(i, "parent_id") {
            return p;
        }
        match link_vnet(self, b, i, &[At::Key("parent_id")]) {
            Ok((id, _, _, _)) => id,
            Err(_) => format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{}",
                self.sub(i),
                self.placeholder(b, i, "parent_id"),
                self.placeholder(b, i, "parent_id.name")
            ),
        }
    }
}

/// The vnet an `azurerm_subnet` or peering belongs to (`virtual_network_name` and
/// `resource_group_name`): one of the plan's vnets, else the id it has. A name known only
/// after apply is followed through the configuration, else stands as a placeholder (and is
/// recorded as unresolved).
fn local_vnet(l: &mut Loader<'_>, b: &mut GraphBuilder, i: usize) -> Option<String> {
    let rg = l.known(i, "resource_group_name").map(|(s, _)| s);
    if let (Some(rg), Some((name, _))) = (&rg, l.known(i, "virtual_network_name")) {
        return Some(l.vnet_named(b, i, rg, &name));
    }
    if let Ok((id, _, _, _)) = link_vnet(l, b, i, &[At::Key("virtual_network_name")]) {
        return Some(id);
    }
    let rg = match rg {
        Some(r) => r,
        None => l.placeholder(b, i, "resource_group_name"),
    };
    let name = match l.known(i, "virtual_network_name") {
        Some((n, _)) => n,
        None => {
            let at = match l.after_at(i, &[At::Key("virtual_network_name")]) {
                Some(v) => v.at,
                None => l.anchor(i),
            };
            let address = l.address(i).to_string();
            let id = format!(
                "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{}",
                l.sub(i),
                l.placeholder(b, i, "virtual_network_name")
            );
            b.unresolved(Unresolved {
                loc: at,
                resource: id,
                what: format!("`virtual_network_name` of `{address}`"),
                reason: format!(
                    "{AFTER_APPLY}, and peerlint can't follow its expression to a vnet"
                ),
                blocks: Blocked::Fact(Fact::Peerings),
            });
            l.placeholder(b, i, "virtual_network_name")
        }
    };
    Some(l.vnet_named(b, i, &rg, &name))
}

/// Why an expression's candidates are too many to be one resource: the instances of a
/// resource it may be any of, or more values than are followed.
fn too_many(r: &Resolution) -> Option<String> {
    if let Some((shown, n)) = &r.many {
        return Some(format!(
            "its expression may name any of the {n} instances of `{shown}`"
        ));
    }
    (r.more > 0).then(|| {
        format!(
            "its expression may name any of more than {} values",
            super::config::MAX_TARGETS
        )
    })
}

/// Follows an argument to the one vnet it names: its id, how it is shown, where the
/// expression is, and whether that vnet is a reading rather than a fact (chosen by an implied
/// key, or named by its `.name` alone). Err: why it can't be known (and where to point).
#[allow(clippy::type_complexity)]
fn link_vnet(
    l: &mut Loader<'_>,
    b: &mut GraphBuilder,
    i: usize,
    path: &[At<'_>],
) -> Result<(String, String, Loc, bool), (String, Option<Loc>)> {
    let (found, at, implied) = link_one(
        l,
        i,
        path,
        |l, t| match t {
            Target::Instance { inst, attr }
                if is_vnet(l, *inst)
                    && attr.as_deref().is_none_or(|a| a == "id" || a == "name") =>
            {
                Some((
                    l.vnet_id(b, *inst),
                    l.address(*inst).to_string(),
                    attr.as_deref() == Some("name"),
                ))
            }
            Target::Text(s, _) => match classify_remote(s) {
                RemoteKind::Vnet(_) => Some((s.clone(), s.clone(), false)),
                _ => None,
            },
            _ => None,
        },
        |f: &(String, String, bool), c| key_of(&f.0) == key_of(&c.0),
    )?;
    match found.as_slice() {
        [(id, shown, by_name)] => Ok((id.clone(), shown.clone(), at, implied || *by_name)),
        [] => Err((
            "its expression names no vnet peerlint can see".into(),
            Some(at),
        )),
        all => {
            let names: Vec<String> = all
                .iter()
                .take(3)
                .map(|(_, s, _)| format!("`{s}`"))
                .collect();
            let more = if all.len() > 3 { ", …" } else { "" };
            Err((
                format!(
                    "its expression may name any of {} vnets: {}{more}",
                    all.len(),
                    names.join(", ")
                ),
                Some(at),
            ))
        }
    }
}

/// What an argument's expression may name, each distinct one once (`same` compares two),
/// where the expression is, and whether an instance was chosen by an implied key
/// ([`Resolution::implied`]): the targets `candidate` makes something of. Err: the plan has no
/// configuration of the argument, or its expression can't be followed or names too many
/// things (and where to point).
#[allow(clippy::type_complexity)]
fn link_one<T>(
    l: &mut Loader<'_>,
    i: usize,
    path: &[At<'_>],
    mut candidate: impl FnMut(&mut Loader<'_>, &Target) -> Option<T>,
    same: impl Fn(&T, &T) -> bool,
) -> Result<(Vec<T>, Loc, bool), (String, Option<Loc>)> {
    let Some((e, r)) = l.resolve(i, path) else {
        return Err(("the plan has no configuration of it".into(), None));
    };
    let at = l.loc(e);
    if let Some(why) = r.opaque {
        return Err((why, Some(at)));
    }
    let mut found: Vec<T> = Vec::new();
    for t in &r.targets {
        if let Some(c) = candidate(l, t)
            && !found.iter().any(|f| same(f, &c))
        {
            found.push(c);
        }
    }
    if let Some(why) = too_many(&r) {
        return Err((why, Some(at)));
    }
    Ok((found, at, r.implied))
}

/// A value Terraform knows only after apply, followed to a vnet id when the configuration
/// names one (located at the instance, with the expression as where it came from), else
/// unknown with the reason. A remote that is the peering's own vnet (`own`) only by a reading
/// (an implied key, a `.name`) stays unknown: `vnet[1 - count.index]` reads as
/// `vnet[count.index]`.
fn linked_remote(
    l: &mut Loader<'_>,
    b: &mut GraphBuilder,
    i: usize,
    path: &[At<'_>],
    unknown: &Value,
    own: &str,
) -> Value {
    match link_vnet(l, b, i, path) {
        Ok((id, shown, at, reading)) if reading && key_of(&id) == key_of(own) => Value::unknown(
            format!(
                "{AFTER_APPLY}, and its expression leads to the peering's own vnet `{shown}` only through an index Terraform doesn't write out or a vnet's `name`, so it may be another vnet"
            ),
            None,
            at,
        ),
        Ok((id, shown, at, _)) => Value::str(&id, l.anchor(i)).with_origin(
            at,
            format!("the remote vnet is `{shown}`, followed from this expression"),
        ),
        Err((why, at)) => Value::unknown(
            format!("{AFTER_APPLY}, and {why}"),
            None,
            at.unwrap_or(unknown.at),
        ),
    }
}

/// The subnet an argument names: its vnet's id and its name (a placeholder when only the
/// vnet is known).
fn subnet_ref(
    l: &mut Loader<'_>,
    cx: &Build,
    b: &mut GraphBuilder,
    i: usize,
    path: &[At<'_>],
) -> Option<(String, String)> {
    let value = l.after_at(i, path)?;
    if let Some(s) = value.as_str() {
        let id = ArmId::parse(s).ok()?;
        return (id.types.len() == 2).then(|| (id.ancestor(1).display(), id.name().to_string()));
    }
    linked_subnet(l, cx, b, i, path)
        .ok()
        .map(|(v, n, _)| (v, n))
}

/// Follows an argument to the one subnet it names: its vnet's id, its name, and where the
/// expression is.
fn linked_subnet(
    l: &mut Loader<'_>,
    cx: &Build,
    b: &mut GraphBuilder,
    i: usize,
    path: &[At<'_>],
) -> Result<(String, String, Loc), (String, Option<Loc>)> {
    let (found, at, _) = link_one(
        l,
        i,
        path,
        |l, t| match t {
            Target::Instance { inst, attr } if attr.as_deref().is_none_or(|a| a == "id") => {
                if let Some((v, n)) = cx.subnet_of.get(inst) {
                    Some((v.clone(), n.clone()))
                } else if l.inst.list[*inst].is_data("azurerm_subnet") {
                    match l
                        .known(*inst, "id")
                        .and_then(|(s, _)| ArmId::parse(&s).ok())
                    {
                        Some(id) if id.types.len() == 2 => {
                            Some((id.ancestor(1).display(), id.name().to_string()))
                        }
                        _ => {
                            let rg = l.known(*inst, "resource_group_name").map(|(s, _)| s);
                            let vn = l.known(*inst, "virtual_network_name").map(|(s, _)| s);
                            let name = l.known(*inst, "name").map(|(s, _)| s);
                            match (rg, vn, name) {
                                (Some(rg), Some(vn), Some(name)) => {
                                    Some((l.vnet_named(b, *inst, &rg, &vn), name))
                                }
                                _ => None,
                            }
                        }
                    }
                } else {
                    None
                }
            }
            // `azurerm_virtual_network.x.subnet`: a subnet of that vnet, which one unknown.
            Target::Instance { inst, attr }
                if attr.as_deref() == Some("subnet") && is_vnet(l, *inst) =>
            {
                let id = l.vnet_id(b, *inst);
                Some((id, l.placeholder(b, *inst, "subnet")))
            }
            Target::Text(s, _) => ArmId::parse(s)
                .ok()
                .filter(|a| a.is_type("Microsoft.Network", &["virtualNetworks", "subnets"]))
                .map(|a| (a.ancestor(1).display(), a.name().to_string())),
            _ => None,
        },
        |f: &(String, String), c| key_of(&f.0) == key_of(&c.0) && f.1.eq_ignore_ascii_case(&c.1),
    )?;
    match found.as_slice() {
        [(v, n)] => Ok((v.clone(), n.clone(), at)),
        [] => Err((
            "its expression names no subnet peerlint can see".into(),
            Some(at),
        )),
        all => Err((
            format!("its expression may name any of {} subnets", all.len()),
            Some(at),
        )),
    }
}

/// A subnet id argument (`subnet_id` of an ip configuration) as a value: known, linked (with
/// the expression as its origin), or unknown.
fn subnet_id_value(
    l: &mut Loader<'_>,
    cx: &Build,
    b: &mut GraphBuilder,
    i: usize,
    path: &[At<'_>],
    v: &Value,
) -> Value {
    if !v.is_unknown() {
        return v.clone();
    }
    match linked_subnet(l, cx, b, i, path) {
        Ok((vnet, name, at)) => Value::str(&format!("{vnet}/subnets/{name}"), l.anchor(i))
            .with_origin(
                at,
                format!(
                    "the subnet is `{name}` of `{}`, followed from this expression",
                    vnet.rsplit('/').next().unwrap_or("")
                ),
            ),
        Err((why, at)) => Value::unknown(
            format!("{AFTER_APPLY}, and {why}"),
            None,
            at.unwrap_or(v.at),
        ),
    }
}

/// A route table id argument: known, or the route table instance it names.
fn route_table_ref(l: &mut Loader<'_>, cx: &Build, i: usize, path: &[At<'_>]) -> Value {
    let v = l.after_at(i, path);
    let Some(v) = v else {
        return Value::new(Val::Null, l.anchor(i));
    };
    if !v.is_unknown() {
        return v;
    }
    if let Some((e, r)) = l.resolve(i, path)
        && r.opaque.is_none()
        && r.more == 0
        && r.many.is_none()
    {
        let ids: Vec<&String> = r
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::Instance { inst, attr } if attr.as_deref().is_none_or(|a| a == "id") => {
                    cx.route_tables.get(inst)
                }
                _ => None,
            })
            .collect();
        if let [one] = ids.as_slice() {
            return Value::str(one, l.anchor(i)).with_origin(
                l.loc(e),
                "the route table is followed from this expression".to_string(),
            );
        }
    }
    v
}

/// A route table's id: known, else made from its resource group and name.
fn route_table_id(l: &Loader<'_>, i: usize) -> String {
    if let Some((id, _)) = l.known(i, "id") {
        return id;
    }
    let rg = l
        .known(i, "resource_group_name")
        .map(|(s, _)| s)
        .unwrap_or_default();
    let name = l.known(i, "name").map(|(s, _)| s).unwrap_or_default();
    format!(
        "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.Network/routeTables/{name}",
        l.sub(i)
    )
}

/// A peering (`azurerm_virtual_network_peering`), 3.x and 4.x arguments alike.
fn peering(l: &mut Loader<'_>, b: &mut GraphBuilder, i: usize) {
    let Some(vnet_id) = local_vnet(l, b, i) else {
        return;
    };
    let after = l.after_only(
        i,
        &[
            "name",
            "remote_virtual_network_id",
            "allow_virtual_network_access",
            "allow_forwarded_traffic",
            "allow_gateway_transit",
            "use_remote_gateways",
            "peer_complete_virtual_networks_enabled",
            "only_ipv6_peering_enabled",
            "local_subnet_names",
            "remote_subnet_names",
        ],
    );
    let name = l.name_or_placeholder(b, i, "name");
    let id = match l.known(i, "id") {
        Some((id, _)) => id,
        None => format!("{vnet_id}/virtualNetworkPeerings/{name}"),
    };
    let at = l.loc(l.inst.list[i].obj);
    let remote = get(&after, "remote_virtual_network_id");
    let remote = if remote.is_unknown() {
        linked_remote(
            l,
            b,
            i,
            &[At::Key("remote_virtual_network_id")],
            &remote,
            &vnet_id,
        )
    } else {
        remote
    };
    let accepted = accepted_remote_gateway(l, i);
    let set = |tf: &str| matches!(get(&after, tf).v, Val::Bool(true));
    if let Some(r) = remote.as_str() {
        if set("use_remote_gateways") {
            l.gateway_wanted.insert(key_of(r));
        }
        if !matches!(accepted.v, Val::Null) {
            l.gateway_shown.insert(key_of(r));
        }
    }
    if set("allow_gateway_transit") {
        l.gateway_wanted.insert(key_of(&vnet_id));
    }
    let flag = |arm: &'static str, tf: &str| (arm, get(&after, tf));
    let props = obj(
        vec![
            ("remoteVirtualNetwork", obj(vec![("id", remote)], at)),
            flag("allowVirtualNetworkAccess", "allow_virtual_network_access"),
            flag("allowForwardedTraffic", "allow_forwarded_traffic"),
            flag("allowGatewayTransit", "allow_gateway_transit"),
            flag("useRemoteGateways", "use_remote_gateways"),
            flag(
                "peerCompleteVnets",
                "peer_complete_virtual_networks_enabled",
            ),
            flag("enableOnlyIPv6Peering", "only_ipv6_peering_enabled"),
            flag("localSubnetNames", "local_subnet_names"),
            flag("remoteSubnetNames", "remote_subnet_names"),
            ("remoteGateways", accepted),
        ],
        at,
    );
    let value = obj(
        vec![
            ("id", Value::str(&id, l.anchor(i))),
            (
                "name",
                after
                    .get("name")
                    .cloned()
                    .unwrap_or_else(|| Value::str(&name, at)),
            ),
            ("type", Value::str(PEERINGS, at)),
            ("properties", props),
        ],
        at,
    );
    extract(l, b, i, &value, PEERING_NAMES, &FxHashMap::default());
    record(l, b, i, &id, false);
}

/// A peering that exists in Azure with `use_remote_gateways` set (in a state, kept by the
/// plan, or changed in place from that value): Azure accepted it, which it does only when the
/// remote vnet has a gateway (P11), so it is evidence of one, as an export's `remoteGateways`
/// (a gateway managed outside the input can't show in Terraform's). Null otherwise.
fn accepted_remote_gateway(l: &Loader<'_>, i: usize) -> Value {
    let t = l.t;
    let inst = &l.inst.list[i];
    let set = |v: Option<crate::tree::NodeId>| {
        v.and_then(|v| t.get(v, "use_remote_gateways"))
            .filter(|&n| t.bool(n) == Some(true))
    };
    let flag = match &inst.change {
        None => set(inst.values),
        Some(c) => match c.action {
            Action::NoOp | Action::Update => set(c.before),
            _ => None,
        },
    };
    match flag {
        Some(n) => {
            let at = l.loc(n);
            Value::array(vec![Value::new(Val::Null, at)], at)
        }
        None => Value::new(Val::Null, l.anchor(i)),
    }
}

/// An azapi peering: its `body.properties` as they are, the remote linked when unknown.
fn azapi_peering(l: &mut Loader<'_>, b: &mut GraphBuilder, i: usize) {
    let after = l.after_only(i, &["name", "body"]);
    let vnet_id = l.parent_id_of_vnet_child(b, i);
    let name = l.name_or_placeholder(b, i, "name");
    let id = match l.known(i, "id") {
        Some((id, _)) => id,
        None => format!("{vnet_id}/virtualNetworkPeerings/{name}"),
    };
    let at = l.loc(l.inst.list[i].obj);
    let mut props = body_properties(&after);
    // An unknown remote inside a known body: the `body` expression may name the vnet.
    let remote_unknown = props
        .get("remoteVirtualNetwork")
        .and_then(|r| r.get("id"))
        .is_some_and(Value::is_unknown);
    if remote_unknown {
        let unknown = props
            .get("remoteVirtualNetwork")
            .and_then(|r| r.get("id"))
            .cloned()
            .unwrap_or_else(|| Value::new(Val::Null, at));
        let remote = linked_remote(l, b, i, &[At::Key("body")], &unknown, &vnet_id);
        props = replace_member(
            &props,
            "remoteVirtualNetwork",
            obj(vec![("id", remote)], unknown.at),
        );
    }
    let mut members = vec![
        ("id", Value::str(&id, l.anchor(i))),
        (
            "name",
            after
                .get("name")
                .cloned()
                .unwrap_or_else(|| Value::str(&name, at)),
        ),
        ("type", Value::str(PEERINGS, at)),
    ];
    if let Some((_, Some(api))) = azapi_type(l, i) {
        members.push(("apiVersion", Value::str(api, at)));
    }
    members.push(("properties", props));
    let value = obj(members, at);
    extract(
        l,
        b,
        i,
        &value,
        &[("`properties`", "`body`")],
        &FxHashMap::default(),
    );
    record(l, b, i, &id, false);
}

fn replace_member(v: &Value, key: &str, with: Value) -> Value {
    let Val::Object(m) = &v.v else {
        return v.clone();
    };
    let members: Vec<(Rc<str>, Value)> = m
        .iter()
        .map(|(k, x)| {
            if &**k == key {
                (k.clone(), with.clone())
            } else {
                (k.clone(), x.clone())
            }
        })
        .collect();
    Value::object(members, v.at)
}

/// A virtual network gateway, placed by its ip configurations' subnets.
fn gateway(l: &mut Loader<'_>, cx: &Build, b: &mut GraphBuilder, i: usize) {
    let after = l.after_only(i, &["name", "type", "sku", "ip_configuration"]);
    let at = l.loc(l.inst.list[i].obj);
    let id = match l.known(i, "id") {
        Some((id, _)) => id,
        None => format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworkGateways/{}",
            l.sub(i),
            l.name_or_placeholder(b, i, "resource_group_name"),
            l.name_or_placeholder(b, i, "name")
        ),
    };
    let configs: Vec<Value> = items(&get(&after, "ip_configuration"))
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let sid = get(c, "subnet_id");
            let sid = subnet_id_value(
                l,
                cx,
                b,
                i,
                &[
                    At::Key("ip_configuration"),
                    At::Index(k),
                    At::Key("subnet_id"),
                ],
                &sid,
            );
            obj(
                vec![
                    ("name", get(c, "name")),
                    (
                        "properties",
                        obj(vec![("subnet", obj(vec![("id", sid)], c.at))], c.at),
                    ),
                ],
                c.at,
            )
        })
        .collect();
    let configs = match &get(&after, "ip_configuration").v {
        Val::Unknown(_) => get(&after, "ip_configuration"),
        _ => Value::array(configs, at),
    };
    let props = obj(
        vec![
            ("gatewayType", get(&after, "type")),
            ("sku", obj(vec![("name", get(&after, "sku"))], at)),
            ("ipConfigurations", configs),
        ],
        at,
    );
    let value = obj(
        vec![
            ("id", Value::str(&id, l.anchor(i))),
            ("name", get(&after, "name")),
            (
                "type",
                Value::str("Microsoft.Network/virtualNetworkGateways", at),
            ),
            ("properties", props),
        ],
        at,
    );
    extract(l, b, i, &value, GATEWAY_NAMES, &FxHashMap::default());
}

/// A Route Server (`azurerm_route_server`, or `azurerm_virtual_hub_ip`, which is one): the
/// gateway of the vnet whose `RouteServerSubnet` it is in.
fn route_server(l: &mut Loader<'_>, cx: &Build, b: &mut GraphBuilder, i: usize) {
    let after = l.after_only(i, &["subnet_id"]);
    let at = l.loc(l.inst.list[i].obj);
    let hub = match l.known(i, "id") {
        Some((id, _)) if l.inst.list[i].is("azurerm_route_server") => id,
        _ => match l.known(i, "virtual_hub_id") {
            Some((h, _)) => h,
            None => format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualHubs/{}",
                l.sub(i),
                l.name_or_placeholder(b, i, "resource_group_name"),
                l.placeholder(b, i, "virtual_hub_id")
            ),
        },
    };
    let name = l.name_or_placeholder(b, i, "name");
    let sid = get(&after, "subnet_id");
    let sid = subnet_id_value(l, cx, b, i, &[At::Key("subnet_id")], &sid);
    let value = obj(
        vec![
            (
                "id",
                Value::str(&format!("{hub}/ipConfigurations/{name}"), l.anchor(i)),
            ),
            ("name", Value::str(&name, at)),
            (
                "type",
                Value::str("Microsoft.Network/virtualHubs/ipConfigurations", at),
            ),
            (
                "properties",
                obj(vec![("subnet", obj(vec![("id", sid)], at))], at),
            ),
        ],
        at,
    );
    extract(l, b, i, &value, GATEWAY_NAMES, &FxHashMap::default());
}

/// A route table with its inline `route` blocks and its `azurerm_route` resources.
fn route_table(l: &mut Loader<'_>, cx: &Build, b: &mut GraphBuilder, i: usize) {
    let after = l.after_only(i, &["name", "route"]);
    let at = l.loc(l.inst.list[i].obj);
    let id = cx.route_tables.get(&i).cloned().unwrap_or_default();
    let route = |r: &Value| {
        obj(
            vec![
                ("name", get(r, "name")),
                (
                    "properties",
                    obj(
                        vec![
                            ("addressPrefix", get(r, "address_prefix")),
                            ("nextHopType", get(r, "next_hop_type")),
                            ("nextHopIpAddress", get(r, "next_hop_in_ip_address")),
                        ],
                        r.at,
                    ),
                ),
            ],
            r.at,
        )
    };
    let inline = get(&after, "route");
    let created = l.inst.list[i]
        .change
        .as_ref()
        .is_some_and(|c| matches!(c.action, Action::Create | Action::Replace));
    let separate_only = created && l.expression(i, &[At::Key("route")]).is_none();
    let mut routes: Vec<Value> = items(&inline).iter().map(route).collect();
    let rg = l
        .known(i, "resource_group_name")
        .map(|(s, _)| s.to_ascii_lowercase());
    let name = l.known(i, "name").map(|(s, _)| s.to_ascii_lowercase());
    let separate = rg
        .zip(name)
        .and_then(|k| cx.routes.get(&k))
        .cloned()
        .unwrap_or_default();
    for r in separate {
        let rv = l.after_only(
            r,
            &[
                "name",
                "address_prefix",
                "next_hop_type",
                "next_hop_in_ip_address",
            ],
        );
        let rname = rv.get("name").and_then(Value::as_str);
        if !routes
            .iter()
            .any(|x| x.get("name").and_then(Value::as_str) == rname)
        {
            routes.push(route(&rv));
        }
    }
    let routes = match &inline.v {
        Val::Unknown(_) if !separate_only => inline.clone(),
        _ => Value::array(routes, at),
    };
    let value = obj(
        vec![
            ("id", Value::str(&id, l.anchor(i))),
            ("name", get(&after, "name")),
            ("type", Value::str("Microsoft.Network/routeTables", at)),
            ("properties", obj(vec![("routes", routes)], at)),
        ],
        at,
    );
    extract(l, b, i, &value, &[], &FxHashMap::default());
}

/// An Azure Firewall: an appliance in its subnet's vnet, at its private address when the plan
/// knows it (Azure assigns it at creation).
fn firewall(l: &mut Loader<'_>, cx: &Build, b: &mut GraphBuilder, i: usize) {
    let after = l.after_only(i, &["ip_configuration"]);
    let name = l.name_or_placeholder(b, i, "name");
    for (k, c) in items(&get(&after, "ip_configuration")).iter().enumerate() {
        // Unknown until apply (Azure assigns it): still an appliance, at an address unknown.
        let ip = get(c, "private_ip_address");
        let addr = ip.as_str().and_then(|s| s.parse::<std::net::IpAddr>().ok());
        let path = [
            At::Key("ip_configuration"),
            At::Index(k),
            At::Key("subnet_id"),
        ];
        let Some((vnet, _)) = subnet_ref(l, cx, b, i, &path) else {
            continue;
        };
        b.appliance(
            &key_of(&vnet),
            Appliance {
                name: name.clone(),
                ip: addr,
                loc: ip.at,
            },
        );
    }
}
