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
