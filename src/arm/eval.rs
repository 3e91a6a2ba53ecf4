//! Evaluates template expressions and values.
//!
//! A [`Scope`] holds what one template level sees: parameters, variables, the deployment
//! context. [`Env`] adds the copy-loop indices in force. Anything that can't be known offline
//! evaluates to an unknown value with the reason; errors a deployment would fail with (wrong
//! arity, wrong types, unknown functions) are reported as problems at the expression and also
//! evaluate to unknown, so evaluation always goes on.

use std::cell::RefCell;
use std::rc::Rc;

use crate::fasthash::FastMap;
use crate::model::Loc;
use crate::source::{FileId, Span};
use crate::tree::{Kind, NodeId, Tree};

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
}

pub struct Scope<'t> {
    pub tree: &'t Tree,
    pub file: FileId,
    /// Lower-case name → value.
    pub params: FastMap<String, Value>,
    /// Lower-case name → definition node (plain variables).
    pub vars: FastMap<String, NodeId>,
    /// Lower-case name → the `copy` entry defining it.
    pub var_copies: FastMap<String, NodeId>,
    var_cache: RefCell<FastMap<String, Option<Value>>>,
    pub ctx: Rc<DeployCtx>,
    /// Whether `[[` also starts an expression (a template nested with outer scope, whose
    /// escaped expressions run when the nested deployment does).
    pub double_bracket: bool,
    pub errors: Rc<RefCell<Vec<EvalError>>>,
    pub resolver: Option<&'t dyn Resolver>,
}

/// A scope plus the copy indices in force: (loop name, index).
#[derive(Clone, Copy)]
pub struct Env<'s, 't> {
    pub scope: &'s Scope<'t>,
    pub copies: &'s [(String, Value)],
}

impl<'t> Scope<'t> {
    pub fn new(tree: &'t Tree, file: FileId, ctx: Rc<DeployCtx>, errors: Rc<RefCell<Vec<EvalError>>>) -> Scope<'t> {
        Scope {
            tree,
            file,
            params: FastMap::default(),
            vars: FastMap::default(),
            var_copies: FastMap::default(),
            var_cache: RefCell::new(FastMap::default()),
            ctx,
            double_bracket: false,
            errors,
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

    pub fn error(&self, loc: Loc, message: String) {
        self.errors.borrow_mut().push(EvalError { loc, message });
    }

    /// `variables(name)`, evaluated once; a cycle is an error.
    fn variable(&self, name: &str, at: Loc) -> Value {
        let key = name.to_ascii_lowercase();
        if let Some(slot) = self.var_cache.borrow().get(&key) {
            return match slot {
                Some(v) => v.clone(),
                None => {
                    self.error(at, format!("variable `{name}` refers to itself"));
                    Value::unknown(format!("variable `{name}` refers to itself"), None, at)
                }
            };
        }
        self.var_cache.borrow_mut().insert(key.clone(), None);
        let env = Env { scope: self, copies: &[] };
        let v = if let Some(&n) = self.vars.get(&key) {
            let v = env.node(n);
            let origin = self.loc(n);
            v.with_origin(origin, format!("from variable `{name}`"))
        } else if let Some(&entry) = self.var_copies.get(&key) {
            env.copy_array(entry, self.loc(entry))
        } else {
            let msg = format!("the template has no variable `{name}`");
            self.error(at, msg.clone());
            Value::unknown(msg, None, at)
        };
        self.var_cache.borrow_mut().insert(key, Some(v.clone()));
        v
    }
}

pub(super) fn first_unknown(args: &[Value], at: Loc) -> Option<Value> {
    args.iter().find(|a| a.is_unknown()).map(|a| Value { at, ..a.clone() })
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
pub(super) fn symbolic_text(text: String, args: &[Value], at: Loc) -> Value {
    match args.iter().find_map(|a| a.as_unknown()) {
        Some(u) => Value::unknown(u.reason.clone(), Some(text), at),
        None => Value::str(&text, at),
    }
}

impl<'s, 't> Env<'s, 't> {
    /// Evaluates a JSON value of the template: literals as they are, strings that are
    /// expressions evaluated, property `copy` arrays expanded.
    pub fn node(&self, n: NodeId) -> Value {
        let sc = self.scope;
        let t = sc.tree;
        let at = sc.loc(n);
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
            Kind::Array => Value::new(Val::Array(Rc::new(t.children(n).map(|c| self.node(c)).collect())), at),
            Kind::Object => {
                let mut members: Vec<(Rc<str>, Value)> = Vec::new();
                for (k, v) in t.members(n) {
                    if k.eq_ignore_ascii_case("copy") && t.kind(v) == Kind::Array {
                        for entry in t.children(v) {
                            let Some(name) = t.get_str(entry, "name") else { continue };
                            let arr = self.copy_array(entry, sc.loc(entry));
                            members.push((Rc::from(name), arr));
                        }
                        continue;
                    }
                    // languageVersion 2.0 allows expressions as property names.
                    let key: Rc<str> = match expr::classify(k) {
                        Text::Literal(s) => Rc::from(s.as_ref()),
                        Text::Expr(e, _) => match self.expression(e, sc.loc(v), None).text_or_symbol() {
                            Some(s) => Rc::from(s),
                            None => Rc::from(k),
                        },
                    };
                    members.push((key, self.node(v)));
                }
                Value::new(Val::Object(Rc::new(members)), at)
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
        if sc.double_bracket && s.starts_with("[[") && s.ends_with(']') && !s.starts_with("[[[") {
            return self.expression(&s[2..s.len() - 1], at, base.map(|b| b + 2));
        }
        match expr::classify(s) {
            Text::Literal(l) => Value::str(&l, at),
            Text::Expr(e, off) => self.expression(e, at, base.map(|b| b + off as u32)),
        }
    }

    /// Evaluates expression text found at `at`; `base` is the file offset of the text, when
    /// known, to point errors inside the string.
    pub fn expression(&self, text: &str, at: Loc, base: Option<u32>) -> Value {
        match expr::parse(text) {
            Ok(e) => {
                let x = Eval { env: *self, at, base };
                x.eval(&e)
            }
            Err(err) => {
                let loc = x_loc(at, base, err.at);
                let msg = format!("invalid expression: {}", err.message);
                self.scope.error(loc, msg.clone());
                Value::unknown(msg, None, at)
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
                return Value::unknown(msg, None, at);
            }
        };
        if !(0..=800).contains(&n) {
            let msg = format!("copy count {n} is outside ARM's limit of 0 to 800");
            sc.error(sc.loc(count_node), msg.clone());
            return Value::unknown(msg, None, at);
        }
        let Some(input) = t.get(entry, "input") else {
            return Value::unknown(format!("copy `{name}` has no input"), None, at);
        };
        let mut items = Vec::with_capacity(n as usize);
        for i in 0..n {
            let mut copies = self.copies.to_vec();
            copies.push((name.to_ascii_lowercase(), Value::new(Val::Int(i), at)));
            let env = Env { scope: sc, copies: &copies };
            items.push(env.node(input));
        }
        Value::new(Val::Array(Rc::new(items)), at)
    }
}

/// A member or element of `whole`: it comes from where it is written inside the value the
/// whole came from (a parameters file's array element, say).
fn part_of(whole: &Value, part: &Value) -> Value {
    let mut p = part.clone();
    if p.from.is_none()
        && let Some(f) = &whole.from
    {
        p.from = Some(Rc::new(super::value::From { loc: part.at, text: f.text.clone() }));
    }
    p
}

fn x_loc(at: Loc, base: Option<u32>, r: expr::Range) -> Loc {
    match base {
        Some(b) => Loc { span: Span { start: b + r.start, end: b + r.end }, ..at },
        None => at,
    }
}

/// One expression's evaluation.
pub(super) struct Eval<'s, 't> {
    env: Env<'s, 't>,
    /// The JSON string holding the expression: every result is located there.
    at: Loc,
    base: Option<u32>,
}

type R = Result<Value, String>;

impl Eval<'_, '_> {
    fn sub(&self, r: expr::Range) -> Loc {
        x_loc(self.at, self.base, r)
    }

    fn eval(&self, e: &Expr) -> Value {
        match e {
            Expr::Str(s, _) => Value::str(s, self.at),
            Expr::Int(n, _) => Value::new(Val::Int(*n), self.at),
            Expr::Member(target, name, r) => {
                let v = self.eval(target);
                match &v.v {
                    Val::Unknown(_) => v,
                    Val::Object(_) => match v.get(name) {
                        Some(m) => part_of(&v, m).relocated(self.at),
                        None => self.fail(*r, format!("the object has no property `{name}`")),
                    },
                    other => self.fail(*r, format!("`.{name}` needs an object, found {}", other.type_name())),
                }
            }
            Expr::Index(target, index, r) => {
                let v = self.eval(target);
                let i = self.eval(index);
                if v.is_unknown() {
                    return v;
                }
                if i.is_unknown() {
                    return i;
                }
                match (&v.v, &i.v) {
                    (Val::Array(a), Val::Int(n)) => match usize::try_from(*n).ok().and_then(|n| a.get(n)) {
                        Some(x) => part_of(&v, x).relocated(self.at),
                        None => self.fail(*r, format!("index {n} is out of range for an array of {}", a.len())),
                    },
                    (Val::Object(_), Val::Str(k)) => match v.get(k) {
                        Some(m) => part_of(&v, m).relocated(self.at),
                        None => self.fail(*r, format!("the object has no property `{k}`")),
                    },
                    (a, b) => self.fail(*r, format!("can't index {} with {}", a.type_name(), b.type_name())),
                }
            }
            Expr::Call { name, args, at, range } => {
                let lower = name.to_ascii_lowercase();
                // Lazy functions: only the chosen branch is evaluated.
                if lower == "if" && args.len() == 3 {
                    let c = self.eval(&args[0]);
                    return match &c.v {
                        Val::Bool(true) => self.eval(&args[1]),
                        Val::Bool(false) => self.eval(&args[2]),
                        Val::Unknown(_) => c,
                        other => self.fail(args[0].range(), format!("`if` needs a boolean condition, found {}", other.type_name())),
                    };
                }
                let vals: Vec<Value> = args.iter().map(|a| self.eval(a)).collect();
                match super::func::call(self, &lower, name, &vals, *at) {
                    Ok(v) => v,
                    Err(msg) => self.fail(*range, format!("`{name}`: {msg}")),
                }
            }
        }
    }

    fn fail(&self, r: expr::Range, msg: String) -> Value {
        self.env.scope.error(self.sub(r), msg.clone());
        Value::unknown(msg, None, self.at)
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
    pub(super) fn variable(&self, name: &str) -> Value {
        self.env.scope.variable(name, self.at).relocated(self.at)
    }
    pub(super) fn parameter(&self, name: &str) -> R {
        match self.env.scope.params.get(&name.to_ascii_lowercase()) {
            Some(v) => Ok(v.clone().relocated(self.at)),
            None => Err(format!("the template has no parameter `{name}`")),
        }
    }
}

pub(super) type FnResult = R;
pub(super) type Evaluator<'s, 't> = Eval<'s, 't>;
