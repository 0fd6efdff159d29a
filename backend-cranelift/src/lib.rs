//! Placeholder for the planned Cranelift backend (tier 3). Nothing is built yet: this
//! crate holds one constant and no code generation.
//!
//! The plan: lower the same optimized uop traces as `backend-stencil` to Cranelift IR,
//! as the correctness oracle and the code-quality yardstick for the stencil backend. It
//! consumes tier-2 traces, which a later issue introduces (see `ARCHITECTURE.md`).
#![no_std]

/// The name this backend will take on the command line. `cargo xtask run --mode
/// cranelift` is accepted today and answers that the mode is not built yet.
pub const MODE_NAME: &str = "cranelift";
