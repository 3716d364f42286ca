//! `GET /api/barcode/history`: the scan history, newest first, for admins.
//!
//! Query: `limit` (1 to 500, default 50), `before` (the cursor from the
//! previous page's `next`), and filters `plugin`, `key`, `result`
//! (`decoded`, `rejected`, `no-match`, `error`), `code` (lookup code),
//! `since` and `until` (RFC 3339).

use std::time::SystemTime;

use serde_json::json;

use super::lookup::{percent_decode, query_param};
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::{HistoryQuery, Invalid};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
const PARAMETERS: [&str; 8] = [
    "limit", "before", "plugin", "key", "result", "code", "since", "until",
];

pub fn handle(service: &Service, query: Option<&str>) -> Answer {
    let query = query.unwrap_or_default();
    let parsed = parse(query).map_err(|message| Answer::error(400, message));
    let history = match parsed {
        Ok(history) => history,
        Err(answer) => return answer,
    };
    let page = match service.store().history(&history) {
        Ok(page) => page,
        Err(error) => return Answer::store_failure(&error),
    };
    let next = page.next_before.map(|before| next_link(query, before));
    Answer {
        status: 200,
        body: json!({ "results": page.entries, "next": next }),
    }
}

fn parse(query: &str) -> Result<HistoryQuery, String> {
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let name = percent_decode(name).unwrap_or_default();
        if !PARAMETERS.contains(&name.as_str()) {
            return Err(format!(
                "unknown query parameter {name:?}; this endpoint takes {}",
                PARAMETERS.join(", ")
            ));
        }
    }
    let param = |name| query_param(query, name).filter(|value| !value.is_empty());
    let limit = match param("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| format!("limit must be 1 to {MAX_LIMIT}, not {text:?}"))?,
    };
    let before = param("before")
        .map(|text| {
            text.parse()
                .map_err(|_| format!("before must be an entry id, not {text:?}"))
        })
        .transpose()?;
    Ok(HistoryQuery {
        before,
        limit,
        plugin: param("plugin"),
        key: param("key"),
        result: param("result")
            .map(|text| text.parse())
            .transpose()
            .map_err(|invalid: Invalid| invalid.0)?,
        lookup_code: param("code"),
        since: param("since")
            .map(|text| time(&text, "since"))
            .transpose()?,
        until: param("until")
            .map(|text| time(&text, "until"))
            .transpose()?,
    })
}

fn time(text: &str, name: &str) -> Result<SystemTime, String> {
    humantime::parse_rfc3339_weak(text).map_err(|_| {
        format!("{name} must be an RFC 3339 time such as 2026-11-23T08:00:00Z, not {text:?}")
    })
}

/// The same query, from `before` on.
fn next_link(query: &str, before: u64) -> String {
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("before="))
        .collect();
    let cursor = format!("before={before}");
    pairs.push(&cursor);
    format!("/api/barcode/history?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_strictly() {
        let query = parse("limit=2&result=no-match&plugin=gtin").unwrap();
        assert_eq!(query.limit, 2);
        assert_eq!(query.plugin.as_deref(), Some("gtin"));
        assert_eq!(parse("").unwrap().limit, DEFAULT_LIMIT);
        for bad in [
            "limit=0",
            "limit=501",
            "before=x",
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
            next_link("limit=2&before=9&key=till-1", 7),
            "/api/barcode/history?limit=2&key=till-1&before=7"
        );
    }
}
