//! `ovcert serve`: a system under test exposed through the participant API ([`crate::api`]).
//!
//! The server is the integration platform participants develop against (the reference
//! behind it) and the first system the suite certifies over the wire. One system serves all
//! requests, one at a time: the reference is a single deployment, and a suite run against it
//! resets it between scenarios. Test controls answer 403 unless the server was started with
//! them; malformed requests answer 4xx problem details that never echo a card number. With a
//! [`journal`], every operation that changes the system is durable before it is answered and
//! a restart recovers the state exactly.
//!
//! Who may call what is decided before a request reaches the system: [`auth`] (API keys,
//! roles and operator scoping from [`crate::api::access`]), [`rate_limit`] (failed service
//! lookups), [`limits`] (header and body sizes, enforced per request and per connection in
//! [`listen`]).

pub mod auth;
pub mod clock;
pub mod journal;
mod limits;
mod listen;
pub mod rate_limit;
mod request;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::FutureExt as _;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::api::problem::ProblemKind;
use crate::api::{OPENAPI_PATH, Operation, Problem, READY_PATH, Visitor, openapi, operations};
use crate::capabilities::Capability;
use crate::sut::{SutErrorKind, SystemUnderTest};
use auth::{Access, Refusal};
use rate_limit::{LOOKUP_POLICY, LookupLimiter};

use self::clock::{ClockSource, SystemClock};
use self::journal::{Journal, JournalError, Outcome};

/// What a server serves.
pub struct ServerConfig {
    /// The system behind the API.
    pub system: Box<dyn SystemUnderTest>,
    /// What the readiness endpoint says the system is.
    pub identity: String,
    /// Offer the test controls (clock, bank simulator, reset) under `/test/v1/`.
    pub test_controls: bool,
    /// Capabilities the served system does not offer: their operations answer 501
    /// `not-supported` (a system of a participant that lacks them).
    pub without: Vec<Capability>,
    /// Who may call: API keys, or open (a local test lab).
    pub access: Access,
    /// Where operations that change the system are made durable before they are answered
    /// (`None`: the state lives in memory only).
    pub journal: Option<Journal>,
    /// What moves the system's clock: the test control only, or this machine's clock.
    pub clock: ClockSource,
}

struct AppState {
    system: Mutex<Box<dyn SystemUnderTest>>,
    identity: String,
    test_controls: bool,
    without: Vec<Capability>,
    openapi: String,
    access: Access,
    lookups: LookupLimiter,
    journal: Option<Journal>,
    /// `Some` when the system follows this machine's clock.
    clock: Option<SystemClock>,
}

/// The participant API's routes for `config`.
pub fn router(config: ServerConfig) -> Router {
    let state = Arc::new(AppState {
        system: Mutex::new(config.system),
        identity: config.identity,
        test_controls: config.test_controls,
        without: config.without,
        openapi: openapi::document_text(),
        access: config.access,
        lookups: LookupLimiter::new(LOOKUP_POLICY),
        journal: config.journal,
        clock: (config.clock == ClockSource::System).then(SystemClock::default),
    });
    if state.clock.is_some() {
        tokio::spawn(tell_time_while_idle(Arc::downgrade(&state)));
    }
    let mut routes = Routes {
        router: Router::new(),
    };
    operations::visit_all(&mut routes);
    routes
        .router
        .route(READY_PATH, get(ready))
        .route(OPENAPI_PATH, get(openapi_document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(limits::limit_headers))
        .with_state(state)
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM, then finishes the requests in
/// flight and returns.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    listen::serve_until(listener, router, shutdown_signal()).await
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

struct Routes {
    router: Router<Arc<AppState>>,
}

impl Visitor for Routes {
    fn visit<O: Operation>(&mut self) {
        let router = std::mem::take(&mut self.router);
        self.router = router.route(O::PATH, post(operation::<O>));
    }
}

/// One operation: check, parse, carry out on the system, answer.
async fn operation<O: Operation>(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let problem = |kind: ProblemKind, detail: String| {
        problem_response(Problem::new(kind, detail).at(&path).operation(O::NAME))
    };
    let caller = match auth::admit(&state.access, request.headers(), O::NAME) {
        Ok(caller) => caller,
        Err(refusal) => return refusal_response(refusal, &path, O::NAME),
    };
    if O::is_test_control() && !state.test_controls {
        return problem(
            ProblemKind::TestControlsOff,
            format!(
                "{} is a test control; this server was started without --test-controls",
                O::NAME
            ),
        );
    }
    if let Some(capability) = state
        .without
        .iter()
        .find(|c| c.operations().contains(&O::NAME))
    {
        return problem(
            ProblemKind::NotSupported,
            format!(
                "{} is not offered: this system does not implement the capability `{capability}` ({})",
                O::NAME,
                capability.description()
            ),
        );
    }
    let operation: O = match request::read_json(request).await {
        Ok(operation) => operation,
        Err((kind, detail)) => return problem(kind, format!("{}: {detail}", O::NAME)),
    };
    if let Err(refusal) = auth::check_scope(&caller, O::NAME, &operation) {
        return refusal_response(refusal, &path, O::NAME);
    }
    let limited = rate_limit::applies(O::NAME, &caller);
    if limited && let Err(wait) = state.lookups.take(&caller.participant, Instant::now()) {
        let mut response = problem(
            ProblemKind::TooManyRequests,
            format!(
                "too many {} calls that found nothing; try again in {} s",
                O::NAME,
                rate_limit::retry_after_s(wait)
            ),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(rate_limit::retry_after_s(wait)),
        );
        return response;
    }
    // Journaled as the system will read it back: the request re-serialised, not the raw body.
    let body = match &state.journal {
        Some(_) if O::changes_state() => match serde_json::to_string(&operation) {
            Ok(body) => Some(body),
            Err(error) => {
                return problem(
                    ProblemKind::Internal,
                    format!(
                        "{} could not be journaled, so it was not carried out: {error}",
                        O::NAME
                    ),
                );
            }
        },
        _ => None,
    };
    let mut system = state.system.lock().await;
    if let Some(failure) = state.journal.as_ref().and_then(Journal::failure) {
        return problem(ProblemKind::Internal, journal_stopped(&failure));
    }
    if let Some(clock) = &state.clock {
        clock.tell(&mut **system, state.journal.as_ref()).await;
    }
    let outcome = AssertUnwindSafe(operation.apply(&mut **system))
        .catch_unwind()
        .await;
    // Queued under the lock: the journal's order is the order the system applied them in.
    let durable = state.journal.as_ref().map(|journal| match body {
        Some(body) => journal.record(O::NAME, body, Outcome::of(&outcome)),
        None => journal.barrier(),
    });
    drop(system);
    if let Some(durable) = durable
        && let Err(failure) = durable.committed().await
    {
        return problem(
            ProblemKind::Internal,
            format!(
                "{} was carried out but could not be made durable, so it may be lost on a \
                 restart; {}",
                O::NAME,
                journal_stopped(&failure)
            ),
        );
    }
    if limited && matches!(&outcome, Ok(Ok(answer)) if rate_limit::found(answer)) {
        state.lookups.give_back(&caller.participant);
    }
    match outcome {
        Ok(Ok(answer)) => (StatusCode::OK, axum::Json(answer)).into_response(),
        Ok(Err(error)) if error.kind == SutErrorKind::NotSupported => {
            problem(ProblemKind::NotSupported, error.reason)
        }
        Ok(Err(error)) => problem(ProblemKind::Refused, error.reason),
        Err(_) => problem(
            ProblemKind::Internal,
            format!(
                "the system failed while carrying out {}; this is a defect of the system \
                 (its state may now be inconsistent: reset it)",
                O::NAME
            ),
        ),
    }
}

/// With the machine's clock: time passes for the system while nobody calls (a night charge or
/// a PAN purge is due whether or not a request comes). Ends when the server's state is gone.
async fn tell_time_while_idle(state: Weak<AppState>) {
    let mut every_second = tokio::time::interval(Duration::from_secs(1));
    loop {
        every_second.tick().await;
        let Some(state) = state.upgrade() else {
            return;
        };
        let Some(clock) = &state.clock else {
            return;
        };
        let mut system = state.system.lock().await;
        if state.journal.as_ref().and_then(Journal::failure).is_none() {
            clock.tell(&mut **system, state.journal.as_ref()).await;
        }
    }
}

fn journal_stopped(failure: &JournalError) -> String {
    format!(
        "the server stopped taking requests because its {failure}; restart it to recover the \
         journaled state"
    )
}

#[derive(Serialize)]
struct ReadyAnswer<'a> {
    status: &'static str,
    system: &'a str,
    test_controls: bool,
}

async fn ready(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(ReadyAnswer {
        status: "ready",
        system: &state.identity,
        test_controls: state.test_controls,
    })
    .into_response()
}

async fn openapi_document(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
        .into_response()
}

async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    problem_response(
        Problem::new(
            ProblemKind::NotFound,
            format!("no resource at {path}; the operations are listed at {OPENAPI_PATH}"),
        )
        .at(&path),
    )
}

async fn method_not_allowed(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let expected = if path == READY_PATH || path == OPENAPI_PATH {
        "GET"
    } else {
        "POST with a JSON body"
    };
    problem_response(
        Problem::new(
            ProblemKind::MethodNotAllowed,
            format!("{method} is not allowed on {path}: use {expected}"),
        )
        .at(&path),
    )
}

/// A refusal of [`auth`] as a problem; a 401 says how to authenticate (RFC 6750).
fn refusal_response(refusal: Refusal, path: &str, operation: &str) -> Response {
    let unauthorized = refusal.kind == ProblemKind::Unauthorized;
    let mut response = problem_response(
        Problem::new(refusal.kind, refusal.detail)
            .at(path)
            .operation(operation),
    );
    if unauthorized {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"ovcert\""),
        );
    }
    response
}

fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}
