//! Executable memory from the operating system: [`MmapMemory`] implements the core's
//! [`ExecMemory`] with `mmap`, `mprotect` and `munmap` through `libc`.

use core::ptr::NonNull;

use crate::exec_mem::{ExecMemError, ExecMemory};

/// How far below this program's code [`MmapMemory::new`] asks for its first region.
const NEAR_OFFSET: usize = 1 << 30;

/// Pages from `mmap`, switched between read+write and read+execute with `mprotect`.
#[derive(Debug)]
pub struct MmapMemory {
    page: usize,
    /// Where to ask for the next region (0: anywhere).
    hint: usize,
}

impl MmapMemory {
    /// Memory placed, where the kernel has room, within ±2 GiB of this program's code, so
    /// that compiled code reaches runtime helpers and exit handlers in the binary with a
    /// direct `call`/`jmp` rel32 instead of a veneer (LuaJIT places its machine code the
    /// same way). Where the kernel puts it elsewhere, the patcher's veneers still reach.
    pub fn new() -> MmapMemory {
        let page = page_size();
        let code = MmapMemory::new as *const () as usize;
        let hint = code.saturating_sub(NEAR_OFFSET) & !(page - 1);
        MmapMemory {
            page,
            // Below 4 GiB there is a non-PIE binary and its heap: leave that to the kernel.
            hint: if hint >= 1 << 32 { hint } else { 0 },
        }
    }

    /// Memory wherever the kernel puts it (typically far from the binary: calls from
    /// compiled code into it go through veneers).
    pub fn anywhere() -> MmapMemory {
        MmapMemory {
            page: page_size(),
            hint: 0,
        }
    }
}

impl Default for MmapMemory {
    fn default() -> Self {
        MmapMemory::new()
    }
}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 && (n as usize).is_power_of_two() {
        n as usize
    } else {
        4096
    }
}

/// The calling thread's `errno`.
fn errno() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `__errno_location` returns a valid pointer to the calling thread's
        // `errno`.
        unsafe { *libc::__errno_location() }
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

fn check(op: &'static str, r: libc::c_int) -> Result<(), ExecMemError> {
    if r == 0 {
        Ok(())
    } else {
        Err(ExecMemError { op, code: errno() })
    }
}

// SAFETY: `mmap` of anonymous private memory returns fresh pages that nothing else uses,
// page-aligned, with exactly the protection asked (`PROT_READ | PROT_WRITE`); `mprotect`
// changes the protection without touching the contents, and on x86-64 the instruction
// cache is coherent with stores, so nothing needs flushing; the page size comes from
// `sysconf` once.
unsafe impl ExecMemory for MmapMemory {
    fn page_size(&self) -> usize {
        self.page
    }

    fn map(&mut self, len: usize) -> Result<NonNull<u8>, ExecMemError> {
        if len == 0 || !len.is_multiple_of(self.page) {
            return Err(ExecMemError {
                op: "map",
                code: libc::EINVAL,
            });
        }
        // SAFETY: an anonymous private mapping with a hint (not `MAP_FIXED`) replaces
        // nothing: the kernel uses the hint only when that range is free.
        let p = unsafe {
            libc::mmap(
                self.hint as *mut libc::c_void,
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(ExecMemError {
                op: "map",
                code: errno(),
            });
        }
        if self.hint != 0 {
            // The next region goes below this one.
            self.hint = (p as usize).saturating_sub(len);
        }
        NonNull::new(p.cast::<u8>()).ok_or(ExecMemError { op: "map", code: 0 })
    }

    unsafe fn protect_exec(&mut self, ptr: NonNull<u8>, len: usize) -> Result<(), ExecMemError> {
        // SAFETY: the caller passes a page-aligned range of a live mapping of ours, into
        // which no reference is alive.
        let r =
            unsafe { libc::mprotect(ptr.as_ptr().cast(), len, libc::PROT_READ | libc::PROT_EXEC) };
        check("protect_exec", r)
    }

    unsafe fn protect_write(&mut self, ptr: NonNull<u8>, len: usize) -> Result<(), ExecMemError> {
        // SAFETY: the caller passes a page-aligned range of a live mapping of ours, in
        // which no code runs until it is executable again.
        let r =
            unsafe { libc::mprotect(ptr.as_ptr().cast(), len, libc::PROT_READ | libc::PROT_WRITE) };
        check("protect_write", r)
    }

    unsafe fn unmap(&mut self, ptr: NonNull<u8>, len: usize) {
        // SAFETY: the caller passes exactly a live region of ours that nothing uses any
        // more.
        let r = unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
        debug_assert_eq!(r, 0, "munmap of a region we mapped");
    }
}
