//! Steps about participant onboarding (ONB-01..03): roles and profiles, phases and audits,
//! the permission to connect.
//!
//! Onboarding is the certification process around a participant, not a behaviour of the
//! system under test, so these steps drive the harness's own model ([`crate::onboarding`])
//! directly — the documented exception to "steps talk only to the SUT". The model's
//! invariants are checked after every command.
//!
//! Commands come in two forms: the plain form ("starts the integration phase") must succeed
//! and fails the step with the model's reason otherwise; the "tries to" form records the
//! outcome for a later "the onboarding refuses: KIND".

use std::str::FromStr;

use cucumber::gherkin::Step;
use cucumber::{Parameter, given, then, when};
use jiff::civil::Date;

use super::params::Day;
use crate::onboarding::{
    AuditOutcome, Decision, Evidence, LeadTime, Onboarding, OnboardingError, Organisation,
    Participant, Phase, PhaseStatus, ProductionAccess, Role, SuiteRun, data,
};
use crate::world::OvWorld;

/// What onboarding scenarios remember between steps.
#[derive(Debug, Default)]
pub struct OnboardingWorld {
    /// Every onboarding of the scenario, oldest first; a participant's latest is its current
    /// one (a change of role is a new onboarding).
    onboardings: Vec<Onboarding>,
    /// The outcome of the last "tries to" command.
    last_try: Option<Result<(), OnboardingError>>,
}

impl OnboardingWorld {
    /// The participant's latest onboarding.
    fn latest(&mut self, participant: &str) -> &mut Onboarding {
        self.onboardings
            .iter_mut()
            .rev()
            .find(|o| o.participant().name == participant)
            .unwrap_or_else(|| panic!("\"{participant}\" has not started onboarding"))
    }

    /// The participant's latest onboarding in a role.
    fn in_role(&self, participant: &str, role: Role) -> &Onboarding {
        self.onboardings
            .iter()
            .rev()
            .find(|o| o.participant().name == participant && o.role() == role)
            .unwrap_or_else(|| panic!("\"{participant}\" has no onboarding as a {role}"))
    }

    /// Runs a command on the participant's latest onboarding and checks the invariants; a
    /// refused command must leave the onboarding as it was.
    fn command(
        &mut self,
        participant: &str,
        f: impl FnOnce(&mut Onboarding) -> Result<(), OnboardingError>,
    ) -> Result<(), OnboardingError> {
        let onboarding = self.latest(participant);
        let before = onboarding.clone();
        let result = f(onboarding);
        if result.is_err() {
            assert_eq!(
                *onboarding, before,
                "a refused command changed the onboarding"
            );
        }
        onboarding.invariants();
        result
    }

    fn start(
        &mut self,
        participant: Participant,
        role: Role,
        start: Date,
        end: Date,
    ) -> Result<(), OnboardingError> {
        let onboarding = Onboarding::start(participant, role, start, end)?;
        onboarding.invariants();
        self.onboardings.push(onboarding);
        Ok(())
    }

    fn refusal(&self) -> &OnboardingError {
        match &self.last_try {
            Some(Err(e)) => e,
            Some(Ok(())) => panic!("the onboarding accepted the last command"),
            None => panic!("no command was tried"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/// "seller", "service provider", "business-card provider", "product director".
#[derive(Debug, Clone, Copy, Parameter)]
#[param(
    name = "onboarding_role",
    regex = r"(?:seller|service provider|business-card provider|product director)"
)]
pub struct RoleParam(pub Role);

impl FromStr for RoleParam {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::from_str(s).map(RoleParam).map_err(|e| e.to_string())
    }
}

/// "set-up", "integration", "pilot".
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "onboarding_phase", regex = r"(?:set-up|integration|pilot)")]
pub struct PhaseParam(pub Phase);

impl FromStr for PhaseParam {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phase::from_str(s)
            .map(PhaseParam)
            .map_err(|e| e.to_string())
    }
}

/// "retailer", "public transport operator", "mobility company", "other organisation".
#[derive(Debug, Clone, Copy, Parameter)]
#[param(
    name = "organisation",
    regex = r"(?:public transport operator|mobility company|retailer|other organisation)"
)]
pub struct OrganisationParam(pub Organisation);

impl FromStr for OrganisationParam {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Organisation::from_str(s)
            .map(OrganisationParam)
            .map_err(|e| e.to_string())
    }
}

/// The summary of a suite run: "40 of 40 scenarios passed" (the onboarding's own profile),
/// "120 of 120 service-provider scenarios passed" (another role's profile),
/// "38 of 40 scenarios passed, failing TAP-03 and CARD-02".
#[derive(Debug, Clone, Parameter)]
#[param(
    name = "suite_run",
    regex = r"\d+ of \d+ (?:(?:seller|service-provider|business-card|product-director) )?scenarios passed(?:, failing [A-Z]+-\d+(?:(?:, | and )[A-Z]+-\d+)*)?"
)]
pub struct RunParam {
    /// `None`: the profile of the onboarding the run is evidence for.
    role: Option<Role>,
    passed: usize,
    total: usize,
    failing_rules: Vec<String>,
}

impl FromStr for RunParam {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (counts, failing) = s.split_once(", failing ").unwrap_or((s, ""));
        let counts = counts
            .strip_suffix("scenarios passed")
            .ok_or_else(|| format!("`{s}`: expected \"… scenarios passed\""))?;
        let words: Vec<&str> = counts.split_whitespace().collect();
        let (passed, total, role) = match words.as_slice() {
            [passed, "of", total] => (passed, total, None),
            [passed, "of", total, role] => (passed, total, Some(Role::from_str(role))),
            _ => {
                return Err(format!(
                    "`{s}`: expected \"P of T [ROLE] scenarios passed\""
                ));
            }
        };
        let number = |n: &str| n.parse::<usize>().map_err(|e| format!("`{n}`: {e}"));
        let failing_rules = failing
            .split([','])
            .flat_map(|part| part.split(" and "))
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        Ok(RunParam {
            role: role.transpose().map_err(|e| e.to_string())?,
            passed: number(passed)?,
            total: number(total)?,
            failing_rules,
        })
    }
}

impl RunParam {
    fn for_role(&self, onboarding_role: Role) -> SuiteRun {
        SuiteRun {
            role: self.role.unwrap_or(onboarding_role),
            passed: self.passed,
            total: self.total,
            failing_rules: self.failing_rules.iter().cloned().collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Starting an onboarding
// ---------------------------------------------------------------------------------------------

fn participant(name: String, organisation: OrganisationParam) -> Participant {
    Participant {
        name,
        organisation: organisation.0,
    }
}

#[given(
    expr = "{string}, a(n) {organisation}, starts onboarding as a(n) {onboarding_role} on {date} with an expected end date of {date}"
)]
#[when(
    expr = "{string}, a(n) {organisation}, starts onboarding as a(n) {onboarding_role} on {date} with an expected end date of {date}"
)]
async fn starts(
    world: &mut OvWorld,
    name: String,
    organisation: OrganisationParam,
    role: RoleParam,
    start: Day,
    end: Day,
) {
    let who = participant(name, organisation);
    world
        .onboarding
        .start(who, role.0, start.0, end.0)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[when(
    expr = "{string}, a(n) {organisation}, tries to start onboarding as a(n) {onboarding_role} on {date} with an expected end date of {date}"
)]
async fn tries_to_start(
    world: &mut OvWorld,
    name: String,
    organisation: OrganisationParam,
    role: RoleParam,
    start: Day,
    end: Day,
) {
    let who = participant(name, organisation);
    let result = world.onboarding.start(who, role.0, start.0, end.0);
    world.onboarding.last_try = Some(result);
}

/// A known participant starts another onboarding (a change of role).
#[when(
    expr = "{string} starts onboarding as a(n) {onboarding_role} on {date} with an expected end date of {date}"
)]
async fn starts_again(world: &mut OvWorld, name: String, role: RoleParam, start: Day, end: Day) {
    let who = world.onboarding.latest(&name).participant().clone();
    world
        .onboarding
        .start(who, role.0, start.0, end.0)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A table `| phase | started | audit passed |`: starts the onboarding on the first row's date
/// and takes it through the rows in order. A passed set-up or integration audit references a
/// clean run of 40 scenarios of the role's profile; the pilot's says what the trial showed.
/// An empty "audit passed" leaves the phase running.
#[given(
    expr = "{string}, a(n) {organisation}, went through onboarding as a(n) {onboarding_role} with an expected end date of {date}:"
)]
async fn went_through(
    world: &mut OvWorld,
    name: String,
    organisation: OrganisationParam,
    role: RoleParam,
    end: Day,
    step: &Step,
) {
    let table = step.table.as_ref().expect("a table of phases");
    let start = table
        .rows
        .get(1)
        .map(|row| date(&row[1]))
        .expect("at least the set-up row");
    let who = participant(name.clone(), organisation);
    world
        .onboarding
        .start(who, role.0, start, end.0)
        .unwrap_or_else(|e| panic!("{e}"));
    for row in &table.rows[1..] {
        let [phase, started, passed] = row.as_slice() else {
            panic!("expected | phase | started | audit passed |, got {row:?}");
        };
        let phase = Phase::from_str(phase).unwrap_or_else(|e| panic!("{e}"));
        let started = date(started);
        world
            .onboarding
            .command(&name, |o| match phase {
                Phase::SetUp => {
                    assert_eq!(started, o.plan().start);
                    Ok(())
                }
                _ => o.start_phase(phase, started),
            })
            .unwrap_or_else(|e| panic!("{e}"));
        if passed.is_empty() {
            continue;
        }
        let evidence = match phase.info().suite_run_required {
            true => Evidence::with_run("a clean run of the profile", SuiteRun::clean(role.0, 40)),
            false => Evidence::summary("pilot with test users: no findings"),
        };
        world
            .onboarding
            .command(&name, |o| {
                o.record_audit(phase, AuditOutcome::Passed, date(passed), evidence)
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

fn date(text: &str) -> Date {
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("`{text}` is not a date: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Phases and audits
// ---------------------------------------------------------------------------------------------

#[given(expr = "{string} starts the {onboarding_phase} phase on {date}")]
#[when(expr = "{string} starts the {onboarding_phase} phase on {date}")]
async fn starts_phase(world: &mut OvWorld, name: String, phase: PhaseParam, on: Day) {
    world
        .onboarding
        .command(&name, |o| o.start_phase(phase.0, on.0))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[when(expr = "{string} tries to start the {onboarding_phase} phase on {date}")]
async fn tries_to_start_phase(world: &mut OvWorld, name: String, phase: PhaseParam, on: Day) {
    let result = world
        .onboarding
        .command(&name, |o| o.start_phase(phase.0, on.0));
    world.onboarding.last_try = Some(result);
}

fn audit(
    world: &mut OvWorld,
    name: &str,
    phase: Phase,
    outcome: AuditOutcome,
    on: Date,
    evidence: impl FnOnce(Role) -> Evidence,
) -> Result<(), OnboardingError> {
    let role = world.onboarding.latest(name).role();
    let evidence = evidence(role);
    world
        .onboarding
        .command(name, |o| o.record_audit(phase, outcome, on, evidence))
}

fn run_evidence(run: RunParam) -> impl FnOnce(Role) -> Evidence {
    move |role| {
        let run = run.for_role(role);
        Evidence::with_run(format!("suite run: {run}"), run)
    }
}

fn run_evidence_with(run: RunParam, summary: String) -> impl FnOnce(Role) -> Evidence {
    move |role| Evidence::with_run(summary, run.for_role(role))
}

fn summary_evidence(summary: String) -> impl FnOnce(Role) -> Evidence {
    move |_| Evidence::summary(summary)
}

#[given(expr = "the {onboarding_phase} audit of {string} on {date} passes with {suite_run}")]
#[when(expr = "the {onboarding_phase} audit of {string} on {date} passes with {suite_run}")]
async fn passes_with_run(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    run: RunParam,
) {
    audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Passed,
        on.0,
        run_evidence(run),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[when(expr = "the {onboarding_phase} audit of {string} on {date} passes: {string}")]
async fn passes_with_summary(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    summary: String,
) {
    audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Passed,
        on.0,
        summary_evidence(summary),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[given(expr = "the {onboarding_phase} audit of {string} on {date} fails: {string}")]
#[when(expr = "the {onboarding_phase} audit of {string} on {date} fails: {string}")]
async fn fails_with_summary(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    summary: String,
) {
    audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Failed,
        on.0,
        summary_evidence(summary),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[when(
    expr = "the {onboarding_phase} audit of {string} on {date} fails with {suite_run}: {string}"
)]
async fn fails_with_run(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    run: RunParam,
    summary: String,
) {
    audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Failed,
        on.0,
        run_evidence_with(run, summary),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[when(
    expr = "the auditor tries to pass the {onboarding_phase} audit of {string} on {date} with {suite_run}"
)]
async fn tries_to_pass_with_run(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    run: RunParam,
) {
    let result = audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Passed,
        on.0,
        run_evidence(run),
    );
    world.onboarding.last_try = Some(result);
}

#[when(
    expr = "the auditor tries to pass the {onboarding_phase} audit of {string} on {date}: {string}"
)]
async fn tries_to_pass_with_summary(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    summary: String,
) {
    let result = audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Passed,
        on.0,
        summary_evidence(summary),
    );
    world.onboarding.last_try = Some(result);
}

#[when(
    expr = "the auditor tries to fail the {onboarding_phase} audit of {string} on {date}: {string}"
)]
async fn tries_to_fail(
    world: &mut OvWorld,
    phase: PhaseParam,
    name: String,
    on: Day,
    summary: String,
) {
    let result = audit(
        world,
        &name,
        phase.0,
        AuditOutcome::Failed,
        on.0,
        summary_evidence(summary),
    );
    world.onboarding.last_try = Some(result);
}

// ---------------------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------------------

#[then(expr = "the onboarding refuses: {word}")]
async fn refuses(world: &mut OvWorld, kind: String) {
    let e = world.onboarding.refusal();
    assert_eq!(e.kind(), kind, "the refusal was: {e}");
}

#[then(expr = "the onboarding's refusal says {string}")]
async fn refusal_says(world: &mut OvWorld, text: String) {
    let e = world.onboarding.refusal().to_string();
    assert!(e.contains(&text), "the refusal says: {e}");
}

#[then(expr = "{string} is in the {onboarding_phase} phase since {date}")]
async fn in_phase_since(world: &mut OvWorld, name: String, phase: PhaseParam, since: Day) {
    let o = world.onboarding.latest(&name);
    assert_eq!(o.current_phase(), Some(phase.0));
    assert_eq!(
        o.status(phase.0),
        PhaseStatus::InProgress { since: since.0 }
    );
}

#[then(expr = "{string} is in the {onboarding_phase} phase as a(n) {onboarding_role} since {date}")]
async fn in_phase_as(
    world: &mut OvWorld,
    name: String,
    phase: PhaseParam,
    role: RoleParam,
    since: Day,
) {
    let o = world.onboarding.in_role(&name, role.0);
    assert_eq!(o.current_phase(), Some(phase.0));
    assert_eq!(
        o.status(phase.0),
        PhaseStatus::InProgress { since: since.0 }
    );
}

#[then(expr = "{string} is in the {onboarding_phase} phase with a failed audit on {date}")]
async fn in_phase_failed(world: &mut OvWorld, name: String, phase: PhaseParam, on: Day) {
    let o = world.onboarding.latest(&name);
    assert_eq!(o.current_phase(), Some(phase.0));
    assert!(
        matches!(o.status(phase.0), PhaseStatus::AuditFailed { on: d, .. } if d == on.0),
        "{:?}",
        o.status(phase.0)
    );
}

#[then(expr = "the {onboarding_phase} phase of {string} has not started")]
async fn not_started(world: &mut OvWorld, phase: PhaseParam, name: String) {
    let o = world.onboarding.latest(&name);
    assert_eq!(o.status(phase.0), PhaseStatus::NotStarted);
}

#[then(expr = "the {onboarding_phase} phase of {string} passed its audit on {date}")]
async fn phase_passed(world: &mut OvWorld, phase: PhaseParam, name: String, on: Day) {
    let o = world.onboarding.latest(&name);
    assert!(
        matches!(o.status(phase.0), PhaseStatus::Passed { on: d, .. } if d == on.0),
        "{:?}",
        o.status(phase.0)
    );
}

#[then(expr = "{string} has {int} audit(s) of the {onboarding_phase} phase")]
async fn audit_count(world: &mut OvWorld, name: String, count: usize, phase: PhaseParam) {
    let o = world.onboarding.latest(&name);
    assert_eq!(o.audits(phase.0).len(), count, "{:?}", o.audits(phase.0));
}

#[then(expr = "permission to connect is granted to {string} on {date}")]
async fn granted(world: &mut OvWorld, name: String, on: Day) {
    let o = world.onboarding.latest(&name);
    assert_eq!(o.permission_to_connect(), Decision::Granted { on: on.0 });
}

#[then(expr = "permission to connect is not yet granted to {string}: {string}")]
async fn not_yet(world: &mut OvWorld, name: String, reason: String) {
    match world.onboarding.latest(&name).permission_to_connect() {
        Decision::NotYet(why) => assert_eq!(why.to_string(), reason),
        granted => panic!("expected no permission yet, got: {granted}"),
    }
}

#[then(expr = "{string} still has permission to connect as a(n) {onboarding_role} since {date}")]
async fn still_granted_as(world: &mut OvWorld, name: String, role: RoleParam, on: Day) {
    let o = world.onboarding.in_role(&name, role.0);
    assert_eq!(o.permission_to_connect(), Decision::Granted { on: on.0 });
}

#[then(expr = "{string} has no permission to connect as a(n) {onboarding_role} yet")]
async fn not_granted_as(world: &mut OvWorld, name: String, role: RoleParam) {
    let o = world.onboarding.in_role(&name, role.0);
    assert!(
        matches!(o.permission_to_connect(), Decision::NotYet(_)),
        "{}",
        o.permission_to_connect()
    );
}

#[then(expr = "the plan of {string} is within the lead time")]
async fn plan_within(world: &mut OvWorld, name: String) {
    let o = world.onboarding.latest(&name);
    assert_eq!(o.lead_time(), LeadTime::Within, "{}", o.lead_time());
}

#[then(expr = "the plan of {string} is flagged: {string}")]
async fn plan_flagged(world: &mut OvWorld, name: String, flag: String) {
    let lead_time = world.onboarding.latest(&name).lead_time();
    assert_ne!(
        lead_time,
        LeadTime::Within,
        "the plan is within the lead time"
    );
    assert_eq!(lead_time.to_string(), flag);
}

#[then(
    regex = r#"^production at "([^"]*)" is (closed to every traveller|open to test users only|open to every traveller)$"#
)]
async fn production(world: &mut OvWorld, name: String, access: String) {
    let expected = match access.as_str() {
        "closed to every traveller" => ProductionAccess::Closed,
        "open to test users only" => ProductionAccess::TestUsersOnly,
        _ => ProductionAccess::Open,
    };
    assert_eq!(world.onboarding.latest(&name).production_access(), expected);
}

// ---------------------------------------------------------------------------------------------
// Roles, profiles and phases as data
// ---------------------------------------------------------------------------------------------

/// A table `| role | name | name (nl) | profile |`, profile tags separated by spaces.
#[then("the onboarding roles are:")]
async fn roles_are(_world: &mut OvWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table of roles");
    let got: Vec<Vec<String>> = Role::ALL
        .iter()
        .map(|role| {
            let info = role.info();
            vec![
                role.id().to_string(),
                info.name.clone(),
                info.name_nl.clone(),
                info.profile.tags.join(" "),
            ]
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(expr = "the {onboarding_role} role covers {string}")]
async fn role_covers(_world: &mut OvWorld, role: RoleParam, covers: String) {
    assert_eq!(role.0.info().covers.join(", "), covers);
}

/// `tags` as on a scenario ("@role:seller @role:reader"); `profiles` the roles whose profiles
/// select it, in catalogue order, separated by ", ", or "none".
#[then(expr = "a scenario tagged {string} is in the profiles of: {string}")]
async fn in_profiles(_world: &mut OvWorld, tags: String, profiles: String) {
    let tags: Vec<&str> = tags.split_whitespace().collect();
    let got: Vec<String> = Role::ALL
        .into_iter()
        .filter(|r| r.profile().selects(&tags))
        .map(|r| r.to_string())
        .collect();
    let got = if got.is_empty() {
        "none".to_string()
    } else {
        got.join(", ")
    };
    assert_eq!(got, profiles);
}

/// A table `| phase | name | name (nl) | suite run required | production |`.
#[then("the onboarding phases are:")]
async fn phases_are(_world: &mut OvWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table of phases");
    let got: Vec<Vec<String>> = data()
        .phases
        .iter()
        .map(|p| {
            vec![
                p.number.to_string(),
                p.name.clone(),
                p.name_nl.clone(),
                if p.suite_run_required { "yes" } else { "no" }.to_string(),
                match p.production {
                    ProductionAccess::Closed => "closed",
                    ProductionAccess::TestUsersOnly => "test users only",
                    ProductionAccess::Open => "open",
                }
                .to_string(),
            ]
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(expr = "the {onboarding_phase} phase includes {string}")]
async fn phase_includes(_world: &mut OvWorld, phase: PhaseParam, activity: String) {
    let activities = &phase.0.info().activities;
    assert!(activities.contains(&activity), "{activities:#?}");
}
