//! Running a Tiny program end to end: compile, verify, execute in a chosen mode, and
//! report errors exactly as the language defines them. The command line and the golden
//! tests both go through [`run`], so they cannot disagree.

use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use jit_core::heap::Heap;
use jit_core::interp::Vm;
pub use jit_core::run::{Outcome, RunConfig};

use crate::runtime::TinySemantics;

/// Compiles and runs `source` (named `file_name` in messages), writing program output to
/// `out` (flushed before returning).
pub fn run(file_name: &str, source: &str, cfg: &RunConfig, out: Box<dyn Write>) -> Outcome {
    let t0 = Instant::now();
    let mut stderr = String::new();
    let fail = |status, stderr, compile_time| Outcome {
        status,
        stderr,
        stats: None,
        run_time: Duration::ZERO,
        compile_time,
    };
    let program = match crate::parse_and_resolve(file_name, source) {
        Ok(p) => p,
        Err(d) => return fail(2, d.render(file_name, source), t0.elapsed()),
    };
    // SAFETY: this heap's values are used only with it: the module's constants and the
    // run's values, all dropped with the `Vm` below (the outcome holds no values).
    let mut heap = unsafe { Heap::new() };
    if let Some(limit) = cfg.max_heap {
        heap.set_limit(limit);
    }
    let module = match crate::codegen::compile(&program, &mut heap) {
        Ok(m) => m,
        Err(d) => return fail(2, d.render(file_name, source), t0.elapsed()),
    };
    let code_names: Vec<String> = module.codes.iter().map(|c| c.name.clone()).collect();
    let sem = TinySemantics::new(out, cfg.args.clone(), code_names);
    let mut vm = match Vm::new(module, sem, heap, cfg.mode) {
        Ok(vm) => vm,
        Err(e) => {
            return fail(
                2,
                format!("error: internal compiler error: {e}\n"),
                t0.elapsed(),
            )
        }
    };
    let compile_time = t0.elapsed();
    if cfg.dump_bytecode {
        jit_core::run::dump_codes(vm.core(), "bytecode", &mut stderr);
    }
    jit_core::run::configure(&mut vm, cfg);
    let t1 = Instant::now();
    // SAFETY: `TinySemantics` keeps no values and defines no host objects; its slow paths
    // never call back into guest code; and the result is used only to print the error,
    // which holds no values.
    let result = unsafe { vm.run() };
    let run_time = t1.elapsed();
    let flushed = vm.sem_mut().flush();
    let mut status = 0;
    if let Err(e) = result {
        status = 1;
        let _ = writeln!(stderr, "error: {}", e.message);
        if let Some(top) = e.traceback.first() {
            let _ = writeln!(stderr, "at {}:{}:{}", file_name, top.line, top.col);
        }
    } else if let Err(e) = flushed {
        status = 1;
        let _ = writeln!(stderr, "error: cannot write output: {e}");
    }
    status = jit_core::run::after_run(&mut vm, cfg, status, &mut stderr);
    let stats = Some(vm.stats().clone());
    if cfg.exit_after_run {
        // The output was flushed above; the process exits next and the OS takes the heap.
        std::mem::forget(vm);
    }
    Outcome {
        status,
        stderr,
        stats,
        run_time,
        compile_time,
    }
}
