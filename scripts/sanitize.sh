#!/usr/bin/env bash
# The test suite under the sanitizers (docs/reliability.md), each pass in its own build folder:
#   1. asan-ubsan (build-asan/): every test under AddressSanitizer, LeakSanitizer and
#      UndefinedBehaviorSanitizer;
#   2. tsan (build-tsan/): under ThreadSanitizer, the tests that run our code on more than one
#      thread in one process: the studio's engine thread (studio, inspectorwindow's File > Attach,
#      studioflow, clients, lesson, sim, delivery), fanout-node's I/O threads and fanout-bench's
#      client threads (fleet, operations), and the rows of tst_broker and tst_brokerstorage that
#      serve brokers through a BrokerHub on another thread ("threaded").
# Any report fails the run, in the test process or in a fanout-node or fanout-studio it started:
# every process writes its reports to build-*/sanitizer-reports/, which must stay empty.
# Suppressions (tests/sanitizers/) name single frames of Qt, each with its reason.
# Prints how long each pass took. SANITIZE_PASSES="asan tsan" picks passes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" --install-only
export QT_QPA_PLATFORM=offscreen
suppressions="$root/tests/sanitizers"
tsan_tests='^(studio|inspectorwindow|studioflow|clients|lesson|sim|delivery|fleet|operations)$'
summary=()
failures=()

seconds_since() { echo $(($(date +%s) - $1)); }

# Fails when a process left a report, printing them.
check_reports() {
    local dir=$1
    if compgen -G "$dir/*" >/dev/null; then
        echo "sanitize: reports in $dir:" >&2
        for report in "$dir"/*; do
            echo "---- $report" >&2
            head -n 80 "$report" >&2
        done
        failures+=("reports in $dir: $(grep -h 'SUMMARY:' "$dir"/* | head -n 20 || true)")
        return 1
    fi
}

# The threaded rows of a Broker suite from its -datatags lines, as testfunction:tag arguments.
threaded_broker_rows() {
    awk '$3 ~ /^threaded/ { row = $0; sub(/^[^ ]+ [^ ]+ /, "", row); print $2 ":" row }'
}

# Runs one Broker suite's threaded rows, its log also in $build/<suite>-threaded-rows.txt.
run_threaded_rows() {
    local build=$1 suite=$2 rows
    mapfile -t rows < <(TSAN_OPTIONS= "$build/tests/$suite" -datatags | threaded_broker_rows)
    echo "sanitize: $suite, ${#rows[@]} threaded rows"
    # No rows would run the whole suite, cluster rows included: a renamed row fails instead.
    if ((${#rows[@]} == 0)); then
        failed=1
        failures+=("$suite: no threaded rows found (renamed rows, or -datatags failed)")
        return
    fi
    "$build/tests/$suite" "${rows[@]}" -o "$build/$suite-threaded-rows.txt,txt" -o -,txt \
        || { failed=1; failures+=("$("$root/scripts/failed-rows.sh" "$build/$suite-threaded-rows.txt")"); }
}

asan_pass() {
    local build="$root/build-asan" started
    started=$(date +%s)
    (cd "$root" && cmake --preset asan-ubsan >/dev/null)
    cmake --build "$build"
    summary+=("asan-ubsan build: $(seconds_since "$started") s")
    rm -rf "$build/sanitizer-reports" && mkdir -p "$build/sanitizer-reports"
    started=$(date +%s)
    ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:log_path=$build/sanitizer-reports/asan" \
    LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$build/sanitizer-reports/ubsan" \
        ctest --test-dir "$build" --output-on-failure --timeout 900 || { failed=1; failures+=("$("$root/scripts/failed-rows.sh" "$build")"); }
    check_reports "$build/sanitizer-reports" || failed=1
    summary+=("asan-ubsan tests (all): $(seconds_since "$started") s")
}

tsan_pass() {
    local build="$root/build-tsan" started
    started=$(date +%s)
    (cd "$root" && cmake --preset tsan >/dev/null)
    cmake --build "$build" --target tst_studio tst_inspectorwindow tst_studioflow tst_clients tst_lesson tst_sim tst_delivery tst_fleet \
        tst_operations tst_broker tst_brokerstorage
    summary+=("tsan build: $(seconds_since "$started") s")
    rm -rf "$build/sanitizer-reports" && mkdir -p "$build/sanitizer-reports"
    started=$(date +%s)
    # ignore_noninstrumented_modules: Qt's and glib's own allocations and copies are not ours to
    # check (tsan.supp says why); die_after_fork=0: QProcess's child execs at once; history_size:
    # old enough stacks to match the suppressions against.
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:die_after_fork=0:history_size=7:suppressions=$suppressions/tsan.supp:log_path=$build/sanitizer-reports/tsan"
    ctest --test-dir "$build" --output-on-failure --timeout 900 -R "$tsan_tests" || { failed=1; failures+=("$("$root/scripts/failed-rows.sh" "$build")"); }
    run_threaded_rows "$build" tst_broker
    run_threaded_rows "$build" tst_brokerstorage
    unset TSAN_OPTIONS
    check_reports "$build/sanitizer-reports" || failed=1
    summary+=("tsan tests ($tsan_tests and the Broker suites' threaded rows): $(seconds_since "$started") s")
}

failed=0
for pass in ${SANITIZE_PASSES:-asan tsan}; do
    "${pass}_pass"
done
printf 'sanitize: %s\n' "${summary[@]}"
if ((${#failures[@]})); then
    echo 'sanitize: failed rows:'
    printf '%s\n' "${failures[@]}"
fi
exit $failed
