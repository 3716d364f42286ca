//! Starts the real `barcoded` binary and talks to it over real HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const START_TIMEOUT: Duration = Duration::from_secs(60);
const LOG_TIMEOUT: Duration = Duration::from_secs(10);

/// The freshly built binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_barcoded")
}

/// A component built by `guest-plugins/build.sh`, such as `gtin`.
pub fn component(name: &str) -> PathBuf {
    let dir = std::env::var_os("BARCODED_COMPONENTS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
        PathBuf::from,
    );
    let path = dir.join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: build the plugins first with `just guests` (or guest-plugins/build.sh)",
        path.display()
    );
    path
}

/// A fresh folder under the system's temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique = format!(
            "barcoded-e2e-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path).expect("creating a temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A data folder whose plugin folder holds `plugins`, given as
/// (file name, component name): `("10-gtin.wasm", "gtin")`.
pub fn data_dir_with(plugins: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new();
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir).expect("creating the plugin folder");
    for (file, name) in plugins {
        std::fs::copy(component(name), plugin_dir.join(file)).expect("copying a component");
    }
    dir
}

/// A running `barcoded serve`, killed on drop.
pub struct Server {
    child: Child,
    address: String,
    log: Arc<Mutex<Vec<String>>>,
    _data: TempDir,
}

impl Server {
    /// Starts the server on a free port with `data` as its data folder.
    pub fn start(data: TempDir) -> Server {
        Server::try_start(data).unwrap_or_else(|log| panic!("barcoded did not start:\n{log}"))
    }

    /// Starts the server, or returns its log if it exits before listening.
    pub fn try_start(data: TempDir) -> Result<Server, String> {
        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("BARCODED_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning barcoded");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let address = log.lock().unwrap().iter().find_map(|line| {
                line.split_once("listening on http://")
                    .map(|(_, address)| address.trim().to_owned())
            });
            if let Some(address) = address {
                return Ok(Server {
                    child,
                    address,
                    log,
                    _data: data,
                });
            }
            if child.try_wait().expect("polling barcoded").is_some() || Instant::now() > deadline {
                let _ = child.kill();
                std::thread::sleep(Duration::from_millis(100));
                return Err(log.lock().unwrap().join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends one request and returns its status, headers and body.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(&self.address).expect("connecting to barcoded");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("setting a read timeout");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        );
        stream
            .write_all(head.as_bytes())
            .expect("sending the request head");
        // The server may answer (and close) before reading an oversized body.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("reading the response");
        Response::parse(&raw)
    }

    /// `POST /api/barcode/` with a JSON body.
    pub fn scan(&self, body: &Value) -> Response {
        self.request("POST", "/api/barcode/", body.to_string().as_bytes())
    }

    /// Waits until a log line contains `text`.
    pub fn wait_for_log(&self, text: &str) -> String {
        let deadline = Instant::now() + LOG_TIMEOUT;
        loop {
            if let Some(line) = self
                .log
                .lock()
                .unwrap()
                .iter()
                .find(|line| line.contains(text))
            {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no log line contains {text:?}; the log:\n{}",
                self.log.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response, as read off the wire.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .expect("a complete HTTP response");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .expect("an HTTP status line");
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        Response {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}
