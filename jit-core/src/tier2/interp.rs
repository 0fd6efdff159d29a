//! The uop interpreter: the reference semantics of the trace IR, and tier 2's
//! [`Executor`].
//!
//! A [`UopExecutor`] holds a loop's trace tree ([`TraceTree`]): the root trace and the
//! side traces grown from its hot exits. Running it interprets uops one by one over a
//! register file of SSA values, reading and writing the frame's memory only where the
//! trace says (`LOAD_SLOT`, snapshots). A uop that fails takes its exit, and the tree
//! says where the run goes on: into the exit's side trace, or out to tier 1 at the
//! snapshot's instruction, with the snapshot written back and the virtual frames made
//! real.
//!
//! The uops' semantics are `sem.rs`'s, expanded here in the dispatch loop; the generic
//! operations and everything that needs the frontend go through the core's `extern "C"`
//! helpers ([`crate::jit::Helpers`]), exactly as compiled code calls them.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use super::exits::Repr;
use super::table::Uop;
use super::tree::{self, Next, TraceTree};
use super::{Assumption, Inst, Trace, NO_EXIT, V};
use crate::arith;
use crate::bytecode::{BinOp, CmpOp};
use crate::heap::Obj;
use crate::jit::{Backend, Executor, Exit, Helpers, JitState, LoopSite, EXIT_ERROR, EXIT_RESUME};
use crate::ops;
use crate::value::Value;

use super::sem::{float_arith, int_arith, is_num, item, seq_len};

/// Tier 2's backend: projects a trace for every hot loop and runs it with the uop
/// interpreter (`--mode uops`).
#[derive(Debug, Default)]
pub struct UopBackend;

impl Backend for UopBackend {
    fn name(&self) -> &'static str {
        "uops"
    }

    fn compile_loop(&mut self, site: &mut LoopSite<'_>) -> Option<Box<dyn Executor>> {
        let trace = tree::root_trace(site)?;
        let tree = TraceTree::new(trace, site.hot, site.opt, site.jump_pc as u32);
        Some(Box::new(UopExecutor {
            name: tree.name("uops"),
            assumptions: tree.assumptions().to_vec(),
            tree: RefCell::new(tree),
            valid: Cell::new(true),
        }))
    }
}

/// A loop's trace tree, run by the uop interpreter.
pub struct UopExecutor {
    tree: RefCell<TraceTree>,
    assumptions: Vec<Assumption>,
    valid: Cell<bool>,
    name: String,
}

impl Executor for UopExecutor {
    fn name(&self) -> &str {
        &self.name
    }

    fn assumptions(&self) -> &[Assumption] {
        &self.assumptions
    }

    fn invalidate(&self) {
        self.valid.set(false);
    }

    unsafe fn enter(&self, state: &mut JitState) -> Exit {
        let Ok(mut tree) = self.tree.try_borrow_mut() else {
            // Re-entered from guest code that a helper of this very run called: leave
            // this activation of the loop to tier 1.
            return Exit {
                pc: self.tree_header(),
                status: EXIT_RESUME,
            };
        };
        // SAFETY: the caller's contract (see `Executor::enter`) is `run`'s.
        unsafe { self.run(&mut tree, state) }
    }
}

/// Counters kept in locals while a trace runs and added to the VM's statistics at exit.
#[derive(Default)]
struct Counts {
    uops: u64,
    guards: u64,
}

impl UopExecutor {
    /// The loop header (read without borrowing the tree, which a running activation
    /// holds).
    fn tree_header(&self) -> u32 {
        // SAFETY: only the header is read, which no activation ever changes.
        unsafe { (*self.tree.as_ptr()).header() }
    }

    /// Interprets the tree from the root trace's first uop until an exit leaves it.
    ///
    /// # Safety
    ///
    /// As [`Executor::enter`]: `st` describes the running frame stopped at the loop header
    /// this tree was projected for.
    unsafe fn run(&self, tree: &mut TraceTree, st: &mut JitState) -> Exit {
        let locals = st.locals;
        let room = (st.stack_end as usize - locals as usize) / core::mem::size_of::<Value>();
        let helpers = st.helpers;
        // From here on the state block is used only through this pointer, which the
        // helpers receive too.
        let stp: *mut JitState = st;
        // One word per SSA value: a `Value`'s bits, or a raw number (`Trace::reprs`).
        let mut regs: Vec<u64> = Vec::new();
        let mut phi_tmp: Vec<u64> = Vec::new();
        let mut counts = Counts::default();
        let mut ti = 0usize;
        let mut i = 0usize;
        loop {
            let node = &tree.nodes()[ti];
            let t = &node.trace;
            if regs.len() < t.n_values as usize {
                regs.resize(t.n_values as usize, Value::NIL.to_bits());
            }
            let inst = t.insts[i];
            i += 1;
            counts.uops += 1;
            if inst.op.is_guard() {
                counts.guards += 1;
            }
            let reprs = &node.reprs[..];
            let valid = self.valid.get();
            let ok = uop_semantics!(inst, inst.op, t, reprs, regs, stp, locals, helpers, room, valid, {
                Uop::LOOP | Uop::JUMP_ROOT => {
                    // SAFETY: `stp` is the running state block, stopped at this uop.
                    if let Some(x) = unsafe { tree::at_loop(stp, t, reprs, &inst, &regs, valid, true) } {
                        counts.flush(stp);
                        return x;
                    }
                    ti = 0;
                    i = 0;
                    continue;
                }
                Uop::JUMP_LOOP => {
                    // SAFETY: as above.
                    if let Some(x) = unsafe { tree::at_loop(stp, t, reprs, &inst, &regs, valid, false) } {
                        counts.flush(stp);
                        return x;
                    }
                    i = tree::take_phis(t, &inst, &mut regs, &mut phi_tmp);
                    continue;
                }
            });
            if ok {
                continue;
            }
            // The uop failed: take its exit.
            let e = inst.exit;
            if e == NO_EXIT {
                // A uop the optimizer proved cannot fail did: a bug, reported as an
                // internal error rather than followed.
                debug_assert!(false, "{} without an exit failed", inst.op.name());
                counts.flush(stp);
                return Exit {
                    pc: t.start_pc,
                    status: EXIT_ERROR,
                };
            }
            // SAFETY: `stp` is the running state block, stopped at exit `e` of trace `ti`,
            // and `regs` holds its values.
            match unsafe { tree.take_exit(ti, e, &regs, stp, valid) } {
                Next::Side(side) => {
                    ti = side as usize;
                    i = 0;
                }
                Next::Leave(exit) => {
                    counts.flush(stp);
                    return exit;
                }
            }
        }
    }
}

impl Counts {
    fn flush(&mut self, stp: *mut JitState) {
        let s = &mut vm!(stp).stats_mut().tier2;
        s.uops_executed += self.uops;
        s.guards_executed += self.guards;
        *self = Counts::default();
    }
}
