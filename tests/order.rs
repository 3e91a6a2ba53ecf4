//! The same output whatever order the inputs are named or found in (issue 10): `peerlint check
//! A B` and `peerlint check B A` print the same bytes, and so do a folder and its parts listed.
//!
//! All pairs of the ~220 files of `testdata/` and `../shared/corpus` would be quadratic, so each
//! file is checked against a bounded set of partners chosen to make order matter: files that
//! name one of its vnets (a vnet defined twice, a peering and its remote, a spec and the export
//! it names), its neighbour in path order (a template and its parameters files, a hub and its
//! spokes), and a template of another folder (placeholder resource groups are numbered by
//! folder). Whole folders are checked in several orders (forward, reverse, seeded shuffles),
//! and every folder against its parts named one by one.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use peerlint::discover::{Input, Origin, discover};
use peerlint::engine;
use peerlint::rules::ALL;

fn corpus() -> PathBuf {
    let p = PathBuf::from("../shared/corpus");
    // The corpus is part of the test set: a run without it must not pass as if it had run.
    assert!(
        p.is_dir(),
        "../shared/corpus not found: these tests read the shared corpus beside the checkout"
    );
    p
}

fn roots() -> [PathBuf; 2] {
    [PathBuf::from("testdata"), corpus()]
}

/// What `peerlint ARGS` prints (exit code, standard output, standard error), run in-process.
fn check_with(args: &[&str], stdin: &[u8]) -> String {
    let mut argv: Vec<std::ffi::OsString> = vec!["peerlint".into(), "check".into()];
    argv.extend(["--color", "never"].iter().map(Into::into));
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = peerlint::cli::main_with(argv, &mut { stdin }, &mut out, &mut err);
    format!(
        "exit {code}\n{}\n--- stderr\n{}",
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap()
    )
}

fn check(args: &[&str]) -> String {
    check_with(args, b"")
}

fn strs(paths: &[PathBuf]) -> Vec<&str> {
    paths.iter().map(|p| p.to_str().unwrap()).collect()
}

/// Where two outputs first differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let line = |l: &[&str]| l.get(i).copied().unwrap_or("<end>").to_string();
    format!(
        "line {}:\n  {}\n  {}\n(summaries: {} / {})",
        i + 1,
        line(&la),
        line(&lb),
        la.iter()
            .rev()
            .find(|l| l.starts_with("Found"))
            .unwrap_or(&""),
        lb.iter()
            .rev()
            .find(|l| l.starts_with("Found"))
            .unwrap_or(&""),
    )
}

fn assert_same(what: &str, a: &str, b: &str) {
    assert!(
        a == b,
        "{what}: outputs differ at {}",
        first_difference(a, b)
    );
}

/// A seeded Fisher-Yates shuffle (xorshift), so failures reproduce.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..out.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        out.swap(i, (s % (i as u64 + 1)) as usize);
    }
    out
}

/// The files a walk of `root` reads, in walk order.
fn walked(root: &Path) -> Vec<PathBuf> {
    let (inputs, errors) = discover(&[root.to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    inputs
        .into_iter()
        .map(|i| match i.origin {
            Origin::File(p) => p,
            Origin::Stdin => unreachable!("a walk reads files"),
        })
        .collect()
}

/// One file checked alone, as named (`explicit`) or as met in a folder: the human output and
/// the names of the vnets it defines or names (lower-case).
fn alone(path: &Path, explicit: bool) -> (String, BTreeSet<String>) {
    let input = Input {
        display: path.to_str().unwrap().to_string(),
        origin: Origin::File(path.to_path_buf()),
        explicit,
    };
    let o = engine::run(&[input], &mut std::io::empty(), ALL);
    let names = o
        .graph
        .vnets()
        .map(|(_, v)| v.name.to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    (common::human(&o), names)
}

fn is_template(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|t| t.to_ascii_lowercase().contains("deploymenttemplate.json"))
}

/// Vnet partners checked per file (besides its neighbour and a template of another folder).
const PARTNERS: usize = 3;

#[test]
fn every_file_gives_the_same_output_before_and_after_its_partners() {
    let files: Vec<PathBuf> = roots().iter().flat_map(|r| walked(r)).collect();
    assert!(files.len() > 200, "found {} files", files.len());
    let names: Vec<BTreeSet<String>> = files.iter().map(|f| alone(f, true).1).collect();
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, ns) in names.iter().enumerate() {
        for n in ns {
            by_name.entry(n).or_default().push(i);
        }
    }
    let templates: Vec<usize> = (0..files.len())
        .filter(|&i| is_template(&files[i]))
        .collect();
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut add = |a: usize, b: usize| {
        if a != b {
            pairs.insert((a.min(b), a.max(b)));
        }
    };
    for i in 0..files.len() {
        // The files sharing most vnet names with it, the nearest in path order on a tie.
        let mut shared: BTreeMap<usize, usize> = BTreeMap::new();
        for n in &names[i] {
            for &j in &by_name[n.as_str()] {
                *shared.entry(j).or_default() += 1;
            }
        }
        let mut partners: Vec<(usize, usize)> =
            shared.into_iter().filter(|&(j, _)| j != i).collect();
        partners.sort_by_key(|&(j, k)| (std::cmp::Reverse(k), j.abs_diff(i), j));
        for &(j, _) in partners.iter().take(PARTNERS) {
            add(i, j);
        }
        if i + 1 < files.len() {
            add(i, i + 1);
        }
        let folder = files[i].parent();
        if let Some(&t) = templates
            .iter()
            .find(|&&t| t > i && files[t].parent() != folder)
            .or_else(|| templates.iter().find(|&&t| files[t].parent() != folder))
        {
            add(i, t);
        }
    }
    let with_shared = pairs
        .iter()
        .filter(|&&(a, b)| !names[a].is_disjoint(&names[b]))
        .count();
    // The partners make order matter: many pairs name a vnet both files name.
    assert!(
        with_shared > 150,
        "{with_shared} of {} pairs share a vnet",
        pairs.len()
    );
    let mut failures = Vec::new();
    for &(a, b) in &pairs {
        let (fa, fb) = (files[a].to_str().unwrap(), files[b].to_str().unwrap());
        let (ab, ba) = (check(&[fa, fb]), check(&[fb, fa]));
        if ab != ba {
            failures.push(format!(
                "check {fa} {fb} / check {fb} {fa}: {}",
                first_difference(&ab, &ba)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} pairs print differently in the other order:\n{}",
        failures.len(),
        pairs.len(),
        failures.join("\n")
    );
}

#[test]
fn whole_folders_give_the_same_output_in_every_order() {
    for root in roots() {
        let files = walked(&root);
        let root_s = root.to_str().unwrap();
        for format in ["human", "json"] {
            let mut orders = vec![files.clone(), files.iter().rev().cloned().collect()];
            orders.extend((1..=3).map(|seed| shuffled(&files, seed)));
            let named: Vec<String> = orders
                .iter()
                .map(|o| {
                    let mut args = strs(o);
                    args.extend(["--format", format]);
                    check(&args)
                })
                .collect();
            for (k, out) in named.iter().enumerate().skip(1) {
                assert_same(
                    &format!("{root_s} ({format}): its files named in order {k}, and in order 0"),
                    out,
                    &named[0],
                );
            }
            // Named or met in the folder, every file is read once, as named.
            let mut both = vec![root_s];
            both.extend(strs(&orders[2]));
            both.extend(["--format", format]);
            assert_same(
                &format!("{root_s} ({format}): the folder and its files"),
                &check(&both),
                &named[0],
            );
        }
    }
    // Every other format, forward and reversed.
    for root in roots() {
        let files = walked(&root);
        let reversed: Vec<PathBuf> = files.iter().rev().cloned().collect();
        for format in ["sarif", "github", "junit", "concise"] {
            let run = |order: &[PathBuf]| {
                let mut args = strs(order);
                args.extend(["--format", format]);
                check(&args)
            };
            assert_same(
                &format!("{} ({format})", root.display()),
                &run(&files),
                &run(&reversed),
            );
        }
    }
    // Both trees in one run, either way round.
    let [t, c] = roots();
    let (t, c) = (t.to_str().unwrap(), c.to_str().unwrap());
    assert_same("testdata and the corpus", &check(&[t, c]), &check(&[c, t]));
}

/// The folders below `root` (itself included), each with its entries: subfolders, and the files
/// a walk reads.
fn folders(root: &Path) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let files: BTreeSet<PathBuf> = walked(root).into_iter().collect();
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if walked(&p).is_empty() {
                    continue;
                }
                stack.push(p.clone());
                entries.push(p);
            } else if files.contains(&p) {
                entries.push(p);
            }
        }
        entries.sort();
        out.push((dir, entries));
    }
    out.sort();
    out
}

#[test]
fn a_folder_gives_the_same_output_as_its_parts_named() {
    // A file that a walk reads quietly but reports when named (not a vnet export, a YAML
    // file that is no design spec) is named only together with its folder.
    let quiet_when_walked = |f: &Path| alone(f, true).0 != alone(f, false).0;
    let mut checked = 0;
    let mut merged = 0;
    for root in roots() {
        for (dir, entries) in folders(&root) {
            let d = dir.to_str().unwrap();
            let walk = check(&[d]);
            let (quiet, parts): (Vec<PathBuf>, Vec<PathBuf>) = entries
                .iter()
                .cloned()
                .partition(|p| p.is_file() && quiet_when_walked(p));
            // (Naming nothing would check the current folder.)
            if parts.is_empty() {
                assert!(!quiet.is_empty());
            }
            let orders = [
                parts.clone(),
                shuffled(&parts, dir.as_os_str().len() as u64),
            ];
            for (k, order) in orders.iter().enumerate().filter(|_| !parts.is_empty()) {
                assert_same(
                    &format!("`check {d}` and its parts named (order {k}): {order:?}"),
                    &check(&strs(order)),
                    &walk,
                );
            }
            checked += 1;
            // Named and met in the folder, in either order: read once, as named.
            for q in &quiet {
                let q = q.to_str().unwrap();
                let (before, after) = (check(&[q, d]), check(&[d, q]));
                assert_same(
                    &format!("`check {q} {d}` and `check {d} {q}`"),
                    &before,
                    &after,
                );
                assert!(before != walk, "naming {q} reports it");
                merged += 1;
            }
        }
    }
    assert!(checked > 100, "{checked} folders");
    assert!(merged > 3, "{merged} files named and walked");
}

#[test]
fn paths_that_cant_be_read_are_reported_in_one_order() {
    let (a, b) = ("testdata/no-such-a.json", "testdata/no-such-b");
    let first = check(&[b, "testdata/demo", a]);
    assert_same("missing paths", &check(&[a, b, "testdata/demo"]), &first);
    assert!(
        first.starts_with("exit 2\n") && first.contains("no-such-b"),
        "{first}"
    );
}

/// An `az network vnet list` of one vnet `vnet-hub` with this address space.
fn hub_export(space: &str) -> String {
    format!(
        r#"[{{"name": "vnet-hub", "resourceGroup": "rg",
  "id": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub",
  "type": "Microsoft.Network/virtualNetworks",
  "addressSpace": {{"addressPrefixes": ["{space}"]}}, "subnets": [], "virtualNetworkPeerings": []}}]"#
    )
}

#[test]
fn standard_input_has_one_place_whatever_its_place_on_the_command_line() {
    // One vnet exported twice with different address spaces: the conflict is reported at the
    // copy read second, so which is second must not depend on the command line.
    let dir = common::scratch("order-stdin");
    let file = dir.join("hub.json");
    std::fs::write(&file, hub_export("10.0.0.0/16")).unwrap();
    let file = file.to_str().unwrap();
    let piped = hub_export("10.1.0.0/16");
    let (before, after) = (
        check_with(&["-", file], piped.as_bytes()),
        check_with(&[file, "-"], piped.as_bytes()),
    );
    assert_same("a vnet piped and in a file", &before, &after);
    assert!(
        before.contains("conflicting-declarations") && before.contains("<stdin>"),
        "{before}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let cases = [
        ("testdata/demo/hub.json", "testdata/demo/spokes.json"),
        ("testdata/arm/hub-spoke", "testdata/demo/hub.json"),
        (
            "testdata/spec/merge/vnets.json",
            "testdata/spec/merge/intents.yaml",
        ),
    ];
    for (file, piped) in cases {
        let bytes = std::fs::read(piped).unwrap();
        let (before, after) = (
            check_with(&["-", file], &bytes),
            check_with(&[file, "-"], &bytes),
        );
        assert_same(&format!("`- {file}` and `{file} -`"), &before, &after);
        assert!(before.contains("<stdin>"), "{before}");
    }
}

#[test]
fn parameters_files_named_in_either_order_are_the_same_deployments() {
    let dir = common::scratch("order-parameters");
    std::fs::write(dir.join("main.json"), SPACE_TEMPLATE).unwrap();
    std::fs::write(dir.join("a.json"), space_parameters("10.0.0.0/16")).unwrap();
    std::fs::write(dir.join("b.json"), space_parameters("10.1.0.0/16")).unwrap();
    let [t, a, b] = ["main.json", "a.json", "b.json"].map(|f| dir.join(f));
    let [t, a, b] = [&t, &a, &b].map(|p| p.to_str().unwrap().to_string());
    let run = |x: &str, y: &str| {
        check(&[
            &t,
            "--parameters",
            &format!("{t}={x}"),
            "--parameters",
            &format!("{t}={y}"),
        ])
    };
    let (ab, ba) = (run(&a, &b), run(&b, &a));
    assert_same("--parameters a b / b a", &ab, &ba);
    // The two deployments disagree on the hub's space: reported once, at the second by path.
    assert!(ab.contains("conflicting-declarations"), "{ab}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A template of one vnet `name` peered with `remote` in the same resource group.
fn peered_template(name: &str, remote: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "{name}",
      "location": "westeurope",
      "properties": {{ "addressSpace": {{ "addressPrefixes": ["10.{n}.0.0/16"] }} }} }},
    {{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
      "name": "{name}/to-{remote}",
      "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', '{name}')]"],
      "properties": {{ "remoteVirtualNetwork": {{ "id": "[resourceId('Microsoft.Network/virtualNetworks', '{remote}')]" }},
        "allowVirtualNetworkAccess": true }} }}
  ]
}}"#,
        n = name.len()
    )
}

/// What the binary prints when run in `dir`.
fn check_in(dir: &Path, args: &[&str]) -> String {
    let argv: Vec<&str> = ["check", "--color", "never"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let out = common::peerlint_in(dir, &argv, None);
    format!(
        "exit {}\n{}\n--- stderr\n{}",
        out.code, out.stdout, out.stderr
    )
}

/// A template of one vnet `hub` whose address space is the parameter `space`.
const SPACE_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "space": { "type": "string" } },
  "resources": [
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub",
      "location": "westeurope",
      "properties": { "addressSpace": { "addressPrefixes": ["[parameters('space')]"] } } }
  ]
}"#;

/// A parameters file for [`SPACE_TEMPLATE`].
fn space_parameters(space: &str) -> String {
    format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0", "parameters": {{ "space": {{ "value": "{space}" }} }} }}"#
    )
}

#[test]
fn templates_side_by_side_share_a_resource_group_however_their_folder_is_written() {
    // Templates of one folder deploy to one placeholder resource group (a hub and its spoke
    // link up); `hub.json` and `./spoke1.json` are in one folder, and so are `hub.json` and
    // `../<folder>/spoke1.json`.
    let dir = common::scratch("order-folder-spelling");
    std::fs::write(dir.join("hub.json"), peered_template("hub", "spoke1")).unwrap();
    std::fs::write(dir.join("spoke1.json"), peered_template("spoke1", "hub")).unwrap();
    let up = format!(
        "../{}/spoke1.json",
        dir.file_name().unwrap().to_str().unwrap()
    );
    let walk = check_in(&dir, &["."]);
    assert!(walk.contains("No problems found in 2 files"), "{walk}");
    for args in [
        ["hub.json", "./spoke1.json"],
        ["./spoke1.json", "hub.json"],
        ["hub.json", up.as_str()],
    ] {
        let out = check_in(&dir, &args);
        assert!(
            out.contains("No problems found in 2 files"),
            "{args:?}: {out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_parameters_file_is_the_one_beside_its_template_however_it_is_named() {
    // Named `./t.parameters.json`, it is still the file found beside `t.json`: used, not
    // reported as a parameters file no template uses.
    let dir = common::scratch("order-parameters-spelling");
    std::fs::write(dir.join("t.json"), SPACE_TEMPLATE).unwrap();
    std::fs::write(
        dir.join("t.parameters.json"),
        space_parameters("10.0.0.0/16"),
    )
    .unwrap();
    let walk = check_in(&dir, &["."]);
    assert!(walk.contains("No problems found in 1 file"), "{walk}");
    for args in [
        ["t.json", "./t.parameters.json"],
        ["./t.parameters.json", "t.json"],
        ["./t.json", "t.parameters.json"],
    ] {
        assert_same(&format!("{args:?}"), &check_in(&dir, &args), &walk);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn template_folders_are_numbered_in_the_order_of_their_paths() {
    // Templates of another folder deploy to another placeholder resource group, numbered by
    // the folders' paths: `a` before `a/b`, however they are named.
    let dir = common::scratch("order-numbering");
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    for f in ["a/t.json", "a/b/t.json"] {
        std::fs::write(dir.join(f), peered_template("hub", "missing")).unwrap();
    }
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let (d, a, b) = (p(""), p("a"), p("a/b"));
    let (at, bt) = (p("a/t.json"), p("a/b/t.json"));
    let json = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        check(&all)
    };
    let out = json(&[&d]);
    for args in [[&b, &a], [&a, &b], [&bt, &at], [&at, &b]] {
        assert_same(&format!("{args:?}"), &json(&[args[0], args[1]]), &out);
    }
    let body = out
        .split_once('\n')
        .unwrap()
        .1
        .split("\n--- stderr")
        .next()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let resource_of = |file: &str| -> String {
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["path"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("no finding in {file}: {out}"));
        d["resource"].as_str().unwrap().to_string()
    };
    assert!(
        resource_of("/a/t.json").contains("/resourceGroups/<resourceGroup>/"),
        "{out}"
    );
    assert!(
        resource_of("/a/b/t.json").contains("/resourceGroups/<resourceGroup-2>/"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
