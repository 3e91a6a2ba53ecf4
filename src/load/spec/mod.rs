//! peerlint's own design spec (`peerlint: 1`, YAML or JSON): vnets, topology shorthands,
//! appliances, routes and intents (`../shared/design/native-spec.md` is the contract).
//!
//! Vnets, subnets, peerings, gateways and route tables are built as the ARM resources they
//! stand for, each value located at the spec node that produced it, and handed to the shared
//! extractor, so every rule reads them like any other input. Appliances and intents go to the
//! graph directly.
//!
//! Here: recognising a spec, reading it top-down with the `Loader`'s shared helpers, and
//! handing the result over (`finish`). Each part of a spec is read in a module of its own.

mod intents;
mod routes;
mod topology;
mod vnets;

use std::rc::Rc;

use ipnet::IpNet;

use crate::arm::value::Value;
use crate::graph::GraphBuilder;
use crate::load::doc::EvalDoc;
use crate::model::{
    Appliance, Loc, Prefix, PrefixList, PrefixValue, Problem, SpecPlace, SpecProblem,
};
use crate::source::FileId;
use crate::suggest::closest;
use crate::tree::{Kind, NodeId, Tree};
use rustc_hash::FxHashMap as FastMap;

/// The spec's JSON Schema (`peerlint schema`).
pub const SCHEMA: &str = include_str!("spec.schema.json");

/// A resource as the extractor reads it: `{id, name, type, properties}`, all located at `at`.
fn resource(id: &str, name: &str, ty: &str, properties: Value, at: Loc) -> Value {
    Value::object(
        [
            ("id", Value::str(id, at)),
            ("name", Value::str(name, at)),
            ("type", Value::str(ty, at)),
            ("properties", properties),
        ],
        at,
    )
}

/// Whether a document is a spec: its top level holds `peerlint`.
pub fn is_spec(t: &Tree, root: NodeId) -> bool {
    t.kind(root) == Kind::Object && t.get(root, "peerlint").is_some()
}

const TOP: &[&str] = &["peerlint", "defaults", "vnets", "topology", "intents"];

/// A vnet of the spec as it is being built.
struct SpecVnet {
    name: String,
    key: String,
    id: String,
    node: NodeId,
    external: bool,
    space: Vec<IpNet>,
    /// `properties` members of the vnet resource.
    props: Vec<(Rc<str>, Value)>,
    subnets: Vec<SpecSubnet>,
    peerings: Vec<Value>,
    /// Routes for every subnet (`routes` on the vnet).
    routes: Option<NodeId>,
    appliances: Vec<Appliance>,
}

/// A subnet of a spec vnet: its name, node and the properties of the subnet resource.
struct SpecSubnet {
    name: String,
    node: NodeId,
    props: Vec<(Rc<str>, Value)>,
}

struct Loader<'a> {
    t: &'a Tree,
    file: FileId,
    b: &'a mut GraphBuilder,
    subscription: Option<String>,
    resource_group: Option<String>,
    /// `defaults.peering`: (ARM name, value).
    peering_defaults: Vec<(&'static str, Value)>,
    vnets: Vec<SpecVnet>,
    by_name: FastMap<String, usize>,
    /// Gateways and route tables, extracted after the vnets.
    standalone: Vec<Value>,
    /// Peerings the `mesh` items made so far, and how many they may make
    /// ([`topology::MESH_BUDGET`]).
    meshed: usize,
    mesh_budget: usize,
    /// `mesh` items left unexpanded: where, and their vnets' keys.
    unexpanded: Vec<(Loc, Vec<String>)>,
    /// How many more names may be compared for "did you mean" suggestions: a reference to
    /// an undeclared vnet is compared with every vnet, so thousands of them in a spec of
    /// thousands of vnets would be millions of comparisons.
    suggestions: usize,
    /// The vnets other inputs define, by lower-case name (taken on first use: they don't
    /// change while a spec is read).
    defined: Option<FastMap<String, Vec<crate::model::VnetId>>>,
}

/// Loads a spec.
pub fn load(t: &Tree, file: FileId, b: &mut GraphBuilder) {
    load_with_budget(t, file, b, topology::MESH_BUDGET);
}

/// Loads a spec whose `mesh` items may make at most `mesh_budget` peerings.
fn load_with_budget(t: &Tree, file: FileId, b: &mut GraphBuilder, mesh_budget: usize) {
    let Some(root) = t.root() else { return };
    let mut l = Loader {
        t,
        file,
        b,
        subscription: None,
        resource_group: None,
        peering_defaults: Vec::new(),
        vnets: Vec::new(),
        by_name: FastMap::default(),
        standalone: Vec::new(),
        meshed: 0,
        mesh_budget,
        unexpanded: Vec::new(),
        suggestions: 1_000_000,
        defined: None,
    };
    l.keys(root, TOP, SpecPlace::Spec);
    if let Some(v) = t.get(root, "peerlint")
        && !(t.kind(v) == Kind::Number && t.number(v) == Some("1"))
    {
        let loc = l.loc(v);
        l.problem(SpecProblem::Version { loc });
    }
    if let Some(d) = l.object(root, "defaults") {
        l.defaults(d);
    }
    if let Some(vs) = l.object(root, "vnets") {
        for (name, def) in t.members(vs) {
            l.vnet(name, def);
        }
    }
    // Routes and topology name vnets, so they come once all vnets are known.
    for i in 0..l.vnets.len() {
        l.subnet_routes(i);
    }
    if let Some(items) = l.array(root, "topology") {
        for item in t.children(items) {
            l.topology(item);
        }
    }
    if let Some(items) = l.array(root, "intents") {
        for item in t.children(items) {
            l.intent(item);
        }
    }
    l.finish()
}

impl Loader<'_> {
    fn loc(&self, n: NodeId) -> Loc {
        Loc::new(self.file, self.t.span(n), Some(n))
    }

    fn key_loc(&self, n: NodeId) -> Loc {
        Loc::new(self.file, self.t.key_span(n), Some(n))
    }

    fn problem(&mut self, p: SpecProblem) {
        self.b.problem(Problem::Spec(p));
    }

    /// Reports keys of `obj` that aren't in `allowed`, with a suggestion.
    fn keys(&mut self, obj: NodeId, allowed: &[&'static str], place: SpecPlace) {
        let t = self.t;
        for (k, v) in t.members(obj) {
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(k)) {
                continue;
            }
            let loc = self.key_loc(v);
            self.problem(SpecProblem::UnknownKey {
                loc,
                key: k.to_string(),
                place: place.clone(),
                suggestion: closest(k, allowed.iter().copied()),
                expected: allowed.to_vec(),
            });
        }
    }

    fn typed(&mut self, obj: NodeId, key: &'static str, kind: Kind) -> Option<NodeId> {
        let n = self.t.get(obj, key)?;
        match self.t.kind(n) {
            k if k == kind => Some(n),
            Kind::Null => None,
            found => {
                let loc = self.loc(n);
                self.problem(SpecProblem::WrongType {
                    loc,
                    key,
                    expected: kind,
                    found,
                });
                None
            }
        }
    }
    fn object(&mut self, obj: NodeId, key: &'static str) -> Option<NodeId> {
        self.typed(obj, key, Kind::Object)
    }
    fn array(&mut self, obj: NodeId, key: &'static str) -> Option<NodeId> {
        self.typed(obj, key, Kind::Array)
    }
    fn string(&mut self, obj: NodeId, key: &'static str) -> Option<(String, NodeId)> {
        let n = self.typed(obj, key, Kind::String)?;
        Some((self.t.str(n).unwrap_or("").to_string(), n))
    }
    fn boolean(&mut self, obj: NodeId, key: &'static str) -> Option<(bool, NodeId)> {
        let n = self.typed(obj, key, Kind::Bool)?;
        Some((self.t.bool(n).unwrap_or(false), n))
    }

    /// A JSON value as the ARM value it stands for, located at `n`.
    fn value(&self, n: NodeId) -> Value {
        Value::literal(self.t, self.file, n)
    }

    /// Hands everything to the extractor and the graph.
    fn finish(self) {
        let t = self.t;
        let Loader {
            file,
            b,
            vnets,
            standalone,
            unexpanded,
            ..
        } = self;
        for v in vnets {
            let at = Loc::new(file, t.key_span(v.node), Some(v.node));
            if v.external {
                let space = external_space(&v.space, at);
                b.external(&v.key, &v.id, &v.name, at, space);
                continue;
            }
            let mut props = v.props;
            let subnets: Vec<Value> = v
                .subnets
                .into_iter()
                .map(|s| subnet_value(t, file, s))
                .collect();
            props.push((Rc::from("subnets"), Value::array(subnets, at)));
            props.push((
                Rc::from("virtualNetworkPeerings"),
                Value::array(v.peerings, at),
            ));
            let props = Value::object(props, at);
            let body = resource(
                &v.id,
                &v.name,
                "Microsoft.Network/virtualNetworks",
                props,
                at,
            );
            EvalDoc::extract(&body, file, b);
            for a in v.appliances {
                b.appliance(&v.key, a);
            }
        }
        for r in standalone {
            EvalDoc::extract(&r, file, b);
        }
        for (loc, keys) in unexpanded {
            b.unexpanded_mesh(loc, &keys);
        }
    }
}

/// An external vnet's address space as the graph takes it, located at the vnet (`at`).
fn external_space(space: &[IpNet], at: Loc) -> Option<PrefixList> {
    (!space.is_empty()).then(|| PrefixList {
        prefixes: space
            .iter()
            .map(|n| Prefix {
                text: n.to_string().into(),
                parsed: PrefixValue::Parsed(crate::prefix::parse(&n.to_string())),
                loc: at,
            })
            .collect(),
        loc: at,
    })
}

/// A subnet as the extractor reads it inside its vnet: `{name, properties}`, located at its key.
fn subnet_value(t: &Tree, file: FileId, subnet: SpecSubnet) -> Value {
    let SpecSubnet {
        name,
        node,
        props: sprops,
    } = subnet;
    let sat = Loc::new(file, t.key_span(node), Some(node));
    Value::object(
        [
            ("name", Value::str(&name, sat)),
            ("properties", Value::object(sprops, sat)),
        ],
        sat,
    )
}
