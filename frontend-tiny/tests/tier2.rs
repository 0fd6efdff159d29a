//! Tier 2's exits, forced: each program makes one kind of guard fail at a chosen
//! iteration of a traced loop, and must print what the generic interpreter prints while
//! the statistics show the exit taken (and the side trace grown, or the trace
//! invalidated) that the program was written to cause.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use frontend_tiny::driver::{run, RunConfig};
use jit_core::interp::Mode;
use jit_core::stats::{Tier2Stats, EXIT_REASONS};
use jit_core::tier2::{OptConfig, Passes};

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

/// Runs `source` in `mode` with statistics and the optimizer passes `opt`; returns
/// stdout, stderr and tier 2's counters.
fn run_opt(source: &str, mode: Mode, hot: Option<u16>, opt: &str) -> (String, String, Tier2Stats) {
    run_with(source, mode, hot, opt, None)
}

/// As [`run_opt`], with `backend` attached in place of the uop interpreter.
fn run_with(
    source: &str,
    mode: Mode,
    hot: Option<u16>,
    opt: &str,
    backend: Option<fn() -> Box<dyn jit_core::jit::Backend>>,
) -> (String, String, Tier2Stats) {
    let buf = SharedBuf::default();
    let cfg = RunConfig {
        backend,
        stats: true,
        reverify: true,
        hot,
        opt: OptConfig {
            passes: Passes::parse(opt).expect("a valid --opt"),
            dump: false,
        },
        ..RunConfig::new(mode)
    };
    let o = run("t.tiny", source, &cfg, Box::new(buf.clone()));
    let stats = o.stats.expect("the program ran");
    assert_eq!(
        stats.depth_mismatches, 0,
        "a frame left with a bad stack depth"
    );
    let out = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
    (out, o.stderr, stats.tier2)
}

/// Runs `source` in `mode` with statistics and every optimizer pass.
fn run_in(source: &str, mode: Mode, hot: Option<u16>) -> (String, String, Tier2Stats) {
    run_opt(source, mode, hot, "all")
}

/// Checks `source` against the generic interpreter at the default threshold, at `--hot 1`
/// and `--hot 2`, optimized and not, and returns tier 2's counters at the default
/// threshold, optimized. Tier 3 (both native backends) runs the same trees: it must give
/// the same output and count exactly the same traces, exits and uops.
fn check(source: &str) -> Tier2Stats {
    let (want_out, want_err, _) = run_in(source, Mode::Interp, None);
    let mut first = None;
    for opt in ["all", "none"] {
        for hot in [None, Some(1), Some(2)] {
            let (out, err, t2) = run_opt(source, Mode::Uops, hot, opt);
            assert_eq!(out, want_out, "stdout differs at --hot {hot:?} --opt {opt}");
            assert_eq!(err, want_err, "stderr differs at --hot {hot:?} --opt {opt}");
            assert!(t2.traces >= 1, "no trace was made at --hot {hot:?}");
            type MakeBackend = fn() -> Box<dyn jit_core::jit::Backend>;
            let mut natives: Vec<(&str, MakeBackend)> = Vec::new();
            if backend_stencil::stencil::supported() {
                natives.push(("stencil", backend_stencil::make_backend));
            }
            if backend_cranelift::supported() {
                natives.push(("cranelift", backend_cranelift::make_backend));
            }
            for (name, make) in natives {
                let (out3, err3, t3) = run_with(source, Mode::Uops, hot, opt, Some(make));
                let at = format!("--mode {name} --hot {hot:?} --opt {opt}");
                assert_eq!(out3, want_out, "stdout differs at {at}");
                assert_eq!(err3, want_err, "stderr differs at {at}");
                assert_eq!(
                    t3, t2,
                    "tier 2's counters differ from the uop interpreter's at {at}"
                );
            }
            first.get_or_insert(t2);
        }
    }
    first.unwrap()
}

fn reason(t2: &Tier2Stats, name: &str) -> u64 {
    let i = EXIT_REASONS.iter().position(|r| *r == name).unwrap();
    t2.exits_by_reason[i]
}

#[test]
fn a_type_guard_fails_when_a_value_turns_float() {
    let t2 = check(
        "let x = 1;\nlet s = 0;\nfor i in 0 .. 100 {\n    if i == 60 { x = 0.5; }\n    s = s + x;\n}\nprint(s);\n",
    );
    assert!(reason(&t2, "guard") >= 1, "{t2:?}");
    assert!(
        t2.side_traces >= 1,
        "the failing guard grew no side trace: {t2:?}"
    );
}

#[test]
fn a_comparison_traced_on_floats_compares_ints_too() {
    // The call's comparison is traced with a float argument (a number guard, then the
    // comparison of numbers); the argument turns back into an int, which the same
    // comparison must order correctly.
    let t2 = check(
        "fn f(x) { if x < 3 { return x * 2; } return x - 1; }\nlet acc = 0;\nlet a = 1;\nfor i in 0 .. 120 {\n    acc = (((f(i) % (acc * 0 + 7)) - f(a)) * 4) % 100000;\n    if i == 73 { a = 0.5; }\n    if i == 105 { a = 1; }\n}\nprint(a, acc);\n",
    );
    assert!(t2.exits_taken >= 1, "{t2:?}");
}

#[test]
fn an_int_leaving_the_inline_range_exits_for_overflow() {
    // 2^47 - 100: the sum leaves the 48-bit inline range after 100 steps.
    let t2 = check("let x = 140737488355228;\nfor i in 0 .. 150 { x = x + 1; }\nprint(x);\n");
    assert_eq!(reason(&t2, "overflow"), 1, "{t2:?}");
    // From then on the int is boxed: the type guard fails, and gets its side trace.
    assert!(reason(&t2, "guard") >= 1, "{t2:?}");
    assert!(t2.side_traces >= 1, "{t2:?}");
}

#[test]
fn a_branch_that_flips_grows_a_side_trace() {
    let t2 = check(
        "let a = 0;\nlet b = 0;\nfor i in 0 .. 100 {\n    if i < 30 { a = a + 1; } else { b = b + 2; }\n}\nprint(a, b);\n",
    );
    assert!(reason(&t2, "branch") >= 1, "{t2:?}");
    assert!(t2.side_traces >= 1, "{t2:?}");
}

#[test]
fn a_guard_inside_an_inlined_call_rebuilds_the_callee_frame() {
    let t2 = check(
        "fn f(v) { return v * 2; }\nlet s = 0;\nlet x = 1;\nfor i in 0 .. 100 {\n    if i == 70 { x = 1.5; }\n    s = s + f(x);\n}\nprint(s);\n",
    );
    assert!(reason(&t2, "guard") >= 1, "{t2:?}");
}

#[test]
fn rebinding_a_called_global_invalidates_the_trace() {
    let t2 = check(
        "fn add(a, b) { return a + b; }\nfn sub(a, b) { return a - b; }\nlet op = add;\nlet s = 0;\nfor i in 0 .. 100 {\n    if i == 50 { op = sub; }\n    s = op(s, i);\n}\nprint(s);\n",
    );
    assert_eq!(t2.invalidations, 1, "{t2:?}");
}

#[test]
fn a_runtime_error_inside_a_trace_reports_the_same_location() {
    // Division by zero at iteration 60, inside a function the trace follows.
    check("fn g(a, b) { return a / b; }\nlet s = 0;\nfor i in 0 .. 100 {\n    s = s + g(100, 60 - i);\n}\nprint(s);\n");
    // An error a helper raises inside the trace: a generic `+` (its operands were
    // ints and strings, so tier 1 kept it generic) meets two nils.
    let src = "let a = [1, \"s\"];\nlet n = 0;\nfor i in 0 .. 200 {\n    let v = a[i % 2];\n    let w = v + v;\n    n = n + 1;\n    if i == 150 { a[0] = nil; }\n}\nprint(n);\n";
    check(src);
    // Unoptimized, the trace's exit for the other type is hot and gets a side trace,
    // whose helper raises. (Peeled, the loop's copy of that exit is the hot one, and the
    // preamble's, where the error comes, goes back to tier 1, which raises it.)
    let (_, _, t2) = run_opt(src, Mode::Uops, None, "none");
    assert_eq!(reason(&t2, "error"), 1, "{t2:?}");
}

#[test]
fn stats_json_has_every_tier2_key() {
    let (_, _, t2) = run_in(
        "let s = 0;\nfor i in 0 .. 100 { s = s + i; }\nprint(s);\n",
        Mode::Uops,
        None,
    );
    let json = t2.json();
    for key in [
        "traces",
        "side_traces",
        "invalidations",
        "exits_taken",
        "uops_executed",
        "guards_executed",
        "exits_by_reason",
    ] {
        assert!(
            json.contains(&format!("\"{key}\": ")),
            "{key} missing from {json}"
        );
    }
    assert!(t2.uops_executed > 0 && t2.guards_executed > 0, "{t2:?}");
}

/// An executor that leaves at once and counts its drops, with one assumption.
struct Watching {
    header: u32,
    drops: Rc<std::cell::Cell<u32>>,
    assumptions: Vec<jit_core::tier2::Assumption>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

impl jit_core::jit::Executor for Watching {
    fn name(&self) -> &str {
        "watching"
    }
    fn assumptions(&self) -> &[jit_core::tier2::Assumption] {
        &self.assumptions
    }
    unsafe fn enter(&self, _: &mut jit_core::jit::JitState) -> jit_core::jit::Exit {
        jit_core::jit::Exit {
            pc: self.header,
            status: jit_core::jit::EXIT_RESUME,
        }
    }
}

struct WatchingBackend {
    g: u32,
    drops: Rc<std::cell::Cell<u32>>,
}

impl jit_core::jit::Backend for WatchingBackend {
    fn name(&self) -> &'static str {
        "watching"
    }
    fn compile_loop(
        &mut self,
        site: &mut jit_core::jit::LoopSite<'_>,
    ) -> Option<Box<dyn jit_core::jit::Executor>> {
        Some(Box::new(Watching {
            header: site.header_pc as u32,
            drops: self.drops.clone(),
            assumptions: vec![jit_core::tier2::Assumption::GlobalUnchanged(self.g)],
        }))
    }
}

#[test]
fn an_invalidated_executor_is_freed_and_its_loop_traced_again() {
    let source = "fn a() { return 1; }\nfn b() { return 2; }\nlet f = a;\nlet s = 0;\nfor i in 0 .. 100 {\n    if i == 50 { f = b; }\n    s = s + f();\n}\nprint(s);\n";
    let program = frontend_tiny::parse_and_resolve("t.tiny", source).unwrap();
    // SAFETY: the heap's values are used with it only, and dropped with the VM.
    let mut heap = unsafe { jit_core::heap::Heap::new() };
    let module = frontend_tiny::codegen::compile(&program, &mut heap).unwrap();
    let g = module.global_names.iter().position(|n| n == "f").unwrap() as u32;
    let names = module.codes.iter().map(|c| c.name.clone()).collect();
    let buf = SharedBuf::default();
    let sem = frontend_tiny::runtime::TinySemantics::new(Box::new(buf.clone()), vec![], names);
    let mut vm = jit_core::interp::Vm::new(module, sem, heap, Mode::Adaptive).unwrap();
    let drops = Rc::new(std::cell::Cell::new(0));
    vm.attach_backend(Box::new(WatchingBackend {
        g,
        drops: drops.clone(),
    }));
    vm.set_hot_threshold(4);
    // SAFETY: Tiny's semantics keeps no values; only the result is used.
    unsafe { vm.run() }.unwrap();
    vm.sem_mut().flush().unwrap();
    assert_eq!(String::from_utf8_lossy(&buf.0.borrow()), "150\n");
    let stats = vm.stats();
    assert_eq!(stats.tier2.invalidations, 1, "{:?}", stats.tier2);
    assert_eq!(drops.get(), 1, "the invalidated executor was not freed");
    assert_eq!(
        stats.executors, 2,
        "the loop was not compiled again after the store"
    );
}

/// Runs `source` in `--mode uops` with every pass and `--dump uops`; returns stdout, the
/// dumped traces and tier 2's counters.
fn run_dumped(source: &str) -> (String, String, Tier2Stats) {
    let buf = SharedBuf::default();
    let cfg = RunConfig {
        stats: true,
        dump_uops: true,
        ..RunConfig::new(Mode::Uops)
    };
    let o = run("t.tiny", source, &cfg, Box::new(buf.clone()));
    let out = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
    (out, o.stderr, o.stats.expect("the program ran").tier2)
}

/// Runs `source` dumped (`run_dumped`), checks its output against the generic
/// interpreter's, and in every configuration (`check`); returns the dump and tier 2's
/// counters of the dumped run.
fn dumped_and_checked(source: &str) -> (String, Tier2Stats) {
    let (want, _, _) = run_in(source, Mode::Interp, None);
    let (out, dump, t2) = run_dumped(source);
    assert_eq!(out, want);
    check(source);
    (dump, t2)
}

#[test]
fn exits_from_optimized_loops_box_their_raw_values() {
    // A peeled loop keeps `s` and `i` as raw ints; the sum overflows the inline range at
    // a chosen iteration, and the exit must write both back boxed.
    let src = "fn f(n) {\n    let s = 140737488355000;\n    for i in 0 .. n { s = s + i; }\n    return s;\n}\nprint(f(100));\nprint(f(40));\n";
    let (dump, t2) = dumped_and_checked(src);
    assert!(dump.contains("ADD_I64") && dump.contains("PHI"), "{dump}");
    assert!(reason(&t2, "overflow") >= 1, "{t2:?}");
    // The counter raw, and a guard that fails in the loop when the step turns into an int.
    let src = "fn g() {\n    let step = 0.5;\n    let s = 0.0;\n    for i in 0 .. 200 {\n        if i == 150 { step = 2; }\n        s = s * 0.5 + step;\n    }\n    return s;\n}\nprint(g());\n";
    let (dump, t2) = dumped_and_checked(src);
    assert!(dump.contains("ADD_I64"), "{dump}");
    assert!(t2.exits_taken >= 1, "{t2:?}");
}

#[test]
fn a_branch_that_flips_inside_an_inlined_call_grows_a_side_trace_there() {
    // `clamp`'s branch goes both ways, inside the call the trace entered virtually: the
    // side trace starts in the callee's frame and returns from it.
    let src = "fn clamp(x, hi) {\n    if x >= hi { return x % hi; }\n    return x;\n}\nlet acc = 1;\nfor i in 0 .. 3000 {\n    acc = clamp(acc * 3 + i, 1009);\n}\nprint(acc);\n";
    let t2 = check(src);
    assert!(t2.side_traces >= 1, "{t2:?}");
    let (_, dump, _) = run_dumped(src);
    assert!(
        dump.contains("side of 0 exit") && dump.contains("at clamp:"),
        "{dump}"
    );
}

/// How many times `uop` appears in the traces `dump` shows of function `f`.
fn uses(dump: &str, uop: &str) -> usize {
    let mut in_f = false;
    let mut n = 0;
    for l in dump.lines() {
        if l.starts_with("trace ") {
            in_f = l.contains(" at f:");
        } else if in_f && l.contains(&format!(" {uop} ")) {
            n += 1;
        }
    }
    n
}

#[test]
fn a_counted_loop_checks_its_bounds_once_before_the_loop() {
    // `i < n` with `n` no greater than the array's length: the preamble checks that, and
    // the loop's own bounds guard goes. A pure builtin in the loop keeps the fact.
    let src = "fn f(a, n) {\n    let t = 0.0;\n    for i in 0 .. n { t = t + sqrt(a[i] * 1.5); }\n    return t;\n}\nlet a = [];\nfor i in 0 .. 100 { push(a, float(i)); }\nprint(f(a, 100));\nprint(f(a, 40));\n";
    let (dump, _) = dumped_and_checked(src);
    assert_eq!(uses(&dump, "GUARD_LEN_GE"), 1, "{dump}");
    assert_eq!(uses(&dump, "GUARD_IN_BOUNDS"), 1, "{dump}");
    // Nothing in the loop may store a global: no validity check at all.
    assert_eq!(uses(&dump, "CHECK_VALID"), 0, "{dump}");
    // `sqrt` of a number is a float: the sum's type guard runs in the preamble only.
    assert_eq!(uses(&dump, "GUARD_BOTH_FLOAT"), 1, "{dump}");
    // A builtin that changes arrays in the loop: its bounds are checked every iteration.
    let src = "fn f(a, n) {\n    let t = 0;\n    let b = [];\n    for i in 0 .. n { t = t + a[i]; push(b, i); }\n    return t + len(b);\n}\nlet a = [];\nfor i in 0 .. 100 { push(a, i); }\nprint(f(a, 100));\n";
    let (dump, _) = dumped_and_checked(src);
    assert_eq!(uses(&dump, "GUARD_IN_BOUNDS"), 2, "{dump}");
}

#[test]
fn a_bounds_check_hoisted_before_the_loop_fails_there_and_the_loop_still_runs() {
    // The loop runs past the array's end: the preamble's length check fails each time
    // the trace is entered, tier 1 runs the loop, and the error is tier 1's.
    let src = "fn f(a, n) {\n    let s = 0;\n    for i in 0 .. n { s = s + a[i]; }\n    return s;\n}\nlet a = [];\nfor i in 0 .. 50 { push(a, i); }\nprint(f(a, 50));\nprint(f(a, 30));\nprint(f(a, 51));\n";
    let t2 = check(src);
    assert!(reason(&t2, "hoisted") >= 1, "{t2:?}");
}

#[test]
fn a_hoisted_check_that_keeps_failing_is_given_up() {
    // The loop runs past the array's end and leaves by its own test: the length check
    // before the loop fails on every entry, until the executor optimizes the loop again
    // without it. From then on the loop stays in its trace.
    let src = "fn f(a, n) {\n    let s = 0;\n    let i = 0;\n    while i < n {\n        if i >= len(a) { return s; }\n        s = s + a[i];\n        i = i + 1;\n    }\n    return s;\n}\nlet a = [];\nfor i in 0 .. 100 { push(a, i); }\nlet t = 0;\nfor k in 0 .. 300 { t = t + f(a, 120); }\nprint(t);\n";
    let t2 = check(src);
    let hoisted = reason(&t2, "hoisted");
    assert!((1..=64).contains(&hoisted), "{t2:?}");
}

#[test]
fn the_first_call_depth_check_covers_the_deepest_call() {
    let src = "fn g(x) { return x + 1; }\nfn h(x) { return g(x) * 2; }\nfn f() {\n    let s = 0;\n    for i in 0 .. 100 { s = (s + h(i) + g(i)) % 1000; }\n    return s;\n}\nprint(f());\n";
    let (dump, _) = dumped_and_checked(src);
    assert_eq!(uses(&dump, "CHECK_CALL"), 1, "{dump}");
}
