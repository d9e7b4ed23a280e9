//! Steps about ovpay.

/// What ovpay scenarios remember between steps.
#[derive(Debug, Default)]
pub struct OvpayWorld {}
