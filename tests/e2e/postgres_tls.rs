//! The fleet's database link over TLS: a PostgreSQL server of the test's own,
//! started with `ssl=on`, a certificate made here, and `hostssl` as the only
//! way in; `barcoded` connects to it as libpq's `sslmode` says.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::{Server, TempDir, binary, data_dir_with};

/// The PostgreSQL server's binaries of the newest version installed.
fn postgres_bin() -> PathBuf {
    let versions = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server is installed (`just postgres`)");
    let mut versions: Vec<PathBuf> = versions.map(|entry| entry.unwrap().path()).collect();
    versions.sort_by_key(|path| {
        path.file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.parse::<u32>().ok())
    });
    versions.pop().expect("a PostgreSQL version").join("bin")
}

/// Runs a PostgreSQL tool as the `postgres` user when the tests run as
/// root (PostgreSQL refuses to run as root).
fn as_server_user(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn succeed(command: &mut Command) {
    let output = command.output().expect("running a PostgreSQL tool");
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A certificate authority, and a server certificate it signed for `localhost`.
struct Certificates {
    ca: String,
    server_cert: String,
    server_key: String,
}

fn make_certificates() -> Certificates {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    Certificates {
        ca: ca.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
    }
}

/// A PostgreSQL server that only takes TLS connections, stopped on drop.
struct TlsPostgres {
    bin: PathBuf,
    cluster: PathBuf,
    port: u16,
    _dir: TempDir,
}

impl TlsPostgres {
    fn start(dir: TempDir, certificates: &Certificates) -> TlsPostgres {
        let bin = postgres_bin();
        let cluster = dir.path().join("cluster");
        // The server's user must reach its files.
        set_mode(dir.path(), 0o755);
        std::fs::create_dir(&cluster).unwrap();
        let password = dir.path().join("password");
        std::fs::write(&password, "barcoded\n").unwrap();
        set_mode(&password, 0o644);
        chown_to_server_user(&cluster);
        succeed(
            as_server_user(&bin.join("initdb"))
                .arg("--pgdata")
                .arg(&cluster)
                .args(["--username", "barcoded", "--auth", "scram-sha-256"])
                .arg(format!("--pwfile={}", password.display())),
        );
        std::fs::write(
            cluster.join("pg_hba.conf"),
            "local all all scram-sha-256\n\
             hostssl all all 127.0.0.1/32 scram-sha-256\n\
             hostssl all all ::1/128 scram-sha-256\n",
        )
        .unwrap();
        std::fs::write(cluster.join("server.crt"), &certificates.server_cert).unwrap();
        std::fs::write(cluster.join("server.key"), &certificates.server_key).unwrap();
        set_mode(&cluster.join("server.key"), 0o600);
        chown_to_server_user(&cluster);
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=localhost -c ssl=on \
             -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
            cluster.display()
        );
        succeed(
            as_server_user(&bin.join("pg_ctl"))
                .arg("--pgdata")
                .arg(&cluster)
                .args(["--wait", "--silent", "--log"])
                .arg(cluster.join("log"))
                .args(["--options", &options, "start"]),
        );
        TlsPostgres {
            bin,
            cluster,
            port,
            _dir: dir,
        }
    }

    /// The server's URL, at `host`, with `query`.
    fn url(&self, host: &str, query: &str) -> String {
        format!(
            "postgres://barcoded:barcoded@{host}:{}/postgres?{query}",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("--pgdata")
            .arg(&self.cluster)
            .args(["--mode", "immediate", "--silent", "stop"])
            .output();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn chown_to_server_user(path: &Path) {
    if as_server_user(Path::new("true")).get_program() == "runuser" {
        succeed(Command::new("chown").arg("-R").arg("postgres:").arg(path));
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `barcoded ARGS` on the store at `url`.
fn on_store(url: &str, args: &[&str]) -> Output {
    let data = TempDir::new();
    Command::new(binary())
        .arg("--data-dir")
        .arg(data.path())
        .args(["--store", url])
        .args(args)
        .output()
        .unwrap()
}

fn list_plugins(url: &str) -> Output {
    on_store(url, &["plugin", "list"])
}

fn refusal(url: &str) -> String {
    let output = list_plugins(url);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{url} was accepted");
    assert!(!stderr.contains("barcoded:barcoded"), "{stderr}");
    stderr
}

#[test]
#[ignore = "needs PostgreSQL's server installed (`just postgres`; `just test` runs it)"]
fn the_database_link_speaks_tls_as_libpq_sslmode_says() {
    let dir = TempDir::new();
    let certificates = make_certificates();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &certificates.ca).unwrap();
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, make_certificates().ca).unwrap();
    let server = TlsPostgres::start(TempDir::new(), &certificates);
    let root = |file: &Path| format!("sslrootcert={}", file.display());

    // verify-full with the authority that signed the certificate works,
    // and so does a server serving on it.
    let trusted = server.url("localhost", &format!("sslmode=verify-full&{}", root(&ca)));
    let listed = list_plugins(&trusted);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let key = on_store(
        &trusted,
        &["key", "create", "--name", "till", "--role", "pos"],
    );
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    let key = format!("Bearer {}", String::from_utf8_lossy(&key.stdout).trim());
    let node = Server::start_without_key(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        &["--store", &trusted, "--demo"],
    );
    let lookup = node.request_as(Some(&key), "GET", "/api/barcode/lookup/5410317126589", b"");
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    drop(node);

    // A host name the certificate does not name: verify-full refuses,
    // verify-ca (the chain only) accepts.
    let wrong_host =
        refusal(&server.url("127.0.0.1", &format!("sslmode=verify-full&{}", root(&ca))));
    assert!(
        wrong_host.contains("host must be a name on it"),
        "{wrong_host}"
    );
    assert!(wrong_host.contains("127.0.0.1"), "{wrong_host}");
    assert!(!wrong_host.contains("ca.pem"), "{wrong_host}");
    let chain_only = server.url("127.0.0.1", &format!("sslmode=verify-ca&{}", root(&ca)));
    assert!(list_plugins(&chain_only).status.success());

    // Another authority: refused, in verify-ca and in require with a root.
    for mode in ["verify-ca", "require"] {
        let foreign =
            refusal(&server.url("localhost", &format!("sslmode={mode}&{}", root(&other_ca))));
        assert!(foreign.contains("must be the authority"), "{foreign}");
    }

    // Without TLS the server lets nobody in, and the message says why.
    let clear = refusal(&server.url("localhost", "sslmode=disable"));
    assert!(clear.contains("only TLS connections"), "{clear}");

    // prefer (the default) and require encrypt without checking the certificate.
    for query in ["", "sslmode=prefer", "sslmode=require"] {
        let output = list_plugins(&server.url("localhost", query));
        assert!(
            output.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
