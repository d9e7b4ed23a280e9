//! Rule-set overlays: a small TOML file with only the keys that change, laid over a base rule
//! set, so a proposed rule change is reviewed as the few lines it is.
//!
//! ```toml
//! [overlay]
//! base = "nl-2024"          # the embedded rule set, or a rule-set file next to this one
//!
//! [journey]
//! transfer_window_min = 40
//!
//! [[base_fares]]            # rows of keyed arrays merge by their key (here `year`)
//! year = 2023
//! normal_cents = 101
//! ```
//!
//! Tables merge key by key. Arrays of tables that have a key field (`base_fares` by `year`,
//! `operators` by `id`, their `services` by `mode`, `products` by `code`, …) merge row by row:
//! an overlay row changes the base row with the same key, a row with a new key is added. Every
//! other value, lists included, replaces the base value. Removing a row takes a full rule set.
//!
//! No I/O: the caller reads both files and passes their texts.

use toml::{Table, Value};

use super::diff::KEYED_ARRAYS;
use super::load::{RuleSetError, load_table};
use super::model::RuleSet;

/// The table that marks a TOML file as an overlay.
pub const OVERLAY_TABLE: &str = "overlay";

/// The name of the embedded rule set as an overlay's `base`.
pub const EMBEDDED_BASE: &str = "nl-2024";

/// A parsed overlay: what it lies over and the keys it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// `overlay.base`: [`EMBEDDED_BASE`] or a rule-set file, relative to the overlay file.
    pub base: String,
    changes: Table,
}

/// The overlay in `text`, or `None` when the text is a full rule set (no `[overlay]` table).
pub fn parse(file: &str, text: &str) -> Result<Option<Overlay>, RuleSetError> {
    let mut table: Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|span| line_column(text, span.start)).unzip();
        problem(file, "", e.message(), line, column)
    })?;
    let Some(header) = table.remove(OVERLAY_TABLE) else {
        return Ok(None);
    };
    let base = header
        .as_table()
        .and_then(|t| t.get("base"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            problem(
                file,
                "overlay.base",
                "an overlay names its base: `base = \"nl-2024\"` or a rule-set file",
                None,
                None,
            )
        })?;
    if let Some(extra) = header
        .as_table()
        .and_then(|t| t.keys().find(|k| *k != "base"))
    {
        return Err(problem(
            file,
            &format!("overlay.{extra}"),
            "unknown field, expected `base`",
            None,
            None,
        ));
    }
    Ok(Some(Overlay {
        base: base.to_string(),
        changes: table,
    }))
}

impl Overlay {
    /// The base rule set (`base_text`, named `base_file`) with the overlay's keys applied,
    /// validated like any rule set. Errors name the overlay file and the field path; they carry
    /// no line or column, which would point into the merged text rather than either file.
    pub fn apply(
        &self,
        file: &str,
        base_file: &str,
        base_text: &str,
    ) -> Result<RuleSet, RuleSetError> {
        let mut merged: Table = toml::from_str(base_text)
            .map_err(|e| problem(base_file, "", e.message(), None, None))?;
        merge_table(&mut merged, &self.changes, "");
        load_table(&format!("{file} (over {base_file})"), merged)
    }
}

fn merge_table(base: &mut Table, changes: &Table, pattern: &str) {
    for (key, change) in changes {
        let path = if pattern.is_empty() {
            key.clone()
        } else {
            format!("{pattern}.{key}")
        };
        match (base.get_mut(key), change) {
            (Some(Value::Table(b)), Value::Table(c)) => merge_table(b, c, &path),
            (Some(Value::Array(b)), Value::Array(c)) => merge_array(b, c, &path),
            _ => {
                base.insert(key.clone(), change.clone());
            }
        }
    }
}

/// Keyed arrays merge row by row; any other array is replaced.
fn merge_array(base: &mut Vec<Value>, changes: &[Value], pattern: &str) {
    let Some(field) = KEYED_ARRAYS
        .iter()
        .find(|(p, _)| *p == pattern)
        .map(|(_, f)| *f)
    else {
        *base = changes.to_vec();
        return;
    };
    let row_pattern = format!("{pattern}[]");
    for change in changes {
        let key = change.get(field);
        let row = key.and_then(|key| base.iter_mut().find(|row| row.get(field) == Some(key)));
        match (row, change) {
            (Some(Value::Table(row)), Value::Table(change)) => {
                merge_table(row, change, &row_pattern)
            }
            _ => base.push(change.clone()),
        }
    }
}

fn problem(
    file: &str,
    field: &str,
    reason: &str,
    line: Option<u32>,
    column: Option<u32>,
) -> RuleSetError {
    RuleSetError {
        file: file.to_string(),
        field: field.to_string(),
        reason: reason.to_string(),
        line,
        column,
        more: Vec::new(),
    }
}

fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{NL_2024_TOML, nl_2024};

    fn apply(text: &str) -> Result<RuleSet, RuleSetError> {
        let overlay = parse("new.toml", text)?.expect("an overlay");
        overlay.apply("new.toml", "nl-2024", NL_2024_TOML)
    }

    #[test]
    fn a_full_rule_set_is_no_overlay() {
        assert_eq!(parse("nl-2024.toml", NL_2024_TOML).unwrap(), None);
    }

    #[test]
    fn an_empty_overlay_is_the_base() {
        assert_eq!(apply("[overlay]\nbase = \"nl-2024\"\n").unwrap(), nl_2024());
    }

    #[test]
    fn keys_and_keyed_rows_merge() {
        let rules = apply(
            "[overlay]\nbase = \"nl-2024\"\n[journey]\ntransfer_window_min = 40\n\
             [[base_fares]]\nyear = 2023\nnormal_cents = 101\n\
             [[operators]]\nid = \"GVB\"\n[[operators.services]]\nmode = \"tram\"\nkm_rate_cents = 1\n",
        )
        .unwrap();
        let mut expected = nl_2024();
        expected.journey.transfer_window_min = 40;
        let row = expected
            .base_fares
            .iter_mut()
            .find(|b| b.year == 2023)
            .unwrap();
        row.normal_cents = crate::money::Cents::new(101);
        let tram = expected
            .operators
            .iter_mut()
            .find(|o| o.id == "GVB")
            .unwrap()
            .services
            .iter_mut()
            .find(|s| s.mode == crate::rules::Mode::Tram)
            .unwrap();
        tram.km_rate_cents = 1;
        assert_eq!(rules, expected);
    }

    #[test]
    fn a_bad_value_is_reported_by_file_and_field() {
        let error = apply("[overlay]\nbase = \"nl-2024\"\n[journey]\ntransfer_window_min = -5\n")
            .unwrap_err();
        assert_eq!(error.file, "new.toml (over nl-2024)");
        assert_eq!(error.field, "journey.transfer_window_min");
        assert_eq!((error.line, error.column), (None, None));
    }

    #[test]
    fn an_overlay_without_base_is_refused() {
        let error = parse(
            "new.toml",
            "[overlay]\n[journey]\ntransfer_window_min = 40\n",
        )
        .unwrap_err();
        assert_eq!(error.field, "overlay.base");
    }
}
