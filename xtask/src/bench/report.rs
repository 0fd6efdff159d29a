//! The benchmark report: text tables for people (time, speedup, memory, engine phases, problems)
//! and a JSON document for machines with every raw sample.

use std::fmt::Write as _;

use super::json::Json;
use super::{Cell, ColumnKind, Results, SuiteKind};

const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// One table cell: its text and whether it reports a problem (shown in red on a terminal).
struct Text {
    text: String,
    bad: bool,
}

impl Text {
    fn ok(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            bad: false,
        }
    }

    fn bad(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            bad: true,
        }
    }
}

/// Lays out a table: the first column left-aligned, the others right-aligned.
fn table(out: &mut String, header: &[String], rows: &[Vec<Text>], color: bool) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.text.chars().count());
        }
    }
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = (&str, bool)>| {
        let mut text = String::new();
        for (i, ((cell, bad), width)) in cells.zip(&widths).enumerate() {
            let padded = if i == 0 {
                format!("{cell:<width$}")
            } else {
                format!("  {cell:>width$}")
            };
            if bad && color {
                let _ = write!(text, "{RED}{padded}{RESET}");
            } else {
                text.push_str(&padded);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(out, &mut header.iter().map(|h| (h.as_str(), false)));
    for row in rows {
        line(out, &mut row.iter().map(|c| (c.text.as_str(), c.bad)));
    }
}

fn heading(out: &mut String, text: &str, color: bool) {
    if color {
        let _ = writeln!(out, "\n{BOLD}{text}{RESET}");
    } else {
        let _ = writeln!(out, "\n{text}");
    }
}

/// `1.23s`, `456ms`, `7.8ms`, `58µs`.
pub fn seconds(t: f64) -> String {
    if t >= 9.995 {
        format!("{t:.1}s")
    } else if t >= 0.9995 {
        format!("{t:.2}s")
    } else if t >= 0.009995 {
        format!("{:.0}ms", t * 1e3)
    } else if t >= 0.0009995 {
        format!("{:.1}ms", t * 1e3)
    } else {
        format!("{:.0}µs", t * 1e6)
    }
}

/// Three significant digits for a speedup: `0.123`, `1.23`, `12.3`, `123`.
pub fn ratio(r: f64) -> String {
    if r >= 99.95 {
        format!("{r:.0}")
    } else if r >= 9.995 {
        format!("{r:.1}")
    } else if r >= 0.9995 {
        format!("{r:.2}")
    } else {
        format!("{r:.3}")
    }
}

/// The table cell for `cell` (or `-` when the column does not apply), via `value` when it ran.
fn cell_text(cell: Option<&Cell>, value: impl Fn(&Cell) -> Option<String>) -> Text {
    let Some(cell) = cell else {
        return Text::ok("-");
    };
    if cell.failure.is_some() {
        return Text::bad("FAIL");
    }
    match value(cell) {
        Some(v) if cell.mismatch.is_some() => Text::bad(format!("{v} WRONG")),
        Some(v) => Text::ok(v),
        None => Text::ok("-"),
    }
}

/// The whole human-readable report.
pub fn render(r: &Results, color: bool) -> String {
    let mut out = String::new();
    let m = &r.machine;
    let _ = writeln!(
        out,
        "\nMachine: {}, {} cores, {}; {}; {}",
        m.cpu, m.cores, m.kernel, m.rustc, m.date
    );
    let name_width = r
        .columns
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .max(10);
    for c in &r.columns {
        let what = match &c.kind {
            ColumnKind::Engine { exe } => match c.name.split_once(':') {
                Some((mode, opt)) => format!("{} run --mode {mode} --opt {opt}", exe.display()),
                None => format!("{} run --mode {}", exe.display(), c.name),
            },
            ColumnKind::External { exe, version } => format!("{} ({version})", exe.display()),
        };
        let note = column_note(&c.name).map_or(String::new(), |n| format!(": {n}"));
        let _ = writeln!(out, "  {:<name_width$} {what}{note}", c.name);
    }
    for n in &r.notices {
        let _ = writeln!(out, "  note: {n}");
    }
    if r.suite_kind == SuiteKind::Pyperformance {
        let _ = writeln!(
            out,
            "  suite: pyperformance {} ({} run, {} skipped; loops per run in the size column)",
            super::pyperformance::VERSION,
            r.suite.len(),
            r.skipped.len()
        );
    }
    let warm = match r.warmup {
        0 => "no warm-up".to_string(),
        1 => "1 warm-up".to_string(),
        n => format!("{n} warm-ups"),
    };
    let runs = if r.runs == 1 {
        "1 run".to_string()
    } else {
        format!("{} runs", r.runs)
    };

    let mut header = vec!["benchmark".to_string(), "size".to_string()];
    header.extend(r.columns.iter().map(|c| c.name.clone()));
    let labelled = |cells: Vec<Text>, row: &super::Row| {
        let mut v = vec![Text::ok(r.row_label(row)), Text::ok(row.size.clone())];
        v.extend(cells);
        v
    };

    let spread = if r.runs > 1 {
        "; ± is half the min-max range, as % of the median"
    } else {
        ""
    };
    heading(
        &mut out,
        &format!("Wall time: median of {runs} (after {warm}, columns interleaved){spread}"),
        color,
    );
    let rows: Vec<Vec<Text>> = r
        .rows
        .iter()
        .map(|row| {
            let cells = row.cells.iter().map(|c| {
                cell_text(c.as_ref(), |c| {
                    let t = c.time?;
                    if c.samples.len() < 2 {
                        return Some(seconds(t.median));
                    }
                    Some(format!(
                        "{} ±{:.0}%",
                        seconds(t.median),
                        t.half_range_rel() * 100.0
                    ))
                })
            });
            labelled(cells.collect(), row)
        })
        .collect();
    table(&mut out, &header, &rows, color);

    let base = &r.columns[r.baseline].name;
    heading(
        &mut out,
        &format!("Speedup vs {base}: {base} median time / median time (>1 is faster)"),
        color,
    );
    let mut rows: Vec<Vec<Text>> = r
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .map(|c| cell_text(c.as_ref(), |c| c.speedup.map(ratio)));
            labelled(cells.collect(), row)
        })
        .collect();
    let any_numeric = r.rows.iter().any(|row| r.suite[row.bench].numeric_micro);
    let mut means = vec![("geomean", &r.geomean_all)];
    if any_numeric {
        means.push(("geomean numeric micro", &r.geomean_numeric));
    }
    for (label, means) in means {
        let mut v = vec![Text::ok(label), Text::ok("")];
        v.extend(means.iter().map(|g| match g {
            Some((g, n)) => Text::ok(format!("{} ({n})", ratio(*g))),
            None => Text::ok("-"),
        }));
        rows.push(v);
    }
    table(&mut out, &header, &rows, color);
    let _ = writeln!(
        out,
        "(geomean over the rows where both the column and {base} succeeded; row count in parentheses)"
    );

    heading(&mut out, "Peak memory: median max RSS, MiB", color);
    let rows: Vec<Vec<Text>> = r
        .rows
        .iter()
        .map(|row| {
            let cells = row.cells.iter().map(|c| {
                cell_text(c.as_ref(), |c| {
                    c.rss_kib.map(|m| format!("{:.1}", m.median / 1024.0))
                })
            });
            labelled(cells.collect(), row)
        })
        .collect();
    table(&mut out, &header, &rows, color);

    render_phases(&mut out, r, color);
    render_opt_counts(&mut out, r, color);
    render_compile_speed(&mut out, r, color);
    render_compile_compare(&mut out, r, color);
    render_skipped(&mut out, r, color);
    render_problems(&mut out, r, color);
    out
}

/// What an engine column is, for the columns whose name alone does not say it.
pub fn column_note(name: &str) -> Option<&'static str> {
    Some(match name {
        "interp" => "the reference interpreter",
        "adaptive" => "tier 1",
        "uops" => "tier-2 traces run by the uop interpreter (a reference, not tuned for speed)",
        "uops:none" => "the same without the tier-2 optimizer",
        "stencil" => "tier 3: tier-2 traces compiled to machine code by copy-and-patch",
        "stencil:none" => {
            "tier 3 without the tier-2 optimizer (CPython 3.13's situation: native code, no optimizer)"
        }
        "cranelift" => "tier 3 reference: the same tier-2 traces compiled by Cranelift",
        "cranelift:none" => "the same without the tier-2 optimizer",
        _ => return None,
    })
}

/// The suite's benchmarks that were not run, each with its reason.
fn render_skipped(out: &mut String, r: &Results, color: bool) {
    if r.skipped.is_empty() {
        return;
    }
    heading(
        out,
        &format!(
            "Skipped: {} benchmark(s) the engine cannot run yet or that need packages (lines of run_benchmark.py)",
            r.skipped.len()
        ),
        color,
    );
    let width = r.skipped.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in &r.skipped {
        let _ = writeln!(out, "  SKIPPED  {:<width$}  {}", s.name, s.reason);
    }
}

/// A share as a percentage: whole percents from 10% up, one decimal below, `<0.1%` for a
/// share too small for that (but not zero).
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p == 0.0 {
        "0%".to_string()
    } else if p >= 9.95 {
        format!("{p:.0}%")
    } else if p >= 0.05 {
        format!("{p:.1}%")
    } else {
        "<0.1%".to_string()
    }
}

/// The engine's own split of its time, for engine columns that reported one. Projection of
/// tier-2 traces is its own phase in the columns that projected any (`uops`), with its mean
/// time per run.
fn render_phases(out: &mut String, r: &Results, color: bool) {
    let cols: Vec<usize> = (0..r.columns.len())
        .filter(|&c| {
            r.columns[c].is_engine()
                && r.rows
                    .iter()
                    .any(|row| row.cells[c].as_ref().and_then(Cell::phase_split).is_some())
        })
        .collect();
    if cols.is_empty() {
        return;
    }
    let projects: Vec<bool> = cols
        .iter()
        .map(|&c| {
            r.rows
                .iter()
                .any(|row| row.cells[c].as_ref().is_some_and(Cell::projected))
        })
        .collect();
    let legend = if projects.contains(&true) {
        "interpreting (i), projecting tier-2 traces (p, with its mean time per run), \
         compiling (c), in native code (n)"
    } else {
        "interpreting (i), compiling (c), in native code (n)"
    };
    heading(
        out,
        &format!("Engine phases: share of in-engine time {legend}; mean over the warm-up runs"),
        color,
    );
    let mut header = vec!["benchmark".to_string()];
    header.extend(cols.iter().map(|&c| r.columns[c].name.clone()));
    let rows: Vec<Vec<Text>> = r
        .rows
        .iter()
        .map(|row| {
            let mut v = vec![Text::ok(r.row_label(row))];
            v.extend(cols.iter().zip(&projects).map(|(&c, &projects)| {
                cell_text(row.cells[c].as_ref(), |cell| {
                    let s = cell.phase_split()?;
                    let project = match cell.mean_project_s() {
                        Some(t) if projects => {
                            format!(" p:{} ({})", percent(s.project), seconds(t))
                        }
                        _ => String::new(),
                    };
                    Some(format!(
                        "i:{}{project} c:{} n:{}",
                        percent(s.interpret),
                        percent(s.compile),
                        percent(s.native)
                    ))
                })
            }));
            v
        })
        .collect();
    table(out, &header, &rows, color);
}

/// What tier 2's optimizer removed from what ran: uops and guards the uop interpreter
/// executed with `--opt none` and `--opt all`, per benchmark and in total (all rows, and
/// the numeric micro-benchmarks with the kernels).
fn render_opt_counts(out: &mut String, r: &Results, color: bool) {
    use super::optcounts::OptCounts;
    if r.opt_counts.iter().all(Option::is_none) {
        return;
    }
    heading(
        out,
        "Tier-2 optimizer: uops and guards the uop interpreter executed, --opt none -> all (counts, not times)",
        color,
    );
    let header: Vec<String> = [
        "benchmark",
        "uops none",
        "uops all",
        "cut",
        "guards none",
        "guards all",
        "cut",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // A negative cut (more ran optimized) shows as growth.
    let cut = |x: f64| {
        if x < 0.0 {
            format!("+{}", percent(-x))
        } else {
            percent(x)
        }
    };
    let line = |label: String, c: &OptCounts| {
        let (cu, cg) = c.cuts();
        vec![
            Text::ok(label),
            Text::ok(c.uops_none.to_string()),
            Text::ok(c.uops_all.to_string()),
            Text::ok(cut(cu)),
            Text::ok(c.guards_none.to_string()),
            Text::ok(c.guards_all.to_string()),
            Text::ok(cut(cg)),
        ]
    };
    let mut rows = Vec::new();
    let (mut total, mut numeric) = (OptCounts::default(), OptCounts::default());
    for (row, c) in r.rows.iter().zip(&r.opt_counts) {
        let Some(c) = c else { continue };
        rows.push(line(r.row_label(row), c));
        total = total.plus(c);
        let b = &r.suite[row.bench];
        if b.numeric_micro || b.category.name() == "kernel" {
            numeric = numeric.plus(c);
        }
    }
    rows.push(line("total".to_string(), &total));
    if numeric != OptCounts::default() && numeric != total {
        rows.push(line("numeric micro + kernels".to_string(), &numeric));
    }
    table(out, &header, &rows, color);
}

/// Tier 3's compile speed, when the `stencil` column ran: per benchmark the traces compiled,
/// uops compiled and the share with a stencil of their own, bytes of code, compile time and
/// the median nanoseconds per uop over its traces; then the same over all of them (the
/// median pooling every trace of the bench), against the target.
fn render_compile_speed(out: &mut String, r: &Results, color: bool) {
    use super::compilespeed::{CompileSpeed, TARGET_NS_PER_UOP};
    let Some(all) = CompileSpeed::pooled(&r.compile_speed) else {
        return;
    };
    heading(
        out,
        &format!(
            "Tier-3 compile speed (stencil): median ns per uop over the traces compiled (target: at most {TARGET_NS_PER_UOP:.0})"
        ),
        color,
    );
    let header: Vec<String> = [
        "benchmark",
        "traces",
        "uops",
        "own stencil",
        "code bytes",
        "compile",
        "ns/uop",
        "vs target",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let line = |label: String, c: &CompileSpeed| {
        let median = c.median_ns_per_uop();
        vec![
            Text::ok(label),
            Text::ok(c.traces_compiled.to_string()),
            Text::ok(c.uops_compiled.to_string()),
            Text::ok(c.own_stencil_share().map_or("-".to_string(), percent)),
            Text::ok(c.code_bytes.to_string()),
            Text::ok(if c.traces_compiled == 0 {
                "-".to_string()
            } else {
                seconds(c.compile_ns as f64 / 1e9)
            }),
            Text::ok(median.map_or("-".to_string(), |m| format!("{m:.1}"))),
            match median {
                None => Text::ok("-"),
                Some(m) if m <= TARGET_NS_PER_UOP => Text::ok("met"),
                Some(m) => Text::bad(format!("{}x", ratio(m / TARGET_NS_PER_UOP))),
            },
        ]
    };
    let mut rows = Vec::new();
    for (row, c) in r.rows.iter().zip(&r.compile_speed) {
        if let Some(c) = c {
            rows.push(line(r.row_label(row), c));
        }
    }
    rows.push(line("all (every trace pooled)".to_string(), &all));
    table(out, &header, &rows, color);
    let verdict = match all.median_ns_per_uop() {
        None => "no trace was timed".to_string(),
        Some(m) if m <= TARGET_NS_PER_UOP => format!(
            "{m:.1} ns per uop over {} traces: meets the target of at most {TARGET_NS_PER_UOP:.0}",
            all.ns_per_uop.len()
        ),
        Some(m) => format!(
            "{m:.1} ns per uop over {} traces: {}x the target of at most {TARGET_NS_PER_UOP:.0}",
            all.ns_per_uop.len(),
            ratio(m / TARGET_NS_PER_UOP)
        ),
    };
    let _ = writeln!(
        out,
        "(own stencil: share of the uops compiled that had a stencil of their own, the rest ran \
         the generic one; ns/uop: median over the row's traces, each trace's compile time / its \
         uops; vs target: that median / {TARGET_NS_PER_UOP:.0} ns)"
    );
    let _ = writeln!(out, "Compile speed over the whole bench: {verdict}");
}

/// Nanoseconds per uop: one decimal below a thousand, whole numbers above.
fn ns(n: f64) -> String {
    if n >= 999.95 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

/// Tier 3's compile time against Cranelift's, when the `cranelift` column ran: per benchmark
/// the traces and uops compiled, both backends' median nanoseconds per uop on those same
/// traces and how many times faster the stencil backend was; then the same with every trace
/// of the bench pooled, against the goal.
fn render_compile_compare(out: &mut String, r: &Results, color: bool) {
    use super::compilecmp::{CompileCompare, GOAL_RATIO};
    let Some(all) = CompileCompare::pooled(&r.compile_compare) else {
        return;
    };
    heading(
        out,
        &format!(
            "Tier-3 compile time: stencil vs Cranelift on the same traces, median ns per uop \
             (goal: stencil at least {GOAL_RATIO:.0}x faster)"
        ),
        color,
    );
    let header: Vec<String> = [
        "benchmark",
        "traces",
        "uops",
        "stencil ns/uop",
        "Cranelift ns/uop",
        "stencil faster",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let line = |label: String, c: &CompileCompare| {
        let median = |m: Option<f64>| Text::ok(m.map_or("-".to_string(), ns));
        vec![
            Text::ok(label),
            Text::ok(c.traces_compiled.to_string()),
            Text::ok(c.uops_compiled.to_string()),
            median(c.stencil_median()),
            median(c.cranelift_median()),
            match c.ratio() {
                None => Text::ok("-"),
                Some(x) if x >= GOAL_RATIO => Text::ok(format!("{}x", ratio(x))),
                Some(x) => Text::bad(format!("{}x", ratio(x))),
            },
        ]
    };
    let mut rows = Vec::new();
    for (row, c) in r.rows.iter().zip(&r.compile_compare) {
        if let Some(c) = c {
            rows.push(line(r.row_label(row), c));
        }
    }
    rows.push(line("all (every trace pooled)".to_string(), &all));
    table(out, &header, &rows, color);
    let _ = writeln!(
        out,
        "(both backends compile every trace of the cranelift column's statistics run, in one \
         process: stencil first, its code thrown away, then Cranelift's, which runs; ns/uop: \
         median over the row's traces, each trace's compile time without mmap/mprotect / its \
         uops; stencil faster: Cranelift's median / stencil's. The stencil figures come from \
         another run than the compile-speed table's, with Cranelift compiling in between, so \
         they can differ from it)"
    );
    let verdict = match (all.stencil_median(), all.cranelift_median(), all.ratio()) {
        (Some(s), Some(c), Some(x)) => format!(
            "stencil {} vs Cranelift {} ns per uop over {} traces, {}x faster: {} the goal of \
             at least {GOAL_RATIO:.0}x",
            ns(s),
            ns(c),
            all.cranelift_ns_per_uop.len(),
            ratio(x),
            if x >= GOAL_RATIO { "meets" } else { "short of" }
        ),
        _ => "no trace was timed by both backends".to_string(),
    };
    let _ = writeln!(out, "Compile time over the whole bench: {verdict}");
}

/// Failed runs and wrong outputs, one line each, then the verdict.
fn render_problems(out: &mut String, r: &Results, color: bool) {
    let mut problems = Vec::new();
    for row in &r.rows {
        for (col, cell) in row.cells.iter().enumerate() {
            let Some(cell) = cell else { continue };
            let who = format!("{} {}", r.row_label(row), r.columns[col].name);
            if let Some(f) = &cell.failure {
                problems.push(format!("FAILED   {who}: {f}"));
            }
            if let Some(m) = &cell.mismatch {
                problems.push(format!("WRONG    {who}: {m}"));
            }
        }
    }
    let (red, reset) = if color { (RED, RESET) } else { ("", "") };
    out.push('\n');
    if problems.is_empty() {
        let _ = writeln!(
            out,
            "All runs succeeded and every column printed the same checksum."
        );
        return;
    }
    let _ = writeln!(out, "{red}{} problem(s):{reset}", problems.len());
    for p in problems {
        let _ = writeln!(out, "{red}  {p}{reset}");
    }
}

fn num(v: f64) -> Json {
    if v.is_finite() {
        Json::Number(v)
    } else {
        Json::Null
    }
}

fn text(s: impl Into<String>) -> Json {
    Json::String(s.into())
}

fn opt_text(s: Option<&String>) -> Json {
    s.map_or(Json::Null, |s| text(s.clone()))
}

fn obj(members: Vec<(&str, Json)>) -> Json {
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn cell_json(cell: &Cell) -> Json {
    let status = if cell.failure.is_some() {
        "failed"
    } else if cell.mismatch.is_some() {
        "wrong_output"
    } else {
        "ok"
    };
    let summary = |s: Option<super::Summary>, scale: f64| match s {
        Some(s) => obj(vec![
            ("median", num(s.median * scale)),
            ("min", num(s.min * scale)),
            ("max", num(s.max * scale)),
        ]),
        None => Json::Null,
    };
    let phases = cell
        .profile
        .iter()
        .map(|s| match s.phases {
            Some(p) => obj(vec![
                ("interpret_s", num(p.interpret_s)),
                ("project_s", num(p.project_s)),
                ("compile_s", num(p.compile_s)),
                ("native_s", num(p.native_s)),
            ]),
            None => Json::Null,
        })
        .collect();
    let split = cell.phase_split().map_or(Json::Null, |s| {
        obj(vec![
            ("interpret", num(s.interpret)),
            ("project", num(s.project)),
            ("compile", num(s.compile)),
            ("native", num(s.native)),
        ])
    });
    obj(vec![
        ("status", text(status)),
        ("failure", opt_text(cell.failure.as_ref())),
        ("mismatch", opt_text(cell.mismatch.as_ref())),
        ("output", opt_text(cell.output.as_ref())),
        (
            "wall_s",
            Json::Array(cell.samples.iter().map(|s| num(s.wall_s)).collect()),
        ),
        (
            "warmup_wall_s",
            Json::Array(cell.warmup_s.iter().map(|&w| num(w)).collect()),
        ),
        (
            "max_rss_kib",
            Json::Array(
                cell.samples
                    .iter()
                    .map(|s| num(s.max_rss_kib as f64))
                    .collect(),
            ),
        ),
        ("wall", summary(cell.time, 1.0)),
        ("max_rss_mib", summary(cell.rss_kib, 1.0 / 1024.0)),
        ("speedup", cell.speedup.map_or(Json::Null, num)),
        ("phases", Json::Array(phases)),
        ("phase_split", split),
        (
            "engine_stats",
            cell.profile
                .last()
                .and_then(|s| s.stats.clone())
                .unwrap_or(Json::Null),
        ),
    ])
}

/// A row's optimizer counts for the JSON report (`null` when the `uops` column did not
/// run it).
fn opt_json(c: Option<super::optcounts::OptCounts>) -> Json {
    match c {
        None => Json::Null,
        Some(c) => obj(vec![
            ("uops_none", num(c.uops_none as f64)),
            ("uops_all", num(c.uops_all as f64)),
            ("guards_none", num(c.guards_none as f64)),
            ("guards_all", num(c.guards_all as f64)),
        ]),
    }
}

/// Tier 3's compile figures for the JSON report (`null` when the `stencil` column did not
/// run): the counts, the share of uops with a stencil of their own, every trace's ns per uop
/// and their median, and whether that meets the target.
fn compile_json(c: Option<&super::compilespeed::CompileSpeed>) -> Json {
    let Some(c) = c else { return Json::Null };
    obj(vec![
        ("traces_compiled", num(c.traces_compiled as f64)),
        ("uops_compiled", num(c.uops_compiled as f64)),
        ("own_code_uops", num(c.own_code_uops as f64)),
        (
            "own_stencil_share",
            c.own_stencil_share().map_or(Json::Null, num),
        ),
        ("code_bytes", num(c.code_bytes as f64)),
        ("compile_ns", num(c.compile_ns as f64)),
        (
            "median_ns_per_uop",
            c.median_ns_per_uop().map_or(Json::Null, num),
        ),
        (
            "within_target",
            c.within_target().map_or(Json::Null, Json::Bool),
        ),
        (
            "ns_per_uop",
            Json::Array(c.ns_per_uop.iter().map(|&x| num(x)).collect()),
        ),
    ])
}

/// Both backends' compile times on the same traces for the JSON report (`null` when the
/// `cranelift` column did not run): the counts, every trace's ns per uop under each and
/// their medians, the ratio and whether it reaches the goal.
fn compare_json(c: Option<&super::compilecmp::CompileCompare>) -> Json {
    let Some(c) = c else { return Json::Null };
    let list = |v: &[f64]| Json::Array(v.iter().map(|&x| num(x)).collect());
    obj(vec![
        ("traces_compiled", num(c.traces_compiled as f64)),
        ("uops_compiled", num(c.uops_compiled as f64)),
        (
            "stencil_median_ns_per_uop",
            c.stencil_median().map_or(Json::Null, num),
        ),
        (
            "cranelift_median_ns_per_uop",
            c.cranelift_median().map_or(Json::Null, num),
        ),
        ("ratio", c.ratio().map_or(Json::Null, num)),
        ("meets_goal", c.meets_goal().map_or(Json::Null, Json::Bool)),
        ("stencil_ns_per_uop", list(&c.stencil_ns_per_uop)),
        ("cranelift_ns_per_uop", list(&c.cranelift_ns_per_uop)),
    ])
}

/// The machine-readable report.
pub fn json(r: &Results) -> String {
    let m = &r.machine;
    let pythons = r
        .columns
        .iter()
        .filter_map(|c| match &c.kind {
            ColumnKind::External { version, .. } => Some((c.name.clone(), text(version.clone()))),
            ColumnKind::Engine { .. } => None,
        })
        .collect();
    let columns = r
        .columns
        .iter()
        .map(|c| {
            let (kind, exe, version) = match &c.kind {
                ColumnKind::Engine { exe } => ("engine", exe, Json::Null),
                ColumnKind::External { exe, version } => ("external", exe, text(version.clone())),
            };
            obj(vec![
                ("name", text(c.name.clone())),
                ("kind", text(kind)),
                ("exe", text(exe.display().to_string())),
                ("version", version),
            ])
        })
        .collect();
    let rows = r
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let b = &r.suite[row.bench];
            let cells = row
                .cells
                .iter()
                .enumerate()
                .filter_map(|(col, c)| Some((r.columns[col].name.clone(), cell_json(c.as_ref()?))))
                .collect();
            obj(vec![
                ("name", text(b.name.clone())),
                ("lang", text(row.lang.name())),
                ("file", text(row.file.display().to_string())),
                ("category", text(b.category.name())),
                ("numeric_micro", Json::Bool(b.numeric_micro)),
                ("size", text(row.size.clone())),
                ("cells", Json::Object(cells)),
                (
                    "tier2_optimizer",
                    opt_json(r.opt_counts.get(i).copied().flatten()),
                ),
                (
                    "tier3_compile",
                    compile_json(r.compile_speed.get(i).and_then(Option::as_ref)),
                ),
                (
                    "tier3_compile_vs_cranelift",
                    compare_json(r.compile_compare.get(i).and_then(Option::as_ref)),
                ),
            ])
        })
        .collect();
    let means = |g: &[Option<(f64, usize)>]| {
        Json::Object(
            g.iter()
                .zip(&r.columns)
                .filter_map(|(g, c)| {
                    let (mean, n) = (*g)?;
                    Some((
                        c.name.clone(),
                        obj(vec![("speedup", num(mean)), ("rows", num(n as f64))]),
                    ))
                })
                .collect(),
        )
    };
    let doc = obj(vec![
        ("schema", text("xtask-bench/1")),
        ("suite", text(r.suite_kind.name())),
        ("ok", Json::Bool(r.all_ok())),
        (
            "machine",
            obj(vec![
                ("cpu", text(m.cpu.clone())),
                ("cores", num(m.cores as f64)),
                ("date", text(m.date.clone())),
                ("kernel", text(m.kernel.clone())),
                ("rustc", text(m.rustc.clone())),
                ("python", Json::Object(pythons)),
            ]),
        ),
        (
            "settings",
            obj(vec![
                ("runs", num(r.runs as f64)),
                ("warmup", num(r.warmup as f64)),
                ("quick", Json::Bool(r.quick)),
                ("baseline", text(r.columns[r.baseline].name.clone())),
                (
                    "order",
                    text("interleaved: each round runs every column once"),
                ),
                ("spread", text("min and max of the measured runs")),
                (
                    "speedup",
                    text("baseline median wall time / median wall time"),
                ),
                (
                    "phase_split",
                    text(
                        "mean over the warm-up runs of each phase's share of in-engine time; \
                         project_s (tier-2 trace projection) is timed inside interpret_s, so \
                         the interpret share excludes it",
                    ),
                ),
                (
                    "tier3_compile",
                    text(
                        "from one run of the stencil column with --stats-json per row; \
                         ns_per_uop has one value per trace (its compile time / its uops), \
                         median_ns_per_uop is their median (pooled over every row's traces \
                         at the top level), held against target_ns_per_uop",
                    ),
                ),
                (
                    "tier3_compile_vs_cranelift",
                    text(
                        "from one run of the cranelift column with --stats-json \
                         --compare-compile per row: the stencil backend compiles each trace \
                         too (first, code thrown away); *_ns_per_uop list each backend's \
                         value per trace in the same order, the medians pool every row's \
                         traces at the top level, ratio is cranelift median / stencil \
                         median, held against goal_ratio",
                    ),
                ),
            ]),
        ),
        ("columns", Json::Array(columns)),
        (
            "notices",
            Json::Array(r.notices.iter().map(|n| text(n.clone())).collect()),
        ),
        ("rows", Json::Array(rows)),
        (
            "skipped",
            Json::Array(
                r.skipped
                    .iter()
                    .map(|s| {
                        obj(vec![
                            ("name", text(s.name.clone())),
                            ("reason", text(s.reason.clone())),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "geomean",
            obj(vec![
                ("all", means(&r.geomean_all)),
                ("numeric_micro", means(&r.geomean_numeric)),
            ]),
        ),
        ("tier3_compile", {
            let all = super::compilespeed::CompileSpeed::pooled(&r.compile_speed);
            match compile_json(all.as_ref()) {
                Json::Object(mut members) => {
                    members.insert(
                        0,
                        (
                            "target_ns_per_uop".to_string(),
                            num(super::compilespeed::TARGET_NS_PER_UOP),
                        ),
                    );
                    let rows = r.compile_speed.iter().flatten().count();
                    members.insert(1, ("rows".to_string(), num(rows as f64)));
                    Json::Object(members)
                }
                other => other,
            }
        }),
        ("tier3_compile_vs_cranelift", {
            let all = super::compilecmp::CompileCompare::pooled(&r.compile_compare);
            match compare_json(all.as_ref()) {
                Json::Object(mut members) => {
                    members.insert(
                        0,
                        ("goal_ratio".to_string(), num(super::compilecmp::GOAL_RATIO)),
                    );
                    let rows = r.compile_compare.iter().flatten().count();
                    members.insert(1, ("rows".to_string(), num(rows as f64)));
                    Json::Object(members)
                }
                other => other,
            }
        }),
    ]);
    let mut out = String::new();
    doc.write_pretty(&mut out, 0);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(seconds(1.234), "1.23s");
        assert_eq!(seconds(0.0078), "7.8ms");
        assert_eq!(seconds(0.000058), "58µs");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.997), "100%");
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.0017), "0.2%");
        assert_eq!(percent(0.00001), "<0.1%");
    }
}
