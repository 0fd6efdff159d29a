//! The tier-2 optimizer's dynamic counts: for every benchmark the `uops` column ran, the
//! uops and guards the uop interpreter executed with the optimizer off (`--opt none`) and
//! on (`--opt all`, the column's own setting). Counts, not times: they are exact and the
//! same on every machine, so they show what the optimizer removed from what actually ran.

use std::path::Path;
use std::time::Duration;

use super::json::{self, Json};
use super::measure;
use super::{Column, ColumnKind, Row};

/// Uops and guards executed, unoptimized and optimized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OptCounts {
    pub uops_none: u64,
    pub uops_all: u64,
    pub guards_none: u64,
    pub guards_all: u64,
}

impl OptCounts {
    /// The share of uops and of guards the optimizer removed.
    pub fn cuts(&self) -> (f64, f64) {
        let cut = |none: u64, all: u64| {
            if none == 0 {
                0.0
            } else {
                1.0 - all as f64 / none as f64
            }
        };
        (
            cut(self.uops_none, self.uops_all),
            cut(self.guards_none, self.guards_all),
        )
    }

    /// The sum of `self` and `o`.
    pub fn plus(&self, o: &OptCounts) -> OptCounts {
        OptCounts {
            uops_none: self.uops_none + o.uops_none,
            uops_all: self.uops_all + o.uops_all,
            guards_none: self.guards_none + o.guards_none,
            guards_all: self.guards_all + o.guards_all,
        }
    }
}

/// The tier-2 counts (`uops_executed`, `guards_executed`) of an engine stats document.
fn tier2_counts(stats: &Json) -> Option<(u64, u64)> {
    let t = stats.get("tier2")?;
    let get = |k: &str| t.get(k).and_then(Json::as_f64).map(|f| f as u64);
    Some((get("uops_executed")?, get("guards_executed")?))
}

/// Runs each row the `uops` column ran well once more under `opt` with statistics, and
/// returns its tier-2 counts.
fn count(
    exe: &Path,
    row: &Row,
    opt: &str,
    scratch: &Path,
    timeout: Duration,
) -> Option<(u64, u64)> {
    let stats = scratch.join("optcounts.json");
    let _ = std::fs::remove_file(&stats);
    let args: Vec<std::ffi::OsString> = vec![
        "run".into(),
        "--mode".into(),
        "uops".into(),
        "--opt".into(),
        opt.into(),
        "--stats-json".into(),
        stats.clone().into(),
        row.file.clone().into(),
        "--".into(),
        row.size.clone().into(),
    ];
    let outcome = measure::run_once(exe, &args, scratch, timeout).ok()?;
    if outcome.failure().is_some() {
        return None;
    }
    let doc = json::parse(&std::fs::read_to_string(&stats).ok()?).ok()?;
    tier2_counts(&doc)
}

/// For every row whose `uops` cell succeeded: its counts with the optimizer off and on,
/// from the warm-up statistics of the `uops:none` and `uops` cells when there are, from a
/// counting run otherwise.
pub fn collect(
    columns: &[Column],
    rows: &[Row],
    scratch: &Path,
    timeout: Duration,
) -> Vec<Option<OptCounts>> {
    let Some((col, exe)) = columns.iter().enumerate().find_map(|(i, c)| match &c.kind {
        ColumnKind::Engine { exe } if c.name == "uops" => Some((i, exe.clone())),
        _ => None,
    }) else {
        return vec![None; rows.len()];
    };
    // A `uops:none` column's warm-up statistics have the unoptimized counts already.
    let none_col = columns.iter().position(|c| c.name == "uops:none");
    let stats_of = |cell: &super::Cell| {
        cell.profile
            .iter()
            .find_map(|s| s.stats.as_ref().and_then(tier2_counts))
    };
    let wanted = rows
        .iter()
        .filter(|r| r.cells[col].as_ref().is_some_and(|c| c.failure.is_none()))
        .count();
    let mut done = 0;
    let counts = rows
        .iter()
        .map(|row| {
            let cell = row.cells[col].as_ref().filter(|c| c.failure.is_none())?;
            done += 1;
            eprint!(
                "\r\x1b[Kbench: counting tier-2 uops with the optimizer off ({done}/{wanted}) {}",
                row.file.display()
            );
            let unopt = none_col
                .and_then(|c| row.cells[c].as_ref())
                .filter(|c| c.failure.is_none())
                .and_then(stats_of);
            let (uops_none, guards_none) = match unopt {
                Some(c) => c,
                None => count(&exe, row, "none", scratch, timeout)?,
            };
            let (uops_all, guards_all) = match stats_of(cell) {
                Some(c) => c,
                None => count(&exe, row, "all", scratch, timeout)?,
            };
            Some(OptCounts {
                uops_none,
                uops_all,
                guards_none,
                guards_all,
            })
        })
        .collect();
    if wanted > 0 {
        eprint!("\r\x1b[K");
    }
    counts
}
