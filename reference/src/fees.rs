//! The tariff sheet (FEE-01..04): card prices, surcharges, refund fees and the failed
//! direct-debit timeline.
