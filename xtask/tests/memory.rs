//! Running out of memory is the guest language's error, not an abort: under `ulimit -v`
//! and under `--max-heap`, a program that allocates without bound ends with Python's
//! `MemoryError` (or Tiny's runtime error), status 1, and everything it printed before.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The address-space limit for the `ulimit -v` runs, in KiB: room for the engine (its
/// value stack is a 128 MiB reservation) and the emergency reserve, and little else.
const ULIMIT_KIB: u32 = 400_000;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("xtask-memory-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let p = dir().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `xtask run ARGS... FILE`, under `ulimit -v` when `ulimit` is set.
fn run(file: &Path, args: &[&str], ulimit: bool) -> Run {
    let exe = env!("CARGO_BIN_EXE_xtask");
    let mut cmd = if ulimit {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("ulimit -v {ULIMIT_KIB} && exec \"$@\""))
            .arg("sh")
            .arg(exe);
        c
    } else {
        Command::new(exe)
    };
    let out = cmd
        .arg("run")
        .args(args)
        .arg(file)
        .env("JIT_CACHE_DIR", dir().join("cache"))
        .output()
        .expect("run xtask");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// True when CPython 3.11 is there to compile the Python programs; otherwise says the
/// test is skipped.
fn have_python() -> bool {
    let py = std::env::var("JIT_PYTHON").unwrap_or_else(|_| "python3".into());
    let found = Command::new(py)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("Python 3.11"));
    if !found {
        eprintln!("note: python3 is missing or not CPython 3.11; skipping");
    }
    found
}

const PY_UNBOUNDED: &str =
    "print('before')\nprint('again', 42)\nl = []\nwhile True:\n    l.append([0] * 10000)\n";

const TINY_UNBOUNDED: &str = "print(\"before\");\nlet l = [];\nwhile true {\n    let a = [];\n    for i in 0 .. 1000 { push(a, i); }\n    push(l, a);\n}\n";

fn assert_python_memory_error(r: &Run, what: &str) {
    assert_eq!(r.status, 1, "{what}: stderr {}", r.stderr);
    assert_eq!(r.stdout, "before\nagain 42\n", "{what}: output kept");
    assert!(
        r.stderr.starts_with("Traceback (most recent call last):\n"),
        "{what}: {}",
        r.stderr
    );
    assert_eq!(
        r.stderr.lines().last(),
        Some("MemoryError"),
        "{what}: {}",
        r.stderr
    );
}

fn assert_tiny_memory_error(r: &Run, what: &str) {
    assert_eq!(r.status, 1, "{what}: stderr {}", r.stderr);
    assert_eq!(r.stdout, "before\n", "{what}: output kept");
    assert!(
        r.stderr.starts_with("error: out of memory\nat "),
        "{what}: {}",
        r.stderr
    );
}

#[test]
fn python_out_of_address_space_is_memory_error() {
    if !have_python() {
        return;
    }
    let f = write_temp("unbounded.py", PY_UNBOUNDED);
    assert_python_memory_error(&run(&f, &[], true), "ulimit -v");
    // Growing one list without bound: the list's own buffer is the request that fails.
    let g = write_temp(
        "append.py",
        "print('before')\nprint('again', 42)\nl = []\nwhile True:\n    l.append(0)\n",
    );
    assert_python_memory_error(&run(&g, &[], true), "ulimit -v, one list");
    // Many lists: an allocation of the engine's own fails, and the error is raised at
    // the loop's next safepoint. The traceback points into the loop (its back edge,
    // `while`'s line, or the body), never at the statement before it.
    let h = write_temp(
        "lists.py",
        "print('before')\nprint('again', 42)\na = []\nwhile True:\n    a.append([0] * 1000)\n",
    );
    let o = run(&h, &[], true);
    assert_python_memory_error(&o, "ulimit -v, many lists");
    assert!(
        o.stderr.contains(", line 4,") || o.stderr.contains(", line 5,"),
        "{}",
        o.stderr
    );
}

#[test]
fn python_past_max_heap_is_memory_error() {
    if !have_python() {
        return;
    }
    let f = write_temp("unbounded_limit.py", PY_UNBOUNDED);
    assert_python_memory_error(&run(&f, &["--max-heap", "64M"], false), "--max-heap");
    // A single request past the limit fails at once; under it, the program runs.
    let g = write_temp(
        "one_big.py",
        "print('before')\nprint('again', 42)\nx = [0] * 10**7\nprint(len(x))\n",
    );
    assert_python_memory_error(&run(&g, &["--max-heap", "64M"], false), "one request");
    let ok = run(&g, &["--max-heap", "100M"], false);
    assert_eq!(
        (ok.status, ok.stdout.as_str()),
        (0, "before\nagain 42\n10000000\n"),
        "{}",
        ok.stderr
    );
}

#[test]
fn python_huge_requests_fail_at_once() {
    if !have_python() {
        return;
    }
    for expr in [
        "[0] * 10**12",
        "'x' * 10**12",
        "(0,) * 10**10",
        "[1, 2] * 2**27",
    ] {
        let f = write_temp(
            "huge.py",
            &format!("print('before')\nprint('again', 42)\nx = {expr}\n"),
        );
        assert_python_memory_error(&run(&f, &[], true), expr);
    }
}

#[test]
fn tiny_out_of_memory_is_a_runtime_error() {
    let f = write_temp("unbounded.tiny", TINY_UNBOUNDED);
    assert_tiny_memory_error(&run(&f, &[], true), "ulimit -v");
    assert_tiny_memory_error(&run(&f, &["--max-heap", "32M"], false), "--max-heap");
}

#[test]
fn max_heap_sizes_parse() {
    let f = write_temp("hello.tiny", "print(1);\n");
    assert_eq!(run(&f, &["--max-heap", "1G"], false).status, 0);
    assert_eq!(run(&f, &["--max-heap", "100000000"], false).status, 0);
    let bad = run(&f, &["--max-heap", "12X"], false);
    assert_eq!(bad.status, 2);
    assert!(bad.stderr.contains("is not a size"), "{}", bad.stderr);
}
