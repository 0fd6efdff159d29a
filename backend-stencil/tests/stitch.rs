//! Stitches the sample stencils into small programs, runs them, and checks the results,
//! the W^X state of the process's mappings, and the cost of copying and patching.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::ffi::c_void;
use std::time::Instant;

use backend_stencil::arena::CodeArena;
use backend_stencil::mmap::MmapMemory;
use backend_stencil::patch::{EmitError, Patcher, Step, Target, Trace};
use backend_stencil::stencil::{self, Stencil};

fn s(name: &str) -> &'static Stencil {
    stencil::get(name).unwrap_or_else(|| panic!("no stencil {name}"))
}

/// A harness: an arena, a patcher, and an exit stub per exit number.
struct Jit {
    arena: CodeArena<MmapMemory>,
    patcher: Patcher,
    traces: Vec<Trace>,
}

impl Jit {
    fn new(mem: MmapMemory) -> Jit {
        Jit {
            arena: CodeArena::new(mem),
            patcher: Patcher::new(),
            traces: Vec::new(),
        }
    }

    fn emit(&mut self, steps: &[Step<'_>]) -> usize {
        let t = self.patcher.emit(&mut self.arena, steps).unwrap();
        self.traces.push(t);
        self.traces.len() - 1
    }

    /// An exit stub that returns `n`: a trace of one `ret_operand`.
    fn exit_stub(&mut self, n: u64) -> Target {
        let ops = [n];
        let i = self.emit(&[Step::new(s("ret_operand"), &ops)]);
        Target::Addr(self.traces[i].entry())
    }

    fn run(&self, trace: usize, regs: &mut [u64], ints: [u64; 4], floats: [f64; 4]) -> u64 {
        // SAFETY: every trace of these tests is built from the sample stencils with exits
        // to stubs in the same arena (alive in `self`) and helpers that are Rust functions
        // of the right signature; the `regs` indices the tests use are within `regs`, and
        // no stencil of theirs touches the state.
        unsafe { self.traces[trace].run(std::ptr::null_mut(), regs.as_mut_ptr(), ints, floats) }
    }
}

const OVERFLOW_EXIT: u64 = 1000;
const GUARD_EXIT: u64 = 2000;

/// `(a + b) * c`, guarded by `a + b < 100`, with the inputs as operands.
fn arith(jit: &mut Jit, a: i64, b: i64, c: i64) -> u64 {
    let overflow = jit.exit_stub(OVERFLOW_EXIT);
    let guard = jit.exit_stub(GUARD_EXIT);
    let (a, b, c, limit) = ([a as u64], [b as u64], [c as u64], [100u64]);
    let t = jit.emit(&[
        Step::new(s("load_i0"), &a),
        Step::new(s("load_i1"), &b),
        Step::new(s("load_i2"), &c),
        Step::new(s("add_i0_i1"), &[]).exit(overflow),
        Step::new(s("guard_lt_i0"), &limit).exit(guard),
        Step::new(s("mul_i0_i2"), &[]).exit(overflow),
        Step::new(s("ret_i0"), &[]),
    ]);
    jit.run(t, &mut [], [0; 4], [0.0; 4])
}

#[test]
fn integer_arithmetic_with_guards_that_exit() {
    let mut jit = Jit::new(MmapMemory::new());
    assert_eq!(arith(&mut jit, 2, 3, 7) as i64, 35);
    assert_eq!(arith(&mut jit, -20, 3, -2) as i64, 34);
    assert_eq!(
        arith(&mut jit, 60, 50, 2),
        GUARD_EXIT,
        "a + b = 110 fails the guard"
    );
    assert_eq!(
        arith(&mut jit, i64::MAX, 1, 2),
        OVERFLOW_EXIT,
        "the add overflows"
    );
    assert_eq!(
        arith(&mut jit, 50, 40, i64::MAX / 10),
        OVERFLOW_EXIT,
        "the mul overflows"
    );
    assert_eq!(
        arith(&mut jit, i64::MIN, 0, 1) as i64,
        i64::MIN,
        "64-bit operands, exactly"
    );
}

#[test]
fn trailing_jumps_to_the_next_stencil_are_deleted() {
    let mut jit = Jit::new(MmapMemory::new());
    let (a, b) = ([1u64], [2u64]);
    let steps = [
        Step::new(s("load_i0"), &a),
        Step::new(s("load_i1"), &b),
        Step::new(s("ret_i0"), &[]),
    ];
    let t = jit.emit(&steps);
    let len = jit.traces[t].code().len();
    let full: usize = steps.iter().map(|st| st.stencil.code().len()).sum();
    assert_eq!(len, full - 10, "two `jmp rel32` deleted");
    assert_eq!(jit.patcher.stats().jmps_deleted, 2);
    assert_eq!(jit.run(t, &mut [], [0; 4], [0.0; 4]), 1);
}

#[test]
fn floats_with_constants_in_read_only_data() {
    let mut jit = Jit::new(MmapMemory::new());
    // f0 = ((x + y) * -z) * 0.5 + 0.25
    let (x, y, z) = ([1.5f64.to_bits()], [2.0f64.to_bits()], [4.0f64.to_bits()]);
    let t = jit.emit(&[
        Step::new(s("load_f0"), &z),
        Step::new(s("fneg_f0"), &[]),
        Step::new(s("load_f1"), &x),
        Step::new(s("fmul_f0_f1"), &[]),
        Step::new(s("load_f1"), &y),
        Step::new(s("fhalve_f0"), &[]),
        Step::new(s("fadd_f0_f1"), &[]),
        Step::new(s("ret_f0"), &[]),
    ]);
    let r = f64::from_bits(jit.run(t, &mut [], [0; 4], [0.0; 4]));
    assert_eq!(r, (-4.0 * 1.5) * 0.5 + 0.25 + 2.0);
    // Slots that no stencil touches pass through: f2 and f3 come back unchanged.
    let t = jit.emit(&[
        Step::new(s("fadd_f0_f1"), &[]),
        Step::new(s("fneg_f0"), &[]),
        Step::new(s("ret_f0"), &[]),
    ]);
    let r = f64::from_bits(jit.run(t, &mut [], [0; 4], [1.0, 2.5, 9.0, 9.0]));
    assert_eq!(r, -3.5);
}

extern "C" fn combine(_state: *mut c_void, a: u64, b: u64) -> u64 {
    a * 10 + b
}

fn helper_calls(mem: MmapMemory) -> Patcher {
    let mut jit = Jit::new(mem);
    let (f, two, three) = ([combine as *const () as u64], [2u64], [3u64]);
    let t = jit.emit(&[
        Step::new(s("load_i0"), &two),
        Step::new(s("load_i1"), &three),
        Step::new(s("call_i0_i1"), &f),
        Step::new(s("call_i0_i1"), &f),
        Step::new(s("ret_i0"), &[]),
    ]);
    assert_eq!(jit.run(t, &mut [], [0; 4], [0.0; 4]), 233);
    jit.patcher
}

#[test]
fn a_runtime_helper_is_called_near_or_through_a_veneer() {
    // Memory near the binary reaches the helper directly (when the kernel had room).
    let near = helper_calls(MmapMemory::new());
    // Memory anywhere is usually too far from the binary: the calls go through veneers.
    let far = helper_calls(MmapMemory::anywhere());
    println!(
        "veneers: {} with memory near the binary, {} with memory anywhere",
        near.stats().veneers,
        far.stats().veneers
    );
    let distance = (combine as *const () as usize).abs_diff(far_probe());
    if distance > i32::MAX as usize {
        assert_eq!(far.stats().veneers, 2);
    }
}

/// Where `MmapMemory::anywhere` puts code, for the test above.
fn far_probe() -> usize {
    let mut a = CodeArena::new(MmapMemory::anywhere());
    let r = a.reserve(16).unwrap();
    let addr = r.addr();
    a.cancel(r);
    addr
}

#[test]
fn the_frame_in_memory() {
    let mut jit = Jit::new(MmapMemory::new());
    let t = jit.emit(&[
        Step::new(s("get_i0"), &[0]),
        Step::new(s("set_i0"), &[3]),
        Step::new(s("ret_i0"), &[]),
    ]);
    let mut regs = [7u64, 0, 0, 0];
    assert_eq!(jit.run(t, &mut regs, [0; 4], [0.0; 4]), 7);
    assert_eq!(regs, [7, 0, 0, 7]);
}

#[test]
fn a_loop_with_a_back_edge_entered_from_another_trace() {
    let mut jit = Jit::new(MmapMemory::new());
    let exit = jit.exit_stub(OVERFLOW_EXIT);
    // The loop: i0 += i1; i1 += 1; while i1 < i2; regs[1] = i0; return i0.
    let header = jit.emit(&[
        Step::new(s("add_i0_i1"), &[]).exit(exit),
        Step::new(s("inc_i1"), &[]).exit(exit),
        Step::new(s("loop_lt_i1_i2"), &[]).jump(Target::Step(0)),
        Step::new(s("set_i0"), &[1]),
        Step::new(s("ret_i0"), &[]),
    ]);
    let mut regs = [0u64; 2];
    assert_eq!(jit.run(header, &mut regs, [0, 0, 10, 0], [0.0; 4]), 45);
    assert_eq!(regs[1], 45);
    // Another trace sets the slots and jumps into it (how a side trace links).
    let into = Target::Addr(jit.traces[header].entry());
    let entry = jit.emit(&[
        Step::new(s("load_i0"), &[0]),
        Step::new(s("load_i1"), &[0]),
        Step::new(s("load_i2"), &[1000]),
        Step::new(s("jump"), &[]).jump(into),
    ]);
    assert_eq!(jit.run(entry, &mut regs, [9; 4], [0.0; 4]), 499_500);
    assert_eq!(regs[1], 499_500);
    // Overflow inside the loop leaves through the exit.
    let big = i64::MAX as u64 - 20;
    assert_eq!(
        jit.run(header, &mut regs, [big, 5, 10, 0], [0.0; 4]),
        OVERFLOW_EXIT
    );
}

#[test]
fn bad_step_sequences_are_refused() {
    let mut jit = Jit::new(MmapMemory::new());
    let p = &mut jit.patcher;
    let a = &mut jit.arena;
    assert_eq!(p.emit(a, &[]).err(), Some(EmitError::Empty));
    assert_eq!(
        p.emit(a, &[Step::new(s("load_i0"), &[1])]).err(),
        Some(EmitError::FallsOffTheEnd)
    );
    assert_eq!(
        p.emit(
            a,
            &[Step::new(s("load_i0"), &[]), Step::new(s("ret_i0"), &[])]
        )
        .err(),
        Some(EmitError::MissingOperand {
            step: 0,
            operand: 0
        })
    );
    assert!(matches!(
        p.emit(
            a,
            &[Step::new(s("add_i0_i1"), &[]), Step::new(s("ret_i0"), &[])]
        )
        .err(),
        Some(EmitError::MissingTarget { step: 0, .. })
    ));
    assert_eq!(
        p.emit(a, &[Step::new(s("jump"), &[]).jump(Target::Step(1))])
            .err(),
        Some(EmitError::BadStep { step: 0, target: 1 })
    );
    assert_eq!(
        a.stats().reserved,
        0,
        "refused traces gave their space back"
    );
    assert_eq!(a.stats().code, 0);
}

/// The permissions of every mapping of this process, from `/proc/self/maps`.
fn mappings() -> Vec<(usize, usize, String)> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines()
        .map(|l| {
            let mut f = l.split_whitespace();
            let range = f.next().unwrap();
            let perms = f.next().unwrap().to_string();
            let (a, b) = range.split_once('-').unwrap();
            let a = usize::from_str_radix(a, 16).unwrap();
            let b = usize::from_str_radix(b, 16).unwrap();
            (a, b, perms)
        })
        .collect()
}

#[test]
fn no_mapping_is_writable_and_executable_while_traces_are_live() {
    let mut jit = Jit::new(MmapMemory::new());
    for i in 0..200 {
        arith(&mut jit, i, 1, 2);
    }
    let stats = jit.arena.stats();
    println!(
        "{} traces: {} bytes of code, {} bytes of padding, {} free of {} mapped",
        stats.pieces, stats.code, stats.padding, stats.free, stats.mapped
    );
    assert_eq!(stats.pieces, 600);
    // Free a third of them (invalidated traces); their space is reused.
    let mut kept = Vec::new();
    for (i, t) in std::mem::take(&mut jit.traces).into_iter().enumerate() {
        if i % 3 == 0 {
            t.free(&mut jit.arena).unwrap();
        } else {
            kept.push(t);
        }
    }
    jit.traces = kept;
    let before = jit.arena.stats();
    assert_eq!(before.pieces, 400);
    assert_eq!(arith(&mut jit, 2, 3, 4), 20);
    assert_eq!(
        jit.arena.stats().mapped,
        before.mapped,
        "freed space is reused"
    );
    let maps = mappings();
    let rwx: Vec<_> = maps.iter().filter(|m| m.2.starts_with("rwx")).collect();
    assert!(rwx.is_empty(), "writable and executable mappings: {rwx:?}");
    for t in &jit.traces {
        let at = t.entry();
        let m = maps.iter().find(|m| m.0 <= at && at < m.1).expect("mapped");
        assert!(m.2.starts_with("r-x"), "code at {at:#x} is in {m:?}");
    }
}

#[test]
fn copy_and_patch_cost_per_stencil() {
    let names = [
        "load_i0",
        "load_i1",
        "add_i0_i1",
        "guard_lt_i0",
        "mul_i0_i2",
        "set_i0",
        "get_i0",
        "load_f0",
        "fneg_f0",
        "fhalve_f0",
        "fadd_f0_f1",
        "call_i0_i1",
    ];
    let ops = [5u64, 6, 7];
    let helper = [combine as *const () as u64];
    let mut steps: Vec<Step<'_>> = Vec::new();
    for i in 0..20 {
        let st = s(names[i % names.len()]);
        let ops = if st.name() == "call_i0_i1" {
            &helper[..]
        } else {
            &ops[..]
        };
        steps.push(Step::new(st, ops).exit(Target::Step(0)));
    }
    steps.push(Step::new(s("ret_i0"), &[]));
    let mut p = Patcher::new();
    let mut arena = CodeArena::new(MmapMemory::new());
    let base = {
        let r = arena.reserve(16).unwrap();
        let a = r.addr();
        arena.cancel(r);
        a
    };
    // Warm up the buffers, then measure copy+patch alone.
    p.build(base, &steps).unwrap();
    let rounds = 20_000;
    let t0 = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(p.build(base, std::hint::black_box(&steps)).unwrap());
    }
    let build_ns = t0.elapsed().as_nanos() as f64 / (rounds * steps.len()) as f64;
    // And the whole emit (reserve, copy+patch, commit with its two `mprotect`s), then
    // the free (two more).
    let rounds = 1_000;
    let mut traces = Vec::with_capacity(rounds);
    let t0 = Instant::now();
    for _ in 0..rounds {
        traces.push(p.emit(&mut arena, &steps).unwrap());
    }
    let emit_ns = t0.elapsed().as_nanos() as f64 / (rounds * steps.len()) as f64;
    let t0 = Instant::now();
    for t in traces {
        t.free(&mut arena).unwrap();
    }
    let free_ns = t0.elapsed().as_nanos() as f64 / (rounds * steps.len()) as f64;
    let holes = steps.iter().map(|s| s.stencil.holes().len()).sum::<usize>();
    println!(
        "copy+patch: {build_ns:.1} ns per stencil ({} stencils, {holes} holes per trace); \
         emit into the arena (with mprotect): {emit_ns:.1} ns per stencil; free: {free_ns:.1}",
        steps.len()
    );
}
