//! Who is calling: API keys from `Authorization: Bearer <key>`, each bound to a participant,
//! a role and (for a service provider) an operator; and the checks of
//! [`crate::api::access`] applied to a request.
//!
//! The key file (`ovcert serve --keys FILE`) keeps no key, only its SHA-256: a copy of the file
//! lets no one call the API. A presented key is hashed and compared with every entry in
//! constant time (no early exit), so timing tells nothing about the stored hashes.
//!
//! ```toml
//! [[participants]]
//! id = "ns-integration"          # named in 403 details and the server log, never the key
//! role = "service-provider"      # seller, service-provider, business-card, product-director, test-lab
//! operator = "NS"                # only and always for service-provider: a rule-set operator
//! key_sha256 = "<64 hex digits>" # `ovcert api-key` prints the entry
//! ```
//!
//! Without a key file the server is [`Access::Open`]: every request acts as the test lab.
//! `ovcert serve` allows that only for a local test lab (`--test-controls` on a loopback
//! address) and says so on stderr, so a participant-facing server is never open by accident.
//!
//! Answers: no key, a malformed header or an unknown key → 401 (never saying which); a known
//! key whose role may not call the operation, or a request naming another operator's data →
//! 403 naming the participant, what it lacks and who may (never the key).

use std::any::Any;
use std::collections::BTreeSet;

use axum::http::{HeaderMap, header};
use serde::Deserialize;

use crate::api::access::{ApiKey, ApiRole, allowed_roles};
use crate::api::problem::ProblemKind;

/// Who may call the server.
pub enum Access {
    /// No keys: a local test lab, where every request acts as the test lab.
    Open,
    /// Only holders of these keys.
    Keys(KeyRing),
}

/// The participant behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub participant: String,
    pub role: ApiRole,
    /// The operator a service provider acts for.
    pub operator: Option<String>,
}

impl Caller {
    /// Every caller of an open server.
    pub fn open_test_lab() -> Caller {
        Caller {
            participant: "local test lab".into(),
            role: ApiRole::TestLab,
            operator: None,
        }
    }

    fn describe(&self) -> String {
        match &self.operator {
            Some(operator) => format!(
                "participant `{}` ({}, operator {operator})",
                self.participant, self.role
            ),
            None => format!("participant `{}` ({})", self.participant, self.role),
        }
    }
}

/// Why a request is refused before it reaches the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: ProblemKind,
    pub detail: String,
}

impl Refusal {
    fn unauthorized(detail: &str) -> Refusal {
        Refusal {
            kind: ProblemKind::Unauthorized,
            detail: detail.to_owned(),
        }
    }

    fn forbidden(detail: String) -> Refusal {
        Refusal {
            kind: ProblemKind::Forbidden,
            detail,
        }
    }
}

/// The known keys (their hashes) and whom they belong to.
pub struct KeyRing {
    entries: Vec<(Caller, [u8; 32])>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    #[serde(default)]
    participants: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    role: String,
    #[serde(default)]
    operator: Option<String>,
    key_sha256: String,
}

/// A key file that cannot be used, with the entry and field at fault.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct KeysError {
    pub file: String,
    pub reason: String,
}

impl KeyRing {
    /// Reads a key file's text; `operators` are the rule set's operator ids, which
    /// service-provider entries must name.
    pub fn load_str(file: &str, text: &str, operators: &[&str]) -> Result<KeyRing, KeysError> {
        let error = |reason: String| KeysError {
            file: file.to_owned(),
            reason,
        };
        let parsed: KeysFile = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        if parsed.participants.is_empty() {
            return Err(error(
                "no [[participants]]: a server with a key file nobody holds answers only 401"
                    .into(),
            ));
        }
        let mut ids = BTreeSet::new();
        let mut digests = BTreeSet::new();
        let mut entries = Vec::new();
        for (index, entry) in parsed.participants.into_iter().enumerate() {
            let at = format!("participants[{index}] (id `{}`)", entry.id);
            let caller =
                entry_caller(&entry, operators).map_err(|why| error(format!("{at}: {why}")))?;
            let digest = parse_digest(&entry.key_sha256)
                .ok_or_else(|| error(format!("{at}: key_sha256 is not 64 hex digits")))?;
            if !ids.insert(entry.id.clone()) {
                return Err(error(format!("{at}: the id is used twice")));
            }
            if !digests.insert(digest) {
                return Err(error(format!("{at}: the key is another participant's too")));
            }
            entries.push((caller, digest));
        }
        Ok(KeyRing { entries })
    }

    /// The holder of `key`, comparing with every entry in constant time.
    pub fn identify(&self, key: &ApiKey) -> Option<&Caller> {
        let presented = key.digest();
        let mut found = None;
        for (caller, digest) in &self.entries {
            if same_digest(&presented, digest) {
                found = Some(caller);
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn entry_caller(entry: &Entry, operators: &[&str]) -> Result<Caller, String> {
    if entry.id.trim().is_empty() || entry.id.len() > 64 {
        return Err("the id must be 1 to 64 characters".into());
    }
    let role: ApiRole = entry.role.parse()?;
    match (&entry.operator, role.has_operator()) {
        (None, true) => return Err(format!("a {role} key must name its `operator`")),
        (Some(_), false) => {
            return Err(format!(
                "a {role} key acts for no operator; remove `operator`"
            ));
        }
        (Some(operator), true) if !operators.contains(&operator.as_str()) => {
            return Err(format!(
                "operator `{operator}` is not in the rule set ({})",
                operators.join(", ")
            ));
        }
        _ => {}
    }
    Ok(Caller {
        participant: entry.id.clone(),
        role,
        operator: entry.operator.clone(),
    })
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(digest)
}

/// Equal digests, looking at every byte whatever the first difference.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// The key file entry for a new key (what `ovcert api-key` prints).
pub fn entry_toml(
    participant: &str,
    role: ApiRole,
    operator: Option<&str>,
    key: &ApiKey,
) -> String {
    let quote = |text: &str| toml_string(text);
    let mut entry = format!(
        "[[participants]]\nid = {}\nrole = {}\n",
        quote(participant),
        quote(role.id())
    );
    if let Some(operator) = operator {
        entry.push_str(&format!("operator = {}\n", quote(operator)));
    }
    entry.push_str(&format!("key_sha256 = \"{}\"\n", key.digest_hex()));
    entry
}

/// A TOML basic string (JSON's escaping is valid TOML for these).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Who sends `headers`, and whether that caller may call the operation `operation`.
pub fn admit(access: &Access, headers: &HeaderMap, operation: &str) -> Result<Caller, Refusal> {
    let caller = match access {
        Access::Open => Caller::open_test_lab(),
        Access::Keys(ring) => identify(ring, headers)?,
    };
    if caller.role.may_call(operation) {
        return Ok(caller);
    }
    let allowed = allowed_roles(operation).unwrap_or_default();
    let who_may = if allowed.is_empty() {
        "it is the central system's own act (the test lab's on this platform)".to_owned()
    } else {
        let names: Vec<&str> = allowed.iter().map(|r| r.id()).collect();
        format!("only {} may call it", names.join(", "))
    };
    Err(Refusal::forbidden(format!(
        "{} may not call {operation}: {who_may}",
        caller.describe()
    )))
}

fn identify(ring: &KeyRing, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Refusal::unauthorized(
            "this server requires an API key: send `Authorization: Bearer <key>`",
        ));
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|text| {
            let (scheme, key) = text.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(key)
        })
        .and_then(|key| ApiKey::new(key).ok())
        .ok_or_else(|| Refusal::unauthorized("the Authorization header is not `Bearer <key>`"))?;
    ring.identify(&key)
        .cloned()
        .ok_or_else(|| Refusal::unauthorized("this API key is not known to this server"))
}

/// EMV-02 / GBO-03: a caller bound to an operator may only name its own (`request` is the
/// parsed operation).
pub fn check_scope(caller: &Caller, operation: &str, request: &dyn Any) -> Result<(), Refusal> {
    let Some(own) = &caller.operator else {
        return Ok(());
    };
    let named = crate::api::access::operators_named(request);
    if named.iter().all(|operator| operator == own) {
        return Ok(());
    }
    // The other operator's name is not repeated: it is the caller's input, and may be anything.
    Err(Refusal::forbidden(format!(
        "{} may not call {operation} for another operator than {own}: an operator sees and \
         acts on its own data only",
        caller.describe()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPERATORS: [&str; 2] = ["NS", "GVB"];

    fn ring(entries: &[(&str, &str, Option<&str>, &ApiKey)]) -> KeyRing {
        let text: String = entries
            .iter()
            .map(|(id, role, operator, key)| {
                entry_toml(id, role.parse().unwrap(), *operator, key) + "\n"
            })
            .collect();
        KeyRing::load_str("keys.toml", &text, &OPERATORS).unwrap()
    }

    fn bearer(key: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            format!("Bearer {key}").parse().unwrap(),
        );
        headers
    }

    #[test]
    fn a_key_is_known_by_its_hash_only() {
        let ns = ApiKey::mint().unwrap();
        let lab = ApiKey::mint().unwrap();
        let ring = ring(&[
            ("ns-1", "service-provider", Some("NS"), &ns),
            ("lab", "test-lab", None, &lab),
        ]);
        let access = Access::Keys(ring);
        let caller = admit(&access, &bearer(ns.expose()), "GetOperatorReport").unwrap();
        assert_eq!(caller.operator.as_deref(), Some("NS"));
        let refused = admit(&access, &bearer(ns.expose()), "Settle").unwrap_err();
        assert_eq!(refused.kind, ProblemKind::Forbidden);
        assert!(refused.detail.contains("ns-1"), "{}", refused.detail);
        assert!(!refused.detail.contains(ns.expose()));
        assert!(admit(&access, &bearer(lab.expose()), "Reset").is_ok());
        for headers in [
            HeaderMap::new(),
            bearer("ovk_unknown"),
            bearer(&ns.digest_hex()),
        ] {
            let refused = admit(&access, &headers, "DenyListVersion").unwrap_err();
            assert_eq!(refused.kind, ProblemKind::Unauthorized);
        }
        let mut basic = HeaderMap::new();
        basic.insert(header::AUTHORIZATION, "Basic Zm9vOmJhcg==".parse().unwrap());
        assert_eq!(
            admit(&access, &basic, "DenyListVersion").unwrap_err().kind,
            ProblemKind::Unauthorized
        );
    }

    #[test]
    fn bad_key_files_say_which_entry_is_wrong() {
        let key = ApiKey::mint().unwrap();
        let digest = key.digest_hex();
        let cases = [
            ("", "no [[participants]]"),
            (
                "[[participants]]\nid = \"a\"\nrole = \"seller\"\nkey_sha256 = \"ab\"\n",
                "64 hex",
            ),
            (
                &format!(
                    "[[participants]]\nid = \"a\"\nrole = \"service-provider\"\nkey_sha256 = \"{digest}\"\n"
                ),
                "must name its `operator`",
            ),
            (
                &format!(
                    "[[participants]]\nid = \"a\"\nrole = \"seller\"\noperator = \"NS\"\nkey_sha256 = \"{digest}\"\n"
                ),
                "acts for no operator",
            ),
            (
                &format!(
                    "[[participants]]\nid = \"a\"\nrole = \"service-provider\"\noperator = \"XX\"\nkey_sha256 = \"{digest}\"\n"
                ),
                "not in the rule set",
            ),
            (
                &format!(
                    "[[participants]]\nid = \"a\"\nrole = \"root\"\nkey_sha256 = \"{digest}\"\n"
                ),
                "unknown role",
            ),
            (
                &format!(
                    "[[participants]]\nid = \"a\"\nrole = \"seller\"\nkey_sha256 = \"{digest}\"\n[[participants]]\nid = \"b\"\nrole = \"seller\"\nkey_sha256 = \"{digest}\"\n"
                ),
                "another participant's",
            ),
            (
                &format!(
                    "[[participants]]\nid = \"a\"\nrole = \"seller\"\nkey = \"x\"\nkey_sha256 = \"{digest}\"\n"
                ),
                "unknown field",
            ),
        ];
        for (text, expected) in cases {
            let error = KeyRing::load_str("keys.toml", text, &OPERATORS)
                .err()
                .unwrap_or_else(|| panic!("accepted: {text}"));
            assert!(
                error.to_string().contains(expected),
                "{error} (wanted {expected})"
            );
            assert!(error.to_string().starts_with("keys.toml: "));
        }
    }

    #[test]
    fn an_operator_names_only_its_own_data() {
        let caller = Caller {
            participant: "ns-1".into(),
            role: ApiRole::ServiceProvider,
            operator: Some("NS".into()),
        };
        let day = jiff::civil::date(2024, 6, 12);
        let own = crate::api::operations::GetOperatorReport {
            operator: "NS".into(),
            day,
        };
        let other = crate::api::operations::GetOperatorReport {
            operator: "GVB".into(),
            day,
        };
        assert!(check_scope(&caller, "GetOperatorReport", &own).is_ok());
        let refused = check_scope(&caller, "GetOperatorReport", &other).unwrap_err();
        assert_eq!(refused.kind, ProblemKind::Forbidden);
        assert!(
            refused.detail.contains("another operator than NS"),
            "{}",
            refused.detail
        );
        assert!(check_scope(&Caller::open_test_lab(), "GetOperatorReport", &other).is_ok());
    }
}
