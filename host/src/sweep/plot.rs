//! The sweep as one SVG: latency and GFLOPS against the workload's size (GFLOP, log scale), one
//! line per template and parameter setting; below them, for encoder workloads, one stacked bar per
//! point with each phase kind's share of the run (summed over layers).

use super::{Sweep, SweepPoint};
use plotters::prelude::*;
use std::collections::BTreeMap;

const W: u32 = 1200;
const H_TOP: u32 = 440;
const H_BARS: u32 = 420;

/// Phase kinds in the order they run in a layer, and their colours.
const KINDS: [(&str, RGBColor); 6] = [
    ("embeddings LN", RGBColor(140, 140, 140)),
    ("qkv", RGBColor(31, 119, 180)),
    ("attention", RGBColor(255, 127, 14)),
    ("attn-out+LN", RGBColor(44, 160, 44)),
    ("ffn-up+GELU", RGBColor(214, 39, 40)),
    ("ffn-down+LN", RGBColor(148, 103, 189)),
];

/// Line colours (Tableau's ten, which stay apart on white).
const SERIES: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn kind_of(label: &str) -> usize {
    KINDS.iter().position(|(k, _)| label == *k || label.ends_with(&format!(" {k}"))).unwrap_or(0)
}

fn series_name(p: &SweepPoint) -> String {
    let set = p.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    if set.is_empty() {
        p.template.clone()
    } else {
        format!("{} {set}", p.template)
    }
}

/// A tick label with as many digits as its size needs.
fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Log-axis ticks at 1, 2 and 5 times the powers of ten inside `[lo, hi]`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut v = Vec::new();
    let mut p = 10f64.powf(lo.log10().floor());
    while p <= hi && v.len() < 64 {
        for m in [1.0, 2.0, 5.0] {
            if (lo..=hi).contains(&(m * p)) {
                v.push(m * p);
            }
        }
        p *= 10.0;
    }
    v
}

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("plot: {e}")
}

/// Render `sweep` as an SVG document.
pub fn svg(sweep: &Sweep) -> Result<String, String> {
    if sweep.points.is_empty() {
        return Err("plot: the sweep has no points".into());
    }
    let encoders: Vec<&SweepPoint> = sweep.points.iter().filter(|p| !p.phases.is_empty()).collect();
    let height = H_TOP + if encoders.is_empty() { 0 } else { H_BARS };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, bottom) = root.split_vertically(H_TOP);
        let (left, right) = top.split_horizontally(W / 2);
        let mut series: BTreeMap<String, Vec<(f64, f64, f64)>> = BTreeMap::new();
        for p in &sweep.points {
            series.entry(series_name(p)).or_default().push((p.flops / 1e9, p.result.device_ms, p.result.gflops));
        }
        for s in series.values_mut() {
            s.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let span = |f: &dyn Fn(&(f64, f64, f64)) -> f64| {
            let vals = series.values().flatten().map(f).filter(|v| *v > 0.0 && v.is_finite());
            let (lo, hi) = vals.fold((f64::INFINITY, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
            if lo.is_finite() {
                (lo / 1.5, hi * 1.5)
            } else {
                (0.1, 10.0)
            }
        };
        let (x0, x1) = span(&|t| t.0);
        let (l0, l1) = span(&|t| t.1);
        let g1 = series.values().flatten().map(|t| t.2).fold(0f64, f64::max).max(1.0) * 1.1;
        let peak = sweep.points.first().map_or(0.0, |p| p.result.peak_gflops);
        let title = format!("rsn sweep on the {} backend", sweep.backend);

        let mut lat = ChartBuilder::on(&left)
            .caption(format!("{title}: latency"), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (x0..x1).log_scale().with_key_points(ticks(x0, x1)),
                (l0..l1).log_scale().with_key_points(ticks(l0, l1)),
            )
            .map_err(err)?;
        lat.configure_mesh()
            .x_desc("workload size (GFLOP)")
            .y_desc("device time (ms)")
            .x_label_formatter(&|v| num(*v))
            .y_label_formatter(&|v| num(*v))
            .draw()
            .map_err(err)?;
        let mut thr = ChartBuilder::on(&right)
            .caption(format!("throughput (peak {peak:.0} GFLOPS)"), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((x0..x1).log_scale().with_key_points(ticks(x0, x1)), 0f64..g1.max(peak * 1.02))
            .map_err(err)?;
        thr.configure_mesh()
            .max_light_lines(1)
            .x_desc("workload size (GFLOP)")
            .y_desc("GFLOPS")
            .x_label_formatter(&|v| num(*v))
            .y_label_formatter(&|v| num(*v))
            .draw()
            .map_err(err)?;
        thr.draw_series(LineSeries::new([(x0, peak), (x1, peak)], BLACK.mix(0.4).stroke_width(1)))
            .map_err(err)?
            .label("engine peak")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.4)));
        for (i, (name, pts)) in series.iter().enumerate() {
            let c = SERIES[i % SERIES.len()];
            lat.draw_series(LineSeries::new(pts.iter().map(|t| (t.0, t.1)), c.stroke_width(2)))
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2)));
            lat.draw_series(pts.iter().map(|t| Circle::new((t.0, t.1), 3, c.filled()))).map_err(err)?;
            thr.draw_series(LineSeries::new(pts.iter().map(|t| (t.0, t.2)), c.stroke_width(2))).map_err(err)?;
            thr.draw_series(pts.iter().map(|t| Circle::new((t.0, t.2), 3, c.filled()))).map_err(err)?;
        }
        lat.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        thr.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(err)?;

        if !encoders.is_empty() {
            // Per point: each kind's milliseconds, summed over layers.
            // Bars are labelled by their sizes when they share one workload kind (named on the axis).
            let kind = |w: &str| w.split(':').next().unwrap_or("").to_string();
            let same_kind = encoders.iter().all(|p| kind(&p.workload) == kind(&encoders[0].workload));
            let bars: Vec<(String, [f64; KINDS.len()], bool)> = encoders
                .iter()
                .map(|p| {
                    let mut v = [0f64; KINDS.len()];
                    for ph in &p.phases {
                        v[kind_of(&ph.label)] += ph.ms;
                    }
                    let name = if same_kind { p.workload.split(':').nth(1).unwrap_or("") } else { &p.workload };
                    let set = p.params.values().cloned().collect::<Vec<_>>().join(",");
                    let label = if set.is_empty() { name.to_string() } else { format!("{name} [{set}]") };
                    (label, v, p.phases.iter().all(|ph| ph.measured_cycles.is_some()))
                })
                .collect();
            let x_desc = if same_kind {
                let args = if encoders[0].workload.starts_with("bert-large:") { "B,S,L" } else { "B,S" };
                format!("{}:{args}", kind(&encoders[0].workload))
            } else {
                "workload".to_string()
            };
            let top_ms = bars.iter().map(|b| b.1.iter().sum::<f64>()).fold(0f64, f64::max).max(1e-6) * 1.08;
            let n = bars.len();
            let measured = bars.iter().all(|b| b.2);
            let mut chart = ChartBuilder::on(&bottom)
                .caption(
                    format!(
                        "encoder phases ({}; phases overlap: each bar segment is what a phase adds to the run)",
                        if measured { "measured on the model's timeline" } else { "roofline estimates" }
                    ),
                    ("sans-serif", 16),
                )
                .margin(12)
                .x_label_area_size(48)
                .y_label_area_size(64)
                .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top_ms)
                .map_err(err)?;
            let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
            chart
                .configure_mesh()
                .disable_x_mesh()
                .max_light_lines(1)
                .x_labels(n.max(2))
                .x_label_formatter(&|v| {
                    let i = v.round();
                    if (v - i).abs() < 0.01 && i >= 0.0 {
                        labels.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .x_label_style(("sans-serif", 11))
                .x_desc(x_desc)
                .y_desc("device time (ms)")
                .y_label_formatter(&|v| num(*v))
                .draw()
                .map_err(err)?;
            for (k, (name, color)) in KINDS.iter().enumerate() {
                let c = *color;
                chart
                    .draw_series(bars.iter().enumerate().map(|(i, b)| {
                        let base: f64 = b.1[..k].iter().sum();
                        let x = i as f64;
                        Rectangle::new([(x - 0.35, base), (x + 0.35, base + b.1[k])], c.filled())
                    }))
                    .map_err(err)?
                    .label(*name)
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(("sans-serif", 12))
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}
