//! The ovcert reference: an executable specification of the Dutch public-transport fare
//! system (OV-chipkaart and OVpay), as pure functions and state machines.
//!
//! Architecture invariant: nothing in this crate performs I/O, reads the system clock,
//! spawns threads or draws unseeded randomness. Every operation that depends on time takes
//! `now` as an argument; every parameter of a rule comes from a [`rules::RuleSet`].

pub mod age;
pub mod backoffice;
pub mod card;
pub mod deny;
pub mod fees;
pub mod machine;
pub mod money;
pub mod oracles;
pub mod reader;
pub mod rules;
pub mod stream;
pub mod synth;
pub mod tap;
pub mod terms;
pub mod time;

pub use money::{Cents, Discount};
