#!/usr/bin/env bash
# Runs moat's whole test suite on a fresh machine:
#   1. moto   — installs moto (the AWS emulator the integration tests use)
#               when python3 cannot import it
#   2. fmt    — cargo fmt --check
#   3. clippy+build — builds every test target once, moat's own crates through
#               clippy-driver with -D warnings (what `cargo clippy --all-targets
#               -- -D warnings` checks), so the dependencies are built only once
#   4. test   — cargo test --all-targets --no-fail-fast (unit, screen snapshots,
#               integration against moto; every test binary runs even after a
#               failure)
#   5. backend — the backend's field-by-field moto tests (#[ignore]d in a plain
#               cargo test), against one moto server (skipped with a filter)
#
# Usage: bash scripts/test.sh [extra cargo test args, e.g. a test name filter]
#
# A test phase whose name filter matches no test fails (a renamed module
# would otherwise pass without running anything).
#
# Every phase runs even when an earlier one failed; the exit status is
# non-zero when any phase failed. Build artifacts go to $CARGO_TARGET_DIR
# (default ~/.cache/moat-target, outside the clone so CI can keep it).
# Under CI=true cargo runs with --locked.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MOTO_SPEC='moto[server]==5.2.1'
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/moat-target}"
PYTHON="${MOAT_TEST_PYTHON:-python3}"

LOCKED=()
if [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; then
    LOCKED=(--locked)
fi

# moto servers started by the tests register their pid here, so nothing
# survives this script even if a test binary is killed.
MOAT_TEST_PIDDIR="$(mktemp -d "${TMPDIR:-/tmp}/moat-test-pids.XXXXXX")"
export MOAT_TEST_PIDDIR

CHILD=""

now_us() {
    if [[ -n "${EPOCHREALTIME:-}" ]]; then
        local t="${EPOCHREALTIME}"
        echo "${t/[.,]/}"
    else
        echo "$(($(date +%s) * 1000000))"
    fi
}

fmt_secs() { # microseconds -> "12.3s"
    local us=$1
    printf '%d.%ds' "$((us / 1000000))" "$(((us % 1000000) / 100000))"
}

moto_pid_running() { # pid -> true when it is still one of our launchers
    local pid=$1 cmd=""
    if [[ -r "/proc/$pid/cmdline" ]]; then
        cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    else
        cmd="$(ps -p "$pid" -o command= 2>/dev/null || true)"
    fi
    [[ "$cmd" == *moto_launcher.py* ]]
}

reap_moto() { # kill launchers that outlived their test; prints how many
    local stray=() f pid
    for f in "$MOAT_TEST_PIDDIR"/*; do
        [[ -e "$f" ]] || continue
        pid="$(basename "$f")"
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        if moto_pid_running "$pid"; then stray+=("$pid"); fi
    done
    if ((${#stray[@]} > 0)); then
        # They exit on their own within ~0.5 s of their parent's death.
        sleep 1
        for pid in "${stray[@]}"; do
            if moto_pid_running "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
        done
        sleep 1
        for pid in "${stray[@]}"; do
            if moto_pid_running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
        done
    fi
    echo "${#stray[@]}"
}

cleanup() {
    if [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; then
        # The child runs in its own process group (setsid): end all of it.
        kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$CHILD" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL -- "-$CHILD" 2>/dev/null || kill -KILL "$CHILD" 2>/dev/null || true
    fi
    reap_moto >/dev/null
    rm -rf "$MOAT_TEST_PIDDIR"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM

# Runs a command so that INT/TERM reach this script at once (the command
# runs in the background in its own process group and we wait for it).
run() {
    if command -v setsid >/dev/null 2>&1; then
        setsid "$@" &
    else
        "$@" &
    fi
    CHILD=$!
    local rc=0
    wait "$CHILD" || rc=$?
    CHILD=""
    return "$rc"
}

# Runs a `cargo test` command as `run` does and fails when it ran no test at
# all: a name filter that matches nothing (a renamed module) must not pass.
# Counts libtest's "running N tests" lines (or, under --list, its
# "N tests, M benchmarks" lines) across every test binary.
run_tests() {
    local log rc=0 ran
    log="$(mktemp "${TMPDIR:-/tmp}/moat-test-log.XXXXXX")"
    run bash -o pipefail -c '"$@" | tee "$0"' "$log" "$@" || rc=$?
    ran="$(awk '/^running [0-9]+ tests?$/ { n += $2 }
        /^[0-9]+ tests?, [0-9]+ benchmarks?$/ { n += $1 }
        END { print n + 0 }' "$log")"
    rm -f "$log"
    if ((rc == 0 && ran == 0)); then
        echo "error: no test matched: $*" >&2
        return 1
    fi
    return "$rc"
}

SUMMARY=()
FAILED=0

phase() { # name command...
    local name=$1
    shift
    echo
    echo "==> [$name] $*"
    local t0 rc=0
    t0="$(now_us)"
    "$@" || rc=$?
    local took
    took="$(fmt_secs "$(($(now_us) - t0))")"
    if ((rc == 0)); then
        echo "==> [$name] ok in $took"
        SUMMARY+=("$(printf '%-7s ok      %8s' "$name" "$took")")
    else
        echo "==> [$name] FAILED (exit $rc) in $took"
        SUMMARY+=("$(printf '%-7s FAILED  %8s  (exit %d)' "$name" "$took" "$rc")")
        FAILED=1
    fi
}

have_moto() { # python -> true when it can import moto's server
    "$1" -c 'import moto.server' >/dev/null 2>&1
}

moto_info() { # python -> "VERSION EXECUTABLE", fails without moto's server
    "$1" -c 'import sys, moto, moto.server; print(moto.__version__, sys.executable)' 2>/dev/null
}

ensure_moto() {
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "error: $PYTHON not found; the integration tests need Python 3 with $MOTO_SPEC" >&2
        return 1
    fi
    local venv="${XDG_CACHE_HOME:-$HOME/.cache}/moat-moto-venv" info
    if info="$(moto_info "$PYTHON")"; then
        export MOAT_TEST_PYTHON="$PYTHON"
        echo "moto ${info% *} already installed for ${info#* }"
        return 0
    elif [[ -x "$venv/bin/python3" ]] && have_moto "$venv/bin/python3"; then
        PYTHON="$venv/bin/python3"
    else
        echo "moto not found for $PYTHON: installing $MOTO_SPEC"
        if run "$PYTHON" -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" &&
            have_moto "$PYTHON"; then
            :
        else
            # Externally managed Python (PEP 668) or no write access: use a
            # private virtualenv in the cache directory.
            echo "pip install into $PYTHON failed; trying a virtualenv at $venv"
            if run "$PYTHON" -m venv "$venv" &&
                run "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" &&
                have_moto "$venv/bin/python3"; then
                PYTHON="$venv/bin/python3"
            else
                echo "virtualenv failed; trying pip install --user"
                run "$PYTHON" -m pip install --quiet --disable-pip-version-check --user \
                    --break-system-packages "$MOTO_SPEC" || true
                if ! have_moto "$PYTHON"; then
                    echo "error: could not install $MOTO_SPEC; install it by hand" >&2
                    return 1
                fi
            fi
        fi
    fi
    export MOAT_TEST_PYTHON="$PYTHON"
    info="$(moto_info "$PYTHON")"
    echo "using moto ${info% *} for ${info#* }"
}

T_START="$(now_us)"
echo "moat tests in $(pwd)"
echo "CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
cargo --version
rustc --version

phase moto ensure_moto
phase fmt run cargo fmt --all -- --check
# One build per run: instead of `cargo clippy` (a check build of every
# dependency) followed by `cargo test` (a second, full build), the test build
# itself compiles moat's own crates through clippy-driver with -D warnings,
# exactly as `cargo clippy --all-targets -- -D warnings` would lint them; the
# dependencies are built once, by rustc. Lint errors fail the build phase.
CLIPPY_DRIVER="$(command -v clippy-driver || true)"
if [[ -z "$CLIPPY_DRIVER" ]]; then
    CLIPPY_DRIVER="$(rustc --print sysroot)/bin/clippy-driver"
fi
export RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
phase clippy+build run cargo test ${LOCKED[@]+"${LOCKED[@]}"} --all-targets --no-run
phase test run_tests cargo test ${LOCKED[@]+"${LOCKED[@]}"} --all-targets --no-fail-fast "$@"

# The backend's own moto tests (src/collect/aws/moto_tests/: every collector
# and op through the SDK, field by field) need one moto server; they are
# #[ignore]d in a plain `cargo test`. Same test binary: no rebuild.
backend_tests() {
    local out port pid rc=0
    out="$(mktemp "${TMPDIR:-/tmp}/moat-backend-moto.XXXXXX")"
    "$PYTHON" tests/support/moto_launcher.py 0 >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 1 100); do
        grep -q '^READY ' "$out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    port="$(awk '/^READY /{print $2; exit}' "$out")"
    if [[ -z "$port" ]]; then
        echo "moto did not start" >&2
        kill -TERM "$pid" 2>/dev/null || true
        rm -f "$out"
        return 1
    fi
    MOAT_MOTO_ENDPOINT="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing \
        AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
        run_tests cargo test ${LOCKED[@]+"${LOCKED[@]}"} --lib collect::aws::moto_tests \
        -- --ignored --test-threads 1 || rc=$?
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$out"
    return "$rc"
}
if [[ $# -eq 0 ]]; then
    phase backend backend_tests
fi

STRAY="$(reap_moto)"
if ((STRAY > 0)); then
    echo "warning: $STRAY moto server(s) outlived their tests and were killed" >&2
fi

echo
echo "==> summary"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
echo "  total            $(fmt_secs "$(($(now_us) - T_START))")"
if ((FAILED)); then
    echo "FAILED"
    exit 1
fi
echo "all phases passed"
