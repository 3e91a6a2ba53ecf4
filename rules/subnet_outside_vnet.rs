use crate::prefix::{contained_in, sort_space};
use crate::query::space_loc;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a subnet prefix that doesn't lie inside its vnet's address space.
    ///
    /// ## Why is this bad?
    /// Azure rejects the subnet with `NetcfgSubnetRangeOutsideVnet`.
    ///
    /// ## Example
    /// ```json
    /// { "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
    ///   "subnets": [{ "name": "snet-app", "properties": { "addressPrefix": "10.2.1.0/24" } }] }
    /// ```
    ///
    /// ## How to fix
    /// Move the subnet into the address space, or add a prefix that covers it.
    pub SubnetOutsideVnet {
        name: "subnet-outside-vnet",
        group: Correctness,
        summary: "a subnet prefix is not inside its vnet's address space",
        needs: [AddressSpace, Subnets, SubnetPrefixes],
    }
}

impl Rule for SubnetOutsideVnet {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.defined_vnets() {
            // An invalid or unknown address space would make every subnet look outside.
            let Some(space) = v.address_space.as_ref().filter(|s| s.all_valid()) else {
                continue;
            };
            let sorted = sort_space(space.nets());
            let listed: Vec<&str> = space.prefixes.iter().map(|p| &*p.text).collect();
            for s in &v.subnets {
                for p in s.prefixes.iter().flat_map(|l| &l.prefixes) {
                    let Some(net) = p.net() else { continue };
                    if contained_in(&sorted, &net) {
                        continue;
                    }
                    cx.report(
                        Finding::new(
                            format!("{}/subnets/{}", v.id, s.name),
                            format!("subnet `{}` prefix `{}` is outside the address space of vnet `{}`", s.name, p.text, v.name),
                            p.loc,
                            "outside the vnet's address space",
                        )
                        .related(space_loc(v), format!("address space: {}", listed.join(", ")))
                        .help("move the subnet into the address space, or add a prefix that covers it")
                        .note("Azure rejects this at deploy time with NetcfgSubnetRangeOutsideVnet"),
                    );
                }
            }
        }
    }
}
