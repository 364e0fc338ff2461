//! Charts drawn as inline SVG (no chart library, nothing fetched): a line chart for figures over
//! time, a bar chart for counts per bucket, and share bars for breakdowns.

use leptos::prelude::*;
use types::devices::Share;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
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

/// A "nice" axis maximum at or above `max`: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * magnitude)
}

fn format_tick(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Gridlines with their values, and up to eight x labels.
fn axes(max: f64, labels: &[String]) -> impl IntoView {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let grid = (0..=4)
        .map(|i| {
            let value = max * f64::from(i) / 4.0;
            let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
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
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
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
        .map(|s| format!("{}: total {}", s.label, format_tick(s.values.iter().sum())))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <figure class="chart">
            <figcaption><strong>{title}</strong><span class="legend">{legend}</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=format!("{title}. {summary}")>
                {axes(max, &labels)}
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
    let max = nice_max(values.iter().copied().fold(0.0, f64::max));
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
            <figcaption><strong>{title}</strong><span class="muted small">{format!("{} in total", format_tick(total))}</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=format!("{title}: {} in total", format_tick(total))>
                {axes(max, &labels)}
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
            <div class="card-head"><h3>{title}</h3></div>
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
