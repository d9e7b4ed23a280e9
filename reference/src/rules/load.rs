//! Rule-set loading: parses a rule-set TOML text into a [`RuleSet`] and validates it.
//!
//! No I/O: the caller reads the file and passes its name (for messages) and text. Every
//! problem is reported as file, field path (`operators[3].services[0].boarding_fee_cents`) and
//! reason, with the line and column of the offending value. Syntax and type errors stop at the
//! first problem; semantic validation collects all problems and reports them in document order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::model::*;
use crate::money::Cents;

/// A problem in a rule-set file: where (file, field path, line and column) and what.
///
/// When validation finds several problems, the first in document order is in the fields and
/// the others are in `more`, also in document order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {reason}")]
pub struct RuleSetError {
    pub file: String,
    /// Path of the field, e.g. `card.max_load_cents` or `network.links[4].to`; for a syntax
    /// error the enclosing table and key as far as they can be read.
    pub field: String,
    pub reason: String,
    /// 1-based line of the offending value (or of its table when the field is missing).
    pub line: Option<u32>,
    /// 1-based column, in characters.
    pub column: Option<u32>,
    /// Further problems found by validation, in document order after this one.
    pub more: Vec<RuleSetError>,
}

/// Parses and validates a rule set. `file` only names the text in error messages.
pub fn load_str(file: &str, text: &str) -> Result<RuleSet, RuleSetError> {
    let tree = DeTable::parse(text).map_err(|e| syntax_error(file, text, &e))?;
    let index = SpanIndex::new(tree);
    let rules: RuleSet = toml::from_str(text).map_err(|e| type_error(file, text, &index, &e))?;
    let problems = validate(&rules);
    if problems.is_empty() {
        return Ok(rules);
    }
    Err(report(file, text, &index, problems))
}

/// Parses and validates a rule set given as a TOML value tree rather than a text (an overlay
/// merged onto its base, `super::overlay`). Problems are reported by file, field path and
/// reason; there is no text for a line or column to point into.
pub(crate) fn load_table(file: &str, table: toml::Table) -> Result<RuleSet, RuleSetError> {
    let unplaced = |field: String, reason: String| RuleSetError {
        file: file.to_string(),
        field,
        reason,
        line: None,
        column: None,
        more: Vec::new(),
    };
    let rules: RuleSet = table
        .try_into()
        .map_err(|e: toml::de::Error| unplaced(keys_of(&e), e.message().trim().to_string()))?;
    let mut errors = validate(&rules)
        .into_iter()
        .map(|p| unplaced(p.field, p.reason));
    match errors.next() {
        None => Ok(rules),
        Some(mut first) => {
            first.more = errors.collect();
            Err(first)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Locating errors: TOML spans ⇄ field paths.

/// Every key and value of the document with its span, addressed by field path.
struct SpanIndex {
    entries: Vec<SpanEntry>,
}

struct SpanEntry {
    path: String,
    depth: usize,
    key: Option<Range<usize>>,
    value: Range<usize>,
    /// A TOML date-time literal, which the model never accepts (it wants strings).
    datetime: bool,
}

impl SpanIndex {
    fn new(root: Spanned<DeTable<'_>>) -> SpanIndex {
        let mut entries = Vec::new();
        let span = root.span();
        let root = Spanned::new(span, DeValue::Table(root.into_inner()));
        collect(&root, String::new(), 0, None, &mut entries);
        SpanIndex { entries }
    }

    /// The deepest field whose key or value covers `offset`.
    fn path_at(&self, offset: usize) -> &str {
        let covers = |r: &Range<usize>| r.contains(&offset) || (r.is_empty() && r.start == offset);
        self.entries
            .iter()
            .filter(|e| covers(&e.value) || e.key.as_ref().is_some_and(covers))
            .max_by_key(|e| e.depth)
            .map_or("", |e| e.path.as_str())
    }

    fn is_datetime(&self, path: &str) -> bool {
        self.entries.iter().any(|e| e.path == path && e.datetime)
    }

    /// The byte offset of a field's value, or of its nearest existing parent.
    fn offset_of(&self, path: &str) -> usize {
        let mut path = path;
        loop {
            if let Some(entry) = self.entries.iter().find(|e| e.path == path) {
                return entry.value.start;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return 0,
            }
        }
    }
}

fn collect(
    value: &Spanned<DeValue<'_>>,
    path: String,
    depth: usize,
    key: Option<Range<usize>>,
    out: &mut Vec<SpanEntry>,
) {
    match value.get_ref() {
        DeValue::Table(table) => {
            for (k, v) in table.iter() {
                let child = join(&path, k.get_ref());
                collect(v, child, depth + 1, Some(k.span()), out);
            }
        }
        DeValue::Array(array) => {
            for (i, v) in array.iter().enumerate() {
                collect(v, format!("{path}[{i}]"), depth + 1, None, out);
            }
        }
        _ => {}
    }
    let datetime = matches!(value.get_ref(), DeValue::Datetime(_));
    out.push(SpanEntry {
        path,
        depth,
        key,
        value: value.span(),
        datetime,
    });
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (to_u32(line), to_u32(column))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn error_at(
    file: &str,
    text: &str,
    field: String,
    reason: String,
    offset: Option<usize>,
) -> RuleSetError {
    let (line, column) = match offset {
        Some(offset) => {
            let (l, c) = line_column(text, offset);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    RuleSetError {
        file: file.to_string(),
        field,
        reason,
        line,
        column,
        more: Vec::new(),
    }
}

/// The text is not TOML. The field is read from the table headers above the error.
fn syntax_error(file: &str, text: &str, error: &toml::de::Error) -> RuleSetError {
    let offset = error.span().map_or(0, |s| s.start);
    let (line, column) = line_column(text, offset);
    let reason = format!(
        "invalid TOML at line {line}, column {column}: {}",
        error.message().trim()
    );
    error_at(
        file,
        text,
        path_from_headers(text, offset),
        reason,
        Some(offset),
    )
}

/// The text is TOML but does not fit the model: a missing, unknown or mistyped field.
fn type_error(file: &str, text: &str, index: &SpanIndex, error: &toml::de::Error) -> RuleSetError {
    let mut message = error.message().trim().to_string();
    let offset = error.span().map(|s| s.start);
    let mut field = match offset {
        Some(offset) => index.path_at(offset).to_string(),
        None => keys_of(error),
    };
    if let Some(missing) = quoted_after(&message, "missing field ") {
        field = join(&field, missing);
    } else if index.is_datetime(&field) {
        message.push_str(" (write dates and times as quoted strings: \"2024-01-01\", \"03:05\")");
    }
    error_at(file, text, field, message, offset)
}

/// The dotted key path toml records for an error (without array indices).
fn keys_of(error: &toml::de::Error) -> String {
    let mut bare = error.clone();
    bare.set_input(None);
    let rendered = bare.to_string();
    rendered
        .lines()
        .find_map(|l| l.strip_prefix("in `").and_then(|l| l.strip_suffix('`')))
        .unwrap_or_default()
        .to_string()
}

/// `missing field `x`` → `x`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split('`').next()
}

/// The field path of `offset` as far as plain text shows it: the last table header before it
/// (with array-of-tables indices) and the key on the last key line.
fn path_from_headers(text: &str, offset: usize) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut header = String::new();
    let mut key: Option<&str> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if start > offset {
            break;
        }
        start += line.len();
        let trimmed = line.trim();
        if let Some(name) = trimmed
            .strip_prefix("[[")
            .and_then(|t| t.split("]]").next())
            && is_header_name(name)
        {
            let name = name.trim().to_string();
            counts.retain(|k, _| !k.starts_with(&format!("{name}.")));
            *counts.entry(name.clone()).or_default() += 1;
            header = render_header(&name, &counts);
            key = None;
        } else if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.split(']').next())
            && is_header_name(name)
        {
            header = render_header(name.trim(), &counts);
            key = None;
        } else if trimmed.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '"')
            && let Some((k, _)) = trimmed.split_once('=')
        {
            key = Some(k.trim());
        }
    }
    match key {
        Some(k) => join(&header, k),
        None => header,
    }
}

/// A table header names keys, so `[1, 2]` at the start of a line inside an array is not one.
fn is_header_name(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"'))
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

fn render_header(name: &str, counts: &BTreeMap<String, usize>) -> String {
    let mut prefix = String::new();
    let mut out = String::new();
    for segment in name.split('.').map(str::trim) {
        prefix = join(&prefix, segment);
        out = join(&out, segment);
        if let Some(n) = counts.get(&prefix) {
            out.push_str(&format!("[{}]", n - 1));
        }
    }
    out
}

/// Sorts problems into document order; the first becomes the error, the rest go to `more`.
fn report(file: &str, text: &str, index: &SpanIndex, problems: Vec<Problem>) -> RuleSetError {
    let mut located: Vec<(usize, Problem)> = problems
        .into_iter()
        .map(|p| (index.offset_of(&p.field), p))
        .collect();
    located.sort_by_key(|(offset, _)| *offset);
    let mut errors = located
        .into_iter()
        .map(|(offset, p)| error_at(file, text, p.field, p.reason, Some(offset)));
    let mut first = errors
        .next()
        .expect("report is called with at least one problem");
    first.more = errors.collect();
    first
}

// ---------------------------------------------------------------------------------------------
// Semantic validation.

struct Problem {
    field: String,
    reason: String,
}

/// Every semantic problem of a rule set that deserialized; empty when it is valid.
fn validate(rules: &RuleSet) -> Vec<Problem> {
    let mut check = Check::new(rules);
    check.meta(rules);
    check.card(&rules.card);
    check.reader(&rules.reader);
    check.journey(&rules.journey);
    check.peak(&rules.peak);
    check.base_fares(rules);
    check.operators(&rules.operators);
    check.rail_fare(rules);
    check.lines(&rules.lines);
    check.route_fares(&rules.route_fares);
    check.overrides(&rules.boarding_fee_overrides);
    check.products(&rules.products);
    check.ovpay(&rules.ovpay);
    check.fees(&rules.fees);
    check.terms(&rules.terms);
    check.network(&rules.network);
    check.problems
}

const OPERATOR_ID_MAX: usize = 6;
const STATION_ID_MAX: usize = 8;
const PRODUCT_CODE_MAX: usize = 15;

/// The validation pass: the ids every reference must resolve to, and the problems found.
struct Check<'r> {
    operators: BTreeMap<&'r str, &'r Operator>,
    stations: BTreeSet<&'r str>,
    products: BTreeSet<&'r str>,
    /// (station, operator, mode) for every `served_by` entry.
    served: BTreeSet<(&'r str, &'r str, Mode)>,
    problems: Vec<Problem>,
}

impl<'r> Check<'r> {
    fn new(rules: &'r RuleSet) -> Check<'r> {
        Check {
            operators: rules.operators.iter().map(|o| (o.id.as_str(), o)).collect(),
            stations: rules
                .network
                .stations
                .iter()
                .map(|s| s.id.as_str())
                .collect(),
            products: rules.products.iter().map(|p| p.code.as_str()).collect(),
            served: rules
                .network
                .stations
                .iter()
                .flat_map(|s| {
                    s.served_by
                        .iter()
                        .map(move |b| (s.id.as_str(), b.operator.as_str(), b.mode))
                })
                .collect(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.problems.push(Problem {
            field: field.into(),
            reason: reason.into(),
        });
    }

    // --- reusable checks ---------------------------------------------------------------------

    fn money(&mut self, field: impl Into<String>, value: Cents) {
        if value.is_negative() {
            self.problem(field, "must not be negative");
        }
    }

    fn positive_money(&mut self, field: impl Into<String>, value: Cents) {
        if value.is_negative() {
            self.problem(field, "must not be negative");
        } else if value == Cents::ZERO {
            self.problem(field, "must be positive");
        }
    }

    fn positive(&mut self, field: impl Into<String>, value: impl Into<u64>) {
        if value.into() == 0 {
            self.problem(field, "must be positive");
        }
    }

    fn not_empty(&mut self, field: impl Into<String>, value: &str) {
        if value.trim().is_empty() {
            self.problem(field, "must not be empty");
        }
    }

    fn discount(&mut self, field: impl Into<String>, bp: u32) {
        if bp > 10_000 {
            self.problem(field, format!("{bp} exceeds 10000 basis points (100 %)"));
        }
    }

    fn id(&mut self, field: impl Into<String>, id: &str, kind: &str, max: usize) {
        let valid = !id.is_empty()
            && id.len() <= max
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            self.problem(
                field,
                format!("`{id}` is not a valid {kind}: 1 to {max} ASCII letters, digits or '-'"),
            );
        }
    }

    /// Reports every id that occurred before under `first_seen`, naming the first place.
    fn unique<K: Ord + Display>(
        &mut self,
        first_seen: &mut BTreeMap<K, String>,
        key: K,
        field: String,
        what: &str,
    ) {
        if let Some(first) = first_seen.get(&key) {
            self.problem(
                field,
                format!("duplicate {what} `{key}` (first at {first})"),
            );
        } else {
            first_seen.insert(key, field);
        }
    }

    fn operator_ref(&mut self, field: impl Into<String>, id: &str) -> Option<&'r Operator> {
        let found = self.operators.get(id).copied();
        if found.is_none() {
            self.problem(field, format!("unknown operator `{id}`"));
        }
        found
    }

    /// The operator must exist and run a service in `mode`.
    fn service_ref(&mut self, field: String, operator: &str, mode: Mode) {
        if let Some(op) = self.operator_ref(field.clone(), operator)
            && !op.services.iter().any(|s| s.mode == mode)
        {
            self.problem(
                field,
                format!("operator `{operator}` has no {} service", mode.as_str()),
            );
        }
    }

    fn station_ref(&mut self, field: impl Into<String>, id: &str) {
        if !self.stations.contains(id) {
            self.problem(field, format!("unknown station `{id}`"));
        }
    }

    fn product_ref(&mut self, field: impl Into<String>, code: &str) {
        if !self.products.contains(code) {
            self.problem(field, format!("unknown product `{code}`"));
        }
    }

    fn operator_list(&mut self, field: &str, ids: &[OperatorId]) {
        for (i, id) in ids.iter().enumerate() {
            self.operator_ref(format!("{field}[{i}]"), id);
        }
    }

    // --- sections ----------------------------------------------------------------------------

    fn meta(&mut self, rules: &RuleSet) {
        self.not_empty("meta.id", &rules.meta.id);
        self.not_empty("meta.description", &rules.meta.description);
    }

    /// CARD-02 / CARD-04 / CARD-06 / CARD-07 / TAP-06.
    fn card(&mut self, card: &CardRules) {
        self.money("card.max_balance_cents", card.max_balance_cents);
        self.money("card.min_balance_cents", card.min_balance_cents);
        if card.min_balance_cents > card.max_balance_cents {
            self.problem(
                "card.min_balance_cents",
                format!(
                    "must not exceed max_balance_cents ({})",
                    card.max_balance_cents.get()
                ),
            );
        }
        self.positive_money("card.max_load_cents", card.max_load_cents);
        if card.max_load_cents > card.max_balance_cents {
            self.problem(
                "card.max_load_cents",
                format!(
                    "must not exceed max_balance_cents ({})",
                    card.max_balance_cents.get()
                ),
            );
        }
        self.positive("card.personal_validity_years", card.personal_validity_years);
        self.positive(
            "card.anonymous_validity_years",
            card.anonymous_validity_years,
        );
        self.positive(
            "card.disposable_validity_days",
            card.disposable_validity_days,
        );
        for (i, &amount) in card.auto_reload_amounts_cents.iter().enumerate() {
            let field = format!("card.auto_reload_amounts_cents[{i}]");
            self.positive_money(field.clone(), amount);
            if amount > card.max_balance_cents {
                self.problem(
                    field,
                    format!(
                        "must not exceed max_balance_cents ({})",
                        card.max_balance_cents.get()
                    ),
                );
            }
        }
        let age = &card.age;
        self.discount("card.age.discount_bp", age.discount_bp);
        if age.free_below_age > age.child_from_age {
            self.problem("card.age.free_below_age", "must not exceed child_from_age");
        }
        if age.child_from_age > age.child_to_age {
            self.problem("card.age.child_from_age", "must not exceed child_to_age");
        }
        if age.child_to_age >= age.senior_from_age {
            self.problem("card.age.child_to_age", "must be below senior_from_age");
        }
        self.operator_list("card.age.excluded_operators", &age.excluded_operators);
    }

    /// TAP-02 / TAP-03 / TAP-09.
    fn reader(&mut self, reader: &ReaderRules) {
        self.money(
            "reader.min_balance_offset_cents",
            reader.min_balance_offset_cents,
        );
        self.operator_list(
            "reader.duplicate_window_operators",
            &reader.duplicate_window_operators,
        );
        self.operator_list(
            "reader.activation_required_operators",
            &reader.activation_required_operators,
        );
    }

    /// JRN-01..05 and the JRN-03 rail operator pairs.
    fn journey(&mut self, journey: &JourneyRules) {
        self.positive("journey.transfer_window_min", journey.transfer_window_min);
        self.positive("journey.cancel_window_min", journey.cancel_window_min);
        self.positive(
            "journey.station_visit_free_min",
            journey.station_visit_free_min,
        );
        if journey.max_transfer_span_min < journey.transfer_window_min {
            self.problem(
                "journey.max_transfer_span_min",
                "must not be shorter than transfer_window_min",
            );
        }
        for (i, [a, b]) in journey.rail_new_journey_pairs.iter().enumerate() {
            let field = format!("journey.rail_new_journey_pairs[{i}]");
            self.service_ref(format!("{field}[0]"), a, Mode::Train);
            self.service_ref(format!("{field}[1]"), b, Mode::Train);
            if a == b {
                self.problem(field, "must name two different operators");
            }
        }
    }

    /// FARE-05 / FARE-06.
    fn peak(&mut self, peak: &PeakRules) {
        for (i, w) in peak.weekday_windows.iter().enumerate() {
            let field = format!("peak.weekday_windows[{i}]");
            if w.from >= w.until {
                self.problem(
                    field,
                    format!("from ({}) must be before until ({})", w.from, w.until),
                );
                continue;
            }
            let earlier = peak.weekday_windows[..i]
                .iter()
                .position(|o| o.from < o.until && w.from < o.until && o.from < w.until);
            if let Some(j) = earlier {
                self.problem(field, format!("overlaps with weekday_windows[{j}]"));
            }
        }
        let mut dates = BTreeMap::new();
        for (i, h) in peak.holidays.iter().enumerate() {
            self.unique(
                &mut dates,
                h.date,
                format!("peak.holidays[{i}].date"),
                "date",
            );
            self.not_empty(format!("peak.holidays[{i}].name"), &h.name);
        }
    }

    /// FARE-02: years unique, ascending and consecutive; the reduced fare never above normal.
    fn base_fares(&mut self, rules: &RuleSet) {
        let fares = &rules.base_fares;
        for (i, row) in fares.iter().enumerate() {
            let field = format!("base_fares[{i}]");
            self.money(format!("{field}.normal_cents"), row.normal_cents);
            self.money(format!("{field}.reduced_cents"), row.reduced_cents);
            if row.reduced_cents > row.normal_cents {
                self.problem(
                    format!("{field}.reduced_cents"),
                    format!("must not exceed normal_cents ({})", row.normal_cents.get()),
                );
            }
            if let Some(prev) = i.checked_sub(1).map(|p| fares[p].year) {
                if row.year == prev {
                    self.problem(format!("{field}.year"), format!("duplicate year {prev}"));
                } else if i32::from(row.year) != i32::from(prev) + 1 {
                    self.problem(
                        format!("{field}.year"),
                        format!("years must be consecutive: {} follows {prev}", row.year),
                    );
                }
            }
        }
        let year = rules.meta.valid_from.year();
        if rules.base_fare(year).is_none() {
            self.problem(
                "base_fares",
                format!("no base fare for {year}, the year of meta.valid_from"),
            );
        }
    }

    /// TAP-01 / TAP-03 / FARE-01 / FARE-04.
    fn operators(&mut self, operators: &[Operator]) {
        let mut ids = BTreeMap::new();
        for (i, op) in operators.iter().enumerate() {
            let at = format!("operators[{i}]");
            self.id(format!("{at}.id"), &op.id, "operator id", OPERATOR_ID_MAX);
            self.unique(&mut ids, op.id.as_str(), format!("{at}.id"), "operator id");
            self.not_empty(format!("{at}.name"), &op.name);
            if op.services.is_empty() {
                self.problem(format!("{at}.services"), "must list at least one service");
            }
            let mut modes = BTreeMap::new();
            for (j, s) in op.services.iter().enumerate() {
                let at = format!("{at}.services[{j}]");
                self.unique(&mut modes, s.mode.as_str(), format!("{at}.mode"), "mode");
                self.money(format!("{at}.boarding_fee_cents"), s.boarding_fee_cents);
                self.money(format!("{at}.max_fare_cents"), s.max_fare_cents);
                if let Some(min) = s.min_fare_cents {
                    self.money(format!("{at}.min_fare_cents"), min);
                    if min > s.max_fare_cents {
                        self.problem(
                            format!("{at}.min_fare_cents"),
                            format!(
                                "must not exceed max_fare_cents ({})",
                                s.max_fare_cents.get()
                            ),
                        );
                    }
                }
            }
        }
    }

    /// FARE-04 / JRN-08: bands from 0 km, ascending and contiguous, the last open-ended; the
    /// rail services' minimum fares within the maximum.
    fn rail_fare(&mut self, rules: &RuleSet) {
        let rail = &rules.rail_fare;
        self.money("rail_fare.base_cents", rail.base_cents);
        self.money("rail_fare.max_fare_cents", rail.max_fare_cents);
        if rail.bands.is_empty() {
            self.problem("rail_fare.bands", "must list at least one band");
        }
        let last = rail.bands.len().saturating_sub(1);
        let mut expected_from = Some(0);
        for (i, band) in rail.bands.iter().enumerate() {
            let at = format!("rail_fare.bands[{i}]");
            if let Some(from) = expected_from
                && band.from_km != from
            {
                let reason = if i == 0 {
                    format!("the first band must start at 0 km, not {}", band.from_km)
                } else {
                    format!(
                        "must be {from} (bands[{}].to_km): bands are ascending and contiguous",
                        i - 1
                    )
                };
                self.problem(format!("{at}.from_km"), reason);
            }
            match band.to_km {
                Some(to) if to <= band.from_km => self.problem(
                    format!("{at}.to_km"),
                    format!("must be above from_km ({})", band.from_km),
                ),
                None if i != last => self.problem(
                    format!("{at}.to_km"),
                    "is required: only the last band is open-ended",
                ),
                Some(_) if i == last => self.problem(
                    format!("{at}.to_km"),
                    "must be absent: the last band is open-ended so every distance has a rate",
                ),
                _ => {}
            }
            expected_from = band.to_km;
        }
        if rail.first_class_factor_bp < 10_000 {
            self.problem(
                "rail_fare.first_class_factor_bp",
                format!(
                    "{} is below 10000: first class never costs less than second class",
                    rail.first_class_factor_bp
                ),
            );
        }
        self.discount("rail_fare.group_discount_bp", rail.group_discount_bp);
        for (i, op) in rules.operators.iter().enumerate() {
            for (j, s) in op.services.iter().enumerate() {
                if let Some(min) = s.min_fare_cents
                    && s.mode.class() == TransportClass::Rail
                    && min > rail.max_fare_cents
                {
                    self.problem(
                        format!("operators[{i}].services[{j}].min_fare_cents"),
                        format!(
                            "must not exceed rail_fare.max_fare_cents ({})",
                            rail.max_fare_cents.get()
                        ),
                    );
                }
            }
        }
    }

    /// The station must exist and be served by the operator in `mode`.
    fn served_stop(&mut self, field: String, station: &str, operator: &str, mode: Mode) {
        if !self.stations.contains(station) {
            self.problem(field, format!("unknown station `{station}`"));
        } else if !self.served.contains(&(station, operator, mode)) {
            self.problem(
                field,
                format!(
                    "station `{station}` is not served by {operator} {}",
                    mode.as_str()
                ),
            );
        }
    }

    /// FARE-01: per-line km rates.
    fn lines(&mut self, lines: &[Line]) {
        let mut names = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            let at = format!("lines[{i}]");
            self.bus_tram_metro(format!("{at}.mode"), line.mode);
            self.service_ref(format!("{at}.operator"), &line.operator, line.mode);
            self.not_empty(format!("{at}.name"), &line.name);
            let key = format!("{} {}", line.operator, line.name);
            self.unique(&mut names, key, format!("{at}.name"), "line");
            if line.stops.len() < 2 {
                self.problem(format!("{at}.stops"), "must list at least two stops");
            }
            let mut stops = BTreeMap::new();
            for (j, stop) in line.stops.iter().enumerate() {
                let field = format!("{at}.stops[{j}]");
                self.served_stop(field.clone(), stop, &line.operator, line.mode);
                self.unique(&mut stops, stop.as_str(), field, "stop");
            }
        }
    }

    /// FARE-01: fixed route fares, one row per direction.
    fn route_fares(&mut self, fares: &[RouteFare]) {
        let mut routes = BTreeMap::new();
        for (i, r) in fares.iter().enumerate() {
            let at = format!("route_fares[{i}]");
            self.bus_tram_metro(format!("{at}.mode"), r.mode);
            self.service_ref(format!("{at}.operator"), &r.operator, r.mode);
            self.served_stop(format!("{at}.from"), &r.from, &r.operator, r.mode);
            self.served_stop(format!("{at}.to"), &r.to, &r.operator, r.mode);
            if r.from == r.to {
                self.problem(format!("{at}.to"), "must differ from `from`");
            }
            self.money(format!("{at}.fare_cents"), r.fare_cents);
            let key = format!("{} {} {} → {}", r.operator, r.mode.as_str(), r.from, r.to);
            self.unique(&mut routes, key, at, "route");
        }
    }

    /// FARE-01 lines and fixed fares are bus/tram/metro; rail is priced by FARE-04.
    fn bus_tram_metro(&mut self, field: String, mode: Mode) {
        if mode.class() != TransportClass::BusTramMetro {
            self.problem(
                field,
                format!(
                    "{} is rail: rail journeys are priced by [rail_fare] (FARE-04)",
                    mode.as_str()
                ),
            );
        }
    }

    /// TAP-01 / FARE-10.
    fn overrides(&mut self, overrides: &[BoardingFeeOverride]) {
        for (i, o) in overrides.iter().enumerate() {
            let at = format!("boarding_fee_overrides[{i}]");
            match (&o.operator, o.mode) {
                (Some(op), Some(mode)) => self.service_ref(format!("{at}.operator"), op, mode),
                (Some(op), None) => {
                    self.operator_ref(format!("{at}.operator"), op);
                }
                (None, _) => {}
            }
            if let Some(product) = &o.product {
                self.product_ref(format!("{at}.product"), product);
            }
            if o.product.is_none() && o.card_kind.is_none() {
                self.problem(at.clone(), "must name a product or a card_kind");
            }
            self.money(format!("{at}.boarding_fee_cents"), o.boarding_fee_cents);
        }
    }

    /// FARE-07 / FARE-08 / FARE-10 / CARD-05.
    fn products(&mut self, products: &[Product]) {
        let mut codes = BTreeMap::new();
        for (i, p) in products.iter().enumerate() {
            let at = format!("products[{i}]");
            self.id(
                format!("{at}.code"),
                &p.code,
                "product code",
                PRODUCT_CODE_MAX,
            );
            self.unique(
                &mut codes,
                p.code.as_str(),
                format!("{at}.code"),
                "product code",
            );
            self.not_empty(format!("{at}.name"), &p.name);
            for (j, b) in p.benefits.iter().enumerate() {
                self.benefit(&format!("{at}.benefits[{j}]"), b);
            }
        }
    }

    fn benefit(&mut self, at: &str, b: &Benefit) {
        self.discount(format!("{at}.discount_bp"), b.discount_bp);
        let weekly = b.when == BenefitTime::WeeklyWindow;
        for (name, value) in [("from", b.from.is_some()), ("until", b.until.is_some())] {
            if weekly && !value {
                self.problem(
                    format!("{at}.{name}"),
                    "is required when when = \"weekly-window\"",
                );
            } else if !weekly && value {
                self.problem(
                    format!("{at}.{name}"),
                    "is only allowed when when = \"weekly-window\"",
                );
            }
        }
        if let (Some(from), Some(until)) = (b.from, b.until)
            && from == until
        {
            self.problem(format!("{at}.until"), "must differ from `from`");
        }
        if let Some([a, z]) = &b.route {
            self.station_ref(format!("{at}.route[0]"), a);
            self.station_ref(format!("{at}.route[1]"), z);
            if a == z {
                self.problem(format!("{at}.route"), "must name two different stations");
            }
        }
    }

    /// EMV-03 / EMV-09 / EMV-10 / EMV-13..17.
    fn ovpay(&mut self, ovpay: &OvpayRules) {
        if decode_hex_32(&ovpay.token_key_hex).is_none() {
            let key = &ovpay.token_key_hex;
            let reason = if !key.bytes().all(|b| b.is_ascii_hexdigit()) {
                "is not hexadecimal: write the 32-byte key as 64 digits 0-9, a-f".to_string()
            } else {
                format!(
                    "has {} hex digits: the key is 32 bytes, write 64 digits",
                    key.len()
                )
            };
            self.problem("ovpay.token_key_hex", reason);
        }
        let mut seen = BTreeMap::new();
        for (i, t) in ovpay.thresholds.iter().enumerate() {
            let at = format!("ovpay.thresholds[{i}]");
            self.operator_ref(format!("{at}.operator"), &t.operator);
            self.unique(
                &mut seen,
                t.operator.as_str(),
                format!("{at}.operator"),
                "operator",
            );
            self.money(format!("{at}.amount_cents"), t.amount_cents);
        }
        let missing: Vec<&str> = self
            .operators
            .keys()
            .copied()
            .filter(|id| !seen.contains_key(id))
            .collect();
        for id in missing {
            self.problem(
                "ovpay.thresholds",
                format!("no threshold for operator `{id}`"),
            );
        }
        let mut schemes = BTreeMap::new();
        for (i, scheme) in ovpay.per_trip_schemes.iter().enumerate() {
            let field = format!("ovpay.per_trip_schemes[{i}]");
            self.not_empty(field.clone(), scheme);
            self.unique(&mut schemes, scheme.as_str(), field, "scheme");
        }
        self.positive(
            "ovpay.eligibility_recheck_days",
            ovpay.eligibility_recheck_days,
        );
        self.positive("ovpay.retry_horizon_days", ovpay.retry_horizon_days);
        let days = &ovpay.retry_schedule_days;
        for (i, &day) in days.iter().enumerate() {
            let field = format!("ovpay.retry_schedule_days[{i}]");
            if day == 0 {
                self.problem(field, "must be positive (days after the failed payment)");
            } else if i > 0 && day <= days[i - 1] {
                self.problem(
                    field,
                    format!(
                        "must be after retry_schedule_days[{}] ({})",
                        i - 1,
                        days[i - 1]
                    ),
                );
            } else if day > ovpay.retry_horizon_days {
                self.problem(
                    field,
                    format!(
                        "must not exceed retry_horizon_days ({})",
                        ovpay.retry_horizon_days
                    ),
                );
            }
        }
        self.positive("ovpay.pan_retention_h", ovpay.pan_retention_h);
        self.positive("ovpay.history_months", ovpay.history_months);
        self.positive(
            "ovpay.inspection_max_transactions",
            ovpay.inspection_max_transactions,
        );
        self.positive(
            "ovpay.inspection_max_age_days",
            ovpay.inspection_max_age_days,
        );
        self.positive("ovpay.inspection_visible_min", ovpay.inspection_visible_min);
    }

    /// FEE-01..04 / TERM-03.
    fn fees(&mut self, fees: &FeeRules) {
        let amounts = [
            ("card_price_cents", fees.card_price_cents),
            (
                "paper_application_surcharge_cents",
                fees.paper_application_surcharge_cents,
            ),
            (
                "counter_sale_surcharge_cents",
                fees.counter_sale_surcharge_cents,
            ),
            (
                "replace_expired_card_cents",
                fees.replace_expired_card_cents,
            ),
            ("replacement_card_cents", fees.replacement_card_cents),
            ("machine_load_fee_cents", fees.machine_load_fee_cents),
            ("auto_reload_fee_cents", fees.auto_reload_fee_cents),
            (
                "small_card_payment_below_cents",
                fees.small_card_payment_below_cents,
            ),
            (
                "small_card_payment_surcharge_cents",
                fees.small_card_payment_surcharge_cents,
            ),
            (
                "credit_card_load_surcharge_cents",
                fees.credit_card_load_surcharge_cents,
            ),
            (
                "service_point_refund_max_cents",
                fees.service_point_refund_max_cents,
            ),
            ("refund_admin_fee_cents", fees.refund_admin_fee_cents),
            (
                "failed_debit_admin_auto_reload_cents",
                fees.failed_debit_admin_auto_reload_cents,
            ),
            (
                "failed_debit_admin_card_cost_cents",
                fees.failed_debit_admin_card_cost_cents,
            ),
        ];
        for (name, value) in amounts {
            self.money(format!("fees.{name}"), value);
        }
        // TERM-03: the admin costs are offset against the refunded balance, so they must fit.
        if fees.refund_admin_fee_cents > fees.service_point_refund_max_cents {
            self.problem(
                "fees.refund_admin_fee_cents",
                "must not exceed fees.service_point_refund_max_cents",
            );
        }
        self.positive(
            "fees.failed_debit_payment_days",
            fees.failed_debit_payment_days,
        );
        self.positive(
            "fees.failed_debit_second_payment_days",
            fees.failed_debit_second_payment_days,
        );
    }

    /// TERM-01..16.
    fn terms(&mut self, terms: &TermsRules) {
        let positive = [
            ("correction_claim_months", terms.correction_claim_months),
            ("refund_after_end_months", terms.refund_after_end_months),
            ("loss_block_within_h", terms.loss_block_within_h),
            ("risk_transfer_days", terms.risk_transfer_days),
            ("old_balance_within_days", terms.old_balance_within_days),
            ("objection_window_days", terms.objection_window_days),
            ("objection_usage_end_days", terms.objection_usage_end_days),
            ("dispute_window_months", terms.dispute_window_months),
        ];
        for (name, value) in positive {
            self.positive(format!("terms.{name}"), value);
        }
        for (i, code) in terms.non_transferable_products.iter().enumerate() {
            self.product_ref(format!("terms.non_transferable_products[{i}]"), code);
        }
        let missed = &terms.missed_check_out;
        self.positive(
            "terms.missed_check_out.max_claims_per_operator",
            missed.max_claims_per_operator,
        );
        self.positive("terms.missed_check_out.max_age_days", missed.max_age_days);
        if missed.available_after_days > missed.max_age_days {
            self.problem(
                "terms.missed_check_out.available_after_days",
                "must not exceed terms.missed_check_out.max_age_days",
            );
        }
        for (i, o) in missed.max_age_overrides.iter().enumerate() {
            let at = format!("terms.missed_check_out.max_age_overrides[{i}]");
            self.operator_ref(format!("{at}.operator"), &o.operator);
            if o.days < missed.available_after_days {
                self.problem(
                    format!("{at}.days"),
                    "must not be below terms.missed_check_out.available_after_days",
                );
            }
        }
        let mut seen = BTreeMap::new();
        for (i, o) in missed.max_age_overrides.iter().enumerate() {
            let field = format!("terms.missed_check_out.max_age_overrides[{i}].operator");
            self.unique(&mut seen, o.operator.as_str(), field, "operator");
        }
        self.operator_list(
            "terms.missed_check_out.own_conditions_operators",
            &missed.own_conditions_operators,
        );
    }

    /// TAP-04 / JRN-05 / FARE-01 / FARE-04: stations, who serves them, and the links.
    fn network(&mut self, network: &Network) {
        let mut ids = BTreeMap::new();
        let mut names = BTreeMap::new();
        for (i, s) in network.stations.iter().enumerate() {
            let at = format!("network.stations[{i}]");
            self.id(format!("{at}.id"), &s.id, "station id", STATION_ID_MAX);
            self.unique(&mut ids, s.id.as_str(), format!("{at}.id"), "station id");
            self.not_empty(format!("{at}.name"), &s.name);
            self.unique(
                &mut names,
                s.name.to_lowercase(),
                format!("{at}.name"),
                "station name",
            );
            if s.served_by.is_empty() {
                self.problem(format!("{at}.served_by"), "must list at least one operator");
            }
            let mut served = BTreeMap::new();
            for (j, by) in s.served_by.iter().enumerate() {
                let field = format!("{at}.served_by[{j}]");
                self.service_ref(format!("{field}.operator"), &by.operator, by.mode);
                let key = format!("{} {}", by.operator, by.mode.as_str());
                self.unique(&mut served, key, field, "service");
            }
        }
        let mut pairs = BTreeMap::new();
        for (i, link) in network.links.iter().enumerate() {
            let at = format!("network.links[{i}]");
            self.station_ref(format!("{at}.from"), &link.from);
            self.station_ref(format!("{at}.to"), &link.to);
            if link.from == link.to {
                self.problem(format!("{at}.to"), "must differ from `from`");
            }
            if !(link.km.is_finite() && link.km > 0.0) {
                self.problem(
                    format!("{at}.km"),
                    format!("{} is not a distance: must be finite and above 0", link.km),
                );
            }
            let (a, z) = if link.from <= link.to {
                (&link.from, &link.to)
            } else {
                (&link.to, &link.from)
            };
            self.unique(&mut pairs, format!("{a}–{z}"), at, "link");
        }
        self.connected(network);
    }

    /// Every station is reachable from the first one over the links.
    fn connected(&mut self, network: &Network) {
        let Some(first) = network.stations.first() else {
            self.problem("network.stations", "must list at least one station");
            return;
        };
        let mut reached: BTreeSet<&str> = BTreeSet::from([first.id.as_str()]);
        let mut frontier = vec![first.id.as_str()];
        while let Some(node) = frontier.pop() {
            for link in &network.links {
                let Some(next) = link.other_end(node) else {
                    continue;
                };
                if reached.insert(next) {
                    frontier.push(next);
                }
            }
        }
        for (i, s) in network.stations.iter().enumerate() {
            if !reached.contains(s.id.as_str()) {
                self.problem(
                    format!("network.stations[{i}].id"),
                    format!("`{}` is not connected to `{}` by any link", s.id, first.id),
                );
            }
        }
    }
}
