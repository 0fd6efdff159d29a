//! The generic operators for the cases the core leaves to Python: mixed and big-int
//! arithmetic, sequence concatenation and repetition, `str % args`, `dict | dict`, unary
//! operators, truthiness and `in`.

use std::borrow::Cow;

use jit_core::bytecode::{BinOp, UnOp};
use jit_core::heap::{Heap, Obj};
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::compare::py_eq;
use super::dict::PyDict;
use super::errors::{from_fmt, memory_error, overflow_error, type_error};
use super::numbers::{
    float_binary, int_abs, int_binary, int_invert, int_is_zero, int_neg, int_to_f64,
};
use super::objects::{
    as_dict, as_int, host, type_name, type_of, DictPart, PyDictView, PyIter, PyRange, B,
};
use super::repr::Printer;
use super::PySemantics;
use crate::pyfmt::{self, IntRef, PercentArg, PercentArgs, PyFmtError, PyNum};

impl From<PyFmtError> for Exception {
    fn from(e: PyFmtError) -> Exception {
        from_fmt(e)
    }
}

/// Python's spelling of a binary operator in error messages.
pub fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Pow => "** or pow()",
        BinOp::DivTrunc | BinOp::TrueDiv => "/",
        BinOp::ModTrunc | BinOp::FloorMod => "%",
        other => other.symbol(),
    }
}

/// `TypeError: unsupported operand type(s) for +: 'int' and 'str'`.
pub fn unsupported(heap: &Heap, op: BinOp, a: Value, b: Value) -> Exception {
    type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op_symbol(op),
        type_name(heap, a),
        type_name(heap, b)
    ))
}

/// A number as an `f64` (ints converted exactly or with `OverflowError`).
pub fn to_f64(heap: &Heap, v: Value) -> Option<Result<f64, Exception>> {
    if let Some(f) = v.as_float() {
        return Some(Ok(f));
    }
    as_int(heap, v).map(int_to_f64)
}

/// Python truthiness for every builtin type.
pub fn truthy(heap: &Heap, v: Value) -> bool {
    if let Some(f) = v.as_float() {
        return f != 0.0;
    }
    if let Some(b) = v.as_bool() {
        return b;
    }
    if v.is_nil() || v.is_empty() {
        return false;
    }
    if let Some(i) = as_int(heap, v) {
        return !int_is_zero(i);
    }
    match heap.get(v) {
        Some(Obj::Str(s)) => !s.is_empty(),
        Some(Obj::Array(a)) => !a.is_empty(),
        Some(Obj::Tuple(t)) => !t.is_empty(),
        Some(Obj::Host(h)) => {
            let any = h.as_any();
            if let Some(d) = any.downcast_ref::<PyDict>() {
                !d.is_empty()
            } else if let Some(r) = any.downcast_ref::<PyRange>() {
                !r.is_empty()
            } else if let Some(r) = any.downcast_ref::<super::range::PyLongRange>() {
                !r.is_empty()
            } else if let Some(s) = any.downcast_ref::<super::set::PySet>() {
                !s.is_empty()
            } else if let Some(view) = any.downcast_ref::<PyDictView>() {
                as_dict(heap, view.dict).is_some_and(|d| !d.is_empty())
            } else {
                true
            }
        }
        _ => true,
    }
}

/// `op v` for the operands the core did not handle.
pub fn unary(heap: &mut Heap, op: UnOp, v: Value) -> Result<Value, Exception> {
    if op == UnOp::Not {
        return Ok(Value::bool(!truthy(heap, v)));
    }
    if let Some(f) = v.as_float() {
        match op {
            UnOp::Neg => return Ok(Value::float(-f)),
            UnOp::Pos => return Ok(v),
            _ => {}
        }
    } else if let Some(i) = as_int(heap, v) {
        let i = match i {
            IntRef::Small(x) => IntRef::Small(x),
            IntRef::Big(b) => return Ok(big_unary(heap, op, b.clone())),
        };
        return Ok(match op {
            UnOp::Neg => int_neg(heap, i),
            UnOp::Pos => match i {
                IntRef::Small(x) => heap.int(x),
                IntRef::Big(_) => v,
            },
            _ => int_invert(heap, i),
        });
    }
    Err(type_error(format!(
        "bad operand type for unary {}: '{}'",
        op.symbol(),
        type_name(heap, v)
    )))
}

fn big_unary(heap: &mut Heap, op: UnOp, b: num_bigint::BigInt) -> Value {
    match op {
        UnOp::Neg => int_neg(heap, IntRef::Big(&b)),
        UnOp::Invert => int_invert(heap, IntRef::Big(&b)),
        _ => super::objects::int_value(heap, b),
    }
}

/// A repeat count for `seq * n` (`n` an int; negative counts as zero).
pub fn repeat_count(heap: &Heap, n: Value) -> Option<Result<usize, Exception>> {
    Some(match as_int(heap, n)? {
        IntRef::Small(k) => Ok(k.max(0) as usize),
        IntRef::Big(b) => {
            if b.sign() == num_bigint::Sign::Minus {
                Ok(0)
            } else {
                Err(overflow_error(
                    "cannot fit 'int' into an index-sized integer",
                ))
            }
        }
    })
}

/// Checks a repetition result size.
fn check_size(items: usize, n: usize, limit: usize) -> Result<usize, Exception> {
    match items.checked_mul(n) {
        Some(t) if t <= limit => Ok(t),
        _ => Err(memory_error()),
    }
}

/// Room for `n` more items in `buf`, a guest-sized request: `MemoryError` at once, as
/// CPython, when the system refuses it or it would pass the heap's limit.
fn reserve<B: Reservable>(heap: &Heap, buf: &mut B, n: usize) -> Result<(), Exception> {
    let bytes = n.checked_mul(B::ITEM).ok_or_else(memory_error)?;
    if !heap.fits(bytes) {
        return Err(memory_error());
    }
    buf.try_reserve_items(n).map_err(|_| memory_error())
}

/// A buffer [`reserve`] can grow fallibly.
trait Reservable {
    /// Bytes per item.
    const ITEM: usize;
    fn try_reserve_items(&mut self, n: usize) -> Result<(), std::collections::TryReserveError>;
}

impl Reservable for Vec<Value> {
    const ITEM: usize = std::mem::size_of::<Value>();
    fn try_reserve_items(&mut self, n: usize) -> Result<(), std::collections::TryReserveError> {
        self.try_reserve_exact(n)
    }
}

impl Reservable for String {
    const ITEM: usize = 1;
    fn try_reserve_items(&mut self, n: usize) -> Result<(), std::collections::TryReserveError> {
        self.try_reserve_exact(n)
    }
}

impl PySemantics {
    /// `a op b` for everything but the core's fast paths.
    pub fn binary(
        &mut self,
        heap: &mut Heap,
        op: BinOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception> {
        if matches!(op, BinOp::InplaceAdd | BinOp::InplaceMul) && heap.as_array(a).is_some() {
            return inplace_list(heap, op, a, b);
        }
        let op = op.arith();
        if let (Some(x), Some(y)) = (a.as_bool(), b.as_bool()) {
            match op {
                BinOp::BitAnd => return Ok(Value::bool(x & y)),
                BinOp::BitOr => return Ok(Value::bool(x | y)),
                BinOp::BitXor => return Ok(Value::bool(x ^ y)),
                _ => {}
            }
        }
        if let (Some(x), Some(y)) = (as_int(heap, a), as_int(heap, b)) {
            let (x, y) = (own(x), own(y));
            return int_binary(heap, op, x.as_ref(), y.as_ref());
        }
        if a.is_float() || b.is_float() {
            if let (Some(x), Some(y)) = (to_f64(heap, a), to_f64(heap, b)) {
                if matches!(
                    op,
                    BinOp::Shl | BinOp::Shr | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
                ) {
                    return Err(unsupported(heap, op, a, b));
                }
                return Ok(Value::float(float_binary(op, x?, y?)?));
            }
        }
        if let Some(r) = super::set::set_binary(heap, op, a, b) {
            return r;
        }
        match op {
            BinOp::Add => self.add(heap, a, b),
            BinOp::Mul => {
                let (seq, count) = if is_sequence(heap, a) {
                    (a, b)
                } else if is_sequence(heap, b) {
                    (b, a)
                } else {
                    return Err(unsupported(heap, op, a, b));
                };
                match repeat_count(heap, count) {
                    Some(n) => Ok(repeat(heap, seq, n?)?.unwrap_or(Value::NIL)),
                    None => Err(type_error(format!(
                        "can't multiply sequence by non-int of type '{}'",
                        type_name(heap, count)
                    ))),
                }
            }
            BinOp::FloorMod | BinOp::ModTrunc if heap.as_str(a).is_some() => {
                let s = self.percent(heap, a, b)?;
                Ok(heap.string(s))
            }
            BinOp::BitOr => {
                if let (Some(x), Some(y)) = (as_dict(heap, a), as_dict(heap, b)) {
                    let d = PyDict::new();
                    for (k, v) in x.items().into_iter().chain(y.items()) {
                        d.insert(heap, k, v)?;
                    }
                    return Ok(host(heap, d));
                }
                Err(unsupported(heap, op, a, b))
            }
            _ => Err(unsupported(heap, op, a, b)),
        }
    }

    fn add(&mut self, heap: &mut Heap, a: Value, b: Value) -> Result<Value, Exception> {
        match (heap.get(a), heap.get(b)) {
            (Some(Obj::Str(x)), Some(Obj::Str(y))) => {
                let s = format!("{x}{y}");
                Ok(heap.string(s))
            }
            (Some(Obj::Str(_)), _) => Err(type_error(format!(
                "can only concatenate str (not \"{}\") to str",
                type_name(heap, b)
            ))),
            (Some(Obj::Array(x)), Some(Obj::Array(y))) => {
                // One buffer of the final size (a recycled one when there is one).
                let n = x.len() + y.len();
                let mut items = heap.take_vec(n);
                if let (Some(x), Some(y)) = (heap.as_array(a), heap.as_array(b)) {
                    x.append_to(&mut items);
                    y.append_to(&mut items);
                }
                Ok(heap.array(items))
            }
            (Some(Obj::Array(_)), _) => Err(type_error(format!(
                "can only concatenate list (not \"{}\") to list",
                type_name(heap, b)
            ))),
            (Some(Obj::Tuple(x)), Some(Obj::Tuple(y))) => {
                let mut items = Vec::with_capacity(x.len() + y.len());
                items.extend_from_slice(x);
                items.extend_from_slice(y);
                Ok(heap.tuple(items))
            }
            (Some(Obj::Tuple(_)), _) => Err(type_error(format!(
                "can only concatenate tuple (not \"{}\") to tuple",
                type_name(heap, b)
            ))),
            _ => Err(unsupported(heap, BinOp::Add, a, b)),
        }
    }

    /// `fmt % args` for a str `fmt`.
    pub fn percent(&self, heap: &Heap, fmt: Value, args: Value) -> Result<String, Exception> {
        let p = self.printer(heap);
        let f = heap.as_str(fmt).unwrap_or("");
        let arg = |v: Value| ValArg { p, v };
        if let Some(items) = heap.as_tuple(args) {
            let items: Vec<ValArg<'_>> = items.iter().map(|&v| arg(v)).collect();
            return pyfmt::percent_format(f, PercentArgs::Tuple(&items));
        }
        if let Some(d) = as_dict(heap, args) {
            let value = arg(args);
            let mut lookup = |key: &str| -> Result<ValArg<'_>, Exception> {
                for (k, v) in d.items() {
                    if heap.as_str(k) == Some(key) {
                        return Ok(arg(v));
                    }
                }
                Err(super::errors::exc("KeyError", pyfmt::str_repr(key)))
            };
            return pyfmt::percent_format(
                f,
                PercentArgs::Mapping {
                    value: &value,
                    lookup: &mut lookup,
                },
            );
        }
        // Lists and ranges are mappings too as far as `%` is concerned (CPython checks for
        // `mp_subscript`): a format without conversions ignores them, and `%(key)s` fails
        // as subscripting them with a str does.
        if heap.as_array(args).is_some() || type_of(heap, args) == B::Range {
            let value = arg(args);
            let tname = type_name(heap, args);
            let mut lookup = |_: &str| -> Result<ValArg<'_>, Exception> {
                Err(type_error(format!(
                    "{tname} indices must be integers or slices, not str"
                )))
            };
            return pyfmt::percent_format(
                f,
                PercentArgs::Mapping {
                    value: &value,
                    lookup: &mut lookup,
                },
            );
        }
        pyfmt::percent_format(f, PercentArgs::Single(&arg(args)))
    }

    /// `item in container`.
    pub fn contains_op(
        &mut self,
        vm: &mut VmCore,
        container: Value,
        item: Value,
    ) -> Result<bool, Exception> {
        let heap = vm.heap();
        match heap.get(container) {
            Some(Obj::Str(s)) => {
                return match heap.as_str(item) {
                    Some(x) => Ok(s.contains(x)),
                    None => Err(type_error(format!(
                        "'in <string>' requires string as left operand, not {}",
                        type_name(heap, item)
                    ))),
                }
            }
            Some(Obj::Array(a)) => {
                let mut i = 0;
                while let Some(x) = a.get(i) {
                    if x == item || py_eq(heap, x, item)? {
                        return Ok(true);
                    }
                    i += 1;
                }
                return Ok(false);
            }
            Some(Obj::Tuple(t)) => {
                for &x in t.iter() {
                    if x == item || py_eq(heap, x, item)? {
                        return Ok(true);
                    }
                }
                return Ok(false);
            }
            Some(Obj::Host(h)) => {
                let any = h.as_any();
                if let Some(d) = any.downcast_ref::<PyDict>() {
                    return Ok(d.get(heap, item)?.is_some());
                }
                if let Some(s) = any.downcast_ref::<super::set::PySet>() {
                    return s.contains(heap, item);
                }
                if let Some(r) = any.downcast_ref::<PyRange>() {
                    return range_contains(heap, r, item);
                }
                if let Some(r) = any.downcast_ref::<super::range::PyLongRange>() {
                    return Ok(super::range::contains(heap, r, item));
                }
                if let Some(view) = any.downcast_ref::<PyDictView>() {
                    if let Some(d) = as_dict(heap, view.dict) {
                        return match view.part {
                            DictPart::Keys => Ok(d.get(heap, item)?.is_some()),
                            DictPart::Values => {
                                for (_, v) in d.items() {
                                    if py_eq(heap, v, item)? {
                                        return Ok(true);
                                    }
                                }
                                Ok(false)
                            }
                            DictPart::Items => match heap.as_tuple(item) {
                                Some(&[k, v]) => match d.get(heap, k)? {
                                    Some(w) => py_eq(heap, v, w),
                                    None => Ok(false),
                                },
                                _ => Ok(false),
                            },
                        };
                    }
                }
                if !any.is::<PyIter>() {
                    return Err(not_iterable_in(heap, container));
                }
            }
            Some(Obj::RangeIter(_)) | Some(Obj::SeqIter(_)) => {}
            _ => return Err(not_iterable_in(heap, container)),
        }
        // An iterator: consume it until the item turns up.
        let base = vm.roots().len();
        vm.roots_mut().push(container);
        vm.roots_mut().push(item);
        let r = loop {
            match self.next(vm, container) {
                Ok(Some(x)) => match py_eq(vm.heap(), x, item) {
                    Ok(true) => break Ok(true),
                    Ok(false) => {}
                    Err(e) => break Err(e),
                },
                Ok(None) => break Ok(false),
                Err(e) => break Err(e),
            }
        };
        vm.roots_mut().truncate(base);
        r
    }
}

fn not_iterable_in(heap: &Heap, v: Value) -> Exception {
    type_error(format!(
        "argument of type '{}' is not iterable",
        type_name(heap, v)
    ))
}

fn range_contains(heap: &Heap, r: &PyRange, item: Value) -> Result<bool, Exception> {
    let i = match as_int(heap, item) {
        Some(IntRef::Small(i)) => i as i128,
        Some(IntRef::Big(_)) => return Ok(false),
        None => {
            // Floats (and anything else) compare by equality against each value.
            if let Some(f) = item.as_float() {
                if f.fract() != 0.0 || !f.is_finite() || f.abs() > 9.2e18 {
                    return Ok(false);
                }
                f as i64 as i128
            } else {
                return Ok(false);
            }
        }
    };
    let (start, stop, step) = (r.start as i128, r.stop as i128, r.step as i128);
    let inside = if step > 0 {
        start <= i && i < stop
    } else {
        stop < i && i <= start
    };
    Ok(inside && (i - start) % step == 0)
}

/// An int operand detached from the heap borrow.
enum OwnedInt {
    Small(i64),
    Big(num_bigint::BigInt),
}

impl OwnedInt {
    fn as_ref(&self) -> IntRef<'_> {
        match self {
            OwnedInt::Small(i) => IntRef::Small(*i),
            OwnedInt::Big(b) => IntRef::Big(b),
        }
    }
}

fn own(i: IntRef<'_>) -> OwnedInt {
    match i {
        IntRef::Small(x) => OwnedInt::Small(x),
        IntRef::Big(b) => OwnedInt::Big(b.clone()),
    }
}

fn is_sequence(heap: &Heap, v: Value) -> bool {
    matches!(
        heap.get(v),
        Some(Obj::Str(_)) | Some(Obj::Array(_)) | Some(Obj::Tuple(_))
    )
}

/// `seq * n` for a str, list or tuple `seq`; `None` for other types.
fn repeat(heap: &mut Heap, seq: Value, n: usize) -> Result<Option<Value>, Exception> {
    match heap.get(seq) {
        Some(Obj::Str(s)) => {
            let total = check_size(s.len(), n, super::MAX_ITEMS)?;
            let mut r = String::new();
            reserve(heap, &mut r, total)?;
            for _ in 0..n {
                r.push_str(s);
            }
            Ok(Some(heap.string(r)))
        }
        Some(Obj::Array(a)) => {
            let items = a.to_vec();
            let total = check_size(items.len(), n, super::MAX_LIST)?;
            let mut out = Vec::new();
            reserve(heap, &mut out, total)?;
            for _ in 0..n {
                out.extend_from_slice(&items);
            }
            Ok(Some(heap.array(out)))
        }
        Some(Obj::Tuple(t)) => {
            let total = check_size(t.len(), n, super::MAX_LIST)?;
            let mut out = Vec::new();
            reserve(heap, &mut out, total)?;
            for _ in 0..n {
                out.extend_from_slice(t);
            }
            Ok(Some(heap.tuple(out)))
        }
        _ => Ok(None),
    }
}

/// `xs += b` (extends `xs` by any iterable that needs no guest code) and `xs *= n`.
fn inplace_list(heap: &mut Heap, op: BinOp, a: Value, b: Value) -> Result<Value, Exception> {
    if op == BinOp::InplaceAdd {
        let items = super::containers::assignable_items(heap, b)
            .map_err(|_| type_error(format!("'{}' object is not iterable", type_name(heap, b))))?;
        if let Some(xs) = heap.as_array(a) {
            xs.extend_from_slice(&items);
        }
        return Ok(a);
    }
    let Some(n) = repeat_count(heap, b) else {
        return Err(type_error(format!(
            "can't multiply sequence by non-int of type '{}'",
            type_name(heap, b)
        )));
    };
    let n = n?;
    if let Some(xs) = heap.as_array(a) {
        let items = xs.to_vec();
        let total = check_size(items.len(), n, super::MAX_LIST)?;
        let mut out = Vec::new();
        reserve(heap, &mut out, total)?;
        for _ in 0..n {
            out.extend_from_slice(&items);
        }
        xs.replace(out);
    }
    Ok(a)
}

/// A value as a `%`-formatting argument.
#[derive(Clone, Copy)]
struct ValArg<'a> {
    p: Printer<'a>,
    v: Value,
}

impl PercentArg for ValArg<'_> {
    type Error = Exception;

    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(type_name(self.p.heap, self.v))
    }

    fn py_str(&self) -> Result<String, Exception> {
        self.p.str(self.v)
    }

    fn py_repr(&self) -> Result<String, Exception> {
        self.p.repr(self.v)
    }

    fn as_number(&self) -> Option<PyNum<'_>> {
        if let Some(f) = self.v.as_float() {
            return Some(PyNum::Float(f));
        }
        match as_int(self.p.heap, self.v)? {
            IntRef::Small(i) => Some(PyNum::Int(i)),
            IntRef::Big(b) => Some(PyNum::BigInt(Cow::Borrowed(b))),
        }
    }

    fn as_str(&self) -> Option<&str> {
        self.p.heap.as_str(self.v)
    }
}

/// `abs(v)`.
pub fn abs(heap: &mut Heap, v: Value) -> Result<Value, Exception> {
    if let Some(f) = v.as_float() {
        return Ok(Value::float(f.abs()));
    }
    if let Some(i) = as_int(heap, v) {
        let i = own(i);
        return Ok(int_abs(heap, i.as_ref()));
    }
    Err(type_error(format!(
        "bad operand type for abs(): '{}'",
        type_name(heap, v)
    )))
}

/// True when `v` is an instance of type `t` (subclasses included).
pub fn isinstance(heap: &Heap, v: Value, t: B) -> bool {
    super::objects::type_of(heap, v).is_subtype(t)
}
