//! Hostile and unusual inputs end to end (issue 10): inputs too large to address, endless or
//! binary streams, named pipes, symbolic links, text that would control the terminal, invalid
//! UTF-8 and duplicate keys. Each runs beside the demo, whose findings must come through intact.

mod common;

use std::process::{Command, Stdio};

use common::{Out, scratch};

fn json(out: &Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

fn diagnostics(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v["diagnostics"].as_array().expect("a diagnostics array")
}

/// Runs the binary with standard input from `stdin` (a file, a device).
fn peerlint_with_stdin(args: &[&str], stdin: Stdio) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlint"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdin(stdin)
        .output()
        .expect("binary runs");
    Out {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The demo's own findings, as (rule, path, line) — to compare with a run that adds inputs.
fn demo_findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    diagnostics(v)
        .iter()
        .filter(|d| d["path"].as_str().unwrap().starts_with("testdata/demo/"))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn demo_alone() -> Vec<(String, String, u64)> {
    let out = common::peerlint(&["check", "testdata/demo", "--format", "json"], None);
    assert_eq!(out.code, 1);
    let found = demo_findings(&json(&out));
    assert!(found.len() >= 5, "{found:?}");
    found
}

#[test]
fn a_file_over_4_gib_is_refused_before_reading_and_the_demo_is_still_checked() {
    let dir = scratch("large");
    let big = dir.join("big.json");
    // Sparse: 4.2 GiB in the metadata, nothing on the disk.
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(peerlint::source::MAX_INPUT_BYTES + (1 << 28))
        .unwrap();
    let out = common::peerlint(
        &[
            "check",
            "testdata/demo",
            big.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "a tool failure: {}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "error: cannot read {}: it is 4.2 GiB; peerlint reads inputs up to 4 GiB",
            big.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(demo_findings(&json(&out)), demo_alone());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_input_from_dev_zero_stops_at_once_with_a_diagnostic() {
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = peerlint_with_stdin(
        &["check", "-", "testdata/demo", "--format", "json"],
        zero.into(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    let stdin: Vec<_> = diagnostics(&v)
        .iter()
        .filter(|d| d["path"] == "<stdin>")
        .collect();
    assert_eq!(stdin.len(), 1, "{stdin:?}");
    assert_eq!(stdin[0]["rule"], "invalid-syntax");
    assert_eq!(stdin[0]["span"]["start"], 0);
    assert!(
        stdin[0]["message"].as_str().unwrap().contains("NUL byte"),
        "{}",
        stdin[0]
    );
    assert_eq!(demo_findings(&v), demo_alone());
}

/// A name that would clear the screen, ring the bell, set the window title, start a forged
/// finding on a line of its own and reverse the text after it.
const EVIL: &str = "x\u{1b}[2J\u{7}\u{1b}]0;pwned\u{7}\r\n  × forged-finding\u{202e}kcolb\u{9b}1m";

/// Nothing in `text` that a terminal would act on, and no line that the input started.
fn assert_inert(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| peerlint::render::is_hidden(c))
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in\n{text}");
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("× forged")),
        "{what}: a forged line in\n{text}"
    );
}

fn evil_export(dir: &std::path::Path) -> std::path::PathBuf {
    let sub = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg";
    let vnet = |name: &str, space: &str, peer: Option<&str>| {
        let peerings: Vec<serde_json::Value> = peer
            .map(|p| {
                serde_json::json!({
                    "name": format!("to-{p}"),
                    "id": format!("{sub}/providers/Microsoft.Network/virtualNetworks/{name}/virtualNetworkPeerings/to-{p}"),
                    "remoteVirtualNetwork": {"id": format!("{sub}/providers/Microsoft.Network/virtualNetworks/{p}")},
                    "allowVirtualNetworkAccess": true, "peeringState": "Connected", "useRemoteGateways": true
                })
            })
            .into_iter()
            .collect();
        serde_json::json!({
            "name": name,
            "id": format!("{sub}/providers/Microsoft.Network/virtualNetworks/{name}"),
            "resourceGroup": "rg", "location": "westeurope", "tags": {"owner": EVIL},
            "addressSpace": {"addressPrefixes": [space]},
            "subnets": [],
            "virtualNetworkPeerings": peerings,
        })
    };
    let export = serde_json::json!([
        vnet(EVIL, "10.70.0.0/16", Some("vnet-b")),
        vnet("vnet-b", "10.71.0.0/16", Some(EVIL)),
    ]);
    // The file name is hostile too (a newline and ESC are allowed in Linux file names).
    let path = dir.join(format!("{EVIL}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&export).unwrap()).unwrap();
    path
}

#[test]
fn text_from_the_input_cannot_control_the_terminal() {
    let dir = scratch("escapes");
    let evil = evil_export(&dir);
    let evil = evil.to_str().unwrap();
    // Human output, with and without colour (colour adds its own escapes: only check the
    // uncoloured run for hidden characters).
    let out = common::peerlint(&["check", "testdata/demo", evil, "--color", "never"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_inert("check", &out.stdout);
    assert!(out.stdout.contains("\\u{1b}[2J\\u{7}"), "{}", out.stdout);
    assert!(
        out.stdout.contains("\\u{a}  × forged-finding\\u{202e}"),
        "{}",
        out.stdout
    );
    // The demo's findings are all there.
    let json_out = common::peerlint(&["check", "testdata/demo", evil, "--format", "json"], None);
    let v = json(&json_out);
    assert_eq!(demo_findings(&v), demo_alone());
    assert!(
        diagnostics(&v)
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("forged-finding")),
        "{}",
        json_out.stdout
    );
    // JSON output: the same strings, with every hidden character escaped.
    assert_inert("check --format json", &json_out.stdout);
    assert!(
        diagnostics(&v)
            .iter()
            .any(|d| d["path"].as_str() == Some(evil)),
        "the path survives as a JSON value"
    );
    // reach: the arguments, vnet names and file paths.
    for format in ["human", "json"] {
        let out = common::peerlint(
            &[
                "reach",
                EVIL,
                "vnet-b",
                dir.to_str().unwrap(),
                "--format",
                format,
            ],
            None,
        );
        assert!(out.code <= 1, "{}", out.stderr);
        assert!(out.stdout.contains("forged-finding"), "{}", out.stdout);
        assert_inert("reach", &out.stdout);
    }
    let out = common::peerlint(&["reach", EVIL, "nowhere", dir.to_str().unwrap()], None);
    assert_eq!(out.code, 2);
    assert_inert("reach error", &out.stderr);
    // Standard error: a path that can't be read, an unknown rule or selector.
    let params = dir.join(format!("{EVIL}.parameters.json"));
    std::fs::write(
        &params,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}"#,
    )
    .unwrap();
    let missing = format!("{EVIL}-missing.json");
    let out = common::peerlint(
        &["check", "testdata/demo", params.to_str().unwrap(), &missing],
        None,
    );
    assert_eq!(out.code, 2);
    // The unpaired parameters file is a finding, its path escaped.
    assert!(
        out.stdout.contains("x\\u{1b}[2J\\u{7}\\u{1b}]0;pwned"),
        "{}",
        out.stdout
    );
    assert_inert("stdout", &out.stdout);
    assert!(
        out.stderr.contains("error: cannot read x\\u{1b}[2J"),
        "{}",
        out.stderr
    );
    assert_inert("stderr", &out.stderr);
    let out = common::peerlint(&["rule", EVIL], None);
    assert_eq!(out.code, 2);
    assert_inert("rule", &out.stderr);
    let out = common::peerlint(&["check", "testdata/demo", "--select", EVIL], None);
    assert_eq!(out.code, 2);
    assert_inert("select", &out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn links_in_a_walked_folder_are_followed_once_and_loops_end() {
    use std::os::unix::fs::symlink;
    let dir = scratch("links");
    let real = dir.join("real");
    std::fs::create_dir_all(real.join("nested")).unwrap();
    let demo = std::fs::canonicalize("testdata/demo").unwrap();
    // A folder of links: to a file, to a folder, to a file already walked, back to an ancestor
    // (a loop), and a broken link that isn't an input.
    let walked = dir.join("walked");
    std::fs::create_dir_all(&walked).unwrap();
    symlink(demo.join("hub.json"), walked.join("a-hub.json")).unwrap();
    symlink(demo.join("hub.json"), walked.join("b-hub-again.json")).unwrap();
    symlink(&real, walked.join("c-folder")).unwrap();
    std::fs::copy(demo.join("spokes.json"), real.join("nested/spokes.json")).unwrap();
    symlink(&walked, real.join("nested/loop")).unwrap();
    symlink(dir.join("nowhere"), walked.join("d-broken.txt")).unwrap();
    // A named pipe met while walking is not opened (it could block forever).
    let made = Command::new("mkfifo")
        .arg(walked.join("f-pipe.json"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let out = common::peerlint(
        &["check", walked.to_str().unwrap(), "--format", "json"],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let v = json(&out);
    // The demo's two files, each read once, through the links.
    assert_eq!(v["summary"]["files"], 2, "{}", out.stdout);
    let alone = json(&common::peerlint(
        &["check", "testdata/demo", "--format", "json"],
        None,
    ));
    assert_eq!(v["summary"], alone["summary"]);
    let paths: std::collections::BTreeSet<&str> = diagnostics(&v)
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    let shown = |p: &std::path::Path| p.to_str().unwrap().to_string();
    assert!(
        paths.contains(shown(&walked.join("a-hub.json")).as_str()),
        "{paths:?}"
    );
    assert!(
        paths.contains(shown(&walked.join("c-folder/nested/spokes.json")).as_str()),
        "{paths:?}"
    );
    // A broken link where an input would be is a path that can't be read.
    symlink(dir.join("nowhere"), walked.join("e-broken.json")).unwrap();
    let out = common::peerlint(&["check", walked.to_str().unwrap()], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("e-broken.json"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_named_pipe_is_read_as_a_stream() {
    let dir = scratch("fifo");
    let fifo = dir.join("vnets.json");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let demo = std::fs::read("testdata/demo/spokes.json").unwrap();
    // What `peerlint check <(az network vnet list)` does: the shell hands over a pipe's path.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, demo).unwrap())
    };
    let out = common::peerlint(
        &[
            "check",
            fifo.to_str().unwrap(),
            "testdata/demo/hub.json",
            "--format",
            "json",
        ],
        None,
    );
    writer.join().unwrap();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    let alone = json(&common::peerlint(
        &["check", "testdata/demo", "--format", "json"],
        None,
    ));
    assert_eq!(v["summary"], alone["summary"]);
    assert!(
        diagnostics(&v)
            .iter()
            .any(|d| d["path"].as_str() == fifo.to_str()),
        "{}",
        out.stdout
    );
    // Binary through a pipe ends at its first bad byte, like a file.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let _ = f.write_all(b"[1, ");
            // The reader stops early: writing more fails once it has closed the pipe.
            for _ in 0..1_000 {
                if f.write_all(&[0xFF; 65_536]).is_err() {
                    break;
                }
            }
        })
    };
    let out = common::peerlint(&["check", fifo.to_str().unwrap(), "--format", "json"], None);
    writer.join().unwrap();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(diagnostics(&v)[0]["rule"], "invalid-syntax");
    assert_eq!(diagnostics(&v)[0]["span"]["start"], 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expand_shows_a_hostile_template_inert() {
    let dir = scratch("expand");
    // Without newlines: `expand` escapes its lines as a whole (see `render::visible_lines`).
    let evil = EVIL.replace(['\r', '\n'], "");
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01",
            "name": evil, "location": "westeurope",
            "properties": {"addressSpace": {"addressPrefixes": ["10.80.0.0/16"]}}
        }]
    });
    let path = dir.join(format!("{evil}.json"));
    std::fs::write(&path, template.to_string()).unwrap();
    for format in ["human", "json"] {
        let out = common::peerlint(
            &["expand", path.to_str().unwrap(), "--format", format],
            None,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("forged-finding"), "{}", out.stdout);
        assert_inert(format, &out.stdout);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_utf8_and_repeated_keys_beside_the_demo() {
    let dir = scratch("utf8-keys");
    let bad = dir.join("bad-utf8.json");
    std::fs::write(&bad, b"[\n  {\"name\": \"vnet-\xC3\x28\"}\n]\n").unwrap();
    let dup = dir.join("dup.json");
    std::fs::write(
        &dup,
        r#"[{"name": "vnet-d", "id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-d",
            "addressSpace": {"addressPrefixes": ["10.90.0.0/16"]}, "subnets": [],
            "addressSpace": {"addressPrefixes": ["10.91.0.0/16"]}}]"#,
    )
    .unwrap();
    let out = common::peerlint(
        &[
            "check",
            "testdata/demo",
            bad.to_str().unwrap(),
            dup.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(demo_findings(&v), demo_alone());
    let of = |p: &std::path::Path| -> Vec<&serde_json::Value> {
        diagnostics(&v)
            .iter()
            .filter(|d| d["path"].as_str() == p.to_str())
            .collect()
    };
    // The span is at the first bad byte (0xC3 starts a character that 0x28 doesn't continue).
    let utf8 = of(&bad);
    assert_eq!(utf8.len(), 1, "{utf8:?}");
    assert_eq!(utf8[0]["span"]["start"], 19);
    assert_eq!(
        (&utf8[0]["line"], &utf8[0]["column"]),
        (&2.into(), &18.into())
    );
    // The repeated key: a warning on the second, the first is what was read.
    let keys = of(&dup);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0]["severity"], "warning");
    assert_eq!(keys[0]["pointer"], "/0/addressSpace");
    assert!(
        keys[0]["message"]
            .as_str()
            .unwrap()
            .contains("`addressSpace` is declared twice"),
        "{}",
        keys[0]
    );
    assert_eq!(v["summary"]["vnets"].as_u64(), Some(5 + 1));
    let _ = std::fs::remove_dir_all(&dir);
}
