//! Evaluates template expressions and values.
//!
//! A [`Scope`] holds what one template level sees: parameters, variables, the deployment
//! context. [`Env`] adds the copy-loop indices in force. Anything that can't be known offline
//! evaluates to an unknown value with the reason; errors a deployment would fail with (wrong
//! arity, wrong types, unknown functions) are reported as problems at the expression and also
//! evaluate to unknown, so evaluation always goes on.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::model::Loc;
use crate::source::{FileId, Span};
use crate::tree::{Kind, NodeId, Tree};
use rustc_hash::FxHashMap as FastMap;

use super::expr::{self, Expr, Text};
use super::value::{Val, Value};

/// Subscription and resource group a template deploys to (placeholders when not given).
#[derive(Clone, Debug)]
pub struct DeployCtx {
    pub subscription: String,
    pub resource_group: String,
}

/// Asks the template walker for `reference(...)` targets.
pub trait Resolver {
    /// The declared view of a resource or deployment of the template, by id, name or symbol.
    fn reference(&self, target: &str, full: bool) -> Option<Value>;
}

/// An expression error: where (in the template) and what.
#[derive(Clone, Debug)]
pub struct EvalError {
    pub loc: Loc,
    pub message: String,
    /// The id of the resource whose declaration holds the expression (as far as it is known),
    /// set by the template walker; None for one outside every resource (a variable...).
    pub resource: Option<String>,
    /// Evaluation reached one of the template's limits (copies, depth, value depth and size,
    /// size budget), which is reported once: a quiet evaluation that drops its errors keeps
    /// this one.
    pub limit: bool,
}

/// Most copies one template expands (ARM allows 800 resources per deployment; property
/// copies multiply that).
pub const COPY_BUDGET: usize = 50_000;

/// Deepest evaluation of one template: each JSON value and each expression (a call, an
/// accessor, a literal) being evaluated is one level, and so is each resource declared inside
/// another and each nested deployment; a chain of variables that read each other adds two
/// levels per variable (its definition and the `variables()` call reading it). Past it, that
/// value is an error: the evaluator's recursion is bounded by this, not by the stack (see
/// [`super::STACK_SIZE`]). Resource Manager documents no depth limit, but allows 256
/// parameters and 512 variables, so no chain longer than 768; this allows about 4,000.
pub const MAX_DEPTH: usize = 8192;

/// Deepest value evaluation may build (see [`Value::depth`]): each value walk (comparing,
/// printing, handing a resource to the checks) recurses that deep. Values of the template
/// text nest at most [`crate::tree::MAX_DEPTH`] deep; deeper ones come only from chains of
/// variables or lambdas wrapping a value again and again.
pub const MAX_VALUE_DEPTH: usize = 1024;

/// Largest value evaluation may build (see [`Value::size`], about its size as JSON text plus
/// [`super::value::NODE_BYTES`] per part): Resource Manager limits a template, expanded with
/// its loops and the values of its variables and parameters, to 4 MB.
pub const MAX_VALUE_SIZE: usize = 32 << 20;

/// Most one template's evaluation may build, in bytes as [`super::value::built`] counts them
/// (about the memory the values take, and as each call makes at least one value, a bound on
/// the work too). Each evaluation pass over the template has this much.
pub const SIZE_BUDGET: u64 = 256 << 20;

/// What evaluating one template may still do: shared by all its scopes, so that nested loops,
/// nested deployments and chains of variables can't blow up.
pub struct Limits {
    /// Copies (resource instances and copy items) it may still expand.
    copies: Cell<usize>,
    /// It had more to expand (reported once).
    expanded: Cell<bool>,
    /// The [`super::value::built`] count past which it has built too much (lowered by the
    /// work charged with [`Scope::charge`]).
    until: Cell<u64>,
    /// How deep evaluation is now (see [`MAX_DEPTH`]).
    depth: Cell<usize>,
    /// The size budget is spent (reported once): every evaluation since is an invalid value.
    spent: Cell<bool>,
    /// [`MAX_DEPTH`] was reached (reported once).
    deep: Cell<bool>,
    /// A value exceeded [`MAX_VALUE_DEPTH`], [`MAX_VALUE_SIZE`] (each reported once: a value
    /// built from an invalid one would only exceed it again, further on).
    value_limits: Cell<(bool, bool)>,
}

impl Limits {
    /// Whether evaluation reached one of the limits reported once: the copies, the depth or
    /// the size budget.
    pub fn reached(&self) -> bool {
        self.expanded.get() || self.deep.get() || self.spent.get()
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            copies: Cell::new(COPY_BUDGET),
            expanded: Cell::new(false),
            until: Cell::new(super::value::built().saturating_add(SIZE_BUDGET)),
            depth: Cell::new(0),
            spent: Cell::new(false),
            deep: Cell::new(false),
            value_limits: Cell::new((false, false)),
        }
    }
}

/// A limit a value would exceed (see [`Scope::check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exceeded {
    /// [`MAX_VALUE_DEPTH`].
    Depth,
    /// [`MAX_VALUE_SIZE`].
    Size,
    /// [`SIZE_BUDGET`].
    Budget,
}

impl Exceeded {
    /// The error, about `what` ("the result", "this array").
    pub fn message(self, what: &str) -> String {
        match self {
            Exceeded::Depth => format!(
                "{what} nests more than {MAX_VALUE_DEPTH} levels deep; peerlint evaluates values up to that depth"
            ),
            Exceeded::Size => format!(
                "{what} is larger than {} MiB; Resource Manager limits a template, expanded with its loops and values, to 4 MB",
                MAX_VALUE_SIZE >> 20
            ),
            Exceeded::Budget => format!(
                "the template builds more than {} MiB of values; peerlint stops evaluating it here",
                SIZE_BUDGET >> 20
            ),
        }
    }
}

/// One level of evaluation (see [`Scope::enter`]): left when dropped.
pub struct Level<'a>(&'a Cell<usize>);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// Why a value is invalid once the size budget is spent.
const SPENT: &str = "the template builds more values than peerlint evaluates";

pub struct Scope<'t> {
    pub tree: &'t Tree,
    pub file: FileId,
    /// The template level's parameters (shared with the templates nested in it with outer
    /// scope).
    pub params: Rc<super::params::Table>,
    /// Lower-case name → definition node (plain variables).
    pub vars: FastMap<String, NodeId>,
    /// Lower-case name → the `copy` entry defining it.
    pub var_copies: FastMap<String, NodeId>,
    var_cache: RefCell<FastMap<String, Option<Value>>>,
    pub ctx: Rc<DeployCtx>,
    /// Whether `[[` also starts an expression (a template nested with outer scope, whose
    /// escaped expressions run when the nested deployment does).
    pub double_bracket: bool,
    /// Evaluation passes a string of this template goes through before its own: one per
    /// outer-scope nesting above the parent (each such pass removes one `[` of an escape).
    pub blind: usize,
    pub errors: Rc<RefCell<Vec<EvalError>>>,
    /// What the whole template's evaluation may still do (shared by all its scopes).
    pub limits: Rc<Limits>,
    pub resolver: Option<&'t dyn Resolver>,
}

/// A scope plus the copy indices in force: (loop name, index).
#[derive(Clone, Copy)]
pub struct Env<'s, 't> {
    pub scope: &'s Scope<'t>,
    /// The loops in force, by lower-case name. `copyIndex()` without a name reads the last:
    /// the resource's (or output's) loop; property loops inside it are kept before it, as
    /// they are addressed by name only.
    pub copies: &'s [(String, Value)],
}

impl<'t> Scope<'t> {
    pub fn new(
        tree: &'t Tree,
        file: FileId,
        ctx: Rc<DeployCtx>,
        errors: Rc<RefCell<Vec<EvalError>>>,
    ) -> Scope<'t> {
        Scope {
            tree,
            file,
            params: Rc::default(),
            vars: FastMap::default(),
            var_copies: FastMap::default(),
            var_cache: RefCell::new(FastMap::default()),
            ctx,
            double_bracket: false,
            blind: 0,
            errors,
            limits: Rc::default(),
            resolver: None,
        }
    }

    pub fn loc(&self, n: NodeId) -> Loc {
        Loc::new(self.file, self.tree.span(n), Some(n))
    }

    /// Reads a template's `variables` section.
    pub fn set_variables(&mut self, vars: NodeId) {
        let t = self.tree;
        for (k, v) in t.members(vars) {
            if k.eq_ignore_ascii_case("copy") && t.kind(v) == Kind::Array {
                for entry in t.children(v) {
                    if let Some(name) = t.get_str(entry, "name") {
                        self.var_copies.insert(name.to_ascii_lowercase(), entry);
                    }
                }
            } else {
                self.vars.insert(k.to_ascii_lowercase(), v);
            }
        }
    }

    /// Takes `n` copies from the template's budget; false (reported once) when it is spent.
    pub fn spend(&self, n: usize, at: Loc) -> bool {
        let copies = &self.limits.copies;
        let left = copies.get();
        if n <= left {
            copies.set(left - n);
            return true;
        }
        copies.set(0); // spent: expand nothing more, report once
        if !self.limits.expanded.replace(true) {
            self.push_error(at, format!("the template expands to more than {COPY_BUDGET} copies (resources and copy items); peerlint stops expanding it here"), true);
        }
        false
    }

    /// Enters one level of evaluation at `at` (see [`MAX_DEPTH`]); held until the value there
    /// is evaluated. Err: the value there is invalid instead, as evaluation is [`MAX_DEPTH`]
    /// deep already (reported once) or the template has built too much (reported already).
    pub fn enter(&self, at: Loc) -> Result<Level<'_>, Value> {
        let l = &self.limits;
        if l.spent.get() {
            return Err(Value::invalid(SPENT, at));
        }
        let depth = l.depth.get();
        if depth >= MAX_DEPTH {
            let msg = format!(
                "evaluation nests more than {MAX_DEPTH} levels deep here (through variables, parameters and nested expressions); peerlint evaluates no deeper"
            );
            if !l.deep.replace(true) {
                self.push_error(at, msg.clone(), true);
            }
            return Err(Value::invalid(msg, at));
        }
        l.depth.set(depth + 1);
        Ok(Level(&l.depth))
    }

    /// Checks a value evaluation built against [`MAX_VALUE_DEPTH`], [`MAX_VALUE_SIZE`] and
    /// the template's [`SIZE_BUDGET`] (the budget once: evaluation stops there).
    pub fn check(&self, v: &Value) -> Result<(), Exceeded> {
        if v.depth() > MAX_VALUE_DEPTH {
            return Err(Exceeded::Depth);
        }
        if v.size() > MAX_VALUE_SIZE {
            return Err(Exceeded::Size);
        }
        self.room(0)
    }

    /// Whether the template may still build a value of `bytes` (as [`super::value::built`]
    /// counts them): to ask before building something big. Err when no value may be that
    /// large, and the first time the budget is exceeded (for the caller to report; every
    /// evaluation after that is invalid, see [`Scope::enter`]).
    pub fn room(&self, bytes: u64) -> Result<(), Exceeded> {
        if bytes > MAX_VALUE_SIZE as u64 {
            return Err(Exceeded::Size);
        }
        let l = &self.limits;
        if super::value::built().saturating_add(bytes) <= l.until.get() || l.spent.get() {
            return Ok(());
        }
        l.spent.set(true);
        Err(Exceeded::Budget)
    }

    /// Charges the template's [`SIZE_BUDGET`] with `bytes` of work that builds no value (a
    /// walk over a value, to compare it, print it or hand it to the checks): Err the first
    /// time the budget is exceeded, as [`Scope::room`].
    pub fn charge(&self, bytes: u64) -> Result<(), Exceeded> {
        let until = &self.limits.until;
        until.set(until.get().saturating_sub(bytes));
        self.room(0).map_err(|_| Exceeded::Budget)
    }

    /// Reports that `what` at `at` exceeds the limit `x`; the invalid value that stands for
    /// it. Each limit is reported once per template.
    pub fn exceeded(&self, at: Loc, x: Exceeded, what: &str) -> Value {
        let message = x.message(what);
        let l = &self.limits;
        let (deep, large) = l.value_limits.get();
        let first = match x {
            Exceeded::Depth => !deep,
            Exceeded::Size => !large,
            Exceeded::Budget => true, // reported when first spent, see `room`
        };
        if first {
            l.value_limits
                .set((deep || x == Exceeded::Depth, large || x == Exceeded::Size));
            self.push_error(at, message.clone(), true);
        }
        Value::invalid(message, at)
    }

    pub fn error(&self, loc: Loc, message: String) {
        self.push_error(loc, message, false);
    }

    fn push_error(&self, loc: Loc, message: String, limit: bool) {
        self.errors.borrow_mut().push(EvalError {
            loc,
            message,
            resource: None,
            limit,
        });
    }

    /// `variables(name)`, evaluated once; a cycle is an error.
    fn variable(&self, name: &str, at: Loc) -> Value {
        let cached = with_lower(name, |key| self.var_cache.borrow().get(key).cloned());
        if let Some(slot) = cached {
            return match slot {
                Some(v) => v,
                None => {
                    self.error(at, format!("variable `{name}` refers to itself"));
                    Value::invalid(format!("variable `{name}` refers to itself"), at)
                }
            };
        }
        let key = name.to_ascii_lowercase();
        self.var_cache.borrow_mut().insert(key.clone(), None);
        let env = Env {
            scope: self,
            copies: &[],
        };
        let v = if let Some(&n) = self.vars.get(&key) {
            let v = env.node(n);
            if v.from.is_some() {
                v // it came from further away (a parameter, another variable)
            } else {
                let origin = self.loc(n);
                v.with_origin(origin, format!("from variable `{name}`"))
            }
        } else if let Some(&entry) = self.var_copies.get(&key) {
            env.copy_array(entry, self.loc(entry))
        } else {
            let msg = format!("the template has no variable `{name}`");
            self.error(at, msg.clone());
            Value::invalid(msg, at)
        };
        self.var_cache.borrow_mut().insert(key, Some(v.clone()));
        v
    }
}

/// Calls `f` with `s` lower-cased (ASCII, as names are compared), without allocating when
/// `s` is short (names of parameters, variables, functions).
pub(super) fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    match buf.get_mut(..s.len()) {
        Some(b) => {
            b.copy_from_slice(s.as_bytes());
            b.make_ascii_lowercase();
            // Lower-casing ASCII letters keeps the text UTF-8.
            f(std::str::from_utf8(b).expect("ASCII lower-casing keeps UTF-8"))
        }
        None => f(&s.to_ascii_lowercase()),
    }
}

/// The first unknown argument, as the (unknown) result of a function of it: its reason
/// stays, its placeholder doesn't (the result is another value).
pub(super) fn first_unknown(args: &[Value], at: Loc) -> Option<Value> {
    args.iter()
        .find_map(|a| a.as_unknown())
        .map(|u| Value::unknown_from(u, None, at))
}

/// The text of each argument, or the placeholder of symbolic unknowns; None when some argument
/// is unknown without a placeholder or isn't a scalar.
pub(super) fn arg_texts(args: &[Value]) -> Option<Vec<String>> {
    args.iter()
        .map(|a| match &a.v {
            Val::Str(s) => Some(s.to_string()),
            Val::Int(n) => Some(n.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Unknown(u) => u.symbol.clone(),
            _ => None,
        })
        .collect()
}

/// Wraps a string built from symbolic unknowns: still unknown, with the text as placeholder.
/// The placeholder keeps the `/` of its parts (it is slash-free) when every unknown part's
/// placeholder is.
pub(super) fn symbolic_text(text: String, args: &[Value], at: Loc) -> Value {
    let mut unknowns = args.iter().filter_map(|a| a.as_unknown());
    match unknowns.next() {
        Some(u) => {
            let free = u.slash_free && unknowns.all(|x| x.slash_free);
            let v = Value::unknown_from(u, Some(text), at);
            if free { v.slash_free() } else { v }
        }
        None => Value::str(&text, at),
    }
}

impl<'s, 't> Env<'s, 't> {
    /// Evaluates a JSON value of the template: literals as they are, strings that are
    /// expressions evaluated, property `copy` arrays expanded. One level of evaluation (see
    /// [`MAX_DEPTH`]); an array or object is checked against the limits on values.
    pub fn node(&self, n: NodeId) -> Value {
        let sc = self.scope;
        let at = sc.loc(n);
        let _level = match sc.enter(at) {
            Ok(l) => l,
            Err(v) => return v,
        };
        let v = self.node_inner(n, at);
        if let Val::Array(_) | Val::Object(_) = &v.v
            && let Err(e) = sc.check(&v)
        {
            let what = match &v.v {
                Val::Array(_) => "this array",
                _ => "this object",
            };
            return sc.exceeded(at, e, what);
        }
        v
    }

    fn node_inner(&self, n: NodeId, at: Loc) -> Value {
        let sc = self.scope;
        let t = sc.tree;
        match t.kind(n) {
            Kind::Null => Value::new(Val::Null, at),
            Kind::Bool => Value::new(Val::Bool(t.bool(n).unwrap_or(false)), at),
            Kind::Number => {
                let raw = t.number(n).unwrap_or("0");
                match raw.parse::<i64>() {
                    Ok(i) => Value::new(Val::Int(i), at),
                    Err(_) => Value::str(raw, at),
                }
            }
            Kind::String => self.string(n),
            Kind::Array => Value::array(t.children(n).map(|c| self.node(c)).collect(), at),
            Kind::Object => {
                let mut members: Vec<(Rc<str>, Value)> = Vec::new();
                for (k, v) in t.members(n) {
                    if k.eq_ignore_ascii_case("copy") && t.kind(v) == Kind::Array {
                        for entry in t.children(v) {
                            let Some(name) = t.get_str(entry, "name") else {
                                continue;
                            };
                            let arr = self.copy_array(entry, sc.loc(entry));
                            members.push((Rc::from(name), arr));
                        }
                        continue;
                    }
                    // languageVersion 2.0 allows expressions as property names.
                    let key: Rc<str> = match expr::classify(k) {
                        Text::Literal(s) => Rc::from(s.as_ref()),
                        Text::Expr(e, _) => {
                            match self.expression(e, sc.loc(v), None).text_or_symbol() {
                                Some(s) => Rc::from(s),
                                None => Rc::from(k),
                            }
                        }
                    };
                    members.push((key, self.node(v)));
                }
                Value::object(members, at)
            }
        }
    }

    /// A JSON string: a literal, or an expression to evaluate.
    fn string(&self, n: NodeId) -> Value {
        let sc = self.scope;
        let t = sc.tree;
        let at = sc.loc(n);
        let s = t.str(n).unwrap_or("");
        // Offset of the string's content in the file, when it has no JSON escapes.
        let raw = &t.text()[t.span(n).range()];
        let base = (raw.len() == s.len() + 2).then_some(t.span(n).start + 1);
        // Each pass over the string removes one `[` of an escape; the pass that sees a single
        // `[` evaluates it. This level's own passes: the parent's (outer scope) and its own.
        let n = if s.len() >= 2 && s.ends_with(']') {
            s.bytes().take_while(|&c| c == b'[').count()
        } else {
            0
        };
        let own = if sc.double_bracket { 2 } else { 1 };
        if n == 0 || n >= s.len() {
            return Value::str(s, at);
        }
        if n <= sc.blind + own {
            return self.expression(&s[n..s.len() - 1], at, base.map(|b| b + n as u32));
        }
        Value::str(&s[sc.blind + own..], at)
    }

    /// Evaluates expression text found at `at`; `base` is the file offset of the text, when
    /// known, to point errors inside the string.
    pub fn expression(&self, text: &str, at: Loc, base: Option<u32>) -> Value {
        match expr::parse(text) {
            Ok(e) => {
                let x = Eval {
                    env: *self,
                    at,
                    base,
                    lambda_vars: RefCell::new(Vec::new()),
                };
                x.eval(&e)
            }
            Err(err) => {
                let loc = x_loc(at, base, err.at);
                let msg = format!("syntax error in expression: {}", err.message);
                self.scope.error(loc, msg.clone());
                Value::invalid(msg, at)
            }
        }
    }

    /// A `copy` entry `{name, count, input}`: the array of its evaluated inputs.
    pub fn copy_array(&self, entry: NodeId, at: Loc) -> Value {
        let sc = self.scope;
        let t = sc.tree;
        let name = t.get_str(entry, "name").unwrap_or("").to_string();
        let Some(count_node) = t.get(entry, "count") else {
            return Value::unknown(format!("copy `{name}` has no count"), None, at);
        };
        let count = self.node(count_node);
        let n = match &count.v {
            Val::Int(n) => *n,
            Val::Unknown(_) => return count.relocated(at),
            other => {
                let msg = format!("copy count must be an integer, found {}", other.type_name());
                sc.error(sc.loc(count_node), msg.clone());
                return Value::invalid(msg, at);
            }
        };
        if !(0..=800).contains(&n) {
            let msg = format!("copy count {n} is outside ARM's limit of 0 to 800");
            sc.error(sc.loc(count_node), msg.clone());
            return Value::invalid(msg, at);
        }
        let Some(input) = t.get(entry, "input") else {
            return Value::unknown(format!("copy `{name}` has no input"), None, at);
        };
        if !sc.spend(n as usize, sc.loc(count_node)) {
            return Value::invalid("the template expands too many copies", at);
        }
        let mut items = Vec::with_capacity(n as usize);
        for i in 0..n {
            // Inside a resource loop, a property loop is addressed by name only: unnamed
            // `copyIndex()` stays the resource's index, so the new loop goes before it.
            let mut copies = self.copies.to_vec();
            let entry = (name.to_ascii_lowercase(), Value::new(Val::Int(i), at));
            match copies.len() {
                0 => copies.push(entry),
                n => copies.insert(n - 1, entry),
            }
            let env = Env {
                scope: sc,
                copies: &copies,
            };
            items.push(env.node(input));
        }
        let v = Value::array(items, at);
        match sc.check(&v) {
            Ok(()) => v,
            Err(e) => sc.exceeded(sc.loc(count_node), e, "the copy loop's array"),
        }
    }
}

/// The work a call does on its arguments beyond building its result, as bytes to charge the
/// template's budget with: the text of its string arguments (string functions scan them), and
/// the whole size of array and object arguments for the functions that walk them (compare,
/// print, copy their elements).
fn walked(f: &str, args: &[Value]) -> u64 {
    let deep = matches!(
        f,
        "concat"
            | "contains"
            | "equals"
            | "flatten"
            | "indexof"
            | "intersection"
            | "items"
            | "join"
            | "lastindexof"
            | "max"
            | "min"
            | "objectkeys"
            | "shallowmerge"
            | "skip"
            | "string"
            | "take"
            | "union"
    );
    args.iter()
        .map(|a| match &a.v {
            Val::Str(s) => s.len() as u64,
            Val::Array(_) | Val::Object(_) if deep => a.size() as u64,
            _ => 0,
        })
        .sum()
}

/// A short, stable digest of a text (compared case-insensitively) for placeholder names.
fn digest(text: &str) -> u32 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    text.to_ascii_lowercase().hash(&mut h);
    h.finish() as u32
}

/// A value as it appears in a placeholder: strings as text (`/` as `|`, to keep id segments),
/// unknowns as their placeholder, the rest as JSON. None for an unknown without a placeholder
/// (or a container holding unknowns): a placeholder built on it would stand for any value, and
/// two different values would share it.
fn render(v: &Value) -> Option<String> {
    Some(match &v.v {
        Val::Str(s) => s.replace('/', "|"),
        Val::Unknown(u) => u.symbol.as_deref()?.replace('/', "|"),
        Val::Array(_) | Val::Object(_) => {
            // Long literals (lookup tables) stand as a short digest of their JSON.
            let json = v.to_text()?;
            format!("#{:08x}", digest(&json))
        }
        _ => v.to_text()?.replace('/', "|"),
    })
}

/// An unknown value with the placeholder `{symbol}` (braces added unless already there).
fn with_symbol(v: Value, symbol: String) -> Value {
    if let Some(u) = v.as_unknown() {
        let symbol = if symbol.starts_with('{') && symbol.ends_with('}') {
            symbol
        } else {
            format!("{{{symbol}}}")
        };
        return Value::unknown_from(u, Some(symbol), v.at);
    }
    let reason = String::new();
    let symbol = if symbol.starts_with('{') && symbol.ends_with('}') {
        symbol
    } else {
        format!("{{{symbol}}}")
    };
    Value::unknown(reason, Some(symbol), v.at)
}

/// A member or element of `whole`: it comes from where it is written inside the value the
/// whole came from (a parameters file's array element, say).
fn part_of(whole: &Value, part: &Value) -> Value {
    let mut p = part.clone();
    p.open |= whole.open;
    if p.from.is_none()
        && let Some(f) = &whole.from
    {
        p.from = Some(Rc::new(super::value::From {
            loc: part.at,
            text: f.text.clone(),
        }));
    }
    p
}

fn x_loc(at: Loc, base: Option<u32>, r: expr::Range) -> Loc {
    match base {
        Some(b) => {
            let mut loc = at;
            loc.span = Span {
                start: b + r.start,
                end: b + r.end,
            };
            loc
        }
        None => at,
    }
}

/// A lambda's variable names and body.
type Lambda<'a> = (Vec<String>, Expr<'a>);

/// The variable names and body of a `lambda('x', ..., body)` call.
fn lambda_parts<'a>(e: &Expr<'a>) -> Option<Lambda<'a>> {
    let Expr::Call { name, args, .. } = e else {
        return None;
    };
    if !name.eq_ignore_ascii_case("lambda") || args.is_empty() {
        return None;
    }
    let (body, params) = args.split_last()?;
    let names = params.iter().map(|p| match p {
        Expr::Str(s, _) => Some(s.to_string()),
        _ => None,
    });
    Some((names.collect::<Option<Vec<_>>>()?, body.clone()))
}

/// The range of argument `i` of a call's arguments (the whole first one if there is no such).
fn lams_range(args: &[Expr], i: usize) -> expr::Range {
    args.get(i).unwrap_or(&args[0]).range()
}

/// A stable merge sort by `before(a, b)` (a comes before b), stopping at the first error.
fn merge_sort(
    items: Vec<Value>,
    before: &dyn Fn(&Value, &Value) -> Result<bool, Value>,
) -> Result<Vec<Value>, Value> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let (left, right) = (merge_sort(left, before)?, merge_sort(right, before)?);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        // Take from the right only when it strictly comes first: stable.
        if before(b, a)? {
            out.push(r.next().unwrap());
        } else {
            out.push(l.next().unwrap());
        }
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

/// One expression's evaluation.
pub(super) struct Eval<'s, 't> {
    env: Env<'s, 't>,
    /// The JSON string holding the expression: every result is located there.
    at: Loc,
    base: Option<u32>,
    /// Variables of the lambdas being evaluated, innermost last.
    lambda_vars: RefCell<Vec<(String, Value)>>,
}

/// What a function returns: a value, or why ARM would reject the call.
pub(super) type FnResult = Result<Value, String>;

impl Eval<'_, '_> {
    fn sub(&self, r: expr::Range) -> Loc {
        x_loc(self.at, self.base, r)
    }

    /// Evaluates a (sub-)expression: one level of evaluation (see [`MAX_DEPTH`]); what a call
    /// returns is checked against the limits on values.
    fn eval(&self, e: &Expr) -> Value {
        let sc = self.env.scope;
        let _level = match sc.enter(self.sub(e.range())) {
            Ok(l) => l,
            Err(v) => return v.relocated(self.at),
        };
        let v = self.eval_inner(e);
        if let Expr::Call { name, range, .. } = e
            && let Err(x) = sc.check(&v)
        {
            return self.exceeded(*range, x, name);
        }
        v
    }

    fn eval_inner(&self, e: &Expr) -> Value {
        match e {
            Expr::Str(s, _) => Value::str(s, self.at),
            Expr::Int(n, _) => Value::new(Val::Int(*n), self.at),
            Expr::Member(target, name, r) => {
                let v = self.eval(target);
                match &v.v {
                    Val::Unknown(u) => Value::unknown_from(
                        u,
                        u.symbol.as_ref().map(|s| format!("{s}.{name}")),
                        self.at,
                    ),
                    Val::Object(_) => match v.get(name) {
                        Some(m) => part_of(&v, m).relocated(self.at),
                        None if v.is_open() => Value::unknown(
                            format!("`{name}` is known only at deployment"),
                            None,
                            self.at,
                        ),
                        None => self.fail(*r, format!("the object has no property `{name}`")),
                    },
                    other => self.fail(
                        *r,
                        format!("`.{name}` needs an object, found {}", other.type_name()),
                    ),
                }
            }
            Expr::Index(target, index, r) => {
                let v = self.eval(target);
                let i = self.eval(index);
                if let Some(u) = first_unknown(&[v.clone(), i.clone()], self.at) {
                    return match (render(&v), render(&i)) {
                        (Some(v), Some(i)) => with_symbol(u, format!("{v}[{i}]")),
                        _ => u,
                    };
                }
                match (&v.v, &i.v) {
                    (Val::Array(a), Val::Int(n)) => {
                        match usize::try_from(*n).ok().and_then(|n| a.get(n)) {
                            Some(x) => part_of(&v, x).relocated(self.at),
                            None => self.fail(
                                *r,
                                format!("index {n} is out of range for an array of {}", a.len()),
                            ),
                        }
                    }
                    (Val::Object(_), Val::Str(k)) => match v.get(k) {
                        Some(m) => part_of(&v, m).relocated(self.at),
                        None if v.is_open() => Value::unknown(
                            format!("`{k}` is known only at deployment"),
                            None,
                            self.at,
                        ),
                        None => self.fail(*r, format!("the object has no property `{k}`")),
                    },
                    (a, b) => self.fail(
                        *r,
                        format!("can't index {} with {}", a.type_name(), b.type_name()),
                    ),
                }
            }
            Expr::Call {
                name,
                func,
                args,
                range,
                ..
            } => {
                let func = *func;
                // The name lower-cased: the table's for a function peerlint knows.
                let lower = match func.name() {
                    Some(n) => std::borrow::Cow::Borrowed(n),
                    None => std::borrow::Cow::Owned(name.to_ascii_lowercase()),
                };
                let lower = lower.as_ref();
                // Functions evaluated from their unevaluated arguments.
                if let Some(arity) = func.lazy_arity(args.len()) {
                    if let Err(msg) = arity {
                        return self.fail(*range, format!("`{name}`: {msg}"));
                    }
                    return self.lazy(lower, name, args, *range);
                }
                let vals: Vec<Value> = args.iter().map(|a| self.eval(a)).collect();
                if let Err(x) = self.env.scope.charge(walked(lower, &vals)) {
                    return self.exceeded(*range, x, name);
                }
                match super::func::call(self, func, lower, name, &vals, *range) {
                    // An unknown result is named after the call and its arguments' values, so
                    // a name built the same way from the same inputs compares equal.
                    Ok(v) if v.as_unknown().is_some_and(|u| u.symbol.is_none()) => {
                        let rendered = vals.iter().map(|a| a.size() as u64).sum();
                        if let Err(x) = self.env.scope.charge(rendered) {
                            return self.exceeded(*range, x, name);
                        }
                        match vals.iter().map(render).collect::<Option<Vec<String>>>() {
                            Some(args) => with_symbol(v, format!("{name}({})", args.join(","))),
                            None => v,
                        }
                    }
                    Ok(v) => v,
                    Err(msg) => self.fail(*range, format!("`{name}`: {msg}")),
                }
            }
        }
    }

    /// `if`, `and`, `or` and `coalesce`, evaluated left to right as far as an argument
    /// decides (the rest is never evaluated, as in Resource Manager: a guarded
    /// `and(contains(x, 'k'), x.k)` doesn't fail); the lambda functions; `lambdaVariables`.
    /// An unknown argument met before the deciding one makes the result unknown.
    fn lazy(&self, f: &str, name: &str, args: &[Expr], range: expr::Range) -> Value {
        match f {
            "if" => {
                let c = self.eval(&args[0]);
                match &c.v {
                    Val::Bool(true) => self.eval(&args[1]),
                    Val::Bool(false) => self.eval(&args[2]),
                    Val::Unknown(u) => {
                        // Either branch may be the value: named after the whole call and what
                        // its branches may read besides the template (copy indexes, lambda
                        // variables), so that two iterations don't share a placeholder.
                        let rendered: u64 = self
                            .env
                            .copies
                            .iter()
                            .chain(self.lambda_vars.borrow().iter())
                            .map(|(_, v)| v.size() as u64)
                            .sum();
                        if let Err(x) = self.env.scope.charge(rendered + c.size() as u64) {
                            return self.exceeded(range, x, name);
                        }
                        let context: Option<Vec<String>> = self
                            .env
                            .copies
                            .iter()
                            .chain(self.lambda_vars.borrow().iter())
                            .map(|(k, v)| render(v).map(|v| format!("{k}={v}")))
                            .collect();
                        let symbol = match (render(&c), context) {
                            (Some(c), Some(context)) => {
                                let digest = digest(&format!("{args:?}{context:?}"));
                                Some(format!("{{if({c},#{digest:08x})}}"))
                            }
                            _ => None,
                        };
                        Value::unknown_from(u, symbol, self.at)
                    }
                    other => self.fail(
                        args[0].range(),
                        format!(
                            "`{name}` needs a boolean condition, found {}",
                            other.type_name()
                        ),
                    ),
                }
            }
            "and" | "or" => {
                let decisive = f == "or";
                for a in args {
                    let v = self.eval(a);
                    match &v.v {
                        Val::Bool(b) if *b == decisive => {
                            return Value::new(Val::Bool(decisive), self.at);
                        }
                        Val::Bool(_) => {}
                        Val::Unknown(u) => return Value::unknown_from(u, None, self.at),
                        other => {
                            return self.fail(
                                a.range(),
                                format!("`{name}` takes booleans, found {}", other.type_name()),
                            );
                        }
                    }
                }
                Value::new(Val::Bool(!decisive), self.at)
            }
            "coalesce" => {
                for a in args {
                    let v = self.eval(a);
                    match &v.v {
                        Val::Null => continue,
                        Val::Unknown(u) => return Value::unknown_from(u, None, self.at),
                        _ => return v.relocated(self.at),
                    }
                }
                Value::new(Val::Null, self.at)
            }
            "lambdavariables" => self.lambda_variable(args, range),
            _ => self.collection(f, name, args, range),
        }
    }

    /// `filter`, `map`, `mapValues`, `reduce`, `sort`, `toObject` and `groupBy`: the lambda's
    /// body is evaluated per element with its variables bound (and, for `filter`, `map` and
    /// `reduce`, the element's index as an optional last variable).
    fn collection(&self, f: &str, name: &str, args: &[Expr], range: expr::Range) -> Value {
        // (position of the lambda, least and most variables it takes)
        let lambdas: &[(usize, usize, usize)] = match f {
            "filter" | "map" => &[(1, 1, 2)],
            "reduce" => &[(2, 2, 3)],
            "sort" => &[(1, 2, 2)],
            "groupby" | "mapvalues" => &[(1, 1, 1)],
            "toobject" => &[(1, 1, 1), (2, 1, 1)],
            _ => return self.fail(range, format!("`{name}` is not a lambda function")),
        };
        let mut lams = Vec::new();
        for &(pos, min, max) in lambdas {
            let Some(e) = args.get(pos) else { continue };
            match lambda_parts(e) {
                Some((vars, body)) if (min..=max).contains(&vars.len()) => lams.push((vars, body)),
                Some((vars, _)) => {
                    return self.fail(
                        e.range(),
                        format!(
                            "the lambda of `{name}` takes {} variable{}, found {}",
                            if min == max {
                                min.to_string()
                            } else {
                                format!("{min} or {max}")
                            },
                            if max == 1 { "" } else { "s" },
                            vars.len()
                        ),
                    );
                }
                None => {
                    return self.fail(
                        e.range(),
                        format!("`{name}` needs a `lambda(...)` as argument {}", pos + 1),
                    );
                }
            }
        }
        let input = self.eval(&args[0]);
        if let Some(u) = input.as_unknown() {
            return Value::unknown_from(u, None, self.at);
        }
        let at = self.at;
        let items: Vec<Value> = match (&input.v, f == "mapvalues") {
            (Val::Object(m), true) => m.iter().map(|(_, v)| v.clone()).collect(),
            (Val::Array(a), false) => a.as_ref().clone(),
            (other, objects) => {
                let want = if objects { "an object" } else { "an array" };
                return self.fail(
                    args[0].range(),
                    format!("`{name}` needs {want}, found {}", other.type_name()),
                );
            }
        };
        let call = |lam: &Lambda, vals: Vec<Value>| -> Value {
            let mut vars = self.lambda_vars.borrow_mut();
            let depth = vars.len();
            vars.extend(lam.0.iter().cloned().zip(vals));
            drop(vars);
            let v = self.eval(&lam.1);
            self.lambda_vars.borrow_mut().truncate(depth);
            v
        };
        let index = |i: usize| Value::new(Val::Int(i as i64), at);
        let unknown = |u: &Rc<super::value::Unknown>| Value::unknown_from(u, None, at);
        let lam = &lams[0];
        match f {
            "filter" => {
                let mut out = Vec::new();
                for (i, x) in items.into_iter().enumerate() {
                    let keep = call(lam, vec![x.clone(), index(i)]);
                    match &keep.v {
                        Val::Bool(true) => out.push(x),
                        Val::Bool(false) => {}
                        Val::Unknown(u) => return unknown(u),
                        other => {
                            return self.fail(
                                lams_range(args, 1),
                                format!(
                                    "the lambda of `{name}` must return a boolean, found {}",
                                    other.type_name()
                                ),
                            );
                        }
                    }
                }
                Value::array(out, at)
            }
            "map" => {
                let out = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| call(lam, vec![x, index(i)]))
                    .collect();
                Value::array(out, at)
            }
            "mapvalues" => {
                let Val::Object(m) = &input.v else {
                    unreachable!()
                };
                let out: Vec<(Rc<str>, Value)> = m
                    .iter()
                    .map(|(k, v)| (k.clone(), call(lam, vec![v.clone()])))
                    .collect();
                Value::object(out, at)
            }
            "reduce" => {
                let mut acc = self.eval(&args[1]);
                for (i, x) in items.into_iter().enumerate() {
                    acc = call(lam, vec![acc, x, index(i)]);
                }
                acc.relocated(at)
            }
            "sort" => self.sort(name, items, lam, &call, lams_range(args, 1)),
            "toobject" | "groupby" => {
                let mut members: Vec<(Rc<str>, Value)> = Vec::new();
                let mut slot: rustc_hash::FxHashMap<Rc<str>, usize> = Default::default();
                for x in items {
                    let k = call(lam, vec![x.clone()]);
                    let key: Rc<str> = match &k.v {
                        Val::Str(s) => s.clone(),
                        Val::Unknown(u) => return unknown(u),
                        // Converted to a name, or rejected: not documented.
                        other => {
                            return Value::unknown(
                                format!(
                                    "`{name}()` with a key that is {} is not documented",
                                    other.type_name()
                                ),
                                None,
                                at,
                            );
                        }
                    };
                    let v = match lams.get(1) {
                        Some(l) => call(l, vec![x]),
                        None => x,
                    };
                    match (slot.get(&key), f) {
                        (Some(&i), "groupby") => {
                            if let Val::Array(a) = &mut members[i].1.v {
                                Rc::make_mut(a).push(v);
                            }
                        }
                        (Some(_), _) => {
                            return Value::unknown(
                                format!(
                                    "`{name}()` makes the key `{key}` twice; which value Azure keeps is not documented"
                                ),
                                None,
                                at,
                            );
                        }
                        (None, _) => {
                            slot.insert(key.clone(), members.len());
                            let v = if f == "groupby" {
                                Value::array(vec![v], at)
                            } else {
                                v
                            };
                            members.push((key, v));
                        }
                    }
                }
                Value::object(members, at)
            }
            _ => unreachable!("listed above"),
        }
    }

    /// `sort(array, lambda('a', 'b', <a before b>))`: a stable merge sort (n·log n lambda
    /// calls). Unknown when the lambda's answer is unknown, or when distinct elements tie or
    /// the answers contradict each other (the order then depends on Azure's sort algorithm).
    fn sort(
        &self,
        name: &str,
        items: Vec<Value>,
        lam: &Lambda,
        call: &dyn Fn(&Lambda, Vec<Value>) -> Value,
        lambda_range: expr::Range,
    ) -> Value {
        let at = self.at;
        let before = |a: &Value, b: &Value| -> Result<bool, Value> {
            let r = call(lam, vec![a.clone(), b.clone()]);
            match &r.v {
                Val::Bool(x) => Ok(*x),
                Val::Unknown(u) => Err(Value::unknown_from(u, None, at)),
                other => Err(self.fail(
                    lambda_range,
                    format!(
                        "the lambda of `{name}` must return a boolean, found {}",
                        other.type_name()
                    ),
                )),
            }
        };
        let sorted = match merge_sort(items, &before) {
            Ok(s) => s,
            Err(v) => return v,
        };
        for w in sorted.windows(2) {
            let ab = match before(&w[0], &w[1]) {
                Ok(x) => x,
                Err(v) => return v,
            };
            let ba = match before(&w[1], &w[0]) {
                Ok(x) => x,
                Err(v) => return v,
            };
            if ba || (!ab && w[0].equals(&w[1]) != Some(true)) {
                return Value::unknown(
                    format!(
                        "the lambda of `{name}()` doesn't order its elements strictly; the order of ties depends on Azure's sort"
                    ),
                    None,
                    at,
                );
            }
        }
        Value::array(sorted, at)
    }

    fn lambda_variable(&self, args: &[Expr], range: expr::Range) -> Value {
        let name = match args {
            [a] => self.eval(a),
            _ => return self.fail(range, "`lambdaVariables` takes one name".into()),
        };
        let Some(n) = name.as_str() else {
            return self.fail(range, "`lambdaVariables` takes a name".into());
        };
        let vars = self.lambda_vars.borrow();
        match vars.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(n)) {
            Some((_, v)) => v.clone().relocated(self.at),
            None => {
                drop(vars);
                self.fail(range, format!("no lambda variable `{n}` here"))
            }
        }
    }

    /// Reports that what the call `name` at `r` builds exceeds the limit `x`.
    pub(super) fn exceeded(&self, r: expr::Range, x: Exceeded, name: &str) -> Value {
        let what = format!("the result of `{name}`");
        self.env
            .scope
            .exceeded(self.sub(r), x, &what)
            .relocated(self.at)
    }

    fn fail(&self, r: expr::Range, msg: String) -> Value {
        self.env.scope.error(self.sub(r), msg.clone());
        Value::invalid(msg, self.at)
    }
}

impl<'s, 't> Eval<'s, 't> {
    pub(super) fn at(&self) -> Loc {
        self.at
    }
    pub(super) fn scope(&self) -> &'s Scope<'t> {
        self.env.scope
    }
    pub(super) fn copies(&self) -> &'s [(String, Value)] {
        self.env.copies
    }
    pub(super) fn variable(&self, name: &str, call: expr::Range) -> Value {
        self.env
            .scope
            .variable(name, self.sub(call))
            .relocated(self.at)
    }
    pub(super) fn parameter(&self, name: &str) -> FnResult {
        Ok(self.env.scope.parameter(name)?.relocated(self.at))
    }
}
