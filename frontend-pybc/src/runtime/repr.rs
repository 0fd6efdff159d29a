//! `str()`, `repr()` and `format()` of every value, exactly as CPython prints them:
//! nested containers, self-containing lists (`[[...]]`), functions, builtins, types,
//! exceptions, dict views and iterators.

use std::fmt::Write as _;

use jit_core::heap::{Heap, Obj};
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::compare::MAX_DEPTH;
use super::dict::PyDict;
use super::errors::{from_fmt, recursion_error, type_error};
use super::numbers::int_str;
use super::objects::{
    as_int, type_name, DictPart, PyDictView, PyExc, PyIter, PyMethod, PyModule, PyRange, B,
};
use crate::pyfmt::{self, IntRef};

/// What printing needs besides the heap: the names of the code objects (for functions).
#[derive(Clone, Copy)]
pub struct Printer<'a> {
    /// The heap.
    pub heap: &'a Heap,
    /// `names[code_id]` is the printed name of a function running that code.
    pub names: &'a [String],
}

/// The `0x...` address CPython shows for an object.
pub fn address(v: Value) -> String {
    format!("0x{:x}", v.to_bits() & 0xFFFF_FFFF_FFFF)
}

impl Printer<'_> {
    /// `repr(v)`.
    pub fn repr(&self, v: Value) -> Result<String, Exception> {
        let mut out = String::new();
        let mut open = Vec::new();
        self.write(&mut out, v, true, &mut open)?;
        Ok(out)
    }

    /// `str(v)`.
    pub fn str(&self, v: Value) -> Result<String, Exception> {
        if let Some(s) = self.heap.as_str(v) {
            return Ok(s.to_string());
        }
        let mut out = String::new();
        let mut open = Vec::new();
        self.write(&mut out, v, false, &mut open)?;
        Ok(out)
    }

    /// Appends `str(v)` (`repr` when `repr` is set) to `out`.
    pub fn write_to(&self, out: &mut String, v: Value, repr: bool) -> Result<(), Exception> {
        let mut open = Vec::new();
        self.write(out, v, repr, &mut open)
    }

    fn write(
        &self,
        out: &mut String,
        v: Value,
        repr: bool,
        open: &mut Vec<Value>,
    ) -> Result<(), Exception> {
        let heap = self.heap;
        if let Some(f) = v.as_float() {
            out.push_str(&pyfmt::float_repr(f));
            return Ok(());
        }
        if let Some(i) = v.as_small_int() {
            let _ = write!(out, "{i}");
            return Ok(());
        }
        if let Some(b) = v.as_bool() {
            out.push_str(if b { "True" } else { "False" });
            return Ok(());
        }
        if v.is_nil() || v.is_empty() {
            out.push_str("None");
            return Ok(());
        }
        if open.len() > MAX_DEPTH {
            return Err(recursion_error(" while getting the repr of an object"));
        }
        let Some(obj) = heap.get(v) else {
            out.push_str("None");
            return Ok(());
        };
        match obj {
            Obj::Str(s) => {
                if repr {
                    out.push_str(&pyfmt::str_repr(s));
                } else {
                    out.push_str(s);
                }
            }
            Obj::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Obj::Array(a) => {
                if open.contains(&v) {
                    out.push_str("[...]");
                    return Ok(());
                }
                open.push(v);
                out.push('[');
                let mut i = 0;
                while let Some(x) = a.get(i) {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, x, true, open)?;
                    i += 1;
                }
                out.push(']');
                open.pop();
            }
            Obj::Tuple(items) => {
                open.push(v);
                out.push('(');
                for (i, &x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, x, true, open)?;
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
                open.pop();
            }
            Obj::Function(f) => {
                let name = self.names.get(f.code as usize).map_or("?", |s| s.as_str());
                let _ = write!(out, "<function {name} at {}>", address(v));
            }
            Obj::Native(n) => match B::from_id(n.id) {
                Some(b) if b.is_type() => {
                    let _ = write!(out, "<class '{}'>", b.name());
                }
                _ => {
                    let _ = write!(out, "<built-in function {}>", n.name);
                }
            },
            Obj::Cell(c) => {
                let _ = write!(
                    out,
                    "<cell at {}: {} object at {}>",
                    address(v),
                    type_name(heap, c.get()),
                    address(c.get())
                );
            }
            Obj::RangeIter(_) | Obj::SeqIter(_) => {
                let _ = write!(out, "<{} object at {}>", type_name(heap, v), address(v));
            }
            Obj::Slice(s) => {
                let (start, stop, step) = (s.start, s.stop, s.step);
                out.push_str("slice(");
                self.write(out, start, true, open)?;
                out.push_str(", ");
                self.write(out, stop, true, open)?;
                out.push_str(", ");
                self.write(out, step, true, open)?;
                out.push(')');
            }
            Obj::Host(h) => {
                let any = h.as_any();
                if let Some(i) = as_int(heap, v) {
                    out.push_str(&int_str(i)?);
                } else if let Some(d) = any.downcast_ref::<PyDict>() {
                    if open.contains(&v) {
                        out.push_str("{...}");
                        return Ok(());
                    }
                    open.push(v);
                    out.push('{');
                    for (i, (k, x)) in d.items().into_iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.write(out, k, true, open)?;
                        out.push_str(": ");
                        self.write(out, x, true, open)?;
                    }
                    out.push('}');
                    open.pop();
                } else if let Some(s) = any.downcast_ref::<super::set::PySet>() {
                    let items = s.items();
                    let name = if s.frozen { "frozenset" } else { "set" };
                    if items.is_empty() {
                        out.push_str(name);
                        out.push_str("()");
                        return Ok(());
                    }
                    open.push(v);
                    if s.frozen {
                        out.push_str("frozenset(");
                    }
                    out.push('{');
                    for (i, x) in items.into_iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.write(out, x, true, open)?;
                    }
                    out.push('}');
                    if s.frozen {
                        out.push(')');
                    }
                    open.pop();
                } else if let Some(r) = any.downcast_ref::<super::range::PyLongRange>() {
                    out.push_str(&super::range::repr(r));
                } else if let Some(r) = any.downcast_ref::<PyRange>() {
                    if r.step == 1 {
                        let _ = write!(out, "range({}, {})", r.start, r.stop);
                    } else {
                        let _ = write!(out, "range({}, {}, {})", r.start, r.stop, r.step);
                    }
                } else if let Some(st) = any.downcast_ref::<super::objects::PyStream>() {
                    let (name, mode) = match st.fd {
                        0 => ("<stdin>", "r"),
                        1 => ("<stdout>", "w"),
                        _ => ("<stderr>", "w"),
                    };
                    let _ = write!(
                        out,
                        "<_io.TextIOWrapper name='{name}' mode='{mode}' encoding='utf-8'>"
                    );
                } else if let Some(m) = any.downcast_ref::<PyModule>() {
                    let _ = write!(out, "<module '{}' (built-in)>", m.name);
                } else if let Some(m) = any.downcast_ref::<PyMethod>() {
                    match m.unbound {
                        Some(t) => {
                            let _ = write!(out, "<method '{}' of '{}' objects>", m.name, t.name());
                        }
                        None => {
                            let _ = write!(
                                out,
                                "<built-in method {} of {} object at {}>",
                                m.name,
                                type_name(heap, m.obj),
                                address(m.obj)
                            );
                        }
                    }
                } else if let Some(e) = any.downcast_ref::<PyExc>() {
                    if repr {
                        out.push_str(e.ty.name());
                        out.push('(');
                        for (i, &a) in e.args.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            self.write(out, a, true, open)?;
                        }
                        out.push(')');
                    } else {
                        out.push_str(&self.exc_message(e)?);
                    }
                } else if let Some(view) = any.downcast_ref::<PyDictView>() {
                    let _ = write!(out, "{}([", type_name(heap, v));
                    if let Some(d) = heap.as_host::<PyDict>(view.dict) {
                        if open.contains(&view.dict) {
                            out.push_str("...");
                        } else {
                            open.push(view.dict);
                            for (i, (k, x)) in d.items().into_iter().enumerate() {
                                if i > 0 {
                                    out.push_str(", ");
                                }
                                match view.part {
                                    DictPart::Keys => self.write(out, k, true, open)?,
                                    DictPart::Values => self.write(out, x, true, open)?,
                                    DictPart::Items => {
                                        out.push('(');
                                        self.write(out, k, true, open)?;
                                        out.push_str(", ");
                                        self.write(out, x, true, open)?;
                                        out.push(')');
                                    }
                                }
                            }
                            open.pop();
                        }
                    }
                    out.push_str("])");
                } else if any.is::<PyIter>() {
                    let _ = write!(out, "<{} object at {}>", type_name(heap, v), address(v));
                } else {
                    let _ = write!(out, "<{} object at {}>", h.type_name(), address(v));
                }
            }
        }
        Ok(())
    }

    /// `str(e)` for an exception: empty without arguments, `str(arg)` for one (`repr(arg)`
    /// for `KeyError`), the tuple's repr otherwise.
    pub fn exc_message(&self, e: &PyExc) -> Result<String, Exception> {
        match e.args.len() {
            0 => Ok(String::new()),
            1 if e.ty == B::KeyError => self.repr(e.args[0]),
            1 => self.str(e.args[0]),
            _ => {
                let mut out = String::from("(");
                for (i, &a) in e.args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_to(&mut out, a, true)?;
                }
                out.push(')');
                Ok(out)
            }
        }
    }

    /// `format(v, spec)`.
    pub fn format(&self, v: Value, spec: &str) -> Result<String, Exception> {
        let heap = self.heap;
        if let Some(f) = v.as_float() {
            return pyfmt::format_float(f, spec).map_err(from_fmt);
        }
        if let Some(b) = v.as_bool() {
            if spec.is_empty() {
                return Ok(if b { "True" } else { "False" }.to_string());
            }
            return pyfmt::format_int_typed(IntRef::Small(i64::from(b)), spec, "bool")
                .map_err(from_fmt);
        }
        if let Some(i) = as_int(heap, v) {
            return pyfmt::format_int_typed(i, spec, "int").map_err(from_fmt);
        }
        if let Some(s) = heap.as_str(v) {
            return pyfmt::format_str(s, spec).map_err(from_fmt);
        }
        if spec.is_empty() {
            return self.str(v);
        }
        Err(type_error(format!(
            "unsupported format string passed to {}.__format__",
            type_name(heap, v)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::objects::{host, int_value};
    use num_bigint::BigInt;

    fn repr(heap: &Heap, v: Value) -> String {
        Printer { heap, names: &[] }.repr(v).unwrap()
    }

    // Expected strings printed by CPython 3.11.
    #[test]
    fn containers_print_like_cpython() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let mut heap = unsafe { Heap::new() };
        let a = heap.str("a");
        let list = heap.array(vec![
            Value::small_int(1),
            a,
            Value::float(2.5),
            Value::NIL,
            Value::TRUE,
        ]);
        assert_eq!(repr(&heap, list), "[1, 'a', 2.5, None, True]");
        let one = heap.tuple_of(&[Value::small_int(1)]);
        assert_eq!(repr(&heap, one), "(1,)");
        let empty = heap.tuple_of(&[]);
        assert_eq!(repr(&heap, empty), "()");
        let d = host(&mut heap, PyDict::new());
        assert_eq!(repr(&heap, d), "{}");
        let b = heap.str("b");
        let inner = heap.array(vec![
            Value::small_int(1),
            Value::float(2.5),
            Value::NIL,
            Value::TRUE,
        ]);
        let dict = heap.as_host::<PyDict>(d).unwrap();
        dict.insert(&heap, Value::small_int(1), a).unwrap();
        dict.insert(&heap, b, inner).unwrap();
        assert_eq!(repr(&heap, d), "{1: 'a', 'b': [1, 2.5, None, True]}");
        // A list containing itself, and a tuple holding it.
        let x = heap.array(vec![Value::small_int(1)]);
        heap.as_array(x).unwrap().push(x);
        assert_eq!(repr(&heap, x), "[1, [...]]");
        let t = heap.tuple_of(&[x]);
        assert_eq!(repr(&heap, t), "([1, [...]],)");
        let big = int_value(&mut heap, BigInt::from(10).pow(20));
        assert_eq!(repr(&heap, big), "100000000000000000000");
        let f = Value::float(1e16);
        assert_eq!(repr(&heap, f), "1e+16");
        let q = heap.str("it's");
        assert_eq!(repr(&heap, q), "\"it's\"");
    }

    #[test]
    fn format_specs() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let heap = unsafe { Heap::new() };
        let p = Printer {
            heap: &heap,
            names: &[],
        };
        assert_eq!(p.format(Value::float(1.23456), ".3f").unwrap(), "1.235");
        assert_eq!(p.format(Value::small_int(42), ">10").unwrap(), "        42");
        assert_eq!(
            p.format(Value::small_int(1234567), ",").unwrap(),
            "1,234,567"
        );
        assert_eq!(p.format(Value::TRUE, ">5").unwrap(), "    1");
        assert_eq!(p.format(Value::TRUE, "").unwrap(), "True");
        let e = p.format(Value::NIL, ">5").unwrap_err();
        assert_eq!(
            e.message,
            "unsupported format string passed to NoneType.__format__"
        );
    }
}
