use crate::model::Problem;
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a PowerShell export cut off by `ConvertTo-Json`'s depth limit (2 by default):
    /// nested objects replaced by their .NET type names, such as
    /// `"Microsoft.Azure.Commands.Network.Models.PSAddressSpace"`.
    ///
    /// ## Why is this bad?
    /// The address spaces, subnets and peerings are gone from the file. Loading it anyway would
    /// look like vnets without peerings, so peerlint doesn't load it.
    ///
    /// ## Example
    /// ```json
    /// { "Name": "vnet-spoke1", "AddressSpace": "Microsoft.Azure.Commands.Network.Models.PSAddressSpace" }
    /// ```
    ///
    /// ## How to fix
    /// Export again with a larger depth: `Get-AzVirtualNetwork | ConvertTo-Json -Depth 10`.
    pub TruncatedExport {
        name: "truncated-export",
        group: Correctness,
        summary: "a PowerShell export was cut off by ConvertTo-Json's depth limit",
    }
}

impl Rule for TruncatedExport {
    fn check(&self, cx: &mut RuleContext<'_>) {
        for (p, resource) in cx.graph().problems_with_resource() {
            let Problem::Truncated { loc, type_name } = p else {
                continue;
            };
            cx.report(
                Finding::new(
                    resource,
                    format!(
                        "truncated PowerShell export: `{type_name}` stands where an object belongs"
                    ),
                    *loc,
                    "cut off by ConvertTo-Json's depth limit",
                )
                .help("re-run the export with `ConvertTo-Json -Depth 10`"),
            );
        }
    }
}
