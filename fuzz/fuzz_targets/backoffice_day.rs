//! Fuzzes the back office over generated days of taps.
//!
//! The properties, and their documentation, live in `ovcert_reference::oracles::backoffice_day`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ovcert_reference::oracles::backoffice_day(data));
