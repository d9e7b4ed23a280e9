//! Reading an operation's JSON body: the media type, a size limit, and parse errors that
//! say where the body is wrong without quoting it.

use axum::extract::Request;
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::api::problem::ProblemKind;

/// The largest request body accepted (an upload of some tens of thousands of taps).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The body of `request` as `T`, or the kind of problem and what is wrong.
pub async fn read_json<T: DeserializeOwned>(request: Request) -> Result<T, (ProblemKind, String)> {
    let headers = request.headers();
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        });
    match media_type.as_deref() {
        Some(media) if media.eq_ignore_ascii_case("application/json") => {}
        Some(other) => {
            return Err((
                ProblemKind::UnsupportedMediaType,
                format!(
                    "the body is `{}`; send application/json",
                    other.chars().take(60).collect::<String>()
                ),
            ));
        }
        None => {
            return Err((
                ProblemKind::UnsupportedMediaType,
                "the request has no Content-Type; send application/json".to_owned(),
            ));
        }
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let too_large = || {
        (
            ProblemKind::PayloadTooLarge,
            format!("the body is larger than {MAX_BODY_BYTES} bytes; send fewer items per request"),
        )
    };
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    parse_body(&bytes)
}

/// The body as `T`: a JSON object (every operation's request is one), read strictly first;
/// integers written with a zero fraction (`12.0`, which JSON Schema counts as an integer) are
/// accepted on a second reading.
fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (ProblemKind, String)> {
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    if first.is_some_and(|byte| *byte != b'{') {
        // serde would also read a struct from an array of its fields: the API does not.
        return Err((
            ProblemKind::MalformedRequest,
            "the body must be a JSON object, the operation's request".to_owned(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let strict = serde_path_to_error::deserialize(&mut deserializer);
    let value = match strict {
        Ok(value) => value,
        Err(error) => match with_integral_floats(bytes) {
            Some(value) => return Ok(value),
            None => return Err((ProblemKind::MalformedRequest, describe(&error))),
        },
    };
    deserializer.end().map_err(|error| {
        (
            ProblemKind::MalformedRequest,
            format!(
                "the body has more after its JSON value (line {}, column {})",
                error.line(),
                error.column()
            ),
        )
    })?;
    Ok(value)
}

/// `bytes` as `T` after every number with a zero fraction became an integer, or `None`.
fn with_integral_floats<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut changed = false;
    integral_floats_to_integers(&mut value, &mut changed);
    if !changed {
        return None;
    }
    serde_json::from_value(value).ok()
}

fn integral_floats_to_integers(value: &mut serde_json::Value, changed: &mut bool) {
    use serde_json::Value;
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            let Some(float) = number.as_f64() else { return };
            // Beyond 2^53 a float no longer stands for one integer.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if float.fract() == 0.0 && float.abs() <= EXACT {
                #[allow(clippy::cast_possible_truncation)]
                let integer = float as i64;
                *value = Value::from(integer);
                *changed = true;
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| integral_floats_to_integers(item, changed)),
        Value::Object(fields) => fields
            .values_mut()
            .for_each(|field| integral_floats_to_integers(field, changed)),
        _ => {}
    }
}

/// Where and why the body is not the operation's request, without the offending text:
/// serde quotes the input it rejects, and that input may be a card number.
fn describe(error: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let inner = error.inner();
    let location = format!("line {}, column {}", inner.line(), inner.column());
    let path = error.path().to_string();
    let at = if path == "." || path.is_empty() {
        String::from("the body")
    } else {
        format!("`{path}`")
    };
    let reason = match inner.classify() {
        serde_json::error::Category::Syntax => "is not valid JSON".to_owned(),
        serde_json::error::Category::Eof => "ends too early".to_owned(),
        serde_json::error::Category::Io => "could not be read".to_owned(),
        serde_json::error::Category::Data => {
            format!(
                "does not fit the schema: {}",
                without_quotes(&inner.to_string())
            )
        }
    };
    format!("{at} {reason} ({location})")
}

/// serde's message without its position suffix, with quoted input replaced, and with
/// back-quoted input replaced when it holds a digit (serde back-quotes the schema's own field
/// and variant names too, which stay: they say what was expected).
fn without_quotes(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else {
            out.push_str(&format!("{quote}…"));
            return out;
        };
        let inner = &after[..end];
        if quote == '"' || inner.chars().any(|c| c.is_ascii_digit()) {
            out.push_str(&format!("{quote}…{quote}"));
        } else {
            out.push_str(&format!("{quote}{inner}{quote}"));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Amount {
        cents: i64,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Nothing {}

    #[test]
    fn integers_with_a_zero_fraction_are_integers() {
        assert_eq!(
            parse_body::<Amount>(b"{\"cents\": 250.0}").unwrap(),
            Amount { cents: 250 }
        );
        let (kind, detail) = parse_body::<Amount>(b"{\"cents\": 250.5}").unwrap_err();
        assert_eq!(kind, ProblemKind::MalformedRequest);
        assert!(detail.contains("`cents`"), "{detail}");
    }

    #[test]
    fn a_request_is_an_object_never_an_array() {
        assert_eq!(parse_body::<Nothing>(b" {}").unwrap(), Nothing {});
        for body in [&b"[]"[..], b" [1]", b"null", b"7"] {
            let (kind, detail) = parse_body::<Nothing>(body).unwrap_err();
            assert_eq!(kind, ProblemKind::MalformedRequest);
            assert!(detail.contains("JSON object"), "{detail}");
        }
    }

    #[test]
    fn quoted_input_is_not_repeated() {
        let message =
            r#"invalid type: string "5412 7512 3456 7890", expected u64 at line 1 column 9"#;
        let cleaned = without_quotes(message);
        assert_eq!(cleaned, "invalid type: string \"…\", expected u64");
        let variant = "unknown variant `5412 7512 3456 7890`, expected `approve` or `decline`";
        assert_eq!(
            without_quotes(variant),
            "unknown variant `…`, expected `approve` or `decline`"
        );
    }
}
