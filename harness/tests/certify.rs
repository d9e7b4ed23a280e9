//! Certification end to end, as an institute and a participant use it: `ovcert keygen`,
//! `ovcert certify` per role against the reference image, `ovcert verify` (and its refusal of
//! a changed byte), declared-absent capabilities, expected failures, and `ovcert audit`.

mod support;

use std::path::{Path, PathBuf};

use support::{Outcome, Server, ovcert, scratch};

fn key(dir: &Path) -> (String, String) {
    let private = dir.join("institute.key");
    let made = ovcert(&["keygen", "--out", private.to_str().unwrap()]);
    assert_eq!(made.code, 0, "{}{}", made.stdout, made.stderr);
    let public = format!("{}.pub", private.display());
    (private.display().to_string(), public)
}

fn certify(key: &str, out: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["certify", "--key", key, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    ovcert(&args)
}

fn image_target() -> String {
    format!(
        "image:{}",
        std::env::var("OVCERT_IMAGE").unwrap_or_else(|_| "ovcert-reference:dev".to_owned())
    )
}

#[test]
fn every_role_is_certified_against_the_reference_image_and_its_evidence_verifies() {
    let dir = scratch("certify-roles");
    let (private, public) = key(&dir);
    let target = image_target();
    for role in [
        "seller",
        "service-provider",
        "business-card",
        "product-director",
    ] {
        let out = dir.join(role);
        let run = certify(&private, &out, &["--role", role, "--target", &target]);
        let verdict = run.stdout.lines().last().unwrap_or_default().to_owned();
        println!("{role}: {verdict}");
        assert_eq!(run.code, 0, "{role}:\n{}{}", run.stdout, run.stderr);
        assert!(verdict.starts_with("CERTIFIED"), "{verdict}");
        for file in [
            "junit.xml",
            "cucumber.json",
            "traceability.json",
            "report.html",
            "requests.log",
            "capabilities.json",
            "manifest.json",
            "manifest.sig",
        ] {
            assert!(out.join(file).is_file(), "{role}: no {file}");
        }
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(
            manifest.contains("sha256:"),
            "the image digest is the SUT's identity"
        );
        let verified = ovcert(&["verify", out.to_str().unwrap(), "--pubkey", &public]);
        assert_eq!(
            verified.code, 0,
            "{role}: {}{}",
            verified.stdout, verified.stderr
        );
        assert!(
            verified.stdout.contains("trusted key"),
            "{}",
            verified.stdout
        );
        let log = std::fs::read_to_string(out.join("requests.log")).unwrap();
        assert!(!regex_like_pan(&log), "{role}: a PAN in requests.log");
    }

    // One flipped byte in any file, an added file, a removed file: not verified.
    let sample = dir.join("seller");
    for file in ["report.html", "junit.xml", "manifest.json", "manifest.sig"] {
        let path = sample.join(file);
        let original = std::fs::read(&path).unwrap();
        let mut flipped = original.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x01;
        std::fs::write(&path, &flipped).unwrap();
        let verified = ovcert(&["verify", sample.to_str().unwrap(), "--pubkey", &public]);
        println!("{file} with one bit flipped: {}", verified.stdout.trim());
        assert_eq!(verified.code, 1, "a changed {file} must not verify");
        std::fs::write(&path, &original).unwrap();
    }
    std::fs::write(sample.join("extra.txt"), "added").unwrap();
    assert_eq!(ovcert(&["verify", sample.to_str().unwrap()]).code, 1);
    std::fs::remove_file(sample.join("extra.txt")).unwrap();
    let removed = std::fs::read(sample.join("requests.log")).unwrap();
    std::fs::remove_file(sample.join("requests.log")).unwrap();
    assert_eq!(ovcert(&["verify", sample.to_str().unwrap()]).code, 1);
    std::fs::write(sample.join("requests.log"), removed).unwrap();
    let (_, other_public) = key(&scratch("certify-other-key"));
    let other = ovcert(&[
        "verify",
        sample.to_str().unwrap(),
        "--pubkey",
        &other_public,
    ]);
    assert_eq!(other.code, 1, "signed by another key: {}", other.stdout);
    assert_eq!(
        ovcert(&["verify", sample.to_str().unwrap(), "--pubkey", &public]).code,
        0,
        "restored, it verifies again"
    );
}

/// 13–19 consecutive digits starting like the suite's bank cards (5413…).
fn regex_like_pan(text: &str) -> bool {
    text.as_bytes()
        .windows(16)
        .any(|w| w.starts_with(b"5413") && w.iter().all(u8::is_ascii_digit))
}

#[test]
fn a_capability_declared_absent_must_be_answered_not_supported() {
    let dir = scratch("certify-capabilities");
    let (private, _) = key(&dir);
    let declaration = dir.join("declaration.toml");
    std::fs::write(
        &declaration,
        "participant = \"Example Readers BV\"\n[capabilities]\noffline-readers = true\nauto-reload = false\nbusiness-cards = true\n",
    )
    .unwrap();
    let declaration = declaration.to_str().unwrap();

    let without = Server::start(&["--without", "auto-reload"]);
    let honest = certify(
        &private,
        &dir.join("honest"),
        &[
            "--role",
            "seller",
            "--target",
            &without.target(),
            "--declaration",
            declaration,
        ],
    );
    drop(without);
    println!(
        "{}",
        honest
            .stdout
            .lines()
            .filter(|l| l.starts_with("capability") || l.contains("CERTIFIED"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(honest.code, 0, "{}{}", honest.stdout, honest.stderr);
    assert!(
        honest
            .stdout
            .contains("capability auto-reload declared absent")
    );
    let record = std::fs::read_to_string(dir.join("honest/capabilities.json")).unwrap();
    assert!(record.contains("\"accepted\": true"), "{record}");

    // The same declaration for a system that does reload automatically is wrong.
    let full = Server::start(&[]);
    let wrong = certify(
        &private,
        &dir.join("wrong"),
        &[
            "--role",
            "seller",
            "--target",
            &full.target(),
            "--declaration",
            declaration,
        ],
    );
    assert_eq!(wrong.code, 1, "{}{}", wrong.stdout, wrong.stderr);
    assert!(
        wrong.stdout.contains("performed the operation"),
        "{}",
        wrong.stdout
    );
}

#[test]
fn known_non_conformances_are_listed_strictly_and_never_in_certification() {
    let dir = scratch("expected-failures");
    let list = dir.join("known.toml");
    std::fs::write(
        &list,
        "[[expected]]\nrule = \"TAP-03\"\nreason = \"anti-passback arrives in the next release\"\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();

    let faulty = Server::start(&["--fault", "no-anti-passback"]);
    let known = ovcert(&[
        "run",
        "--target",
        &faulty.target(),
        "--expected-failures",
        list,
    ]);
    drop(faulty);
    assert_eq!(
        known.code, 0,
        "the listed failures are the only ones:\n{}",
        known.stdout
    );

    let healed = ovcert(&["run", "--target", "in-process", "--expected-failures", list]);
    assert_eq!(healed.code, 1, "a listed failure that passes fails the run");
    assert!(healed.stdout.contains("remove it"), "{}", healed.stdout);

    let (private, _) = key(&dir);
    let refused = certify(
        &private,
        &dir.join("evidence"),
        &["--role", "seller", "--expected-failures", list],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("accepts no expected failures"),
        "{}",
        refused.stderr
    );
}

#[test]
fn three_passed_phases_give_permission_to_connect() {
    let dir = scratch("audit");
    let (private, public) = key(&dir);
    let mut folders: Vec<PathBuf> = Vec::new();
    for phase in ["set-up", "integration", "pilot"] {
        let out = dir.join(phase);
        let run = certify(
            &private,
            &out,
            &["--role", "business-card", "--phase", phase],
        );
        assert_eq!(run.code, 0, "{phase}: {}{}", run.stdout, run.stderr);
        folders.push(out);
        let mut args = vec!["audit", "--pubkey", public.as_str()];
        let paths: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
        args.extend(paths.iter().map(String::as_str));
        let audit = ovcert(&args);
        println!(
            "after {phase}: {}",
            audit.stdout.trim().lines().last().unwrap_or_default()
        );
        assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
        if phase == "pilot" {
            assert!(
                audit.stdout.contains("permission to connect"),
                "{}",
                audit.stdout
            );
        } else {
            assert!(
                !audit.stdout.contains("permission to connect: all"),
                "{}",
                audit.stdout
            );
        }
    }
    // A second evidence folder may not overwrite the first.
    let again = certify(&private, &folders[0], &["--role", "business-card"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
}
