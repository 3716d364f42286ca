//! `barcoded plugin`: install, order, configure and remove plugins. Every
//! command works while the server runs; it picks the change up within a
//! second, and scans in flight finish on the plugins they started with.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barcoded_app::plugins::{Change, PluginStatus, missing_grants};
use barcoded_app::{InstallRequest, Installed, Office, StorePlace};
use barcoded_domain::{Capability, LimitOverrides, PluginRecord};
use clap::Subcommand;

use super::shell::{CliResult, by, print_json, wait};

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Validate a component and install it.
    ///
    /// The component must be a wasm32-wasip2 component of the
    /// barcode:plugin@0.1.0 world, import nothing beyond WASI and that
    /// world's imports, be at most 48 MiB, and answer `info`. It holds no
    /// capabilities until granted (`plugin grant`); install says which its
    /// imports need. It is stored under its SHA-256
    /// digest. Installing under the name of an installed plugin is an
    /// upgrade, and only happens when you say so: with --name of that
    /// plugin, or --upgrade for the name the component gives itself. An
    /// upgrade keeps the plugin's priority, state, limits, settings, and the
    /// grants the old version's imports asked for; others are not carried
    /// over, and install says which. Installing the identical bytes again
    /// changes nothing and says so.
    #[command(
        after_help = "Example:\n  barcoded plugin install target/wasm32-wasip2/release/gtin.wasm --priority 10"
    )]
    Install {
        /// The component file (.wasm).
        file: PathBuf,
        /// Install under this name [default: the name the plugin gives itself].
        #[arg(long)]
        name: Option<String>,
        /// Lower priorities are asked first [default: 100, or the old one on upgrade].
        #[arg(long, allow_negative_numbers = true)]
        priority: Option<i32>,
        /// Install it disabled.
        #[arg(long)]
        disabled: bool,
        /// Replace the installed plugin of the name the component gives
        /// itself (without it, that name must be free).
        #[arg(long)]
        upgrade: bool,
    },
    /// Run a component that is not installed on sample data, and print
    /// each answer as a line of JSON.
    ///
    /// It runs in the sandbox and with the limits an installed plugin gets;
    /// what it prints goes to stderr. It warns when the plugin claims data
    /// that is plainly not its own. Exits 1 when a scan failed (a trap, a
    /// limit), 0 otherwise.
    #[command(
        after_help = "Examples:\n  barcoded plugin try shelf.wasm SHELF-12-3 SHELF-x 4006381333931\n  barcoded plugin try inventree_labels.wasm INV-PA12 --config prefix=ACME- --grant catalog-read"
    )]
    Try(super::trial::TryArgs),
    /// Write a new plugin project: a decoder of shelf labels
    /// (SHELF-<aisle>-<bay>) with its tests, the WIT, and a copy of the SDK.
    ///
    /// Rust projects test with `cargo test`, Python ones with `python3 -m
    /// unittest`, JavaScript ones with `node --test`, all natively with the
    /// server faked; `barcoded plugin build` builds any of them.
    #[command(
        after_help = "Examples:\n  barcoded plugin new shelf --lang python\n  barcoded plugin new shelf --lang rust --dir plugins/shelf"
    )]
    New(super::toolkit::NewArgs),
    /// Build a plugin project (Rust, Python or JavaScript) to a component.
    ///
    /// Sets up what it needs on first use: componentize-py from PyPI for
    /// Python, componentize-qjs from npm for JavaScript, and for Rust the
    /// wasm32-wasip2 rustup target or, where it cannot be downloaded,
    /// Debian's rustc-web (installed when run as root). Uses the WIT and
    /// SDKs this barcoded embeds, or the project's own copy of the SDK.
    #[command(after_help = "Example:\n  barcoded plugin build shelf -o shelf.wasm")]
    Build(super::toolkit::BuildArgs),
    /// List installed plugins in the order they are asked.
    List,
    /// Show everything about one plugin, as JSON.
    Info {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
    },
    /// Enable a plugin, and take it out of quarantine.
    Enable {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
    },
    /// Disable a plugin: it stays installed but is not asked.
    Disable {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
    },
    /// Set a plugin's priority (lower is asked first).
    Priority {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
        /// Lower priorities are asked first.
        #[arg(allow_negative_numbers = true)]
        priority: i32,
    },
    /// Remove a plugin.
    Remove {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
    },
    /// Show or change a plugin's settings, which it reads through `config`.
    #[command(
        after_help = "Examples:\n  barcoded plugin config hello greeting=hoi\n  barcoded plugin config hello --unset greeting\n  barcoded plugin config hello"
    )]
    Config {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
        /// Settings to set, as KEY=VALUE.
        settings: Vec<String>,
        /// Settings to remove.
        #[arg(long, value_name = "KEY")]
        unset: Vec<String>,
    },
    /// Allow a plugin calls to the server that every plugin is refused by
    /// default.
    ///
    /// Capabilities: catalog-read (look up products and barcode records),
    /// stock-read (read stock levels), stock-write (change stock levels),
    /// po-receive (receive goods against purchase orders). A plugin calling
    /// what it was not granted gets an error value and the call is logged.
    /// `plugin list` shows what each plugin holds and what it asks for.
    #[command(after_help = "Example:\n  barcoded plugin grant kanban stock-write")]
    Grant {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
        /// catalog-read, stock-read, stock-write or po-receive.
        #[arg(required = true)]
        capabilities: Vec<Capability>,
    },
    /// Take capabilities back from a plugin.
    Revoke {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
        /// catalog-read, stock-read, stock-write or po-receive.
        #[arg(required = true)]
        capabilities: Vec<Capability>,
    },
    /// Show or replace a plugin's limits, as JSON.
    ///
    /// Keys: cpu_time_ms, memory_mib, table_elements, instances,
    /// output_bytes, output_lines, answer_fields, answer_value_bytes,
    /// payload_bytes. Missing keys take the defaults; `{}` restores them all.
    #[command(
        after_help = "Example:\n  barcoded plugin limits gtin '{\"cpu_time_ms\": 250, \"memory_mib\": 64}'"
    )]
    Limits {
        /// The installed plugin's name, as `plugin list` shows it.
        name: String,
        /// The new limits; without it, the current ones are shown.
        json: Option<String>,
    },
    /// Make a publisher's key pair for signing plugins (Ed25519).
    ///
    /// Keep the secret key private (it is written 0600) and give the public
    /// key to the operators who install your plugins (`barcoded trust add`).
    /// The files are in wasmsign2's format: its CLI signs and verifies with
    /// them too.
    #[command(after_help = "Example:
  barcoded plugin keygen --secret-key acme.secret --public-key acme.public")]
    Keygen {
        /// Where to write the secret key; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        secret_key: PathBuf,
        /// Where to write the public key; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        public_key: PathBuf,
    },
    /// Sign a component with a publisher's secret key.
    ///
    /// Adds a signature in the WebAssembly tool conventions' format (the
    /// `signature` section, as wasmsign2 writes it); signatures already in
    /// it stay, so several publishers may sign one component. A store that
    /// requires signatures (`barcoded trust require on`) installs only
    /// components a trusted key signed, and any change to their bytes
    /// after signing is refused.
    #[command(after_help = "Example:
  barcoded plugin sign target/wasm32-wasip2/release/gtin.wasm --key acme.secret")]
    Sign {
        /// The component to sign.
        file: PathBuf,
        /// The secret key (`plugin keygen`'s, wasmsign2's, or an OpenSSH Ed25519 key).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Write the signed component here instead of replacing FILE.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(data_dir: &Path, place: &StorePlace, command: PluginCommand) -> CliResult {
    // Opened by the commands that need it: a trial never creates a data folder.
    let office = || Office::open(place);
    match command {
        PluginCommand::Install {
            file,
            name,
            priority,
            disabled,
            upgrade,
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let request = InstallRequest {
                name,
                priority,
                disabled,
                upgrade,
            };
            let installed = barcoded_app::install(&by(), data_dir, place, &bytes, &request)?;
            match installed {
                Installed::New(record) => {
                    eprintln!(
                        "Installed plugin {} {} (priority {}, {}).",
                        record.name,
                        record.info.version,
                        record.priority,
                        state(&record)
                    );
                    tell_missing_grants(&record);
                }
                Installed::Upgraded {
                    from_version,
                    record,
                    withheld,
                } => {
                    eprintln!(
                        "Upgraded plugin {} from {from_version} to {} (priority {}, {}).",
                        record.name,
                        record.info.version,
                        record.priority,
                        state(&record)
                    );
                    for grant in &withheld {
                        eprintln!(
                            "Not carried over: {grant}, which version {from_version} held but \
                             never used."
                        );
                    }
                    tell_missing_grants(&record);
                }
                Installed::Unchanged(record) => eprintln!(
                    "Plugin {} already has these exact bytes installed; nothing changed.",
                    record.name
                ),
            }
        }
        PluginCommand::Try(args) => return super::trial::run(data_dir, place, args),
        PluginCommand::New(args) => return super::toolkit::new(args),
        PluginCommand::Build(args) => return super::toolkit::build(args),
        PluginCommand::List => list(&office()?)?,
        PluginCommand::Keygen {
            secret_key,
            public_key,
        } => keygen(&secret_key, &public_key)?,
        PluginCommand::Sign { file, key, output } => sign(&file, &key, output.as_deref())?,
        PluginCommand::Info { name } => print_json(&wait(office()?.plugin(&name))?)?,
        PluginCommand::Enable { name } => {
            let changed = wait(office()?.change_plugin(&by(), &name, Change::Enable))?;
            let note = if changed.released {
                " and out of quarantine"
            } else {
                ""
            };
            eprintln!("Plugin {name} is enabled{note}.");
        }
        PluginCommand::Disable { name } => {
            wait(office()?.change_plugin(&by(), &name, Change::Disable))?;
            eprintln!("Plugin {name} is disabled.");
        }
        PluginCommand::Priority { name, priority } => {
            wait(office()?.change_plugin(&by(), &name, Change::Priority(priority)))?;
            eprintln!("Plugin {name} now has priority {priority}.");
        }
        PluginCommand::Remove { name } => {
            wait(office()?.remove_plugin(&by(), &name))?;
            eprintln!("Removed plugin {name}.");
        }
        PluginCommand::Config {
            name,
            settings,
            unset,
        } => {
            let set = settings
                .iter()
                .map(|s| {
                    s.split_once('=')
                        .map(|(key, value)| (key.to_owned(), value.to_owned()))
                        .ok_or_else(|| format!("{s:?} is not KEY=VALUE"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let changed =
                wait(office()?.change_plugin(&by(), &name, Change::EditConfig { set, unset }))?;
            print_json(&changed.plugin.config)?;
        }
        PluginCommand::Grant { name, capabilities } => {
            let grant = Change::Grant(capabilities.into_iter().collect());
            let changed = wait(office()?.change_plugin(&by(), &name, grant))?;
            eprintln!("{}", holds(&name, &changed.plugin.grants));
        }
        PluginCommand::Revoke { name, capabilities } => {
            let revoke = Change::Revoke(capabilities.into_iter().collect());
            let changed = wait(office()?.change_plugin(&by(), &name, revoke))?;
            eprintln!("{}", holds(&name, &changed.plugin.grants));
        }
        PluginCommand::Limits { name, json } => {
            let record = match json {
                None => wait(office()?.plugin(&name))?.plugin,
                Some(json) => {
                    let limits: LimitOverrides =
                        serde_json::from_str(&json).map_err(|e| format!("bad limits: {e}"))?;
                    wait(office()?.change_plugin(&by(), &name, Change::Limits(limits)))
                        .map_err(|e| format!("bad limits: {e}"))?
                        .plugin
                }
            };
            print_json(&record.limits)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(office: &Office) -> CliResult<()> {
    let installed = wait(office.plugins())?;
    if installed.is_empty() {
        eprintln!("no plugins installed; install one with `barcoded plugin install FILE.wasm`");
    }
    println!(
        "{:<20} {:>8} {:<9} {:<12} {:<24} {:>8} {:>8} {:<12} {:<28} {:<16} AUTHOR",
        "NAME",
        "PRIORITY",
        "STATE",
        "VERSION",
        "DIGEST",
        "SCANS",
        "FAILURES",
        "QUARANTINED",
        "GRANTS",
        "SIGNER"
    );
    for status in installed {
        println!("{}", row(&status));
    }
    Ok(())
}

/// One plugin's line of `plugin list`.
fn row(status: &PluginStatus) -> String {
    let record = &status.plugin;
    let quarantine = if status.quarantine.is_some() {
        "yes"
    } else {
        "no"
    };
    let missing = status.missing_grants();
    let grants = if missing.is_empty() {
        names(&record.grants)
    } else {
        format!("{} (asks {})", names(&record.grants), names(&missing))
    };
    format!(
        "{:<20} {:>8} {:<9} {:<12} {:<24} {:>8} {:>8} {quarantine:<12} {grants:<28} {:<16} {}",
        record.name,
        record.priority,
        state(record),
        record.info.version,
        format!("sha256:{}…", &record.digest[..16]),
        status.scans,
        status.failures,
        record.signer.as_deref().unwrap_or("-"),
        record.info.author
    )
}

fn tell_missing_grants(record: &PluginRecord) {
    let missing = missing_grants(record);
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|c| c.name()).collect();
        eprintln!(
            "It calls the server with capabilities it does not hold: {}. Until an operator \
             grants them, those calls are refused: `barcoded plugin grant {} {}`",
            list.join(", "),
            record.name,
            list.join(" ")
        );
    }
}

/// `a,b`, or `-` for none.
/// What a grant or revoke leaves the plugin holding, in words.
fn holds(name: &str, grants: &BTreeSet<Capability>) -> String {
    if grants.is_empty() {
        return format!(
            "Plugin {name} now holds no capabilities: its calls to the server are refused."
        );
    }
    format!("Plugin {name} now holds: {}.", names(grants))
}

fn names(capabilities: &BTreeSet<Capability>) -> String {
    if capabilities.is_empty() {
        return "-".to_owned();
    }
    let list: Vec<&str> = capabilities.iter().map(|c| c.name()).collect();
    list.join(",")
}

fn keygen(secret_key: &Path, public_key: &Path) -> CliResult<()> {
    let (secret, public) = barcoded_app::signing::generate_keys();
    write_new(secret_key, &secret)?;
    write_new(public_key, &public)?;
    eprintln!(
        "Wrote the secret key to {} (keep it private) and the public key to {} (for \
         `barcoded trust add`).",
        secret_key.display(),
        public_key.display()
    );
    Ok(())
}

/// Writes `bytes` to a new file `path`, private to the user.
fn write_new(path: &Path, bytes: &[u8]) -> CliResult<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

fn sign(file: &Path, key: &Path, output: Option<&Path>) -> CliResult<()> {
    let component =
        std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let secret = std::fs::read(key).map_err(|e| format!("cannot read {}: {e}", key.display()))?;
    let signed = barcoded_app::signing::sign(&component, &secret)?;
    let output = output.unwrap_or(file);
    // A fresh file renamed into place: a reader never sees half a component.
    let temporary = output.with_extension("signing");
    std::fs::write(&temporary, &signed)
        .and_then(|()| std::fs::rename(&temporary, output))
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    eprintln!("Signed {} into {}.", file.display(), output.display());
    Ok(())
}

fn state(record: &PluginRecord) -> &'static str {
    if record.enabled {
        "enabled"
    } else {
        "disabled"
    }
}
