//! Failures as RFC 9457 problem details (`application/problem+json`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What went wrong with a request, for people and programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:ovcert:problem:<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in words; the same for every problem of the kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened in this case, and where.
    pub detail: String,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The operation that failed, when the request named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// The kinds of problem the participant API reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The body is not JSON, or not the operation's request.
    MalformedRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    /// No API key, or one the server does not know.
    Unauthorized,
    /// A known key without the right: its role may not call the operation, or the request
    /// names another operator's data.
    Forbidden,
    /// Too many failed service lookups (EMV-15): guessing is slowed down.
    TooManyRequests,
    /// The request's headers are too many or too large.
    HeaderFieldsTooLarge,
    /// A test control on a server started without `--test-controls`.
    TestControlsOff,
    /// The system under test could not carry the operation out.
    Refused,
    /// The system does not offer the operation (a capability it does not have).
    NotSupported,
    Internal,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 13] = [
        ProblemKind::MalformedRequest,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::PayloadTooLarge,
        ProblemKind::NotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::Unauthorized,
        ProblemKind::Forbidden,
        ProblemKind::TooManyRequests,
        ProblemKind::HeaderFieldsTooLarge,
        ProblemKind::TestControlsOff,
        ProblemKind::Refused,
        ProblemKind::NotSupported,
        ProblemKind::Internal,
    ];

    pub fn status(self) -> u16 {
        match self {
            ProblemKind::MalformedRequest => 400,
            ProblemKind::Unauthorized => 401,
            ProblemKind::Forbidden | ProblemKind::TestControlsOff => 403,
            ProblemKind::NotFound => 404,
            ProblemKind::MethodNotAllowed => 405,
            ProblemKind::PayloadTooLarge => 413,
            ProblemKind::UnsupportedMediaType => 415,
            ProblemKind::Refused => 422,
            ProblemKind::TooManyRequests => 429,
            ProblemKind::HeaderFieldsTooLarge => 431,
            ProblemKind::Internal => 500,
            ProblemKind::NotSupported => 501,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            ProblemKind::MalformedRequest => "malformed-request",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::TooManyRequests => "too-many-requests",
            ProblemKind::HeaderFieldsTooLarge => "header-fields-too-large",
            ProblemKind::TestControlsOff => "test-controls-off",
            ProblemKind::Refused => "refused",
            ProblemKind::NotSupported => "not-supported",
            ProblemKind::Internal => "internal",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::MalformedRequest => "The request is not valid for this operation",
            ProblemKind::UnsupportedMediaType => "The request body must be application/json",
            ProblemKind::PayloadTooLarge => "The request body is too large",
            ProblemKind::NotFound => "No such resource",
            ProblemKind::MethodNotAllowed => "This method is not allowed here",
            ProblemKind::Unauthorized => "An API key is required",
            ProblemKind::Forbidden => "This API key may not do this",
            ProblemKind::TooManyRequests => "Too many failed attempts; try again later",
            ProblemKind::HeaderFieldsTooLarge => "The request headers are too large",
            ProblemKind::TestControlsOff => "Test controls are off on this server",
            ProblemKind::Refused => "The system could not carry the operation out",
            ProblemKind::NotSupported => "The system does not offer this operation",
            ProblemKind::Internal => "Internal error",
        }
    }

    pub fn uri(self) -> String {
        format!("urn:ovcert:problem:{}", self.slug())
    }
}

impl Problem {
    /// A problem of `kind`; the detail is redacted so no card number is ever echoed.
    pub fn new(kind: ProblemKind, detail: impl AsRef<str>) -> Problem {
        Problem {
            kind: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status(),
            detail: redact_numbers(detail.as_ref()),
            instance: None,
            operation: None,
        }
    }

    pub fn at(mut self, path: &str) -> Problem {
        self.instance = Some(redact_numbers(path));
        self
    }

    pub fn operation(mut self, name: &str) -> Problem {
        self.operation = Some(name.to_owned());
        self
    }
}

/// Replaces every run of 12 or more digits (a PAN is 13–19, a card number 16) by a marker:
/// error messages of parsers quote the offending input, and a PAN must never come back.
pub fn redact_numbers(text: &str) -> String {
    const LONGEST_ALLOWED: usize = 11;
    map_digit_runs(text, |digits| {
        (digits.len() > LONGEST_ALLOWED).then(|| "[number redacted]".to_owned())
    })
}

/// `text` with every maximal run of ASCII digits passed to `replace`, which answers the
/// replacement or `None` to keep the run.
pub fn map_digit_runs(text: &str, replace: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        match replace(digits) {
            Some(replacement) => out.push_str(&replacement),
            None => out.push_str(digits),
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_never_come_back() {
        let detail = r#"invalid type: string "5412751234567890", expected u64 at line 1 column 20"#;
        let problem = Problem::new(ProblemKind::MalformedRequest, detail);
        assert!(!problem.detail.contains("5412751234567890"));
        assert!(problem.detail.contains("[number redacted]"));
        assert!(
            problem.detail.contains("line 1 column 20"),
            "short numbers stay"
        );
        assert_eq!(problem.status, 400);
        assert_eq!(problem.kind, "urn:ovcert:problem:malformed-request");
    }
}
