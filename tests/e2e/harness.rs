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

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// The PostgreSQL server the suite runs against, when
/// `BARCODED_TEST_POSTGRES` names one (a URL of a role that may create
/// databases, such as `postgres://barcoded:barcoded@127.0.0.1/postgres`):
/// every data folder then gets a database of its own, and every `barcoded`
/// the tests run uses it as its store (`BARCODED_STORE`). Unset, the suite
/// runs on the redb store in each data folder.
pub fn postgres() -> Option<String> {
    std::env::var("BARCODED_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the suite runs on PostgreSQL. Tests of what only a data folder's
/// redb file has (its disk, its bytes, backup and restore) check their
/// PostgreSQL counterpart or return early; the redb pass runs them whole.
pub fn on_postgres() -> bool {
    postgres().is_some()
}

/// Replaces the stored component whose bytes are `original` with
/// `tampered`: a file in the data folder, or a row in the database.
pub fn tamper_component(data: &Path, original: &[u8], tampered: &[u8]) {
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(original)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    match store_url(data) {
        Some(url) => {
            let hex: String = tampered.iter().map(|b| format!("{b:02x}")).collect();
            psql(
                &url,
                &format!("UPDATE components SET bytes = '\\x{hex}' WHERE digest = '{digest}'"),
            );
        }
        None => {
            let path = data.join(format!("components/{digest}.wasm"));
            assert!(path.is_file(), "{} is missing", path.display());
            std::fs::write(path, tampered).unwrap();
        }
    }
}

/// Data folders that share another's database, as nodes of one fleet do.
static SHARED: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());

/// Databases created so far, by name.
static CREATED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Data folders that keep a redb store whatever the suite runs on.
static REDB: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Makes `data` keep its store in its own redb file, even when the suite
/// runs on PostgreSQL: the source or target of a migration.
pub fn keep_redb(data: &Path) {
    REDB.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(data.to_owned());
}

/// The database of data folder `data` when the suite runs on PostgreSQL,
/// created on first use.
pub fn store_url(data: &Path) -> Option<String> {
    let server = postgres()?;
    if REDB
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .any(|dir| dir == data)
    {
        return None;
    }
    let shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    let name = shared
        .iter()
        .find(|(dir, _)| dir == data)
        .map_or_else(|| database_name(data), |(_, name)| name.clone());
    drop(shared);
    let mut created = CREATED.lock().unwrap_or_else(|p| p.into_inner());
    if !created.contains(&name) {
        psql(
            &server,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        psql(&server, &format!("CREATE DATABASE {name}"));
        created.push(name.clone());
    }
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

/// Makes data folder `node` use the store of `first`: two nodes of one fleet.
pub fn share_store(first: &Path, node: &Path) {
    SHARED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((node.to_owned(), database_name(first)));
}

/// A database name of its own for each data folder's path.
fn database_name(data: &Path) -> String {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: the same name for the same path every time.
    let mut hasher = std::hash::DefaultHasher::new();
    data.hash(&mut hasher);
    format!("e2e_{}_{:016x}", std::process::id(), hasher.finish())
}

/// Runs SQL with `psql` (sent on its standard input), which must succeed.
pub fn psql(server: &str, statement: &str) {
    if let Err(error) = try_psql(server, statement) {
        panic!(
            "psql {:?}: {error}",
            statement.chars().take(200).collect::<String>()
        );
    }
}

/// Runs SQL with `psql`, answering its error output if it fails.
fn try_psql(server: &str, statement: &str) -> Result<(), String> {
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", server])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running psql (install PostgreSQL's client: `just postgres`)");
    let mut stdin = child.stdin.take().expect("psql's stdin");
    stdin
        .write_all(statement.as_bytes())
        .expect("sending SQL to psql");
    drop(stdin);
    let output = child.wait_with_output().expect("waiting for psql");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// `barcoded --data-dir DATA`, with the suite's store for that folder.
pub fn command(data: &Path) -> Command {
    let mut command = Command::new(binary());
    command.arg("--data-dir").arg(data);
    if let Some(url) = store_url(data) {
        command.env("BARCODED_STORE", url);
    }
    command
}

/// A fresh folder under the system's temp dir, removed on drop (with its
/// database, when the suite runs on PostgreSQL).
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

    /// Takes charge of `path` (created if missing), removing it on drop.
    pub fn adopt(path: PathBuf) -> TempDir {
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
        let name = database_name(&self.0);
        let mut created = CREATED.lock().unwrap_or_else(|p| p.into_inner());
        if let (Some(server), Some(at)) = (postgres(), created.iter().position(|n| *n == name)) {
            created.remove(at);
            // An autovacuum worker busy in the database (after a large
            // import) can hold up the drop for a moment: try again.
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let mut tries = 0;
            while let Err(error) = try_psql(&server, &drop) {
                tries += 1;
                assert!(tries < 40, "psql {drop:?}: {error}");
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }
}

/// A data folder with `plugins` installed by the real CLI, each given as
/// (`<priority>-<name>.wasm`, component): `("10-gtin.wasm", "gtin")`
/// installs the `gtin` component as plugin `gtin` with priority 10.
pub fn data_dir_with(plugins: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new();
    for (file, component) in plugins {
        let output = install(dir.path(), file, component);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    dir
}

/// Runs `barcoded plugin install` for `component` as `<priority>-<name>.wasm`.
pub fn install(data: &Path, file: &str, component: &str) -> std::process::Output {
    let stem = file.trim_end_matches(".wasm");
    let (priority, name) = stem.split_once('-').expect("<priority>-<name>.wasm");
    let path = self::component(component);
    cli(
        data,
        &[
            "plugin",
            "install",
            path.to_str().unwrap(),
            "--name",
            name,
            "--priority",
            priority,
        ],
    )
}

/// Runs `barcoded --data-dir DIR ARGS..` to completion.
pub fn cli(data: &Path, args: &[&str]) -> std::process::Output {
    command(data).args(args).output().expect("running barcoded")
}

/// Runs `barcoded --data-dir DIR ARGS..`, which must succeed, and returns it.
pub fn cli_ok(data: &Path, args: &[&str]) -> std::process::Output {
    let output = cli(data, args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Adds product SCREW-M4 (Screw M4, Parts, 0.05 EUR) with the real CLI,
/// listing `supplier_parts` (as `SUPPLIER:PART`).
pub fn add_screw(data: &Path, supplier_parts: &[&str]) {
    add_product(data, "SCREW-M4", "Screw M4", "0.05", supplier_parts);
}

/// Adds a product of category Parts priced in EUR with the real CLI,
/// listing `supplier_parts` (as `SUPPLIER:PART`).
pub fn add_product(data: &Path, sku: &str, name: &str, price: &str, supplier_parts: &[&str]) {
    let mut args = vec![
        "catalog",
        "product",
        "--sku",
        sku,
        "--name",
        name,
        "--category",
        "Parts",
        "--price",
        price,
        "--currency",
        "EUR",
    ];
    for part in supplier_parts {
        args.extend(["--supplier-part", part]);
    }
    cli_ok(data, &args);
}

/// Creates an API key with the real CLI and returns it.
pub fn create_key(data: &Path, name: &str, role: &str) -> String {
    let output = cli(data, &["key", "create", "--name", name, "--role", role]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("a UTF-8 key")
        .trim()
        .to_owned()
}

/// A running `barcoded serve`, killed on drop.
pub struct Server {
    child: Child,
    address: String,
    log: Arc<Mutex<Vec<String>>>,
    key: Option<String>,
    data: TempDir,
}

impl Server {
    /// Starts the server on a free port with `data` as its data folder and a
    /// `pos` key that every request helper sends.
    pub fn start(data: TempDir) -> Server {
        Server::start_with(data, &[])
    }

    /// Like [`Server::start`], passing `args` to `barcoded serve`.
    pub fn start_with(data: TempDir, args: &[&str]) -> Server {
        let key = create_key(data.path(), "e2e", "pos");
        let mut server = Server::start_without_key(data, args);
        server.key = Some(key);
        server
    }

    /// Starts the server without provisioning any key.
    pub fn start_without_key(data: TempDir, args: &[&str]) -> Server {
        Server::try_start(data, args).unwrap_or_else(|log| panic!("barcoded did not start:\n{log}"))
    }

    /// The server's data folder, for CLI commands run beside it.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The `pos` key the request helpers send.
    pub fn key(&self) -> &str {
        self.key.as_deref().expect("a server started with a key")
    }

    /// The address it listens on, as `host:port`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Asserts the server process has not exited.
    pub fn process_alive(&mut self) {
        assert!(
            self.child.try_wait().expect("polling barcoded").is_none(),
            "barcoded exited"
        );
    }

    /// Starts another node of this server's fleet: its own data folder (for
    /// its compiled-code cache) on this server's PostgreSQL database, sent
    /// the same `pos` key.
    pub fn start_node(&self, args: &[&str]) -> Server {
        let data = TempDir::new();
        share_store(self.data_dir(), data.path());
        let mut node = Server::start_without_key(data, args);
        node.key.clone_from(&self.key);
        node
    }

    /// Stops the server as an operator does (SIGTERM: requests in flight
    /// are finished, the history written) and hands back its data folder.
    pub fn stop(mut self) -> TempDir {
        let terminated = Command::new("kill")
            .arg(self.child.id().to_string())
            .status()
            .expect("running kill");
        assert!(terminated.success());
        let exited = self.child.wait().expect("waiting for barcoded");
        assert!(exited.success(), "barcoded exited with {exited}");
        std::mem::replace(&mut self.data, TempDir::new())
    }

    /// Kills the server with SIGKILL, as a crash or a pulled plug would.
    pub fn kill(&mut self) {
        self.child.kill().expect("killing barcoded");
        self.child.wait().expect("reaping barcoded");
    }

    /// Kills the server with SIGKILL, then starts it again on the same data.
    pub fn crash_and_restart(mut self) -> Server {
        self.kill();
        let data = std::mem::replace(&mut self.data, TempDir::new());
        let key = self.key.take();
        drop(self);
        let mut server = Server::start_without_key(data, &[]);
        server.key = key;
        server
    }

    /// Starts the server, or returns its log if it exits before listening.
    pub fn try_start(data: TempDir, args: &[&str]) -> Result<Server, String> {
        Server::spawn(data, args, &[], None)
    }

    /// Like [`Server::start_with`], with `env` added to the server's
    /// environment.
    pub fn start_with_env(data: TempDir, args: &[&str], env: &[(&str, &str)]) -> Server {
        let key = create_key(data.path(), "e2e", "pos");
        let mut server = Server::spawn(data, args, env, None)
            .unwrap_or_else(|log| panic!("barcoded did not start:\n{log}"));
        server.key = Some(key);
        server
    }

    /// Like [`Server::start_with`], with the server's log (its stderr)
    /// written to `log_file` rather than a pipe, and read back from there.
    pub fn start_logging_to(data: TempDir, args: &[&str], log_file: &Path) -> Server {
        let key = create_key(data.path(), "e2e", "pos");
        let mut server = Server::spawn(data, args, &[], Some(log_file))
            .unwrap_or_else(|log| panic!("barcoded did not start:\n{log}"));
        server.key = Some(key);
        server
    }

    fn spawn(
        data: TempDir,
        args: &[&str],
        env: &[(&str, &str)],
        log_file: Option<&Path>,
    ) -> Result<Server, String> {
        let stderr = match log_file {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("creating the log file")),
            None => Stdio::piped(),
        };
        let mut child = command(data.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("BARCODED_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("spawning barcoded");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        match (child.stderr.take(), log_file) {
            (Some(stderr), _) => {
                std::thread::spawn(move || {
                    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                        sink.lock().unwrap().push(line);
                    }
                });
            }
            (None, Some(path)) => {
                let path = path.to_owned();
                std::thread::spawn(move || tail(&path, &sink));
            }
            (None, None) => unreachable!("stderr is piped when there is no log file"),
        }
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let address = log.lock().unwrap().iter().find_map(|line| {
                let (_, url) = line.split_once("listening on ")?;
                let address = url
                    .strip_prefix("http://")
                    .or(url.strip_prefix("https://"))?;
                // In a JSON line the address is followed by the rest of the object.
                let end = address
                    .find(|c: char| !(c.is_ascii_alphanumeric() || ".:[]".contains(c)))
                    .unwrap_or(address.len());
                Some(address[..end].to_owned())
            });
            if let Some(address) = address {
                return Ok(Server {
                    child,
                    address,
                    log,
                    key: None,
                    data,
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

    /// Sends one request with the server's key.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Response {
        let authorization = self.key.as_ref().map(|key| format!("Bearer {key}"));
        self.request_as(authorization.as_deref(), method, path, body)
    }

    /// Sends one request with the given `Authorization` header (or none) and
    /// returns its status, headers and body.
    pub fn request_as(
        &self,
        authorization: Option<&str>,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Response {
        self.try_request_as(authorization, method, path, body)
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    /// Like [`Server::request_as`], returning what went wrong on the wire
    /// (a server that is gone, say) rather than panicking.
    pub fn try_request_as(
        &self,
        authorization: Option<&str>,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> std::io::Result<Response> {
        let authorization =
            authorization.map_or_else(String::new, |value| format!("Authorization: {value}\r\n"));
        let mut stream = TcpStream::connect(&self.address)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        // The server may answer (and close) before reading an oversized body.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        if !raw.windows(4).any(|w| w == b"\r\n\r\n") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed before a whole response",
            ));
        }
        let response = Response::parse(&raw);
        crate::openapi::check(
            method,
            path,
            response.status,
            response.header("content-type"),
            &response.body,
        );
        Ok(response)
    }

    /// `GET` a path with the server's key.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, b"")
    }

    /// `POST /api/barcode/` with a JSON body.
    pub fn scan(&self, body: &Value) -> Response {
        self.request("POST", "/api/barcode/", body.to_string().as_bytes())
    }

    /// The lines of the server's log that contain `text`.
    pub fn log_lines(&self, text: &str) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|line| line.contains(text))
            .cloned()
            .collect()
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

/// Copies the lines appended to `path` into `sink` until the server that
/// writes them is dropped.
fn tail(path: &Path, sink: &Arc<Mutex<Vec<String>>>) {
    let mut read = 0;
    let mut partial = String::new();
    while Arc::strong_count(sink) > 1 {
        if let Ok(bytes) = std::fs::read(path)
            && bytes.len() > read
        {
            partial.push_str(&String::from_utf8_lossy(&bytes[read..]));
            read = bytes.len();
            while let Some(end) = partial.find('\n') {
                let line: String = partial.drain(..=end).collect();
                sink.lock().unwrap().push(line.trim_end().to_owned());
            }
        }
        std::thread::sleep(Duration::from_millis(20));
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
    pub fn parse(raw: &[u8]) -> Response {
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
