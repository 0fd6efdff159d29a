//! Python's rich comparisons: exact int/float ordering (big ints included), lexicographic
//! list and tuple comparison, dict and range equality, identity for everything else, and
//! CPython's `TypeError` for orderings between unrelated types.

use std::cmp::Ordering;

use jit_core::bytecode::CmpOp;
use jit_core::heap::{Heap, Obj};
use jit_core::ops::cmp_ord;
use jit_core::semantics::Exception;
use jit_core::value::Value;
use num_bigint::BigInt;
use num_traits::FromPrimitive;

use super::dict::PyDict;
use super::errors::{recursion_error, type_error};
use super::objects::{as_int, type_name, PyRange};
use super::range;
use super::set::PySet;
use crate::pyfmt::IntRef;

/// How deep comparisons, hashing and `repr` may nest before `RecursionError`.
pub const MAX_DEPTH: usize = 900;

/// The ordering of two ints.
pub fn cmp_ints(a: IntRef<'_>, b: IntRef<'_>) -> Ordering {
    match (a, b) {
        (IntRef::Small(x), IntRef::Small(y)) => x.cmp(&y),
        (IntRef::Big(x), IntRef::Big(y)) => x.cmp(y),
        (IntRef::Small(x), IntRef::Big(y)) => BigInt::from(x).cmp(y),
        (IntRef::Big(x), IntRef::Small(y)) => x.cmp(&BigInt::from(y)),
    }
}

/// The exact ordering of an int and a float; `None` when the float is NaN.
pub fn cmp_int_float(i: IntRef<'_>, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let fl = f.floor();
    let o = match i {
        IntRef::Small(x) => {
            if fl >= 9.3e18 {
                Ordering::Less
            } else if fl <= -9.3e18 {
                Ordering::Greater
            } else {
                (x as i128).cmp(&(fl as i128))
            }
        }
        IntRef::Big(b) => match BigInt::from_f64(fl) {
            Some(bf) => b.cmp(&bf),
            None => return None,
        },
    };
    Some(if o == Ordering::Equal && f > fl {
        Ordering::Less
    } else {
        o
    })
}

/// The ordering of two numbers (ints, bools, floats): `Some(None)` when unordered (NaN),
/// `None` when either is not a number.
pub fn cmp_numbers(heap: &Heap, a: Value, b: Value) -> Option<Option<Ordering>> {
    match (a.as_float(), b.as_float()) {
        (Some(x), Some(y)) => Some(x.partial_cmp(&y)),
        (Some(x), None) => {
            let i = as_int(heap, b)?;
            Some(cmp_int_float(i, x).map(Ordering::reverse))
        }
        (None, Some(y)) => {
            let i = as_int(heap, a)?;
            Some(cmp_int_float(i, y))
        }
        (None, None) => {
            let (x, y) = (as_int(heap, a)?, as_int(heap, b)?);
            Some(Some(cmp_ints(x, y)))
        }
    }
}

/// Equality for dict keys (hashable values): never fails. Identity first, as [`py_eq`].
pub fn key_eq(heap: &Heap, a: Value, b: Value) -> bool {
    eq_depth(heap, a, b, 0).unwrap_or(false)
}

/// `a == b` as containers ask it (CPython's `PyObject_RichCompareBool`): identical
/// values are equal before `==` is consulted, so `x in [x]` and `[x] == [x]` hold for a
/// NaN `x`. Floats are unboxed, so "identical" means the same bits: two NaNs made
/// separately count as identical too (ARCHITECTURE.md, departures). The operator `==`
/// itself is [`richcmp`], with no identity shortcut.
pub fn py_eq(heap: &Heap, a: Value, b: Value) -> Result<bool, Exception> {
    eq_depth(heap, a, b, 0)
}

/// `a op b` as a Python bool.
pub fn richcmp(heap: &Heap, op: CmpOp, a: Value, b: Value) -> Result<bool, Exception> {
    cmp_depth(heap, op, a, b, 0)
}

/// `a < b`, for sorting and `min`/`max`.
pub fn py_lt(heap: &Heap, a: Value, b: Value) -> Result<bool, Exception> {
    cmp_depth(heap, CmpOp::Lt, a, b, 0)
}

fn eq_depth(heap: &Heap, a: Value, b: Value, depth: usize) -> Result<bool, Exception> {
    if a == b {
        return Ok(true);
    }
    cmp_depth(heap, CmpOp::Eq, a, b, depth)
}

/// Items of a list or tuple without copying a tuple.
enum Seq<'a> {
    List(&'a jit_core::heap::ArrayObj),
    Tuple(&'a [Value]),
}

impl Seq<'_> {
    fn len(&self) -> usize {
        match self {
            Seq::List(a) => a.len(),
            Seq::Tuple(t) => t.len(),
        }
    }
    fn get(&self, i: usize) -> Option<Value> {
        match self {
            Seq::List(a) => a.get(i),
            Seq::Tuple(t) => t.get(i).copied(),
        }
    }
}

/// `x op y` for two sets: one subset test each (a subset of the same size is equal, a
/// smaller one proper).
pub fn set_cmp(heap: &Heap, op: CmpOp, x: &PySet, y: &PySet) -> bool {
    let (nx, ny) = (x.len(), y.len());
    match op {
        CmpOp::Eq => nx == ny && x.is_subset(heap, y),
        CmpOp::Ne => !(nx == ny && x.is_subset(heap, y)),
        CmpOp::Le => x.is_subset(heap, y),
        CmpOp::Lt => nx < ny && x.is_subset(heap, y),
        CmpOp::Ge => y.is_subset(heap, x),
        CmpOp::Gt => ny < nx && y.is_subset(heap, x),
    }
}

fn cmp_depth(heap: &Heap, op: CmpOp, a: Value, b: Value, depth: usize) -> Result<bool, Exception> {
    if let Some(o) = cmp_numbers(heap, a, b) {
        return Ok(match o {
            Some(o) => cmp_ord(op, o),
            None => op == CmpOp::Ne,
        });
    }
    if depth > MAX_DEPTH {
        return Err(recursion_error(" in comparison"));
    }
    let (oa, ob) = (heap.get(a), heap.get(b));
    match (oa, ob) {
        (Some(Obj::Str(x)), Some(Obj::Str(y))) => {
            return Ok(cmp_ord(op, x.as_bytes().cmp(y.as_bytes())))
        }
        (Some(Obj::Array(x)), Some(Obj::Array(y))) => {
            return cmp_seq(heap, op, Seq::List(x), Seq::List(y), depth)
        }
        (Some(Obj::Tuple(x)), Some(Obj::Tuple(y))) => {
            return cmp_seq(heap, op, Seq::Tuple(x), Seq::Tuple(y), depth)
        }
        (Some(Obj::Host(x)), Some(Obj::Host(y)))
            if x.as_any().is::<PySet>() && y.as_any().is::<PySet>() =>
        {
            let (Some(x), Some(y)) = (
                x.as_any().downcast_ref::<PySet>(),
                y.as_any().downcast_ref::<PySet>(),
            ) else {
                return Ok(false);
            };
            return Ok(set_cmp(heap, op, x, y));
        }
        (Some(Obj::Host(x)), Some(Obj::Host(y))) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
            let (x, y) = (x.as_any(), y.as_any());
            if let (Some(x), Some(y)) = (x.downcast_ref::<PyDict>(), y.downcast_ref::<PyDict>()) {
                let eq = dict_eq(heap, x, y, depth)?;
                return Ok(eq == (op == CmpOp::Eq));
            }
            if let (Some(x), Some(y)) = (x.downcast_ref::<PyRange>(), y.downcast_ref::<PyRange>()) {
                return Ok(range_eq(x, y) == (op == CmpOp::Eq));
            }
            if let (Some(x), Some(y)) = (range::parts(heap, a), range::parts(heap, b)) {
                return Ok(range::eq(&x, &y) == (op == CmpOp::Eq));
            }
        }
        _ => {}
    }
    match op {
        CmpOp::Eq => Ok(a == b && !a.is_float()),
        CmpOp::Ne => Ok(a != b || a.is_float()),
        _ => Err(type_error(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            op.symbol(),
            type_name(heap, a),
            type_name(heap, b)
        ))),
    }
}

fn cmp_seq(
    heap: &Heap,
    op: CmpOp,
    x: Seq<'_>,
    y: Seq<'_>,
    depth: usize,
) -> Result<bool, Exception> {
    if matches!(op, CmpOp::Eq | CmpOp::Ne) && x.len() != y.len() {
        return Ok(op == CmpOp::Ne);
    }
    let mut i = 0;
    while let (Some(p), Some(q)) = (x.get(i), y.get(i)) {
        if !eq_depth(heap, p, q, depth + 1)? {
            return match op {
                CmpOp::Eq => Ok(false),
                CmpOp::Ne => Ok(true),
                _ => cmp_depth(heap, op, p, q, depth + 1),
            };
        }
        i += 1;
    }
    Ok(cmp_ord(op, x.len().cmp(&y.len())))
}

fn dict_eq(heap: &Heap, x: &PyDict, y: &PyDict, depth: usize) -> Result<bool, Exception> {
    if x.len() != y.len() {
        return Ok(false);
    }
    for (k, v) in x.items() {
        match y.get(heap, k)? {
            Some(w) => {
                if !eq_depth(heap, v, w, depth + 1)? {
                    return Ok(false);
                }
            }
            None => return Ok(false),
        }
    }
    Ok(true)
}

fn range_eq(x: &PyRange, y: &PyRange) -> bool {
    let n = x.len();
    if n != y.len() {
        return false;
    }
    if n == 0 {
        return true;
    }
    if x.start != y.start {
        return false;
    }
    n == 1 || x.step == y.step
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::objects::{host, int_value, PyLong};

    #[test]
    fn ints_and_floats_compare_exactly() {
        let big = BigInt::from(2).pow(70);
        assert_eq!(
            cmp_int_float(IntRef::Big(&big), 2f64.powi(70)),
            Some(Ordering::Equal)
        );
        let big1 = &big + 1;
        assert_eq!(
            cmp_int_float(IntRef::Big(&big1), 2f64.powi(70)),
            Some(Ordering::Greater)
        );
        // 2**53 + 1 == 2.0**53 is False in Python.
        assert_eq!(
            cmp_int_float(IntRef::Small((1 << 53) + 1), 2f64.powi(53)),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp_int_float(IntRef::Small(3), 3.5), Some(Ordering::Less));
        assert_eq!(
            cmp_int_float(IntRef::Small(-3), -3.5),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp_int_float(IntRef::Small(1), f64::NAN), None);
        assert_eq!(
            cmp_int_float(IntRef::Small(i64::MAX), 9.3e18),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn sequences_compare_lexicographically() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let mut heap = unsafe { Heap::new() };
        let one = Value::small_int(1);
        let a = heap.array(vec![one, Value::small_int(2)]);
        let b = heap.array(vec![one, Value::float(2.0)]);
        let c = heap.array(vec![one]);
        let t = heap.tuple_of(&[one]);
        assert!(py_eq(&heap, a, b).unwrap());
        assert!(py_lt(&heap, c, a).unwrap());
        assert!(!py_eq(&heap, c, t).unwrap());
        let e = py_lt(&heap, c, t).unwrap_err();
        assert_eq!(
            e.message,
            "'<' not supported between instances of 'list' and 'tuple'"
        );
        // True == 1 == 1.0
        assert!(py_eq(&heap, Value::TRUE, Value::float(1.0)).unwrap());
        let big = int_value(&mut heap, BigInt::from(2).pow(64));
        let big2 = host(&mut heap, PyLong(BigInt::from(2).pow(64)));
        assert!(py_eq(&heap, big, big2).unwrap());
        // Containers see a NaN as equal to itself (identity), the operator does not.
        let nan = Value::float(f64::NAN);
        assert!(py_eq(&heap, nan, nan).unwrap());
        assert!(!richcmp(&heap, CmpOp::Eq, nan, nan).unwrap());
        assert!(richcmp(&heap, CmpOp::Ne, nan, nan).unwrap());
    }
}
