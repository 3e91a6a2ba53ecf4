//! What the resource extractor reads: a tree of JSON-like values, each with a location.
//!
//! Two documents implement it: the parse tree of a file ([`Tree`]), whose values are literal,
//! and an ARM template's evaluated resources ([`crate::arm::doc::EvalDoc`]), whose values were
//! computed by expressions and may be unknown until deployment.

use crate::model::Loc;
use crate::source::FileId;
use crate::tree::{Kind, NodeId, Tree};

/// Why a value is unknown, and the symbolic text that stands for it in ids (`{parameters('hub')}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub reason: String,
    /// A placeholder for identity: ids built from the same unknowns still compare equal.
    pub symbol: Option<String>,
    /// Unknown because of an error already reported (an invalid expression), not because it
    /// is known only at deployment.
    pub error: bool,
}

pub trait Doc {
    /// The kind of a value; unknown values report `Null` and are told apart by [`Doc::unknown`].
    fn kind(&self, n: NodeId) -> Kind;
    /// The first member named `key`, compared ASCII-case-insensitively.
    fn get(&self, n: NodeId, key: &str) -> Option<NodeId>;
    fn str(&self, n: NodeId) -> Option<&str>;
    fn bool(&self, n: NodeId) -> Option<bool>;
    fn children(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_;
    /// Where the value is (for a computed value: the expression, with its origin).
    fn loc(&self, file: FileId, n: NodeId) -> Loc;
    /// Where the member holding the value is named (the key), else the value.
    fn key_loc(&self, file: FileId, n: NodeId) -> Loc;
    /// The value as written, for messages.
    fn raw(&self, n: NodeId) -> String;
    /// Set when the value can't be known offline.
    fn unknown(&self, _n: NodeId) -> Option<&Unknown> {
        None
    }
    /// Whether values may be unknown or carry template conditions at all (exports: never),
    /// so the extractor can skip that bookkeeping.
    fn computed(&self) -> bool {
        false
    }
    fn get_str(&self, n: NodeId, key: &str) -> Option<&str> {
        self.get(n, key).and_then(|v| self.str(v))
    }
}

impl Doc for Tree {
    fn kind(&self, n: NodeId) -> Kind {
        Tree::kind(self, n)
    }
    fn get(&self, n: NodeId, key: &str) -> Option<NodeId> {
        Tree::get(self, n, key)
    }
    fn str(&self, n: NodeId) -> Option<&str> {
        Tree::str(self, n)
    }
    fn bool(&self, n: NodeId) -> Option<bool> {
        Tree::bool(self, n)
    }
    fn children(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        Tree::children(self, n)
    }
    fn loc(&self, file: FileId, n: NodeId) -> Loc {
        Loc::new(file, self.span(n), Some(n))
    }
    fn key_loc(&self, file: FileId, n: NodeId) -> Loc {
        Loc::new(file, self.key_span(n), Some(n))
    }
    fn raw(&self, n: NodeId) -> String {
        self.text()[self.span(n).range()].to_string()
    }
}
