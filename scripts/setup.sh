#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs (when missing), configures with CMake + Ninja
# into build/ and builds (not with --install-only). Sourced by run.sh and test.sh; safe to run on
# its own.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# nodejs and npm: tst_websocket runs the `ws` npm client (tests/wsclient). python3: the benchmark
# and chaos scripts.
packages=(cmake g++ ninja-build pkg-config clang-format qt6-base-dev libqt6opengl6-dev qt6-websockets-dev
          qt6-charts-dev qt6-httpserver-dev libhiredis-dev redis-server redis-tools openssl xvfb xauth nodejs npm
          python3)
# clang and its runtimes (libFuzzer), llvm's symbolizer: scripts/fuzz.sh.
packages+=(clang libclang-rt-14-dev llvm)
missing=()
for package in "${packages[@]}"; do
    # A Node.js from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's npm
    # package) is as good: what counts is that node and npm run.
    case $package in
        nodejs) command -v node >/dev/null && continue ;;
        npm) command -v npm >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = "--install-only" ] && exit 0
(cd "$root" && cmake --preset dev >/dev/null)
cmake --build "$root/build"
