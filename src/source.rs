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
        // Inputs are capped at MAX_INPUT_BYTES, so offsets fit.
        debug_assert!(end as u64 <= MAX_INPUT_BYTES, "offset {end} beyond 4 GiB");
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
    /// Characters before each [`CHAR_BLOCK`]-byte block, computed the first time a column is
    /// wanted far from its line's start (minified JSON is one long line).
    char_marks: std::sync::OnceLock<Vec<u32>>,
    /// Bytes read to compute columns so far: the work [`SourceFile::line_col`] does, for tests.
    scanned: std::sync::atomic::AtomicUsize,
}

/// Columns count characters: a column far from its line's start is found from the count at the
/// block boundary before it, so finding one costs at most this many bytes of counting.
const CHAR_BLOCK: usize = 4096;

/// Characters that start in `bytes` (a byte that isn't a UTF-8 continuation byte starts one).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    pub fn new(path: String, text: String, content_start: usize) -> SourceFile {
        SourceFile {
            path,
            fs_path: None,
            text: Arc::new(text),
            content_start,
            line_starts: std::sync::OnceLock::new(),
            char_marks: std::sync::OnceLock::new(),
            scanned: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Offsets where lines start, computed on first use (only output needs them).
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut v = vec![0u32];
            // The `memchr` crate's SIMD search: core's `match_indices` took 6% of a 727 KB
            // template's instructions.
            v.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| (i + 1) as u32));
            v
        })
    }

    fn scan(&self, bytes: &[u8]) -> usize {
        self.scanned
            .fetch_add(bytes.len(), std::sync::atomic::Ordering::Relaxed);
        chars_in(bytes)
    }

    /// Characters before byte offset `o`: counted from the block boundary before it.
    fn chars_before(&self, o: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            let b = self.text.as_bytes();
            let mut marks = Vec::with_capacity(b.len() / CHAR_BLOCK + 1);
            let mut n = 0;
            marks.push(0);
            for block in b.chunks(CHAR_BLOCK) {
                n += self.scan(block);
                marks.push(n as u32);
            }
            marks
        });
        let block = o / CHAR_BLOCK;
        marks[block] as usize + self.scan(&self.text.as_bytes()[block * CHAR_BLOCK..o])
    }

    /// Bytes read so far to compute columns. Linear in the file's size plus [`CHAR_BLOCK`]
    /// per position, however long its lines.
    pub fn bytes_scanned(&self) -> usize {
        self.scanned.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = starts[line] as usize;
        // A character is counted once its first byte is before `offset`: a column inside a
        // character is that character's.
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let chars = if end - start <= CHAR_BLOCK {
            self.scan(&self.text.as_bytes()[start..end])
        } else {
            self.chars_before(end) - self.chars_before(start)
        };
        let mut col = chars + 1;
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
    /// The first bad byte, as an offset in the file.
    pub offset: usize,
    pub message: String,
    /// The text before the bad byte, decoded (kept so that the error can be shown in place).
    pub prefix: String,
    /// How the bad byte is shown after the prefix: NUL as itself (escaped when drawn),
    /// anything else as U+FFFD.
    pub shown_as: char,
}

/// The most bytes of one input peerlint reads: spans are 32-bit byte offsets, so a text must
/// end before 4 GiB. Larger inputs are refused before they are read (a tool failure), never
/// read in part.
pub const MAX_INPUT_BYTES: u64 = u32::MAX as u64;

/// Why an input could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// Larger than the limit: `size` when known before reading (a regular file).
    TooLarge {
        size: Option<u64>,
        limit: u64,
    },
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// A size as people read it: `12 bytes`, `3.5 KiB`, `4.2 GiB` (`4 GiB`, not `4.0 GiB`).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            let v = format!("{:.1}", bytes as f64 / size as f64);
            let v = v.strip_suffix(".0").unwrap_or(&v);
            return format!("{v} {unit}");
        }
    }
    format!("{bytes} bytes")
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge {
                size: Some(size),
                limit,
            } => {
                let (mut size, mut limit) = (human_size(*size), human_size(*limit));
                if size == limit {
                    // Just over: rounded, both would read the same.
                    (size, limit) = (format!("{size} and more"), format!("{limit} less a byte"));
                }
                write!(f, "it is {size}; peerlint reads inputs up to {limit}")
            }
            ReadError::TooLarge { size: None, limit } => write!(
                f,
                "it is larger than {}, the most peerlint reads of one input",
                human_size(*limit)
            ),
        }
    }
}

/// Reads a file named by a path: a regular file after checking its size (nothing of a file
/// over `limit` is read), anything else (a named pipe such as `<(az ...)`, a device) as a
/// stream with [`read_stream`].
pub fn read_file(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return read_stream(&mut file, limit);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    if let Some(bytes) = read_in_parts(&file, meta.len()) {
        return Ok(bytes);
    }
    // The file may grow while it is read: never more than the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    prefer_huge_pages(&bytes);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

/// Asks Linux to back the memory of a large buffer that is about to be written (its whole
/// capacity) with huge pages (2 MiB) where it can: writing it then takes one page fault per
/// 2 MiB instead of per 4 KiB (on the 10,000-vnet estate, page faults were a quarter of the run).
/// Only whole 2 MiB pages inside the buffer are asked for, so memory grows by none of it;
/// elsewhere, and on other systems, it does nothing.
pub fn prefer_huge_pages<T>(buf: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = buf.as_ptr() as usize;
        let end = start + buf.capacity() * std::mem::size_of::<T>();
        let (from, to) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
        if to > from {
            // SAFETY: the range lies inside the buffer's allocation, and `MADV_HUGEPAGE` only
            // advises how to back it: no memory changes contents or becomes invalid.
            unsafe {
                libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

/// Files at least this large are read in parts side by side on a pool's threads.
#[cfg(unix)]
const READ_IN_PARTS_MIN: u64 = 8 << 20;

/// A large regular file of `len` bytes read in as many parts as the current pool has threads,
/// side by side: copying a file into fresh memory is mostly page faults, which threads take in
/// parallel (the 58 MB estate: 37 ms in one read). None when not on a pool of several threads,
/// when the file is smaller than [`READ_IN_PARTS_MIN`], or when it shrank or grew meanwhile (then
/// it is read again in one go).
#[cfg(unix)]
fn read_in_parts(file: &std::fs::File, len: u64) -> Option<Vec<u8>> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt;
    let threads = crate::pool::threads();
    if threads < 2 || len < READ_IN_PARTS_MIN {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    // Zeroed memory comes from the system untouched: the parts' reads fault it in.
    let mut bytes = vec![0u8; len + 1];
    prefer_huge_pages(&bytes);
    let part = len.div_ceil(threads);
    let read = bytes[..len]
        .par_chunks_mut(part)
        .enumerate()
        .all(|(i, chunk)| file.read_exact_at(chunk, (i * part) as u64).is_ok());
    // A byte past the end means the file grew.
    if !read || file.read_at(&mut bytes[len..], len as u64).ok()? != 0 {
        return None;
    }
    bytes.truncate(len);
    Some(bytes)
}

#[cfg(not(unix))]
fn read_in_parts(_: &std::fs::File, _: u64) -> Option<Vec<u8>> {
    None
}

/// Reads a stream (standard input, a named pipe) up to `limit` bytes, with memory bounded by
/// the limit. The read stops early at the first byte that can't be part of a text (invalid
/// UTF-8 or a NUL byte, outside UTF-16 with a byte-order mark): [`decode`] then reports it, so
/// `/dev/zero` or a binary stream costs one chunk, not the limit.
pub fn read_stream(r: &mut dyn std::io::Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    const CHUNK: usize = 64 * 1024;
    let mut bytes: Vec<u8> = Vec::new();
    // Bytes known to be text so far (UTF-8 without NUL).
    let mut checked = 0;
    loop {
        let room = (limit + 1).saturating_sub(bytes.len() as u64);
        if room == 0 {
            return Err(ReadError::TooLarge { size: None, limit });
        }
        let want = CHUNK.min(usize::try_from(room).unwrap_or(CHUNK));
        if bytes.capacity() - bytes.len() < want {
            // Double, but never past the limit: memory stays within it.
            let cap = (bytes.capacity() * 2)
                .max(CHUNK)
                .min(usize::try_from(limit + 1).unwrap_or(usize::MAX));
            bytes.reserve_exact(cap.max(bytes.len() + want) - bytes.len());
        }
        let old = bytes.len();
        bytes.resize(old + want, 0);
        let n = match r.read(&mut bytes[old..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                bytes.truncate(old);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        bytes.truncate(old + n);
        if n == 0 {
            return Ok(bytes);
        }
        let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
        if bytes.len() < 2 || utf16 {
            continue;
        }
        let (valid, bad) = match std::str::from_utf8(&bytes[checked..]) {
            Ok(_) => (bytes.len(), false),
            // A character cut by the end of the chunk: wait for the rest of it.
            Err(e) if e.error_len().is_none() => (checked + e.valid_up_to(), false),
            Err(e) => (checked + e.valid_up_to(), true),
        };
        let nul = bytes[checked..valid].contains(&0);
        checked = valid;
        if bad || nul {
            return Ok(bytes);
        }
    }
}

/// Decodes a file's bytes: UTF-8 (with or without a byte-order mark) or UTF-16 with a
/// byte-order mark. Anything else is an error at the first bad byte: a byte that isn't UTF-8,
/// a NUL byte (never in JSON or YAML text: UTF-16 without a byte-order mark, or a binary file),
/// an unpaired UTF-16 surrogate, or text beyond [`MAX_INPUT_BYTES`].
///
/// Returns the text and the byte offset where the content starts (after a UTF-8 BOM).
pub fn decode(bytes: Vec<u8>) -> Result<(String, usize), DecodeError> {
    let bom = |text: &str| if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let little = bytes[0] == 0xFF;
        let body = &bytes[2..];
        let units = body.chunks_exact(2).map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let mut text = String::with_capacity(body.len() / 2);
        for ch in char::decode_utf16(units) {
            match ch {
                Ok(c) => text.push(c),
                Err(_) => {
                    // Where the bad unit is: the units decoded so far (a pair counts two).
                    let units_before: usize = text.chars().map(char::len_utf16).sum();
                    return Err(DecodeError {
                        offset: 2 + units_before * 2,
                        message: "invalid UTF-16: unpaired surrogate".into(),
                        prefix: text,
                        shown_as: '\u{FFFD}',
                    });
                }
            }
        }
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(DecodeError {
                offset: 0,
                message: format!(
                    "the file decodes to more than {} of UTF-8 text, the most peerlint reads",
                    human_size(MAX_INPUT_BYTES)
                ),
                prefix: String::new(),
                shown_as: '\u{FFFD}',
            });
        }
        if body.len() % 2 != 0 {
            return Err(DecodeError {
                offset: bytes.len() - 1,
                message: "UTF-16 file has an odd number of bytes".into(),
                prefix: text,
                shown_as: '\u{FFFD}',
            });
        }
        return Ok((text, 0));
    }
    let (mut text, bad) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(at);
            let text = String::from_utf8(bytes).expect("valid up to here");
            (text, Some(at))
        }
    };
    if let Some(nul) = memchr::memchr(0, text.as_bytes()) {
        text.truncate(nul);
        return Err(DecodeError {
            offset: nul,
            message:
                "file has a NUL byte, so it is not UTF-8 text (nor UTF-16 with a byte-order mark)"
                    .into(),
            prefix: text,
            shown_as: '\0',
        });
    }
    match bad {
        None => {
            let start = bom(&text);
            Ok((text, start))
        }
        Some(offset) => Err(DecodeError {
            offset,
            message: "file is not UTF-8 text (nor UTF-16 with a byte-order mark)".into(),
            prefix: text,
            shown_as: '\u{FFFD}',
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
        assert_eq!(err.prefix, "{\"a\": ");
        // A NUL byte is not text either, even in a comment; the first bad byte counts.
        let err = decode(b"{} // \0 \xFF".to_vec()).unwrap_err();
        assert_eq!((err.offset, err.prefix.as_str()), (6, "{} // "));
        assert!(err.message.contains("NUL"), "{}", err.message);
        let err = decode(b"[\xFF \0]".to_vec()).unwrap_err();
        assert_eq!((err.offset, err.prefix.as_str()), (1, "["));
        // UTF-16: the offset in the file, the prefix decoded (a surrogate pair is two units).
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "[\u{1F600}".encode_utf16().chain([0xD800, u16::from(b']')]) {
            utf16.extend(u.to_le_bytes());
        }
        let err = decode(utf16).unwrap_err();
        assert_eq!((err.offset, err.prefix.as_str()), (8, "[\u{1F600}"));
        let err = decode(vec![0xFF, 0xFE, b'[', 0, b']']).unwrap_err();
        assert_eq!((err.offset, err.prefix.as_str()), (4, "["));
    }

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(3 << 9), "1.5 KiB");
        assert_eq!(human_size(MAX_INPUT_BYTES), "4 GiB");
        assert_eq!(human_size(MAX_INPUT_BYTES + (1 << 28)), "4.2 GiB");
    }

    #[test]
    #[cfg(unix)]
    fn a_large_file_reads_the_same_in_parts() {
        let dir = scratch("parts");
        let path = dir.join("big.json");
        // Not a multiple of the parts: the last one is shorter.
        let len = READ_IN_PARTS_MIN as usize + 12_345;
        let bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 23) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // Outside a pool, or on a pool of one: in one go.
        assert!(read_in_parts(&file, len as u64).is_none());
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert!(one.install(|| read_in_parts(&file, len as u64)).is_none());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parts = pool.install(|| read_in_parts(&file, len as u64));
        assert!(
            parts.as_deref() == Some(&bytes[..]),
            "read in parts differs"
        );
        assert!(pool.install(|| read_file(&path, MAX_INPUT_BYTES)).unwrap() == bytes);
        // A file longer than its size said (it grew) is read again in one go.
        assert!(
            pool.install(|| read_in_parts(&file, len as u64 - 1))
                .is_none()
        );
        // Shorter (it shrank): likewise.
        assert!(
            pool.install(|| read_in_parts(&file, len as u64 + 1))
                .is_none()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("peerlint-source-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = scratch("large");
        // Sparse: its size is in the metadata, not on the disk.
        let big = dir.join("big.json");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_INPUT_BYTES + 1).unwrap();
        match read_file(&big, MAX_INPUT_BYTES) {
            Err(e @ ReadError::TooLarge { size: Some(_), .. }) => {
                assert_eq!(
                    e.to_string(),
                    "it is 4 GiB and more; peerlint reads inputs up to 4 GiB less a byte"
                )
            }
            other => panic!("{other:?}"),
        }
        // At the limit it is read; with a lower limit, the same file is refused.
        let small = dir.join("small.json");
        std::fs::write(&small, "[1, 2]").unwrap();
        assert_eq!(read_file(&small, 6).unwrap(), b"[1, 2]");
        assert!(matches!(
            read_file(&small, 5),
            Err(ReadError::TooLarge {
                size: Some(6),
                limit: 5
            })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_stream_is_capped_and_stops_at_the_first_byte_that_is_not_text() {
        use std::io::Read;
        // An endless stream of spaces: refused at the limit, with memory bounded by it.
        let e = read_stream(&mut std::io::repeat(b' '), 200_000).unwrap_err();
        assert!(matches!(
            e,
            ReadError::TooLarge {
                size: None,
                limit: 200_000
            }
        ));
        assert!(e.to_string().contains("larger than 195.3 KiB"), "{e}");
        // `/dev/zero`, or binary: one chunk is read, and decoding reports the first bad byte.
        let bytes = read_stream(&mut std::io::repeat(0), MAX_INPUT_BYTES).unwrap();
        assert!(bytes.len() <= 64 * 1024);
        assert_eq!(decode(bytes).unwrap_err().offset, 0);
        let mut binary = b"[1, ".to_vec();
        binary.extend(std::iter::repeat_n(0xFF, 10));
        let mut r = binary.as_slice().chain(std::io::repeat(b' '));
        let bytes = read_stream(&mut r, MAX_INPUT_BYTES).unwrap();
        assert_eq!(decode(bytes).unwrap_err().offset, 4);
        // A multi-byte character cut by a read is waited for; UTF-16 is read whole.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(1);
                self.0.read(&mut buf[..n])
            }
        }
        let text = "[\"\u{e4}\u{1F600}\"]".as_bytes();
        assert_eq!(read_stream(&mut OneByte(text), 100).unwrap(), text);
        let utf16 = [0xFF, 0xFE, b'[', 0, b']', 0];
        assert_eq!(read_stream(&mut OneByte(&utf16), 100).unwrap(), utf16);
        assert_eq!(read_stream(&mut &b"[]"[..], 2).unwrap(), b"[]");
    }

    #[test]
    fn columns_on_one_long_line_cost_linear_work() {
        // Minified JSON: 4 MB on one line, with multi-byte characters, and a position wanted
        // every 400 bytes (10,000 of them).
        let unit = "{\"name\": \"vnet-\u{e4}\u{1F600}\", \"n\": 1},";
        let text = format!("[{}]\n", unit.repeat(4_000_000 / unit.len()));
        let f = SourceFile::new("x".into(), text.clone(), 0);
        let offsets: Vec<usize> = (0..text.len())
            .step_by(400)
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        assert!(offsets.len() > 9_000);
        for &o in &offsets {
            let (line, col) = f.line_col(o);
            assert_eq!(line, 1);
            // Against a direct count on every 97th position (the direct count is quadratic).
            if o % 97 == 0 {
                assert_eq!(col, text[..o].chars().count() + 1, "at {o}");
            }
        }
        // Quadratic work would be about offsets × half the line: 20,000 MB. Linear: the file
        // once for the block counts, and at most a block per position.
        let bound = text.len() + offsets.len() * CHAR_BLOCK;
        assert!(
            f.bytes_scanned() <= bound,
            "{} > {bound}",
            f.bytes_scanned()
        );
        // The end of the line and the end of the file.
        assert_eq!(
            f.line_col(text.len() - 1).1,
            text.trim_end().chars().count() + 1
        );
        assert_eq!(f.line_col(text.len()), (2, 1));
    }

    #[test]
    fn line_col_counts_chars() {
        let f = SourceFile::new("x".into(), "ab\n\u{e4}x".into(), 0);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2));
    }
}
