//! The benchmark's baseline: read a file and parse it once with serde_json into `IgnoredAny`.
//!
//! `cargo run --release --example parse_baseline -- FILE.json`

use serde::de::IgnoredAny;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: parse_baseline FILE.json");
    let text = std::fs::read(&path).expect("readable file");
    let _: IgnoredAny = serde_json::from_slice(&text).expect("valid JSON");
}
