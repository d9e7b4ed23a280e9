//! `ovcert audit EVIDENCE_DIR...`: from signed evidence folders to an onboarding decision
//! (ONB-02, ONB-03), explained.
//!
//! Every folder is verified first ([`verify`]); one that does not verify rejects the whole
//! audit, as do folders of different roles (ONB-01: one onboarding is of one role), a run of
//! a component alone (`--role reader`) and a run made for no phase. Otherwise the runs are
//! replayed in the order they finished through the onboarding model
//! ([`Onboarding`](crate::onboarding::Onboarding)), which owns every rule:
//!
//! - a run for a phase that has not started starts it on the run's day, which the model
//!   refuses unless the previous phase's audit passed (ONB-02);
//! - a passing run is a passed audit of its phase, which the model refuses unless the run is
//!   clean evidence of the role's profile; a refused one counts as a failed audit with the
//!   refusal as its finding;
//! - a failing run is a failed audit: the participant stays in the phase until a later run
//!   passes (a re-audit);
//! - a run for a phase already closed by a passed audit does not count.
//!
//! The decision is then the model's permission to connect (ONB-03), or why not: which phase
//! passed and which may start next, which phase failed its audit, or which has no evidence.
//!
//! An audit's date is the Amsterdam calendar day its run finished. The evidence names no
//! participant, so the model's participant is a stand-in of a kind the role is open to;
//! eligibility is not judged here.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use jiff::ToSpan as _;
use jiff::civil::Date;

use super::manifest::{Manifest, Verdict, Verified, VerifyError, verify};
use super::signing::VerifyingKey;
use crate::onboarding::{
    self, AuditOutcome, Decision, Evidence, Onboarding, Organisation, Participant, Phase,
    PhaseStatus, Role, Waiting,
};

/// What `ovcert audit` decided, with every folder's part in it.
#[derive(Debug)]
pub struct AuditDecision {
    /// The role of the evidence, when it is one onboarding role.
    pub role: Option<Role>,
    /// Whether the folders were checked against a trusted key; otherwise each only against
    /// the key its own manifest names.
    pub authenticated: bool,
    /// Every folder: in the order the runs finished when they were judged, else as given.
    pub evidence: Vec<EvidenceFinding>,
    pub conclusion: Conclusion,
}

/// One folder and what it counted for.
#[derive(Debug)]
pub struct EvidenceFinding {
    pub dir: PathBuf,
    /// The verified manifest; `None` when the folder did not verify.
    pub manifest: Option<Manifest>,
    pub effect: Effect,
}

/// What a folder counted for.
#[derive(Debug)]
pub enum Effect {
    /// The folder did not verify.
    Invalid(VerifyError),
    /// Not judged: the audit was rejected (see [`Rejection`]).
    NotJudged,
    /// A passed audit of the phase on `on`.
    PassedAudit { phase: Phase, on: Date },
    /// A failed audit of the phase on `on`.
    FailedAudit {
        phase: Phase,
        on: Date,
        findings: String,
    },
    /// The onboarding refused it: the phase could not start yet, or was closed already.
    NotCounted { phase: Phase, reason: String },
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conclusion {
    /// ONB-02: `passed` is closed by a passed audit on `on`; `next` may start.
    NextPhaseAllowed {
        passed: Phase,
        on: Date,
        next: Phase,
    },
    /// ONB-03: all phases passed, the last on `on`.
    PermissionToConnect { on: Date },
    /// The first open phase's last audit failed on `on`; a re-audit must pass.
    AuditFailed {
        phase: Phase,
        on: Date,
        findings: String,
    },
    /// No counted evidence of the first open phase.
    PhaseMissing { phase: Phase },
    /// Nothing could be decided from these folders.
    Rejected(Rejection),
}

/// Why the folders cannot be judged together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// These folders did not verify (each finding says why).
    InvalidEvidence { dirs: Vec<PathBuf> },
    /// Runs of different roles, each with its folders (ONB-01).
    MixedRoles {
        roles: BTreeMap<String, Vec<PathBuf>>,
    },
    /// Runs of a component's scenarios alone, not of an onboarding role's profile.
    NotAnOnboardingRole { role: String },
    /// Runs made for no onboarding phase (or one this build does not know).
    NoPhase { dirs: Vec<PathBuf> },
}

/// A call that cannot be audited at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("no evidence folder given")]
    NoEvidence,
    #[error("{}: given twice", .dir.display())]
    SameFolderTwice { dir: PathBuf },
}

impl AuditDecision {
    /// Whether the participant may go on: to the next phase, or to production.
    pub fn allows_progress(&self) -> bool {
        matches!(
            self.conclusion,
            Conclusion::NextPhaseAllowed { .. } | Conclusion::PermissionToConnect { .. }
        )
    }

    /// The decision as `ovcert audit` prints it (the same as `Display`).
    pub fn render(&self) -> String {
        self.to_string()
    }
}

/// Verifies every folder and decides (see the module documentation).
pub fn audit(
    dirs: &[PathBuf],
    trusted_key: Option<&VerifyingKey>,
) -> Result<AuditDecision, AuditError> {
    if dirs.is_empty() {
        return Err(AuditError::NoEvidence);
    }
    for (i, dir) in dirs.iter().enumerate() {
        if dirs[..i].contains(dir) {
            return Err(AuditError::SameFolderTwice { dir: dir.clone() });
        }
    }
    let results: Vec<(PathBuf, Result<Verified, VerifyError>)> = dirs
        .iter()
        .map(|dir| (dir.clone(), verify(dir, trusted_key)))
        .collect();
    let decide = |role, evidence, conclusion| {
        Ok(AuditDecision {
            role,
            // verify checks every folder against the trusted key when there is one.
            authenticated: trusted_key.is_some(),
            evidence,
            conclusion,
        })
    };

    let invalid: Vec<PathBuf> = results
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(dir, _)| dir.clone())
        .collect();
    let verified: Vec<Verified> = match invalid.is_empty() {
        true => results.into_iter().filter_map(|(_, r)| r.ok()).collect(),
        false => {
            let evidence = results.into_iter().map(not_judged).collect();
            let rejection = Rejection::InvalidEvidence { dirs: invalid };
            return decide(None, evidence, Conclusion::Rejected(rejection));
        }
    };
    if let Some(rejection) = reject(&verified) {
        let role = verified[0].manifest.onboarding_role();
        let role = role.filter(|_| !matches!(rejection, Rejection::MixedRoles { .. }));
        let evidence = verified
            .into_iter()
            .map(|v| not_judged((v.dir.clone(), Ok(v))))
            .collect();
        return decide(role, evidence, Conclusion::Rejected(rejection));
    }
    let role = verified[0]
        .manifest
        .onboarding_role()
        .expect("checked by reject");
    let (evidence, conclusion) = judge(role, verified);
    decide(Some(role), evidence, conclusion)
}

fn not_judged((dir, result): (PathBuf, Result<Verified, VerifyError>)) -> EvidenceFinding {
    match result {
        Ok(verified) => EvidenceFinding {
            dir,
            manifest: Some(verified.manifest),
            effect: Effect::NotJudged,
        },
        Err(error) => EvidenceFinding {
            dir,
            manifest: None,
            effect: Effect::Invalid(error),
        },
    }
}

/// Why verified folders cannot be judged together, if they cannot.
fn reject(verified: &[Verified]) -> Option<Rejection> {
    let mut roles: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for v in verified {
        roles
            .entry(v.manifest.role.clone())
            .or_default()
            .push(v.dir.clone());
    }
    if roles.len() > 1 {
        return Some(Rejection::MixedRoles { roles });
    }
    let first = &verified[0].manifest;
    if first.onboarding_role().is_none() {
        return Some(Rejection::NotAnOnboardingRole {
            role: first.role.clone(),
        });
    }
    let no_phase: Vec<PathBuf> = verified
        .iter()
        .filter(|v| v.manifest.onboarding_phase().is_none())
        .map(|v| v.dir.clone())
        .collect();
    (!no_phase.is_empty()).then_some(Rejection::NoPhase { dirs: no_phase })
}

/// Replays the runs, oldest first, through the onboarding model.
fn judge(role: Role, mut verified: Vec<Verified>) -> (Vec<EvidenceFinding>, Conclusion) {
    verified.sort_by(|a, b| (a.manifest.finished, &a.dir).cmp(&(b.manifest.finished, &b.dir)));
    let day = |v: &Verified| ovcert_reference::time::local(v.manifest.finished).date();
    let first_day = day(&verified[0]);
    let mut onboarding = stand_in_onboarding(role, first_day);
    let mut evidence = Vec::with_capacity(verified.len());
    for v in verified {
        let phase = v.manifest.onboarding_phase().expect("checked by reject");
        let effect = judge_run(&mut onboarding, &v, phase, day(&v));
        evidence.push(EvidenceFinding {
            dir: v.dir,
            manifest: Some(v.manifest),
            effect,
        });
    }
    onboarding.invariants();
    (evidence, conclude(&onboarding))
}

/// An onboarding of `role` whose first phase starts on `start`. Only the phases matter
/// here; the plan's end is the latest the lead time allows, so it is never flagged.
fn stand_in_onboarding(role: Role, start: Date) -> Onboarding {
    let organisation = Organisation::ALL
        .into_iter()
        .find(|o| role.is_open_to(*o))
        .expect("validated: every role is open to some organisation");
    let participant = Participant {
        name: "the participant".into(),
        organisation,
    };
    let end = start
        .checked_add(onboarding::data().lead_time.max_months.months())
        .expect("validated: at most 120 months from a civil date in range");
    Onboarding::start(participant, role, start, end)
        .expect("an organisation the role is open to, and an end after the start")
}

/// One run as an audit of its phase on `on`.
fn judge_run(onboarding: &mut Onboarding, v: &Verified, phase: Phase, on: Date) -> Effect {
    let not_counted = |reason: String| Effect::NotCounted { phase, reason };
    if onboarding.status(phase) == PhaseStatus::NotStarted
        && let Err(refusal) = onboarding.start_phase(phase, on)
    {
        return not_counted(refusal.to_string());
    }
    let run = v.manifest.run.suite_run(onboarding.role());
    let dir = v.dir.display();
    let findings = if v.manifest.run.verdict == Verdict::Passed {
        let evidence = Evidence::with_run(format!("{dir}: {run}"), run.clone());
        match onboarding.record_audit(phase, AuditOutcome::Passed, on, evidence) {
            Ok(()) => return Effect::PassedAudit { phase, on },
            Err(refusal) => format!("{dir}: {refusal}"),
        }
    } else if run.has_failures() {
        format!("{dir}: the run failed: {run}")
    } else {
        format!("{dir}: the run failed outside its scenarios ({run})")
    };
    let evidence = Evidence::with_run(findings.clone(), run);
    match onboarding.record_audit(phase, AuditOutcome::Failed, on, evidence) {
        Ok(()) => Effect::FailedAudit {
            phase,
            on,
            findings,
        },
        Err(refusal) => not_counted(refusal.to_string()),
    }
}

fn conclude(onboarding: &Onboarding) -> Conclusion {
    match onboarding.permission_to_connect() {
        Decision::Granted { on } => Conclusion::PermissionToConnect { on },
        Decision::NotYet(why) => match why.waiting {
            Waiting::Start { previous_passed_on } => Conclusion::NextPhaseAllowed {
                passed: why
                    .phase
                    .previous()
                    .expect("a phase waiting to start has a previous one"),
                on: previous_passed_on,
                next: why.phase,
            },
            Waiting::Audit { .. } => Conclusion::PhaseMissing { phase: why.phase },
            Waiting::ReAudit { on, findings } => Conclusion::AuditFailed {
                phase: why.phase,
                on,
                findings,
            },
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

fn paths(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::InvalidEvidence { dirs } => write!(
                f,
                "{} of the evidence folders did not verify ({}); evidence must be intact and signed",
                dirs.len(),
                paths(dirs)
            ),
            Rejection::MixedRoles { roles } => {
                let roles: Vec<String> = roles
                    .iter()
                    .map(|(role, dirs)| format!("{role} ({})", paths(dirs)))
                    .collect();
                write!(
                    f,
                    "the folders are runs of different roles: {}; an onboarding is of one role (ONB-01), so audit each role's folders separately",
                    roles.join(", ")
                )
            }
            Rejection::NotAnOnboardingRole { role } => {
                write!(
                    f,
                    "the runs are of `{role}` alone, which is not an onboarding role; certify with --role and one of {}",
                    Role::ALL.map(Role::id).join(", ")
                )?;
                let certified_by = onboarding::data()
                    .components
                    .iter()
                    .find(|c| &c.component == role)
                    .map(|c| c.certified_by.iter().map(|r| r.id()).collect::<Vec<_>>())
                    .unwrap_or_default();
                if !certified_by.is_empty() {
                    write!(
                        f,
                        " (the {role} is certified within the profile of {})",
                        certified_by.join(", ")
                    )?;
                }
                Ok(())
            }
            Rejection::NoPhase { dirs } => write!(
                f,
                "runs made for no onboarding phase: {}; certify with --phase {}",
                paths(dirs),
                Phase::ALL.map(Phase::id).join(", --phase ")
            ),
        }
    }
}

impl fmt::Display for Conclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conclusion::NextPhaseAllowed { passed, on, next } => {
                write!(f, "{passed} passed on {on}; next phase allowed: {next}")
            }
            Conclusion::PermissionToConnect { on } => write!(
                f,
                "permission to connect: all {} phases passed, the last on {on}",
                Phase::ALL.len()
            ),
            Conclusion::AuditFailed {
                phase,
                on,
                findings,
            } => write!(
                f,
                "no further phase: {phase} failed its audit on {on} ({findings}); a later passing run of the phase is needed"
            ),
            Conclusion::PhaseMissing { phase } => write!(
                f,
                "no further phase: {phase} has no evidence that counts; certify a run with --phase {}",
                phase.id()
            ),
            Conclusion::Rejected(rejection) => write!(f, "rejected: {rejection}"),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Invalid(error) => write!(f, "invalid: {error}"),
            Effect::NotJudged => f.write_str("not judged"),
            Effect::PassedAudit { phase, on } => write!(f, "passed audit of {phase} on {on}"),
            Effect::FailedAudit { phase, on, .. } => write!(f, "failed audit of {phase} on {on}"),
            Effect::NotCounted { reason, .. } => write!(f, "not counted: {reason}"),
        }
    }
}

impl fmt::Display for EvidenceFinding {
    /// `DIR: seller, set-up, finished 2025-03-17T10:00:00Z, passed 40 of 40: passed audit …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.dir.display())?;
        if let Some(m) = &self.manifest {
            write!(
                f,
                "{}, {}, finished {}, {} {} of {}",
                m.role,
                m.phase.as_deref().unwrap_or("no phase"),
                m.finished,
                m.run.verdict,
                m.run.passed,
                m.run.scenarios
            )?;
            if !m.run.failing_rules.is_empty() {
                write!(f, " (failing {})", m.run.failing_rules.join(", "))?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{}", self.effect)
    }
}

impl fmt::Display for AuditDecision {
    /// A heading, one line per folder, the decision, and whether the signers were checked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = self.role.map_or("evidence", Role::id);
        writeln!(
            f,
            "audit of {} {role} evidence folders:",
            self.evidence.len()
        )?;
        for finding in &self.evidence {
            writeln!(f, "  {finding}")?;
        }
        writeln!(f, "decision: {}", self.conclusion)?;
        if self.authenticated {
            write!(f, "signers: every folder is signed by the trusted key")
        } else {
            let mut keys: Vec<&str> = self
                .evidence
                .iter()
                .filter_map(|e| e.manifest.as_ref())
                .map(|m| m.public_key.as_str())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            write!(
                f,
                "signers: NOT authenticated: each folder was checked against the key its own manifest names ({}); give the expected signer's public key file with --pubkey",
                keys.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::evidence::manifest::test_support::{TempDir, evidence_folder, facts, key};
    use crate::evidence::manifest::{MANIFEST_FILE, write_manifest};

    /// One evidence folder: its run and the key that signs it.
    struct Run {
        role: &'static str,
        phase: Option<Phase>,
        finished: &'static str,
        failing: &'static [&'static str],
        key: u8,
    }

    /// A clean run of the seller profile for `phase`, signed by key 1.
    fn seller(phase: Phase, finished: &'static str) -> Run {
        Run {
            role: "seller",
            phase: Some(phase),
            finished,
            failing: &[],
            key: 1,
        }
    }

    fn failing(run: Run, rules: &'static [&'static str]) -> Run {
        Run {
            failing: rules,
            ..run
        }
    }

    /// Writes each run's folder (`ev1`, `ev2`, …) and audits them with key 1 trusted; the
    /// rendering with the temp dir shown as `T`.
    fn audit_runs(runs: Vec<Run>, tamper: impl FnOnce(&Path)) -> (AuditDecision, String) {
        let temp = TempDir::new("audit");
        let dirs: Vec<PathBuf> = runs
            .iter()
            .enumerate()
            .map(|(i, run)| {
                let dir = temp.path().join(format!("ev{}", i + 1));
                let facts = facts(run.role, run.phase, run.finished, run.failing);
                evidence_folder(&dir, &facts, &key(run.key));
                dir
            })
            .collect();
        tamper(temp.path());
        let decision = audit(&dirs, Some(&key(1).verifying_key())).unwrap();
        let text = decision
            .render()
            .replace(&format!("{}/", temp.path().display()), "T/");
        (decision, text)
    }

    /// Audits the runs and compares the decision line.
    fn check(runs: Vec<Run>, expected: &str) -> (AuditDecision, String) {
        let (decision, text) = audit_runs(runs, |_| {});
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("decision: "))
            .unwrap();
        assert_eq!(line, expected, "{text}");
        (decision, text)
    }

    const SET_UP: &str = "phase 1 (set-up of organisation, processes and systems)";
    const INTEGRATION: &str = "phase 2 (integration and acceptance)";
    const PILOT: &str = "phase 3 (pilot)";

    #[test]
    fn a_passed_first_phase_allows_the_next() {
        let (decision, text) = check(
            vec![seller(Phase::SetUp, "2025-03-17T10:00:00Z")],
            &format!("{SET_UP} passed on 2025-03-17; next phase allowed: {INTEGRATION}"),
        );
        assert!(decision.allows_progress());
        assert_eq!(
            text,
            format!(
                "audit of 1 seller evidence folders:\n  \
                 T/ev1: seller, set-up, finished 2025-03-17T10:00:00Z, passed 40 of 40: passed audit of {SET_UP} on 2025-03-17\n\
                 decision: {SET_UP} passed on 2025-03-17; next phase allowed: {INTEGRATION}\n\
                 signers: every folder is signed by the trusted key"
            )
        );
    }

    #[test]
    fn all_phases_passed_give_permission_to_connect() {
        let (decision, _) = check(
            vec![
                seller(Phase::Pilot, "2025-09-26T14:00:00Z"),
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                seller(Phase::Integration, "2025-06-27T10:00:00Z"),
            ],
            "permission to connect: all 3 phases passed, the last on 2025-09-26",
        );
        assert!(decision.allows_progress());
        // Judged in the order the runs finished.
        let order: Vec<&str> = decision
            .evidence
            .iter()
            .map(|e| e.dir.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(order, ["ev2", "ev3", "ev1"]);
    }

    #[test]
    fn a_failed_run_fails_its_phase_until_a_rerun_passes() {
        let (decision, text) = check(
            vec![failing(
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                &["TAP-03", "CARD-02"],
            )],
            &format!(
                "no further phase: {SET_UP} failed its audit on 2025-03-17 (T/ev1: the run failed: seller profile: 38 of 40 scenarios passed, failing CARD-02, TAP-03); a later passing run of the phase is needed"
            ),
        );
        assert!(!decision.allows_progress());
        assert!(
            text.contains("failed 38 of 40 (failing CARD-02, TAP-03): failed audit of"),
            "{text}"
        );
        check(
            vec![
                failing(seller(Phase::SetUp, "2025-03-17T10:00:00Z"), &["TAP-03"]),
                seller(Phase::SetUp, "2025-03-24T10:00:00Z"),
            ],
            &format!("{SET_UP} passed on 2025-03-24; next phase allowed: {INTEGRATION}"),
        );
        // A later phase's failure.
        check(
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                failing(
                    seller(Phase::Integration, "2025-06-27T10:00:00Z"),
                    &["GBO-03"],
                ),
            ],
            &format!(
                "no further phase: {INTEGRATION} failed its audit on 2025-06-27 (T/ev2: the run failed: seller profile: 39 of 40 scenarios passed, failing GBO-03); a later passing run of the phase is needed"
            ),
        );
    }

    #[test]
    fn a_missing_phase_is_named() {
        let (decision, text) = check(
            vec![seller(Phase::Integration, "2025-06-27T10:00:00Z")],
            &format!(
                "no further phase: {SET_UP} has no evidence that counts; certify a run with --phase set-up"
            ),
        );
        assert!(!decision.allows_progress());
        assert!(
            text.contains(&format!(
                "not counted: cannot start {INTEGRATION}: the audit of {SET_UP} has not passed"
            )),
            "{text}"
        );
        // The pilot without integration: set-up passed, integration is next; the pilot's
        // run does not count.
        let (_, text) = check(
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                seller(Phase::Pilot, "2025-09-26T10:00:00Z"),
            ],
            &format!("{SET_UP} passed on 2025-03-17; next phase allowed: {INTEGRATION}"),
        );
        assert!(
            text.contains(&format!(
                "T/ev2: seller, pilot, finished 2025-09-26T10:00:00Z, passed 40 of 40: not counted: cannot start {PILOT}: the audit of {INTEGRATION} has not passed"
            )),
            "{text}"
        );
    }

    #[test]
    fn a_run_before_its_phase_could_start_does_not_count() {
        let (_, text) = check(
            vec![
                seller(Phase::Integration, "2025-03-10T10:00:00Z"),
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
            ],
            &format!("{SET_UP} passed on 2025-03-17; next phase allowed: {INTEGRATION}"),
        );
        assert!(text.contains("T/ev1: seller, integration, finished 2025-03-10T10:00:00Z, passed 40 of 40: not counted: cannot start"), "{text}");
        // A run of a closed phase does not count either, and changes nothing.
        let (_, text) = check(
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                failing(seller(Phase::SetUp, "2025-03-18T10:00:00Z"), &["TAP-03"]),
            ],
            &format!("{SET_UP} passed on 2025-03-17; next phase allowed: {INTEGRATION}"),
        );
        assert!(
            text.contains(&format!(
                "not counted: cannot audit {SET_UP}: its audit passed on 2025-03-17, which closed the phase"
            )),
            "{text}"
        );
    }

    #[test]
    fn the_audit_day_is_the_amsterdam_day_the_run_finished() {
        // 23:30 UTC on 16 March is 00:30 on the 17th in Amsterdam.
        check(
            vec![seller(Phase::SetUp, "2025-03-16T23:30:00Z")],
            &format!("{SET_UP} passed on 2025-03-17; next phase allowed: {INTEGRATION}"),
        );
    }

    #[test]
    fn mixed_roles_are_rejected() {
        let (decision, _) = check(
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                Run {
                    role: "service-provider",
                    ..seller(Phase::Integration, "2025-06-27T10:00:00Z")
                },
            ],
            "rejected: the folders are runs of different roles: seller (T/ev1), service-provider (T/ev2); an onboarding is of one role (ONB-01), so audit each role's folders separately",
        );
        assert!(!decision.allows_progress());
        assert_eq!(decision.role, None);
        assert!(
            decision
                .evidence
                .iter()
                .all(|e| matches!(e.effect, Effect::NotJudged))
        );
    }

    #[test]
    fn a_component_alone_is_rejected() {
        check(
            vec![Run {
                role: "reader",
                ..seller(Phase::SetUp, "2025-03-17T10:00:00Z")
            }],
            "rejected: the runs are of `reader` alone, which is not an onboarding role; certify with --role and one of seller, service-provider, business-card, product-director (the reader is certified within the profile of service-provider)",
        );
    }

    #[test]
    fn a_run_without_a_phase_is_rejected() {
        check(
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                Run {
                    phase: None,
                    ..seller(Phase::SetUp, "2025-03-18T10:00:00Z")
                },
            ],
            "rejected: runs made for no onboarding phase: T/ev2; certify with --phase set-up, --phase integration, --phase pilot",
        );
    }

    #[test]
    fn invalid_evidence_is_rejected() {
        let runs = || {
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                seller(Phase::Integration, "2025-06-27T10:00:00Z"),
            ]
        };
        let (decision, text) = audit_runs(runs(), |temp| {
            fs::write(temp.join("ev2/report.html"), "<html>all green</html>\n").unwrap();
        });
        assert!(!decision.allows_progress());
        assert_eq!(
            decision.conclusion,
            Conclusion::Rejected(Rejection::InvalidEvidence {
                dirs: vec![decision.evidence[1].dir.clone()]
            })
        );
        assert!(
            text.contains("T/ev2: invalid: T/ev2: files changed since signing: report.html"),
            "{text}"
        );
        assert!(
            text.contains("decision: rejected: 1 of the evidence folders did not verify (T/ev2)"),
            "{text}"
        );
        // Signed by a key other than the trusted one.
        let (decision, text) = audit_runs(
            vec![
                seller(Phase::SetUp, "2025-03-17T10:00:00Z"),
                Run {
                    key: 2,
                    ..seller(Phase::Integration, "2025-06-27T10:00:00Z")
                },
            ],
            |_| {},
        );
        assert!(matches!(
            decision.conclusion,
            Conclusion::Rejected(Rejection::InvalidEvidence { .. })
        ));
        assert!(text.contains("not by the trusted key"), "{text}");
        // A manifest re-signed with another key after a change.
        let (decision, _) = audit_runs(runs(), |temp| {
            let dir = temp.join("ev1");
            fs::remove_file(dir.join(MANIFEST_FILE)).unwrap();
            write_manifest(
                &dir,
                &facts("seller", Some(Phase::SetUp), "2025-03-17T10:00:00Z", &[]),
                &key(3),
            )
            .unwrap();
        });
        assert!(matches!(decision.evidence[0].effect, Effect::Invalid(_)));
    }

    #[test]
    fn without_a_trusted_key_the_signers_are_not_authenticated() {
        let temp = TempDir::new("audit-unauthenticated");
        let dir = temp.path().join("ev");
        evidence_folder(
            &dir,
            &facts("seller", Some(Phase::SetUp), "2025-03-17T10:00:00Z", &[]),
            &key(1),
        );
        let decision = audit(std::slice::from_ref(&dir), None).unwrap();
        assert!(decision.allows_progress());
        assert!(!decision.authenticated);
        assert!(
            decision.render().ends_with(&format!(
                "signers: NOT authenticated: each folder was checked against the key its own manifest names ({}); give the expected signer's public key file with --pubkey",
                crate::evidence::signing::public_key_hex(&key(1).verifying_key())
            )),
            "{}",
            decision.render()
        );
    }

    #[test]
    fn a_call_without_folders_is_an_error() {
        assert_eq!(audit(&[], None).unwrap_err(), AuditError::NoEvidence);
        let dir = PathBuf::from("ev");
        assert_eq!(
            audit(&[dir.clone(), dir.clone()], None).unwrap_err(),
            AuditError::SameFolderTwice { dir }
        );
    }
}
