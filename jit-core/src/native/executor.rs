//! [`NativeBackend`] and its executor: a loop's trace tree (`crate::tier2::tree`) whose
//! traces run as machine code made by a [`TraceCompiler`], and the helpers that code
//! calls.
//!
//! The tree is the uop interpreter's: projection, the optimizer, exits counted, side
//! traces grown and linked, the frames rebuilt on the way out. Only the running differs.
//! The executor enters a trace's code with the state block and the register file; the
//! code runs until a uop fails and returns which exit it took (or that a loop's end
//! left the tree). The tree then writes the exit's snapshot back and says where to go
//! on: into the linked side trace's code, or out to tier 1.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell, UnsafeCell};

use super::{
    CodeHandle, EnterFn, TraceCompiler, TraceEnv, LEAVE_INVALID, LEAVE_RAISED, RET_EXIT, RET_KIND,
    RET_LEAVE,
};
use crate::jit::{Backend, Executor, Exit, JitState, LoopSite, EXIT_ERROR, EXIT_RESUME};
use crate::stats::Stats;
use crate::tier2::table::Uop;
use crate::tier2::tree::{self, Next, Node, TraceTree};
use crate::tier2::Assumption;
use crate::value::Value;

/// A backend that compiles every hot loop's trace tree to machine code with `C`.
pub struct NativeBackend<C: TraceCompiler> {
    compiler: Rc<RefCell<C>>,
}

impl<C: TraceCompiler> NativeBackend<C> {
    /// The backend of `compiler`.
    pub fn new(compiler: C) -> Self {
        NativeBackend {
            compiler: Rc::new(RefCell::new(compiler)),
        }
    }

    /// Calls `f` with every trace compiled from now on.
    pub fn set_listener(&mut self, f: super::Listener) {
        self.compiler.borrow_mut().set_listener(f);
    }
}

impl<C: TraceCompiler + 'static> Backend for NativeBackend<C> {
    fn name(&self) -> &'static str {
        self.compiler.borrow().name()
    }

    fn compile_loop(&mut self, site: &mut LoopSite<'_>) -> Option<Box<dyn Executor>> {
        let trace = tree::root_trace(site)?;
        let (name, enter) = {
            let c = self.compiler.borrow();
            (c.name(), c.enter_fn())
        };
        let tree = TraceTree::new(trace, site.hot, site.opt, site.jump_pc as u32);
        let x = Box::new(NativeExecutor {
            name: tree.name(name),
            assumptions: tree.assumptions().to_vec(),
            header: tree.header(),
            enter,
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
            compiler: self.compiler.clone(),
        });
        let ok = x.compile_new(&mut x.inner.borrow_mut(), site.stats, site.clock);
        ok.then_some(x as Box<dyn Executor>)
    }
}

/// A loop's trace tree and its code.
struct Inner {
    tree: TraceTree,
    /// Each trace's code, by its index in the tree.
    code: Vec<CodeHandle>,
    /// Each trace's links, one word per exit, which its code reads: 0, or the entry of
    /// the side trace linked to the exit (set once the tree linked one).
    links: Vec<Box<[Cell<usize>]>>,
    /// The tree's generation the code was compiled for.
    generation: u32,
    /// Registers past the trace's values that its code uses as scratch.
    temps: usize,
    /// The register file, kept from run to run (a trace writes every register before it
    /// reads it, so what a run leaves in it is never read).
    regs: Vec<u64>,
}

/// A loop's trace tree, run as machine code.
pub struct NativeExecutor<C: TraceCompiler> {
    name: String,
    assumptions: Vec<Assumption>,
    header: u32,
    enter: EnterFn,
    inner: RefCell<Inner>,
    /// Set while the executor is valid; the code reads it (`CHECK_VALID`, loop ends).
    valid: Box<Cell<bool>>,
    /// Uops and guards run, when counting (the code adds to them).
    counters: Box<UnsafeCell<[u64; 2]>>,
    counting: bool,
    compiler: Rc<RefCell<C>>,
}

impl<C: TraceCompiler> Drop for NativeExecutor<C> {
    fn drop(&mut self) {
        let mut c = self.compiler.borrow_mut();
        self.inner.get_mut().free_code(&mut *c);
    }
}

impl Inner {
    /// Frees the code of every trace (the executor is dropped, or its tree started over).
    fn free_code<C: TraceCompiler>(&mut self, compiler: &mut C) {
        self.links.clear();
        for c in self.code.drain(..) {
            compiler.free(c);
        }
    }
}

impl<C: TraceCompiler> NativeExecutor<C> {
    /// Compiles every trace of the tree that has no code yet (all of them after the
    /// tree started over). False when one could not be compiled (executable memory ran
    /// out): the run then leaves to tier 1.
    fn compile_new(
        &self,
        inner: &mut Inner,
        stats: &mut Stats,
        clock: Option<fn() -> u64>,
    ) -> bool {
        let mut compiler = self.compiler.borrow_mut();
        let compiler = &mut *compiler;
        if inner.generation != inner.tree.generation() {
            inner.free_code(compiler);
            inner.generation = inner.tree.generation();
        }
        while inner.code.len() < inner.tree.nodes().len() {
            let ti = inner.code.len();
            let node: &Rc<Node> = &inner.tree.nodes()[ti];
            let n_exits = node.trace.exits.len();
            inner
                .links
                .push((0..n_exits).map(|_| Cell::new(0)).collect());
            let env = TraceEnv {
                loop_helper: loop_helper as *const () as usize as u64,
                link_helper: link_helper as *const () as usize as u64,
                links: inner.links[ti].as_ptr() as u64,
                valid: &*self.valid as *const Cell<bool> as u64,
                counters: self.counting.then(|| self.counters.get() as u64),
                root: inner.code.first().map(CodeHandle::addr),
            };
            let t0 = clock.map(|c| c());
            let Some(made) = compiler.compile(&self.name, ti, node, &env, stats, clock) else {
                inner.links.pop();
                return false;
            };
            let s = &mut stats.native;
            s.backend = compiler.name();
            s.traces_compiled += 1;
            s.uops_compiled += node.trace.insts.len() as u64;
            let mem = compiler.arena_stats();
            s.live_code_bytes = mem.code as u64;
            s.padding_bytes = mem.padding as u64;
            s.mapped_bytes = mem.mapped as u64;
            if let (Some(c), Some(t0)) = (clock, t0) {
                let ns = c().saturating_sub(t0).saturating_sub(made.other_ns);
                s.compile_ns += ns;
                s.memory_ns += made.memory_ns;
                let uops = node.trace.insts.len().max(1) as f64;
                s.ns_per_uop
                    .push(ns.saturating_sub(made.memory_ns) as f64 / uops);
            }
            inner.temps = inner.temps.max(made.temps);
            inner.code.push(made.code);
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
            // The code was compiled by this executor's compiler from trace `ti` of its
            // tree, which is alive (and so are the nodes the code's helpers read); the
            // compiler's arena is alive while this executor is (it holds the compiler).
            // SAFETY: so is the code; the register file holds every value of every trace
            // of the tree and the code's scratch registers; `stp` is the running state
            // block stopped at the loop header (the caller's promise) or at a side
            // trace's start.
            let ret = unsafe { (self.enter)(stp, regs.as_mut_ptr(), inner.code[ti].addr()) };
            let t = ((ret >> 32) & 0xFFFF) as usize;
            let k = (ret & 0xFFFF_FFFF) as usize;
            let exit = match ret & RET_KIND {
                RET_EXIT => {
                    let valid = self.valid.get();
                    // SAFETY: the code left at exit `k` of trace `t`, its values in `regs`.
                    match unsafe { inner.tree.take_exit(t, k as u32, &regs, stp, valid) } {
                        Next::Side(side) => {
                            // SAFETY: as above; the tree may have grown a trace.
                            if self.compile_new(inner, unsafe { &mut *stats }, clock) {
                                ti = side as usize;
                                // From now on the exit enters the side trace directly.
                                let entry = inner.code[ti].addr();
                                inner.links[t][k].set(entry);
                                continue;
                            }
                            // SAFETY: as above.
                            unsafe { inner.tree.leave_exit(t, k as u32, stp) }
                        }
                        Next::Leave(x) => x,
                    }
                }
                RET_LEAVE => {
                    let trace = &inner.tree.nodes()[t].trace;
                    let raised = ret & LEAVE_RAISED != 0;
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

impl<C: TraceCompiler> Executor for NativeExecutor<C> {
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

/// The step helper for uops `Uop::ALL[N]` ([`super::STEP_HELPERS`]): runs uop `arg &
/// 0xFFFF_FFFF` of the trace at `node` through the core's semantics; 1 when it went on,
/// 0 when it takes its exit. (The high half of `arg` is free for the caller: the stencils
/// put the uop's number there, so that no two generic stencils are the same code.)
///
/// # Safety
///
/// Called by a trace's code only: `node` is the `Node` the code was built from (kept
/// alive by the executor's tree), `regs` its register file, `st` the running state block,
/// and the uop is a `Uop::ALL[N]` whose inputs are in `regs`.
pub unsafe extern "C" fn step_helper<const N: usize>(
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
    u64::from(unsafe { crate::tier2::step::<N>(st, regs, t, reprs, i, true) })
}

/// The linked exits' helper: writes exit `e` of the trace at `node` back before its side
/// trace runs (`crate::tier2::tree::follow_link`).
///
/// # Safety
///
/// As [`step_helper`]'s, with the exit's snapshot in `regs`.
pub unsafe extern "C" fn link_helper(st: *mut JitState, regs: *mut u64, node: u64, e: u64) -> u64 {
    // SAFETY: see the function's contract.
    let node = unsafe { &*(node as *const Node) };
    // SAFETY: as in `step_helper`.
    let regs = unsafe { core::slice::from_raw_parts(regs, node.trace.n_values as usize) };
    // SAFETY: the code failed at exit `e`, its values in `regs`.
    unsafe { tree::follow_link(st, &node.trace, &node.reprs, e as u32, regs) };
    0
}

/// The loop ends' helper (`LOOP`, `JUMP_ROOT`, `JUMP_LOOP`'s slow path): writes the
/// frame back and passes the safepoint (`crate::tier2::tree::at_loop`); 0 to go on,
/// else why the run leaves ([`LEAVE_RAISED`], [`LEAVE_INVALID`]).
///
/// # Safety
///
/// As [`step_helper`]'s, with uop `i`'s snapshot in `regs`; `valid` is the executor's
/// validity flag.
pub unsafe extern "C" fn loop_helper(
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
        Some(x) if x.status == EXIT_ERROR => LEAVE_RAISED,
        Some(_) => LEAVE_INVALID,
    }
}
