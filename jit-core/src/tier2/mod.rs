//! Tier 2: hot loops become traces of micro-ops (uops), run by the uop interpreter.
//!
//! One file per phase:
//!
//! - `table.rs`: the uop table ([`Uop`]), the single definition of every uop: operands,
//!   lattice signature, exits, effects, doc.
//! - `project.rs`: trace projection. A loop's back edge that counted down to hot
//!   ([`DEFAULT_HOT`], `--hot N`) projects a trace from the loop header along the path
//!   the specialized instructions describe, through calls to known functions (pushed as
//!   virtual frames, at most [`MAX_INLINE_DEPTH`] deep), expanding each instruction
//!   through its guard/action split ([`crate::optable::Split`]) into guard uops and
//!   action uops. It closes at the back edge to the header, and stops with an exit at
//!   anything it cannot express, at [`MAX_TRACE_UOPS`] uops, or at a loop it did not
//!   start.
//! - `exits.rs`: snapshots and exits. Every uop that can leave the trace has an exit
//!   whose snapshot says, for every frame slot that differs from memory, which value
//!   belongs there, plus the stack top, the virtual frames and the instruction to resume
//!   at. Leaving writes the snapshot back, pushes the virtual frames as real ones, and
//!   tier 1 resumes at the exact instruction.
//! - `sem.rs`: the semantics of every uop, defined once: expanded in the uop
//!   interpreter's loop, and callable one uop at a time ([`step`]) by native code.
//! - `tree.rs`: a loop's trace tree ([`tree::TraceTree`]), shared by every executor: the
//!   root trace and its side traces, exits counted, side traces grown and linked when
//!   an exit becomes hot, the frames rebuilt when the run leaves.
//! - `interp.rs`: the uop interpreter, the reference semantics of the IR, an
//!   [`crate::jit::Executor`] over a trace tree. It stops when the trace was
//!   invalidated.
//! - `text.rs`: the text form (printer and parser), for `--dump uops` and golden tests.
//!
//! # Values and slots
//!
//! Uops compute SSA values (`v3`, a [`V`]). The interpreter's frame is memory: slots are
//! numbered from the root frame's first local upward, through its operand stack into the
//! frames a trace entered virtually. A trace reads a slot once (`LOAD_SLOT`) and from then
//! on works on values; stores to locals and pushes change only the projector's picture,
//! which each snapshot records. `FLUSH` writes a snapshot back before anything that may
//! collect garbage or reads the stack from memory, so the collector sees every live value.
//!
//! # Invalidation
//!
//! A trace may treat a global's current value as a constant (a function it calls, a
//! builtin). It then records the assumption ([`Assumption`]); the VM watches the global
//! (its `StoreGlobal`s become `StoreGlobalWatched`), and a store invalidates every trace
//! that assumed it: the loop's `JumpExecutor` reverts to `Jump` and the executor is freed
//! once no frame runs it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytecode::CodeId;
use crate::value::Value;

mod exits;
#[macro_use]
mod sem;
mod interp;
pub mod opt;
mod project;
pub mod table;
mod text;
pub mod tree;

pub use exits::{ExitDesc, Repr, Snapshot, VFrame};
pub use interp::UopBackend;
pub use opt::{OptConfig, Passes};
pub use sem::step;
pub use table::{ExitKind, Ty, Uop};
pub use text::{parse_trace, print_inst, print_trace, print_trace_plain, ParseError};

/// Back edges before a loop is traced, and exits before one gets a side trace, unless
/// `--hot N` says otherwise. Measured (callgrind, `--mode uops`, 13 programs of both
/// suites): at 1, traces are projected before tier 1 has specialized the loop body and
/// keep exiting (array_index +22% instructions, spectral_norm +12%); from 4 on the traces
/// are the same within 1%. 16, CPython's own backward-jump threshold, leaves tier 1 time
/// to specialize the second and later loops of a function too, and enters compiled code
/// after a few dozen iterations.
pub const DEFAULT_HOT: u16 = 16;

/// The most uops a trace holds before projection stops it with an exit.
pub const MAX_TRACE_UOPS: usize = 800;

/// How many calls deep a trace follows known functions (virtual frames).
pub const MAX_INLINE_DEPTH: usize = 4;

/// An SSA value of a trace, printed `v3`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct V(pub u32);

impl V {
    /// No value (an unused input or output).
    pub const NONE: V = V(u32::MAX);
}

impl core::fmt::Debug for V {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if *self == V::NONE {
            f.write_str("_")
        } else {
            write!(f, "v{}", self.0)
        }
    }
}

impl core::fmt::Display for V {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self, f)
    }
}

/// No exit (a uop that cannot leave).
pub const NO_EXIT: u32 = u32::MAX;

/// One uop of a trace: `out = op(args..., imm...)`, leaving through `exit` when it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inst {
    /// The uop.
    pub op: Uop,
    /// Its output ([`V::NONE`] when it has none).
    pub out: V,
    /// Its inputs (as many as the table gives; the rest [`V::NONE`]).
    pub args: [V; 3],
    /// Its immediates (as many as the table gives; the rest 0).
    pub imm: [u32; 4],
    /// The index of its exit in [`Trace::exits`], or [`NO_EXIT`]: for a uop that can
    /// leave, the optimizer proved it does not (an `ADD_INT` that cannot overflow).
    pub exit: u32,
}

/// What a trace assumed that tier 1 does not check for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assumption {
    /// Global `g` keeps the value it had at projection (the trace uses it as a constant).
    GlobalUnchanged(u32),
}

/// Where a trace starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// At the loop header, installed on the back edge.
    Root,
    /// At an exit of trace `parent` that became hot, linked to it.
    Side {
        /// The trace whose exit it continues.
        parent: u32,
        /// That exit.
        exit: u32,
    },
}

/// A projected trace.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Root or side trace.
    pub kind: TraceKind,
    /// The code object of the trace's root frame.
    pub code: CodeId,
    /// The loop header the root trace starts at and every trace closes on.
    pub header_pc: u32,
    /// The instruction the trace starts at (the header for a root trace).
    pub start_pc: u32,
    /// The uops.
    pub insts: Vec<Inst>,
    /// The constants `CONST` refers to (constants of the code, builtins, functions read
    /// from globals the trace watches).
    pub consts: Vec<Value>,
    /// The snapshots exits, `FLUSH` and `LOOP` write back.
    pub snapshots: Vec<Snapshot>,
    /// The exits.
    pub exits: Vec<ExitDesc>,
    /// How many SSA values the trace computes.
    pub n_values: u32,
    /// What it assumed.
    pub assumptions: Vec<Assumption>,
    /// Where it came from, for dumps: `function:line`.
    pub origin: String,
    /// Per exit, what the optimizer knew there of the frame's slots as an exit writes
    /// them (empty when unoptimized): a side trace grown from the exit starts from it.
    pub exit_facts: Vec<Vec<(u32, opt::lattice::Abs)>>,
}

impl Trace {
    /// How each of the trace's values is held: raw for the outputs of the unboxed uops
    /// (`Ty::I64`, `Ty::F64`) and for PHIs of raw values, a `Value` otherwise.
    pub fn reprs(&self) -> Vec<Repr> {
        let mut r = alloc::vec![Repr::Boxed; self.n_values as usize];
        for i in &self.insts {
            if i.out == V::NONE {
                continue;
            }
            let repr = match i.op.output() {
                Ty::I64 => Repr::I64,
                Ty::F64 => Repr::F64,
                _ if i.op == Uop::PHI => {
                    r.get(i.args[0].0 as usize).copied().unwrap_or(Repr::Boxed)
                }
                _ => Repr::Boxed,
            };
            if let Some(slot) = r.get_mut(i.out.0 as usize) {
                *slot = repr;
            }
        }
        r
    }
}
