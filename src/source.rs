//! The texts of every input of a run, owned in one place and addressed by [`FileId`].
//!
//! Spans everywhere else are byte ranges into these texts; line and column are computed only
//! for output.

use std::sync::Arc;

/// Index of a file in the [`SourceDb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A half-open byte range into one file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One input file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as found by walking), `-` shown as `<stdin>`.
    pub path: String,
    /// Where the file was read from (None for standard input).
    pub fs_path: Option<std::path::PathBuf>,
    /// The decoded text. A UTF-8 byte-order mark is kept, so offsets are the file's own offsets.
    pub text: Arc<String>,
    /// Where the JSON/YAML content starts (after a byte-order mark).
    pub content_start: usize,
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: String, text: String, content_start: usize) -> SourceFile {
        SourceFile {
            path,
            fs_path: None,
            text: Arc::new(text),
            content_start,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Offsets where lines start, computed on first use (only output needs them).
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut v = vec![0u32];
            v.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| (i + 1) as u32),
            );
            v
        })
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = starts[line] as usize;
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let mut col = self.text[start..end].chars().count() + 1;
        if start == 0 && self.content_start > 0 && end >= self.content_start {
            col -= 1; // the byte-order mark is not a column
        }
        (line + 1, col)
    }
}

/// All texts of a run.
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    /// The file with this id, if there is one.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }
    /// The file read from `p`, if any.
    pub fn find(&self, p: &std::path::Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.fs_path.as_deref() == Some(p))
            .map(|i| FileId(i as u32))
    }
}

/// Why a file's bytes could not be turned into text.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub message: String,
}

/// Decodes a file's bytes: UTF-8 (with or without a byte-order mark) or UTF-16 with a
/// byte-order mark. Anything else is an error at the first bad byte.
///
/// Returns the text and the byte offset where the content starts (after a UTF-8 BOM).
pub fn decode(bytes: Vec<u8>) -> Result<(String, usize), DecodeError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let little = bytes[0] == 0xFF;
        let body = &bytes[2..];
        if body.len() % 2 != 0 {
            return Err(DecodeError {
                offset: bytes.len() - 1,
                message: "UTF-16 file has an odd number of bytes".into(),
            });
        }
        let units = body.chunks_exact(2).map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let mut text = String::with_capacity(body.len() / 2);
        for (i, ch) in char::decode_utf16(units).enumerate() {
            match ch {
                Ok(c) => text.push(c),
                Err(_) => {
                    return Err(DecodeError {
                        offset: 2 + i * 2,
                        message: "invalid UTF-16: unpaired surrogate".into(),
                    });
                }
            }
        }
        return Ok((text, 0));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
            Ok((text, start))
        }
        Err(e) => Err(DecodeError {
            offset: e.utf8_error().valid_up_to(),
            message: "file is not UTF-8 text (nor UTF-16 with a byte-order mark)".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_kept_and_skipped() {
        let (text, start) = decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap();
        assert_eq!(start, 3);
        assert_eq!(&text[start..], "{}");
        let f = SourceFile::new("x".into(), text, start);
        assert_eq!(f.line_col(3), (1, 1));
    }

    #[test]
    fn utf16_le_and_be() {
        let le: Vec<u8> = [0xFF, 0xFE, b'{', 0, b'}', 0].to_vec();
        assert_eq!(decode(le).unwrap().0, "{}");
        let be: Vec<u8> = [0xFE, 0xFF, 0, b'[', 0, b']'].to_vec();
        assert_eq!(decode(be).unwrap().0, "[]");
    }

    #[test]
    fn binary_is_an_error_at_the_bad_byte() {
        let err = decode(b"{\"a\": \xFF}".to_vec()).unwrap_err();
        assert_eq!(err.offset, 6);
    }

    #[test]
    fn line_col_counts_chars() {
        let f = SourceFile::new("x".into(), "ab\n\u{e4}x".into(), 0);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2));
    }
}
