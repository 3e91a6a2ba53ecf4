//! peerlint against real, third-party Azure definitions in `../shared/corpus` (read in place,
//! never copied). Every file of a supported shape loads; the flaws the corpus MANIFEST lists
//! for these shapes are reported and its false-positive traps are not.

mod common;

use std::path::{Path, PathBuf};

use peerlint::discover::discover;
use peerlint::engine;
use peerlint::rule::Severity;
use peerlint::rules::ALL;

fn corpus() -> PathBuf {
    let p = PathBuf::from("../shared/corpus");
    // The corpus is part of the test set (CI has it beside the checkout): a run without it
    // must not pass as if it had checked it.
    assert!(
        p.is_dir(),
        "../shared/corpus not found: these tests read the shared corpus beside the checkout"
    );
    p
}

struct Expect {
    file: &'static str,
    vnets: usize,
    peerings: usize,
    /// Rules expected to fire (each at least once); nothing else may fire.
    rules: &'static [&'static str],
}

const EXPECTED: &[Expect] = &[
    // `az network vnet show` of a spoke peered to a Virtual WAN hub's managed vnet: the reverse
    // side is invisible, so it is dangling (info), never missing-reverse-peering.
    Expect {
        file: "az-cli/kaysalawu-azure-network-terraform/5-micro-hacks/1-vwan-dual-region-private-dns/test.json",
        vnets: 1,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkGet.json",
        vnets: 1,
        peerings: 0,
        rules: &[],
    },
    // vnet1 10.0.0.0/8 and vnet2 10.0.0.0/16 overlap but are not peered: nothing to report.
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkList.json",
        vnets: 2,
        peerings: 0,
        rules: &[],
    },
    // One side only, the remote vnet not in the inputs.
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkPeeringCreate.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkPeeringGet.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkPeeringGetWithRemoteVirtualNetworkEncryption.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    // The second item is named `peer` but its id ends in `peer2`: the id is the identity, so
    // this is not a duplicate name.
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkPeeringList.json",
        vnets: 0,
        peerings: 2,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkPeeringSync.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "rest-examples/2025-05-01/VirtualNetworkSubnetPeeringCreate.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    // ARM templates (each checked on its own, with `<stem>.parameters.json` when present).
    Expect {
        file: "bicep-samples/user_submitted/101/aadds-dual-region-replica-sets/main.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "bicep-samples/user_submitted/101/hub-and-spoke/main.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "bicep-samples/user_submitted/101/hub-and-spoke/main.symbolicnames.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "bicep-samples/user_submitted/101/hub-and-spoke/modules/peering.json",
        vnets: 0,
        peerings: 1,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "bicep-samples/user_submitted/101/hub-and-spoke/modules/vnet.json",
        vnets: 1,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    // The Bicep sample of the same; its vnet names are parameters without values, so the
    // ids carry placeholders.
    Expect {
        file: "bicep-samples/user_submitted/201/existing-vnet-to-vnet-peering/main.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "bicep-samples/user_submitted/201/vnet-to-vnet-peering/main.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "bicep-samples/user_submitted/201/vnet-to-vnet-peering/main.symbolicnames.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "community/Azure-HubSpoke-LabBuilder/ARM/main.json",
        vnets: 1,
        peerings: 0,
        rules: &[],
    },
    // `az group export` style: 4 peering declarations, inline and as child resources, that
    // agree: 2 peerings, no conflict. MANIFEST flaw 2: the spoke vnet's inline peering sets
    // useRemoteGateways and the vnet waits for nothing, while the template deploys the hub's
    // gateway (the child peering resource does wait for it): peering-before-remote-gateway.
    Expect {
        file: "community/networking-hub-spoke-fast-deploy/arm/template.json",
        vnets: 4,
        peerings: 2,
        rules: &["peering-before-remote-gateway"],
    },
    Expect {
        file: "enterprise-scale/eslzArm/subscriptionTemplates/corp-vnet-peering.json",
        vnets: 0,
        peerings: 0,
        rules: &[],
    },
    Expect {
        file: "enterprise-scale/eslzArm/subscriptionTemplates/hubspoke-connectivity.json",
        vnets: 0,
        peerings: 0,
        rules: &[],
    },
    // MANIFEST flaw 3: the spoke-side peering sets allowGatewayTransit while the spoke has no
    // gateway. The hub id is a parameter without a value: unresolved-value, nothing guessed.
    Expect {
        file: "enterprise-scale/eslzArm/subscriptionTemplates/vnetPeering.json",
        vnets: 1,
        peerings: 2,
        rules: &["gateway-transit-without-gateway", "unresolved-value"],
    },
    Expect {
        file: "enterprise-scale/eslzArm/subscriptionTemplates/vnetPeeringHub.json",
        vnets: 0,
        peerings: 2,
        rules: &["unresolved-value"],
    },
    // A policy definition embedding a template: not evaluated (named explicitly: unrecognized).
    Expect {
        file: "enterprise-scale/src/resources/Microsoft.Authorization/policyDefinitions/Deploy-VNET-HubSpoke.json",
        vnets: 0,
        peerings: 0,
        rules: &["unrecognized-input"],
    },
    // 727 KB Bicep output: modules in copy loops, lambdas, reference() of module outputs. The
    // names use a parameter without a value (`identifier`): placeholders keep them apart.
    Expect {
        file: "missionlz/src/mlz.json",
        vnets: 3,
        peerings: 4,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/aks-baseline-multi-region/networking/spoke-BU0001A0042.json",
        vnets: 1,
        peerings: 2,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/aks-baseline-regulated/networking/spoke-BU0001A0005-00.json",
        vnets: 1,
        peerings: 2,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/aks-baseline-regulated/networking/spoke-BU0001A0005-01.json",
        vnets: 1,
        peerings: 2,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/aks-baseline/networking/hub-default.json",
        vnets: 1,
        peerings: 0,
        rules: &[],
    },
    // Trap: the hub id is a parameter; the hub-side peering's vnet is unknown, so no
    // missing-reverse-peering is claimed.
    Expect {
        file: "mspnp/aks-baseline/networking/spoke-BU0001A0008.json",
        vnets: 1,
        peerings: 2,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/reference-architectures-2018/hybrid-networking/hub-spoke/hub/hub.peering.azuredeploy.json",
        vnets: 0,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/reference-architectures-2018/hybrid-networking/hub-spoke/onprem/onprem.connection.azuredeploy.json",
        vnets: 0,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/reference-architectures-2018/hybrid-networking/hub-spoke/onprem/onprem.gateway.azuredeploy.json",
        vnets: 0,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "mspnp/reference-architectures-2018/hybrid-networking/hub-spoke/spokes/spoke.peering.azuredeploy.json",
        vnets: 0,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    // A template-building-blocks file, not an ARM template.
    Expect {
        file: "mspnp/reference-architectures/hybrid-networking/shared-services-stack/shared-services-stack.json",
        vnets: 0,
        peerings: 0,
        rules: &["unrecognized-input"],
    },
    Expect {
        file: "quickstart/101-bastion-hub-spoke-vnet/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    // The 2021 version of the same one-directional sample.
    Expect {
        file: "quickstart/201-existing-vnet-to-vnet-peering/azuredeploy.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "quickstart/201-vnet-to-vnet-peering/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    // Flags are expressions (`[parameters('deployVpnGateway')]`), like the gateway's condition.
    Expect {
        file: "quickstart/azure-firewall-dns-proxy/azuredeploy.json",
        vnets: 3,
        peerings: 4,
        rules: &[],
    },
    Expect {
        file: "quickstart/azurefirewall-forced-tunneling/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "quickstart/bastion-hub-spoke-vnet/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    // MANIFEST flaw 4, one-directional: the remote vnet isn't in the inputs, so dangling.
    Expect {
        file: "quickstart/existing-vnet-to-vnet-peering/azuredeploy.json",
        vnets: 0,
        peerings: 1,
        rules: &["dangling-remote-network"],
    },
    Expect {
        file: "quickstart/existing-vnet-to-vnet-peering/prereqs/prereq.azuredeploy.json",
        vnets: 2,
        peerings: 0,
        rules: &[],
    },
    Expect {
        file: "quickstart/gamedev-vm/azuredeploy.json",
        vnets: 1,
        peerings: 0,
        rules: &[],
    },
    Expect {
        file: "quickstart/hdinsight-hbase-replication-two-vnets-same-region/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    // Trap: 8 peerings declared, two per pair under mutually exclusive conditions; the
    // parameters file picks one set: 4 peerings, no duplicate-remote-peering. A real flaw: the
    // parameters file deploys the hub's VPN gateway with the template's default SKU, `Basic`,
    // and the spokes use it through gateway transit, which the Basic SKU doesn't support
    // (P12; vpn-gateway-peering-gateway-transit.md): basic-gateway-transit.
    Expect {
        file: "quickstart/hub-and-spoke-sandbox/azuredeploy.json",
        vnets: 3,
        peerings: 4,
        rules: &["basic-gateway-transit"],
    },
    Expect {
        file: "quickstart/load-balancer-gateway/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "quickstart/vnet-to-vnet-peering/azuredeploy.json",
        vnets: 2,
        peerings: 2,
        rules: &[],
    },
    Expect {
        file: "quickstart/web-app-regional-vnet-private-endpoint-sql-storage/azuredeploy.json",
        vnets: 0,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "quickstart/web-app-regional-vnet-private-endpoint-sql-storage/nestedtemplates/vnet_peering.json",
        vnets: 0,
        peerings: 0,
        rules: &["unresolved-value"],
    },
    Expect {
        file: "quickstart/web-app-regional-vnet-private-endpoint-sql-storage/nestedtemplates/vnets.json",
        vnets: 1,
        peerings: 0,
        rules: &["unresolved-value"],
    },
];

#[test]
fn supported_corpus_files_load_with_the_expected_findings() {
    let root = corpus();
    let mut failures = Vec::new();
    for e in EXPECTED {
        let path = root.join(e.file);
        let o = common::run(&path, ALL);
        let got: Vec<&str> = o.diagnostics.iter().map(|d| d.rule).collect();
        let vnets = o.graph.defined_vnets().count();
        let peerings = o.graph.peering_count();
        if vnets != e.vnets || peerings != e.peerings {
            failures.push(format!(
                "{}: {vnets} vnets and {peerings} peerings, expected {} and {}",
                e.file, e.vnets, e.peerings
            ));
        }
        for r in e.rules {
            if !got.contains(r) {
                failures.push(format!("{}: expected `{r}`, got {got:?}", e.file));
            }
        }
        for g in &got {
            if !e.rules.contains(g) {
                failures.push(format!("{}: unexpected `{g}`", e.file));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_supported_corpus_file_is_covered() {
    let root = corpus();
    let templates = walk(&root).into_iter().filter(|p| is_template(p));
    for dir in ["az-cli", "rest-examples"] {
        for e in walk(&root.join(dir)).into_iter().chain(templates.clone()) {
            let rel = e
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            assert!(
                EXPECTED.iter().any(|x| x.file == rel),
                "{rel} has no expectation"
            );
        }
    }
}

/// An ARM template (not a parameters file): its text names a deployment template schema.
fn is_template(p: &Path) -> bool {
    let text = std::fs::read_to_string(p)
        .unwrap_or_default()
        .to_ascii_lowercase();
    text.contains("deploymenttemplate.json") && !text.contains("deploymentparameters.json")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn the_whole_corpus_walks_without_syntax_errors_or_errors() {
    // Walking the corpus reads every JSON file: comments, BOMs, CRLF and multi-line strings
    // must parse, templates evaluate, and no error is claimed for these published designs.
    let root = corpus();
    let (inputs, errors) = discover(&[root]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        inputs.len() > 80,
        "the corpus has over 80 JSON files, found {}",
        inputs.len()
    );
    let o = engine::run(&inputs, &mut std::io::empty(), ALL);
    // Real flaws of published designs, each explained at its file's expectation above.
    let flaws = [(
        "basic-gateway-transit",
        "quickstart/hub-and-spoke-sandbox/azuredeploy.json",
    )];
    let bad: Vec<String> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "invalid-syntax" || d.severity == Severity::Error)
        .filter(|d| {
            !flaws
                .iter()
                .any(|(rule, file)| d.rule == *rule && d.at.path.ends_with(file))
        })
        .map(|d| format!("{} {}: {}", d.rule, d.at.path, d.message))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
