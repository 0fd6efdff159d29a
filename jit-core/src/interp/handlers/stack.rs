//! Handlers for constants, locals, globals and cells, and the type-independent pairs
//! tier 1 fuses from them (`LoadLocalLoadLocal`, `StoreLocalStoreLocal`, ...).

use crate::bytecode::{Instr, Op};
use crate::heap::Obj;
use crate::interp::exec::Exec;
use crate::interp::local_name;
use crate::semantics::{Exception, Semantics};
use crate::value::Value;

impl<S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
    Exec<'_, S, ADAPTIVE, STATS, TRACE>
{
    /// `LoadGlobal`: an empty slot asks the frontend, and tier 1 caches what it gave (a
    /// builtin) for as long as the slot stays empty.
    #[inline(always)]
    pub fn load_global(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.global(ins.a);
        if !v.is_empty() {
            self.push(v);
            return Ok(());
        }
        let name = &self.core.module.global_names[ins.a as usize];
        let r = self.sem.global_empty(&mut self.core.heap, name)?;
        self.specialize_after(ins, || Some((Op::LoadGlobalBuiltin, 0, r.to_bits())));
        self.push(r);
        Ok(())
    }

    /// `LoadGlobalBuiltin`: guard: the slot is still empty; action: push the cached value.
    #[inline(always)]
    pub fn load_global_builtin(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.global(ins.a);
        if v.is_empty() {
            self.hit(ins);
            // SAFETY: the cache holds the bits of the value `global_empty` returned when
            // the instruction specialized (`load_global`); that value is a builtin the
            // frontend keeps alive (it reports its builtins in `trace_roots`).
            self.push(unsafe { Value::from_bits(self.cache(ins).get().data) });
            return Ok(());
        }
        self.miss(ins);
        self.push(v);
        Ok(())
    }

    /// `LoadLocalChecked`: an empty local is the frontend's unbound-local error.
    #[inline(always)]
    pub fn load_local_checked(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.local(ins.a);
        if v.is_empty() {
            return Err(self.sem.unbound_local(local_name(self.code(), ins.a)));
        }
        self.push(v);
        Ok(())
    }

    /// `MakeCell`.
    #[inline(always)]
    pub fn make_cell(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.local(ins.a);
        let cell = self.core.heap.alloc(Obj::Cell(core::cell::Cell::new(v)));
        self.set_local(ins.a, cell);
        Ok(())
    }

    /// `LoadDeref`.
    #[inline(always)]
    pub fn load_deref(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = match self.core.heap.get(self.local(ins.a)) {
            Some(Obj::Cell(cell)) => cell.get(),
            _ => Value::EMPTY,
        };
        if v.is_empty() {
            return Err(self.sem.unbound_free(local_name(self.code(), ins.a)));
        }
        self.push(v);
        Ok(())
    }

    /// `StoreDeref`.
    #[inline(always)]
    pub fn store_deref(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.pop();
        match self.core.heap.get(self.local(ins.a)) {
            Some(Obj::Cell(cell)) => {
                cell.set(v);
                Ok(())
            }
            _ => Err(Exception::msg("internal error: StoreDeref on a non-cell")),
        }
    }

    /// `CopyFreeVars`: copies the running function's cells into locals `a ..`.
    #[inline(always)]
    pub fn copy_free_vars(&mut self, ins: Instr) -> Result<(), Exception> {
        if self.locals == self.stack {
            return Err(Exception::msg(
                "internal error: free variables in the entry code",
            ));
        }
        // SAFETY: a frame other than the entry frame (checked just above) has its callee
        // value just below its locals, inside the caller's operand stack.
        let f = unsafe { *self.locals.sub(1) };
        let first = ins.a;
        let nl = self.code().num_locals;
        let Some(func) = self.core.heap.as_function(f) else {
            return Err(Exception::msg("internal error: bad free variables"));
        };
        let cells = func.cells();
        if first as usize + cells.len() > nl as usize {
            return Err(Exception::msg("internal error: bad free variables"));
        }
        for (i, &c) in cells.iter().enumerate() {
            // `first + i < num_locals`, checked just above.
            self.set_local(first + i as u32, c);
        }
        Ok(())
    }

    /// The type-independent pairs: both instructions' work, then skips the absorbed one.
    #[inline(always)]
    pub fn fused_pair(&mut self, ins: Instr) {
        let next = self.absorbed(0);
        match ins.op {
            Op::StoreLocalStoreLocal => {
                let (first, second) = (self.peek(0), self.peek(1));
                self.set_local(ins.a, first);
                self.set_local(next.a, second);
                self.drop_n(2);
            }
            Op::StoreLocalLoadLocal => {
                let v = self.pop();
                self.set_local(ins.a, v);
                self.push(self.local(next.a));
            }
            Op::LoadLocalLoadInt => {
                self.push(self.local(ins.a));
                self.push(Value::small_int(next.a as i32 as i64));
            }
            Op::LoadLocalLoadConst => {
                self.push(self.local(ins.a));
                self.push(self.konst(next.a));
            }
            Op::LoadConstLoadLocal => {
                self.push(self.konst(ins.a));
                self.push(self.local(next.a));
            }
            _ => {
                self.push(self.local(ins.a));
                self.push(self.local(next.a));
            }
        }
        self.skip(1);
    }
}
