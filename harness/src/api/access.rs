//! Who may call what: the API's roles, the permission table, operator scoping and the shape
//! of an API key.
//!
//! A participant's key is bound to one role (ONB-01) and, for a service provider, to the
//! operator it acts for. [`GRANTS`] is the permission table, one row per operation: the
//! participant roles that may call it. The test lab (the harness running the suite, or the
//! institute's own tooling) may call every operation; a row without participant roles is an
//! act of the central system itself (settling a day, the issuer's findings, putting cards on
//! the deny list, looking a payment account up by PAN), which on the integration platform only
//! the test lab performs. Test controls are the test lab's only, and the server offers them
//! only when started with `--test-controls`.
//!
//! Operator scoping (EMV-02, GBO-03): a request that names an operator — a report, a reader,
//! uploaded taps — touches that operator's data. [`operators_named`] lists them; a participant
//! bound to an operator may name only its own, so one operator never reads another's report
//! (and with it the operator tokens of its travellers) nor acts through another's readers.
//!
//! Why these rows: sellers (card distributors, load agents, product sellers, service points)
//! issue, load and sell cards and handle the counter's card-holder requests; service providers
//! run readers, upload taps, read their own reports, look payments up for travellers (EMV-15)
//! and run inspections (EMV-16); a business-card provider issues business cards; a product
//! director has no operation of its own in this API beyond reading a card. Settlement answers
//! every operator's credits at once, so it stays with the central system: an operator sees
//! its money in its own report.

use std::any::Any;
use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

use super::operations::{GetOperatorReport, Ingest, ReaderDenyListVersion, Tap};
use crate::onboarding::Role;

/// Who a caller is, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiRole {
    /// ONB-01 Verkoper.
    Seller,
    /// ONB-01 Dienstverlener (public transport operators); bound to one operator.
    ServiceProvider,
    /// ONB-01 Bedrijvenkaartaanbieder.
    BusinessCard,
    /// ONB-01 Productregisseur.
    ProductDirector,
    /// The harness running the suite, or the institute's tooling: every operation.
    TestLab,
}

use ApiRole::{BusinessCard, ProductDirector, Seller, ServiceProvider};

/// The permission table: each operation and the participant roles that may call it (the
/// test lab may call everything). An empty list: the central system's own act.
pub const GRANTS: &[(&str, &[ApiRole])] = &[
    // cards
    ("IssueCard", &[Seller]),
    ("Load", &[Seller]),
    ("RevokeLoad", &[Seller]),
    ("LoadProduct", &[Seller]),
    ("SetAutoReload", &[Seller]),
    (
        "ReadCard",
        &[Seller, ServiceProvider, BusinessCard, ProductDirector],
    ),
    // readers and back office
    ("Tap", &[ServiceProvider]),
    ("Deny", &[]),
    ("Ingest", &[ServiceProvider]),
    ("SetNextJourney", &[Seller, ServiceProvider]),
    ("GetOperatorReport", &[ServiceProvider]),
    ("Settle", &[]),
    // OVpay
    ("GetPaymentAccount", &[]), // by PAN: the service never searches by PAN (EMV-15)
    ("DenyListVersion", &[ServiceProvider]),
    ("ReaderDenyListVersion", &[ServiceProvider]),
    ("LiftBankCardBlock", &[ServiceProvider]),
    ("ServiceLookup", &[ServiceProvider]),
    ("CorrectMissedCheckOut", &[ServiceProvider]),
    ("Inspect", &[ServiceProvider]),
    ("InspectionScreen", &[ServiceProvider]),
    // card-holder terms and fees: the counter's requests, the issuer's findings
    ("CardAccount", &[Seller, ServiceProvider]),
    ("AdministrativeBalanceBefore", &[]),
    ("SellCard", &[Seller]),
    ("IssueBusinessCard", &[BusinessCard]),
    ("MakePaidLoad", &[Seller]),
    ("RefundBalance", &[Seller]),
    ("ReplaceCard", &[Seller]),
    ("ReportLostOrStolen", &[Seller, ServiceProvider]),
    ("SettleOldBalance", &[]),
    ("Block", &[]),
    ("LiftBlock", &[]),
    ("RegisterPersonalData", &[Seller]),
    ("EstablishFraud", &[]),
    ("EndUsage", &[]),
    ("ObjectToChangedTerms", &[]),
    ("CorrectionClaim", &[Seller]),
    ("FileComplaint", &[Seller, ServiceProvider]),
    ("AnswerComplaint", &[]),
    ("SubmitDispute", &[]),
    ("PayDebt", &[Seller]),
    ("ClaimMissedCheckOut", &[ServiceProvider]),
    // test controls: the test lab's only
    ("Reset", &[]),
    ("SetClock", &[]),
    ("SetReaderOnline", &[]),
    ("ResendLastUpload", &[]),
    ("ReceivedTaps", &[]),
    ("Journeys", &[]),
    ("PansHeld", &[]),
    ("BankRegister", &[]),
    ("BankScript", &[]),
    ("BankDefault", &[]),
    ("SetBankBlock", &[]),
    ("BankRequests", &[]),
    ("DirectDebitFailed", &[]),
];

impl ApiRole {
    pub const ALL: [ApiRole; 5] = [
        Seller,
        ServiceProvider,
        BusinessCard,
        ProductDirector,
        ApiRole::TestLab,
    ];

    /// The role's name in key files and messages: the onboarding id, or "test-lab".
    pub fn id(self) -> &'static str {
        match self.participant() {
            Some(role) => role.id(),
            None => "test-lab",
        }
    }

    /// The onboarding role (ONB-01), for every role but the test lab.
    pub fn participant(self) -> Option<Role> {
        match self {
            Seller => Some(Role::Seller),
            ServiceProvider => Some(Role::ServiceProvider),
            BusinessCard => Some(Role::BusinessCard),
            ProductDirector => Some(Role::ProductDirector),
            ApiRole::TestLab => None,
        }
    }

    /// Whether keys of this role act for one operator (and must name it).
    pub fn has_operator(self) -> bool {
        self == ServiceProvider
    }

    /// Whether the role may call the operation `name` (unknown operations: no one).
    pub fn may_call(self, name: &str) -> bool {
        self == ApiRole::TestLab || allowed_roles(name).is_some_and(|roles| roles.contains(&self))
    }
}

/// The participant roles of `operation`'s row, or `None` for an operation without a row.
pub fn allowed_roles(operation: &str) -> Option<&'static [ApiRole]> {
    GRANTS
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, roles)| *roles)
}

impl fmt::Display for ApiRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for ApiRole {
    type Err = String;

    fn from_str(s: &str) -> Result<ApiRole, String> {
        ApiRole::ALL
            .into_iter()
            .find(|role| role.id() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = ApiRole::ALL.iter().map(|r| r.id()).collect();
                format!("unknown role `{s}`; one of {}", known.join(", "))
            })
    }
}

/// EMV-02 / GBO-03: the operators whose data `request` (a parsed operation) touches.
pub fn operators_named(request: &dyn Any) -> Vec<&str> {
    if let Some(report) = request.downcast_ref::<GetOperatorReport>() {
        return vec![report.operator.as_str()];
    }
    if let Some(tap) = request.downcast_ref::<Tap>() {
        return vec![tap.reader.operator.as_str()];
    }
    if let Some(version) = request.downcast_ref::<ReaderDenyListVersion>() {
        return vec![version.reader.operator.as_str()];
    }
    if let Some(upload) = request.downcast_ref::<Ingest>() {
        let mut operators: Vec<&str> = upload
            .taps
            .iter()
            .map(|tap| tap.reader.operator.as_str())
            .collect();
        operators.sort_unstable();
        operators.dedup();
        return operators;
    }
    Vec::new()
}

/// The prefix of every key `ovcert api-key` mints.
pub const KEY_PREFIX: &str = "ovk_";
/// The longest key accepted in a request (longer headers are not keys).
pub const KEY_MAX_LEN: usize = 128;

/// A secret API key (`Authorization: Bearer <key>`). Never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// A new random key: the prefix and 32 bytes from the operating system, in hex.
    pub fn mint() -> Result<ApiKey, String> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| format!("no entropy for a new key: {e}"))?;
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        Ok(ApiKey(format!("{KEY_PREFIX}{hex}")))
    }

    /// A key as given (`--api-key`, a header): visible ASCII, at most [`KEY_MAX_LEN`] bytes.
    pub fn new(text: &str) -> Result<ApiKey, String> {
        let text = text.trim();
        if text.is_empty()
            || text.len() > KEY_MAX_LEN
            || !text.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(format!(
                "an API key is 1 to {KEY_MAX_LEN} visible ASCII characters"
            ));
        }
        Ok(ApiKey(text.to_owned()))
    }

    /// The secret itself, for the header and the one time `ovcert api-key` shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What a key file stores instead of the key: SHA-256 of its text.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    pub fn digest_hex(&self) -> String {
        self.digest().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Operation, Visitor, operations};

    struct Names(Vec<(&'static str, bool)>);

    impl Visitor for Names {
        fn visit<O: Operation>(&mut self) {
            self.0.push((O::NAME, O::is_test_control()));
        }
    }

    fn operations() -> Vec<(&'static str, bool)> {
        let mut names = Names(Vec::new());
        operations::visit_all(&mut names);
        names.0
    }

    /// Every operation has exactly one row, and every row names an operation.
    #[test]
    fn the_table_covers_every_operation_once() {
        let declared = operations();
        for (name, _) in &declared {
            let rows = GRANTS.iter().filter(|(row, _)| row == name).count();
            assert_eq!(rows, 1, "{name} has {rows} rows in GRANTS");
        }
        for (row, _) in GRANTS {
            assert!(
                declared.iter().any(|(name, _)| name == row),
                "GRANTS names {row}, which is no operation"
            );
        }
    }

    #[test]
    fn test_controls_are_the_test_labs_only() {
        for (name, test_control) in operations() {
            if test_control {
                assert_eq!(allowed_roles(name), Some(&[][..]), "{name}");
            }
            assert!(ApiRole::TestLab.may_call(name), "{name}");
        }
        assert!(!ServiceProvider.may_call("NoSuchOperation"));
        assert!(!ServiceProvider.may_call("Settle"));
        assert!(ServiceProvider.may_call("GetOperatorReport"));
        assert!(!Seller.may_call("GetOperatorReport"));
    }

    #[test]
    fn participant_roles_are_the_onboarding_roles() {
        for role in Role::ALL {
            let api: ApiRole = role.id().parse().unwrap();
            assert_eq!(api.participant(), Some(role));
        }
        assert_eq!("test-lab".parse(), Ok(ApiRole::TestLab));
        assert!("admin".parse::<ApiRole>().unwrap_err().contains("test-lab"));
    }

    #[test]
    fn keys_are_random_and_never_debug_printed() {
        let one = ApiKey::mint().unwrap();
        let two = ApiKey::mint().unwrap();
        assert_ne!(one, two);
        assert!(one.expose().starts_with(KEY_PREFIX));
        assert_eq!(one.expose().len(), KEY_PREFIX.len() + 64);
        assert!(!format!("{one:?}").contains(&one.expose()[4..]));
        assert_eq!(one.digest_hex().len(), 64);
        assert!(ApiKey::new("with space").is_err());
        assert!(ApiKey::new(&"x".repeat(KEY_MAX_LEN + 1)).is_err());
    }
}
