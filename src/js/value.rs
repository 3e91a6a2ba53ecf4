//! Values of the static subset: JSON values, `undefined`, functions (kept as their syntax, to
//! be called by the caller), host functions (`getId`), and *unknown*; each remembers where it
//! was written. [`Data`] is the same without functions, owned, to cross into and out of the
//! thread that parses (see [`super::run`]).

use std::rc::Rc;

use oxc_ast::ast::{ArrowFunctionExpression, Function};

use crate::model::Loc;

/// Why a value is unknown, and the placeholder that stands for it in names and ids: the same
/// unknown read twice (`process.env.HUB`) has the same placeholder, so ids built from it still
/// compare equal.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    pub reason: String,
    pub symbol: Option<String>,
}

/// A host function: called with its arguments and where the call is.
pub type Host<'a> = Rc<dyn Fn(&[Value<'a>], Loc) -> Value<'a> + 'a>;

/// A function written in the file, with the scope it closes over.
pub struct Closure<'a> {
    pub code: Code<'a>,
    pub scope: super::eval::ScopeRef<'a>,
}

#[derive(Clone, Copy)]
pub enum Code<'a> {
    Arrow(&'a ArrowFunctionExpression<'a>),
    Function(&'a Function<'a>),
}

#[derive(Clone)]
pub enum Val<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    Array(Rc<Vec<Value<'a>>>),
    Object(Rc<Vec<(Rc<str>, Value<'a>)>>),
    Func(Rc<Closure<'a>>),
    Host(Host<'a>),
    /// A module peerlint knows to be helpers without effect on a design (`rubico`): its
    /// members are functions whose calls are unknown.
    Helpers(Rc<str>),
    Unknown(Rc<Unknown>),
}

#[derive(Clone)]
pub struct Value<'a> {
    pub v: Val<'a>,
    /// Where the value was written, or the expression that produced it.
    pub at: Loc,
    /// Where it came from when that is elsewhere (a value of `config.js`).
    pub from: Option<Loc>,
    /// An object whose missing members are unknown rather than `undefined` (GruCloud's
    /// `config`: what `config.js` doesn't set comes from the environment or defaults).
    pub open: Option<Rc<Open>>,
}

/// What an open object is read as (`config`), and what a missing member is ("is not set in
/// `config.js`").
#[derive(Clone, Debug)]
pub struct Open {
    pub path: Rc<str>,
    pub missing: Rc<str>,
}

impl<'a> Value<'a> {
    pub fn new(v: Val<'a>, at: Loc) -> Value<'a> {
        Value {
            v,
            at,
            from: None,
            open: None,
        }
    }
    pub fn str(s: &str, at: Loc) -> Value<'a> {
        Value::new(Val::Str(Rc::from(s)), at)
    }
    pub fn unknown(reason: impl Into<String>, symbol: Option<String>, at: Loc) -> Value<'a> {
        Value::new(
            Val::Unknown(Rc::new(Unknown {
                reason: reason.into(),
                symbol,
            })),
            at,
        )
    }
    pub fn object(members: Vec<(Rc<str>, Value<'a>)>, at: Loc) -> Value<'a> {
        Value::new(Val::Object(Rc::new(members)), at)
    }
    pub fn array(items: Vec<Value<'a>>, at: Loc) -> Value<'a> {
        Value::new(Val::Array(Rc::new(items)), at)
    }
    pub fn host(f: impl Fn(&[Value<'a>], Loc) -> Value<'a> + 'a, at: Loc) -> Value<'a> {
        Value::new(Val::Host(Rc::new(f)), at)
    }
    /// The value as read at `at`: a value written in the same file keeps its place (the
    /// literal that decides a finding); one written in another file (`config.js`) is located
    /// where it is read, and where it was written becomes its origin.
    pub fn read_at(mut self, at: Loc) -> Value<'a> {
        if self.at.file != at.file {
            if self.from.is_none() {
                self.from = Some(self.at);
            }
            self.at = at;
        }
        self
    }

    /// The same value, now located at `at` (the expression that produced it).
    pub fn relocated(mut self, at: Loc) -> Value<'a> {
        self.at = at;
        self
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_unknown(&self) -> Option<&Unknown> {
        match &self.v {
            Val::Unknown(u) => Some(u),
            _ => None,
        }
    }
    /// A member of an object, by exact name (JavaScript names are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match &self.v {
            Val::Object(m) => m.iter().rev().find(|(k, _)| &**k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn is_function(&self) -> bool {
        matches!(self.v, Val::Func(_) | Val::Host(_))
    }
}

/// A value without functions, owned: what crosses the parsing thread's boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    pub v: DataVal,
    pub at: Loc,
    pub from: Option<Loc>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataVal {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Array(Vec<Data>),
    Object(Vec<(String, Data)>),
    Unknown(Unknown),
}

impl Data {
    pub fn get(&self, key: &str) -> Option<&Data> {
        match &self.v {
            DataVal::Object(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            DataVal::Str(s) => Some(s),
            _ => None,
        }
    }
}
