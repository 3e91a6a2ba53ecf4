//! Template parameters and the template walker, as Resource Manager evaluates them: a null
//! value takes the default, nullable parameters, defaults in dependency order, allowed values
//! and limits; copy loops; `reference()` to a copy-loop module; several deployments of one
//! template (one per parameters file); resources declared twice. Each test is a minimal
//! template of our own.

mod common;

use std::path::{Path, PathBuf};

use common::{peerlint, scratch};
use peerlint::arm::{Outcome, evaluate_expression};
use peerlint::discover::{Input, Origin};
use peerlint::engine::{self, Outcome as Run};
use peerlint::load::Options;
use serde_json::{Value, json};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const PARAMS_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";

/// A template: `parameters`, `resources` and the rest as given, with the schema added.
fn template(body: Value) -> String {
    let mut t = json!({ "$schema": SCHEMA, "contentVersion": "1.0.0.0" });
    for (k, v) in body.as_object().unwrap() {
        t[k] = v.clone();
    }
    serde_json::to_string_pretty(&t).unwrap()
}

/// A parameters file setting `values` (name → value).
fn parameters(values: Value) -> String {
    let params: serde_json::Map<String, Value> = values
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), json!({ "value": v })))
        .collect();
    serde_json::to_string_pretty(
        &json!({ "$schema": PARAMS_SCHEMA, "contentVersion": "1.0.0.0", "parameters": params }),
    )
    .unwrap()
}

fn vnet(name: &str, prefix: &str) -> Value {
    json!({ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": name,
            "properties": { "addressSpace": { "addressPrefixes": [prefix] } } })
}

fn peering(name: &str, remote_id: &str) -> Value {
    json!({ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
            "name": name, "properties": { "allowVirtualNetworkAccess": true,
            "remoteVirtualNetwork": { "id": remote_id } } })
}

/// Writes `files` (name, text) into a fresh scratch folder; returns the folder.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

/// Runs every rule on `paths` (files named explicitly) with the `--parameters` pairs given.
fn run(paths: &[PathBuf], pairs: &[(Option<&Path>, &Path)]) -> Run {
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| Input {
            display: p.to_string_lossy().into_owned(),
            origin: Origin::File(p.clone()),
            explicit: true,
        })
        .collect();
    let options = Options {
        parameters: pairs
            .iter()
            .map(|(t, f)| (t.map(Path::to_path_buf), f.to_path_buf()))
            .collect(),
        ..Options::default()
    };
    engine::run_with(
        &inputs,
        &mut std::io::empty(),
        peerlint::rules::ALL,
        &options,
    )
}

/// (rule, message) of each diagnostic.
fn findings(o: &Run) -> Vec<(String, String)> {
    o.diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), d.message.clone()))
        .collect()
}

/// Names of the defined vnets, sorted.
fn vnets(o: &Run) -> Vec<String> {
    let mut v: Vec<String> = o
        .graph
        .defined_vnets()
        .map(|(_, v)| v.name.clone())
        .collect();
    v.sort();
    v
}

/// Names of the peerings, sorted.
fn peerings(o: &Run) -> Vec<String> {
    let mut v: Vec<String> = o.graph.peerings().map(|(_, p)| p.name.clone()).collect();
    v.sort();
    v
}

/// Evaluates `expr` in `tpl`: the value (None when unknown) and the errors' messages.
fn eval(tpl: &Value, expr: &str) -> (Option<Value>, Vec<String>) {
    let (out, errs) = evaluate_expression(&tpl.to_string(), expr);
    let v = match out {
        Outcome::Known(v) => Some(v),
        Outcome::Unknown { .. } => None,
    };
    (v, errs.into_iter().map(|(m, _)| m).collect())
}

/// Evaluates `expr` in `tpl`, which must give a known value and no error.
fn known(tpl: &Value, expr: &str) -> Value {
    match eval(tpl, expr) {
        (Some(v), e) if e.is_empty() => v,
        other => panic!("{expr}: expected a value and no error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Defaults in dependency order

#[test]
fn a_default_may_read_parameters_declared_after_it() {
    let tpl = json!({ "parameters": {
        "name": { "type": "string", "defaultValue": "[format('peer-{0}-{1}', parameters('local'), last(split(parameters('remoteId'), '/')))]" },
        "local": { "type": "string", "defaultValue": "[parameters('env')]" },
        "remoteId": { "type": "string", "defaultValue": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" },
        "env": { "type": "string", "defaultValue": "spoke" } } });
    assert_eq!(known(&tpl, "[parameters('name')]"), json!("peer-spoke-hub"));
}

#[test]
fn defaults_reading_each_other_in_a_circle_are_one_error_naming_the_cycle() {
    let tpl = json!({ "parameters": {
        "a": { "type": "string", "defaultValue": "[parameters('b')]" },
        "b": { "type": "string", "defaultValue": "[concat(parameters('c'), 'x')]" },
        "c": { "type": "string", "defaultValue": "[parameters('a')]" },
        "d": { "type": "string", "defaultValue": "fine" } } });
    let (out, errs) = evaluate_expression(&tpl.to_string(), "[parameters('d')]");
    assert_eq!(out, Outcome::Known(json!("fine")));
    assert_eq!(errs.len(), 1, "{errs:?}");
    let (msg, at) = &errs[0];
    assert!(msg.contains("`a` → `b` → `c` → `a`"), "{msg}");
    assert!(!msg.contains("has no parameter"), "{msg}");
    // At the reference that closes the circle, in `c`'s default.
    assert_eq!(at, "parameters('a')");
    // The parameters of the cycle are unknown, not guessed.
    assert_eq!(eval(&tpl, "[parameters('b')]").0, None);
}

#[test]
fn a_default_reading_itself_is_a_cycle() {
    let tpl = json!({ "parameters": { "a": { "type": "int", "defaultValue": "[add(parameters('a'), 1)]" } } });
    let (_, errs) = eval(&tpl, "[parameters('a')]");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("`a` → `a`"), "{errs:?}");
}

#[test]
fn an_undeclared_parameter_is_still_an_error_with_a_suggestion() {
    let tpl = json!({ "parameters": {
        "first": { "type": "string", "defaultValue": "[parameters('secnod')]" },
        "second": { "type": "string", "defaultValue": "x" } } });
    let (_, errs) = eval(&tpl, "[parameters('second')]");
    assert_eq!(
        errs,
        vec!["`parameters`: the template has no parameter `secnod`; did you mean `second`?"]
    );
}

// ---------------------------------------------------------------------------------------------
// Nullable parameters

#[test]
fn a_nullable_parameter_without_a_value_is_null() {
    let tpl = json!({ "languageVersion": "2.0", "parameters": {
        "peerings": { "type": "array", "nullable": true },
        "lock": { "$ref": "#/definitions/lockType" },
        "deep": { "$ref": "#/definitions/outer" },
        "named": { "type": "string", "nullable": true, "defaultValue": "given" } },
        "definitions": {
            "lockType": { "type": "object", "nullable": true },
            "outer": { "$ref": "#/definitions/inner" },
            "inner": { "type": "string", "nullable": true } } });
    assert_eq!(
        known(
            &tpl,
            "[length(coalesce(parameters('peerings'), createArray()))]"
        ),
        json!(0)
    );
    assert_eq!(known(&tpl, "[parameters('lock')]"), Value::Null);
    assert_eq!(known(&tpl, "[parameters('deep')]"), Value::Null);
    assert_eq!(known(&tpl, "[parameters('named')]"), json!("given"));
}

#[test]
fn a_parameter_neither_nullable_nor_defaulted_stays_unknown() {
    let tpl = json!({ "languageVersion": "2.0", "parameters": {
        "required": { "type": "string" },
        "notNullable": { "$ref": "#/definitions/t", "nullable": false } },
        "definitions": { "t": { "type": "string", "nullable": true } } });
    let (out, errs) = evaluate_expression(&tpl.to_string(), "[parameters('required')]");
    assert!(errs.is_empty(), "{errs:?}");
    assert!(
        matches!(out, Outcome::Unknown { ref symbol, .. } if symbol.as_deref() == Some("{required}")),
        "{out:?}"
    );
    // The declaration's own `nullable` wins over its definition's.
    assert_eq!(eval(&tpl, "[parameters('notNullable')]").0, None);
}

#[test]
fn a_nullable_parameter_is_not_reported_as_unresolved() {
    let dir = folder(
        "nullable",
        &[(
            "spoke.json",
            &template(json!({ "languageVersion": "2.0",
                "parameters": { "peerings": { "type": "array", "nullable": true } },
                "resources": {
                    "vnet": vnet("spoke", "10.1.0.0/16"),
                    "peer": { "copy": { "name": "peer", "count": "[length(coalesce(parameters('peerings'), createArray()))]" },
                        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
                        "name": "[format('spoke/{0}', coalesce(parameters('peerings'), createArray())[copyIndex()].name)]",
                        "properties": { "remoteVirtualNetwork": { "id": "[coalesce(parameters('peerings'), createArray())[copyIndex()].id]" } } } } })),
        )],
    );
    let o = run(&[dir.join("spoke.json")], &[]);
    assert_eq!(findings(&o), vec![]);
    assert_eq!(vnets(&o), vec!["spoke"]);
    assert!(peerings(&o).is_empty());
}

// ---------------------------------------------------------------------------------------------
// A null value takes the default

/// A spoke with a nested peering module whose `name` parameter is passed `wrapper`, and the
/// hub peering back to it.
fn nested_peering(wrapper: Value) -> String {
    template(json!({
        "parameters": { "peering": { "type": "object", "defaultValue": { "remoteId": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" } } },
        "resources": [
            vnet("hub", "10.0.0.0/16"),
            vnet("spoke", "10.1.0.0/16"),
            { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "peer-module",
              "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
                "parameters": {
                    "local": { "value": "spoke" },
                    "remoteId": { "value": "[parameters('peering').remoteId]" },
                    "name": wrapper,
                    "forwarded": { "value": "[tryGet(parameters('peering'), 'allowForwardedTraffic')]" } },
                "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                    "parameters": {
                        "name": { "type": "string", "defaultValue": "[format('peer-{0}-{1}', parameters('local'), last(split(parameters('remoteId'), '/')))]" },
                        "local": { "type": "string" },
                        "remoteId": { "type": "string" },
                        "forwarded": { "type": "bool", "defaultValue": true } },
                    "resources": [ {
                        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
                        "name": "[format('{0}/{1}', parameters('local'), parameters('name'))]",
                        "properties": { "allowForwardedTraffic": "[parameters('forwarded')]", "allowVirtualNetworkAccess": true,
                            "remoteVirtualNetwork": { "id": "[parameters('remoteId')]" } } } ] } } },
            peering("hub/hub-to-spoke", "[resourceId('Microsoft.Network/virtualNetworks', 'spoke')]")
        ] }))
}

#[test]
fn a_null_passed_to_a_nested_deployment_takes_the_default() {
    for (case, wrapper) in [
        (
            "tryget",
            json!({ "value": "[tryGet(parameters('peering'), 'name')]" }),
        ),
        ("createobject", json!("[createObject('value', null())]")),
        ("literal", json!({ "value": null })),
        ("no-value", json!({})),
    ] {
        let dir = folder(
            &format!("null-nested-{case}"),
            &[("t.json", &nested_peering(wrapper))],
        );
        let o = run(&[dir.join("t.json")], &[]);
        assert_eq!(findings(&o), vec![], "{case}");
        assert_eq!(
            peerings(&o),
            vec!["hub-to-spoke", "peer-spoke-hub"],
            "{case}: the name comes from the default"
        );
    }
}

#[test]
fn a_null_in_the_parameters_file_takes_the_default() {
    let t = template(json!({
        "parameters": {
            "hubName": { "type": "string", "defaultValue": "hub" },
            "prefix": { "type": "string", "defaultValue": "10.0.0.0/16" } },
        "resources": [ {
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "[parameters('hubName')]",
            "properties": { "addressSpace": { "addressPrefixes": ["[parameters('prefix')]"] } } } ] }));
    let dir = folder(
        "null-file",
        &[
            ("main.json", &t),
            (
                "main.parameters.json",
                &parameters(json!({ "hubName": null, "prefix": "10.9.0.0/16" })),
            ),
        ],
    );
    let o = run(&[dir.join("main.json")], &[]);
    assert_eq!(findings(&o), vec![]);
    let (_, hub) = o.graph.defined_vnets().next().unwrap();
    assert_eq!(hub.name, "hub");
    assert_eq!(
        &*hub.address_space.as_ref().unwrap().prefixes[0].text,
        "10.9.0.0/16"
    );
}

#[test]
fn an_unknown_parameter_wrapper_names_its_condition_not_a_key_vault() {
    let t = template(json!({
        "parameters": { "peerWithHub": { "type": "bool" } },
        "resources": [ { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "spoke",
            "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
                "parameters": {
                    "peerings": "[if(parameters('peerWithHub'), createObject('value', createArray(createObject('name', 'to-hub'))), createObject('value', createArray()))]",
                    "secret": { "reference": { "keyVault": { "id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.KeyVault/vaults/kv" }, "secretName": "s" } } },
                "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                    "parameters": { "peerings": { "type": "array" }, "secret": { "type": "string" } },
                    "resources": [
                        vnet("spoke", "10.1.0.0/16"),
                        { "copy": { "name": "p", "count": "[length(parameters('peerings'))]" },
                          "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
                          "name": "[format('spoke/{0}', parameters('peerings')[copyIndex()].name)]",
                          "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" } } },
                        { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "secret",
                          "properties": { "addressSpace": { "addressPrefixes": ["[parameters('secret')]"] } } } ] } } } ] }));
    let dir = folder("p2", &[("t.json", &t)]);
    let o = run(&[dir.join("t.json")], &[]);
    let reasons: Vec<&str> = o
        .graph
        .unresolved()
        .iter()
        .map(|u| u.reason.as_str())
        .collect();
    assert!(
        reasons.contains(&"parameter `peerWithHub` has no default and no parameters file sets it"),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"parameter `secret` of deployment `spoke` is a Key Vault reference"),
        "{reasons:?}"
    );
    assert_eq!(
        reasons.iter().filter(|r| r.contains("Key Vault")).count(),
        1,
        "{reasons:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Allowed values and limits

#[test]
fn allowed_values_and_limits_are_checked_on_defaults() {
    let tpl = json!({ "languageVersion": "2.0", "parameters": {
        "sku": { "type": "string", "defaultValue": "Premium", "allowedValues": ["Basic", "Standard"] },
        "count": { "type": "int", "defaultValue": 9, "maxValue": 4 },
        "low": { "type": "int", "defaultValue": 0, "minValue": 1 },
        "short": { "type": "string", "defaultValue": "ab", "minLength": 3 },
        "long": { "type": "array", "defaultValue": [1, 2, 3], "maxLength": 2 },
        "typed": { "$ref": "#/definitions/env", "defaultValue": "test" } },
        "definitions": { "env": { "type": "string", "allowedValues": ["dev", "prod"] } } });
    let (_, mut errs) = eval(&tpl, "[parameters('sku')]");
    errs.sort();
    assert_eq!(
        errs,
        vec![
            "`0` is less than the `minValue` 1 of parameter `low`",
            "`9` is more than the `maxValue` 4 of parameter `count`",
            "`Premium` is not an allowed value of parameter `sku` (allowed: `Basic`, `Standard`)",
            "`[1,2,3]` is longer than the `maxLength` 2 of parameter `long`",
            "`ab` is shorter than the `minLength` 3 of parameter `short`",
            "`test` is not an allowed value of parameter `typed` (allowed: `dev`, `prod`)",
        ]
    );
}

#[test]
fn values_within_their_constraints_pass() {
    let tpl = json!({ "parameters": {
        "sku": { "type": "string", "defaultValue": "standard", "allowedValues": ["Basic", "Standard"] },
        "zones": { "type": "array", "defaultValue": ["1", "3"], "allowedValues": ["1", "2", "3"] },
        "count": { "type": "int", "defaultValue": 4, "minValue": 1, "maxValue": 4 },
        "name": { "type": "string", "defaultValue": "abc", "minLength": 3, "maxLength": 3 },
        "empty": { "type": "string", "nullable": true, "allowedValues": ["a"] },
        "later": { "type": "string", "defaultValue": "[parameters('unset')]", "allowedValues": ["a"] },
        "unset": { "type": "string" } } });
    let (_, errs) = eval(&tpl, "[parameters('sku')]");
    assert!(errs.is_empty(), "{errs:?}");
}

#[test]
fn a_value_from_the_parameters_file_outside_the_allowed_ones_is_an_error_there() {
    let t = template(json!({
        "parameters": { "prefix": { "type": "string", "allowedValues": ["10.0.0.0/16", "10.1.0.0/16"] } },
        "resources": [ { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub",
            "properties": { "addressSpace": { "addressPrefixes": ["[parameters('prefix')]"] } } } ] }));
    let dir = folder(
        "allowed-file",
        &[
            ("main.json", &t),
            (
                "main.parameters.json",
                &parameters(json!({ "prefix": "10.2.0.0/16" })),
            ),
        ],
    );
    let o = run(&[dir.join("main.json")], &[]);
    let d: Vec<_> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "invalid-expression")
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", o.diagnostics);
    assert_eq!(
        d[0].message,
        "`10.2.0.0/16` is not an allowed value of parameter `prefix` (allowed: `10.0.0.0/16`, `10.1.0.0/16`)"
    );
    assert!(
        d[0].at.path.ends_with("main.parameters.json"),
        "{:?}",
        d[0].at
    );
}

#[test]
fn a_value_a_nested_deployment_passes_is_checked_too() {
    let t = template(
        json!({ "resources": [ { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
        "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
            "parameters": { "size": { "value": 30 } },
            "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                "parameters": { "size": { "type": "int", "maxValue": 29 } },
                "resources": [] } } } ] }),
    );
    let dir = folder("allowed-nested", &[("t.json", &t)]);
    let o = run(&[dir.join("t.json")], &[]);
    assert_eq!(
        findings(&o),
        vec![(
            "invalid-expression".to_string(),
            "`30` is more than the `maxValue` 29 of parameter `size`".to_string()
        )]
    );
}

// ---------------------------------------------------------------------------------------------
// Copy loops and reference()

#[test]
fn unnamed_copy_index_in_a_property_loop_is_the_resource_loop() {
    let t = template(json!({
        "parameters": { "vnets": { "type": "array", "defaultValue": [
            { "name": "a", "prefixes": ["10.0.0.0/16", "10.1.0.0/16"] },
            { "name": "b", "prefixes": ["10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"] } ] } },
        "resources": [ {
            "copy": { "name": "vnetLoop", "count": "[length(parameters('vnets'))]" },
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01",
            "name": "[parameters('vnets')[copyIndex()].name]",
            "properties": {
                "addressSpace": { "addressPrefixes": "[parameters('vnets')[copyIndex()].prefixes]" },
                "copy": [ { "name": "subnets", "count": "[length(parameters('vnets')[copyIndex()].prefixes)]",
                    "input": { "name": "[format('s{0}-{1}', copyIndex(), copyIndex('subnets'))]",
                        "properties": { "addressPrefix": "[parameters('vnets')[copyIndex()].prefixes[copyIndex('subnets', 0)]]" } } } ] } } ] }));
    let dir = folder("copy-props", &[("t.json", &t)]);
    let o = run(&[dir.join("t.json")], &[]);
    assert_eq!(findings(&o), vec![]);
    let mut subnets: Vec<(String, String)> = o
        .graph
        .defined_vnets()
        .flat_map(|(_, v)| {
            v.subnets.iter().map(|s| {
                (
                    format!("{}/{}", v.name, s.name),
                    s.prefixes.as_ref().unwrap().prefixes[0].text.to_string(),
                )
            })
        })
        .collect();
    subnets.sort();
    let want = [
        ("a/s0-0", "10.0.0.0/16"),
        ("a/s0-1", "10.1.0.0/16"),
        ("b/s1-0", "10.2.0.0/16"),
        ("b/s1-1", "10.3.0.0/16"),
        ("b/s1-2", "10.4.0.0/16"),
    ];
    assert_eq!(
        subnets,
        want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
    );
}

#[test]
fn reference_reads_an_instance_of_a_copy_loop_module_by_symbolic_name_and_index() {
    let t = template(json!({ "languageVersion": "2.0", "resources": {
        "hub": vnet("hub", "10.0.0.0/16"),
        "spoke0": vnet("spoke0", "10.1.0.0/16"),
        "spoke1": vnet("spoke1", "10.2.0.0/16"),
        "lookup": { "copy": { "name": "lookup", "count": 2 }, "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
            "name": "[format('lookup-{0}', copyIndex())]",
            "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
                "parameters": { "i": { "value": "[copyIndex()]" } },
                "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                    "parameters": { "i": { "type": "int" } }, "resources": [],
                    "outputs": { "resourceId": { "type": "string",
                        "value": "[resourceId('Microsoft.Network/virtualNetworks', format('spoke{0}', parameters('i')))]" } } } } },
        "hubToSpoke": { "copy": { "name": "hubToSpoke", "count": 2 },
            "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
            "name": "[format('hub/to-spoke{0}', copyIndex())]",
            "properties": { "allowVirtualNetworkAccess": true,
                "remoteVirtualNetwork": { "id": "[reference(format('lookup[{0}]', copyIndex())).outputs.resourceId.value]" } } },
        "back0": peering("spoke0/to-hub", "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]"),
        "back1": peering("spoke1/to-hub", "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]") } }));
    let dir = folder("reference-indexed", &[("t.json", &t)]);
    let o = run(&[dir.join("t.json")], &[]);
    assert_eq!(findings(&o), vec![]);
    // Each hub peering points at its own spoke, and has its reverse.
    for (_, p) in o.graph.peerings() {
        let remote = p.remote_vnet().expect("a known remote");
        let remote = &o.graph.vnet(remote).name;
        if let Some(n) = p.name.strip_prefix("to-") {
            assert_eq!(remote, n, "{}", p.name);
        }
    }
}

#[test]
fn a_module_output_read_before_the_module_is_declared_resolves_beside_a_reference_that_never_does()
{
    // The peering reads the output of a module declared after it (found by the next pass over
    // the template); a storage account reads a vnet the template doesn't declare (found by no
    // pass). The first must still be followed, whatever the second does.
    let module = json!({ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
        "name": "lookup",
        "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
            "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [],
                "outputs": { "spokeId": { "type": "string",
                    "value": "[resourceId('Microsoft.Network/virtualNetworks', 'spoke')]" } } } } });
    let elsewhere = json!({ "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
        "name": "st", "location": "westeurope", "kind": "StorageV2", "sku": { "name": "Standard_LRS" },
        "properties": { "note": "[string(reference(resourceId('Microsoft.Network/virtualNetworks', 'elsewhere'), '2024-05-01').addressSpace)]" } });
    let t = template(json!({ "resources": [
        vnet("hub", "10.0.0.0/16"),
        vnet("spoke", "10.1.0.0/16"),
        elsewhere,
        peering("hub/to-spoke", "[reference(resourceId('Microsoft.Resources/deployments', 'lookup'), '2022-09-01').outputs.spokeId.value]"),
        peering("spoke/to-hub", "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]"),
        module ] }));
    let dir = folder("reference-forward", &[("t.json", &t)]);
    let o = run(&[dir.join("t.json")], &[]);
    assert_eq!(findings(&o), vec![]);
    let to_spoke = o
        .graph
        .peerings()
        .find(|(_, p)| p.name == "to-spoke")
        .map(|(_, p)| p)
        .expect("the hub's peering");
    let remote = to_spoke.remote_vnet().expect("a known remote");
    assert_eq!(o.graph.vnet(remote).name, "spoke");
}

// ---------------------------------------------------------------------------------------------
// Resources declared twice

fn duplicate_findings(resources: Value) -> Vec<(String, String)> {
    // A folder per call: the tests that call this run side by side.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = folder(
        &format!("duplicates-{n}"),
        &[(
            "t.json",
            &template(json!({
        "parameters": { "flag": { "type": "bool", "defaultValue": true }, "unknown": { "type": "bool" } },
        "resources": resources })),
        )],
    );
    let o = run(&[dir.join("t.json")], &[]);
    findings(&o)
        .into_iter()
        .filter(|(r, _)| r == "invalid-expression")
        .collect()
}

#[test]
fn a_resource_declared_twice_in_one_deployment_is_an_error_at_both() {
    let dir = folder(
        "duplicate",
        &[(
            "t.json",
            &template(
                json!({ "resources": [vnet("hub", "10.0.0.0/16"), vnet("Hub", "172.16.0.0/16")] }),
            ),
        )],
    );
    let o = run(&[dir.join("t.json")], &[]);
    assert_eq!(o.diagnostics.len(), 1, "{:#?}", o.diagnostics);
    let d = &o.diagnostics[0];
    assert_eq!(d.rule, "invalid-expression");
    assert_eq!(
        d.message,
        "`Microsoft.Network/virtualNetworks` resource `Hub` is declared twice in one deployment"
    );
    assert_eq!(d.label, "first declared here");
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].message, "declared again here");
    assert!(d.related[0].at.line > d.at.line);
}

#[test]
fn a_copy_loop_giving_one_name_twice_is_an_error() {
    let found = duplicate_findings(json!([
        { "copy": { "name": "l", "count": 2 }, "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
          "name": "rt", "properties": {} } ]));
    assert_eq!(
        found,
        vec![(
            "invalid-expression".to_string(),
            "`Microsoft.Network/routeTables` resource `rt` is declared more than once by this copy loop in one deployment".to_string()
        )]
    );
}

#[test]
fn exclusive_or_unknown_conditions_and_other_scopes_are_not_duplicates() {
    let with = |cond: &str, name: &str, prefix: &str| {
        let mut v = vnet(name, prefix);
        v["condition"] = json!(cond);
        v
    };
    let found = duplicate_findings(json!([
        // One deployed, the other not.
        with("[parameters('flag')]", "a", "10.0.0.0/16"),
        with("[not(parameters('flag'))]", "a", "10.1.0.0/16"),
        // Unknown conditions: maybe exclusive.
        with("[parameters('unknown')]", "b", "10.2.0.0/16"),
        with("[not(parameters('unknown'))]", "b", "10.3.0.0/16"),
        // Names built from unknowns can't be compared.
        { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "[string(parameters('unknown'))]", "properties": {} },
        { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "[string(parameters('unknown'))]", "properties": {} },
        // Same name, other types; an extension resource of each of two parents.
        vnet("c", "10.4.0.0/16"),
        { "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "c", "properties": {},
          "resources": [ { "type": "providers/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "Microsoft.Insights/default", "properties": {} } ] },
        { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "c", "properties": {},
          "resources": [ { "type": "providers/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "Microsoft.Insights/default", "properties": {} } ] },
        // The same name in a nested deployment is another deployment's.
        { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
          "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
            "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [ vnet("c", "10.4.0.0/16") ] } } },
        // Deployments to other resource groups.
        { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d", "resourceGroup": "rg1",
          "properties": { "mode": "Incremental", "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [] } } },
        { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d", "resourceGroup": "rg2",
          "properties": { "mode": "Incremental", "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [] } } }
    ]));
    assert_eq!(found, vec![]);
}

#[test]
fn each_deployment_compares_its_own_resources_before_and_after_nested_ones() {
    let nested = |name: &str, resources: Value| {
        json!({ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": name,
          "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
            "template": { "$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources } } })
    };
    let found = duplicate_findings(json!([
        vnet("a", "10.0.0.0/16"),
        nested(
            "n1",
            json!([
                vnet("a", "10.1.0.0/16"),
                vnet("b", "10.2.0.0/16"),
                vnet("B", "10.3.0.0/16")
            ])
        ),
        nested("n2", json!([vnet("b", "10.4.0.0/16")])),
        vnet("A", "10.5.0.0/16"),
    ]));
    let twice = |name: &str| {
        (
            "invalid-expression".to_string(),
            format!(
                "`Microsoft.Network/virtualNetworks` resource `{name}` is declared twice in one deployment"
            ),
        )
    };
    assert_eq!(found, vec![twice("A"), twice("B")]);
}

#[test]
fn an_exported_template_declaring_children_inline_and_as_resources_is_no_duplicate() {
    // `az group export` writes subnets and peerings in their vnet and as child resources; the
    // copies are merged, and absent / null / [] mean the same.
    let t = template(json!({ "resources": [
        { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub",
          "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
            "subnets": [
                { "name": "fw", "properties": { "addressPrefix": "10.0.0.0/26", "addressPrefixes": null } },
                { "name": "app", "properties": { "addressPrefix": "10.0.1.0/24", "addressPrefixes": [] } } ] } },
        { "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2024-05-01", "name": "hub/fw",
          "properties": { "addressPrefix": "10.0.0.0/26", "addressPrefixes": [] } },
        { "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2024-05-01", "name": "hub/app",
          "properties": { "addressPrefix": "10.0.1.0/24" } } ] }));
    let dir = folder("export-copies", &[("t.json", &t)]);
    let o = run(&[dir.join("t.json")], &[]);
    assert_eq!(findings(&o), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Several deployments of one template

fn env_template() -> String {
    template(json!({
        "parameters": { "env": { "type": "string" }, "prefix": { "type": "string" } },
        "resources": [
            vnet("hub", "10.0.0.0/16"),
            { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "[format('spoke-{0}', parameters('env'))]",
              "properties": { "addressSpace": { "addressPrefixes": ["[parameters('prefix')]"] } } },
            peering("[format('spoke-{0}/to-hub', parameters('env'))]", "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]"),
            peering("[format('hub/to-{0}', parameters('env'))]", "[resourceId('Microsoft.Network/virtualNetworks', format('spoke-{0}', parameters('env')))]"),
            { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "broken",
              "properties": { "addressSpace": { "addressPrefixes": ["[concat('10.9.0.0/16']"] } } }
        ] }))
}

#[test]
fn each_parameters_file_named_for_a_template_is_one_deployment() {
    let dir = folder(
        "two-deployments",
        &[
            ("main.json", &env_template()),
            (
                "dev.json",
                &parameters(json!({ "env": "dev", "prefix": "10.1.0.0/16" })),
            ),
            (
                "prod.json",
                &parameters(json!({ "env": "prod", "prefix": "10.2.0.0/16" })),
            ),
        ],
    );
    let main = dir.join("main.json");
    let o = run(
        std::slice::from_ref(&main),
        &[
            (Some(&main), &dir.join("dev.json")),
            (Some(&main), &dir.join("prod.json")),
        ],
    );
    // The hub is the same vnet in both deployments (equal ids); the spokes are two.
    assert_eq!(vnets(&o), vec!["broken", "hub", "spoke-dev", "spoke-prod"]);
    assert_eq!(peerings(&o), vec!["to-dev", "to-hub", "to-hub", "to-prod"]);
    // The error in the template is said once, not once per deployment.
    assert_eq!(
        findings(&o),
        vec![(
            "invalid-expression".to_string(),
            "syntax error in expression: expected `,` or `)`, found the end of the expression"
                .to_string()
        )]
    );
}

#[test]
fn parameters_files_beside_a_template_pair_with_it_by_name() {
    let dir = folder(
        "pairing",
        &[
            ("main.json", &env_template()),
            (
                "main.parameters.dev.json",
                &parameters(json!({ "env": "dev", "prefix": "10.1.0.0/16" })),
            ),
            (
                "main.prod.parameters.json",
                &parameters(json!({ "env": "prod", "prefix": "10.2.0.0/16" })),
            ),
            (
                "main.Parameters.json",
                &parameters(json!({ "env": "test", "prefix": "10.3.0.0/16" })),
            ),
            // `other.dev.parameters.json` is `other.dev.json`'s, not a deployment of `other.json`.
            (
                "other.json",
                &template(json!({ "resources": [vnet("other", "10.5.0.0/16")] })),
            ),
            (
                "other.dev.json",
                &template(json!({ "parameters": { "n": { "type": "string" } },
                    "resources": [{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "[parameters('n')]",
                        "properties": { "addressSpace": { "addressPrefixes": ["10.6.0.0/16"] } } }] })),
            ),
            (
                "other.dev.parameters.json",
                &parameters(json!({ "n": "other-dev" })),
            ),
            ("orphan.parameters.json", &parameters(json!({ "x": 1 }))),
        ],
    );
    let out = peerlint(&["check", "--format", "json", dir.to_str().unwrap()], None);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let ds = v["diagnostics"].as_array().unwrap();
    // Three deployments of main.json (hub, broken, spoke-dev, spoke-prod, spoke-test), one of
    // each other template.
    assert_eq!(v["summary"]["vnets"], 7, "{ds:#?}");
    assert_eq!(v["summary"]["peerings"], 6, "{ds:#?}");
    let infos: Vec<(&str, &str, &str)> = ds
        .iter()
        .filter(|d| d["rule"] != "invalid-expression")
        .map(|d| {
            (
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
                d["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(infos.len(), 1, "{ds:#?}");
    assert_eq!(infos[0].0, "unrecognized-input");
    assert_eq!(infos[0].1, "info");
    assert!(infos[0].2.ends_with("orphan.parameters.json"), "{infos:?}");
    assert_eq!(
        ds.iter()
            .filter(|d| d["rule"] == "invalid-expression")
            .count(),
        1,
        "{ds:#?}"
    );
}

#[test]
fn a_parameters_file_named_on_the_command_line_without_its_template_is_an_info() {
    let dir = folder(
        "named-orphan",
        &[(
            "spoke.parameters.json",
            &parameters(json!({ "env": "dev" })),
        )],
    );
    let out = peerlint(
        &[
            "check",
            "--format",
            "json",
            dir.join("spoke.parameters.json").to_str().unwrap(),
        ],
        None,
    );
    // A parameters file is no design of its own: the run had nothing to check (exit 2), and
    // the report says why.
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("nothing to check"), "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let ds = v["diagnostics"].as_array().unwrap();
    assert_eq!(ds.len(), 1, "{ds:#?}");
    assert_eq!(ds[0]["rule"], "unrecognized-input");
    assert_eq!(ds[0]["severity"], "info");
    assert!(
        ds[0]["help"]
            .as_str()
            .unwrap()
            .contains("--parameters TEMPLATE=FILE"),
        "{ds:#?}"
    );
}
