#!/usr/bin/env bash
# Side-by-side benchmark (docs/performance.md): a fleet of 3 fanout-node and a fleet of 3 nodes of
# the seed's Node.js design (../shared/peers) on one redis-server, the same load on both in the
# same run, then the ratios ours/reference. Needs Node.js and npm (for the reference's ws and
# ioredis). Usage: scripts/bench.sh [--quick]
#        scripts/bench.sh --history [--quick]: our fleet in pub/sub mode and with --history-size
#        (rooms with history), same load, same run, then the ratios history/pub-sub.
set -euo pipefail
quick=0; history=0
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        --history) history=1 ;;
        *) echo "bench: unknown argument $arg (--quick, --history)" >&2; exit 2 ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"
# Three nodes share this machine's cores with Redis and the bench: one I/O thread each (a node
# alone on a machine takes one per core; scripts/scalebench.sh measures both).
FANOUT_NODE_ARGS=${FANOUT_NODE_ARGS:---threads 1}
"$root/scripts/setup.sh" >/dev/null
[ $history = 1 ] || prepare_reference
ulimit -n 20000 2>/dev/null || true
start_redis

start_fleet() { # kind -> sets fleet_urls, fleet_pids
    fleet_urls=""; fleet_pids=""
    local port n
    for n in 1 2 3; do
        port=$(free_port)
        start_node "$1" "$port" "$1-$n"
        fleet_pids+="$node_pid,"
        fleet_urls+="ws://127.0.0.1:$port,"
    done
    fleet_urls=${fleet_urls%,}; fleet_pids=${fleet_pids%,}
    for url in ${fleet_urls//,/ }; do wait_listening "${url##*:}"; done
    sleep 0.5
}
stop_fleet() { for pid in ${fleet_pids//,/ }; do kill "$pid" 2>/dev/null || true; done; sleep 0.5; }

seconds=10; [ $quick = 1 ] && seconds=2
load="--clients 300 --rooms 30 --senders 30 --payload 64"

if [ $history = 1 ]; then
    declare -A mode
    for kind in ours history; do
        start_fleet "$kind"
        # Redis's CPU counts too: with history it runs a script per message.
        mode[$kind]=$("$bench" --urls "$fleet_urls" $load --rate 3000 --seconds "$seconds" --pids "$fleet_pids,$redis_pid" --label "$kind")
        echo "${mode[$kind]}"
        stop_fleet
    done
    python3 - "${mode[ours]}" "${mode[history]}" <<'PY'
import json, sys
pubsub, history = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def ratio(a, b): return a / b if b else float('nan')
print(json.dumps({
    "nodes_per_publish": {"pubsub": round(pubsub["nodes_per_publish"], 2), "history": round(history["nodes_per_publish"], 2)},
    "cpu_per_delivery_us": {"pubsub": round(pubsub["server_cpu_us_per_delivery"], 2), "history": round(history["server_cpu_us_per_delivery"], 2),
                            "ratio": round(ratio(history["server_cpu_us_per_delivery"], pubsub["server_cpu_us_per_delivery"]), 3), "goal": "<= 1.5"},
    "p99_ms": {"pubsub": pubsub["latency_ms"]["p99"], "history": history["latency_ms"]["p99"],
               "ratio": round(ratio(history["latency_ms"]["p99"], pubsub["latency_ms"]["p99"]), 3), "goal": "<= 2"},
    "lost": {"pubsub": pubsub["lost"], "history": history["lost"]},
}))
PY
    exit 0
fi

# A human line for a run's JSON: the figures with the amplification beside them.
describe() {
    python3 - "$1" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
line = (f"{d['sent_per_second']:.0f} publishes/s x {d['nodes_per_publish']:.2f} nodes per publish -> "
        f"{d['deliveries_per_second']:.0f} deliveries/s ({d['threads']} bench thread{'s' if d['threads'] > 1 else ''}), "
        f"lost {d['lost']:.0f}, duplicates {d['duplicates']:.0f}, disconnected {d['disconnected']}, "
        f"p99 {d['latency_ms']['p99']} ms, server CPU {d.get('server_cpu_us_per_delivery', float('nan')):.2f} µs per delivery; "
        f"bench busy {100 * d['bench_thread_busy_max']:.0f} %, loop late {d['bench_loop_lag_ms']['p99']} ms at p99")
print(line + (f"; BENCH LIMITED: {d['bench_limit']}" if d['bench_limited'] else ""))
PY
}

# The ramp: no upper cap. The rate grows by half each step (doubles with --quick) until the fleet
# loses a message (lost, duplicated, or a client cut off) or fanout-bench says it could not keep
# up (bench_limited: it did not send the rate, a client thread was saturated, or its event loops
# ran late), then the gap between the last clean rate and the first failing one is halved a few
# times. When the bench is the limit its clients are spread over one more thread, up to one per
# core, and the step runs again; a limit that remains is reported as the bench's, so the highest
# rate found is then a lower bound for the fleet, never a false limit of it.
max_threads=$(nproc)
try_rate() { # kind rate -> sets verdict (ok, lost, bench, error), why, result; may raise threads
    while :; do
        if ! result=$("$bench" --urls "$fleet_urls" $load --rate "$2" --seconds "$step" --threads "$threads" \
            --pids "$fleet_pids" --label "$1-ramp"); then
            verdict=error; why="fanout-bench failed at $2/s"; return
        fi
        echo "  ramp $2/s: $(describe "$result")" >&2
        verdict=$(json d "'bench' if d['bench_limited'] else 'lost' if d['lost'] or d['duplicates'] or d['disconnected'] else 'ok'" "$result")
        case $verdict in
            lost) why="$1 lost messages at $2/s" ;;
            bench)
                why="the bench could not keep up at $2/s with $threads thread(s): $(json d "d['bench_limit']" "$result")"
                if [ "$threads" -lt "$max_threads" ]; then
                    threads=$((threads + 1))
                    echo "  $why; again with $threads threads" >&2
                    continue
                fi ;;
        esac
        return
    done
}
ramp() { # kind -> sets ramp_best (deliveries/s), ramp_stop (why it stopped)
    local rate=6000 good=0 bad=0 grow=1.5 halvings=3 i mid
    step=3; threads=1
    [ $quick = 1 ] && { step=1; grow=2; halvings=0; }
    ramp_best=0
    while :; do
        try_rate "$1" "$rate"
        if [ "$verdict" != ok ]; then bad=$rate; ramp_stop=$why; break; fi
        good=$rate; ramp_best=$(json d "round(d['deliveries_per_second'])" "$result")
        rate=$(python3 -c "print(int(round($rate * $grow, -3)))")
    done
    for ((i = 0; i < halvings && good > 0; i++)); do
        mid=$(( (good + bad) / 2 / 500 * 500 ))
        [ "$mid" -gt "$good" ] || break
        try_rate "$1" "$mid"
        if [ "$verdict" = ok ]; then
            good=$mid; ramp_best=$(json d "round(d['deliveries_per_second'])" "$result")
        else
            bad=$mid; ramp_stop=$why
        fi
    done
    echo "  $1: highest lossless rate $ramp_best deliveries/s ($good publishes/s); stopped by: $ramp_stop" >&2
}

declare -A line lossless stopped idle
for kind in ours reference; do
    start_fleet "$kind"
    line[$kind]=$("$bench" --urls "$fleet_urls" $load --rate 3000 --seconds "$seconds" --pids "$fleet_pids" --label "$kind")
    echo "${line[$kind]}"
    echo "  $kind at 3000/s: $(describe "${line[$kind]}")" >&2
    ramp "$kind"
    lossless[$kind]=$ramp_best
    stopped[$kind]=$ramp_stop
    stop_fleet
    start_fleet "$kind"
    connections=10000; [ $quick = 1 ] && connections=1000
    idle[$kind]=$("$bench" --urls "${fleet_urls%%,*}" --idle "$connections" --seconds 2 --pids "${fleet_pids%%,*}" --label "$kind-idle")
    echo "${idle[$kind]}"
    stop_fleet
done

python3 - "${line[ours]}" "${line[reference]}" "${lossless[ours]}" "${lossless[reference]}" "${idle[ours]}" "${idle[reference]}" \
    "${stopped[ours]}" "${stopped[reference]}" <<'PY'
import json, sys
ours, ref = json.loads(sys.argv[1]), json.loads(sys.argv[2])
lossless_ours, lossless_ref = float(sys.argv[3]), float(sys.argv[4])
idle_ours, idle_ref = json.loads(sys.argv[5]), json.loads(sys.argv[6])
def ratio(a, b): return a / b if b else float('nan')
print(json.dumps({
    "nodes_per_publish": {"ours": round(ours["nodes_per_publish"], 2), "reference": round(ref["nodes_per_publish"], 2)},
    "cpu_per_delivery_us": {"ours": round(ours["server_cpu_us_per_delivery"], 2), "reference": round(ref["server_cpu_us_per_delivery"], 2),
                            "ratio": round(ratio(ours["server_cpu_us_per_delivery"], ref["server_cpu_us_per_delivery"]), 3), "goal": "<= 0.333"},
    "p99_ms": {"ours": ours["latency_ms"]["p99"], "reference": ref["latency_ms"]["p99"],
               "ratio": round(ratio(ours["latency_ms"]["p99"], ref["latency_ms"]["p99"]), 3), "goal": "<= 0.5"},
    "lossless_deliveries_per_second": {"ours": lossless_ours, "reference": lossless_ref,
                                       "ratio": round(ratio(lossless_ours, lossless_ref), 3), "goal": ">= 3",
                                       "ours_stopped_by": sys.argv[7], "reference_stopped_by": sys.argv[8]},
    "idle_bytes_per_connection": {"ours": round(idle_ours.get("bytes_per_connection", float('nan'))), "reference": round(idle_ref.get("bytes_per_connection", float('nan'))),
                                  "ratio": round(ratio(idle_ours.get("bytes_per_connection", 0), idle_ref.get("bytes_per_connection", 0)), 3), "goal": "<= 1"},
}))
PY
