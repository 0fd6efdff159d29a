//! Tier 1: quickening generic instructions into specialized, guarded forms.
//!
//! Each cached instruction has a [`Cache`] entry whose `counter` drives adaptation, as in
//! CPython 3.11:
//!
//! - A generic instruction counts down on every execution. At zero it looks at the
//!   operands on the stack and, if a specialized form fits, rewrites itself in place
//!   (`Binary(Add)` -> `BinaryAddInt`) and sets the counter to [`MISS_BUDGET`]. If none
//!   fits it backs off: the next attempt is `2^k` executions away, `k` growing by one per
//!   failure up to [`MAX_BACKOFF`].
//! - A specialized instruction checks its guard. A hit does the work and touches nothing
//!   else; a miss runs the generic behaviour and counts the budget down. When the budget
//!   is spent, the instruction is rewritten back to its generic form with a backed-off
//!   counter, so a site whose types keep changing settles on the generic form and stops
//!   paying for failed guards.
//!
//! Specialized forms keep their family's operand and stack effect, so the verifier's
//! facts still hold after quickening (a test re-verifies quickened code).

use crate::bytecode::{BinOp, Cache, CmpOp, Code, Instr, Module, Op};
use crate::heap::{Heap, Obj};
use crate::ops;
use crate::value::Value;

/// Executions of a generic instruction before the first specialization attempt.
pub const WARMUP: u16 = 2;
/// Guard failures a specialized instruction tolerates before it de-specializes.
pub const MISS_BUDGET: u16 = 52;
/// The largest backoff exponent (a wait of 4096 executions).
pub const MAX_BACKOFF: u8 = 12;

/// Prepares `code` for tier 1: sets every cache to its warm-up count and forms the
/// superinstructions (see the `Op` table), which need no runtime information.
pub fn prime_caches(code: &Code) {
    for c in code.caches.iter() {
        c.set(Cache {
            counter: WARMUP,
            ..Cache::default()
        });
    }
    // Back to front, so that when an instruction is considered, the ones after it have
    // their final form: a pair only absorbs a plain instruction, never the start of a
    // longer superinstruction (which would then never run).
    let family = |pc: usize| code.instrs.get(pc).map(|c| c.get().op.family());
    let plain = |pc: usize| code.instrs.get(pc).map(|c| c.get().op);
    for pc in (0..code.instrs.len()).rev() {
        let ins = code.instrs[pc].get();
        let (next, after, third) = (family(pc + 1), family(pc + 2), family(pc + 3));
        let fused = match (ins.op, next, after) {
            (Op::LoadLocal, Some(Op::LoadInt), Some(Op::Compare))
                if third == Some(Op::JumpIfFalse) =>
            {
                Op::LocalIntCompareJump
            }
            (Op::LoadLocal, Some(Op::LoadLocal), Some(Op::Compare))
                if third == Some(Op::JumpIfFalse) =>
            {
                Op::LocalLocalCompareJump
            }
            (Op::ForRange, Some(Op::StoreLocal), _) => Op::ForRangeStore,
            (Op::LoadLocal, Some(Op::LoadInt), Some(Op::Binary)) => Op::LocalIntArith,
            (Op::LoadLocal, Some(Op::LoadLocal), Some(Op::Binary)) => Op::LocalLocalArith,
            (Op::LoadLocal, Some(Op::LoadConst), Some(Op::Binary)) => Op::LocalConstArith,
            (Op::LoadLocal, Some(Op::Binary), _) => Op::LoadLocalArith,
            (Op::LoadLocal, Some(Op::Return), _) => Op::ReturnLocal,
            (Op::LoadLocal, Some(Op::Index), _) => Op::LoadLocalIndex,
            (Op::LoadLocal, _, _) if plain(pc + 1) == Some(Op::LoadLocal) => Op::LoadLocalLoadLocal,
            (Op::LoadLocal, _, _) if plain(pc + 1) == Some(Op::LoadInt) => Op::LoadLocalLoadInt,
            (Op::LoadLocal, _, _) if plain(pc + 1) == Some(Op::LoadConst) => Op::LoadLocalLoadConst,
            (Op::LoadConst, Some(Op::Binary), _) => Op::LoadConstArith,
            (Op::LoadConst, _, _) if plain(pc + 1) == Some(Op::LoadLocal) => Op::LoadConstLoadLocal,
            (Op::StoreLocal, _, _) if plain(pc + 1) == Some(Op::LoadLocal) => {
                Op::StoreLocalLoadLocal
            }
            (Op::StoreLocal, _, _) if plain(pc + 1) == Some(Op::StoreLocal) => {
                Op::StoreLocalStoreLocal
            }
            (Op::UnpackSequence, _, _)
                if (1..=ins.a as usize).all(|k| family(pc + k) == Some(Op::StoreLocal)) =>
            {
                Op::UnpackStore
            }
            (Op::LoadInt, Some(Op::Binary), _) => Op::LoadIntArith,
            (Op::LoadInt, Some(Op::Compare), Some(Op::JumpIfFalse)) => Op::LoadIntCompareJump,
            _ => continue,
        };
        code.instrs[pc].set(Instr { op: fused, ..ins });
    }
}

/// `a op b` when the core computes it inline without allocating (small ints whose result
/// stays small, or numbers with at least one float), exactly as [`ops::binary`] would;
/// `None` otherwise.
#[inline(always)]
pub fn inline_arith(op: u32, a: Value, b: Value) -> Option<Value> {
    let op = BinOp::from_u32(op)?.arith();
    if Value::both_small_ints(a, b) {
        let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
        // Inline ints are 48-bit, so sums, differences and quotients fit in an i64.
        let r = match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x.checked_mul(y)?,
            BinOp::DivTrunc if y != 0 => x / y,
            BinOp::ModTrunc if y != 0 => x % y,
            BinOp::FloorMod if y != 0 => ops::floor_mod(x, y),
            BinOp::TrueDiv if y != 0 => return Some(Value::float(x as f64 / y as f64)),
            _ => return None,
        };
        return Value::try_small_int(r);
    }
    if a.is_float() || b.is_float() {
        let r = ops::float_binary(op, number_as_f64(a)?, number_as_f64(b)?)?;
        return Some(Value::float(r));
    }
    None
}

/// `a op b` for two small ints or two numbers with a float, as [`ops::compare`] would.
#[inline(always)]
pub fn inline_compare(op: u32, a: Value, b: Value) -> Option<bool> {
    let op = CmpOp::from_u32(op)?;
    if Value::both_small_ints(a, b) {
        return Some(ops::cmp_ord(
            op,
            a.small_int_unchecked().cmp(&b.small_int_unchecked()),
        ));
    }
    compare_numbers(op, a, b)
}

/// Grows the backoff after a failed attempt or a de-specialization.
pub fn back_off(c: &mut Cache) {
    c.backoff = (c.backoff + 1).min(MAX_BACKOFF);
    c.counter = 1 << c.backoff;
}

/// A float, or a small int converted to float.
#[inline(always)]
pub fn number_as_f64(v: Value) -> Option<f64> {
    if v.is_float() {
        Some(v.float_unchecked())
    } else {
        v.as_small_int().map(|i| i as f64)
    }
}

/// `a op b` when both are numbers (floats or small ints) and at least one is a float.
#[inline(always)]
pub fn compare_numbers(op: CmpOp, a: Value, b: Value) -> Option<bool> {
    if !(a.is_float() || b.is_float()) {
        return None;
    }
    Some(ops::cmp_f64(op, number_as_f64(a)?, number_as_f64(b)?))
}

/// Picks a specialized form for `ins` (at `pc` in `code`) given the current operand
/// stack `stack` (its top is the last element). Returns the new opcode and the cache's
/// `aux` datum, or `None` when no form fits.
pub fn specialize(
    heap: &Heap,
    module: &Module,
    code: &Code,
    pc: usize,
    ins: Instr,
    stack: &[Value],
    zero_is_false: bool,
) -> Option<(Op, u32)> {
    let top = |n: usize| stack.len().checked_sub(n + 1).map(|i| stack[i]);
    let op = match ins.op {
        Op::Binary => {
            let (a, b) = (top(1)?, top(0)?);
            let kind = BinOp::from_u32(ins.a)?.arith();
            if Value::both_small_ints(a, b) {
                match kind {
                    BinOp::Add => Op::BinaryAddInt,
                    BinOp::Sub => Op::BinarySubInt,
                    BinOp::Mul => Op::BinaryMulInt,
                    BinOp::DivTrunc | BinOp::ModTrunc | BinOp::FloorDiv | BinOp::FloorMod => {
                        Op::BinaryDivModInt
                    }
                    _ => return None,
                }
            } else if a.is_float() && b.is_float() && kind == BinOp::Add {
                Op::BinaryAddFloat
            } else if a.is_float() && b.is_float() && kind == BinOp::Sub {
                Op::BinarySubFloat
            } else if a.is_float() && b.is_float() && kind == BinOp::Mul {
                Op::BinaryMulFloat
            } else if (a.is_float() || b.is_float())
                && number_as_f64(a).is_some()
                && number_as_f64(b).is_some()
                && matches!(
                    kind,
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::DivTrunc | BinOp::TrueDiv
                )
            {
                Op::BinaryFloatMixed
            } else if kind == BinOp::Add && heap.as_str(a).is_some() && heap.as_str(b).is_some() {
                Op::BinaryAddStr
            } else {
                return None;
            }
        }
        Op::Compare => {
            let (a, b) = (top(1)?, top(0)?);
            let fused = code
                .instrs
                .get(pc + 1)
                .is_some_and(|next| next.get().op.family() == Op::JumpIfFalse);
            if Value::both_small_ints(a, b) {
                if fused {
                    Op::CompareIntJumpIfFalse
                } else {
                    Op::CompareInt
                }
            } else if compare_numbers(CmpOp::Eq, a, b).is_some() {
                if fused {
                    Op::CompareFloatJumpIfFalse
                } else {
                    Op::CompareFloat
                }
            } else if heap.as_str(a).is_some() && heap.as_str(b).is_some() {
                Op::CompareStr
            } else {
                return None;
            }
        }
        Op::Unary => {
            let v = top(0)?;
            if ins.a == crate::bytecode::UnOp::Neg as u32 && (v.is_float() || v.is_small_int()) {
                Op::UnaryNegNum
            } else {
                return None;
            }
        }
        Op::JumpIfFalse if top(0)?.is_bool() => Op::JumpIfFalseBool,
        Op::JumpIfTrue if top(0)?.is_bool() => Op::JumpIfTrueBool,
        Op::JumpIfFalse if zero_is_false && top(0)?.is_small_int() => Op::JumpIfFalseInt,
        Op::JumpIfTrue if zero_is_false && top(0)?.is_small_int() => Op::JumpIfTrueInt,
        Op::Index => {
            let (c, i) = (top(1)?, top(0)?);
            match heap.get(c) {
                Some(Obj::Array(_)) if i.is_small_int() => Op::IndexArrayInt,
                Some(Obj::Tuple(_)) if i.is_small_int() => Op::IndexTupleInt,
                Some(Obj::Host(h)) if h.index_get(heap, i).is_some() => Op::IndexHost,
                _ => return None,
            }
        }
        Op::StoreIndex => {
            let (c, i) = (top(2)?, top(1)?);
            if heap.as_array(c).is_some() && i.is_small_int() {
                Op::StoreIndexArrayInt
            } else {
                return None;
            }
        }
        Op::StoreSubscr => {
            let (c, i) = (top(1)?, top(0)?);
            if heap.as_array(c).is_some() && i.is_small_int() {
                Op::StoreSubscrArrayInt
            } else {
                return None;
            }
        }
        Op::Call => {
            let argc = ins.a as usize;
            match heap.get(top(argc)?) {
                Some(Obj::Function(f)) => {
                    let callee = module.codes.get(f.code as usize)?;
                    if callee.takes_exactly(argc) {
                        return Some((Op::CallFunctionExact, f.code));
                    }
                    return None;
                }
                Some(Obj::Native(_)) => Op::CallNative,
                _ => return None,
            }
        }
        Op::ForIter => {
            let store = code
                .instrs
                .get(pc + 1)
                .is_some_and(|n| n.get().op.family() == Op::StoreLocal);
            match (heap.get(top(0)?), store) {
                (Some(Obj::RangeIter(_)), false) => Op::ForIterRange,
                (Some(Obj::RangeIter(_)), true) => Op::ForIterRangeStore,
                (Some(Obj::SeqIter(_)), false) => Op::ForIterSeq,
                (Some(Obj::SeqIter(_)), true) => Op::ForIterSeqStore,
                _ => return None,
            }
        }
        Op::UnpackSequence => match heap.get(top(0)?) {
            Some(Obj::Tuple(t)) if t.len() == ins.a as usize => Op::UnpackTuple,
            Some(Obj::Array(a)) if a.len() == ins.a as usize => Op::UnpackArray,
            _ => return None,
        },
        _ => return None,
    };
    Some((op, 0))
}
