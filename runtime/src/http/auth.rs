//! API keys on requests: `Authorization: Bearer <key>`, or `Token <key>` as
//! InvenTree's clients send it.
//!
//! Fails secure: with no key provisioned, no key can match, so every request
//! is refused.

use hyper::HeaderMap;
use hyper::StatusCode;
use hyper::header::AUTHORIZATION;

use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::{ApiKey, Role};

/// The answer to a request without a valid key. It never says which part
/// was wrong.
pub fn unauthorized() -> Answer {
    Answer::error(StatusCode::UNAUTHORIZED, "Unauthorized")
}

/// The key a request carries, if it is valid and its role allows `needed`.
pub async fn authorize(
    service: &Service,
    headers: &HeaderMap,
    needed: Role,
) -> Result<ApiKey, Answer> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(key_of)
        .ok_or_else(unauthorized)?;
    let key = service
        .office()
        .authenticate(token)
        .await
        .map_err(|error| Answer::store_failure(&error))?
        .ok_or_else(unauthorized)?;
    if !key.role.allows(needed) {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            format!("Forbidden: this needs a key with the {needed} role"),
        ));
    }
    Ok(key)
}

/// The key of a `Bearer` or `Token` header: the scheme in any case, at
/// least one space, then the key with surrounding whitespace trimmed.
fn key_of(header: &str) -> Option<&str> {
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("token") {
        return None;
    }
    Some(rest.trim()).filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::key_of;

    #[test]
    fn keys_are_read_as_the_reference_api_and_inventree_send_them() {
        assert_eq!(key_of("Bearer abc"), Some("abc"));
        assert_eq!(key_of("bearer \t abc  "), Some("abc"));
        assert_eq!(key_of("BEARER abc"), Some("abc"));
        assert_eq!(key_of("Token abc"), Some("abc"));
        assert_eq!(key_of("token\tabc"), Some("abc"));
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Basic abc",
            "Tokenabc",
            "Beare abc",
            " Bearer abc",
        ] {
            assert_eq!(key_of(bad), None, "{bad:?}");
        }
    }
}
