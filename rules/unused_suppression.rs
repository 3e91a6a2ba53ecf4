use crate::rule::{Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a suppression that matched no finding: an `[[exception]]` of peerlint.toml, or
    /// an inline `# peerlint: ignore[rule-name] reason` comment in a design spec (or a `//`
    /// comment in a JSON template). Also reports an inline suppression that can't apply: one
    /// without a reason, one that names no rule, or one of `invalid-syntax` or
    /// `unrecognized-input`, which can't be suppressed. An exception past its `expires` date
    /// that matches nothing is reported too (one that still matches a finding no longer
    /// applies: the finding is reported, and says its exception expired).
    ///
    /// A suppression is judged only when the run checked the whole design (no files named, or
    /// the configured `paths` loaded for context) and only when its rule ran. The check
    /// happens after the other rules, where the configuration is applied to their findings;
    /// rules never see the configuration.
    ///
    /// ## Why is this bad?
    /// The finding it was written for is gone (fixed, or moved) or the suppression never
    /// matched it. Left in place, it would silently hide the next finding it happens to match.
    ///
    /// ## Example
    /// ```toml
    /// [[exception]]
    /// rule = "missing-reverse-peering"
    /// resource = "*/virtualNetworks/vnet-partner/*"
    /// reason = "the partner peers back from their own subscription"
    /// ```
    /// while no `missing-reverse-peering` finding is about `vnet-partner` any more.
    ///
    /// ## How to fix
    /// Remove the suppression, or correct its rule, `resource` or `path` (for an inline one,
    /// put it on the line before the item the finding points at).
    pub UnusedSuppression {
        name: "unused-suppression",
        group: Suspicious,
        summary: "a configured exception or inline suppression matched nothing",
    }
}

impl Rule for UnusedSuppression {
    /// Nothing to do on the graph: suppressions are judged once the other rules have run, by
    /// the filter that applies them (`crate::filter`), which reports under this rule's name.
    fn check(&self, _cx: &mut RuleContext<'_>) {}
}
