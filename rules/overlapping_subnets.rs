use crate::prefix::{Block, Classes, LISTED};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two subnets of one vnet whose prefixes overlap, on the later subnet (the one
    /// Azure rejects). Reported once per distinct prefix: on the first subnet with that prefix
    /// that overlaps an earlier subnet, naming the prefixes of other subnets it overlaps (the
    /// first ten, then how many more), so that a thousand copies of one subnet are one
    /// finding.
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
            // Owned by their subnet, in input order: a subnet's own prefixes never count.
            let classes = Classes::new(blocks, |&t| t);
            let subnet = |t: &(usize, usize)| t.0;
            let earliest = classes.earliest_around(subnet);
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
            for c in 0..classes.count() {
                let Some(&b) = classes.first_overlapping_earlier(c, subnet, &earliest) else {
                    continue;
                };
                let (count, listed) = classes.others(c, subnet, b.0, LISTED);
                let (sb, pb) = prefix(b);
                let id = format!("{}/subnets/{}", v.id, sb.name);
                let note = "Azure rejects this at deploy time with NetcfgSubnetRangesOverlap";
                if count == 1
                    && let Some(&&a) = listed.first()
                {
                    let (sa, pa) = prefix(a);
                    cx.report(
                        Finding::new(
                            id,
                            format!(
                                "subnet `{}` ({}) overlaps subnet `{}` ({}) in vnet `{}`",
                                sb.name, pb.text, sa.name, pa.text, v.name
                            ),
                            pb.loc,
                            format!("overlaps `{}`", sa.name),
                        )
                        .related(pa.loc, format!("prefix of `{}`", sa.name))
                        .help("give each subnet its own, disjoint prefix")
                        .note(note),
                    );
                    continue;
                }
                let named: Vec<String> = listed
                    .iter()
                    .map(|&&t| {
                        let (s, p) = prefix(t);
                        format!("`{}` ({})", s.name, p.text)
                    })
                    .collect();
                let mut f = Finding::new(
                    id,
                    format!(
                        "subnet `{}` ({}) overlaps {count} prefixes of other subnets in vnet `{}`: {}",
                        sb.name,
                        pb.text,
                        v.name,
                        crate::query::listing(&named, count)
                    ),
                    pb.loc,
                    format!("overlaps {count} prefixes of other subnets"),
                );
                for &&t in &listed {
                    let (s, p) = prefix(t);
                    f = f.related(p.loc, format!("prefix of `{}`", s.name));
                }
                cx.report(
                    f.help("give each subnet its own, disjoint prefix")
                        .note(note),
                );
            }
        }
    }
}
