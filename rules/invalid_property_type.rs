use crate::model::ProblemKind;
use crate::rule::{Rule, RuleContext};

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
        crate::query::report_problems(cx, ProblemKind::PropertyType);
    }
}
