use crate::query::{peering_name, vnet_name};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags a subnet peering with `enableOnlyIPv6Peering` where a participating subnet has no
    /// IPv6 prefix.
    ///
    /// ## Why is this bad?
    /// An IPv6-only peering peers only the IPv6 prefixes of the listed subnets; a subnet
    /// without one takes part in nothing, which is rarely what the design meant.
    ///
    /// ## Example
    /// ```json
    /// { "peerCompleteVnets": false, "enableOnlyIPv6Peering": true, "localSubnetNames": ["snet-v4-only"] }
    /// ```
    ///
    /// ## How to fix
    /// Give the subnet an IPv6 /64, or turn `enableOnlyIPv6Peering` off.
    pub Ipv6OnlyPeeringWithoutIpv6 {
        name: "ipv6-only-peering-without-ipv6",
        group: Suspicious,
        summary: "an IPv6-only peering includes a subnet without an IPv6 prefix",
        needs: [Subnets, SubnetPrefixes, RemoteVnet, PeeredSubnetNames, OnlyIpv6],
    }
}

impl Rule for Ipv6OnlyPeeringWithoutIpv6 {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (pid, p) in g.peerings() {
            if !p.only_ipv6.value {
                continue;
            }
            for (vnet, list) in [
                (Some(p.local), &p.local_subnets),
                (p.remote_vnet(), &p.remote_subnets),
            ] {
                let (Some(v), Some(list)) = (vnet, list) else {
                    continue;
                };
                for (name, loc) in &list.names {
                    let Some(s) = g.subnet(v, name) else { continue };
                    // A prefix known only at deployment may be the IPv6 one.
                    let unknown = s
                        .prefixes
                        .iter()
                        .flat_map(|l| &l.prefixes)
                        .any(|p| matches!(p.parsed, crate::model::PrefixValue::Unresolved));
                    if unknown || s.nets().any(|n| matches!(n, ipnet::IpNet::V6(_))) {
                        continue;
                    }
                    cx.report(
                        Finding::new(
                            &p.id,
                            format!("peering {} is IPv6-only but includes subnet `{}` of {}, which has no IPv6 prefix", peering_name(g, pid), s.name, vnet_name(g, v)),
                            *loc,
                            "no IPv6 prefix",
                        )
                        .related(s.prefixes.as_ref().map(|l| l.loc).unwrap_or(s.name_loc), "the subnet's prefixes")
                        .related(p.flag_loc(&p.only_ipv6), "IPv6 only")
                        .help("give the subnet an IPv6 /64, or turn `enableOnlyIPv6Peering` off"),
                    );
                }
            }
        }
    }
}
