//! The forward abstract interpreter: walks a trace once (a peeled loop until its PHIs are
//! stable), giving every SSA value an abstract value, and lets the passes rewrite each
//! uop on the way with what is known at that point.
//!
//! Transfer functions come from the uop table: a uop's output is what its signature says
//! ([`Uop::output`]), a guard that passes refines its inputs by what it `proves`
//! ([`Uop::proves`]); `consts.rs` and `bounds.rs` sharpen some (constants, int ranges).
//! Facts between values (an index within an array's bounds, an array's least length)
//! and facts about the run (a call depth checked, no global stored since the last
//! validity check) are the walk's [`Rel`]ations: a uop that may run guest code kills
//! the ones it could break.
//!
//! A peeled loop is walked optimistically: each PHI is first assumed to be what enters
//! it from the preamble, the loop is walked, and if a back edge brings something the
//! assumption does not cover, the PHI is widened and the loop walked again from the
//! unoptimized copy. Ranges widen to the inline limits at once, so this ends after a few
//! rounds. Only the last round's rewriting is kept.

use alloc::vec;
use alloc::vec::Vec;

use super::super::project::Cx;
use super::super::table::Uop;
use super::super::{Assumption, Inst, Trace, V};
use super::lattice::{Abs, Types};
use super::{bounds, consts, guards, Contradiction, Passes, Removed};
use crate::bytecode::CmpOp;
use crate::value::{Value, SMALL_INT_MAX, SMALL_INT_MIN};

/// Facts between values and about the run, valid from where they were established until
/// a uop kills them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Rel {
    /// (sequence, index) pairs a guard proved in bounds.
    pub in_bounds: Vec<(V, V)>,
    /// An array's least length.
    pub min_len: Vec<(V, i64)>,
    /// (sequence, n) pairs a `GUARD_LENGTH` proved: the sequence has exactly `n` items
    /// (a tuple for good, an array until a uop that may change its length).
    pub len_eq: Vec<(V, u32)>,
    /// (range iterator, sequence) pairs a `GUARD_RANGE_WITHIN` proved: every value the
    /// iterator yields is an index in the sequence's bounds.
    pub ranges_within: Vec<(V, V)>,
    /// (sequence, int) pairs a `GUARD_LEN_GE` proved: the sequence has at least that many
    /// items.
    pub len_ge: Vec<(V, V)>,
    /// (x, y) pairs of ints a branch proved `x < y` (values never change: only the loop's
    /// entry, a meet, drops them).
    pub lt: Vec<(V, V)>,
    /// The greatest `CHECK_CALL` passed (depth, top): the trace's frame is the same for
    /// the whole run, so it holds from then on, and so does any check of a depth and a
    /// top no greater.
    pub calls_checked: Option<(u32, u32)>,
    /// No uop that may store a global ran since the last validity check.
    pub valid: bool,
    /// Slots whose memory is known to hold a value (it was loaded from there or written
    /// there by a `FLUSH`).
    pub mem: Vec<(u32, V)>,
    /// Globals the trace stored, with the value (until a uop that may store any).
    pub globals: Vec<(u32, V)>,
}

impl Rel {
    /// What holds both in `self` and `o`.
    fn meet(&self, o: &Rel) -> Rel {
        Rel {
            in_bounds: both(&self.in_bounds, &o.in_bounds),
            min_len: self
                .min_len
                .iter()
                .filter_map(|&(a, n)| o.min_len.iter().find(|m| m.0 == a).map(|m| (a, n.min(m.1))))
                .collect(),
            ranges_within: both(&self.ranges_within, &o.ranges_within),
            len_eq: both(&self.len_eq, &o.len_eq),
            len_ge: both(&self.len_ge, &o.len_ge),
            lt: both(&self.lt, &o.lt),
            calls_checked: self
                .calls_checked
                .zip(o.calls_checked)
                .map(|(a, b)| (a.0.min(b.0), a.1.min(b.1))),
            valid: self.valid && o.valid,
            mem: both(&self.mem, &o.mem),
            globals: both(&self.globals, &o.globals),
        }
    }
}

/// The facts in both `a` and `b`.
fn both<T: Copy + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter().copied().filter(|p| b.contains(p)).collect()
}

/// The walk's state.
#[derive(Clone)]
pub(super) struct Walk<'a> {
    pub cx: &'a Cx<'a>,
    pub passes: Passes,
    /// The optimized uops so far.
    pub out: Vec<Inst>,
    /// The trace constants (folding adds some).
    pub consts: Vec<Value>,
    /// What each input value is replaced by (itself unless a pass replaced it).
    pub subst: Vec<V>,
    /// What each value is known to be, at this point of the walk.
    pub abs: Vec<Abs>,
    /// For a comparison's result: the comparison (`bounds.rs` refines by it).
    pub cmp: Vec<Option<(CmpOp, V, V)>>,
    /// For an `ITER_NEXT`'s result: the iterator (`bounds.rs` checks its range).
    pub iter_of: Vec<V>,
    /// True while the preamble of a peeled loop is walked.
    pub in_preamble: bool,
    /// True when checks may be moved before the loop: the `hoist` pass is on and the loop
    /// has no uop but a builtin's call that may change an array's length (after one, what
    /// a moved check proved would not hold in the loop, and the check would only cost).
    pub hoist: bool,
    /// Relations.
    pub rel: Rel,
    /// The first `CONST` of each trace constant (`consts.rs` reuses it).
    pub const_vals: Vec<(u32, V)>,
    /// Pure uops computed so far, by operation, inputs and immediates (`consts.rs` reuses
    /// their results: common subexpressions, and in a peeled loop invariant ones).
    pub pure: Vec<(Uop, [V; 3], [u32; 4], V)>,
    /// Globals the trace stores (never folded).
    pub stored_globals: Vec<u32>,
    /// The trace's assumptions (folding adds constant globals).
    pub assumptions: Vec<Assumption>,
    /// For a side trace, the assumptions the VM watches for its loop (the only ones it
    /// may add); `None` for a root trace, which may assume more.
    pub watched: Option<&'a [Assumption]>,
    /// What the passes removed or rewrote.
    pub removed: Vec<Removed>,
    /// The greatest depth and top over the trace's `CHECK_CALL`s: the first one that
    /// stays checks them (`guards.rs`).
    pub call_max: (u32, u32),
    /// The first guard found that can never pass.
    pub contradiction: Option<usize>,
    /// What each PHI was assumed to be at the loop's start, in the last round.
    pub phi_abs: Vec<(V, Abs)>,
    /// For a side trace: what its parent knew of the slots at the exit it grows from.
    pub entry: &'a [(u32, Abs)],
    /// Per exit: what is known of the slots it writes, over every uop that takes it.
    pub exit_facts: Vec<Option<Vec<(u32, Abs)>>>,
    /// The first slot above the root frame's locals (helpers may write the stack).
    pub stack_base: u32,
    /// The snapshots, to read what an exit writes.
    pub snapshots: &'a [super::super::Snapshot],
    /// The exits, to find each one's snapshot.
    pub exits: &'a [super::super::ExitDesc],
    /// Exits the walk added (numbered after `exits`).
    pub new_exits: Vec<super::super::ExitDesc>,
}

/// What the walk made: the optimized trace, what it removed, and what it knew.
pub(super) struct Walked {
    /// The optimized trace.
    pub trace: Trace,
    /// What the passes removed or rewrote.
    pub removed: Vec<Removed>,
    /// What each value was known to be at the end of the walk.
    pub abs: Vec<Abs>,
    /// What each PHI was assumed to be at the loop's start.
    pub phi_abs: Vec<(V, Abs)>,
}

impl Walk<'_> {
    /// The replacement of `v`.
    pub fn sub(&self, v: V) -> V {
        if v == V::NONE {
            v
        } else {
            self.subst[v.0 as usize]
        }
    }

    /// What is known of `v` (already substituted).
    pub fn get(&self, v: V) -> Abs {
        self.abs.get(v.0 as usize).copied().unwrap_or(Abs::TOP)
    }

    /// Refines what is known of `v` by `a`; a contradiction is noted at uop `at`.
    pub fn refine(&mut self, v: V, a: &Abs, at: usize) {
        let m = self.get(v).meet(a);
        if m.is_bottom() {
            self.contradiction.get_or_insert(at);
            // Keep walking with what the guard says, as if it passed.
            self.abs[v.0 as usize] = *a;
        } else {
            self.abs[v.0 as usize] = m;
        }
    }

    /// Records that `pass` removed `inst` (`what` says how).
    pub fn note(&mut self, pass: &'static str, what: &'static str, inst: &Inst) {
        self.removed.push(Removed {
            pass,
            inst: *inst,
            what,
        });
    }

    /// The index of constant `c` in the trace constants (added if new).
    pub fn konst_index(&mut self, c: Value) -> u32 {
        match self.consts.iter().position(|k| k.to_bits() == c.to_bits()) {
            Some(k) => k as u32,
            None => {
                self.consts.push(c);
                (self.consts.len() - 1) as u32
            }
        }
    }

    /// Walks one uop (`at` is its index in the input, for contradictions).
    fn step(&mut self, at: usize, inst: &Inst) {
        let mut inst = *inst;
        for a in &mut inst.args {
            *a = self.sub(*a);
        }
        if self.passes.has(Passes::CONSTS) {
            match consts::fold(self, &inst) {
                consts::Fold::Keep => {}
                consts::Fold::Value(v) => {
                    self.note("consts", "replaced", &inst);
                    self.subst[inst.out.0 as usize] = v;
                    return;
                }
                consts::Fold::Op(op) => {
                    self.note("consts", "typed", &inst);
                    inst.op = op;
                    if !op.can_exit() {
                        inst.exit = super::super::NO_EXIT;
                    }
                }
                consts::Fold::Const(c) => {
                    self.note("consts", "folded", &inst);
                    let k = self.konst_index(c);
                    inst = Inst {
                        op: Uop::CONST,
                        out: inst.out,
                        args: [V::NONE; 3],
                        imm: [k, 0, 0, 0],
                        exit: super::super::NO_EXIT,
                    };
                    if let Some(&(_, v)) = self.const_vals.iter().find(|c| c.0 == k) {
                        self.subst[inst.out.0 as usize] = v;
                        return;
                    }
                }
            }
        }
        if inst.op.is_guard() && inst.out == V::NONE {
            if self.passes.has(Passes::GUARDS) {
                if guards::established(self, &inst) {
                    self.note("guards", "removed", &inst);
                    return;
                }
                guards::strengthen(self, &mut inst);
            }
            self.capture_exit(&inst);
            guards::refine(self, &inst, at);
            if self.passes.has(Passes::BOUNDS) {
                bounds::refine(self, &inst, at);
            }
        }
        if self.passes.has(Passes::BOUNDS) && bounds::cannot_overflow(self, &inst) {
            self.note("bounds", "no exit", &inst);
            inst.exit = super::super::NO_EXIT;
        }
        if !(inst.op.is_guard() && inst.out == V::NONE) {
            self.capture_exit(&inst);
        }
        if inst.out != V::NONE {
            let a = transfer(self, &inst);
            self.abs[inst.out.0 as usize] = a;
            if inst.op == Uop::CONST {
                self.const_vals.push((inst.imm[0], inst.out));
            } else if consts::is_pure(inst.op) {
                self.pure.push((inst.op, inst.args, inst.imm, inst.out));
            }
            if matches!(inst.op, Uop::CMP_INT) {
                let op = CmpOp::from_u32(inst.imm[0]);
                self.cmp[inst.out.0 as usize] = op.map(|op| (op, inst.args[0], inst.args[1]));
            }
            if inst.op == Uop::ITER_NEXT {
                self.iter_of[inst.out.0 as usize] = inst.args[0];
                bounds::iter_next(self, &inst);
            }
        }
        kill(self, &inst);
        self.remember_memory(&inst);
        self.out.push(inst);
        if self.hoist {
            if let Some(g) = bounds::hoisted_check(self, &inst) {
                self.note("bounds", "added", &g);
                self.capture_exit(&g);
                guards::refine(self, &g, at);
                self.out.push(g);
            }
        }
    }

    /// A new exit to `snapshot` for a check moved before the loop: of the kind that grows
    /// no side trace (`ExitKind::Hoisted`), numbered after the trace's own exits.
    pub fn hoisted_exit(&mut self, snapshot: u32) -> u32 {
        self.new_exits.push(super::super::ExitDesc {
            kind: super::super::ExitKind::Hoisted,
            snapshot,
        });
        (self.exits.len() + self.new_exits.len() - 1) as u32
    }

    /// Records what is known of the slots the exit of `inst` writes, as the uop is about
    /// to run (a guard's own refinement does not hold when it exits).
    fn capture_exit(&mut self, inst: &Inst) {
        if inst.exit == super::super::NO_EXIT {
            return;
        }
        let e = inst.exit as usize;
        let Some(snap) = self
            .exits
            .get(e)
            .and_then(|d| self.snapshots.get(d.snapshot as usize))
        else {
            return;
        };
        let mut facts: Vec<(u32, Abs)> = snap
            .slots
            .iter()
            .filter(|&&(s, _)| s < snap.sp)
            .map(|&(s, v)| (s, self.get(self.sub(v))))
            .collect();
        for &(s, v) in &self.rel.mem {
            if s < snap.sp && !snap.slots.iter().any(|e| e.0 == s) {
                facts.push((s, self.get(v)));
            }
        }
        facts.sort_unstable_by_key(|f| f.0);
        self.exit_facts[e] = Some(match self.exit_facts[e].take() {
            None => facts,
            // Taken from several uops: what holds at all of them.
            Some(old) => old
                .iter()
                .filter_map(|&(s, a)| {
                    let b = facts.iter().find(|f| f.0 == s)?;
                    Some((s, a.join(&b.1)))
                })
                .collect(),
        });
    }

    /// Follows what the frame's memory holds: a slot loaded, or written by a `FLUSH`; a
    /// helper may write the operand stack.
    fn remember_memory(&mut self, inst: &Inst) {
        use super::super::table::{CALLS, WRITES_FRAME};
        let set = |mem: &mut Vec<(u32, V)>, s: u32, v: V| match mem.iter_mut().find(|m| m.0 == s) {
            Some(m) => m.1 = v,
            None => mem.push((s, v)),
        };
        match inst.op {
            Uop::LOAD_SLOT => set(&mut self.rel.mem, inst.imm[0], inst.out),
            Uop::FLUSH => {
                if let Some(snap) = self.snapshots.get(inst.imm[0] as usize) {
                    for &(s, v) in &snap.slots {
                        let v = self.sub(v);
                        set(&mut self.rel.mem, s, v);
                    }
                }
            }
            _ => {
                let fx = inst.op.effects();
                if fx.contains(CALLS) || fx.contains(WRITES_FRAME) {
                    let base = self.stack_base;
                    self.rel.mem.retain(|m| m.0 < base);
                }
            }
        }
    }
}

/// What the output of `inst` is, from its signature and, where the lattice knows more,
/// from its inputs.
fn transfer(w: &Walk<'_>, inst: &Inst) -> Abs {
    let arg = |k: usize| w.get(inst.args[k]);
    match inst.op {
        Uop::CONST => Abs::constant(w.consts[inst.imm[0] as usize], w.cx.heap),
        Uop::LOAD_SLOT => w
            .entry
            .iter()
            .find(|f| f.0 == inst.imm[0])
            .map_or(Abs::TOP, |f| f.1),
        Uop::LOAD_GLOBAL => Abs::of(Types::of_ty(super::super::Ty::Bound)),
        Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT => {
            let (lo, hi) = bounds::interval(inst.op, &arg(0), &arg(1));
            // The uop exits when the result leaves the inline range.
            let clamp = |v: i128| v.clamp(SMALL_INT_MIN as i128, SMALL_INT_MAX as i128) as i64;
            Abs::int_range(clamp(lo), clamp(hi))
        }
        Uop::INLINE_ARITH => {
            let (x, y) = (arg(0), arg(1));
            let op = crate::bytecode::BinOp::from_u32(inst.imm[0]).map(|o| o.arith());
            if x.is_int() && y.is_int() {
                if op == Some(crate::bytecode::BinOp::TrueDiv) {
                    Abs::of(Types::FLOAT)
                } else {
                    int_result(op, &x, &y)
                }
            } else if (x.types.within(Types::FLOAT) && y.types.within(Types::NUM))
                || (y.types.within(Types::FLOAT) && x.types.within(Types::NUM))
            {
                Abs::of(Types::FLOAT)
            } else {
                Abs::of(Types::NUM)
            }
        }
        Uop::DIVMOD_INT => {
            let op = crate::bytecode::BinOp::from_u32(inst.imm[0]).map(|o| o.arith());
            int_result(op, &arg(0), &arg(1))
        }
        Uop::NEG_NUM => {
            let x = arg(0);
            if x.is_int() {
                Abs::int_range(x.hi.saturating_neg(), x.lo.saturating_neg())
            } else {
                Abs::of(x.types.and(Types::NUM))
            }
        }
        Uop::CALL_NATIVE if numeric_call(w, inst).is_some_and(|n| n.float_on_numbers) => {
            Abs::of(Types::FLOAT)
        }
        Uop::ITER_NEXT => {
            if arg(0).types.within(Types::RANGE_ITER) {
                Abs::of(Types::INT)
            } else {
                Abs::of(Types::of_ty(super::super::Ty::Bound))
            }
        }
        op => Abs::of(Types::of_ty(op.output())),
    }
}

/// The int result of `x op y` on two ints (the uop exits when it would not be one): a
/// modulo by a positive divisor lies below it, whatever the dividend's sign for floor
/// modulo and for a non-negative dividend for truncating modulo.
fn int_result(op: Option<crate::bytecode::BinOp>, x: &Abs, y: &Abs) -> Abs {
    use crate::bytecode::BinOp;
    match op {
        Some(BinOp::FloorMod) if y.lo > 0 => Abs::int_range(0, y.hi - 1),
        Some(BinOp::ModTrunc) if y.lo > 0 && x.lo >= 0 => Abs::int_range(0, y.hi - 1),
        _ => Abs::of(Types::INT),
    }
}

/// Kills the relations `inst` may break: guest code and the frontend's slow paths may
/// change any array's length and store any global.
fn kill(w: &mut Walk<'_>, inst: &Inst) {
    use super::super::table::CALLS;
    if pure_call(w, inst) {
        return;
    }
    let fx = inst.op.effects();
    if fx.contains(CALLS) {
        let abs = &w.abs;
        let is_tuple = |v: V| abs[v.0 as usize].types.within(Types::TUPLE);
        w.rel.in_bounds.retain(|&(s, _)| is_tuple(s));
        w.rel.ranges_within.retain(|&(_, s)| is_tuple(s));
        w.rel.len_ge.retain(|&(s, _)| is_tuple(s));
        w.rel.len_eq.retain(|&(s, _)| is_tuple(s));
        w.rel.min_len.clear();
    }
    if may_store_globals(inst) {
        w.rel.valid = false;
    }
    if fx.contains(CALLS) {
        w.rel.globals.clear();
    }
    if inst.op == Uop::STORE_GLOBAL {
        let (g, v) = (inst.imm[0], inst.args[0]);
        w.rel.globals.retain(|e| e.0 != g);
        // A later read of the global is this value (unless it is the unbound marker).
        if w.get(v).types.and(Types::EMPTY).is_none() {
            w.rel.globals.push((g, v));
        }
    }
    if inst.op == Uop::CHECK_VALID {
        w.rel.valid = true;
    }
}

/// True when `inst` may store a global, and so invalidate the trace: a uop that stores
/// one or may run guest code, but not a `SLOW_OP` of an instruction whose generic
/// behaviour reaches only the heap ([`crate::jit::slow_op_heap_only`]: an index, a
/// store into one, an attribute, a slice), which has no way to a global.
fn may_store_globals(inst: &Inst) -> bool {
    use super::super::table::{CALLS, WRITES_GLOBALS};
    if inst.op == Uop::SLOW_OP {
        let op = crate::bytecode::Op::ALL.get(inst.imm[0] as usize).copied();
        if op.is_some_and(crate::jit::slow_op_heap_only) {
            return false;
        }
    }
    let fx = inst.op.effects();
    fx.contains(WRITES_GLOBALS) || fx.contains(CALLS)
}

/// True for a `CALL_NATIVE` of a builtin known to be pure on numbers
/// ([`crate::heap::NativeObj::pure_on_numbers`]) with arguments known to be numbers.
fn pure_call(w: &Walk<'_>, inst: &Inst) -> bool {
    numeric_call(w, inst).is_some_and(|n| n.pure_on_numbers)
}

/// The builtin a `CALL_NATIVE` calls, when it is a known constant and every argument is
/// known to be a number: the `FLUSH` before it wrote the callee and the arguments just
/// below its top.
fn numeric_call<'w>(w: &Walk<'w>, inst: &Inst) -> Option<&'w crate::heap::NativeObj> {
    if inst.op != Uop::CALL_NATIVE {
        return None;
    }
    let (argc, top) = (inst.imm[0], inst.imm[1]);
    let callee = top.checked_sub(argc + 1)?;
    let at = |s: u32| w.rel.mem.iter().find(|m| m.0 == s).map(|m| w.get(m.1));
    let f = at(callee)?.konst?;
    let numbers = (callee + 1..top).all(|s| at(s).is_some_and(|a| a.types.within(Types::NUM)));
    match w.cx.heap.get(f) {
        Some(crate::heap::Obj::Native(n)) if numbers => Some(n),
        _ => None,
    }
}

/// Widens `a` to cover `b` as well, jumping a range that grows to the inline limit (so
/// the fixpoint comes quickly).
fn widen(a: &Abs, b: &Abs) -> Abs {
    let mut j = a.join(b);
    if j.lo < a.lo {
        j.lo = SMALL_INT_MIN;
    }
    if j.hi > a.hi {
        j.hi = SMALL_INT_MAX;
    }
    j
}

/// The globals a constant-folded read could see change under the trace: those stored in
/// the trace, and those any instruction of its loop stores (a side trace may store them:
/// assuming them constant would invalidate the loop's whole tree again and again).
fn stored_globals(t: &Trace, cx: &Cx<'_>) -> Vec<u32> {
    use crate::bytecode::Op;
    let mut g: Vec<u32> = t
        .insts
        .iter()
        .filter(|i| i.op == Uop::STORE_GLOBAL)
        .map(|i| i.imm[0])
        .collect();
    let Some(code) = cx.module.codes.get(t.code as usize) else {
        return g;
    };
    let back_edge = t
        .insts
        .iter()
        .find(|i| matches!(i.op, Uop::LOOP | Uop::JUMP_ROOT | Uop::JUMP_LOOP))
        .map_or(code.len(), |i| i.imm[1] as usize + 1);
    for pc in (t.header_pc as usize).min(code.len())..back_edge.min(code.len()) {
        let ins = code.instr(pc);
        if matches!(ins.op.family(), Op::StoreGlobal) {
            g.push(ins.a);
        }
    }
    g
}

/// Runs the walk over `t` with `passes`: the optimized trace and what was removed.
pub(super) fn run<'a>(
    t: &Trace,
    cx: &'a Cx<'a>,
    passes: Passes,
    watched: Option<&'a [Assumption]>,
    entry: &'a [(u32, Abs)],
) -> Result<Walked, Contradiction> {
    let n = t.n_values as usize;
    let mut w = Walk {
        cx,
        passes,
        out: Vec::with_capacity(t.insts.len()),
        consts: t.consts.clone(),
        subst: (0..n as u32).map(V).collect(),
        abs: vec![Abs::TOP; n],
        cmp: vec![None; n],
        iter_of: vec![V::NONE; n],
        in_preamble: false,
        hoist: false,
        rel: Rel {
            valid: true,
            ..Rel::default()
        },
        const_vals: Vec::new(),
        pure: Vec::new(),
        stored_globals: stored_globals(t, cx),
        assumptions: t.assumptions.clone(),
        watched,
        removed: Vec::new(),
        call_max: t
            .insts
            .iter()
            .filter(|i| i.op == Uop::CHECK_CALL)
            .fold((0, 0), |m, i| (m.0.max(i.imm[0]), m.1.max(i.imm[1]))),
        contradiction: None,
        phi_abs: Vec::new(),
        entry,
        exit_facts: vec![None; t.exits.len()],
        stack_base: cx
            .module
            .codes
            .get(t.code as usize)
            .map_or(0, |c| c.num_locals),
        snapshots: &t.snapshots,
        exits: &t.exits,
        new_exits: Vec::new(),
    };
    // A peeled loop starts where its `JUMP_LOOP` says (its PHIs first, if any).
    let phis_at = t
        .insts
        .iter()
        .find(|i| i.op == Uop::JUMP_LOOP)
        .map(|j| j.imm[2] as usize);
    let split = phis_at.unwrap_or(t.insts.len());
    w.in_preamble = phis_at.is_some();
    w.hoist = passes.has(Passes::BOUNDS.with(Passes::HOIST, true))
        && phis_at.is_some_and(|at| {
            use super::super::table::CALLS;
            t.insts[at..]
                .iter()
                .all(|i| i.op == Uop::CALL_NATIVE || !i.op.effects().contains(CALLS))
        });
    for (at, inst) in t.insts[..split].iter().enumerate() {
        w.step(at, inst);
    }
    w.in_preamble = false;
    if let Some(phis_at) = phis_at {
        let n_phis = t.insts[phis_at..]
            .iter()
            .take_while(|i| i.op == Uop::PHI)
            .count();
        let phis = &t.insts[phis_at..phis_at + n_phis];
        // A guard later in the preamble may have narrowed an input of earlier arithmetic
        // (`j = i + 1` before `a[i]` proved `i >= 0`): the loop starts with the narrower
        // results.
        for k in 0..w.out.len() {
            let inst = w.out[k];
            if matches!(inst.op, Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT) {
                let m = w.get(inst.out).meet(&transfer(&w, &inst));
                if !m.is_bottom() {
                    w.abs[inst.out.0 as usize] = m;
                }
            }
        }
        if w.hoist {
            bounds::hoist_counted(&mut w, t, phis_at, n_phis);
        }
        let entry = w.clone();
        let mut assumed: Vec<Abs> = phis.iter().map(|p| w.get(w.sub(p.args[0]))).collect();
        let mut entry_rel = w.rel.clone();
        // A PHI below an invariant on entry may stay below it (`while i < n`, tested at
        // the bottom): assumed, and kept if the back edge brings a value below it too.
        let is_phi = |v: V| phis.iter().any(|p| p.out == v);
        for p in phis {
            let e = w.sub(p.args[0]);
            let below: Vec<V> = entry_rel
                .lt
                .iter()
                .filter(|l| l.0 == e)
                .map(|l| l.1)
                .collect();
            for n in below {
                entry_rel.lt.push((p.out, n));
            }
        }
        // Ranges and constants widen at once and the type sets are finite, so a handful
        // of rounds reach the fixpoint; past that, the PHIs are assumed to be anything.
        for round in 0..8 {
            w = entry.clone();
            w.rel = entry_rel.clone();
            let new_phis = w.out.len();
            for (k, p) in phis.iter().enumerate() {
                let mut pi = *p;
                pi.args[0] = w.sub(p.args[0]);
                let a = if round == 7 { Abs::TOP } else { assumed[k] };
                w.abs[pi.out.0 as usize] = a;
                w.phi_abs.push((pi.out, a));
                w.out.push(pi);
            }
            for (at, inst) in t.insts.iter().enumerate().skip(phis_at + n_phis) {
                w.step(at, inst);
            }
            let mut stable = true;
            for (k, p) in phis.iter().enumerate() {
                let back = w.get(w.sub(p.args[1]));
                if !back.within(&assumed[k]) {
                    assumed[k] = widen(&assumed[k], &back);
                    stable = false;
                }
            }
            let mut end_rel = w.rel.clone();
            end_rel.lt.retain(|l| !is_phi(l.0));
            for p in phis {
                let b = w.sub(p.args[1]);
                for &(x, n) in &entry_rel.lt {
                    if x == p.out && w.rel.lt.contains(&(b, n)) {
                        end_rel.lt.push((x, n));
                    }
                }
            }
            let rel = entry_rel.meet(&end_rel);
            if rel != entry_rel {
                entry_rel = rel;
                stable = false;
            }
            // The loop's PHIs take the back-edge values as the walk renamed them.
            for (k, p) in phis.iter().enumerate() {
                let b = w.sub(p.args[1]);
                w.out[new_phis + k].args[1] = b;
            }
            if stable {
                break;
            }
        }
        // `JUMP_LOOP` names where the loop starts in the optimized trace.
        let start = entry.out.len() as u32;
        if let Some(j) = w.out.iter_mut().find(|i| i.op == Uop::JUMP_LOOP) {
            j.imm[2] = start;
        }
    }
    if let Some(at) = w.contradiction {
        return Err(Contradiction { at });
    }
    let mut out = t.clone();
    out.insts = w.out;
    out.exits.extend(w.new_exits.iter().copied());
    if let Some(j) = out.insts.iter_mut().find(|i| i.op == Uop::JUMP_LOOP) {
        j.imm[3] = 0;
    }
    out.consts = w.consts;
    out.assumptions = w.assumptions;
    for s in &mut out.snapshots {
        for e in &mut s.slots {
            e.1 = w.subst[e.1 .0 as usize];
        }
    }
    out.exit_facts = w
        .exit_facts
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    out.exit_facts.resize(out.exits.len(), Vec::new());
    Ok(Walked {
        trace: out,
        removed: w.removed,
        abs: w.abs,
        phi_abs: w.phi_abs,
    })
}
