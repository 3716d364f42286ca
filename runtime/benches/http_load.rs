//! HTTP throughput and latency, side by side on one machine in one run:
//! (a) a bare hyper server answering a fixed small JSON, the ceiling;
//! (b) `GET /api/barcode/lookup/{code}` against 1,000,000 barcodes, codes
//! chosen uniformly and by a Zipf law (tills scan popular products far
//! more often);
//! (c) `POST /api/barcode/` decoded by the gtin plugin, and by gs1 (behind
//! gtin, so that the gtin plugin is asked first);
//! and hello alone in its chain against hello behind 19 plugins whose
//! claims do not match its data (a chain of 20);
//! (d) the same gtin decode written natively in a hyper handler, with no
//! sandbox: the ceiling for a scan;
//! (e) that decode compiled to a `wasi:http` component and served by
//! `wasmtime serve`, wasmtime's own server with an instance per request.
//! (f) lookups and gtin scans on the PostgreSQL store, the same catalog
//! moved there by `barcoded store migrate`, with one node, and with two
//! nodes on the one database (a wrk per node, half the connections each).
//! Load comes from wrk; each row is reported as a ratio to (a) measured just
//! before it, at the same connection count, and each scan row also to (d).
//!
//! Run with `just bench` (needs `just guests`, wrk, and for (e) the
//! component `gtin_http.wasm` and `wasmtime` at the project's version, all
//! of which the recipe builds or installs). Without `BARCODED_WASMTIME`
//! (the `wasmtime` binary) row (e) is left out; without
//! `BARCODED_BENCH_POSTGRES` (a URL of a role that may create databases,
//! which the recipe starts with `just postgres`) the rows (f).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const CATALOG_ROWS: u32 = 1_000_000;
const CONNECTIONS: [u32; 3] = [1, 16, 64];
const DURATION: &str = "5s";
/// Load each case takes, unmeasured, before its rows: enough random lookups
/// to bring most of the catalog into redb's page cache, as in a server that
/// has been running for a while.
const WARM_UP: &str = "10s";
const FIRST_CODE: u64 = 2_000_000_000_000;

fn barcoded(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_barcoded"));
    command.arg("--data-dir").arg(data);
    command
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("running a command");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn components_dir() -> PathBuf {
    std::env::var_os("BARCODED_COMPONENTS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
        PathBuf::from,
    )
}

/// A data folder with 1,000,000 barcodes and their products, gtin and gs1
/// installed, and a key; returns the key.
fn prepare(data: &Path) -> String {
    let products = data.join("products.csv");
    let barcodes = data.join("barcodes.csv");
    let mut product_rows = String::from("sku,name,category,unitPrice,currency\n");
    let mut barcode_rows = String::from("barcode,barcodeType,productSku,uomCode,quantity\n");
    for i in 0..CATALOG_ROWS {
        product_rows.push_str(&format!("SKU-{i},Product {i},Bench,9.99,EUR\n"));
        barcode_rows.push_str(&format!("{},EAN,SKU-{i},EA,1\n", FIRST_CODE + u64::from(i)));
    }
    std::fs::write(&products, product_rows).unwrap();
    std::fs::write(&barcodes, barcode_rows).unwrap();
    for (file, what) in [(&products, "products"), (&barcodes, "barcode records")] {
        let started = std::time::Instant::now();
        run(barcoded(data).args(["catalog", "import"]).arg(file));
        println!(
            "`barcoded catalog import` of {CATALOG_ROWS} {what}: {:.1} s (target: under 20 s)",
            started.elapsed().as_secs_f64()
        );
    }
    // The JSON export of that catalog, imported back into an empty store.
    let export = data.join("catalog.json");
    run(barcoded(data)
        .args(["catalog", "export", "--format", "json", "--output"])
        .arg(&export));
    let copy = data.join("json-import");
    let started = std::time::Instant::now();
    run(barcoded(&copy).args(["catalog", "import"]).arg(&export));
    println!(
        "`barcoded catalog import` of its JSON export ({CATALOG_ROWS} products and {CATALOG_ROWS} \
         barcode records): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&copy);
    let _ = std::fs::remove_file(&export);
    println!();
    for (component, priority) in [("gtin", "10"), ("gs1", "20")] {
        let path = components_dir().join(format!("{component}.wasm"));
        run(barcoded(data)
            .args(["plugin", "install"])
            .arg(path)
            .args(["--priority", priority]));
    }
    run(barcoded(data).args(["key", "create", "--name", "bench", "--role", "pos"]))
        .trim()
        .to_owned()
}

/// A data folder with hello behind `before` copies of gtin, whose claims
/// (digits only) never match hello's data, and a key; returns the key.
fn prepare_chain(data: &Path, before: usize) -> String {
    let gtin = components_dir().join("gtin.wasm");
    for i in 0..before {
        run(barcoded(data).args(["plugin", "install"]).arg(&gtin).args([
            "--name",
            &format!("gtin-{i:02}"),
            "--priority",
            &i.to_string(),
        ]));
    }
    run(barcoded(data)
        .args(["plugin", "install"])
        .arg(components_dir().join("hello.wasm"))
        .args(["--priority", "1000"]));
    run(barcoded(data).args(["key", "create", "--name", "bench", "--role", "pos"]))
        .trim()
        .to_owned()
}

/// Peer (e): `wasmtime serve` running the gtin decode as a `wasi:http`
/// component, a fresh instance per request, with the pooling allocator and
/// the memory and CPU limits barcoded gives a plugin by default (32 MiB, a
/// 100 ms deadline). `None` when `BARCODED_WASMTIME` names no binary.
fn wasmtime_serve(data: &Path) -> Option<(Child, SocketAddr)> {
    let wasmtime = std::env::var_os("BARCODED_WASMTIME")?;
    // Its log (a line per connection wrk drops at the end of a run) goes to
    // a file, shown if it does not start.
    let log = data.join("wasmtime-serve.log");
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap();
    let child = Command::new(wasmtime)
        .args(["serve", "--addr", &address.to_string()])
        .args([
            "-O",
            "pooling-allocator=y",
            "-W",
            "max-memory-size=33554432",
        ])
        // All of WASI, as plugins get (granting nothing), not only the
        // proxy world's interfaces: Rust's std imports the CLI's.
        .args([
            "-W",
            "timeout=100ms",
            "-S",
            "cli=y",
            "--max-instance-reuse-count",
            "1",
        ])
        .arg(components_dir().join("gtin_http.wasm"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("starting wasmtime serve");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(address).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "wasmtime serve did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some((child, address))
}

/// The fleet of rows (f): the bench's store moved into a new PostgreSQL
/// database on the server of `BARCODED_BENCH_POSTGRES`, and two nodes
/// serving it; `None` without that variable.
fn postgres_fleet(data: &Path) -> Option<(String, [(Child, String); 2])> {
    let server = std::env::var("BARCODED_BENCH_POSTGRES").ok()?;
    let database = format!("barcoded_bench_{}", std::process::id());
    let psql = |statement: &str| {
        run(Command::new("psql").args(["-X", "-q", &server, "-c", statement]));
    };
    psql(&format!("DROP DATABASE IF EXISTS {database}"));
    psql(&format!("CREATE DATABASE {database}"));
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    let url = format!("{base}/{database}");
    let started = std::time::Instant::now();
    run(Command::new(env!("CARGO_BIN_EXE_barcoded"))
        .args(["store", "migrate", "--from"])
        .arg(data)
        .args(["--to", &url]));
    println!(
        "`barcoded store migrate` of that store into PostgreSQL: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // As a database that has been running a while: its statistics current,
    // and no autovacuum of the freshly copied rows competing with the load.
    run(Command::new("psql").args(["-X", "-q", &url, "-c", "VACUUM ANALYZE"]));
    let node = |n: u32| {
        let mut command = barcoded(&data.join(format!("postgres-node-{n}")));
        command.env("BARCODED_STORE", &url);
        serve_with(command)
    };
    Some((database, [node(1), node(2)]))
}

/// Starts `barcoded serve` and returns it with its address.
fn serve(data: &Path) -> (Child, String) {
    serve_with(barcoded(data))
}

/// Starts `command serve` and returns it with its address.
fn serve_with(mut command: Command) -> (Child, String) {
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("BARCODED_LOG", "warn,barcoded::cli=info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines().map_while(Result::ok) {
        if let Some((_, address)) = line.split_once("listening on http://") {
            return (child, address.trim().to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("barcoded did not start");
}

/// The ceiling: hyper answering a fixed small JSON.
fn bare_hyper() -> SocketAddr {
    serve_json(|_| br#"{"status":"ok"}"#.to_vec())
}

#[path = "peers/gtin.rs"]
mod gtin;

/// Peer (d): `POST` a scan body, answered by a GTIN-13 decode compiled
/// into the handler (check digit, GTIN-14, a JSON answer in the scan API's
/// shape).
fn native_gtin() -> SocketAddr {
    serve_json(gtin::answer)
}

/// A bare hyper server on Tokio's default runtime, answering every request
/// with the JSON `answer` makes of its body.
fn serve_json(answer: fn(&[u8]) -> Vec<u8>) -> SocketAddr {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |request: hyper::Request<hyper::body::Incoming>| async move {
                            let body = request.into_body().collect().await?.to_bytes();
                            let mut response =
                                hyper::Response::new(Full::new(Bytes::from(answer(&body))));
                            response.headers_mut().insert(
                                "content-type",
                                hyper::header::HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, hyper::Error>(response)
                        },
                    );
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
    });
    address
}

/// One wrk run's figures.
struct Figures {
    requests_per_second: f64,
    p50: String,
    p99: String,
    errors: String,
}

/// wrk against every URL at once, the connections shared among them; the
/// rates summed, the latencies of each shown side by side.
fn wrk_fleet(urls: &[String], connections: u32, duration: &str, script: &Path) -> Figures {
    let share = (connections / urls.len() as u32).max(1);
    let runs: Vec<Figures> = std::thread::scope(|scope| {
        let runs: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || wrk(url, share, duration, script)))
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    let joined = |field: fn(&Figures) -> &String| {
        runs.iter()
            .map(field)
            .cloned()
            .collect::<Vec<_>>()
            .join(" / ")
    };
    // wrk prints no count of errors when there were none.
    let errors: u64 = runs
        .iter()
        .filter_map(|r| r.errors.parse::<u64>().ok())
        .sum();
    Figures {
        requests_per_second: runs.iter().map(|r| r.requests_per_second).sum(),
        p50: joined(|r| &r.p50),
        p99: joined(|r| &r.p99),
        errors: errors.to_string(),
    }
}

fn wrk(url: &str, connections: u32, duration: &str, script: &Path) -> Figures {
    let threads = connections.min(2).to_string();
    let output = Command::new("wrk")
        .args([
            "-t",
            &threads,
            "-c",
            &connections.to_string(),
            "-d",
            duration,
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()
        .expect("running wrk: install it (`just bench` does) or put it on PATH");
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix(prefix)
                    .map(|rest| rest.trim().to_owned())
            })
            .unwrap_or_else(|| "?".into())
    };
    Figures {
        requests_per_second: field("Requests/sec:").parse().unwrap_or(0.0),
        p50: field("50%"),
        p99: field("99%"),
        errors: field("Non-2xx or 3xx responses:"),
    }
}

/// One row; `native` is peer (d) measured beside a scan row.
fn print_row(
    name: &str,
    connections: u32,
    figures: &Figures,
    ceiling: &Figures,
    native: Option<&Figures>,
) {
    let ratio = |to: &Figures| figures.requests_per_second / to.requests_per_second * 100.0;
    let errors = if figures.errors == "?" {
        "0"
    } else {
        &figures.errors
    };
    let versus_native = native.map_or_else(
        || "| - | - ".to_owned(),
        |native| {
            format!(
                "| {:.0} | {:.0}% ",
                native.requests_per_second,
                ratio(native)
            )
        },
    );
    println!(
        "| {name} | {connections} | {:.0} | {} | {} | {:.0} | {:.0}% {versus_native}| {errors} |",
        figures.requests_per_second,
        figures.p50,
        figures.p99,
        ceiling.requests_per_second,
        ratio(ceiling)
    );
}

fn script(dir: &Path, name: &str, lua: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lua).unwrap();
    path
}

const GTIN_SCAN: &str = "(c) scan, gtin plugin";
const CHAIN_OF_1: &str = "(c) scan, hello alone (chain of 1)";
const CHAIN_OF_20: &str = "(c) scan, hello behind 19 plugins not claiming it (chain of 20)";
const PEER_E: &str = "(e) scan, gtin decode under `wasmtime serve`";
const PG_LOOKUP_1: &str = "(f) lookup, 1M barcodes, uniform, PostgreSQL, 1 node";
const PG_LOOKUP_2: &str = "(f) lookup, 1M barcodes, uniform, PostgreSQL, 2 nodes";
const PG_SCAN_1: &str = "(f) scan, gtin plugin, PostgreSQL, 1 node";
const PG_SCAN_2: &str = "(f) scan, gtin plugin, PostgreSQL, 2 nodes";

fn main() {
    let data = std::env::temp_dir().join(format!("barcoded-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    eprintln!("preparing a catalog of {CATALOG_ROWS} barcodes and products...");
    let key = prepare(&data);
    let (mut server, address) = serve(&data);
    let chain_of = |plugins: usize| {
        let dir = data.join(format!("chain-of-{plugins}"));
        let key = prepare_chain(&dir, plugins - 1);
        let (server, address) = serve(&dir);
        (server, address, key)
    };
    let chains = [chain_of(1), chain_of(20)];
    let peer = wasmtime_serve(&data);
    let fleet = postgres_fleet(&data);
    let bare = bare_hyper();

    let auth = format!(r#"wrk.headers["Authorization"] = "Bearer {key}""#);
    let plain = script(&data, "plain.lua", "");
    // Lookups of codes drawn beforehand, so that drawing them costs the load
    // generator (on the same two cores) nothing while it measures: uniformly,
    // and by rank k of a Zipf law (s = 1), inverting its cumulative weights,
    // with ranks spread over the codes so that popular codes are not
    // neighbours in the store.
    let lookups = |name: &str, setup: &str, pick: &str| {
        script(
            &data,
            name,
            &format!(
                "{auth}\nlocal n = {CATALOG_ROWS}\n{setup}\nlocal requests, i = {{}}, 0\n\
                 init = function(args)\n  for r = 1, 65536 do\n    \
                 requests[r] = wrk.format(\"GET\", \"/api/barcode/lookup/\" .. tostring({FIRST_CODE} + {pick}))\n  \
                 end\nend\nrequest = function()\n  i = i % 65536 + 1\n  return requests[i]\nend\n"
            ),
        )
    };
    let lookup = lookups("lookup.lua", "", "math.random(0, n - 1)");
    let zipf = lookups(
        "zipf.lua",
        "local cdf, total = {}, 0\nfor k = 1, n do total = total + 1 / k; cdf[k] = total end\n\
         local function rank()\n  local u, lo, hi = math.random() * total, 1, n\n  \
         while lo < hi do local mid = math.floor((lo + hi) / 2); if cdf[mid] < u then lo = mid + 1 else hi = mid end end\n  \
         return lo\nend",
        "(rank() * 7919) % n",
    );
    let scan = |name: &str, body: &str| {
        script(
            &data,
            name,
            &format!(
                "{auth}\nwrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{body}]]\n"
            ),
        )
    };
    let gtin = scan("gtin.lua", r#"{"barcode_data":"4006381333931"}"#);
    let hello = |name: &str, key: &str| {
        script(
            &data,
            name,
            &format!(
                "wrk.headers[\"Authorization\"] = \"Bearer {key}\"\nwrk.method = \"POST\"\n\
                 wrk.headers[\"Content-Type\"] = \"application/json\"\n\
                 wrk.body = [[{{\"barcode_data\":\"HELLO-bench\"}}]]\n"
            ),
        )
    };
    let gs1 = scan(
        "gs1.lua",
        // (01) GTIN, (17) expiry, (10) batch, GS, (30) count.
        r#"{"barcode_data":"]d201040063813339311726123110ABC123\u001d3012"}"#,
    );
    let ceiling_url = format!("http://{bare}/");
    let native_url = format!("http://{}/", native_gtin());
    // (name, URL, script, whether it is a scan, to compare with (d)).
    let mut cases = vec![
        (
            "(b) lookup, 1M barcodes, uniform",
            format!("http://{address}/api/barcode/lookup/x"),
            lookup,
            false,
        ),
        (
            "(b) lookup, 1M barcodes, Zipf",
            format!("http://{address}/api/barcode/lookup/x"),
            zipf,
            false,
        ),
        (
            GTIN_SCAN,
            format!("http://{address}/api/barcode/"),
            gtin.clone(),
            true,
        ),
        (
            "(c) scan, gs1 plugin (behind gtin)",
            format!("http://{address}/api/barcode/"),
            gs1,
            true,
        ),
        (
            CHAIN_OF_1,
            format!("http://{}/api/barcode/", chains[0].1),
            hello("hello-1.lua", &chains[0].2),
            false,
        ),
        (
            CHAIN_OF_20,
            format!("http://{}/api/barcode/", chains[1].1),
            hello("hello-20.lua", &chains[1].2),
            false,
        ),
        (
            "(d) scan, gtin native in the handler",
            native_url.clone(),
            gtin.clone(),
            false,
        ),
    ];
    if let Some((_, address)) = &peer {
        cases.push((PEER_E, format!("http://{address}/"), gtin.clone(), true));
    }
    // Rows (f): (name, one URL per node, script, whether it is a scan).
    let mut fleet_cases = Vec::new();
    if let Some((_, nodes)) = &fleet {
        let lookup_url =
            |(_, address): &(Child, String)| format!("http://{address}/api/barcode/lookup/x");
        let scan_url = |(_, address): &(Child, String)| format!("http://{address}/api/barcode/");
        fleet_cases = vec![
            (
                PG_LOOKUP_1,
                vec![lookup_url(&nodes[0])],
                cases[0].2.clone(),
                false,
            ),
            (
                PG_LOOKUP_2,
                nodes.iter().map(lookup_url).collect(),
                cases[0].2.clone(),
                false,
            ),
            (PG_SCAN_1, vec![scan_url(&nodes[0])], gtin.clone(), true),
            (
                PG_SCAN_2,
                nodes.iter().map(scan_url).collect(),
                gtin.clone(),
                true,
            ),
        ];
    }

    println!(
        "HTTP load with wrk, {DURATION} per row after a {WARM_UP} warm-up per case, on one machine \
         (2 cores shared by server and load)"
    );
    println!();
    println!(
        "| case | connections | requests/s | p50 | p99 | (a) just before | vs (a) | (d) just before | vs (d) | non-2xx |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    wrk(&ceiling_url, 64, WARM_UP, &plain);
    for connections in CONNECTIONS {
        let ceiling = wrk(&ceiling_url, connections, DURATION, &plain);
        print_row(
            "(a) bare hyper, fixed JSON",
            connections,
            &ceiling,
            &ceiling,
            None,
        );
    }
    wrk(&native_url, 64, WARM_UP, &gtin);
    let mut measured = Vec::new();
    for (name, url, script, scan) in &cases {
        wrk(url, 64, WARM_UP, script);
        for connections in CONNECTIONS {
            // The ceilings are measured again beside every row: on a shared
            // machine they drift by more than the differences measured here.
            let ceiling = wrk(&ceiling_url, connections, DURATION, &plain);
            let native = scan.then(|| wrk(&native_url, connections, DURATION, &gtin));
            let figures = wrk(url, connections, DURATION, script);
            print_row(name, connections, &figures, &ceiling, native.as_ref());
            measured.push((*name, connections, figures.requests_per_second));
        }
    }
    for (name, urls, script, scan) in &fleet_cases {
        wrk_fleet(urls, 64, WARM_UP, script);
        for connections in CONNECTIONS
            .into_iter()
            .filter(|c| *c as usize >= urls.len())
        {
            let ceiling = wrk(&ceiling_url, connections, DURATION, &plain);
            let native = scan.then(|| wrk(&native_url, connections, DURATION, &gtin));
            let figures = wrk_fleet(urls, connections, DURATION, script);
            print_row(name, connections, &figures, &ceiling, native.as_ref());
            measured.push((*name, connections, figures.requests_per_second));
        }
    }
    println!();
    let compare = |what: &str, row: &str, to: &str| {
        let rate = |name: &str, connections: u32| {
            measured
                .iter()
                .find(|(n, c, _)| *n == name && *c == connections)
                .map(|(_, _, rate)| *rate)
        };
        for connections in CONNECTIONS {
            if let (Some(row), Some(to)) = (rate(row, connections), rate(to, connections)) {
                println!(
                    "{what}, {connections} connections: {:.0}%",
                    row / to * 100.0
                );
            }
        }
    };
    compare("chain of 20 against chain of 1", CHAIN_OF_20, CHAIN_OF_1);
    compare("barcoded's gtin scan against (e)", GTIN_SCAN, PEER_E);
    compare(
        "lookups on PostgreSQL against redb",
        PG_LOOKUP_1,
        "(b) lookup, 1M barcodes, uniform",
    );
    compare(
        "gtin scans on PostgreSQL against redb",
        PG_SCAN_1,
        GTIN_SCAN,
    );
    compare(
        "lookups, two PostgreSQL nodes against one",
        PG_LOOKUP_2,
        PG_LOOKUP_1,
    );
    compare(
        "gtin scans, two PostgreSQL nodes against one",
        PG_SCAN_2,
        PG_SCAN_1,
    );
    if let Some((database, nodes)) = fleet {
        for (mut child, _) in nodes {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        let server = std::env::var("BARCODED_BENCH_POSTGRES").unwrap();
        run(Command::new("psql").args([
            "-X",
            "-q",
            &server,
            "-c",
            &format!("DROP DATABASE {database}"),
        ]));
    }
    for (mut child, _) in peer.into_iter() {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    for (mut child, _, _) in chains {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();
    std::fs::remove_dir_all(&data).unwrap();
}
