//! `GET /api/barcode/history`: the scan history, newest first, for admins.
//!
//! Query: `limit` (1 to 500, default 50), `before` (the cursor from the
//! previous page's `next`), and filters `plugin`, `key`, `result`
//! (`decoded`, `rejected`, `no-match`, `linked`, `error`), `code` (lookup
//! code), `since` and `until` (RFC 3339, UTC).

use hyper::StatusCode;
use std::time::SystemTime;

use serde_json::json;

use super::query::{known_parameters, limit, next_link, query_param};
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::{HistoryQuery, Invalid};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
const PARAMETERS: [&str; 8] = [
    "limit", "before", "plugin", "key", "result", "code", "since", "until",
];

pub async fn handle(service: &Service, query: Option<&str>) -> Answer {
    let query = query.unwrap_or_default();
    let parsed = parse(query).map_err(|message| Answer::error(StatusCode::BAD_REQUEST, message));
    let history = match parsed {
        Ok(history) => history,
        Err(answer) => return answer,
    };
    let page = match service.office().history(history).await {
        Ok(page) => page,
        Err(error) => return Answer::store_failure(&error),
    };
    let next = page
        .next_before
        .map(|before| next_link("/api/barcode/history", query, "before", &before.to_string()));
    Answer {
        status: StatusCode::OK,
        body: json!({ "results": page.entries, "next": next }),
    }
}

fn parse(query: &str) -> Result<HistoryQuery, String> {
    known_parameters(query, &PARAMETERS)?;
    // An empty filter matches everything; an empty number or time is an error.
    let param = |name| query_param(query, name).filter(|value| !value.is_empty());
    let typed = |name| query_param(query, name);
    let limit = limit(query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let before = typed("before").map(|text| cursor(&text)).transpose()?;
    Ok(HistoryQuery {
        before,
        limit,
        plugin: param("plugin"),
        key: param("key"),
        result: typed("result")
            .map(|text| text.parse())
            .transpose()
            .map_err(|invalid: Invalid| invalid.0)?,
        lookup_code: param("code"),
        since: typed("since")
            .map(|text| time(&text, "since"))
            .transpose()?,
        until: typed("until")
            .map(|text| time(&text, "until"))
            .transpose()?,
    })
}

/// A `before` cursor: any non-negative integer, as the API document allows.
/// One beyond any entry id reads as the largest, so it pages from the newest.
pub(super) fn cursor(text: &str) -> Result<u64, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("before must be an entry id, not {text:?}"));
    }
    Ok(text.parse().unwrap_or(u64::MAX))
}

fn time(text: &str, name: &str) -> Result<SystemTime, String> {
    rfc3339(text).ok_or_else(|| {
        format!("{name} must be an RFC 3339 time such as 2026-11-23T08:00:00Z, not {text:?}")
    })
}

/// An RFC 3339 date and time with its offset (`Z`, `+01:00`, ...), any
/// year from 0000; a time before 1970 reads as 1970, older than any entry.
fn rfc3339(text: &str) -> Option<SystemTime> {
    let digits = |from: usize, to: usize| -> Option<i64> {
        let part = text.get(from..to)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let at = |i: usize| text.as_bytes().get(i).copied();
    let (year, month, day) = (digits(0, 4)?, digits(5, 7)?, digits(8, 10)?);
    let (hour, minute, second) = (digits(11, 13)?, digits(14, 16)?, digits(17, 19)?);
    let separators = at(4) == Some(b'-')
        && at(7) == Some(b'-')
        && matches!(at(10), Some(b'T' | b't'))
        && at(13) == Some(b':')
        && at(16) == Some(b':');
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return None;
        }
        rest = &fraction[end..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let field = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let (hours, minutes) = (field(*h1, *h2)?, field(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'+' { seconds } else { -seconds }
        }
        _ => return None,
    };
    let valid = separators
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !valid {
        return None;
    }
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.min(59)
            - offset;
    Some(match u64::try_from(seconds) {
        Ok(seconds) => SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(seconds),
        Err(_) => SystemTime::UNIX_EPOCH,
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian
/// calendar (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The same query, from `before` on.
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn queries_are_read_strictly() {
        let query = parse("limit=2&result=no-match&plugin=gtin").unwrap();
        assert_eq!(query.limit, 2);
        assert_eq!(query.plugin.as_deref(), Some("gtin"));
        assert_eq!(parse("").unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(
            parse("before=20931723444838309888").unwrap().before,
            Some(u64::MAX)
        );
        for bad in [
            "limit=0",
            "limit=501",
            "before=x",
            "before=-1",
            "before=+1",
            "result=maybe",
            "since=yesterday",
            "colour=red",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_next_link_keeps_the_filters_and_moves_the_cursor() {
        assert_eq!(
            next_link(
                "/api/barcode/history",
                "limit=2&before=9&key=till-1",
                "before",
                "7"
            ),
            "/api/barcode/history?limit=2&key=till-1&before=7"
        );
    }

    fn at(seconds: u64) -> Option<SystemTime> {
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
    }

    #[test]
    fn rfc3339_times_read_with_their_offsets() {
        assert_eq!(rfc3339("1970-01-01T00:00:00Z"), at(0));
        assert_eq!(rfc3339("2026-11-23T08:00:00Z"), at(1_795_420_800));
        assert_eq!(rfc3339("2026-11-23T09:30:00+01:30"), at(1_795_420_800));
        assert_eq!(rfc3339("2026-11-23t08:00:00.250z"), at(1_795_420_800));
        assert_eq!(rfc3339("2024-02-29T00:00:00Z"), at(1_709_164_800));
        assert_eq!(rfc3339("0942-05-19T10:57:05-07:28"), at(0));
        for bad in [
            "",
            "2026-11-23",
            "2026-11-23T08:00:00",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T08:00:00+24:00",
            "2026-11-23T08:00:00.Z",
            "1970-00-00T00:00:00Z",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad:?}");
        }
    }
}
