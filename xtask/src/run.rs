//! `cargo xtask run`: runs a program through the engine, with dumps and statistics.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, ValueEnum};
use jit_core::interp::Mode;

/// The embedded demo, run when no file is given.
const DEMO: &str = include_str!("demo/demo.tiny");

/// Execution modes the command line knows, built or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// The generic interpreter: the reference every other mode must agree with.
    Interp,
    /// Tier 1: the specializing adaptive interpreter.
    Adaptive,
    /// Tier 2: the uop trace interpreter (not built yet).
    Uops,
    /// Tier 3: copy-and-patch stencils (not built yet).
    Stencil,
    /// Tier 3: Cranelift (not built yet).
    Cranelift,
}

impl ModeArg {
    /// The engine mode, or `None` when it is not built yet.
    pub fn engine_mode(self) -> Option<Mode> {
        match self {
            ModeArg::Interp => Some(Mode::Interp),
            ModeArg::Adaptive => Some(Mode::Adaptive),
            ModeArg::Uops | ModeArg::Stencil | ModeArg::Cranelift => None,
        }
    }
}

/// What `--dump` can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DumpArg {
    /// The compiled bytecode, before running.
    Bytecode,
    /// The bytecode after the run, with tier 1's quickened instructions.
    Specialized,
}

/// Arguments of `cargo xtask run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The program to run: `.tiny`, `.py` (compiled with CPython 3.11: `python3`, or the
    /// interpreter `JIT_PYTHON` names; cached under `JIT_CACHE_DIR`) or a 3.11 `.pyc`.
    /// Without one, runs an embedded Tiny demo.
    pub file: Option<PathBuf>,
    /// Execution mode.
    #[arg(long, value_enum, default_value = "adaptive")]
    pub mode: ModeArg,
    /// Print a stage of compilation to stderr (repeatable).
    #[arg(long, value_enum)]
    pub dump: Vec<DumpArg>,
    /// Print a summary of what the engine did to stderr.
    #[arg(long)]
    pub stats: bool,
    /// Write the statistics as JSON to FILE (implies counting).
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Limit the heap to SIZE bytes (suffix K, M or G): past it, the program gets its
    /// language's memory error (Python's `MemoryError`).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_heap: Option<usize>,
    /// Arguments for the program (after `--`).
    #[arg(last = true)]
    pub args: Vec<String>,
}

/// Runs `cargo xtask run`; returns the exit status.
pub fn main(a: &RunArgs) -> i32 {
    let Some(mode) = a.mode.engine_mode() else {
        eprintln!(
            "error: mode '{}' is not built yet; available modes: interp, adaptive",
            a.mode
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        );
        return 2;
    };
    let (name, source) = match &a.file {
        None => {
            eprintln!("note: no file given; running the embedded demo (xtask/src/demo/demo.tiny)");
            ("demo.tiny".to_string(), DEMO.to_string())
        }
        Some(path) if path.extension().is_some_and(|e| e == "py" || e == "pyc") => {
            (path.display().to_string(), String::new())
        }
        Some(path) => match read_source(path) {
            Ok(s) => (path.display().to_string(), s),
            Err(msg) => {
                eprintln!("error: {msg}");
                return 2;
            }
        },
    };
    let ext = Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let out: Box<dyn Write> = Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let (dump_bytecode, dump_specialized) = (
        a.dump.contains(&DumpArg::Bytecode),
        a.dump.contains(&DumpArg::Specialized),
    );
    let stats = a.stats || a.stats_json.is_some();
    let outcome = match ext {
        "tiny" => {
            let cfg = jit_core::run::RunConfig {
                mode,
                args: a.args.clone(),
                dump_bytecode,
                dump_specialized,
                stats,
                reverify: false,
                max_heap: a.max_heap,
                exit_after_run: true,
            };
            frontend_tiny::driver::run(&name, &source, &cfg, out)
        }
        "py" | "pyc" => {
            let cfg = jit_core::run::RunConfig {
                mode,
                args: a.args.clone(),
                dump_bytecode,
                dump_specialized,
                stats,
                reverify: false,
                max_heap: a.max_heap,
                exit_after_run: true,
            };
            let path = a.file.clone().unwrap_or_default();
            frontend_pybc::driver::run_file(&path, &cfg, out)
        }
        _ => {
            eprintln!("error: {name}: unknown file type (expected .tiny, .py or .pyc)");
            return 2;
        }
    };
    eprint!("{}", outcome.stderr);
    if let Some(stats) = &outcome.stats {
        if a.stats {
            eprintln!("== stats (mode {}) ==", mode.name());
            eprintln!(
                "time: compile {:.6} s, interpret {:.6} s",
                outcome.compile_time.as_secs_f64(),
                outcome.run_time.as_secs_f64()
            );
            eprint!("{}", stats.render());
        }
        if let Some(path) = &a.stats_json {
            let json = format!(
                "{{\"mode\": \"{}\", \"status\": {}, \"phases\": {{\"frontend_s\": {}, \"interpret_s\": {}, \"compile_s\": 0.0, \"native_s\": 0.0}}, \"instructions\": {}, \"calls\": {}, \"hot_loops\": {}, \"executors\": {}, \"depth_mismatches\": {}, \"gc\": {{\"allocations\": {}, \"collections\": {}, \"freed\": {}, \"peak_live_bytes\": {}}}, \"tier1\": {}}}\n",
                mode.name(),
                outcome.status,
                outcome.compile_time.as_secs_f64(),
                outcome.run_time.as_secs_f64(),
                stats.instructions,
                stats.calls,
                stats.hot_loops,
                stats.executors,
                stats.depth_mismatches,
                stats.gc.allocations,
                stats.gc.collections,
                stats.gc.freed,
                stats.gc.peak_live_bytes,
                stats.tier1_json()
            );
            if let Err(e) = std::fs::write(path, json) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return 2;
            }
        }
    }
    outcome.status
}

/// `--max-heap`'s SIZE: bytes, or with a binary suffix `K`, `M`, `G` (`64M`).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("'{s}' is not a size (bytes, or a number with K, M or G)"))
}

fn read_source(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not valid UTF-8 (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The repository root (this crate's parent directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Builds `nostd-check`, a `#![no_std]` `#![no_main]` binary that links jit-core with its
/// own panic handler and allocator under `panic = "abort"`, and runs it.
pub fn check_nostd() -> i32 {
    let root = repo_root();
    let manifest = root.join("nostd-check/Cargo.toml");
    let target = root.join("target/nostd-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    eprintln!("building {} ...", manifest.display());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("error: the no_std build failed ({s}): something pulls std into jit-core");
            return 1;
        }
        Err(e) => {
            eprintln!("error: cannot run {cargo}: {e}");
            return 2;
        }
    }
    let exe = target.join("release/nostd-check");
    match Command::new(&exe).status() {
        Ok(s) if s.code() == Some(0) => {
            eprintln!("ok: jit-core links and runs in a no_std, no_main, panic=abort binary");
            0
        }
        Ok(s) => {
            eprintln!("error: {} exited with {s}", exe.display());
            1
        }
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", exe.display());
            1
        }
    }
}
