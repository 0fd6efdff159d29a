//! The core bytecode: a stack machine close to CPython's, its code objects and modules.
//!
//! Every instruction is defined once, in the `define_ops!` table below: its name, its
//! operand kind (which the verifier checks), its specialization family (the generic
//! instruction a quickened form falls back to) and its documentation. The enum, the
//! names, the operand kinds and the family map are all generated from that table;
//! [`stack_effect`] gives the stack effect of each family.
//!
//! An instruction is 8 bytes: the opcode, a 16-bit secondary operand `b` and a 32-bit
//! primary operand `a`. For instructions that can be specialized, `b` is the index of
//! the instruction's inline cache, [`Code::cache`] (assigned when the code is built);
//! see `ARCHITECTURE.md` for the per-instruction memory cost.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt::Write as _;

use crate::heap::Heap;
use crate::value::Value;

/// Index of a code object in its [`Module`].
pub type CodeId = u32;

/// What an instruction's `a` operand means, so the verifier can check it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// `a` is unused.
    None,
    /// `a` indexes [`Code::consts`].
    Const,
    /// `a` is a signed 32-bit immediate.
    Imm,
    /// `a` indexes the frame's locals.
    Local,
    /// `a` indexes the module's globals.
    Global,
    /// `a` is an instruction index in the same code object.
    Target,
    /// `a` is a count (arguments, elements).
    Count,
    /// `a` is a [`BinOp`].
    BinOp,
    /// `a` is a [`CmpOp`].
    CmpOp,
    /// `a` is a [`UnOp`].
    UnOp,
    /// `a` indexes the module's code objects.
    Code,
    /// `a >> 8` indexes [`Code::consts`] (a string: a name), `a & 0xFF` is an argument count.
    ConstArgc,
}

macro_rules! define_ops {
    ($( $(#[doc = $doc:literal])* $name:ident($operand:ident) in $family:ident; )*) => {
        /// Every instruction, generic and specialized. See the module docs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Op {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Op {
            /// All instructions, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$name),*];

            /// The instruction's name as dumps print it.
            pub fn name(self) -> &'static str {
                match self { $(Op::$name => stringify!($name),)* }
            }

            /// What the `a` operand means.
            pub fn operand(self) -> Operand {
                match self { $(Op::$name => Operand::$operand,)* }
            }

            /// The generic instruction this one specializes (itself for a generic one).
            pub fn family(self) -> Op {
                match self { $(Op::$name => Op::$family,)* }
            }

            /// The first line of the instruction's documentation.
            pub fn doc(self) -> &'static str {
                match self { $(Op::$name => first_doc_line(&[$($doc),*]),)* }
            }
        }
    };
}

const fn first_doc_line(lines: &[&'static str]) -> &'static str {
    if lines.is_empty() {
        ""
    } else {
        lines[0]
    }
}

define_ops! {
    /// Does nothing. Stack: `[] -> []`.
    Nop(None) in Nop;
    /// Discards the top of the stack. Stack: `[v] -> []`.
    Pop(None) in Pop;
    /// Duplicates the top of the stack. Stack: `[v] -> [v, v]`.
    Dup(None) in Dup;
    /// Swaps the two top values. Stack: `[a, b] -> [b, a]`.
    Swap(None) in Swap;
    /// Pushes constant `a`. Stack: `[] -> [consts[a]]`.
    LoadConst(Const) in LoadConst;
    /// Pushes the small int `a` (as `i32`). Stack: `[] -> [a]`.
    LoadInt(Imm) in LoadInt;
    /// Pushes nil. Stack: `[] -> [nil]`.
    LoadNil(None) in LoadNil;
    /// Pushes true. Stack: `[] -> [true]`.
    LoadTrue(None) in LoadTrue;
    /// Pushes false. Stack: `[] -> [false]`.
    LoadFalse(None) in LoadFalse;
    /// Pushes local `a`. Stack: `[] -> [locals[a]]`.
    LoadLocal(Local) in LoadLocal;
    /// Pops into local `a`. Stack: `[v] -> []`.
    StoreLocal(Local) in StoreLocal;
    /// Pushes global `a`; an empty global asks the frontend
    /// ([`crate::semantics::Semantics::global_empty`]). Stack: `[] -> [globals[a]]`.
    LoadGlobal(Global) in LoadGlobal;
    /// Pops into global `a`. Stack: `[v] -> []`.
    StoreGlobal(Global) in StoreGlobal;
    /// Binary arithmetic `a` (a [`BinOp`]); types the core does not handle go to the
    /// frontend's slow path. Stack: `[x, y] -> [x op y]`.
    Binary(BinOp) in Binary;
    /// Comparison `a` (a [`CmpOp`]). Stack: `[x, y] -> [x op y]`.
    Compare(CmpOp) in Compare;
    /// Unary operation `a` (a [`UnOp`]). Stack: `[x] -> [op x]`.
    Unary(UnOp) in Unary;
    /// Jumps to `a`. Stack: `[] -> []`.
    Jump(Target) in Jump;
    /// Pops; jumps to `a` if the value is falsy. Stack: `[c] -> []`.
    JumpIfFalse(Target) in JumpIfFalse;
    /// Pops; jumps to `a` if the value is truthy. Stack: `[c] -> []`.
    JumpIfTrue(Target) in JumpIfTrue;
    /// If the top is falsy, jumps to `a` keeping it; otherwise pops it (`and`).
    /// Stack: `[c] -> [c]` (jump) or `[c] -> []` (fall through).
    JumpIfFalseOrPop(Target) in JumpIfFalseOrPop;
    /// If the top is truthy, jumps to `a` keeping it; otherwise pops it (`or`).
    /// Stack: `[c] -> [c]` (jump) or `[c] -> []` (fall through).
    JumpIfTrueOrPop(Target) in JumpIfTrueOrPop;
    /// Checks that the value `a` slots below the top is an int, raising the frontend's
    /// `for`-bound error otherwise. Stack: unchanged.
    CheckIntBound(Count) in CheckIntBound;
    /// Counted loop head. Locals `b` (counter) and `b + 1` (end) hold ints: if
    /// counter < end, pushes the counter and increments it; otherwise jumps to `a`.
    /// Stack: `[] -> [i]` (continue) or `[] -> []` (exit).
    ForRange(Target) in ForRange;
    /// Calls the callee below `a` arguments. Stack: `[f, x1 .. xa] -> [result]`.
    Call(Count) in Call;
    /// Returns the top of the stack to the caller. Stack: `[v] -> (frame ends)`.
    Return(None) in Return;
    /// Builds an array of the top `a` values. Stack: `[x1 .. xa] -> [array]`.
    BuildArray(Count) in BuildArray;
    /// Indexes a container. Stack: `[c, i] -> [c[i]]`.
    Index(None) in Index;
    /// Stores into a container. Stack: `[c, i, v] -> []`.
    StoreIndex(None) in StoreIndex;
    /// Stores into a container, in CPython's operand order. Stack: `[v, c, i] -> []`.
    StoreSubscr(None) in StoreSubscr;
    /// Pushes a copy of the value `a` slots down (`a = 1` is the top; CPython's `COPY`).
    /// Stack: `[x, .. (a values)] -> [x, .., x]`.
    CopyN(Count) in CopyN;
    /// Swaps the top with the value `a` slots down (`a >= 2`; CPython's `SWAP`).
    SwapN(Count) in SwapN;
    /// Pushes local `a`, raising the frontend's unbound-local error if it is empty.
    /// Stack: `[] -> [locals[a]]`.
    LoadLocalChecked(Local) in LoadLocalChecked;
    /// Empties local `a` (Python's `del x`). Stack: unchanged.
    DeleteLocal(Local) in DeleteLocal;
    /// Replaces local `a` by a new cell holding its value. Stack: unchanged.
    MakeCell(Local) in MakeCell;
    /// Pushes the contents of the cell in local `a` (the frontend's error if it is empty).
    /// Stack: `[] -> [v]`.
    LoadDeref(Local) in LoadDeref;
    /// Pops into the cell in local `a`. Stack: `[v] -> []`.
    StoreDeref(Local) in StoreDeref;
    /// Copies the running function's captured cells into locals `a ..`. Stack: unchanged.
    CopyFreeVars(Local) in CopyFreeVars;
    /// Makes a function of code `a`. `b` flags: bit 0, a defaults tuple is on the stack;
    /// bit 1, a keyword-only defaults value; bit 3, a tuple of cells is on top.
    /// Stack: `[defaults?, kwdefaults?, cells?] -> [f]`.
    MakeFunction(Code) in MakeFunction;
    /// Replaces an iterable by an iterator. Stack: `[x] -> [iter]`.
    GetIter(None) in GetIter;
    /// Advances the iterator on top: pushes the next value, or pops the iterator and jumps
    /// to `a` when it is exhausted. Stack: `[it] -> [it, v]` or `[it] -> []` (jump).
    ForIter(Target) in ForIter;
    /// Unpacks a sequence of exactly `a` items, the first on top.
    /// Stack: `[s] -> [s[a-1], .., s[0]]`.
    UnpackSequence(Count) in UnpackSequence;
    /// Builds a tuple of the top `a` values. Stack: `[x1 .. xa] -> [tuple]`.
    BuildTuple(Count) in BuildTuple;
    /// Builds a map from `a` key/value pairs. Stack: `[k1, v1 .. ka, va] -> [map]`.
    BuildMap(Count) in BuildMap;
    /// Builds a map from `a` values and a tuple of their keys. Stack: `[v1 .. va, keys] -> [map]`.
    BuildMapConstKeys(Count) in BuildMapConstKeys;
    /// Builds a slice from `a` (2 or 3) parts. Stack: `[start, stop, step?] -> [slice]`.
    BuildSlice(Count) in BuildSlice;
    /// Concatenates the top `a` strings. Stack: `[s1 .. sa] -> [s]`.
    BuildString(Count) in BuildString;
    /// Formats a value for an f-string: `a & 3` is the conversion (0 none, 1 str, 2 repr,
    /// 3 ascii), `a & 4` says a format spec is on top. Stack: `[v, spec?] -> [s]`.
    FormatValue(Count) in FormatValue;
    /// Appends the top to the list `a` slots below it. Stack: `[list, .., v] -> [list, ..]`.
    ListAppend(Count) in ListAppend;
    /// Extends the list `a` slots below the top by the iterable on top.
    /// Stack: `[list, .., it] -> [list, ..]`.
    ListExtend(Count) in ListExtend;
    /// Adds a key/value pair to the map `a` slots below them.
    /// Stack: `[map, .., k, v] -> [map, ..]`.
    MapAdd(Count) in MapAdd;
    /// Converts the list on top to a tuple. Stack: `[list] -> [tuple]`.
    ListToTuple(None) in ListToTuple;
    /// Loads attribute `consts[a]` (a string). Stack: `[obj] -> [obj.name]`.
    LoadAttr(Const) in LoadAttr;
    /// Stores attribute `consts[a]`. Stack: `[v, obj] -> []`.
    StoreAttr(Const) in StoreAttr;
    /// Calls method `consts[a >> 8]` with `a & 0xFF` arguments.
    /// Stack: `[obj, x1 .. xn] -> [result]`.
    CallMethod(ConstArgc) in CallMethod;
    /// Calls method `consts[a >> 8]` with `a & 0xFF` arguments, the last ones named by the
    /// tuple on top. Stack: `[obj, x1 .. xn, names] -> [result]`.
    CallMethodKw(ConstArgc) in CallMethodKw;
    /// Calls with `a` arguments, the last ones named by the tuple on top.
    /// Stack: `[f, x1 .. xa, names] -> [result]`.
    CallKw(Count) in CallKw;
    /// Identity test; `a = 1` negates it. Stack: `[x, y] -> [x is y]`.
    IsOp(Count) in IsOp;
    /// Membership test via the frontend; `a = 1` negates it. Stack: `[x, c] -> [x in c]`.
    ContainsOp(Count) in ContainsOp;
    /// Imports module `consts[a]` (a string) via the frontend. Stack: `[] -> [module]`.
    Import(Const) in Import;
    /// Raises the frontend's exception built from the top `a` (0 to 2) values.
    /// Stack: `[x1 .. xa] -> (never continues)`.
    Raise(Count) in Raise;
    /// Deletes an element (Python's `del c[i]`). Stack: `[c, i] -> []`.
    DeleteIndex(None) in DeleteIndex;

    // ---- Tier-1 specialized forms (see `crate::tier1`). Each has its family's operand
    // ---- and stack effect, guards its assumption, and falls back to the family's generic
    // ---- behaviour when the guard fails.

    /// `Binary(Add)` on two small ints.
    BinaryAddInt(BinOp) in Binary;
    /// `Binary(Sub)` on two small ints.
    BinarySubInt(BinOp) in Binary;
    /// `Binary(Mul)` on two small ints.
    BinaryMulInt(BinOp) in Binary;
    /// `Binary(a)` for a division or modulo kind on two small ints with a non-zero divisor.
    BinaryDivModInt(BinOp) in Binary;
    /// `Binary(Add)` on two floats.
    BinaryAddFloat(BinOp) in Binary;
    /// `Binary(Sub)` on two floats.
    BinarySubFloat(BinOp) in Binary;
    /// `Binary(Mul)` on two floats.
    BinaryMulFloat(BinOp) in Binary;
    /// `Binary(a)` (add, sub, mul, div) where both are numbers and at least one a float.
    BinaryFloatMixed(BinOp) in Binary;
    /// `Binary(Add)` on two strings.
    BinaryAddStr(BinOp) in Binary;
    /// `Compare(a)` on two small ints.
    CompareInt(CmpOp) in Compare;
    /// `Compare(a)` on two floats (or a float and a small int).
    CompareFloat(CmpOp) in Compare;
    /// `Compare(a)` on two strings.
    CompareStr(CmpOp) in Compare;
    /// `Compare(a)` on two small ints fused with the following `JumpIfFalse`, which it
    /// executes too (the jump instruction stays in place as a valid target).
    CompareIntJumpIfFalse(CmpOp) in Compare;
    /// `Compare(a)` on floats fused with the following `JumpIfFalse`.
    CompareFloatJumpIfFalse(CmpOp) in Compare;
    /// `JumpIfFalse` on a boolean.
    JumpIfFalseBool(Target) in JumpIfFalse;
    /// `JumpIfTrue` on a boolean.
    JumpIfTrueBool(Target) in JumpIfTrue;
    /// `Unary(Neg)` on a small int or float.
    UnaryNegNum(UnOp) in Unary;
    /// `Index` of an array by an in-bounds non-negative small int.
    IndexArrayInt(None) in Index;
    /// `Index` of a tuple by an in-bounds non-negative small int.
    IndexTupleInt(None) in Index;
    /// `Index` of a host object that answers it directly (a dict with the key).
    IndexHost(None) in Index;
    /// `JumpIfFalse` on a small int, in a language where zero is false.
    JumpIfFalseInt(Target) in JumpIfFalse;
    /// `JumpIfTrue` on a small int, in a language where zero is false.
    JumpIfTrueInt(Target) in JumpIfTrue;
    /// `StoreIndex` into an array at an in-bounds non-negative small int.
    StoreIndexArrayInt(None) in StoreIndex;
    /// `Call` of the guest function whose code is cached, with exactly matching arity.
    CallFunctionExact(Count) in Call;
    /// `Call` of a builtin.
    CallNative(Count) in Call;
    /// `StoreSubscr` into an array at an in-bounds non-negative small int.
    StoreSubscrArrayInt(None) in StoreSubscr;
    /// `ForIter` over a core range iterator.
    ForIterRange(Target) in ForIter;
    /// `ForIter` over a core iterator of an array or tuple.
    ForIterSeq(Target) in ForIter;
    /// `UnpackSequence` of a tuple of exactly `a` items.
    UnpackTuple(Count) in UnpackSequence;
    /// `UnpackSequence` of an array of exactly `a` items.
    UnpackArray(Count) in UnpackSequence;
    /// `UnpackSequence a` followed by `a` stores to locals (a superinstruction, formed at
    /// quickening): an array or tuple of exactly `a` items goes straight into the locals
    /// the stores name; anything else is unpacked onto the stack as `UnpackSequence`
    /// does, and the stores run. It absorbs `a` instructions (the verifier checks them).
    UnpackStore(Count) in UnpackSequence;
    /// `LoadGlobal` of a slot that is still empty: pushes the value the frontend gave for
    /// it (a builtin), cached in the instruction's cache.
    LoadGlobalBuiltin(Global) in LoadGlobal;

    // ---- Tier-1 superinstructions, formed when code is first quickened (as CPython's
    // ---- `LOAD_FAST__LOAD_FAST`). Each is the first instruction of a sequence; it
    // ---- executes the whole sequence and skips the rest, which stays in place as valid
    // ---- jump targets. A guarded one whose guard fails does exactly what its first
    // ---- instruction does and continues with the next, so it needs no de-specialization.

    /// `LoadLocal a; LoadLocal b`.
    LoadLocalLoadLocal(Local) in LoadLocal;
    /// `LoadLocal a; LoadInt k`.
    LoadLocalLoadInt(Local) in LoadLocal;
    /// `StoreLocal a; LoadLocal b`.
    StoreLocalLoadLocal(Local) in StoreLocal;
    /// `StoreLocal a; StoreLocal b` (the stores after an unpacking).
    StoreLocalStoreLocal(Local) in StoreLocal;
    /// `LoadLocal a; Binary(op)` when the top and local `a` are numbers the core computes
    /// inline (small ints, floats).
    LoadLocalArith(Local) in LoadLocal;
    /// `LoadInt k; Binary(op)` when the top is a number the core computes inline with `k`.
    LoadIntArith(Imm) in LoadInt;
    /// `LoadInt k; Compare(op); JumpIfFalse t` when the top is a small int or float.
    LoadIntCompareJump(Imm) in LoadInt;
    /// `LoadConst k; Binary(op)` when the top and the constant are numbers the core
    /// computes inline.
    LoadConstArith(Const) in LoadConst;
    /// `LoadLocal a; LoadConst k`.
    LoadLocalLoadConst(Local) in LoadLocal;
    /// `LoadConst k; LoadLocal a`.
    LoadConstLoadLocal(Const) in LoadConst;
    /// `LoadLocal a; Return`.
    ReturnLocal(Local) in LoadLocal;
    /// `LoadLocal a; Index` when the top is an array or tuple and local `a` an in-bounds
    /// small int.
    LoadLocalIndex(Local) in LoadLocal;
    /// `LoadLocal a; LoadInt k; Compare(op); JumpIfFalse t` when local `a` is a small int
    /// or float.
    LocalIntCompareJump(Local) in LoadLocal;
    /// `LoadLocal a; LoadLocal b; Compare(op); JumpIfFalse t` when both locals are small
    /// ints, or numbers with a float.
    LocalLocalCompareJump(Local) in LoadLocal;
    /// `ForRange t; StoreLocal x`: the loop variable goes straight to its local.
    ForRangeStore(Target) in ForRange;
    /// `ForIterRange t; StoreLocal x`.
    ForIterRangeStore(Target) in ForIter;
    /// `ForIterSeq t; StoreLocal x`.
    ForIterSeqStore(Target) in ForIter;
    /// `LoadLocal a; LoadInt k; Binary(op)` when local `a` is a number the core computes
    /// inline with `k`.
    LocalIntArith(Local) in LoadLocal;
    /// `LoadLocal a; LoadLocal b; Binary(op)` when both locals are numbers the core
    /// computes inline.
    LocalLocalArith(Local) in LoadLocal;
    /// `LoadLocal a; LoadConst k; Binary(op)` when local `a` and the constant are numbers
    /// the core computes inline.
    LocalConstArith(Local) in LoadLocal;
}

impl BinOp {
    /// The operator the core's fast paths compute: in-place kinds act like their plain
    /// kinds on every core type (numbers and strings are immutable); only the frontend's
    /// slow path (a list) tells them apart.
    #[inline(always)]
    pub fn arith(self) -> BinOp {
        match self {
            BinOp::InplaceAdd => BinOp::Add,
            BinOp::InplaceMul => BinOp::Mul,
            op => op,
        }
    }
}

impl Op {
    /// True for instructions that own an inline cache (the generic forms that can be
    /// quickened and all their specialized forms).
    pub fn has_cache(self) -> bool {
        matches!(
            self.family(),
            Op::Binary
                | Op::Compare
                | Op::Unary
                | Op::JumpIfFalse
                | Op::JumpIfTrue
                | Op::Index
                | Op::StoreIndex
                | Op::StoreSubscr
                | Op::Call
                | Op::ForIter
                | Op::UnpackSequence
                | Op::LoadGlobal
        )
    }

    /// True for quickened forms.
    pub fn is_specialized(self) -> bool {
        self.family() != self
    }

    /// For a superinstruction, the families of the instructions it absorbs after itself.
    pub fn fused_successors(self) -> &'static [Op] {
        match self {
            Op::LoadLocalLoadLocal | Op::StoreLocalLoadLocal => &[Op::LoadLocal],
            Op::StoreLocalStoreLocal => &[Op::StoreLocal],
            Op::LoadLocalLoadInt => &[Op::LoadInt],
            Op::LoadLocalLoadConst => &[Op::LoadConst],
            Op::LoadConstLoadLocal => &[Op::LoadLocal],
            Op::ReturnLocal => &[Op::Return],
            Op::LoadLocalIndex => &[Op::Index],
            Op::LocalIntCompareJump => &[Op::LoadInt, Op::Compare, Op::JumpIfFalse],
            Op::LocalLocalCompareJump => &[Op::LoadLocal, Op::Compare, Op::JumpIfFalse],
            Op::ForRangeStore | Op::ForIterRangeStore | Op::ForIterSeqStore => &[Op::StoreLocal],
            Op::LocalIntArith => &[Op::LoadInt, Op::Binary],
            Op::LocalLocalArith => &[Op::LoadLocal, Op::Binary],
            Op::LocalConstArith => &[Op::LoadConst, Op::Binary],
            Op::LoadLocalArith | Op::LoadIntArith | Op::LoadConstArith => &[Op::Binary],
            Op::LoadIntCompareJump => &[Op::Compare, Op::JumpIfFalse],
            Op::CompareIntJumpIfFalse | Op::CompareFloatJumpIfFalse => &[Op::JumpIfFalse],
            _ => &[],
        }
    }
}

macro_rules! small_enum {
    ($(#[$m:meta])* $name:ident { $($(#[doc = $doc:literal])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name { $($(#[doc = $doc])* $v,)* }

        impl $name {
            /// All variants in order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// Decodes an operand; `None` when out of range.
            #[inline(always)]
            pub fn from_u32(a: u32) -> Option<$name> {
                Self::ALL.get(a as usize).copied()
            }

            /// The operator's source spelling.
            pub fn symbol(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }
        }
    };
}

small_enum! {
    /// Binary arithmetic operators. The frontend picks the kinds its language means.
    BinOp {
        /// Addition (concatenation for strings).
        Add = "+",
        /// Subtraction.
        Sub = "-",
        /// Multiplication.
        Mul = "*",
        /// Ints: division truncating toward zero (Tiny's `/`). Floats: IEEE division.
        DivTrunc = "/",
        /// Ints: remainder with the dividend's sign (Tiny's `%`). Floats: `fmod`.
        ModTrunc = "%",
        /// Always a float result (Python's `/`).
        TrueDiv = "/",
        /// Floor division (Python's `//`).
        FloorDiv = "//",
        /// Modulo with the divisor's sign (Python's `%`).
        FloorMod = "%",
        /// Exponentiation.
        Pow = "**",
        /// Left shift.
        Shl = "<<",
        /// Arithmetic right shift.
        Shr = ">>",
        /// Bitwise and.
        BitAnd = "&",
        /// Bitwise or.
        BitOr = "|",
        /// Bitwise xor.
        BitXor = "^",
        /// In-place addition (Python's `+=`): like `Add`, but a list is extended in place.
        InplaceAdd = "+=",
        /// In-place multiplication (Python's `*=`): like `Mul`, but a list repeats in place.
        InplaceMul = "*=",
    }
}

small_enum! {
    /// Comparison operators.
    CmpOp {
        /// Equal.
        Eq = "==",
        /// Not equal.
        Ne = "!=",
        /// Less than.
        Lt = "<",
        /// Less or equal.
        Le = "<=",
        /// Greater than.
        Gt = ">",
        /// Greater or equal.
        Ge = ">=",
    }
}

small_enum! {
    /// Unary operators.
    UnOp {
        /// Arithmetic negation.
        Neg = "-",
        /// Logical not (by the language's truthiness).
        Not = "not",
        /// Unary plus.
        Pos = "+",
        /// Bitwise inversion.
        Invert = "~",
    }
}

/// One instruction. See the module docs for the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(8))]
pub struct Instr {
    /// The opcode.
    pub op: Op,
    /// Secondary operand: the cache index for cached instructions, or a second operand
    /// (the counter slot of `ForRange`).
    pub b: u16,
    /// Primary operand, as [`Op::operand`] says.
    pub a: u32,
}

impl Instr {
    /// An instruction with primary operand `a`.
    pub fn new(op: Op, a: u32) -> Instr {
        Instr { op, b: 0, a }
    }

    /// An instruction with both operands.
    pub fn with_b(op: Op, a: u32, b: u16) -> Instr {
        Instr { op, b, a }
    }
}

/// A source location: 1-based line and column (0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Line, 1-based.
    pub line: u32,
    /// Column, 1-based, in characters.
    pub col: u32,
}

/// An inline cache entry: the adaptive counter plus what the specialized form cached.
/// 16 bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cache {
    /// Counts down to the next specialization attempt (generic form) or counts misses
    /// (specialized form).
    pub counter: u16,
    /// Exponent of the current backoff: the next wait is `2^backoff` executions.
    pub backoff: u8,
    /// Spare.
    pub pad: u8,
    /// Specialization-specific 32-bit datum (e.g. a code id).
    pub aux: u32,
    /// Specialization-specific 64-bit datum (e.g. a cached value).
    pub data: u64,
}

/// A compiled function body.
///
/// A frontend builds one with [`Code::new`] and sets the public fields (names, flags,
/// argument layout, `local_init`) before the module is verified. The instructions,
/// constants and caches are private: once [`crate::interp::Vm::new`] has verified the
/// module it owns it, and code outside the core only ever sees `&Code`, through which
/// nothing can change them (tier 1 rewrites instructions through their `Cell`s from
/// inside the core only). The public fields cannot change either, as that takes
/// `&mut Code`.
///
/// ```compile_fail,E0616
/// # use jit_core::bytecode::{Code, Instr, Op};
/// # fn rewrite(code: &Code) {
/// // The instructions of a verified code object cannot be reached from outside the core.
/// code.instrs[0].set(Instr::new(Op::Jump, 1_000_000));
/// # }
/// ```
///
/// ```compile_fail,E0616
/// # use jit_core::bytecode::{Cache, Code};
/// # fn reset(code: &Code) {
/// // Nor can its inline caches.
/// code.caches[0].set(Cache::default());
/// # }
/// ```
pub struct Code {
    /// The function's name, for dumps and errors.
    pub name: String,
    /// The instructions. `Cell`s so tier 1 can quicken them in place while running.
    pub(crate) instrs: Box<[Cell<Instr>]>,
    /// Constants referred to by `LoadConst`.
    pub(crate) consts: Vec<Value>,
    /// The source location of each instruction (same length as `instrs`).
    pub locs: Vec<Loc>,
    /// Number of parameters (they arrive in locals `0..num_params`).
    pub num_params: u32,
    /// Number of local slots, parameters included.
    pub num_locals: u32,
    /// Names of the local slots, for dumps (may be shorter than `num_locals`).
    pub local_names: Vec<String>,
    /// Maximum operand-stack depth, computed by the verifier.
    pub(crate) max_stack: u32,
    /// The inline caches, one per cached instruction (see [`Op::has_cache`]).
    pub(crate) caches: Box<[Cell<Cache>]>,
    /// What locals hold before they are assigned: nil for Tiny, [`Value::EMPTY`] for
    /// Python (so reading one raises `UnboundLocalError`).
    pub local_init: Value,
    /// Frontend-defined flags (Python's `co_flags`); the core does not read them.
    pub flags: u32,
    /// Frontend-defined count of keyword-only parameters (Python's `co_kwonlyargcount`),
    /// which follow the `num_params` positional ones in the locals.
    pub num_kwonly: u32,
    /// Further argument slots after the keyword-only ones (Python's `*args` and
    /// `**kwargs`).
    pub extra_arg_slots: u32,
    /// Set by the verifier. (The interpreter runs only modules that [`crate::interp::Vm`]
    /// verified itself, so it does not need to read this.)
    pub(crate) verified: bool,
}

impl Code {
    /// Builds a code object, assigning each cached instruction its cache slot.
    /// [`crate::interp::Vm::new`] verifies it (with its module) before running it.
    pub fn new(
        name: impl Into<String>,
        instrs: Vec<Instr>,
        locs: Vec<Loc>,
        consts: Vec<Value>,
        num_params: u32,
        num_locals: u32,
    ) -> Code {
        let mut n_caches: usize = 0;
        let instrs: Box<[Cell<Instr>]> = instrs
            .into_iter()
            .map(|mut ins| {
                if ins.op.has_cache() {
                    ins.b = u16::try_from(n_caches).unwrap_or(u16::MAX);
                    n_caches += 1;
                }
                Cell::new(ins)
            })
            .collect();
        Code {
            name: name.into(),
            instrs,
            consts,
            locs,
            num_params,
            num_locals,
            local_names: Vec::new(),
            max_stack: 0,
            caches: (0..n_caches).map(|_| Cell::new(Cache::default())).collect(),
            local_init: Value::NIL,
            flags: 0,
            num_kwonly: 0,
            extra_arg_slots: 0,
            verified: false,
        }
    }

    /// How many leading locals a call binds: positional, keyword-only and extra slots.
    pub fn arg_slots(&self) -> u32 {
        self.num_params + self.num_kwonly + self.extra_arg_slots
    }

    /// True when a call with `argc` positional arguments binds them as they are, with
    /// nothing for the frontend to fill in.
    #[inline(always)]
    pub fn takes_exactly(&self, argc: usize) -> bool {
        argc == self.num_params as usize && self.num_kwonly == 0 && self.extra_arg_slots == 0
    }

    /// The instruction at `pc` (as tier 1 has left it). Panics when `pc` is out of range.
    pub fn instr(&self, pc: usize) -> Instr {
        self.instrs[pc].get()
    }

    /// The number of instructions.
    pub fn len(&self) -> usize {
        self.instrs.len()
    }

    /// True when there are no instructions (the verifier rejects such code).
    pub fn is_empty(&self) -> bool {
        self.instrs.is_empty()
    }

    /// The instructions, in order (a snapshot of each as it is now).
    pub fn instrs(&self) -> impl ExactSizeIterator<Item = Instr> + '_ {
        self.instrs.iter().map(Cell::get)
    }

    /// The constants `LoadConst` refers to.
    pub fn consts(&self) -> &[Value] {
        &self.consts
    }

    /// The maximum operand-stack depth, as the verifier computed it (0 before then).
    pub fn max_stack(&self) -> u32 {
        self.max_stack
    }

    /// The number of inline caches.
    pub fn num_caches(&self) -> usize {
        self.caches.len()
    }

    /// A copy of inline cache `i`, if it exists.
    pub fn cache(&self, i: usize) -> Option<Cache> {
        self.caches.get(i).map(Cell::get)
    }

    /// True once the verifier has accepted this code object.
    pub fn is_verified(&self) -> bool {
        self.verified
    }

    /// The source location of the instruction at `pc`.
    pub fn loc(&self, pc: usize) -> Loc {
        self.locs.get(pc).copied().unwrap_or_default()
    }

    /// Bytes this code object uses for instructions, caches and locations.
    pub fn memory_bytes(&self) -> usize {
        self.instrs.len() * core::mem::size_of::<Instr>()
            + self.caches.len() * core::mem::size_of::<Cache>()
            + self.locs.len() * core::mem::size_of::<Loc>()
    }
}

/// A loaded program: its code objects and its global slots.
pub struct Module {
    /// The source file name, as errors print it.
    pub file_name: String,
    /// All code objects; `Function` objects refer to them by index.
    pub codes: Vec<Code>,
    /// The names of the global slots (`LoadGlobal a` reads slot `a`).
    pub global_names: Vec<String>,
    /// Initial values of the globals (nil unless the frontend says otherwise).
    pub global_init: Vec<Value>,
    /// The code object run first (the top-level program).
    pub entry: CodeId,
}

/// How an instruction moves the stack: `pops` values consumed, then `pushes` produced on
/// the fall-through path, and `branch_pushes` on the jump path (for branching ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackEffect {
    /// Values consumed.
    pub pops: u32,
    /// Values produced when execution falls through.
    pub pushes: u32,
    /// Values produced (after the pops) when the branch is taken.
    pub branch_pushes: u32,
}

/// The stack effect of `ins` (of its family, for a specialized one).
pub fn stack_effect(ins: Instr) -> StackEffect {
    let e = |pops, pushes| StackEffect {
        pops,
        pushes,
        branch_pushes: pushes,
    };
    match ins.op.family() {
        Op::Nop | Op::Jump | Op::CheckIntBound => e(0, 0),
        Op::Pop | Op::StoreLocal | Op::StoreGlobal | Op::JumpIfFalse | Op::JumpIfTrue => e(1, 0),
        Op::Dup => e(1, 2),
        Op::Swap => e(2, 2),
        Op::LoadConst | Op::LoadInt | Op::LoadNil | Op::LoadTrue | Op::LoadFalse => e(0, 1),
        Op::LoadLocal | Op::LoadGlobal => e(0, 1),
        Op::Binary | Op::Compare | Op::Index => e(2, 1),
        Op::Unary => e(1, 1),
        Op::JumpIfFalseOrPop | Op::JumpIfTrueOrPop => StackEffect {
            pops: 1,
            pushes: 0,
            branch_pushes: 1,
        },
        Op::ForRange => StackEffect {
            pops: 0,
            pushes: 1,
            branch_pushes: 0,
        },
        Op::Call => e(ins.a.saturating_add(1), 1),
        Op::Return => e(1, 0),
        Op::BuildArray => e(ins.a, 1),
        Op::StoreIndex | Op::StoreSubscr => e(3, 0),
        Op::CopyN => e(ins.a, ins.a.saturating_add(1)),
        Op::SwapN => e(ins.a, ins.a),
        Op::LoadLocalChecked | Op::LoadDeref | Op::Import => e(0, 1),
        Op::DeleteLocal | Op::MakeCell | Op::CopyFreeVars => e(0, 0),
        Op::StoreDeref => e(1, 0),
        Op::MakeFunction => e((ins.b & 0b1011).count_ones(), 1),
        Op::GetIter | Op::ListToTuple | Op::LoadAttr => e(1, 1),
        Op::ForIter => StackEffect {
            pops: 1,
            pushes: 2,
            branch_pushes: 0,
        },
        Op::UnpackSequence => e(1, ins.a),
        Op::BuildTuple | Op::BuildSlice | Op::BuildString => e(ins.a, 1),
        Op::BuildMap => e(ins.a.saturating_mul(2), 1),
        Op::BuildMapConstKeys => e(ins.a.saturating_add(1), 1),
        Op::FormatValue => e(1 + ((ins.a >> 2) & 1), 1),
        Op::ListAppend | Op::ListExtend => e(1, 0),
        Op::MapAdd => e(2, 0),
        Op::StoreAttr | Op::DeleteIndex => e(2, 0),
        Op::CallMethod => e((ins.a & 0xFF) + 1, 1),
        Op::CallMethodKw => e((ins.a & 0xFF) + 2, 1),
        Op::CallKw => e(ins.a.saturating_add(2), 1),
        Op::IsOp | Op::ContainsOp => e(2, 1),
        Op::Raise => e(ins.a, 0),
        // Specialized ops always map to one of the families above.
        _ => e(0, 0),
    }
}

/// True for instructions after which execution never falls through.
pub fn is_terminator(op: Op) -> bool {
    matches!(op.family(), Op::Jump | Op::Return | Op::Raise)
}

/// True for instructions whose `a` is a jump target.
pub fn is_branch(op: Op) -> bool {
    op.operand() == Operand::Target
}

/// Renders a code object as text, one instruction a line, with source lines.
pub fn disassemble(module: &Module, code: &Code, heap: &Heap, out: &mut String) {
    let _ = writeln!(
        out,
        "code {} (params {}, locals {}, max stack {}, {} caches)",
        code.name,
        code.num_params,
        code.num_locals,
        code.max_stack,
        code.caches.len()
    );
    let mut last_line = 0;
    for (pc, cell) in code.instrs.iter().enumerate() {
        let ins = cell.get();
        let loc = code.loc(pc);
        let line = if loc.line != last_line {
            last_line = loc.line;
            alloc::format!("{:>5}", loc.line)
        } else {
            String::from("     ")
        };
        let _ = write!(out, "{line} {pc:>5}  {:<24}", ins.op.name());
        let operand = describe_operand(module, code, heap, ins);
        if !operand.is_empty() {
            let _ = write!(out, " {operand}");
        }
        out.push('\n');
    }
}

fn describe_operand(module: &Module, code: &Code, heap: &Heap, ins: Instr) -> String {
    let a = ins.a;
    match ins.op.operand() {
        Operand::None => String::new(),
        Operand::Const => match code.consts.get(a as usize) {
            Some(&v) => alloc::format!("{a} ({})", describe_value(module, heap, v)),
            None => alloc::format!("{a}"),
        },
        Operand::Imm => alloc::format!("{}", a as i32),
        Operand::Local => match code.local_names.get(a as usize) {
            Some(n) => alloc::format!("{a} ({n})"),
            None => alloc::format!("{a}"),
        },
        Operand::Global => match module.global_names.get(a as usize) {
            Some(n) => alloc::format!("{a} ({n})"),
            None => alloc::format!("{a}"),
        },
        Operand::Target if ins.op.family() == Op::ForRange => {
            alloc::format!("-> {a} (counter {}, end {})", ins.b, ins.b as u32 + 1)
        }
        Operand::Target => alloc::format!("-> {a}"),
        Operand::Count => alloc::format!("{a}"),
        Operand::BinOp => match BinOp::from_u32(a) {
            Some(op) => alloc::format!("{op:?} ({})", op.symbol()),
            None => alloc::format!("?{a}"),
        },
        Operand::CmpOp => match CmpOp::from_u32(a) {
            Some(op) => String::from(op.symbol()),
            None => alloc::format!("?{a}"),
        },
        Operand::UnOp => match UnOp::from_u32(a) {
            Some(op) => String::from(op.symbol()),
            None => alloc::format!("?{a}"),
        },
        Operand::Code => match module.codes.get(a as usize) {
            Some(c) => alloc::format!("{a} ({}) flags {:#x}", c.name, ins.b),
            None => alloc::format!("{a}"),
        },
        Operand::ConstArgc => {
            alloc::format!("{:?} argc {}", code.consts.get((a >> 8) as usize), a & 0xFF)
        }
    }
}

/// A short description of a constant for dumps.
fn describe_value(module: &Module, heap: &Heap, v: Value) -> String {
    use crate::heap::Obj;
    match heap.get(v) {
        Some(Obj::Str(s)) if s.len() <= 40 => alloc::format!("{s:?}"),
        Some(Obj::Str(s)) => alloc::format!("{:?}...", &s[..s.floor_char_boundary(40)]),
        Some(Obj::Int(i)) => alloc::format!("{i}"),
        Some(Obj::Tuple(t)) => alloc::format!("tuple of {}", t.len()),
        Some(Obj::Function(f)) => match module.codes.get(f.code as usize) {
            Some(c) => alloc::format!("<fn {}>", c.name),
            None => String::from("<fn ?>"),
        },
        Some(Obj::Native(n)) => alloc::format!("<builtin {}>", n.name),
        Some(Obj::Host(h)) => alloc::format!("<{}>", h.type_name()),
        Some(_) => String::from("<object>"),
        None => alloc::format!("{v:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instr_is_eight_bytes_and_cache_sixteen() {
        assert_eq!(core::mem::size_of::<Instr>(), 8);
        assert_eq!(core::mem::size_of::<Cache>(), 16);
    }

    #[test]
    fn specialized_ops_share_their_family_operand() {
        for &op in Op::ALL {
            assert_eq!(op.operand(), op.family().operand(), "{}", op.name());
            assert!(!op.doc().is_empty(), "{} has no doc", op.name());
        }
    }
}
