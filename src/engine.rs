//! One run: read the inputs, load them into one graph, run the enabled rules, turn findings
//! into sorted diagnostics. It drives the loaders, the graph and the rules; none of them
//! imports it.

use std::io::Read;

use crate::diagnostic::{self, Diagnostic, RelatedLabel};
use crate::discover::{Input, Origin};
use crate::graph::{Graph, GraphBuilder};
use crate::load::{self, LoadCx, Options};
use crate::rule::{Rule, RuleContext};
use crate::source::SourceDb;

pub struct Outcome {
    pub db: SourceDb,
    pub graph: Graph,
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be read (a tool failure: exit 2).
    pub read_errors: Vec<String>,
    /// Advice about the run itself (printed on standard error).
    pub notes: Vec<String>,
    /// Parse trees by file, for JSON pointers.
    trees: Vec<Option<crate::tree::Tree>>,
}

impl Outcome {
    pub fn trees(&self) -> &[Option<crate::tree::Tree>] {
        &self.trees
    }
}

/// The inputs in the order a run loads them, whatever order they were named or found in:
/// folder by folder in the order of their paths (a folder's own files, by name, before those of
/// its subfolders), standard input last. Naming a folder's files one by one, or in any order,
/// loads them as walking the folder does. A file met twice (named twice, named and found in a
/// folder, or under two paths) is loaded once, under the path that sorts first, and as named
/// if it was named once.
///
/// Everything downstream that keeps "the first" of several (the copy of a vnet or peering
/// defined twice, the numbering of template folders, file ids and so locations) is decided by
/// this order, so the output is the same for every order of the same inputs.
pub fn canonical_order(inputs: &[Input]) -> Vec<Input> {
    fn key(i: &Input) -> (bool, Option<&std::path::Path>, Option<&std::ffi::OsStr>) {
        let path = std::path::Path::new(&i.display);
        (i.origin == Origin::Stdin, path.parent(), path.file_name())
    }
    let mut sorted: Vec<&Input> = inputs.iter().collect();
    sorted.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| origin_cmp(a, b)));
    let mut out: Vec<Input> = Vec::with_capacity(sorted.len());
    let mut seen: rustc_hash::FxHashMap<std::path::PathBuf, usize> = Default::default();
    for input in sorted {
        if let Origin::File(p) = &input.origin {
            let identity = p.canonicalize().unwrap_or_else(|_| p.clone());
            if let Some(&i) = seen.get(&identity) {
                out[i].explicit |= input.explicit;
                continue;
            }
            seen.insert(identity, out.len());
        }
        out.push(input.clone());
    }
    out
}

/// Orders two inputs shown under one path by where they are read from.
fn origin_cmp(a: &Input, b: &Input) -> std::cmp::Ordering {
    match (&a.origin, &b.origin) {
        (Origin::File(x), Origin::File(y)) => x.cmp(y),
        (x, y) => (*x == Origin::Stdin).cmp(&(*y == Origin::Stdin)),
    }
}

/// Reads every input, then loads each, in [`canonical_order`].
fn read_inputs(
    inputs: &[Input],
    stdin: &mut dyn Read,
    cx: &mut LoadCx<'_>,
    errors: &mut Vec<String>,
) {
    let mut loaded = Vec::new();
    for input in &canonical_order(inputs) {
        // Inputs larger than spans can address are refused, never read in part.
        let limit = crate::source::MAX_INPUT_BYTES;
        let (bytes, fs_path) = match &input.origin {
            Origin::File(p) => (crate::source::read_file(p, limit), Some(p.clone())),
            Origin::Stdin => (crate::source::read_stream(stdin, limit), None),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{}: {e}", input.display));
                continue;
            }
        };
        let (file, text) = load::read_source(input.display.clone(), fs_path, bytes, cx.db, cx.b);
        if text {
            loaded.push((file, input.explicit));
        }
    }
    for (file, explicit) in loaded {
        load::load_file(cx, file, explicit);
    }
    load::load_specs(cx);
    load::finish(cx);
    errors.append(&mut cx.errors);
}

/// Runs `rules` over the inputs with default options.
pub fn run(inputs: &[Input], stdin: &mut dyn Read, rules: &[&'static dyn Rule]) -> Outcome {
    run_with(inputs, stdin, rules, &Options::default())
}

/// Runs `rules` over the inputs.
pub fn run_with(
    inputs: &[Input],
    stdin: &mut dyn Read,
    rules: &[&'static dyn Rule],
    options: &Options,
) -> Outcome {
    // PEERLINT_TIMINGS=1 prints how long each phase took, for benchmarking.
    let timings = std::env::var_os("PEERLINT_TIMINGS").is_some();
    let start = std::time::Instant::now();
    let mut db = SourceDb::default();
    let mut b = GraphBuilder::new();
    let mut trees = Vec::new();
    let mut read_errors = Vec::new();
    let mut cx = LoadCx {
        db: &mut db,
        trees: &mut trees,
        b: &mut b,
        options,
        errors: Vec::new(),
        template_folders: Default::default(),
        parameters_files: Vec::new(),
        used_parameters: Vec::new(),
        pairings: Default::default(),
        files_by_path: None,
        specs: Vec::new(),
    };
    read_inputs(inputs, stdin, &mut cx, &mut read_errors);
    let notes = Vec::new();
    let graph = b.finish();
    if timings {
        eprintln!("timing: read, parse and load: {:?}", start.elapsed());
    }
    let mut diagnostics = Vec::new();
    // What several rules need (reachability, intents, routes to appliances), built once.
    let analyses = crate::analysis::Analyses::new(&graph);
    // Placeholders of unknown values in the user's words, in every text of every finding.
    let readable = diagnostic::Readable::new(&graph, &db, &trees);
    for rule in rules {
        let meta = rule.meta();
        let mut cx = RuleContext::new(&analyses);
        let rule_start = std::time::Instant::now();
        rule.check(&mut cx);
        if timings && rule_start.elapsed().as_millis() > 5 {
            eprintln!("timing: {}: {:?}", meta.name, rule_start.elapsed());
        }
        for mut f in cx.into_findings() {
            // A computed value also shows where it came from (a parameter's value, a default).
            let mut origins = Vec::new();
            for l in std::iter::once(&f.primary).chain(f.related.iter()) {
                if let Some(o) = graph.origin(l.loc)
                    && !origins.iter().any(|x: &crate::rule::Label| x.loc == o.loc)
                    && o.loc.span != l.loc.span
                {
                    origins.push(crate::rule::Label {
                        loc: o.loc,
                        text: o.text.clone(),
                    });
                }
            }
            f.related.extend(origins);
            // Resources a template deploys only under a condition peerlint can't evaluate: said
            // on the findings of rules that check the design (those that read facts of it), not
            // on those about the inputs.
            if !meta.needs.is_empty()
                && let Some(c) = graph.condition(&f.resource)
            {
                f.related.push(crate::rule::Label {
                    loc: c,
                    text: "applies only if this condition holds, which can't be known before deployment".into(),
                });
            }
            let severity = if f.lesser {
                meta.severity().lesser()
            } else {
                meta.severity()
            };
            let text = |t: &str| readable.text(t, true);
            diagnostics.push(Diagnostic {
                rule: meta.name,
                severity,
                message: text(&f.message),
                help: f.help.as_deref().map(text),
                note: f.note.as_deref().map(text),
                at: diagnostic::position(&db, &trees, f.primary.loc),
                label: text(&f.primary.text),
                // In full: an id is a key (for baselines), so it is never cut short.
                resource: (!f.resource.is_empty()).then(|| readable.text(&f.resource, false)),
                related: f
                    .related
                    .into_iter()
                    .map(|l| RelatedLabel {
                        at: diagnostic::position(&db, &trees, l.loc),
                        message: text(&l.text),
                    })
                    .collect(),
            });
        }
    }
    diagnostic::sort(&mut diagnostics);
    if timings {
        eprintln!("timing: total: {:?}", start.elapsed());
    }
    Outcome {
        db,
        graph,
        diagnostics,
        read_errors,
        notes,
        trees,
    }
}
