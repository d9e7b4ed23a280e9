//! The rule catalogue (harness/catalogue/RULES.md, a copy of the shared catalogue): every rule ID with its text, in catalogue order.

/// The catalogue as committed beside the features.
pub const RULES_MD: &str = include_str!("../catalogue/RULES.md");

/// One rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// "CARD-02".
    pub id: String,
    /// "CARD".
    pub family: String,
    /// The rule's text (continuation lines joined).
    pub text: String,
}

/// Parses `- ID text` items; continuation lines (indented) belong to the item above.
pub fn parse(markdown: &str) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    for line in markdown.lines() {
        if let Some(rest) = line.strip_prefix("- ") {
            let (id, text) = rest.split_once(' ').unwrap_or((rest, ""));
            if let Some((family, number)) = id.split_once('-')
                && !family.is_empty()
                && family.bytes().all(|b| b.is_ascii_uppercase())
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
            {
                rules.push(Rule {
                    id: id.to_string(),
                    family: family.to_string(),
                    text: text.trim().to_string(),
                });
                continue;
            }
        }
        let continuation = line.starts_with("  ") && !line.trim().is_empty();
        if let (true, Some(last)) = (continuation, rules.last_mut()) {
            last.text.push(' ');
            last.text.push_str(line.trim());
        }
    }
    rules
}

/// The committed catalogue.
pub fn rules() -> Vec<Rule> {
    parse(RULES_MD)
}

/// Rule families in catalogue order.
pub fn families(rules: &[Rule]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for rule in rules {
        if !seen.contains(&rule.family) {
            seen.push(rule.family.clone());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_family_and_id_once() {
        let rules = rules();
        assert_eq!(
            families(&rules),
            [
                "CARD", "TAP", "JRN", "FARE", "EMV", "GBO", "SET", "TERM", "FEE", "ONB"
            ]
        );
        let mut ids: Vec<_> = rules.iter().map(|r| r.id.as_str()).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "duplicate rule IDs");
        assert_eq!(rules.iter().filter(|r| r.family == "CARD").count(), 9);
        assert_eq!(rules.iter().filter(|r| r.family == "TAP").count(), 9);
        let card02 = rules.iter().find(|r| r.id == "CARD-02").unwrap();
        assert!(
            card02
                .text
                .contains("a later load first clears the deficit"),
            "{}",
            card02.text
        );
    }

    /// The committed copy must not drift from the shared catalogue when it is present.
    #[test]
    fn committed_catalogue_matches_the_shared_one() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/RULES.md");
        if let Ok(text) = std::fs::read_to_string(&shared) {
            assert_eq!(
                text,
                RULES_MD,
                "harness/catalogue/RULES.md differs from {}",
                shared.display()
            );
        }
    }
}

#[cfg(test)]
mod codemap_tests {
    /// ARCHITECTURE.md must let a newcomer find every rule: each family appears in its rule
    /// index, and every rule with a feature is listed by ID.
    #[test]
    fn architecture_lists_every_rule_family() {
        let text = include_str!("../../ARCHITECTURE.md");
        for rule in super::rules() {
            let listed = text.contains(&format!("| {} |", rule.id))
                || text.lines().any(|l| {
                    l.starts_with('|')
                        && l.contains(&format!("{}-", rule.family))
                        && l.contains("..")
                });
            assert!(
                listed,
                "ARCHITECTURE.md has no codemap line for {}",
                rule.id
            );
        }
        let features = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../features");
        for id in tagged_ids(&features) {
            assert!(
                text.contains(&format!("| {id} |")),
                "{id} has scenarios but no line of its own in ARCHITECTURE.md"
            );
        }
    }

    fn tagged_ids(dir: &std::path::Path) -> Vec<String> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(dir)
            .expect("features directory")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                ids.extend(tagged_ids(&path));
            } else if path.extension().is_some_and(|e| e == "feature") {
                let text = std::fs::read_to_string(&path).expect("readable feature");
                let rules = super::rules();
                ids.extend(
                    text.split_whitespace()
                        .filter_map(|w| w.strip_prefix('@'))
                        .filter(|t| rules.iter().any(|r| r.id == *t))
                        .map(str::to_string),
                );
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }
}
