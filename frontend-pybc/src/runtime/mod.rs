//! Python 3.11's runtime semantics for the core: [`PySemantics`], the
//! [`Semantics`] implementation (slow paths, builtins, `math`/`sys`, every error with
//! CPython's exact type and message, printing byte-for-byte as CPython does).
//!
//! Values: `int` is a core int when it fits in an `i64`, else a [`objects::PyLong`];
//! `bool`, `None` and `float` are core values; `str`, `list`, `tuple` and functions are
//! core objects; `dict`, `range`, slices, modules, bound methods, exceptions, dict views and
//! the non-core iterators are host objects defined in [`objects`] and [`dict`]. Builtins
//! (functions, types, exception classes, module functions) are core `Native` objects whose
//! id is a [`B`]; each is allocated once and kept rooted, so `type(x) is int` works.
//!
//! # Garbage collection
//!
//! A function here that takes `&mut VmCore` may run guest code (a `key=`, a `map`
//! function, an iterator's `next`) through the `unsafe` [`VmCore::call_value`], and so
//! collect garbage. The rule every caller in this runtime keeps: an object value still
//! used after such a call is rooted during it: an argument the core passed (on the value
//! stack), pushed on [`VmCore::roots_mut`] (and truncated afterwards), kept in a field
//! [`Semantics::trace_roots`] reports, or held by an object that is itself rooted. The
//! `SAFETY` comment at each `call_value` names what that call's function uses afterwards;
//! what its callers keep is theirs to root by the same rule.

pub mod builtins;
pub mod calls;
pub mod compare;
pub mod containers;
pub mod dict;
pub mod errors;
pub mod hash;
pub mod iter;
pub mod methods;
pub mod modules;
pub mod numbers;
pub mod objects;
pub mod ops;
pub mod plain;
pub mod random;
pub mod range;
pub mod repr;
pub mod set;
pub mod sort;
pub mod stdlib;
pub mod strings;
pub mod suggest;
#[cfg(test)]
mod tests;
pub mod unicode;

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;

use jit_core::bytecode::{BinOp, CmpOp, Code, UnOp};
use jit_core::heap::{Heap, Marker, NativeObj, Obj};
use jit_core::interp::VmCore;
use jit_core::semantics::{Exception, Overflow, Semantics};
use jit_core::value::Value;

pub use objects::B;

use errors::{exc, runtime_error, type_error};
use objects::{type_name, PyExc};
use repr::Printer;

/// CPython's default recursion limit.
pub const DEFAULT_RECURSION_LIMIT: usize = 1000;

/// The largest list, tuple or string (in items or bytes) the runtime builds; past it,
/// `MemoryError` (CPython would try and usually fail the same way, slowly).
pub const MAX_ITEMS: usize = 1 << 31;

/// The largest list or tuple (in items) the runtime builds in one operation.
pub const MAX_LIST: usize = 1 << 28;

/// Keyword arguments of a call, in order: `(name, value)`.
pub type Kw = Vec<(String, Value)>;

/// A fast hasher for small integer keys (FxHash's multiply-rotate).
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

/// A map keyed by small integers with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The identity of a name the core passes in: its address and length. Names the core
/// passes to [`Semantics::global_empty`] and [`Semantics::load_attr`] live in the module
/// (global names, code constants) for the whole run, so the address identifies the name.
fn name_key(name: &str) -> (usize, usize) {
    (name.as_ptr() as usize, name.len())
}

/// Python's semantics, writing program output to `out`.
pub struct PySemantics {
    out: Box<dyn Write>,
    argv: Vec<String>,
    /// `code_names[id]` is the name functions running code `id` print with.
    pub code_names: Vec<String>,
    /// One `Native` per [`B`], allocated on first use (`EMPTY` until then).
    natives: Vec<Value>,
    /// Imported modules, by name.
    modules: Vec<(&'static str, Value)>,
    /// Interned one-character ASCII strings (`EMPTY` until first used).
    chars: Vec<Value>,
    /// The last string whose character count was computed: (string, chars, is ASCII).
    str_info: Cell<(Value, usize, bool)>,
    recursion_limit: usize,
    /// The `random` module's generator.
    rng: random::Mt,
    /// When the run started (`time.perf_counter`).
    start: std::time::Instant,
    /// `global_empty` answers, by name identity (see [`name_key`]).
    global_cache: FastMap<(usize, usize), Value>,
    /// A direct-mapped cache in front of `global_cache`: (name key, value).
    global_fast: Box<[((usize, usize), Value); 64]>,
    /// Module attributes loaded by the core, by (module bits, name identity); cleared
    /// whenever a module attribute is stored.
    attr_cache: FastMap<(u64, usize, usize), Value>,
    /// Attributes set on functions (`f.cache = {}`): (function, name, value).
    func_attrs: Vec<(Value, String, Value)>,
    /// Set when writing to `out` failed (e.g. a closed pipe); the run stops with an error.
    pub io_error: Option<std::io::Error>,
}

impl PySemantics {
    /// Semantics that print to `out`, with `argv` as `sys.argv` (the program path, then its
    /// arguments). `code_names[i]` is the name of code object `i`, for printing functions.
    pub fn new(out: Box<dyn Write>, argv: Vec<String>, code_names: Vec<String>) -> PySemantics {
        PySemantics {
            out,
            argv,
            code_names,
            natives: vec![Value::EMPTY; B::ALL.len()],
            modules: Vec::new(),
            chars: vec![Value::EMPTY; 128],
            str_info: Cell::new((Value::EMPTY, 0, true)),
            recursion_limit: DEFAULT_RECURSION_LIMIT,
            rng: random::Mt::new(),
            start: std::time::Instant::now(),
            func_attrs: Vec::new(),
            global_cache: FastMap::default(),
            global_fast: Box::new([((0, 0), Value::NIL); 64]),
            attr_cache: FastMap::default(),
            io_error: None,
        }
    }

    /// Flushes buffered program output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// The builtin's `Native` value (the same value every time).
    pub fn native(&mut self, heap: &mut Heap, b: B) -> Value {
        let slot = b as usize;
        let v = self.natives[slot];
        if !v.is_empty() {
            return v;
        }
        let v = heap.alloc(Obj::Native(NativeObj {
            id: b.id(),
            name: b.name().into(),
            pure_on_numbers: b.pure_on_numbers(),
            float_on_numbers: b.float_on_numbers(),
        }));
        self.natives[slot] = v;
        v
    }

    /// A printer for `str()`/`repr()` of values on `heap`.
    pub fn printer<'a>(&'a self, heap: &'a Heap) -> Printer<'a> {
        Printer {
            heap,
            names: &self.code_names,
        }
    }

    /// `repr(v)`.
    pub fn repr(&self, heap: &Heap, v: Value) -> Result<String, Exception> {
        self.printer(heap).repr(v)
    }

    /// `str(v)`.
    pub fn str(&self, heap: &Heap, v: Value) -> Result<String, Exception> {
        self.printer(heap).str(v)
    }

    /// Writes program output.
    pub fn write_out(&mut self, s: &str) -> Result<(), Exception> {
        if let Err(e) = self.out.write_all(s.as_bytes()) {
            let msg = format!("cannot write output: {e}");
            self.io_error = Some(e);
            return Err(exc("OSError", msg));
        }
        Ok(())
    }

    /// A one-character string (interned for ASCII).
    pub fn char_str(&mut self, heap: &mut Heap, c: char) -> Value {
        let code = c as usize;
        if code < 128 {
            let v = self.chars[code];
            if !v.is_empty() {
                return v;
            }
            let mut buf = [0u8; 4];
            let v = heap.str(c.encode_utf8(&mut buf));
            self.chars[code] = v;
            return v;
        }
        let mut buf = [0u8; 4];
        heap.str(c.encode_utf8(&mut buf))
    }

    /// The number of characters of string `v` (`s` is its text) and whether it is ASCII;
    /// remembers the last answer, so indexing a long string in a loop stays linear.
    pub fn str_info(&self, v: Value, s: &str) -> (usize, bool) {
        let (last, n, ascii) = self.str_info.get();
        if last == v && !v.is_empty() {
            return (n, ascii);
        }
        let ascii = s.is_ascii();
        let n = if ascii { s.len() } else { s.chars().count() };
        self.str_info.set((v, n, ascii));
        (n, ascii)
    }

    /// The current recursion limit (`sys.setrecursionlimit` changes it).
    pub fn recursion_limit(&self) -> usize {
        self.recursion_limit
    }

    fn kwargs(heap: &Heap, args: &[Value], kwnames: Value) -> Result<(usize, Kw), Exception> {
        let names = heap
            .as_tuple(kwnames)
            .ok_or_else(|| runtime_error("internal error: keyword names are not a tuple"))?;
        if names.len() > args.len() {
            return Err(runtime_error(
                "internal error: more keyword names than arguments",
            ));
        }
        let npos = args.len() - names.len();
        let mut kw = Vec::with_capacity(names.len());
        for (&n, &v) in names.iter().zip(&args[npos..]) {
            let name = heap
                .as_str(n)
                .ok_or_else(|| type_error("keywords must be strings"))?;
            kw.push((name.to_string(), v));
        }
        Ok((npos, kw))
    }
}

impl Semantics for PySemantics {
    fn max_call_depth(&self) -> usize {
        // CPython's limit counts the module's frame too.
        self.recursion_limit.saturating_sub(1)
    }

    fn stack_overflow(&mut self) -> Exception {
        exc("RecursionError", "maximum recursion depth exceeded")
    }

    fn memory_error(&mut self) -> Exception {
        errors::memory_error()
    }

    fn binary_slow(
        &mut self,
        heap: &mut Heap,
        op: BinOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception> {
        self.binary(heap, op, a, b)
    }

    fn int_overflow(&mut self, heap: &mut Heap, what: Overflow) -> Result<Value, Exception> {
        numbers::overflowed(heap, what)
    }

    fn compare_slow(
        &mut self,
        heap: &mut Heap,
        op: CmpOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception> {
        // Sets first: the general comparison tries numbers, strings and sequences before
        // it reaches them, and set-heavy code (s <= t in a search) compares little else.
        if let (Some(x), Some(y)) = (set::as_set(heap, a), set::as_set(heap, b)) {
            return Ok(Value::bool(compare::set_cmp(heap, op, x, y)));
        }
        compare::richcmp(heap, op, a, b).map(Value::bool)
    }

    fn unary_slow(&mut self, heap: &mut Heap, op: UnOp, v: Value) -> Result<Value, Exception> {
        ops::unary(heap, op, v)
    }

    fn zero_is_false(&self) -> bool {
        true
    }

    fn truthy_slow(&mut self, heap: &mut Heap, v: Value) -> Result<bool, Exception> {
        Ok(ops::truthy(heap, v))
    }

    fn index_slow(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<Value, Exception> {
        self.index(heap, c, i)
    }

    fn store_index_slow(
        &mut self,
        heap: &mut Heap,
        c: Value,
        i: Value,
        v: Value,
    ) -> Result<(), Exception> {
        self.store_index(heap, c, i, v)
    }

    fn call_native(
        &mut self,
        vm: &mut VmCore,
        id: u32,
        args: &[Value],
    ) -> Result<Value, Exception> {
        match B::from_id(id) {
            Some(b) => {
                if let Some(r) = builtins::fast_call(vm.heap_mut(), b, args) {
                    return r;
                }
                self.call_builtin(vm, b, args, Vec::new())
            }
            None => Err(runtime_error(format!(
                "internal error: unknown builtin {id}"
            ))),
        }
    }

    fn call_slow(
        &mut self,
        vm: &mut VmCore,
        callee: Value,
        args: &[Value],
    ) -> Result<Value, Exception> {
        self.call_other(vm, callee, args, Vec::new())
    }

    fn bind_arguments(
        &mut self,
        heap: &mut Heap,
        func: Value,
        code: &Code,
        args: &[Value],
    ) -> Result<Vec<Value>, Exception> {
        calls::bind(heap, func, code, args, Vec::new())
    }

    fn bad_for_bound(&mut self, heap: &mut Heap, v: Value) -> Exception {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(heap, v)
        ))
    }

    fn global_empty(&mut self, heap: &mut Heap, name: &str) -> Result<Value, Exception> {
        let key = name_key(name);
        if name == "__name__" {
            let v = heap.str("__main__");
            self.global_cache.insert(key, v);
            return Ok(v);
        }
        let slot = (key.0 >> 3) & 63;
        if self.global_fast[slot].0 == key {
            return Ok(self.global_fast[slot].1);
        }
        if let Some(&v) = self.global_cache.get(&key) {
            self.global_fast[slot] = (key, v);
            return Ok(v);
        }
        match B::global(name) {
            Some(b) => {
                let v = self.native(heap, b);
                self.global_cache.insert(key, v);
                self.global_fast[slot] = (key, v);
                Ok(v)
            }
            None => Err(exc("NameError", format!("name '{name}' is not defined"))),
        }
    }

    fn trace_roots(&self, marker: &mut Marker) {
        marker.mark_all(&self.natives);
        marker.mark_all(&self.chars);
        for &(_, m) in &self.modules {
            marker.mark(m);
        }
        self.global_cache.values().for_each(|&v| marker.mark(v));
        self.attr_cache.values().for_each(|&v| marker.mark(v));
        for &(f, _, v) in &self.func_attrs {
            marker.mark(f);
            marker.mark(v);
        }
        // Keeping the remembered string alive keeps its identity meaningful.
        marker.mark(self.str_info.get().0);
    }

    fn unbound_local(&mut self, name: &str) -> Exception {
        exc(
            "UnboundLocalError",
            format!(
                "cannot access local variable '{name}' where it is not associated with a value"
            ),
        )
    }

    fn unbound_free(&mut self, name: &str) -> Exception {
        exc(
            "NameError",
            format!(
                "cannot access free variable '{name}' where it is not associated with a value in enclosing scope"
            ),
        )
    }

    fn get_iter(&mut self, heap: &mut Heap, v: Value) -> Result<Value, Exception> {
        self.iter_of(heap, v)
    }

    fn iter_next(&mut self, vm: &mut VmCore, it: Value) -> Result<Option<Value>, Exception> {
        self.next(vm, it)
    }

    fn unpack(&mut self, vm: &mut VmCore, v: Value, n: usize) -> Result<Vec<Value>, Exception> {
        self.unpack_n(vm, v, n)
    }

    fn build_map(&mut self, heap: &mut Heap, pairs: &[Value]) -> Result<Value, Exception> {
        let d = dict::PyDict::new();
        for kv in pairs.chunks(2) {
            if let [k, v] = kv {
                d.insert(heap, *k, *v)?;
            }
        }
        Ok(objects::host(heap, d))
    }

    fn map_add(
        &mut self,
        heap: &mut Heap,
        map: Value,
        key: Value,
        value: Value,
    ) -> Result<(), Exception> {
        match objects::as_dict(heap, map) {
            Some(d) => d.insert(heap, key, value),
            None => Err(runtime_error("internal error: MapAdd target is not a dict")),
        }
    }

    fn list_extend(
        &mut self,
        vm: &mut VmCore,
        list: Value,
        iterable: Value,
    ) -> Result<(), Exception> {
        let items = self.collect(vm, iterable)?;
        match vm.heap().as_array(list) {
            Some(a) => {
                a.extend_from_slice(&items);
                Ok(())
            }
            None => Err(runtime_error(
                "internal error: ListExtend target is not a list",
            )),
        }
    }

    fn format_value(
        &mut self,
        vm: &mut VmCore,
        v: Value,
        conversion: u32,
        spec: Option<Value>,
    ) -> Result<Value, Exception> {
        if conversion <= 1 && spec.is_none() {
            if let Some(i) = v.as_small_int() {
                return Ok(vm.heap_mut().string(numbers::small_int_str(i)));
            }
        }
        let heap = vm.heap_mut();
        let p = self.printer(heap);
        let converted;
        let v = match conversion {
            1 => {
                converted = Some(p.str(v)?);
                None
            }
            2 => {
                converted = Some(p.repr(v)?);
                None
            }
            3 => {
                converted = Some(crate::pyfmt::ascii_escape(&p.repr(v)?));
                None
            }
            _ => {
                converted = None;
                Some(v)
            }
        };
        let spec = match spec {
            Some(s) => heap
                .as_str(s)
                .ok_or_else(|| runtime_error("internal error: format spec is not a str"))?,
            None => "",
        };
        let s = match (v, converted) {
            (Some(v), _) => p.format(v, spec)?,
            (None, Some(c)) => crate::pyfmt::format_str(&c, spec).map_err(errors::from_fmt)?,
            (None, None) => String::new(),
        };
        Ok(heap.string(s))
    }

    fn contains(
        &mut self,
        vm: &mut VmCore,
        container: Value,
        item: Value,
    ) -> Result<bool, Exception> {
        self.contains_op(vm, container, item)
    }

    fn load_attr(&mut self, heap: &mut Heap, obj: Value, name: &str) -> Result<Value, Exception> {
        let key = (obj.to_bits(), name_key(name).0, name.len());
        if let Some(&v) = self.attr_cache.get(&key) {
            return Ok(v);
        }
        let v = self.get_attr(heap, obj, name)?;
        if heap.as_host::<objects::PyModule>(obj).is_some() {
            self.attr_cache.insert(key, v);
        }
        Ok(v)
    }

    fn store_attr(
        &mut self,
        heap: &mut Heap,
        obj: Value,
        name: &str,
        v: Value,
    ) -> Result<(), Exception> {
        self.set_attr(heap, obj, name, v)
    }

    fn call_method(
        &mut self,
        vm: &mut VmCore,
        obj: Value,
        name: &str,
        args: &[Value],
        kwnames: Option<Value>,
    ) -> Result<Value, Exception> {
        let (pos, kw) = match kwnames {
            Some(k) => {
                let (n, kw) = Self::kwargs(vm.heap(), args, k)?;
                (&args[..n], kw)
            }
            None => (args, Vec::new()),
        };
        self.method(vm, obj, name, pos, kw)
    }

    fn bind_keywords(
        &mut self,
        heap: &mut Heap,
        func: Value,
        code: &Code,
        args: &[Value],
        kwnames: Value,
    ) -> Result<Vec<Value>, Exception> {
        let (n, kw) = Self::kwargs(heap, args, kwnames)?;
        calls::bind(heap, func, code, &args[..n], kw)
    }

    fn call_kw(
        &mut self,
        vm: &mut VmCore,
        callee: Value,
        args: &[Value],
        kwnames: Value,
    ) -> Result<Value, Exception> {
        let (n, kw) = Self::kwargs(vm.heap(), args, kwnames)?;
        let pos = &args[..n];
        let native = match vm.heap().get(callee) {
            Some(Obj::Native(nat)) => B::from_id(nat.id),
            _ => None,
        };
        match native {
            Some(b) => self.call_builtin(vm, b, pos, kw),
            None => self.call_other(vm, callee, pos, kw),
        }
    }

    fn import(&mut self, heap: &mut Heap, name: &str) -> Result<Value, Exception> {
        if let Some(&(_, m)) = self.modules.iter().find(|(n, _)| *n == name) {
            return Ok(m);
        }
        let (static_name, m) = self.make_module(heap, name)?;
        self.modules.push((static_name, m));
        Ok(m)
    }

    fn raise(&mut self, heap: &mut Heap, args: &[Value]) -> Exception {
        let Some(&e) = args.first() else {
            return runtime_error("No active exception to reraise");
        };
        if let Some(x) = heap.as_host::<PyExc>(e) {
            return match self.printer(heap).exc_message(x) {
                Ok(msg) => exc(x.ty.name(), msg),
                Err(err) => err,
            };
        }
        match objects::as_type(heap, e) {
            Some(t) if t.is_subtype(B::BaseException) => exc(t.name(), ""),
            _ => type_error("exceptions must derive from BaseException"),
        }
    }

    fn delete_index(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<(), Exception> {
        self.del_index(heap, c, i)
    }
}
