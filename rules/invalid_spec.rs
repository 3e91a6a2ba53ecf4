use crate::model::ProblemKind;
use crate::rule::{Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a design spec (`peerlint: 1`) that doesn't follow the spec's schema: an unknown
    /// key (with the key it probably meant), a value of the wrong type, a topology item or
    /// route naming a vnet, subnet or appliance the spec doesn't declare.
    ///
    /// ## Why is this bad?
    /// A misspelt key is silently meaningless (`gateway_transt: true` would set nothing), and a
    /// reference to an undeclared vnet leaves a peering or route out of the design: the checks
    /// would pass on a design that isn't the one written.
    ///
    /// ## Example
    /// ```yaml
    /// topology:
    ///   - hub_and_spoke: { hub: hub, spokes: [spoke1, spoke3], gateway_transt: true }
    /// ```
    ///
    /// ## How to fix
    /// Use the keys of the spec's JSON Schema (`peerlint schema`), and declare every vnet in
    /// `vnets` (with `external: true` for vnets owned elsewhere).
    pub InvalidSpec {
        name: "invalid-spec",
        group: Correctness,
        summary: "a design spec with an unknown key, a wrong type or an undeclared reference",
    }
}

impl Rule for InvalidSpec {
    fn check(&self, cx: &mut RuleContext<'_>) {
        crate::query::report_problems(cx, ProblemKind::Spec);
        // Intents name vnets of any input; one that names nothing can't be checked.
        let g = cx.graph();
        if g.intents().is_empty() {
            return;
        }
        let r = cx.reach();
        for intent in g.intents() {
            let ends = intent
                .from
                .iter()
                .map(|e| (e, true))
                .chain(intent.to.iter().map(|e| (e, false)));
            for ((e, loc), is_from) in ends {
                let resolved = if is_from {
                    r.source(e).map(|_| ())
                } else {
                    r.destination(e).map(|_| ())
                };
                if let Err(why) = resolved {
                    cx.report(
                        crate::rule::Finding::new("", format!("this intent can't be checked: {why}"), *loc, "not in the inputs")
                            .help("name a vnet of the spec or of another input of the run (by name, or by id when names repeat)"),
                    );
                }
            }
        }
    }
}
