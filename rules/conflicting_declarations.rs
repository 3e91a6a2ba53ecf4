use crate::model::ProblemKind;
use crate::rule::{Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a subnet or peering that a template declares twice, inline in its vnet's
    /// `properties` and again as a child resource, with different values (`az group export`
    /// writes both copies).
    ///
    /// ## Why is this bad?
    /// Resource Manager deploys both: the vnet with its inline copy, then the child resource,
    /// which overwrites it. Which value wins depends on deployment order, and a later
    /// redeployment of the vnet alone silently reverts the other.
    ///
    /// ## Example
    /// ```json
    /// "subnets": [{ "name": "app", "properties": { "addressPrefix": "10.1.0.0/24" } }]
    /// ...
    /// { "type": "Microsoft.Network/virtualNetworks/subnets", "name": "spoke/app",
    ///   "properties": { "addressPrefix": "10.1.1.0/24" } }
    /// ```
    ///
    /// ## How to fix
    /// Keep one declaration (the inline one, usually), or make both copies agree.
    pub ConflictingDeclarations {
        name: "conflicting-declarations",
        group: Suspicious,
        summary: "a subnet or peering declared twice in a template with different values",
    }
}

impl Rule for ConflictingDeclarations {
    fn check(&self, cx: &mut RuleContext<'_>) {
        crate::query::report_problems(cx, ProblemKind::Conflict);
    }
}
