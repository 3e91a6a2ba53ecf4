#!/usr/bin/env bash
# Benchmark (issue 14). Each synthetic input against parsing the same file once with serde_json
# into IgnoredAny (the floor), runs alternated so that both see the same machine:
# - estate 10k: 100 hubs x 99 spokes, meshed hubs (10,000 vnets, 29,700 peerings) as
#   `az network vnet list`;
# - estate 100k: 1,000 hubs x 99 spokes, hubs meshed in groups of 100 (100,000 vnets, 297,000
#   peerings): ten times the 10k estate, so equal ratios mean linear;
# - many files: the 10k estate as 1,000 files of 10 vnets (most peerings name a vnet of another
#   file), on one thread and on every core (the outputs must be identical);
# - the ARM corpus: its 41 templates one by one (../shared/corpus; time in the engine, from
#   PEERLINT_TIMINGS);
# - a Terraform plan (`terraform show -json`, one line): 100 hub modules of 50 spokes, 10,000
#   peerings whose remote vnets are all unknown and linked through the configuration;
# - a GruCloud design (`resources.js` as `gc gencode` writes it): 50 hubs of 40 spokes.
# Times are medians of RUNS runs (wall, and CPU = user + system), and ratios the median of the
# ratios run by run; peak memory is the largest.
# Usage: scripts/bench.sh [RUNS] [SKIP_100K]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}; skip_100k=${2:-}
mkdir -p bench-out
cargo build --release --quiet --bin peerlint --example gen_estate --example gen_tf_plan \
  --example gen_grucloud --example parse_baseline
bin=target/release/peerlint
gen() { [ -e "$1" ] || "${@:2}"; }
gen bench-out/estate-100x99.json target/release/examples/gen_estate bench-out/estate-100x99.json 100 99
[ -n "$skip_100k" ] || gen bench-out/estate-1000x99.json \
  target/release/examples/gen_estate bench-out/estate-1000x99.json 1000 99 100
gen bench-out/files-100x99-10 target/release/examples/gen_estate bench-out/files-100x99-10 100 99 100 10
gen bench-out/tf-plan-100x50.json target/release/examples/gen_tf_plan bench-out/tf-plan-100x50.json 100 50
gen bench-out/grucloud-50x40 target/release/examples/gen_grucloud bench-out/grucloud-50x40 50 40

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

# Runs each command of a group RUNS times, alternating them (so that all see the same machine);
# prints per command: median wall (s), median CPU (s), peak RSS (KiB), and the median over the
# runs of its wall time divided by the first command's in the same round (robust when the
# machine's speed drifts). Times to the microsecond (GNU time's are in hundredths of a second:
# too coarse for a 60 ms floor).
# Usage: measure CMD1 CMD2 ... (each CMD a quoted string, split as a shell splits words)
measure() {
  python3 - "$runs" "$@" <<'PY'
import os, shlex, statistics, subprocess, sys, time
runs, cmds = int(sys.argv[1]), sys.argv[2:]
walls, cpus, mems = ([[] for _ in cmds] for _ in range(3))
for _ in range(runs):
    for i, cmd in enumerate(cmds):
        start = time.perf_counter()
        p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.DEVNULL)
        _, _, usage = os.wait4(p.pid, 0)
        walls[i].append(time.perf_counter() - start)
        cpus[i].append(usage.ru_utime + usage.ru_stime)
        mems[i].append(usage.ru_maxrss)
for i in range(len(cmds)):
    ratio = statistics.median(w / w0 for w, w0 in zip(walls[i], walls[0]))
    print(f"{statistics.median(walls[i]):.4f} {statistics.median(cpus[i]):.4f} {max(mems[i])} {ratio:.3f}")
PY
}

# One file against the floor; TARGET set for the estates the targets are about.
against_floor() {
  local name=$1 file=$2 target=${3:-} size out base lint
  size=$(stat -c %s "$file")
  mapfile -t out < <(measure "target/release/examples/parse_baseline $file" "$bin check $file --format json")
  read -r bw bc bm _ <<< "${out[0]}"; read -r lw lc lm lr <<< "${out[1]}"
  awk -v name="$name" -v target="$target" -v size="$size" -v bw="$bw" -v bc="$bc" -v bm="$bm" -v lw="$lw" -v lc="$lc" -v lm="$lm" -v lr="$lr" 'BEGIN {
    printf "%s (%.1f MB)\n", name, size / 1e6
    printf "  serde_json parse:  %.3f s wall, %.3f s CPU (peak %.0f MiB)\n", bw, bc, bm / 1024
    printf "  peerlint check:    %.3f s wall, %.3f s CPU (peak %.0f MiB)\n", lw, lc, lm / 1024
    printf "  time ratio:        %.2fx wall (median of the runs%s ratios; of the medians %.2fx), %.2fx CPU%s\n", lr, "\047", (bw > 0 ? lw / bw : 0), (bc > 0 ? lc / bc : 0), (target ? " (target: within 4x)" : "")
    printf "  memory / input:    %.2fx%s\n", lm * 1024 / size, (target ? " (target: within 2.5x)" : "")
  }'
  echo "  summary:           $($bin check "$file" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])' || true)"
}

against_floor "estate 10k" bench-out/estate-100x99.json target
[ -n "$skip_100k" ] || against_floor "estate 100k" bench-out/estate-1000x99.json target

# Many files, one thread against every core.
files=bench-out/files-100x99-10
mapfile -t out < <(measure "$bin check $files --format json --threads 1" "$bin check $files --format json")
read -r w1 c1 m1 _ <<< "${out[0]}"; read -r wn cn mn rn <<< "${out[1]}"
"$bin" check $files --format json --threads 1 > bench-out/files-1.json || true
"$bin" check $files --format json > bench-out/files-n.json || true
same=$(cmp -s bench-out/files-1.json bench-out/files-n.json && echo "byte-identical" || echo "DIFFERENT")
awk -v w1="$w1" -v c1="$c1" -v wn="$wn" -v cn="$cn" -v mn="$mn" -v rn="$rn" -v cores="$(nproc)" -v same="$same" 'BEGIN {
  printf "many files (1,000 files of 10 vnets)\n"
  printf "  --threads 1:       %.3f s wall, %.3f s CPU\n", w1, c1
  printf "  %d threads:         %.3f s wall, %.3f s CPU (peak %.0f MiB)\n", cores, wn, cn, mn / 1024
  printf "  wall ratio:        %.2fx of one thread (median of the runs%s ratios; of the medians %.2fx; target: within 0.6x on 2 cores); outputs %s\n", rn, "\047", (w1 > 0 ? wn / w1 : 0), same
}'

# The ARM corpus: each template on its own, the time the engine reports.
if [ -d ../shared/corpus ]; then
  python3 - "$bin" "$runs" <<'EOF'
import os, re, subprocess, sys, statistics
bin, runs = sys.argv[1], int(sys.argv[2])
templates = []
for d, _, files in os.walk("../shared/corpus"):
    for f in files:
        p = os.path.join(d, f)
        if not f.endswith(".json"):
            continue
        t = open(p, encoding="utf-8", errors="replace").read().lower()
        if "deploymenttemplate.json" in t and "deploymentparameters.json" not in t:
            templates.append(p)
def ms(p):
    e = subprocess.run([bin, "check", p, "--format", "json", "--no-config"], capture_output=True,
                       text=True, env=dict(os.environ, PEERLINT_TIMINGS="1")).stderr
    m = re.search(r"timing: total: ([0-9.]+)(ms|µs|s)", e)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "µs" else v * 1000 if m.group(2) == "s" else v
times = sorted((statistics.median(ms(p) for _ in range(runs)), p) for p in templates)
total = sum(t for t, _ in times)
print(f"ARM corpus ({len(times)} templates, one by one)")
print(f"  all:               {total:.1f} ms (target: under 50 ms)")
print(f"  slowest:           {times[-1][0]:.1f} ms, {times[-1][1]} (target: none above 10 ms)")
print(f"  median:            {times[len(times) // 2][0]:.2f} ms")
EOF
fi

against_floor "terraform plan" bench-out/tf-plan-100x50.json

# GruCloud: JavaScript, so no serde_json floor.
g=bench-out/grucloud-50x40
mapfile -t out < <(measure "$bin check $g --format json")
read -r gw gc gm _ <<< "${out[0]}"
echo "grucloud ($(du -sb $g/resources.js | cut -f1) bytes of resources.js)"
echo "  peerlint check:    $gw s wall, $gc s CPU (peak $((gm / 1024)) MiB)"
echo "  summary:           $($bin check "$g" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])' || true)"
