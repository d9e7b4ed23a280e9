//! ovcert: a conformance and certification harness for the Dutch public-transport fare
//! system. The Gherkin suite in `features/` runs against a system under test through
//! [`sut::SystemUnderTest`]; the embedded reference (`ovcert-reference`) is one such system.

pub mod api;
pub mod capabilities;
pub mod catalogue;
pub mod certify;
pub mod diff_rules;
pub mod evidence;
pub mod expected;
pub mod faults;
pub mod load;
pub mod onboarding;
pub mod runner;
pub mod scale;
pub mod server;
pub mod steps;
pub mod sut;
pub mod traceability;
pub mod world;
