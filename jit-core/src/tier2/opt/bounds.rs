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
//! [`NO_EXIT`]: super::super::NO_EXIT

use super::super::table::Uop;
use super::super::{Inst, V};
use super::absint::Walk;
use super::lattice::Abs;
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
