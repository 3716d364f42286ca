//! Turns GS1's Barcode Syntax Dictionary (gs1-syntax-dictionary.txt, release
//! 2026-01-27, from gs1/gs1-syntax-dictionary at 8ad003f8, Apache-2.0) into a
//! static table of every Application Identifier: its components' character
//! sets, lengths and linters, whether it needs an FNC1 after it, and its
//! title. A linter name the plugin does not know fails the build.

use std::fmt::Write as _;
use std::path::PathBuf;

const DICTIONARY: &str = "gs1-syntax-dictionary.txt";

fn main() {
    println!("cargo::rerun-if-changed={DICTIONARY}");
    let text = std::fs::read_to_string(DICTIONARY).expect("reading the syntax dictionary");
    let mut out = String::from("pub static AIS: &[Ai] = &[\n");
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (body, title) = line
            .split_once('#')
            .map_or((line, ""), |(b, t)| (b, t.trim()));
        let mut words = body.split_whitespace().peekable();
        let ais = words.next().expect("an AI");
        let flags = match words.peek() {
            Some(w) if !w.starts_with(['N', 'X', 'Y', 'Z', '[']) => words.next().unwrap(),
            _ => "",
        };
        let mut components = String::new();
        let mut attributes = Vec::new();
        for word in words {
            if attributes.is_empty() && word.starts_with(['N', 'X', 'Y', 'Z', '[']) {
                components.push_str(&component(word));
            } else {
                attributes.push(word);
            }
        }
        let dl_key = dl_key(&attributes);
        let (first, last) = ais.split_once('-').unwrap_or((ais, ais));
        let (start, end): (u32, u32) = (first.parse().unwrap(), last.parse().unwrap());
        for ai in start..=end {
            let ai = format!("{ai:0width$}", width = first.len());
            let entry = format!(
                "    Ai {{ code: {ai:?}, fnc1: {}, dl_key: {dl_key}, title: {title:?}, components: &[{components}] }},\n",
                !flags.contains('*'),
            );
            entries.push((ai, entry));
        }
    }
    entries.sort();
    for (_, entry) in entries {
        out.push_str(&entry);
    }
    out.push_str("];\n");
    let path = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("ai_table.rs");
    std::fs::write(path, out).expect("writing the AI table");
}

/// `N13,csum,gcppos1` or `[X..17]` as a `Component { .. }` expression.
fn component(word: &str) -> String {
    let optional = word.starts_with('[');
    let word = word.replace(['[', ']'], "");
    let mut parts = word.split(',');
    let spec = parts.next().unwrap();
    let charset = match &spec[..1] {
        "N" => "Numeric",
        "X" => "Cset82",
        "Y" => "Cset39",
        "Z" => "Cset64",
        other => panic!("unknown character set {other}"),
    };
    let length = &spec[1..];
    let (min, max) = match length.strip_prefix("..") {
        Some(max) => (1, max.parse::<u8>().unwrap()),
        None => {
            let n = length.parse::<u8>().unwrap();
            (n, n)
        }
    };
    let mut linters = String::new();
    for linter in parts {
        let _ = write!(linters, "Linter::{}, ", variant(linter));
    }
    format!(
        "Component {{ charset: Charset::{charset}, min: {min}, max: {max}, optional: {optional}, linters: &[{linters}] }}, "
    )
}

/// The `dlpkey` attribute as `Some(&[&["22", "10", "21"], &["235"]])`: the
/// qualifier sequences a Digital Link key accepts (one empty one for `dlpkey`
/// alone), or `None` for an AI that is no key.
fn dl_key(attributes: &[&str]) -> String {
    let Some(key) = attributes.iter().find(|a| a.starts_with("dlpkey")) else {
        return "None".into();
    };
    let sequences: Vec<String> = key
        .strip_prefix("dlpkey=")
        .unwrap_or("")
        .split('|')
        .map(|sequence| {
            let ais: Vec<String> = sequence
                .split(',')
                .filter(|a| !a.is_empty())
                .map(|a| format!("{a:?}"))
                .collect();
            format!("&[{}]", ais.join(", "))
        })
        .collect();
    format!("Some(&[{}])", sequences.join(", "))
}

/// `iso3166alpha2` to `Iso3166alpha2`.
fn variant(linter: &str) -> String {
    let mut chars = linter.chars();
    let first = chars.next().unwrap().to_ascii_uppercase();
    format!("{first}{}", chars.as_str())
}
