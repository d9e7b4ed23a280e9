//! Gherkin tables with named columns, compared with what the system under test answered.

use cucumber::gherkin::Step;

/// Asserts that the step's table — a header row naming columns, then one row per item — equals
/// `items` rendered cell by cell: `cell(index, item, column)` gives the text of a column, or
/// `None` for a column it does not know (listed in `known` for the error message).
pub fn assert_table<T>(
    step: &Step,
    what: &str,
    items: &[T],
    known: &str,
    cell: impl Fn(usize, &T, &str) -> Option<String>,
) {
    let table = step
        .table
        .as_ref()
        .unwrap_or_else(|| panic!("the step needs a table of {what}"));
    let header = &table.rows[0];
    let got: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            header
                .iter()
                .map(|column| {
                    cell(index, item, column)
                        .unwrap_or_else(|| panic!("unknown column `{column}` ({known})"))
                })
                .collect()
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec(), "{what}");
}
