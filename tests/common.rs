//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use peerlint::discover::{Input, Origin};
use peerlint::engine::{self, Outcome};
use peerlint::render::{self, Summary};
use peerlint::rule::Rule;

/// Inputs for a file or every file of a folder (all named explicitly), in name order.
pub fn inputs(path: &Path) -> Vec<Input> {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    files
        .into_iter()
        .map(|p| Input {
            display: p.to_string_lossy().replace('\\', "/"),
            origin: Origin::File(p),
            explicit: true,
        })
        .collect()
}

pub fn run(path: &Path, rules: &[&'static dyn Rule]) -> Outcome {
    engine::run(&inputs(path), &mut std::io::empty(), rules)
}

pub fn summary(o: &Outcome) -> Summary {
    Summary::new(
        o.graph.file_count(),
        o.graph.defined_vnets().count(),
        o.graph.peering_count(),
        &o.diagnostics,
    )
}

/// Human output as snapshots hold it: no colour, no wrapping.
pub fn human(o: &Outcome) -> String {
    render::human::render(
        &o.db,
        &o.diagnostics,
        summary(o),
        render::human::Style {
            color: false,
            width: 80,
            links: false,
        },
    )
}

/// The subject a diagnostic judges: the last segment of its resource id, or the file stem for
/// file-level findings.
pub fn subject(d: &peerlint::diagnostic::Diagnostic) -> String {
    match &d.resource {
        Some(id) => id.rsplit('/').next().unwrap_or("").to_string(),
        None => Path::new(&d.at.path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    }
}

/// Every `bad-…` or `ok-…` token in a text (file names without their `.json`, `.yaml`, `.yml`
/// or `.toml`).
pub fn tokens(text: &str, prefix: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find(prefix) {
        let start = i + pos;
        let boundary = start == 0
            || !(bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'-'
                || bytes[start - 1] == b'_');
        let mut end = start + prefix.len();
        while end < bytes.len()
            && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'-' | b'_' | b'.'))
        {
            end += 1;
        }
        if boundary {
            // A file name in a fixture folder names its subject without the extension.
            let token = &text[start..end];
            let token = [".json", ".yaml", ".yml", ".toml"]
                .iter()
                .find_map(|ext| token.strip_suffix(ext))
                .unwrap_or(token);
            out.push(token.to_string());
        }
        i = end.max(start + 1);
    }
    out.sort();
    out.dedup();
    out
}

/// Asserts that `text` contains `needle`, showing the whole text when it doesn't.
#[track_caller]
pub fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} not in:\n{text}");
}

/// What the binary did.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args` (and `stdin`), without colour or width settings leaking in.
pub fn peerlint(args: &[&str], stdin: Option<&[u8]>) -> Out {
    run_binary(None, args, stdin)
}

/// Runs the binary as [`peerlint`] does, in the folder `dir`.
pub fn peerlint_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    run_binary(Some(dir), args, stdin)
}

fn run_binary(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_peerlint"));
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.args(args).env_remove("NO_COLOR").env_remove("COLUMNS");
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Copies a folder (recursively) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// A scratch folder for generated inputs, fresh for each test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("peerlint-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `.rs` files under `dir`, recursively.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
