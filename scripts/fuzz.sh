#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (fuzz preset: clang, ASan and UBSan, build-fuzz/) and
# runs each for FUZZ_SECONDS (default 30) on a copy of its seed corpus in build-fuzz/corpus/, so
# the repository's seeds stay as they are while the copy grows from run to run. Any crash, leak,
# sanitizer report or broken promise of a target fails it: the input is printed and kept in
# build-fuzz/crashes/<target>/. Arguments name targets (default: all of fuzz/corpus/).
# --save-corpus merges into fuzz/corpus/<target>/ the inputs of the grown copy that reach
# coverage the seeds do not (libFuzzer's -merge=1), so that CI's short runs start from there.
#   FUZZ_SECONDS=300 ./scripts/fuzz.sh envelope
#   FUZZ_SECONDS=600 ./scripts/fuzz.sh --save-corpus
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
build="$root/build-fuzz"
save_corpus=0
if [ "${1:-}" = "--save-corpus" ]; then
    save_corpus=1
    shift
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cd "$root/fuzz/corpus" && ls)
fi

"$root/scripts/setup.sh" --install-only
started=$(date +%s)
(cd "$root" && cmake --preset fuzz >/dev/null)
cmake --build "$build"
echo "fuzz: build took $(($(date +%s) - started)) s"

# Reports stop the run; leaks are reported at exit of each input's process, which is the fuzzer.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH="$symbolizer"
export QT_QPA_PLATFORM=offscreen

failed=()
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    crashes="$build/crashes/$target"
    log="$build/logs/$target.log"
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    cp -r "$root/fuzz/corpus/$target/." "$corpus/"
    begin=$(date +%s)
    # -timeout: an input that takes 10 s is a hang, and a finding.
    if "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
        echo "fuzz: $target: $runs inputs in $(($(date +%s) - begin)) s, $coverage, corpus $(ls "$corpus" | wc -l) files, no finding"
        if [ $save_corpus = 1 ]; then
            "$build/fuzz/fuzz_$target" -merge=1 "$root/fuzz/corpus/$target" "$corpus" >>"$log" 2>&1
            echo "fuzz: $target: fuzz/corpus/$target now $(ls "$root/fuzz/corpus/$target" | wc -l) files"
        fi
    else
        failed+=("$target")
        echo "fuzz: $target FAILED after $(($(date +%s) - begin)) s; the report:"
        # From just before the first report (a broken promise prints its line before the abort).
        first=$(grep -n -m1 -E 'runtime error|==[0-9]+== ?ERROR' "$log" | cut -d: -f1)
        sed -n "$((${first:-4} > 3 ? ${first:-4} - 3 : 1)),+30p" "$log"
        echo "fuzz: reproduce with: $build/fuzz/fuzz_$target $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
        echo "fuzz: the whole log: $log"
    fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, $(($(date +%s) - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: findings in ${failed[*]}" >&2
    exit 1
fi
