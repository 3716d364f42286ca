# barcoded: run `just` to list recipes.

# One target folder for the host crates and the wasm32-wasip2 guests.
export CARGO_TARGET_DIR := justfile_directory() / "target"

components := CARGO_TARGET_DIR / "wasm32-wasip2/release"

# List the recipes.
default:
    @just --list

# Build the example plugins to wasm32-wasip2 components (sets up the toolchain if needed).
guests:
    guest-plugins/build.sh

# Build everything and serve on http://127.0.0.1:8080 with the example plugins.
run: guests
    cargo build --release -p barcoded
    mkdir -p barcoded-data/plugins
    cp {{components}}/gtin.wasm barcoded-data/plugins/10-gtin.wasm
    cp {{components}}/hello.wasm barcoded-data/plugins/90-hello.wasm
    {{CARGO_TARGET_DIR}}/release/barcoded serve --data-dir barcoded-data

# Run every test: unit, doc and end-to-end tests of the host, SDK and plugins.
test: guests
    cargo test --workspace
    cargo test --manifest-path guest-plugins/Cargo.toml

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all --check
    cargo fmt --manifest-path guest-plugins/Cargo.toml --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo clippy --manifest-path guest-plugins/Cargo.toml --all-targets -- -D warnings
