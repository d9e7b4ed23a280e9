//! Card-holder operations of the embedded reference.

use async_trait::async_trait;

use super::InProcess;
use crate::sut::terms::TermsApi;

#[async_trait]
impl TermsApi for InProcess {}
