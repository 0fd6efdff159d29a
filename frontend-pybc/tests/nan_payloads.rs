//! A `.pyc` can hold a float with any bits (`TYPE_BINARY_FLOAT` stores the raw double), so a
//! crafted file can carry NaNs whose bits read as a tagged value (a small int, an object
//! pointer, a special) or turn into one under arithmetic. Every such constant, and every
//! result computed from one by the core or by the Python runtime, must be a float.
//!
//! The code objects here are marshalled by hand, so these tests need no Python.

use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use frontend_pybc::driver::{run_file, RunConfig};
use frontend_pybc::marshal::{read_object, type_code as T, Obj, FLAG_REF};
use frontend_pybc::opcodes as py;
use frontend_pybc::runtime::PySemantics;
use frontend_pybc::translate::{translate, ConstFactory};
use jit_core::heap::Heap;
use jit_core::interp::{Mode, Vm};
use jit_core::value::{Value, TAG_MIN};
use num_bigint::BigInt;

/// NaN bits that are tagged values (the small int 7, an object pointer, `true`, the empty
/// marker), NaNs below `TAG_MIN` that x86 arithmetic moves into the tag space (signaling
/// ones are quieted, setting bit 51; negation sets the sign bit), and sign and quiet
/// variants.
const NANS: [u64; 14] = [
    0xFFF9_0000_0000_0007,
    0xFFFA_0000_1234_5678,
    0xFFFB_0000_0000_0003,
    0xFFFB_0000_0000_0004,
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFF1_0000_0000_0007,
    0xFFF2_0000_1234_5678,
    0xFFF3_0000_0000_0003,
    0x7FF9_0000_0000_0007,
    0x7FFA_0000_1234_5678,
    0x7FFB_0000_0000_0004,
    0x7FF1_0000_0000_0007,
    0xFFF8_0000_0000_0001,
    0x7FF8_0000_0000_0000,
];

/// A minimal marshal writer: just the type codes these tests use.
#[derive(Default)]
struct Marshal(Vec<u8>);

impl Marshal {
    fn i32(&mut self, v: i32) {
        self.0.extend(v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.push(T::STRING);
        self.i32(b.len() as i32);
        self.0.extend(b);
    }
    fn str(&mut self, s: &str) {
        self.0.push(T::SHORT_ASCII);
        self.0.push(s.len() as u8);
        self.0.extend(s.as_bytes());
    }
    fn tuple(&mut self, n: usize) {
        self.0.push(T::SMALL_TUPLE);
        self.0.push(n as u8);
    }
}

/// A module-level constant as it is marshalled.
#[derive(Clone, Copy)]
enum Const {
    /// `TYPE_BINARY_FLOAT` with these bits.
    Bits(u64),
    /// `TYPE_FLOAT`: the decimal text form.
    Text(&'static str),
    /// `TYPE_BINARY_COMPLEX` with these bits for both parts.
    Complex(u64),
    Int(i32),
    None,
}

impl Const {
    fn write(self, m: &mut Marshal) {
        match self {
            Const::Bits(bits) => {
                m.0.push(T::BINARY_FLOAT);
                m.0.extend(bits.to_le_bytes());
            }
            Const::Text(text) => {
                m.0.push(T::FLOAT);
                m.0.push(text.len() as u8);
                m.0.extend(text.as_bytes());
            }
            Const::Complex(bits) => {
                m.0.push(T::BINARY_COMPLEX);
                m.0.extend(bits.to_le_bytes());
                m.0.extend(bits.to_le_bytes());
            }
            Const::Int(i) => {
                m.0.push(T::INT);
                m.i32(i);
            }
            Const::None => m.0.push(T::NONE),
        }
    }
}

/// The marshalled module code object for `code` (code units, caches included) with
/// constants `consts` and the global name `print`.
fn module(code: &[(u8, u8)], consts: &[Const]) -> Vec<u8> {
    let mut m = Marshal::default();
    m.0.push(T::CODE);
    for header in [0, 0, 0, 16, 0] {
        // argcount, posonlyargcount, kwonlyargcount, stacksize, flags
        m.i32(header);
    }
    let units: Vec<u8> = code.iter().flat_map(|&(op, arg)| [op, arg]).collect();
    m.bytes(&units);
    m.tuple(consts.len());
    for c in consts {
        c.write(&mut m);
    }
    m.tuple(1);
    m.str("print");
    m.tuple(0); // co_localsplusnames
    m.bytes(&[]); // co_localspluskinds
    m.str("nan.py");
    m.str("<module>");
    m.str("<module>");
    m.i32(1); // co_firstlineno
    m.bytes(&[]); // co_linetable: no locations
    m.bytes(&[]); // co_exceptiontable
    m.0
}

/// `op` followed by its inline cache entries.
fn ins(op: u8, arg: u8) -> Vec<(u8, u8)> {
    let mut v = vec![(op, arg)];
    v.extend(std::iter::repeat_n((py::CACHE, 0), py::cache_entries(op)));
    v
}

/// The constants every program below uses: `x`, then `0.0`, `1`, `1.0` and `None`.
fn consts(x: Const) -> Vec<Const> {
    vec![
        x,
        Const::Bits(0.0f64.to_bits()),
        Const::Int(1),
        Const::Bits(1.0f64.to_bits()),
        Const::None,
    ]
}

/// The expressions under test, as the instructions that push their value. `BINARY_OP`'s
/// argument is CPython's `NB_*` number: `+` 0, `//` 2, `*` 5, `%` 6, `**` 8, `-` 10, `/` 11.
fn expressions() -> Vec<(&'static str, Vec<(u8, u8)>)> {
    let k = |i| (py::LOAD_CONST, i);
    let bin = |nb| ins(py::BINARY_OP, nb);
    let expr = |parts: &[Vec<(u8, u8)>]| parts.concat();
    vec![
        ("x", vec![k(0)]),
        ("x + 0.0", expr(&[vec![k(0), k(1)], bin(0)])),
        ("0.0 + x", expr(&[vec![k(1), k(0)], bin(0)])),
        ("x + 1", expr(&[vec![k(0), k(2)], bin(0)])),
        ("x - 0.0", expr(&[vec![k(0), k(1)], bin(10)])),
        ("x * 1.0", expr(&[vec![k(0), k(3)], bin(5)])),
        ("x / 1.0", expr(&[vec![k(0), k(3)], bin(11)])),
        ("x / 1", expr(&[vec![k(0), k(2)], bin(11)])),
        ("x // 1.0", expr(&[vec![k(0), k(3)], bin(2)])),
        ("x % 1.0", expr(&[vec![k(0), k(3)], bin(6)])),
        ("x ** 1.0", expr(&[vec![k(0), k(3)], bin(8)])),
        ("-x", vec![k(0), (py::UNARY_NEGATIVE, 0)]),
        ("+x", vec![k(0), (py::UNARY_POSITIVE, 0)]),
        (
            "-(x + 0.0)",
            expr(&[vec![k(0), k(1)], bin(0), vec![(py::UNARY_NEGATIVE, 0)]]),
        ),
    ]
}

struct Consts;

impl ConstFactory for Consts {
    fn big_int(&mut self, _: &mut Heap, _: &BigInt) -> Value {
        unreachable!("no big ints here")
    }
    fn frozenset(&mut self, heap: &mut Heap, items: Vec<Value>) -> Value {
        heap.tuple(items)
    }
}

/// Reads the marshalled module, translates it and runs it in `mode`; returns the value
/// the module code returns.
fn run_module(bytes: &[u8], mode: Mode) -> Result<Value, String> {
    let Obj::Code(code) = read_object(bytes).map_err(|e| e.to_string())? else {
        panic!("not a code object");
    };
    // SAFETY: this heap's values are used only with it, and dropped with the `Vm` below.
    let mut heap = unsafe { Heap::new() };
    let module = translate(&code, &mut heap, &mut Consts).map_err(|e| e.to_string())?;
    let names = module.codes.iter().map(|c| c.name.clone()).collect();
    let sem = PySemantics::new(Box::new(std::io::sink()), vec![], names);
    let mut vm = Vm::new(module, sem, heap, mode).map_err(|e| e.to_string())?;
    // SAFETY: `PySemantics` reports every value it keeps (`trace_roots`); afterwards only
    // the returned value is read, an unboxed float.
    unsafe { vm.run() }.map_err(|e| format!("{}: {}", e.kind, e.message))
}

#[test]
fn the_reader_keeps_a_binary_float_bit_for_bit() {
    // The reader's `Obj::Float` is a plain `f64`, not a `Value`: keeping the bits is right
    // there, and the translation to a `Value` is where they are checked (below).
    for bits in NANS {
        for code in [T::BINARY_FLOAT, T::BINARY_FLOAT | FLAG_REF] {
            let mut bytes = vec![code];
            bytes.extend(bits.to_le_bytes());
            match read_object(&bytes) {
                Ok(Obj::Float(f)) => assert_eq!(f.to_bits(), bits),
                other => panic!("{bits:#018x}: {other:?}"),
            }
        }
    }
}

#[test]
fn crafted_float_constants_and_results_stay_floats() {
    for mode in [Mode::Interp, Mode::Adaptive] {
        for bits in NANS {
            for (name, expr) in expressions() {
                let code = [ins(py::RESUME, 0), expr, vec![(py::RETURN_VALUE, 0)]].concat();
                let r = run_module(&module(&code, &consts(Const::Bits(bits))), mode)
                    .unwrap_or_else(|e| panic!("{mode:?}: {name}, x = {bits:#018x}: {e}"));
                assert!(
                    r.is_float(),
                    "{mode:?}: {name} with x = {bits:#018x} gave {r:?} (bits {:#018x})",
                    r.to_bits()
                );
                assert!(r.float_unchecked().is_nan(), "{mode:?}: {name}: {r:?}");
            }
        }
    }
}

#[test]
fn text_floats_are_floats_too() {
    // `TYPE_FLOAT` text cannot spell a payload; its NaNs are `0x7FF8...` and `0xFFF8...`.
    for text in ["nan", "-nan", "NaN", "inf", "-inf", "1.5"] {
        let code = [
            ins(py::RESUME, 0),
            vec![(py::LOAD_CONST, 0), (py::RETURN_VALUE, 0)],
        ]
        .concat();
        let r = run_module(&module(&code, &consts(Const::Text(text))), Mode::Interp).unwrap();
        assert!(r.is_float() && r.to_bits() < TAG_MIN, "{text}: {r:?}");
    }
}

#[test]
fn complex_constants_are_refused_not_reinterpreted() {
    let code = [
        ins(py::RESUME, 0),
        vec![(py::LOAD_CONST, 0), (py::RETURN_VALUE, 0)],
    ]
    .concat();
    let e = run_module(
        &module(&code, &consts(Const::Complex(0xFFF9_0000_0000_0007))),
        Mode::Interp,
    )
    .expect_err("a complex constant was accepted");
    assert!(e.contains("'complex' are not supported"), "{e}");
}

/// An output sink the test can read after the driver has consumed the box.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// End to end through a `.pyc` file and the driver: `print(expr)` for every expression
/// prints `nan`, never a number, `True` or a crash.
#[test]
fn a_crafted_pyc_prints_nan() {
    let mut code = ins(py::RESUME, 0);
    let exprs = expressions();
    for (_, expr) in &exprs {
        code.extend([(py::PUSH_NULL, 0), (py::LOAD_NAME, 0)]);
        code.extend(expr);
        code.extend(ins(py::PRECALL, 1));
        code.extend(ins(py::CALL, 1));
        code.push((py::POP_TOP, 0));
    }
    code.extend([(py::LOAD_CONST, 4), (py::RETURN_VALUE, 0)]);
    let dir = std::env::temp_dir().join(format!("tiered-jit-nan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, bits) in NANS.into_iter().enumerate() {
        // The 3.11 header: magic 3495, `\r\n`, flags 0 (timestamp), mtime and size 0.
        let mut pyc = vec![0xA7, 0x0D, b'\r', b'\n'];
        pyc.extend([0; 12]);
        pyc.extend(module(&code, &consts(Const::Bits(bits))));
        let path: PathBuf = dir.join(format!("nan{i}.pyc"));
        std::fs::write(&path, pyc).unwrap();
        for mode in [Mode::Interp, Mode::Adaptive] {
            let out = Shared::default();
            let outcome = run_file(&path, &RunConfig::new(mode), Box::new(out.clone()));
            let printed = String::from_utf8(out.0.borrow().clone()).unwrap();
            assert_eq!(outcome.status, 0, "{bits:#018x}: {}", outcome.stderr);
            assert_eq!(
                printed,
                "nan\n".repeat(exprs.len()),
                "{mode:?}, {bits:#018x}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
