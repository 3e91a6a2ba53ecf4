//! Generates a synthetic estate for the benchmark: HUBS hubs × SPOKES spokes each, hubs meshed
//! in groups of MESH (all of them by default), as `az network vnet list` output. A correct
//! design: hubs have gateways, hub→spoke peerings allow gateway transit, spokes use the remote
//! gateway.
//!
//! `cargo run --release --example gen_estate -- OUT [HUBS] [SPOKES] [MESH] [PER_FILE]`
//!
//! With PER_FILE, OUT is a folder that gets the estate as many files (one JSON array of
//! PER_FILE vnets each, as exported per resource group or subscription): most peerings then
//! name a vnet of another file.

use std::io::{BufWriter, Write};

use serde_json::{Value, json};

fn vnet_id(sub: &str, rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"
    )
}

#[allow(clippy::too_many_arguments)]
fn peering(
    sub: &str,
    rg: &str,
    vnet: &str,
    name: &str,
    remote: &str,
    remote_space: &str,
    transit: bool,
    use_remote: bool,
) -> Value {
    json!({
        "allowForwardedTraffic": true,
        "allowGatewayTransit": transit,
        "allowVirtualNetworkAccess": true,
        "doNotVerifyRemoteGateways": false,
        "etag": "W/\"6a1f0c3e-0000-0000-0000-000000000001\"",
        "id": format!("{}/virtualNetworkPeerings/{name}", vnet_id(sub, rg, vnet)),
        "name": name,
        "peerCompleteVnets": true,
        "peeringState": "Connected",
        "peeringSyncLevel": "FullyInSync",
        "provisioningState": "Succeeded",
        "remoteAddressSpace": { "addressPrefixes": [remote_space] },
        "remoteVirtualNetwork": { "id": remote, "resourceGroup": remote.split('/').nth(4).unwrap_or("") },
        "remoteVirtualNetworkAddressSpace": { "addressPrefixes": [remote_space] },
        "resourceGroup": rg,
        "resourceGuid": "5b5e17ab-0000-0000-0000-000000000001",
        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "useRemoteGateways": use_remote
    })
}

fn subnet(
    sub: &str,
    rg: &str,
    vnet: &str,
    name: &str,
    prefix: &str,
    ip_config: Option<String>,
) -> Value {
    let mut s = json!({
        "addressPrefix": prefix,
        "delegations": [],
        "etag": "W/\"6a1f0c3e-0000-0000-0000-000000000001\"",
        "id": format!("{}/subnets/{name}", vnet_id(sub, rg, vnet)),
        "name": name,
        "privateEndpointNetworkPolicies": "Disabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
        "provisioningState": "Succeeded",
        "resourceGroup": rg,
        "type": "Microsoft.Network/virtualNetworks/subnets"
    });
    if let Some(c) = ip_config {
        s["ipConfigurations"] = json!([{ "id": c, "resourceGroup": rg }]);
    }
    s
}

fn vnet(
    sub: &str,
    rg: &str,
    name: &str,
    space: &str,
    subnets: Vec<Value>,
    peerings: Vec<Value>,
) -> Value {
    json!({
        "addressSpace": { "addressPrefixes": [space] },
        "enableDdosProtection": false,
        "etag": "W/\"6a1f0c3e-0000-0000-0000-000000000001\"",
        "id": vnet_id(sub, rg, name),
        "location": "westeurope",
        "name": name,
        "provisioningState": "Succeeded",
        "resourceGroup": rg,
        "resourceGuid": "0c3d5e7f-0000-0000-0000-000000000001",
        "subnets": subnets,
        "tags": {},
        "type": "Microsoft.Network/virtualNetworks",
        "virtualNetworkPeerings": peerings
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .expect("usage: gen_estate OUT [HUBS] [SPOKES] [MESH] [PER_FILE]");
    let hubs: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(100);
    let spokes: usize = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(99);
    let mesh: usize = args
        .get(4)
        .map(|s| s.parse().unwrap())
        .unwrap_or(hubs)
        .max(1);
    let per_file: Option<usize> = args.get(5).map(|s| s.parse().unwrap());
    assert!(
        hubs <= 1024 && spokes <= 119,
        "the address plan fits 1,024 hubs of 119 spokes"
    );
    let sub = "11111111-1111-1111-1111-111111111111";
    let hub_name = |h: usize| format!("vnet-hub{h:03}");
    // Hub h has 10+h/256 . h%256 . 0.0/16 to itself (its gateway, its spokes' /23s).
    let net = |h: usize| format!("{}.{}", 10 + h / 256, h % 256);
    let hub_space = |h: usize| format!("{}.0.0/20", net(h));
    let spoke_name = |h: usize, s: usize| format!("vnet-hub{h:03}-spoke{s:03}");
    let spoke_space = |h: usize, s: usize| format!("{}.{}.0/23", net(h), 16 + 2 * s);
    let mut all = Vec::new();
    for h in 0..hubs {
        let rg = format!("rg-hub{h:03}");
        let hub = hub_name(h);
        let gw = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworkGateways/vgw-{hub}/ipConfigurations/default"
        );
        let mut peerings = Vec::new();
        let group = h / mesh * mesh;
        for other in (group..(group + mesh).min(hubs)).filter(|&o| o != h) {
            let remote = vnet_id(sub, &format!("rg-hub{other:03}"), &hub_name(other));
            peerings.push(peering(
                sub,
                &rg,
                &hub,
                &format!("to-{}", hub_name(other)),
                &remote,
                &hub_space(other),
                false,
                false,
            ));
        }
        for s in 0..spokes {
            let remote = vnet_id(sub, &rg, &spoke_name(h, s));
            peerings.push(peering(
                sub,
                &rg,
                &hub,
                &format!("to-{}", spoke_name(h, s)),
                &remote,
                &spoke_space(h, s),
                true,
                false,
            ));
        }
        let subnets = vec![
            subnet(
                sub,
                &rg,
                &hub,
                "GatewaySubnet",
                &format!("{}.0.0/27", net(h)),
                Some(gw),
            ),
            subnet(
                sub,
                &rg,
                &hub,
                "AzureFirewallSubnet",
                &format!("{}.1.0/26", net(h)),
                None,
            ),
        ];
        all.push(vnet(sub, &rg, &hub, &hub_space(h), subnets, peerings));
        for s in 0..spokes {
            let name = spoke_name(h, s);
            let subnets = vec![
                subnet(
                    sub,
                    &rg,
                    &name,
                    "snet-app",
                    &format!("{}.{}.0/24", net(h), 16 + 2 * s),
                    None,
                ),
                subnet(
                    sub,
                    &rg,
                    &name,
                    "snet-data",
                    &format!("{}.{}.0/24", net(h), 17 + 2 * s),
                    None,
                ),
            ];
            let to_hub = peering(
                sub,
                &rg,
                &name,
                "to-hub",
                &vnet_id(sub, &rg, &hub),
                &hub_space(h),
                false,
                true,
            );
            all.push(vnet(
                sub,
                &rg,
                &name,
                &spoke_space(h, s),
                subnets,
                vec![to_hub],
            ));
        }
    }
    let write = |path: &std::path::Path, vnets: &[Value]| {
        let mut w = BufWriter::new(std::fs::File::create(path).expect("writable output"));
        serde_json::to_writer_pretty(&mut w, vnets).unwrap();
        w.write_all(b"\n").unwrap();
    };
    match per_file {
        None => write(std::path::Path::new(out), &all),
        Some(n) => {
            let dir = std::path::Path::new(out);
            std::fs::create_dir_all(dir).expect("writable output folder");
            for (i, chunk) in all.chunks(n.max(1)).enumerate() {
                write(&dir.join(format!("vnets-{i:05}.json")), chunk);
            }
        }
    }
}
