use crate::model::Problem;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports an ARM template expression that Resource Manager would reject: a syntax error,
    /// a function called with the wrong number or types of arguments, an unknown function, a
    /// parameter or variable the template doesn't declare, an index out of range, a parameter
    /// value outside its `allowedValues` or limits, a resource declared twice in one
    /// deployment, a `copy` loop on a resource declared inside another.
    ///
    /// ## Why is this bad?
    /// The deployment fails validation before anything is created, and peerlint can't know
    /// the value the expression was meant to produce: the checks that need it are skipped.
    ///
    /// ## Example
    /// ```json
    /// { "name": "[concat(parameters('hubName'), '/to-spoke'" }
    /// ```
    ///
    /// ## How to fix
    /// Correct the expression: close every parenthesis, pass the arguments the function
    /// documents, and declare every parameter and variable you use.
    pub InvalidExpression {
        name: "invalid-expression",
        group: Correctness,
        summary: "an ARM template expression Resource Manager would reject",
    }
}

impl Rule for InvalidExpression {
    fn check(&self, cx: &mut RuleContext<'_>) {
        for (p, resource) in cx.graph().problems_with_resource() {
            if let Problem::DuplicateResource {
                loc,
                ty,
                name,
                second,
            } = p
            {
                let finding = if loc == second {
                    Finding::new(
                        resource,
                        format!(
                            "`{ty}` resource `{name}` is declared more than once by this copy loop in one deployment"
                        ),
                        *loc,
                        "two iterations give this name",
                    )
                } else {
                    Finding::new(
                        resource,
                        format!("`{ty}` resource `{name}` is declared twice in one deployment"),
                        *loc,
                        "first declared here",
                    )
                    .related(*second, "declared again here")
                };
                cx.report(finding.help(
                    "give each resource its own name, or make their conditions exclusive; \
                     Resource Manager rejects a template that defines a resource twice",
                ));
                continue;
            }
            let Problem::Expression { loc, detail, limit } = p else {
                continue;
            };
            let finding = if *limit {
                Finding::new(resource, detail.clone(), *loc, "peerlint stops here").help(
                    "the template goes far beyond what Resource Manager deploys (its limits: \
                     800 copies per loop, a 4 MB template); simplify the expression or the loop",
                )
            } else {
                Finding::new(
                    resource,
                    detail.clone(),
                    *loc,
                    "Resource Manager rejects this",
                )
                .help(
                    "the deployment fails validation before anything is created; \
                     see the function's documentation",
                )
            };
            cx.report(finding);
        }
    }
}
