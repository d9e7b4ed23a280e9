//! Binary card image (stub: to be replaced by the real codec).
use super::Card;

pub const IMAGE_LEN: usize = 4096;
/// Physical transaction-log slots on the chip.
pub const LOG_SLOTS: usize = 28;
/// Entries visible in the log: one physical slot is kept free so that a torn write of a new
/// entry never damages an entry the previous state refers to.
pub const LOG_CAPACITY: usize = LOG_SLOTS - 1;
pub const PRODUCT_SLOTS: usize = 8;
pub const HOLDER_NAME_MAX: usize = 32;
pub const PRODUCT_CODE_MAX: usize = 15;
pub const OPERATOR_CODE_MAX: usize = 6;
pub const STATION_CODE_MAX: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card image cannot be encoded: {field}: {reason}")]
pub struct EncodeError {
    pub field: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card image invalid at byte {offset}: {kind}")]
pub struct DecodeError {
    pub offset: usize,
    pub kind: String,
}

/// Writes `card` as a new image on top of `previous` (or a blank chip).
pub fn write(previous: Option<&[u8]>, card: &Card) -> Result<Vec<u8>, EncodeError> {
    let _ = (previous, card);
    Err(EncodeError { field: "all", reason: "not yet".into() })
}

/// Decodes an image.
pub fn decode(bytes: &[u8]) -> Result<Card, DecodeError> {
    Err(DecodeError { offset: bytes.len(), kind: "not yet".into() })
}
