//! GruCloud designs: a `resources.js` whose `exports.createResources` returns one object per
//! resource (`type`, `group`, `name`, `properties`, `dependencies`), with the `config.js`
//! beside it (`gc gencode` writes both). Read with the JavaScript static-subset evaluator
//! (`js`), never run: what it can't evaluate is unknown.
//!
//! Each GruCloud resource of the Network group is turned into the ARM resource it stands for
//! (`type`, `id`, `name`, `properties`), its parent and resource group taken from its
//! `dependencies` as GruCloud does (a `Subnet`'s `virtualNetwork: "rg::vnet"`), and handed to
//! the template loader's merging of child resources and from there to the shared extractor:
//! every rule checks it unchanged. Every value keeps the place in `resources.js` (or
//! `config.js`) of the JavaScript expression that produced it.

use std::path::Path;
use std::rc::Rc;

use crate::arm::value::{Val as ArmVal, Value as ArmValue};
use crate::arm::{Condition, Resource};
use crate::graph::{GraphBuilder, Partial};
use crate::id::ArmId;
use crate::js::{self, Data, DataVal, Failure, Module, Open, Val, Value};
use crate::model::{Appliance, Blocked, Fact, Format, Loc, Problem, UnrecognizedWhy, Unresolved};
use crate::source::{FileId, Span};

use super::LoadCx;

/// The placeholder of the subscription of a design whose `config.js` doesn't set one (nor
/// `--subscription`): GruCloud reads it from `AZURE_SUBSCRIPTION_ID` when that design runs,
/// so two designs of a run may deploy to two subscriptions, and their vnets of the same
/// resource group and name stay two (`{subscription:hub|resources.js}`).
fn subscription_placeholder(path: &str) -> String {
    format!("{{subscription:{}}}", path.replace(['/', '\\'], "|"))
}

/// Whether a subnet of that name is where a gateway (`GatewaySubnet`) or a Route Server
/// (`RouteServerSubnet`) is deployed.
fn holds_a_gateway(subnet: &str) -> bool {
    subnet.eq_ignore_ascii_case("GatewaySubnet") || subnet.eq_ignore_ascii_case("RouteServerSubnet")
}

/// The placeholder of a resource group a resource doesn't name.
const RESOURCE_GROUP: &str = "{resourceGroup}";

/// Whether a path names a JavaScript file.
pub(super) fn is_js(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".js")
}

/// A GruCloud resource type peerlint reads: its ARM type below `Microsoft.Network`, and how
/// many names its id has after the resource group (`rg::vnet::subnet`: 2).
fn arm_type(group: &str, ty: &str) -> Option<(&'static str, usize)> {
    if group != "Network" {
        return None;
    }
    Some(match ty {
        "VirtualNetwork" => ("virtualNetworks", 1),
        "Subnet" => ("virtualNetworks/subnets", 2),
        "VirtualNetworkPeering" => ("virtualNetworks/virtualNetworkPeerings", 2),
        "VirtualNetworkGateway" => ("virtualNetworkGateways", 1),
        "VirtualHub" => ("virtualHubs", 1),
        "VirtualHubIpConfiguration" => ("virtualHubs/ipConfigurations", 2),
        "VirtualWan" => ("virtualWans", 1),
        "RouteTable" => ("routeTables", 1),
        "Route" => ("routeTables/routes", 2),
        "AzureFirewall" => ("azureFirewalls", 1),
        "PublicIPAddress" => ("publicIPAddresses", 1),
        "NetworkSecurityGroup" => ("networkSecurityGroups", 1),
        "NatGateway" => ("natGateways", 1),
        "FirewallPolicy" => ("firewallPolicies", 1),
        _ => return None,
    })
}

/// The dependency that names a child resource's parent (`virtualNetwork: "rg::vnet"`).
fn parent_dependency(ty: &str) -> Option<&'static str> {
    match ty {
        "Subnet" | "VirtualNetworkPeering" => Some("virtualNetwork"),
        "VirtualHubIpConfiguration" => Some("virtualHub"),
        "Route" => Some("routeTable"),
        _ => None,
    }
}

/// Dependencies GruCloud writes into a property when the property doesn't give it
/// (`configDefaultDependenciesId`): (dependency, its type, the property path).
const DEFAULT_IDS: &[(&str, &str, &str, &[&str])] = &[
    ("Subnet", "routeTable", "RouteTable", &["routeTable", "id"]),
    (
        "VirtualHubIpConfiguration",
        "subnet",
        "Subnet",
        &["subnet", "id"],
    ),
    (
        "VirtualHub",
        "virtualWan",
        "VirtualWan",
        &["virtualWan", "id"],
    ),
];

/// A resource of `createResources`, as evaluated.
struct Raw {
    ty: String,
    group: String,
    /// The resource object.
    at: Loc,
    /// Its top-level `name`.
    name: Option<Data>,
    /// What its `properties` function returns (or the object).
    properties: Option<Data>,
    /// What its `dependencies` function returns (or the object).
    dependencies: Option<Data>,
}

/// An element of `createResources`.
enum Item {
    Resource(Box<Raw>),
    /// Not an object peerlint can read (a spread or call it can't evaluate, an unknown
    /// `type`): why.
    Unknown {
        at: Loc,
        reason: String,
    },
}

/// What `resources.js` holds.
enum Design {
    /// No `createResources` exported: not a GruCloud design.
    NotGruCloud,
    /// `createResources` exists, but what it returns can't be known.
    Unknown {
        at: Loc,
        reason: String,
    },
    Items(Vec<Item>),
}

/// Loads a `.js` file: a GruCloud `resources.js`, else (named on the command line) an
/// unrecognised input; a `config.js` beside a `resources.js` is read with it, never alone.
pub(super) fn load(cx: &mut LoadCx<'_>, file: FileId, explicit: bool) {
    let src = cx.db.get(file);
    let fs_path = src.fs_path.clone();
    if fs_path.as_deref().is_some_and(is_config_of_a_design) {
        return;
    }
    let text = src.text.clone();
    if !explicit && !text.contains("createResources") {
        return;
    }
    let (config, config_file) = config(cx, file, fs_path.as_deref());
    let placeholder = subscription_placeholder(&cx.db.get(file).path);
    let subscription = cx.options.context.subscription.clone();
    let design = js::run(&text, file, |m| {
        evaluate(m, &config, subscription.as_deref(), &placeholder)
    });
    let design = match design {
        Ok(d) => d,
        Err(f) => {
            failure(cx, file, f);
            return;
        }
    };
    if matches!(design, Design::NotGruCloud) {
        if explicit {
            let start = cx.db.get(file).content_start;
            cx.b.count_file();
            cx.b.problem(Problem::Unrecognized {
                loc: Loc::new(file, Span::new(start, start), None),
                path: cx.db.get(file).path.clone(),
                why: UnrecognizedWhy::NotGruCloud,
            });
        }
        return;
    }
    cx.b.count_file();
    if let Some(c) = config_file {
        cx.b.grucloud_file(c);
    }
    cx.b.grucloud_file(file);
    cx.b.set_authored(true);
    let subscription = config_subscription(&config)
        .or(cx.options.context.subscription.clone())
        .unwrap_or(placeholder);
    Mapper {
        b: cx.b,
        file,
        subscription,
        vnets: Vec::new(),
        unknown_items: Vec::new(),
        opaques: std::cell::Cell::new(0),
    }
    .design(design);
    cx.b.set_authored(false);
}

/// Whether `path` is a `config.js` with a `resources.js` beside it.
fn is_config_of_a_design(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("config.js"))
        && path.with_file_name("resources.js").is_file()
}

/// Reports a file that could not be read as JavaScript.
fn failure(cx: &mut LoadCx<'_>, file: FileId, f: Failure) {
    match f {
        Failure::Syntax { message, span } => {
            cx.b.count_file();
            cx.b.problem(Problem::Syntax {
                loc: Loc::new(file, span, None),
                format: Format::JavaScript,
                detail: message,
            });
        }
        Failure::TooDeep { at } => {
            cx.b.count_file();
            cx.b.problem(Problem::Syntax {
                loc: Loc::new(file, Span::new(at, at + 1), None),
                format: Format::JavaScript,
                detail: format!("nesting is deeper than {} levels", js::scan::MAX_DEPTH),
            });
        }
        Failure::Thread(e) => {
            let path = cx.db.get(file).path.clone();
            cx.errors.push(format!("{path}: {e}"));
        }
    }
}

/// The `config.js` beside `resources.js`, evaluated: what its exported object (or function's
/// result) holds, and its file. Without one, every `config.x` is unknown.
fn config(cx: &mut LoadCx<'_>, file: FileId, resources: Option<&Path>) -> (Data, Option<FileId>) {
    let start = cx.db.get(file).content_start;
    let here = Loc::new(file, Span::new(start, start), None);
    let missing = |reason: &str| Data {
        v: DataVal::Unknown(js::Unknown {
            reason: reason.to_string(),
            symbol: None,
        }),
        at: here,
        from: None,
    };
    let Some(path) = resources.map(|p| p.with_file_name("config.js")) else {
        return (empty_object(here), None);
    };
    if !path.is_file() {
        return (empty_object(here), None);
    }
    let Some(file) = config_file(cx, &path) else {
        return (missing("`config.js` can't be read as text"), None);
    };
    let text = cx.db.get(file).text.clone();
    let evaluated = js::run(&text, file, |m| {
        let exports = m.exports();
        let v = if exports.is_function() {
            // `module.exports = ({ stage }) => ({ ... })`: GruCloud calls it with the stage.
            let stage = Value::unknown(
                "`stage` is the stage GruCloud runs with (`--stage`)",
                None,
                exports.at,
            );
            let arg = Value::object(vec![(Rc::from("stage"), stage)], exports.at);
            m.call(&exports, vec![arg], exports.at.span)
        } else {
            exports
        };
        m.export(&v, &mut (4 * text.len() + 10_000))
    });
    match evaluated {
        Ok(d) => (d, Some(file)),
        Err(f) => {
            failure(cx, file, f);
            (missing("`config.js` is not valid JavaScript"), Some(file))
        }
    }
}

fn empty_object(at: Loc) -> Data {
    Data {
        v: DataVal::Object(Vec::new()),
        at,
        from: None,
    }
}

/// Reads and registers `config.js` once (it may be an input of the run too).
fn config_file(cx: &mut LoadCx<'_>, path: &Path) -> Option<FileId> {
    if let Some(id) = cx.db.find(path) {
        return Some(id);
    }
    let (id, text) = super::template::read_companion(cx, path)?;
    text.then_some(id)
}

/// The subscription `config.js` sets, if it sets one: its text, or the placeholder of the
/// unknown it reads (`process.env.AZURE_SUBSCRIPTION_ID`), which `getId` and
/// `${config.subscriptionId}` write into ids too.
fn config_subscription(config: &Data) -> Option<String> {
    config.get("subscriptionId").and_then(|d| match &d.v {
        DataVal::Str(s) => Some(s.clone()),
        DataVal::Unknown(u) => u.symbol.clone(),
        _ => None,
    })
}

/// Evaluates `resources.js` (on the parsing thread): `createResources` called with `config`
/// and `getId`, then each resource's `dependencies` and `properties`.
fn evaluate(
    m: &Module<'_>,
    config: &Data,
    subscription: Option<&str>,
    placeholder: &str,
) -> Design {
    let exports = m.exports();
    let Some(create) = exports.get("createResources").cloned() else {
        return match &exports.v {
            Val::Unknown(u) => Design::Unknown {
                at: exports.at,
                reason: u.reason.clone(),
            },
            _ => Design::NotGruCloud,
        };
    };
    let mut budget = 4 * m.len() + 100_000;
    let config = config_value(m, config, subscription, placeholder);
    let get_id = get_id(&config, placeholder);
    // What GruCloud gives that is known only when it runs.
    let running = |name: &str, what: &str| {
        let v = Value::unknown(
            format!("`{name}` is {what}, known only when GruCloud runs"),
            None,
            create.at,
        );
        (Rc::from(name), v)
    };
    // `properties({ config, getId, ... })`, `dependencies({ config, resources })`.
    let arg = |properties: bool| {
        let mut members = vec![(Rc::from("config"), config.clone())];
        if properties {
            members.push((Rc::from("getId"), get_id.clone()));
            members.push(running("generatePassword", "GruCloud's password generator"));
            members.push(running("multiline", "GruCloud's text helper"));
        } else {
            members.push(running(
                "resources",
                "GruCloud's map of the design's resources",
            ));
        }
        Value::object(members, create.at)
    };
    // `createResources` is a function, or a list of them, each called with `{ provider }`;
    // the lists they return are one list.
    let provider = Value::object(vec![running("provider", "GruCloud's provider")], create.at);
    let functions = match &create.v {
        Val::Array(fs) => fs.iter().cloned().collect(),
        _ => vec![create.clone()],
    };
    let mut items = Vec::new();
    for f in functions {
        let list = match &f.v {
            Val::Func(_) => m.call(&f, vec![provider.clone()], f.at.span),
            _ => f.clone(),
        };
        match &list.v {
            Val::Array(xs) => items.extend(xs.iter().cloned()),
            Val::Unknown(u) => {
                return Design::Unknown {
                    at: list.at,
                    reason: u.reason.clone(),
                };
            }
            _ => {
                return Design::Unknown {
                    at: list.at,
                    reason: "`createResources` doesn't give a list of resources".into(),
                };
            }
        }
    }
    let mut out = Vec::new();
    for item in items.iter() {
        let at = item.at;
        let unknown = |reason: String| Item::Unknown { at, reason };
        match &item.v {
            Val::Object(_) => {}
            Val::Unknown(u) => {
                out.push(unknown(u.reason.clone()));
                continue;
            }
            _ => continue, // not a resource (GruCloud would fail on it)
        }
        let text = |key: &str| item.get(key).map(|v| (v.as_str().map(str::to_string), v));
        let (ty, group) = match (text("type"), text("group")) {
            (Some((Some(t), _)), Some((Some(g), _))) => (t, g),
            (Some((None, v)), _) | (_, Some((None, v))) => {
                let reason = v.as_unknown().map_or_else(
                    || "its `type` or `group` is not text".to_string(),
                    |u| u.reason.clone(),
                );
                out.push(unknown(reason));
                continue;
            }
            _ => continue,
        };
        // Only the types peerlint reads are evaluated further.
        if arm_type(&group, &ty).is_none() {
            continue;
        }
        let call = |key: &str, with_get_id: bool, budget: &mut usize| {
            let v = item.get(key)?;
            let v = if v.is_function() {
                m.call(v, vec![arg(with_get_id)], v.at.span)
            } else {
                v.clone()
            };
            Some(m.export(&v, budget))
        };
        let dependencies = call("dependencies", false, &mut budget);
        let properties = call("properties", true, &mut budget);
        // A `name` function is called with `{ config }`.
        let name = call("name", false, &mut budget);
        out.push(Item::Resource(Box::new(Raw {
            ty,
            group,
            at,
            name,
            properties,
            dependencies,
        })));
    }
    Design::Items(out)
}

/// `config` as `resources.js` sees it: open (what `config.js` doesn't set is unknown), with
/// the subscription as a placeholder when nothing gives it.
fn config_value<'a>(
    m: &Module<'a>,
    config: &Data,
    subscription: Option<&str>,
    placeholder: &str,
) -> Value<'a> {
    let mut config = config.clone();
    if let DataVal::Object(members) = &mut config.v
        && !members.iter().any(|(k, _)| k == "subscriptionId")
    {
        let v = match subscription {
            Some(s) => DataVal::Str(s.to_string()),
            None => DataVal::Unknown(js::Unknown {
                reason: "the subscription is `config.subscriptionId`, which `config.js` doesn't set (GruCloud reads it from `AZURE_SUBSCRIPTION_ID`)".into(),
                symbol: Some(placeholder.into()),
            }),
        };
        members.push((
            "subscriptionId".into(),
            Data {
                v,
                at: config.at,
                from: None,
            },
        ));
    }
    m.import(
        &config,
        Some(Open {
            path: Rc::from("config"),
            missing: Rc::from("is not set in `config.js`"),
        }),
    )
}

/// GruCloud's `getId({ type, group, name })`: the id of the resource of that type and full
/// name (`rg::vnet::subnet`), built as Azure writes it.
fn get_id<'a>(config: &Value<'a>, placeholder: &str) -> Value<'a> {
    let subscription = config.get("subscriptionId").cloned();
    let placeholder = placeholder.to_string();
    let defined_at = config.at;
    Value::host(
        move |args: &[Value<'a>], at: Loc| {
            let unknown = |reason: String| Value::unknown(reason, None, at);
            let Some(spec) = args.first() else {
                return unknown("`getId` is called without a resource".into());
            };
            let field = |k: &str| spec.get(k).map(|v| (v.as_str().map(str::to_string), v));
            let (Some((Some(ty), _)), Some((Some(group), _))) = (field("type"), field("group"))
            else {
                return unknown(
                    "`getId` names a resource whose `type` or `group` peerlint can't know".into(),
                );
            };
            if let Some((p, _)) = field("path")
                && p.as_deref() != Some("id")
            {
                return unknown("`getId` reads a property of the resource other than its id, known only once GruCloud has deployed it".into());
            }
            let Some((ty_path, names)) = arm_type(&group, &ty) else {
                return unknown(format!(
                    "`getId` names a `{group}::{ty}`, whose id peerlint doesn't build"
                ));
            };
            let name = match field("name") {
                Some((Some(n), _)) => n,
                Some((None, v)) => match v.as_unknown() {
                    Some(u) => match &u.symbol {
                        Some(s) => s.clone(),
                        None => return Value::unknown(u.reason.clone(), None, at),
                    },
                    None => {
                        return unknown(
                            "`getId` names a resource by a value that is not text".into(),
                        );
                    }
                },
                None => return unknown("`getId` names no resource".into()),
            };
            let parts: Vec<&str> = name.split("::").collect();
            if parts.len() != names + 1 {
                return unknown(format!(
                    "`getId` names `{name}`; GruCloud finds a `{ty}` by its full name `<resourceGroup>::{}`",
                    if names == 1 {
                        "<name>"
                    } else {
                        "<parent>::<name>"
                    }
                ));
            }
            let suffix = match field("suffix") {
                None => String::new(),
                Some((Some(s), _)) => s,
                Some((None, _)) => {
                    return unknown("`getId` adds a suffix peerlint can't know".into());
                }
            };
            let (sub, sub_unknown) = match subscription.as_ref().map(|s| &s.v) {
                Some(Val::Str(s)) => (s.to_string(), None),
                Some(Val::Unknown(u)) => (
                    u.symbol.clone().unwrap_or_else(|| placeholder.clone()),
                    Some(u.reason.clone()),
                ),
                _ => (
                    placeholder.clone(),
                    Some("the subscription is unknown".into()),
                ),
            };
            let id = format!("{}{suffix}", build_id(&sub, parts[0], ty_path, &parts[1..]));
            match sub_unknown {
                None if !id.contains('{') => Value::str(&id, at),
                reason => Value::unknown(
                    reason.unwrap_or_else(|| "a part of the name is unknown".into()),
                    Some(id),
                    at,
                ),
            }
        },
        defined_at,
    )
}

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{types/names}`.
fn build_id(sub: &str, rg: &str, ty_path: &str, names: &[&str]) -> String {
    let mut id = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network");
    for (t, n) in ty_path.split('/').zip(names) {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(n);
    }
    id
}

/// Turns the evaluated design into ARM resources and hands them over.
struct Mapper<'b> {
    b: &'b mut GraphBuilder,
    file: FileId,
    subscription: String,
    /// The ids of the design's vnets (lower-case), for what an unknown element may add to.
    vnets: Vec<String>,
    /// Elements peerlint couldn't read: they may add subnets or peerings to any vnet.
    unknown_items: Vec<Loc>,
    /// How many placeholders of unknowns without one were made (each is its own).
    opaques: std::cell::Cell<u32>,
}

/// A name as far as it is known: its text (with placeholders), and whether it is known.
struct Name {
    text: String,
    at: Loc,
    /// Why it is unknown, when it is.
    unknown: Option<String>,
}

impl Mapper<'_> {
    fn design(mut self, design: Design) {
        let items = match design {
            Design::Items(items) => items,
            Design::Unknown { at, reason } => {
                self.b.unresolved(Unresolved {
                    loc: at,
                    resource: String::new(),
                    what: "the resources of `createResources`".into(),
                    reason,
                    blocks: Blocked::Resource,
                });
                return;
            }
            Design::NotGruCloud => return,
        };
        let mut resources: Vec<Resource> = Vec::new();
        let mut firewalls: Vec<(Raw, String)> = Vec::new();
        for item in items {
            match item {
                Item::Unknown { at, reason } => {
                    self.b.unresolved(Unresolved {
                        loc: at,
                        resource: String::new(),
                        what: "an element of `createResources`".into(),
                        reason,
                        blocks: Blocked::Resource,
                    });
                    self.unknown_items.push(at);
                }
                Item::Resource(raw) => {
                    let raw = *raw;
                    if raw.ty == "AzureFirewall" {
                        let rg = self.resource_group(&raw);
                        firewalls.push((raw, rg.text));
                        continue;
                    }
                    if let Some(r) = self.resource(raw) {
                        resources.push(r);
                    }
                }
            }
        }
        for r in &resources {
            if r.ty == "microsoft.network/virtualnetworks" {
                self.vnets.push(r.id.to_ascii_lowercase());
            }
        }
        for &at in &self.unknown_items {
            for key in &self.vnets {
                self.b.partial(key, Partial::Peerings, at);
                self.b.partial(key, Partial::Subnets, at);
            }
        }
        let gateway_subnets = Self::gateway_subnets(&resources);
        let wanted = Self::gateways_wanted(&resources);
        // Of unknown subscription, a gateway in a vnet the design doesn't hold may sit in a
        // vnet of that name in any subscription (another design's): its vnet is unknown.
        if self.subscription.starts_with('{') {
            let own: rustc_hash::FxHashSet<&str> = self.vnets.iter().map(String::as_str).collect();
            for (vnet, loc) in Self::gateway_vnets(&resources) {
                if !own.contains(vnet.as_str()) {
                    self.b.unplaced_gateway(loc);
                }
            }
        }
        super::template::extract(resources, self.file, self.b);
        for (vnet, subnet, loc) in gateway_subnets {
            let key = vnet.to_ascii_lowercase();
            if !wanted.contains(&key) || self.b.gateway_evidence(&key).is_none_or(|(has, _)| has) {
                continue;
            }
            let name = vnet.rsplit('/').next().unwrap_or("").to_string();
            self.b.unresolved(Unresolved {
                loc,
                resource: vnet,
                what: format!("whether `{name}` has a gateway"),
                reason: format!("it has a `{subnet}`, and a gateway or Route Server managed outside this design (another stack, the portal) doesn't show in it"),
                blocks: Blocked::Fact(Fact::Gateways),
            });
        }
        for (raw, _) in firewalls {
            self.firewall(&raw);
        }
    }

    /// A vnet of the design with a `GatewaySubnet` (or `RouteServerSubnet`) but no gateway or Route Server of the
    /// design in it may have one managed elsewhere (another stack, the portal): GruCloud's
    /// subnet never shows what is deployed in it, so whether the vnet has a gateway is
    /// unknown, not "no".
    fn gateway_subnets(resources: &[Resource]) -> Vec<(String, String, Loc)> {
        let mut out = Vec::new();
        for r in resources {
            match r.ty.as_str() {
                "microsoft.network/virtualnetworks/subnets" => {
                    if let Some((vnet, name)) = r.id.rsplit_once("/subnets/")
                        && holds_a_gateway(name)
                    {
                        out.push((vnet.to_string(), name.to_string(), r.loc));
                    }
                }
                "microsoft.network/virtualnetworks" => {
                    let subnets = r.body.get("properties").and_then(|p| p.get("subnets"));
                    if let Some(ArmVal::Array(items)) = subnets.map(|s| &s.v) {
                        for s in items.iter() {
                            if let Some(n) = s.get("name").and_then(ArmValue::text_or_symbol)
                                && holds_a_gateway(n)
                            {
                                out.push((r.id.clone(), n.to_string(), s.at));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The vnets (lower-case ids) the design's gateways and Route Servers sit in, by the
    /// subnet ids their ip configurations name.
    fn gateway_vnets(resources: &[Resource]) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        for r in resources {
            let configs: Vec<&ArmValue> = match r.ty.as_str() {
                "microsoft.network/virtualnetworkgateways" => match r
                    .body
                    .get("properties")
                    .and_then(|p| p.get("ipConfigurations"))
                    .map(|c| &c.v)
                {
                    Some(ArmVal::Array(items)) => {
                        items.iter().filter_map(|c| c.get("properties")).collect()
                    }
                    _ => Vec::new(),
                },
                "microsoft.network/virtualhubs/ipconfigurations" => {
                    r.body.get("properties").into_iter().collect()
                }
                _ => continue,
            };
            for c in configs {
                if let Some(id) = c
                    .get("subnet")
                    .and_then(|s| s.get("id"))
                    .and_then(ArmValue::text_or_symbol)
                    && let Some((vnet, _)) = id.to_ascii_lowercase().rsplit_once("/subnets/")
                {
                    out.push((vnet.to_string(), r.loc));
                }
            }
        }
        out
    }

    /// The vnets (lower-case ids) a peering of the design needs a gateway in: its own vnet
    /// where it allows gateway transit, its remote where it uses remote gateways (or where
    /// either flag is unknown).
    fn gateways_wanted(resources: &[Resource]) -> rustc_hash::FxHashSet<String> {
        let mut out = rustc_hash::FxHashSet::default();
        let not_false =
            |v: Option<&ArmValue>| v.is_some_and(|v| !matches!(v.v, ArmVal::Bool(false)));
        for r in resources {
            if r.ty != "microsoft.network/virtualnetworks/virtualnetworkpeerings" {
                continue;
            }
            let props = r.body.get("properties");
            if not_false(props.and_then(|p| p.get("allowGatewayTransit")))
                && let Some((vnet, _)) =
                    r.id.to_ascii_lowercase()
                        .rsplit_once("/virtualnetworkpeerings/")
            {
                out.insert(vnet.to_string());
            }
            if not_false(props.and_then(|p| p.get("useRemoteGateways")))
                && let Some(remote) = props
                    .and_then(|p| p.get("remoteVirtualNetwork"))
                    .and_then(|v| v.get("id"))
                    .and_then(ArmValue::text_or_symbol)
            {
                out.insert(remote.trim_end_matches('/').to_ascii_lowercase());
            }
        }
        out
    }

    /// The placeholder of an unknown that has none, written at `at`: one of its own each
    /// time, since a helper function's one expression may give a different value in each
    /// call (`\`${name}-${stage}\``), and two unknowns are never concluded equal.
    fn opaque(&self, at: Loc) -> String {
        let n = self.opaques.get();
        self.opaques.set(n + 1);
        format!("{{@{}:{}:{}#{n}}}", at.file.0, at.span.start, at.span.end)
    }

    /// A name (`rg::vnet`, a resource's `name`) from its value.
    fn name_of(&self, d: &Data) -> Name {
        match &d.v {
            DataVal::Str(s) => Name {
                text: s.clone(),
                at: d.at,
                unknown: None,
            },
            DataVal::Unknown(u) => Name {
                text: u.symbol.clone().unwrap_or_else(|| self.opaque(d.at)),
                at: d.at,
                unknown: Some(u.reason.clone()),
            },
            _ => Name {
                text: self.opaque(d.at),
                at: d.at,
                unknown: Some("it is not text".into()),
            },
        }
    }

    /// The resource group a resource names (`dependencies.resourceGroup`), else the one its
    /// full name starts with (`rg::vnet`).
    fn resource_group(&self, raw: &Raw) -> Name {
        let full = raw.name.as_ref().and_then(Data::as_str);
        match raw
            .dependencies
            .as_ref()
            .and_then(|d| d.get("resourceGroup"))
        {
            Some(d) => self.name_of(d),
            None if let Some((rg, _)) = full.and_then(|n| n.split_once("::")) => Name {
                text: rg.to_string(),
                at: raw.name.as_ref().map_or(raw.at, |n| n.at),
                unknown: None,
            },
            None => Name {
                text: RESOURCE_GROUP.into(),
                at: raw.at,
                unknown: Some("the resource names no `resourceGroup` in its `dependencies`".into()),
            },
        }
    }

    /// The resource's own name: `properties.name`, else its `name`; the part after the last
    /// `::` (GruCloud's full names carry their parents).
    fn own_name(&self, raw: &Raw) -> Option<Name> {
        let d = raw
            .properties
            .as_ref()
            .and_then(|p| p.get("name"))
            .filter(|n| !matches!(n.v, DataVal::Undefined))
            .or(raw.name.as_ref())?;
        let mut n = self.name_of(d);
        if n.unknown.is_none()
            && let Some((_, last)) = n.text.rsplit_once("::")
        {
            n.text = last.to_string();
        }
        Some(n)
    }

    /// The ARM resource a GruCloud resource stands for; None for one peerlint doesn't read or
    /// can't place (reported).
    fn resource(&mut self, raw: Raw) -> Option<Resource> {
        let (ty_path, _) = arm_type(&raw.group, &raw.ty)?;
        let rg = self.resource_group(&raw);
        let Some(name) = self.own_name(&raw) else {
            self.unresolved_resource(&raw, raw.at, format!("the `{}` has no `name`", raw.ty));
            return None;
        };
        // A child's parent: its dependency, `rg::parent` or a name in the resource's group.
        let mut names = Vec::new();
        let mut rg_text = rg.text.clone();
        let mut unknown = rg.unknown.clone().map(|r| (r, rg.at));
        if let Some(dep) = parent_dependency(&raw.ty) {
            let parent = raw.dependencies.as_ref().and_then(|d| d.get(dep));
            let Some(parent) = parent else {
                let what = format!("the `{}` names no `{dep}` in its `dependencies`", raw.ty);
                self.unresolved_resource(&raw, raw.at, what);
                return None;
            };
            let p = self.name_of(parent);
            if let Some(reason) = p.unknown {
                // It may belong to any vnet of the design.
                self.unresolved_resource(&raw, p.at, reason);
                self.unknown_items.push(p.at);
                return None;
            }
            match p.text.split_once("::") {
                Some((g, rest)) => {
                    rg_text = g.to_string();
                    unknown = None;
                    names.push(rest.rsplit("::").next().unwrap_or(rest).to_string());
                }
                None => names.push(p.text.clone()),
            }
        }
        names.push(name.text.clone());
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let id = build_id(&self.subscription, &rg_text, ty_path, &name_refs);
        let full_type = format!("Microsoft.Network/{ty_path}");
        let short = names.join("/");
        let at = raw.at;
        let mut props = match raw.properties.as_ref().map(|p| (p, p.get("properties"))) {
            Some((_, Some(inner))) => arm_value(inner),
            Some((whole, None)) if matches!(whole.v, DataVal::Unknown(_)) => arm_value(whole),
            _ => ArmValue::object(Vec::<(Rc<str>, ArmValue)>::new(), at),
        };
        self.default_ids(&raw, &mut props);
        if raw.ty == "Subnet"
            && let ArmVal::Unknown(u) = &props.v
        {
            self.b.unresolved(Unresolved {
                loc: props.at,
                resource: id.clone(),
                what: format!("`properties` of `{}`", name.text),
                reason: u.reason.clone(),
                blocks: Blocked::Fact(Fact::SubnetPrefixes),
            });
        }
        let id_value = match (&name.unknown, &unknown) {
            (Some(reason), _) => ArmValue::unknown(reason.clone(), Some(id.clone()), name.at),
            (None, Some((reason, rg_at))) => {
                ArmValue::unknown(reason.clone(), Some(id.clone()), *rg_at)
            }
            (None, None) if id.contains('{') => ArmValue::unknown(
                "a part of its id is unknown".to_string(),
                Some(id.clone()),
                at,
            ),
            (None, None) => ArmValue::str(&id, at),
        };
        let name_value = match &name.unknown {
            Some(reason) => ArmValue::unknown(reason.clone(), Some(name.text.clone()), name.at),
            None => ArmValue::str(&name.text, name.at),
        };
        // Messages name the resource as the design does: `VirtualNetworkPeering p`.
        let written = match &raw.name {
            Some(Data {
                v: DataVal::Str(n), ..
            }) => n.clone(),
            _ => name.text.clone(),
        };
        if name.unknown.is_none() {
            self.b.written_name(&id, format!("{} {written}", raw.ty));
        }
        let body = ArmValue::object(
            [
                ("id", id_value),
                ("name", name_value),
                ("type", ArmValue::str(&full_type, at)),
                ("properties", props),
            ],
            at,
        );
        Some(Resource {
            ty: full_type.to_ascii_lowercase(),
            id,
            name: short,
            body,
            loc: at,
            condition: Condition::Always,
            step: None,
        })
    }

    /// Fills the properties GruCloud sets from dependencies when the properties don't
    /// (`routeTable.id` of a subnet, `subnet.id` of a Route Server's ip configuration), and a
    /// gateway's subnets from its `subnets` dependency when its ip configurations name none.
    fn default_ids(&mut self, raw: &Raw, props: &mut ArmValue) {
        let Some(deps) = raw.dependencies.as_ref() else {
            return;
        };
        let rg = self.resource_group(raw);
        for &(ty, dep, dep_ty, path) in DEFAULT_IDS {
            if ty != raw.ty {
                continue;
            }
            let Some(d) = deps.get(dep) else { continue };
            if let Some(id) = self.reference(d, &rg, dep_ty) {
                set_path(props, path, id);
            }
        }
        if raw.ty == "VirtualNetworkGateway"
            && let Some(DataVal::Array(subnets)) = deps.get("subnets").map(|d| &d.v)
            && let Some(first) = subnets.first()
            && let Some(id) = self.reference(first, &rg, "Subnet")
        {
            fill_gateway_subnets(props, id);
        }
    }

    /// The id of the resource a dependency names (`rg::vnet::subnet`, or a name in the
    /// resource's own group).
    fn reference(&self, d: &Data, rg: &Name, ty: &str) -> Option<ArmValue> {
        let (ty_path, names) = arm_type("Network", ty)?;
        let n = self.name_of(d);
        let mut parts: Vec<&str> = n.text.split("::").collect();
        if parts.len() == names {
            parts.insert(0, &rg.text);
        }
        if parts.len() != names + 1 {
            return None;
        }
        let id = build_id(&self.subscription, parts[0], ty_path, &parts[1..]);
        Some(match n.unknown {
            Some(reason) => ArmValue::unknown(reason, Some(id), d.at),
            None if id.contains('{') => {
                ArmValue::unknown("a part of the id is unknown", Some(id), d.at)
            }
            None => ArmValue::str(&id, d.at),
        })
    }

    /// An Azure Firewall: a forwarding appliance in the vnet of its `AzureFirewallSubnet`,
    /// at the address its ip configuration gives (else one Azure assigns).
    fn firewall(&mut self, raw: &Raw) {
        let rg = self.resource_group(raw);
        let name = self.own_name(raw).map(|n| n.text).unwrap_or_default();
        let configs = raw
            .properties
            .as_ref()
            .and_then(|p| p.get("properties"))
            .and_then(|p| p.get("ipConfigurations"));
        let mut placed: Vec<(ArmId, Option<std::net::IpAddr>, Loc)> = Vec::new();
        if let Some(DataVal::Array(configs)) = configs.map(|c| &c.v) {
            for c in configs {
                let props = c.get("properties");
                let subnet = props
                    .and_then(|p| p.get("subnet"))
                    .and_then(|s| s.get("id"));
                let ip = props
                    .and_then(|p| p.get("privateIPAddress"))
                    .and_then(Data::as_str)
                    .and_then(|s| s.parse().ok());
                let id = match subnet {
                    Some(s) => match &s.v {
                        DataVal::Str(t) => Some((t.clone(), s.at)),
                        DataVal::Unknown(u) => u.symbol.clone().map(|t| (t, s.at)),
                        _ => None,
                    },
                    None => None,
                };
                if let Some((text, at)) = id
                    && let Ok(a) = ArmId::parse(&text)
                {
                    placed.push((a, ip, at));
                }
            }
        }
        if placed.is_empty()
            && let Some(DataVal::Array(subnets)) = raw
                .dependencies
                .as_ref()
                .and_then(|d| d.get("subnets"))
                .map(|d| &d.v)
        {
            for s in subnets {
                if let Some(id) = self.reference(s, &rg, "Subnet")
                    && let Some(text) = id.text_or_symbol()
                    && let Ok(a) = ArmId::parse(text)
                {
                    placed.push((a, None, s.at));
                }
            }
        }
        for (subnet, ip, at) in placed {
            let in_firewall_subnet = subnet.types.len() == 2
                && subnet.is_type("Microsoft.Network", &["virtualNetworks", "subnets"])
                && subnet.name().eq_ignore_ascii_case("AzureFirewallSubnet");
            if !in_firewall_subnet {
                continue;
            }
            let vnet = subnet.ancestor(1);
            self.b.appliance(
                &vnet.key(),
                Appliance {
                    name: name.clone(),
                    ip,
                    loc: at,
                },
            );
        }
    }

    fn unresolved_resource(&mut self, raw: &Raw, loc: Loc, reason: String) {
        self.b.unresolved(Unresolved {
            loc,
            resource: String::new(),
            what: format!("the `{}` resource", raw.ty),
            reason,
            blocks: Blocked::Resource,
        });
    }
}

/// A JavaScript value as the template value it stands for (as JSON would carry it:
/// `undefined` members are left out, `undefined` items are `null`).
fn arm_value(d: &Data) -> ArmValue {
    let v = match &d.v {
        DataVal::Undefined | DataVal::Null => ArmVal::Null,
        DataVal::Bool(b) => ArmVal::Bool(*b),
        DataVal::Num(n) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                ArmVal::Int(*n as i64)
            } else {
                ArmVal::Str(Rc::from(n.to_string()))
            }
        }
        DataVal::Str(s) => ArmVal::Str(Rc::from(s.as_str())),
        DataVal::Array(items) => ArmVal::Array(Rc::new(items.iter().map(arm_value).collect())),
        DataVal::Object(members) => ArmVal::Object(Rc::new(
            members
                .iter()
                .filter(|(_, x)| !matches!(x.v, DataVal::Undefined))
                .map(|(k, x)| (Rc::from(k.as_str()), arm_value(x)))
                .collect(),
        )),
        DataVal::Unknown(u) => {
            return ArmValue::unknown(u.reason.clone(), u.symbol.clone(), d.at);
        }
    };
    let value = ArmValue::new(v, d.at);
    match d.from {
        // Read in `resources.js`, written in `config.js`.
        Some(from) if from.file != d.at.file => {
            value.with_origin(from, "the value comes from `config.js`".into())
        }
        _ => value,
    }
}

/// Sets `properties.<path>` to `v` unless the properties give it.
fn set_path(props: &mut ArmValue, path: &[&str], v: ArmValue) {
    let ArmVal::Object(members) = &mut props.v else {
        return;
    };
    let members = Rc::make_mut(members);
    let (first, rest) = (path[0], &path[1..]);
    match members.iter_mut().find(|(k, _)| &**k == first) {
        Some((_, existing)) => {
            if !rest.is_empty() && matches!(existing.v, ArmVal::Object(_)) {
                set_path(existing, rest, v);
            }
        }
        None => {
            let at = v.at;
            let mut value = v;
            for key in rest.iter().rev() {
                value = ArmValue::object([(*key, value)], at);
            }
            members.push((Rc::from(first), value));
        }
    }
}

/// A gateway's ip configurations without a `subnet` get the one its dependencies name.
fn fill_gateway_subnets(props: &mut ArmValue, id: ArmValue) {
    let ArmVal::Object(members) = &mut props.v else {
        return;
    };
    let members = Rc::make_mut(members);
    let at = id.at;
    let config = || {
        ArmValue::object(
            [(
                "properties",
                ArmValue::object([("subnet", ArmValue::object([("id", id.clone())], at))], at),
            )],
            at,
        )
    };
    match members.iter_mut().find(|(k, _)| &**k == "ipConfigurations") {
        None => members.push((
            Rc::from("ipConfigurations"),
            ArmValue::array(vec![config()], at),
        )),
        Some((_, list)) => {
            if let ArmVal::Array(items) = &mut list.v {
                for item in Rc::make_mut(items).iter_mut() {
                    let has_subnet = item
                        .get("properties")
                        .and_then(|p| p.get("subnet"))
                        .is_some();
                    if has_subnet {
                        continue;
                    }
                    if let ArmVal::Object(m) = &mut item.v {
                        let m = Rc::make_mut(m);
                        match m.iter_mut().find(|(k, _)| &**k == "properties") {
                            Some((_, p)) => set_path(p, &["subnet", "id"], id.clone()),
                            None => m.push((
                                Rc::from("properties"),
                                ArmValue::object(
                                    [("subnet", ArmValue::object([("id", id.clone())], at))],
                                    at,
                                ),
                            )),
                        }
                    }
                }
            }
        }
    }
}
