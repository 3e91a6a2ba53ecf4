//! Baselines: today's findings recorded, so that a gate reports only new ones.
//!
//! `peerlint check --write-baseline FILE` records each finding by rule, resource id and
//! [`fingerprint`] (never by line: reformatting a file or moving lines keeps a finding the
//! same), with its file and message for the reader. `--baseline FILE` then hides the findings
//! the baseline holds (each entry hides one finding) and counts the entries no finding
//! matches any more: fixed.
//!
//! `invalid-syntax` and `unrecognized-input` are never recorded nor hidden: a file peerlint
//! can't read leaves part of the design unchecked, and that can't become the accepted state.
//!
//! File-level findings are identified by their file's path relative to the baseline's
//! folder, so a baseline works from any working directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::always_on;
use crate::diagnostic::Diagnostic;
use crate::discover::normalise;
use crate::fingerprint::{fingerprint, location};

/// The baseline format's version.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(rename = "generated-by")]
    generated_by: String,
    findings: Vec<Entry>,
}

/// One recorded finding.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub fingerprint: String,
    pub message: String,
}

/// A baseline read from its file.
#[derive(Debug)]
pub struct Baseline {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Applied {
    /// Findings the baseline holds, not reported.
    pub hidden: usize,
    /// Entries no finding matches any more.
    pub fixed: usize,
}

/// The folder a baseline's paths are relative to.
fn root_of(file: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    normalise(&cwd.join(file))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

/// A finding as a baseline records it.
fn entry(d: &Diagnostic, root: &Path) -> Entry {
    let cwd = std::env::current_dir().unwrap_or_default();
    // Paths are shown relative to the working directory; the baseline's are relative to its
    // own folder.
    let mut at = d.clone();
    if !Path::new(&d.at.path).is_absolute() && d.at.path != "<stdin>" {
        at.at.path = cwd.join(&d.at.path).to_string_lossy().into_owned();
    }
    Entry {
        path: location(&at.at.path, root).0,
        rule: d.rule.to_string(),
        resource: d.resource.clone(),
        fingerprint: fingerprint(&at, root),
        message: d.message.clone(),
    }
}

/// Writes the baseline of `diags` to `file`; returns how many findings it records.
pub fn write(file: &Path, diags: &[Diagnostic]) -> Result<usize, String> {
    let root = root_of(file);
    let mut findings: Vec<Entry> = diags
        .iter()
        .filter(|d| !always_on(d.rule))
        .map(|d| entry(d, &root))
        .collect();
    findings.sort();
    let count = findings.len();
    let f = File {
        version: VERSION,
        generated_by: format!("peerlint {}", env!("CARGO_PKG_VERSION")),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&f).expect("serialisable");
    text.push('\n');
    std::fs::write(file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(count)
}

/// Reads a baseline.
pub fn read(file: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the baseline {}: {e}", file.display()))?;
    let f: File = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a peerlint baseline: {e} (write one with `peerlint check --write-baseline FILE`)",
            file.display()
        )
    })?;
    if f.version != VERSION {
        return Err(format!(
            "{} is a baseline of version {}; this peerlint reads version {VERSION}",
            file.display(),
            f.version
        ));
    }
    Ok(Baseline {
        path: file.to_path_buf(),
        entries: f.findings,
    })
}

impl Baseline {
    /// Drops the findings the baseline holds (each entry hides one finding with its rule and
    /// fingerprint) and counts the entries left over.
    pub fn apply(&self, diags: &mut Vec<Diagnostic>) -> Applied {
        let root = root_of(&self.path);
        let mut left: rustc_hash::FxHashMap<(String, String), usize> = Default::default();
        for e in &self.entries {
            *left
                .entry((e.rule.clone(), e.fingerprint.clone()))
                .or_default() += 1;
        }
        let mut applied = Applied::default();
        diags.retain(|d| {
            if always_on(d.rule) {
                return true;
            }
            let e = entry(d, &root);
            match left.get_mut(&(e.rule, e.fingerprint)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    applied.hidden += 1;
                    false
                }
                _ => true,
            }
        });
        applied.fixed = left.values().sum();
        applied
    }
}
