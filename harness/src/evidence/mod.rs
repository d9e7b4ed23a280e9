//! Certification evidence: what `ovcert certify` writes beside the run's verdict — the report
//! and timelines for people, the signed manifest for auditors — and the audit that reads it.

pub mod audit;
pub mod manifest;
pub mod report;
pub mod signing;
pub mod timeline;
