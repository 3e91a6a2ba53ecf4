use crate::model::Problem;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a vnet, subnet or peering property whose JSON type is wrong: a number where a
    /// string belongs, a string where a list or a boolean belongs. (A prefix of the wrong type
    /// is `invalid-address-prefix`.)
    ///
    /// ## Why is this bad?
    /// Azure rejects the request, and peerlint can't check what the value was meant to be;
    /// the value is skipped.
    ///
    /// ## Example
    /// ```json
    /// { "name": "hub-to-spoke1", "allowGatewayTransit": "yes" }
    /// ```
    ///
    /// ## How to fix
    /// Write the value with the type the Azure REST API documents.
    pub InvalidPropertyType {
        name: "invalid-property-type",
        group: Correctness,
        summary: "a vnet, subnet or peering property has the wrong JSON type",
    }
}

impl Rule for InvalidPropertyType {
    fn check(&self, cx: &mut RuleContext<'_>) {
        for (p, resource) in cx.graph().problems_with_resource() {
            let f = match p {
                Problem::PropertyType {
                    loc,
                    property,
                    expected,
                    found,
                } => {
                    let (expected, found) = (expected.article_name(), found.article_name());
                    Finding::new(
                        resource,
                        format!("`{property}` should be {expected}, found {found}"),
                        *loc,
                        format!("expected {expected}"),
                    )
                }
                Problem::StandalonePeeringId { loc } => Finding::new(
                    resource,
                    "a standalone peering needs an `id` of the form \
                     `<vnet id>/virtualNetworkPeerings/<name>`",
                    *loc,
                    "the peering's vnet can't be told from this",
                )
                .help(
                    "export peerings with their ids (`az network vnet peering list` includes them)",
                ),
                _ => continue,
            };
            cx.report(f);
        }
    }
}
