//! Cranelift backend: lowers the same optimized uop traces to Cranelift IR. It is the
//! correctness oracle and the code-quality yardstick for `backend-stencil`.
//!
//! Not built yet: it consumes tier-2 traces, which a later issue introduces (see
//! `ARCHITECTURE.md`).
#![no_std]

/// The name this backend registers under on the command line (`--mode cranelift`).
pub const MODE_NAME: &str = "cranelift";
