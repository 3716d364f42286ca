//! `GET /api/admin/audit`: the audit trail of administrative changes,
//! newest first.
//!
//! Query: `limit` (1 to 500, default 50), `before` (the cursor from the
//! previous page's `next`), and filters `actor` (a key's name, or a user of
//! the command line), `operation` (`plugin.grant`, or a kind: `plugin`) and
//! `target`.

use hyper::StatusCode;
use serde_json::json;

use super::query::{known_parameters, limit, next_link, query_param};
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::AuditQuery;

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
const PARAMETERS: [&str; 5] = ["limit", "before", "actor", "operation", "target"];

pub async fn handle(service: &Service, query: Option<&str>) -> Answer {
    let query = query.unwrap_or_default();
    let audit = match parse(query) {
        Ok(audit) => audit,
        Err(message) => return Answer::error(StatusCode::BAD_REQUEST, message),
    };
    let page = match service.office().audit(audit).await {
        Ok(page) => page,
        Err(error) => return Answer::store_failure(&error),
    };
    let next = page
        .next_before
        .map(|before| next_link("/api/admin/audit", query, "before", &before.to_string()));
    Answer {
        status: StatusCode::OK,
        body: json!({ "results": page.entries, "next": next }),
    }
}

fn parse(query: &str) -> Result<AuditQuery, String> {
    known_parameters(query, &PARAMETERS)?;
    // An empty filter matches everything; an empty cursor is an error.
    let param = |name| query_param(query, name).filter(|value| !value.is_empty());
    let before = query_param(query, "before")
        .map(|text| super::history::cursor(&text))
        .transpose()?;
    Ok(AuditQuery {
        before,
        limit: limit(query, DEFAULT_LIMIT, MAX_LIMIT)?,
        actor: param("actor"),
        operation: param("operation"),
        target: param("target"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_strictly() {
        let query = parse("limit=2&actor=ops&operation=plugin").unwrap();
        assert_eq!(query.limit, 2);
        assert_eq!(query.actor.as_deref(), Some("ops"));
        assert_eq!(query.operation.as_deref(), Some("plugin"));
        assert_eq!(parse("target=").unwrap().target, None);
        for bad in ["limit=0", "limit=501", "before=x", "before=", "key=ops"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
