//! GS1 element strings: GS1-128, GS1 DataMatrix, GS1 QR Code, GS1 DataBar
//! and GS1 DotCode data, GS1 Digital Link URIs (see `digital_link.rs`), in
//! raw form (a symbology identifier such as `]d2`,
//! or a leading GS, then AIs with GS (0x1D) as FNC1) or bracketed form
//! (`(01)09521234543213(10)ABC`, with `\(` for a literal parenthesis).
//!
//! Every Application Identifier in GS1's Barcode Syntax Dictionary is known,
//! with its components' lengths, character sets and checks (see `lint.rs`
//! for the few checks that need data no registry carries). Unknown AIs,
//! wrong lengths, illegal characters, bad check digits and impossible dates
//! are errors naming the AI. Pairing rules between AIs (the dictionary's
//! `req` and `ex`) are not checked: a label may carry its partners in
//! another symbol.
//!
//! The answer: the GTIN (01) or else the SSCC (00) as lookup code; the
//! count (30 or 37) as quantity; every AI as a field under its code (dates
//! as written, decimal AIs such as 3103 with their decimal point); named
//! fields `gtin`, `sscc`, `batch`, `serial`, `expiry`, `best_before`,
//! `production_date` and the like (dates as ISO 8601); and a JSON payload
//! listing each AI with its title. Plain digit strings without a symbology
//! identifier or separator are left to other plugins (they are usually
//! EAN/UPC codes).

mod dictionary;
mod digital_link;
mod iso;
mod lint;

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

use dictionary::{Ai, Charset};

struct Gs1;

impl Plugin for Gs1 {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "gs1".into(),
            title: "GS1 element strings".into(),
            description: "GS1-128, GS1 DataMatrix, GS1 QR, DataBar and DotCode Application \
                          Identifier data, checked against GS1's syntax dictionary."
                .into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        decode(data)
    }

    /// What [`read`] looks at first: a Digital Link URI, a bracketed
    /// element string, a carrier's symbology identifier, or a leading GS.
    const CLAIMS: &'static [&'static str] =
        &[r"^(?i:https?)://", r"^\(", r"^\](C1|d2|Q3|e0|J1)", r"^\x1D"];
}

export_plugin!(Gs1);

/// FNC1 as scanners transmit it inside the data.
const GS: char = '\u{1d}';

/// Symbology identifiers of GS1 carriers, and the format each names.
const CARRIERS: [(&str, &str); 5] = [
    ("]C1", "GS1-128"),
    ("]d2", "GS1 DataMatrix"),
    ("]Q3", "GS1 QR Code"),
    ("]e0", "GS1 DataBar"),
    ("]J1", "GS1 DotCode"),
];

const ELEMENT_STRING: &str = "GS1 element string";

/// One AI and its value.
#[derive(Debug)]
struct Element {
    ai: &'static Ai,
    value: String,
}

fn decode(data: &str) -> Result<Option<ScanResult>, ScanError> {
    let Some((format, elements)) = read(data) else {
        return Ok(None);
    };
    let elements = elements.map_err(|reason| ScanError::new(format, reason))?;
    Ok(Some(answer(format, &elements)))
}

/// The format of `data` and its elements, or `None` when it is not GS1.
fn read(data: &str) -> Option<(&'static str, Result<Vec<Element>, String>)> {
    if digital_link::is_uri(data) {
        return digital_link::parse(data).map(|elements| ("GS1 Digital Link", elements));
    }
    if data.starts_with('(') {
        return Some((ELEMENT_STRING, bracketed(data)));
    }
    if let Some((rest, format)) = CARRIERS
        .iter()
        .find_map(|(id, format)| data.strip_prefix(id).map(|rest| (rest, *format)))
    {
        return Some((format, raw(rest)));
    }
    data.strip_prefix(GS)
        .map(|rest| (ELEMENT_STRING, raw(rest)))
}

/// `(01)09521234543213(10)ABC`.
fn bracketed(data: &str) -> Result<Vec<Element>, String> {
    let mut elements = Vec::new();
    let mut rest = data;
    while let Some(after_open) = rest.strip_prefix('(') {
        let (code, after_close) = after_open
            .split_once(')')
            .ok_or_else(|| format!("Unterminated AI at: {}", preview(rest)))?;
        let ai = dictionary::ai(code).ok_or_else(|| format!("Unrecognised AI: ({code})"))?;
        let (value, next) = bracketed_value(after_close);
        check(ai, &value)?;
        elements.push(Element { ai, value });
        rest = next;
    }
    if !rest.is_empty() {
        return Err(format!("Expected an AI in brackets at: {}", preview(rest)));
    }
    if elements.is_empty() {
        return Err("The AI data is empty".into());
    }
    Ok(elements)
}

/// The value up to the next unescaped `(`, with `\(` unescaped.
fn bracketed_value(text: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|&(_, next)| next == '(') => {
                value.push('(');
                chars.next();
            }
            '(' => return (value, &text[i..]),
            _ => value.push(c),
        }
    }
    (value, "")
}

/// AIs run together; a variable-length value ends at GS or the end, a
/// predefined-length one after its length (a GS after it is tolerated).
fn raw(data: &str) -> Result<Vec<Element>, String> {
    let mut elements = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let ai = dictionary::ai_at_start(rest)
            .ok_or_else(|| format!("No known AI is a prefix of: {}", preview(rest)))?;
        let after_code = &rest[ai.code.len()..];
        let (value, next) = match ai.fixed_length().filter(|_| !ai.fnc1) {
            Some(length) => {
                let value = after_code
                    .get(..length)
                    .ok_or_else(|| format!("AI ({}) data has incorrect length", ai.code))?;
                let next = &after_code[length..];
                (value, next.strip_prefix(GS).unwrap_or(next))
            }
            None => match after_code.split_once(GS) {
                Some((value, next)) => (value, next),
                None => (after_code, ""),
            },
        };
        check(ai, value)?;
        elements.push(Element {
            ai,
            value: value.to_owned(),
        });
        rest = next;
    }
    if elements.is_empty() {
        return Err("The AI data is empty".into());
    }
    Ok(elements)
}

/// Checks `value` against `ai`'s components: each consumes its length,
/// must hold only its character set, and must pass its linters.
fn check(ai: &Ai, value: &str) -> Result<(), String> {
    let fail = |reason: &str| format!("AI ({}): {reason}", ai.code);
    let wrong_length = || format!("AI ({}) data has incorrect length", ai.code);
    if value.is_empty() {
        return Err(format!("AI ({}) data is empty", ai.code));
    }
    let mut rest = value;
    for component in ai.components {
        if rest.is_empty() && component.optional {
            break;
        }
        let (min, max) = (usize::from(component.min), usize::from(component.max));
        let length = rest.len().min(max);
        if length < min {
            return Err(wrong_length());
        }
        let part = rest
            .get(..length)
            .ok_or_else(|| fail(charset_error(component.charset)))?;
        if !part.chars().all(|c| in_charset(component.charset, c)) {
            return Err(fail(charset_error(component.charset)));
        }
        for &linter in component.linters {
            lint::check(linter, part).map_err(fail)?;
        }
        rest = &rest[length..];
    }
    if !rest.is_empty() {
        return Err(wrong_length());
    }
    Ok(())
}

fn in_charset(charset: Charset, c: char) -> bool {
    match charset {
        Charset::Numeric => c.is_ascii_digit(),
        Charset::Cset82 => c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c),
        Charset::Cset39 => c.is_ascii_digit() || c.is_ascii_uppercase() || "#-/".contains(c),
        Charset::Cset64 => c.is_ascii_alphanumeric() || "-_=".contains(c),
    }
}

fn charset_error(charset: Charset) -> &'static str {
    match charset {
        Charset::Numeric => "A non-digit character was found where a digit is expected.",
        Charset::Cset82 => {
            "A non-CSET 82 character was found where a CSET 82 character is expected."
        }
        Charset::Cset39 => {
            "A non-CSET 39 character was found where a CSET 39 character is expected."
        }
        Charset::Cset64 => {
            "A non-CSET 64 character was found where a CSET 64 character is expected."
        }
    }
}

/// The first few characters of `text`, for error messages.
fn preview(text: &str) -> String {
    let head: String = text.chars().take(4).collect();
    if head.len() < text.len() {
        format!("{head}...")
    } else {
        head
    }
}

/// Named fields for the AIs a till or warehouse asks for by name.
const NAMED: [(&str, &str); 12] = [
    ("00", "sscc"),
    ("01", "gtin"),
    ("02", "content_gtin"),
    ("10", "batch"),
    ("11", "production_date"),
    ("13", "packaging_date"),
    ("15", "best_before"),
    ("16", "sell_by"),
    ("17", "expiry"),
    ("21", "serial"),
    ("30", "count"),
    ("37", "count"),
];

fn answer(format: &str, elements: &[Element]) -> ScanResult {
    let value_of = |code: &str| {
        elements
            .iter()
            .find(|e| e.ai.code == code)
            .map(|e| e.value.as_str())
    };
    let mut result = ScanResult::new(format);
    if let Some(code) = value_of("01").or_else(|| value_of("00")) {
        result = result.lookup_code(code);
    }
    if let Some(count) = value_of("30")
        .or_else(|| value_of("37"))
        .and_then(|c| c.parse().ok())
    {
        result = result.quantity(count);
    }
    let current_year = current_year();
    for element in elements {
        let code = element.ai.code;
        if result.fields.iter().any(|f| f.key == code) {
            continue;
        }
        let shown = decimal(code, &element.value).unwrap_or_else(|| element.value.clone());
        result = result.field(code, shown);
        if let Some((_, name)) = NAMED.iter().find(|(ai, _)| *ai == code)
            && !result.fields.iter().any(|f| f.key == *name)
        {
            let named =
                iso_date(&element.value, current_year).unwrap_or_else(|| element.value.clone());
            result = result.field(*name, named);
        }
    }
    result.payload(payload(elements))
}

/// A decimal-point AI's value with its point: 3103 "001234" is "1.234".
/// 391n and 393n carry a currency before the amount and stay as written.
fn decimal(code: &str, value: &str) -> Option<String> {
    let decimal_ai = code.len() == 4
        && (code.starts_with("31")
            || code.starts_with("32")
            || code.starts_with("33")
            || code.starts_with("34")
            || code.starts_with("35")
            || code.starts_with("36")
            || (code.starts_with("39") && !code.starts_with("391") && !code.starts_with("393")));
    if !decimal_ai {
        return None;
    }
    let places = usize::from(code.as_bytes()[3] - b'0');
    let digits = format!("{value:0>width$}", width = places + 1);
    let (whole, fraction) = digits.split_at(digits.len() - places);
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    Some(if places == 0 {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    })
}

/// YYMMDD as an ISO 8601 date. GS1 puts the year within 50 years of the
/// current one, and day 00 means the last day of the month.
fn iso_date(value: &str, current_year: u32) -> Option<String> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| value[range].parse::<u32>().ok();
    let (yy, month, day) = (number(0..2)?, number(2..4)?, number(4..6)?);
    let century = current_year / 100 * 100;
    let difference = i64::from(yy) - i64::from(current_year % 100);
    let year = match difference {
        51.. => century - 100 + yy,
        ..=-50 => century + 100 + yy,
        _ => century + yy,
    };
    let day = if day == 0 {
        lint::days_in_month(year, month)
    } else {
        day
    };
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// The current year from the (coarse) wall clock the sandbox provides.
fn current_year() -> u32 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days to a civil year (proleptic Gregorian), exact to the day.
    let days = seconds / 86_400;
    let (mut year, mut remaining) = (1970u32, days);
    loop {
        let length = if lint::days_in_month(year, 2) == 29 {
            366
        } else {
            365
        };
        if remaining < length {
            return year;
        }
        remaining -= length;
        year += 1;
    }
}

/// `{"elements": [{"ai": "01", "title": "GTIN", "value": "..."}, ..]}`.
fn payload(elements: &[Element]) -> String {
    let items: Vec<String> = elements
        .iter()
        .map(|e| {
            format!(
                r#"{{"ai":{},"title":{},"value":{}}}"#,
                json_string(e.ai.code),
                json_string(e.ai.title),
                json_string(&e.value)
            )
        })
        .collect();
    format!(r#"{{"elements":[{}]}}"#, items.join(","))
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
