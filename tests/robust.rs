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
    // Standard error: a path that can't be read, a note naming a file, an unknown rule.
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
    assert!(out.stderr.contains("note: `"), "{}", out.stderr);
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
