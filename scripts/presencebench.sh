#!/usr/bin/env bash
# Presence benchmark (docs/performance.md, "Presence"): a redis-server and 3 fanout-node on free
# loopback ports, N users in one room spread over the nodes, then fanout-bench's presence mode:
# the presence query's round trip, and the Redis commands that presence refresh costs while the
# connections sit idle (the nodes run with a short --presence-ttl, so a window of a few seconds
# holds several refreshes). Prints fanout-bench's JSON line.
# Usage: scripts/presencebench.sh [--users N] [--ttl S] [--seconds S] [--queries Q] [--typed]
#   --typed: every user a typed client (auth with its userId, then join), on nodes without a token
#            secret; by default users present signed tokens and all but the askers use room mode.
# Build first (the dev preset's build/, or FANOUT_BUILD=build-release).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
users=10000; ttl=3; seconds=10; queries=200; typed=0
while [ $# -gt 0 ]; do
    case $1 in
        --users) users=$2; shift 2 ;;
        --ttl) ttl=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --queries) queries=$2; shift 2 ;;
        --typed) typed=1; shift ;;
        *) echo "presencebench: unknown argument $1 (--users N, --ttl S, --seconds S, --queries Q, --typed)" >&2; exit 2 ;;
    esac
done
build=$root/${FANOUT_BUILD:-build}
bench=$build/app/bench/fanout-bench
node=$build/app/node/fanout-node
for binary in "$bench" "$node"; do
    [ -x "$binary" ] || { echo "presencebench: $binary is not built" >&2; exit 1; }
done

# Every node holds a third of the connections, the bench all of them: one descriptor each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((users + 100)) ]; then
    echo "presencebench: $users connections need more open files than the hard limit $(ulimit -Hn)" >&2
    exit 1
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
pids+=($!)
redis_pid=$!
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

secret=()
[ $typed = 0 ] && secret=(--token-secret "presencebench-$RANDOM$RANDOM")
urls=""; node_pids=""
for n in 1 2 3; do
    port=$(free_port)
    "$node" --host 127.0.0.1 --port "$port" --node-id "presence-$n" --redis "redis://127.0.0.1:$redis_port" \
        --presence-ttl "$ttl" "${secret[@]}" >/dev/null 2>&1 &
    pids+=($!)
    node_pids+="$!,"
    urls+="ws://127.0.0.1:$port,"
done
urls=${urls%,}
for url in ${urls//,/ }; do
    port=${url##*:}
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
done

"$bench" --urls "$urls" --presence-users "$users" --presence-queries "$queries" --presence-ttl "$ttl" \
    --seconds "$seconds" --redis "redis://127.0.0.1:$redis_port" --pids "$node_pids$redis_pid" \
    "${secret[@]}" --label "presence-$users"
