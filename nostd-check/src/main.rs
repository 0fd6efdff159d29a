//! A `#![no_std]` `#![no_main]` program that links `jit-core` with its own panic handler
//! and global allocator and runs a small bytecode program. If anything in `jit-core`'s
//! dependency tree pulled in `std`, this would fail to link (duplicate `panic_impl`).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

use jit_core::bytecode::{BinOp, CmpOp, Code, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::Heap;
use jit_core::interp::{Mode, Vm, VmCore};
use jit_core::semantics::{Exception, Overflow, Semantics};
use jit_core::value::Value;

// The C library provides the process entry point that calls `main`.
#[link(name = "c")]
extern "C" {}

/// A bump allocator over a static arena: enough for this program, and no `std`.
struct Bump {
    arena: UnsafeCell<[u8; 1 << 22]>,
    next: AtomicUsize,
}

// SAFETY: allocations hand out disjoint ranges of the arena, reserved atomically.
unsafe impl Sync for Bump {}

// SAFETY: `alloc` returns properly aligned, disjoint, in-bounds blocks or null.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.arena.get() as usize;
        let mut cur = self.next.load(Ordering::Relaxed);
        loop {
            let start = (base + cur).next_multiple_of(layout.align()) - base;
            let end = start + layout.size();
            if end > 1 << 22 {
                return core::ptr::null_mut();
            }
            match self
                .next
                .compare_exchange(cur, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return (base + start) as *mut u8,
                Err(now) => cur = now,
            }
        }
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOC: Bump = Bump {
    arena: UnsafeCell::new([0; 1 << 22]),
    next: AtomicUsize::new(0),
};

// The prebuilt `alloc` of the stable toolchain is compiled with unwinding tables and
// names these two symbols. With `panic = "abort"` nothing ever unwinds, so they are
// never called; they only satisfy the linker.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

#[no_mangle]
extern "C" fn _Unwind_Resume() -> ! {
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

struct Sem;

fn fail() -> Exception {
    Exception::msg("unsupported")
}

impl Semantics for Sem {
    fn max_call_depth(&self) -> usize {
        100
    }
    fn stack_overflow(&mut self) -> Exception {
        fail()
    }
    fn binary_slow(
        &mut self,
        _: &mut Heap,
        _: BinOp,
        _: Value,
        _: Value,
    ) -> Result<Value, Exception> {
        Err(fail())
    }
    fn int_overflow(&mut self, _: &mut Heap, _: Overflow) -> Result<Value, Exception> {
        Err(fail())
    }
    fn compare_slow(
        &mut self,
        _: &mut Heap,
        _: CmpOp,
        _: Value,
        _: Value,
    ) -> Result<Value, Exception> {
        Err(fail())
    }
    fn unary_slow(&mut self, _: &mut Heap, _: UnOp, _: Value) -> Result<Value, Exception> {
        Err(fail())
    }
    fn truthy_slow(&mut self, _: &mut Heap, _: Value) -> Result<bool, Exception> {
        Ok(true)
    }
    fn index_slow(&mut self, _: &mut Heap, _: Value, _: Value) -> Result<Value, Exception> {
        Err(fail())
    }
    fn store_index_slow(
        &mut self,
        _: &mut Heap,
        _: Value,
        _: Value,
        _: Value,
    ) -> Result<(), Exception> {
        Err(fail())
    }
    fn call_native(&mut self, _: &mut VmCore, _: u32, _: &[Value]) -> Result<Value, Exception> {
        Err(fail())
    }
    fn call_slow(&mut self, _: &mut VmCore, _: Value, _: &[Value]) -> Result<Value, Exception> {
        Err(fail())
    }
    fn bind_arguments(
        &mut self,
        _: &mut Heap,
        _: Value,
        _: &Code,
        _: &[Value],
    ) -> Result<Vec<Value>, Exception> {
        Err(fail())
    }
    fn bad_for_bound(&mut self, _: &mut Heap, _: Value) -> Exception {
        fail()
    }
    fn global_empty(&mut self, _: &mut Heap, _: &str) -> Result<Value, Exception> {
        Ok(Value::NIL)
    }
}

/// Sums 0..100 in a loop and exits 0 if the result is 4950.
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    let instrs = vec![
        Instr::new(Op::LoadInt, 0),
        Instr::new(Op::StoreLocal, 0), // sum
        Instr::new(Op::LoadInt, 0),
        Instr::new(Op::StoreLocal, 1), // i
        Instr::new(Op::LoadLocal, 1),
        Instr::new(Op::LoadInt, 100),
        Instr::new(Op::Compare, CmpOp::Lt as u32),
        Instr::new(Op::JumpIfFalse, 17),
        Instr::new(Op::LoadLocal, 0),
        Instr::new(Op::LoadLocal, 1),
        Instr::new(Op::Binary, BinOp::Add as u32),
        Instr::new(Op::StoreLocal, 0),
        Instr::new(Op::LoadLocal, 1),
        Instr::new(Op::LoadInt, 1),
        Instr::new(Op::Binary, BinOp::Add as u32),
        Instr::new(Op::StoreLocal, 1),
        Instr::new(Op::Jump, 4),
        Instr::new(Op::LoadLocal, 0),
        Instr::new(Op::Return, 0),
    ];
    let n = instrs.len();
    let code = Code::new("main", instrs, vec![Loc::default(); n], vec![], 0, 2);
    let module = Module {
        file_name: "nostd".into(),
        codes: vec![code],
        global_names: vec![],
        global_init: vec![],
        entry: 0,
    };
    // SAFETY: the heap's values are used with it only, and none outlives `vm`.
    let heap = unsafe { Heap::new() };
    let Ok(mut vm) = Vm::with_stack(module, Sem, heap, Mode::Adaptive, 1 << 12) else {
        return 3;
    };
    // SAFETY: `Sem` keeps no values and never calls back into guest code; only the result
    // is used afterwards.
    match unsafe { vm.run() } {
        Ok(v) if v.as_small_int() == Some(4950) => 0,
        _ => 1,
    }
}
