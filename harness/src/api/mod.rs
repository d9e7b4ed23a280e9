//! The participant API: the [`SystemUnderTest`] boundary as JSON over HTTP.
//!
//! Every operation of the trait is one [`Operation`]: a request type whose fields are the
//! method's arguments, a path, and the answer type. The server ([`crate::server`]) routes each
//! operation to a system under test, the HTTP target ([`crate::sut::Http`]) sends it, and the
//! OpenAPI document ([`openapi`]) describes it — all three from the one declaration in
//! [`operations`], so they cannot disagree.
//!
//! Every operation is a `POST` of a JSON object and answers `200` with JSON. Operations under
//! [`TEST_PREFIX`] are test controls and observations (clock, bank simulator, reset, what the
//! back office holds); a production system refuses them. Failures are RFC 9457 problem details
//! ([`Problem`]).

pub mod access;
pub mod hex;
pub mod openapi;
pub mod operations;
pub mod problem;

pub use problem::Problem;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sut::{SutResult, SystemUnderTest};

/// The path prefix of the participant operations.
pub const API_PREFIX: &str = "/v1/";
/// The path prefix of test controls and test observations.
pub const TEST_PREFIX: &str = "/test/v1/";
/// Answers 200 once the system takes requests.
pub const READY_PATH: &str = "/ready";
/// The OpenAPI document of this API.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// One operation of the participant API.
#[async_trait]
pub trait Operation: Serialize + DeserializeOwned + JsonSchema + Send + 'static {
    /// The operation's name (the OpenAPI `operationId`).
    const NAME: &'static str;
    /// The path it is posted to.
    const PATH: &'static str;
    /// What it does, with the rule IDs it serves.
    const DESCRIPTION: &'static str;
    /// The answer of a successful call.
    type Answer: Serialize + DeserializeOwned + JsonSchema + Send + 'static;

    /// Carries the operation out on `sut` (the server side).
    async fn apply(self, sut: &mut dyn SystemUnderTest) -> SutResult<Self::Answer>;

    /// Test controls and observations, which only a test environment offers.
    fn is_test_control() -> bool {
        Self::PATH.starts_with(TEST_PREFIX)
    }

    /// Whether carrying it out may change the system's state (everything not listed in
    /// [`operations::OBSERVATIONS`]).
    fn changes_state() -> bool {
        !operations::OBSERVATIONS.contains(&Self::NAME)
    }
}

/// Something done once per operation: routing it, documenting it.
pub trait Visitor {
    fn visit<O: Operation>(&mut self);
}
