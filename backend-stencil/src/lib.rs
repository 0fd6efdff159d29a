//! Copy-and-patch x86-64 backend: stitches machine-code stencils, compiled ahead of
//! time by rustc/LLVM, into executable memory and patches their holes.
//!
//! Not built yet: the tier-2 trace projector and optimizer in `jit-core` come first
//! (see `ARCHITECTURE.md`). This crate exists now so the dependency direction
//! (backends depend on `jit-core`, never on a frontend) is fixed from the start.
#![no_std]

/// The name this backend registers under on the command line (`--mode stencil`).
pub const MODE_NAME: &str = "stencil";
