//! Golden tests: every `tests/golden/NAME.tiny` runs in every execution mode and must
//! produce exactly the stdout, stderr and exit status in `NAME.expected`.
//!
//! `BLESS=1 cargo test -p frontend-tiny --test golden` rewrites the expectations from the
//! generic interpreter (the oracle); review the diff before committing it.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use frontend_tiny::driver::{run, RunConfig};
use jit_core::interp::Mode;
use jit_core::tier2::{OptConfig, Passes};

/// Every execution mode that exists, with its hotness threshold (`None`: the default)
/// and tier 2's optimizer passes (`--opt`); later tiers join here. `--hot 1` traces nearly
/// every loop and exit. Tier 2 runs with every pass, with none, and with each pass off
/// alone, at both thresholds.
const MODES: &[(Mode, Option<u16>, &str)] = &[
    (Mode::Interp, None, "all"),
    (Mode::Adaptive, None, "all"),
    (Mode::Uops, None, "all"),
    (Mode::Uops, Some(1), "all"),
    (Mode::Uops, None, "none"),
    (Mode::Uops, Some(1), "none"),
    (Mode::Uops, None, "-peel"),
    (Mode::Uops, Some(1), "-peel"),
    (Mode::Uops, None, "-guards"),
    (Mode::Uops, Some(1), "-guards"),
    (Mode::Uops, None, "-consts"),
    (Mode::Uops, Some(1), "-consts"),
    (Mode::Uops, None, "-bounds"),
    (Mode::Uops, Some(1), "-bounds"),
    (Mode::Uops, None, "-dce"),
    (Mode::Uops, Some(1), "-dce"),
    (Mode::Uops, None, "-unbox"),
    (Mode::Uops, Some(1), "-unbox"),
];

/// Tier 3: the same traces as machine code (each native backend attached in place of
/// the uop interpreter), at both thresholds, with the optimizer and without.
const NATIVE_MODES: &[(Option<u16>, &str)] = &[
    (None, "all"),
    (Some(1), "all"),
    (None, "none"),
    (Some(1), "none"),
];

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

/// Runs `source` named `name` in `mode`; returns the `.expected`-format text.
fn run_to_expected(name: &str, source: &str, mode: Mode, hot: Option<u16>, opt: &str) -> String {
    run_with(name, source, mode, hot, opt, None)
}

/// As [`run_to_expected`], with `backend` attached in place of the uop interpreter.
fn run_with(
    name: &str,
    source: &str,
    mode: Mode,
    hot: Option<u16>,
    opt: &str,
    backend: Option<fn() -> Box<dyn jit_core::jit::Backend>>,
) -> String {
    let buf = SharedBuf::default();
    let cfg = RunConfig {
        backend,
        reverify: true,
        hot,
        opt: OptConfig {
            passes: Passes::parse(opt).expect("a valid --opt"),
            dump: false,
        },
        ..RunConfig::new(mode)
    };
    let outcome = run(name, source, &cfg, Box::new(buf.clone()));
    let stdout = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
    format_expected(outcome.status, &stdout, &outcome.stderr)
}

fn format_expected(status: i32, stdout: &str, stderr: &str) -> String {
    let mut s = format!("status: {status}\n--- stdout\n{stdout}");
    if !stdout.is_empty() && !stdout.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("--- stderr\n");
    s.push_str(stderr);
    s
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}:\n  want: {w:?}\n  got:  {g:?}", i + 1);
        }
    }
    format!(
        "lengths differ: want {} lines, got {} lines\n--- want\n{want}--- got\n{got}",
        want.lines().count(),
        got.lines().count()
    )
}

#[test]
fn golden_programs_in_every_mode() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tiny"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 50,
        "expected the golden corpus, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).expect("readable golden file");
        let expected_path = path.with_extension("expected");
        let oracle = run_to_expected(&name, &source, Mode::Interp, None, "all");
        if bless {
            std::fs::write(&expected_path, &oracle).expect("write .expected");
        }
        let want = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected file", name));
        type MakeBackend = fn() -> Box<dyn jit_core::jit::Backend>;
        let mut natives: Vec<(&str, MakeBackend)> = Vec::new();
        if backend_stencil::stencil::supported() {
            natives.push(("stencil", backend_stencil::make_backend));
        }
        if backend_cranelift::supported() {
            natives.push(("cranelift", backend_cranelift::make_backend));
        }
        let runs = MODES
            .iter()
            .map(|&(m, h, o)| (m, h, o, None))
            .chain(natives.iter().flat_map(|&(label, make)| {
                NATIVE_MODES
                    .iter()
                    .map(move |&(h, o)| (Mode::Uops, h, o, Some((label, make))))
            }));
        for (mode, hot, opt, backend) in runs {
            let got = if mode == Mode::Interp {
                oracle.clone()
            } else {
                run_with(&name, &source, mode, hot, opt, backend.map(|b| b.1))
            };
            if got != want {
                let hot = hot.map_or(String::new(), |n| format!(" --hot {n}"));
                let opt = if opt == "all" {
                    String::new()
                } else {
                    format!(" --opt {opt}")
                };
                let label = backend.map_or(mode.name(), |b| b.0);
                failures.push(format!(
                    "{name} [{label}{hot}{opt}]: {}",
                    first_difference(&want, &got)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
