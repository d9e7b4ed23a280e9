//! OVpay payments and risk: eligibility, charges, references, retries, debt and blocking
//! (EMV-03..05, EMV-08..16, EMV-18).

/// The back office's OVpay payment state.
#[derive(Debug, Clone, Default)]
pub struct Payments {}
