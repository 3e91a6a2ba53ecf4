//! Unit tests of the ARM template expression evaluator (`peerlint::arm::evaluate_expression`).
//!
//! Expected values follow Microsoft's ARM template function reference and
//! design/input-formats.md §2. The deployment context is the placeholder one: subscription
//! `{subscription}`, resource group `{resourceGroup}`.

use peerlint::arm::{Outcome, evaluate_expression};
use serde_json::{Value, json};

/// The id prefix of the placeholder resource group.
const RG: &str = "/subscriptions/{subscription}/resourceGroups/{resourceGroup}";

/// A template with a few parameters and variables shared by many tests.
const TPL: &str = r#"{
  "parameters": {
    "vNets": {"type": "array", "defaultValue": [
      {"name": "hub", "prefix": "10.0.0.0/16"},
      {"name": "spoke1", "prefix": "10.1.0.0/16"}
    ]},
    "location": {"type": "string", "defaultValue": "westeurope"},
    "hubRg": {"type": "string", "defaultValue": "net-rg"},
    "count": {"type": "int", "defaultValue": 3},
    "nullable": {"type": "string", "defaultValue": null},
    "noDefault": {"type": "string"},
    "flag": {"type": "bool"}
  },
  "variables": {
    "prefix": "hub",
    "vnetName": "[concat(variables('prefix'), '-vnet')]",
    "settings": {"x": 1, "nested": {"y": "deep"}},
    "list": ["a", "b", "c"]
  }
}"#;

/// Evaluates `expr` in `tpl`, asserting it is known and reported no error.
fn known(tpl: &str, expr: &str) -> Value {
    let (out, errs) = evaluate_expression(tpl, expr);
    assert!(errs.is_empty(), "{expr}: unexpected errors {errs:?}");
    match out {
        Outcome::Known(v) => v,
        other => panic!("{expr}: expected a known value, got {other:?}"),
    }
}

/// `known` in the shared template.
fn k(expr: &str) -> Value {
    known(TPL, expr)
}

/// Evaluates `expr` in `tpl`, asserting it is unknown without any error; returns the symbol.
fn unknown(tpl: &str, expr: &str) -> Option<String> {
    let (out, errs) = evaluate_expression(tpl, expr);
    assert!(errs.is_empty(), "{expr}: unexpected errors {errs:?}");
    match out {
        Outcome::Unknown { symbol, .. } => symbol,
        other => panic!("{expr}: expected an unknown value, got {other:?}"),
    }
}

/// Evaluates an expression that must fail: exactly one error, and an unknown outcome.
/// Returns the error's message and the text it points at.
fn error(tpl: &str, expr: &str) -> (String, String) {
    let (out, errs) = evaluate_expression(tpl, expr);
    assert!(
        matches!(out, Outcome::Unknown { .. }),
        "{expr}: expected unknown after an error, got {out:?}"
    );
    assert_eq!(
        errs.len(),
        1,
        "{expr}: expected exactly one error, got {errs:?}"
    );
    errs[0].clone()
}

/// The text the single error of a failing expression points at.
fn error_at(tpl: &str, expr: &str) -> String {
    error(tpl, expr).1
}

// ---------------------------------------------------------------------------------------------
// Parameters

#[test]
fn parameter_default_values() {
    assert_eq!(k("[parameters('location')]"), json!("westeurope"));
    assert_eq!(k("[parameters('count')]"), json!(3));
    assert_eq!(k("[parameters('vNets')]")[1]["name"], json!("spoke1"));
}

#[test]
fn parameter_default_may_be_an_expression_using_earlier_parameters() {
    let tpl = r#"{"parameters": {
        "env": {"type": "string", "defaultValue": "prod"},
        "name": {"type": "string", "defaultValue": "[concat('vnet-', parameters('env'))]"}}}"#;
    assert_eq!(known(tpl, "[parameters('name')]"), json!("vnet-prod"));
}

#[test]
fn parameter_names_are_case_insensitive() {
    assert_eq!(k("[length(parameters('vnets'))]"), json!(2));
    assert_eq!(k("[parameters('VNETS')[0].name]"), json!("hub"));
    assert_eq!(k("[PARAMETERS('Location')]"), json!("westeurope"));
}

#[test]
fn missing_parameter_is_an_error() {
    let (msg, at) = error(TPL, "[parameters('missing')]");
    assert!(msg.contains("missing"), "{msg}");
    assert_eq!(at, "parameters('missing')");
}

#[test]
fn parameter_without_default_is_symbolic() {
    assert_eq!(
        unknown(TPL, "[parameters('noDefault')]").as_deref(),
        Some("{noDefault}")
    );
}

#[test]
fn concat_with_symbolic_parameter_keeps_a_symbol() {
    assert_eq!(
        unknown(TPL, "[concat('vnet-', parameters('noDefault'))]").as_deref(),
        Some("vnet-{noDefault}")
    );
}

#[test]
fn resource_id_from_symbolic_name_keeps_a_symbolic_id() {
    let sym = unknown(
        TPL,
        "[resourceId('Microsoft.Network/virtualNetworks', concat('vnet-', parameters('noDefault')))]",
    );
    assert_eq!(
        sym,
        Some(format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/vnet-{{noDefault}}"
        ))
    );
}

#[test]
fn resource_id_with_symbolic_subscription() {
    let sym = unknown(
        TPL,
        "[resourceId(parameters('noDefault'), 'rg', 'Microsoft.Network/virtualNetworks', 'hub')]",
    );
    assert_eq!(
        sym.as_deref(),
        Some(
            "/subscriptions/{noDefault}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub"
        )
    );
}

#[test]

fn if_with_unknown_condition_does_not_take_the_condition_placeholder() {
    let from_if = unknown(TPL, "[concat('x-', if(parameters('flag'), 'a', 'b'))]");
    let from_flag = unknown(TPL, "[concat('x-', parameters('flag'))]");
    assert_ne!(
        from_if, from_flag,
        "different values must not share a placeholder"
    );
}

#[test]

fn replace_on_a_symbolic_value_keeps_placeholders_distinct() {
    let tpl = r#"{"parameters": {"noDefault": {"type": "string"}, "other": {"type": "string"}}}"#;
    let replaced = unknown(
        tpl,
        "[replace(parameters('noDefault'), 'noDefault', 'other')]",
    );
    assert_ne!(
        replaced,
        unknown(tpl, "[parameters('other')]"),
        "different values must not share a placeholder"
    );
}

#[test]
fn unknown_values_propagate_without_errors() {
    unknown(TPL, "[length(parameters('noDefault'))]");
    unknown(TPL, "[equals(parameters('noDefault'), 'x')]");
    unknown(TPL, "[if(parameters('flag'), 'a', 'b')]");
    unknown(TPL, "[not(parameters('flag'))]");
}

// ---------------------------------------------------------------------------------------------
// Variables

#[test]
fn variables_objects_arrays_members_and_indexes() {
    assert_eq!(
        k("[variables('settings')]"),
        json!({"x": 1, "nested": {"y": "deep"}})
    );
    assert_eq!(k("[variables('settings').x]"), json!(1));
    assert_eq!(k("[variables('settings').nested.y]"), json!("deep"));
    assert_eq!(k("[variables('settings')['nested']['y']]"), json!("deep"));
    assert_eq!(k("[variables('list')]"), json!(["a", "b", "c"]));
    assert_eq!(k("[variables('list')[0]]"), json!("a"));
    assert_eq!(k("[variables('list')[add(1, 1)]]"), json!("c"));
    assert_eq!(k("[parameters('vNets')[1].prefix]"), json!("10.1.0.0/16"));
}

#[test]
fn variable_names_are_case_insensitive() {
    assert_eq!(k("[variables('SETTINGS').X]"), json!(1));
}

#[test]
fn variables_referencing_variables() {
    assert_eq!(k("[variables('vnetName')]"), json!("hub-vnet"));
    let tpl = r#"{"variables": {"a": "[concat(variables('b'), '-a')]", "b": "[concat(variables('c'), '-b')]", "c": "c"}}"#;
    assert_eq!(known(tpl, "[variables('a')]"), json!("c-b-a"));
}

#[test]
fn variable_cycle_is_an_error() {
    let tpl = r#"{"variables": {"a": "[variables('b')]", "b": "[variables('a')]"}}"#;
    let (out, errs) = evaluate_expression(tpl, "[variables('a')]");
    assert!(matches!(out, Outcome::Unknown { .. }), "{out:?}");
    assert!(!errs.is_empty());
    assert!(
        errs.iter()
            .any(|(m, _)| m.contains("itself") || m.contains("cycle")),
        "{errs:?}"
    );
}

#[test]
fn variable_referring_to_itself_is_an_error() {
    let tpl = r#"{"variables": {"a": "[concat('x', variables('a'))]"}}"#;
    let (out, errs) = evaluate_expression(tpl, "[variables('a')]");
    assert!(matches!(out, Outcome::Unknown { .. }), "{out:?}");
    assert!(!errs.is_empty());
}

#[test]
fn missing_variable_is_an_error() {
    let (msg, _) = error(TPL, "[concat('a', variables('nope'))]");
    assert!(msg.contains("nope"), "{msg}");
}

#[test]

fn variable_errors_point_at_the_call() {
    assert_eq!(
        error_at(TPL, "[concat('a', variables('nope'))]"),
        "variables('nope')"
    );
    let tpl = r#"{"variables": {"a": "[variables('b')]", "b": "[variables('a')]"}}"#;
    let (_, errs) = evaluate_expression(tpl, "[concat('x', variables('a'))]");
    assert!(
        errs.iter().all(|(_, at)| at.starts_with("variables(")),
        "{errs:?}"
    );
}

#[test]
fn variable_copy_builds_an_array() {
    let tpl = r#"{"variables": {"copy": [{
        "name": "subnets",
        "count": 3,
        "input": {
          "name": "[concat('snet-', copyIndex('subnets'))]",
          "prefix": "[cidrSubnet('10.0.0.0/16', 24, copyIndex('subnets'))]"
        }}]}}"#;
    assert_eq!(
        known(tpl, "[variables('subnets')]"),
        json!([
            {"name": "snet-0", "prefix": "10.0.0.0/24"},
            {"name": "snet-1", "prefix": "10.0.1.0/24"},
            {"name": "snet-2", "prefix": "10.0.2.0/24"}
        ])
    );
    assert_eq!(
        known(tpl, "[variables('subnets')[2].name]"),
        json!("snet-2")
    );
}

#[test]
fn variable_copy_count_from_parameter() {
    let tpl = r#"{
      "parameters": {"names": {"type": "array", "defaultValue": ["a", "b"]}},
      "variables": {"copy": [{
        "name": "ids",
        "count": "[length(parameters('names'))]",
        "input": "[resourceId('Microsoft.Network/virtualNetworks', parameters('names')[copyIndex('ids')])]"
      }]}}"#;
    assert_eq!(
        known(tpl, "[variables('ids')]"),
        json!([
            format!("{RG}/providers/Microsoft.Network/virtualNetworks/a"),
            format!("{RG}/providers/Microsoft.Network/virtualNetworks/b")
        ])
    );
}

#[test]
fn property_copy_inside_a_variable() {
    let tpl = r#"{"variables": {"vnet": {
        "name": "hub",
        "copy": [{"name": "subnets", "count": 2, "input": {"name": "[concat('s', copyIndex('subnets', 1))]"}}]
    }}}"#;
    assert_eq!(
        known(tpl, "[variables('vnet')]"),
        json!({"name": "hub", "subnets": [{"name": "s1"}, {"name": "s2"}]})
    );
}

#[test]
fn error_inside_a_variable_points_into_its_definition() {
    let tpl = r#"{"variables": {"bad": "[concat('a', add(1))]"}}"#;
    assert_eq!(error_at(tpl, "[variables('bad')]"), "add(1)");
}

// ---------------------------------------------------------------------------------------------
// Resource ids

#[test]
fn resource_id_two_args() {
    assert_eq!(
        k("[resourceId('Microsoft.Network/virtualNetworks', 'hub')]"),
        json!(format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/hub"
        ))
    );
}

#[test]
fn resource_id_three_args_resource_group() {
    assert_eq!(
        k("[resourceId('net-rg', 'Microsoft.Network/virtualNetworks', 'hub')]"),
        json!(
            "/subscriptions/{subscription}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/hub"
        )
    );
    assert_eq!(
        k("[resourceId(parameters('hubRg'), 'Microsoft.Network/virtualNetworks', 'hub')]"),
        json!(
            "/subscriptions/{subscription}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/hub"
        )
    );
}

#[test]
fn resource_id_three_args_child_type_interleaves_names() {
    assert_eq!(
        k("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'default')]"),
        json!(format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/hub/subnets/default"
        ))
    );
}

#[test]
fn resource_id_four_args() {
    assert_eq!(
        k("[resourceId('1111', 'net-rg', 'Microsoft.Network/virtualNetworks', 'hub')]"),
        json!(
            "/subscriptions/1111/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/hub"
        )
    );
    assert_eq!(
        k("[resourceId('net-rg', 'Microsoft.Network/virtualNetworks/subnets', 'hub', 'default')]"),
        json!(
            "/subscriptions/{subscription}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/hub/subnets/default"
        )
    );
}

#[test]
fn resource_id_five_args_peering() {
    assert_eq!(
        k(
            "[resourceId('s', 'rg', 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings', 'hub', 'p')]"
        ),
        json!(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings/p"
        )
    );
}

#[test]
fn resource_id_type_with_trailing_slash() {
    assert_eq!(
        k("[resourceId('Microsoft.Network/virtualNetworks/', 'hub')]"),
        json!(format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/hub"
        ))
    );
}

#[test]
fn resource_id_from_subscription_and_resource_group_functions() {
    assert_eq!(
        k(
            "[resourceId(subscription().subscriptionId, resourceGroup().name, 'Microsoft.Network/virtualNetworks', 'hub')]"
        ),
        json!(format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/hub"
        ))
    );
}

#[test]
fn resource_id_wrong_segment_count_is_an_error() {
    let e = "resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub')";
    assert_eq!(error_at(TPL, &format!("[{e}]")), e);
    let e = "resourceId('Microsoft.Network/virtualNetworks', 'hub', 'extra')";
    assert_eq!(error_at(TPL, &format!("[{e}]")), e);
}

#[test]
fn resource_id_without_a_type_is_an_error() {
    error(TPL, "[resourceId('hub')]");
}

#[test]
fn resource_id_symbolic_name_of_unknown_shape_is_unknown_without_error() {
    // One symbolic name for a two-segment child type: its value may hold `vnet/subnet`.
    unknown(
        TPL,
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('noDefault'))]",
    );
}

#[test]
fn subscription_resource_id() {
    assert_eq!(
        k("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'net-rg')]"),
        json!("/subscriptions/{subscription}/providers/Microsoft.Resources/resourceGroups/net-rg")
    );
    assert_eq!(
        k("[subscriptionResourceId('2222', 'Microsoft.Resources/resourceGroups', 'net-rg')]"),
        json!("/subscriptions/2222/providers/Microsoft.Resources/resourceGroups/net-rg")
    );
}

#[test]
fn extension_resource_id() {
    assert_eq!(
        k(
            "[extensionResourceId(resourceId('Microsoft.Network/virtualNetworks', 'hub'), 'Microsoft.Authorization/locks', 'noDelete')]"
        ),
        json!(format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/hub/providers/Microsoft.Authorization/locks/noDelete"
        ))
    );
    assert_eq!(
        k(
            "[extensionResourceId(subscription().id, 'Microsoft.Authorization/policyAssignments', 'pa')]"
        ),
        json!(
            "/subscriptions/{subscription}/providers/Microsoft.Authorization/policyAssignments/pa"
        )
    );
}

#[test]
fn tenant_resource_id() {
    assert_eq!(
        k("[tenantResourceId('Microsoft.Management/managementGroups', 'mg1')]"),
        json!("/providers/Microsoft.Management/managementGroups/mg1")
    );
}

// ---------------------------------------------------------------------------------------------
// Strings

#[test]
fn concat_strings() {
    assert_eq!(k("[concat('a', 'b', 'c')]"), json!("abc"));
    assert_eq!(k("[concat('snet-', 1)]"), json!("snet-1"));
    assert_eq!(
        k("[concat(parameters('location'), '-', variables('prefix'))]"),
        json!("westeurope-hub")
    );
}

#[test]
fn concat_arrays() {
    assert_eq!(
        k("[concat(createArray(1, 2), createArray(3), variables('list'))]"),
        json!([1, 2, 3, "a", "b", "c"])
    );
}

#[test]
fn concat_array_and_string_is_an_error() {
    error(TPL, "[concat(createArray(1), 'a')]");
}

#[test]
fn format_placeholders() {
    assert_eq!(k("[format('{0}-{1}', 'hub', 'vnet')]"), json!("hub-vnet"));
    assert_eq!(k("[format('{1}{0}{1}', 'a', 'b')]"), json!("bab"));
    assert_eq!(k("[format('snet-{0:D3}', 7)]"), json!("snet-007"));
    assert_eq!(k("[format('{{{0}}}', 'x')]"), json!("{x}"));
    assert_eq!(k("[format('{{literal}}')]"), json!("{literal}"));
}

#[test]
fn format_missing_argument_is_an_error() {
    error(TPL, "[format('{0}-{1}', 'a')]");
}

#[test]

fn format_n0_groups_digits() {
    // The example of Microsoft's `format` documentation.
    assert_eq!(
        k("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]"),
        json!("Hello, User. Formatted number: 8,175,133")
    );
}

#[test]
fn split_strings() {
    assert_eq!(k("[split('a,b,c', ',')]"), json!(["a", "b", "c"]));
    assert_eq!(
        k("[split('a;b,c', createArray(',', ';'))]"),
        json!(["a", "b", "c"])
    );
    assert_eq!(k("[split('abc', ',')]"), json!(["abc"]));
}

#[test]
fn last_of_strings_and_arrays() {
    assert_eq!(
        k("[last(split('/subscriptions/s/resourceGroups/rg', '/'))]"),
        json!("rg")
    );
    assert_eq!(k("[last('abc')]"), json!("c"));
    assert_eq!(k("[last(variables('list'))]"), json!("c"));
}

#[test]
fn first_of_strings_and_arrays() {
    assert_eq!(k("[first(variables('list'))]"), json!("a"));
    assert_eq!(k("[first('xyz')]"), json!("x"));
    assert_eq!(k("[first(parameters('vNets')).name]"), json!("hub"));
}

#[test]
fn to_lower_and_to_upper() {
    assert_eq!(k("[toLower('Hub-VNet')]"), json!("hub-vnet"));
    assert_eq!(k("[toUpper('Hub-VNet')]"), json!("HUB-VNET"));
}

#[test]
fn replace_all_occurrences() {
    assert_eq!(k("[replace('a-b-c', '-', '.')]"), json!("a.b.c"));
    assert_eq!(k("[replace('abc', 'x', 'y')]"), json!("abc"));
}

#[test]
fn string_of_values() {
    assert_eq!(
        k("[string(createObject('a', 1, 'b', 'x'))]"),
        json!(r#"{"a":1,"b":"x"}"#)
    );
    assert_eq!(k("[string(createArray('a', 1))]"), json!(r#"["a",1]"#));
    assert_eq!(k("[string(5)]"), json!("5"));
    assert_eq!(k("[string('text')]"), json!("text"));
    // JSON key order is unspecified (MS docs), so the object's keys are already sorted here.
    assert_eq!(
        k("[string(createObject('a', createObject('b', 'x')))]"),
        json!(r#"{"a":{"b":"x"}}"#)
    );
}

// ---------------------------------------------------------------------------------------------
// Conversions and logic

#[test]
fn int_conversion() {
    assert_eq!(k("[int('42')]"), json!(42));
    assert_eq!(k("[int(7)]"), json!(7));
    assert_eq!(k("[int('-3')]"), json!(-3));
}

#[test]
fn int_of_non_number_is_an_error() {
    assert_eq!(error_at(TPL, "[int('abc')]"), "int('abc')");
}

#[test]
fn bool_conversion() {
    assert_eq!(k("[bool('true')]"), json!(true));
    assert_eq!(k("[bool('False')]"), json!(false));
    assert_eq!(k("[bool(1)]"), json!(true));
    assert_eq!(k("[bool(0)]"), json!(false));
}

#[test]
fn if_evaluates_only_the_chosen_branch() {
    assert_eq!(k("[if(true(), 'a', parameters('missing'))]"), json!("a"));
    assert_eq!(k("[if(false(), parameters('missing'), 'b')]"), json!("b"));
    assert_eq!(k("[if(equals(1, 2), 'a', createArray(1))]"), json!([1]));
}

#[test]
fn if_with_non_boolean_condition_is_an_error() {
    error(TPL, "[if('yes', 'a', 'b')]");
}

#[test]
fn equals_values() {
    assert_eq!(k("[equals(1, 1)]"), json!(true));
    assert_eq!(k("[equals('a', 'a')]"), json!(true));
    assert_eq!(k("[equals('a', 'b')]"), json!(false));
    assert_eq!(k("[equals(1, '1')]"), json!(false));
    assert_eq!(
        k("[equals(createArray(1, 'a'), createArray(1, 'a'))]"),
        json!(true)
    );
    assert_eq!(
        k("[equals(createObject('a', 1), createObject('a', 1))]"),
        json!(true)
    );
    assert_eq!(
        k("[equals(createObject('a', 1), createObject('a', 2))]"),
        json!(false)
    );
}

#[test]
fn not_values() {
    assert_eq!(k("[not(true())]"), json!(false));
    assert_eq!(k("[not(equals(1, 2))]"), json!(true));
}

#[test]
fn and_values() {
    assert_eq!(k("[and(true(), true())]"), json!(true));
    assert_eq!(k("[and(true(), false())]"), json!(false));
    assert_eq!(k("[and(true(), true(), false())]"), json!(false));
    // A false operand decides, whatever the unknown one is.
    assert_eq!(k("[and(parameters('flag'), false())]"), json!(false));
}

#[test]
fn or_values() {
    assert_eq!(k("[or(false(), true())]"), json!(true));
    assert_eq!(k("[or(false(), false())]"), json!(false));
    assert_eq!(k("[or(parameters('flag'), true())]"), json!(true));
}

#[test]
fn contains_strings_arrays_objects() {
    assert_eq!(k("[contains('OneTwoThree', 'e')]"), json!(true));
    assert_eq!(k("[contains('OneTwoThree', 'z')]"), json!(false));
    // Strings compare case-sensitively, object keys case-insensitively (MS docs).
    assert_eq!(k("[contains('OneTwoThree', 'one')]"), json!(false));
    assert_eq!(
        k("[contains(createObject('one', 'a'), 'ONE')]"),
        json!(true)
    );
    assert_eq!(
        k("[contains(createObject('one', 'a'), 'two')]"),
        json!(false)
    );
    assert_eq!(k("[contains(variables('list'), 'b')]"), json!(true));
    assert_eq!(k("[contains(createArray(1, 2), 3)]"), json!(false));
}

#[test]
fn empty_values() {
    assert_eq!(k("[empty('')]"), json!(true));
    assert_eq!(k("[empty(createArray())]"), json!(true));
    assert_eq!(k("[empty(createObject())]"), json!(true));
    assert_eq!(k("[empty(null())]"), json!(true));
    assert_eq!(k("[empty('a')]"), json!(false));
    assert_eq!(k("[empty(variables('list'))]"), json!(false));
}

#[test]
fn length_values() {
    assert_eq!(k("[length('abc')]"), json!(3));
    assert_eq!(k("[length(variables('list'))]"), json!(3));
    assert_eq!(k("[length(variables('settings'))]"), json!(2));
    assert_eq!(k("[length(parameters('vnets'))]"), json!(2));
}

// ---------------------------------------------------------------------------------------------
// Numbers

#[test]
fn arithmetic() {
    assert_eq!(k("[add(1, 2)]"), json!(3));
    assert_eq!(k("[add(-1, 2)]"), json!(1));
    assert_eq!(k("[sub(5, 7)]"), json!(-2));
    assert_eq!(k("[mul(3, 4)]"), json!(12));
    assert_eq!(k("[div(7, 2)]"), json!(3));
    assert_eq!(k("[div(-7, 2)]"), json!(-3));
    assert_eq!(k("[mod(7, 3)]"), json!(1));
    assert_eq!(k("[add(parameters('count'), 1)]"), json!(4));
}

#[test]
fn division_by_zero_is_an_error() {
    assert_eq!(error_at(TPL, "[div(1, 0)]"), "div(1, 0)");
    assert_eq!(error_at(TPL, "[concat('x', mod(1, 0))]"), "mod(1, 0)");
}

#[test]
fn integer_overflow_is_an_error() {
    error(TPL, "[add(9223372036854775807, 1)]");
}

#[test]
fn range_of_integers() {
    assert_eq!(k("[range(1, 3)]"), json!([1, 2, 3]));
    assert_eq!(k("[range(0, 0)]"), json!([]));
}

// ---------------------------------------------------------------------------------------------
// Arrays and objects

#[test]
fn items_of_an_object() {
    assert_eq!(
        k("[items(createObject('a', 1))]"),
        json!([{"key": "a", "value": 1}])
    );
}

#[test]

fn items_sorts_by_key() {
    // Microsoft's `items` example: item002 is declared first, item001 comes out first.
    assert_eq!(
        k("[items(createObject('item002', 2, 'item001', 1))]"),
        json!([{"key": "item001", "value": 1}, {"key": "item002", "value": 2}])
    );
}

#[test]
fn union_objects() {
    assert_eq!(
        k(
            "[union(createObject('one', 'a', 'two', 'b', 'three', 'c1'), createObject('three', 'c2', 'four', 'd'))]"
        ),
        json!({"one": "a", "two": "b", "three": "c2", "four": "d"})
    );
}

#[test]
fn union_arrays() {
    assert_eq!(
        k("[union(createArray('one', 'two', 'three'), createArray('three', 'four'))]"),
        json!(["one", "two", "three", "four"])
    );
}

#[test]

fn union_merges_nested_objects() {
    // Microsoft's deep-merge example: nested objects merge, nested arrays are replaced.
    let tpl = r#"{"variables": {
        "first": {"property": {"one": "a", "two": "b", "three": "c1"}, "nestedArray": [1, 2]},
        "second": {"property": {"three": "c2", "four": "d", "five": "e"}, "nestedArray": [3, 4]}}}"#;
    assert_eq!(
        known(tpl, "[union(variables('first'), variables('second'))]"),
        json!({"property": {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"}, "nestedArray": [3, 4]})
    );
}

#[test]
fn create_array() {
    assert_eq!(
        k("[createArray(1, 'a', true(), createArray(2))]"),
        json!([1, "a", true, [2]])
    );
    assert_eq!(k("[createArray()]"), json!([]));
}

#[test]
fn create_object() {
    assert_eq!(
        k(
            "[createObject('intProp', 1, 'stringProp', 'abc', 'arrayProp', createArray('a'), 'objectProp', createObject('key1', 'value1'))]"
        ),
        json!({"intProp": 1, "stringProp": "abc", "arrayProp": ["a"], "objectProp": {"key1": "value1"}})
    );
    assert_eq!(k("[createObject('a', 1).a]"), json!(1));
}

#[test]
fn create_object_with_odd_arguments_is_an_error() {
    error(TPL, "[createObject('a', 1, 'b')]");
}

#[test]
fn json_parsing() {
    assert_eq!(
        k(r#"[json('{"a": "b", "n": [1, 2]}')]"#),
        json!({"a": "b", "n": [1, 2]})
    );
    assert_eq!(k("[json('null')]"), json!(null));
    assert_eq!(k("[json('3')]"), json!(3));
    assert_eq!(k("[json('true')]"), json!(true));
    assert_eq!(k(r#"[json('"test"')]"#), json!("test"));
}

#[test]
fn invalid_json_is_an_error() {
    error(TPL, "[json('{')]");
}

#[test]
fn coalesce_values() {
    assert_eq!(k("[coalesce(null(), 'x')]"), json!("x"));
    assert_eq!(k("[coalesce(null(), null(), 2, 3)]"), json!(2));
    assert_eq!(k("[coalesce(null(), null())]"), json!(null));
    assert_eq!(
        k("[coalesce(parameters('nullable'), 'fallback')]"),
        json!("fallback")
    );
}

// ---------------------------------------------------------------------------------------------
// CIDR

#[test]
fn cidr_subnet() {
    assert_eq!(
        k("[cidrSubnet('10.144.0.0/20', 24, 0)]"),
        json!("10.144.0.0/24")
    );
    assert_eq!(
        k("[cidrSubnet('10.144.0.0/20', 24, 4)]"),
        json!("10.144.4.0/24")
    );
    assert_eq!(
        k("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]"),
        json!("fdad:3236:5555:1000::/52")
    );
}

#[test]
fn cidr_subnet_bad_arguments_are_errors() {
    // New length shorter than the network's.
    error(TPL, "[cidrSubnet('10.144.0.0/20', 16, 0)]");
    // Only two /25 subnets in a /24.
    error(TPL, "[cidrSubnet('10.0.0.0/24', 25, 2)]");
    error(TPL, "[cidrSubnet('not-a-cidr', 24, 0)]");
}

#[test]
fn cidr_host() {
    assert_eq!(k("[cidrHost('10.144.3.0/24', 0)]"), json!("10.144.3.1"));
    assert_eq!(k("[cidrHost('10.144.3.0/24', 4)]"), json!("10.144.3.5"));
    assert_eq!(
        k("[cidrHost('fdad:3236:5555:3000::/52', 0)]"),
        json!("fdad:3236:5555:3000::1")
    );
}

#[test]

fn cidr_host_out_of_range_is_an_error() {
    // A /24 has 254 usable hosts: indexes 0 to 253.
    error(TPL, "[cidrHost('10.144.3.0/24', 254)]");
}

#[test]

fn parse_cidr_v4() {
    assert_eq!(
        k("[parseCidr('10.144.0.0/20')]"),
        json!({
            "network": "10.144.0.0",
            "netmask": "255.255.240.0",
            "broadcast": "10.144.15.255",
            "firstUsable": "10.144.0.1",
            "lastUsable": "10.144.15.254",
            "cidr": 20
        })
    );
}

#[test]
fn parse_cidr_v4_known_members() {
    assert_eq!(
        k("[parseCidr('10.144.0.0/20').network]"),
        json!("10.144.0.0")
    );
    assert_eq!(
        k("[parseCidr('10.144.0.0/20').netmask]"),
        json!("255.255.240.0")
    );
    assert_eq!(
        k("[parseCidr('10.144.0.0/20').broadcast]"),
        json!("10.144.15.255")
    );
    assert_eq!(
        k("[parseCidr('10.144.0.0/20').firstUsable]"),
        json!("10.144.0.1")
    );
    assert_eq!(k("[parseCidr('10.144.0.0/20').cidr]"), json!(20));
}

#[test]

fn parse_cidr_v6() {
    assert_eq!(
        k("[parseCidr('fdad:3236:5555::/48')]"),
        json!({
            "network": "fdad:3236:5555::",
            "netmask": "ffff:ffff:ffff::",
            "firstUsable": "fdad:3236:5555::",
            "lastUsable": "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff",
            "cidr": 48
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Deployment context and opaque functions

#[test]
fn subscription_function() {
    assert_eq!(
        k("[subscription().subscriptionId]"),
        json!("{subscription}")
    );
    assert_eq!(
        k("[subscription().id]"),
        json!("/subscriptions/{subscription}")
    );
    unknown(TPL, "[subscription().tenantId]");
}

#[test]
fn resource_group_function() {
    assert_eq!(k("[resourceGroup().name]"), json!("{resourceGroup}"));
    assert_eq!(k("[resourceGroup().id]"), json!(RG));
    unknown(TPL, "[resourceGroup().location]");
}

#[test]
fn deployment_name_is_unknown() {
    unknown(TPL, "[deployment().name]");
    unknown(TPL, "[concat('peer-', deployment().name)]");
}

#[test]
fn copy_index_outside_a_loop_is_an_error() {
    assert_eq!(error_at(TPL, "[copyIndex()]"), "copyIndex()");
    assert_eq!(
        error_at(TPL, "[concat('vnet-', copyIndex(1))]"),
        "copyIndex(1)"
    );
    assert_eq!(error_at(TPL, "[copyIndex('nope')]"), "copyIndex('nope')");
}

#[test]
fn unique_string_is_unknown_with_a_placeholder() {
    let a = unknown(TPL, "[uniqueString(resourceGroup().id)]");
    assert!(a.is_some(), "uniqueString needs a placeholder symbol");
    // The same call gives the same placeholder, another argument another one.
    assert_eq!(unknown(TPL, "[uniqueString(resourceGroup().id)]"), a);
    assert_ne!(unknown(TPL, "[uniqueString('other')]"), a);
    // Names built from it stay symbolic.
    let name = unknown(TPL, "[concat('st', uniqueString(resourceGroup().id))]").expect("symbol");
    assert!(name.starts_with("st"), "{name}");
}

#[test]
fn utc_now_and_new_guid_are_unknown() {
    unknown(TPL, "[utcNow()]");
    unknown(TPL, "[newGuid()]");
}

#[test]
fn reference_outside_the_template_is_unknown() {
    unknown(TPL, "[reference('outside')]");
    unknown(TPL, "[reference('outside').properties.addressSpace]");
    unknown(
        TPL,
        "[reference(resourceId('Microsoft.Network/virtualNetworks', 'elsewhere'), '2023-09-01')]",
    );
}

// ---------------------------------------------------------------------------------------------
// Lambdas

#[test]
fn filter_with_lambda() {
    assert_eq!(
        k("[filter(createArray(1, 2, 3, 4), lambda('n', greater(lambdaVariables('n'), 2)))]"),
        json!([3, 4])
    );
    assert_eq!(
        k(
            "[filter(parameters('vNets'), lambda('v', startsWith(lambdaVariables('v').name, 'spoke')))]"
        ),
        json!([{"name": "spoke1", "prefix": "10.1.0.0/16"}])
    );
}

#[test]
fn map_with_lambda() {
    assert_eq!(
        k("[map(createArray('a', 'b'), lambda('x', concat('snet-', lambdaVariables('x'))))]"),
        json!(["snet-a", "snet-b"])
    );
    assert_eq!(
        k("[map(parameters('vNets'), lambda('v', lambdaVariables('v').name))]"),
        json!(["hub", "spoke1"])
    );
    // The optional second lambda variable is the index.
    assert_eq!(
        k(
            "[map(createArray('a', 'b'), lambda('x', 'i', format('{0}{1}', lambdaVariables('x'), lambdaVariables('i'))))]"
        ),
        json!(["a0", "b1"])
    );
}

#[test]
fn lambda_variable_outside_a_lambda_is_an_error() {
    assert_eq!(
        error_at(TPL, "[concat('a', lambdaVariables('x'))]"),
        "lambdaVariables('x')"
    );
}

// ---------------------------------------------------------------------------------------------
// Literals and escapes

#[test]
fn double_bracket_escape_is_a_literal() {
    assert_eq!(k("[[literal]"), json!("[literal]"));
    assert_eq!(k("[[concat('a', 'b')]"), json!("[concat('a', 'b')]"));
    let tpl = r#"{"variables": {"lit": "[[notAnExpression]"}}"#;
    assert_eq!(known(tpl, "[variables('lit')]"), json!("[notAnExpression]"));
}

#[test]
fn brackets_not_enclosing_the_whole_string_are_a_literal() {
    assert_eq!(k("[test] value"), json!("[test] value"));
    assert_eq!(k("plain text"), json!("plain text"));
    assert_eq!(k(""), json!(""));
}

#[test]
fn quote_escape_inside_strings() {
    assert_eq!(k("[concat('it''s', ' ok')]"), json!("it's ok"));
    assert_eq!(k("['''quoted''']"), json!("'quoted'"));
    assert_eq!(k("[length('it''s')]"), json!(4));
}

#[test]
fn string_literal_with_brackets_inside_an_expression() {
    assert_eq!(k("['[x]']"), json!("[x]"));
}

#[test]
fn whitespace_and_newlines_inside_expressions() {
    assert_eq!(k("[ concat( 'a' ,\n  'b' ) ]"), json!("ab"));
}

#[test]
fn function_names_are_case_insensitive() {
    assert_eq!(k("[CONCAT('a', ToLower('B'))]"), json!("ab"));
}

// ---------------------------------------------------------------------------------------------
// Errors: reported once, pointing at the offending part, never a panic

#[test]
fn wrong_arity_points_at_the_call() {
    let (msg, at) = error(TPL, "[concat('a', add(1))]");
    assert_eq!(at, "add(1)");
    assert!(msg.contains("add"), "{msg}");
    assert_eq!(error_at(TPL, "[add(1, 2, 3)]"), "add(1, 2, 3)");
    assert_eq!(error_at(TPL, "[not()]"), "not()");
}

#[test]
fn wrong_types_point_at_the_call() {
    assert_eq!(error_at(TPL, "[add('a', 1)]"), "add('a', 1)");
    assert_eq!(error_at(TPL, "[length(1)]"), "length(1)");
    assert_eq!(error_at(TPL, "[concat('x-', length(1))]"), "length(1)");
    assert_eq!(error_at(TPL, "[toLower(1)]"), "toLower(1)");
    assert_eq!(error_at(TPL, "[not('yes')]"), "not('yes')");
}

#[test]
fn unknown_function_points_at_the_call() {
    let (msg, at) = error(TPL, "[foo()]");
    assert_eq!(at, "foo()");
    assert!(msg.contains("foo"), "{msg}");
    assert_eq!(error_at(TPL, "[concat('a', foo(1, 'b'))]"), "foo(1, 'b')");
}

#[test]
fn unclosed_string_is_an_error() {
    let at = error_at(TPL, "[concat('a)]");
    assert!(at.starts_with("'a"), "points at {at:?}");
}

#[test]
fn missing_close_paren_is_an_error() {
    error(TPL, "[concat('a', 'b']");
    error(TPL, "[concat('a', 'b'  ]");
}

#[test]
fn other_syntax_errors() {
    error(TPL, "[]");
    error(TPL, "[concat('a') 'b']");
    error(TPL, "[parameters]");
    error(TPL, "[concat('a',, 'b')]");
    error(TPL, "[\"a\"]");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let expr = format!("[{}'a'{}]", "concat(".repeat(300), ")".repeat(300));
    error(TPL, &expr);
    let expr = format!("[{}'a'{}]", "concat(".repeat(50), ")".repeat(50));
    assert_eq!(k(&expr), json!("a"));
}

#[test]
fn index_out_of_range_points_at_the_index() {
    assert_eq!(
        error_at(TPL, "[createArray(1, 2)[5]]"),
        "createArray(1, 2)[5]"
    );
    assert_eq!(
        error_at(TPL, "[variables('list')[3]]"),
        "variables('list')[3]"
    );
    error(TPL, "[createArray(1, 2)[-1]]");
}

#[test]
fn member_of_a_non_object_is_an_error() {
    assert_eq!(error_at(TPL, "['abc'.x]"), "'abc'.x");
    assert_eq!(
        error_at(TPL, "[variables('list').name]"),
        "variables('list').name"
    );
    assert_eq!(
        error_at(TPL, "[parameters('count').x]"),
        "parameters('count').x"
    );
}

#[test]
fn accessor_error_after_a_comma_points_without_the_space() {
    assert_eq!(
        error_at(TPL, "[concat('x', variables('list')[3])]"),
        "variables('list')[3]"
    );
    assert_eq!(
        error_at(TPL, "[concat('a', variables('list').name)]"),
        "variables('list').name"
    );
}

#[test]
fn missing_member_is_an_error() {
    assert_eq!(
        error_at(TPL, "[variables('settings').nope]"),
        "variables('settings').nope"
    );
    assert_eq!(
        error_at(TPL, "[variables('settings')['nope']]"),
        "variables('settings')['nope']"
    );
}

#[test]
fn bad_index_type_is_an_error() {
    error(TPL, "[variables('list')['a']]");
    error(TPL, "['abc'[0]]");
}

// Found by fuzzing: each of these panicked or hung.
#[test]
fn huge_numbers_are_errors_not_panics_or_hangs() {
    error(TPL, "[format('{0:D99999999999}', 1)]");
    error(TPL, "[substring('abc', 9223372036854775807, 1)]");
    error(TPL, "[substring('abc', 1, 9223372036854775807)]");
    error(TPL, "[cidrSubnet('0.0.0.0/0', 32, 4294967296)]");
    assert_eq!(
        known(TPL, "[cidrSubnet('0.0.0.0/0', 32, 4294967295)]"),
        json!("255.255.255.255/32")
    );
    assert_eq!(
        known(TPL, "[cidrSubnet('::/0', 128, 9223372036854775807)]"),
        json!("::7fff:ffff:ffff:ffff/128")
    );
}
