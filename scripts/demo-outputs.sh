#!/usr/bin/env bash
# Records every report moat writes about the built-in demo account, so two
# builds can be compared byte for byte (a refactor must not change them):
#   scan in each format (table, json, sarif, markdown, csv) and `moat plan ID`
#   for every item, each with its exit status.
#
# Usage: scripts/demo-outputs.sh OUTDIR [MOAT_BINARY]
#        diff -r OUTDIR_BEFORE OUTDIR_AFTER
#
# MOAT_BINARY defaults to target/release/moat under $CARGO_TARGET_DIR
# (default ~/.cache/moat-target). Each run starts from a fresh demo state and
# an empty config, so earlier sessions cannot change the result.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
OUT="$1"
BIN="${2:-${CARGO_TARGET_DIR:-$HOME/.cache/moat-target}/release/moat}"
if [[ ! -x "$BIN" ]]; then
    echo "demo-outputs: no moat binary at $BIN (build it, or pass its path)" >&2
    exit 2
fi
if [[ -e "$OUT" && -n "$(ls -A "$OUT" 2>/dev/null)" ]]; then
    echo "demo-outputs: $OUT is not empty; give a new directory" >&2
    exit 2
fi
mkdir -p "$OUT"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/moat-demo-outputs.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
export MOAT_STATE_DIR="$SCRATCH/state" MOAT_CONFIG="$SCRATCH/config.toml"
# A fixed clock: scan times and generated names (snapshot names) use it.
export MOAT_NOW="${MOAT_NOW:-2026-01-01T00:00:00Z}" NO_COLOR=1 COLUMNS=120
: > "$MOAT_CONFIG"

# run NAME ARGS...: stdout to NAME.out, stderr to NAME.err, status to NAME.rc
run() {
    local name="$1"; shift
    local rc=0
    "$BIN" --demo "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null || rc=$?
    echo "$rc" >"$OUT/$name.rc"
}

for fmt in table json sarif markdown csv; do
    run "scan.$fmt" scan --format "$fmt"
done

ids="$(python3 -c 'import json,sys; [print(i["id"]) for i in json.load(sys.stdin)["items"]]' \
    <"$OUT/scan.json.out")"
n=0
for id in $ids; do
    run "plan.$id" plan "$id"
    n=$((n + 1))
done
echo "demo-outputs: $n plans and 5 scans recorded in $OUT"
