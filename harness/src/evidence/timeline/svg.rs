//! The timeline as an inline SVG: one lane per card along a broken time axis, Europe/Amsterdam
//! local times, shapes as well as colours for the marks, and every text escaped. Nothing here
//! reads a clock or a hash map, so the same timeline always gives the same bytes.

use std::fmt::Write as _;

use jiff::Timestamp;
use ovcert_reference::Cents;
use ovcert_reference::time::local;

use super::{CardTimeline, Charge, JourneyBar, TapAction, TapMark, Timeline, kebab};

/// Layout of the picture, in SVG user units.
mod layout {
    pub const WIDTH: f64 = 1000.0;
    /// The card labels sit left of the plot.
    pub const PLOT_LEFT: f64 = 170.0;
    pub const PLOT_RIGHT: f64 = 985.0;
    pub const AXIS_TOP: f64 = 56.0;
    pub const LANE_TOP: f64 = 64.0;
    pub const JOURNEY_ROW: f64 = 34.0;
    /// Tap markers and up to three staggered label lines.
    pub const TAP_ROW: f64 = 58.0;
    pub const CHARGE_ROW: f64 = 52.0;
    pub const LANE_PAD: f64 = 10.0;
    pub const LANE_HEIGHT: f64 = JOURNEY_ROW + TAP_ROW + CHARGE_ROW + LANE_PAD;
    /// A card nothing was reported for gets a short lane.
    pub const EMPTY_LANE_HEIGHT: f64 = 46.0;
    pub const NOTE_LINE: f64 = 15.0;
    /// Gap between two stretches of the broken time axis.
    pub const BREAK: f64 = 34.0;
    /// Times further apart than this start a new stretch of the axis.
    pub const STRETCH_GAP_S: i64 = 3 * 3600;
    /// An approximation of the width of one character at 11 px.
    pub const CHAR_W: f64 = 6.1;
    pub const LABEL_LINES: usize = 3;
}

/// An inline SVG of the timeline: one lane per card along a broken time axis (stretches of
/// activity separated by breaks, labelled in Europe/Amsterdam local time), tap markers,
/// journey bars from first check-in to last check-out with the fare, and charge markers with
/// amounts. Same timeline, same bytes.
pub fn render_svg(timeline: &Timeline) -> String {
    use layout::*;
    let times = all_times(timeline);
    let scale = Scale::new(&times, PLOT_LEFT, PLOT_RIGHT);
    let heights: Vec<f64> = timeline.cards.iter().map(lane_height).collect();
    let lanes_height = if heights.is_empty() {
        LANE_HEIGHT
    } else {
        heights.iter().sum()
    };
    let notes = all_notes(timeline);
    let legend_top = LANE_TOP + lanes_height + 8.0;
    let height = legend_top + 22.0 + NOTE_LINE * notes.len() as f64 + 6.0;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h}\" \
         width=\"{WIDTH}\" height=\"{h}\" role=\"img\" aria-label=\"{label}\" \
         font-family=\"sans-serif\" font-size=\"11\">",
        h = num(height),
        label = escape(&aria_label(timeline)),
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(&aria_label(timeline)));
    svg.push_str(
        "<style>.lbl{fill:#222}.dim{fill:#555}.ax{stroke:#888;stroke-width:1}\
         .grid{stroke:#e4e6ea;stroke-width:1}.brk{fill:#eceef1}</style>\n",
    );
    let _ = writeln!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{}\" fill=\"#fff\"/>",
        num(height)
    );
    // Lane backgrounds first, so that the grid and the breaks show through the lanes.
    let mut top = LANE_TOP;
    for (index, height) in heights.iter().enumerate() {
        let fill = if index % 2 == 0 { "#f7f9fc" } else { "#fdfdfd" };
        let _ = writeln!(
            svg,
            "<rect x=\"0\" y=\"{}\" width=\"{WIDTH}\" height=\"{}\" fill=\"{fill}\" stroke=\"#e3e6ea\"/>",
            num(top),
            num(*height)
        );
        top += height;
    }
    match &scale {
        Some(scale) => axis(&mut svg, scale, LANE_TOP + lanes_height),
        None => {
            let _ = writeln!(
                svg,
                "<text class=\"dim\" x=\"{PLOT_LEFT}\" y=\"{}\">Nothing happened on any card: no \
                 taps, journeys or charges were reported.</text>",
                num(AXIS_TOP - 10.0)
            );
        }
    }
    if timeline.cards.is_empty() {
        let _ = writeln!(
            svg,
            "<text class=\"dim\" x=\"10\" y=\"{}\">No cards in this scenario.</text>",
            num(LANE_TOP + 24.0)
        );
    }
    let mut top = LANE_TOP;
    for (index, card) in timeline.cards.iter().enumerate() {
        card_lane(&mut svg, card, top, scale.as_ref());
        top += heights[index];
    }
    legend(&mut svg, legend_top);
    for (i, note) in notes.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text class=\"note dim\" x=\"10\" y=\"{}\" font-style=\"italic\">Note: {}</text>",
            num(legend_top + 36.0 + NOTE_LINE * i as f64),
            escape(note)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn aria_label(timeline: &Timeline) -> String {
    let names: Vec<String> = timeline
        .cards
        .iter()
        .map(|c| format!("{} ({})", c.name, c.kind.label()))
        .collect();
    if names.is_empty() {
        "Timeline: no cards".to_owned()
    } else {
        format!("Timeline of {}", names.join(", "))
    }
}

fn all_times(timeline: &Timeline) -> Vec<i64> {
    let mut times = Vec::new();
    for card in &timeline.cards {
        times.extend(card.taps.iter().map(|t| t.at.as_second()));
        for j in &card.journeys {
            times.push(j.start.as_second());
            times.push(j.end.as_second());
        }
        times.extend(card.charges.iter().map(|c| c.at.as_second()));
    }
    times.sort_unstable();
    times.dedup();
    times
}

fn all_notes(timeline: &Timeline) -> Vec<String> {
    let mut notes = timeline.notes.clone();
    for card in &timeline.cards {
        notes.extend(card.notes.iter().map(|n| format!("{}: {n}", card.name)));
    }
    notes
}

/// A monotone piecewise-linear map from instants to x: stretches of activity share the
/// plot's width, the quiet time between them is squeezed into a fixed break.
struct Scale {
    /// (second, x) knots in increasing order of both.
    knots: Vec<(i64, f64)>,
    stretches: Vec<Stretch>,
}

/// A stretch of the axis with activity in it.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    /// The first and last instant something happened, in seconds.
    first: i64,
    last: i64,
    /// What the stretch shows: a little more on either side.
    from: i64,
    to: i64,
    left: f64,
    right: f64,
}

impl Scale {
    fn new(times: &[i64], left: f64, right: f64) -> Option<Scale> {
        let first = *times.first()?;
        let mut stretches: Vec<Stretch> = Vec::new();
        let mut open = (first, first);
        for &t in times[1..].iter().chain([&i64::MAX]) {
            if t != i64::MAX && t - open.1 <= layout::STRETCH_GAP_S {
                open.1 = t;
                continue;
            }
            // Some room around each stretch, so that marks at its ends stay readable.
            let (a, b) = open;
            let pad = ((b - a) / 12).max(15 * 60);
            let (from, to) = (a - pad, b + pad);
            match stretches.last_mut() {
                Some(last) if from <= last.to => {
                    last.last = b;
                    last.to = to;
                }
                _ => stretches.push(Stretch {
                    first: a,
                    last: b,
                    from,
                    to,
                    left: 0.0,
                    right: 0.0,
                }),
            }
            open = (t, t);
        }
        let n = stretches.len() as f64;
        let available = (right - left) - layout::BREAK * (n - 1.0);
        let total: f64 = stretches.iter().map(|s| (s.to - s.from) as f64).sum();
        let mut x = left;
        let mut knots = Vec::new();
        for stretch in &mut stretches {
            // A quarter of the width is shared equally, so a short stretch stays readable
            // beside a long one.
            let share = 0.25 / n + 0.75 * (stretch.to - stretch.from) as f64 / total;
            stretch.left = x;
            stretch.right = x + available * share;
            knots.push((stretch.from, stretch.left));
            knots.push((stretch.to, stretch.right));
            x = stretch.right + layout::BREAK;
        }
        Some(Scale { knots, stretches })
    }

    fn x(&self, second: i64) -> f64 {
        let (first, last) = (self.knots[0], self.knots[self.knots.len() - 1]);
        if second <= first.0 {
            return first.1;
        }
        if second >= last.0 {
            return last.1;
        }
        for pair in self.knots.windows(2) {
            let ((t0, x0), (t1, x1)) = (pair[0], pair[1]);
            if second <= t1 {
                if t1 == t0 {
                    return x1;
                }
                return x0 + (x1 - x0) * (second - t0) as f64 / (t1 - t0) as f64;
            }
        }
        last.1
    }

    fn at(&self, at: Timestamp) -> f64 {
        self.x(at.as_second())
    }
}

/// Tick steps, in seconds: the first that leaves room for a label is taken.
const TICK_STEPS_S: [i64; 12] = [
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

fn axis(svg: &mut String, scale: &Scale, bottom: f64) {
    use layout::*;
    let _ = writeln!(
        svg,
        "<line class=\"ax\" x1=\"{PLOT_LEFT}\" y1=\"{AXIS_TOP}\" x2=\"{PLOT_RIGHT}\" y2=\"{AXIS_TOP}\"/>"
    );
    let _ = writeln!(
        svg,
        "<text class=\"dim\" x=\"10\" y=\"{}\">Europe/Amsterdam</text>",
        num(AXIS_TOP - 6.0)
    );
    // Labels never overlap: a tick label that would is left out (its grid line stays), a
    // date that would goes one line up.
    let mut tick_labels_end = f64::MIN;
    let mut dates = Stagger::new(2);
    for (i, stretch) in scale.stretches.iter().enumerate() {
        let Stretch {
            from: a,
            to: b,
            left: x0,
            right: x1,
            ..
        } = *stretch;
        if i > 0 {
            let previous = scale.stretches[i - 1];
            let prev_x1 = previous.right;
            let _ = writeln!(
                svg,
                "<rect class=\"brk\" x=\"{}\" y=\"{AXIS_TOP}\" width=\"{}\" height=\"{}\"/>",
                num(prev_x1 + 3.0),
                num(BREAK - 6.0),
                num(bottom - AXIS_TOP)
            );
            let _ = writeln!(
                svg,
                "<text class=\"dim\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                num(prev_x1 + BREAK / 2.0),
                num(AXIS_TOP + 10.0),
                escape(&gap_text(stretch.first - previous.last))
            );
        }
        // The date where the stretch starts.
        let day = local_day(a);
        let day_width = day.chars().count() as f64 * CHAR_W;
        let line = dates.place(x0 + day_width / 2.0, day_width);
        let _ = writeln!(
            svg,
            "<text class=\"lbl\" x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>",
            num(x0),
            num(AXIS_TOP - 22.0 - 13.0 * line as f64),
            escape(&day)
        );
        let width = x1 - x0;
        let span = (b - a).max(1);
        let step = TICK_STEPS_S
            .iter()
            .copied()
            .find(|s| width * *s as f64 / span as f64 >= 48.0)
            .unwrap_or(86400);
        for tick in ticks(a, b, step) {
            let x = scale.x(tick);
            let _ = writeln!(
                svg,
                "<line class=\"grid\" x1=\"{x}\" y1=\"{AXIS_TOP}\" x2=\"{x}\" y2=\"{}\"/>",
                num(bottom),
                x = num(x)
            );
            let label = tick_label(tick);
            let half = label.chars().count() as f64 * CHAR_W / 2.0;
            if x - half < tick_labels_end + 6.0 {
                continue;
            }
            tick_labels_end = x + half;
            let _ = writeln!(
                svg,
                "<text class=\"dim\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                num(x),
                num(AXIS_TOP - 6.0),
                escape(&label)
            );
        }
    }
}

/// Ticks at multiples of `step` in local time within [a, b].
fn ticks(a: i64, b: i64, step: i64) -> Vec<i64> {
    let offset = local(second_ts(a)).offset().seconds() as i64;
    let mut tick = (a + offset).div_euclid(step) * step - offset;
    if tick < a {
        tick += step;
    }
    let mut out = Vec::new();
    while tick <= b && out.len() < 64 {
        out.push(tick);
        tick += step;
    }
    out
}

fn second_ts(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn tick_label(second: i64) -> String {
    let zoned = local(second_ts(second));
    if zoned.hour() == 0 && zoned.minute() == 0 {
        zoned.strftime("%d %b").to_string()
    } else {
        zoned.strftime("%H:%M").to_string()
    }
}

fn local_day(second: i64) -> String {
    local(second_ts(second)).strftime("%a %Y-%m-%d").to_string()
}

/// "local 2024-06-12 09:20:00 CEST".
fn local_time(at: Timestamp) -> String {
    local(at).strftime("%Y-%m-%d %H:%M:%S %Z").to_string()
}

fn hhmm(at: Timestamp) -> String {
    let zoned = local(at);
    if zoned.second() == 0 {
        zoned.strftime("%H:%M").to_string()
    } else {
        zoned.strftime("%H:%M:%S").to_string()
    }
}

fn gap_text(seconds: i64) -> String {
    let hours = seconds / 3600;
    if hours >= 48 {
        format!("+{} d", hours / 24)
    } else {
        format!("+{hours} h")
    }
}

fn is_empty(card: &CardTimeline) -> bool {
    card.taps.is_empty() && card.journeys.is_empty() && card.charges.is_empty()
}

fn lane_height(card: &CardTimeline) -> f64 {
    if is_empty(card) {
        layout::EMPTY_LANE_HEIGHT
    } else {
        layout::LANE_HEIGHT
    }
}

fn card_lane(svg: &mut String, card: &CardTimeline, top: f64, scale: Option<&Scale>) {
    use layout::*;
    let _ = writeln!(
        svg,
        "<g class=\"lane\" data-card=\"{}\">",
        escape(&card.name)
    );
    let _ = writeln!(
        svg,
        "<text class=\"lbl\" x=\"10\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        num(top + 20.0),
        escape(&clip(&card.name, 20))
    );
    let kind = match &card.detail {
        Some(detail) => format!("{} ({detail})", card.kind.label()),
        None => card.kind.label().to_owned(),
    };
    let _ = writeln!(
        svg,
        "<text class=\"dim\" x=\"10\" y=\"{}\">{}</text>",
        num(top + 36.0),
        escape(&clip(&kind, 26))
    );
    if is_empty(card) {
        let _ = writeln!(
            svg,
            "<text class=\"dim\" x=\"{PLOT_LEFT}\" y=\"{}\" font-style=\"italic\">No taps, \
             journeys or payments reported for this card.</text>",
            num(top + 27.0)
        );
        svg.push_str("</g>\n");
        return;
    }
    for (y, row) in [
        (top + JOURNEY_ROW / 2.0 + 4.0, "journeys"),
        (top + JOURNEY_ROW + 18.0, "taps"),
        (top + JOURNEY_ROW + TAP_ROW + 16.0, "money"),
    ] {
        let _ = writeln!(
            svg,
            "<text class=\"dim\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"9\">{row}</text>",
            num(PLOT_LEFT - 6.0),
            num(y)
        );
    }
    if let Some(scale) = scale {
        journeys_row(svg, card, scale, top);
        taps_row(svg, card, scale, top + JOURNEY_ROW);
        charges_row(svg, card, scale, top + JOURNEY_ROW + TAP_ROW);
    }
    svg.push_str("</g>\n");
}

fn journeys_row(svg: &mut String, card: &CardTimeline, scale: &Scale, top: f64) {
    let y = top + 14.0;
    let starts: Vec<f64> = card.journeys.iter().map(|j| scale.at(j.start)).collect();
    for (i, journey) in card.journeys.iter().enumerate() {
        let x0 = starts[i];
        let x1 = scale.at(journey.end).max(x0 + 6.0);
        let (fill, stroke, dash) = if journey.open {
            ("#fff4dc", "#c77700", " stroke-dasharray=\"4 2\"")
        } else {
            ("#dce7fa", "#2f5fb3", "")
        };
        let number = i + 1;
        let fare = journey.fare.map_or("open".to_owned(), |f| f.to_string());
        let _ = writeln!(
            svg,
            "<g class=\"journey\" data-fare-cents=\"{}\"><title>{}</title>",
            journey.fare.map_or(String::new(), |f| f.get().to_string()),
            escape(&journey_title(number, journey))
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/>",
            num(x0),
            num(y),
            num(x1 - x0)
        );
        // The legs, darker: the gaps between them are transfers.
        for leg in &journey.legs {
            let l0 = scale.at(leg.check_in);
            let l1 = leg
                .check_out
                .map_or(l0 + 3.0, |out| scale.at(out))
                .max(l0 + 3.0);
            let _ = writeln!(
                svg,
                "<rect class=\"leg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"8\" fill=\"{stroke}\" opacity=\"0.55\"/>",
                num(l0),
                num(y + 3.0),
                num(l1 - l0)
            );
        }
        let room = starts
            .get(i + 1)
            .map_or(layout::PLOT_RIGHT + 10.0 - x0, |next| next - x0)
            .max(24.0);
        let text = format!("J{number} {fare} {}", legs_text(journey));
        let chars = ((room - 4.0) / layout::CHAR_W).floor().max(3.0) as usize;
        let _ = writeln!(
            svg,
            "<text class=\"lbl\" x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text></g>",
            num(x0),
            num(y - 3.0),
            escape(&clip(&text, chars))
        );
    }
}

fn legs_text(journey: &JourneyBar) -> String {
    journey
        .legs
        .iter()
        .map(|l| format!("{}>{}", l.from, l.to.as_deref().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn journey_title(number: usize, journey: &JourneyBar) -> String {
    let mut text = match journey.fare {
        Some(fare) => format!("Journey {number}: fare {fare}"),
        None => format!("Journey {number}: leg still open, not priced yet"),
    };
    if let Some(day) = journey.travel_day {
        let _ = write!(text, ", travel day {day}");
    }
    if let Some(category) = &journey.time_category {
        let _ = write!(text, ", {category}");
    }
    for leg in &journey.legs {
        let _ = write!(
            text,
            "\n{} {} {} {} → {} {} ({})",
            leg.operator,
            leg.mode,
            leg.from,
            hhmm(leg.check_in),
            leg.to.as_deref().unwrap_or("?"),
            leg.check_out.map_or("-".to_owned(), hhmm),
            leg.status
        );
    }
    text
}

/// Puts labels on the first of `lines` lines where they do not overlap the previous label.
struct Stagger {
    ends: Vec<f64>,
}

impl Stagger {
    fn new(lines: usize) -> Stagger {
        Stagger {
            ends: vec![f64::MIN; lines],
        }
    }

    fn place(&mut self, x: f64, width: f64) -> usize {
        let start = x - width / 2.0;
        let line = (0..self.ends.len())
            .find(|&l| self.ends[l] + 4.0 <= start)
            .unwrap_or_else(|| {
                // All lines taken: the one that frees up first.
                (0..self.ends.len())
                    .min_by(|&a, &b| self.ends[a].total_cmp(&self.ends[b]))
                    .unwrap_or(0)
            });
        self.ends[line] = x + width / 2.0;
        line
    }
}

fn taps_row(svg: &mut String, card: &CardTimeline, scale: &Scale, top: f64) {
    let y = top + 10.0;
    let mut stagger = Stagger::new(layout::LABEL_LINES);
    for tap in &card.taps {
        let x = scale.at(tap.at);
        let label = format!(
            "{} {}",
            tap.reader.as_deref().unwrap_or(&tap.station),
            hhmm(tap.at)
        );
        let line = stagger.place(x, label.chars().count() as f64 * layout::CHAR_W);
        let _ = writeln!(
            svg,
            "<g class=\"tap tap-{}\"><title>{}</title>",
            kebab(&tap.action),
            escape(&tap_title(tap))
        );
        svg.push_str(&tap_marker(tap.action, x, y));
        let _ = writeln!(
            svg,
            "<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text></g>",
            num(x),
            num(y + 19.0 + 12.0 * line as f64),
            escape(&label)
        );
    }
}

fn tap_title(tap: &TapMark) -> String {
    let mut text = format!(
        "{} at {}",
        tap.action.label(),
        tap.station_name.as_deref().unwrap_or(&tap.station)
    );
    let _ = write!(text, " ({} {}", tap.operator, tap.mode);
    if let Some(reader) = &tap.reader {
        let _ = write!(text, ", reader {reader}");
    }
    let _ = write!(text, ") {}", local_time(tap.at));
    if let Some(charged) = tap.charged.filter(|c| *c != Cents::ZERO) {
        let _ = write!(text, ", took {charged}");
    }
    if let Some(balance) = tap.balance_after {
        let _ = write!(text, ", balance after {balance}");
    }
    text
}

/// Shapes differ as well as colours, so a marker reads without colour.
fn tap_marker(action: TapAction, x: f64, y: f64) -> String {
    let p = |dx: f64, dy: f64| format!("{},{}", num(x + dx), num(y + dy));
    match action {
        TapAction::CheckIn => format!(
            "<polygon points=\"{} {} {}\" fill=\"#1b7f3b\"/>\n",
            p(0.0, -6.0),
            p(6.0, 6.0),
            p(-6.0, 6.0)
        ),
        TapAction::CheckOut => format!(
            "<polygon points=\"{} {} {}\" fill=\"#2f5fb3\"/>\n",
            p(-6.0, -6.0),
            p(6.0, -6.0),
            p(0.0, 6.0)
        ),
        TapAction::MissingCheckOut => format!(
            "<polygon points=\"{} {} {} {}\" fill=\"#c77700\"/>\n",
            p(0.0, -7.0),
            p(7.0, 0.0),
            p(0.0, 7.0),
            p(-7.0, 0.0)
        ),
        TapAction::Refused => format!(
            "<path d=\"M{} L{} M{} L{}\" stroke=\"#c0262d\" stroke-width=\"3\"/>\n",
            p(-6.0, -6.0),
            p(6.0, 6.0),
            p(6.0, -6.0),
            p(-6.0, 6.0)
        ),
        TapAction::SettleDebt => format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"#7a3db8\"/>\n",
            num(x),
            num(y)
        ),
        TapAction::Unqualified => format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"#fff\" stroke=\"#666\" stroke-width=\"2\"/>\n",
            num(x),
            num(y)
        ),
    }
}

fn charges_row(svg: &mut String, card: &CardTimeline, scale: &Scale, top: f64) {
    let y = top + 10.0;
    let mut stagger = Stagger::new(layout::LABEL_LINES);
    for charge in &card.charges {
        let x = scale.at(charge.at);
        let label = format!("{} {}", signed(charge.amount), charge.what);
        let line = stagger.place(x, label.chars().count() as f64 * layout::CHAR_W);
        let taken = charge.amount < Cents::ZERO;
        let colour = if taken { "#b02a30" } else { "#1b7f3b" };
        let _ = writeln!(
            svg,
            "<g class=\"charge {}\" data-amount-cents=\"{}\"><title>{}</title>",
            if taken {
                "charge-debit"
            } else {
                "charge-credit"
            },
            charge.amount.get(),
            escape(&charge_title(charge))
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>",
            num(x - 5.0),
            num(y - 5.0)
        );
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{colour}\">{}</text></g>",
            num(x),
            num(y + 18.0 + 12.0 * line as f64),
            escape(&label)
        );
    }
}

fn charge_title(charge: &Charge) -> String {
    let mut text = format!(
        "{} {} {}",
        charge.what,
        signed(charge.amount),
        local_time(charge.at)
    );
    if let Some(status) = &charge.status {
        let _ = write!(text, ", {status}");
    }
    if let Some(balance) = charge.balance_after {
        let _ = write!(text, ", balance after {balance}");
    }
    text
}

/// "+€10.00", "−€3.20" (a real minus sign, as in print).
fn signed(amount: Cents) -> String {
    let text = amount.to_string();
    match text.strip_prefix('-') {
        Some(rest) => format!("\u{2212}{rest}"),
        None if amount == Cents::ZERO => text,
        None => format!("+{text}"),
    }
}

fn legend(svg: &mut String, top: f64) {
    let items: [(TapAction, &str); 6] = [
        (TapAction::CheckIn, "check-in"),
        (TapAction::CheckOut, "check-out"),
        (TapAction::MissingCheckOut, "missing check-out"),
        (TapAction::Refused, "refused"),
        (TapAction::SettleDebt, "settle debt"),
        (TapAction::Unqualified, "unmatched"),
    ];
    let _ = writeln!(svg, "<g class=\"legend\">");
    let mut x = 16.0;
    let y = top + 10.0;
    for (action, text) in items {
        svg.push_str(&tap_marker(action, x, y));
        let _ = writeln!(
            svg,
            "<text class=\"dim\" x=\"{}\" y=\"{}\">{text}</text>",
            num(x + 10.0),
            num(y + 4.0)
        );
        x += 22.0 + text.len() as f64 * layout::CHAR_W;
    }
    let _ = writeln!(
        svg,
        "<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"10\" fill=\"#dce7fa\" stroke=\"#2f5fb3\"/>\
         <text class=\"dim\" x=\"{}\" y=\"{}\">journey (fare)</text>",
        num(x),
        num(y - 5.0),
        num(x + 28.0),
        num(y + 4.0)
    );
    x += 28.0 + 15.0 * layout::CHAR_W;
    let _ = writeln!(
        svg,
        "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#b02a30\"/>\
         <text class=\"dim\" x=\"{}\" y=\"{}\">money taken</text>\
         <rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#1b7f3b\"/>\
         <text class=\"dim\" x=\"{}\" y=\"{}\">money in</text>",
        num(x),
        num(y - 5.0),
        num(x + 14.0),
        num(y + 4.0),
        num(x + 100.0),
        num(y - 5.0),
        num(x + 114.0),
        num(y + 4.0)
    );
    svg.push_str("</g>\n");
}

/// A coordinate with at most one decimal, without a trailing ".0".
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Text for XML and HTML content and attribute values: markup characters escaped, and
/// characters XML does not allow (control characters) replaced.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::timeline::tests::sample;

    #[test]
    fn svg_is_deterministic_escaped_and_marks_everything() {
        let timeline = sample();
        let svg = render_svg(&timeline);
        assert_eq!(svg, render_svg(&timeline.clone()), "same input, same bytes");
        assert!(svg.starts_with("<svg class=\"timeline\""), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("V &lt;&amp;&gt; &quot;x&quot;"), "{svg}");
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("refused &lt;oops&gt;"));
        assert_eq!(svg.matches("class=\"tap tap-check-in\"").count(), 1);
        assert_eq!(svg.matches("class=\"tap tap-check-out\"").count(), 1);
        assert_eq!(svg.matches("class=\"tap tap-refused\"").count(), 1);
        assert_eq!(svg.matches("<g class=\"journey\"").count(), 1);
        assert!(svg.contains("J1 €9.20 asd&gt;ut"), "{svg}");
        assert!(svg.contains("\u{2212}€9.20 night charge"), "{svg}");
        // Local times: 09:20 CEST is 07:20 UTC.
        assert!(svg.contains(">asd 09:20<"), "{svg}");
        assert!(svg.contains("Wed 2024-06-12"), "{svg}");
        // The night charge is 17 h later: a break in the axis, not a squeezed morning.
        assert!(svg.contains("+17 h"), "{svg}");
    }

    #[test]
    fn an_empty_timeline_is_still_a_picture() {
        let svg = render_svg(&Timeline::default());
        assert!(svg.starts_with("<svg class=\"timeline\""));
        assert!(svg.contains("No cards in this scenario."));
        let mut silent = sample();
        silent.cards[0].taps.clear();
        silent.cards[0].journeys.clear();
        silent.cards[0].charges.clear();
        assert!(render_svg(&silent).contains("Nothing happened on any card"));
    }

    #[test]
    fn the_axis_keeps_order_and_breaks_long_gaps() {
        let times = [0, 600, 1200, 100_000, 100_600];
        let scale = Scale::new(&times, 100.0, 900.0).expect("times");
        assert_eq!(scale.stretches.len(), 2);
        let xs: Vec<f64> = times.iter().map(|&t| scale.x(t)).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        assert!(xs[0] >= 100.0 && xs[4] <= 900.0, "{xs:?}");
        // The quiet day between the stretches takes little more than the break, far less
        // than its share on a linear axis.
        assert!(xs[3] - xs[2] < 2.0 * (xs[2] - xs[0]), "{xs:?}");
        assert_eq!(
            (scale.stretches[1].first, scale.stretches[1].last),
            (100_000, 100_600)
        );
    }

    #[test]
    fn escape_covers_markup_and_control_characters() {
        assert_eq!(
            escape("a<b>&\"c\"'d'\u{1b}[0m"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;\u{FFFD}[0m"
        );
        assert_eq!(signed(Cents::new(-5)), "\u{2212}€0.05");
        assert_eq!(signed(Cents::new(1000)), "+€10.00");
    }
}
