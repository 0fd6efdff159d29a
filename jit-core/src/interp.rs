//! The interpreter: the generic reference interpreter and tier 1, in one dispatch loop.
//!
//! `run_loop::<ADAPTIVE, STATS>` is instantiated three times: the generic interpreter
//! (`--mode interp`: generic instructions only, no quickening), tier 1 (`--mode adaptive`:
//! generic instructions count down and rewrite themselves into specialized forms, see
//! [`crate::tier1`]), and either with per-instruction statistics (`--stats`).
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

use alloc::vec::Vec;

use crate::bytecode::{BinOp, Cache, CmpOp, Code, CodeId, Instr, Module, Op, UnOp};
use crate::heap::{Heap, Obj};
use crate::ops;
use crate::semantics::{Exception, Semantics, TraceEntry};
use crate::stats::{family_index, Stats};
use crate::tier1;
use crate::value::Value;
use crate::verify::{verify_module, VerifyError};

/// Which execution mode runs the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The generic interpreter: the reference every other mode must agree with.
    Interp,
    /// Tier 1: the specializing adaptive interpreter.
    Adaptive,
}

impl Mode {
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Interp => "interp",
            Mode::Adaptive => "adaptive",
        }
    }
}

/// What a call instruction found in its callee slot.
enum CallTarget {
    Guest(CodeId),
    Native(u32),
    Other,
}

/// A call frame record. The running frame's `pc` is stale; callers' frames hold the
/// instruction to resume at.
#[derive(Clone, Copy, Debug)]
struct Frame {
    code: CodeId,
    base: usize,
    pc: usize,
}

/// Default size of the value stack, in values (128 MiB of address space). It is
/// allocated zeroed and never moves; the operating system maps pages only as frames
/// first touch them, so the resident cost is what the program actually uses.
pub const DEFAULT_STACK_VALUES: usize = 1 << 24;

/// The VM state slow paths may touch: everything but the frontend's semantics.
///
/// Frontend code receives `&mut VmCore` in the slow paths that may call back into guest
/// code ([`Semantics::call_native`], [`Semantics::call_slow`], ...) and calls
/// [`VmCore::call_value`] to do so.
pub struct VmCore {
    /// The heap holding every object of the program.
    pub heap: Heap,
    /// The program.
    pub module: Module,
    /// The global slots.
    pub globals: Vec<Value>,
    /// What the engine counted.
    pub stats: Stats,
    /// Count instructions and guard hits (slower).
    pub collect_stats: bool,
    /// Extra roots: a slow path that holds values across [`VmCore::call_value`] (which may
    /// collect garbage) pushes them here and truncates afterwards.
    pub roots: Vec<Value>,
    mode: Mode,
    stack: *mut Value,
    stack_cap: usize,
    frames: Vec<Frame>,
    /// The stack height at the current call into the frontend: a reentrant call builds
    /// its frame from here.
    sp_hint: usize,
}

impl Drop for VmCore {
    fn drop(&mut self) {
        // SAFETY: `stack` was allocated in `VmCore::new` with exactly this layout.
        unsafe { alloc::alloc::dealloc(self.stack.cast(), stack_layout(self.stack_cap)) };
    }
}

fn stack_layout(values: usize) -> core::alloc::Layout {
    core::alloc::Layout::array::<Value>(values).unwrap_or(core::alloc::Layout::new::<Value>())
}

/// A loaded, verified program and the state to run it.
pub struct Vm<S: Semantics> {
    /// The engine state.
    pub core: VmCore,
    /// The frontend's semantics.
    pub sem: S,
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
        if mode == Mode::Adaptive {
            for code in &module.codes {
                tier1::prime_caches(code);
            }
        }
        let globals = module.global_init.clone();
        let stack_cap = stack_values.max(16);
        // SAFETY: the layout has a non-zero size. All-zero bits are the float 0.0, a valid
        // `Value`, so the zeroed stack is initialized.
        let stack = unsafe { alloc::alloc::alloc_zeroed(stack_layout(stack_cap)) }.cast::<Value>();
        if stack.is_null() {
            alloc::alloc::handle_alloc_error(stack_layout(stack_cap));
        }
        Ok(Vm {
            core: VmCore {
                heap,
                module,
                globals,
                stats: Stats::default(),
                collect_stats: false,
                roots: Vec::new(),
                mode,
                stack,
                stack_cap,
                frames: Vec::new(),
                sp_hint: 0,
            },
            sem,
        })
    }

    /// The mode this VM runs in.
    pub fn mode(&self) -> Mode {
        self.core.mode
    }

    /// Runs the module's entry code to completion.
    pub fn run(&mut self) -> Result<Value, Exception> {
        let core = &mut self.core;
        let entry = core.module.entry;
        let code = &core.module.codes[entry as usize];
        let need = code.num_locals as usize + code.max_stack as usize;
        if need > core.stack_cap {
            return Err(self.sem.stack_overflow());
        }
        for i in 0..code.num_locals as usize {
            // SAFETY: `i < need <= stack_cap`.
            unsafe { *core.stack.add(i) = Value::NIL };
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

    /// Runs the frame on top of `frames` until the frame at index `stop_depth` returns.
    fn dispatch<S: Semantics>(
        &mut self,
        sem: &mut S,
        stop_depth: usize,
    ) -> Result<Value, Exception> {
        match (self.mode, self.collect_stats) {
            (Mode::Interp, false) => run_loop::<S, false, false>(self, sem, stop_depth),
            (Mode::Interp, true) => run_loop::<S, false, true>(self, sem, stop_depth),
            (Mode::Adaptive, false) => run_loop::<S, true, false>(self, sem, stop_depth),
            (Mode::Adaptive, true) => run_loop::<S, true, true>(self, sem, stop_depth),
        }
    }

    /// Calls `f` with `args` from inside a slow path and returns its result. Guest
    /// functions run in a nested dispatch loop on the same stack, above the caller's
    /// values; builtins and other callables go to `sem`.
    ///
    /// The callee may collect garbage: values the caller still needs afterwards must be
    /// reachable from `args`' owners, the stack, or [`VmCore::roots`].
    pub fn call_value<S: Semantics>(
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
        let params = code.num_params as usize;
        let (num_locals, max_stack) = (code.num_locals as usize, code.max_stack as usize);
        let mut argc = argc;
        if params != argc {
            // SAFETY: the arguments were written at `base..base + argc` by `call_value`.
            let args = unsafe { core::slice::from_raw_parts(self.stack.add(base), argc) };
            let name = code.name.clone();
            let bound = sem.bind_arguments(&mut self.heap, f, &name, params as u32, args)?;
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
        for i in argc..num_locals {
            // SAFETY: `base + num_locals <= stack_cap` was checked above.
            unsafe { *self.stack.add(base + i) = Value::NIL };
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

    /// Runs a collection with the live part of the stack (`stack_len` values) as roots.
    #[cold]
    fn collect_garbage<S: Semantics>(&mut self, sem: &S, stack_len: usize) {
        // SAFETY: `stack_len` never exceeds the stack's capacity, and every slot below it
        // holds a value written by the interpreter (or the zeroed float 0.0).
        let stack = unsafe { core::slice::from_raw_parts(self.stack, stack_len) };
        let globals = &self.globals;
        let module = &self.module;
        let roots = &self.roots;
        // SAFETY: at a safepoint every live value is in the stack below `stack_len`, a
        // global, a constant, an extra root, or held by the frontend (which reports it in
        // `trace_roots`); the interpreter holds no other values across this call.
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
                function: code.name.clone(),
                line: loc.line,
                col: loc.col,
            });
        }
        out
    }
}

#[allow(clippy::too_many_lines)]
fn run_loop<S: Semantics, const ADAPTIVE: bool, const STATS: bool>(
    core: &mut VmCore,
    sem: &mut S,
    stop_depth: usize,
) -> Result<Value, Exception> {
    let max_depth = sem.max_call_depth();
    let codes: *const Code = core.module.codes.as_ptr();
    let globals: *mut Value = core.globals.as_mut_ptr();
    let stack: *mut Value = core.stack;
    let Some(&frame) = core.frames.last() else {
        return Err(Exception::msg("internal error: no frame to run"));
    };
    // SAFETY (for every `unsafe` block in this function): the pointers above point into
    // vectors this VM owns and does not resize during the loop; the value stack is one
    // fixed allocation that never moves, and every frame is checked to fit in it when it
    // is pushed. `code` points into `module.codes`, which is not modified while running.
    // Instruction, constant, local, global and cache indices, jump targets and stack
    // depths were checked by the verifier (see the module docs), and quickening keeps
    // those facts (a specialized instruction has its family's operands and effect).
    // SAFETY: see the comment at the top of `run_loop`.
    let mut code: *const Code = unsafe { codes.add(frame.code as usize) };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut instrs: *const core::cell::Cell<Instr> = unsafe { (*code).instrs.as_ptr() };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut caches: *const core::cell::Cell<Cache> = unsafe { (*code).caches.as_ptr() };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut consts: *const Value = unsafe { (*code).consts.as_ptr() };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut ip = unsafe { instrs.add(frame.pc) };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut locals: *mut Value = unsafe { stack.add(frame.base) };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut sp: *mut Value = unsafe { locals.add((*code).num_locals as usize) };

    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe {
                *sp = v;
                sp = sp.add(1);
            }
        }};
    }
    macro_rules! pop {
        () => {{
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe {
                sp = sp.sub(1);
                *sp
            }
        }};
    }
    macro_rules! drop_top {
        () => {{
            // SAFETY: see the comment at the top of `run_loop`.
            sp = unsafe { sp.sub(1) };
        }};
    }
    macro_rules! peek {
        ($n:expr) => {{
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe { *sp.sub($n + 1) }
        }};
    }
    macro_rules! pc_of {
        ($p:expr) => {{
            // SAFETY: both pointers are into the same instruction array.
            unsafe { $p.offset_from(instrs) as usize }
        }};
    }
    macro_rules! stack_off {
        ($p:expr) => {{
            // SAFETY: both pointers are into the same stack vector.
            unsafe { $p.offset_from(stack) as usize }
        }};
    }
    macro_rules! tri {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => break Err(e),
            }
        };
    }
    macro_rules! hit {
        ($ins:expr) => {
            if STATS {
                core.stats.tier1[family_index($ins.op)].hits += 1;
            }
        };
    }
    macro_rules! cache_of {
        ($ins:expr) => {{
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe { &*caches.add($ins.b as usize) }
        }};
    }
    // Counts down a generic instruction's cache; at zero, tries to specialize it for the
    // operands now on the stack.
    macro_rules! adapt {
        ($ins:expr) => {
            if ADAPTIVE {
                let cell = cache_of!($ins);
                let mut c = cell.get();
                if c.counter == 0 {
                    let pc = pc_of!(ip) - 1;
                    let depth = stack_off!(sp) - stack_off!(locals);
                    // SAFETY: `locals..sp` is the current frame's initialized locals and
                    // operand stack; `specialize` only reads its top operands.
                    let operands = unsafe { core::slice::from_raw_parts(locals, depth) };
                    // SAFETY: see the comment at the top of `run_loop`.
                    let code_ref = unsafe { &*code };
                    let fam = family_index($ins.op);
                    match tier1::specialize(&core.heap, &core.module, code_ref, pc, $ins, operands)
                    {
                        Some((op, aux)) => {
                            // SAFETY: `ip - 1` is the instruction being executed.
                            unsafe { (*ip.sub(1)).set(Instr { op, ..$ins }) };
                            c.counter = tier1::MISS_BUDGET;
                            c.aux = aux;
                            core.stats.tier1[fam].specializations += 1;
                        }
                        None => {
                            tier1::back_off(&mut c);
                            core.stats.tier1[fam].failures += 1;
                        }
                    }
                } else {
                    c.counter -= 1;
                }
                cell.set(c);
            }
        };
    }
    // Records a failed guard of the specialized instruction being executed; after
    // `MISS_BUDGET` misses, rewrites it back to its generic form.
    macro_rules! miss {
        ($ins:expr) => {{
            let cell = cache_of!($ins);
            let mut c = cell.get();
            let fam = family_index($ins.op);
            core.stats.tier1[fam].misses += 1;
            if c.counter == 0 {
                // SAFETY: `ip - 1` is the instruction being executed.
                unsafe {
                    (*ip.sub(1)).set(Instr {
                        op: $ins.op.family(),
                        ..$ins
                    })
                };
                tier1::back_off(&mut c);
                core.stats.tier1[fam].despecializations += 1;
            } else {
                c.counter -= 1;
            }
            cell.set(c);
        }};
    }
    macro_rules! safepoint {
        () => {
            if core.heap.should_collect() {
                core.collect_garbage(sem, stack_off!(sp));
            }
        };
    }
    macro_rules! generic_binary {
        ($ins:expr) => {{
            let b = pop!();
            let a = pop!();
            // SAFETY: the verifier checked the operand is a valid `BinOp`.
            let op: BinOp = unsafe { core::mem::transmute::<u8, BinOp>($ins.a as u8) };
            push!(tri!(ops::binary(&mut core.heap, sem, op, a, b)));
        }};
    }
    macro_rules! generic_compare {
        ($ins:expr) => {{
            let b = pop!();
            let a = pop!();
            // SAFETY: the verifier checked the operand is a valid `CmpOp`.
            let op: CmpOp = unsafe { core::mem::transmute::<u8, CmpOp>($ins.a as u8) };
            push!(tri!(ops::compare(&mut core.heap, sem, op, a, b)));
        }};
    }
    macro_rules! jump_to {
        ($target:expr) => {{
            // SAFETY: the verifier checked every jump target is in range.
            ip = unsafe { instrs.add($target as usize) };
        }};
    }
    macro_rules! cond_jump {
        ($ins:expr, $jump_if:expr) => {{
            let v = pop!();
            let t = tri!(ops::truthy(&mut core.heap, sem, v));
            if t == $jump_if {
                jump_to!($ins.a);
            }
        }};
    }
    // Enters the guest function `$code_id` whose `$argc` arguments are on the stack.
    macro_rules! enter {
        ($code_id:expr, $argc:expr) => {{
            let new_depth = core.frames.len();
            if new_depth > max_depth {
                break Err(sem.stack_overflow());
            }
            let code_id: CodeId = $code_id;
            // SAFETY: function objects are only created for code ids of this module
            // (checked by `FunctionObj` constructors in the frontends, and re-checked by
            // the `code_id < len` test in the generic call path).
            let callee: &Code = unsafe { &*codes.add(code_id as usize) };
            let base = stack_off!(sp) - $argc;
            let need = base + callee.num_locals as usize + callee.max_stack as usize;
            if need > core.stack_cap {
                break Err(sem.stack_overflow());
            }
            if let Some(f) = core.frames.last_mut() {
                f.pc = pc_of!(ip);
            }
            core.frames.push(Frame {
                code: code_id,
                base,
                pc: 0,
            });
            core.stats.calls += 1;
            if new_depth > core.stats.max_depth {
                core.stats.max_depth = new_depth;
            }
            // SAFETY: the frame's locals and operand stack fit below `need`, which is
            // within the stack (grown above if needed).
            unsafe {
                locals = stack.add(base);
                let nl = callee.num_locals as usize;
                let mut p = locals.add($argc);
                let end = locals.add(nl);
                while p < end {
                    *p = Value::NIL;
                    p = p.add(1);
                }
                sp = end;
            }
            code = callee;
            instrs = callee.instrs.as_ptr();
            caches = callee.caches.as_ptr();
            consts = callee.consts.as_ptr();
            ip = instrs;
            safepoint!();
        }};
    }
    macro_rules! generic_call {
        ($ins:expr) => {{
            let argc = $ins.a as usize;
            let callee = peek!(argc);
            let target = match core.heap.get(callee) {
                Some(Obj::Function(f)) if (f.code as usize) < core.module.codes.len() => {
                    CallTarget::Guest(f.code)
                }
                Some(Obj::Native(n)) => CallTarget::Native(n.id),
                _ => CallTarget::Other,
            };
            // SAFETY: the verifier proved `argc` arguments are on the stack.
            let args = unsafe { core::slice::from_raw_parts(sp.sub(argc), argc) };
            match target {
                CallTarget::Guest(code_id) => {
                    let callee_code = &core.module.codes[code_id as usize];
                    let params = callee_code.num_params as usize;
                    if params == argc {
                        enter!(code_id, argc);
                    } else {
                        let bound = tri!(sem.bind_arguments(
                            &mut core.heap,
                            callee,
                            &callee_code.name,
                            params as u32,
                            args
                        ));
                        if bound.len() != params {
                            break Err(Exception::msg(
                                "internal error: bind_arguments returned the wrong count",
                            ));
                        }
                        // SAFETY: the arguments are on the stack (see above).
                        sp = unsafe { sp.sub(argc) };
                        if stack_off!(sp) + params > core.stack_cap {
                            break Err(sem.stack_overflow());
                        }
                        for v in bound {
                            push!(v);
                        }
                        enter!(code_id, params);
                    }
                }
                CallTarget::Native(id) => {
                    core.sp_hint = stack_off!(sp);
                    let r = tri!(sem.call_native(core, id, args));
                    // SAFETY: the arguments and the callee slot below them are on the stack.
                    unsafe {
                        sp = sp.sub(argc);
                        *sp.sub(1) = r;
                    }
                }
                CallTarget::Other => {
                    core.sp_hint = stack_off!(sp);
                    let r = tri!(sem.call_slow(core, callee, args));
                    // SAFETY: the arguments and the callee slot below them are on the stack.
                    unsafe {
                        sp = sp.sub(argc);
                        *sp.sub(1) = r;
                    }
                }
            }
        }};
    }

    let result: Result<Value, Exception> = loop {
        // SAFETY: the verifier proved execution never runs off the end of the code.
        let ins = unsafe { (*ip).get() };
        // SAFETY: see the comment at the top of `run_loop`.
        ip = unsafe { ip.add(1) };
        if STATS {
            core.stats.instructions += 1;
        }
        match ins.op {
            Op::Nop => {}
            Op::Pop => {
                drop_top!();
            }
            Op::Dup => {
                let v = peek!(0);
                push!(v);
            }
            Op::Swap => {
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { core::ptr::swap(sp.sub(1), sp.sub(2)) };
            }
            // SAFETY: see the comment at the top of `run_loop`.
            Op::LoadConst => push!(unsafe { *consts.add(ins.a as usize) }),
            Op::LoadInt => push!(Value::small_int(ins.a as i32 as i64)),
            Op::LoadNil => push!(Value::NIL),
            Op::LoadTrue => push!(Value::TRUE),
            Op::LoadFalse => push!(Value::FALSE),
            // SAFETY: see the comment at the top of `run_loop`.
            Op::LoadLocal => push!(unsafe { *locals.add(ins.a as usize) }),
            Op::StoreLocal => {
                let v = pop!();
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { *locals.add(ins.a as usize) = v };
            }
            Op::LoadGlobal => {
                // SAFETY: see the comment at the top of `run_loop`.
                let v = unsafe { *globals.add(ins.a as usize) };
                if v.is_empty() {
                    let name = &core.module.global_names[ins.a as usize];
                    push!(tri!(sem.global_empty(&mut core.heap, name)));
                } else {
                    push!(v);
                }
            }
            Op::StoreGlobal => {
                let v = pop!();
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { *globals.add(ins.a as usize) = v };
            }
            Op::Binary => {
                adapt!(ins);
                generic_binary!(ins);
            }
            Op::Compare => {
                adapt!(ins);
                generic_compare!(ins);
            }
            Op::Unary => {
                adapt!(ins);
                let v = pop!();
                // SAFETY: the verifier checked the operand is a valid `UnOp`.
                let op: UnOp = unsafe { core::mem::transmute::<u8, UnOp>(ins.a as u8) };
                push!(tri!(ops::unary(&mut core.heap, sem, op, v)));
            }
            Op::Jump => {
                // SAFETY: the verifier checked every jump target is in range.
                let dest = unsafe { instrs.add(ins.a as usize) };
                if dest < ip {
                    safepoint!();
                }
                ip = dest;
            }
            Op::JumpIfFalse => {
                adapt!(ins);
                cond_jump!(ins, false);
            }
            Op::JumpIfTrue => {
                adapt!(ins);
                cond_jump!(ins, true);
            }
            Op::JumpIfFalseOrPop => {
                let v = peek!(0);
                if tri!(ops::truthy(&mut core.heap, sem, v)) {
                    drop_top!();
                } else {
                    jump_to!(ins.a);
                }
            }
            Op::JumpIfTrueOrPop => {
                let v = peek!(0);
                if tri!(ops::truthy(&mut core.heap, sem, v)) {
                    jump_to!(ins.a);
                } else {
                    drop_top!();
                }
            }
            Op::CheckIntBound => {
                let v = peek!(ins.a as usize);
                if !core.heap.is_int(v) {
                    break Err(sem.bad_for_bound(&mut core.heap, v));
                }
            }
            Op::ForRange => {
                let slot = ins.b as usize;
                // SAFETY: the verifier checked `slot + 1 < num_locals`.
                let (cv, ev) = unsafe { (*locals.add(slot), *locals.add(slot + 1)) };
                if Value::both_small_ints(cv, ev) {
                    let c = cv.small_int_unchecked();
                    if c < ev.small_int_unchecked() {
                        push!(cv);
                        // `c < end <= SMALL_INT_MAX`, so `c + 1` is still small.
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *locals.add(slot) = Value::small_int(c + 1) };
                    } else {
                        jump_to!(ins.a);
                    }
                } else {
                    // Bounds outside the inline range (checked to be ints by
                    // `CheckIntBound`).
                    let c = core.heap.as_i64(cv).unwrap_or(0);
                    let e = core.heap.as_i64(ev).unwrap_or(0);
                    if c < e {
                        push!(cv);
                        let next = core.heap.int(c + 1);
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *locals.add(slot) = next };
                    } else {
                        jump_to!(ins.a);
                    }
                }
            }
            Op::Call => {
                adapt!(ins);
                generic_call!(ins);
            }
            Op::Return => {
                let v = pop!();
                let done = match core.frames.pop() {
                    Some(f) => f,
                    None => break Ok(v),
                };
                if core.frames.len() <= stop_depth {
                    break Ok(v);
                }
                let Some(&caller) = core.frames.last() else {
                    break Ok(v);
                };
                // SAFETY: the callee slot sits just below the returning frame's base,
                // inside the caller's operand stack.
                unsafe {
                    sp = stack.add(done.base - 1);
                    *sp = v;
                    sp = sp.add(1);
                    code = codes.add(caller.code as usize);
                    instrs = (*code).instrs.as_ptr();
                    caches = (*code).caches.as_ptr();
                    consts = (*code).consts.as_ptr();
                    ip = instrs.add(caller.pc);
                    locals = stack.add(caller.base);
                }
            }
            Op::BuildArray => {
                let n = ins.a as usize;
                // SAFETY: the verifier proved `n` values are on the stack.
                let items = unsafe { core::slice::from_raw_parts(sp.sub(n), n) }.to_vec();
                // SAFETY: see the comment at the top of `run_loop`.
                sp = unsafe { sp.sub(n) };
                let arr = core.heap.array(items);
                push!(arr);
            }
            Op::Index => {
                adapt!(ins);
                let i = pop!();
                let c = pop!();
                push!(tri!(ops::index(&mut core.heap, sem, c, i)));
            }
            Op::StoreIndex => {
                adapt!(ins);
                let v = pop!();
                let i = pop!();
                let c = pop!();
                tri!(ops::store_index(&mut core.heap, sem, c, i, v));
            }

            // ---- Tier-1 specialized forms.
            Op::BinaryAddInt | Op::BinarySubInt | Op::BinaryMulInt => {
                let (a, b) = (peek!(1), peek!(0));
                if Value::both_small_ints(a, b) {
                    let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
                    let r = match ins.op {
                        Op::BinaryAddInt => Some(x + y),
                        Op::BinarySubInt => Some(x - y),
                        _ => x.checked_mul(y),
                    };
                    if let Some(v) = r.and_then(Value::try_small_int) {
                        hit!(ins);
                        drop_top!();
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *sp.sub(1) = v };
                        continue;
                    }
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryDivModInt => {
                let (a, b) = (peek!(1), peek!(0));
                if Value::both_small_ints(a, b) && b.small_int_unchecked() != 0 {
                    let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
                    // Inline ints are 48-bit, so none of these overflow an i64.
                    let r = match BinOp::from_u32(ins.a) {
                        Some(BinOp::DivTrunc) => x / y,
                        Some(BinOp::ModTrunc) => x % y,
                        Some(BinOp::FloorDiv) => {
                            let q = x / y;
                            if x % y != 0 && ((x < 0) != (y < 0)) {
                                q - 1
                            } else {
                                q
                            }
                        }
                        _ => ops::floor_mod(x, y),
                    };
                    if let Some(v) = Value::try_small_int(r) {
                        hit!(ins);
                        drop_top!();
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *sp.sub(1) = v };
                        continue;
                    }
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryAddFloat | Op::BinarySubFloat | Op::BinaryMulFloat => {
                let (a, b) = (peek!(1), peek!(0));
                if a.is_float() && b.is_float() {
                    let (x, y) = (a.float_unchecked(), b.float_unchecked());
                    let r = match ins.op {
                        Op::BinaryAddFloat => x + y,
                        Op::BinarySubFloat => x - y,
                        _ => x * y,
                    };
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = Value::float(r) };
                    continue;
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryFloatMixed => {
                let (a, b) = (peek!(1), peek!(0));
                if a.is_float() || b.is_float() {
                    let x = tier1::number_as_f64(a);
                    let y = tier1::number_as_f64(b);
                    if let (Some(x), Some(y)) = (x, y) {
                        let op = BinOp::from_u32(ins.a).unwrap_or(BinOp::Add);
                        if let Some(r) = ops::float_binary(op, x, y) {
                            hit!(ins);
                            drop_top!();
                            // SAFETY: see the comment at the top of `run_loop`.
                            unsafe { *sp.sub(1) = Value::float(r) };
                            continue;
                        }
                    }
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryAddStr => {
                let (a, b) = (peek!(1), peek!(0));
                if let Some(v) = ops::concat(&mut core.heap, a, b) {
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = v };
                    continue;
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::CompareInt | Op::CompareFloat | Op::CompareStr => {
                let (a, b) = (peek!(1), peek!(0));
                let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
                let r = match ins.op {
                    Op::CompareInt if Value::both_small_ints(a, b) => Some(ops::cmp_ord(
                        op,
                        a.small_int_unchecked().cmp(&b.small_int_unchecked()),
                    )),
                    Op::CompareFloat => tier1::compare_numbers(op, a, b),
                    Op::CompareStr => match (core.heap.as_str(a), core.heap.as_str(b)) {
                        (Some(x), Some(y)) => {
                            Some(ops::cmp_ord(op, x.as_bytes().cmp(y.as_bytes())))
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(r) = r {
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = Value::bool(r) };
                    continue;
                }
                miss!(ins);
                generic_compare!(ins);
            }
            Op::CompareIntJumpIfFalse | Op::CompareFloatJumpIfFalse => {
                let (a, b) = (peek!(1), peek!(0));
                let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
                let r = if ins.op == Op::CompareIntJumpIfFalse {
                    if Value::both_small_ints(a, b) {
                        Some(ops::cmp_ord(
                            op,
                            a.small_int_unchecked().cmp(&b.small_int_unchecked()),
                        ))
                    } else {
                        None
                    }
                } else {
                    tier1::compare_numbers(op, a, b)
                };
                if let Some(r) = r {
                    hit!(ins);
                    // SAFETY: see the comment at the top of `run_loop`.
                    sp = unsafe { sp.sub(2) };
                    // SAFETY: the verifier checked a fused compare is followed by a
                    // `JumpIfFalse`, whose target it also checked.
                    let jump = unsafe { (*ip).get() };
                    if r {
                        // SAFETY: see the comment at the top of `run_loop`.
                        ip = unsafe { ip.add(1) };
                    } else {
                        jump_to!(jump.a);
                    }
                    continue;
                }
                miss!(ins);
                generic_compare!(ins);
            }
            Op::JumpIfFalseBool | Op::JumpIfTrueBool => {
                let v = peek!(0);
                if let Some(b) = v.as_bool() {
                    hit!(ins);
                    drop_top!();
                    if b == (ins.op == Op::JumpIfTrueBool) {
                        jump_to!(ins.a);
                    }
                    continue;
                }
                miss!(ins);
                cond_jump!(ins, ins.op == Op::JumpIfTrueBool);
            }
            Op::UnaryNegNum => {
                let v = peek!(0);
                let r = if v.is_float() {
                    Some(Value::float(-v.float_unchecked()))
                } else if v.is_small_int() {
                    // The negation of a 48-bit int always fits in 48 bits except for the
                    // minimum, which `try_small_int` rejects.
                    Value::try_small_int(-v.small_int_unchecked())
                } else {
                    None
                };
                if let Some(r) = r {
                    hit!(ins);
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = r };
                    continue;
                }
                miss!(ins);
                let v = pop!();
                push!(tri!(ops::unary(&mut core.heap, sem, UnOp::Neg, v)));
            }
            Op::IndexArrayInt => {
                let (c, i) = (peek!(1), peek!(0));
                if let (Some(arr), Some(k)) = (core.heap.as_array(c), i.as_small_int()) {
                    if let Some(v) = usize::try_from(k).ok().and_then(|k| arr.get(k)) {
                        hit!(ins);
                        drop_top!();
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *sp.sub(1) = v };
                        continue;
                    }
                }
                miss!(ins);
                let i = pop!();
                let c = pop!();
                push!(tri!(ops::index(&mut core.heap, sem, c, i)));
            }
            Op::StoreIndexArrayInt => {
                let (c, i, v) = (peek!(2), peek!(1), peek!(0));
                if let (Some(arr), Some(k)) = (core.heap.as_array(c), i.as_small_int()) {
                    if k >= 0 && arr.set(k as usize, v) {
                        hit!(ins);
                        // SAFETY: see the comment at the top of `run_loop`.
                        sp = unsafe { sp.sub(3) };
                        continue;
                    }
                }
                miss!(ins);
                let v = pop!();
                let i = pop!();
                let c = pop!();
                tri!(ops::store_index(&mut core.heap, sem, c, i, v));
            }
            Op::CallFunctionExact => {
                let argc = ins.a as usize;
                let callee = peek!(argc);
                let want = cache_of!(ins).get().aux;
                if let Some(f) = core.heap.as_function(callee) {
                    if f.code == want {
                        hit!(ins);
                        enter!(want, argc);
                        continue;
                    }
                }
                miss!(ins);
                generic_call!(ins);
            }
            Op::CallNative => {
                let argc = ins.a as usize;
                let callee = peek!(argc);
                if let Some(Obj::Native(n)) = core.heap.get(callee) {
                    hit!(ins);
                    let id = n.id;
                    // SAFETY: the verifier proved `argc` arguments are on the stack.
                    let args = unsafe { core::slice::from_raw_parts(sp.sub(argc), argc) };
                    core.sp_hint = stack_off!(sp);
                    let r = tri!(sem.call_native(core, id, args));
                    // SAFETY: see the comment at the top of `run_loop`.
                    sp = unsafe { sp.sub(argc) };
                    // SAFETY: the callee slot is just below the arguments.
                    unsafe { *sp.sub(1) = r };
                    continue;
                }
                miss!(ins);
                generic_call!(ins);
            }
        }
    };
    match result {
        Ok(v) => Ok(v),
        Err(mut e) => {
            if e.traceback.is_empty() {
                let pc = pc_of!(ip).saturating_sub(1);
                e.traceback = core.traceback(pc);
            }
            core.frames.truncate(stop_depth);
            Err(e)
        }
    }
}
