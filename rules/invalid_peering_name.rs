use crate::query::vnet_name;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a peering name that isn't 1 to 80 characters of letters, digits, `_`, `.` and
    /// `-`, starting with a letter or digit and ending with a letter, digit or `_`.
    ///
    /// ## Why is this bad?
    /// Azure rejects the peering with `InvalidResourceName`.
    ///
    /// ## Example
    /// ```json
    /// { "name": "hub-to-spoke1.", "remoteVirtualNetwork": { "id": ".../vnet-spoke1" } }
    /// ```
    ///
    /// ## How to fix
    /// Rename the peering, such as `hub-to-spoke1`.
    pub InvalidPeeringName {
        name: "invalid-peering-name",
        group: Correctness,
        summary: "a peering name breaks Azure's naming rules",
        needs: [PeeringName],
    }
}

/// Why a name is invalid, if it is.
pub fn name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if len == 0 {
        return Some("it is empty".into());
    }
    if len > 80 {
        return Some(format!("it is {len} characters long, more than 80"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Some(format!(
            "`{c}` is not allowed (only letters, digits, `_`, `.` and `-`)"
        ));
    }
    let first = name.chars().next().expect("non-empty");
    if !first.is_ascii_alphanumeric() {
        return Some("it must start with a letter or digit".into());
    }
    let last = name.chars().last().expect("non-empty");
    if !(last.is_ascii_alphanumeric() || last == '_') {
        return Some("it must end with a letter, digit or `_`".into());
    }
    None
}

impl Rule for InvalidPeeringName {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, p) in g.peerings() {
            if !p.name_known {
                continue; // unresolved-value says so
            }
            let Some(reason) = name_problem(&p.name) else {
                continue;
            };
            cx.report(
                Finding::new(
                    &p.id,
                    format!("peering name `{}` of {} is invalid: {reason}", p.name, vnet_name(g, p.local)),
                    p.label_loc(),
                    "invalid name",
                )
                .help("use 1 to 80 letters, digits, `_`, `.` or `-`, starting with a letter or digit and ending with a letter, digit or `_`")
                .note("Azure rejects this at deploy time with InvalidResourceName"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::name_problem;

    #[test]
    fn names() {
        assert_eq!(name_problem("hub-to-spoke1"), None);
        assert_eq!(name_problem("a"), None);
        assert_eq!(name_problem("peer_"), None);
        assert!(name_problem("peer-").is_some());
        assert!(name_problem("-peer").is_some());
        assert!(name_problem("peer/x").is_some());
        assert!(name_problem(&"a".repeat(81)).is_some());
        assert_eq!(name_problem(&"a".repeat(80)), None);
    }
}
