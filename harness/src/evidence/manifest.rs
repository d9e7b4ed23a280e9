//! The signed manifest of an evidence folder: what ran, against what, with which verdict, and
//! the size and sha256 of every file, so that a certification institute can check that a
//! folder is complete and unchanged since the harness wrote it ([`verify`]).
//!
//! # The evidence folder
//!
//! `ovcert certify --role ROLE --target TARGET --key KEYFILE --out DIR [--phase PHASE]` writes:
//!
//! | file | what |
//! |---|---|
//! | `junit.xml`, `cucumber.json` | the scenarios and their steps, for CI tools |
//! | `traceability.json` | per rule ID: scenarios, passed, failed, skipped |
//! | `report.html` | the human-readable report |
//! | `requests.log` | what the harness sent the system under test |
//! | `manifest.json` | this module: the facts of the run and every other file's size and sha256 |
//! | `manifest.sig` | the ed25519 signature over the exact bytes of `manifest.json` |
//!
//! `manifest.json` (pretty JSON, fields in this order, `files` sorted by path):
//!
//! ```json
//! {
//!   "format": "ovcert-evidence",
//!   "format_version": 1,
//!   "suite": { "name": "ovcert", "version": "0.1.0", "commit": "82928b1…" },
//!   "rule_set": { "id": "nl-2024", "sha256": "…" },
//!   "role": "seller",
//!   "phase": "set-up",
//!   "target": "http://127.0.0.1:8080",
//!   "sut": "…",
//!   "started": "2025-03-17T09:00:00Z",
//!   "finished": "2025-03-17T09:12:31Z",
//!   "run": { "verdict": "passed", "scenarios": 40, "passed": 40, "failed": 0, "skipped": 0,
//!            "failing_rules": [] },
//!   "public_key": "…64 hex digits…",
//!   "files": [ { "path": "cucumber.json", "size": 20511, "sha256": "…" }, … ]
//! }
//! ```
//!
//! - `suite.commit`: the git commit the harness was built from, `-dirty` when tracked files
//!   differed from it, `unknown` outside a checkout (`harness/build.rs`).
//! - `rule_set.sha256`: of the rule-set TOML text the run used, so two runs on "nl-2024" with
//!   different parameters are told apart.
//! - `role`: the `--role` name in its canonical form (an onboarding role such as
//!   `service-provider`, or a component such as `reader`); `phase`: an onboarding phase
//!   (`set-up`, `integration`, `pilot`) or `null`.
//! - `target` as given on the command line; `sut`: the identity of the system under test
//!   (an image digest, a URL with the server's own identity).
//! - `started`, `finished`: RFC 3339 in UTC, read by the caller (this module reads no clock).
//! - `run.verdict`: `passed` only when at least one scenario ran and every one passed;
//!   `failing_rules`: the rule IDs of the scenarios that did not pass, sorted.
//! - `public_key`: the ed25519 key that signed; without a trusted key, [`verify`] can only
//!   check the folder against this key, which proves integrity but not who signed.
//! - `files`: every regular file under the folder except `manifest.json` and `manifest.sig`
//!   at its top; subdirectories included, paths relative with `/`. Symbolic links and other
//!   special files are refused, when writing and when verifying: a link could make a listed
//!   name point at content outside the folder.
//!
//! `manifest.sig` holds the 64-byte signature as 128 lowercase hex digits and a newline.
//!
//! The same facts, files and key give the same bytes: nothing here reads a clock or depends
//! on the order a directory lists its entries in.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use ed25519_dalek::Signer as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::signing::{
    Signature, SigningKey, VerifyingKey, from_hex, parse_public_key_hex, public_key_hex, to_hex,
};
use crate::onboarding::{self, Phase, Role};
use crate::runner::RunReport;
use crate::traceability::Outcome;

pub const MANIFEST_FILE: &str = "manifest.json";
pub const SIGNATURE_FILE: &str = "manifest.sig";
/// `format` of every manifest this module writes.
pub const FORMAT: &str = "ovcert-evidence";
/// Raised when a field changes meaning or a required field is added.
pub const FORMAT_VERSION: u32 = 1;
pub const SUITE_NAME: &str = "ovcert";
pub const SUITE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the harness was built from (see `harness/build.rs`).
pub const SOURCE_COMMIT: &str = env!("OVCERT_SOURCE_COMMIT");

/// At most this many files in an evidence folder, and this deep: a folder is a handful of
/// reports; anything far beyond is a mistake (the wrong `--out`) or an attack on the checker.
pub const MAX_FILES: usize = 10_000;
pub const MAX_DEPTH: usize = 16;
/// A manifest of `MAX_FILES` entries stays well below this.
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// A signature file is one line of 128 hex digits.
const MAX_SIGNATURE_BYTES: u64 = 1024;

// ---------------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------------

/// `manifest.json`. Field order is the file's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    pub suite: SuiteInfo,
    pub rule_set: RuleSetInfo,
    /// The canonical `--role` name: an onboarding role's id or a component's name.
    pub role: String,
    /// The onboarding phase's id, if the run was made for one.
    pub phase: Option<String>,
    pub target: String,
    pub sut: String,
    pub started: Timestamp,
    pub finished: Timestamp,
    pub run: RunSummary,
    /// The signing key, hex.
    pub public_key: String,
    /// Every other file of the folder, sorted by path.
    pub files: Vec<FileEntry>,
}

/// The harness that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteInfo {
    pub name: String,
    pub version: String,
    pub commit: String,
}

impl SuiteInfo {
    /// This build of the harness.
    pub fn this_build() -> SuiteInfo {
        SuiteInfo {
            name: SUITE_NAME.into(),
            version: SUITE_VERSION.into(),
            commit: SOURCE_COMMIT.into(),
        }
    }
}

/// The rule set the run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetInfo {
    pub id: String,
    /// sha256 of the rule-set TOML text, hex.
    pub sha256: String,
}

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Passed,
    Failed,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
        })
    }
}

/// The run's verdict and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSummary {
    pub verdict: Verdict,
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Rule IDs of the scenarios that did not pass, sorted, each once.
    pub failing_rules: Vec<String>,
}

impl RunSummary {
    /// The verdict ([`RunReport::passed`]) and counts of a run.
    pub fn from_report(report: &RunReport) -> RunSummary {
        let count = |outcome| {
            report
                .scenarios
                .iter()
                .filter(|s| s.outcome == outcome)
                .count()
        };
        let failing_rules: BTreeSet<&str> = report
            .scenarios
            .iter()
            .filter(|s| s.outcome != Outcome::Passed)
            .flat_map(|s| s.rule_ids(&report.catalogue))
            .collect();
        RunSummary {
            verdict: match report.passed() {
                true => Verdict::Passed,
                false => Verdict::Failed,
            },
            scenarios: report.scenarios.len(),
            passed: count(Outcome::Passed),
            failed: count(Outcome::Failed),
            skipped: count(Outcome::Skipped),
            failing_rules: failing_rules.into_iter().map(str::to_string).collect(),
        }
    }

    /// The same run in the onboarding model's terms, for the role whose profile ran.
    pub fn suite_run(&self, role: Role) -> onboarding::SuiteRun {
        onboarding::SuiteRun {
            role,
            passed: self.passed,
            total: self.scenarios,
            failing_rules: self.failing_rules.iter().cloned().collect(),
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.passed + self.failed + self.skipped != self.scenarios {
            return Err(format!(
                "{} passed + {} failed + {} skipped is not {} scenarios",
                self.passed, self.failed, self.skipped, self.scenarios
            ));
        }
        if self.verdict == Verdict::Passed && (self.scenarios == 0 || self.passed != self.scenarios)
        {
            return Err(format!(
                "verdict passed with {} of {} scenarios passed",
                self.passed, self.scenarios
            ));
        }
        Ok(())
    }
}

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative to the folder, `/`-separated: `report.html`, `attachments/1.txt`.
    pub path: String,
    pub size: u64,
    /// Hex.
    pub sha256: String,
}

impl Manifest {
    /// The exact text of `manifest.json`: pretty JSON and a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serialises");
        text.push('\n');
        text
    }

    /// The onboarding phase, if the manifest names a known one.
    pub fn onboarding_phase(&self) -> Option<Phase> {
        self.phase.as_deref().and_then(|p| Phase::from_str(p).ok())
    }

    /// The onboarding role, if the run was of one (not of a component alone).
    pub fn onboarding_role(&self) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == self.role)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// What the caller knows about the run; the rest of the manifest comes from the folder and
/// this build.
///
/// From a [`RunReport`]: `rule_set_id: report.rule_set`, `sut: report.sut`,
/// `run: RunSummary::from_report(&report)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFacts {
    pub rule_set_id: String,
    /// The rule-set TOML text the run used (the embedded one is
    /// `ovcert_reference::rules::NL_2024_TOML`); the manifest carries its sha256.
    pub rule_set_toml: String,
    /// The `--role` name as given: `seller`, `role:seller`, `Service provider`, `reader`.
    pub role: String,
    pub phase: Option<Phase>,
    /// `--target` as given.
    pub target: String,
    /// The identity of the system under test: image digest or URL.
    pub sut: String,
    /// Written as given, in UTC; a fraction of a second is kept, so round first for a
    /// shorter text.
    pub started: Timestamp,
    pub finished: Timestamp,
    pub run: RunSummary,
}

/// Why a manifest could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot write a manifest: {field}: {reason}")]
    Facts { field: &'static str, reason: String },
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("{}: writing: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// Writes `manifest.json` listing every other file in `dir`, and `manifest.sig`, its
/// signature by `key`. An existing manifest and signature are replaced. Call it last, once
/// every other file of the folder is written and closed.
pub fn write_manifest(
    dir: &Path,
    facts: &ManifestFacts,
    key: &SigningKey,
) -> Result<Manifest, ManifestError> {
    let manifest = build_manifest(dir, facts, &key.verifying_key())?;
    let text = manifest.to_json();
    let signature = key.sign(text.as_bytes());
    let write = |name: &str, content: String| {
        let path = dir.join(name);
        fs::write(&path, content).map_err(|source| ManifestError::Write { path, source })
    };
    write(MANIFEST_FILE, text)?;
    // The signature last: a folder interrupted in between fails verification.
    write(SIGNATURE_FILE, signature_text(&signature))?;
    Ok(manifest)
}

/// The manifest `write_manifest` would write, without writing it.
pub fn build_manifest(
    dir: &Path,
    facts: &ManifestFacts,
    key: &VerifyingKey,
) -> Result<Manifest, ManifestError> {
    let invalid = |field, reason: String| ManifestError::Facts { field, reason };
    let role = canonical_role(&facts.role).map_err(|e| invalid("role", e.to_string()))?;
    for (field, value) in [
        ("rule_set_id", &facts.rule_set_id),
        ("target", &facts.target),
        ("sut", &facts.sut),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(field, "empty".into()));
        }
    }
    if facts.finished < facts.started {
        return Err(invalid(
            "finished",
            format!("{} is before started {}", facts.finished, facts.started),
        ));
    }
    facts.run.check().map_err(|reason| invalid("run", reason))?;
    let mut failing_rules = facts.run.failing_rules.clone();
    failing_rules.sort();
    failing_rules.dedup();
    Ok(Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        suite: SuiteInfo::this_build(),
        rule_set: RuleSetInfo {
            id: facts.rule_set_id.clone(),
            sha256: to_hex(&Sha256::digest(facts.rule_set_toml.as_bytes())),
        },
        role,
        phase: facts.phase.map(|p| p.id().to_string()),
        target: facts.target.clone(),
        sut: facts.sut.clone(),
        started: facts.started,
        finished: facts.finished,
        run: RunSummary {
            failing_rules,
            ..facts.run.clone()
        },
        public_key: public_key_hex(key),
        files: list_files(dir)?,
    })
}

/// `seller`, `@role:Service provider`, `reader` → `seller`, `service-provider`, `reader`.
pub fn canonical_role(name: &str) -> Result<String, onboarding::OnboardingError> {
    onboarding::profile(name)?;
    let bare = name.trim_start_matches('@').trim_start_matches("role:");
    match onboarding::data()
        .components
        .iter()
        .find(|c| c.component == bare)
    {
        Some(component) => Ok(component.component.clone()),
        None => Role::from_str(bare).map(|r| r.id().to_string()),
    }
}

fn signature_text(signature: &Signature) -> String {
    format!("{}\n", to_hex(&signature.to_bytes()))
}

// ---------------------------------------------------------------------------------------------
// The folder's files
// ---------------------------------------------------------------------------------------------

/// A folder that cannot be listed as evidence.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{}: {action}: {source}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    #[error(
        "{}: not a regular file (a symbolic link or a special file); an evidence folder holds regular files and directories only",
        .path.display()
    )]
    NotARegularFile { path: PathBuf },
    #[error("{}: the name is not UTF-8", .path.display())]
    NotUtf8Name { path: PathBuf },
    #[error("{}: more than {limit} files; is this an evidence folder?", .dir.display())]
    TooManyFiles { dir: PathBuf, limit: usize },
    #[error("{}: nested more than {limit} directories deep", .path.display())]
    TooDeep { path: PathBuf, limit: usize },
}

/// Every regular file under `dir` except the manifest and its signature at the top, sorted
/// by path, with size and sha256.
pub fn list_files(dir: &Path) -> Result<Vec<FileEntry>, FolderError> {
    let mut found = BTreeMap::new();
    collect(dir, dir, "", 0, &mut found)?;
    found
        .into_iter()
        .map(|(path, full)| {
            let (size, sha256) = hash_file(&full)?;
            Ok(FileEntry { path, size, sha256 })
        })
        .collect()
}

/// Walks `current` (= `root`/`prefix`) into `found`: relative path → full path.
fn collect(
    root: &Path,
    current: &Path,
    prefix: &str,
    depth: usize,
    found: &mut BTreeMap<String, PathBuf>,
) -> Result<(), FolderError> {
    let io = |path: &Path, action| {
        let path = path.to_path_buf();
        move |source| FolderError::Io {
            path,
            action,
            source,
        }
    };
    if depth > MAX_DEPTH {
        return Err(FolderError::TooDeep {
            path: current.to_path_buf(),
            limit: MAX_DEPTH,
        });
    }
    for entry in fs::read_dir(current).map_err(io(current, "listing"))? {
        let entry = entry.map_err(io(current, "listing"))?;
        let full = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            return Err(FolderError::NotUtf8Name { path: full });
        };
        let relative = format!("{prefix}{name}");
        if depth == 0 && (name == MANIFEST_FILE || name == SIGNATURE_FILE) {
            continue;
        }
        // The entry itself, not what a link points at.
        let kind = entry.file_type().map_err(io(&full, "reading"))?;
        if kind.is_dir() {
            collect(root, &full, &format!("{relative}/"), depth + 1, found)?;
        } else if kind.is_file() {
            if found.len() >= MAX_FILES {
                return Err(FolderError::TooManyFiles {
                    dir: root.to_path_buf(),
                    limit: MAX_FILES,
                });
            }
            found.insert(relative, full);
        } else {
            return Err(FolderError::NotARegularFile { path: full });
        }
    }
    Ok(())
}

/// Size and sha256 (hex) of a file, read in blocks: `requests.log` may be large.
fn hash_file(path: &Path) -> Result<(u64, String), FolderError> {
    let io = |source| FolderError::Io {
        path: path.to_path_buf(),
        action: "reading",
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, to_hex(&hasher.finalize())))
}

// ---------------------------------------------------------------------------------------------
// Verifying
// ---------------------------------------------------------------------------------------------

/// Who signed a verified folder, as far as verification can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The trusted key given to [`verify`].
    Trusted,
    /// The key named in the manifest itself: the folder is intact, but anyone could have
    /// signed it with a key of their own.
    NotAuthenticated,
}

/// An evidence folder that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub signer: Signer,
}

impl fmt::Display for Verified {
    /// Two or three lines: the folder, the run, and who signed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.manifest;
        writeln!(
            f,
            "{}: intact: {} files as listed in {MANIFEST_FILE}, which {SIGNATURE_FILE} signs",
            self.dir.display(),
            m.files.len()
        )?;
        writeln!(
            f,
            "run: role {}, phase {}, rule set {}, {} to {}: {} ({} of {} scenarios passed)",
            m.role,
            m.phase.as_deref().unwrap_or("none"),
            m.rule_set.id,
            m.started,
            m.finished,
            m.run.verdict,
            m.run.passed,
            m.run.scenarios
        )?;
        match self.signer {
            Signer::Trusted => write!(f, "signed by the trusted key {}", m.public_key),
            Signer::NotAuthenticated => write!(
                f,
                "signed by key {}, the key the manifest names itself: the signer is NOT authenticated (anyone can sign a folder with a key of their own); give the expected signer's public key file with --pubkey",
                m.public_key
            ),
        }
    }
}

/// A listed file whose content differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    pub listed: FileEntry,
    pub found: FileEntry,
}

impl fmt::Display for ChangedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.listed.size == self.found.size {
            write!(
                f,
                "{} (same size, {} bytes, but another sha256)",
                self.path, self.found.size
            )
        } else {
            write!(
                f,
                "{} ({} bytes listed, {} found)",
                self.path, self.listed.size, self.found.size
            )
        }
    }
}

/// Why an evidence folder does not verify. Each names the folder and the files concerned.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{}: not a directory", .dir.display())]
    NotADirectory { dir: PathBuf },
    #[error("{}: no {MANIFEST_FILE}; not a signed evidence folder", .dir.display())]
    MissingManifest { dir: PathBuf },
    #[error("{}: no {SIGNATURE_FILE}; the manifest is not signed", .dir.display())]
    MissingSignature { dir: PathBuf },
    #[error("{}: {action}: {source}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    #[error("{}: not a signature: {reason}", .dir.join(SIGNATURE_FILE).display())]
    MalformedSignature { dir: PathBuf, reason: String },
    #[error(
        "{}: not a readable manifest: {reason}; it was altered, or written by another program",
        .dir.join(MANIFEST_FILE).display()
    )]
    UnreadableManifest { dir: PathBuf, reason: String },
    #[error(
        "{}: the signature does not match {MANIFEST_FILE} under key {key}: the manifest or its signature was altered after signing",
        .dir.join(SIGNATURE_FILE).display()
    )]
    BadSignature { dir: PathBuf, key: String },
    #[error(
        "{}: signed by key {signer}, not by the trusted key {trusted}",
        .dir.display()
    )]
    UntrustedSigner {
        dir: PathBuf,
        signer: String,
        trusted: String,
    },
    #[error(
        "{}: format \"{format}\" version {version}; this ovcert reads \"{FORMAT}\" version {FORMAT_VERSION}",
        .dir.join(MANIFEST_FILE).display()
    )]
    UnsupportedFormat {
        dir: PathBuf,
        format: String,
        version: String,
    },
    #[error("{}: {size} bytes, more than the {limit} such a file can have", .path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}: invalid manifest: {reason}", .dir.join(MANIFEST_FILE).display())]
    InvalidManifest { dir: PathBuf, reason: String },
    #[error("{}: files changed since signing: {}", .dir.display(), list(.files))]
    FilesChanged {
        dir: PathBuf,
        files: Vec<ChangedFile>,
    },
    #[error("{}: files added since signing: {}", .dir.display(), list(.files))]
    FilesAdded { dir: PathBuf, files: Vec<String> },
    #[error("{}: files removed since signing: {}", .dir.display(), list(.files))]
    FilesRemoved { dir: PathBuf, files: Vec<String> },
    #[error(
        "{}: the files differ from the manifest: {}",
        .dir.display(), differences(.changed, .added, .removed)
    )]
    FilesDiffer {
        dir: PathBuf,
        changed: Vec<ChangedFile>,
        added: Vec<String>,
        removed: Vec<String>,
    },
    #[error(transparent)]
    Folder(#[from] FolderError),
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn differences(changed: &[ChangedFile], added: &[String], removed: &[String]) -> String {
    [
        ("changed", list(changed)),
        ("added", list(added)),
        ("removed", list(removed)),
    ]
    .into_iter()
    .filter(|(_, files)| !files.is_empty())
    .map(|(what, files)| format!("{what}: {files}"))
    .collect::<Vec<_>>()
    .join("; ")
}

impl VerifyError {
    /// A stable kebab-case name, for tests and scripts.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::NotADirectory { .. } => "not-a-directory",
            VerifyError::MissingManifest { .. } => "missing-manifest",
            VerifyError::MissingSignature { .. } => "missing-signature",
            VerifyError::Io { .. } => "io",
            VerifyError::MalformedSignature { .. } => "malformed-signature",
            VerifyError::UnreadableManifest { .. } => "unreadable-manifest",
            VerifyError::BadSignature { .. } => "bad-signature",
            VerifyError::UntrustedSigner { .. } => "untrusted-signer",
            VerifyError::UnsupportedFormat { .. } => "unsupported-format",
            VerifyError::TooLarge { .. } => "too-large",
            VerifyError::InvalidManifest { .. } => "invalid-manifest",
            VerifyError::FilesChanged { .. } => "files-changed",
            VerifyError::FilesAdded { .. } => "files-added",
            VerifyError::FilesRemoved { .. } => "files-removed",
            VerifyError::FilesDiffer { .. } => "files-differ",
            VerifyError::Folder(_) => "folder",
        }
    }
}

/// Checks an evidence folder: the signature over `manifest.json` (by `trusted_key` when
/// given, else by the key the manifest names, see [`Signer`]), then that the folder holds
/// exactly the listed files with the listed sizes and sha256. Files are never opened by a
/// name the manifest gives: the folder is listed and compared, so a crafted path cannot reach
/// outside it.
pub fn verify(dir: &Path, trusted_key: Option<&VerifyingKey>) -> Result<Verified, VerifyError> {
    let dir_error = |source: io::Error| match source.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => VerifyError::NotADirectory {
            dir: dir.to_path_buf(),
        },
        _ => VerifyError::Io {
            path: dir.to_path_buf(),
            action: "reading",
            source,
        },
    };
    if !fs::metadata(dir).map_err(dir_error)?.is_dir() {
        return Err(VerifyError::NotADirectory {
            dir: dir.to_path_buf(),
        });
    }
    let bytes = read_limited(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES)?.ok_or_else(|| {
        VerifyError::MissingManifest {
            dir: dir.to_path_buf(),
        }
    })?;
    let signature_bytes =
        read_limited(dir, SIGNATURE_FILE, MAX_SIGNATURE_BYTES)?.ok_or_else(|| {
            VerifyError::MissingSignature {
                dir: dir.to_path_buf(),
            }
        })?;
    let signature =
        parse_signature(&signature_bytes).map_err(|reason| VerifyError::MalformedSignature {
            dir: dir.to_path_buf(),
            reason,
        })?;
    let unreadable = |reason: String| VerifyError::UnreadableManifest {
        dir: dir.to_path_buf(),
        reason,
    };
    // Loosely first: the signature is checked before the manifest's shape, so an altered
    // manifest is reported as altered rather than as malformed where possible.
    let loose: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
    let named = loose
        .get("public_key")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| unreadable("no \"public_key\" text".into()))?;
    let named = parse_public_key_hex(named).map_err(|e| unreadable(format!("public_key: {e}")))?;
    if let Some(trusted) = trusted_key
        && trusted != &named
    {
        return Err(VerifyError::UntrustedSigner {
            dir: dir.to_path_buf(),
            signer: public_key_hex(&named),
            trusted: public_key_hex(trusted),
        });
    }
    named
        .verify_strict(&bytes, &signature)
        .map_err(|_| VerifyError::BadSignature {
            dir: dir.to_path_buf(),
            key: public_key_hex(&named),
        })?;
    let manifest = parse_manifest(dir, &loose)?;
    compare_files(dir, &manifest.files)?;
    Ok(Verified {
        dir: dir.to_path_buf(),
        manifest,
        signer: match trusted_key {
            Some(_) => Signer::Trusted,
            None => Signer::NotAuthenticated,
        },
    })
}

/// A signed manifest of a format this build reads, with each path listed once.
fn parse_manifest(dir: &Path, loose: &serde_json::Value) -> Result<Manifest, VerifyError> {
    let field = |name: &str| loose.get(name).map(ToString::to_string);
    let format = field("format").unwrap_or_else(|| "none".into());
    let version = field("format_version").unwrap_or_else(|| "none".into());
    if format != format!("\"{FORMAT}\"") || version != FORMAT_VERSION.to_string() {
        return Err(VerifyError::UnsupportedFormat {
            dir: dir.to_path_buf(),
            format: format.trim_matches('"').to_string(),
            version,
        });
    }
    let manifest = Manifest::deserialize(loose).map_err(|e| VerifyError::UnreadableManifest {
        dir: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut seen = BTreeSet::new();
    if let Some(twice) = manifest.files.iter().find(|f| !seen.insert(&f.path)) {
        return Err(VerifyError::InvalidManifest {
            dir: dir.to_path_buf(),
            reason: format!("{} is listed twice", twice.path),
        });
    }
    Ok(manifest)
}

/// The folder's files against the listed ones.
fn compare_files(dir: &Path, listed: &[FileEntry]) -> Result<(), VerifyError> {
    let found: BTreeMap<String, FileEntry> = list_files(dir)?
        .into_iter()
        .map(|f| (f.path.clone(), f))
        .collect();
    let listed: BTreeMap<&str, &FileEntry> = listed.iter().map(|f| (f.path.as_str(), f)).collect();
    let removed: Vec<String> = listed
        .keys()
        .filter(|path| !found.contains_key(**path))
        .map(|path| path.to_string())
        .collect();
    let added: Vec<String> = found
        .keys()
        .filter(|path| !listed.contains_key(path.as_str()))
        .cloned()
        .collect();
    let changed: Vec<ChangedFile> = listed
        .iter()
        .filter_map(|(path, entry)| {
            let now = found.get(*path)?;
            (now != *entry).then(|| ChangedFile {
                path: path.to_string(),
                listed: (*entry).clone(),
                found: now.clone(),
            })
        })
        .collect();
    let dir = dir.to_path_buf();
    match (changed.is_empty(), added.is_empty(), removed.is_empty()) {
        (true, true, true) => Ok(()),
        (false, true, true) => Err(VerifyError::FilesChanged {
            dir,
            files: changed,
        }),
        (true, false, true) => Err(VerifyError::FilesAdded { dir, files: added }),
        (true, true, false) => Err(VerifyError::FilesRemoved {
            dir,
            files: removed,
        }),
        _ => Err(VerifyError::FilesDiffer {
            dir,
            changed,
            added,
            removed,
        }),
    }
}

/// `dir/name`'s bytes; `None` when it does not exist.
fn read_limited(dir: &Path, name: &str, limit: u64) -> Result<Option<Vec<u8>>, VerifyError> {
    let path = dir.join(name);
    let io = |action| {
        let path = path.clone();
        move |source| VerifyError::Io {
            path,
            action,
            source,
        }
    };
    let metadata = match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        other => other.map_err(io("reading"))?,
    };
    if !metadata.is_file() {
        return Err(FolderError::NotARegularFile { path }.into());
    }
    if metadata.len() > limit {
        return Err(VerifyError::TooLarge {
            path,
            size: metadata.len(),
            limit,
        });
    }
    fs::read(&path).map(Some).map_err(io("reading"))
}

fn parse_signature(bytes: &[u8]) -> Result<Signature, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let bytes = from_hex::<64>(text.trim_end())?;
    Ok(Signature::from_bytes(&bytes))
}

// ---------------------------------------------------------------------------------------------
// Test support (also used by the audit's tests)
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A fresh directory under the system's temp dir, unique per process and call; removed
    /// on drop unless the test failed (so a failure can be inspected).
    pub(crate) struct TempDir(PathBuf);

    impl TempDir {
        pub(crate) fn new(name: &str) -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path =
                std::env::temp_dir().join(format!("ovcert-{name}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }

        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                let _ = fs::remove_dir_all(&self.0);
            }
        }
    }

    /// A fixed signing key per number, so tests are reproducible.
    pub(crate) fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    pub(crate) fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// Facts of a run of `role` for `phase` that finished at `finished`: 40 scenarios, all
    /// passed unless `failing` names rules.
    pub(crate) fn facts(
        role: &str,
        phase: Option<Phase>,
        finished: &str,
        failing: &[&str],
    ) -> ManifestFacts {
        let finished = at(finished);
        let failed = failing.len();
        ManifestFacts {
            rule_set_id: "nl-2024".into(),
            rule_set_toml: ovcert_reference::rules::NL_2024_TOML.into(),
            role: role.into(),
            phase,
            target: "http://127.0.0.1:8080".into(),
            sut: "participant test system 1.4".into(),
            started: finished - jiff::SignedDuration::from_mins(12),
            finished,
            run: RunSummary {
                verdict: match failed {
                    0 => Verdict::Passed,
                    _ => Verdict::Failed,
                },
                scenarios: 40,
                passed: 40 - failed,
                failed,
                skipped: 0,
                failing_rules: failing.iter().map(|r| r.to_string()).collect(),
            },
        }
    }

    /// Writes the reports of an evidence folder (fixed contents) and signs it.
    pub(crate) fn evidence_folder(dir: &Path, facts: &ManifestFacts, key: &SigningKey) {
        fs::create_dir_all(dir.join("attachments")).unwrap();
        for (name, content) in [
            ("junit.xml", "<testsuites tests=\"40\"/>\n"),
            ("cucumber.json", "[]\n"),
            ("traceability.json", "{\"rules\":{}}\n"),
            ("report.html", "<html><body>report</body></html>\n"),
            ("requests.log", "POST /v1/cards\n"),
            ("attachments/scenario-1.txt", "a step's output\n"),
        ] {
            fs::write(dir.join(name), content).unwrap();
        }
        write_manifest(dir, facts, key).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    fn folder(temp: &TempDir) -> PathBuf {
        let dir = temp.path().join("evidence");
        evidence_folder(
            &dir,
            &facts("seller", Some(Phase::SetUp), "2025-03-17T10:00:00Z", &[]),
            &key(1),
        );
        dir
    }

    #[test]
    fn the_manifest_lists_every_other_file_and_is_deterministic() {
        let temp = TempDir::new("manifest");
        let dir = folder(&temp);
        let text = fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap();
        let manifest: Manifest = serde_json::from_str(&text).unwrap();
        let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "attachments/scenario-1.txt",
                "cucumber.json",
                "junit.xml",
                "report.html",
                "requests.log",
                "traceability.json"
            ]
        );
        let cucumber = &manifest.files[1];
        assert_eq!(cucumber.size, 3);
        // sha256 of "[]\n", as `sha256sum` prints it.
        assert_eq!(
            cucumber.sha256,
            "37517e5f3dc66819f61f5a7bb8ace1921282415f10551d2defa5c3eb0985b570"
        );
        assert_eq!(manifest.role, "seller");
        assert_eq!(manifest.phase.as_deref(), Some("set-up"));
        assert_eq!(manifest.started.to_string(), "2025-03-17T09:48:00Z");
        assert_eq!(manifest.suite, SuiteInfo::this_build());
        assert_eq!(
            manifest.rule_set.sha256,
            to_hex(&Sha256::digest(ovcert_reference::rules::NL_2024_TOML))
        );
        assert_eq!(manifest.public_key, public_key_hex(&key(1).verifying_key()));
        assert_eq!(manifest.to_json(), text);
        // Field order is part of the format.
        let keys: Vec<usize> = [
            "\"format\"",
            "\"format_version\"",
            "\"suite\"",
            "\"rule_set\"",
            "\"role\"",
            "\"phase\"",
            "\"target\"",
            "\"sut\"",
            "\"started\"",
            "\"finished\"",
            "\"run\"",
            "\"public_key\"",
            "\"files\"",
        ]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
        assert!(keys.is_sorted(), "{text}");
        // Writing again gives the same bytes, signature included (ed25519 is deterministic).
        let signature = fs::read(dir.join(SIGNATURE_FILE)).unwrap();
        write_manifest(
            &dir,
            &facts("seller", Some(Phase::SetUp), "2025-03-17T10:00:00Z", &[]),
            &key(1),
        )
        .unwrap();
        assert_eq!(fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap(), text);
        assert_eq!(fs::read(dir.join(SIGNATURE_FILE)).unwrap(), signature);
    }

    #[test]
    fn facts_are_checked() {
        let temp = TempDir::new("facts");
        let check = |change: fn(&mut ManifestFacts), expected: &str| {
            let mut f = facts("seller", None, "2025-03-17T10:00:00Z", &[]);
            change(&mut f);
            let e = write_manifest(temp.path(), &f, &key(1)).unwrap_err();
            assert_eq!(e.to_string(), expected);
        };
        check(
            |f| f.role = "driver".into(),
            "cannot write a manifest: role: unknown role `driver`: expected one of seller, service-provider, business-card, product-director, reader, backoffice",
        );
        check(
            |f| f.started = at("2025-03-17T10:00:01Z"),
            "cannot write a manifest: finished: 2025-03-17T10:00:00Z is before started 2025-03-17T10:00:01Z",
        );
        check(
            |f| f.sut = " ".into(),
            "cannot write a manifest: sut: empty",
        );
        check(
            |f| f.run.passed = 39,
            "cannot write a manifest: run: 39 passed + 0 failed + 0 skipped is not 40 scenarios",
        );
        check(
            |f| {
                f.run.passed = 39;
                f.run.skipped = 1;
            },
            "cannot write a manifest: run: verdict passed with 39 of 40 scenarios passed",
        );
        assert!(!temp.path().join(MANIFEST_FILE).exists());
    }

    #[test]
    fn a_run_report_is_summarised() {
        use crate::traceability::ScenarioRecord;
        let record = |tags: &[&str], outcome| ScenarioRecord {
            feature: "f".into(),
            scenario: "s".into(),
            line: 1,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            outcome,
            failure: None,
            timeline: None,
        };
        let mut report = RunReport {
            sut: "in-process".into(),
            rule_set: "nl-2024".into(),
            scenarios: vec![
                record(&["TAP-03", "role:reader"], Outcome::Failed),
                record(&["CARD-02", "role:seller"], Outcome::Passed),
                record(&["TAP-03", "GBO-03"], Outcome::Skipped),
            ],
            catalogue: crate::catalogue::rules(),
            execution_failed: false,
            expected: None,
        };
        assert_eq!(
            RunSummary::from_report(&report),
            RunSummary {
                verdict: Verdict::Failed,
                scenarios: 3,
                passed: 1,
                failed: 1,
                skipped: 1,
                failing_rules: vec!["GBO-03".into(), "TAP-03".into()],
            }
        );
        report.scenarios.truncate(2);
        report.scenarios[0].outcome = Outcome::Passed;
        assert_eq!(RunSummary::from_report(&report).verdict, Verdict::Passed);
        // Cucumber's own failure (a hook, a parse error) fails the run with every scenario
        // passed.
        report.execution_failed = true;
        let summary = RunSummary::from_report(&report);
        assert_eq!((summary.verdict, summary.passed), (Verdict::Failed, 2));
        assert_eq!(
            summary.suite_run(Role::Seller),
            onboarding::SuiteRun::clean(Role::Seller, 2)
        );
    }

    #[test]
    fn roles_are_written_canonically() {
        for (given, written) in [
            ("seller", "seller"),
            ("@role:service-provider", "service-provider"),
            ("Business-card provider", "business-card"),
            ("reader", "reader"),
            ("role:backoffice", "backoffice"),
        ] {
            assert_eq!(canonical_role(given).unwrap(), written);
        }
    }

    #[test]
    fn a_symbolic_link_is_refused() {
        #[cfg(unix)]
        {
            let temp = TempDir::new("symlink");
            let dir = folder(&temp);
            std::os::unix::fs::symlink("/etc/hostname", dir.join("link")).unwrap();
            let e = verify(&dir, None).unwrap_err();
            assert_eq!(e.kind(), "folder", "{e}");
            assert!(e.to_string().contains("not a regular file"), "{e}");
            let e = write_manifest(
                &dir,
                &facts("seller", None, "2025-03-17T10:00:00Z", &[]),
                &key(1),
            )
            .unwrap_err();
            assert!(e.to_string().contains("link: not a regular file"), "{e}");
        }
    }

    /// Builds a signed folder, changes it with `tamper`, and verifies it with key 1 trusted
    /// (or no trusted key); the error kind and text, or "ok".
    fn check(trusted: Option<u8>, tamper: impl FnOnce(&Path), expected: (&str, &str)) {
        let temp = TempDir::new("verify");
        let dir = folder(&temp);
        tamper(&dir);
        let trusted = trusted.map(|n| key(n).verifying_key());
        let got = match verify(&dir, trusted.as_ref()) {
            Ok(verified) => {
                assert_eq!(verified.manifest.files.len(), 6);
                ("ok", verified.to_string())
            }
            Err(e) => (e.kind(), e.to_string()),
        };
        let got = (got.0, got.1.replace(&dir.display().to_string(), "DIR"));
        assert!(
            got.0 == expected.0 && got.1.contains(expected.1),
            "expected {expected:?}, got {got:?}"
        );
    }

    /// Flips the lowest bit of byte `at` of `dir/name`.
    fn flip(dir: &Path, name: &str, at: usize) {
        let path = dir.join(name);
        let mut bytes = fs::read(&path).unwrap();
        bytes[at] ^= 1;
        fs::write(&path, bytes).unwrap();
    }

    /// The position of `needle` in `dir/name`.
    fn position(dir: &Path, name: &str, needle: &str) -> usize {
        fs::read_to_string(dir.join(name))
            .unwrap()
            .find(needle)
            .unwrap()
    }

    #[test]
    fn an_untouched_folder_verifies() {
        check(Some(1), |_| {}, ("ok", "signed by the trusted key"));
        check(
            None,
            |_| {},
            ("ok", "the signer is NOT authenticated (anyone can sign"),
        );
    }

    #[test]
    fn a_changed_byte_in_any_file_fails() {
        for name in ["junit.xml", "requests.log", "attachments/scenario-1.txt"] {
            check(
                Some(1),
                |dir| flip(dir, name, 0),
                (
                    "files-changed",
                    &format!("DIR: files changed since signing: {name} (same size"),
                ),
            );
        }
        check(
            Some(1),
            |dir| fs::write(dir.join("report.html"), "<html></html>\n").unwrap(),
            ("files-changed", "report.html (33 bytes listed, 14 found)"),
        );
        // A byte of the manifest: the role "seller" becomes "sdller".
        let role = |dir: &Path| position(dir, MANIFEST_FILE, "\"seller\"") + 2;
        check(
            Some(1),
            |dir| flip(dir, MANIFEST_FILE, role(dir)),
            (
                "bad-signature",
                "the signature does not match manifest.json",
            ),
        );
        check(
            None,
            |dir| flip(dir, MANIFEST_FILE, role(dir)),
            ("bad-signature", "was altered after signing"),
        );
        // A byte of the manifest that breaks its JSON.
        check(
            None,
            |dir| flip(dir, MANIFEST_FILE, 0),
            (
                "unreadable-manifest",
                "manifest.json: not a readable manifest",
            ),
        );
        // A byte of the signature: '0'..'9' stay hex digits when flipped.
        let digit = |dir: &Path| {
            fs::read(dir.join(SIGNATURE_FILE))
                .unwrap()
                .iter()
                .position(u8::is_ascii_digit)
                .unwrap()
        };
        check(
            Some(1),
            |dir| flip(dir, SIGNATURE_FILE, digit(dir)),
            (
                "bad-signature",
                "manifest.sig: the signature does not match",
            ),
        );
        check(
            Some(1),
            |dir| fs::write(dir.join(SIGNATURE_FILE), "not hex\n").unwrap(),
            (
                "malformed-signature",
                "manifest.sig: not a signature: expected 128 hex digits (64 bytes), got 7 characters",
            ),
        );
    }

    #[test]
    fn an_added_file_fails() {
        check(
            Some(1),
            |dir| fs::write(dir.join("extra.txt"), "x").unwrap(),
            ("files-added", "DIR: files added since signing: extra.txt"),
        );
        check(
            Some(1),
            |dir| {
                fs::create_dir(dir.join("more")).unwrap();
                fs::write(dir.join("more/a"), "").unwrap();
                fs::write(dir.join("more/b"), "").unwrap();
            },
            ("files-added", "files added since signing: more/a, more/b"),
        );
    }

    #[test]
    fn a_removed_file_fails() {
        check(
            Some(1),
            |dir| fs::remove_file(dir.join("cucumber.json")).unwrap(),
            (
                "files-removed",
                "DIR: files removed since signing: cucumber.json",
            ),
        );
        check(
            Some(1),
            |dir| fs::remove_file(dir.join(MANIFEST_FILE)).unwrap(),
            ("missing-manifest", "DIR: no manifest.json"),
        );
        check(
            Some(1),
            |dir| fs::remove_file(dir.join(SIGNATURE_FILE)).unwrap(),
            (
                "missing-signature",
                "DIR: no manifest.sig; the manifest is not signed",
            ),
        );
    }

    #[test]
    fn several_differences_are_reported_together() {
        check(
            Some(1),
            |dir| {
                fs::rename(dir.join("junit.xml"), dir.join("junit2.xml")).unwrap();
                flip(dir, "requests.log", 3);
            },
            (
                "files-differ",
                "DIR: the files differ from the manifest: changed: requests.log (same size, 15 bytes, but another sha256); added: junit2.xml; removed: junit.xml",
            ),
        );
    }

    #[test]
    fn another_key_fails() {
        check(
            Some(2),
            |_| {},
            (
                "untrusted-signer",
                &format!(
                    "DIR: signed by key {}, not by the trusted key {}",
                    public_key_hex(&key(1).verifying_key()),
                    public_key_hex(&key(2).verifying_key())
                ),
            ),
        );
        // Re-signed with another key after a change: intact for that key, but not trusted.
        let resign = |dir: &Path| {
            fs::write(dir.join("junit.xml"), "<testsuites tests=\"41\"/>\n").unwrap();
            write_manifest(
                dir,
                &facts("seller", Some(Phase::SetUp), "2025-03-17T10:00:00Z", &[]),
                &key(3),
            )
            .unwrap();
        };
        check(
            Some(1),
            resign,
            ("untrusted-signer", "not by the trusted key"),
        );
        check(None, resign, ("ok", "NOT authenticated"));
        // The manifest claims the trusted key, but another key signed it.
        let claim = |dir: &Path| {
            let text = fs::read_to_string(dir.join(MANIFEST_FILE))
                .unwrap()
                .replace(
                    &public_key_hex(&key(1).verifying_key()),
                    &public_key_hex(&key(2).verifying_key()),
                );
            fs::write(dir.join(MANIFEST_FILE), text).unwrap();
        };
        check(Some(2), claim, ("bad-signature", "under key"));
    }

    #[test]
    fn a_listed_path_outside_the_folder_is_never_read() {
        // A manifest signed by the trusted key that lists a file beside the folder, with that
        // file's true size and hash: had verify opened listed names, it would pass.
        let outside = |dir: &Path| {
            let secret = dir.parent().unwrap().join("secret");
            fs::write(&secret, "beside the folder\n").unwrap();
            let mut manifest: Manifest =
                serde_json::from_slice(&fs::read(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
            let (size, sha256) = hash_file(&secret).unwrap();
            manifest.files.insert(
                0,
                FileEntry {
                    path: "../secret".into(),
                    size,
                    sha256,
                },
            );
            let text = manifest.to_json();
            fs::write(dir.join(MANIFEST_FILE), &text).unwrap();
            let signature = key(1).sign(text.as_bytes());
            fs::write(dir.join(SIGNATURE_FILE), signature_text(&signature)).unwrap();
        };
        check(
            Some(1),
            outside,
            ("files-removed", "files removed since signing: ../secret"),
        );
        check(
            Some(1),
            |dir| fs::write(dir.join(SIGNATURE_FILE), "0".repeat(2000)).unwrap(),
            ("too-large", "manifest.sig: 2000 bytes, more than the 1024"),
        );
    }

    #[test]
    fn a_missing_folder_is_named() {
        let temp = TempDir::new("missing");
        let e = verify(&temp.path().join("nope"), None).unwrap_err();
        assert_eq!(e.kind(), "not-a-directory");
        assert!(e.to_string().ends_with("nope: not a directory"), "{e}");
    }
}
