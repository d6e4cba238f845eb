#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) on every source file of core/, ui/ and app/, two at a time,
# with the compile commands of build/ (run scripts/setup.sh first; clang-tidy is Debian's
# clang-tidy package). Exits non-zero on any finding.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
[ -f build/compile_commands.json ] || { echo "tidy: build/ is not configured; run scripts/setup.sh" >&2; exit 2; }
git ls-files 'core/*.cpp' 'ui/*.cpp' 'app/*.cpp' \
    | xargs -P 2 -n 4 clang-tidy -p build --quiet 2>/dev/null
