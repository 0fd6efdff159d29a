//! The SVG chart: grouped bars per benchmark, one bar per column, on a log-scale y axis of
//! speedup relative to the baseline column (or of wall time when there are no speedups to show).

use std::fmt::Write as _;

use super::report::{ratio, seconds};
use super::Results;

/// Colour-blind-safe palette (Paul Tol's "bright", then the dark blue of his "high-contrast"
/// and the olive of his "muted", so the eight default columns get eight colours), indexed by
/// column.
const PALETTE: [&str; 9] = [
    "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#004488",
    "#999933",
];

const BAR_W: f64 = 12.0;
const GROUP_GAP: f64 = 16.0;
const LEFT: f64 = 120.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 92.0;
const PLOT_H: f64 = 320.0;
const BOTTOM: f64 = 130.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What one bar shows.
struct Bar {
    series: usize,
    /// `None` for a failed cell (drawn as a red cross).
    value: Option<f64>,
    wrong: bool,
    tooltip: String,
}

struct Group {
    label: String,
    bars: Vec<Bar>,
}

/// Renders the chart for `r`.
pub fn render(r: &Results) -> String {
    let base = r.baseline;
    let speedups = r.rows.iter().any(|row| {
        row.cells
            .iter()
            .enumerate()
            .any(|(c, cell)| c != base && cell.as_ref().is_some_and(|x| x.speedup.is_some()))
    });
    // In speedup mode the baseline's bars would all be 1, so it is the reference line instead.
    let series: Vec<usize> = (0..r.columns.len())
        .filter(|&c| !speedups || c != base)
        .collect();
    let mut groups: Vec<Group> = r
        .rows
        .iter()
        .map(|row| {
            let label = format!("{} {}", r.row_label(row), row.size);
            let bars = series
                .iter()
                .enumerate()
                .filter_map(|(s, &c)| {
                    let cell = row.cells[c].as_ref()?;
                    let value = if cell.failure.is_some() {
                        None
                    } else if speedups {
                        cell.speedup
                    } else {
                        cell.time.map(|t| t.median)
                    };
                    if value.is_none() && cell.failure.is_none() {
                        return None;
                    }
                    let name = &r.columns[c].name;
                    let shown = match (value, speedups) {
                        (None, _) => format!("failed: {}", cell.failure.as_deref().unwrap_or("")),
                        (Some(v), true) => format!(
                            "{}x ({})",
                            ratio(v),
                            cell.time.map(|t| seconds(t.median)).unwrap_or_default()
                        ),
                        (Some(v), false) => seconds(v),
                    };
                    let wrong = if cell.mismatch.is_some() {
                        " WRONG OUTPUT"
                    } else {
                        ""
                    };
                    Some(Bar {
                        series: s,
                        value,
                        wrong: cell.mismatch.is_some(),
                        tooltip: format!("{} {name}: {shown}{wrong}", r.row_label(row)),
                    })
                })
                .collect();
            Group { label, bars }
        })
        .collect();
    groups.retain(|g| !g.bars.is_empty());
    if speedups {
        let bars = series
            .iter()
            .enumerate()
            .filter_map(|(s, &c)| {
                let (g, n) = r.geomean_all[c]?;
                let tooltip = format!("geomean {}: {}x over {n} rows", r.columns[c].name, ratio(g));
                Some(Bar {
                    series: s,
                    value: Some(g),
                    wrong: false,
                    tooltip,
                })
            })
            .collect();
        groups.push(Group {
            label: "geomean".to_string(),
            bars,
        });
    }

    let values: Vec<f64> = groups
        .iter()
        .flat_map(|g| g.bars.iter().filter_map(|b| b.value))
        .filter(|v| v.is_finite() && *v > 0.0)
        .chain(speedups.then_some(1.0))
        .collect();
    let (lo, hi) = axis_range(&values);
    let (lo_e, hi_e) = (lo.log10(), hi.log10());
    let y_of = |v: f64| TOP + PLOT_H * (hi_e - v.log10()) / (hi_e - lo_e);
    let floor_y = TOP + PLOT_H;
    let origin_y = if speedups { y_of(1.0) } else { floor_y };

    let n_series = series.len().max(1) as f64;
    let m = &r.machine;
    let base_name = esc(&r.columns[base].name);
    let title = if speedups {
        format!("Speedup vs {base_name}")
    } else {
        "Wall time".to_string()
    };
    let title = format!(
        "{title} — {}, {} cores — {}",
        esc(&m.cpu),
        m.cores,
        esc(m.day())
    );
    // The legend's width, as it is laid out below: a swatch and about 7 px per character
    // for each series, then the baseline's line.
    let legend_label = |name: &str| 28.0 + 7.0 * name.chars().count() as f64;
    let legend_w = series
        .iter()
        .map(|&c| legend_label(&r.columns[c].name))
        .sum::<f64>()
        + if speedups {
            legend_label(&format!("{} = 1x (baseline)", r.columns[base].name))
        } else {
            0.0
        };
    // Groups spread over the plot; it is at least wide enough for the title (under 10 px per
    // character at 16 px bold), for the legend (eight columns by default) and for the rotated
    // labels not to collide.
    let n_groups = groups.len().max(1) as f64;
    let natural = (n_series * BAR_W + GROUP_GAP).max(30.0);
    let plot_w = (n_groups * natural)
        .max(480.0)
        .max(title.chars().count() as f64 * 10.0)
        .max(legend_w);
    let group_w = plot_w / n_groups;
    let width = LEFT + plot_w + RIGHT;
    let height = TOP + PLOT_H + BOTTOM;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{title}</text>"#
    );
    let runs = if r.runs == 1 {
        "1 run".to_string()
    } else {
        format!("median of {} runs", r.runs)
    };
    let sub = if speedups {
        format!("{runs}; log scale; above the line is faster than {base_name}, below is slower")
    } else {
        format!("{runs}; log scale; lower is faster")
    };
    let _ = writeln!(s, r##"<text x="{LEFT}" y="44" fill="#555">{sub}</text>"##);

    // Legend.
    let mut x = LEFT;
    for (i, &c) in series.iter().enumerate() {
        let name = esc(&r.columns[c].name);
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="58" width="12" height="12" fill="{}"/><text x="{}" y="69">{name}</text>"#,
            PALETTE[i % PALETTE.len()],
            x + 16.0
        );
        x += 28.0 + 7.0 * name.len() as f64;
    }
    if speedups {
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="64" x2="{}" y2="64" stroke="#000" stroke-dasharray="5,3"/><text x="{}" y="69">{base_name} = 1x (baseline)</text>"##,
            x + 18.0,
            x + 22.0
        );
    }

    // Grid and y axis labels at the 1-2-5 steps in range (only decades when the range is wide).
    for v in ticks(lo, hi) {
        let y = y_of(v);
        let stroke = if (v.log10() - v.log10().round()).abs() < 1e-9 {
            "#ccc"
        } else {
            "#eee"
        };
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{stroke}"/>"#,
            LEFT + plot_w
        );
        let text = if speedups {
            format!("{}x", tick_label(v))
        } else {
            seconds(v)
        };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{text}</text>"#,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let axis = if speedups {
        format!("speedup vs {base_name} (log scale)")
    } else {
        "wall time, median (log scale)".to_string()
    };
    let mid = TOP + PLOT_H / 2.0;
    let _ = writeln!(
        s,
        r#"<text transform="translate(18,{mid:.1}) rotate(-90)" text-anchor="middle">{axis}</text>"#
    );
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{floor_y}" stroke="#333"/><line x1="{LEFT}" y1="{floor_y}" x2="{:.1}" y2="{floor_y}" stroke="#333"/>"##,
        LEFT + plot_w
    );

    // Bars.
    for (g, group) in groups.iter().enumerate() {
        let gx = LEFT + g as f64 * group_w + (group_w - n_series * BAR_W) / 2.0;
        for bar in &group.bars {
            let bx = gx + bar.series as f64 * BAR_W;
            let tip = esc(&bar.tooltip);
            match bar.value {
                Some(v) if v > 0.0 && v.is_finite() => {
                    let y = y_of(v);
                    let (top, h) = if y < origin_y {
                        (y, origin_y - y)
                    } else {
                        (origin_y, y - origin_y)
                    };
                    let stroke = if bar.wrong {
                        r##" stroke="#d00" stroke-width="2""##
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        s,
                        r#"<rect x="{bx:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"{stroke}><title>{tip}</title></rect>"#,
                        BAR_W - 1.0,
                        h.max(1.0),
                        PALETTE[bar.series % PALETTE.len()]
                    );
                }
                _ => {
                    let _ = writeln!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#d00" font-weight="bold">✕<title>{tip}</title></text>"##,
                        bx + BAR_W / 2.0,
                        origin_y - 3.0
                    );
                }
            }
        }
        let lx = gx + n_series * BAR_W / 2.0;
        let ly = floor_y + 12.0;
        let weight = if group.label == "geomean" {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<text transform="translate({lx:.1},{ly:.1}) rotate(-40)" text-anchor="end"{weight}>{}</text>"#,
            esc(&group.label)
        );
    }
    if speedups {
        let y = y_of(1.0);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#000" stroke-dasharray="5,3"/>"##,
            LEFT + plot_w
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The 1-2-5 steps (`..., 0.5, 1, 2, 5, 10, ...`) from one decade below `lo` to one above `hi`.
fn steps(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
    (first..=last)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|k| k * 10f64.powi(e)))
        .collect()
}

/// The y axis range for positive `values`: the 1-2-5 steps just enclosing them, widened to
/// whole decades when they span more than three, and never empty.
fn axis_range(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    if !lo.is_finite() || hi <= 0.0 {
        return (0.1, 10.0);
    }
    let s = steps(lo, hi);
    let mut low = s
        .iter()
        .copied()
        .filter(|v| *v <= lo * (1.0 + 1e-9))
        .fold(s[0], f64::max);
    let mut high = s
        .iter()
        .copied()
        .find(|v| *v >= hi * (1.0 - 1e-9))
        .unwrap_or(hi);
    if high / low > 1000.0 {
        low = 10f64.powf(low.log10().floor());
        high = 10f64.powf(high.log10().ceil());
    }
    if high <= low * (1.0 + 1e-9) {
        low = s
            .iter()
            .copied()
            .filter(|v| *v < low * (1.0 - 1e-9))
            .fold(s[0], f64::max);
        high = s
            .iter()
            .copied()
            .find(|v| *v > high * (1.0 + 1e-9))
            .unwrap_or(high * 2.0);
    }
    (low, high)
}

/// The grid values between `lo` and `hi`: 1-2-5 steps, or only decades over a wide range.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let decades_only = hi / lo > 1000.0;
    steps(lo, hi)
        .into_iter()
        .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
        .filter(|v| !decades_only || (v.log10() - v.log10().round()).abs() < 1e-9)
        .collect()
}

/// A tick value without trailing zeros: `0.05`, `0.5`, `1`, `20`.
fn tick_label(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ranges() {
        assert_eq!(axis_range(&[1.0, 2.36]), (1.0, 5.0));
        assert_eq!(axis_range(&[0.6, 1.0, 12.0]), (0.5, 20.0));
        assert_eq!(axis_range(&[1.0]), (0.5, 2.0));
        assert_eq!(axis_range(&[0.004, 1.0, 30.0]), (0.001, 100.0));
        assert_eq!(axis_range(&[]), (0.1, 10.0));
        assert_eq!(ticks(0.5, 20.0), vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0]);
        assert_eq!(ticks(0.001, 100.0).len(), 6);
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(20.0), "20");
    }

    #[test]
    fn escapes_text() {
        assert_eq!(esc("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
