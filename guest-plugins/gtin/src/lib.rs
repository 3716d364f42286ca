//! Retail barcodes: EAN-8, EAN-13, UPC-A, UPC-E and GTIN-14.
//!
//! Every code is checked against its GS1 check digit and normalised to a
//! GTIN-14, which becomes the lookup code. A wrong check digit is an error,
//! not "not mine": the data is clearly a retail barcode, just a bad one.
//!
//! Eight digits are ambiguous between EAN-8 and UPC-E (scanners send both as
//! eight digits). A code whose EAN-8 check digit holds is EAN-8; otherwise,
//! if it starts with 0 or 1 and its UPC-E check digit holds, it is UPC-E.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Gtin;

impl Plugin for Gtin {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "gtin".into(),
            title: "GTIN / EAN / UPC".into(),
            description: "EAN-8, EAN-13, UPC-A, UPC-E and GTIN-14 with check-digit validation, \
                          normalised to GTIN-14."
                .into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        decode(data)
    }

    /// 8, 12, 13 or 14 digits, after an optional symbology identifier.
    const CLAIMS: &'static [&'static str] = &[r"^(\]E[04])?([0-9]{8}|[0-9]{12,14})$"];
}

export_plugin!(Gtin);

/// AIM symbology identifiers a scanner may put in front of the digits.
const SYMBOLOGY_IDS: [&str; 2] = ["]E0", "]E4"];

fn decode(data: &str) -> Result<Option<ScanResult>, ScanError> {
    let digits = SYMBOLOGY_IDS
        .iter()
        .find_map(|id| data.strip_prefix(id))
        .unwrap_or(data);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let (format, gtin14) = match digits.len() {
        8 => eight_digits(digits)?,
        12 => ("UPC-A", checked("UPC-A", digits)?),
        13 => ("EAN-13", checked("EAN-13", digits)?),
        14 => ("GTIN-14", checked("GTIN-14", digits)?),
        _ => return Ok(None),
    };
    let mut result = ScanResult::new(format)
        .lookup_code(gtin14.clone())
        .field("gtin", gtin14);
    if format == "UPC-E" {
        result = result.field("upc_a", expand_upc_e(digits));
    }
    Ok(Some(result))
}

fn eight_digits(digits: &str) -> Result<(&'static str, String), ScanError> {
    match checked("EAN-8", digits) {
        Ok(gtin) => Ok(("EAN-8", gtin)),
        Err(ean8_error) if matches!(digits.as_bytes()[0], b'0' | b'1') => {
            let upc_a = expand_upc_e(digits);
            // Only call it UPC-E when its own check digit holds; otherwise
            // the EAN-8 reading's error is the more likely explanation.
            checked("UPC-E", &upc_a)
                .map(|gtin| ("UPC-E", gtin))
                .map_err(|_| ean8_error)
        }
        Err(ean8_error) => Err(ean8_error),
    }
}

/// Validates the check digit of an all-digit GTIN and left-pads it to 14.
fn checked(format: &str, digits: &str) -> Result<String, ScanError> {
    let (body, check) = digits.split_at(digits.len() - 1);
    let expected = check_digit(body);
    let found = check.as_bytes()[0] - b'0';
    if found != expected {
        return Err(ScanError::new(
            format,
            format!("check digit is {found}, expected {expected}"),
        ));
    }
    Ok(format!("{digits:0>14}"))
}

/// The GS1 modulo-10 check digit of `body` (all ASCII digits).
fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Expands an 8-digit UPC-E (number system, six digits, check) to UPC-A.
fn expand_upc_e(upc_e: &str) -> String {
    let d: Vec<char> = upc_e.chars().collect();
    let (ns, check) = (d[0], d[7]);
    let (d1, d2, d3, d4, d5, d6) = (d[1], d[2], d[3], d[4], d[5], d[6]);
    let body: String = match d6 {
        '0'..='2' => [d1, d2, d6, '0', '0', '0', '0', d3, d4, d5]
            .iter()
            .collect(),
        '3' => [d1, d2, d3, '0', '0', '0', '0', '0', d4, d5]
            .iter()
            .collect(),
        '4' => [d1, d2, d3, d4, '0', '0', '0', '0', '0', d5]
            .iter()
            .collect(),
        _ => [d1, d2, d3, d4, d5, '0', '0', '0', '0', d6]
            .iter()
            .collect(),
    };
    format!("{ns}{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(data: &str) -> (String, String) {
        let result = decode(data).expect("valid").expect("recognised");
        (result.format, result.lookup_code.expect("lookup code"))
    }

    fn reason(data: &str) -> String {
        decode(data).expect_err("invalid").reason
    }

    // Valid codes: GS1 General Specifications' worked examples and widely
    // printed retail codes (4006381333931 is a Stabilo pen, the common
    // EAN-13 example in GS1 and Wikipedia material).
    #[test]
    fn decodes_every_supported_length_to_gtin14() {
        let cases = [
            ("4006381333931", "EAN-13", "04006381333931"),
            ("]E04006381333931", "EAN-13", "04006381333931"),
            ("96385074", "EAN-8", "00000096385074"),
            ("036000291452", "UPC-A", "00036000291452"),
            ("04252614", "UPC-E", "00042100005264"),
            // Also a valid UPC-E, but EAN-8 is preferred when both check digits hold.
            ("01234565", "EAN-8", "00000001234565"),
            ("10614141000415", "GTIN-14", "10614141000415"),
            ("5410317126587", "EAN-13", "05410317126587"),
        ];
        for (data, format, gtin) in cases {
            assert_eq!(lookup(data), (format.into(), gtin.into()), "{data}");
        }
    }

    #[test]
    fn upc_e_expands_by_its_last_digit() {
        assert_eq!(expand_upc_e("01234565"), "012345000065");
        assert_eq!(expand_upc_e("04252614"), "042100005264");
        assert_eq!(expand_upc_e("01234531"), "012300000451");
        assert_eq!(expand_upc_e("01234548"), "012340000058");
    }

    #[test]
    fn wrong_check_digit_is_an_error_naming_both_digits() {
        assert_eq!(reason("4006381333932"), "check digit is 2, expected 1");
        assert_eq!(reason("5410317126589"), "check digit is 9, expected 7");
        assert_eq!(reason("036000291453"), "check digit is 3, expected 2");
        assert_eq!(reason("10614141000416"), "check digit is 6, expected 5");
        assert_eq!(reason("96385075"), "check digit is 5, expected 4");
    }

    #[test]
    fn other_data_is_not_ours() {
        for data in [
            "",
            "hello",
            "12345",
            "1234567",
            "400638133393A",
            "123456789012345",
        ] {
            assert!(decode(data).expect("no error").is_none(), "{data:?}");
        }
    }
}
