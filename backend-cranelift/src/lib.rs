//! Tier 3's reference backend (`--mode cranelift`): the same optimized uop traces as
//! `backend-stencil`, lowered to Cranelift IR ([`lower`]) and compiled by Cranelift.
//!
//! It is the correctness oracle and the code-quality yardstick for copy-and-patch:
//! every trace the stencil backend compiles has a second, independent native
//! implementation here, made by an optimizing code generator with a real register
//! allocator. Both backends are a [`TraceCompiler`] behind the core's one native
//! executor (`jit_core::native`): the same trace tree, state block, exits, snapshots,
//! link words, runtime helpers and W^X code arena, so the rest of the engine cannot
//! tell them apart.
//!
//! # Code
//!
//! Each trace is one Cranelift function with the `tail` calling convention, entered
//! through a trampoline compiled once per backend (the core's `EnterFn`); linked exits
//! and `JUMP_ROOT` are tail calls into the next trace. The code is position independent
//! (helpers' and the executor's addresses are constants, float constants sit in the
//! function's own constant pool), so it is copied into the arena as Cranelift emitted
//! it; a relocation would be refused.
#![warn(missing_docs)]

extern crate alloc;

pub mod lower;

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use jit_core::exec_mem::ExecMemory;
use jit_core::native::arena::{ArenaStats, CodeArena, CodeHandle};
use jit_core::native::{
    CodeEvent, Compiled, EnterFn, Listener, NativeBackend, TraceCompiler, TraceEnv,
};
use jit_core::stats::Stats;
use jit_core::tier2::tree::Node;

/// The name this backend takes on the command line (`--mode cranelift`).
pub const MODE_NAME: &str = "cranelift";

/// The Cranelift backend: compiles every hot loop's trace tree with Cranelift.
pub type CraneliftBackend<M> = NativeBackend<CraneliftCompiler<M>>;

/// Why the compiler could not be made.
#[derive(Debug)]
pub struct SetupError(pub String);

/// Cranelift for traces: the host's ISA, the code arena and the trampoline.
pub struct CraneliftCompiler<M: ExecMemory> {
    isa: OwnedTargetIsa,
    ctx: Context,
    fctx: FunctionBuilderContext,
    arena: CodeArena<M>,
    /// The trampoline's code (`jit_core::native::EnterFn`), alive as long as the arena.
    enter: EnterFn,
    /// Where the trampoline is (never freed).
    _trampoline: CodeHandle,
    listener: Option<Listener>,
    /// Give the listener each trace's IR (`--dump clif`).
    want_ir: bool,
}

impl<M: ExecMemory + 'static> CraneliftCompiler<M> {
    /// A compiler for this host whose code lives in memory from `mem`.
    pub fn new(mem: M) -> Result<Self, SetupError> {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| SetupError(alloc::format!("cranelift setting {k}={v}: {e}")))
        };
        set(&mut flags, "opt_level", "speed")?;
        // Cranelift's tail calls (linked exits, `JUMP_ROOT`) need frame pointers.
        set(&mut flags, "preserve_frame_pointers", "true")?;
        // The IR is made by `lower.rs` from verified traces; the verifier runs in the
        // tests' debug builds.
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        set(&mut flags, "enable_verifier", verify)?;
        let isa = cranelift_native::builder()
            .map_err(|e| SetupError(alloc::format!("no Cranelift ISA for this host: {e}")))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| SetupError(alloc::format!("Cranelift ISA: {e}")))?;
        let mut ctx = Context::new();
        let mut arena = CodeArena::new(mem);
        ctx.func = lower::trampoline(isa.default_call_conv(), isa.frontend_config());
        let (code, _) = emit(&mut ctx, &*isa, &mut arena, None)
            .map_err(|e| SetupError(alloc::format!("the trampoline: {e}")))?;
        // SAFETY: the code is the trampoline just compiled for this host, a function of
        // `EnterFn`'s signature under the host's C convention; the arena keeps it
        // executable and unchanged until it is dropped, with the compiler (the handle is
        // never freed).
        let enter = unsafe { core::mem::transmute::<usize, EnterFn>(code.addr()) };
        Ok(CraneliftCompiler {
            isa,
            ctx,
            fctx: FunctionBuilderContext::new(),
            arena,
            enter,
            _trampoline: code,
            listener: None,
            want_ir: false,
        })
    }

    /// The backend over this compiler (see [`CraneliftCompiler::new`]).
    pub fn backend(mem: M) -> Result<CraneliftBackend<M>, SetupError> {
        Ok(NativeBackend::new(CraneliftCompiler::new(mem)?))
    }

    /// Also give the listener every trace's IR, as Cranelift received it (`--dump
    /// clif`).
    pub fn with_ir(mut self) -> Self {
        self.want_ir = true;
        self
    }

    fn host(&self) -> CallConv {
        self.isa.default_call_conv()
    }
}

/// Compiles `ctx.func` for `isa` into `arena`: its code, and the arena's share of the
/// time.
fn emit<M: ExecMemory>(
    ctx: &mut Context,
    isa: &dyn TargetIsa,
    arena: &mut CodeArena<M>,
    clock: Option<fn() -> u64>,
) -> Result<(CodeHandle, u64), String> {
    // A panic inside Cranelift (a bug there or in the IR `lower.rs` made) costs this
    // trace its code, not the process: the loop stays in tier 1. The context is
    // cleared before the next trace.
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ctx.compile(isa, &mut ControlPlane::default())
            .map(|_| ())
            .map_err(|e| alloc::format!("{:?}", e.inner))
    }));
    match made {
        Ok(r) => r?,
        Err(_) => return Err(String::from("Cranelift panicked")),
    }
    let Some(compiled) = ctx.compiled_code() else {
        return Err(String::from("Cranelift made no code"));
    };
    if !compiled.buffer.relocs().is_empty() {
        return Err(alloc::format!(
            "{} relocations in position-independent code",
            compiled.buffer.relocs().len()
        ));
    }
    let bytes = compiled.code_buffer();
    let now = || clock.map_or(0, |c| c());
    let t0 = now();
    let r = arena.reserve(bytes.len()).map_err(|e| e.to_string())?;
    let code = arena.commit(r, bytes).map_err(|e| e.to_string())?;
    Ok((code, now().saturating_sub(t0)))
}

impl<M: ExecMemory + 'static> TraceCompiler for CraneliftCompiler<M> {
    fn name(&self) -> &'static str {
        MODE_NAME
    }

    fn enter_fn(&self) -> EnterFn {
        self.enter
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
        self.ctx.clear();
        let host = self.host();
        let node_addr = Rc::as_ptr(node) as u64;
        let counts = lower::lower(
            &mut self.ctx.func,
            &mut self.fctx,
            host,
            self.isa.frontend_config(),
            ti,
            node,
            node_addr,
            env,
        );
        let ir = (self.listener.is_some() && self.want_ir)
            .then(|| alloc::format!("{}", self.ctx.func.display()));
        let (code, memory_ns) = emit(&mut self.ctx, &*self.isa, &mut self.arena, clock).ok()?;
        let s = &mut stats.native;
        s.code_bytes += code.len() as u64;
        s.own_code_uops += counts.native as u64;
        s.generic_uops += counts.generic as u64;
        if let Some(f) = self.listener {
            let marks = self.marks(&node.trace);
            let bytes = self.arena.code(&code);
            f(&CodeEvent {
                executor,
                trace: ti,
                addr: code.addr(),
                code: bytes,
                insts_len: bytes.len(),
                marks: &marks,
                ir: ir.as_deref(),
            });
        }
        Some(Compiled {
            code,
            memory_ns,
            other_ns: 0,
            temps: 0,
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

impl<M: ExecMemory> CraneliftCompiler<M> {
    /// The marks of the code last compiled: where the stretch of each uop starts, in
    /// code order (Cranelift moves code, so a uop may have several stretches).
    fn marks(&self, t: &jit_core::tier2::Trace) -> Vec<(usize, String)> {
        let Some(compiled) = self.ctx.compiled_code() else {
            return Vec::new();
        };
        let mut out: Vec<(usize, String)> = Vec::new();
        let mut last = None;
        for loc in compiled.buffer.get_srclocs_sorted() {
            let l = loc.loc;
            if l.is_default() || last == Some(l) {
                continue;
            }
            last = Some(l);
            let k = l.bits();
            let label = match t.insts.get(k as usize) {
                Some(inst) => {
                    let mut s = alloc::format!("{k:04}  ");
                    jit_core::tier2::print_inst(inst, &mut s);
                    s
                }
                None if k == lower::STUBS_LOC => String::from("exits and slow paths"),
                None => continue,
            };
            out.push((loc.start as usize, label));
        }
        out
    }
}

/// A Cranelift backend over the operating system's memory, for
/// [`jit_core::run::RunConfig::backend`]; `None` when Cranelift has no ISA for this host.
#[cfg(unix)]
pub fn backend() -> Option<alloc::boxed::Box<dyn jit_core::jit::Backend>> {
    let b = CraneliftCompiler::backend(jit_core::native::mmap::MmapMemory::new()).ok()?;
    Some(alloc::boxed::Box::new(b))
}

/// [`backend`] for [`jit_core::run::RunConfig::backend`], on a host Cranelift supports
/// (check [`supported`] first).
///
/// # Panics
///
/// On a host without a Cranelift ISA.
#[cfg(unix)]
pub fn make_backend() -> alloc::boxed::Box<dyn jit_core::jit::Backend> {
    backend().expect("Cranelift supports this host (checked with `supported`)")
}

/// True when Cranelift can compile for this host (and the engine's value layout, which
/// assumes 64-bit pointers).
pub fn supported() -> bool {
    cfg!(target_pointer_width = "64") && cranelift_native::builder().is_ok()
}

// The error type is shown in messages only.
impl core::fmt::Display for SetupError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}
