//! A template level's parameters, resolved the way Resource Manager resolves them before a
//! deployment starts:
//!
//! - a value given (parameters file, a nested deployment's `parameters`) is used, unless it is
//!   `null`: then the parameter takes its `defaultValue` (Bicep modules pass optional inputs
//!   through as `tryGet(...)` / `createObject('value', null())` and rely on this);
//! - a parameter without a value takes its `defaultValue`; without one, a `nullable` parameter
//!   (directly or through the `$ref` of a languageVersion 2.0 `definitions` entry) is `null`;
//!   any other is unknown;
//! - a default may read parameters declared after it: each parameter is evaluated on first use
//!   (and every one at the end, as Resource Manager evaluates them all), so the order of
//!   declaration doesn't matter; defaults that read each other in a circle are an error;
//! - the value used is checked against `allowedValues`, `minValue`/`maxValue` and
//!   `minLength`/`maxLength`: Resource Manager rejects the deployment otherwise.

use std::cell::RefCell;

use rustc_hash::FxHashMap as FastMap;

use crate::tree::{Kind, NodeId, Tree};

use super::eval::{Env, Scope};
use super::value::{Val, Value};

/// The parameters of one template level.
#[derive(Default)]
pub struct Table {
    /// The template (where `$ref` pointers start).
    template: Option<NodeId>,
    decls: Vec<Decl>,
    /// Lower-case name → index in `decls`.
    by_name: FastMap<String, usize>,
    /// The parameters file (to say why a parameter has no value).
    params_path: Option<String>,
    /// Appended to the placeholders of parameters without a value.
    tag: String,
    slots: RefCell<Vec<Slot>>,
    /// The parameters whose value is being evaluated, innermost last (to name a cycle).
    busy: RefCell<Vec<usize>>,
}

/// One declared parameter.
struct Decl {
    /// As declared.
    name: String,
    node: NodeId,
    /// The value given for it, if any (a Key Vault reference is an unknown one).
    supplied: Option<Value>,
}

#[derive(Clone)]
enum Slot {
    Todo,
    Busy,
    Done(Value),
}

/// How far a `$ref` chain is followed.
const MAX_REFS: usize = 16;

impl Table {
    /// The parameters declared by `template`, with the values `supplied` by lower-case name.
    /// `params_path` names the parameters file (for the reason of a missing value); `tag` is
    /// appended to the placeholders of parameters without a value.
    pub fn new(
        tree: &Tree,
        template: NodeId,
        mut supplied: FastMap<String, Value>,
        params_path: Option<&str>,
        tag: &str,
    ) -> Table {
        let mut table = Table {
            template: Some(template),
            params_path: params_path.map(str::to_string),
            tag: tag.to_string(),
            ..Table::default()
        };
        let Some(section) = tree.get(template, "parameters") else {
            return table;
        };
        for (name, node) in tree.members(section) {
            let key = name.to_ascii_lowercase();
            if table.by_name.contains_key(&key) {
                continue; // declared twice: the first counts
            }
            table.by_name.insert(key.clone(), table.decls.len());
            table.decls.push(Decl {
                name: name.to_string(),
                node,
                supplied: supplied.remove(&key),
            });
        }
        table.slots = RefCell::new(vec![Slot::Todo; table.decls.len()]);
        table
    }

    /// The declared names, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.decls.iter().map(|d| d.name.as_str())
    }

    /// A member of a parameter's declaration, looked up through its `$ref` chain
    /// (`"$ref": "#/definitions/lockType"`) when the declaration doesn't have it.
    fn attr(&self, t: &Tree, decl: NodeId, key: &str) -> Option<NodeId> {
        let mut n = decl;
        for _ in 0..MAX_REFS {
            if let Some(v) = t.get(n, key) {
                return Some(v);
            }
            n = self.pointer(t, t.get_str(n, "$ref")?)?;
        }
        None
    }

    /// The node a local JSON pointer (`#/definitions/x`) names in the template.
    fn pointer(&self, t: &Tree, p: &str) -> Option<NodeId> {
        let mut n = self.template?;
        let path = p.strip_prefix('#')?;
        for seg in path.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            n = match t.kind(n) {
                Kind::Object => t.get(n, &seg)?,
                Kind::Array => t.children(n).nth(seg.parse().ok()?)?,
                _ => return None,
            };
        }
        Some(n)
    }
}

impl<'t> Scope<'t> {
    /// `parameters(name)`: its value, evaluated on first use. Err when the template doesn't
    /// declare it, or when defaults read each other in a circle (the message names it).
    pub fn parameter(&self, name: &str) -> Result<Value, String> {
        let Some(i) = super::eval::with_lower(name, |key| self.params.by_name.get(key).copied())
        else {
            return Err(match crate::suggest::closest(name, self.params.names()) {
                Some(c) => {
                    format!("the template has no parameter `{name}`; did you mean `{c}`?")
                }
                None => format!("the template has no parameter `{name}`"),
            });
        };
        let slot = self.params.slots.borrow()[i].clone();
        match slot {
            Slot::Done(v) => Ok(v),
            Slot::Busy => {
                let busy = self.params.busy.borrow();
                let from = busy.iter().position(|&b| b == i).unwrap_or(0);
                let chain: Vec<String> = busy[from..]
                    .iter()
                    .chain(std::iter::once(&i))
                    .map(|&b| format!("`{}`", self.params.decls[b].name))
                    .collect();
                Err(format!(
                    "the default values of parameters read each other in a cycle: {}",
                    chain.join(" → ")
                ))
            }
            Slot::Todo => Ok(self.resolve(i)),
        }
    }

    /// Evaluates every parameter not used yet, in declaration order (Resource Manager
    /// evaluates them all: an error in an unused default still fails the deployment).
    pub fn resolve_parameters(&self) {
        for i in 0..self.params.decls.len() {
            if matches!(self.params.slots.borrow()[i], Slot::Todo) {
                self.resolve(i);
            }
        }
    }

    fn resolve(&self, i: usize) -> Value {
        self.params.slots.borrow_mut()[i] = Slot::Busy;
        self.params.busy.borrow_mut().push(i);
        let v = self.parameter_value(i);
        self.params.busy.borrow_mut().pop();
        self.params.slots.borrow_mut()[i] = Slot::Done(v.clone());
        v
    }

    /// The value a parameter takes: given (unless null), else its default, else null when
    /// it is nullable, else unknown.
    fn parameter_value(&self, i: usize) -> Value {
        let t = self.tree;
        let d = &self.params.decls[i];
        let given = d.supplied.as_ref();
        if let Some(v) = given.filter(|v| !matches!(v.v, Val::Null)) {
            self.check_constraints(d, v);
            return v.clone();
        }
        if let Some(dn) = t.get(d.node, "defaultValue") {
            let env = Env {
                scope: self,
                copies: &[],
            };
            let v = env.node(dn);
            self.check_constraints(d, &v);
            return v.with_origin(
                self.loc(dn),
                format!("`{}` is this parameter's default value", d.name),
            );
        }
        if let Some(v) = given {
            return v.clone(); // null, and no default to take instead
        }
        let nullable = self
            .params
            .attr(t, d.node, "nullable")
            .and_then(|n| t.bool(n))
            == Some(true);
        if nullable {
            return Value::new(Val::Null, self.loc(d.node));
        }
        let name = &d.name;
        let why = match &self.params.params_path {
            Some(p) => format!("parameter `{name}` has no default and `{p}` doesn't set it"),
            None => format!("parameter `{name}` has no default and no parameters file sets it"),
        };
        let symbol = format!("{{{name}{}}}", self.params.tag);
        Value::unknown(why, Some(symbol), self.loc(d.node))
    }

    /// Reports a value Resource Manager would reject for the parameter: not among its
    /// `allowedValues`, outside `minValue`/`maxValue`, or of a length outside
    /// `minLength`/`maxLength`. Only what is certain: unknown and null values pass, strings
    /// are compared ignoring case, and an array passes when it is allowed as a whole or
    /// element by element.
    fn check_constraints(&self, d: &Decl, v: &Value) {
        let t = self.tree;
        let attr = |key: &str| self.params.attr(t, d.node, key);
        if matches!(v.v, Val::Null | Val::Unknown(_)) || !v.is_known() {
            return;
        }
        // Where to point: the value as written (a parameters file's value), else where it
        // was computed.
        let at = v.from.as_ref().map_or(v.at, |f| f.loc);
        let name = &d.name;
        if let Some(allowed) = attr("allowedValues").filter(|&a| t.kind(a) == Kind::Array) {
            let options: Vec<Value> = t
                .children(allowed)
                .map(|c| Value::literal(t, self.file, c))
                .collect();
            let ok = |x: &Value| options.iter().any(|o| loosely_equal(x, o));
            let fine = ok(v) || matches!(&v.v, Val::Array(items) if items.iter().all(ok));
            if !fine {
                let list: Vec<String> = options.iter().map(|o| short(o, 40)).collect();
                self.error(
                    at,
                    format!(
                        "{} is not an allowed value of parameter `{name}` (allowed: {})",
                        short(v, 60),
                        list.join(", ")
                    ),
                );
                return;
            }
        }
        let number = |key: &str| {
            attr(key)
                .and_then(|n| t.number(n))
                .and_then(|s| s.parse::<i64>().ok())
        };
        let int = match &v.v {
            Val::Int(n) => Some(*n),
            _ => None,
        };
        if let Some(n) = int {
            if let Some(min) = number("minValue")
                && n < min
            {
                self.error(
                    at,
                    format!("`{n}` is less than the `minValue` {min} of parameter `{name}`"),
                );
            } else if let Some(max) = number("maxValue")
                && n > max
            {
                self.error(
                    at,
                    format!("`{n}` is more than the `maxValue` {max} of parameter `{name}`"),
                );
            }
        }
        // Lengths: characters of a string (counted both ways Resource Manager might count
        // them, so only a certain violation is reported), items of an array.
        let (short_len, long_len) = match &v.v {
            Val::Str(s) => (s.chars().count(), s.encode_utf16().count()),
            Val::Array(a) => (a.len(), a.len()),
            _ => return,
        };
        if let Some(min) = number("minLength")
            && (long_len as i64) < min
        {
            self.error(
                at,
                format!(
                    "{} is shorter than the `minLength` {min} of parameter `{name}`",
                    short(v, 60)
                ),
            );
        } else if let Some(max) = number("maxLength")
            && (short_len as i64) > max
        {
            self.error(
                at,
                format!(
                    "{} is longer than the `maxLength` {max} of parameter `{name}`",
                    short(v, 60)
                ),
            );
        }
    }
}

/// Equality for `allowedValues`: scalars by their text ignoring case (`"5"` and `5` alike),
/// arrays and objects as `equals`.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (&a.v, &b.v) {
        (Val::Array(_) | Val::Object(_), _) | (_, Val::Array(_) | Val::Object(_)) => {
            a.equals(b) == Some(true)
        }
        _ => match (a.to_text(), b.to_text()) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y),
            _ => false,
        },
    }
}

/// A value for a message: in backticks, cut to about `max` characters.
fn short(v: &Value, max: usize) -> String {
    let text = match &v.v {
        Val::Str(s) => s.to_string(),
        _ => v.to_text().unwrap_or_default(),
    };
    if text.chars().count() > max {
        let cut: String = text.chars().take(max).collect();
        format!("`{cut}…`")
    } else {
        format!("`{text}`")
    }
}
