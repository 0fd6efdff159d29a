//! NaN payloads never become tagged values: floats whose NaN bits would read as a small
//! int, an object pointer or a special, and signaling or positive NaNs that arithmetic
//! turns into such bits (x86 quiets a signaling NaN and keeps its payload; negation flips
//! the sign bit), all stay floats, through `Value::float` and through the core's
//! arithmetic in the generic interpreter and in tier 1's specialized forms.

use std::hint::black_box;

use jit_core::bytecode::{BinOp, CmpOp, Code, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::Heap;
use jit_core::interp::{Mode, Vm, VmCore};
use jit_core::semantics::{Exception, Overflow, Semantics};
use jit_core::value::{Value, TAG_MIN};

/// NaNs whose bits are tagged values: the small int 7, an object pointer, `true` and the
/// empty marker, and the largest pattern.
const TAGGED: [u64; 5] = [
    0xFFF9_0000_0000_0007,
    0xFFFA_0000_1234_5678,
    0xFFFB_0000_0000_0003,
    0xFFFB_0000_0000_0004,
    0xFFFF_FFFF_FFFF_FFFF,
];

/// NaNs below `TAG_MIN` (so ordinary floats) that arithmetic turns into the patterns of
/// [`TAGGED`]: signaling NaNs with the sign bit (quieting sets bit 51), and their positive,
/// already quiet counterparts (negation sets the sign bit); plus the sign and quiet
/// variants that stay below `TAG_MIN` whatever happens to them.
const BELOW: [u64; 13] = [
    0xFFF1_0000_0000_0007,
    0xFFF2_0000_1234_5678,
    0xFFF3_0000_0000_0003,
    0xFFF3_0000_0000_0004,
    0x7FF9_0000_0000_0007,
    0x7FFA_0000_1234_5678,
    0x7FFB_0000_0000_0003,
    0x7FFB_0000_0000_0004,
    0x7FF1_0000_0000_0007,
    0x7FFF_FFFF_FFFF_FFFF,
    0xFFF8_0000_0000_0001,
    0xFFF8_0000_0000_0000,
    TAG_MIN - 1,
];

struct Sem;

impl Semantics for Sem {
    fn max_call_depth(&self) -> usize {
        100
    }
    fn stack_overflow(&mut self) -> Exception {
        Exception::msg("stack overflow")
    }
    fn binary_slow(
        &mut self,
        _: &mut Heap,
        op: BinOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Exception> {
        Err(Exception::msg(format!(
            "slow path: {a:?} {} {b:?}",
            op.symbol()
        )))
    }
    fn int_overflow(&mut self, _: &mut Heap, _: Overflow) -> Result<Value, Exception> {
        Err(Exception::msg("overflow"))
    }
    fn compare_slow(
        &mut self,
        _: &mut Heap,
        _: CmpOp,
        _: Value,
        _: Value,
    ) -> Result<Value, Exception> {
        Err(Exception::msg("compare slow path"))
    }
    fn unary_slow(&mut self, _: &mut Heap, _: UnOp, v: Value) -> Result<Value, Exception> {
        Err(Exception::msg(format!("unary slow path: {v:?}")))
    }
    fn truthy_slow(&mut self, _: &mut Heap, _: Value) -> Result<bool, Exception> {
        Ok(true)
    }
    fn index_slow(&mut self, _: &mut Heap, _: Value, _: Value) -> Result<Value, Exception> {
        Err(Exception::msg("index"))
    }
    fn store_index_slow(
        &mut self,
        _: &mut Heap,
        _: Value,
        _: Value,
        _: Value,
    ) -> Result<(), Exception> {
        Err(Exception::msg("store index"))
    }
    fn call_native(&mut self, _: &mut VmCore, _: u32, _: &[Value]) -> Result<Value, Exception> {
        Err(Exception::msg("call native"))
    }
    fn call_slow(&mut self, _: &mut VmCore, _: Value, _: &[Value]) -> Result<Value, Exception> {
        Err(Exception::msg("call"))
    }
    fn bind_arguments(
        &mut self,
        _: &mut Heap,
        _: Value,
        _: &Code,
        _: &[Value],
    ) -> Result<Vec<Value>, Exception> {
        Err(Exception::msg("arity"))
    }
    fn bad_for_bound(&mut self, _: &mut Heap, _: Value) -> Exception {
        Exception::msg("bound")
    }
    fn global_empty(&mut self, _: &mut Heap, _: &str) -> Result<Value, Exception> {
        Ok(Value::NIL)
    }
}

/// How many times the loop in [`run_op`] runs the operation: enough for tier 1 to warm
/// up, specialize, and run the specialized form many times.
const ITERATIONS: u32 = 20;

/// The operations under test, as the instructions that leave their result on the stack.
/// `LoadConst 0` is the crafted float `x`, `LoadConst 1` is `0.0`, `LoadConst 2` is `1.0`.
///
/// Each binary operation comes twice: as written, which tier 1 fuses with the load before
/// it (`LoadConstArith`, `LoadIntArith`), and with a `Nop` before the `Binary`, which
/// keeps it alone so that it specializes (`BinaryAddFloat`, `BinaryFloatMixed`, ...).
fn operations() -> Vec<(String, Vec<Instr>)> {
    let k = |i| Instr::new(Op::LoadConst, i);
    let int = |i| Instr::new(Op::LoadInt, i);
    let bin = |op: BinOp| Instr::new(Op::Binary, op as u32);
    let neg = Instr::new(Op::Unary, UnOp::Neg as u32);
    let binaries = [
        ("x + 0.0", [k(0), k(1)], BinOp::Add),
        ("0.0 + x", [k(1), k(0)], BinOp::Add),
        ("x - 0.0", [k(0), k(1)], BinOp::Sub),
        ("x * 1.0", [k(0), k(2)], BinOp::Mul),
        ("x / 1.0", [k(0), k(2)], BinOp::TrueDiv),
        ("x / 1.0 (truncating)", [k(0), k(2)], BinOp::DivTrunc),
        ("x % 1.0", [k(0), k(2)], BinOp::ModTrunc),
        ("x + 1", [k(0), int(1)], BinOp::Add),
        ("1 * x", [int(1), k(0)], BinOp::Mul),
        ("x - 1", [k(0), int(1)], BinOp::Sub),
    ];
    let mut ops = Vec::new();
    for (name, [a, b], op) in binaries {
        ops.push((name.to_string(), vec![a, b, bin(op)]));
        let nop = Instr::new(Op::Nop, 0);
        ops.push((format!("{name} (unfused)"), vec![a, b, nop, bin(op)]));
    }
    ops.push(("-x".into(), vec![k(0), neg]));
    ops.push((
        "+x".into(),
        vec![k(0), Instr::new(Op::Unary, UnOp::Pos as u32)],
    ));
    ops.push(("-(x + 0.0)".into(), vec![k(0), k(1), bin(BinOp::Add), neg]));
    ops
}

/// Runs `op` on the float with bits `x` [`ITERATIONS`] times in a loop and returns the
/// last result, and the quickened forms (specialized or fused) its instructions ended in.
fn run_op(mode: Mode, x: u64, op: &[Instr]) -> (Value, Vec<Op>) {
    // local 0: the counter; local 1: the result.
    let mut instrs = vec![
        Instr::new(Op::LoadInt, 0),
        Instr::new(Op::StoreLocal, 0),
        // Loop head.
        Instr::new(Op::LoadLocal, 0),
        Instr::new(Op::LoadInt, ITERATIONS),
        Instr::new(Op::Compare, CmpOp::Lt as u32),
    ];
    let exit_jump = instrs.len();
    instrs.push(Instr::new(Op::JumpIfFalse, 0));
    let op_start = instrs.len();
    instrs.extend_from_slice(op);
    instrs.extend([
        Instr::new(Op::StoreLocal, 1),
        Instr::new(Op::LoadLocal, 0),
        Instr::new(Op::LoadInt, 1),
        Instr::new(Op::Binary, BinOp::Add as u32),
        Instr::new(Op::StoreLocal, 0),
        Instr::new(Op::Jump, 2),
    ]);
    instrs[exit_jump].a = instrs.len() as u32;
    instrs.extend([Instr::new(Op::LoadLocal, 1), Instr::new(Op::Return, 0)]);
    let n = instrs.len();
    let consts = vec![
        Value::float(f64::from_bits(x)),
        Value::float(0.0),
        Value::float(1.0),
    ];
    let code = Code::new("main", instrs, vec![Loc::default(); n], consts, 0, 2);
    let module = Module {
        file_name: "nan".into(),
        codes: vec![code],
        global_names: vec![],
        global_init: vec![],
        entry: 0,
    };
    let mut vm = Vm::new(module, Sem, heap(), mode).expect("verifies");
    let r = run_vm(&mut vm).unwrap_or_else(|e| panic!("{mode:?}, x = {x:#018x}: {e:?}"));
    let code = &vm.module().codes[0];
    let quickened: Vec<Op> = (op_start..op_start + op.len())
        .map(|pc| code.instr(pc).op)
        .zip(op)
        .filter(|(now, was)| *now != was.op)
        .map(|(now, _)| now)
        .collect();
    (r, quickened)
}

#[test]
fn value_float_canonicalizes_nans_in_the_tag_space() {
    for bits in TAGGED {
        let v = Value::float(f64::from_bits(bits));
        assert!(v.is_float(), "{bits:#018x} became {v:?}");
        assert!(v.float_unchecked().is_nan());
        assert!(v.to_bits() < TAG_MIN);
    }
    for bits in BELOW {
        let v = Value::float(f64::from_bits(bits));
        assert!(v.is_float(), "{bits:#018x} became {v:?}");
        assert_eq!(
            v.to_bits(),
            bits,
            "a float below TAG_MIN is kept bit for bit"
        );
    }
}

/// The threat is real on this machine: without canonicalization these results would be
/// tagged values.
#[test]
#[cfg(target_arch = "x86_64")]
fn hardware_arithmetic_moves_nans_into_the_tag_space() {
    let sum = black_box(f64::from_bits(0xFFF1_0000_0000_0007)) + black_box(0.0);
    assert_eq!(sum.to_bits(), 0xFFF9_0000_0000_0007);
    let neg = -black_box(f64::from_bits(0x7FFA_0000_1234_5678));
    assert_eq!(neg.to_bits(), 0xFFFA_0000_1234_5678);
}

#[test]
fn core_arithmetic_never_makes_a_tagged_value_from_a_nan() {
    let mut forms = Vec::new();
    for mode in [Mode::Interp, Mode::Adaptive] {
        for (name, op) in operations() {
            for bits in TAGGED.iter().chain(BELOW.iter()) {
                let (r, quickened) = run_op(mode, *bits, &op);
                assert!(
                    r.is_float(),
                    "{mode:?}: {name} with x = {bits:#018x} gave {r:?} (bits {:#018x})",
                    r.to_bits()
                );
                assert!(r.float_unchecked().is_nan(), "{mode:?}: {name}: {r:?}");
                if mode == Mode::Interp {
                    assert!(quickened.is_empty(), "the generic interpreter quickened");
                }
                forms.extend(quickened);
            }
        }
    }
    // Tier 1's float paths all ran: the fused loads with arithmetic and the specialized
    // forms, not only the generic path.
    for form in [
        Op::LoadConstArith,
        Op::LoadIntArith,
        Op::BinaryAddFloat,
        Op::BinarySubFloat,
        Op::BinaryMulFloat,
        Op::BinaryFloatMixed,
        Op::UnaryNegNum,
    ] {
        assert!(forms.contains(&form), "{form:?} never ran");
    }
}

/// A fresh heap for one VM.
fn heap() -> Heap {
    // SAFETY: each test's heap is used only with the one VM it is given to, and its
    // values are dropped with that VM.
    unsafe { Heap::new() }
}

/// Runs the VM's program.
fn run_vm<S: Semantics>(vm: &mut Vm<S>) -> Result<Value, Exception> {
    // SAFETY: the test's semantics keep no values between calls, and afterwards the tests
    // read only the returned value (an inline int or a float) or the error, and the
    // VM's own state.
    unsafe { vm.run() }
}
