//! Placeholder for the planned copy-and-patch x86-64 backend (tier 3). Nothing is built
//! yet: this crate holds one constant and no code generation.
//!
//! The plan: stitch machine-code stencils, compiled ahead of time by rustc/LLVM, into
//! executable memory and patch their holes, for the optimized traces of tier 2. The
//! tier-2 trace projector and optimizer in `jit-core` come first (see `ARCHITECTURE.md`).
//! The crate exists now so the dependency direction (backends depend on `jit-core`, never
//! on a frontend) is fixed from the start.
#![no_std]

/// The name this backend will take on the command line. `cargo xtask run --mode stencil`
/// is accepted today and answers that the mode is not built yet.
pub const MODE_NAME: &str = "stencil";
