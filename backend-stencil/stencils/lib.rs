//! The stencils: ordinary `#![no_std]` Rust that `build.rs` compiles with the project's
//! rustc into one object file, one function (and section) per stencil, whose machine
//! code the patcher copies. See `abi.rs` for the signature and the holes.
#![no_std]

#[macro_use]
mod abi;
mod samples;
