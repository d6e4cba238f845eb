#!/usr/bin/env bash
# Regenerates the README's screenshots in docs/images/ (offscreen, no display needed).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
export QT_QPA_PLATFORM=offscreen
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
export XDG_CONFIG_HOME=$config   # default layout, whatever the user's saved window state
mkdir -p "$root/docs/images/1280x800"
# shoot SCENARIO SECONDS [SIZE FOLDER]: the window at 1600x1000 (docs/images/) or at SIZE.
shoot() {
    "$root/build/app/studio/fanout-studio" --screenshot "$root/docs/images/${4:-.}/$1.png" --scenario "$1" \
        --seconds "$2" --size "${3:-1600x1000}" 2>/dev/null
}
for size in 1600x1000 1280x800; do
    folder=.
    [ "$size" = 1600x1000 ] || folder=$size
    shoot basics 4 "$size" "$folder"
    shoot node-failure 5 "$size" "$folder"
    shoot redis-outage 4.5 "$size" "$folder"
    shoot amplification 4 "$size" "$folder"
    shoot durable-vs-fireforget 11 "$size" "$folder"
    shoot users-presence 4.5 "$size" "$folder"
done
echo "screenshots written to docs/images/ (1600x1000) and docs/images/1280x800/"
