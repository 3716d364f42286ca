//! Query strings and path segments: decoding what clients send, checking
//! parameter names, and writing the link to a next page.

/// The decoded value of `name` in a query string, if present.
pub(super) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key)? == name)
            .then(|| percent_decode(&value.replace('+', " ")))
            .flatten()
    })
}

/// Decodes `%XX` escapes; `None` for a broken escape or invalid UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// `Err` naming the first parameter of `query` that is not in `known`.
pub(super) fn known_parameters(query: &str, known: &[&str]) -> Result<(), String> {
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let name = percent_decode(name).unwrap_or_default();
        if !known.contains(&name.as_str()) {
            return Err(format!(
                "unknown query parameter {name:?}; this endpoint takes {}",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// The `limit` parameter of `query`: `default` when absent, else a whole
/// number from 1 to `max`.
pub(super) fn limit(query: &str, default: usize, max: usize) -> Result<usize, String> {
    match query_param(query, "limit") {
        None => Ok(default),
        Some(text) => text
            .parse()
            .ok()
            .filter(|limit| (1..=max).contains(limit))
            .ok_or_else(|| format!("limit must be 1 to {max}, not {text:?}")),
    }
}

/// `path` with `query`, its `cursor` parameter replaced by `value`: the
/// `next` link of a paged answer.
pub(super) fn next_link(path: &str, query: &str, cursor: &str, value: &str) -> String {
    let prefix = format!("{cursor}=");
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&prefix))
        .map(str::to_owned)
        .collect();
    pairs.push(format!("{prefix}{}", percent_encode(value)));
    format!("{path}?{}", pairs.join("&"))
}

/// `text` with every byte but RFC 3986's unreserved characters escaped.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_query_values_are_url_decoded() {
        assert_eq!(percent_decode("AB%2F12.3-4").as_deref(), Some("AB/12.3-4"));
        assert_eq!(percent_decode("%20x%20").as_deref(), Some(" x "));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(
            query_param("a=1&uomCode=CA", "uomCode").as_deref(),
            Some("CA")
        );
        assert_eq!(query_param("uomCode=", "uomCode").as_deref(), Some(""));
        assert_eq!(query_param("uom=CA", "uomCode"), None);
    }

    #[test]
    fn next_links_replace_the_cursor_and_escape_it() {
        assert_eq!(
            next_link("/p", "q=a&after=X&limit=2", "after", "SKU/1 ü"),
            "/p?q=a&limit=2&after=SKU%2F1%20%C3%BC"
        );
        assert_eq!(next_link("/p", "", "before", "7"), "/p?before=7");
        assert_eq!(
            percent_decode(&percent_encode("a/b c%")).as_deref(),
            Some("a/b c%")
        );
    }

    #[test]
    fn unknown_parameters_are_named() {
        assert!(known_parameters("a=1&b=", &["a", "b"]).is_ok());
        let error = known_parameters("a=1&zz=2", &["a", "b"]).unwrap_err();
        assert!(
            error.contains("\"zz\"") && error.contains("a, b"),
            "{error}"
        );
    }
}
