//! Programs that use a construct the engine does not support yet (`tests/py_unsupported/`)
//! must be refused before they run: exit status 2, an `error:` message that names the
//! construct and its source line, and nothing at all on stdout.
//!
//! Skipped, with a note, when `python3` is missing or is not CPython 3.11 (the loader
//! compiles `.py` files with it).

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;

use frontend_pybc::driver::{run_file, RunConfig};
use jit_core::interp::Mode;

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

/// Each program, the word its error must contain, and the lines it may name (the
/// construct's own line or, for a `try`, the first protected statement).
const CASES: &[(&str, &str, &[u32])] = &[
    ("try_except.py", "try", &[4, 5]),
    ("class_def.py", "class", &[5]),
    ("generator_expr.py", "generator", &[4]),
];

fn have_python311() -> bool {
    let py = std::env::var("JIT_PYTHON").unwrap_or_else(|_| "python3".into());
    match Command::new(&py).arg("--version").output() {
        Ok(out) => {
            let v = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            v.contains("Python 3.11")
        }
        Err(_) => false,
    }
}

#[test]
fn unsupported_constructs_are_refused_before_running() {
    if !have_python311() {
        eprintln!("note: python3 is missing or not CPython 3.11; skipping");
        return;
    }
    let cache = std::env::temp_dir().join(format!("jit-unsupported-cache-{}", std::process::id()));
    std::env::set_var("JIT_CACHE_DIR", &cache);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py_unsupported");
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/py_unsupported exists") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "py") {
            found += 1;
        }
    }
    assert_eq!(
        found,
        CASES.len(),
        "every program in {} needs a case here",
        dir.display()
    );
    let mut failures = Vec::new();
    for &(name, construct, lines) in CASES {
        for mode in [Mode::Interp, Mode::Adaptive] {
            let buf = SharedBuf::default();
            let out = run_file(
                &dir.join(name),
                &RunConfig::new(mode),
                Box::new(buf.clone()),
            );
            let stdout = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
            let err = out.stderr.trim_end();
            let mut problems = Vec::new();
            if out.status != 2 {
                problems.push(format!("status {} (want 2)", out.status));
            }
            if !stdout.is_empty() {
                problems.push(format!("printed {stdout:?}"));
            }
            if !err.starts_with("error:") || err.lines().count() != 1 {
                problems.push("stderr is not one `error:` line".to_string());
            }
            if !err.to_lowercase().contains(construct) {
                problems.push(format!("the error does not name `{construct}`"));
            }
            if !lines.iter().any(|l| err.contains(&format!("line {l}:"))) {
                problems.push(format!("the error names none of the lines {lines:?}"));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{name} [{}]: {}\n  stderr: {err}",
                    mode.name(),
                    problems.join("; ")
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
