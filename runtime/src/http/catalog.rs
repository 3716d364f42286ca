//! `GET /api/catalog/products?q=&after=&limit=`: the catalog browsed and
//! searched, each product with its barcode records, for any key.

use hyper::StatusCode;
use serde_json::json;

use super::query::{known_parameters, limit, next_link, query_param};
use crate::answer::Answer;
use barcoded_app::Service;

pub const PATH: &str = "/api/catalog/products";

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;
/// Longest search text, in characters: longer than any SKU or name.
const MAX_QUERY_CHARS: usize = 200;
const PARAMETERS: [&str; 3] = ["q", "after", "limit"];

pub async fn handle(service: &Service, query: Option<&str>) -> Answer {
    let query = query.unwrap_or_default();
    let (text, after, limit) = match parse(query) {
        Ok(parsed) => parsed,
        Err(message) => return Answer::error(StatusCode::BAD_REQUEST, message),
    };
    match service
        .office()
        .search(&text, after.as_deref(), limit)
        .await
    {
        Ok(page) => Answer {
            status: StatusCode::OK,
            body: json!({
                "results": page.results,
                "next": page.next_after.map(|sku| next_link(PATH, query, "after", &sku)),
            }),
        },
        Err(error) => Answer::store_failure(&error),
    }
}

fn parse(query: &str) -> Result<(String, Option<String>, usize), String> {
    known_parameters(query, &PARAMETERS)?;
    let text = query_param(query, "q").unwrap_or_default();
    let text = text.trim();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("q must be at most {MAX_QUERY_CHARS} characters"));
    }
    let limit = limit(query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = query_param(query, "after").filter(|sku| !sku.is_empty());
    Ok((text.to_owned(), after, limit))
}
