//! The stencil backend ([`StencilBackend`], `--mode stencil`) and its executor: a loop's
//! trace tree (`jit_core::tier2::tree`) whose traces run as copied-and-patched machine
//! code.
//!
//! The tree is the uop interpreter's: projection, the optimizer, exits counted, side
//! traces grown and linked, the frames rebuilt on the way out. Only the running differs.
//! The executor enters a trace's code with the state block and the register file; the
//! code runs until a uop fails and returns which exit it took (or that a loop's end
//! left the tree). The tree then writes the exit's snapshot back and says where to go
//! on: into the linked side trace's code, or out to tier 1. A side trace's `JUMP_ROOT`
//! jumps straight into the root trace's code.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell, UnsafeCell};

use jit_core::exec_mem::ExecMemory;
use jit_core::jit::{Backend, Executor, Exit, JitState, LoopSite, EXIT_ERROR, EXIT_RESUME};
use jit_core::stats::Stats;
use jit_core::tier2::table::Uop;
use jit_core::tier2::tree::{self, Next, Node, TraceTree};
use jit_core::tier2::Assumption;
use jit_core::value::Value;

use crate::arena::CodeArena;
use crate::compile::{self, Builder, Env, UopStencils};
use crate::patch::{self, Patcher};

/// What the backend's traces share: the code arena, the patcher and the stencil table.
struct Shared<M: ExecMemory> {
    arena: CodeArena<M>,
    patcher: Patcher,
    builder: Builder,
    stencils: UopStencils,
    listener: Option<Listener>,
}

/// The copy-and-patch backend: compiles every hot loop's trace tree to machine code.
pub struct StencilBackend<M: ExecMemory> {
    shared: Rc<RefCell<Shared<M>>>,
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
    /// The code, as executed (with its read-only data and veneers after it).
    pub code: &'a [u8],
    /// Where each stretch starts (an offset into `code`) and what it is: a uop and its
    /// stencil, a stub.
    pub marks: &'a [(usize, String)],
}

/// Called with every trace compiled.
pub type Listener = fn(&CodeEvent<'_>);

impl<M: ExecMemory + 'static> StencilBackend<M> {
    /// A backend whose code lives in memory from `mem`; `None` when this build has no
    /// stencils (a target other than x86-64 Linux).
    pub fn new(mem: M) -> Option<Self> {
        let shared = Shared {
            arena: CodeArena::new(mem),
            patcher: Patcher::new(),
            builder: Builder::default(),
            stencils: UopStencils::load()?,
            listener: None,
        };
        Some(StencilBackend {
            shared: Rc::new(RefCell::new(shared)),
        })
    }
}

impl<M: ExecMemory> StencilBackend<M> {
    /// Calls `f` with every trace compiled from now on.
    pub fn set_listener(&mut self, f: Listener) {
        self.shared.borrow_mut().listener = Some(f);
    }
}

impl<M: ExecMemory + 'static> Backend for StencilBackend<M> {
    fn name(&self) -> &'static str {
        crate::MODE_NAME
    }

    fn compile_loop(&mut self, site: &mut LoopSite<'_>) -> Option<Box<dyn Executor>> {
        let trace = tree::root_trace(site)?;
        let tree = TraceTree::new(trace, site.hot, site.opt, site.jump_pc as u32);
        let x = Box::new(StencilExecutor {
            name: tree.name(crate::MODE_NAME),
            assumptions: tree.assumptions().to_vec(),
            header: tree.header(),
            inner: RefCell::new(Inner {
                tree,
                code: Vec::new(),
                links: Vec::new(),
                generation: 0,
                temps: 0,
                regs: Vec::new(),
            }),
            valid: Box::new(Cell::new(true)),
            counters: Box::new(UnsafeCell::new([0; 2])),
            counting: site.counting,
            shared: self.shared.clone(),
        });
        let ok = x.compile_new(&mut x.inner.borrow_mut(), site.stats, site.clock);
        ok.then_some(x as Box<dyn Executor>)
    }
}

/// A loop's trace tree and its code.
struct Inner {
    tree: TraceTree,
    /// Each trace's code, by its index in the tree.
    code: Vec<patch::Trace>,
    /// Each trace's links, one word per exit, which its exit stubs read: 0, or the
    /// entry of the side trace linked to the exit (set once the tree linked one).
    links: Vec<Box<[Cell<usize>]>>,
    /// The tree's generation the code was compiled for.
    generation: u32,
    /// Registers past the trace's values that its PHI moves use.
    temps: usize,
    /// The register file, kept from run to run (a trace writes every register before it
    /// reads it, so what a run leaves in it is never read).
    regs: Vec<u64>,
}

/// A loop's trace tree, run as machine code.
pub struct StencilExecutor<M: ExecMemory> {
    name: String,
    assumptions: Vec<Assumption>,
    header: u32,
    inner: RefCell<Inner>,
    /// Set while the executor is valid; the code reads it (`CHECK_VALID`, loop ends).
    valid: Box<Cell<bool>>,
    /// Uops and guards run, when counting (the code adds to them).
    counters: Box<UnsafeCell<[u64; 2]>>,
    counting: bool,
    shared: Rc<RefCell<Shared<M>>>,
}

impl<M: ExecMemory> Drop for StencilExecutor<M> {
    fn drop(&mut self) {
        self.free_code();
    }
}

impl Inner {
    /// Frees the code of every trace (the executor is dropped, or its tree started over).
    fn free_code<M: ExecMemory>(&mut self, arena: &mut CodeArena<M>) {
        self.links.clear();
        for c in self.code.drain(..) {
            // A provider that cannot protect or unmap leaves the pages mapped: nothing
            // more can be done about it here.
            let _ = c.free(arena);
        }
    }
}

impl<M: ExecMemory> StencilExecutor<M> {
    /// Frees the code of every trace.
    fn free_code(&self) {
        let mut sh = self.shared.borrow_mut();
        self.inner.borrow_mut().free_code(&mut sh.arena);
    }

    /// Compiles every trace of the tree that has no code yet (all of them after the
    /// tree started over). False when one could not be compiled (executable memory ran
    /// out): the run then leaves to tier 1.
    fn compile_new(
        &self,
        inner: &mut Inner,
        stats: &mut Stats,
        clock: Option<fn() -> u64>,
    ) -> bool {
        let mut sh = self.shared.borrow_mut();
        let sh = &mut *sh;
        if inner.generation != inner.tree.generation() {
            inner.free_code(&mut sh.arena);
            inner.generation = inner.tree.generation();
        }
        while inner.code.len() < inner.tree.nodes().len() {
            let ti = inner.code.len();
            let node: &Rc<Node> = &inner.tree.nodes()[ti];
            let n_exits = node.trace.exits.len();
            inner
                .links
                .push((0..n_exits).map(|_| Cell::new(0)).collect());
            let links = &inner.links[ti];
            let env = Env {
                loop_helper: loop_helper as *const () as usize as u64,
                link_helper: link_helper as *const () as usize as u64,
                links: links.as_ptr() as u64,
                valid: &*self.valid as *const Cell<bool> as u64,
                counters: self.counting.then(|| self.counters.get() as u64),
                root: inner.code.first().map(patch::Trace::entry),
            };
            let t0 = clock.map(|c| c());
            let before = sh.patcher.stats();
            let (patcher, arena) = (&mut sh.patcher, &mut sh.arena);
            let made = sh.builder.build(
                &sh.stencils,
                ti,
                node,
                Rc::as_ptr(node) as u64,
                &env,
                |steps| patcher.emit_timed(arena, steps, clock),
            );
            let Ok((code, memory_ns)) = made else {
                inner.links.pop();
                return false;
            };
            let after = sh.patcher.stats();
            let s = &mut stats.native;
            s.backend = crate::MODE_NAME;
            s.traces_compiled += 1;
            s.uops_compiled += node.trace.insts.len() as u64;
            s.stencils += after.stencils - before.stencils;
            s.holes_patched += after.holes - before.holes;
            s.code_bytes += after.bytes - before.bytes;
            let mem = sh.arena.stats();
            s.live_code_bytes = mem.code as u64;
            s.padding_bytes = mem.padding as u64;
            s.mapped_bytes = mem.mapped as u64;
            s.own_stencil_uops += sh.builder.native as u64;
            s.generic_uops += sh.builder.generic as u64;
            if let (Some(c), Some(t0)) = (clock, t0) {
                let ns = c().saturating_sub(t0);
                s.compile_ns += ns;
                s.memory_ns += memory_ns;
                let uops = node.trace.insts.len().max(1) as f64;
                s.ns_per_uop
                    .push(ns.saturating_sub(memory_ns) as f64 / uops);
            }
            inner.temps = inner.temps.max(sh.builder.temps);
            if let Some(f) = sh.listener {
                let marks = sh.builder.marks(&node.trace, |n| sh.patcher.step_offset(n));
                f(&CodeEvent {
                    executor: &self.name,
                    trace: ti,
                    addr: code.entry(),
                    code: sh.arena.code(code.code()),
                    marks: &marks,
                });
            }
            inner.code.push(code);
        }
        true
    }

    /// Runs the tree's code from the root trace until it leaves.
    ///
    /// # Safety
    ///
    /// As [`Executor::enter`].
    unsafe fn run(&self, inner: &mut Inner, st: &mut JitState) -> Exit {
        let stp: *mut JitState = st;
        let vm = st.vm;
        // SAFETY: `vm` is the running VM (the state block's contract); no other borrow
        // of it is live while the executor compiles.
        let (stats, clock) = unsafe { ((*vm).stats_mut() as *mut Stats, (*vm).clock()) };
        // SAFETY: as above.
        if !self.compile_new(inner, unsafe { &mut *stats }, clock) {
            return Exit {
                pc: self.header,
                status: EXIT_RESUME,
            };
        }
        let mut regs = core::mem::take(&mut inner.regs);
        let mut ti = 0usize;
        loop {
            let need = inner.tree.max_values() + inner.temps;
            if regs.len() < need {
                regs.resize(need, Value::NIL.to_bits());
            }
            // The code was built by this executor from trace `ti` of its tree, which is
            // alive (and so are the nodes the code's helpers read); the arena is the
            // backend's, alive while this executor is.
            // SAFETY: so is the code; the register file holds every value of every trace
            // of the tree and the PHI moves' temporaries; `stp` is the running state block
            // stopped at the loop header (the caller's promise) or at a side trace's start.
            let ret = unsafe { inner.code[ti].run(stp, regs.as_mut_ptr(), [0; 4], [0.0; 4]) };
            let t = ((ret >> 32) & 0xFFFF) as usize;
            let k = (ret & 0xFFFF_FFFF) as usize;
            let exit = match ret & compile::RET_KIND {
                compile::RET_EXIT => {
                    let valid = self.valid.get();
                    // SAFETY: the code left at exit `k` of trace `t`, its values in `regs`.
                    match unsafe { inner.tree.take_exit(t, k as u32, &regs, stp, valid) } {
                        Next::Side(side) => {
                            // SAFETY: as above; the tree may have grown a trace.
                            if self.compile_new(inner, unsafe { &mut *stats }, clock) {
                                ti = side as usize;
                                // From now on the exit enters the side trace directly.
                                let entry = inner.code[ti].entry();
                                inner.links[t][k].set(entry);
                                continue;
                            }
                            // SAFETY: as above.
                            unsafe { inner.tree.leave_exit(t, k as u32, stp) }
                        }
                        Next::Leave(x) => x,
                    }
                }
                compile::RET_LEAVE => {
                    let trace = &inner.tree.nodes()[t].trace;
                    let raised = ret & compile::LEAVE_RAISED != 0;
                    tree::loop_exit(trace, &trace.insts[k], raised)
                }
                _ => Exit {
                    pc: inner.tree.nodes()[t].trace.start_pc,
                    status: EXIT_ERROR,
                },
            };
            if self.counting {
                // SAFETY: the code that adds to the counters is not running.
                let c = unsafe { &mut *self.counters.get() };
                // SAFETY: as above (the VM).
                let s = unsafe { &mut (*stats).tier2 };
                s.uops_executed += core::mem::take(&mut c[0]);
                s.guards_executed += core::mem::take(&mut c[1]);
            }
            inner.regs = regs;
            return exit;
        }
    }
}

impl<M: ExecMemory> Executor for StencilExecutor<M> {
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
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            // Re-entered from guest code that a helper of this very run called: leave
            // this activation of the loop to tier 1.
            return Exit {
                pc: self.header,
                status: EXIT_RESUME,
            };
        };
        // SAFETY: the caller's contract (see `Executor::enter`) is `run`'s.
        unsafe { self.run(&mut inner, state) }
    }
}

/// The generic stencils' helpers, one per uop (`STEP_HELPERS[op as usize]`).
type StepHelper = unsafe extern "C" fn(*mut JitState, *mut u64, u64, u64) -> u64;

include!(concat!(env!("OUT_DIR"), "/step_helpers.rs"));

/// The generic stencils' helper for uops `Uop::ALL[N]`: runs uop `arg & 0xFFFF_FFFF` of
/// the trace at `node` through the core's semantics; 1 when it went on, 0 when it takes
/// its exit. (The uop's number, in `arg`'s high half, only makes each generic stencil
/// distinct.)
///
/// # Safety
///
/// Called by a trace's code only: `node` is the `Node` the code was built from (kept
/// alive by the executor's tree), `regs` its register file, `st` the running state block,
/// and the uop is a `Uop::ALL[N]`.
unsafe extern "C" fn step_helper<const N: usize>(
    st: *mut JitState,
    regs: *mut u64,
    node: u64,
    arg: u64,
) -> u64 {
    // SAFETY: see the function's contract.
    let node = unsafe { &*(node as *const Node) };
    let i = (arg & 0xFFFF_FFFF) as usize;
    // SAFETY: the register file holds at least the trace's values (see `run`).
    let regs = unsafe { core::slice::from_raw_parts_mut(regs, node.trace.n_values as usize) };
    let (t, reprs) = (&node.trace, &node.reprs[..]);
    // SAFETY: the code stopped before uop `i` of the trace, a `Uop::ALL[N]`, its values
    // in `regs`.
    u64::from(unsafe { jit_core::tier2::step::<N>(st, regs, t, reprs, i, true) })
}

/// The address of the step helper of `op`.
pub(crate) fn step_helper_of(op: Uop) -> u64 {
    STEP_HELPERS[op as usize] as *const () as usize as u64
}

/// The linked exits' helper: writes exit `e` of the trace at `node` back before its side
/// trace runs (`jit_core::tier2::tree::follow_link`).
///
/// # Safety
///
/// As [`step_helper`]'s.
unsafe extern "C" fn link_helper(st: *mut JitState, regs: *mut u64, node: u64, e: u64) -> u64 {
    // SAFETY: see the function's contract.
    let node = unsafe { &*(node as *const Node) };
    // SAFETY: as in `step_helper`.
    let regs = unsafe { core::slice::from_raw_parts(regs, node.trace.n_values as usize) };
    // SAFETY: the code failed at exit `e`, its values in `regs`.
    unsafe { tree::follow_link(st, &node.trace, &node.reprs, e as u32, regs) };
    0
}

/// The loop ends' helper (`LOOP`, `JUMP_ROOT`, `JUMP_LOOP`'s slow path): writes the
/// frame back and passes the safepoint (`jit_core::tier2::tree::at_loop`); 0 to go on,
/// else why the run leaves ([`compile::LEAVE_RAISED`], [`compile::LEAVE_INVALID`]).
///
/// # Safety
///
/// As [`step_helper`]; `valid` is the executor's validity flag.
unsafe extern "C" fn loop_helper(
    st: *mut JitState,
    regs: *mut u64,
    node: u64,
    i: u64,
    valid: u64,
) -> u64 {
    // SAFETY: see the function's contract.
    let node = unsafe { &*(node as *const Node) };
    let inst = node.trace.insts[i as usize];
    // SAFETY: as in `step_helper`.
    let regs = unsafe { core::slice::from_raw_parts(regs, node.trace.n_values as usize) };
    // SAFETY: the flag lives as long as the executor, whose code this is.
    let valid = unsafe { (*(valid as *const Cell<bool>)).get() };
    let always = inst.op != Uop::JUMP_LOOP;
    // SAFETY: the code stopped at this uop, its values in `regs`.
    match unsafe { tree::at_loop(st, &node.trace, &node.reprs, &inst, regs, valid, always) } {
        None => 0,
        Some(x) if x.status == EXIT_ERROR => compile::LEAVE_RAISED,
        Some(_) => compile::LEAVE_INVALID,
    }
}
