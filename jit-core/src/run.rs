//! What a frontend's driver takes and reports: one shape for every language, so the
//! command line, the golden tests and the benchmark harness treat frontends alike.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::bytecode::disassemble;
use crate::interp::{Mode, Vm, VmCore};
use crate::semantics::Semantics;
use crate::stats::Stats;

/// What to run and what to report.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The execution mode.
    pub mode: Mode,
    /// The program's command-line arguments.
    pub args: Vec<String>,
    /// Append the compiled bytecode to the diagnostics.
    pub dump_bytecode: bool,
    /// Append the quickened bytecode, after the run, to the diagnostics.
    pub dump_specialized: bool,
    /// Count instructions and guard hits.
    pub stats: bool,
    /// Verify the bytecode again after the run, when tier 1 has quickened it (a check that
    /// quickening keeps the verifier's facts; a failure is an internal error, status 3).
    pub reverify: bool,
    /// The most bytes the heap may hold live (`--max-heap`); past it, the language's
    /// memory error.
    pub max_heap: Option<usize>,
    /// The process ends right after the run (the command line): the drivers then leave
    /// the heap to the operating system instead of freeing every object one by one,
    /// which costs a program that ends with a large live heap a sizeable share of its
    /// time. An embedder that keeps running leaves this off.
    pub exit_after_run: bool,
    /// Tier 2's hotness threshold (`--hot N`): back edges before a loop is traced, and
    /// exits before one gets a side trace. `None` keeps the default
    /// ([`crate::tier2::DEFAULT_HOT`]).
    pub hot: Option<u16>,
    /// Dump every tier-2 trace as it is created (`--dump uops`): to `trace_sink` when
    /// there is one, otherwise appended to the diagnostics after the run.
    pub dump_uops: bool,
    /// Where `--dump uops` writes each trace the moment it is made (the command line
    /// passes one that prints to stderr).
    pub trace_sink: Option<fn(&str)>,
    /// A monotonic clock in nanoseconds, to time trace projection (the core has none).
    pub clock: Option<fn() -> u64>,
    /// Tier 2's optimizer passes (`--opt`) and its dump (`--dump opt`, which goes where
    /// `--dump uops` goes).
    pub opt: crate::tier2::OptConfig,
    /// A code generator to attach in place of the uop interpreter (`--mode stencil`):
    /// with `mode` [`Mode::Uops`], hot loops are traced and optimized as for the uop
    /// interpreter, and this backend compiles and runs the traces.
    pub backend: Option<fn() -> Box<dyn crate::jit::Backend>>,
}

impl RunConfig {
    /// A plain run in `mode`.
    pub fn new(mode: Mode) -> RunConfig {
        RunConfig {
            mode,
            args: Vec::new(),
            dump_bytecode: false,
            dump_specialized: false,
            stats: false,
            reverify: false,
            max_heap: None,
            exit_after_run: false,
            hot: None,
            dump_uops: false,
            trace_sink: None,
            clock: None,
            opt: crate::tier2::OptConfig::default(),
            backend: None,
        }
    }
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Exit status: 0 success, 1 a runtime error, 2 a usage or compile error (the
    /// frontend documents its own refinements).
    pub status: i32,
    /// Everything meant for stderr: dumps, then the error report if any.
    pub stderr: String,
    /// What the engine counted (absent when the program never ran).
    pub stats: Option<Stats>,
    /// Time spent running the program.
    pub run_time: Duration,
    /// Time spent compiling, translating and verifying.
    pub compile_time: Duration,
}

/// Appends `== heading ==` and the disassembly of every code object (`--dump`).
pub fn dump_codes(core: &VmCore, heading: &str, out: &mut String) {
    out.push_str("== ");
    out.push_str(heading);
    out.push_str(" ==\n");
    let module = core.module();
    for code in &module.codes {
        disassemble(module, code, core.heap(), out);
    }
}

/// Before the run: applies the configuration's engine settings (statistics, the hotness
/// threshold, the optimizer, trace dumps, the clock) to `vm`.
pub fn configure<S: Semantics>(vm: &mut Vm<S>, cfg: &RunConfig) {
    vm.set_collect_stats(cfg.stats);
    if let (Mode::Uops, Some(backend)) = (cfg.mode, cfg.backend) {
        vm.attach_backend(backend());
    }
    if let Some(n) = cfg.hot {
        vm.set_hot_threshold(n);
    }
    vm.set_optimizer(cfg.opt);
    if cfg.dump_uops || cfg.opt.dump {
        vm.set_dump_traces(true);
        if let Some(sink) = cfg.trace_sink {
            vm.set_trace_sink(sink);
        }
    }
    if let Some(clock) = cfg.clock {
        vm.set_clock(clock);
    }
}

/// After the run: re-verifies the (quickened) code when `cfg.reverify` asks, and dumps it
/// when `cfg.dump_specialized` does. Returns status 3 (an internal error) if quickening
/// broke a verifier fact, otherwise `status`.
pub fn after_run<S: Semantics>(
    vm: &mut Vm<S>,
    cfg: &RunConfig,
    status: i32,
    out: &mut String,
) -> i32 {
    let mut status = status;
    let traces = vm.take_jit_log();
    if !traces.is_empty() {
        out.push_str("== uop traces ==\n");
        out.push_str(&traces);
    }
    if cfg.reverify {
        if let Err(e) = vm.reverify() {
            status = 3;
            out.push_str(&alloc::format!(
                "error: internal: quickened code fails verification: {e}\n"
            ));
        }
    }
    if cfg.dump_specialized {
        let heading = alloc::format!(
            "specialized bytecode (after the run, mode {})",
            cfg.mode.name()
        );
        dump_codes(vm.core(), &heading, out);
    }
    status
}
