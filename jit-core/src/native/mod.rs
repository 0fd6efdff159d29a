//! What the native backends (tier 3) share: the code arena, the executor of a loop's
//! trace tree as machine code, the runtime helpers compiled code calls, and the
//! contract between a trace's code and that executor.
//!
//! A backend (`backend-stencil`'s copy-and-patch, `backend-cranelift`) implements
//! [`TraceCompiler`]: it turns one trace of a tree into code in a [`CodeArena`]. The
//! rest is here, once, so that the backends are interchangeable: [`NativeBackend`] and
//! its executor grow the tree (`crate::tier2::tree`), compile each new trace, enter the
//! code, and after an exit ask the tree where to go on.
//!
//! # The contract of a trace's code
//!
//! - It is entered through the backend's entry function ([`EnterFn`]) with the state
//!   block, the register file and the trace's entry address.
//! - Its values live where the register file says at every point the core reads them:
//!   the inputs of a uop it runs through [`STEP_HELPERS`] (and a `FLUSH`'s snapshot),
//!   the snapshot of an exit it takes, and the snapshot of a loop end that calls
//!   [`loop_helper`]. One word per SSA value, raw or boxed as the trace's `reprs` say.
//! - It returns a word built by [`ret`]: an exit taken ([`RET_EXIT`]), a loop end that
//!   left the tree ([`RET_LEAVE`], the helper having written the frame back), or a uop
//!   without an exit that failed ([`RET_BUG`]).
//! - A failing exit whose link word (one per exit, [`TraceEnv::links`]) is set, while the
//!   executor is valid, calls [`link_helper`] and goes straight on into the linked side
//!   trace's entry; a side trace's `JUMP_ROOT` calls the loop helper and goes on into the
//!   root trace ([`TraceEnv::root`]).

use alloc::rc::Rc;
use alloc::string::String;

use crate::jit::JitState;
use crate::stats::Stats;
use crate::tier2::tree::Node;

pub mod arena;
mod compare;
mod executor;
#[cfg(all(unix, feature = "mmap"))]
pub mod mmap;

pub use arena::{CodeArena, CodeHandle};
pub use compare::Compare;
pub use executor::{link_helper, loop_helper, step_helper, NativeBackend, NativeExecutor};

/// What a trace's code returns: the kind in the top two bits.
pub const RET_KIND: u64 = 3 << 62;
/// An exit failed: the trace's index in bits 32..48, the exit's in the low 32.
pub const RET_EXIT: u64 = 1 << 62;
/// A loop's end left the tree (the helper wrote the frame back): the trace and the
/// uop's index as for `RET_EXIT`, the reason ([`LEAVE_RAISED`] or [`LEAVE_INVALID`])
/// from bit 48.
pub const RET_LEAVE: u64 = 2 << 62;
/// A uop without an exit failed (an optimizer bug, reported as an internal error).
pub const RET_BUG: u64 = 3 << 62;
/// The safepoint raised.
pub const LEAVE_RAISED: u64 = 1 << 48;
/// The executor was invalidated.
pub const LEAVE_INVALID: u64 = 2 << 48;

/// What the trace returns for `kind` in trace `ti` at index `k`.
pub fn ret(kind: u64, ti: usize, k: usize) -> u64 {
    kind | ((ti as u64 & 0xFFFF) << 32) | (k as u64 & 0xFFFF_FFFF)
}

/// How every trace of a backend is entered: `enter(state, regs, entry)` runs the code at
/// `entry` with the state block and the register file, and returns what it returns
/// ([`ret`]).
pub type EnterFn = unsafe extern "C" fn(*mut JitState, *mut u64, usize) -> u64;

/// A step helper ([`STEP_HELPERS`]): `(state, regs, node, i)` runs uop `i` (low 32 bits)
/// of the trace at `node` through the core's semantics; 1 when it went on, 0 when it
/// takes its exit.
pub type StepHelper = unsafe extern "C" fn(*mut JitState, *mut u64, u64, u64) -> u64;

/// The link helper's type ([`link_helper`]): `(state, regs, node, exit)`.
pub type LinkHelper = unsafe extern "C" fn(*mut JitState, *mut u64, u64, u64) -> u64;

/// The loop helper's type ([`loop_helper`]): `(state, regs, node, i, valid)`.
pub type LoopHelper = unsafe extern "C" fn(*mut JitState, *mut u64, u64, u64, u64) -> u64;

pub use crate::tier2::table::STEP_HELPERS;

/// The address of the step helper of `op`.
pub fn step_helper_of(op: crate::tier2::Uop) -> u64 {
    STEP_HELPERS[op as usize] as *const () as usize as u64
}

/// What a trace's code refers to besides itself: the helpers' and the executor's
/// addresses.
#[derive(Clone, Copy, Debug)]
pub struct TraceEnv {
    /// The loop helper's address (`LOOP`, `JUMP_ROOT`, `JUMP_LOOP`'s slow path).
    pub loop_helper: u64,
    /// The link helper's address (a linked exit).
    pub link_helper: u64,
    /// The trace's link words, one per exit (`Cell<usize>`s): 0, or the entry of the side
    /// trace linked to the exit.
    pub links: u64,
    /// The executor's validity flag (a `Cell<bool>`: one byte, nonzero while valid).
    pub valid: u64,
    /// The executor's two counters (uops, guards) when statistics are collected.
    pub counters: Option<u64>,
    /// The root trace's entry, for a side trace's `JUMP_ROOT`.
    pub root: Option<usize>,
}

/// A trace's code as it was made, for a [`Listener`]: `--dump asm` disassembles it,
/// `--perf-map` names it for `perf`.
#[derive(Debug)]
pub struct CodeEvent<'a> {
    /// `stencil@function:line`, the loop's executor.
    pub executor: &'a str,
    /// The trace's index in its tree (0: the root trace).
    pub trace: usize,
    /// Where the code is.
    pub addr: usize,
    /// The code, as executed (with what the backend placed after it).
    pub code: &'a [u8],
    /// How many bytes of `code` are instructions; read-only data and veneers follow.
    pub insts_len: usize,
    /// Where each stretch starts (an offset into `code`) and what it is: a uop and how
    /// it was compiled, a stub.
    pub marks: &'a [(usize, String)],
    /// The backend's own text of the trace, if it has one (Cranelift's IR for `--dump
    /// clif`).
    pub ir: Option<&'a str>,
}

/// Called with every trace compiled.
pub type Listener = fn(&CodeEvent<'_>);

/// A trace compiled by a [`TraceCompiler`].
#[derive(Debug)]
pub struct Compiled {
    /// Its code; the entry is the first byte.
    pub code: CodeHandle,
    /// Of the compile time, how long the arena took (mapping memory, changing its
    /// protection), in nanoseconds (0 without a clock).
    pub memory_ns: u64,
    /// Of the time the call took, how long went to work that is not this trace's
    /// compile (a [`Compare`]'s second backend), in nanoseconds.
    pub other_ns: u64,
    /// Registers past the trace's values its code uses as scratch (the register file is
    /// made that much larger).
    pub temps: usize,
}

/// A code generator for traces: the one thing a native backend supplies.
pub trait TraceCompiler {
    /// The backend's name (`--mode NAME`), which names its executors and statistics.
    fn name(&self) -> &'static str;

    /// The function every trace of this compiler is entered through.
    fn enter_fn(&self) -> EnterFn;

    /// Compiles trace `ti` of a tree (`node`, which stays alive at the same address as
    /// long as the code does) into the compiler's arena; `None` when executable memory
    /// ran out. Adds its own counters to `stats.native` (the executor adds the common
    /// ones) and reports the code to its listener, naming it `executor`.
    fn compile(
        &mut self,
        executor: &str,
        ti: usize,
        node: &Rc<Node>,
        env: &TraceEnv,
        stats: &mut Stats,
        clock: Option<fn() -> u64>,
    ) -> Option<Compiled>;

    /// Frees a trace's code (its executor was dropped, or its tree started over).
    fn free(&mut self, code: CodeHandle);

    /// The arena's counters: bytes of live code, of padding, mapped.
    fn arena_stats(&self) -> arena::ArenaStats;

    /// Calls `f` with every trace compiled from now on.
    fn set_listener(&mut self, f: Listener);
}
