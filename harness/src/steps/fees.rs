//! Steps about fees.

/// What fees scenarios remember between steps.
#[derive(Debug, Default)]
pub struct FeesWorld {}
