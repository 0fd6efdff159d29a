//! Code generation: the resolved Tiny tree to `jit-core` bytecode.
//!
//! Each Tiny function becomes one code object (code `i` is `Program::functions[i]`); the
//! top-level statements become the entry code `main`, after all functions. Function and
//! builtin values are allocated once, up front, and referenced as constants. Every
//! instruction that can fail carries the location the language says its error points
//! at (the operator, the `[`, the callee, the `for` bound).

use jit_core::bytecode::{BinOp, CmpOp, Code, Instr, Loc, Module, Op, UnOp};
use jit_core::heap::{FunctionObj, Heap, NativeObj, Obj};
use jit_core::value::Value;

use crate::ast::{
    BinaryOp, Builtin, Expr, ExprKind, Function, LogicalOp, Program, Span, Stmt, StmtKind, UnaryOp,
    VarRef,
};
use crate::diag::Diagnostic;

/// Compiles `program` into a module whose constants live in `heap`.
pub fn compile(program: &Program, heap: &mut Heap) -> Result<Module, Diagnostic> {
    let n_funcs = program.functions.len();
    let fn_values: Vec<Value> = (0..n_funcs)
        .map(|i| heap.alloc(Obj::Function(FunctionObj::new(i as u32, &[], &[]))))
        .collect();
    let builtin_values: Vec<Value> = Builtin::ALL
        .iter()
        .map(|b| {
            heap.alloc(Obj::Native(NativeObj {
                id: *b as u32,
                name: b.name().into(),
                pure_on_numbers: b.pure_on_numbers(),
                float_on_numbers: b.float_on_numbers(),
            }))
        })
        .collect();
    let mut codes = Vec::with_capacity(n_funcs + 1);
    for f in &program.functions {
        codes.push(FnGen::new(heap, &fn_values, &builtin_values).compile(f)?);
    }
    codes.push(FnGen::new(heap, &fn_values, &builtin_values).compile(&program.main)?);
    Ok(Module {
        file_name: program.file_name.clone(),
        codes,
        global_names: program.globals.clone(),
        global_init: vec![Value::NIL; program.globals.len()],
        entry: n_funcs as u32,
    })
}

/// The loop being compiled: where `continue` goes and which jumps `break` must patch.
struct LoopCtx {
    continue_target: u32,
    breaks: Vec<usize>,
}

/// Code generation state for one function body.
struct FnGen<'a> {
    heap: &'a mut Heap,
    fn_values: &'a [Value],
    builtin_values: &'a [Value],
    instrs: Vec<Instr>,
    locs: Vec<Loc>,
    consts: Vec<Value>,
    loops: Vec<LoopCtx>,
}

fn loc(span: Span) -> Loc {
    Loc {
        line: span.line,
        col: span.col,
    }
}

impl<'a> FnGen<'a> {
    fn new(heap: &'a mut Heap, fn_values: &'a [Value], builtin_values: &'a [Value]) -> FnGen<'a> {
        FnGen {
            heap,
            fn_values,
            builtin_values,
            instrs: Vec::new(),
            locs: Vec::new(),
            consts: Vec::new(),
            loops: Vec::new(),
        }
    }

    fn compile(mut self, f: &Function) -> Result<Code, Diagnostic> {
        for s in &f.body {
            self.stmt(s)?;
        }
        let end = Span {
            line: f.name_span.line,
            col: f.name_span.col,
            offset: 0,
        };
        self.emit(Op::LoadNil, 0, end);
        self.emit(Op::Return, 0, end);
        let mut code = Code::new(
            f.name.clone(),
            self.instrs,
            self.locs,
            self.consts,
            f.arity(),
            f.num_locals,
        );
        code.local_names = f.local_names.clone();
        Ok(code)
    }

    fn emit(&mut self, op: Op, a: u32, span: Span) -> usize {
        self.instrs.push(Instr::new(op, a));
        self.locs.push(loc(span));
        self.instrs.len() - 1
    }

    fn here(&self) -> u32 {
        self.instrs.len() as u32
    }

    fn patch(&mut self, at: usize, target: u32) {
        self.instrs[at].a = target;
    }

    fn constant(&mut self, v: Value) -> u32 {
        if let Some(i) = self.consts.iter().position(|&c| c == v) {
            return i as u32;
        }
        self.consts.push(v);
        (self.consts.len() - 1) as u32
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), Diagnostic> {
        match &s.kind {
            StmtKind::Let {
                var,
                name_span,
                value,
            }
            | StmtKind::Assign {
                var,
                name_span,
                value,
            } => {
                self.expr(value)?;
                self.store(var, *name_span)?;
            }
            StmtKind::IndexStore {
                target,
                index,
                value,
                bracket_span,
            } => {
                self.expr(target)?;
                self.expr(index)?;
                self.expr(value)?;
                self.emit(Op::StoreIndex, 0, *bracket_span);
            }
            StmtKind::If {
                branches,
                else_body,
            } => {
                let mut to_end = Vec::new();
                for b in branches {
                    self.expr(&b.cond)?;
                    let skip = self.emit(Op::JumpIfFalse, 0, b.cond.span);
                    self.block(&b.body)?;
                    to_end.push(self.emit(Op::Jump, 0, s.span));
                    let next = self.here();
                    self.patch(skip, next);
                }
                if let Some(body) = else_body {
                    self.block(body)?;
                }
                let end = self.here();
                for j in to_end {
                    self.patch(j, end);
                }
            }
            StmtKind::While { cond, body } => {
                let head = self.here();
                self.expr(cond)?;
                let exit = self.emit(Op::JumpIfFalse, 0, cond.span);
                self.loops.push(LoopCtx {
                    continue_target: head,
                    breaks: Vec::new(),
                });
                self.block(body)?;
                self.emit(Op::Jump, head, s.span);
                self.end_loop(exit);
            }
            StmtKind::For {
                var,
                var_span,
                start,
                end,
                body,
                slots,
            } => {
                if slots.end_slot != slots.counter_slot + 1
                    || slots.counter_slot > u16::MAX as u32 - 1
                {
                    return Err(Diagnostic::new(
                        "internal error: loop slots are not adjacent",
                        s.span,
                    ));
                }
                self.expr(start)?;
                self.expr(end)?;
                self.emit(Op::CheckIntBound, 1, start.span);
                self.emit(Op::CheckIntBound, 0, end.span);
                self.emit(Op::StoreLocal, slots.end_slot, s.span);
                self.emit(Op::StoreLocal, slots.counter_slot, s.span);
                let head = self.here();
                self.instrs
                    .push(Instr::with_b(Op::ForRange, 0, slots.counter_slot as u16));
                self.locs.push(loc(s.span));
                let exit = self.instrs.len() - 1;
                self.store(var, *var_span)?;
                self.loops.push(LoopCtx {
                    continue_target: head,
                    breaks: Vec::new(),
                });
                self.block(body)?;
                self.emit(Op::Jump, head, s.span);
                self.end_loop(exit);
            }
            StmtKind::Return(value) => {
                match value {
                    Some(e) => self.expr(e)?,
                    None => {
                        self.emit(Op::LoadNil, 0, s.span);
                    }
                }
                self.emit(Op::Return, 0, s.span);
            }
            StmtKind::Break => {
                let j = self.emit(Op::Jump, 0, s.span);
                match self.loops.last_mut() {
                    Some(l) => l.breaks.push(j),
                    None => return Err(Diagnostic::new("'break' outside of a loop", s.span)),
                }
            }
            StmtKind::Continue => {
                let target = match self.loops.last() {
                    Some(l) => l.continue_target,
                    None => return Err(Diagnostic::new("'continue' outside of a loop", s.span)),
                };
                self.emit(Op::Jump, target, s.span);
            }
            StmtKind::Expr(e) => {
                self.expr(e)?;
                self.emit(Op::Pop, 0, s.span);
            }
        }
        Ok(())
    }

    /// Closes the innermost loop: its exit jump at `exit` and every `break` go here.
    fn end_loop(&mut self, exit: usize) {
        let end = self.here();
        self.patch(exit, end);
        if let Some(l) = self.loops.pop() {
            for b in l.breaks {
                self.patch(b, end);
            }
        }
    }

    fn block(&mut self, body: &[Stmt]) -> Result<(), Diagnostic> {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn store(&mut self, var: &VarRef, span: Span) -> Result<(), Diagnostic> {
        match *var {
            VarRef::Local(slot) => self.emit(Op::StoreLocal, slot, span),
            VarRef::Global(g) => self.emit(Op::StoreGlobal, g, span),
            VarRef::Function(_) | VarRef::Builtin(_) => {
                return Err(Diagnostic::new(
                    "internal error: store to a function name",
                    span,
                ))
            }
        };
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Result<(), Diagnostic> {
        match &e.kind {
            ExprKind::Int(i) => {
                if let Ok(small) = i32::try_from(*i) {
                    self.emit(Op::LoadInt, small as u32, e.span);
                } else {
                    let v = self.heap.int(*i);
                    let k = self.constant(v);
                    self.emit(Op::LoadConst, k, e.span);
                }
            }
            ExprKind::Float(f) => {
                let k = self.constant(Value::float(*f));
                self.emit(Op::LoadConst, k, e.span);
            }
            ExprKind::Str(s) => {
                let v = self.heap.str(s);
                self.consts.push(v);
                let k = (self.consts.len() - 1) as u32;
                self.emit(Op::LoadConst, k, e.span);
            }
            ExprKind::Bool(true) => {
                self.emit(Op::LoadTrue, 0, e.span);
            }
            ExprKind::Bool(false) => {
                self.emit(Op::LoadFalse, 0, e.span);
            }
            ExprKind::Nil => {
                self.emit(Op::LoadNil, 0, e.span);
            }
            ExprKind::Var(v) => match *v {
                VarRef::Local(slot) => {
                    self.emit(Op::LoadLocal, slot, e.span);
                }
                VarRef::Global(g) => {
                    self.emit(Op::LoadGlobal, g, e.span);
                }
                VarRef::Function(i) => {
                    let v = self.fn_values[i as usize];
                    let k = self.constant(v);
                    self.emit(Op::LoadConst, k, e.span);
                }
                VarRef::Builtin(b) => {
                    let v = self.builtin_values[b as usize];
                    let k = self.constant(v);
                    self.emit(Op::LoadConst, k, e.span);
                }
            },
            ExprKind::Array(items) => {
                for it in items {
                    self.expr(it)?;
                }
                self.emit(Op::BuildArray, items.len() as u32, e.span);
            }
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => {
                self.expr(operand)?;
                let u = match op {
                    UnaryOp::Neg => UnOp::Neg,
                    UnaryOp::Not => UnOp::Not,
                };
                self.emit(Op::Unary, u as u32, *op_span);
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                self.expr(lhs)?;
                self.expr(rhs)?;
                let (opcode, a) = match op {
                    BinaryOp::Add => (Op::Binary, BinOp::Add as u32),
                    BinaryOp::Sub => (Op::Binary, BinOp::Sub as u32),
                    BinaryOp::Mul => (Op::Binary, BinOp::Mul as u32),
                    BinaryOp::Div => (Op::Binary, BinOp::DivTrunc as u32),
                    BinaryOp::Rem => (Op::Binary, BinOp::ModTrunc as u32),
                    BinaryOp::Eq => (Op::Compare, CmpOp::Eq as u32),
                    BinaryOp::Ne => (Op::Compare, CmpOp::Ne as u32),
                    BinaryOp::Lt => (Op::Compare, CmpOp::Lt as u32),
                    BinaryOp::Le => (Op::Compare, CmpOp::Le as u32),
                    BinaryOp::Gt => (Op::Compare, CmpOp::Gt as u32),
                    BinaryOp::Ge => (Op::Compare, CmpOp::Ge as u32),
                };
                self.emit(opcode, a, *op_span);
            }
            ExprKind::Logical {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                self.expr(lhs)?;
                let jump = match op {
                    LogicalOp::And => Op::JumpIfFalseOrPop,
                    LogicalOp::Or => Op::JumpIfTrueOrPop,
                };
                let j = self.emit(jump, 0, *op_span);
                self.expr(rhs)?;
                let end = self.here();
                self.patch(j, end);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee)?;
                for a in args {
                    self.expr(a)?;
                }
                self.emit(Op::Call, args.len() as u32, callee.span);
            }
            ExprKind::Index {
                target,
                index,
                bracket_span,
            } => {
                self.expr(target)?;
                self.expr(index)?;
                self.emit(Op::Index, 0, *bracket_span);
            }
        }
        Ok(())
    }
}
