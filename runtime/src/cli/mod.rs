//! The `barcoded` command line: run the service, and manage what it serves.
//!
//! Every command that touches the store opens it directly. The store allows
//! several processes at once, so all of them work while the server runs, and
//! the server sees their changes on its next request.

mod catalog;
mod keys;
mod plugins;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::chain::{Chain, Loaded};
use crate::limits::Limits;
use crate::service::{Policy, Service};
use crate::store::Store;
use crate::{engine, http, log};

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
    /// Folder holding the store (catalog.redb) and, by default, the plugins.
    #[arg(
        long,
        global = true,
        env = "BARCODED_DATA_DIR",
        default_value = "barcoded-data"
    )]
    data_dir: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service.
    ///
    /// Loads every plugin in the plugin folder at start-up (refusing to start
    /// if one is invalid), then serves the scan and lookup APIs. Requests
    /// need an API key: create one with `barcoded key create`. Stop it with
    /// Ctrl-C or SIGTERM: requests in flight are finished first.
    #[command(
        after_help = "Example:\n  barcoded serve --listen 0.0.0.0:8080 --data-dir /var/lib/barcoded"
    )]
    Serve(ServeArgs),
    /// Decode one barcode with the installed plugins and print the JSON answer.
    ///
    /// Runs the same plugin chain and catalog join as the server, without
    /// starting it. Exits 0 when a plugin decoded the barcode, 1 otherwise.
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
    /// List plugins and take them out of quarantine.
    #[command(subcommand)]
    Plugin(plugins::PluginCommand),
    /// Import, export and edit products and barcode records.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
}

#[derive(Debug, Args)]
struct PluginFolder {
    /// Folder of plugin components [default: DATA_DIR/plugins].
    ///
    /// Every *.wasm file in it is loaded. Name files <priority>-<name>.wasm
    /// (10-gtin.wasm) to order them: lower priorities are asked first; a file
    /// without a priority gets 100.
    #[arg(long, env = "BARCODED_PLUGINS_DIR", value_name = "DIR")]
    plugins: Option<PathBuf>,
}

impl PluginFolder {
    fn resolve(&self, data_dir: &Path) -> PathBuf {
        self.plugins
            .clone()
            .unwrap_or_else(|| data_dir.join("plugins"))
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    plugins: PluginFolder,

    /// Address and port to listen on; port 0 picks a free port (logged).
    #[arg(long, env = "BARCODED_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Seed the demo catalog (see README) when the catalog is empty.
    #[arg(long)]
    demo: bool,

    /// Quarantine a plugin after this many failed scans in a row (traps,
    /// limits); 0 never does. `barcoded plugin enable NAME` puts it back.
    #[arg(long, env = "BARCODED_QUARANTINE_AFTER", default_value_t = 5)]
    quarantine_after: u32,

    /// Scans that may run at once; more wait their turn [default: 4 per core].
    #[arg(long, env = "BARCODED_CONCURRENT_SCANS")]
    concurrent_scans: Option<usize>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    #[command(flatten)]
    plugins: PluginFolder,

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
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let quiet = !matches!(cli.command, Command::Serve(_));
    log::init(if quiet { "warn,plugin=info" } else { "info" });
    execute(&cli.data_dir, cli.command).unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    })
}

fn execute(data_dir: &Path, command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Serve(args) => serve(data_dir, args),
        Command::Scan(args) => scan(data_dir, args),
        Command::Lookup(args) => lookup(data_dir, args),
        Command::Key(command) => keys::run(&open_store(data_dir)?, command),
        Command::Plugin(command) => plugins::run(data_dir, command),
        Command::Catalog(command) => catalog::run(&open_store(data_dir)?, command),
    }
}

fn open_store(data_dir: &Path) -> Result<Store, String> {
    Store::open(data_dir).map_err(|e| e.to_string())
}

fn serve(data_dir: &Path, args: ServeArgs) -> Result<ExitCode, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let policy = Policy {
        quarantine_after: args.quarantine_after,
        concurrent_scans: args.concurrent_scans.unwrap_or(4 * cores),
    };
    let service = load_service(data_dir, &args.plugins, policy)?;
    if args.demo {
        catalog::seed_demo(service.store())?;
    }
    report_readiness(&service)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        tracing::info!("listening on http://{address}");
        http::serve(listener, Arc::new(service), shutdown_signal()).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Logs what an operator needs to know before the first request arrives.
fn report_readiness(service: &Service) -> Result<(), String> {
    let counts = service.store().counts().map_err(|e| e.to_string())?;
    tracing::info!(
        "catalog: {} products, {} barcode records",
        counts.products,
        counts.barcodes
    );
    for name in service.quarantined().iter() {
        tracing::warn!(
            "plugin {name} is quarantined and will be skipped: `barcoded plugin enable {name}` puts it back"
        );
    }
    let keys = service.store().list_keys().map_err(|e| e.to_string())?;
    if keys.is_empty() {
        tracing::warn!(
            "no API keys exist, so every request will be refused with 401. Create one with \
             `barcoded key create --name NAME --role pos` (it works while the server runs)"
        );
    }
    Ok(())
}

fn scan(data_dir: &Path, args: ScanArgs) -> Result<ExitCode, String> {
    let policy = Policy {
        quarantine_after: 0,
        concurrent_scans: 1,
    };
    let service = load_service(data_dir, &args.plugins, policy)?;
    let answer = service.scan(&args.data);
    print_json(&answer.body)?;
    Ok(if answer.status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn lookup(data_dir: &Path, args: LookupArgs) -> Result<ExitCode, String> {
    let store = open_store(data_dir)?;
    let found = store
        .lookup(args.code.trim(), args.uom.as_deref())
        .map_err(|e| e.to_string())?;
    let Some(found) = found else {
        eprintln!("no active barcode record matches {:?}", args.code.trim());
        return Ok(ExitCode::FAILURE);
    };
    print_json(&serde_json::json!({ "barcode": found.barcode, "product": found.product }))?;
    Ok(ExitCode::SUCCESS)
}

fn print_json(value: &serde_json::Value) -> Result<(), String> {
    let json = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn load_service(
    data_dir: &Path,
    plugins: &PluginFolder,
    policy: Policy,
) -> Result<Service, String> {
    let loaded = load_plugins(&plugins.resolve(data_dir))?;
    Ok(Service::new(loaded, open_store(data_dir)?, policy))
}

/// Loads the plugin folder, logging each plugin and each file refused.
fn load_plugins(plugins_dir: &Path) -> Result<Loaded, String> {
    let engine = engine::new_engine().map_err(|e| format!("cannot start wasmtime: {e:#}"))?;
    let loaded =
        Chain::load_dir(&engine, plugins_dir, &Limits::default()).map_err(|e| e.to_string())?;
    for refused in &loaded.refused {
        tracing::error!("{refused}; it is not loaded");
    }
    for plugin in loaded.chain.plugins() {
        let info = plugin.info();
        tracing::info!(
            "loaded plugin {} (priority {}): {} {} by {}",
            plugin.name(),
            plugin.priority(),
            info.title,
            info.version,
            info.author
        );
    }
    if loaded.chain.plugins().is_empty() {
        tracing::warn!(
            "no plugins in {}: every scan will answer \"no match\". Copy plugin components \
             (*.wasm) there, or pass --plugins DIR",
            plugins_dir.display()
        );
    }
    Ok(loaded)
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
