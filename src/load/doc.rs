//! What the resource extractor reads: a tree of JSON-like values, each with a location.
//!
//! Two documents implement it: the parse tree of a file ([`Tree`]), whose values are literal,
//! and evaluated values ([`EvalDoc`]: an ARM template's resources, a design spec's), whose
//! values were computed and may be unknown until deployment. Depends on the parse tree, the
//! model's locations, ids, `arm`'s values and the graph builder (where value origins and the
//! placeholders of unknown values are recorded).

use std::rc::Rc;

use crate::arm::value::{From, Unknown, Val, Value};
use crate::graph::GraphBuilder;
use crate::id::IdRef;
use crate::model::{Loc, Origin};
use crate::source::FileId;
use crate::tree::{Kind, NodeId, Tree};
use rustc_hash::FxHashMap as FastMap;

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
    /// Whether values may be unknown at all (exports: never), so the extractor can skip that
    /// bookkeeping.
    fn computed(&self) -> bool {
        false
    }
    /// Where the unknown `condition` is that the resource at `n` (or a child resource merged
    /// into its parent's list) is deployed under, if it has one.
    fn condition(&self, _n: NodeId) -> Option<Loc> {
        None
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

/// One value of an [`EvalDoc`].
struct Node {
    kind: Kind,
    loc: Loc,
    key: Option<Rc<str>>,
    text: Option<Rc<str>>,
    flag: bool,
    unknown: Option<Rc<Unknown>>,
    /// Index one past this node's subtree.
    end: u32,
}

/// An evaluated value (a template's resource, a spec's) as a [`Doc`], so the shared extractor
/// reads it too: a flattened, pre-order copy of the value.
pub struct EvalDoc {
    nodes: Vec<Node>,
    /// Objects deployed only under an unknown condition, and where that condition is.
    conditions: FastMap<u32, Loc>,
}

impl EvalDoc {
    /// Flattens `v`; origins of computed values are registered with the graph builder and
    /// carried in each node's [`Loc::via`].
    pub fn new(v: &Value, b: &mut GraphBuilder) -> EvalDoc {
        let mut doc = EvalDoc {
            nodes: Vec::new(),
            conditions: FastMap::default(),
        };
        let mut origins: FastMap<*const From, u32> = FastMap::default();
        doc.push(v, None, true, b, &mut origins);
        doc
    }

    /// Adds `v` and its parts, in pre-order, with an explicit stack (values may nest as deep
    /// as evaluation allows). `exact` says whether a value's location computes exactly it
    /// (false for the last segment of a child resource's name, located at the whole name).
    fn push(
        &mut self,
        v: &Value,
        key: Option<Rc<str>>,
        exact: bool,
        b: &mut GraphBuilder,
        origins: &mut FastMap<*const From, u32>,
    ) {
        /// What is left to do: a value to add, or the end of a container's subtree to note.
        enum Task<'v> {
            Add(&'v Value, Option<Rc<str>>, bool),
            End(usize),
        }
        let mut tasks = vec![Task::Add(v, key, exact)];
        while let Some(task) = tasks.pop() {
            let (v, key, exact) = match task {
                Task::Add(v, key, exact) => (v, key, exact),
                Task::End(i) => {
                    self.nodes[i].end = self.nodes.len() as u32;
                    continue;
                }
            };
            let i = self.add(v, key, exact, b, origins);
            tasks.push(Task::End(i));
            match &v.v {
                Val::Array(items) => {
                    tasks.extend(items.iter().rev().map(|x| Task::Add(x, None, true)));
                }
                Val::Object(members) => {
                    // A child resource's `name` is the last segment of the name written in full.
                    let child = v
                        .get("id")
                        .and_then(Value::text_or_symbol)
                        .and_then(|id| IdRef::parse(id).ok())
                        .is_some_and(|id| id.depth() > 1);
                    tasks.extend(members.iter().rev().map(|(k, x)| {
                        let exact = !(child && k.eq_ignore_ascii_case("name"));
                        Task::Add(x, Some(k.clone()), exact)
                    }));
                }
                _ => {}
            }
        }
    }

    /// Adds the node of `v` alone; its index.
    fn add(
        &mut self,
        v: &Value,
        key: Option<Rc<str>>,
        exact: bool,
        b: &mut GraphBuilder,
        origins: &mut FastMap<*const From, u32>,
    ) -> usize {
        let mut loc = v.at;
        if let Some(f) = &v.from {
            let ptr = Rc::as_ptr(f);
            loc.via = *origins.entry(ptr).or_insert_with(|| {
                b.origin(Origin {
                    loc: f.loc,
                    text: f.text.clone(),
                })
            });
        }
        let (kind, text, flag, unknown) = match &v.v {
            Val::Null => (Kind::Null, None, false, None),
            Val::Bool(x) => (Kind::Bool, None, *x, None),
            Val::Int(n) => (Kind::Number, Some(Rc::from(n.to_string())), false, None),
            Val::Str(s) => (Kind::String, Some(s.clone()), false, None),
            Val::Array(_) => (Kind::Array, None, false, None),
            Val::Object(_) => (Kind::Object, None, false, None),
            Val::Unknown(u) => {
                // Placeholders stand for the value in ids; messages show where it is computed.
                if let Some(sym) = &u.symbol {
                    b.placeholder(sym, exact.then_some(v.at));
                }
                (Kind::Null, None, false, Some(u.clone()))
            }
        };
        self.nodes.push(Node {
            kind,
            loc,
            key,
            text,
            flag,
            unknown,
            end: 0,
        });
        self.nodes.len() - 1
    }

    /// Hands an evaluated resource to the shared extractor.
    pub fn extract(v: &Value, file: FileId, b: &mut GraphBuilder) {
        let doc = EvalDoc::new(v, b);
        super::resource::Extractor::new(file, &doc, b).resource(doc.root());
    }

    /// Marks the object at `n` as deployed only if the unknown condition at `at` holds.
    pub fn set_condition(&mut self, n: NodeId, at: Loc) {
        self.conditions.insert(n.0, at);
    }

    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn node(&self, n: NodeId) -> &Node {
        &self.nodes[n.0 as usize]
    }
}

impl Doc for EvalDoc {
    fn kind(&self, n: NodeId) -> Kind {
        self.node(n).kind
    }
    fn get(&self, n: NodeId, key: &str) -> Option<NodeId> {
        if self.kind(n) != Kind::Object {
            return None;
        }
        self.children(n).find(|&c| {
            self.node(c)
                .key
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
        })
    }
    fn str(&self, n: NodeId) -> Option<&str> {
        let node = self.node(n);
        (node.kind == Kind::String).then(|| node.text.as_deref().unwrap_or(""))
    }
    fn bool(&self, n: NodeId) -> Option<bool> {
        let node = self.node(n);
        (node.kind == Kind::Bool).then_some(node.flag)
    }
    fn children(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let end = self.node(n).end;
        let mut next = if matches!(self.kind(n), Kind::Array | Kind::Object) {
            n.0 + 1
        } else {
            end
        };
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let id = NodeId(next);
            next = self.nodes[next as usize].end;
            Some(id)
        })
    }
    fn loc(&self, _file: FileId, n: NodeId) -> Loc {
        self.node(n).loc
    }
    fn key_loc(&self, _file: FileId, n: NodeId) -> Loc {
        self.node(n).loc
    }
    fn raw(&self, n: NodeId) -> String {
        let node = self.node(n);
        match (&node.unknown, &node.text) {
            (Some(u), _) => u
                .symbol
                .clone()
                .unwrap_or_else(|| "(unknown until deployment)".into()),
            (None, Some(t)) => t.to_string(),
            (None, None) => match node.kind {
                Kind::Bool => node.flag.to_string(),
                Kind::Null => "null".into(),
                Kind::Array => "[...]".into(),
                _ => "{...}".into(),
            },
        }
    }
    fn unknown(&self, n: NodeId) -> Option<&Unknown> {
        self.node(n).unknown.as_deref()
    }
    fn computed(&self) -> bool {
        true
    }
    fn condition(&self, n: NodeId) -> Option<Loc> {
        self.conditions.get(&n.0).copied()
    }
}
