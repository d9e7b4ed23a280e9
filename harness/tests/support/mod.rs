//! Running the `ovcert` binary as a user does: a server in the background, suite runs
//! against targets, and what their `traceability.json` says.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const OVCERT: &str = env!("CARGO_BIN_EXE_ovcert");

/// An `ovcert serve` process, killed when dropped (also when the test fails).
pub struct Server {
    child: Child,
    pub base_url: String,
}

impl Server {
    /// Starts `ovcert serve --listen 127.0.0.1:0 --test-controls ARGS…` (an open local test
    /// lab without `--keys`) and waits for its listening line.
    pub fn start(args: &[&str]) -> Server {
        let mut all = vec!["--test-controls"];
        all.extend_from_slice(args);
        Server::start_with(&all)
    }

    /// Starts `ovcert serve --listen 127.0.0.1:0 ARGS…` (no test controls unless asked for).
    pub fn start_with(args: &[&str]) -> Server {
        let mut child = Command::new(OVCERT)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting ovcert serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the listening line");
        let Some(base_url) = line.trim().strip_prefix("ovcert serve: listening on ") else {
            let status = child.wait().expect("waiting for ovcert serve");
            panic!(
                "unexpected first line of ovcert serve: {line:?} (it ended: {status}; its stderr is above)"
            );
        };
        let base_url = base_url.to_owned();
        Server { child, base_url }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end (after a kill); its exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("waiting for ovcert serve")
    }

    /// SIGKILL, and waits for the process to end.
    pub fn kill(&mut self) {
        self.child.kill().expect("killing ovcert serve");
        self.wait();
    }

    pub fn target(&self) -> String {
        self.base_url.clone()
    }

    /// Sends SIGTERM and waits (at most 10 s) for the process to end; its exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for ovcert serve") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "ovcert serve did not stop within 10 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one `ovcert run` did.
pub struct SuiteRun {
    pub exit_code: i32,
    pub stdout: String,
    pub wall: Duration,
    /// `traceability.json`: rule ID → scenarios, passed, failed, skipped.
    pub traceability: Value,
}

impl SuiteRun {
    /// Scenarios run, summed from the summary line `PASS|FAIL: X of Y scenarios passed`.
    pub fn scenario_counts(&self) -> (usize, usize) {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("PASS: ") || l.starts_with("FAIL: "))
            .unwrap_or_else(|| panic!("no verdict line in:\n{}", self.stdout));
        let words: Vec<&str> = line.split_whitespace().collect();
        (
            words[1].parse().expect("passed count"),
            words[3].parse().expect("total count"),
        )
    }

    /// The `ovcert run: target …, rule set …` line: what the run says it ran against.
    pub fn target_line(&self) -> &str {
        self.stdout
            .lines()
            .find(|l| l.starts_with("ovcert run: target "))
            .unwrap_or("")
    }

    /// Rule IDs with at least one failed scenario.
    pub fn failed_rules(&self) -> Vec<String> {
        self.traceability["rules"]
            .as_object()
            .expect("rules map")
            .iter()
            .filter(|(_, counts)| counts["failed"].as_u64().unwrap_or(0) > 0)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// What a finished `ovcert` command said.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ovcert ARGS…` from the repository root.
pub fn ovcert(args: &[&str]) -> Outcome {
    let output = Command::new(OVCERT)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(args)
        .output()
        .expect("running ovcert");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fresh directory under cargo's temporary directory for integration tests.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    dir
}

/// `ovcert run --target TARGET --out DIR` from the repository root.
pub fn run_suite(target: &str, out: &Path) -> SuiteRun {
    let started = Instant::now();
    let output = Command::new(OVCERT)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["run", "--target", target, "--out"])
        .arg(out)
        .stderr(Stdio::inherit())
        .output()
        .expect("running ovcert run");
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let path = out.join("traceability.json");
    let traceability = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| {
            panic!(
                "ovcert run --target {target} wrote no traceability.json (exit {:?}):\n{stdout}",
                output.status.code()
            )
        });
    SuiteRun {
        exit_code: output.status.code().unwrap_or(-1),
        stdout,
        wall,
        traceability,
    }
}
