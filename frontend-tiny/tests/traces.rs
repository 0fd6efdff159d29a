//! Golden tests for tier 2's middle: every `tests/traces/NAME.tiny` runs in `--mode uops`
//! with `--dump uops`, and the traces it prints (uops, exits, snapshots) must be exactly
//! `NAME.uops` as projected (`--opt none`) and `NAME.opt` optimized (`--opt all`). A
//! mismatch shows a unified diff. `tests/opt/` holds the optimizer's own goldens: a trace
//! in text form in, the optimized trace out.
//!
//! `BLESS=1 cargo test -p frontend-tiny --test traces` rewrites the expected files; review
//! the diff before committing it. The program's output must also agree with the generic
//! interpreter's, and every printed trace must read back through the parser and print
//! the same.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use frontend_tiny::driver::{run, RunConfig};
use jit_core::interp::Mode;
use jit_core::tier2::{OptConfig, Passes};

#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_mode(name: &str, source: &str, mode: Mode, dump: bool, opt: Passes) -> (String, String) {
    let buf = SharedBuf::default();
    let cfg = RunConfig {
        dump_uops: dump,
        opt: OptConfig {
            passes: opt,
            dump: false,
        },
        ..RunConfig::new(mode)
    };
    let o = run(name, source, &cfg, Box::new(buf.clone()));
    let out = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
    (out, o.stderr)
}

/// The traces part of the diagnostics.
fn traces_of(stderr: &str) -> String {
    match stderr.find("== uop traces ==\n") {
        Some(i) => stderr[i + "== uop traces ==\n".len()..].to_string(),
        None => String::new(),
    }
}

/// A unified diff of `want` against `got`, by lines (longest common subsequence).
fn unified_diff(want: &str, got: &str) -> String {
    let a: Vec<&str> = want.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The edit script: ' ', '-' or '+' per line.
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    // Hunks with three lines of context.
    let mut out = String::from("--- expected\n+++ actual\n");
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = (changed[k] + 4).min(ops.len());
        while k + 1 < changed.len() && changed[k + 1] < end + 3 {
            k += 1;
            end = (changed[k] + 4).min(ops.len());
        }
        let old_start = ops[..start].iter().filter(|o| o.0 != '+').count() + 1;
        let new_start = ops[..start].iter().filter(|o| o.0 != '-').count() + 1;
        let old_len = ops[start..end].iter().filter(|o| o.0 != '+').count();
        let new_len = ops[start..end].iter().filter(|o| o.0 != '-').count();
        out.push_str(&format!(
            "@@ -{old_start},{old_len} +{new_start},{new_len} @@\n"
        ));
        for (c, l) in &ops[start..end] {
            out.push_str(&format!("{c}{l}\n"));
        }
        k += 1;
    }
    out
}

/// The files of `tests/SUB` whose extension is `ext`, sorted.
fn files(sub: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} exists", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

#[test]
fn traces_match_their_golden_text() {
    let bless = std::env::var_os("BLESS").is_some();
    let files = files("traces", "tiny");
    assert!(
        files.len() >= 5,
        "expected the trace corpus, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    // The projected traces (`NAME.uops`), and the same optimized (`NAME.opt`).
    let runs = [(Passes::NONE, "uops"), (Passes::ALL, "opt")];
    for (path, &(passes, ext)) in files.iter().flat_map(|p| runs.iter().map(move |r| (p, r))) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).unwrap();
        let (want_out, _) = run_mode(&name, &source, Mode::Interp, false, passes);
        let (out, stderr) = run_mode(&name, &source, Mode::Uops, true, passes);
        if out != want_out {
            failures.push(format!(
                "{name}: output differs from the interpreter's (.{ext})"
            ));
        }
        let got = traces_of(&stderr);
        for (k, text) in got.split("\ntrace ").enumerate() {
            let body = text.strip_prefix("trace ").unwrap_or(text).trim_end();
            let text = format!("trace {body}\n");
            // The trace's number in its loop's tree, as printed.
            let index: u32 = text
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            match jit_core::tier2::parse_trace(&text) {
                Ok(t) => {
                    let reprinted = jit_core::tier2::print_trace_plain(&t, index);
                    // Constants print from the heap; compare everything else.
                    let strip = |s: &str| {
                        s.lines()
                            .filter(|l| {
                                !l.trim_start().starts_with("const ")
                                    && !l.trim_start().starts_with("assumes ")
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    if strip(&reprinted) != strip(&text) {
                        failures.push(format!(
                            "{name}: trace {k} does not print back the same:\n{}",
                            unified_diff(&text, &reprinted)
                        ));
                    }
                }
                Err(e) => failures.push(format!("{name}: trace {k} does not parse: {e}")),
            }
        }
        let expected = path.with_extension(ext);
        if bless {
            std::fs::write(&expected, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{name} has no .{ext} file (run with BLESS=1)"));
        if want != got {
            failures.push(format!("{name} (.{ext}):\n{}", unified_diff(&want, &got)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_diff_shows_what_changed() {
    let d = unified_diff("a\nb\nc\n", "a\nB\nc\n");
    assert_eq!(
        d,
        "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    );
}

/// The optimizer's golden tests: every `tests/opt/NAME.trace` is a trace in text form,
/// with `# passes: SPEC` (as `--opt` takes it) and optionally `# globals: V...` (ints
/// and floats) among its leading comments; optimized, it must print exactly
/// `NAME.out` (what `--dump opt` shows: what each pass removed, the counts, the
/// optimized trace). `BLESS=1` rewrites the expected files.
#[test]
fn optimized_traces_match_their_golden_text() {
    let bless = std::env::var_os("BLESS").is_some();
    let files = files("opt", "trace");
    assert!(files.len() >= 6, "expected the optimizer's golden traces");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let mut spec = None;
        let mut globals = Vec::new();
        for line in text.lines().take_while(|l| l.starts_with('#')) {
            if let Some(s) = line.strip_prefix("# passes:") {
                spec = Some(s.trim().to_string());
            }
            if let Some(g) = line.strip_prefix("# globals:") {
                for v in g.split_whitespace() {
                    globals.push(match v.parse::<i64>() {
                        Ok(i) => jit_core::value::Value::small_int(i),
                        Err(_) => jit_core::value::Value::float(v.parse().expect("a number")),
                    });
                }
            }
        }
        let spec = spec.unwrap_or_else(|| panic!("{name} has no `# passes:` line"));
        let passes = jit_core::tier2::Passes::parse(&spec).expect("a valid pass list");
        let trace: String = text
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        let got = match jit_core::tier2::opt::optimize_text(&trace, passes, &globals) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let expected = path.with_extension("out");
        if bless {
            std::fs::write(&expected, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{name} has no .out file (run with BLESS=1)"));
        if want != got {
            failures.push(format!("{name}:\n{}", unified_diff(&want, &got)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
