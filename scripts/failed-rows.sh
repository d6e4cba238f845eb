#!/usr/bin/env bash
# Prints the failed rows of a ctest run (given its build folder: the last run there) or of a Qt
# Test log file. CI shows only the head and the tail of a long log, so test.sh and sanitize.sh
# name the failures again at the end of their run.
source=$1
log=$source
[[ -d $source ]] && log="$source/Testing/Temporary/LastTest.log"
[[ -f $log ]] || exit 0
rows=$(grep -A4 -E '^(FAIL!|QFATAL)' "$log" | head -n 60)
if [[ -n $rows ]]; then
    echo "$rows"
else
    echo "(no FAIL! or QFATAL line in $log: a timeout, a crash or a sanitizer's exit code)"
fi
failed_tests="$source/Testing/Temporary/LastTestsFailed.log"
if [[ -d $source && -f $failed_tests ]]; then
    echo "failed tests: $(cut -d: -f2 "$failed_tests" | tr '\n' ' ')"
fi
exit 0
