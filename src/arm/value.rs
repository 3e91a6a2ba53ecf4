//! Values of the template language: JSON values plus *unknown*, each remembering where it was
//! written and, when it passed through a parameter or variable, where it came from.

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
}

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

impl Value {
    pub fn new(v: Val, at: Loc) -> Value {
        Value {
            v,
            at,
            from: None,
            open: false,
        }
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
            self.v = Val::Unknown(Rc::new(u));
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
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.v {
            Val::Object(m) => m
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
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
