//! The stencil ABI as the stencil sources see it: the one signature every stencil has,
//! the holes (external symbols named `_JIT_*` that the patcher fills), and the macros
//! that keep a stencil to its body. The crate docs (`src/lib.rs`) describe the ABI from
//! the patcher's side.
//!
//! A stencil is `unsafe extern "C" fn(state, regs, i0, i1, i2, i3, f0, f1, f2, f3) ->
//! u64`. Under the System V ABI that puts `state` in `rdi`, `regs` in `rsi`, the integer
//! slots `i0..i3` in `rdx`, `rcx`, `r8`, `r9` and the float slots `f0..f3` in
//! `xmm0..xmm3`: all ten arguments in registers, so a tail call to the continuation
//! passes every slot without touching memory, and a slot a stencil does not use stays in
//! its register.
#![allow(dead_code, non_upper_case_globals)]

/// The JIT state block (`jit_core::jit::JitState`), opaque to the samples.
pub type State = *mut core::ffi::c_void;
/// The trace's value slots in memory (the frame's register file).
pub type Regs = *mut u64;

extern "C" {
    // Operands are zero-sized so that, under the medium code model, LLVM treats them as
    // large data and loads their address with a `movabs` (a 64-bit hole).
    pub static _JIT_OPERAND0: [u8; 0];
    pub static _JIT_OPERAND1: [u8; 0];
    pub static _JIT_OPERAND2: [u8; 0];
    pub static _JIT_OPERAND3: [u8; 0];
    pub static _JIT_OPERAND4: [u8; 0];
    pub static _JIT_OPERAND5: [u8; 0];
    pub static _JIT_OPERAND6: [u8; 0];
    pub static _JIT_OPERAND7: [u8; 0];

    /// The next stencil.
    pub fn _JIT_CONTINUE(
        state: State,
        regs: Regs,
        i0: u64,
        i1: u64,
        i2: u64,
        i3: u64,
        f0: f64,
        f1: f64,
        f2: f64,
        f3: f64,
    ) -> u64;
    /// A branch's target (the loop header, a side trace).
    pub fn _JIT_JUMP_TARGET(
        state: State,
        regs: Regs,
        i0: u64,
        i1: u64,
        i2: u64,
        i3: u64,
        f0: f64,
        f1: f64,
        f2: f64,
        f3: f64,
    ) -> u64;
    /// A failing guard's exit stub. It gets the slots as they were before the stencil.
    pub fn _JIT_EXIT(
        state: State,
        regs: Regs,
        i0: u64,
        i1: u64,
        i2: u64,
        i3: u64,
        f0: f64,
        f1: f64,
        f2: f64,
        f3: f64,
    ) -> u64;
}

/// Defines a stencil: `stencil! { fn NAME(s, r, i0, i1, i2, i3, f0, f1, f2, f3) { .. } }`.
/// The body ends in `next!`, `jump!`, `exit!` or returns a `u64`.
macro_rules! stencil {
    ($(#[$m:meta])* fn $name:ident(
        $s:ident, $r:ident, $i0:ident, $i1:ident, $i2:ident, $i3:ident,
        $f0:ident, $f1:ident, $f2:ident, $f3:ident
    ) $body:block) => {
        $(#[$m])*
        #[no_mangle]
        #[allow(unused_variables)]
        pub unsafe extern "C" fn $name(
            $s: $crate::abi::State, $r: $crate::abi::Regs,
            $i0: u64, $i1: u64, $i2: u64, $i3: u64,
            $f0: f64, $f1: f64, $f2: f64, $f3: f64,
        ) -> u64 $body
    };
}

/// Operand `n` (a literal 0..7) as a `u64`: the address of the zero-sized hole.
macro_rules! operand {
    (0) => {
        &raw const $crate::abi::_JIT_OPERAND0 as u64
    };
    (1) => {
        &raw const $crate::abi::_JIT_OPERAND1 as u64
    };
    (2) => {
        &raw const $crate::abi::_JIT_OPERAND2 as u64
    };
    (3) => {
        &raw const $crate::abi::_JIT_OPERAND3 as u64
    };
    (4) => {
        &raw const $crate::abi::_JIT_OPERAND4 as u64
    };
    (5) => {
        &raw const $crate::abi::_JIT_OPERAND5 as u64
    };
    (6) => {
        &raw const $crate::abi::_JIT_OPERAND6 as u64
    };
    (7) => {
        &raw const $crate::abi::_JIT_OPERAND7 as u64
    };
}

/// A runtime helper whose address is operand `n`, as a function pointer of type `T`
/// (`helper!(0 as unsafe extern "C" fn(State, u64) -> u64)`). LLVM calls it with
/// `call rel32` against the operand hole; the patcher reaches a helper farther than
/// ±2 GiB through a veneer.
macro_rules! helper {
    ($n:tt as $t:ty) => {
        core::mem::transmute::<usize, $t>(operand!($n) as usize)
    };
}

/// Tail-calls the continuation with the slots given.
macro_rules! next {
    ($($a:expr),* $(,)?) => { return $crate::abi::_JIT_CONTINUE($($a),*) };
}

/// Tail-calls the jump target with the slots given.
macro_rules! jump {
    ($($a:expr),* $(,)?) => { return $crate::abi::_JIT_JUMP_TARGET($($a),*) };
}

/// Tail-calls the exit with the slots given.
macro_rules! exit {
    ($($a:expr),* $(,)?) => { return $crate::abi::_JIT_EXIT($($a),*) };
}
