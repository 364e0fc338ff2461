//! Charts drawn as inline SVG (no chart library, nothing fetched): a line chart for figures over
//! time, a bar chart for counts per bucket, and share bars for breakdowns.
//!
//! A chart is drawn at the pixel width of its card (and again when the window changes), so its
//! labels keep their 11 px on a phone and in the small charts. Pointing at a period, or moving
//! through the periods with the arrow keys once the chart has the focus, shows that period's
//! figures. Periods without data are gaps, not zeros; a period that is not over yet is marked as
//! partial.

use figures::{describe, format_tick, labelled, max_of, runs, Scale};
use leptos::prelude::*;
use types::devices::Share;

pub use figures::number;

const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// One period of a chart: its short axis label, its name in full, and whether it is not over yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Period {
    pub tick: String,
    pub name: String,
    pub partial: bool,
}

/// What the tooltip lists for each series: its label, its colour class, its values.
type Row = (&'static str, &'static str, Vec<Option<f64>>);

/// One line of a line chart.
#[derive(Clone)]
pub struct Series {
    pub label: &'static str,
    /// A CSS class giving the colour (`series-1`, `series-2`, ...).
    pub class: &'static str,
    /// `None`: no data for that period (drawn as a gap).
    pub values: Vec<Option<f64>>,
    /// Whether adding the periods up means something (sessions do; distinct active devices and
    /// averages do not): only then does the chart's summary give a total.
    pub summable: bool,
}

/// The pixel width of a chart's card, read when it is drawn and again when the window resizes.
fn card_width(figure: NodeRef<leptos::html::Figure>) -> RwSignal<f64> {
    let width = RwSignal::new(0.0);
    let measure = move || {
        if let Some(el) = figure.get_untracked() {
            let w = f64::from(el.client_width()) - 40.0;
            if w > 0.0 && (w - width.get_untracked()).abs() >= 1.0 {
                width.set(w);
            }
        }
    };
    Effect::new(move |_| {
        if figure.get().is_some() {
            measure();
        }
    });
    let listener = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || listener.remove());
    width
}

/// What the chart says about the period under the pointer or the arrow keys.
fn tooltip(
    active: RwSignal<Option<usize>>,
    periods: StoredValue<Vec<Period>>,
    rows: StoredValue<Vec<Row>>,
    width: RwSignal<f64>,
) -> impl IntoView {
    move || {
        let i = active.get()?;
        let period = periods.with_value(|p| p.get(i).cloned())?;
        let n = periods.with_value(Vec::len).max(1);
        #[allow(clippy::cast_precision_loss)]
        let x = LEFT + (width.get() - LEFT - RIGHT) * (i as f64 + 0.5) / n as f64;
        let lines = rows.with_value(|rows| {
            rows.iter()
                .map(|(label, class, values)| {
                    let value = values.get(i).copied().flatten();
                    let text = value.map_or_else(|| "no data".to_owned(), number);
                    view! { <li><span class=format!("swatch {class}")></span>{format!("{label}: {text}")}</li> }
                })
                .collect_view()
        });
        Some(view! {
            <div class="chart-tip" style:left=format!("{x:.0}px")>
                <strong>{period.name}</strong>
                {period.partial.then(|| view! { <span class="muted">" (not over yet)"</span> })}
                <ul>{lines}</ul>
            </div>
        })
    }
}

/// The frame every chart shares: caption, the SVG at the card's width with the keyboard and
/// pointer reading periods, the tooltip (also read out by screen readers), and the partial note.
#[component]
fn Frame(
    title: &'static str,
    caption: AnyView,
    summary: String,
    periods: Vec<Period>,
    rows: Vec<Row>,
    /// Draws the plot for a pixel width.
    draw: Box<dyn Fn(f64) -> AnyView + Send + Sync>,
) -> impl IntoView {
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = card_width(figure);
    let active = RwSignal::new(None::<usize>);
    let count = periods.len();
    let partial = periods.iter().any(|p| p.partial);
    let periods = StoredValue::new(periods);
    let rows = StoredValue::new(rows);
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let last = count.saturating_sub(1);
        let now = active.get_untracked().unwrap_or(last);
        let next = match ev.key().as_str() {
            "ArrowLeft" => now.saturating_sub(1),
            "ArrowRight" => (now + 1).min(last),
            "Home" => 0,
            "End" => last,
            "Escape" => {
                active.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        active.set(Some(next));
    };
    let hits = move |w: f64| {
        let slot = (w - LEFT - RIGHT) / count.max(1) as f64;
        (0..count)
            .map(|i| {
                view! {
                    <rect class="hit" x=LEFT + slot * i as f64 y=TOP width=slot height=HEIGHT - TOP - BOTTOM
                        on:mouseenter=move |_| active.set(Some(i))/>
                }
            })
            .collect_view()
    };
    view! {
        <figure class="chart" node_ref=figure>
            <figcaption>{caption}</figcaption>
            <div class="chart-body" on:mouseleave=move |_| active.set(None)>
                {move || {
                    let w = width.get();
                    (w > 0.0).then(|| view! {
                        <svg
                            width=w height=HEIGHT viewBox=format!("0 0 {w} {HEIGHT}")
                            role="group" tabindex="0"
                            aria-label=format!("{title}. {summary}. Arrow keys: the figures of each period.")
                            on:keydown=keys
                            on:focus=move |_| active.set(Some(count.saturating_sub(1)))
                            on:blur=move |_| active.set(None)
                        >
                            {draw(w)}
                            {hits(w)}
                        </svg>
                    })
                }}
                <div role="status" aria-live="polite">{tooltip(active, periods, rows, width)}</div>
            </div>
            {partial.then(|| view! { <p class="chart-note muted small">"Dashed: a period that is not over yet, so its figures are partial."</p> })}
        </figure>
    }
}

/// Gridlines with their values, and as many x labels as fit.
fn axes(scale: Scale, periods: &[Period], width: f64) -> impl IntoView {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = width - LEFT - RIGHT;
    let grid = (0..=scale.intervals)
        .map(|i| {
            let value = scale.step * f64::from(i);
            let y = TOP + plot_h - plot_h * f64::from(i) / f64::from(scale.intervals);
            view! {
                <line class="grid" x1=LEFT x2=width - RIGHT y1=y y2=y/>
                <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{format_tick(value)}</text>
            }
        })
        .collect_view();
    let n = periods.len().max(1);
    let every = labelled(n, plot_w, 64.0);
    let ticks = periods
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, p)| {
            let x = LEFT + plot_w * (i as f64 + 0.5) / n as f64;
            view! { <text class="tick" x=x y=HEIGHT - 6.0 text-anchor="middle">{p.tick.clone()}</text> }
        })
        .collect_view();
    view! { {grid} {ticks} }
}

/// Figures over time as lines, one per series, over shared periods.
#[component]
pub fn LineChart(title: &'static str, periods: Vec<Period>, series: Vec<Series>) -> impl IntoView {
    let scale = Scale::to_fit(max_of(series.iter().flat_map(|s| s.values.iter())));
    let legend = series
        .iter()
        .map(|s| view! { <span class="legend-item"><span class=format!("swatch {}", s.class)></span>{s.label}</span> })
        .collect_view();
    let caption = view! { <strong>{title}</strong><span class="legend">{legend}</span> }.into_any();
    let summary = series
        .iter()
        .map(|s| describe(s.label, &s.values, s.summable))
        .collect::<Vec<_>>()
        .join("; ");
    let rows = series
        .iter()
        .map(|s| (s.label, s.class, s.values.clone()))
        .collect();
    let partial: Vec<bool> = periods.iter().map(|p| p.partial).collect();
    let for_axes = periods.clone();
    let draw = move |w: f64| {
        let n = for_axes.len().max(1);
        let plot_w = w - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let x = move |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;
        let y = move |v: f64| TOP + plot_h - plot_h * v / scale.top();
        let lines = series
            .iter()
            .map(|s| {
                runs(&s.values)
                    .into_iter()
                    .map(|run| {
                        // The segment into a partial period is dashed.
                        let segments = run
                            .windows(2)
                            .map(|pair| {
                                let ((i, a), (j, b)) = (pair[0], pair[1]);
                                let dashed = partial.get(j).copied().unwrap_or(false)
                                    || partial.get(i).copied().unwrap_or(false);
                                view! {
                                    <line class=format!("line {}", s.class) class:partial=dashed
                                        x1=x(i) y1=y(a) x2=x(j) y2=y(b)/>
                                }
                            })
                            .collect_view();
                        let dots = run
                            .iter()
                            .map(|&(i, v)| view! { <circle class=format!("dot {}", s.class) cx=x(i) cy=y(v) r="3"/> })
                            .collect_view();
                        view! { {segments} {dots} }
                    })
                    .collect_view()
            })
            .collect_view();
        view! { {axes(scale, &for_axes, w)} {lines} }.into_any()
    };
    view! { <Frame title=title caption=caption summary=summary periods=periods rows=rows draw=Box::new(draw)/> }
}

/// Counts per period as bars; `total` when adding them up means something.
#[component]
pub fn BarChart(
    title: &'static str,
    class: &'static str,
    periods: Vec<Period>,
    values: Vec<Option<f64>>,
) -> impl IntoView {
    let scale = Scale::to_fit(max_of(values.iter()));
    let summary = describe(title, &values, true);
    let caption = view! {
        <strong>{title}</strong>
        <span class="muted small">{format!("{} in all", number(values.iter().flatten().sum()))}</span>
    }
    .into_any();
    let rows = vec![(title, class, values.clone())];
    let for_axes = periods.clone();
    let draw = move |w: f64| {
        let n = values.len().max(1);
        let plot_w = w - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let slot = plot_w / n as f64;
        let bar_w = (slot * 0.7).max(1.0);
        let bars = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .map(|(i, v)| {
                let h = plot_h * v / scale.top();
                let partial = for_axes.get(i).is_some_and(|p| p.partial);
                view! {
                    <rect class=format!("bar {class}") class:partial=partial
                        x=LEFT + slot * i as f64 + (slot - bar_w) / 2.0
                        y=TOP + plot_h - h width=bar_w height=h rx="2"/>
                }
            })
            .collect_view();
        view! { {axes(scale, &for_axes, w)} {bars} }.into_any()
    };
    view! { <Frame title=title caption=caption summary=summary periods=periods rows=rows draw=Box::new(draw)/> }
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
                                    <span class="share-track"><span class="share-fill" style:width=format!("{percent:.1}%")></span></span>
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
