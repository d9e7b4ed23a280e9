//! Rule-set loading (stub).
use super::RuleSet;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {reason}")]
pub struct RuleSetError {
    pub file: String,
    pub field: String,
    pub reason: String,
}

pub fn load_str(file: &str, text: &str) -> Result<RuleSet, RuleSetError> {
    toml::from_str(text).map_err(|e| RuleSetError { file: file.into(), field: String::new(), reason: e.to_string() })
}
