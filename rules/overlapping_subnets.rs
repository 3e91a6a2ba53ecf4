use crate::prefix::{Block, sweep};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two subnets of one vnet whose prefixes overlap.
    ///
    /// ## Why is this bad?
    /// Azure rejects the second subnet with `NetcfgSubnetRangesOverlap`.
    ///
    /// ## Example
    /// ```json
    /// "subnets": [
    ///   { "name": "snet-app", "properties": { "addressPrefix": "10.1.0.0/24" } },
    ///   { "name": "snet-data", "properties": { "addressPrefix": "10.1.0.128/25" } }
    /// ]
    /// ```
    ///
    /// ## How to fix
    /// Give each subnet its own, disjoint prefix.
    pub OverlappingSubnets {
        name: "overlapping-subnets",
        group: Correctness,
        summary: "two subnets of one vnet overlap",
        needs: [Subnets, SubnetPrefixes],
    }
}

impl Rule for OverlappingSubnets {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.defined_vnets() {
            let mut blocks = Vec::new();
            for (si, s) in v.subnets.iter().enumerate() {
                for (pi, p) in s.prefixes.iter().flat_map(|l| &l.prefixes).enumerate() {
                    if let Some(net) = p.net() {
                        blocks.push(Block::new(&net, (si, pi)));
                    }
                }
            }
            let mut pairs = Vec::new();
            sweep(&mut blocks, |a, b| {
                if a.0 != b.0 {
                    pairs.push((a.min(b), a.max(b)));
                }
            });
            pairs.sort_unstable();
            let prefix = |(si, pi): (usize, usize)| {
                let s = &v.subnets[si];
                (
                    s,
                    s.prefixes
                        .as_ref()
                        .map(|l| &l.prefixes[pi])
                        .expect("indexed above"),
                )
            };
            for (a, b) in pairs {
                let ((sa, pa), (sb, pb)) = (prefix(a), prefix(b));
                cx.report(
                    Finding::new(
                        format!("{}/subnets/{}", v.id, sb.name),
                        format!(
                            "subnet `{}` ({}) overlaps subnet `{}` ({}) in vnet `{}`",
                            sb.name, pb.text, sa.name, pa.text, v.name
                        ),
                        pb.loc,
                        format!("overlaps `{}`", sa.name),
                    )
                    .related(pa.loc, format!("prefix of `{}`", sa.name))
                    .help("give each subnet its own, disjoint prefix")
                    .note("Azure rejects this at deploy time with NetcfgSubnetRangesOverlap"),
                );
            }
        }
    }
}
