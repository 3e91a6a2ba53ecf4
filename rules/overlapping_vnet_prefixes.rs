use crate::prefix::{Block, sweep};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Flags two prefixes of one vnet's address space that overlap (equal, or one inside the
    /// other).
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
            let mut blocks: Vec<_> = space
                .prefixes
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some(Block::new(&p.net()?, i)))
                .collect();
            let mut pairs = Vec::new();
            sweep(&mut blocks, |a, b| pairs.push((a.min(b), a.max(b))));
            pairs.sort_unstable();
            for (a, b) in pairs {
                let (first, second) = (&space.prefixes[a], &space.prefixes[b]);
                cx.report(
                    Finding::new(
                        &v.id,
                        format!(
                            "address prefixes `{}` and `{}` of vnet `{}` overlap",
                            first.text, second.text, v.name
                        ),
                        second.loc,
                        format!("overlaps `{}`", first.text),
                    )
                    .related(first.loc, "overlapping prefix")
                    .help("remove the contained prefix, or choose one outside the others"),
                );
            }
        }
    }
}
