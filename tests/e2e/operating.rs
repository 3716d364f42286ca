//! Operating safely: a full disk, private files, backup and restore.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Server, TempDir, cli_ok, component, create_key, install};

/// A small tmpfs of its own, unmounted on drop: a disk that fills up.
struct SmallDisk {
    mount: TempDir,
}

impl SmallDisk {
    /// Mounts `mib` MiB, or says why it cannot (mounting needs root).
    fn mount(mib: u32) -> Result<SmallDisk, String> {
        let mount = TempDir::new();
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={mib}m,mode=0755"),
                "tmpfs",
            ])
            .arg(mount.path())
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        Ok(SmallDisk { mount })
    }

    fn path(&self) -> &Path {
        self.mount.path()
    }

    /// Writes a file until the disk refuses more.
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        for chunk in [1 << 20, 4 << 10, 64] {
            let bytes = vec![0u8; chunk];
            while file.write_all(&bytes).is_ok() {}
        }
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.mount.path())
            .status();
    }
}

/// Polls `check` until it holds, for up to ten seconds.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_full_disk_answers_503_for_writes_keeps_reads_and_recovers_by_itself() {
    if crate::harness::on_postgres() {
        // The data folder's disk; PostgreSQL's is the database server's.
        return;
    }
    let disk = match SmallDisk::mount(32) {
        Ok(disk) => disk,
        Err(why) => {
            // Only root may mount; CI runs as root, so there it always runs.
            eprintln!("skipped: cannot mount a small file system here: {why}");
            return;
        }
    };
    let data = disk.path().join("data");
    for (file, component) in [("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")] {
        let output = install(&data, file, component);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let admin = format!("Bearer {}", create_key(&data, "ops", "admin"));
    // The server's log is on the same disk, as it often is in practice.
    let server = Server::start_logging_to(
        TempDir::adopt(data.clone()),
        &["--demo"],
        &disk.path().join("barcoded.log"),
    );
    let scan = |data: &str| server.scan(&json!({ "barcode_data": data }));
    assert_eq!(scan("4006381333931").status, 200);

    let filler = disk.fill();
    // A write that needs room is refused, saying when to retry: installing
    // a plugin writes its component and its record.
    let bytes = std::fs::read(component("hostile_loop")).unwrap();
    let install = || {
        server.request_as(
            Some(&admin),
            "POST",
            "/api/admin/plugins?name=late&priority=90",
            &bytes,
        )
    };
    let refused = install();
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.header("retry-after"), Some("5"));
    assert_eq!(
        refused.json()["error"],
        "The server's store is unavailable right now (its disk may be full or failing, or its \
         database out of reach); retry shortly"
    );
    // Reads that need no write keep working, and scans, whose history
    // waits for room, answer all the same: from many clients at once, with
    // the server's own log failing to be written, none goes unanswered.
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..100 {
                    let lookup = server.get("/api/barcode/lookup/5410317126589");
                    assert_eq!(lookup.status, 200, "{}", lookup.body);
                    let answer = scan("4006381333931");
                    assert_eq!(answer.status, 200, "{}", answer.body);
                }
            });
        }
    });
    let ready = server.get("/api/health/ready");
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.header("retry-after"), Some("5"));
    assert_eq!(ready.json()["store"], "disk-full");
    assert_eq!(server.get("/api/health/live").status, 200);

    std::fs::remove_file(filler).unwrap();
    eventually("readiness after the disk has room", || {
        server.get("/api/health/ready").status == 200
    });
    let installed = install();
    assert_eq!(installed.status, 201, "{}", installed.body);
    // What was committed before the disk filled is all there, and the
    // server goes on recording scans.
    let lookup = server.get("/api/barcode/lookup/5410317126589");
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(scan("HELLO-again").status, 200);
    let listed = cli_ok(&data, &["plugin", "list"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("gtin") && listed.contains("late"),
        "{listed}"
    );
    eventually("the scan after recovery in the history", || {
        let history = server.request_as(Some(&admin), "GET", "/api/barcode/history?limit=1", b"");
        history.json()["results"][0]["barcode_data"] == "HELLO-again"
    });
}

#[test]
fn the_data_folder_and_its_files_are_private_to_the_service() {
    let dir = TempDir::new();
    let data = dir.path().join("data");
    let output = install(&data, "10-gtin.wasm", "gtin");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    // On PostgreSQL the folder holds only this node's compiled code.
    let folders: &[&str] = if crate::harness::on_postgres() {
        &["cache"]
    } else {
        assert_eq!(mode(&data.join("catalog.redb")), 0o600);
        &["components", "cache"]
    };
    for folder in folders {
        let folder = data.join(folder);
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}

#[test]
fn a_backup_taken_while_serving_restores_every_record() {
    let data =
        crate::harness::data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]);
    if crate::harness::on_postgres() {
        // Backup copies a redb store; it says what to use instead.
        let refused = crate::harness::cli(data.path(), &["backup", "/tmp/never-written"]);
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("pg_dump"), "{stderr}");
        return;
    }
    let server = Server::start_with(data, &["--demo"]);
    let backups = TempDir::new();
    let file = backups.path().join("barcoded.backup");
    let file_arg = file.to_str().unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let backed_up = thread::scope(|scope| {
        // Scans keep writing the history while the backup is taken.
        let load = scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let answer = server.scan(&json!({ "barcode_data": "4006381333931" }));
                assert_eq!(answer.status, 200, "{}", answer.body);
            }
        });
        thread::sleep(Duration::from_millis(300));
        let backed_up = cli_ok(server.data_dir(), &["backup", file_arg]);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        load.join().unwrap();
        backed_up
    });
    let tables = String::from_utf8(backed_up.stdout).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let history_rows: u64 = tables
        .lines()
        .find(|line| line.starts_with("scan_history "))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|rows| rows.parse().ok())
        .unwrap();
    assert!(history_rows > 0, "{tables}");

    // Not over a store in use, and never over an existing backup.
    let refused = crate::harness::cli(server.data_dir(), &["restore", file_arg]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is in use"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let again = crate::harness::cli(server.data_dir(), &["backup", file_arg]);
    assert!(!again.status.success());
    let key = server.key().to_owned();
    drop(server);

    let restored_dir = TempDir::new();
    let restored = cli_ok(restored_dir.path(), &["restore", file_arg]);
    assert_eq!(String::from_utf8(restored.stdout).unwrap(), tables);

    // The restored folder serves: its plugins' components came back, and
    // the old key is still valid.
    let server = Server::start_without_key(restored_dir, &[]);
    let answer = server.request_as(
        Some(&format!("Bearer {key}")),
        "POST",
        "/api/barcode/",
        br#"{"barcode_data": "HELLO-restored"}"#,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["plugin"], "hello");
    let lookup = server.request_as(
        Some(&format!("Bearer {key}")),
        "GET",
        "/api/barcode/lookup/5410317126589",
        b"",
    );
    assert_eq!(lookup.status, 200, "{}", lookup.body);
}

/// One scan of `data` on a connection of its own: `Ok(status)` when the
/// server answered, `Err(bytes received)` when the connection failed first.
fn scan_once(address: &str, key: &str, data: &str) -> Result<u16, usize> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).map_err(|_| 0usize)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|_| 0usize)?;
    let body = json!({ "barcode_data": data }).to_string();
    let request = format!(
        "POST /api/barcode/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // A connection the server never took may fail here or on reading.
    let _ = stream.write_all(request.as_bytes());
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    let status = std::str::from_utf8(&raw)
        .ok()
        .and_then(|text| text.strip_prefix("HTTP/1.1 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    match (read, status) {
        (_, Some(status)) if raw.windows(4).any(|w| w == b"\r\n\r\n") => Ok(status),
        _ => Err(raw.len()),
    }
}

#[test]
fn sigterm_under_load_answers_or_refuses_every_request_and_keeps_every_answered_scan() {
    let data = TempDir::new();
    let installed = install(data.path(), "10-hello.wasm", "hello");
    assert!(installed.status.success());
    let server = Server::start(data);
    let (address, key) = (server.address().to_owned(), server.key().to_owned());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let outcomes = std::sync::Mutex::new(Vec::new());
    let data = thread::scope(|scope| {
        for client in 0..16 {
            let (address, key, stop, outcomes) = (&address, &key, &stop, &outcomes);
            scope.spawn(move || {
                // Past the stop, each client goes on until the server is gone.
                for n in 0.. {
                    let data = format!("HELLO-c{client}n{n}");
                    let outcome = scan_once(address, key, &data);
                    let gone = outcome == Err(0) && stop.load(std::sync::atomic::Ordering::Acquire);
                    outcomes.lock().unwrap().push((data, outcome));
                    if gone {
                        return;
                    }
                }
            });
        }
        thread::sleep(Duration::from_millis(700));
        stop.store(true, std::sync::atomic::Ordering::Release);
        // SIGTERM; `stop` asserts that the server exits 0.
        server.stop()
    });
    let outcomes = outcomes.into_inner().unwrap();
    let answered: Vec<&str> = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome == Ok(200))
        .map(|(data, _)| data.as_str())
        .collect();
    assert!(
        answered.len() > 16,
        "only {} scans answered",
        answered.len()
    );
    for (data, outcome) in &outcomes {
        // Answered 200, or never taken: no other status, no half answer.
        assert!(matches!(outcome, Ok(200) | Err(0)), "{data}: {outcome:?}");
    }
    // Started again on the same data: every answered scan was recorded.
    let server = Server::start_without_key(data, &[]);
    let admin = format!("Bearer {}", create_key(server.data_dir(), "ops", "admin"));
    let mut recorded = std::collections::HashSet::new();
    let mut page = Some("/api/barcode/history?limit=500&plugin=hello".to_owned());
    while let Some(path) = page {
        let answer = server.request_as(Some(&admin), "GET", &path, b"").json();
        for entry in answer["results"].as_array().unwrap() {
            recorded.insert(entry["barcode_data"].as_str().unwrap().to_owned());
        }
        page = answer["next"].as_str().map(str::to_owned);
    }
    let missing: Vec<&&str> = answered
        .iter()
        .filter(|d| !recorded.contains(**d))
        .collect();
    assert!(
        missing.is_empty(),
        "answered but not in the history: {missing:?}"
    );
}

/// Reads the next notification on `socket`, failing after ten seconds.
fn notification(socket: &std::os::unix::net::UnixDatagram) -> String {
    let mut buffer = [0u8; 4096];
    let size = socket
        .recv(&mut buffer)
        .expect("a notification within ten seconds");
    String::from_utf8_lossy(&buffer[..size]).into_owned()
}

#[test]
fn under_systemd_the_server_says_ready_feeds_the_watchdog_and_says_stopping() {
    let dir = TempDir::new();
    let path = dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let data = TempDir::new();
    assert!(
        install(data.path(), "10-gtin.wasm", "gtin")
            .status
            .success()
    );
    // WatchdogSec=1s: a WATCHDOG=1 every half second.
    let server = Server::start_with_env(
        data,
        &[],
        &[
            ("NOTIFY_SOCKET", path.to_str().unwrap()),
            ("WATCHDOG_USEC", "1000000"),
        ],
    );
    let ready = notification(&socket);
    assert!(ready.starts_with("READY=1\n"), "{ready}");
    assert!(
        ready.contains(&format!("STATUS=listening on http://{}", server.address())),
        "{ready}"
    );
    // Ready means ready: the first request is answered.
    assert_eq!(server.get("/api/health/ready").status, 200);
    for _ in 0..2 {
        assert_eq!(notification(&socket), "WATCHDOG=1");
    }
    server.stop();
    let mut last = notification(&socket);
    while last == "WATCHDOG=1" {
        last = notification(&socket);
    }
    assert_eq!(last, "STOPPING=1");
}
