//! Tap message codecs (stub).
use super::TapMessage;

pub const TAP_ID_MAX: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tap message invalid at byte {offset}: {reason}")]
pub struct BinaryError {
    pub offset: usize,
    pub reason: String,
}

pub fn encode_binary(message: &TapMessage) -> Vec<u8> {
    let _ = message;
    Vec::new()
}

pub fn decode_binary(bytes: &[u8]) -> Result<TapMessage, BinaryError> {
    Err(BinaryError { offset: bytes.len(), reason: "not yet".into() })
}
