//! Soak: mixed good and hostile traffic against the real `barcoded` for a
//! while (SOAK_SECONDS, default 600), printing the server's resident
//! memory, open files, log volume and the share of good scans answered
//! correctly, at the start and at the end.
//!
//! Good traffic: GTIN scans that the gtin plugin decodes, and lookups.
//! Hostile traffic: scans that fall through gtin to hostile plugins
//! (aliased answers, handle leaks, host-call floods, memory bombs, floods
//! of output), oversized and malformed bodies, wrong keys, and connections
//! that send nothing. Run with `just soak` (needs `just guests`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const GOOD: &str = "4006381333931";
const GOOD_CLIENTS: usize = 6;
const HOSTILE_CLIENTS: usize = 4;
/// How often the figures are taken; the first window is "start".
const WINDOW: Duration = Duration::from_secs(30);

fn barcoded(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_barcoded"));
    command.arg("--data-dir").arg(data);
    command
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("running barcoded");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn component(name: &str) -> PathBuf {
    std::env::var_os("BARCODED_COMPONENTS_DIR")
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
            PathBuf::from,
        )
        .join(format!("{name}.wasm"))
}

/// gtin first, the hostile set behind it; returns a `pos` key.
fn prepare(data: &Path) -> String {
    let plugins = [
        ("gtin", "gtin", "10"),
        ("hostile-alias", "hostile_alias", "20"),
        ("hostile-handles", "hostile_handles", "21"),
        ("hostile-calls", "hostile_calls", "22"),
        ("hostile-memory", "hostile_memory", "23"),
        ("hostile-print", "hostile_print", "24"),
    ];
    for (name, file, priority) in plugins {
        run(barcoded(data)
            .args(["plugin", "install"])
            .arg(component(file))
            .args(["--name", name, "--priority", priority]));
    }
    run(barcoded(data).args(["key", "create", "--name", "soak", "--role", "pos"]))
}

fn serve(data: &Path, log: &Path) -> (Child, String) {
    let mut child = barcoded(data)
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--quarantine-after",
            "0",
        ])
        .env("BARCODED_LOG", "info")
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some((_, rest)) = text.split_once("listening on http://") {
            let address = rest.lines().next().unwrap().trim().to_owned();
            return (child, address);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "barcoded did not start: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// Sends one request; returns its status, or `None` when no answer came.
fn request(
    address: &str,
    key: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: soak\r\nAuthorization: Bearer {key}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

#[derive(Default)]
struct Counts {
    good: AtomicU64,
    good_right: AtomicU64,
    hostile: AtomicU64,
    unanswered: AtomicU64,
}

impl Counts {
    fn take(&self) -> [u64; 4] {
        [
            &self.good,
            &self.good_right,
            &self.hostile,
            &self.unanswered,
        ]
        .map(|count| count.swap(0, Ordering::Relaxed))
    }
}

fn good_client(address: &str, key: &str, counts: &Counts, stop: &AtomicBool) {
    let body = format!(r#"{{"barcode_data": "{GOOD}"}}"#);
    while !stop.load(Ordering::Relaxed) {
        counts.good.fetch_add(1, Ordering::Relaxed);
        match request(address, key, "POST", "/api/barcode/", body.as_bytes()) {
            Some((200, text)) if text.contains(r#""plugin":"gtin""#) => {
                counts.good_right.fetch_add(1, Ordering::Relaxed);
            }
            Some(_) => {}
            None => drop(counts.unanswered.fetch_add(1, Ordering::Relaxed)),
        }
    }
}

fn hostile_client(address: &str, key: &str, counts: &Counts, stop: &AtomicBool) {
    let huge = vec![b'9'; 1 << 20];
    let mut round = 0u64;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        counts.hostile.fetch_add(1, Ordering::Relaxed);
        let answered = match round % 5 {
            // Falls through gtin to every hostile plugin.
            0 | 1 => request(
                address,
                key,
                "POST",
                "/api/barcode/",
                br#"{"barcode_data": "PWNED"}"#,
            ),
            2 => request(address, key, "POST", "/api/barcode/", &huge),
            3 => request(
                address,
                "bcd_wrong",
                "GET",
                "/api/barcode/lookup/5410317126589",
                b"",
            ),
            _ => {
                // A connection that sends half a head and goes quiet.
                if let Ok(mut idle) = TcpStream::connect(address) {
                    let _ = idle.write_all(b"POST /api/barcode/ HTTP/1.1\r\nHost:");
                    std::thread::sleep(Duration::from_millis(500));
                }
                request(address, key, "POST", "/api/barcode/", b"{not json")
            }
        };
        if answered.is_none() {
            counts.unanswered.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |fds| fds.count())
}

fn main() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let total = Duration::from_secs(seconds).max(WINDOW * 2);
    let dir = std::env::temp_dir().join(format!("barcoded-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let key = prepare(&data);
    let log = dir.join("barcoded.log");
    let (mut server, address) = serve(&data, &log);
    let pid = server.id();
    let counts = Counts::default();
    let stop = AtomicBool::new(false);
    println!(
        "Soak: {} s of {GOOD_CLIENTS} good and {HOSTILE_CLIENTS} hostile clients against one \
         barcoded (figures per {} s window)",
        total.as_secs(),
        WINDOW.as_secs()
    );
    println!();
    println!(
        "| window | RSS | open files | log written | good scans | answered right | hostile requests | unanswered |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    std::thread::scope(|scope| {
        for _ in 0..GOOD_CLIENTS {
            scope.spawn(|| good_client(&address, &key, &counts, &stop));
        }
        for _ in 0..HOSTILE_CLIENTS {
            scope.spawn(|| hostile_client(&address, &key, &counts, &stop));
        }
        let started = Instant::now();
        let mut log_before = 0;
        let mut window = 0;
        while started.elapsed() < total {
            std::thread::sleep(WINDOW);
            window += 1;
            let [good, right, hostile, unanswered] = counts.take();
            let log_now = std::fs::metadata(&log).map_or(0, |m| m.len());
            let share = if good == 0 {
                0.0
            } else {
                right as f64 * 100.0 / good as f64
            };
            let last = started.elapsed() >= total;
            if window == 1 || last || window % 4 == 0 {
                let name = match (window, last) {
                    (1, _) => "start".to_owned(),
                    (_, true) => "end".to_owned(),
                    _ => format!("{} s", window * WINDOW.as_secs()),
                };
                println!(
                    "| {name} | {:.1} MiB | {} | {:.1} KiB | {good} | {share:.2}% | {hostile} | {unanswered} |",
                    rss_kib(pid) as f64 / 1024.0,
                    open_files(pid),
                    (log_now - log_before) as f64 / 1024.0,
                );
            }
            log_before = log_now;
        }
        stop.store(true, Ordering::Relaxed);
    });
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
