//! `ovcert diff-rules`: the I/O shell around the reference's rule-change comparison
//! (`ovcert_reference::backoffice::rule_diff`): reads the rule sets (full files or overlays),
//! the taps and the card profiles, prints the text report and, with `--out`, writes
//! `diff.json` and `summary.md`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use ovcert_reference::backoffice::replay::{self, Dataset};
use ovcert_reference::backoffice::rule_diff::{RuleDiff, compare};
use ovcert_reference::rules::{self, RuleSet, overlay};

/// What `ovcert diff-rules` was asked.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// `None`: the embedded nl-2024.
    pub old: Option<PathBuf>,
    pub new: PathBuf,
    pub taps: PathBuf,
    /// `None`: no OV-chipkaart profiles (anonymous cards, bank cards).
    pub cards: Option<PathBuf>,
    pub out: Option<PathBuf>,
}

/// Runs the comparison and writes `--out`; the caller prints [`RuleDiff::to_text`]. An error
/// is a usage error (unreadable or invalid input).
pub fn run(options: &DiffOptions) -> anyhow::Result<RuleDiff> {
    let (old, old_name) = match &options.old {
        None => (rules::nl_2024(), overlay::EMBEDDED_BASE.to_string()),
        Some(path) => load_rules(path)?,
    };
    let (new, new_name) = load_rules(&options.new)?;
    let taps_text = read(&options.taps, "taps")?;
    let taps = replay::parse_taps(&taps_text)
        .with_context(|| format!("taps {}", options.taps.display()))?;
    let cards = match &options.cards {
        None => Default::default(),
        Some(path) => replay::parse_cards(&read(path, "card profiles")?)
            .with_context(|| format!("card profiles {}", path.display()))?,
    };
    let dataset = Dataset { taps, cards };
    let diff = compare(&old, &old_name, &new, &new_name, &dataset)
        .context("replaying the taps through the back office")?;
    if let Some(dir) = &options.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (name, text) in [
            ("diff.json", diff.to_json()),
            ("summary.md", diff.to_markdown()),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(diff)
}

fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {what} {}", path.display()))
}

/// A full rule set, or an overlay over the embedded rule set or over another file (relative to
/// the overlay), with the name the outputs show.
fn load_rules(path: &Path) -> anyhow::Result<(RuleSet, String)> {
    let name = path.display().to_string();
    let text = read(path, "rule set")?;
    let Some(layer) = overlay::parse(&name, &text)? else {
        return Ok((rules::load_str(&name, &text)?, name));
    };
    let (base_name, base_text) = if layer.base == overlay::EMBEDDED_BASE {
        (layer.base.clone(), rules::NL_2024_TOML.to_string())
    } else {
        let base = path.parent().unwrap_or(Path::new(".")).join(&layer.base);
        (base.display().to_string(), read(&base, "base rule set")?)
    };
    let rules = layer.apply(&name, &base_name, &base_text)?;
    Ok((rules, format!("{name} (over {base_name})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../golden")
            .join(path)
    }

    #[test]
    fn a_rule_set_against_itself_is_equal() {
        let diff = run(&DiffOptions {
            old: None,
            new: Path::new(env!("CARGO_MANIFEST_DIR")).join("../reference/rules/nl-2024.toml"),
            taps: golden("multi-operator-day/taps.jsonl"),
            cards: Some(golden("multi-operator-day/cards.json")),
            out: None,
        })
        .unwrap();
        assert!(diff.equal, "{}", diff.to_text());
        assert!(diff.parameters.is_empty());
    }

    #[test]
    fn an_overlay_change_is_different() {
        let dir = std::env::temp_dir().join(format!("ovcert-diff-rules-{}", std::process::id()));
        let diff = run(&DiffOptions {
            old: None,
            new: golden("diff-rules/transfer-window-40/new.toml"),
            taps: golden("diff-rules/transfer-window-40/taps.jsonl"),
            cards: Some(golden("diff-rules/transfer-window-40/cards.json")),
            out: Some(dir.clone()),
        })
        .unwrap();
        assert!(!diff.equal);
        let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
        assert!(
            summary.contains("`journey.transfer_window_min`"),
            "{summary}"
        );
        assert!(dir.join("diff.json").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_overlay_names_file_and_field() {
        let dir = std::env::temp_dir().join(format!("ovcert-diff-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let new = dir.join("new.toml");
        std::fs::write(
            &new,
            "[overlay]\nbase = \"nl-2024\"\n[journey]\ntransfer_window_min = \"soon\"\n",
        )
        .unwrap();
        let error = run(&DiffOptions {
            old: None,
            new: new.clone(),
            taps: golden("commuter-week/taps.jsonl"),
            cards: None,
            out: None,
        })
        .unwrap_err();
        let text = format!("{error:#}");
        assert!(
            text.contains("new.toml") && text.contains("journey.transfer_window_min"),
            "{text}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
