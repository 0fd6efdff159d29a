//! Running a Python program end to end: load (compile with CPython 3.11 or read a
//! `.pyc`), translate to core bytecode, verify, execute in a chosen mode, and report an
//! uncaught exception as CPython does (`Traceback (most recent call last):` ...).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use jit_core::heap::Heap;
use jit_core::interp::Vm;
pub use jit_core::run::{Outcome, RunConfig};
use jit_core::value::Value;
use num_bigint::BigInt;

use crate::loader::{load_pyc_file, load_source, LoadError, LoadedModule};
use crate::runtime::PySemantics;
use crate::translate::{translate, ConstFactory};

/// Python's constants that the runtime represents: big ints as its `PyLong`; frozensets
/// (which only appear as constant membership tests, `x in {1, 2}`) as tuples, which
/// answer `in` the same way for the hashable items a constant can hold.
struct Consts;

impl ConstFactory for Consts {
    fn big_int(&mut self, heap: &mut Heap, v: &BigInt) -> Value {
        crate::runtime::objects::int_value(heap, v.clone())
    }
    fn frozenset(&mut self, heap: &mut Heap, items: Vec<Value>) -> Value {
        heap.tuple(items)
    }
}

/// Writes the frames of a traceback (given innermost first) outermost first, as CPython
/// does: `File "...", line N, in f`, the source line, and a run of more than three
/// identical frames (deep recursion) collapsed into `[Previous line repeated N more times]`.
fn write_traceback(
    out: &mut String,
    file: &str,
    m: &LoadedModule,
    frames: &[jit_core::semantics::TraceEntry],
) {
    let mut last: Option<(&str, u32)> = None;
    let mut repeats = 0usize;
    let flush = |out: &mut String, repeats: usize| {
        if repeats > 3 {
            let n = repeats - 3;
            let s = if n == 1 { "" } else { "s" };
            let _ = writeln!(out, "  [Previous line repeated {n} more time{s}]");
        }
    };
    for entry in frames.iter().rev() {
        let key = (entry.function.as_str(), entry.line);
        if last == Some(key) {
            repeats += 1;
            if repeats > 3 {
                continue;
            }
        } else {
            flush(out, repeats);
            last = Some(key);
            repeats = 1;
        }
        let _ = writeln!(
            out,
            "  File \"{}\", line {}, in {}",
            file, entry.line, entry.function
        );
        if let Some(src) = m.source_line(entry.line) {
            let trimmed = src.trim();
            if !trimmed.is_empty() {
                let _ = writeln!(out, "    {trimmed}");
            }
        }
    }
    flush(out, repeats);
}

/// Loads and runs the `.py` or `.pyc` file at `path`, writing program output to `out`.
pub fn run_file(path: &Path, cfg: &RunConfig, out: Box<dyn Write>) -> Outcome {
    let t0 = Instant::now();
    let is_pyc = path.extension().is_some_and(|e| e == "pyc");
    let loaded = if is_pyc {
        load_pyc_file(path)
    } else {
        load_source(path)
    };
    match loaded {
        Ok(m) => run_loaded(&m, cfg, out, t0),
        Err(e) => {
            // CPython exits with status 1 on a syntax error; anything else about loading
            // (no CPython 3.11, a bad .pyc) is a usage error.
            let status = if matches!(e, LoadError::Syntax(_)) {
                1
            } else {
                2
            };
            Outcome {
                status,
                stderr: format!("error: {e}\n"),
                stats: None,
                run_time: Duration::ZERO,
                compile_time: t0.elapsed(),
            }
        }
    }
}

/// Runs an already loaded module.
pub fn run_loaded(m: &LoadedModule, cfg: &RunConfig, out: Box<dyn Write>, t0: Instant) -> Outcome {
    let file = m.path.display().to_string();
    let fail = |stderr: String| Outcome {
        status: 2,
        stderr,
        stats: None,
        run_time: Duration::ZERO,
        compile_time: t0.elapsed(),
    };
    // SAFETY: this heap's values are used only with it: the module's constants and the
    // run's values, all dropped with the `Vm` below (the outcome holds no values).
    let mut heap = unsafe { Heap::new() };
    if let Some(limit) = cfg.max_heap {
        heap.set_limit(limit);
    }
    let module = match translate(&m.code, &mut heap, &mut Consts) {
        Ok(module) => module,
        Err(e) => return fail(format!("error: {file}: {e}\n")),
    };
    let code_names: Vec<String> = module.codes.iter().map(|c| c.name.clone()).collect();
    let mut argv = vec![file.clone()];
    argv.extend(cfg.args.iter().cloned());
    let sem = PySemantics::new(out, argv, code_names);
    let mut vm = match Vm::new(module, sem, heap, cfg.mode) {
        Ok(vm) => vm,
        Err(e) => return fail(format!("error: internal translation error: {e}\n")),
    };
    let compile_time = t0.elapsed();
    let mut stderr = String::new();
    if cfg.dump_bytecode {
        jit_core::run::dump_codes(vm.core(), "bytecode", &mut stderr);
    }
    jit_core::run::configure(&mut vm, cfg);
    let t1 = Instant::now();
    // SAFETY: `PySemantics::trace_roots` reports every value the semantics keeps between
    // calls, and each host object's `trace` the values it holds; its slow paths keep
    // `call_value`'s contract (see the `SAFETY` comment at each call). After the run this
    // function reads only the globals (roots) and the error, which holds no values.
    let result = unsafe { vm.run() };
    let run_time = t1.elapsed();
    let flushed = vm.sem_mut().flush();
    let mut status = 0;
    match result {
        // `sys.exit(code)`: no traceback. An int code is the exit status (`None`: 0); any
        // other value is printed to stderr and the status is 1, as CPython does.
        Err(e) if e.kind == "SystemExit" => {
            if e.message.is_empty() {
                status = 0;
            } else if let Ok(code) = e.message.parse::<i64>() {
                status = (code & 0xFF) as i32;
            } else {
                status = 1;
                let _ = writeln!(stderr, "{}", e.message);
            }
        }
        Err(e) => {
            status = 1;
            let _ = writeln!(stderr, "Traceback (most recent call last):");
            write_traceback(&mut stderr, &file, m, &e.traceback);
            let kind = if e.kind.is_empty() {
                "RuntimeError"
            } else {
                e.kind.as_str()
            };
            let mut message = e.message.clone();
            if kind == "NameError" {
                // CPython adds its "Did you mean" hint when it prints the error, from the
                // innermost frame's locals and the module's bound globals.
                let locals = e
                    .traceback
                    .first()
                    .and_then(|t| vm.module().codes.get(t.code as usize))
                    .map(|c| c.local_names.clone())
                    .unwrap_or_default();
                message.push_str(&crate::runtime::suggest::name_error_hint(
                    &message,
                    &locals,
                    &vm.module().global_names,
                    vm.globals(),
                ));
            }
            if message.is_empty() {
                let _ = writeln!(stderr, "{kind}");
            } else {
                let _ = writeln!(stderr, "{kind}: {message}");
            }
        }
        Ok(_) => {
            if let Err(e) = flushed {
                status = 1;
                let _ = writeln!(stderr, "error: cannot write output: {e}");
            }
        }
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
