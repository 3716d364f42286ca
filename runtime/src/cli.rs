//! The `barcoded` command line: run the service, or use it locally.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::chain::Chain;
use crate::limits::Limits;
use crate::service::Service;
use crate::{engine, http, log};

/// Decodes scanned barcodes with sandboxed WebAssembly plugins.
///
/// Point-of-sale terminals and scanners send the raw text a barcode scanner
/// produced; barcoded hands it to each installed plugin in priority order and
/// answers with the first decode.
#[derive(Debug, Parser)]
#[command(name = "barcoded", version, propagate_version = true)]
#[command(after_help = "Logging: set BARCODED_LOG (for example `debug`, or `info,plugin=warn`).")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service.
    ///
    /// Loads every plugin in the plugin folder at start-up (refusing to start
    /// if one is invalid), then answers POST /api/barcode/ with
    /// {"barcode_data": "..."}. Stop it with Ctrl-C or SIGTERM: requests in
    /// flight are finished first.
    #[command(
        after_help = "Example:\n  barcoded serve --listen 0.0.0.0:8080 --data-dir /var/lib/barcoded"
    )]
    Serve(ServeArgs),
    /// Decode one barcode with the installed plugins and print the JSON answer.
    ///
    /// Runs the same plugin chain as the server, without starting it. Exits 0
    /// when a plugin decoded the barcode, 1 otherwise. In bash, pass control
    /// characters with $'...', for example $'\x1d' for GS (FNC1).
    #[command(
        after_help = "Examples:\n  barcoded scan 4006381333931\n  barcoded scan $']d2\\x1d0109521234543213'"
    )]
    Scan(ScanArgs),
}

#[derive(Debug, Args)]
struct Folders {
    /// Folder holding the service's data.
    #[arg(long, env = "BARCODED_DATA_DIR", default_value = "barcoded-data")]
    data_dir: PathBuf,

    /// Folder of plugin components [default: DATA_DIR/plugins].
    ///
    /// Every *.wasm file in it is loaded. Name files <priority>-<name>.wasm
    /// (10-gtin.wasm) to order them: lower priorities are asked first; a file
    /// without a priority gets 100.
    #[arg(long, env = "BARCODED_PLUGINS_DIR", value_name = "DIR")]
    plugins: Option<PathBuf>,
}

impl Folders {
    fn plugins(&self) -> PathBuf {
        self.plugins
            .clone()
            .unwrap_or_else(|| self.data_dir.join("plugins"))
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    folders: Folders,

    /// Address and port to listen on; port 0 picks a free port (logged).
    #[arg(long, env = "BARCODED_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

#[derive(Debug, Args)]
struct ScanArgs {
    #[command(flatten)]
    folders: Folders,

    /// The barcode text, exactly as the scanner produced it.
    data: String,
}

/// Parses the command line, runs the command, and reports any error.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    log::init();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Scan(args) => scan(args),
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    })
}

fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    let service = Arc::new(load_service(&args.folders.plugins())?);
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
        http::serve(listener, service, shutdown_signal()).await;
        Ok(ExitCode::SUCCESS)
    })
}

fn scan(args: ScanArgs) -> Result<ExitCode, String> {
    let service = load_service(&args.folders.plugins())?;
    let answer = service.scan(&args.data);
    let json = serde_json::to_string_pretty(&answer.body).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(if answer.status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn load_service(plugins_dir: &Path) -> Result<Service, String> {
    let engine = engine::new_engine().map_err(|e| format!("cannot start wasmtime: {e:#}"))?;
    let chain =
        Chain::load_dir(&engine, plugins_dir, &Limits::default()).map_err(|e| e.to_string())?;
    for plugin in chain.plugins() {
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
    if chain.plugins().is_empty() {
        tracing::warn!(
            "no plugins in {}: every scan will answer \"no match\". Copy plugin components \
             (*.wasm) there, or pass --plugins DIR",
            plugins_dir.display()
        );
    }
    Ok(Service::new(chain))
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
