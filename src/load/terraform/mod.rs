//! Terraform plans and state: `terraform show -json` output (`format_version` 0.x and 1.x),
//! recognised by `format_version` and `terraform_version`.
//!
//! The azurerm resources of the design (the plan's `planned_values`, a state's `values`, with
//! the data sources of `prior_state`) are mapped to the ARM resources they manage and handed to
//! the shared extractor, each value located where the plan writes it, so every rule reads them
//! as it reads an export. What Terraform knows only after apply (`after_unknown`) is an unknown
//! value; a vnet's, subnet's or route table's id that is unknown is made from its resource
//! group and name (the subscription is the provider's, when the plan says it); a peering's
//! remote and a gateway's subnet that are unknown are linked through the plan's
//! `configuration` ([`config`]), or stay unknown. Each vnet and peering is recorded with its
//! Terraform address and, in a plan, its change (for the plan-diff rules).
//!
//! Here: recognising the document, the subscription, identities of vnets, and linking.
//! `azurerm` builds the ARM resources; `plan` reads instances and changes; `config` follows
//! expressions; `address` parses addresses and references.

mod address;
mod azurerm;
mod config;
mod plan;

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::arm::value::{Val, Value};
use crate::graph::GraphBuilder;
use crate::model::{Loc, Problem, UnrecognizedWhy};
use crate::source::FileId;
use crate::tree::{Kind, NodeId, Tree};

use config::{Config, Resolution, Resolver, Scope, Target};
use plan::{At, Instances};

/// Whether a document is `terraform show -json` output.
pub fn is_terraform(t: &Tree, root: NodeId) -> bool {
    t.kind(root) == Kind::Object
        && t.get_str(root, "format_version").is_some()
        && t.get_str(root, "terraform_version").is_some()
}

/// The major version of a `format_version` (`1.2` → 1).
fn major(version: &str) -> Option<u32> {
    version.split('.').next()?.trim().parse().ok()
}

/// Loads a plan or state (see [`is_terraform`]).
pub fn load(b: &mut GraphBuilder, file: FileId, path: &str, t: &Tree) {
    let Some(root) = t.root() else { return };
    b.count_file();
    let version = t.get(root, "format_version").expect("recognised by it");
    let m = t.str(version).and_then(major);
    if m.is_none_or(|m| m >= 2) {
        b.problem(Problem::Unrecognized {
            loc: Loc::new(file, t.span(version), Some(version)),
            path: path.to_string(),
            why: UnrecognizedWhy::TerraformFormat,
        });
        return;
    }
    let plan = t.get(root, "planned_values").is_some() || t.get(root, "resource_changes").is_some();
    let inst = Instances::read(t, root);
    let config = t
        .get(root, "configuration")
        .and_then(|c| t.get(c, "root_module"))
        .map(|m| Config::read(t, m));
    let mut l = Loader {
        t,
        file,
        inst,
        config,
        variables: t.get(root, "variables"),
        subscription: String::new(),
        subs: FxHashMap::default(),
        plan,
        gateway_wanted: Default::default(),
        gateway_shown: Default::default(),
        vnet_ids: FxHashMap::default(),
        by_name: FxHashMap::default(),
    };
    l.subscription = l
        .subscription(root)
        .unwrap_or_else(|| "{subscription}".to_string());
    l.subs = l.provider_subscriptions(root);
    // A plan is a design to deploy; a state describes what Azure holds.
    b.set_authored(plan);
    azurerm::build(&mut l, b);
    b.set_authored(false);
}

/// A plan or state being loaded.
pub(super) struct Loader<'t> {
    t: &'t Tree,
    file: FileId,
    inst: Instances,
    config: Option<Config>,
    /// The plan's `variables`: the root module's variables and their values.
    variables: Option<NodeId>,
    /// The provider's subscription, else the `{subscription}` placeholder.
    subscription: String,
    /// With more than one azurerm provider configuration: the subscription of each (by
    /// `provider_config_key`), else a placeholder of its own.
    subs: FxHashMap<String, String>,
    /// Whether the document is a plan (else a state).
    plan: bool,
    /// The vnets (by key) a peering needs a gateway in (`use_remote_gateways` towards it,
    /// `allow_gateway_transit` from it), and those an accepted peering shows one in.
    gateway_wanted: rustc_hash::FxHashSet<String>,
    gateway_shown: rustc_hash::FxHashSet<String>,
    /// The ids of vnet instances (managed and data sources), and the vnets by (resource
    /// group, name), lower-case.
    vnet_ids: FxHashMap<usize, String>,
    by_name: FxHashMap<(String, String), Vec<usize>>,
}

/// Why a value is unknown when the plan only says so.
const AFTER_APPLY: &str = "Terraform knows it only after apply";

impl Loader<'_> {
    fn loc(&self, n: NodeId) -> Loc {
        Loc::new(self.file, self.t.span(n), Some(n))
    }

    fn anchor(&self, i: usize) -> Loc {
        self.loc(self.inst.list[i].anchor)
    }

    /// Values after apply: the (planned) values at `v` with `after_unknown` (at `u`) laid over
    /// them, each part located where it is written (an unknown one where `after_unknown`
    /// marks it).
    fn merged(&self, v: Option<NodeId>, u: Option<NodeId>, at: Loc) -> Value {
        let t = self.t;
        if let Some(u) = u
            && t.bool(u) == Some(true)
        {
            return Value::unknown(AFTER_APPLY, None, self.loc(u));
        }
        let Some(v) = v else {
            return Value::new(Val::Null, at);
        };
        let here = self.loc(v);
        match t.kind(v) {
            Kind::Object => {
                let mut members: Vec<(Rc<str>, Value)> = t
                    .members(v)
                    .map(|(k, x)| {
                        let xu = u.and_then(|u| t.get(u, k));
                        (Rc::from(k), self.merged(Some(x), xu, here))
                    })
                    .collect();
                if let Some(u) = u.filter(|&u| t.kind(u) == Kind::Object) {
                    for (k, x) in t.members(u) {
                        if t.bool(x) == Some(true) && !members.iter().any(|(m, _)| &**m == k) {
                            members.push((Rc::from(k), self.merged(None, Some(x), here)));
                        }
                    }
                }
                Value::object(members, here)
            }
            Kind::Array => {
                let known: Vec<NodeId> = t.children(v).collect();
                let unknown: Vec<NodeId> = u
                    .filter(|&u| t.kind(u) == Kind::Array)
                    .map(|u| t.children(u).collect())
                    .unwrap_or_default();
                let items = (0..known.len().max(unknown.len()))
                    .map(|k| self.merged(known.get(k).copied(), unknown.get(k).copied(), here))
                    .collect();
                Value::array(items, here)
            }
            _ => Value::literal(t, self.file, v),
        }
    }

    /// The provider's subscription: its configuration's `subscription_id` (a constant, or a
    /// root variable's value), else what every known id of an azurerm resource agrees on, when
    /// there is one azurerm provider configuration.
    fn subscription(&self, root: NodeId) -> Option<String> {
        let t = self.t;
        let providers: Vec<NodeId> = t
            .get(root, "configuration")
            .and_then(|c| t.get(c, "provider_config"))
            .map(|p| {
                t.members(p)
                    .filter(|(_, c)| self.is_azurerm(*c))
                    .map(|(_, c)| c)
                    .collect()
            })
            .unwrap_or_default();
        let configured: Vec<Option<String>> =
            providers.iter().map(|&p| self.configured(p)).collect();
        if let Some(Some(first)) = configured.first()
            && configured.iter().all(|c| c.as_deref() == Some(first))
        {
            return Some(first.clone());
        }
        if providers.len() > 1 {
            return None;
        }
        // The subscriptions of the ids the plan knows.
        self.evidence(|_| true)
    }

    /// The key of the provider configuration an instance is managed or read with, when the
    /// plan's configuration says.
    fn provider_key(&self, i: usize) -> Option<&str> {
        let inst = &self.inst.list[i];
        self.config
            .as_ref()
            .and_then(|c| c.resource(&inst.addr.module, &inst.addr.config_name()))
            .and_then(|r| self.t.get_str(r, "provider_config_key"))
    }

    /// The subscription of an instance: its provider configuration's (with several, one the
    /// configuration doesn't name has what they all agree on, else a placeholder).
    fn sub(&self, i: usize) -> &str {
        if self.subs.is_empty() {
            return &self.subscription;
        }
        self.provider_key(i)
            .and_then(|k| self.subs.get(k))
            .unwrap_or(&self.subscription)
    }

    /// With more than one azurerm provider configuration, the subscription of each: its
    /// `subscription_id` (a constant, or a root variable's value), else what the known ids of
    /// its resources agree on, else a placeholder of its own (`{subscription:azurerm.b}`), so
    /// that two vnets of the same resource group and name under two providers stay two.
    fn provider_subscriptions(&self, root: NodeId) -> FxHashMap<String, String> {
        let t = self.t;
        let mut out = FxHashMap::default();
        let providers: Vec<(&str, NodeId)> = t
            .get(root, "configuration")
            .and_then(|c| t.get(c, "provider_config"))
            .map(|p| t.members(p).filter(|(_, c)| self.is_azurerm(*c)).collect())
            .unwrap_or_default();
        if providers.len() < 2 {
            return out;
        }
        for (key, p) in providers {
            let sub = self
                .configured(p)
                .or_else(|| self.evidence(|i| self.provider_key(i) == Some(key)))
                .unwrap_or_else(|| {
                    if key == "azurerm" {
                        "{subscription}".to_string()
                    } else {
                        format!("{{subscription:{}}}", key.replace('/', "|"))
                    }
                });
            out.insert(key.to_string(), sub);
        }
        out
    }

    fn is_azurerm(&self, c: NodeId) -> bool {
        let t = self.t;
        t.get_str(c, "name") == Some("azurerm")
            || t.get_str(c, "full_name")
                .is_some_and(|f| f.ends_with("/azurerm"))
    }

    /// A provider configuration's `subscription_id`: a constant, or a root variable's value.
    fn configured(&self, p: NodeId) -> Option<String> {
        let t = self.t;
        let e = t.get(p, "expressions")?;
        let e = t.get(e, "subscription_id")?;
        if let Some(c) = t.get_str(e, "constant_value") {
            return Some(c.to_string());
        }
        let refs: Vec<&str> = t
            .children(t.get(e, "references")?)
            .filter_map(|r| t.str(r))
            .collect();
        let var = refs.first()?.strip_prefix("var.")?;
        if refs.len() != 1
            || t.get_str(p, "module_address")
                .is_some_and(|m| !m.is_empty())
        {
            return None;
        }
        let v = t.get(self.variables?, var)?;
        t.get_str(v, "value").map(str::to_string)
    }

    /// The subscription the known ids of the instances `of` agree on.
    fn evidence(&self, of: impl Fn(usize) -> bool) -> Option<String> {
        let t = self.t;
        let mut seen: Option<String> = None;
        for (i, inst) in self.inst.list.iter().enumerate() {
            if !of(i) {
                continue;
            }
            let id = if inst.is_data("azurerm_client_config") {
                self.inst.str(t, i, "subscription_id").map(str::to_string)
            } else if EVIDENCE.contains(&inst.addr.ty.as_str()) {
                self.inst
                    .str(t, i, "id")
                    .and_then(|id| subscription_of(id).map(str::to_string))
            } else {
                None
            };
            let Some(s) = id else { continue };
            match &seen {
                Some(x) if !x.eq_ignore_ascii_case(&s) => return None,
                Some(_) => {}
                None => seen = Some(s),
            }
        }
        seen
    }

    /// How an instance is shown: its address.
    fn address(&self, i: usize) -> &str {
        &self.inst.list[i].address
    }

    /// Where an instance's argument is evaluated.
    fn scope(&self, i: usize) -> Scope {
        let inst = &self.inst.list[i];
        let cfg = self
            .config
            .as_ref()
            .and_then(|c| c.resource(&inst.addr.module, &inst.addr.config_name()));
        Scope {
            module: inst.addr.module.clone(),
            key: inst.addr.key.clone(),
            for_each: cfg.and_then(|r| {
                self.t
                    .get(r, "for_each_expression")
                    .or_else(|| self.t.get(r, "count_expression"))
            }),
        }
    }

    /// The configuration expression of an instance's argument at `path` (nested blocks are
    /// lists of expression maps).
    fn expression(&self, i: usize, path: &[At<'_>]) -> Option<NodeId> {
        let inst = &self.inst.list[i];
        let r = self
            .config
            .as_ref()?
            .resource(&inst.addr.module, &inst.addr.config_name())?;
        plan::walk(self.t, self.t.get(r, "expressions")?, path)
    }

    /// Follows an instance's argument at `path` through the configuration.
    fn resolve(&self, i: usize, path: &[At<'_>]) -> Option<(NodeId, Resolution)> {
        let config = self.config.as_ref()?;
        let e = self.expression(i, path)?;
        let r = Resolver {
            t: self.t,
            inst: &self.inst,
            config,
            variables: self.variables,
        };
        Some((e, r.resolve(e, &self.scope(i))))
    }

    /// A string of an instance's values after apply, when known.
    fn known(&self, i: usize, key: &str) -> Option<(String, Loc)> {
        match self.inst.attr(self.t, i, &[At::Key(key)]) {
            plan::Attr::Known(n) => Some((self.t.str(n)?.to_string(), self.loc(n))),
            _ => None,
        }
    }

    /// The members `keys` of an instance's values after apply (those it has): what a
    /// resource's ARM value is made of, without the rest of it.
    fn after_only(&self, i: usize, keys: &[&str]) -> Value {
        let members: Vec<(Rc<str>, Value)> = keys
            .iter()
            .filter_map(|&k| Some((Rc::from(k), self.after_at(i, &[At::Key(k)])?)))
            .collect();
        Value::object(members, self.anchor(i))
    }

    /// The part at `path` of an instance's values after apply (see [`Loader::after`]).
    fn after_at(&self, i: usize, path: &[At<'_>]) -> Option<Value> {
        let t = self.t;
        let inst = &self.inst.list[i];
        let mut u = inst.change.as_ref().and_then(|c| c.after_unknown);
        let mut v = inst.values;
        for &a in path {
            if u.is_some_and(|u| t.bool(u) == Some(true)) {
                break;
            }
            u = u.and_then(|u| plan::walk(t, u, &[a]));
            v = v.and_then(|v| plan::walk(t, v, &[a]));
        }
        if v.is_none() && u.is_none() {
            return None;
        }
        Some(self.merged(v, u, self.anchor(i)))
    }

    /// A placeholder for a part of an id Terraform knows only after apply: the instance's
    /// attribute (`{module.x.azurerm_virtual_network.this.name}`), without `/`.
    fn placeholder(&self, b: &mut GraphBuilder, i: usize, attr: &str) -> String {
        let p = format!("{{{}.{attr}}}", self.address(i)).replace('/', "|");
        b.placeholder(&p, None);
        p
    }

    /// A vnet's id: known, else made from its resource group and name.
    fn vnet_id(&mut self, b: &mut GraphBuilder, i: usize) -> String {
        if let Some(id) = self.vnet_ids.get(&i) {
            return id.clone();
        }
        let inst = &self.inst.list[i];
        let id = if let Some((id, _)) = self.known(i, "id") {
            id
        } else if inst.is("azapi_resource") {
            let parent = self.parent_id(b, i);
            let name = self.name_or_placeholder(b, i, "name");
            format!("{parent}/providers/Microsoft.Network/virtualNetworks/{name}")
        } else {
            let rg = self.name_or_placeholder(b, i, "resource_group_name");
            let name = self.name_or_placeholder(b, i, "name");
            format!(
                "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}",
                self.sub(i)
            )
        };
        self.vnet_ids.insert(i, id.clone());
        id
    }

    fn name_or_placeholder(&self, b: &mut GraphBuilder, i: usize, key: &str) -> String {
        match self.known(i, key) {
            Some((s, _)) => s,
            None => self.placeholder(b, i, key),
        }
    }

    /// An azapi resource's `parent_id`: known, else its resource group's id (linked through
    /// the configuration), else a placeholder.
    fn parent_id(&self, b: &mut GraphBuilder, i: usize) -> String {
        if let Some((p, _)) = self.known(i, "parent_id") {
            return p;
        }
        if let Some((_, r)) = self.resolve(i, &[At::Key("parent_id")])
            && r.opaque.is_none()
            && r.more == 0
            && r.many.is_none()
        {
            let mut found: Vec<String> = Vec::new();
            for tgt in &r.targets {
                if let Target::Instance { inst, .. } = tgt
                    && self.inst.list[*inst].is("azurerm_resource_group")
                    && let Some((name, _)) = self.known(*inst, "name")
                {
                    let id = format!("/subscriptions/{}/resourceGroups/{name}", self.sub(*inst));
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
            }
            if let [one] = found.as_slice() {
                return one.clone();
            }
        }
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.sub(i),
            self.placeholder(b, i, "parent_id")
        )
    }

    /// The vnet with this resource group and name that instance `from` names, among the
    /// plan's vnets (managed first): one in its subscription (or under its provider
    /// configuration), else the one whose subscription is unknown, else the id it has in that
    /// subscription.
    fn vnet_named(&mut self, b: &mut GraphBuilder, from: usize, rg: &str, name: &str) -> String {
        let key = (rg.to_ascii_lowercase(), name.to_ascii_lowercase());
        if let Some(list) = self.by_name.get(&key).cloned() {
            let mut unknown: Vec<String> = Vec::new();
            for j in list {
                let id = self.vnet_id(b, j);
                let sub = subscription_of(&id).unwrap_or("{");
                if self.subs.is_empty()
                    || self
                        .provider_key(j)
                        .is_some_and(|k| self.provider_key(from) == Some(k))
                    || sub.eq_ignore_ascii_case(self.sub(from))
                {
                    return id;
                }
                if sub.contains('{') || self.sub(from).contains('{') {
                    unknown.push(id);
                }
            }
            if let [one] = unknown.as_slice() {
                return one.clone();
            }
        }
        format!(
            "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}",
            self.sub(from)
        )
    }
}

/// Resource types whose `id` lies in the provider's subscription, to learn it from.
const EVIDENCE: &[&str] = &[
    "azurerm_resource_group",
    "azurerm_virtual_network",
    "azurerm_subnet",
    "azurerm_virtual_network_peering",
    "azurerm_route_table",
    "azurerm_virtual_network_gateway",
    "azurerm_public_ip",
    "azurerm_firewall",
];

/// The subscription of an id (`/subscriptions/<s>/...`).
fn subscription_of(id: &str) -> Option<&str> {
    let rest = id.strip_prefix("/subscriptions/")?;
    let s = rest.split('/').next()?;
    (!s.is_empty()).then_some(s)
}
