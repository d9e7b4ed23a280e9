//! Step definitions, by domain concept. Steps are thin: they translate Gherkin into calls of
//! the [`SystemUnderTest`](crate::sut::SystemUnderTest) and assert on what it answers.

mod backoffice;
mod card;
mod clock;
pub mod fees;
pub mod onboarding;
pub mod ovpay;
pub mod terms;
mod fare;
mod journey;
pub mod params;
mod reader;
mod report;
