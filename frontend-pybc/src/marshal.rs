//! Reads CPython 3.11's `marshal` format, the serialisation of code objects inside `.pyc` files.
//!
//! The reader follows `Python/marshal.c` of CPython 3.11 type code by type code, including
//! the numbering of `FLAG_REF` back-references: containers and code objects take their
//! reference slot before their contents are read, everything else after, so indices agree
//! with what CPython's writer assigned.
//!
//! Unlike CPython it never trusts the input:
//! - it is iterative, with an explicit stack, so deep nesting cannot overflow the Rust stack;
//!   nesting beyond [`MAX_MARSHAL_STACK_DEPTH`] is an error, as in CPython;
//! - it never reserves more memory than the rest of the input could fill, so a huge length
//!   field is a truncation error instead of an allocation failure;
//! - every problem is a [`MarshalError`] carrying the byte offset and what was expected.
//!
//! Where the Rust representation cannot hold what CPython would build, the reader reports an
//! error instead: strings with lone surrogates (CPython decodes with `surrogatepass`) and
//! cyclic containers (a back-reference to a tuple, list, dict or set that is still being read).
//! Values reached through back-references count towards the depth limit with their full
//! height, because dropping or comparing a nested [`Obj`] recurses in Rust.
//! Duplicate dict keys and set elements are kept as written: merging them would need Python's
//! equality (`1 == 1.0 == True`), and CPython's writer never produces them.
//!
//! The location and exception tables inside code objects are decoded in [`crate::pyc`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::ToPrimitive;

/// The deepest nesting CPython's reader accepts (`MAX_MARSHAL_STACK_DEPTH` in `marshal.c`).
pub const MAX_MARSHAL_STACK_DEPTH: usize = 2000;

/// The bit of a type code that asks the reader to remember the object for back-references.
pub const FLAG_REF: u8 = 0x80;

/// The type codes of the marshal format, as `marshal.c` names them.
pub mod type_code {
    /// The end of a dict, or a missing value.
    pub const NULL: u8 = b'0';
    /// `None`.
    pub const NONE: u8 = b'N';
    /// `False`.
    pub const FALSE: u8 = b'F';
    /// `True`.
    pub const TRUE: u8 = b'T';
    /// `StopIteration`, the class.
    pub const STOPITER: u8 = b'S';
    /// `Ellipsis`.
    pub const ELLIPSIS: u8 = b'.';
    /// An int stored as 32 bits.
    pub const INT: u8 = b'i';
    /// An int stored as 64 bits (no longer written, still read).
    pub const INT64: u8 = b'I';
    /// A float stored as decimal text.
    pub const FLOAT: u8 = b'f';
    /// A float stored as 8 little-endian IEEE 754 bytes.
    pub const BINARY_FLOAT: u8 = b'g';
    /// A complex number stored as two decimal texts.
    pub const COMPLEX: u8 = b'x';
    /// A complex number stored as two binary floats.
    pub const BINARY_COMPLEX: u8 = b'y';
    /// An int of any size, stored as base 2**15 digits.
    pub const LONG: u8 = b'l';
    /// A bytes object.
    pub const STRING: u8 = b's';
    /// An interned str in UTF-8.
    pub const INTERNED: u8 = b't';
    /// A back-reference to an earlier object.
    pub const REF: u8 = b'r';
    /// A tuple with a 32-bit length.
    pub const TUPLE: u8 = b'(';
    /// A tuple with an 8-bit length.
    pub const SMALL_TUPLE: u8 = b')';
    /// A list.
    pub const LIST: u8 = b'[';
    /// A dict, key/value pairs up to a NULL.
    pub const DICT: u8 = b'{';
    /// A code object.
    pub const CODE: u8 = b'c';
    /// A str in UTF-8.
    pub const UNICODE: u8 = b'u';
    /// Written for an object marshal could not serialise; never valid input.
    pub const UNKNOWN: u8 = b'?';
    /// A set.
    pub const SET: u8 = b'<';
    /// A frozenset.
    pub const FROZENSET: u8 = b'>';
    /// A str of Latin-1 bytes with a 32-bit length.
    pub const ASCII: u8 = b'a';
    /// An interned str of Latin-1 bytes with a 32-bit length.
    pub const ASCII_INTERNED: u8 = b'A';
    /// A str of Latin-1 bytes with an 8-bit length.
    pub const SHORT_ASCII: u8 = b'z';
    /// An interned str of Latin-1 bytes with an 8-bit length.
    pub const SHORT_ASCII_INTERNED: u8 = b'Z';
}

/// `co_flags`: the code uses fast locals.
pub const CO_OPTIMIZED: u32 = 0x0001;
/// `co_flags`: a new locals dict is made for each call.
pub const CO_NEWLOCALS: u32 = 0x0002;
/// `co_flags`: the function takes `*args`.
pub const CO_VARARGS: u32 = 0x0004;
/// `co_flags`: the function takes `**kwargs`.
pub const CO_VARKEYWORDS: u32 = 0x0008;
/// `co_flags`: the function is nested in another.
pub const CO_NESTED: u32 = 0x0010;
/// `co_flags`: the function is a generator.
pub const CO_GENERATOR: u32 = 0x0020;
/// `co_flags`: the function is a coroutine (`async def`).
pub const CO_COROUTINE: u32 = 0x0080;
/// `co_flags`: a generator decorated with `types.coroutine`.
pub const CO_ITERABLE_COROUTINE: u32 = 0x0100;
/// `co_flags`: the function is an async generator.
pub const CO_ASYNC_GENERATOR: u32 = 0x0200;

/// `co_localspluskinds`: the slot is a local variable (arguments included).
pub const CO_FAST_LOCAL: u8 = 0x20;
/// `co_localspluskinds`: the slot is a cell, captured by an inner function.
pub const CO_FAST_CELL: u8 = 0x40;
/// `co_localspluskinds`: the slot is a free variable, captured from an outer function.
pub const CO_FAST_FREE: u8 = 0x80;

/// A value read from marshal data.
///
/// Shared values (back-references) are `Rc` clones of one another, so reading never copies
/// more than the input holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    /// `None`.
    None,
    /// `False`.
    False,
    /// `True`.
    True,
    /// `...`.
    Ellipsis,
    /// The `StopIteration` class.
    StopIteration,
    /// An int that fits in 64 bits, whichever type code stored it.
    Int(i64),
    /// An int that does not fit in 64 bits.
    BigInt(Rc<BigInt>),
    /// A float.
    Float(f64),
    /// A complex number: real part, imaginary part.
    Complex(f64, f64),
    /// A bytes object.
    Bytes(Rc<[u8]>),
    /// A str.
    Str(Rc<str>),
    /// A tuple.
    Tuple(Rc<[Obj]>),
    /// A list.
    List(Rc<[Obj]>),
    /// A dict, in insertion order.
    Dict(Rc<[(Obj, Obj)]>),
    /// A set, in the order written.
    Set(Rc<[Obj]>),
    /// A frozenset, in the order written.
    FrozenSet(Rc<[Obj]>),
    /// A code object.
    Code(Rc<CodeObject>),
}

impl Obj {
    /// The Python type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Obj::None => "NoneType",
            Obj::False | Obj::True => "bool",
            Obj::Ellipsis => "ellipsis",
            Obj::StopIteration => "type",
            Obj::Int(_) | Obj::BigInt(_) => "int",
            Obj::Float(_) => "float",
            Obj::Complex(..) => "complex",
            Obj::Bytes(_) => "bytes",
            Obj::Str(_) => "str",
            Obj::Tuple(_) => "tuple",
            Obj::List(_) => "list",
            Obj::Dict(_) => "dict",
            Obj::Set(_) => "set",
            Obj::FrozenSet(_) => "frozenset",
            Obj::Code(_) => "code",
        }
    }

    /// The text of a str.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Obj::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a bytes object.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Obj::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The items of a tuple.
    pub fn as_tuple(&self) -> Option<&[Obj]> {
        match self {
            Obj::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// The code object.
    pub fn as_code(&self) -> Option<&Rc<CodeObject>> {
        match self {
            Obj::Code(c) => Some(c),
            _ => None,
        }
    }

    /// The value of an int that fits in 64 bits (bools are not included).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// A CPython 3.11 code object, with every field marshal stores, in marshal's order.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeObject {
    /// `co_argcount`: positional parameters, positional-only ones included.
    pub argcount: u32,
    /// `co_posonlyargcount`.
    pub posonlyargcount: u32,
    /// `co_kwonlyargcount`.
    pub kwonlyargcount: u32,
    /// `co_stacksize`.
    pub stacksize: u32,
    /// `co_flags`, see the `CO_*` constants.
    pub flags: u32,
    /// `co_code`: two-byte code units (opcode, oparg), inline cache entries included.
    pub code: Rc<[u8]>,
    /// `co_consts`.
    pub consts: Rc<[Obj]>,
    /// `co_names`: global, attribute and import names.
    pub names: Rc<[Rc<str>]>,
    /// `co_localsplusnames`: the names of the fast locals, cells and free variables.
    pub localsplusnames: Rc<[Rc<str>]>,
    /// `co_localspluskinds`: one `CO_FAST_*` byte per entry of `localsplusnames`.
    pub localspluskinds: Rc<[u8]>,
    /// `co_filename`.
    pub filename: Rc<str>,
    /// `co_name`.
    pub name: Rc<str>,
    /// `co_qualname`.
    pub qualname: Rc<str>,
    /// `co_firstlineno`.
    pub firstlineno: i32,
    /// `co_linetable`: the location table, see [`CodeObject::line_table`].
    pub linetable: Rc<[u8]>,
    /// `co_exceptiontable`, see [`CodeObject::exception_table`].
    pub exceptiontable: Rc<[u8]>,
}

/// The number of bytes in a code unit (`sizeof(_Py_CODEUNIT)`).
const CODE_UNIT: usize = 2;

impl CodeObject {
    /// The number of two-byte code units in `co_code`.
    pub fn code_units(&self) -> usize {
        self.code.len() / CODE_UNIT
    }

    /// The number of fast-local slots: locals, cells and free variables together.
    pub fn nlocalsplus(&self) -> usize {
        self.localspluskinds.len()
    }

    /// The `CO_FAST_*` kind byte of slot `index`.
    pub fn local_kind(&self, index: usize) -> Option<u8> {
        self.localspluskinds.get(index).copied()
    }

    /// The number of parameters: positional, keyword-only, `*args` and `**kwargs`.
    ///
    /// The compiler puts parameters first, so slots `0..total_args()` are the parameters.
    pub fn total_args(&self) -> usize {
        let varargs = usize::from(self.flags & CO_VARARGS != 0);
        let varkw = usize::from(self.flags & CO_VARKEYWORDS != 0);
        self.argcount as usize + self.kwonlyargcount as usize + varargs + varkw
    }

    /// Whether slot `index` holds a parameter.
    pub fn is_arg(&self, index: usize) -> bool {
        index < self.total_args() && index < self.nlocalsplus()
    }

    /// `co_nlocals`: slots that are local variables (a parameter that is also a cell counts).
    pub fn nlocals(&self) -> usize {
        count_locals(&self.localspluskinds)
    }

    /// `co_varnames`: the names of the local variables, parameters first.
    pub fn varnames(&self) -> Vec<Rc<str>> {
        self.names_of_kind(CO_FAST_LOCAL)
    }

    /// `co_cellvars`: the names of the cells, parameters captured by inner functions included.
    pub fn cellvars(&self) -> Vec<Rc<str>> {
        self.names_of_kind(CO_FAST_CELL)
    }

    /// `co_freevars`: the names of the variables captured from enclosing functions.
    pub fn freevars(&self) -> Vec<Rc<str>> {
        self.names_of_kind(CO_FAST_FREE)
    }

    fn names_of_kind(&self, kind: u8) -> Vec<Rc<str>> {
        self.localsplusnames
            .iter()
            .zip(self.localspluskinds.iter())
            .filter(|(_, k)| **k & kind != 0)
            .map(|(n, _)| n.clone())
            .collect()
    }
}

/// Counts the slots that are local variables, as `get_localsplus_counts` does for `co_nlocals`.
fn count_locals(kinds: &[u8]) -> usize {
    kinds.iter().filter(|k| **k & CO_FAST_LOCAL != 0).count()
}

/// Malformed marshal data: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarshalError {
    /// The byte offset of the problem in the input given to the reader.
    pub offset: usize,
    /// What was wrong.
    pub kind: MarshalErrorKind,
}

/// What was wrong with marshal data.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MarshalErrorKind {
    /// The input ended before `expected` was complete.
    Truncated {
        /// What was being read.
        expected: &'static str,
        /// How many bytes it needs at least.
        needed: u64,
        /// How many bytes were left.
        available: usize,
    },
    /// A type code that marshal does not define.
    UnknownTypeCode(u8),
    /// The `?` code, which CPython writes only when it failed to serialise an object.
    UnmarshallableObject,
    /// A NULL (`0`) where a value is required.
    NullObject {
        /// What needed the value.
        context: &'static str,
    },
    /// A negative or too large length field.
    SizeOutOfRange {
        /// What the length was for.
        what: &'static str,
        /// The length as stored.
        size: i64,
    },
    /// A back-reference to a slot that does not exist.
    InvalidReference {
        /// The index as stored.
        index: i64,
        /// How many slots existed at that point.
        table_len: usize,
    },
    /// A back-reference to an object that is still being read: cyclic data, or a code
    /// object or frozenset referring to itself (which CPython rejects as well).
    IncompleteReference {
        /// The slot index.
        index: usize,
    },
    /// Nesting deeper than [`MAX_MARSHAL_STACK_DEPTH`].
    TooDeep,
    /// A digit of a long that is not in `0..2**15`.
    BadLongDigit {
        /// The digit as stored (sign-extended, as CPython reads it).
        digit: i16,
    },
    /// A long whose most significant digit is zero.
    UnnormalizedLong,
    /// Float text that is not a number.
    BadFloat {
        /// The text, lossily decoded.
        text: String,
    },
    /// A str that is not valid UTF-8.
    InvalidUtf8 {
        /// The offset within the string of the first bad byte.
        valid_up_to: usize,
    },
    /// A str with a lone surrogate, which CPython accepts but a Rust string cannot hold.
    LoneSurrogate,
    /// A dict key or set element that Python cannot hash.
    Unhashable {
        /// `dict key` or `set element`.
        context: &'static str,
        /// The Python type of the value.
        type_name: &'static str,
    },
    /// A code object whose fields CPython's `_PyCode_Validate` would reject.
    BadCode {
        /// Which check failed.
        reason: String,
    },
}

impl MarshalError {
    fn new(offset: usize, kind: MarshalErrorKind) -> Self {
        MarshalError { offset, kind }
    }
}

impl fmt::Display for MarshalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad marshal data at byte {}: {}", self.offset, self.kind)
    }
}

impl fmt::Display for MarshalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MarshalErrorKind as K;
        match self {
            K::Truncated {
                expected,
                needed,
                available,
            } => {
                let unit = if *needed == 1 { "byte" } else { "bytes" };
                write!(
                    f,
                    "expected {expected} ({needed} {unit}) but only {available} left"
                )
            }
            K::UnknownTypeCode(code) => {
                write!(f, "unknown type code {code:#04x}")?;
                if code.is_ascii_graphic() {
                    write!(f, " ({:?})", char::from(*code))?;
                }
                Ok(())
            }
            K::UnmarshallableObject => {
                write!(
                    f,
                    "type code '?' marks an object that could not be marshalled"
                )
            }
            K::NullObject { context } => write!(f, "NULL object where {context} expected"),
            K::SizeOutOfRange { what, size } => write!(f, "{what} size {size} is out of range"),
            K::InvalidReference { index, table_len } => write!(
                f,
                "invalid reference {index} (only {table_len} objects can be referenced here)"
            ),
            K::IncompleteReference { index } => write!(
                f,
                "reference {index} points to an object that is still being read \
                 (cyclic data is not supported)"
            ),
            K::TooDeep => write!(
                f,
                "objects nest deeper than the limit of {MAX_MARSHAL_STACK_DEPTH} levels"
            ),
            K::BadLongDigit { digit } => {
                write!(
                    f,
                    "long digit {:#06x} is out of range (must be below 2**15)",
                    *digit as u16
                )
            }
            K::UnnormalizedLong => write!(f, "the top digit of a long is zero"),
            K::BadFloat { text } => write!(f, "{text:?} is not a float"),
            K::InvalidUtf8 { valid_up_to } => {
                write!(
                    f,
                    "str is not valid UTF-8 (bad byte at string offset {valid_up_to})"
                )
            }
            K::LoneSurrogate => write!(
                f,
                "str contains a lone surrogate, which CPython allows ('surrogatepass') \
                 but this reader cannot represent"
            ),
            K::Unhashable { context, type_name } => {
                write!(f, "unhashable {type_name} used as a {context}")
            }
            K::BadCode { reason } => write!(f, "invalid code object: {reason}"),
        }
    }
}

impl std::error::Error for MarshalError {}

/// Reads the first object of `bytes`, ignoring anything after it, as `marshal.loads` does.
pub fn read_object(bytes: &[u8]) -> Result<Obj, MarshalError> {
    Reader::new(bytes).read_object()
}

/// Reads marshalled objects one after another from a byte slice.
///
/// Each [`Reader::read_object`] call starts a fresh back-reference table, as each
/// `marshal.load` call does in CPython. After an error the position is unspecified.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// A reader at offset `pos` of `data`; error offsets still count from the start of `data`.
    pub fn at(data: &'a [u8], pos: usize) -> Self {
        Reader {
            data,
            pos: pos.min(data.len()),
        }
    }

    /// The offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    /// Whether everything has been read.
    pub fn is_at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Reads the next object.
    pub fn read_object(&mut self) -> Result<Obj, MarshalError> {
        let mut cursor = Cursor {
            data: self.data,
            pos: self.pos,
        };
        let result = ReadState::default().read(&mut cursor);
        self.pos = cursor.pos;
        result
    }
}

/// Bounds-checked little-endian reads.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn truncated(&self, expected: &'static str, needed: u64) -> MarshalError {
        MarshalError::new(
            self.pos,
            MarshalErrorKind::Truncated {
                expected,
                needed,
                available: self.remaining(),
            },
        )
    }

    fn take(&mut self, n: usize, expected: &'static str) -> Result<&'a [u8], MarshalError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.data.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(self.truncated(expected, n as u64)),
        }
    }

    fn array<const N: usize>(&mut self, expected: &'static str) -> Result<[u8; N], MarshalError> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        match rest.first_chunk::<N>() {
            Some(bytes) => {
                self.pos += N;
                Ok(*bytes)
            }
            None => Err(self.truncated(expected, N as u64)),
        }
    }

    fn u8(&mut self, expected: &'static str) -> Result<u8, MarshalError> {
        Ok(self.array::<1>(expected)?[0])
    }

    fn i16(&mut self, expected: &'static str) -> Result<i16, MarshalError> {
        Ok(i16::from_le_bytes(self.array(expected)?))
    }

    fn i32(&mut self, expected: &'static str) -> Result<i32, MarshalError> {
        Ok(i32::from_le_bytes(self.array(expected)?))
    }

    fn i64(&mut self, expected: &'static str) -> Result<i64, MarshalError> {
        Ok(i64::from_le_bytes(self.array(expected)?))
    }

    fn f64(&mut self, expected: &'static str) -> Result<f64, MarshalError> {
        Ok(f64::from_le_bytes(self.array(expected)?))
    }

    /// Reads a 32-bit length and rejects negative ones, as CPython does with
    /// "bad marshal data (... size out of range)".
    fn length(&mut self, what: &'static str) -> Result<usize, MarshalError> {
        let at = self.pos;
        let n = self.i32(what)?;
        usize::try_from(n).map_err(|_| {
            MarshalError::new(
                at,
                MarshalErrorKind::SizeOutOfRange {
                    what,
                    size: i64::from(n),
                },
            )
        })
    }

    /// Fails early if `count` items of at least `min_bytes` each cannot fit in the rest of
    /// the input, so a corrupt count never reaches an allocation.
    fn ensure_room(
        &self,
        count: usize,
        min_bytes: usize,
        expected: &'static str,
    ) -> Result<(), MarshalError> {
        let needed = (count as u64).saturating_mul(min_bytes as u64);
        if needed > self.remaining() as u64 {
            return Err(self.truncated(expected, needed));
        }
        Ok(())
    }
}

/// A reference table slot: reserved while its container is being read, then filled.
enum Slot {
    Reserved,
    Filled(Obj, u32),
}

/// A value produced by one step of the reader. `obj` is `None` for the NULL code.
struct Val {
    obj: Option<Obj>,
    /// How deeply the value nests, itself included, so back-references can be bounded.
    height: u32,
    /// Where the value started, for error messages.
    start: usize,
}

#[derive(Clone, Copy)]
enum SeqKind {
    Tuple,
    List,
    Set,
    FrozenSet,
}

impl SeqKind {
    fn name(self) -> &'static str {
        match self {
            SeqKind::Tuple => "a tuple item",
            SeqKind::List => "a list item",
            SeqKind::Set | SeqKind::FrozenSet => "a set element",
        }
    }
}

/// A container being read.
struct Frame {
    start: usize,
    slot: Option<usize>,
    /// The largest height among the children read so far.
    height: u32,
    body: FrameBody,
}

enum FrameBody {
    Seq {
        kind: SeqKind,
        len: usize,
        items: Vec<Obj>,
    },
    Dict {
        items: Vec<(Obj, Obj)>,
        key: Option<(Obj, usize)>,
    },
    Code {
        header: [i32; 5],
        fields: Vec<Obj>,
        firstlineno: i32,
    },
}

/// The object fields of a code object, in marshal order.
const CODE_FIELDS: [&str; 10] = [
    "co_code",
    "co_consts",
    "co_names",
    "co_localsplusnames",
    "co_localspluskinds",
    "co_filename",
    "co_name",
    "co_qualname",
    "co_linetable",
    "co_exceptiontable",
];

/// The index in [`CODE_FIELDS`] after which `co_firstlineno` (a raw int) is stored.
const FIRSTLINENO_AFTER: usize = 8;

/// The state of one `read_object` call.
#[derive(Default)]
struct ReadState {
    refs: Vec<Slot>,
    /// Addresses of tuples that contain something unhashable; `keep_alive` holds them so
    /// an address cannot be reused by another tuple while the read lasts.
    unhashable: HashSet<usize>,
    keep_alive: Vec<Rc<[Obj]>>,
    /// Tuples of names already converted for a code object, by address, so code objects
    /// sharing a tuple through back-references do not convert it again and again.
    names_memo: HashMap<usize, NameMemoEntry>,
    /// `co_nlocals` of `co_localspluskinds` values already counted, by address, for the
    /// same reason.
    nlocals_memo: HashMap<usize, (Rc<[u8]>, usize)>,
}

/// A names tuple kept alive with its conversion, see `ReadState::names_memo`.
type NameMemoEntry = (Rc<[Obj]>, Rc<[Rc<str>]>);

fn rc_addr<T: ?Sized>(rc: &Rc<T>) -> usize {
    Rc::as_ptr(rc).cast::<u8>() as usize
}

impl ReadState {
    fn read(&mut self, cur: &mut Cursor<'_>) -> Result<Obj, MarshalError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let Some(mut val) = self.begin(cur, &mut stack)? else {
                // A container was opened; its first child comes next.
                continue;
            };
            loop {
                let Some(top) = stack.last_mut() else {
                    return val.obj.ok_or_else(|| {
                        MarshalError::new(
                            val.start,
                            MarshalErrorKind::NullObject {
                                context: "an object",
                            },
                        )
                    });
                };
                if !self.accept(top, val, cur)? {
                    break;
                }
                let Some(frame) = stack.pop() else {
                    break;
                };
                val = self.finish(frame)?;
            }
        }
    }

    /// Registers a finished leaf value if its type code carried `FLAG_REF`.
    fn leaf(&mut self, flag: bool, obj: Obj, start: usize) -> Val {
        if flag {
            self.refs.push(Slot::Filled(obj.clone(), 1));
        }
        Val {
            obj: Some(obj),
            height: 1,
            start,
        }
    }

    /// Reads one type code and either returns a finished value or opens a container.
    fn begin(
        &mut self,
        cur: &mut Cursor<'_>,
        stack: &mut Vec<Frame>,
    ) -> Result<Option<Val>, MarshalError> {
        use type_code as T;
        let start = cur.pos;
        let byte = cur.u8("a type code")?;
        if stack.len() >= MAX_MARSHAL_STACK_DEPTH {
            return Err(MarshalError::new(start, MarshalErrorKind::TooDeep));
        }
        let flag = byte & FLAG_REF != 0;
        let ty = byte & !FLAG_REF;
        // The singletons never take a reference slot, even with FLAG_REF set, exactly as in
        // CPython; registering them would shift every later index.
        let simple = |obj| {
            Ok(Some(Val {
                obj,
                height: 1,
                start,
            }))
        };
        let obj = match ty {
            T::NULL => return simple(None),
            T::NONE => return simple(Some(Obj::None)),
            T::FALSE => return simple(Some(Obj::False)),
            T::TRUE => return simple(Some(Obj::True)),
            T::STOPITER => return simple(Some(Obj::StopIteration)),
            T::ELLIPSIS => return simple(Some(Obj::Ellipsis)),
            T::INT => Obj::Int(i64::from(cur.i32("a 32-bit int")?)),
            T::INT64 => Obj::Int(cur.i64("a 64-bit int")?),
            T::LONG => read_long(cur)?,
            T::FLOAT => Obj::Float(read_float_text(cur)?),
            T::BINARY_FLOAT => Obj::Float(cur.f64("a binary float")?),
            T::COMPLEX => {
                let re = read_float_text(cur)?;
                let im = read_float_text(cur)?;
                Obj::Complex(re, im)
            }
            T::BINARY_COMPLEX => {
                let re = cur.f64("the real part of a binary complex")?;
                let im = cur.f64("the imaginary part of a binary complex")?;
                Obj::Complex(re, im)
            }
            T::STRING => {
                let n = cur.length("bytes")?;
                Obj::Bytes(cur.take(n, "the contents of a bytes object")?.into())
            }
            T::ASCII | T::ASCII_INTERNED => {
                let n = cur.length("string")?;
                Obj::Str(latin1(cur.take(n, "the contents of an ASCII str")?))
            }
            T::SHORT_ASCII | T::SHORT_ASCII_INTERNED => {
                let n = usize::from(cur.u8("the length of a short ASCII str")?);
                Obj::Str(latin1(cur.take(n, "the contents of an ASCII str")?))
            }
            T::UNICODE | T::INTERNED => {
                let n = cur.length("string")?;
                let at = cur.pos;
                Obj::Str(utf8(cur.take(n, "the contents of a str")?, at)?)
            }
            T::SMALL_TUPLE => {
                let n = usize::from(cur.u8("the length of a small tuple")?);
                return self.open_seq(cur, stack, SeqKind::Tuple, n, flag, start);
            }
            T::TUPLE => {
                let n = cur.length("tuple")?;
                return self.open_seq(cur, stack, SeqKind::Tuple, n, flag, start);
            }
            T::LIST => {
                let n = cur.length("list")?;
                return self.open_seq(cur, stack, SeqKind::List, n, flag, start);
            }
            T::SET | T::FROZENSET => {
                let n = cur.length("set")?;
                let kind = if ty == T::SET {
                    SeqKind::Set
                } else {
                    SeqKind::FrozenSet
                };
                return self.open_seq(cur, stack, kind, n, flag, start);
            }
            T::DICT => {
                let slot = self.reserve(flag);
                let body = FrameBody::Dict {
                    items: Vec::new(),
                    key: None,
                };
                stack.push(Frame {
                    start,
                    slot,
                    height: 0,
                    body,
                });
                return Ok(None);
            }
            T::CODE => {
                let slot = self.reserve(flag);
                let mut header = [0i32; 5];
                let what = [
                    "co_argcount",
                    "co_posonlyargcount",
                    "co_kwonlyargcount",
                    "co_stacksize",
                    "co_flags",
                ];
                for (value, what) in header.iter_mut().zip(what) {
                    *value = cur.i32(what)?;
                }
                let fields = Vec::with_capacity(CODE_FIELDS.len());
                let body = FrameBody::Code {
                    header,
                    fields,
                    firstlineno: 0,
                };
                stack.push(Frame {
                    start,
                    slot,
                    height: 0,
                    body,
                });
                return Ok(None);
            }
            T::REF => return self.reference(cur, stack.len(), start).map(Some),
            T::UNKNOWN => {
                return Err(MarshalError::new(
                    start,
                    MarshalErrorKind::UnmarshallableObject,
                ))
            }
            _ => {
                return Err(MarshalError::new(
                    start,
                    MarshalErrorKind::UnknownTypeCode(byte),
                ))
            }
        };
        Ok(Some(self.leaf(flag, obj, start)))
    }

    /// Takes a reference slot before a container's contents are read, as CPython does, so
    /// the indices of objects nested inside come after it.
    fn reserve(&mut self, flag: bool) -> Option<usize> {
        flag.then(|| {
            self.refs.push(Slot::Reserved);
            self.refs.len() - 1
        })
    }

    fn open_seq(
        &mut self,
        cur: &mut Cursor<'_>,
        stack: &mut Vec<Frame>,
        kind: SeqKind,
        len: usize,
        flag: bool,
        start: usize,
    ) -> Result<Option<Val>, MarshalError> {
        let slot = self.reserve(flag);
        // Every item takes at least one byte, so a longer count is certainly truncated.
        cur.ensure_room(len, 1, "the items of a container")?;
        let frame = Frame {
            start,
            slot,
            height: 0,
            body: FrameBody::Seq {
                kind,
                len,
                items: Vec::with_capacity(len),
            },
        };
        if len == 0 {
            return self.finish(frame).map(Some);
        }
        stack.push(frame);
        Ok(None)
    }

    fn reference(
        &mut self,
        cur: &mut Cursor<'_>,
        ancestors: usize,
        start: usize,
    ) -> Result<Val, MarshalError> {
        let index = cur.i32("a reference index")?;
        let table_len = self.refs.len();
        let invalid = || {
            MarshalError::new(
                start,
                MarshalErrorKind::InvalidReference {
                    index: i64::from(index),
                    table_len,
                },
            )
        };
        let slot = usize::try_from(index).map_err(|_| invalid())?;
        match self.refs.get(slot) {
            None => Err(invalid()),
            Some(Slot::Reserved) => Err(MarshalError::new(
                start,
                MarshalErrorKind::IncompleteReference { index: slot },
            )),
            Some(Slot::Filled(obj, height)) => {
                if ancestors + *height as usize > MAX_MARSHAL_STACK_DEPTH {
                    return Err(MarshalError::new(start, MarshalErrorKind::TooDeep));
                }
                Ok(Val {
                    obj: Some(obj.clone()),
                    height: *height,
                    start,
                })
            }
        }
    }

    fn hashable(&self, obj: &Obj) -> bool {
        match obj {
            Obj::List(_) | Obj::Dict(_) | Obj::Set(_) => false,
            Obj::Tuple(t) => !self.unhashable.contains(&rc_addr(t)),
            _ => true,
        }
    }

    /// Adds a child value to the container on top of the stack; true when it is complete.
    fn accept(
        &mut self,
        frame: &mut Frame,
        val: Val,
        cur: &mut Cursor<'_>,
    ) -> Result<bool, MarshalError> {
        frame.height = frame.height.max(val.height);
        match &mut frame.body {
            FrameBody::Seq { kind, len, items } => {
                let Some(obj) = val.obj else {
                    let context = kind.name();
                    return Err(MarshalError::new(
                        val.start,
                        MarshalErrorKind::NullObject { context },
                    ));
                };
                if matches!(kind, SeqKind::Set | SeqKind::FrozenSet) && !self.hashable(&obj) {
                    let type_name = obj.type_name();
                    return Err(MarshalError::new(
                        val.start,
                        MarshalErrorKind::Unhashable {
                            context: "set element",
                            type_name,
                        },
                    ));
                }
                items.push(obj);
                Ok(items.len() >= *len)
            }
            FrameBody::Dict { items, key } => match (key.take(), val.obj) {
                // CPython ends a dict at the first NULL, even one in place of a value, and
                // then silently drops the key it had read.
                (None, None) | (Some(_), None) => Ok(true),
                (None, Some(k)) => {
                    *key = Some((k, val.start));
                    Ok(false)
                }
                (Some((k, key_start)), Some(v)) => {
                    if !self.hashable(&k) {
                        let type_name = k.type_name();
                        return Err(MarshalError::new(
                            key_start,
                            MarshalErrorKind::Unhashable {
                                context: "dict key",
                                type_name,
                            },
                        ));
                    }
                    items.push((k, v));
                    Ok(false)
                }
            },
            FrameBody::Code {
                fields,
                firstlineno,
                ..
            } => {
                let index = fields.len();
                let Some(obj) = val.obj else {
                    let context = CODE_FIELDS.get(index).copied().unwrap_or("a code field");
                    return Err(MarshalError::new(
                        val.start,
                        MarshalErrorKind::NullObject { context },
                    ));
                };
                fields.push(obj);
                if fields.len() == FIRSTLINENO_AFTER {
                    *firstlineno = cur.i32("co_firstlineno")?;
                }
                Ok(fields.len() >= CODE_FIELDS.len())
            }
        }
    }

    /// Builds the value of a completed container and fills its reference slot.
    fn finish(&mut self, frame: Frame) -> Result<Val, MarshalError> {
        let height = frame.height.saturating_add(1);
        let obj = match frame.body {
            FrameBody::Seq { kind, items, .. } => match kind {
                SeqKind::Tuple => {
                    let unhashable = items.iter().any(|o| !self.hashable(o));
                    let tuple: Rc<[Obj]> = items.into();
                    if unhashable {
                        self.unhashable.insert(rc_addr(&tuple));
                        self.keep_alive.push(tuple.clone());
                    }
                    Obj::Tuple(tuple)
                }
                SeqKind::List => Obj::List(items.into()),
                SeqKind::Set => Obj::Set(items.into()),
                SeqKind::FrozenSet => Obj::FrozenSet(items.into()),
            },
            FrameBody::Dict { items, .. } => Obj::Dict(items.into()),
            FrameBody::Code {
                header,
                fields,
                firstlineno,
            } => {
                let code = self
                    .build_code(header, fields, firstlineno)
                    .map_err(|reason| {
                        MarshalError::new(frame.start, MarshalErrorKind::BadCode { reason })
                    })?;
                Obj::Code(Rc::new(code))
            }
        };
        if let Some(slot) = frame.slot.and_then(|i| self.refs.get_mut(i)) {
            *slot = Slot::Filled(obj.clone(), height);
        }
        Ok(Val {
            obj: Some(obj),
            height,
            start: frame.start,
        })
    }

    /// Checks a code object as `_PyCode_Validate` and `_PyCode_New` do, and builds it.
    fn build_code(
        &mut self,
        header: [i32; 5],
        fields: Vec<Obj>,
        firstlineno: i32,
    ) -> Result<CodeObject, String> {
        let [argcount, posonlyargcount, kwonlyargcount, stacksize, flags] = header;
        if posonlyargcount < 0
            || argcount < posonlyargcount
            || kwonlyargcount < 0
            || stacksize < 0
            || flags < 0
        {
            return Err(format!(
                "bad counts (argcount {argcount}, posonlyargcount {posonlyargcount}, \
                 kwonlyargcount {kwonlyargcount}, stacksize {stacksize}, flags {flags})"
            ));
        }
        let Ok(
            [code, consts, names, localsplusnames, localspluskinds, filename, name, qualname, linetable, exceptiontable],
        ) = <[Obj; 10]>::try_from(fields)
        else {
            return Err("a field is missing".to_string());
        };
        let code = want_bytes(code, "co_code")?;
        let consts = match consts {
            Obj::Tuple(t) => t,
            other => return Err(wrong_type("co_consts", "tuple", &other)),
        };
        let names = self.names(names, "co_names")?;
        let localsplusnames = self.names(localsplusnames, "co_localsplusnames")?;
        let localspluskinds = want_bytes(localspluskinds, "co_localspluskinds")?;
        let filename = want_str(filename, "co_filename")?;
        let name = want_str(name, "co_name")?;
        let qualname = want_str(qualname, "co_qualname")?;
        let linetable = want_bytes(linetable, "co_linetable")?;
        let exceptiontable = want_bytes(exceptiontable, "co_exceptiontable")?;
        if localsplusnames.len() != localspluskinds.len() {
            return Err(format!(
                "co_localsplusnames has {} names but co_localspluskinds has {} kinds",
                localsplusnames.len(),
                localspluskinds.len()
            ));
        }
        if code.len() % CODE_UNIT != 0 {
            return Err(format!("co_code has an odd length ({} bytes)", code.len()));
        }
        let nlocals = self.nlocals(&localspluskinds);
        let flags = flags as u32;
        let args = i64::from(argcount)
            + i64::from(kwonlyargcount)
            + i64::from(flags & CO_VARARGS != 0)
            + i64::from(flags & CO_VARKEYWORDS != 0);
        if (nlocals as i64) < args {
            return Err(format!(
                "co_varnames is too small: {nlocals} locals for {args} parameters"
            ));
        }
        Ok(CodeObject {
            argcount: argcount as u32,
            posonlyargcount: posonlyargcount as u32,
            kwonlyargcount: kwonlyargcount as u32,
            stacksize: stacksize as u32,
            flags,
            code,
            consts,
            names,
            localsplusnames,
            localspluskinds,
            filename,
            name,
            qualname,
            firstlineno,
            linetable,
            exceptiontable,
        })
    }

    /// Converts a tuple of names, as `intern_strings` demands ("non-string found in code slot").
    fn names(&mut self, obj: Obj, field: &str) -> Result<Rc<[Rc<str>]>, String> {
        let Obj::Tuple(tuple) = obj else {
            return Err(wrong_type(field, "tuple", &obj));
        };
        let addr = rc_addr(&tuple);
        if let Some((_, names)) = self.names_memo.get(&addr) {
            return Ok(names.clone());
        }
        let names = tuple
            .iter()
            .map(|item| match item {
                Obj::Str(s) => Ok(s.clone()),
                other => Err(format!("{field} holds a {}, not a str", other.type_name())),
            })
            .collect::<Result<Rc<[Rc<str>]>, String>>()?;
        self.names_memo.insert(addr, (tuple, names.clone()));
        Ok(names)
    }

    fn nlocals(&mut self, kinds: &Rc<[u8]>) -> usize {
        let addr = rc_addr(kinds);
        if let Some((_, n)) = self.nlocals_memo.get(&addr) {
            return *n;
        }
        let n = count_locals(kinds);
        self.nlocals_memo.insert(addr, (kinds.clone(), n));
        n
    }
}

fn wrong_type(field: &str, wanted: &str, found: &Obj) -> String {
    format!("{field} must be a {wanted}, not a {}", found.type_name())
}

fn want_bytes(obj: Obj, field: &str) -> Result<Rc<[u8]>, String> {
    match obj {
        Obj::Bytes(b) => Ok(b),
        other => Err(wrong_type(field, "bytes", &other)),
    }
}

fn want_str(obj: Obj, field: &str) -> Result<Rc<str>, String> {
    match obj {
        Obj::Str(s) => Ok(s),
        other => Err(wrong_type(field, "str", &other)),
    }
}

/// Decodes the 1-byte-kind strings of the ASCII type codes. CPython builds them with
/// `PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, ...)`, which reads bytes as Latin-1,
/// so bytes above 0x7f are accepted, not rejected.
fn latin1(bytes: &[u8]) -> Rc<str> {
    bytes
        .iter()
        .map(|b| char::from(*b))
        .collect::<String>()
        .into()
}

fn utf8(bytes: &[u8], at: usize) -> Result<Rc<str>, MarshalError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.into()),
        Err(e) => {
            let bad = e.valid_up_to();
            // UTF-8-encoded surrogates are ED A0..BF xx; CPython's 'surrogatepass' allows them.
            let surrogate = bytes.get(bad) == Some(&0xED)
                && bytes
                    .get(bad + 1)
                    .is_some_and(|b| (0xA0..=0xBF).contains(b))
                && bytes
                    .get(bad + 2)
                    .is_some_and(|b| (0x80..=0xBF).contains(b));
            let kind = if surrogate {
                MarshalErrorKind::LoneSurrogate
            } else {
                MarshalErrorKind::InvalidUtf8 { valid_up_to: bad }
            };
            Err(MarshalError::new(at + bad, kind))
        }
    }
}

/// Reads the text form of a float: a length byte and that many characters.
fn read_float_text(cur: &mut Cursor<'_>) -> Result<f64, MarshalError> {
    let n = usize::from(cur.u8("the length of a float")?);
    let at = cur.pos;
    let raw = cur.take(n, "the text of a float")?;
    // CPython copies the text into a NUL-terminated buffer, so an embedded NUL ends it.
    let text = raw.split(|b| *b == 0).next().unwrap_or(&[]);
    let parsed = std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse::<f64>().ok());
    parsed.ok_or_else(|| {
        let text = String::from_utf8_lossy(raw).into_owned();
        MarshalError::new(at, MarshalErrorKind::BadFloat { text })
    })
}

/// The bits of one marshal digit of a long.
const LONG_SHIFT: u32 = 15;

/// Reads a long: a signed digit count, then base 2**15 digits, least significant first.
fn read_long(cur: &mut Cursor<'_>) -> Result<Obj, MarshalError> {
    let at = cur.pos;
    let n = cur.i32("the digit count of a long")?;
    if n == 0 {
        return Ok(Obj::Int(0));
    }
    if n == i32::MIN {
        return Err(MarshalError::new(
            at,
            MarshalErrorKind::SizeOutOfRange {
                what: "long",
                size: i64::from(n),
            },
        ));
    }
    let count = n.unsigned_abs() as usize;
    cur.ensure_room(count, 2, "the digits of a long")?;
    let mut words: Vec<u32> = Vec::with_capacity(count * LONG_SHIFT as usize / 32 + 1);
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    for i in 0..count {
        let digit_at = cur.pos;
        let digit = cur.i16("a digit of a long")?;
        // CPython sign-extends each digit, so a digit with bit 15 set reads as negative.
        if digit < 0 {
            return Err(MarshalError::new(
                digit_at,
                MarshalErrorKind::BadLongDigit { digit },
            ));
        }
        if digit == 0 && i + 1 == count {
            return Err(MarshalError::new(
                digit_at,
                MarshalErrorKind::UnnormalizedLong,
            ));
        }
        acc |= (digit as u64) << bits;
        bits += LONG_SHIFT;
        if bits >= 32 {
            words.push(acc as u32);
            acc >>= 32;
            bits -= 32;
        }
    }
    if bits > 0 {
        words.push(acc as u32);
    }
    let sign = if n < 0 { Sign::Minus } else { Sign::Plus };
    let value = BigInt::from_biguint(sign, BigUint::new(words));
    Ok(match value.to_i64() {
        Some(small) => Obj::Int(small),
        None => Obj::BigInt(Rc::new(value)),
    })
}
