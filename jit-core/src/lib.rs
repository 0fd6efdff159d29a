//! `jit-core`: the `no_std` heart of the engine. Values, heap and collector, the bytecode
//! and its verifier, the generic interpreter and tier 1, and the trait through which a
//! frontend supplies its language's semantics, and tier 2 (the uop IR, trace projection,
//! exits and the uop interpreter, [`tier2`]).
//!
//! *Architecture invariant:* this crate never touches the operating system. It needs only
//! `alloc`; output, files, clocks (and, once tier 3 exists, executable memory) come from
//! the embedding runtime.
//!
//! A frontend builds a [`bytecode::Module`] (allocating its constants in a [`heap::Heap`]),
//! implements [`semantics::Semantics`], and runs it with [`interp::Vm`]:
//!
//! ```
//! use jit_core::bytecode::{Code, Instr, Loc, Module, Op, BinOp};
//! use jit_core::heap::Heap;
//! use jit_core::interp::{Mode, Vm};
//! # use jit_core::semantics::*; use jit_core::value::Value; use jit_core::bytecode::*;
//! # use jit_core::heap::*;
//! # struct Sem;
//! # impl Semantics for Sem {
//! #   fn max_call_depth(&self) -> usize { 100 }
//! #   fn stack_overflow(&mut self) -> Exception { Exception::msg("stack overflow") }
//! #   fn binary_slow(&mut self, _: &mut Heap, _: BinOp, _: Value, _: Value) -> Result<Value, Exception> { Err(Exception::msg("bad")) }
//! #   fn int_overflow(&mut self, _: &mut Heap, _: Overflow) -> Result<Value, Exception> { Err(Exception::msg("overflow")) }
//! #   fn compare_slow(&mut self, _: &mut Heap, _: CmpOp, _: Value, _: Value) -> Result<Value, Exception> { Err(Exception::msg("bad")) }
//! #   fn unary_slow(&mut self, _: &mut Heap, _: UnOp, _: Value) -> Result<Value, Exception> { Err(Exception::msg("bad")) }
//! #   fn truthy_slow(&mut self, _: &mut Heap, _: Value) -> Result<bool, Exception> { Ok(true) }
//! #   fn index_slow(&mut self, _: &mut Heap, _: Value, _: Value) -> Result<Value, Exception> { Err(Exception::msg("bad")) }
//! #   fn store_index_slow(&mut self, _: &mut Heap, _: Value, _: Value, _: Value) -> Result<(), Exception> { Err(Exception::msg("bad")) }
//! #   fn call_native(&mut self, _: &mut jit_core::interp::VmCore, _: u32, _: &[Value]) -> Result<Value, Exception> { Err(Exception::msg("bad")) }
//! #   fn call_slow(&mut self, _: &mut jit_core::interp::VmCore, _: Value, _: &[Value]) -> Result<Value, Exception> { Err(Exception::msg("bad")) }
//! #   fn bind_arguments(&mut self, _: &mut Heap, _: Value, _: &Code, _: &[Value]) -> Result<alloc::vec::Vec<Value>, Exception> { Err(Exception::msg("arity")) }
//! #   fn bad_for_bound(&mut self, _: &mut Heap, _: Value) -> Exception { Exception::msg("bound") }
//! #   fn global_empty(&mut self, _: &mut Heap, _: &str) -> Result<Value, Exception> { Ok(Value::NIL) }
//! # }
//! # extern crate alloc;
//! // 40 + 2, returned from the entry code.
//! let instrs = vec![
//!     Instr::new(Op::LoadInt, 40),
//!     Instr::new(Op::LoadInt, 2),
//!     Instr::new(Op::Binary, BinOp::Add as u32),
//!     Instr::new(Op::Return, 0),
//! ];
//! let code = Code::new("main", instrs, vec![Loc::default(); 4], vec![], 0, 0);
//! let module = Module {
//!     file_name: "demo".into(), codes: vec![code], global_names: vec![],
//!     global_init: vec![], entry: 0,
//! };
//! // SAFETY: this heap's values are used with it only, and not after `vm` is dropped.
//! let heap = unsafe { Heap::new() };
//! let mut vm = Vm::new(module, Sem, heap, Mode::Adaptive).unwrap();
//! // SAFETY: `Sem` keeps no values, and only the result is used afterwards.
//! let result = unsafe { vm.run() }.unwrap();
//! assert_eq!(result.as_small_int(), Some(42));
//! ```
//!
//! # The API boundary
//!
//! Other runtimes link this crate, so its safe API must not allow undefined behaviour.
//! The interpreter trusts verified code and raw pointers into the value stack and the
//! globals, and a [`value::Value`] is a plain word that [`heap::Heap::get`] dereferences.
//! What keeps that sound:
//!
//! - A module is verified by [`interp::Vm::new`], which then owns it; outside the core only
//!   `&Module` and `&Code` are reachable, and nothing reachable through them changes
//!   instructions or caches (tier 1 is private to the crate). Slow paths get
//!   [`interp::VmCore`], whose fields are private: heap, extra roots, the module to read,
//!   globals by index (never resized), and [`interp::VmCore::call_value`].
//! - A promise the caller keeps is an `unsafe fn` with a `# Safety` section: making a value
//!   from raw bits ([`value::Value::from_bits`]), creating a heap ([`heap::Heap::new`]:
//!   its values never meet another heap or outlive it), anything that may collect garbage
//!   ([`interp::Vm::run`], [`interp::VmCore::call_value`], [`heap::Heap::collect`]: values
//!   used afterwards were reachable from a root), calling slow paths from outside a run
//!   ([`interp::Vm::parts_mut`]), and lending an array's items to a closure
//!   ([`heap::ArrayObj::with_ref`]).
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod arith;
pub mod bytecode;
pub mod exec_mem;
pub mod heap;
pub mod interp;
pub mod jit;
pub mod native;
pub mod ops;
pub mod optable;
pub mod run;
pub mod semantics;
pub mod slice;
pub mod stats;
pub(crate) mod tier1;
pub mod tier2;
pub mod value;
pub mod verify;
