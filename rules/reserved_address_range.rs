use ipnet::IpNet;

use crate::prefix::overlaps;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a vnet address space that touches a range Azure reserves: 224.0.0.0/4
    /// (multicast), 255.255.255.255/32 (broadcast), 127.0.0.0/8 (loopback), 169.254.0.0/16
    /// (link-local) or 168.63.129.16/32 (the Azure platform's virtual public IP).
    ///
    /// ## Why is this bad?
    /// Azure doesn't accept these ranges in a vnet's address space, so the deployment fails.
    ///
    /// ## Example
    /// ```json
    /// { "addressSpace": { "addressPrefixes": ["169.254.0.0/16"] } }
    /// ```
    ///
    /// ## How to fix
    /// Use private space (RFC 1918, or RFC 6598's 100.64.0.0/10) that avoids the reserved ranges.
    pub ReservedAddressRange {
        name: "reserved-address-range",
        group: Correctness,
        summary: "a vnet's address space touches a range Azure reserves",
        needs: [AddressSpace],
    }
}

const RESERVED: &[(&str, &str)] = &[
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("168.63.129.16/32", "the Azure platform's virtual public IP"),
];

impl Rule for ReservedAddressRange {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let reserved: Vec<(IpNet, &str)> = RESERVED
            .iter()
            .map(|(n, what)| (n.parse().expect("literal"), *what))
            .collect();
        for (_, v) in g.defined_vnets() {
            for p in v.address_space.iter().flat_map(|s| &s.prefixes) {
                let Some(net) = p.net() else { continue };
                for (r, what) in &reserved {
                    if overlaps(&net, r) {
                        cx.report(
                            Finding::new(
                                &v.id,
                                format!("address prefix `{}` of vnet `{}` touches reserved range {r} ({what})", p.text, v.name),
                                p.loc,
                                format!("includes {r}"),
                            )
                            .help("use private address space that avoids the ranges Azure reserves"),
                        );
                    }
                }
            }
        }
    }
}
