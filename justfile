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

barcoded := CARGO_TARGET_DIR / "release/barcoded"

# Build everything and serve the demo catalog with the example plugins on http://127.0.0.1:8080.
run: guests
    cargo build --release -p barcoded
    {{barcoded}} --data-dir barcoded-data plugin install {{components}}/gtin.wasm --upgrade --priority 10
    {{barcoded}} --data-dir barcoded-data plugin install {{components}}/gs1.wasm --upgrade --priority 20
    {{barcoded}} --data-dir barcoded-data plugin install {{components}}/ecia.wasm --upgrade --priority 30
    {{barcoded}} --data-dir barcoded-data plugin install {{components}}/native_qr.wasm --name native-qr --priority 40
    {{barcoded}} --data-dir barcoded-data plugin install {{components}}/kanban.wasm --upgrade --priority 50
    {{barcoded}} --data-dir barcoded-data plugin grant kanban stock-write
    {{barcoded}} --data-dir barcoded-data plugin install {{components}}/hello.wasm --upgrade --priority 90
    test -s barcoded-data/demo.key || (umask 077 && {{barcoded}} --data-dir barcoded-data key create --name "demo-$(date +%s)" --role admin > barcoded-data/demo.key)
    @echo 'Demo API key in barcoded-data/demo.key. Try:'
    @echo '  curl -H "Authorization: Bearer $(cat barcoded-data/demo.key)" localhost:8080/api/barcode/lookup/5410317126589'
    {{barcoded}} --data-dir barcoded-data serve --demo

# The PostgreSQL server the tests of the PostgreSQL store use (`just postgres` starts it).
postgres_url := "postgres://barcoded:barcoded@127.0.0.1:5432/postgres"

# Run every test: unit, doc and end-to-end tests of the host, SDKs and plugins (Rust, Python, JavaScript), the console in Chromium, and the end-to-end suite again on PostgreSQL with the multi-node tests.
test: guests browser postgres signing-tool
    python3 -m pip install --quiet --disable-pip-version-check inventree==0.25.0 schemathesis==4.32.5 prometheus-client==0.26.0 zxing-cpp==3.1.1 pillow==13.0.0
    cargo test --workspace
    just test-postgres
    cargo test --manifest-path guest-plugins/Cargo.toml
    for test in guest-plugins/*/test_plugin.py; do (cd "$(dirname "$test")" && PYTHONPATH=../../guest-sdk/python python3 -m unittest --quiet) || exit 1; done
    for test in guest-plugins/*/plugin.test.js; do dir="$(dirname "$test")"; mkdir -p "$dir/node_modules" && ln -sfn ../../../guest-sdk/js "$dir/node_modules/barcoded-plugin" && (cd "$dir" && node --test) || exit 1; done

# The end-to-end suite on the PostgreSQL store, with the tests that need it: several nodes on one database (tests/e2e/fleet.rs) and `store migrate` (tests/e2e/migrate.rs).
test-postgres: guests postgres
    BARCODED_TEST_POSTGRES={{postgres_url}} cargo test --workspace --test e2e -- --include-ignored

# Build the wasmsign2 CLI (crates.io, pinned) into target/tools: the signature tests check that its signatures verify here and ours verify with it.
signing-tool:
    test -x {{CARGO_TARGET_DIR}}/tools/bin/wasmsign2 || CARGO_TARGET_DIR={{CARGO_TARGET_DIR}}/tools-build cargo install wasmsign2-cli --version 0.2.8 --locked --quiet --root {{CARGO_TARGET_DIR}}/tools

# Install and start Debian's PostgreSQL, with a role `barcoded` (password `barcoded`) that may create databases and end their sessions: the tests' server, on 127.0.0.1:5432.
postgres:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ "$(id -u)" -eq 0 ]; then sudo=""; as_postgres="runuser -u postgres --"; else sudo="sudo"; as_postgres="sudo -u postgres"; fi
    if ! command -v pg_ctlcluster >/dev/null; then
        echo "==> installing postgresql (Debian's package)"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    if [ -z "$(pg_lsclusters -h)" ]; then
        $sudo pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main >/dev/null
    fi
    read -r version cluster port status _ <<< "$(pg_lsclusters -h | head -1)"
    [ "$port" = 5432 ] || { echo "the PostgreSQL cluster $version/$cluster listens on $port, not 5432" >&2; exit 1; }
    [ "$status" = online ] || $sudo pg_ctlcluster "$version" "$cluster" start
    if ! $as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'barcoded'" | grep -q 1; then
        $as_postgres psql -qc "CREATE ROLE barcoded LOGIN CREATEDB PASSWORD 'barcoded'"
    fi
    # Dropping a test database WITH (FORCE) ends its sessions, autovacuum's included.
    if ! $as_postgres psql -qtAc "SELECT pg_has_role('barcoded', 'pg_signal_backend', 'MEMBER')" | grep -q t; then
        $as_postgres psql -qc "GRANT pg_signal_backend TO barcoded"
    fi

# Install Debian's Chromium and its WebDriver (one package version, so they match) for the console's browser tests.
browser:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/chromium ]; then exit 0; fi
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "==> installing chromium and chromium-driver (Debian's packages)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null

# Benchmark what the CPU limit costs per scan (epoch interruption against none).
bench-cpu: guests
    cargo bench -p barcoded --bench cpu_meter

# Benchmark the hot paths in-process: a scan, instantiation, a lookup, a key check.
bench-in-process: guests
    cargo bench -p barcoded --bench in_process

# Benchmark start-up with 20 installed plugins, code cache cold and warm.
bench-startup: guests
    cargo bench -p barcoded --bench startup

# Benchmark one plugin per language (Rust, Python, JavaScript): size, compile time, scan median and p99.
bench-languages: guests
    cargo bench -p barcoded --bench languages

# wasmtime-cli at the workspace's wasmtime version, for the HTTP bench's
# peer (e): built once into target/bench-tools, never by `just test`.
wasmtime_version := `sed -n 's/^wasmtime = { version = "\([^"]*\)".*/\1/p' Cargo.toml`
wasmtime := CARGO_TARGET_DIR / "bench-tools/bin/wasmtime"

# Benchmark HTTP load with wrk: bare hyper, lookups in 1M barcodes, scans through plugins, the peers (the decode native in a handler, and under `wasmtime serve`), and lookups and scans on PostgreSQL with one node and two.
bench-http: guests postgres
    command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
    bash -c 'source guest-sdk/build.sh && cargo_wasip2 --manifest-path runtime/benches/peers/gtin-http/Cargo.toml'
    {{wasmtime}} --version 2>/dev/null | grep -qF "{{wasmtime_version}}" || \
        cargo install --locked wasmtime-cli --version "{{wasmtime_version}}" --no-default-features \
        --features run,serve,cranelift,pooling-allocator,parallel-compilation,component-model,component-model-async \
        --root "{{CARGO_TARGET_DIR}}/bench-tools" --target-dir "{{CARGO_TARGET_DIR}}/wasmtime-cli"
    BARCODED_WASMTIME={{wasmtime}} BARCODED_BENCH_POSTGRES={{postgres_url}} cargo bench -p barcoded --bench http_load

# Soak: mixed good and hostile traffic for `seconds`, printing memory, open files, log volume and good answers.
soak seconds="600": guests
    SOAK_SECONDS={{seconds}} cargo bench -p barcoded --bench soak

# Run every benchmark and print their tables.
bench: bench-http bench-in-process bench-cpu bench-startup bench-languages

# cargo-deb (crates.io, pinned), built once into target/tools.
cargo_deb := CARGO_TARGET_DIR / "tools/bin/cargo-deb"

# Build the Debian package into target/debian: the binary, the hardened systemd unit, /etc/barcoded/barcoded.toml and the example plugins. `profile=dev` packages the test build (CI's check; not for release).
deb profile="release": guests
    test -x {{cargo_deb}} || CARGO_TARGET_DIR={{CARGO_TARGET_DIR}}/tools-build cargo install cargo-deb --version 3.8.0 --locked --quiet --root {{CARGO_TARGET_DIR}}/tools
    cargo build -p barcoded --locked {{ if profile == "release" { "--release" } else { "" } }}
    mkdir -p runtime/packaging/plugins
    for plugin in gtin gs1 ecia native_qr kanban; do cp {{components}}/$plugin.wasm runtime/packaging/plugins/; done
    {{cargo_deb}} -p barcoded --no-build --profile {{profile}} {{ if profile == "release" { "" } else { "--fast" } }} --quiet -o {{CARGO_TARGET_DIR}}/debian/barcoded.deb

# Build the package from the test build, install it on this machine with dpkg (root or sudo), check its unit with systemd-analyze, and scan with the installed binary in its data folder; purges it again.
package-check: (deb "dev")
    #!/usr/bin/env bash
    set -euo pipefail
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if ! command -v systemd-analyze >/dev/null; then
        echo "==> installing systemd (Debian's package) for systemd-analyze"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends systemd >/dev/null
    fi
    $sudo dpkg --purge barcoded >/dev/null 2>&1 || true
    $sudo rm -rf /var/lib/barcoded
    $sudo dpkg -i {{CARGO_TARGET_DIR}}/debian/barcoded.deb >/dev/null
    trap '$sudo dpkg --purge barcoded >/dev/null; $sudo rm -rf /var/lib/barcoded' EXIT
    # verify exits 0 on an unknown key, so any word from it fails the check.
    said="$(systemd-analyze verify /usr/lib/systemd/system/barcoded.service 2>&1)"
    [ -z "$said" ] || { echo "systemd-analyze verify: $said" >&2; exit 1; }
    /usr/bin/barcoded --version
    [ "$(stat -c '%U:%G %a' /var/lib/barcoded)" = "barcoded:barcoded 700" ]
    [ "$(stat -c '%U:%G %a' /etc/barcoded/barcoded.toml)" = "root:barcoded 640" ]
    as_barcoded() { $sudo runuser -u barcoded -- "$@"; }
    as_barcoded /usr/bin/barcoded config check >/dev/null
    as_barcoded /usr/bin/barcoded plugin install /usr/share/barcoded/plugins/gtin.wasm --priority 10
    answer="$(cd / && as_barcoded /usr/bin/barcoded scan 4006381333931)"
    grep -q '"plugin": "gtin"' <<< "$answer" || { echo "the packaged binary's scan: $answer" >&2; exit 1; }
    [ -f /var/lib/barcoded/catalog.redb ] && [ "$(stat -c %U /var/lib/barcoded/catalog.redb)" = barcoded ]
    echo "package-check: installed, unit verified, scanned 4006381333931 as the barcoded user in /var/lib/barcoded"

# Formatting, lints, the crates' layering and dependencies, and module cycles, as CI checks them.
lint:
    python3 .ci/layers.py
    python3 .ci/modules.py
    cargo fmt --all --check
    cargo fmt --manifest-path guest-plugins/Cargo.toml --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo clippy --manifest-path guest-plugins/Cargo.toml --all-targets -- -D warnings
