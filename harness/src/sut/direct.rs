//! Operations applied to a system in this process, without the wire: the path a request takes
//! through `ovcert serve`, minus HTTP. Lets a run record its calls (or check the operation
//! layer) against the embedded reference.

use async_trait::async_trait;

use super::client::Transport;
use super::{SutResult, SystemUnderTest};
use crate::api::Operation;

/// A system in this process, driven through its operations.
pub struct Direct {
    system: Box<dyn SystemUnderTest>,
}

impl Direct {
    pub fn new(system: Box<dyn SystemUnderTest>) -> Direct {
        Direct { system }
    }
}

#[async_trait]
impl Transport for Direct {
    fn identity(&self) -> String {
        self.system.identity()
    }

    async fn send<O: Operation>(&mut self, operation: O) -> SutResult<O::Answer> {
        operation.apply(&mut *self.system).await
    }
}
