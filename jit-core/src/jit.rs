//! The interface compiled code attaches through: the [`Backend`] and [`Executor`] traits
//! a code generator implements, the `#[repr(C)]` [`JitState`] block compiled code runs
//! against, and the `extern "C"` helper ABI ([`Helpers`]) through which it calls the
//! core's generic operations and the frontend's [`Semantics`].
//!
//! # How a loop gets compiled code
//!
//! Tier 1 counts every loop's back edge in the backward `Jump`'s cache
//! ([`crate::tier1::HOT_LOOP`]). When the count runs out and a backend is attached
//! ([`crate::interp::Vm::attach_backend`]), the VM asks it for an executor for that loop
//! ([`Backend::compile_loop`]). An executor it returns is kept by the VM, and the `Jump`
//! is rewritten to `JumpExecutor` with the executor's slot in its cache's `aux`, as
//! CPython's `ENTER_EXECUTOR` replaces `JUMP_BACKWARD`. From then on every back edge enters
//! the executor at the loop header with the frame's registers in a [`JitState`].
//!
//! # Leaving compiled code
//!
//! An executor returns an [`Exit`]: the instruction to resume at and whether an
//! exception is pending. Before it returns it writes every value tier 1 needs back into
//! the frame (locals, and the operand stack up to `JitState::sp`), so that the frame
//! looks exactly as the interpreter would have left it at that instruction: the
//! operand-stack depth there must be the verifier's ([`crate::bytecode::Code::stack_depth`]),
//! which the VM checks.
//!
//! # Helpers
//!
//! Compiled code reaches everything it does not do inline through [`Helpers`], one table
//! of `extern "C"` trampolines per frontend, monomorphized over its `Semantics`. Values
//! cross the boundary as their `u64` bits. A helper that raises stores the exception in
//! the VM, sets `JitState::pending_exception`, and returns [`Value::EMPTY`]'s bits (or
//! the documented error code); the compiled code must then exit with
//! [`Exit::status`] = [`EXIT_ERROR`] without touching the result. A helper that can collect
//! treats the stack below `JitState::sp`, the globals and the roots as the roots: values
//! compiled code keeps elsewhere (in registers) must be written back first, or be
//! values the collector cannot free (floats, inline ints).

use alloc::boxed::Box;
use core::ffi::c_void;

use alloc::string::String;

use crate::bytecode::{BinOp, CmpOp, CodeId, Module, UnOp};
use crate::heap::{Heap, Obj};
use crate::interp::VmCore;
use crate::ops;
use crate::semantics::{Exception, Semantics};
use crate::stats::Stats;
use crate::tier2::Assumption;
use crate::value::Value;

/// What a backend is told about a loop that became hot, and what it may use to compile
/// it: the program, the heap and globals as they are now (to read the type feedback and
/// the values a trace may assume), the statistics, and the dump log.
pub struct LoopSite<'a> {
    /// The program.
    pub module: &'a Module,
    /// The heap.
    pub heap: &'a Heap,
    /// The global slots.
    pub globals: &'a [Value],
    /// The code object holding the loop.
    pub code: CodeId,
    /// The loop header, where compiled code is entered.
    pub header_pc: usize,
    /// The backward `Jump` that closes the loop (and will enter the executor).
    pub jump_pc: usize,
    /// The hotness threshold (`--hot`), for the backend's own counters (side exits).
    pub hot: u16,
    /// Tier 2's optimizer settings (`--opt`, `--dump opt`).
    pub opt: crate::tier2::OptConfig,
    /// The engine's counters, for the backend's.
    pub stats: &'a mut Stats,
    /// Where `--dump` output goes, when it was asked for.
    pub log: Option<&'a mut String>,
    /// A monotonic clock in nanoseconds, when the embedder gave one.
    pub clock: Option<fn() -> u64>,
    /// Statistics are collected (`--stats`): compiled code counts the uops and guards it
    /// runs (`Stats::tier2`), which it need not do otherwise.
    pub counting: bool,
}

/// A code generator: turns a hot loop into an [`Executor`].
pub trait Backend {
    /// The name `--mode` and dumps use.
    fn name(&self) -> &'static str;

    /// The backward `Jump` at `site.jump_pc` of code object `site.code`, which goes to the
    /// loop header `site.header_pc`, became hot. Returns an executor to enter at the
    /// header from now on, or `None` to leave the loop to tier 1 (it is asked again after
    /// a backoff).
    fn compile_loop(&mut self, site: &mut LoopSite<'_>) -> Option<Box<dyn Executor>>;
}

/// Compiled code for one loop.
pub trait Executor {
    /// A name for dumps and statistics.
    fn name(&self) -> &str;

    /// What the code assumed that tier 1 does not check for it; the VM watches each and
    /// calls [`Executor::invalidate`] when one stops holding.
    fn assumptions(&self) -> &[Assumption] {
        &[]
    }

    /// An assumption stopped holding: the VM no longer enters this executor and drops it
    /// once no frame runs it. A run in progress must leave at its next check.
    fn invalidate(&self) {}

    /// Runs the loop from its header.
    ///
    /// It may leave in a deeper frame than it was entered in (a trace that followed a
    /// call exits inside the callee): it then pushes those frames on the VM (the core's
    /// exit code does this for the uop interpreter) and returns a resume point in the
    /// innermost one.
    ///
    /// # Safety
    ///
    /// `state` describes the running frame of the code object the executor was compiled
    /// for, stopped at the loop header it was compiled for: `locals` is the frame's base,
    /// `sp` its operand-stack top, the stack, globals and helpers are the VM's, and `vm`
    /// and `sem` point to the running VM and its semantics. The implementation must keep
    /// the frame valid (see the module docs) and return only a resume point inside the
    /// code object.
    unsafe fn enter(&self, state: &mut JitState) -> Exit;
}

/// How compiled code left: resume tier 1 at instruction `pc` with the frame as written
/// back, or unwind the pending exception.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    /// The instruction tier 1 resumes at.
    pub pc: u32,
    /// [`EXIT_RESUME`] or [`EXIT_ERROR`].
    pub status: u32,
}

/// [`Exit::status`]: resume at `pc`.
pub const EXIT_RESUME: u32 = 0;
/// [`Exit::status`]: a helper raised; the VM unwinds the exception it holds.
pub const EXIT_ERROR: u32 = 1;

/// The state block compiled code runs against. The field order is part of the ABI (a
/// test pins the offsets).
#[repr(C)]
#[derive(Debug)]
pub struct JitState {
    /// The value stack's first slot.
    pub stack_base: *mut Value,
    /// One past the value stack's last slot.
    pub stack_end: *mut Value,
    /// The running frame's locals (its base).
    pub locals: *mut Value,
    /// The running frame's operand-stack top (one past the last value).
    pub sp: *mut Value,
    /// The global slots.
    pub globals: *mut Value,
    /// The globals' version ([`VmCore::globals_version`]); compiled code that relies on
    /// a global's value compares it with the version it was compiled at.
    pub globals_version: *const u64,
    /// Bytes allocated since the last collection. With `gc_threshold`, the inline
    /// safepoint check: when `*gc_allocated >= *gc_threshold`, call
    /// [`Helpers::safepoint`].
    pub gc_allocated: *const usize,
    /// The allocation volume that triggers the next collection.
    pub gc_threshold: *const usize,
    /// Non-zero when a helper raised (the exception waits in the VM).
    pub pending_exception: u32,
    /// Spare, zero.
    pub reserved: u32,
    /// The helper table of the running frontend.
    pub helpers: *const Helpers,
    /// The running VM, for the helpers.
    pub vm: *mut VmCore,
    /// The running frontend's `Semantics`, type-erased, for the helpers.
    pub sem: *mut c_void,
}

/// The `extern "C"` helpers compiled code calls. Each takes the state block first.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Helpers {
    /// `a op b` ([`crate::ops::binary`]: the core's fast paths, then the frontend's).
    /// Returns the result's bits, or [`Value::EMPTY`]'s when it raised.
    pub binary: unsafe extern "C" fn(*mut JitState, u32, u64, u64) -> u64,
    /// `a op b` for a [`CmpOp`] ([`crate::ops::compare`]); as `binary`.
    pub compare: unsafe extern "C" fn(*mut JitState, u32, u64, u64) -> u64,
    /// The truth of a value: 0 false, 1 true, 2 raised.
    pub truthy: unsafe extern "C" fn(*mut JitState, u64) -> u32,
    /// A safepoint: collects when due, with the stack below `sp` as roots. 0, or 1 when
    /// it raised (the language's memory error).
    pub safepoint: unsafe extern "C" fn(*mut JitState) -> u32,
    /// Boxes an `i64` that does not fit inline.
    pub box_int: unsafe extern "C" fn(*mut JitState, i64) -> u64,
    /// `op v` for a [`UnOp`] ([`crate::ops::unary`]); as `binary`.
    pub unary: unsafe extern "C" fn(*mut JitState, u32, u64) -> u64,
    /// Calls the builtin below the `argc` arguments that end at the state's `sp`; as
    /// `binary`. The builtin may run guest code (and collect): the stack below `sp` is
    /// rooted.
    pub call_native: unsafe extern "C" fn(*mut JitState, u32) -> u64,
    /// The language's call-depth limit ([`Semantics::max_call_depth`]).
    pub max_call_depth: unsafe extern "C" fn(*mut JitState) -> u64,
    /// An iterator over a value ([`crate::ops::get_iter`]); as `binary`.
    pub get_iter: unsafe extern "C" fn(*mut JitState, u64) -> u64,
    /// Advances the iterator just below the state's `sp` (the core's own inline, others
    /// through [`Semantics::iter_next`], which may run guest code and collect: the stack
    /// below `sp` is rooted). Returns the item, or [`Value::EMPTY`]'s bits with no
    /// exception pending when it is exhausted; as `binary` when it raised.
    pub iter_next: unsafe extern "C" fn(*mut JitState) -> u64,
    /// Runs instruction `op` (an [`crate::bytecode::Op`] whose family [`slow_op_ok`]
    /// accepts) with operand `a` by its generic behaviour on the operands just below the
    /// state's `sp`, which it leaves in place; `name` is the bits of the name constant the
    /// attribute and method instructions use. Returns the result (`Value::NIL`'s bits for
    /// an instruction that pushes none); as `binary` when it raised. It may run guest code
    /// and collect: the stack below `sp` is rooted.
    pub slow_op: unsafe extern "C" fn(*mut JitState, u32, u32, u64) -> u64,
}

/// True for the instructions [`Helpers::slow_op`] runs: generic operations with a fixed
/// stack effect (one result at most) and no control flow.
pub fn slow_op_ok(op: crate::bytecode::Op) -> bool {
    use crate::bytecode::Op;
    matches!(
        op,
        Op::Call
            | Op::CallMethod
            | Op::Index
            | Op::StoreIndex
            | Op::StoreSubscr
            | Op::LoadAttr
            | Op::StoreAttr
            | Op::ContainsOp
            | Op::BuildSlice
    )
}

/// True for the instructions [`Helpers::slow_op`] runs with the heap alone (the index,
/// store, attribute and slice families: `slow_op_helper` hands their slow paths
/// `vm.heap_mut()`, never the `VmCore`): they may allocate, collect and change objects,
/// but cannot run guest code or store a global, so they never invalidate a trace.
pub fn slow_op_heap_only(op: crate::bytecode::Op) -> bool {
    use crate::bytecode::Op;
    matches!(
        op,
        Op::Index
            | Op::StoreIndex
            | Op::StoreSubscr
            | Op::LoadAttr
            | Op::StoreAttr
            | Op::BuildSlice
    )
}

impl Helpers {
    /// The trampolines for semantics `S`.
    pub fn new<S: Semantics>() -> Helpers {
        Helpers {
            binary: binary_helper::<S>,
            compare: compare_helper::<S>,
            truthy: truthy_helper::<S>,
            safepoint: safepoint_helper::<S>,
            box_int: box_int_helper,
            unary: unary_helper::<S>,
            call_native: call_native_helper::<S>,
            max_call_depth: max_call_depth_helper::<S>,
            get_iter: get_iter_helper::<S>,
            iter_next: iter_next_helper::<S>,
            slow_op: slow_op_helper::<S>,
        }
    }
}

/// The VM, the semantics and the state behind a helper's state pointer.
///
/// # Safety
///
/// `st` must be the state block the VM built for the running executor (see
/// [`Executor::enter`]): valid, and its `vm` and `sem` point to the running VM and to
/// its semantics of type `S`, neither otherwise borrowed while the helper runs.
unsafe fn parts<'a, S: Semantics>(
    st: *mut JitState,
) -> (&'a mut JitState, &'a mut VmCore, &'a mut S) {
    // SAFETY: the caller's promise (above).
    unsafe {
        let state = &mut *st;
        let vm = &mut *state.vm;
        let sem = &mut *state.sem.cast::<S>();
        (state, vm, sem)
    }
}

/// Records `e` as the pending exception and returns [`Value::EMPTY`]'s bits.
fn raise(state: &mut JitState, vm: &mut VmCore, e: Exception) -> u64 {
    vm.set_pending(e);
    state.pending_exception = 1;
    Value::EMPTY.to_bits()
}

/// The stack height below the state's `sp`, which a helper that may run guest code
/// hands the VM (everything below stays rooted).
fn height(state: &JitState) -> usize {
    // SAFETY: `sp` and `stack_base` point into the VM's value stack (the state block's
    // contract).
    unsafe { state.sp.offset_from(state.stack_base) as usize }
}

unsafe extern "C" fn binary_helper<S: Semantics>(
    st: *mut JitState,
    op: u32,
    a: u64,
    b: u64,
) -> u64 {
    // SAFETY: compiled code passes the state block of the running executor.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let Some(op) = BinOp::from_u32(op) else {
        return raise(
            state,
            vm,
            Exception::msg("internal error: bad binary operator"),
        );
    };
    // SAFETY: compiled code passes bits of live values it read from the frame or got
    // from helpers since the last safepoint.
    let (a, b) = unsafe { (Value::from_bits(a), Value::from_bits(b)) };
    vm.set_sp_hint(height(state));
    match ops::binary(vm.heap_mut(), sem, op, a, b) {
        Ok(v) => v.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn compare_helper<S: Semantics>(
    st: *mut JitState,
    op: u32,
    a: u64,
    b: u64,
) -> u64 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let Some(op) = CmpOp::from_u32(op) else {
        return raise(state, vm, Exception::msg("internal error: bad comparison"));
    };
    // SAFETY: as in `binary_helper`.
    let (a, b) = unsafe { (Value::from_bits(a), Value::from_bits(b)) };
    match ops::compare(vm.heap_mut(), sem, op, a, b) {
        Ok(v) => v.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn truthy_helper<S: Semantics>(st: *mut JitState, v: u64) -> u32 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    // SAFETY: as in `binary_helper`.
    let v = unsafe { Value::from_bits(v) };
    match ops::truthy(vm.heap_mut(), sem, v) {
        Ok(t) => t as u32,
        Err(e) => {
            raise(state, vm, e);
            2
        }
    }
}

unsafe extern "C" fn safepoint_helper<S: Semantics>(st: *mut JitState) -> u32 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let h = height(state);
    match vm.safepoint_at(sem, h) {
        Ok(()) => 0,
        Err(e) => {
            raise(state, vm, e);
            1
        }
    }
}

unsafe extern "C" fn unary_helper<S: Semantics>(st: *mut JitState, op: u32, v: u64) -> u64 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let Some(op) = UnOp::from_u32(op) else {
        return raise(
            state,
            vm,
            Exception::msg("internal error: bad unary operator"),
        );
    };
    // SAFETY: as in `binary_helper`.
    let v = unsafe { Value::from_bits(v) };
    match ops::unary(vm.heap_mut(), sem, op, v) {
        Ok(r) => r.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn call_native_helper<S: Semantics>(st: *mut JitState, argc: u32) -> u64 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let argc = argc as usize;
    let h = height(state);
    let Some(callee_at) = h.checked_sub(argc + 1) else {
        return raise(state, vm, Exception::msg("internal error: bad native call"));
    };
    // SAFETY: compiled code flushed the callee and its `argc` arguments just below `sp`,
    // inside the value stack; nothing writes below `sp` while the slice lives.
    let (callee, args) = unsafe {
        let base = state.stack_base.add(callee_at);
        (*base, core::slice::from_raw_parts(base.add(1), argc))
    };
    let id = match vm.heap().get(callee) {
        Some(Obj::Native(n)) => n.id,
        _ => return raise(state, vm, Exception::msg("internal error: not a builtin")),
    };
    vm.set_sp_hint(h);
    match sem.call_native(vm, id, args) {
        Ok(v) => v.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn get_iter_helper<S: Semantics>(st: *mut JitState, v: u64) -> u64 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    // SAFETY: as in `binary_helper`.
    let v = unsafe { Value::from_bits(v) };
    match ops::get_iter(vm.heap_mut(), sem, v) {
        Ok(it) => it.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn iter_next_helper<S: Semantics>(st: *mut JitState) -> u64 {
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let h = height(state);
    if h == 0 {
        return raise(state, vm, Exception::msg("internal error: no iterator"));
    }
    // SAFETY: compiled code flushed the iterator just below `sp`, inside the stack.
    let it = unsafe { *state.stack_base.add(h - 1) };
    let next = match ops::core_iter_next(vm.heap_mut(), it) {
        Some(r) => Ok(r),
        None => {
            vm.set_sp_hint(h);
            sem.iter_next(vm, it)
        }
    };
    match next {
        Ok(Some(v)) => v.to_bits(),
        Ok(None) => Value::EMPTY.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn slow_op_helper<S: Semantics>(
    st: *mut JitState,
    op: u32,
    a: u32,
    name: u64,
) -> u64 {
    use crate::bytecode::Op;
    // SAFETY: as in `binary_helper`.
    let (state, vm, sem) = unsafe { parts::<S>(st) };
    let op = Op::ALL.get(op as usize).copied().filter(|&o| slow_op_ok(o));
    let Some(op) = op else {
        return raise(
            state,
            vm,
            Exception::msg("internal error: bad slow operation"),
        );
    };
    let ins = crate::bytecode::Instr::new(op, a);
    let pops = crate::optable::stack_effect(ins).pops as usize;
    let h = height(state);
    let Some(at) = h.checked_sub(pops) else {
        return raise(
            state,
            vm,
            Exception::msg("internal error: slow operation underflow"),
        );
    };
    // SAFETY: compiled code flushed the instruction's `pops` operands just below `sp`,
    // inside the value stack; nothing writes below `sp` while the slice lives (nested
    // guest frames start at `sp`).
    let v = unsafe { core::slice::from_raw_parts(state.stack_base.add(at), pops) };
    // SAFETY: the name is a constant of the module (rooted, never moved) when the
    // instruction takes one; only the attribute and method instructions read it.
    let name = unsafe { crate::interp::const_str(vm.heap(), Value::from_bits(name)) };
    vm.set_sp_hint(h);
    let r = match op {
        Op::Call => {
            let argc = a as usize;
            // SAFETY: everything the core holds is on the stack below `sp` (the frame was
            // flushed), and the result is used at once.
            unsafe { vm.call_value(sem, v[0], &v[1..=argc]) }
        }
        Op::CallMethod => {
            let argc = (a & 0xFF) as usize;
            sem.call_method(vm, v[0], name, &v[1..=argc], None)
        }
        Op::Index => ops::index(vm.heap_mut(), sem, v[0], v[1]),
        Op::StoreIndex => {
            ops::store_index(vm.heap_mut(), sem, v[0], v[1], v[2]).map(|()| Value::NIL)
        }
        Op::StoreSubscr => {
            ops::store_index(vm.heap_mut(), sem, v[1], v[2], v[0]).map(|()| Value::NIL)
        }
        Op::LoadAttr => sem.load_attr(vm.heap_mut(), v[0], name),
        Op::StoreAttr => sem
            .store_attr(vm.heap_mut(), v[1], name, v[0])
            .map(|()| Value::NIL),
        Op::ContainsOp => sem
            .contains(vm, v[1], v[0])
            .map(|r| Value::bool(r != (a == 1))),
        _ => sem.build_slice(vm.heap_mut(), v),
    };
    match r {
        Ok(v) => v.to_bits(),
        Err(e) => raise(state, vm, e),
    }
}

unsafe extern "C" fn max_call_depth_helper<S: Semantics>(st: *mut JitState) -> u64 {
    // SAFETY: as in `binary_helper`.
    let (_, _, sem) = unsafe { parts::<S>(st) };
    sem.max_call_depth() as u64
}

unsafe extern "C" fn box_int_helper(st: *mut JitState, i: i64) -> u64 {
    // SAFETY: `st` is the running executor's state block, whose `vm` is the running VM.
    let vm = unsafe { &mut *(*st).vm };
    vm.heap_mut().int(i).to_bits()
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::offset_of;

    #[test]
    fn the_state_block_layout_is_the_abi() {
        assert_eq!(offset_of!(JitState, stack_base), 0);
        assert_eq!(offset_of!(JitState, stack_end), 8);
        assert_eq!(offset_of!(JitState, locals), 16);
        assert_eq!(offset_of!(JitState, sp), 24);
        assert_eq!(offset_of!(JitState, globals), 32);
        assert_eq!(offset_of!(JitState, globals_version), 40);
        assert_eq!(offset_of!(JitState, gc_allocated), 48);
        assert_eq!(offset_of!(JitState, gc_threshold), 56);
        assert_eq!(offset_of!(JitState, pending_exception), 64);
        assert_eq!(offset_of!(JitState, helpers), 72);
        assert_eq!(offset_of!(JitState, vm), 80);
        assert_eq!(offset_of!(JitState, sem), 88);
        assert_eq!(core::mem::size_of::<Exit>(), 8);
    }
}
