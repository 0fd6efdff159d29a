//! The pyperformance suite: fetches pyperformance (pinned) into a cache outside the repository,
//! writes one driver per benchmark next to its `run_benchmark.py`, and sorts the benchmarks into
//! rows for the common pipeline and skipped ones (third-party packages, constructs or modules
//! the engine's Python frontend does not have yet), each with its reason.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::measure::{self, Exit};
use super::pyperf_driver::{self, Driver};
use super::suite::{Benchmark, Category, Lang};

/// The pyperformance release the suite runs.
pub const VERSION: &str = "1.14.0";

/// The name of the driver file written into each benchmark's directory.
pub const DRIVER_NAME: &str = "jit_driver.py";

/// A benchmark that is listed but not run, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

/// `<cache>/pyperformance-<VERSION>`: `$JIT_CACHE_DIR`, else `$XDG_CACHE_HOME/tiered-jit`, else
/// `~/.cache/tiered-jit`, as the engine's loader uses.
pub fn cache_root() -> Result<PathBuf, String> {
    frontend_pybc::loader::default_cache_dir()
        .map(|d| d.join(format!("pyperformance-{VERSION}")))
        .ok_or_else(|| {
            "no cache directory for pyperformance: set JIT_CACHE_DIR (or HOME)".to_string()
        })
}

/// The `benchmarks` directory of the unpacked wheel under `root`, downloading it first
/// (`python3 -m pip download`, then unzipping with Python's `zipfile`) unless a complete copy
/// is already there.
pub fn ensure_downloaded(root: &Path) -> Result<PathBuf, String> {
    let benchmarks = root.join("pyperformance/data-files/benchmarks");
    let marker = root.join(".complete");
    if marker.is_file() && benchmarks.is_dir() {
        return Ok(benchmarks);
    }
    let parent = root.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let partial = parent.join(format!(
        "pyperformance-{VERSION}.partial-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&partial);
    let result = download_into(&partial).and_then(|()| {
        let _ = std::fs::remove_dir_all(root);
        std::fs::rename(partial.join("unpacked"), root)
            .map_err(|e| format!("cannot move the unpacked wheel to {}: {e}", root.display()))?;
        std::fs::write(&marker, format!("pyperformance {VERSION}\n"))
            .map_err(|e| format!("cannot write {}: {e}", marker.display()))
    });
    let _ = std::fs::remove_dir_all(&partial);
    result?;
    if !benchmarks.is_dir() {
        return Err(format!(
            "the pyperformance {VERSION} wheel has no {}",
            benchmarks.display()
        ));
    }
    Ok(benchmarks)
}

fn download_into(partial: &Path) -> Result<(), String> {
    let wheels = partial.join("download");
    std::fs::create_dir_all(&wheels)
        .map_err(|e| format!("cannot create {}: {e}", wheels.display()))?;
    eprintln!(
        "bench: downloading pyperformance {VERSION} (pip download) into {}",
        partial.parent().unwrap_or(partial).display()
    );
    let spec = format!("pyperformance=={VERSION}");
    let mut pip = Command::new("python3");
    pip.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .arg(&spec)
        .arg("-d")
        .arg(&wheels);
    checked(pip, "python3 -m pip download")?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| format!("cannot read {}: {e}", wheels.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| format!("pip download left no wheel in {}", wheels.display()))?;
    let mut unzip = Command::new("python3");
    unzip
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(&wheel)
        .arg(partial.join("unpacked"));
    checked(unzip, "unzipping the wheel with python3's zipfile")
}

/// Runs `cmd`, turning a failure to start or a non-zero exit into an error with its output.
fn checked(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot start python3: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(format!(
        "{what} failed ({}): {}",
        out.status,
        tail[tail.len().saturating_sub(3)..].join(" | ")
    ))
}

/// How to sort benchmarks into rows and skips.
pub struct LoadOptions<'a> {
    /// Lower-case substrings; a benchmark is considered only if `name/py` contains one.
    pub patterns: &'a [String],
    /// The engine binary for the probe run (`run --mode interp DRIVER -- 0`): a benchmark it
    /// refuses to translate, or whose imports it lacks, is skipped. `None`: no probe.
    pub engine: Option<&'a Path>,
    pub timeout: Duration,
    /// A directory for the probe's output files.
    pub scratch: &'a Path,
}

/// Every `bm_*` directory of `benchmarks` with a `run_benchmark.py`, as suite entries (one
/// Python program each: its driver) or skips; filtered out benchmarks are neither.
pub fn load(
    benchmarks: &Path,
    opts: &LoadOptions<'_>,
) -> Result<(Vec<Benchmark>, Vec<Skipped>), String> {
    let mut dirs: Vec<(String, PathBuf)> = std::fs::read_dir(benchmarks)
        .map_err(|e| format!("cannot read {}: {e}", benchmarks.display()))?
        .flatten()
        .filter_map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .strip_prefix("bm_")?
                .to_string();
            let path = e.path();
            path.join("run_benchmark.py")
                .is_file()
                .then_some((name, path))
        })
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(format!(
            "no bm_*/run_benchmark.py under {}",
            benchmarks.display()
        ));
    }
    let mut suite = Vec::new();
    let mut skipped = Vec::new();
    for (name, dir) in dirs {
        let label = format!("{name}/py");
        if !opts.patterns.is_empty() && !opts.patterns.iter().any(|p| label.contains(p.as_str())) {
            continue;
        }
        match prepare(&name, &dir, opts) {
            Ok(driver) => {
                let (loops, quick) = pyperf_driver::known(&name)
                    .map_or((pyperf_driver::DEFAULT_LOOPS, 1), |k| {
                        (k.loops, k.quick_loops)
                    });
                suite.push(Benchmark {
                    name,
                    category: Category::Pyperformance,
                    numeric_micro: false,
                    default_size: loops.to_string(),
                    quick_size: quick.to_string(),
                    programs: vec![(Lang::Python, driver)],
                });
            }
            Err(reason) => skipped.push(Skipped { name, reason }),
        }
    }
    Ok((suite, skipped))
}

/// Writes the driver of one benchmark and probes it; `Err` is the reason to skip it.
fn prepare(name: &str, dir: &Path, opts: &LoadOptions<'_>) -> Result<PathBuf, String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let needs = pyperf_driver::needed_packages(
        read("requirements.txt").as_deref(),
        read("pyproject.toml").as_deref(),
    );
    if !needs.is_empty() {
        let s = if needs.len() == 1 { "" } else { "s" };
        return Err(format!("needs package{s} {}", needs.join(", ")));
    }
    // The shim lives inside the driver, not in a module: a helper module of the benchmark that
    // imports pyperf itself would not find it.
    let mut helpers: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".py") && f != "run_benchmark.py" && f != DRIVER_NAME)
        .filter(|f| read(f).is_some_and(|t| t.contains("import pyperf")))
        .collect();
    helpers.sort();
    if let Some(helper) = helpers.first() {
        return Err(format!(
            "imports {helper}, which imports pyperf itself (the shim is not a module)"
        ));
    }
    let source = read("run_benchmark.py").ok_or("cannot read run_benchmark.py")?;
    let extra = pyperf_driver::extra_opts(read("pyproject.toml").as_deref().unwrap_or(""));
    let driver = pyperf_driver::generate(name, &source, &extra)?;
    let path = dir.join(DRIVER_NAME);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(driver.text.as_str()) {
        // Written aside and renamed, so a concurrent bench never runs half a driver.
        let tmp = dir.join(format!("{DRIVER_NAME}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &driver.text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(engine) = opts.engine {
        probe(engine, &path, &driver, opts)?;
    }
    Ok(path)
}

/// Loads the driver in the engine without running the workload (zero loops). A translation
/// refusal (exit 2) or a missing module is a reason to skip; any other failure leaves the
/// benchmark in, where the measured runs report it.
fn probe(
    engine: &Path,
    path: &Path,
    driver: &Driver,
    opts: &LoadOptions<'_>,
) -> Result<(), String> {
    let args: Vec<OsString> = vec![
        "run".into(),
        "--mode".into(),
        "interp".into(),
        path.into(),
        "--".into(),
        "0".into(),
    ];
    let outcome = measure::run_once(engine, &args, opts.scratch, opts.timeout)?;
    let stderr = std::fs::read_to_string(opts.scratch.join("stderr")).unwrap_or_default();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    match outcome.exit {
        Exit::Code(2) => {
            let message = lines
                .iter()
                .find(|l| l.starts_with("error:"))
                .or(lines.last())
                .map_or("exit status 2", |l| l);
            let message = message.strip_prefix("error: ").unwrap_or(message);
            let message = message
                .strip_prefix(&format!("{}: ", path.display()))
                .unwrap_or(message);
            Err(format!("engine: {}", driver.map_message(message)))
        }
        Exit::Code(0) => Ok(()),
        _ => {
            let last = lines.last().copied().unwrap_or("");
            if last.starts_with("ModuleNotFoundError") || last.starts_with("ImportError") {
                // The innermost `File "...", line N` is where the import is.
                let at = lines
                    .iter()
                    .rev()
                    .find(|l| l.trim_start().starts_with("File "))
                    .and_then(|l| l.split(", ").find(|p| p.starts_with("line ")))
                    .map(|l| format!("{}: ", driver.map_message(l)))
                    .unwrap_or_default();
                Err(format!("engine: {at}{last}"))
            } else {
                Ok(())
            }
        }
    }
}
