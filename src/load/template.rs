//! ARM templates as inputs: finds a template's parameters file and deployment context, has
//! [`arm::evaluate`] evaluate it, and hands the result to the graph builder: expression errors
//! as input problems, undecided declarations as unresolved values, resources (child resources
//! merged into their vnets) through the shared extractor. Depends on `arm`, the extractor and
//! the graph builder.

use std::rc::Rc;

use crate::arm::value::{Val, Value};
use crate::arm::{self, Condition, Effect, EvalError, Evaluated, Resource};
use crate::graph::GraphBuilder;
use crate::id::ArmId;
use crate::json;
use crate::model::{Child, Conflict, Format, Loc, Problem, Unresolved};
use crate::source::FileId;
use crate::tree::Tree;
use rustc_hash::FxHashMap as FastMap;

use super::doc::{Doc, EvalDoc};
use super::resource::Extractor;
use super::{LoadCx, read_source, same_file, syntax_problem};

/// Loads one template: evaluated once per parameters file paired with it (each is one
/// deployment), or once without one, in its folder's context. What the deployments have in
/// common (an error in the template, an unknown value) is reported once.
pub(super) fn load(cx: &mut LoadCx<'_>, file: FileId, tree: &Tree) {
    let mut context = context_for(cx, file);
    let tpath = cx.db.get(file).fs_path.clone();
    // The scope the configuration gives the templates under a path.
    if let Some(t) = &tpath
        && let Some((_, scope)) = cx
            .options
            .scopes
            .iter()
            .rev()
            .find(|(p, _)| same_file(p, t))
    {
        context = scope.over(context);
    }
    // The deployments the configuration names for it (unless the command line names its
    // parameters files): each with its parameters file, in its own scope.
    let deployments: Vec<(Option<FileId>, arm::Context)> = match &tpath {
        Some(t) if !named_for(cx, t) => {
            let configured: Vec<super::Deployment> = cx
                .options
                .deployments
                .iter()
                .filter(|d| same_file(&d.template, t))
                .cloned()
                .collect();
            configured
                .into_iter()
                .filter_map(|d| {
                    let params = match &d.parameters {
                        Some(p) => Some(parameters_file(cx, p)?),
                        None => None,
                    };
                    Some((params, d.scope.over(context.clone())))
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let deployments = if deployments.is_empty() {
        let params = parameters_for(cx, file);
        if params.is_empty() {
            vec![(None, context)]
        } else {
            params
                .into_iter()
                .map(|p| (Some(p), context.clone()))
                .collect()
        }
    } else {
        deployments
    };
    cx.used_parameters
        .extend(deployments.iter().filter_map(|(p, _)| *p));
    let mark = cx.b.mark();
    for (params, context) in deployments {
        let p = match params {
            None => None,
            Some(id) => {
                let Some(ptree) = cx.trees.get(id.0 as usize).and_then(Option::as_ref) else {
                    continue;
                };
                Some(arm::Params {
                    tree: ptree,
                    file: id,
                    path: &cx.db.get(id).path,
                })
            }
        };
        let evaluated = arm::evaluate(tree, file, p, &context);
        record(evaluated, file, cx.b);
    }
    cx.b.dedup_since(mark);
    cx.b.count_file();
}

/// Whether the command line names parameters files for this template.
fn named_for(cx: &LoadCx<'_>, tpath: &std::path::Path) -> bool {
    cx.options
        .parameters
        .iter()
        .any(|(t, _)| t.as_deref().is_some_and(|t| same_file(t, tpath)))
}

/// The parameters files of a template, one per deployment: those named for it on the command
/// line (`--parameters TEMPLATE=FILE`, repeatable), else those named for every template
/// (`--parameters FILE`), else those beside it that pair with it by name (see
/// [`pairs_with`]). Each is read, parsed and registered once; one that doesn't parse is
/// reported and left out.
fn parameters_for(cx: &mut LoadCx<'_>, template: FileId) -> Vec<FileId> {
    let Some(tpath) = cx.db.get(template).fs_path.clone() else {
        return Vec::new();
    };
    let named = |t: &Option<std::path::PathBuf>| t.as_deref().is_some_and(|t| same_file(t, &tpath));
    let mut paths: Vec<std::path::PathBuf> = cx
        .options
        .parameters
        .iter()
        .filter(|(t, _)| named(t))
        .map(|(_, p)| p.clone())
        .collect();
    if paths.is_empty() {
        paths = cx
            .options
            .parameters
            .iter()
            .filter(|(t, _)| t.is_none())
            .map(|(_, p)| p.clone())
            .collect();
    }
    if paths.is_empty() {
        paths = siblings(cx, &tpath);
    }
    // By path, not by the order they were named in: each is one deployment, and the first
    // deployment's copy of what several say is the one kept.
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        if let Some(id) = parameters_file(cx, &path)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// The parameters files beside a template that pair with it, sorted by name.
fn siblings(cx: &mut LoadCx<'_>, tpath: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Some((dir, stem)) = folder_and_stem(tpath) else {
        return Vec::new();
    };
    let pairs = super::folder_pairs(cx, &dir);
    pairs
        .get(&stem)
        .map(|files| files.iter().map(|f| dir.join(&**f)).collect())
        .unwrap_or_default()
}

/// The parameters files beside a template that pair with it by name (see [`pairs_with`]),
/// sorted: those `check` uses, one deployment each, when none is named.
pub fn parameters_beside(tpath: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Some((dir, stem)) = folder_and_stem(tpath) else {
        return Vec::new();
    };
    pair_folder(&super::folder_names(&dir))
        .remove(&stem)
        .map(|files| files.iter().map(|f| dir.join(&**f)).collect())
        .unwrap_or_default()
}

/// A template's folder and the lower-case stem its parameters files pair with (`main` for
/// `Main.json`).
fn folder_and_stem(tpath: &std::path::Path) -> Option<(std::path::PathBuf, String)> {
    let name = tpath.file_name()?.to_string_lossy().to_ascii_lowercase();
    let stem = name
        .strip_suffix(".jsonc")
        .or_else(|| name.strip_suffix(".json"))?;
    let dir = tpath.parent().unwrap_or(std::path::Path::new(""));
    Some((dir.to_path_buf(), stem.to_string()))
}

/// The parameters files among a folder's file names (sorted), by the lower-case stem of the
/// template each pairs with (see [`pairs_with`]).
pub(super) fn pair_folder(names: &[Box<str>]) -> FastMap<String, Vec<Box<str>>> {
    let lower: rustc_hash::FxHashSet<String> =
        names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut out: FastMap<String, Vec<Box<str>>> = FastMap::default();
    for n in names {
        if let Some(stem) = pairs_with(n, &lower) {
            out.entry(stem).or_default().push(n.clone());
        }
    }
    out
}

/// The stem of the template (`<stem>.json` or `<stem>.jsonc`, among the folder's lower-case
/// file names) a parameters file named `file` pairs with: `<stem>.parameters.json`,
/// `<stem>.parameters.<env>.json` or `<stem>.<env>.parameters.json`, compared ignoring case;
/// the longest stem wins (`main.dev.parameters.json` is `main.dev.json`'s if there is one,
/// else a `dev` deployment of `main.json`). Lower-case.
fn pairs_with(file: &str, names: &rustc_hash::FxHashSet<String>) -> Option<String> {
    let f = file.to_ascii_lowercase();
    let body = f.strip_suffix(".json")?;
    let mut stems: Vec<&str> = Vec::new();
    if let Some(s) = body.strip_suffix(".parameters") {
        // `<stem>.parameters.json`, and `<stem>.<env>.parameters.json` for each split of it.
        stems.push(s);
        stems.extend(s.match_indices('.').map(|(i, _)| &s[..i]));
    }
    // `<stem>.parameters.<env>.json`.
    stems.extend(
        body.match_indices(".parameters.")
            .filter(|&(i, m)| i + m.len() < body.len())
            .map(|(i, _)| &body[..i]),
    );
    stems.sort_by_key(|s| std::cmp::Reverse(s.len()));
    stems
        .into_iter()
        .filter(|s| !s.is_empty())
        .find(|s| names.contains(&format!("{s}.json")) || names.contains(&format!("{s}.jsonc")))
        .map(str::to_string)
}

/// Reads, parses and registers a parameters file once; None when it can't be read or parsed
/// (reported).
fn parameters_file(cx: &mut LoadCx<'_>, path: &std::path::Path) -> Option<FileId> {
    if let Some(id) = file_read_from(cx, path) {
        if cx.tree(id).is_none() {
            let parsed = json::parse(&cx.db.get(id).text, cx.db.get(id).content_start).ok();
            cx.set_tree(id, parsed);
        }
        return cx.tree(id).is_some().then_some(id);
    }
    // Capped as every input is (`--parameters <(...)` is a pipe).
    let (id, text) = read_companion(cx, path)?;
    if let Some(known) = &mut cx.files_by_path {
        known.insert(real_path(path), id);
    }
    if !text {
        return None;
    }
    let src = cx.db.get(id);
    match json::parse(&src.text, src.content_start) {
        Ok(t) => {
            cx.set_tree(id, Some(t));
            Some(id)
        }
        Err(e) => {
            cx.b.problem(syntax_problem(id, e, Format::Json));
            cx.set_tree(id, None);
            None
        }
    }
}

/// Reads and registers a file an input names or implies (a parameters file, GruCloud's
/// `config.js`), capped as every input is: its id, and whether it is text (if not, that is
/// reported). None when it can't be read (a tool error).
pub(super) fn read_companion(
    cx: &mut LoadCx<'_>,
    path: &std::path::Path,
) -> Option<(FileId, bool)> {
    let bytes = match crate::source::read_file(path, crate::source::MAX_INPUT_BYTES) {
        Ok(b) => b,
        Err(e) => {
            cx.errors.push(format!("{}: {e}", path.display()));
            return None;
        }
    };
    let display = crate::discover::display(path);
    Some(read_source(
        display,
        Some(path.to_path_buf()),
        bytes,
        cx.db,
        cx.b,
    ))
}

/// The file of the run read from `path`, however either path is written (`t.parameters.json`
/// beside `t.json` is the input `./t.parameters.json`).
fn file_read_from(cx: &mut LoadCx<'_>, path: &std::path::Path) -> Option<FileId> {
    let db = &*cx.db;
    let known = cx.files_by_path.get_or_insert_with(|| {
        (0u32..)
            .map(FileId)
            .map_while(|id| db.try_get(id).map(|f| (id, f)))
            .filter_map(|(id, f)| Some((real_path(f.fs_path.as_deref()?), id)))
            .collect()
    });
    known.get(&real_path(path)).copied()
}

/// A file's path as one value however it is written: its real path when it exists.
fn real_path(p: &std::path::Path) -> std::path::PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// The run's deployment context, with the placeholders of the template's folder: templates of
/// one folder share a placeholder resource group (a hub and its spokes link up), the folders
/// met after the first get their own, numbered. Inputs are loaded folder by folder in the
/// order of the folders' paths, whatever order they were named in (`engine::canonical_order`),
/// so that is the numbering; a folder is one folder however its path is written (`a.json` and
/// `./b.json` are side by side).
fn context_for(cx: &mut LoadCx<'_>, file: FileId) -> arm::Context {
    let folder = cx
        .db
        .get(file)
        .fs_path
        .as_ref()
        .and_then(|p| p.parent())
        .map(folder_identity);
    let next = cx.template_folders.len();
    let index = *cx.template_folders.entry(folder).or_insert(next);
    let mut context = cx.options.context.clone();
    if index > 0 {
        context.tag = format!("-{}", index + 1);
        if context.resource_group.is_none() {
            context.resource_group = Some(format!("{{resourceGroup-{}}}", index + 1));
        }
    }
    context
}

/// A folder as one value however its path is written: the real path when it exists (`.`, `./x`,
/// `x/../x` and a link to it are one folder), else the path without `.` segments.
fn folder_identity(dir: &std::path::Path) -> std::path::PathBuf {
    let read = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    read.canonicalize().unwrap_or_else(|_| {
        dir.components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect()
    })
}

/// Hands an evaluated template to the graph builder: gateways under a false condition, the
/// expression errors, the undecided declarations, then the resources.
fn record(evaluated: Evaluated, file: FileId, b: &mut GraphBuilder) {
    let Evaluated {
        resources,
        problems,
        undecided,
        outputs: _,
        instances,
    } = evaluated;
    super::deploy_order::record(&resources, &instances, b);
    for r in &resources {
        if let Condition::False { at, deciding } = r.condition {
            absent_gateway(r, at, deciding, b);
        }
    }
    // One error per expression: a copy loop repeats it for every instance (the first keeps it).
    let mut seen = rustc_hash::FxHashSet::default();
    for EvalError {
        loc,
        message,
        resource,
        limit,
    } in problems
    {
        if !seen.insert((loc, message.clone())) {
            continue;
        }
        let p = Problem::Expression {
            loc,
            detail: message,
            limit,
        };
        b.problem_of(resource.as_deref().unwrap_or(""), p);
    }
    for d in &instances {
        let Some(first) = d.duplicate_of.map(|i| &instances[i]) else {
            continue;
        };
        let p = Problem::DuplicateResource {
            loc: first.named,
            ty: d.ty.clone(),
            name: d.name.clone(),
            second: d.named,
        };
        b.problem_of(&first.id, p);
    }
    for u in undecided {
        // What a skipped declaration would have added (peerings, subnets) is unknown.
        if u.effect == Effect::Skipped {
            b.skipped(&u.resource, u.loc);
        }
        // An invalid expression is reported as such, once: nothing more about it.
        if u.error {
            continue;
        }
        b.unresolved(Unresolved {
            loc: u.loc,
            resource: u.resource,
            what: u.what,
            reason: u.reason,
            blocks: match u.effect {
                Effect::Skipped => crate::model::Blocked::Resource,
                Effect::AsIfDeployed => crate::model::Blocked::AsIfDeployed,
            },
        });
    }
    extract(resources, file, b)
}

/// A gateway whose condition is false: noted on the vnet of the first subnet its ip
/// configurations name, so that findings about the missing gateway can point at the condition.
fn absent_gateway(r: &Resource, condition: Loc, deciding: Loc, b: &mut GraphBuilder) {
    if r.ty != "microsoft.network/virtualnetworkgateways" {
        return;
    }
    let configs = r
        .body
        .get("properties")
        .and_then(|p| p.get("ipConfigurations"));
    let Some(Val::Array(configs)) = configs.map(|x| &x.v) else {
        return;
    };
    for cfg in configs.iter() {
        let sid = cfg
            .get("properties")
            .and_then(|p| p.get("subnet"))
            .and_then(|s| s.get("id"))
            .and_then(|i| i.text_or_symbol());
        if let Some(sid) = sid.and_then(|s| ArmId::parse(s).ok())
            && sid.types.len() == 2
        {
            b.absent_gateway(&sid.ancestor(1).key(), r.name.clone(), condition, deciding);
            return;
        }
    }
}

/// Whether a `virtualHubs/ipConfigurations` resource belongs to one of `hubs` that is a Virtual
/// WAN hub (`virtualWan` set): that is no Route Server (P14).
pub(super) fn in_virtual_wan_hub(r: &Resource, hubs: &[&Resource]) -> bool {
    let hub = r.id.split("/ipConfigurations/").next().unwrap_or(&r.id);
    r.ty == "microsoft.network/virtualhubs/ipconfigurations"
        && hubs.iter().any(|h| {
            h.id.eq_ignore_ascii_case(hub)
                && h.body
                    .get("properties")
                    .and_then(|p| p.get("virtualWan"))
                    .is_some_and(|w| !matches!(w.v, Val::Null))
        })
}

/// A vnet or route table, with the child resources merged into its lists.
struct Parent {
    res: Resource,
    /// Per list, where each name (lower-case) is in it: filled as the list is first merged
    /// into, so that merging stays linear in the children.
    names: FastMap<&'static str, Option<FastMap<String, usize>>>,
    /// The merged children deployed only under an unknown condition: (list, index in it, where
    /// the condition is).
    conditional: Vec<(&'static str, usize, Loc)>,
}

/// Merges child subnets and peerings into their vnets (reporting copies that disagree) and
/// extracts everything (GruCloud designs come this way too).
pub(super) fn extract(out: Vec<Resource>, file: FileId, b: &mut GraphBuilder) {
    // Vnets and route tables: the parents child resources merge into.
    let mut parents: Vec<Parent> = Vec::new();
    let mut by_id: FastMap<String, usize> = FastMap::default();
    let mut children: Vec<Resource> = Vec::new();
    let mut gateways: Vec<Resource> = Vec::new();
    let mut hubs: Vec<Resource> = Vec::new();
    // A resource whose condition is false is not deployed.
    for r in out
        .into_iter()
        .filter(|r| !matches!(r.condition, Condition::False { .. }))
    {
        match r.ty.as_str() {
            "microsoft.network/virtualnetworks" | "microsoft.network/routetables" => {
                // Declared twice (mutually exclusive conditions): the first is kept.
                if let std::collections::hash_map::Entry::Vacant(e) =
                    by_id.entry(r.id.to_ascii_lowercase())
                {
                    e.insert(parents.len());
                    parents.push(Parent {
                        res: r,
                        names: FastMap::default(),
                        conditional: Vec::new(),
                    });
                }
            }
            "microsoft.network/virtualnetworkgateways"
            | "microsoft.network/virtualhubs/ipconfigurations" => gateways.push(r),
            "microsoft.network/virtualhubs" => hubs.push(r),
            _ => children.push(r),
        }
    }
    let mut standalone = Vec::new();
    for c in children {
        let parent_key =
            c.id.rsplitn(3, '/')
                .nth(2)
                .unwrap_or("")
                .to_ascii_lowercase();
        let list = if c.ty.ends_with("/subnets") {
            "subnets"
        } else if c.ty.ends_with("/routes") {
            "routes"
        } else {
            "virtualNetworkPeerings"
        };
        match by_id.get(&parent_key) {
            Some(&i) => {
                let parent = &mut parents[i];
                let names = parent.names.entry(list).or_default();
                let Some(added) = add_child(&mut parent.res.body, list, names, &c) else {
                    continue;
                };
                if let Some(conflict) = added.conflict {
                    b.problem_of(&c.id, conflict);
                }
                // The child's copy is the one in the list now, and so is its condition.
                parent
                    .conditional
                    .retain(|&(l, i, _)| (l, i) != (list, added.index));
                if let Condition::Unknown { at, .. } = c.condition {
                    parent.conditional.push((list, added.index, at));
                }
            }
            None if list == "virtualNetworkPeerings" => standalone.push(c),
            None => {}
        }
    }
    for p in &parents {
        extract_one(&p.res, &p.conditional, file, b);
    }
    // A Virtual WAN hub's ip configurations are no Route Server (P14).
    let hubs: Vec<&Resource> = hubs.iter().collect();
    gateways.retain(|r| !in_virtual_wan_hub(r, &hubs));
    for r in standalone.iter().chain(gateways.iter()) {
        extract_one(r, &[], file, b);
    }
}

/// Hands one resource to the shared extractor, telling it which objects (the resource, the
/// children merged into its lists) are deployed only under an unknown condition.
fn extract_one(
    r: &Resource,
    conditional: &[(&'static str, usize, Loc)],
    file: FileId,
    b: &mut GraphBuilder,
) {
    let mut doc = EvalDoc::new(&r.body, b);
    let root = doc.root();
    if let Condition::Unknown { at, .. } = r.condition {
        doc.set_condition(root, at);
    }
    for &(list, index, at) in conditional {
        let item = doc
            .get(root, "properties")
            .and_then(|p| doc.get(p, list))
            .and_then(|l| doc.children(l).nth(index));
        if let Some(n) = item {
            doc.set_condition(n, at);
        }
    }
    Extractor::new(file, &doc, b).resource(root);
}

/// Where [`add_child`] put a child: its index in the list, and how it disagrees with the inline
/// copy it replaced.
struct Added {
    index: usize,
    conflict: Option<Problem>,
}

/// Adds a child resource to its vnet's inline list; the same child declared inline too is
/// merged, and a disagreement between the copies is returned as a problem. None when the vnet
/// has no such list to add to.
/// `names` is where each name is in the list, lower-case (None until the list is first merged
/// into).
fn add_child(
    vnet: &mut Value,
    list: &str,
    names: &mut Option<FastMap<String, usize>>,
    child: &Resource,
) -> Option<Added> {
    let Val::Object(members) = &mut vnet.v else {
        return None;
    };
    let members = Rc::make_mut(members);
    let props = members
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case("properties"))?;
    let Val::Object(pm) = &mut props.1.v else {
        return None;
    };
    let pm = Rc::make_mut(pm);
    let at = child.loc;
    if !pm.iter().any(|(k, _)| k.eq_ignore_ascii_case(list)) {
        pm.push((Rc::from(list), Value::array(Vec::new(), at)));
    }
    let slot = pm.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(list))?;
    let Val::Array(items) = &mut slot.1.v else {
        return None;
    };
    let items = Rc::make_mut(items);
    let names = names.get_or_insert_with(|| {
        // The inline items, the first of each name.
        let mut names = FastMap::default();
        for (i, item) in items.iter().enumerate() {
            if let Some(n) = item.get("name").and_then(|n| n.text_or_symbol()) {
                names.entry(n.to_ascii_lowercase()).or_insert(i);
            }
        }
        names
    });
    let short = child.name.rsplit('/').next().unwrap_or("");
    let mut body = child.body.clone();
    if let Val::Object(m) = &mut body.v {
        Rc::make_mut(m).retain(|(k, _)| !k.eq_ignore_ascii_case("type"));
    }
    if let Some(&index) = names.get(&short.to_ascii_lowercase()) {
        // The child resource is deployed after its vnet, so its copy is the one that stays.
        let conflict = conflict(&items[index], child, list);
        items[index] = body;
        return Some(Added { index, conflict });
    }
    // The child's copy is named as the child: later ones of the name merge into it.
    let name = body
        .get("name")
        .and_then(|n| n.text_or_symbol())
        .map(str::to_ascii_lowercase);
    if let Some(name) = name {
        names.entry(name).or_insert(items.len());
    }
    items.push(body);
    Some(Added {
        index: items.len() - 1,
        conflict: None,
    })
}

/// The properties whose values must agree between two copies of one subnet, peering or route.
const COMPARED: &[&str] = &[
    "addressPrefix",
    "nextHopType",
    "nextHopIpAddress",
    "routeTable",
    "addressPrefixes",
    "remoteVirtualNetwork",
    "allowVirtualNetworkAccess",
    "allowForwardedTraffic",
    "allowGatewayTransit",
    "useRemoteGateways",
    "peerCompleteVnets",
    "localSubnetNames",
    "remoteSubnetNames",
];

fn conflict(inline: &Value, child: &Resource, list: &str) -> Option<Problem> {
    let a = inline.get("properties")?;
    let b = child.body.get("properties")?;
    // Absent, `null` and `[]` all mean "none" (Bicep writes `null` inline and `[]` in the
    // child resource for the unused one of `addressPrefix`/`addressPrefixes`).
    let none = |v: &&Value| match &v.v {
        Val::Null => true,
        Val::Array(a) => a.is_empty(),
        _ => false,
    };
    for &key in COMPARED {
        let (x, y) = (
            a.get(key).filter(|v| !none(v)),
            b.get(key).filter(|v| !none(v)),
        );
        let differs = match (x, y) {
            (Some(x), Some(y)) => x.equals(y) == Some(false),
            _ => false,
        };
        if differs {
            let (x, y) = (x.unwrap(), y.unwrap());
            let what = match list {
                "subnets" => Child::Subnet,
                "routes" => Child::Route,
                _ => Child::Peering,
            };
            return Some(Problem::Conflict(Conflict::Copies {
                loc: y.at,
                what,
                name: child.name.clone(),
                key,
                here: y.to_text().unwrap_or_default(),
                other: x.to_text().unwrap_or_default(),
                other_loc: x.at,
            }));
        }
    }
    None
}
