//! ARM templates (authored, exported, Bicep-compiled): evaluated the way Resource Manager
//! would, offline, so the rules see the resources a deployment would create.
//!
//! A pure evaluator: [`evaluate`] returns what a template deploys as data ([`Evaluated`]), and
//! the module depends only on `tree`, `json`, `source`, `model` (locations), `id`, `prefix` and
//! `suggest`, never on the graph, the loaders or the engine (`load::template` hands the result
//! to the graph).

pub mod eval;
pub mod expr;
mod func;
pub mod order;
pub mod params;
pub mod template;
pub mod value;

pub use eval::EvalError;
pub use template::{
    Condition, Context, Declared, Effect, Evaluated, Params, Resource, Undecided, evaluate,
};

/// The stack evaluating a template may need at its deepest ([`eval::MAX_DEPTH`] levels, up to
/// about 10 KiB each in a debug build, 2 KiB optimised), with room to spare: a program that
/// evaluates templates runs them on a thread with this much (`peerlint` runs its command on
/// one). Only the part used is ever touched.
pub const STACK_SIZE: usize = 256 << 20;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// What [`evaluate_expression`] produced.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Known(serde_json::Value),
    /// Unknown offline: the reason, and the placeholder standing for it in ids.
    Unknown {
        reason: String,
        symbol: Option<String>,
    },
}

/// Evaluates one expression (`[...]` or a literal string) in the scope of a template given as
/// JSON text (its `parameters` defaults and `variables`), with the placeholder deployment
/// context. Returns the value and the expression errors reported (message and the offending
/// text). For tests and tools.
pub fn evaluate_expression(template: &str, expression: &str) -> (Outcome, Vec<(String, String)>) {
    use crate::source::FileId;
    let text = Arc::new(format!(
        "{{\"t\": {template}, \"e\": {}}}",
        serde_json::Value::String(expression.into())
    ));
    let tree = crate::json::parse(&text, 0).expect("test template must be JSON");
    let root = tree.root().expect("root");
    let t = tree.get(root, "t").expect("template");
    let e = tree.get(root, "e").expect("expression");
    let errors = Rc::new(RefCell::new(Vec::new()));
    let ctx = Rc::new(eval::DeployCtx {
        subscription: template::SUBSCRIPTION_PLACEHOLDER.into(),
        resource_group: template::RESOURCE_GROUP_PLACEHOLDER.into(),
    });
    let mut scope = eval::Scope::new(&tree, FileId(0), ctx, errors.clone());
    scope.params = Rc::new(params::Table::new(&tree, t, Default::default(), None, ""));
    scope.resolve_parameters();
    if let Some(vars) = tree.get(t, "variables") {
        scope.set_variables(vars);
    }
    let env = eval::Env {
        scope: &scope,
        copies: &[],
    };
    let v = env.node(e);
    let errs = errors
        .borrow()
        .iter()
        .map(|x| (x.message.clone(), text[x.loc.span.range()].to_string()))
        .collect();
    (Outcome::of(&v), errs)
}

impl Outcome {
    /// A value as JSON, or unknown (with the reason of its first unknown part).
    pub fn of(v: &value::Value) -> Outcome {
        match v.to_json() {
            Some(j) => Outcome::Known(j),
            None => match &v.v {
                value::Val::Unknown(u) => Outcome::Unknown {
                    reason: u.reason.clone(),
                    symbol: u.symbol.clone(),
                },
                _ => Outcome::Unknown {
                    reason: first_unknown_reason(v).unwrap_or_default(),
                    symbol: None,
                },
            },
        }
    }
}

/// The reason of the first unknown inside a value, depth first.
fn first_unknown_reason(v: &value::Value) -> Option<String> {
    match &v.v {
        value::Val::Unknown(u) => Some(u.reason.clone()),
        value::Val::Array(a) => a.iter().find_map(first_unknown_reason),
        value::Val::Object(m) => m.iter().find_map(|(_, x)| first_unknown_reason(x)),
        _ => None,
    }
}

/// An output as [`evaluate_outputs`] gives it: name, declared type, value.
pub type OutputOutcome = (String, String, Outcome);

/// An expression error as the test entry points give it: message, and the offending text.
pub type Reported = (String, String);

/// A template's top-level outputs, evaluated with the parameters' default values in the
/// placeholder deployment context: (name, declared type, value) each, and the expression
/// errors reported (message and the offending text). None when the text isn't JSON. For tests
/// and tools.
pub fn evaluate_outputs(template: &str) -> Option<(Vec<OutputOutcome>, Vec<Reported>)> {
    use crate::source::FileId;
    let text = Arc::new(template.to_string());
    let tree = crate::json::parse(&text, 0).ok()?;
    let ev = evaluate(&tree, FileId(0), None, &Context::default());
    let outputs = ev
        .outputs
        .iter()
        .map(|(name, ty, v)| (name.clone(), ty.clone(), Outcome::of(v)))
        .collect();
    let errs = ev
        .problems
        .iter()
        .map(|x| (x.message.clone(), text[x.loc.span.range()].to_string()))
        .collect();
    Some((outputs, errs))
}
