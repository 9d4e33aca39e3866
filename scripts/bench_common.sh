# Shell helpers shared by scripts/bench.sh and scripts/bench_s3.sh (sourced).

stop_pids() { # pid... -> TERM each, wait up to 2 s, then KILL
    local pid
    for pid in "$@"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "$@"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

wait_ready() { # file pid what -> prints the port from "READY <port> ..."
    local file=$1 pid=$2 what=$3
    for _ in $(seq 1 600); do
        if read -r word port _ <"$file" 2>/dev/null && [[ "$word" == READY ]]; then
            echo "$port"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $what exited before it was ready" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "error: $what did not start within 60 s" >&2
    return 1
}
