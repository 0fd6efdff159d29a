//! The compiled-code interface end to end: a backend attached to the VM is offered the
//! hot loop, its executor runs through the `extern "C"` helpers against the state
//! block, and tier 1 resumes where it exits, errors included.

use std::cell::Cell;
use std::rc::Rc;

use jit_core::bytecode::{BinOp, CmpOp, Code, CodeId, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::Heap;
use jit_core::interp::{Mode, Vm, VmCore};
use jit_core::jit::{Backend, Executor, Exit, JitState, LoopSite, EXIT_ERROR, EXIT_RESUME};
use jit_core::semantics::{Exception, Overflow, Semantics};
use jit_core::value::Value;

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
    fn call_native(&mut self, _: &mut VmCore, _: u32, _: &[Value]) -> Result<Value, Exception> {
        Err(Exception::msg("no builtins"))
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
    fn global_empty(&mut self, _: &mut Heap, _: &str) -> Result<Value, Exception> {
        Ok(Value::NIL)
    }
}

const HEADER: usize = 4;
const JUMP: usize = 12;
const EXIT: u32 = 13;

/// `i = 0; n = 1000; while i < n: i = i + 1; return i`.
fn counting_module() -> Module {
    let i = Instr::new;
    let instrs = vec![
        i(Op::LoadInt, 0),
        i(Op::StoreLocal, 0),
        i(Op::LoadInt, 1000),
        i(Op::StoreLocal, 1),
        i(Op::LoadLocal, 0), // HEADER
        i(Op::LoadLocal, 1),
        i(Op::Compare, CmpOp::Lt as u32),
        i(Op::JumpIfFalse, EXIT),
        i(Op::LoadLocal, 0),
        i(Op::LoadInt, 1),
        i(Op::Binary, BinOp::Add as u32),
        i(Op::StoreLocal, 0),
        i(Op::Jump, HEADER as u32), // JUMP
        i(Op::LoadLocal, 0),        // EXIT
        i(Op::Return, 0),
    ];
    let n = instrs.len();
    let code = Code::new("main", instrs, vec![Loc::default(); n], vec![], 0, 2);
    Module {
        file_name: "t".into(),
        codes: vec![code],
        global_names: vec![],
        global_init: vec![],
        entry: 0,
    }
}

/// What the test executor does.
#[derive(Clone, Copy, PartialEq)]
enum Plan {
    /// Runs the loop to its end through the helpers.
    Count,
    /// Adds nil, which the frontend refuses: the error must unwind.
    Fail,
    /// Exits with one value too many on the stack.
    BadFrame,
}

struct Loop {
    plan: Plan,
    entries: Rc<Cell<u32>>,
}

impl Executor for Loop {
    fn name(&self) -> &str {
        "test loop"
    }

    unsafe fn enter(&self, st: &mut JitState) -> Exit {
        self.entries.set(self.entries.get() + 1);
        // SAFETY: the VM passes the running frame of `counting_module`'s entry code, whose
        // locals 0 and 1 are `i` and `n`, and its helper table.
        unsafe {
            let h = &*st.helpers;
            let (mut i, n) = ((*st.locals).to_bits(), (*st.locals.add(1)).to_bits());
            let one = Value::small_int(1).to_bits();
            let step = if self.plan == Plan::Fail {
                Value::NIL.to_bits()
            } else {
                one
            };
            loop {
                let lt = (h.compare)(st, CmpOp::Lt as u32, i, n);
                if st.pending_exception != 0 {
                    return Exit {
                        pc: 0,
                        status: EXIT_ERROR,
                    };
                }
                if (h.truthy)(st, lt) != 1 {
                    break;
                }
                i = (h.binary)(st, BinOp::Add as u32, i, step);
                if st.pending_exception != 0 {
                    return Exit {
                        pc: 0,
                        status: EXIT_ERROR,
                    };
                }
                if (h.safepoint)(st) != 0 {
                    return Exit {
                        pc: 0,
                        status: EXIT_ERROR,
                    };
                }
            }
            *st.locals = Value::from_bits(i);
            if self.plan == Plan::BadFrame {
                *st.sp = Value::NIL;
                st.sp = st.sp.add(1);
            }
            Exit {
                pc: EXIT,
                status: EXIT_RESUME,
            }
        }
    }
}

struct Once {
    plan: Plan,
    entries: Rc<Cell<u32>>,
    asked: Rc<Cell<Asked>>,
}

impl Backend for Once {
    fn name(&self) -> &'static str {
        "test"
    }

    fn compile_loop(&mut self, site: &mut LoopSite<'_>) -> Option<Box<dyn Executor>> {
        self.asked
            .set(Some((site.code, site.header_pc, site.jump_pc)));
        Some(Box::new(Loop {
            plan: self.plan,
            entries: self.entries.clone(),
        }))
    }
}

/// Where the backend was asked to compile: code, loop header, jump.
type Asked = Option<(CodeId, usize, usize)>;

fn run(plan: Plan) -> (Result<Value, Exception>, u32, Asked, Vm<Sem>) {
    let entries = Rc::new(Cell::new(0));
    let asked = Rc::new(Cell::new(None));
    let mut vm = Vm::new(counting_module(), Sem, heap(), Mode::Adaptive).unwrap();
    vm.attach_backend(Box::new(Once {
        plan,
        entries: entries.clone(),
        asked: asked.clone(),
    }));
    let r = run_vm(&mut vm);
    (r, entries.get(), asked.get(), vm)
}

#[test]
fn a_hot_loop_runs_its_executor_and_tier_one_resumes_at_the_exit() {
    let (r, entries, asked, vm) = run(Plan::Count);
    assert_eq!(r.unwrap().as_small_int(), Some(1000));
    assert_eq!(asked, Some((0, HEADER, JUMP)));
    assert_eq!(entries, 1, "entered once, ran the rest of the loop");
    assert_eq!(vm.stats().executors, 1);
    assert_eq!(vm.module().codes[0].instr(JUMP).op, Op::JumpExecutor);
}

#[test]
fn an_exception_raised_in_a_helper_unwinds_from_compiled_code() {
    let (r, entries, _, _) = run(Plan::Fail);
    let e = r.expect_err("adding nil must fail");
    assert_eq!(e.message, "unsupported operand");
    assert_eq!(entries, 1);
    assert!(!e.traceback.is_empty());
}

#[test]
fn an_exit_with_a_frame_tier_one_cannot_run_is_an_error() {
    let (r, _, _, _) = run(Plan::BadFrame);
    let e = r.expect_err("a bad frame must be refused");
    assert!(e.message.contains("bad frame"), "{}", e.message);
}

#[test]
fn without_a_backend_loops_are_not_counted() {
    let mut vm = Vm::new(counting_module(), Sem, heap(), Mode::Adaptive).unwrap();
    assert_eq!(run_vm(&mut vm).unwrap().as_small_int(), Some(1000));
    assert_eq!(vm.stats().hot_loops, 0);
    assert_eq!(vm.stats().executors, 0);
    assert_eq!(vm.module().codes[0].instr(JUMP).op, Op::Jump);
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
