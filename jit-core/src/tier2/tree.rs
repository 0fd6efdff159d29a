//! A loop's trace tree, shared by every tier-2 executor: the root trace, the side traces
//! grown from its hot exits, and what happens when a trace leaves.
//!
//! The uop interpreter (`interp.rs`) and the native backends differ only in how they run
//! a trace's uops. Projecting the root trace, counting exits, growing and linking side
//! traces, giving up a moved check that keeps failing, and rebuilding the frames when the
//! tree is left are the same for all of them, and live here: a backend runs a trace until
//! one of its exits fails, then asks [`TraceTree::take_exit`] where to go on.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::exits::{wants_side_trace, Repr};
use super::opt::{self, OptConfig, Passes};
use super::project::{project, Cx, Start};
use super::table::{ExitKind, Uop};
use super::{Assumption, Inst, Trace, TraceKind};
use crate::interp::VmCore;
use crate::jit::{Exit, JitState, LoopSite, EXIT_ERROR, EXIT_RESUME};

/// A link slot with no side trace yet.
const UNLINKED: u32 = u32::MAX;

/// The most side traces one loop's tree grows; past it, exits go back to tier 1.
pub const MAX_SIDE_TRACES: usize = 64;

/// The longest wait, in exits, before another side trace is tried at an exit whose
/// projection failed (the threshold doubles after each failure up to this).
const MAX_SIDE_WAIT: u32 = 1 << 16;

/// One trace of a tree. It does not change once made, and sits behind an `Rc` so that
/// compiled code may keep its address while the tree grows.
pub struct Node {
    /// The trace.
    pub trace: Trace,
    /// How each of its values is held ([`Trace::reprs`]).
    pub reprs: Vec<Repr>,
}

/// A trace's exits' counters and links.
struct Exits {
    /// Times each exit was taken since its last side-trace attempt.
    counts: Vec<u32>,
    /// Exits each exit waits before the next attempt (the hot threshold, doubled after
    /// every failed projection: the instruction may specialize meanwhile).
    waits: Vec<u32>,
    /// Each exit's side trace (an index into the tree), or `UNLINKED`.
    links: Vec<u32>,
}

fn node(trace: Trace, hot: u32) -> (Rc<Node>, Exits) {
    let n = trace.exits.len();
    let exits = Exits {
        counts: vec![0; n],
        waits: vec![hot; n],
        links: vec![UNLINKED; n],
    };
    let node = Node {
        reprs: trace.reprs(),
        trace,
    };
    (Rc::new(node), exits)
}

/// Where a run goes on after an exit failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Into the tree's trace with this index, from its first uop (the exit wrote its
    /// snapshot back).
    Side(u32),
    /// Out to tier 1: the frames are rebuilt, and this is what the executor returns.
    Leave(Exit),
}

/// Projects and optimizes the root trace of a loop that became hot (what every tier-2
/// backend's `compile_loop` starts with); `None` when the loop cannot be traced.
pub fn root_trace(site: &mut LoopSite<'_>) -> Option<Trace> {
    let cx = Cx {
        module: site.module,
        heap: site.heap,
        globals: site.globals,
    };
    let start = Start::root(site.code, site.header_pc as u32, Some(site.jump_pc as u32));
    let t0 = site.clock.map(|c| c());
    let trace = project(&cx, start, &[]);
    if let (Some(c), Some(t0)) = (site.clock, t0) {
        site.stats.tier2.projection_ns += c().saturating_sub(t0);
    }
    let Ok(trace) = trace else {
        site.stats.tier2.aborted += 1;
        return None;
    };
    site.stats.tier2.traces += 1;
    let log = site.log.as_deref_mut();
    Some(opt::finish(
        trace,
        &cx,
        None,
        &[],
        site.opt,
        site.stats,
        site.clock,
        log,
        0,
    ))
}

/// A loop's trace tree.
pub struct TraceTree {
    nodes: Vec<Rc<Node>>,
    exits: Vec<Exits>,
    assumptions: Vec<Assumption>,
    hot: u32,
    /// The optimizer's settings (hoisting goes off if a moved check keeps failing).
    opt: OptConfig,
    header: u32,
    /// The loop's back edge.
    loop_end: Option<u32>,
    /// Moves on each time the tree starts over ([`TraceTree::take_exit`]), so that a
    /// backend knows to drop the code of the traces it had.
    generation: u32,
}

impl TraceTree {
    /// A tree of the root trace `trace` of the loop closed by the `Jump` at `loop_end`.
    pub fn new(trace: Trace, hot: u16, opt: OptConfig, loop_end: u32) -> TraceTree {
        let hot = u32::from(hot.max(1));
        let assumptions = trace.assumptions.clone();
        let header = trace.header_pc;
        let (node, exits) = node(trace, hot);
        TraceTree {
            assumptions,
            header,
            nodes: vec![node],
            exits: vec![exits],
            hot,
            opt,
            loop_end: Some(loop_end),
            generation: 0,
        }
    }

    /// The traces, the root first.
    pub fn nodes(&self) -> &[Rc<Node>] {
        &self.nodes
    }

    /// Exit `e` of trace `ti`'s side trace, once one is linked.
    pub fn link(&self, ti: usize, e: u32) -> Option<u32> {
        let l = self.exits[ti].links.get(e as usize).copied();
        l.filter(|&l| l != UNLINKED)
    }

    /// What the root trace assumed (the side traces assume no more).
    pub fn assumptions(&self) -> &[Assumption] {
        &self.assumptions
    }

    /// The loop header.
    pub fn header(&self) -> u32 {
        self.header
    }

    /// How many times the tree started over.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The most SSA values any trace of the tree computes (the size of a register file
    /// that runs all of them).
    pub fn max_values(&self) -> usize {
        let n = self.nodes.iter().map(|n| n.trace.n_values);
        n.max().unwrap_or(0) as usize
    }

    /// A name for dumps and the executor: `KIND@function:line`.
    pub fn name(&self, kind: &str) -> String {
        alloc::format!("{kind}@{}", self.nodes[0].trace.origin)
    }

    /// Exit `e` of trace `ti` failed, with the trace's values in `regs`: writes its
    /// snapshot back, counts it, grows a side trace once it is hot, and says where the
    /// run goes on. `valid` is false once the executor was invalidated (then the run
    /// leaves).
    ///
    /// # Safety
    ///
    /// `st` is the state block of the running executor, stopped in trace `ti` at exit
    /// `e` (its frame is the one the tree was entered with), and `regs` holds every value
    /// the exit's snapshot names, as the trace's `reprs` say.
    pub unsafe fn take_exit(
        &mut self,
        ti: usize,
        e: u32,
        regs: &[u64],
        st: *mut JitState,
        valid: bool,
    ) -> Next {
        // SAFETY: `st` is the running executor's state block (the caller's promise).
        let (locals, stack_base, vm) = unsafe { ((*st).locals, (*st).stack_base, (*st).vm) };
        // SAFETY: `locals` and `stack_base` point into the same value stack.
        let root_base = unsafe { locals.offset_from(stack_base) } as usize;
        let node = &self.nodes[ti];
        let desc = node.trace.exits[e as usize];
        let snap = &node.trace.snapshots[desc.snapshot as usize];
        // SAFETY: the snapshot's slots are the trace's frames', which lie inside the stack
        // (the projector checked the virtual ones with `CHECK_CALL`).
        unsafe { (*st).sp = snap.write_back(regs, &node.reprs, locals) };
        // SAFETY: `vm` is the running VM; no other borrow of it is live here.
        let vm: &mut VmCore = unsafe { &mut *vm };
        vm.stats_mut().tier2.exits_taken += 1;
        vm.stats_mut().tier2.exits_by_reason[desc.kind.reason()] += 1;
        let k = e as usize;
        if desc.kind == ExitKind::Hoisted && valid {
            let x = &mut self.exits[ti];
            x.counts[k] += 1;
            if x.counts[k] >= x.waits[k] {
                x.counts[k] = 0;
                let snap = self.nodes[ti].trace.snapshots[desc.snapshot as usize].clone();
                self.without_hoisting(vm);
                snap.materialize(vm, root_base);
                return Next::Leave(Exit {
                    pc: snap.pc,
                    status: EXIT_RESUME,
                });
            }
        }
        let error = desc.kind == ExitKind::Error;
        if !error && valid && wants_side_trace(desc.kind) {
            if let Some(side) = self.link(ti, e) {
                return Next::Side(side);
            }
            let x = &mut self.exits[ti];
            x.counts[k] += 1;
            if x.counts[k] >= x.waits[k] {
                let made = self.side_trace(ti, e, vm);
                let x = &mut self.exits[ti];
                x.counts[k] = 0;
                match made {
                    Some(side) => {
                        x.links[k] = side;
                        return Next::Side(side);
                    }
                    None => x.waits[k] = (x.waits[k] * 2).min(MAX_SIDE_WAIT),
                }
            }
        }
        let snap = &self.nodes[ti].trace.snapshots[desc.snapshot as usize];
        snap.materialize(vm, root_base);
        Next::Leave(Exit {
            pc: snap.pc,
            status: if error { EXIT_ERROR } else { EXIT_RESUME },
        })
    }

    /// Leaves the tree at exit `e` of trace `ti` after [`TraceTree::take_exit`] wrote
    /// its snapshot back and chose a side trace that cannot run (its code could not be
    /// made): rebuilds the frames, and returns what the executor returns.
    ///
    /// # Safety
    ///
    /// As [`TraceTree::take_exit`]'s.
    pub unsafe fn leave_exit(&self, ti: usize, e: u32, st: *mut JitState) -> Exit {
        let t = &self.nodes[ti].trace;
        let snap = &t.snapshots[t.exits[e as usize].snapshot as usize];
        // SAFETY: the caller's promise (see `take_exit`).
        let (locals, stack_base, vm) = unsafe { ((*st).locals, (*st).stack_base, (*st).vm) };
        // SAFETY: as in `take_exit`.
        let root_base = unsafe { locals.offset_from(stack_base) } as usize;
        // SAFETY: as in `take_exit`.
        snap.materialize(unsafe { &mut *vm }, root_base);
        Exit {
            pc: snap.pc,
            status: EXIT_RESUME,
        }
    }

    /// A check the optimizer moved before the loop keeps failing (the loop runs past what
    /// the check proved, and leaves early): optimizes the loop again without moving
    /// checks, and starts the tree over with that trace. The new trace may rely only on
    /// what the VM watches for this executor; otherwise the tree stays.
    fn without_hoisting(&mut self, vm: &mut VmCore) {
        let mut cfg = self.opt;
        if !cfg.passes.has(Passes::HOIST) {
            return;
        }
        cfg.passes = cfg.passes.with(Passes::HOIST, false);
        self.opt = cfg;
        let start = Start::root(self.nodes[0].trace.code, self.header, self.loop_end);
        let clock = vm.clock();
        let (module, heap, globals, stats, log) = vm.projection_parts();
        let cx = Cx {
            module,
            heap,
            globals,
        };
        if let Ok(t) = project(&cx, start, &[]) {
            if t.assumptions.iter().all(|a| self.assumptions.contains(a)) {
                stats.tier2.traces += 1;
                let watched = Some(&self.assumptions[..]);
                let t = opt::finish(t, &cx, watched, &[], cfg, stats, clock, log, 0);
                let (node, exits) = node(t, self.hot);
                self.nodes = vec![node];
                self.exits = vec![exits];
                self.generation += 1;
            }
        }
        vm.flush_jit_log();
    }

    /// Projects a side trace from exit `e` of trace `ti` and adds it to the tree; its
    /// index, or `None` when nothing useful can be projected there.
    fn side_trace(&mut self, ti: usize, e: u32, vm: &mut VmCore) -> Option<u32> {
        if self.nodes.len() > MAX_SIDE_TRACES {
            return None;
        }
        let parent = &self.nodes[ti].trace;
        let desc = parent.exits[e as usize];
        // What the parent knew of the slots there (it is the only way into the side trace).
        let entry = parent
            .exit_facts
            .get(e as usize)
            .cloned()
            .unwrap_or_default();
        let snap = &parent.snapshots[desc.snapshot as usize];
        // An exit inside functions the parent entered virtually: the side trace starts
        // in them.
        let frames = snap.frames.clone();
        let start = Start {
            kind: TraceKind::Side {
                parent: ti as u32,
                exit: e,
            },
            code: parent.code,
            header_pc: parent.header_pc,
            start_pc: snap.pc,
            generic_first: matches!(desc.kind, ExitKind::Guard | ExitKind::Overflow),
            loop_end: self.loop_end,
        };
        let index = u32::try_from(self.nodes.len()).ok()?;
        let clock = vm.clock();
        let t0 = clock.map(|c| c());
        let (module, heap, globals, stats, log) = vm.projection_parts();
        let cx = Cx {
            module,
            heap,
            globals,
        };
        let trace = project(&cx, start, &frames);
        if let (Some(c), Some(t0)) = (clock, t0) {
            stats.tier2.projection_ns += c().saturating_sub(t0);
        }
        let made = match trace {
            Ok(t) => {
                stats.tier2.side_traces += 1;
                let watched = Some(&self.assumptions[..]);
                let t = opt::finish(t, &cx, watched, &entry, self.opt, stats, clock, log, index);
                let (node, exits) = node(t, self.hot);
                self.nodes.push(node);
                self.exits.push(exits);
                Some(index)
            }
            Err(_) => {
                stats.tier2.aborted += 1;
                None
            }
        };
        vm.flush_jit_log();
        made
    }
}

/// Exit `e` of trace `t` failed and a side trace is linked to it, which native code
/// enters directly: writes the exit's snapshot back from `regs` and counts the exit, as
/// [`TraceTree::take_exit`] does before it returns [`Next::Side`].
///
/// # Safety
///
/// As [`TraceTree::take_exit`]'s (`regs` held as `reprs` says).
pub unsafe fn follow_link(st: *mut JitState, t: &Trace, reprs: &[Repr], e: u32, regs: &[u64]) {
    let desc = t.exits[e as usize];
    let snap = &t.snapshots[desc.snapshot as usize];
    // SAFETY: the snapshot's slots lie in the trace's frames (see `take_exit`).
    unsafe { (*st).sp = snap.write_back(regs, reprs, (*st).locals) };
    // SAFETY: `vm` is the running VM; no other borrow of it is live here.
    let s = unsafe { &mut (*(*st).vm).stats_mut().tier2 };
    s.exits_taken += 1;
    s.exits_by_reason[desc.kind.reason()] += 1;
}

/// The run reached a loop's end: `LOOP` or `JUMP_ROOT` (`always`: the snapshot goes to
/// memory and the safepoint is passed before the root trace starts over), or
/// `JUMP_LOOP` (only when a collection is due or the executor was invalidated). The exit
/// the executor returns when the run must leave: the safepoint raised, or `valid` is
/// false.
///
/// # Safety
///
/// `st` is the running executor's state block, stopped at `inst` of trace `t`, and
/// `regs` holds the trace's values (as `reprs` says).
pub unsafe fn at_loop(
    st: *mut JitState,
    t: &Trace,
    reprs: &[Repr],
    inst: &Inst,
    regs: &[u64],
    valid: bool,
    always: bool,
) -> Option<Exit> {
    // SAFETY: the state block's collector counters are the VM's.
    let due = always || unsafe { *(*st).gc_allocated >= *(*st).gc_threshold };
    if !due && valid {
        return None;
    }
    let snap = &t.snapshots[inst.imm[0] as usize];
    // Everything live goes to memory: for the collector's roots, or for tier 1.
    // SAFETY: the snapshot's slots lie in the trace's frames (see `take_exit`).
    unsafe { (*st).sp = snap.write_back(regs, reprs, (*st).locals) };
    // SAFETY: the helper table is the VM's; the frame is in memory.
    let raised = due && unsafe { ((*(*st).helpers).safepoint)(st) } != 0;
    if !raised && valid {
        return None;
    }
    Some(loop_exit(t, inst, raised))
}

/// What the executor returns when the run leaves at the loop end `inst` of trace `t`
/// (its snapshot written back): the safepoint raised (`raised`), or the executor was
/// invalidated and tier 1 resumes at the snapshot's instruction.
pub fn loop_exit(t: &Trace, inst: &Inst, raised: bool) -> Exit {
    Exit {
        pc: if raised {
            inst.imm[1]
        } else {
            t.snapshots[inst.imm[0] as usize].pc
        },
        status: if raised { EXIT_ERROR } else { EXIT_RESUME },
    }
}

/// At a `JUMP_LOOP` that goes on: the loop's PHIs take their back-edge values, all at
/// once (`tmp` is scratch). Returns the index of the loop body's first uop after them.
pub fn take_phis(t: &Trace, inst: &Inst, regs: &mut [u64], tmp: &mut Vec<u64>) -> usize {
    let start = inst.imm[2] as usize;
    tmp.clear();
    let phis = t.insts[start..].iter().take_while(|p| p.op == Uop::PHI);
    tmp.extend(phis.clone().map(|p| regs[p.args[1].0 as usize]));
    for (p, &v) in phis.zip(tmp.iter()) {
        regs[p.out.0 as usize] = v;
    }
    start + tmp.len()
}
