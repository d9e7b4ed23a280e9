//! Participant onboarding (ONB-01..03): the four roles and their conformance profiles, the
//! three phases each closed by an audit, and the permission to connect — a pure state machine
//! that the certification command will feed with evidence from suite runs.
//!
//! Onboarding is the certification process *around* a participant, not a behaviour of the
//! system under test, so the model lives in the harness and the onboarding steps call it
//! directly: the one documented exception to "steps talk only to the SUT".
//!
//! Roles, profiles, phases, their activities and the expected lead time are data
//! (`harness/onboarding.toml`, embedded and validated on first use).
//!
//! The workflow (interpretations of seed 000 are marked):
//! - [`Onboarding::start`] opens an onboarding for one participant in one role (ONB-01): the
//!   role is fixed for the onboarding's life; another role is another onboarding. Phase 1
//!   starts on the plan's start date. A plan whose expected end lies outside the lead time is
//!   flagged ([`LeadTime`]), not refused (interpretation: the seed says "about").
//! - [`Onboarding::start_phase`] starts phase 2 or 3 only after the previous phase's audit
//!   passed, and not before the day it passed (ONB-02).
//! - [`Onboarding::record_audit`] records an audit of the running phase. A failed audit keeps
//!   the participant in the phase and a re-audit may follow; a passed audit closes the phase.
//!   A passed audit is refused when its evidence is not clean: see [`Evidence`] (ONB-03).
//! - [`Onboarding::permission_to_connect`] is granted once all three audits passed, and says
//!   why not otherwise (ONB-03).
//!
//! Every command validates before it changes anything: a refused command leaves the
//! onboarding as it was. Dates are civil dates (`jiff::civil::Date`); nothing reads a clock.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::ToSpan as _;
use jiff::civil::Date;
use serde::Deserialize;

use crate::catalogue::Rule;
use crate::traceability::{Outcome, ScenarioRecord};

// ---------------------------------------------------------------------------------------------
// Roles, organisations, phases
// ---------------------------------------------------------------------------------------------

/// ONB-01: the role a participant takes in the OV-chipkaart system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Verkoper: action deliverer, product seller, card distributor, load agent.
    Seller,
    /// Dienstverlener: public transport operators only.
    ServiceProvider,
    /// Bedrijvenkaartaanbieder: mobility companies.
    BusinessCard,
    /// Productregisseur.
    ProductDirector,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Seller,
        Role::ServiceProvider,
        Role::BusinessCard,
        Role::ProductDirector,
    ];

    /// The role's name in `--role` and in its tag: "service-provider".
    pub fn id(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::ServiceProvider => "service-provider",
            Role::BusinessCard => "business-card",
            Role::ProductDirector => "product-director",
        }
    }

    /// The role's own scenario tag (without '@'): "role:service-provider".
    pub fn tag(self) -> &'static str {
        match self {
            Role::Seller => "role:seller",
            Role::ServiceProvider => "role:service-provider",
            Role::BusinessCard => "role:business-card",
            Role::ProductDirector => "role:product-director",
        }
    }

    /// The role's description from the data.
    pub fn info(self) -> &'static RoleInfo {
        data()
            .roles
            .iter()
            .find(|r| r.role == self)
            .expect("validated: every role is described")
    }

    /// The role's conformance profile: the tags whose scenarios it must pass.
    pub fn profile(self) -> &'static Profile {
        &self.info().profile
    }

    /// Whether an organisation of this kind may take the role.
    pub fn is_open_to(self, organisation: Organisation) -> bool {
        self.info()
            .open_to
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&organisation))
    }
}

impl fmt::Display for Role {
    /// The role's English name: "business-card provider".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.info().name)
    }
}

impl FromStr for Role {
    type Err = OnboardingError;

    /// Accepts the id ("service-provider"), the tag ("@role:service-provider") or the English
    /// name ("Service provider"), in any case.
    fn from_str(s: &str) -> Result<Role, OnboardingError> {
        let wanted = normalise(s.trim_start_matches('@').trim_start_matches("role:"));
        Role::ALL
            .into_iter()
            .find(|r| normalise(r.id()) == wanted || normalise(&r.info().name) == wanted)
            .ok_or_else(|| OnboardingError::UnknownRole {
                name: s.to_string(),
                known: role_names().join(", "),
            })
    }
}

/// Lower case, spaces as hyphens: "Service provider" → "service-provider".
fn normalise(s: &str) -> String {
    s.trim().to_lowercase().replace(' ', "-")
}

/// The kind of organisation a participant is; some roles are open to some kinds only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Organisation {
    PublicTransportOperator,
    MobilityCompany,
    Retailer,
    Other,
}

impl Organisation {
    pub const ALL: [Organisation; 4] = [
        Organisation::PublicTransportOperator,
        Organisation::MobilityCompany,
        Organisation::Retailer,
        Organisation::Other,
    ];

    /// Plural, for messages: "public transport operators".
    pub fn plural(self) -> &'static str {
        match self {
            Organisation::PublicTransportOperator => "public transport operators",
            Organisation::MobilityCompany => "mobility companies",
            Organisation::Retailer => "retailers",
            Organisation::Other => "other organisations",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Organisation::PublicTransportOperator => "public transport operator",
            Organisation::MobilityCompany => "mobility company",
            Organisation::Retailer => "retailer",
            Organisation::Other => "other organisation",
        }
    }
}

impl fmt::Display for Organisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Organisation {
    type Err = OnboardingError;

    /// "public transport operator" or "public-transport-operator", any case.
    fn from_str(s: &str) -> Result<Organisation, OnboardingError> {
        let wanted = normalise(s);
        Organisation::ALL
            .into_iter()
            .find(|o| normalise(o.name()) == wanted)
            .ok_or_else(|| OnboardingError::UnknownOrganisation {
                name: s.to_string(),
            })
    }
}

/// Who onboards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub name: String,
    pub organisation: Organisation,
}

/// ONB-02: the three phases of onboarding, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// 1. Set-up of organisation, processes and systems.
    SetUp,
    /// 2. Integration and acceptance.
    Integration,
    /// 3. Pilot: a production trial with test users only.
    Pilot,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::SetUp, Phase::Integration, Phase::Pilot];

    /// 1, 2 or 3.
    pub fn number(self) -> usize {
        self.index() + 1
    }

    fn index(self) -> usize {
        match self {
            Phase::SetUp => 0,
            Phase::Integration => 1,
            Phase::Pilot => 2,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Phase::SetUp => "set-up",
            Phase::Integration => "integration",
            Phase::Pilot => "pilot",
        }
    }

    pub fn previous(self) -> Option<Phase> {
        self.index().checked_sub(1).map(|i| Phase::ALL[i])
    }

    pub fn info(self) -> &'static PhaseInfo {
        &data().phases[self.index()]
    }
}

impl fmt::Display for Phase {
    /// "phase 2 (integration and acceptance)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "phase {} ({})", self.number(), self.info().name)
    }
}

impl FromStr for Phase {
    type Err = OnboardingError;

    /// "set-up", "integration", "pilot", or the number "1".."3".
    fn from_str(s: &str) -> Result<Phase, OnboardingError> {
        let wanted = normalise(s);
        Phase::ALL
            .into_iter()
            .find(|p| p.id() == wanted || p.number().to_string() == wanted)
            .ok_or_else(|| OnboardingError::UnknownPhase {
                name: s.to_string(),
            })
    }
}

// ---------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------

/// A conformance profile: a scenario belongs to it when it carries any of the profile's tags.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Profile {
    /// Tags without '@', the role's own tag first: `["role:service-provider", "role:reader"]`.
    pub tags: Vec<String>,
}

impl Profile {
    /// Whether a scenario with these tags (with or without '@') belongs to the profile.
    pub fn selects<S: AsRef<str>>(&self, tags: &[S]) -> bool {
        tags.iter().any(|t| {
            self.tags
                .iter()
                .any(|p| p == t.as_ref().trim_start_matches('@'))
        })
    }
}

/// The profile `--role NAME` selects: an onboarding role's profile, or a component's own tag
/// (`reader`, `backoffice`). NAME may carry a `role:` prefix.
pub fn profile(name: &str) -> Result<&'static Profile, OnboardingError> {
    let bare = name.trim_start_matches('@').trim_start_matches("role:");
    if let Some(component) = data().components.iter().find(|c| c.component == bare) {
        return Ok(&component.profile);
    }
    Role::from_str(bare).map(Role::profile)
}

/// Every name `--role` accepts: the four onboarding roles, then the components.
pub fn role_names() -> Vec<&'static str> {
    Role::ALL
        .iter()
        .map(|r| r.id())
        .chain(data().components.iter().map(|c| c.component.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Data (harness/onboarding.toml)
// ---------------------------------------------------------------------------------------------

/// The embedded onboarding data.
pub const ONBOARDING_TOML: &str = include_str!("../onboarding.toml");

/// Roles, components, phases and the lead time, as loaded from `onboarding.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingData {
    pub lead_time: LeadTimeRule,
    pub roles: Vec<RoleInfo>,
    pub components: Vec<ComponentInfo>,
    pub phases: Vec<PhaseInfo>,
}

/// ONB-03: the expected lead time of a whole onboarding, in months from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadTimeRule {
    pub min_months: i64,
    pub max_months: i64,
}

/// ONB-01: one role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInfo {
    pub role: Role,
    /// English, lower case: "business-card provider".
    pub name: String,
    pub name_nl: String,
    /// What kinds of participant the role covers (seller: action deliverer, …).
    pub covers: Vec<String>,
    /// The organisations that may take the role; `None` = any.
    #[serde(default)]
    pub open_to: Option<Vec<Organisation>>,
    pub profile: Profile,
}

/// A system component with its own tag (`role:reader`), certified within a role's profile or
/// by the central system.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentInfo {
    /// "reader".
    pub component: String,
    pub name: String,
    /// The roles whose profiles include this component's tag.
    pub certified_by: Vec<Role>,
    /// `role:<component>` alone; filled in on load.
    #[serde(skip, default = "empty_profile")]
    pub profile: Profile,
}

fn empty_profile() -> Profile {
    Profile { tags: Vec::new() }
}

/// ONB-02: one phase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseInfo {
    pub phase: Phase,
    pub number: usize,
    pub name: String,
    pub name_nl: String,
    /// The seed's activities of the phase.
    pub activities: Vec<String>,
    /// A passed audit of this phase must reference a suite run of the role's profile.
    pub suite_run_required: bool,
    /// Who may use the participant's system in production during the phase.
    pub production: ProductionAccess,
}

/// Broken onboarding data: what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("{file}: {message}")]
    Toml { file: String, message: String },
    #[error("{file}: {field}: {reason}")]
    Invalid {
        file: String,
        field: String,
        reason: String,
    },
}

/// Parses and validates onboarding data; `file` names it in errors.
pub fn load_str(file: &str, text: &str) -> Result<OnboardingData, DataError> {
    let mut data: OnboardingData = toml::from_str(text).map_err(|e| DataError::Toml {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    for component in &mut data.components {
        component.profile = Profile {
            tags: vec![format!("role:{}", component.component)],
        };
    }
    validate(&data).map_err(|(field, reason)| DataError::Invalid {
        file: file.to_string(),
        field,
        reason,
    })?;
    Ok(data)
}

fn validate(data: &OnboardingData) -> Result<(), (String, String)> {
    let fail = |field: String, reason: String| Err((field, reason));
    let lead = data.lead_time;
    if !(1..=120).contains(&lead.min_months) || !(lead.min_months..=120).contains(&lead.max_months)
    {
        return fail(
            "lead_time".into(),
            format!(
                "expected 1 ≤ min_months ≤ max_months ≤ 120, got {}..{}",
                lead.min_months, lead.max_months
            ),
        );
    }
    let roles: Vec<Role> = data.roles.iter().map(|r| r.role).collect();
    if roles != Role::ALL {
        return fail(
            "roles".into(),
            format!(
                "expected the four roles once each, in order {:?}, got {roles:?}",
                Role::ALL
            ),
        );
    }
    let component_tags: Vec<String> = data
        .components
        .iter()
        .map(|c| format!("role:{}", c.component))
        .collect();
    for (i, info) in data.roles.iter().enumerate() {
        let field = format!("roles[{i}]");
        let tags = &info.profile.tags;
        if tags.first().map(String::as_str) != Some(info.role.tag()) {
            return fail(
                format!("{field}.profile"),
                format!("must start with the role's own tag \"{}\"", info.role.tag()),
            );
        }
        for (j, tag) in tags.iter().enumerate().skip(1) {
            if !component_tags.contains(tag) {
                return fail(
                    format!("{field}.profile[{j}]"),
                    format!("\"{tag}\" is neither the role's tag nor a component's"),
                );
            }
            if tags[..j].contains(tag) {
                return fail(format!("{field}.profile[{j}]"), format!("\"{tag}\" twice"));
            }
        }
        if info.name.trim().is_empty() || info.covers.is_empty() {
            return fail(field, "needs a name and what it covers".into());
        }
        if info.open_to.as_ref().is_some_and(Vec::is_empty) {
            return fail(
                format!("{field}.open_to"),
                "empty: leave it out for a role open to any organisation".into(),
            );
        }
    }
    for (i, component) in data.components.iter().enumerate() {
        let field = format!("components[{i}]");
        if Role::ALL.iter().any(|r| r.id() == component.component)
            || data.components[..i]
                .iter()
                .any(|c| c.component == component.component)
        {
            return fail(
                format!("{field}.component"),
                format!(
                    "\"{}\" names a role or another component",
                    component.component
                ),
            );
        }
        let tag = &component_tags[i];
        for info in &data.roles {
            let listed = component.certified_by.contains(&info.role);
            let in_profile = info.profile.tags.contains(tag);
            if listed != in_profile {
                let (does, has) = match listed {
                    true => ("lists", "lacks"),
                    false => ("does not list", "includes"),
                };
                return fail(
                    format!("{field}.certified_by"),
                    format!("{does} {}, whose profile {has} \"{tag}\"", info.role.id()),
                );
            }
        }
    }
    let phases: Vec<Phase> = data.phases.iter().map(|p| p.phase).collect();
    if phases != Phase::ALL {
        return fail(
            "phases".into(),
            format!(
                "expected the three phases once each, in order {:?}, got {phases:?}",
                Phase::ALL
            ),
        );
    }
    for (i, info) in data.phases.iter().enumerate() {
        if info.number != i + 1 {
            return fail(
                format!("phases[{i}].number"),
                format!("expected {}, got {}", i + 1, info.number),
            );
        }
        if info.activities.is_empty() {
            return fail(
                format!("phases[{i}].activities"),
                "a phase has at least one activity".into(),
            );
        }
        if info.production == ProductionAccess::Open {
            return fail(
                format!("phases[{i}].production"),
                "production opens to every traveller only with the permission to connect".into(),
            );
        }
    }
    Ok(())
}

static DATA: LazyLock<OnboardingData> = LazyLock::new(|| {
    load_str("harness/onboarding.toml", ONBOARDING_TOML).unwrap_or_else(|e| panic!("{e}"))
});

/// The embedded onboarding data (validated; a unit test keeps it loading).
pub fn data() -> &'static OnboardingData {
    &DATA
}

// ---------------------------------------------------------------------------------------------
// Plan and lead time
// ---------------------------------------------------------------------------------------------

/// The onboarding plan: its start and expected end date (ONB-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub start: Date,
    pub expected_end: Date,
}

/// ONB-03: whether a plan's expected end lies within the expected lead time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadTime {
    Within,
    /// Flag: ends before `earliest_end` (start + min months).
    TooShort {
        plan: Plan,
        earliest_end: Date,
    },
    /// Flag: ends after `latest_end` (start + max months).
    TooLong {
        plan: Plan,
        latest_end: Date,
    },
}

impl Plan {
    /// Checks the expected end against start + [min, max] months (calendar months; a day that
    /// does not exist in the target month clamps to its last day: 31 Aug + 6 months = 28 Feb).
    pub fn lead_time(&self) -> LeadTime {
        let rule = data().lead_time;
        let earliest_end = add_months(self.start, rule.min_months);
        let latest_end = add_months(self.start, rule.max_months);
        if self.expected_end < earliest_end {
            LeadTime::TooShort {
                plan: *self,
                earliest_end,
            }
        } else if self.expected_end > latest_end {
            LeadTime::TooLong {
                plan: *self,
                latest_end,
            }
        } else {
            LeadTime::Within
        }
    }
}

fn add_months(date: Date, months: i64) -> Date {
    date.checked_add(months.months())
        .expect("validated: at most 120 months from a civil date in range")
}

impl fmt::Display for LeadTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = data().lead_time;
        match self {
            LeadTime::Within => write!(
                f,
                "the expected end lies {}–{} months after the start",
                rule.min_months, rule.max_months
            ),
            LeadTime::TooShort { plan, earliest_end } => write!(
                f,
                "the expected end {} is less than {} months after the start {} (earliest {})",
                plan.expected_end, rule.min_months, plan.start, earliest_end
            ),
            LeadTime::TooLong { plan, latest_end } => write!(
                f,
                "the expected end {} is more than {} months after the start {} (latest {})",
                plan.expected_end, rule.max_months, plan.start, latest_end
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Audits and their evidence
// ---------------------------------------------------------------------------------------------

/// What an auditor decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Passed,
    Failed,
}

/// The summary of a suite run an audit references: the role's profile, run against the
/// participant's system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteRun {
    /// The role whose profile was run.
    pub role: Role,
    pub passed: usize,
    pub total: usize,
    /// The rule IDs of the scenarios that did not pass.
    pub failing_rules: BTreeSet<String>,
}

impl SuiteRun {
    /// A run in which all `total` scenarios of the role's profile passed.
    pub fn clean(role: Role, total: usize) -> SuiteRun {
        SuiteRun {
            role,
            passed: total,
            total,
            failing_rules: BTreeSet::new(),
        }
    }

    /// Summarises a runner's scenario records for a role: only the scenarios of the role's
    /// profile count; a skipped scenario counts as not passed.
    pub fn from_scenarios(role: Role, scenarios: &[ScenarioRecord], rules: &[Rule]) -> SuiteRun {
        let profile = role.profile();
        let mine: Vec<&ScenarioRecord> = scenarios
            .iter()
            .filter(|s| profile.selects(&s.tags))
            .collect();
        let passed = mine.iter().filter(|s| s.outcome == Outcome::Passed).count();
        let failing_rules = mine
            .iter()
            .filter(|s| s.outcome != Outcome::Passed)
            .flat_map(|s| s.rule_ids(rules))
            .map(str::to_string)
            .collect();
        SuiteRun {
            role,
            passed,
            total: mine.len(),
            failing_rules,
        }
    }

    /// Scenarios of the profile that did not pass.
    pub fn failed(&self) -> usize {
        self.total.saturating_sub(self.passed)
    }

    /// Whether anything in the run did not pass.
    pub fn has_failures(&self) -> bool {
        self.failed() > 0 || !self.failing_rules.is_empty()
    }
}

impl fmt::Display for SuiteRun {
    /// "seller profile: 38 of 40 scenarios passed, failing CARD-02, TAP-03".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} profile: {} of {} scenarios passed",
            self.role.id(),
            self.passed,
            self.total
        )?;
        if !self.failing_rules.is_empty() {
            write!(f, ", failing {}", join(&self.failing_rules))?;
        }
        Ok(())
    }
}

/// What an audit saw. Every audit says what it found (`summary`); it may reference a suite
/// run. Rules for a *passed* audit (ONB-03, checked by [`Onboarding::record_audit`]):
/// - a referenced run must be of the onboarding role's profile, have run at least one
///   scenario, and have no failures (every scenario passed, no failing rule);
/// - in a phase whose data says `suite_run_required`, a run must be referenced.
///
/// A *failed* audit may reference any run: its failures are what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub summary: String,
    pub run: Option<SuiteRun>,
}

impl Evidence {
    /// Evidence without a suite run.
    pub fn summary(summary: impl Into<String>) -> Evidence {
        Evidence {
            summary: summary.into(),
            run: None,
        }
    }

    /// Evidence referencing a suite run.
    pub fn with_run(summary: impl Into<String>, run: SuiteRun) -> Evidence {
        Evidence {
            summary: summary.into(),
            run: Some(run),
        }
    }
}

/// One recorded audit of a phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub outcome: AuditOutcome,
    pub date: Date,
    pub evidence: Evidence,
}

// ---------------------------------------------------------------------------------------------
// The onboarding state machine
// ---------------------------------------------------------------------------------------------

/// Where a phase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseStatus {
    NotStarted,
    /// Started; no audit yet.
    InProgress {
        since: Date,
    },
    /// Started; its last audit failed on `on`; a re-audit may follow.
    AuditFailed {
        since: Date,
        on: Date,
    },
    /// Closed by a passed audit on `on`.
    Passed {
        since: Date,
        on: Date,
    },
}

/// Who may use the participant's system in production (ONB-02 phase 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProductionAccess {
    /// Nobody: not yet in production.
    Closed,
    /// The pilot: test users only, closed to other travellers.
    TestUsersOnly,
    /// Every traveller: after the permission to connect.
    Open,
}

/// A traveller who would use the participant's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Traveller {
    TestUser,
    Other,
}

impl ProductionAccess {
    pub fn admits(self, traveller: Traveller) -> bool {
        match self {
            ProductionAccess::Closed => false,
            ProductionAccess::TestUsersOnly => traveller == Traveller::TestUser,
            ProductionAccess::Open => true,
        }
    }
}

/// ONB-03: the permission to connect, or why not yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// All three audits passed; the last one on `on`.
    Granted {
        on: Date,
    },
    NotYet(NotYet),
}

/// Why the permission to connect is not granted yet: the first phase without a passed audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotYet {
    /// Audits passed so far (0..=2).
    pub passed_audits: usize,
    pub phase: Phase,
    pub waiting: Waiting,
}

/// What the first open phase waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// The previous phase's audit passed on `previous_passed_on`; this phase has not started.
    Start { previous_passed_on: Date },
    /// Started on `since`; no audit yet.
    Audit { since: Date },
    /// Its last audit failed on `on` with these findings; a re-audit is needed.
    ReAudit { on: Date, findings: String },
}

impl fmt::Display for NotYet {
    /// "2 of 3 audits passed; phase 3 (pilot) started on 2025-06-30 and has no audit yet".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} audits passed; {} ",
            self.passed_audits,
            Phase::ALL.len(),
            self.phase
        )?;
        match &self.waiting {
            Waiting::Start { previous_passed_on } => write!(
                f,
                "has not started (the previous audit passed on {previous_passed_on})"
            ),
            Waiting::Audit { since } => write!(f, "started on {since} and has no audit yet"),
            Waiting::ReAudit { on, findings } => write!(
                f,
                "failed its audit on {on} ({findings}) and needs a re-audit"
            ),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Granted { on } => write!(f, "permission to connect granted on {on}"),
            Decision::NotYet(why) => write!(f, "no permission to connect yet: {why}"),
        }
    }
}

/// A command the onboarding refuses: what was asked and why not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnboardingError {
    #[error("unknown role `{name}`: expected one of {known}")]
    UnknownRole { name: String, known: String },
    #[error("unknown phase `{name}`: expected set-up, integration or pilot")]
    UnknownPhase { name: String },
    #[error(
        "unknown organisation kind `{name}`: expected public transport operator, mobility company, retailer or other organisation"
    )]
    UnknownOrganisation { name: String },
    #[error(
        "{participant} cannot onboard as a {role}: the role is open to {open_to} only, and {participant} is a {organisation}"
    )]
    NotEligible {
        participant: String,
        organisation: Organisation,
        role: Role,
        open_to: String,
    },
    #[error("the plan's expected end {end} is not after its start {start}")]
    PlanEndNotAfterStart { start: Date, end: Date },
    #[error("cannot start {phase}: it started on {on}")]
    PhaseAlreadyStarted { phase: Phase, on: Date },
    #[error("cannot start {phase}: the audit of {previous} has not passed{}", last_failed_text(.last_failed))]
    PreviousAuditNotPassed {
        phase: Phase,
        previous: Phase,
        /// The date of the previous phase's last (failed) audit, if any.
        last_failed: Option<Date>,
    },
    #[error("cannot start {phase} on {date}: the audit of {previous} passed only on {passed_on}")]
    StartBeforePreviousAudit {
        phase: Phase,
        date: Date,
        previous: Phase,
        passed_on: Date,
    },
    #[error("cannot audit {phase}: it has not started")]
    PhaseNotStarted { phase: Phase },
    #[error("cannot audit {phase}: its audit passed on {on}, which closed the phase")]
    PhaseClosed { phase: Phase, on: Date },
    #[error("cannot record an audit of {phase} on {date}: {after} on {earliest}")]
    AuditTooEarly {
        phase: Phase,
        date: Date,
        /// "the phase started" or "its previous audit was".
        after: &'static str,
        earliest: Date,
    },
    #[error("an audit of {phase} must say what it found: the evidence summary is empty")]
    EmptySummary { phase: Phase },
    #[error("the evidence for {phase} is inconsistent: {passed} of {total} scenarios passed")]
    EvidenceInconsistent {
        phase: Phase,
        passed: usize,
        total: usize,
    },
    #[error(
        "refused a passed audit of {phase}: it needs a suite run of the {role} profile as evidence"
    )]
    EvidenceMissing { phase: Phase, role: Role },
    #[error(
        "refused a passed audit of {phase}: its evidence ran the {evidence} profile, not the {role} profile"
    )]
    EvidenceOfOtherRole {
        phase: Phase,
        role: Role,
        evidence: Role,
    },
    #[error("refused a passed audit of {phase}: its evidence ran no scenario")]
    EvidenceEmpty { phase: Phase },
    #[error(
        "refused a passed audit of {phase}: its evidence has failures ({} of {total} scenarios did not pass; failing rules: {})",
        .total - .passed, rules_text(.failing_rules)
    )]
    EvidenceHasFailures {
        phase: Phase,
        passed: usize,
        total: usize,
        failing_rules: Vec<String>,
    },
}

fn last_failed_text(last_failed: &Option<Date>) -> String {
    last_failed
        .map(|d| format!(" (its last audit failed on {d})"))
        .unwrap_or_default()
}

fn rules_text(rules: &[String]) -> String {
    if rules.is_empty() {
        "none named".into()
    } else {
        rules.join(", ")
    }
}

fn join<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl OnboardingError {
    /// A stable kebab-case name for the refusal, used by the features.
    pub fn kind(&self) -> &'static str {
        match self {
            OnboardingError::UnknownRole { .. } => "unknown-role",
            OnboardingError::UnknownPhase { .. } => "unknown-phase",
            OnboardingError::UnknownOrganisation { .. } => "unknown-organisation",
            OnboardingError::NotEligible { .. } => "not-eligible",
            OnboardingError::PlanEndNotAfterStart { .. } => "plan-end-not-after-start",
            OnboardingError::PhaseAlreadyStarted { .. } => "phase-already-started",
            OnboardingError::PreviousAuditNotPassed { .. } => "previous-audit-not-passed",
            OnboardingError::StartBeforePreviousAudit { .. } => "start-before-previous-audit",
            OnboardingError::PhaseNotStarted { .. } => "phase-not-started",
            OnboardingError::PhaseClosed { .. } => "phase-closed",
            OnboardingError::AuditTooEarly { .. } => "audit-too-early",
            OnboardingError::EmptySummary { .. } => "empty-summary",
            OnboardingError::EvidenceInconsistent { .. } => "evidence-inconsistent",
            OnboardingError::EvidenceMissing { .. } => "evidence-missing",
            OnboardingError::EvidenceOfOtherRole { .. } => "evidence-of-other-role",
            OnboardingError::EvidenceEmpty { .. } => "evidence-empty",
            OnboardingError::EvidenceHasFailures { .. } => "evidence-has-failures",
        }
    }
}

/// What one phase has seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PhaseRecord {
    started: Option<Date>,
    /// Oldest first; only the last may be a passed audit.
    audits: Vec<AuditRecord>,
}

impl PhaseRecord {
    fn passed_on(&self) -> Option<Date> {
        self.audits
            .last()
            .filter(|a| a.outcome == AuditOutcome::Passed)
            .map(|a| a.date)
    }

    fn status(&self) -> PhaseStatus {
        let Some(since) = self.started else {
            return PhaseStatus::NotStarted;
        };
        match self.audits.last() {
            None => PhaseStatus::InProgress { since },
            Some(a) if a.outcome == AuditOutcome::Passed => {
                PhaseStatus::Passed { since, on: a.date }
            }
            Some(a) => PhaseStatus::AuditFailed { since, on: a.date },
        }
    }
}

/// One participant's onboarding in one role (ONB-01..03).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarding {
    participant: Participant,
    role: Role,
    plan: Plan,
    phases: [PhaseRecord; 3],
}

impl Onboarding {
    /// Opens an onboarding: the participant takes `role` for the whole onboarding (ONB-01) and
    /// phase 1 starts on `plan_start`. Refused when the role is not open to the participant's
    /// kind of organisation, or the expected end is not after the start. A plan outside the
    /// lead time is accepted and flagged by [`Onboarding::lead_time`].
    pub fn start(
        participant: Participant,
        role: Role,
        plan_start: Date,
        plan_end: Date,
    ) -> Result<Onboarding, OnboardingError> {
        if !role.is_open_to(participant.organisation) {
            let open_to = role
                .info()
                .open_to
                .iter()
                .flatten()
                .map(|o| o.plural())
                .collect::<Vec<_>>()
                .join(" and ");
            return Err(OnboardingError::NotEligible {
                participant: participant.name,
                organisation: participant.organisation,
                role,
                open_to,
            });
        }
        if plan_end <= plan_start {
            return Err(OnboardingError::PlanEndNotAfterStart {
                start: plan_start,
                end: plan_end,
            });
        }
        let mut phases: [PhaseRecord; 3] = Default::default();
        phases[Phase::SetUp.index()].started = Some(plan_start);
        Ok(Onboarding {
            participant,
            role,
            plan: Plan {
                start: plan_start,
                expected_end: plan_end,
            },
            phases,
        })
    }

    pub fn participant(&self) -> &Participant {
        &self.participant
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// ONB-03: the plan's lead time, flagged when outside the expected range.
    pub fn lead_time(&self) -> LeadTime {
        self.plan.lead_time()
    }

    fn record(&self, phase: Phase) -> &PhaseRecord {
        &self.phases[phase.index()]
    }

    pub fn status(&self, phase: Phase) -> PhaseStatus {
        self.record(phase).status()
    }

    /// Every audit of a phase, oldest first.
    pub fn audits(&self, phase: Phase) -> &[AuditRecord] {
        &self.record(phase).audits
    }

    /// The first phase without a passed audit; `None` once all three passed.
    pub fn current_phase(&self) -> Option<Phase> {
        Phase::ALL
            .into_iter()
            .find(|p| self.record(*p).passed_on().is_none())
    }

    /// ONB-02: starts phase 2 or 3 on `date`. Refused when the phase already started, when the
    /// previous phase's audit has not passed, or when `date` is before the day it passed.
    pub fn start_phase(&mut self, phase: Phase, date: Date) -> Result<(), OnboardingError> {
        if let Some(on) = self.record(phase).started {
            return Err(OnboardingError::PhaseAlreadyStarted { phase, on });
        }
        let previous = phase
            .previous()
            .expect("phase 1 starts with the onboarding, so it has always started");
        let before = self.record(previous);
        let Some(passed_on) = before.passed_on() else {
            return Err(OnboardingError::PreviousAuditNotPassed {
                phase,
                previous,
                last_failed: before.audits.last().map(|a| a.date),
            });
        };
        if date < passed_on {
            return Err(OnboardingError::StartBeforePreviousAudit {
                phase,
                date,
                previous,
                passed_on,
            });
        }
        self.phases[phase.index()].started = Some(date);
        Ok(())
    }

    /// ONB-02/03: records an audit of a running phase on `date`. A failed audit keeps the
    /// participant in the phase (a re-audit may follow); a passed audit closes it. Refused when
    /// the phase has not started or is closed, when `date` is before the phase's start or its
    /// previous audit, when the summary is empty, and — for a passed audit — when the evidence
    /// is not clean (see [`Evidence`]).
    pub fn record_audit(
        &mut self,
        phase: Phase,
        outcome: AuditOutcome,
        date: Date,
        evidence: Evidence,
    ) -> Result<(), OnboardingError> {
        let record = self.record(phase);
        let Some(started) = record.started else {
            return Err(OnboardingError::PhaseNotStarted { phase });
        };
        if let Some(on) = record.passed_on() {
            return Err(OnboardingError::PhaseClosed { phase, on });
        }
        let (after, earliest) = match record.audits.last() {
            Some(last) => ("its previous audit was", last.date),
            None => ("the phase started", started),
        };
        if date < earliest {
            return Err(OnboardingError::AuditTooEarly {
                phase,
                date,
                after,
                earliest,
            });
        }
        if evidence.summary.trim().is_empty() {
            return Err(OnboardingError::EmptySummary { phase });
        }
        if let Some(run) = &evidence.run
            && run.passed > run.total
        {
            return Err(OnboardingError::EvidenceInconsistent {
                phase,
                passed: run.passed,
                total: run.total,
            });
        }
        if outcome == AuditOutcome::Passed {
            self.check_passing_evidence(phase, &evidence)?;
        }
        self.phases[phase.index()].audits.push(AuditRecord {
            outcome,
            date,
            evidence,
        });
        Ok(())
    }

    /// ONB-03: a passed audit needs clean evidence of this onboarding's profile.
    fn check_passing_evidence(
        &self,
        phase: Phase,
        evidence: &Evidence,
    ) -> Result<(), OnboardingError> {
        let Some(run) = &evidence.run else {
            if phase.info().suite_run_required {
                return Err(OnboardingError::EvidenceMissing {
                    phase,
                    role: self.role,
                });
            }
            return Ok(());
        };
        if run.role != self.role {
            return Err(OnboardingError::EvidenceOfOtherRole {
                phase,
                role: self.role,
                evidence: run.role,
            });
        }
        if run.total == 0 {
            return Err(OnboardingError::EvidenceEmpty { phase });
        }
        if run.has_failures() {
            return Err(OnboardingError::EvidenceHasFailures {
                phase,
                passed: run.passed,
                total: run.total,
                failing_rules: run.failing_rules.iter().cloned().collect(),
            });
        }
        Ok(())
    }

    /// ONB-03: granted once all three audits passed; otherwise why not yet.
    pub fn permission_to_connect(&self) -> Decision {
        let Some(phase) = self.current_phase() else {
            let on = self.record(Phase::Pilot).passed_on().expect("all passed");
            return Decision::Granted { on };
        };
        let record = self.record(phase);
        let waiting = match (record.started, record.audits.last()) {
            (None, _) => Waiting::Start {
                previous_passed_on: phase
                    .previous()
                    .and_then(|p| self.record(p).passed_on())
                    .expect("a phase that has not started follows a passed one"),
            },
            (Some(since), None) => Waiting::Audit { since },
            (Some(_), Some(last)) => Waiting::ReAudit {
                on: last.date,
                findings: last.evidence.summary.clone(),
            },
        };
        Decision::NotYet(NotYet {
            passed_audits: phase.index(),
            phase,
            waiting,
        })
    }

    /// ONB-02: who may use the participant's system in production now.
    pub fn production_access(&self) -> ProductionAccess {
        match self.current_phase() {
            None => ProductionAccess::Open,
            Some(phase) if self.record(phase).started.is_some() => phase.info().production,
            Some(_) => ProductionAccess::Closed,
        }
    }

    /// Programmer-error checks: the state can only have been reached through the commands.
    pub fn invariants(&self) {
        assert!(
            self.plan.expected_end > self.plan.start,
            "plan end after start"
        );
        assert_eq!(
            self.record(Phase::SetUp).started,
            Some(self.plan.start),
            "phase 1 starts with the plan"
        );
        for phase in Phase::ALL {
            let record = self.record(phase);
            if let (Some(previous), Some(started)) = (phase.previous(), record.started) {
                let passed_on = self.record(previous).passed_on();
                assert!(
                    passed_on.is_some_and(|on| on <= started),
                    "{phase} started on {started} before {previous} passed ({passed_on:?})"
                );
            }
            assert!(
                record.started.is_some() || record.audits.is_empty(),
                "{phase}: audits before its start"
            );
            let mut earliest = record.started;
            for (i, audit) in record.audits.iter().enumerate() {
                assert!(
                    earliest.is_some_and(|e| e <= audit.date),
                    "{phase}: audit dates go back"
                );
                earliest = Some(audit.date);
                let last = i + 1 == record.audits.len();
                assert!(
                    last || audit.outcome == AuditOutcome::Failed,
                    "{phase}: only the last audit may have passed"
                );
                if audit.outcome == AuditOutcome::Passed {
                    assert!(self.check_passing_evidence(phase, &audit.evidence).is_ok());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn participant(organisation: Organisation) -> Participant {
        Participant {
            name: "Kiosk BV".into(),
            organisation,
        }
    }

    fn seller() -> Onboarding {
        Onboarding::start(
            participant(Organisation::Retailer),
            Role::Seller,
            date(2025, 1, 6),
            date(2025, 10, 31),
        )
        .unwrap()
    }

    fn clean() -> Evidence {
        Evidence::with_run(
            "independent certification",
            SuiteRun::clean(Role::Seller, 40),
        )
    }

    /// Applies one command and checks the invariants after it, whatever it answered.
    fn step<T>(
        o: &mut Onboarding,
        f: impl FnOnce(&mut Onboarding) -> Result<T, OnboardingError>,
    ) -> Result<T, OnboardingError> {
        let before = o.clone();
        let result = f(o);
        if result.is_err() {
            assert_eq!(*o, before, "a refused command changed the onboarding");
        }
        o.invariants();
        result
    }

    #[test]
    fn embedded_data_loads_and_names_every_role_and_phase() {
        let d = data();
        assert_eq!(d.roles.len(), 4);
        assert_eq!(d.phases.len(), 3);
        assert_eq!(
            role_names(),
            [
                "seller",
                "service-provider",
                "business-card",
                "product-director",
                "reader",
                "backoffice"
            ]
        );
        for role in Role::ALL {
            assert_eq!(role.profile().tags[0], role.tag());
            assert_eq!(role.tag(), format!("role:{}", role.id()));
            assert_eq!(Role::from_str(role.id()), Ok(role));
            assert_eq!(Role::from_str(role.tag()), Ok(role));
            assert_eq!(Role::from_str(&role.to_string()), Ok(role));
        }
        for phase in Phase::ALL {
            assert_eq!(Phase::from_str(phase.id()), Ok(phase));
        }
    }

    #[test]
    fn profiles_for_roles_and_components() {
        let sp = profile("service-provider").unwrap();
        assert_eq!(sp.tags, ["role:service-provider", "role:reader"]);
        assert!(sp.selects(&["@role:reader", "@TAP-03"]));
        assert!(sp.selects(&["role:service-provider"]));
        assert!(!sp.selects(&["role:backoffice"]));
        assert_eq!(profile("role:reader").unwrap().tags, ["role:reader"]);
        assert_eq!(profile("backoffice").unwrap().tags, ["role:backoffice"]);
        assert_eq!(
            profile("Product director").unwrap().tags,
            ["role:product-director"]
        );
        let e = profile("inspector").unwrap_err();
        assert_eq!(e.kind(), "unknown-role");
        assert!(e.to_string().contains("seller, service-provider"), "{e}");
    }

    #[test]
    fn data_errors_name_the_field() {
        let broken = ONBOARDING_TOML.replace(
            "profile = [\"role:service-provider\", \"role:reader\"]",
            "profile = [\"role:reader\"]",
        );
        let e = load_str("x.toml", &broken).unwrap_err().to_string();
        assert_eq!(
            e,
            "x.toml: roles[1].profile: must start with the role's own tag \"role:service-provider\""
        );
        let broken = ONBOARDING_TOML.replace(
            "profile = [\"role:service-provider\", \"role:reader\"]",
            "profile = [\"role:service-provider\"]",
        );
        let e = load_str("x.toml", &broken).unwrap_err().to_string();
        assert_eq!(
            e,
            "x.toml: components[0].certified_by: lists service-provider, whose profile lacks \"role:reader\""
        );
        let broken = ONBOARDING_TOML.replace("max_months = 12", "max_months = 5");
        let e = load_str("x.toml", &broken).unwrap_err().to_string();
        assert!(e.starts_with("x.toml: lead_time:"), "{e}");
        let e = load_str("x.toml", "[lead_time]\nmin_months = 'six'\n").unwrap_err();
        assert!(matches!(e, DataError::Toml { .. }), "{e}");
    }

    #[test]
    fn lead_time_boundaries() {
        let plan = |end| Plan {
            start: date(2025, 1, 6),
            expected_end: end,
        };
        assert_eq!(plan(date(2025, 7, 6)).lead_time(), LeadTime::Within);
        assert_eq!(plan(date(2026, 1, 6)).lead_time(), LeadTime::Within);
        assert_eq!(
            plan(date(2025, 7, 5)).lead_time(),
            LeadTime::TooShort {
                plan: plan(date(2025, 7, 5)),
                earliest_end: date(2025, 7, 6)
            }
        );
        assert_eq!(
            plan(date(2026, 1, 7)).lead_time().to_string(),
            "the expected end 2026-01-07 is more than 12 months after the start 2025-01-06 (latest 2026-01-06)"
        );
        // Month ends clamp: 31 August + 6 months is 28 February.
        let august = Plan {
            start: date(2025, 8, 31),
            expected_end: date(2026, 2, 28),
        };
        assert_eq!(august.lead_time(), LeadTime::Within);
    }

    #[test]
    fn start_refuses_ineligible_roles_and_backward_plans() {
        let e = Onboarding::start(
            participant(Organisation::MobilityCompany),
            Role::ServiceProvider,
            date(2025, 1, 6),
            date(2025, 10, 31),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Kiosk BV cannot onboard as a service provider: the role is open to public transport operators only, and Kiosk BV is a mobility company"
        );
        let e = Onboarding::start(
            participant(Organisation::Retailer),
            Role::Seller,
            date(2025, 1, 6),
            date(2025, 1, 6),
        )
        .unwrap_err();
        assert_eq!(e.kind(), "plan-end-not-after-start");
        for org in [
            Organisation::MobilityCompany,
            Organisation::PublicTransportOperator,
        ] {
            assert!(Role::BusinessCard.is_open_to(org));
        }
        assert!(!Role::BusinessCard.is_open_to(Organisation::Retailer));
        assert!(Role::ProductDirector.is_open_to(Organisation::Other));
    }

    #[test]
    fn the_whole_workflow_with_a_failed_audit() {
        let mut o = seller();
        o.invariants();
        assert_eq!(o.current_phase(), Some(Phase::SetUp));
        assert_eq!(o.production_access(), ProductionAccess::Closed);
        let e = step(&mut o, |o| {
            o.start_phase(Phase::Integration, date(2025, 3, 3))
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot start phase 2 (integration and acceptance): the audit of phase 1 (set-up of organisation, processes and systems) has not passed"
        );
        step(&mut o, |o| {
            o.record_audit(
                Phase::SetUp,
                AuditOutcome::Failed,
                date(2025, 3, 3),
                Evidence::summary("staff not trained"),
            )
        })
        .unwrap();
        assert_eq!(
            o.status(Phase::SetUp),
            PhaseStatus::AuditFailed {
                since: date(2025, 1, 6),
                on: date(2025, 3, 3)
            }
        );
        let e = step(&mut o, |o| {
            o.start_phase(Phase::Integration, date(2025, 3, 4))
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .ends_with("(its last audit failed on 2025-03-03)"),
            "{e}"
        );
        let e = step(&mut o, |o| {
            o.record_audit(
                Phase::SetUp,
                AuditOutcome::Passed,
                date(2025, 3, 2),
                clean(),
            )
        })
        .unwrap_err();
        assert_eq!(e.kind(), "audit-too-early");
        step(&mut o, |o| {
            o.record_audit(
                Phase::SetUp,
                AuditOutcome::Passed,
                date(2025, 3, 17),
                clean(),
            )
        })
        .unwrap();
        let e = step(&mut o, |o| {
            o.record_audit(
                Phase::SetUp,
                AuditOutcome::Passed,
                date(2025, 3, 18),
                clean(),
            )
        })
        .unwrap_err();
        assert_eq!(e.kind(), "phase-closed");
        let e = step(&mut o, |o| {
            o.start_phase(Phase::Integration, date(2025, 3, 16))
        })
        .unwrap_err();
        assert_eq!(e.kind(), "start-before-previous-audit");
        let e = step(&mut o, |o| {
            o.record_audit(
                Phase::Integration,
                AuditOutcome::Failed,
                date(2025, 3, 18),
                Evidence::summary("x"),
            )
        })
        .unwrap_err();
        assert_eq!(e.kind(), "phase-not-started");
        step(&mut o, |o| {
            o.start_phase(Phase::Integration, date(2025, 3, 17))
        })
        .unwrap();
        let e = step(&mut o, |o| {
            o.start_phase(Phase::Integration, date(2025, 3, 18))
        })
        .unwrap_err();
        assert_eq!(e.kind(), "phase-already-started");
        step(&mut o, |o| {
            o.record_audit(
                Phase::Integration,
                AuditOutcome::Passed,
                date(2025, 6, 27),
                clean(),
            )
        })
        .unwrap();
        let not_started = o.permission_to_connect();
        assert_eq!(
            not_started.to_string(),
            "no permission to connect yet: 2 of 3 audits passed; phase 3 (pilot) has not started (the previous audit passed on 2025-06-27)"
        );
        assert_eq!(o.production_access(), ProductionAccess::Closed);
        step(&mut o, |o| o.start_phase(Phase::Pilot, date(2025, 6, 30))).unwrap();
        assert_eq!(o.production_access(), ProductionAccess::TestUsersOnly);
        assert!(o.production_access().admits(Traveller::TestUser));
        assert!(!o.production_access().admits(Traveller::Other));
        // The pilot needs no suite run; an empty summary is still refused.
        let e = step(&mut o, |o| {
            o.record_audit(
                Phase::Pilot,
                AuditOutcome::Passed,
                date(2025, 9, 26),
                Evidence::summary(" "),
            )
        })
        .unwrap_err();
        assert_eq!(e.kind(), "empty-summary");
        step(&mut o, |o| {
            o.record_audit(
                Phase::Pilot,
                AuditOutcome::Passed,
                date(2025, 9, 26),
                Evidence::summary("25 test users, no findings"),
            )
        })
        .unwrap();
        assert_eq!(
            o.permission_to_connect(),
            Decision::Granted {
                on: date(2025, 9, 26)
            }
        );
        assert_eq!(o.production_access(), ProductionAccess::Open);
        assert_eq!(o.current_phase(), None);
        assert_eq!(o.audits(Phase::SetUp).len(), 2);
    }

    #[test]
    fn a_passed_audit_needs_clean_evidence_of_the_role() {
        let mut o = seller();
        let d = date(2025, 3, 17);
        let pass = |o: &mut Onboarding, evidence: Evidence| {
            step(o, |o| {
                o.record_audit(Phase::SetUp, AuditOutcome::Passed, d, evidence)
            })
            .unwrap_err()
        };
        let failing = SuiteRun {
            role: Role::Seller,
            passed: 38,
            total: 40,
            failing_rules: ["TAP-03".to_string(), "CARD-02".to_string()].into(),
        };
        let e = pass(&mut o, Evidence::with_run("x", failing.clone()));
        assert_eq!(
            e.to_string(),
            "refused a passed audit of phase 1 (set-up of organisation, processes and systems): its evidence has failures (2 of 40 scenarios did not pass; failing rules: CARD-02, TAP-03)"
        );
        let e = pass(
            &mut o,
            Evidence::with_run("x", SuiteRun::clean(Role::ServiceProvider, 40)),
        );
        assert_eq!(e.kind(), "evidence-of-other-role");
        assert_eq!(
            pass(
                &mut o,
                Evidence::with_run("x", SuiteRun::clean(Role::Seller, 0))
            )
            .kind(),
            "evidence-empty"
        );
        assert_eq!(
            pass(&mut o, Evidence::summary("looks fine")).kind(),
            "evidence-missing"
        );
        let mut rules_only = SuiteRun::clean(Role::Seller, 40);
        rules_only.failing_rules.insert("CARD-02".into());
        assert_eq!(
            pass(&mut o, Evidence::with_run("x", rules_only)).kind(),
            "evidence-has-failures"
        );
        let mut inconsistent = SuiteRun::clean(Role::Seller, 40);
        inconsistent.passed = 41;
        assert_eq!(
            pass(&mut o, Evidence::with_run("x", inconsistent)).kind(),
            "evidence-inconsistent"
        );
        // A failed audit may carry the failing run: its failures are the findings.
        step(&mut o, |o| {
            o.record_audit(
                Phase::SetUp,
                AuditOutcome::Failed,
                d,
                Evidence::with_run("TAP-03 fails", failing),
            )
        })
        .unwrap();
        assert_eq!(
            o.permission_to_connect().to_string(),
            "no permission to connect yet: 0 of 3 audits passed; phase 1 (set-up of organisation, processes and systems) failed its audit on 2025-03-17 (TAP-03 fails) and needs a re-audit"
        );
    }

    #[test]
    fn a_suite_run_counts_only_the_roles_profile() {
        let record = |tags: &[&str], outcome| ScenarioRecord {
            feature: "f".into(),
            scenario: "s".into(),
            line: 1,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            outcome,
            failure: None,
            timeline: None,
        };
        let rules = crate::catalogue::rules();
        let records = [
            record(&["TAP-03", "role:reader"], Outcome::Failed),
            record(&["CARD-02", "role:seller"], Outcome::Passed),
            record(
                &["GBO-03", "role:service-provider", "role:backoffice"],
                Outcome::Skipped,
            ),
            record(&["GBO-01", "role:backoffice"], Outcome::Failed),
        ];
        let sp = SuiteRun::from_scenarios(Role::ServiceProvider, &records, &rules);
        assert_eq!(
            sp.to_string(),
            "service-provider profile: 0 of 2 scenarios passed, failing GBO-03, TAP-03"
        );
        let seller = SuiteRun::from_scenarios(Role::Seller, &records, &rules);
        assert_eq!(seller, SuiteRun::clean(Role::Seller, 1));
    }
}
