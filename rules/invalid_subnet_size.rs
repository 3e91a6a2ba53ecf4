use ipnet::IpNet;

use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags an IPv4 subnet smaller than /29 or larger than /2, and an IPv6 subnet that isn't
    /// a /64.
    ///
    /// ## Why is this bad?
    /// Azure only accepts subnets in these sizes, so the deployment fails.
    ///
    /// ## Example
    /// ```json
    /// { "name": "snet-tiny", "properties": { "addressPrefix": "10.1.0.0/30" } }
    /// ```
    ///
    /// ## How to fix
    /// Use a prefix length between /2 and /29 for IPv4, and /64 for IPv6.
    pub InvalidSubnetSize {
        name: "invalid-subnet-size",
        group: Correctness,
        summary: "a subnet is smaller or larger than Azure allows",
        needs: [Subnets, SubnetPrefixes],
    }
}

impl Rule for InvalidSubnetSize {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.defined_vnets() {
            for s in &v.subnets {
                for p in s.prefixes.iter().flat_map(|l| &l.prefixes) {
                    let Some(net) = p.net() else { continue };
                    let len = net.prefix_len();
                    let (problem, help) = match net {
                        IpNet::V4(_) if len > 29 => (
                            "smaller than /29, the smallest IPv4 subnet",
                            "use a /29 or larger",
                        ),
                        IpNet::V4(_) if len < 2 => (
                            "larger than /2, the largest IPv4 subnet",
                            "use a /2 or smaller",
                        ),
                        IpNet::V6(_) if len != 64 => {
                            ("not a /64, the only IPv6 subnet size", "use a /64")
                        }
                        _ => continue,
                    };
                    cx.report(
                        Finding::new(
                            format!("{}/subnets/{}", v.id, s.name),
                            format!("subnet `{}` prefix `{}` is {problem}", s.name, p.text),
                            p.loc,
                            format!("/{len}"),
                        )
                        .help(help),
                    );
                }
            }
        }
    }
}
