//! The dispatch loop's machine state ([`Exec`]) and the primitives every instruction
//! handler is written with: the registers, stack and local access, jumps, tier 1's
//! counters, safepoints and frame entry.
//!
//! The unchecked accesses live here and only here. Each primitive states the verifier
//! fact that makes it sound (see [`crate::verify`]); a handler that calls `push`, `local`,
//! `cache` or `jump_to` relies on the instruction being verified, which the dispatch loop
//! guarantees: it runs only code whose `verified` flag is set, and quickening keeps every
//! verified fact (a specialized instruction has its family's operand kind and stack
//! effect, and a superinstruction is only formed before the instructions it absorbs).
//!
//! Every method is `#[inline(always)]` and nothing takes the address of an [`Exec`], so
//! after inlining its fields are plain locals of `run_loop` that LLVM keeps in registers.

use core::cell::Cell;

use super::{Frame, VmCore};
use crate::bytecode::{Cache, Code, CodeId, Instr, Op};
use crate::optable::stats_index;
use crate::semantics::{Exception, Semantics};
use crate::stats::FamilyStats;
use crate::tier1;
use crate::value::Value;

/// The running frame's registers and the VM they belong to.
///
/// Invariants while a frame runs (established by `run_loop` and kept by [`Exec::enter`]
/// and [`Exec::leave`]):
/// - `code` points at the running code object, an element of `module.codes`, which is
///   never resized or modified while the module runs; `instrs`, `caches` and `consts` are
///   its arrays, and it is verified.
/// - `ip` points into `instrs`, at the next instruction to run.
/// - `locals` is the frame's base in the value stack, and
///   `locals + num_locals + max_stack <= stack + stack_cap` (checked when the frame was
///   pushed); `sp` is the top of the frame's operand stack, `locals + num_locals <= sp`,
///   and the values between `locals` and `sp` are initialized.
/// - The value stack is one allocation of `stack_cap` values that never moves.
pub(super) struct Exec<'a, S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
{
    pub core: &'a mut VmCore,
    pub sem: &'a mut S,
    /// `module.codes`'s elements.
    pub codes: *const Code,
    /// The global slots (a vector never resized while the module runs).
    pub globals: *mut Value,
    /// The value stack's base.
    pub stack: *mut Value,
    pub code: *const Code,
    pub instrs: *const Cell<Instr>,
    pub caches: *const Cell<Cache>,
    pub consts: *const Value,
    pub ip: *const Cell<Instr>,
    pub locals: *mut Value,
    pub sp: *mut Value,
}

impl<'a, S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
    Exec<'a, S, ADAPTIVE, STATS, TRACE>
{
    /// The machine for the frame on top of `core.frames`; `None` when there is none.
    #[inline(always)]
    pub fn new(core: &'a mut VmCore, sem: &'a mut S) -> Option<Self> {
        let frame = *core.frames.last()?;
        let codes = core.module.codes.as_ptr();
        let code: &Code = core.module.codes.get(frame.code as usize)?;
        let code_ptr: *const Code = code;
        if !code.verified || frame.pc >= code.instrs.len() {
            return None;
        }
        let need = frame.base + code.num_locals as usize + code.max_stack as usize;
        if need > core.stack_cap {
            return None;
        }
        let (instrs, caches, consts) = (
            code.instrs.as_ptr(),
            code.caches.as_ptr(),
            code.consts.as_ptr(),
        );
        let num_locals = code.num_locals as usize;
        let globals = core.globals.as_mut_ptr();
        let stack = core.stack;
        // SAFETY: `frame.pc < instrs.len()` and `frame.base + num_locals <= stack_cap`
        // were checked just above, so all three pointers stay inside their allocations.
        let (ip, locals, sp) = unsafe {
            let locals = stack.add(frame.base);
            (instrs.add(frame.pc), locals, locals.add(num_locals))
        };
        Some(Exec {
            core,
            sem,
            codes,
            globals,
            stack,
            code: code_ptr,
            instrs,
            caches,
            consts,
            ip,
            locals,
            sp,
        })
    }

    // ---- Instruction stream.

    /// Reads the next instruction and advances past it.
    #[inline(always)]
    pub fn fetch(&mut self) -> Instr {
        // SAFETY: `ip` points at an instruction (the struct invariant); the verifier
        // proved execution never runs off the end, so advancing stays within or one past
        // the array, and the next fetch happens only after a jump or a fall-through that
        // the verifier proved lands on an instruction.
        unsafe {
            let ins = (*self.ip).get();
            self.ip = self.ip.add(1);
            ins
        }
    }

    /// Statistics runs check, before every instruction, that the operand stack is as
    /// deep as the verifier's depth table says ([`Code::stack_depth`]): the table is what
    /// an exit rebuilds a frame's stack top from, so it must be exact. A mismatch is
    /// counted in [`crate::stats::Stats::depth_mismatches`], which the tests require to
    /// stay zero.
    #[inline(always)]
    pub fn check_depth(&mut self) {
        let pc = self.pc() - 1;
        let code = self.code();
        // SAFETY: `locals + num_locals <= sp`, both in the frame (struct invariant).
        let depth = unsafe { self.sp.offset_from(self.locals) } - code.num_locals as isize;
        if code.stack_depth(pc) != u32::try_from(depth).ok() {
            self.core.stats.depth_mismatches += 1;
        }
    }

    /// The `k`th instruction after the one being executed (`k = 0` is the next one): an
    /// instruction a superinstruction absorbs.
    #[inline(always)]
    pub fn absorbed(&self, k: usize) -> Instr {
        // SAFETY: only superinstructions call this, with `k` below the number of
        // instructions they absorb; the verifier checked those follow them (their
        // families are in the superinstruction's row).
        unsafe { (*self.ip.add(k)).get() }
    }

    /// Skips `k` absorbed instructions.
    #[inline(always)]
    pub fn skip(&mut self, k: usize) {
        // SAFETY: as in `absorbed`: the `k` instructions exist, so `ip + k` is at most one
        // past the last, and the verifier proved the absorbed sequence falls through to
        // an instruction or ends in a terminator that was skipped along with it only when
        // control leaves through a jump.
        self.ip = unsafe { self.ip.add(k) };
    }

    /// Continues at instruction `target` of the running code.
    #[inline(always)]
    pub fn jump_to(&mut self, target: u32) {
        // SAFETY: `target` is the `a` of a branch instruction, which the verifier checked
        // is below the code's length.
        self.ip = unsafe { self.instrs.add(target as usize) };
    }

    /// True when a jump to `target` goes backward (closes a loop).
    #[inline(always)]
    pub fn is_back_edge(&self, target: u32) -> bool {
        // Compared as addresses, like the jump itself: `instrs + target` stays inside
        // the array (the verifier checked the target).
        self.instrs.wrapping_add(target as usize) < self.ip
    }

    /// The index of the next instruction.
    #[inline(always)]
    pub fn pc(&self) -> usize {
        // SAFETY: `ip` and `instrs` point into the same array.
        unsafe { self.ip.offset_from(self.instrs) as usize }
    }

    /// Rewrites the instruction being executed (tier 1 quickening or reverting it).
    #[inline(always)]
    fn rewrite_current(&self, ins: Instr) {
        // SAFETY: `ip - 1` is the instruction being executed, in the running code's array.
        unsafe { (*self.ip.sub(1)).set(ins) };
    }

    /// The running code object.
    #[inline(always)]
    pub fn code(&self) -> &'a Code {
        // SAFETY: `code` points at an element of `module.codes`, which lives as long as
        // the VM and is not modified while the module runs.
        unsafe { &*self.code }
    }

    /// Code object `id` of the module, if it exists.
    #[inline(always)]
    pub fn code_at(&self, id: CodeId) -> Option<&'a Code> {
        let code: *const Code = self.core.module.codes.get(id as usize)?;
        // SAFETY: `module.codes` lives as long as the VM and is neither resized nor
        // modified while the module runs.
        Some(unsafe { &*code })
    }

    // ---- Operand stack.

    /// Pushes `v`.
    #[inline(always)]
    pub fn push(&mut self, v: Value) {
        // SAFETY: the verifier proved the depth after this instruction is at most
        // `max_stack`, and the frame reserved `max_stack` slots above its locals.
        unsafe {
            *self.sp = v;
            self.sp = self.sp.add(1);
        }
    }

    /// Pops the top.
    #[inline(always)]
    pub fn pop(&mut self) -> Value {
        // SAFETY: the verifier proved the instruction's pops are on the stack.
        unsafe {
            self.sp = self.sp.sub(1);
            *self.sp
        }
    }

    /// Drops the top `n` values.
    #[inline(always)]
    pub fn drop_n(&mut self, n: usize) {
        // SAFETY: the verifier proved the instruction's `n` pops are on the stack.
        self.sp = unsafe { self.sp.sub(n) };
    }

    /// The value `n` slots below the top (`0` is the top).
    #[inline(always)]
    pub fn peek(&self, n: usize) -> Value {
        // SAFETY: callers read only among the instruction's operands, which the verifier
        // proved are on the stack.
        unsafe { *self.sp.sub(n + 1) }
    }

    /// Overwrites the value `n` slots below the top.
    #[inline(always)]
    pub fn set_peek(&mut self, n: usize, v: Value) {
        // SAFETY: as in `peek`.
        unsafe { *self.sp.sub(n + 1) = v };
    }

    /// The top `n` values, the top last.
    #[inline(always)]
    pub fn top(&self, n: usize) -> &'a [Value] {
        // SAFETY: the verifier proved the instruction's `n` operands are on the stack.
        // The slice is read before anything is pushed over it, and the stack never moves.
        unsafe { core::slice::from_raw_parts(self.sp.sub(n), n) }
    }

    /// The stack height (values below `sp`), which slow paths that may call back into
    /// guest code receive as `sp_hint`: everything below it stays rooted.
    #[inline(always)]
    pub fn height(&self) -> usize {
        // SAFETY: `sp` and `stack` point into the same allocation.
        unsafe { self.sp.offset_from(self.stack) as usize }
    }

    /// Tells the VM that a slow path may call back into guest code from here: the
    /// nested frames go above the current top, so every value on the stack stays rooted.
    #[inline(always)]
    pub fn before_call_out(&mut self) {
        self.core.sp_hint = self.height();
    }

    // ---- Locals, constants, globals, caches.

    /// Local `i`.
    #[inline(always)]
    pub fn local(&self, i: u32) -> Value {
        // SAFETY: `i` is a `Local` operand, which the verifier checked is below
        // `num_locals`; the frame's locals are initialized when it is pushed.
        unsafe { *self.locals.add(i as usize) }
    }

    /// Sets local `i`.
    #[inline(always)]
    pub fn set_local(&self, i: u32, v: Value) {
        // SAFETY: as in `local`.
        unsafe { *self.locals.add(i as usize) = v };
    }

    /// Constant `i` of the running code.
    #[inline(always)]
    pub fn konst(&self, i: u32) -> Value {
        // SAFETY: `i` is a `Const` operand, which the verifier checked is in range.
        unsafe { *self.consts.add(i as usize) }
    }

    /// Global `i`.
    #[inline(always)]
    pub fn global(&self, i: u32) -> Value {
        // SAFETY: `i` is a `Global` operand, which the verifier checked is below the
        // module's global count, the length of `globals`.
        unsafe { *self.globals.add(i as usize) }
    }

    /// Stores global `i`, moving the globals' version on (see
    /// [`VmCore::globals_version`]).
    #[inline(always)]
    pub fn store_global(&mut self, i: u32, v: Value) {
        // SAFETY: as in `global`.
        unsafe { *self.globals.add(i as usize) = v };
        self.core.globals_version += 1;
    }

    /// The inline cache of `ins`, a cached instruction.
    #[inline(always)]
    pub fn cache(&self, ins: Instr) -> &'a Cell<Cache> {
        // SAFETY: only cached instructions call this; their `b` is a cache index, which
        // the verifier checked is below the number of caches. The caches live as long
        // as the module.
        unsafe { &*self.caches.add(ins.b as usize) }
    }

    /// The name constant `i` (a string) as a `&str` that does not borrow the heap.
    #[inline(always)]
    pub fn const_name(&self, i: u32) -> &'a str {
        // SAFETY: constants are roots for as long as the module runs, and objects never
        // move, so the string outlives every use in a slow path.
        unsafe { super::const_str(&self.core.heap, self.konst(i)) }
    }

    // ---- Tier 1.

    #[inline(always)]
    fn family_stats(&mut self, op: Op) -> Option<&mut FamilyStats> {
        self.core.stats.tier1.get_mut(stats_index(op))
    }

    /// Counts a specialized instruction's guard hit (statistics runs only).
    #[inline(always)]
    pub fn hit(&mut self, ins: Instr) {
        if STATS {
            if let Some(f) = self.family_stats(ins.op) {
                f.hits += 1;
            }
        }
    }

    /// Counts down a generic instruction's cache; true when it reached zero and the
    /// instruction should try to specialize now.
    #[inline(always)]
    pub fn due(&mut self, ins: Instr) -> bool {
        if !ADAPTIVE {
            return false;
        }
        let counter = self.counter(ins);
        // SAFETY: `counter` points into a live cache (see `counter`), and no reference
        // to that cache exists while this runs.
        unsafe {
            if *counter > 0 {
                *counter -= 1;
                return false;
            }
        }
        true
    }

    /// The adaptive counter of `ins`'s cache: hot paths touch only these two bytes, not
    /// the whole entry.
    #[inline(always)]
    fn counter(&self, ins: Instr) -> *mut u16 {
        let cell = self.cache(ins);
        // SAFETY: the pointer is to a field of the `Cache` inside the cell; caches are
        // only accessed through `Cell::get`/`set` and this pointer, one at a time, on
        // this thread.
        unsafe { &raw mut (*cell.as_ptr()).counter }
    }

    /// Rewrites the instruction being executed into `form` = `(op, aux, data)`, or backs
    /// its counter off when there is none. True when it rewrote.
    #[inline(always)]
    pub fn install(&mut self, ins: Instr, form: Option<(Op, u32, u64)>) -> bool {
        let cell = self.cache(ins);
        let mut c = cell.get();
        let rewrote = match form {
            Some((op, aux, data)) => {
                self.rewrite_current(Instr { op, ..ins });
                c.counter = tier1::MISS_BUDGET;
                c.aux = aux;
                c.data = data;
                if let Some(f) = self.family_stats(ins.op) {
                    f.specializations += 1;
                }
                true
            }
            None => {
                tier1::back_off(&mut c);
                if let Some(f) = self.family_stats(ins.op) {
                    f.failures += 1;
                }
                false
            }
        };
        cell.set(c);
        rewrote
    }

    /// Specializes a generic instruction from what it just computed, for families whose
    /// operands are not on the stack: counts down and, at zero, installs `form()`.
    #[inline(always)]
    pub fn specialize_after(&mut self, ins: Instr, form: impl FnOnce() -> Option<(Op, u32, u64)>) {
        if self.due(ins) {
            let f = form();
            self.install(ins, f);
        }
    }

    /// Counts down a generic instruction's cache and, at zero, tries to specialize it
    /// for the operands now on the stack.
    #[inline(always)]
    pub fn adapt(&mut self, ins: Instr) {
        if self.due(ins) {
            let pc = self.pc() - 1;
            // SAFETY: `locals..sp` is the running frame's initialized locals and operand
            // stack; `specialize` only reads its top operands.
            let depth = unsafe { self.sp.offset_from(self.locals) as usize };
            // SAFETY: as above.
            let operands = unsafe { core::slice::from_raw_parts(self.locals, depth) };
            let zero_is_false = self.sem.zero_is_false();
            // SAFETY: `code` points at a code object of the module (struct invariant).
            let code = unsafe { &*self.code };
            let form = tier1::specialize(
                &self.core.heap,
                &self.core.module,
                code,
                pc,
                ins,
                operands,
                zero_is_false,
            );
            self.install(ins, form.map(|(op, aux)| (op, aux, 0)));
        }
    }

    /// Records a failed guard of the specialized instruction being executed; after
    /// `MISS_BUDGET` misses, rewrites it back to its generic form.
    #[inline(always)]
    pub fn miss(&mut self, ins: Instr) {
        let cell = self.cache(ins);
        let mut c = cell.get();
        if let Some(f) = self.family_stats(ins.op) {
            f.misses += 1;
        }
        if c.counter == 0 {
            self.rewrite_current(Instr {
                op: ins.op.family(),
                ..ins
            });
            tier1::back_off(&mut c);
            if let Some(f) = self.family_stats(ins.op) {
                f.despecializations += 1;
            }
        } else {
            c.counter -= 1;
        }
        cell.set(c);
    }

    /// Records the direction a conditional jump `jump` (a cached instruction: the one
    /// being executed, or the one a superinstruction absorbs) took, for the trace
    /// projector ([`tier1::LAST_JUMPED`]). Only under tier 2 (`TRACE`); free otherwise.
    #[inline(always)]
    pub fn note_branch(&self, jump: Instr, jumped: bool) {
        if !TRACE {
            return;
        }
        let cell = self.cache(jump);
        let v = if jumped {
            tier1::LAST_JUMPED
        } else {
            tier1::LAST_FELL_THROUGH
        };
        // SAFETY: the pointer is to a field of the `Cache` inside the cell; caches are
        // only accessed through `Cell::get`/`set` and such pointers, one at a time, on
        // this thread.
        unsafe { (*cell.as_ptr()).pad = v };
    }

    /// Records in the `b` of the superinstruction being executed the kinds of operands
    /// it saw ([`tier1::SEEN_INT`], ...; [`crate::optable::BUse::Seen`]), so the trace
    /// projector learns from fused sites as it does from specialized ones. The hit path
    /// tests one byte of the instruction word; it is rewritten only when a kind is new.
    #[inline(always)]
    pub fn note_seen(&self, kinds: u8) {
        if !ADAPTIVE {
            return;
        }
        let kinds = kinds as u16;
        // SAFETY: `ip - 1` is the instruction being executed, in the running code's
        // array; instructions are only accessed through `Cell::get`/`set` and this
        // pointer, one at a time, on this thread.
        let b = unsafe { (*(*self.ip.sub(1)).as_ptr()).b };
        if b & kinds != kinds {
            self.note_seen_slow(kinds);
        }
    }

    #[cold]
    #[inline(always)]
    fn note_seen_slow(&self, kinds: u16) {
        // SAFETY: as in `note_seen`. Only `b` changes, which the superinstruction's
        // family leaves unused, so no verified fact changes.
        unsafe { (*(*self.ip.sub(1)).as_ptr()).b |= kinds };
    }

    /// Counts a loop's back edge (the backward `Jump` `ins`, being executed) toward
    /// hotness, as CPython's `JUMP_BACKWARD` does, when a backend is attached: the jump's
    /// cache counts down from [`tier1::HOT_LOOP`]; at zero the VM is told
    /// ([`VmCore::hot_loop`]). When the backend compiled the loop, the jump becomes
    /// `JumpExecutor`; otherwise the count restarts with the specialization backoff.
    #[inline(always)]
    pub fn loop_back_edge(&mut self, ins: Instr) {
        // Without a backend nothing can be done with a hot loop: the count is skipped
        // (one predicted branch per back edge instead of a counter update).
        if !ADAPTIVE || !self.core.has_backend() {
            return;
        }
        let counter = self.counter(ins);
        // SAFETY: as in `due`.
        unsafe {
            if *counter > 0 {
                *counter -= 1;
                return;
            }
        }
        self.loop_is_hot(ins);
    }

    #[inline(always)]
    fn loop_is_hot(&mut self, ins: Instr) {
        let code = self.core.frames.last().map_or(0, |f| f.code);
        let (header, jump) = (ins.a as usize, self.pc() - 1);
        match self.core.hot_loop(code, header, jump) {
            Some(slot) => {
                self.install(ins, Some((Op::JumpExecutor, slot, 0)));
            }
            None => {
                let cell = self.cache(ins);
                let mut c = cell.get();
                tier1::back_off(&mut c);
                cell.set(c);
            }
        }
    }

    /// Runs compiled code from the current instruction (a loop header) and resumes
    /// where it exits: in this frame, or in a deeper one the code pushed (a trace that
    /// exits inside a function it followed).
    #[inline(always)]
    pub fn run_executor(&mut self, executor: &dyn crate::jit::Executor) -> Result<(), Exception> {
        if STATS {
            self.core.stats.executor_entries += 1;
        }
        let depth = self.core.frames.len();
        let (sp, pc) = enter_executor(
            self.core,
            (&raw mut *self.sem).cast(),
            executor,
            self.stack,
            self.locals,
            self.sp,
            self.globals,
        )?;
        if self.core.frames.len() != depth {
            if let Some(f) = self.core.frames.last().copied() {
                // SAFETY: `enter_executor` checked that the new top frame's code exists,
                // that its base and stack top are inside the stack and that `pc` is an
                // instruction of it.
                unsafe {
                    self.locals = self.stack.add(f.base);
                    self.set_code(self.codes.add(f.code as usize), pc as usize);
                }
            }
            self.sp = sp;
            return Ok(());
        }
        self.sp = sp;
        self.jump_to(pc);
        Ok(())
    }

    // ---- Safepoints and frames.

    /// A garbage-collection safepoint: every live value is on the stack below `sp`, in a
    /// global, a constant or a root.
    #[inline(always)]
    pub fn safepoint(&mut self) -> Result<(), Exception> {
        if self.core.collection_due() {
            let height = self.height();
            self.core.safepoint_slow(self.sem, height)?;
        }
        Ok(())
    }

    /// Enters guest function `code_id` (`callee`, its code object), whose `argc`
    /// arguments are the top of the stack (the callee value just below them). The
    /// caller guarantees `argc <= callee.num_locals`: an exact call passes `num_params`
    /// arguments, which the verifier checked fit the locals, and a call whose arguments
    /// the frontend bound checks its count.
    #[inline(always)]
    pub fn enter(&mut self, code_id: CodeId, callee: &Code, argc: usize) -> Result<(), Exception> {
        let new_depth = self.core.frames.len();
        // Read on every call: a program may change its limit (`sys.setrecursionlimit`).
        if new_depth > self.sem.max_call_depth() {
            return Err(self.sem.stack_overflow());
        }
        let callee_ref = callee;
        let callee: *const Code = callee;
        let base = self.height() - argc;
        let nl = callee_ref.num_locals as usize;
        let need = base + nl + callee_ref.max_stack as usize;
        if need > self.core.stack_cap {
            return Err(self.sem.stack_overflow());
        }
        let pc = self.pc();
        if let Some(f) = self.core.frames.last_mut() {
            f.pc = pc;
        }
        self.core.frames.push(Frame {
            code: code_id,
            base,
            pc: 0,
        });
        if STATS {
            self.core.stats.calls += 1;
            self.core.stats.max_depth = self.core.stats.max_depth.max(new_depth);
        }
        // SAFETY: `base + num_locals + max_stack <= stack_cap` was checked above, so the
        // new frame's locals and operand stack are inside the stack; `argc <= num_locals`
        // (the caller's guarantee).
        unsafe {
            self.locals = self.stack.add(base);
            let init = callee_ref.local_init;
            let mut p = self.locals.add(argc);
            let end = self.locals.add(nl);
            while p < end {
                *p = init;
                p = p.add(1);
            }
            self.sp = end;
        }
        self.set_code(callee, 0);
        self.safepoint()
    }

    /// Makes `code` (an element of `module.codes`) the running code, at instruction `pc`.
    #[inline(always)]
    fn set_code(&mut self, code: *const Code, pc: usize) {
        // SAFETY: callers pass an element of `module.codes` (verified, like every code
        // object of a running module) and a `pc` inside it: 0, or a caller's saved
        // resume point, which is the index after a call instruction that cannot be last
        // (the verifier proved the code ends with a terminator).
        unsafe {
            self.code = code;
            self.instrs = (*code).instrs.as_ptr();
            self.caches = (*code).caches.as_ptr();
            self.consts = (*code).consts.as_ptr();
            self.ip = self.instrs.add(pc);
        }
    }

    /// Returns `v` from the running frame: `Some(v)` when the frame at `stop_depth`
    /// returned (the loop ends), `None` when the caller's frame continues.
    #[inline(always)]
    pub fn leave(&mut self, v: Value, stop_depth: usize) -> Option<Value> {
        let done = self.core.frames.pop()?;
        if self.core.frames.len() <= stop_depth {
            return Some(v);
        }
        let caller = *self.core.frames.last()?;
        // SAFETY: a guest frame's callee value sits just below its base (`base >= 1`),
        // inside the caller's operand stack; the caller's code id and base were valid
        // when its frame was pushed.
        unsafe {
            self.sp = self.stack.add(done.base - 1);
            *self.sp = v;
            self.sp = self.sp.add(1);
            self.locals = self.stack.add(caller.base);
            self.set_code(self.codes.add(caller.code as usize), caller.pc);
        }
        None
    }
}

/// Runs `executor` for the frame whose registers are given, and checks that the frame it
/// left is one the verifier's facts describe: the innermost frame (the running one, or
/// one the executor pushed), its stack top and resume point. An error is given the
/// traceback of the instruction the executor left at. Out of line and free of `Exec`, so
/// that the dispatch loop's registers stay registers.
#[cold]
#[inline(never)]
fn enter_executor(
    core: &mut VmCore,
    sem: *mut core::ffi::c_void,
    executor: &dyn crate::jit::Executor,
    stack: *mut Value,
    locals: *mut Value,
    sp: *mut Value,
    globals: *mut Value,
) -> Result<(*mut Value, u32), Exception> {
    use crate::jit::{JitState, EXIT_ERROR};
    let (gc_allocated, gc_threshold) = core.heap.gc_budget_ptrs();
    let mut state = JitState {
        stack_base: stack,
        stack_end: stack.wrapping_add(core.stack_cap),
        locals,
        sp,
        globals,
        globals_version: &raw const core.globals_version,
        gc_allocated,
        gc_threshold,
        pending_exception: 0,
        reserved: 0,
        helpers: core.helpers(),
        vm: &raw mut *core,
        sem,
    };
    // SAFETY: the state describes the running frame at the loop header the executor was
    // installed for (the jump that entered it is the one it was compiled for); nothing
    // else uses the VM or the semantics while it runs.
    let exit = unsafe { executor.enter(&mut state) };
    if exit.status == EXIT_ERROR || state.pending_exception != 0 {
        let mut e = core.take_pending();
        if e.traceback.is_empty() {
            e.traceback = core.traceback(exit.pc as usize);
        }
        return Err(e);
    }
    let pc = exit.pc as usize;
    let bad = || {
        Exception::msg(alloc::format!(
            "internal error: compiled code {} exited to instruction {} with a bad frame",
            executor.name(),
            exit.pc
        ))
    };
    let top = *core.frames.last().ok_or_else(bad)?;
    let code = core.module.codes.get(top.code as usize).ok_or_else(bad)?;
    let need = top.base + code.num_locals as usize + code.max_stack as usize;
    let lo = stack.wrapping_add(top.base + code.num_locals as usize);
    let depth = (state.sp as usize).wrapping_sub(lo as usize) / core::mem::size_of::<Value>();
    let fits = pc < code.instrs.len()
        && need <= core.stack_cap
        && state.sp >= lo
        && code.stack_depth(pc) == u32::try_from(depth).ok();
    if !fits {
        return Err(bad());
    }
    Ok((state.sp, exit.pc))
}
