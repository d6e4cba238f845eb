#!/usr/bin/env bash
# Prints the failed test rows of a build folder's last ctest run. CI shows only the head and the
# tail of a long log, so test.sh and sanitize.sh name the failures again at the end of their run.
log="$1/Testing/Temporary/LastTest.log"
[[ -f $log ]] && grep -A4 -E '^(FAIL!|QFATAL)' "$log" | head -n 60
exit 0
