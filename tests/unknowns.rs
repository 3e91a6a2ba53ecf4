//! Unknown stays unknown: a value peerlint can't compute (a parameter nobody gave, an invalid
//! expression) is never the start of a finding that needs it. And every finding about a
//! resource names it by its full id.
//!
//! Each test writes its own minimal template; `vnet`, `peering` and `template` keep them short.

mod common;

use common::{peerlint, scratch};
use serde_json::Value;

/// `check --format json` on one template written to a scratch folder: its diagnostics.
fn check(test: &str, template: &str) -> Vec<Value> {
    let dir = scratch(test);
    let path = dir.join("main.json");
    std::fs::write(&path, template).unwrap();
    let out = peerlint(
        &[
            "check",
            "--format",
            "json",
            "--exit-zero",
            path.to_str().unwrap(),
        ],
        None,
    );
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    v["diagnostics"].as_array().unwrap().clone()
}

/// A template with these parameters (JSON members) and resources.
fn template(parameters: &str, resources: &[String]) -> String {
    format!(
        r#"{{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0", "parameters": {{ {parameters} }},
  "resources": [
    {}
  ] }}"#,
        resources.join(",\n    ")
    )
}

/// A vnet named `name` (a JSON string, may be an expression) with `prefix` and extra properties.
fn vnet(name: &str, prefix: &str, more: &str) -> String {
    let more = if more.is_empty() {
        String::new()
    } else {
        format!(", {more}")
    };
    format!(
        r#"{{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "location": "westeurope", "name": "{name}",
      "properties": {{ "addressSpace": {{ "addressPrefixes": ["{prefix}"] }}{more} }} }}"#
    )
}

/// A peering resource named `name` (`vnet/peering`) towards the vnet named `remote` (literal),
/// with extra properties.
fn peering(name: &str, remote: &str, more: &str) -> String {
    let more = if more.is_empty() {
        String::new()
    } else {
        format!(", {more}")
    };
    format!(
        r#"{{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "{name}",
      "properties": {{ "remoteVirtualNetwork": {{ "id": "[resourceId('Microsoft.Network/virtualNetworks', '{remote}')]" }}{more} }} }}"#
    )
}

/// A copy loop of peerings of the vnet `vnet` (`vnet/to-<name>`), one to each vnet named in
/// the array parameter `list`, with extra properties.
fn peerings_to_each(vnet: &str, list: &str, more: &str) -> String {
    let more = if more.is_empty() {
        String::new()
    } else {
        format!(", {more}")
    };
    format!(
        r#"{{ "copy": {{ "name": "p", "count": "[length(parameters('{list}'))]" }},
      "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
      "name": "[format('{vnet}/to-{{0}}', parameters('{list}')[copyIndex()])]",
      "properties": {{ "remoteVirtualNetwork": {{ "id": "[resourceId('Microsoft.Network/virtualNetworks', parameters('{list}')[copyIndex()])]" }}{more} }} }}"#
    )
}

fn rules(ds: &[Value]) -> Vec<&str> {
    ds.iter().map(|d| d["rule"].as_str().unwrap()).collect()
}

fn of<'a>(ds: &'a [Value], rule: &str) -> Vec<&'a Value> {
    ds.iter().filter(|d| d["rule"] == rule).collect()
}

/// Ids of template resources without `--subscription`/`--resource-group`, as findings show them.
const SCOPE: &str = "/subscriptions/<subscription>/resourceGroups/<resourceGroup>/providers/Microsoft.Network/virtualNetworks";

#[test]
fn a_peering_named_by_an_invalid_expression_gives_one_invalid_expression_and_nothing_else() {
    // spoke's way back to hub is the peering with the invalid name: no missing-reverse-peering
    // on hub's link, no unresolved-value about the name.
    let ds = check(
        "invalid-name",
        &template(
            "",
            &[
                vnet("hub", "10.0.0.0/16", ""),
                vnet("spoke", "10.1.0.0/16", ""),
                peering("hub/to-spoke", "spoke", ""),
                peering("[concat('spoke/', add(1))]", "hub", ""),
            ],
        ),
    );
    assert_eq!(rules(&ds), ["invalid-expression"], "{ds:#?}");
}

#[test]
fn an_inline_peering_named_by_an_invalid_expression_is_left_out_quietly() {
    // Not "peering name `` is invalid", not a peering without a name.
    let ds = check(
        "invalid-inline-name",
        &template(
            "",
            &[
                vnet(
                    "hub",
                    "10.0.0.0/16",
                    r#""virtualNetworkPeerings": [{ "name": "[concat('to-', add(1))]", "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'spoke')]" } } }]"#,
                ),
                vnet("spoke", "10.1.0.0/16", ""),
                peering("spoke/to-hub", "hub", ""),
            ],
        ),
    );
    assert_eq!(rules(&ds), ["invalid-expression"], "{ds:#?}");
}

#[test]
fn an_unknown_peering_count_makes_the_way_back_unknown_not_missing() {
    let spoke_peerings = peerings_to_each("spoke", "hubs", "");
    let ds = check(
        "unknown-count",
        &template(
            r#""hubs": { "type": "array" }"#,
            &[
                vnet("hub", "10.0.0.0/16", ""),
                vnet("spoke", "10.1.0.0/16", ""),
                peering("hub/to-spoke", "spoke", ""),
                spoke_peerings,
            ],
        ),
    );
    assert_eq!(rules(&ds), ["unresolved-value"], "{ds:#?}");
    // Named by its full id, as far as it is known: a peering of `spoke`.
    let id = ds[0]["resource"].as_str().unwrap();
    assert!(
        id.starts_with("/subscriptions/")
            && id.contains("/virtualNetworks/spoke/virtualNetworkPeerings/"),
        "{id}"
    );
}

#[test]
fn an_unknown_loop_elsewhere_leaves_a_real_missing_reverse_peering_alone() {
    // The unknown loop adds peerings to `other` only: `spoke` really has no way back.
    let other_peerings = peerings_to_each("other", "hubs", "");
    let ds = check(
        "unknown-count-elsewhere",
        &template(
            r#""hubs": { "type": "array" }"#,
            &[
                vnet("hub", "10.0.0.0/16", ""),
                vnet("spoke", "10.1.0.0/16", ""),
                vnet("other", "10.2.0.0/16", ""),
                peering("hub/to-spoke", "spoke", ""),
                other_peerings,
            ],
        ),
    );
    let missing = of(&ds, "missing-reverse-peering");
    assert_eq!(missing.len(), 1, "{ds:#?}");
    assert_eq!(
        missing[0]["resource"],
        format!("{SCOPE}/hub/virtualNetworkPeerings/to-spoke"),
    );
}

#[test]
fn unknown_lists_of_peerings_and_their_entries_hide_no_way_back() {
    for (test, list, subject) in [
        (
            "unknown-list",
            r#""virtualNetworkPeerings": "[parameters('p')]""#,
            "spoke",
        ),
        (
            "unknown-entry",
            r#""virtualNetworkPeerings": ["[parameters('p')]"]"#,
            "spoke",
        ),
        (
            "unknown-properties",
            r#""virtualNetworkPeerings": [{ "name": "to-hub", "properties": "[parameters('p')]" }]"#,
            "spoke/virtualNetworkPeerings/to-hub",
        ),
        (
            "unknown-remote",
            r#""virtualNetworkPeerings": [{ "name": "to-hub", "properties": { "remoteVirtualNetwork": "[parameters('p')]" } }]"#,
            "spoke/virtualNetworkPeerings/to-hub",
        ),
    ] {
        let ds = check(
            test,
            &template(
                r#""p": { "type": "object" }"#,
                &[
                    vnet("hub", "10.0.0.0/16", ""),
                    vnet("spoke", "10.1.0.0/16", list),
                    peering("hub/to-spoke", "spoke", ""),
                ],
            ),
        );
        // Nothing but what can't be known: no missing-reverse-peering, no "should be an
        // object, found null", no "has no `remoteVirtualNetwork.id`".
        assert_eq!(rules(&ds), ["unresolved-value"], "{test}: {ds:#?}");
        assert_eq!(ds[0]["resource"], format!("{SCOPE}/{subject}"), "{test}");
    }
}

#[test]
fn a_peering_whose_remote_is_unknown_has_no_missing_remote() {
    let ds = check(
        "unknown-remote-object",
        &template(
            r#""p": { "type": "object" }"#,
            &[
                vnet("hub", "10.0.0.0/16", ""),
                r#"{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "hub/a",
      "properties": { "remoteVirtualNetwork": "[parameters('p')]" } }"#
                    .to_string(),
                r#"{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "hub/b",
      "properties": "[parameters('p')]" }"#
                    .to_string(),
            ],
        ),
    );
    assert_eq!(
        rules(&ds),
        ["unresolved-value", "unresolved-value"],
        "{ds:#?}"
    );
}

#[test]
fn unknown_subnets_and_subnet_names_leave_subnet_peerings_unjudged() {
    let subnet_peering = |locals: &str, remotes: &str| {
        format!(
            r#""peerCompleteVnets": false, "localSubnetNames": {locals}, "remoteSubnetNames": {remotes}"#
        )
    };
    let ds = check(
        "unknown-subnets",
        &template(
            r#""subnets": { "type": "array" }, "s": { "type": "string" }"#,
            &[
                vnet(
                    "hub",
                    "10.0.0.0/16",
                    r#""subnets": "[parameters('subnets')]""#,
                ),
                vnet(
                    "spoke",
                    "10.1.0.0/16",
                    r#""subnets": [{ "name": "[parameters('s')]", "properties": { "addressPrefix": "10.1.0.0/24" } }]"#,
                ),
                peering(
                    "hub/to-spoke",
                    "spoke",
                    &subnet_peering(r#"["app"]"#, r#"["web", "[parameters('s')]"]"#),
                ),
                peering(
                    "spoke/to-hub",
                    "hub",
                    &subnet_peering(r#"["[parameters('s')]"]"#, r#"["[parameters('s')]"]"#),
                ),
            ],
        ),
    );
    // `app` may be one of hub's unknown subnets, `web` spoke's unknown-named one; the lists
    // with unknown names are neither empty nor comparable.
    for rule in [
        "unknown-peered-subnet",
        "asymmetric-subnet-peering",
        "subnet-peering-without-subnets",
    ] {
        assert!(of(&ds, rule).is_empty(), "{rule}: {ds:#?}");
    }
    assert!(!of(&ds, "unresolved-value").is_empty(), "{ds:#?}");
}

#[test]
fn a_subnet_peering_naming_a_subnet_that_is_not_there_is_still_flagged() {
    // The control for the test above: all known, `web` is no subnet of spoke.
    let ds = check(
        "known-subnets",
        &template(
            "",
            &[
                vnet(
                    "hub",
                    "10.0.0.0/16",
                    r#""subnets": [{ "name": "app", "properties": { "addressPrefix": "10.0.0.0/24" } }]"#,
                ),
                vnet(
                    "spoke",
                    "10.1.0.0/16",
                    r#""subnets": [{ "name": "db", "properties": { "addressPrefix": "10.1.0.0/24" } }]"#,
                ),
                peering(
                    "hub/to-spoke",
                    "spoke",
                    r#""peerCompleteVnets": false, "localSubnetNames": ["app"], "remoteSubnetNames": ["web"]"#,
                ),
            ],
        ),
    );
    assert_eq!(of(&ds, "unknown-peered-subnet").len(), 1, "{ds:#?}");
}

#[test]
fn a_gateway_in_a_vnet_named_by_a_parameter_is_that_vnet_s_gateway() {
    let gateway = r#"{ "type": "Microsoft.Network/virtualNetworkGateways", "apiVersion": "2024-05-01", "name": "gw", "location": "westeurope",
      "properties": { "gatewayType": "Vpn", "ipConfigurations": [{ "name": "c", "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('hubName'), 'GatewaySubnet')]" } } }] } }"#;
    let ds = check(
        "gateway-placeholder",
        &template(
            r#""hubName": { "type": "string" }"#,
            &[
                vnet(
                    "[parameters('hubName')]",
                    "10.0.0.0/16",
                    r#""subnets": [{ "name": "GatewaySubnet", "properties": { "addressPrefix": "10.0.0.0/27" } }]"#,
                ),
                gateway.to_string(),
                vnet("spoke", "10.1.0.0/16", ""),
                r#"{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "[format('{0}/to-spoke', parameters('hubName'))]",
      "properties": { "allowGatewayTransit": true, "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'spoke')]" } } }"#.to_string(),
                r#"{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "spoke/to-hub",
      "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworkGateways', 'gw')]"],
      "properties": { "useRemoteGateways": true, "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', parameters('hubName'))]" } } }"#.to_string(),
            ],
        ),
    );
    assert!(ds.is_empty(), "{ds:#?}");
}

#[test]
fn a_peering_of_a_vnet_named_by_placeholders_may_be_the_way_back() {
    // The hub's side names its vnet by an expression peerlint can't reduce to the hub's own
    // placeholder: it may still be the hub's peering back.
    let ds = check(
        "placeholder-way-back",
        &template(
            r#""hubName": { "type": "string" }, "other": { "type": "string" }"#,
            &[
                vnet("[parameters('hubName')]", "10.0.0.0/16", ""),
                vnet("spoke", "10.1.0.0/16", ""),
                r#"{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "[format('spoke/to-{0}', parameters('hubName'))]",
      "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', parameters('hubName'))]" } } }"#.to_string(),
                peering("[format('{0}/to-spoke', parameters('other'))]", "spoke", ""),
            ],
        ),
    );
    assert!(of(&ds, "missing-reverse-peering").is_empty(), "{ds:#?}");
}

#[test]
fn an_invalid_condition_is_reported_once() {
    let mut conditional = vnet("hub", "10.0.0.0/16", "");
    conditional.insert_str(1, r#" "condition": "[equals(1)]","#);
    let ds = check("invalid-condition", &template("", &[conditional]));
    assert_eq!(rules(&ds), ["invalid-expression"], "{ds:#?}");
}

#[test]
fn expression_errors_name_the_resource_they_are_in() {
    let ds = check(
        "error-resources",
        &template(
            "",
            &[
                r#"{ "copy": { "name": "v", "count": 3 }, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "location": "westeurope",
      "name": "[concat('vnet', copyIndex())]",
      "properties": { "addressSpace": { "addressPrefixes": ["[concat('10.', copyIndex(), '.0.0/16')]"] },
        "dhcpOptions": { "dnsServers": ["[createArray('a', 'b')[copyIndex()]]", "[add(1)]"] } } }"#
                    .to_string(),
                r#"{ "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st", "location": "westeurope",
      "properties": { "minimumTlsVersion": "[add(1)]" } }"#
                    .to_string(),
                vnet("[concat('vnet-', add(1))]", "10.9.0.0/16", ""),
            ],
        ),
    );
    let errors: Vec<(&str, &str)> = of(&ds, "invalid-expression")
        .iter()
        .map(|d| {
            (
                d["resource"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    let rg = "/subscriptions/<subscription>/resourceGroups/<resourceGroup>/providers";
    assert_eq!(
        errors,
        [
            // Once per expression, though the loop evaluates it three times: the first
            // instance's.
            (
                format!("{SCOPE}/vnet2").as_str(),
                "index 2 is out of range for an array of 2"
            ),
            (
                format!("{SCOPE}/vnet0").as_str(),
                "`add`: takes 2 arguments, found 1"
            ),
            // A resource peerlint doesn't model has an id too.
            (
                format!("{rg}/Microsoft.Storage/storageAccounts/st").as_str(),
                "`add`: takes 2 arguments, found 1"
            ),
            // A name that can't be evaluated: the id with the name as written.
            (
                format!("{SCOPE}/[concat('vnet-', add(1))]").as_str(),
                "`add`: takes 2 arguments, found 1"
            ),
        ]
    );
}

#[test]
fn input_problems_name_their_resource_and_file_problems_none() {
    let full_id = |rule: &str, path: &str| {
        let out = peerlint(&["check", "--format", "json", "--exit-zero", path], None);
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        let ds = v["diagnostics"].as_array().unwrap().clone();
        let d = ds
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {path}: {ds:#?}"))
            .clone();
        d["resource"].clone()
    };
    let sub =
        "/subscriptions/<subscription>/resourceGroups/<resourceGroup>/providers/Microsoft.Network";
    assert_eq!(
        full_id(
            "conflicting-declarations",
            "testdata/rules/conflicting-declarations/bad-subnet-copies.json"
        ),
        format!("{sub}/virtualNetworks/spoke/subnets/bad-subnet-copies")
    );
    assert_eq!(
        full_id(
            "truncated-export",
            "testdata/rules/truncated-export/bad-depth3-single.json"
        ),
        "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-spoke1/providers/Microsoft.Network/virtualNetworks/bad-depth3-single"
    );
    assert_eq!(
        full_id(
            "invalid-property-type",
            "testdata/rules/invalid-property-type/bad-peerings-as-number.json"
        ),
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-spoke1/providers/Microsoft.Network/virtualNetworks/bad-peerings-as-number"
    );
    // A resource declared twice: the first declaration's id.
    assert_eq!(
        full_id(
            "invalid-expression",
            "testdata/rules/invalid-expression/bad-duplicate.json"
        ),
        format!("{sub}/virtualNetworks/bad-duplicate")
    );
    // Two templates of one folder give one vnet different address spaces.
    let dir = scratch("conflicting-spaces");
    for (file, prefix) in [("a.json", "10.0.0.0/16"), ("b.json", "10.9.0.0/16")] {
        std::fs::write(dir.join(file), template("", &[vnet("hub", prefix, "")])).unwrap();
    }
    let out = peerlint(
        &[
            "check",
            "--format",
            "json",
            "--exit-zero",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let conflicts = of(
        v["diagnostics"].as_array().unwrap(),
        "conflicting-declarations",
    )
    .into_iter()
    .map(|d| d["resource"].clone())
    .collect::<Vec<_>>();
    assert_eq!(
        conflicts,
        [Value::from(format!("{sub}/virtualNetworks/hub"))]
    );
    let dir = scratch("file-problems");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{ \"resources\": [").unwrap();
    assert_eq!(
        full_id("invalid-syntax", broken.to_str().unwrap()),
        Value::Null
    );
    let other = dir.join("other.json");
    std::fs::write(&other, "{ \"hello\": 1 }").unwrap();
    assert_eq!(
        full_id("unrecognized-input", other.to_str().unwrap()),
        Value::Null
    );
}

/// Every text of every diagnostic: message, label, help, note, related labels, resource.
fn texts(d: &Value) -> Vec<String> {
    let mut out: Vec<String> = ["message", "help", "note", "resource"]
        .iter()
        .filter_map(|k| d[*k].as_str().map(str::to_string))
        .collect();
    for r in d["related"].as_array().into_iter().flatten() {
        out.push(r["message"].as_str().unwrap().to_string());
    }
    out
}

/// No placeholder notation (`{hubName}`, `|` for `/`) reaches the user.
fn assert_readable(ds: &[Value]) {
    for d in ds {
        for t in texts(d) {
            assert!(
                !t.contains('{') && !t.contains('|'),
                "placeholder in {t:?}: {d:#?}"
            );
        }
    }
}

#[test]
fn a_vnet_named_by_an_unknown_parameter_is_shown_by_the_parameter() {
    let ds = check(
        "parameter-name",
        &template(
            r#""hubName": { "type": "string" }"#,
            &[
                vnet("[parameters('hubName')]", "10.0.0.0/16", ""),
                vnet("spoke", "10.1.0.0/16", ""),
                peering(
                    "[format('{0}/to-spoke', parameters('hubName'))]",
                    "spoke",
                    "",
                ),
            ],
        ),
    );
    assert_readable(&ds);
    let missing = of(&ds, "missing-reverse-peering");
    assert_eq!(missing.len(), 1, "{ds:#?}");
    let d = missing[0];
    assert_eq!(
        d["message"],
        "peering `[parameters('hubName')]/to-spoke` has no counterpart on `spoke`"
    );
    assert_eq!(
        d["help"],
        "add a peering on `spoke` whose remote is `[parameters('hubName')]`"
    );
    assert_eq!(
        d["resource"],
        format!("{SCOPE}/[parameters('hubName')]/virtualNetworkPeerings/to-spoke")
    );
}

#[test]
fn a_name_built_from_unknowns_is_shown_as_written() {
    // Two overlapping prefixes in a vnet whose name depends on `uniqueString()`.
    let ds = check(
        "written-name",
        &template(
            "",
            &[r#"{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "location": "westeurope",
      "name": "[concat('vnet-', uniqueString(resourceGroup().id))]",
      "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16", "10.0.1.0/24"] } } }"#
                .to_string()],
        ),
    );
    assert_readable(&ds);
    let d = of(&ds, "overlapping-vnet-prefixes")[0];
    assert_eq!(
        d["message"],
        "address prefixes `10.0.0.0/16` and `10.0.1.0/24` of vnet `[concat('vnet-', uniqueString(resourceGroup().id))]` overlap"
    );
    assert_eq!(
        d["resource"],
        format!("{SCOPE}/[concat('vnet-', uniqueString(resourceGroup().id))]")
    );
}

#[test]
fn long_expressions_are_cut_in_messages_but_not_in_ids() {
    let name = "[concat('vnet-', uniqueString(resourceGroup().id, 'a fairly long seed that makes this expression long'))]";
    let ds = check(
        "long-name",
        &template(
            "",
            &[vnet(
                name,
                "10.0.0.0/16",
                r#""subnets": [{ "name": "a", "properties": { "addressPrefix": "10.1.0.0/24" } }]"#,
            )],
        ),
    );
    assert_readable(&ds);
    let d = of(&ds, "subnet-outside-vnet")[0];
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("of vnet `[concat('vnet-', uniqueString(resourceGroup().id, 'a fairl…]`"),
        "{message}"
    );
    assert_eq!(d["resource"], format!("{SCOPE}/{name}/subnets/a"));
}

#[test]
fn templates_of_a_second_folder_have_their_own_resource_group() {
    let dir = scratch("two-folders");
    for folder in ["a", "b"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        std::fs::write(
            dir.join(folder).join("main.json"),
            template(
                r#""hubName": { "type": "string" }"#,
                &[vnet("[parameters('hubName')]", "127.0.0.0/16", "")],
            ),
        )
        .unwrap();
    }
    let out = peerlint(
        &[
            "check",
            "--format",
            "json",
            "--exit-zero",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let ds = v["diagnostics"].as_array().unwrap().clone();
    assert_readable(&ds);
    let mut ids: Vec<&str> = of(&ds, "reserved-address-range")
        .iter()
        .map(|d| d["resource"].as_str().unwrap())
        .collect();
    ids.sort();
    let id = |rg: &str| {
        format!(
            "/subscriptions/<subscription>/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/[parameters('hubName')]"
        )
    };
    assert_eq!(
        ids,
        [id("<resourceGroup-2>"), id("<resourceGroup>")],
        "{ds:#?}"
    );
}

#[test]
fn unknown_parts_without_their_own_expression_are_named_by_what_computes_them() {
    // The loop's peerings exist only as "one of `spoke`'s peerings": their name is shown as
    // the parameter and index it comes from.
    let spoke_peerings = r#"{ "copy": { "name": "p", "count": "[length(parameters('peerings'))]" },
      "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01",
      "name": "[format('spoke/{0}', parameters('peerings')[copyIndex()].name)]",
      "properties": { "remoteVirtualNetwork": { "id": "[parameters('peerings')[copyIndex()].id]" } } }"#;
    let ds = check(
        "fallback-names",
        &template(
            r#""peerings": { "type": "array" }"#,
            &[vnet("spoke", "10.1.0.0/16", ""), spoke_peerings.to_string()],
        ),
    );
    assert_readable(&ds);
    assert_eq!(
        ds[0]["resource"],
        format!("{SCOPE}/spoke/virtualNetworkPeerings/[parameters('peerings')[copyIndex()].name]")
    );
}

/// A spoke whose subnet routes everything to an appliance in the hub, peered spoke→hub; the
/// hub's side is `hub_side` (a resource, or nothing).
fn routed_spoke(hub_side: Option<String>) -> String {
    let mut resources = vec![
        r#"{ "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt", "location": "westeurope",
      "properties": { "routes": [{ "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.4" } }] } }"#.to_string(),
        vnet(
            "hub",
            "10.0.0.0/16",
            r#""subnets": [{ "name": "fw", "properties": { "addressPrefix": "10.0.1.0/24" } }]"#,
        ),
        vnet(
            "spoke",
            "10.1.0.0/16",
            r#""subnets": [{ "name": "app", "properties": { "addressPrefix": "10.1.0.0/24", "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } }]"#,
        ),
        peering("spoke/to-hub", "hub", r#""allowForwardedTraffic": true"#),
    ];
    resources.extend(hub_side);
    template(r#""spokes": { "type": "array" }"#, &resources)
}

#[test]
fn a_route_to_an_appliance_behind_unknown_peerings_is_not_called_transitive() {
    let hub_peerings = peerings_to_each("hub", "spokes", r#""allowForwardedTraffic": true"#);
    let ds = check("route-unknown-links", &routed_spoke(Some(hub_peerings)));
    assert_eq!(rules(&ds), ["unresolved-value"], "{ds:#?}");
    // The control: the hub has no way back at all.
    let ds = check("route-known-links", &routed_spoke(None));
    assert_eq!(of(&ds, "transitive-peering-assumed").len(), 1, "{ds:#?}");
}

#[test]
fn a_child_resource_s_name_is_not_shown_as_its_whole_name() {
    // The peering's own name is only the last segment of the expression: showing that
    // expression would read `hub/[concat('hub/', …)]`.
    let ds = check(
        "child-name",
        &template(
            "",
            &[
                vnet("hub", "10.0.0.0/16", ""),
                peering(
                    "[concat('hub/', uniqueString(resourceGroup().id))]",
                    "elsewhere",
                    "",
                ),
            ],
        ),
    );
    assert_readable(&ds);
    let d = of(&ds, "dangling-remote-network")[0];
    assert_eq!(
        d["message"],
        "remote vnet `elsewhere` of peering `hub/[uniqueString(…)]` is not in the inputs; checks that need it were skipped"
    );
}

#[test]
fn reach_shows_names_in_the_template_s_words() {
    let dir = scratch("reach-readable");
    std::fs::write(
        dir.join("main.json"),
        template(
            r#""hubName": { "type": "string" }"#,
            &[
                vnet("[parameters('hubName')]", "10.0.0.0/16", ""),
                vnet("spoke", "10.1.0.0/16", ""),
                peering(
                    "[format('{0}/to-spoke', parameters('hubName'))]",
                    "spoke",
                    "",
                ),
            ],
        ),
    )
    .unwrap();
    for format in ["human", "json"] {
        let out = peerlint(
            &[
                "reach",
                "spoke",
                "10.0.0.4",
                dir.to_str().unwrap(),
                "--format",
                format,
            ],
            None,
        );
        assert!(
            out.stdout.contains("`[parameters('hubName')]`") && !out.stdout.contains("{hubName}"),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn a_rule_s_own_words_are_not_taken_for_placeholders() {
    // A parameter named `name` without a value makes `{name}` a placeholder of the run; the
    // invalid remote id's message and help must still read as written.
    let ds = check(
        "prose",
        &template(
            r#""name": { "type": "string" }"#,
            &[
                vnet("[parameters('name')]", "10.0.0.0/16", ""),
                r#"{ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "[format('{0}/p', parameters('name'))]",
      "properties": { "remoteVirtualNetwork": { "id": "/subscriptions/0f0e0d0c-0b0a-4909-8807-060504030201/providers/Microsoft.Network/virtualNetworks/x" } } }"#.to_string(),
            ],
        ),
    );
    let d = of(&ds, "invalid-remote-network-id")[0];
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .ends_with("the id has no `/resourceGroups/<name>` segment"),
        "{d:#?}"
    );
    assert_eq!(
        d["help"],
        "write the full id: /subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Network/virtualNetworks/<vnet-name>"
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("peering `[parameters('name')]/p`")
    );
}
