//! The plugin author's toolkit: `barcoded plugin new` writes a project that
//! builds to a component, and `barcoded plugin build` builds any project,
//! in Rust, Python or JavaScript. The WIT, the SDKs and the build script are
//! embedded, so that both work on a machine with nothing but this binary
//! and the languages' package registries.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Args, ValueEnum};

use super::shell::CliResult;

/// A file written into a project or a build folder: its path there, and
/// its text.
type File = (&'static str, &'static str);

macro_rules! embed {
    ($($to:literal <= $from:literal),* $(,)?) => {
        &[$(($to, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../", $from)))),*]
    };
}

const WIT: File = (
    "wit/plugin.wit",
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit/plugin.wit")),
);

const BUILD_SCRIPT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../guest-sdk/build.sh"
));

const RUST_SDK: &[File] = embed![
    "barcode-plugin-sdk/Cargo.toml" <= "guest-sdk/Cargo.toml",
    "barcode-plugin-sdk/src/lib.rs" <= "guest-sdk/src/lib.rs",
    "barcode-plugin-sdk/src/host.rs" <= "guest-sdk/src/host.rs",
    "barcode-plugin-sdk/src/supplier.rs" <= "guest-sdk/src/supplier.rs",
    "barcode-plugin-sdk/src/testing.rs" <= "guest-sdk/src/testing.rs",
    "barcode-plugin-sdk/templates/rust/lib.rs" <= "guest-sdk/templates/rust/lib.rs",
    "barcode-plugin-sdk/wit/plugin.wit" <= "wit/plugin.wit",
];

const PYTHON_SDK: &[File] = embed![
    "barcoded_plugin/__init__.py" <= "guest-sdk/python/barcoded_plugin/__init__.py",
    "barcoded_plugin/_answer.py" <= "guest-sdk/python/barcoded_plugin/_answer.py",
    "barcoded_plugin/_entry.py" <= "guest-sdk/python/barcoded_plugin/_entry.py",
    "barcoded_plugin/_host.py" <= "guest-sdk/python/barcoded_plugin/_host.py",
    "barcoded_plugin/_model.py" <= "guest-sdk/python/barcoded_plugin/_model.py",
    "barcoded_plugin/_plugin.py" <= "guest-sdk/python/barcoded_plugin/_plugin.py",
    "barcoded_plugin/catalog.py" <= "guest-sdk/python/barcoded_plugin/catalog.py",
    "barcoded_plugin/config.py" <= "guest-sdk/python/barcoded_plugin/config.py",
    "barcoded_plugin/mixins.py" <= "guest-sdk/python/barcoded_plugin/mixins.py",
    "barcoded_plugin/_receipt.py" <= "guest-sdk/python/barcoded_plugin/_receipt.py",
    "barcoded_plugin/_supplier.py" <= "guest-sdk/python/barcoded_plugin/_supplier.py",
    "barcoded_plugin/purchasing.py" <= "guest-sdk/python/barcoded_plugin/purchasing.py",
    "barcoded_plugin/stock.py" <= "guest-sdk/python/barcoded_plugin/stock.py",
    "barcoded_plugin/testing.py" <= "guest-sdk/python/barcoded_plugin/testing.py",
    "barcoded_plugin/translation.py" <= "guest-sdk/python/barcoded_plugin/translation.py",
];

const JS_SDK: &[File] = embed![
    "barcoded-plugin/package.json" <= "guest-sdk/js/package.json",
    "barcoded-plugin/index.js" <= "guest-sdk/js/index.js",
    "barcoded-plugin/component.js" <= "guest-sdk/js/component.js",
    "barcoded-plugin/supplier.js" <= "guest-sdk/js/supplier.js",
    "barcoded-plugin/testing.js" <= "guest-sdk/js/testing.js",
    "barcoded-plugin/wit/js.wit" <= "guest-sdk/js/wit/js.wit",
    "barcoded-plugin/wit/deps/cli/cli.wit" <= "guest-sdk/js/wit/deps/cli/cli.wit",
    "barcoded-plugin/wit/deps/clocks/clocks.wit" <= "guest-sdk/js/wit/deps/clocks/clocks.wit",
    "barcoded-plugin/wit/deps/filesystem/filesystem.wit"
        <= "guest-sdk/js/wit/deps/filesystem/filesystem.wit",
    "barcoded-plugin/wit/deps/io/io.wit" <= "guest-sdk/js/wit/deps/io/io.wit",
    "barcoded-plugin/wit/deps/random/random.wit" <= "guest-sdk/js/wit/deps/random/random.wit",
    "barcoded-plugin/wit/deps/sockets/sockets.wit" <= "guest-sdk/js/wit/deps/sockets/sockets.wit",
];

const RUST_TEMPLATE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../guest-sdk/templates/rust/lib.rs"
));
const PYTHON_TEMPLATE: &[File] = embed![
    "plugin.py" <= "guest-sdk/templates/python/plugin.py",
    "test_plugin.py" <= "guest-sdk/templates/python/test_plugin.py",
];
const JS_TEMPLATE: &[File] = embed![
    "plugin.js" <= "guest-sdk/templates/js/plugin.js",
    "plugin.test.js" <= "guest-sdk/templates/js/plugin.test.js",
];

/// The languages a plugin can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The plugin's name: lowercase letters, digits and dashes.
    name: String,
    /// The language to write it in.
    #[arg(long, value_enum)]
    lang: Lang,
    /// The folder to create [default: ./NAME].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The plugin project [default: the current folder].
    #[arg(default_value = ".")]
    project: PathBuf,
    /// Where to write the component [default: PROJECT/plugin.wasm].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Writes a new plugin project: a shelf-label decoder with its tests, the
/// WIT, and a copy of the SDK, so that it builds and tests on its own.
pub fn new(args: NewArgs) -> CliResult {
    barcoded_sandbox::validate_name(&args.name).map_err(|reason| format!("{reason}"))?;
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() {
        return Err(format!(
            "{} exists already; pick a new folder with --dir",
            dir.display()
        )
        .into());
    }
    let name = args.name.as_str();
    let rename = |text: &str| text.replacen("\"shelf\"", &format!("\"{name}\""), 1);
    match args.lang {
        Lang::Rust => {
            write_all(&dir, RUST_SDK)?;
            write(&dir, "Cargo.toml", &cargo_toml(name))?;
            write(&dir, "src/lib.rs", &rename(RUST_TEMPLATE))?;
        }
        Lang::Python => {
            write_all(&dir, PYTHON_SDK)?;
            for (path, text) in PYTHON_TEMPLATE {
                write(&dir, path, &rename(text))?;
            }
        }
        Lang::Js => {
            write_all(&dir, JS_SDK)?;
            for (path, text) in JS_TEMPLATE {
                write(&dir, path, &rename(text))?;
            }
            write(&dir, "package.json", &package_json(name))?;
            link_js_sdk(&dir)?;
        }
    }
    write_all(&dir, &[WIT])?;
    write(
        &dir,
        ".gitignore",
        "target/\nnode_modules/\n__pycache__/\n*.wasm\n",
    )?;
    write(&dir, "README.md", &readme(name, args.lang))?;
    eprintln!("Created the {name} plugin in {}.", dir.display());
    eprintln!("{}", next_steps(&dir, args.lang));
    Ok(ExitCode::SUCCESS)
}

/// Builds a plugin project with the embedded build script, WIT and SDKs.
pub fn build(args: BuildArgs) -> CliResult {
    let kit = Scratch::new()?;
    write(kit.path(), "build.sh", BUILD_SCRIPT)?;
    write_all(kit.path(), &[WIT])?;
    write_all(&kit.path().join("sdk/python"), PYTHON_SDK)?;
    // The build script finds the SDKs as the repository lays them out.
    for (path, text) in JS_SDK {
        let inside = path.strip_prefix("barcoded-plugin/").unwrap_or(path);
        write(&kit.path().join("sdk/js"), inside, text)?;
    }
    let mut command = Command::new("bash");
    command
        .arg(kit.path().join("build.sh"))
        .arg(&args.project)
        .env("BARCODED_WIT", kit.path().join("wit"))
        .env("BARCODED_SDK", kit.path().join("sdk"));
    if let Some(output) = &args.output {
        command.arg("-o").arg(output);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run bash, which builds plugins: {e}"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn cargo_toml(name: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

# A plugin is a library built to a component: cdylib is what makes one.
[lib]
crate-type = ["cdylib"]

[dependencies]
barcode-plugin-sdk = {{ path = "barcode-plugin-sdk" }}

# Small components compile and load fast.
[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
panic = "abort"
strip = true

# A project of its own, even inside another workspace's folder.
[workspace]
"#
    )
}

fn package_json(name: &str) -> String {
    format!(
        r#"{{
  "name": "{name}",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "scripts": {{
    "build": "barcoded plugin build .",
    "test": "node --test"
  }},
  "dependencies": {{
    "barcoded-plugin": "file:./barcoded-plugin"
  }}
}}
"#
    )
}

/// Links the SDK where Node's bare imports look (`npm install` does the
/// same), so that `node --test` works at once.
fn link_js_sdk(dir: &Path) -> CliResult<()> {
    let modules = dir.join("node_modules");
    std::fs::create_dir_all(&modules)
        .map_err(|e| format!("cannot create {}: {e}", modules.display()))?;
    #[cfg(unix)]
    std::os::unix::fs::symlink("../barcoded-plugin", modules.join("barcoded-plugin"))
        .map_err(|e| format!("cannot link the SDK into {}: {e}", modules.display()))?;
    Ok(())
}

fn next_steps(dir: &Path, lang: Lang) -> String {
    let dir = dir.display();
    let test = match lang {
        Lang::Rust => "cargo test",
        Lang::Python => "python3 -m unittest",
        Lang::Js => "node --test",
    };
    format!(
        "Next:\n  cd {dir}\n  {test}                             # its tests, natively\n  \
         barcoded plugin build                  # writes plugin.wasm\n  \
         barcoded plugin try plugin.wasm SHELF-12-3 SHELF-12-x\n  \
         barcoded plugin install plugin.wasm"
    )
}

fn readme(name: &str, lang: Lang) -> String {
    let (source, test) = match lang {
        Lang::Rust => ("src/lib.rs", "cargo test"),
        Lang::Python => ("plugin.py", "python3 -m unittest"),
        Lang::Js => ("plugin.js", "node --test"),
    };
    format!(
        "# {name}\n\nA barcoded plugin. The decoder is in `{source}`; its tests run natively \
         with `{test}`, the server faked by the SDK's `FakeHost`.\n\n```\n{test}\n\
         barcoded plugin build\nbarcoded plugin try plugin.wasm SHELF-12-3 SHELF-12-x \
         4006381333931\nbarcoded plugin install plugin.wasm\n```\n\n`wit/plugin.wit` is the \
         contract with the server, and documents every call; the SDK is a copy, made by \
         `barcoded plugin new`, of the one this barcoded was built with.\n"
    )
}

fn write_all(dir: &Path, files: &[File]) -> CliResult<()> {
    for (path, text) in files {
        write(dir, path, text)?;
    }
    Ok(())
}

fn write(dir: &Path, path: &str, text: &str) -> CliResult<()> {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// A folder of its own under the system's temporary folder, removed when
/// dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> CliResult<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("barcoded-build-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Scratch(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
