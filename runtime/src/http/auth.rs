//! API keys on requests: `Authorization: Bearer <key>`.
//!
//! Fails secure: with no key provisioned, no key can match, so every request
//! is refused.

use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;

use crate::answer::Answer;
use crate::service::Service;
use crate::store::{ApiKey, Role};

/// The answer to a request without a valid key. It never says which part
/// was wrong.
pub fn unauthorized() -> Answer {
    Answer::error(401, "Unauthorized")
}

/// The key a request carries, if it is valid and its role allows `needed`.
pub fn authorize(service: &Service, headers: &HeaderMap, needed: Role) -> Result<ApiKey, Answer> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(unauthorized)?;
    let key = service
        .store()
        .authenticate(token)
        .map_err(|error| Answer::store_failure(&error))?
        .ok_or_else(unauthorized)?;
    if !key.role.allows(needed) {
        return Err(Answer::error(
            403,
            format!("Forbidden: this needs a key with the {needed} role"),
        ));
    }
    Ok(key)
}

/// The token of a `Bearer` header: the scheme in any case, at least one
/// space, then the token with surrounding whitespace trimmed.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, rest) = header.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case("bearer") || !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(rest.trim()).filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_tokens_are_read_as_the_reference_api_reads_them() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer \t abc  "), Some("abc"));
        assert_eq!(bearer_token("BEARER abc"), Some("abc"));
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Basic abc",
            "Token abc",
            "Beare abc",
        ] {
            assert_eq!(bearer_token(bad), None, "{bad:?}");
        }
    }
}
