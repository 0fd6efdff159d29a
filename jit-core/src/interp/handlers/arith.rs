//! Handlers for the `Binary`, `Compare` and `Unary` families: the generic forms, their
//! specialized forms, and the superinstructions that fuse loads into them
//! (`LocalIntArith`, `LoadIntCompareJump`, ...). The arithmetic itself is
//! [`crate::arith`]'s, so every path computes the same result.

use crate::arith::{
    self, compare_numbers, compare_small_ints, inline_arith_seen, inline_compare_seen,
};
use crate::bytecode::{BinOp, CmpOp, Instr, Op, UnOp};
use crate::interp::exec::Exec;
use crate::ops;
use crate::semantics::{Exception, Semantics};
use crate::value::Value;

impl<S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
    Exec<'_, S, ADAPTIVE, STATS, TRACE>
{
    /// `Binary`: counts down toward specialization, then the generic operation.
    #[inline(always)]
    pub fn binary(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        self.generic_binary(ins)
    }

    /// The generic `Binary` on the two top values. Both stay on the stack (rooted) until
    /// the operation is done, since `list += iterable` may run guest code and collect.
    #[inline(always)]
    pub fn generic_binary(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        // The verifier checked the operand is a valid `BinOp`.
        let op = BinOp::from_u32(ins.a).unwrap_or(BinOp::Add);
        let r = if op == BinOp::InplaceAdd && self.core.heap.as_array(a).is_some() {
            // `list += iterable` extends in place, from any iterable: the frontend's
            // list extension may run guest code (an iterator), so it gets the VM.
            self.before_call_out();
            self.sem.list_extend(self.core, a, b)?;
            a
        } else {
            ops::binary(&mut self.core.heap, self.sem, op, a, b)?
        };
        self.drop_n(1);
        self.set_peek(0, r);
        Ok(())
    }

    /// Replaces the two operands of a binary operation by its result.
    #[inline(always)]
    fn binary_result(&mut self, ins: Instr, r: Value) {
        self.hit(ins);
        self.drop_n(1);
        self.set_peek(0, r);
    }

    /// `BinaryAddInt`, `BinarySubInt`, `BinaryMulInt`, `BinaryDivModInt`: guard: two
    /// inline ints (and a non-zero divisor); action: the int operation, whose result
    /// must stay inline.
    #[inline(always)]
    pub fn binary_int(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        if Value::both_small_ints(a, b) {
            let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
            // Inline ints are 48-bit, so sums and differences fit an i64.
            let r = match ins.op {
                Op::BinaryAddInt => Some(x + y),
                Op::BinarySubInt => Some(x - y),
                Op::BinaryMulInt => x.checked_mul(y),
                _ => BinOp::from_u32(ins.a).and_then(|op| arith::small_int_binary(op, x, y)),
            };
            if let Some(v) = r.and_then(Value::try_small_int) {
                self.binary_result(ins, v);
                return Ok(());
            }
        }
        self.miss(ins);
        self.generic_binary(ins)
    }

    /// `BinaryAddFloat`, `BinarySubFloat`, `BinaryMulFloat`: guard: two floats.
    #[inline(always)]
    pub fn binary_float(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        if a.is_float() && b.is_float() {
            let (x, y) = (a.float_unchecked(), b.float_unchecked());
            let r = match ins.op {
                Op::BinaryAddFloat => x + y,
                Op::BinarySubFloat => x - y,
                _ => x * y,
            };
            self.binary_result(ins, Value::float(r));
            return Ok(());
        }
        self.miss(ins);
        self.generic_binary(ins)
    }

    /// `BinaryFloatMixed`: guard: two numbers, one a float; action: the float operation.
    #[inline(always)]
    pub fn binary_float_mixed(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        if a.is_float() || b.is_float() {
            let xy = (arith::number_as_f64(a), arith::number_as_f64(b));
            if let (Some(x), Some(y), Some(op)) = (xy.0, xy.1, BinOp::from_u32(ins.a)) {
                if let Some(r) = arith::float_binary(op, x, y) {
                    self.binary_result(ins, Value::float(r));
                    return Ok(());
                }
            }
        }
        self.miss(ins);
        self.generic_binary(ins)
    }

    /// `BinaryAddStr`: guard: two strings; action: concatenation.
    #[inline(always)]
    pub fn binary_add_str(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        if let Some(v) = ops::concat(&mut self.core.heap, a, b) {
            self.binary_result(ins, v);
            return Ok(());
        }
        self.miss(ins);
        self.generic_binary(ins)
    }

    /// `Compare`.
    #[inline(always)]
    pub fn compare(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        self.generic_compare(ins)
    }

    /// The generic `Compare` on the two top values.
    #[inline(always)]
    pub fn generic_compare(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        // The verifier checked the operand is a valid `CmpOp`.
        let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
        let r = ops::compare(&mut self.core.heap, self.sem, op, a, b)?;
        self.drop_n(1);
        self.set_peek(0, r);
        Ok(())
    }

    /// `CompareInt`, `CompareFloat`, `CompareStr`.
    #[inline(always)]
    pub fn compare_specialized(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
        let r = match ins.op {
            Op::CompareInt => compare_small_ints(op, a, b),
            Op::CompareFloat => compare_numbers(op, a, b),
            _ => match (self.core.heap.as_str(a), self.core.heap.as_str(b)) {
                (Some(x), Some(y)) => Some(arith::cmp_ord(op, x.as_bytes().cmp(y.as_bytes()))),
                _ => None,
            },
        };
        if let Some(r) = r {
            self.binary_result(ins, Value::bool(r));
            return Ok(());
        }
        self.miss(ins);
        self.generic_compare(ins)
    }

    /// `CompareIntJumpIfFalse`, `CompareFloatJumpIfFalse`: the comparison, then the
    /// absorbed `JumpIfFalse`.
    #[inline(always)]
    pub fn compare_jump(&mut self, ins: Instr) -> Result<(), Exception> {
        let (a, b) = (self.peek(1), self.peek(0));
        let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
        let r = if ins.op == Op::CompareIntJumpIfFalse {
            compare_small_ints(op, a, b)
        } else {
            compare_numbers(op, a, b)
        };
        if let Some(r) = r {
            self.hit(ins);
            self.drop_n(2);
            let jump = self.absorbed(0);
            self.note_branch(jump, !r);
            if r {
                self.skip(1);
            } else {
                self.jump_to(jump.a);
            }
            return Ok(());
        }
        self.miss(ins);
        self.generic_compare(ins)
    }

    /// `Unary`.
    #[inline(always)]
    pub fn unary(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        let v = self.peek(0);
        // The verifier checked the operand is a valid `UnOp`.
        let op = UnOp::from_u32(ins.a).unwrap_or(UnOp::Neg);
        let r = ops::unary(&mut self.core.heap, self.sem, op, v)?;
        self.set_peek(0, r);
        Ok(())
    }

    /// `UnaryNegNum`: guard: an inline int or a float.
    #[inline(always)]
    pub fn unary_neg_num(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.peek(0);
        let r = if v.is_float() {
            Some(Value::float(-v.float_unchecked()))
        } else if v.is_small_int() {
            // The negation of a 48-bit int always fits in 48 bits except for the
            // minimum, which `try_small_int` rejects.
            Value::try_small_int(-v.small_int_unchecked())
        } else {
            None
        };
        if let Some(r) = r {
            self.hit(ins);
            self.set_peek(0, r);
            return Ok(());
        }
        self.miss(ins);
        let r = ops::unary(&mut self.core.heap, self.sem, UnOp::Neg, v)?;
        self.set_peek(0, r);
        Ok(())
    }

    /// `LocalIntArith`, `LocalLocalArith`, `LocalConstArith`: `LoadLocal a; Load* k;
    /// Binary` on inline numbers; otherwise just the `LoadLocal`.
    #[inline(always)]
    pub fn fused_local_arith(&mut self, ins: Instr) {
        let (second, bin) = (self.absorbed(0), self.absorbed(1));
        let y = match ins.op {
            Op::LocalIntArith => Value::small_int(second.a as i32 as i64),
            Op::LocalConstArith => self.konst(second.a),
            _ => self.local(second.a),
        };
        let x = self.local(ins.a);
        if let Some(r) = inline_arith_seen(bin.a, x, y, |k| self.note_seen(k)) {
            self.hit(ins);
            self.push(r);
            self.skip(2);
            return;
        }
        self.push(x);
    }

    /// `LoadLocalArith`, `LoadIntArith`, `LoadConstArith`: `Load* k; Binary` with the top
    /// on inline numbers; otherwise just the load.
    #[inline(always)]
    pub fn fused_arith(&mut self, ins: Instr) {
        let b = match ins.op {
            Op::LoadLocalArith => self.local(ins.a),
            Op::LoadConstArith => self.konst(ins.a),
            _ => Value::small_int(ins.a as i32 as i64),
        };
        let bin = self.absorbed(0);
        let a = self.peek(0);
        if let Some(r) = inline_arith_seen(bin.a, a, b, |k| self.note_seen(k)) {
            self.hit(ins);
            self.set_peek(0, r);
            self.skip(1);
            return;
        }
        self.push(b);
    }

    /// `LocalIntCompareJump`, `LocalLocalCompareJump`: `LoadLocal a; Load* k; Compare;
    /// JumpIfFalse` on inline numbers; otherwise just the `LoadLocal`.
    #[inline(always)]
    pub fn fused_local_compare_jump(&mut self, ins: Instr) {
        let (second, cmp, jump) = (self.absorbed(0), self.absorbed(1), self.absorbed(2));
        let y = if ins.op == Op::LocalIntCompareJump {
            Value::small_int(second.a as i32 as i64)
        } else {
            self.local(second.a)
        };
        let x = self.local(ins.a);
        if let Some(r) = inline_compare_seen(cmp.a, x, y, |k| self.note_seen(k)) {
            self.hit(ins);
            self.note_branch(jump, !r);
            if r {
                self.skip(3);
            } else {
                self.jump_to(jump.a);
            }
            return;
        }
        self.push(x);
    }

    /// `LoadIntCompareJump`: `LoadInt k; Compare; JumpIfFalse` with the top an inline
    /// number; otherwise just the `LoadInt`.
    #[inline(always)]
    pub fn fused_int_compare_jump(&mut self, ins: Instr) {
        let b = Value::small_int(ins.a as i32 as i64);
        let (cmp, jump) = (self.absorbed(0), self.absorbed(1));
        let a = self.peek(0);
        if let Some(r) = inline_compare_seen(cmp.a, a, b, |k| self.note_seen(k)) {
            self.hit(ins);
            self.drop_n(1);
            self.note_branch(jump, !r);
            if r {
                self.skip(2);
            } else {
                self.jump_to(jump.a);
            }
            return;
        }
        self.push(b);
    }
}
