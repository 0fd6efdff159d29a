//! Overflow- and bounds-check elimination by int ranges.
//!
//! A branch the trace follows on an int comparison (`i < n`, then `GUARD_TRUE`) narrows
//! both sides' ranges from then on: `i` is at most `n`'s greatest value minus one. With
//! the ranges of constants and of arithmetic results (`absint.rs`), that proves
//!
//! - an `ADD_INT`, `SUB_INT` or `MUL_INT` whose result always stays in the inline range:
//!   it loses its overflow exit (`exit` becomes [`NO_EXIT`]);
//! - an index that is non-negative and below a sequence's known least length (a tuple's
//!   length, or an array's from an earlier bounds guard with a greater index): its
//!   `GUARD_IN_BOUNDS` is established (`guards.rs` removes it).
//!
//! In a peeled loop the counter `i` of `while i < n: ... i = i + 1` is a PHI; the walk
//! widens its range to the inline limits and the comparison narrows it again each
//! iteration, so `i + 1` cannot overflow.
//!
//! `for i in range(n): ... a[i]` checks its bounds once, before the loop: where the
//! preamble keeps a `GUARD_IN_BOUNDS a, i` of a value `i` a range iterator yielded, a
//! `GUARD_RANGE_WITHIN it, a` follows it (with an exit of its own to the same snapshot),
//! checking that every value the iterator has left lies in `a`'s bounds. Checks move
//! only out of loops with no uop but a builtin's call that may change an array's length
//! (`Walk::hoist`). In the loop, each value the iterator yields is
//! then known to be a non-negative index in bounds of `a`, until a uop that may change
//! `a`'s length (one that may run guest code); the loop's bounds guard on it goes, and
//! `i + 1` cannot overflow. If the check fails where the loop's own bounds checks would
//! pass (`range(n + 1)` over `n` items, left by a `break`), the trace leaves at the
//! preamble's check each time it enters. So the check has an exit of its own, of kind
//! `Hoisted`, which grows no side trace: once it is hot, the executor optimizes the loop
//! again without moving checks (the `hoist` pass off).
//!
//! The same for a counted loop, `while i < n: ... a[i]` (Tiny's `for i in 0 .. n`): a
//! branch that proved `i < n` records it; where the preamble keeps a bounds guard
//! `GUARD_IN_BOUNDS a, i` after such a branch, a `GUARD_LEN_GE a, n` follows it. In the
//! loop, an index proved non-negative and below `n` is then in `a`'s bounds. Python's
//! `while i < n` tests at the bottom, so the bounds guard comes before the branch; there
//! the check goes at the end of the preamble instead (`hoist_counted`, leaving at the
//! loop header), and the walk keeps the loop's PHI `i` below `n` when both the value
//! entering the loop and the one the back edge brings are.
//!
//! [`NO_EXIT`]: super::super::NO_EXIT

use super::super::table::Uop;
use super::super::{Inst, V};
use super::absint::Walk;
use super::lattice::{Abs, Types};
use crate::bytecode::CmpOp;
use crate::value::{SMALL_INT_MAX, SMALL_INT_MIN};

/// True when the arithmetic `inst` provably stays in the inline range.
pub(super) fn cannot_overflow(w: &Walk<'_>, inst: &Inst) -> bool {
    if !matches!(inst.op, Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT)
        || inst.exit == super::super::NO_EXIT
    {
        return false;
    }
    let (x, y) = (w.get(inst.args[0]), w.get(inst.args[1]));
    if !(x.is_int() && y.is_int()) {
        return false;
    }
    let (lo, hi) = interval(inst.op, &x, &y);
    lo >= SMALL_INT_MIN as i128 && hi <= SMALL_INT_MAX as i128
}

/// The least and greatest result of `ADD_INT`, `SUB_INT` or `MUL_INT` on ints in the
/// ranges of `x` and `y`, before the inline limit (exact in `i128`).
pub(super) fn interval(op: Uop, x: &Abs, y: &Abs) -> (i128, i128) {
    let (x0, x1, y0, y1) = (x.lo as i128, x.hi as i128, y.lo as i128, y.hi as i128);
    match op {
        Uop::ADD_INT => (x0 + y0, x1 + y1),
        Uop::SUB_INT => (x0 - y1, x1 - y0),
        _ => {
            let c = [x0 * y0, x0 * y1, x1 * y0, x1 * y1];
            (
                c.iter().copied().min().unwrap_or(0),
                c.iter().copied().max().unwrap_or(0),
            )
        }
    }
}

/// Narrows the ranges of an int comparison's operands after the branch guard `inst`
/// (uop `at`), which stays.
pub(super) fn refine(w: &mut Walk<'_>, inst: &Inst, at: usize) {
    let holds = match inst.op {
        Uop::GUARD_TRUE => true,
        Uop::GUARD_FALSE => false,
        _ => return,
    };
    let Some(Some((op, x, y))) = w.cmp.get(inst.args[0].0 as usize).copied() else {
        return;
    };
    let op = if holds { op } else { negate(op) };
    narrow(w, op, x, y, at);
    let (a, b) = (w.get(x), w.get(y));
    if a.is_int() && b.is_int() {
        match op {
            CmpOp::Lt => w.rel.lt.push((x, y)),
            CmpOp::Gt => w.rel.lt.push((y, x)),
            _ => {}
        }
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
    }
}

/// Narrows `x` and `y`, two ints, knowing `x op y`.
fn narrow(w: &mut Walk<'_>, op: CmpOp, x: V, y: V, at: usize) {
    let (a, b) = (w.get(x), w.get(y));
    if !(a.is_int() && b.is_int()) {
        return;
    }
    let (xr, yr) = match op {
        CmpOp::Lt => (
            (a.lo, b.hi.saturating_sub(1)),
            (a.lo.saturating_add(1), b.hi),
        ),
        CmpOp::Le => ((a.lo, b.hi), (a.lo, b.hi)),
        CmpOp::Gt => (
            (b.lo.saturating_add(1), a.hi),
            (b.lo, a.hi.saturating_sub(1)),
        ),
        CmpOp::Ge => ((b.lo, a.hi), (b.lo, a.hi)),
        CmpOp::Eq => {
            let r = (a.lo.max(b.lo), a.hi.min(b.hi));
            (r, r)
        }
        CmpOp::Ne => return,
    };
    w.refine(x, &Abs::int_range(xr.0, xr.1), at);
    w.refine(y, &Abs::int_range(yr.0, yr.1), at);
}

/// After an `ITER_NEXT`: a value of a range iterator proved within a sequence's bounds
/// is an index in them.
pub(super) fn iter_next(w: &mut Walk<'_>, inst: &Inst) {
    let (it, out) = (inst.args[0], inst.out);
    let seqs: alloc::vec::Vec<V> = w
        .rel
        .ranges_within
        .iter()
        .filter(|r| r.0 == it)
        .map(|r| r.1)
        .collect();
    if seqs.is_empty() {
        return;
    }
    let a = w.get(out).meet(&Abs::int_range(0, SMALL_INT_MAX - 1));
    w.abs[out.0 as usize] = a;
    for s in seqs {
        w.rel.in_bounds.push((s, out));
    }
}

/// The check to add after `inst` (walked, kept) in a peeled loop's preamble, for the
/// loop's bounds guards: after a bounds guard on a value a range iterator yielded, that
/// the iterator's values are all in bounds; after one on a value proved below an int,
/// that the sequence is at least that long. It leaves by an exit of its own to the bounds
/// guard's snapshot.
pub(super) fn hoisted_check(w: &mut Walk<'_>, inst: &Inst) -> Option<Inst> {
    if !w.in_preamble || inst.op != Uop::GUARD_IN_BOUNDS {
        return None;
    }
    let (s, i) = (inst.args[0], inst.args[1]);
    let it = w.iter_of.get(i.0 as usize).copied().unwrap_or(V::NONE);
    let (op, args) = if it != V::NONE && w.get(it).types.within(Types::RANGE_ITER) {
        if w.rel.ranges_within.contains(&(it, s)) {
            return None;
        }
        (Uop::GUARD_RANGE_WITHIN, [it, s])
    } else {
        let &(_, n) = w.rel.lt.iter().find(|p| p.0 == i)?;
        if w.rel.len_ge.contains(&(s, n)) {
            return None;
        }
        (Uop::GUARD_LEN_GE, [s, n])
    };
    let snapshot = w.exits[inst.exit as usize].snapshot;
    Some(check(op, args, w.hoisted_exit(snapshot)))
}

/// A check moved before the loop: guard `op` on `args`, leaving by `exit`.
fn check(op: Uop, args: [V; 2], exit: u32) -> Inst {
    Inst {
        op,
        out: V::NONE,
        args: [args[0], args[1], V::NONE],
        imm: [0; 4],
        exit,
    }
}

/// At the end of a peeled loop's preamble: for each bounds guard of the loop on a PHI
/// (`a[i]` in `while i < n`) whose value entering the loop is below an invariant `n`,
/// checks once that `a` is at least `n` long (`GUARD_LEN_GE`, leaving at the loop header
/// with the preamble's state). With the PHI kept below `n` (`absint.rs`), the loop's
/// guard then goes.
pub(super) fn hoist_counted(
    w: &mut Walk<'_>,
    t: &super::super::Trace,
    phis_at: usize,
    n_phis: usize,
) {
    let Some(j) = t.insts.iter().find(|i| i.op == Uop::JUMP_LOOP) else {
        return;
    };
    let entry_snap = j.imm[3];
    let phis = &t.insts[phis_at..phis_at + n_phis];
    // Values the loop computes (not invariants).
    let mut computed = alloc::vec![false; t.n_values as usize];
    for i in t.insts[phis_at..].iter().filter(|i| i.out != V::NONE) {
        computed[i.out.0 as usize] = true;
    }
    let in_loop = |v: V| computed.get(v.0 as usize).copied().unwrap_or(false);
    let mut exit = None;
    for g in t.insts[phis_at + n_phis..]
        .iter()
        .filter(|i| i.op == Uop::GUARD_IN_BOUNDS)
    {
        let (a, i) = (g.args[0], g.args[1]);
        let Some(p) = phis.iter().find(|p| p.out == i) else {
            continue;
        };
        if in_loop(a) {
            continue;
        }
        let (a, e) = (w.sub(a), w.sub(p.args[0]));
        if !w.get(a).types.within(Types::SEQ) {
            continue;
        }
        let limits: alloc::vec::Vec<V> = w
            .rel
            .lt
            .iter()
            .filter(|l| l.0 == e && !in_loop(l.1))
            .map(|l| l.1)
            .collect();
        for n in limits {
            if w.rel.len_ge.contains(&(a, n)) {
                continue;
            }
            let e = *exit.get_or_insert_with(|| w.hoisted_exit(entry_snap));
            let g = check(Uop::GUARD_LEN_GE, [a, n], e);
            w.note("bounds", "added", &g);
            w.rel.len_ge.push((a, n));
            w.out.push(g);
        }
    }
}
