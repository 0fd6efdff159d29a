//! Tiny's runtime semantics: the [`Semantics`] implementation (slow paths, builtins,
//! errors worded as the language defines them) and value printing.

use std::io::Write;
use std::time::Instant;

use jit_core::bytecode::{BinOp, CmpOp, Code, UnOp};
use jit_core::heap::{Heap, Obj};
use jit_core::interp::VmCore;
use jit_core::semantics::{Exception, Overflow, Semantics};
use jit_core::value::{Tag, Value};

use crate::ast::Builtin;

/// How deep guest calls may nest: the 10,000th nested call runs, the 10,001st fails.
pub const MAX_CALL_DEPTH: usize = 10_000;

/// The Tiny language's semantics, writing program output to `out`.
pub struct TinySemantics {
    out: Box<dyn Write>,
    args: Vec<String>,
    start: Instant,
    code_names: Vec<String>,
    /// Set when writing to `out` failed (e.g. a closed pipe); the run stops with an error.
    pub io_error: Option<std::io::Error>,
}

impl TinySemantics {
    /// Semantics that print to `out` and see `args` as the command-line arguments.
    /// `code_names[i]` is the name of code object `i`, for printing function values.
    pub fn new(out: Box<dyn Write>, args: Vec<String>, code_names: Vec<String>) -> TinySemantics {
        TinySemantics {
            out,
            args,
            start: Instant::now(),
            code_names,
            io_error: None,
        }
    }

    /// Flushes buffered program output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Tiny's name for the type of `v`.
pub fn type_name(heap: &Heap, v: Value) -> &'static str {
    match v.tag() {
        Tag::Float => "float",
        Tag::SmallInt => "int",
        Tag::Nil | Tag::Empty => "nil",
        Tag::Bool => "bool",
        Tag::Object => match heap.get(v) {
            Some(Obj::Str(_)) => "string",
            Some(Obj::Array(_)) => "array",
            Some(Obj::Int(_)) => "int",
            Some(Obj::Function(_)) | Some(Obj::Native(_)) => "function",
            _ => "nil",
        },
    }
}

fn err(msg: impl Into<String>) -> Exception {
    Exception::msg(msg)
}

fn unsupported(heap: &Heap, op: &str, a: Value, b: Value) -> Exception {
    err(format!(
        "unsupported operand types for {}: {} and {}",
        op,
        type_name(heap, a),
        type_name(heap, b)
    ))
}

/// A number as `f64`: ints (inline or boxed) convert, floats pass through.
fn as_f64(heap: &Heap, v: Value) -> Option<f64> {
    v.as_float().or_else(|| heap.as_i64(v).map(|i| i as f64))
}

fn is_number(heap: &Heap, v: Value) -> bool {
    v.is_float() || heap.is_int(v)
}

/// Tiny's spelling of a binary operator (the core has several kinds for `/` and `%`).
fn op_symbol(op: BinOp) -> &'static str {
    op.symbol()
}

/// Appends the printed form of `v` to `out`. Strings print raw at the top level and
/// quoted inside arrays; an array inside itself prints as `[...]`. Iterative, so deeply
/// nested arrays cannot overflow the Rust stack.
pub fn format_value(heap: &Heap, code_names: &[String], v: Value, out: &mut String) {
    enum Work {
        Value(Value, bool),
        Text(&'static str),
        Leave,
    }
    let mut work = vec![Work::Value(v, false)];
    let mut open: Vec<Value> = Vec::new();
    while let Some(w) = work.pop() {
        match w {
            Work::Text(t) => out.push_str(t),
            Work::Leave => {
                open.pop();
            }
            Work::Value(v, quoted) => match v.tag() {
                Tag::Float => {
                    use std::fmt::Write as _;
                    let _ = write!(out, "{:?}", v.float_unchecked());
                }
                Tag::SmallInt => {
                    use std::fmt::Write as _;
                    let _ = write!(out, "{}", v.small_int_unchecked());
                }
                Tag::Nil | Tag::Empty => out.push_str("nil"),
                Tag::Bool => out.push_str(if v == Value::TRUE { "true" } else { "false" }),
                Tag::Object => match heap.get(v) {
                    Some(Obj::Str(s)) => {
                        if quoted {
                            out.push('"');
                            for c in s.chars() {
                                match c {
                                    '\n' => out.push_str("\\n"),
                                    '\t' => out.push_str("\\t"),
                                    '"' => out.push_str("\\\""),
                                    '\\' => out.push_str("\\\\"),
                                    c => out.push(c),
                                }
                            }
                            out.push('"');
                        } else {
                            out.push_str(s);
                        }
                    }
                    Some(Obj::Int(i)) => {
                        use std::fmt::Write as _;
                        let _ = write!(out, "{i}");
                    }
                    Some(Obj::Array(a)) => {
                        if open.contains(&v) {
                            out.push_str("[...]");
                            continue;
                        }
                        open.push(v);
                        out.push('[');
                        work.push(Work::Leave);
                        work.push(Work::Text("]"));
                        let items = a.to_vec();
                        for (i, item) in items.iter().enumerate().rev() {
                            work.push(Work::Value(*item, true));
                            if i > 0 {
                                work.push(Work::Text(", "));
                            }
                        }
                    }
                    Some(Obj::Function(f)) => {
                        out.push_str("<fn ");
                        out.push_str(code_names.get(f.code as usize).map_or("?", |s| s.as_str()));
                        out.push('>');
                    }
                    Some(Obj::Native(n)) => {
                        out.push_str("<builtin ");
                        out.push_str(&n.name);
                        out.push('>');
                    }
                    _ => out.push_str("nil"),
                },
            },
        }
    }
}

impl TinySemantics {
    fn display(&self, heap: &Heap, v: Value) -> String {
        let mut s = String::new();
        format_value(heap, &self.code_names, v, &mut s);
        s
    }

    fn arity(&self, b: Builtin, args: &[Value]) -> Result<(), Exception> {
        match b.arity() {
            Some(k) if k as usize != args.len() => Err(err(format!(
                "wrong number of arguments: {} expects {}, got {}",
                b.name(),
                k,
                args.len()
            ))),
            _ => Ok(()),
        }
    }

    fn builtin(&mut self, heap: &mut Heap, b: Builtin, args: &[Value]) -> Result<Value, Exception> {
        self.arity(b, args)?;
        match b {
            Builtin::Print => {
                let mut line = String::new();
                for (i, &a) in args.iter().enumerate() {
                    if i > 0 {
                        line.push(' ');
                    }
                    format_value(heap, &self.code_names, a, &mut line);
                }
                line.push('\n');
                if let Err(e) = self.out.write_all(line.as_bytes()) {
                    let msg = format!("cannot write output: {e}");
                    self.io_error = Some(e);
                    return Err(err(msg));
                }
                Ok(Value::NIL)
            }
            Builtin::Len => {
                let v = args[0];
                if let Some(s) = heap.as_str(v) {
                    let n = s.len() as i64;
                    return Ok(heap.int(n));
                }
                if let Some(a) = heap.as_array(v) {
                    let n = a.len() as i64;
                    return Ok(heap.int(n));
                }
                Err(err(format!(
                    "len() expects a string or an array, not {}",
                    type_name(heap, v)
                )))
            }
            Builtin::Push => match heap.as_array(args[0]) {
                Some(a) => {
                    a.push(args[1]);
                    Ok(Value::NIL)
                }
                None => Err(err(format!(
                    "push() expects an array, not {}",
                    type_name(heap, args[0])
                ))),
            },
            Builtin::Pop => match heap.as_array(args[0]) {
                Some(a) => a.pop().ok_or_else(|| err("pop from an empty array")),
                None => Err(err(format!(
                    "pop() expects an array, not {}",
                    type_name(heap, args[0])
                ))),
            },
            Builtin::Str => {
                let v = args[0];
                if heap.as_str(v).is_some() {
                    return Ok(v);
                }
                let s = self.display(heap, v);
                Ok(heap.string(s))
            }
            Builtin::Int => {
                let v = args[0];
                if heap.is_int(v) {
                    return Ok(v);
                }
                if let Some(f) = v.as_float() {
                    // The range test is exact: -2^63 is representable, 2^63 is the first
                    // value past i64::MAX. NaN fails both comparisons.
                    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
                        return Ok(heap.int(f as i64));
                    }
                    return Err(err(format!("cannot convert {f:?} to int")));
                }
                if let Some(s) = heap.as_str(v) {
                    return match s.parse::<i64>() {
                        Ok(i) => Ok(heap.int(i)),
                        Err(_) => Err(err(format!("cannot parse \"{s}\" as an int"))),
                    };
                }
                Err(err(format!("cannot convert {} to int", type_name(heap, v))))
            }
            Builtin::Float => {
                let v = args[0];
                if v.is_float() {
                    return Ok(v);
                }
                if let Some(i) = heap.as_i64(v) {
                    return Ok(Value::float(i as f64));
                }
                if let Some(s) = heap.as_str(v) {
                    return match s.parse::<f64>() {
                        Ok(f) => Ok(Value::float(f)),
                        Err(_) => Err(err(format!("cannot parse \"{s}\" as a float"))),
                    };
                }
                Err(err(format!(
                    "cannot convert {} to float",
                    type_name(heap, v)
                )))
            }
            Builtin::Sqrt => match as_f64(heap, args[0]) {
                Some(f) => Ok(Value::float(f.sqrt())),
                None => Err(err(format!(
                    "sqrt() expects a number, not {}",
                    type_name(heap, args[0])
                ))),
            },
            Builtin::Abs => {
                let v = args[0];
                if let Some(f) = v.as_float() {
                    return Ok(Value::float(f.abs()));
                }
                if let Some(i) = heap.as_i64(v) {
                    return match i.checked_abs() {
                        Some(a) => Ok(heap.int(a)),
                        None => Err(err("integer overflow")),
                    };
                }
                Err(err(format!(
                    "abs() expects a number, not {}",
                    type_name(heap, v)
                )))
            }
            Builtin::Clock => Ok(Value::float(self.start.elapsed().as_secs_f64())),
            Builtin::Args => {
                let items: Vec<Value> = self.args.iter().map(|a| heap.str(a)).collect();
                Ok(heap.array(items))
            }
        }
    }
}

impl Semantics for TinySemantics {
    fn max_call_depth(&self) -> usize {
        MAX_CALL_DEPTH
    }

    fn stack_overflow(&mut self) -> Exception {
        err("stack overflow")
    }

    fn memory_error(&mut self) -> Exception {
        err("out of memory")
    }

    fn binary_slow(
        &mut self,
        heap: &mut Heap,
        op: BinOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception> {
        if heap.is_int(a)
            && heap.as_i64(b) == Some(0)
            && matches!(op, BinOp::DivTrunc | BinOp::ModTrunc)
        {
            return Err(err("division by zero"));
        }
        if is_number(heap, a) && is_number(heap, b) && (a.is_float() || b.is_float()) {
            let (x, y) = (
                as_f64(heap, a).unwrap_or(0.0),
                as_f64(heap, b).unwrap_or(0.0),
            );
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::DivTrunc => x / y,
                BinOp::ModTrunc => x % y,
                _ => return Err(unsupported(heap, op_symbol(op), a, b)),
            };
            return Ok(Value::float(r));
        }
        Err(unsupported(heap, op_symbol(op), a, b))
    }

    fn int_overflow(&mut self, _heap: &mut Heap, _what: Overflow) -> Result<Value, Exception> {
        Err(err("integer overflow"))
    }

    fn compare_slow(
        &mut self,
        heap: &mut Heap,
        op: CmpOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception> {
        if is_number(heap, a) && is_number(heap, b) {
            let r = match (heap.as_i64(a), heap.as_i64(b)) {
                (Some(x), Some(y)) => jit_core::ops::cmp_ord(op, x.cmp(&y)),
                _ => jit_core::ops::cmp_f64(
                    op,
                    as_f64(heap, a).unwrap_or(0.0),
                    as_f64(heap, b).unwrap_or(0.0),
                ),
            };
            return Ok(Value::bool(r));
        }
        if let (Some(x), Some(y)) = (heap.as_str(a), heap.as_str(b)) {
            return Ok(Value::bool(jit_core::ops::cmp_ord(
                op,
                x.as_bytes().cmp(y.as_bytes()),
            )));
        }
        match op {
            // Different types are unequal; arrays and functions compare by identity.
            CmpOp::Eq | CmpOp::Ne => Ok(Value::bool((a == b) == (op == CmpOp::Eq))),
            _ => Err(unsupported(heap, op.symbol(), a, b)),
        }
    }

    fn unary_slow(&mut self, heap: &mut Heap, op: UnOp, v: Value) -> Result<Value, Exception> {
        Err(err(format!(
            "unsupported operand type for {}: {}",
            op.symbol(),
            type_name(heap, v)
        )))
    }

    fn truthy_slow(&mut self, _heap: &mut Heap, _v: Value) -> Result<bool, Exception> {
        Ok(true)
    }

    fn index_slow(&mut self, heap: &mut Heap, c: Value, i: Value) -> Result<Value, Exception> {
        let Some(a) = heap.as_array(c) else {
            return Err(err(format!(
                "cannot index a value of type {}",
                type_name(heap, c)
            )));
        };
        match heap.as_i64(i) {
            Some(k) => match usize::try_from(k).ok().and_then(|k| a.get(k)) {
                Some(v) => Ok(v),
                None => Err(err(format!(
                    "index out of range: index {}, length {}",
                    k,
                    a.len()
                ))),
            },
            None => Err(err(format!(
                "array index must be an int, not {}",
                type_name(heap, i)
            ))),
        }
    }

    fn store_index_slow(
        &mut self,
        heap: &mut Heap,
        c: Value,
        i: Value,
        v: Value,
    ) -> Result<(), Exception> {
        let Some(a) = heap.as_array(c) else {
            return Err(err(format!(
                "cannot index a value of type {}",
                type_name(heap, c)
            )));
        };
        match heap.as_i64(i) {
            Some(k) => {
                if usize::try_from(k).is_ok_and(|k| a.set(k, v)) {
                    Ok(())
                } else {
                    Err(err(format!(
                        "index out of range: index {}, length {}",
                        k,
                        a.len()
                    )))
                }
            }
            None => Err(err(format!(
                "array index must be an int, not {}",
                type_name(heap, i)
            ))),
        }
    }

    fn call_native(
        &mut self,
        vm: &mut VmCore,
        id: u32,
        args: &[Value],
    ) -> Result<Value, Exception> {
        let heap = vm.heap_mut();
        match Builtin::ALL.get(id as usize) {
            Some(&b) => self.builtin(heap, b, args),
            None => Err(err(format!("internal error: unknown builtin {id}"))),
        }
    }

    fn call_slow(
        &mut self,
        vm: &mut VmCore,
        callee: Value,
        _args: &[Value],
    ) -> Result<Value, Exception> {
        let heap = vm.heap();
        Err(err(format!(
            "cannot call a value of type {}",
            type_name(heap, callee)
        )))
    }

    fn bind_arguments(
        &mut self,
        _heap: &mut Heap,
        _func: Value,
        code: &Code,
        args: &[Value],
    ) -> Result<Vec<Value>, Exception> {
        let (name, params) = (&code.name, code.num_params);
        Err(err(format!(
            "wrong number of arguments: {} expects {}, got {}",
            name,
            params,
            args.len()
        )))
    }

    fn bad_for_bound(&mut self, heap: &mut Heap, v: Value) -> Exception {
        err(format!(
            "for loop bound must be an int, not {}",
            type_name(heap, v)
        ))
    }

    fn global_empty(&mut self, _heap: &mut Heap, _name: &str) -> Result<Value, Exception> {
        Ok(Value::NIL)
    }
}
