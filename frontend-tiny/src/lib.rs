//! The Tiny language frontend (see `README.md` for the language): source text to
//! `jit-core` bytecode, with every compile-time error, and the language's runtime.
//!
//! Pipeline: `lexer` (text to tokens) -> `parser` (tokens to `ast` with
//! names as strings) -> `resolve` (names to slots and indices) -> `codegen`
//! (bytecode). Compile errors are `diag::Diagnostic`s, rendered rustc-style by
//! `Diagnostic::render`. `runtime` is `TinySemantics` (builtins, error wording,
//! printing); `driver::run` compiles, verifies and runs a program end to end.

pub mod ast;
pub mod codegen;
pub mod diag;
pub mod driver;
pub mod fuzzing;
pub mod lexer;
pub mod parser;
pub mod resolve;
pub mod runtime;

/// How deep blocks and expressions may nest. Deeper input is a compile error
/// (`expression nests too deeply`, `blocks nest too deeply`), which bounds
/// the recursion of every pass over the tree.
pub const MAX_NESTING: u32 = 200;

/// Parses and resolves a Tiny program. `file_name` is recorded in the
/// program for runtime error locations; render a returned diagnostic with
/// `Diagnostic::render(file_name, source)`. Never panics, whatever the input.
pub fn parse_and_resolve(file_name: &str, source: &str) -> Result<ast::Program, diag::Diagnostic> {
    let parsed = parser::parse(source)?;
    resolve::resolve(file_name, parsed)
}

#[cfg(test)]
mod fuzz_smoke {
    //! Feeds random and mutated inputs through the frontend: it must return
    //! (either way) without panicking or overflowing the stack.

    use super::parse_and_resolve;

    /// xorshift64*: small, fixed-seed, good enough to shuffle bytes.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const SEEDS: &[&str] = &[
        "fn fib(n) { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }\nprint(fib(20));\n",
        "let a = [3, 1, 2];\nfor i in 0 .. len(a) { a[i] = a[i] * 2; }\nprint(a, \"x\\n\\t\", 1.5e-3);\n",
        "let s = \"\";\nwhile len(s) < 10 { s = s + str(len(s)); if s == \"0\" { continue; } }\n",
        "fn f(a, b) { let c = a and b or not a; return -c; }\nprint((f(1, nil) == 2) != false);\n",
        "# comment\nlet x = [[1, 2], [3]];\nx[0][1] = pop(x[1]);\nprint(x[0], abs(-2), sqrt(4.0));\n",
    ];

    /// Pieces that random programs are glued from.
    const PIECES: &[&str] = &[
        "fn",
        "let",
        "if",
        "else",
        "while",
        "for",
        "in",
        "return",
        "break",
        "continue",
        "true",
        "false",
        "nil",
        "and",
        "or",
        "not",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "..",
        "x",
        "y",
        "f",
        "print",
        "len",
        "0",
        "1",
        "9223372036854775807",
        "9223372036854775808",
        "1.5",
        "2.0e-3",
        "\"s\"",
        "\"\\q\"",
        "\"",
        "#",
        "\n",
        " ",
        "\t",
        "é",
        "$",
        ".",
        "!",
        "\\",
    ];

    fn check(source: &str) {
        match parse_and_resolve("fuzz.tiny", source) {
            Ok(_) => {}
            Err(d) => {
                let text = d.render("fuzz.tiny", source);
                assert!(text.starts_with("error: "), "{text}");
                assert!(
                    d.span.offset <= source.len() && source.is_char_boundary(d.span.offset),
                    "bad span {:?} for {source:?}",
                    d.span
                );
            }
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        for round in 0..4000 {
            let input: Vec<u8> = match round % 4 {
                // Random bytes, mostly printable.
                0 => (0..rng.below(200))
                    .map(|_| {
                        if rng.below(4) == 0 {
                            rng.next() as u8
                        } else {
                            b' ' + rng.below(95) as u8
                        }
                    })
                    .collect(),
                // Random token soup.
                1 => {
                    let mut s = String::new();
                    for _ in 0..rng.below(80) {
                        s.push_str(PIECES[rng.below(PIECES.len())]);
                        if rng.below(2) == 0 {
                            s.push(' ');
                        }
                    }
                    s.into_bytes()
                }
                // A valid program with a few bytes mutated, inserted or deleted.
                _ => {
                    let mut bytes = SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec();
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(bytes.len() + 1);
                        match rng.below(3) {
                            0 if at < bytes.len() => bytes[at] = rng.next() as u8,
                            1 if at < bytes.len() => {
                                bytes.remove(at);
                            }
                            _ => {
                                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                                bytes.splice(at..at, piece.iter().copied());
                            }
                        }
                    }
                    bytes
                }
            };
            check(&String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn seeds_are_valid() {
        for seed in SEEDS {
            assert!(parse_and_resolve("s.tiny", seed).is_ok(), "{seed}");
        }
    }

    #[test]
    fn deep_inputs_are_errors() {
        for piece in [
            "(", "[", "-", "not ", "f(", "x[", "if x {", "{", "- (", "[-",
        ] {
            let source = format!("let x = 1;\nx = {};", piece.repeat(100_000));
            assert!(parse_and_resolve("deep.tiny", &source).is_err(), "{piece}");
        }
        let chain = format!("let x = 1;\nx = x{};", " or x".repeat(100_000));
        let error = parse_and_resolve("deep.tiny", &chain).unwrap_err();
        assert_eq!(error.message, "expression nests too deeply");
    }

    #[test]
    fn inputs_just_under_the_limit_resolve() {
        let n = 190;
        let sources = [
            format!("let x = {}1{};", "(".repeat(n), ")".repeat(n)),
            format!("let x = {}1{};", "[".repeat(n), "]".repeat(n)),
            format!("let x = 1{};", " + x".repeat(n)),
            format!("let x = {}1;", "-".repeat(n)),
            format!(
                "fn f(a) {{ {} return a; {} }}",
                "if a {".repeat(n),
                "}".repeat(n)
            ),
        ];
        for source in &sources {
            let program = parse_and_resolve("deep.tiny", source);
            assert!(program.is_ok(), "{:?}", program.err());
        }
    }
}
