use crate::prefix::{Block, Classes, LISTED};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two prefixes of one vnet's address space that overlap (equal, or one inside the
    /// other). Reported once per distinct prefix: on the first prefix of that value that
    /// overlaps an earlier one, naming every prefix it overlaps (the first ten, then how many
    /// more), so that a prefix written a thousand times is one finding.
    ///
    /// ## Why is this bad?
    /// Azure rejects an address space whose prefixes overlap, so the vnet deployment fails.
    ///
    /// ## Example
    /// ```json
    /// { "addressSpace": { "addressPrefixes": ["10.1.0.0/16", "10.1.4.0/24"] } }
    /// ```
    ///
    /// ## How to fix
    /// Remove the contained prefix, or replace it with one outside the others.
    pub OverlappingVnetPrefixes {
        name: "overlapping-vnet-prefixes",
        group: Correctness,
        summary: "two prefixes of one vnet's address space overlap",
        needs: [AddressSpace],
    }
}

impl Rule for OverlappingVnetPrefixes {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        for (_, v) in g.defined_vnets() {
            let Some(space) = &v.address_space else {
                continue;
            };
            let blocks: Vec<_> = space
                .prefixes
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some(Block::new(&p.net()?, i)))
                .collect();
            // Each prefix is its own owner, in input order.
            let classes = Classes::new(blocks, |&i| i);
            let earliest = classes.earliest_around(|&i| i);
            for c in 0..classes.count() {
                let Some(&i) = classes.first_overlapping_earlier(c, |&i| i, &earliest) else {
                    continue;
                };
                let (count, listed) = classes.others(c, |&i| i, i, LISTED);
                let prefix = &space.prefixes[i];
                let help = "remove the contained prefix, or choose one outside the others";
                if count == 1
                    && let Some(&&first) = listed.first()
                {
                    let first = &space.prefixes[first];
                    cx.report(
                        Finding::new(
                            &v.id,
                            format!(
                                "address prefixes `{}` and `{}` of vnet `{}` overlap",
                                first.text, prefix.text, v.name
                            ),
                            prefix.loc,
                            format!("overlaps `{}`", first.text),
                        )
                        .related(first.loc, "overlapping prefix")
                        .help(help),
                    );
                    continue;
                }
                // Named by value, the larger ranges first: "`10.1.0.0/16` (2999 times)".
                let mut texts = Vec::new();
                let mut named = 0;
                for x in classes.overlapping_classes(c).take(LISTED + 1) {
                    let mut same = classes.members(x).iter().filter(|&&j| j != i);
                    let Some(&j) = same.next() else { continue };
                    if texts.len() == LISTED {
                        break;
                    }
                    let n = classes.members(x).len() - usize::from(x == c);
                    let text = &space.prefixes[j].text;
                    texts.push(match n {
                        1 => format!("`{text}`"),
                        n => format!("`{text}` ({n} times)"),
                    });
                    named += n;
                }
                let mut list = texts.join(", ");
                if count > named {
                    list = format!("{list} and {} more", count - named);
                }
                let mut f = Finding::new(
                    &v.id,
                    format!(
                        "address prefix `{}` of vnet `{}` overlaps {count} other prefixes of its address space: {}",
                        prefix.text, v.name, list
                    ),
                    prefix.loc,
                    format!("overlaps {count} other prefixes"),
                );
                for &&j in &listed {
                    f = f.related(space.prefixes[j].loc, "overlapping prefix");
                }
                cx.report(f.help(help));
            }
        }
    }
}
