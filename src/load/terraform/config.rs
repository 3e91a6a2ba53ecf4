//! Following a plan's `configuration` to what an unknown value is made of.
//!
//! At plan time the id of a vnet created by the same plan is unknown, so a peering's
//! `remote_virtual_network_id` is too. The configuration keeps each attribute's expression as
//! its references (`module.spoke.vnet_id`, `var.hub_id`, `azurerm_virtual_network.hub.id`).
//! Following them through module outputs, module arguments (`var.*` in a module is the
//! caller's expression), root variables (their values are in the plan), `each.value`
//! (the `for_each` collection at the instance's key) and data sources gives the *candidates*:
//! the instances and known values the attribute may be made of. A link is made only when the
//! candidates name exactly one vnet; a reference peerlint can't follow (a `local`, an index
//! it can't know) makes the value unresolved. Nothing is guessed.
//!
//! Two readings are taken as Terraform's idioms: an index Terraform didn't write out next to
//! `each.key` or `count.index` alone (`azurerm_virtual_network.spoke[each.key]`, written as the
//! references `azurerm_virtual_network.spoke` and `each.key`) is the instance's own key (marked
//! as [`Resolution::implied`]: `spoke[1 - count.index]` is written the same way), and
//! `each.value` is the `for_each` collection's member at the instance's key (when that
//! collection has such a member).

use rustc_hash::FxHashMap;

use super::address::{Key, ModulePath, Ref, Step, group_refs, module_prefix, parse_ref};
use super::plan::Instances;
use crate::tree::{Kind, NodeId, Tree};

/// One module of the configuration.
pub struct Module {
    /// Resources by `type.name` (`data.type.name` for data sources).
    pub resources: FxHashMap<String, NodeId>,
    /// Calls by name: the call object and the called module.
    pub calls: FxHashMap<String, (NodeId, usize)>,
    pub outputs: Option<NodeId>,
    pub variables: Option<NodeId>,
}

/// A plan's `configuration`.
pub struct Config {
    pub modules: Vec<Module>,
}

impl Config {
    pub fn read(t: &Tree, root_module: NodeId) -> Config {
        let mut c = Config {
            modules: Vec::new(),
        };
        c.module(t, root_module, 0);
        c
    }

    fn module(&mut self, t: &Tree, m: NodeId, depth: usize) -> usize {
        let i = self.modules.len();
        self.modules.push(Module {
            resources: FxHashMap::default(),
            calls: FxHashMap::default(),
            outputs: t.get(m, "outputs"),
            variables: t.get(m, "variables"),
        });
        if let Some(rs) = t.get(m, "resources") {
            for r in t.children(rs) {
                if let Some(a) = t.get_str(r, "address") {
                    self.modules[i].resources.insert(a.to_string(), r);
                }
            }
        }
        // Modules nest as deep as the configuration does; a bound keeps a hostile file from
        // exhausting the stack.
        if depth < 64
            && let Some(calls) = t.get(m, "module_calls")
        {
            for (name, call) in t.members(calls) {
                if let Some(body) = t.get(call, "module") {
                    let child = self.module(t, body, depth + 1);
                    self.modules[i]
                        .calls
                        .insert(name.to_string(), (call, child));
                }
            }
        }
        i
    }

    /// The module of a module instance (keys are ignored: every instance has one configuration).
    pub fn module_of(&self, path: &[(String, Option<Key>)]) -> Option<usize> {
        let mut m = 0;
        for (call, _) in path {
            m = self.modules.get(m)?.calls.get(call)?.1;
        }
        Some(m)
    }

    /// The configuration of a resource in a module instance.
    pub fn resource(&self, path: &[(String, Option<Key>)], name: &str) -> Option<NodeId> {
        self.modules
            .get(self.module_of(path)?)?
            .resources
            .get(name)
            .copied()
    }
}

/// Where an expression is evaluated: a module instance and, for an argument of a resource or
/// module call, that object's instance key and `for_each` expression.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub module: ModulePath,
    pub key: Option<Key>,
    pub for_each: Option<NodeId>,
}

/// What a value may be made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An instance, or one of its attributes (the first attribute after the instance; None
    /// when the reference stops at the instance).
    Instance { inst: usize, attr: Option<String> },
    /// A value the plan holds (a root variable's value, a default, a constant, a key): the
    /// text and its node.
    Text(String, Option<NodeId>),
}

/// The candidates of an expression.
#[derive(Debug, Default)]
pub struct Resolution {
    /// At most [`MAX_TARGETS`]: more can't name one vnet anyway.
    pub targets: Vec<Target>,
    /// Candidates beyond those kept in `targets`.
    pub more: usize,
    /// A resource with more instances than `targets` keeps, any of which it may be: how it is
    /// shown, and how many.
    pub many: Option<(String, usize)>,
    /// Why part of the expression can't be followed: then the targets may not be all.
    pub opaque: Option<String>,
    /// Whether an instance was chosen by the instance's own key where Terraform wrote no
    /// index (`vnet[count.index]` and `vnet[1 - count.index]` read the same): a reading, not
    /// a fact.
    pub implied: bool,
}

/// The candidates kept of one expression: enough to tell one vnet from several, and the work
/// per expression stays bounded however many instances or values it may name.
pub const MAX_TARGETS: usize = 16;

/// The values looked through under one reference to a value in the plan.
const MAX_VALUES: usize = 4096;

impl Resolution {
    fn add(&mut self, t: Target) {
        if self.targets.contains(&t) {
            return;
        }
        if self.targets.len() < MAX_TARGETS {
            self.targets.push(t);
        } else {
            self.more += 1;
        }
    }
    fn opaque(&mut self, why: String) {
        self.opaque.get_or_insert(why);
    }
}

/// Follows expressions through a plan.
pub struct Resolver<'a> {
    pub t: &'a Tree,
    pub inst: &'a Instances,
    pub config: &'a Config,
    /// The plan's `variables` (root module variables and their values).
    pub variables: Option<NodeId>,
}

const MAX_DEPTH: usize = 48;

impl Resolver<'_> {
    /// The candidates of the expression object `e` (`{"references": [...]}` or
    /// `{"constant_value": ...}`) evaluated in `scope`.
    pub fn resolve(&self, e: NodeId, scope: &Scope) -> Resolution {
        let mut out = Resolution::default();
        self.expression(e, scope, &[], &mut out, 0);
        out
    }

    fn expression(
        &self,
        e: NodeId,
        scope: &Scope,
        tail: &[Step],
        out: &mut Resolution,
        depth: usize,
    ) {
        let t = self.t;
        if depth > MAX_DEPTH {
            out.opaque("its references nest too deep to follow".into());
            return;
        }
        if let Some(c) = t.get(e, "constant_value") {
            self.literal(c, tail, out);
            return;
        }
        let refs: Vec<&str> = t
            .get(e, "references")
            .map(|r| t.children(r).filter_map(|n| t.str(n)).collect())
            .unwrap_or_default();
        if refs.is_empty() {
            out.opaque(
                "its expression has no reference peerlint can follow (only functions)".into(),
            );
            return;
        }
        let groups = group_refs(&refs);
        let helper = |g: &str| g == "each.key" || g == "count.index";
        let has_helper = groups.iter().any(|g| helper(g));
        let values: Vec<&String> = groups.iter().filter(|g| !helper(g)).collect();
        if values.is_empty() {
            // Made of the instance's own key: `each.key` (a `for_each` over ids).
            match (&scope.key, groups.iter().any(|g| g == "each.key")) {
                (Some(k @ Key::Str(_)), true) => {
                    out.add(Target::Text(k.text(), scope.for_each));
                }
                _ => out.opaque("its expression is made from the instance's index".into()),
            }
            return;
        }
        // A single reference carries what the caller reads from it; several are only
        // candidates, each whole.
        let single = values.len() == 1;
        let tail = if single { tail } else { &[] };
        for g in values {
            let Some(mut r) = parse_ref(g) else {
                out.opaque(format!("`{g}` is no reference peerlint reads"));
                continue;
            };
            r.steps.extend_from_slice(tail);
            // Only `x[each.key]` / `x[count.index]` beside nothing else: with another value
            // (`x[var.map[each.key].peer]`) the index is something else.
            let implied = if has_helper && single {
                scope.key.clone()
            } else {
                None
            };
            self.reference(&r, g, implied, scope, out, depth + 1);
        }
    }

    /// A value written in the plan, with `steps` applied: the texts in what they reach (an
    /// index Terraform didn't write out may reach any member). A member that isn't there
    /// makes the value unresolved: the expression was more than the reference.
    fn literal(&self, n: NodeId, steps: &[Step], out: &mut Resolution) {
        let t = self.t;
        let mut at = n;
        for s in steps {
            let next = match s {
                Step::Attr(a) => t.members(at).find(|(k, _)| k == a).map(|(_, v)| v),
                Step::Index(Key::Str(k)) => t.members(at).find(|(key, _)| key == k).map(|(_, v)| v),
                Step::Index(Key::Int(i)) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| (t.kind(at) == Kind::Array).then(|| t.children(at).nth(i)))
                    .flatten(),
                Step::Opaque => break,
            };
            match next {
                Some(x) => at = x,
                None => {
                    let what = match s {
                        Step::Attr(a) => format!("`{a}`"),
                        Step::Index(k) => {
                            let mut s = String::from("`[");
                            k.render(&mut s);
                            s.push_str("]`");
                            s
                        }
                        Step::Opaque => unreachable!("stops above"),
                    };
                    out.opaque(format!(
                        "its expression is more than a reference: the value it refers to has no {what}"
                    ));
                    return;
                }
            }
        }
        // Every text under `at` (iteratively: values can be deep).
        let mut stack = vec![at];
        let mut seen = 0;
        while let Some(x) = stack.pop() {
            seen += 1;
            if seen > MAX_VALUES {
                out.opaque("the value it refers to is too large to look through".into());
                return;
            }
            match t.kind(x) {
                Kind::String => out.add(Target::Text(t.str(x).unwrap_or("").to_string(), Some(x))),
                Kind::Array | Kind::Object => {
                    let kids: Vec<NodeId> = t.children(x).collect();
                    stack.extend(kids.into_iter().rev());
                }
                _ => {}
            }
        }
    }

    /// One reference (`text` as written), in `scope`; `implied` is the instance key an
    /// index Terraform didn't write out stands for.
    fn reference(
        &self,
        r: &Ref,
        text: &str,
        implied: Option<Key>,
        scope: &Scope,
        out: &mut Resolution,
        depth: usize,
    ) {
        match r.root.as_str() {
            "var" => self.variable(r, text, implied, scope, out, depth),
            "module" => self.module_output(r, text, implied, scope, out, depth),
            "each" => match r.attr(0) {
                Some("key") => match &scope.key {
                    Some(k) => out.add(Target::Text(k.text(), scope.for_each)),
                    None => out.opaque(format!("`{text}` has no instance key here")),
                },
                Some("value") => {
                    let (Some(k), Some(fe)) = (&scope.key, scope.for_each) else {
                        out.opaque(format!("`{text}` has no `for_each` here"));
                        return;
                    };
                    // `each.value` is the collection's member at the instance's key.
                    let mut tail = vec![Step::Index(k.clone())];
                    tail.extend_from_slice(&r.steps[1..]);
                    let outer = Scope {
                        module: scope.module.clone(),
                        key: None,
                        for_each: None,
                    };
                    self.expression(fe, &outer, &tail, out, depth + 1);
                }
                _ => out.opaque(format!("`{text}` is no reference peerlint reads")),
            },
            "count" => match &scope.key {
                Some(k @ Key::Int(_)) => out.add(Target::Text(k.text(), scope.for_each)),
                _ => out.opaque(format!("`{text}` has no index here")),
            },
            "local" => out.opaque(format!(
                "its expression uses `{text}`, a local value, which Terraform doesn't write into the plan"
            )),
            "path" | "terraform" | "self" | "resource" | "ephemeral" => {
                out.opaque(format!("its expression uses `{text}`"))
            }
            "data" => {
                let (Some(ty), Some(name)) = (r.attr(0), r.attr(1)) else {
                    out.opaque(format!("`{text}` is no reference peerlint reads"));
                    return;
                };
                self.resource(true, ty, name, &r.steps[2..], text, implied, scope, out);
            }
            ty => {
                let Some(name) = r.attr(0) else {
                    out.opaque(format!("`{text}` is no reference peerlint reads"));
                    return;
                };
                self.resource(false, ty, name, &r.steps[1..], text, implied, scope, out);
            }
        }
    }

    /// `type.name[key].attr` (`rest` is what follows the name).
    #[allow(clippy::too_many_arguments)]
    fn resource(
        &self,
        data: bool,
        ty: &str,
        name: &str,
        rest: &[Step],
        text: &str,
        implied: Option<Key>,
        scope: &Scope,
        out: &mut Resolution,
    ) {
        let config_name = if data {
            format!("data.{ty}.{name}")
        } else {
            format!("{ty}.{name}")
        };
        let all: &[usize] = self
            .inst
            .by_config
            .get(&(module_prefix(&scope.module), config_name.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut by_implied = false;
        let (key, rest) = match rest.first() {
            Some(Step::Index(k)) => (Some(k.clone()), &rest[1..]),
            Some(Step::Opaque) => (None, &rest[1..]),
            _ => {
                let key =
                    implied.filter(|_| all.iter().any(|&i| self.inst.list[i].addr.key.is_some()));
                out.implied |= key.is_some();
                by_implied = key.is_some();
                (key, rest)
            }
        };
        let attr = match rest.first() {
            Some(Step::Attr(a)) => Some(a.clone()),
            _ => None,
        };
        let shown = format!("{}{config_name}", module_prefix(&scope.module));
        let chosen: Vec<usize> = match &key {
            Some(k) => {
                let mut address = format!("{}{config_name}[", module_prefix(&scope.module));
                k.render(&mut address);
                address.push(']');
                self.inst
                    .by_address
                    .get(&address)
                    .copied()
                    .into_iter()
                    .collect()
            }
            None => all.to_vec(),
        };
        // Many instances and no key: which one can't be told.
        if chosen.len() > MAX_TARGETS {
            out.many.get_or_insert((shown, chosen.len()));
            return;
        }
        if chosen.is_empty() {
            out.opaque(match key {
                // Only this instance is missing.
                Some(k) if !all.is_empty() => {
                    let mut address = shown.clone();
                    address.push('[');
                    k.render(&mut address);
                    address.push(']');
                    if by_implied {
                        format!(
                            "`{address}` is not in the plan: the index Terraform doesn't write out is not the instance's own key"
                        )
                    } else {
                        format!("`{address}` is not in the plan (other instances of `{shown}` are)")
                    }
                }
                Some(_) => format!("`{text}` is not in the plan"),
                None => format!("`{shown}` is not in the plan"),
            });
            return;
        }
        for i in chosen {
            out.add(Target::Instance {
                inst: i,
                attr: attr.clone(),
            });
        }
    }

    /// `var.name...`: at the root, the variable's value in the plan; in a module, the
    /// caller's argument expression (else the variable's default).
    fn variable(
        &self,
        r: &Ref,
        text: &str,
        implied: Option<Key>,
        scope: &Scope,
        out: &mut Resolution,
        depth: usize,
    ) {
        let t = self.t;
        let Some(name) = r.attr(0) else {
            out.opaque(format!("`{text}` is no reference peerlint reads"));
            return;
        };
        let mut steps: Vec<Step> = Vec::new();
        if r.steps.len() == 1
            && let Some(k) = implied
        {
            steps.push(Step::Index(k));
        }
        steps.extend_from_slice(&r.steps[1..]);
        let module = self.config.module_of(&scope.module);
        let default = || {
            module
                .and_then(|m| self.config.modules[m].variables)
                .and_then(|vs| t.get(vs, name))
                .and_then(|v| t.get(v, "default"))
        };
        if scope.module.is_empty() {
            let value = self
                .variables
                .and_then(|vs| t.get(vs, name))
                .and_then(|v| t.get(v, "value"))
                .or_else(default);
            match value {
                Some(v) => self.literal(v, &steps, out),
                None => out.opaque(format!("the plan holds no value of `var.{name}`")),
            }
            return;
        }
        let (parent, last) = scope.module.split_at(scope.module.len() - 1);
        let (call_name, call_key) = &last[0];
        let Some((call, _)) = self.module_call(parent, call_name, out) else {
            return;
        };
        match t.get(call, "expressions").and_then(|x| t.get(x, name)) {
            Some(arg) => {
                let caller = Scope {
                    module: parent.to_vec(),
                    key: call_key.clone(),
                    for_each: t
                        .get(call, "for_each_expression")
                        .or_else(|| t.get(call, "count_expression")),
                };
                self.expression(arg, &caller, &steps, out, depth + 1);
            }
            None => match default() {
                Some(d) => self.literal(d, &steps, out),
                None => out.opaque(format!("`module.{call_name}` gives `{name}` no value")),
            },
        }
    }

    /// `module.name[key].output...`: the output's expression in the module instance.
    fn module_output(
        &self,
        r: &Ref,
        text: &str,
        implied: Option<Key>,
        scope: &Scope,
        out: &mut Resolution,
        depth: usize,
    ) {
        let t = self.t;
        let Some(call_name) = r.attr(0) else {
            out.opaque(format!("`{text}` is no reference peerlint reads"));
            return;
        };
        let Some((call, child)) = self.module_call(&scope.module, call_name, out) else {
            return;
        };
        let keyed = t.get(call, "for_each_expression").is_some()
            || t.get(call, "count_expression").is_some();
        let mut rest = &r.steps[1..];
        let keys: Vec<Option<Key>> = match rest.first() {
            Some(Step::Index(k)) => {
                rest = &rest[1..];
                vec![Some(k.clone())]
            }
            Some(Step::Opaque) => {
                rest = &rest[1..];
                self.module_keys(&scope.module, call_name)
            }
            _ if !keyed => vec![None],
            _ => match implied {
                Some(k) => vec![Some(k)],
                None => self.module_keys(&scope.module, call_name),
            },
        };
        if keys.is_empty() {
            out.opaque(format!(
                "`{}module.{call_name}` has no instance in the plan",
                module_prefix(&scope.module)
            ));
            return;
        }
        let outputs = self.config.modules[child].outputs;
        let (names, tail): (Vec<String>, &[Step]) = match rest.first() {
            Some(Step::Attr(o)) => (vec![o.clone()], &rest[1..]),
            // The output isn't written out (an index Terraform didn't write came first): any
            // of them, each whole.
            _ => (
                outputs
                    .map(|o| t.members(o).map(|(k, _)| k.to_string()).collect())
                    .unwrap_or_default(),
                &[],
            ),
        };
        for key in keys {
            let mut module = scope.module.clone();
            module.push((call_name.to_string(), key));
            let inner = Scope {
                module,
                key: None,
                for_each: None,
            };
            for o in &names {
                match outputs
                    .and_then(|os| t.get(os, o))
                    .and_then(|x| t.get(x, "expression"))
                {
                    Some(e) => self.expression(e, &inner, tail, out, depth + 1),
                    None => out.opaque(format!("`module.{call_name}` has no output `{o}`")),
                }
            }
        }
    }

    /// The call `module.name` in the module instance `path` (the call object and the called
    /// module); None, said in `out`, when the configuration lacks it.
    fn module_call(
        &self,
        path: &[(String, Option<Key>)],
        name: &str,
        out: &mut Resolution,
    ) -> Option<(NodeId, usize)> {
        let call = self
            .config
            .module_of(path)
            .and_then(|m| self.config.modules[m].calls.get(name))
            .copied();
        if call.is_none() {
            out.opaque(format!("the configuration lacks `module.{name}`"));
        }
        call
    }

    /// The keys of the instances of `module.call` in a module instance that the plan holds
    /// resources of.
    fn module_keys(&self, path: &ModulePath, call: &str) -> Vec<Option<Key>> {
        self.inst
            .module_keys
            .get(&(module_prefix(path), call.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A plan of `resources` (addresses; all of type vnet or module outputs) and a
    /// configuration; resolves the expression at `pointer` (JSON Pointer into the document)
    /// for the instance `at` and returns the instances' addresses, or the reason.
    fn resolve(doc: &str, pointer: &str, at: &str) -> Result<Vec<String>, String> {
        let text = Arc::new(doc.to_string());
        let t = crate::json::parse(&text, 0).unwrap();
        let root = t.root().unwrap();
        let inst = Instances::read(&t, root);
        let config = Config::read(
            &t,
            t.get(t.get(root, "configuration").unwrap(), "root_module")
                .unwrap(),
        );
        let mut e = root;
        for part in pointer.split('/').skip(1) {
            e = match part.parse::<usize>() {
                Ok(i) => t.children(e).nth(i).unwrap(),
                Err(_) => t.get(e, part).unwrap(),
            };
        }
        let i = inst.by_address[at];
        let addr = &inst.list[i].addr;
        let cfg = config.resource(&addr.module, &addr.config_name());
        let scope = Scope {
            module: addr.module.clone(),
            key: addr.key.clone(),
            for_each: cfg.and_then(|r| {
                t.get(r, "for_each_expression")
                    .or_else(|| t.get(r, "count_expression"))
            }),
        };
        let r = Resolver {
            t: &t,
            inst: &inst,
            config: &config,
            variables: t.get(root, "variables"),
        }
        .resolve(e, &scope);
        if let Some(why) = r.opaque {
            return Err(why);
        }
        Ok(r.targets
            .iter()
            .map(|x| match x {
                Target::Instance { inst: i, attr } => {
                    format!(
                        "{}.{}",
                        inst.list[*i].address,
                        attr.as_deref().unwrap_or("-")
                    )
                }
                Target::Text(s, _) => format!("'{s}'"),
            })
            .collect())
    }

    fn planned(addresses: &[&str]) -> String {
        let rs: Vec<String> = addresses
            .iter()
            .map(|a| {
                format!(
                    r#"{{"address": {}, "values": {{}}}}"#,
                    serde_json::to_string(a).unwrap()
                )
            })
            .collect();
        format!(
            r#""planned_values": {{"root_module": {{"resources": [{}]}}}}"#,
            rs.join(",")
        )
    }

    #[test]
    fn an_unwritten_index_beside_each_key_is_the_instance_key() {
        let doc = format!(
            r#"{{ {}, "configuration": {{"root_module": {{"resources": [
                {{"address": "azurerm_virtual_network_peering.p", "for_each_expression": {{"references": ["var.spokes"]}},
                  "expressions": {{"remote_virtual_network_id": {{"references": ["azurerm_virtual_network.spoke", "each.key"]}}}}}}
            ]}}}}}}"#,
            planned(&[
                "azurerm_virtual_network.spoke[\"a\"]",
                "azurerm_virtual_network.spoke[\"b\"]",
                "azurerm_virtual_network_peering.p[\"b\"]",
            ])
        );
        assert_eq!(
            resolve(
                &doc,
                "/configuration/root_module/resources/0/expressions/remote_virtual_network_id",
                "azurerm_virtual_network_peering.p[\"b\"]"
            ),
            Ok(vec!["azurerm_virtual_network.spoke[\"b\"].-".to_string()])
        );
    }

    #[test]
    fn count_index_pairs_instances_too() {
        let doc = format!(
            r#"{{ {}, "configuration": {{"root_module": {{"resources": [
                {{"address": "azurerm_virtual_network_peering.p", "count_expression": {{"constant_value": 2}},
                  "expressions": {{"remote_virtual_network_id": {{"references": ["azurerm_virtual_network.v", "count.index"]}}}}}}
            ]}}}}}}"#,
            planned(&[
                "azurerm_virtual_network.v[0]",
                "azurerm_virtual_network.v[1]",
                "azurerm_virtual_network_peering.p[1]",
            ])
        );
        assert_eq!(
            resolve(
                &doc,
                "/configuration/root_module/resources/0/expressions/remote_virtual_network_id",
                "azurerm_virtual_network_peering.p[1]"
            ),
            Ok(vec!["azurerm_virtual_network.v[1].-".to_string()])
        );
    }

    #[test]
    fn each_value_is_the_for_each_member_at_the_key() {
        // for_each = module.spoke; remote = each.value.vnet_id
        let doc = format!(
            r#"{{ {}, "configuration": {{"root_module": {{
                "resources": [
                  {{"address": "azurerm_virtual_network_peering.hub_to", "for_each_expression": {{"references": ["module.spoke"]}},
                    "expressions": {{"remote_virtual_network_id": {{"references": ["each.value.vnet_id", "each.value"]}}}}}}
                ],
                "module_calls": {{"spoke": {{"for_each_expression": {{"references": ["var.spokes"]}}, "module": {{
                  "outputs": {{"vnet_id": {{"expression": {{"references": ["azurerm_virtual_network.this.id", "azurerm_virtual_network.this"]}}}},
                              "name": {{"expression": {{"references": ["var.name"]}}}}}},
                  "resources": []}}}}}}
            }}}}}}"#,
            planned(&[
                "module.spoke[\"a\"].azurerm_virtual_network.this",
                "module.spoke[\"b\"].azurerm_virtual_network.this",
                "azurerm_virtual_network_peering.hub_to[\"a\"]",
            ])
        );
        assert_eq!(
            resolve(
                &doc,
                "/configuration/root_module/resources/0/expressions/remote_virtual_network_id",
                "azurerm_virtual_network_peering.hub_to[\"a\"]"
            ),
            Ok(vec![
                "module.spoke[\"a\"].azurerm_virtual_network.this.id".to_string()
            ])
        );
    }

    #[test]
    fn root_variables_and_defaults_are_values() {
        let doc = format!(
            r#"{{ "variables": {{"ids": {{"value": {{"hub": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/h"}}}}}},
              {}, "configuration": {{"root_module": {{"resources": [
                {{"address": "azurerm_virtual_network_peering.p",
                  "expressions": {{"a": {{"references": ["var.ids.hub", "var.ids"]}},
                                   "b": {{"references": ["var.ids.spoke", "var.ids"]}},
                                   "c": {{"references": ["var.missing"]}}}}}}
            ], "variables": {{"missing": {{"default": "x"}}}}}}}}}}"#,
            planned(&["azurerm_virtual_network_peering.p"])
        );
        let at = "azurerm_virtual_network_peering.p";
        let e = "/configuration/root_module/resources/0/expressions/";
        assert_eq!(
            resolve(&doc, &format!("{e}a"), at),
            Ok(vec![
                "'/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/h'"
                    .to_string()
            ])
        );
        // A member the value doesn't have: the expression was more than the reference.
        assert!(
            resolve(&doc, &format!("{e}b"), at)
                .unwrap_err()
                .contains("`spoke`")
        );
        assert_eq!(
            resolve(&doc, &format!("{e}c"), at),
            Ok(vec!["'x'".to_string()])
        );
    }

    #[test]
    fn what_can_not_be_followed_is_said() {
        let doc = format!(
            r#"{{ {}, "configuration": {{"root_module": {{"resources": [
                {{"address": "azurerm_virtual_network_peering.p",
                  "expressions": {{"local": {{"references": ["local.hubs.a", "local.hubs"]}},
                                   "many": {{"references": ["azurerm_virtual_network.v"]}},
                                   "gone": {{"references": ["azurerm_virtual_network.v[\"z\"].id", "azurerm_virtual_network.v[\"z\"]", "azurerm_virtual_network.v"]}},
                                   "fn": {{}}}}}}
            ]}}}}}}"#,
            planned(&[
                "azurerm_virtual_network.v[\"a\"]",
                "azurerm_virtual_network.v[\"b\"]",
                "azurerm_virtual_network_peering.p",
            ])
        );
        let at = "azurerm_virtual_network_peering.p";
        let e = "/configuration/root_module/resources/0/expressions/";
        assert!(
            resolve(&doc, &format!("{e}local"), at)
                .unwrap_err()
                .contains("a local value")
        );
        // Which instance isn't written: every one is a candidate (the caller refuses many).
        assert_eq!(resolve(&doc, &format!("{e}many"), at).unwrap().len(), 2);
        assert!(
            resolve(&doc, &format!("{e}gone"), at)
                .unwrap_err()
                .contains("not in the plan")
        );
        assert!(
            resolve(&doc, &format!("{e}fn"), at)
                .unwrap_err()
                .contains("functions")
        );
    }

    #[test]
    fn module_arguments_are_the_callers_expressions() {
        // module "spoke" { for_each = ...; hub_id = azurerm_virtual_network.hub.id }
        let doc = format!(
            r#"{{ {}, "configuration": {{"root_module": {{
                "resources": [],
                "module_calls": {{"spoke": {{"for_each_expression": {{"references": ["var.spokes"]}},
                  "expressions": {{"hub_id": {{"references": ["azurerm_virtual_network.hub.id", "azurerm_virtual_network.hub"]}},
                                   "own": {{"references": ["azurerm_virtual_network.spoke", "each.key"]}}}},
                  "module": {{"resources": [
                    {{"address": "azurerm_virtual_network_peering.to_hub",
                      "expressions": {{"a": {{"references": ["var.hub_id"]}}, "b": {{"references": ["var.own"]}}}}}}
                  ]}}}}}}
            }}}}}}"#,
            planned(&[
                "azurerm_virtual_network.hub",
                "azurerm_virtual_network.spoke[\"x\"]",
                "azurerm_virtual_network.spoke[\"y\"]",
                "module.spoke[\"y\"].azurerm_virtual_network_peering.to_hub",
            ])
        );
        let at = "module.spoke[\"y\"].azurerm_virtual_network_peering.to_hub";
        let e = "/configuration/root_module/module_calls/spoke/module/resources/0/expressions/";
        assert_eq!(
            resolve(&doc, &format!("{e}a"), at),
            Ok(vec!["azurerm_virtual_network.hub.id".to_string()])
        );
        // `each.key` in the caller's argument is the module instance's key.
        assert_eq!(
            resolve(&doc, &format!("{e}b"), at),
            Ok(vec!["azurerm_virtual_network.spoke[\"y\"].-".to_string()])
        );
    }
}
