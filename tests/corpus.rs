//! peerlint against real, third-party Azure definitions in `../shared/corpus` (read in place,
//! never copied). Every file of a supported shape loads; the flaws the corpus MANIFEST lists
//! for these shapes are reported and its false-positive traps are not.

mod common;

use std::path::{Path, PathBuf};

use peerlint::discover::discover;
use peerlint::engine;
use peerlint::rule::Severity;
use peerlint::rules::ALL;

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from("../shared/corpus");
    if p.is_dir() {
        Some(p)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/corpus is missing on CI"
        );
        eprintln!("../shared/corpus not found; skipping");
        None
    }
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
];

#[test]
fn supported_corpus_files_load_with_the_expected_findings() {
    let Some(root) = corpus() else { return };
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
    let Some(root) = corpus() else { return };
    for dir in ["az-cli", "rest-examples"] {
        for e in walk(&root.join(dir)) {
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
    // must parse; templates (not yet supported) are skipped quietly.
    let Some(root) = corpus() else { return };
    let (inputs, errors) = discover(&[root]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        inputs.len() > 80,
        "the corpus has over 80 JSON files, found {}",
        inputs.len()
    );
    let o = engine::run(&inputs, &mut std::io::empty(), ALL);
    let bad: Vec<String> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "invalid-syntax" || d.severity == Severity::Error)
        .map(|d| format!("{} {}: {}", d.rule, d.at.path, d.message))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
