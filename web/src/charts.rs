//! Charts drawn as inline SVG (no chart library, nothing fetched): a line chart for figures over
//! time, a bar chart for counts per bucket, and share bars for breakdowns.

use leptos::prelude::*;
use types::devices::Share;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// One line of a line chart.
#[derive(Clone)]
pub struct Series {
    pub label: &'static str,
    /// A CSS class giving the colour (`series-1`, `series-2`, ...).
    pub class: &'static str,
    pub values: Vec<f64>,
}

/// The y scale: `intervals` gridline steps of `step` each, the top one at or above `max`. Steps are
/// whole numbers (everything charted is a count or seconds) of 1, 2, 2.5 or 5 times a power of
/// ten, the smallest that needs at most five intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    step: f64,
    intervals: u32,
}

impl Scale {
    fn to_fit(max: f64) -> Self {
        if !max.is_finite() || max <= 0.0 {
            return Self {
                step: 1.0,
                intervals: 4,
            };
        }
        let mut magnitude = 1.0_f64;
        loop {
            for m in [1.0_f64, 2.0, 2.5, 5.0] {
                let step = m * magnitude;
                if step.fract() != 0.0 {
                    continue;
                }
                if let Some(intervals) = (1..=5_u32).find(|&k| step * f64::from(k) >= max) {
                    return Self { step, intervals };
                }
            }
            magnitude *= 10.0;
        }
    }

    fn top(self) -> f64 {
        self.step * f64::from(self.intervals)
    }
}

/// An axis value, short enough for the margin: `950`, `2.5k`, `12k`, `1.2M`.
fn format_tick(v: f64) -> String {
    let (scaled, unit) = if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    if scaled.fract() == 0.0 || scaled >= 10.0 {
        format!("{scaled:.0}{unit}")
    } else {
        format!("{scaled:.1}{unit}")
    }
}

/// A total, in full with thousands separators: `12,345`.
fn format_total(v: f64) -> String {
    let digits = format!("{:.0}", v.round());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 && c.is_ascii_digit() {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Gridlines with their values, and up to eight x labels.
fn axes(scale: Scale, labels: &[String]) -> impl IntoView {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let grid = (0..=scale.intervals)
        .map(|i| {
            let value = scale.step * f64::from(i);
            let y = TOP + plot_h - plot_h * f64::from(i) / f64::from(scale.intervals);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y/>
                <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{format_tick(value)}</text>
            }
        })
        .collect_view();
    let n = labels.len().max(1);
    let step = n.div_ceil(8);
    let ticks = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, label)| {
            let x = LEFT + plot_w * (i as f64 + 0.5) / n as f64;
            view! { <text class="tick" x=x y=HEIGHT - 6.0 text-anchor="middle">{label.clone()}</text> }
        })
        .collect_view();
    view! { {grid} {ticks} }
}

/// Figures over time as lines, one per series, over shared x labels.
#[component]
pub fn LineChart(title: &'static str, labels: Vec<String>, series: Vec<Series>) -> impl IntoView {
    let scale = Scale::to_fit(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let max = scale.top();
    let n = labels.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = move |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;
    let y = move |v: f64| TOP + plot_h - plot_h * v / max;
    let legend = series
        .iter()
        .map(|s| view! { <span class="legend-item"><span class=format!("swatch {}", s.class)></span>{s.label}</span> })
        .collect_view();
    let lines = series
        .iter()
        .map(|s| {
            let points: String = s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect::<Vec<_>>()
                .join(" ");
            let dots = (s.values.len() <= 40).then(|| {
                s.values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| view! { <circle class=format!("dot {}", s.class) cx=x(i) cy=y(*v) r="3"/> })
                    .collect_view()
            });
            view! { <polyline class=format!("line {}", s.class) points=points/> {dots} }
        })
        .collect_view();
    let summary = series
        .iter()
        .map(|s| format!("{}: total {}", s.label, format_total(s.values.iter().sum())))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <figure class="chart">
            <figcaption><strong>{title}</strong><span class="legend">{legend}</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=format!("{title}. {summary}")>
                {axes(scale, &labels)}
                {lines}
            </svg>
        </figure>
    }
}

/// Counts per bucket as bars.
#[component]
pub fn BarChart(
    title: &'static str,
    class: &'static str,
    labels: Vec<String>,
    values: Vec<f64>,
) -> impl IntoView {
    let scale = Scale::to_fit(values.iter().copied().fold(0.0, f64::max));
    let max = scale.top();
    let n = values.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = plot_h * v / max;
            view! {
                <rect class=format!("bar {class}") x=LEFT + slot * i as f64 + (slot - bar_w) / 2.0
                    y=TOP + plot_h - h width=bar_w height=h rx="2"/>
            }
        })
        .collect_view();
    let total: f64 = values.iter().sum();
    view! {
        <figure class="chart">
            <figcaption><strong>{title}</strong><span class="muted small">{format!("{} in total", format_total(total))}</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=format!("{title}: {} in total", format_total(total))>
                {axes(scale, &labels)}
                {bars}
            </svg>
        </figure>
    }
}

/// A breakdown as horizontal share bars: value, bar, count and percentage.
#[component]
pub fn ShareBars(title: &'static str, shares: Vec<Share>) -> impl IntoView {
    view! {
        <section class="card breakdown" aria-label=title>
            <div class="card-head"><h2>{title}</h2></div>
            {if shares.is_empty() {
                view! { <p class="muted pad">"No devices yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="share-list">
                        {shares.into_iter().map(|s| {
                            let label = match s.platform {
                                Some(p) => format!("{} {}", platform_name(p), s.value),
                                None if s.value == "ios" || s.value == "android" => platform_name(s.value.parse().unwrap_or(types::devices::Platform::Android)).to_owned(),
                                None => s.value.clone(),
                            };
                            let percent = s.share * 100.0;
                            view! {
                                <li>
                                    <span class="share-label" title=label.clone()>{label.clone()}</span>
                                    <span class="share-track"><span class="share-fill" style=format!("width: {percent:.1}%")></span></span>
                                    <span class="share-figure">{format!("{} · {percent:.0}%", s.count)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

pub fn platform_name(p: types::devices::Platform) -> &'static str {
    match p {
        types::devices::Platform::Ios => "iOS",
        types::devices::Platform::Android => "Android",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(max: f64) -> (f64, u32) {
        let s = Scale::to_fit(max);
        (s.step, s.intervals)
    }

    #[test]
    fn scales_use_whole_round_steps_and_at_most_five_intervals() {
        assert_eq!(scale(0.0), (1.0, 4), "an empty chart still has an axis");
        assert_eq!(scale(3.0), (1.0, 3));
        assert_eq!(scale(50.0), (10.0, 5));
        assert_eq!(scale(37.0), (10.0, 4));
        assert_eq!(scale(6.0), (2.0, 3));
        assert_eq!(scale(11.0), (5.0, 3));
        assert_eq!(scale(120.0), (25.0, 5));
        assert_eq!(scale(730.0), (200.0, 4));
        assert_eq!(scale(0.4), (1.0, 1));
        assert_eq!(scale(f64::NAN), (1.0, 4), "no endless search for a step");
        for max in [1.0, 7.0, 99.0, 101.0, 2_345.0, 1_000_000.0] {
            let (step, intervals) = scale(max);
            assert!(step * f64::from(intervals) >= max && intervals <= 5 && step.fract() == 0.0);
        }
    }

    #[test]
    fn ticks_are_short_and_totals_are_in_full() {
        assert_eq!(format_tick(950.0), "950");
        assert_eq!(format_tick(2_500.0), "2.5k");
        assert_eq!(format_tick(12_000.0), "12k");
        assert_eq!(format_tick(1_200_000.0), "1.2M");
        assert_eq!(format_total(12_345.0), "12,345");
        assert_eq!(format_total(999.0), "999");
        assert_eq!(format_total(1_000_000.0), "1,000,000");
    }
}
