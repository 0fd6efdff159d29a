//! Checks the marshal and `.pyc` readers against CPython 3.11's own view of real files, then
//! feeds them thousands of corrupted and hostile inputs, each of which must end in `Ok` or
//! `Err` promptly, without a panic, a stack overflow or a huge allocation.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use frontend_pybc::loader::{load_pyc_file, load_source_with, LoaderConfig};
use frontend_pybc::marshal::{
    read_object, CodeObject, MarshalErrorKind, Obj, Reader, MAX_MARSHAL_STACK_DEPTH,
};
use frontend_pybc::pyc::{read_pyc, Invalidation, Position, PycError, HEADER_LEN};

/// The longest one corrupted input may take. Inputs are a few kilobytes, so anything close
/// to this means the reader went quadratic or looped, even in a debug build on a slow machine.
const PER_INPUT_LIMIT: Duration = Duration::from_secs(2);

/// The programs compiled by Python in these tests.
const PROGRAMS: [&str; 3] = ["small.py", "closures.py", "constants.py"];

/// A `.pyc` of `small.py` written by CPython 3.11.7, so the corruption tests run even on a
/// machine without Python. It is named `.pyc.bin` because the repository ignores `*.pyc`.
const SMALL_PYC: &str = "small.cpython-311.pyc.bin";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

/// Whether `python3` is CPython 3.11; the comparisons with Python are skipped otherwise.
fn have_python311() -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.version_info[:2] == (3, 11))"])
            .output();
        let ok = out.is_ok_and(|o| o.stdout.starts_with(b"True"));
        if !ok {
            eprintln!("python3 is not CPython 3.11: skipping the comparisons with Python");
        }
        ok
    })
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "tiered-jit-marshal-{}-{name}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_python(args: &[&str]) -> Vec<u8> {
    let out = Command::new("python3")
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Compiles `program` with `py_compile`, the way the import system writes `.pyc` files;
/// `co_filename` is the source's full path, as the loader gives it.
fn py_compile(program: &str, scratch: &Scratch) -> Vec<u8> {
    let source = data_dir().join(program);
    let cfile = scratch.0.join(format!("{program}c"));
    run_python(&[
        "-c",
        "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
        source.to_str().unwrap(),
        cfile.to_str().unwrap(),
    ]);
    std::fs::read(cfile).unwrap()
}

/// Prints a `.pyc` in a canonical text form from CPython's point of view: every field of
/// every code object, constants with exact float bits, `co_positions()` and the exception
/// table as `dis` parses it (converted to code units).
const PY_DUMP: &str = r#"
import sys, marshal, struct, dis, types
data = open(sys.argv[1], "rb").read()
def opt(v):
    return "N" if v is None else str(v)
def fl(x):
    return struct.pack("<d", x).hex()
def d(o):
    if o is None: return "None"
    if o is True: return "True"
    if o is False: return "False"
    if o is Ellipsis: return "Ellipsis"
    if o is StopIteration: return "StopIteration"
    t = type(o)
    if t is int: return "int:%d" % o
    if t is float: return "float:" + fl(o)
    if t is complex: return "complex:" + fl(o.real) + ":" + fl(o.imag)
    if t is bytes: return "bytes:" + o.hex()
    if t is str: return "str:" + o.encode("utf-8").hex()
    if t is tuple: return "tuple[" + ",".join(d(x) for x in o) + "]"
    if t is list: return "list[" + ",".join(d(x) for x in o) + "]"
    if t is frozenset: return "frozenset[" + ",".join(sorted(d(x) for x in o)) + "]"
    if t is set: return "set[" + ",".join(sorted(d(x) for x in o)) + "]"
    if t is dict: return "dict[" + ",".join(d(k) + ":" + d(v) for k, v in o.items()) + "]"
    if t is types.CodeType:
        pos = ";".join(",".join(opt(v) for v in p) for p in o.co_positions())
        exc = ";".join("%d,%d,%d,%d,%d" % (e.start // 2, e.end // 2, e.target // 2, e.depth, e.lasti)
                       for e in dis._parse_exception_table(o))
        fields = [
            "argcount=%d" % o.co_argcount,
            "posonlyargcount=%d" % o.co_posonlyargcount,
            "kwonlyargcount=%d" % o.co_kwonlyargcount,
            "stacksize=%d" % o.co_stacksize,
            "flags=%d" % o.co_flags,
            "code=" + o.co_code.hex(),
            "consts=" + d(o.co_consts),
            "names=" + ",".join(o.co_names),
            "varnames=" + ",".join(o.co_varnames),
            "cellvars=" + ",".join(o.co_cellvars),
            "freevars=" + ",".join(o.co_freevars),
            "nlocals=%d" % o.co_nlocals,
            "filename=" + o.co_filename,
            "name=" + o.co_name,
            "qualname=" + o.co_qualname,
            "firstlineno=%d" % o.co_firstlineno,
            "linetable=" + o.co_linetable.hex(),
            "exceptiontable=" + o.co_exceptiontable.hex(),
            "positions=" + pos,
            "exceptions=" + exc,
        ]
        return "code{\n" + "\n".join(fields) + "\n}"
    raise TypeError(t)
sys.stdout.buffer.write(d(marshal.loads(data[16:])).encode("utf-8"))
"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn float_hex(x: f64) -> String {
    hex(&x.to_le_bytes())
}

fn opt(v: Option<i32>) -> String {
    v.map_or_else(|| "N".to_string(), |v| v.to_string())
}

fn join(names: &[std::rc::Rc<str>]) -> String {
    names.iter().map(|n| &**n).collect::<Vec<_>>().join(",")
}

/// The same canonical text as [`PY_DUMP`], from this crate's point of view.
fn dump(obj: &Obj) -> String {
    let items = |xs: &[Obj], sorted: bool| {
        let mut parts: Vec<String> = xs.iter().map(dump).collect();
        if sorted {
            parts.sort();
        }
        parts.join(",")
    };
    match obj {
        Obj::None => "None".into(),
        Obj::True => "True".into(),
        Obj::False => "False".into(),
        Obj::Ellipsis => "Ellipsis".into(),
        Obj::StopIteration => "StopIteration".into(),
        Obj::Int(i) => format!("int:{i}"),
        Obj::BigInt(b) => format!("int:{b}"),
        Obj::Float(x) => format!("float:{}", float_hex(*x)),
        Obj::Complex(re, im) => format!("complex:{}:{}", float_hex(*re), float_hex(*im)),
        Obj::Bytes(b) => format!("bytes:{}", hex(b)),
        Obj::Str(s) => format!("str:{}", hex(s.as_bytes())),
        Obj::Tuple(t) => format!("tuple[{}]", items(t, false)),
        Obj::List(t) => format!("list[{}]", items(t, false)),
        Obj::FrozenSet(t) => format!("frozenset[{}]", items(t, true)),
        Obj::Set(t) => format!("set[{}]", items(t, true)),
        Obj::Dict(kv) => {
            let parts: Vec<String> = kv
                .iter()
                .map(|(k, v)| format!("{}:{}", dump(k), dump(v)))
                .collect();
            format!("dict[{}]", parts.join(","))
        }
        Obj::Code(c) => dump_code(c),
    }
}

fn dump_code(c: &CodeObject) -> String {
    let positions = c.line_table().expect("a real line table decodes");
    let pos: Vec<String> = positions
        .iter()
        .map(|p: &Position| {
            format!(
                "{},{},{},{}",
                opt(p.line),
                opt(p.end_line),
                opt(p.col),
                opt(p.end_col)
            )
        })
        .collect();
    let exc: Vec<String> = c
        .exception_table()
        .expect("a real exception table decodes")
        .iter()
        .map(|e| {
            format!(
                "{},{},{},{},{}",
                e.start,
                e.end,
                e.target,
                e.depth,
                u8::from(e.lasti)
            )
        })
        .collect();
    let fields = [
        format!("argcount={}", c.argcount),
        format!("posonlyargcount={}", c.posonlyargcount),
        format!("kwonlyargcount={}", c.kwonlyargcount),
        format!("stacksize={}", c.stacksize),
        format!("flags={}", c.flags),
        format!("code={}", hex(&c.code)),
        format!("consts={}", dump(&Obj::Tuple(c.consts.clone()))),
        format!("names={}", join(&c.names)),
        format!("varnames={}", join(&c.varnames())),
        format!("cellvars={}", join(&c.cellvars())),
        format!("freevars={}", join(&c.freevars())),
        format!("nlocals={}", c.nlocals()),
        format!("filename={}", c.filename),
        format!("name={}", c.name),
        format!("qualname={}", c.qualname),
        format!("firstlineno={}", c.firstlineno),
        format!("linetable={}", hex(&c.linetable)),
        format!("exceptiontable={}", hex(&c.exceptiontable)),
        format!("positions={}", pos.join(";")),
        format!("exceptions={}", exc.join(";")),
    ];
    format!("code{{\n{}\n}}", fields.join("\n"))
}

/// Every code object in a tree of constants, the root included.
fn all_code(root: &CodeObject) -> Vec<&CodeObject> {
    let mut out = vec![root];
    let mut i = 0;
    while let Some(code) = out.get(i).copied() {
        for c in code.consts.iter() {
            if let Obj::Code(inner) = c {
                out.push(inner);
            }
        }
        i += 1;
    }
    out
}

/// Every constant in a tree of code objects and tuples.
fn all_consts(root: &CodeObject) -> Vec<Obj> {
    let mut out = Vec::new();
    let mut todo: Vec<Obj> = root.consts.to_vec();
    while let Some(obj) = todo.pop() {
        match &obj {
            Obj::Tuple(t) | Obj::FrozenSet(t) => todo.extend(t.iter().cloned()),
            Obj::Code(c) => todo.extend(c.consts.iter().cloned()),
            _ => {}
        }
        out.push(obj);
    }
    out
}

#[test]
fn real_pyc_files_match_cpython() {
    if !have_python311() {
        return;
    }
    let scratch = Scratch::new("real");
    for program in PROGRAMS {
        let bytes = py_compile(program, &scratch);
        let pyc = read_pyc(&bytes).unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(matches!(
            pyc.header.invalidation,
            Invalidation::Timestamp { .. }
        ));
        let path = scratch.0.join(format!("{program}c"));
        let expected = run_python(&["-c", PY_DUMP, path.to_str().unwrap()]);
        let expected = String::from_utf8(expected).unwrap();
        let ours = dump(&Obj::Code(pyc.code.clone()));
        if ours != expected {
            let first_diff = ours
                .lines()
                .zip(expected.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("ours:   {a}\npython: {b}"));
            panic!(
                "{program}: dumps differ\n{}",
                first_diff.unwrap_or_default()
            );
        }
        // The loader's own compile must give the same code as py_compile.
        let config = LoaderConfig {
            python: "python3".into(),
            cache_dir: None,
        };
        let loaded = load_source_with(&config, &data_dir().join(program)).unwrap();
        assert_eq!(loaded.code, pyc.code, "{program}");
        assert_eq!(load_pyc_file(&path).unwrap().code, pyc.code, "{program}");
    }
}

#[test]
fn constants_of_every_kind_are_read() {
    if !have_python311() {
        return;
    }
    let scratch = Scratch::new("consts");
    let pyc = read_pyc(&py_compile("constants.py", &scratch)).unwrap();
    let consts = all_consts(&pyc.code);
    let big = |s: &str| {
        consts
            .iter()
            .any(|c| matches!(c, Obj::BigInt(b) if b.to_string() == s))
    };
    assert!(big("1267650600228229401496703205376"), "2**100");
    assert!(big("-1180591620717411303424"), "-2**70");
    assert!(big("9223372036854775808"), "2**63");
    assert!(consts.contains(&Obj::Int(i64::MIN)), "-2**63");
    assert!(consts.contains(&Obj::Int(-5)));
    assert!(consts.contains(&Obj::Float(f64::INFINITY)), "1e309");
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::Float(x) if *x == 0.0 && x.is_sign_negative())));
    assert!(consts.contains(&Obj::Complex(3.0, 4.0)));
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::Complex(re, im) if re.is_sign_negative() && *im == -1.5)));
    assert!(consts.contains(&Obj::Ellipsis));
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::Str(s) if s.len() > 255)));
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::Str(s) if s.contains('\u{1F600}'))));
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::Tuple(t) if t.len() > 255)));
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::FrozenSet(s) if s.len() == 3)));
    assert!(consts
        .iter()
        .any(|c| matches!(c, Obj::Bytes(b) if b.contains(&0xff))));

    let wide = all_code(&pyc.code)
        .into_iter()
        .find(|c| &*c.name == "wide")
        .unwrap();
    let cols = wide.line_table().unwrap();
    assert!(
        cols.iter().any(|p| p.end_col.is_some_and(|c| c > 255)),
        "long-form columns"
    );
}

#[test]
fn localsplus_kinds_classify_closures() {
    if !have_python311() {
        return;
    }
    let scratch = Scratch::new("closures");
    let pyc = read_pyc(&py_compile("closures.py", &scratch)).unwrap();
    let codes = all_code(&pyc.code);
    let find = |name: &str| *codes.iter().find(|c| &*c.qualname == name).unwrap();
    let counter = find("counter");
    assert_eq!(
        counter.cellvars().iter().map(|s| &**s).collect::<Vec<_>>(),
        ["step", "count"]
    );
    assert_eq!(counter.total_args(), 2);
    assert!(counter.is_arg(0) && counter.is_arg(1) && !counter.is_arg(2));
    let bump = find("counter.<locals>.bump");
    assert_eq!(
        bump.freevars().iter().map(|s| &**s).collect::<Vec<_>>(),
        ["count", "step"]
    );
    let compose = find("compose");
    assert_eq!(compose.total_args(), 2, "*fns and **options");
    let squares = find("squares");
    assert_eq!((squares.posonlyargcount, squares.argcount), (1, 2));
    let guarded = find("guarded");
    assert!(!guarded.exception_table().unwrap().is_empty());
    // Every instruction of a function body has a line within the function.
    let table = guarded.line_table().unwrap();
    let lines: Vec<i32> = table.iter().filter_map(|p| p.line).collect();
    assert!(lines
        .iter()
        .all(|l| *l >= guarded.firstlineno && *l < guarded.firstlineno + 10));
    assert_eq!(guarded.line_of(0), Some(guarded.firstlineno));
}

/// A small deterministic PRNG (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A byte that is likely to be meaningful to the reader.
    fn interesting_byte(&mut self) -> u8 {
        const CODES: &[u8] = b"0NFTS.iIfgxylstr()[{cu?<>aAzZ";
        match self.below(4) {
            0 => CODES[self.below(CODES.len())],
            1 => CODES[self.below(CODES.len())] | 0x80,
            2 => [0x00, 0x01, 0x7f, 0x80, 0xff][self.below(5)],
            _ => self.next() as u8,
        }
    }
}

/// Parses `input`, requiring a result without a panic within the time limit, and exercises
/// the table decoders on whatever was read. Returns whether parsing succeeded.
fn parse_survives(input: &[u8], what: &str) -> bool {
    let started = Instant::now();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| match read_pyc(input) {
        Ok(pyc) => {
            for code in all_code(&pyc.code) {
                let _ = code.line_table();
                let _ = code.exception_table();
                let _ = (
                    code.varnames(),
                    code.cellvars(),
                    code.freevars(),
                    code.nlocals(),
                );
            }
            true
        }
        Err(e) => {
            // Formatting the error must not panic either.
            let _ = e.to_string();
            false
        }
    }));
    let elapsed = started.elapsed();
    let ok = outcome.unwrap_or_else(|_| panic!("the reader panicked on {what}: {}", hex(input)));
    assert!(elapsed < PER_INPUT_LIMIT, "{what} took {elapsed:?}");
    ok
}

/// The `.pyc` files to corrupt: the committed one, and fresh ones when Python is here.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        SMALL_PYC.to_string(),
        std::fs::read(data_dir().join(SMALL_PYC)).unwrap(),
    )];
    if have_python311() {
        let scratch = Scratch::new("corpus");
        for program in PROGRAMS {
            out.push((program.to_string(), py_compile(program, &scratch)));
        }
    }
    out
}

#[test]
fn committed_pyc_reads() {
    let bytes = std::fs::read(data_dir().join(SMALL_PYC)).unwrap();
    let pyc = read_pyc(&bytes).unwrap();
    assert!(matches!(
        pyc.header.invalidation,
        Invalidation::Hash {
            check_source: false,
            ..
        }
    ));
    assert_eq!(&*pyc.code.filename, "small.py");
    let add = all_code(&pyc.code)
        .into_iter()
        .find(|c| &*c.name == "add")
        .unwrap();
    assert_eq!(add.argcount, 2);
    assert_eq!(add.line_of(0), Some(2));
    assert!(add
        .line_table()
        .unwrap()
        .iter()
        .skip(1)
        .all(|p| p.line == Some(3)));
}

#[test]
fn every_truncation_is_an_error() {
    for (name, bytes) in corpus() {
        for len in 0..bytes.len() {
            let what = format!("{name} cut to {len} bytes");
            assert!(!parse_survives(&bytes[..len], &what), "{what} parsed");
        }
        assert!(parse_survives(&bytes, &name));
    }
}

#[test]
fn random_corruptions_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut total = 0;
    let mut accepted = 0;
    for (name, bytes) in corpus() {
        for round in 0..2500 {
            let mut input = bytes.clone();
            let kind = round % 5;
            match kind {
                // Overwrite a few bytes, mostly after the header where the reader works.
                0 | 1 => {
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(input.len());
                        input[at] = rng.interesting_byte();
                    }
                }
                // Flip single bits.
                2 => {
                    for _ in 0..1 + rng.below(3) {
                        let at = rng.below(input.len());
                        input[at] ^= 1 << rng.below(8);
                    }
                }
                // Insert a few bytes.
                3 => {
                    let at = HEADER_LEN + rng.below(input.len() - HEADER_LEN);
                    for _ in 0..1 + rng.below(8) {
                        let b = rng.interesting_byte();
                        input.insert(at, b);
                    }
                }
                // Delete a run of bytes.
                _ => {
                    let at = HEADER_LEN + rng.below(input.len() - HEADER_LEN);
                    let n = (1 + rng.below(8)).min(input.len() - at);
                    input.drain(at..at + n);
                }
            }
            let what = format!("{name} variant {round}");
            accepted += usize::from(parse_survives(&input, &what));
            total += 1;
        }
    }
    eprintln!("{accepted} of {total} corrupted inputs still parsed");
    assert!(
        accepted < total,
        "corruption should be caught at least sometimes"
    );
}

fn le32(n: i32) -> [u8; 4] {
    n.to_le_bytes()
}

fn kind_of(bytes: &[u8]) -> MarshalErrorKind {
    let started = Instant::now();
    let result = read_object(bytes);
    assert!(started.elapsed() < PER_INPUT_LIMIT);
    match result {
        Ok(obj) => panic!("expected an error, read {}", obj.type_name()),
        Err(e) => e.kind,
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut small_tuples = b")\x01".repeat(100_000);
    small_tuples.push(b'N');
    assert_eq!(kind_of(&small_tuples), MarshalErrorKind::TooDeep);

    let mut lists = Vec::new();
    for _ in 0..100_000 {
        lists.push(b'[');
        lists.extend_from_slice(&le32(1));
    }
    lists.push(b'N');
    assert_eq!(kind_of(&lists), MarshalErrorKind::TooDeep);

    // Dict keys nest as well.
    assert_eq!(kind_of(&b"{".repeat(100_000)), MarshalErrorKind::TooDeep);

    // Code objects whose co_code is another code object.
    let mut codes = Vec::new();
    for _ in 0..100_000 {
        codes.push(b'c');
        codes.extend_from_slice(&[0; 20]);
    }
    assert_eq!(kind_of(&codes), MarshalErrorKind::TooDeep);

    // Unclosed '(' with a count made of more '(' bytes is simply too long for the input.
    assert!(matches!(
        kind_of(&b"(".repeat(100_000)),
        MarshalErrorKind::Truncated { .. }
    ));
}

/// Builds `(T, <nest levels of 1-tuples around a reference to T>)` where T is a flagged
/// chain of small tuples `height` levels high (counting the innermost `None`).
fn shared_deep_tuple(height: usize, nest: usize) -> Vec<u8> {
    let mut out = vec![b')', 2, b')' | 0x80, 1];
    out.extend(b")\x01".repeat(height - 2));
    out.push(b'N');
    out.extend(b")\x01".repeat(nest));
    out.push(b'r');
    out.extend_from_slice(&le32(0));
    out
}

#[test]
fn nesting_through_references_is_bounded() {
    // The outer tuple is level 1, so T may be MAX - 1 high when referenced right inside it.
    let h = MAX_MARSHAL_STACK_DEPTH - 1;
    let obj = read_object(&shared_deep_tuple(h, 0)).unwrap();
    assert!(matches!(obj, Obj::Tuple(_)));
    drop(obj);
    assert_eq!(kind_of(&shared_deep_tuple(h, 1)), MarshalErrorKind::TooDeep);

    // Re-nesting a deep value again and again would build an arbitrarily deep tree (and a
    // recursive drop overflowing the stack); the height check stops it at the first step.
    let mut chain = vec![b'(', 0, 0, 0, 0];
    let links = 50;
    chain[1..5].copy_from_slice(&le32(links + 1));
    chain.extend_from_slice(&[b')' | 0x80, 1]);
    chain.extend(b")\x01".repeat(1000));
    chain.push(b'N');
    for link in 0..links {
        chain.extend_from_slice(&[b')' | 0x80, 1]);
        chain.extend(b")\x01".repeat(998));
        chain.push(b'r');
        chain.extend_from_slice(&le32(link));
    }
    assert_eq!(kind_of(&chain), MarshalErrorKind::TooDeep);
}

#[test]
fn hostile_lengths_and_references_are_errors() {
    let truncated = |bytes: &[u8]| matches!(kind_of(bytes), MarshalErrorKind::Truncated { .. });
    for code in [b'(', b'[', b'<', b'>', b's', b'u', b'a', b'A', b't', b'l'] {
        let mut huge = vec![code];
        huge.extend_from_slice(&le32(i32::MAX));
        assert!(truncated(&huge), "{}", char::from(code));
        let mut negative = vec![code];
        negative.extend_from_slice(&le32(-1));
        if code == b'l' {
            // A negative count is a negative long, so it is the digits that are missing.
            assert!(truncated(&negative));
        } else {
            let kind = kind_of(&negative);
            assert!(
                matches!(kind, MarshalErrorKind::SizeOutOfRange { .. }),
                "{kind:?}"
            );
        }
    }
    let mut min_long = vec![b'l'];
    min_long.extend_from_slice(&le32(i32::MIN));
    assert!(matches!(
        kind_of(&min_long),
        MarshalErrorKind::SizeOutOfRange { .. }
    ));

    let mut digit = vec![b'l'];
    digit.extend_from_slice(&le32(2));
    digit.extend_from_slice(&[0x01, 0x00, 0xff, 0xff]);
    assert!(matches!(
        kind_of(&digit),
        MarshalErrorKind::BadLongDigit { .. }
    ));

    for index in [5, -1, i32::MAX, i32::MIN] {
        let mut r = vec![b'r'];
        r.extend_from_slice(&le32(index));
        assert!(matches!(
            kind_of(&r),
            MarshalErrorKind::InvalidReference { .. }
        ));
    }
    for bad in [b'Q', b'\x00', b'\xff', b'B'] {
        assert!(matches!(
            kind_of(&[bad]),
            MarshalErrorKind::UnknownTypeCode(_)
        ));
    }
    // A code object referring to itself, as CPython also rejects.
    let mut own = vec![b'c' | 0x80];
    own.extend_from_slice(&[0; 20]);
    own.push(b'r');
    own.extend_from_slice(&le32(0));
    assert_eq!(
        kind_of(&own),
        MarshalErrorKind::IncompleteReference { index: 0 }
    );
    // A frozenset inside itself likewise.
    let mut fs = vec![b'>' | 0x80];
    fs.extend_from_slice(&le32(1));
    fs.push(b'r');
    fs.extend_from_slice(&le32(0));
    assert_eq!(
        kind_of(&fs),
        MarshalErrorKind::IncompleteReference { index: 0 }
    );
}

#[test]
fn errors_say_where_and_what() {
    let mut bytes = std::fs::read(data_dir().join(SMALL_PYC)).unwrap();
    bytes.truncate(40);
    let err = read_pyc(&bytes).unwrap_err();
    let PycError::Marshal(e) = &err else {
        panic!("unexpected {err}")
    };
    assert!(e.offset >= HEADER_LEN && e.offset <= 40, "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("byte {}", e.offset)) && text.contains("expected"),
        "{text}"
    );

    let mut other = std::fs::read(data_dir().join(SMALL_PYC)).unwrap();
    other[..2].copy_from_slice(&3413u16.to_le_bytes());
    let text = read_pyc(&other).unwrap_err().to_string();
    assert!(text.contains("3.8") && text.contains("3495"), "{text}");
}

/// Code objects that all share one large names tuple and kinds string through references
/// must not be validated or converted once per code object.
#[test]
fn shared_code_fields_stay_linear() {
    const NAMES: usize = 50_000;
    const CODES: i32 = 20_000;
    let r = |out: &mut Vec<u8>, i: i32| {
        out.push(b'r');
        out.extend_from_slice(&le32(i));
    };
    let mut out = vec![b'('];
    out.extend_from_slice(&le32(CODES + 1));
    out.push(b'c');
    out.extend_from_slice(&[0; 20]);
    // Slot 0: co_code.
    out.extend_from_slice(&[b's' | 0x80, 2, 0, 0, 0, 0x97, 0]);
    // Slot 1: an empty tuple for co_consts and co_names.
    out.extend_from_slice(&[b')' | 0x80, 0]);
    r(&mut out, 1);
    // Slot 2: the names tuple, slot 3: its one distinct name.
    out.push(b'(' | 0x80);
    out.extend_from_slice(&le32(NAMES as i32));
    out.extend_from_slice(&[b'Z' | 0x80, 1, b'x']);
    for _ in 1..NAMES {
        r(&mut out, 3);
    }
    // Slot 4: the kinds, all plain locals.
    out.push(b's' | 0x80);
    out.extend_from_slice(&le32(NAMES as i32));
    out.extend(std::iter::repeat_n(0x20u8, NAMES));
    // Slot 5: file name, name and qualified name.
    out.extend_from_slice(&[b'Z' | 0x80, 1, b'f']);
    r(&mut out, 5);
    r(&mut out, 5);
    out.extend_from_slice(&le32(1));
    r(&mut out, 0);
    r(&mut out, 0);
    for _ in 0..CODES {
        out.push(b'c');
        out.extend_from_slice(&[0; 20]);
        for slot in [0, 1, 1, 2, 4, 5, 5, 5] {
            r(&mut out, slot);
        }
        out.extend_from_slice(&le32(1));
        r(&mut out, 0);
        r(&mut out, 0);
    }
    let started = Instant::now();
    let obj = Reader::new(&out).read_object().unwrap();
    assert!(
        started.elapsed() < PER_INPUT_LIMIT * 2,
        "took {:?}",
        started.elapsed()
    );
    let Obj::Tuple(items) = obj else {
        panic!("not a tuple")
    };
    assert_eq!(items.len(), CODES as usize + 1);
    let Some(last) = items.last().and_then(Obj::as_code) else {
        panic!("not code")
    };
    assert_eq!(last.nlocals(), NAMES);
}

/// Hand-made inputs for each type code, checked against what CPython 3.11's `marshal.loads`
/// returns for the same bytes.
mod type_codes {
    use frontend_pybc::marshal::{
        read_object, MarshalErrorKind, Obj, Reader, MAX_MARSHAL_STACK_DEPTH,
    };
    use num_bigint::BigInt;
    use std::rc::Rc;

    fn err_kind(bytes: &[u8]) -> MarshalErrorKind {
        match read_object(bytes) {
            Ok(obj) => panic!("expected an error, got {obj:?}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn singletons_and_ints() {
        assert_eq!(read_object(b"N").unwrap(), Obj::None);
        assert_eq!(read_object(b"T").unwrap(), Obj::True);
        assert_eq!(read_object(b"F").unwrap(), Obj::False);
        assert_eq!(read_object(b".").unwrap(), Obj::Ellipsis);
        assert_eq!(read_object(b"S").unwrap(), Obj::StopIteration);
        assert_eq!(read_object(b"i\xff\xff\xff\xff").unwrap(), Obj::Int(-1));
        assert_eq!(
            read_object(b"I\x01\x00\x00\x00\x02\x00\x00\x00").unwrap(),
            Obj::Int(0x2_0000_0001)
        );
    }

    #[test]
    fn longs() {
        // 2**15 + 1 is the digits [1, 1].
        assert_eq!(
            read_object(b"l\x02\x00\x00\x00\x01\x00\x01\x00").unwrap(),
            Obj::Int(32769)
        );
        assert_eq!(
            read_object(b"l\xfe\xff\xff\xff\x01\x00\x01\x00").unwrap(),
            Obj::Int(-32769)
        );
        // -2**63 fits an i64: digits 0,0,0,0 and 8 (15 * 4 = 60, 8 << 60 = 2**63).
        let min = b"l\xfb\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00";
        assert_eq!(read_object(min).unwrap(), Obj::Int(i64::MIN));
        let max_plus_one = b"l\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00";
        let big = BigInt::from(1u64 << 63);
        assert_eq!(
            read_object(max_plus_one).unwrap(),
            Obj::BigInt(Rc::new(big))
        );
        assert_eq!(
            err_kind(b"l\x01\x00\x00\x00\x00\x80"),
            MarshalErrorKind::BadLongDigit { digit: i16::MIN }
        );
        assert_eq!(
            err_kind(b"l\x02\x00\x00\x00\x01\x00\x00\x00"),
            MarshalErrorKind::UnnormalizedLong
        );
        assert!(matches!(
            err_kind(b"l\xff\xff\xff\x7f"),
            MarshalErrorKind::Truncated { .. }
        ));
    }

    #[test]
    fn strings() {
        assert_eq!(read_object(b"z\x02hi").unwrap(), Obj::Str("hi".into()));
        assert_eq!(
            read_object(b"a\x02\x00\x00\x00\xe9\xff").unwrap(),
            Obj::Str("\u{e9}\u{ff}".into())
        );
        assert_eq!(
            read_object(b"u\x02\x00\x00\x00\xc3\xa9").unwrap(),
            Obj::Str("\u{e9}".into())
        );
        assert_eq!(
            err_kind(b"u\x03\x00\x00\x00\xed\xa0\x80"),
            MarshalErrorKind::LoneSurrogate
        );
        assert_eq!(
            err_kind(b"u\x02\x00\x00\x00a\xff"),
            MarshalErrorKind::InvalidUtf8 { valid_up_to: 1 }
        );
        assert!(matches!(
            err_kind(b"s\xff\xff\xff\xff"),
            MarshalErrorKind::SizeOutOfRange { .. }
        ));
    }

    #[test]
    fn floats() {
        assert_eq!(read_object(b"f\x03inf").unwrap(), Obj::Float(f64::INFINITY));
        assert_eq!(read_object(b"f\x051.5\x00x").unwrap(), Obj::Float(1.5));
        assert!(matches!(
            err_kind(b"f\x04 1.5"),
            MarshalErrorKind::BadFloat { .. }
        ));
        assert_eq!(
            read_object(b"x\x011\x03-2.").unwrap(),
            Obj::Complex(1.0, -2.0)
        );
    }

    #[test]
    fn references_follow_cpython_numbering() {
        // A flagged tuple takes slot 0 before its items, so the flagged int is slot 1.
        let data = b"\xa8\x02\x00\x00\x00\xe9\x05\x00\x00\x00r\x01\x00\x00\x00";
        let obj = read_object(data).unwrap();
        assert_eq!(obj, Obj::Tuple(vec![Obj::Int(5), Obj::Int(5)].into()));
        // A reference to the tuple from inside itself would be a cycle.
        let cyclic = b"\xa9\x01r\x00\x00\x00\x00";
        assert_eq!(
            err_kind(cyclic),
            MarshalErrorKind::IncompleteReference { index: 0 }
        );
        // Singletons never take a slot, even when flagged.
        assert!(matches!(
            err_kind(b")\x02\xcer\x00\x00\x00\x00"),
            MarshalErrorKind::InvalidReference { .. }
        ));
    }

    #[test]
    fn dicts_end_at_null() {
        assert_eq!(read_object(b"{N0").unwrap(), Obj::Dict(Vec::new().into()));
        assert_eq!(
            read_object(b"{NN0").unwrap(),
            Obj::Dict(vec![(Obj::None, Obj::None)].into())
        );
        assert!(matches!(
            err_kind(b"{[\x00\x00\x00\x00N0"),
            MarshalErrorKind::Unhashable { .. }
        ));
        // A tuple holding a list is unhashable too, also when reached by reference.
        let tuple_key = b"{\xa9\x01[\x00\x00\x00\x00Nr\x00\x00\x00\x00N0";
        assert!(matches!(
            err_kind(tuple_key),
            MarshalErrorKind::Unhashable { .. }
        ));
    }

    #[test]
    fn depth_limit_matches_cpython() {
        let mut ok = b")\x01".repeat(MAX_MARSHAL_STACK_DEPTH - 1);
        ok.push(b'N');
        assert!(read_object(&ok).is_ok());
        let mut deep = b")\x01".repeat(MAX_MARSHAL_STACK_DEPTH);
        deep.push(b'N');
        assert_eq!(err_kind(&deep), MarshalErrorKind::TooDeep);
    }

    #[test]
    fn null_and_unknown() {
        assert!(matches!(
            err_kind(b"0"),
            MarshalErrorKind::NullObject { .. }
        ));
        assert_eq!(err_kind(b"?"), MarshalErrorKind::UnmarshallableObject);
        assert_eq!(err_kind(b"Q"), MarshalErrorKind::UnknownTypeCode(b'Q'));
        assert!(matches!(err_kind(b""), MarshalErrorKind::Truncated { .. }));
    }

    #[test]
    fn reader_streams_objects() {
        let data = b"i\x01\x00\x00\x00z\x01a";
        let mut r = Reader::new(data);
        assert_eq!(r.read_object().unwrap(), Obj::Int(1));
        assert_eq!(r.position(), 5);
        assert_eq!(r.read_object().unwrap(), Obj::Str("a".into()));
        assert!(r.is_at_end());
    }
}
