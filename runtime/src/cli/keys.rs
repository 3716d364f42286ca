//! `barcoded key`: API keys for POS clients and administrators.

use std::process::ExitCode;

use barcoded_app::Office;
use barcoded_domain::Role;
use clap::Subcommand;

use super::shell::{CliResult, by, wait};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key and print it. It is shown only this once.
    ///
    /// The key alone goes to stdout, so it can be piped or redirected; the
    /// notice goes to stderr. Clients send it as `Authorization: Bearer KEY`.
    #[command(after_help = "Example:\n  barcoded key create --name till-1 --role pos > till-1.key")]
    Create {
        /// A name for the key, such as the till or person using it.
        #[arg(long)]
        name: String,
        /// pos: scan and look up. admin: also change the catalog and plugins.
        #[arg(long, value_parser = ["pos", "admin"])]
        role: String,
    },
    /// List keys: name, role, creation time (never the key itself).
    List,
    /// Revoke a key: requests using it are refused from the next one on.
    Revoke {
        /// The key's name, as `key list` shows it.
        name: String,
    },
}

pub fn run(office: &Office, command: KeyCommand) -> CliResult {
    match command {
        KeyCommand::Create { name, role } => {
            let role: Role = role.parse()?;
            let secret = wait(office.create_key(&by(), &name, role))?;
            println!("{secret}");
            eprintln!(
                "Created {role} key {name:?}. Store it now: it is shown only this once. \
                 Clients send it as `Authorization: Bearer <key>`."
            );
        }
        KeyCommand::List => {
            let keys = wait(office.keys())?;
            if keys.is_empty() {
                eprintln!("no keys; create one with `barcoded key create --name NAME --role pos`");
            }
            println!("{:<32} {:<6} CREATED", "NAME", "ROLE");
            for key in keys {
                println!("{:<32} {:<6} {}", key.name, key.role, key.created);
            }
        }
        KeyCommand::Revoke { name } => {
            wait(office.revoke_key(&by(), &name))?;
            eprintln!("Revoked key {name:?}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
