//! Parser: tokens to the parsed syntax tree (`ast::ParsedProgram`).
//!
//! Statements are parsed by recursive descent, expressions by precedence
//! climbing. The parser also enforces the rules that depend only on where a
//! statement stands: `fn` only at top level, `return` only in a function,
//! `break`/`continue` only in a loop, and no chained comparisons.
//!
//! Nesting is bounded by [`MAX_NESTING`]: the parser counts how deep it has
//! descended (blocks, parentheses, brackets, call arguments, prefix
//! operators) and the height of every expression it builds (so a chain like
//! `a + b + c` counts one level per operator), and gives up with a compile
//! error at the limit. Neither the parser nor any later recursive pass over
//! the tree can therefore overflow the stack, whatever the input.

use crate::ast::{
    BinaryOp, Expr, ExprKind, FunctionDecl, IfBranch, Item, LogicalOp, Parsed, ParsedProgram, Stmt,
    StmtKind, UnaryOp,
};
use crate::diag::{Diagnostic, Span};
use crate::lexer::{tokenize, Token, TokenKind};
use crate::MAX_NESTING;

type PExpr = Expr<Parsed>;
type PStmt = Stmt<Parsed>;

/// Binding strength of the binary operators and prefix `not` (higher binds
/// tighter). Unary minus binds tighter than all binary operators, and calls
/// and indexing tighter still.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_COMPARE: u8 = 4;
const PREC_ADD: u8 = 5;
const PREC_MUL: u8 = 6;
const PREC_UNARY: u8 = 7;

/// Parses a whole source text.
pub fn parse(source: &str) -> Result<ParsedProgram, Diagnostic> {
    let lexed = tokenize(source);
    let mut parser = Parser {
        source,
        tokens: lexed.tokens,
        lex_error: lexed.error,
        pos: 0,
        depth: 0,
        in_function: false,
        loop_depth: 0,
    };
    parser.program()
}

/// A binary operator token: its precedence and what it builds.
#[derive(Clone, Copy)]
enum Infix {
    Binary(BinaryOp),
    Logical(LogicalOp),
}

fn infix(kind: &TokenKind) -> Option<(u8, Infix)> {
    use Infix::{Binary, Logical};
    Some(match kind {
        TokenKind::Or => (PREC_OR, Logical(LogicalOp::Or)),
        TokenKind::And => (PREC_AND, Logical(LogicalOp::And)),
        TokenKind::EqEq => (PREC_COMPARE, Binary(BinaryOp::Eq)),
        TokenKind::NotEq => (PREC_COMPARE, Binary(BinaryOp::Ne)),
        TokenKind::Lt => (PREC_COMPARE, Binary(BinaryOp::Lt)),
        TokenKind::LtEq => (PREC_COMPARE, Binary(BinaryOp::Le)),
        TokenKind::Gt => (PREC_COMPARE, Binary(BinaryOp::Gt)),
        TokenKind::GtEq => (PREC_COMPARE, Binary(BinaryOp::Ge)),
        TokenKind::Plus => (PREC_ADD, Binary(BinaryOp::Add)),
        TokenKind::Minus => (PREC_ADD, Binary(BinaryOp::Sub)),
        TokenKind::Star => (PREC_MUL, Binary(BinaryOp::Mul)),
        TokenKind::Slash => (PREC_MUL, Binary(BinaryOp::Div)),
        TokenKind::Percent => (PREC_MUL, Binary(BinaryOp::Rem)),
        _ => return None,
    })
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    lex_error: Option<Diagnostic>,
    pos: usize,
    /// How many blocks and nested expressions enclose the current token.
    depth: u32,
    in_function: bool,
    /// How many loops of the current function enclose the current token.
    loop_depth: u32,
}

impl Parser<'_> {
    // ---- Token access -------------------------------------------------

    fn current(&self) -> &Token {
        // The list always ends with Eof or Error, which are never consumed.
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.pos.min(last)]
    }

    fn peek(&self) -> &TokenKind {
        &self.current().kind
    }

    fn span(&self) -> Span {
        self.current().span
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn bump(&mut self) -> Token {
        let token = self.current().clone();
        if !matches!(token.kind, TokenKind::Eof | TokenKind::Error) {
            self.pos += 1;
        }
        token
    }

    /// The token before the current one, if any.
    fn previous(&self) -> Option<&Token> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i))
    }

    /// How the current token is named in an error message.
    fn describe_current(&self) -> String {
        let token = self.current();
        match token.kind {
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Str(_) => "string literal".to_string(),
            _ => {
                let text = self.source.get(token.span.offset..token.end).unwrap_or("?");
                if text.chars().count() > 30 {
                    let short: String = text.chars().take(27).collect();
                    format!("'{short}...'")
                } else {
                    format!("'{text}'")
                }
            }
        }
    }

    /// An error at the current token. If the current token is malformed,
    /// the lexer's error about it wins.
    fn error_here(&self, message: impl Into<String>) -> Diagnostic {
        if self.at(&TokenKind::Error) {
            if let Some(error) = &self.lex_error {
                return error.clone();
            }
        }
        Diagnostic::new(message, self.span())
    }

    /// `expected WHAT, found TOKEN` at the current token.
    fn expected(&self, what: &str) -> Diagnostic {
        self.error_here(format!(
            "expected {what}, found {}",
            self.describe_current()
        ))
    }

    /// Consumes a token of `kind`, or fails with `expected WHAT, found ...`.
    fn expect(&mut self, kind: &TokenKind, what: &str) -> Result<Token, Diagnostic> {
        if self.at(kind) {
            Ok(self.bump())
        } else {
            Err(self.expected(what))
        }
    }

    fn expect_ident(&mut self, what: &str) -> Result<(String, Span), Diagnostic> {
        if let TokenKind::Ident(name) = self.peek() {
            let name = name.clone();
            let span = self.bump().span;
            Ok((name, span))
        } else {
            Err(self.expected(what))
        }
    }

    // ---- Nesting ------------------------------------------------------

    fn enter(&mut self, message: &str) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_here(message));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Checks the height of an expression just built, at the current depth.
    fn check_height(&self, height: u32, at: Span) -> Result<(), Diagnostic> {
        if self.depth.saturating_add(height) > MAX_NESTING {
            return Err(Diagnostic::new("expression nests too deeply", at));
        }
        Ok(())
    }

    // ---- Items and statements -----------------------------------------

    fn program(&mut self) -> Result<ParsedProgram, Diagnostic> {
        let mut items = Vec::new();
        while !self.at(&TokenKind::Eof) {
            if self.at(&TokenKind::Fn) {
                items.push(Item::Function(self.function()?));
            } else {
                items.push(Item::Stmt(self.statement()?));
            }
        }
        Ok(ParsedProgram { items })
    }

    fn function(&mut self) -> Result<FunctionDecl, Diagnostic> {
        self.bump();
        let (name, name_span) = self.expect_ident("a function name after 'fn'")?;
        self.expect(&TokenKind::LParen, "'(' after the function name")?;
        let mut params = Vec::new();
        if !self.at(&TokenKind::RParen) {
            loop {
                params.push(self.expect_ident("a parameter name")?);
                if self.at(&TokenKind::Comma) {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        self.expect(&TokenKind::RParen, "',' or ')' after a parameter")?;
        self.in_function = true;
        self.loop_depth = 0;
        let body = self.block("'{' before the function body");
        self.in_function = false;
        Ok(FunctionDecl {
            name,
            name_span,
            params,
            body: body?,
        })
    }

    /// `{ statements }`; `what` names the `{` in the error if it is missing.
    fn block(&mut self, what: &str) -> Result<Vec<PStmt>, Diagnostic> {
        let open = self.expect(&TokenKind::LBrace, what)?;
        // A block leaves room for at least one level of expression inside it,
        // so that deep `if` nesting reports blocks, not its conditions.
        self.depth += 1;
        if self.depth >= MAX_NESTING {
            return Err(Diagnostic::new("blocks nest too deeply", open.span));
        }
        let mut body = Vec::new();
        while !self.at(&TokenKind::RBrace) {
            if self.at(&TokenKind::Eof) {
                return Err(self.expected("'}' to close the block"));
            }
            body.push(self.statement()?);
        }
        self.bump();
        self.leave();
        Ok(body)
    }

    fn loop_body(&mut self) -> Result<Vec<PStmt>, Diagnostic> {
        self.loop_depth += 1;
        let body = self.block("'{' before the loop body");
        self.loop_depth -= 1;
        body
    }

    fn statement(&mut self) -> Result<PStmt, Diagnostic> {
        let span = self.span();
        let kind = match self.peek() {
            TokenKind::Let => {
                self.bump();
                let (name, name_span) = self.expect_ident("a variable name after 'let'")?;
                self.expect(&TokenKind::Assign, "'=' after the variable name")?;
                let value = self.expression()?;
                self.expect(&TokenKind::Semicolon, "';' after expression")?;
                StmtKind::Let {
                    var: name,
                    name_span,
                    value,
                }
            }
            TokenKind::If => {
                self.bump();
                let mut branches = Vec::new();
                let mut else_body = None;
                loop {
                    let cond = self.expression()?;
                    let body = self.block("'{' after the condition")?;
                    branches.push(IfBranch { cond, body });
                    if !self.at(&TokenKind::Else) {
                        break;
                    }
                    self.bump();
                    if self.at(&TokenKind::If) {
                        self.bump();
                    } else {
                        else_body = Some(self.block("'{' or 'if' after 'else'")?);
                        break;
                    }
                }
                StmtKind::If {
                    branches,
                    else_body,
                }
            }
            TokenKind::While => {
                self.bump();
                let cond = self.expression()?;
                let body = self.loop_body()?;
                StmtKind::While { cond, body }
            }
            TokenKind::For => {
                self.bump();
                let (var, var_span) = self.expect_ident("a loop variable name after 'for'")?;
                self.expect(&TokenKind::In, "'in' after the loop variable")?;
                let start = self.expression()?;
                self.expect(&TokenKind::DotDot, "'..' after the start of the range")?;
                let end = self.expression()?;
                let body = self.loop_body()?;
                StmtKind::For {
                    var,
                    var_span,
                    start,
                    end,
                    body,
                    slots: (),
                }
            }
            TokenKind::Return => {
                if !self.in_function {
                    return Err(self.error_here("'return' outside of a function"));
                }
                self.bump();
                let value = if self.at(&TokenKind::Semicolon) {
                    None
                } else {
                    Some(self.expression()?)
                };
                self.expect(&TokenKind::Semicolon, "';' after expression")?;
                StmtKind::Return(value)
            }
            TokenKind::Break | TokenKind::Continue => {
                let is_break = self.at(&TokenKind::Break);
                let word = if is_break { "break" } else { "continue" };
                if self.loop_depth == 0 {
                    return Err(self.error_here(format!("'{word}' outside of a loop")));
                }
                self.bump();
                self.expect(&TokenKind::Semicolon, &format!("';' after '{word}'"))?;
                if is_break {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            TokenKind::Fn => {
                return Err(self.error_here("functions can only be declared at top level"));
            }
            _ => self.expression_statement()?,
        };
        Ok(Stmt { kind, span })
    }

    /// `expr;`, `name = expr;` or `expr[expr] = expr;`.
    fn expression_statement(&mut self) -> Result<StmtKind<Parsed>, Diagnostic> {
        let expr = self.expression()?;
        if !self.at(&TokenKind::Assign) {
            self.expect(&TokenKind::Semicolon, "';' after expression")?;
            return Ok(StmtKind::Expr(expr));
        }
        // A target in parentheses, such as `(x) = 1`, is not a name or an
        // index as the grammar requires; it is the only way a name or index
        // expression can end with `)`.
        let parenthesized = self.previous().is_some_and(|t| t.kind == TokenKind::RParen);
        let target_span = expr.span;
        let kind = match expr.kind {
            ExprKind::Var(name) if !parenthesized => {
                self.bump();
                let value = self.expression()?;
                StmtKind::Assign {
                    var: name,
                    name_span: target_span,
                    value,
                }
            }
            ExprKind::Index {
                target,
                index,
                bracket_span,
            } if !parenthesized => {
                self.bump();
                let value = self.expression()?;
                StmtKind::IndexStore {
                    target: *target,
                    index: *index,
                    value,
                    bracket_span,
                }
            }
            _ => return Err(Diagnostic::new("invalid assignment target", target_span)),
        };
        self.expect(&TokenKind::Semicolon, "';' after expression")?;
        Ok(kind)
    }

    // ---- Expressions --------------------------------------------------

    fn expression(&mut self) -> Result<PExpr, Diagnostic> {
        Ok(self.expr_prec(0)?.0)
    }

    /// Parses an expression whose binary operators all bind at least as
    /// tightly as `min`; returns it with its height.
    fn expr_prec(&mut self, min: u8) -> Result<(PExpr, u32), Diagnostic> {
        self.enter("expression nests too deeply")?;
        let result = self.expr_prec_inner(min);
        self.leave();
        result
    }

    fn expr_prec_inner(&mut self, min: u8) -> Result<(PExpr, u32), Diagnostic> {
        let (mut lhs, mut height) = self.prefix(min)?;
        // Set while `lhs` is a comparison built by this loop, to reject
        // `a < b < c` (but not `(a < b) < c`).
        let mut lhs_is_comparison = false;
        while let Some((prec, op)) = infix(self.peek()) {
            if prec < min {
                break;
            }
            let op_span = self.span();
            if prec == PREC_COMPARE && lhs_is_comparison {
                return Err(Diagnostic::new(
                    "comparison operators cannot be chained",
                    op_span,
                ));
            }
            self.bump();
            let (rhs, rhs_height) = self.expr_prec(prec + 1)?;
            height = 1 + height.max(rhs_height);
            self.check_height(height, op_span)?;
            let span = lhs.span;
            let (lhs_box, rhs_box) = (Box::new(lhs), Box::new(rhs));
            let kind = match op {
                Infix::Binary(op) => ExprKind::Binary {
                    op,
                    op_span,
                    lhs: lhs_box,
                    rhs: rhs_box,
                },
                Infix::Logical(op) => ExprKind::Logical {
                    op,
                    op_span,
                    lhs: lhs_box,
                    rhs: rhs_box,
                },
            };
            lhs = Expr { kind, span };
            lhs_is_comparison = prec == PREC_COMPARE;
        }
        Ok((lhs, height))
    }

    /// A prefix operator applied to its operand, or a postfix expression.
    fn prefix(&mut self, min: u8) -> Result<(PExpr, u32), Diagnostic> {
        let op_span = self.span();
        let (op, operand_prec) = match self.peek() {
            // `not` binds more loosely than comparisons, so it cannot stand
            // where an operand of a comparison or arithmetic is expected.
            TokenKind::Not if min <= PREC_NOT => (UnaryOp::Not, PREC_NOT),
            TokenKind::Minus => (UnaryOp::Neg, PREC_UNARY),
            _ => return self.postfix(),
        };
        self.bump();
        let (operand, height) = self.expr_prec(operand_prec)?;
        let height = height + 1;
        self.check_height(height, op_span)?;
        let expr = Expr {
            kind: ExprKind::Unary {
                op,
                op_span,
                operand: Box::new(operand),
            },
            span: op_span,
        };
        Ok((expr, height))
    }

    /// A primary expression followed by any calls and indexing.
    fn postfix(&mut self) -> Result<(PExpr, u32), Diagnostic> {
        let (mut expr, mut height) = self.primary()?;
        loop {
            let span = expr.span;
            match self.peek() {
                TokenKind::LParen => {
                    let at = self.bump().span;
                    let (args, args_height) = self.list(&TokenKind::RParen, "')'")?;
                    height = 1 + height.max(args_height);
                    self.check_height(height, at)?;
                    expr = Expr {
                        kind: ExprKind::Call {
                            callee: Box::new(expr),
                            args,
                        },
                        span,
                    };
                }
                TokenKind::LBracket => {
                    let bracket_span = self.bump().span;
                    let (index, index_height) = self.expr_prec(0)?;
                    self.expect(&TokenKind::RBracket, "']' after the index")?;
                    height = 1 + height.max(index_height);
                    self.check_height(height, bracket_span)?;
                    expr = Expr {
                        kind: ExprKind::Index {
                            target: Box::new(expr),
                            index: Box::new(index),
                            bracket_span,
                        },
                        span,
                    };
                }
                _ => return Ok((expr, height)),
            }
        }
    }

    /// Comma-separated expressions up to `close`, whose opening bracket has
    /// been consumed; returns them with the greatest height among them.
    fn list(&mut self, close: &TokenKind, name: &str) -> Result<(Vec<PExpr>, u32), Diagnostic> {
        let mut items = Vec::new();
        let mut height = 0;
        if self.at(close) {
            self.bump();
            return Ok((items, height));
        }
        loop {
            let (item, item_height) = self.expr_prec(0)?;
            items.push(item);
            height = height.max(item_height);
            if self.at(&TokenKind::Comma) {
                self.bump();
            } else if self.at(close) {
                self.bump();
                return Ok((items, height));
            } else {
                return Err(self.expected(&format!("',' or {name}")));
            }
        }
    }

    fn primary(&mut self) -> Result<(PExpr, u32), Diagnostic> {
        let span = self.span();
        let kind = match self.peek() {
            TokenKind::Int(value) => ExprKind::Int(*value),
            TokenKind::Float(value) => ExprKind::Float(*value),
            TokenKind::Str(value) => ExprKind::Str(value.clone()),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::Nil => ExprKind::Nil,
            TokenKind::Ident(name) => ExprKind::Var(name.clone()),
            TokenKind::LParen => {
                self.bump();
                let inner = self.expr_prec(0)?;
                self.expect(&TokenKind::RParen, "')'")?;
                return Ok(inner);
            }
            TokenKind::LBracket => {
                self.bump();
                let (items, height) = self.list(&TokenKind::RBracket, "']'")?;
                let height = height + 1;
                self.check_height(height, span)?;
                return Ok((
                    Expr {
                        kind: ExprKind::Array(items),
                        span,
                    },
                    height,
                ));
            }
            _ => return Err(self.expected("expression")),
        };
        self.bump();
        Ok((Expr { kind, span }, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(source: &str) -> String {
        parse(source).expect_err(source).to_string()
    }

    /// Renders an expression with full parentheses, to check precedence.
    fn show(e: &PExpr) -> String {
        match &e.kind {
            ExprKind::Int(v) => v.to_string(),
            ExprKind::Float(v) => format!("{v:?}"),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Nil => "nil".into(),
            ExprKind::Var(n) => n.clone(),
            ExprKind::Array(items) => {
                format!(
                    "[{}]",
                    items.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
            ExprKind::Unary { op, operand, .. } => format!("({} {})", op.symbol(), show(operand)),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
            }
            ExprKind::Logical { op, lhs, rhs, .. } => {
                format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
            }
            ExprKind::Call { callee, args } => format!(
                "{}({})",
                show(callee),
                args.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::Index { target, index, .. } => format!("{}[{}]", show(target), show(index)),
        }
    }

    fn expr(source: &str) -> String {
        let program = parse(&format!("{source};")).expect(source);
        match &program.items[0] {
            Item::Stmt(Stmt {
                kind: StmtKind::Expr(e),
                ..
            }) => show(e),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn precedence() {
        assert_eq!(expr("1 + 2 * 3 - 4"), "((1 + (2 * 3)) - 4)");
        assert_eq!(expr("-2 * 3"), "((- 2) * 3)");
        assert_eq!(expr("-a[0](1)"), "(- a[0](1))");
        assert_eq!(
            expr("a or b and not c == d"),
            "(a or (b and (not (c == d))))"
        );
        assert_eq!(expr("not not x"), "(not (not x))");
        assert_eq!(expr("2 - -3 % 2"), "(2 - ((- 3) % 2))");
        assert_eq!(expr("(a < b) < c"), "((a < b) < c)");
        assert_eq!(expr("a < b and c < d"), "((a < b) and (c < d))");
        assert_eq!(expr("[1, [2], f()]"), "[1, [2], f()]");
        assert_eq!(expr("10 / 5 / 2"), "((10 / 5) / 2)");
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(
            err("print(1 < 2 < 3);"),
            "error: comparison operators cannot be chained at 1:13"
        );
        assert_eq!(
            err("x = 1 == 2 != 3;"),
            "error: comparison operators cannot be chained at 1:12"
        );
        assert_eq!(
            err("x = 1 + not 2;"),
            "error: expected expression, found 'not' at 1:9"
        );
        assert_eq!(
            err("x = 1\ny = 2;"),
            "error: expected ';' after expression, found 'y' at 2:1"
        );
        assert_eq!(err("(x) = 1;"), "error: invalid assignment target at 1:2");
        assert_eq!(err("f() = 1;"), "error: invalid assignment target at 1:1");
        assert_eq!(
            err("if x { print(1);"),
            "error: expected '}' to close the block, found end of file at 1:17"
        );
        assert_eq!(
            err("return 1;"),
            "error: 'return' outside of a function at 1:1"
        );
        assert_eq!(
            err("fn f() { while x { } break; }"),
            "error: 'break' outside of a loop at 1:22"
        );
        assert_eq!(
            err("while x { fn g() {} }"),
            "error: functions can only be declared at top level at 1:11"
        );
        // A syntax error before a malformed token is reported first ...
        assert_eq!(
            err("x = ;\n$"),
            "error: expected expression, found ';' at 1:5"
        );
        // ... and the malformed token's own error otherwise.
        assert_eq!(err("x = $;"), "error: unexpected character '$' at 1:5");
        assert_eq!(
            err("print(\"abc);"),
            "error: unterminated string literal at 1:7"
        );
    }

    #[test]
    fn deep_nesting_is_an_error() {
        for (open, message) in [
            ("(", "expression nests too deeply"),
            ("[", "expression nests too deeply"),
            ("-", "expression nests too deeply"),
            ("not ", "expression nests too deeply"),
            ("f(", "expression nests too deeply"),
            ("a[", "expression nests too deeply"),
            ("if x {", "blocks nest too deeply"),
            ("while x {", "blocks nest too deeply"),
        ] {
            let source = format!("x = {};", open.repeat(100_000));
            let source = source.replace("x = if", "if").replace("x = while", "while");
            let error = parse(&source).expect_err(open);
            assert_eq!(error.message, message, "{open}");
        }
        let chain = format!("x = 1{};", " + 1".repeat(100_000));
        assert_eq!(
            parse(&chain).expect_err("chain").message,
            "expression nests too deeply"
        );
        let calls = format!("x = f{};", "()".repeat(100_000));
        assert_eq!(
            parse(&calls).expect_err("calls").message,
            "expression nests too deeply"
        );
        // Long flat constructs are fine.
        let flat = format!("x = [{}];", "1, ".repeat(100_000) + "1");
        assert!(parse(&flat).is_ok());
        let else_ifs = format!("if a {{ }}{} else {{ }}", " else if b { }".repeat(10_000));
        assert!(parse(&else_ifs).is_ok());
        let sum = format!("x = 1{};", " + 1".repeat(150));
        assert!(parse(&sum).is_ok());
    }
}
