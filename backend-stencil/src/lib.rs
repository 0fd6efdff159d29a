//! Tier 3, the copy-and-patch x86-64 backend (`--mode stencil`): stencils compiled by
//! rustc at build time, a patcher that stitches them into running code in executable
//! memory under W^X, and the [`executor::StencilBackend`] that compiles every hot loop's
//! trace tree with them ([`compile`] lays a trace out as stencils).
//!
//! # The pipeline
//!
//! `build.rs` writes two modules of the stencil crate from the core (the value encoding
//! and the state block's offsets; one generic stencil per row of the uop table), then
//! compiles `stencils/` (ordinary `#![no_std]` Rust, one `extern "C"` function per
//! stencil; `uops.rs` has the uops' own) with the rustc that builds the project, as an
//! object file, and
//! reads it with the `object` crate (`objread.rs`): each stencil's bytes, its read-only
//! data and its holes become the table in [`stencil`]. [`patch::Patcher`] copies
//! stencils into a [`arena::CodeArena`] and patches their holes; [`patch::Trace::run`]
//! enters the result. `cargo xtask stencils` lists the table and disassembles a stencil.
//!
//! # The stencil ABI
//!
//! Every stencil has one signature ([`patch::StencilFn`]):
//!
//! ```text
//! unsafe extern "C" fn(state: *mut JitState, regs: *mut u64,
//!                      i0: u64, i1: u64, i2: u64, i3: u64,
//!                      f0: f64, f1: f64, f2: f64, f3: f64) -> u64
//! ```
//!
//! Under the System V calling convention that is `state` in `rdi`, the value slots in
//! memory (`regs`, the frame's register file) in `rsi`, the integer slots `i0..i3` in
//! `rdx`, `rcx`, `r8`, `r9` and the float slots `f0..f3` in `xmm0..xmm3`: every argument
//! in a register. A stencil ends by calling its continuation with the same signature in
//! tail position (`return _JIT_CONTINUE(state, regs, i0, ..)`), which LLVM emits as a
//! `jmp`; a slot the stencil does not touch stays in its register from one stencil to
//! the next at no cost. So values can live in registers across a whole trace: the
//! register allocator will pick, per uop, a stencil variant that reads and writes given
//! slots. The return value (`rax`) is what the trace leaves with (an exit number, a
//! result). Each stencil is entered as a function is (the stack 8 below a 16-byte
//! boundary), since the trace is entered by a `call` and stencils reach each other only
//! by tail calls.
//!
//! # Holes
//!
//! A hole is a reference to an external symbol ([`hole::Symbol`]):
//!
//! - `_JIT_OPERAND0` .. `_JIT_OPERAND7`: a 64-bit operand. Declared as a zero-sized
//!   static and used as `&raw const _JIT_OPERAND0 as u64`, it is the immediate of a
//!   `movabs` (`R_X86_64_64`, [`hole::Patch::Abs64`]).
//! - `_JIT_CONTINUE`: the next stencil (`jmp rel32`; deleted when it is the stencil's
//!   last instruction, since the next stencil follows).
//! - `_JIT_JUMP_TARGET`: a branch's target (`jmp`/`jcc rel32`), a step of the same trace
//!   or another address.
//! - `_JIT_EXIT`: a failing guard's exit, reached directly by `jo`/`jne`/`jge` rel32.
//! - A runtime helper is called through an operand holding its address (`helper!` in
//!   `stencils/abi.rs`). LLVM sees through the cast and emits `call rel32` against the
//!   operand hole ([`hole::Patch::Branch32`]); when the helper is farther than ±2 GiB
//!   the patcher routes the call through a veneer after the trace. [`mmap::MmapMemory`]
//!   asks for memory near the binary so that usually no veneer is needed.
//! - Read-only data (float constants, sign masks in `.rodata.cst*`) is copied with the
//!   trace, after its code, and reached RIP-relative ([`hole::Patch::Data32`]). Data
//!   that itself has relocations (a jump table) is rejected at build time.
//!
//! The build fails, naming the stencil, when a stencil references a symbol that is not
//! a hole (a panic path, `memcpy`, a function that was not inlined, writable statics),
//! uses a relocation kind the patcher does not handle, or reaches a code hole with
//! `call` instead of `jmp`.
//!
//! # The code model
//!
//! The stencils are compiled with `-C code-model=medium` (see `RUSTC_FLAGS` in
//! `objread.rs`): `small` makes operands 32-bit (`mov r32, imm32`), `large` turns every
//! jump into `movabs r11; jmp r11` and every guard into a branch around one. `medium`
//! gives 64-bit operands (`movabs`, because a zero-sized global is "large data"),
//! direct rel32 jumps and conditional tail calls to the exit.
//!
//! # W^X
//!
//! Executable memory comes through the core's [`jit_core::exec_mem::ExecMemory`] trait
//! ([`mmap::MmapMemory`] on Unix). The arena writes a page only while it is read+write
//! and not executable, then makes it read+execute; no page is ever writable and
//! executable at once.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

/// The code arena, the core's (shared by the native backends).
pub use jit_core::native::arena;
pub mod compile;
#[cfg(unix)]
pub mod executor;
pub mod hole;
/// Executable memory from the operating system, the core's.
#[cfg(unix)]
pub use jit_core::native::mmap;
#[cfg(test)]
mod objread;
pub mod patch;
pub mod stencil;

/// The name this backend takes on the command line (`--mode stencil`).
pub const MODE_NAME: &str = "stencil";

/// The backend over the operating system's memory, for
/// [`jit_core::run::RunConfig::backend`]; `None` when this build has no stencils (a
/// target other than x86-64 Linux).
#[cfg(unix)]
pub fn backend() -> Option<alloc::boxed::Box<dyn jit_core::jit::Backend>> {
    let b = executor::StencilCompiler::backend(mmap::MmapMemory::new())?;
    Some(alloc::boxed::Box::new(b))
}

/// [`backend`] for [`jit_core::run::RunConfig::backend`], on a build that has stencils
/// (check [`stencil::supported`] first).
///
/// # Panics
///
/// On a build without stencils.
#[cfg(unix)]
pub fn make_backend() -> alloc::boxed::Box<dyn jit_core::jit::Backend> {
    backend().expect("this build has stencils (checked with `stencil::supported`)")
}
