#!/usr/bin/env bash
# Builds everything and runs the whole test suite (CTest, offscreen, real redis-server).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
export QT_QPA_PLATFORM=offscreen
if ! ctest --test-dir "$root/build" --output-on-failure --timeout 300 "$@"; then
    echo "test: failed rows:"
    "$root/scripts/failed-rows.sh" "$root/build"
    exit 1
fi
