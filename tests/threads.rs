//! The report is the same bytes whatever the number of threads (issue 14): files are parsed
//! and extracted side by side, in batches, while earlier ones join the graph, and rules run side
//! by side; none of it may show in the output. Compared on the test data and the shared corpus,
//! every file of them in one run (so that batches hold many files, exports among them), in
//! each output format, with 1, 2 and 5 threads.

use std::path::Path;

/// What `peerlint check ARGS` prints (exit code, standard output, standard error), in-process.
fn check(args: &[&str]) -> String {
    let mut argv: Vec<std::ffi::OsString> = vec!["peerlint".into(), "check".into()];
    argv.extend(["--color", "never", "--no-config"].iter().map(Into::into));
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = peerlint::cli::main_with(argv, &mut std::io::empty(), &mut out, &mut err);
    format!(
        "exit {code}\n{}\n--- stderr\n{}",
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap()
    )
}

#[test]
fn the_report_is_the_same_on_any_number_of_threads() {
    let corpus = "../shared/corpus";
    // The corpus is part of the test set: a run without it must not pass as if it had run.
    assert!(
        Path::new(corpus).is_dir(),
        "../shared/corpus not found: this test reads the shared corpus beside the checkout"
    );
    for paths in [&["testdata"][..], &[corpus], &["testdata/demo"]] {
        for format in ["json", "human", "sarif"] {
            let one = check(&[&["--format", format, "--threads", "1"], paths].concat());
            assert!(
                one.contains("\"diagnostics\"") || format != "json",
                "the run reported nothing: {one}"
            );
            for threads in ["2", "5"] {
                let many = check(&[&["--format", format, "--threads", threads], paths].concat());
                assert!(
                    one == many,
                    "{paths:?} --format {format}: --threads {threads} differs from --threads 1"
                );
            }
        }
    }
}

/// An `az network vnet list` item: a vnet and its peerings, each (name, remote id as written).
fn vnet(sub: &str, name: &str, prefix: &str, peerings: &[(&str, &str)]) -> serde_json::Value {
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{name}"
    );
    let peerings: Vec<_> = peerings
        .iter()
        .map(|(p, remote)| {
            serde_json::json!({
                "id": format!("{id}/virtualNetworkPeerings/{p}"),
                "name": p,
                "allowVirtualNetworkAccess": true,
                "peeringState": "Connected",
                "peeringSyncLevel": "FullyInSync",
                "remoteVirtualNetwork": { "id": remote },
                "resourceGroup": "rg",
                "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
            })
        })
        .collect();
    serde_json::json!({
        "id": id,
        "name": name,
        "resourceGroup": "rg",
        "type": "Microsoft.Network/virtualNetworks",
        "addressSpace": { "addressPrefixes": [prefix] },
        "subnets": [],
        "virtualNetworkPeerings": peerings
    })
}

/// With several threads, an export's peerings are classified (remote ids parsed, keys built and
/// hashed) where the file is extracted, and only looked up when it joins the graph; with one,
/// all of it happens at the join. Both must build the same graph: remote ids in another case or
/// padded with spaces, naming a vnet defined in an earlier file, a later one or none, classic
/// and invalid ids, and a vnet exported twice with its peerings' ids in another case.
#[test]
fn peerings_classified_where_extracted_join_as_at_the_join() {
    let sub = "11111111-1111-1111-1111-111111111111";
    let other = "22222222-2222-2222-2222-222222222222";
    let id = |s: &str, n: &str| {
        format!(
            "/subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{n}"
        )
    };
    let dir = std::env::temp_dir().join(format!(
        "peerlint-threads-classified-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let hub = || {
        vnet(
            sub,
            "hub",
            "10.0.0.0/16",
            &[
                (
                    "to-spoke",
                    &format!("  {}  ", id(sub, "spoke").to_uppercase()),
                ),
                ("to-later", &id(sub, "Later")),
                ("to-nowhere", &id(other, "Nowhere")),
                (
                    "to-classic",
                    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.ClassicNetwork/virtualNetworks/old",
                ),
                ("to-invalid", "not-an-id"),
                (
                    "to-nothing",
                    "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
                ),
            ],
        )
    };
    let files = [
        (
            "a-spoke.json",
            vec![vnet(
                sub,
                "spoke",
                "10.1.0.0/16",
                &[("to-hub", &id(sub, "HUB"))],
            )],
        ),
        ("b-hub.json", vec![hub()]),
        // The hub exported again, with the vnet it peers with before it is defined.
        (
            "c-hub-again.json",
            vec![
                hub(),
                vnet(sub, "Later", "10.2.0.0/16", &[("to-hub", &id(sub, "hub"))]),
            ],
        ),
        // And again, a peering's id in another case (the same peering).
        (
            "d-hub-upper.json",
            vec![
                hub()
                    .to_string()
                    .replace("to-spoke", "TO-SPOKE")
                    .parse()
                    .unwrap(),
            ],
        ),
    ];
    // Four files, one batch: each is extracted where it is prepared (a file alone in its batch
    // would join unprepared).
    for (name, vnets) in files.iter() {
        std::fs::write(
            dir.join(name),
            serde_json::Value::Array(vnets.clone()).to_string(),
        )
        .unwrap();
    }
    // And a vnet with large tags, so that the inputs are large enough for a pool (smaller ones
    // run on one thread whatever `--threads` says).
    let mut pad = vnet(sub, "pad", "10.9.0.0/16", &[]);
    pad["tags"] = (0..700)
        .map(|i| (format!("tag{i}"), serde_json::json!("x".repeat(3000))))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let pad = serde_json::Value::Array(vec![pad]).to_string();
    assert!(pad.len() as u64 >= peerlint::engine::POOL_MIN_BYTES);
    std::fs::write(dir.join("e-pad.json"), pad).unwrap();
    let dir_s = dir.to_str().unwrap();
    let one = check(&["--format", "json", "--threads", "1", dir_s]);
    for rule in ["invalid-remote-network-id", "dangling-remote-network"] {
        assert!(one.contains(rule), "{rule} should report: {one}");
    }
    assert!(
        !one.contains("missing-reverse-peering"),
        "the spoke's and the later vnet's peerings back should be found: {one}"
    );
    for threads in ["2", "5"] {
        let many = check(&["--format", "json", "--threads", threads, dir_s]);
        assert_eq!(one, many, "--threads {threads} differs from --threads 1");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// One export long enough to be extracted in tasks on several threads (see
/// `Extractor::resources_on_pool`): 600 vnets, with findings of many kinds spread over the
/// tasks (overlaps, missing reverse peerings, invalid remote ids, a vnet exported twice far
/// apart, two peerings of one id), as an `az network vnet list` and as a REST `value` list,
/// each large enough to be parsed in parts side by side too (see `json::parse`).
#[test]
fn one_long_export_is_the_same_on_any_number_of_threads() {
    let sub = "11111111-1111-1111-1111-111111111111";
    let id = |i: usize| {
        format!(
            "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v{i}"
        )
    };
    let vnet = |i: usize| {
        let mut peerings = Vec::new();
        for (j, to) in [(i + 1) % 600, (i + 599) % 600].into_iter().enumerate() {
            // Every ninth vnet peers one way only; every 31st names a bad remote id.
            if j == 1 && i % 9 == 0 {
                continue;
            }
            let remote = if i % 31 == 0 && j == 0 {
                "/subscriptions/x".to_string()
            } else {
                id(to)
            };
            // Every 45th has a second peering of the same id.
            let copies = if i % 45 == 0 && j == 0 { 2 } else { 1 };
            for _ in 0..copies {
                peerings.push(serde_json::json!({
                    "id": format!("{}/virtualNetworkPeerings/to-v{to}", id(i)),
                    "name": format!("to-v{to}"),
                    "remoteVirtualNetwork": {"id": remote},
                    "allowVirtualNetworkAccess": true,
                    "useRemoteGateways": i % 13 == 0,
                    "peeringState": if i % 17 == 0 { "Disconnected" } else { "Connected" },
                }));
            }
        }
        // Every 11th overlaps its neighbour.
        let prefix = if i % 11 == 0 {
            format!("10.{}.{}.0/23", (i + 1) / 256, ((i + 1) % 256) & !1)
        } else {
            format!("10.{}.{}.0/24", i / 256, i % 256)
        };
        serde_json::json!({
            "id": id(i),
            "name": format!("v{i}"),
            "type": "Microsoft.Network/virtualNetworks",
            "addressSpace": {"addressPrefixes": [prefix]},
            "subnets": [{"name": "default", "addressPrefix": prefix}],
            "virtualNetworkPeerings": peerings,
            "tags": {"note": "x".repeat(7000)},
        })
    };
    let mut vnets: Vec<_> = (0..600).map(vnet).collect();
    // v5 exported a second time, far from the first.
    vnets.push(vnet(5));
    let dir = std::env::temp_dir().join(format!("peerlint-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("list.json");
    std::fs::write(&list, serde_json::to_string_pretty(&vnets).unwrap()).unwrap();
    let rest = dir.join("rest.json");
    let value = serde_json::json!({ "value": vnets });
    std::fs::write(&rest, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    for file in [&list, &rest] {
        // Smaller inputs run on one thread whatever `--threads` says: this one must not.
        let size = std::fs::metadata(file).unwrap().len();
        assert!(
            size >= peerlint::engine::POOL_MIN_BYTES,
            "{size} bytes: too small for a pool"
        );
        assert!(
            size as usize >= peerlint::json::PARTS_MIN_BYTES,
            "{size} bytes: too small to be parsed in parts"
        );
        let file = file.to_str().unwrap();
        let one = check(&["--format", "json", "--threads", "1", file]);
        assert!(one.contains("missing-reverse-peering"), "{one}");
        assert!(one.contains("\"vnets\": 600"), "{one}");
        for threads in ["2", "5"] {
            let many = check(&["--format", "json", "--threads", threads, file]);
            assert!(
                one == many,
                "{file}: --threads {threads} differs from --threads 1"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
