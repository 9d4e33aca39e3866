#!/usr/bin/env bash
# Benchmark `moat scan --org` on an AWS Organization emulated in moto.
#
#   bash scripts/bench_org.sh [--members N] [--runs N] [--regions r1,r2,...]
#       [--concurrency N] [--no-build]
#
# 1. builds the release binary (cargo build --release --locked;
#    $CARGO_TARGET_DIR, default ~/.cache/moat-target; MOAT_BENCH_BIN names
#    another binary)
# 2. starts moto on 127.0.0.1 (tests/support/moto_launcher.py) and seeds it
#    with scripts/bench_org_seed.py: moto's default account creates an
#    organization and --members member accounts (default 50), each with the
#    OrganizationAccountAccessRole trusting it, 3 IAM users (one with an access
#    key), 2 S3 buckets and, in every region of --regions (default us-east-1,
#    eu-west-1), a security group with SSH open to 0.0.0.0/0
# 3. `moat scan --org --format json --region REGIONS --max-concurrency N`
#    (default 32) straight against moto: one warm-up run, not counted, then
#    --runs runs (default 3): wall time median / min / max, CPU time, peak RSS.
#    Every report must hold every ACTIVE account (members + 1) and no error.
#    One run with --shard 1/4 (a quarter of the accounts) for the memory slope.
# 4. one more run through scripts/bench_proxy.py, a counting proxy: requests
#    per service, per operation and per account (by the access key that
#    signed them: the management account's own, one assumed-role session per
#    member; moto's GetCallerIdentity names each key's account)
# 5. a summary per account, and extrapolated to 1,000 accounts: requests,
#    wall time at the same request rate, memory
#
# moto, the proxy and the temporary directory are removed on exit. moto bounds
# the wall time (one Python process) and its memory (about 35 MB per account:
# AWS's managed policies in every IAM partition), so 1,000 accounts are
# extrapolated, not emulated; the request counts are the portable figure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench_common.sh
. scripts/bench_common.sh

MEMBERS=50
RUNS=3
REGIONS="us-east-1,eu-west-1"
CONCURRENCY=32
BUILD=1
while (($#)); do
    case "$1" in
    --members) MEMBERS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --regions) REGIONS=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
for n in "$MEMBERS" "$RUNS" "$CONCURRENCY"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "error: not a number: $n (see --help)" >&2; exit 2; }
done
((RUNS >= 1)) || { echo "error: --runs: at least 1" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/moat-target}"
PYTHON="${MOAT_TEST_PYTHON:-python3}"
BIN="${MOAT_BENCH_BIN:-$CARGO_TARGET_DIR/release/moat}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-org.XXXXXX")"
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

echo "== moat benchmark: an organization of $MEMBERS member accounts  $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), $(free -h 2>/dev/null | awk '/^Mem:/ {print $2}') RAM"
echo "moto $("$PYTHON" -c 'import moto; print(moto.__version__)'), $(rustc --version 2>/dev/null || echo 'rustc not found')"

if ((BUILD)); then
    echo "== cargo build --release --locked"
    cargo build --release --locked --quiet
fi
[[ -x "$BIN" ]] || { echo "error: $BIN not found (run without --no-build)" >&2; exit 2; }

# Helpers: a timed run, the report's check, the proxy with access keys, the
# request tables and the summary.
cat >"$WORK/helpers.py" <<'PY'
import collections, json, math, os, re, resource, statistics, subprocess, sys, threading, time, urllib.parse

def timed(out, argv):
    """Runs argv (stdout to out, stderr to out.err): wall and CPU seconds, peak RSS."""
    t0 = time.monotonic()
    with open(out, "wb") as f, open(out + ".err", "wb") as e:
        rc = subprocess.run(argv, stdout=f, stderr=e, stdin=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # the one child: moat
    print(json.dumps({"rc": rc, "wall_s": round(wall, 3), "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
                      "rss_mb": round(ru.ru_maxrss / 1024, 1)}))  # ru_maxrss: KiB on Linux

def check(out, seed_path, mode):
    """The report of `scan --org`: every ACTIVE account (mode all) or some of
    them (mode some), each once, and no error. Prints what it holds."""
    seed = json.load(open(seed_path))
    expected = set(seed["member_ids"]) | {seed["management_account"]}
    problems = []
    try:
        doc = json.load(open(out))
    except (OSError, ValueError) as e:
        sys.exit(f"error: the report is not JSON ({e}); moat's stderr:\n" + open(out + ".err", errors="replace").read()[-3000:])
    if not isinstance(doc, dict):
        sys.exit(f"error: the report is not {{\"accounts\", \"errors\"}} but a {type(doc).__name__}")
    accounts, errors = doc.get("accounts") or [], doc.get("errors")
    ids = [a.get("account") for a in accounts]
    if errors is None:
        problems.append("no \"errors\" list")
    elif errors:
        problems.append(f"{len(errors)} accounts not scanned, e.g. {errors[:3]}")
    if len(set(ids)) != len(ids):
        problems.append("an account is reported twice")
    if mode == "all" and set(ids) != expected:
        problems.append(f"{len(ids)} accounts reported, {len(expected)} expected "
                        f"(missing {sorted(expected - set(ids))[:5]}, unexpected {sorted(set(ids) - expected)[:5]})")
    if mode == "some" and (not ids or not set(ids) <= expected):
        problems.append(f"{len(ids)} accounts reported, unexpected {sorted(set(ids) - expected)[:5]}")
    if problems:
        sys.exit("error: " + "; ".join(problems) + "\nmoat's stderr (end):\n" + open(out + ".err", errors="replace").read()[-3000:])
    statuses = collections.Counter(i.get("status") for a in accounts for i in a.get("items") or [])
    print(json.dumps({"accounts": len(ids), "report_bytes": os.path.getsize(out), "statuses": dict(sorted(statuses.items()))}))

def proxy(scripts, upstream, log):
    """scripts/bench_proxy.py's proxy, each request's line also naming the
    access key that signed it (params.AccessKey); exits with its parent."""
    sys.path.insert(0, scripts)
    import bench_proxy
    classify = bench_proxy.classify
    scope = re.compile(r"Credential=([^/,\s]+)/")

    def with_key(method, raw_path, headers, body):
        service, op, params = classify(method, raw_path, headers, body)
        m = scope.search(headers.get("Authorization") or "")
        if m:
            key = m.group(1)
        else:  # a presigned URL
            cred = urllib.parse.parse_qs(urllib.parse.urlsplit(raw_path).query).get("X-Amz-Credential")
            key = cred[0].split("/", 1)[0] if cred else "(unsigned)"
        return service, op, dict(params, AccessKey=key)

    bench_proxy.classify = with_key  # serve() looks it up per request
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    bench_proxy.serve(int(upstream), log)

def requests(log, seed_path, endpoint):
    """The proxied run's requests: totals, per service and operation, per
    account (each access key's account from moto's GetCallerIdentity)."""
    import boto3
    seed = json.load(open(seed_path))
    mgmt = seed["management_account"]
    rows = [json.loads(line) for line in open(log) if line.strip()]
    keys = collections.Counter(r["params"].get("AccessKey", "(unsigned)") for r in rows)
    key_account = {}
    for key in keys:
        if key == "(unsigned)":
            continue
        try:
            sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id=key, aws_secret_access_key="unused")
            account = sts.get_caller_identity()["Account"]
            # moto answers its default account for a key it does not know:
            # only the management account's own key ("testing") is that.
            if account != mgmt or key == "testing":
                key_account[key] = account
        except Exception as e:  # reported as an unknown account
            print(f"warning: no account for access key {key}: {e}", file=sys.stderr)
    per_account = collections.Counter()
    for key, n in keys.items():
        per_account[key_account.get(key, "?")] += n
    keys_per_account = collections.Counter(key_account.values())
    members = [per_account.get(m, 0) for m in seed["member_ids"]]
    mgmt_rows = [r for r in rows if key_account.get(r["params"].get("AccessKey")) == mgmt]
    org_ops = collections.Counter(r["op"] for r in mgmt_rows if r["service"] == "organizations")
    assume = sum(1 for r in mgmt_rows if r["service"] == "sts" and r["op"] == "AssumeRole")
    print(json.dumps({
        "total": len(rows),
        "per_service": dict(collections.Counter(r["service"] for r in rows).most_common()),
        "per_operation": {f"{s} {o}": n for (s, o), n in collections.Counter((r["service"], r["op"]) for r in rows).most_common()},
        "access_keys": len(keys),
        "accounts_seen": len(set(key_account.values())),
        "accounts_with_more_than_one_key": sum(1 for n in keys_per_account.values() if n > 1),
        "unattributed": per_account.get("?", 0),
        "management": per_account.get(mgmt, 0),
        "management_org_requests": dict(org_ops),
        "management_assume_role": assume,
        "members_seen": sum(1 for n in members if n),
        "member": {
            "min": min(members, default=0),
            "median": statistics.median(members) if members else 0,
            "max": max(members, default=0),
            "mean": round(statistics.mean(members), 1) if members else 0,
        },
    }))

def median(vals):
    return statistics.median(vals) if vals else None

def summary(files):
    rows = [json.loads(open(f).read()) for f in files]
    out = {"runs": len(rows), "rc": sorted({r["rc"] for r in rows})}
    for k in ("wall_s", "cpu_s", "rss_mb"):
        vals = [r[k] for r in rows]
        out[k] = {"median": median(vals), "min": min(vals), "max": max(vals), "each": vals}
    print(json.dumps(out))

def report(seed_path, runs_path, check_path, shard_run_path, shard_check_path, req_path, proxied_path, target):
    seed = json.load(open(seed_path))
    runs, chk, req = json.load(open(runs_path)), json.load(open(check_path)), json.load(open(req_path))
    proxied = json.load(open(proxied_path))
    n = chk["accounts"]
    members = seed["members"]
    wall, cpu, rss = runs["wall_s"], runs["cpu_s"], runs["rss_mb"]
    f = lambda v, unit="": "n/a" if v is None else f"{v:,.2f}{unit}" if isinstance(v, float) else f"{v:,}{unit}"

    print(f"| straight to moto, {runs['runs']} runs | median | min | max |\n|---|---:|---:|---:|")
    print(f"| wall | {wall['median']:.2f} s | {wall['min']:.2f} s | {wall['max']:.2f} s |")
    print(f"| CPU (user + system) | {cpu['median']:.2f} s | {cpu['min']:.2f} s | {cpu['max']:.2f} s |")
    print(f"| peak RSS | {rss['median']:.1f} MB | {rss['min']:.1f} MB | {rss['max']:.1f} MB |")
    print(f"\nexit codes: {','.join(map(str, runs['rc']))}; {n} accounts in every report, no error; "
          f"items: {', '.join(f'{k} {v}' for k, v in chk['statuses'].items())}")

    print(f"\nrequests (through the proxy, {proxied['wall_s']:.2f} s): {req['total']:,}")
    print("\n| service | requests | per account |\n|---|---:|---:|")
    for s, c in req["per_service"].items():
        print(f"| {s} | {c:,} | {c / n:.1f} |")
    print("\n| service operation | requests |\n|---|---:|")
    for k, c in list(req["per_operation"].items())[:40]:
        print(f"| {k} | {c:,} |")
    if len(req["per_operation"]) > 40:
        print(f"| ({len(req['per_operation']) - 40} more operations) | |")
    m = req["member"]
    org = sum(req["management_org_requests"].values())
    print(f"\n| per account (by signing key) | requests |\n|---|---:|")
    print(f"| management account, all | {req['management']:,} |")
    print(f"| of which organizations ({', '.join(f'{k} {v}' for k, v in req['management_org_requests'].items()) or 'none'}) | {org:,} |")
    print(f"| of which sts AssumeRole (one per member expected: {members}) | {req['management_assume_role']:,} |")
    print(f"| member: min / median / max | {m['min']:,} / {f(m['median'])} / {m['max']:,} |")
    print(f"| members seen / seeded | {req['members_seen']} / {members} |")
    print(f"| access keys / accounts seen | {req['access_keys']} / {req['accounts_seen']} ({req['accounts_with_more_than_one_key']} accounts with more than one key) |")
    if req["unattributed"]:
        print(f"| requests of no known account | {req['unattributed']:,} |")

    # Extrapolation: the management account's own scan is fixed; every member
    # adds its own requests and one AssumeRole; the organization's listing is
    # counted as measured (ListAccounts pages grow: moto answers up to 100
    # accounts a page, AWS at most 20).
    own = req["management"] - org - req["management_assume_role"]
    per_member = m["mean"] + (req["management_assume_role"] / members if members else 0)
    t = target
    req_t = own + org + (t - 1) * per_member
    rate = req["total"] / wall["median"] if wall["median"] else None
    wall_t = req_t / rate if rate else None
    print(f"\n| | {n} accounts (measured) | per account | {t:,} accounts (extrapolated) |\n|---|---:|---:|---:|")
    print(f"| requests | {req['total']:,} | {req['total'] / n:.1f} | {req_t:,.0f} |")
    print(f"| wall, moat at moto's rate ({f(rate)} requests/s) | {wall['median']:.1f} s | {wall['median'] / n:.2f} s | "
          f"{f(wall_t, ' s')} ({f(wall_t / 60 if wall_t else None, ' min')}) |")
    print(f"| CPU | {cpu['median']:.1f} s | {cpu['median'] / n:.3f} s | {cpu['median'] / n * t:,.0f} s |")

    line = f"| peak RSS | {rss['median']:.1f} MB | | "
    slope = None
    if shard_run_path and shard_check_path:
        sr, sc = json.load(open(shard_run_path)), json.load(open(shard_check_path))
        if sc["accounts"] < n:
            slope = (rss["median"] - sr["rss_mb"]) / (n - sc["accounts"])
            print(line + f"{rss['median'] + slope * (t - n):,.0f} MB (linear in the slope below) |")
            print(f"\nmemory: peak RSS {sr['rss_mb']:.1f} MB for {sc['accounts']} accounts (--shard 1/4), "
                  f"{rss['median']:.1f} MB (median) for {n}: {slope:+.2f} MB per account, "
                  + ("roughly flat over this range." if abs(slope) * n < 0.1 * rss["median"] else "growing with the organization."))
    if slope is None:
        print(line + "see below |")
        print(f"\nmemory: peak RSS {rss['median']:.1f} MB (median) for {n} accounts; no second size measured.")
    kb = chk["report_bytes"] / n / 1024
    print(f"moat reads 4 accounts at once and at most --max-concurrency requests across them, so what it holds "
          f"for the accounts being read stays flat as the organization grows; what grows is the finished "
          f"accounts' results, kept until the report is printed: {kb:.1f} KB of JSON per account here, "
          f"{kb * t / 1024:.1f} MB of JSON text at {t:,} accounts (more as parsed values in memory). "
          f"Seeded accounts are small; a real account's results are larger.")

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "timed":
        timed(args[0], args[1:])
    elif cmd == "check":
        check(*args)
    elif cmd == "proxy":
        proxy(*args)
    elif cmd == "requests":
        requests(*args)
    elif cmd == "summary":
        summary(args)
    elif cmd == "report":
        report(*(a or None for a in args[:7]), int(args[7]))
PY
H="$WORK/helpers.py"

echo "== moto"
: >"$WORK/moto.ready"
"$PYTHON" tests/support/moto_launcher.py 0 >"$WORK/moto.ready" 2>"$WORK/moto.log" &
MOTO_PID=$!
MOTO_PORT="$(wait_ready "$WORK/moto.ready" "$MOTO_PID" moto)" || { tail -20 "$WORK/moto.log" >&2; exit 2; }
MOTO="http://127.0.0.1:$MOTO_PORT"
echo "moto on $MOTO (pid $MOTO_PID)"

echo "== seed (an organization of $MEMBERS members; regions $REGIONS)"
"$PYTHON" scripts/bench_org_seed.py "$MOTO" --members "$MEMBERS" --regions "$REGIONS" >"$WORK/seed.json"
"$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); d.pop("member_ids"); print(json.dumps(d))' "$WORK/seed.json"

moat_env() { # endpoint argv... -> argv with moat's environment against that endpoint
    local endpoint=$1
    shift
    env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN -u AWS_ROLE_ARN -u AWS_WEB_IDENTITY_TOKEN_FILE \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
        AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$endpoint" \
        AWS_CONFIG_FILE="$WORK/no-such-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/no-such-credentials" \
        MOAT_STATE_DIR="$(mktemp -d "$WORK/state.XXXXXX")" "$@"
}
SCAN=("$BIN" scan --org --format json --region "$REGIONS" --max-concurrency "$CONCURRENCY")

scan_run() { # name endpoint mode [extra moat args...] -> $WORK/NAME.{json,res,chk}
    local name=$1 endpoint=$2 mode=$3
    shift 3
    moat_env "$endpoint" "$PYTHON" "$H" timed "$WORK/$name.json" "${SCAN[@]}" "$@" >"$WORK/$name.res"
    "$PYTHON" "$H" check "$WORK/$name.json" "$WORK/seed.json" "$mode" >"$WORK/$name.chk"
    "$PYTHON" - "$WORK/$name.res" "$WORK/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if r["rc"] not in (0, 1):
    err = open(sys.argv[2] + ".err", errors="replace").read()[-3000:]
    sys.exit(f"error: moat scan --org exited {r['rc']} (2: a usage, access or connection error)\n{err}")
PY
}

echo
echo "== ${SCAN[*]}  (straight to moto)"
scan_run warmup "$MOTO" all
echo "warm-up (not counted): $(cat "$WORK/warmup.res") $(cat "$WORK/warmup.chk")"
files=()
for r in $(seq 1 "$RUNS"); do
    scan_run "run-$r" "$MOTO" all
    echo "run $r: $(cat "$WORK/run-$r.res")"
    files+=("$WORK/run-$r.res")
done
"$PYTHON" "$H" summary "${files[@]}" >"$WORK/runs.sum"

SHARD_RES="" SHARD_CHK=""
if ((MEMBERS >= 8)); then
    scan_run shard "$MOTO" some --shard 1/4
    echo "--shard 1/4: $(cat "$WORK/shard.res") $(cat "$WORK/shard.chk")"
    SHARD_RES="$WORK/shard.res" SHARD_CHK="$WORK/shard.chk"
fi

echo
echo "== requests (one more run through the counting proxy)"
: >"$WORK/proxy.ready"
"$PYTHON" "$H" proxy "$PWD/scripts" "$MOTO_PORT" "$WORK/requests.log" >"$WORK/proxy.ready" 2>"$WORK/proxy.log" &
PROXY_PID=$!
PROXY_PORT="$(wait_ready "$WORK/proxy.ready" "$PROXY_PID" proxy)" || { cat "$WORK/proxy.log" >&2; exit 2; }
scan_run proxied "http://127.0.0.1:$PROXY_PORT" all
echo "proxied run: $(cat "$WORK/proxied.res")"
stop_pids "$PROXY_PID"
PROXY_PID=""
"$PYTHON" "$H" requests "$WORK/requests.log" "$WORK/seed.json" "$MOTO" >"$WORK/requests.json"

echo
echo "== summary: $((MEMBERS + 1)) accounts (the management account and $MEMBERS members), regions $REGIONS, --max-concurrency $CONCURRENCY"
echo
"$PYTHON" "$H" report "$WORK/seed.json" "$WORK/runs.sum" "$WORK/run-1.chk" "$SHARD_RES" "$SHARD_CHK" \
    "$WORK/requests.json" "$WORK/proxied.res" 1000

echo
echo "done; moto and the proxy are stopped on exit"
