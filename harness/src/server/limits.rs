//! Size limits on requests, so no request can make the server hold much memory: a body of at
//! most [`super::request::MAX_BODY_BYTES`] (read only by operations, the only routes with a
//! body), and headers limited twice.
//!
//! - Each request's headers: at most [`MAX_HEADERS`] fields and [`MAX_HEADER_BYTES`] of names
//!   and values, answered 431 with a problem document ([`limit_headers`]).
//! - Each connection (hyper, before any routing): a request head must fit in
//!   [`CONNECTION_BUFFER_BYTES`] with at most [`CONNECTION_MAX_HEADERS`] fields, and arrive
//!   within [`HEADER_READ_TIMEOUT`]. Beyond those hyper answers a bare 431 (or 408) and closes
//!   the connection: the request was never parsed, so there is nothing to answer about.

use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::api::Problem;
use crate::api::problem::ProblemKind;

/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 64;
/// The most bytes of header names and values a request may have.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The largest request head (request line and headers) a connection reads.
pub const CONNECTION_BUFFER_BYTES: usize = 64 * 1024;
/// The most header fields a connection parses.
pub const CONNECTION_MAX_HEADERS: usize = 100;
/// How long a client may take to send a request head (slow senders hold a connection).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What is wrong with `headers`, if anything.
pub fn check_headers(headers: &HeaderMap) -> Result<(), String> {
    if headers.len() > MAX_HEADERS {
        return Err(format!(
            "the request has {} header fields; at most {MAX_HEADERS} are accepted",
            headers.len()
        ));
    }
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return Err(format!(
            "the request's headers have {bytes} bytes; at most {MAX_HEADER_BYTES} are accepted"
        ));
    }
    Ok(())
}

/// Middleware: 431 for a request over the header limits, before anything else looks at it.
pub async fn limit_headers(request: Request, next: Next) -> Response {
    match check_headers(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(detail) => {
            let path = request.uri().path().to_owned();
            super::problem_response(
                Problem::new(ProblemKind::HeaderFieldsTooLarge, detail).at(&path),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn too_many_or_too_large_headers_are_named() {
        let mut headers = HeaderMap::new();
        for i in 0..MAX_HEADERS {
            headers.insert(
                axum::http::HeaderName::try_from(format!("x-h{i}")).unwrap(),
                HeaderValue::from_static("1"),
            );
        }
        assert_eq!(check_headers(&headers), Ok(()));
        headers.insert("x-one-more", HeaderValue::from_static("1"));
        assert!(
            check_headers(&headers)
                .unwrap_err()
                .contains("65 header fields")
        );

        let mut large = HeaderMap::new();
        large.insert(
            "x-big",
            HeaderValue::from_str(&"a".repeat(MAX_HEADER_BYTES)).unwrap(),
        );
        assert!(check_headers(&large).unwrap_err().contains("at most 16384"));
    }
}
