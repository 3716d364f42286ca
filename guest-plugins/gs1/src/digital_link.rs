//! GS1 Digital Link URIs: `https://<any host>/<stem>/01/09520123456788/10/ABC?17=201225`.
//!
//! The primary key is found by walking the path backwards in (AI, value)
//! pairs from its end: qualifiers are passed over until a primary key; what
//! comes before it is the host's own path stem. Qualifiers must follow one
//! of the key's sequences from the syntax dictionary, in order. Numeric query
//! parameters are further AIs; others are ignored. A URI with no GS1 key in
//! its path is not GS1's (another plugin may want it); one with a key but
//! bad data is an error naming the AI.

use crate::dictionary::{self, Ai};
use crate::{Element, check};

/// Whether `data` is an http(s) URI at all. As in GS1's reference engine,
/// the scheme is all lower or all upper case.
pub fn is_uri(data: &str) -> bool {
    ["https://", "http://", "HTTPS://", "HTTP://"]
        .iter()
        .any(|scheme| data.starts_with(scheme))
}

/// The elements of a Digital Link URI; `None` when it names no GS1 key.
pub fn parse(uri: &str) -> Option<Result<Vec<Element>, String>> {
    if uri.chars().any(|c| !allowed_in_uri(c)) {
        return None;
    }
    let after_scheme = &uri[uri.find("://")? + 3..];
    let without_fragment = after_scheme.split('#').next().unwrap_or_default();
    let (authority, path_and_query) = without_fragment.split_at(without_fragment.find('/')?);
    if authority.is_empty() || !authority.chars().all(allowed_in_domain) {
        return None;
    }
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let (key, start) = primary_key(&segments)?;
    Some(elements(key, &segments[start..], query))
}

/// The primary key AI and where its pair starts, walking back from the end.
fn primary_key(segments: &[&str]) -> Option<(&'static Ai, usize)> {
    let mut end = segments.len();
    while end >= 2 {
        let (code, value) = (segments[end - 2], segments[end - 1]);
        // An empty value ends the walk, except as the last segment, where it
        // is reported later as that AI's empty value.
        if value.is_empty() && end != segments.len() {
            return None;
        }
        let ai = dictionary::ai(code)?;
        if ai.dl_key.is_some() {
            return Some((ai, end - 2));
        }
        end -= 2;
    }
    None
}

fn elements(key: &'static Ai, pairs: &[&str], query: &str) -> Result<Vec<Element>, String> {
    let mut elements = Vec::new();
    for pair in pairs.chunks(2) {
        let ai = dictionary::ai(pair[0])
            .ok_or_else(|| format!("Unknown AI ({}) in the path", pair[0]))?;
        let value = decode(pair[1], false).ok_or_else(|| {
            format!(
                "Decoded AI ({}) from DL path info contains illegal null character",
                ai.code
            )
        })?;
        if value.is_empty() {
            return Err(format!("AI ({}) value path element is empty", ai.code));
        }
        elements.push(Element {
            ai,
            value: padded_gtin(ai, value),
        });
    }
    let qualifiers: Vec<&str> = elements[1..].iter().map(|e| e.ai.code).collect();
    let sequences = key.dl_key.unwrap_or_default();
    let fitting: Vec<&[&str]> = sequences
        .iter()
        .copied()
        .filter(|s| in_order(&qualifiers, s))
        .collect();
    if fitting.is_empty() {
        return Err(
            "The AIs in the path are not a valid key-qualifier sequence for the key".into(),
        );
    }
    for parameter in query.split('&') {
        let Some((name, raw_value)) = parameter.split_once('=') else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let ai = dictionary::ai(name)
            .ok_or_else(|| format!("Unknown AI ({name}) in query parameters"))?;
        if raw_value.is_empty() {
            return Err(format!("AI ({name}) value query element is empty"));
        }
        if fitting.iter().any(|sequence| sequence.contains(&ai.code)) {
            return Err(format!(
                "AI ({name}) from query params should be in the path info"
            ));
        }
        let value = decode(raw_value, true).ok_or_else(|| {
            format!(
                "Decoded AI ({name}) value from DL query params contains illegal null character"
            )
        })?;
        elements.push(Element {
            ai,
            value: padded_gtin(ai, value),
        });
    }
    for (i, element) in elements.iter().enumerate() {
        if elements[..i].iter().any(|e| e.ai.code == element.ai.code) {
            return Err(format!("AI ({}) is duplicated", element.ai.code));
        }
        check(element.ai, &element.value)?;
    }
    Ok(elements)
}

/// Whether `qualifiers` appear in `sequence`'s order, each at most once.
fn in_order(qualifiers: &[&str], sequence: &[&str]) -> bool {
    let mut rest = sequence.iter();
    qualifiers.iter().all(|q| rest.any(|s| s == q))
}

/// Digital Link allows a GTIN in its 8-, 12- or 13-digit form: pad to 14.
fn padded_gtin(ai: &Ai, value: String) -> String {
    let short_gtin = ai.code == "01"
        && matches!(value.len(), 8 | 12 | 13)
        && value.bytes().all(|b| b.is_ascii_digit());
    if short_gtin {
        format!("{value:0>14}")
    } else {
        value
    }
}

/// Percent-decodes `text` (`+` is a space in a query); `None` for a NUL.
fn decode(text: &str, query: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = match bytes[i] {
            b'%' => match text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                Some(decoded) => {
                    i += 2;
                    decoded
                }
                None => b'%',
            },
            b'+' if query => b' ',
            other => other,
        };
        if byte == 0 {
            return None;
        }
        out.push(byte);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn allowed_in_uri(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

fn allowed_in_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.:[]".contains(c)
}
