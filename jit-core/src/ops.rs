//! The generic operations: the core's fast paths for the types it knows, falling back to
//! the frontend's slow paths. The generic interpreter calls these for every operation;
//! tier-1 specialized instructions call them when their guard fails.

pub use crate::arith::{cmp_f64, cmp_ord, float_binary, floor_mod};
use crate::arith::{floor_div, number_as_f64};
use crate::bytecode::{BinOp, CmpOp, UnOp};
use crate::heap::{FunctionObj, Heap, Obj, SeqIter};
use crate::interp::VmCore;
use crate::semantics::{Exception, Overflow, Semantics};
use crate::value::Value;

/// The largest magnitude an int may have to convert to `f64` exactly.
const EXACT_F64_INT: i64 = 1 << 53;

/// `a op b`.
#[inline(never)]
pub fn binary<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    op: BinOp,
    a: Value,
    b: Value,
) -> Result<Value, Exception> {
    if Value::both_small_ints(a, b) {
        return int_binary(
            heap,
            sem,
            op,
            a.small_int_unchecked(),
            b.small_int_unchecked(),
            a,
            b,
        );
    }
    if let (Some(x), Some(y)) = (number_as_f64(a), number_as_f64(b)) {
        if let Some(r) = float_binary(op, x, y) {
            return Ok(Value::float(r));
        }
        return sem.binary_slow(heap, op, a, b);
    }
    if let (Some(x), Some(y)) = (heap.as_i64(a), heap.as_i64(b)) {
        return int_binary(heap, sem, op, x, y, a, b);
    }
    if op.arith() == BinOp::Add {
        if let Some(v) = concat(heap, a, b) {
            return Ok(v);
        }
    }
    sem.binary_slow(heap, op, a, b)
}

/// Concatenates two string values into a new one; `None` unless both are strings.
#[inline]
pub fn concat(heap: &mut Heap, a: Value, b: Value) -> Option<Value> {
    let (x, y) = (heap.as_str(a)?, heap.as_str(b)?);
    let mut s = alloc::string::String::with_capacity(x.len() + y.len());
    s.push_str(x);
    s.push_str(y);
    Some(heap.string(s))
}

/// Integer arithmetic on two `i64`s (`a`, `b` are the original operands, for the slow path).
#[inline]
pub fn int_binary<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    op: BinOp,
    x: i64,
    y: i64,
    a: Value,
    b: Value,
) -> Result<Value, Exception> {
    let checked = match op.arith() {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::DivTrunc => {
            if y == 0 {
                return sem.binary_slow(heap, op, a, b);
            }
            x.checked_div(y)
        }
        BinOp::ModTrunc => {
            if y == 0 {
                return sem.binary_slow(heap, op, a, b);
            }
            x.checked_rem(y)
        }
        BinOp::FloorDiv => {
            if y == 0 {
                return sem.binary_slow(heap, op, a, b);
            }
            floor_div(x, y)
        }
        BinOp::FloorMod => {
            if y == 0 {
                return sem.binary_slow(heap, op, a, b);
            }
            Some(floor_mod(x, y))
        }
        BinOp::TrueDiv => {
            if y == 0
                || x.unsigned_abs() > EXACT_F64_INT as u64
                || y.unsigned_abs() > EXACT_F64_INT as u64
            {
                return sem.binary_slow(heap, op, a, b);
            }
            return Ok(Value::float(x as f64 / y as f64));
        }
        BinOp::BitAnd => Some(x & y),
        BinOp::BitOr => Some(x | y),
        BinOp::BitXor => Some(x ^ y),
        BinOp::Pow | BinOp::Shl | BinOp::Shr | BinOp::InplaceAdd | BinOp::InplaceMul => {
            return sem.binary_slow(heap, op, a, b)
        }
    };
    match checked {
        Some(r) => Ok(heap.int(r)),
        None => sem.int_overflow(heap, Overflow::Binary(op, x, y)),
    }
}

/// `a op b` for comparisons.
#[inline(never)]
pub fn compare<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    op: CmpOp,
    a: Value,
    b: Value,
) -> Result<Value, Exception> {
    if Value::both_small_ints(a, b) {
        return Ok(Value::bool(cmp_ord(
            op,
            a.small_int_unchecked().cmp(&b.small_int_unchecked()),
        )));
    }
    if let (Some(x), Some(y)) = (number_as_f64(a), number_as_f64(b)) {
        return Ok(Value::bool(cmp_f64(op, x, y)));
    }
    if let (Some(x), Some(y)) = (heap.as_i64(a), heap.as_i64(b)) {
        return Ok(Value::bool(cmp_ord(op, x.cmp(&y))));
    }
    if let (Some(x), Some(y)) = (heap.as_str(a), heap.as_str(b)) {
        return Ok(Value::bool(cmp_ord(op, x.as_bytes().cmp(y.as_bytes()))));
    }
    sem.compare_slow(heap, op, a, b)
}

/// `op v`.
#[inline(never)]
pub fn unary<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    op: UnOp,
    v: Value,
) -> Result<Value, Exception> {
    match op {
        UnOp::Not => return truthy(heap, sem, v).map(|t| Value::bool(!t)),
        UnOp::Neg => {
            if let Some(f) = v.as_float() {
                return Ok(Value::float(-f));
            }
            if let Some(i) = heap.as_i64(v) {
                return match i.checked_neg() {
                    Some(n) => Ok(heap.int(n)),
                    None => sem.int_overflow(heap, Overflow::Neg(i)),
                };
            }
        }
        UnOp::Pos => {
            if v.is_float() || heap.is_int(v) {
                return Ok(v);
            }
        }
        UnOp::Invert => {
            if let Some(i) = heap.as_i64(v) {
                return Ok(heap.int(!i));
            }
        }
    }
    sem.unary_slow(heap, op, v)
}

/// The language's truthiness of `v`.
#[inline(always)]
pub fn truthy<S: Semantics>(heap: &mut Heap, sem: &mut S, v: Value) -> Result<bool, Exception> {
    if let Some(b) = v.as_bool() {
        return Ok(b);
    }
    if v.is_nil() {
        return Ok(false);
    }
    sem.truthy_slow(heap, v)
}

/// `c[i]`.
#[inline(never)]
pub fn index<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    c: Value,
    i: Value,
) -> Result<Value, Exception> {
    if let Some(k) = i.as_small_int() {
        if k >= 0 {
            match heap.get(c) {
                Some(Obj::Array(arr)) => {
                    if let Some(v) = arr.get(k as usize) {
                        return Ok(v);
                    }
                }
                Some(Obj::Tuple(t)) => {
                    if let Some(&v) = t.get(k as usize) {
                        return Ok(v);
                    }
                }
                _ => {}
            }
        }
    } else if let Some(v) = crate::slice::get(heap, c, i) {
        return Ok(v);
    }
    sem.index_slow(heap, c, i)
}

/// `c[i] = v`.
#[inline(never)]
pub fn store_index<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    c: Value,
    i: Value,
    v: Value,
) -> Result<(), Exception> {
    if let (Some(arr), Some(k)) = (heap.as_array(c), i.as_small_int()) {
        if k >= 0 && arr.set(k as usize, v) {
            return Ok(());
        }
    } else if crate::slice::set(heap, c, i, v) {
        return Ok(());
    }
    sem.store_index_slow(heap, c, i, v)
}

/// The language-independent name of a value's core type, for dumps.
pub fn core_type_name(heap: &Heap, v: Value) -> &'static str {
    use crate::value::Tag;
    match v.tag() {
        Tag::Float => "float",
        Tag::SmallInt => "int",
        Tag::Nil => "nil",
        Tag::Bool => "bool",
        Tag::Empty => "empty",
        Tag::Object => match heap.get(v) {
            Some(Obj::Str(_)) => "string",
            Some(Obj::Array(_)) => "array",
            Some(Obj::Tuple(_)) => "tuple",
            Some(Obj::Int(_)) => "int",
            Some(Obj::Function(_)) | Some(Obj::Native(_)) => "function",
            Some(Obj::Cell(_)) => "cell",
            Some(Obj::RangeIter(_)) | Some(Obj::SeqIter(_)) => "iterator",
            Some(Obj::Slice(_)) => "slice",
            Some(Obj::Host(h)) => h.type_name(),
            None => "?",
        },
    }
}

/// The next item of a core iterator (`Some(None)` when exhausted), or `None` when `it` is
/// not a core iterator.
#[inline]
pub fn core_iter_next(heap: &mut Heap, it: Value) -> Option<Option<Value>> {
    let big = match heap.get(it)? {
        Obj::RangeIter(r) => match r.advance() {
            Some(i) => match Value::try_small_int(i) {
                Some(v) => return Some(Some(v)),
                None => i,
            },
            None => return Some(None),
        },
        Obj::SeqIter(s) => {
            let i = s.index.get();
            let item = match heap.get(s.seq) {
                Some(Obj::Array(a)) => a.get(i),
                Some(Obj::Tuple(t)) => t.get(i).copied(),
                _ => None,
            };
            if item.is_some() {
                s.index.set(i + 1);
            }
            return Some(item);
        }
        _ => return None,
    };
    Some(Some(heap.int(big)))
}

/// Runs `f` on the items of a core array or tuple of exactly `n` items; `None` for
/// anything else. Private: both callers pass an `f` that only copies the items out (to
/// the value stack or to locals), so it cannot change the sequence under it.
#[inline(always)]
fn with_exact_items<R>(
    heap: &Heap,
    v: Value,
    n: usize,
    f: impl FnOnce(&[Value]) -> R,
) -> Option<R> {
    match heap.get(v)? {
        Obj::Tuple(t) if t.len() == n => Some(f(t)),
        // SAFETY: `f` (see above) writes only stack slots and touches no array.
        Obj::Array(a) if a.len() == n => Some(unsafe { a.with_ref(f) }),
        _ => None,
    }
}

/// Unpacks a core array or tuple of exactly `dst.len()` items into `dst` in reverse
/// order (the last item first, as `UnpackSequence` leaves them on the stack); false, with
/// `dst` untouched, for anything else.
#[inline]
pub fn unpack_exact(heap: &Heap, v: Value, dst: &mut [Value]) -> bool {
    with_exact_items(heap, v, dst.len(), |items| {
        for (d, &s) in dst.iter_mut().zip(items.iter().rev()) {
            *d = s;
        }
    })
    .is_some()
}

/// Stores the items of a core array or tuple of exactly `n` items into the locals named
/// by the `n` store instructions at `stores` (item `k` to the `k`-th store's local, in
/// order, so a repeated name keeps the last); false, with nothing stored, otherwise.
///
/// # Safety
///
/// `stores` points to `n` instructions whose operands are valid local indices of the
/// frame whose locals start at `locals` (the verifier's facts for `UnpackStore`).
#[inline]
pub unsafe fn unpack_to_locals(
    heap: &Heap,
    v: Value,
    n: usize,
    stores: *const core::cell::Cell<crate::bytecode::Instr>,
    locals: *mut Value,
) -> bool {
    with_exact_items(heap, v, n, |items| {
        for (k, &x) in items.iter().enumerate() {
            // SAFETY: the caller guarantees `n` store instructions with valid locals.
            unsafe { *locals.add((*stores.add(k)).get().a as usize) = x };
        }
    })
    .is_some()
}

/// The items of a core array or tuple, copied.
pub fn core_sequence(heap: &Heap, v: Value) -> Option<alloc::vec::Vec<Value>> {
    match heap.get(v)? {
        Obj::Array(a) => Some(a.to_vec()),
        Obj::Tuple(t) => Some(t.to_vec()),
        _ => None,
    }
}

/// A function of code `code` with the defaults and captured cells in the given tuples.
pub fn make_function(
    heap: &mut Heap,
    code: u32,
    defaults: Option<Value>,
    kwdefaults: Option<Value>,
    cells: Option<Value>,
) -> Value {
    let items = |t: Option<Value>| {
        t.and_then(|t| heap.as_tuple(t))
            .map(<[Value]>::to_vec)
            .unwrap_or_default()
    };
    let (defaults, cells) = (items(defaults), items(cells));
    heap.alloc(Obj::Function(FunctionObj::with_kwdefaults(
        code, &defaults, kwdefaults, &cells,
    )))
}

/// An iterator over `v`: the core's own for arrays and tuples (an iterator is its own
/// iterator), the frontend's otherwise.
pub fn get_iter<S: Semantics>(heap: &mut Heap, sem: &mut S, v: Value) -> Result<Value, Exception> {
    match heap.get(v) {
        Some(Obj::Array(_)) | Some(Obj::Tuple(_)) => Ok(heap.alloc(Obj::SeqIter(SeqIter {
            seq: v,
            index: core::cell::Cell::new(0),
        }))),
        Some(Obj::RangeIter(_)) | Some(Obj::SeqIter(_)) => Ok(v),
        _ => sem.get_iter(heap, v),
    }
}

/// The `n` items of `v` for `UnpackSequence`: directly from an array or tuple of that
/// length, otherwise through the frontend (which may run guest code, and so collect: the
/// dispatch loop keeps `v` and everything else it holds on the value stack).
pub(crate) fn unpack<S: Semantics>(
    vm: &mut VmCore,
    sem: &mut S,
    v: Value,
    n: usize,
) -> Result<alloc::vec::Vec<Value>, Exception> {
    if let Some(items) = core_sequence(vm.heap(), v) {
        if items.len() == n {
            return Ok(items);
        }
    }
    let items = sem.unpack(vm, v, n)?;
    if items.len() != n {
        return Err(Exception::msg(
            "internal error: unpack returned the wrong count",
        ));
    }
    Ok(items)
}

/// A map from a tuple of `keys` and as many `values` (`BuildMapConstKeys`).
pub fn build_map_const_keys<S: Semantics>(
    heap: &mut Heap,
    sem: &mut S,
    keys: Value,
    values: &[Value],
) -> Result<Value, Exception> {
    let pairs: alloc::vec::Vec<Value> = match heap.as_tuple(keys) {
        Some(k) if k.len() == values.len() => {
            k.iter().zip(values).flat_map(|(&k, &v)| [k, v]).collect()
        }
        _ => {
            return Err(Exception::msg(
                "internal error: map keys are not a tuple of the right size",
            ))
        }
    };
    sem.build_map(heap, &pairs)
}

/// The concatenation of `parts`, which are all strings (`BuildString`).
pub fn build_string(heap: &mut Heap, parts: &[Value]) -> Result<Value, Exception> {
    let len = parts
        .iter()
        .map(|&p| heap.as_str(p).map_or(0, str::len))
        .sum();
    let mut out = alloc::string::String::with_capacity(len);
    for &p in parts {
        match heap.as_str(p) {
            Some(s) => out.push_str(s),
            None => {
                return Err(Exception::msg(
                    "internal error: BuildString of a non-string",
                ))
            }
        }
    }
    Ok(heap.string(out))
}

/// A tuple of the items of the array `v` (`ListToTuple`).
pub fn list_to_tuple(heap: &mut Heap, v: Value) -> Result<Value, Exception> {
    match heap.as_array(v) {
        Some(a) => {
            let items = a.to_vec();
            Ok(heap.tuple(items))
        }
        None => Err(Exception::msg("internal error: ListToTuple of a non-list")),
    }
}
