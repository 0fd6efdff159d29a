//! Translation of CPython 3.11 code objects into `jit-core` bytecode.
//!
//! Each CPython code object becomes one core code object (the module's is the entry).
//! Two passes per code object:
//!
//! 1. An abstract interpretation over CPython's control-flow graph computes, before
//!    every reachable instruction, the shape of CPython's value stack and the locals
//!    that are definitely assigned. The stack shape matters because CPython 3.11 keeps
//!    markers on its stack that have no core counterpart: the `NULL` of `PUSH_NULL` and
//!    `LOAD_GLOBAL`, the method half of `LOAD_METHOD`, and code objects waiting for
//!    `MAKE_FUNCTION`. The core stack holds only real values.
//! 2. Emission, instruction by instruction in CPython's order, using those states:
//!    `LOAD_METHOD .. CALL` becomes `CallMethod`, `PUSH_NULL .. CALL` becomes `Call`,
//!    a load of a definitely assigned local becomes `LoadLocal` (others `LoadLocalChecked`),
//!    backward conditional jumps become a forward conditional jump over a backward `Jump`.
//!
//! Anything not supported yet (classes, exceptions, generators, ...) is an error naming
//! the construct and its source line, before the program starts.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use jit_core::bytecode::{BinOp, CmpOp, Code, CodeId, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::Heap;
use jit_core::value::Value;
use num_bigint::BigInt;

use crate::marshal::{CodeObject, Obj, CO_VARARGS, CO_VARKEYWORDS};
use crate::opcodes as py;

/// Makes the constants whose representation belongs to the Python runtime.
pub trait ConstFactory {
    /// An int that does not fit in an `i64`.
    fn big_int(&mut self, heap: &mut Heap, v: &BigInt) -> Value;
    /// A frozenset of `items` (constant `x in {1, 2, 3}` tests).
    fn frozenset(&mut self, heap: &mut Heap, items: Vec<Value>) -> Value;
}

/// Why a program cannot be translated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslateError {
    /// The source line of the offending construct (0 when unknown).
    pub line: u32,
    /// What is not supported, or what is malformed.
    pub message: String,
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

/// Translates the module code object `module` (and every code object nested in its
/// constants) into a core module whose constants live in `heap`.
pub fn translate(
    module: &Rc<CodeObject>,
    heap: &mut Heap,
    factory: &mut dyn ConstFactory,
) -> Result<Module, TranslateError> {
    let mut codes: Vec<Rc<CodeObject>> = Vec::new();
    let mut ids: HashMap<*const CodeObject, CodeId> = HashMap::new();
    collect_codes(module, &mut codes, &mut ids, 0)?;
    let mut globals = Globals::default();
    let mut out = Vec::with_capacity(codes.len());
    for (i, co) in codes.iter().enumerate() {
        let is_module = i == 0;
        out.push(CodeTranslator::new(co, &ids, &mut globals, heap, factory, is_module).run()?);
    }
    let n = globals.names.len();
    Ok(Module {
        file_name: module.filename.to_string(),
        codes: out,
        global_names: globals.names,
        global_init: vec![Value::EMPTY; n],
        entry: 0,
    })
}

fn collect_codes(
    co: &Rc<CodeObject>,
    codes: &mut Vec<Rc<CodeObject>>,
    ids: &mut HashMap<*const CodeObject, CodeId>,
    depth: usize,
) -> Result<(), TranslateError> {
    if depth > 200 {
        return Err(TranslateError {
            line: 0,
            message: "functions nest too deeply".into(),
        });
    }
    if ids.contains_key(&Rc::as_ptr(co)) {
        return Ok(());
    }
    ids.insert(Rc::as_ptr(co), codes.len() as CodeId);
    codes.push(co.clone());
    for c in co.consts.iter() {
        if let Obj::Code(inner) = c {
            collect_codes(inner, codes, ids, depth + 1)?;
        }
    }
    Ok(())
}

/// The module's global slots, shared by every code object.
#[derive(Default)]
struct Globals {
    names: Vec<String>,
    slots: HashMap<String, u32>,
}

impl Globals {
    fn slot(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.slots.get(name) {
            return s;
        }
        let s = self.names.len() as u32;
        self.names.push(name.to_string());
        self.slots.insert(name.to_string(), s);
        s
    }
}

/// One decoded CPython instruction.
#[derive(Clone, Copy, Debug)]
struct PyInstr {
    /// Code-unit index of the opcode (after any `EXTENDED_ARG` prefix).
    unit: usize,
    opcode: u8,
    arg: u32,
    /// Code-unit index of the next instruction (after the inline caches).
    next: usize,
}

/// What occupies a slot of CPython's value stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A real value, on the core stack too.
    Value,
    /// The `NULL` of `PUSH_NULL`/`LOAD_GLOBAL`: no core slot.
    Null,
    /// The method half of `LOAD_METHOD` (its name is `co_names[n]`): no core slot.
    Method(u32),
    /// A code object waiting for `MAKE_FUNCTION`: no core slot.
    Code(CodeId),
}

/// The abstract state before an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    stack: Vec<Slot>,
    /// Locals definitely assigned here.
    assigned: Vec<bool>,
    /// The `KW_NAMES` constant waiting for the next `CALL`.
    kw_names: Option<u32>,
}

impl State {
    /// Merges `other` into `self`; true when `self` changed.
    fn merge(&mut self, other: &State) -> Result<bool, String> {
        if self.stack != other.stack {
            return Err("the stack differs between two paths (unsupported control flow)".into());
        }
        let mut changed = false;
        for (a, &b) in self.assigned.iter_mut().zip(&other.assigned) {
            if *a && !b {
                *a = false;
                changed = true;
            }
        }
        if self.kw_names != other.kw_names {
            return Err("keyword names differ between two paths".into());
        }
        Ok(changed)
    }

    /// How many core stack slots the top `n` CPython slots occupy.
    fn core_depth(&self, n: usize) -> Result<u32, String> {
        let len = self.stack.len();
        if n > len {
            return Err("stack underflow".into());
        }
        Ok(self.stack[len - n..]
            .iter()
            .filter(|s| **s == Slot::Value)
            .count() as u32)
    }

    fn pop(&mut self) -> Result<Slot, String> {
        self.stack
            .pop()
            .ok_or_else(|| "stack underflow".to_string())
    }

    fn pop_value(&mut self) -> Result<(), String> {
        match self.pop()? {
            Slot::Value => Ok(()),
            other => Err(format!("expected a value on the stack, found {other:?}")),
        }
    }

    fn pop_values(&mut self, n: usize) -> Result<(), String> {
        for _ in 0..n {
            self.pop_value()?;
        }
        Ok(())
    }

    fn push(&mut self) {
        self.stack.push(Slot::Value);
    }
}

/// Translates one code object.
struct CodeTranslator<'a> {
    co: &'a Rc<CodeObject>,
    ids: &'a HashMap<*const CodeObject, CodeId>,
    globals: &'a mut Globals,
    heap: &'a mut Heap,
    factory: &'a mut dyn ConstFactory,
    is_module: bool,
    instrs: Vec<PyInstr>,
    /// Instruction index of each code unit that starts an instruction.
    index_of_unit: HashMap<usize, usize>,
    lines: Vec<Loc>,
    out: Vec<Instr>,
    locs: Vec<Loc>,
    consts: Vec<Value>,
    const_of: HashMap<usize, u32>,
    str_consts: HashMap<String, u32>,
    /// Core index of each emitted CPython instruction.
    core_index: Vec<Option<u32>>,
    /// (core instruction, CPython instruction index it jumps to).
    fixups: Vec<(usize, usize)>,
}

impl<'a> CodeTranslator<'a> {
    fn new(
        co: &'a Rc<CodeObject>,
        ids: &'a HashMap<*const CodeObject, CodeId>,
        globals: &'a mut Globals,
        heap: &'a mut Heap,
        factory: &'a mut dyn ConstFactory,
        is_module: bool,
    ) -> CodeTranslator<'a> {
        CodeTranslator {
            co,
            ids,
            globals,
            heap,
            factory,
            is_module,
            instrs: Vec::new(),
            index_of_unit: HashMap::new(),
            lines: Vec::new(),
            out: Vec::new(),
            locs: Vec::new(),
            consts: Vec::new(),
            const_of: HashMap::new(),
            str_consts: HashMap::new(),
            core_index: Vec::new(),
            fixups: Vec::new(),
        }
    }

    fn err(&self, i: usize, message: impl Into<String>) -> TranslateError {
        let line = self
            .instrs
            .get(i)
            .map_or(0, |ins| self.lines.get(ins.unit).map_or(0, |l| l.line));
        TranslateError {
            line,
            message: message.into(),
        }
    }

    fn run(mut self) -> Result<Code, TranslateError> {
        let co = self.co.clone();
        let positions = co.line_table().map_err(|e| TranslateError {
            line: 0,
            message: format!("{}: bad line table: {e}", co.name),
        })?;
        self.lines = positions
            .iter()
            .map(|p| Loc {
                line: p.line.unwrap_or(0).max(0) as u32,
                col: p.col.map_or(0, |c| c.max(0) as u32 + 1),
            })
            .collect();
        self.lines.resize(co.code_units(), Loc::default());
        if !co.exceptiontable.is_empty() {
            let first = co
                .exception_table()
                .ok()
                .and_then(|t| t.first().map(|e| e.start as usize));
            let line = first.and_then(|u| self.lines.get(u)).map_or(0, |l| l.line);
            return Err(TranslateError {
                line,
                message: "try/except, with and finally are not supported yet".into(),
            });
        }
        self.decode()?;
        let states = self.analyze()?;
        self.emit_all(&states)?;
        let nlocals = co.nlocalsplus() as u32;
        let mut code = Code::new(
            co.name.to_string(),
            std::mem::take(&mut self.out),
            std::mem::take(&mut self.locs),
            std::mem::take(&mut self.consts),
            co.argcount,
            nlocals,
        );
        code.local_names = co.localsplusnames.iter().map(|n| n.to_string()).collect();
        code.local_init = Value::EMPTY;
        code.flags = co.flags;
        code.num_kwonly = co.kwonlyargcount;
        code.extra_arg_slots =
            u32::from(co.flags & CO_VARARGS != 0) + u32::from(co.flags & CO_VARKEYWORDS != 0);
        if code.arg_slots() > nlocals {
            return Err(TranslateError {
                line: 0,
                message: format!("{}: bad argument count", co.name),
            });
        }
        Ok(code)
    }

    /// Splits `co_code` into instructions, folding `EXTENDED_ARG` and skipping caches.
    fn decode(&mut self) -> Result<(), TranslateError> {
        let code = self.co.code.clone();
        let units = code.len() / 2;
        let mut u = 0;
        let mut ext: u32 = 0;
        let mut start = 0;
        while u < units {
            let (op, arg) = (code[2 * u], code[2 * u + 1]);
            if op == py::EXTENDED_ARG {
                if ext == 0 {
                    start = u;
                }
                ext = (ext << 8) | u32::from(arg);
                u += 1;
                continue;
            }
            let full = (ext << 8) | u32::from(arg);
            let from = if ext != 0 { start } else { u };
            ext = 0;
            let next = u + 1 + py::cache_entries(op);
            self.index_of_unit.insert(from, self.instrs.len());
            self.index_of_unit.insert(u, self.instrs.len());
            self.instrs.push(PyInstr {
                unit: u,
                opcode: op,
                arg: full,
                next,
            });
            u = next;
        }
        Ok(())
    }

    /// The instruction index a jump of `ins` lands on.
    fn jump_target(&self, i: usize) -> Result<usize, TranslateError> {
        let ins = self.instrs[i];
        let unit = if py::is_backward_jump(ins.opcode) {
            ins.next.checked_sub(ins.arg as usize)
        } else {
            ins.next.checked_add(ins.arg as usize)
        };
        unit.and_then(|u| self.index_of_unit.get(&u).copied())
            .ok_or_else(|| {
                self.err(
                    i,
                    format!("{} jumps outside the code", py::name(ins.opcode)),
                )
            })
    }

    /// Pass 1: the state before every reachable instruction.
    fn analyze(&mut self) -> Result<Vec<Option<State>>, TranslateError> {
        let n = self.instrs.len();
        let nloc = self.co.nlocalsplus();
        let mut assigned = vec![false; nloc];
        for (i, a) in assigned.iter_mut().enumerate() {
            // Parameters and captured variables start bound.
            *a = self.co.is_arg(i)
                || self
                    .co
                    .local_kind(i)
                    .is_some_and(|k| k & crate::marshal::CO_FAST_FREE != 0);
        }
        let mut states: Vec<Option<State>> = vec![None; n];
        if n == 0 {
            return Ok(states);
        }
        states[0] = Some(State {
            stack: Vec::new(),
            assigned,
            kw_names: None,
        });
        let mut work = vec![0usize];
        while let Some(i) = work.pop() {
            let Some(mut st) = states[i].clone() else {
                continue;
            };
            let succ = self.step(i, &mut st, None).map_err(|m| self.err(i, m))?;
            for (target, state) in succ {
                if target >= n {
                    return Err(self.err(i, "execution runs off the end of the code"));
                }
                match &mut states[target] {
                    Some(existing) => {
                        if existing.merge(&state).map_err(|m| self.err(target, m))? {
                            work.push(target);
                        }
                    }
                    slot @ None => {
                        *slot = Some(state);
                        work.push(target);
                    }
                }
            }
        }
        Ok(states)
    }

    /// Pass 2: emits core instructions for every reachable CPython instruction.
    fn emit_all(&mut self, states: &[Option<State>]) -> Result<(), TranslateError> {
        self.core_index = vec![None; self.instrs.len()];
        for (i, state) in states.iter().enumerate() {
            let Some(mut st) = state.clone() else {
                continue;
            };
            self.core_index[i] = Some(self.out.len() as u32);
            let mut emitted = Vec::new();
            self.step(i, &mut st, Some(&mut emitted))
                .map_err(|m| self.err(i, m))?;
            let loc = self
                .lines
                .get(self.instrs[i].unit)
                .copied()
                .unwrap_or_default();
            for e in emitted {
                match e {
                    Emit::Ins(ins) => {
                        self.out.push(ins);
                        self.locs.push(loc);
                    }
                    Emit::JumpTo(op, target) => {
                        self.fixups.push((self.out.len(), target));
                        self.out.push(Instr::new(op, 0));
                        self.locs.push(loc);
                    }
                    Emit::SkipNext(op) => {
                        // A conditional jump over the single instruction that follows.
                        let at = self.out.len() as u32;
                        self.out.push(Instr::new(op, at + 2));
                        self.locs.push(loc);
                    }
                }
            }
        }
        for &(at, target) in &self.fixups {
            let Some(core) = self.core_index.get(target).copied().flatten() else {
                return Err(TranslateError {
                    line: 0,
                    message: "jump to unreachable code".into(),
                });
            };
            self.out[at].a = core;
        }
        if self
            .out
            .last()
            .is_some_and(|i| !matches!(i.op, Op::Return | Op::Jump | Op::Raise))
        {
            // Unreachable tails are not emitted; close the code for the verifier.
            self.out.push(Instr::new(Op::LoadNil, 0));
            self.out.push(Instr::new(Op::Return, 0));
            let loc = self.locs.last().copied().unwrap_or_default();
            self.locs.push(loc);
            self.locs.push(loc);
        }
        Ok(())
    }

    fn str_const(&mut self, s: &str) -> u32 {
        if let Some(&k) = self.str_consts.get(s) {
            return k;
        }
        let v = self.heap.str(s);
        self.consts.push(v);
        let k = (self.consts.len() - 1) as u32;
        self.str_consts.insert(s.to_string(), k);
        k
    }

    fn name(&self, i: u32) -> Result<Rc<str>, String> {
        self.co
            .names
            .get(i as usize)
            .cloned()
            .ok_or_else(|| format!("name index {i} out of range"))
    }

    /// The core constant for `co_consts[i]` (not a code object).
    fn const_value(&mut self, i: usize) -> Result<u32, String> {
        if let Some(&k) = self.const_of.get(&i) {
            return Ok(k);
        }
        let obj = self
            .co
            .consts
            .get(i)
            .cloned()
            .ok_or_else(|| format!("constant {i} out of range"))?;
        let v = self.convert(&obj, 0)?;
        self.consts.push(v);
        let k = (self.consts.len() - 1) as u32;
        self.const_of.insert(i, k);
        Ok(k)
    }

    fn convert(&mut self, obj: &Obj, depth: usize) -> Result<Value, String> {
        if depth > 100 {
            return Err("constant nests too deeply".into());
        }
        Ok(match obj {
            Obj::None => Value::NIL,
            Obj::True => Value::TRUE,
            Obj::False => Value::FALSE,
            Obj::Int(i) => self.heap.int(*i),
            Obj::BigInt(b) => self.factory.big_int(self.heap, b),
            Obj::Float(f) => Value::float(*f),
            Obj::Str(s) => self.heap.str(s),
            Obj::Tuple(items) => {
                let vs = items
                    .iter()
                    .map(|o| self.convert(o, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                self.heap.tuple(vs)
            }
            Obj::FrozenSet(items) => {
                let vs = items
                    .iter()
                    .map(|o| self.convert(o, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                self.factory.frozenset(self.heap, vs)
            }
            other => {
                return Err(format!(
                    "constants of type '{}' are not supported yet",
                    other.type_name()
                ))
            }
        })
    }

    /// Applies instruction `i` to `st`; returns the successor states. When `emit` is
    /// given, also produces the core instructions.
    fn step(
        &mut self,
        i: usize,
        st: &mut State,
        mut emit: Option<&mut Vec<Emit>>,
    ) -> Result<Vec<(usize, State)>, String> {
        let ins = self.instrs[i];
        let arg = ins.arg;
        let emitting = emit.is_some();
        let mut out = |e: Emit| {
            if let Some(v) = emit.as_deref_mut() {
                v.push(e);
            }
        };
        let ins_a = |op: Op, a: u32| Emit::Ins(Instr::new(op, a));
        let mut fallthrough = true;
        let mut branches: Vec<(usize, State)> = Vec::new();
        let target = |this: &Self| this.jump_target(i).map_err(|e| e.message);
        match ins.opcode {
            py::NOP | py::RESUME | py::PRECALL | py::CACHE => {}
            py::POP_TOP => {
                if st.pop()? == Slot::Value {
                    out(ins_a(Op::Pop, 0));
                }
            }
            py::PUSH_NULL => st.stack.push(Slot::Null),
            py::LOAD_CONST => {
                let obj = self
                    .co
                    .consts
                    .get(arg as usize)
                    .cloned()
                    .ok_or("constant out of range")?;
                match obj {
                    Obj::Code(c) => {
                        let id = *self.ids.get(&Rc::as_ptr(&c)).ok_or("unknown code object")?;
                        st.stack.push(Slot::Code(id));
                    }
                    Obj::None => {
                        out(ins_a(Op::LoadNil, 0));
                        st.push();
                    }
                    Obj::True => {
                        out(ins_a(Op::LoadTrue, 0));
                        st.push();
                    }
                    Obj::False => {
                        out(ins_a(Op::LoadFalse, 0));
                        st.push();
                    }
                    Obj::Int(v) if i32::try_from(v).is_ok() => {
                        out(ins_a(Op::LoadInt, v as i32 as u32));
                        st.push();
                    }
                    _ => {
                        if emitting {
                            let k = self.const_value(arg as usize)?;
                            out(ins_a(Op::LoadConst, k));
                        } else {
                            self.check_const(&obj, 0)?;
                        }
                        st.push();
                    }
                }
            }
            py::LOAD_FAST => {
                let slot = self.local(arg)?;
                let op = if st.assigned[slot] {
                    Op::LoadLocal
                } else {
                    Op::LoadLocalChecked
                };
                out(ins_a(op, arg));
                st.push();
            }
            py::STORE_FAST => {
                let slot = self.local(arg)?;
                st.pop_value()?;
                st.assigned[slot] = true;
                out(ins_a(Op::StoreLocal, arg));
            }
            py::DELETE_FAST => {
                let slot = self.local(arg)?;
                st.assigned[slot] = false;
                out(ins_a(Op::DeleteLocal, arg));
            }
            py::LOAD_CLOSURE => {
                self.local(arg)?;
                out(ins_a(Op::LoadLocal, arg));
                st.push();
            }
            py::MAKE_CELL => {
                self.local(arg)?;
                out(ins_a(Op::MakeCell, arg));
            }
            py::LOAD_DEREF => {
                self.local(arg)?;
                out(ins_a(Op::LoadDeref, arg));
                st.push();
            }
            py::STORE_DEREF => {
                self.local(arg)?;
                st.pop_value()?;
                out(ins_a(Op::StoreDeref, arg));
            }
            py::COPY_FREE_VARS => {
                let n = self.co.nlocalsplus();
                let first = n
                    .checked_sub(arg as usize)
                    .ok_or("too many free variables")?;
                out(ins_a(Op::CopyFreeVars, first as u32));
            }
            py::LOAD_GLOBAL => {
                if arg & 1 == 1 {
                    st.stack.push(Slot::Null);
                }
                let name = self.name(arg >> 1)?;
                let g = self.globals.slot(&name);
                out(ins_a(Op::LoadGlobal, g));
                st.push();
            }
            py::LOAD_NAME | py::STORE_NAME | py::STORE_GLOBAL => {
                if ins.opcode != py::STORE_GLOBAL && !self.is_module {
                    return Err("class bodies are not supported yet".into());
                }
                let name = self.name(arg)?;
                let g = self.globals.slot(&name);
                if ins.opcode == py::LOAD_NAME {
                    out(ins_a(Op::LoadGlobal, g));
                    st.push();
                } else {
                    st.pop_value()?;
                    out(ins_a(Op::StoreGlobal, g));
                }
            }
            py::LOAD_ASSERTION_ERROR => {
                let g = self.globals.slot("AssertionError");
                out(ins_a(Op::LoadGlobal, g));
                st.push();
            }
            py::LOAD_ATTR => {
                st.pop_value()?;
                let name = self.name(arg)?;
                let k = self.str_const(&name);
                out(ins_a(Op::LoadAttr, k));
                st.push();
            }
            py::STORE_ATTR => {
                st.pop_values(2)?;
                let name = self.name(arg)?;
                let k = self.str_const(&name);
                out(ins_a(Op::StoreAttr, k));
            }
            py::LOAD_METHOD => {
                st.pop_value()?;
                let name = self.name(arg)?;
                let k = self.str_const(&name);
                st.stack.push(Slot::Method(k));
                st.push();
            }
            py::KW_NAMES => st.kw_names = Some(arg),
            py::CALL => self.call(arg, st, &mut out)?,
            py::CALL_FUNCTION_EX => {
                return Err("calls with *args or **kwargs are not supported yet".into())
            }
            py::RETURN_VALUE => {
                st.pop_value()?;
                out(ins_a(Op::Return, 0));
                fallthrough = false;
            }
            py::BINARY_OP => {
                st.pop_values(2)?;
                out(ins_a(Op::Binary, binary_op(arg)? as u32));
                st.push();
            }
            py::COMPARE_OP => {
                let op = match arg {
                    0 => CmpOp::Lt,
                    1 => CmpOp::Le,
                    2 => CmpOp::Eq,
                    3 => CmpOp::Ne,
                    4 => CmpOp::Gt,
                    5 => CmpOp::Ge,
                    _ => return Err(format!("bad comparison {arg}")),
                };
                st.pop_values(2)?;
                out(ins_a(Op::Compare, op as u32));
                st.push();
            }
            py::IS_OP | py::CONTAINS_OP => {
                st.pop_values(2)?;
                let op = if ins.opcode == py::IS_OP {
                    Op::IsOp
                } else {
                    Op::ContainsOp
                };
                out(ins_a(op, arg.min(1)));
                st.push();
            }
            py::UNARY_POSITIVE | py::UNARY_NEGATIVE | py::UNARY_NOT | py::UNARY_INVERT => {
                let op = match ins.opcode {
                    py::UNARY_POSITIVE => UnOp::Pos,
                    py::UNARY_NEGATIVE => UnOp::Neg,
                    py::UNARY_NOT => UnOp::Not,
                    _ => UnOp::Invert,
                };
                st.pop_value()?;
                out(ins_a(Op::Unary, op as u32));
                st.push();
            }
            py::BINARY_SUBSCR => {
                st.pop_values(2)?;
                out(ins_a(Op::Index, 0));
                st.push();
            }
            py::STORE_SUBSCR => {
                st.pop_values(3)?;
                out(ins_a(Op::StoreSubscr, 0));
            }
            py::DELETE_SUBSCR => {
                st.pop_values(2)?;
                out(ins_a(Op::DeleteIndex, 0));
            }
            py::BUILD_TUPLE | py::BUILD_LIST | py::BUILD_STRING => {
                st.pop_values(arg as usize)?;
                let op = match ins.opcode {
                    py::BUILD_TUPLE => Op::BuildTuple,
                    py::BUILD_LIST => Op::BuildArray,
                    _ => Op::BuildString,
                };
                out(ins_a(op, arg));
                st.push();
            }
            py::BUILD_MAP => {
                st.pop_values(2 * arg as usize)?;
                out(ins_a(Op::BuildMap, arg));
                st.push();
            }
            py::BUILD_CONST_KEY_MAP => {
                st.pop_values(arg as usize + 1)?;
                out(ins_a(Op::BuildMapConstKeys, arg));
                st.push();
            }
            py::BUILD_SLICE => {
                st.pop_values(arg as usize)?;
                out(ins_a(Op::BuildSlice, arg));
                st.push();
            }
            py::LIST_APPEND | py::LIST_EXTEND => {
                st.pop_value()?;
                let depth = st.core_depth(arg as usize)?;
                let op = if ins.opcode == py::LIST_APPEND {
                    Op::ListAppend
                } else {
                    Op::ListExtend
                };
                out(ins_a(op, depth));
            }
            py::MAP_ADD => {
                st.pop_values(2)?;
                let depth = st.core_depth(arg as usize)?;
                out(ins_a(Op::MapAdd, depth));
            }
            py::LIST_TO_TUPLE => {
                st.pop_value()?;
                out(ins_a(Op::ListToTuple, 0));
                st.push();
            }
            py::UNPACK_SEQUENCE => {
                st.pop_value()?;
                out(ins_a(Op::UnpackSequence, arg));
                for _ in 0..arg {
                    st.push();
                }
            }
            py::FORMAT_VALUE => {
                st.pop_values(1 + ((arg >> 2) & 1) as usize)?;
                out(ins_a(Op::FormatValue, arg & 7));
                st.push();
            }
            py::GET_ITER => {
                st.pop_value()?;
                out(ins_a(Op::GetIter, 0));
                st.push();
            }
            py::FOR_ITER => {
                let t = target(self)?;
                let mut exhausted = st.clone();
                exhausted.pop_value()?;
                out(Emit::JumpTo(Op::ForIter, t));
                branches.push((t, exhausted));
                st.push();
            }
            py::MAKE_FUNCTION => {
                let Slot::Code(id) = st.pop()? else {
                    return Err("MAKE_FUNCTION without a code object".into());
                };
                if arg & 0x04 != 0 {
                    // Annotations sit below the closure (if any): drop them.
                    if arg & 0x08 != 0 {
                        out(ins_a(Op::SwapN, 2));
                    }
                    out(ins_a(Op::Pop, 0));
                }
                let n = (arg & 0x0F).count_ones() as usize;
                st.pop_values(n)?;
                out(Emit::Ins(Instr::with_b(
                    Op::MakeFunction,
                    id,
                    (arg & 0x0B) as u16,
                )));
                st.push();
            }
            py::JUMP_FORWARD | py::JUMP_BACKWARD | py::JUMP_BACKWARD_NO_INTERRUPT => {
                let t = target(self)?;
                out(Emit::JumpTo(Op::Jump, t));
                branches.push((t, st.clone()));
                fallthrough = false;
            }
            py::POP_JUMP_FORWARD_IF_FALSE
            | py::POP_JUMP_FORWARD_IF_TRUE
            | py::POP_JUMP_BACKWARD_IF_FALSE
            | py::POP_JUMP_BACKWARD_IF_TRUE
            | py::POP_JUMP_FORWARD_IF_NONE
            | py::POP_JUMP_FORWARD_IF_NOT_NONE
            | py::POP_JUMP_BACKWARD_IF_NONE
            | py::POP_JUMP_BACKWARD_IF_NOT_NONE => {
                let t = target(self)?;
                st.pop_value()?;
                let (none_test, jump_if) = match ins.opcode {
                    py::POP_JUMP_FORWARD_IF_FALSE | py::POP_JUMP_BACKWARD_IF_FALSE => (None, false),
                    py::POP_JUMP_FORWARD_IF_TRUE | py::POP_JUMP_BACKWARD_IF_TRUE => (None, true),
                    py::POP_JUMP_FORWARD_IF_NONE | py::POP_JUMP_BACKWARD_IF_NONE => (Some(0), true),
                    _ => (Some(1), true),
                };
                if let Some(invert) = none_test {
                    out(ins_a(Op::LoadNil, 0));
                    out(ins_a(Op::IsOp, invert));
                }
                let (cond, cond_inv) = if jump_if {
                    (Op::JumpIfTrue, Op::JumpIfFalse)
                } else {
                    (Op::JumpIfFalse, Op::JumpIfTrue)
                };
                if py::is_backward_jump(ins.opcode) {
                    // Core conditional jumps go forward: skip over a backward jump.
                    out(Emit::SkipNext(cond_inv));
                    out(Emit::JumpTo(Op::Jump, t));
                } else {
                    out(Emit::JumpTo(cond, t));
                }
                branches.push((t, st.clone()));
            }
            py::JUMP_IF_FALSE_OR_POP | py::JUMP_IF_TRUE_OR_POP => {
                let t = target(self)?;
                let op = if ins.opcode == py::JUMP_IF_FALSE_OR_POP {
                    Op::JumpIfFalseOrPop
                } else {
                    Op::JumpIfTrueOrPop
                };
                out(Emit::JumpTo(op, t));
                branches.push((t, st.clone()));
                st.pop_value()?;
            }
            py::SWAP | py::COPY => {
                let n = arg as usize;
                let len = st.stack.len();
                if n == 0 || n > len || st.stack[len - n..].iter().any(|s| *s != Slot::Value) {
                    return Err(format!(
                        "{} across call markers is not supported",
                        py::name(ins.opcode)
                    ));
                }
                if ins.opcode == py::SWAP {
                    st.stack.swap(len - 1, len - n);
                    out(ins_a(Op::SwapN, arg));
                } else {
                    out(ins_a(Op::CopyN, arg));
                    st.push();
                }
            }
            py::IMPORT_NAME => {
                st.pop_values(2)?;
                out(ins_a(Op::Pop, 0));
                out(ins_a(Op::Pop, 0));
                let name = self.name(arg)?;
                let k = self.str_const(&name);
                out(ins_a(Op::Import, k));
                st.push();
            }
            py::IMPORT_FROM => {
                let name = self.name(arg)?;
                let k = self.str_const(&name);
                out(ins_a(Op::CopyN, 1));
                out(ins_a(Op::LoadAttr, k));
                st.push();
            }
            py::RAISE_VARARGS => {
                st.pop_values(arg as usize)?;
                out(ins_a(Op::Raise, arg.min(2)));
                fallthrough = false;
            }
            other => return Err(unsupported(other)),
        }
        let mut succ = branches;
        if fallthrough {
            let next = i + 1;
            succ.push((next, st.clone()));
        }
        Ok(succ)
    }

    /// Checks (without converting) that a constant can be converted.
    fn check_const(&self, obj: &Obj, depth: usize) -> Result<(), String> {
        if depth > 100 {
            return Err("constant nests too deeply".into());
        }
        match obj {
            Obj::None
            | Obj::True
            | Obj::False
            | Obj::Int(_)
            | Obj::BigInt(_)
            | Obj::Float(_)
            | Obj::Str(_) => Ok(()),
            Obj::Tuple(items) | Obj::FrozenSet(items) => items
                .iter()
                .try_for_each(|o| self.check_const(o, depth + 1)),
            other => Err(format!(
                "constants of type '{}' are not supported yet",
                other.type_name()
            )),
        }
    }

    fn local(&self, arg: u32) -> Result<usize, String> {
        let i = arg as usize;
        if i < self.co.nlocalsplus() {
            Ok(i)
        } else {
            Err(format!("local {i} out of range"))
        }
    }

    /// `CALL argc`: a function call (`NULL, f, args`) or a method call (`method, obj, args`).
    fn call(&mut self, argc: u32, st: &mut State, out: &mut dyn FnMut(Emit)) -> Result<(), String> {
        let n = argc as usize;
        let len = st.stack.len();
        if len < n + 2 {
            return Err("stack underflow at CALL".into());
        }
        let (marker, callee) = (st.stack[len - n - 2], st.stack[len - n - 1]);
        let kw = st.kw_names.take();
        if st.stack[len - n..].iter().any(|s| *s != Slot::Value) || callee != Slot::Value {
            return Err("unsupported call shape".into());
        }
        let kw_const = match kw {
            Some(k) => Some(self.const_value(k as usize)?),
            None => None,
        };
        match marker {
            // CPython's CALL treats a non-NULL slot below the callable as the callable
            // itself, with the slot above as its first argument (how comprehensions,
            // which are nested functions, receive their iterator).
            Slot::Value => {
                if let Some(k) = kw_const {
                    out(Emit::Ins(Instr::new(Op::LoadConst, k)));
                    out(Emit::Ins(Instr::new(Op::CallKw, argc + 1)));
                } else {
                    out(Emit::Ins(Instr::new(Op::Call, argc + 1)));
                }
            }
            Slot::Null => {
                if let Some(k) = kw_const {
                    out(Emit::Ins(Instr::new(Op::LoadConst, k)));
                    out(Emit::Ins(Instr::new(Op::CallKw, argc)));
                } else {
                    out(Emit::Ins(Instr::new(Op::Call, argc)));
                }
            }
            Slot::Method(name) => {
                if argc > 0xFF || name > (u32::MAX >> 8) {
                    return Err(
                        "method calls with more than 255 arguments are not supported".into(),
                    );
                }
                let a = (name << 8) | argc;
                if let Some(k) = kw_const {
                    out(Emit::Ins(Instr::new(Op::LoadConst, k)));
                    out(Emit::Ins(Instr::new(Op::CallMethodKw, a)));
                } else {
                    out(Emit::Ins(Instr::new(Op::CallMethod, a)));
                }
            }
            _ => return Err("unsupported call shape".into()),
        }
        st.stack.truncate(len - n - 2);
        st.push();
        Ok(())
    }
}

/// What pass 2 produces for one CPython instruction.
enum Emit {
    /// A finished instruction.
    Ins(Instr),
    /// A jump whose target is CPython instruction `.1`, patched when all are emitted.
    JumpTo(Op, usize),
    /// A conditional jump over the one instruction that follows it.
    SkipNext(Op),
}

fn binary_op(nb: u32) -> Result<BinOp, String> {
    Ok(match nb {
        0 => BinOp::Add,
        1 | 14 => BinOp::BitAnd,
        2 | 15 => BinOp::FloorDiv,
        3 | 16 => BinOp::Shl,
        5 => BinOp::Mul,
        6 | 19 => BinOp::FloorMod,
        7 | 20 => BinOp::BitOr,
        8 | 21 => BinOp::Pow,
        9 | 22 => BinOp::Shr,
        10 | 23 => BinOp::Sub,
        11 | 24 => BinOp::TrueDiv,
        12 | 25 => BinOp::BitXor,
        13 => BinOp::InplaceAdd,
        18 => BinOp::InplaceMul,
        4 | 17 => return Err("the @ operator is not supported".into()),
        _ => return Err(format!("bad binary operator {nb}")),
    })
}

fn unsupported(opcode: u8) -> String {
    let what = match opcode {
        py::LOAD_BUILD_CLASS => "classes are",
        py::RETURN_GENERATOR | py::YIELD_VALUE | py::SEND | py::GET_YIELD_FROM_ITER => {
            "generators (and generator expressions) are"
        }
        py::BUILD_SET | py::SET_ADD | py::SET_UPDATE => "sets are",
        py::DICT_MERGE | py::DICT_UPDATE => "dict unpacking (**) is",
        py::UNPACK_EX => "starred assignment is",
        py::IMPORT_STAR => "from ... import * is",
        py::PUSH_EXC_INFO | py::POP_EXCEPT | py::CHECK_EXC_MATCH | py::RERAISE => "exceptions are",
        py::DELETE_DEREF | py::DELETE_GLOBAL | py::DELETE_NAME | py::DELETE_ATTR => "this del is",
        _ => "",
    };
    if what.is_empty() {
        format!("the {} instruction is not supported yet", py::name(opcode))
    } else {
        format!("{what} not supported yet ({})", py::name(opcode))
    }
}
