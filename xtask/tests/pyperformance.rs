//! `cargo xtask bench --suite pyperformance` on a fake, offline copy of pyperformance: the
//! generated drivers run under the engine and under python3 with identical output, and
//! benchmarks the engine cannot run (a class) or that need packages are listed as skipped
//! with the construct and the line of their own `run_benchmark.py`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fake `$JIT_CACHE_DIR` holding a complete-looking pyperformance 1.14.0 download.
fn fake_cache(tag: &str, benchmarks: &[(&str, &str, &str)]) -> PathBuf {
    let cache = std::env::temp_dir().join(format!("xtask-pyperf-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let root = cache.join("pyperformance-1.14.0");
    for (name, file, text) in benchmarks {
        let dir = root.join("pyperformance/data-files/benchmarks").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(root.join(".complete"), "test\n").unwrap();
    cache
}

fn bench(cache: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--suite", "pyperformance"])
        .args(extra)
        .env("JIT_CACHE_DIR", cache)
        .output()
        .expect("run xtask");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exercises every shim construct a pyperformance main block uses.
const TIMED: &str = r#""""A fake bench_time_func benchmark."""

import pyperf

DEFAULT_N = 7


def work(loops, n, scale):
    t0 = pyperf.perf_counter()
    total = 0
    for i in range(loops):
        total += i * n * scale
    pyperf.checksum(total)
    return pyperf.perf_counter() - t0


def add_cmdline_args(cmd, args):
    cmd.extend(("--n", str(args.n)))


if __name__ == "__main__":
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    runner.metadata['description'] = "fake"
    runner.argparser.add_argument("--n", type=int, default=DEFAULT_N,
                                  help="n (default: %s)" % DEFAULT_N)
    runner.argparser.add_argument("which", nargs="?", choices=["a", "b"])
    args = runner.parse_args()
    print("args:", args.n, args.which, runner.args.n)
    runner.bench_time_func('timed', work, args.n, 3, inner_loops=10)
"#;

const FUNC: &str = r#"import pyperf


def squares(n):
    return [i * i for i in range(n)]


if __name__ == "__main__":
    runner = pyperf.Runner()
    runner.bench_func('func', squares, 6)
"#;

const CLASSY: &str = r#""""Uses a class on line 6."""

import pyperf


class Point:
    pass


if __name__ == "__main__":
    pyperf.Runner().bench_func('classy', Point)
"#;

#[test]
fn drivers_agree_and_skips_are_explained() {
    let cache = fake_cache(
        "ok",
        &[
            ("bm_timed", "run_benchmark.py", TIMED),
            // pyperformance's command-line arguments for the benchmark reach parse_args.
            (
                "bm_timed",
                "pyproject.toml",
                "[project]\ndependencies = [\"pyperf\"]\n[tool.pyperformance]\nextra_opts = [\"b\", \"--n\", \"5\"]\n",
            ),
            ("bm_func", "run_benchmark.py", FUNC),
            ("bm_classy", "run_benchmark.py", CLASSY),
            ("bm_needy", "run_benchmark.py", FUNC),
            ("bm_needy", "requirements.txt", "chameleon==4.6.0\n"),
        ],
    );
    let json = cache.join("out.json");
    let json_arg = json.to_str().unwrap();
    // Every engine mode, tier 2's uop interpreter included, must print python3's bytes.
    let modes = "interp,adaptive,uops,python3";
    let (status, stdout, stderr) =
        bench(&cache, &["--quick", "--modes", modes, "--json", json_arg]);
    assert_eq!(status, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("every column printed the same checksum"),
        "{stdout}"
    );
    assert!(stdout.contains("Speedup vs python3"), "{stdout}");
    assert!(
        stdout.contains("SKIPPED  classy  engine: line 6: classes are not supported yet"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SKIPPED  needy   needs package chameleon"),
        "{stdout}"
    );
    let report = std::fs::read_to_string(&json).unwrap();
    assert!(report.contains(r#""suite": "pyperformance""#), "{report}");
    // What the workloads computed, identical in every column (the harness checks that; these
    // are the texts it agreed on).
    assert!(
        report.contains(r#""output": "args: 5 b 5\nchecksum: 0\ntimed: 1 loops\n""#),
        "{report}"
    );
    assert!(
        report.contains(r#""output": "func: 1 loops, returned [0, 1, 4, 9, 16, 25]\n""#),
        "{report}"
    );

    // A driver run by hand: the engine and python3 print the same bytes for more loops too.
    let driver = cache
        .join("pyperformance-1.14.0/pyperformance/data-files/benchmarks/bm_timed/jit_driver.py");
    let engine = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run", "--mode", "adaptive"])
        .arg(&driver)
        .args(["--", "50"])
        .env("JIT_CACHE_DIR", &cache)
        .output()
        .unwrap();
    let python = Command::new("python3")
        .arg(&driver)
        .arg("50")
        .output()
        .unwrap();
    assert!(engine.status.success() && python.status.success());
    assert_eq!(
        String::from_utf8_lossy(&engine.stdout),
        String::from_utf8_lossy(&python.stdout)
    );
    assert!(String::from_utf8_lossy(&python.stdout).contains("checksum: 18375\n"));

    // --filter selects among the runnable ones; a filter that only finds skipped ones says why.
    // Without --modes the default columns run, the uop interpreter's among them.
    let (status, stdout, stderr) = bench(&cache, &["--quick", "--filter", "func"]);
    assert_eq!(status, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("func/py") && !stdout.contains("timed/py"),
        "{stdout}"
    );
    let header: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("benchmark "))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    assert!(
        header
            .windows(3)
            .any(|w| w == ["adaptive", "uops:none", "uops"]),
        "{stdout}"
    );
    // With the uop interpreter's columns comes the optimizer's table of counts.
    assert!(
        stdout.contains("Tier-2 optimizer: uops and guards"),
        "{stdout}"
    );
    let (status, _, stderr) = bench(&cache, &["--quick", "--modes", modes, "--filter", "classy"]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("classy: engine: line 6: classes"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn missing_pip_is_a_clear_error() {
    let cache = std::env::temp_dir().join(format!("xtask-pyperf-{}-nopip", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "bench",
            "--suite",
            "pyperformance",
            "--quick",
            "--modes",
            "interp",
        ])
        .env("JIT_CACHE_DIR", &cache)
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: python3 -m pip download: cannot start python3"),
        "{stderr}"
    );
    assert!(!cache.join("pyperformance-1.14.0").exists());
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn help_explains_the_suite_option() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--suite") && help.contains("pyperformance"),
        "{help}"
    );
}
