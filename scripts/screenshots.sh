#!/usr/bin/env bash
# Regenerates the README's screenshots in docs/images/ (offscreen, no display needed).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
export QT_QPA_PLATFORM=offscreen
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
export XDG_CONFIG_HOME=$config   # default layout, whatever the user's saved window state
mkdir -p "$root/docs/images"
shoot() { "$root/build/app/studio/fanout-studio" --screenshot "$root/docs/images/$1.png" --scenario "$1" --seconds "$2" 2>/dev/null; }
shoot basics 4
shoot node-failure 5
shoot redis-outage 4.5
shoot amplification 4
shoot durable-vs-fireforget 11
shoot users-presence 4.5
echo "screenshots written to docs/images/"
