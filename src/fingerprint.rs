//! A finding's identity across runs: the one fingerprint SARIF's `partialFingerprints` and
//! baselines both use, so a finding a baseline records is the alert code scanning tracks.

use std::path::Path;

use crate::discover::{normalise, slashed};

use crate::diagnostic::Diagnostic;

/// Where a file is, as a URI: relative to `root` (percent-encoded, `/`-separated) when it is
/// inside it, else an absolute `file:` URI; and whether it is relative.
pub fn location(path: &str, root: &Path) -> (String, bool) {
    let p = Path::new(path);
    let absolute = if p.is_absolute() {
        normalise(p)
    } else {
        normalise(&root.join(p))
    };
    match absolute.strip_prefix(normalise(root)) {
        Ok(rel) => (encode_path(&slashed(rel), false), true),
        Err(_) => (file_uri(&absolute, false), false),
    }
}

/// An absolute path as a `file:` URI (with a final `/` for a directory).
pub fn file_uri(p: &Path, dir: bool) -> String {
    let mut s = format!("file:///{}", encode_path(&slashed(p), true));
    if dir && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// Percent-encodes a `/`-separated path for a URI: everything but unreserved characters and
/// `/` (and `:` in an absolute path, for a Windows drive; in a relative reference a colon
/// could be read as a scheme).
pub fn encode_path(path: &str, absolute: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (absolute && b == b':');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A finding's identity across runs, independent of where it is in the file: 16 hex digits of
/// the 64-bit FNV-1a hash of
///
/// - the rule name,
/// - the subject: the finding's full ARM resource id in lower case (ids compare ignoring
///   case), or, for a file-level finding, the file's location (its URI, see [`location`]),
/// - the message, with positions in it (`line 3`, `column 7`, `offset 120`) blanked,
///
/// separated by NUL bytes, in both of which the number of a template folder's deployment
/// scope (`<resourceGroup-2>`) is left out: folders are numbered in path order, so adding a
/// folder of templates renumbers those after it, which must not make their findings new. A
/// finding keeps its fingerprint when the file is reformatted or lines move; it changes when
/// what is wrong changes (the message names the values).
pub fn fingerprint(d: &Diagnostic, root: &Path) -> String {
    let subject = match &d.resource {
        Some(id) => without_folder_numbers(id).to_ascii_lowercase(),
        None => location(&d.at.path, root).0,
    };
    let mut h = Fnv1a::default();
    h.write(d.rule.as_bytes());
    h.write(&[0]);
    h.write(subject.as_bytes());
    h.write(&[0]);
    h.write(without_positions(&without_folder_numbers(&d.message)).as_bytes());
    format!("{:016x}", h.0)
}

/// `text` with `<name-N>` (a template folder's numbered scope placeholder, as findings show
/// it) written `<name>`.
fn without_folder_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let close = after.find('>');
        let inner = close.map(|c| &after[1..c]);
        match inner.and_then(|i| i.rsplit_once('-')) {
            Some((name, n))
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphabetic())
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit()) =>
            {
                out.push('<');
                out.push_str(name);
                out.push('>');
                rest = &after[close.expect("found") + 1..];
            }
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `message` with the numbers of `line N`, `column N`, `offset N` (and their plurals)
/// replaced by `#`.
fn without_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'scan: while !rest.is_empty() {
        for word in ["line ", "lines ", "column ", "columns ", "offset "] {
            if let Some(after) = rest.strip_prefix(word) {
                let digits =
                    after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let starts_word = !out.ends_with(|c: char| c.is_alphanumeric());
                if digits > 0 && starts_word {
                    out.push_str(word);
                    out.push('#');
                    rest = &after[digits..];
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// 64-bit FNV-1a: small, and fixed forever (fingerprints must not change with the toolchain).
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        let hash = |s: &str| {
            let mut h = Fnv1a::default();
            h.write(s.as_bytes());
            h.0
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn folder_numbers_are_left_out() {
        assert_eq!(
            without_folder_numbers(
                "/subscriptions/<subscription>/resourceGroups/<resourceGroup-12>/x `<a-b>` <x-1"
            ),
            "/subscriptions/<subscription>/resourceGroups/<resourceGroup>/x `<a-b>` <x-1"
        );
    }

    #[test]
    fn positions_in_messages_are_blanked() {
        assert_eq!(
            without_positions("bad byte (first bad byte at offset 120) on line 3, column 7"),
            "bad byte (first bad byte at offset #) on line #, column #"
        );
        assert_eq!(
            without_positions("pipeline 3 of 10.0.0.0/16"),
            "pipeline 3 of 10.0.0.0/16"
        );
    }
}
