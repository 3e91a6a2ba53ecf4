//! An evaluated resource as a [`Doc`], so the shared extractor reads templates too.

use std::rc::Rc;

use crate::doc::{Doc, Unknown};
use crate::graph::GraphBuilder;
use crate::model::{Loc, Origin};
use crate::source::FileId;
use crate::tree::{Kind, NodeId};
use rustc_hash::FxHashMap as FastMap;

use super::value::{Val, Value};

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

/// A flattened, pre-order copy of one evaluated value.
pub struct EvalDoc {
    nodes: Vec<Node>,
}

impl EvalDoc {
    /// Flattens `v`; origins of computed values are registered with the graph builder and
    /// carried in each node's [`Loc::via`].
    pub fn new(v: &Value, b: &mut GraphBuilder) -> EvalDoc {
        let mut doc = EvalDoc { nodes: Vec::new() };
        let mut origins: FastMap<*const super::value::From, u32> = FastMap::default();
        doc.push(v, None, b, &mut origins);
        doc
    }

    fn push(
        &mut self,
        v: &Value,
        key: Option<Rc<str>>,
        b: &mut GraphBuilder,
        origins: &mut FastMap<*const super::value::From, u32>,
    ) {
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
        let i = self.nodes.len();
        let (kind, text, flag, unknown) = match &v.v {
            Val::Null => (Kind::Null, None, false, None),
            Val::Bool(x) => (Kind::Bool, None, *x, None),
            Val::Int(n) => (Kind::Number, Some(Rc::from(n.to_string())), false, None),
            Val::Str(s) => (Kind::String, Some(s.clone()), false, None),
            Val::Array(_) => (Kind::Array, None, false, None),
            Val::Object(_) => (Kind::Object, None, false, None),
            Val::Unknown(u) => (Kind::Null, None, false, Some(u.clone())),
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
        match &v.v {
            Val::Array(items) => {
                for x in items.iter() {
                    self.push(x, None, b, origins);
                }
            }
            Val::Object(members) => {
                for (k, x) in members.iter() {
                    self.push(x, Some(k.clone()), b, origins);
                }
            }
            _ => {}
        }
        self.nodes[i].end = self.nodes.len() as u32;
    }

    /// Hands an evaluated resource to the shared extractor.
    pub fn extract(v: &Value, file: FileId, b: &mut GraphBuilder) {
        let doc = EvalDoc::new(v, b);
        crate::load::resource::Extractor::new(file, &doc, b).resource(doc.root());
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
}
