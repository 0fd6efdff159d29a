//! Attributes and methods: `obj.name` and `obj.name(...)` for every builtin type (list,
//! tuple, dict, range, int, float, modules, types), bound and unbound builtin methods, and
//! calls of anything that is not a function or a builtin.

use std::fmt;

use jit_core::heap::{ArrayObj, Heap, Obj};
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::calls::Args;
use super::compare::py_eq;
use super::dict::PyDict;
use super::errors::{
    arg_count, attribute_error, check_args, exc, index_error, type_error, value_error,
};
use super::objects::{
    as_dict, as_int, as_type, host, int_value, small_index, type_name, type_of, DictPart,
    PyDictView, PyExc, PyMethod, PyModule, B,
};
use super::{Kw, PySemantics};
use crate::pyfmt::IntRef;

const LIST_METHODS: &[&str] = &[
    "append", "pop", "insert", "extend", "index", "reverse", "sort", "copy", "count", "remove",
    "clear",
];
const TUPLE_METHODS: &[&str] = &["index", "count"];
const DICT_METHODS: &[&str] = &[
    "get",
    "keys",
    "values",
    "items",
    "pop",
    "setdefault",
    "update",
    "copy",
    "clear",
    "popitem",
    "fromkeys",
];
const STR_METHODS: &[&str] = &[
    "join",
    "format",
    "upper",
    "lower",
    "casefold",
    "title",
    "capitalize",
    "swapcase",
    "strip",
    "lstrip",
    "rstrip",
    "replace",
    "center",
    "ljust",
    "rjust",
    "zfill",
    "removeprefix",
    "removesuffix",
    "expandtabs",
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "rpartition",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "startswith",
    "endswith",
    "isdigit",
    "isnumeric",
    "isdecimal",
    "isalpha",
    "isalnum",
    "isspace",
    "isascii",
    "isupper",
    "islower",
    "istitle",
    "isidentifier",
    "isprintable",
];
const INT_METHODS: &[&str] = &["bit_length", "bit_count", "conjugate"];
const FLOAT_METHODS: &[&str] = &["is_integer", "as_integer_ratio", "conjugate"];
const RANGE_METHODS: &[&str] = &["index", "count"];

/// The method names a builtin type has.
pub fn method_names(t: B) -> &'static [&'static str] {
    methods_of(t)
}

fn methods_of(t: B) -> &'static [&'static str] {
    match t {
        B::List => LIST_METHODS,
        B::Tuple => TUPLE_METHODS,
        B::Dict => DICT_METHODS,
        B::Str => STR_METHODS,
        B::Int | B::Bool => INT_METHODS,
        B::Float => FLOAT_METHODS,
        B::Range => RANGE_METHODS,
        B::Set => super::set::set_methods(false),
        B::Frozenset => super::set::set_methods(true),
        _ => &[],
    }
}

/// `AttributeError: 'list' object has no attribute 'apend'. Did you mean: 'append'?`
pub fn no_attr(heap: &Heap, obj: Value, name: &str) -> Exception {
    let t = type_name(heap, obj);
    attribute_error(format!(
        "'{t}' object has no attribute '{name}'{}",
        super::suggest::attribute_hint(t, name)
    ))
}

/// `AttributeError: module 'math' has no attribute 'sqr'. Did you mean: 'sqrt'?`
fn no_module_attr(module: &str, name: &str) -> Exception {
    attribute_error(format!(
        "module '{module}' has no attribute '{name}'{}",
        super::suggest::module_hint(module, name)
    ))
}

/// `AttributeError: type object 'int' has no attribute 'x'`, with a suggestion.
fn no_type_attr(ty: B, name: &str) -> Exception {
    attribute_error(format!(
        "type object '{}' has no attribute '{name}'{}",
        ty.name(),
        super::suggest::attribute_hint(ty.name(), name)
    ))
}

/// A method's qualified name (`list.append`) for error messages, formatted only when an
/// error needs it: method calls are hot, their errors are not.
pub struct Qual<'a>(pub &'static str, pub &'a str);

impl fmt::Display for Qual<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

fn noargs(qual: &dyn fmt::Display, args: &[Value], kw: &Kw) -> Result<(), Exception> {
    if !kw.is_empty() {
        return Err(type_error(format!("{qual}() takes no keyword arguments")));
    }
    if !args.is_empty() {
        return Err(type_error(format!(
            "{qual}() takes no arguments ({} given)",
            args.len()
        )));
    }
    Ok(())
}

fn one_arg(qual: &dyn fmt::Display, args: &[Value], kw: &Kw) -> Result<Value, Exception> {
    if !kw.is_empty() {
        return Err(type_error(format!("{qual}() takes no keyword arguments")));
    }
    if args.len() != 1 {
        return Err(type_error(format!(
            "{qual}() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    Ok(args[0])
}

/// `seq.index(x, start, end)` bounds: slice-style clamping.
fn bounds(heap: &Heap, args: &[Value], len: usize) -> Result<(usize, usize), Exception> {
    let get = |i: usize, default: i64| -> Result<i64, Exception> {
        match args.get(i) {
            None => Ok(default),
            Some(&v) => match as_int(heap, v) {
                Some(IntRef::Small(x)) => Ok(x),
                Some(IntRef::Big(b)) => Ok(if b.sign() == num_bigint::Sign::Minus {
                    i64::MIN / 2
                } else {
                    i64::MAX / 2
                }),
                None => Err(type_error(
                    "slice indices must be integers or have an __index__ method",
                )),
            },
        }
    };
    let n = len as i64;
    let fix = |x: i64| if x < 0 { (x + n).max(0) } else { x.min(n) } as usize;
    Ok((fix(get(1, 0)?), fix(get(2, n)?)))
}

/// Makes room for `n` more items in a list (CPython's `MemoryError` when the system
/// refuses); returns the bytes the list grew by, for the heap's accounting.
fn grow(a: &ArrayObj, n: usize) -> Result<usize, Exception> {
    a.try_reserve(n).map_err(|_| super::errors::memory_error())
}

/// Inserts `x` into the list at `at` (clamped as `list.insert` clamps; `None` appends),
/// reserving room fallibly; returns the bytes the buffer grew by, for `Heap::account`.
fn list_insert(a: &ArrayObj, at: Option<i64>, x: Value) -> Result<usize, Exception> {
    let grown = grow(a, 1)?;
    match at {
        None => a.push(x),
        Some(i) => {
            let n = a.len() as i64;
            let k = if i < 0 { (i + n).max(0) } else { i.min(n) };
            a.insert(k as usize, x);
        }
    }
    Ok(grown)
}

/// Removes and returns item `i` of the list (negative counts from the end); `None` when
/// out of range.
fn list_pop(a: &ArrayObj, i: i64) -> Option<Value> {
    let k = if i < 0 { i + a.len() as i64 } else { i };
    usize::try_from(k).ok().and_then(|k| a.remove(k))
}

/// The list methods that loops call most (`append`, `pop`, `insert`) with positional
/// small-int arguments, without the method table; `None` sends the call (another method,
/// another receiver, an index out of range) the general way, which raises.
#[inline]
fn list_fast(
    heap: &mut Heap,
    obj: Value,
    name: &str,
    args: &[Value],
) -> Option<Result<Value, Exception>> {
    let a = heap.as_array(obj)?;
    let inserted = match (name, args) {
        ("append", &[x]) => list_insert(a, None, x),
        ("insert", &[i, x]) => list_insert(a, Some(i.as_small_int()?), x),
        ("pop", &[]) => return a.pop().map(Ok),
        ("pop", &[i]) => return list_pop(a, i.as_small_int()?).map(Ok),
        _ => return None,
    };
    Some(inserted.map(|grown| {
        heap.account(grown);
        Value::NIL
    }))
}

impl PySemantics {
    /// `obj.name(*args, **kw)`.
    pub fn method(
        &mut self,
        vm: &mut VmCore,
        obj: Value,
        name: &str,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        if kw.is_empty() {
            if let Some(r) = list_fast(vm.heap_mut(), obj, name, args) {
                return r;
            }
        }
        let heap = vm.heap();
        let t = type_of(heap, obj);
        match t {
            B::Str => self.str_method(vm, obj, name, args, kw),
            B::List => self.list_method(vm, obj, name, args, kw),
            B::Dict => self.dict_method(vm, obj, name, args, kw),
            B::Set | B::Frozenset => self.set_method(vm, obj, name, args, kw),
            B::Tuple | B::Range => {
                let items = super::objects::seq_items(heap, obj).unwrap_or_default();
                match name {
                    "count" => {
                        let x = one_arg(&Qual(t.name(), "count"), args, &kw)?;
                        if t == B::Range {
                            let found = self.contains_op(vm, obj, x)?;
                            return Ok(Value::small_int(i64::from(found)));
                        }
                        let mut n = 0;
                        for &y in &items {
                            if py_eq(heap, y, x)? {
                                n += 1;
                            }
                        }
                        Ok(Value::small_int(n))
                    }
                    "index" => {
                        if !kw.is_empty() {
                            return Err(type_error(format!(
                                "{}.index() takes no keyword arguments",
                                t.name()
                            )));
                        }
                        if let Some(r) = super::range::parts(heap, obj) {
                            let x = one_arg(&"range.index", args, &kw)?;
                            if let Some(i) = super::range::index_of(vm.heap_mut(), &r, x) {
                                return Ok(i);
                            }
                            let s = self.repr(vm.heap(), x)?;
                            return Err(value_error(format!("{s} is not in range")));
                        }
                        check_args("index", args.len(), 1, 3)?;
                        let (lo, hi) = bounds(heap, args, items.len())?;
                        for (i, &y) in items.iter().enumerate().take(hi).skip(lo) {
                            if py_eq(heap, y, args[0])? {
                                return Ok(Value::small_int(i as i64));
                            }
                        }
                        Err(value_error("tuple.index(x): x not in tuple"))
                    }
                    _ => Err(no_attr(heap, obj, name)),
                }
            }
            B::Int | B::Bool | B::Float => self.number_method(vm, obj, name, args, kw),
            B::TextIOWrapper => {
                let fd = heap
                    .as_host::<super::objects::PyStream>(obj)
                    .map_or(1, |s| s.fd);
                self.stream_method(vm, fd, name, args)
            }
            B::Module => {
                let Some(m) = heap.as_host::<PyModule>(obj) else {
                    return Err(no_attr(heap, obj, name));
                };
                if let Some(b) = B::in_module(m.ns, name) {
                    return self.call_builtin(vm, b, args, kw);
                }
                match m.get(name) {
                    Some(f) => self.call_any(vm, f, args, kw),
                    None => Err(no_module_attr(m.name, name)),
                }
            }
            B::Type => {
                let Some(ty) = as_type(heap, obj) else {
                    return Err(no_attr(heap, obj, name));
                };
                if ty == B::Dict && name == "fromkeys" {
                    return self.dict_fromkeys(vm, args, kw);
                }
                if methods_of(ty).contains(&name) {
                    let Some((&recv, rest)) = args.split_first() else {
                        return Err(type_error(format!(
                            "unbound method {}.{name}() needs an argument",
                            ty.name()
                        )));
                    };
                    let rt = type_of(vm.heap(), recv);
                    if !rt.is_subtype(ty) {
                        return Err(type_error(format!(
                            "descriptor '{name}' for '{}' objects doesn't apply to a '{}' object",
                            ty.name(),
                            rt.name()
                        )));
                    }
                    return self.method(vm, recv, name, rest, kw);
                }
                Err(no_type_attr(ty, name))
            }
            _ => {
                let f = self.get_attr(vm.heap_mut(), obj, name)?;
                self.call_any(vm, f, args, kw)
            }
        }
    }

    /// Calls any callable with keywords.
    pub fn call_any(
        &mut self,
        vm: &mut VmCore,
        f: Value,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        if kw.is_empty() {
            // SAFETY: this function uses nothing after the call but its result; `f` and
            // `args` are on the value stack during it, and our callers root what they keep
            // (the rule in the `runtime` module docs).
            return unsafe { vm.call_value(self, f, args) };
        }
        match vm.heap().get(f) {
            Some(Obj::Native(n)) => match B::from_id(n.id) {
                Some(b) => self.call_builtin(vm, b, args, kw),
                None => Err(type_error("bad builtin")),
            },
            Some(Obj::Function(_)) => {
                // Keywords for a guest function called from a builtin: bind them here and
                // call positionally.
                let code_id = vm.heap().as_function(f).map(|x| x.code).unwrap_or(0);
                let (heap, module) = vm.heap_and_module();
                let bound = match module.codes.get(code_id as usize) {
                    Some(code) => super::calls::bind(heap, f, code, args, kw)?,
                    None => return Err(type_error("bad function")),
                };
                // SAFETY: as above: the bound arguments (which hold every argument, and
                // whatever `bind` made) go on the value stack with `f`, and this function
                // uses only the result afterwards.
                unsafe { vm.call_value(self, f, &bound) }
            }
            _ => self.call_other(vm, f, args, kw),
        }
    }

    /// Calls something that is neither a guest function nor a builtin (a bound method).
    pub fn call_other(
        &mut self,
        vm: &mut VmCore,
        callee: Value,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        if let Some(m) = vm.heap().as_host::<PyMethod>(callee) {
            let (obj, name) = (m.obj, m.name);
            return self.method(vm, obj, name, args, kw);
        }
        Err(type_error(format!(
            "'{}' object is not callable",
            type_name(vm.heap(), callee)
        )))
    }

    /// `obj.name`.
    pub fn get_attr(
        &mut self,
        heap: &mut Heap,
        obj: Value,
        name: &str,
    ) -> Result<Value, Exception> {
        let t = type_of(heap, obj);
        if let Some(m) = heap.as_host::<PyModule>(obj) {
            if let Some(v) = m.get(name) {
                return Ok(v);
            }
            if name == "__name__" {
                let n = m.name;
                return Ok(heap.str(n));
            }
            if let Some(b) = B::in_module(m.ns, name) {
                return Ok(self.native(heap, b));
            }
            return Err(no_module_attr(m.name, name));
        }
        if let Some(ty) = as_type(heap, obj) {
            if name == "__name__" {
                return Ok(heap.str(ty.name()));
            }
            if let Some(&name) = methods_of(ty).iter().find(|&&m| m == name) {
                return Ok(host(
                    heap,
                    PyMethod {
                        obj,
                        name,
                        unbound: Some(ty),
                    },
                ));
            }
            return Err(no_type_attr(ty, name));
        }
        if let Some(&name) = methods_of(t).iter().find(|&&m| m == name) {
            return Ok(host(
                heap,
                PyMethod {
                    obj,
                    name,
                    unbound: None,
                },
            ));
        }
        if name == "__class__" {
            return Ok(self.native(heap, t));
        }
        let found = match (t, name) {
            (B::Int | B::Bool, "real" | "numerator") => Some(match as_int(heap, obj) {
                Some(IntRef::Small(i)) => heap.int(i),
                _ => obj,
            }),
            (B::Int | B::Bool, "imag") => Some(Value::small_int(0)),
            (B::Int | B::Bool, "denominator") => Some(Value::small_int(1)),
            (B::Float, "real") => Some(obj),
            (B::Float, "imag") => Some(Value::float(0.0)),
            (B::Range, "start" | "stop" | "step") => super::range::parts(heap, obj)
                .map(|r| match name {
                    "start" => r.start,
                    "stop" => r.stop,
                    _ => r.step,
                })
                .map(|i| int_value(heap, i)),
            (B::Slice, "start" | "stop" | "step") => heap.as_slice(obj).map(|s| match name {
                "start" => s.start,
                "stop" => s.stop,
                _ => s.step,
            }),
            (B::Function, "__name__" | "__qualname__") => {
                let n = heap
                    .as_function(obj)
                    .and_then(|f| self.code_names.get(f.code as usize))
                    .map(|n| n.rsplit('.').next().unwrap_or(n).to_string());
                n.map(|n| heap.string(n))
            }
            (B::BuiltinFunction, "__name__") => match heap.get(obj) {
                Some(Obj::Native(n)) => {
                    let s = n.name.to_string();
                    Some(heap.string(s))
                }
                _ => heap
                    .as_host::<PyMethod>(obj)
                    .map(|m| m.name.to_string())
                    .map(|s| heap.string(s)),
            },
            _ => None,
        };
        if let Some(v) = found {
            return Ok(v);
        }
        if let Some(e) = heap.as_host::<PyExc>(obj) {
            if name == "args" {
                let a = e.args.to_vec();
                return Ok(heap.tuple(a));
            }
        }
        if t == B::Function {
            if let Some(&(_, _, v)) = self
                .func_attrs
                .iter()
                .find(|(f, n, _)| *f == obj && n == name)
            {
                return Ok(v);
            }
        }
        Err(no_attr(heap, obj, name))
    }

    /// `obj.name = v`.
    pub fn set_attr(
        &mut self,
        heap: &mut Heap,
        obj: Value,
        name: &str,
        v: Value,
    ) -> Result<(), Exception> {
        if let Some(m) = heap.as_host::<PyModule>(obj) {
            m.set(name, v);
            self.attr_cache.clear();
            return Ok(());
        }
        if type_of(heap, obj) == B::Function {
            match self
                .func_attrs
                .iter_mut()
                .find(|(f, n, _)| *f == obj && n == name)
            {
                Some(slot) => slot.2 = v,
                None => self.func_attrs.push((obj, name.to_string(), v)),
            }
            return Ok(());
        }
        if let Some(t) = as_type(heap, obj) {
            return Err(type_error(format!(
                "cannot set '{name}' attribute of immutable type '{}'",
                t.name()
            )));
        }
        Err(no_attr(heap, obj, name))
    }

    fn list_method(
        &mut self,
        vm: &mut VmCore,
        list: Value,
        name: &str,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let qual = Qual("list", name);
        if name == "sort" {
            let mut a = Args::new("sort", args, kw);
            if !args.is_empty() {
                return Err(type_error("sort() takes no positional arguments"));
            }
            let key = a.take("key").filter(|k| !k.is_nil());
            let reverse = a.take("reverse");
            a.done()?;
            let reverse = match reverse {
                None => false,
                Some(r) => match as_int(vm.heap(), r) {
                    Some(i) => !super::numbers::int_is_zero(i),
                    None => {
                        return Err(type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            type_name(vm.heap(), r)
                        )))
                    }
                },
            };
            let items = vm
                .heap()
                .as_array(list)
                .map(|a| a.to_vec())
                .unwrap_or_default();
            let sorted = self.sort_values(vm, items, key, reverse)?;
            if let Some(a) = vm.heap().as_array(list) {
                a.replace(sorted);
            }
            return Ok(Value::NIL);
        }
        if name == "extend" {
            let src = one_arg(&qual, args, &kw)?;
            let items = self.collect(vm, src)?;
            if let Some(a) = vm.heap().as_array(list) {
                let grown = grow(a, items.len())?;
                a.extend_from_slice(&items);
                vm.heap_mut().account(grown);
            }
            return Ok(Value::NIL);
        }
        let heap = vm.heap_mut();
        let Some(arr) = heap.as_array(list) else {
            return Err(no_attr(heap, list, name));
        };
        match name {
            "append" => {
                let x = one_arg(&qual, args, &kw)?;
                let grown = list_insert(arr, None, x)?;
                heap.account(grown);
                Ok(Value::NIL)
            }
            "pop" => {
                if !kw.is_empty() {
                    return Err(type_error("list.pop() takes no keyword arguments"));
                }
                check_args("pop", args.len(), 0, 1)?;
                if arr.is_empty() {
                    return Err(index_error("pop from empty list"));
                }
                let i = match args.first() {
                    Some(&v) => small_index(heap, v).map_err(|_| {
                        type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            type_name(heap, v)
                        ))
                    })?,
                    None => -1,
                };
                list_pop(arr, i).ok_or_else(|| index_error("pop index out of range"))
            }
            "insert" => {
                if !kw.is_empty() {
                    return Err(type_error("list.insert() takes no keyword arguments"));
                }
                if args.len() != 2 {
                    return Err(arg_count("insert", 2, 2, args.len()));
                }
                let i = small_index(heap, args[0])?;
                let grown = list_insert(arr, Some(i), args[1])?;
                heap.account(grown);
                Ok(Value::NIL)
            }
            "index" => {
                if !kw.is_empty() {
                    return Err(type_error("list.index() takes no keyword arguments"));
                }
                if args.is_empty() {
                    return Err(type_error("index expected at least 1 argument, got 0"));
                }
                check_args("index", args.len(), 1, 3)?;
                let (lo, hi) = bounds(heap, args, arr.len())?;
                let mut i = lo;
                while i < hi {
                    match arr.get(i) {
                        Some(y) => {
                            if py_eq(heap, y, args[0])? {
                                return Ok(Value::small_int(i as i64));
                            }
                        }
                        None => break,
                    }
                    i += 1;
                }
                let s = self.repr(heap, args[0])?;
                Err(value_error(format!("{s} is not in list")))
            }
            "count" => {
                let x = one_arg(&qual, args, &kw)?;
                let mut n = 0;
                for y in arr.to_vec() {
                    if py_eq(heap, y, x)? {
                        n += 1;
                    }
                }
                Ok(Value::small_int(n))
            }
            "remove" => {
                let x = one_arg(&qual, args, &kw)?;
                for (i, y) in arr.to_vec().into_iter().enumerate() {
                    if py_eq(heap, y, x)? {
                        arr.remove(i);
                        return Ok(Value::NIL);
                    }
                }
                Err(value_error("list.remove(x): x not in list"))
            }
            "reverse" => {
                noargs(&qual, args, &kw)?;
                arr.reverse();
                Ok(Value::NIL)
            }
            "copy" => {
                noargs(&qual, args, &kw)?;
                let items = arr.to_vec();
                Ok(heap.array(items))
            }
            "clear" => {
                noargs(&qual, args, &kw)?;
                arr.replace(Vec::new());
                Ok(Value::NIL)
            }
            _ => Err(no_attr(heap, list, name)),
        }
    }

    fn dict_method(
        &mut self,
        vm: &mut VmCore,
        d: Value,
        name: &str,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let qual = Qual("dict", name);
        if name == "update" {
            check_args("update", args.len(), 0, 1)?;
            if let Some(&src) = args.first() {
                self.dict_update(vm, d, src)?;
            }
            for (k, v) in kw {
                let key = vm.heap_mut().str(&k);
                if let Some(dict) = as_dict(vm.heap(), d) {
                    dict.insert(vm.heap(), key, v)?;
                }
            }
            return Ok(Value::NIL);
        }
        if name == "fromkeys" {
            return self.dict_fromkeys(vm, args, kw);
        }
        let heap = vm.heap_mut();
        let Some(dict) = as_dict(heap, d) else {
            return Err(no_attr(heap, d, name));
        };
        if !kw.is_empty() {
            return Err(type_error(format!("{qual}() takes no keyword arguments")));
        }
        match name {
            "get" => {
                if args.is_empty() {
                    return Err(type_error("get expected at least 1 argument, got 0"));
                }
                check_args("get", args.len(), 1, 2)?;
                Ok(dict
                    .get(heap, args[0])?
                    .unwrap_or(args.get(1).copied().unwrap_or(Value::NIL)))
            }
            "keys" | "values" | "items" => {
                noargs(&qual, args, &kw)?;
                let part = match name {
                    "keys" => DictPart::Keys,
                    "values" => DictPart::Values,
                    _ => DictPart::Items,
                };
                Ok(host(heap, PyDictView { dict: d, part }))
            }
            "pop" => {
                if args.is_empty() {
                    return Err(type_error("pop expected at least 1 argument, got 0"));
                }
                check_args("pop", args.len(), 1, 2)?;
                match dict.remove(heap, args[0])? {
                    Some(v) => Ok(v),
                    None => match args.get(1) {
                        Some(&default) => Ok(default),
                        None => Err(exc("KeyError", self.repr(heap, args[0])?)),
                    },
                }
            }
            "setdefault" => {
                if args.is_empty() {
                    return Err(type_error("setdefault expected at least 1 argument, got 0"));
                }
                check_args("setdefault", args.len(), 1, 2)?;
                match dict.get(heap, args[0])? {
                    Some(v) => Ok(v),
                    None => {
                        let v = args.get(1).copied().unwrap_or(Value::NIL);
                        dict.insert(heap, args[0], v)?;
                        Ok(v)
                    }
                }
            }
            "copy" => {
                noargs(&qual, args, &kw)?;
                let copy = PyDict::new();
                for (k, v) in dict.items() {
                    copy.insert(heap, k, v)?;
                }
                Ok(host(heap, copy))
            }
            "clear" => {
                noargs(&qual, args, &kw)?;
                dict.clear();
                Ok(Value::NIL)
            }
            "popitem" => {
                noargs(&qual, args, &kw)?;
                match dict.pop_last(heap) {
                    Some((k, v)) => Ok(heap.tuple_of(&[k, v])),
                    None => Err(exc("KeyError", "'popitem(): dictionary is empty'")),
                }
            }
            _ => Err(no_attr(heap, d, name)),
        }
    }

    fn dict_fromkeys(
        &mut self,
        vm: &mut VmCore,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        if !kw.is_empty() {
            return Err(type_error("dict.fromkeys() takes no keyword arguments"));
        }
        check_args("fromkeys", args.len(), 1, 2)?;
        let keys = self.collect(vm, args[0])?;
        let v = args.get(1).copied().unwrap_or(Value::NIL);
        let d = PyDict::new();
        for k in keys {
            d.insert(vm.heap(), k, v)?;
        }
        Ok(host(vm.heap_mut(), d))
    }

    fn number_method(
        &mut self,
        vm: &mut VmCore,
        x: Value,
        name: &str,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let heap = vm.heap_mut();
        let t = type_of(heap, x);
        let qual = Qual(if t == B::Float { "float" } else { "int" }, name);
        if !methods_of(t).contains(&name) {
            return Err(no_attr(heap, x, name));
        }
        noargs(&qual, args, &kw)?;
        if let Some(f) = x.as_float() {
            return match name {
                "is_integer" => Ok(Value::bool(f.is_finite() && f.fract() == 0.0)),
                "conjugate" => Ok(x),
                _ => {
                    if f.is_nan() {
                        return Err(value_error("cannot convert NaN to integer ratio"));
                    }
                    if f.is_infinite() {
                        return Err(exc(
                            "OverflowError",
                            "cannot convert Infinity to integer ratio",
                        ));
                    }
                    let (mut num, mut den) = (f, num_bigint::BigInt::from(1));
                    while num.fract() != 0.0 {
                        num *= 2.0;
                        den *= 2;
                    }
                    let n = super::numbers::float_to_int(heap, num)?;
                    let d = super::objects::int_value(heap, den);
                    Ok(heap.tuple_of(&[n, d]))
                }
            };
        }
        let Some(i) = as_int(heap, x) else {
            return Err(no_attr(heap, x, name));
        };
        let big = super::objects::to_big(i);
        match name {
            "bit_length" => Ok(heap.int(big.bits() as i64)),
            "bit_count" => {
                let ones: u64 = big
                    .magnitude()
                    .to_u64_digits()
                    .iter()
                    .map(|d| u64::from(d.count_ones()))
                    .sum();
                Ok(heap.int(ones as i64))
            }
            _ => Ok(super::objects::int_value(heap, big)),
        }
    }
}
