//! Reading request JSON like the server: keys in camelCase or snake_case, `null` as absent,
//! wrong types refused with INVALID_ARGUMENT.

use serde_json::{Map, Value};

use super::error::ApiError;

/// A field by camelCase name, or its snake_case spelling; `null` is absent.
pub(crate) fn field<'a>(object: &'a Map<String, Value>, camel: &str) -> Option<&'a Value> {
    object
        .get(camel)
        .or_else(|| object.get(&snake_case(camel)))
        .filter(|v| !v.is_null())
}

pub(crate) fn string(object: &Map<String, Value>, camel: &str) -> Result<Option<String>, ApiError> {
    match field(object, camel) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(format!("{camel} must be a string"))),
    }
}

pub(crate) fn number(object: &Map<String, Value>, camel: &str) -> Result<Option<f64>, ApiError> {
    match field(object, camel) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(ApiError::invalid(format!("{camel} must be a number"))),
    }
}

fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// An optional array of strings (`tags`).
pub(crate) fn strings(
    object: &Map<String, Value>,
    camel: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    let bad = || ApiError::invalid(format!("{camel} must be an array of strings"));
    match field(object, camel) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

/// The request body as a JSON object.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::invalid("request body must be a JSON object")),
        Err(e) => Err(ApiError::invalid(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}
