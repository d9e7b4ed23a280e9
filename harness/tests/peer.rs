//! The DuckDB peer (`bench/duckdb_peer.py`) and `ovcert replay` agree to the cent on every
//! operator's total of every travel day of a small full-fare week (the DST night included):
//! the CI-sized version of `bench/peer-compare.sh`. It needs Python duckdb in the peer's
//! virtual environment (`bench/install-duckdb.sh`, part of the README's test command) and
//! fails, rather than skips, without it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the harness is inside the workspace")
        .to_path_buf()
}

/// The peer's python, as bench/install-duckdb.sh places it.
fn peer_python() -> PathBuf {
    let venv = std::env::var_os("OVCERT_DUCKDB_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache")
                });
            cache.join("ovcert").join("duckdb-venv")
        });
    let python = venv.join("bin").join("python");
    let importable = Command::new(&python)
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        importable,
        "Python duckdb is not installed for the peer at {}: run bench/install-duckdb.sh \
         (it installs duckdb from PyPI into that virtual environment)",
        python.display()
    );
    python
}

fn ovcert(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_ovcert"))
        .args(args)
        .output()
        .expect("ovcert runs");
    assert!(
        output.status.success(),
        "ovcert {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn duckdb_peer_agrees_with_replay_to_the_cent() {
    let python = peer_python();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("peer-agreement");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = |name: &str| dir.join(name).display().to_string();
    ovcert(&[
        "gen",
        "--seed",
        "11",
        "--taps",
        "20000",
        "--cards",
        "full-fare",
        "--out",
        &path("taps.csv"),
    ]);
    ovcert(&["rule-tables", "--out", &path("tables")]);
    ovcert(&[
        "replay",
        "--taps",
        &path("taps.csv"),
        "--out",
        &path("replay"),
    ]);
    let peer = Command::new(python)
        .arg(repository().join("bench").join("duckdb_peer.py"))
        .args([path("taps.csv"), path("tables"), path("peer.csv")])
        .output()
        .expect("python runs");
    assert!(
        peer.status.success(),
        "the peer failed: {}",
        String::from_utf8_lossy(&peer.stderr)
    );
    let ours = std::fs::read_to_string(dir.join("replay").join("totals.csv")).expect("totals");
    let theirs = std::fs::read_to_string(dir.join("peer.csv")).expect("peer totals");
    assert_eq!(
        ours.lines().count(),
        1 + 7 * 9,
        "7 days × 9 operators:\n{ours}"
    );
    assert!(
        ours.lines().skip(1).any(|l| !l.ends_with(",0")),
        "the week has fares:\n{ours}"
    );
    assert_eq!(
        ours, theirs,
        "ovcert (left) and the DuckDB peer (right) disagree"
    );
}
