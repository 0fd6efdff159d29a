//! The uop interpreter: the reference semantics of the trace IR, and tier 2's
//! [`Executor`].
//!
//! A [`UopExecutor`] holds a loop's trace tree: the root trace and the side traces grown
//! from its hot exits, each exit linked to its side trace once there is one. Running it
//! interprets uops one by one over a register file of SSA values, reading and writing the
//! frame's memory only where the trace says (`LOAD_SLOT`, snapshots). Every guard that
//! fails takes its exit: the snapshot is written back, virtual frames become real ones,
//! and tier 1 resumes at the snapshot's instruction, unless the exit is linked to a side
//! trace, which then runs instead. An exit taken [`crate::tier2::DEFAULT_HOT`] times
//! (`--hot`) gets its side trace projected on the spot.
//!
//! The generic operations and everything that needs the frontend go through the core's
//! `extern "C"` helpers ([`crate::jit::Helpers`]), exactly as compiled code will.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use super::exits::wants_side_trace;
use super::opt::{self, OptConfig, Passes};
use super::project::{project, Cx, Start};
use super::table::{ExitKind, Uop};
use super::{Assumption, Trace, TraceKind, NO_EXIT};
use crate::arith;
use crate::bytecode::{BinOp, CmpOp};
use crate::heap::Obj;
use crate::interp::VmCore;
use crate::jit::{Backend, Executor, Exit, JitState, LoopSite, EXIT_ERROR, EXIT_RESUME};
use crate::ops;
use crate::value::Value;

/// Tier 2's backend: projects a trace for every hot loop and runs it with the uop
/// interpreter (`--mode uops`).
#[derive(Debug, Default)]
pub struct UopBackend;

impl Backend for UopBackend {
    fn name(&self) -> &'static str {
        "uops"
    }

    fn compile_loop(&mut self, site: &mut LoopSite<'_>) -> Option<Box<dyn Executor>> {
        let cx = Cx {
            module: site.module,
            heap: site.heap,
            globals: site.globals,
        };
        let start = Start::root(site.code, site.header_pc as u32, Some(site.jump_pc as u32));
        let t0 = site.clock.map(|c| c());
        let trace = project(&cx, start, &[]);
        if let (Some(c), Some(t0)) = (site.clock, t0) {
            site.stats.tier2.projection_ns += c().saturating_sub(t0);
        }
        let Ok(trace) = trace else {
            site.stats.tier2.aborted += 1;
            return None;
        };
        site.stats.tier2.traces += 1;
        let log = site.log.as_deref_mut();
        let trace = opt::finish(
            trace,
            &cx,
            None,
            &[],
            site.opt,
            site.stats,
            site.clock,
            log,
            0,
        );
        Some(Box::new(UopExecutor::new(
            trace,
            site.hot,
            site.opt,
            site.jump_pc as u32,
        )))
    }
}

/// A link slot with no side trace yet.
const UNLINKED: u32 = u32::MAX;

/// The most side traces one loop's tree grows; past it, exits go back to tier 1.
pub const MAX_SIDE_TRACES: usize = 64;

/// The longest wait, in exits, before another side trace is tried at an exit whose
/// projection failed (the threshold doubles after each failure up to this).
const MAX_SIDE_WAIT: u32 = 1 << 16;

struct Node {
    trace: Trace,
    /// How each of its values is held ([`Trace::reprs`]).
    reprs: Vec<super::Repr>,
    /// Times each exit was taken since its last side-trace attempt.
    counts: Vec<u32>,
    /// Exits each exit waits before the next attempt (the hot threshold, doubled after
    /// every failed projection: the instruction may specialize meanwhile).
    waits: Vec<u32>,
    /// Each exit's side trace (an index into the tree), or `UNLINKED`.
    links: Vec<u32>,
}

/// A loop's trace tree, run by the uop interpreter.
pub struct UopExecutor {
    tree: RefCell<Vec<Node>>,
    assumptions: Vec<Assumption>,
    valid: Cell<bool>,
    hot: u32,
    /// The optimizer's settings (hoisting goes off if a moved check keeps failing).
    opt: Cell<OptConfig>,
    header: u32,
    /// The loop's back edge.
    loop_end: Option<u32>,
    name: String,
}

impl UopExecutor {
    fn new(trace: Trace, hot: u16, opt: OptConfig, loop_end: u32) -> UopExecutor {
        let name = alloc::format!("uops@{}", trace.origin);
        let header = trace.header_pc;
        let assumptions = trace.assumptions.clone();
        UopExecutor {
            tree: RefCell::new(vec![Node::new(trace, u32::from(hot.max(1)))]),
            assumptions,
            valid: Cell::new(true),
            hot: u32::from(hot.max(1)),
            opt: Cell::new(opt),
            header,
            loop_end: Some(loop_end),
            name,
        }
    }
}

impl Node {
    fn new(trace: Trace, hot: u32) -> Node {
        let n = trace.exits.len();
        Node {
            reprs: trace.reprs(),
            trace,
            counts: vec![0; n],
            waits: vec![hot; n],
            links: vec![UNLINKED; n],
        }
    }
}

impl Executor for UopExecutor {
    fn name(&self) -> &str {
        &self.name
    }

    fn assumptions(&self) -> &[Assumption] {
        &self.assumptions
    }

    fn invalidate(&self) {
        self.valid.set(false);
    }

    unsafe fn enter(&self, state: &mut JitState) -> Exit {
        let Ok(mut tree) = self.tree.try_borrow_mut() else {
            // Re-entered from guest code that a helper of this very run called: leave
            // this activation of the loop to tier 1.
            return Exit {
                pc: self.header,
                status: EXIT_RESUME,
            };
        };
        // SAFETY: the caller's contract (see `Executor::enter`) is `run`'s.
        unsafe { self.run(&mut tree, state) }
    }
}

/// Counters kept in locals while a trace runs and added to the VM's statistics at exit.
#[derive(Default)]
struct Counts {
    uops: u64,
    guards: u64,
}

impl UopExecutor {
    /// Interprets the tree from the root trace's first uop until an exit leaves it.
    ///
    /// # Safety
    ///
    /// As [`Executor::enter`]: `st` describes the running frame stopped at the loop header
    /// this tree was projected for.
    unsafe fn run(&self, tree: &mut Vec<Node>, st: &mut JitState) -> Exit {
        let locals = st.locals;
        // SAFETY: `locals` and `stack_base` point into the same value stack.
        let root_base = unsafe { locals.offset_from(st.stack_base) } as usize;
        let room = (st.stack_end as usize - locals as usize) / core::mem::size_of::<Value>();
        let helpers = st.helpers;
        // From here on the state block is used only through this pointer, which the
        // helpers receive too.
        let stp: *mut JitState = st;
        // One word per SSA value: a `Value`'s bits, or a raw number (`Trace::reprs`).
        let mut regs: Vec<u64> = Vec::new();
        let mut phi_tmp: Vec<u64> = Vec::new();
        let mut counts = Counts::default();
        let mut ti = 0usize;
        let mut i = 0usize;
        loop {
            let node = &tree[ti];
            let t = &node.trace;
            if regs.len() < t.n_values as usize {
                regs.resize(t.n_values as usize, Value::NIL.to_bits());
            }
            let inst = t.insts[i];
            i += 1;
            counts.uops += 1;
            if inst.op.is_guard() {
                counts.guards += 1;
            }
            // SAFETY: an input a uop takes as a `Value` (its table signature) is a boxed
            // value, whose register holds the bits of a value the trace loaded or
            // computed, live since (the collector runs only after a FLUSH).
            let arg = |k: usize| unsafe { Value::from_bits(regs[inst.args[k].0 as usize]) };
            // A raw input (`Ty::I64`, `Ty::F64`).
            let int = |k: usize| regs[inst.args[k].0 as usize] as i64;
            let float = |k: usize| f64::from_bits(regs[inst.args[k].0 as usize]);
            let reprs = &node.reprs;
            macro_rules! vm {
                () => {
                    // SAFETY: `vm` is the running VM (the state block's contract); each
                    // borrow ends before a helper, which makes its own, is called.
                    unsafe { &mut *(*stp).vm }
                };
            }
            // SAFETY: `stp` is the state block (valid for the whole run).
            let pending = || unsafe { (*stp).pending_exception != 0 };
            let mut out = Value::NIL;
            // The output's word when it is raw.
            let mut raw: Option<u64> = None;
            let ok: bool = match inst.op {
                Uop::LOAD_SLOT => {
                    // SAFETY: the projector reads only slots of the trace's frames, which
                    // lie inside the stack (`CHECK_CALL` checked the virtual ones).
                    out = unsafe { *locals.add(inst.imm[0] as usize) };
                    true
                }
                Uop::CONST => {
                    out = t.consts[inst.imm[0] as usize];
                    true
                }
                Uop::FLUSH => {
                    let snap = &t.snapshots[inst.imm[0] as usize];
                    // SAFETY: the snapshot's slots are the trace's frames' (see above).
                    unsafe { (*stp).sp = snap.write_back(&regs, reprs, locals) };
                    true
                }
                Uop::LOAD_GLOBAL => {
                    // SAFETY: `g` is a `Global` operand the verifier checked.
                    out = unsafe { *(*stp).globals.add(inst.imm[0] as usize) };
                    !out.is_empty()
                }
                Uop::GUARD_GLOBAL_EMPTY => {
                    // SAFETY: as above.
                    unsafe { *(*stp).globals.add(inst.imm[0] as usize) }.is_empty()
                }
                Uop::STORE_GLOBAL => {
                    vm!().store_global_from_trace(inst.imm[0], arg(0));
                    true
                }
                Uop::CHECK_VALID => self.valid.get(),
                Uop::GUARD_BOUND => !arg(0).is_empty(),
                Uop::CHECK_CALL => {
                    // SAFETY: the helper table is the VM's.
                    let max = unsafe { ((*helpers).max_call_depth)(stp) } as usize;
                    let depth = vm!().frame_count() + inst.imm[0] as usize - 1;
                    depth <= max && (inst.imm[1] as usize) <= room
                }
                Uop::GUARD_BOTH_INT => Value::both_small_ints(arg(0), arg(1)),
                Uop::GUARD_BOTH_FLOAT => arg(0).is_float() && arg(1).is_float(),
                Uop::GUARD_NUMBERS_WITH_FLOAT => {
                    let (x, y) = (arg(0), arg(1));
                    is_num(x) && is_num(y) && (x.is_float() || y.is_float())
                }
                Uop::GUARD_INLINE_NUMBERS => is_num(arg(0)) && is_num(arg(1)),
                Uop::GUARD_BOTH_STR => {
                    let heap = vm!().heap();
                    heap.as_str(arg(0)).is_some() && heap.as_str(arg(1)).is_some()
                }
                Uop::GUARD_BOOL => arg(0).as_bool().is_some(),
                Uop::GUARD_INT => arg(0).is_small_int(),
                Uop::GUARD_NUMBER => is_num(arg(0)),
                Uop::GUARD_ARRAY => vm!().heap().as_array(arg(0)).is_some(),
                Uop::GUARD_TUPLE => vm!().heap().as_tuple(arg(0)).is_some(),
                Uop::GUARD_SEQ => seq_len(vm!(), arg(0)).is_some(),
                Uop::GUARD_NOT_ARRAY => vm!().heap().as_array(arg(0)).is_none(),
                Uop::GUARD_IN_BOUNDS => {
                    let len = seq_len(vm!(), arg(0)).unwrap_or(0);
                    matches!(arg(1).as_small_int(), Some(k) if k >= 0 && (k as usize) < len)
                }
                Uop::GUARD_LENGTH => seq_len(vm!(), arg(0)) == Some(inst.imm[0] as usize),
                Uop::GUARD_LEN_GE => {
                    let len = seq_len(vm!(), arg(0)).map_or(-1, |n| n as i64);
                    matches!(arg(1).as_small_int(), Some(n) if n <= len)
                }
                Uop::GUARD_RANGE_WITHIN => {
                    let len = seq_len(vm!(), arg(1)).map_or(0, |n| n as i64);
                    matches!(vm!().heap().get(arg(0)), Some(Obj::RangeIter(r)) if r.within(len))
                }
                Uop::GUARD_NONZERO => arg(0).as_small_int() != Some(0),
                Uop::GUARD_FUNCTION => {
                    matches!(vm!().heap().as_function(arg(0)), Some(f) if f.code == inst.imm[0])
                }
                Uop::GUARD_NATIVE => matches!(vm!().heap().get(arg(0)), Some(Obj::Native(_))),
                Uop::GUARD_RANGE_ITER => {
                    matches!(vm!().heap().get(arg(0)), Some(Obj::RangeIter(r)) if r.inline())
                }
                Uop::GUARD_SEQ_ITER => matches!(vm!().heap().get(arg(0)), Some(Obj::SeqIter(_))),
                Uop::GUARD_TRUE => arg(0).as_bool() == Some(true),
                Uop::GUARD_FALSE => arg(0).as_bool() == Some(false),
                Uop::GUARD_INT_NONZERO => arg(0).as_small_int() != Some(0),
                Uop::GUARD_INT_ZERO => arg(0).as_small_int() == Some(0),
                Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT | Uop::DIVMOD_INT => {
                    let (x, y) = (arg(0).small_int_unchecked(), arg(1).small_int_unchecked());
                    match int_arith(inst.op, inst.imm[0], x, y) {
                        Some(r) => {
                            out = Value::small_int(r);
                            true
                        }
                        None => false,
                    }
                }
                Uop::ADD_FLOAT | Uop::SUB_FLOAT | Uop::MUL_FLOAT => {
                    let (x, y) = (arg(0).float_unchecked(), arg(1).float_unchecked());
                    out = float_arith(inst.op, x, y);
                    true
                }
                Uop::FLOAT_ARITH => {
                    let r = match (
                        arith::number_as_f64(arg(0)),
                        arith::number_as_f64(arg(1)),
                        BinOp::from_u32(inst.imm[0]),
                    ) {
                        (Some(x), Some(y), Some(op)) => arith::float_binary(op, x, y),
                        _ => None,
                    };
                    match r {
                        Some(r) => {
                            out = Value::float(r);
                            true
                        }
                        None => false,
                    }
                }
                Uop::INLINE_ARITH => match arith::inline_arith(inst.imm[0], arg(0), arg(1)) {
                    Some(v) => {
                        out = v;
                        true
                    }
                    None => false,
                },
                Uop::NEG_NUM => {
                    let v = arg(0);
                    let r = if v.is_float() {
                        Some(Value::float(-v.float_unchecked()))
                    } else {
                        Value::try_small_int(-v.small_int_unchecked())
                    };
                    match r {
                        Some(r) => {
                            out = r;
                            true
                        }
                        None => false,
                    }
                }
                Uop::CONCAT_STR => {
                    out = ops::concat(vm!().heap_mut(), arg(0), arg(1)).unwrap_or(Value::NIL);
                    true
                }
                Uop::CMP_INT | Uop::CMP_NUM | Uop::CMP_STR => {
                    let op = CmpOp::from_u32(inst.imm[0]).unwrap_or(CmpOp::Eq);
                    let r = match inst.op {
                        Uop::CMP_INT => arith::compare_small_ints(op, arg(0), arg(1)),
                        Uop::CMP_NUM => {
                            arith::inline_compare_seen(op as u32, arg(0), arg(1), |_| {})
                        }
                        _ => {
                            let heap = vm!().heap();
                            match (heap.as_str(arg(0)), heap.as_str(arg(1))) {
                                (Some(x), Some(y)) => {
                                    Some(arith::cmp_ord(op, x.as_bytes().cmp(y.as_bytes())))
                                }
                                _ => None,
                            }
                        }
                    };
                    out = Value::bool(r.unwrap_or(false));
                    true
                }
                Uop::IS => {
                    out = Value::bool((arg(0) == arg(1)) != (inst.imm[0] == 1));
                    true
                }
                Uop::READ_ITEM | Uop::ITEM => {
                    let k = if inst.op == Uop::ITEM {
                        inst.imm[0] as usize
                    } else {
                        arg(1).small_int_unchecked() as usize
                    };
                    out = item(vm!(), arg(0), k).unwrap_or(Value::NIL);
                    true
                }
                Uop::WRITE_ITEM => {
                    if let Some(a) = vm!().heap().as_array(arg(0)) {
                        a.set(arg(1).small_int_unchecked() as usize, arg(2));
                    }
                    true
                }
                Uop::HOST_INDEX => {
                    let heap = vm!().heap();
                    let r = match heap.get(arg(0)) {
                        Some(Obj::Host(h)) => h.index_get(heap, arg(1)),
                        _ => None,
                    };
                    match r {
                        Some(v) => {
                            out = v;
                            true
                        }
                        None => false,
                    }
                }
                Uop::ITER_NEXT => match ops::core_iter_next(vm!().heap_mut(), arg(0)) {
                    Some(Some(v)) => {
                        out = v;
                        true
                    }
                    _ => false,
                },
                Uop::BUILD_TUPLE | Uop::BUILD_ARRAY => {
                    let (n, top) = (inst.imm[0] as usize, inst.imm[1] as usize);
                    // SAFETY: a `FLUSH` wrote the `n` values below slot `top`, which lie in
                    // the trace's frames.
                    let items = unsafe { core::slice::from_raw_parts(locals.add(top - n), n) };
                    let heap = vm!().heap_mut();
                    out = if inst.op == Uop::BUILD_TUPLE {
                        heap.tuple(items.to_vec())
                    } else {
                        let mut buf = heap.take_vec(n);
                        buf.extend_from_slice(items);
                        heap.array(buf)
                    };
                    true
                }
                Uop::BINARY | Uop::COMPARE => {
                    let f = if inst.op == Uop::BINARY {
                        // SAFETY: the helper table is the VM's.
                        unsafe { (*helpers).binary }
                    } else {
                        // SAFETY: as above.
                        unsafe { (*helpers).compare }
                    };
                    // SAFETY: the state block is the running executor's; the operands are
                    // live values of this run.
                    let bits = unsafe { f(stp, inst.imm[0], arg(0).to_bits(), arg(1).to_bits()) };
                    // SAFETY: a helper returns the bits of a live value (or EMPTY's).
                    out = unsafe { Value::from_bits(bits) };
                    !pending()
                }
                Uop::UNARY => {
                    // SAFETY: as for `BINARY`.
                    let bits = unsafe { ((*helpers).unary)(stp, inst.imm[0], arg(0).to_bits()) };
                    // SAFETY: as for `BINARY`.
                    out = unsafe { Value::from_bits(bits) };
                    !pending()
                }
                Uop::TRUTHY => {
                    // SAFETY: as for `BINARY`.
                    let t = unsafe { ((*helpers).truthy)(stp, arg(0).to_bits()) };
                    out = Value::bool(t == 1);
                    t != 2
                }
                Uop::GET_ITER => {
                    // SAFETY: as for `BINARY`.
                    let bits = unsafe { ((*helpers).get_iter)(stp, arg(0).to_bits()) };
                    // SAFETY: as for `BINARY`.
                    out = unsafe { Value::from_bits(bits) };
                    !pending()
                }
                Uop::ITER_NEXT_ANY => {
                    // SAFETY: as for `CALL_NATIVE`: the iterator is just below `sp`.
                    let bits = unsafe { ((*helpers).iter_next)(stp) };
                    // SAFETY: as for `BINARY`.
                    out = unsafe { Value::from_bits(bits) };
                    !pending()
                }
                Uop::GUARD_NOT_EXHAUSTED => !arg(0).is_empty(),
                Uop::CALL_NATIVE => {
                    // SAFETY: as for `BINARY`; the `FLUSH` before set `sp` to the call's
                    // top, with the callee and its arguments just below.
                    let bits = unsafe { ((*helpers).call_native)(stp, inst.imm[0]) };
                    // SAFETY: as for `BINARY`.
                    out = unsafe { Value::from_bits(bits) };
                    !pending()
                }
                Uop::SLOW_OP => {
                    let name = t.consts.get(inst.imm[3] as usize).copied();
                    let name = name.unwrap_or(Value::NIL).to_bits();
                    // SAFETY: as for `CALL_NATIVE`: the `FLUSH` before set `sp` to the
                    // instruction's top, its operands just below.
                    let bits = unsafe { ((*helpers).slow_op)(stp, inst.imm[0], inst.imm[1], name) };
                    // SAFETY: as for `BINARY`.
                    out = unsafe { Value::from_bits(bits) };
                    !pending()
                }
                Uop::LOOP | Uop::JUMP_ROOT => {
                    let snap = &t.snapshots[inst.imm[0] as usize];
                    // SAFETY: as for `FLUSH`.
                    unsafe { (*stp).sp = snap.write_back(&regs, reprs, locals) };
                    // SAFETY: as for `BINARY`.
                    let raised = unsafe { ((*helpers).safepoint)(stp) } != 0;
                    if raised || !self.valid.get() {
                        counts.flush(vm!());
                        return Exit {
                            pc: if raised { inst.imm[1] } else { snap.pc },
                            status: if raised { EXIT_ERROR } else { EXIT_RESUME },
                        };
                    }
                    ti = 0;
                    i = 0;
                    continue;
                }
                Uop::EXIT => false,
                Uop::PHI => {
                    // Entering the loop from the preamble.
                    raw = Some(regs[inst.args[0].0 as usize]);
                    true
                }
                Uop::UNBOX_INT => {
                    raw = Some(arg(0).small_int_unchecked() as u64);
                    true
                }
                Uop::UNBOX_FLOAT => {
                    raw = Some(arg(0).float_unchecked().to_bits());
                    true
                }
                Uop::BOX_INT => {
                    out = Value::small_int(int(0));
                    true
                }
                Uop::BOX_FLOAT => {
                    out = Value::float(float(0));
                    true
                }
                Uop::CONST_I64 => {
                    raw = Some(t.consts[inst.imm[0] as usize].small_int_unchecked() as u64);
                    true
                }
                Uop::CONST_F64 => {
                    raw = Some(t.consts[inst.imm[0] as usize].float_unchecked().to_bits());
                    true
                }
                Uop::ADD_I64 | Uop::SUB_I64 | Uop::MUL_I64 | Uop::DIVMOD_I64 => {
                    match int_arith(inst.op, inst.imm[0], int(0), int(1)) {
                        Some(r) => {
                            raw = Some(r as u64);
                            true
                        }
                        None => false,
                    }
                }
                Uop::ADD_F64 | Uop::SUB_F64 | Uop::MUL_F64 => {
                    // The bits boxing would keep (a NaN in the tag space is canonical).
                    raw = Some(float_arith(inst.op, float(0), float(1)).to_bits());
                    true
                }
                Uop::CMP_I64 => {
                    let op = CmpOp::from_u32(inst.imm[0]).unwrap_or(CmpOp::Eq);
                    out = Value::bool(arith::cmp_ord(op, int(0).cmp(&int(1))));
                    true
                }
                Uop::CMP_F64 => {
                    let op = CmpOp::from_u32(inst.imm[0]).unwrap_or(CmpOp::Eq);
                    out = Value::bool(arith::cmp_f64(op, float(0), float(1)));
                    true
                }
                Uop::JUMP_LOOP => {
                    let snap = &t.snapshots[inst.imm[0] as usize];
                    // SAFETY: the state block's collector counters are the VM's.
                    let due = unsafe { *(*stp).gc_allocated >= *(*stp).gc_threshold };
                    let mut raised = false;
                    if due || !self.valid.get() {
                        // Everything live goes to memory: for the collector's roots, or
                        // for tier 1.
                        // SAFETY: as for `FLUSH`.
                        unsafe { (*stp).sp = snap.write_back(&regs, reprs, locals) };
                        if due {
                            // SAFETY: as for `BINARY`.
                            raised = unsafe { ((*helpers).safepoint)(stp) } != 0;
                        }
                    }
                    if raised || !self.valid.get() {
                        counts.flush(vm!());
                        return Exit {
                            pc: if raised { inst.imm[1] } else { snap.pc },
                            status: if raised { EXIT_ERROR } else { EXIT_RESUME },
                        };
                    }
                    // The PHIs take their back-edge values, all at once.
                    let start = inst.imm[2] as usize;
                    phi_tmp.clear();
                    let phis = t.insts[start..].iter().take_while(|p| p.op == Uop::PHI);
                    phi_tmp.extend(phis.clone().map(|p| regs[p.args[1].0 as usize]));
                    for (p, &v) in phis.zip(phi_tmp.iter()) {
                        regs[p.out.0 as usize] = v;
                    }
                    i = start + phi_tmp.len();
                    continue;
                }
            };
            if ok {
                if inst.out != super::V::NONE {
                    regs[inst.out.0 as usize] = raw.unwrap_or(out.to_bits());
                }
                continue;
            }
            // The uop failed: take its exit.
            let e = inst.exit;
            if e == NO_EXIT {
                // A uop the optimizer proved cannot fail did: a bug, reported as an
                // internal error rather than followed.
                debug_assert!(false, "{} without an exit failed", inst.op.name());
                counts.flush(vm!());
                return Exit {
                    pc: t.start_pc,
                    status: EXIT_ERROR,
                };
            }
            let desc = t.exits[e as usize];
            let snap = &t.snapshots[desc.snapshot as usize];
            // SAFETY: as for `FLUSH`.
            unsafe { (*stp).sp = snap.write_back(&regs, &node.reprs, locals) };
            {
                let vm = vm!();
                vm.stats_mut().tier2.exits_taken += 1;
                vm.stats_mut().tier2.exits_by_reason[desc.kind.reason()] += 1;
            }
            if desc.kind == ExitKind::Hoisted && self.valid.get() {
                let node = &mut tree[ti];
                let k = e as usize;
                node.counts[k] += 1;
                if node.counts[k] >= node.waits[k] {
                    node.counts[k] = 0;
                    let snap = node.trace.snapshots[desc.snapshot as usize].clone();
                    self.without_hoisting(tree, vm!());
                    let vm = vm!();
                    counts.flush(vm);
                    snap.materialize(vm, root_base);
                    return Exit {
                        pc: snap.pc,
                        status: EXIT_RESUME,
                    };
                }
            }
            let error = desc.kind == ExitKind::Error;
            let stays = !error && self.valid.get() && wants_side_trace(desc.kind);
            if stays {
                let node = &mut tree[ti];
                let k = e as usize;
                let side = if node.links[k] != UNLINKED {
                    Some(node.links[k])
                } else {
                    node.counts[k] += 1;
                    if node.counts[k] >= node.waits[k] {
                        let made = self.side_trace(tree, ti, e, vm!());
                        let node = &mut tree[ti];
                        node.counts[k] = 0;
                        match made {
                            Some(side) => node.links[k] = side,
                            None => node.waits[k] = (node.waits[k] * 2).min(MAX_SIDE_WAIT),
                        }
                        made
                    } else {
                        None
                    }
                };
                if let Some(side) = side {
                    ti = side as usize;
                    i = 0;
                    continue;
                }
            }
            let snap = &tree[ti].trace.snapshots[desc.snapshot as usize];
            let vm = vm!();
            counts.flush(vm);
            snap.materialize(vm, root_base);
            return Exit {
                pc: snap.pc,
                status: if error { EXIT_ERROR } else { EXIT_RESUME },
            };
        }
    }

    /// A check the optimizer moved before the loop keeps failing (the loop runs past what
    /// the check proved, and leaves early): optimizes the loop again without moving
    /// checks, and starts its tree over with that trace. The new trace may rely only on
    /// what the VM watches for this executor; otherwise the tree stays.
    fn without_hoisting(&self, tree: &mut Vec<Node>, vm: &mut VmCore) {
        let mut cfg = self.opt.get();
        if !cfg.passes.has(Passes::HOIST) {
            return;
        }
        cfg.passes = cfg.passes.with(Passes::HOIST, false);
        self.opt.set(cfg);
        let start = Start::root(tree[0].trace.code, self.header, self.loop_end);
        let clock = vm.clock();
        let (module, heap, globals, stats, log) = vm.projection_parts();
        let cx = Cx {
            module,
            heap,
            globals,
        };
        if let Ok(t) = project(&cx, start, &[]) {
            if t.assumptions.iter().all(|a| self.assumptions.contains(a)) {
                stats.tier2.traces += 1;
                let watched = Some(&self.assumptions[..]);
                let t = opt::finish(t, &cx, watched, &[], cfg, stats, clock, log, 0);
                *tree = vec![Node::new(t, self.hot)];
            }
        }
        vm.flush_jit_log();
    }

    /// Projects a side trace from exit `e` of trace `ti` and adds it to the tree; its
    /// index, or `None` when nothing useful can be projected there.
    fn side_trace(&self, tree: &mut Vec<Node>, ti: usize, e: u32, vm: &mut VmCore) -> Option<u32> {
        let parent = &tree[ti].trace;
        let desc = parent.exits[e as usize];
        // What the parent knew of the slots there (it is the only way into the side trace).
        let entry = parent
            .exit_facts
            .get(e as usize)
            .cloned()
            .unwrap_or_default();
        let snap = &parent.snapshots[desc.snapshot as usize];
        // An exit inside functions the parent entered virtually: the side trace starts
        // in them.
        let frames = snap.frames.clone();
        let start = Start {
            kind: TraceKind::Side {
                parent: ti as u32,
                exit: e,
            },
            code: parent.code,
            header_pc: parent.header_pc,
            start_pc: snap.pc,
            generic_first: matches!(desc.kind, ExitKind::Guard | ExitKind::Overflow),
            loop_end: self.loop_end,
        };
        if tree.len() > MAX_SIDE_TRACES {
            return None;
        }
        let index = u32::try_from(tree.len()).ok()?;
        let clock = vm.clock();
        let t0 = clock.map(|c| c());
        let (module, heap, globals, stats, log) = vm.projection_parts();
        let cx = Cx {
            module,
            heap,
            globals,
        };
        let trace = project(&cx, start, &frames);
        if let (Some(c), Some(t0)) = (clock, t0) {
            stats.tier2.projection_ns += c().saturating_sub(t0);
        }
        let made = match trace {
            Ok(t) => {
                stats.tier2.side_traces += 1;
                let watched = Some(&self.assumptions[..]);
                let t = opt::finish(
                    t,
                    &cx,
                    watched,
                    &entry,
                    self.opt.get(),
                    stats,
                    clock,
                    log,
                    index,
                );
                tree.push(Node::new(t, self.hot));
                Some(index)
            }
            Err(_) => {
                stats.tier2.aborted += 1;
                None
            }
        };
        vm.flush_jit_log();
        made
    }
}

impl Counts {
    fn flush(&mut self, vm: &mut VmCore) {
        let s = &mut vm.stats_mut().tier2;
        s.uops_executed += self.uops;
        s.guards_executed += self.guards;
        *self = Counts::default();
    }
}

/// The int arithmetic uops' result, boxed (`ADD_INT`, ...) or raw (`ADD_I64`, ...): `x op
/// y` for inline ints `x` and `y` (`imm` is `DIVMOD`'s `BinOp`), `None` when the uop exits
/// (the result leaves the inline range, a zero divisor).
pub(super) fn int_arith(op: Uop, imm: u32, x: i64, y: i64) -> Option<i64> {
    let r = match op {
        // Inline ints are 48-bit: sums and differences fit an `i64`.
        Uop::ADD_INT | Uop::ADD_I64 => Some(x + y),
        Uop::SUB_INT | Uop::SUB_I64 => Some(x - y),
        Uop::MUL_INT | Uop::MUL_I64 => x.checked_mul(y),
        _ => BinOp::from_u32(imm).and_then(|op| arith::small_int_binary(op, x, y)),
    };
    r.filter(|&r| crate::value::fits_small(r))
}

/// The float arithmetic uops' result, boxed (`ADD_FLOAT`, ...) or raw (`ADD_F64`, ...),
/// as a `Value` (a NaN in the tag space made canonical).
pub(super) fn float_arith(op: Uop, x: f64, y: f64) -> Value {
    Value::float(match op {
        Uop::ADD_FLOAT | Uop::ADD_F64 => x + y,
        Uop::SUB_FLOAT | Uop::SUB_F64 => x - y,
        _ => x * y,
    })
}

fn is_num(v: Value) -> bool {
    v.is_small_int() || v.is_float()
}

fn seq_len(vm: &VmCore, v: Value) -> Option<usize> {
    match vm.heap().get(v) {
        Some(Obj::Array(a)) => Some(a.len()),
        Some(Obj::Tuple(_)) => vm.heap().as_tuple(v).map(<[Value]>::len),
        _ => None,
    }
}

fn item(vm: &VmCore, v: Value, k: usize) -> Option<Value> {
    match vm.heap().get(v) {
        Some(Obj::Array(a)) => a.get(k),
        _ => vm.heap().as_tuple(v).and_then(|t| t.get(k).copied()),
    }
}
