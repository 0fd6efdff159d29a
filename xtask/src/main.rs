//! `cargo xtask`: the engine's command line (run, bench) and the project's checks.

mod bench;
mod native;
mod reserve;
mod run;
mod stencils;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The tiered JIT engine's command line.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, long_about = None)]
#[command(
    about = "The tiered JIT engine: run Tiny and Python programs in any execution mode, benchmark every mode against CPython and PyPy, check the no_std core."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a `.tiny`, `.py` or `.pyc` program through the engine (with dumps and statistics).
    Run(run::RunArgs),
    /// Run a benchmark suite (benches/ or pyperformance) under engine modes, python3 and pypy3.
    Bench(BenchArgs),
    /// Check that jit-core links into a `#![no_std]` `#![no_main]` binary with `panic = "abort"`.
    CheckNostd,
    /// List the copy-and-patch stencils (size, holes), or disassemble the one named.
    ///
    /// Without NAME, lists every stencil of backend-stencil (compiled from
    /// backend-stencil/stencils/ by its build.rs): its bytes of code and of read-only data,
    /// and its holes as SYMBOL@OFFSET. With NAME, disassembles that stencil (Intel syntax),
    /// each hole shown at its instruction: operands as `_JIT_OPERANDn`, jumps to
    /// `_JIT_CONTINUE`, `_JIT_JUMP_TARGET` and `_JIT_EXIT`, read-only data as
    /// `<data>+OFFSET`, followed by the data bytes.
    Stencils(stencils::StencilsArgs),
}

/// Out of memory is the guest's `MemoryError`, not an abort (see `reserve.rs`).
#[global_allocator]
static ALLOC: reserve::ReserveAlloc = reserve::ReserveAlloc::new();

fn main() -> ExitCode {
    ALLOC.arm();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap uses 0 for --help/--version and 2 for usage errors, as we do.
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let status = match cli.command {
        Command::Run(args) => run::main(&args),
        Command::CheckNostd => run::check_nostd(),
        Command::Stencils(args) => stencils::main(&args),
        Command::Bench(args) => match bench::run(&args.to_options()) {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    };
    ExitCode::from(status as u8)
}

/// The `--suite` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SuiteArg {
    Builtin,
    Pyperformance,
}

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args, Debug)]
struct BenchArgs {
    /// Only rows whose `name/lang` contains one of these comma-separated substrings.
    #[arg(long)]
    filter: Option<String>,
    /// Columns: engine modes and `python3`/`pypy3`, comma-separated. An engine mode may
    /// carry tier 2's optimizer passes as `MODE:PASSES` (`uops:none` is tier 2
    /// unoptimized; `uops` is `uops:all`; `stencil:none` is tier 3's native code without
    /// the optimizer, CPython 3.13's situation). `cranelift` compiles the same traces with
    /// Cranelift, and its statistics runs time the stencil backend on them too, for the
    /// compile-time comparison.
    #[arg(long, default_value = bench::DEFAULT_MODES)]
    modes: String,
    /// Measured runs per cell.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Unmeasured warm-up runs per cell.
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    /// Write all samples and summaries as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<std::path::PathBuf>,
    /// Draw an SVG chart of the speedups.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<std::path::PathBuf>,
    /// The column speedups are relative to [default: interp for the builtin suite, python3
    /// for pyperformance].
    #[arg(long)]
    baseline: Option<String>,
    /// Which benchmarks: `builtin` (the micro-benchmarks and kernels in benches/) or
    /// `pyperformance` (the benchmarks of pyperformance 1.14.0, the yardstick: fetched with
    /// `pip download` into $JIT_CACHE_DIR or ~/.cache/tiered-jit on first use, each run through
    /// a generated driver with a pyperf stand-in; those the engine cannot run yet, or that need
    /// third-party packages, are listed as skipped with the reason).
    #[arg(long, value_enum, default_value = "builtin")]
    suite: SuiteArg,
    /// Run every selected benchmark at this size (for pyperformance: this many loops).
    #[arg(long)]
    size: Option<String>,
    /// CI smoke test: quick sizes, one run, no warm-up.
    #[arg(long)]
    quick: bool,
    /// Kill a run after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

impl BenchArgs {
    fn to_options(&self) -> bench::BenchOptions {
        bench::BenchOptions {
            filter: self.filter.clone(),
            modes: bench::parse_modes(&self.modes),
            runs: self.runs,
            warmup: self.warmup,
            json: self.json.clone(),
            plot: self.plot.clone(),
            baseline: self.baseline.clone(),
            suite: match self.suite {
                SuiteArg::Builtin => bench::SuiteKind::Builtin,
                SuiteArg::Pyperformance => bench::SuiteKind::Pyperformance,
            },
            size: self.size.clone(),
            quick: self.quick,
            timeout: std::time::Duration::from_secs(self.timeout),
            ..bench::BenchOptions::default()
        }
    }
}
