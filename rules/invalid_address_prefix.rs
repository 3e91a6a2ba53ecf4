use crate::model::{Prefix, PrefixValue};
use crate::prefix::Parsed;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet or subnet address prefix that isn't CIDR notation, or that has host bits
    /// set (`10.0.0.1/16`).
    ///
    /// ## Why is this bad?
    /// Azure rejects the vnet or subnet at deploy time with `InvalidAddressPrefixFormat` or
    /// `InvalidCIDRNotation`. A prefix with host bits set usually hides a typo: the author
    /// meant a different network than the one Azure would compute.
    ///
    /// ## Example
    /// ```json
    /// { "name": "vnet-spoke1", "properties": { "addressSpace": { "addressPrefixes": ["10.1.0.1/16"] } } }
    /// ```
    ///
    /// ## How to fix
    /// Write the canonical prefix (`10.1.0.0/16`), or the network you actually meant.
    pub InvalidAddressPrefix {
        name: "invalid-address-prefix",
        group: Correctness,
        summary: "a vnet or subnet prefix is not valid CIDR or has host bits set",
        needs: [AddressSpace, Subnets, SubnetPrefixes],
    }
}

impl Rule for InvalidAddressPrefix {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.defined_vnets() {
            for p in v
                .address_space
                .iter()
                .flat_map(|s| &s.prefixes)
                .filter(|p| !p.is_valid())
            {
                report(cx, &v.id, p, &format!("vnet `{}`", v.name));
            }
            for s in &v.subnets {
                for p in s
                    .prefixes
                    .iter()
                    .flat_map(|l| &l.prefixes)
                    .filter(|p| !p.is_valid())
                {
                    report(
                        cx,
                        &format!("{}/subnets/{}", v.id, s.name),
                        p,
                        &format!("subnet `{}` of `{}`", s.name, v.name),
                    );
                }
            }
        }
    }
}

fn report(cx: &mut RuleContext<'_>, resource: &str, p: &Prefix, owner: &str) {
    let finding = match &p.parsed {
        // Unresolved prefixes are unresolved-value's.
        PrefixValue::Parsed(Parsed::Valid(_)) | PrefixValue::Unresolved => return,
        PrefixValue::Parsed(Parsed::HostBits(canonical)) => Finding::new(
            resource,
            format!("address prefix `{}` of {owner} has host bits set", p.text),
            p.loc,
            format!("should be `{canonical}`"),
        )
        .help(format!("write `{canonical}`, or the network you meant"))
        .note("Azure rejects this at deploy time with InvalidCIDRNotation"),
        PrefixValue::Parsed(Parsed::Malformed(reason)) => Finding::new(
            resource,
            format!(
                "address prefix `{}` of {owner} is not CIDR notation: {reason}",
                p.text
            ),
            p.loc,
            "not an address prefix",
        )
        .help("write the prefix as `address/length`, such as `10.1.0.0/16`")
        .note("Azure rejects this at deploy time with InvalidAddressPrefixFormat"),
        PrefixValue::WrongType(kind) => Finding::new(
            resource,
            format!(
                "address prefix of {owner} is {}, not a string",
                kind.article_name()
            ),
            p.loc,
            "expected a CIDR string",
        )
        .help("write the prefix as a string, such as \"10.1.0.0/16\"")
        .note("Azure rejects this at deploy time with InvalidAddressPrefixFormat"),
    };
    cx.report(finding);
}
