//! GS1's content checks ("linters"), one function per name in the syntax
//! dictionary. Messages follow GS1's reference engine.
//!
//! Five linters need data that no package registry carries (GS1 Company
//! Prefix allocations for `gcppos1`/`gcppos2`, the media and package type
//! code lists, and the North American coupon formats): they accept any
//! value that passed the character-set and length checks.

use crate::dictionary::Linter;
use crate::iso;

/// CSET 82 in value order, for the alphanumeric check-character pair.
const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET32: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PRIMES: [u32; 23] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
];

/// Runs `linter` on one component's text.
pub fn check(linter: Linter, text: &str) -> Result<(), &'static str> {
    let ok = |valid: bool, message: &'static str| if valid { Ok(()) } else { Err(message) };
    match linter {
        Linter::Csum => ok(csum(text), "The numeric check digit is incorrect."),
        Linter::Csumalpha => csumalpha(text),
        Linter::Yymmd0 => ok(date(text, false, true), "The date is not valid."),
        Linter::Yymmdd => ok(date(text, false, false), "The date is not valid."),
        Linter::Yyyymmdd => ok(date(text, true, false), "The date is not valid."),
        Linter::Hhmi => ok(
            text.len() == 4 && hours(&text[..2]) && minutes(&text[2..]),
            "The time is not valid.",
        ),
        Linter::Hh => ok(hours(text), "The hour is not valid."),
        Linter::Mi => ok(minutes(text), "The minute is not valid."),
        Linter::Ss => ok(minutes(text), "The second is not valid."),
        Linter::Nonzero => ok(
            text.bytes().any(|b| b != b'0'),
            "A zero value is not permitted.",
        ),
        Linter::Zero => ok(
            text.bytes().all(|b| b == b'0'),
            "Only a zero value is permitted.",
        ),
        Linter::Nozeroprefix => ok(
            text.len() == 1 || !text.starts_with('0'),
            "A leading zero is not permitted.",
        ),
        Linter::Hasnondigit => ok(
            !text.bytes().all(|b| b.is_ascii_digit()),
            "A non-digit character is required.",
        ),
        Linter::Yesno => ok(text == "0" || text == "1", "The value must be 0 or 1."),
        Linter::Winding => ok(
            matches!(text, "0" | "1" | "9"),
            "The winding direction must be 0, 1 or 9.",
        ),
        Linter::Iso5218 => ok(
            matches!(text, "0" | "1" | "2" | "9"),
            "The biological sex code is not valid.",
        ),
        Linter::Hyphen => ok(
            text.bytes().all(|b| b == b'-'),
            "Only a hyphen is permitted.",
        ),
        Linter::Pcenc => ok(percent_encoding(text), "The percent-encoding is not valid."),
        Linter::Pieceoftotal => ok(
            piece_of_total(text),
            "The piece number is not within the total.",
        ),
        Linter::Posinseqslash => ok(
            position_in_sequence(text),
            "The position in sequence is not valid.",
        ),
        Linter::Latitude => ok(
            text.parse::<u64>().is_ok_and(|v| v <= 1_800_000_000),
            "The latitude is not valid.",
        ),
        Linter::Longitude => ok(
            text.parse::<u64>().is_ok_and(|v| v <= 3_600_000_000),
            "The longitude is not valid.",
        ),
        Linter::Importeridx => ok(
            text.len() == 1
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "The importer index is not valid.",
        ),
        Linter::Iso3166 => ok(
            iso::ISO3166_NUMERIC.binary_search(&text).is_ok(),
            "The ISO 3166 country code is not valid.",
        ),
        Linter::Iso3166999 => ok(
            text == "999" || iso::ISO3166_NUMERIC.binary_search(&text).is_ok(),
            "The ISO 3166 country code is not valid.",
        ),
        Linter::Iso3166alpha2 => ok(
            iso::ISO3166_ALPHA2.binary_search(&text).is_ok(),
            "The ISO 3166 country code is not valid.",
        ),
        Linter::Iso4217 => ok(
            iso::ISO4217_NUMERIC.binary_search(&text).is_ok(),
            "The ISO 4217 currency code is not valid.",
        ),
        Linter::Iban => ok(iban(text), "The IBAN is not valid."),
        Linter::Gcppos1 | Linter::Gcppos2 | Linter::Mediatype | Linter::Packagetype => Ok(()),
        Linter::Couponcode | Linter::Couponposoffer => Ok(()),
    }
}

/// The GS1 modulo-10 check digit over all but the last digit.
pub fn csum(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some((&check, body)) = bytes.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    u32::from(check - b'0') == (10 - sum % 10) % 10
}

fn csumalpha(text: &str) -> Result<(), &'static str> {
    if text.len() < 2 || text.len() > PRIMES.len() + 2 {
        return Err("The data is too short or too long for an alphanumeric check-character pair.");
    }
    let (body, pair) = text.split_at(text.len() - 2);
    let mut sum = 0u32;
    for (i, c) in body.chars().enumerate() {
        let value = CSET82.find(c).ok_or("A non-CSET 82 character was found.")? as u32;
        sum += value * PRIMES[body.len() - 1 - i];
    }
    sum %= 1021;
    let expected = [CSET32[(sum >> 5) as usize], CSET32[(sum & 31) as usize]];
    if pair.as_bytes() == expected {
        Ok(())
    } else {
        Err("The alphanumeric check-character pair are incorrect.")
    }
}

/// YYMMDD or YYYYMMDD; with `day_zero`, day 00 (a whole month) is allowed.
fn date(text: &str, four_digit_year: bool, day_zero: bool) -> bool {
    let year_len = if four_digit_year { 4 } else { 2 };
    if text.len() != year_len + 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (
        number(0..year_len),
        number(year_len..year_len + 2),
        number(year_len + 2..year_len + 4),
    );
    // Two-digit years fall within 50 years of today; leap years agree with
    // the four-digit rule for every year in that window.
    let year = if four_digit_year { year } else { 2000 + year };
    (1..=12).contains(&month)
        && ((day == 0 && day_zero) || (1..=days_in_month(year, month)).contains(&day))
}

pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn two_digits_at_most(text: &str, max: u32) -> bool {
    text.len() == 2 && text.parse::<u32>().is_ok_and(|v| v <= max)
}

fn hours(text: &str) -> bool {
    two_digits_at_most(text, 23)
}

fn minutes(text: &str) -> bool {
    two_digits_at_most(text, 59)
}

fn percent_encoding(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

fn piece_of_total(text: &str) -> bool {
    if !text.len().is_multiple_of(2) {
        return false;
    }
    let (piece, total) = text.split_at(text.len() / 2);
    match (piece.parse::<u32>(), total.parse::<u32>()) {
        (Ok(piece), Ok(total)) => piece >= 1 && piece <= total,
        _ => false,
    }
}

fn position_in_sequence(text: &str) -> bool {
    let Some((position, count)) = text.split_once('/') else {
        return false;
    };
    let number =
        |s: &str| !s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit());
    number(position) && number(count) && position.parse::<u32>().ok() <= count.parse::<u32>().ok()
}

fn iban(text: &str) -> bool {
    if !(5..=34).contains(&text.len())
        || !text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let (head, rest) = text.split_at(4);
    if iso::ISO3166_ALPHA2.binary_search(&&head[..2]).is_err()
        || !head[2..].bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let mut remainder = 0u32;
    for b in rest.bytes().chain(head.bytes()) {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}
