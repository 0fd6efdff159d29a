//! The engine's global allocator: the system allocator plus an emergency reserve, so that
//! running out of memory (`ulimit -v`) becomes the guest language's memory error rather
//! than Rust's abort.
//!
//! At start-up [`ReserveAlloc::arm`] takes [`RESERVE`] bytes of address space. When a
//! request of at most that size fails, the reserve is freed, the core's
//! `MEMORY_EXHAUSTED` flag is set and the request is tried again: it succeeds, the
//! program runs on to its next safepoint (a backward jump or a call), and the interpreter
//! raises `MemoryError` there, with room left to unwind, print the traceback and flush
//! the output. A larger request is refused at once (freeing the reserve could not serve
//! it): a fallible allocation (`try_reserve`) turns that into the language's error
//! directly, an infallible one aborts as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use jit_core::heap::MEMORY_EXHAUSTED;

/// The reserve's size: enough to unwind and report after the system refused memory.
pub const RESERVE: usize = 16 << 20;

const RESERVE_LAYOUT: Layout = match Layout::from_size_align(RESERVE, 16) {
    Ok(l) => l,
    Err(_) => panic!("reserve layout"),
};

/// The system allocator with an emergency reserve.
pub struct ReserveAlloc {
    reserve: AtomicPtr<u8>,
}

impl ReserveAlloc {
    /// An allocator with no reserve yet.
    pub const fn new() -> ReserveAlloc {
        ReserveAlloc {
            reserve: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Takes the reserve (once; its pages are never touched, so it costs address space,
    /// not memory).
    pub fn arm(&self) {
        // SAFETY: `RESERVE_LAYOUT` has a non-zero size.
        let p = unsafe { System.alloc(RESERVE_LAYOUT) };
        if !p.is_null() {
            if let Err(p) = self.reserve.compare_exchange(
                ptr::null_mut(),
                p,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                // SAFETY: `p` was just allocated with `RESERVE_LAYOUT` and is not stored.
                unsafe { System.dealloc(p, RESERVE_LAYOUT) };
            }
        }
    }

    /// After a failed request of `size` bytes: frees the reserve and reports the
    /// exhaustion to the core. False when retrying cannot help.
    fn release(&self, size: usize) -> bool {
        if size > RESERVE {
            return false;
        }
        MEMORY_EXHAUSTED.store(true, Ordering::Relaxed);
        let r = self.reserve.swap(ptr::null_mut(), Ordering::AcqRel);
        if r.is_null() {
            return false;
        }
        // SAFETY: a non-null reserve was allocated by `arm` with `RESERVE_LAYOUT`, and the
        // swap above took it out, so it is freed exactly once.
        unsafe { System.dealloc(r, RESERVE_LAYOUT) };
        true
    }
}

impl Default for ReserveAlloc {
    fn default() -> Self {
        ReserveAlloc::new()
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged (a
// retry repeats the same call), so `System`'s guarantees carry over; the reserve is only
// ever handed back to `System` with the layout it was allocated with.
unsafe impl GlobalAlloc for ReserveAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract for `layout`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() || !self.release(layout.size()) {
            return p;
        }
        // SAFETY: as above.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract for `layout`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() || !self.release(layout.size()) {
            return p;
        }
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: the caller passes a block this allocator (that is, `System`) returned
        // for `layout`.
        unsafe { System.dealloc(p, layout) }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract; a failed realloc
        // leaves `p` allocated and unchanged, so the retry gets the same arguments.
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() || !self.release(new_size) {
            return q;
        }
        // SAFETY: as above.
        unsafe { System.realloc(p, layout, new_size) }
    }
}
