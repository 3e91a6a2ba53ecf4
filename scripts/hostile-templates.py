#!/usr/bin/env python3
"""Generates hostile ARM templates (issue 10: deep chains, doublings, budget busters, quadratic
shapes) and checks each beside a good file with /usr/bin/time, printing time, peak memory, exit
code, whether the good file's finding survived, and the first findings of the hostile file.

Usage: scripts/hostile-templates.py [PEERLINT_BINARY] [OUT_DIR]
(default: target/release/peerlint, bench-out/hostile). Needs GNU time (/usr/bin/time)."""
import json, os, subprocess, sys

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/peerlint"
out = sys.argv[2] if len(sys.argv) > 2 else "bench-out/hostile"
os.makedirs(out, exist_ok=True)


def tmpl(variables=None, resources=None, outputs=None):
    t = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "variables": variables or {},
         "resources": resources or []}
    if outputs:
        t["outputs"] = outputs
    return t


def vnet(name, prefix="10.0.0.0/16", extra=None, copy=None):
    r = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": name,
         "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": [prefix]}}}
    r["properties"].update(extra or {})
    if copy:
        r["copy"] = {"name": "c", "count": copy}
    return r


def chain(n, step, leaf="x"):
    v = {"v0": leaf}
    for i in range(1, n):
        v[f"v{i}"] = step(f"v{i - 1}")
    return v


cases = {}
var = lambda p: f"[variables('{p}')]"
cases["chain-100000"] = tmpl(chain(100_000, var), [vnet("[variables('v99999')]")])
cases["concat-chain-100000"] = tmpl(chain(100_000, lambda p: f"[concat(variables('{p}'), '')]"),
                                    [vnet("[variables('v99999')]")])
dns = lambda e: {"dhcpOptions": {"dnsServers": e}}
double = lambda f: (lambda p: f"[{f}(variables('{p}'), variables('{p}'))]")
cases["double-string"] = tmpl(chain(40, double("concat"), "xx"), [vnet("[variables('v39')]")])
cases["double-array"] = tmpl(chain(40, double("concat"), ["a", "b"]),
                             [vnet("big", extra=dns("[variables('v39')]"))])
cases["double-shared"] = tmpl(chain(40, double("createArray"), ["a", "b"]),
                              [vnet("big", extra=dns("[variables('v39')]"))])
cases["reduce-deep"] = tmpl({}, [vnet("deep", extra=dns(
    "[reduce(range(0, 10000), createArray(), lambda('a', 'x', createArray(lambdaVariables('a'))))]"))])
cases["range-huge"] = tmpl({"r": "[range(0, 1000000000)]"}, [vnet("[string(length(variables('r')))]")])
cases["padleft-huge"] = tmpl({"r": "[padLeft('', 1000000000)]"}, [vnet("[variables('r')]")])
cases["nested-copies"] = tmpl({"big": {"copy": [{"name": "a", "count": 800, "input": {"copy": [
    {"name": "b", "count": 800, "input": "[string(copyIndex('b'))]"}]}}]}},
    [vnet("nc", extra=dns("[variables('big')]"))])
cases["map-copies"] = tmpl({}, [vnet("[concat('v', copyIndex())]", copy=800, extra=dns(
    "[map(range(0, 10000), lambda('x', string(lambdaVariables('x'))))]"))])
cases["cidr-copies"] = tmpl({}, [vnet("[concat('v', copyIndex())]", "10.0.0.0/8", copy=800, extra=dns(
    "[map(range(0, 10000), lambda('i', cidrSubnet('10.0.0.0/8', 24, lambdaVariables('i'))))]"))])
mib = chain(11, double("concat"), "a" * 1024)  # v10: 1 MiB
cases["replace-bomb"] = tmpl(dict(mib, r="[replace(variables('v10'), 'a', variables('v10'))]"),
                             [vnet("[string(length(variables('r')))]")])
cases["split-bomb"] = tmpl(mib, [vnet("[string(length(split(variables('v10'), 'a')))]")])
cases["json-bomb"] = tmpl(dict(mib, j="[json(concat('[', replace(variables('v10'), 'a', '0,'), '0]'))]"),
                          [vnet("[string(length(variables('j')))]")])
cases["lookup-bomb"] = tmpl({"o": "[toObject(range(0, 10000), lambda('i', string(lambdaVariables('i'))))]"},
                            [vnet("[concat('v', string(length(filter(range(0, 10000), lambda('i', "
                                  "equals(variables('o')['9999'], 9999))))), copyIndex())]", copy=800)])
cases["union-unknown"] = tmpl({"a": "[map(range(0, 10000), lambda('i', createObject('k', lambdaVariables('i'), 'u', utcNow())))]"},
                              [vnet("[concat('v', string(length(union(variables('a'), variables('a')))), copyIndex())]", copy=800)])
shared = chain(17, double("createArray"), ["a", "b"])  # v16: about 17 MB to walk, tiny in memory
cases["shared-bodies"] = tmpl(shared, [vnet("hub"), {
    "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2023-04-01",
    "name": "[concat('hub/p', copyIndex())]", "copy": {"name": "c", "count": 800},
    "properties": {"remoteVirtualNetwork": {"id": "x"}, "big": "[variables('v16')]"}}])
cases["shared-outputs"] = tmpl(shared, outputs={f"o{i}": {"type": "array", "value": "[variables('v16')]"}
                                                for i in range(200)})
children = [vnet("hub", "10.0.0.0/8")] + [{
    "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-04-01",
    "name": f"[concat('hub/s{l}-', copyIndex())]", "copy": {"name": f"c{l}", "count": 800},
    "properties": {"addressPrefix": f"[cidrSubnet('10.0.0.0/8', 24, add(mul({l}, 800), copyIndex()))]"}}
    for l in range(62)]
cases["many-children"] = tmpl({}, children)
inner = tmpl({}, [vnet("deep")])
for i in range(60):
    inner = tmpl({}, [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": f"d{i}",
                       "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                                      "template": inner}}])
cases["nested-deployments"] = inner

good = tmpl({}, [vnet("good", extra={"subnets": [{"name": "s", "properties": {"addressPrefix": "10.1.0.0/24"}}]})])
with open(os.path.join(out, "good.json"), "w") as f:
    json.dump(good, f)
for name, t in cases.items():
    path = os.path.join(out, name + ".json")
    with open(path, "w") as f:
        json.dump(t, f)
    cmd = ["/usr/bin/time", "-f", "%e s %M KiB", binary, "check", "--format", "json", path,
           os.path.join(out, "good.json")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    usage = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "?"
    try:
        ds = json.loads(p.stdout)["diagnostics"]
    except ValueError:
        print(f"{name:20} {usage:20} exit {p.returncode}: no JSON output")
        continue
    kept = any(d["path"].endswith("good.json") for d in ds)
    mine = [d["message"][:90] for d in ds if not d["path"].endswith("good.json")]
    print(f"{name:20} {usage:20} exit {p.returncode} good file {'kept' if kept else 'LOST'}: "
          f"{len(mine)} finding(s) {mine[:1]}")
