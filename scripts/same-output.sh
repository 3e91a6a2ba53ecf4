#!/usr/bin/env bash
# Checks that a change meant to be invisible (speed, memory) is: two peerlint binaries print
# byte-identical reports (every format, exit code included) on the demo, the corpus, the test
# data, Terraform and GruCloud inputs and the benchmark's estates; and the new one prints the
# same with one thread as with every core.
#
# Usage: scripts/same-output.sh OLD_BINARY NEW_BINARY
# (build the old one first, e.g. `git worktree add /tmp/old main && cargo build --release`
# there). The estates come from scripts/bench.sh's bench-out/ when it has made them.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0

# One comparison: the same arguments to both binaries (and to the new one on one thread).
compare() {
  local name=$1; shift
  local before=$fail
  for fmt in json human sarif concise; do
    ( "$old" check --no-config --color never --format "$fmt" "$@" > "$out/old" 2>&1; echo "exit $?" >> "$out/old" ) || true
    ( "$new" check --no-config --color never --format "$fmt" "$@" > "$out/new" 2>&1; echo "exit $?" >> "$out/new" ) || true
    ( "$new" check --no-config --color never --format "$fmt" --threads 1 "$@" > "$out/one" 2>&1; echo "exit $?" >> "$out/one" ) || true
    if ! cmp -s "$out/old" "$out/new"; then
      echo "DIFFERENT ($fmt): $name"; diff "$out/old" "$out/new" | head -5; fail=1
    elif ! cmp -s "$out/new" "$out/one"; then
      echo "DIFFERENT (--threads 1, $fmt): $name"; diff "$out/new" "$out/one" | head -5; fail=1
    fi
    # The large inputs: JSON only.
    if [ "${JSON_ONLY:-}" = 1 ]; then break; fi
  done
  if [ "$fail" = "$before" ]; then echo "same: $name"; fi
}

compare demo testdata/demo
compare testdata testdata
if [ -d ../shared/corpus ]; then
  compare corpus ../shared/corpus
  for d in ../shared/corpus/*/; do compare "corpus $d" "$d"; done
fi
for f in testdata/terraform/* testdata/grucloud/*; do
  [ -e "$f" ] && compare "$f" "$f"
done
for e in bench-out/estate-*.json bench-out/files-* bench-out/tf-plan-*.json bench-out/grucloud-*; do
  [ -e "$e" ] && JSON_ONLY=1 compare "$e" "$e"
done
if [ "$fail" = 0 ]; then echo "all outputs identical"; else echo "outputs differ"; exit 1; fi
