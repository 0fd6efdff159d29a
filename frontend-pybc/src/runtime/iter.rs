//! Iteration: `iter()` for every iterable, `next()` for every iterator (the core's range
//! and sequence iterators too, since `zip` and friends wrap them), collecting an iterable
//! into a vector, and unpacking with CPython's errors.
//!
//! Values that are only held by Rust code across a call that may run guest code (and so
//! the collector) are pushed on `vm.roots` first.

use std::cell::Cell;

use jit_core::heap::{Heap, Obj, RangeIter, SeqIter};
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::dict::PyDict;
use super::errors::{runtime_error, type_error, value_error};
use super::objects::{host, type_name, DictPart, IterKind, PyDictView, PyIter, PyRange};
use super::ops::truthy;
use super::range::PyLongRange;
use super::PySemantics;

fn not_iterable(heap: &Heap, v: Value) -> Exception {
    type_error(format!("'{}' object is not iterable", type_name(heap, v)))
}

/// True for values that are their own iterator.
pub fn is_iterator(heap: &Heap, v: Value) -> bool {
    match heap.get(v) {
        Some(Obj::RangeIter(_)) | Some(Obj::SeqIter(_)) => true,
        Some(Obj::Host(h)) => h.as_any().is::<PyIter>(),
        _ => false,
    }
}

impl PySemantics {
    /// `iter(v)`.
    pub fn iter_of(&mut self, heap: &mut Heap, v: Value) -> Result<Value, Exception> {
        let it = match heap.get(v) {
            Some(Obj::Array(_)) | Some(Obj::Tuple(_)) => Obj::SeqIter(SeqIter {
                seq: v,
                index: Cell::new(0),
            }),
            Some(Obj::RangeIter(_)) | Some(Obj::SeqIter(_)) => return Ok(v),
            Some(Obj::Str(s)) => {
                let ascii = s.is_ascii();
                return Ok(host(
                    heap,
                    PyIter(IterKind::Str {
                        s: v,
                        pos: Cell::new(0),
                        ascii,
                    }),
                ));
            }
            Some(Obj::Host(h)) => {
                let any = h.as_any();
                if any.is::<PyIter>() {
                    return Ok(v);
                }
                if let Some(r) = any.downcast_ref::<PyLongRange>() {
                    let r = r.clone();
                    return Ok(super::range::iter_of(heap, &r, false));
                }
                if let Some(r) = any.downcast_ref::<PyRange>() {
                    Obj::RangeIter(RangeIter {
                        next: Cell::new(r.start),
                        stop: r.stop,
                        step: r.step,
                    })
                } else if let Some(d) = any.downcast_ref::<PyDict>() {
                    return Ok(dict_iter(heap, v, d.len(), DictPart::Keys, false));
                } else if let Some(s) = any.downcast_ref::<super::set::PySet>() {
                    let len = s.len();
                    return Ok(host(
                        heap,
                        PyIter(IterKind::Set {
                            set: v,
                            pos: Cell::new(0),
                            len,
                        }),
                    ));
                } else if any
                    .downcast_ref::<super::objects::PyStream>()
                    .is_some_and(|s| s.fd == 0)
                {
                    // `for line in sys.stdin`: read everything, then iterate the lines.
                    let mut all = String::new();
                    let _ = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut all);
                    let lines: Vec<Value> =
                        all.split_inclusive('\n').map(|l| heap.str(l)).collect();
                    let list = heap.array(lines);
                    Obj::SeqIter(SeqIter {
                        seq: list,
                        index: Cell::new(0),
                    })
                } else if let Some(view) = any.downcast_ref::<PyDictView>() {
                    let (dict, part) = (view.dict, view.part);
                    let len = heap.as_host::<PyDict>(dict).map_or(0, |d| d.len());
                    return Ok(dict_iter(heap, dict, len, part, false));
                } else {
                    return Err(not_iterable(heap, v));
                }
            }
            _ => return Err(not_iterable(heap, v)),
        };
        Ok(heap.alloc(it))
    }

    /// `reversed(v)`.
    pub fn reversed_of(&mut self, heap: &mut Heap, v: Value) -> Result<Value, Exception> {
        let (len, list) = match heap.get(v) {
            Some(Obj::Array(a)) => (a.len(), true),
            Some(Obj::Tuple(t)) => (t.len(), false),
            Some(Obj::Str(s)) => (s.chars().count(), false),
            Some(Obj::Host(h)) => {
                let any = h.as_any();
                if let Some(r) = any.downcast_ref::<PyLongRange>() {
                    let r = r.clone();
                    return Ok(super::range::iter_of(heap, &r, true));
                }
                if let Some(r) = any.downcast_ref::<PyRange>() {
                    let n = r.len();
                    let (last, step) = (r.start as i128 + (n - 1) * r.step as i128, r.step as i128);
                    let it = RangeIter {
                        next: Cell::new(if n > 0 { last as i64 } else { 0 }),
                        stop: if n > 0 {
                            (last - n * step).clamp(i64::MIN as i128, i64::MAX as i128) as i64
                        } else {
                            0
                        },
                        step: -r.step,
                    };
                    return Ok(heap.alloc(Obj::RangeIter(it)));
                }
                let dict = if any.is::<PyDict>() {
                    Some((v, DictPart::Keys))
                } else {
                    any.downcast_ref::<PyDictView>()
                        .map(|view| (view.dict, view.part))
                };
                if let Some((d, part)) = dict {
                    let len = heap.as_host::<PyDict>(d).map_or(0, |x| x.len());
                    return Ok(dict_iter(heap, d, len, part, true));
                }
                return Err(type_error(format!(
                    "'{}' object is not reversible",
                    type_name(heap, v)
                )));
            }
            _ => {
                return Err(type_error(format!(
                    "'{}' object is not reversible",
                    type_name(heap, v)
                )))
            }
        };
        Ok(host(
            heap,
            PyIter(IterKind::Reversed {
                seq: v,
                next: Cell::new(len),
                list,
            }),
        ))
    }

    /// `next(it)`: `None` when exhausted. `it` must be an iterator.
    pub fn next(&mut self, vm: &mut VmCore, it: Value) -> Result<Option<Value>, Exception> {
        if let Some(r) = jit_core::ops::core_iter_next(vm.heap_mut(), it) {
            return Ok(r);
        }
        let heap = vm.heap_mut();
        let Some(iter) = heap.as_host::<PyIter>(it) else {
            return Err(type_error(format!(
                "'{}' object is not an iterator",
                type_name(heap, it)
            )));
        };
        match &iter.0 {
            IterKind::Str { s, pos, .. } => {
                let text = heap.as_str(*s).unwrap_or("");
                let p = pos.get();
                match text.get(p..).and_then(|t| t.chars().next()) {
                    Some(c) => {
                        pos.set(p + c.len_utf8());
                        Ok(Some(self.char_str(heap, c)))
                    }
                    None => Ok(None),
                }
            }
            IterKind::Dict {
                dict,
                part,
                pos,
                len,
                reverse,
            } => {
                let Some(d) = heap.as_host::<PyDict>(*dict) else {
                    return Ok(None);
                };
                if d.len() != *len {
                    pos.set(usize::MAX);
                    return Err(runtime_error("dictionary changed size during iteration"));
                }
                let part = *part;
                let found = if *reverse {
                    // `pos` counts entries from the end.
                    let slots = d.slots();
                    let mut k = pos.get();
                    loop {
                        if k >= slots {
                            break None;
                        }
                        k += 1;
                        if let Some(e) = d.entry(slots - k) {
                            break Some(e);
                        }
                    }
                    .inspect(|_| pos.set(k))
                } else {
                    let mut k = pos.get();
                    let slots = d.slots();
                    let mut found = None;
                    while k < slots {
                        k += 1;
                        if let Some(e) = d.entry(k - 1) {
                            found = Some(e);
                            break;
                        }
                    }
                    pos.set(k);
                    found
                };
                Ok(found.map(|(k, v)| match part {
                    DictPart::Keys => k,
                    DictPart::Values => v,
                    DictPart::Items => heap.tuple_of(&[k, v]),
                }))
            }
            IterKind::Set { set, pos, len } => {
                let Some(s) = super::set::as_set(heap, *set) else {
                    return Ok(None);
                };
                if s.len() != *len {
                    pos.set(usize::MAX);
                    return Err(runtime_error("Set changed size during iteration"));
                }
                let (n, mut k) = (s.slots(), pos.get());
                while k < n {
                    k += 1;
                    if let Some(x) = s.slot(k - 1) {
                        pos.set(k);
                        return Ok(Some(x));
                    }
                }
                pos.set(k);
                Ok(None)
            }
            IterKind::LongRange { next, step, left } => {
                let v = super::range::next(next, step, left);
                Ok(v.map(|v| super::objects::int_value(heap, v)))
            }
            IterKind::Reversed { seq, next, .. } => {
                let n = next.get();
                if n == 0 {
                    return Ok(None);
                }
                let (seq, k) = (*seq, n - 1);
                next.set(k);
                match heap.get(seq) {
                    Some(Obj::Array(a)) => {
                        if k >= a.len() {
                            next.set(0);
                            return Ok(None);
                        }
                        Ok(a.get(k))
                    }
                    Some(Obj::Tuple(t)) => Ok(t.get(k).copied()),
                    Some(Obj::Str(s)) => match s.chars().nth(k) {
                        Some(c) => Ok(Some(self.char_str(heap, c))),
                        None => Ok(None),
                    },
                    _ => Ok(None),
                }
            }
            IterKind::Enumerate { it: inner, count } => {
                let (inner, c) = (*inner, count.get());
                let Some(x) = self.next_rooted(vm, inner, &[it])? else {
                    return Ok(None);
                };
                let heap = vm.heap_mut();
                let one = Value::small_int(1);
                let next = match c.as_small_int().and_then(|i| Value::try_small_int(i + 1)) {
                    Some(n) => n,
                    None => self.binary(heap, jit_core::bytecode::BinOp::Add, c, one)?,
                };
                if let Some(PyIter(IterKind::Enumerate { count, .. })) = heap.as_host::<PyIter>(it)
                {
                    count.set(next);
                }
                Ok(Some(heap.tuple_of(&[c, x])))
            }
            IterKind::Zip { its } => {
                // The inner iterators are read from the zip object one at a time (no copy
                // of the list per step), and the items gather on the roots.
                let n = its.len();
                if n == 0 {
                    return Ok(None);
                }
                let base = vm.roots().len();
                vm.roots_mut().push(it);
                let mut r = Ok(());
                for k in 0..n {
                    let inner = match vm.heap().as_host::<PyIter>(it) {
                        Some(PyIter(IterKind::Zip { its })) => its[k],
                        _ => break,
                    };
                    match self.next(vm, inner) {
                        Ok(Some(x)) => vm.roots_mut().push(x),
                        Ok(None) => break,
                        Err(e) => {
                            r = Err(e);
                            break;
                        }
                    }
                }
                let complete = vm.roots().len() == base + 1 + n;
                let (heap, roots) = vm.heap_and_roots();
                let t = (r.is_ok() && complete).then(|| heap.tuple_of(&roots[base + 1..]));
                vm.roots_mut().truncate(base);
                r.map(|()| t)
            }
            IterKind::Map { f, its } => {
                let (f, its) = (*f, its.to_vec());
                let base = vm.roots().len();
                vm.roots_mut().push(it);
                let r = self.next_each(vm, &its);
                let args = vm.roots_mut().split_off(base + 1);
                if let Err(e) = r {
                    vm.roots_mut().truncate(base);
                    return Err(e);
                }
                if args.len() < its.len() {
                    vm.roots_mut().truncate(base);
                    return Ok(None);
                }
                // SAFETY: afterwards this function uses only the result; `f` and `args` are
                // on the value stack during the call, and the map object (`it`, which holds
                // `f` and the inner iterators) on `vm.roots`.
                let r = unsafe { vm.call_value(self, f, &args) };
                vm.roots_mut().truncate(base);
                r.map(Some)
            }
            IterKind::Filter { f, it: inner } => {
                let (f, inner) = (*f, *inner);
                let base = vm.roots().len();
                vm.roots_mut().push(it);
                let r = loop {
                    let x = match self.next(vm, inner) {
                        Ok(Some(x)) => x,
                        Ok(None) => break Ok(None),
                        Err(e) => break Err(e),
                    };
                    let keep = if f.is_nil() {
                        truthy(vm.heap(), x)
                    } else {
                        vm.roots_mut().push(x);
                        // SAFETY: afterwards this loop uses `x` and the filter object `it`
                        // (which holds `f` and `inner`), both on `vm.roots` during the call,
                        // and the result.
                        let r = unsafe { vm.call_value(self, f, &[x]) };
                        vm.roots_mut().pop();
                        match r {
                            Ok(v) => truthy(vm.heap(), v),
                            Err(e) => break Err(e),
                        }
                    };
                    if keep {
                        break Ok(Some(x));
                    }
                };
                vm.roots_mut().truncate(base);
                r
            }
        }
    }

    /// `next(inner)` while keeping `keep` alive.
    fn next_rooted(
        &mut self,
        vm: &mut VmCore,
        inner: Value,
        keep: &[Value],
    ) -> Result<Option<Value>, Exception> {
        let base = vm.roots().len();
        vm.roots_mut().extend_from_slice(keep);
        let r = self.next(vm, inner);
        vm.roots_mut().truncate(base);
        r
    }

    /// Pushes the next item of each iterator on `vm.roots`, stopping at the first exhausted
    /// one (so fewer than `its.len()` items were pushed).
    fn next_each(&mut self, vm: &mut VmCore, its: &[Value]) -> Result<(), Exception> {
        for &i in its {
            match self.next(vm, i)? {
                Some(x) => vm.roots_mut().push(x),
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// All items of iterable `v`.
    pub fn collect(&mut self, vm: &mut VmCore, v: Value) -> Result<Vec<Value>, Exception> {
        let heap = vm.heap_mut();
        match heap.get(v) {
            Some(Obj::Array(a)) => return Ok(a.to_vec()),
            Some(Obj::Tuple(t)) => return Ok(t.to_vec()),
            Some(Obj::Str(s)) => {
                let chars: Vec<char> = s.chars().collect();
                return Ok(chars.into_iter().map(|c| self.char_str(heap, c)).collect());
            }
            Some(Obj::Host(h)) => {
                if let Some(d) = h.as_any().downcast_ref::<PyDict>() {
                    return Ok(d.keys());
                }
                if let Some(s) = h.as_any().downcast_ref::<super::set::PySet>() {
                    return Ok(s.items());
                }
                if let Some(r) = h.as_any().downcast_ref::<PyLongRange>() {
                    let r = r.clone();
                    return super::range::values(heap, &r);
                }
                if let Some(r) = h.as_any().downcast_ref::<PyRange>() {
                    let (n, start, step) = (r.len(), r.start as i128, r.step as i128);
                    if n > super::MAX_LIST as i128 {
                        return Err(super::errors::memory_error());
                    }
                    return Ok((0..n)
                        .map(|k| heap.int((start + k * step) as i64))
                        .collect());
                }
            }
            _ => {}
        }
        let it = self.iter_of(heap, v)?;
        let base = vm.roots().len();
        vm.roots_mut().push(it);
        let r = loop {
            match self.next(vm, it) {
                Ok(Some(x)) => vm.roots_mut().push(x),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        let items = vm.roots_mut().split_off(base + 1);
        vm.roots_mut().truncate(base);
        r.map(|()| items)
    }

    /// The `n` items of `v` for `a, b = v`.
    pub fn unpack_n(
        &mut self,
        vm: &mut VmCore,
        v: Value,
        n: usize,
    ) -> Result<Vec<Value>, Exception> {
        let heap = vm.heap_mut();
        if let Some(items) = super::objects::seq_items(heap, v) {
            return check_unpack(items, n);
        }
        let it = match self.iter_of(heap, v) {
            Ok(it) => it,
            Err(_) => {
                return Err(type_error(format!(
                    "cannot unpack non-iterable {} object",
                    type_name(heap, v)
                )))
            }
        };
        let base = vm.roots().len();
        vm.roots_mut().push(it);
        let r = loop {
            if vm.roots().len() - base - 1 > n {
                break Ok(());
            }
            match self.next(vm, it) {
                Ok(Some(x)) => vm.roots_mut().push(x),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        let items = vm.roots_mut().split_off(base + 1);
        vm.roots_mut().truncate(base);
        r?;
        check_unpack(items, n)
    }
}

fn check_unpack(items: Vec<Value>, n: usize) -> Result<Vec<Value>, Exception> {
    if items.len() > n {
        Err(value_error(format!(
            "too many values to unpack (expected {n})"
        )))
    } else if items.len() < n {
        Err(value_error(format!(
            "not enough values to unpack (expected {n}, got {})",
            items.len()
        )))
    } else {
        Ok(items)
    }
}

fn dict_iter(heap: &mut Heap, dict: Value, len: usize, part: DictPart, reverse: bool) -> Value {
    host(
        heap,
        PyIter(IterKind::Dict {
            dict,
            part,
            pos: Cell::new(0),
            len,
            reverse,
        }),
    )
}
