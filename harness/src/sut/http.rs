//! A participant's system over the wire: the participant API ([`crate::api`]) as a
//! [`Transport`]. A problem answer becomes a [`SutError`] with the problem's detail, so a step
//! fails with the participant's own explanation.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use super::client::{Client, Transport};
use super::{SutError, SutResult};
use crate::api::access::ApiKey;
use crate::api::operations::PansHeld;
use crate::api::problem::ProblemKind;
use crate::api::{Operation, Problem, READY_PATH};

/// How long one call may take before the target counts as not answering.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `connect` waits for the readiness endpoint (generous: a loaded CI machine runs
/// several servers and suites at once).
const READY_WAIT: Duration = Duration::from_secs(30);

/// A system under test reached through its participant API.
pub type Http = Client<HttpTransport>;

/// The participant API over HTTP.
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    base: String,
    system: String,
}

/// What the readiness endpoint answers.
#[derive(Debug, Deserialize)]
struct Ready {
    status: String,
    system: String,
    #[serde(default)]
    test_controls: bool,
}

impl Http {
    /// Connects to the participant API at `base_url` (`http://HOST:PORT`), waiting briefly
    /// for it to be ready. The suite needs the test controls, so a server without them is
    /// refused here rather than in every scenario.
    pub async fn connect(base_url: &str) -> SutResult<Http> {
        Http::connect_within(base_url, READY_WAIT, None).await
    }

    /// [`Http::connect`] sending `key` (`Authorization: Bearer`) with every request, for a
    /// system that requires one.
    pub async fn connect_as(base_url: &str, key: Option<&ApiKey>) -> SutResult<Http> {
        Http::connect_within(base_url, READY_WAIT, key).await
    }

    /// [`Http::connect_as`], waiting at most `wait` for the readiness endpoint.
    pub async fn connect_within(
        base_url: &str,
        wait: Duration,
        key: Option<&ApiKey>,
    ) -> SutResult<Http> {
        let base = base_url.trim_end_matches('/').to_owned();
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(key) = key {
            let mut value =
                reqwest::header::HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| SutError::new("connect", "the API key is not a header value"))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let client = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .default_headers(headers)
            .no_proxy()
            .build()
            .map_err(|e| SutError::new("connect", format!("building the HTTP client: {e}")))?;
        let ready_url = format!("{base}{READY_PATH}");
        let deadline = tokio::time::Instant::now() + wait;
        let ready = loop {
            let attempt = async {
                let response = client.get(&ready_url).send().await?.error_for_status()?;
                response.json::<Ready>().await
            };
            match attempt.await {
                Ok(ready) if ready.status == "ready" => break ready,
                Ok(ready) => {
                    return Err(SutError::new(
                        "connect",
                        format!(
                            "{ready_url} answered status `{}`, not `ready`",
                            ready.status
                        ),
                    ));
                }
                Err(error) if tokio::time::Instant::now() >= deadline => {
                    return Err(SutError::new(
                        "connect",
                        format!(
                            "no participant API answers at {ready_url} within {:.1}s ({error}); \
                             start one, e.g. `ovcert serve --test-controls --listen {}`",
                            wait.as_secs_f64(),
                            base.trim_start_matches("http://")
                        ),
                    ));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        if !ready.test_controls {
            return Err(SutError::new(
                "connect",
                format!(
                    "the system at {base} has its test controls off; the suite sets the clock, \
                     scripts the bank and resets between scenarios (start it with --test-controls)"
                ),
            ));
        }
        let transport = HttpTransport {
            client,
            system: format!("{} at {base}", ready.system),
            base,
        };
        transport.check_access(key.is_some()).await?;
        Ok(Client::new(transport))
    }

    /// The same target, named `identity` in reports (e.g. with the image it runs in).
    pub fn described_as(mut self, identity: String) -> Http {
        self.transport.system = identity;
        self
    }

    /// The target's base URL.
    pub fn base_url(&self) -> &str {
        &self.transport.base
    }
}

impl HttpTransport {
    /// Refuses up front a system that does not let this client use the test controls (no
    /// key, an unknown key, a key of a participant role), rather than failing every scenario
    /// with the same 401 or 403. Asks a harmless observation; other failures are left to the
    /// scenarios.
    async fn check_access(&self, has_key: bool) -> SutResult<()> {
        let url = format!("{}{}", self.base, PansHeld::PATH);
        let Ok(response) = self.client.post(&url).json(&PansHeld {}).send().await else {
            return Ok(());
        };
        let status = response.status().as_u16();
        let detail = match response.json::<Problem>().await {
            Ok(problem) if problem.kind == ProblemKind::Unauthorized.uri() => {
                if has_key {
                    format!("the system refused the API key: {}", problem.detail)
                } else {
                    "the system requires an API key: give a test-lab key with --api-key or \
                     OVCERT_API_KEY"
                        .to_owned()
                }
            }
            Ok(problem) if problem.kind == ProblemKind::Forbidden.uri() => format!(
                "the API key may not use the test controls a suite run needs (a test-lab key \
                 may): {}",
                problem.detail
            ),
            _ => return Ok(()),
        };
        Err(SutError::new(
            "connect",
            format!("{} answered {status}: {detail}", self.base),
        ))
    }
}

#[async_trait]
impl Transport for HttpTransport {
    fn identity(&self) -> String {
        self.system.clone()
    }

    async fn send<O: Operation>(&mut self, operation: O) -> SutResult<O::Answer> {
        let url = format!("{}{}", self.base, O::PATH);
        let response = self
            .client
            .post(&url)
            .json(&operation)
            .send()
            .await
            .map_err(|e| SutError::new(O::NAME, format!("no answer from {url}: {e}")))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| SutError::new(O::NAME, format!("reading the answer of {url}: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                SutError::new(
                    O::NAME,
                    format!("the answer of {url} is not the documented {}: {e}", O::NAME),
                )
            });
        }
        Err(match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) if problem.kind == ProblemKind::NotSupported.uri() => {
                SutError::not_supported(O::NAME, problem.detail)
            }
            Ok(problem) => SutError::new(O::NAME, problem.detail),
            Err(_) => SutError::new(
                O::NAME,
                format!(
                    "{url} answered {status} without a problem document: {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                ),
            ),
        })
    }
}
