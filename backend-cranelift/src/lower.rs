//! Lowering one trace to Cranelift IR.
//!
//! The trace becomes one function with the `tail` calling convention, `(state, regs) ->
//! u64`, under the contract of `jit_core::native` (the stencil backend's too). Its values
//! are Cranelift SSA values: each trace value is a `cranelift_frontend` variable (`i64`
//! for boxed values and raw ints, `f64` for raw floats), so the loop's PHIs become block
//! parameters and Cranelift's register allocator keeps values in registers across the
//! loop. The register file is written only where the core reads it:
//!
//! - before a uop without a lowering of its own, which runs through its step helper
//!   (`jit_core::native::STEP_HELPERS`): the uop's inputs (and a `FLUSH`'s snapshot);
//!   its output is read back after the call;
//! - in an exit's block: the exit's snapshot;
//! - before the loop helper: the loop end's snapshot.
//!
//! Guards are conditional branches to their exit's block (cold, after the body). An exit
//! block stores the snapshot, then either returns the exit to the executor or, when a
//! side trace is linked to the exit (its link word is set) and the executor is valid,
//! calls the link helper and tail-calls the side trace (`return_call_indirect`). A side
//! trace's `JUMP_ROOT` tail-calls the root trace the same way, so running a tree never
//! grows the machine stack.

use alloc::vec::Vec;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, types, AbiParam, Block, InstBuilder, MemFlagsData, SigRef, Signature, SourceLoc,
    UserFuncName,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use jit_core::bytecode::{BinOp, CmpOp};
use jit_core::jit::JitState;
use jit_core::native::{ret, step_helper_of, TraceEnv, RET_BUG, RET_EXIT, RET_LEAVE};
use jit_core::tier2::table::Uop;
use jit_core::tier2::tree::Node;
use jit_core::tier2::{Inst, Repr, Trace, NO_EXIT, V};
use jit_core::value::layout::{CANONICAL_NAN, PAYLOAD, TAG_INT, TAG_OBJ};
use jit_core::value::{Value, TAG_MIN};

/// The source location of code that belongs to no uop (exit blocks, slow paths): what
/// the marks of `--dump asm` call "exits and slow paths".
pub const STUBS_LOC: u32 = u32::MAX - 1;

/// A trace function's signature: `(state, regs) -> u64`.
pub fn trace_signature(cc: CallConv) -> Signature {
    let mut s = Signature::new(cc);
    s.params.push(AbiParam::new(types::I64));
    s.params.push(AbiParam::new(types::I64));
    s.returns.push(AbiParam::new(types::I64));
    s
}

/// The signature of a helper of the core taking `n` words and returning one (`extern
/// "C"`).
fn helper_signature(n: usize, cc: CallConv) -> Signature {
    let mut s = Signature::new(cc);
    s.params.extend((0..n).map(|_| AbiParam::new(types::I64)));
    s.returns.push(AbiParam::new(types::I64));
    s
}

/// The trampoline every trace is entered through (`jit_core::native::EnterFn`):
/// `(state, regs, entry)` calls the trace at `entry`, whose convention is `tail`.
pub fn trampoline(host: CallConv, cfg: TargetFrontendConfig) -> ir::Function {
    let mut sig = helper_signature(3, host);
    sig.returns.clear();
    sig.returns.push(AbiParam::new(types::I64));
    let mut f = ir::Function::with_name_signature(UserFuncName::user(1, 0), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let p = b.block_params(entry).to_vec();
    let tsig = b.import_signature(trace_signature(CallConv::Tail));
    let call = b.ins().call_indirect(tsig, p[2], &[p[0], p[1]]);
    let r = b.inst_results(call)[0];
    b.ins().return_(&[r]);
    b.seal_all_blocks();
    b.finalize(cfg);
    f
}

/// What lowering a trace made of its uops.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// Uops lowered to IR of their own.
    pub native: usize,
    /// Uops run through their step helper.
    pub generic: usize,
}

/// Lowers trace `ti` of a tree (`node`, at `node_addr` for the helpers) into `func`.
pub fn lower(
    func: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
    host: CallConv,
    cfg: TargetFrontendConfig,
    ti: usize,
    node: &Node,
    node_addr: u64,
    env: &TraceEnv,
) -> Counts {
    func.signature = trace_signature(CallConv::Tail);
    func.name = UserFuncName::user(0, ti as u32);
    let b = FunctionBuilder::new(func, fctx);
    let mut l = Lower::new(b, host, ti, node, node_addr, env);
    l.trace();
    l.b.seal_all_blocks();
    let counts = l.counts;
    l.b.finalize(cfg);
    counts
}

/// The trusted flags of every memory access a trace makes: the register file, the state
/// block, the frame, the executor's words are all aligned and mapped.
fn mem() -> MemFlagsData {
    MemFlagsData::trusted()
}

struct Sigs {
    step: SigRef,
    link: SigRef,
    looped: SigRef,
    trace: SigRef,
}

struct Lower<'a> {
    b: FunctionBuilder<'a>,
    t: &'a Trace,
    reprs: &'a [Repr],
    env: &'a TraceEnv,
    ti: usize,
    node_addr: u64,
    vars: Vec<Variable>,
    st: ir::Value,
    regs: ir::Value,
    /// The block of each exit that some uop takes (made when the first one does).
    exits: Vec<Option<Block>>,
    bug: Option<Block>,
    sigs: Sigs,
    counts: Counts,
}

impl<'a> Lower<'a> {
    fn new(
        mut b: FunctionBuilder<'a>,
        host: CallConv,
        ti: usize,
        node: &'a Node,
        node_addr: u64,
        env: &'a TraceEnv,
    ) -> Self {
        let t = &node.trace;
        let reprs = &node.reprs[..];
        let vars = (0..t.n_values as usize)
            .map(|v| {
                let ty = match reprs.get(v) {
                    Some(Repr::F64) => types::F64,
                    _ => types::I64,
                };
                b.declare_var(ty)
            })
            .collect();
        let sigs = Sigs {
            step: b.import_signature(helper_signature(4, host)),
            link: b.import_signature(helper_signature(4, host)),
            looped: b.import_signature(helper_signature(5, host)),
            trace: b.import_signature(trace_signature(CallConv::Tail)),
        };
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let p = b.block_params(entry).to_vec();
        Lower {
            b,
            t,
            reprs,
            env,
            ti,
            node_addr,
            vars,
            st: p[0],
            regs: p[1],
            exits: alloc::vec![None; t.exits.len()],
            bug: None,
            sigs,
            counts: Counts::default(),
        }
    }

    fn k(&mut self, x: u64) -> ir::Value {
        self.b.ins().iconst(types::I64, x as i64)
    }

    fn var(&mut self, v: V) -> ir::Value {
        self.b.use_var(self.vars[v.0 as usize])
    }

    fn arg(&mut self, inst: &Inst, k: usize) -> ir::Value {
        self.var(inst.args[k])
    }

    fn def(&mut self, v: V, x: ir::Value) {
        if v != V::NONE {
            self.b.def_var(self.vars[v.0 as usize], x);
        }
    }

    fn is_f64(&self, v: V) -> bool {
        matches!(self.reprs.get(v.0 as usize), Some(Repr::F64))
    }

    /// Register `v` of the register file gets the value's current word.
    fn store_reg(&mut self, v: V) {
        if v == V::NONE || v.0 >= self.t.n_values {
            return;
        }
        let x = self.var(v);
        let regs = self.regs;
        self.b.ins().store(mem(), x, regs, 8 * v.0 as i32);
    }

    /// The values of snapshot `s` go to the register file.
    fn store_snapshot(&mut self, s: u32) {
        let t = self.t;
        for &(_, v) in &t.snapshots[s as usize].slots {
            self.store_reg(v);
        }
    }

    /// A field of the state block.
    fn state(&mut self, off: usize) -> ir::Value {
        let st = self.st;
        self.b.ins().load(types::I64, mem(), st, off as i32)
    }

    /// The block that takes exit `e` of the trace (the bug report for [`NO_EXIT`]).
    fn exit_block(&mut self, e: u32) -> Block {
        let slot = if e == NO_EXIT {
            &mut self.bug
        } else {
            &mut self.exits[e as usize]
        };
        if let Some(b) = *slot {
            return b;
        }
        let blk = self.b.create_block();
        self.b.set_cold_block(blk);
        if e == NO_EXIT {
            self.bug = Some(blk);
        } else {
            self.exits[e as usize] = Some(blk);
        }
        blk
    }

    /// Goes on when `ok` is nonzero, else takes `inst`'s exit.
    fn guard(&mut self, ok: ir::Value, inst: &Inst) {
        let exit = self.exit_block(inst.exit);
        let cont = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], exit, &[]);
        self.b.switch_to_block(cont);
    }

    /// An inline int's value: the payload sign-extended.
    fn int_of(&mut self, v: ir::Value) -> ir::Value {
        let s = self.b.ins().ishl_imm_s(v, 16);
        self.b.ins().sshr_imm_s(s, 16)
    }

    /// Nonzero when `z` is in the inline int range.
    fn fits(&mut self, z: ir::Value) -> ir::Value {
        let r = self.int_of(z);
        self.b.ins().icmp(IntCC::Equal, r, z)
    }

    fn box_int(&mut self, i: ir::Value) -> ir::Value {
        let p = self.b.ins().band_imm_s(i, PAYLOAD as i64);
        self.b.ins().bor_imm_s(p, TAG_INT as i64)
    }

    /// A float as a value: a NaN in the tagged range becomes the canonical one.
    fn box_float(&mut self, f: ir::Value) -> ir::Value {
        let bits = self.b.ins().bitcast(types::I64, MemFlagsData::new(), f);
        let tagged =
            self.b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, bits, TAG_MIN as i64);
        let nan = self.k(CANONICAL_NAN);
        self.b.ins().select(tagged, nan, bits)
    }

    fn as_f64(&mut self, v: ir::Value) -> ir::Value {
        self.b.ins().bitcast(types::F64, MemFlagsData::new(), v)
    }

    fn is_int(&mut self, v: ir::Value) -> ir::Value {
        let hi = self.b.ins().ushr_imm_s(v, 48);
        self.b
            .ins()
            .icmp_imm_s(IntCC::Equal, hi, (TAG_INT >> 48) as i64)
    }

    fn below(&mut self, v: ir::Value, bound: u64) -> ir::Value {
        self.b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, v, bound as i64)
    }

    fn eq(&mut self, v: ir::Value, k: u64) -> ir::Value {
        self.b.ins().icmp_imm_s(IntCC::Equal, v, k as i64)
    }

    fn boolean(&mut self, c: ir::Value) -> ir::Value {
        let (t, f) = (
            self.k(Value::TRUE.to_bits()),
            self.k(Value::FALSE.to_bits()),
        );
        self.b.ins().select(c, t, f)
    }

    /// A number as an `f64` and whether it is one: (value, is a float, is an int).
    fn number(&mut self, v: ir::Value) -> (ir::Value, ir::Value, ir::Value) {
        let isf = self.below(v, TAG_MIN);
        let isi = self.is_int(v);
        let f = self.as_f64(v);
        let i = self.int_of(v);
        let fi = self.b.ins().fcvt_from_sint(types::F64, i);
        (self.b.ins().select(isf, f, fi), isf, isi)
    }

    /// `x op y` on inline ints (48-bit: a sum or a difference cannot overflow `i64`, a
    /// product can), and a flag that is nonzero when the result is an inline int.
    fn int_op(&mut self, op: BinOp, x: ir::Value, y: ir::Value) -> (ir::Value, ir::Value) {
        let z = match op {
            BinOp::Add | BinOp::InplaceAdd => self.b.ins().iadd(x, y),
            BinOp::Sub => self.b.ins().isub(x, y),
            _ => {
                let (z, overflow) = self.b.ins().smul_overflow(x, y);
                let fits = self.fits(z);
                let no = self.b.ins().icmp_imm_s(IntCC::Equal, overflow, 0);
                return (z, self.b.ins().band(fits, no));
            }
        };
        (z, self.fits(z))
    }

    fn float_op(&mut self, op: BinOp, x: ir::Value, y: ir::Value) -> ir::Value {
        match op {
            BinOp::Add | BinOp::InplaceAdd => self.b.ins().fadd(x, y),
            BinOp::Sub => self.b.ins().fsub(x, y),
            _ => self.b.ins().fmul(x, y),
        }
    }

    /// The whole trace.
    fn trace(&mut self) {
        let t = self.t;
        let top = self.b.create_block();
        self.b.ins().jump(top, &[]);
        self.b.switch_to_block(top);
        // The loop body's first uop after its PHIs, where `JUMP_LOOP` goes back to.
        let body = t.insts.iter().find(|i| i.op == Uop::JUMP_LOOP).map(|j| {
            let start = j.imm[2] as usize;
            let n = t.insts[start..]
                .iter()
                .take_while(|p| p.op == Uop::PHI)
                .count();
            (start + n, self.b.create_block())
        });
        let mut open = true;
        for (i, inst) in t.insts.iter().enumerate() {
            if let Some((at, blk)) = body {
                if at == i {
                    if open {
                        self.b.ins().jump(blk, &[]);
                    }
                    self.b.switch_to_block(blk);
                    open = true;
                }
            }
            if !open {
                // Code after a trace's end (none is made so): unreachable.
                let dead = self.b.create_block();
                self.b.switch_to_block(dead);
            }
            self.b.set_srcloc(SourceLoc::new(i as u32));
            if let Some(c) = self.env.counters {
                self.count(c, inst.op.is_guard());
            }
            open = self.uop(i, inst, top, body.map(|b| b.1));
        }
        self.b.set_srcloc(SourceLoc::new(STUBS_LOC));
        if open {
            let bug = self.exit_block(NO_EXIT);
            self.b.ins().jump(bug, &[]);
        }
        for e in 0..self.exits.len() {
            if let Some(blk) = self.exits[e] {
                self.exit(e, blk);
            }
        }
        if let Some(blk) = self.bug {
            self.b.switch_to_block(blk);
            let r = self.k(ret(RET_BUG, self.ti, 0));
            self.b.ins().return_(&[r]);
        }
    }

    /// Adds one uop (and a guard) to the executor's counters.
    fn count(&mut self, at: u64, guard: bool) {
        let p = self.k(at);
        for (k, on) in [(0, true), (8, guard)] {
            if on {
                let n = self.b.ins().load(types::I64, mem(), p, k);
                let n = self.b.ins().iadd_imm_s(n, 1);
                self.b.ins().store(mem(), n, p, k);
            }
        }
    }

    /// Exit `e`'s block: the snapshot to the register file, then the linked side trace,
    /// or back to the executor.
    fn exit(&mut self, e: usize, blk: Block) {
        self.b.switch_to_block(blk);
        let snap = self.t.exits[e].snapshot;
        self.store_snapshot(snap);
        let links = self.k(self.env.links);
        let link = self.b.ins().load(types::I64, mem(), links, 8 * e as i32);
        let valid = self.k(self.env.valid);
        let valid = self.b.ins().uload8(types::I64, mem(), valid, 0);
        let linked = self.b.ins().icmp_imm_s(IntCC::NotEqual, link, 0);
        let valid = self.b.ins().icmp_imm_s(IntCC::NotEqual, valid, 0);
        let go = self.b.ins().band(linked, valid);
        let (follow, leave) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(follow);
        self.b.set_cold_block(leave);
        self.b.ins().brif(go, follow, &[], leave, &[]);
        self.b.switch_to_block(leave);
        let r = self.k(ret(RET_EXIT, self.ti, e));
        self.b.ins().return_(&[r]);
        self.b.switch_to_block(follow);
        let helper = self.k(self.env.link_helper);
        let (node, ek) = (self.k(self.node_addr), self.k(e as u64));
        let (st, regs) = (self.st, self.regs);
        self.b
            .ins()
            .call_indirect(self.sigs.link, helper, &[st, regs, node, ek]);
        self.b
            .ins()
            .return_call_indirect(self.sigs.trace, link, &[st, regs]);
    }

    /// Calls the loop helper at uop `i` (its snapshot already in the register file) and
    /// leaves the trace when it says so; the code goes on in a new block otherwise.
    fn loop_helper(&mut self, i: usize) {
        let helper = self.k(self.env.loop_helper);
        let args = [
            self.st,
            self.regs,
            self.k(self.node_addr),
            self.k(i as u64),
            self.k(self.env.valid),
        ];
        let call = self.b.ins().call_indirect(self.sigs.looped, helper, &args);
        let why = self.b.inst_results(call)[0];
        let (leave, cont) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(leave);
        self.b.ins().brif(why, leave, &[], cont, &[]);
        self.b.switch_to_block(leave);
        let r = self.k(ret(RET_LEAVE, self.ti, i));
        let r = self.b.ins().bor(r, why);
        self.b.ins().return_(&[r]);
        self.b.switch_to_block(cont);
    }

    /// Uop `i`; false when it ends the straight-line code (a jump, an exit).
    fn uop(&mut self, i: usize, inst: &Inst, top: Block, body: Option<Block>) -> bool {
        if self.native(i, inst, top, body) {
            self.counts.native += 1;
            return !matches!(
                inst.op,
                Uop::LOOP | Uop::JUMP_ROOT | Uop::JUMP_LOOP | Uop::EXIT
            );
        }
        self.counts.generic += 1;
        self.generic(i, inst);
        true
    }

    /// Uop `i` through its step helper.
    fn generic(&mut self, i: usize, inst: &Inst) {
        for v in inst.args {
            self.store_reg(v);
        }
        if inst.op == Uop::FLUSH {
            self.store_snapshot(inst.imm[0]);
        }
        let helper = self.k(step_helper_of(inst.op));
        let args = [self.st, self.regs, self.k(self.node_addr), self.k(i as u64)];
        let call = self.b.ins().call_indirect(self.sigs.step, helper, &args);
        let ok = self.b.inst_results(call)[0];
        if inst.op.can_exit() {
            self.guard(ok, inst);
        }
        if inst.out != V::NONE {
            let ty = if self.is_f64(inst.out) {
                types::F64
            } else {
                types::I64
            };
            let regs = self.regs;
            let x = self.b.ins().load(ty, mem(), regs, 8 * inst.out.0 as i32);
            self.def(inst.out, x);
        }
    }

    /// Uop `i` lowered to IR of its own; false when it has no lowering (for this
    /// immediate).
    fn native(&mut self, i: usize, inst: &Inst, top: Block, body: Option<Block>) -> bool {
        let t = self.t;
        let out = inst.out;
        match inst.op {
            Uop::LOAD_SLOT => {
                let locals = self.state(core::mem::offset_of!(JitState, locals));
                let x = self
                    .b
                    .ins()
                    .load(types::I64, mem(), locals, 8 * inst.imm[0] as i32);
                self.def(out, x);
            }
            Uop::CONST => {
                let x = self.k(t.consts[inst.imm[0] as usize].to_bits());
                self.def(out, x);
            }
            Uop::CONST_I64 => {
                let c = t.consts[inst.imm[0] as usize].small_int_unchecked();
                let x = self.k(c as u64);
                self.def(out, x);
            }
            Uop::CONST_F64 => {
                let c = t.consts[inst.imm[0] as usize].float_unchecked();
                let x = self.b.ins().f64const(c);
                self.def(out, x);
            }
            Uop::LOAD_GLOBAL => {
                let g = self.state(core::mem::offset_of!(JitState, globals));
                let x = self
                    .b
                    .ins()
                    .load(types::I64, mem(), g, 8 * inst.imm[0] as i32);
                self.def(out, x);
                let ok = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::NotEqual, x, Value::EMPTY.to_bits() as i64);
                self.guard(ok, inst);
            }
            Uop::GUARD_GLOBAL_EMPTY => {
                let g = self.state(core::mem::offset_of!(JitState, globals));
                let x = self
                    .b
                    .ins()
                    .load(types::I64, mem(), g, 8 * inst.imm[0] as i32);
                let ok = self.eq(x, Value::EMPTY.to_bits());
                self.guard(ok, inst);
            }
            Uop::CHECK_VALID => {
                let p = self.k(self.env.valid);
                let ok = self.b.ins().uload8(types::I64, mem(), p, 0);
                self.guard(ok, inst);
            }
            Uop::GUARD_BOUND | Uop::GUARD_NOT_EXHAUSTED => {
                let x = self.arg(inst, 0);
                let ok = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::NotEqual, x, Value::EMPTY.to_bits() as i64);
                self.guard(ok, inst);
            }
            Uop::GUARD_BOTH_INT => {
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                let (a, b) = (self.is_int(x), self.is_int(y));
                let ok = self.b.ins().band(a, b);
                self.guard(ok, inst);
            }
            Uop::GUARD_BOTH_FLOAT => {
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                let (a, b) = (self.below(x, TAG_MIN), self.below(y, TAG_MIN));
                let ok = self.b.ins().band(a, b);
                self.guard(ok, inst);
            }
            Uop::GUARD_NUMBERS_WITH_FLOAT => {
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                let (a, b) = (self.below(x, TAG_OBJ), self.below(y, TAG_OBJ));
                let (fa, fb) = (self.below(x, TAG_MIN), self.below(y, TAG_MIN));
                let nums = self.b.ins().band(a, b);
                let float = self.b.ins().bor(fa, fb);
                let ok = self.b.ins().band(nums, float);
                self.guard(ok, inst);
            }
            Uop::GUARD_INLINE_NUMBERS => {
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                let (a, b) = (self.below(x, TAG_OBJ), self.below(y, TAG_OBJ));
                let ok = self.b.ins().band(a, b);
                self.guard(ok, inst);
            }
            Uop::GUARD_BOOL => {
                let x = self.arg(inst, 0);
                let x = self.b.ins().bor_imm_s(x, 1);
                let ok = self.eq(x, Value::TRUE.to_bits());
                self.guard(ok, inst);
            }
            Uop::GUARD_INT => {
                let x = self.arg(inst, 0);
                let ok = self.is_int(x);
                self.guard(ok, inst);
            }
            Uop::GUARD_NUMBER => {
                let x = self.arg(inst, 0);
                let ok = self.below(x, TAG_OBJ);
                self.guard(ok, inst);
            }
            Uop::GUARD_NONZERO | Uop::GUARD_INT_NONZERO => {
                let x = self.arg(inst, 0);
                let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, x, TAG_INT as i64);
                self.guard(ok, inst);
            }
            Uop::GUARD_INT_ZERO | Uop::GUARD_TRUE | Uop::GUARD_FALSE => {
                let want = match inst.op {
                    Uop::GUARD_INT_ZERO => TAG_INT,
                    Uop::GUARD_TRUE => Value::TRUE.to_bits(),
                    _ => Value::FALSE.to_bits(),
                };
                let x = self.arg(inst, 0);
                let ok = self.eq(x, want);
                self.guard(ok, inst);
            }
            Uop::ADD_INT
            | Uop::SUB_INT
            | Uop::MUL_INT
            | Uop::ADD_I64
            | Uop::SUB_I64
            | Uop::MUL_I64 => {
                let op = match inst.op {
                    Uop::ADD_INT | Uop::ADD_I64 => BinOp::Add,
                    Uop::SUB_INT | Uop::SUB_I64 => BinOp::Sub,
                    _ => BinOp::Mul,
                };
                let boxed = matches!(inst.op, Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT);
                let (mut x, mut y) = (self.arg(inst, 0), self.arg(inst, 1));
                if boxed {
                    x = self.int_of(x);
                    y = self.int_of(y);
                }
                let (z, ok) = self.int_op(op, x, y);
                self.guard(ok, inst);
                let z = if boxed { self.box_int(z) } else { z };
                self.def(out, z);
            }
            Uop::ADD_FLOAT | Uop::SUB_FLOAT | Uop::MUL_FLOAT => {
                let op = match inst.op {
                    Uop::ADD_FLOAT => BinOp::Add,
                    Uop::SUB_FLOAT => BinOp::Sub,
                    _ => BinOp::Mul,
                };
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                let (x, y) = (self.as_f64(x), self.as_f64(y));
                let z = self.float_op(op, x, y);
                let z = self.box_float(z);
                self.def(out, z);
            }
            Uop::ADD_F64 | Uop::SUB_F64 | Uop::MUL_F64 => {
                let op = match inst.op {
                    Uop::ADD_F64 => BinOp::Add,
                    Uop::SUB_F64 => BinOp::Sub,
                    _ => BinOp::Mul,
                };
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                // Raw floats are boxed (made canonical) where they escape.
                let z = self.float_op(op, x, y);
                self.def(out, z);
            }
            Uop::FLOAT_ARITH | Uop::INLINE_ARITH => match BinOp::from_u32(inst.imm[0]) {
                Some(
                    op @ (BinOp::Add
                    | BinOp::Sub
                    | BinOp::Mul
                    | BinOp::InplaceAdd
                    | BinOp::InplaceMul),
                ) => self.mixed_arith(inst, op),
                Some(BinOp::TrueDiv) => self.true_div(inst),
                _ => return false,
            },
            Uop::CMP_INT | Uop::CMP_I64 | Uop::CMP_F64 => {
                let Some(op) = CmpOp::from_u32(inst.imm[0]) else {
                    return false;
                };
                let (mut x, mut y) = (self.arg(inst, 0), self.arg(inst, 1));
                let c = if inst.op == Uop::CMP_F64 {
                    let cc = match op {
                        CmpOp::Eq => FloatCC::Equal,
                        CmpOp::Ne => FloatCC::NotEqual,
                        CmpOp::Lt => FloatCC::LessThan,
                        CmpOp::Le => FloatCC::LessThanOrEqual,
                        CmpOp::Gt => FloatCC::GreaterThan,
                        CmpOp::Ge => FloatCC::GreaterThanOrEqual,
                    };
                    self.b.ins().fcmp(cc, x, y)
                } else {
                    if inst.op == Uop::CMP_INT {
                        x = self.int_of(x);
                        y = self.int_of(y);
                    }
                    let cc = match op {
                        CmpOp::Eq => IntCC::Equal,
                        CmpOp::Ne => IntCC::NotEqual,
                        CmpOp::Lt => IntCC::SignedLessThan,
                        CmpOp::Le => IntCC::SignedLessThanOrEqual,
                        CmpOp::Gt => IntCC::SignedGreaterThan,
                        CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
                    };
                    self.b.ins().icmp(cc, x, y)
                };
                let r = self.boolean(c);
                self.def(out, r);
            }
            Uop::NEG_NUM => {
                // A number (the trace checked): a float, or an inline int whose negation
                // may leave the inline range.
                let x = self.arg(inst, 0);
                let isf = self.below(x, TAG_MIN);
                let f = self.as_f64(x);
                let f = self.b.ins().fneg(f);
                let f = self.box_float(f);
                let i = self.int_of(x);
                let i = self.b.ins().ineg(i);
                let fits = self.fits(i);
                let ok = self.b.ins().bor(isf, fits);
                self.guard(ok, inst);
                let i = self.box_int(i);
                let r = self.b.ins().select(isf, f, i);
                self.def(out, r);
            }
            Uop::IS => {
                let (x, y) = (self.arg(inst, 0), self.arg(inst, 1));
                let cc = if inst.imm[0] == 1 {
                    IntCC::NotEqual
                } else {
                    IntCC::Equal
                };
                let c = self.b.ins().icmp(cc, x, y);
                let r = self.boolean(c);
                self.def(out, r);
            }
            Uop::UNBOX_INT => {
                let x = self.arg(inst, 0);
                let x = self.int_of(x);
                self.def(out, x);
            }
            Uop::UNBOX_FLOAT => {
                let x = self.arg(inst, 0);
                let x = self.as_f64(x);
                self.def(out, x);
            }
            Uop::BOX_INT => {
                let x = self.arg(inst, 0);
                let x = self.box_int(x);
                self.def(out, x);
            }
            Uop::BOX_FLOAT => {
                let x = self.arg(inst, 0);
                let x = self.box_float(x);
                self.def(out, x);
            }
            Uop::PHI => {
                // Entering the loop from the preamble (the back edge is `JUMP_LOOP`'s).
                let x = self.arg(inst, 0);
                self.def(out, x);
            }
            Uop::EXIT => {
                let exit = self.exit_block(inst.exit);
                self.b.ins().jump(exit, &[]);
            }
            Uop::LOOP | Uop::JUMP_ROOT => {
                self.store_snapshot(inst.imm[0]);
                self.loop_helper(i);
                match self.env.root {
                    Some(root) if self.ti != 0 => {
                        let root = self.k(root as u64);
                        let (st, regs) = (self.st, self.regs);
                        self.b
                            .ins()
                            .return_call_indirect(self.sigs.trace, root, &[st, regs]);
                    }
                    _ => {
                        self.b.ins().jump(top, &[]);
                    }
                }
            }
            Uop::JUMP_LOOP => self.jump_loop(i, inst, body),
            _ => return false,
        }
        true
    }

    /// `FLOAT_ARITH` (numbers, one a float) and `INLINE_ARITH` (two inline ints whose
    /// result stays inline, or numbers with a float) for `+ - *`.
    fn mixed_arith(&mut self, inst: &Inst, op: BinOp) {
        let (a, b) = (self.arg(inst, 0), self.arg(inst, 1));
        let join = self.b.create_block();
        if inst.op == Uop::INLINE_ARITH {
            let (ia, ib) = (self.is_int(a), self.is_int(b));
            let both = self.b.ins().band(ia, ib);
            let (ints, floats) = (self.b.create_block(), self.b.create_block());
            self.b.ins().brif(both, ints, &[], floats, &[]);
            self.b.switch_to_block(ints);
            let (x, y) = (self.int_of(a), self.int_of(b));
            let (z, ok) = self.int_op(op, x, y);
            self.guard(ok, inst);
            let z = self.box_int(z);
            self.def(inst.out, z);
            self.b.ins().jump(join, &[]);
            self.b.switch_to_block(floats);
        }
        let (x, fa, ia) = self.number(a);
        let (y, fb, ib) = self.number(b);
        let na = self.b.ins().bor(fa, ia);
        let nb = self.b.ins().bor(fb, ib);
        let nums = self.b.ins().band(na, nb);
        let ok = if inst.op == Uop::INLINE_ARITH {
            let float = self.b.ins().bor(fa, fb);
            self.b.ins().band(nums, float)
        } else {
            nums
        };
        self.guard(ok, inst);
        let z = self.float_op(op, x, y);
        let z = self.box_float(z);
        self.def(inst.out, z);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
    }

    /// `FLOAT_ARITH` and `INLINE_ARITH` for `/`: two numbers (inline ints are exact in an
    /// `f64`, so int / int is correctly rounded) and a nonzero divisor; a float.
    fn true_div(&mut self, inst: &Inst) {
        let (a, b) = (self.arg(inst, 0), self.arg(inst, 1));
        let (x, fa, ia) = self.number(a);
        let (y, fb, ib) = self.number(b);
        let na = self.b.ins().bor(fa, ia);
        let nb = self.b.ins().bor(fb, ib);
        let nums = self.b.ins().band(na, nb);
        let zero = self.b.ins().f64const(0.0);
        let nonzero = self.b.ins().fcmp(FloatCC::NotEqual, y, zero);
        let ok = self.b.ins().band(nums, nonzero);
        self.guard(ok, inst);
        let z = self.b.ins().fdiv(x, y);
        let z = self.box_float(z);
        self.def(inst.out, z);
    }

    /// `JUMP_LOOP`: on to the loop body's start with the PHIs' back-edge values, unless
    /// a collection is due or the executor was invalidated (then the loop helper runs,
    /// out of line).
    fn jump_loop(&mut self, i: usize, inst: &Inst, body: Option<Block>) {
        let alloc = self.state(core::mem::offset_of!(JitState, gc_allocated));
        let thr = self.state(core::mem::offset_of!(JitState, gc_threshold));
        let alloc = self.b.ins().load(types::I64, mem(), alloc, 0);
        let thr = self.b.ins().load(types::I64, mem(), thr, 0);
        let due = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, alloc, thr);
        let valid = self.k(self.env.valid);
        let valid = self.b.ins().uload8(types::I64, mem(), valid, 0);
        let invalid = self.b.ins().icmp_imm_s(IntCC::Equal, valid, 0);
        let slow = self.b.ins().bor(due, invalid);
        let (slow_blk, moves) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(slow_blk);
        self.b.ins().brif(slow, slow_blk, &[], moves, &[]);
        self.b.switch_to_block(slow_blk);
        self.b.set_srcloc(SourceLoc::new(STUBS_LOC));
        self.store_snapshot(inst.imm[0]);
        self.loop_helper(i);
        self.b.ins().jump(moves, &[]);
        self.b.switch_to_block(moves);
        self.b.set_srcloc(SourceLoc::new(i as u32));
        // The PHIs take their back-edge values all at once.
        let t = self.t;
        let start = inst.imm[2] as usize;
        let phis: Vec<&Inst> = t.insts[start..]
            .iter()
            .take_while(|p| p.op == Uop::PHI)
            .collect();
        let vals: Vec<ir::Value> = phis.iter().map(|p| self.arg(p, 1)).collect();
        for (p, v) in phis.iter().zip(vals) {
            self.def(p.out, v);
        }
        match body {
            Some(blk) => {
                self.b.ins().jump(blk, &[]);
            }
            None => {
                let bug = self.exit_block(NO_EXIT);
                self.b.ins().jump(bug, &[]);
            }
        }
    }
}
