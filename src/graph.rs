//! One graph of every vnet and peering of a run.
//!
//! Loaders hand their vnets and peerings to a [`GraphBuilder`], which merges what several inputs
//! say about the same vnet (ids compare case-insensitively). [`Graph`] keeps the model plus a
//! `petgraph::StableDiGraph` with one edge per peering, so duplicate peerings survive.
//!
//! Where the builder keeps "the first" of several (the definition of a vnet defined twice that
//! the others are compared with, the copy of a peering seen twice, vnet and peering numbers,
//! the first peering between two vnets), first means first in the order the inputs are
//! loaded, which the engine fixes whatever order they were named in (by path, then in the order
//! the loader reads the file: `engine::canonical_order`). No output depends on hash order.

use rustc_hash::FxHashMap as FastMap;

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use crate::id::{ArmId, IdRef, RemoteKind, classify_remote};
use crate::model::*;
use crate::source::FileId;

/// A hash of an id compared ASCII-case-insensitively, without allocating.
fn hash_ci(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for chunk in id.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        for (w, b) in word.iter_mut().zip(chunk) {
            *w = b.to_ascii_lowercase();
        }
        h.write_u64(u64::from_le_bytes(word));
    }
    h.finish()
}

/// The hash of a vnet key (keys are lower-case: compared exactly).
fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

#[derive(Default)]
pub struct GraphBuilder {
    vnets: Vec<Vnet>,
    /// Every vnet by its key: a table of ids into `vnets`, each with its key's hash (see
    /// [`key_hash`]), compared with the vnet's own key: no second copy of every key, and a
    /// key hashed where a peering was extracted (see [`VnetDraft::prepare`]) is not hashed
    /// again.
    by_key: hashbrown::HashTable<(u64, VnetId)>,
    peerings: Vec<Peering>,
    /// Every peering, by its id compared case-insensitively, to merge a peering seen twice.
    /// A table of ids into `peerings` (hashed lower-case, compared in full): no second copy
    /// of every id, and no hash collision can merge two peerings. Each entry keeps its hash:
    /// growing the table then rehashes no id (rehashing ids was 6% of loading an estate).
    peering_keys: hashbrown::HashTable<(u64, PeeringId)>,
    problems: Vec<Problem>,
    /// The id of the resource each problem is in ("" for none).
    problem_resources: Vec<Box<str>>,
    unresolved: Vec<Unresolved>,
    origins: Vec<Origin>,
    route_tables: Vec<RouteTable>,
    /// Each route table's index in `route_tables`, by its key.
    route_table_index: FastMap<String, usize>,
    intents: Vec<Intent>,
    conditions: FastMap<String, Loc>,
    files: usize,
    deploy_orders: Vec<DeployOrder>,
    unplaced_gateways: Vec<Loc>,
    meshes: Vec<Mesh>,
    /// The input being loaded is a design to deploy (a template, a design spec), not an
    /// export of what Azure holds: its remote ids must follow Azure's naming rules.
    authored: bool,
    /// Lists of vnets that hold members peerlint couldn't compute: by vnet key, and for every
    /// vnet of a deployment scope (see [`GraphBuilder::partial`]); one slot per [`Partial`].
    partial_keys: FastMap<String, [Option<Loc>; 2]>,
    partial_scopes: FastMap<String, [Option<Loc>; 2]>,
    placeholders: FastMap<Box<str>, Option<Loc>>,
    /// Files that are GruCloud designs (`resources.js`, `config.js`), for help in their terms.
    grucloud: Vec<FileId>,
    /// How an input names a resource its own way (GruCloud's `VirtualNetworkPeering p`), by
    /// lower-case id.
    written_names: FastMap<String, String>,
    /// Terraform addresses and planned changes, by lower-case id.
    terraform: FastMap<String, TfResource>,
}

/// A list of a vnet that a template may leave partly unknown: its peerings or its subnets
/// (an unknown list, an unknown member, a declaration with an unknown copy count or name).
/// A rule that concludes from what such a list lacks ("no peering back", "no such subnet")
/// skips the vnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Partial {
    Peerings,
    Subnets,
}

/// A vnet as one input describes it, with its inline peerings.
pub struct VnetDraft {
    pub vnet: Vnet,
    /// Inline peerings and their `remoteVirtualNetwork.id` (text, where).
    pub peerings: Vec<(Peering, Option<(String, Loc)>)>,
    /// What adding each peering to the graph needs, worked out beforehand
    /// ([`VnetDraft::prepare`]), or nothing (worked out as each is added).
    pub prepared: Vec<PreparedPeering>,
}

impl VnetDraft {
    /// Works out, for each peering, what adding it to a graph needs and no other input
    /// changes: its id's hash, and what its remote id names (parsed, its key built and
    /// hashed). A draft extracted on another thread is prepared there: the graph is built on
    /// one thread, and parsing and hashing ids was most of what adding a peering cost.
    pub fn prepare(&mut self) {
        self.prepared = self
            .peerings
            .iter()
            .map(|(p, remote)| PreparedPeering {
                id_hash: hash_ci(&p.id),
                remote: remote.as_ref().map(|(text, _)| classify(text, false)),
            })
            .collect();
    }
}

/// See [`VnetDraft::prepare`].
pub struct PreparedPeering {
    /// [`hash_ci`] of the peering's id.
    id_hash: u64,
    /// What its `remoteVirtualNetwork.id` names, as an export's (not a design's: see
    /// [`GraphBuilder::set_authored`]).
    remote: Option<Classified>,
}

/// What a peering's `remoteVirtualNetwork.id` names, as [`GraphBuilder`] records it.
enum Classified {
    /// Not a vnet id, or (in a design) a vnet id Azure would refuse: why.
    Invalid(String),
    Classic,
    /// An ARM vnet: its key and the key's hash.
    Vnet {
        key: String,
        hash: u64,
    },
}

/// Classifies a remote id; in a design (`authored`), a vnet id must also follow Azure's
/// naming rules.
fn classify(text: &str, authored: bool) -> Classified {
    // The common case, an ARM vnet in an export, without building an `ArmId`.
    if !authored
        && let Ok(r) = IdRef::parse(text)
        && r.is_type("Microsoft.Network", &["virtualNetworks"])
    {
        let key = r.key();
        return Classified::Vnet {
            hash: key_hash(&key),
            key,
        };
    }
    match classify_remote(text) {
        RemoteKind::Invalid(reason) => Classified::Invalid(reason),
        RemoteKind::Classic(_) => Classified::Classic,
        RemoteKind::Vnet(id) => match authored.then(|| crate::id::name_problem(&id)).flatten() {
            Some(reason) => Classified::Invalid(reason),
            None => {
                let key = id.key();
                Classified::Vnet {
                    hash: key_hash(&key),
                    key,
                }
            }
        },
    }
}

impl GraphBuilder {
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    pub fn count_file(&mut self) {
        self.files += 1;
    }

    /// Says whether the inputs loaded from now on are designs to deploy (templates, design
    /// specs: remote ids are checked against Azure's naming rules) or exports (Azure accepted
    /// their names; a redacted subscription such as `subid` is not a design flaw).
    pub fn set_authored(&mut self, authored: bool) {
        self.authored = authored;
    }

    /// Marks a file as part of a GruCloud design.
    pub fn grucloud_file(&mut self, file: FileId) {
        if !self.grucloud.contains(&file) {
            self.grucloud.push(file);
        }
    }

    /// Records how the input names the resource with `id` (messages use it).
    pub fn written_name(&mut self, id: &str, name: String) {
        self.written_names
            .entry(id.to_ascii_lowercase())
            .or_insert(name);
    }

    /// A problem of the inputs that belongs to no resource (a file that isn't JSON...).
    pub fn problem(&mut self, p: Problem) {
        self.problem_of("", p);
    }

    /// A problem inside the resource with the id `resource` (its placeholders too).
    pub fn problem_of(&mut self, resource: &str, p: Problem) {
        self.placeholder(resource, None);
        self.problems.push(p);
        self.problem_resources.push(resource.into());
    }

    /// Marks the vnet or peering with `id` as deployed only under an unknown condition.
    pub fn condition(&mut self, id: &str, at: Loc) {
        self.conditions.insert(id.to_ascii_lowercase(), at);
    }

    /// Adds an intent of a design spec.
    pub fn intent(&mut self, i: Intent) {
        self.intents.push(i);
    }

    /// Places an appliance in the vnet with `key`.
    pub fn appliance(&mut self, key: &str, a: Appliance) {
        let id = key.to_string();
        let short = key.rsplit('/').next().unwrap_or("").to_string();
        let v = self.reference(key, &id, &short, a.loc);
        self.vnets[v.0 as usize].appliances.push(a);
    }

    /// A vnet owned elsewhere: referenced, with what the spec knows of it.
    pub fn external(
        &mut self,
        key: &str,
        id: &str,
        name: &str,
        loc: Loc,
        space: Option<PrefixList>,
    ) -> VnetId {
        let v = self.reference(key, id, name, loc);
        let vnet = &mut self.vnets[v.0 as usize];
        vnet.external = true;
        if !vnet.defined {
            vnet.name = name.to_string(); // the spec's name, not the id's last segment
        }
        vnet.name_loc.get_or_insert(loc);
        if vnet.address_space.is_none() {
            vnet.address_space = space;
        }
        v
    }

    /// The defined vnets by lower-case name, for matching a spec to other inputs (one pass,
    /// so that a spec of thousands of vnets doesn't scan every vnet for each).
    pub fn defined_by_name(&self) -> FastMap<String, Vec<VnetId>> {
        let mut names: FastMap<String, Vec<VnetId>> = FastMap::default();
        for (i, v) in self.vnets.iter().enumerate().filter(|(_, v)| v.defined) {
            names
                .entry(v.name.to_ascii_lowercase())
                .or_default()
                .push(VnetId(i as u32));
        }
        names
    }

    /// For a vnet another input defined: whether it has a gateway, and where that shows
    /// (the gateway, else the vnet).
    pub fn gateway_evidence(&self, key: &str) -> Option<(bool, Loc)> {
        let v = &self.vnets[self.vnet_by_key(key_hash(key), key)?.0 as usize];
        if !v.defined {
            return None;
        }
        Some(match v.gateways.first() {
            Some(g) => (true, g.loc),
            None => (false, v.label_loc()),
        })
    }

    /// The id (as first written) of the vnet with `key`, if there is one.
    pub fn id_of(&self, key: &str) -> Option<String> {
        let v = self.vnet_by_key(key_hash(key), key)?;
        Some(self.vnets[v.0 as usize].id.clone())
    }

    pub fn vnet_id(&self, v: VnetId) -> &str {
        &self.vnets[v.0 as usize].id
    }

    /// Adds a route table; the same table seen twice is kept once.
    pub fn route_table(&mut self, t: RouteTable) {
        if let std::collections::hash_map::Entry::Vacant(e) =
            self.route_table_index.entry(t.key.clone())
        {
            e.insert(self.route_tables.len());
            self.route_tables.push(t);
        }
    }

    /// Records a value that can't be known offline (its placeholders too, for messages).
    pub fn unresolved(&mut self, u: Unresolved) {
        for text in [&u.resource, &u.what, &u.reason] {
            self.placeholder(text, None);
        }
        self.unresolved.push(u);
    }

    /// The unresolved values recorded since `from` (a count from [`Self::mark`]), for a loader
    /// to word them in its input's terms.
    pub fn unresolved_since(&mut self, from: usize) -> &mut [Unresolved] {
        &mut self.unresolved[from..]
    }

    /// Records the Terraform address (and planned change) of the vnet or peering with `id`.
    pub fn terraform(&mut self, id: &str, r: TfResource) {
        self.terraform.insert(id.to_ascii_lowercase(), r);
    }

    /// Records that the `list` of the vnet with `key` (lower-case id) may hold members
    /// peerlint couldn't compute; `at` is the unknown value.
    pub fn partial(&mut self, key: &str, list: Partial, at: Loc) {
        self.partial_keys
            .entry(key.to_ascii_lowercase())
            .or_default()[list as usize]
            .get_or_insert(at);
    }

    /// Records that a declaration peerlint couldn't evaluate (unknown copy count or name, a
    /// linked template) may add to the lists of vnets: `resource` is its id as far as it is
    /// known. A peering or subnet under a known parent affects that vnet; anything else every
    /// vnet of the deployment scope the id starts with.
    pub fn skipped(&mut self, resource: &str, at: Loc) {
        let lower = resource.to_ascii_lowercase();
        let lists: &[Partial] = if lower.contains("/virtualnetworkpeerings") {
            &[Partial::Peerings]
        } else if lower.contains("/subnets") {
            &[Partial::Subnets]
        } else if lower.contains("/virtualnetworks") || lower.contains("/deployments") {
            &[Partial::Peerings, Partial::Subnets]
        } else {
            return; // gateways, route tables: no list of a vnet
        };
        if let Ok(id) = ArmId::parse(resource)
            && id.types.len() == 2
            && id.namespace.eq_ignore_ascii_case("Microsoft.Network")
            && id.types[0].0.eq_ignore_ascii_case("virtualNetworks")
            && (id.types[1].0.eq_ignore_ascii_case("virtualNetworkPeerings")
                || id.types[1].0.eq_ignore_ascii_case("subnets"))
        {
            let key = id.ancestor(1).key();
            for &list in lists {
                self.partial(&key, list, at);
            }
            return;
        }
        let Some(scope) = scope_of(&lower) else {
            return;
        };
        let slots = self.partial_scopes.entry(scope.to_string()).or_default();
        for &list in lists {
            slots[list as usize].get_or_insert(at);
        }
    }

    /// Records the placeholders in `text` (an id or name with parts known only at deployment,
    /// such as `{hubName}`); `whole` is where a value that is exactly one placeholder is
    /// computed, so that messages can show that expression instead.
    pub fn placeholder(&mut self, text: &str, whole: Option<Loc>) {
        if !text.contains('{') {
            return;
        }
        let tokens = placeholder_tokens(text);
        // A name built from placeholders and text (`vnet-{uniqueString(…)}`, one id segment):
        // messages may show the expression that computes it whole.
        if let Some(w) = whole
            && !text.contains('/')
            && !(tokens.len() == 1 && tokens[0].len() == text.len())
        {
            self.placeholders.entry(text.into()).or_insert(Some(w));
        }
        let whole = whole.filter(|_| tokens.len() == 1 && tokens[0].len() == text.len());
        for t in tokens {
            match self.placeholders.get_mut(t) {
                Some(slot) => {
                    if slot.is_none() {
                        *slot = whole;
                    }
                }
                None => {
                    self.placeholders.insert(t.into(), whole);
                }
            }
        }
    }

    /// How many problems and unresolved values are recorded so far (see [`Self::dedup_since`]).
    pub fn mark(&self) -> (usize, usize) {
        (self.problems.len(), self.unresolved.len())
    }

    /// Drops the problems and unresolved values recorded since `mark` that repeat one recorded
    /// since it: the deployments of one template (one per parameters file) say once what
    /// they have in common.
    pub fn dedup_since(&mut self, mark: (usize, usize)) {
        let mut seen = rustc_hash::FxHashSet::default();
        // Each problem with the resource it is in (the first deployment's).
        let mut keep = Vec::with_capacity(self.problems.len());
        for (i, p) in self.problems.iter().enumerate() {
            keep.push(i < mark.0 || seen.insert(format!("{p:?}")));
        }
        let mut kept = keep.iter();
        self.problems
            .retain(|_| *kept.next().expect("one per problem"));
        let mut kept = keep.iter();
        self.problem_resources
            .retain(|_| *kept.next().expect("one per problem"));
        let mut i = 0;
        self.unresolved.retain(|u| {
            i += 1;
            i <= mark.1 || seen.insert(format!("{u:?}"))
        });
    }

    /// Records where a computed value came from; returns the `via` to put in its [`Loc`].
    pub fn origin(&mut self, o: Origin) -> u32 {
        self.origins.push(o);
        self.origins.len() as u32
    }

    /// The vnet with `key` (whose hash is `hash`), if there is one.
    fn vnet_by_key(&self, hash: u64, key: &str) -> Option<VnetId> {
        let vnets = &self.vnets;
        self.by_key
            .find(hash, |&(h, v)| h == hash && vnets[v.0 as usize].key == key)
            .map(|&(_, v)| v)
    }

    /// Adds a vnet whose key (hashed `hash`) no vnet has.
    fn add_vnet(&mut self, hash: u64, vnet: Vnet) -> VnetId {
        let v = VnetId(self.vnets.len() as u32);
        self.by_key.insert_unique(hash, (hash, v), |&(h, _)| h);
        self.vnets.push(vnet);
        v
    }

    /// The vnet with `key`, created as referenced-only when unknown.
    pub fn reference(&mut self, key: &str, id: &str, name: &str, loc: Loc) -> VnetId {
        let hash = key_hash(key);
        match self.vnet_by_key(hash, key) {
            Some(v) => v,
            None => {
                self.add_reference(hash, key.to_string(), id.to_string(), name.to_string(), loc)
            }
        }
    }

    /// Adds a referenced-only vnet whose key (hashed `hash`) no vnet has.
    fn add_reference(
        &mut self,
        hash: u64,
        key: String,
        id: String,
        name: String,
        loc: Loc,
    ) -> VnetId {
        self.add_vnet(
            hash,
            Vnet {
                key,
                id,
                name,
                defined: false,
                loc,
                name_loc: None,
                address_space: None,
                subnets: Vec::new(),
                gateways: Vec::new(),
                peerings: Vec::new(),
                also_defined_at: Vec::new(),
                absent_gateways: Vec::new(),
                appliances: Vec::new(),
                external: false,
            },
        )
    }

    /// Adds a vnet definition; a second definition of the same vnet (another export of it) is
    /// merged: fields the first lacked are filled in, subnets and peerings it lacked are added.
    pub fn define(&mut self, draft: VnetDraft) -> VnetId {
        let VnetDraft {
            vnet,
            peerings,
            prepared,
        } = draft;
        let hash = key_hash(&vnet.key);
        // Peerings added before this definition are known; duplicates within it are kept.
        let first_new = self.peerings.len();
        if let Some(v) = self.vnet_by_key(hash, &vnet.key) {
            let target = &mut self.vnets[v.0 as usize];
            if target.defined {
                target.also_defined_at.push(vnet.loc);
                if let (Some(a), Some(b)) = (&target.address_space, &vnet.address_space)
                    && a.all_valid()
                    && b.all_valid()
                {
                    let (mut x, mut y): (Vec<_>, Vec<_>) = (a.nets().collect(), b.nets().collect());
                    x.sort();
                    y.sort();
                    if x != y {
                        self.problems
                            .push(Problem::Conflict(Conflict::AddressSpaces {
                                loc: b.loc,
                                vnet: target.name.clone(),
                                here: y,
                                other: x,
                                other_loc: a.loc,
                            }));
                        self.problem_resources.push(target.id.as_str().into());
                    }
                }
                let target = &mut self.vnets[v.0 as usize];
                if target.address_space.is_none() {
                    target.address_space = vnet.address_space;
                }
                for s in vnet.subnets {
                    if target.subnet(&s.name).is_none() {
                        target.subnets.push(s);
                    }
                }
                for g in vnet.gateways {
                    add_gateway(&mut target.gateways, g);
                }
            } else {
                let peers = std::mem::take(&mut target.peerings);
                let gateways = std::mem::take(&mut target.gateways);
                let absent = std::mem::take(&mut target.absent_gateways);
                let appliances = std::mem::take(&mut target.appliances);
                *target = Vnet {
                    peerings: peers,
                    absent_gateways: absent,
                    appliances,
                    defined: true,
                    ..vnet
                };
                for g in gateways {
                    add_gateway(&mut target.gateways, g);
                }
            }
            self.add_peerings(v, first_new, peerings, prepared)
        } else {
            // A vnet not met before: the draft is the vnet.
            let v = self.add_vnet(
                hash,
                Vnet {
                    peerings: Vec::new(),
                    absent_gateways: Vec::new(),
                    appliances: Vec::new(),
                    defined: true,
                    ..vnet
                },
            );
            self.add_peerings(v, first_new, peerings, prepared)
        }
    }

    /// Adds a definition's peerings to its vnet `v`, but those the graph held before it
    /// (from `first_new` on, peerings are the definition's own).
    fn add_peerings(
        &mut self,
        v: VnetId,
        first_new: usize,
        peerings: Vec<(Peering, Option<(String, Loc)>)>,
        prepared: Vec<PreparedPeering>,
    ) -> VnetId {
        let mut prepared = prepared.into_iter();
        for (p, remote) in peerings {
            let (id_hash, class) = match prepared.next() {
                Some(pre) => (pre.id_hash, pre.remote),
                None => (hash_ci(&p.id), None),
            };
            if self
                .existing_peering(id_hash, &p.id)
                .is_some_and(|e| (e.0 as usize) < first_new)
            {
                continue; // the same peering, seen in an earlier definition of this vnet
            }
            self.push_peering(v, p, remote, id_hash, class);
        }
        v
    }

    /// Adds a standalone peering (`az network vnet peering list`, a REST GET of a peering);
    /// the same peering seen twice is kept once.
    pub fn standalone_peering(&mut self, local: VnetId, p: Peering, remote: Option<(String, Loc)>) {
        let hash = hash_ci(&p.id);
        if self.existing_peering(hash, &p.id).is_none() {
            self.push_peering(local, p, remote, hash, None);
        }
    }

    /// The first peering with this id (compared case-insensitively; `hash` is its
    /// [`hash_ci`]), if any.
    fn existing_peering(&self, hash: u64, id: &str) -> Option<PeeringId> {
        let peerings = &self.peerings;
        self.peering_keys
            .find(hash, |&(h, p)| {
                h == hash && peerings[p.0 as usize].id.eq_ignore_ascii_case(id)
            })
            .map(|&(_, p)| p)
    }

    /// Adds a peering of `local`; `hash` is its id's [`hash_ci`], `class` what its remote
    /// names if that was worked out beforehand (as an export's: a design's is classified
    /// here).
    fn push_peering(
        &mut self,
        local: VnetId,
        mut p: Peering,
        remote: Option<(String, Loc)>,
        hash: u64,
        class: Option<Classified>,
    ) {
        p.local = local;
        p.remote = match remote {
            // Missing, or unresolved as the loader found it.
            None => std::mem::replace(&mut p.remote, Remote::Missing),
            Some((text, loc)) => {
                let class = match class {
                    Some(c) if !self.authored => c,
                    _ => classify(&text, self.authored),
                };
                match class {
                    Classified::Invalid(reason) => Remote::Invalid {
                        text: text.into(),
                        reason: reason.into(),
                        loc,
                    },
                    Classified::Classic => Remote::Classic {
                        text: text.into(),
                        loc,
                    },
                    Classified::Vnet { key, hash } => {
                        let vnet = match self.vnet_by_key(hash, &key) {
                            Some(v) => v,
                            None => {
                                // A vnet id's name is its last segment: no need to parse it
                                // again.
                                let name = text.trim().rsplit('/').next().unwrap_or("");
                                debug_assert_eq!(
                                    Some(name),
                                    IdRef::parse(&text).ok().map(|id| id.name())
                                );
                                let name = name.to_string();
                                self.add_reference(hash, key, text, name, loc)
                            }
                        };
                        Remote::Vnet { vnet, loc }
                    }
                }
            }
        };
        let id = PeeringId(self.peerings.len() as u32);
        let peerings = &self.peerings;
        if let hashbrown::hash_table::Entry::Vacant(slot) = self.peering_keys.entry(
            hash,
            |&(h, q)| h == hash && peerings[q.0 as usize].id.eq_ignore_ascii_case(&p.id),
            |&(h, _)| h,
        ) {
            slot.insert((hash, id));
        }
        self.vnets[local.0 as usize].peerings.push(id);
        self.peerings.push(p);
    }

    /// Records a gateway a template declares for the vnet with `key` but doesn't deploy.
    pub fn absent_gateway(&mut self, key: &str, name: String, condition: Loc, deciding: Loc) {
        let id = key.to_string();
        let short = key.rsplit('/').next().unwrap_or("").to_string();
        let v = self.reference(key, &id, &short, condition);
        self.vnets[v.0 as usize]
            .absent_gateways
            .push((name, condition, deciding));
    }

    /// Records a gateway attached to the vnet with `key` (from a gateway resource).
    pub fn gateway(&mut self, key: &str, id: &str, name: &str, gateway: Gateway) {
        let v = self.reference(key, id, name, gateway.loc);
        add_gateway(&mut self.vnets[v.0 as usize].gateways, gateway);
    }

    /// Records a gateway whose vnet can't be known offline (its subnet id is unknown).
    pub fn unplaced_gateway(&mut self, loc: Loc) {
        self.unplaced_gateways.push(loc);
    }

    /// Adds a template deployment's order.
    pub fn deploy_order(&mut self, o: DeployOrder) {
        self.deploy_orders.push(o);
    }

    /// Records a design spec's `mesh` that was not expanded into peerings: where it is, and
    /// its vnets by key, each once (vnets the graph doesn't hold are left out).
    pub fn unexpanded_mesh(&mut self, loc: Loc, keys: &[String]) {
        let mut vnets: Vec<VnetId> = keys
            .iter()
            .filter_map(|k| self.vnet_by_key(key_hash(k), k))
            .collect();
        let mut seen = rustc_hash::FxHashSet::default();
        vnets.retain(|&v| seen.insert(v));
        self.meshes.push(Mesh { loc, vnets });
    }

    pub fn finish(self) -> Graph {
        let mut links = StableDiGraph::with_capacity(self.vnets.len(), self.peerings.len());
        let nodes: Vec<NodeIndex> = (0..self.vnets.len())
            .map(|i| links.add_node(VnetId(i as u32)))
            .collect();
        let mut pairs: FastMap<(VnetId, VnetId), PeeringId> = FastMap::default();
        let mut remote_gateway_evidence = vec![false; self.vnets.len()];
        let partial_of = |key: &str, list: Partial| {
            let by_key = self.partial_keys.get(key).and_then(|l| l[list as usize]);
            by_key.or_else(|| self.partial_scopes.get(scope_of(key)?)?[list as usize])
        };
        let partial: Vec<[Option<Loc>; 2]> =
            if self.partial_keys.is_empty() && self.partial_scopes.is_empty() {
                vec![[None; 2]; self.vnets.len()]
            } else {
                self.vnets
                    .iter()
                    .map(|v| {
                        [
                            partial_of(&v.key, Partial::Peerings),
                            partial_of(&v.key, Partial::Subnets),
                        ]
                    })
                    .collect()
            };
        for (i, p) in self.peerings.iter().enumerate() {
            if let Some(r) = p.remote_vnet() {
                links.add_edge(
                    nodes[p.local.0 as usize],
                    nodes[r.0 as usize],
                    PeeringId(i as u32),
                );
                pairs.entry((p.local, r)).or_insert(PeeringId(i as u32));
                if !p.remote_gateways.is_empty() {
                    remote_gateway_evidence[r.0 as usize] = true;
                }
            }
        }
        Graph {
            vnets: self.vnets,
            peerings: self.peerings,
            problems: self.problems,
            problem_resources: self.problem_resources,
            unresolved: self.unresolved,
            origins: self.origins,
            route_tables: self.route_tables,
            intents: self.intents,
            conditions: self.conditions,
            files: self.files,
            partial,
            placeholders: self.placeholders,
            deploy_orders: self.deploy_orders,
            unplaced_gateways: self.unplaced_gateways,
            meshes: self.meshes,
            subnet_index: std::sync::OnceLock::new(),
            terraform: self.terraform,
            links,
            nodes,
            pairs,
            remote_gateway_evidence,
            grucloud: self.grucloud,
            written_names: self.written_names,
        }
    }
}

/// The deployment scope of a lower-case id or vnet key: `/subscriptions/x/resourcegroups/y`.
fn scope_of(lower: &str) -> Option<&str> {
    let at = lower.find("/providers/")?;
    lower.starts_with("/subscriptions/").then(|| &lower[..at])
}

/// The placeholders in a text: each `{...}` with balanced braces, outermost only, in order.
pub fn placeholder_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let mut depth = 0usize;
        let mut end = None;
        for (j, &c) in bytes.iter().enumerate().skip(i) {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        match end {
            Some(j) => {
                out.push(&text[i..=j]);
                i = j + 1;
            }
            None => break, // unbalanced: no more placeholders
        }
    }
    out
}

/// Whether two vnet keys (or ids) may name the same vnet once the values known only at
/// deployment are: equal, or equal segment by segment where a placeholder (`{hubName}`) may
/// stand for any text.
pub fn may_be_same(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    if !a.contains('{') && !b.contains('{') {
        return false;
    }
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let (sa, sb): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    sa.len() == sb.len()
        && sa.iter().zip(&sb).all(|(x, y)| {
            x == y
                || match (x.contains('{'), y.contains('{')) {
                    (false, false) => false,
                    (true, true) => true, // two unknowns: may be anything
                    (true, false) => matches_pattern(x, y),
                    (false, true) => matches_pattern(y, x),
                }
        })
}

/// Whether `text` may be what `pattern` becomes when each placeholder in it is replaced by
/// some text.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    for t in placeholder_tokens(pattern) {
        let at = rest.find(t).expect("a token of the pattern");
        pieces.push(&rest[..at]);
        rest = &rest[at + t.len()..];
    }
    pieces.push(rest);
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut middle = &text[first.len()..text.len() - last.len()];
    for p in &pieces[1..pieces.len() - 1] {
        match middle.find(p) {
            Some(i) => middle = &middle[i + p.len()..],
            None => return false,
        }
    }
    true
}

pub struct Graph {
    vnets: Vec<Vnet>,
    peerings: Vec<Peering>,
    problems: Vec<Problem>,
    problem_resources: Vec<Box<str>>,
    unresolved: Vec<Unresolved>,
    origins: Vec<Origin>,
    route_tables: Vec<RouteTable>,
    intents: Vec<Intent>,
    /// Ids (lower-case) of resources a template deploys only under an unknown condition.
    conditions: FastMap<String, Loc>,
    files: usize,
    /// Per vnet: where its peerings, and its subnets, can't all be known.
    partial: Vec<[Option<Loc>; 2]>,
    placeholders: FastMap<Box<str>, Option<Loc>>,
    /// Templates' deployment orders (see [`DeployOrder`]).
    deploy_orders: Vec<DeployOrder>,
    /// Gateways whose vnet can't be known offline.
    unplaced_gateways: Vec<Loc>,
    /// Design specs' meshes left unexpanded.
    meshes: Vec<Mesh>,
    /// Subnets by vnet and lower-case name (the first of a name), built on first use.
    subnet_index: std::sync::OnceLock<FastMap<(VnetId, Box<str>), usize>>,
    /// Terraform addresses and planned changes, by lower-case id.
    terraform: FastMap<String, TfResource>,
    links: StableDiGraph<VnetId, PeeringId>,
    nodes: Vec<NodeIndex>,
    /// The first peering from one vnet to another.
    pairs: FastMap<(VnetId, VnetId), PeeringId>,
    /// A peering towards the vnet lists `remoteGateways`: Azure saw a gateway there.
    remote_gateway_evidence: Vec<bool>,
    grucloud: Vec<FileId>,
    written_names: FastMap<String, String>,
}

impl Graph {
    pub fn vnet(&self, v: VnetId) -> &Vnet {
        &self.vnets[v.0 as usize]
    }
    /// How the input names the resource with `id` its own way, if it does (GruCloud's
    /// `VirtualNetworkPeering p`).
    pub fn written_name(&self, id: &str) -> Option<&str> {
        if self.written_names.is_empty() {
            return None;
        }
        self.written_names
            .get(&id.to_ascii_lowercase())
            .map(String::as_str)
    }
    /// Whether a location is in a GruCloud design (its help speaks GruCloud's terms).
    pub fn is_grucloud(&self, loc: Loc) -> bool {
        self.grucloud.contains(&loc.file)
    }
    pub fn peering(&self, p: PeeringId) -> &Peering {
        &self.peerings[p.0 as usize]
    }
    pub fn vnets(&self) -> impl Iterator<Item = (VnetId, &Vnet)> {
        self.vnets
            .iter()
            .enumerate()
            .map(|(i, v)| (VnetId(i as u32), v))
    }
    /// Vnets defined in the inputs (not only referenced).
    pub fn defined_vnets(&self) -> impl Iterator<Item = (VnetId, &Vnet)> {
        self.vnets().filter(|(_, v)| v.defined)
    }
    pub fn peerings(&self) -> impl Iterator<Item = (PeeringId, &Peering)> {
        self.peerings
            .iter()
            .enumerate()
            .map(|(i, p)| (PeeringId(i as u32), p))
    }
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
    /// The problems, each with the id of the resource it is in ("" for a file-level one).
    pub fn problems_with_resource(&self) -> impl Iterator<Item = (&Problem, &str)> {
        self.problems
            .iter()
            .zip(self.problem_resources.iter().map(|r| &**r))
    }
    /// The unknown condition a vnet or peering (by id) is deployed under, if any.
    pub fn condition(&self, id: &str) -> Option<Loc> {
        if self.conditions.is_empty() {
            return None;
        }
        self.conditions.get(&id.to_ascii_lowercase()).copied()
    }
    /// Intents of design specs, in input order.
    pub fn intents(&self) -> &[Intent] {
        &self.intents
    }
    /// Route tables, in input order (subnets name theirs by id).
    pub fn route_tables(&self) -> &[RouteTable] {
        &self.route_tables
    }
    /// A route of one of the route tables.
    pub fn route(&self, r: RouteId) -> &Route {
        &self.route_tables[r.table as usize].routes[r.route as usize]
    }
    /// Values templates compute only at deployment.
    pub fn unresolved(&self) -> &[Unresolved] {
        &self.unresolved
    }
    /// Where a computed value came from (see [`Loc::via`]).
    pub fn origin(&self, loc: Loc) -> Option<&Origin> {
        (loc.via as usize)
            .checked_sub(1)
            .and_then(|i| self.origins.get(i))
    }
    /// Where the vnet's list of peerings may hold peerings peerlint couldn't compute (an
    /// unknown `virtualNetworkPeerings`, a peering loop with an unknown count...): a peering
    /// towards it may have its way back there.
    pub fn peerings_unknown(&self, v: VnetId) -> Option<Loc> {
        self.partial[v.0 as usize][0]
    }
    /// Whether the vnet may have links peerlint doesn't know: its list of peerings is partial,
    /// or one of its peerings has a remote known only at deployment. "Not peered" is then
    /// unknown, not an answer.
    pub fn links_unknown(&self, v: VnetId) -> bool {
        self.peerings_unknown(v).is_some()
            || self
                .vnet(v)
                .peerings
                .iter()
                .any(|&p| matches!(self.peering(p).remote, Remote::Unresolved { .. }))
    }
    /// Where the vnet's list of subnets may hold subnets peerlint couldn't compute (or whose
    /// names it couldn't): a name that matches none of its subnets may still be one.
    pub fn subnets_unknown(&self, v: VnetId) -> Option<Loc> {
        self.partial[v.0 as usize][1]
    }
    /// The placeholder for a value known only at deployment (`{hubName}`, one token of an id or
    /// name), if the inputs made it: `Some(Some(loc))` when `loc` computes exactly that value.
    pub fn placeholder(&self, token: &str) -> Option<Option<Loc>> {
        self.placeholders.get(token).copied()
    }
    pub fn file_count(&self) -> usize {
        self.files
    }
    pub fn peering_count(&self) -> usize {
        self.peerings.len()
    }
    /// The first peering (in load order, see the module's documentation) of `from` whose remote
    /// is `to`.
    pub fn between(&self, from: VnetId, to: VnetId) -> Option<PeeringId> {
        self.pairs.get(&(from, to)).copied()
    }
    /// The peering back from the remote side, if any.
    pub fn reverse(&self, p: PeeringId) -> Option<PeeringId> {
        let peering = self.peering(p);
        let remote = peering.remote_vnet()?;
        self.between(remote, peering.local)
    }
    /// Vnets linked to `v` by a peering in either direction, each once, in id order.
    pub fn neighbours(&self, v: VnetId) -> Vec<VnetId> {
        let node = self.nodes[v.0 as usize];
        let mut out: Vec<VnetId> = self
            .links
            .neighbors_directed(node, Direction::Outgoing)
            .chain(self.links.neighbors_directed(node, Direction::Incoming))
            .map(|n| self.links[n])
            .filter(|&n| n != v)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
    /// Whether the vnet has a gateway (or Route Server), from its own resources or from what
    /// exported peerings towards it say.
    pub fn has_gateway(&self, v: VnetId) -> bool {
        self.vnet(v).has_gateway() || self.remote_gateway_evidence[v.0 as usize]
    }
    /// Whether a vnet may have a gateway the inputs don't place: some gateway's vnet is known
    /// only at deployment. Then no vnet can be said to have none.
    pub fn may_have_unplaced_gateway(&self) -> bool {
        !self.unplaced_gateways.is_empty()
    }
    /// Templates' deployment orders, in input order.
    pub fn deploy_orders(&self) -> &[DeployOrder] {
        &self.deploy_orders
    }
    /// Design specs' `mesh` items left unexpanded (too many peerings), in input order.
    pub fn unexpanded_meshes(&self) -> &[Mesh] {
        &self.meshes
    }
    /// The subnet of `v` named `name` (compared case-insensitively), as [`Vnet::subnet`]
    /// finds it, by a lookup instead of a scan of the vnet's subnets: a subnet peering can
    /// list thousands of names of a vnet with thousands of subnets.
    pub fn subnet(&self, v: VnetId, name: &str) -> Option<&Subnet> {
        let index = self.subnet_index.get_or_init(|| {
            let mut index = FastMap::default();
            for (id, vnet) in self.vnets() {
                for (i, s) in vnet.subnets.iter().enumerate() {
                    index
                        .entry((id, s.name.to_ascii_lowercase().into_boxed_str()))
                        .or_insert(i);
                }
            }
            index
        });
        let i = index.get(&(v, name.to_ascii_lowercase().into_boxed_str()))?;
        self.vnet(v).subnets.get(*i)
    }
    /// What a Terraform plan or state says of the vnet (by key) or peering (by id).
    pub fn terraform(&self, id: &str) -> Option<&TfResource> {
        if self.terraform.is_empty() {
            return None;
        }
        self.terraform.get(&id.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::{may_be_same, placeholder_tokens};

    #[test]
    fn placeholders_are_balanced_braces() {
        assert_eq!(
            placeholder_tokens("to-{{split(|a|{b},|)}[8]}/x{c}"),
            ["{{split(|a|{b},|)}[8]}", "{c}"]
        );
        assert_eq!(placeholder_tokens("no placeholder"), Vec::<&str>::new());
        assert_eq!(placeholder_tokens("{open"), Vec::<&str>::new());
    }

    #[test]
    fn placeholders_may_be_anything() {
        let v = |n: &str| {
            format!(
                "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/{n}"
            )
        };
        assert!(may_be_same(&v("hub"), &v("HUB")));
        assert!(!may_be_same(&v("hub"), &v("spoke")));
        assert!(may_be_same(&v("{hubname}"), &v("hub")));
        assert!(may_be_same(&v("hub"), &v("{x}")));
        assert!(may_be_same(&v("vnet-{env}-hub"), &v("vnet-prod-hub")));
        assert!(!may_be_same(&v("vnet-{env}-hub"), &v("vnet-prod-spoke")));
        assert!(may_be_same(&v("{a}"), &v("{b}-x")));
        assert!(!may_be_same(&v("{a}"), &format!("{}/subnets/x", v("a"))));
        assert!(may_be_same(
            "/subscriptions/{subscription}/resourcegroups/{resourcegroup}/providers/microsoft.network/virtualnetworks/hub",
            &v("hub")
        ));
    }
}
