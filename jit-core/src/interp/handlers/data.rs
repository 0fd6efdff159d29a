//! Handlers for data: indexing and its specialized forms, unpacking, building arrays,
//! tuples, maps, slices and strings, list and map displays, attributes, membership,
//! imports and raising. Operands stay on the stack (rooted) while a slow path that may
//! run guest code and collect is running, and are dropped only afterwards.

use crate::bytecode::{Instr, Op};
use crate::heap::Obj;
use crate::interp::exec::Exec;
use crate::ops;
use crate::semantics::{Exception, Semantics};
use crate::tier1::{SEEN_ARRAY, SEEN_TUPLE};
use crate::value::Value;

impl<S: Semantics, const ADAPTIVE: bool, const STATS: bool, const TRACE: bool>
    Exec<'_, S, ADAPTIVE, STATS, TRACE>
{
    /// `Index`.
    #[inline(always)]
    pub fn index(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        self.generic_index()
    }

    /// The generic `Index` of the two top values.
    #[inline(always)]
    fn generic_index(&mut self) -> Result<(), Exception> {
        let (c, i) = (self.peek(1), self.peek(0));
        let r = ops::index(&mut self.core.heap, self.sem, c, i)?;
        self.drop_n(1);
        self.set_peek(0, r);
        Ok(())
    }

    /// `IndexArrayInt`, `IndexTupleInt`, `IndexHost`.
    #[inline(always)]
    pub fn index_specialized(&mut self, ins: Instr) -> Result<(), Exception> {
        let (c, i) = (self.peek(1), self.peek(0));
        let heap = &self.core.heap;
        let k = || i.as_small_int().and_then(|k| usize::try_from(k).ok());
        let item = match (ins.op, heap.get(c)) {
            (Op::IndexArrayInt, Some(Obj::Array(a))) => k().and_then(|k| a.get(k)),
            (Op::IndexTupleInt, Some(Obj::Tuple(t))) => k().and_then(|k| t.get(k).copied()),
            (Op::IndexHost, Some(Obj::Host(h))) => h.index_get(heap, i),
            _ => None,
        };
        if let Some(v) = item {
            self.hit(ins);
            self.drop_n(1);
            self.set_peek(0, v);
            return Ok(());
        }
        self.miss(ins);
        self.generic_index()
    }

    /// `LoadLocalIndex`: `LoadLocal a; Index` with an array or tuple on top and local `a`
    /// an in-bounds inline int; otherwise just the `LoadLocal`.
    #[inline(always)]
    pub fn fused_local_index(&mut self, ins: Instr) {
        let i = self.local(ins.a);
        let c = self.peek(0);
        if let Some(k) = i.as_small_int().and_then(|k| usize::try_from(k).ok()) {
            let item = match self.core.heap.get(c) {
                Some(Obj::Array(a)) => a.get(k).map(|v| (v, SEEN_ARRAY)),
                Some(Obj::Tuple(t)) => t.get(k).map(|&v| (v, SEEN_TUPLE)),
                _ => None,
            };
            if let Some((v, kind)) = item {
                self.hit(ins);
                self.note_seen(kind);
                self.set_peek(0, v);
                self.skip(1);
                return;
            }
        }
        self.push(i);
    }

    /// The positions of container, index and value for a store: `StoreIndex` is
    /// `[c, i, v]`, `StoreSubscr` (CPython's order) `[v, c, i]`.
    #[inline(always)]
    fn store_operands(&self, op: Op) -> (Value, Value, Value) {
        if op.family() == Op::StoreIndex {
            (self.peek(2), self.peek(1), self.peek(0))
        } else {
            (self.peek(1), self.peek(0), self.peek(2))
        }
    }

    /// The generic store.
    #[inline(always)]
    fn generic_store_index(&mut self, op: Op) -> Result<(), Exception> {
        let (c, i, v) = self.store_operands(op);
        ops::store_index(&mut self.core.heap, self.sem, c, i, v)?;
        self.drop_n(3);
        Ok(())
    }

    /// `StoreIndex`, `StoreSubscr`.
    #[inline(always)]
    pub fn store_index(&mut self, ins: Instr) -> Result<(), Exception> {
        self.adapt(ins);
        self.generic_store_index(ins.op)
    }

    /// `StoreIndexArrayInt`, `StoreSubscrArrayInt`: guard: an array and an in-bounds
    /// inline int.
    #[inline(always)]
    pub fn store_index_array_int(&mut self, ins: Instr) -> Result<(), Exception> {
        let (c, i, v) = self.store_operands(ins.op);
        if let (Some(arr), Some(k)) = (self.core.heap.as_array(c), i.as_small_int()) {
            if k >= 0 && arr.set(k as usize, v) {
                self.hit(ins);
                self.drop_n(3);
                return Ok(());
            }
        }
        self.miss(ins);
        self.generic_store_index(ins.op)
    }

    /// `DeleteIndex`.
    #[inline(always)]
    pub fn delete_index(&mut self) -> Result<(), Exception> {
        let (c, i) = (self.peek(1), self.peek(0));
        self.sem.delete_index(&mut self.core.heap, c, i)?;
        self.drop_n(2);
        Ok(())
    }

    /// `UnpackSequence` and its forms: `UnpackTuple`, `UnpackArray` (guard: the kind and
    /// exactly `a` items) and `UnpackStore` (the items go straight into the locals of the
    /// `a` stores it absorbs; otherwise they are left on the stack for those stores).
    #[inline(always)]
    pub fn unpack(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.peek(0);
        let n = ins.a as usize;
        if ins.op == Op::UnpackStore {
            // SAFETY: the verifier checked that `n` `StoreLocal`s with valid locals
            // follow an `UnpackStore`, and `ip` points at the first.
            if unsafe { ops::unpack_to_locals(&self.core.heap, v, n, self.ip, self.locals) } {
                self.hit(ins);
                self.drop_n(1);
                self.skip(n);
                return Ok(());
            }
        } else if ins.op == Op::UnpackSequence {
            self.adapt(ins);
        }
        let guard = matches!(
            (ins.op, self.core.heap.get(v)),
            (Op::UnpackSequence | Op::UnpackStore, _)
                | (Op::UnpackTuple, Some(Obj::Tuple(_)))
                | (Op::UnpackArray, Some(Obj::Array(_)))
        );
        // SAFETY: the instruction's stack effect is `1 -> n`, so the verifier proved `n`
        // slots from the operand's own fit in the frame.
        let dst = unsafe { core::slice::from_raw_parts_mut(self.sp.sub(1), n) };
        let done = guard && ops::unpack_exact(&self.core.heap, v, dst);
        if matches!(ins.op, Op::UnpackTuple | Op::UnpackArray) {
            if done {
                self.hit(ins);
            } else {
                self.miss(ins);
            }
        }
        if done {
            // SAFETY: as above: the `n` slots from the operand's are written.
            self.sp = unsafe { self.sp.sub(1).add(n) };
            return Ok(());
        }
        // The general path may run guest code (an iterator) and collect: the sequence
        // stays on the stack, rooted, until its items are taken.
        self.before_call_out();
        let items = ops::unpack(self.core, self.sem, v, n)?;
        self.drop_n(1);
        for &x in items.iter().rev() {
            self.push(x);
        }
        Ok(())
    }

    /// `BuildArray`: into a recycled buffer when the heap has one.
    #[inline(always)]
    pub fn build_array(&mut self, ins: Instr) {
        let items = self.top(ins.a as usize);
        let mut buf = self.core.heap.take_vec(items.len());
        buf.extend_from_slice(items);
        let v = self.core.heap.array(buf);
        self.replace_top(items.len(), v);
    }

    /// Replaces the top `n` values by `v`.
    #[inline(always)]
    fn replace_top(&mut self, n: usize, v: Value) {
        self.drop_n(n);
        self.push(v);
    }

    /// `BuildTuple`.
    #[inline(always)]
    pub fn build_tuple(&mut self, ins: Instr) {
        let n = ins.a as usize;
        let items = self.top(n);
        let v = self.core.heap.tuple_of(items);
        self.replace_top(n, v);
    }

    /// `BuildMap`.
    #[inline(always)]
    pub fn build_map(&mut self, ins: Instr) -> Result<(), Exception> {
        let n = ins.a as usize * 2;
        let pairs = self.top(n);
        let v = self.sem.build_map(&mut self.core.heap, pairs)?;
        self.replace_top(n, v);
        Ok(())
    }

    /// `BuildMapConstKeys`.
    #[inline(always)]
    pub fn build_map_const_keys(&mut self, ins: Instr) -> Result<(), Exception> {
        let n = ins.a as usize;
        let keys = self.peek(0);
        let values = &self.top(n + 1)[..n];
        let v = ops::build_map_const_keys(&mut self.core.heap, self.sem, keys, values)?;
        self.replace_top(n + 1, v);
        Ok(())
    }

    /// `BuildSlice`.
    #[inline(always)]
    pub fn build_slice(&mut self, ins: Instr) -> Result<(), Exception> {
        let n = ins.a as usize;
        let parts = self.top(n);
        let v = self.sem.build_slice(&mut self.core.heap, parts)?;
        self.replace_top(n, v);
        Ok(())
    }

    /// `BuildString`.
    #[inline(always)]
    pub fn build_string(&mut self, ins: Instr) -> Result<(), Exception> {
        let n = ins.a as usize;
        let parts = self.top(n);
        let v = ops::build_string(&mut self.core.heap, parts)?;
        self.replace_top(n, v);
        Ok(())
    }

    /// `FormatValue`: a plain string is its own format; the rest goes to the frontend,
    /// which may run guest code (the value and spec stay rooted).
    #[inline(always)]
    pub fn format_value(&mut self, ins: Instr) -> Result<(), Exception> {
        let has_spec = ins.a & 4 != 0;
        let spec = has_spec.then(|| self.peek(0));
        let v = self.peek(has_spec as usize);
        let conversion = ins.a & 3;
        let r = if conversion == 0 && spec.is_none() && self.core.heap.as_str(v).is_some() {
            v
        } else {
            self.before_call_out();
            self.sem.format_value(self.core, v, conversion, spec)?
        };
        self.replace_top(1 + has_spec as usize, r);
        Ok(())
    }

    /// `ListAppend`.
    #[inline(always)]
    pub fn list_append(&mut self, ins: Instr) -> Result<(), Exception> {
        let v = self.pop();
        match self.core.heap.as_array(self.peek(ins.a as usize - 1)) {
            Some(a) => {
                a.push(v);
                Ok(())
            }
            None => Err(Exception::msg("internal error: ListAppend to a non-list")),
        }
    }

    /// `ListExtend`: a core sequence inline, anything else through the frontend (which
    /// may run guest code; the iterable stays rooted).
    #[inline(always)]
    pub fn list_extend(&mut self, ins: Instr) -> Result<(), Exception> {
        let src = self.peek(0);
        let list = self.peek(ins.a as usize);
        let items = ops::core_sequence(&self.core.heap, src);
        match (self.core.heap.as_array(list), items) {
            (Some(a), Some(items)) => a.extend_from_slice(&items),
            _ => {
                self.before_call_out();
                self.sem.list_extend(self.core, list, src)?;
            }
        }
        self.drop_n(1);
        Ok(())
    }

    /// `MapAdd`.
    #[inline(always)]
    pub fn map_add(&mut self, ins: Instr) -> Result<(), Exception> {
        let (k, v) = (self.peek(1), self.peek(0));
        let map = self.peek(ins.a as usize + 1);
        self.sem.map_add(&mut self.core.heap, map, k, v)?;
        self.drop_n(2);
        Ok(())
    }

    /// `ListToTuple`.
    #[inline(always)]
    pub fn list_to_tuple(&mut self) -> Result<(), Exception> {
        let list = self.peek(0);
        let r = ops::list_to_tuple(&mut self.core.heap, list)?;
        self.set_peek(0, r);
        Ok(())
    }

    /// `LoadAttr`.
    #[inline(always)]
    pub fn load_attr(&mut self, ins: Instr) -> Result<(), Exception> {
        let name = self.const_name(ins.a);
        let obj = self.peek(0);
        let r = self.sem.load_attr(&mut self.core.heap, obj, name)?;
        self.set_peek(0, r);
        Ok(())
    }

    /// `StoreAttr`.
    #[inline(always)]
    pub fn store_attr(&mut self, ins: Instr) -> Result<(), Exception> {
        let (v, obj) = (self.peek(1), self.peek(0));
        let name = self.const_name(ins.a);
        self.sem.store_attr(&mut self.core.heap, obj, name, v)?;
        self.drop_n(2);
        Ok(())
    }

    /// `ContainsOp`: through the frontend, which may run guest code (both operands stay
    /// rooted).
    #[inline(always)]
    pub fn contains(&mut self, ins: Instr) -> Result<(), Exception> {
        let (x, c) = (self.peek(1), self.peek(0));
        self.before_call_out();
        let r = self.sem.contains(self.core, c, x)?;
        self.drop_n(1);
        self.set_peek(0, Value::bool(r != (ins.a == 1)));
        Ok(())
    }

    /// `Import`.
    #[inline(always)]
    pub fn import(&mut self, ins: Instr) -> Result<(), Exception> {
        let name = self.const_name(ins.a);
        let m = self.sem.import(&mut self.core.heap, name)?;
        self.push(m);
        Ok(())
    }

    /// `Raise`: the frontend's exception built from the top `a` values.
    #[inline(always)]
    pub fn raise(&mut self, ins: Instr) -> Exception {
        let args = self.top(ins.a as usize);
        self.sem.raise(&mut self.core.heap, args)
    }
}
