//! Steps about terms.

/// What terms scenarios remember between steps.
#[derive(Debug, Default)]
pub struct TermsWorld {}
