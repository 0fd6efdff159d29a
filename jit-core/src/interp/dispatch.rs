//! The dispatch loop: one `match` over the instruction set, shared by the generic
//! interpreter and tier 1, sending each instruction to its family's handler.
//!
//! The handlers live in one file per group of families of the instruction table
//! ([`crate::optable`]): `stack.rs` (constants, locals, globals, cells, stack shuffles),
//! `arith.rs` (`Binary`, `Compare`, `Unary` and the fused arithmetic), `control.rs`
//! (jumps, loops, iteration, return), `calls.rs` (calls and function creation) and
//! `data.rs` (containers, attributes, strings, imports, raising). Each generic family
//! sits next to its specialized forms and superinstructions. They are methods of
//! [`Exec`], written with its primitives, which hold the loop's only unchecked accesses.

use super::exec::Exec;
use super::VmCore;
use crate::bytecode::Op;
use crate::semantics::{Exception, Semantics};
use crate::value::Value;

/// Runs the frame on top of `core.frames` until the frame at index `stop_depth` returns.
pub(super) fn run_loop<S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>(
    core: &mut VmCore,
    sem: &mut S,
    stop_depth: usize,
) -> Result<Value, Exception> {
    let Some(mut m) = Exec::<S, ADAPTIVE, STATS, TRACE>::new(core, sem) else {
        return Err(Exception::msg("internal error: no verified frame to run"));
    };
    let result: Result<Value, Exception> = loop {
        let ins = m.fetch();
        if STATS {
            m.core.stats.instructions += 1;
            m.check_depth();
        }
        // Runs a handler; its error ends the loop. Each arm continues the loop
        // directly on success, so no result flows through a join point.
        macro_rules! run {
            ($e:expr) => {
                if let Err(e) = $e {
                    break Err(e);
                }
            };
        }
        match ins.op {
            // ---- stack.rs
            Op::Nop => {}
            Op::Pop => {
                m.drop_n(1);
            }
            Op::Dup => {
                m.push(m.peek(0));
            }
            Op::Swap => {
                let (a, b) = (m.peek(1), m.peek(0));
                m.set_peek(1, b);
                m.set_peek(0, a);
            }
            Op::CopyN => {
                m.push(m.peek(ins.a as usize - 1));
            }
            Op::SwapN => {
                let (top, other) = (m.peek(0), m.peek(ins.a as usize - 1));
                m.set_peek(0, other);
                m.set_peek(ins.a as usize - 1, top);
            }
            Op::LoadConst => {
                m.push(m.konst(ins.a));
            }
            Op::LoadInt => {
                m.push(Value::small_int(ins.a as i32 as i64));
            }
            Op::LoadNil => {
                m.push(Value::NIL);
            }
            Op::LoadTrue => {
                m.push(Value::TRUE);
            }
            Op::LoadFalse => {
                m.push(Value::FALSE);
            }
            Op::LoadLocal => {
                m.push(m.local(ins.a));
            }
            Op::StoreLocal => {
                let v = m.pop();
                m.set_local(ins.a, v);
            }
            Op::LoadGlobal => run!(m.load_global(ins)),
            Op::LoadGlobalBuiltin => run!(m.load_global_builtin(ins)),
            Op::StoreGlobal => {
                let v = m.pop();
                m.store_global(ins.a, v);
            }
            Op::StoreGlobalWatched => {
                let v = m.pop();
                m.store_global(ins.a, v);
                m.core.global_stored(ins.a);
            }
            Op::LoadLocalChecked => run!(m.load_local_checked(ins)),
            Op::DeleteLocal => {
                m.set_local(ins.a, Value::EMPTY);
            }
            Op::MakeCell => run!(m.make_cell(ins)),
            Op::LoadDeref => run!(m.load_deref(ins)),
            Op::StoreDeref => run!(m.store_deref(ins)),
            Op::CopyFreeVars => run!(m.copy_free_vars(ins)),
            Op::LoadLocalLoadLocal
            | Op::LoadLocalLoadInt
            | Op::StoreLocalLoadLocal
            | Op::StoreLocalStoreLocal
            | Op::LoadLocalLoadConst
            | Op::LoadConstLoadLocal => {
                m.fused_pair(ins);
            }

            // ---- arith.rs
            Op::Binary => run!(m.binary(ins)),
            Op::BinaryAddInt | Op::BinarySubInt | Op::BinaryMulInt | Op::BinaryDivModInt => {
                run!(m.binary_int(ins))
            }
            Op::BinaryAddFloat | Op::BinarySubFloat | Op::BinaryMulFloat => {
                run!(m.binary_float(ins))
            }
            Op::BinaryFloatMixed => run!(m.binary_float_mixed(ins)),
            Op::BinaryAddStr => run!(m.binary_add_str(ins)),
            Op::Compare => run!(m.compare(ins)),
            Op::CompareInt | Op::CompareFloat | Op::CompareStr => run!(m.compare_specialized(ins)),
            Op::CompareIntJumpIfFalse | Op::CompareFloatJumpIfFalse => run!(m.compare_jump(ins)),
            Op::Unary => run!(m.unary(ins)),
            Op::UnaryNegNum => run!(m.unary_neg_num(ins)),
            Op::LocalIntArith | Op::LocalLocalArith | Op::LocalConstArith => {
                m.fused_local_arith(ins);
            }
            Op::LoadLocalArith | Op::LoadIntArith | Op::LoadConstArith => {
                m.fused_arith(ins);
            }
            Op::LocalIntCompareJump | Op::LocalLocalCompareJump => {
                m.fused_local_compare_jump(ins);
            }
            Op::LoadIntCompareJump => {
                m.fused_int_compare_jump(ins);
            }

            // ---- control.rs
            Op::Jump => run!(m.jump(ins)),
            Op::JumpExecutor => run!(m.jump_executor(ins)),
            Op::JumpIfFalse | Op::JumpIfTrue => run!(m.cond_jump_adaptive(ins)),
            Op::JumpIfFalseBool | Op::JumpIfTrueBool => run!(m.jump_if_bool(ins)),
            Op::JumpIfFalseInt | Op::JumpIfTrueInt => run!(m.jump_if_int(ins)),
            Op::JumpIfFalseOrPop | Op::JumpIfTrueOrPop => run!(m.jump_or_pop(ins)),
            Op::CheckIntBound => run!(m.check_int_bound(ins)),
            Op::ForRange => {
                m.for_range(ins);
            }
            Op::ForRangeStore => {
                m.for_range_store(ins);
            }
            Op::GetIter => run!(m.get_iter()),
            Op::ForIter => run!(m.for_iter(ins)),
            Op::ForIterRange | Op::ForIterSeq => run!(m.for_iter_specialized(ins)),
            Op::ForIterRangeStore | Op::ForIterSeqStore => run!(m.for_iter_store(ins)),
            Op::Return => {
                let v = m.pop();
                if let Some(v) = m.leave(v, stop_depth) {
                    break Ok(v);
                }
            }
            Op::ReturnLocal => {
                // The absorbed `Return` runs next, as itself.
                m.push(m.local(ins.a));
            }

            // ---- calls.rs
            Op::Call => run!(m.call(ins)),
            Op::CallFunctionExact => run!(m.call_function_exact(ins)),
            Op::CallNative => run!(m.call_native(ins)),
            Op::CallKw => run!(m.call_kw(ins)),
            Op::CallMethod | Op::CallMethodKw => run!(m.call_method(ins)),
            Op::MakeFunction => {
                m.make_function(ins);
            }

            // ---- data.rs
            Op::Index => run!(m.index(ins)),
            Op::IndexArrayInt | Op::IndexTupleInt | Op::IndexHost => run!(m.index_specialized(ins)),
            Op::LoadLocalIndex => {
                m.fused_local_index(ins);
            }
            Op::StoreIndex | Op::StoreSubscr => run!(m.store_index(ins)),
            Op::StoreIndexArrayInt | Op::StoreSubscrArrayInt => run!(m.store_index_array_int(ins)),
            Op::DeleteIndex => run!(m.delete_index()),
            Op::UnpackSequence | Op::UnpackTuple | Op::UnpackArray | Op::UnpackStore => {
                run!(m.unpack(ins))
            }
            Op::BuildArray => {
                m.build_array(ins);
            }
            Op::BuildTuple => {
                m.build_tuple(ins);
            }
            Op::BuildMap => run!(m.build_map(ins)),
            Op::BuildMapConstKeys => run!(m.build_map_const_keys(ins)),
            Op::BuildSlice => run!(m.build_slice(ins)),
            Op::BuildString => run!(m.build_string(ins)),
            Op::FormatValue => run!(m.format_value(ins)),
            Op::ListAppend => run!(m.list_append(ins)),
            Op::ListExtend => run!(m.list_extend(ins)),
            Op::MapAdd => run!(m.map_add(ins)),
            Op::ListToTuple => run!(m.list_to_tuple()),
            Op::LoadAttr => run!(m.load_attr(ins)),
            Op::StoreAttr => run!(m.store_attr(ins)),
            Op::IsOp => {
                let b = m.pop();
                let a = m.pop();
                m.push(Value::bool((a == b) != (ins.a == 1)));
            }
            Op::ContainsOp => run!(m.contains(ins)),
            Op::Import => run!(m.import(ins)),
            Op::Raise => break Err(m.raise(ins)),
        }
    };
    match result {
        Ok(v) => Ok(v),
        Err(mut e) => {
            if e.traceback.is_empty() {
                let pc = m.pc().saturating_sub(1);
                e.traceback = m.core.traceback(pc);
            }
            m.core.frames.truncate(stop_depth);
            Err(e)
        }
    }
}
