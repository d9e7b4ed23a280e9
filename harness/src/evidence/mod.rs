//! Certification evidence: what `ovcert certify` writes beside the run's verdict for people
//! and auditors to read.

pub mod report;
pub mod timeline;
