//! Values an instruction is still using stay rooted while a slow path that can run
//! guest code, and so collect, is running. Each test hands an instruction a fresh host
//! object held by nothing but the operand stack, and its slow path collects and then
//! checks the object was not freed.

use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;

use jit_core::bytecode::{BinOp, CmpOp, Code, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::{Heap, HostObject, NativeObj, Obj};
use jit_core::interp::{Mode, Vm, VmCore};
use jit_core::semantics::{Exception, Overflow, Semantics};
use jit_core::value::Value;

/// A host object that records when the collector frees it.
struct Probe(Rc<Cell<bool>>);

impl HostObject for Probe {
    fn type_name(&self) -> &'static str {
        "probe"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// The semantics: builtin 0 makes a probe; every slow path that may run guest code
/// collects, then fails if its operand was freed.
struct Sem {
    freed: Rc<Cell<bool>>,
    collections: usize,
}

impl Sem {
    fn collect_and_check(&mut self, vm: &mut VmCore) -> Result<(), Exception> {
        // SAFETY: the test's slow paths use no object value after this (they check a
        // flag), and the core keeps the operands it passed on the stack.
        unsafe { vm.collect_now(self) };
        self.collections += 1;
        if self.freed.get() {
            return Err(Exception::msg(
                "operand freed while its instruction was running",
            ));
        }
        Ok(())
    }
}

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
        _: BinOp,
        _: Value,
        _: Value,
    ) -> Result<Value, Exception> {
        Err(Exception::msg("unsupported operand"))
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
        Err(Exception::msg("unsupported comparison"))
    }
    fn unary_slow(&mut self, _: &mut Heap, _: UnOp, _: Value) -> Result<Value, Exception> {
        Err(Exception::msg("unsupported operand"))
    }
    fn truthy_slow(&mut self, _: &mut Heap, _: Value) -> Result<bool, Exception> {
        Ok(true)
    }
    fn index_slow(&mut self, _: &mut Heap, _: Value, _: Value) -> Result<Value, Exception> {
        Err(Exception::msg("bad index"))
    }
    fn store_index_slow(
        &mut self,
        _: &mut Heap,
        _: Value,
        _: Value,
        _: Value,
    ) -> Result<(), Exception> {
        Err(Exception::msg("bad index"))
    }
    fn call_native(&mut self, vm: &mut VmCore, _: u32, _: &[Value]) -> Result<Value, Exception> {
        Ok(vm
            .heap_mut()
            .alloc(Obj::Host(Box::new(Probe(self.freed.clone())))))
    }
    fn call_slow(&mut self, _: &mut VmCore, _: Value, _: &[Value]) -> Result<Value, Exception> {
        Err(Exception::msg("not callable"))
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
    fn global_empty(&mut self, heap: &mut Heap, _: &str) -> Result<Value, Exception> {
        Ok(heap.alloc(Obj::Native(NativeObj {
            id: 0,
            name: "probe".into(),
            pure_on_numbers: false,
            float_on_numbers: false,
        })))
    }
    fn unpack(&mut self, vm: &mut VmCore, _: Value, n: usize) -> Result<Vec<Value>, Exception> {
        self.collect_and_check(vm)?;
        Ok(vec![Value::small_int(7); n])
    }
    fn list_extend(&mut self, vm: &mut VmCore, _: Value, _: Value) -> Result<(), Exception> {
        self.collect_and_check(vm)
    }
    fn contains(&mut self, vm: &mut VmCore, _: Value, _: Value) -> Result<bool, Exception> {
        self.collect_and_check(vm)?;
        Ok(true)
    }
    fn format_value(
        &mut self,
        vm: &mut VmCore,
        _: Value,
        _: u32,
        _: Option<Value>,
    ) -> Result<Value, Exception> {
        self.collect_and_check(vm)?;
        Ok(Value::NIL)
    }
}

/// Runs `body` (instructions that use the probe `LoadGlobal 0; Call 0` leaves on the
/// stack) in both interpreters, and returns how many collections the slow paths ran.
fn run_with_probe(body: &[Instr]) -> usize {
    let mut total = 0;
    for mode in [Mode::Interp, Mode::Adaptive] {
        let mut instrs = vec![Instr::new(Op::LoadGlobal, 0), Instr::new(Op::Call, 0)];
        instrs.extend_from_slice(body);
        instrs.extend([Instr::new(Op::LoadNil, 0), Instr::new(Op::Return, 0)]);
        let n = instrs.len();
        let code = Code::new("main", instrs, vec![Loc::default(); n], vec![], 0, 2);
        let module = Module {
            file_name: "t".into(),
            codes: vec![code],
            global_names: vec!["probe".into()],
            global_init: vec![Value::EMPTY],
            entry: 0,
        };
        let freed = Rc::new(Cell::new(false));
        let sem = Sem {
            freed: freed.clone(),
            collections: 0,
        };
        let mut vm = Vm::new(module, sem, heap(), mode).unwrap();
        if let Err(e) = run_vm(&mut vm) {
            panic!("{} [{}]", e.message, mode.name());
        }
        total += vm.sem().collections;
    }
    total
}

#[test]
fn unpacking_keeps_its_sequence_rooted() {
    let body = [
        Instr::new(Op::UnpackSequence, 2),
        Instr::new(Op::StoreLocal, 0),
        Instr::new(Op::StoreLocal, 1),
    ];
    assert_eq!(run_with_probe(&body), 2);
}

#[test]
fn in_place_add_to_a_list_keeps_both_operands_rooted() {
    // `[] += probe`: the list extension may run guest code.
    let body = [
        Instr::new(Op::BuildArray, 0),
        Instr::new(Op::Swap, 0),
        Instr::new(Op::Binary, BinOp::InplaceAdd as u32),
        Instr::new(Op::Pop, 0),
    ];
    assert_eq!(run_with_probe(&body), 2);
}

#[test]
fn membership_keeps_both_operands_rooted() {
    // `1 in probe` and `probe in probe`.
    let body = [
        Instr::new(Op::Dup, 0),
        Instr::new(Op::ContainsOp, 0),
        Instr::new(Op::Pop, 0),
    ];
    assert_eq!(run_with_probe(&body), 2);
}

#[test]
fn list_extension_keeps_its_operands_rooted() {
    // `[*probe]`.
    let body = [
        Instr::new(Op::BuildArray, 0),
        Instr::new(Op::Swap, 0),
        Instr::new(Op::ListExtend, 1),
        Instr::new(Op::Pop, 0),
    ];
    assert_eq!(run_with_probe(&body), 2);
}

#[test]
fn formatting_keeps_its_operand_rooted() {
    // `f"{probe}"`.
    let body = [Instr::new(Op::FormatValue, 0), Instr::new(Op::Pop, 0)];
    assert_eq!(run_with_probe(&body), 2);
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
