//! The copy-and-patch x86-64 backend's foundation (tier 3, issue 21): stencils compiled
//! by rustc at build time and checked, as a table of machine code with holes (see
//! `build.rs`, `objread.rs` and `stencils/abi.rs`), and a code arena of executable memory
//! under W^X (see `arena.rs`); nothing runs the stencils yet.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod arena;
pub mod hole;
#[cfg(unix)]
pub mod mmap;
#[cfg(test)]
mod objread;
pub mod stencil;

/// The name this backend will take on the command line. `cargo xtask run --mode stencil`
/// is accepted today and answers that the mode is not built yet.
pub const MODE_NAME: &str = "stencil";
