#!/usr/bin/env bash
# Builds one barcoded plugin project, in Rust, Python or JavaScript, to a
# WebAssembly component: `build.sh [PROJECT] [-o OUT.wasm]`.
#
#   Rust        a Cargo.toml with crate-type = ["cdylib"]
#   Python      a plugin.py defining one plugin class (componentize-py)
#   JavaScript  a package.json and plugin.js whose default export is the
#               plugin (componentize-qjs, QuickJS)
#
# The toolchain is set up on first use: componentize-py from PyPI,
# componentize-qjs from npm, and for Rust either the rustup target
# wasm32-wasip2 or, where it cannot be downloaded, Debian's rustc-web.
# `barcoded plugin build` runs this script with the WIT and SDKs that
# barcoded embeds; set BARCODED_WIT (a folder with plugin.wit) and
# BARCODED_SDK (a folder with python/ and js/) to use others. An SDK copy
# inside the project (barcoded_plugin/ or barcoded-plugin/) is used first.
set -euo pipefail

COMPONENTIZE_PY_VERSION=0.25.1
COMPONENTIZE_QJS_VERSION=0.4.5
fallback_toolchain="barcoded-wasip2"
fallback_packages=(rustc-web cargo-web rust-web-src wasi-libc)
work="" # the build folder of a Python or JavaScript plugin, removed on exit
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

say() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

has_rustup_target() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2
}

install_fallback_packages() {
    if dpkg -s "${fallback_packages[@]}" >/dev/null 2>&1; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        die "the wasm32-wasip2 rustup target is missing and so are Debian's
       ${fallback_packages[*]}. Either run 'rustup target add wasm32-wasip2'
       or, as root: apt-get install ${fallback_packages[*]}"
    fi
    say "installing the wasm32-wasip2 fallback toolchain: ${fallback_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${fallback_packages[@]}" >/dev/null
}

# `cargo build --release --target wasm32-wasip2 ARGS...`, with the rustup
# target when it is installed and Debian's rustc-web (building std from
# source against Debian's wasi-libc) when it is not.
cargo_wasip2() {
    if has_rustup_target; then
        cargo build --release --target wasm32-wasip2 "$@"
        return
    fi
    install_fallback_packages
    if ! rustup toolchain list | grep -q "^$fallback_toolchain"; then
        rustup toolchain link "$fallback_toolchain" /usr
    fi
    # rustc-web links with wasm-component-ld, which ships with rustup's host toolchain.
    local linker_dir
    linker_dir="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
    PATH="$linker_dir:$PATH" RUSTC_BOOTSTRAP=1 RUSTFLAGS="-L /usr/lib/wasm32-wasi" \
        cargo "+$fallback_toolchain" build --release --target wasm32-wasip2 \
        -Zbuild-std=std,panic_abort "$@"
}

build_rust() {
    local project="$1" out="$2" name target
    grep -q 'cdylib' "$project/Cargo.toml" ||
        die "$project/Cargo.toml needs crate-type = [\"cdylib\"] under [lib]: without it cargo
       makes no component"
    name="$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$project/Cargo.toml" | head -n1 | tr - _)"
    target="${CARGO_TARGET_DIR:-$project/target}"
    CARGO_TARGET_DIR="$target" cargo_wasip2 --manifest-path "$project/Cargo.toml"
    cp "$target/wasm32-wasip2/release/$name.wasm" "$out"
}

sdk_dir() { # $1 project, $2 folder name inside a project, $3 folder of BARCODED_SDK
    if [ -d "$1/$2" ]; then
        echo "$1/$2"
    elif [ -n "${BARCODED_SDK:-}" ] && [ -d "$BARCODED_SDK/$3" ]; then
        echo "$BARCODED_SDK/$3"
    else
        die "no SDK: put $2/ in the project, or set BARCODED_SDK (barcoded plugin build does)"
    fi
}

wit_dir() {
    if [ -n "${BARCODED_WIT:-}" ]; then
        echo "$BARCODED_WIT"
    elif [ -f "$1/wit/plugin.wit" ]; then
        echo "$1/wit"
    else
        die "no WIT: put wit/plugin.wit in the project, or set BARCODED_WIT"
    fi
}

# Installs componentize-py at the pinned version if it is not there.
python_toolchain() {
    if [ "$(componentize-py --version 2>/dev/null | awk '{print $2}')" != "$COMPONENTIZE_PY_VERSION" ]; then
        say "installing componentize-py $COMPONENTIZE_PY_VERSION from PyPI"
        python3 -m pip install --quiet --disable-pip-version-check "componentize-py==$COMPONENTIZE_PY_VERSION"
    fi
}

build_python() {
    local project="$1" out="$2" sdk wit
    python_toolchain
    wit="$(wit_dir "$project")"
    # The SDK is the package barcoded_plugin: in the project, or in BARCODED_SDK/python.
    sdk="$project"
    [ -d "$project/barcoded_plugin" ] || sdk="$(dirname "$(sdk_dir "$project" barcoded_plugin python/barcoded_plugin)")"
    work="$(mktemp -d)"
    cat >"$work/barcoded_entry.py" <<'PY'
import plugin
from barcoded_plugin._entry import claims_for, decoder_for, receiving_for

Decoder = decoder_for(plugin)
Claims = claims_for(plugin)
Receiving = receiving_for(plugin)
PY
    componentize-py -d "$wit" -w plugin-with-receiving componentize barcoded_entry \
        -p "$work" -p "$project" -p "$sdk" -o "$out" >/dev/null
}

# Where componentize-qjs is installed.
js_tools() {
    echo "${BARCODED_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/barcoded}/componentize-qjs-$COMPONENTIZE_QJS_VERSION"
}

# Installs Node.js (as root) and componentize-qjs at the pinned version if
# they are not there.
js_toolchain() {
    local tools
    if ! command -v npm >/dev/null; then
        [ "$(id -u)" -eq 0 ] || die "JavaScript plugins need Node.js and npm: apt-get install nodejs npm"
        say "installing Node.js and npm (Debian's nodejs, npm)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
    tools="$(js_tools)"
    if [ ! -x "$tools/node_modules/.bin/componentize-qjs" ]; then
        say "installing componentize-qjs $COMPONENTIZE_QJS_VERSION from npm into $tools"
        mkdir -p "$tools"
        npm install --silent --no-save --no-audit --no-fund --prefix "$tools" \
            "componentize-qjs@$COMPONENTIZE_QJS_VERSION" >/dev/null
    fi
}

build_js() {
    local project="$1" out="$2" sdk wit tools
    js_toolchain
    tools="$(js_tools)"
    sdk="$(sdk_dir "$project" barcoded-plugin js)"
    wit="$(wit_dir "$project")"
    work="$(mktemp -d)"
    # The project's modules, the SDK where a bare import finds it, and one
    # WIT folder: the plugin world, the SDK's world for console, and WASI.
    (cd "$project" && find . -name '*.js' -not -path './node_modules/*' -not -path './barcoded-plugin/*' \
        -exec cp --parents {} "$work/" \;)
    mkdir -p "$work/node_modules" "$work/.wit"
    cp -r "$sdk" "$work/node_modules/barcoded-plugin"
    cp "$wit/plugin.wit" "$work/.wit/"
    cp -r "$sdk/wit/." "$work/.wit/"
    cat >"$work/barcoded-entry.js" <<'JS'
import config from "barcode:plugin/config@0.1.0";
import catalog from "barcode:plugin/catalog@0.1.0";
import stock from "barcode:plugin/stock@0.1.0";
import purchasing from "barcode:plugin/purchasing@0.1.0";
import stdout from "wasi:cli/stdout@0.2.12";
import stderr from "wasi:cli/stderr@0.2.12";
import { setHost } from "barcoded-plugin";
import { claimsFor, decoderFor, installConsole, receivingFor, witHost } from "barcoded-plugin/component";
import plugin from "./plugin.js";

installConsole(stdout, stderr);
setHost(witHost({ config, catalog, stock, purchasing }));
export const decoder = decoderFor(plugin);
export const claims = claimsFor(plugin);
export const receiving = receivingFor(plugin);
JS
    "$tools/node_modules/.bin/componentize-qjs" --wit "$work/.wit" --world plugin-js \
        --js "$work/barcoded-entry.js" --module-root "$work" --sync --opt-size -o "$out" >/dev/null
}

main() {
    local project="." out=""
    while [ $# -gt 0 ]; do
        case "$1" in
            -o) out="$2"; shift 2 ;;
            -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
            *) project="$1"; shift ;;
        esac
    done
    [ -d "$project" ] || die "$project is not a folder"
    project="$(cd "$project" && pwd)"
    [ -n "$out" ] || out="$project/plugin.wasm"
    out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
    if [ -f "$project/Cargo.toml" ]; then
        say "building the Rust plugin in $project"
        build_rust "$project" "$out"
    elif [ -f "$project/plugin.py" ]; then
        say "building the Python plugin in $project"
        build_python "$project" "$out"
    elif [ -f "$project/plugin.js" ]; then
        say "building the JavaScript plugin in $project"
        build_js "$project" "$out"
    else
        die "$project holds no plugin: expected Cargo.toml (Rust), plugin.py (Python) or
       plugin.js (JavaScript); \`barcoded plugin new NAME --lang rust|python|js\` makes one"
    fi
    say "component: $out ($(wc -c <"$out") bytes)"
}

# Sourced by guest-plugins/build.sh for cargo_wasip2; run, it builds a project.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
