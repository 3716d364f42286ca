//! What InvenTree's clients (its Python client, scripts, apps) ask before
//! they scan: the server probe at `GET /api/` and the user check at
//! `GET /api/user/me/`. Scans themselves are `POST /api/barcode/`, which
//! takes InvenTree's `{"barcode": ..}` and answers with its `barcode_hash`.

use hyper::StatusCode;
use serde_json::json;

use crate::answer::Answer;
use barcoded_domain::ApiKey;

/// The InvenTree API version these answers follow (InvenTree's own numbering;
/// its Python client needs 206 or later).
const INVENTREE_API_VERSION: u32 = 425;

/// `GET /api/`, which needs no key: who answers, and which API it speaks.
pub fn server_details() -> Answer {
    Answer {
        status: StatusCode::OK,
        body: json!({
            "server": "barcoded",
            "version": env!("CARGO_PKG_VERSION"),
            "apiVersion": INVENTREE_API_VERSION,
            "instance": "barcoded",
            "docs_url": null,
        }),
    }
}

/// `GET /api/user/me/`: the key's name stands for the user.
pub fn user(key: &ApiKey) -> Answer {
    Answer {
        status: StatusCode::OK,
        body: json!({
            "pk": 0,
            "username": key.name,
            "first_name": "",
            "last_name": "",
            "email": "",
            "role": key.role,
        }),
    }
}
