//! The `barcoded` command line: run the service, and manage what it serves.
//!
//! Commands parse and print; what they do is an operation of barcoded-app:
//! the back office ([`barcoded_app::Office`]) for records, the whole
//! [`barcoded_app::Service`] where plugins are asked. The store allows
//! several processes at once, so every command works while the server runs,
//! and the server sees their changes within milliseconds (plugin changes
//! within a second).

mod audit;
mod catalog;
mod config;
mod keys;
mod notify;
mod orders;
mod plugins;
mod shell;
mod stock;
mod store;
mod toolkit;
mod trial;
mod trust;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, FromArgMatches, Parser, Subcommand};

use crate::{http, log};
use barcoded_app::{Office, Policy, Service, Setup, StorePlace, TableCopy};
use barcoded_domain::Retention;
use shell::{CliResult, DEFAULT_HISTORY, local_service, print_json, wait};

/// Decodes scanned barcodes with sandboxed WebAssembly plugins.
///
/// Point-of-sale terminals and scanners send the raw text a barcode scanner
/// produced; barcoded hands it to each installed plugin in priority order,
/// answers with the first decode, and resolves codes to products from its
/// catalog.
#[derive(Debug, Parser)]
#[command(name = "barcoded", version, propagate_version = true)]
#[command(
    after_help = "Logging: set BARCODED_LOG (for example `debug`, or `info,plugin=warn`).\n\
First steps:\n  barcoded serve --demo\n  barcoded key create --name till-1 --role pos"
)]
pub struct Cli {
    /// Folder holding the store (catalog.redb) and installed plugins.
    #[arg(
        long,
        global = true,
        env = "BARCODED_DATA_DIR",
        default_value = "barcoded-data"
    )]
    data_dir: PathBuf,

    /// The store: unset, the redb file in the data folder; or a PostgreSQL
    /// database that a fleet of servers shares, as
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE (docs/scaling.md), with
    /// ?sslmode=verify-full&sslrootcert=CA.pem across a network. The data
    /// folder then keeps only this node's compiled-code cache.
    #[arg(
        long,
        global = true,
        env = "BARCODED_STORE",
        value_name = "URL",
        hide_env_values = true
    )]
    store: Option<String>,

    /// How log lines are written: text for people, or json (one object
    /// per line, with the scan id, plugin and key name as fields).
    #[arg(
        long,
        global = true,
        env = "BARCODED_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: log::LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service.
    ///
    /// Loads the installed plugins (see `barcoded plugin`), then serves the
    /// scan and lookup APIs. Plugin changes made while it runs (install,
    /// enable, priority, ...) take effect within a second, without a restart. Requests
    /// need an API key: create one with `barcoded key create`. Stop it with
    /// Ctrl-C or SIGTERM: requests in flight are finished first.
    #[command(
        after_help = "Example:\n  barcoded serve --listen 0.0.0.0:8080 --data-dir /var/lib/barcoded"
    )]
    Serve(ServeArgs),
    /// Decode one barcode with the installed plugins and print the JSON answer.
    ///
    /// Runs the same plugin chain and catalog join as the server, without
    /// starting it, and like the server books what the decoding plugin asks
    /// for and records the scan in the history (with no key name). Exits 0
    /// when a plugin decoded the barcode, 1 otherwise.
    /// In bash, pass control characters with $'...', for example $'\x1d'
    /// for GS (FNC1).
    #[command(
        after_help = "Examples:\n  barcoded scan 4006381333931\n  barcoded scan $']d2\\x1d0109521234543213'"
    )]
    Scan(ScanArgs),
    /// Resolve a code to its barcode record and product, as the lookup API does.
    ///
    /// Prints the same JSON as GET /api/barcode/lookup/CODE. Exits 1 when
    /// no active record matches.
    Lookup(LookupArgs),
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// Install, list, order, configure and remove plugins.
    #[command(subcommand)]
    Plugin(plugins::PluginCommand),
    /// Import, export and edit products and barcode records.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Show stock levels and movements, and correct a level.
    #[command(subcommand)]
    Stock(stock::StockCommand),
    /// Create and show purchase orders, which plugins receive goods against.
    #[command(subcommand)]
    Order(orders::OrderCommand),
    /// Check a configuration file and print the settings in effect.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Trust publishers' keys, and require their signatures on plugins.
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// Show the audit trail: who changed keys, plugins, links, the catalog,
    /// stock and orders, and when.
    ///
    /// Every administrative change is recorded, over the API (with the
    /// key's name) and from this command line (with the user's), on either
    /// store; a key's secret never is. Newest first, a page at a time.
    Audit(audit::AuditArgs),
    /// Move a store between a data folder and a PostgreSQL database.
    #[command(subcommand)]
    Store(store::StoreCommand),
    /// Write a consistent copy of the store to FILE, while the server runs.
    ///
    /// The copy is taken from one snapshot: every product, barcode record,
    /// key digest, plugin (with its component), stock level and movement,
    /// order and history entry as they stood at one moment; scans and
    /// changes after it are not in it. FILE is a redb file of its own,
    /// private to you (0600). Prints each table's rows and SHA-256, which
    /// `barcoded restore` prints too, so that the two can be compared.
    #[command(after_help = "Example:\n  barcoded backup /var/backups/barcoded-$(date +%F).redb")]
    Backup(FileArgs),
    /// Replace the store with a backup made by `barcoded backup`.
    ///
    /// Stop the server first: restore refuses while any process has the
    /// store open. Everything in the store is replaced by the backup's
    /// contents; the components of its plugins are written back. Prints
    /// each table's rows and SHA-256, as the backup did.
    #[command(after_help = "Example:\n  barcoded restore /var/backups/barcoded-2026-12-01.redb")]
    Restore(FileArgs),
}

#[derive(Debug, Args)]
struct FileArgs {
    /// The backup file.
    file: PathBuf,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Read settings from this TOML file (every option here and the store,
    /// by the option's name with `_`: docs/operating.md). Options override
    /// the environment, which overrides the file. Without it (and without
    /// BARCODED_CONFIG, which every command reads),
    /// /etc/barcoded/barcoded.toml is read if it exists. SIGHUP rereads it:
    /// pos_may_link, quarantine_after, history_max and history_keep change
    /// live; the log names any other setting changed, which takes a restart.
    #[arg(long, env = "BARCODED_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Address and port to listen on; port 0 picks a free port (logged).
    #[arg(long, env = "BARCODED_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Seed the demo catalog (docs/cli.md) when the catalog is empty.
    #[arg(long)]
    demo: bool,

    /// Let `pos` keys link barcodes to products and unlink them
    /// (InvenTree's POST /api/barcode/link/ and unlink/); without it only
    /// `admin` keys may.
    #[arg(long, env = "BARCODED_POS_MAY_LINK")]
    pos_may_link: bool,

    /// Quarantine a plugin after this many failed scans in a row (traps,
    /// limits); 0 never does. `barcoded plugin enable NAME` puts it back.
    #[arg(long, env = "BARCODED_QUARANTINE_AFTER", default_value_t = 5)]
    quarantine_after: u32,

    /// Ask every plugin about every scan, ignoring the patterns plugins
    /// declare they may claim (their `claims` export). Answers must not
    /// change: use it to check that a plugin declares what it decodes.
    #[arg(long, env = "BARCODED_ASK_EVERY_PLUGIN")]
    ask_every_plugin: bool,

    /// Scans that may run at once, 1 to 120; more wait their turn
    /// [default: 4 per core].
    #[arg(long, env = "BARCODED_CONCURRENT_SCANS", value_parser = clap::value_parser!(u32).range(1..=MAX_CONCURRENT_SCANS))]
    concurrent_scans: Option<u32>,

    /// Keep at most this many scans in the history (GET
    /// /api/barcode/history); older ones are pruned as new ones arrive.
    #[arg(long, env = "BARCODED_HISTORY_MAX", default_value_t = DEFAULT_HISTORY.max_entries)]
    history_max: u64,

    /// Serve HTTPS with this PEM certificate chain (leaf first); needs
    /// --tls-key. Without it the server speaks plain HTTP, for loopback or
    /// a TLS-terminating proxy in front. SIGHUP reads both files again: a
    /// renewed certificate needs no restart.
    #[arg(
        long,
        env = "BARCODED_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert (keep it `chmod 600`).
    #[arg(
        long,
        env = "BARCODED_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,

    /// Connections open at once. When all are taken, a new client takes
    /// the slot of one that has not sent a whole request yet (the oldest),
    /// else of the one idle longest; only when every connection has a
    /// request in flight is it answered 503 (with Retry-After) and closed.
    #[arg(long, env = "BARCODED_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    max_connections: u32,

    /// Also serve GET /metrics (Prometheus) on this address, without an
    /// API key: keep it on a network only the monitoring reaches. Without
    /// it, /metrics is served on --listen to `admin` keys.
    #[arg(long, env = "BARCODED_METRICS_LISTEN", value_name = "ADDRESS")]
    metrics_listen: Option<SocketAddr>,

    /// Prune history entries older than this, such as 90days, 12h or 30s.
    #[arg(long, env = "BARCODED_HISTORY_KEEP", default_value = "90days", value_parser = humantime::parse_duration)]
    history_keep: std::time::Duration,

    /// How long a new client may take to send its whole first request head
    /// (after the TLS handshake, which counts too) before it is dropped,
    /// such as 5s; raise it for clients on very slow links.
    #[arg(long, env = "BARCODED_HEAD_TIMEOUT", default_value = "5s", value_parser = head_timeout)]
    head_timeout: std::time::Duration,
}

/// A `--head-timeout`: 1 second to 10 minutes.
fn head_timeout(text: &str) -> Result<std::time::Duration, String> {
    let timeout = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if !(std::time::Duration::from_secs(1)..=std::time::Duration::from_secs(600)).contains(&timeout)
    {
        return Err("the head timeout is 1s to 10min".into());
    }
    Ok(timeout)
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// The barcode text, exactly as the scanner produced it.
    data: String,
}

#[derive(Debug, Args)]
struct LookupArgs {
    /// The code to resolve (trimmed).
    code: String,

    /// Only the record for this unit of measure, such as EA, CA or PL.
    #[arg(long, value_name = "UOM")]
    uom: Option<String>,
}

/// Parses the command line, runs the command, and reports any error.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file as `serve` reads it, and print every
    /// setting's effective value and where it came from (the store's
    /// password hidden). Exits 1 naming what is wrong.
    #[command(after_help = "Example:\n  barcoded config check /etc/barcoded/barcoded.toml")]
    Check(config::CheckArgs),
}

pub fn run() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let loaded = match config::load(&args) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let command = <Cli as clap::CommandFactory>::command();
    let matches = command.clone().get_matches_from(&args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    let reloader = loaded.reloader(command, &args, &matches);
    let quiet = !matches!(cli.command, Command::Serve(_));
    log::init(
        if quiet { "warn,plugin=info" } else { "info" },
        cli.log_format,
    );
    // One runtime for the process: it serves HTTP, and drives the
    // PostgreSQL store's connections for every command.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let code = {
        let _inside = runtime.enter();
        StorePlace::chosen(&cli.data_dir, cli.store.as_deref())
            .map_err(Into::into)
            .and_then(|place| {
                let context = Context {
                    runtime: &runtime,
                    data_dir: &cli.data_dir,
                    place: &place,
                    reloader,
                };
                execute(context, &loaded, cli.command)
            })
    };
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    code.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    })
}

/// What every command runs with.
struct Context<'a> {
    runtime: &'a tokio::runtime::Runtime,
    data_dir: &'a Path,
    place: &'a StorePlace,
    /// For `serve`: how SIGHUP rereads the configuration file, if one is in use.
    reloader: Option<config::Reloader>,
}

fn execute(context: Context, loaded: &config::Loaded, command: Command) -> CliResult {
    let (data_dir, place) = (context.data_dir, context.place);
    match command {
        Command::Serve(args) => serve(context, args),
        Command::Scan(args) => scan(data_dir, place, args),
        Command::Lookup(args) => lookup(place, args),
        Command::Key(command) => keys::run(&Office::open(place)?, command),
        Command::Plugin(command) => plugins::run(data_dir, place, command),
        Command::Catalog(command) => catalog::run(data_dir, place, command),
        Command::Stock(command) => stock::run(&Office::open(place)?, command),
        Command::Order(command) => orders::run(&Office::open(place)?, command),
        Command::Audit(args) => audit::run(&Office::open(place)?, args),
        Command::Trust(command) => trust::run(&Office::open(place)?, command),
        Command::Config(ConfigCommand::Check(args)) => {
            config::check(args, loaded, <Cli as clap::CommandFactory>::command())
        }
        Command::Store(command) => store::run(command),
        Command::Backup(args) => backup(place, &args.file),
        Command::Restore(args) => restore(place, &args.file),
    }
}

fn backup(place: &StorePlace, file: &Path) -> CliResult {
    let tables = barcoded_app::backup(place, file)?;
    let records = print_tables(&tables);
    eprintln!("Backed up {records} records to {}.", file.display());
    Ok(ExitCode::SUCCESS)
}

fn restore(place: &StorePlace, file: &Path) -> CliResult {
    let tables = barcoded_app::restore(place, file)?;
    let records = print_tables(&tables);
    eprintln!(
        "Restored {records} records from {} into {place}.",
        file.display(),
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints each table's rows and SHA-256; returns the rows in all.
fn print_tables(tables: &[TableCopy]) -> u64 {
    println!("{:<20} {:>10}  SHA256", "TABLE", "ROWS");
    for table in tables {
        println!("{:<20} {:>10}  {}", table.table, table.rows, table.sha256);
    }
    tables.iter().map(|t| t.rows).sum()
}

/// The settings of `args` a running server may change.
fn policy(args: &ServeArgs) -> Policy {
    Policy {
        pos_may_link: args.pos_may_link,
        quarantine_after: args.quarantine_after,
        history: Retention {
            max_entries: args.history_max,
            max_age: args.history_keep,
        },
    }
}

fn serve(context: Context, args: ServeArgs) -> CliResult {
    let Context {
        runtime,
        data_dir,
        place,
        reloader,
    } = context;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(Arc::new(http::tls::Certificate::load(cert, key)?)),
        _ => None,
    };
    let service = Arc::new(Service::open(&Setup {
        data_dir: data_dir.to_owned(),
        store: place.clone(),
        ask_every_plugin: args.ask_every_plugin,
        concurrent_scans: args
            .concurrent_scans
            .map_or(4 * cores, |n| n as usize)
            .min(MAX_CONCURRENT_SCANS as usize),
        policy: policy(&args),
    })?);
    if args.demo {
        wait(catalog::seed_demo(service.office()))?;
    }
    runtime.block_on(async {
        report_readiness(&service).await?;
        let listener = http::listen(args.listen)
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!("listening on {scheme}://{address}");
        let notifier = notify::Notifier::from_environment().map(Arc::new);
        if let Some(notifier) = &notifier {
            notifier.send(&format!(
                "READY=1\nSTATUS=listening on {scheme}://{address}"
            ));
        }
        let watchdog = notifier.clone().zip(notify::Notifier::watchdog_every());
        let watchdog =
            watchdog.map(|(notifier, every)| tokio::spawn(keep_watchdog_fed(notifier, every)));
        let housekeeping = tokio::spawn(keep_plugins_current(service.clone()));
        let reloading = tokio::spawn(reload_on_hangup(Hangup {
            tls: tls.clone(),
            reloader,
            service: service.clone(),
        }));
        let metrics = match args.metrics_listen {
            Some(address) => {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .map_err(|e| format!("cannot listen for metrics on {address}: {e}"))?;
                let address = listener
                    .local_addr()
                    .map_err(|e| format!("cannot read the metrics address: {e}"))?;
                tracing::info!("metrics on http://{address}/metrics");
                Some(tokio::spawn(http::serve_metrics(listener, service.clone())))
            }
            None => None,
        };
        let options = http::Options {
            max_connections: args.max_connections as usize,
            tls,
            head_timeout: args.head_timeout,
        };
        let stopping = async {
            shutdown_signal().await;
            if let Some(notifier) = &notifier {
                notifier.send("STOPPING=1");
            }
        };
        http::serve(listener, service.clone(), options, stopping).await;
        housekeeping.abort();
        if let Some(watchdog) = watchdog {
            watchdog.abort();
        }
        reloading.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    // Writes what is still in memory, where a thread may block.
    service.close();
    Ok(ExitCode::SUCCESS)
}

/// Logs what an operator needs to know before the first request arrives.
async fn report_readiness(service: &Service) -> CliResult<()> {
    let counts = service.office().counts().await?;
    tracing::info!(
        "catalog: {} products, {} barcode records",
        counts.products,
        counts.barcodes
    );
    for name in service.quarantined().await.iter() {
        tracing::warn!(
            "plugin {name} is quarantined and will be skipped: `barcoded plugin enable {name}` puts it back"
        );
    }
    let keys = service.office().keys().await?;
    if keys.is_empty() {
        tracing::warn!(
            "no API keys exist, so every request will be refused with 401. Create one with \
             `barcoded key create --name NAME --role pos` (it works while the server runs)"
        );
    }
    Ok(())
}

fn scan(data_dir: &Path, place: &StorePlace, args: ScanArgs) -> CliResult {
    let service = local_service(data_dir, place)?;
    let scanned = wait(service.scan(&args.data, None));
    service.close();
    let scanned = scanned?;
    print_json(&crate::answer::scan_answer(&args.data, &scanned).1)?;
    Ok(if scanned.resolved() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn lookup(place: &StorePlace, args: LookupArgs) -> CliResult {
    let office = Office::open(place)?;
    let found = wait(office.lookup(args.code.trim(), args.uom.as_deref()))?;
    let Some(found) = found else {
        eprintln!("no active barcode record matches {:?}", args.code.trim());
        return Ok(ExitCode::FAILURE);
    };
    print_json(&serde_json::json!({ "barcode": found.barcode, "product": found.product }))?;
    Ok(ExitCode::SUCCESS)
}

/// The most scans that may run at once: every one holds a plugin instance,
/// and the engine's pool keeps room for loads and reloads beside them.
const MAX_CONCURRENT_SCANS: i64 = barcoded_sandbox::POOL_INSTANCES as i64 - 8;

/// How often the server checks the registry for plugin changes.
const RELOAD_POLL: std::time::Duration = std::time::Duration::from_millis(250);
/// Every how many polls the plugins' scan counts are written to the store.
const STATS_EVERY: u32 = 8;

/// Reloads the plugins when the registry changes, and records their scan
/// counts, until the server stops.
async fn keep_plugins_current(service: Arc<Service>) {
    let mut ticker = tokio::time::interval(RELOAD_POLL);
    for tick in 0u32.. {
        ticker.tick().await;
        let service = service.clone();
        let work = tokio::task::spawn_blocking(move || {
            if let Err(error) = service.reload_if_changed() {
                tracing::error!("cannot reload plugins: {error}");
            }
            if tick % STATS_EVERY == 0 {
                service.flush_stats();
            }
        });
        let _ = work.await;
    }
}

/// The settings a server may change while it runs, and what they change.
const LIVE: [&str; 4] = [
    "pos_may_link",
    "quarantine_after",
    "history_max",
    "history_keep",
];

/// What a SIGHUP reloads.
struct Hangup {
    tls: Option<Arc<http::tls::Certificate>>,
    reloader: Option<config::Reloader>,
    service: Arc<Service>,
}

/// On each SIGHUP, rereads the configuration file and applies the settings
/// that may change live (naming those that take a restart), and reads the
/// TLS certificate and key again: new connections get the renewed
/// certificate, open ones keep theirs. Nothing is dropped.
async fn reload_on_hangup(mut hangup: Hangup) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        return;
    };
    while hangups.recv().await.is_some() {
        if let Some(reloader) = &mut hangup.reloader {
            reread(reloader, &hangup.service);
        }
        match &hangup.tls {
            None => tracing::info!("SIGHUP: no TLS certificate to reload"),
            Some(certificate) => match certificate.reload() {
                Ok(()) => tracing::info!("SIGHUP: reloaded the TLS certificate and key"),
                Err(error) => tracing::warn!(
                    "SIGHUP: kept the previous TLS certificate, the new one cannot be used: {error}"
                ),
            },
        }
    }
}

/// Rereads the configuration file and applies what may change live.
fn reread(reloader: &mut config::Reloader, service: &Service) {
    let file = reloader.path().display().to_string();
    let reread = match reloader.reread() {
        Ok(reread) => reread,
        Err(error) => {
            tracing::error!("SIGHUP: kept the settings in use, the file cannot be used: {error}");
            return;
        }
    };
    let args = match ServeArgs::from_arg_matches(&reread.serve) {
        Ok(args) => args,
        Err(error) => {
            tracing::error!("SIGHUP: kept the settings in use: {file}: {error}");
            return;
        }
    };
    service.set_policy(policy(&args));
    let (live, fixed): (Vec<&str>, Vec<&str>) =
        reread.changed.iter().partition(|name| LIVE.contains(name));
    if live.is_empty() {
        tracing::info!("SIGHUP: reread {file}, no setting that may change live changed");
    } else {
        tracing::info!("SIGHUP: reread {file}, applied {}", live.join(", "));
    }
    if !fixed.is_empty() {
        tracing::warn!(
            "SIGHUP: {file} changes {}, which take a restart: the server keeps the values it \
             started with",
            fixed.join(", ")
        );
    }
}

/// Tells systemd's watchdog every `every` that the runtime still runs work,
/// its blocking pool (where commits and compiles run) included.
async fn keep_watchdog_fed(notifier: Arc<notify::Notifier>, every: std::time::Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        let pool = tokio::task::spawn_blocking(|| ());
        if matches!(tokio::time::timeout(every, pool).await, Ok(Ok(()))) {
            notifier.send("WATCHDOG=1");
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
