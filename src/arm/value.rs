//! Values of the template language: JSON values plus *unknown*, each remembering where it was
//! written and, when it passed through a parameter or variable, where it came from.
//!
//! Each value knows its [`Value::size`] and [`Value::depth`], computed as it is built. The
//! evaluator refuses values deeper than [`super::eval::MAX_VALUE_DEPTH`] (the template text
//! nests at most [`crate::tree::MAX_DEPTH`] deep), so the recursive walks here (`equals`,
//! `to_json`, `literal`) and elsewhere (printing, merging, dropping a value) are bounded by it.

use std::cell::Cell;
use std::rc::Rc;

use crate::model::Loc;

#[derive(Clone, Debug)]
pub struct Value {
    pub v: Val,
    /// Where the value was written, or the expression that computed it.
    pub at: Loc,
    /// The deciding input it came from (a parameter's default, a parameters file's value).
    pub from: Option<Rc<From>>,
    /// Part of the declared view of a deployed resource (see [`Value::opened`]).
    pub open: bool,
    /// See [`Value::size`]; computed when the value is built from its parts.
    size: u32,
    /// See [`Value::depth`]; computed when the value is built from its parts.
    depth: u16,
}

/// What one value (an element, a member, a scalar) counts in [`Value::size`]: about what
/// peerlint holds for it besides its text.
pub const NODE_BYTES: usize = 64;

/// Where a value came from, for the related label of a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct From {
    pub loc: Loc,
    pub text: String,
}

/// Why a value is unknown, and the symbolic text that stands for it in ids (`{parameters('hub')}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub reason: String,
    /// A placeholder for identity: ids built from the same unknowns still compare equal.
    pub symbol: Option<String>,
    /// Unknown because of an error already reported (an invalid expression), not because it
    /// is known only at deployment.
    pub error: bool,
    /// Every placeholder in `symbol` stands for text without `/` (the segments of a resource
    /// id), so the symbol's `/` are the value's own: `split(id, '/')` can be taken apart.
    pub slash_free: bool,
}

#[derive(Clone, Debug)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Str(Rc<str>),
    Array(Rc<Vec<Value>>),
    Object(Rc<Vec<(Rc<str>, Value)>>),
    Unknown(Rc<Unknown>),
}

impl Val {
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "a boolean",
            Val::Int(_) => "an integer",
            Val::Str(_) => "a string",
            Val::Array(_) => "an array",
            Val::Object(_) => "an object",
            Val::Unknown(_) => "unknown",
        }
    }
}

/// [`Value::size`] and [`Value::depth`] of a value whose parts are measured already, and
/// what building it costs (see [`built`]).
fn measure(v: &Val) -> (u32, u16, u64) {
    let node = NODE_BYTES as u64;
    let (size, depth, cost) = match v {
        Val::Null | Val::Bool(_) | Val::Int(_) => (node, 1, node),
        Val::Str(s) => (node + s.len() as u64, 1, node + s.len() as u64),
        Val::Unknown(u) => {
            let text = u.reason.len() as u64 + u.symbol.as_ref().map_or(0, |s| s.len() as u64);
            (node + text, 1, node + text)
        }
        Val::Array(a) => {
            let (size, depth) = a.iter().fold((node, 1), |(s, d), x| {
                (
                    s.saturating_add(u64::from(x.size)),
                    d.max(x.depth.saturating_add(1)),
                )
            });
            (size, depth, node * (1 + a.len() as u64))
        }
        Val::Object(m) => {
            let (size, depth, keys) = m.iter().fold((node, 1, 0), |(s, d, k), (key, x)| {
                (
                    s.saturating_add(key.len() as u64 + u64::from(x.size)),
                    d.max(x.depth.saturating_add(1)),
                    k + key.len() as u64,
                )
            });
            (size, depth, node * (1 + m.len() as u64) + keys)
        }
    };
    (u32::try_from(size).unwrap_or(u32::MAX), depth, cost)
}

thread_local! {
    /// See [`built`].
    static BUILT: Cell<u64> = const { Cell::new(0) };
}

/// What the values made on this thread so far cost, in bytes: [`NODE_BYTES`] for each value
/// plus its text (a string, an unknown's reason and placeholder), and for an array or object
/// [`NODE_BYTES`] more per element or member (the slot holding it) plus the member names;
/// and one for each member a lookup ([`Value::get`]) compared. About the memory the values
/// took, whether or not they are still held, and the work of finding their members; cloning
/// a value costs nothing (its parts are shared). The template evaluator reads it to bound
/// what one template may build.
pub fn built() -> u64 {
    BUILT.with(Cell::get)
}

impl Value {
    pub fn new(v: Val, at: Loc) -> Value {
        let (size, depth, cost) = measure(&v);
        BUILT.with(|b| b.set(b.get().saturating_add(cost)));
        Value {
            v,
            at,
            from: None,
            open: false,
            size,
            depth,
        }
    }
    /// The value's size written out as a tree, its parts shared with other values counted
    /// each time they appear: [`NODE_BYTES`] per scalar, element and member, plus the bytes of
    /// its strings, member names and reasons (saturating at `u32::MAX`). What walking the value
    /// costs (to compare it, print it, hand it to the checks), however little memory its
    /// shared parts take.
    pub fn size(&self) -> usize {
        self.size as usize
    }
    /// How deeply the value nests: 1 for a scalar, one more than its deepest part for an
    /// array or object (saturating at `u16::MAX`). What a recursive walk of it needs.
    pub fn depth(&self) -> usize {
        usize::from(self.depth)
    }
    /// An object of `fields`, located at `at`.
    pub fn object<K: Into<Rc<str>>>(
        fields: impl IntoIterator<Item = (K, Value)>,
        at: Loc,
    ) -> Value {
        Value::new(
            Val::Object(Rc::new(
                fields.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            )),
            at,
        )
    }
    pub fn array(items: Vec<Value>, at: Loc) -> Value {
        Value::new(Val::Array(Rc::new(items)), at)
    }
    /// A JSON value of a parse tree taken as it is (no expressions), each part located where
    /// it is written.
    pub fn literal(
        t: &crate::tree::Tree,
        file: crate::source::FileId,
        n: crate::tree::NodeId,
    ) -> Value {
        use crate::tree::Kind;
        let at = Loc::new(file, t.span(n), Some(n));
        match t.kind(n) {
            Kind::Null => Value::new(Val::Null, at),
            Kind::Bool => Value::new(Val::Bool(t.bool(n).unwrap_or(false)), at),
            Kind::Number => {
                let raw = t.number(n).unwrap_or("0");
                Value::new(
                    raw.parse()
                        .map(Val::Int)
                        .unwrap_or_else(|_| Val::Str(Rc::from(raw))),
                    at,
                )
            }
            Kind::String => Value::str(t.str(n).unwrap_or(""), at),
            Kind::Array => Value::array(
                t.children(n).map(|c| Value::literal(t, file, c)).collect(),
                at,
            ),
            Kind::Object => Value::object(
                t.members(n).map(|(k, c)| (k, Value::literal(t, file, c))),
                at,
            ),
        }
    }
    pub fn str(s: &str, at: Loc) -> Value {
        Value::new(Val::Str(Rc::from(s)), at)
    }
    pub fn unknown(reason: impl Into<String>, symbol: Option<String>, at: Loc) -> Value {
        Value::new(
            Val::Unknown(Rc::new(Unknown {
                reason: reason.into(),
                symbol,
                error: false,
                slash_free: false,
            })),
            at,
        )
    }
    /// The unknown result of an error already reported.
    pub fn invalid(reason: impl Into<String>, at: Loc) -> Value {
        Value::new(
            Val::Unknown(Rc::new(Unknown {
                reason: reason.into(),
                symbol: None,
                error: true,
                slash_free: false,
            })),
            at,
        )
    }
    /// An unknown derived from `u` (same reason and error state), with its own placeholder.
    pub fn unknown_from(u: &Unknown, symbol: Option<String>, at: Loc) -> Value {
        Value::new(
            Val::Unknown(Rc::new(Unknown {
                reason: u.reason.clone(),
                symbol: if u.error { None } else { symbol },
                error: u.error,
                slash_free: false,
            })),
            at,
        )
    }
    /// The same unknown, marked as having a placeholder whose `/` are the value's own (see
    /// [`Unknown::slash_free`]); other values as they are.
    pub fn slash_free(mut self) -> Value {
        if let Val::Unknown(u) = &self.v
            && u.symbol.is_some()
        {
            let mut u = u.as_ref().clone();
            u.slash_free = true;
            self.v = Val::Unknown(Rc::new(u)); // the same text: the same size
        }
        self
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.v, Val::Unknown(_))
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The text of a string, or the placeholder of a symbolic unknown.
    pub fn text_or_symbol(&self) -> Option<&str> {
        match &self.v {
            Val::Str(s) => Some(s),
            Val::Unknown(u) => u.symbol.as_deref(),
            _ => None,
        }
    }
    pub fn as_unknown(&self) -> Option<&Rc<Unknown>> {
        match &self.v {
            Val::Unknown(u) => Some(u),
            _ => None,
        }
    }
    /// The declared view of a resource that `reference()` returns: members Azure adds at
    /// deployment (`ipAddress`, `provisioningState`...) read as unknown rather than missing.
    pub fn opened(mut self) -> Value {
        self.open = true;
        self
    }
    pub fn is_open(&self) -> bool {
        self.open
    }
    /// The members' values of an object (none for other values).
    pub fn get_all(&self) -> Vec<Value> {
        match &self.v {
            Val::Object(m) => m.iter().map(|(_, v)| v.clone()).collect(),
            _ => Vec::new(),
        }
    }
    /// A member of an object, by case-insensitive name.
    /// Looks the members up one by one: each member compared counts one byte towards
    /// [`built`] (the work of a lookup in a large object).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.v {
            Val::Object(m) => {
                let i = m.iter().position(|(k, _)| k.eq_ignore_ascii_case(key));
                let scanned = i.map_or(m.len(), |i| i + 1);
                BUILT.with(|b| b.set(b.get().saturating_add(scanned as u64)));
                i.map(|i| &m[i].1)
            }
            _ => None,
        }
    }
    /// A value with other contents, located where this one is and coming from where it came
    /// from.
    pub fn with_contents(&self, v: Val) -> Value {
        let mut out = Value::new(v, self.at);
        out.from.clone_from(&self.from);
        out.open = self.open;
        out
    }
    /// The same value, now located at `at` (the expression that produced it); its origin stays.
    pub fn relocated(mut self, at: Loc) -> Value {
        self.at = at;
        self
    }
    /// The same value, marked as coming from `loc` (a parameter's value, a variable).
    pub fn with_origin(mut self, loc: Loc, text: String) -> Value {
        self.from = Some(Rc::new(From { loc, text }));
        self
    }
    /// Equality as ARM's `equals` (strings case-sensitive, as documented): None when unknown
    /// parts decide it (a known difference elsewhere still makes it false).
    pub fn equals(&self, other: &Value) -> Option<bool> {
        /// Every pair equal: true; one pair different: false; else undecided.
        fn all(pairs: impl Iterator<Item = Option<bool>>) -> Option<bool> {
            let mut undecided = false;
            for p in pairs {
                match p {
                    Some(false) => return Some(false),
                    None => undecided = true,
                    Some(true) => {}
                }
            }
            (!undecided).then_some(true)
        }
        Some(match (&self.v, &other.v) {
            (Val::Unknown(_), _) | (_, Val::Unknown(_)) => return None,
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Int(a), Val::Int(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Array(a), Val::Array(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                return all(a.iter().zip(b.iter()).map(|(x, y)| x.equals(y)));
            }
            (Val::Object(a), Val::Object(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                return all(a.iter().map(|(k, x)| match other.get(k) {
                    Some(y) => x.equals(y),
                    None => Some(false),
                }));
            }
            _ => false,
        })
    }
    /// The value as `string()` renders it: strings as themselves, everything else as JSON.
    pub fn to_text(&self) -> Option<String> {
        match &self.v {
            Val::Str(s) => Some(s.to_string()),
            _ => self.to_json().map(|j| j.to_string()),
        }
    }
    /// Whether no part of the value is unknown: whether [`Value::to_json`] gives it.
    pub fn is_known(&self) -> bool {
        match &self.v {
            Val::Unknown(_) => false,
            Val::Array(a) => a.iter().all(Value::is_known),
            Val::Object(m) => m.iter().all(|(_, x)| x.is_known()),
            Val::Null | Val::Bool(_) | Val::Int(_) | Val::Str(_) => true,
        }
    }
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match &self.v {
            Val::Null => serde_json::Value::Null,
            Val::Bool(b) => (*b).into(),
            Val::Int(n) => (*n).into(),
            Val::Str(s) => s.to_string().into(),
            Val::Array(a) => {
                serde_json::Value::Array(a.iter().map(|v| v.to_json()).collect::<Option<_>>()?)
            }
            Val::Object(m) => serde_json::Value::Object(
                m.iter()
                    .map(|(k, v)| Some((k.to_string(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Val::Unknown(_) => return None,
        })
    }
    pub fn from_json(j: &serde_json::Value, at: Loc) -> Value {
        let v = match j {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(i),
                None => Val::Str(Rc::from(n.to_string())),
            },
            serde_json::Value::String(s) => Val::Str(Rc::from(s.as_str())),
            serde_json::Value::Array(a) => {
                Val::Array(Rc::new(a.iter().map(|x| Value::from_json(x, at)).collect()))
            }
            serde_json::Value::Object(m) => Val::Object(Rc::new(
                m.iter()
                    .map(|(k, x)| (Rc::from(k.as_str()), Value::from_json(x, at)))
                    .collect(),
            )),
        };
        Value::new(v, at)
    }
}
