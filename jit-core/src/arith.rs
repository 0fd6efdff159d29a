//! The core's number arithmetic, defined once: the generic operations ([`crate::ops`]),
//! the specialized forms and the superinstructions all compute through these functions,
//! so an operation the core does inline gives the same answer on every path.

use crate::bytecode::{BinOp, CmpOp};
use crate::tier1::{SEEN_FLOAT, SEEN_INT};
use crate::value::Value;

/// A float, or an inline int converted to a float; `None` for anything else.
#[inline(always)]
pub fn number_as_f64(v: Value) -> Option<f64> {
    if v.is_float() {
        Some(v.float_unchecked())
    } else {
        v.as_small_int().map(|i| i as f64)
    }
}

/// Floor division (Python's `//` on ints): the quotient rounded toward negative
/// infinity. `y != 0`; `None` when it overflows (`i64::MIN // -1`).
#[inline(always)]
pub fn floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Python's `%` on ints (the result takes the divisor's sign). `y != 0`.
#[inline(always)]
pub fn floor_mod(x: i64, y: i64) -> i64 {
    let r = x.wrapping_rem(y);
    if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    }
}

/// `x op y` on two inline ints, for the kinds the core computes inline: `None` for other
/// kinds, a zero divisor, or a product that overflows. Inline ints are 48-bit, so sums,
/// differences and quotients always fit an `i64`; the caller checks the result still fits
/// inline.
#[inline(always)]
pub fn small_int_binary(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op.arith() {
        BinOp::Add => Some(x + y),
        BinOp::Sub => Some(x - y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::DivTrunc if y != 0 => Some(x / y),
        BinOp::ModTrunc if y != 0 => Some(x % y),
        BinOp::FloorDiv if y != 0 => floor_div(x, y),
        BinOp::FloorMod if y != 0 => Some(floor_mod(x, y)),
        _ => None,
    }
}

/// Float arithmetic the core handles itself; `None` sends the operation to the slow path
/// (zero divisors, floor division, powers, bit operations).
#[inline(always)]
pub fn float_binary(op: BinOp, x: f64, y: f64) -> Option<f64> {
    match op.arith() {
        BinOp::Add => Some(x + y),
        BinOp::Sub => Some(x - y),
        BinOp::Mul => Some(x * y),
        BinOp::DivTrunc | BinOp::TrueDiv if y != 0.0 => Some(x / y),
        BinOp::ModTrunc if y != 0.0 => Some(x % y),
        _ => None,
    }
}

/// `a op b` when the core computes it inline without allocating (inline ints whose result
/// stays inline, or numbers with at least one float), exactly as [`crate::ops::binary`]
/// would; `None` otherwise. `op` is the raw operand of a `Binary` instruction.
#[inline(always)]
pub fn inline_arith(op: u32, a: Value, b: Value) -> Option<Value> {
    inline_arith_seen(op, a, b, |_| {})
}

/// [`inline_arith`], telling `seen` the kind of operands it computed on
/// ([`crate::tier1::SEEN_INT`] or [`crate::tier1::SEEN_FLOAT`], type feedback) when it
/// succeeds. The kind is a constant on each path, so recording it costs a test.
#[inline(always)]
pub fn inline_arith_seen(op: u32, a: Value, b: Value, seen: impl FnOnce(u8)) -> Option<Value> {
    let op = BinOp::from_u32(op)?.arith();
    if Value::both_small_ints(a, b) {
        let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
        let r = if op == BinOp::TrueDiv {
            (y != 0).then(|| Value::float(x as f64 / y as f64))?
        } else {
            Value::try_small_int(small_int_binary(op, x, y)?)?
        };
        seen(SEEN_INT);
        return Some(r);
    }
    if a.is_float() || b.is_float() {
        let r = float_binary(op, number_as_f64(a)?, number_as_f64(b)?)?;
        seen(SEEN_FLOAT);
        return Some(Value::float(r));
    }
    None
}

/// Applies `op` to an ordering.
#[inline(always)]
pub fn cmp_ord(op: CmpOp, o: core::cmp::Ordering) -> bool {
    use core::cmp::Ordering::*;
    match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Le => o != Greater,
        CmpOp::Gt => o == Greater,
        CmpOp::Ge => o != Less,
    }
}

/// Applies `op` to two floats with IEEE semantics (every comparison with NaN is false,
/// except `!=`).
#[inline(always)]
pub fn cmp_f64(op: CmpOp, x: f64, y: f64) -> bool {
    match op {
        CmpOp::Eq => x == y,
        CmpOp::Ne => x != y,
        CmpOp::Lt => x < y,
        CmpOp::Le => x <= y,
        CmpOp::Gt => x > y,
        CmpOp::Ge => x >= y,
    }
}

/// `a op b` when both are numbers (floats or inline ints) and at least one is a float.
#[inline(always)]
pub fn compare_numbers(op: CmpOp, a: Value, b: Value) -> Option<bool> {
    if !(a.is_float() || b.is_float()) {
        return None;
    }
    Some(cmp_f64(op, number_as_f64(a)?, number_as_f64(b)?))
}

/// `a op b` on two inline ints.
#[inline(always)]
pub fn compare_small_ints(op: CmpOp, a: Value, b: Value) -> Option<bool> {
    if !Value::both_small_ints(a, b) {
        return None;
    }
    Some(cmp_ord(
        op,
        a.small_int_unchecked().cmp(&b.small_int_unchecked()),
    ))
}

/// `a op b` for two inline ints or two numbers with a float, as [`crate::ops::compare`]
/// would, telling `seen` the kind of operands as [`inline_arith_seen`] does. `op` is the
/// raw operand of a `Compare` instruction.
#[inline(always)]
pub fn inline_compare_seen(op: u32, a: Value, b: Value, seen: impl FnOnce(u8)) -> Option<bool> {
    let op = CmpOp::from_u32(op)?;
    if let Some(r) = compare_small_ints(op, a, b) {
        seen(SEEN_INT);
        return Some(r);
    }
    let r = compare_numbers(op, a, b)?;
    seen(SEEN_FLOAT);
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_division_rounds_down_and_reports_overflow() {
        assert_eq!(floor_div(7, 2), Some(3));
        assert_eq!(floor_div(-7, 2), Some(-4));
        assert_eq!(floor_div(7, -2), Some(-4));
        assert_eq!(floor_div(-7, -2), Some(3));
        assert_eq!(floor_div(i64::MIN, -1), None);
        assert_eq!(floor_mod(-7, 2), 1);
        assert_eq!(floor_mod(7, -2), -1);
    }

    #[test]
    fn inline_arith_covers_floor_division_like_the_generic_path() {
        let (a, b) = (Value::small_int(-7), Value::small_int(2));
        let fd = inline_arith(BinOp::FloorDiv as u32, a, b);
        assert_eq!(fd.and_then(Value::as_small_int), Some(-4));
        assert!(inline_arith(BinOp::FloorDiv as u32, a, Value::small_int(0)).is_none());
        let fm = inline_arith(BinOp::FloorMod as u32, a, b);
        assert_eq!(fm.and_then(Value::as_small_int), Some(1));
    }
}
