//! The builtin functions and the constructors of the builtin types (`print`, `len`,
//! `sorted`, `int(...)`, `dict(...)`, `ValueError(...)`, ...), dispatched by [`B`].

use std::cell::Cell;
use std::io::{BufRead, Read, Write};

use jit_core::bytecode::{BinOp, CmpOp};
use jit_core::heap::{Heap, Obj};
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::calls::Args;
use super::compare::{py_lt, richcmp};
use super::dict::PyDict;
use super::errors::{arg_count, check_args, exc, from_fmt, type_error, value_error};
use super::hash::hash_value;
use super::iter::is_iterator;
use super::numbers::{float_divmod, int_divmod, int_pow_mod, int_to_f64};
use super::objects::{
    as_int, as_type, host, int_value, small_index, type_name, type_of, IterKind, Ns, PyExc, PyIter,
    PyRange, PySlice, B,
};
use super::ops::{abs, isinstance, to_f64, truthy};
use super::sort::sort_by;
use super::{Kw, PySemantics};
use crate::pyfmt::{self, IntRef};

impl PySemantics {
    /// Calls builtin `b` with positional `args` and keywords `kw`.
    pub fn call_builtin(
        &mut self,
        vm: &mut VmCore,
        b: B,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        match b.ns() {
            Ns::Math | Ns::Sys | Ns::Random | Ns::Heapq | Ns::Bisect | Ns::Time | Ns::Functools => {
                return self.call_module_fn(vm, b, args, kw)
            }
            Ns::Exc => {
                if !kw.is_empty() {
                    return Err(type_error(format!(
                        "{}() takes no keyword arguments",
                        b.name()
                    )));
                }
                return Ok(host(
                    vm.heap_mut(),
                    PyExc {
                        ty: b,
                        args: args.into(),
                    },
                ));
            }
            Ns::Hidden => {
                if b == B::NoneType && args.is_empty() {
                    return Ok(Value::NIL);
                }
                return Err(type_error(format!(
                    "cannot create '{}' instances",
                    b.name()
                )));
            }
            Ns::Func | Ns::Type => {}
        }
        let name = b.name();
        let mut a = Args::new(name, args, kw);
        let one = |a: &Args<'_>| -> Result<Value, Exception> {
            a.no_kw()?;
            if a.pos.len() != 1 {
                return Err(type_error(format!(
                    "{name}() takes exactly one argument ({} given)",
                    a.pos.len()
                )));
            }
            Ok(a.pos[0])
        };
        match b {
            B::Print => self.print(vm, a),
            B::Len => {
                let v = one(&a)?;
                self.len(vm.heap_mut(), v)
            }
            B::Abs => {
                let v = one(&a)?;
                abs(vm.heap_mut(), v)
            }
            B::Min => self.min_max(vm, a, false),
            B::Max => self.min_max(vm, a, true),
            B::Sum => {
                if args.is_empty() {
                    return Err(type_error(
                        "sum() takes at least 1 positional argument (0 given)",
                    ));
                }
                let start = a.get(1, "start")?.unwrap_or(Value::small_int(0));
                a.done()?;
                check_args("sum", args.len(), 1, 2)?;
                if vm.heap().as_str(start).is_some() {
                    return Err(type_error(
                        "sum() can't sum strings [use ''.join(seq) instead]",
                    ));
                }
                self.sum(vm, args[0], start)
            }
            B::Repr => {
                let v = one(&a)?;
                let s = self.repr(vm.heap(), v)?;
                Ok(vm.heap_mut().string(s))
            }
            B::Ascii => {
                let v = one(&a)?;
                let s = pyfmt::ascii_escape(&self.repr(vm.heap(), v)?);
                Ok(vm.heap_mut().string(s))
            }
            B::Isinstance => {
                a.no_kw()?;
                if args.len() != 2 {
                    return Err(arg_count("isinstance", 2, 2, args.len()));
                }
                isinstance_of(vm.heap(), args[0], args[1], 0).map(Value::bool)
            }
            B::Iter => {
                a.no_kw()?;
                check_args("iter", args.len(), 1, 1)?;
                self.iter_of(vm.heap_mut(), args[0])
            }
            B::Next => {
                a.no_kw()?;
                check_args("next", args.len(), 1, 2)?;
                if !is_iterator(vm.heap(), args[0]) {
                    return Err(type_error(format!(
                        "'{}' object is not an iterator",
                        type_name(vm.heap(), args[0])
                    )));
                }
                match self.next(vm, args[0])? {
                    Some(v) => Ok(v),
                    None => args.get(1).copied().ok_or_else(|| exc("StopIteration", "")),
                }
            }
            B::Round => {
                let x = a.get(0, "number")?.ok_or_else(|| {
                    type_error("round() missing required argument 'number' (pos 1)")
                })?;
                let nd = a.get(1, "ndigits")?.filter(|v| !v.is_nil());
                a.done()?;
                round(vm.heap_mut(), x, nd)
            }
            B::Divmod => {
                a.no_kw()?;
                if args.len() != 2 {
                    return Err(arg_count("divmod", 2, 2, args.len()));
                }
                divmod(vm.heap_mut(), args[0], args[1])
            }
            B::Pow => {
                let base = a
                    .get(0, "base")?
                    .ok_or_else(|| type_error("pow() missing required argument 'base' (pos 1)"))?;
                let e = a
                    .get(1, "exp")?
                    .ok_or_else(|| type_error("pow() missing required argument 'exp' (pos 2)"))?;
                let m = a.get(2, "mod")?.filter(|v| !v.is_nil());
                a.done()?;
                let heap = vm.heap_mut();
                match m {
                    None => jit_core::ops::binary(heap, self, BinOp::Pow, base, e),
                    Some(m) => match (as_int(heap, base), as_int(heap, e), as_int(heap, m)) {
                        (Some(x), Some(y), Some(z)) => {
                            let (x, y, z) = (
                                super::objects::to_big(x),
                                super::objects::to_big(y),
                                super::objects::to_big(z),
                            );
                            int_pow_mod(heap, IntRef::Big(&x), IntRef::Big(&y), IntRef::Big(&z))
                        }
                        _ => Err(type_error(
                            "pow() 3rd argument not allowed unless all arguments are integers",
                        )),
                    },
                }
            }
            B::Sorted => {
                if args.len() != 1 {
                    return Err(type_error(format!(
                        "sorted expected 1 argument, got {}",
                        args.len()
                    )));
                }
                let key = a.take("key").filter(|k| !k.is_nil());
                let reverse = a.take("reverse");
                a.name = "sort";
                a.done()?;
                let reverse = reverse.is_some_and(|r| truthy(vm.heap(), r));
                let items = self.collect(vm, args[0])?;
                let items = self.sort_values(vm, items, key, reverse)?;
                Ok(vm.heap_mut().array(items))
            }
            B::Hash => {
                let v = one(&a)?;
                let h = hash_value(vm.heap(), v)?;
                Ok(vm.heap_mut().int(h))
            }
            B::Chr => {
                let v = one(&a)?;
                let i = match as_int(vm.heap(), v) {
                    Some(IntRef::Small(i)) => i,
                    Some(IntRef::Big(_)) => {
                        return Err(exc(
                            "OverflowError",
                            "Python int too large to convert to C int",
                        ))
                    }
                    None => {
                        return Err(type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            type_name(vm.heap(), v)
                        )))
                    }
                };
                if !(0..0x110000).contains(&i) {
                    return Err(value_error("chr() arg not in range(0x110000)"));
                }
                let c = char::from_u32(i as u32).unwrap_or('\u{FFFD}');
                Ok(self.char_str(vm.heap_mut(), c))
            }
            B::Ord => {
                let v = one(&a)?;
                let heap = vm.heap_mut();
                let Some(s) = heap.as_str(v) else {
                    return Err(type_error(format!(
                        "ord() expected string of length 1, but {} found",
                        type_name(heap, v)
                    )));
                };
                let mut cs = s.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => Ok(Value::small_int(c as i64)),
                    _ => Err(type_error(format!(
                        "ord() expected a character, but string of length {} found",
                        s.chars().count()
                    ))),
                }
            }
            B::Any | B::All => {
                let v = one(&a)?;
                self.any_all(vm, v, b == B::All)
            }
            B::Input => {
                a.no_kw()?;
                check_args("input", args.len(), 0, 1)?;
                if let Some(&p) = args.first() {
                    let s = self.str(vm.heap(), p)?;
                    self.write_out(&s)?;
                }
                let _ = self.flush();
                let mut line = String::new();
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(0) | Err(_) => Err(exc("EOFError", "EOF when reading a line")),
                    Ok(_) => {
                        if line.ends_with('\n') {
                            line.pop();
                            if line.ends_with('\r') {
                                line.pop();
                            }
                        }
                        Ok(vm.heap_mut().string(line))
                    }
                }
            }
            B::Id => {
                let v = one(&a)?;
                Ok(vm.heap_mut().int((v.to_bits() & 0xFFFF_FFFF_FFFF) as i64))
            }
            B::Callable => {
                let v = one(&a)?;
                let heap = vm.heap();
                Ok(Value::bool(
                    matches!(heap.get(v), Some(Obj::Function(_)) | Some(Obj::Native(_)))
                        || heap.as_host::<super::objects::PyMethod>(v).is_some(),
                ))
            }
            B::Hex | B::Oct | B::Bin => {
                let v = one(&a)?;
                let heap = vm.heap_mut();
                let base = match b {
                    B::Hex => 16,
                    B::Oct => 8,
                    _ => 2,
                };
                match as_int(heap, v) {
                    Some(i) => {
                        let s = pyfmt::int_to_prefixed(i, base);
                        Ok(heap.string(s))
                    }
                    None => Err(type_error(format!(
                        "'{}' object cannot be interpreted as an integer",
                        type_name(heap, v)
                    ))),
                }
            }
            B::Format => {
                a.no_kw()?;
                check_args("format", args.len(), 1, 2)?;
                let spec = match args.get(1) {
                    Some(&s) => vm
                        .heap()
                        .as_str(s)
                        .ok_or_else(|| {
                            type_error(format!(
                                "format() argument 2 must be str, not {}",
                                type_name(vm.heap(), s)
                            ))
                        })?
                        .to_string(),
                    None => String::new(),
                };
                let s = self.printer(vm.heap()).format(args[0], &spec)?;
                Ok(vm.heap_mut().string(s))
            }
            B::Getattr | B::Hasattr => {
                a.no_kw()?;
                let (lo, hi) = if b == B::Getattr { (2, 3) } else { (2, 2) };
                if args.len() < lo || args.len() > hi {
                    return Err(type_error(format!(
                        "{name} expected {} arguments, got {}",
                        if b == B::Getattr { "at least 2" } else { "2" },
                        args.len()
                    )));
                }
                let Some(attr) = vm.heap().as_str(args[1]).map(str::to_string) else {
                    return Err(type_error("attribute name must be string"));
                };
                match self.get_attr(vm.heap_mut(), args[0], &attr) {
                    Ok(v) if b == B::Getattr => Ok(v),
                    Ok(_) => Ok(Value::TRUE),
                    Err(e) if e.kind == "AttributeError" => match (b, args.get(2)) {
                        (B::Hasattr, _) => Ok(Value::FALSE),
                        (_, Some(&default)) => Ok(default),
                        _ => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
            B::Setattr => {
                a.no_kw()?;
                if args.len() != 3 {
                    return Err(arg_count("setattr", 3, 3, args.len()));
                }
                let Some(attr) = vm.heap().as_str(args[1]).map(str::to_string) else {
                    return Err(type_error("attribute name must be string"));
                };
                self.set_attr(vm.heap_mut(), args[0], &attr, args[2])?;
                Ok(Value::NIL)
            }
            B::Exit | B::Quit => {
                let code = args.first().copied().unwrap_or(Value::NIL);
                let msg = if code.is_nil() {
                    String::new()
                } else {
                    self.str(vm.heap(), code)?
                };
                Err(exc("SystemExit", msg))
            }
            _ => self.construct(vm, b, a),
        }
    }

    /// `print(*args, sep=' ', end='\n', file=None, flush=False)`.
    fn print(&mut self, vm: &mut VmCore, mut a: Args<'_>) -> Result<Value, Exception> {
        let heap = vm.heap();
        let text_kw = |a: &mut Args<'_>, key: &str, default: &str| -> Result<String, Exception> {
            match a.take(key) {
                None => Ok(default.to_string()),
                Some(v) if v.is_nil() => Ok(default.to_string()),
                Some(v) => heap.as_str(v).map(str::to_string).ok_or_else(|| {
                    type_error(format!(
                        "{key} must be None or a string, not {}",
                        type_name(heap, v)
                    ))
                }),
            }
        };
        let sep = text_kw(&mut a, "sep", " ")?;
        let end = text_kw(&mut a, "end", "\n")?;
        let to_stderr = match a.take("file") {
            None => false,
            Some(f) if f.is_nil() => false,
            Some(f) => match heap.as_host::<super::objects::PyStream>(f) {
                Some(s) if s.fd != 0 => s.fd == 2,
                _ => {
                    return Err(exc(
                        "AttributeError",
                        format!("'{}' object has no attribute 'write'", type_name(heap, f)),
                    ))
                }
            },
        };
        let flush = a.take("flush");
        a.done()?;
        let mut line = String::new();
        let p = self.printer(heap);
        for (i, &v) in a.pos.iter().enumerate() {
            if i > 0 {
                line.push_str(&sep);
            }
            p.write_to(&mut line, v, false)?;
        }
        line.push_str(&end);
        if to_stderr {
            let _ = self.flush();
            let _ = std::io::stderr().write_all(line.as_bytes());
        } else {
            self.write_out(&line)?;
        }
        if flush.is_some_and(|f| truthy(vm.heap(), f)) {
            let _ = self.flush();
        }
        Ok(Value::NIL)
    }

    /// `len(v)`.
    pub fn len(&self, heap: &mut Heap, v: Value) -> Result<Value, Exception> {
        let n: i128 = match heap.get(v) {
            Some(Obj::Str(s)) => self.str_info(v, s).0 as i128,
            Some(Obj::Array(a)) => a.len() as i128,
            Some(Obj::Tuple(t)) => t.len() as i128,
            Some(Obj::Host(h)) => {
                let any = h.as_any();
                if let Some(d) = any.downcast_ref::<PyDict>() {
                    d.len() as i128
                } else if let Some(r) = any.downcast_ref::<PyRange>() {
                    r.len()
                } else if let Some(r) = any.downcast_ref::<super::range::PyLongRange>() {
                    num_traits::ToPrimitive::to_i128(&r.len()).unwrap_or(i128::MAX)
                } else if let Some(s) = any.downcast_ref::<super::set::PySet>() {
                    s.len() as i128
                } else if let Some(view) = any.downcast_ref::<super::objects::PyDictView>() {
                    heap.as_host::<PyDict>(view.dict).map_or(0, |d| d.len()) as i128
                } else {
                    return Err(no_len(heap, v));
                }
            }
            _ => return Err(no_len(heap, v)),
        };
        i64::try_from(n).map(|n| heap.int(n)).map_err(|_| {
            exc(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            )
        })
    }

    fn min_max(
        &mut self,
        vm: &mut VmCore,
        mut a: Args<'_>,
        is_max: bool,
    ) -> Result<Value, Exception> {
        let name = if is_max { "max" } else { "min" };
        let key = a.take("key").filter(|k| !k.is_nil());
        let default = a.take("default");
        a.done()?;
        let args = a.pos;
        if let (None, &[seq]) = (key, args) {
            if let Some(v) = super::plain::min_max(vm.heap(), seq, is_max) {
                return Ok(v);
            }
        }
        let items = match args.len() {
            0 => {
                return Err(type_error(format!(
                    "{name} expected at least 1 argument, got 0"
                )))
            }
            1 => self.collect(vm, args[0])?,
            _ => {
                if default.is_some() {
                    return Err(type_error(format!(
                        "Cannot specify a default for {name}() with multiple positional arguments"
                    )));
                }
                args.to_vec()
            }
        };
        if items.is_empty() {
            return default
                .ok_or_else(|| value_error(format!("{name}() arg is an empty sequence")));
        }
        let base = vm.roots().len();
        vm.roots_mut().extend_from_slice(&items);
        let keys = match key {
            Some(f) => self.keys_of(vm, f, &items),
            None => Ok(items.clone()),
        };
        let keys = match keys {
            Ok(k) => k,
            Err(e) => {
                vm.roots_mut().truncate(base);
                return Err(e);
            }
        };
        let op = if is_max { CmpOp::Gt } else { CmpOp::Lt };
        let mut best = 0;
        let mut result = Ok(());
        for i in 1..items.len() {
            match richcmp(vm.heap(), op, keys[i], keys[best]) {
                Ok(true) => best = i,
                Ok(false) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        vm.roots_mut().truncate(base);
        result.map(|()| items[best])
    }

    /// Calls `f` on each item, keeping items and keys rooted; the keys stay on `vm.roots`
    /// above the caller's entries until the caller truncates.
    fn keys_of(
        &mut self,
        vm: &mut VmCore,
        f: Value,
        items: &[Value],
    ) -> Result<Vec<Value>, Exception> {
        let base = vm.roots().len();
        vm.roots_mut().push(f);
        for &x in items {
            // SAFETY: afterwards this loop uses `f` and the keys so far (on `vm.roots`, from
            // `base`), the remaining items (our callers push `items` on `vm.roots` first)
            // and the result, which goes on `vm.roots` at once.
            match unsafe { vm.call_value(self, f, &[x]) } {
                Ok(k) => vm.roots_mut().push(k),
                Err(e) => {
                    vm.roots_mut().truncate(base);
                    return Err(e);
                }
            }
        }
        Ok(vm.roots()[base + 1..].to_vec())
    }

    /// Sorts `items` (stably) by `key` and `reverse`, as `list.sort` does.
    pub fn sort_values(
        &mut self,
        vm: &mut VmCore,
        items: Vec<Value>,
        key: Option<Value>,
        reverse: bool,
    ) -> Result<Vec<Value>, Exception> {
        let mut items = items;
        if key.is_none() && super::plain::sort(vm.heap(), &mut items, reverse) {
            return Ok(items);
        }
        let base = vm.roots().len();
        vm.roots_mut().extend_from_slice(&items);
        let keys = match key {
            Some(f) => self.keys_of(vm, f, &items),
            None => Ok(Vec::new()),
        };
        let result = keys.and_then(|keys| {
            let heap = vm.heap();
            if keys.is_empty() {
                let mut v = items;
                sort_by(&mut v, &mut |x, y| {
                    if reverse {
                        py_lt(heap, y, x)
                    } else {
                        py_lt(heap, x, y)
                    }
                })?;
                Ok(v)
            } else {
                let mut idx: Vec<usize> = (0..items.len()).collect();
                sort_by(&mut idx, &mut |i, j| {
                    if reverse {
                        py_lt(heap, keys[j], keys[i])
                    } else {
                        py_lt(heap, keys[i], keys[j])
                    }
                })?;
                Ok(idx.into_iter().map(|i| items[i]).collect())
            }
        });
        vm.roots_mut().truncate(base);
        result
    }

    fn sum(&mut self, vm: &mut VmCore, iterable: Value, start: Value) -> Result<Value, Exception> {
        if let Some(v) = super::plain::sum(vm.heap_mut(), iterable, start) {
            return Ok(v);
        }
        let it = self.iter_of(vm.heap_mut(), iterable)?;
        let base = vm.roots().len();
        vm.roots_mut().push(it);
        vm.roots_mut().push(start);
        let mut acc = start;
        let r = loop {
            match self.next(vm, it) {
                Ok(Some(x)) => {
                    match jit_core::ops::binary(vm.heap_mut(), self, BinOp::Add, acc, x) {
                        Ok(v) => {
                            acc = v;
                            vm.roots_mut()[base + 1] = v;
                        }
                        Err(e) => break Err(e),
                    }
                }
                Ok(None) => break Ok(acc),
                Err(e) => break Err(e),
            }
        };
        vm.roots_mut().truncate(base);
        r
    }

    fn any_all(&mut self, vm: &mut VmCore, v: Value, all: bool) -> Result<Value, Exception> {
        let it = self.iter_of(vm.heap_mut(), v)?;
        let base = vm.roots().len();
        vm.roots_mut().push(it);
        let r = loop {
            match self.next(vm, it) {
                Ok(Some(x)) => {
                    if truthy(vm.heap(), x) != all {
                        break Ok(Value::bool(!all));
                    }
                }
                Ok(None) => break Ok(Value::bool(all)),
                Err(e) => break Err(e),
            }
        };
        vm.roots_mut().truncate(base);
        r
    }

    /// Calls a type: `int(x)`, `list(it)`, `range(n)`, `enumerate(xs)`, ...
    fn construct(&mut self, vm: &mut VmCore, b: B, mut a: Args<'_>) -> Result<Value, Exception> {
        let args = a.pos;
        let name = b.name();
        match b {
            B::Int => {
                let x = a.get(0, "x")?;
                let base = a.get(1, "base")?;
                a.done()?;
                if args.len() > 2 {
                    return Err(type_error(format!(
                        "int() takes at most 2 arguments ({} given)",
                        args.len()
                    )));
                }
                let heap = vm.heap_mut();
                let Some(x) = x else {
                    return if base.is_some() {
                        Err(type_error("int() missing string argument"))
                    } else {
                        Ok(Value::small_int(0))
                    };
                };
                if let Some(base) = base {
                    let base = small_index(heap, base)?;
                    let s = heap.as_str(x).ok_or_else(|| {
                        type_error("int() can't convert non-string with explicit base")
                    })?;
                    let v = pyfmt::int_from_str(s, base).map_err(from_fmt)?;
                    return Ok(int_value(heap, v));
                }
                if let Some(f) = x.as_float() {
                    return super::numbers::float_to_int(heap, f);
                }
                if let Some(i) = as_int(heap, x) {
                    return Ok(match i {
                        IntRef::Small(i) => heap.int(i),
                        IntRef::Big(_) => x,
                    });
                }
                if let Some(s) = heap.as_str(x) {
                    let v = pyfmt::int_from_str(s, 10).map_err(from_fmt)?;
                    return Ok(int_value(heap, v));
                }
                Err(type_error(format!(
                    "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                    type_name(heap, x)
                )))
            }
            B::Float => {
                a.no_kw()?;
                check_args("float", args.len(), 0, 1)?;
                let heap = vm.heap();
                let Some(&x) = args.first() else {
                    return Ok(Value::float(0.0));
                };
                if let Some(r) = to_f64(heap, x) {
                    return r.map(Value::float);
                }
                if let Some(s) = heap.as_str(x) {
                    return pyfmt::float_from_str(s).map(Value::float).map_err(from_fmt);
                }
                Err(type_error(format!(
                    "float() argument must be a string or a real number, not '{}'",
                    type_name(heap, x)
                )))
            }
            B::Str => {
                let x = a.get(0, "object")?;
                a.done()?;
                check_args("str", args.len(), 0, 1)?;
                match x {
                    None => Ok(vm.heap_mut().str("")),
                    Some(x) if vm.heap().as_str(x).is_some() => Ok(x),
                    Some(x) => {
                        let s = self.str(vm.heap(), x)?;
                        Ok(vm.heap_mut().string(s))
                    }
                }
            }
            B::Bool => {
                a.no_kw()?;
                check_args("bool", args.len(), 0, 1)?;
                Ok(Value::bool(
                    args.first().is_some_and(|&x| truthy(vm.heap(), x)),
                ))
            }
            B::List => {
                a.no_kw()?;
                check_args("list", args.len(), 0, 1)?;
                let items = match args.first() {
                    Some(&x) => self.collect(vm, x)?,
                    None => Vec::new(),
                };
                Ok(vm.heap_mut().array(items))
            }
            B::Set | B::Frozenset => {
                a.no_kw()?;
                check_args(name, args.len(), 0, 1)?;
                self.set_from(vm, args.first().copied(), b == B::Frozenset)
            }
            B::Tuple => {
                a.no_kw()?;
                check_args("tuple", args.len(), 0, 1)?;
                match args.first() {
                    Some(&x) if vm.heap().as_tuple(x).is_some() => Ok(x),
                    Some(&x) => {
                        let items = self.collect(vm, x)?;
                        Ok(vm.heap_mut().tuple(items))
                    }
                    None => Ok(vm.heap_mut().tuple(Vec::new())),
                }
            }
            B::Dict => {
                check_args("dict", args.len(), 0, 1)?;
                let d = host(vm.heap_mut(), PyDict::new());
                let base = vm.roots().len();
                vm.roots_mut().push(d);
                let r = match args.first() {
                    Some(&src) => self.dict_update(vm, d, src),
                    None => Ok(()),
                };
                let r = r.and_then(|()| {
                    for (k, v) in std::mem::take(&mut a.kw) {
                        let key = vm.heap_mut().str(&k);
                        if let Some(dict) = super::objects::as_dict(vm.heap(), d) {
                            dict.insert(vm.heap(), key, v)?;
                        }
                    }
                    Ok(())
                });
                vm.roots_mut().truncate(base);
                r.map(|()| d)
            }
            B::Range => {
                a.no_kw()?;
                let heap = vm.heap_mut();
                let all_small = args
                    .iter()
                    .all(|&v| matches!(as_int(heap, v), Some(IntRef::Small(_))));
                if !all_small && (1..=3).contains(&args.len()) {
                    // Some bound past `i64` (or not an int: the same TypeError).
                    let mut big = Vec::with_capacity(3);
                    for &v in args {
                        big.push(super::range::range_arg(heap, v)?);
                    }
                    let step = if big.len() == 3 {
                        big.pop().unwrap_or_default()
                    } else {
                        num_traits::One::one()
                    };
                    let stop = big.pop().unwrap_or_default();
                    let start = big.pop().unwrap_or_default();
                    if num_traits::Zero::is_zero(&step) {
                        return Err(value_error("range() arg 3 must not be zero"));
                    }
                    return Ok(super::range::new_range(heap, start, stop, step));
                }
                let (start, stop, step) = match args.len() {
                    0 => return Err(type_error("range expected at least 1 argument, got 0")),
                    1 => (0, small_index(heap, args[0])?, 1),
                    2 => (small_index(heap, args[0])?, small_index(heap, args[1])?, 1),
                    3 => (
                        small_index(heap, args[0])?,
                        small_index(heap, args[1])?,
                        small_index(heap, args[2])?,
                    ),
                    n => {
                        return Err(type_error(format!(
                            "range expected at most 3 arguments, got {n}"
                        )))
                    }
                };
                if step == 0 {
                    return Err(value_error("range() arg 3 must not be zero"));
                }
                Ok(host(heap, PyRange { start, stop, step }))
            }
            B::Type => {
                a.no_kw()?;
                if args.len() != 1 {
                    return Err(type_error("type() takes 1 or 3 arguments"));
                }
                let t = type_of(vm.heap(), args[0]);
                Ok(self.native(vm.heap_mut(), t))
            }
            B::Enumerate => {
                let it = a.get(0, "iterable")?.ok_or_else(|| {
                    type_error("enumerate() missing required argument 'iterable' (pos 1)")
                })?;
                let start = a.get(1, "start")?.unwrap_or(Value::small_int(0));
                a.done()?;
                if as_int(vm.heap(), start).is_none() {
                    return Err(type_error(format!(
                        "'{}' object cannot be interpreted as an integer",
                        type_name(vm.heap(), start)
                    )));
                }
                let it = self.iter_of(vm.heap_mut(), it)?;
                Ok(host(
                    vm.heap_mut(),
                    PyIter(IterKind::Enumerate {
                        it,
                        count: Cell::new(start),
                    }),
                ))
            }
            B::Zip => {
                let _ = a.take("strict");
                a.done()?;
                let mut its = Vec::with_capacity(args.len());
                for &x in args {
                    its.push(self.iter_of(vm.heap_mut(), x)?);
                }
                Ok(host(
                    vm.heap_mut(),
                    PyIter(IterKind::Zip { its: its.into() }),
                ))
            }
            B::Reversed => {
                a.no_kw()?;
                check_args("reversed", args.len(), 1, 1)?;
                self.reversed_of(vm.heap_mut(), args[0])
            }
            B::Map => {
                a.no_kw()?;
                if args.len() < 2 {
                    return Err(type_error("map() must have at least two arguments."));
                }
                let mut its = Vec::with_capacity(args.len() - 1);
                for &x in &args[1..] {
                    its.push(self.iter_of(vm.heap_mut(), x)?);
                }
                Ok(host(
                    vm.heap_mut(),
                    PyIter(IterKind::Map {
                        f: args[0],
                        its: its.into(),
                    }),
                ))
            }
            B::Filter => {
                a.no_kw()?;
                if args.len() != 2 {
                    return Err(arg_count("filter", 2, 2, args.len()));
                }
                let it = self.iter_of(vm.heap_mut(), args[1])?;
                Ok(host(
                    vm.heap_mut(),
                    PyIter(IterKind::Filter { f: args[0], it }),
                ))
            }
            B::Slice => {
                a.no_kw()?;
                check_args("slice", args.len(), 1, 3)?;
                let (start, stop, step) = match *args {
                    [stop] => (Value::NIL, stop, Value::NIL),
                    [start, stop] => (start, stop, Value::NIL),
                    [start, stop, step] => (start, stop, step),
                    _ => (Value::NIL, Value::NIL, Value::NIL),
                };
                Ok(vm
                    .heap_mut()
                    .alloc(Obj::Slice(PySlice { start, stop, step })))
            }
            _ => Err(type_error(format!("cannot create '{name}' instances"))),
        }
    }

    /// `sys.stdin.name(...)`, `sys.stdout.write(s)`, ...
    pub fn stream_method(
        &mut self,
        vm: &mut VmCore,
        fd: u8,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Exception> {
        let heap = vm.heap_mut();
        match (fd, name) {
            (1 | 2, "write") => {
                check_args("write", args.len(), 1, 1)?;
                let s = heap.as_str(args[0]).ok_or_else(|| {
                    type_error(format!(
                        "write() argument must be str, not {}",
                        type_name(heap, args[0])
                    ))
                })?;
                let n = s.chars().count();
                if fd == 1 {
                    let s = s.to_string();
                    self.write_out(&s)?;
                } else {
                    let _ = self.flush();
                    let _ = std::io::stderr().write_all(s.as_bytes());
                }
                Ok(heap.int(n as i64))
            }
            (_, "flush") => {
                if fd == 1 {
                    let _ = self.flush();
                }
                Ok(Value::NIL)
            }
            (0, "readline") => {
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
                Ok(heap.string(line))
            }
            (0, "read") => {
                let mut all = String::new();
                let _ = std::io::stdin().lock().read_to_string(&mut all);
                Ok(heap.string(all))
            }
            (0, "readlines") => {
                let mut all = String::new();
                let _ = std::io::stdin().lock().read_to_string(&mut all);
                let lines: Vec<Value> = all.split_inclusive('\n').map(|l| heap.str(l)).collect();
                Ok(heap.array(lines))
            }
            _ => Err(exc(
                "AttributeError",
                format!("'_io.TextIOWrapper' object has no attribute '{name}'"),
            )),
        }
    }

    /// `d.update(src)` / `dict(src)`: a mapping or an iterable of pairs.
    pub fn dict_update(&mut self, vm: &mut VmCore, d: Value, src: Value) -> Result<(), Exception> {
        if let Some(other) = super::objects::as_dict(vm.heap(), src) {
            let items = other.items();
            if let Some(dict) = super::objects::as_dict(vm.heap(), d) {
                for (k, v) in items {
                    dict.insert(vm.heap(), k, v)?;
                }
            }
            return Ok(());
        }
        let items = self.collect(vm, src)?;
        let base = vm.roots().len();
        vm.roots_mut().extend_from_slice(&items);
        let mut r = Ok(());
        for (i, &item) in items.iter().enumerate() {
            let pair = match super::objects::seq_items(vm.heap(), item) {
                Some(p) => p,
                None if vm.heap().as_str(item).is_some()
                    || super::objects::as_dict(vm.heap(), item).is_some() =>
                {
                    match self.collect(vm, item) {
                        Ok(p) => p,
                        Err(e) => {
                            r = Err(e);
                            break;
                        }
                    }
                }
                None => {
                    r = Err(type_error(format!(
                        "cannot convert dictionary update sequence element #{i} to a sequence"
                    )));
                    break;
                }
            };
            if pair.len() != 2 {
                r = Err(value_error(format!(
                    "dictionary update sequence element #{i} has length {}; 2 is required",
                    pair.len()
                )));
                break;
            }
            if let Some(dict) = super::objects::as_dict(vm.heap(), d) {
                if let Err(e) = dict.insert(vm.heap(), pair[0], pair[1]) {
                    r = Err(e);
                    break;
                }
            }
        }
        vm.roots_mut().truncate(base);
        r
    }
}

/// The common calls answered without the general argument handling: `len` of a list or
/// tuple, `float`/`int`/`abs` of a number, `isinstance` with one type. `None` when the
/// general path must run.
#[inline]
pub fn fast_call(heap: &mut Heap, b: B, args: &[Value]) -> Option<Result<Value, Exception>> {
    match (b, args) {
        (B::Len, &[v]) => match heap.get(v)? {
            Obj::Array(a) => Some(Ok(Value::small_int(a.len() as i64))),
            Obj::Tuple(t) => Some(Ok(Value::small_int(t.len() as i64))),
            _ => None,
        },
        (B::Float, &[v]) => {
            if v.is_float() {
                Some(Ok(v))
            } else {
                v.as_small_int().map(|i| Ok(Value::float(i as f64)))
            }
        }
        (B::Int, &[v]) => {
            if v.is_small_int() {
                Some(Ok(v))
            } else {
                let f = v.as_float()?;
                (f.is_finite() && f.abs() < 1e15).then(|| Ok(heap.int(f.trunc() as i64)))
            }
        }
        (B::Abs, &[v]) => {
            if let Some(f) = v.as_float() {
                Some(Ok(Value::float(f.abs())))
            } else {
                v.as_small_int().map(|i| Ok(heap.int(i.abs())))
            }
        }
        (B::Isinstance, &[v, t]) => {
            let ty = as_type(heap, t)?;
            Some(Ok(Value::bool(isinstance(heap, v, ty))))
        }
        _ => None,
    }
}

fn no_len(heap: &Heap, v: Value) -> Exception {
    type_error(format!(
        "object of type '{}' has no len()",
        type_name(heap, v)
    ))
}

fn isinstance_of(heap: &Heap, v: Value, t: Value, depth: usize) -> Result<bool, Exception> {
    if let Some(ty) = as_type(heap, t) {
        return Ok(isinstance(heap, v, ty));
    }
    if let Some(items) = heap.as_tuple(t) {
        if depth > super::compare::MAX_DEPTH {
            return Err(super::errors::recursion_error(" in __instancecheck__"));
        }
        for &x in items {
            if isinstance_of(heap, v, x, depth + 1)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    Err(type_error(
        "isinstance() arg 2 must be a type, a tuple of types, or a union",
    ))
}

/// `round(x, nd)`.
fn round(heap: &mut Heap, x: Value, nd: Option<Value>) -> Result<Value, Exception> {
    let nd = match nd {
        Some(v) => Some(match as_int(heap, v) {
            Some(IntRef::Small(i)) => i,
            Some(IntRef::Big(b)) => {
                if b.sign() == num_bigint::Sign::Minus {
                    i64::MIN
                } else {
                    i64::MAX
                }
            }
            None => {
                return Err(type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(heap, v)
                )))
            }
        }),
        None => None,
    };
    if let Some(f) = x.as_float() {
        return match nd {
            None => {
                let b = pyfmt::round_float_to_int(f).map_err(from_fmt)?;
                Ok(int_value(heap, b))
            }
            Some(n) => pyfmt::round_float(f, Some(n))
                .map(Value::float)
                .map_err(from_fmt),
        };
    }
    if let Some(i) = as_int(heap, x) {
        return Ok(match nd {
            Some(n) if n < 0 => {
                let b = pyfmt::round_int(&super::objects::to_big(i), n);
                int_value(heap, b)
            }
            _ => match i {
                IntRef::Small(v) => heap.int(v),
                IntRef::Big(_) => x,
            },
        });
    }
    Err(type_error(format!(
        "type {} doesn't define __round__ method",
        type_name(heap, x)
    )))
}

/// `divmod(a, b)`.
fn divmod(heap: &mut Heap, a: Value, b: Value) -> Result<Value, Exception> {
    if let (Some(x), Some(y)) = (as_int(heap, a), as_int(heap, b)) {
        let (x, y) = (super::objects::to_big(x), super::objects::to_big(y));
        let (q, r) = int_divmod(heap, IntRef::Big(&x), IntRef::Big(&y))?;
        return Ok(heap.tuple_of(&[q, r]));
    }
    if let (Some(x), Some(y)) = (to_f64(heap, a), to_f64(heap, b)) {
        let (q, r) = float_divmod(x?, y?)?;
        return Ok(heap.tuple_of(&[Value::float(q), Value::float(r)]));
    }
    Err(type_error(format!(
        "unsupported operand type(s) for divmod(): '{}' and '{}'",
        type_name(heap, a),
        type_name(heap, b)
    )))
}

/// A number argument of a `math` function as an `f64`.
pub fn real_arg(heap: &Heap, v: Value) -> Result<f64, Exception> {
    if let Some(f) = v.as_float() {
        return Ok(f);
    }
    match as_int(heap, v) {
        Some(i) => int_to_f64(i),
        None => Err(type_error(format!(
            "must be real number, not {}",
            type_name(heap, v)
        ))),
    }
}
