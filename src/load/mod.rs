//! Loaders: recognise a file's shape by its content (never by its name) and hand its
//! resources to the graph builder.
//!
//! One module per input shape finds the resource objects in its envelope; `resource`
//! extracts vnets, subnets, peerings and gateways from them.

mod azcli;
mod powershell;
pub mod resource;
mod resource_graph;
mod rest;

use crate::graph::GraphBuilder;
use crate::json;
use crate::model::{InputProblem, Loc, ProblemKind};
use crate::source::{FileId, SourceFile, Span};
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
    /// Something else: an ARM template, a parameters file, unrelated JSON.
    Unknown(Unknown),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    ArmTemplate,
    ArmParameters,
    Other,
}

/// Loads one file. `explicit` is true for files named on the command line (an unrecognised
/// explicit file is reported; one met while walking a folder is skipped quietly).
/// Returns the parse tree, kept for rendering JSON pointers.
pub fn load_file(
    file: FileId,
    src: &SourceFile,
    explicit: bool,
    b: &mut GraphBuilder,
) -> Option<Tree> {
    let mut tree = match json::parse(&src.text, src.content_start) {
        Ok(t) => t,
        Err(e) => {
            b.count_file();
            b.problem(InputProblem {
                kind: ProblemKind::Syntax,
                loc: Loc::new(file, e.span, None),
                message: format!("invalid JSON: {}", e.message),
                label: "here".into(),
                help: None,
            });
            return None;
        }
    };
    let root = tree.root()?;
    let shape = sniff(&tree, root);
    let mut x = Extractor::new(file, &tree, b);
    match shape {
        Shape::AzCli => azcli::load(&mut x, root),
        Shape::Rest => rest::load(&mut x, root),
        Shape::ResourceGraph => resource_graph::load(&mut x, root),
        Shape::PowerShell => powershell::load(&mut x, root),
        Shape::Unknown(_) => {}
    }
    let empty_list = is_empty_list(&tree, root);
    let recognised = x.found > 0 || empty_list;
    if matches!(shape, Shape::Unknown(Unknown::ArmParameters)) {
        return Some(tree); // consumed with its template, never an input of its own
    }
    if recognised {
        b.count_file();
    } else if explicit {
        b.count_file();
        let what = match shape {
            Shape::Unknown(Unknown::ArmTemplate) => {
                "an ARM template (templates are not supported yet)"
            }
            _ => "no vnet, peering or gateway in a shape peerlint reads",
        };
        b.problem(InputProblem {
            kind: ProblemKind::Unrecognized,
            loc: Loc::new(file, Span::new(src.content_start, src.content_start), Some(root)),
            message: format!("`{}` is not a recognised input: {what}", src.path),
            label: "file starts here".into(),
            help: Some(
                "pass `az network vnet list`, `az network vnet peering list`, a REST GET response, \
                 `az graph query` output or `Get-AzVirtualNetwork | ConvertTo-Json -Depth 10` output"
                    .into(),
            ),
        });
    }
    tree.release_values();
    Some(tree)
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
        Kind::Array => x.resources(n),
        Kind::Object => x.resource(n),
        _ => {}
    }
}
