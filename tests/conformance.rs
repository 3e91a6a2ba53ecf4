//! The evaluator against external expectations, read in place from
//! `../shared/conformance/arm-functions` (never copied into the repository):
//!
//! - Microsoft's documented examples (`expected.json`, `inline/expected.json`): each template's
//!   outputs, evaluated with its parameters' default values, must equal the documented value
//!   exactly and have the declared output type; an output the set skips (it depends on the
//!   deployment: time, GUIDs, the resource group, zones…) must come out unknown.
//! - PSRule for Azure's unit tests (`psrule/cases.json`): 559 single expressions with a value
//!   or an expected rejection. Where peerlint deliberately differs, [`DIFFERENT`] says why;
//!   any other difference fails.
//!
//! Both tests list every mismatch, not only the first.

use std::path::{Path, PathBuf};

use peerlint::arm::{Outcome, evaluate_expression, evaluate_outputs};
use serde_json::Value;

fn set() -> PathBuf {
    let p = PathBuf::from("../shared/conformance/arm-functions");
    assert!(
        p.join("expected.json").is_file(),
        "the conformance set is read in place from {}; it is missing",
        p.display()
    );
    p
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Whether a value is peerlint's stand-in for something unknown: an unknown, or a text built
/// on the placeholders of the deployment scope (`{subscription}`, `{resourceGroup}`), which
/// peerlint uses when the command line doesn't name the subscription and resource group.
fn unknown(o: &Outcome) -> bool {
    fn scoped(v: &Value) -> bool {
        match v {
            Value::String(s) => s.contains("{subscription}") || s.contains("{resourceGroup}"),
            Value::Array(a) => a.iter().any(scoped),
            Value::Object(m) => m.values().any(scoped),
            _ => false,
        }
    }
    match o {
        Outcome::Unknown { .. } => true,
        Outcome::Known(v) => scoped(v),
    }
}

/// Whether a JSON value has the ARM output type `ty`.
fn has_type(v: &Value, ty: &str) -> bool {
    match ty.to_ascii_lowercase().as_str() {
        "string" | "securestring" => v.is_string(),
        "int" => v.is_i64() || v.is_u64(),
        "bool" => v.is_boolean(),
        "array" => v.is_array(),
        "object" | "secureobject" => v.is_object(),
        _ => false,
    }
}

#[derive(Default)]
struct Tally {
    values: usize,
    values_exact: usize,
    skips: usize,
    skips_unknown: usize,
    mismatches: Vec<String>,
}

fn check_documented(set: &Path, expected: &str, t: &mut Tally) {
    // Template paths are relative to the set's root.
    let dir = set;
    let entries = read_json(&set.join(expected));
    // The same template may be documented under several functions: check each pair once.
    let mut seen = std::collections::HashSet::new();
    for e in entries.as_array().expect("an array of entries") {
        let template = e["template"].as_str().unwrap();
        let path = dir.join(template);
        let text = std::fs::read_to_string(&path).unwrap();
        let (outputs, errors) =
            evaluate_outputs(&text).unwrap_or_else(|| panic!("{}: not JSON", path.display()));
        if !errors.is_empty() && seen.insert((template.to_string(), String::new())) {
            t.mismatches.push(format!(
                "{expected} {template}: expression errors {errors:?}"
            ));
        }
        for (name, want) in e["outputs"].as_object().unwrap() {
            if !seen.insert((template.to_string(), name.clone())) {
                continue;
            }
            let here = format!("{expected} {template} `{name}`");
            let Some((_, ty, got)) = outputs.iter().find(|(n, ..)| n == name) else {
                t.mismatches
                    .push(format!("{here}: no such output evaluated"));
                continue;
            };
            if let Some(skip) = want.get("skip").and_then(Value::as_str) {
                if skip.starts_with("stale:") {
                    continue; // nothing is asserted (see the set's README)
                }
                t.skips += 1;
                if unknown(got) {
                    t.skips_unknown += 1;
                } else {
                    t.mismatches
                        .push(format!("{here}: must be unknown ({skip}), got {got:?}"));
                }
                continue;
            }
            t.values += 1;
            let want_ty = want["type"].as_str().unwrap();
            match got {
                Outcome::Known(v) if v == &want["value"] && has_type(v, ty) => {
                    if ty.eq_ignore_ascii_case(want_ty) {
                        t.values_exact += 1;
                    } else {
                        t.mismatches.push(format!(
                            "{here}: declared type `{ty}`, documented `{want_ty}`"
                        ));
                    }
                }
                other => t.mismatches.push(format!(
                    "{here}: want {} ({want_ty}), got {other:?} (declared `{ty}`)",
                    want["value"]
                )),
            }
        }
    }
}

#[test]
fn microsoft_documented_examples() {
    let set = set();
    let mut t = Tally::default();
    check_documented(&set, "expected.json", &mut t);
    let main = (t.values, t.skips);
    check_documented(&set, "inline/expected.json", &mut t);
    eprintln!(
        "conformance: {}/{} values exact, {}/{} skips unknown (main set {} values, {} skips)",
        t.values_exact, t.values, t.skips_unknown, t.skips, main.0, main.1
    );
    assert!(
        t.mismatches.is_empty(),
        "{} mismatches:\n{}",
        t.mismatches.len(),
        t.mismatches.join("\n")
    );
    // The set's README counts: 124 + 29 values, 19 + 2 skipped outputs (one of them stale).
    assert_eq!((t.values, t.skips), (124 + 29, 18 + 2));
}

/// PSRule's test methods (the `#Name` of a case's `source`) whose value cases peerlint
/// deliberately answers otherwise, and why. Only cases that differ count; an entry that
/// accounts for no difference fails the test.
const DIFFERENT: &[(&str, &str)] = &[
    (
        "Float",
        "peerlint has no floating-point values: `float()` is unknown (its argument is checked)",
    ),
    (
        "BuildUri",
        "`buildUri` is not in Microsoft's template function reference: unknown rather than \
         PSRule's unchecked reading",
    ),
    (
        "ParseUri",
        "`parseUri` is not in Microsoft's template function reference: unknown rather than \
         PSRule's unchecked reading",
    ),
    (
        "Guid",
        "Azure's `guid()` algorithm is not documented (PSRule's value is disputed): unknown, \
         with a placeholder that keeps equal calls equal as names",
    ),
    (
        "UniqueString",
        "Azure's `uniqueString()` algorithm is not documented (PSRule's values are disputed): \
         unknown, with a placeholder",
    ),
    (
        "UriComponent",
        "disputed: Microsoft's documentation shows upper-case escapes (`%3A`), PSRule \
         lower-case",
    ),
];

/// JSON equality with numbers compared by value (PSRule's `3.0` is `3`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

#[test]
fn psrule_cases() {
    let cases = read_json(&set().join("psrule/cases.json"));
    let cases = cases.as_array().expect("an array of cases");
    assert_eq!(cases.len(), 559);
    let mut failures = Vec::new();
    let mut passed = 0;
    let mut different = vec![0; DIFFERENT.len()];
    for c in cases {
        let expr = c["expression"].as_str().unwrap();
        let method = c["source"].as_str().unwrap().rsplit('#').next().unwrap();
        let (out, errors) = evaluate_expression("{}", expr);
        let agrees = if c.get("error").is_some() {
            !errors.is_empty()
        } else {
            errors.is_empty() && matches!(&out, Outcome::Known(v) if same(v, &c["expected"]))
        };
        let listed = DIFFERENT.iter().position(|(m, _)| *m == method);
        match (agrees, listed) {
            (true, _) => passed += 1,
            (false, Some(i)) if c.get("error").is_none() => different[i] += 1,
            (false, _) => {
                let want = match c.get("error") {
                    Some(_) => "an error".to_string(),
                    None => c["expected"].to_string(),
                };
                failures.push(format!(
                    "{expr}: want {want}, got {out:?} with errors {errors:?}"
                ));
            }
        }
    }
    for ((m, _), n) in DIFFERENT.iter().zip(&different) {
        if *n == 0 {
            failures.push(format!(
                "`{m}` in DIFFERENT accounts for no difference: take it off the list"
            ));
        }
    }
    let different: usize = different.iter().sum();
    eprintln!(
        "psrule: {passed} passed, {different} deliberately different, {} failing",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
