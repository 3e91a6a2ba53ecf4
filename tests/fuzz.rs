//! A fuzz harness that runs on stable (issue 10), with proptest: the JSON and YAML parsers,
//! the template evaluator and the GruCloud reader (the JavaScript evaluator and its loader)
//! get generated and mutated inputs, seeded from `testdata/` and `../shared/corpus` (and the
//! ARM function conformance templates), and must not panic, must keep their output bounded,
//! and (the parsers) must give spans inside the text and on character boundaries.
//!
//! `cargo test` runs a few hundred cases of each, from a fixed seed, in a few seconds. For a
//! longer hunt: `PEERLINT_FUZZ_CASES=1000000 cargo test --release --test fuzz`, with
//! `PEERLINT_FUZZ_SEED=<number>` for other cases than CI's. A failure prints the (shrunk)
//! input; fix it and add a regression test where the bug lives.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use peerlint::source::{FileId, SourceFile, Span};
use peerlint::tree::{Kind, NodeId, Tree};

/// Cases per property: `PEERLINT_FUZZ_CASES`, else `default` (CI's share).
fn runner(default: u32) -> TestRunner {
    let cases = std::env::var("PEERLINT_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    let seed: u64 = std::env::var("PEERLINT_FUZZ_SEED")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Text files under `dir` with one of `exts`, at most `max` bytes each, in path order.
fn files(dir: &Path, exts: &[&str], max: u64, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, exts, max, out);
        } else if p
            .extension()
            .is_some_and(|x| exts.contains(&x.to_string_lossy().as_ref()))
            && p.metadata().is_ok_and(|m| m.len() <= max)
        {
            out.push(p);
        }
    }
}

/// The seed texts: every small JSON and YAML file of `testdata/` and the shared corpus.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        read_seeds(
            &[
                "testdata",
                "../shared/corpus",
                "../shared/conformance/arm-functions/templates",
            ],
            &["json", "yaml", "yml"],
            50,
        )
    })
}

/// The texts of the files up to 64 KiB with one of `exts` under `dirs`: at least `min` of them.
fn read_seeds(dirs: &[&str], exts: &[&str], min: usize) -> Vec<String> {
    let mut paths = Vec::new();
    for dir in dirs {
        files(Path::new(dir), exts, 64 * 1024, &mut paths);
    }
    let seeds: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(
        seeds.len() >= min,
        "too few {exts:?} seeds: {}",
        seeds.len()
    );
    seeds
}

/// Every string of the seeds that is an ARM expression (`[...]`).
fn expressions() -> &'static [String] {
    static EXPRESSIONS: OnceLock<Vec<String>> = OnceLock::new();
    EXPRESSIONS.get_or_init(|| {
        let mut out = std::collections::BTreeSet::new();
        for s in seeds() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(s) else {
                continue;
            };
            let mut stack = vec![&v];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::String(s)
                        if s.starts_with('[') && s.ends_with(']') && s.len() < 400 =>
                    {
                        out.insert(s.clone());
                    }
                    serde_json::Value::Array(a) => stack.extend(a),
                    serde_json::Value::Object(o) => stack.extend(o.values()),
                    _ => {}
                }
            }
        }
        assert!(out.len() >= 100, "too few expressions: {}", out.len());
        out.into_iter().collect()
    })
}

/// Pieces that tend to matter to a JSON, YAML or expression parser.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "'",
    "\\",
    "\\u",
    "\\ud800",
    "\\u0000",
    "/*",
    "*/",
    "//",
    "\n",
    "\r\n",
    "\t",
    " ",
    "#",
    "- ",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "!t ",
    "|",
    ">-",
    "---",
    "...",
    "%YAML 1.2\n",
    "<<: ",
    "null",
    "true",
    "-0",
    "1e999",
    "0x1F",
    ".inf",
    "[[[[[[[[",
    "]]]]",
    "{{{{",
    "\u{feff}",
    "\u{202e}",
    "\u{1b}[2J",
    "\0",
    "\u{e4}",
    "\u{1F600}",
    "\u{fffd}",
    "copy",
    "name",
    "properties",
    "(",
    ")",
    "'",
    "''",
    ".",
    "[0]",
    "concat(",
    "parameters('",
    "variables('",
    "copyIndex(",
    "range(0, 100000)",
    "json('",
    "string(",
    "int('",
];

/// One change to a text: where (a fraction of its length), and what.
#[derive(Clone, Debug)]
enum Mutation {
    Insert(f64, String),
    Delete(f64, usize),
    /// Repeat a stretch of the text right after it.
    Repeat(f64, usize, usize),
    Replace(f64, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let piece = prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => ".{0,8}",
        1 => proptest::collection::vec(any::<u8>(), 1..6)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    prop_oneof![
        3 => (0.0..1.0, piece.clone()).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (0.0..1.0, 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (0.0..1.0, 1usize..200, 1usize..4).prop_map(|(at, n, k)| Mutation::Repeat(at, n, k)),
        2 => (0.0..1.0, piece).prop_map(|(at, s)| Mutation::Replace(at, s)),
    ]
}

/// The character boundary at or before the fraction `at` of `s`.
fn boundary(s: &str, at: f64) -> usize {
    let mut i = ((s.len() as f64) * at) as usize;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn end_after(s: &str, start: usize, n: usize) -> usize {
    let mut e = (start + n).min(s.len());
    while !s.is_char_boundary(e) {
        e += 1;
    }
    e
}

fn apply(text: &str, ms: &[Mutation]) -> String {
    let mut s = text.to_string();
    for m in ms {
        match m {
            Mutation::Insert(at, piece) => s.insert_str(boundary(&s, *at), piece),
            Mutation::Delete(at, n) => {
                let a = boundary(&s, *at);
                let b = end_after(&s, a, *n);
                s.replace_range(a..b, "");
            }
            Mutation::Repeat(at, n, k) => {
                let a = boundary(&s, *at);
                let b = end_after(&s, a, *n);
                let part = s[a..b].repeat(*k);
                s.insert_str(b, &part);
            }
            Mutation::Replace(at, piece) => {
                let a = boundary(&s, *at);
                let b = end_after(&s, a, piece.len());
                s.replace_range(a..b, piece);
            }
        }
    }
    s
}

/// A seed text with mutations; sometimes after a byte-order mark.
fn mutated_seed() -> impl Strategy<Value = (String, usize)> {
    (
        0..seeds().len(),
        proptest::collection::vec(mutation(), 0..8),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(i, ms, bom)| {
            let text = apply(&seeds()[i], &ms);
            if bom {
                (format!("\u{feff}{text}"), 3)
            } else {
                (text, 0)
            }
        })
}

/// Arbitrary JSON, written compactly or pretty: the JSON parser must accept it.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
        proptest::sample::select(TOKENS).prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(6, 200, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            proptest::collection::vec((".{0,6}", inner), 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    (value, any::<bool>()).prop_map(|(v, pretty)| {
        if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        }
    })
}

fn check(cond: bool, what: impl FnOnce() -> String) -> Result<(), TestCaseError> {
    if cond {
        Ok(())
    } else {
        Err(TestCaseError::fail(what()))
    }
}

/// A span lies inside the text (after `start`, the content's start, unless empty at 0) and on
/// character boundaries.
fn span_ok(text: &str, s: Span, what: &str) -> Result<(), TestCaseError> {
    let (a, b) = (s.start as usize, s.end as usize);
    check(
        a <= b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b),
        || format!("{what}: span {a}..{b} in a text of {} bytes", text.len()),
    )
}

/// Walks a parsed tree: every node's span and key span, every accessor, bounded size.
fn tree_ok(text: &str, t: &Tree, max_nodes: usize) -> Result<(), TestCaseError> {
    let Some(root) = t.root() else {
        return Ok(());
    };
    let mut stack = vec![root];
    let mut nodes = 0;
    while let Some(n) = stack.pop() {
        nodes += 1;
        check(nodes <= max_nodes, || {
            format!("more than {max_nodes} nodes")
        })?;
        span_ok(text, t.span(n), "node")?;
        span_ok(text, t.key_span(n), "key")?;
        match t.kind(n) {
            Kind::String => check(t.str(n).is_some(), || "a string without text".into())?,
            Kind::Number => check(t.number(n).is_some(), || "a number without text".into())?,
            Kind::Bool => check(t.bool(n).is_some(), || "a boolean without value".into())?,
            Kind::Array | Kind::Object | Kind::Null => {}
        }
        let _ = t.key(n);
        let _ = t.pointer(n);
        if let Some(p) = t.parent(n) {
            check(p < n, || "a parent after its child".into())?;
        }
        stack.extend(t.children(n));
        let _ = t.members(n).count();
    }
    for c in &t.comments {
        span_ok(text, *c, "comment")?;
    }
    for &(first, later) in t.duplicates() {
        check(first < later, || "a duplicate before its first".into())?;
        check(
            t.key(first)
                .zip(t.key(later))
                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b)),
            || "duplicates with different keys".into(),
        )?;
    }
    Ok(())
}

/// Parses `text` as JSON or YAML and checks the tree or the error.
fn parse_ok(text: &str, start: usize, yaml: bool) -> Result<bool, TestCaseError> {
    let arc = Arc::new(text.to_string());
    let parsed = if yaml {
        peerlint::yaml::parse(&arc, start)
    } else {
        peerlint::json::parse(&arc, start)
    };
    // YAML aliases may add up to a million copied nodes; JSON has at most one a byte.
    let max = text.len()
        + 1
        + if yaml {
            peerlint::yaml::MAX_ALIAS_NODES
        } else {
            0
        };
    let ok = parsed.is_ok();
    match parsed {
        Ok(t) => tree_ok(text, &t, max)?,
        Err(e) => {
            span_ok(text, e.span, "error")?;
            check(!e.message.is_empty() && e.message.len() < 2_000, || {
                format!("error message of {} bytes", e.message.len())
            })?;
        }
    }
    // Positions of a few offsets, as output computes them.
    let f = SourceFile::new("x".into(), text.to_string(), start);
    for at in [0, text.len() / 3, text.len() / 2, text.len()] {
        let (line, col) = f.line_col(at);
        check(line >= 1 && col >= 1, || format!("position {line}:{col}"))?;
    }
    Ok(ok)
}

#[test]
fn parsers_take_mutated_seeds() {
    runner(300)
        .run(&(mutated_seed(), any::<bool>()), |((text, start), yaml)| {
            parse_ok(&text, start, yaml).map(|_| ())
        })
        .unwrap();
}

#[test]
fn parsers_take_generated_json() {
    runner(300)
        .run(&json_text(), |text| {
            check(parse_ok(&text, 0, false)?, || "valid JSON rejected".into())?;
            // JSON is (nearly) YAML: whatever saphyr says, no panic and sound spans.
            parse_ok(&text, 0, true).map(|_| ())
        })
        .unwrap();
}

/// A template with `e` in the places evaluation reads: a variable, a resource's name,
/// condition, copy count and properties, and an output.
fn template(e: &str) -> String {
    serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "p": {"type": "string", "defaultValue": "hub"},
            "n": {"type": "int", "defaultValue": 2},
            "o": {"type": "object", "defaultValue": {"a": [1, 2], "b": "x"}}
        },
        "variables": {"v": e, "w": "[concat(variables('v'), 'x')]"},
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2024-05-01",
                "name": e,
                "condition": e,
                "properties": {
                    "addressSpace": {"addressPrefixes": [e, "[variables('w')]"]},
                    "subnets": [{"name": e, "properties": {"addressPrefix": e}}]
                },
                "copy": {"name": "c", "count": e}
            },
            {
                "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                "apiVersion": "2024-05-01",
                "name": "[concat(parameters('p'), '/', variables('v'))]",
                "properties": {"remoteVirtualNetwork": {"id": e}, "allowGatewayTransit": e}
            }
        ],
        "outputs": {"x": {"type": "string", "value": e}}
    })
    .to_string()
}

/// An expression from the seeds, mutated.
fn expression() -> impl Strategy<Value = String> {
    (
        0..expressions().len(),
        proptest::collection::vec(mutation(), 0..5),
    )
        .prop_map(|(i, ms)| apply(&expressions()[i], &ms))
        .prop_filter("short", |e| e.len() < 600)
}

const SCOPE: &str = r#"{"parameters": {"p": {"type": "string", "defaultValue": "hub"},
    "n": {"type": "int", "defaultValue": 3}, "o": {"type": "object", "defaultValue": {"a": [1, 2]}}},
    "variables": {"v": "[concat(parameters('p'), '-x')]", "l": [1, 2, 3]}}"#;

#[test]
fn the_evaluator_takes_mutated_expressions() {
    runner(300)
        .run(&expression(), |e| {
            let (outcome, errors) = peerlint::arm::evaluate_expression(SCOPE, &e);
            check(errors.len() < 100, || format!("{} errors", errors.len()))?;
            if let peerlint::arm::Outcome::Known(v) = outcome {
                let size = v.to_string().len();
                check(size < 4 << 20, || format!("a value of {size} bytes"))?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_evaluator_takes_templates_with_mutated_expressions() {
    runner(150)
        .run(&expression(), |e| {
            let text = Arc::new(template(&e));
            let tree = peerlint::json::parse(&text, 0).expect("serde_json writes JSON");
            let out =
                peerlint::arm::evaluate(&tree, FileId(0), None, &peerlint::arm::Context::default());
            check(out.resources.len() <= 10_000, || {
                format!("{} resources", out.resources.len())
            })?;
            check(out.problems.len() <= 10_000, || {
                format!("{} problems", out.problems.len())
            })?;
            for r in &out.resources {
                let _ = format!("{r:?}");
            }
            Ok(())
        })
        .unwrap();
}

/// The GruCloud designs of `testdata/grucloud` (`resources.js`, `config.js`).
fn js_seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| read_seeds(&["testdata/grucloud"], &["js"], 8))
}

/// Pieces that tend to matter to a JavaScript parser and to the evaluator.
const JS_TOKENS: &[&str] = &[
    "=>",
    "`",
    "${",
    "}`",
    "...",
    "?.",
    "(",
    ")",
    "({",
    "})",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "\n",
    "//",
    "/*",
    "*/",
    "/x/g",
    "\\",
    "'",
    "\"",
    "getId(",
    "config.",
    "process.env.X",
    "require('rubico')",
    "require('x')",
    "exports.createResources = ",
    "module.exports = ",
    "async ",
    "function f() { return ",
    "new ",
    "typeof ",
    "!",
    "-",
    "1e999",
    "0x1F",
    "null",
    "undefined",
    "[[[[[[[[",
    "]]]]",
    "((((",
    "))))",
    "\u{feff}",
    "\u{202e}",
    "\0",
    "\u{1F600}",
    "::",
    "rg::vnet::subnet",
];

/// A GruCloud seed with mutations from both token lists.
fn mutated_js() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(JS_TOKENS).prop_map(str::to_string),
        1 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => ".{0,8}",
    ];
    let m = prop_oneof![
        3 => (0.0..1.0, piece.clone()).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (0.0..1.0, 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (0.0..1.0, 1usize..200, 1usize..4).prop_map(|(at, n, k)| Mutation::Repeat(at, n, k)),
        2 => (0.0..1.0, piece).prop_map(|(at, s)| Mutation::Replace(at, s)),
    ];
    (0..js_seeds().len(), proptest::collection::vec(m, 0..8))
        .prop_map(|(i, ms)| apply(&js_seeds()[i], &ms))
}

/// Every location of an evaluated value lies in the text, on character boundaries.
fn data_ok(text: &str, d: &peerlint::js::Data, depth: usize) -> Result<(), TestCaseError> {
    check(depth <= 600, || {
        "a value deeper than the evaluator's limit".into()
    })?;
    span_ok(text, d.at.span, "value")?;
    match &d.v {
        peerlint::js::DataVal::Array(items) => {
            for x in items {
                data_ok(text, x, depth + 1)?;
            }
        }
        peerlint::js::DataVal::Object(m) => {
            for (_, x) in m {
                data_ok(text, x, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[test]
fn the_javascript_evaluator_takes_mutated_grucloud_designs() {
    runner(200)
        .run(&mutated_js(), |text| {
            let out = peerlint::js::run(&text, FileId(0), |m| {
                let exports = m.exports();
                let v = match exports.get("createResources") {
                    Some(f) if f.is_function() => m.call(f, vec![], f.at.span),
                    _ => exports,
                };
                m.export(&v, &mut 100_000)
            });
            match out {
                Ok(d) => data_ok(&text, &d, 0)?,
                Err(peerlint::js::Failure::Syntax { message, span }) => {
                    span_ok(&text, span, "syntax error")?;
                    check(!message.is_empty(), || "an empty syntax error".into())?;
                }
                Err(e) => check(false, || format!("{e:?}"))?,
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_grucloud_loader_takes_mutated_designs() {
    let dir = std::env::temp_dir().join(format!("peerlint-fuzz-grucloud-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("resources.js");
    runner(100)
        .run(&mutated_js(), |text| {
            std::fs::write(&path, &text).unwrap();
            let inputs = [peerlint::discover::Input {
                display: "resources.js".into(),
                origin: peerlint::discover::Origin::File(path.clone()),
                explicit: true,
            }];
            let o = peerlint::engine::run(&inputs, &mut std::io::empty(), peerlint::rules::ALL);
            check(o.diagnostics.len() < 10_000, || {
                format!("{} diagnostics", o.diagnostics.len())
            })?;
            for d in &o.diagnostics {
                let src = &o.db.get(d.at.file).text;
                span_ok(src, d.at.span, d.rule)?;
            }
            Ok(())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

// Regressions: what the harness found, each fixed where it lived.

/// An expression error on a multi-byte character (here a byte-order mark after `[`) had a span
/// ending inside it: slicing the text there panicked.
#[test]
fn an_expression_error_on_a_multi_byte_character_spans_the_whole_character() {
    let (_, errors) = peerlint::arm::evaluate_expression(SCOPE, "[\u{feff}concat('a', 'b')]");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].1, "\u{feff}");
    let (_, errors) = peerlint::arm::evaluate_expression(SCOPE, "[concat('a') \u{e4}]");
    assert_eq!(errors[0].1, "\u{e4}", "{errors:?}");
}

/// The harness must be able to fail: a panic in a property is reported, not swallowed.
#[test]
fn the_harness_reports_a_failing_property() {
    let result = std::panic::catch_unwind(|| {
        runner(20)
            .run(&json_text(), |text| {
                check(!text.is_empty() && text.len() > 1_000_000, || {
                    "expected".into()
                })
            })
            .unwrap()
    });
    assert!(result.is_err());
    let _ = NodeId(0);
}
