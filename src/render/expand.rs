//! `peerlint expand`: a template as peerlint evaluated it. Every resource it declares (type,
//! name, id, whether it is deployed and why), the properties the checks read for network
//! resources, the declarations it couldn't evaluate, the outputs, and the expression errors,
//! with each unknown value marked and why. Reads the template and its parameters file itself
//! and has [`arm::evaluate`] evaluate them, as `check` does.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::arm::value::{Val, Value};
use crate::arm::{self, Condition, Evaluated};
use crate::json;
use crate::load::{self, Shape};
use crate::model::Loc;
use crate::source::{self, FileId, SourceFile};
use crate::tree::Tree;

/// What to expand.
pub struct Request<'a> {
    pub template: &'a Path,
    /// The parameters file; None: the one beside the template that pairs with it, if any.
    pub parameters: Option<&'a Path>,
    pub context: arm::Context,
    pub json: bool,
}

/// The text to print, and whether the template has expression errors. Err: the template or
/// the parameters file can't be read, or isn't one.
pub fn expand(req: &Request<'_>) -> Result<(String, bool), String> {
    let (tfile, ttree) = read(req.template, Shape::Unknown(load::Unknown::ArmTemplate))?;
    let ppath = match req.parameters {
        Some(p) => Some(p.to_path_buf()),
        None => beside(req.template),
    };
    let params = match &ppath {
        Some(p) => Some(read(p, Shape::Unknown(load::Unknown::ArmParameters))?),
        None => None,
    };
    let files: Vec<&SourceFile> = std::iter::once(&tfile)
        .chain(params.as_ref().map(|(f, _)| f))
        .collect();
    let evaluated = arm::evaluate(
        &ttree,
        FileId(0),
        params.as_ref().map(|(f, t)| arm::Params {
            tree: t,
            file: FileId(1),
            path: &f.path,
        }),
        &req.context,
    );
    // The network resources by declaration and id (see `Expanded::body`).
    let bodies = evaluated
        .resources
        .iter()
        .enumerate()
        .rev()
        .map(|(i, r)| ((r.loc.span.start, r.loc.span.end, r.id.as_str()), i))
        .collect();
    let out = Expanded {
        files: &files,
        ev: &evaluated,
        ctx: &req.context,
        bodies,
    };
    // Names and values from the template can't control the terminal (see `render::visible`).
    let text = if req.json {
        super::json_visible(out.json())
    } else {
        super::visible_lines(&out.human()).into_owned()
    };
    Ok((text, !evaluated.problems.is_empty()))
}

/// The parameters file beside a template that `check` pairs with it by name
/// (`<stem>.parameters.json`, `<stem>.<env>.parameters.json`, … ignoring case); of several
/// (one deployment each for `check`), the first by name: name another with `--parameters`.
fn beside(template: &Path) -> Option<PathBuf> {
    load::parameters_beside(template).into_iter().next()
}

/// Reads and parses a file that must have the shape `want`.
fn read(path: &Path, want: Shape) -> Result<(SourceFile, Tree), String> {
    let shown = crate::discover::display(path);
    let bytes = source::read_file(path, source::MAX_INPUT_BYTES)
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let (text, start) =
        source::decode(bytes).map_err(|e| format!("cannot read `{shown}`: {}", e.message))?;
    let file = SourceFile::new(shown.clone(), text, start);
    let tree = json::parse(&file.text, file.content_start)
        .map_err(|e| format!("`{shown}` is not valid JSON: {}", e.message))?;
    let what = match want {
        Shape::Unknown(load::Unknown::ArmParameters) => "an ARM parameters file",
        _ => "an ARM template",
    };
    match tree.root().map(|r| load::sniff(&tree, r)) {
        Some(s) if s == want => Ok((file, tree)),
        _ => Err(format!(
            "`{shown}` is not {what} (its `$schema` doesn't say so)"
        )),
    }
}

struct Expanded<'a> {
    files: &'a [&'a SourceFile],
    ev: &'a Evaluated,
    ctx: &'a arm::Context,
    /// The first network resource of each declaration (its span) and id, by those.
    bodies: rustc_hash::FxHashMap<(u32, u32, &'a str), usize>,
}

/// The properties the checks read, by lower-case type: paths under `properties`, and lists of
/// named children with the paths read under each child's `properties`.
type Reads = (
    &'static [&'static str],
    &'static [(&'static str, &'static [&'static str])],
);

const PEERING: &[&str] = &[
    "remoteVirtualNetwork.id",
    "allowVirtualNetworkAccess",
    "allowForwardedTraffic",
    "allowGatewayTransit",
    "useRemoteGateways",
    "peerCompleteVnets",
    "localSubnetNames",
    "remoteSubnetNames",
    "enableOnlyIPv6Peering",
];
const SUBNET: &[&str] = &["addressPrefix", "addressPrefixes"];
const ROUTE: &[&str] = &["addressPrefix", "nextHopType", "nextHopIpAddress"];

fn reads(lower_ty: &str) -> Reads {
    match lower_ty {
        "microsoft.network/virtualnetworks" => (
            &["addressSpace.addressPrefixes"],
            &[("subnets", SUBNET), ("virtualNetworkPeerings", PEERING)],
        ),
        "microsoft.network/virtualnetworks/subnets" => (SUBNET, &[]),
        "microsoft.network/virtualnetworks/virtualnetworkpeerings" => (PEERING, &[]),
        "microsoft.network/virtualnetworkgateways" => (
            &["gatewayType", "vpnType", "sku.name"],
            &[("ipConfigurations", &["subnet.id"])],
        ),
        "microsoft.network/routetables" => (&["disableBgpRoutePropagation"], &[("routes", ROUTE)]),
        "microsoft.network/routetables/routes" => (ROUTE, &[]),
        _ => (&[], &[]),
    }
}

/// The value down a dotted path: None when absent; an unknown on the way is the value.
fn at_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = v;
    for key in path.split('.') {
        if cur.is_unknown() {
            return Some(cur);
        }
        cur = cur.get(key)?;
    }
    Some(cur)
}

/// A value as text, each unknown part as `⟨unknown: why⟩` (`⟨invalid: why⟩` after an error).
fn show(v: &Value) -> String {
    match &v.v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Int(n) => n.to_string(),
        Val::Str(s) => s.to_string(),
        Val::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", ")),
        Val::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| format!("{k}: {}", show(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Val::Unknown(u) if u.error => format!("⟨invalid: {}⟩", u.reason),
        Val::Unknown(u) => format!("⟨unknown: {}⟩", u.reason),
    }
}

/// A value as JSON, each unknown part as `{"$unknown": why}` (`{"$invalid": why}` after an
/// error).
fn to_json(v: &Value) -> Json {
    match &v.v {
        Val::Null => Json::Null,
        Val::Bool(b) => json!(b),
        Val::Int(n) => json!(n),
        Val::Str(s) => json!(s.as_ref()),
        Val::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        Val::Object(m) => {
            Json::Object(m.iter().map(|(k, x)| (k.to_string(), to_json(x))).collect())
        }
        Val::Unknown(u) if u.error => json!({"$invalid": u.reason}),
        Val::Unknown(u) => json!({"$unknown": u.reason}),
    }
}

impl Expanded<'_> {
    fn file(&self, loc: Loc) -> &SourceFile {
        self.files[loc.file.0 as usize]
    }

    /// `path:line:column` of a location.
    fn pos(&self, loc: Loc) -> String {
        let f = self.file(loc);
        let (l, c) = f.line_col(loc.span.start as usize);
        format!("{}:{l}:{c}", f.path)
    }

    fn line_col(&self, loc: Loc) -> (usize, usize) {
        self.file(loc).line_col(loc.span.start as usize)
    }

    /// The evaluated body of a declared network resource.
    fn body(&self, d: &arm::Instance) -> Option<&Value> {
        let key = (d.loc.span.start, d.loc.span.end, d.id.as_str());
        self.bodies.get(&key).map(|&i| &self.ev.resources[i].body)
    }

    /// The properties read for a resource: (path, value) pairs, and lists of
    /// (child name, (path, value) pairs); absent ones left out.
    #[allow(clippy::type_complexity)]
    fn properties<'v>(
        &self,
        ty: &str,
        body: &'v Value,
    ) -> (
        Vec<(&'static str, &'v Value)>,
        Vec<(&'static str, Result<Vec<Child<'v>>, &'v Value>)>,
    ) {
        let (scalars, lists) = reads(&ty.to_ascii_lowercase());
        let Some(props) = body.get("properties") else {
            return (Vec::new(), Vec::new());
        };
        let pick = |v: &'v Value, paths: &[&'static str]| -> Vec<(&'static str, &'v Value)> {
            paths
                .iter()
                .filter_map(|p| at_path(v, p).map(|x| (*p, x)))
                .collect()
        };
        let flat = pick(props, scalars);
        let mut nested = Vec::new();
        for (key, paths) in lists {
            let Some(list) = at_path(props, key) else {
                continue;
            };
            let children = match &list.v {
                Val::Array(items) => Ok(items
                    .iter()
                    .map(|c| Child {
                        name: c.get("name"),
                        reads: match c.get("properties") {
                            Some(cp) => pick(cp, paths),
                            None => Vec::new(),
                        },
                    })
                    .collect()),
                _ => Err(list),
            };
            nested.push((*key, children));
        }
        (flat, nested)
    }

    fn condition_text(&self, c: &Condition) -> String {
        match c {
            Condition::Always => "true".into(),
            Condition::Unknown { reason, .. } => format!("⟨unknown: {reason}⟩"),
            Condition::False { at, deciding } if at == deciding => {
                format!("false (at {})", self.pos(*at))
            }
            Condition::False { deciding, .. } => {
                format!("false (decided by {})", self.pos(*deciding))
            }
        }
    }

    fn scope_line(&self) -> String {
        let given = |v: &Option<String>, placeholder: &str, flag: &str| match v {
            Some(s) => s.clone(),
            None => format!("{placeholder} (not given: {flag} names it)"),
        };
        format!(
            "subscription {}, resource group {}",
            given(
                &self.ctx.subscription,
                arm::template::SUBSCRIPTION_PLACEHOLDER,
                "--subscription"
            ),
            given(
                &self.ctx.resource_group,
                arm::template::RESOURCE_GROUP_PLACEHOLDER,
                "--resource-group"
            )
        )
    }

    fn human(&self) -> String {
        let ev = self.ev;
        let mut s = String::new();
        let _ = writeln!(s, "template    {}", self.files[0].path);
        let _ = writeln!(
            s,
            "parameters  {}",
            self.files.get(1).map_or("(none)", |f| f.path.as_str())
        );
        let _ = writeln!(s, "deploys to  {}", self.scope_line());
        let _ = writeln!(s, "\nresources ({})", ev.instances.len());
        for d in &ev.instances {
            let (line, _) = self.line_col(d.loc);
            let copy = match (&d.copy, d.index) {
                (Some(l), Some(i)) => format!(", copy {i} of `{l}`"),
                _ => String::new(),
            };
            let _ = writeln!(s, "  {} `{}` (line {line}{copy})", d.ty, d.name);
            if let Some(why) = &d.unknown_name {
                let _ = writeln!(s, "    name       ⟨unknown: {why}⟩");
            }
            let _ = writeln!(s, "    id         {}", d.id);
            let _ = writeln!(s, "    deployed   {}", self.condition_text(&d.condition));
            if matches!(d.condition, Condition::False { .. }) {
                continue;
            }
            let Some(body) = self.body(d) else { continue };
            let (flat, nested) = self.properties(&d.ty, body);
            for (p, v) in flat {
                let _ = writeln!(s, "    {p}  {}", show(v));
            }
            for (key, children) in nested {
                match children {
                    Err(v) => {
                        let _ = writeln!(s, "    {key}  {}", show(v));
                    }
                    Ok(children) => {
                        let _ = writeln!(s, "    {key} ({})", children.len());
                        for c in children {
                            let name = c.name.map_or("(no name)".to_string(), show);
                            let reads: Vec<String> = c
                                .reads
                                .iter()
                                .map(|(p, v)| format!("{p} {}", show(v)))
                                .collect();
                            let _ = writeln!(s, "      `{name}`  {}", reads.join(", "));
                        }
                    }
                }
            }
        }
        let _ = writeln!(s, "\nnot evaluated ({})", ev.undecided.len());
        for u in &ev.undecided {
            let _ = writeln!(
                s,
                "  {}: {} ⟨unknown: {}⟩",
                self.pos(u.loc),
                u.what,
                u.reason
            );
        }
        let _ = writeln!(s, "\noutputs ({})", ev.outputs.len());
        for (name, ty, v) in &ev.outputs {
            let _ = writeln!(s, "  {name} ({ty})  {}", show(v));
        }
        let _ = writeln!(s, "\nerrors ({})", ev.problems.len());
        for p in &ev.problems {
            let _ = writeln!(s, "  {}: {}", self.pos(p.loc), p.message);
        }
        s
    }

    fn json(&self) -> String {
        let ev = self.ev;
        let place = |loc: Loc| {
            let (line, column) = self.line_col(loc);
            Place {
                path: &self.file(loc).path,
                line,
                column,
            }
        };
        let reads_json = |reads: &[(&str, &Value)]| -> Json {
            Json::Object(
                reads
                    .iter()
                    .map(|(p, v)| (p.to_string(), to_json(v)))
                    .collect(),
            )
        };
        let resources = ev
            .instances
            .iter()
            .map(|d| {
                let (deployed, decided_by) = match &d.condition {
                    Condition::Always => (json!(true), None),
                    Condition::Unknown { reason, .. } => (json!({"$unknown": reason}), None),
                    Condition::False { deciding, .. } => (json!(false), Some(place(*deciding))),
                };
                let mut properties = None;
                if !matches!(d.condition, Condition::False { .. })
                    && let Some(body) = self.body(d)
                {
                    let (flat, nested) = self.properties(&d.ty, body);
                    let mut props = reads_json(&flat);
                    for (key, children) in nested {
                        props[key] = match children {
                            Err(v) => to_json(v),
                            Ok(children) => Json::Array(
                                children
                                    .iter()
                                    .map(|c| {
                                        json!({
                                            "name": c.name.map_or(Json::Null, to_json),
                                            "properties": reads_json(&c.reads),
                                        })
                                    })
                                    .collect(),
                            ),
                        };
                    }
                    properties = Some(props);
                }
                Res {
                    ty: &d.ty,
                    name: &d.name,
                    copy: d
                        .copy
                        .as_deref()
                        .zip(d.index)
                        .map(|(name, index)| Copy { name, index }),
                    unknown: d.unknown_name.as_deref(),
                    id: &d.id,
                    at: place(d.loc),
                    deployed,
                    decided_by,
                    properties,
                }
            })
            .collect();
        let out = Out {
            version: 1,
            template: &self.files[0].path,
            parameters: self.files.get(1).map(|f| f.path.as_str()),
            subscription: self.ctx.subscription.as_deref(),
            resource_group: self.ctx.resource_group.as_deref(),
            resources,
            not_evaluated: ev
                .undecided
                .iter()
                .map(|u| NotEvaluated {
                    what: &u.what,
                    unknown: &u.reason,
                    at: place(u.loc),
                })
                .collect(),
            outputs: ev
                .outputs
                .iter()
                .map(|(name, ty, v)| Output {
                    name,
                    ty,
                    value: to_json(v),
                })
                .collect(),
            errors: ev
                .problems
                .iter()
                .map(|p| Error {
                    message: &p.message,
                    at: place(p.loc),
                })
                .collect(),
        };
        let mut s = serde_json::to_string_pretty(&out).expect("serialisable");
        s.push('\n');
        s
    }
}

/// `--format json`: `{"version": 1, "template", "parameters", "subscription",
/// "resourceGroup", "resources": [{"type", "name", "copy"?: {"name", "index"}, "unknown"?, "id", "at", "deployed",
/// "decidedBy"?, "properties"?}], "notEvaluated": [{"what", "unknown", "at"}], "outputs": [{"name", "type",
/// "value"}], "errors": [{"message", "at"}]}`; an unknown value is `{"$unknown": why}`, one
/// that an error made unknown `{"$invalid": why}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Out<'a> {
    version: u32,
    template: &'a str,
    parameters: Option<&'a str>,
    subscription: Option<&'a str>,
    resource_group: Option<&'a str>,
    resources: Vec<Res<'a>>,
    not_evaluated: Vec<NotEvaluated<'a>>,
    outputs: Vec<Output<'a>>,
    errors: Vec<Error<'a>>,
}

#[derive(Serialize)]
struct Copy<'a> {
    name: &'a str,
    index: i64,
}

#[derive(Serialize)]
struct Place<'a> {
    path: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Res<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    name: &'a str,
    /// The copy loop and the iteration of it, for a copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    copy: Option<Copy<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<&'a str>,
    id: &'a str,
    at: Place<'a>,
    /// true, false, or `{"$unknown": why}`.
    deployed: Json,
    /// The value that made the condition false.
    #[serde(rename = "decidedBy", skip_serializing_if = "Option::is_none")]
    decided_by: Option<Place<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Json>,
}

#[derive(Serialize)]
struct NotEvaluated<'a> {
    what: &'a str,
    unknown: &'a str,
    at: Place<'a>,
}

#[derive(Serialize)]
struct Output<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    value: Json,
}

#[derive(Serialize)]
struct Error<'a> {
    message: &'a str,
    at: Place<'a>,
}

/// A named child (subnet, peering, ip configuration, route) and the properties read on it.
struct Child<'v> {
    name: Option<&'v Value>,
    reads: Vec<(&'static str, &'v Value)>,
}
