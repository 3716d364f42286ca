//! `barcoded trust`: the publishers whose signatures plugins may carry,
//! and whether every plugin must carry one.

use std::path::PathBuf;
use std::process::ExitCode;

use barcoded_app::Office;
use clap::Subcommand;

use super::shell::{CliResult, by, wait};

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust a publisher's public key, under a name of your choosing.
    ///
    /// Plugins its secret key signed then install under `trust require on`,
    /// and listings name the publisher as their signer. Running servers
    /// apply the change within a second; on PostgreSQL, every node does.
    #[command(after_help = "Example:\n  barcoded trust add acme acme.public")]
    Add {
        /// A name for the publisher: letters, digits, `-`, `_` or `.`.
        name: String,
        /// The public key (from `barcoded plugin keygen`, `wasmsign2
        /// keygen`, PEM, DER or an OpenSSH Ed25519 key).
        public_key: PathBuf,
    },
    /// List the trusted publishers, and whether signatures are required.
    List,
    /// Stop trusting a publisher: at the next reload, every plugin it
    /// signed is taken out, each with the reason, until it is trusted again.
    Remove {
        /// The publisher's name, as `trust list` shows it.
        name: String,
    },
    /// Require a trusted publisher's signature on every plugin (on), or not
    /// (off, the default).
    ///
    /// With it on, install refuses an unsigned or foreign-signed component,
    /// and load leaves such installed plugins out, saying why.
    Require {
        #[arg(value_parser = ["on", "off"])]
        setting: String,
    },
}

pub fn run(office: &Office, command: TrustCommand) -> CliResult {
    match command {
        TrustCommand::Add { name, public_key } => {
            let bytes = std::fs::read(&public_key)
                .map_err(|e| format!("cannot read {}: {e}", public_key.display()))?;
            let key = wait(office.trust_key(&by(), &name, &bytes))?;
            eprintln!("Trusting {} (key {}).", key.name, key.public_key);
        }
        TrustCommand::List => {
            let trust = wait(office.trust())?;
            let required = if trust.require_signed { "on" } else { "off" };
            eprintln!("Signatures required: {required}.");
            if trust.keys.is_empty() {
                eprintln!("no publisher is trusted; add one with `barcoded trust add NAME FILE`");
            }
            println!("{:<24} {:<22} PUBLIC KEY", "NAME", "ADDED");
            for key in trust.keys {
                println!("{:<24} {:<22} {}", key.name, key.added, key.public_key);
            }
        }
        TrustCommand::Remove { name } => {
            wait(office.distrust_key(&by(), &name))?;
            eprintln!(
                "No longer trusting {name}; plugins it signed are taken out at the next reload."
            );
        }
        TrustCommand::Require { setting } => {
            let on = setting == "on";
            wait(office.require_signed(&by(), on))?;
            eprintln!(
                "Signatures are {}required.",
                if on { "" } else { "no longer " }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
