//! The OV-chipkaart general terms (TERM-01..16) as an account state machine per card.

/// Every card-holder account the issuer keeps.
#[derive(Debug, Clone, Default)]
pub struct CardAccounts {}
