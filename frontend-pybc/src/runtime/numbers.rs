//! Python numbers: arbitrary-precision int arithmetic (floor division and modulo signs,
//! correctly rounded true division, powers, shifts, two's-complement bit operations) and
//! float arithmetic with CPython's special cases and error messages.

use jit_core::bytecode::BinOp;
use jit_core::heap::Heap;
use jit_core::semantics::{Exception, Overflow};
use jit_core::value::Value;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::errors::{exc, from_fmt, memory_error, overflow_error, value_error, zero_division};
use super::objects::{int_from_i128, int_value, to_big};
use crate::pyfmt::{self, IntRef};

/// Results larger than this many bits raise `MemoryError` instead of being built.
const MAX_RESULT_BITS: u64 = 1 << 32;

/// `float(i)`: correctly rounded; `OverflowError` when out of range.
pub fn int_to_f64(i: IntRef<'_>) -> Result<f64, Exception> {
    pyfmt::int_to_f64(i).map_err(from_fmt)
}

/// The exact result of an `i64` operation that overflowed.
pub fn overflowed(heap: &mut Heap, what: Overflow) -> Result<Value, Exception> {
    match what {
        Overflow::Neg(x) => Ok(int_from_i128(heap, -(x as i128))),
        Overflow::Binary(op, x, y) => int_binary(heap, op, IntRef::Small(x), IntRef::Small(y)),
    }
}

/// `x op y` for two ints.
pub fn int_binary(
    heap: &mut Heap,
    op: BinOp,
    x: IntRef<'_>,
    y: IntRef<'_>,
) -> Result<Value, Exception> {
    let op = op.arith();
    if let (IntRef::Small(a), IntRef::Small(b)) = (x, y) {
        if let Some(v) = small_binary(heap, op, a, b)? {
            return Ok(v);
        }
    }
    let r = match op {
        BinOp::Add => to_big(x) + to_big(y),
        BinOp::Sub => to_big(x) - to_big(y),
        BinOp::Mul => to_big(x) * to_big(y),
        BinOp::FloorDiv | BinOp::DivTrunc => {
            let (a, b) = (to_big(x), to_big(y));
            if b.is_zero() {
                return Err(zero_division("integer division or modulo by zero"));
            }
            if op == BinOp::FloorDiv {
                a.div_floor(&b)
            } else {
                a / b
            }
        }
        BinOp::FloorMod | BinOp::ModTrunc => {
            let (a, b) = (to_big(x), to_big(y));
            if b.is_zero() {
                return Err(zero_division("integer modulo by zero"));
            }
            if op == BinOp::FloorMod {
                a.mod_floor(&b)
            } else {
                a % b
            }
        }
        BinOp::TrueDiv => return Ok(Value::float(true_div(x, y)?)),
        BinOp::Pow => return int_pow(heap, x, y),
        BinOp::Shl => {
            let a = to_big(x);
            let n = shift_count(y)?;
            if a.is_zero() {
                return Ok(Value::small_int(0));
            }
            let n = match n {
                Some(n) if n <= MAX_RESULT_BITS => n,
                Some(_) => return Err(memory_error()),
                None => return Err(overflow_error("too many digits in integer")),
            };
            a << n
        }
        BinOp::Shr => {
            let a = to_big(x);
            match shift_count(y)? {
                Some(n) if n < a.bits() + 1 => a >> n,
                _ => {
                    if a.is_negative() {
                        BigInt::from(-1)
                    } else {
                        BigInt::zero()
                    }
                }
            }
        }
        BinOp::BitAnd => to_big(x) & to_big(y),
        BinOp::BitOr => to_big(x) | to_big(y),
        BinOp::BitXor => to_big(x) ^ to_big(y),
        BinOp::InplaceAdd => to_big(x) + to_big(y),
        BinOp::InplaceMul => to_big(x) * to_big(y),
    };
    Ok(int_value(heap, r))
}

/// A non-negative shift count (`None` when it does not even fit in a `u64`).
fn shift_count(y: IntRef<'_>) -> Result<Option<u64>, Exception> {
    let neg = match y {
        IntRef::Small(n) => n < 0,
        IntRef::Big(b) => b.is_negative(),
    };
    if neg {
        return Err(value_error("negative shift count"));
    }
    Ok(match y {
        IntRef::Small(n) => Some(n as u64),
        IntRef::Big(b) => b.to_u64(),
    })
}

/// The `i64` fast path; `None` when the result needs a big int.
fn small_binary(heap: &mut Heap, op: BinOp, a: i64, b: i64) -> Result<Option<Value>, Exception> {
    let r = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::FloorDiv => {
            if b == 0 {
                return Err(zero_division("integer division or modulo by zero"));
            }
            a.checked_div(b).map(|q| {
                if a % b != 0 && ((a < 0) != (b < 0)) {
                    q - 1
                } else {
                    q
                }
            })
        }
        BinOp::FloorMod => {
            if b == 0 {
                return Err(zero_division("integer modulo by zero"));
            }
            Some(jit_core::ops::floor_mod(a, b))
        }
        BinOp::DivTrunc => {
            if b == 0 {
                return Err(zero_division("integer division or modulo by zero"));
            }
            a.checked_div(b)
        }
        BinOp::ModTrunc => {
            if b == 0 {
                return Err(zero_division("integer modulo by zero"));
            }
            a.checked_rem(b)
        }
        BinOp::TrueDiv => return Ok(Some(Value::float(true_div_i64(a, b)?))),
        BinOp::Shl => {
            if b < 0 {
                return Err(value_error("negative shift count"));
            }
            if b < 63 && a.unsigned_abs().leading_zeros() as i64 > b {
                Some(a << b)
            } else {
                None
            }
        }
        BinOp::Shr => {
            if b < 0 {
                return Err(value_error("negative shift count"));
            }
            Some(a >> b.min(63))
        }
        BinOp::BitAnd => Some(a & b),
        BinOp::BitOr => Some(a | b),
        BinOp::BitXor => Some(a ^ b),
        BinOp::InplaceAdd | BinOp::InplaceMul => None,
        BinOp::Pow => {
            if b >= 0 {
                u32::try_from(b).ok().and_then(|e| a.checked_pow(e))
            } else {
                None
            }
        }
    };
    Ok(r.map(|r| heap.int(r)))
}

fn true_div_i64(a: i64, b: i64) -> Result<f64, Exception> {
    if b == 0 {
        return Err(zero_division("division by zero"));
    }
    const EXACT: u64 = 1 << 53;
    if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT {
        return Ok(a as f64 / b as f64);
    }
    true_div_big(&BigInt::from(a), &BigInt::from(b))
}

/// `x / y` for ints, correctly rounded (CPython's `long_true_divide`).
pub fn true_div(x: IntRef<'_>, y: IntRef<'_>) -> Result<f64, Exception> {
    match (x, y) {
        (IntRef::Small(a), IntRef::Small(b)) => true_div_i64(a, b),
        _ => true_div_big(&to_big(x), &to_big(y)),
    }
}

fn true_div_big(a: &BigInt, b: &BigInt) -> Result<f64, Exception> {
    const MANT: i64 = 53;
    const MIN_EXP: i64 = -1021;
    const MAX_EXP: i64 = 1024;
    if b.is_zero() {
        return Err(zero_division("division by zero"));
    }
    let negate = a.is_negative() != b.is_negative();
    let signed = |f: f64| if negate { -f } else { f };
    if a.is_zero() {
        return Ok(signed(0.0));
    }
    let (a, b) = (a.magnitude(), b.magnitude());
    let diff = a.bits() as i64 - b.bits() as i64;
    if diff > MAX_EXP {
        return Err(overflow_error(
            "integer division result too large for a float",
        ));
    }
    if diff < MIN_EXP - MANT - 1 {
        return Ok(signed(0.0));
    }
    let shift = diff.max(MIN_EXP) - MANT - 2;
    let (q, r) = if shift > 0 {
        a.div_rem(&(b << shift as u64))
    } else {
        (a << (-shift) as u64).div_rem(b)
    };
    let inexact = !r.is_zero();
    let mut q = q.to_u64().unwrap_or(u64::MAX);
    let x_bits = 64 - i64::from(q.leading_zeros());
    let extra = x_bits.max(MIN_EXP - shift) - MANT;
    if extra > 0 {
        let mask = 1u64 << (extra - 1);
        let low = q | u64::from(inexact);
        let mut l = low;
        if (l & mask) != 0 && (l & (3 * mask - 1)) != 0 {
            l += mask;
        }
        q = l & !(2 * mask - 1);
    }
    let dx = q as f64;
    if shift + x_bits >= MAX_EXP && (shift + x_bits > MAX_EXP || dx == ldexp(1.0, x_bits)) {
        return Err(overflow_error(
            "integer division result too large for a float",
        ));
    }
    Ok(signed(ldexp(dx, shift)))
}

/// `x * 2^e`, exact whenever the result is representable.
pub fn ldexp(mut x: f64, mut e: i64) -> f64 {
    let big = f64::from_bits(0x7E70_0000_0000_0000); // 2^1000
    let small = f64::from_bits(0x0170_0000_0000_0000); // 2^-1000
    while e > 1000 {
        x *= big;
        e -= 1000;
        if x.is_infinite() {
            return x;
        }
    }
    while e < -1000 {
        x *= small;
        e += 1000;
        if x == 0.0 {
            return x;
        }
    }
    // 2^e for -1000 <= e <= 1000 is a normal double.
    x * f64::from_bits(((e + 1023) as u64) << 52)
}

/// `x ** y` for ints (a float for negative `y`).
pub fn int_pow(heap: &mut Heap, x: IntRef<'_>, y: IntRef<'_>) -> Result<Value, Exception> {
    let yb = to_big(y);
    if yb.is_negative() {
        let (fx, fy) = (int_to_f64(x)?, int_to_f64(y)?);
        return Ok(Value::float(float_pow(fx, fy)?));
    }
    let xb = to_big(x);
    if xb.is_zero() {
        return Ok(Value::small_int(i64::from(yb.is_zero())));
    }
    if xb.is_one() {
        return Ok(Value::small_int(1));
    }
    if xb == BigInt::from(-1) {
        return Ok(Value::small_int(if yb.is_even() { 1 } else { -1 }));
    }
    let e = match yb.to_u64() {
        Some(e) if e.saturating_mul(xb.bits()) <= MAX_RESULT_BITS => e,
        _ => return Err(memory_error()),
    };
    let mut result = BigInt::one();
    let mut base = xb;
    let mut e = e;
    while e > 0 {
        if e & 1 == 1 {
            result *= &base;
        }
        e >>= 1;
        if e > 0 {
            base = &base * &base;
        }
    }
    Ok(int_value(heap, result))
}

/// `pow(x, y, m)` for ints (negative `y` takes the modular inverse).
pub fn int_pow_mod(
    heap: &mut Heap,
    x: IntRef<'_>,
    y: IntRef<'_>,
    m: IntRef<'_>,
) -> Result<Value, Exception> {
    let m = to_big(m);
    if m.is_zero() {
        return Err(value_error("pow() 3rd argument cannot be 0"));
    }
    let mut x = to_big(x);
    let mut y = to_big(y);
    let mabs = m.abs();
    if y.is_negative() {
        x = mod_inverse(&x, &mabs)
            .ok_or_else(|| value_error("base is not invertible for the given modulus"))?;
        y = -y;
    }
    let mut r = x.mod_floor(&mabs).modpow(&y, &mabs);
    if m.is_negative() && !r.is_zero() {
        r += &m;
    }
    Ok(int_value(heap, r))
}

fn mod_inverse(x: &BigInt, m: &BigInt) -> Option<BigInt> {
    let e = x.mod_floor(m).extended_gcd(m);
    if e.gcd.is_one() {
        Some(e.x.mod_floor(m))
    } else {
        None
    }
}

/// `x ** y` for floats (CPython's `float_pow`).
pub fn float_pow(x: f64, y: f64) -> Result<f64, Exception> {
    let is_odd_int = |w: f64| w.is_finite() && w % 2.0 != 0.0 && w.fract() == 0.0;
    if y == 0.0 {
        return Ok(1.0);
    }
    if x.is_nan() {
        return Ok(x);
    }
    if y.is_nan() {
        return Ok(if x == 1.0 { 1.0 } else { y });
    }
    if y.is_infinite() {
        let ax = x.abs();
        return Ok(if ax == 1.0 {
            1.0
        } else if (y > 0.0) == (ax > 1.0) {
            y.abs()
        } else {
            0.0
        });
    }
    if x.is_infinite() {
        let odd = is_odd_int(y);
        return Ok(if y > 0.0 {
            if odd {
                x
            } else {
                x.abs()
            }
        } else if odd {
            0f64.copysign(x)
        } else {
            0.0
        });
    }
    if x == 0.0 {
        if y < 0.0 {
            return Err(zero_division("0.0 cannot be raised to a negative power"));
        }
        return Ok(if is_odd_int(y) { x } else { 0.0 });
    }
    let mut base = x;
    let mut negate = false;
    if x < 0.0 {
        if y != y.floor() {
            return Err(exc(
                "ValueError",
                "negative number cannot be raised to a fractional power",
            ));
        }
        base = -x;
        negate = is_odd_int(y);
    }
    if base == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = base.powf(y);
    if r.is_infinite() {
        return Err(overflow_error("(34, 'Numerical result out of range')"));
    }
    Ok(if negate { -r } else { r })
}

/// Python's float `divmod` (CPython's `_float_div_mod`); `y != 0`.
fn float_div_mod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0f64.copysign(x / y)
    };
    (floordiv, m)
}

/// `x op y` for floats (including the operations the core's fast path leaves out).
pub fn float_binary(op: BinOp, x: f64, y: f64) -> Result<f64, Exception> {
    Ok(match op {
        BinOp::Add | BinOp::InplaceAdd => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul | BinOp::InplaceMul => x * y,
        BinOp::TrueDiv | BinOp::DivTrunc => {
            if y == 0.0 {
                return Err(zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(zero_division("float floor division by zero"));
            }
            float_div_mod(x, y).0
        }
        BinOp::FloorMod => {
            if y == 0.0 {
                return Err(zero_division("float modulo"));
            }
            float_div_mod(x, y).1
        }
        BinOp::ModTrunc => {
            if y == 0.0 {
                return Err(zero_division("float modulo"));
            }
            x % y
        }
        BinOp::Pow => float_pow(x, y)?,
        BinOp::Shl | BinOp::Shr | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            return Err(exc("TypeError", "internal: bit operation on floats"))
        }
    })
}

/// `divmod(x, y)` for floats.
pub fn float_divmod(x: f64, y: f64) -> Result<(f64, f64), Exception> {
    if y == 0.0 {
        return Err(zero_division("float divmod()"));
    }
    Ok(float_div_mod(x, y))
}

/// `divmod(x, y)` for ints.
pub fn int_divmod(
    heap: &mut Heap,
    x: IntRef<'_>,
    y: IntRef<'_>,
) -> Result<(Value, Value), Exception> {
    if let (IntRef::Small(a), IntRef::Small(b)) = (x, y) {
        if b == 0 {
            return Err(zero_division("integer division or modulo by zero"));
        }
        if !(a == i64::MIN && b == -1) {
            let m = jit_core::ops::floor_mod(a, b);
            let q = (a - m) / b;
            return Ok((heap.int(q), heap.int(m)));
        }
    }
    let (a, b) = (to_big(x), to_big(y));
    if b.is_zero() {
        return Err(zero_division("integer division or modulo by zero"));
    }
    let (q, m) = a.div_mod_floor(&b);
    Ok((int_value(heap, q), int_value(heap, m)))
}

/// `-x` for an int.
pub fn int_neg(heap: &mut Heap, x: IntRef<'_>) -> Value {
    match x {
        IntRef::Small(a) => int_from_i128(heap, -(a as i128)),
        IntRef::Big(b) => int_value(heap, -b),
    }
}

/// `abs(x)` for an int.
pub fn int_abs(heap: &mut Heap, x: IntRef<'_>) -> Value {
    match x {
        IntRef::Small(a) => int_from_i128(heap, (a as i128).abs()),
        IntRef::Big(b) => int_value(heap, b.abs()),
    }
}

/// `~x` for an int.
pub fn int_invert(heap: &mut Heap, x: IntRef<'_>) -> Value {
    match x {
        IntRef::Small(a) => heap.int(!a),
        IntRef::Big(b) => int_value(heap, -(b + 1u32)),
    }
}

/// True when the int is zero.
pub fn int_is_zero(x: IntRef<'_>) -> bool {
    match x {
        IntRef::Small(a) => a == 0,
        IntRef::Big(b) => b.is_zero(),
    }
}

/// `str(x)` for an int (fails past 4300 digits, as CPython does).
pub fn int_str(x: IntRef<'_>) -> Result<String, Exception> {
    match x {
        IntRef::Small(a) => Ok(small_int_str(a)),
        big => pyfmt::int_to_decimal_string(big).map_err(from_fmt),
    }
}

/// The decimal digits of `a`, written back to front into a stack buffer: `str(i)`,
/// f-strings and `print` turn ints into text constantly, and the formatting machinery
/// behind `to_string` costs several times more.
pub fn small_int_str(a: i64) -> String {
    let mut buf = [0u8; 21];
    let mut pos = buf.len();
    let mut m = a.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if a < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    // The buffer holds ASCII digits and a sign only, so it is always UTF-8.
    String::from(std::str::from_utf8(&buf[pos..]).unwrap_or_default())
}

/// `int(x)` for a float.
pub fn float_to_int(heap: &mut Heap, x: f64) -> Result<Value, Exception> {
    if x.is_finite() && x.abs() < 9.2e18 {
        return Ok(heap.int(x.trunc() as i64));
    }
    let b = pyfmt::float_to_int(x).map_err(from_fmt)?;
    Ok(int_value(heap, b))
}

/// `math.isqrt(n)` for a non-negative int.
pub fn isqrt(n: &BigInt) -> BigInt {
    n.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::objects::as_int;

    fn ints(heap: &mut Heap, op: BinOp, a: i64, b: i64) -> Result<String, Exception> {
        let v = int_binary(heap, op, IntRef::Small(a), IntRef::Small(b))?;
        if let Some(f) = v.as_float() {
            return Ok(pyfmt::float_repr(f));
        }
        int_str(as_int(heap, v).unwrap())
    }

    fn big(heap: &mut Heap, op: BinOp, a: &str, b: &str) -> String {
        let a: BigInt = a.parse().unwrap();
        let b: BigInt = b.parse().unwrap();
        let v = int_binary(heap, op, IntRef::Big(&a), IntRef::Big(&b)).unwrap();
        if let Some(f) = v.as_float() {
            return pyfmt::float_repr(f);
        }
        int_str(as_int(heap, v).unwrap()).unwrap()
    }

    // Every expectation below was printed by CPython 3.11.
    #[test]
    fn floor_division_and_modulo_follow_the_divisor() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let h = &mut unsafe { Heap::new() };
        assert_eq!(ints(h, BinOp::FloorDiv, 7, -2).unwrap(), "-4");
        assert_eq!(ints(h, BinOp::FloorMod, -7, 3).unwrap(), "2");
        assert_eq!(ints(h, BinOp::FloorMod, 7, -3).unwrap(), "-2");
        assert_eq!(
            ints(h, BinOp::FloorDiv, i64::MIN, -1).unwrap(),
            "9223372036854775808"
        );
        assert_eq!(
            big(h, BinOp::FloorDiv, "-1180591620717411303424", "3"),
            "-393530540239137101142"
        );
        assert_eq!(big(h, BinOp::FloorMod, "-1180591620717411303424", "3"), "2");
        assert_eq!(
            big(h, BinOp::FloorMod, "1180591620717411303424", "-3"),
            "-2"
        );
        let e = ints(h, BinOp::FloorDiv, 1, 0).unwrap_err();
        assert_eq!(
            (e.kind.as_str(), e.message.as_str()),
            ("ZeroDivisionError", "integer division or modulo by zero")
        );
        let e = ints(h, BinOp::FloorMod, 1, 0).unwrap_err();
        assert_eq!(e.message, "integer modulo by zero");
        let e = ints(h, BinOp::TrueDiv, 1, 0).unwrap_err();
        assert_eq!(e.message, "division by zero");
    }

    #[test]
    fn big_int_arithmetic() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let h = &mut unsafe { Heap::new() };
        assert_eq!(
            ints(h, BinOp::Pow, 10, 20).unwrap(),
            "100000000000000000000"
        );
        assert_eq!(ints(h, BinOp::Pow, 2, -2).unwrap(), "0.25");
        assert_eq!(
            ints(h, BinOp::Mul, 1 << 62, 1 << 62).unwrap(),
            "21267647932558653966460912964485513216"
        );
        assert_eq!(
            big(h, BinOp::Shr, "-1180591620717411303424", "3"),
            "-147573952589676412928"
        );
        assert_eq!(ints(h, BinOp::Shr, -5, 1).unwrap(), "-3");
        assert_eq!(
            big(h, BinOp::BitAnd, "1180591620717411303424", "-1"),
            "1180591620717411303424"
        );
        assert_eq!(
            big(h, BinOp::BitOr, "-1180591620717411303424", "5"),
            "-1180591620717411303419"
        );
        assert_eq!(
            big(
                h,
                BinOp::BitXor,
                "-1180591620717411303424",
                "590295810358705651712"
            ),
            "-590295810358705651712"
        );
        assert_eq!(
            ints(h, BinOp::Shl, 1, 100).unwrap(),
            "1267650600228229401496703205376"
        );
        assert_eq!(
            ints(h, BinOp::Shl, -3, 62).unwrap(),
            "-13835058055282163712"
        );
        let e = ints(h, BinOp::Shl, 1, -1).unwrap_err();
        assert_eq!(e.message, "negative shift count");
        let e = ints(h, BinOp::Pow, 0, -1).unwrap_err();
        assert_eq!(e.message, "0.0 cannot be raised to a negative power");
    }

    #[test]
    fn true_division_is_correctly_rounded() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let h = &mut unsafe { Heap::new() };
        let t400 = "1".to_string() + &"0".repeat(400);
        let t399 = "1".to_string() + &"0".repeat(399);
        assert_eq!(big(h, BinOp::TrueDiv, &t400, &t399), "10.0");
        assert_eq!(
            ints(h, BinOp::TrueDiv, (1 << 62) + 1, 3).unwrap(),
            "1.5372286728091292e+18"
        );
        assert_eq!(ints(h, BinOp::TrueDiv, 0, -5).unwrap(), "-0.0");
        let a: BigInt = t400.parse().unwrap();
        let e = true_div(IntRef::Big(&a), IntRef::Small(3)).unwrap_err();
        assert_eq!(e.message, "integer division result too large for a float");
        // 1/10**320 is subnormal: 1e-320.
        let t320: BigInt = ("1".to_string() + &"0".repeat(320)).parse().unwrap();
        assert_eq!(
            pyfmt::float_repr(true_div(IntRef::Small(1), IntRef::Big(&t320)).unwrap()),
            "1e-320"
        );
    }

    #[test]
    fn float_operations_match_cpython() {
        assert_eq!(float_binary(BinOp::FloorDiv, -7.5, 2.0).unwrap(), -4.0);
        assert_eq!(float_binary(BinOp::FloorMod, 7.5, -2.0).unwrap(), -0.5);
        let z = float_binary(BinOp::FloorMod, -0.0, 5.0).unwrap();
        assert!(z == 0.0 && z.is_sign_positive());
        let z = float_binary(BinOp::FloorMod, 0.0, -5.0).unwrap();
        assert!(z == 0.0 && z.is_sign_negative());
        assert_eq!(float_divmod(-7.5, 2.0).unwrap(), (-4.0, 0.5));
        assert_eq!(
            float_binary(BinOp::FloorMod, 1.0, 0.0).unwrap_err().message,
            "float modulo"
        );
        assert_eq!(
            float_binary(BinOp::FloorDiv, 1.0, 0.0).unwrap_err().message,
            "float floor division by zero"
        );
        assert_eq!(
            float_binary(BinOp::TrueDiv, 1.0, 0.0).unwrap_err().message,
            "float division by zero"
        );
        assert_eq!(
            float_divmod(1.0, 0.0).unwrap_err().message,
            "float divmod()"
        );
        assert_eq!(float_pow(-2.0, 3.0).unwrap(), -8.0);
        assert_eq!(float_pow(f64::INFINITY, 2.0).unwrap(), f64::INFINITY);
        assert_eq!(
            float_pow(10.0, 400.0).unwrap_err().message,
            "(34, 'Numerical result out of range')"
        );
    }

    #[test]
    fn pow_mod() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let h = &mut unsafe { Heap::new() };
        let r = int_pow_mod(h, IntRef::Small(3), IntRef::Small(-1), IntRef::Small(7)).unwrap();
        assert_eq!(r.as_small_int(), Some(5));
        let r = int_pow_mod(h, IntRef::Small(2), IntRef::Small(10), IntRef::Small(-7)).unwrap();
        assert_eq!(r.as_small_int(), Some(-5));
        let e = int_pow_mod(h, IntRef::Small(2), IntRef::Small(-1), IntRef::Small(4)).unwrap_err();
        assert_eq!(e.message, "base is not invertible for the given modulus");
        let e = int_pow_mod(h, IntRef::Small(2), IntRef::Small(3), IntRef::Small(0)).unwrap_err();
        assert_eq!(e.message, "pow() 3rd argument cannot be 0");
    }
}
