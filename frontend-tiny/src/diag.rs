//! Source positions and compile-time diagnostics, rendered in the rustc style.

use std::fmt;

/// A position in the source text: where a token or an AST node starts.
///
/// `line` and `col` are 1-based; `col` counts chars (not bytes) from the start
/// of the line, so a tab is one column. `offset` is the byte offset of the
/// same position, always on a char boundary of the source it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub offset: usize,
}

impl Span {
    /// The position of the first char of a source text.
    pub const START: Span = Span {
        line: 1,
        col: 1,
        offset: 0,
    };
}

impl fmt::Display for Span {
    /// Formats as `LINE:COL`, the form used after a file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A compile-time error: a message and the position it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub span: Span,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
        }
    }

    /// Renders the diagnostic as the compiler prints it on stderr, ending
    /// with a newline:
    ///
    /// ```text
    /// error: undefined variable 'y'
    ///  --> prog.tiny:3:9
    ///   |
    /// 3 | let x = y;
    ///   |         ^
    /// ```
    ///
    /// The gutter is as wide as the line number. Tabs before the caret are
    /// copied into the caret line so that the caret lines up under the
    /// offending char. `source` must be the text the span was computed from;
    /// a span that does not fit it still renders without panicking.
    pub fn render(&self, file_name: &str, source: &str) -> String {
        let line_text = line_at(source, self.span.offset);
        let number = self.span.line.to_string();
        let pad = " ".repeat(number.len());
        let mut caret = String::new();
        let mut chars = line_text.chars();
        for _ in 1..self.span.col {
            match chars.next() {
                Some('\t') => caret.push('\t'),
                _ => caret.push(' '),
            }
        }
        caret.push('^');
        let mut out = String::new();
        out.push_str(&format!("error: {}\n", self.message));
        out.push_str(&format!("{pad}--> {file_name}:{}\n", self.span));
        out.push_str(&format!("{pad} |\n"));
        if line_text.is_empty() {
            out.push_str(&format!("{number} |\n"));
        } else {
            out.push_str(&format!("{number} | {line_text}\n"));
        }
        out.push_str(&format!("{pad} | {caret}\n"));
        out
    }
}

impl fmt::Display for Diagnostic {
    /// The short form, `error: MESSAGE at LINE:COL`, for logs and tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {} at {}", self.message, self.span)
    }
}

/// The full line of `source` that contains byte `offset`, without its line
/// terminator (`\n` or `\r\n`).
fn line_at(source: &str, offset: usize) -> &str {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    let line = &source[start..end];
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let source = "let a = 1;\n\nlet x = y;\n";
        let d = Diagnostic::new(
            "undefined variable 'y'",
            Span {
                line: 3,
                col: 9,
                offset: 20,
            },
        );
        assert_eq!(
            d.render("prog.tiny", source),
            "error: undefined variable 'y'\n --> prog.tiny:3:9\n  |\n3 | let x = y;\n  |         ^\n"
        );
    }

    #[test]
    fn wide_gutter_and_tabs() {
        let source = format!("{}\tif\tzz {{\n", "\n".repeat(11));
        let d = Diagnostic::new(
            "m",
            Span {
                line: 12,
                col: 5,
                offset: 15,
            },
        );
        assert_eq!(
            d.render("f.tiny", &source),
            "error: m\n  --> f.tiny:12:5\n   |\n12 | \tif\tzz {\n   | \t  \t^\n"
        );
    }

    #[test]
    fn out_of_range_span_does_not_panic() {
        let d = Diagnostic::new(
            "m",
            Span {
                line: 9,
                col: 40,
                offset: 1000,
            },
        );
        let text = d.render("f.tiny", "é");
        assert!(text.ends_with("^\n"));
        let _ = line_at("aé", 2);
    }
}
