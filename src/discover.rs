//! Finds the input files: paths named on the command line, folders walked in file-name
//! order (following links to files and folders), `-` for standard input.
//!
//! Only regular files are read while walking: a named pipe or device in a folder could block
//! or never end. Named on the command line, anything readable is an input (a named pipe is
//! how `peerlint check <(az network vnet list)` arrives).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

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
        match std::fs::metadata(path) {
            Err(e) => errors.push(format!("{}: {e}", display(path))),
            Ok(m) if m.is_dir() => {
                // Links are followed (a linked file or folder is read like the one it names);
                // walkdir detects a link back to a folder being walked, whose files are read
                // once already.
                let walker = WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| {
                        e.depth() == 0
                            || !(e.file_type().is_dir()
                                && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
                    });
                for entry in walker {
                    match entry {
                        Err(e) if e.loop_ancestor().is_some() => {}
                        // A broken link is an error only where a file would have been read.
                        Err(e) if !e.path().is_some_and(wanted) => {}
                        Err(e) => {
                            let at = e.path().map_or_else(|| display(path), display);
                            let why = e
                                .io_error()
                                .map_or_else(|| e.to_string(), |io| io.to_string());
                            errors.push(format!("{at}: {why}"));
                        }
                        Ok(e) if e.file_type().is_file() && wanted(e.path()) => {
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

/// Whether a file met while walking is read: by its extension.
fn wanted(p: &Path) -> bool {
    p.extension()
        .map(|x| x.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|x| EXTENSIONS.contains(&x.as_str()))
}
