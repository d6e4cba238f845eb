#!/usr/bin/env bash
# Scale on one node (docs/performance.md, "Scale"): one fanout-node and then one node of the
# seed's Node.js design, each alone on one redis-server, the same loads in the same run; ours
# twice, with its default I/O threads (one per core) and with --threads 1.
# 1. Idle connections: the RSS each one costs, and 300 active clients in 30 rooms at 2,000
#    publishes/s beside 100, 2,000 and 19,600 idle connections (in rooms of their own): CPU per
#    delivery and p99 must stay flat as the idle count grows.
# 2. Three shapes: one room of 5,000 members; 990 rooms of 20; 9,900 rooms of 2 (the issue's 1,000
#    and 10,000 rooms of 20,000 connections do not fit under this machine's hard limit of 20,000
#    descriptors per process, which the node and the bench each need besides their own few).
# Prints one JSON line per point, then a table. Usage: scripts/scalebench.sh [--quick] [--ours-only]
set -euo pipefail
quick=0; kinds="ours ours-1-thread reference"
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        --ours-only) kinds="ours ours-1-thread" ;;
        *) echo "scalebench: unknown argument $arg (--quick, --ours-only)" >&2; exit 2 ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"
"$root/scripts/setup.sh" >/dev/null
[[ $kinds != *reference* ]] || prepare_reference
ulimit -n "$(ulimit -Hn)"
start_redis

seconds=8; idle_points="100 2000 19600"
shapes=("1 5000 10 20" "990 19800 990 5000" "9900 19800 9900 25000") # rooms clients senders rate
if [ $quick = 1 ]; then
    seconds=2; idle_points="100 2000"
    shapes=("1 500 5 20" "99 1980 99 2000" "990 1980 990 2000")
fi

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }

run_node() { # kind -> port, node_pid, url
    port=$(free_port)
    # ours: the default, an I/O thread per core; ours-1-thread: --threads 1.
    if [ "$1" = ours-1-thread ]; then
        FANOUT_NODE_ARGS="--threads 1" start_node ours "$port" "$1-scale"
    else
        start_node "$1" "$port" "$1-scale"
    fi
    wait_listening "$port"
    url=ws://127.0.0.1:$port
    sleep 0.5
}
stop_node() { kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; sleep 0.5; }

# Opens `count` idle connections in rooms of their own and waits until the node holds them all.
hold_idle() { # count -> idle_pid
    "$bench" --urls "$url" --idle "$1" --rooms 1000 --room-prefix idle- --seconds 3600 --threads 2 \
        --label idle >/dev/null 2>&1 &
    idle_pid=$!
    pids+=("$idle_pid")
    for _ in $(seq 1200); do [ "$(established "$port")" -ge "$1" ] && return; sleep 0.1; done
    echo "scalebench: only $(established "$port") of $1 idle connections opened" >&2
}

points=()
for kind in $kinds; do
    for idle in $idle_points; do
        run_node "$kind"
        before=$(rss_kib "$node_pid")
        hold_idle "$idle"
        sleep 1
        after=$(rss_kib "$node_pid")
        result=$("$bench" --urls "$url" --clients 300 --rooms 30 --senders 30 --rate 2000 --payload 64 \
            --seconds "$seconds" --pids "$node_pid" --label "$kind-idle-$idle")
        result=$(json d "json.dumps({**d, 'kind': '$kind', 'idle': $idle, 'idle_rss_bytes_per_connection': round(($after - $before) * 1024 / $idle)})" "$result")
        echo "$result"
        points+=("$result")
        kill "$idle_pid" 2>/dev/null || true; wait "$idle_pid" 2>/dev/null || true
        stop_node
    done
    for shape in "${shapes[@]}"; do
        read -r rooms clients senders rate <<<"$shape"
        run_node "$kind"
        result=$("$bench" --urls "$url" --clients "$clients" --rooms "$rooms" --senders "$senders" --rate "$rate" \
            --payload 64 --seconds "$seconds" --threads 2 --pids "$node_pid" --label "$kind-shape-$rooms")
        result=$(json d "json.dumps({**d, 'kind': '$kind', 'shape': '$rooms x $((clients / rooms))'})" "$result")
        echo "$result"
        points+=("$result")
        stop_node
    done
done

python3 - "${points[@]}" <<'PY'
import json, sys
points = [json.loads(p) for p in sys.argv[1:]]
def row(p, first):
    return (f"| {first} | {p['kind']} | {p['deliveries_per_second']:,.0f} | {p['server_cpu_us_per_delivery']:.2f} µs | "
            f"{p['latency_ms']['p99']} ms | {p['lost']:.0f} | {'yes' if p['bench_limited'] else 'no'} |")
print("| idle connections | node | deliveries/s | CPU per delivery | p99 | lost | bench limited | RSS per idle connection |")
print("|---|---|---|---|---|---|---|---|")
for p in points:
    if 'idle' in p:
        print(row(p, f"{p['idle']:,}") + f" {p['idle_rss_bytes_per_connection']:,} B |")
print()
print("| shape (rooms x members) | node | deliveries/s | CPU per delivery | p99 | lost | bench limited |")
print("|---|---|---|---|---|---|---|")
for p in points:
    if 'shape' in p:
        print(row(p, p['shape']))
PY
