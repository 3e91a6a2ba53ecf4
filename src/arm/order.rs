//! The order Resource Manager deploys a template's resources in: each resource waits for what
//! its `dependsOn` names (by id, by `Namespace/type/name`, by name, by copy-loop name or, in
//! languageVersion 2.0, by symbolic name) and for the resources its expressions read with
//! `reference()`; a nested deployment finishes after everything declared in it.
//! <https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-dependency>
//!
//! Where the template language leaves a choice, the reading here is the one that makes a
//! resource wait for more, never less: a rule built on it may miss an ordering problem but
//! never claims one that isn't there.

use rustc_hash::FxHashMap as FastMap;

use super::template::Instance;
use super::value::{Val, Value};

/// The deployed instances each name may stand for.
#[derive(Default)]
struct Names {
    /// Lower-case full id.
    ids: FastMap<String, Vec<usize>>,
    /// Lower-case `namespace/type/name/...`, the id after `/providers/`.
    tails: FastMap<String, Vec<usize>>,
    /// Lower-case full name, last name segment, symbolic name and copy-loop name.
    names: FastMap<String, Vec<usize>>,
}

fn tail(id: &str) -> Option<&str> {
    // One searcher for every call (core's `find` built its own each time).
    const PROVIDERS: &str = "/providers/";
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(PROVIDERS));
    let i = FINDER.find(id.as_bytes())?;
    Some(&id[i + PROVIDERS.len()..])
}

impl Names {
    fn new(instances: &[Instance]) -> Names {
        let mut n = Names::default();
        let add = |m: &mut FastMap<String, Vec<usize>>, k: String, i: usize| {
            let v = m.entry(k).or_default();
            if v.last() != Some(&i) {
                v.push(i);
            }
        };
        for (i, s) in instances.iter().enumerate().filter(|(_, s)| s.deployed()) {
            let id = s.id.to_ascii_lowercase();
            if let Some(t) = tail(&id) {
                add(&mut n.tails, t.to_string(), i);
            }
            add(&mut n.ids, id, i);
            let name = s.name.to_ascii_lowercase();
            if let Some(last) = name.rsplit('/').next().filter(|l| *l != name) {
                add(&mut n.names, last.to_string(), i);
            }
            add(&mut n.names, name, i);
            for k in [&s.symbol, &s.copy].into_iter().flatten() {
                add(&mut n.names, k.to_ascii_lowercase(), i);
            }
        }
        n
    }

    /// The instances a `dependsOn` entry or `reference()` target names; none for a resource the
    /// template doesn't deploy (an existing one, or one whose condition is false).
    fn lookup(&self, text: &str) -> Vec<usize> {
        let t = text.trim().trim_end_matches('/').to_ascii_lowercase();
        let found = if t.starts_with('/') {
            self.ids
                .get(&t)
                .or_else(|| tail(&t).and_then(|x| self.tails.get(x)))
        } else if t.split('/').next().is_some_and(|ns| ns.contains('.')) {
            // `Microsoft.Network/virtualNetworks/hub`
            self.tails.get(&t)
        } else {
            // A name, a copy loop or a symbolic name, possibly indexed (`spokes[2]`): every
            // instance of the loop.
            let bare = match t.find('[') {
                Some(i) if t.ends_with(']') => &t[..i],
                _ => &t,
            };
            self.names.get(&t).or_else(|| self.names.get(bare))
        };
        found.cloned().unwrap_or_default()
    }
}

/// Resolves the `dependsOn` and implicit dependencies of every deployed instance to the
/// deployed instances they name ([`Instance::after`], [`Instance::unknown_depends_on`]).
pub fn resolve(instances: &mut [Instance]) {
    let names = Names::new(instances);
    for s in instances.iter_mut().filter(|s| s.deployed()) {
        let mut after = Vec::new();
        let mut unknown = Vec::new();
        for d in &s.depends_on {
            let text = match &d.v {
                Val::Str(x) => Some(x.to_string()),
                Val::Unknown(u) => match &u.symbol {
                    Some(sym) => Some(sym.clone()),
                    None => {
                        unknown.push((d.at, u.reason.clone()));
                        None
                    }
                },
                _ => None,
            };
            if let Some(text) = text {
                let found = names.lookup(&text);
                // A placeholder that names nothing may stand for any resource.
                if found.is_empty()
                    && let Val::Unknown(u) = &d.v
                {
                    unknown.push((d.at, u.reason.clone()));
                }
                after.extend(found);
            }
        }
        for target in &s.implicit {
            after.extend(names.lookup(target));
        }
        after.sort_unstable();
        after.dedup();
        s.after = after;
        s.unknown_depends_on = unknown;
    }
}

/// A template's `dependsOn`: an array of entries, each evaluated (an entry that isn't an
/// array item, or an array that can't be known, is one unknown entry).
pub fn entries(v: Value) -> Vec<Value> {
    match &v.v {
        Val::Array(items) => items.iter().cloned().collect(),
        Val::Null => Vec::new(),
        _ => vec![v],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::Condition;
    use crate::model::Loc;
    use crate::source::{FileId, Span};

    fn step(ty: &str, id: &str, name: &str, deps: &[&str]) -> Instance {
        let at = Loc::new(FileId(0), Span::new(0, 0), None);
        Instance {
            ty: ty.into(),
            name: name.into(),
            id: id.into(),
            unknown_name: None,
            symbol: None,
            copy: None,
            index: None,
            loc: at,
            named: at,
            condition: Condition::Always,
            within: None,
            duplicate_of: None,
            depends_on: deps.iter().map(|d| Value::str(d, at)).collect(),
            implicit: Vec::new(),
            after: Vec::new(),
            unknown_depends_on: Vec::new(),
        }
    }

    #[test]
    fn entries_name_resources_by_id_short_id_name_loop_and_symbol() {
        let base = "/subscriptions/s/resourceGroups/rg/providers/";
        let mut gw = step(
            "microsoft.network/virtualnetworkgateways",
            &format!("{base}Microsoft.Network/virtualNetworkGateways/gw"),
            "gw",
            &[],
        );
        gw.symbol = Some("hubGateway".into());
        gw.copy = Some("gateways".into());
        let mut steps = vec![
            gw,
            step(
                "x/y",
                "/a",
                "a",
                // Another resource group's placeholder: the type and name still match.
                &[
                    "/subscriptions/{s}/resourceGroups/{rg}/providers/microsoft.network/virtualNetworkGateways/GW",
                ],
            ),
            step(
                "x/y",
                "/b",
                "b",
                &["Microsoft.Network/virtualNetworkGateways/gw"],
            ),
            step("x/y", "/c", "c", &["gw"]),
            step("x/y", "/d", "d", &["hubGateway"]),
            step("x/y", "/e", "e", &["gateways[1]"]),
            step("x/y", "/f", "f", &["somethingElse"]),
        ];
        resolve(&mut steps);
        for s in &steps[1..6] {
            assert_eq!(s.after, vec![0], "{}", s.name);
        }
        assert!(steps[6].after.is_empty() && steps[6].unknown_depends_on.is_empty());
    }

    #[test]
    fn an_entry_known_only_at_deployment_may_name_anything() {
        let at = Loc::new(FileId(0), Span::new(0, 0), None);
        let mut s = step("x/y", "/a", "a", &[]);
        s.depends_on = vec![
            Value::unknown("no value", None, at),
            Value::unknown("no value", Some("/subscriptions/x/{gw}".into()), at),
        ];
        let mut steps = vec![s];
        resolve(&mut steps);
        assert_eq!(steps[0].unknown_depends_on.len(), 2);
    }

    #[test]
    fn an_instance_not_deployed_is_waited_for_by_nothing() {
        let at = Loc::new(FileId(0), Span::new(0, 0), None);
        let mut absent = step("x/y", "/gw", "gw", &[]);
        absent.condition = Condition::False { at, deciding: at };
        let mut steps = vec![
            absent,
            step("x/y", "/gw", "gw", &[]),
            step("x/y", "/a", "a", &["gw", "/gw"]),
        ];
        steps[2].implicit = vec!["/gw".into()];
        resolve(&mut steps);
        assert_eq!(steps[2].after, vec![1]);
    }
}
