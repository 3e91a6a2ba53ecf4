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
fn format_writes_nothing_for_null() {
    // As .NET's composite formatting does, whatever the format item's format says; an
    // alignment still pads.
    assert_eq!(k("[format('{0}x', null())]"), json!("x"));
    assert_eq!(k("[format('{0}x', parameters('nullable'))]"), json!("x"));
    assert_eq!(k("[format('a{0:D3}b', null())]"), json!("ab"));
    assert_eq!(k("[format('[{0,3}]', null())]"), json!("[   ]"));
    // Elsewhere the text of null stays unknown.
    unknown(TPL, "[concat('a', null())]");
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
    // A false operand decides, whatever the unknown one after it is (never evaluated).
    assert_eq!(k("[and(false(), parameters('flag'))]"), json!(false));
    // An unknown operand before it keeps the result unknown: were it true, Resource Manager
    // would evaluate what follows (issue 9: and/or evaluate lazily, left to right).
    unknown(TPL, "[and(parameters('flag'), false())]");
}

#[test]
fn or_values() {
    assert_eq!(k("[or(false(), true())]"), json!(true));
    assert_eq!(k("[or(false(), false())]"), json!(false));
    assert_eq!(k("[or(true(), parameters('flag'))]"), json!(true));
    unknown(TPL, "[or(parameters('flag'), true())]");
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
    // A subnet number past the network's end is not an error: Resource Manager counts on
    // (PSRule's `cidrSubnet('10.144.0.0/20', 20, 1)` is `10.144.16.0/20`).
    assert_eq!(
        k("[cidrSubnet('10.0.0.0/24', 25, 2)]"),
        json!("10.0.1.0/25")
    );
    // Past the end of the address space is.
    error(TPL, "[cidrSubnet('255.255.255.0/24', 25, 2)]");
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

// ---------------------------------------------------------------------------------------------
// Issue 9: every documented function, evaluated as Resource Manager does.

/// Unknown without any error: the reason.
fn unknown_reason(tpl: &str, expr: &str) -> String {
    let (out, errs) = evaluate_expression(tpl, expr);
    assert!(errs.is_empty(), "{expr}: unexpected errors {errs:?}");
    match out {
        Outcome::Unknown { reason, .. } => reason,
        other => panic!("{expr}: expected an unknown value, got {other:?}"),
    }
}

#[test]
fn and_or_stop_at_the_deciding_argument() {
    // Bicep's `x.?k` guards: the guarded access is never evaluated (FP07).
    let tpl = r#"{"parameters": {"x": {"type": "object", "defaultValue": {}},
                                  "flag": {"type": "bool"}}}"#;
    assert_eq!(
        known(
            tpl,
            "[and(contains(parameters('x'), 'k'), parameters('x').k)]"
        ),
        json!(false)
    );
    assert_eq!(
        known(
            tpl,
            "[or(empty(parameters('x')), equals(parameters('x').sid, 'a'))]"
        ),
        json!(true)
    );
    assert_eq!(
        known(
            tpl,
            "[and(true(), true(), not(contains(parameters('x'), 'k')))]"
        ),
        json!(true)
    );
    // An unknown before the deciding argument: unknown, and what follows isn't evaluated.
    unknown(tpl, "[and(parameters('flag'), parameters('x').k)]");
    unknown(tpl, "[or(parameters('flag'), parameters('x').k)]");
    // Arguments that are evaluated are still checked.
    assert_eq!(error_at(tpl, "[and(true(), 'yes')]"), "'yes'");
    assert_eq!(error_at(tpl, "[or(false(), 1, true())]"), "1");
    assert_eq!(error_at(tpl, "[and(true())]"), "and(true())");
    assert_eq!(error_at(tpl, "[or()]"), "or()");
}

#[test]
fn coalesce_stops_at_the_first_value_that_is_not_null() {
    assert_eq!(
        k("[coalesce(null(), 'a', fail('never evaluated'))]"),
        json!("a")
    );
    assert_eq!(k("[coalesce(null(), null())]"), json!(null));
    assert_eq!(
        k("[coalesce(parameters('nullable'), createArray())]"),
        json!([])
    );
    // An unknown may be null or not: unknown, and the rest isn't evaluated.
    unknown(
        TPL,
        "[coalesce(parameters('noDefault'), fail('maybe never'))]",
    );
    error(TPL, "[coalesce()]");
}

#[test]
fn if_evaluates_only_the_chosen_branch_and_checks_its_arity() {
    assert_eq!(k("[if(true(), 'a', fail('no'))]"), json!("a"));
    assert_eq!(k("[if(false(), fail('no'), 'b')]"), json!("b"));
    assert_eq!(error_at(TPL, "[if(true(), 'a')]"), "if(true(), 'a')");
}

#[test]
fn fail_fails_the_deployment_when_reached() {
    let (msg, at) = error(TPL, "[fail('no hub given')]");
    assert!(msg.contains("no hub given"), "{msg}");
    assert_eq!(at, "fail('no hub given')");
    // Whatever its message is.
    error(TPL, "[fail(parameters('noDefault'))]");
}

#[test]
fn arity_is_checked_even_when_an_argument_is_unknown() {
    assert_eq!(
        error_at(TPL, "[string(parameters('noDefault'), 1)]"),
        "string(parameters('noDefault'), 1)"
    );
    assert_eq!(error_at(TPL, "[length()]"), "length()");
    // ARM needs at least one argument where peerlint used to take none.
    error(TPL, "[concat()]");
    error(TPL, "[resourceId()]");
    error(TPL, "[resourceId('Microsoft.Network/virtualNetworks')]");
    error(TPL, "[union(createArray(1))]");
    error(TPL, "[guid()]");
    error(TPL, "[deployer(1)]");
}

#[test]
fn unknown_functions_are_errors_with_a_suggestion() {
    let (msg, _) = error(TPL, "[trygget(variables('settings'), 'x')]");
    assert!(msg.contains("did you mean `tryget`"), "{msg}");
    error(TPL, "[trygget(parameters('noDefault'), 'x')]");
    // `list*` is any name starting with `list`, with the resource and an API version.
    unknown(TPL, "[listKeys('st', '2023-01-01').keys[0].value]");
    error(TPL, "[listKeys('st')]");
    // User-defined functions are not evaluated.
    unknown(TPL, "[ns.name(1)]");
}

#[test]
fn a_function_given_an_unknown_never_reports_a_type_error() {
    // An unknown element: FP05.
    unknown(
        TPL,
        "[shallowMerge(createArray(createObject('a', 1), parameters('noDefault')))]",
    );
    unknown(
        TPL,
        "[union(createArray(parameters('noDefault')), createArray('a'))]",
    );
    unknown(
        TPL,
        "[intersection(createObject('a', parameters('noDefault')), createObject('a', 1))]",
    );
    unknown(
        TPL,
        "[flatten(createArray(createArray(1), parameters('noDefault')))]",
    );
    unknown(
        TPL,
        "[max(createArray(1, parameters('count'), parameters('noDefault')))]",
    );
    unknown(TPL, "[concat(createArray(1), parameters('noDefault'))]");
    unknown(TPL, "[string(createArray(parameters('noDefault')))]");
    unknown(
        TPL,
        "[indexOf(createArray(parameters('noDefault'), 'b'), 'b')]",
    );
    unknown(TPL, "[contains(createArray(parameters('noDefault')), 'b')]");
    unknown(
        TPL,
        "[split(parameters('noDefault'), parameters('noDefault'))]",
    );
    // A known difference still decides.
    assert_eq!(
        k(
            "[length(union(createArray(createObject('n', parameters('noDefault'), 'p', 1)), createArray(createObject('n', 'x', 'p', 2))))]"
        ),
        json!(2)
    );
    assert_eq!(
        k(
            "[length(intersection(createArray(createObject('n', parameters('noDefault'), 'p', 1), 'b'), createArray('b')))]"
        ),
        json!(1)
    );
    assert_eq!(
        k("[contains(createArray(parameters('noDefault'), 'b'), 'b')]"),
        json!(true)
    );
    assert_eq!(
        k("[equals(createArray(parameters('noDefault'), 1), createArray('x', 2))]"),
        json!(false)
    );
}

#[test]
fn array_and_object_keys() {
    assert_eq!(k("[array(1)]"), json!([1]));
    assert_eq!(k("[array('a')]"), json!(["a"]));
    assert_eq!(k("[array(createArray(1, 2))]"), json!([1, 2]));
    assert_eq!(k("[array(variables('settings'))[0].x]"), json!(1));
    assert_eq!(
        k("[objectKeys(variables('settings'))]"),
        json!(["nested", "x"])
    );
    error(TPL, "[objectKeys(1)]");
    error(TPL, "[array()]");
}

#[test]
fn index_from_end() {
    assert_eq!(k("[indexFromEnd(variables('list'), 1)]"), json!("c"));
    assert_eq!(k("[tryIndexFromEnd(variables('list'), 3)]"), json!("a"));
    assert_eq!(k("[tryIndexFromEnd(variables('list'), 4)]"), json!(null));
    error(TPL, "[indexFromEnd(variables('list'), 0)]");
    error(TPL, "[indexFromEnd(variables('list'), 4)]");
}

#[test]
fn reduce_takes_the_array_the_initial_value_and_the_lambda() {
    assert_eq!(
        k(
            "[reduce(createArray(1, 2, 3), 10, lambda('acc', 'n', add(lambdaVariables('acc'), lambdaVariables('n'))))]"
        ),
        json!(16)
    );
    // With the element's index.
    assert_eq!(
        k(
            "[reduce(createArray(5, 5), 0, lambda('acc', 'n', 'i', add(lambdaVariables('acc'), lambdaVariables('i'))))]"
        ),
        json!(1)
    );
    let (msg, _) = error(TPL, "[reduce(createArray(1), lambda('a', 'b', 1), 0)]");
    assert!(msg.contains("lambda"), "{msg}");
}

#[test]
fn sort_group_by_map_values_and_to_object() {
    assert_eq!(
        k(
            "[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]"
        ),
        json!([1, 2, 3])
    );
    // Equal elements may tie.
    assert_eq!(
        k(
            "[sort(createArray(2, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]"
        ),
        json!([1, 2, 2])
    );
    // Distinct elements that tie: their order is Azure's sort's.
    unknown(
        TPL,
        "[sort(parameters('vNets'), lambda('a', 'b', false()))]",
    );
    assert_eq!(
        k("[groupBy(createArray('ab', 'ac', 'b'), lambda('s', first(lambdaVariables('s'))))]"),
        json!({"a": ["ab", "ac"], "b": ["b"]})
    );
    assert_eq!(
        k("[mapValues(createObject('a', 1, 'b', 2), lambda('v', mul(lambdaVariables('v'), 10)))]"),
        json!({"a": 10, "b": 20})
    );
    assert_eq!(
        k(
            "[toObject(parameters('vNets'), lambda('v', lambdaVariables('v').name), lambda('v', lambdaVariables('v').prefix))]"
        ),
        json!({"hub": "10.0.0.0/16", "spoke1": "10.1.0.0/16"})
    );
    // Two elements with one key: which Azure keeps isn't documented.
    unknown(
        TPL,
        "[toObject(createArray('a', 'a'), lambda('x', lambdaVariables('x')))]",
    );
    // The lambda's variables are counted.
    error(TPL, "[map(createArray(1), lambda('a', 'b', 'c', 1))]");
    error(TPL, "[filter(createArray(1), 1)]");
    error(TPL, "[mapValues(createArray(1), lambda('v', 1))]");
}

#[test]
fn strings_count_utf16_units_and_ignore_case_as_dotnet_does() {
    // `İ` upper-cases to itself: positions count the text as written.
    assert_eq!(k("[indexOf('İstanbul x', 'x')]"), json!(9));
    assert_eq!(k("[lastIndexOf('abcABC', 'b')]"), json!(4));
    assert_eq!(k("[indexOf('abc', '')]"), json!(0));
    assert_eq!(k("[length('😀')]"), json!(2));
    assert_eq!(k("[substring('a😀b', 3)]"), json!("b"));
    unknown(TPL, "[substring('a😀b', 2)]");
    assert_eq!(k("[endsWith('HUB-vnet', 'VNET')]"), json!(true));
    let (msg, _) = error(TPL, "[endsWith('a', 1)]");
    assert!(msg.contains("suffix"), "{msg}");
    assert_eq!(k("[substring('abcdef')]"), json!("abcdef"));
    assert_eq!(k("[substring('abcdef', 2)]"), json!("cdef"));
}

#[test]
fn string_comparisons_order_as_dotnet_culture_does() {
    assert_eq!(k("[greater('A', 'a')]"), json!(true));
    assert_eq!(k("[less('apple', 'Banana')]"), json!(true));
    assert_eq!(k("[greaterOrEquals('spoke10', 'spoke9')]"), json!(false));
    // Punctuation orders differently in a culture: not guessed.
    let why = unknown_reason(TPL, "[less('a-b', 'ab')]");
    assert!(why.contains("culture-aware"), "{why}");
    error(TPL, "[less('a', 1)]");
}

#[test]
fn join_pad_left_and_format() {
    assert_eq!(k("[join(variables('list'), ', ')]"), json!("a, b, c"));
    assert_eq!(k("[padLeft('7', 3, '0')]"), json!("007"));
    assert_eq!(k("[padLeft(42, 5)]"), json!("   42"));
    assert_eq!(k("[padLeft('abcdef', 3)]"), json!("abcdef"));
    assert_eq!(
        k("[format('[{0,-4}|{1,3}]', 'ab', 7)]"),
        json!("[ab  |  7]")
    );
    assert_eq!(k("[format('{0:D3}', -5)]"), json!("-005"));
    // A boolean's text (`True` or `true`) and formats peerlint doesn't reproduce: unknown.
    unknown(TPL, "[format('{0}', true())]");
    unknown(TPL, "[format('{0:X}', 255)]");
    unknown(TPL, "[string(true())]");
    unknown(TPL, "[concat('a', null())]");
    // An argument the format doesn't use doesn't matter.
    assert_eq!(k("[format('{0}', 'a', true())]"), json!("a"));
    error(TPL, "[format(1, 'a')]");
    error(TPL, "[format('{0', 'a')]");
    error(TPL, "[join(variables('list'), 1)]");
}

#[test]
fn encodings() {
    assert_eq!(k("[base64('hub')]"), json!("aHVi"));
    assert_eq!(k("[base64ToString('aHVi')]"), json!("hub"));
    assert_eq!(k("[base64ToJson(base64('{\"a\": [1]}')).a]"), json!([1]));
    error(TPL, "[base64ToString('a')]");
    assert_eq!(k("[dataUriToString(dataUri('hub'))]"), json!("hub"));
    error(TPL, "[dataUriToString('hub')]");
    assert_eq!(k("[uriComponent('a b/c')]"), json!("a%20b%2Fc"));
    assert_eq!(k("[uriComponentToString('a%20b%2Fc')]"), json!("a b/c"));
    assert_eq!(
        k("[uri('https://example.com/templates/main.json', 'nested/vnet.json')]"),
        json!("https://example.com/templates/nested/vnet.json")
    );
    // Where .NET would normalise, or the documentation and .NET disagree: unknown.
    unknown(TPL, "[uri('https://Example.com/a/', 'b')]");
    unknown(TPL, "[uri('https://example.com/a/', '/b')]");
    unknown(TPL, "[uri('https://example.com/a/', '../b')]");
    unknown(TPL, "[uri('not a uri', 'b')]");
    error(TPL, "[uri('https://example.com/', 1)]");
}

#[test]
fn json_reads_what_resource_managers_reader_reads() {
    // Comments (FP04), single quotes, unquoted names, trailing commas.
    assert_eq!(
        k("[json('{\n  // address plan\n  \"hub\": \"10.0.0.0/16\", /* more */\n}').hub]"),
        json!("10.0.0.0/16")
    );
    assert_eq!(
        k("[json('{''a'': [1, 2,], b: null}')]"),
        json!({"a": [1, 2], "b": null})
    );
    assert_eq!(k("[json('')]"), json!(null));
    assert_eq!(k("[json('\"\\u00e9\"')]"), json!("é"));
    // A floating-point number: peerlint has none.
    unknown(TPL, "[json('{\"a\": 1.5}')]");
    error(TPL, "[json('{\"a\": }')]");
    error(TPL, "[json('[1] 2')]");
}

#[test]
fn deployment_time_values_are_unknown_never_guessed() {
    // FP02: `deployer()` is the deploying principal, known only at deployment.
    let why = unknown_reason(TPL, "[deployer().objectId]");
    assert!(why.contains("deploying principal"), "{why}");
    unknown(
        TPL,
        "[if(contains(deployer(), 'userPrincipalName'), split(deployer().userPrincipalName, '@')[0], deployer().objectId)]",
    );
    unknown(TPL, "[deployment().name]");
    unknown(TPL, "[deployment().location]");
    unknown(TPL, "[contains(deployment(), 'mode')]");
    unknown(TPL, "[deployment().properties.templateLink.uri]");
    unknown(TPL, "[environment().name]");
    unknown(TPL, "[resourceGroup().tags]");
    unknown(
        TPL,
        "[pickZones('Microsoft.Compute', 'virtualMachines', 'westeurope')]",
    );
    unknown(TPL, "[toLogicalZone('sub', 'westeurope', '1')]");
    unknown(TPL, "[references('vnets')]");
    unknown(TPL, "[utcNow('u')]");
    unknown(TPL, "[dateTimeAdd(utcNow(), 'P1D')]");
    unknown(TPL, "[float('1.5')]");
    unknown(TPL, "[parseUri('https://example.com').host]");
}

#[test]
fn dates_in_formats_read_exactly() {
    assert_eq!(
        k("[dateTimeFromEpoch(1586271194)]"),
        json!("2020-04-07T14:53:14Z")
    );
    assert_eq!(
        k("[dateTimeToEpoch('2020-04-07T14:53:14Z')]"),
        json!(1586271194)
    );
    assert_eq!(
        k("[dateTimeAdd('2020-01-31 10:00:00Z', 'P1M', 'u')]"),
        json!("2020-02-29 10:00:00Z")
    );
    unknown(TPL, "[dateTimeToEpoch('04/07/2020')]");
    error(TPL, "[dateTimeAdd('2020-04-07 14:53:14Z', 2)]");
    error(TPL, "[dateTimeFromEpoch(9223372036854775807)]");
}

#[test]
fn split_of_an_id_built_from_placeholders_gives_its_segments() {
    // FP10: the segment of a resource id built from a parameter is that parameter.
    let tpl = r#"{"parameters": {"hubName": {"type": "string"}},
        "variables": {"hubId": "[resourceId('Microsoft.Network/virtualNetworks', parameters('hubName'))]"}}"#;
    assert_eq!(
        unknown(tpl, "[split(variables('hubId'), '/')[8]]").as_deref(),
        Some("{hubName}")
    );
    assert_eq!(
        unknown(tpl, "[last(split(variables('hubId'), '/'))]").as_deref(),
        Some("{hubName}")
    );
    assert_eq!(
        unknown(
            tpl,
            "[format('spoke/to-{0}', split(variables('hubId'), '/')[8])]"
        )
        .as_deref(),
        Some("spoke/to-{hubName}")
    );
    assert_eq!(
        known(tpl, "[split(variables('hubId'), '/')[7]]"),
        json!("virtualNetworks")
    );
    assert_eq!(
        known(tpl, "[length(split(variables('hubId'), '/'))]"),
        json!(9)
    );
    // A parameter holding a whole id may contain `/` itself: not taken apart.
    let tpl = r#"{"parameters": {"hubId": {"type": "string"}}}"#;
    let s = unknown(tpl, "[split(parameters('hubId'), '/')[8]]");
    assert_ne!(s.as_deref(), Some("{hubId}"));
    unknown(tpl, "[length(split(parameters('hubId'), '/'))]");
    // Nor by another delimiter.
    let tpl = r#"{"parameters": {"p": {"type": "string"}}}"#;
    unknown(
        tpl,
        "[length(split(resourceId('Microsoft.Network/virtualNetworks', parameters('p')), '-'))]",
    );
}

#[test]
fn split_cuts_at_the_first_delimiter_in_order_as_dotnet_does() {
    assert_eq!(
        k("[split('a-b_c', createArray('-', '_'))]"),
        json!(["a", "b", "c"])
    );
    assert_eq!(
        k("[split('abc', createArray('bc', 'b'))]"),
        json!(["a", ""])
    );
    assert_eq!(k("[split('', ',')]"), json!([""]));
}

#[test]
fn overflow_anywhere_is_an_error_never_a_wrap_or_a_panic() {
    error(TPL, "[range(9223372036854775807, 3)]");
    error(TPL, "[range(2147483647, 1)]");
    assert_eq!(k("[range(2147483646, 1)]"), json!([2147483646]));
    error(TPL, "[mul(4611686018427387904, 2)]");
    error(TPL, "[sub(-9223372036854775808, 1)]");
    error(TPL, "[div(-9223372036854775808, -1)]");
    error(TPL, "[mod(-9223372036854775808, -1)]");
    error(TPL, "[substring('abc', -9223372036854775808, 1)]");
    error(TPL, "[substring('abc', 1, -9223372036854775808)]");
    error(TPL, "[take('abc', -9223372036854775808)[5]]");
    let tpl = r#"{"variables": {"copy": [{"name": "x", "count": 2,
        "input": "[copyIndex('x', 9223372036854775807)]"}]}}"#;
    let (out, errs) = evaluate_expression(tpl, "[variables('x')]");
    assert!(matches!(out, Outcome::Unknown { .. }), "{out:?}");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].0.contains("overflow"), "{errs:?}");
}

#[test]
fn union_skips_null_and_merges_nested_objects() {
    assert_eq!(
        k("[union(null(), createObject('a', 1), null())]"),
        json!({"a": 1})
    );
    assert_eq!(
        k("[union(createArray(1, 2), null(), createArray(2, 3))]"),
        json!([1, 2, 3])
    );
    assert_eq!(
        k("[intersection(createArray(1, 2, 3), createArray(3, 2))]"),
        json!([2, 3])
    );
    error(TPL, "[union(createArray(1), createObject())]");
}

#[test]
fn outputs_are_evaluated_in_order_with_their_declared_types() {
    let tpl = r#"{
      "parameters": {"n": {"type": "int", "defaultValue": 2}, "hub": {"type": "string"}},
      "outputs": {
        "names": {"type": "array", "copy": {"count": "[parameters('n')]",
                                             "input": "[format('spoke{0}', copyIndex(1))]"}},
        "skipped": {"type": "string", "condition": "[equals(parameters('n'), 3)]", "value": "x"},
        "hubId": {"type": "string",
                  "value": "[resourceId('Microsoft.Network/virtualNetworks', parameters('hub'))]"},
        "bad": {"type": "int", "value": "[add(1)]"}
      }}"#;
    let (outputs, errs) = peerlint::arm::evaluate_outputs(tpl).expect("JSON");
    let names: Vec<&str> = outputs.iter().map(|(n, ..)| n.as_str()).collect();
    assert_eq!(names, ["names", "hubId", "bad"]);
    assert_eq!(outputs[0].1, "array");
    assert_eq!(outputs[0].2, Outcome::Known(json!(["spoke1", "spoke2"])));
    assert!(
        matches!(&outputs[1].2, Outcome::Unknown { symbol: Some(s), .. } if s.ends_with("/virtualNetworks/{hub}"))
    );
    // An invalid output expression fails the deployment: reported like any expression.
    assert!(matches!(outputs[2].2, Outcome::Unknown { .. }));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].1, "add(1)");
}

#[test]
fn placeholders_never_stand_for_two_different_values() {
    // An unknown without a placeholder (here the deployment's properties) gives none to what
    // is built on it: `{concat(?,-a)}` would name any value.
    assert_eq!(
        unknown(
            TPL,
            "[concat(deployment().properties.templateLink.uri, '-a')]"
        ),
        None
    );
    assert_eq!(unknown(TPL, "[deployment().properties.list[0]]"), None);
    assert_eq!(
        unknown(TPL, "[if(deployment().properties.debug, 'a', 'b')]"),
        None
    );
    assert_eq!(
        unknown(TPL, "[toLower(createArray(resourceGroup().tags)[0])]"),
        None
    );
    // `if` on an unknown inside a copy loop: each iteration its own placeholder.
    let tpl = r#"{"parameters": {"flag": {"type": "bool"}},
        "variables": {"copy": [{"name": "names", "count": 2,
            "input": "[if(parameters('flag'), format('a{0}', copyIndex('names')), 'b')]"}]}}"#;
    let (out, errs) = evaluate_expression(tpl, "[variables('names')]");
    assert!(errs.is_empty(), "{errs:?}");
    assert!(matches!(out, Outcome::Unknown { .. }), "{out:?}");
    let s0 = unknown(tpl, "[variables('names')[0]]");
    let s1 = unknown(tpl, "[variables('names')[1]]");
    assert!(s0.is_some() && s1.is_some(), "{s0:?} {s1:?}");
    assert_ne!(s0, s1);
}

#[test]
fn undocumented_argument_types_are_unknown_not_errors() {
    // Where the reference names other types and .NET might convert: not a guess either way.
    unknown(TPL, "[contains('true', true())]");
    unknown(TPL, "[contains(variables('settings'), null())]");
    unknown(TPL, "[indexOf('a1', 1)]");
    unknown(
        TPL,
        "[groupBy(createArray(1, 2), lambda('n', lambdaVariables('n')))]",
    );
    unknown(TPL, "[join(createArray(1, 2), ',')]");
    unknown(TPL, "[replace('abc', '', 'x')]");
    // Types the reference rules out are errors.
    error(TPL, "[first(1)]");
    error(TPL, "[startsWith('a', 1)]");
    error(TPL, "[toLower(2)]");
}
