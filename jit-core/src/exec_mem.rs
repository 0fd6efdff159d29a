//! The executable-memory provider: the trait through which a native backend gets memory
//! for machine code from the embedding runtime, so that the core never touches the
//! operating system (a hosted runtime implements it with `mmap`/`mprotect`, a kernel or a
//! bare-metal runtime with its own page tables).
//!
//! # The W^X discipline
//!
//! Memory handed out by [`ExecMemory::map`] is readable and writable, never executable.
//! A backend writes code while it is in that state, then calls
//! [`ExecMemory::protect_exec`], which makes it readable and executable and no longer
//! writable. To change code later (patch a side exit, free a trace) it calls
//! [`ExecMemory::protect_write`] first, which removes execute permission again. So no
//! page is writable and executable at the same time, and code is only ever run from
//! memory that nothing can write. An implementation on hardware without page protection
//! cannot give that guarantee: its `protect_*` calls may do nothing, and it should say so.

use core::fmt;
use core::ptr::NonNull;

/// Why an [`ExecMemory`] call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecMemError {
    /// The operation that failed (`"map"`, `"protect_exec"`, `"protect_write"`).
    pub op: &'static str,
    /// The provider's error code (an `errno` for the `mmap` provider, 0 when none).
    pub code: i32,
}

impl fmt::Display for ExecMemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "executable memory: {} failed (code {})",
            self.op, self.code
        )
    }
}

/// A provider of page-granular memory whose permissions can be switched between
/// read+write and read+execute.
///
/// Every region is a whole number of pages ([`ExecMemory::page_size`]) starting on a
/// page boundary; the `ptr`/`len` a caller passes to the `protect_*` methods and to
/// [`ExecMemory::unmap`] must be page-aligned and lie inside one region `map` returned.
///
/// # Safety
///
/// Backends write through and jump to the memory this trait hands out, trusting that:
///
/// - [`ExecMemory::map`] returns `len` bytes, page-aligned, that nothing else uses until
///   they are unmapped, readable and writable and *not* executable;
/// - after [`ExecMemory::protect_exec`] returns `Ok`, the range is readable and
///   executable and holds the bytes last written (the instruction cache agrees with
///   them: an implementation for a target that needs it flushes the cache here);
/// - after [`ExecMemory::protect_write`] returns `Ok`, the range is readable and
///   writable, not executable, and its bytes are unchanged;
/// - [`ExecMemory::page_size`] is a power of two and never changes.
///
/// An implementation that breaks one of these lets safe backend code cause undefined
/// behaviour, hence `unsafe impl`.
pub unsafe trait ExecMemory {
    /// The granularity of mapping and protection, a power of two.
    fn page_size(&self) -> usize;

    /// Maps `len` bytes (a non-zero multiple of the page size), readable and writable,
    /// not executable. The contents are unspecified.
    fn map(&mut self, len: usize) -> Result<NonNull<u8>, ExecMemError>;

    /// Makes `len` bytes at `ptr` readable and executable and not writable.
    ///
    /// # Safety
    ///
    /// `ptr` and `len` are page-aligned and inside one region this provider mapped and
    /// has not unmapped, and no reference into the range is alive (it stops being
    /// writable).
    unsafe fn protect_exec(&mut self, ptr: NonNull<u8>, len: usize) -> Result<(), ExecMemError>;

    /// Makes `len` bytes at `ptr` readable and writable and not executable.
    ///
    /// # Safety
    ///
    /// As for [`ExecMemory::protect_exec`]; besides, no code in the range runs until it
    /// is made executable again (no thread executes it, and no frame returns into it).
    unsafe fn protect_write(&mut self, ptr: NonNull<u8>, len: usize) -> Result<(), ExecMemError>;

    /// Returns a region to the provider.
    ///
    /// # Safety
    ///
    /// `ptr` and `len` are exactly a region [`ExecMemory::map`] returned and that was not
    /// unmapped since, and nothing uses the range afterwards (no reference into it is
    /// alive, no code in it runs again).
    unsafe fn unmap(&mut self, ptr: NonNull<u8>, len: usize);
}
