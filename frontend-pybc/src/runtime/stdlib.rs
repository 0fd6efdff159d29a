//! Small standard-library modules implemented natively: `heapq` and `bisect` (the exact
//! algorithms of CPython's C versions, so ties land where CPython puts them), `time` and
//! `functools.reduce`.

use jit_core::heap::Heap;
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::calls::Args;
use super::compare::py_lt;
use super::errors::{check_args, exc, index_error, type_error, value_error};
use super::objects::{small_index, type_name, B};
use super::{Kw, PySemantics};

fn list_items(heap: &Heap, v: Value, fname: &str) -> Result<Vec<Value>, Exception> {
    heap.as_array(v).map(|a| a.to_vec()).ok_or_else(|| {
        type_error(format!(
            "{fname}() argument 1 must be list, not {}",
            type_name(heap, v)
        ))
    })
}

/// `heapq._siftdown`.
fn sift_down(heap: &Heap, h: &mut [Value], start: usize, mut pos: usize) -> Result<(), Exception> {
    let item = h[pos];
    while pos > start {
        let parent = (pos - 1) >> 1;
        if py_lt(heap, item, h[parent])? {
            h[pos] = h[parent];
            pos = parent;
            continue;
        }
        break;
    }
    h[pos] = item;
    Ok(())
}

/// `heapq._siftup`.
fn sift_up(heap: &Heap, h: &mut [Value], mut pos: usize) -> Result<(), Exception> {
    let end = h.len();
    let start = pos;
    let item = h[pos];
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && !py_lt(heap, h[child], h[right])? {
            child = right;
        }
        h[pos] = h[child];
        pos = child;
        child = 2 * pos + 1;
    }
    h[pos] = item;
    sift_down(heap, h, start, pos)
}

impl PySemantics {
    /// Calls a function of `heapq`, `bisect`, `time` or `functools`.
    pub fn call_stdlib(
        &mut self,
        vm: &mut VmCore,
        b: B,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let name = b.name();
        let mut a = Args::new(name, args, kw);
        match b {
            B::HeapqHeappush
            | B::HeapqHeappop
            | B::HeapqHeapify
            | B::HeapqHeapreplace
            | B::HeapqHeappushpop => {
                a.no_kw()?;
                let n = if matches!(b, B::HeapqHeappop | B::HeapqHeapify) {
                    1
                } else {
                    2
                };
                if args.len() != n {
                    return Err(type_error(format!(
                        "{name} expected {n} argument{}, got {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    )));
                }
                let heap = vm.heap();
                let mut h = list_items(heap, args[0], name)?;
                let result = match b {
                    B::HeapqHeappush => {
                        h.push(args[1]);
                        let last = h.len() - 1;
                        sift_down(heap, &mut h, 0, last)?;
                        Value::NIL
                    }
                    B::HeapqHeappop => {
                        let last = h.pop().ok_or_else(|| index_error("index out of range"))?;
                        if h.is_empty() {
                            last
                        } else {
                            let top = std::mem::replace(&mut h[0], last);
                            sift_up(heap, &mut h, 0)?;
                            top
                        }
                    }
                    B::HeapqHeapify => {
                        for i in (0..h.len() / 2).rev() {
                            sift_up(heap, &mut h, i)?;
                        }
                        Value::NIL
                    }
                    B::HeapqHeapreplace => {
                        if h.is_empty() {
                            return Err(index_error("index out of range"));
                        }
                        let top = std::mem::replace(&mut h[0], args[1]);
                        sift_up(heap, &mut h, 0)?;
                        top
                    }
                    _ => {
                        if !h.is_empty() && py_lt(heap, h[0], args[1])? {
                            let top = std::mem::replace(&mut h[0], args[1]);
                            sift_up(heap, &mut h, 0)?;
                            top
                        } else {
                            args[1]
                        }
                    }
                };
                if let Some(list) = heap.as_array(args[0]) {
                    list.replace(h);
                }
                Ok(result)
            }
            B::HeapqNlargest | B::HeapqNsmallest => {
                let key = a.take("key").filter(|k| !k.is_nil());
                a.done()?;
                check_args(name, args.len(), 2, 2)?;
                let n = small_index(vm.heap(), args[0])?;
                let items = self.collect(vm, args[1])?;
                let mut sorted = self.sort_values(vm, items, key, b == B::HeapqNlargest)?;
                sorted.truncate(n.max(0) as usize);
                Ok(vm.heap_mut().array(sorted))
            }
            B::BisectBisectLeft
            | B::BisectBisectRight
            | B::BisectBisect
            | B::BisectInsortLeft
            | B::BisectInsortRight
            | B::BisectInsort => {
                let seq = a.get(0, "a")?;
                let x = a.get(1, "x")?;
                let lo = a.get(2, "lo")?;
                let hi = a.get(3, "hi")?.filter(|v| !v.is_nil());
                let key = a.take("key").filter(|k| !k.is_nil());
                a.done()?;
                let (Some(seq), Some(x)) = (seq, x) else {
                    return Err(type_error(format!(
                        "{name}() missing required argument 'x' (pos 2)"
                    )));
                };
                let lo = match lo {
                    Some(v) => small_index(vm.heap(), v)?,
                    None => 0,
                };
                if lo < 0 {
                    return Err(value_error("lo must be non-negative"));
                }
                let hi = match hi {
                    Some(v) => small_index(vm.heap(), v)?,
                    None => {
                        let n = self.len(vm.heap_mut(), seq)?;
                        small_index(vm.heap(), n)?
                    }
                };
                let left = matches!(b, B::BisectBisectLeft | B::BisectInsortLeft);
                let insort = matches!(
                    b,
                    B::BisectInsortLeft | B::BisectInsortRight | B::BisectInsort
                );
                let base = vm.roots().len();
                vm.roots_mut().extend_from_slice(&[seq, x]);
                let r = self.bisect(vm, seq, x, lo, hi, key, left, insort);
                vm.roots_mut().truncate(base);
                let pos = r?;
                if insort {
                    let heap = vm.heap_mut();
                    return match heap.as_array(seq) {
                        Some(list) => {
                            let at = (pos as usize).min(list.len());
                            list.insert(at, x);
                            Ok(Value::NIL)
                        }
                        None => Err(exc(
                            "AttributeError",
                            format!(
                                "'{}' object has no attribute 'insert'",
                                type_name(heap, seq)
                            ),
                        )),
                    };
                }
                Ok(vm.heap_mut().int(pos))
            }
            B::TimeTime | B::TimePerfCounter | B::TimeMonotonic | B::TimeProcessTime => {
                a.no_kw()?;
                check_args(name, args.len(), 0, 0)?;
                let t = if b == B::TimeTime {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64())
                } else {
                    self.start.elapsed().as_secs_f64()
                };
                Ok(Value::float(t))
            }
            B::TimeTimeNs | B::TimePerfCounterNs => {
                a.no_kw()?;
                check_args(name, args.len(), 0, 0)?;
                let t = if b == B::TimeTimeNs {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos())
                } else {
                    self.start.elapsed().as_nanos()
                };
                Ok(vm.heap_mut().int(t.min(i64::MAX as u128) as i64))
            }
            B::TimeSleep => {
                a.no_kw()?;
                check_args(name, args.len(), 1, 1)?;
                let s = super::builtins::real_arg(vm.heap(), args[0])?;
                if s < 0.0 {
                    return Err(value_error("sleep length must be non-negative"));
                }
                let _ = self.flush();
                std::thread::sleep(std::time::Duration::from_secs_f64(s.min(1e6)));
                Ok(Value::NIL)
            }
            B::FunctoolsReduce => {
                a.no_kw()?;
                check_args("reduce", args.len(), 2, 3)?;
                let (f, it) = (args[0], args[1]);
                let it = self.iter_of(vm.heap_mut(), it)?;
                let base = vm.roots().len();
                vm.roots_mut().push(it);
                let r = self.reduce(vm, f, it, args.get(2).copied());
                vm.roots_mut().truncate(base);
                r
            }
            _ => Err(type_error(format!("'{name}' is not callable"))),
        }
    }

    fn reduce(
        &mut self,
        vm: &mut VmCore,
        f: Value,
        it: Value,
        initial: Option<Value>,
    ) -> Result<Value, Exception> {
        let mut acc = match initial {
            Some(v) => v,
            None => self
                .next(vm, it)?
                .ok_or_else(|| type_error("reduce() of empty iterable with no initial value"))?,
        };
        let slot = vm.roots().len();
        vm.roots_mut().push(acc);
        while let Some(x) = self.next(vm, it)? {
            // SAFETY: afterwards this loop uses `f` (an argument of the builtin, on the
            // value stack), `it` (on `vm.roots`, pushed by our caller) and the result; the
            // accumulator it replaces is on `vm.roots` at `slot` during the call.
            acc = unsafe { vm.call_value(self, f, &[acc, x]) }?;
            vm.roots_mut()[slot] = acc;
        }
        Ok(acc)
    }

    /// The insertion point of `x` in the sorted `seq[lo:hi]`.
    fn bisect(
        &mut self,
        vm: &mut VmCore,
        seq: Value,
        x: Value,
        mut lo: i64,
        mut hi: i64,
        key: Option<Value>,
        left: bool,
        insort: bool,
    ) -> Result<i64, Exception> {
        // insort with a key compares key(x) against key(item).
        let x = match (key, insort) {
            (Some(k), true) => {
                // SAFETY: afterwards this function uses `seq` (on `vm.roots`, pushed by our
                // caller), `k` (an argument, on the value stack) and the result, which goes
                // on `vm.roots` at once (our caller truncates it).
                let kx = unsafe { vm.call_value(self, k, &[x]) }?;
                vm.roots_mut().push(kx);
                kx
            }
            _ => x,
        };
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let mut item = self.index(vm.heap_mut(), seq, Value::small_int(mid))?;
            if let Some(k) = key {
                // SAFETY: afterwards this function uses `seq` and `x` (on `vm.roots`: our
                // caller pushed both, and a key of `x` was pushed above), `k` (an argument,
                // on the value stack) and the result; `item` is replaced by the result.
                item = unsafe { vm.call_value(self, k, &[item]) }?;
            }
            let go_right = if left {
                py_lt(vm.heap(), item, x)?
            } else {
                !py_lt(vm.heap(), x, item)?
            };
            if go_right {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }
}
