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
    /// Tier 2: tier 1 plus uop traces of hot loops, run by the uop interpreter.
    Uops,
    /// Tier 3: tier 2's traces compiled to machine code by copying and patching
    /// stencils (x86-64 Linux).
    Stencil,
    /// Tier 3: tier 2's traces compiled by Cranelift, the reference backend (x86-64 and
    /// aarch64 hosts with a Cranelift ISA).
    Cranelift,
}

impl ModeArg {
    /// The command-line name.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// The backend to attach in place of the uop interpreter, for the native modes.
    pub fn backend(self) -> Option<fn() -> Box<dyn jit_core::jit::Backend>> {
        match self {
            ModeArg::Stencil => Some(crate::native::stencil_backend),
            ModeArg::Cranelift => Some(crate::native::cranelift_backend),
            _ => None,
        }
    }

    /// The engine mode, or `None` when it is not built (in this build).
    pub fn engine_mode(self) -> Option<Mode> {
        match self {
            ModeArg::Interp => Some(Mode::Interp),
            ModeArg::Adaptive => Some(Mode::Adaptive),
            ModeArg::Uops => Some(Mode::Uops),
            ModeArg::Stencil if backend_stencil::stencil::supported() => Some(Mode::Uops),
            ModeArg::Cranelift if backend_cranelift::supported() => Some(Mode::Uops),
            ModeArg::Stencil | ModeArg::Cranelift => None,
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
    /// Every tier-2 trace as it is created: its uops, exits and snapshots, and where it
    /// came from (`--mode uops`).
    Uops,
    /// Every tier-2 trace before and after the optimizer, with what each pass removed
    /// (`--mode uops`, `--mode stencil`).
    Opt,
    /// Every trace's machine code, disassembled, with each uop's stretch marked by the
    /// uop (and its stencils, `--mode stencil`; `--mode cranelift`).
    Asm,
    /// Every trace as Cranelift IR, as the backend hands it to Cranelift (`--mode
    /// cranelift`).
    Clif,
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
    /// Tier 2's hotness threshold: back edges before a loop is traced, and exits before
    /// one gets a side trace (`--hot 1` traces nearly everything).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub hot: Option<u16>,
    /// Tier 2's optimizer passes, comma-separated and applied left to right from `all`:
    /// `all`, `none`, a pass's name to turn it on, `-NAME` to turn it off. Passes: peel
    /// (loop peeling), guards (redundant guards), consts (constant folding, constant
    /// globals), bounds (overflow and bounds checks by int ranges), hoist (a loop's bounds
    /// checks moved before it; needs bounds), unbox (raw int and float arithmetic), dce
    /// (dead uops).
    #[arg(long, value_name = "PASSES", default_value = "all", value_parser = parse_opt, allow_hyphen_values = true)]
    pub opt: jit_core::tier2::Passes,
    /// Write the statistics as JSON to FILE (implies counting).
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Limit the heap to SIZE bytes (suffix K, M or G): past it, the program gets its
    /// language's memory error (Python's `MemoryError`).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_heap: Option<usize>,
    /// Write `/tmp/perf-PID.map` (`--mode stencil`, `--mode cranelift`), so that `perf
    /// report` names the compiled traces (`stencil@function:line#TRACE`).
    #[arg(long)]
    pub perf_map: bool,
    /// Have the other native backend compile every trace too, timed and thrown away
    /// (`--mode cranelift`: the stencil backend; `--mode stencil`: Cranelift), and report
    /// both compile times per uop (`--stats`; the JSON's `"compared"` object).
    #[arg(long)]
    pub compare_compile: bool,
    /// Arguments for the program (after `--`).
    #[arg(last = true)]
    pub args: Vec<String>,
}

/// Runs `cargo xtask run`; returns the exit status.
pub fn main(a: &RunArgs) -> i32 {
    let Some(mode) = a.mode.engine_mode() else {
        eprintln!(
            "error: mode '{}' is not built (in this build); available modes: interp, adaptive, uops{}{}",
            a.mode.name(),
            if backend_stencil::stencil::supported() { ", stencil" } else { "" },
            if backend_cranelift::supported() { ", cranelift" } else { "" }
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
    let clif = a.dump.contains(&DumpArg::Clif);
    crate::native::configure(
        a.dump.contains(&DumpArg::Asm),
        clif,
        a.perf_map,
        a.compare_compile,
    );
    let native = matches!(a.mode, ModeArg::Stencil | ModeArg::Cranelift);
    if !native && (a.perf_map || a.dump.contains(&DumpArg::Asm)) {
        eprintln!(
            "note: --dump asm and --perf-map show native code, which only --mode stencil and --mode cranelift make"
        );
    }
    if a.mode != ModeArg::Cranelift && clif {
        eprintln!("note: --dump clif shows Cranelift's IR, which only --mode cranelift makes");
    }
    if mode != Mode::Uops {
        let note = |what: &str| {
            eprintln!("note: {what}, which only --mode uops, stencil and cranelift use");
        };
        if a.dump.contains(&DumpArg::Uops) {
            note("--dump uops shows tier-2 traces");
        }
        if a.hot.is_some() {
            note("--hot sets tier 2's threshold");
        }
        if a.dump.contains(&DumpArg::Opt) {
            note("--dump opt shows tier-2 traces");
        }
        if a.opt != jit_core::tier2::Passes::ALL {
            note("--opt chooses tier 2's optimizer passes");
        }
    }
    let cfg = jit_core::run::RunConfig {
        mode,
        args: a.args.clone(),
        dump_bytecode,
        dump_specialized,
        stats,
        reverify: false,
        max_heap: a.max_heap,
        exit_after_run: true,
        hot: a.hot,
        dump_uops: a.dump.contains(&DumpArg::Uops),
        trace_sink: Some(print_trace),
        clock: Some(now_ns),
        opt: jit_core::tier2::OptConfig {
            passes: a.opt,
            dump: a.dump.contains(&DumpArg::Opt),
        },
        backend: a.mode.backend(),
    };
    let outcome = match ext {
        "tiny" => frontend_tiny::driver::run(&name, &source, &cfg, out),
        "py" | "pyc" => {
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
            eprintln!("== stats (mode {}) ==", a.mode.name());
            eprintln!(
                "time: compile {:.6} s, interpret {:.6} s",
                outcome.compile_time.as_secs_f64(),
                outcome.run_time.as_secs_f64()
            );
            eprint!("{}", stats.render());
        }
        if let Some(path) = &a.stats_json {
            let json = format!(
                "{{\"mode\": \"{}\", \"status\": {}, \"phases\": {{\"frontend_s\": {}, \"interpret_s\": {}, \"project_s\": {}, \"optimize_s\": {}, \"compile_s\": {}, \"native_s\": 0.0}}, \"instructions\": {}, \"calls\": {}, \"hot_loops\": {}, \"executors\": {}, \"depth_mismatches\": {}, \"tier2\": {}, \"optimizer\": {}, {}\"gc\": {{\"allocations\": {}, \"collections\": {}, \"freed\": {}, \"peak_live_bytes\": {}}}, \"tier1\": {}}}\n",
                a.mode.name(),
                outcome.status,
                outcome.compile_time.as_secs_f64(),
                outcome.run_time.as_secs_f64(),
                stats.tier2.projection_ns as f64 / 1e9,
                stats.optimizer.optimize_ns as f64 / 1e9,
                stats.native.compile_ns as f64 / 1e9,
                stats.instructions,
                stats.calls,
                stats.hot_loops,
                stats.executors,
                stats.depth_mismatches,
                stats.tier2.json(),
                stats.optimizer.json(),
                native_json(&stats.native),
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

/// The native backend's object of the stats JSON and a comma (`"stencil": {..}, `), or
/// nothing when no backend compiled anything.
fn native_json(n: &jit_core::stats::NativeStats) -> String {
    if n.backend.is_empty() {
        String::new()
    } else {
        format!("\"{}\": {}, ", n.backend, n.json())
    }
}

/// `--dump uops`: each trace goes to stderr as it is made.
fn print_trace(text: &str) {
    eprint!("== uop trace ==\n{text}");
}

/// Nanoseconds since the first call (a monotonic clock for the engine's statistics).
fn now_ns() -> u64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
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

/// `--opt`'s parser.
fn parse_opt(s: &str) -> Result<jit_core::tier2::Passes, String> {
    jit_core::tier2::Passes::parse(s)
}
