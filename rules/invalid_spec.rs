use crate::model::{
    Loc, Problem, SpecField, SpecInvalid, SpecPlace, SpecProblem, SpecRef, SpecValue,
};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a design spec (`peerlint: 1`) that doesn't follow the spec's schema: an unknown
    /// key (with the key it probably meant), a value of the wrong type, a topology item or
    /// route naming a vnet, subnet or appliance the spec doesn't declare. A `mesh` too large
    /// to expand into its peerings (more vnets than Azure's 500 peerings per vnet allow, or
    /// more peerings than peerlint generates from the meshes of one spec: 100,000) is a
    /// warning: its links are not checked.
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
        for p in cx.graph().problems() {
            if let Problem::Spec(p) = p {
                let (loc, message, label) = wording(p);
                let f = Finding::new("", message, loc, label);
                cx.report(match p {
                    // Not a flaw of the design: what peerlint could not check in it.
                    SpecProblem::MeshNotExpanded { over_limit, .. } => f
                        .lesser()
                        .note("the links between its vnets are not checked (address overlap, gateways, reachability), and none of them is reported missing")
                        .help(if *over_limit {
                            "split the mesh: Azure allows 500 peerings per vnet (hub-and-spoke, or Virtual Network Manager connectivity)"
                        } else {
                            "check the meshes in separate specs, or split the mesh"
                        }),
                    _ => f,
                });
            }
        }
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

/// A spec problem's place, message and label.
fn wording(p: &SpecProblem) -> (Loc, String, &'static str) {
    match p {
        SpecProblem::Version { loc } => (
            *loc,
            "this peerlint understands spec version 1 (`peerlint: 1`)".into(),
            "unsupported version",
        ),
        SpecProblem::UnknownKey {
            loc,
            key,
            place,
            suggestion,
            expected,
        } => {
            let place = match place {
                SpecPlace::Spec => "the spec".to_string(),
                SpecPlace::Defaults => "`defaults`".into(),
                SpecPlace::Vnet(v) => format!("vnet `{v}`"),
                SpecPlace::Subnet { vnet, subnet } => format!("subnet `{vnet}/{subnet}`"),
                SpecPlace::PeeringSettings => "peering settings".into(),
                SpecPlace::HubAndSpokeItem => "a `hub_and_spoke` item".into(),
                SpecPlace::HubAndSpoke => "`hub_and_spoke`".into(),
                SpecPlace::MeshItem => "a `mesh` item".into(),
                SpecPlace::PeerItem => "a `peer` item".into(),
                SpecPlace::PeerSubnets => "`subnets`".into(),
                SpecPlace::Intent => "an intent".into(),
            };
            let hint = match suggestion {
                Some(c) => did_you_mean(Some(c)),
                None => format!(
                    "; expected one of {}",
                    expected
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            (
                *loc,
                format!("unknown key `{key}` in {place}{hint}"),
                "unknown key",
            )
        }
        SpecProblem::WrongType {
            loc,
            key,
            expected,
            found,
        } => (
            *loc,
            format!(
                "`{key}` should be {}, found {}",
                expected.article_name(),
                found.article_name()
            ),
            "wrong type",
        ),
        SpecProblem::WrongForm { loc, value } => {
            let (message, label) = match value {
                SpecValue::Vnet(v) => (
                    format!("vnet `{v}` should be a mapping of its settings"),
                    "expected a mapping",
                ),
                SpecValue::Subnet { vnet, subnet } => (
                    format!("subnet `{vnet}/{subnet}` should be a prefix or a mapping"),
                    "expected a prefix",
                ),
                SpecValue::TopologyItem => (
                    "a topology item should be `hub_and_spoke`, `mesh` or `peer`".into(),
                    "expected a mapping",
                ),
                SpecValue::HubAndSpoke => (
                    "`hub_and_spoke` should be a mapping".into(),
                    "expected a mapping",
                ),
                SpecValue::Mesh => ("`mesh` should be a list of vnets".into(), "expected a list"),
                SpecValue::Peer => (
                    "`peer` should be `a <-> b` or `a -> b`".into(),
                    "expected a link",
                ),
                SpecValue::NextHop => (
                    "a next hop should be `vnet/appliance`, an IP address or `gateway`".into(),
                    "expected a next hop",
                ),
                SpecValue::Intent => (
                    "an intent should be `allow: {from, to}` or `deny: {from, to}`".into(),
                    "expected a mapping",
                ),
                SpecValue::IntentBody => (
                    "`allow`/`deny` should be a mapping with `from` and `to`".into(),
                    "expected a mapping",
                ),
                SpecValue::Endpoint => (
                    "an endpoint is a vnet, `vnet/subnet` or a CIDR".into(),
                    "expected a string",
                ),
            };
            (*loc, message, label)
        }
        SpecProblem::Undeclared { loc, reference } => {
            let (message, label) = match reference {
                SpecRef::Vnet { name, suggestion } => (
                    format!(
                        "no vnet `{name}` in `vnets`{}",
                        did_you_mean(suggestion.as_deref())
                    ),
                    "unknown vnet",
                ),
                SpecRef::Subnet { vnet, subnet } => (
                    format!("vnet `{vnet}` has no subnet `{subnet}`"),
                    "unknown subnet",
                ),
                SpecRef::Appliance {
                    vnet,
                    appliance,
                    suggestion,
                } => (
                    format!(
                        "vnet `{vnet}` has no appliance `{appliance}`{}",
                        did_you_mean(suggestion.as_deref())
                    ),
                    "unknown appliance",
                ),
            };
            (*loc, message, label)
        }
        SpecProblem::DuplicateVnet { loc, name } => (
            *loc,
            format!("vnet `{name}` is declared twice"),
            "second declaration",
        ),
        SpecProblem::Invalid { loc, value } => {
            let (message, label) = match value {
                SpecInvalid::VnetId { vnet } => (
                    format!("`id` of vnet `{vnet}` is not a virtual network id"),
                    "not a vnet id",
                ),
                SpecInvalid::ApplianceIp { vnet, appliance } => (
                    format!("appliance `{vnet}/{appliance}` should be an IP address"),
                    "not an IP address",
                ),
                SpecInvalid::Gateway(g) => (
                    format!(
                        "unknown gateway `{}`: expected `none`, `vpn`, `expressroute` or \
                         `route-server`",
                        g.to_ascii_lowercase()
                    ),
                    "unknown gateway",
                ),
                SpecInvalid::PeerLink(text) => (
                    format!("`{text}` should be `a <-> b` (both directions) or `a -> b` (one)"),
                    "expected `<->` or `->`",
                ),
                SpecInvalid::NextHop(text) => (
                    format!(
                        "next hop `{text}` should be `vnet/appliance`, an IP address or `gateway`"
                    ),
                    "unknown next hop",
                ),
                SpecInvalid::TopologyItem { key, suggestion } => (
                    format!(
                        "a topology item should be `hub_and_spoke`, `mesh` or `peer`, \
                         found {}{}",
                        if key.is_empty() {
                            "an empty item".to_string()
                        } else {
                            format!("`{key}`")
                        },
                        did_you_mean(*suggestion)
                    ),
                    "unknown topology item",
                ),
            };
            (*loc, message, label)
        }
        SpecProblem::Missing { loc, field } => {
            let (message, label) = match field {
                SpecField::Hub => ("`hub_and_spoke` needs a `hub`", "no hub"),
                SpecField::AllowOrDeny => (
                    "an intent has exactly one of `allow` and `deny`",
                    "expected `allow` or `deny`",
                ),
                SpecField::FromAndTo => {
                    ("an intent needs `from` and `to`", "missing `from` or `to`")
                }
            };
            (*loc, message.into(), label)
        }
        SpecProblem::MeshNotExpanded {
            loc,
            vnets,
            over_limit,
            budget,
        } => {
            let why = if *over_limit {
                format!(
                    "each of its vnets would have {} peerings, more than Azure allows (500)",
                    vnets.saturating_sub(1)
                )
            } else {
                format!(
                    "its {} peerings would take the spec's meshes past the {budget} peerings peerlint generates",
                    vnets * vnets.saturating_sub(1)
                )
            };
            (
                *loc,
                format!("this `mesh` of {vnets} vnets was not expanded into peerings: {why}"),
                "not expanded",
            )
        }
    }
}

/// "; did you mean `x`?", or nothing.
fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}
