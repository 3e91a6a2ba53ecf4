use crate::model::{Child, Conflict, Problem};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports two descriptions of one thing that disagree:
    /// - a subnet, peering or route that a template declares twice, inline in its vnet's (or
    ///   route table's) `properties` and again as a child resource, with different values
    ///   (`az group export` writes both copies);
    /// - two inputs that give one vnet different address spaces (two exports of it, or an
    ///   export and a template or design spec);
    /// - a design spec and another input that disagree about whether a vnet has a gateway;
    /// - a key declared twice in one JSON or YAML object of an input with different values
    ///   (keys compare ignoring case, as Azure's property names do). peerlint reads the first
    ///   and ignores the others. Several `copy` keys side by side are ARM property loops, not a
    ///   conflict.
    ///
    /// ## Why is this bad?
    /// Resource Manager deploys both template copies: the vnet with its inline copy, then the
    /// child resource, which overwrites it. Which value wins depends on deployment order, and a
    /// later redeployment of the vnet alone silently reverts the other.
    ///
    /// Two inputs that disagree can't both describe what is deployed. The checks see one
    /// merged vnet (the first input's address space, a gateway if either input has one), so
    /// their findings may fit neither.
    ///
    /// JSON leaves the meaning of a repeated key open: most readers keep the last value, some
    /// the first, some reject the file, and Resource Manager doesn't document its choice. The
    /// value peerlint checks may not be the one that is deployed.
    ///
    /// ## Example
    /// ```json
    /// "subnets": [{ "name": "app", "properties": { "addressPrefix": "10.1.0.0/24" } }]
    /// ...
    /// { "type": "Microsoft.Network/virtualNetworks/subnets", "name": "spoke/app",
    ///   "properties": { "addressPrefix": "10.1.1.0/24" } }
    /// ```
    ///
    /// ```json
    /// { "allowGatewayTransit": false, "allowGatewayTransit": true }
    /// ```
    ///
    /// ## How to fix
    /// Keep one declaration (the inline one, usually), or make both copies agree. Make two
    /// inputs agree, or check only the one that describes what is (or will be) deployed.
    /// Remove the repeated key.
    pub ConflictingDeclarations {
        name: "conflicting-declarations",
        group: Suspicious,
        summary: "a subnet, peering or JSON key declared twice, or two inputs that disagree",
    }
}

impl Rule for ConflictingDeclarations {
    fn check(&self, cx: &mut RuleContext<'_>) {
        for (p, resource) in cx.graph().problems_with_resource() {
            let c = match p {
                Problem::Conflict(c) => c,
                Problem::DuplicateKey { loc, key, first } => {
                    cx.report(
                        Finding::new(
                            resource,
                            format!(
                                "`{key}` is declared twice in one object; peerlint reads the \
                                 first and ignores this one"
                            ),
                            *loc,
                            "ignored",
                        )
                        .help(format!("remove one of the two `{key}` keys"))
                        .related(*first, "the value peerlint reads"),
                    );
                    continue;
                }
                _ => continue,
            };
            let f = match c {
                Conflict::Copies {
                    loc,
                    what,
                    name,
                    key,
                    here,
                    other,
                    other_loc,
                } => {
                    let (what, parent) = match what {
                        Child::Subnet => ("subnet", "vnet"),
                        Child::Peering => ("peering", "vnet"),
                        Child::Route => ("route", "route table"),
                    };
                    Finding::new(
                        resource,
                        format!(
                            "{what} `{name}` is declared twice with different `{key}`: \
                             `{here}` here, `{other}` in the {parent}'s inline list"
                        ),
                        *loc,
                        format!("`{key}` differs from the inline copy"),
                    )
                    .help(format!(
                        "keep one declaration of the {what}, or make both copies agree"
                    ))
                    .related(*other_loc, "the inline copy")
                }
                Conflict::AddressSpaces {
                    loc,
                    vnet,
                    here,
                    other,
                    other_loc,
                } => {
                    let show = |v: &[ipnet::IpNet]| {
                        v.iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    described_twice(
                        resource,
                        (*loc, "this address space"),
                        vnet,
                        "address spaces",
                        show(here),
                        show(other),
                    )
                    .help(
                        "make the inputs agree, or check only the one that describes what \
                             is (or will be) deployed",
                    )
                    .related(*other_loc, "the other description")
                }
                Conflict::Gateways {
                    loc,
                    vnet,
                    here,
                    other,
                    other_loc,
                } => {
                    let says = |has: bool| if has { "a gateway" } else { "none" };
                    described_twice(
                        resource,
                        (*loc, "the spec's gateway"),
                        vnet,
                        "gateways",
                        says(*here),
                        says(*other),
                    )
                    .help("make the spec and the other input agree")
                    .related(*other_loc, "the other input's description")
                }
            };
            cx.report(f);
        }
    }
}

/// A vnet two inputs describe with different `what` (`here` in this one, `other` in the
/// other), labelled `label` at `loc`.
fn described_twice(
    resource: &str,
    (loc, label): (crate::model::Loc, &str),
    vnet: &str,
    what: &str,
    here: impl std::fmt::Display,
    other: impl std::fmt::Display,
) -> Finding {
    Finding::new(
        resource,
        format!(
            "vnet `{vnet}` is described twice with different {what}: {here} here, {other} in \
             the other input"
        ),
        loc,
        label,
    )
}
