//! The arithmetic of the SPA's charts and figures, apart from the DOM so that its tests run on the
//! host (`cargo test`) without building the SPA: the y scale, axis ticks, which periods get a
//! label, the runs a line is drawn in, a chart's spoken summary, and numbers as the viewer's locale
//! writes them (through the browser's `Intl` in the SPA; plainly elsewhere).

/// The y scale: `intervals` gridline steps of `step` each, the top one at or above `max`. Steps are
/// whole numbers (everything charted is a count or seconds) of 1, 2, 2.5 or 5 times a power of
/// ten, the smallest that needs at most five intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub step: f64,
    pub intervals: u32,
}

impl Scale {
    pub fn to_fit(max: f64) -> Self {
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

    pub fn top(self) -> f64 {
        self.step * f64::from(self.intervals)
    }
}

/// An axis value, short enough for the margin: `950`, `2.5k`, `12k`, `1.2M`.
pub fn format_tick(v: f64) -> String {
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

/// A figure in full, as the viewer's locale writes numbers ("12,345", "12.345", "12 345").
pub fn number(v: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &1.into());
        let format = js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &options);
        if let Some(text) = format
            .format()
            .call1(&wasm_bindgen::JsValue::NULL, &v.into())
            .ok()
            .and_then(|s| s.as_string())
        {
            return text;
        }
    }
    format!("{}", (v * 10.0).round() / 10.0)
}

/// Which of `count` slots to label so that labels are at least `min_gap` px apart on `plot_w` px.
pub fn labelled(count: usize, plot_w: f64, min_gap: f64) -> usize {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let fit = ((plot_w / min_gap).floor() as usize).max(1);
    count.div_ceil(fit).max(1)
}

/// Runs of consecutive present values, as `(index, value)` lists: a line is drawn per run.
pub fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The largest present value (0 when none).
pub fn max_of<'a>(values: impl Iterator<Item = &'a Option<f64>>) -> f64 {
    values.flatten().copied().fold(0.0, f64::max)
}

/// "Sessions: 2,401 in all" for summable series; otherwise the highest and the latest figure.
pub fn describe(label: &str, values: &[Option<f64>], summable: bool) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    match (present.last(), summable) {
        (None, _) => format!("{label}: no data"),
        (Some(_), true) => format!("{label}: {} in all", number(present.iter().sum())),
        (Some(last), false) => format!(
            "{label}: highest {}, latest {}",
            number(present.iter().copied().fold(f64::MIN, f64::max)),
            number(*last)
        ),
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
    }

    #[test]
    fn gaps_split_a_line_and_labels_thin_out_on_narrow_charts() {
        assert_eq!(
            runs(&[Some(1.0), Some(2.0), None, Some(4.0)]),
            vec![vec![(0, 1.0), (1, 2.0)], vec![(3, 4.0)]]
        );
        assert!(runs(&[None, None]).is_empty());
        assert_eq!(
            labelled(30, 300.0, 64.0),
            8,
            "300 px fits four labels: every 8th of 30"
        );
        assert_eq!(
            labelled(7, 900.0, 64.0),
            1,
            "a wide chart labels every period"
        );
        assert_eq!(
            describe("Sessions", &[Some(2.0), None, Some(3.0)], true),
            "Sessions: 5 in all"
        );
        assert_eq!(
            describe("Active devices", &[Some(9.0), Some(4.0), None], false),
            "Active devices: highest 9, latest 4"
        );
        assert_eq!(describe("Seconds", &[None], false), "Seconds: no data");
    }
}
