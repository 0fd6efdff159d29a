//! Slices of core arrays and tuples: resolving `start:stop:step` against a length with
//! CPython's rules (`PySlice_AdjustIndices`), reading a slice with one block copy, and
//! assigning to an array slice in place.
//!
//! The core resolves a slice whose parts are small ints or nil itself, on the paths that
//! `ops::index` and `ops::store_index` take first; any other part (a big int, a value of
//! another type, a zero step) goes to the language's slow path, which raises its errors
//! and may use [`Span::resolve`] for the arithmetic.

use alloc::vec::Vec;

use crate::heap::{ArrayObj, Heap, Obj, SliceObj};
use crate::value::Value;

/// A slice resolved against a sequence length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First index.
    pub start: i64,
    /// End index (exclusive, in the direction of `step`).
    pub stop: i64,
    /// Step, never zero.
    pub step: i64,
    /// Number of selected items.
    pub len: usize,
}

impl Span {
    /// Resolves the parts (`None` where omitted) against `len` items, clamping out-of-range
    /// bounds as CPython does. `step` must not be zero.
    pub fn resolve(start: Option<i64>, stop: Option<i64>, step: i64, len: usize) -> Span {
        let step = step.max(-i64::MAX);
        let len = len as i64;
        let adjust = |v: Option<i64>, default: i64| -> i64 {
            match v {
                None => default,
                Some(mut x) => {
                    if x < 0 {
                        x = x.saturating_add(len);
                        if x < 0 {
                            x = if step < 0 { -1 } else { 0 };
                        }
                    } else if x >= len {
                        x = if step < 0 { len - 1 } else { len };
                    }
                    x
                }
            }
        };
        let start = adjust(start, if step < 0 { len - 1 } else { 0 });
        let stop = adjust(stop, if step < 0 { -1 } else { len });
        let n = match step {
            1 => (stop - start).max(0),
            -1 => (start - stop).max(0),
            _ if step < 0 && stop < start => (start - stop - 1) / (-step) + 1,
            _ if step > 0 && start < stop => (stop - start - 1) / step + 1,
            _ => 0,
        };
        Span {
            start,
            stop,
            step,
            len: n as usize,
        }
    }

    /// The selected indices, in order.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len).map(move |k| (self.start + k as i64 * self.step) as usize)
    }
}

/// The parts of `s` when each is a small int or nil and the step is not zero.
#[inline]
pub fn small_parts(s: &SliceObj) -> Option<(Option<i64>, Option<i64>, i64)> {
    let part = |v: Value| -> Option<Option<i64>> {
        if v.is_nil() {
            Some(None)
        } else {
            v.as_small_int().map(Some)
        }
    };
    let step = part(s.step)?.unwrap_or(1);
    if step == 0 {
        return None;
    }
    Some((part(s.start)?, part(s.stop)?, step))
}

/// Appends the items of `items` that `sp` selects to `out` (a block copy for the steps 1
/// and -1 of `p[:]`, `p[a:b]` and `p[k::-1]`).
pub fn select(items: &[Value], sp: Span, out: &mut Vec<Value>) {
    if sp.len == 0 {
        return;
    }
    let first = sp.start as usize;
    match sp.step {
        1 => out.extend_from_slice(&items[first..first + sp.len]),
        -1 => out.extend(items[first + 1 - sp.len..=first].iter().rev()),
        _ => out.extend(sp.indices().map(|k| items[k])),
    }
}

/// `a[sp] = items`: a splice for step 1 (in place when the lengths agree), an element-wise
/// store otherwise; false, with `a` untouched, when an extended slice's length differs.
pub fn assign(a: &ArrayObj, sp: Span, items: &[Value]) -> bool {
    if sp.step == 1 {
        let n = a.len() as i64;
        let lo = sp.start.clamp(0, n) as usize;
        let hi = (sp.stop.clamp(0, n) as usize).max(lo);
        return a.splice(lo, hi, items);
    }
    if items.len() != sp.len {
        return false;
    }
    for (k, &x) in sp.indices().zip(items) {
        a.set(k, x);
    }
    true
}

/// The number of items of an array or tuple `c`.
pub fn seq_len(heap: &Heap, c: Value) -> Option<usize> {
    match heap.get(c)? {
        Obj::Array(a) => Some(a.len()),
        Obj::Tuple(t) => Some(t.len()),
        _ => None,
    }
}

/// `c[sp]` for an array or tuple `c` and a span resolved against its length: a new array
/// built in a recycled buffer, a new tuple, or `c` itself for a whole tuple.
pub fn get_span(heap: &mut Heap, c: Value, sp: Span) -> Option<Value> {
    match heap.get(c)? {
        Obj::Array(_) => {
            let mut out = heap.take_vec(sp.len);
            let a = heap.as_array(c)?;
            // SAFETY: `select` only copies items into `out`, a vector of this function's.
            unsafe { a.with_ref(|items| select(items, sp, &mut out)) };
            Some(heap.array(out))
        }
        Obj::Tuple(t) => {
            if sp.start == 0 && sp.step == 1 && sp.len == t.len() {
                return Some(c);
            }
            let mut out = Vec::with_capacity(sp.len);
            select(t, sp, &mut out);
            Some(heap.tuple(out))
        }
        _ => None,
    }
}

/// `c[i]` for an array or tuple `c` and a slice `i` with small parts; `None` for anything
/// else (the language's path).
#[inline]
pub fn get(heap: &mut Heap, c: Value, i: Value) -> Option<Value> {
    let (start, stop, step) = small_parts(heap.as_slice(i)?)?;
    let sp = Span::resolve(start, stop, step, seq_len(heap, c)?);
    get_span(heap, c, sp)
}

/// `c[sp] = v` for an array `c` and an array or tuple `v` other than `c`, read in place:
/// `None` when `v` is not such a sequence (the caller copies it), otherwise whether it
/// was assigned (`Some(false)`: an extended slice of another length, nothing done).
pub fn assign_from(heap: &Heap, c: Value, sp: Span, v: Value) -> Option<bool> {
    if c == v {
        return None;
    }
    let a = heap.as_array(c)?;
    match heap.get(v)? {
        Obj::Tuple(t) => Some(assign(a, sp, t)),
        // SAFETY: `assign` changes only `a`, which is not `src`: `c != v`, and an object
        // has exactly one value (its box's address).
        Obj::Array(src) => Some(unsafe { src.with_ref(|items| assign(a, sp, items)) }),
        _ => None,
    }
}

/// `c[i] = v` for an array `c`, a slice `i` with small parts and an array or tuple `v`
/// other than `c`; false (nothing done) for anything else, including an extended slice
/// of another length (the language raises).
#[inline]
pub fn set(heap: &Heap, c: Value, i: Value, v: Value) -> bool {
    let (Some(a), Some(s)) = (heap.as_array(c), heap.as_slice(i)) else {
        return false;
    };
    let Some((start, stop, step)) = small_parts(s) else {
        return false;
    };
    let sp = Span::resolve(start, stop, step, a.len());
    assign_from(heap, c, sp, v) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(start: Option<i64>, stop: Option<i64>, step: i64, len: usize) -> Vec<usize> {
        Span::resolve(start, stop, step, len).indices().collect()
    }

    #[test]
    fn resolves_like_cpython() {
        // list(range(5))[a:b:c] in CPython.
        assert_eq!(picks(None, None, 1, 5), [0, 1, 2, 3, 4]);
        assert_eq!(picks(Some(3), None, -1, 5), [3, 2, 1, 0]);
        assert_eq!(picks(None, None, -2, 5), [4, 2, 0]);
        assert_eq!(picks(Some(-2), None, 1, 5), [3, 4]);
        assert_eq!(picks(Some(-9), Some(9), 2, 5), [0, 2, 4]);
        assert_eq!(picks(Some(9), Some(-9), -3, 5), [4, 1]);
        assert_eq!(picks(Some(2), Some(2), 1, 5), Vec::<usize>::new());
        assert_eq!(picks(Some(1), Some(3), -1, 5), Vec::<usize>::new());
        assert_eq!(picks(Some(i64::MIN), None, 1, 3), [0, 1, 2]);
    }

    #[test]
    fn assignment_checks_extended_lengths() {
        let a = ArrayObj::new(alloc::vec![Value::small_int(0); 4]);
        let sp = Span::resolve(None, None, 2, 4);
        assert!(!assign(&a, sp, &[Value::NIL]));
        assert!(assign(&a, sp, &[Value::NIL, Value::TRUE]));
        assert_eq!(a.get(2), Some(Value::TRUE));
        let all = Span::resolve(Some(1), Some(3), 1, 4);
        assert!(assign(&a, all, &[]));
        assert_eq!(a.len(), 2);
    }
}
