#!/usr/bin/env bash
# Builds, then opens Fanout Studio on the in-process broker with the basics scenario running
# (no Redis needed). Arguments go to fanout-studio, e.g. --scenario node-failure.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run: no display here; opening the studio under Xvfb (xvfb-run). For a real window run" >&2
    echo "     this on a desktop, or try: build/app/studio/fanout-studio --headless --scenario basics" >&2
    exec xvfb-run -a "$root/build/app/studio/fanout-studio" "$@"
fi
exec "$root/build/app/studio/fanout-studio" "$@"
