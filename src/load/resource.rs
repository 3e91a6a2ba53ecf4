//! Turns Azure resource objects (vnets, subnets, peerings, gateways) into the model.
//!
//! Every exported shape describes the same ARM resources; they differ in the envelope, in
//! whether properties sit under `properties` (REST, Resource Graph) or are flattened (az CLI,
//! PowerShell), and in key casing (PowerShell is PascalCase). Property lookups here are
//! case-insensitive and look in `properties` first, so one extractor serves every shape; each
//! shape's loader only finds the resource objects.

use crate::graph::{GraphBuilder, Partial, VnetDraft};
use crate::id::{ArmId, IdRef};
use crate::model::*;
use crate::prefix;
use crate::source::FileId;
use crate::tree::{Kind, NodeId, Tree};

use super::doc::Doc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    Vnet,
    Peering,
    Gateway,
    /// A Route Server's ip configuration (`virtualHubs/ipConfigurations`).
    RouteServer,
    RouteTable,
    Other,
}

/// Where an extractor puts what it finds: straight into the graph, or into a record that is
/// added to it later, in input order, exactly as if it had gone straight in.
pub enum Sink<'a> {
    Graph(&'a mut GraphBuilder),
    Record(Vec<Op>),
}

/// One call an extractor made to the graph builder.
pub enum Op {
    Unresolved(Box<Unresolved>),
    ProblemOf(String, Box<Problem>),
    Partial(String, Partial, Loc),
    Condition(String, Loc),
    Define(Box<VnetDraft>),
    /// A reference; the next [`Op::StandalonePeering`] belongs to its vnet.
    Reference(String, String, String, Loc),
    StandalonePeering(Box<Peering>, Option<(String, Loc)>),
    RouteTable(Box<RouteTable>),
    Gateway(String, String, String, Box<Gateway>),
    UnplacedGateway(Loc),
}

/// The calls a recording extractor made, in order.
pub struct Recorded(Vec<Op>);

impl Recorded {
    /// Adds what was recorded to the graph, as the calls would have.
    pub fn replay(self, b: &mut GraphBuilder) {
        let mut local = None;
        for op in self.0 {
            match op {
                Op::Unresolved(u) => b.unresolved(*u),
                Op::ProblemOf(r, p) => b.problem_of(&r, *p),
                Op::Partial(k, l, at) => b.partial(&k, l, at),
                Op::Condition(id, at) => b.condition(&id, at),
                Op::Define(d) => {
                    b.define(*d);
                }
                Op::Reference(key, id, name, loc) => {
                    local = Some(b.reference(&key, &id, &name, loc))
                }
                Op::StandalonePeering(p, remote) => {
                    let local = local.expect("a standalone peering follows its vnet's reference");
                    b.standalone_peering(local, *p, remote);
                }
                Op::RouteTable(t) => b.route_table(*t),
                Op::Gateway(key, id, name, g) => b.gateway(&key, &id, &name, *g),
                Op::UnplacedGateway(loc) => b.unplaced_gateway(loc),
            }
        }
    }
}

/// The graph builder's calls the extractor makes, for either sink.
impl Sink<'_> {
    pub fn unresolved(&mut self, u: Unresolved) {
        match self {
            Sink::Graph(b) => b.unresolved(u),
            Sink::Record(ops) => ops.push(Op::Unresolved(Box::new(u))),
        }
    }
    pub fn problem_of(&mut self, resource: &str, p: Problem) {
        match self {
            Sink::Graph(b) => b.problem_of(resource, p),
            Sink::Record(ops) => ops.push(Op::ProblemOf(resource.to_string(), Box::new(p))),
        }
    }
    pub fn partial(&mut self, key: &str, list: Partial, at: Loc) {
        match self {
            Sink::Graph(b) => b.partial(key, list, at),
            Sink::Record(ops) => ops.push(Op::Partial(key.to_string(), list, at)),
        }
    }
    pub fn condition(&mut self, id: &str, at: Loc) {
        match self {
            Sink::Graph(b) => b.condition(id, at),
            Sink::Record(ops) => ops.push(Op::Condition(id.to_string(), at)),
        }
    }
    pub fn define(&mut self, draft: VnetDraft) {
        match self {
            Sink::Graph(b) => {
                b.define(draft);
            }
            Sink::Record(ops) => {
                // Worked out on this thread, not where the graph is built.
                let mut draft = draft;
                draft.prepare();
                ops.push(Op::Define(Box::new(draft)))
            }
        }
    }
    /// The vnet with `key`, created as referenced-only when unknown: its id when the graph is
    /// at hand (a record finds it again when replayed).
    pub fn reference(&mut self, key: &str, id: &str, name: &str, loc: Loc) -> Option<VnetId> {
        match self {
            Sink::Graph(b) => Some(b.reference(key, id, name, loc)),
            Sink::Record(ops) => {
                ops.push(Op::Reference(key.into(), id.into(), name.into(), loc));
                None
            }
        }
    }
    /// A standalone peering of the vnet [`Sink::reference`] last returned.
    pub fn standalone_peering(
        &mut self,
        local: Option<VnetId>,
        p: Peering,
        remote: Option<(String, Loc)>,
    ) {
        match self {
            Sink::Graph(b) => {
                b.standalone_peering(local.expect("the vnet is referenced first"), p, remote)
            }
            Sink::Record(ops) => ops.push(Op::StandalonePeering(Box::new(p), remote)),
        }
    }
    pub fn route_table(&mut self, t: RouteTable) {
        match self {
            Sink::Graph(b) => b.route_table(t),
            Sink::Record(ops) => ops.push(Op::RouteTable(Box::new(t))),
        }
    }
    pub fn gateway(&mut self, key: &str, id: &str, name: &str, gateway: Gateway) {
        match self {
            Sink::Graph(b) => b.gateway(key, id, name, gateway),
            Sink::Record(ops) => ops.push(Op::Gateway(
                key.into(),
                id.into(),
                name.into(),
                Box::new(gateway),
            )),
        }
    }
    pub fn unplaced_gateway(&mut self, loc: Loc) {
        match self {
            Sink::Graph(b) => b.unplaced_gateway(loc),
            Sink::Record(ops) => ops.push(Op::UnplacedGateway(loc)),
        }
    }
}

/// A string value and its node.
type Named = (String, NodeId);

/// Where an ip configuration is: its vnet, its subnet's name and where that is (when known),
/// and where the subnet id is.
type Placement = (ArmId, Option<(String, Loc)>, Loc);

pub struct Extractor<'a, D: Doc> {
    pub file: FileId,
    pub tree: &'a D,
    pub b: Sink<'a>,
    /// Resources found so far (vnets, peerings, gateways).
    pub found: usize,
    /// The last object whose `properties` wrapper was looked up, and that wrapper.
    props_cache: std::cell::Cell<(u32, Option<NodeId>)>,
    /// The resource being extracted (its id), for unresolved values and problems.
    current: String,
}

/// A resource's or list item's `name` as far as it is known.
enum Name {
    /// Known, or known up to placeholders (`{hubName}`): the text and its node.
    Text(String, NodeId),
    /// Unknown, with no placeholder to stand for it: a placeholder for this one name made up
    /// from where it is written (`{@file:start:end}`), which messages show as the expression.
    Opaque(String, NodeId),
    /// The expression is invalid (reported as such): the item is left out.
    Invalid(NodeId),
    Absent,
}

/// The fact a peering flag is, when a rule reads it.
fn flag_fact(name: &str) -> Option<Fact> {
    match name {
        "useRemoteGateways" => Some(Fact::UseRemoteGateways),
        "allowGatewayTransit" => Some(Fact::AllowGatewayTransit),
        "peerCompleteVnets" => Some(Fact::PeerCompleteVnets),
        "enableOnlyIPv6Peering" => Some(Fact::OnlyIpv6),
        _ => None,
    }
}

/// Items of an export's list extracted together on one thread, before they join the graph.
const ITEMS_PER_TASK: usize = 64;

impl Extractor<'_, Tree> {
    /// [`Extractor::resources`] of an export's list, on every thread of the pool when the list
    /// is long: items are extracted in tasks of [`ITEMS_PER_TASK`] into records, on the pool's
    /// threads, and the records are replayed into the graph in the list's order while the
    /// next round is extracted. The graph is the one a single thread builds (the records are
    /// the same calls), and the records waiting hold two rounds of items at most.
    pub fn resources_on_pool(&mut self, array: NodeId) {
        use rayon::prelude::*;
        let threads = crate::pool::threads();
        let long = self.tree.children(array).nth(2 * ITEMS_PER_TASK).is_some();
        let Sink::Graph(b) = &mut self.b else {
            return self.resources(array);
        };
        if threads < 2 || !long {
            return self.resources(array);
        }
        let (file, tree) = (self.file, self.tree);
        let items: Vec<NodeId> = tree.children(array).collect();
        let extract = |task: &[NodeId]| {
            let mut x = Extractor::recording(file, tree);
            for &item in task {
                x.resource(item);
            }
            (x.found, x.into_recorded())
        };
        let found = &mut self.found;
        let mut join = |records: Vec<(usize, Recorded)>| {
            for (n, r) in records {
                *found += n;
                r.replay(b);
            }
        };
        let mut waiting = Vec::new();
        for round in items.chunks(ITEMS_PER_TASK * threads) {
            let ((), next) = rayon::join(
                || join(std::mem::take(&mut waiting)),
                || round.par_chunks(ITEMS_PER_TASK).map(extract).collect(),
            );
            waiting = next;
        }
        join(waiting);
    }
}

impl<'a, D: Doc> Extractor<'a, D> {
    pub fn new(file: FileId, tree: &'a D, b: &'a mut GraphBuilder) -> Extractor<'a, D> {
        Extractor {
            file,
            tree,
            b: Sink::Graph(b),
            found: 0,
            props_cache: std::cell::Cell::new((u32::MAX, None)),
            current: String::new(),
        }
    }

    /// An extractor that records what it finds instead of adding it to a graph, so that files
    /// are extracted on several threads and added in order ([`Recorded::replay`]).
    pub fn recording(file: FileId, tree: &'a D) -> Extractor<'a, D> {
        Extractor {
            file,
            tree,
            b: Sink::Record(Vec::new()),
            found: 0,
            props_cache: std::cell::Cell::new((u32::MAX, None)),
            current: String::new(),
        }
    }

    /// What a recording extractor found.
    pub fn into_recorded(self) -> Recorded {
        match self.b {
            Sink::Record(ops) => Recorded(ops),
            Sink::Graph(_) => Recorded(Vec::new()),
        }
    }

    /// Records an unknown value (when it is a fact some rule reads) and says whether `n` is
    /// unknown.
    fn is_unknown(&mut self, n: NodeId, what: impl FnOnce() -> String, fact: Option<Fact>) -> bool {
        let Some(u) = self.tree.unknown(n) else {
            return false;
        };
        let what = what();
        // An invalid expression is reported as such; it is not a deploy-time unknown.
        if let Some(fact) = fact
            && !u.error
        {
            let owner = self.current.rsplit('/').next().unwrap_or("");
            let un = Unresolved {
                loc: self.loc(n),
                resource: self.current.clone(),
                what: format!("{what} of `{owner}`"),
                reason: u.reason.clone(),
                blocks: Blocked::Fact(fact),
            };
            self.b.unresolved(un);
        }
        true
    }

    pub fn loc(&self, n: NodeId) -> Loc {
        self.tree.loc(self.file, n)
    }

    fn key_loc(&self, n: NodeId) -> Loc {
        self.tree.key_loc(self.file, n)
    }

    /// A property: under `properties` when the object has that wrapper, else at the top.
    pub fn field(&self, obj: NodeId, name: &str) -> Option<NodeId> {
        let t = self.tree;
        let (cached, props) = self.props_cache.get();
        let props = if cached == obj.0 {
            props
        } else {
            let p = t
                .get(obj, "properties")
                .filter(|&p| t.kind(p) == Kind::Object);
            self.props_cache.set((obj.0, p));
            p
        };
        if let Some(props) = props
            && let Some(v) = t.get(props, name)
        {
            return Some(v);
        }
        t.get(obj, name)
    }

    fn type_problem(&mut self, n: NodeId, property: &str, expected: Kind) {
        let found = self.tree.kind(n);
        let p = Problem::PropertyType {
            loc: self.loc(n),
            property: property.to_string(),
            expected,
            found,
        };
        self.b.problem_of(&self.current, p);
    }

    /// The object's `properties` when it is a value known only at deployment: then nothing
    /// under it is known. Recorded (the resource can't be checked) unless it is the result of
    /// an invalid expression.
    fn unknown_properties(&mut self, obj: NodeId) -> Option<Loc> {
        let n = self.tree.get(obj, "properties")?;
        let u = self.tree.unknown(n)?;
        let loc = self.loc(n);
        if !u.error {
            let owner = self.current.rsplit('/').next().unwrap_or("");
            let un = Unresolved {
                loc,
                resource: self.current.clone(),
                what: format!("`properties` of `{owner}`"),
                reason: u.reason.clone(),
                blocks: Blocked::Resource,
            };
            self.b.unresolved(un);
        }
        Some(loc)
    }

    /// The `name` of a resource or list item.
    fn name(&mut self, obj: NodeId) -> Name {
        let Some(n) = self.field(obj, "name") else {
            return Name::Absent;
        };
        match self.tree.unknown(n) {
            Some(u) if u.error => Name::Invalid(n),
            Some(u) => match &u.symbol {
                Some(sym) => Name::Text(sym.clone(), n),
                None => {
                    // Where it is written (unique, so it never equals another name), which
                    // messages show.
                    let loc = self.loc(n);
                    let (start, end) = (loc.span.start, loc.span.end);
                    Name::Opaque(format!("{{@{}:{start}:{end}}}", loc.file.0), n)
                }
            },
            None => match self.tree.kind(n) {
                Kind::String => Name::Text(self.tree.str(n).unwrap_or_default().to_string(), n),
                Kind::Null => Name::Absent,
                _ => {
                    self.type_problem(n, "name", Kind::String);
                    Name::Absent
                }
            },
        }
    }

    /// A list of a vnet (`subnets`, `virtualNetworkPeerings`) that is `fact`: when it, or one
    /// of its items, is unknown, the vnet's `list` is partial. The known object items.
    fn vnet_list(
        &mut self,
        obj: NodeId,
        key: &str,
        name: &str,
        fact: Fact,
        list: Partial,
    ) -> Vec<NodeId> {
        let Some(n) = self.field(obj, name) else {
            return Vec::new();
        };
        if self.tree.unknown(n).is_some() {
            self.is_unknown(n, || format!("`{name}`"), Some(fact));
            self.b.partial(key, list, self.loc(n));
            return Vec::new();
        }
        let Some(n) = self.container(obj, name, Kind::Array, Some(fact)) else {
            return Vec::new();
        };
        let tree = self.tree;
        let mut items = Vec::new();
        for item in tree.children(n) {
            if self.is_unknown(item, || format!("an entry of `{name}`"), Some(fact)) {
                self.b.partial(key, list, self.loc(item));
            } else if self.tree.kind(item) != Kind::Object {
                self.type_problem(item, &format!("{name}[]"), Kind::Object);
            } else {
                items.push(item);
            }
        }
        items
    }

    /// A string property; `null` counts as absent, other types are reported.
    pub fn string(&mut self, obj: NodeId, name: &str) -> Option<(String, NodeId)> {
        let n = self.field(obj, name)?;
        if let Some(u) = self.tree.unknown(n) {
            if let Some(sym) = &u.symbol {
                return Some((sym.clone(), n));
            }
            self.is_unknown(n, || format!("`{name}`"), None);
            return None;
        }
        match self.tree.kind(n) {
            Kind::String => Some((self.tree.str(n).unwrap_or_default().to_string(), n)),
            Kind::Null => None,
            _ => {
                self.type_problem(n, name, Kind::String);
                None
            }
        }
    }

    /// An array property; `null` counts as absent (old az versions print it for `[]`).
    fn array(&mut self, obj: NodeId, name: &str) -> Option<NodeId> {
        self.array_for(obj, name, None)
    }

    /// An array property that is `fact` (recorded when unknown).
    fn array_for(&mut self, obj: NodeId, name: &str, fact: Option<Fact>) -> Option<NodeId> {
        self.container(obj, name, Kind::Array, fact)
    }

    /// A property of kind `kind` (array or object): `null` and unknown values count as
    /// absent (unknowns are recorded), other kinds are reported.
    fn container(
        &mut self,
        obj: NodeId,
        name: &str,
        kind: Kind,
        fact: Option<Fact>,
    ) -> Option<NodeId> {
        let n = self.field(obj, name)?;
        if self.is_unknown(n, || format!("`{name}`"), fact) {
            return None;
        }
        match self.tree.kind(n) {
            k if k == kind => Some(n),
            Kind::Null => None,
            _ => {
                self.type_problem(n, name, kind);
                None
            }
        }
    }

    fn object(&mut self, obj: NodeId, name: &str) -> Option<NodeId> {
        self.object_for(obj, name, None)
    }

    fn object_for(&mut self, obj: NodeId, name: &str, fact: Option<Fact>) -> Option<NodeId> {
        self.container(obj, name, Kind::Object, fact)
    }

    fn flag(&mut self, obj: NodeId, name: &str, default: bool) -> Flag {
        let Some(n) = self.field(obj, name) else {
            return Flag::default_to(default);
        };
        if self.is_unknown(n, || format!("`{name}`"), flag_fact(name)) {
            return Flag {
                value: default,
                loc: Some(self.loc(n)),
                unresolved: true,
            };
        }
        match self.tree.kind(n) {
            Kind::Bool => Flag::new(self.tree.bool(n).unwrap_or(default), self.loc(n)),
            Kind::Null => Flag::default_to(default),
            _ => {
                self.type_problem(n, name, Kind::Bool);
                Flag::default_to(default)
            }
        }
    }

    pub fn kind_of(&self, obj: NodeId) -> ResourceKind {
        let t = self.tree;
        if t.kind(obj) != Kind::Object {
            return ResourceKind::Other;
        }
        if let Some(ty) = t.get_str(obj, "type") {
            let ty = ty.to_ascii_lowercase();
            return if ty.ends_with("/virtualnetworks") && ty.starts_with("microsoft.network/") {
                ResourceKind::Vnet
            } else if ty.ends_with("/virtualnetworkpeerings") {
                ResourceKind::Peering
            } else if ty.ends_with("/virtualnetworkgateways") {
                ResourceKind::Gateway
            } else if ty == "microsoft.network/virtualhubs/ipconfigurations" {
                ResourceKind::RouteServer
            } else if ty == "microsoft.network/routetables" {
                ResourceKind::RouteTable
            } else {
                ResourceKind::Other
            };
        }
        if self.field(obj, "addressSpace").is_some() {
            ResourceKind::Vnet
        } else if self.field(obj, "remoteVirtualNetwork").is_some() {
            ResourceKind::Peering
        } else {
            ResourceKind::Other
        }
    }

    /// Loads one resource object of any supported kind; others are skipped.
    pub fn resource(&mut self, obj: NodeId) {
        match self.kind_of(obj) {
            ResourceKind::Vnet => self.vnet(obj),
            ResourceKind::Peering => self.standalone_peering(obj),
            ResourceKind::Gateway => self.gateway_resource(obj),
            ResourceKind::RouteServer => self.route_server(obj),
            ResourceKind::RouteTable => self.route_table(obj),
            ResourceKind::Other => {}
        }
    }

    /// Loads every element of an array of resources.
    pub fn resources(&mut self, array: NodeId) {
        let tree = self.tree;
        for item in tree.children(array) {
            self.resource(item);
        }
    }

    fn prefix(&mut self, n: NodeId, fact: Option<Fact>) -> Prefix {
        let t = self.tree;
        let loc = self.loc(n);
        if self.is_unknown(n, || "an address prefix".to_string(), fact) {
            return Prefix {
                text: t.raw(n).into(),
                parsed: PrefixValue::Unresolved,
                loc,
            };
        }
        match t.str(n) {
            Some(s) => Prefix {
                text: s.into(),
                parsed: PrefixValue::Parsed(prefix::parse(s)),
                loc,
            },
            None => Prefix {
                text: t.raw(n).into(),
                parsed: PrefixValue::WrongType(t.kind(n)),
                loc,
            },
        }
    }

    /// `{addressPrefixes: [...]}` objects (address spaces).
    fn address_space(&mut self, obj: NodeId, name: &str, fact: Option<Fact>) -> Option<PrefixList> {
        let space = self.object_for(obj, name, fact)?;
        let list = self.array_for(space, "addressPrefixes", fact)?;
        self.prefix_list(list, fact)
    }

    fn prefix_list(&mut self, list: NodeId, fact: Option<Fact>) -> Option<PrefixList> {
        let tree = self.tree;
        // Sized exactly: most lists hold one prefix, and a collected Vec would reserve four.
        let mut prefixes = Vec::with_capacity(tree.children(list).count());
        prefixes.extend(tree.children(list).map(|n| self.prefix(n, fact)));
        Some(PrefixList {
            prefixes,
            loc: self.loc(list),
        })
    }

    /// A subnet's `addressPrefixes`, else its `addressPrefix` (a string; a list in PowerShell).
    fn subnet_prefixes(&mut self, obj: NodeId) -> Option<PrefixList> {
        let b = Some(Fact::SubnetPrefixes);
        if let Some(list) = self.array_for(obj, "addressPrefixes", b) {
            return self.prefix_list(list, b);
        }
        let n = self.field(obj, "addressPrefix")?;
        match self.tree.kind(n) {
            Kind::Null if self.tree.unknown(n).is_none() => None,
            Kind::Array => self.prefix_list(n, b),
            _ => Some(PrefixList {
                prefixes: vec![self.prefix(n, b)],
                loc: self.loc(n),
            }),
        }
    }

    fn name_and_id(&mut self, obj: NodeId) -> (Option<Named>, Option<Named>) {
        (self.string(obj, "name"), self.string(obj, "id"))
    }

    fn vnet(&mut self, obj: NodeId) {
        self.found += 1;
        let name = match self.name(obj) {
            Name::Text(s, n) | Name::Opaque(s, n) => Some((s, n)),
            Name::Invalid(_) | Name::Absent => None,
        };
        let id = self.string(obj, "id");
        let parsed = id.as_ref().and_then(|(s, _)| IdRef::parse(s).ok());
        let (key, id_text) = match (&parsed, &id) {
            (Some(a), Some((text, _))) if a.depth() == 1 => (a.key(), text.clone()),
            _ => {
                // No usable id: identify the vnet by resource group and name.
                let rg = self
                    .string(obj, "resourceGroup")
                    .or_else(|| self.string(obj, "resourceGroupName"));
                let rg = rg.map(|(s, _)| s).unwrap_or_default();
                let n = name.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
                (
                    format!(
                        "unidentified:{}/{}",
                        rg.to_ascii_lowercase(),
                        n.to_ascii_lowercase()
                    ),
                    n,
                )
            }
        };
        let vnet_name = name
            .as_ref()
            .map(|(s, _)| s.clone())
            .or_else(|| parsed.as_ref().map(|a| a.name().to_string()))
            .unwrap_or_default();
        self.current = id_text.clone();
        // Nothing of a vnet whose `properties` are unknown is known but its name.
        let opaque = self.unknown_properties(obj);
        if let Some(at) = opaque {
            self.b.partial(&key, Partial::Subnets, at);
            self.b.partial(&key, Partial::Peerings, at);
        }
        let address_space = self.address_space(obj, "addressSpace", Some(Fact::AddressSpace));
        let items = self.vnet_list(obj, &key, "subnets", Fact::Subnets, Partial::Subnets);
        let mut subnets = Vec::with_capacity(items.len());
        let mut gateways = Vec::new();
        for s in items {
            if let Some(subnet) = self.subnet(s, &key, &mut gateways) {
                subnets.push(subnet);
            }
        }
        let vnet = Vnet {
            key: key.clone(),
            id: id_text.clone(),
            name: vnet_name,
            defined: true,
            loc: self.loc(obj),
            name_loc: name.as_ref().map(|(_, n)| self.loc(*n)),
            address_space,
            subnets,
            gateways,
            peerings: Vec::new(),
            also_defined_at: Vec::new(),
            absent_gateways: Vec::new(),
            appliances: Vec::new(),
            external: false,
        };
        if let Some(c) = self.tree.condition(obj) {
            self.b.condition(&id_text, c);
        }
        let mut peerings = Vec::new();
        // A peering written inside its vnet is sent with the vnet's API version.
        let api = self.api_version(obj);
        let items = self.vnet_list(
            obj,
            &key,
            "virtualNetworkPeerings",
            Fact::Peerings,
            Partial::Peerings,
        );
        for p in items {
            match self.peering(p, &id_text, api.clone()) {
                Some(p) => peerings.push(p),
                // Left out (its name is an invalid expression): the list is partial.
                None => self.b.partial(&key, Partial::Peerings, self.loc(p)),
            }
            self.current = id_text.clone();
        }
        self.b.define(VnetDraft {
            vnet,
            peerings,
            prepared: Vec::new(),
        });
    }

    /// A subnet of the vnet with `key`; None when its name is an invalid expression.
    fn subnet(&mut self, obj: NodeId, key: &str, gateways: &mut Vec<Gateway>) -> Option<Subnet> {
        let id = self.string(obj, "id");
        let (name, name_node) = match (self.name(obj), id) {
            (Name::Invalid(n), _) => {
                self.b.partial(key, Partial::Subnets, self.loc(n));
                return None;
            }
            (Name::Text(n, node), _) | (Name::Opaque(n, node), _) => {
                // A name known only at deployment may be the one a subnet peering lists.
                if self.is_unknown(
                    node,
                    || "the name of a subnet".to_string(),
                    Some(Fact::SubnetNames),
                ) {
                    self.b.partial(key, Partial::Subnets, self.loc(node));
                }
                (n, node)
            }
            (Name::Absent, Some((id, node))) => {
                (id.rsplit('/').next().unwrap_or_default().to_string(), node)
            }
            (Name::Absent, None) => (String::new(), obj),
        };
        // Unknown prefixes and problems are the subnet's (`<vnet id>/subnets/<name>`).
        let vnet_id = std::mem::take(&mut self.current);
        self.current = format!("{vnet_id}/subnets/{name}");
        let prefixes = self.subnet_prefixes(obj);
        // Gateways and Route Servers show up as ip configurations of their subnets.
        if let Some(configs) = self.array(obj, "ipConfigurations") {
            let tree = self.tree;
            for c in tree.children(configs) {
                let Some((cid, cnode)) = self.string(c, "id") else {
                    continue;
                };
                let lower = cid.to_ascii_lowercase();
                // An ip configuration names the gateway, not its type.
                let kind = if name.eq_ignore_ascii_case("GatewaySubnet")
                    && lower.contains("/virtualnetworkgateways/")
                {
                    GatewayKind::Unknown
                } else if name.eq_ignore_ascii_case("RouteServerSubnet")
                    && lower.contains("/virtualhubs/")
                {
                    GatewayKind::RouteServer
                } else {
                    continue;
                };
                let gid = cid
                    .split("/ipConfigurations/")
                    .next()
                    .unwrap_or(&cid)
                    .to_string();
                add_gateway(
                    gateways,
                    Gateway {
                        kind,
                        id: gid,
                        loc: self.loc(cnode),
                        sku: None,
                        subnet: Some((name.clone(), self.loc(name_node))),
                    },
                );
            }
        }
        let route_table = self
            .object(obj, "routeTable")
            .and_then(|rt| self.string(rt, "id"))
            .map(|(id, n)| (id, self.loc(n)));
        self.current = vnet_id;
        Some(Subnet {
            name,
            loc: self.loc(obj),
            name_loc: self.loc(name_node),
            prefixes,
            route_table,
        })
    }

    /// A subnet peering's list of subnet names; an unknown list, or unknown names in it, make
    /// it incomplete.
    fn names(&mut self, obj: NodeId, key: &str) -> Option<NameList> {
        let fact = Some(Fact::PeeredSubnetNames);
        let n = self.field(obj, key)?;
        if self.is_unknown(n, || format!("`{key}`"), fact) {
            return Some(NameList {
                names: Vec::new(),
                loc: self.loc(n),
                incomplete: true,
            });
        }
        let list = self.container(obj, key, Kind::Array, fact)?;
        let items: Vec<NodeId> = self.tree.children(list).collect();
        let mut names = Vec::new();
        let mut incomplete = false;
        for n in items {
            if self.is_unknown(n, || format!("an entry of `{key}`"), fact) {
                incomplete = true;
                continue;
            }
            match self.tree.str(n) {
                Some(s) => names.push((s.to_string(), self.loc(n))),
                None => self.type_problem(n, key, Kind::String),
            }
        }
        Some(NameList {
            names,
            loc: self.loc(list),
            incomplete,
        })
    }

    /// A peering object; `local_id` is the id of the vnet it belongs to, `api` the API version
    /// it is sent with unless it says its own. None when its name is an invalid expression
    /// (reported as such; the vnet's peerings are then partial).
    fn peering(
        &mut self,
        obj: NodeId,
        local_id: &str,
        api: Option<(String, Loc)>,
    ) -> Option<(Peering, Option<(String, Loc)>)> {
        self.found += 1;
        let id = self.string(obj, "id");
        let name = match self.name(obj) {
            Name::Invalid(_) => return None,
            Name::Text(s, n) | Name::Opaque(s, n) => Some((s, n)),
            Name::Absent => None,
        };
        let id_name = id
            .as_ref()
            .and_then(|(s, _)| IdRef::parse(s).ok())
            .map(|a| a.name().to_string());
        // The id's last segment is the peering's identity; `name` normally agrees with it.
        let (pname, name_loc) = match (&name, &id_name) {
            (Some((n, node)), Some(i)) if !n.eq_ignore_ascii_case(i) => {
                (i.clone(), id.as_ref().map(|(_, x)| *x).or(Some(*node)))
            }
            (Some((n, node)), _) => (n.clone(), Some(*node)),
            (None, Some(i)) => (i.clone(), id.as_ref().map(|(_, x)| *x)),
            (None, None) => (String::new(), None),
        };
        let full_id = match &id {
            Some((s, _)) => s.clone(),
            None => format!("{local_id}/virtualNetworkPeerings/{pname}"),
        };
        self.current = full_id.clone();
        let name_known = match name.as_ref().map(|(_, n)| *n).or(name_loc) {
            Some(n) => !self.is_unknown(
                n,
                || "the peering's name".to_string(),
                Some(Fact::PeeringName),
            ),
            None => true,
        };
        // Nothing of a peering whose `properties` are unknown is known but its name.
        let opaque = self.unknown_properties(obj);
        let mut unresolved_remote = None;
        let remote_field = self.field(obj, "remoteVirtualNetwork");
        if let Some(r) = remote_field
            && self.is_unknown(
                r,
                || "`remoteVirtualNetwork`".to_string(),
                Some(Fact::RemoteVnet),
            )
        {
            unresolved_remote = Some(self.loc(r));
        }
        let remote = unresolved_remote
            .is_none()
            .then(|| self.object_for(obj, "remoteVirtualNetwork", Some(Fact::RemoteVnet)))
            .flatten()
            .and_then(|r| {
                let n = self.tree.get(r, "id")?;
                if let Some(sym) = self.tree.unknown(n).and_then(|u| u.symbol.clone())
                    && matches!(
                        crate::id::classify_remote(&sym),
                        crate::id::RemoteKind::Vnet(_)
                    )
                {
                    return Some((sym, self.loc(n)));
                }
                if self.is_unknown(
                    n,
                    || "`remoteVirtualNetwork.id`".to_string(),
                    Some(Fact::RemoteVnet),
                ) {
                    unresolved_remote = Some(self.loc(n));
                    return None;
                }
                match self.tree.str(n) {
                    Some(s) => Some((s.to_string(), self.loc(n))),
                    None if self.tree.kind(n) == Kind::Null => None,
                    None => {
                        self.type_problem(n, "remoteVirtualNetwork.id", Kind::String);
                        None
                    }
                }
            });
        let remote_gateways = match self.array(obj, "remoteGateways") {
            Some(list) => self.tree.children(list).map(|n| self.loc(n)).collect(),
            None => Vec::new(),
        };
        let mut peering = Peering {
            id: full_id,
            name: pname,
            name_known,
            name_loc: name_loc.map(|n| self.loc(n)),
            loc: self.loc(obj),
            local: VnetId(u32::MAX),
            remote: match unresolved_remote {
                Some(loc) => Remote::Unresolved { loc },
                None => Remote::Missing,
            },
            allow_virtual_network_access: self.flag(obj, "allowVirtualNetworkAccess", true),
            allow_forwarded_traffic: self.flag(obj, "allowForwardedTraffic", false),
            allow_gateway_transit: self.flag(obj, "allowGatewayTransit", false),
            use_remote_gateways: self.flag(obj, "useRemoteGateways", false),
            do_not_verify_remote_gateways: self.flag(obj, "doNotVerifyRemoteGateways", false),
            peer_complete_vnets: self.flag(obj, "peerCompleteVnets", true),
            only_ipv6: self.flag(obj, "enableOnlyIPv6Peering", false),
            local_subnets: self.names(obj, "localSubnetNames").map(Box::new),
            remote_subnets: self.names(obj, "remoteSubnetNames").map(Box::new),
            state: self
                .string(obj, "peeringState")
                .map(|(s, n)| (s.into(), self.loc(n))),
            sync_level: self
                .string(obj, "peeringSyncLevel")
                .map(|(s, n)| (s.into(), self.loc(n))),
            remote_address_space: self
                .address_space(obj, "remoteAddressSpace", None)
                .or_else(|| self.address_space(obj, "peeredRemoteAddressSpace", None)),
            remote_vnet_address_space: self.address_space(
                obj,
                "remoteVirtualNetworkAddressSpace",
                None,
            ),
            remote_gateways,
            api_version: match self.field(obj, "apiVersion") {
                Some(_) => self.api_version(obj),
                None => api,
            }
            .map(Box::new),
        };
        if let Some(at) = opaque {
            peering.remote = Remote::Unresolved { loc: at };
            for flag in [
                &mut peering.allow_virtual_network_access,
                &mut peering.allow_forwarded_traffic,
                &mut peering.allow_gateway_transit,
                &mut peering.use_remote_gateways,
                &mut peering.do_not_verify_remote_gateways,
                &mut peering.peer_complete_vnets,
                &mut peering.only_ipv6,
            ] {
                flag.loc = Some(at);
                flag.unresolved = true;
            }
        }
        if let Some(c) = self.tree.condition(obj) {
            self.b.condition(&peering.id, c);
        }
        Some((peering, remote))
    }

    /// A peering on its own: its vnet comes from its id.
    fn standalone_peering(&mut self, obj: NodeId) {
        let id = self.string(obj, "id");
        let parsed = id.as_ref().and_then(|(s, _)| ArmId::parse(s).ok());
        let Some(parsed) = parsed.filter(|a| {
            a.types.len() == 2
                && a.is_type(
                    "Microsoft.Network",
                    &["virtualNetworks", "virtualNetworkPeerings"],
                )
        }) else {
            let at = id.as_ref().map(|(_, n)| *n).unwrap_or(obj);
            let loc = self.loc(at);
            let written = id.as_ref().map(|(s, _)| s.as_str()).unwrap_or("");
            self.b
                .problem_of(written, Problem::StandalonePeeringId { loc });
            return;
        };
        let vnet_id = parsed.ancestor(1);
        let loc = self.key_loc(obj);
        let local = self
            .b
            .reference(&vnet_id.key(), &vnet_id.display(), vnet_id.name(), loc);
        let api = self.api_version(obj);
        match self.peering(obj, &vnet_id.display(), api) {
            Some((p, remote)) => self.b.standalone_peering(local, p, remote),
            None => self.b.partial(&vnet_id.key(), Partial::Peerings, loc),
        }
    }

    /// A route table with its routes.
    fn route_table(&mut self, obj: NodeId) {
        self.found += 1;
        let (name, id) = self.name_and_id(obj);
        let id = id.map(|(s, _)| s).unwrap_or_default();
        self.current = id.clone();
        let mut routes = Vec::new();
        let unknown = |x: &Self, obj: NodeId, key: &str| {
            x.field(obj, key)
                .is_some_and(|n| x.tree.unknown(n).is_some())
        };
        let routes_unknown = unknown(self, obj, "routes");
        if let Some(list) = self.array(obj, "routes") {
            let tree = self.tree;
            for r in tree.children(list) {
                let rname = self.string(r, "name").map(|(s, _)| s).unwrap_or_default();
                let prefix = self.field(r, "addressPrefix").map(|n| self.prefix(n, None));
                let hop = |x: &mut Self, key: &str| x.string(r, key).map(|(s, n)| (s, x.loc(n)));
                routes.push(Route {
                    name: rname,
                    loc: self.loc(r),
                    prefix,
                    next_hop_type: hop(self, "nextHopType"),
                    next_hop_ip: hop(self, "nextHopIpAddress"),
                    next_hop_unknown: unknown(self, r, "nextHopType")
                        || unknown(self, r, "nextHopIpAddress"),
                });
            }
        }
        let key = ArmId::parse(&id)
            .map(|a| a.key())
            .unwrap_or_else(|_| id.to_ascii_lowercase());
        self.b.route_table(RouteTable {
            key,
            id,
            name: name.map(|(s, _)| s).unwrap_or_default(),
            loc: self.loc(obj),
            routes,
            routes_unknown,
        });
    }

    /// A resource's `apiVersion` (templates only).
    fn api_version(&mut self, obj: NodeId) -> Option<(String, Loc)> {
        let n = self.field(obj, "apiVersion")?;
        if self.is_unknown(n, || "`apiVersion`".to_string(), Some(Fact::ApiVersion)) {
            return None;
        }
        self.tree.str(n).map(|s| (s.to_string(), self.loc(n)))
    }

    /// A `virtualNetworkGateways` resource: attached to the vnet its ip configuration's subnet
    /// belongs to, with its type (VPN or ExpressRoute) and SKU.
    fn gateway_resource(&mut self, obj: NodeId) {
        self.found += 1;
        let gid = self.string(obj, "id").map(|(s, _)| s).unwrap_or_default();
        if self.tree.computed() {
            self.current = gid.clone();
        }
        let kind = match self.field(obj, "gatewayType") {
            Some(n) if self.is_unknown(n, || "`gatewayType`".into(), Some(Fact::GatewayKind)) => {
                GatewayKind::Unknown
            }
            Some(n) => match self.tree.str(n).map(str::to_ascii_lowercase).as_deref() {
                Some("vpn") => GatewayKind::Vpn,
                Some("expressroute") => GatewayKind::ExpressRoute,
                _ => GatewayKind::Unknown,
            },
            None => GatewayKind::Unknown,
        };
        let sku = self.gateway_sku(obj);
        let Some(configs) = self.array_for(obj, "ipConfigurations", Some(Fact::Gateways)) else {
            return;
        };
        let tree = self.tree;
        for c in tree.children(configs) {
            let Some((vnet, subnet, at)) = self.placed_in(c) else {
                continue;
            };
            let gateway = Gateway {
                kind,
                id: gid.clone(),
                loc: at,
                sku: sku.clone(),
                subnet,
            };
            self.b
                .gateway(&vnet.key(), &vnet.display(), vnet.name(), gateway);
        }
    }

    /// A gateway's SKU: `sku.name`, else `sku.tier` (one unknown SKU is one unknown value).
    fn gateway_sku(&mut self, obj: NodeId) -> Option<(String, Loc)> {
        let sku = self.object_for(obj, "sku", Some(Fact::GatewaySku))?;
        let (key, n) = ["name", "tier"]
            .into_iter()
            .find_map(|key| Some((key, self.field(sku, key)?)))?;
        if self.is_unknown(n, || format!("`sku.{key}`"), Some(Fact::GatewaySku)) {
            return None;
        }
        self.tree.str(n).map(|s| (s.to_string(), self.loc(n)))
    }

    /// The vnet an ip configuration's `subnet.id` is in, the subnet's name (when known) and
    /// where the id is. A subnet id known only at deployment places the gateway nowhere: the
    /// graph is told, so that no vnet is said to lack a gateway.
    fn placed_in(&mut self, config: NodeId) -> Option<Placement> {
        let whole = self.field(config, "subnet")?;
        if self.tree.unknown(whole).is_some_and(|u| !u.error) {
            self.is_unknown(whole, || "the subnet".into(), Some(Fact::Gateways));
            self.b.unplaced_gateway(self.loc(whole));
            return None;
        }
        let subnet = self.object(config, "subnet")?;
        let n = self.field(subnet, "id")?;
        let loc = self.loc(n);
        let text = match self.tree.unknown(n) {
            Some(u) if u.error => return None,
            Some(u) => u.symbol.clone(),
            None => self.tree.str(n).map(str::to_string),
        };
        let parsed = text.as_deref().and_then(|s| ArmId::parse(s).ok());
        let Some(sid) = parsed.filter(|a| {
            a.types.len() == 2 && a.is_type("Microsoft.Network", &["virtualNetworks", "subnets"])
        }) else {
            if self.tree.unknown(n).is_some() {
                self.is_unknown(n, || "the subnet".into(), Some(Fact::Gateways));
                self.b.unplaced_gateway(loc);
            }
            return None;
        };
        let name = sid.name().to_string();
        let subnet = if name.contains('{') {
            // A placeholder: the subnet's name is known only at deployment.
            self.placeholder_name(loc, &name);
            None
        } else {
            Some((name, loc))
        };
        Some((sid.ancestor(1), subnet, loc))
    }

    /// Records a subnet name that is a placeholder (`{gatewaySubnetName}`): ids match by it,
    /// but the name itself is known only at deployment.
    fn placeholder_name(&mut self, loc: Loc, placeholder: &str) {
        let inner = placeholder
            .strip_prefix('{')
            .and_then(|p| p.strip_suffix('}'))
            .unwrap_or("");
        // A parameter's placeholder is its name, with `-2`... for templates of other folders.
        let param = inner
            .rsplit_once('-')
            .filter(|(_, n)| n.chars().all(|c| c.is_ascii_digit()))
            .map_or(inner, |(p, _)| p);
        let reason =
            if !param.is_empty() && param.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                format!("parameter `{param}` has no value")
            } else {
                format!("it is `{placeholder}`, computed only at deployment")
            };
        let owner = self.current.rsplit('/').next().unwrap_or("");
        self.b.unresolved(Unresolved {
            loc,
            resource: self.current.clone(),
            what: format!("the name of the subnet of `{owner}`"),
            reason,
            blocks: Blocked::Fact(Fact::GatewaySubnet),
        });
    }

    /// A Route Server's ip configuration (`virtualHubs/ipConfigurations`): the Route Server is
    /// the gateway of the vnet whose `RouteServerSubnet` it is in (P14).
    fn route_server(&mut self, obj: NodeId) {
        self.found += 1;
        let cid = self.string(obj, "id").map(|(s, _)| s).unwrap_or_default();
        let hub = cid
            .split("/ipConfigurations/")
            .next()
            .unwrap_or(&cid)
            .to_string();
        if self.tree.computed() {
            self.current = hub.clone();
        }
        let Some((vnet, subnet, at)) = self.placed_in(obj) else {
            return;
        };
        // In another subnet it is no Route Server of the vnet (and Azure refuses it).
        if subnet
            .as_ref()
            .is_some_and(|(s, _)| !s.eq_ignore_ascii_case("RouteServerSubnet"))
        {
            return;
        }
        let gateway = Gateway {
            kind: GatewayKind::RouteServer,
            id: hub,
            loc: at,
            sku: None,
            subnet,
        };
        self.b
            .gateway(&vnet.key(), &vnet.display(), vnet.name(), gateway);
    }
}
