//! Barcode symbols for labels, drawn as SVG: what each symbology can carry
//! of a catalog record, and its bars or modules. The bars come from
//! `barcoders` (EAN-13, UPC-A, Code 128 with FNC1) and `datamatrix` (ECC 200,
//! GS1 with FNC1 first); this module picks what to encode and draws it at
//! the nominal module size for labels, with quiet zones and the text a
//! person reads.

use std::fmt::Write;

use barcoders::sym::code128::Code128;
use barcoders::sym::ean13::EAN13;
use datamatrix::{DataMatrix, SymbolList};

/// The symbologies a label may carry (QR is the service's own payload:
/// `GET /api/barcode/qr/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    Ean13,
    UpcA,
    Code128,
    /// Code 128 with FNC1 first: GS1 element strings, (01) GTIN or (00) SSCC.
    Gs1_128,
    DataMatrix,
    /// Data Matrix with FNC1 first.
    Gs1DataMatrix,
}

/// The names a request uses.
const NAMES: [(&str, Symbology); 6] = [
    ("ean13", Symbology::Ean13),
    ("upca", Symbology::UpcA),
    ("code128", Symbology::Code128),
    ("gs1-128", Symbology::Gs1_128),
    ("datamatrix", Symbology::DataMatrix),
    ("gs1-datamatrix", Symbology::Gs1DataMatrix),
];

impl Symbology {
    pub fn named(name: &str) -> Option<Symbology> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| n)
    }

    /// The symbology that fits a record of this `format` (the lookup API's
    /// `format`: `EAN-13`, `UPC-A`, `GTIN-14`, `SSCC-18`, ...).
    pub fn fitting(format: &str) -> Symbology {
        match format {
            "EAN-13" => Symbology::Ean13,
            "UPC-A" => Symbology::UpcA,
            "GTIN-14" | "SSCC-18" | "EAN-8" => Symbology::Gs1_128,
            _ => Symbology::Code128,
        }
    }

    fn gs1(self) -> bool {
        matches!(self, Symbology::Gs1_128 | Symbology::Gs1DataMatrix)
    }
}

/// GS1 data a label may add after a GTIN: (10) batch and (17) expiry.
#[derive(Debug, Default)]
pub struct Extras {
    pub batch: Option<String>,
    /// YYMMDD, as AI (17) writes it.
    pub expiry: Option<String>,
}

/// Why a code cannot be drawn in a symbology: said to the client (422).
#[derive(Debug)]
pub struct NotDrawable(String);

impl std::fmt::Display for NotDrawable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotDrawable {}

fn refuse(reason: impl Into<String>) -> NotDrawable {
    NotDrawable(reason.into())
}

/// The longest data a plain Code 128 or Data Matrix label carries here.
const MAX_DATA: usize = 80;
/// GS1's limit for one GS1-128 symbol's data characters.
const MAX_GS1_128: usize = 48;

/// Draws `code` in `symbology` as an SVG document.
pub fn draw(symbology: Symbology, code: &str, extras: &Extras) -> Result<String, NotDrawable> {
    if (extras.batch.is_some() || extras.expiry.is_some()) && !symbology.gs1() {
        return Err(refuse(
            "a batch or an expiry needs a GS1 symbology: gs1-128 or gs1-datamatrix",
        ));
    }
    match symbology {
        Symbology::Ean13 => {
            let digits = gtin_digits(code, 13)?;
            Ok(linear(&ean(&digits)?, EAN, &digits))
        }
        Symbology::UpcA => {
            let digits = gtin_digits(code, 12)?;
            Ok(linear(&ean(&format!("0{digits}"))?, EAN, &digits))
        }
        Symbology::Code128 => {
            let data = plain(code)?;
            Ok(linear(&code128(&data, false)?, CODE128, &data))
        }
        Symbology::Gs1_128 => {
            let (data, shown) = gs1_elements(code, extras)?;
            if data.len() > MAX_GS1_128 {
                return Err(refuse(
                    "over 48 characters: too long for one GS1-128 symbol",
                ));
            }
            Ok(linear(&code128(&data, true)?, CODE128, &shown))
        }
        Symbology::DataMatrix => {
            let data = plain(code)?;
            let symbol =
                DataMatrix::encode(data.as_bytes(), SymbolList::default().enforce_square())
                    .map_err(|e| refuse(format!("cannot be a Data Matrix: {e:?}")))?;
            Ok(matrix(&symbol, &data))
        }
        Symbology::Gs1DataMatrix => {
            let (data, shown) = gs1_elements(code, extras)?;
            let symbol =
                DataMatrix::encode_gs1(data.as_bytes(), SymbolList::default().enforce_square())
                    .map_err(|e| refuse(format!("cannot be a GS1 Data Matrix: {e:?}")))?;
            Ok(matrix(&symbol, &shown))
        }
    }
}

/// Printable ASCII only, and not too long: what a plain label carries.
fn plain(code: &str) -> Result<String, NotDrawable> {
    if code.is_empty() || code.len() > MAX_DATA {
        return Err(refuse(format!("1 to {MAX_DATA} characters")));
    }
    if !code.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(refuse("only printable ASCII characters can be drawn"));
    }
    Ok(code.to_owned())
}

/// The `length` digits of a GTIN written with up to two leading zeros more
/// (a GTIN-14 `0` + EAN-13, say), check digit verified.
fn gtin_digits(code: &str, length: usize) -> Result<String, NotDrawable> {
    let digits = code.trim_start_matches('0');
    let wanted = format!("{digits:0>length$}");
    if !code.bytes().all(|b| b.is_ascii_digit()) || wanted.len() != length || code.len() > 14 {
        return Err(refuse(format!("not a {length}-digit GTIN")));
    }
    if !check_digit_holds(&wanted) {
        return Err(refuse("its check digit is wrong"));
    }
    Ok(wanted)
}

/// GS1's mod-10 check: weights 3 and 1 from the right, the check digit last.
fn check_digit_holds(digits: &str) -> bool {
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let Some((check, body)) = values.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == *check
}

/// GS1's character set 82, which (10) batch may use.
fn in_set_82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// The element string (GS after a variable-length element that is not
/// last) and its human-readable form, `(01)...(10)...`.
fn gs1_elements(code: &str, extras: &Extras) -> Result<(String, String), NotDrawable> {
    let mut elements: Vec<(&str, String, bool)> = Vec::new();
    // An SSCC, alone or written with its AI (00) in front, as catalogs do.
    let sscc = code
        .strip_prefix("00")
        .filter(|rest| rest.len() == 18)
        .unwrap_or(code);
    if sscc.len() == 18 && sscc.bytes().all(|b| b.is_ascii_digit()) {
        if !check_digit_holds(sscc) {
            return Err(refuse("its check digit is wrong"));
        }
        if extras.batch.is_some() || extras.expiry.is_some() {
            return Err(refuse("an SSCC label carries no batch or expiry"));
        }
        elements.push(("00", sscc.to_owned(), false));
    } else {
        elements.push(("01", gtin_digits(code, 14)?, false));
    }
    if let Some(batch) = &extras.batch {
        if batch.is_empty() || batch.chars().count() > 20 || !batch.chars().all(in_set_82) {
            return Err(refuse(
                "a batch is 1 to 20 of GS1's characters (letters, digits, !\"%&'()*+,-./:;<=>?_)",
            ));
        }
        elements.push(("10", batch.clone(), true));
    }
    if let Some(expiry) = &extras.expiry {
        if !valid_yymmdd(expiry) {
            return Err(refuse("an expiry is YYMMDD, such as 271231"));
        }
        elements.push(("17", expiry.clone(), false));
    }
    let mut data = String::new();
    let mut shown = String::new();
    for (at, (ai, value, variable)) in elements.iter().enumerate() {
        data.push_str(ai);
        data.push_str(value);
        if *variable && at + 1 < elements.len() {
            data.push('\u{1d}');
        }
        let _ = write!(shown, "({ai}){value}");
    }
    Ok((data, shown))
}

/// YYMMDD with a real month; DD 00 means the month's end, as GS1 allows.
fn valid_yymmdd(text: &str) -> bool {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let month: u32 = text[2..4].parse().unwrap_or(0);
    let day: u32 = text[4..6].parse().unwrap_or(99);
    (1..=12).contains(&month) && day <= 31
}

fn ean(digits: &str) -> Result<Vec<u8>, NotDrawable> {
    EAN13::new(digits)
        .map(|symbol| symbol.encode())
        .map_err(|e| refuse(format!("cannot be an EAN-13: {e}")))
}

/// The Code 128 bars of `data` (printable ASCII; with `gs1`, FNC1 first and
/// each GS as FNC1): runs of four digits or more in set C, the rest in B.
fn code128(data: &str, gs1: bool) -> Result<Vec<u8>, NotDrawable> {
    const SET_B: char = 'Ɓ';
    const SET_C: char = 'Ć';
    const FNC1: char = 'Ź';
    let chars: Vec<char> = data.chars().collect();
    let digit_run = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut input = String::new();
    let mut set = if digit_run(0) >= 4 { SET_C } else { SET_B };
    input.push(set);
    if gs1 {
        input.push(FNC1);
    }
    let mut at = 0;
    while at < chars.len() {
        let digits = digit_run(at);
        if digits >= 4 || (digits >= 2 && set == SET_C) {
            if set != SET_C {
                input.push(SET_C);
                set = SET_C;
            }
            input.extend(&chars[at..at + digits / 2 * 2]);
            at += digits / 2 * 2;
        } else if gs1 && chars[at] == '\u{1d}' {
            input.push(FNC1);
            at += 1;
        } else {
            if set != SET_B {
                input.push(SET_B);
                set = SET_B;
            }
            input.push(chars[at]);
            at += 1;
        }
    }
    Code128::new(&input)
        .map(|symbol| symbol.encode())
        .map_err(|e| refuse(format!("cannot be a Code 128: {e}")))
}

/// How a linear symbology is drawn: module width, bar height and quiet zone.
struct Linear {
    module_mm: f64,
    height: u32,
    quiet: u32,
}

/// EAN-13 at its nominal 0.33 mm module, 11 modules of quiet zone.
const EAN: Linear = Linear {
    module_mm: 0.33,
    height: 60,
    quiet: 11,
};
/// Code 128 at 0.25 mm, ten modules of quiet zone.
const CODE128: Linear = Linear {
    module_mm: 0.25,
    height: 50,
    quiet: 10,
};

/// Bars (`1` a dark module) as SVG in module units, with the text below.
fn linear(bars: &[u8], style: Linear, text: &str) -> String {
    let width = bars.len() as u32 + 2 * style.quiet;
    let text_height = 10;
    let height = style.height + text_height;
    let mut path = String::new();
    let mut x = 0;
    while x < bars.len() {
        let run = bars[x..].iter().take_while(|b| **b == bars[x]).count();
        if bars[x] == 1 {
            let _ = write!(
                path,
                "M{},0h{run}v{}h-{run}z",
                x as u32 + style.quiet,
                style.height
            );
        }
        x += run;
    }
    svg(
        (width, height),
        style.module_mm,
        &path,
        (f64::from(width) / 2.0, f64::from(style.height) + 8.0, 8.0),
        text,
    )
}

/// Data Matrix modules at 0.5 mm with a two-module quiet zone, text below.
fn matrix(symbol: &DataMatrix, text: &str) -> String {
    const QUIET: usize = 2;
    let bitmap = symbol.bitmap();
    let size = bitmap.width() + 2 * QUIET;
    let rows = bitmap.height() + 2 * QUIET;
    let mut path = String::new();
    for (x, y) in bitmap.pixels() {
        let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET, y + QUIET);
    }
    // The text runs wider than the symbol: it is drawn small below.
    let text_rows = 3;
    svg(
        (size as u32, (rows + text_rows) as u32),
        0.5,
        &path,
        (size as f64 / 2.0, (rows + 2) as f64, 1.6),
        text,
    )
}

/// One SVG document: a white ground, the dark modules as one path, and
/// the human-readable text; `(width, height)` in modules of `module_mm`.
fn svg(
    (width, height): (u32, u32),
    module_mm: f64,
    path: &str,
    (text_x, text_y, font): (f64, f64, f64),
    text: &str,
) -> String {
    let (mm_w, mm_h) = (f64::from(width) * module_mm, f64::from(height) * module_mm);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{mm_w:.2}mm\" height=\"{mm_h:.2}mm\" \
         viewBox=\"0 0 {width} {height}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/>\
         <text x=\"{text_x}\" y=\"{text_y}\" font-family=\"monospace\" font-size=\"{font}\" \
         text-anchor=\"middle\" fill=\"#000\">{}</text></svg>\n",
        escape(text)
    )
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            c if c.is_control() => String::new(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs1_elements_put_a_gs_after_a_batch_that_is_followed() {
        let extras = Extras {
            batch: Some("LOT42".into()),
            expiry: Some("271231".into()),
        };
        let (data, shown) = gs1_elements("4006381333931", &extras).unwrap();
        assert_eq!(data, "010400638133393110LOT42\u{1d}17271231");
        assert_eq!(shown, "(01)04006381333931(10)LOT42(17)271231");
        let last = Extras {
            batch: Some("LOT42".into()),
            expiry: None,
        };
        assert_eq!(
            gs1_elements("4006381333931", &last).unwrap().0,
            "010400638133393110LOT42"
        );
        let sscc = gs1_elements("00123456789123456789", &Extras::default()).unwrap();
        assert_eq!(sscc.1, "(00)123456789123456789");
        assert_eq!(
            gs1_elements("OLD-VIT-001", &Extras::default())
                .unwrap_err()
                .to_string(),
            "not a 14-digit GTIN"
        );
    }

    #[test]
    fn codes_a_symbology_cannot_carry_are_refused_with_the_reason() {
        let none = Extras::default();
        assert!(draw(Symbology::Ean13, "4006381333932", &none).is_err());
        assert!(draw(Symbology::Ean13, "OLD-VIT-001", &none).is_err());
        assert!(draw(Symbology::Code128, "tab\there", &none).is_err());
        let batch = Extras {
            batch: Some("LOT 42".into()),
            expiry: None,
        };
        assert!(draw(Symbology::Gs1_128, "4006381333931", &batch).is_err());
        let expiry = Extras {
            batch: None,
            expiry: Some("271331".into()),
        };
        assert!(draw(Symbology::Gs1DataMatrix, "4006381333931", &expiry).is_err());
        assert!(draw(Symbology::Ean13, "4006381333931", &expiry).is_err());
    }

    #[test]
    fn code128_uses_set_c_for_digit_runs_and_fnc1_for_gs1() {
        // Start C, FNC1, 8 digit pairs, stop: far shorter than set B.
        let gs1 = code128("0104006381333931", true).unwrap();
        let plain = code128("0104006381333931", false).unwrap();
        assert_eq!(gs1.len(), plain.len() + 11, "one symbol more: FNC1");
        assert!(gs1.len() < 11 * 14);
        assert!(code128("ab\u{1d}cd", true).is_ok());
    }

    #[test]
    fn the_text_is_escaped() {
        let svg = draw(Symbology::Code128, "A&B<C>", &Extras::default()).unwrap();
        assert!(svg.contains("A&amp;B&lt;C&gt;"), "{svg}");
    }
}
