//! One run: read the inputs, load them into one graph, run the enabled rules, turn findings
//! into sorted diagnostics.

use std::io::Read;

use crate::diagnostic::{self, Diagnostic, RelatedLabel};
use crate::discover::{Input, Origin};
use crate::graph::{Graph, GraphBuilder};
use crate::load;
use crate::model::{InputProblem, Loc, ProblemKind};
use crate::rule::{Rule, RuleContext};
use crate::source::{self, SourceDb, SourceFile, Span};
use crate::tree::Tree;

pub struct Outcome {
    pub db: SourceDb,
    pub graph: Graph,
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be read (a tool failure: exit 2).
    pub read_errors: Vec<String>,
}

/// Reads every input. Bytes that aren't text become an `invalid-syntax` problem.
fn read_inputs(
    inputs: &[Input],
    stdin: &mut dyn Read,
    db: &mut SourceDb,
    b: &mut GraphBuilder,
    trees: &mut Vec<Option<Tree>>,
    errors: &mut Vec<String>,
) {
    for input in inputs {
        let bytes = match &input.origin {
            Origin::File(p) => std::fs::read(p),
            Origin::Stdin => {
                let mut buf = Vec::new();
                stdin.read_to_end(&mut buf).map(|_| buf)
            }
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{}: {e}", input.display));
                continue;
            }
        };
        match source::decode(bytes) {
            Ok((text, start)) => {
                let file = db.add(SourceFile::new(input.display.clone(), text, start));
                let tree = load::load_file(file, db.get(file), input.explicit, b);
                trees.push(tree);
            }
            Err(e) => {
                // Keep a lossy text so the error can be shown in context.
                let file = db.add(SourceFile::new(input.display.clone(), String::new(), 0));
                b.count_file();
                b.problem(InputProblem {
                    kind: ProblemKind::Syntax,
                    loc: Loc::new(file, Span::new(0, 0), None),
                    message: format!("{} (first bad byte at offset {})", e.message, e.offset),
                    label: "here".into(),
                    help: Some("export the file again as UTF-8 JSON".into()),
                });
                trees.push(None);
            }
        }
    }
}

/// Runs `rules` over the inputs.
pub fn run(inputs: &[Input], stdin: &mut dyn Read, rules: &[&'static dyn Rule]) -> Outcome {
    // PEERLINT_TIMINGS=1 prints how long each phase took, for benchmarking.
    let timings = std::env::var_os("PEERLINT_TIMINGS").is_some();
    let start = std::time::Instant::now();
    let mut db = SourceDb::default();
    let mut b = GraphBuilder::new();
    let mut trees = Vec::new();
    let mut read_errors = Vec::new();
    read_inputs(inputs, stdin, &mut db, &mut b, &mut trees, &mut read_errors);
    let graph = b.finish();
    if timings {
        eprintln!("timing: read, parse and load: {:?}", start.elapsed());
    }
    let mut diagnostics = Vec::new();
    for rule in rules {
        let meta = rule.meta();
        let mut cx = RuleContext::new(&graph);
        let rule_start = std::time::Instant::now();
        rule.check(&mut cx);
        if timings && rule_start.elapsed().as_millis() > 5 {
            eprintln!("timing: {}: {:?}", meta.name, rule_start.elapsed());
        }
        for f in cx.into_findings() {
            let severity = if f.lesser {
                meta.severity().lesser()
            } else {
                meta.severity()
            };
            diagnostics.push(Diagnostic {
                rule: meta.name,
                severity,
                message: f.message,
                help: f.help,
                note: f.note,
                at: diagnostic::position(&db, &trees, f.primary.loc),
                label: f.primary.text,
                resource: (!f.resource.is_empty()).then_some(f.resource),
                related: f
                    .related
                    .into_iter()
                    .map(|l| RelatedLabel {
                        at: diagnostic::position(&db, &trees, l.loc),
                        message: l.text,
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
    }
}
