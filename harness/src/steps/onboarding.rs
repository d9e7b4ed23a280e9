//! Steps about onboarding.

/// What onboarding scenarios remember between steps.
#[derive(Debug, Default)]
pub struct OnboardingWorld {}
