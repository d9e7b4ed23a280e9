//! Fuzzes the tap message codecs, binary and JSON.
//!
//! The properties, and their documentation, live in `ovcert_reference::oracles::tap_message`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ovcert_reference::oracles::tap_message(data));
