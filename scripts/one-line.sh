#!/usr/bin/env bash
# Measures peerlint on one estate with thousands of findings, written twice: indented, and
# minified on one line (as `az ... -o json | jq -c` writes it). Column numbers count
# characters, so finding them must stay linear in the line's length (issue 10).
# Usage: scripts/one-line.sh [HUBS] [SPOKES] [PEERLINT]   (default 150 x 100: about 100 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
hubs=${1:-150}; spokes=${2:-100}
cargo build --release --quiet --bin peerlint --example gen_estate
bin=${3:-target/release/peerlint}
mkdir -p bench-out
base=bench-out/one-line-${hubs}x${spokes}
if [ ! -f "$base.min.json" ]; then
  target/release/examples/gen_estate "$base.gen.json" "$hubs" "$spokes"
  # A mistake on every spoke: hubs don't allow gateway transit, so each spoke's
  # useRemoteGateways is a remote-gateway-without-transit error.
  python3 - "$base" <<'PY'
import json, sys
base = sys.argv[1]
vnets = json.load(open(base + ".gen.json"))
for v in vnets:
    for p in v.get("virtualNetworkPeerings", []):
        p["allowGatewayTransit"] = False
json.dump(vnets, open(base + ".pretty.json", "w"), indent=2)
json.dump(vnets, open(base + ".min.json", "w"), separators=(",", ":"))
PY
  rm "$base.gen.json"
fi
for kind in pretty min; do
  f=$base.$kind.json
  /usr/bin/time -f "%e %M" -o bench-out/time.txt "$bin" check "$f" --format json > bench-out/out.json || [ $? -le 1 ]
  read -r t m < <(tail -n 1 bench-out/time.txt)
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]))' bench-out/out.json)
  printf "%-7s %6.1f MB  %3d line(s)  %6d findings  %6.2f s  peak %5.0f MB\n" \
    "$kind" "$(stat -c %s "$f" | awk '{print $1/1e6}')" "$(wc -l < "$f" | awk '{print $1+1}')" "$n" "$t" "$(awk -v m="$m" 'BEGIN{print m/1024}')"
done
