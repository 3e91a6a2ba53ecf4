use crate::model::{Blocked, Fact};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a template value that peerlint can't know offline and that a check needed: a
    /// parameter nobody gave a value, `uniqueString()`, `reference()` to a resource outside
    /// the inputs, a `condition` or copy count built from them; in a Terraform plan, a value
    /// known only after apply that the plan's configuration doesn't link to a resource of the
    /// plan; in a GruCloud `resources.js`,
    /// what only running it would give (`process.env.X`, a call, an operator). The finding
    /// names the checks that could not run.
    ///
    /// ## Why is this bad?
    /// peerlint never guesses: a value it can't compute is neither true nor false, so the
    /// checks that need it are skipped. This finding says so, so that a clean run is not
    /// mistaken for a checked design.
    ///
    /// ## Example
    /// ```json
    /// "parameters": { "hubPrefix": { "type": "string" } },
    /// ...
    /// "addressPrefixes": ["[parameters('hubPrefix')]"]
    /// ```
    ///
    /// ## How to fix
    /// Give the value: a `defaultValue`, a `<template>.parameters.json` beside the template or
    /// `--parameters FILE`, and `--subscription` / `--resource-group` for the deployment scope.
    pub UnresolvedValue {
        name: "unresolved-value",
        group: Suspicious,
        summary: "a template value can't be known offline, so checks that need it were skipped",
    }
}

impl Rule for UnresolvedValue {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for u in g.unresolved() {
            let note = match u.blocks {
                Blocked::AsIfDeployed => "peerlint checked the resource as if it were deployed; findings on it apply only if the condition holds".to_string(),
                Blocked::Resource => "peerlint could not check this resource at all, nor what the vnets it may belong to lack (a peering back, a subnet)".to_string(),
                Blocked::Fact(fact) => format!("skipped: {}", needing(fact)),
            };
            cx.report(
                Finding::new(
                    &u.resource,
                    format!("{} can't be known before deployment: {}", u.what, u.reason),
                    u.loc,
                    "unknown until deployment",
                )
                .note(note)
                .help(if g.is_grucloud(u.loc) {
                    "peerlint reads `resources.js` without running it; write the value as a literal, in `config.js`, or with `getId`, or check the listed rules by hand"
                } else if u.reason.contains("parameter `") {
                    "give the parameter a value: a parameters file (`<template>.parameters.json` beside it, or `--parameters FILE`) or a `defaultValue`"
                } else if u.reason.starts_with("Terraform") {
                    "check the listed rules by hand, or write the value so that Terraform knows it when it plans (an id built from names, a reference peerlint can follow)"
                } else {
                    "peerlint can't compute this offline; check the listed rules by hand, or pass the resolved value as a parameter"
                }),
            );
        }
    }
}

/// The rules that read `fact`, in catalog order: "`a`, `b`".
fn needing(fact: Fact) -> String {
    super::ALL
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.needs.contains(&fact))
        .map(|m| format!("`{}`", m.name))
        .collect::<Vec<_>>()
        .join(", ")
}
