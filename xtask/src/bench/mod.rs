//! `cargo xtask bench`: runs a suite (the micro-benchmarks in `benches/`, or pyperformance)
//! under each engine mode and under `python3` and `pypy3`, checks that every column prints the
//! same checksum, and reports times, memory, speedups and the engine's phase split as a table, a
//! JSON file and an SVG chart.
//!
//! The pieces: [`suite`] reads the manifest, [`pyperformance`] fetches pyperformance and turns
//! its benchmarks into the same suite entries (with [`pyperf_driver`] generating their drivers),
//! [`measure`] spawns and times one run, [`stats`] summarizes samples, [`progress`] draws the
//! progress line, [`report`] prints the table and writes the JSON, [`svg`] draws the chart;
//! [`optcounts`] gathers the tier-2 optimizer's counts, [`compilespeed`] tier 3's compile
//! speed and [`compilecmp`] its comparison with Cranelift from the engine's statistics.

mod compilecmp;
mod compilespeed;
mod json;
mod machine;
mod measure;
mod optcounts;
mod progress;
mod pyperf_driver;
pub mod pyperformance;
mod report;
mod stats;
mod suite;
mod svg;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use json::Json;
use machine::Machine;
use progress::Progress;
use pyperformance::Skipped;
use stats::Summary;
use suite::{Benchmark, Lang};

/// The columns run when `--modes` is not given: the reference interpreter, tier 1, tier 2's
/// uop interpreter and tier 3's copy-and-patch code each without (`:none`) and with the
/// tier-2 optimizer (`stencil:none` is CPython 3.13's situation, native code without an
/// optimizer), tier 3's reference (the same traces compiled by Cranelift), then CPython and
/// PyPy.
pub const DEFAULT_MODES: &str =
    "interp,adaptive,uops:none,uops,stencil:none,stencil,cranelift,python3,pypy3";

/// Which benchmarks `cargo xtask bench` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteKind {
    /// The micro-benchmarks and kernels in `benches/` (`suite.txt`).
    Builtin,
    /// pyperformance, fetched into the cache at bench time.
    Pyperformance,
}

impl SuiteKind {
    /// The `--suite` spelling.
    pub fn name(self) -> &'static str {
        match self {
            SuiteKind::Builtin => "builtin",
            SuiteKind::Pyperformance => "pyperformance",
        }
    }

    /// The column speedups are relative to unless `--baseline` says otherwise: the plain
    /// interpreter for the micro-benchmarks, CPython for pyperformance (the yardstick).
    pub fn default_baseline(self) -> &'static str {
        match self {
            SuiteKind::Builtin => "interp",
            SuiteKind::Pyperformance => "python3",
        }
    }
}

/// Everything `cargo xtask bench` can be told.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Comma-separated substrings; a row (`name/lang`, e.g. `fib/py`) runs if any matches.
    pub filter: Option<String>,
    /// Columns in order: engine modes (`interp`, `adaptive`, `uops`, ...) and external
    /// interpreters (any name starting with `python` or `pypy`, e.g. `python3`, `pypy3`).
    pub modes: Vec<String>,
    /// Measured runs per cell (forced to 1 by `quick`).
    pub runs: usize,
    /// Unmeasured warm-up runs per cell before the measured ones (forced to 0 by `quick`).
    pub warmup: usize,
    /// Write the machine-readable report here.
    pub json: Option<PathBuf>,
    /// Write the SVG chart here.
    pub plot: Option<PathBuf>,
    /// The column speedups are relative to (`None`: the suite's default).
    pub baseline: Option<String>,
    /// Which suite to run.
    pub suite: SuiteKind,
    /// Where pyperformance is cached (`None`: [`pyperformance::cache_root`]).
    pub pyperformance_dir: Option<PathBuf>,
    /// Run every selected benchmark at this size instead of its default (or quick) size.
    pub size: Option<String>,
    /// The engine binary: engine columns run `ENGINE_EXE run --mode M FILE -- SIZE` (with
    /// `--stats-json F` in the warm-up runs only).
    pub engine_exe: PathBuf,
    /// CI smoke test: quick sizes, one run, no warm-up.
    pub quick: bool,
    /// The directory holding `suite.txt` and the programs.
    pub suite_dir: PathBuf,
    /// A run taking longer than this is killed and reported as failed.
    pub timeout: Duration,
}

impl Default for BenchOptions {
    fn default() -> BenchOptions {
        BenchOptions {
            filter: None,
            modes: parse_modes(DEFAULT_MODES),
            runs: 5,
            warmup: 1,
            json: None,
            plot: None,
            baseline: None,
            suite: SuiteKind::Builtin,
            pyperformance_dir: None,
            size: None,
            engine_exe: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("xtask")),
            quick: false,
            suite_dir: Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(Path::new(".."))
                .join("benches"),
            timeout: Duration::from_secs(300),
        }
    }
}

/// Splits a `--modes` list (`interp,adaptive,python3`) into names, dropping blanks.
pub fn parse_modes(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect()
}

/// Runs the benchmarks and prints the report. `Ok(true)` when every run succeeded and every
/// checksum agreed, `Ok(false)` when some failed or disagreed (the report says which), `Err` when
/// nothing could be run at all (bad options, no manifest, nothing selected, unwritable output).
pub fn run(opts: &BenchOptions) -> Result<bool, String> {
    let results = measure_suite(opts)?;
    let color = std::io::stdout().is_terminal();
    print!("{}", report::render(&results, color));
    if let Some(path) = &opts.json {
        std::fs::write(path, report::json(&results))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    if let Some(path) = &opts.plot {
        std::fs::write(path, svg::render(&results))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(results.all_ok())
}

/// Everything [`run`] does before reporting: picks the columns and rows, runs every cell and
/// analyzes the samples.
fn measure_suite(opts: &BenchOptions) -> Result<Results, String> {
    let (runs, warmup) = if opts.quick {
        (1, 0)
    } else {
        (opts.runs, opts.warmup)
    };
    if runs == 0 {
        return Err("--runs must be at least 1".to_string());
    }
    let mut notices = Vec::new();
    let mut columns = resolve_columns(opts, &mut notices)?;

    // Unique per call, so concurrent calls (tests) never share output files.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch = std::env::temp_dir().join(format!("xtask-bench-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let loaded = load_suite(opts, &columns, &scratch);
    let (suite, skipped) = match loaded {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(e);
        }
    };
    if suite.is_empty() && opts.suite == SuiteKind::Pyperformance {
        let _ = std::fs::remove_dir_all(&scratch);
        let filter = opts.filter.as_deref().unwrap_or("");
        if skipped.is_empty() {
            return Err(format!("no pyperformance benchmark matches `{filter}`"));
        }
        // Everything selected was skipped: say why rather than only that nothing matched.
        let why: Vec<String> = skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason))
            .collect();
        return Err(format!(
            "nothing to run: every selected benchmark is skipped ({})",
            why.join("; ")
        ));
    }
    let mut rows = match select_rows(&suite, opts) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(e);
        }
    };

    // A column that applies to none of the selected rows (python3 under `--filter tiny`) would
    // be all `-`.
    columns.retain(|c| rows.iter().any(|r| c.applies(r.lang)));
    if columns.is_empty() {
        return Err("no selected benchmark applies to the available columns".to_string());
    }
    for row in &mut rows {
        row.cells = columns
            .iter()
            .map(|c| c.applies(row.lang).then(Cell::default))
            .collect();
        if !row.file.is_file() {
            for cell in row.cells.iter_mut().flatten() {
                cell.failure = Some(format!("program not found: {}", row.file.display()));
            }
        }
    }
    rows.retain(|r| r.cells.iter().any(Option::is_some));
    let wanted = opts
        .baseline
        .as_deref()
        .unwrap_or(opts.suite.default_baseline());
    let baseline = match columns.iter().position(|c| c.name == wanted) {
        Some(i) => i,
        None => {
            notices.push(format!(
                "baseline `{wanted}` is not among the columns run; speedups are relative to `{}`",
                columns[0].name
            ));
            0
        }
    };
    for n in &notices {
        eprintln!("bench: {n}");
    }
    let machine = Machine::detect();
    execute(
        &suite,
        &columns,
        &mut rows,
        runs,
        warmup,
        opts.timeout,
        &scratch,
    );
    let opt_counts = optcounts::collect(&columns, &rows, &scratch, opts.timeout);
    let compile_speed = compilespeed::collect(&columns, &rows, &scratch, opts.timeout);
    let compile_compare = compilecmp::collect(&columns, &rows, &scratch, opts.timeout);
    let _ = std::fs::remove_dir_all(&scratch);

    let mut results = Results {
        suite_kind: opts.suite,
        suite,
        skipped,
        columns,
        rows,
        baseline,
        notices,
        machine,
        runs,
        warmup,
        quick: opts.quick,
        geomean_all: Vec::new(),
        geomean_numeric: Vec::new(),
        opt_counts,
        compile_speed,
        compile_compare,
    };
    results.analyze();
    Ok(results)
}

/// The suite's benchmarks and, for pyperformance, the ones it lists but cannot run here.
fn load_suite(
    opts: &BenchOptions,
    columns: &[Column],
    scratch: &Path,
) -> Result<(Vec<Benchmark>, Vec<Skipped>), String> {
    match opts.suite {
        SuiteKind::Builtin => Ok((suite::load(&opts.suite_dir)?, Vec::new())),
        SuiteKind::Pyperformance => {
            let root = match &opts.pyperformance_dir {
                Some(dir) => dir.clone(),
                None => pyperformance::cache_root()?,
            };
            let benchmarks = pyperformance::ensure_downloaded(&root)?;
            let patterns = filter_patterns(opts);
            let engine = columns.iter().find_map(|c| match &c.kind {
                ColumnKind::Engine { exe } => Some(exe.as_path()),
                ColumnKind::External { .. } => None,
            });
            eprintln!(
                "bench: pyperformance {} in {}: generating drivers{}",
                pyperformance::VERSION,
                benchmarks.display(),
                if engine.is_some() {
                    " and checking what the engine can load"
                } else {
                    ""
                }
            );
            let load = pyperformance::LoadOptions {
                patterns: &patterns,
                engine,
                timeout: opts.timeout,
                scratch,
            };
            pyperformance::load(&benchmarks, &load)
        }
    }
}

/// One column of the report: an engine mode or an external interpreter.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

#[derive(Clone, Debug)]
pub enum ColumnKind {
    /// `ENGINE_EXE run --mode <name>`; runs every language.
    Engine { exe: PathBuf },
    /// A Python implementation found on `PATH`; runs Python programs only.
    External { exe: PathBuf, version: String },
}

impl Column {
    fn applies(&self, lang: Lang) -> bool {
        match self.kind {
            ColumnKind::Engine { .. } => true,
            ColumnKind::External { .. } => lang == Lang::Python,
        }
    }

    pub fn is_engine(&self) -> bool {
        matches!(self.kind, ColumnKind::Engine { .. })
    }
}

/// One row of the report: one program (a benchmark in one language) at one size.
#[derive(Clone, Debug)]
pub struct Row {
    /// Index into the suite.
    pub bench: usize,
    pub lang: Lang,
    pub file: PathBuf,
    pub size: String,
    /// One entry per column; `None` where the column does not apply (shown as `-`).
    pub cells: Vec<Option<Cell>>,
}

/// The measurements of one program under one column.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    /// The measured runs (warm-ups excluded).
    pub samples: Vec<Sample>,
    /// Wall times of the warm-up runs, kept for the JSON report.
    pub warmup_s: Vec<f64>,
    /// The warm-up runs of an engine column, which alone collect the engine's statistics:
    /// counting costs time, so the measured runs run without it.
    pub profile: Vec<Sample>,
    /// Why the cell failed (non-zero exit, timeout, missing program); no more runs after one.
    pub failure: Option<String>,
    /// Why the output is wrong (differs between runs or from the benchmark's other cells).
    pub mismatch: Option<String>,
    /// The program's stdout (from its first run): the checksum.
    pub output: Option<String>,
    pub time: Option<Summary>,
    pub rss_kib: Option<Summary>,
    /// Baseline median time / this median time.
    pub speedup: Option<f64>,
}

impl Cell {
    /// A cell whose numbers are trustworthy: it ran, succeeded and printed the agreed output.
    pub fn is_good(&self) -> bool {
        self.failure.is_none() && self.mismatch.is_none() && self.time.is_some()
    }

    /// The mean share of in-engine time spent interpreting, projecting tier-2 traces,
    /// compiling and in native code, over the warm-up runs that reported phases.
    pub fn phase_split(&self) -> Option<PhaseSplit> {
        let shares: Vec<PhaseSplit> = self
            .profile
            .iter()
            .filter_map(|s| s.phases?.shares())
            .collect();
        if shares.is_empty() {
            return None;
        }
        let n = shares.len() as f64;
        let mut mean = PhaseSplit::default();
        for s in &shares {
            mean.interpret += s.interpret / n;
            mean.project += s.project / n;
            mean.compile += s.compile / n;
            mean.native += s.native / n;
        }
        Some(mean)
    }

    /// The mean seconds spent projecting tier-2 traces, over the warm-up runs that reported
    /// phases.
    pub fn mean_project_s(&self) -> Option<f64> {
        let times: Vec<f64> = self
            .profile
            .iter()
            .filter_map(|s| Some(s.phases?.project_s))
            .collect();
        (!times.is_empty()).then(|| times.iter().sum::<f64>() / times.len() as f64)
    }

    /// Whether any warm-up run of this cell spent time projecting tier-2 traces.
    pub fn projected(&self) -> bool {
        self.profile
            .iter()
            .any(|s| s.phases.is_some_and(|p| p.project_s > 0.0))
    }
}

/// One measured run.
#[derive(Clone, Debug)]
pub struct Sample {
    pub wall_s: f64,
    pub max_rss_kib: u64,
    /// The engine's phase times, when its stats file had them.
    pub phases: Option<Phases>,
    /// The engine's whole stats document, when it wrote a parsable one.
    pub stats: Option<Json>,
}

/// Seconds the engine spent in each phase, from its `--stats-json` file (its `frontend_s`,
/// loading and translating the program, is not in-engine time and is left out).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Phases {
    /// The whole run of the program, as the engine reports it: tier-2 projection happens
    /// during the run, so this includes `project_s`.
    pub interpret_s: f64,
    /// Projecting tier-2 traces (`--mode uops`; zero in modes without tier 2).
    pub project_s: f64,
    pub compile_s: f64,
    pub native_s: f64,
}

/// Shares of in-engine time (they sum to 1).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PhaseSplit {
    /// Interpreting: the interpreters (tier 1 and the uop interpreter), projection excluded.
    pub interpret: f64,
    /// Projecting tier-2 traces.
    pub project: f64,
    pub compile: f64,
    pub native: f64,
}

impl Phases {
    /// Reads `{"phases": {"interpret_s": F, "project_s": F, "compile_s": F, "native_s": F}}`;
    /// a missing phase counts as zero, but at least one must be present.
    fn from_stats(stats: &Json) -> Option<Phases> {
        let phases = stats.get("phases")?;
        let get = |k: &str| phases.get(k).and_then(Json::as_f64);
        let (i, p, c, n) = (
            get("interpret_s"),
            get("project_s"),
            get("compile_s"),
            get("native_s"),
        );
        if i.is_none() && p.is_none() && c.is_none() && n.is_none() {
            return None;
        }
        Some(Phases {
            interpret_s: i.unwrap_or(0.0),
            project_s: p.unwrap_or(0.0),
            compile_s: c.unwrap_or(0.0),
            native_s: n.unwrap_or(0.0),
        })
    }

    /// The split of this run's in-engine time; projection is taken out of `interpret_s`,
    /// which contains it.
    fn shares(&self) -> Option<PhaseSplit> {
        let all = [
            self.interpret_s,
            self.project_s,
            self.compile_s,
            self.native_s,
        ];
        if all.iter().any(|p| !p.is_finite() || *p < 0.0) {
            return None;
        }
        let parts = [
            (self.interpret_s - self.project_s).max(0.0),
            self.project_s,
            self.compile_s,
            self.native_s,
        ];
        let total: f64 = parts.iter().sum();
        (total > 0.0).then(|| PhaseSplit {
            interpret: parts[0] / total,
            project: parts[1] / total,
            compile: parts[2] / total,
            native: parts[3] / total,
        })
    }
}

/// Everything the report needs.
#[derive(Debug)]
pub struct Results {
    pub suite_kind: SuiteKind,
    pub suite: Vec<Benchmark>,
    /// Benchmarks of the suite that were not run, with the reason (pyperformance only).
    pub skipped: Vec<Skipped>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Index of the baseline column.
    pub baseline: usize,
    pub notices: Vec<String>,
    pub machine: Machine,
    pub runs: usize,
    pub warmup: usize,
    pub quick: bool,
    /// Per column: geometric mean speedup over the rows where it and the baseline are good, and
    /// how many rows that was.
    pub geomean_all: Vec<Option<(f64, usize)>>,
    /// The same over the numeric micro-benchmarks only.
    pub geomean_numeric: Vec<Option<(f64, usize)>>,
    /// Per row: the uops and guards tier 2 executed with the optimizer off and on (when
    /// the `uops` column ran it).
    pub opt_counts: Vec<Option<optcounts::OptCounts>>,
    /// Per row: what tier 3 compiled and how fast (when the `stencil` column ran it).
    pub compile_speed: Vec<Option<compilespeed::CompileSpeed>>,
    /// Per row: the same traces compiled by Cranelift and by the stencil backend, timed in
    /// one process (when the `cranelift` column ran it).
    pub compile_compare: Vec<Option<compilecmp::CompileCompare>>,
}

impl Results {
    /// `name/lang` for a row.
    pub fn row_label(&self, row: &Row) -> String {
        format!("{}/{}", self.suite[row.bench].name, row.lang)
    }

    fn all_ok(&self) -> bool {
        self.rows
            .iter()
            .flat_map(|r| r.cells.iter().flatten())
            .all(|c| c.failure.is_none() && c.mismatch.is_none())
    }

    /// Summaries, cross-checks of the outputs, speedups and geometric means.
    fn analyze(&mut self) {
        for row in &mut self.rows {
            for cell in row.cells.iter_mut().flatten() {
                let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
                let rss: Vec<f64> = cell.samples.iter().map(|s| s.max_rss_kib as f64).collect();
                cell.time = stats::summarize(&walls);
                cell.rss_kib = stats::summarize(&rss);
            }
        }
        self.check_outputs();
        let baseline = self.baseline;
        for row in &mut self.rows {
            let base = row.cells[baseline].as_ref().filter(|c| c.failure.is_none());
            let base_time = base.and_then(|c| c.time).map(|t| t.median);
            for cell in row.cells.iter_mut().flatten() {
                if let (Some(b), Some(t), None) = (base_time, cell.time, &cell.failure) {
                    if t.median > 0.0 {
                        cell.speedup = Some(b / t.median);
                    }
                }
            }
        }
        let numeric: Vec<bool> = self
            .rows
            .iter()
            .map(|r| self.suite[r.bench].numeric_micro)
            .collect();
        self.geomean_all = self.geomeans(|_| true);
        self.geomean_numeric = self.geomeans(|i| numeric[i]);
    }

    fn geomeans(&self, include: impl Fn(usize) -> bool) -> Vec<Option<(f64, usize)>> {
        (0..self.columns.len())
            .map(|col| {
                let values: Vec<f64> = self
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| include(*i))
                    .filter(|(_, r)| r.cells[self.baseline].as_ref().is_some_and(Cell::is_good))
                    .filter_map(|(_, r)| r.cells[col].as_ref().filter(|c| c.is_good())?.speedup)
                    .collect();
                stats::geomean(&values).map(|g| (g, values.len()))
            })
            .collect()
    }

    /// Every cell of a benchmark (all columns, all languages) must print what the first
    /// successful one printed.
    fn check_outputs(&mut self) {
        for bench in 0..self.suite.len() {
            let mut reference: Option<(String, String)> = None;
            for row in self.rows.iter_mut().filter(|r| r.bench == bench) {
                for (col, cell) in row.cells.iter_mut().enumerate() {
                    let Some(cell) = cell else { continue };
                    let Some(output) = &cell.output else { continue };
                    let label = format!("{} on {}", self.columns[col].name, row.lang);
                    match &reference {
                        None => reference = Some((label, output.clone())),
                        Some((ref_label, ref_output)) => {
                            if cell.mismatch.is_none() && output != ref_output {
                                cell.mismatch = Some(format!(
                                    "output differs from {ref_label}: {}",
                                    first_difference(ref_output, output)
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Describes the first line where `expected` and `actual` differ.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut a = expected.lines();
    let mut b = actual.lines();
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return "they differ only in line endings".to_string(),
            (x, y) if x == y => line += 1,
            (x, y) => {
                let show = |l: Option<&str>| match l {
                    Some(l) => format!("`{}`", shorten(l, 60)),
                    None => "end of output".to_string(),
                };
                return format!("line {line}: expected {}, got {}", show(x), show(y));
            }
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}...", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The `--filter` substrings, lower-cased.
fn filter_patterns(opts: &BenchOptions) -> Vec<String> {
    opts.filter
        .as_deref()
        .map(|f| parse_modes(&f.to_lowercase()))
        .unwrap_or_default()
}

fn select_rows(suite: &[Benchmark], opts: &BenchOptions) -> Result<Vec<Row>, String> {
    let patterns = filter_patterns(opts);
    let mut rows = Vec::new();
    for (index, bench) in suite.iter().enumerate() {
        for (lang, file) in &bench.programs {
            let label = format!("{}/{}", bench.name, lang).to_lowercase();
            if !patterns.is_empty() && !patterns.iter().any(|p| label.contains(p.as_str())) {
                continue;
            }
            let size = match (&opts.size, opts.quick) {
                (Some(size), _) => size.clone(),
                (None, true) => bench.quick_size.clone(),
                (None, false) => bench.default_size.clone(),
            };
            rows.push(Row {
                bench: index,
                lang: *lang,
                file: file.clone(),
                size,
                cells: Vec::new(),
            });
        }
    }
    if rows.is_empty() {
        let names: Vec<&str> = suite.iter().map(|b| b.name.as_str()).collect();
        return Err(format!(
            "no benchmark matches `{}` (benchmarks: {})",
            opts.filter.as_deref().unwrap_or(""),
            names.join(", ")
        ));
    }
    Ok(rows)
}

fn is_external(mode: &str) -> bool {
    mode.starts_with("python") || mode.starts_with("pypy")
}

/// Turns `--modes` into the columns that can run here; unavailable ones become notices.
fn resolve_columns(opts: &BenchOptions, notices: &mut Vec<String>) -> Result<Vec<Column>, String> {
    let mut names: Vec<&str> = Vec::new();
    for m in &opts.modes {
        if !names.contains(&m.as_str()) {
            names.push(m);
        }
    }
    if names.is_empty() {
        return Err("no modes given".to_string());
    }
    let engine_modes: Vec<&str> = names.iter().copied().filter(|m| !is_external(m)).collect();
    let engine_ok = engine_modes.is_empty() || {
        let ok = engine_available(&opts.engine_exe);
        if !ok {
            notices.push(format!(
                "`{} run` is not available yet; skipping engine modes {}",
                opts.engine_exe.display(),
                engine_modes.join(", ")
            ));
        }
        ok
    };
    let mut columns = Vec::new();
    for name in names {
        if !is_external(name) {
            if engine_ok {
                let exe = opts.engine_exe.clone();
                columns.push(Column {
                    name: name.to_string(),
                    kind: ColumnKind::Engine { exe },
                });
            }
        } else if let Some((exe, version)) = probe_python(name) {
            columns.push(Column {
                name: name.to_string(),
                kind: ColumnKind::External { exe, version },
            });
        } else {
            notices.push(format!("{name} is not installed; skipping its column"));
        }
    }
    if columns.is_empty() {
        return Err(format!(
            "none of the modes can run here ({})",
            notices.join("; ")
        ));
    }
    Ok(columns)
}

/// Whether the engine binary has a working `run` subcommand.
fn engine_available(exe: &Path) -> bool {
    Command::new(exe)
        .args(["run", "--help"])
        .stdin(std::process::Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Finds a Python implementation on `PATH`: the real executable behind any shim (so runs do
/// not time the shim) and its version.
fn probe_python(name: &str) -> Option<(PathBuf, String)> {
    let script = "import sys; print(sys.executable); print(sys.version.replace(chr(10), ' '))";
    let out = Command::new(name)
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let exe = lines
        .next()
        .map(str::trim)
        .filter(|e| !e.is_empty() && Path::new(e).is_file());
    let version = lines.next().unwrap_or("unknown").trim().to_string();
    Some((PathBuf::from(exe.unwrap_or(name)), version))
}

/// Runs every applicable cell: for each row, warm-up rounds then measured rounds, each round
/// running the row's columns in turn (A B C A B C ...), so slow drifts of the machine spread
/// evenly over the columns.
fn execute(
    suite: &[Benchmark],
    columns: &[Column],
    rows: &mut [Row],
    runs: usize,
    warmup: usize,
    timeout: Duration,
    scratch: &Path,
) {
    let rounds = runs + warmup;
    let total: usize = rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .flatten()
                .filter(|c| c.failure.is_none())
                .count()
        })
        .sum();
    let mut progress = Progress::new(total * rounds);
    let stats_path = scratch.join("stats.json");
    for row in rows.iter_mut() {
        let label = format!("{}/{}", suite[row.bench].name, row.lang);
        for round in 0..rounds {
            for (col, column) in columns.iter().enumerate() {
                let Some(cell) = row.cells[col].as_mut() else {
                    continue;
                };
                if cell.failure.is_some() {
                    continue;
                }
                let phase = if round < warmup {
                    format!("warm-up {}/{warmup}", round + 1)
                } else {
                    format!("run {}/{runs}", round - warmup + 1)
                };
                progress.starting(&format!("{label} {} ({phase})", column.name));
                let stats_file = (round < warmup).then_some(stats_path.as_path());
                let (program, args) = invocation(column, &row.file, &row.size, stats_file);
                let _ = std::fs::remove_file(&stats_path);
                let outcome = measure::run_once(&program, &args, scratch, timeout);
                let outcome = match outcome {
                    Ok(o) => o,
                    Err(e) => {
                        cell.failure = Some(e);
                        progress.finished(None);
                        progress.skipped(rounds - round - 1);
                        continue;
                    }
                };
                let failure = outcome.failure();
                progress.finished(failure.is_none().then_some(outcome.wall));
                if let Some(failure) = failure {
                    cell.failure = Some(failure);
                    progress.skipped(rounds - round - 1);
                    continue;
                }
                match &cell.output {
                    None => cell.output = Some(outcome.stdout.clone()),
                    Some(first) if cell.mismatch.is_none() && *first != outcome.stdout => {
                        cell.mismatch = Some(format!(
                            "output changed between runs: {}",
                            first_difference(first, &outcome.stdout)
                        ));
                    }
                    Some(_) => {}
                }
                let wall_s = outcome.wall.as_secs_f64();
                if round < warmup {
                    cell.warmup_s.push(wall_s);
                    if let ColumnKind::Engine { .. } = column.kind {
                        let stats = std::fs::read_to_string(&stats_path)
                            .ok()
                            .and_then(|text| json::parse(&text).ok());
                        cell.profile.push(Sample {
                            wall_s,
                            max_rss_kib: outcome.max_rss_kib,
                            phases: stats.as_ref().and_then(Phases::from_stats),
                            stats,
                        });
                    }
                    continue;
                }
                cell.samples.push(Sample {
                    wall_s,
                    max_rss_kib: outcome.max_rss_kib,
                    phases: None,
                    stats: None,
                });
            }
        }
    }
    progress.clear();
}

/// The command line for one run of `file` at `size` under `column`; an engine writes its
/// statistics to `stats` when given one (and in mode `cranelift` also times the stencil
/// backend on the same traces, `--compare-compile`).
fn invocation(
    column: &Column,
    file: &Path,
    size: &str,
    stats: Option<&Path>,
) -> (PathBuf, Vec<OsString>) {
    match &column.kind {
        ColumnKind::Engine { exe } => {
            // `MODE:PASSES` runs tier 2 with those optimizer passes (`uops:none`).
            let (mode, opt) = match column.name.split_once(':') {
                Some((m, o)) => (m, Some(o)),
                None => (column.name.as_str(), None),
            };
            let mut args: Vec<OsString> = vec!["run".into(), "--mode".into(), mode.into()];
            if let Some(opt) = opt {
                args.push("--opt".into());
                args.push(opt.into());
            }
            if let Some(stats) = stats {
                args.push("--stats-json".into());
                args.push(stats.into());
                // Runs that collect statistics also have the stencil backend compile every
                // trace Cranelift compiles, for the compile-time comparison (`compilecmp`):
                // the engine keeps that time out of its compile phase, and the timed runs,
                // which have no statistics, never pay it.
                if mode == "cranelift" {
                    args.push("--compare-compile".into());
                }
            }
            args.extend([file.into(), "--".into(), size.into()]);
            (exe.clone(), args)
        }
        ColumnKind::External { exe, .. } => (exe.clone(), vec![file.into(), size.into()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n"),
            "line 2: expected `b`, got `c`"
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n"),
            "line 2: expected end of output, got `b`"
        );
        assert_eq!(
            first_difference("a\n", "a"),
            "they differ only in line endings"
        );
    }

    #[test]
    fn phases_from_stats() {
        let stats = json::parse(r#"{"phases": {"interpret_s": 3.0, "native_s": 1.0}}"#).unwrap();
        let p = Phases::from_stats(&stats).unwrap();
        assert_eq!(p.project_s, 0.0);
        let split = PhaseSplit {
            interpret: 0.75,
            native: 0.25,
            ..PhaseSplit::default()
        };
        assert_eq!(p.shares(), Some(split));
        assert_eq!(
            Phases::from_stats(&json::parse(r#"{"phases": {}}"#).unwrap()),
            None
        );
        assert_eq!(Phases::from_stats(&json::parse("[1]").unwrap()), None);
    }

    #[test]
    fn projection_is_its_own_phase() {
        // What `xtask run --mode uops --stats-json` writes: the projection happened during the
        // run, so `interpret_s` contains `project_s` and the split takes it out.
        let stats = json::parse(
            r#"{"phases": {"frontend_s": 0.5, "interpret_s": 4.0, "project_s": 1.0,
                "compile_s": 0.0, "native_s": 0.0}, "tier2": {"traces": 2}}"#,
        )
        .unwrap();
        let p = Phases::from_stats(&stats).unwrap();
        assert_eq!(
            p,
            Phases {
                interpret_s: 4.0,
                project_s: 1.0,
                compile_s: 0.0,
                native_s: 0.0
            }
        );
        let split = PhaseSplit {
            interpret: 0.75,
            project: 0.25,
            ..PhaseSplit::default()
        };
        assert_eq!(p.shares(), Some(split));
        // Only projection reported still counts; a negative time makes the run's split void.
        let only = json::parse(r#"{"phases": {"project_s": 0.5}}"#).unwrap();
        assert_eq!(
            Phases::from_stats(&only).unwrap().shares().unwrap().project,
            1.0
        );
        let bad = json::parse(r#"{"phases": {"interpret_s": 1.0, "project_s": -1.0}}"#).unwrap();
        assert_eq!(Phases::from_stats(&bad).unwrap().shares(), None);
        // The cell's split and projection time are means over its warm-up runs.
        let sample = |interpret_s, project_s| Sample {
            wall_s: 1.0,
            max_rss_kib: 0,
            phases: Some(Phases {
                interpret_s,
                project_s,
                compile_s: 0.0,
                native_s: 0.0,
            }),
            stats: None,
        };
        let cell = Cell {
            profile: vec![sample(2.0, 1.0), sample(4.0, 0.0)],
            ..Cell::default()
        };
        assert_eq!(cell.phase_split().unwrap().project, 0.25);
        assert_eq!(cell.mean_project_s(), Some(0.5));
        assert!(cell.projected());
        let cell = Cell {
            profile: vec![sample(2.0, 0.0)],
            ..Cell::default()
        };
        assert!(!cell.projected());
    }

    /// A scratch suite with one benchmark in both languages and a fake engine (a shell script)
    /// whose modes behave well, print a wrong answer, or crash; `stencil` and `cranelift`
    /// write compile statistics (`cranelift` with the comparison when asked for it).
    pub(super) fn fake_setup(tag: &str) -> (PathBuf, BenchOptions) {
        let dir =
            std::env::temp_dir().join(format!("xtask-bench-test-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("suite.txt"), "echo micro yes 7 1 py,tiny\n").unwrap();
        std::fs::write(dir.join("echo.py"), "checksum\n").unwrap();
        std::fs::write(dir.join("echo.tiny"), "checksum\n").unwrap();
        let engine = dir.join("engine.sh");
        let script = r#"#!/bin/sh
[ "$2" = "--help" ] && exit 0
mode=$3; shift 3; stats=; compare=
if [ "$1" = "--stats-json" ]; then stats=$2; shift 2; fi
if [ "$1" = "--compare-compile" ]; then compare=" --compare-compile"; shift; fi
file=$1; size=$3
[ -n "$stats" ] && echo "$mode$compare" >> "$(dirname "$file")/stats.log"
[ -n "$compare" ] && [ -z "$stats" ] && echo "$mode" >> "$(dirname "$file")/bad.log"
case "$mode" in
  good|good2) [ -n "$stats" ] && printf '{"phases": {"interpret_s": 0.5, "compile_s": 0.25, "native_s": 0.25}}' > "$stats"
              cat "$file"; echo "$size" ;;
  uops) [ -n "$stats" ] && printf '{"phases": {"interpret_s": 0.5, "project_s": 0.125, "compile_s": 0.0, "native_s": 0.0}}' > "$stats"
        cat "$file"; echo "$size" ;;
  stencil) case "$file" in
             *.py) [ -n "$stats" ] && printf '{"phases": {"interpret_s": 0.5, "compile_s": 0.001}, "stencil": {"traces_compiled": 2, "uops_compiled": 40, "own_code_uops": 30, "generic_uops": 10, "stencils": 50, "holes_patched": 200, "code_bytes": 2048, "compile_ns": 6000, "median_ns_per_uop": 150.0, "ns_per_uop": [100.0, 200.0]}}' > "$stats" ;;
             *) [ -n "$stats" ] && printf '{"phases": {"interpret_s": 0.5, "compile_s": 0.0}, "stencil": {"traces_compiled": 1, "uops_compiled": 10, "own_code_uops": 10, "generic_uops": 0, "stencils": 12, "holes_patched": 40, "code_bytes": 512, "compile_ns": 1000, "median_ns_per_uop": 50.0, "ns_per_uop": [50.0]}}' > "$stats" ;;
           esac
           cat "$file"; echo "$size" ;;
  cranelift) c=; case "$file" in
               *.py) [ -n "$compare" ] && c=', "compared": {"backend": "stencil", "median_ns_per_uop": 250.0, "ns_per_uop": [200.0, 300.0]}'
                     [ -n "$stats" ] && printf '{"phases": {"interpret_s": 0.5, "compile_s": 0.01}, "cranelift": {"traces_compiled": 2, "uops_compiled": 20, "own_code_uops": 20, "code_bytes": 8192, "compile_ns": 800000, "median_ns_per_uop": 40000.0, "ns_per_uop": [30000.0, 50000.0]%s}}' "$c" > "$stats" ;;
               *) [ -n "$compare" ] && c=', "compared": {"backend": "stencil", "median_ns_per_uop": 100.0, "ns_per_uop": [100.0]}'
                  [ -n "$stats" ] && printf '{"phases": {"interpret_s": 0.5, "compile_s": 0.0}, "cranelift": {"traces_compiled": 1, "uops_compiled": 10, "own_code_uops": 10, "code_bytes": 4096, "compile_ns": 50000, "median_ns_per_uop": 5000.0, "ns_per_uop": [5000.0]%s}}' "$c" > "$stats" ;;
             esac
             cat "$file"; echo "$size" ;;
  wrong) echo checksum; echo 8 ;;
  crash) echo "boom: internal error" >&2; exit 3 ;;
esac
"#;
        std::fs::write(&engine, script).unwrap();
        let mut perms = std::fs::metadata(&engine).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&engine, perms).unwrap();
        let opts = BenchOptions {
            modes: parse_modes("good,good2"),
            baseline: Some("good".to_string()),
            runs: 2,
            warmup: 1,
            engine_exe: engine,
            suite_dir: dir.clone(),
            json: Some(dir.join("out.json")),
            plot: Some(dir.join("out.svg")),
            ..BenchOptions::default()
        };
        (dir, opts)
    }

    #[test]
    fn end_to_end_with_fake_engine() {
        let (dir, opts) = fake_setup("good");
        assert_eq!(run(&opts), Ok(true));
        let doc = json::parse(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
        assert_eq!(doc.get("ok"), Some(&Json::Bool(true)));
        let Some(Json::Array(rows)) = doc.get("rows") else {
            panic!("no rows")
        };
        assert_eq!(rows.len(), 2);
        let cell = rows[1].get("cells").unwrap().get("good2").unwrap();
        assert_eq!(
            cell.get("output"),
            Some(&Json::String("checksum\n7\n".to_string()))
        );
        let Some(Json::Array(walls)) = cell.get("wall_s") else {
            panic!("no samples")
        };
        assert_eq!(walls.len(), 2);
        let split = cell.get("phase_split").unwrap();
        assert_eq!(split.get("compile").and_then(Json::as_f64), Some(0.25));
        // Statistics cost time: only the warm-up run of each of the 4 cells collects them.
        let stats_runs = std::fs::read_to_string(dir.join("stats.log")).unwrap();
        assert_eq!(stats_runs.lines().count(), 4, "{stats_runs}");
        let svg = std::fs::read_to_string(dir.join("out.svg")).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn wrong_outputs_and_crashes_fail_the_run() {
        let (dir, mut opts) = fake_setup("bad");
        opts.modes = parse_modes("good,wrong,crash");
        opts.quick = true;
        assert_eq!(run(&opts), Ok(false));
        let doc = json::parse(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
        let Some(Json::Array(rows)) = doc.get("rows") else {
            panic!("no rows")
        };
        let cells = rows[0].get("cells").unwrap();
        let wrong = cells.get("wrong").unwrap();
        assert_eq!(
            wrong.get("status"),
            Some(&Json::String("wrong_output".to_string()))
        );
        let Some(Json::String(m)) = wrong.get("mismatch") else {
            panic!("no mismatch")
        };
        assert!(m.contains("line 2: expected `1`, got `8`"), "{m}");
        let Some(Json::String(f)) = cells.get("crash").unwrap().get("failure") else {
            panic!()
        };
        assert_eq!(f, "exit code 3: boom: internal error");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unusable_setups_are_errors() {
        let (dir, mut opts) = fake_setup("err");
        opts.modes = parse_modes("python-not-installed-anywhere");
        assert!(run(&opts).unwrap_err().contains("not installed"));
        opts.modes = parse_modes("good");
        let engine = std::mem::replace(&mut opts.engine_exe, dir.join("no-such-engine"));
        assert!(run(&opts).unwrap_err().contains("not available"));
        opts.engine_exe = engine;
        opts.filter = Some("nothing-matches".to_string());
        assert!(run(&opts).unwrap_err().contains("no benchmark matches"));
        opts.filter = None;
        opts.runs = 0;
        assert!(run(&opts).is_err());
        opts.runs = 1;
        opts.suite_dir = dir.join("missing");
        assert!(run(&opts).unwrap_err().contains("suite.txt"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn uops_column_reports_projection() {
        let (dir, mut opts) = fake_setup("uops");
        opts.modes = parse_modes("good,uops");
        let results = measure_suite(&opts).unwrap();
        assert!(results.all_ok());
        let names: Vec<&str> = results.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["good", "uops"]);
        assert!(results.columns[1].is_engine());
        // uops gets a speedup and a geometric mean like every column.
        let uops = results.rows[0].cells[1].as_ref().unwrap();
        assert!(uops.speedup.is_some());
        assert!(results.geomean_all[1].is_some());
        let split = uops.phase_split().unwrap();
        assert_eq!((split.interpret, split.project), (0.75, 0.25));
        // The table shows projection for the column that projected, and only there.
        let text = report::render(&results, false);
        let phases = &text[text.find("Engine phases").expect(&text)..];
        let line = phases.lines().find(|l| l.starts_with("echo/py ")).unwrap();
        assert!(line.contains("i:50% c:25% n:25%"), "{text}");
        assert!(line.contains("i:75% p:25% (125ms) c:0% n:0%"), "{text}");
        assert_eq!(line.matches("p:").count(), 1, "{text}");
        assert!(text.contains("projecting tier-2 traces (p"), "{text}");
        // The JSON carries each warm-up run's projection time and the split's share.
        let doc = json::parse(&report::json(&results)).unwrap();
        let Some(Json::Array(rows)) = doc.get("rows") else {
            panic!("no rows")
        };
        let cell = rows[0].get("cells").unwrap().get("uops").unwrap();
        let split = cell.get("phase_split").unwrap();
        assert_eq!(split.get("project").and_then(Json::as_f64), Some(0.25));
        assert_eq!(split.get("interpret").and_then(Json::as_f64), Some(0.75));
        let Some(Json::Array(phases)) = cell.get("phases") else {
            panic!("no phases")
        };
        assert_eq!(
            phases[0].get("project_s").and_then(Json::as_f64),
            Some(0.125)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn stencil_column_reports_compile_speed() {
        let (dir, mut opts) = fake_setup("stencil");
        opts.modes = parse_modes("good,stencil");
        let results = measure_suite(&opts).unwrap();
        assert!(results.all_ok());
        // The figures come from the warm-up runs: no extra run per row.
        let stats_runs = std::fs::read_to_string(dir.join("stats.log")).unwrap();
        assert_eq!(stats_runs.lines().count(), 4, "{stats_runs}");
        let speeds: Vec<_> = results.compile_speed.iter().flatten().collect();
        assert_eq!(speeds.len(), 2);
        let py = results
            .rows
            .iter()
            .position(|r| r.lang == Lang::Python)
            .unwrap();
        let c = results.compile_speed[py].as_ref().unwrap();
        assert_eq!((c.traces_compiled, c.median_ns_per_uop()), (2, Some(150.0)));
        // The report: per row, then every trace pooled (100, 200, 50: median 100, met).
        let text = report::render(&results, false);
        let section = &text[text.find("Tier-3 compile speed").expect(&text)..];
        let line = section.lines().find(|l| l.starts_with("echo/py ")).unwrap();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells,
            ["echo/py", "2", "40", "75%", "2048", "6µs", "150.0", "1.50x"]
        );
        let line = section.lines().find(|l| l.starts_with("all ")).unwrap();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells[4..],
            ["3", "50", "80%", "2560", "7µs", "100.0", "met"]
        );
        assert!(
            section.contains("100.0 ns per uop over 3 traces: meets the target of at most 100"),
            "{section}"
        );
        assert!(text.contains("run --mode stencil: tier 3"), "{text}");
        // The JSON: per row and pooled at the top level.
        let doc = json::parse(&report::json(&results)).unwrap();
        let Some(Json::Array(rows)) = doc.get("rows") else {
            panic!("no rows")
        };
        let row = rows[py].get("tier3_compile").unwrap();
        assert_eq!(
            row.get("median_ns_per_uop").and_then(Json::as_f64),
            Some(150.0)
        );
        assert_eq!(
            row.get("own_stencil_share").and_then(Json::as_f64),
            Some(0.75)
        );
        assert_eq!(row.get("within_target"), Some(&Json::Bool(false)));
        let all = doc.get("tier3_compile").unwrap();
        assert_eq!(
            all.get("target_ns_per_uop").and_then(Json::as_f64),
            Some(100.0)
        );
        assert_eq!(all.get("rows").and_then(Json::as_f64), Some(2.0));
        assert_eq!(
            all.get("median_ns_per_uop").and_then(Json::as_f64),
            Some(100.0)
        );
        assert_eq!(all.get("within_target"), Some(&Json::Bool(true)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn compile_speed_without_warm_up_runs_once_more() {
        let (dir, mut opts) = fake_setup("stencil-quick");
        opts.modes = parse_modes("good,stencil");
        opts.quick = true;
        let results = measure_suite(&opts).unwrap();
        // No warm-up collects statistics, so each stencil row runs once more with them.
        let stats_runs = std::fs::read_to_string(dir.join("stats.log")).unwrap();
        assert_eq!(stats_runs, "stencil\nstencil\n");
        let all = compilespeed::CompileSpeed::pooled(&results.compile_speed).unwrap();
        assert_eq!(all.ns_per_uop.len(), 3);
        // Without a stencil column there is no section and the JSON has null.
        opts.modes = parse_modes("good");
        let results = measure_suite(&opts).unwrap();
        assert!(results.compile_speed.iter().all(Option::is_none));
        assert!(!report::render(&results, false).contains("Tier-3 compile speed"));
        let doc = json::parse(&report::json(&results)).unwrap();
        assert_eq!(doc.get("tier3_compile"), Some(&Json::Null));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn modes_list() {
        assert_eq!(parse_modes(" interp, ,python3"), vec!["interp", "python3"]);
        assert!(is_external("pypy3") && is_external("python3.12") && !is_external("interp"));
        // Both suites run the uop interpreter by default, right after tier 1, then tier 3,
        // each without and with the tier-2 optimizer, then tier 3's Cranelift reference.
        assert_eq!(
            parse_modes(DEFAULT_MODES),
            vec![
                "interp",
                "adaptive",
                "uops:none",
                "uops",
                "stencil:none",
                "stencil",
                "cranelift",
                "python3",
                "pypy3"
            ]
        );
        assert!(!is_external("uops") && !is_external("stencil:none"));
        // `MODE:PASSES` passes the optimizer setting on.
        let column = Column {
            name: "stencil:none".to_string(),
            kind: ColumnKind::Engine {
                exe: PathBuf::from("engine"),
            },
        };
        let (_, args) = invocation(&column, Path::new("f.py"), "7", None);
        assert_eq!(
            args,
            ["run", "--mode", "stencil", "--opt", "none", "f.py", "--", "7"]
        );
        assert!(report::column_note("stencil:none")
            .unwrap()
            .contains("CPython 3.13"));
        // Only statistics runs of mode cranelift compare compile times, `:none` included.
        let column = Column {
            name: "cranelift:none".to_string(),
            kind: ColumnKind::Engine {
                exe: PathBuf::from("engine"),
            },
        };
        let (_, args) = invocation(&column, Path::new("f.py"), "7", Some(Path::new("s")));
        let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
        assert_eq!(
            args,
            [
                "run",
                "--mode",
                "cranelift",
                "--opt",
                "none",
                "--stats-json",
                "s",
                "--compare-compile",
                "f.py",
                "--",
                "7"
            ]
        );
        let (_, args) = invocation(&column, Path::new("f.py"), "7", None);
        assert!(!args.iter().any(|a| a == "--compare-compile"));
    }
}
