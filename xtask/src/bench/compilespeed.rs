//! Tier 3's compile speed: for every benchmark the `stencil` column ran, what the
//! copy-and-patch backend compiled (traces, uops, how many uops had a stencil of their own,
//! bytes of code) and how long it took per uop, each trace timed on its own. The issue's
//! target is at most [`TARGET_NS_PER_UOP`] nanoseconds per uop; the figure held against it is
//! the median over every trace compiled in the bench, pooled across benchmarks.

use std::path::Path;
use std::time::Duration;

use super::json::{self, Json};
use super::measure;
use super::stats;
use super::{Cell, Column, ColumnKind, Row};

/// The compile speed tier 3 aims for: at most this many nanoseconds per uop compiled.
pub const TARGET_NS_PER_UOP: f64 = 100.0;

/// What the copy-and-patch backend compiled in one run (the `"stencil"` object of
/// `xtask run --mode stencil --stats-json`), or the sum of several runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileSpeed {
    pub traces_compiled: u64,
    pub uops_compiled: u64,
    /// Of the uops compiled, those with a stencil of their own (the others go through the
    /// generic stencil).
    pub own_code_uops: u64,
    /// Bytes of code written.
    pub code_bytes: u64,
    /// Nanoseconds spent compiling.
    pub compile_ns: u64,
    /// Per trace compiled (and timed): nanoseconds per uop.
    pub ns_per_uop: Vec<f64>,
}

impl CompileSpeed {
    /// Reads an engine stats document. Its `"stencil"` object, which the engine writes only
    /// when something was compiled; without one, a document that has `"phases"` (so it is the
    /// engine's) means nothing was compiled. `None` for anything else.
    pub fn from_stats(stats: &Json) -> Option<CompileSpeed> {
        let Some(s) = stats.get("stencil") else {
            return stats.get("phases").map(|_| CompileSpeed::default());
        };
        let count = |k: &str| {
            s.get(k)
                .and_then(Json::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(|n| n as u64)
        };
        let ns_per_uop = match s.get("ns_per_uop") {
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(Json::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0)
                .collect(),
            _ => return None,
        };
        Some(CompileSpeed {
            traces_compiled: count("traces_compiled")?,
            uops_compiled: count("uops_compiled")?,
            own_code_uops: count("own_code_uops")?,
            code_bytes: count("code_bytes")?,
            compile_ns: count("compile_ns").unwrap_or(0),
            ns_per_uop,
        })
    }

    /// The median of the traces' nanoseconds per uop (`None` when no trace was timed).
    pub fn median_ns_per_uop(&self) -> Option<f64> {
        stats::summarize(&self.ns_per_uop).map(|s| s.median)
    }

    /// The share of the uops compiled that had a stencil of their own.
    pub fn own_stencil_share(&self) -> Option<f64> {
        (self.uops_compiled > 0).then(|| self.own_code_uops as f64 / self.uops_compiled as f64)
    }

    /// Whether the median meets [`TARGET_NS_PER_UOP`] (`None` when no trace was timed).
    pub fn within_target(&self) -> Option<bool> {
        self.median_ns_per_uop().map(|m| m <= TARGET_NS_PER_UOP)
    }

    /// The sum of `self` and `o`: counts add up, the traces' timings are pooled.
    pub fn plus(&self, o: &CompileSpeed) -> CompileSpeed {
        let mut ns_per_uop = self.ns_per_uop.clone();
        ns_per_uop.extend_from_slice(&o.ns_per_uop);
        CompileSpeed {
            traces_compiled: self.traces_compiled + o.traces_compiled,
            uops_compiled: self.uops_compiled + o.uops_compiled,
            own_code_uops: self.own_code_uops + o.own_code_uops,
            code_bytes: self.code_bytes + o.code_bytes,
            compile_ns: self.compile_ns + o.compile_ns,
            ns_per_uop,
        }
    }

    /// Every row's figures together (`None` when there are none).
    pub fn pooled<'a>(rows: impl IntoIterator<Item = &'a Option<CompileSpeed>>) -> Option<Self> {
        rows.into_iter()
            .flatten()
            .fold(None, |acc: Option<CompileSpeed>, c| {
                Some(acc.map_or_else(|| c.clone(), |a| a.plus(c)))
            })
    }
}

/// Runs `row` once more under `column` with statistics (not timed) and reads them with
/// `parse`.
fn count<T>(
    exe: &Path,
    column: &Column,
    row: &Row,
    scratch: &Path,
    timeout: Duration,
    parse: fn(&Json) -> Option<T>,
) -> Option<T> {
    let stats = scratch.join("compilestats.json");
    let _ = std::fs::remove_file(&stats);
    let (_, args) = super::invocation(column, &row.file, &row.size, Some(&stats));
    let outcome = measure::run_once(exe, &args, scratch, timeout).ok()?;
    if outcome.failure().is_some() {
        return None;
    }
    let doc = json::parse(&std::fs::read_to_string(&stats).ok()?).ok()?;
    parse(&doc)
}

/// For every row whose `stencil` cell succeeded: what tier 3 compiled and how fast, from the
/// cell's first warm-up run with statistics when it has one, from an extra (untimed) run
/// with `--stats-json` otherwise (`--warmup 0`, `--quick`).
pub fn collect(
    columns: &[Column],
    rows: &[Row],
    scratch: &Path,
    timeout: Duration,
) -> Vec<Option<CompileSpeed>> {
    collect_from(
        columns,
        rows,
        scratch,
        timeout,
        "stencil",
        CompileSpeed::from_stats,
    )
}

/// For every row whose cell in the engine column `name` succeeded: what `parse` reads from
/// the cell's first warm-up run whose statistics it accepts, or from an extra (untimed) run
/// with `--stats-json` when there is none. All `None` without such a column.
pub fn collect_from<T>(
    columns: &[Column],
    rows: &[Row],
    scratch: &Path,
    timeout: Duration,
    name: &str,
    parse: fn(&Json) -> Option<T>,
) -> Vec<Option<T>> {
    let Some((col, exe)) = columns.iter().enumerate().find_map(|(i, c)| match &c.kind {
        ColumnKind::Engine { exe } if c.name == name => Some((i, exe.clone())),
        _ => None,
    }) else {
        return rows.iter().map(|_| None).collect();
    };
    let stats_of = |cell: &Cell| {
        cell.profile
            .iter()
            .find_map(|s| s.stats.as_ref().and_then(parse))
    };
    fn good(row: &Row, col: usize) -> Option<&Cell> {
        row.cells[col].as_ref().filter(|c| c.failure.is_none())
    }
    let wanted = rows
        .iter()
        .filter_map(|row| good(row, col))
        .filter(|c| stats_of(c).is_none())
        .count();
    let mut done = 0;
    let found = rows
        .iter()
        .map(|row| {
            let cell = good(row, col)?;
            if let Some(s) = stats_of(cell) {
                return Some(s);
            }
            done += 1;
            eprint!(
                "\r\x1b[Kbench: collecting {name} compile statistics ({done}/{wanted}) {}",
                row.file.display()
            );
            count(&exe, &columns[col], row, scratch, timeout, parse)
        })
        .collect();
    if wanted > 0 {
        eprint!("\r\x1b[K");
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        json::parse(text).unwrap()
    }

    #[test]
    fn reads_the_stencil_object() {
        // What `xtask run --mode stencil --stats-json` writes (abridged).
        let doc = parse(
            r#"{"mode": "stencil", "phases": {"compile_s": 0.0003},
                "stencil": {"traces_compiled": 3, "uops_compiled": 40, "own_code_uops": 30,
                "generic_uops": 10, "stencils": 90, "holes_patched": 300, "code_bytes": 4096,
                "compile_ns": 5000, "median_ns_per_uop": 120.0,
                "ns_per_uop": [300.0, 120.0, 80.0]}}"#,
        );
        let c = CompileSpeed::from_stats(&doc).unwrap();
        assert_eq!(
            c,
            CompileSpeed {
                traces_compiled: 3,
                uops_compiled: 40,
                own_code_uops: 30,
                code_bytes: 4096,
                compile_ns: 5000,
                ns_per_uop: vec![300.0, 120.0, 80.0],
            }
        );
        assert_eq!(c.median_ns_per_uop(), Some(120.0));
        assert_eq!(c.own_stencil_share(), Some(0.75));
        assert_eq!(c.within_target(), Some(false));
    }

    #[test]
    fn nothing_compiled_and_bad_documents() {
        // The engine leaves the object out when nothing was compiled.
        let none = CompileSpeed::from_stats(&parse(r#"{"phases": {"interpret_s": 1.0}}"#));
        let none = none.unwrap();
        assert_eq!(none, CompileSpeed::default());
        assert_eq!(none.median_ns_per_uop(), None);
        assert_eq!(none.own_stencil_share(), None);
        assert_eq!(none.within_target(), None);
        // Not an engine document, or a stencil object missing its counts.
        assert_eq!(CompileSpeed::from_stats(&parse("[1]")), None);
        assert_eq!(CompileSpeed::from_stats(&parse(r#"{"tier2": {}}"#)), None);
        let partial = r#"{"stencil": {"traces_compiled": 1, "ns_per_uop": [1.0]}}"#;
        assert_eq!(CompileSpeed::from_stats(&parse(partial)), None);
        let no_list = r#"{"stencil": {"traces_compiled": 1, "uops_compiled": 2,
            "own_code_uops": 1, "code_bytes": 64}}"#;
        assert_eq!(CompileSpeed::from_stats(&parse(no_list)), None);
    }

    #[test]
    fn medians_pool_every_trace() {
        let a = CompileSpeed {
            traces_compiled: 2,
            uops_compiled: 10,
            own_code_uops: 10,
            code_bytes: 100,
            compile_ns: 1000,
            ns_per_uop: vec![50.0, 90.0],
        };
        let b = CompileSpeed {
            traces_compiled: 3,
            uops_compiled: 30,
            own_code_uops: 5,
            code_bytes: 300,
            compile_ns: 9000,
            ns_per_uop: vec![400.0, 200.0, 110.0],
        };
        // Even counts take the mean of the middle two.
        assert_eq!(a.median_ns_per_uop(), Some(70.0));
        assert_eq!(a.within_target(), Some(true));
        assert_eq!(b.median_ns_per_uop(), Some(200.0));
        // Pooled: the median of all five traces, not the median of the two medians (135).
        let all = CompileSpeed::pooled(&[Some(a.clone()), None, Some(b.clone())]).unwrap();
        assert_eq!(all.median_ns_per_uop(), Some(110.0));
        assert_eq!(
            (
                all.traces_compiled,
                all.uops_compiled,
                all.code_bytes,
                all.compile_ns
            ),
            (5, 40, 400, 10_000)
        );
        assert_eq!(all.own_stencil_share(), Some(15.0 / 40.0));
        assert_eq!(all, a.plus(&b));
        assert_eq!(CompileSpeed::pooled(&[None, None]), None);
    }
}
