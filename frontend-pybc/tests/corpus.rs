//! The Python corpus: every `tests/py/NAME.py` runs under `python3` (the oracle) and in
//! every execution mode of the engine. Stdout and the exit status must be identical, and
//! for a program that fails, so must the last line of stderr (`ZeroDivisionError: ...`).
//!
//! A program's arguments, if any, are on its first line as `# args: A B C`. The benchmark
//! kernels in `benches/` join the corpus at the small sizes in [`KERNELS`] rather than as
//! copies. The test is skipped, with a note, when `python3` is missing or is not CPython
//! 3.11.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use frontend_pybc::driver::{run_file, RunConfig};
use jit_core::interp::Mode;
use jit_core::tier2::{OptConfig, Passes};

/// The benchmark kernels, run from `benches/` with a small size argument.
const KERNELS: &[(&str, &str)] = &[
    ("nbody.py", "1000"),
    ("fannkuch_redux.py", "6"),
    ("spectral_norm.py", "40"),
    ("binary_trees.py", "8"),
];

/// Every execution mode that exists, as (label, mode, count statistics, `--hot`, `--opt`);
/// later tiers join here. The statistics runs use the counting loop, which also checks
/// every instruction's stack depth against the verifier's table (after tier-2 exits too);
/// `--hot 1` traces nearly every loop and exit. Tier 2 runs with every optimizer pass,
/// with none, and with each pass off alone, at both thresholds.
const MODES: &[(&str, Mode, bool, Option<u16>, &str)] = &[
    ("interp", Mode::Interp, false, None, "all"),
    ("adaptive", Mode::Adaptive, false, None, "all"),
    ("adaptive+stats", Mode::Adaptive, true, None, "all"),
    ("uops", Mode::Uops, false, None, "all"),
    ("uops --hot 1 +stats", Mode::Uops, true, Some(1), "all"),
    ("uops --opt none", Mode::Uops, false, None, "none"),
    (
        "uops --hot 1 --opt none",
        Mode::Uops,
        false,
        Some(1),
        "none",
    ),
    ("uops --opt -peel", Mode::Uops, false, None, "-peel"),
    (
        "uops --hot 1 --opt -peel",
        Mode::Uops,
        false,
        Some(1),
        "-peel",
    ),
    ("uops --opt -guards", Mode::Uops, false, None, "-guards"),
    (
        "uops --hot 1 --opt -guards",
        Mode::Uops,
        false,
        Some(1),
        "-guards",
    ),
    ("uops --opt -consts", Mode::Uops, false, None, "-consts"),
    (
        "uops --hot 1 --opt -consts",
        Mode::Uops,
        false,
        Some(1),
        "-consts",
    ),
    ("uops --opt -bounds", Mode::Uops, false, None, "-bounds"),
    (
        "uops --hot 1 --opt -bounds",
        Mode::Uops,
        false,
        Some(1),
        "-bounds",
    ),
    ("uops --opt -dce", Mode::Uops, false, None, "-dce"),
    (
        "uops --hot 1 --opt -dce",
        Mode::Uops,
        false,
        Some(1),
        "-dce",
    ),
    ("uops --opt -unbox", Mode::Uops, false, None, "-unbox"),
    (
        "uops --hot 1 --opt -unbox",
        Mode::Uops,
        false,
        Some(1),
        "-unbox",
    ),
    // Tier 3: the same traces as machine code (a label starting `stencil` or `cranelift`
    // attaches that backend in place of the uop interpreter).
    ("stencil", Mode::Uops, false, None, "all"),
    ("stencil --hot 1 +stats", Mode::Uops, true, Some(1), "all"),
    ("stencil --opt none", Mode::Uops, false, None, "none"),
    (
        "stencil --hot 1 --opt none",
        Mode::Uops,
        false,
        Some(1),
        "none",
    ),
    ("cranelift", Mode::Uops, false, None, "all"),
    ("cranelift --hot 1 +stats", Mode::Uops, true, Some(1), "all"),
    ("cranelift --opt none", Mode::Uops, false, None, "none"),
    (
        "cranelift --hot 1 --opt none",
        Mode::Uops,
        false,
        Some(1),
        "none",
    ),
];

/// The native backend a mode's label asks for.
fn backend_of(label: &str) -> Option<fn() -> Box<dyn jit_core::jit::Backend>> {
    if label.starts_with("stencil") {
        Some(backend_stencil::make_backend as _)
    } else if label.starts_with("cranelift") {
        Some(backend_cranelift::make_backend as _)
    } else {
        None
    }
}

/// False for a native mode this build or host lacks.
fn available(label: &str) -> bool {
    if label.starts_with("stencil") {
        backend_stencil::stencil::supported()
    } else if label.starts_with("cranelift") {
        backend_cranelift::supported()
    } else {
        true
    }
}

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

struct Run {
    status: i32,
    stdout: String,
    last_err_line: String,
}

fn python() -> Option<String> {
    let py = std::env::var("JIT_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&py).arg("--version").output().ok()?;
    let v =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    v.contains("Python 3.11").then_some(py)
}

fn args_of(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let first = text.lines().next().unwrap_or("");
    match first.strip_prefix("# args:") {
        Some(rest) => rest.split_whitespace().map(String::from).collect(),
        None => Vec::new(),
    }
}

fn last_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

fn run_python(py: &str, path: &Path, args: &[String]) -> Run {
    let out = Command::new(py)
        .arg(path)
        .args(args)
        .output()
        .expect("run python3");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        last_err_line: last_line(&String::from_utf8_lossy(&out.stderr)),
    }
}

/// Runs `path` in `mode`; `stats` runs the counting loop, which also checks every
/// instruction's stack depth against the verifier's table.
fn run_engine(
    path: &Path,
    args: &[String],
    label: &str,
    mode: Mode,
    stats: bool,
    hot: Option<u16>,
    opt: &str,
) -> (Run, String) {
    let buf = SharedBuf::default();
    let cfg = RunConfig {
        args: args.to_vec(),
        reverify: true,
        stats,
        hot,
        opt: OptConfig {
            passes: Passes::parse(opt).expect("a valid --opt"),
            dump: false,
        },
        backend: backend_of(label),
        ..RunConfig::new(mode)
    };
    let o = run_file(path, &cfg, Box::new(buf.clone()));
    let mismatches = o.stats.as_ref().map_or(0, |s| s.depth_mismatches);
    assert_eq!(
        mismatches,
        0,
        "{}: stack depths differ from the verifier's",
        path.display()
    );
    let stdout = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
    (
        Run {
            status: o.status,
            stdout,
            last_err_line: last_line(&o.stderr),
        },
        o.stderr,
    )
}

/// Every corpus program with its arguments.
fn corpus() -> Vec<(PathBuf, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/py exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    let benches = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches");
    let mut out: Vec<(PathBuf, Vec<String>)> = files
        .into_iter()
        .map(|p| {
            let args = args_of(&p);
            (p, args)
        })
        .collect();
    for (name, size) in KERNELS {
        out.push((benches.join(name), vec![size.to_string()]));
    }
    out
}

#[test]
fn corpus_matches_cpython_in_every_mode() {
    let Some(py) = python() else {
        eprintln!("note: python3 is missing or not CPython 3.11; skipping the Python corpus");
        return;
    };
    // Compiled code is cached per test run, away from the user's cache.
    let cache = std::env::temp_dir().join(format!("jit-corpus-cache-{}", std::process::id()));
    std::env::set_var("JIT_CACHE_DIR", &cache);
    let files = corpus();
    assert!(
        files.len() >= 50,
        "expected at least 50 corpus programs, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for (path, args) in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let args = args.clone();
        let want = run_python(&py, path, &args);
        // A runtime error must give the same traceback in every mode as in tier 1.
        let mut tier1_stderr = None;
        for &(label, mode, stats, hot, opt) in MODES {
            if !available(label) {
                continue;
            }
            let (got, stderr) = run_engine(path, &args, label, mode, stats, hot, opt);
            let mut problems = Vec::new();
            if mode == Mode::Adaptive && !stats {
                tier1_stderr = Some(stderr.clone());
            } else if mode == Mode::Uops && want.status != 0 {
                if let Some(t1) = &tier1_stderr {
                    if *t1 != stderr {
                        problems.push(format!(
                            "the error report differs from tier 1's:\n{t1}\n  vs\n{stderr}"
                        ));
                    }
                }
            }
            if got.stdout != want.stdout {
                let line = want
                    .stdout
                    .lines()
                    .zip(got.stdout.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| want.stdout.lines().count().min(got.stdout.lines().count()));
                problems.push(format!(
                    "stdout differs at line {}: python {:?}, engine {:?}",
                    line + 1,
                    want.stdout.lines().nth(line),
                    got.stdout.lines().nth(line)
                ));
            }
            if got.status != want.status {
                problems.push(format!(
                    "status: python {}, engine {}",
                    want.status, got.status
                ));
            }
            if want.status != 0 && got.last_err_line != want.last_err_line {
                problems.push(format!(
                    "last stderr line: python {:?}, engine {:?}",
                    want.last_err_line, got.last_err_line
                ));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{name} [{}]: {}\n  engine stderr: {}",
                    label,
                    problems.join("; "),
                    stderr.lines().take(6).collect::<Vec<_>>().join("\n    ")
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
