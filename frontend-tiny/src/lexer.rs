//! Lexer: turns Tiny source text into tokens, each with its source position.
//!
//! The lexer runs over the whole text up front. It stops at the first
//! malformed token and records the error; the token list then ends with a
//! [`TokenKind::Error`] token at that position, so that the parser reports any
//! syntax error that comes earlier in the text first.

use crate::diag::{Diagnostic, Span};

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Ident(String),
    Int(i64),
    Float(f64),
    Str(String),
    // Keywords.
    Fn,
    Let,
    If,
    Else,
    While,
    For,
    In,
    Return,
    Break,
    Continue,
    True,
    False,
    Nil,
    And,
    Or,
    Not,
    // Punctuation and operators.
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semicolon,
    Assign,
    EqEq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    DotDot,
    /// The end of the source text.
    Eof,
    /// A malformed token; the lexer's diagnostic says what is wrong with it.
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// Byte offset just past the token's last char.
    pub end: usize,
}

/// The tokens of a source text. `tokens` always ends with an `Eof` token, or
/// with an `Error` token when `error` is set.
#[derive(Debug, Clone)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub error: Option<Diagnostic>,
}

fn keyword(word: &str) -> Option<TokenKind> {
    Some(match word {
        "fn" => TokenKind::Fn,
        "let" => TokenKind::Let,
        "if" => TokenKind::If,
        "else" => TokenKind::Else,
        "while" => TokenKind::While,
        "for" => TokenKind::For,
        "in" => TokenKind::In,
        "return" => TokenKind::Return,
        "break" => TokenKind::Break,
        "continue" => TokenKind::Continue,
        "true" => TokenKind::True,
        "false" => TokenKind::False,
        "nil" => TokenKind::Nil,
        "and" => TokenKind::And,
        "or" => TokenKind::Or,
        "not" => TokenKind::Not,
        _ => return None,
    })
}

/// Shows a char in a message: as itself, or escaped if it is invisible.
fn show_char(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') {
        c.escape_default().to_string()
    } else {
        c.to_string()
    }
}

/// Splits `source` into tokens.
pub fn tokenize(source: &str) -> Lexed {
    let mut lexer = Lexer {
        source,
        pos: 0,
        line: 1,
        col: 1,
    };
    let mut tokens = Vec::new();
    loop {
        lexer.skip_trivia();
        let span = lexer.span();
        match lexer.token() {
            Ok(TokenKind::Eof) => {
                tokens.push(Token {
                    kind: TokenKind::Eof,
                    span,
                    end: lexer.pos,
                });
                return Lexed {
                    tokens,
                    error: None,
                };
            }
            Ok(kind) => tokens.push(Token {
                kind,
                span,
                end: lexer.pos,
            }),
            Err(error) => {
                tokens.push(Token {
                    kind: TokenKind::Error,
                    span: error.span,
                    end: error.span.offset,
                });
                return Lexed {
                    tokens,
                    error: Some(error),
                };
            }
        }
    }
}

struct Lexer<'a> {
    source: &'a str,
    pos: usize,
    line: u32,
    col: u32,
}

impl Lexer<'_> {
    fn span(&self) -> Span {
        Span {
            line: self.line,
            col: self.col,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<char> {
        self.source[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut chars = self.source[self.pos..].chars();
        chars.next();
        chars.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line = self.line.saturating_add(1);
            self.col = 1;
        } else {
            self.col = self.col.saturating_add(1);
        }
        Some(c)
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    self.bump();
                }
                '#' => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                _ => break,
            }
        }
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
    }

    fn token(&mut self) -> Result<TokenKind, Diagnostic> {
        let start = self.span();
        let Some(c) = self.bump() else {
            return Ok(TokenKind::Eof);
        };
        let kind = match c {
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            '[' => TokenKind::LBracket,
            ']' => TokenKind::RBracket,
            '{' => TokenKind::LBrace,
            '}' => TokenKind::RBrace,
            ',' => TokenKind::Comma,
            ';' => TokenKind::Semicolon,
            '+' => TokenKind::Plus,
            '-' => TokenKind::Minus,
            '*' => TokenKind::Star,
            '/' => TokenKind::Slash,
            '%' => TokenKind::Percent,
            '=' => self.two('=', TokenKind::EqEq, TokenKind::Assign),
            '<' => self.two('=', TokenKind::LtEq, TokenKind::Lt),
            '>' => self.two('=', TokenKind::GtEq, TokenKind::Gt),
            '!' if self.peek() == Some('=') => {
                self.bump();
                TokenKind::NotEq
            }
            '.' if self.peek() == Some('.') => {
                self.bump();
                TokenKind::DotDot
            }
            '"' => return self.string(start),
            '0'..='9' => return self.number(start),
            c if c.is_ascii_alphabetic() || c == '_' => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.bump();
                }
                let word = &self.source[start.offset..self.pos];
                keyword(word).unwrap_or_else(|| TokenKind::Ident(word.to_string()))
            }
            c => {
                return Err(Diagnostic::new(
                    format!("unexpected character '{}'", show_char(c)),
                    start,
                ))
            }
        };
        Ok(kind)
    }

    /// Lexes a one- or two-char operator whose second char is `second`.
    fn two(&mut self, second: char, long: TokenKind, short: TokenKind) -> TokenKind {
        if self.peek() == Some(second) {
            self.bump();
            long
        } else {
            short
        }
    }

    /// Lexes an integer (`123`) or float (`1.5`, `2.0e-3`) literal whose
    /// first digit has been consumed. `1e5` and `1.` are not floats: the
    /// literal ends before the `e` or the `.`, so that `0..10` is a range.
    fn number(&mut self, start: Span) -> Result<TokenKind, Diagnostic> {
        self.skip_digits();
        let is_float = self.peek() == Some('.') && self.peek2().is_some_and(|c| c.is_ascii_digit());
        if !is_float {
            let text = &self.source[start.offset..self.pos];
            let mut value: i64 = 0;
            for digit in text.bytes() {
                value = match value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(i64::from(digit - b'0')))
                {
                    Some(v) => v,
                    None => {
                        return Err(Diagnostic::new(
                            format!("integer literal {text} does not fit in i64"),
                            start,
                        ))
                    }
                };
            }
            return Ok(TokenKind::Int(value));
        }
        self.bump();
        self.skip_digits();
        if matches!(self.peek(), Some('e' | 'E')) {
            let rest = &self.source[self.pos + 1..];
            let mut chars = rest.chars();
            let has_exponent = match chars.next() {
                Some('+' | '-') => chars.next().is_some_and(|c| c.is_ascii_digit()),
                Some(c) => c.is_ascii_digit(),
                None => false,
            };
            if has_exponent {
                self.bump();
                if matches!(self.peek(), Some('+' | '-')) {
                    self.bump();
                }
                self.skip_digits();
            }
        }
        let text = &self.source[start.offset..self.pos];
        // The text is `digits.digits` with an optional exponent, which
        // `f64::from_str` always accepts; a value too large becomes infinity.
        let value = text.parse::<f64>().unwrap_or(f64::INFINITY);
        Ok(TokenKind::Float(value))
    }

    /// Lexes a string literal whose opening quote (at `start`) has been
    /// consumed.
    fn string(&mut self, start: Span) -> Result<TokenKind, Diagnostic> {
        let mut value = String::new();
        loop {
            let here = self.span();
            match self.bump() {
                None => return Err(Diagnostic::new("unterminated string literal", start)),
                Some('"') => return Ok(TokenKind::Str(value)),
                Some('\\') => match self.bump() {
                    None => return Err(Diagnostic::new("unterminated string literal", start)),
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('"') => value.push('"'),
                    Some('\\') => value.push('\\'),
                    Some(c) => {
                        return Err(Diagnostic::new(
                            format!("unknown escape sequence \\{}", show_char(c)),
                            here,
                        ))
                    }
                },
                Some(c) => value.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        let lexed = tokenize(source);
        assert_eq!(lexed.error, None, "{source}");
        lexed.tokens.into_iter().map(|t| t.kind).collect()
    }

    fn error(source: &str) -> String {
        tokenize(source).error.expect("an error").to_string()
    }

    #[test]
    fn numbers_and_ranges() {
        use TokenKind::*;
        assert_eq!(kinds("0..10"), vec![Int(0), DotDot, Int(10), Eof]);
        assert_eq!(
            kinds("1.5 2.0e-3 3.0E+2 4.25e1"),
            vec![Float(1.5), Float(0.002), Float(300.0), Float(42.5), Eof]
        );
        assert_eq!(kinds("1e5"), vec![Int(1), Ident("e5".into()), Eof]);
        assert_eq!(kinds("1.5e"), vec![Float(1.5), Ident("e".into()), Eof]);
        assert_eq!(kinds("1.0e999"), vec![Float(f64::INFINITY), Eof]);
        assert_eq!(kinds("9223372036854775807"), vec![Int(i64::MAX), Eof]);
        assert_eq!(
            error("x = 9223372036854775808;"),
            "error: integer literal 9223372036854775808 does not fit in i64 at 1:5"
        );
    }

    #[test]
    fn strings() {
        assert_eq!(
            kinds("\"a\\n\\t\\\"\\\\\nb\""),
            vec![TokenKind::Str("a\n\t\"\\\nb".into()), TokenKind::Eof]
        );
        assert_eq!(
            error("\n  \"abc"),
            "error: unterminated string literal at 2:3"
        );
        assert_eq!(error("\"ab\\"), "error: unterminated string literal at 1:1");
        assert_eq!(
            error("\"ab\\q\""),
            "error: unknown escape sequence \\q at 1:4"
        );
    }

    #[test]
    fn operators_keywords_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds("a<=b # c\n!= == = fn_ not"),
            vec![
                Ident("a".into()),
                LtEq,
                Ident("b".into()),
                NotEq,
                EqEq,
                Assign,
                Ident("fn_".into()),
                Not,
                Eof
            ]
        );
        assert_eq!(error("a ! b"), "error: unexpected character '!' at 1:3");
        assert_eq!(error("a.b"), "error: unexpected character '.' at 1:2");
        assert_eq!(error("\té"), "error: unexpected character 'é' at 1:2");
    }
}
