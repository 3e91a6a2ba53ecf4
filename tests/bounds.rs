//! Evaluation is bounded on any template: depth (no stack overflow), the size of the values it
//! builds and the work it does (no memory or time blow-up), integer arithmetic (no
//! wrap-around). Hitting a bound is an `invalid-expression` at the place, the other files'
//! findings intact. Inputs are generated here, small; big values are built by the templates.

mod common;

use common::{peerlint, scratch};
use peerlint::arm::eval::{MAX_DEPTH, MAX_VALUE_DEPTH, MAX_VALUE_SIZE, SIZE_BUDGET};
use peerlint::arm::value::NODE_BYTES;
use peerlint::arm::{Outcome, evaluate_expression, evaluate_outputs};
use serde_json::{Value, json};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// A template with `variables`, deploying one vnet named `name` with `properties` added.
fn template(variables: Value, name: &str, properties: Value) -> Value {
    let mut props = json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}});
    props
        .as_object_mut()
        .unwrap()
        .extend(properties.as_object().unwrap().clone());
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "variables": variables,
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2024-05-01",
            "name": name,
            "location": "westeurope",
            "properties": props
        }]
    })
}

/// A good file whose one finding must survive whatever the other file does: a subnet outside
/// its vnet.
fn good() -> Value {
    template(
        json!({}),
        "good",
        json!({"subnets": [{"name": "s", "properties": {"addressPrefix": "10.1.0.0/24"}}]}),
    )
}

/// Checks `bad` beside the good file (each written pretty-printed, one member a line): the
/// findings of `bad.json` as (rule, line, message), after asserting the good file's finding
/// is there.
fn check_beside_good(name: &str, bad: &Value) -> Vec<(String, u64, String)> {
    let dir = scratch(name);
    let b = dir.join("bad.json");
    let g = dir.join("good.json");
    std::fs::write(&b, serde_json::to_string_pretty(bad).unwrap()).unwrap();
    std::fs::write(&g, serde_json::to_string_pretty(&good()).unwrap()).unwrap();
    let out = peerlint(
        &[
            "check",
            "--format",
            "json",
            b.to_str().unwrap(),
            g.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    let ds = v["diagnostics"].as_array().unwrap();
    let of = |file: &str| -> Vec<(String, u64, String)> {
        ds.iter()
            .filter(|d| d["path"].as_str().unwrap().ends_with(file))
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let good = of("good.json");
    assert_eq!(good.len(), 1, "{good:#?}");
    assert_eq!(good[0].0, "subnet-outside-vnet", "{good:#?}");
    of("bad.json")
}

/// The invalid-expression findings among `findings`.
fn invalid(findings: &[(String, u64, String)]) -> Vec<(u64, String)> {
    findings
        .iter()
        .filter(|(r, ..)| r == "invalid-expression")
        .map(|(_, l, m)| (*l, m.clone()))
        .collect()
}

/// Variables `v0` … `v<n-1>`, each `v<i>` reading `v<i-1>`, `v0` being `leaf`.
fn chain(n: usize, leaf: &str) -> Value {
    let mut vars = serde_json::Map::new();
    vars.insert("v0".into(), json!(leaf));
    for i in 1..n {
        vars.insert(format!("v{i}"), json!(format!("[variables('v{}')]", i - 1)));
    }
    Value::Object(vars)
}

/// A vnet named by the last variable of `chain(n, leaf)`. Evaluating the name nests `2n + 1`
/// levels deep with a literal leaf: the name (1), then per variable its `variables()` call
/// and its definition (2 each; the call's argument, `'v<i>'`, is as deep as the definition it
/// names, and evaluated first); a leaf that is a call without arguments adds one.
fn chained_vnet(n: usize, leaf: &str) -> Value {
    template(
        chain(n, leaf),
        &format!("[variables('v{}')]", n - 1),
        json!({}),
    )
}

#[test]
fn a_chain_of_variables_evaluates_up_to_the_depth_bound() {
    let n = (MAX_DEPTH - 1) / 2;
    assert_eq!(2 * n + 1, MAX_DEPTH - 1);
    let found = check_beside_good("bounds-depth-below", &chained_vnet(n, "x"));
    assert!(invalid(&found).is_empty(), "{found:#?}");
    // Exactly at the bound: the leaf is a call, one level more.
    let found = check_beside_good("bounds-depth-at", &chained_vnet(n, "[utcNow()]"));
    assert!(invalid(&found).is_empty(), "{found:#?}");
}

#[test]
fn one_level_past_the_depth_bound_is_an_invalid_expression_not_a_crash() {
    let n = MAX_DEPTH / 2;
    assert_eq!(2 * n + 1, MAX_DEPTH + 1);
    let found = check_beside_good("bounds-depth-over", &chained_vnet(n, "x"));
    let errors = invalid(&found);
    assert_eq!(errors.len(), 1, "{found:#?}");
    assert!(
        errors[0]
            .1
            .contains(&format!("nests more than {MAX_DEPTH} levels deep")),
        "{errors:#?}"
    );
    // At the place: the first one too deep, `'v0'` in `v1`'s `variables('v0')`.
    let text = serde_json::to_string_pretty(&chained_vnet(n, "x")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains(r#""v1": "[variables('v0')]""#))
        .unwrap()
        + 1;
    assert_eq!(errors[0].0, line as u64, "{errors:#?}");
}

#[test]
fn far_past_the_depth_bound_the_run_still_ends_cleanly() {
    // The chains that overflowed the stack: 100,000 variables, plain and through `concat`.
    for leaf_call in [false, true] {
        let n = 100_000;
        let mut vars = serde_json::Map::new();
        vars.insert("v0".into(), json!("x"));
        for i in 1..n {
            let e = if leaf_call {
                format!("[concat(variables('v{}'), '')]", i - 1)
            } else {
                format!("[variables('v{}')]", i - 1)
            };
            vars.insert(format!("v{i}"), json!(e));
        }
        let t = template(
            Value::Object(vars),
            &format!("[variables('v{}')]", n - 1),
            json!({}),
        );
        let found = check_beside_good("bounds-depth-far", &t);
        assert_eq!(invalid(&found).len(), 1, "{found:#?}");
    }
}

/// A vnet whose DNS servers are the value of expression `e`, with `variables`.
fn vnet_with(variables: Value, e: &str) -> Value {
    template(variables, "vnet", json!({"dhcpOptions": {"dnsServers": e}}))
}

#[test]
fn values_nest_up_to_the_value_depth_bound() {
    // `reduce` wraps `x` in one array per element: depth 1 + count.
    let nest = |depth: usize| {
        let t = json!({"outputs": {"deep": {"type": "array", "value": format!(
            "[reduce(range(0, {}), 'x', lambda('acc', 'i', createArray(lambdaVariables('acc'))))]",
            depth - 1
        )}}});
        evaluate_outputs(&t.to_string()).unwrap()
    };
    for depth in [MAX_VALUE_DEPTH - 1, MAX_VALUE_DEPTH] {
        let (outputs, errors) = nest(depth);
        assert!(errors.is_empty(), "{depth}: {errors:?}");
        assert!(matches!(outputs[0].2, Outcome::Known(_)), "{depth}");
    }
    let (outputs, errors) = nest(MAX_VALUE_DEPTH + 1);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].0.contains(&format!(
            "the result of `createArray` nests more than {MAX_VALUE_DEPTH} levels deep"
        )),
        "{errors:?}"
    );
    assert!(matches!(outputs[0].2, Outcome::Unknown { .. }));
    // In a resource too, beside a good file (its properties nest two levels above the
    // value): one error, no crash.
    let found = check_beside_good(
        "bounds-value-depth",
        &vnet_with(
            json!({}),
            &format!(
                "[reduce(range(0, {}), 'x', lambda('acc', 'i', createArray(lambdaVariables('acc'))))]",
                5 * MAX_VALUE_DEPTH
            ),
        ),
    );
    assert_eq!(invalid(&found).len(), 1, "{found:#?}");
}

/// A way to double a value: the expression doubling variable `v`, and the function that
/// builds the result.
type Step = (fn(&str) -> String, &'static str);

/// Variables `v0` (`seed`) … `v<n>`, each `v<i>` the expression `step` makes of `v<i-1>`'s
/// name.
fn doubling(seed: Value, n: usize, step: fn(&str) -> String) -> Value {
    let mut vars = serde_json::Map::new();
    vars.insert("v0".into(), seed);
    for i in 1..=n {
        vars.insert(format!("v{i}"), json!(step(&format!("v{}", i - 1))));
    }
    Value::Object(vars)
}

#[test]
fn doubling_a_value_stops_at_the_size_bound() {
    // 30 doublings: a string, an array, and an array sharing its halves (tiny in memory, but
    // printing or comparing it would walk 2^30 elements).
    let cases: [(&str, Value, Step); 3] = [
        (
            "string",
            json!("ab"),
            (
                |v| format!("[concat(variables('{v}'), variables('{v}'))]"),
                "concat",
            ),
        ),
        (
            "array",
            json!(["a", "b"]),
            (
                |v| format!("[concat(variables('{v}'), variables('{v}'))]"),
                "concat",
            ),
        ),
        (
            "shared",
            json!(["a", "b"]),
            (
                |v| format!("[createArray(variables('{v}'), variables('{v}'))]"),
                "createArray",
            ),
        ),
    ];
    for (what, seed, (step, f)) in cases {
        let vars = doubling(seed, 30, step);
        let found = check_beside_good(
            &format!("bounds-double-{what}"),
            &vnet_with(vars, "[array(variables('v30'))]"),
        );
        let errors = invalid(&found);
        // Once: the variables built from the invalid one would only exceed it again.
        assert_eq!(errors.len(), 1, "{what}: {found:#?}");
        let bound = format!(
            "the result of `{f}` is larger than {} MiB",
            MAX_VALUE_SIZE >> 20
        );
        assert!(
            errors.iter().all(|(_, m)| m.contains(&bound)),
            "{what}: {errors:#?}"
        );
    }
}

#[test]
fn a_value_may_be_as_large_as_the_size_bound_and_no_larger() {
    // A string of `len` bytes has size `NODE_BYTES + len`: `v14` is 2^24 bytes (a 1 KiB seed
    // doubled 14 times), and `concat(v14, substring(v14, 0, k))` makes `2^24 + k`.
    let seed = "a".repeat(1024);
    let vars = doubling(json!(seed), 14, |v| {
        format!("[concat(variables('{v}'), variables('{v}'))]")
    });
    let at = |extra: usize| {
        let k = MAX_VALUE_SIZE - NODE_BYTES - (1 << 24) + extra;
        let t = json!({
            "variables": vars.clone(),
            "outputs": {"n": {"type": "int", "value":
                format!("[length(concat(variables('v14'), substring(variables('v14'), 0, {k})))]")}}
        });
        evaluate_outputs(&t.to_string()).unwrap()
    };
    let (outputs, errors) = at(0);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        outputs[0].2,
        Outcome::Known(json!(MAX_VALUE_SIZE - NODE_BYTES))
    );
    let (outputs, errors) = at(1);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .0
            .contains("the result of `concat` is larger than")
    );
    assert!(matches!(outputs[0].2, Outcome::Unknown { .. }));
}

#[test]
fn a_template_that_builds_too_much_stops_once_with_one_error() {
    // Each of 800 vnets enumerates 10,000 subnets of a /8 with `cidrSubnet` in a lambda: far
    // more than the budget, though every single value is small.
    let t = json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2024-05-01",
            "name": "[concat('v', copyIndex())]",
            "copy": {"name": "vnets", "count": 800},
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/8"]},
                "dhcpOptions": {"dnsServers":
                    "[map(range(0, 10000), lambda('i', cidrSubnet('10.0.0.0/8', 24, lambdaVariables('i'))))]"}
            }
        }]
    });
    let found = check_beside_good("bounds-budget", &t);
    let errors = invalid(&found);
    assert_eq!(errors.len(), 1, "{found:#?}");
    assert!(
        errors[0].1.contains(&format!(
            "the template builds more than {} MiB of values; peerlint stops evaluating it here",
            SIZE_BUDGET >> 20
        )),
        "{errors:#?}"
    );
}

#[test]
fn functions_that_multiply_their_input_are_bounded_before_they_build() {
    // A 1 MiB text, made 32 times larger in one call: refused before the text is built.
    let vars = doubling(json!("a".repeat(1024)), 10, |v| {
        format!("[concat(variables('{v}'), variables('{v}'))]")
    });
    let big = "variables('v10')";
    let thirty_two = format!("'{}'", "{0}".repeat(32));
    for (f, e) in [
        (
            "replace",
            format!("replace({big}, 'a', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')"),
        ),
        ("format", format!("format({thirty_two}, {big})")),
        (
            "join",
            format!("join(createArray({}), {big})", vec!["'a'"; 40].join(", ")),
        ),
        ("concat", format!("concat({})", vec![big; 40].join(", "))),
        ("split", format!("split({big}, 'a')")),
    ] {
        let t = json!({"variables": vars.clone(), "outputs": {"n": {"type": "int", "value": format!("[length({e})]")}}});
        let (outputs, errors) = evaluate_outputs(&t.to_string()).unwrap();
        assert_eq!(errors.len(), 1, "{f}: {errors:?}");
        assert!(
            errors[0]
                .0
                .contains(&format!("the result of `{f}` is larger than")),
            "{f}: {errors:?}"
        );
        assert!(matches!(outputs[0].2, Outcome::Unknown { .. }), "{f}");
    }
}

#[test]
fn integer_arithmetic_never_wraps() {
    let max = i64::MAX;
    let min = i64::MIN;
    // Every family that computes with integers: overflow is an error, as in Resource Manager.
    for e in [
        format!("[add({max}, 1)]"),
        format!("[sub({min}, 1)]"),
        format!("[mul({max}, 2)]"),
        format!("[div({min}, -1)]"),
        format!("[mod({min}, -1)]"),
        format!("[range({max}, 3)]"),
        "[range(2147483647, 1)]".to_string(),
        format!("[range(0, {max})]"),
        format!("[range(0, {min})]"),
        format!("[substring('abc', {max}, 1)]"),
        format!("[substring('abc', 1, {max})]"),
        format!("[substring('abc', {min})]"),
        format!("[substring('abc', 1, {min})]"),
        format!("[indexFromEnd(createArray(1, 2), {min})]"),
        format!("[cidrSubnet('10.0.0.0/8', 24, {max})]"),
        format!("[cidrSubnet('10.0.0.0/8', {max}, 1)]"),
        format!("[cidrHost('10.0.0.0/8', {max})]"),
        format!("[dateTimeFromEpoch({max})]"),
        format!("[dateTimeFromEpoch({min})]"),
        "[dateTimeAdd('2020-01-01T00:00:00Z', 'P700000000000000000Y', 'u')]".to_string(),
        "[dateTimeAdd('2020-01-01T00:00:00Z', 'PT9223372036854775807S', 'u')]".to_string(),
        "[int('9223372036854775808')]".to_string(),
        "[add('9223372036854775807', 1)]".to_string(),
    ] {
        let (out, errs) = evaluate_expression("{}", &e);
        assert_eq!(errs.len(), 1, "{e}: {out:?} {errs:?}");
        assert!(matches!(out, Outcome::Unknown { .. }), "{e}: {out:?}");
    }
    // Counts past what a string or array holds are cut to it, as documented; negative ones
    // count as none.
    // None: not reproduced exactly, so unknown (never a wrapped value).
    for (e, want) in [
        (format!("[take('abc', {max})]"), Some(json!("abc"))),
        (format!("[take('abc', {min})]"), Some(json!(""))),
        (format!("[skip('abc', {max})]"), Some(json!(""))),
        (
            format!("[skip(createArray(1, 2), {min})]"),
            Some(json!([1, 2])),
        ),
        (format!("[range({min}, 2)]"), Some(json!([min, min + 1]))),
        (format!("[add({max}, {min})]"), Some(json!(-1))),
        (
            format!("[tryIndexFromEnd(createArray(1, 2), {min})]"),
            Some(json!(null)),
        ),
        (
            format!("[cidrHost('::/0', {max})]"),
            Some(json!("::8000:0:0:0")),
        ),
        (
            "[format('{0,-9223372036854775808}', 'a')]".to_string(),
            None,
        ),
        ("[json('99999999999999999999999')]".to_string(), None),
        (format!("[padLeft('a', {max})]"), None),
        (format!("[padLeft('a', {min})]"), None),
    ] {
        let (out, errs) = evaluate_expression("{}", &e);
        assert!(errs.is_empty(), "{e}: {errs:?}");
        match (&out, want) {
            (Outcome::Known(v), Some(want)) => assert_eq!(v, &want, "{e}"),
            (Outcome::Unknown { .. }, None) => {}
            (out, want) => panic!("{e}: {out:?}, expected {want:?}"),
        }
    }
}

#[test]
fn copy_index_offsets_never_wrap() {
    let max = i64::MAX;
    let t = json!({
        "variables": {"copy": [{"name": "x", "count": 2, "input": format!("[copyIndex('x', {max})]")}]},
        "outputs": {
            "named": {"type": "array", "value": "[variables('x')]"},
            "unnamed": {"type": "array", "copy": {"count": 2, "input": format!("[copyIndex({max})]")}}
        }
    });
    let (outputs, errors) = evaluate_outputs(&t.to_string()).unwrap();
    // Index 0 plus the offset is the largest integer; index 1 plus it overflows.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().all(|(m, _)| m.contains("integer overflow")),
        "{errors:?}"
    );
    for (name, _, out) in &outputs {
        assert!(matches!(out, Outcome::Unknown { .. }), "{name}: {out:?}");
    }
}

#[test]
fn deployments_nested_past_the_bound_are_unknown_not_ignored() {
    // `levels` deployments, each nesting the next, the innermost deploying a vnet.
    let nested = |levels: usize| {
        let mut t = template(json!({}), "deep", json!({}));
        for i in 0..levels {
            t = json!({
                "$schema": SCHEMA,
                "contentVersion": "1.0.0.0",
                "resources": [{
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": format!("d{i}"),
                    "properties": {
                        "mode": "Incremental",
                        "expressionEvaluationOptions": {"scope": "inner"},
                        "template": t
                    }
                }]
            });
        }
        t
    };
    let vnets = |t: &Value| {
        let dir = scratch("bounds-nesting");
        let f = dir.join("t.json");
        std::fs::write(&f, t.to_string()).unwrap();
        let out = peerlint(&["check", "--format", "json", f.to_str().unwrap()], None);
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        v["diagnostics"].as_array().unwrap().clone()
    };
    assert!(vnets(&nested(16)).is_empty());
    let ds = vnets(&nested(17));
    assert_eq!(ds.len(), 1, "{ds:#?}");
    assert_eq!(ds[0]["rule"], "unresolved-value");
    assert!(
        ds[0]["message"]
            .as_str()
            .unwrap()
            .contains("the template of deployment `d0`"),
        "{ds:#?}"
    );
}
