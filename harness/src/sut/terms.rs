//! The card-holder part of the system-under-test boundary: the OV-chipkaart general terms and
//! the tariff sheet (TERM-01..16, FEE-01..04): refunds, loss and theft, fraud, replacement,
//! end of the usage right, objections, disputes, missed check-out refunds and fees.

use async_trait::async_trait;

/// Card-holder operations a participant's system offers (service points, customer service).
#[async_trait]
pub trait TermsApi: Send {}
