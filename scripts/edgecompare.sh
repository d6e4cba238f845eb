#!/usr/bin/env bash
# Our WebSocket edge against two libraries (docs/performance.md, "Our edge against Boost.Beast and
# libwebsockets"): fanout-node without --redis (in-process broker, --threads 1) and two minimal
# fan-out servers with the same client-facing room mode, scripts/edgecompare/beastedge.cpp
# (Boost.Beast/Asio, one io_context thread) and scripts/edgecompare/lwsedge.c (libwebsockets, one
# service thread; on lws's own poll(2) loop and on its libev event library), each alone under the
# same load of fanout-bench in one run:
# - 3,000 publishes/s (300 clients, 30 rooms, 30 senders, 64-byte payloads): CPU per delivery, p99;
# - 15,000, 30,000 and 60,000 publishes/s, the bench on 2 threads: rate, CPU, p99, lost, bench_limited;
# - 10,000 idle connections: RSS growth per connection.
# The 3,000/s and idle points run twice, the servers alternating, so the noise shows.
# Prints one JSON line per point, then a markdown table. These prototypes are measurement tools:
# not in CMake, not in CI. Usage: scripts/edgecompare.sh [--quick]   (2 s points, 2,000 idle)
set -euo pipefail
quick=0
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        *) echo "edgecompare: unknown argument $arg (--quick)" >&2; exit 2 ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"
trap 'exit 130' INT
trap 'exit 143' TERM
"$root/scripts/setup.sh" >/dev/null

packages=(libboost-dev libwebsockets-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "edgecompare: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The same optimisation as the project's build (RelWithDebInfo: -O2 -DNDEBUG).
out=$root/build/edgecompare
src=$root/scripts/edgecompare
mkdir -p "$out"
g++ -std=c++20 -O2 -DNDEBUG -Wall -Wextra -o "$out/beastedge" "$src/beastedge.cpp" -pthread
# shellcheck disable=SC2046
gcc -std=c11 -O2 -DNDEBUG -Wall -Wextra -o "$out/lwsedge" "$src/lwsedge.c" $(pkg-config --cflags --libs libwebsockets)

ulimit -n "$(ulimit -Hn)"
seconds=10; high_seconds=5; idle=10000; rounds=2; high_rates="15000 30000 60000"
[ $quick = 1 ] && { seconds=2; high_seconds=2; idle=2000; }
load=(--clients 300 --rooms 30 --senders 30 --payload 64)

start_server() { # kind -> port, server_pid
    port=$(free_port)
    case $1 in
        ours) "$root/build/app/node/fanout-node" --host 127.0.0.1 --port "$port" --threads 1 --node-id edgecompare \
                  >/dev/null 2>&1 & ;;
        beast) "$out/beastedge" "$port" >/dev/null 2>&1 & ;;
        lws) "$out/lwsedge" "$port" >/dev/null 2>&1 & ;;
        lws-ev) "$out/lwsedge" "$port" ev >/dev/null 2>&1 & ;;
    esac
    server_pid=$!
    pids+=("$server_pid")
    wait_listening "$port"
    sleep 0.5
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; sleep 0.5; }

points=()
point() { # kind point-name fanout-bench-arguments...
    local kind=$1 name=$2 result
    shift 2
    result=$("$bench" "$@" --pids "$server_pid" --label "$kind-$name")
    result=$(json d "json.dumps({**d, 'server': '$kind', 'point': '$name'})" "$result")
    echo "$result"
    points+=("$result")
}

for round in $(seq "$rounds"); do
    for kind in ours beast lws lws-ev; do
        start_server "$kind"
        point "$kind" "rate-3000-run-$round" --urls "ws://127.0.0.1:$port" "${load[@]}" --rate 3000 --seconds "$seconds"
        if [ "$round" = 1 ]; then
            for rate in $high_rates; do
                point "$kind" "rate-$rate" --urls "ws://127.0.0.1:$port" "${load[@]}" --rate "$rate" --seconds "$high_seconds" --threads 2
            done
        fi
        stop_server
        start_server "$kind"
        point "$kind" "idle-run-$round" --urls "ws://127.0.0.1:$port" --idle "$idle" --seconds 2
        stop_server
    done
done

python3 - "$rounds" "$high_rates" "$idle" "${points[@]}" <<'PY'
import json, sys
rounds, rates, idle = int(sys.argv[1]), sys.argv[2].split(), int(sys.argv[3])
points = {(p['server'], p['point']): p for p in map(json.loads, sys.argv[4:])}
servers = [('ours', 'fanout-node (in-process broker, `--threads 1`)'), ('beast', 'Boost.Beast 1.74'),
           ('lws', 'libwebsockets 4.1 (its poll loop)'), ('lws-ev', 'libwebsockets 4.1 on libev')]
def cells(fmt):
    return ' | '.join(fmt(s) for s, _ in servers)
def runs(server, prefix, fmt):
    return ', '.join(fmt(points[(server, f'{prefix}-run-{r}')]) for r in range(1, rounds + 1))
print('| | ' + ' | '.join(title for _, title in servers) + ' |')
print('|---|' + '---|' * len(servers))
print(f'| CPU per delivery at 3,000 publishes/s ({rounds} runs) | '
      + cells(lambda s: runs(s, 'rate-3000', lambda p: f"{p['server_cpu_us_per_delivery']:.2f} µs")) + ' |')
print(f'| p99 at 3,000 publishes/s | ' + cells(lambda s: runs(s, 'rate-3000', lambda p: f"{p['latency_ms']['p99']:.2f} ms")) + ' |')
print(f'| lost at 3,000 publishes/s | ' + cells(lambda s: runs(s, 'rate-3000', lambda p: f"{p['lost']:.0f}")) + ' |')
print(f'| idle memory per connection ({idle:,} idle) | '
      + cells(lambda s: runs(s, 'idle', lambda p: f"{p.get('bytes_per_connection', float('nan')):,.0f} B")) + ' |')
for rate in rates:
    def high(s):
        p = points[(s, f'rate-{rate}')]
        busy = p['server_cpu_seconds'] / (p['seconds'] + p['drain_ms'] / 1000)
        text = (f"{p['deliveries_per_second']:,.0f}/s, {p['server_cpu_us_per_delivery']:.2f} µs, {busy:.0%} of a core, "
                f"p99 {p['latency_ms']['p99']:,.1f} ms, lost {p['lost']:.0f}")
        if p['disconnected']:
            text += f", {p['disconnected']} cut off"
        return text + (', bench limited' if p['bench_limited'] else '')
    print(f'| {int(rate):,} publishes/s (bench on 2 threads): deliveries, CPU per delivery, server CPU, p99, lost | '
          + cells(high) + ' |')
PY
