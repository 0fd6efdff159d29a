//! Trace projection: from the specialized instructions of a hot loop to a uop trace.
//!
//! The projector walks the code from the loop header (or from a hot exit, for a side
//! trace), keeping a picture of the frames: for every slot, whether its value is still
//! the one in memory or an SSA value computed since. Each instruction becomes uops:
//!
//! - a specialized form expands through its split in the instruction table
//!   ([`crate::optable::Split`]): one guard uop per [`Guard`] (exiting to the instruction
//!   itself, so tier 1 re-executes it), then the [`Action`]'s uops;
//! - a superinstruction is projected as the instructions it absorbs, which stay in place:
//!   its type feedback ([`crate::optable::BUse::Seen`]) picks the guards of the absorbed
//!   operation, so an exit can resume between them;
//! - a generic operation with a helper (`Binary`, `Compare`, `Unary`, truth tests) becomes
//!   the helper's uop, which exits with the language's error when it raises;
//! - a conditional branch follows the fall-through side (tier 1 keeps no branch history)
//!   and exits to the other; an exit taken often gets a side trace there;
//! - a call of a known function (`CallFunctionExact`) pushes a virtual frame and goes on
//!   in the callee, up to [`MAX_INLINE_DEPTH`] deep, and its `Return` pops it;
//! - anything else ends the trace with an `EXIT` to tier 1 at that instruction.
//!
//! The trace closes at the back edge to the header (`LOOP`, or `JUMP_ROOT` for a side
//! trace), and stops at a backward jump to any other loop, an executor it did not start,
//! a return from its own frame, or [`MAX_TRACE_UOPS`].

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use super::exits::{ExitDesc, Snapshot, VFrame};
use super::table::{ExitKind, Ty, Uop};
use super::{Assumption, Inst, Trace, TraceKind, MAX_INLINE_DEPTH, MAX_TRACE_UOPS, NO_EXIT, V};
use crate::bytecode::{BinOp, CmpOp, Code, CodeId, Instr, Module, Op};
use crate::heap::{Heap, Obj};
use crate::optable::{Action, BUse, Formed, Fusion, Guard};
use crate::tier1::{SEEN_ARRAY, SEEN_FLOAT, SEEN_INT, SEEN_TUPLE};
use crate::value::Value;

/// Which of a form's operands a guard checks: for a binary operation `x` and `y`, for an
/// index the container and the index, for a counted loop the counter and the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operands {
    /// Both (`x`, `y`).
    Both,
    /// The first (`x`, the container, the callee, the iterator, the sequence).
    First,
    /// The second (`y`).
    Second,
    /// None (a global's slot, given as the immediate).
    None,
}

/// The guard uop that checks a [`Guard`] of the instruction table, and which operands it
/// takes. `None` for the guards that are not a uop of their own: the host object's answer
/// is the `HOST_INDEX` action's exit, and an installed executor ends a trace.
pub(crate) const fn guard_uop(g: Guard) -> Option<(Uop, Operands)> {
    use Operands::*;
    Some(match g {
        Guard::BothSmallInt | Guard::SmallIntBounds => (Uop::GUARD_BOTH_INT, Both),
        Guard::NonZeroDivisor => (Uop::GUARD_NONZERO, Second),
        Guard::BothFloat => (Uop::GUARD_BOTH_FLOAT, Both),
        Guard::NumbersWithFloat => (Uop::GUARD_NUMBERS_WITH_FLOAT, Both),
        Guard::InlineNumbers => (Uop::GUARD_INLINE_NUMBERS, Both),
        Guard::BothStr => (Uop::GUARD_BOTH_STR, Both),
        Guard::Bool => (Uop::GUARD_BOOL, First),
        Guard::SmallInt => (Uop::GUARD_INT, First),
        Guard::Number => (Uop::GUARD_NUMBER, First),
        Guard::Array => (Uop::GUARD_ARRAY, First),
        Guard::Tuple => (Uop::GUARD_TUPLE, First),
        Guard::ArrayOrTuple => (Uop::GUARD_SEQ, First),
        Guard::InBounds => (Uop::GUARD_IN_BOUNDS, Both),
        Guard::LengthIsA => (Uop::GUARD_LENGTH, First),
        Guard::CachedFunction => (Uop::GUARD_FUNCTION, First),
        Guard::Native => (Uop::GUARD_NATIVE, First),
        Guard::RangeIter => (Uop::GUARD_RANGE_ITER, First),
        Guard::SeqIter => (Uop::GUARD_SEQ_ITER, First),
        Guard::GlobalEmpty => (Uop::GUARD_GLOBAL_EMPTY, None),
        Guard::HostAnswers | Guard::ExecutorInstalled => return Option::None,
    })
}

/// What projection reads: the program, and the heap and globals as they are now.
pub(crate) struct Cx<'a> {
    pub module: &'a Module,
    pub heap: &'a Heap,
    pub globals: &'a [Value],
}

/// Where and how to start.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Start {
    pub kind: TraceKind,
    pub code: CodeId,
    pub header_pc: u32,
    pub start_pc: u32,
    /// Project the first instruction by its generic behaviour (a side trace from a guard
    /// that failed: the specialized form would fail again).
    pub generic_first: bool,
    /// The loop's back edge, when known: the loop is `header_pc..=loop_end` of the root
    /// frame's code.
    pub loop_end: Option<u32>,
}

impl Start {
    /// A root trace of the loop at `header` (closed by the back edge at `loop_end`) of
    /// code object `code`.
    pub fn root(code: CodeId, header: u32, loop_end: Option<u32>) -> Start {
        Start {
            kind: TraceKind::Root,
            code,
            header_pc: header,
            start_pc: header,
            generic_first: false,
            loop_end,
        }
    }
}

/// Why no trace came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Abort {
    /// The first instruction cannot be expressed: the trace would only exit.
    Empty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// The value in memory (or a dead slot).
    Mem,
    /// An SSA value; `dirty` when memory does not hold it yet.
    Val(V, bool),
}

#[derive(Clone)]
struct State {
    slots: Vec<Slot>,
    sp: u32,
    /// The frames, the trace's own first (its `ret_pc` unused).
    frames: Vec<VFrame>,
}

struct Proj<'a> {
    cx: &'a Cx<'a>,
    start: Start,
    t: Trace,
    st: State,
    /// The static type of each value (the uop table's output types).
    tys: Vec<Ty>,
    /// Type feedback superinstructions left for the operations they absorb: (code, pc,
    /// the kinds seen, or-ed over every superinstruction that absorbs it).
    hints: Vec<(CodeId, u32, u8)>,
    /// While the first instruction of a side trace from a failed guard is projected by
    /// its generic behaviour: its pc. A guard exit there would fail again at once.
    generic_pc: Option<u32>,
    /// Set when that happened: the instruction has no generic expansion.
    generic_failed: bool,
}

enum Flow {
    Next(u32),
    End,
}

/// Projects a trace. The result ends every path with `LOOP`, `JUMP_ROOT` or an exit.
///
/// A side trace from an exit inside functions the parent entered virtually starts inside
/// them: `frames` are the exit's virtual frames (outermost first), and `start.start_pc`
/// is in the innermost. They stay virtual: the parent checked their call depth and stack
/// room before it entered them, and the side trace returns from them as the parent would
/// have (or exits, materializing them).
pub(crate) fn project(cx: &Cx<'_>, start: Start, frames: &[VFrame]) -> Result<Trace, Abort> {
    let inner = frames.last().map_or(start.code, |f| f.code);
    let base = frames.last().map_or(0, |f| f.base);
    let code = &cx.module.codes[inner as usize];
    let depth = code.stack_depth(start.start_pc as usize).unwrap_or(0);
    let sp = base + code.num_locals + depth;
    let loc = code.loc(start.start_pc as usize);
    let mut all_frames = vec![VFrame {
        code: start.code,
        base: 0,
        ret_pc: 0,
    }];
    all_frames.extend_from_slice(frames);
    let mut p = Proj {
        cx,
        start,
        t: Trace {
            kind: start.kind,
            code: start.code,
            header_pc: start.header_pc,
            start_pc: start.start_pc,
            insts: Vec::new(),
            consts: Vec::new(),
            snapshots: Vec::new(),
            exits: Vec::new(),
            n_values: 0,
            assumptions: Vec::new(),
            exit_facts: Vec::new(),
            origin: format!("{}:{}", code.name, loc.line),
        },
        st: State {
            slots: vec![Slot::Mem; sp as usize],
            sp,
            frames: all_frames,
        },
        tys: Vec::new(),
        hints: Vec::new(),
        generic_pc: None,
        generic_failed: false,
    };
    p.run()?;
    Ok(p.t)
}

impl Proj<'_> {
    fn run(&mut self) -> Result<(), Abort> {
        let mut pc = self.start.start_pc;
        let mut first = true;
        loop {
            if self.t.insts.len() >= MAX_TRACE_UOPS {
                self.stop(pc);
                return Ok(());
            }
            let code = self.code();
            if pc as usize >= code.len() {
                // Cannot happen in verified code; stop rather than walk off.
                self.stop(pc);
                return Ok(());
            }
            let ins = code.instr(pc as usize);
            let closes = self.st.frames.len() == 1
                && ins.op.family() == Op::Jump
                && ins.a == self.start.header_pc
                && ins.a <= pc;
            if closes {
                // Every slot the iteration knows, written back or not: loop peeling
                // carries them into the next iteration.
                let snap = self.snapshot_with(self.start.header_pc, true);
                let op = match self.start.kind {
                    TraceKind::Root => Uop::LOOP,
                    TraceKind::Side { .. } => Uop::JUMP_ROOT,
                };
                self.emit(op, &[], &[snap, pc], NO_EXIT);
                return Ok(());
            }
            let generic = first && self.start.generic_first;
            self.generic_pc = generic.then_some(pc);
            let flow = self.step(pc, ins, generic);
            self.generic_pc = None;
            let stopped_at_once = first
                && matches!(flow, Flow::End)
                && self.t.insts.last().is_some_and(|i| i.op == Uop::EXIT);
            if self.generic_failed || stopped_at_once {
                return Err(Abort::Empty);
            }
            first = false;
            match flow {
                Flow::Next(next) => pc = next,
                Flow::End => return Ok(()),
            }
        }
    }

    fn code(&self) -> &Code {
        &self.cx.module.codes[self.code_id() as usize]
    }

    fn frame_base(&self) -> u32 {
        self.st.frames.last().map_or(0, |f| f.base)
    }

    // ---- Emitting.

    fn emit(&mut self, op: Uop, args: &[V], imm: &[u32], exit: u32) -> V {
        let out = if op.output() == Ty::Unit {
            V::NONE
        } else {
            let v = V(self.t.n_values);
            self.t.n_values += 1;
            self.tys.push(op.output());
            v
        };
        let mut a = [V::NONE; 3];
        a[..args.len()].copy_from_slice(args);
        let mut im = [0; 4];
        im[..imm.len()].copy_from_slice(imm);
        self.t.insts.push(Inst {
            op,
            out,
            args: a,
            imm: im,
            exit,
        });
        out
    }

    /// The value of `v` when a `CONST` computed it.
    fn const_value(&self, v: V) -> Option<Value> {
        let inst = self.t.insts.iter().find(|i| i.out == v)?;
        (inst.op == Uop::CONST).then(|| self.t.consts[inst.imm[0] as usize])
    }

    fn ty(&self, v: V) -> Ty {
        self.tys.get(v.0 as usize).copied().unwrap_or(Ty::Any)
    }

    /// The index of `v` in the trace constants (added if new).
    fn konst_index(&mut self, v: Value) -> u32 {
        let known = self
            .t
            .consts
            .iter()
            .position(|c| c.to_bits() == v.to_bits());
        let k = known.unwrap_or_else(|| {
            self.t.consts.push(v);
            self.t.consts.len() - 1
        });
        k as u32
    }

    fn konst(&mut self, v: Value) -> V {
        let k = self.konst_index(v);
        let out = self.emit(Uop::CONST, &[], &[k], NO_EXIT);
        let ty = if v.is_small_int() {
            Ty::Int
        } else if v.is_float() {
            Ty::Float
        } else if v.as_bool().is_some() {
            Ty::Bool
        } else {
            Ty::Any
        };
        self.tys[out.0 as usize] = ty;
        out
    }

    /// Records the current state as a snapshot resuming at `pc`.
    fn snapshot(&mut self, pc: u32) -> u32 {
        self.snapshot_with(pc, false)
    }

    /// Records the current state as a snapshot resuming at `pc`: the slots that differ
    /// from memory, and with `clean` also those memory already holds.
    fn snapshot_with(&mut self, pc: u32, clean: bool) -> u32 {
        let sp = self.st.sp;
        let slots = self
            .st
            .slots
            .iter()
            .enumerate()
            .take(sp as usize)
            .filter_map(|(i, s)| match *s {
                Slot::Val(v, dirty) if dirty || clean => Some((i as u32, v)),
                _ => None,
            })
            .collect();
        self.t.snapshots.push(Snapshot {
            pc,
            sp,
            slots,
            frames: self.st.frames[1..].to_vec(),
        });
        (self.t.snapshots.len() - 1) as u32
    }

    /// An exit of `kind` resuming at `pc` with the current state.
    fn exit(&mut self, kind: ExitKind, pc: u32) -> u32 {
        if self.generic_pc == Some(pc) && matches!(kind, ExitKind::Guard | ExitKind::Overflow) {
            self.generic_failed = true;
        }
        let snapshot = self.snapshot(pc);
        self.t.exits.push(ExitDesc { kind, snapshot });
        (self.t.exits.len() - 1) as u32
    }

    /// An exit of `kind` resuming at `pc` with the state `change` makes (the state
    /// itself is kept).
    fn exit_after(&mut self, kind: ExitKind, pc: u32, change: impl FnOnce(&mut Self)) -> u32 {
        let saved = self.st.clone();
        change(self);
        let e = self.exit(kind, pc);
        self.st = saved;
        e
    }

    /// Ends the trace with an exit to tier 1 at `pc`.
    fn stop(&mut self, pc: u32) {
        let e = self.exit(ExitKind::Stop, pc);
        self.emit(Uop::EXIT, &[], &[], e);
    }

    /// Writes every slot that differs from memory back (before a uop that may collect or
    /// reads the stack from memory); returns the snapshot it writes.
    fn flush(&mut self, pc: u32) -> u32 {
        let snap = self.snapshot(pc);
        self.emit(Uop::FLUSH, &[], &[snap], NO_EXIT);
        for s in &mut self.st.slots {
            if let Slot::Val(v, true) = *s {
                *s = Slot::Val(v, false);
            }
        }
        snap
    }

    /// Flushes before a helper uop that takes its operands from memory and may raise:
    /// returns the helper's error exit, which writes nothing more than the `FLUSH` did.
    fn flush_for_helper(&mut self, pc: u32) -> u32 {
        let snapshot = self.flush(pc);
        self.t.exits.push(ExitDesc {
            kind: ExitKind::Error,
            snapshot,
        });
        (self.t.exits.len() - 1) as u32
    }

    // ---- The frame picture.

    fn read(&mut self, slot: u32) -> V {
        match self.st.slots.get(slot as usize).copied() {
            Some(Slot::Val(v, _)) => v,
            _ => {
                let v = self.emit(Uop::LOAD_SLOT, &[], &[slot], NO_EXIT);
                self.set(slot, Slot::Val(v, false));
                v
            }
        }
    }

    fn set(&mut self, slot: u32, s: Slot) {
        let i = slot as usize;
        if self.st.slots.len() <= i {
            self.st.slots.resize(i + 1, Slot::Mem);
        }
        self.st.slots[i] = s;
    }

    fn write(&mut self, slot: u32, v: V) {
        self.set(slot, Slot::Val(v, true));
    }

    fn push(&mut self, v: V) {
        self.write(self.st.sp, v);
        self.st.sp += 1;
    }

    fn pop(&mut self) -> V {
        let v = self.peek(0);
        self.st.sp -= 1;
        self.set(self.st.sp, Slot::Mem);
        v
    }

    fn drop_n(&mut self, n: u32) {
        for _ in 0..n {
            self.st.sp -= 1;
            self.set(self.st.sp, Slot::Mem);
        }
    }

    fn peek(&mut self, n: u32) -> V {
        self.read(self.st.sp - 1 - n)
    }

    fn local(&mut self, i: u32) -> V {
        self.read(self.frame_base() + i)
    }

    fn set_local(&mut self, i: u32, v: V) {
        self.write(self.frame_base() + i, v);
    }

    fn code_id(&self) -> CodeId {
        self.st.frames.last().map_or(self.start.code, |f| f.code)
    }

    fn hint(&self, pc: u32) -> Option<u8> {
        let code = self.code_id();
        self.hints
            .iter()
            .find(|h| h.0 == code && h.1 == pc)
            .map(|h| h.2)
    }

    fn add_hint(&mut self, pc: u32, seen: u8) {
        let code = self.code_id();
        match self.hints.iter_mut().find(|h| h.0 == code && h.1 == pc) {
            Some(h) => h.2 |= seen,
            None => self.hints.push((code, pc, seen)),
        }
    }

    // ---- Instructions.

    /// The instruction to project for `ins`: a superinstruction formed at priming is its
    /// first instruction's family (its type feedback goes to the absorbed operation);
    /// one formed when specializing is the specialized form without the fusion.
    fn unfuse(&mut self, pc: u32, ins: Instr) -> Op {
        match ins.op.row().fusion {
            Fusion::Absorbs {
                next,
                formed: Formed::Priming,
                ..
            } => {
                // The feedback belongs to the absorbed operation that computed it.
                let at = next
                    .iter()
                    .position(|f| matches!(f, Op::Binary | Op::Compare | Op::Index));
                if let (BUse::Seen, Some(k)) = (ins.op.row().b, at) {
                    self.add_hint(pc + 1 + k as u32, ins.b as u8);
                }
                ins.op.family()
            }
            Fusion::Absorbs {
                formed: Formed::Specializing,
                ..
            } => match ins.op {
                Op::CompareIntJumpIfFalse => Op::CompareInt,
                Op::CompareFloatJumpIfFalse => Op::CompareFloat,
                Op::ForIterRangeStore => Op::ForIterRange,
                Op::ForIterSeqStore => Op::ForIterSeq,
                op => op,
            },
            _ => ins.op,
        }
    }

    fn step(&mut self, pc: u32, ins: Instr, generic: bool) -> Flow {
        let op = self.unfuse(pc, ins);
        let next = Flow::Next(pc + 1);
        let a = ins.a;
        match op {
            Op::Nop => next,
            Op::Pop => {
                self.pop();
                next
            }
            Op::Dup => {
                let v = self.peek(0);
                self.push(v);
                next
            }
            Op::Swap => {
                let (x, y) = (self.peek(1), self.peek(0));
                let sp = self.st.sp;
                self.write(sp - 2, y);
                self.write(sp - 1, x);
                next
            }
            Op::CopyN => {
                let v = self.peek(a - 1);
                self.push(v);
                next
            }
            Op::SwapN => {
                let (top, other) = (self.peek(0), self.peek(a - 1));
                let sp = self.st.sp;
                self.write(sp - 1, other);
                self.write(sp - a, top);
                next
            }
            Op::LoadConst => {
                let c = self.code().consts()[a as usize];
                let v = self.konst(c);
                self.push(v);
                next
            }
            Op::LoadInt => {
                let v = self.konst(Value::small_int(a as i32 as i64));
                self.push(v);
                next
            }
            Op::LoadNil | Op::LoadTrue | Op::LoadFalse => {
                let c = match op {
                    Op::LoadNil => Value::NIL,
                    Op::LoadTrue => Value::TRUE,
                    _ => Value::FALSE,
                };
                let v = self.konst(c);
                self.push(v);
                next
            }
            Op::LoadLocal => {
                let v = self.local(a);
                self.push(v);
                next
            }
            Op::LoadLocalChecked => {
                let v = self.local(a);
                let e = self.exit(ExitKind::Guard, pc);
                self.emit(Uop::GUARD_BOUND, &[v], &[], e);
                self.push(v);
                next
            }
            Op::StoreLocal => {
                let v = self.pop();
                self.set_local(a, v);
                next
            }
            Op::DeleteLocal => {
                let v = self.konst(Value::EMPTY);
                self.set_local(a, v);
                next
            }
            Op::LoadGlobal | Op::LoadGlobalBuiltin => {
                self.load_global(pc, ins);
                next
            }
            Op::StoreGlobal | Op::StoreGlobalWatched => {
                let v = self.pop();
                self.emit(Uop::STORE_GLOBAL, &[v], &[a], NO_EXIT);
                let e = self.exit(ExitKind::Invalidated, pc + 1);
                self.emit(Uop::CHECK_VALID, &[], &[], e);
                next
            }
            Op::Binary
            | Op::BinaryAddInt
            | Op::BinarySubInt
            | Op::BinaryMulInt
            | Op::BinaryDivModInt
            | Op::BinaryAddFloat
            | Op::BinarySubFloat
            | Op::BinaryMulFloat
            | Op::BinaryFloatMixed
            | Op::BinaryAddStr => self.binary(pc, op, a, generic),
            Op::Compare | Op::CompareInt | Op::CompareFloat | Op::CompareStr => {
                self.compare(pc, op, a, generic)
            }
            Op::Unary | Op::UnaryNegNum => {
                let x = self.peek(0);
                let r = if op == Op::UnaryNegNum && !generic {
                    self.split_guards(pc, op, &[x], 0);
                    let e = self.exit(ExitKind::Overflow, pc);
                    self.emit(Uop::NEG_NUM, &[x], &[], e)
                } else {
                    let e = self.exit(ExitKind::Error, pc);
                    let un = if op == Op::UnaryNegNum { 0 } else { a };
                    self.emit(Uop::UNARY, &[x], &[un], e)
                };
                self.pop();
                self.push(r);
                next
            }
            Op::IsOp => {
                let (x, y) = (self.peek(1), self.peek(0));
                let r = self.emit(Uop::IS, &[x, y], &[a], NO_EXIT);
                self.drop_n(2);
                self.push(r);
                next
            }
            Op::Jump | Op::JumpExecutor => {
                if a > pc && op == Op::Jump {
                    Flow::Next(a)
                } else {
                    // A loop the trace did not start (or an executor there).
                    self.stop(pc);
                    Flow::End
                }
            }
            Op::JumpIfFalse | Op::JumpIfTrue => {
                let v = self.peek(0);
                let c = self.truth(pc, v);
                self.pop();
                let follow = self.follow_jump(pc, ins);
                self.branch(c, op == Op::JumpIfTrue, a, pc, follow)
            }
            Op::JumpIfFalseBool | Op::JumpIfTrueBool => {
                let v = self.peek(0);
                let jump_if = op == Op::JumpIfTrueBool;
                let c = if generic {
                    self.truth(pc, v)
                } else {
                    self.split_guards(pc, op, &[v], 0);
                    v
                };
                self.pop();
                let follow = self.follow_jump(pc, ins);
                self.branch(c, jump_if, a, pc, follow)
            }
            Op::JumpIfFalseInt | Op::JumpIfTrueInt => {
                let v = self.peek(0);
                let jump_if = op == Op::JumpIfTrueInt;
                let follow = self.follow_jump(pc, ins);
                if generic {
                    let c = self.truth(pc, v);
                    self.pop();
                    return self.branch(c, jump_if, a, pc, follow);
                }
                self.split_guards(pc, op, &[v], 0);
                self.pop();
                // The value is truthy exactly when it is not zero; the trace follows
                // the side taken last and exits to the other.
                let want_truthy = if follow { jump_if } else { !jump_if };
                let (other, next_pc) = if follow { (pc + 1, a) } else { (a, pc + 1) };
                let g = if want_truthy {
                    Uop::GUARD_INT_NONZERO
                } else {
                    Uop::GUARD_INT_ZERO
                };
                let e = self.exit(ExitKind::Branch, other);
                self.emit(g, &[v], &[], e);
                Flow::Next(next_pc)
            }
            Op::JumpIfFalseOrPop | Op::JumpIfTrueOrPop => {
                let v = self.peek(0);
                let c = self.truth(pc, v);
                let jump_if = op == Op::JumpIfTrueOrPop;
                // The trace follows the fall-through, which pops; the jump keeps the value.
                let e = self.exit(ExitKind::Branch, a);
                let g = if jump_if {
                    Uop::GUARD_FALSE
                } else {
                    Uop::GUARD_TRUE
                };
                self.emit(g, &[c], &[], e);
                self.pop();
                next
            }
            Op::CheckIntBound => {
                let v = self.peek(a);
                let e = self.exit(ExitKind::Guard, pc);
                self.emit(Uop::GUARD_INT, &[v], &[], e);
                next
            }
            Op::ForRange | Op::ForRangeStore => {
                let slot = ins.b as u32;
                let (c, end) = (self.local(slot), self.local(slot + 1));
                // Both forms' inline path: the fused form's split says what it checks.
                self.split_guards(pc, Op::ForRangeStore, &[c, end], 0);
                let lt = self.emit(Uop::CMP_INT, &[c, end], &[CmpOp::Lt as u32], NO_EXIT);
                let e = self.exit(ExitKind::Branch, a);
                self.emit(Uop::GUARD_TRUE, &[lt], &[], e);
                let one = self.konst(Value::small_int(1));
                let e = self.exit(ExitKind::Overflow, pc);
                let n = self.emit(Uop::ADD_INT, &[c, one], &[], e);
                self.push(c);
                self.set_local(slot, n);
                next
            }
            Op::GetIter => {
                let v = self.peek(0);
                let e = self.exit(ExitKind::Error, pc);
                let it = self.emit(Uop::GET_ITER, &[v], &[], e);
                self.pop();
                self.push(it);
                next
            }
            Op::ForIter => self.generic_for_iter(pc, a),
            Op::ForIterRange | Op::ForIterSeq if generic => self.generic_for_iter(pc, a),
            Op::ForIterRange | Op::ForIterSeq => {
                let it = self.peek(0);
                self.split_guards(pc, op, &[it], 0);
                let done = self.exit_after(ExitKind::Branch, a, |p| {
                    p.pop();
                });
                let item = self.emit(Uop::ITER_NEXT, &[it], &[], done);
                self.push(item);
                next
            }
            Op::Return => {
                if self.st.frames.len() == 1 {
                    self.stop(pc);
                    return Flow::End;
                }
                let v = self.pop();
                let f = self.st.frames.pop().unwrap_or(VFrame {
                    code: 0,
                    base: 1,
                    ret_pc: 0,
                });
                while self.st.sp > f.base {
                    self.drop_n(1);
                }
                self.st.sp = f.base - 1;
                self.set(f.base - 1, Slot::Mem);
                self.push(v);
                Flow::Next(f.ret_pc)
            }
            Op::CallFunctionExact if !generic => self.call_function(pc, ins),
            Op::CallNative if !generic => {
                let f = self.peek(a);
                self.split_guards(pc, op, &[f], 0);
                let e = self.flush_for_helper(pc);
                let top = self.st.sp;
                let r = self.emit(Uop::CALL_NATIVE, &[], &[a, top], e);
                self.drop_n(a + 1);
                self.push(r);
                let e = self.exit(ExitKind::Invalidated, pc + 1);
                self.emit(Uop::CHECK_VALID, &[], &[], e);
                next
            }
            Op::Index | Op::IndexArrayInt | Op::IndexTupleInt | Op::IndexHost => {
                self.index(pc, ins, op, generic)
            }
            Op::StoreIndexArrayInt | Op::StoreSubscrArrayInt if !generic => {
                let (c, i, v) = if op == Op::StoreIndexArrayInt {
                    (self.peek(2), self.peek(1), self.peek(0))
                } else {
                    (self.peek(1), self.peek(0), self.peek(2))
                };
                self.split_guards(pc, op, &[c, i], 0);
                self.emit(Uop::WRITE_ITEM, &[c, i, v], &[], NO_EXIT);
                self.drop_n(3);
                next
            }
            Op::UnpackTuple | Op::UnpackArray | Op::UnpackStore if !generic => {
                let v = self.peek(0);
                self.split_guards(pc, op, &[v], a);
                let items: Vec<V> = (0..a)
                    .map(|k| self.emit(Uop::ITEM, &[v], &[k], NO_EXIT))
                    .collect();
                self.pop();
                for &item in items.iter().rev() {
                    self.push(item);
                }
                next
            }
            Op::BuildTuple | Op::BuildArray => {
                self.flush(pc);
                let top = self.st.sp;
                let u = if op == Op::BuildTuple {
                    Uop::BUILD_TUPLE
                } else {
                    Uop::BUILD_ARRAY
                };
                let r = self.emit(u, &[], &[a, top], NO_EXIT);
                self.drop_n(a);
                self.push(r);
                next
            }
            _ if crate::jit::slow_op_ok(op.family()) && (op == op.family() || generic) => {
                self.slow_op(pc, ins)
            }
            _ => {
                self.stop(pc);
                Flow::End
            }
        }
    }

    /// An instruction run by its generic behaviour through the `slow_op` helper: the frame
    /// is flushed first (it may run guest code and collect), and its error is raised at
    /// the instruction.
    fn slow_op(&mut self, pc: u32, ins: Instr) -> Flow {
        let family = ins.op.family();
        let eff = crate::optable::stack_effect(ins);
        let name = match family {
            Op::LoadAttr | Op::StoreAttr => Some(ins.a),
            Op::CallMethod => Some(ins.a >> 8),
            _ => None,
        };
        let k = match name {
            Some(i) => {
                let c = self.code().consts()[i as usize];
                self.konst_index(c)
            }
            None => 0,
        };
        let e = self.flush_for_helper(pc);
        let top = self.st.sp;
        let r = self.emit(Uop::SLOW_OP, &[], &[family as u32, ins.a, top, k], e);
        self.drop_n(eff.pops);
        if eff.pushes == 1 {
            self.push(r);
        }
        let e = self.exit(ExitKind::Invalidated, pc + 1);
        self.emit(Uop::CHECK_VALID, &[], &[], e);
        Flow::Next(pc + 1)
    }

    /// A `ForIter` step of any iterator, through the helper: the frame is flushed first
    /// (the frontend's iterator may run guest code and collect).
    fn generic_for_iter(&mut self, pc: u32, target: u32) -> Flow {
        let e = self.flush_for_helper(pc);
        let top = self.st.sp;
        let item = self.emit(Uop::ITER_NEXT_ANY, &[], &[top], e);
        let done = self.exit_after(ExitKind::Branch, target, |p| {
            p.pop();
        });
        self.emit(Uop::GUARD_NOT_EXHAUSTED, &[item], &[], done);
        self.push(item);
        let e = self.exit(ExitKind::Invalidated, pc + 1);
        self.emit(Uop::CHECK_VALID, &[], &[], e);
        Flow::Next(pc + 1)
    }

    fn load_global(&mut self, pc: u32, ins: Instr) {
        let g = ins.a;
        let current = self.cx.globals.get(g as usize).copied();
        let constant = current
            .filter(|&v| matches!(self.cx.heap.get(v), Some(Obj::Function(_) | Obj::Native(_))));
        let is_root = matches!(self.start.kind, TraceKind::Root);
        let v = match constant {
            // A function or builtin bound to a global rarely changes: use it as a constant
            // and have the VM invalidate the trace if the global is stored.
            Some(c) if is_root => {
                if !self.t.assumptions.contains(&Assumption::GlobalUnchanged(g)) {
                    self.t.assumptions.push(Assumption::GlobalUnchanged(g));
                }
                self.konst(c)
            }
            _ if ins.op == Op::LoadGlobalBuiltin => {
                self.split_guards(pc, ins.op, &[], g);
                let cached = self
                    .code()
                    .cache(ins.b as usize)
                    .map_or(Value::NIL.to_bits(), |c| c.data);
                // SAFETY: tier 1 stored the bits of the value the frontend gave for the
                // empty global (a builtin it keeps alive), and pushes them on every hit.
                let value = unsafe { Value::from_bits(cached) };
                self.konst(value)
            }
            _ => {
                let e = self.exit(ExitKind::Guard, pc);
                self.emit(Uop::LOAD_GLOBAL, &[], &[g], e)
            }
        };
        self.push(v);
    }

    /// The truth of `v` as a bool value: itself when known to be a bool, else `TRUTHY`.
    fn truth(&mut self, pc: u32, v: V) -> V {
        if self.ty(v) == Ty::Bool {
            return v;
        }
        let e = self.exit(ExitKind::Error, pc);
        self.emit(Uop::TRUTHY, &[v], &[], e)
    }

    /// Whether the trace follows the conditional jump `ins` at `pc` (rather than falling
    /// through). In the loop's own frame, when one side leaves the loop and the other
    /// stays in it, it stays: the loop is hot, and the branch history may be stale (an
    /// enclosing loop's trace ran the branch last, and traces do not record it). Otherwise
    /// the side tier 1 took the last time it ran the jump (recorded under `--mode uops`,
    /// [`crate::tier1::LAST_JUMPED`]).
    fn follow_jump(&self, pc: u32, ins: Instr) -> bool {
        if let (1, Some(end)) = (self.st.frames.len(), self.start.loop_end) {
            let inside = |t: u32| t >= self.start.header_pc && t <= end;
            let (jump_in, fall_in) = (inside(ins.a), inside(pc + 1));
            if jump_in != fall_in {
                return jump_in;
            }
        }
        self.code()
            .cache(ins.b as usize)
            .is_some_and(|c| c.pad == crate::tier1::LAST_JUMPED)
    }

    /// A conditional jump at `pc` to `target` when `c` is `jump_if`, the condition already
    /// popped: the trace follows the side tier 1 took last (`follow_jump`) and exits to
    /// the other.
    fn branch(&mut self, c: V, jump_if: bool, target: u32, pc: u32, follow_jump: bool) -> Flow {
        // The condition's truth on the followed side.
        let want = if follow_jump { jump_if } else { !jump_if };
        let (other, next) = if follow_jump {
            (pc + 1, target)
        } else {
            (target, pc + 1)
        };
        let e = self.exit(ExitKind::Branch, other);
        let g = if want {
            Uop::GUARD_TRUE
        } else {
            Uop::GUARD_FALSE
        };
        self.emit(g, &[c], &[], e);
        Flow::Next(next)
    }

    fn binary(&mut self, pc: u32, op: Op, a: u32, generic: bool) -> Flow {
        let (x, y) = (self.peek(1), self.peek(0));
        let bin = BinOp::from_u32(a).unwrap_or(BinOp::Add);
        // Superinstruction feedback refines the generic form.
        let form = match (op, self.hint(pc)) {
            (Op::Binary, Some(seen)) if seen == SEEN_INT => match bin.arith() {
                BinOp::Add => Op::BinaryAddInt,
                BinOp::Sub => Op::BinarySubInt,
                BinOp::Mul => Op::BinaryMulInt,
                _ => Op::Binary,
            },
            _ => op,
        };
        let inline = op == Op::Binary
            && form == Op::Binary
            && self
                .hint(pc)
                .is_some_and(|s| s & (SEEN_INT | SEEN_FLOAT) != 0);
        let r = if generic || (form == Op::Binary && !inline) {
            if bin == BinOp::InplaceAdd {
                let e = self.exit(ExitKind::Guard, pc);
                self.emit(Uop::GUARD_NOT_ARRAY, &[x], &[], e);
            }
            let e = self.exit(ExitKind::Error, pc);
            self.emit(Uop::BINARY, &[x, y], &[a], e)
        } else if inline {
            let e = self.exit(ExitKind::Guard, pc);
            self.emit(Uop::GUARD_INLINE_NUMBERS, &[x, y], &[], e);
            let e = self.exit(ExitKind::Overflow, pc);
            self.emit(Uop::INLINE_ARITH, &[x, y], &[a], e)
        } else {
            let split = form.row().split.unwrap_or(crate::optable::Split {
                guards: &[],
                action: Action::None,
            });
            self.guards(pc, split.guards, &[x, y], a);
            let (u, imm) = match split.action {
                Action::IntAdd => (Uop::ADD_INT, None),
                Action::IntSub => (Uop::SUB_INT, None),
                Action::IntMul => (Uop::MUL_INT, None),
                Action::IntDivMod => (Uop::DIVMOD_INT, Some(a)),
                Action::FloatAdd => (Uop::ADD_FLOAT, None),
                Action::FloatSub => (Uop::SUB_FLOAT, None),
                Action::FloatMul => (Uop::MUL_FLOAT, None),
                Action::FloatArith => (Uop::FLOAT_ARITH, Some(a)),
                _ => (Uop::CONCAT_STR, None),
            };
            let e = if u.can_exit() {
                self.exit(ExitKind::Overflow, pc)
            } else {
                NO_EXIT
            };
            match imm {
                Some(i) => self.emit(u, &[x, y], &[i], e),
                None => self.emit(u, &[x, y], &[], e),
            }
        };
        self.drop_n(2);
        self.push(r);
        Flow::Next(pc + 1)
    }

    fn compare(&mut self, pc: u32, op: Op, a: u32, generic: bool) -> Flow {
        let (x, y) = (self.peek(1), self.peek(0));
        let form = match (op, self.hint(pc)) {
            (Op::Compare, Some(seen)) if seen == SEEN_INT => Op::CompareInt,
            (Op::Compare, Some(seen)) if seen & (SEEN_INT | SEEN_FLOAT) != 0 => Op::CompareFloat,
            _ => op,
        };
        let r = if generic || form == Op::Compare {
            let e = self.exit(ExitKind::Error, pc);
            self.emit(Uop::COMPARE, &[x, y], &[a], e)
        } else {
            if op == Op::Compare && form == Op::CompareFloat {
                // Fed back by a superinstruction: its own guard, on inline numbers.
                self.guards(pc, &[Guard::InlineNumbers], &[x, y], 0);
            } else {
                self.split_guards(pc, form, &[x, y], 0);
            }
            let u = match form {
                Op::CompareInt => Uop::CMP_INT,
                Op::CompareFloat => Uop::CMP_NUM,
                _ => Uop::CMP_STR,
            };
            self.emit(u, &[x, y], &[a], NO_EXIT)
        };
        self.drop_n(2);
        self.push(r);
        Flow::Next(pc + 1)
    }

    fn index(&mut self, pc: u32, ins: Instr, op: Op, generic: bool) -> Flow {
        let (c, i) = (self.peek(1), self.peek(0));
        // The form whose split guards the read: the specialized one, or for an `Index` a
        // superinstruction absorbed, the one its feedback names (`LoadLocalIndex`'s own
        // split when it saw both kinds).
        let form = match (op, self.hint(pc)) {
            _ if generic => None,
            (Op::IndexArrayInt | Op::IndexTupleInt, _) => Some(op),
            (Op::Index, Some(s)) if s == SEEN_ARRAY => Some(Op::IndexArrayInt),
            (Op::Index, Some(s)) if s == SEEN_TUPLE => Some(Op::IndexTupleInt),
            (Op::Index, Some(s)) if s & (SEEN_ARRAY | SEEN_TUPLE) != 0 => Some(Op::LoadLocalIndex),
            _ => None,
        };
        let r = match form {
            Some(form) => {
                self.split_guards(pc, form, &[c, i], 0);
                self.emit(Uop::READ_ITEM, &[c, i], &[], NO_EXIT)
            }
            None if op == Op::IndexHost && !generic => {
                let e = self.exit(ExitKind::Guard, pc);
                self.emit(Uop::HOST_INDEX, &[c, i], &[], e)
            }
            // Anything else, by the generic behaviour.
            None => return self.slow_op(pc, ins),
        };
        self.drop_n(2);
        self.push(r);
        Flow::Next(pc + 1)
    }

    /// Emits the guard uops of a specialized form's guards on `operands`, with `imm` for
    /// the guards that take one: the expansion comes from the instruction table's split
    /// ([`guard_uop`]).
    /// Returns their exit (one for all: they check the same state).
    fn guards(&mut self, pc: u32, guards: &[Guard], operands: &[V], imm: u32) -> u32 {
        let e = self.exit(ExitKind::Guard, pc);
        for &g in guards {
            let Some((u, pick)) = guard_uop(g) else {
                continue;
            };
            let args: &[V] = match pick {
                Operands::Both => &operands[..2],
                Operands::First => &operands[..1],
                Operands::Second => &operands[1..2],
                Operands::None => &[],
            };
            if u.imms().is_empty() {
                self.emit(u, args, &[], e);
            } else {
                self.emit(u, args, &[imm], e);
            }
        }
        e
    }

    /// The guards of specialized form `op` (from its row's split) on `operands`.
    fn split_guards(&mut self, pc: u32, op: Op, operands: &[V], imm: u32) -> u32 {
        let guards = op.row().split.map_or(&[][..], |s| s.guards);
        self.guards(pc, guards, operands, imm)
    }

    /// `CallFunctionExact`: enters the callee as a virtual frame.
    fn call_function(&mut self, pc: u32, ins: Instr) -> Flow {
        let argc = ins.a;
        // The callee: a constant the trace assumed (a function bound to a global), or the
        // code object tier 1 cached.
        let f = self.peek(argc);
        let known = self.const_value(f).and_then(|v| match self.cx.heap.get(v) {
            Some(Obj::Function(func)) => Some(func.code),
            _ => None,
        });
        let Some(want) = known.or_else(|| self.code().cache(ins.b as usize).map(|c| c.aux)) else {
            self.stop(pc);
            return Flow::End;
        };
        let Some(callee) = self.cx.module.codes.get(want as usize) else {
            self.stop(pc);
            return Flow::End;
        };
        if self.st.frames.len() > MAX_INLINE_DEPTH
            || !callee.is_verified()
            || !callee.takes_exactly(argc as usize)
        {
            self.stop(pc);
            return Flow::End;
        }
        let (nl, max_stack, init) = (callee.num_locals, callee.max_stack(), callee.local_init);
        // Entering the frame checks the call depth and the stack's room, as tier 1 does,
        // leaving by the same exit as the guards.
        let e = self.split_guards(pc, Op::CallFunctionExact, &[f], want);
        let base = self.st.sp - argc;
        let top = base + nl + max_stack;
        let depth = self.st.frames.len() as u32;
        self.emit(Uop::CHECK_CALL, &[], &[depth, top], e);
        self.st.frames.push(VFrame {
            code: want,
            base,
            ret_pc: pc + 1,
        });
        if argc < nl {
            let v = self.konst(init);
            for i in argc..nl {
                self.write(base + i, v);
            }
        }
        self.st.sp = base + nl;
        Flow::Next(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every guard of every specialized form in the instruction table expands into a
    /// guard uop (or, for the two that are not uops, is covered by what follows), whose
    /// inputs are the operands the expansion passes.
    #[test]
    fn every_split_guard_has_its_uop() {
        for &op in Op::ALL {
            let Some(split) = op.row().split else {
                continue;
            };
            for &g in split.guards {
                match guard_uop(g) {
                    Some((u, pick)) => {
                        assert!(u.is_guard(), "{:?} -> {}", g, u.name());
                        let n = match pick {
                            Operands::Both => 2,
                            Operands::First | Operands::Second => 1,
                            Operands::None => 0,
                        };
                        assert_eq!(u.inputs().len(), n, "{:?} -> {}", g, u.name());
                    }
                    None => assert!(
                        matches!(g, Guard::HostAnswers | Guard::ExecutorInstalled),
                        "{g:?} in {} has no uop",
                        op.name()
                    ),
                }
            }
        }
    }
}
