#!/usr/bin/env bash
# Chaos run (docs/reliability.md): a redis-server, 3 fanout-node and a fanout-bench load of typed
# clients that reconnect (and resume with `since`), then faults one after the other:
#   redis_kill_1..5  SIGKILL Redis, restart it after 1-3 s (same port, its append-only file kept)
#   redis_stop       SIGSTOP Redis for 5 s, then SIGCONT
#   pubsub_kill      CLIENT KILL TYPE pubsub: every node loses its subscribe connection
#   node_kill        SIGKILL one node: its clients reconnect to the others
# once with plain pub/sub rooms and once with rooms with history (--history-size), same load.
# Prints one JSON line: per run and fault, the deliveries lost and why, and the run's totals.
# Every lost delivery is put on the fault before whose start (less 1 s, for what was in flight)
# its message was published. Exits 1 when the run with history lost or duplicated anything.
# Usage: scripts/chaos.sh [--only pubsub|history] [--seed N]
set -euo pipefail
only=""; seed=$RANDOM
while [ $# -gt 0 ]; do
    case $1 in
        --only) only=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        *) echo "chaos: unknown argument $1 (--only pubsub|history, --seed N)" >&2; exit 2 ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"
"$root/scripts/setup.sh" >/dev/null
RANDOM=$seed
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
now_ms() { date +%s%3N; }
log() { echo "chaos: $*" >&2; }

# Redis persists every write before it answers (appendfsync always), so a SIGKILL loses no
# history: what a run with history then loses is the fleet's doing.
redis_up() {
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly yes \
        --appendfsync always >/dev/null &
    redis_pid=$!
    pids+=("$redis_pid")
    for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return; sleep 0.05; done
}

fault() { # name start_ms
    echo "$2 $1" >>"$work/faults"
    log "$1"
}

inject_faults() {
    local i down start
    for i in 1 2 3 4 5; do
        down=$((RANDOM % 3 + 1))
        fault "redis_kill_$i" "$(now_ms)"
        kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
        sleep "$down"
        redis_up
        sleep 4
    done
    fault redis_stop "$(now_ms)"
    kill -STOP "$redis_pid"; sleep 5; kill -CONT "$redis_pid"
    sleep 5
    fault pubsub_kill "$(now_ms)"
    redis-cli -p "$redis_port" CLIENT KILL TYPE pubsub >/dev/null
    sleep 4
    fault node_kill "$(now_ms)"
    kill -9 "${node_pids[2]}"; wait "${node_pids[2]}" 2>/dev/null || true
    sleep 5
}

run() { # mode (pubsub or history) -> one JSON object on stdout
    local mode=$1 n port urls="" extra=()
    [ "$mode" = history ] && extra=(--history-size 100000)
    rm -rf "$work"/appendonly* "$work/faults" "$work/losses"
    redis_port=$(free_port)
    redis_up
    node_pids=()
    for n in 1 2 3; do
        port=$(free_port)
        "$root/build/app/node/fanout-node" --host 127.0.0.1 --port "$port" --node-id "chaos-$mode-$n" --threads 1 \
            --redis "redis://127.0.0.1:$redis_port" "${extra[@]}" >"$work/node-$n.log" 2>&1 &
        node_pids+=($!); pids+=($!)
        urls+="ws://127.0.0.1:$port,"
        wait_listening "$port"
    done
    # 60 clients in 6 rooms of 10, every room on every node; 12 senders at 300 publishes/s.
    "$bench" --urls "${urls%,}" --protocol typed --reconnect --loss-log "$work/losses" --clients 60 --rooms 6 \
        --senders 12 --rate 300 --payload 64 --warmup 1 --seconds 66 --label "chaos-$mode" >"$work/bench.json" &
    local bench_pid=$!
    sleep 4 # connected, settled and warmed up
    log "$mode run, seed $seed"
    inject_faults
    wait "$bench_pid"
    for pid in "${node_pids[@]}" "$redis_pid"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    python3 - "$mode" "$work/bench.json" "$work/faults" "$work/losses" <<'PY'
import json, sys
mode, bench, faults, losses = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
why_pubsub = {
    "redis_kill": "Redis lost every subscription and what was on its way; what a node published "
                  "(its parked messages included) before the other nodes had subscribed again "
                  "reached only its own members",
    "redis_stop": "Redis answered nothing for 5 s and each node's probe gave its connections up "
                  "after at most 3 s: until the nodes had subscribed again on new connections, a "
                  "message reached only its publishing node's own members",
    "pubsub_kill": "every node lost its subscribe connection: until it had subscribed again, "
                   "messages from other nodes reached none of its members",
    "node_kill": "the node's members were offline until they reconnected to another node, and "
                 "missed what was published meanwhile",
}
why_history = "nodes fill every gap from the room's stream, and resumed clients get what they missed with since"
marks = []
for line in open(faults):
    at, name = line.split()
    marks.append((int(at), name))
runs = [{"fault": name, "at_ms": at, "lost": 0, "why": {"receiver_offline": 0, "dropped": 0}} for at, name in marks]
before = {"receiver_offline": 0, "dropped": 0}
for line in open(losses):
    at, reason = line.split()
    owner = None
    for i, (start, _) in enumerate(marks):
        if int(at) >= start - 1000:
            owner = i
    target = before if owner is None else runs[owner]["why"]
    target[reason] += 1
    if owner is not None:
        runs[owner]["lost"] += 1
for run in runs:
    kind = run["fault"].rstrip("_12345")
    run["explanation"] = (why_pubsub[kind] if run["lost"] else "nothing lost") if mode == "pubsub" else why_history
keys = ["sent", "expected", "delivered", "lost", "duplicates", "unsent", "resent", "reconnects", "lost_by_reason"]
print(json.dumps({"mode": mode, "faults": runs, "lost_before_faults": before,
                  "totals": {k: bench.get(k) for k in keys}}))
PY
}

results=()
for mode in pubsub history; do
    [ -n "$only" ] && [ "$only" != "$mode" ] && continue
    run "$mode" >"$work/result-$mode"
    results+=("$(cat "$work/result-$mode")")
done
python3 - "$seed" "${results[@]}" <<'PY'
import json, sys
runs = [json.loads(r) for r in sys.argv[2:]]
print(json.dumps({"seed": int(sys.argv[1]), "runs": runs}))
history = [r for r in runs if r["mode"] == "history"]
sys.exit(1 if any(r["totals"]["lost"] or r["totals"]["duplicates"] for r in history) else 0)
PY
