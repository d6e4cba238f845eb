#!/usr/bin/env bash
# Builds, then starts a local fleet of real processes: redis-server on 6379 (an already running one is reused)
# and three fanout-node processes on ports 9001-9003. Ctrl-C stops what it started.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"

redis_port=${REDIS_PORT:-6379}
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    echo "run: using the redis-server already on port $redis_port"
else
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
    pids+=($!)
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

for n in 1 2 3; do
    "$root/build/app/node/fanout-node" --host 127.0.0.1 --port "900$n" --node-id "node-$n" \
        --redis "redis://127.0.0.1:$redis_port" &
    pids+=($!)
done
sleep 1
cat <<EOT

A fleet of three fanout-node processes shares redis://127.0.0.1:$redis_port.
Join a room from two terminals on two different nodes and type JSON, e.g. {"text":"hi"}:
    npx wscat -c 'ws://127.0.0.1:9001/?room=lobby'
    npx wscat -c 'ws://127.0.0.1:9002/?room=lobby'
Typed protocol (many rooms per connection), see docs/protocol.md:
    npx wscat -c ws://127.0.0.1:9003/rooms      then send {"type":"join","room":"lobby"}
Watch the bus:
    redis-cli -p $redis_port PUBSUB CHANNELS 'ws:room:*'
    redis-cli -p $redis_port PUBSUB NUMSUB ws:room:lobby
    redis-cli -p $redis_port PUBLISH ws:room:lobby '{"payload":{"type":"ping"}}'
Ctrl-C stops the fleet.
EOT
wait
