//! Tests of the runtime through a real VM: builtins, methods and operators called the way
//! the interpreter calls them, with every expectation printed by CPython 3.11.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use jit_core::bytecode::{BinOp, CmpOp, Code, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::{FunctionObj, Heap, Obj};
use jit_core::interp::{Mode, Vm, VmCore};
use jit_core::semantics::{Exception, Semantics};
use jit_core::value::Value;

use super::objects::B;
use super::PySemantics;

#[derive(Clone, Default)]
struct Buf(Rc<RefCell<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A VM whose module holds a few one-argument guest functions:
/// code 1 `neg(x) = -x`, code 2 `first(x) = x[0]`, code 3 `add(a, b=10) = a + b`.
struct H {
    vm: Vm<PySemantics>,
    out: Buf,
}

fn code(name: &str, instrs: Vec<Instr>, params: u32) -> Code {
    let locs = vec![Loc::default(); instrs.len()];
    let mut c = Code::new(name, instrs, locs, Vec::new(), params, params);
    c.local_names = ["a", "b", "c"]
        .iter()
        .take(params as usize)
        .map(|s| s.to_string())
        .collect();
    c
}

impl H {
    fn new() -> H {
        let main = code(
            "<module>",
            vec![Instr::new(Op::LoadNil, 0), Instr::new(Op::Return, 0)],
            0,
        );
        let neg = code(
            "neg",
            vec![
                Instr::new(Op::LoadLocal, 0),
                Instr::new(Op::Unary, UnOp::Neg as u32),
                Instr::new(Op::Return, 0),
            ],
            1,
        );
        let first = code(
            "first",
            vec![
                Instr::new(Op::LoadLocal, 0),
                Instr::new(Op::LoadInt, 0),
                Instr::new(Op::Index, 0),
                Instr::new(Op::Return, 0),
            ],
            1,
        );
        let add = code(
            "add",
            vec![
                Instr::new(Op::LoadLocal, 0),
                Instr::new(Op::LoadLocal, 1),
                Instr::new(Op::Binary, BinOp::Add as u32),
                Instr::new(Op::Return, 0),
            ],
            2,
        );
        let names = vec![
            "<module>".into(),
            "neg".into(),
            "first".into(),
            "add".into(),
        ];
        let module = Module {
            file_name: "t.py".into(),
            codes: vec![main, neg, first, add],
            global_names: Vec::new(),
            global_init: Vec::new(),
            entry: 0,
        };
        let out = Buf::default();
        let sem = PySemantics::new(
            Box::new(out.clone()),
            vec!["t.py".into(), "x".into()],
            names,
        );
        // SAFETY: each test uses this heap's values with it only, within the test.
        let heap = unsafe { Heap::new() };
        let vm = Vm::with_stack(module, sem, heap, Mode::Interp, 1 << 16)
            .unwrap_or_else(|e| panic!("{e:?}"));
        H { vm, out }
    }

    /// The engine state and the semantics, as a slow path gets them.
    fn parts(&mut self) -> (&mut VmCore, &mut PySemantics) {
        // SAFETY: no collection ever runs in these tests, so every value they hold stays
        // valid: the only guest code is this module's functions, which have no safepoint
        // (no backward jump, no call), and nothing calls `Heap::collect`.
        unsafe { self.vm.parts_mut() }
    }

    /// The semantics and the heap, for the slow paths that take only the heap.
    fn sh(&mut self) -> (&mut PySemantics, &mut Heap) {
        let (core, sem) = self.parts();
        (sem, core.heap_mut())
    }

    fn heap(&mut self) -> &mut Heap {
        self.parts().0.heap_mut()
    }

    fn func(&mut self, code: u32, defaults: Vec<Value>) -> Value {
        self.heap()
            .alloc(Obj::Function(FunctionObj::new(code, &defaults, &[])))
    }

    fn s(&mut self, s: &str) -> Value {
        self.heap().str(s)
    }

    fn list(&mut self, items: Vec<Value>) -> Value {
        self.heap().array(items)
    }

    fn tuple(&mut self, items: Vec<Value>) -> Value {
        self.heap().tuple(items)
    }

    fn call(&mut self, b: B, args: &[Value]) -> Result<Value, Exception> {
        let (core, sem) = self.parts();
        sem.call_builtin(core, b, args, Vec::new())
    }

    fn call_kw(&mut self, b: B, args: &[Value], kw: &[(&str, Value)]) -> Result<Value, Exception> {
        let kw = kw.iter().map(|&(k, v)| (k.to_string(), v)).collect();
        let (core, sem) = self.parts();
        sem.call_builtin(core, b, args, kw)
    }

    fn method(&mut self, obj: Value, name: &str, args: &[Value]) -> Result<Value, Exception> {
        let (core, sem) = self.parts();
        sem.method(core, obj, name, args, Vec::new())
    }

    fn method_kw(
        &mut self,
        obj: Value,
        name: &str,
        args: &[Value],
        kw: &[(&str, Value)],
    ) -> Result<Value, Exception> {
        let kw = kw.iter().map(|&(k, v)| (k.to_string(), v)).collect();
        let (core, sem) = self.parts();
        sem.method(core, obj, name, args, kw)
    }

    fn bin(&mut self, op: BinOp, a: Value, b: Value) -> Result<Value, Exception> {
        let (sem, heap) = self.sh();
        jit_core::ops::binary(heap, sem, op, a, b)
    }

    fn repr(&self, v: Value) -> String {
        self.vm
            .sem()
            .repr(self.vm.heap(), v)
            .unwrap_or_else(|e| format!("{e:?}"))
    }

    fn r(&self, r: Result<Value, Exception>) -> String {
        match r {
            Ok(v) => self.repr(v),
            Err(e) => format!("{}: {}", e.kind, e.message),
        }
    }

    fn printed(&self) -> String {
        String::from_utf8_lossy(&self.out.0.borrow()).into_owned()
    }
}

fn i(x: i64) -> Value {
    Value::small_int(x)
}

fn f(x: f64) -> Value {
    Value::float(x)
}

#[test]
fn print_formats_everything_like_cpython() {
    let mut h = H::new();
    let a = h.s("a");
    let inner = h.list(vec![i(1), a, f(2.5), Value::NIL, Value::TRUE]);
    let t1 = h.tuple(vec![i(1)]);
    let empty = h.call(B::Dict, &[]).unwrap();
    let hello = h.s("hello");
    h.call(
        B::Print,
        &[inner, t1, empty, hello, f(0.1), f(1e16), f(-0.0)],
    )
    .unwrap();
    let sep = h.s("");
    let end = h.s("|");
    h.call_kw(B::Print, &[i(1), i(2)], &[("sep", sep), ("end", end)])
        .unwrap();
    let r = h.call(B::Range, &[i(10)]).unwrap();
    let r2 = h.call(B::Range, &[i(0), i(10), i(2)]).unwrap();
    let (sem, heap) = h.sh();
    let int_t = sem.native(heap, B::Int);
    let (sem, heap) = h.sh();
    let print = sem.native(heap, B::Print);
    h.call(B::Print, &[r, r2, int_t, print]).unwrap();
    assert_eq!(
        h.printed(),
        "[1, 'a', 2.5, None, True] (1,) {} hello 0.1 1e+16 -0.0\n12|range(0, 10) range(0, 10, 2) <class 'int'> <built-in function print>\n"
    );
    let tf = h.call(B::Type, &[Value::NIL]).unwrap();
    assert_eq!(h.repr(tf), "<class 'NoneType'>");
    let neg = h.func(1, vec![]);
    assert!(h.repr(neg).starts_with("<function neg at 0x"));
}

#[test]
fn dicts_follow_python_keys_and_order() {
    let mut h = H::new();
    let d = h.call(B::Dict, &[]).unwrap();
    let b = h.s("b");
    let a = h.s("a");
    let (sem, heap) = h.sh();
    sem.store_index(heap, d, b, i(1)).unwrap();
    sem.store_index(heap, d, a, i(2)).unwrap();
    sem.store_index(heap, d, i(1), i(3)).unwrap();
    // 1, 1.0 and True are the same key; the key keeps its first spelling.
    sem.store_index(heap, d, f(1.0), i(4)).unwrap();
    sem.store_index(heap, d, Value::TRUE, i(5)).unwrap();
    assert_eq!(h.repr(d), "{'b': 1, 'a': 2, 1: 5}");
    // Deleting and re-inserting moves a key to the end.
    let b = h.s("b");
    let (sem, heap) = h.sh();
    sem.del_index(heap, d, b).unwrap();
    let (sem, heap) = h.sh();
    sem.store_index(heap, d, b, i(6)).unwrap();
    assert_eq!(h.repr(d), "{'a': 2, 1: 5, 'b': 6}");
    let lst = h.list(vec![]);
    let (sem, heap) = h.sh();
    let e = sem.store_index(heap, d, lst, i(0)).unwrap_err();
    assert_eq!(e.message, "unhashable type: 'list'");
    let z = h.s("z");
    let (sem, heap) = h.sh();
    let e = sem.index(heap, d, z).unwrap_err();
    assert_eq!((e.kind.as_str(), e.message.as_str()), ("KeyError", "'z'"));
    let items = h.method(d, "items", &[]).unwrap();
    assert_eq!(h.repr(items), "dict_items([('a', 2), (1, 5), ('b', 6)])");
    let keys = h.method(d, "keys", &[]).unwrap();
    let kl = h.call(B::List, &[keys]).unwrap();
    assert_eq!(h.repr(kl), "['a', 1, 'b']");
    let got = h.method(d, "get", &[z, i(0)]).unwrap();
    assert_eq!(h.repr(got), "0");
    let sd = h.method(d, "setdefault", &[z, i(7)]).unwrap();
    assert_eq!(h.repr(sd), "7");
    let popped = h.method(d, "pop", &[a]).unwrap();
    assert_eq!(h.repr(popped), "2");
    assert_eq!(h.repr(d), "{1: 5, 'b': 6, 'z': 7}");
    // Equality ignores order; values compare with ==.
    let d2 = h.call(B::Dict, &[d]).unwrap();
    let (sem, heap) = h.sh();
    sem.store_index(heap, d2, i(1), f(5.0)).unwrap();
    let eq = crate::runtime::compare::py_eq(h.vm.heap(), d, d2).unwrap();
    assert!(eq);
    // Many inserts and deletes keep the table consistent.
    let big = h.call(B::Dict, &[]).unwrap();
    for k in 0..1000 {
        let (sem, heap) = h.sh();
        sem.store_index(heap, big, i(k), i(k * k)).unwrap();
    }
    for k in (0..1000).step_by(2) {
        let (sem, heap) = h.sh();
        sem.del_index(heap, big, i(k)).unwrap();
    }
    let n = h.call(B::Len, &[big]).unwrap();
    assert_eq!(h.repr(n), "500");
    let (sem, heap) = h.sh();
    let v = sem.index(heap, big, i(999)).unwrap();
    assert_eq!(h.repr(v), "998001");
}

#[test]
fn sorting_is_stable_with_keys_and_reverse() {
    let mut h = H::new();
    // sorted([(1, 'a'), (2, 'b'), (1, 'c'), (0, 'd')], key=first, reverse=True)
    let mut items = Vec::new();
    for (k, s) in [(1, "a"), (2, "b"), (1, "c"), (0, "d")] {
        let s = h.s(s);
        items.push(h.tuple(vec![i(k), s]));
    }
    let l = h.list(items);
    let first = h.func(2, vec![]);
    let r = h.call_kw(B::Sorted, &[l], &[("key", first), ("reverse", Value::TRUE)]);
    assert_eq!(h.r(r), "[(2, 'b'), (1, 'a'), (1, 'c'), (0, 'd')]");
    let r = h.call_kw(B::Sorted, &[l], &[("key", first)]);
    assert_eq!(h.r(r), "[(0, 'd'), (1, 'a'), (1, 'c'), (2, 'b')]");
    let nums = h.list(vec![i(3), f(1.5), i(-2), i(10)]);
    let neg = h.func(1, vec![]);
    h.method_kw(nums, "sort", &[], &[("key", neg)]).unwrap();
    assert_eq!(h.repr(nums), "[10, 3, 1.5, -2]");
    let a = h.s("a");
    let mixed = h.list(vec![i(1), a]);
    let r = h.call(B::Sorted, &[mixed]);
    assert_eq!(
        h.r(r),
        "TypeError: '<' not supported between instances of 'str' and 'int'"
    );
    let r = h.call_kw(B::Max, &[nums], &[("key", neg)]);
    assert_eq!(h.r(r), "-2");
    let empty = h.list(vec![]);
    let r = h.call(B::Min, &[empty]);
    assert_eq!(h.r(r), "ValueError: min() arg is an empty sequence");
    let r = h.call_kw(B::Max, &[empty], &[("default", Value::NIL)]);
    assert_eq!(h.r(r), "None");
    // max keeps the first of equal maxima: max([1, 1.0]) == 1, min([1.0, 1]) == 1.0.
    let l = h.list(vec![i(1), f(1.0)]);
    let r = h.call(B::Max, &[l]);
    assert_eq!(h.r(r), "1");
}

#[test]
fn guest_calls_bind_defaults_and_report_arity() {
    let mut h = H::new();
    let add = h.func(3, vec![i(10)]);
    let (core, sem) = h.parts();
    // SAFETY: no collection runs in these tests (see `H::parts`).
    let r = unsafe { core.call_value(sem, add, &[i(5)]) };
    assert_eq!(h.r(r), "15");
    let (core, sem) = h.parts();
    // SAFETY: as above.
    let r = unsafe { core.call_value(sem, add, &[i(1), i(2), i(3)]) };
    assert_eq!(
        h.r(r),
        "TypeError: add() takes from 1 to 2 positional arguments but 3 were given"
    );
    let add2 = h.func(3, vec![]);
    let (core, sem) = h.parts();
    // SAFETY: as above.
    let r = unsafe { core.call_value(sem, add2, &[]) };
    assert_eq!(
        h.r(r),
        "TypeError: add() missing 2 required positional arguments: 'a' and 'b'"
    );
    // map(neg, range(3)) through list().
    let neg = h.func(1, vec![]);
    let rg = h.call(B::Range, &[i(3)]).unwrap();
    let m = h.call(B::Map, &[neg, rg]).unwrap();
    let r = h.call(B::List, &[m]);
    assert_eq!(h.r(r), "[0, -1, -2]");
    let s = h.s("ab");
    let e = h.call_kw(B::Enumerate, &[s], &[("start", i(1))]).unwrap();
    let r = h.call(B::List, &[e]);
    assert_eq!(h.r(r), "[(1, 'a'), (2, 'b')]");
    let l1 = h.list(vec![i(1), i(2)]);
    let l2 = h.list(vec![i(3), i(4), i(5)]);
    let z = h.call(B::Zip, &[l1, l2]).unwrap();
    let r = h.call(B::List, &[z]);
    assert_eq!(h.r(r), "[(1, 3), (2, 4)]");
    let l = h.list(vec![i(0), i(1), i(2)]);
    let fl = h.call(B::Filter, &[Value::NIL, l]).unwrap();
    let r = h.call(B::List, &[fl]);
    assert_eq!(h.r(r), "[1, 2]");
    let rv = h.call(B::Reversed, &[rg]).unwrap();
    let r = h.call(B::List, &[rv]);
    assert_eq!(h.r(r), "[2, 1, 0]");
    let r = h.call(B::Sum, &[rg]);
    assert_eq!(h.r(r), "3");
}

#[test]
fn unpacking_errors() {
    let mut h = H::new();
    let l = h.list(vec![i(1), i(2), i(3)]);
    let (core, sem) = h.parts();
    let r = sem.unpack_n(core, l, 2).map(|_| Value::NIL);
    assert_eq!(h.r(r), "ValueError: too many values to unpack (expected 2)");
    let (core, sem) = h.parts();
    let r = sem.unpack_n(core, l, 4).map(|_| Value::NIL);
    assert_eq!(
        h.r(r),
        "ValueError: not enough values to unpack (expected 4, got 3)"
    );
    let (core, sem) = h.parts();
    let r = sem.unpack_n(core, i(5), 2).map(|_| Value::NIL);
    assert_eq!(h.r(r), "TypeError: cannot unpack non-iterable int object");
    let s = h.s("ab");
    let (core, sem) = h.parts();
    let r = sem.unpack_n(core, s, 2).map(|v| v[1]);
    assert_eq!(h.r(r), "'b'");
}

#[test]
fn operators_on_mixed_types() {
    let mut h = H::new();
    let cases: Vec<(BinOp, Value, Value, &str)> = vec![
        (BinOp::Add, Value::TRUE, i(1), "2"),
        (BinOp::TrueDiv, Value::TRUE, i(2), "0.5"),
        (BinOp::FloorDiv, f(-7.5), i(2), "-4.0"),
        (BinOp::FloorMod, f(7.5), i(-2), "-0.5"),
        (BinOp::Pow, i(2), i(-2), "0.25"),
        (BinOp::Pow, i(10), i(20), "100000000000000000000"),
        (
            BinOp::Mul,
            i(1 << 40),
            i(1 << 40),
            "1208925819614629174706176",
        ),
        (
            BinOp::TrueDiv,
            i(1),
            i(0),
            "ZeroDivisionError: division by zero",
        ),
        (
            BinOp::TrueDiv,
            f(1.0),
            i(0),
            "ZeroDivisionError: float division by zero",
        ),
        (
            BinOp::FloorMod,
            i(1),
            f(0.0),
            "ZeroDivisionError: float modulo",
        ),
        (
            BinOp::BitAnd,
            f(1.0),
            i(1),
            "TypeError: unsupported operand type(s) for &: 'float' and 'int'",
        ),
    ];
    for (op, a, b, want) in cases {
        let r = h.bin(op, a, b);
        assert_eq!(h.r(r), want, "{op:?}");
    }
    let s = h.s("ab");
    let r = h.bin(BinOp::Mul, i(3), s);
    assert_eq!(h.r(r), "'ababab'");
    let r = h.bin(BinOp::Add, s, i(1));
    assert_eq!(
        h.r(r),
        "TypeError: can only concatenate str (not \"int\") to str"
    );
    let r = h.bin(BinOp::Mul, s, f(2.0));
    assert_eq!(
        h.r(r),
        "TypeError: can't multiply sequence by non-int of type 'float'"
    );
    let l = h.list(vec![i(1)]);
    let t = h.tuple(vec![i(1)]);
    let r = h.bin(BinOp::Add, l, t);
    assert_eq!(
        h.r(r),
        "TypeError: can only concatenate list (not \"tuple\") to list"
    );
    let r = h.bin(BinOp::Mul, l, i(3));
    assert_eq!(h.r(r), "[1, 1, 1]");
    // `xs += ys` extends in place.
    let r = h.bin(BinOp::InplaceAdd, l, t).unwrap();
    assert_eq!(r, l);
    assert_eq!(h.repr(l), "[1, 1]");
    let fmt = h.s("%5d|%-5s|%.3f|%r");
    let x = h.s("x");
    let args = h.tuple(vec![i(42), x, f(3.14659), x]);
    let r = h.bin(BinOp::FloorMod, fmt, args);
    assert_eq!(h.r(r), "\"   42|x    |3.147|'x'\"");
    let (sem, heap) = h.sh();
    let c = jit_core::ops::compare(heap, sem, CmpOp::Lt, l, t);
    assert_eq!(
        h.r(c),
        "TypeError: '<' not supported between instances of 'list' and 'tuple'"
    );
    let (sem, heap) = h.sh();
    let r = jit_core::ops::unary(heap, sem, UnOp::Neg, s);
    assert_eq!(h.r(r), "TypeError: bad operand type for unary -: 'str'");
    let (sem, heap) = h.sh();
    let r = jit_core::ops::unary(heap, sem, UnOp::Neg, Value::TRUE);
    assert_eq!(h.r(r), "-1");
}

#[test]
fn string_methods() {
    let mut h = H::new();
    let s = h.s("a,b,,c");
    let comma = h.s(",");
    let r = h.method(s, "split", &[comma]);
    assert_eq!(h.r(r), "['a', 'b', '', 'c']");
    let r = h.method(s, "rsplit", &[comma, i(1)]);
    assert_eq!(h.r(r), "['a,b,', 'c']");
    let sp = h.s("  a b  c ");
    let r = h.method(sp, "split", &[]);
    assert_eq!(h.r(r), "['a', 'b', 'c']");
    let r = h.method(sp, "strip", &[]);
    assert_eq!(h.r(r), "'a b  c'");
    let parts = h.method(sp, "split", &[]).unwrap();
    let dash = h.s("-");
    let r = h.method(dash, "join", &[parts]);
    assert_eq!(h.r(r), "'a-b-c'");
    let bad = h.list(vec![i(1)]);
    let r = h.method(dash, "join", &[bad]);
    assert_eq!(
        h.r(r),
        "TypeError: sequence item 0: expected str instance, int found"
    );
    let w = h.s("héllo wörld");
    let l = h.s("l");
    let r = h.method(w, "find", &[l]);
    assert_eq!(h.r(r), "2");
    let r = h.method(w, "rfind", &[l]);
    assert_eq!(h.r(r), "9");
    let r = h.method(w, "count", &[l]);
    assert_eq!(h.r(r), "3");
    let r = h.method(w, "upper", &[]);
    assert_eq!(h.r(r), "'HÉLLO WÖRLD'");
    let r = h.method(w, "title", &[]);
    assert_eq!(h.r(r), "'Héllo Wörld'");
    let big_l = h.s("L");
    let r = h.method(w, "replace", &[l, big_l, i(2)]);
    assert_eq!(h.r(r), "'héLLo wörld'");
    let z = h.s("z");
    let r = h.method(w, "index", &[z]);
    assert_eq!(h.r(r), "ValueError: substring not found");
    let pre = h.s("hé");
    let r = h.method(w, "startswith", &[pre]);
    assert_eq!(h.r(r), "True");
    let r = h.method(w, "upper", &[i(1)]);
    assert_eq!(
        h.r(r),
        "TypeError: str.upper() takes no arguments (1 given)"
    );
    let ab = h.s("ab");
    let star = h.s("*");
    let r = h.method(ab, "center", &[i(7), star]);
    assert_eq!(h.r(r), "'***ab**'");
    let (sem, heap) = h.sh();
    let r = sem.index(heap, w, i(-1));
    assert_eq!(h.r(r), "'d'");
    let (sem, heap) = h.sh();
    let sl = sem
        .build_slice(heap, &[Value::NIL, Value::NIL, i(-2)])
        .unwrap();
    let (sem, heap) = h.sh();
    let r = sem.index(heap, w, sl);
    assert_eq!(h.r(r), "'drwolh'");
    let fmt = h.s("{0} and {x:>4}|{0!r}");
    let kw = vec![("x".to_string(), f(2.5))];
    let (core, sem) = h.parts();
    let r = sem.method(core, fmt, "format", &[ab], kw);
    assert_eq!(h.r(r), "\"ab and  2.5|'ab'\"");
}

#[test]
fn list_methods_and_slices() {
    let mut h = H::new();
    let l = h.list((0..6).map(i).collect());
    let (sem, heap) = h.sh();
    let sl = sem.build_slice(heap, &[i(1), i(3)]).unwrap();
    let repl = h.call(B::Range, &[i(5)]).unwrap();
    let (sem, heap) = h.sh();
    sem.store_index(heap, l, sl, repl).unwrap();
    assert_eq!(h.repr(l), "[0, 0, 1, 2, 3, 4, 3, 4, 5]");
    let (sem, heap) = h.sh();
    let step = sem
        .build_slice(heap, &[Value::NIL, Value::NIL, i(2)])
        .unwrap();
    let (sem, heap) = h.sh();
    sem.del_index(heap, l, step).unwrap();
    assert_eq!(h.repr(l), "[0, 2, 4, 4]");
    let short = h.list(vec![i(9)]);
    let (sem, heap) = h.sh();
    let r = sem.store_index(heap, l, step, short).map(|()| Value::NIL);
    assert_eq!(
        h.r(r),
        "ValueError: attempt to assign sequence of size 1 to extended slice of size 2"
    );
    h.method(l, "insert", &[i(-100), i(7)]).unwrap();
    h.method(l, "append", &[i(8)]).unwrap();
    let p = h.method(l, "pop", &[i(0)]).unwrap();
    assert_eq!(h.repr(p), "7");
    let r = h.method(l, "index", &[i(4)]);
    assert_eq!(h.r(r), "2");
    let r = h.method(l, "count", &[i(4)]);
    assert_eq!(h.r(r), "2");
    h.method(l, "remove", &[i(4)]).unwrap();
    h.method(l, "reverse", &[]).unwrap();
    assert_eq!(h.repr(l), "[8, 4, 2, 0]");
    let r = h.method(l, "remove", &[i(42)]);
    assert_eq!(h.r(r), "ValueError: list.remove(x): x not in list");
    let (sem, heap) = h.sh();
    let r = sem.index(heap, l, i(10));
    assert_eq!(h.r(r), "IndexError: list index out of range");
    let e = h.list(vec![]);
    let r = h.method(e, "pop", &[]);
    assert_eq!(h.r(r), "IndexError: pop from empty list");
    // A list containing itself prints as [...].
    h.method(e, "append", &[e]).unwrap();
    assert_eq!(h.repr(e), "[[...]]");
    let rg = h.call(B::Range, &[i(0), i(20), i(3)]).unwrap();
    let (sem, heap) = h.sh();
    let sl = sem.build_slice(heap, &[i(1), i(-1)]).unwrap();
    let (sem, heap) = h.sh();
    let r = sem.index(heap, rg, sl);
    assert_eq!(h.r(r), "range(3, 18, 3)");
    let (core, sem) = h.parts();
    let r = sem.contains_op(core, rg, i(9)).map(Value::bool);
    assert_eq!(h.r(r), "True");
}

#[test]
fn conversions_and_modules() {
    let mut h = H::new();
    let s = h.s(" 12_3 ");
    let r = h.call(B::Int, &[s]);
    assert_eq!(h.r(r), "123");
    let hx = h.s("0x1f");
    let r = h.call(B::Int, &[hx, i(16)]);
    assert_eq!(h.r(r), "31");
    let r = h.call(B::Int, &[f(-3.9)]);
    assert_eq!(h.r(r), "-3");
    let r = h.call(B::Int, &[f(1e20)]);
    assert_eq!(h.r(r), "100000000000000000000");
    let bad = h.s("abc");
    let r = h.call(B::Int, &[bad]);
    assert_eq!(
        h.r(r),
        "ValueError: invalid literal for int() with base 10: 'abc'"
    );
    let r = h.call(B::Float, &[bad]);
    assert_eq!(
        h.r(r),
        "ValueError: could not convert string to float: 'abc'"
    );
    let r = h.call(B::Round, &[f(2.5)]);
    assert_eq!(h.r(r), "2");
    let r = h.call(B::Round, &[f(2.675), i(2)]);
    assert_eq!(h.r(r), "2.67");
    let r = h.call(B::Round, &[i(12350), i(-2)]);
    assert_eq!(h.r(r), "12400");
    let r = h.call(B::Divmod, &[i(-7), i(2)]);
    assert_eq!(h.r(r), "(-4, 1)");
    let r = h.call(B::Pow, &[i(3), i(-1), i(7)]);
    assert_eq!(h.r(r), "5");
    let r = h.call(B::Chr, &[i(233)]);
    assert_eq!(h.r(r), "'é'");
    let (sem, heap) = h.sh();
    let int_t = sem.native(heap, B::Int);
    let (sem, heap) = h.sh();
    let str_t = sem.native(heap, B::Str);
    let types = h.tuple(vec![str_t, int_t]);
    let r = h.call(B::Isinstance, &[Value::TRUE, types]);
    assert_eq!(h.r(r), "True");
    let (sem, heap) = h.sh();
    let math = sem.import(heap, "math").unwrap();
    let r = h.method(math, "sqrt", &[i(2)]);
    assert_eq!(h.r(r), "1.4142135623730951");
    let r = h.method(math, "floor", &[f(-2.5)]);
    assert_eq!(h.r(r), "-3");
    let r = h.method(math, "sqrt", &[i(-1)]);
    assert_eq!(h.r(r), "ValueError: math domain error");
    let r = h.method(math, "gcd", &[i(12), i(18), i(27)]);
    assert_eq!(h.r(r), "3");
    let (sem, heap) = h.sh();
    let pi = sem.get_attr(heap, math, "pi");
    assert_eq!(h.r(pi), "3.141592653589793");
    let (sem, heap) = h.sh();
    let r = sem.import(heap, "numpy").map(|_| Value::NIL);
    assert_eq!(h.r(r), "ModuleNotFoundError: No module named 'numpy'");
    let (sem, heap) = h.sh();
    let sys = sem.import(heap, "sys").unwrap();
    let (sem, heap) = h.sh();
    let argv = sem.get_attr(heap, sys, "argv");
    assert_eq!(h.r(argv), "['t.py', 'x']");
    let msg = h.s("bad");
    let exc = h.call(B::ValueError, &[msg]).unwrap();
    assert_eq!(h.repr(exc), "ValueError('bad')");
    let (sem, heap) = h.sh();
    let e = sem.raise(heap, &[exc]);
    assert_eq!((e.kind.as_str(), e.message.as_str()), ("ValueError", "bad"));
    let k = h.call(B::KeyError, &[msg]).unwrap();
    let (sem, heap) = h.sh();
    let e = sem.raise(heap, &[k]);
    assert_eq!(e.message, "'bad'");
    let (sem, heap) = h.sh();
    let r = sem.global_empty(heap, "nope").map(|_| Value::NIL);
    assert_eq!(h.r(r), "NameError: name 'nope' is not defined");
    let (core, sem) = h.parts();
    let fv = sem.format_value(core, i(1234567), 0, None);
    assert_eq!(h.r(fv), "'1234567'");
    let spec = h.s(",");
    let (core, sem) = h.parts();
    let fv = sem.format_value(core, i(1234567), 0, Some(spec));
    assert_eq!(h.r(fv), "'1,234,567'");
    let spec = h.s(">6");
    let (core, sem) = h.parts();
    let fv = sem.format_value(core, bad, 2, Some(spec));
    assert_eq!(h.r(fv), "\" 'abc'\"");
}

/// Values of every kind, for the no-panic sweep.
fn samples(h: &mut H) -> Vec<Value> {
    let heap = h.heap();
    let big = super::objects::int_value(heap, num_bigint::BigInt::from(2).pow(70));
    let neg_big = super::objects::int_value(heap, -num_bigint::BigInt::from(3).pow(50));
    let boxed = heap.int(i64::MIN);
    let mut v = vec![
        i(0),
        i(-1),
        i(7),
        i(1000),
        big,
        neg_big,
        boxed,
        f(0.0),
        f(-0.0),
        f(2.5),
        f(f64::NAN),
        f(f64::INFINITY),
        f(1e308),
        Value::TRUE,
        Value::FALSE,
        Value::NIL,
    ];
    for s in ["", "abc", "héllo", "{}{0}", "%s%d", " a b ", "12"] {
        v.push(h.s(s));
    }
    let l = h.list(vec![i(3), i(1), i(2)]);
    let mixed = h.list(vec![i(1), v[17], f(2.5)]);
    let selfref = h.list(vec![]);
    if let Some(a) = h.vm.heap().as_array(selfref) {
        a.push(selfref);
    }
    let t = h.tuple(vec![i(1), v[17]]);
    let pair = h.tuple(vec![i(1), i(2)]);
    let pairs = h.list(vec![pair, pair]);
    let d = h.call(B::Dict, &[pairs]).unwrap();
    let st = h.call(B::Set, &[l]).unwrap();
    let fs = h.call(B::Frozenset, &[t]).unwrap();
    let r = h.call(B::Range, &[i(1), i(10), i(3)]).unwrap();
    let sl = h.call(B::Slice, &[i(1), Value::NIL, i(-1)]).unwrap();
    let func = h.func(1, vec![]);
    let (sem, heap) = h.sh();
    let int_t = sem.native(heap, B::Int);
    let (sem, heap) = h.sh();
    let print = sem.native(heap, B::Len);
    let (sem, heap) = h.sh();
    let math = sem.import(heap, "math").unwrap();
    let exc = h.call(B::ValueError, &[v[17]]).unwrap();
    let keys = h.method(d, "keys", &[]).unwrap();
    v.extend([
        l, mixed, selfref, t, d, st, fs, r, sl, func, int_t, print, math, exc, keys,
    ]);
    v
}

/// Calls every builtin, method, operator and protocol hook with combinations of values of
/// every kind: each must return a value or a Python exception, never panic.
#[test]
fn no_panics_on_any_combination() {
    let mut h = H::new();
    let vals = samples(&mut h);
    // Keep the samples alive across guest calls.
    h.parts().0.roots_mut().extend_from_slice(&vals);
    let n = vals.len();
    let pick = |k: usize| vals[k % n];
    for &b in B::ALL {
        if matches!(b, B::Input | B::SysExit | B::TimeSleep | B::Exit | B::Quit) {
            continue;
        }
        let _ = h.call(b, &[]);
        for a in 0..n {
            let _ = h.call(b, &[pick(a)]);
            let _ = h.call(b, &[pick(a), pick(a * 7 + 3)]);
            let _ = h.call(b, &[pick(a), pick(a + 5), pick(a * 3 + 1)]);
        }
    }
    let kws = [
        "key", "reverse", "sep", "end", "start", "default", "base", "ndigits", "file", "x",
    ];
    for &b in B::ALL {
        if matches!(b, B::Input | B::SysExit | B::TimeSleep | B::Exit | B::Quit) {
            continue;
        }
        for (k, &kw) in kws.iter().enumerate() {
            for a in 0..n {
                let _ = h.call_kw(b, &[pick(a + k)], &[(kw, pick(a))]);
                let _ = h.call_kw(b, &[], &[(kw, pick(a)), ("key", pick(a + 1))]);
            }
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for t in [
        B::List,
        B::Tuple,
        B::Dict,
        B::Str,
        B::Int,
        B::Float,
        B::Range,
        B::Set,
    ] {
        names.extend(super::methods::method_names(t));
    }
    names.extend(["sqrt", "log", "gcd", "nope", "__name__", "argv"]);
    for a in 0..n {
        for &name in &names {
            let _ = h.method(pick(a), name, &[]);
            for b in 0..n {
                let _ = h.method(pick(a), name, &[pick(b)]);
            }
            let _ = h.method(pick(a), name, &[pick(a + 1), pick(a + 2)]);
            let _ = h.method(pick(a), name, &[pick(a + 3), pick(a + 4), pick(a + 5)]);
            for &kw in &kws {
                let _ = h.method_kw(pick(a), name, &[], &[(kw, pick(a + 6))]);
            }
            let (sem, heap) = h.sh();
            let _ = sem.get_attr(heap, pick(a), name);
        }
    }
    for a in 0..n {
        for b in 0..n {
            let (x, y) = (pick(a), pick(b));
            for &op in BinOp::ALL {
                let _ = h.bin(op, x, y);
            }
            for &op in CmpOp::ALL {
                let (sem, heap) = h.sh();
                let _ = jit_core::ops::compare(heap, sem, op, x, y);
            }
            let (sem, heap) = h.sh();
            let _ = sem.index(heap, x, y);
            let (core, sem) = h.parts();
            let _ = sem.contains_op(core, x, y);
            let (core, sem) = h.parts();
            let _ = sem.format_value(core, x, (b % 4) as u32, Some(y));
        }
        let x = pick(a);
        for &op in UnOp::ALL {
            let (sem, heap) = h.sh();
            let _ = jit_core::ops::unary(heap, sem, op, x);
        }
        let (core, sem) = h.parts();
        let _ = sem.unpack_n(core, x, 2);
        let (sem, heap) = h.sh();
        let _ = sem.raise(heap, &[x]);
        let (core, sem) = h.parts();
        let _ = sem.iter_of(core.heap_mut(), x).map(|it| sem.next(core, it));
        let (sem, heap) = h.sh();
        let _ = sem.truthy_slow(heap, x);
        let _ = h.repr(x);
    }
    // Mutations last, on copies, so the sweeps above saw the original values.
    for a in 0..n {
        for b in 0..n {
            let c = h.call(B::List, &[pick(a)]).unwrap_or(pick(a));
            let (sem, heap) = h.sh();
            let _ = sem.store_index(heap, c, pick(b), pick(a + b));
            let (sem, heap) = h.sh();
            let _ = sem.del_index(heap, c, pick(b));
            let d = h.call(B::Dict, &[]).unwrap();
            let (sem, heap) = h.sh();
            let _ = sem.store_index(heap, d, pick(b), pick(a));
        }
    }
}
