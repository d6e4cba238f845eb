#!/usr/bin/env bash
# Formats every C++ file with .clang-format; --check only reports files that differ (exit 1).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--check" ]; then
    exec clang-format --dry-run -Werror "${files[@]}"
fi
clang-format -i "${files[@]}"
