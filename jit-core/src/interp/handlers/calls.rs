//! Handlers for calls: guest functions (a frame push, no Rust recursion), builtins,
//! keyword and method calls, their specialized forms, and function creation.

use alloc::vec::Vec;

use crate::bytecode::{Code, CodeId, Instr};
use crate::heap::Obj;
use crate::interp::exec::Exec;
use crate::ops;
use crate::semantics::{Exception, Semantics};
use crate::value::Value;

/// What a call instruction found in its callee slot.
enum CallTarget {
    Guest(CodeId),
    Native(u32),
    Other,
}

impl<S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
    Exec<'_, S, ADAPTIVE, STATS, TRACE>
{
    /// `Call`.
    #[inline(always)]
    pub fn call(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        self.generic_call(ins)
    }

    /// Replaces the `argc` arguments on top of the stack by the `bound` argument slots
    /// the frontend computed (more or fewer values), checking they fit in the stack.
    #[inline(always)]
    fn rebind_args(
        &mut self,
        argc: usize,
        bound: Vec<Value>,
        callee: &Code,
    ) -> Result<usize, Exception> {
        let n = bound.len();
        if n > callee.num_locals as usize {
            return Err(Exception::msg("internal error: more arguments than locals"));
        }
        self.drop_n(argc);
        if self.height() + n > self.core.stack_cap {
            return Err(self.sem.stack_overflow());
        }
        for (i, v) in bound.into_iter().enumerate() {
            // SAFETY: `height + n <= stack_cap` was checked just above, so the `n` slots
            // from `sp` are inside the value stack (above the caller's operands; the
            // callee's frame is checked against `stack_cap` again when it is entered).
            unsafe { *self.sp.add(i) = v };
        }
        // SAFETY: as above; the `n` slots are now initialized.
        self.sp = unsafe { self.sp.add(n) };
        Ok(n)
    }

    /// Replaces the callee slot and the `argc` arguments above it by `r`.
    #[inline(always)]
    fn finish_call(&mut self, argc: usize, r: Value) {
        self.drop_n(argc);
        self.set_peek(0, r);
    }

    /// The generic call: a guest function gets a frame (its arguments bound by the
    /// frontend unless they match its parameters exactly), a builtin or any other
    /// callable goes to the frontend, with callee and arguments rooted on the stack.
    #[inline(always)]
    pub fn generic_call(&mut self, ins: Instr) -> Result<(), Exception> {
        let argc = ins.a as usize;
        let callee = self.peek(argc);
        let target = match self.core.heap.get(callee) {
            Some(Obj::Function(f)) => CallTarget::Guest(f.code),
            Some(Obj::Native(n)) => CallTarget::Native(n.id),
            _ => CallTarget::Other,
        };
        let args = self.top(argc);
        match target {
            CallTarget::Guest(code_id) => {
                let Some(callee_code) = self.code_at(code_id) else {
                    return Err(Exception::msg("internal error: call of an unknown code"));
                };
                if callee_code.takes_exactly(argc) {
                    return self.enter(code_id, callee_code, argc);
                }
                let params = callee_code.arg_slots() as usize;
                let bound =
                    self.sem
                        .bind_arguments(&mut self.core.heap, callee, callee_code, args)?;
                if bound.len() != params {
                    return Err(Exception::msg(
                        "internal error: bind_arguments returned the wrong count",
                    ));
                }
                let n = self.rebind_args(argc, bound, callee_code)?;
                self.enter(code_id, callee_code, n)
            }
            CallTarget::Native(id) => {
                self.before_call_out();
                let r = self.sem.call_native(self.core, id, args)?;
                self.finish_call(argc, r);
                Ok(())
            }
            CallTarget::Other => {
                self.before_call_out();
                let r = self.sem.call_slow(self.core, callee, args)?;
                self.finish_call(argc, r);
                Ok(())
            }
        }
    }

    /// `CallFunctionExact`: guard: the callee is the function whose code is cached;
    /// action: enter it with the arguments in place.
    #[inline(always)]
    pub fn call_function_exact(&mut self, ins: Instr) -> Result<(), Exception> {
        let argc = ins.a as usize;
        let want = self.cache(ins).get().aux;
        if let Some(f) = self.core.heap.as_function(self.peek(argc)) {
            if f.code == want {
                self.hit(ins);
                // SAFETY: `want` was looked up in `module.codes` when the instruction
                // specialized (`tier1::specialize`), and code objects are never removed.
                let callee = unsafe { &*self.codes.add(want as usize) };
                return self.enter(want, callee, argc);
            }
        }
        self.miss(ins);
        self.generic_call(ins)
    }

    /// `CallNative`: guard: the callee is a builtin.
    #[inline(always)]
    pub fn call_native(&mut self, ins: Instr) -> Result<(), Exception> {
        let argc = ins.a as usize;
        let native = match self.core.heap.get(self.peek(argc)) {
            Some(Obj::Native(n)) => Some(n.id),
            _ => None,
        };
        if let Some(id) = native {
            self.hit(ins);
            let args = self.top(argc);
            self.before_call_out();
            let r = self.sem.call_native(self.core, id, args)?;
            self.finish_call(argc, r);
            return Ok(());
        }
        self.miss(ins);
        self.generic_call(ins)
    }

    /// `CallKw`: the names tuple on top names the last arguments.
    #[inline(always)]
    pub fn call_kw(&mut self, ins: Instr) -> Result<(), Exception> {
        let argc = ins.a as usize;
        let kwnames = self.peek(0);
        let callee = self.peek(argc + 1);
        // The arguments below the names tuple.
        let args = &self.top(argc + 1)[..argc];
        let guest = match self.core.heap.get(callee) {
            Some(Obj::Function(f)) => Some(f.code),
            _ => None,
        };
        let guest = guest.and_then(|id| self.code_at(id).map(|c| (id, c)));
        match guest {
            Some((code_id, callee_code)) => {
                let want = callee_code.arg_slots() as usize;
                let bound = self.sem.bind_keywords(
                    &mut self.core.heap,
                    callee,
                    callee_code,
                    args,
                    kwnames,
                )?;
                if bound.len() != want {
                    return Err(Exception::msg(
                        "internal error: bind_keywords returned the wrong count",
                    ));
                }
                let n = self.rebind_args(argc + 1, bound, callee_code)?;
                self.enter(code_id, callee_code, n)
            }
            None => {
                self.before_call_out();
                let r = self.sem.call_kw(self.core, callee, args, kwnames)?;
                self.finish_call(argc + 1, r);
                Ok(())
            }
        }
    }

    /// `CallMethod`, `CallMethodKw`: the frontend looks the method up and calls it.
    #[inline(always)]
    pub fn call_method(&mut self, ins: Instr) -> Result<(), Exception> {
        let with_names = ins.op == crate::bytecode::Op::CallMethodKw;
        let extra = with_names as usize;
        let kwnames = with_names.then(|| self.peek(0));
        let argc = (ins.a & 0xFF) as usize;
        let name = self.const_name(ins.a >> 8);
        let obj = self.peek(argc + extra);
        let args = &self.top(argc + extra)[..argc];
        self.before_call_out();
        let r = self.sem.call_method(self.core, obj, name, args, kwnames)?;
        self.finish_call(argc + extra, r);
        Ok(())
    }

    /// `MakeFunction`: the flags in `b` say which optional values are on the stack.
    #[inline(always)]
    pub fn make_function(&mut self, ins: Instr) {
        let cells = (ins.b & 8 != 0).then(|| self.pop());
        let kwdefaults = (ins.b & 2 != 0).then(|| self.pop());
        let defaults = (ins.b & 1 != 0).then(|| self.pop());
        let f = ops::make_function(&mut self.core.heap, ins.a, defaults, kwdefaults, cells);
        self.push(f);
    }
}
