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
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| (ProblemKind::MalformedRequest, describe(&error)))?;
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
