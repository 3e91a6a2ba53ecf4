//! The resource instances of a plan or state: `planned_values` (the design after apply) or
//! `values` (state), the data sources of `prior_state`, and each instance's change from
//! `resource_changes` (its actions, `before`, and `after_unknown`: what Terraform knows only
//! after apply).

use rustc_hash::FxHashMap;

use super::address::{Address, Key, module_prefix};
use crate::tree::{Kind, NodeId, Tree};

/// What happens to an instance in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete and create (either order).
    Replace,
    Delete,
    Read,
}

/// One entry of `resource_changes`.
pub struct Change {
    pub action: Action,
    /// The `actions` array.
    pub actions: NodeId,
    pub before: Option<NodeId>,
    pub after_unknown: Option<NodeId>,
    /// `replace_paths`: the attributes that force the replacement.
    pub replace_paths: Option<NodeId>,
}

/// A resource instance of the design.
pub struct Instance {
    pub addr: Address,
    /// The canonical address.
    pub address: String,
    /// The resource object (`{"address", "type", "values", ...}`).
    pub obj: NodeId,
    pub values: Option<NodeId>,
    /// The `"address"` value, where findings about a value Terraform doesn't know yet point.
    pub anchor: NodeId,
    pub change: Option<Change>,
}

impl Instance {
    pub fn is(&self, ty: &str) -> bool {
        !self.addr.data && self.addr.ty == ty
    }
    pub fn is_data(&self, ty: &str) -> bool {
        self.addr.data && self.addr.ty == ty
    }
}

/// A step into a value: a member or an element.
#[derive(Clone, Copy, Debug)]
pub enum At<'a> {
    Key(&'a str),
    Index(usize),
}

/// What the document says about one attribute of an instance.
#[derive(Clone, Copy, Debug)]
pub enum Attr {
    /// Known (not null): its node.
    Known(NodeId),
    /// Known only after apply.
    Unknown,
    /// Null or absent.
    Absent,
}

fn step(t: &Tree, n: NodeId, at: At<'_>) -> Option<NodeId> {
    match at {
        // Terraform's attribute names are lower-case and distinct: `get` (which ignores
        // case, and decodes no key) finds the same member, faster.
        At::Key(k) => t.get(n, k),
        At::Index(i) => (t.kind(n) == Kind::Array)
            .then(|| t.children(n).nth(i))
            .flatten(),
    }
}

/// The node at `path` below `n`.
pub fn walk(t: &Tree, mut n: NodeId, path: &[At<'_>]) -> Option<NodeId> {
    for &a in path {
        n = step(t, n, a)?;
    }
    Some(n)
}

/// The instances of a document, in input order, with lookups.
pub struct Instances {
    pub list: Vec<Instance>,
    pub by_address: FxHashMap<String, usize>,
    /// By (module instance, as `module.a["k"].`, and `type.name` or `data.type.name`): the
    /// instances of one resource of one module instance.
    pub by_config: FxHashMap<(String, String), Vec<usize>>,
    /// By (module instance, call name): the keys of the call's instances the plan holds
    /// resources of.
    pub module_keys: FxHashMap<(String, String), Vec<Option<Key>>>,
    /// The module instances seen (as `module.a["k"].`), to list each once.
    module_seen: rustc_hash::FxHashSet<String>,
}

impl Instances {
    /// Reads `planned_values` (a plan) or `values` (a state), then what of `prior_state` the
    /// planned values lack: the data sources, and the managed resources the plan has no change
    /// for (a `-target` plan lists only the resources it changes, the others are kept as they
    /// are); then attaches `resource_changes`.
    pub fn read(t: &Tree, root: NodeId) -> Instances {
        let mut out = Instances {
            list: Vec::new(),
            by_address: FxHashMap::default(),
            by_config: FxHashMap::default(),
            module_keys: FxHashMap::default(),
            module_seen: Default::default(),
        };
        let main = t
            .get(root, "planned_values")
            .or_else(|| t.get(root, "values"));
        if let Some(m) = main.and_then(|v| t.get(v, "root_module")) {
            out.module(t, m, None);
        }
        // The addresses `resource_changes` has an entry for: a managed resource of the prior
        // state without one is outside a `-target`, kept.
        let changed: rustc_hash::FxHashSet<String> = t
            .get(root, "resource_changes")
            .map(|cs| {
                t.children(cs)
                    .filter_map(|c| t.get_str(c, "address"))
                    .filter_map(Address::parse)
                    .map(|a| a.render())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(m) = t
            .get(root, "prior_state")
            .and_then(|p| t.get(p, "values"))
            .and_then(|v| t.get(v, "root_module"))
        {
            out.module(t, m, Some(&changed));
        }
        if let Some(changes) = t.get(root, "resource_changes") {
            for c in t.children(changes) {
                out.change(t, c);
            }
        }
        out
    }

    /// The resources of a module and its children; of the prior state (`prior` holds the
    /// addresses with a change), the data sources and the managed resources without a change.
    fn module(&mut self, t: &Tree, m: NodeId, prior: Option<&rustc_hash::FxHashSet<String>>) {
        let mut stack = vec![m];
        while let Some(m) = stack.pop() {
            if let Some(rs) = t.get(m, "resources") {
                for r in t.children(rs) {
                    self.resource(t, r, prior);
                }
            }
            if let Some(cs) = t.get(m, "child_modules") {
                // Depth first, in input order.
                let children: Vec<NodeId> = t.children(cs).collect();
                stack.extend(children.into_iter().rev());
            }
        }
    }

    fn resource(&mut self, t: &Tree, r: NodeId, prior: Option<&rustc_hash::FxHashSet<String>>) {
        let Some(anchor) = t.get(r, "address") else {
            return;
        };
        let Some(addr) = t.str(anchor).and_then(Address::parse) else {
            return;
        };
        let address = addr.render();
        // From the prior state the data sources read while planning, and the managed
        // resources the plan doesn't touch: the others' future is in the planned values (or
        // they are deleted).
        if prior.is_some_and(|changed| !addr.data && changed.contains(&address)) {
            return;
        }
        if self.by_address.contains_key(&address) {
            return;
        }
        let i = self.list.len();
        self.by_address.insert(address.clone(), i);
        self.by_config
            .entry((module_prefix(&addr.module), addr.config_name()))
            .or_default()
            .push(i);
        // Each module instance once: when this is the first resource of it the plan holds.
        for d in 0..addr.module.len() {
            let (call, key) = &addr.module[d];
            let parent = module_prefix(&addr.module[..d]);
            let mut here = parent.clone();
            here.push_str(&module_prefix(&addr.module[d..=d]));
            if self.module_seen.insert(here) {
                self.module_keys
                    .entry((parent, call.clone()))
                    .or_default()
                    .push(key.clone());
            }
        }
        self.list.push(Instance {
            addr,
            address,
            obj: r,
            values: t.get(r, "values").filter(|&v| t.kind(v) == Kind::Object),
            anchor,
            change: None,
        });
    }

    fn change(&mut self, t: &Tree, c: NodeId) {
        // A deposed object (`create_before_destroy`) is the old copy being removed.
        if t.get(c, "deposed").is_some() {
            return;
        }
        let Some(text) = t.get_str(c, "address") else {
            return;
        };
        // The address as the planned values write it, else parsed (written another way).
        let i = match self.by_address.get(text) {
            Some(&i) => i,
            None => match Address::parse(text).and_then(|a| self.by_address.get(&a.render())) {
                Some(&i) => i,
                None => return, // deleted: not part of the design after apply
            },
        };
        let Some(ch) = t.get(c, "change") else {
            return;
        };
        let Some(actions) = t.get(ch, "actions") else {
            return;
        };
        let words: Vec<&str> = t.children(actions).filter_map(|a| t.str(a)).collect();
        let action = match words.as_slice() {
            ["create"] => Action::Create,
            ["update"] => Action::Update,
            ["delete"] => Action::Delete,
            ["read"] => Action::Read,
            ["delete", "create"] | ["create", "delete"] => Action::Replace,
            _ => Action::NoOp,
        };
        let obj = |k: &str| t.get(ch, k).filter(|&n| t.kind(n) != Kind::Null);
        self.list[i].change = Some(Change {
            action,
            actions,
            before: obj("before"),
            after_unknown: obj("after_unknown"),
            replace_paths: obj("replace_paths"),
        });
    }

    /// An attribute of an instance at `path` (`["ip_configuration", 0, "subnet_id"]`).
    pub fn attr(&self, t: &Tree, i: usize, path: &[At<'_>]) -> Attr {
        let inst = &self.list[i];
        // `after_unknown` marks an unknown value with `true`, at its place or above it.
        if let Some(mut u) = inst.change.as_ref().and_then(|c| c.after_unknown) {
            let mut unknown = t.bool(u) == Some(true);
            for &a in path {
                if unknown {
                    break;
                }
                match step(t, u, a) {
                    Some(n) => {
                        u = n;
                        unknown = t.bool(u) == Some(true);
                    }
                    None => break,
                }
            }
            if unknown {
                return Attr::Unknown;
            }
        }
        match inst.values.and_then(|v| walk(t, v, path)) {
            Some(n) if t.kind(n) != Kind::Null => Attr::Known(n),
            _ => Attr::Absent,
        }
    }

    /// A string attribute, when known.
    pub fn str<'t>(&self, t: &'t Tree, i: usize, key: &str) -> Option<&'t str> {
        match self.attr(t, i, &[At::Key(key)]) {
            Attr::Known(n) => t.str(n),
            _ => None,
        }
    }
}
