//! Python's `hash()`: CPython's exact numeric hashes (ints modulo the Mersenne prime
//! 2^61 - 1, floats consistent with equal ints), the xxHash-based tuple hash, and a
//! deterministic string hash (CPython's is randomized per process, so no program can
//! depend on its value).

use jit_core::heap::{Heap, Obj};
use jit_core::semantics::Exception;
use jit_core::value::Value;
use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

use super::errors::{recursion_error, type_error};
use super::objects::{as_int, type_name, PyRange};
use crate::pyfmt::IntRef;

const HASH_BITS: u32 = 61;
const MODULUS: u64 = (1 << HASH_BITS) - 1;
const HASH_INF: i64 = 314_159;

/// The hash of an `i64`.
pub fn hash_i64(i: i64) -> i64 {
    let m = (i.unsigned_abs() % MODULUS) as i64;
    let h = if i < 0 { -m } else { m };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// The hash of a big int.
pub fn hash_big(b: &BigInt) -> i64 {
    let m = (b.magnitude() % MODULUS).to_u64().unwrap_or(0) as i64;
    let h = if b.sign() == Sign::Minus { -m } else { m };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// The hash of a float (`_Py_HashDouble`); NaN hashes by identity in CPython, here by bits.
pub fn hash_f64(v: f64) -> i64 {
    if v.is_nan() {
        return (v.to_bits() >> 4) as i64;
    }
    if v.is_infinite() {
        return if v > 0.0 { HASH_INF } else { -HASH_INF };
    }
    let (mut m, mut e) = frexp(v);
    let mut sign = 1i64;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e % HASH_BITS as i32
    } else {
        HASH_BITS as i32 - 1 - ((-1 - e) % HASH_BITS as i32)
    } as u32;
    x = ((x << e) & MODULUS) | (x >> (HASH_BITS - e));
    let h = (x as i64) * sign;
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `frexp`: `v = m * 2^e` with `0.5 <= |m| < 1` (for finite non-zero `v`).
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(v * f64::from_bits(0x4350_0000_0000_0000)); // 2^54
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// A deterministic string hash (FNV-1a), never -1.
pub fn hash_str(s: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let h = h as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

const XXPRIME_1: u64 = 11_400_714_785_074_694_791;
const XXPRIME_2: u64 = 14_029_467_366_897_019_727;
const XXPRIME_5: u64 = 2_870_177_450_012_600_261;

/// CPython's tuple hash over the item hashes.
pub fn hash_tuple_of(hashes: impl ExactSizeIterator<Item = i64>) -> i64 {
    let len = hashes.len() as u64;
    let mut acc = XXPRIME_5;
    for lane in hashes {
        acc = acc.wrapping_add((lane as u64).wrapping_mul(XXPRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(XXPRIME_1);
    }
    acc = acc.wrapping_add(len ^ (XXPRIME_5 ^ 3_527_539));
    if acc == u64::MAX {
        1_546_275_796
    } else {
        acc as i64
    }
}

/// Python's `hash(v)`; `TypeError: unhashable type: 'list'` for mutable containers.
pub fn hash_value(heap: &Heap, v: Value) -> Result<i64, Exception> {
    hash_depth(heap, v, 0)
}

fn hash_depth(heap: &Heap, v: Value, depth: usize) -> Result<i64, Exception> {
    if let Some(f) = v.as_float() {
        return Ok(hash_f64(f));
    }
    if let Some(i) = as_int(heap, v) {
        return Ok(match i {
            IntRef::Small(x) => hash_i64(x),
            IntRef::Big(b) => hash_big(b),
        });
    }
    if v.is_nil() {
        return Ok(0x5f3c_2d1a);
    }
    if depth > super::compare::MAX_DEPTH {
        return Err(recursion_error(" while calling a Python object"));
    }
    match heap.get(v) {
        Some(Obj::Str(s)) => Ok(hash_str(s)),
        Some(Obj::Tuple(items)) => {
            let mut hs = Vec::with_capacity(items.len());
            for &x in items.iter() {
                hs.push(hash_depth(heap, x, depth + 1)?);
            }
            Ok(hash_tuple_of(hs.into_iter()))
        }
        Some(Obj::Array(_)) | Some(Obj::Slice(_)) => Err(unhashable(heap, v)),
        Some(Obj::Host(h)) => {
            let any = h.as_any();
            if any.is::<super::range::PyLongRange>() {
                if let Some(r) = super::range::parts(heap, v) {
                    return Ok(super::range::hash(&r, hash_none()));
                }
            }
            if let Some(r) = any.downcast_ref::<PyRange>() {
                // CPython hashes (len, start, step), with start/step None when they do not
                // matter (an empty range, or one of length 1).
                let len = r.len();
                let lh = hash_i64(len.min(i64::MAX as i128) as i64);
                let (sh, th) = match len {
                    0 => (hash_none(), hash_none()),
                    1 => (hash_i64(r.start), hash_none()),
                    _ => (hash_i64(r.start), hash_i64(r.step)),
                };
                return Ok(hash_tuple_of([lh, sh, th].into_iter()));
            }
            if let Some(s) = any.downcast_ref::<super::set::PySet>() {
                if s.frozen {
                    return Ok(s.frozen_hash());
                }
                return Err(unhashable(heap, v));
            }
            if any.is::<super::dict::PyDict>() {
                return Err(unhashable(heap, v));
            }
            Ok(identity_hash(v))
        }
        _ => Ok(identity_hash(v)),
    }
}

fn hash_none() -> i64 {
    0x5f3c_2d1a
}

/// Objects without value equality hash by identity (CPython: the address rotated by 4).
fn identity_hash(v: Value) -> i64 {
    let bits = v.to_bits() & 0xFFFF_FFFF_FFFF;
    bits.rotate_right(4) as i64 & i64::MAX
}

/// `TypeError: unhashable type: 'list'`.
pub fn unhashable(heap: &Heap, v: Value) -> Exception {
    type_error(format!("unhashable type: '{}'", type_name(heap, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from CPython 3.11 (`hash(x)`).
    #[test]
    fn numeric_hashes_match_cpython() {
        assert_eq!(hash_i64(-1), -2);
        assert_eq!(hash_i64(1 << 61), 1);
        assert_eq!(hash_f64(1.5), 1_152_921_504_606_846_977);
        assert_eq!(hash_f64(2.0), 2);
        assert_eq!(hash_f64(-1.0), -2);
        assert_eq!(hash_f64(f64::INFINITY), 314_159);
        assert_eq!(hash_f64(0.1), 230_584_300_921_369_408);
        let b: BigInt = BigInt::from(10).pow(30);
        assert_eq!(hash_big(&b), 465_258_685_558_744_706);
        assert_eq!(hash_big(&-b), -465_258_685_558_744_706);
    }

    #[test]
    fn tuple_hashes_match_cpython() {
        // hash(()) and hash((1, 2, 3)) and hash((1, (2.5, -1))).
        assert_eq!(hash_tuple_of([].into_iter()), 5_740_354_900_026_072_187);
        assert_eq!(
            hash_tuple_of([1, 2, 3].into_iter()),
            529_344_067_295_497_451
        );
        let inner = hash_tuple_of([hash_f64(2.5), hash_i64(-1)].into_iter());
        assert_eq!(
            hash_tuple_of([1, inner].into_iter()),
            5_356_097_903_715_399_607
        );
    }
}
