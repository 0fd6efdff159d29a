//! Guard elimination: a guard whose fact the walk has already established is removed;
//! a guard that stays refines its inputs by what it proves (the uop table's `proves`).
//!
//! A guard repeated on the same value (`GUARD_ARRAY v5` before each of three indexes), a
//! type check of a constant or of an arithmetic result (`ADD_INT`'s output is an int),
//! a type check in a peeled loop of a value the preamble checked, a branch on a
//! condition known to hold, a call depth checked before, a validity check with no store
//! since the last one (an index, a slice or an attribute through the slow path stores
//! none), a length checked before on the same sequence (a list's only until
//! a uop that may change its length): all go. The first call-depth check of a trace checks for its
//! deepest call, so that the others go too.

use super::super::table::Uop;
use super::super::Inst;
use super::absint::Walk;
use super::lattice::{Abs, Types};
use crate::value::Value;

/// True when `inst` (a guard without output) cannot fail here.
pub(super) fn established(w: &Walk<'_>, inst: &Inst) -> bool {
    let arg = |k: usize| w.get(inst.args[k]);
    let proves_all = || {
        inst.op
            .proves()
            .iter()
            .enumerate()
            .all(|(k, &t)| arg(k).types.within(Types::of_ty(t)))
    };
    match inst.op {
        Uop::CHECK_VALID => w.rel.valid,
        Uop::CHECK_CALL => w
            .rel
            .calls_checked
            .is_some_and(|(d, t)| inst.imm[0] <= d && inst.imm[1] <= t),
        Uop::GUARD_GLOBAL_EMPTY => false,
        Uop::GUARD_NUMBERS_WITH_FLOAT => {
            proves_all() && (arg(0).types.within(Types::FLOAT) || arg(1).types.within(Types::FLOAT))
        }
        Uop::GUARD_IN_BOUNDS => {
            let (s, i) = (arg(0), arg(1));
            if !s.types.within(Types::SEQ) || !i.is_int() {
                return false;
            }
            let below_len = || {
                w.rel
                    .lt
                    .iter()
                    .any(|&(x, n)| x == inst.args[1] && w.rel.len_ge.contains(&(inst.args[0], n)))
            };
            w.rel.in_bounds.contains(&(inst.args[0], inst.args[1]))
                || (i.lo >= 0 && known_min_len(w, inst, &s).is_some_and(|n| i.hi < n))
                || (i.lo >= 0 && below_len())
        }
        Uop::GUARD_LENGTH => {
            (arg(0).len == Some(inst.imm[0]) && arg(0).types.within(Types::TUPLE))
                || w.rel.len_eq.contains(&(inst.args[0], inst.imm[0]))
        }
        Uop::GUARD_RANGE_WITHIN => w.rel.ranges_within.contains(&(inst.args[0], inst.args[1])),
        Uop::GUARD_LEN_GE => w.rel.len_ge.contains(&(inst.args[0], inst.args[1])),
        Uop::GUARD_NONZERO | Uop::GUARD_INT_NONZERO => arg(0).is_int() && arg(0).nonzero,
        Uop::GUARD_INT_ZERO => arg(0).int_value() == Some(0),
        Uop::GUARD_TRUE => is_const(&arg(0), Value::TRUE),
        Uop::GUARD_FALSE => is_const(&arg(0), Value::FALSE),
        Uop::GUARD_FUNCTION => {
            arg(0).types.within(Types::FUNCTION) && arg(0).code == Some(inst.imm[0])
        }
        _ => !inst.op.proves().is_empty() && proves_all(),
    }
}

/// The least length of the sequence `inst.args[0]` (abstract value `s`), when known: a
/// tuple's length, or an array's from an earlier bounds guard.
fn known_min_len(w: &Walk<'_>, inst: &Inst, s: &Abs) -> Option<i64> {
    if s.types.within(Types::TUPLE) {
        if let Some(n) = s.len {
            return Some(i64::from(n));
        }
    }
    w.rel
        .min_len
        .iter()
        .find(|m| m.0 == inst.args[0])
        .map(|m| m.1)
}

fn is_const(a: &Abs, v: Value) -> bool {
    a.konst.map(Value::to_bits) == Some(v.to_bits())
}

/// Makes the guard `inst`, which stays, check what later guards of its kind need too,
/// so that they go: the first `CHECK_CALL` checks the greatest call depth and stack top
/// of the trace's calls. Failing early is correct (the exit resumes tier 1 at the first
/// call, which checks each call itself); it only costs speed, and only near the
/// recursion limit.
pub(super) fn strengthen(w: &mut Walk<'_>, inst: &mut Inst) {
    if inst.op == Uop::CHECK_CALL {
        let (d, t) = w.call_max;
        if (inst.imm[0], inst.imm[1]) != (d.max(inst.imm[0]), t.max(inst.imm[1])) {
            w.note("guards", "widened", inst);
            inst.imm[0] = d.max(inst.imm[0]);
            inst.imm[1] = t.max(inst.imm[1]);
        }
    }
}

/// Refines the inputs of the guard `inst` (uop `at` of the walked trace), which stays,
/// by what it proves when it passes.
pub(super) fn refine(w: &mut Walk<'_>, inst: &Inst, at: usize) {
    for (k, &t) in inst.op.proves().iter().enumerate() {
        w.refine(inst.args[k], &Abs::of(Types::of_ty(t)), at);
    }
    let heap = w.cx.heap;
    match inst.op {
        Uop::CHECK_CALL => {
            let (d, t) = w.rel.calls_checked.unwrap_or((0, 0));
            w.rel.calls_checked = Some((d.max(inst.imm[0]), t.max(inst.imm[1])));
        }
        Uop::GUARD_TRUE => w.refine(inst.args[0], &Abs::constant(Value::TRUE, heap), at),
        Uop::GUARD_FALSE => w.refine(inst.args[0], &Abs::constant(Value::FALSE, heap), at),
        Uop::GUARD_INT_ZERO => w.refine(inst.args[0], &Abs::int_range(0, 0), at),
        Uop::GUARD_NONZERO | Uop::GUARD_INT_NONZERO => {
            let mut a = Abs::of(Types::INT);
            a.nonzero = true;
            w.refine(inst.args[0], &a, at);
        }
        Uop::GUARD_FUNCTION => {
            let mut a = Abs::of(Types::FUNCTION);
            a.code = Some(inst.imm[0]);
            w.refine(inst.args[0], &a, at);
        }
        Uop::GUARD_LENGTH => {
            let (s, n) = (inst.args[0], inst.imm[0]);
            if w.get(s).types.within(Types::TUPLE) {
                let mut a = Abs::of(Types::TUPLE);
                a.len = Some(n);
                w.refine(s, &a, at);
            } else {
                set_min_len(w, s, i64::from(n));
            }
            if !w.rel.len_eq.contains(&(s, n)) {
                w.rel.len_eq.push((s, n));
            }
        }
        Uop::GUARD_RANGE_WITHIN => w.rel.ranges_within.push((inst.args[0], inst.args[1])),
        Uop::GUARD_LEN_GE => w.rel.len_ge.push((inst.args[0], inst.args[1])),
        Uop::GUARD_IN_BOUNDS => {
            let (s, i) = (inst.args[0], inst.args[1]);
            w.refine(i, &Abs::int_range(0, crate::value::SMALL_INT_MAX - 1), at);
            w.rel.in_bounds.push((s, i));
            let lo = w.get(i).lo;
            set_min_len(w, s, lo + 1);
        }
        _ => {}
    }
}

/// Records that the array `s` has at least `n` items.
fn set_min_len(w: &mut Walk<'_>, s: super::super::V, n: i64) {
    match w.rel.min_len.iter_mut().find(|m| m.0 == s) {
        Some(m) => m.1 = m.1.max(n),
        None => w.rel.min_len.push((s, n)),
    }
}
