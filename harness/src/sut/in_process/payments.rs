//! OVpay operations of the embedded reference.

use async_trait::async_trait;

use super::InProcess;
use crate::sut::payments::PaymentsApi;

#[async_trait]
impl PaymentsApi for InProcess {}
