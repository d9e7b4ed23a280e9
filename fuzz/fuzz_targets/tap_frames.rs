//! Fuzzes the upload-buffer framing of tap messages.
//!
//! The properties, and their documentation, live in `ovcert_reference::oracles::tap_frames`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ovcert_reference::oracles::tap_frames(data));
