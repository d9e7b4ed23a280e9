pub mod audit;
pub mod manifest;
pub mod signing;
