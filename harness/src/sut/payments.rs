//! The OVpay part of the system-under-test boundary: bank simulator controls, charges,
//! retries, debt, service lookup and inspection (EMV-03..05, EMV-08..16, EMV-18).

use async_trait::async_trait;

/// OVpay operations a participant's system offers (and test controls for the bank simulator).
#[async_trait]
pub trait PaymentsApi: Send {}
