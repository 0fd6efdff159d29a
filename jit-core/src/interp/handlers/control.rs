//! Handlers for control flow: jumps (with the garbage-collection safepoint and the
//! hotness counter on backward ones), conditional jumps and their specialized forms,
//! counted loops and iteration.

use crate::bytecode::{Instr, Op};
use crate::heap::Obj;
use crate::interp::exec::Exec;
use crate::ops;
use crate::semantics::{Exception, Semantics};
use crate::value::Value;

impl<S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
    Exec<'_, S, ADAPTIVE, STATS, TRACE>
{
    /// `Jump`. A backward jump closes a loop: it is a safepoint and counts the loop's
    /// hotness (see [`Exec::loop_back_edge`]).
    #[inline(always)]
    pub fn jump(&mut self, ins: Instr) -> Result<(), Exception> {
        if self.is_back_edge(ins.a) {
            self.loop_back_edge(ins);
            // Before the jump, so that a memory error the safepoint raises is located at
            // the back edge (as compiled code locates it: `LOOP`'s `at`), not at the
            // instruction before the loop header.
            self.safepoint()?;
        }
        self.jump_to(ins.a);
        Ok(())
    }

    /// `JumpExecutor`: the loop's back edge enters its compiled code at the header, and
    /// tier 1 resumes where the code exits, with the frame it wrote back.
    #[inline(always)]
    pub fn jump_executor(&mut self, ins: Instr) -> Result<(), Exception> {
        self.safepoint()?;
        self.jump_to(ins.a);
        let slot = self.cache(ins).get().aux;
        match self.core.executor(slot) {
            Some(executor) => {
                self.hit(ins);
                self.run_executor(&*executor)
            }
            // Executors are never removed, so this does not happen; stay in tier 1.
            None => {
                self.miss(ins);
                Ok(())
            }
        }
    }

    /// Pops the condition and jumps to `a` when its truth is `jump_if`.
    #[inline(always)]
    pub fn cond_jump(&mut self, ins: Instr, jump_if: bool) -> Result<(), Exception> {
        let v = self.pop();
        let jumped = ops::truthy(&mut self.core.heap, self.sem, v)? == jump_if;
        self.note_branch(ins, jumped);
        if jumped {
            self.jump_to(ins.a);
        }
        Ok(())
    }

    /// `JumpIfFalse`, `JumpIfTrue`.
    #[inline(always)]
    pub fn cond_jump_adaptive(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        self.cond_jump(ins, ins.op == Op::JumpIfTrue)
    }

    /// `JumpIfFalseBool`, `JumpIfTrueBool`: guard: a bool.
    #[inline(always)]
    pub fn jump_if_bool(&mut self, ins: Instr) -> Result<(), Exception> {
        let jump_if = ins.op == Op::JumpIfTrueBool;
        if let Some(b) = self.peek(0).as_bool() {
            self.hit(ins);
            self.drop_n(1);
            self.note_branch(ins, b == jump_if);
            if b == jump_if {
                self.jump_to(ins.a);
            }
            return Ok(());
        }
        self.miss(ins);
        self.cond_jump(ins, jump_if)
    }

    /// `JumpIfFalseInt`, `JumpIfTrueInt`: guard: an inline int (zero is false).
    #[inline(always)]
    pub fn jump_if_int(&mut self, ins: Instr) -> Result<(), Exception> {
        let jump_if = ins.op == Op::JumpIfTrueInt;
        let v = self.peek(0);
        if v.is_small_int() {
            self.hit(ins);
            self.drop_n(1);
            let jumped = (v.small_int_unchecked() != 0) == jump_if;
            self.note_branch(ins, jumped);
            if jumped {
                self.jump_to(ins.a);
            }
            return Ok(());
        }
        self.miss(ins);
        self.cond_jump(ins, jump_if)
    }

    /// `JumpIfFalseOrPop`, `JumpIfTrueOrPop`.
    #[inline(always)]
    pub fn jump_or_pop(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.peek(0);
        let truthy = ops::truthy(&mut self.core.heap, self.sem, v)?;
        if truthy == (ins.op == Op::JumpIfTrueOrPop) {
            self.jump_to(ins.a);
        } else {
            self.drop_n(1);
        }
        Ok(())
    }

    /// `CheckIntBound`.
    #[inline(always)]
    pub fn check_int_bound(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.peek(ins.a as usize);
        if !self.core.heap.is_int(v) {
            return Err(self.sem.bad_for_bound(&mut self.core.heap, v));
        }
        Ok(())
    }

    /// The counter and end of the counted loop whose slots `ins.b` names.
    #[inline(always)]
    fn loop_bounds(&self, ins: Instr) -> (Value, Value) {
        // The verifier checked `b + 1 < num_locals`.
        let slot = ins.b as u32;
        (self.local(slot), self.local(slot + 1))
    }

    /// One step of a counted loop whose bounds are not both inline (checked to be ints
    /// by `CheckIntBound`): `Some(i)` continues with `i`, `None` leaves the loop.
    #[inline(always)]
    fn boxed_range_step(&mut self, ins: Instr, cv: Value, ev: Value) -> Option<Value> {
        let c = self.core.heap.as_i64(cv).unwrap_or(0);
        let e = self.core.heap.as_i64(ev).unwrap_or(0);
        if c < e {
            let next = self.core.heap.int(c + 1);
            self.set_local(ins.b as u32, next);
            Some(cv)
        } else {
            None
        }
    }

    /// `ForRange`.
    #[inline(always)]
    pub fn for_range(&mut self, ins: Instr) {
        let (cv, ev) = self.loop_bounds(ins);
        if Value::both_small_ints(cv, ev) {
            let c = cv.small_int_unchecked();
            if c < ev.small_int_unchecked() {
                self.push(cv);
                // `c < end <= SMALL_INT_MAX`, so `c + 1` is still inline.
                self.set_local(ins.b as u32, Value::small_int(c + 1));
            } else {
                self.jump_to(ins.a);
            }
            return;
        }
        match self.boxed_range_step(ins, cv, ev) {
            Some(v) => self.push(v),
            None => self.jump_to(ins.a),
        }
    }

    /// `ForRangeStore`: `ForRange; StoreLocal x` with inline bounds; otherwise what
    /// `ForRange` does (the `StoreLocal` then runs as itself).
    #[inline(always)]
    pub fn for_range_store(&mut self, ins: Instr) {
        let (cv, ev) = self.loop_bounds(ins);
        if Value::both_small_ints(cv, ev) {
            let c = cv.small_int_unchecked();
            if c < ev.small_int_unchecked() {
                self.hit(ins);
                let store = self.absorbed(0);
                self.set_local(store.a, cv);
                // `c < end <= SMALL_INT_MAX`, so `c + 1` is still inline.
                self.set_local(ins.b as u32, Value::small_int(c + 1));
                self.skip(1);
            } else {
                self.jump_to(ins.a);
            }
            return;
        }
        match self.boxed_range_step(ins, cv, ev) {
            Some(v) => self.push(v),
            None => self.jump_to(ins.a),
        }
    }

    /// `GetIter`.
    #[inline(always)]
    pub fn get_iter(&mut self) -> Result<(), Exception> {
        let v = self.peek(0);
        let it = ops::get_iter(&mut self.core.heap, self.sem, v)?;
        self.set_peek(0, it);
        Ok(())
    }

    /// Advances the iterator `it` on top of the stack the generic way: the core's own
    /// iterators inline, others through the frontend (which may run guest code; the
    /// iterator stays on the stack, rooted); pushes the next item, or pops the iterator
    /// and leaves the loop.
    #[inline(always)]
    pub fn generic_for_iter(&mut self, ins: Instr, it: Value) -> Result<(), Exception> {
        let next = match ops::core_iter_next(&mut self.core.heap, it) {
            Some(r) => r,
            None => {
                self.before_call_out();
                self.sem.iter_next(self.core, it)?
            }
        };
        match next {
            Some(v) => self.push(v),
            None => {
                self.drop_n(1);
                self.jump_to(ins.a);
            }
        }
        Ok(())
    }

    /// `ForIter`.
    #[inline(always)]
    pub fn for_iter(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        let it = self.peek(0);
        self.generic_for_iter(ins, it)
    }

    /// `ForIterRange`, `ForIterSeq`: guard: the core's range or sequence iterator.
    #[inline(always)]
    pub fn for_iter_specialized(&mut self, ins: Instr) -> Result<(), Exception> {
        let it = self.peek(0);
        let guard = matches!(
            (ins.op, self.core.heap.get(it)),
            (Op::ForIterRange, Some(Obj::RangeIter(_))) | (Op::ForIterSeq, Some(Obj::SeqIter(_)))
        );
        if guard {
            self.hit(ins);
        } else {
            self.miss(ins);
        }
        self.generic_for_iter(ins, it)
    }

    /// `ForIterRangeStore`, `ForIterSeqStore`: the iterator step with the item going
    /// straight into the absorbed `StoreLocal`'s local.
    #[inline(always)]
    pub fn for_iter_store(&mut self, ins: Instr) -> Result<(), Exception> {
        let it = self.peek(0);
        let next = match (ins.op, self.core.heap.get(it)) {
            (Op::ForIterRangeStore, Some(Obj::RangeIter(r))) => match r.advance() {
                Some(i) => match Value::try_small_int(i) {
                    Some(v) => Some(Some(v)),
                    // A value outside the inline range was consumed by `advance`; hand
                    // it over boxed rather than lose it.
                    None => Some(Some(self.core.heap.int(i))),
                },
                None => Some(None),
            },
            (Op::ForIterSeqStore, Some(Obj::SeqIter(_))) => {
                ops::core_iter_next(&mut self.core.heap, it)
            }
            _ => None,
        };
        match next {
            Some(Some(v)) => {
                self.hit(ins);
                let store = self.absorbed(0);
                self.set_local(store.a, v);
                self.skip(1);
                Ok(())
            }
            Some(None) => {
                self.hit(ins);
                self.drop_n(1);
                self.jump_to(ins.a);
                Ok(())
            }
            None => {
                self.miss(ins);
                self.generic_for_iter(ins, it)
            }
        }
    }
}
