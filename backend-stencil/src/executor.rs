//! The stencil backend ([`StencilBackend`], `--mode stencil`): the core's native
//! executor (`jit_core::native`) with [`StencilCompiler`] as its code generator, which
//! lays each trace out as stencils ([`crate::compile`]) and copies and patches them
//! ([`crate::patch`]) into the shared code arena.

use alloc::rc::Rc;

use jit_core::exec_mem::ExecMemory;
use jit_core::jit::JitState;
use jit_core::native::arena::{ArenaStats, CodeArena, CodeHandle};
use jit_core::native::{
    CodeEvent, Compiled, EnterFn, Listener, NativeBackend, TraceCompiler, TraceEnv,
};
use jit_core::stats::Stats;
use jit_core::tier2::tree::Node;

use crate::compile::{Builder, UopStencils};
use crate::patch::{Patcher, StencilFn};

/// The copy-and-patch backend: compiles every hot loop's trace tree to machine code.
pub type StencilBackend<M> = NativeBackend<StencilCompiler<M>>;

/// Copy-and-patch: the code arena, the patcher and the stencil table.
pub struct StencilCompiler<M: ExecMemory> {
    arena: CodeArena<M>,
    patcher: Patcher,
    builder: Builder,
    stencils: UopStencils,
    listener: Option<Listener>,
}

impl<M: ExecMemory + 'static> StencilCompiler<M> {
    /// A compiler whose code lives in memory from `mem`; `None` when this build has no
    /// stencils (a target other than x86-64 Linux).
    pub fn new(mem: M) -> Option<Self> {
        Some(StencilCompiler {
            arena: CodeArena::new(mem),
            patcher: Patcher::new(),
            builder: Builder::default(),
            stencils: UopStencils::load()?,
            listener: None,
        })
    }

    /// The backend over this compiler (see [`StencilCompiler::new`]).
    pub fn backend(mem: M) -> Option<StencilBackend<M>> {
        Some(NativeBackend::new(StencilCompiler::new(mem)?))
    }

    /// Lays out and emits trace `ti`: its code and the arena's share of the time.
    fn emit(
        &mut self,
        ti: usize,
        node: &Rc<Node>,
        env: &TraceEnv,
        clock: Option<fn() -> u64>,
    ) -> Option<(CodeHandle, u64)> {
        let (patcher, arena) = (&mut self.patcher, &mut self.arena);
        let made = self.builder.build(
            &self.stencils,
            ti,
            node,
            Rc::as_ptr(node) as u64,
            env,
            |steps| patcher.emit_timed(arena, steps, clock),
        );
        let (trace, memory_ns) = made.ok()?;
        Some((trace.into_code(), memory_ns))
    }
}

/// Every trace is entered as a stencil is, with the slots empty.
///
/// # Safety
///
/// As [`crate::patch::Trace::run`]: `entry` is a trace's code, sound to run on `st` and
/// `regs`.
unsafe extern "C" fn enter(st: *mut JitState, regs: *mut u64, entry: usize) -> u64 {
    // SAFETY: `entry` is the first byte of a trace's code, a stencil with the
    // `StencilFn` signature (every stencil has it), patched and executable.
    let f = unsafe { core::mem::transmute::<usize, StencilFn>(entry) };
    // SAFETY: the caller's promise.
    unsafe { f(st, regs, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0) }
}

impl<M: ExecMemory + 'static> TraceCompiler for StencilCompiler<M> {
    fn name(&self) -> &'static str {
        crate::MODE_NAME
    }

    fn enter_fn(&self) -> EnterFn {
        enter
    }

    fn compile(
        &mut self,
        executor: &str,
        ti: usize,
        node: &Rc<Node>,
        env: &TraceEnv,
        stats: &mut Stats,
        clock: Option<fn() -> u64>,
    ) -> Option<Compiled> {
        let before = self.patcher.stats();
        let (code, memory_ns) = self.emit(ti, node, env, clock)?;
        let after = self.patcher.stats();
        let s = &mut stats.native;
        s.stencils += after.stencils - before.stencils;
        s.holes_patched += after.holes - before.holes;
        s.code_bytes += after.bytes - before.bytes;
        s.own_code_uops += self.builder.native as u64;
        s.generic_uops += self.builder.generic as u64;
        if let Some(f) = self.listener {
            let marks = self
                .builder
                .marks(&node.trace, |n| self.patcher.step_offset(n));
            // Instructions end with the last stub, the bug report (an `exit_stub`).
            let stub = crate::stencil::get("exit_stub").map_or(0, |s| s.code().len());
            let bytes = self.arena.code(&code);
            let insts_len = marks
                .last()
                .map_or(bytes.len(), |(o, _)| (o + stub).min(bytes.len()));
            f(&CodeEvent {
                executor,
                trace: ti,
                addr: code.addr(),
                code: bytes,
                insts_len,
                marks: &marks,
                ir: None,
            });
        }
        Some(Compiled {
            code,
            memory_ns,
            other_ns: 0,
            temps: self.builder.temps,
        })
    }

    fn free(&mut self, code: CodeHandle) {
        // A provider that cannot protect or unmap leaves the pages mapped: nothing more
        // can be done about it here.
        let _ = self.arena.free(code);
    }

    fn arena_stats(&self) -> ArenaStats {
        self.arena.stats()
    }

    fn set_listener(&mut self, f: Listener) {
        self.listener = Some(f);
    }
}
