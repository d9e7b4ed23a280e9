//! Participant onboarding (ONB-01..03): roles, the three phases closed by audits, and the
//! permission to connect — the workflow certification drives.
