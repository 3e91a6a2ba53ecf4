use crate::model::IntentKind;
use crate::query::{endpoint_text, explain, intent_links_unknown, intent_why, labels};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Checks each intent of a design spec against the merged graph: an `allow` whose traffic
    /// has no path at all (and no shared neighbour that could forward it, which is
    /// `transitive-peering-assumed`), or a `deny` that a path satisfies. The message shows the
    /// path, or what is missing. A subnet peering carries traffic only between the subnets it
    /// lists (in both its links), and an IPv6-only peering no IPv4 traffic. An answer that
    /// depends on a value known only at deployment (a next hop from `reference()`, a flag from
    /// a parameter) or on a next hop outside the inputs is unknown, and not reported.
    ///
    /// ## Why is this bad?
    /// The design doesn't do what its authors wrote down: a workload can't reach what it must,
    /// or reaches what it must not (a direct peering undoes an isolation meant to go through a
    /// firewall).
    ///
    /// ## Example
    /// ```yaml
    /// topology:
    ///   - peer: spoke1 <-> shared
    /// intents:
    ///   - deny: { from: spoke1, to: shared }
    /// ```
    ///
    /// ## How to fix
    /// Change the design (remove the peering, add the route) or the intent, whichever is wrong.
    pub IntentViolated {
        name: "intent-violated",
        group: Correctness,
        summary: "an intent of the design spec that the design doesn't satisfy",
        needs: [AddressSpace, Subnets, SubnetPrefixes, Peerings, RemoteVnet, PeeredSubnetNames, UseRemoteGateways, PeerCompleteVnets, OnlyIpv6, Gateways, GatewayKind],
    }
}

impl Rule for IntentViolated {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for c in cx.intent_checks() {
            let (from, to) = (endpoint_text(c.from.0), endpoint_text(c.to.0));
            let why = intent_why(c.intent);
            let finding = match c.intent.kind {
                // An unknown answer (a value computed only at deployment decides it) is no
                // error: unresolved-value says what is unknown.
                IntentKind::Allow
                    if c.answer.path.is_none()
                        && c.answer.shared.is_empty()
                        && !c.answer.is_unknown()
                        && !intent_links_unknown(g, c) =>
                {
                    Finding::new(
                    &g.vnet(c.source.vnet).id,
                    format!("{from} must reach {to}{why}, but no path leads there: {}", explain(g, &c.answer)),
                    c.intent.loc,
                    "no path for this intent",
                )
                .help(format!("peer the two vnets, or route {} through a forwarder in a vnet peered with both", c.dest))
                }
                IntentKind::Deny if c.answer.path.is_some() => Finding::new(
                    &g.vnet(c.source.vnet).id,
                    format!("{from} must not reach {to}{why}, but it does: {}", explain(g, &c.answer)),
                    c.intent.loc,
                    "this path exists",
                )
                .help("remove the peering or route that makes the path, or change the intent"),
                _ => continue,
            };
            let mut finding = finding.related(c.to.1, format!("{} is the destination", c.dest));
            for (loc, text) in labels(g, &c.answer) {
                finding = finding.related(loc, text);
            }
            cx.report(finding);
        }
    }
}
