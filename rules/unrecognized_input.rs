use crate::model::{Problem, UnrecognizedWhy};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a file named on the command line that matches none of the input shapes
    /// peerlint reads. Files met while walking a folder are skipped quietly instead, except
    /// `terraform show -json` output of a `format_version` peerlint doesn't read (2.x), which
    /// is always reported: it is a plan that was not checked. An ARM
    /// parameters file (named, or met in a folder) that pairs with no template of the run is
    /// reported in the lesser form (info), with how to pair it. A JavaScript file is read
    /// when it is a GruCloud `resources.js` (it exports `createResources`); other JavaScript
    /// named on the command line is reported, and met in a folder is skipped.
    ///
    /// ## Why is this bad?
    /// You asked for the file to be checked and nothing in it was: a wrong file, or an export
    /// made with the wrong command.
    ///
    /// ## Example
    /// ```json
    /// { "name": "nsg-web", "type": "Microsoft.Network/networkSecurityGroups" }
    /// ```
    ///
    /// ## How to fix
    /// Pass `az network vnet list`, `az network vnet peering list`, a REST GET response,
    /// `az graph query` output, `Get-AzVirtualNetwork | ConvertTo-Json -Depth 10` output or
    /// `terraform show -json` output (`format_version` 1.x).
    pub UnrecognizedInput {
        name: "unrecognized-input",
        group: Suspicious,
        summary: "a file named on the command line matches no known input shape",
    }
}

impl Rule for UnrecognizedInput {
    fn check(&self, cx: &mut RuleContext<'_>) {
        // A file holding a standalone peering whose vnet can't be told from its id was
        // recognised: invalid-property-type reports it, once.
        let peering_files: rustc_hash::FxHashSet<_> = cx
            .graph()
            .problems()
            .iter()
            .filter_map(|p| match p {
                Problem::StandalonePeeringId { loc } => Some(loc.file),
                _ => None,
            })
            .collect();
        for p in cx.graph().problems() {
            let Problem::Unrecognized { loc, path, why } = p else {
                continue;
            };
            if *why == UnrecognizedWhy::NoResources && peering_files.contains(&loc.file) {
                continue;
            }
            if *why == UnrecognizedWhy::UnpairedParameters {
                cx.report(
                    Finding::new(
                        "",
                        format!("`{path}` is a parameters file that no template of this run uses"),
                        *loc,
                        "file starts here",
                    )
                    .help(
                        "name it `<template>.parameters.json`, `<template>.parameters.<env>.json` \
                         or `<template>.<env>.parameters.json` beside its template, or pair it \
                         with `--parameters TEMPLATE=FILE`",
                    )
                    .lesser(),
                );
                continue;
            }
            let (what, help) = match why {
                UnrecognizedWhy::YamlNotSpec => (
                    "a YAML file that isn't a peerlint design spec",
                    "a design spec starts with `peerlint: 1`",
                ),
                UnrecognizedWhy::NoResources => (
                    "no vnet, peering or gateway in a shape peerlint reads",
                    "pass `az network vnet list`, `az network vnet peering list`, a REST GET \
                     response, `az graph query` output, \
                     `Get-AzVirtualNetwork | ConvertTo-Json -Depth 10` output or \
                     `terraform show -json` output",
                ),
                UnrecognizedWhy::TerraformFormat => (
                    "`terraform show -json` output of a `format_version` peerlint doesn't read",
                    "peerlint reads `format_version` 1.x (Terraform 1.0 and later) and 0.x \
                     (Terraform 0.12 to 0.15); use a Terraform release that writes one of them",
                ),
                UnrecognizedWhy::NotGruCloud => (
                    "JavaScript that isn't a GruCloud design (it exports no `createResources`)",
                    "pass a GruCloud `resources.js` whose `exports.createResources` returns the \
                     resources, as `gc gencode` writes it",
                ),
                UnrecognizedWhy::UnpairedParameters => continue,
            };
            let label = match why {
                UnrecognizedWhy::TerraformFormat => "not a version peerlint reads",
                _ => "file starts here",
            };
            cx.report(
                Finding::new(
                    "",
                    format!("`{path}` is not a recognised input: {what}"),
                    *loc,
                    label,
                )
                .help(help),
            );
        }
    }
}
