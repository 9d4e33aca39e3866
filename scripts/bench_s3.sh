#!/usr/bin/env bash
# S3 throughput: moat's S3 read against the bare SDK, on one emulated account.
#
#   bash scripts/bench_s3.sh [--buckets N] [--concurrency N] [--runs N] [--no-build]
#
# 1. builds the release binary and the probe (`cargo build --release --bench
#    s3_probe`: the release profile, as moat's; both in $CARGO_TARGET_DIR,
#    default ~/.cache/moat-target)
# 2. starts moto on 127.0.0.1 and seeds --buckets buckets (default 300) in
#    us-east-1 with scripts/bench_seed.py (mixed ACLs, policies, encryption,
#    public access blocks, access logging; nothing else)
# 3. `moat scan --section s3 --format json --region us-east-1`, --runs times:
#    wall time and peak RSS of the process (median)
# 4. benches/s3_probe.rs: the bare SDK's five reads per bucket and moat's S3
#    part, alternating, with the same number of requests in flight; requests
#    per second of each and their ratio
#
# moto and the temporary directory are removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench_common.sh
. scripts/bench_common.sh

BUCKETS=300
CONCURRENCY=32
RUNS=3
BUILD=1
while (($#)); do
    case "$1" in
    --buckets) BUCKETS=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/moat-target}"
PYTHON="${MOAT_TEST_PYTHON:-python3}"
BIN="${MOAT_BENCH_BIN:-$CARGO_TARGET_DIR/release/moat}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-s3.XXXXXX")"
MOTO_PID=""

cleanup() {
    # shellcheck disable=SC2086 # the pid, unquoted: none drops out
    stop_pids $MOTO_PID
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== moat S3 throughput  $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cpus; moto $("$PYTHON" -c 'import moto; print(moto.__version__)'), $(rustc --version)"

if ((BUILD)); then
    echo "== cargo build --release; cargo build --release --bench s3_probe"
    cargo build --release --quiet
fi
# The probe links the library with the dev-dependencies' features: its own
# copy of the dependencies, built once.
PROBE="$(cargo build --release --bench s3_probe --message-format=json 2>/dev/null |
    "$PYTHON" -c 'import json, sys
exe = [m.get("executable") for m in map(json.loads, sys.stdin) if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "s3_probe"]
print(next((e for e in exe if e), ""))')"
[[ -x "$BIN" ]] || { echo "error: $BIN not found (run without --no-build)" >&2; exit 2; }
[[ -n "$PROBE" && -x "$PROBE" ]] || { echo "error: the s3_probe bench did not build" >&2; exit 2; }

echo "== moto"
"$PYTHON" tests/support/moto_launcher.py 0 >"$WORK/moto.ready" 2>"$WORK/moto.log" &
MOTO_PID=$!
PORT="$(wait_ready "$WORK/moto.ready" "$MOTO_PID" moto)" || { tail -20 "$WORK/moto.log" >&2; exit 2; }
MOTO="http://127.0.0.1:$PORT"

echo "== seed ($BUCKETS buckets in us-east-1)"
"$PYTHON" scripts/bench_seed.py "$MOTO" --users 0 --groups 0 --policies 0 --console-users 0 \
    --buckets "$BUCKETS" --s3-regions us-east-1 --distributions 0 --security-groups 0 \
    --instances 0 --rds 0 --trails 0 --regions us-east-1 >/dev/null

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
    AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$MOTO"

echo
echo "== moat scan --section s3 --format json --region us-east-1 --max-concurrency $CONCURRENCY ($RUNS runs)"
"$PYTHON" - "$BIN" "$RUNS" "$CONCURRENCY" "$WORK" <<'PY'
import os, resource, statistics, subprocess, sys, tempfile, time
bin_, runs, conc, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
walls, rss = [], []
for i in range(runs):
    env = dict(os.environ, MOAT_STATE_DIR=tempfile.mkdtemp(dir=work))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.run([bin_, "scan", "--section", "s3", "--format", "json", "--region", "us-east-1",
                         "--max-concurrency", conc], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        env=env).returncode
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if rc not in (0, 1):
        sys.exit(f"error: moat scan exited {rc}")
    walls.append(wall)
    rss.append(after.ru_maxrss / 1024)
    print(f"run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU (moat)")
print(f"median: {statistics.median(walls):.2f} s; peak RSS {max(rss):.1f} MB")
PY

echo
echo "== bare SDK vs moat's S3 part (benches/s3_probe.rs)"
export MOAT_STATE_DIR="$WORK/probe-state"
"$PROBE" --endpoint "$MOTO" --region us-east-1 --concurrency "$CONCURRENCY" --runs "$RUNS"
