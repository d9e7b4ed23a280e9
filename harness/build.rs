//! Embeds the git commit the harness is built from as `OVCERT_SOURCE_COMMIT`, for evidence
//! manifests: `git rev-parse HEAD`, with `-dirty` when tracked files differ from it, or
//! `unknown` when there is no git or no checkout (a source archive). `OVCERT_SOURCE_COMMIT`
//! set in the build's environment wins: such a build may know its commit when git does not.
//!
//! No network and no build dependencies: one or two `git` processes per run of this script.

use std::path::Path;
use std::process::Command;

const VAR: &str = "OVCERT_SOURCE_COMMIT";

fn main() {
    println!("cargo:rerun-if-env-changed={VAR}");
    // Sources compiled into the harness: a change there rebuilds the harness anyway, so
    // re-checking the dirty marker then costs nothing. The features are read at run time and
    // are left out, so editing one does not rebuild the harness; the marker covers them as
    // of the last build.
    for path in [
        "build.rs",
        "Cargo.toml",
        "src",
        "onboarding.toml",
        "catalogue",
        "../reference",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    let commit = match std::env::var(VAR) {
        Ok(given) if !given.trim().is_empty() => given.trim().to_string(),
        _ => from_git().unwrap_or_else(|| "unknown".to_string()),
    };
    println!("cargo:rustc-env={VAR}={commit}");
}

fn from_git() -> Option<String> {
    let head = git(&["rev-parse", "--verify", "HEAD"])?;
    watch_git_state();
    // `--no-optional-locks`: status would otherwise refresh the index, whose new mtime would
    // make the next build run this script again.
    let changes = git(&[
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=no",
    ]);
    Some(match changes {
        Some(changes) if changes.is_empty() => head,
        // Unknown state counts as dirty: a clean claim must be true.
        _ => format!("{head}-dirty"),
    })
}

/// Re-run when the commit or the staged state changes: HEAD (per worktree), the branch it
/// points at (a loose ref or packed-refs), and the index.
fn watch_git_state() {
    let mut files = vec![
        "HEAD".to_string(),
        "index".to_string(),
        "packed-refs".to_string(),
    ];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        files.push(branch);
    }
    for file in files {
        // Relative results are relative to this package's directory, as cargo reads them.
        if let Some(path) = git(&["rev-parse", "--git-path", &file])
            && Path::new(&path).exists()
        {
            // A path that does not exist would make cargo run this script on every build.
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// `git ARGS` in this package's directory: its trimmed output, or `None` on any failure.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout)
        .ok()
        .map(|s| s.trim().to_string())
}
