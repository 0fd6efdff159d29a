//! `sum`, `min`, `max` and `sorted` over sequences of plain values (small ints, floats,
//! strings), as CPython's own fast paths do (`sum`'s C-long and double accumulators,
//! `list.sort`'s pre-scan for a single key type): no iterator objects and no general
//! comparison per element. Each function answers `None` when its input is not of that
//! shape, and the caller takes the general path, which raises every error.

use jit_core::heap::{Heap, Obj};
use jit_core::value::Value;

/// The items of a list, tuple, set or frozenset, copied (a list may change while a
/// caller runs code), in iteration order.
fn items(heap: &Heap, v: Value) -> Option<Vec<Value>> {
    match heap.get(v)? {
        Obj::Array(a) => Some(a.to_vec()),
        Obj::Tuple(t) => Some(t.to_vec()),
        _ => super::set::as_set(heap, v).map(|s| s.items()),
    }
}

/// A small int or a float, as `f64`, with whether it was a float.
fn number(v: Value) -> Option<(f64, bool)> {
    if v.is_float() {
        Some((v.float_unchecked(), true))
    } else {
        v.as_small_int().map(|i| (i as f64, false))
    }
}

/// `sum(seq, start)` when `start` and every item are small ints or floats: ints add in an
/// `i64` while they stay ints, floats in an `f64` from the first float on, exactly as
/// repeated `+` would (small ints are exact in a double).
pub fn sum(heap: &mut Heap, seq: Value, start: Value) -> Option<Value> {
    let xs = items(heap, seq)?;
    let mut int_acc = start.as_small_int();
    let mut float_acc = if int_acc.is_none() {
        Some(number(start)?.0)
    } else {
        None
    };
    for x in xs {
        let (f, is_float) = number(x)?;
        match (&mut int_acc, &mut float_acc) {
            (Some(acc), None) if !is_float => *acc = acc.checked_add(x.small_int_unchecked())?,
            (Some(acc), None) => {
                float_acc = Some(*acc as f64 + f);
                int_acc = None;
            }
            (None, Some(acc)) => *acc += f,
            _ => return None,
        }
    }
    match (int_acc, float_acc) {
        (Some(i), _) => Some(heap.int(i)),
        (None, Some(f)) => Some(Value::float(f)),
        _ => None,
    }
}

/// `min(seq)` / `max(seq)` without a key when every item is a small int or a float that
/// is not NaN: the first of equal extremes wins, as CPython's strict comparison makes it.
pub fn min_max(heap: &Heap, seq: Value, is_max: bool) -> Option<Value> {
    let xs = items(heap, seq)?;
    let mut best = *xs.first()?;
    let mut best_n = number(best)?.0;
    for &x in &xs[1..] {
        let (n, _) = number(x)?;
        if n.is_nan() || best_n.is_nan() {
            return None;
        }
        if (is_max && n > best_n) || (!is_max && n < best_n) {
            best = x;
            best_n = n;
        }
    }
    if best_n.is_nan() {
        return None;
    }
    Some(best)
}

/// Sorts `xs` in place, stably, when all are small ints, all are non-NaN floats, or all
/// are strings (compared by code point, which is UTF-8 byte order); false, untouched,
/// otherwise. `reverse` keeps equal items in their original order, as CPython does.
pub fn sort(heap: &Heap, xs: &mut [Value], reverse: bool) -> bool {
    let order = |o: core::cmp::Ordering| if reverse { o.reverse() } else { o };
    if xs.iter().all(|v| v.is_small_int()) {
        // Equal small ints are the same value: stability cannot show.
        xs.sort_unstable_by_key(|v| v.small_int_unchecked());
        if reverse {
            xs.reverse();
        }
        return true;
    }
    if xs
        .iter()
        .all(|v| v.is_float() && !v.float_unchecked().is_nan())
    {
        // Without NaN, partial_cmp is total; -0.0 and 0.0 compare equal and keep their
        // order, as in Python.
        xs.sort_by(|a, b| {
            order(
                a.float_unchecked()
                    .partial_cmp(&b.float_unchecked())
                    .unwrap_or(core::cmp::Ordering::Equal),
            )
        });
        return true;
    }
    if xs.iter().all(|&v| heap.as_str(v).is_some()) {
        xs.sort_by(|&a, &b| {
            let (x, y) = (heap.as_str(a).unwrap_or(""), heap.as_str(b).unwrap_or(""));
            order(x.as_bytes().cmp(y.as_bytes()))
        });
        return true;
    }
    false
}
