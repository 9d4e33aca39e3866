#!/usr/bin/env bash
# Benchmark moat against a large account in moto (the AWS emulator).
#
#   bash scripts/bench.sh [--runs N] [--users N] [--buckets N] [--security-groups N]
#       [--instances N] [--rds N] [--trails N] [--regions r1,r2,...]
#       [--concurrency "8 32 64"] [--no-build]
#
# 1. builds the release binary (cargo build --release; $CARGO_TARGET_DIR,
#    default ~/.cache/moat-target)
# 2. starts moto on 127.0.0.1 (tests/support/moto_launcher.py) and seeds it
#    with scripts/bench_seed.py: 200 IAM users with keys, groups, policies;
#    1,000 S3 buckets over two regions; 10 CloudFront distributions; and over
#    4 regions (us-east-1, eu-west-1, ap-southeast-2, us-west-2): 500 EC2
#    security groups (SSH/RDP open to the world, private-only, group
#    references, launch-wizard placeholders, Purpose tags, rules on default
#    groups), 100 instances (IMDSv1 and v2), public AMIs and snapshots, 50 RDS
#    DB instances (2 regions; public, unencrypted), 20 CloudTrail trails (one
#    multi-region) each with its own bucket. The seeder's docstring has it all.
# 3. `moat scan --format json` against it, --runs times per --max-concurrency:
#    wall time and peak RSS (median), measured straight against moto
# 4. one more scan per concurrency through scripts/bench_proxy.py, a counting
#    proxy: requests per service, per operation, per IAM user, per bucket,
#    per security group and per RDS DB instance
# 5. the TUI in a pseudo-terminal (120x36), on --demo and on the seeded
#    account: time to the first frame and to "scanned N/N" (fully loaded)
#
# moto, the proxy and the temporary directory are removed on exit. moto bounds
# the wall time (it is single-process Python); the request counts are the
# portable figure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench_common.sh
. scripts/bench_common.sh

RUNS=3
USERS=200
BUCKETS=1000
SECURITY_GROUPS=500
INSTANCES=100
RDS=50
TRAILS=20
REGIONS="us-east-1,eu-west-1,ap-southeast-2,us-west-2"
CONCURRENCY="8 32 64"
BUILD=1
while (($#)); do
    case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --buckets) BUCKETS=$2; shift 2 ;;
    --security-groups) SECURITY_GROUPS=$2; shift 2 ;;
    --instances) INSTANCES=$2; shift 2 ;;
    --rds) RDS=$2; shift 2 ;;
    --trails) TRAILS=$2; shift 2 ;;
    --regions) REGIONS=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/moat-target}"
PYTHON="${MOAT_TEST_PYTHON:-python3}"
BIN="${MOAT_BENCH_BIN:-$CARGO_TARGET_DIR/release/moat}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/moat-bench.XXXXXX")"
MOTO_PID=""
PROXY_PID=""

cleanup() {
    # shellcheck disable=SC2086 # the pids, unquoted: empty ones drop out
    stop_pids $PROXY_PID $MOTO_PID
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== moat benchmark  $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), $(free -h 2>/dev/null | awk '/^Mem:/ {print $2}') RAM"
echo "moto $("$PYTHON" -c 'import moto; print(moto.__version__)'), $(rustc --version)"

if ((BUILD)); then
    echo "== cargo build --release"
    cargo build --release --quiet
fi
[[ -x "$BIN" ]] || { echo "error: $BIN not found (run without --no-build)" >&2; exit 2; }

# Helpers: a timed run (wall time + peak RSS of the child) and the TUI timer.
cat >"$WORK/helpers.py" <<'PY'
import json, os, pty, re, resource, select, signal, struct, fcntl, termios, subprocess, sys, time

def timed(argv, out):
    t0 = time.monotonic()
    with open(out, "wb") as f:
        rc = subprocess.run(argv, stdout=f, stderr=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    statuses = {}
    try:
        for item in json.load(open(out))["items"]:
            statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    except Exception:
        pass
    print(json.dumps({"rc": rc, "wall_s": round(wall, 3), "rss_mb": round(rss_kb / 1024, 1), "statuses": statuses}))

CSI = re.compile(rb"\x1b\[([0-9;?]*)([@-~])|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07")

class Screen:
    """Just enough of a terminal for ratatui's crossterm output: cursor
    moves (CSI row;col H), erase (CSI 2J), printable text."""
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.rows = [[" "] * w for _ in range(h)]
        self.y = self.x = 0
        self.pending = b""
    def feed(self, data):
        data = self.pending + data
        self.pending = b""
        i = 0
        while i < len(data):
            b = data[i]
            if b == 0x1b:
                m = CSI.match(data, i)
                if not m:
                    if len(data) - i < 64:
                        self.pending = data[i:]
                        return
                    i += 1
                    continue
                if m.group(2) == b"H":
                    p = [int(v) if v else 1 for v in (m.group(1).split(b";") + [b"", b""])[:2]]
                    self.y, self.x = p[0] - 1, p[1] - 1
                elif m.group(2) == b"J" and m.group(1) in (b"2", b"3"):
                    self.rows = [[" "] * self.w for _ in range(self.h)]
                i = m.end()
                continue
            if b in (0x0d, 0x0a):
                self.x = 0 if b == 0x0d else self.x
                self.y += b == 0x0a
                i += 1
                continue
            n = 1 if b < 0x80 else 2 if b >> 5 == 6 else 3 if b >> 4 == 14 else 4
            if i + n > len(data):
                self.pending = data[i:]
                return
            ch = data[i:i + n].decode("utf-8", "replace")
            if 0 <= self.y < self.h and 0 <= self.x < self.w:
                self.rows[self.y][self.x] = ch
            self.x += 1
            i += n
    def row(self, y):
        return "".join(self.rows[y])

def tui(argv, timeout=120.0):
    w, h = 120, 36
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", h, w, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    t0 = time.monotonic()
    scr = Screen(w, h)
    first = loaded = None
    first_header = ""
    done = re.compile(r"scanned (\d+)/(\1) ")
    while time.monotonic() - t0 < timeout:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        scr.feed(data)
        head = scr.row(0)
        now = time.monotonic() - t0
        if first is None and " moat " in head:
            first, first_header = now, head.strip()
        if first is not None and done.search(head):
            loaded = now
            break
    try:
        os.write(fd, b"q")
    except OSError:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            break
        try:
            select.select([fd], [], [], 0.05)[0] and os.read(fd, 65536)
        except OSError:
            pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    ms = lambda t: None if t is None else round(t * 1000, 1)
    print(json.dumps({"first_frame_ms": ms(first), "loaded_ms": ms(loaded),
                      "first_frame_before_any_answer": "account …" in first_header}))

def median(vals):
    vals = sorted(v for v in vals if v is not None)
    return None if not vals else vals[len(vals) // 2] if len(vals) % 2 else (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2

def summary(kind, files):
    rows = [json.loads(open(f).read()) for f in files]
    if kind == "scan":
        print(json.dumps({"wall_s": median(r["wall_s"] for r in rows), "rss_mb": median(r["rss_mb"] for r in rows),
                          "runs": [r["wall_s"] for r in rows], "rc": sorted({r["rc"] for r in rows}),
                          "statuses": rows[0]["statuses"]}))
    else:
        print(json.dumps({"first_frame_ms": median(r["first_frame_ms"] for r in rows),
                          "loaded_ms": median(r["loaded_ms"] for r in rows),
                          "runs_first": [r["first_frame_ms"] for r in rows], "runs_loaded": [r["loaded_ms"] for r in rows],
                          "first_frame_before_any_answer": all(r["first_frame_before_any_answer"] for r in rows)}))

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "timed":
        timed(sys.argv[3:], sys.argv[2])
    elif cmd == "tui":
        tui(sys.argv[2:])
    elif cmd == "summary":
        summary(sys.argv[2], sys.argv[3:])
PY
H="$WORK/helpers.py"

echo "== moto"
MOTO_LOG="$WORK/moto.log"
"$PYTHON" tests/support/moto_launcher.py 0 >"$WORK/moto.ready" 2>"$MOTO_LOG" &
MOTO_PID=$!
MOTO_PORT="$(wait_ready "$WORK/moto.ready" "$MOTO_PID" moto)" || { tail -20 "$MOTO_LOG" >&2; exit 2; }
MOTO="http://127.0.0.1:$MOTO_PORT"
echo "moto on $MOTO (pid $MOTO_PID)"

echo "== seed ($USERS users, $BUCKETS buckets, $SECURITY_GROUPS security groups, $INSTANCES instances, $RDS DB instances, $TRAILS trails)"
"$PYTHON" scripts/bench_seed.py "$MOTO" --users "$USERS" --buckets "$BUCKETS" \
    --security-groups "$SECURITY_GROUPS" --instances "$INSTANCES" --rds "$RDS" --trails "$TRAILS" \
    --regions "$REGIONS" | tee "$WORK/seed.json"

"$PYTHON" scripts/bench_proxy.py serve "$MOTO_PORT" "$WORK/requests.log" >"$WORK/proxy.ready" 2>"$WORK/proxy.log" &
PROXY_PID=$!
PROXY_PORT="$(wait_ready "$WORK/proxy.ready" "$PROXY_PID" proxy)" || { cat "$WORK/proxy.log" >&2; exit 2; }

aws_env() { # endpoint -> env for moat against moto
    echo AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
        AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$1" MOAT_STATE_DIR="$(mktemp -d "$WORK/state.XXXXXX")"
}

echo
echo "== moat scan --format json  ($RUNS runs per concurrency, median; straight to moto)"
printf '| --max-concurrency | wall (median) | runs | peak RSS (median) | exit | items |\n|---:|---:|---|---:|---:|---|\n'
for c in $CONCURRENCY; do
    files=()
    for r in $(seq 1 "$RUNS"); do
        # shellcheck disable=SC2046
        env $(aws_env "$MOTO") "$PYTHON" "$H" timed "$WORK/scan.json" "$BIN" --max-concurrency "$c" scan --format json >"$WORK/scan-$c-$r.res"
        files+=("$WORK/scan-$c-$r.res")
    done
    "$PYTHON" "$H" summary scan "${files[@]}" >"$WORK/scan-$c.sum"
    "$PYTHON" - "$c" "$WORK/scan-$c.sum" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))
st = ", ".join(f"{k} {v}" for k, v in sorted(s["statuses"].items()))
print(f"| {sys.argv[1]} | {s['wall_s']:.2f} s | {' / '.join(f'{w:.2f}' for w in s['runs'])} | {s['rss_mb']:.1f} MB | {','.join(map(str, s['rc']))} | {st} |")
if any(rc not in (0, 1) for rc in s["rc"]):
    sys.exit("error: moat scan did not exit 0 or 1 (2 is a usage, access or connection error)")
PY
done

echo
echo "== requests (one scan per concurrency through the counting proxy)"
for c in $CONCURRENCY; do
    : >"$WORK/requests.log"
    # shellcheck disable=SC2046
    env $(aws_env "http://127.0.0.1:$PROXY_PORT") "$PYTHON" "$H" timed "$WORK/scan.json" "$BIN" --max-concurrency "$c" scan --format json >"$WORK/proxied-$c.res"
    "$PYTHON" scripts/bench_proxy.py report "$WORK/requests.log" --users "$USERS" \
        --security-groups "$SECURITY_GROUPS" --rds "$RDS" --json >"$WORK/requests-$c.json"
    echo "--max-concurrency $c: $(cut -d, -f1 "$WORK/requests-$c.json" | tr -d '{')"
done
if [[ -n "$CONCURRENCY" ]]; then
    echo
    "$PYTHON" scripts/bench_proxy.py report "$WORK/requests.log" --users "$USERS" \
        --security-groups "$SECURITY_GROUPS" --rds "$RDS"
fi

echo
echo "== TUI in a 120x36 pseudo-terminal ($RUNS runs, median)"
printf '| account | first frame | fully loaded (scanned N/N) | first frame before any AWS answer |\n|---|---:|---:|---|\n'
tui_row() { # label argv...
    local label=$1 files=()
    shift
    for r in $(seq 1 "$RUNS"); do
        "$@" >"$WORK/tui-$r.res"
        files+=("$WORK/tui-$r.res")
    done
    "$PYTHON" "$H" summary tui "${files[@]}" >"$WORK/tui.sum"
    "$PYTHON" - "$label" "$WORK/tui.sum" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))
f = lambda v: "n/a" if v is None else f"{v:.0f} ms"
print(f"| {sys.argv[1]} | {f(s['first_frame_ms'])} | {f(s['loaded_ms'])} | {'yes' if s['first_frame_before_any_answer'] else 'no'} |")
PY
}
tui_row "--demo (120 ms simulated latency per part)" \
    env MOAT_STATE_DIR="$(mktemp -d "$WORK/state.XXXXXX")" TERM=xterm-256color "$PYTHON" "$H" tui "$BIN" --demo
# shellcheck disable=SC2046
tui_row "moto, $USERS users, $BUCKETS buckets, $SECURITY_GROUPS security groups, $RDS DB instances" \
    env $(aws_env "$MOTO") TERM=xterm-256color "$PYTHON" "$H" tui "$BIN"

echo
echo "done; moto and the proxy are stopped on exit"
