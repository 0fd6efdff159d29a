//! Tier 3's compile time against its reference: for every benchmark the `cranelift` column
//! ran, the same traces compiled by Cranelift (whose code ran) and by the stencil backend
//! (timed in the same process, its code thrown away: `xtask run --compare-compile`, which
//! the column's statistics runs pass), in nanoseconds per uop. The issue's goal is the
//! stencil backend at least [`GOAL_RATIO`] times faster; the figure held against it is the
//! ratio of the two medians over every trace of the bench, pooled across benchmarks.

use std::path::Path;
use std::time::Duration;

use super::compilespeed;
use super::json::Json;
use super::stats;
use super::{Column, Row};

/// How many times faster than Cranelift the stencil backend aims to compile a trace.
pub const GOAL_RATIO: f64 = 100.0;

/// The same traces compiled by both backends in one run (the `"cranelift"` object of
/// `xtask run --mode cranelift --compare-compile --stats-json`), or several runs pooled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileCompare {
    /// Traces Cranelift compiled.
    pub traces_compiled: u64,
    /// Uops in those traces.
    pub uops_compiled: u64,
    /// Per trace Cranelift compiled: its nanoseconds per uop.
    pub cranelift_ns_per_uop: Vec<f64>,
    /// Per trace, in the same order: the stencil backend's nanoseconds per uop on it.
    pub stencil_ns_per_uop: Vec<f64>,
}

impl CompileCompare {
    /// Reads an engine stats document: its `"cranelift"` object with the `"compared"` one
    /// the stencil backend's timings go to. The engine writes the object only when something
    /// was compiled; without one, a document that has `"phases"` (so it is the engine's)
    /// means nothing was compiled. `None` for anything else, a run without
    /// `--compare-compile` included.
    pub fn from_stats(stats: &Json) -> Option<CompileCompare> {
        let Some(c) = stats.get("cranelift") else {
            return stats.get("phases").map(|_| CompileCompare::default());
        };
        let compared = c.get("compared")?;
        if compared.get("backend") != Some(&Json::String("stencil".to_string())) {
            return None;
        }
        let count = |k: &str| {
            c.get(k)
                .and_then(Json::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(|n| n as u64)
        };
        let list = |o: &Json| match o.get("ns_per_uop") {
            Some(Json::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(Json::as_f64)
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .collect(),
            ),
            _ => None,
        };
        Some(CompileCompare {
            traces_compiled: count("traces_compiled")?,
            uops_compiled: count("uops_compiled")?,
            cranelift_ns_per_uop: list(c)?,
            stencil_ns_per_uop: list(compared)?,
        })
    }

    /// The median of Cranelift's nanoseconds per uop over the traces.
    pub fn cranelift_median(&self) -> Option<f64> {
        stats::summarize(&self.cranelift_ns_per_uop).map(|s| s.median)
    }

    /// The median of the stencil backend's nanoseconds per uop over the same traces.
    pub fn stencil_median(&self) -> Option<f64> {
        stats::summarize(&self.stencil_ns_per_uop).map(|s| s.median)
    }

    /// How many times faster the stencil backend compiled: Cranelift's median over the
    /// stencil backend's (`None` when either was not timed).
    pub fn ratio(&self) -> Option<f64> {
        let (c, s) = (self.cranelift_median()?, self.stencil_median()?);
        (s > 0.0).then(|| c / s)
    }

    /// Whether the ratio reaches [`GOAL_RATIO`].
    pub fn meets_goal(&self) -> Option<bool> {
        self.ratio().map(|r| r >= GOAL_RATIO)
    }

    /// The sum of `self` and `o`: counts add up, the traces' timings are pooled.
    pub fn plus(&self, o: &CompileCompare) -> CompileCompare {
        let join = |a: &[f64], b: &[f64]| [a, b].concat();
        CompileCompare {
            traces_compiled: self.traces_compiled + o.traces_compiled,
            uops_compiled: self.uops_compiled + o.uops_compiled,
            cranelift_ns_per_uop: join(&self.cranelift_ns_per_uop, &o.cranelift_ns_per_uop),
            stencil_ns_per_uop: join(&self.stencil_ns_per_uop, &o.stencil_ns_per_uop),
        }
    }

    /// Every row's figures together (`None` when there are none).
    pub fn pooled<'a>(
        rows: impl IntoIterator<Item = &'a Option<CompileCompare>>,
    ) -> Option<CompileCompare> {
        rows.into_iter()
            .flatten()
            .fold(None, |acc: Option<CompileCompare>, c| {
                Some(acc.map_or_else(|| c.clone(), |a| a.plus(c)))
            })
    }
}

/// For every row whose `cranelift` cell succeeded: both backends' compile times on its
/// traces, from the cell's first warm-up run with statistics when it has one, from an extra
/// (untimed) run with `--stats-json --compare-compile` otherwise (`--warmup 0`, `--quick`).
pub fn collect(
    columns: &[Column],
    rows: &[Row],
    scratch: &Path,
    timeout: Duration,
) -> Vec<Option<CompileCompare>> {
    compilespeed::collect_from(
        columns,
        rows,
        scratch,
        timeout,
        "cranelift",
        CompileCompare::from_stats,
    )
}

#[cfg(test)]
mod tests {
    use super::super::json;
    use super::super::tests::fake_setup;
    use super::super::{measure_suite, parse_modes, report};
    use super::*;

    fn parse(text: &str) -> Json {
        json::parse(text).unwrap()
    }

    #[test]
    fn reads_the_compared_object() {
        // What `xtask run --mode cranelift --compare-compile --stats-json` writes (abridged).
        let doc = parse(
            r#"{"mode": "cranelift", "phases": {"compile_s": 0.04},
                "cranelift": {"traces_compiled": 3, "uops_compiled": 300, "own_code_uops": 200,
                "code_bytes": 40000, "compile_ns": 30000000, "median_ns_per_uop": 52000.0,
                "ns_per_uop": [85000.0, 52000.0, 42000.0],
                "compared": {"backend": "stencil", "median_ns_per_uop": 280.0,
                "ns_per_uop": [280.0, 200.0, 51000.0]}}}"#,
        );
        let c = CompileCompare::from_stats(&doc).unwrap();
        assert_eq!(
            c,
            CompileCompare {
                traces_compiled: 3,
                uops_compiled: 300,
                cranelift_ns_per_uop: vec![85000.0, 52000.0, 42000.0],
                stencil_ns_per_uop: vec![280.0, 200.0, 51000.0],
            }
        );
        assert_eq!(c.cranelift_median(), Some(52000.0));
        assert_eq!(c.stencil_median(), Some(280.0));
        // 52000 / 280: the medians shrug off the one slow stencil trace.
        let r = c.ratio().unwrap();
        assert!((r - 185.714).abs() < 1e-3, "{r}");
        assert_eq!(c.meets_goal(), Some(true));
    }

    #[test]
    fn nothing_compiled_and_bad_documents() {
        // The engine leaves the object out when nothing was compiled.
        let none = CompileCompare::from_stats(&parse(r#"{"phases": {"interpret_s": 1.0}}"#));
        let none = none.unwrap();
        assert_eq!(none, CompileCompare::default());
        assert_eq!((none.ratio(), none.meets_goal()), (None, None));
        // Not an engine document; a run without `--compare-compile`; another backend
        // compared; counts or lists missing.
        assert_eq!(CompileCompare::from_stats(&parse("[1]")), None);
        let counts = r#""traces_compiled": 1, "uops_compiled": 10"#;
        for bad in [
            format!(r#"{{"cranelift": {{{counts}, "ns_per_uop": [1.0]}}}}"#),
            format!(
                r#"{{"cranelift": {{{counts}, "ns_per_uop": [1.0],
                    "compared": {{"backend": "other", "ns_per_uop": [1.0]}}}}}}"#
            ),
            format!(
                r#"{{"cranelift": {{{counts}, "ns_per_uop": [1.0],
                    "compared": {{"backend": "stencil"}}}}}}"#
            ),
            r#"{"cranelift": {"ns_per_uop": [1.0],
                "compared": {"backend": "stencil", "ns_per_uop": [1.0]}}}"#
                .to_string(),
        ] {
            assert_eq!(CompileCompare::from_stats(&parse(&bad)), None, "{bad}");
        }
        // A stencil time of zero gives no ratio rather than infinity.
        let zero = CompileCompare {
            cranelift_ns_per_uop: vec![5.0],
            stencil_ns_per_uop: vec![0.0],
            ..CompileCompare::default()
        };
        assert_eq!(zero.ratio(), None);
    }

    #[test]
    fn pooled_medians_and_their_ratio() {
        let a = CompileCompare {
            traces_compiled: 2,
            uops_compiled: 20,
            cranelift_ns_per_uop: vec![30000.0, 50000.0],
            stencil_ns_per_uop: vec![200.0, 300.0],
        };
        let b = CompileCompare {
            traces_compiled: 1,
            uops_compiled: 10,
            cranelift_ns_per_uop: vec![5000.0],
            stencil_ns_per_uop: vec![100.0],
        };
        assert_eq!(a.ratio(), Some(160.0));
        assert_eq!(b.ratio(), Some(50.0));
        assert_eq!(b.meets_goal(), Some(false));
        // Pooled: the medians of all three traces (30000 and 200), and their ratio, not the
        // median or mean of the rows' ratios.
        let all = CompileCompare::pooled(&[Some(a.clone()), None, Some(b.clone())]).unwrap();
        assert_eq!(all, a.plus(&b));
        assert_eq!((all.traces_compiled, all.uops_compiled), (3, 30));
        assert_eq!(all.cranelift_median(), Some(30000.0));
        assert_eq!(all.stencil_median(), Some(200.0));
        assert_eq!(all.ratio(), Some(150.0));
        assert_eq!(all.meets_goal(), Some(true));
        assert_eq!(CompileCompare::pooled(&[None, None]), None);
    }

    #[test]
    fn cranelift_column_reports_the_comparison() {
        let (dir, mut opts) = fake_setup("cranelift");
        opts.modes = parse_modes("good,stencil,cranelift");
        let results = measure_suite(&opts).unwrap();
        assert!(results.all_ok());
        // Only the warm-up runs (one per cell) compare; the timed runs never get the flag
        // (the fake engine logs a run that does to `bad.log`).
        let stats_runs = std::fs::read_to_string(dir.join("stats.log")).unwrap();
        let compared = stats_runs
            .lines()
            .filter(|l| *l == "cranelift --compare-compile")
            .count();
        assert_eq!(
            (stats_runs.lines().count(), compared),
            (6, 2),
            "{stats_runs}"
        );
        assert!(!dir.join("bad.log").exists());
        let py = results
            .rows
            .iter()
            .position(|r| r.lang == super::super::Lang::Python)
            .unwrap();
        let c = results.compile_compare[py].as_ref().unwrap();
        assert_eq!((c.traces_compiled, c.ratio()), (2, Some(160.0)));
        // The report: per row, then every trace pooled (medians 30000 and 200: 150x, met),
        // and the stencil column's own table is still there.
        let text = report::render(&results, false);
        assert!(text.contains("Tier-3 compile speed (stencil)"), "{text}");
        let section = &text[text.find("Tier-3 compile time: stencil vs").expect(&text)..];
        let cells = |label: &str| -> Vec<String> {
            let line = section
                .lines()
                .find(|l| l.starts_with(label))
                .expect(section);
            line.split_whitespace().map(str::to_string).collect()
        };
        assert_eq!(
            cells("echo/py "),
            ["echo/py", "2", "20", "250.0", "40000", "160x"]
        );
        assert_eq!(
            cells("echo/tiny "),
            ["echo/tiny", "1", "10", "100.0", "5000", "50.0x"]
        );
        assert_eq!(cells("all ")[4..], ["3", "30", "200.0", "30000", "150x"]);
        assert!(
            section.contains("over 3 traces, 150x faster: meets the goal of at least 100x"),
            "{section}"
        );
        assert!(
            text.contains("run --mode cranelift: tier 3 reference"),
            "{text}"
        );
        // The JSON: per row and pooled at the top level.
        let doc = json::parse(&report::json(&results)).unwrap();
        let Some(Json::Array(rows)) = doc.get("rows") else {
            panic!("no rows")
        };
        let row = rows[py].get("tier3_compile_vs_cranelift").unwrap();
        assert_eq!(row.get("ratio").and_then(Json::as_f64), Some(160.0));
        assert_eq!(
            row.get("stencil_median_ns_per_uop").and_then(Json::as_f64),
            Some(250.0)
        );
        let all = doc.get("tier3_compile_vs_cranelift").unwrap();
        assert_eq!(all.get("goal_ratio").and_then(Json::as_f64), Some(100.0));
        assert_eq!(all.get("rows").and_then(Json::as_f64), Some(2.0));
        assert_eq!(
            all.get("cranelift_median_ns_per_uop")
                .and_then(Json::as_f64),
            Some(30000.0)
        );
        assert_eq!(all.get("ratio").and_then(Json::as_f64), Some(150.0));
        assert_eq!(all.get("meets_goal"), Some(&Json::Bool(true)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn comparison_without_warm_up_runs_once_more() {
        let (dir, mut opts) = fake_setup("cranelift-quick");
        opts.modes = parse_modes("good,cranelift");
        opts.quick = true;
        let results = measure_suite(&opts).unwrap();
        // No warm-up collects statistics, so each row runs once more with them (and with
        // the comparison).
        let stats_runs = std::fs::read_to_string(dir.join("stats.log")).unwrap();
        assert_eq!(
            stats_runs,
            "cranelift --compare-compile\ncranelift --compare-compile\n"
        );
        assert!(!dir.join("bad.log").exists());
        let all = CompileCompare::pooled(&results.compile_compare).unwrap();
        assert_eq!(all.stencil_ns_per_uop.len(), 3);
        // Without a cranelift column there is no section and the JSON has null.
        opts.modes = parse_modes("good,stencil");
        let results = measure_suite(&opts).unwrap();
        assert!(results.compile_compare.iter().all(Option::is_none));
        assert!(!report::render(&results, false).contains("stencil vs Cranelift"));
        let doc = json::parse(&report::json(&results)).unwrap();
        assert_eq!(doc.get("tier3_compile_vs_cranelift"), Some(&Json::Null));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
