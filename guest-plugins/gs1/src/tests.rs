//! Table-driven tests from GS1's reference engine and jodal/biip; each row
//! of the vector files cites its source (see vectors/README.md).

use super::*;
use crate::dictionary::Linter;

const ELEMENT_STRINGS: &str = include_str!("../vectors/element_strings.tsv");
const DIGITAL_LINKS: &str = include_str!("../vectors/digital_link.tsv");
const LINTERS: &str = include_str!("../vectors/linter_unit_tests.tsv");
const BIIP: &str = include_str!("../vectors/biip_vectors.tsv");

/// The rows of a TSV file as header-keyed maps. A field wrapped in double
/// quotes has them removed and its doubled quotes halved.
fn rows(tsv: &str) -> Vec<std::collections::HashMap<&str, String>> {
    let unquote = |field: &str| match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_owned(),
    };
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|line| {
            header
                .iter()
                .copied()
                .zip(line.split('\t').map(unquote))
                .collect()
        })
        .collect()
}

/// Engine notation to scanner data: a leading `^` is the symbology
/// identifier of GS1-128, any other `^` is GS.
fn scanner_data(category: &str, input: &str) -> String {
    match (category, input.strip_prefix('^')) {
        ("element_string_raw", Some(rest)) => format!("]C1{}", rest.replace('^', "\u{1d}")),
        _ => input.to_owned(),
    }
}

/// The value of the field `key` in `result`.
fn field<'a>(result: &'a ScanResult, key: &str) -> Option<&'a str> {
    result
        .fields
        .iter()
        .find(|f| f.key == key)
        .map(|f| f.value.as_str())
}

/// Our elements in the engine's notation: `01=...; 10=...`.
fn parsed(data: &str) -> Option<String> {
    let (_, elements) = read(data)?;
    let elements = elements.ok()?;
    Some(
        elements
            .iter()
            .map(|e| format!("{}={}", e.ai.code, e.value))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// One vector: scanner data, and the reference engine's AIs for it in
/// `01=...; 10=...` notation (`None` when the engine refuses it).
struct Case {
    source: String,
    data: String,
    expected: Option<String>,
}

/// The element-string rows of the reference engine's own tests, in the
/// default mode or with requisites off (the plugin applies no pairing rules).
fn engine_cases() -> Vec<Case> {
    rows(ELEMENT_STRINGS)
        .into_iter()
        .chain(rows(DIGITAL_LINKS))
        .filter(|row| {
            let options = row["test_options"].as_str();
            let category = row["category"].as_str();
            (category.starts_with("element_string_") || category == "digital_link_parse")
                && (options == "{}" || options.contains("REQUISITE"))
        })
        .map(|row| {
            let parsed = row["engine_norequisites_parsed_ais"].clone();
            let ok = row["engine_norequisites_status"] == "OK" && !parsed.is_empty();
            Case {
                data: scanner_data(&row["category"], &row["input"]),
                expected: ok.then_some(parsed),
                source: row["source"].clone(),
            }
        })
        .collect()
}

/// jodal/biip's element-string cases, judged by the reference engine (its
/// cross-check scans raw data as GS1-128 and HRI as bracketed).
fn biip_cases() -> Vec<Case> {
    rows(BIIP)
        .into_iter()
        .filter_map(|row| {
            let data = match row["api"].as_str() {
                "GS1Message.parse" => format!("]C1{}", row["input"].replace("<GS>", "\u{1d}")),
                "GS1Message.parse_hri" => row["input"].clone(),
                _ => return None,
            };
            let verdict =
                row["gs1-syntax-engine cross-check (scan ]C1 / DL / bracketed; requisites off)"]
                    .clone();
            let expected = verdict.strip_prefix("OK ").map(|bracketed| {
                bracketed
                    .trim_start_matches('(')
                    .split('(')
                    .map(|element| element.replacen(')', "=", 1))
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            Some(Case {
                source: row["source"].clone(),
                data,
                expected,
            })
        })
        .collect()
}

#[test]
fn element_strings_decode_as_gs1s_reference_engine_does() {
    let cases: Vec<Case> = engine_cases().into_iter().chain(biip_cases()).collect();
    let mut wrong = Vec::new();
    for case in &cases {
        let ours = parsed(&case.data);
        if ours != case.expected {
            wrong.push(format!(
                "{}: {:?} gave {ours:?}, expected {:?}",
                case.source, case.data, case.expected
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    let positive = cases.iter().filter(|c| c.expected.is_some()).count();
    let negative = cases.len() - positive;
    assert!(
        positive >= 50 && negative >= 20,
        "{positive} positive, {negative} negative cases"
    );
}

#[test]
fn linters_agree_with_gs1s_reference_engine() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for row in rows(LINTERS) {
        let linter = match row["test_function"].as_str() {
            "test_lint_csum" => Linter::Csum,
            "test_lint_csumalpha" => Linter::Csumalpha,
            "test_lint_yymmd0" => Linter::Yymmd0,
            "test_lint_yymmdd" => Linter::Yymmdd,
            "test_lint_yyyymmdd" => Linter::Yyyymmdd,
            "test_lint_hhmi" => Linter::Hhmi,
            _ => continue,
        };
        checked += 1;
        let valid = row["test_expect"] == "pass";
        // Inputs are C string literals from the engine's sources.
        let input = row["input"].replace("\\\"", "\"");
        let ours = lint::check(linter, &input).is_ok();
        if ours != valid {
            wrong.push(format!(
                "{}: {linter:?}({input:?}) gave {ours}",
                row["source"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked > 250, "only {checked} rows checked");
}

#[test]
fn a_gs1_datamatrix_decodes_to_named_fields_and_a_lookup_code() {
    let result = decode("]d201095212345432131726123110ABC123\u{1d}3012")
        .unwrap()
        .unwrap();
    assert_eq!(result.format, "GS1 DataMatrix");
    assert_eq!(result.lookup_code.as_deref(), Some("09521234543213"));
    assert_eq!(result.quantity, Some(12));
    assert_eq!(field(&result, "batch"), Some("ABC123"));
    assert_eq!(field(&result, "expiry"), Some("2026-12-31"));
    assert_eq!(field(&result, "17"), Some("261231"));
    assert_eq!(field(&result, "gtin"), Some("09521234543213"));
}

#[test]
fn decimal_ais_carry_their_decimal_point_and_day_zero_is_the_months_end() {
    let result = decode("(01)09521234543213(3103)001234(15)260200")
        .unwrap()
        .unwrap();
    assert_eq!(field(&result, "3103"), Some("1.234"));
    assert_eq!(field(&result, "best_before"), Some("2026-02-28"));
    assert_eq!(decimal("3920", "995"), Some("995".into()));
    assert_eq!(decimal("3922", "5"), Some("0.05".into()));
    assert_eq!(decimal("3912", "978995"), None);
}

#[test]
fn plain_digits_are_left_to_other_plugins() {
    assert!(decode("4006381333931").unwrap().is_none());
    assert!(decode("0109521234543213").unwrap().is_none());
}

#[test]
fn errors_name_the_ai_and_the_reason() {
    let reason = |data: &str| decode(data).unwrap_err().reason;
    assert_eq!(
        reason("(01)09521234543214"),
        "AI (01): The numeric check digit is incorrect."
    );
    assert_eq!(reason("(17)261331"), "AI (17): The date is not valid.");
    assert_eq!(
        reason("(99)AB~C"),
        "AI (99): A non-CSET 82 character was found where a CSET 82 character is expected."
    );
    assert_eq!(
        reason("(01)0952123454321"),
        "AI (01) data has incorrect length"
    );
    assert_eq!(reason("(89)123"), "Unrecognised AI: (89)");
    assert_eq!(reason("]C18912345"), "No known AI is a prefix of: 8912...");
}
