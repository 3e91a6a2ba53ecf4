//! Loaders: recognise a file's shape by its content (never by its name) and hand its
//! resources to the graph builder; they depend on the parse trees, the `arm` evaluator, the
//! model and the graph builder, never on the engine.
//!
//! One module per input shape finds the resource objects in its envelope (`template` has
//! ARM templates evaluated first, `spec` builds a design spec's resources, `grucloud` has a
//! GruCloud `resources.js` evaluated by `js`); `resource` extracts vnets, subnets, peerings
//! and gateways from them, reading them through `doc`.

mod azcli;
mod deploy_order;
pub mod doc;
mod grucloud;
mod powershell;
pub mod resource;
mod resource_graph;
mod rest;
pub mod spec;
mod template;
mod terraform;

pub use template::parameters_beside;

use crate::arm;
use crate::graph::GraphBuilder;
use crate::json;
use crate::model::{Format, Loc, Problem, UnrecognizedWhy};
use crate::source::{FileId, SourceDb, SourceFile, Span};
use crate::tree::{Kind, NodeId, Tree};

use resource::Extractor;

/// The input shapes peerlint recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `az network vnet list/show`, `az network vnet peering list`: flattened properties.
    AzCli,
    /// REST / ARM GET responses (a resource, or `{"value": [...]}`), and the REST API spec's
    /// example files that wrap them.
    Rest,
    /// `az graph query` results: `{"count", "data": [...]}`.
    ResourceGraph,
    /// `Get-AzVirtualNetwork | ConvertTo-Json`: PascalCase.
    PowerShell,
    /// `terraform show -json` of a plan or a state: `format_version`, `terraform_version`.
    Terraform,
    /// Something else: an ARM template, a parameters file, unrelated JSON.
    Unknown(Unknown),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    ArmTemplate,
    ArmParameters,
    Other,
}

/// How templates are evaluated: the deployment context and parameters files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub context: arm::template::Context,
    /// Parameters files named on the command line: (template path or None for every
    /// template, parameters file).
    pub parameters: Vec<(Option<std::path::PathBuf>, std::path::PathBuf)>,
    /// Deployments the configuration names: a template with them is evaluated once for each
    /// (unless the command line names its parameters files).
    pub deployments: Vec<Deployment>,
    /// Where particular templates deploy (the configuration's `[[per-path]]` tables), by
    /// template path: over `context`, under a deployment's own scope.
    pub scopes: Vec<(std::path::PathBuf, Scope)>,
    /// Threads to read, parse and check on (0: as many as `RAYON_NUM_THREADS` says, else one
    /// per core). The output is the same for any number.
    pub threads: usize,
}

/// One deployment of a template: its parameters file (if any) and where it deploys.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub template: std::path::PathBuf,
    pub parameters: Option<std::path::PathBuf>,
    pub scope: Scope,
}

/// A deployment scope; what it leaves out comes from the run's context.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
}

impl Scope {
    fn over(&self, mut context: arm::template::Context) -> arm::template::Context {
        if self.subscription.is_some() {
            context.subscription = self.subscription.clone();
        }
        if self.resource_group.is_some() {
            context.resource_group = self.resource_group.clone();
        }
        context
    }
}

/// A folder's parameters files by the lower-case stem of the template each pairs with.
pub type Pairs = rustc_hash::FxHashMap<String, Vec<Box<str>>>;

/// What loading needs: the run's sources and parse trees (indexed by file), the graph being
/// built, and the template options.
pub struct LoadCx<'a> {
    pub db: &'a mut SourceDb,
    /// Parse trees by file id, kept for rendering JSON pointers.
    pub trees: &'a mut Vec<Option<Tree>>,
    pub b: &'a mut GraphBuilder,
    pub options: &'a Options,
    /// Paths that could not be read (a tool failure).
    pub errors: Vec<String>,
    /// Folders holding templates, each with its number in the order met: templates of one
    /// folder share a placeholder resource group (a hub and its spokes link up), other folders
    /// get their own.
    pub template_folders: rustc_hash::FxHashMap<Option<std::path::PathBuf>, usize>,
    /// Parameters files among the inputs (named or met in a folder), and those a template
    /// used: the others are reported by [`finish`].
    pub parameters_files: Vec<FileId>,
    pub used_parameters: Vec<FileId>,
    /// The files of the run by real path (see `template::file_read_from`), built on first use.
    pub files_by_path: Option<rustc_hash::FxHashMap<std::path::PathBuf, FileId>>,
    /// The folders looked in for parameters files: their parameters files by the stem of the
    /// template each pairs with.
    pub pairings: rustc_hash::FxHashMap<std::path::PathBuf, std::sync::Arc<Pairs>>,
    /// Design specs, loaded after every other input so that their vnets can match exported
    /// ones by name.
    pub specs: Vec<(FileId, Tree)>,
}

impl LoadCx<'_> {
    fn set_tree(&mut self, file: FileId, tree: Option<Tree>) {
        let i = file.0 as usize;
        if self.trees.len() <= i {
            self.trees.resize_with(i + 1, || None);
        }
        self.trees[i] = tree;
    }

    fn tree(&self, file: FileId) -> Option<&Tree> {
        self.trees.get(file.0 as usize).and_then(Option::as_ref)
    }
}

/// Whether a path names a YAML file.
fn is_yaml(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Whether a path names a JSON file.
fn is_json(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".jsonc")
}

/// Whether a text of unknown kind is JSON rather than YAML: its first character, after white
/// space and comments, opens an object or array (a YAML design spec starts with a key).
fn looks_like_json(text: &str) -> bool {
    let mut rest = text.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return rest.is_empty() || rest.starts_with(['{', '[', '"']);
        }
    }
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn syntax_problem(file: FileId, e: crate::tree::SyntaxError, format: Format) -> Problem {
    Problem::Syntax {
        loc: Loc::new(file, e.span, None),
        format,
        detail: e.message,
    }
}

/// Reads one file into the source database; bytes that aren't text become an
/// `invalid-syntax` problem at the first bad byte (the file's text is what comes before it).
pub fn read_source(
    display: String,
    fs_path: Option<std::path::PathBuf>,
    bytes: Vec<u8>,
    db: &mut SourceDb,
    b: &mut GraphBuilder,
) -> (FileId, bool) {
    add_source(display, fs_path, crate::source::decode(bytes), db, b)
}

/// [`read_source`] of bytes already decoded (on another thread).
pub fn add_source(
    display: String,
    fs_path: Option<std::path::PathBuf>,
    decoded: Result<(String, usize), crate::source::DecodeError>,
    db: &mut SourceDb,
    b: &mut GraphBuilder,
) -> (FileId, bool) {
    match decoded {
        Ok((text, start)) => {
            let mut f = SourceFile::new(display, text, start);
            f.fs_path = fs_path;
            (db.add(f), true)
        }
        Err(e) => {
            // Keep the text before the bad byte and a stand-in for it, so that the error is
            // shown in place (offsets before it are the file's).
            let start = if e.prefix.starts_with('\u{FEFF}') {
                3
            } else {
                0
            };
            let at = e.prefix.len();
            let mut text = e.prefix;
            text.push(e.shown_as);
            let mut f = SourceFile::new(display, text, start);
            f.fs_path = fs_path;
            let file = db.add(f);
            b.count_file();
            b.problem(Problem::NotText {
                loc: Loc::new(file, Span::new(at, at), None),
                detail: e.message,
                offset: e.offset,
            });
            (file, false)
        }
    }
}

/// Reports the keys given twice in one object, with different values, of a file peerlint reads
/// (files it skips, such as unrelated JSON met while walking, are not its business). Copies
/// that agree change nothing, as agreeing inline and child declarations don't.
fn duplicate_keys(b: &mut GraphBuilder, file: FileId, t: &Tree) {
    for p in duplicate_key_problems(file, t) {
        b.problem(p);
    }
}

/// The problems [`duplicate_keys`] reports, in order.
fn duplicate_key_problems(file: FileId, t: &Tree) -> Vec<Problem> {
    t.duplicates()
        .iter()
        .filter(|&&(first, later)| !t.same_value(first, later))
        .map(|&(first, later)| Problem::DuplicateKey {
            loc: Loc::new(file, t.key_span(later), Some(later)),
            key: t.key(later).unwrap_or("").to_string(),
            first: Loc::new(file, t.key_span(first), Some(first)),
        })
        .collect()
}

/// A folder's parameters files by the stem of the template each pairs with; the folder is
/// read once per run.
fn folder_pairs(cx: &mut LoadCx<'_>, dir: &std::path::Path) -> std::sync::Arc<Pairs> {
    if let Some(p) = cx.pairings.get(dir) {
        return p.clone();
    }
    let pairs = std::sync::Arc::new(template::pair_folder(&folder_names(dir)));
    cx.pairings.insert(dir.to_path_buf(), pairs.clone());
    pairs
}

/// The names of the files in a folder, sorted ("" is the current folder).
fn folder_names(dir: &std::path::Path) -> Vec<Box<str>> {
    let read = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let mut names: Vec<Box<str>> = std::fs::read_dir(read)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().to_str().map(Box::from))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// After every input is loaded: reports the parameters files among the inputs that no
/// template used (a lesser `unrecognized-input`, with how to pair them).
pub fn finish(cx: &mut LoadCx<'_>) {
    let used: rustc_hash::FxHashSet<FileId> = cx.used_parameters.iter().copied().collect();
    for &f in &cx.parameters_files {
        if used.contains(&f) {
            continue;
        }
        let src = cx.db.get(f);
        let start = src.content_start;
        let path = src.path.clone();
        cx.b.count_file();
        cx.b.problem(Problem::Unrecognized {
            loc: Loc::new(f, Span::new(start, start), None),
            path,
            why: UnrecognizedWhy::UnpairedParameters,
        });
    }
}

/// Loads the design specs met so far (after every other input).
pub fn load_specs(cx: &mut LoadCx<'_>) {
    for (file, tree) in std::mem::take(&mut cx.specs) {
        duplicate_keys(cx.b, file, &tree);
        cx.b.set_authored(true);
        spec::load(&tree, file, cx.b);
        cx.b.set_authored(false);
        cx.b.count_file();
        cx.set_tree(file, Some(tree));
    }
}

/// What can be done with one file before it joins the graph, independently of every other
/// file (so on any thread): parsing it and, for an export, extracting its resources.
pub struct Prepared {
    /// None for JavaScript (a GruCloud design, parsed when loaded).
    parsed: Option<Result<Tree, crate::tree::SyntaxError>>,
    yaml: bool,
    /// An export's shape, its resources, whether it holds any (see [`export`]) and then its
    /// keys given twice (see [`duplicate_keys`]); its tree's values are then released.
    export: Option<(Shape, resource::Recorded, bool, Vec<Problem>)>,
}

/// What [`prepare`] reads of a file: its path and text (taken from the source database, so
/// that files are prepared while others join the graph).
pub struct ToPrepare {
    pub file: FileId,
    path: String,
    text: std::sync::Arc<String>,
    content_start: usize,
}

impl ToPrepare {
    pub fn new(src: &SourceFile, file: FileId) -> ToPrepare {
        ToPrepare {
            file,
            path: src.path.clone(),
            text: src.text.clone(),
            content_start: src.content_start,
        }
    }
}

/// Parses a file and, when it is an export and `extract` says so, extracts its resources into a
/// record.
pub fn prepare(src: &ToPrepare, extract: bool) -> Prepared {
    let file = src.file;
    // JavaScript is a GruCloud design, or nothing peerlint reads.
    if grucloud::is_js(&src.path) {
        return Prepared {
            parsed: None,
            yaml: false,
            export: None,
        };
    }
    // A `.yaml`/`.yml` file is read as YAML (a design spec), a `.json`/`.jsonc` one as JSON;
    // standard input and other names (a pipe, `/dev/fd/63`) by their content. What a file
    // is, is still told by its content.
    let yaml = is_yaml(&src.path)
        || (!is_json(&src.path) && !looks_like_json(&src.text[src.content_start..]));
    let mut parsed = if yaml {
        crate::yaml::parse(&src.text, src.content_start)
    } else {
        json::parse(&src.text, src.content_start)
    };
    let mut export = None;
    if let Ok(tree) = &mut parsed
        && extract
        && !yaml
        && let Some(root) = tree.root()
        && !spec::is_spec(tree, root)
    {
        let shape = sniff(tree, root);
        if matches!(
            shape,
            Shape::AzCli | Shape::Rest | Shape::ResourceGraph | Shape::PowerShell
        ) {
            let mut x = Extractor::recording(file, tree);
            extract_export(&mut x, root, shape);
            let found = x.found > 0 || is_empty_list(tree, root);
            let recorded = x.into_recorded();
            // What joining the graph would do with the tree, done here, on this thread.
            let duplicates = if found {
                duplicate_key_problems(file, tree)
            } else {
                Vec::new()
            };
            tree.release_values();
            export = Some((shape, recorded, found, duplicates));
        }
    }
    Prepared {
        parsed: Some(parsed),
        yaml,
        export,
    }
}

/// Loads one file [`prepare`]d beforehand. `explicit` is true for files named on the command
/// line (an unrecognised explicit file is reported; one met while walking a folder is skipped
/// quietly).
pub fn load_prepared(cx: &mut LoadCx<'_>, file: FileId, explicit: bool, prepared: Prepared) {
    // A design spec's tree comes back with `load_specs`.
    let tree = load_one(cx, file, explicit, prepared);
    cx.set_tree(file, tree);
}

/// Loads one file by what it is; returns the tree to keep (none for a design spec, whose tree
/// `load_specs` keeps, or for a file that doesn't parse).
fn load_one(cx: &mut LoadCx<'_>, file: FileId, explicit: bool, prepared: Prepared) -> Option<Tree> {
    let Some(parsed) = prepared.parsed else {
        grucloud::load(cx, file, explicit);
        return None;
    };
    let yaml = prepared.yaml;
    let mut tree = parse(cx, file, yaml, explicit, parsed)?;
    let root = tree.root()?;
    if spec::is_spec(&tree, root) {
        cx.specs.push((file, tree));
        return None; // its tree is kept once it is loaded (see `load_specs`)
    }
    if yaml {
        // Only design specs are read from YAML.
        if explicit {
            not_a_spec(cx, file, root);
        }
        return Some(tree);
    }
    let shape = match &prepared.export {
        Some((shape, ..)) => *shape,
        None => sniff(&tree, root),
    };
    match shape {
        Shape::Unknown(Unknown::ArmTemplate) => {
            duplicate_keys(cx.b, file, &tree);
            cx.b.set_authored(true);
            template::load(cx, file, &tree);
            cx.b.set_authored(false);
        }
        Shape::Terraform => {
            duplicate_keys(cx.b, file, &tree);
            let path = cx.db.get(file).path.clone();
            terraform::load(cx.b, file, &path, &tree);
            tree.release_values();
        }
        // Consumed with its template, never an input of its own.
        Shape::Unknown(Unknown::ArmParameters) => {
            duplicate_keys(cx.b, file, &tree);
            cx.parameters_files.push(file);
        }
        shape => {
            let found = match prepared.export {
                // Extracted, its duplicate keys found and its values released when prepared.
                Some((_, recorded, found, duplicates)) => {
                    recorded.replay(cx.b);
                    for p in duplicates {
                        cx.b.problem(p);
                    }
                    found
                }
                None => {
                    let found = export(cx, file, &tree, root, shape);
                    if found {
                        duplicate_keys(cx.b, file, &tree);
                    }
                    tree.release_values();
                    found
                }
            };
            if found {
                cx.b.count_file();
            } else if explicit {
                unrecognised(cx, file, root);
            }
        }
    }
    Some(tree)
}

/// Parses a file as YAML or JSON. A file that doesn't parse is reported (and counted), except
/// a YAML file met while walking that isn't ours (a pipeline, a manifest), which is skipped.
fn parse(
    cx: &mut LoadCx<'_>,
    file: FileId,
    yaml: bool,
    explicit: bool,
    parsed: Result<Tree, crate::tree::SyntaxError>,
) -> Option<Tree> {
    let src = cx.db.get(file);
    match parsed {
        Ok(t) => Some(t),
        Err(_) if yaml && !explicit && !src.text.contains("peerlint:") => None,
        Err(e) => {
            cx.b.count_file();
            let format = if yaml { Format::Yaml } else { Format::Json };
            cx.b.problem(syntax_problem(file, e, format));
            None
        }
    }
}

/// Where a file's content starts, to report the file as a whole.
fn file_start(cx: &LoadCx<'_>, file: FileId, root: NodeId) -> Loc {
    let start = cx.db.get(file).content_start;
    Loc::new(file, Span::new(start, start), Some(root))
}

/// Reports a YAML file named on the command line that isn't a design spec.
fn not_a_spec(cx: &mut LoadCx<'_>, file: FileId, root: NodeId) {
    cx.b.count_file();
    cx.b.problem(Problem::Unrecognized {
        loc: file_start(cx, file, root),
        path: cx.db.get(file).path.clone(),
        why: UnrecognizedWhy::YamlNotSpec,
    });
}

/// Loads an export (az CLI, REST, Resource Graph, PowerShell) through the shared extractor;
/// false when the file holds nothing peerlint reads (an empty list counts as read).
fn export(cx: &mut LoadCx<'_>, file: FileId, tree: &Tree, root: NodeId, shape: Shape) -> bool {
    let mut x = Extractor::new(file, tree, cx.b);
    extract_export(&mut x, root, shape);
    x.found > 0 || is_empty_list(tree, root)
}

/// Extracts an export's resources.
fn extract_export(x: &mut Extractor<'_, Tree>, root: NodeId, shape: Shape) {
    match shape {
        Shape::AzCli => azcli::load(x, root),
        Shape::Rest => rest::load(x, root),
        Shape::ResourceGraph => resource_graph::load(x, root),
        Shape::PowerShell => powershell::load(x, root),
        Shape::Terraform | Shape::Unknown(_) => {}
    }
}

/// Reports a JSON file named on the command line that peerlint can't read.
fn unrecognised(cx: &mut LoadCx<'_>, file: FileId, root: NodeId) {
    cx.b.count_file();
    cx.b.problem(Problem::Unrecognized {
        loc: file_start(cx, file, root),
        path: cx.db.get(file).path.clone(),
        why: UnrecognizedWhy::NoResources,
    });
}

fn is_empty_list(t: &Tree, root: NodeId) -> bool {
    let empty = |n: NodeId| t.kind(n) == Kind::Array && t.children(n).next().is_none();
    empty(root) || t.get(root, "value").is_some_and(empty) || t.get(root, "data").is_some_and(empty)
}

/// The first resource-like object of a document, to look at its keys.
fn first_object(t: &Tree, root: NodeId) -> Option<NodeId> {
    match t.kind(root) {
        Kind::Object => Some(root),
        Kind::Array => t.children(root).find(|&c| t.kind(c) == Kind::Object),
        _ => None,
    }
}

const POWERSHELL_KEYS: &[&str] = &[
    "ResourceGroupName",
    "AddressSpace",
    "VirtualNetworkPeerings",
    "RemoteVirtualNetwork",
];

/// Recognises a document's shape from its content.
pub fn sniff(t: &Tree, root: NodeId) -> Shape {
    if t.kind(root) == Kind::Object {
        if let Some(schema) = t.get_str(root, "$schema") {
            let s = schema.to_ascii_lowercase();
            if s.contains("deploymentparameters.json") {
                return Shape::Unknown(Unknown::ArmParameters);
            }
            if s.contains("deploymenttemplate.json") {
                return Shape::Unknown(Unknown::ArmTemplate);
            }
        }
        if terraform::is_terraform(t, root) {
            return Shape::Terraform;
        }
        if t.get(root, "data")
            .is_some_and(|d| t.kind(d) == Kind::Array)
            && [
                "count",
                "total_records",
                "totalRecords",
                "skip_token",
                "$skipToken",
            ]
            .iter()
            .any(|k| t.get(root, k).is_some())
        {
            return Shape::ResourceGraph;
        }
        if t.get(root, "value")
            .is_some_and(|d| t.kind(d) == Kind::Array)
            || t.get(root, "responses")
                .is_some_and(|d| t.kind(d) == Kind::Object)
        {
            return Shape::Rest;
        }
    }
    let Some(obj) = first_object(t, root) else {
        return Shape::Unknown(Unknown::Other);
    };
    if t.members(obj).any(|(k, _)| POWERSHELL_KEYS.contains(&k)) {
        return Shape::PowerShell;
    }
    if t.get(obj, "properties").is_some() {
        return Shape::Rest;
    }
    if t.get(obj, "addressSpace").is_some()
        || t.get(obj, "remoteVirtualNetwork").is_some()
        || t.get(obj, "resourceGroup").is_some()
    {
        return Shape::AzCli;
    }
    Shape::Unknown(Unknown::Other)
}

/// Loads a resource or an array of resources.
fn one_or_many(x: &mut Extractor<'_, Tree>, n: NodeId) {
    match x.tree.kind(n) {
        Kind::Array => x.resources_on_pool(n),
        Kind::Object => x.resource(n),
        _ => {}
    }
}
