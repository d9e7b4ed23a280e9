//! Fuzzes the card image codec.
//!
//! The properties, and their documentation, live in `ovcert_reference::oracles::card_image`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ovcert_reference::oracles::card_image(data));
