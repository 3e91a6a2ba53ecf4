#!/usr/bin/env bash
# Benchmark: peerlint on two synthetic inputs, each against parsing the same file once with
# serde_json into IgnoredAny:
# - an estate (100 hubs x 99 spokes, meshed hubs, ~30,000 peerings) as `az network vnet list`;
# - a Terraform plan (`terraform show -json`, one line) creating 100 hub modules of 50 spokes:
#   10,000 peerings whose remote vnets are all unknown and linked through the configuration.
# Usage: scripts/bench.sh [HUBS] [SPOKES] [RUNS] [TF_HUBS] [TF_SPOKES]
set -euo pipefail
cd "$(dirname "$0")/.."
hubs=${1:-100}; spokes=${2:-99}; runs=${3:-5}; tf_hubs=${4:-100}; tf_spokes=${5:-50}
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak memory)" >&2
  apt-get install -y time >/dev/null
fi
mkdir -p bench-out
cargo build --release --quiet --bin peerlint --example gen_estate --example gen_tf_plan --example parse_baseline
estate=bench-out/estate-${hubs}x${spokes}.json
[ -f "$estate" ] || target/release/examples/gen_estate "$estate" "$hubs" "$spokes"
plan=bench-out/tf-plan-${tf_hubs}x${tf_spokes}.json
[ -f "$plan" ] || target/release/examples/gen_tf_plan "$plan" "$tf_hubs" "$tf_spokes"

# Best of N wall time (seconds) and peak RSS (KiB) of a command.
measure() {
  local best_t=999999 best_m=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o bench-out/time.txt "$@" > /dev/null || [ $? -le 1 ]
    read -r t m < bench-out/time.txt
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
    if [ "$m" -gt "$best_m" ]; then best_m=$m; fi
  done
  echo "$best_t $best_m"
}

# One input: the baseline, peerlint, and how they compare.
bench() {
  local name=$1 file=$2
  local size base_t base_m lint_t lint_m summary
  size=$(stat -c %s "$file")
  read -r base_t base_m < <(measure target/release/examples/parse_baseline "$file")
  read -r lint_t lint_m < <(measure target/release/peerlint check "$file" --format json)
  summary=$(target/release/peerlint check "$file" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])' || true)
  awk -v name="$name" -v size="$size" -v bt="$base_t" -v bm="$base_m" -v lt="$lint_t" -v lm="$lint_m" 'BEGIN {
    mb = size / 1e6
    printf "%s:%*s%.1f MB\n", name, 19 - length(name), "", mb
    printf "serde_json parse:  %.2f s (peak %.0f MB)\n", bt, bm / 1024
    printf "peerlint check:    %.2f s (peak %.0f MB)\n", lt, lm / 1024
    printf "time ratio:        %.2fx (target: within 4x)\n", (bt > 0 ? lt / bt : 0)
    printf "memory / input:    %.2fx (target: under 3x)\n", lm * 1024 / size
  }'
  echo "summary:           $summary"
}

bench estate "$estate"
echo
bench "terraform plan" "$plan"
