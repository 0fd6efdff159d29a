//! Bounded memory: a loop that builds a temporary array in each of 10 million iterations
//! must run in a fixed amount of memory, in every mode. A counting global allocator
//! measures the peak of live heap bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use frontend_tiny::driver::{run, RunConfig};
use jit_core::interp::Mode;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract, which we pass on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Without collection, 10 million arrays of three values would take about a gigabyte.
const BOUND: usize = 64 << 20;

const PROGRAM: &str = "
fn churn(n) {
    let i = 0;
    let keep = 0;
    while i < n {
        let tmp = [i, i + 1, \"s\"];
        keep = keep + tmp[1] - tmp[0];
        i = i + 1;
    }
    return keep;
}
print(churn(10000000));
";

#[test]
fn ten_million_temporary_arrays_run_in_bounded_memory() {
    for mode in [Mode::Interp, Mode::Adaptive] {
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let outcome = run(
            "churn.tiny",
            PROGRAM,
            &RunConfig::new(mode),
            Box::new(std::io::sink()),
        );
        assert_eq!(outcome.status, 0, "{}", outcome.stderr);
        // The value stack is one zeroed reservation of address space (pages are mapped only
        // when frames touch them), which this allocator counts in full; it does not grow
        // with the loop, so it is taken out of the measurement.
        let reserved = jit_core::interp::DEFAULT_STACK_VALUES * std::mem::size_of::<u64>();
        let peak = PEAK.load(Ordering::Relaxed) - base - reserved;
        let stats = outcome.stats.expect("ran");
        assert!(
            stats.gc.allocations >= 10_000_000,
            "allocated {}",
            stats.gc.allocations
        );
        assert!(stats.gc.collections > 0, "the collector never ran");
        assert!(
            peak < BOUND,
            "mode {}: peak heap {} bytes exceeds {}",
            mode.name(),
            peak,
            BOUND
        );
    }
}
