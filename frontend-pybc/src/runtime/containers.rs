//! Subscripting: `c[i]`, `c[i] = v` and `del c[i]` for lists, tuples, strings, ranges and
//! dicts, with negative indices, slices (any step, slice assignment and deletion) and
//! CPython's exact errors.

use jit_core::heap::{ArrayObj, Heap, Obj};
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::errors::{exc, index_error, type_error, value_error};
use super::objects::{as_int, type_name, PyDictView, PyRange, PySlice};
use super::PySemantics;
use crate::pyfmt::IntRef;

/// A slice resolved against a sequence length: the core's (CPython's rules).
pub use jit_core::slice::Span;
use jit_core::slice::{assign, assign_from, get_span, seq_len};

#[inline]
fn slice_part(heap: &Heap, v: Value) -> Result<Option<i64>, Exception> {
    if let Some(i) = v.as_small_int() {
        return Ok(Some(i));
    }
    if v.is_nil() {
        return Ok(None);
    }
    match as_int(heap, v) {
        Some(IntRef::Small(i)) => Ok(Some(i)),
        Some(IntRef::Big(b)) => Ok(Some(if b.sign() == num_bigint::Sign::Minus {
            i64::MIN + 1
        } else {
            i64::MAX
        })),
        None => Err(type_error(
            "slice indices must be integers or None or have an __index__ method",
        )),
    }
}

/// Resolves `s` against a sequence of `len` items.
#[inline]
pub fn span(heap: &Heap, s: &PySlice, len: usize) -> Result<Span, Exception> {
    let (start, stop, step) = match jit_core::slice::small_parts(s) {
        Some(parts) => parts,
        None => {
            let step = slice_part(heap, s.step)?.unwrap_or(1);
            if step == 0 {
                return Err(value_error("slice step cannot be zero"));
            }
            (slice_part(heap, s.start)?, slice_part(heap, s.stop)?, step)
        }
    };
    Ok(Span::resolve(start, stop, step, len))
}

/// An item index (`__index__`): `Ok(None)` when `v` is not an int; big ints fail with
/// `IndexError: cannot fit 'int' into an index-sized integer`.
fn item_index(heap: &Heap, v: Value) -> Result<Option<i64>, Exception> {
    match as_int(heap, v) {
        Some(IntRef::Small(i)) => Ok(Some(i)),
        Some(IntRef::Big(_)) => Err(index_error("cannot fit 'int' into an index-sized integer")),
        None => Ok(None),
    }
}

/// Normalizes a possibly negative index into `0..len`.
fn norm(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i.checked_add(len as i64)? } else { i };
    (j >= 0 && (j as u64) < len as u64).then_some(j as usize)
}

fn as_slice(heap: &Heap, v: Value) -> Option<&PySlice> {
    heap.as_slice(v)
}

/// Byte offset of character `i` of `s` (`i <= chars`), or `s.len()`.
pub fn char_offset(s: &str, i: usize, ascii: bool) -> usize {
    if ascii {
        return i.min(s.len());
    }
    s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)
}

impl PySemantics {
    /// `c[i]`.
    pub fn index(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<Value, Exception> {
        match heap.get(c) {
            Some(Obj::Array(a)) => {
                if let Some(s) = as_slice(heap, i) {
                    let sp = span(heap, s, a.len())?;
                    return get_span(heap, c, sp).ok_or_else(|| not_subscriptable(heap, c));
                }
                if let Some(k) = item_index(heap, i)? {
                    return norm(k, a.len())
                        .and_then(|k| a.get(k))
                        .ok_or_else(|| index_error("list index out of range"));
                }
                Err(type_error(format!(
                    "list indices must be integers or slices, not {}",
                    type_name(heap, i)
                )))
            }
            Some(Obj::Tuple(t)) => {
                if let Some(k) = item_index(heap, i)? {
                    return norm(k, t.len())
                        .map(|k| t[k])
                        .ok_or_else(|| index_error("tuple index out of range"));
                }
                if let Some(s) = as_slice(heap, i) {
                    let sp = span(heap, s, t.len())?;
                    return get_span(heap, c, sp).ok_or_else(|| not_subscriptable(heap, c));
                }
                Err(type_error(format!(
                    "tuple indices must be integers or slices, not {}",
                    type_name(heap, i)
                )))
            }
            Some(Obj::Str(s)) => {
                let (n, ascii) = self.str_info(c, s);
                if let Some(k) = item_index(heap, i)? {
                    let k = norm(k, n).ok_or_else(|| index_error("string index out of range"))?;
                    let ch = if ascii {
                        s.as_bytes()[k] as char
                    } else {
                        s.chars().nth(k).unwrap_or('\0')
                    };
                    return Ok(self.char_str(heap, ch));
                }
                if let Some(sl) = as_slice(heap, i) {
                    let sp = span(heap, sl, n)?;
                    let out: String = if sp.step == 1 {
                        let a = char_offset(s, sp.start.max(0) as usize, ascii);
                        let b = char_offset(s, sp.start.max(0) as usize + sp.len, ascii);
                        s[a..b.max(a)].to_string()
                    } else if ascii {
                        let bytes = s.as_bytes();
                        sp.indices().map(|k| bytes[k] as char).collect()
                    } else {
                        let chars: Vec<char> = s.chars().collect();
                        sp.indices().map(|k| chars[k]).collect()
                    };
                    return Ok(heap.string(out));
                }
                Err(type_error(format!(
                    "string indices must be integers, not '{}'",
                    type_name(heap, i)
                )))
            }
            Some(Obj::Host(h)) => {
                let any = h.as_any();
                if let Some(d) = any.downcast_ref::<super::dict::PyDict>() {
                    return match d.get(heap, i)? {
                        Some(v) => Ok(v),
                        None => Err(exc("KeyError", self.repr(heap, i)?)),
                    };
                }
                if any.is::<super::range::PyLongRange>() {
                    return range_subscript(heap, c, i);
                }
                if let Some(r) = any.downcast_ref::<PyRange>() {
                    let n = r.len();
                    if matches!(as_int(heap, i), Some(IntRef::Big(_)))
                        || as_slice(heap, i).is_some()
                    {
                        return range_subscript(heap, c, i);
                    }
                    if let Some(k) = item_index(heap, i)? {
                        let k = k as i128;
                        let k = if k < 0 { k + n } else { k };
                        if k < 0 || k >= n {
                            return Err(index_error("range object index out of range"));
                        }
                        return Ok(heap.int(r.at(k)));
                    }
                    return Err(type_error(format!(
                        "range indices must be integers or slices, not {}",
                        type_name(heap, i)
                    )));
                }
                Err(not_subscriptable(heap, c))
            }
            _ => Err(not_subscriptable(heap, c)),
        }
    }

    /// `c[i] = v`.
    pub fn store_index(
        &mut self,
        heap: &mut Heap,
        c: Value,
        i: Value,
        v: Value,
    ) -> Result<(), Exception> {
        if let Some(a) = heap.as_array(c) {
            if let Some(k) = item_index(heap, i)? {
                let k = norm(k, a.len())
                    .ok_or_else(|| index_error("list assignment index out of range"))?;
                a.set(k, v);
                return Ok(());
            }
            if let Some(sl) = as_slice(heap, i) {
                // A list or tuple other than the target is read in place; anything else
                // (the target itself, any iterable) is copied first.
                if v != c && matches!(heap.get(v), Some(Obj::Tuple(_) | Obj::Array(_))) {
                    let sp = span(heap, sl, a.len())?;
                    if assign_from(heap, c, sp, v) == Some(true) {
                        return Ok(());
                    }
                    let n = seq_len(heap, v).unwrap_or(0);
                    return Err(extended_size_error(n, sp));
                }
                let items = assignable_items(heap, v)?;
                let (Some(a), Some(s)) = (heap.as_array(c), as_slice(heap, i)) else {
                    return Ok(());
                };
                let sp = span(heap, s, a.len())?;
                return assign_slice(a, sp, &items);
            }
            return Err(type_error(format!(
                "list indices must be integers or slices, not {}",
                type_name(heap, i)
            )));
        }
        if let Some(d) = super::objects::as_dict(heap, c) {
            return d.insert(heap, i, v);
        }
        Err(type_error(format!(
            "'{}' object does not support item assignment",
            type_name(heap, c)
        )))
    }

    /// `del c[i]`.
    pub fn del_index(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<(), Exception> {
        if let Some(a) = heap.as_array(c) {
            if let Some(k) = item_index(heap, i)? {
                let k = norm(k, a.len())
                    .ok_or_else(|| index_error("list assignment index out of range"))?;
                a.remove(k);
                return Ok(());
            }
            if let Some(s) = as_slice(heap, i) {
                let sp = span(heap, s, a.len())?;
                if sp.len == 0 {
                    return Ok(());
                }
                // Steps 1 and -1 select one block; any other step, items `|step|` apart
                // from the lowest selected index.
                let first = sp.start as usize;
                let stride = sp.step.unsigned_abs() as usize;
                let lo = if sp.step > 0 {
                    first
                } else {
                    first - (sp.len - 1) * stride
                };
                a.remove_stepped(lo, sp.len, stride);
                return Ok(());
            }
            return Err(type_error(format!(
                "list indices must be integers or slices, not {}",
                type_name(heap, i)
            )));
        }
        if let Some(d) = super::objects::as_dict(heap, c) {
            return match d.remove(heap, i)? {
                Some(_) => Ok(()),
                None => Err(exc("KeyError", self.repr(heap, i)?)),
            };
        }
        match heap.get(c) {
            Some(Obj::Tuple(_)) | Some(Obj::Str(_)) => Err(type_error(format!(
                "'{}' object doesn't support item deletion",
                type_name(heap, c)
            ))),
            _ => Err(type_error(format!(
                "'{}' object does not support item deletion",
                type_name(heap, c)
            ))),
        }
    }
}

/// `a[sp] = items`, or CPython's error for an extended slice of another length.
fn assign_slice(a: &ArrayObj, sp: Span, items: &[Value]) -> Result<(), Exception> {
    if assign(a, sp, items) {
        return Ok(());
    }
    Err(extended_size_error(items.len(), sp))
}

/// CPython's error for assigning `n` items to an extended slice of another length.
fn extended_size_error(n: usize, sp: Span) -> Exception {
    value_error(format!(
        "attempt to assign sequence of size {n} to extended slice of size {}",
        sp.len
    ))
}

fn not_subscriptable(heap: &Heap, c: Value) -> Exception {
    type_error(format!(
        "'{}' object is not subscriptable",
        type_name(heap, c)
    ))
}

/// `r[i]` for a range `r` of either kind when `i` is a big int or a slice: big-int
/// arithmetic, as CPython does for every range.
fn range_subscript(heap: &mut Heap, r: Value, i: Value) -> Result<Value, Exception> {
    let Some(parts) = super::range::parts(heap, r) else {
        return Err(not_subscriptable(heap, r));
    };
    if let Some(k) = as_int(heap, i) {
        let k = super::objects::to_big(k);
        return super::range::item(heap, &parts, IntRef::Big(&k));
    }
    if let Some(sl) = as_slice(heap, i) {
        let sl = PySlice {
            start: sl.start,
            stop: sl.stop,
            step: sl.step,
        };
        return super::range::slice(heap, &parts, &sl);
    }
    Err(type_error(format!(
        "range indices must be integers or slices, not {}",
        type_name(heap, i)
    )))
}

/// The items of a value assigned to a list slice (any iterable that needs no guest code).
pub fn assignable_items(heap: &mut Heap, v: Value) -> Result<Vec<Value>, Exception> {
    if let Some(items) = super::objects::seq_items(heap, v) {
        return Ok(items);
    }
    if let Some(s) = heap.as_str(v) {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        return Ok(chars.into_iter().map(|c| heap.string(c)).collect());
    }
    if let Some(r) = heap.as_host::<super::range::PyLongRange>(v) {
        let r = r.clone();
        return super::range::values(heap, &r);
    }
    if let Some(r) = heap.as_host::<PyRange>(v) {
        let (n, start, step) = (r.len(), r.start, r.step);
        if n > super::MAX_LIST as i128 {
            return Err(super::errors::memory_error());
        }
        return Ok((0..n)
            .map(|k| heap.int((start as i128 + k * step as i128) as i64))
            .collect());
    }
    if let Some(d) = super::objects::as_dict(heap, v) {
        return Ok(d.keys());
    }
    if let Some(s) = super::set::as_set(heap, v) {
        return Ok(s.items());
    }
    if let Some(view) = heap.as_host::<PyDictView>(v) {
        let part = view.part;
        let items = super::objects::as_dict(heap, view.dict)
            .map(|d| d.items())
            .unwrap_or_default();
        return Ok(items
            .into_iter()
            .map(|(k, x)| match part {
                super::objects::DictPart::Keys => k,
                super::objects::DictPart::Values => x,
                super::objects::DictPart::Items => heap.tuple_of(&[k, x]),
            })
            .collect());
    }
    Err(type_error("can only assign an iterable"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: Value, stop: Value, step: Value, len: usize) -> Vec<usize> {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let heap = unsafe { Heap::new() };
        let s = PySlice { start, stop, step };
        span(&heap, &s, len).unwrap().indices().collect()
    }

    #[test]
    fn slices_resolve_like_cpython() {
        let n = Value::NIL;
        let i = Value::small_int;
        assert_eq!(sp(n, n, i(-1), 5), vec![4, 3, 2, 1, 0]);
        assert_eq!(sp(i(-100), i(100), i(2), 3), vec![0, 2]);
        assert_eq!(sp(n, n, i(-2), 3), vec![2, 0]);
        assert_eq!(sp(i(3), i(1), n, 5), Vec::<usize>::new());
        assert_eq!(sp(i(1), i(100), n, 5), vec![1, 2, 3, 4]);
        assert_eq!(sp(i(-3), n, n, 10), vec![7, 8, 9]);
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let heap = unsafe { Heap::new() };
        let zero = PySlice {
            start: n,
            stop: n,
            step: i(0),
        };
        assert_eq!(
            span(&heap, &zero, 3).unwrap_err().message,
            "slice step cannot be zero"
        );
    }
}
