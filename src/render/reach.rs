//! `peerlint reach`: the path from one place to another, or why there is none, in words or
//! as JSON.

use crate::analysis::Analyses;
use crate::diagnostic::{Readable, position};
use crate::engine::Outcome;
use crate::model::Endpoint;
use crate::query::step_text;
use crate::reach::{Answer, Path};

use super::visible;

/// Parses FROM / TO as the spec writes endpoints: a CIDR or address, `vnet/subnet`, a vnet
/// name or id.
pub fn endpoint(s: &str) -> Endpoint {
    if let Ok(n) = s.parse::<ipnet::IpNet>() {
        Endpoint::Prefix(n)
    } else if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        Endpoint::Prefix(ip.into())
    } else if let Some((v, sub)) = s.split_once('/').filter(|_| !s.starts_with('/')) {
        Endpoint::Subnet(v.to_string(), sub.to_string())
    } else {
        Endpoint::Vnet(s.to_string())
    }
}

/// One destination prefix and its answer.
pub struct Result {
    pub dest: ipnet::IpNet,
    pub answer: Answer,
}

/// Answers FROM → TO on a run's graph.
pub fn answer(o: &Outcome, from: &str, to: &str) -> std::result::Result<Vec<Result>, String> {
    let analyses = Analyses::new(&o.graph);
    let r = analyses.reach();
    let source = r.source(&endpoint(from))?;
    let dests = r.destination(&endpoint(to))?;
    Ok(dests
        .nets
        .iter()
        .map(|&d| Result {
            dest: d,
            answer: r.reach_to(source, d, dests.vnet),
        })
        .collect())
}

fn path_text(o: &Outcome, p: &Path) -> String {
    let readable = Readable::new(&o.graph, &o.db, o.trees());
    let name =
        |v| visible(&readable.text(&format!("`{}`", o.graph.vnet(v).name), true)).into_owned();
    match p {
        Path::Local => "local".into(),
        Path::Direct { to } => format!("direct peering to {}", name(*to)),
        Path::Forwarded { via, to } => format!("forwarded through {} to {}", name(*via), name(*to)),
    }
}

/// The answer in one word: `reachable`, `unreachable` or `unknown`.
pub fn verdict(a: &Answer) -> &'static str {
    if a.path.is_some() {
        "reachable"
    } else if a.is_unknown() {
        "unknown"
    } else {
        "unreachable"
    }
}

/// Steps are marked `·` (how it gets there), `✗` (what stops it) and `?` (what is known only
/// at deployment, or lies outside the inputs).
pub fn human(o: &Outcome, from: &str, to: &str, results: &[Result]) -> String {
    // Names with parts known only at deployment, in the template's words (as in findings).
    let readable = Readable::new(&o.graph, &o.db, o.trees());
    // Names, paths and the arguments are shown escaped (see `render::visible`).
    let (from, to) = (visible(from), visible(to));
    let mut out = String::new();
    for r in results {
        match &r.answer.path {
            Some(p) => out.push_str(&format!(
                "{from} → {to} ({}): reachable, {}\n",
                r.dest,
                path_text(o, p)
            )),
            None if r.answer.is_unknown() => out.push_str(&format!(
                "{from} → {to} ({}): unknown: it depends on what is known only at deployment or lies outside the inputs\n",
                r.dest
            )),
            None => out.push_str(&format!("{from} → {to} ({}): no path\n", r.dest)),
        }
        let steps = r.answer.steps.iter().map(|s| ("  ·", s));
        let missing = r
            .answer
            .missing
            .iter()
            .map(|s| (if s.is_unknown() { "  ?" } else { "  ✗" }, s));
        for (mark, s) in steps.chain(missing) {
            let text = visible(&readable.text(&step_text(&o.graph, s), true)).into_owned();
            out.push_str(&format!("{mark} {text}"));
            if let Some(loc) = s.loc(&o.graph) {
                let at = position(&o.db, o.trees(), loc);
                let path = visible(&at.path);
                out.push_str(&format!("  ({path}:{}:{})", at.line, at.column));
            }
            out.push('\n');
        }
        if r.answer.path.is_none() && !r.answer.is_unknown() && !r.answer.shared.is_empty() {
            let hubs: Vec<String> = r
                .answer
                .shared
                .iter()
                .map(|&h| {
                    visible(&readable.text(&format!("`{}`", o.graph.vnet(h).name), true))
                        .into_owned()
                })
                .collect();
            out.push_str(&format!(
                "  both are peered with {}, but peering is not transitive: peer them directly, or forward through an appliance or gateway there\n",
                hubs.join(", ")
            ));
        }
    }
    out
}

pub fn json(o: &Outcome, from: &str, to: &str, results: &[Result]) -> String {
    // Texts and ids in the user's words, as findings show them.
    let readable = Readable::new(&o.graph, &o.db, o.trees());
    let id = |v| readable.text(&o.graph.vnet(v).id, false);
    let steps = |steps: &[crate::reach::Step]| -> Vec<serde_json::Value> {
        steps
            .iter()
            .map(|s| {
                let text = readable.text(&step_text(&o.graph, s), true);
                let mut v = serde_json::json!({ "text": text });
                if s.is_unknown() {
                    v["unknown"] = true.into();
                }
                if let Some(loc) = s.loc(&o.graph) {
                    let at = position(&o.db, o.trees(), loc);
                    v["path"] = at.path.into();
                    v["line"] = at.line.into();
                    v["column"] = at.column.into();
                    v["pointer"] = at.pointer.into();
                }
                v
            })
            .collect()
    };
    let items: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let path = r.answer.path.as_ref().map(|p| match p {
                Path::Local => serde_json::json!({ "kind": "local" }),
                Path::Direct { to } => serde_json::json!({ "kind": "direct", "to": id(*to) }),
                Path::Forwarded { via, to } => {
                    serde_json::json!({ "kind": "forwarded", "via": id(*via), "to": id(*to) })
                }
            });
            // `reachable` is null when the answer is unknown.
            let reachable = match verdict(&r.answer) {
                "unknown" => serde_json::Value::Null,
                v => (v == "reachable").into(),
            };
            serde_json::json!({
                "destination": r.dest.to_string(),
                "answer": verdict(&r.answer),
                "reachable": reachable,
                "path": path,
                "steps": steps(&r.answer.steps),
                "missing": steps(&r.answer.missing),
                "shared_neighbours": r.answer.shared.iter().map(|&v| id(v)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let v = serde_json::json!({ "version": 1, "from": from, "to": to, "results": items });
    super::json_visible(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
}
