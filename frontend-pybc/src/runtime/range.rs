//! Python ranges past `i64`: `range(2**70)`, `range(2**64, 2**64 + 3)`.
//!
//! A range whose start, stop and step all fit in an `i64` is a [`PyRange`] and iterates
//! with the core's `RangeIter` (so `ForIterRange` specializes on it); any other is a
//! [`PyLongRange`], CPython's `range` over arbitrary ints. Both have the type `range`.
//! The operations that are rare or slow anyway (slicing, equality, hashing, `index`,
//! attributes) work on big-int [`Parts`] of either kind, so they are written once.

use std::any::Any;
use std::cell::{Cell, RefCell};

use jit_core::heap::{Heap, HostObject, Obj, RangeIter};
use jit_core::semantics::Exception;
use jit_core::value::Value;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::errors::{index_error, overflow_error, type_error, value_error};
use super::hash::{hash_big, hash_tuple_of};
use super::objects::{
    as_int, host, int_value, to_big, type_name, IterKind, PyIter, PyRange, PySlice,
};
use crate::pyfmt::IntRef;

/// CPython's message when a length or index does not fit in a C `ssize_t`.
pub const SSIZE_OVERFLOW: &str = "Python int too large to convert to C ssize_t";

/// `range(start, stop, step)` where some bound does not fit in an `i64`; `step != 0`.
#[derive(Clone)]
pub struct PyLongRange {
    /// First value.
    pub start: BigInt,
    /// End, exclusive.
    pub stop: BigInt,
    /// Step, never zero.
    pub step: BigInt,
}

impl HostObject for PyLongRange {
    fn type_name(&self) -> &'static str {
        "range"
    }
    fn heap_size(&self) -> usize {
        ((self.start.bits() + self.stop.bits() + self.step.bits()) / 8) as usize
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Start, stop and step of a range of either kind.
pub struct Parts {
    /// First value.
    pub start: BigInt,
    /// End, exclusive.
    pub stop: BigInt,
    /// Step, never zero.
    pub step: BigInt,
}

impl Parts {
    /// The number of values.
    pub fn len(&self) -> BigInt {
        big_len(&self.start, &self.stop, &self.step)
    }
}

/// The number of values of `range(start, stop, step)`.
pub fn big_len(start: &BigInt, stop: &BigInt, step: &BigInt) -> BigInt {
    let (lo, hi, step) = if step.is_positive() {
        (start, stop, step.clone())
    } else {
        (stop, start, -step)
    };
    if lo >= hi {
        return BigInt::zero();
    }
    (hi - lo - 1u32) / step + 1u32
}

impl PyLongRange {
    /// The number of values.
    pub fn len(&self) -> BigInt {
        big_len(&self.start, &self.stop, &self.step)
    }

    /// True when the range has no values.
    pub fn is_empty(&self) -> bool {
        self.len().is_zero()
    }

    /// `x in self` for an int `x`.
    pub fn contains_int(&self, x: &BigInt) -> bool {
        let inside = if self.step.is_positive() {
            &self.start <= x && x < &self.stop
        } else {
            &self.stop < x && x <= &self.start
        };
        inside && (x - &self.start).mod_floor(&self.step).is_zero()
    }
}

/// The range of `v` as big-int parts, if `v` is a range.
pub fn parts(heap: &Heap, v: Value) -> Option<Parts> {
    if let Some(r) = heap.as_host::<PyRange>(v) {
        return Some(Parts {
            start: r.start.into(),
            stop: r.stop.into(),
            step: r.step.into(),
        });
    }
    heap.as_host::<PyLongRange>(v).map(|r| Parts {
        start: r.start.clone(),
        stop: r.stop.clone(),
        step: r.step.clone(),
    })
}

/// A new range, a [`PyRange`] when every bound fits in an `i64`.
pub fn new_range(heap: &mut Heap, start: BigInt, stop: BigInt, step: BigInt) -> Value {
    match (start.to_i64(), stop.to_i64(), step.to_i64()) {
        (Some(start), Some(stop), Some(step)) => host(heap, PyRange { start, stop, step }),
        _ => host(heap, PyLongRange { start, stop, step }),
    }
}

/// A `range(...)` argument: any int (or bool).
pub fn range_arg(heap: &Heap, v: Value) -> Result<BigInt, Exception> {
    match as_int(heap, v) {
        Some(i) => Ok(to_big(i)),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(heap, v)
        ))),
    }
}

/// A length as an `i64`, or CPython's `OverflowError`.
pub fn ssize(n: &BigInt) -> Result<i64, Exception> {
    n.to_i64().ok_or_else(|| overflow_error(SSIZE_OVERFLOW))
}

/// `r[i]` for an int `i`.
pub fn item(heap: &mut Heap, r: &Parts, i: IntRef<'_>) -> Result<Value, Exception> {
    let n = r.len();
    let mut k = to_big(i);
    if k.is_negative() {
        k += &n;
    }
    if k.is_negative() || k >= n {
        return Err(index_error("range object index out of range"));
    }
    Ok(int_value(heap, &r.start + k * &r.step))
}

/// One bound of a slice (`_PySlice_GetLongIndices`), clamped into `lower..=upper`.
fn slice_bound(
    heap: &Heap,
    v: Value,
    len: &BigInt,
    lower: &BigInt,
    upper: &BigInt,
    default: &BigInt,
) -> Result<BigInt, Exception> {
    if v.is_nil() {
        return Ok(default.clone());
    }
    let mut x = slice_int(heap, v)?;
    if x.is_negative() {
        x += len;
        if &x < lower {
            x = lower.clone();
        }
    } else if &x > upper {
        x = upper.clone();
    }
    Ok(x)
}

fn slice_int(heap: &Heap, v: Value) -> Result<BigInt, Exception> {
    as_int(heap, v).map(to_big).ok_or_else(|| {
        type_error("slice indices must be integers or None or have an __index__ method")
    })
}

/// `r[s]` for a slice `s`: another range.
pub fn slice(heap: &mut Heap, r: &Parts, s: &PySlice) -> Result<Value, Exception> {
    let step = if s.step.is_nil() {
        BigInt::one()
    } else {
        slice_int(heap, s.step)?
    };
    if step.is_zero() {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = r.len();
    let (lower, upper) = if step.is_negative() {
        (BigInt::from(-1), &len - 1u32)
    } else {
        (BigInt::zero(), len.clone())
    };
    let (dstart, dstop) = if step.is_negative() {
        (&upper, &lower)
    } else {
        (&lower, &upper)
    };
    let start = slice_bound(heap, s.start, &len, &lower, &upper, dstart)?;
    let stop = slice_bound(heap, s.stop, &len, &lower, &upper, dstop)?;
    Ok(new_range(
        heap,
        &r.start + start * &r.step,
        &r.start + stop * &r.step,
        &r.step * step,
    ))
}

/// `a == b` for two ranges: the same sequence of values.
pub fn eq(a: &Parts, b: &Parts) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    n.is_zero() || a.start == b.start && (n.is_one() || a.step == b.step)
}

/// `hash(r)`: CPython hashes `(len, start, step)`, with start and step None when they do
/// not matter.
pub fn hash(r: &Parts, none: i64) -> i64 {
    let n = r.len();
    let (sh, th) = if n.is_zero() {
        (none, none)
    } else if n.is_one() {
        (hash_big(&r.start), none)
    } else {
        (hash_big(&r.start), hash_big(&r.step))
    };
    hash_tuple_of([hash_big(&n), sh, th].into_iter())
}

/// `repr(r)`.
pub fn repr(r: &PyLongRange) -> String {
    if r.step.is_one() {
        format!("range({}, {})", r.start, r.stop)
    } else {
        format!("range({}, {}, {})", r.start, r.stop, r.step)
    }
}

/// `x in r` for a big range: ints by arithmetic, integral floats as the int they equal.
pub fn contains(heap: &Heap, r: &PyLongRange, x: Value) -> bool {
    match as_int(heap, x) {
        Some(i) => r.contains_int(&to_big(i)),
        None => x
            .as_float()
            .filter(|f| f.is_finite() && f.fract() == 0.0)
            .and_then(num_traits::FromPrimitive::from_f64)
            .is_some_and(|b: BigInt| r.contains_int(&b)),
    }
}

/// `r.index(x)`, `None` when `x` is not in the range.
pub fn index_of(heap: &mut Heap, r: &Parts, x: Value) -> Option<Value> {
    let x = to_big(as_int(heap, x)?);
    let inside = if r.step.is_positive() {
        r.start <= x && x < r.stop
    } else {
        r.stop < x && x <= r.start
    };
    let (q, m) = (&x - &r.start).div_mod_floor(&r.step);
    (inside && m.is_zero()).then(|| int_value(heap, q))
}

/// An iterator over `len` values from `start` by `step`: the core's `RangeIter` when the
/// values and the end fit in an `i64`, else a big-int iterator.
pub fn iter(heap: &mut Heap, start: BigInt, step: BigInt, len: BigInt) -> Value {
    let end = &start + &len * &step;
    if let (Some(next), Some(stop), Some(step)) = (start.to_i64(), end.to_i64(), step.to_i64()) {
        return heap.alloc(Obj::RangeIter(RangeIter {
            next: Cell::new(next),
            stop,
            step,
        }));
    }
    host(
        heap,
        PyIter(IterKind::LongRange {
            next: RefCell::new(start),
            step,
            left: RefCell::new(len),
        }),
    )
}

/// `iter(r)` and `reversed(r)` of a big range.
pub fn iter_of(heap: &mut Heap, r: &PyLongRange, reverse: bool) -> Value {
    let n = r.len();
    if reverse && !n.is_zero() {
        let last = &r.start + (&n - 1u32) * &r.step;
        iter(heap, last, -&r.step, n)
    } else {
        iter(heap, r.start.clone(), r.step.clone(), n)
    }
}

/// The next value of a big-int range iterator, advancing it.
pub fn next(next: &RefCell<BigInt>, step: &BigInt, left: &RefCell<BigInt>) -> Option<BigInt> {
    if left.borrow().is_zero() {
        return None;
    }
    *left.borrow_mut() -= 1u32;
    let v = next.borrow().clone();
    *next.borrow_mut() += step;
    Some(v)
}

/// Every value of a big range, for `list(r)`: `OverflowError` past `ssize_t` as CPython,
/// `MemoryError` past what a list may hold.
pub fn values(heap: &mut Heap, r: &PyLongRange) -> Result<Vec<Value>, Exception> {
    let n = ssize(&r.len())?;
    if n as u64 > super::MAX_LIST as u64 {
        return Err(super::errors::memory_error());
    }
    let mut x = r.start.clone();
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        out.push(int_value(heap, x.clone()));
        x += &r.step;
    }
    Ok(out)
}
