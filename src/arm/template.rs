//! Walks a template: parameters, variables, resources (array or symbolic-name object), copy
//! loops, conditions, child resources and nested deployments, and returns the network
//! resources a deployment would create, with what can't be known offline, as data.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::model::Loc;
use crate::source::FileId;
use crate::tree::{Kind, NodeId, Tree};
use rustc_hash::FxHashMap as FastMap;

use super::eval::{DeployCtx, Env, EvalError, Limits, Resolver, Scope};
use super::order;
use super::params::Table;
use super::value::{Unknown, Val, Value};

/// Where templates deploy when the command line doesn't say.
pub const SUBSCRIPTION_PLACEHOLDER: &str = "{subscription}";
pub const RESOURCE_GROUP_PLACEHOLDER: &str = "{resourceGroup}";

/// The deployment context given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    /// Appended to placeholders of parameters without a value: templates of one folder share
    /// them (a hub id parameter means the same hub), other folders don't.
    pub tag: String,
}

/// A parameters file applied to a template.
pub struct Params<'a> {
    pub tree: &'a Tree,
    pub file: FileId,
    pub path: &'a str,
}

/// What evaluating a template gives: the network resources it deploys, the expression errors a
/// deployment would fail with, and the declarations whose deployment can't be decided offline,
/// each in the order met.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// Vnets, subnets, peerings, gateways, route tables and routes. A resource whose
    /// condition is false is left out, except a gateway, which is returned (with
    /// [`Condition::False`]) so that its vnet can be told where its gateway went.
    pub resources: Vec<Resource>,
    pub problems: Vec<EvalError>,
    pub undecided: Vec<Undecided>,
    /// The template's top-level `outputs`, in the order written: name, declared type (as
    /// written, `""` when the output has none) and value. An output whose `condition` is false
    /// is left out.
    pub outputs: Vec<(String, String, Value)>,
    /// Every resource instance the template declares (network or not, nested deployments'
    /// too), deployed or not, as evaluated, in the order met: what `peerlint expand` shows;
    /// the deployed ones, with what each waits for, are Resource Manager's deployment order;
    /// and the ones declared twice in one deployment (see [`Instance::duplicate_of`]).
    pub instances: Vec<Instance>,
}

/// A resource instance the template declares: a declaration, or one iteration of its copy
/// loop.
#[derive(Debug)]
pub struct Instance {
    /// The full type as written (`Microsoft.Network/virtualNetworks`), without its `@version`.
    pub ty: String,
    /// The full name (`vnet/peering` for a child), or its placeholder.
    pub name: String,
    /// The full id, or its placeholder.
    pub id: String,
    /// Why the name is unknown, when it is (it then holds placeholders).
    pub unknown_name: Option<String>,
    /// The symbolic name (languageVersion 2.0).
    pub symbol: Option<String>,
    /// The name of the copy loop it belongs to.
    pub copy: Option<String>,
    /// Its iteration of that loop (`copyIndex()`).
    pub index: Option<i64>,
    /// The resource object in the template.
    pub loc: Loc,
    /// Its `name` in the template (the resource object when it has none).
    pub named: Loc,
    pub condition: Condition,
    /// The nested deployment it is declared in (an index into the instances).
    pub within: Option<usize>,
    /// The instance deployed before it in the same deployment with the same type and name
    /// (ignoring case), if any: the resource is declared twice, and Resource Manager rejects
    /// the template.
    pub duplicate_of: Option<usize>,
    /// Its `dependsOn` entries, evaluated with the resource's scope (its copy index included);
    /// none when it isn't deployed.
    pub depends_on: Vec<Value>,
    /// What its expressions `reference()` (for a nested deployment, anything in it does), and
    /// for a child resource declared inside its parent, the parent's id; none when it isn't
    /// deployed.
    pub implicit: Vec<String>,
    /// Filled in by [`order::resolve`]: the deployed instances it waits for.
    pub after: Vec<usize>,
    /// Filled in by [`order::resolve`]: `dependsOn` entries that can't be known offline
    /// (where, why). The resource may wait for anything.
    pub unknown_depends_on: Vec<(Loc, String)>,
}

impl Instance {
    /// Whether a deployment creates it: its condition isn't false.
    pub fn deployed(&self) -> bool {
        !matches!(self.condition, Condition::False { .. })
    }

    /// Whether it is a nested deployment.
    pub fn is_deployment(&self) -> bool {
        self.ty
            .eq_ignore_ascii_case("microsoft.resources/deployments")
    }
}

/// A network resource the template deploys, evaluated.
#[derive(Debug)]
pub struct Resource {
    /// Lower-case full type.
    pub ty: String,
    /// Full id (text, or the placeholder of a symbolic unknown).
    pub id: String,
    pub name: String,
    /// `{id, name, type, properties}` as Resource Manager would see it.
    pub body: Value,
    /// The resource object in the template.
    pub loc: Loc,
    pub condition: Condition,
    /// Its instance, an index into [`Evaluated::instances`] (none for a gateway whose
    /// condition is false).
    pub step: Option<usize>,
}

/// Whether a resource is deployed, as its `condition` says.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// No condition, or one that holds.
    Always,
    /// Deployed only if a condition that can't be known offline holds.
    Unknown { at: Loc, reason: String },
    /// Not deployed: the condition is false. `deciding` is the value that decided it (the
    /// parameters file's `false`, say), else the condition itself.
    False { at: Loc, deciding: Loc },
}

/// A declaration whose deployment can't be decided offline.
#[derive(Clone, Debug)]
pub struct Undecided {
    /// The unknown expression (copy count, name, condition) or the linked template.
    pub loc: Loc,
    /// The resource it belongs to (its id, possibly with placeholders), else what names it.
    pub resource: String,
    /// "the copy count of loop `spokes` (`Microsoft.Network/virtualNetworks` resources)".
    pub what: String,
    /// Why it is unknown: "parameter `count` has no default and no parameters file sets it".
    pub reason: String,
    pub effect: Effect,
    /// Unknown because of an invalid expression, which is reported as such: the declaration
    /// was still skipped, but there is nothing more to say about it.
    pub error: bool,
}

/// What an [`Undecided`] declaration did to evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing of it was evaluated (unknown copy count, name or linked template).
    Skipped,
    /// It was evaluated as if its unknown condition held.
    AsIfDeployed,
}

/// Evaluates one template, with the values of a parameters file if there is one.
pub fn evaluate(tree: &Tree, file: FileId, params: Option<Params<'_>>, ctx: &Context) -> Evaluated {
    let Some(root) = tree.root() else {
        return Evaluated::default();
    };
    let errors = Rc::new(RefCell::new(Vec::new()));
    let dctx = Rc::new(DeployCtx {
        subscription: ctx
            .subscription
            .clone()
            .unwrap_or_else(|| SUBSCRIPTION_PLACEHOLDER.into()),
        resource_group: ctx
            .resource_group
            .clone()
            .unwrap_or_else(|| RESOURCE_GROUP_PLACEHOLDER.into()),
    });
    let supplied = params.as_ref().map(supplied_params).unwrap_or_default();
    // `reference()` sees resources and deployment outputs declared anywhere in the template:
    // a pass that needed one it hadn't reached yet is run again with what the last pass saw
    // (each pass resolves one more link of a chain of module outputs).
    let mut refs = FastMap::default();
    let mut passes = 0;
    let (walker, outputs) = loop {
        passes += 1;
        errors.borrow_mut().clear();
        let walker = Walker {
            tree,
            file,
            errors: errors.clone(),
            out: RefCell::new(Vec::new()),
            undecided: RefCell::new(Vec::new()),
            instances: RefCell::new(Vec::new()),
            seen: RefCell::default(),
            refs: RefCell::new(refs),
            missed: Cell::new(false),
            depth: Cell::new(0),
            tag: ctx.tag.clone(),
            limits: Rc::default(),
            within: Cell::new(None),
            touched: RefCell::new(Vec::new()),
            lookups: RefCell::new(Vec::new()),
        };
        let before = walker.refs.borrow().len();
        let outputs = {
            let scope = walker.scope(
                root,
                supplied.clone(),
                dctx.clone(),
                false,
                params.as_ref().map(|p| p.path),
            );
            walker.template(&scope, root, &dctx);
            // Not a reason for another pass: outputs read what the resources left.
            let missed = walker.missed.get();
            let outputs = top_outputs(&scope, root);
            walker.missed.set(missed);
            outputs
        };
        let grew = walker.refs.borrow().len() > before;
        // After the first pass, another would evaluate exactly as it did (and so change
        // nothing) when each `reference()` of the first, looked up again in what the pass
        // left, finds what it found (by the same key, or nothing): evaluation reads `refs`
        // only there, and the first pass started from none, so what a call found was stored
        // before it, as it will be again. (A later pass may have read values a pass before it
        // left, so this holds for the first only.)
        let same = passes == 1 && {
            let refs = walker.refs.borrow();
            let lookups = walker.lookups.borrow();
            lookups
                .iter()
                .all(|(target, key)| find(&refs, target).map(|(k, _)| k) == *key)
        };
        // A pass that reached a limit of the template reached it for good: none more.
        if !walker.missed.get() || !grew || same || passes == MAX_PASSES || walker.limits.reached()
        {
            break (walker, outputs);
        }
        refs = walker.refs.take();
    };
    let Walker {
        out,
        undecided,
        instances,
        ..
    } = walker;
    let mut instances = instances.into_inner();
    order::resolve(&mut instances);
    Evaluated {
        resources: out.into_inner(),
        problems: errors.take(),
        undecided: undecided.into_inner(),
        outputs,
        instances,
    }
}

/// The template's `outputs`: each `value` (or `copy`) evaluated in the template's scope, unless
/// its `condition` is false.
fn top_outputs(scope: &Scope<'_>, template: NodeId) -> Vec<(String, String, Value)> {
    let t = scope.tree;
    let Some(outs) = t
        .get(template, "outputs")
        .filter(|&o| t.kind(o) == Kind::Object)
    else {
        return Vec::new();
    };
    let env = Env { scope, copies: &[] };
    let mut out = Vec::new();
    for (name, def) in t.members(outs) {
        if let Some(c) = t.get(def, "condition")
            && matches!(env.node(c).v, Val::Bool(false))
        {
            continue;
        }
        let value = match t.get(def, "copy").filter(|&c| t.kind(c) == Kind::Object) {
            Some(c) => env.copy_array(c, scope.loc(c)),
            None => match t.get(def, "value") {
                Some(v) => env.node(v),
                None => continue,
            },
        };
        // `peerlint expand` prints it whole (see `Walker::instance`).
        let value = match scope.charge(value.size() as u64) {
            Ok(()) => value,
            Err(x) => scope.exceeded(scope.loc(def), x, "this output"),
        };
        let ty = t.get_str(def, "type").unwrap_or("").to_string();
        out.push((name.to_string(), ty, value));
    }
    out
}

/// The values of a parameters file, by lower-case name.
fn supplied_params(p: &Params<'_>) -> FastMap<String, Value> {
    let t = p.tree;
    let mut out = FastMap::default();
    let Some(root) = t.root() else { return out };
    let Some(section) = t.get(root, "parameters") else {
        return out;
    };
    for (name, def) in t.members(section) {
        let v = if let Some(v) = t.get(def, "value") {
            Value::literal(t, p.file, v)
        } else if t.get(def, "reference").is_some() {
            Value::unknown(
                format!("parameter `{name}` is a Key Vault reference"),
                Some(format!("{{{name}}}")),
                loc(p.file, t, def),
            )
        } else {
            continue;
        };
        let at = loc(p.file, t, def);
        out.insert(
            name.to_ascii_lowercase(),
            v.with_origin(
                at_value(t, p.file, def),
                format!("`{name}` comes from the parameters file `{}`", p.path),
            )
            .relocated(at),
        );
    }
    out
}

fn at_value(t: &Tree, file: FileId, def: NodeId) -> Loc {
    t.get(def, "value")
        .map(|v| loc(file, t, v))
        .unwrap_or_else(|| loc(file, t, def))
}

fn loc(file: FileId, t: &Tree, n: NodeId) -> Loc {
    Loc::new(file, t.span(n), Some(n))
}

struct Walker<'t> {
    tree: &'t Tree,
    file: FileId,
    errors: Rc<RefCell<Vec<EvalError>>>,
    out: RefCell<Vec<Resource>>,
    undecided: RefCell<Vec<Undecided>>,
    /// Every resource instance met (see [`Evaluated::instances`]).
    instances: RefCell<Vec<Instance>>,
    /// The deployed instances met that [`Walker::duplicate_of`] compares: by the nested
    /// deployment they are declared in (see [`Instance::within`]) and lower-case
    /// `parent type|parent name|type|name`, the first met.
    seen: RefCell<FastMap<(Option<usize>, String), usize>>,
    /// What `reference()` can see: by lower-case id, `name:<name>` and `sym:<symbol>`.
    refs: RefCell<FastMap<String, Value>>,
    /// Whether a `reference()` found nothing in this pass.
    missed: Cell<bool>,
    depth: Cell<usize>,
    /// See [`Context::tag`].
    tag: String,
    /// Shared by every scope of the template (see [`Scope::spend`], [`Scope::enter`]).
    limits: Rc<Limits>,
    /// The instance of the nested deployment being walked.
    within: Cell<Option<usize>>,
    /// The targets of `reference()` calls, in the order made.
    touched: RefCell<Vec<String>>,
    /// Each `reference()` call of the pass: its lower-case target and which key found it
    /// (see [`find`]), if any.
    lookups: RefCell<Vec<(String, Option<RefKey>)>>,
}

/// A declaration with what it is processed in.
struct Decl<'s, 't> {
    node: NodeId,
    /// The symbolic name (languageVersion 2.0).
    symbol: Option<String>,
    scope: &'s Scope<'t>,
    target: Rc<DeployCtx>,
}

/// Most evaluation passes over one template.
const MAX_PASSES: usize = 6;

/// Deepest nesting of deployments followed; a deployment nested deeper is an undecided
/// declaration (Resource Manager documents no such limit: nothing is claimed about it).
const MAX_NESTING: usize = 16;

impl<'t> Walker<'t> {
    fn loc(&self, n: NodeId) -> Loc {
        loc(self.file, self.tree, n)
    }

    /// Drops the errors reported since the first `mark` (a quiet evaluation: Resource Manager
    /// wouldn't evaluate it), except that evaluation reached one of the template's limits,
    /// which is reported once.
    fn quiet(&self, mark: usize) {
        let mut errors = self.errors.borrow_mut();
        let mut i = 0;
        errors.retain(|e| {
            i += 1;
            i <= mark || e.limit
        });
    }

    fn undecided(&self, at: Loc, resource: &str, what: String, reason: String, effect: Effect) {
        self.undecided.borrow_mut().push(Undecided {
            loc: at,
            resource: resource.to_string(),
            what,
            reason,
            effect,
            error: false,
        });
    }

    /// A declaration undecided because of the unknown value `u` (maybe an invalid expression).
    fn undecided_by(&self, at: Loc, resource: &str, what: String, u: &Unknown, effect: Effect) {
        self.undecided(at, resource, what, u.reason.clone(), effect);
        if let Some(last) = self.undecided.borrow_mut().last_mut() {
            last.error = u.error;
        }
    }

    /// The id of the resource declared at `r` when its name can't be evaluated: the scope, the
    /// type and a placeholder for the name as written, `{@file:start:end}` (messages show the
    /// expression there: `…/virtualNetworks/virtualNetworkPeerings/[concat(…)]`).
    fn written_id(&self, target: &DeployCtx, ty: &str, r: NodeId) -> String {
        let t = self.tree;
        let name = t.get(r, "name").map(|n| {
            let span = t.span(n);
            format!("{{@{}:{}:{}}}", self.file.0, span.start, span.end)
        });
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{}/{}",
            target.subscription,
            target.resource_group,
            ty,
            name.unwrap_or_default()
        )
    }

    /// The id of the resources of a loop whose count is unknown, as far as it is known: the
    /// name evaluated (quietly) with an unknown index, else as written.
    fn loop_id(&self, p: &Decl<'_, '_>, r: NodeId, loop_name: &str, at: Loc) -> String {
        let t = self.tree;
        let raw_ty = t.get_str(r, "type").unwrap_or("");
        let ty = raw_ty.split('@').next().unwrap_or(raw_ty);
        let index = Value::unknown(
            "the copy count is unknown",
            Some("{copyIndex()}".into()),
            at,
        );
        let copies = vec![(loop_name.to_string(), index)];
        let env = Env {
            scope: p.scope,
            copies: &copies,
        };
        let (errors, missed) = (self.errors.borrow().len(), self.missed.get());
        let name = t.get(r, "name").map(|n| env.node(n));
        self.quiet(errors);
        self.missed.set(missed);
        match name.as_ref().and_then(Value::text_or_symbol) {
            Some(n) if n.split('/').count() + 1 == ty.split('/').count() => {
                resource_id(&p.target, ty, n)
            }
            _ => self.written_id(&p.target, ty, r),
        }
    }

    /// The scope of a template: its parameters (from `supplied`, else their defaults) and
    /// variables.
    fn scope<'w>(
        &'w self,
        template: NodeId,
        supplied: FastMap<String, Value>,
        ctx: Rc<DeployCtx>,
        double_bracket: bool,
        params_path: Option<&str>,
    ) -> Scope<'w> {
        let t = self.tree;
        let mut scope = Scope::new(t, self.file, ctx, self.errors.clone());
        scope.limits = self.limits.clone();
        scope.double_bracket = double_bracket;
        scope.resolver = Some(self as &dyn Resolver);
        scope.params = Rc::new(Table::new(t, template, supplied, params_path, &self.tag));
        // Every parameter, in dependency order, before the variables exist (a default can't
        // read them).
        scope.resolve_parameters();
        if let Some(vars) = t.get(template, "variables") {
            scope.set_variables(vars);
        }
        scope
    }

    /// Processes the resources of a template at one level, in order.
    fn template(&self, scope: &Scope<'_>, template: NodeId, target: &Rc<DeployCtx>) {
        let t = self.tree;
        let Some(resources) = t.get(template, "resources") else {
            return;
        };
        let decls: Vec<(NodeId, Option<String>)> = match t.kind(resources) {
            Kind::Array => t.children(resources).map(|r| (r, None)).collect(),
            Kind::Object => t
                .members(resources)
                .map(|(k, r)| (r, Some(k.to_string())))
                .collect(),
            _ => return,
        };
        for (node, symbol) in decls {
            self.declaration(&Decl {
                node,
                symbol,
                scope,
                target: target.clone(),
            });
        }
    }

    fn declaration(&self, p: &Decl<'_, '_>) {
        let t = self.tree;
        let r = p.node;
        if t.kind(r) != Kind::Object {
            return;
        }
        if t.get(r, "existing").and_then(|e| t.bool(e)) == Some(true) {
            return; // a reference to a resource deployed elsewhere
        }
        let env = Env {
            scope: p.scope,
            copies: &[],
        };
        // Errors in the declaration outside every instance (the copy count) are its own.
        let _owner = Owner::new(self, r, p.target.clone());
        match t.get(r, "copy").filter(|&c| t.kind(c) == Kind::Object) {
            None => self.instance(p, env, None),
            Some(copy) => {
                let loop_name = t.get_str(copy, "name").unwrap_or("").to_ascii_lowercase();
                let count = t.get(copy, "count").map(|c| (env.node(c), c));
                match count.as_ref().map(|(v, _)| &v.v) {
                    Some(Val::Int(n)) if (0..=800).contains(n) => {
                        if !p.scope.spend(*n as usize, self.loc(copy)) {
                            return;
                        }
                        for i in 0..*n {
                            let copies =
                                vec![(loop_name.clone(), Value::new(Val::Int(i), self.loc(copy)))];
                            let env = Env {
                                scope: p.scope,
                                copies: &copies,
                            };
                            self.instance(p, env, None);
                        }
                    }
                    Some(Val::Unknown(u)) => {
                        let (_, c) = count.as_ref().unwrap();
                        let ty = t.get_str(r, "type").unwrap_or("");
                        let id = self.loop_id(p, r, &loop_name, self.loc(copy));
                        self.undecided_by(
                            self.loc(*c),
                            &id,
                            format!(
                                "the copy count of loop `{}` (`{ty}` resources)",
                                t.get_str(copy, "name").unwrap_or("")
                            ),
                            u,
                            Effect::Skipped,
                        );
                    }
                    _ => {
                        let at = count.map(|(_, c)| self.loc(c)).unwrap_or(self.loc(copy));
                        p.scope
                            .error(at, "copy count must be an integer from 0 to 800".into());
                    }
                }
            }
        }
    }

    /// One instance of a declaration (one iteration of its copy loop). `parent` is the
    /// parent's (type, name) for a child resource.
    fn instance(&self, p: &Decl<'_, '_>, env: Env<'_, '_>, parent: Option<(&str, &str)>) {
        let t = self.tree;
        let r = p.node;
        let Some(ty_node) = t.get(r, "type") else {
            return;
        };
        let Some(raw_ty) = t.str(ty_node) else { return };
        let ty = match parent {
            Some((pty, _)) if !raw_ty.contains('/') => format!("{pty}/{raw_ty}"),
            _ => raw_ty.split('@').next().unwrap_or(raw_ty).to_string(),
        };
        let lower = ty.to_ascii_lowercase();
        // Errors in the declaration are this resource's: its id once known, else as written.
        let claim = Owner::new(self, r, p.target.clone());
        // Condition first: a resource whose condition is false isn't evaluated at all.
        let mut condition = Condition::Always;
        let mut condition_invalid = false;
        if let Some(c) = t.get(r, "condition") {
            let cv = env.node(c);
            match &cv.v {
                Val::Bool(false) => {
                    if lower == "microsoft.network/virtualnetworkgateways" {
                        self.skipped_gateway(p, env, r, &ty, c, &cv);
                    }
                    // A child declared inside its parent is named without it.
                    let parent_name = parent.filter(|_| !raw_ty.contains('/')).map(|(_, n)| n);
                    self.declare_absent(p, env, (&ty, parent_name), c, &cv);
                    return;
                }
                Val::Bool(true) => {}
                Val::Unknown(u) => {
                    condition_invalid = u.error;
                    condition = Condition::Unknown {
                        at: self.loc(c),
                        reason: u.reason.clone(),
                    }
                }
                other => p.scope.error(
                    self.loc(c),
                    format!("condition must be a boolean, found {}", other.type_name()),
                ),
            }
        }
        let name_node = t.get(r, "name");
        let name_val = name_node.map(|n| env.node(n));
        let known_name = name_val
            .as_ref()
            .and_then(|v| v.text_or_symbol().map(str::to_string));
        // A nested deployment's name matters only to `reference()`.
        let known_name = known_name.or_else(|| {
            (lower == "microsoft.resources/deployments").then(|| "{deploymentName}".to_string())
        });
        let Some(mut name) = known_name else {
            if let (
                Some(n),
                Some(Value {
                    v: Val::Unknown(u), ..
                }),
            ) = (name_node, &name_val)
            {
                if is_network(&lower) || lower == "microsoft.resources/deployments" {
                    self.undecided_by(
                        self.loc(n),
                        &self.written_id(&p.target, &ty, r),
                        format!("the name of a `{raw_ty}` resource"),
                        u,
                        Effect::Skipped,
                    );
                }
            }
            return;
        };
        if let Some((_, pname)) = parent
            && !raw_ty.contains('/')
        {
            name = format!("{pname}/{name}");
        }
        // A child type needs one name segment per type segment (`vnet/peering`).
        let want = ty.split('/').count() - 1;
        if name.split('/').count() != want && is_network(&lower) {
            let at = name_node.map(|n| self.loc(n)).unwrap_or(self.loc(r));
            match name_val.as_ref().and_then(Value::as_unknown) {
                Some(u) => self.undecided_by(
                    at,
                    &self.written_id(&p.target, &ty, r),
                    format!("the full name of `{raw_ty}` resource `{name}`"),
                    u,
                    Effect::Skipped,
                ),
                None => p.scope.error(
                    at,
                    format!(
                        "resource name `{name}` has {} segment(s), but type `{ty}` needs {want}",
                        name.split('/').count()
                    ),
                ),
            }
            return;
        }
        let id = resource_id(&p.target, &ty, &name);
        claim.set(id.clone());
        // Evaluated quietly: an entry peerlint can't evaluate only makes the resource wait for
        // anything (see `order`); it is no finding of its own.
        let errors = self.errors.borrow().len();
        let depends_on = t
            .get(r, "dependsOn")
            .map(|d| order::entries(env.node(d)))
            .unwrap_or_default();
        self.quiet(errors);
        let compared = condition == Condition::Always
            && matches!(name_val.as_ref().map(|v| &v.v), Some(Val::Str(_)));
        // A child named without its parent (`providers/diagnosticSettings`) belongs to it.
        let owner = parent.filter(|_| raw_ty.contains('/'));
        // Its one record: what `expand` shows, its step in the deployment order (what its
        // `reference()` calls read is added below), whether it repeats a resource.
        let step = self.record(Instance {
            duplicate_of: if compared {
                self.duplicate_of(r, owner, &ty, &name)
            } else {
                None
            },
            depends_on,
            implicit: parent
                .map(|(pty, pname)| resource_id(&p.target, pty, pname))
                .into_iter()
                .collect(),
            index: self.copy_index(p, env),
            ..self.met(p, &ty, &name, &id, name_val.as_ref(), condition.clone())
        });
        if let Condition::Unknown { at, reason } = &condition
            && (is_network(&lower) || lower == "microsoft.resources/deployments")
        {
            self.undecided(
                *at,
                &id,
                format!("whether `{name}` is deployed (its condition)"),
                reason.clone(),
                Effect::AsIfDeployed,
            );
            if let Some(last) = self.undecided.borrow_mut().last_mut() {
                last.error = condition_invalid;
            }
        }
        let at = self.loc(r);
        let touched = self.touched.borrow().len();
        if lower == "microsoft.resources/deployments" {
            let within = self.within.replace(Some(step));
            self.deployment(p, env, r, &name, &id);
            self.within.set(within);
            self.touched_since(step, touched);
            return;
        }
        let props = t
            .get(r, "properties")
            .map(|n| env.node(n))
            .unwrap_or_else(|| Value::object(Vec::<(Rc<str>, Value)>::new(), at));
        self.touched_since(step, touched);
        let name_at = name_node.map(|n| self.loc(n)).unwrap_or(at);
        let last = name.rsplit('/').next().unwrap_or(&name).to_string();
        let mut id_val = Value::str(&id, name_at);
        let mut name_v = Value::str(&last, name_at);
        if let Some(Val::Unknown(u)) = name_val.as_ref().map(|v| &v.v) {
            id_val = Value::unknown(u.reason.clone(), Some(id.clone()), name_at);
            // Only the parts with placeholders are unknown (`{hub}/to-spoke` names `to-spoke`).
            if last.contains('{') {
                name_v = Value::unknown(u.reason.clone(), Some(last.clone()), name_at);
            }
        }
        let mut fields = vec![
            ("id", id_val),
            ("name", name_v),
            ("type", Value::str(&ty, self.loc(ty_node))),
            ("properties", props.clone()),
        ];
        // The API version the resource is deployed with (a type may carry it: `type@version`).
        let api = match t.get(r, "apiVersion") {
            Some(n) => Some(env.node(n)),
            None => raw_ty
                .split_once('@')
                .map(|(_, v)| Value::str(v, self.loc(ty_node))),
        };
        if let Some(api) = api {
            fields.push(("apiVersion", api));
        }
        let body = Value::object(fields, at);
        {
            let view = props.clone().opened();
            let mut refs = self.refs.borrow_mut();
            refs.insert(id.to_ascii_lowercase(), view.clone());
            for key in self.symbol_keys(p, env) {
                refs.insert(key, view.clone());
            }
        }
        // The checks walk what a network resource holds: its whole size is charged, as parts
        // shared with other values (a variable read by every copy) are walked each time.
        if is_network(&lower)
            && let Err(x) = p.scope.charge(body.size() as u64)
        {
            p.scope.exceeded(at, x, "this resource");
            return;
        }
        if is_network(&lower) {
            self.out.borrow_mut().push(Resource {
                ty: lower.clone(),
                id: id.clone(),
                name: name.clone(),
                body,
                loc: at,
                condition,
                step: Some(step),
            });
        }
        // Child resources declared inside this one.
        if let Some(children) = t.get(r, "resources").filter(|&c| t.kind(c) == Kind::Array) {
            for c in t.children(children) {
                // A level of evaluation (see `eval::MAX_DEPTH`): the walk recurses.
                let Ok(_level) = p.scope.enter(self.loc(c)) else {
                    continue;
                };
                let child = Decl {
                    node: c,
                    symbol: None,
                    scope: p.scope,
                    target: p.target.clone(),
                };
                match t.get(c, "copy") {
                    // Resource Manager rejects the template ("Copying nested resources is not
                    // supported"): a looped child is declared at the top level.
                    Some(copy) => p.scope.error(
                        self.loc(copy),
                        "a resource declared inside another one can't have a `copy` loop: \
                         declare it at the top level, with its full type and name"
                            .into(),
                    ),
                    None => self.instance(&child, env, Some((&ty, &name))),
                }
            }
        }
    }

    /// Records a resource of type `ty` whose condition is false, its name evaluated quietly
    /// (Resource Manager doesn't deploy it, so errors in it are not reported) and prefixed
    /// with `parent`'s name for a child declared inside it.
    fn declare_absent(
        &self,
        p: &Decl<'_, '_>,
        env: Env<'_, '_>,
        (ty, parent): (&str, Option<&str>),
        c: NodeId,
        cv: &Value,
    ) {
        let t = self.tree;
        let errors = self.errors.borrow().len();
        let value = t.get(p.node, "name").map(|n| env.node(n));
        self.quiet(errors);
        let mut name = value
            .as_ref()
            .and_then(|n| n.text_or_symbol().map(str::to_string))
            .unwrap_or_default();
        if let Some(pname) = parent {
            name = format!("{pname}/{name}");
        }
        let id = resource_id(&p.target, ty, &name);
        let condition = Condition::False {
            at: self.loc(c),
            deciding: cv.from.as_ref().map_or(self.loc(c), |f| f.loc),
        };
        self.record(Instance {
            index: self.copy_index(p, env),
            ..self.met(p, ty, &name, &id, value.as_ref(), condition)
        });
    }

    /// An instance of the declaration `p` as met, with what it waits for left empty.
    fn met(
        &self,
        p: &Decl<'_, '_>,
        ty: &str,
        name: &str,
        id: &str,
        name_val: Option<&Value>,
        condition: Condition,
    ) -> Instance {
        let t = self.tree;
        let r = p.node;
        Instance {
            ty: ty.to_string(),
            name: name.to_string(),
            id: id.to_string(),
            unknown_name: name_val
                .and_then(Value::as_unknown)
                .map(|u| u.reason.clone()),
            symbol: p.symbol.clone(),
            copy: t
                .get(r, "copy")
                .and_then(|c| t.get_str(c, "name"))
                .map(str::to_string),
            index: None,
            loc: self.loc(r),
            named: t.get(r, "name").map_or(self.loc(r), |n| self.loc(n)),
            condition,
            within: self.within.get(),
            duplicate_of: None,
            depends_on: Vec::new(),
            implicit: Vec::new(),
            after: Vec::new(),
            unknown_depends_on: Vec::new(),
        }
    }

    /// Adds an instance to [`Walker::instances`]; its index there.
    fn record(&self, instance: Instance) -> usize {
        let mut instances = self.instances.borrow_mut();
        instances.push(instance);
        instances.len() - 1
    }

    /// The [`Instance::duplicate_of`] of the deployed instance of `r` that [`Walker::record`]
    /// records next: the first instance of the deployment being walked with the same type and
    /// name (ignoring case), in the same `owner` if it is named without it. Names with
    /// placeholders can't be compared, and resources deployed to a scope of their own
    /// (`scope`, `resourceGroup`, `subscriptionId`) may be different ones.
    fn duplicate_of(
        &self,
        r: NodeId,
        owner: Option<(&str, &str)>,
        ty: &str,
        name: &str,
    ) -> Option<usize> {
        let t = self.tree;
        if name.contains('{')
            || [
                "scope",
                "resourceGroup",
                "subscriptionId",
                "managementGroup",
            ]
            .iter()
            .any(|k| t.get(r, k).is_some())
        {
            return None;
        }
        let (pty, pname) = owner.unwrap_or_default();
        if pname.contains('{') {
            return None;
        }
        let key = format!("{pty}|{pname}|{ty}|{name}").to_ascii_lowercase();
        let next = self.instances.borrow().len();
        match self.seen.borrow_mut().entry((self.within.get(), key)) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(next);
                None
            }
        }
    }

    /// A gateway whose condition is false: returned with [`Condition::False`], so that the
    /// vnet its subnet id names can be told where its gateway went. Its properties and name are
    /// evaluated quietly (Resource Manager doesn't evaluate the resource, so errors in it are
    /// not reported).
    fn skipped_gateway(
        &self,
        p: &Decl<'_, '_>,
        env: Env<'_, '_>,
        r: NodeId,
        ty: &str,
        c: NodeId,
        cv: &Value,
    ) {
        let t = self.tree;
        let Some(props) = t.get(r, "properties") else {
            return;
        };
        let errors = self.errors.borrow().len();
        let v = env.node(props);
        self.quiet(errors);
        let name = t
            .get(r, "name")
            .map(|n| env.node(n))
            .and_then(|n| n.text_or_symbol().map(str::to_string))
            .unwrap_or_default();
        self.quiet(errors);
        let id = resource_id(&p.target, ty, &name);
        let at = self.loc(r);
        let body = Value::object(
            [
                ("id", Value::str(&id, at)),
                ("name", Value::str(&name, at)),
                ("type", Value::str(ty, at)),
                ("properties", v),
            ],
            at,
        );
        // What the checks walk (see `instance`).
        if let Err(x) = p.scope.charge(body.size() as u64) {
            p.scope.exceeded(at, x, "this resource");
            return;
        }
        self.out.borrow_mut().push(Resource {
            ty: ty.to_ascii_lowercase(),
            id,
            name,
            body,
            loc: at,
            condition: Condition::False {
                at: self.loc(c),
                deciding: cv.from.as_ref().map_or(self.loc(c), |f| f.loc),
            },
            step: None,
        });
    }

    /// What `reference()` read since `mark` becomes something instance `step` waits for.
    fn touched_since(&self, step: usize, mark: usize) {
        let touched = self.touched.borrow();
        if touched.len() > mark {
            self.instances.borrow_mut()[step]
                .implicit
                .extend(touched[mark..].iter().cloned());
        }
    }

    /// A nested deployment with an inline template: its resources deploy to its target;
    /// its outputs become visible to `reference()`.
    fn deployment(&self, p: &Decl<'_, '_>, env: Env<'_, '_>, r: NodeId, name: &str, id: &str) {
        let t = self.tree;
        let Some(props) = t.get(r, "properties") else {
            return;
        };
        let Some(template) = t
            .get(props, "template")
            .filter(|&n| t.kind(n) == Kind::Object)
        else {
            if let Some(link) = t.get(props, "templateLink") {
                self.undecided(self.loc(link), id, format!("the linked template of deployment `{name}`"), "peerlint reads inline templates only; pass the linked template as an input of its own".into(), Effect::Skipped);
            }
            return;
        };
        if self.depth.get() >= MAX_NESTING {
            let why = format!(
                "it is nested {MAX_NESTING} deployments deep; peerlint follows nested deployments no deeper"
            );
            let what = format!("the template of deployment `{name}`");
            self.undecided(self.loc(template), id, what, why, Effect::Skipped);
            return;
        }
        // A level of evaluation (see `eval::MAX_DEPTH`): the walk recurses.
        let Ok(_level) = p.scope.enter(self.loc(template)) else {
            return;
        };
        let text_of = |key: &str| {
            t.get(r, key)
                .map(|n| env.node(n))
                .and_then(|v| v.text_or_symbol().map(str::to_string))
        };
        let target = Rc::new(DeployCtx {
            subscription: text_of("subscriptionId")
                .unwrap_or_else(|| p.target.subscription.clone()),
            resource_group: text_of("resourceGroup")
                .unwrap_or_else(|| p.target.resource_group.clone()),
        });
        let inner = t
            .get(props, "expressionEvaluationOptions")
            .and_then(|o| t.get_str(o, "scope"))
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        self.depth.set(self.depth.get() + 1);
        let scope = if inner {
            let mut supplied = FastMap::default();
            if let Some(ps) = t.get(props, "parameters") {
                for (k, def) in t.members(ps) {
                    // `{value}`, or `{copy: [{name: "value", ...}]}` (Bicep), or a Key Vault `{reference}`.
                    let whole = env.node(def);
                    let v = match (&whole.v, whole.get("value")) {
                        (_, Some(v)) => v.clone(),
                        // The wrapper itself is unknown (Bicep's `if(c, createObject('value',
                        // a), createObject('value', b))` with an unknown `c`): so is the value,
                        // for the same reason.
                        (Val::Unknown(u), None) => Value::unknown_from(
                            u,
                            u.symbol.as_ref().map(|s| format!("{s}.value")),
                            whole.at,
                        ),
                        (Val::Object(_), None) if whole.get("reference").is_some() => {
                            Value::unknown(
                                format!(
                                    "parameter `{k}` of deployment `{name}` is a Key Vault reference"
                                ),
                                Some(format!("{{{k}}}")),
                                self.loc(def),
                            )
                        }
                        // No value given (`{}`): the parameter's default, as if not passed.
                        _ => continue,
                    };
                    supplied.insert(k.to_ascii_lowercase(), v);
                }
            }
            let mut s = self.scope(template, supplied, target.clone(), false, None);
            s.blind = p.scope.blind + usize::from(p.scope.double_bracket);
            s
        } else {
            // Outer scope: the parent's parameters and variables, the parent's context.
            let mut s = Scope::new(t, self.file, p.scope.ctx.clone(), self.errors.clone());
            s.limits = self.limits.clone();
            s.params = p.scope.params.clone();
            s.vars = p.scope.vars.clone();
            s.var_copies = p.scope.var_copies.clone();
            s.double_bracket = true;
            s.blind = p.scope.blind + usize::from(p.scope.double_bracket);
            s.resolver = Some(self as &dyn Resolver);
            s
        };
        self.template(&scope, template, &target);
        // Outputs, for `reference(<deployment>).outputs.<name>.value`.
        let mut outputs = Vec::new();
        if let Some(outs) = t.get(template, "outputs") {
            let oenv = Env {
                scope: &scope,
                copies: &[],
            };
            for (k, def) in t.members(outs) {
                let v = if let Some(c) = t.get(def, "copy").filter(|&c| t.kind(c) == Kind::Object) {
                    oenv.copy_array(c, self.loc(c))
                } else {
                    match t.get(def, "value") {
                        Some(v) => oenv.node(v),
                        None => continue,
                    }
                };
                let entry = Value::object([("value", v)], self.loc(def));
                outputs.push((Rc::from(k), entry));
            }
        }
        self.depth.set(self.depth.get() - 1);
        let at = self.loc(r);
        let view = Value::object([("outputs", Value::object(outputs, at))], at).opened();
        let mut refs = self.refs.borrow_mut();
        refs.insert(id.to_ascii_lowercase(), view.clone());
        refs.insert(format!("name:{}", name.to_ascii_lowercase()), view.clone());
        for key in self.symbol_keys(p, env) {
            refs.insert(key, view.clone());
        }
    }

    /// The iteration of its copy loop `p` is evaluated in, when it has one (the resource's
    /// loop is the last in force; a child declared inside a looped resource has none).
    fn copy_index(&self, p: &Decl<'_, '_>, env: Env<'_, '_>) -> Option<i64> {
        let looped = self
            .tree
            .get(p.node, "copy")
            .is_some_and(|c| self.tree.kind(c) == Kind::Object);
        match env.copies.last().map(|(_, i)| &i.v) {
            Some(Val::Int(i)) if looped => Some(*i),
            _ => None,
        }
    }

    /// The keys `reference()` finds an instance by in languageVersion 2.0: its symbolic name,
    /// and for an instance of a copy loop also `symbol[index]`.
    fn symbol_keys(&self, p: &Decl<'_, '_>, env: Env<'_, '_>) -> Vec<String> {
        let Some(s) = &p.symbol else {
            return Vec::new();
        };
        let s = s.to_ascii_lowercase();
        let looped = self
            .tree
            .get(p.node, "copy")
            .is_some_and(|c| self.tree.kind(c) == Kind::Object);
        match env.copies.last().map(|(_, i)| &i.v) {
            Some(Val::Int(i)) if looped => vec![format!("sym:{s}[{i}]"), format!("sym:{s}")],
            _ => vec![format!("sym:{s}")],
        }
    }
}

impl Resolver for Walker<'_> {
    fn reference(&self, target: &str, _full: bool) -> Option<Value> {
        let lower = target.to_ascii_lowercase();
        self.touched.borrow_mut().push(target.to_string());
        let refs = self.refs.borrow();
        let found = find(&refs, &lower);
        let key = found.as_ref().map(|&(k, _)| k);
        let found = found.map(|(_, v)| v.clone());
        self.lookups.borrow_mut().push((lower, key));
        if found.is_none() {
            self.missed.set(true);
        }
        found
    }
}

/// Which key found a `reference()` target in [`Walker::refs`] (see [`find`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefKey {
    /// The lower-case id.
    Id,
    /// `sym:<target>`.
    Symbol,
    /// `name:<target>`.
    Name,
    /// `name:<the deployment's name>` of a deployment id at another scope.
    DeploymentName,
}

/// What `reference()` finds for the lower-case `target` in `refs`: the first key that is
/// there, in the order id, symbol, name, a deployment's name; and its value.
fn find<'r>(refs: &'r FastMap<String, Value>, target: &str) -> Option<(RefKey, &'r Value)> {
    if let Some(v) = refs.get(target) {
        return Some((RefKey::Id, v));
    }
    // `prefix` + `text`, in one buffer for every key tried.
    let mut key = String::with_capacity(target.len() + 5);
    let mut keyed = |prefix: &str, text: &str| {
        key.clear();
        key.push_str(prefix);
        key.push_str(text);
        refs.get(key.as_str())
    };
    if let Some(v) = keyed("sym:", target) {
        return Some((RefKey::Symbol, v));
    }
    if let Some(v) = keyed("name:", target) {
        return Some((RefKey::Name, v));
    }
    // A deployment's id at another scope than the one peerlint built it with.
    // One searcher for every call (core's `split_once` built its own each time).
    const DEPLOYMENTS: &str = "/providers/microsoft.resources/deployments/";
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(DEPLOYMENTS));
    let at = FINDER.find(target.as_bytes())?;
    let name = &target[at + DEPLOYMENTS.len()..];
    keyed("name:", name).map(|v| (RefKey::DeploymentName, v))
}

fn is_network(lower_ty: &str) -> bool {
    matches!(
        lower_ty,
        "microsoft.network/virtualnetworks"
            | "microsoft.network/virtualnetworks/subnets"
            | "microsoft.network/virtualnetworks/virtualnetworkpeerings"
            | "microsoft.network/virtualnetworkgateways"
            | "microsoft.network/routetables"
            | "microsoft.network/routetables/routes"
            | "microsoft.network/virtualhubs"
            | "microsoft.network/virtualhubs/ipconfigurations"
    )
}

/// The id a resource of `ty` named `name` (`parent/child` for child types) gets at `target`.
fn resource_id(target: &DeployCtx, ty: &str, name: &str) -> String {
    let segs: Vec<&str> = ty.split('/').collect();
    let names: Vec<&str> = name.split('/').collect();
    let mut id = format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{}",
        target.subscription, target.resource_group, segs[0]
    );
    for (i, t) in segs[1..].iter().enumerate() {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(names.get(i).copied().unwrap_or(""));
    }
    id
}

/// Claims for one resource (its declaration at `decl`) the expression errors raised while it
/// is evaluated, inside its declaration, that no resource declared inside it claimed: they
/// are given its id when it is dropped.
struct Owner<'w, 't> {
    walker: &'w Walker<'t>,
    before: usize,
    decl: NodeId,
    target: Rc<DeployCtx>,
    id: RefCell<Option<String>>,
}

impl<'w, 't> Owner<'w, 't> {
    fn new(walker: &'w Walker<'t>, decl: NodeId, target: Rc<DeployCtx>) -> Owner<'w, 't> {
        Owner {
            walker,
            before: walker.errors.borrow().len(),
            decl,
            target,
            id: RefCell::new(None),
        }
    }

    fn set(&self, id: String) {
        *self.id.borrow_mut() = Some(id);
    }
}

impl Drop for Owner<'_, '_> {
    fn drop(&mut self) {
        let w = self.walker;
        let span = w.tree.span(self.decl);
        let mut errors = w.errors.borrow_mut();
        let start = self.before.min(errors.len());
        for e in errors[start..].iter_mut() {
            if e.resource.is_none()
                && e.loc.file == w.file
                && span.start <= e.loc.span.start
                && e.loc.span.end <= span.end
            {
                let mut id = self.id.borrow_mut();
                let id = id.get_or_insert_with(|| {
                    let t = w.tree;
                    let raw = t.get_str(self.decl, "type").unwrap_or("");
                    w.written_id(
                        &self.target,
                        raw.split('@').next().unwrap_or(raw),
                        self.decl,
                    )
                });
                e.resource = Some(id.clone());
            }
        }
    }
}
