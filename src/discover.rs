//! Finds the input files: paths named on the command line, folders walked in file-name
//! order (following links to files and folders), `-` for standard input.
//!
//! A walk skips what a repository keeps out of its design: files and folders whose name starts
//! with a dot (`.vscode/settings.json`, `.github/`), what `.gitignore` (and `.ignore`,
//! `.git/info/exclude`) ignores, `target`, `node_modules` and `.terraform`, and whatever the
//! caller excludes (peerlint.toml's `exclude`). The user's global gitignore is not read, so a
//! run checks the same files on every machine.
//!
//! Only regular files are read while walking: a named pipe or device in a folder could block
//! or never end. Named on the command line, anything readable is an input (a named pipe is
//! how `peerlint check <(az network vnet list)` arrives).

use std::path::{Component, Path, PathBuf};

/// Where an input's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    File(PathBuf),
    Stdin,
}

#[derive(Clone, Debug)]
pub struct Input {
    /// The path as shown in output.
    pub display: String,
    pub origin: Origin,
    /// Named on the command line (not found by walking a folder).
    pub explicit: bool,
}

/// `p` without `.` and with `..` applied, lexically (the file need not exist).
pub fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// A path with `/` between its components (a Windows drive prefix kept, its `\` as `/`).
pub fn slashed(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::Prefix(s) => Some(s.as_os_str().to_string_lossy().replace('\\', "/")),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// Extensions read when walking a folder.
const EXTENSIONS: &[&str] = &["json", "jsonc", "yaml", "yml"];
/// Folders never walked into.
const SKIP_DIRS: &[&str] = &[".git", "target", "node_modules", ".terraform"];

pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Expands paths into inputs, in the order met (a file met twice is listed twice); unreadable or
/// missing paths are returned as errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<String>) {
    discover_with(paths, std::sync::Arc::new(|_: &Path| false))
}

/// Whether a path is left out of a run (named, or met while walking).
pub type Exclude = std::sync::Arc<dyn Fn(&Path) -> bool + Send + Sync>;

/// [`discover`], leaving out the files and folders `excluded` says (named or met while
/// walking).
pub fn discover_with(paths: &[PathBuf], excluded: Exclude) -> (Vec<Input>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input {
                display: "<stdin>".into(),
                origin: Origin::Stdin,
                explicit: true,
            });
            continue;
        }
        if excluded(path) {
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => errors.push(format!("{}: {e}", display(path))),
            Ok(m) if m.is_dir() => walk(path, &excluded, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input {
                display: display(path),
                origin: Origin::File(path.clone()),
                explicit: true,
            }),
        }
    }
    // The same file met twice is read once, and the order inputs are read in is decided, by
    // the engine (`engine::canonical_order`): whatever order they were named in. So are the
    // errors reported, here: by path.
    errors.sort();
    (inputs, errors)
}

/// Walks a folder: its wanted files, in file-name order.
fn walk(path: &Path, excluded: &Exclude, inputs: &mut Vec<Input>, errors: &mut Vec<String>) {
    // Links are followed (a linked file or folder is read like the one it names); the walker
    // detects a link back to a folder being walked, whose files are read once already.
    let excluded = excluded.clone();
    let walker = ignore::WalkBuilder::new(path)
        .follow_links(true)
        .hidden(true)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        // A .gitignore counts outside a git repository too (an unpacked archive, a fresh copy).
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            e.depth() == 0
                || !((e.file_type().is_some_and(|t| t.is_dir())
                    && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
                    || excluded(e.path()))
        })
        .build();
    for entry in walker {
        match entry {
            Err(e) => {
                if let Some((at, why)) = walk_error(&e) {
                    errors.push(format!("{}: {why}", display(&at)));
                }
            }
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && wanted(e.path()) => {
                inputs.push(Input {
                    display: display(e.path()),
                    origin: Origin::File(e.path().to_path_buf()),
                    explicit: false,
                });
            }
            Ok(_) => {}
        }
    }
}

/// A walk's error that is a path that can't be read, with that path: not a link back to a
/// folder being walked (its files are read once already), not a broken link where no input
/// would be read, not a line of an ignore file that doesn't parse.
fn walk_error(e: &ignore::Error) -> Option<(PathBuf, String)> {
    let mut err = e;
    let mut at: Option<&Path> = None;
    loop {
        match err {
            ignore::Error::WithPath { path, err: inner } => {
                at = Some(path);
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            ignore::Error::Io(io) => {
                let at = at?;
                // A broken link is an error only where a file would have been read; a folder
                // that can't be listed always is.
                let folder = std::fs::symlink_metadata(at).is_ok_and(|m| m.is_dir());
                return (folder || wanted(at)).then(|| (at.to_path_buf(), io.to_string()));
            }
            _ => return None,
        }
    }
}

/// Whether a file met while walking is read: by its extension; JavaScript only when it is a
/// GruCloud design (it names `createResources`), so that other scripts are never read.
fn wanted(p: &Path) -> bool {
    let ext = p
        .extension()
        .map(|x| x.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("js") => mentions(p, b"createResources"),
        Some(x) => EXTENSIONS.contains(&x),
        None => false,
    }
}

/// Whether a file's bytes hold `needle`, read in blocks (a large script is not kept whole).
fn mentions(p: &Path, needle: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(p) else {
        return false;
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut kept = 0;
    loop {
        let n = match f.read(&mut buf[kept..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        let end = kept + n;
        if buf[..end].windows(needle.len()).any(|w| w == needle) {
            return true;
        }
        // Keep the tail that may start the needle.
        kept = (needle.len() - 1).min(end);
        buf.copy_within(end - kept..end, 0);
    }
}
