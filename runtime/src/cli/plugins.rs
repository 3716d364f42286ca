//! `barcoded plugin`: what is installed, and quarantine.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

use super::{PluginFolder, load_plugins, open_store};

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List the plugins in the plugin folder, in the order they are asked.
    ///
    /// Shows each plugin's priority, version and state: ok, quarantined (with
    /// the reason), or refused (not a valid plugin; with the reason).
    List {
        #[command(flatten)]
        plugins: PluginFolder,
    },
    /// Take a quarantined plugin out of quarantine.
    ///
    /// A running server asks it again within a second.
    Enable {
        /// The plugin's name, as `plugin list` shows it.
        name: String,
    },
}

pub fn run(data_dir: &Path, command: PluginCommand) -> Result<ExitCode, String> {
    let store = open_store(data_dir)?;
    match command {
        PluginCommand::List { plugins } => {
            let loaded = load_plugins(&plugins.resolve(data_dir))?;
            let quarantined = store.quarantined_plugins().map_err(|e| e.to_string())?;
            println!("{:<24} {:>8} {:<10} STATE", "NAME", "PRIORITY", "VERSION");
            for plugin in loaded.chain.plugins() {
                let state = quarantined.get(plugin.name()).map_or_else(
                    || "ok".to_owned(),
                    |q| format!("quarantined since {}: {}", q.since, q.reason),
                );
                println!(
                    "{:<24} {:>8} {:<10} {state}",
                    plugin.name(),
                    plugin.priority(),
                    plugin.info().version
                );
            }
            for refused in &loaded.refused {
                println!(
                    "{:<24} {:>8} {:<10} refused: {}",
                    refused.plugin, "-", "-", refused.reason
                );
            }
        }
        PluginCommand::Enable { name } => {
            if store.release_plugin(&name).map_err(|e| e.to_string())? {
                eprintln!(
                    "Plugin {name} is out of quarantine; a running server asks it again within a second."
                );
            } else {
                eprintln!("Plugin {name} was not quarantined; nothing to do.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
