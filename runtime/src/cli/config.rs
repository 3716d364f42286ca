//! `barcoded.toml`: every `serve` setting and the store, in a file an
//! operator keeps under version control. Flags override the environment,
//! which overrides the file: each key the file sets becomes the value of its
//! `BARCODED_*` variable when the environment has none, so clap reads all
//! three in that order.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::shell::CliResult;

/// Where the file is read from when neither `--config` nor
/// `BARCODED_CONFIG` names one, if it exists.
pub const DEFAULT_PATH: &str = "/etc/barcoded/barcoded.toml";

/// Largest configuration file read.
const MAX_BYTES: u64 = 1 << 20;

/// A key of the file: the variable it stands for, the flag's id, and
/// whether its value is a secret (shown redacted).
struct Key {
    name: &'static str,
    env: &'static str,
    secret: bool,
}

const fn key(name: &'static str, env: &'static str) -> Key {
    Key {
        name,
        env,
        secret: false,
    }
}

/// Every key the file may hold, as `--help` names its flag (with `_`).
const KEYS: [Key; 16] = [
    key("data_dir", "BARCODED_DATA_DIR"),
    Key {
        name: "store",
        env: "BARCODED_STORE",
        secret: true,
    },
    key("log", "BARCODED_LOG"),
    key("log_format", "BARCODED_LOG_FORMAT"),
    key("listen", "BARCODED_LISTEN"),
    key("pos_may_link", "BARCODED_POS_MAY_LINK"),
    key("quarantine_after", "BARCODED_QUARANTINE_AFTER"),
    key("ask_every_plugin", "BARCODED_ASK_EVERY_PLUGIN"),
    key("concurrent_scans", "BARCODED_CONCURRENT_SCANS"),
    key("history_max", "BARCODED_HISTORY_MAX"),
    key("history_keep", "BARCODED_HISTORY_KEEP"),
    key("tls_cert", "BARCODED_TLS_CERT"),
    key("tls_key", "BARCODED_TLS_KEY"),
    key("max_connections", "BARCODED_MAX_CONNECTIONS"),
    key("metrics_listen", "BARCODED_METRICS_LISTEN"),
    key("head_timeout", "BARCODED_HEAD_TIMEOUT"),
];

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    File,
    Environment,
    Default,
}

/// The file in use, and the keys it set.
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    /// The keys whose variable the file set (the environment had none).
    from_file: Vec<&'static str>,
    /// Every key the file holds, and its value.
    file: Vec<(&'static str, String)>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The file to check; without it, the one in use (`BARCODED_CONFIG`,
    /// or /etc/barcoded/barcoded.toml if it exists).
    file: Option<PathBuf>,
}

/// Reads the file that `args` (`config check FILE`, `serve --config FILE`),
/// `BARCODED_CONFIG` or the default path names, and sets the variables of
/// its keys the environment leaves unset. Call it first, before any thread
/// starts.
pub fn load(args: &[OsString]) -> Result<Loaded, String> {
    let named = checked_file(args)
        .or_else(|| config_flag(args))
        .or_else(|| std::env::var_os("BARCODED_CONFIG").map(PathBuf::from));
    let path = match named {
        Some(path) => path,
        None if Path::new(DEFAULT_PATH).is_file() => PathBuf::from(DEFAULT_PATH),
        None => return Ok(Loaded::default()),
    };
    let settings = read(&path)?;
    let mut from_file = Vec::new();
    for (key, value) in &settings {
        if std::env::var_os(key.env).is_none() {
            // SAFETY: called at the start of `main`, before any other
            // thread exists that could read the environment.
            unsafe { std::env::set_var(key.env, value) };
            from_file.push(key.name);
        }
    }
    Ok(Loaded {
        path: Some(path),
        from_file,
        file: settings
            .into_iter()
            .map(|(key, value)| (key.name, value))
            .collect(),
    })
}

/// Rereads the file for a running `serve` (on SIGHUP), keeping the order
/// of precedence: the command line's flags and the environment the process
/// started with still override it.
pub struct Reloader {
    path: PathBuf,
    /// The command line, with no variable the file had set.
    command: clap::Command,
    args: Vec<OsString>,
    /// The keys the file decides: neither a flag nor the environment sets
    /// them.
    governed: Vec<&'static Key>,
    file: Vec<(&'static str, String)>,
}

/// What a reread of the file makes of `serve`'s settings.
pub struct Reread {
    /// `serve`'s settings, as its command line would give them now.
    pub serve: clap::ArgMatches,
    /// The keys whose value the reread changed.
    pub changed: Vec<&'static str>,
}

impl Loaded {
    /// How to reread the file while `serve` runs, if one is in use;
    /// `command` and `args` are the command line's, `matches` what it gave.
    pub fn reloader(
        &self,
        command: clap::Command,
        args: &[OsString],
        matches: &clap::ArgMatches,
    ) -> Option<Reloader> {
        let path = self.path.clone()?;
        let top: Vec<String> = command
            .get_arguments()
            .map(|arg| arg.get_id().to_string())
            .collect();
        let serve = matches.subcommand_matches("serve")?;
        let on_command_line = |name: &str| {
            let level = if top.iter().any(|id| id == name) {
                matches
            } else {
                serve
            };
            level.value_source(name) == Some(clap::parser::ValueSource::CommandLine)
        };
        let governed = KEYS
            .iter()
            .filter(|key| {
                let in_environment =
                    std::env::var_os(key.env).is_some() && !self.from_file.contains(&key.name);
                // `log` is read from its variable, not the command line.
                !in_environment && (key.name == "log" || !on_command_line(key.name))
            })
            .collect();
        let from_file = self.from_file.clone();
        let command = command.mut_subcommand("serve", |serve| {
            serve.mut_args(|arg| {
                if from_file.iter().any(|name| arg.get_id() == *name) {
                    arg.env(None)
                } else {
                    arg
                }
            })
        });
        Some(Reloader {
            path,
            command,
            args: args.to_vec(),
            governed,
            file: self.file.clone(),
        })
    }
}

impl Reloader {
    /// The file in use.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file again and gives `serve`'s settings as they would be
    /// at a start now; the next reread compares with this one. The keys
    /// of the command's options other than `serve`'s keep their values.
    pub fn reread(&mut self) -> Result<Reread, String> {
        let settings: Vec<(&'static str, String)> = read(&self.path)?
            .into_iter()
            .map(|(key, value)| (key.name, value))
            .collect();
        let value = |file: &[(&'static str, String)], name: &str| {
            file.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        };
        let serve = self
            .command
            .find_subcommand("serve")
            .ok_or("the command line has no `serve`")?;
        let mut args = self.args.clone();
        let mut changed = Vec::new();
        for key in &self.governed {
            let now = value(&settings, key.name);
            if now != value(&self.file, key.name) {
                changed.push(key.name);
            }
            let (Some(now), Some(arg)) =
                (now, serve.get_arguments().find(|a| a.get_id() == key.name))
            else {
                continue;
            };
            let flag = format!("--{}", arg.get_long().unwrap_or(key.name));
            if arg.get_action().takes_values() {
                args.push(format!("{flag}={now}").into());
            } else if is_true(serve, arg, &now)? {
                args.push(flag.into());
            }
        }
        let matches = self
            .command
            .clone()
            .try_get_matches_from(&args)
            .map_err(|error| {
                let text = error.to_string();
                let text = text.strip_prefix("error: ").unwrap_or(&text).trim_end();
                format!("{}: {text}", self.path.display())
            })?;
        let serve = matches
            .subcommand_matches("serve")
            .ok_or("the command line has no `serve`")?
            .clone();
        self.file = settings;
        Ok(Reread { serve, changed })
    }
}

/// Whether a flag's value in the file turns it on, as its variable would.
fn is_true(command: &clap::Command, arg: &clap::Arg, value: &str) -> Result<bool, String> {
    use clap::builder::TypedValueParser;
    clap::builder::FalseyValueParser::new()
        .parse_ref(command, Some(arg), std::ffi::OsStr::new(value))
        .map_err(|error| error.to_string())
}

/// The FILE of `config check FILE` among `args`.
fn checked_file(args: &[OsString]) -> Option<PathBuf> {
    let words: Vec<&OsString> = args
        .iter()
        .filter(|arg| !arg.to_string_lossy().starts_with('-'))
        .collect();
    let at = words
        .windows(2)
        .position(|pair| pair[0] == "config" && pair[1] == "check")?;
    words.get(at + 2).map(PathBuf::from)
}

/// `serve`'s `--config FILE` or `--config=FILE` among `args` (other
/// commands' `--config`, such as `plugin try`'s, mean something else).
fn config_flag(args: &[OsString]) -> Option<PathBuf> {
    let serve = args.iter().position(|arg| arg == "serve")?;
    let mut args = args[serve + 1..].iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            return None;
        }
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|arg| arg.strip_prefix("--config=")) {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// The file's keys and their values, as their variables take them.
fn read(path: &Path) -> Result<Vec<(&'static Key, String)>, String> {
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the configuration file {shown}: {e}"))?
        .len();
    if size > MAX_BYTES {
        return Err(format!("the configuration file {shown} is over 1 MiB"));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the configuration file {shown}: {e}"))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{shown} is not valid TOML: {e}"))?;
    table
        .into_iter()
        .map(|(name, value)| {
            let key = KEYS.iter().find(|key| key.name == name).ok_or_else(|| {
                format!(
                    "{shown}: unknown key `{name}`; did you mean `{}`? (docs/operating.md lists them)",
                    nearest(&name)
                )
            })?;
            let value = match value {
                toml::Value::String(text) => text,
                toml::Value::Integer(number) => number.to_string(),
                toml::Value::Boolean(flag) => flag.to_string(),
                other => {
                    return Err(format!(
                        "{shown}: `{name}` must be a string, a whole number or true/false, not \
                         {}",
                        other.type_str()
                    ));
                }
            };
            Ok((key, value))
        })
        .collect()
}

/// The known key nearest to `name`, by edit distance.
fn nearest(name: &str) -> &'static str {
    KEYS.iter()
        .min_by_key(|key| distance(name, key.name))
        .map_or("listen", |key| key.name)
}

/// Levenshtein distance, over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replaced = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// `barcoded config check [FILE]`: validates the file as `serve` would
/// read it, and prints every setting's effective value and its source.
/// `FILE`, when given, was loaded in place of any other (see [`load`]);
/// `command` is the command line's, whose `serve` reads the settings.
pub fn check(args: CheckArgs, loaded: &Loaded, command: clap::Command) -> CliResult {
    debug_assert!(args.file.is_none() || args.file == loaded.path);
    // Let clap read every value as `serve` would, and say what is wrong.
    if let Err(error) = command.clone().try_get_matches_from(["barcoded", "serve"]) {
        let text = error.to_string();
        let text = text.strip_prefix("error: ").unwrap_or(&text).trim_end();
        return Err(format!("as `serve` reads the settings: {text}").into());
    }
    match &loaded.path {
        Some(path) => println!("# {} is valid", path.display()),
        None => println!("# no configuration file: the environment and the defaults"),
    }
    let serve = command.find_subcommand("serve");
    for key in &KEYS {
        let default = command
            .get_arguments()
            .chain(serve.into_iter().flat_map(|serve| serve.get_arguments()))
            .find(|arg| arg.get_id() == key.name)
            .and_then(|arg| arg.get_default_values().first())
            .map(|value| value.to_string_lossy().into_owned());
        let (value, source) = match std::env::var(key.env) {
            Ok(value) if loaded.from_file.contains(&key.name) => (Some(value), Source::File),
            Ok(value) => (Some(value), Source::Environment),
            Err(_) => (default, Source::Default),
        };
        let shown = match value {
            Some(value) if key.secret => barcoded_app::StorePlace::named(&value).to_string(),
            Some(value) => value,
            None => "(unset)".into(),
        };
        let source = match source {
            Source::File => "the file",
            Source::Environment => key.env,
            Source::Default => "the default",
        };
        println!(
            "{:<18} = {:<40} # from {source}",
            key.name,
            format!("{shown:?}")
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_key_is_suggested() {
        assert_eq!(nearest("lisen"), "listen");
        assert_eq!(nearest("max_conections"), "max_connections");
        assert_eq!(nearest("tls_crt"), "tls_cert");
    }

    #[test]
    fn serves_flag_is_found_in_either_spelling_and_no_other_commands() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_flag(&args(&["barcoded", "serve", "--config", "a.toml"])),
            Some("a.toml".into())
        );
        assert_eq!(
            config_flag(&args(&["barcoded", "serve", "--config=b.toml"])),
            Some("b.toml".into())
        );
        assert_eq!(
            config_flag(&args(&["barcoded", "serve", "--", "--config"])),
            None
        );
        assert_eq!(
            config_flag(&args(&[
                "barcoded", "plugin", "try", "p.wasm", "--config", "a=b"
            ])),
            None
        );
    }
}
