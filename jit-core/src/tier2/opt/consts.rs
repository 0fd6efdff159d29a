//! Constant propagation and folding.
//!
//! - Arithmetic and comparisons of known values become `CONST`s (with the same helpers
//!   tier 1 computes them with, so the results are the same bit for bit); a comparison
//!   of int ranges that do not overlap is known too.
//! - Identities: `x + 0`, `x - 0`, `x * 1`, the truth of a bool, `x is y` of values whose
//!   types cannot meet.
//! - A number operation whose operands' types are known becomes the uop for those types
//!   (`INLINE_ARITH` of two ints is `ADD_INT`, ..., of two floats `ADD_FLOAT`, which
//!   cannot exit; `CMP_NUM` of two ints is `CMP_INT`).
//! - A `CONST` of a constant the trace already has is that earlier value, and so is a
//!   pure uop (arithmetic, comparison) computed before from the same inputs: common
//!   subexpressions go, and in a peeled loop whatever the loop computes from values that
//!   do not change runs once, in the preamble.
//! - A global the trace stored is, when read again, the value it stored (until a uop that
//!   may run guest code).
//! - A global the trace reads but never stores is its current value, a constant, and the
//!   trace records that it assumes so (`Assumption::GlobalUnchanged`): the VM watches the
//!   global and invalidates the trace when it is stored.

use super::super::sem::{float_arith, int_arith};
use super::super::table::{UEffects, Uop};
use super::super::{Assumption, Inst, V};
use super::absint::Walk;
use super::lattice::Types;
use crate::arith;
use crate::bytecode::{BinOp, CmpOp};
use crate::value::Value;

/// What becomes of a uop.
pub(super) enum Fold {
    /// It stays.
    Keep,
    /// Its output is this earlier value (the uop goes).
    Value(V),
    /// Its output is this constant (the uop becomes a `CONST`).
    Const(Value),
    /// It becomes this uop, on the same inputs, immediates and exit (a generic number
    /// operation whose operands' types are known).
    Op(Uop),
}

/// True for a uop whose result depends only on its inputs and immediates: computed
/// again with the same, it gives the same (or exits the same way, which it did not).
pub(super) fn is_pure(op: Uop) -> bool {
    op.effects() == UEffects::NONE && !op.is_guard() && !matches!(op, Uop::CONST | Uop::PHI)
}

/// Folds `inst` (inputs already substituted) if what is known allows.
pub(super) fn fold(w: &mut Walk<'_>, inst: &Inst) -> Fold {
    match fold_value(w, inst) {
        Fold::Keep => earlier(w, inst).map_or(Fold::Keep, Fold::Value),
        Fold::Op(op) => {
            // Computed before, generically or already typed.
            let typed = Inst { op, ..*inst };
            match earlier(w, inst).or_else(|| earlier(w, &typed)) {
                Some(v) => Fold::Value(v),
                None => Fold::Op(op),
            }
        }
        folded => folded,
    }
}

/// The result of the same pure computation done before (in a peeled loop, maybe in the
/// preamble).
fn earlier(w: &Walk<'_>, inst: &Inst) -> Option<V> {
    if !is_pure(inst.op) {
        return None;
    }
    w.pure
        .iter()
        .find(|p| p.0 == inst.op && p.1 == inst.args && p.2 == inst.imm)
        .map(|p| p.3)
}

fn fold_value(w: &mut Walk<'_>, inst: &Inst) -> Fold {
    let arg = |k: usize| w.get(inst.args[k]);
    let konst = |k: usize| arg(k).konst;
    match inst.op {
        Uop::CONST => match w.const_vals.iter().find(|c| c.0 == inst.imm[0]) {
            Some(&(_, v)) => Fold::Value(v),
            None => Fold::Keep,
        },
        Uop::LOAD_GLOBAL => {
            let g = inst.imm[0];
            // The trace stored it, and nothing since could have stored it again.
            if let Some(&(_, v)) = w.rel.globals.iter().find(|e| e.0 == g) {
                return Fold::Value(v);
            }
            let value = w.cx.globals.get(g as usize).copied();
            match value {
                Some(v) if !v.is_empty() && !w.stored_globals.contains(&g) => {
                    let a = Assumption::GlobalUnchanged(g);
                    // A side trace joins a loop whose assumptions the VM already watches:
                    // it may only rely on those.
                    if w.assumptions.contains(&a) || w.watched.is_some_and(|ws| ws.contains(&a)) {
                        Fold::Const(v)
                    } else if w.watched.is_some() {
                        Fold::Keep
                    } else {
                        w.assumptions.push(a);
                        Fold::Const(v)
                    }
                }
                _ => Fold::Keep,
            }
        }
        Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT | Uop::DIVMOD_INT => {
            let (x, y) = (arg(0).int_value(), arg(1).int_value());
            if let (Some(x), Some(y)) = (x, y) {
                return match int_arith(inst.op, inst.imm[0], x, y) {
                    Some(r) => Fold::Const(Value::small_int(r)),
                    None => Fold::Keep,
                };
            }
            match (inst.op, x, y) {
                (Uop::ADD_INT, Some(0), _) => Fold::Value(inst.args[1]),
                (Uop::ADD_INT | Uop::SUB_INT, _, Some(0)) => Fold::Value(inst.args[0]),
                (Uop::MUL_INT, Some(1), _) => Fold::Value(inst.args[1]),
                (Uop::MUL_INT, _, Some(1)) => Fold::Value(inst.args[0]),
                _ => Fold::Keep,
            }
        }
        Uop::ADD_FLOAT | Uop::SUB_FLOAT | Uop::MUL_FLOAT => match (konst(0), konst(1)) {
            (Some(x), Some(y)) if x.is_float() && y.is_float() => Fold::Const(float_arith(
                inst.op,
                x.float_unchecked(),
                y.float_unchecked(),
            )),
            _ => Fold::Keep,
        },
        Uop::FLOAT_ARITH => match (konst(0), konst(1), BinOp::from_u32(inst.imm[0])) {
            (Some(x), Some(y), Some(op)) => {
                let r = match (arith::number_as_f64(x), arith::number_as_f64(y)) {
                    (Some(x), Some(y)) => arith::float_binary(op, x, y),
                    _ => None,
                };
                r.map_or(Fold::Keep, |r| Fold::Const(Value::float(r)))
            }
            _ => Fold::Keep,
        },
        Uop::INLINE_ARITH => {
            match (konst(0), konst(1)) {
                (Some(x), Some(y)) => {
                    arith::inline_arith(inst.imm[0], x, y).map_or(Fold::Keep, Fold::Const)
                }
                _ => {
                    // Operands of known types: the uop of that type, which the other passes
                    // know more about (ranges, no exit for floats).
                    let op = BinOp::from_u32(inst.imm[0]).map(BinOp::arith);
                    let (ints, floats) = (
                        arg(0).is_int() && arg(1).is_int(),
                        arg(0).types.within(Types::FLOAT) && arg(1).types.within(Types::FLOAT),
                    );
                    match op {
                        Some(BinOp::Add) if ints => Fold::Op(Uop::ADD_INT),
                        Some(BinOp::Sub) if ints => Fold::Op(Uop::SUB_INT),
                        Some(BinOp::Mul) if ints => Fold::Op(Uop::MUL_INT),
                        Some(
                            BinOp::DivTrunc | BinOp::ModTrunc | BinOp::FloorDiv | BinOp::FloorMod,
                        ) if ints => Fold::Op(Uop::DIVMOD_INT),
                        Some(BinOp::Add) if floats => Fold::Op(Uop::ADD_FLOAT),
                        Some(BinOp::Sub) if floats => Fold::Op(Uop::SUB_FLOAT),
                        Some(BinOp::Mul) if floats => Fold::Op(Uop::MUL_FLOAT),
                        _ => Fold::Keep,
                    }
                }
            }
        }
        Uop::NEG_NUM => match konst(0) {
            Some(x) if x.is_float() => Fold::Const(Value::float(-x.float_unchecked())),
            Some(x) => x
                .as_small_int()
                .and_then(|i| Value::try_small_int(-i))
                .map_or(Fold::Keep, Fold::Const),
            None => Fold::Keep,
        },
        Uop::CMP_INT => {
            let Some(op) = CmpOp::from_u32(inst.imm[0]) else {
                return Fold::Keep;
            };
            let (x, y) = (arg(0), arg(1));
            if !(x.is_int() && y.is_int()) {
                return Fold::Keep;
            }
            // Ranges that settle the comparison whatever the values.
            let known = match op {
                CmpOp::Lt if x.hi < y.lo => Some(true),
                CmpOp::Lt if x.lo >= y.hi => Some(false),
                CmpOp::Le if x.hi <= y.lo => Some(true),
                CmpOp::Le if x.lo > y.hi => Some(false),
                CmpOp::Gt if x.lo > y.hi => Some(true),
                CmpOp::Gt if x.hi <= y.lo => Some(false),
                CmpOp::Ge if x.lo >= y.hi => Some(true),
                CmpOp::Ge if x.hi < y.lo => Some(false),
                CmpOp::Eq | CmpOp::Ne if x.hi < y.lo || x.lo > y.hi => Some(op == CmpOp::Ne),
                CmpOp::Eq | CmpOp::Ne if x.lo == x.hi && y.lo == y.hi => {
                    Some((x.lo == y.lo) == (op == CmpOp::Eq))
                }
                _ => None,
            };
            known.map_or(Fold::Keep, |b| Fold::Const(Value::bool(b)))
        }
        Uop::CMP_NUM => match (konst(0), konst(1)) {
            (Some(x), Some(y)) => arith::inline_compare_seen(inst.imm[0], x, y, |_| {})
                .map_or(Fold::Keep, |b| Fold::Const(Value::bool(b))),
            _ if arg(0).is_int() && arg(1).is_int() => Fold::Op(Uop::CMP_INT),
            _ => Fold::Keep,
        },
        Uop::IS => {
            let neg = inst.imm[0] == 1;
            match (konst(0), konst(1)) {
                (Some(x), Some(y)) => Fold::Const(Value::bool((x == y) != neg)),
                _ if arg(0).types.and(arg(1).types).is_none() => Fold::Const(Value::bool(neg)),
                _ => Fold::Keep,
            }
        }
        Uop::TRUTHY if arg(0).types.within(Types::BOOL) => Fold::Value(inst.args[0]),
        Uop::ITEM => match konst(0).and_then(|t| w.cx.heap.as_tuple(t)) {
            Some(items) => items
                .get(inst.imm[0] as usize)
                .copied()
                .map_or(Fold::Keep, Fold::Const),
            None => Fold::Keep,
        },
        _ => Fold::Keep,
    }
}
