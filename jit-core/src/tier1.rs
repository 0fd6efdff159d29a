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

use crate::arith::{compare_numbers, number_as_f64};
use crate::bytecode::{BinOp, Cache, CmpOp, Code, Instr, Module, Op};
use crate::heap::{Heap, Obj};
use crate::optable::{Fusion, PRIME_FUSIONS};
use crate::value::Value;

/// Executions of a generic instruction before the first specialization attempt.
pub const WARMUP: u16 = 2;
/// Guard failures a specialized instruction tolerates before it de-specializes.
pub const MISS_BUDGET: u16 = 52;
/// The largest backoff exponent (a wait of 4096 executions).
pub const MAX_BACKOFF: u8 = 12;

/// Executions of a backward `Jump` before its loop counts as hot (and, from then on,
/// between two reports, with the same backoff as specialization attempts).
pub const HOT_LOOP: u16 = 16;

/// Type feedback in the `b` of a superinstruction ([`crate::optable::BUse::Seen`]): it
/// computed its absorbed operation on two inline ints.
pub const SEEN_INT: u8 = 1;
/// Type feedback: on numbers with at least one float.
pub const SEEN_FLOAT: u8 = 2;
/// Type feedback: indexed an array.
pub const SEEN_ARRAY: u8 = 4;
/// Type feedback: indexed a tuple.
pub const SEEN_TUPLE: u8 = 8;

/// Branch history for tier 2, in a conditional jump's cache (`Cache::pad`), recorded only
/// under `--mode uops`: the jump fell through the last time it ran. The trace projector
/// follows the side taken last, as the "path tier 1 took most recently".
pub const LAST_FELL_THROUGH: u8 = 1;
/// Branch history: the jump was taken the last time it ran.
pub const LAST_JUMPED: u8 = 2;

/// Prepares `code` for tier 1: sets every cache to its warm-up count (a backward jump's
/// to [`HOT_LOOP`]) and forms the superinstructions the table forms at priming
/// ([`PRIME_FUSIONS`]), which need no runtime information.
pub fn prime_caches(code: &Code) {
    for cell in code.instrs.iter() {
        let ins = cell.get();
        if ins.op.has_cache() {
            let counter = if ins.op.family() == Op::Jump {
                HOT_LOOP
            } else {
                WARMUP
            };
            code.caches[ins.b as usize].set(Cache {
                counter,
                ..Cache::default()
            });
        }
    }
    // Back to front, so that when an instruction is considered, the ones after it have
    // their final form: a pair that needs plain successors never absorbs the start of a
    // longer superinstruction (which would then never run).
    for pc in (0..code.instrs.len()).rev() {
        let ins = code.instrs[pc].get();
        if let Some(&fused) = PRIME_FUSIONS
            .iter()
            .find(|f| fusion_fits(code, pc, ins, **f))
        {
            code.instrs[pc].set(Instr { op: fused, ..ins });
        }
    }
}

/// True when the superinstruction `fused` can replace `ins` at `pc`: `ins` is its head
/// and the instructions after it are the ones it absorbs.
fn fusion_fits(code: &Code, pc: usize, ins: Instr, fused: Op) -> bool {
    if ins.op != fused.family() {
        return false;
    }
    let at = |k: usize| code.instrs.get(pc + k).map(|c| c.get().op);
    match fused.row().fusion {
        Fusion::Absorbs { next, plain, .. } => next.iter().enumerate().all(|(k, &want)| {
            at(k + 1).is_some_and(|op| {
                if plain {
                    op == want
                } else {
                    op.family() == want
                }
            })
        }),
        Fusion::StoresA => {
            (1..=ins.a as usize).all(|k| at(k).is_some_and(|op| op.family() == Op::StoreLocal))
        }
        Fusion::None => false,
    }
}

/// Sets every loop's hotness counter (the backward `Jump`s' caches) to `count`
/// (`--hot`).
pub fn prime_loops(code: &Code, count: u16) {
    for cell in code.instrs.iter() {
        let ins = cell.get();
        if ins.op == Op::Jump {
            let c = &code.caches[ins.b as usize];
            c.set(Cache {
                counter: count,
                ..c.get()
            });
        }
    }
}

/// Rewrites the `JumpExecutor` at `pc` back to `Jump` (its executor was invalidated),
/// with a backed-off hotness counter so the loop is offered again later.
pub fn revert_executor(code: &Code, pc: usize) {
    let Some(cell) = code.instrs.get(pc) else {
        return;
    };
    let ins = cell.get();
    if ins.op != Op::JumpExecutor {
        return;
    }
    cell.set(Instr {
        op: Op::Jump,
        ..ins
    });
    let c = &code.caches[ins.b as usize];
    let mut cache = c.get();
    back_off(&mut cache);
    c.set(cache);
}

/// Rewrites every `StoreGlobal g` of `code` into `StoreGlobalWatched` (a trace assumed
/// the global's value).
pub fn watch_stores(code: &Code, g: u32) {
    for cell in code.instrs.iter() {
        let ins = cell.get();
        if ins.op == Op::StoreGlobal && ins.a == g {
            cell.set(Instr {
                op: Op::StoreGlobalWatched,
                ..ins
            });
        }
    }
}

/// Grows the backoff after a failed attempt or a de-specialization.
pub fn back_off(c: &mut Cache) {
    c.backoff = (c.backoff + 1).min(MAX_BACKOFF);
    c.counter = 1 << c.backoff;
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
