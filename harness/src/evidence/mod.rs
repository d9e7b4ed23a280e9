pub mod manifest;
pub mod signing;
