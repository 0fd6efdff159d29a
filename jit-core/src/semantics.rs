//! The narrow trait through which a frontend gives the core its language's meaning.
//!
//! The core owns the fast paths for the types it knows (inline and boxed ints, floats,
//! strings, arrays, functions) and for the operations whose meaning every supported
//! language shares. Everything else is a *slow path* the core hands to the frontend:
//! operations on other types or with exceptional results (a zero divisor, an `i64`
//! overflow), truthiness of non-booleans, builtins, and every error message.
//!
//! # Contract
//!
//! - Slow paths are called only when the core's fast path did not apply; they must
//!   implement the whole operation for those operands (including the cases the core
//!   would have handled, if they choose to see them).
//! - A slow path may allocate through the `&mut Heap` it gets, but must not keep
//!   `Value`s anywhere the collector cannot see between calls, except in objects
//!   reachable from [`Semantics::trace_roots`]. (This, and the next point, are part of
//!   what the caller of the `unsafe` [`crate::interp::Vm::run`] promises about its
//!   semantics.)
//! - Only the methods that get `&mut VmCore` may run guest code, through the `unsafe`
//!   [`VmCore::call_value`], and so collect garbage. The values the core passes to any
//!   slow path are on the value stack (rooted) for the whole call; values a slow path
//!   makes or finds itself and still uses after a `call_value` must be rooted during it
//!   ([`VmCore::roots_mut`]). The same holds for the slow path's own callers in the
//!   frontend: a function that may run guest code is one whose callers root what they
//!   keep across it. Code outside a run gets `&mut VmCore` only through the `unsafe`
//!   [`crate::interp::Vm::parts_mut`], whose caller promises the same.
//! - A slow path must not replace or swap the `Heap` it is lent (see
//!   [`Heap::new`]).
//! - Errors are returned as [`Exception`]s; the core attaches the source location of
//!   the failing instruction and the call stack.
//! - None of these methods may panic on any input: bad operands are language errors.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytecode::{BinOp, CmpOp, Code, UnOp};
use crate::heap::{Heap, Marker};
use crate::interp::VmCore;
use crate::value::Value;

/// A language-level error on its way out of the interpreter.
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    /// The language's name for the error kind (`"ZeroDivisionError"`), or empty when the
    /// language has one kind of runtime error (Tiny).
    pub kind: String,
    /// The message (`"division by zero"`).
    pub message: String,
    /// Where it was raised and the calls that led there, innermost first. Filled by the
    /// core as the error leaves each frame.
    pub traceback: Vec<TraceEntry>,
}

impl Exception {
    /// An error of `kind` with `message`.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Exception {
        Exception {
            kind: kind.into(),
            message: message.into(),
            traceback: Vec::new(),
        }
    }

    /// An error with only a message (for languages with one kind of runtime error).
    pub fn msg(message: impl Into<String>) -> Exception {
        Exception::new(String::new(), message)
    }
}

/// One frame of an error's traceback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// The code object running in the frame.
    pub code: crate::bytecode::CodeId,
    /// The function's name.
    pub function: String,
    /// 1-based source line (0 when unknown).
    pub line: u32,
    /// 1-based source column (0 when unknown).
    pub col: u32,
}

/// Whether an integer overflowed in a binary or unary operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// `a op b` does not fit in an `i64`.
    Binary(BinOp, i64, i64),
    /// `-a` does not fit in an `i64`.
    Neg(i64),
}

/// A frontend's semantics. See the module docs for the contract.
pub trait Semantics: Sized {
    /// The deepest allowed nesting of guest calls; the call that would go deeper fails
    /// with [`Semantics::stack_overflow`]. Top-level code is depth 0.
    fn max_call_depth(&self) -> usize;

    /// The error for a call past [`Semantics::max_call_depth`].
    fn stack_overflow(&mut self) -> Exception;

    /// The error when memory runs out: the allocator failed (the embedder sets
    /// [`crate::heap::MEMORY_EXHAUSTED`]) or the heap passed its limit
    /// ([`Heap::set_limit`]). Raised at a safepoint, or by a slow path that sees a
    /// guest-sized request not fit ([`Heap::fits`]).
    fn memory_error(&mut self) -> Exception {
        Exception::msg("out of memory")
    }

    /// `a op b` for operands the core's fast path did not handle: non-core types, mixed
    /// boxed ints, zero divisors, strings with other operators.
    fn binary_slow(
        &mut self,
        heap: &mut Heap,
        op: BinOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception>;

    /// An integer result that does not fit in an `i64`: Tiny raises, Python promotes.
    fn int_overflow(&mut self, heap: &mut Heap, what: Overflow) -> Result<Value, Exception>;

    /// `a op b` for comparisons the core did not handle (everything but int/float pairs
    /// and string pairs).
    fn compare_slow(
        &mut self,
        heap: &mut Heap,
        op: CmpOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception>;

    /// `op v` for operands the core did not handle.
    fn unary_slow(&mut self, heap: &mut Heap, op: UnOp, v: Value) -> Result<Value, Exception>;

    /// True when the language's small ints are false exactly when zero (Python), so that
    /// tier 1 may test them inline.
    fn zero_is_false(&self) -> bool {
        false
    }

    /// Truthiness of a value other than a boolean or nil.
    fn truthy_slow(&mut self, heap: &mut Heap, v: Value) -> Result<bool, Exception>;

    /// `c[i]` when it is not an array indexed by an in-bounds non-negative int.
    fn index_slow(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<Value, Exception>;

    /// `c[i] = v` when it is not an array indexed by an in-bounds non-negative int.
    fn store_index_slow(
        &mut self,
        heap: &mut Heap,
        c: Value,
        i: Value,
        v: Value,
    ) -> Result<(), Exception>;

    /// Calls builtin `id` (a [`crate::heap::NativeObj`]) with `args`. It may call back into
    /// guest code with the `unsafe` [`VmCore::call_value`] (see that method for what must
    /// stay reachable).
    fn call_native(&mut self, vm: &mut VmCore, id: u32, args: &[Value])
        -> Result<Value, Exception>;

    /// A call whose callee is neither a function nor a builtin. It may call back into guest
    /// code with [`VmCore::call_value`].
    fn call_slow(
        &mut self,
        vm: &mut VmCore,
        callee: Value,
        args: &[Value],
    ) -> Result<Value, Exception>;

    /// A positional call of `func` (a function value running `code`) that does not bind
    /// as it is (`!code.takes_exactly(args.len())`: a wrong count, keyword-only parameters,
    /// `*args`/`**kwargs`). Return exactly `code.arg_slots()` values for the leading locals
    /// (Python fills in defaults from the [`crate::heap::FunctionObj`]), or the language's
    /// error.
    fn bind_arguments(
        &mut self,
        heap: &mut Heap,
        func: Value,
        code: &Code,
        args: &[Value],
    ) -> Result<Vec<Value>, Exception>;

    /// The error for a `for`-loop bound that is not an int.
    fn bad_for_bound(&mut self, heap: &mut Heap, v: Value) -> Exception;

    /// A read of a global whose slot is empty: Python looks in the builtins and otherwise
    /// raises `NameError`. `name` is the global's name.
    ///
    /// Tier 1 caches a successful result for as long as the slot stays empty, so the same
    /// name must always give the same value, and the frontend must keep it alive
    /// (report it in [`Semantics::trace_roots`]).
    fn global_empty(&mut self, heap: &mut Heap, name: &str) -> Result<Value, Exception>;

    /// Marks any values the frontend holds outside the interpreter's roots.
    fn trace_roots(&self, marker: &mut Marker) {
        let _ = marker;
    }

    // ---- Operations only some languages have (Python). The defaults report that the
    // ---- frontend does not support them; a frontend that emits the instruction
    // ---- implements the method.

    /// A read of an empty local (`LoadLocalChecked`).
    fn unbound_local(&mut self, name: &str) -> Exception {
        unsupported(name)
    }

    /// A read of an empty cell (`LoadDeref`).
    fn unbound_free(&mut self, name: &str) -> Exception {
        unsupported(name)
    }

    /// An iterator for `v`, which is not an array or tuple (the core handles those).
    fn get_iter(&mut self, heap: &mut Heap, v: Value) -> Result<Value, Exception> {
        let _ = (heap, v);
        Err(unsupported("iteration"))
    }

    /// The next item of an iterator other than the core's own, or `None` at the end.
    fn iter_next(&mut self, vm: &mut VmCore, it: Value) -> Result<Option<Value>, Exception> {
        let _ = (vm, it);
        Err(unsupported("iteration"))
    }

    /// The `n` items of `v` when it is not an array or tuple of exactly `n` items.
    fn unpack(&mut self, vm: &mut VmCore, v: Value, n: usize) -> Result<Vec<Value>, Exception> {
        let _ = (vm, v, n);
        Err(unsupported("unpacking"))
    }

    /// A map from alternating keys and values.
    fn build_map(&mut self, heap: &mut Heap, pairs: &[Value]) -> Result<Value, Exception> {
        let _ = (heap, pairs);
        Err(unsupported("maps"))
    }

    /// `map[key] = value` while building a map (`MapAdd`).
    fn map_add(
        &mut self,
        heap: &mut Heap,
        map: Value,
        key: Value,
        value: Value,
    ) -> Result<(), Exception> {
        let _ = (heap, map, key, value);
        Err(unsupported("maps"))
    }

    /// Extends `list` by an iterable that is not an array or tuple.
    fn list_extend(
        &mut self,
        vm: &mut VmCore,
        list: Value,
        iterable: Value,
    ) -> Result<(), Exception> {
        let _ = (vm, list, iterable);
        Err(unsupported("list extension"))
    }

    /// A slice object from 2 or 3 parts (the core's [`Obj::Slice`](crate::heap::Obj::Slice),
    /// the parts not checked; a language without slices refuses here).
    #[inline]
    fn build_slice(&mut self, heap: &mut Heap, parts: &[Value]) -> Result<Value, Exception> {
        let part = |i: usize| parts.get(i).copied().unwrap_or(Value::NIL);
        Ok(heap.alloc(crate::heap::Obj::Slice(crate::heap::SliceObj {
            start: part(0),
            stop: part(1),
            step: part(2),
        })))
    }

    /// Formats `v` for an f-string (`conversion`: 0 none, 1 str, 2 repr, 3 ascii).
    fn format_value(
        &mut self,
        vm: &mut VmCore,
        v: Value,
        conversion: u32,
        spec: Option<Value>,
    ) -> Result<Value, Exception> {
        let _ = (vm, v, conversion, spec);
        Err(unsupported("formatting"))
    }

    /// `item in container`.
    fn contains(
        &mut self,
        vm: &mut VmCore,
        container: Value,
        item: Value,
    ) -> Result<bool, Exception> {
        let _ = (vm, container, item);
        Err(unsupported("membership"))
    }

    /// `obj.name`.
    fn load_attr(&mut self, heap: &mut Heap, obj: Value, name: &str) -> Result<Value, Exception> {
        let _ = (heap, obj);
        Err(unsupported(name))
    }

    /// `obj.name = v`.
    fn store_attr(
        &mut self,
        heap: &mut Heap,
        obj: Value,
        name: &str,
        v: Value,
    ) -> Result<(), Exception> {
        let _ = (heap, obj, v);
        Err(unsupported(name))
    }

    /// `obj.name(*args)`; `kwnames`, when present, is a tuple of strings naming the last
    /// arguments.
    fn call_method(
        &mut self,
        vm: &mut VmCore,
        obj: Value,
        name: &str,
        args: &[Value],
        kwnames: Option<Value>,
    ) -> Result<Value, Exception> {
        let _ = (vm, obj, args, kwnames);
        Err(unsupported(name))
    }

    /// A call of the guest function `func` (running `code`) with keyword arguments:
    /// `kwnames` (a tuple of strings) names the last arguments. Return exactly
    /// `code.arg_slots()` values for the leading locals.
    fn bind_keywords(
        &mut self,
        heap: &mut Heap,
        func: Value,
        code: &Code,
        args: &[Value],
        kwnames: Value,
    ) -> Result<Vec<Value>, Exception> {
        let _ = (heap, func, code, args, kwnames);
        Err(unsupported("keyword arguments"))
    }

    /// A call of anything but a guest function with keyword arguments.
    fn call_kw(
        &mut self,
        vm: &mut VmCore,
        callee: Value,
        args: &[Value],
        kwnames: Value,
    ) -> Result<Value, Exception> {
        let _ = (vm, callee, args, kwnames);
        Err(unsupported("keyword arguments"))
    }

    /// The module called `name`.
    fn import(&mut self, heap: &mut Heap, name: &str) -> Result<Value, Exception> {
        let _ = heap;
        Err(unsupported(name))
    }

    /// The exception raised by `Raise` with `args`.
    fn raise(&mut self, heap: &mut Heap, args: &[Value]) -> Exception {
        let _ = (heap, args);
        unsupported("raise")
    }

    /// `del c[i]`.
    fn delete_index(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<(), Exception> {
        let _ = (heap, c, i);
        Err(unsupported("del"))
    }
}

fn unsupported(what: &str) -> Exception {
    Exception::msg(alloc::format!(
        "internal error: this frontend does not support {what}"
    ))
}
