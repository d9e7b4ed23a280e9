//! Step definitions, by domain concept. Steps are thin: they translate Gherkin into calls of
//! the [`SystemUnderTest`](crate::sut::SystemUnderTest) and assert on what it answers.

mod backoffice;
mod card;
mod clock;
mod fare;
pub mod fees;
mod journey;
pub mod onboarding;
pub mod ovpay;
pub mod params;
mod reader;
mod report;
mod table;
pub mod terms;
