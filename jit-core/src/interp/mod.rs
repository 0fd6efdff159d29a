//! The interpreter: the generic reference interpreter and tier 1, in one dispatch loop.
//!
//! `run_loop::<ADAPTIVE, STATS, TRACE>` is instantiated six times: the generic
//! interpreter (`--mode interp`: generic instructions only, no quickening), tier 1
//! (`--mode adaptive`: generic instructions count down and rewrite themselves into
//! specialized forms, see `tier1`, private to the crate), and tier 1 under tier 2
//! (`--mode uops`: `TRACE` also records each conditional jump's last direction for the
//! trace projector, which costs the other modes nothing), each with and without
//! per-instruction statistics (`--stats`).
//!
//! # Frames and the stack
//!
//! All frames live in one value stack. A frame is `[locals (num_locals)] [operand stack
//! (max_stack)]`; a call's arguments already sit where the callee's first locals go, so
//! binding them copies nothing, and the callee value just below them keeps the function
//! alive. Guest calls never recurse on the Rust stack: a call pushes a [`Frame`] record
//! and switches the loop's registers, a return pops it. The hot state (instruction
//! pointer, stack pointer, locals, constants) lives in locals of the loop, which LLVM
//! keeps in registers.
//!
//! # Unchecked accesses
//!
//! The loop reads locals, constants, caches and jump targets without bounds checks and
//! pushes without overflow checks. Each is justified by the verifier (see
//! [`crate::verify`]): operands are in range, the stack depth never exceeds `max_stack`
//! (for which every frame reserves room), and code never runs off its end.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::bytecode::{Code, CodeId, Module};
use crate::heap::{Heap, Obj};
use crate::jit::{Backend, Executor, Helpers, LoopSite};
use crate::semantics::{Exception, Semantics, TraceEntry};
use crate::stats::Stats;
use crate::tier1;
use crate::value::Value;
use crate::verify::{verify_module, VerifyError};

mod dispatch;
mod exec;
mod handlers;

use dispatch::run_loop;

/// Which execution mode runs the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The generic interpreter: the reference every other mode must agree with.
    Interp,
    /// Tier 1: the specializing adaptive interpreter.
    Adaptive,
    /// Tier 1 plus tier 2: hot loops become uop traces run by the uop interpreter
    /// ([`crate::tier2`]), the reference semantics of the trace IR.
    Uops,
}

impl Mode {
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Interp => "interp",
            Mode::Adaptive => "adaptive",
            Mode::Uops => "uops",
        }
    }

    /// True for the modes that quicken instructions (tier 1 and above).
    pub fn adaptive(self) -> bool {
        self != Mode::Interp
    }
}

/// The string constant `v` with a lifetime not tied to the heap borrow, so it can be passed
/// to a slow path together with `&mut Heap`.
///
/// # Safety
///
/// `v` must be a constant of a code object of the running module: constants are roots, so
/// the object is not freed while the module runs, and objects never move.
pub(crate) unsafe fn const_str<'a>(heap: &Heap, v: Value) -> &'a str {
    match heap.as_str(v) {
        // SAFETY: the caller guarantees the string outlives every use (see above).
        Some(s) => unsafe { &*(s as *const str) },
        None => "?",
    }
}

/// The name of local `slot` of `code`, for error messages.
pub(crate) fn local_name(code: &Code, slot: u32) -> &str {
    code.local_names
        .get(slot as usize)
        .map_or("?", String::as_str)
}

/// A call frame record. The running frame's `pc` is stale; callers' frames hold the
/// instruction to resume at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    code: CodeId,
    base: usize,
    pc: usize,
}

/// An installed executor and what the VM needs to undo it.
struct Installed {
    executor: Rc<dyn Executor>,
    /// Where its `JumpExecutor` is.
    code: CodeId,
    jump_pc: usize,
}

/// Default size of the value stack, in values (128 MiB of address space). It is
/// allocated zeroed and never moves; the operating system maps pages only as frames
/// first touch them, so the resident cost is what the program actually uses.
pub const DEFAULT_STACK_VALUES: usize = 1 << 24;

/// The engine state, and the narrow view of it that slow paths get.
///
/// Frontend code receives `&mut VmCore` in the slow paths that may call back into guest
/// code ([`Semantics::call_native`], [`Semantics::call_slow`], ...). Through it, it can
/// use the heap, keep values alive across calls on [`VmCore::roots_mut`], read the
/// module (names, code objects) and the globals, store a global by index, and call back
/// into guest code with [`VmCore::call_value`]. It cannot change the module's code, resize
/// the globals (the dispatch loop holds pointers into them) or touch the stack and frames.
///
/// ```compile_fail,E0616
/// # fn grow(vm: &mut jit_core::interp::VmCore) {
/// vm.globals.push(jit_core::value::Value::NIL); // the globals cannot be resized
/// # }
/// ```
pub struct VmCore {
    /// The heap holding every object of the program.
    heap: Heap,
    /// The program (verified by `Vm::new`).
    module: Module,
    /// The global slots. Never resized after `Vm::new`: the dispatch loop keeps a pointer
    /// to them.
    globals: Vec<Value>,
    /// Moves on with every store to a global (`StoreGlobal`, [`VmCore::set_global`]):
    /// compiled code that relies on a global's value (a function it inlined, a constant
    /// it folded) records the version it saw and checks it on entry, as CPython's traces
    /// watch their globals' dictionary version. See [`VmCore::globals_version`].
    globals_version: u64,
    /// What the engine counted.
    stats: Stats,
    /// Count instructions and guard hits (slower).
    collect_stats: bool,
    /// Extra roots: a slow path that holds values across [`VmCore::call_value`] (which may
    /// collect garbage) pushes them here and truncates afterwards.
    roots: Vec<Value>,
    mode: Mode,
    stack: *mut Value,
    stack_cap: usize,
    frames: Vec<Frame>,
    /// The stack height at the current call into the frontend: a reentrant call builds
    /// its frame from here. Every value the core passed to that call lies below it, so it
    /// stays rooted while the frontend runs guest code.
    sp_hint: usize,
    /// The attached code generator, asked for an executor when a loop becomes hot.
    backend: Option<Box<dyn Backend>>,
    /// The executors the backend made; a `JumpExecutor`'s cache `aux` indexes this. An
    /// invalidated one leaves `None`.
    executors: Vec<Option<Installed>>,
    /// Per global: true when an installed executor assumed its value (its stores are
    /// `StoreGlobalWatched`).
    watched: Vec<bool>,
    /// Tier 2's hotness threshold (`--hot`).
    hot: u16,
    /// Tier 2's optimizer settings (`--opt`, `--dump opt`).
    opt: crate::tier2::OptConfig,
    /// Where `--dump uops` collects traces as they are made (`None`: not asked).
    jit_log: Option<String>,
    /// The embedder's monotonic clock (nanoseconds), to time projection.
    clock: Option<fn() -> u64>,
    /// Where each dumped trace goes as soon as it is made (else it stays in `jit_log`).
    trace_sink: Option<fn(&str)>,
    /// The exception a helper raised in compiled code, until the executor exits.
    pending: Option<Exception>,
    /// The `extern "C"` helpers for this VM's semantics.
    helpers: Helpers,
}

impl Drop for VmCore {
    fn drop(&mut self) {
        // SAFETY: `stack` was allocated in `Vm::with_stack` with exactly this layout.
        unsafe { alloc::alloc::dealloc(self.stack.cast(), stack_layout(self.stack_cap)) };
    }
}

fn stack_layout(values: usize) -> core::alloc::Layout {
    core::alloc::Layout::array::<Value>(values).unwrap_or(core::alloc::Layout::new::<Value>())
}

/// A loaded, verified program and the state to run it.
///
/// The module is verified here and owned from then on: outside the core only `&Module`
/// and `&Code` can be reached ([`Vm::module`]), so verified code cannot be changed.
///
/// ```compile_fail,E0616
/// # fn get<S: jit_core::semantics::Semantics>(vm: &mut jit_core::interp::Vm<S>) {
/// let core = &mut vm.core; // private: slow paths get it, safe outside code does not
/// # }
/// ```
pub struct Vm<S: Semantics> {
    /// The engine state.
    core: VmCore,
    /// The frontend's semantics.
    sem: S,
}

impl<S: Semantics> Vm<S> {
    /// Verifies `module` and prepares to run it. `heap` holds the module's constants.
    pub fn new(module: Module, sem: S, heap: Heap, mode: Mode) -> Result<Vm<S>, VerifyError> {
        Vm::with_stack(module, sem, heap, mode, DEFAULT_STACK_VALUES)
    }

    /// Like [`Vm::new`] with a value stack of `stack_values` values.
    pub fn with_stack(
        mut module: Module,
        sem: S,
        heap: Heap,
        mode: Mode,
        stack_values: usize,
    ) -> Result<Vm<S>, VerifyError> {
        verify_module(&mut module)?;
        if mode.adaptive() {
            for code in &module.codes {
                tier1::prime_caches(code);
            }
        }
        let globals = module.global_init.clone();
        let watched = alloc::vec![false; globals.len()];
        let stack_cap = stack_values.max(16);
        // SAFETY: the layout has a non-zero size. All-zero bits are the float 0.0, a valid
        // `Value`, so the zeroed stack is initialized.
        let stack = unsafe { alloc::alloc::alloc_zeroed(stack_layout(stack_cap)) }.cast::<Value>();
        if stack.is_null() {
            alloc::alloc::handle_alloc_error(stack_layout(stack_cap));
        }
        let mut vm = Vm {
            core: VmCore {
                heap,
                module,
                globals,
                globals_version: 0,
                stats: Stats::default(),
                collect_stats: false,
                roots: Vec::new(),
                mode,
                stack,
                stack_cap,
                frames: Vec::new(),
                sp_hint: 0,
                backend: None,
                executors: Vec::new(),
                watched,
                hot: crate::tier2::DEFAULT_HOT,
                opt: crate::tier2::OptConfig::default(),
                jit_log: None,
                clock: None,
                trace_sink: None,
                pending: None,
                helpers: Helpers::new::<S>(),
            },
            sem,
        };
        if mode == Mode::Uops {
            vm.attach_backend(Box::new(crate::tier2::UopBackend));
            vm.set_hot_threshold(crate::tier2::DEFAULT_HOT);
        }
        Ok(vm)
    }

    /// Sets the hotness threshold (`--hot N`, at least 1): back edges before a loop is
    /// offered to the backend, and (for tier 2) exits before one gets a side trace.
    pub fn set_hot_threshold(&mut self, n: u16) {
        let n = n.max(1);
        self.core.hot = n;
        if self.core.mode.adaptive() {
            for code in &self.core.module.codes {
                tier1::prime_loops(code, n - 1);
            }
        }
    }

    /// Sets tier 2's optimizer passes (`--opt`) and whether every trace is dumped before
    /// and after optimization (`--dump opt`, which collects like [`Vm::set_dump_traces`]).
    pub fn set_optimizer(&mut self, cfg: crate::tier2::OptConfig) {
        self.core.opt = cfg;
        if cfg.dump && self.core.jit_log.is_none() {
            self.core.jit_log = Some(String::new());
        }
    }

    /// Collects every tier-2 trace as it is made, in its text form (`--dump uops`); see
    /// [`Vm::take_jit_log`].
    pub fn set_dump_traces(&mut self, on: bool) {
        self.core.jit_log = if on { Some(String::new()) } else { None };
    }

    /// The traces dumped so far (empty unless [`Vm::set_dump_traces`] asked for them).
    pub fn take_jit_log(&mut self) -> String {
        self.core
            .jit_log
            .as_mut()
            .map(core::mem::take)
            .unwrap_or_default()
    }

    /// Sends each dumped trace to `sink` the moment it is made, instead of keeping it for
    /// [`Vm::take_jit_log`].
    pub fn set_trace_sink(&mut self, sink: fn(&str)) {
        self.core.trace_sink = Some(sink);
    }

    /// Gives the engine a monotonic clock in nanoseconds (the core has none of its own),
    /// so that statistics can time trace projection.
    pub fn set_clock(&mut self, clock: fn() -> u64) {
        self.core.clock = Some(clock);
    }

    /// The mode this VM runs in.
    pub fn mode(&self) -> Mode {
        self.core.mode
    }

    /// Attaches a code generator: in tier 1 (`Mode::Adaptive`), loops that become hot
    /// are offered to it, and the executors it returns run from then on (see
    /// [`crate::jit`]). Backends extend the modes this way: the core's `Mode` names the
    /// interpreters, the backend names itself ([`Backend::name`]).
    pub fn attach_backend(&mut self, backend: Box<dyn Backend>) {
        self.core.backend = Some(backend);
    }

    /// The engine state, read-only.
    pub fn core(&self) -> &VmCore {
        &self.core
    }

    /// The heap.
    pub fn heap(&self) -> &Heap {
        &self.core.heap
    }

    /// The (verified) program.
    pub fn module(&self) -> &Module {
        &self.core.module
    }

    /// The global slots, as the last run left them.
    pub fn globals(&self) -> &[Value] {
        &self.core.globals
    }

    /// What the engine counted (the collector's counters as of the end of the last run).
    pub fn stats(&self) -> &Stats {
        &self.core.stats
    }

    /// Counts instructions and guard hits from the next run on (slower).
    pub fn set_collect_stats(&mut self, on: bool) {
        self.core.collect_stats = on;
    }

    /// The frontend's semantics.
    pub fn sem(&self) -> &S {
        &self.sem
    }

    /// The frontend's semantics, to change between runs (flush output, ...).
    pub fn sem_mut(&mut self) -> &mut S {
        &mut self.sem
    }

    /// The engine state and the semantics together, as a slow path gets them, for calling
    /// slow paths and [`VmCore::call_value`] from outside a run (tests, an embedder's own
    /// calls).
    ///
    /// # Safety
    ///
    /// Every call made through the returned references that may run guest code
    /// ([`VmCore::call_value`], or a [`Semantics`] method that takes `&mut VmCore`) may
    /// collect garbage: the caller keeps [`VmCore::call_value`]'s contract for each of
    /// them, i.e. every object value it uses after such a call was reachable from a root
    /// during it.
    pub unsafe fn parts_mut(&mut self) -> (&mut VmCore, &mut S) {
        (&mut self.core, &mut self.sem)
    }

    /// Verifies the module again (after a run, the code tier 1 quickened): a check that
    /// quickening kept the verifier's facts.
    pub fn reverify(&mut self) -> Result<(), VerifyError> {
        verify_module(&mut self.core.module)
    }

    /// Runs the module's entry code to completion.
    ///
    /// # Safety
    ///
    /// The run collects garbage at its safepoints, and a collection frees every object it
    /// does not reach from the roots: the value stack, the globals, the module's
    /// constants, [`VmCore::roots_mut`], what [`Semantics::trace_roots`] reports, and
    /// (transitively) what objects hold, as [`crate::heap::HostObject::trace`] reports it
    /// for host objects. The caller promises that no object value is used after a
    /// collection that did not reach it:
    ///
    /// - its own: after this call it uses only the returned value (nothing collects between
    ///   the return and the caller), values it can find from the roots (the globals, the
    ///   semantics' roots), and values it holds that are reachable from those;
    /// - the frontend's: its semantics keeps no object value between calls outside what
    ///   `trace_roots` reports (a cache of values included), its host objects' `trace`
    ///   reports every value they hold, and its slow paths keep
    ///   [`VmCore::call_value`]'s contract when they call back into guest code. (The
    ///   values the core passes to a slow path are on the value stack for the whole call.)
    ///
    /// With [`crate::heap::Heap::new`]'s promise (values never cross heaps or outlive
    /// theirs), this is what makes [`crate::heap::Heap::get`] sound in the safe API.
    pub unsafe fn run(&mut self) -> Result<Value, Exception> {
        let core = &mut self.core;
        let entry = core.module.entry;
        let code = &core.module.codes[entry as usize];
        let need = code.num_locals as usize + code.max_stack as usize;
        if need > core.stack_cap {
            return Err(self.sem.stack_overflow());
        }
        for i in 0..code.num_locals as usize {
            // SAFETY: `i < need <= stack_cap`.
            unsafe { *core.stack.add(i) = code.local_init };
        }
        core.frames.clear();
        core.frames.push(Frame {
            code: entry,
            base: 0,
            pc: 0,
        });
        let r = core.dispatch(&mut self.sem, 0);
        core.frames.clear();
        core.stats.gc = core.heap.stats();
        r
    }
}

impl VmCore {
    /// The mode this VM runs in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The globals' version: it changes whenever a global is stored, so a value a
    /// compiled trace read from a global at a version is still there while the version
    /// is unchanged.
    pub fn globals_version(&self) -> u64 {
        self.globals_version
    }

    /// The heap.
    #[inline(always)]
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// The heap, to allocate in and change objects.
    #[inline(always)]
    pub fn heap_mut(&mut self) -> &mut Heap {
        &mut self.heap
    }

    /// The extra roots (see [`VmCore::roots_mut`]).
    #[inline(always)]
    pub fn roots(&self) -> &[Value] {
        &self.roots
    }

    /// Extra roots: a slow path that holds object values across [`VmCore::call_value`]
    /// (which may collect garbage) pushes them here and truncates back afterwards. The
    /// collector marks everything on it.
    #[inline(always)]
    pub fn roots_mut(&mut self) -> &mut Vec<Value> {
        &mut self.roots
    }

    /// The heap and the extra roots at once (to build an object from rooted values).
    #[inline(always)]
    pub fn heap_and_roots(&mut self) -> (&mut Heap, &mut Vec<Value>) {
        (&mut self.heap, &mut self.roots)
    }

    /// The heap and the program at once (to bind arguments to a code object's
    /// parameters, say).
    #[inline(always)]
    pub fn heap_and_module(&mut self) -> (&mut Heap, &Module) {
        (&mut self.heap, &self.module)
    }

    /// The program: names, code objects (read-only), global names.
    #[inline(always)]
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The global slots (their number never changes).
    #[inline(always)]
    pub fn globals(&self) -> &[Value] {
        &self.globals
    }

    /// Global `i`, if it exists.
    #[inline(always)]
    pub fn global(&self, i: usize) -> Option<Value> {
        self.globals.get(i).copied()
    }

    /// Stores `v` in global `i`; false when there is no such global (the slots are never
    /// added or removed).
    pub fn set_global(&mut self, i: usize, v: Value) -> bool {
        if i >= self.globals.len() {
            return false;
        }
        // SAFETY: `i` is in bounds. The write goes through `as_mut_ptr`, like the dispatch
        // loop's own pointer to the globals, so it creates no reference that would
        // invalidate that pointer; the vector is not resized.
        unsafe { self.globals.as_mut_ptr().add(i).write(v) };
        self.globals_version += 1;
        self.global_stored(i as u32);
        true
    }

    /// A global was stored: invalidates every executor that assumed its value.
    pub(crate) fn global_stored(&mut self, g: u32) {
        if !self.watched.get(g as usize).copied().unwrap_or(false) {
            return;
        }
        use crate::tier2::Assumption;
        for slot in 0..self.executors.len() {
            let hit = self.executors[slot].as_ref().is_some_and(|inst| {
                inst.executor
                    .assumptions()
                    .contains(&Assumption::GlobalUnchanged(g))
            });
            if hit {
                self.invalidate(slot);
            }
        }
    }

    /// Invalidates the executor in `slot`: its loop's `JumpExecutor` reverts to `Jump`
    /// (counting toward hotness again, with a backoff), and the VM lets the executor go;
    /// it is freed as soon as no frame runs it.
    fn invalidate(&mut self, slot: usize) {
        let Some(inst) = self.executors[slot].take() else {
            return;
        };
        inst.executor.invalidate();
        if let Some(code) = self.module.codes.get(inst.code as usize) {
            tier1::revert_executor(code, inst.jump_pc);
        }
        self.stats.tier2.invalidations += 1;
    }

    /// Stores global `g` from a trace: the store `StoreGlobal` does, with its
    /// invalidation.
    pub(crate) fn store_global_from_trace(&mut self, g: u32, v: Value) {
        self.set_global(g as usize, v);
    }

    /// Makes a global watched: every `StoreGlobal` of it becomes `StoreGlobalWatched`.
    fn watch_global(&mut self, g: u32) {
        let Some(w) = self.watched.get_mut(g as usize) else {
            return;
        };
        if *w {
            return;
        }
        *w = true;
        for code in &self.module.codes {
            tier1::watch_stores(code, g);
        }
    }

    /// Sends what the dump log holds to the trace sink, if there is one.
    pub(crate) fn flush_jit_log(&mut self) {
        if let (Some(sink), Some(log)) = (self.trace_sink, self.jit_log.as_mut()) {
            if !log.is_empty() {
                sink(log);
                log.clear();
            }
        }
    }

    /// The counters, for tier 2's executors.
    pub fn stats_mut(&mut self) -> &mut Stats {
        &mut self.stats
    }

    /// The number of frames (the running one included).
    pub(crate) fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// The embedder's clock, if any.
    pub fn clock(&self) -> Option<fn() -> u64> {
        self.clock
    }

    /// What projecting a side trace reads, the counters and the dump log, borrowed at
    /// once.
    pub(crate) fn projection_parts(
        &mut self,
    ) -> (&Module, &Heap, &[Value], &mut Stats, Option<&mut String>) {
        (
            &self.module,
            &self.heap,
            &self.globals,
            &mut self.stats,
            self.jit_log.as_mut(),
        )
    }

    /// Pushes a frame a trace had entered virtually: the running frame resumes at
    /// `ret_pc` when it returns, and the new one (code `code`, first local at `base`)
    /// becomes the running frame.
    pub(crate) fn push_virtual_frame(&mut self, code: CodeId, base: usize, ret_pc: usize) {
        if let Some(f) = self.frames.last_mut() {
            f.pc = ret_pc;
        }
        self.frames.push(Frame { code, base, pc: 0 });
        self.stats.calls += 1;
        self.stats.max_depth = self.stats.max_depth.max(self.frames.len() - 1);
    }

    /// Runs the frame on top of `frames` until the frame at index `stop_depth` returns.
    fn dispatch<S: Semantics>(
        &mut self,
        sem: &mut S,
        stop_depth: usize,
    ) -> Result<Value, Exception> {
        match (self.mode, self.collect_stats) {
            (Mode::Interp, false) => run_loop::<S, false, false, false>(self, sem, stop_depth),
            (Mode::Interp, true) => run_loop::<S, false, true, false>(self, sem, stop_depth),
            (Mode::Adaptive, false) => run_loop::<S, true, false, false>(self, sem, stop_depth),
            (Mode::Adaptive, true) => run_loop::<S, true, true, false>(self, sem, stop_depth),
            (Mode::Uops, false) => run_loop::<S, true, false, true>(self, sem, stop_depth),
            (Mode::Uops, true) => run_loop::<S, true, true, true>(self, sem, stop_depth),
        }
    }

    /// Calls `f` with `args` from inside a slow path and returns its result. Guest
    /// functions run in a nested dispatch loop on the same stack, above the caller's
    /// values; builtins and other callables go to `sem`.
    ///
    /// # Safety
    ///
    /// The callee may collect garbage (see [`Vm::run`]). Every object value used after
    /// this call must have been reachable from a root during it; this covers the values
    /// held by the caller *and by the callers up the Rust stack* to the core (the core
    /// itself keeps everything it holds, including what it passed to the running slow
    /// path, on the value stack). Roots are the value stack, the globals, the constants,
    /// [`VmCore::roots_mut`] (push what you hold, truncate afterwards), what
    /// [`Semantics::trace_roots`] reports, and what rooted objects hold. `f` and `args`
    /// are on the stack for the whole call (as long as `bind_arguments` keeps the
    /// arguments), and the result is live when it returns.
    pub unsafe fn call_value<S: Semantics>(
        &mut self,
        sem: &mut S,
        f: Value,
        args: &[Value],
    ) -> Result<Value, Exception> {
        let base = self.sp_hint;
        let n = args.len();
        if base + 1 + n > self.stack_cap {
            return Err(sem.stack_overflow());
        }
        // The callee value and the arguments go just above the caller's live values, where
        // a call instruction would have them.
        // SAFETY: `base + 1 + n <= stack_cap`; the slots above `sp_hint` are free, and
        // `args` (if it points into the stack at all) lies below `sp_hint`.
        unsafe {
            *self.stack.add(base) = f;
            for (i, &a) in args.iter().enumerate() {
                *self.stack.add(base + 1 + i) = a;
            }
        }
        let saved_hint = self.sp_hint;
        let result = match self.heap.get(f) {
            Some(Obj::Function(func)) if (func.code as usize) < self.module.codes.len() => {
                let code_id = func.code;
                self.enter_from_host(sem, f, code_id, base + 1, n)
            }
            Some(Obj::Native(nat)) => {
                let id = nat.id;
                self.sp_hint = base + 1 + n;
                // SAFETY: the arguments were just written there and nothing below
                // `sp_hint` is overwritten while the slice lives.
                let args = unsafe { core::slice::from_raw_parts(self.stack.add(base + 1), n) };
                sem.call_native(self, id, args)
            }
            _ => {
                self.sp_hint = base + 1 + n;
                // SAFETY: as above.
                let args = unsafe { core::slice::from_raw_parts(self.stack.add(base + 1), n) };
                sem.call_slow(self, f, args)
            }
        };
        self.sp_hint = saved_hint;
        result
    }

    /// Pushes a frame for guest code `code_id` whose `argc` arguments start at stack index
    /// `base`, and runs it to completion.
    fn enter_from_host<S: Semantics>(
        &mut self,
        sem: &mut S,
        f: Value,
        code_id: CodeId,
        base: usize,
        argc: usize,
    ) -> Result<Value, Exception> {
        let code = &self.module.codes[code_id as usize];
        let params = code.arg_slots() as usize;
        let (num_locals, max_stack) = (code.num_locals as usize, code.max_stack as usize);
        let mut argc = argc;
        if !code.takes_exactly(argc) {
            // SAFETY: the arguments were written at `base..base + argc` by `call_value`.
            let args = unsafe { core::slice::from_raw_parts(self.stack.add(base), argc) };
            let bound = sem.bind_arguments(&mut self.heap, f, code, args)?;
            if bound.len() != params || base + params > self.stack_cap {
                return Err(Exception::msg("internal error: bad argument binding"));
            }
            for (i, v) in bound.into_iter().enumerate() {
                // SAFETY: `base + params <= stack_cap` was checked above.
                unsafe { *self.stack.add(base + i) = v };
            }
            argc = params;
        }
        let depth = self.frames.len();
        if depth > sem.max_call_depth() || base + num_locals + max_stack > self.stack_cap {
            return Err(sem.stack_overflow());
        }
        let init = self.module.codes[code_id as usize].local_init;
        for i in argc..num_locals {
            // SAFETY: `base + num_locals <= stack_cap` was checked above.
            unsafe { *self.stack.add(base + i) = init };
        }
        self.frames.push(Frame {
            code: code_id,
            base,
            pc: 0,
        });
        self.stats.calls += 1;
        self.stats.max_depth = self.stats.max_depth.max(depth);
        self.dispatch(sem, depth)
    }

    /// A loop became hot: the backward `Jump` at `jump_pc` of code `code` goes to the
    /// loop header `header_pc`. With a backend attached, asks it for an executor and
    /// returns the slot it is kept in (the `Jump` then becomes `JumpExecutor`); otherwise
    /// the loop is only counted, and its counter backs off.
    #[cold]
    #[inline(never)]
    pub(crate) fn hot_loop(
        &mut self,
        code: CodeId,
        header_pc: usize,
        jump_pc: usize,
    ) -> Option<u32> {
        self.stats.hot_loops += 1;
        let backend = self.backend.as_mut()?;
        let mut site = LoopSite {
            module: &self.module,
            heap: &self.heap,
            globals: &self.globals,
            code,
            header_pc,
            jump_pc,
            hot: self.hot,
            opt: self.opt,
            stats: &mut self.stats,
            log: self.jit_log.as_mut(),
            clock: self.clock,
            counting: self.collect_stats,
        };
        let executor = backend.compile_loop(&mut site);
        self.flush_jit_log();
        let executor = executor?;
        let slot = u32::try_from(self.executors.len()).ok()?;
        let executor: Rc<dyn Executor> = Rc::from(executor);
        for a in executor.assumptions() {
            match *a {
                crate::tier2::Assumption::GlobalUnchanged(g) => self.watch_global(g),
            }
        }
        self.executors.push(Some(Installed {
            executor,
            code,
            jump_pc,
        }));
        self.stats.executors += 1;
        Some(slot)
    }

    /// True when a backend is attached (loops are then counted toward hotness).
    #[inline(always)]
    pub(crate) fn has_backend(&self) -> bool {
        self.backend.is_some()
    }

    /// The executor in `slot`, shared so that it can run while the VM is borrowed by its
    /// helpers.
    pub(crate) fn executor(&self, slot: u32) -> Option<Rc<dyn Executor>> {
        self.executors
            .get(slot as usize)?
            .as_ref()
            .map(|i| i.executor.clone())
    }

    /// The helper table and state-block parts for an executor run.
    pub(crate) fn helpers(&self) -> *const Helpers {
        &raw const self.helpers
    }

    /// Records the exception a helper raised in compiled code.
    pub(crate) fn set_pending(&mut self, e: Exception) {
        self.pending = Some(e);
    }

    /// Takes the exception compiled code left pending.
    pub(crate) fn take_pending(&mut self) -> Exception {
        self.pending.take().unwrap_or_else(|| {
            Exception::msg("internal error: compiled code exited with no exception")
        })
    }

    /// Tells the VM where the live stack ends before a helper may call back into guest
    /// code.
    pub(crate) fn set_sp_hint(&mut self, height: usize) {
        self.sp_hint = height;
    }

    /// True when a safepoint has work: the collector's budget is spent, or the allocator
    /// ran out of memory. The one test both the dispatch loop and compiled code make.
    #[inline(always)]
    pub(crate) fn collection_due(&self) -> bool {
        self.heap.should_collect() || crate::heap::memory_exhausted()
    }

    /// A safepoint for compiled code: collects when due, with the `height` values at the
    /// bottom of the stack as its live part.
    pub(crate) fn safepoint_at<S: Semantics>(
        &mut self,
        sem: &mut S,
        height: usize,
    ) -> Result<(), Exception> {
        if self.collection_due() {
            self.safepoint_slow(sem, height.min(self.stack_cap))?;
        }
        Ok(())
    }

    /// A safepoint that found work: collects, then raises the language's memory error
    /// when the allocator ran out (the flag is cleared: raised once) or the live heap is
    /// past its limit.
    #[cold]
    #[inline(never)]
    pub(crate) fn safepoint_slow<S: Semantics>(
        &mut self,
        sem: &mut S,
        stack_len: usize,
    ) -> Result<(), Exception> {
        let exhausted =
            crate::heap::MEMORY_EXHAUSTED.swap(false, core::sync::atomic::Ordering::Relaxed);
        self.collect_garbage(sem, stack_len);
        if exhausted || self.heap.over_limit() {
            return Err(sem.memory_error());
        }
        Ok(())
    }

    /// Collects garbage now (Python's `gc.collect()`), from a slow path: the roots are
    /// the stack up to the instruction that called out to the frontend (its operands
    /// included), the globals, the constants, [`VmCore::roots`] and what `sem` reports.
    /// A value the caller holds only in a Rust variable is not a root: push it to
    /// [`VmCore::roots_mut`] first if it must survive.
    ///
    /// # Safety
    ///
    /// As for [`VmCore::call_value`]: every object value the caller (and its callers, up
    /// to the core) uses after this call was reachable from a root during it.
    pub unsafe fn collect_now<S: Semantics>(&mut self, sem: &S) {
        let height = self.sp_hint.min(self.stack_cap);
        self.collect_garbage(sem, height);
    }

    /// Runs a collection with the live part of the stack (`stack_len` values) as roots.
    #[cold]
    fn collect_garbage<S: Semantics>(&mut self, sem: &S, stack_len: usize) {
        // SAFETY: `stack_len` never exceeds the stack's capacity, and every slot below it
        // holds a value written by the interpreter (or the zeroed float 0.0).
        let stack = unsafe { core::slice::from_raw_parts(self.stack, stack_len) };
        let globals = &self.globals;
        let module = &self.module;
        let roots = &self.roots;
        // The dispatch loops hold no other values across this call: a loop waiting on a
        // slow path left what it passed below `sp_hint`, below `stack_len`. What a slow
        // path holds across `call_value` is rooted by that method's contract, and what the
        // frontend keeps by `Vm::run`'s.
        // SAFETY: at a safepoint every live value is in the stack below `stack_len`, a
        // global, a constant, an extra root, or held by the frontend (which reports it in
        // `trace_roots`); see above for the values held in Rust.
        unsafe {
            self.heap.collect(|m| {
                m.mark_all(stack);
                m.mark_all(globals);
                m.mark_all(roots);
                for code in &module.codes {
                    m.mark_all(&code.consts);
                }
                sem.trace_roots(m);
            });
        }
    }

    /// Builds the traceback of an error raised at `pc` in the running (last) frame.
    fn traceback(&self, pc: usize) -> Vec<TraceEntry> {
        let mut out = Vec::with_capacity(self.frames.len());
        let n = self.frames.len();
        for (i, f) in self.frames.iter().enumerate().rev() {
            let code = &self.module.codes[f.code as usize];
            let at = if i + 1 == n {
                pc
            } else {
                f.pc.saturating_sub(1)
            };
            let loc = code.loc(at);
            out.push(TraceEntry {
                code: f.code,
                function: code.name.clone(),
                line: loc.line,
                col: loc.col,
            });
        }
        out
    }
}
