# Shared by the benchmark scripts (sourced): the build, the reference node of the seed's Node.js
# design installed under build/, free ports, a redis-server, and a node of either kind.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/build/app/bench/fanout-bench
reference=$root/build/reference-peer
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ../shared is read-only: the reference's dependencies go into a copy under build/.
prepare_reference() {
    local peers=${FANOUT_PEERS:-$root/../shared/peers}
    [ -f "$peers/seed001-node.mjs" ] || { echo "bench: the reference node is not at $peers (set FANOUT_PEERS)" >&2; exit 1; }
    command -v node >/dev/null || { echo "bench: node (Node.js) is needed for the reference" >&2; exit 1; }
    if [ ! -d "$reference/node_modules" ] || ! cmp -s "$peers/package-lock.json" "$reference/package-lock.json"; then
        rm -rf "$reference" && mkdir -p "$reference"
        cp "$peers"/package.json "$peers"/package-lock.json "$peers"/seed001-node.mjs "$reference/"
        (cd "$reference" && npm ci --silent --no-audit --no-fund)
    fi
}

start_redis() { # -> redis_port, redis_pid
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
    redis_pid=$!
    pids+=("$redis_pid")
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
}

wait_listening() { # port
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done
}

start_node() { # kind (ours, history, reference) port id -> node_pid
    if [ "$1" = reference ]; then
        (cd "$reference" && PORT=$2 REDIS_URL=redis://127.0.0.1:$redis_port NODE_ID=$3 \
            exec node seed001-node.mjs >/dev/null 2>&1) &
    else
        # FANOUT_NODE_ARGS: more options for our nodes, e.g. "--threads 1".
        local extra=(${FANOUT_NODE_ARGS:-}); [ "$1" = history ] && extra+=(--history-size 10000)
        "$root/build/app/node/fanout-node" --host 127.0.0.1 --port "$2" --node-id "$3" \
            --redis "redis://127.0.0.1:$redis_port" "${extra[@]}" >/dev/null 2>&1 &
    fi
    node_pid=$!
    pids+=("$node_pid")
}

json() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$3"; }
