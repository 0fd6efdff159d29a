//! The Tiny syntax tree, in two phases: as parsed (names are strings) and as
//! resolved (names are [`VarRef`]s and every local has a slot number).
//!
//! The tree types take a [`Phase`] parameter that defaults to [`Resolved`], so
//! `Expr`, `Stmt` and `Function` written without a parameter are the resolved
//! forms the code generator consumes. The parser builds `Expr<Parsed>`; the
//! resolver rebuilds it as `Expr` (see `resolve.rs`).
//!
//! Every node carries the `Span` of its first token, not counting enclosing
//! parentheses. Nodes whose runtime errors point elsewhere carry that position
//! too: `op_span` on operators, `bracket_span` on indexing; a call's errors
//! point at `callee.span`, a `for` bound's errors at that bound's `span`.
//!
//! **Invariant:** no tree is deeper than [`crate::MAX_NESTING`] levels (block
//! nesting plus expression height, counted generously), so recursive passes
//! over it cannot overflow the stack.

use std::fmt;

pub use crate::diag::Span;

/// What differs between the parsed and the resolved tree.
pub trait Phase: fmt::Debug + Clone + PartialEq {
    /// A variable named in an expression, a `let`, an assignment or a `for`.
    type Var: fmt::Debug + Clone + PartialEq;
    /// The hidden slots a `for` loop keeps its counter and end bound in.
    type LoopSlots: fmt::Debug + Clone + PartialEq;
}

/// The parser's output: names are the identifiers as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed;

impl Phase for Parsed {
    type Var = String;
    type LoopSlots = ();
}

/// The resolver's output: names are resolved references.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved;

impl Phase for Resolved {
    type Var = VarRef;
    type LoopSlots = LoopSlots;
}

/// What a name refers to, decided at compile time. Resolution order for reads
/// and calls: local, then global, then function, then builtin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VarRef {
    /// A slot of the current function's frame (`Function::num_locals` slots).
    Local(u32),
    /// An index into `Program::globals`.
    Global(u32),
    /// An index into `Program::functions` (read-only: a function value).
    Function(u32),
    /// A builtin function (read-only: a function value).
    Builtin(Builtin),
}

/// The hidden frame slots of one `for` loop: the loop's own counter and its
/// end bound, both evaluated once and never visible to the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoopSlots {
    pub counter_slot: u32,
    pub end_slot: u32,
}

/// The builtin functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    Print,
    Len,
    Push,
    Pop,
    Str,
    Int,
    Float,
    Sqrt,
    Abs,
    Clock,
    Args,
}

impl Builtin {
    /// Every builtin, in declaration order.
    pub const ALL: [Builtin; 11] = [
        Builtin::Print,
        Builtin::Len,
        Builtin::Push,
        Builtin::Pop,
        Builtin::Str,
        Builtin::Int,
        Builtin::Float,
        Builtin::Sqrt,
        Builtin::Abs,
        Builtin::Clock,
        Builtin::Args,
    ];

    /// The name a program calls it by (also shown as `<builtin NAME>`).
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Len => "len",
            Builtin::Push => "push",
            Builtin::Pop => "pop",
            Builtin::Str => "str",
            Builtin::Int => "int",
            Builtin::Float => "float",
            Builtin::Sqrt => "sqrt",
            Builtin::Abs => "abs",
            Builtin::Clock => "clock",
            Builtin::Args => "args",
        }
    }

    /// True when a call on ints and floats only computes its result or raises (see
    /// [`jit_core::heap::NativeObj::pure_on_numbers`]).
    pub fn pure_on_numbers(self) -> bool {
        matches!(
            self,
            Builtin::Len
                | Builtin::Str
                | Builtin::Int
                | Builtin::Float
                | Builtin::Sqrt
                | Builtin::Abs
        )
    }

    /// True when a call on ints and floats returns a float (see
    /// [`jit_core::heap::NativeObj::float_on_numbers`]).
    pub fn float_on_numbers(self) -> bool {
        matches!(self, Builtin::Float | Builtin::Sqrt)
    }

    /// The number of arguments it takes; `None` for `print`, which takes any.
    pub fn arity(self) -> Option<u32> {
        match self {
            Builtin::Print => None,
            Builtin::Clock | Builtin::Args => Some(0),
            Builtin::Push => Some(2),
            Builtin::Len
            | Builtin::Pop
            | Builtin::Str
            | Builtin::Int
            | Builtin::Float
            | Builtin::Sqrt
            | Builtin::Abs => Some(1),
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`: can fail (`unsupported operand type`, `integer overflow`).
    Neg,
    /// `not x`: never fails, always yields a bool.
    Not,
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "not",
        }
    }
}

/// The binary operators that evaluate both operands. Every one of them can
/// fail, except `==` and `!=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    /// The operator as written, as used in `unsupported operand types for OP`.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// The short-circuit operators: they yield the operand that decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicalOp {
    And,
    Or,
}

impl LogicalOp {
    pub fn symbol(self) -> &'static str {
        match self {
            LogicalOp::And => "and",
            LogicalOp::Or => "or",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr<P: Phase = Resolved> {
    pub kind: ExprKind<P>,
    /// The first token of the expression (inside any enclosing parentheses).
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind<P: Phase = Resolved> {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Nil,
    /// A name read. Resolved: a local, global, function or builtin.
    Var(P::Var),
    /// `[a, b, c]`: a new array each time it is evaluated.
    Array(Vec<Expr<P>>),
    /// `-x` or `not x`; errors point at `op_span`.
    Unary {
        op: UnaryOp,
        op_span: Span,
        operand: Box<Expr<P>>,
    },
    /// `lhs OP rhs`, `lhs` evaluated first; errors point at `op_span`.
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr<P>>,
        rhs: Box<Expr<P>>,
    },
    /// `lhs and rhs`, `lhs or rhs`: short-circuit, never fail.
    Logical {
        op: LogicalOp,
        op_span: Span,
        lhs: Box<Expr<P>>,
        rhs: Box<Expr<P>>,
    },
    /// `callee(args)`: the callee is evaluated first, then the arguments left
    /// to right, then the call is made. Every error of the call itself (not
    /// callable, wrong argument count, a builtin's error, stack overflow)
    /// points at `callee.span`.
    Call {
        callee: Box<Expr<P>>,
        args: Vec<Expr<P>>,
    },
    /// `target[index]`; errors point at `bracket_span`, the `[`.
    Index {
        target: Box<Expr<P>>,
        index: Box<Expr<P>>,
        bracket_span: Span,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt<P: Phase = Resolved> {
    pub kind: StmtKind<P>,
    /// The first token of the statement.
    pub span: Span,
}

/// One `if COND { BODY }` or `else if COND { BODY }` arm.
#[derive(Debug, Clone, PartialEq)]
pub struct IfBranch<P: Phase = Resolved> {
    pub cond: Expr<P>,
    pub body: Vec<Stmt<P>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind<P: Phase = Resolved> {
    /// `let NAME = value;`. Resolved, `var` is a `Local` (inside a function)
    /// or a `Global` (at top level); the store is the same as an assignment.
    Let {
        var: P::Var,
        name_span: Span,
        value: Expr<P>,
    },
    /// `NAME = value;`. Resolved, `var` is a `Local` or a `Global`.
    Assign {
        var: P::Var,
        name_span: Span,
        value: Expr<P>,
    },
    /// `target[index] = value;`: evaluates `target`, `index`, `value` in that
    /// order, then stores; errors of the store point at `bracket_span`.
    IndexStore {
        target: Expr<P>,
        index: Expr<P>,
        value: Expr<P>,
        bracket_span: Span,
    },
    /// `if c { } else if c { } else { }`: the branches are tried in order.
    If {
        branches: Vec<IfBranch<P>>,
        else_body: Option<Vec<Stmt<P>>>,
    },
    While {
        cond: Expr<P>,
        body: Vec<Stmt<P>>,
    },
    /// `for var in start .. end { body }`. `start` then `end` are evaluated
    /// once (both must be ints; errors point at that bound's `span`), the end
    /// goes to `slots.end_slot` and the counter lives in `slots.counter_slot`;
    /// each iteration stores the counter into `var` before running `body`, so
    /// assigning `var` in the body does not change the iterations. Resolved,
    /// `var` is a `Local` or a `Global`.
    For {
        var: P::Var,
        var_span: Span,
        start: Expr<P>,
        end: Expr<P>,
        body: Vec<Stmt<P>>,
        slots: P::LoopSlots,
    },
    /// `return value;` or `return;` (which returns nil). Only in functions.
    Return(Option<Expr<P>>),
    /// Only inside a loop of the same function.
    Break,
    /// Only inside a loop of the same function.
    Continue,
    /// `expr;`: evaluated for its effects, the value is dropped.
    Expr(Expr<P>),
}

/// A function declaration, or the top-level code (see [`Program::main`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Function<P: Phase = Resolved> {
    pub name: String,
    /// The function's name in its declaration (1:1 for `main`).
    pub name_span: Span,
    /// The parameter names; their slots are `0..params.len()`.
    pub params: Vec<String>,
    /// The number of frame slots: parameters, then every other local name in
    /// order of first declaration, interleaved with the hidden `for` slots.
    /// Every slot holds nil when the call starts (except the parameters).
    pub num_locals: u32,
    /// One name per slot, for dumps; hidden slots are named `for#counter`
    /// and `for#end`.
    pub local_names: Vec<String>,
    pub body: Vec<Stmt<P>>,
}

impl<P: Phase> Function<P> {
    pub fn arity(&self) -> u32 {
        u32::try_from(self.params.len()).unwrap_or(u32::MAX)
    }
}

/// A resolved program.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// The file name to show in runtime error locations (`at FILE:LINE:COL`).
    pub file_name: String,
    /// The global variables, in order of first appearance: every name bound
    /// by a `let` or a `for` at top level (including inside top-level
    /// blocks). `VarRef::Global(i)` is `globals[i]`; all start as nil.
    pub globals: Vec<String>,
    /// The declared functions in source order; `VarRef::Function(i)` is
    /// `functions[i]`.
    pub functions: Vec<Function>,
    /// The top-level statements in source order, as a function named
    /// `<main>` with no parameters. Its `let`/`for` variables are `Global`s;
    /// its frame slots are only the hidden `for` slots. It contains no
    /// `return`.
    pub main: Function,
}

/// The parser's output: functions and top-level statements in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedProgram {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Function(FunctionDecl),
    Stmt(Stmt<Parsed>),
}

/// A parsed `fn NAME(PARAMS) { BODY }`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDecl {
    pub name: String,
    pub name_span: Span,
    /// Each parameter with the span of its name.
    pub params: Vec<(String, Span)>,
    pub body: Vec<Stmt<Parsed>>,
}
