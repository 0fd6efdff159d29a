//! Name resolution: turns the parsed tree into the resolved `ast::Program`,
//! numbering globals, functions and frame slots, and reports every name error.
//!
//! Globals and functions are collected first, so code may use a global or
//! call a function declared further down. Then each function and the
//! top-level code are resolved in one walk in source order: a local becomes
//! visible right after the statement that declares it (the parameter list,
//! a `let`, a `for` header) and stays visible to the end of the function,
//! whatever block it was declared in. Before that point the same name means
//! the global, function or builtin of that name.
//!
//! Errors do not stop the walk; the one earliest in the source is reported.

use std::collections::HashMap;

use crate::ast::{
    Builtin, Expr, ExprKind, Function, IfBranch, Item, LoopSlots, Parsed, ParsedProgram, Program,
    Resolved, Stmt, StmtKind, VarRef,
};
use crate::diag::{Diagnostic, Span};

/// Resolves a parsed program. `file_name` is recorded in the program for
/// runtime error messages.
pub fn resolve(file_name: &str, parsed: ParsedProgram) -> Result<Program, Diagnostic> {
    let mut resolver = Resolver {
        globals: Vec::new(),
        global_index: HashMap::new(),
        function_index: HashMap::new(),
        errors: Vec::new(),
    };
    resolver.collect(&parsed);

    let mut functions = Vec::new();
    let mut main = Scope::new(true);
    let mut main_body = Vec::new();
    for item in parsed.items {
        match item {
            Item::Function(decl) => {
                let mut scope = Scope::new(false);
                for (name, span) in &decl.params {
                    if scope.locals.contains_key(name) {
                        resolver.error(format!("duplicate parameter '{name}'"), *span);
                    }
                    scope.declare(name);
                }
                let body = resolver.block(decl.body, &mut scope);
                functions.push(Function {
                    name: decl.name,
                    name_span: decl.name_span,
                    params: decl.params.into_iter().map(|(name, _)| name).collect(),
                    num_locals: scope.num_locals(),
                    local_names: scope.names,
                    body,
                });
            }
            Item::Stmt(stmt) => main_body.push(resolver.stmt(stmt, &mut main)),
        }
    }

    if let Some(first) = resolver.errors.iter().min_by_key(|e| e.span.offset) {
        return Err(first.clone());
    }
    Ok(Program {
        file_name: file_name.to_string(),
        globals: resolver.globals,
        functions,
        main: Function {
            name: "<main>".to_string(),
            name_span: Span::START,
            params: Vec::new(),
            num_locals: main.num_locals(),
            local_names: main.names,
            body: main_body,
        },
    })
}

struct Resolver {
    globals: Vec<String>,
    global_index: HashMap<String, u32>,
    function_index: HashMap<String, u32>,
    errors: Vec<Diagnostic>,
}

/// The frame of the function being resolved (or of the top-level code).
struct Scope {
    /// True for the top-level code, whose variables are globals.
    is_main: bool,
    /// The named locals declared so far.
    locals: HashMap<String, u32>,
    /// One name per slot.
    names: Vec<String>,
}

impl Scope {
    fn new(is_main: bool) -> Scope {
        Scope {
            is_main,
            locals: HashMap::new(),
            names: Vec::new(),
        }
    }

    fn num_locals(&self) -> u32 {
        u32::try_from(self.names.len()).unwrap_or(u32::MAX)
    }

    fn new_slot(&mut self, name: &str) -> u32 {
        let slot = self.num_locals();
        self.names.push(name.to_string());
        slot
    }

    /// Declares a named local, or finds the one already declared.
    fn declare(&mut self, name: &str) -> u32 {
        if let Some(&slot) = self.locals.get(name) {
            return slot;
        }
        let slot = self.new_slot(name);
        self.locals.insert(name.to_string(), slot);
        slot
    }
}

impl Resolver {
    fn error(&mut self, message: String, span: Span) {
        self.errors.push(Diagnostic::new(message, span));
    }

    /// Numbers the functions and collects the globals.
    fn collect(&mut self, parsed: &ParsedProgram) {
        let mut next_function = 0u32;
        for item in &parsed.items {
            match item {
                Item::Function(decl) => {
                    if self.function_index.contains_key(&decl.name) {
                        self.error(
                            format!("function '{}' is already declared", decl.name),
                            decl.name_span,
                        );
                    } else {
                        self.function_index.insert(decl.name.clone(), next_function);
                    }
                    next_function += 1;
                }
                Item::Stmt(stmt) => self.collect_globals(stmt),
            }
        }
    }

    fn collect_globals(&mut self, stmt: &Stmt<Parsed>) {
        match &stmt.kind {
            StmtKind::Let { var, .. } => self.add_global(var),
            StmtKind::For { var, body, .. } => {
                self.add_global(var);
                body.iter().for_each(|s| self.collect_globals(s));
            }
            StmtKind::If {
                branches,
                else_body,
            } => {
                for branch in branches {
                    branch.body.iter().for_each(|s| self.collect_globals(s));
                }
                for s in else_body.iter().flatten() {
                    self.collect_globals(s);
                }
            }
            StmtKind::While { body, .. } => body.iter().for_each(|s| self.collect_globals(s)),
            StmtKind::Assign { .. }
            | StmtKind::IndexStore { .. }
            | StmtKind::Return(_)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Expr(_) => {}
        }
    }

    fn add_global(&mut self, name: &str) {
        if !self.global_index.contains_key(name) {
            let index = u32::try_from(self.globals.len()).unwrap_or(u32::MAX);
            self.globals.push(name.to_string());
            self.global_index.insert(name.to_string(), index);
        }
    }

    /// The variable a `let` or `for` at this point binds.
    fn binding(&self, name: &str, scope: &mut Scope) -> VarRef {
        if scope.is_main {
            // Every top-level binding was collected as a global.
            VarRef::Global(self.global_index.get(name).copied().unwrap_or(0))
        } else {
            VarRef::Local(scope.declare(name))
        }
    }

    fn block(&mut self, body: Vec<Stmt<Parsed>>, scope: &mut Scope) -> Vec<Stmt> {
        body.into_iter().map(|s| self.stmt(s, scope)).collect()
    }

    fn stmt(&mut self, stmt: Stmt<Parsed>, scope: &mut Scope) -> Stmt {
        let kind = match stmt.kind {
            StmtKind::Let {
                var,
                name_span,
                value,
            } => {
                // The new local is visible only after the whole statement.
                let value = self.expr(value, scope);
                StmtKind::Let {
                    var: self.binding(&var, scope),
                    name_span,
                    value,
                }
            }
            StmtKind::Assign {
                var,
                name_span,
                value,
            } => {
                let target = if let Some(&slot) = scope.locals.get(&var) {
                    VarRef::Local(slot)
                } else if let Some(&index) = self.global_index.get(&var) {
                    VarRef::Global(index)
                } else {
                    self.error(
                        format!("assignment to undeclared variable '{var}'"),
                        name_span,
                    );
                    VarRef::Global(0)
                };
                StmtKind::Assign {
                    var: target,
                    name_span,
                    value: self.expr(value, scope),
                }
            }
            StmtKind::IndexStore {
                target,
                index,
                value,
                bracket_span,
            } => StmtKind::IndexStore {
                target: self.expr(target, scope),
                index: self.expr(index, scope),
                value: self.expr(value, scope),
                bracket_span,
            },
            StmtKind::If {
                branches,
                else_body,
            } => StmtKind::If {
                branches: branches
                    .into_iter()
                    .map(|b| IfBranch {
                        cond: self.expr(b.cond, scope),
                        body: self.block(b.body, scope),
                    })
                    .collect(),
                else_body: else_body.map(|body| self.block(body, scope)),
            },
            StmtKind::While { cond, body } => StmtKind::While {
                cond: self.expr(cond, scope),
                body: self.block(body, scope),
            },
            StmtKind::For {
                var,
                var_span,
                start,
                end,
                body,
                slots: (),
            } => {
                // As with `let`, the bounds see the loop variable's outer
                // meaning; it becomes visible in the body.
                let start = self.expr(start, scope);
                let end = self.expr(end, scope);
                let var = self.binding(&var, scope);
                let slots = LoopSlots {
                    counter_slot: scope.new_slot("for#counter"),
                    end_slot: scope.new_slot("for#end"),
                };
                StmtKind::For {
                    var,
                    var_span,
                    start,
                    end,
                    body: self.block(body, scope),
                    slots,
                }
            }
            StmtKind::Return(value) => StmtKind::Return(value.map(|v| self.expr(v, scope))),
            StmtKind::Break => StmtKind::Break,
            StmtKind::Continue => StmtKind::Continue,
            StmtKind::Expr(e) => StmtKind::Expr(self.expr(e, scope)),
        };
        Stmt {
            kind,
            span: stmt.span,
        }
    }

    fn exprs(&mut self, exprs: Vec<Expr<Parsed>>, scope: &mut Scope) -> Vec<Expr> {
        exprs.into_iter().map(|e| self.expr(e, scope)).collect()
    }

    fn expr(&mut self, expr: Expr<Parsed>, scope: &mut Scope) -> Expr<Resolved> {
        let kind = match expr.kind {
            ExprKind::Int(v) => ExprKind::Int(v),
            ExprKind::Float(v) => ExprKind::Float(v),
            ExprKind::Str(v) => ExprKind::Str(v),
            ExprKind::Bool(v) => ExprKind::Bool(v),
            ExprKind::Nil => ExprKind::Nil,
            ExprKind::Var(name) => ExprKind::Var(self.lookup(&name, expr.span, scope)),
            ExprKind::Array(items) => ExprKind::Array(self.exprs(items, scope)),
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => ExprKind::Unary {
                op,
                op_span,
                operand: Box::new(self.expr(*operand, scope)),
            },
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => ExprKind::Binary {
                op,
                op_span,
                lhs: Box::new(self.expr(*lhs, scope)),
                rhs: Box::new(self.expr(*rhs, scope)),
            },
            ExprKind::Logical {
                op,
                op_span,
                lhs,
                rhs,
            } => ExprKind::Logical {
                op,
                op_span,
                lhs: Box::new(self.expr(*lhs, scope)),
                rhs: Box::new(self.expr(*rhs, scope)),
            },
            ExprKind::Call { callee, args } => ExprKind::Call {
                callee: Box::new(self.expr(*callee, scope)),
                args: self.exprs(args, scope),
            },
            ExprKind::Index {
                target,
                index,
                bracket_span,
            } => ExprKind::Index {
                target: Box::new(self.expr(*target, scope)),
                index: Box::new(self.expr(*index, scope)),
                bracket_span,
            },
        };
        Expr {
            kind,
            span: expr.span,
        }
    }

    /// Resolves a name read: local, then global, then function, then builtin.
    fn lookup(&mut self, name: &str, span: Span, scope: &Scope) -> VarRef {
        if let Some(&slot) = scope.locals.get(name) {
            VarRef::Local(slot)
        } else if let Some(&index) = self.global_index.get(name) {
            VarRef::Global(index)
        } else if let Some(&index) = self.function_index.get(name) {
            VarRef::Function(index)
        } else if let Some(builtin) = Builtin::from_name(name) {
            VarRef::Builtin(builtin)
        } else {
            self.error(format!("undefined variable '{name}'"), span);
            VarRef::Builtin(Builtin::Print)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_and_resolve;

    fn err(source: &str) -> String {
        parse_and_resolve("t.tiny", source)
            .expect_err(source)
            .to_string()
    }

    #[test]
    fn slots_and_globals() {
        let program = parse_and_resolve(
            "t.tiny",
            "fn f(a, b) { let c = a; for i in 0 .. b { let c = i; let d = 1; } return c; }\n\
             let g = 1; if g { for k in 0 .. 2 { let h = k; } }",
        )
        .unwrap();
        assert_eq!(program.globals, ["g", "k", "h"]);
        let f = &program.functions[0];
        assert_eq!(
            f.local_names,
            ["a", "b", "c", "i", "for#counter", "for#end", "d"]
        );
        assert_eq!(f.num_locals, 7);
        let StmtKind::For { var, slots, .. } = &f.body[1].kind else {
            panic!()
        };
        assert_eq!(*var, VarRef::Local(3));
        assert_eq!(
            *slots,
            LoopSlots {
                counter_slot: 4,
                end_slot: 5
            }
        );
        assert_eq!(program.main.local_names, ["for#counter", "for#end"]);
    }

    #[test]
    fn resolution_order() {
        let program = parse_and_resolve(
            "t.tiny",
            "fn f() { return x; }\nfn len(x) { let x = x; return x; }\nlet x = f;",
        )
        .unwrap();
        let StmtKind::Let { var, value, .. } = &program.main.body[0].kind else {
            panic!()
        };
        assert_eq!(*var, VarRef::Global(0));
        assert_eq!(value.kind, ExprKind::Var(VarRef::Function(0)));
        let StmtKind::Return(Some(e)) = &program.functions[0].body[0].kind else {
            panic!()
        };
        assert_eq!(e.kind, ExprKind::Var(VarRef::Global(0)));
        assert_eq!(program.functions[1].num_locals, 1);
    }

    #[test]
    fn name_errors() {
        assert_eq!(
            err("fn f() { print(y); let y = 1; }"),
            "error: undefined variable 'y' at 1:16"
        );
        assert_eq!(
            err("fn f() { let z = z; }"),
            "error: undefined variable 'z' at 1:18"
        );
        assert_eq!(
            err("fn f() {}\nf = 1;"),
            "error: assignment to undeclared variable 'f' at 2:1"
        );
        assert_eq!(
            err("print = 1;"),
            "error: assignment to undeclared variable 'print' at 1:1"
        );
        assert_eq!(
            err("fn f(a, b, a) {}"),
            "error: duplicate parameter 'a' at 1:12"
        );
        // The earliest error wins, whatever pass found it.
        assert_eq!(
            err("print(q);\nfn f() {}\nfn f() {}"),
            "error: undefined variable 'q' at 1:7"
        );
        assert_eq!(
            err("fn f() {}\nfn f() {}\nprint(q);"),
            "error: function 'f' is already declared at 2:4"
        );
    }
}
