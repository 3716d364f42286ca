//! What a plugin answers, checked against its [`AnswerLimits`] before any
//! of it leaves the sandbox.

use barcoded_domain::PluginInfo;

use crate::bindings::exports::barcode::plugin::decoder as wit;
use crate::failure::Failure;
use crate::limits::{AnswerLimits, Limit};

/// What a plugin answered to one scan.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Not this plugin's barcode.
    NotMine,
    /// This plugin's barcode, decoded.
    Decoded(Decode),
    /// This plugin's barcode, but invalid.
    Rejected(Rejection),
}

/// A successful decode, validated against [`AnswerLimits`].
#[derive(Debug, Clone, PartialEq)]
pub struct Decode {
    pub format: String,
    pub lookup_code: Option<String>,
    pub uom_code: Option<String>,
    pub quantity: Option<u32>,
    pub fields: Vec<(String, String)>,
    pub payload: Option<serde_json::Value>,
}

/// A plugin's reason for refusing a barcode it recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub format: String,
    pub reason: String,
}

pub(crate) fn bounded(what: &str, text: String, max: usize) -> Result<String, Failure> {
    if text.len() > max {
        return Err(Failure::Limit(
            Limit::Answer,
            format!("{what} is {} bytes, over {max}", text.len()),
        ));
    }
    Ok(text)
}

/// Checks an answer's (key, value) fields against `limits`: how many, how
/// long, and each key once.
pub(crate) fn validate_fields(
    fields: impl ExactSizeIterator<Item = (String, String)>,
    limits: &AnswerLimits,
) -> Result<Vec<(String, String)>, Failure> {
    if fields.len() > limits.fields {
        return Err(Failure::Limit(
            Limit::Answer,
            format!("{} fields, over {}", fields.len(), limits.fields),
        ));
    }
    let mut checked: Vec<(String, String)> = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        let key = bounded("a field key", key, limits.short_text)?;
        if checked.iter().any(|(seen, _)| *seen == key) {
            return Err(Failure::BadAnswer(format!("field `{key}` appears twice")));
        }
        checked.push((key, bounded("a field value", value, limits.value_text)?));
    }
    Ok(checked)
}

/// Checks a plugin's `info` answer against its limits.
pub(crate) fn validate_info(
    info: wit::PluginInfo,
    limits: &AnswerLimits,
) -> Result<PluginInfo, Failure> {
    let max = limits.reason_text;
    Ok(PluginInfo {
        name: bounded("info name", info.name, limits.short_text)?,
        title: bounded("info title", info.title, max)?,
        description: bounded("info description", info.description, max)?,
        version: bounded("info version", info.version, limits.short_text)?,
        author: bounded("info author", info.author, max)?,
    })
}

impl Decode {
    pub(crate) fn validate(
        result: wit::ScanResult,
        limits: &AnswerLimits,
    ) -> Result<Decode, Failure> {
        let fields = validate_fields(result.fields.into_iter().map(|f| (f.key, f.value)), limits)?;
        let payload = match result.payload {
            None => None,
            Some(json) => {
                let json = bounded("the payload", json, limits.payload_bytes)?;
                Some(serde_json::from_str(&json).map_err(|e| {
                    Failure::BadAnswer(format!("the payload is not valid JSON: {e}"))
                })?)
            }
        };
        Ok(Decode {
            format: bounded("the format", result.format, limits.short_text)?,
            lookup_code: result
                .lookup_code
                .map(|code| bounded("the lookup code", code, limits.value_text))
                .transpose()?,
            uom_code: result
                .uom_code
                .map(|uom| bounded("the UoM code", uom, limits.short_text))
                .transpose()?,
            quantity: result.quantity,
            fields,
            payload,
        })
    }
}

impl Rejection {
    pub(crate) fn validate(
        error: wit::ScanError,
        limits: &AnswerLimits,
    ) -> Result<Rejection, Failure> {
        Ok(Rejection {
            format: bounded("the error's format", error.format, limits.short_text)?,
            reason: bounded("the error's reason", error.reason, limits.reason_text)?,
        })
    }
}
