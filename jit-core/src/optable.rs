//! The instruction table: one row per instruction, the single source of truth for every
//! fact the verifier, the interpreter, tier 1, the statistics and (next) tier 2 use.
//!
//! A row reads `Name(operand) in Family = facts;`, in the manner of CPython's
//! `bytecodes.c` and LuaJIT's `IRDEF`. The facts are a [`Row`] built by `const fn`s:
//!
//! - the **stack effect** ([`Row::op`], [`Row::branch`]): values popped, values pushed on
//!   the fall-through path and on the jump path, each a fixed number or a function of the
//!   operands ([`Arity`]);
//! - whether it owns an **inline cache** ([`Row::cached`]), and so what `b` means
//!   ([`BUse`]);
//! - the **limits** of its `a` operand the verifier enforces beyond the operand kind;
//! - its **effects** ([`Effects`]): can fail a guard, may raise, may call back into guest
//!   code, may allocate, may collect, never falls through;
//! - for a **specialized form**, its **split** into guards and one action
//!   ([`Split`], [`Guard`], [`Action`]): what it checks, and what it does once the checks
//!   hold. A guard that fails runs the family's generic behaviour. Tier 2 expands a
//!   specialized instruction into one guard uop per guard and then the action's uops;
//! - for a **superinstruction**, the families it absorbs after itself ([`Fusion`]) and
//!   when it is formed (when code is first quickened, or when the instruction
//!   specializes).
//!
//! Specialized forms and superinstructions keep their family's operand kind and stack
//! effect (the verifier checks every instruction by its family), so their rows give no
//! stack effect of their own. Everything else is derived from the rows: [`stack_effect`],
//! [`Op::has_cache`], [`Op::fused_successors`], [`is_terminator`], the statistics
//! families ([`STATS_FAMILIES`]), the verifier's operand limits, and tier 1's fusion
//! patterns ([`PRIME_FUSIONS`]). The tests at the end check each derivation against the
//! rows and against the prose of each row's documentation.

/// What an instruction's `a` operand means, so the verifier can check it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// `a` is unused.
    None,
    /// `a` indexes [`crate::bytecode::Code::consts`].
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
    /// `a` is a [`crate::bytecode::BinOp`].
    BinOp,
    /// `a` is a [`crate::bytecode::CmpOp`].
    CmpOp,
    /// `a` is a [`crate::bytecode::UnOp`].
    UnOp,
    /// `a` indexes the module's code objects.
    Code,
    /// `a >> 8` indexes the constants (a string: a name), `a & 0xFF` is an argument count.
    ConstArgc,
}

/// A number of stack values: fixed, or computed from the instruction's operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    N(u8),
    /// `a * mul + add`.
    A {
        /// Multiplier of `a`.
        mul: u8,
        /// Added constant.
        add: u8,
    },
    /// `(a & 0xFF) + add`: the argument count of a [`Operand::ConstArgc`] operand.
    Argc {
        /// Added constant.
        add: u8,
    },
    /// `add + ((a >> bit) & 1)`: one more when a flag bit of `a` is set.
    ABit {
        /// The flag bit.
        bit: u8,
        /// Added constant.
        add: u8,
    },
    /// The number of bits of `b & mask` that are set: one value per flag.
    BBits(u16),
}

impl Arity {
    /// `a + add`.
    pub const fn a_plus(add: u8) -> Arity {
        Arity::A { mul: 1, add }
    }

    /// The number for an instruction with operands `a` and `b` (saturating).
    #[inline]
    pub const fn eval(self, a: u32, b: u16) -> u32 {
        match self {
            Arity::N(n) => n as u32,
            Arity::A { mul, add } => a.saturating_mul(mul as u32).saturating_add(add as u32),
            Arity::Argc { add } => (a & 0xFF) + add as u32,
            Arity::ABit { bit, add } => add as u32 + ((a >> bit) & 1),
            Arity::BBits(mask) => (b & mask).count_ones(),
        }
    }
}

/// The stack effect of a generic instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackRule {
    /// Values consumed.
    pub pops: Arity,
    /// Values produced on the fall-through path.
    pub pushes: Arity,
    /// Values produced (after the pops) when the branch is taken.
    pub branch_pushes: Arity,
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

/// What the 16-bit `b` operand holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BUse {
    /// Nothing (zero).
    Unused,
    /// The index of the instruction's inline cache, assigned by
    /// [`crate::bytecode::Code::new`].
    Cache,
    /// A local slot: locals `b` (the counter) and `b + 1` (the end) of a counted loop.
    CounterSlots,
    /// [`MAKE_FUNCTION_FLAGS`]: which optional values are on the stack.
    FunctionFlags,
    /// Type feedback of a guarded superinstruction (whose family leaves `b` unused): the
    /// kinds of operands its hits computed on ([`crate::tier1::SEEN_INT`],
    /// [`crate::tier1::SEEN_FLOAT`], [`crate::tier1::SEEN_ARRAY`],
    /// [`crate::tier1::SEEN_TUPLE`]), or-ed in as they are first seen. Superinstructions
    /// have no cache, and the trace projector reads their feedback here.
    Seen,
}

/// The flag bits of `MakeFunction`'s `b`: bit 0 a defaults tuple, bit 1 keyword-only
/// defaults, bit 3 a tuple of cells.
pub const MAKE_FUNCTION_FLAGS: u16 = 0b1011;

/// The most arguments a call instruction may pass.
pub const MAX_ARGS: u32 = 1 << 16;

/// What executing an instruction may do besides moving the stack.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Effects(u8);

/// Checks an assumption and takes another path when it fails (the family's generic
/// behaviour in tier 1, an exit in tier 2).
pub const GUARD: Effects = Effects(1);
/// May end with the language's error.
pub const RAISES: Effects = Effects(2);
/// May run guest code (a call, an iterator, a `__next__`), and so see and change any
/// state, and collect.
pub const CALLS: Effects = Effects(4);
/// May allocate heap objects.
pub const ALLOCS: Effects = Effects(8);
/// May run the garbage collector: every value it does not hold on the stack or in a
/// root must be treated as gone afterwards.
pub const COLLECTS: Effects = Effects(16);
/// Never falls through to the next instruction.
pub const ENDS: Effects = Effects(32);
/// The usual effects of a generic operation whose slow path belongs to the frontend:
/// it may raise and allocate, but not run guest code.
pub const SLOW: Effects = Effects(2 | 8);
/// [`SLOW`] plus running guest code (and so collecting).
pub const SLOW_CALLS: Effects = Effects(2 | 4 | 8 | 16);

impl Effects {
    /// No effects.
    pub const NONE: Effects = Effects(0);

    /// Both sets.
    pub const fn with(self, other: Effects) -> Effects {
        Effects(self.0 | other.0)
    }

    /// True when every effect of `other` is in `self`.
    pub const fn contains(self, other: Effects) -> bool {
        self.0 & other.0 == other.0
    }

    /// The names of the effects, for dumps and docs.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        const NAMES: [&str; 6] = ["guard", "raises", "calls", "allocs", "collects", "ends"];
        (0..6)
            .filter(move |&i| self.0 & (1 << i) != 0)
            .map(|i| NAMES[i])
    }
}

impl core::fmt::Debug for Effects {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// One assumption a specialized form checks. Operands are the inputs of the family's
/// operation, in stack order: for a binary one the left operand `x` and the right `y`,
/// for an index the container and the index, for a call the callee, for an iterator
/// step the iterator. A superinstruction's operands are those of the last instruction
/// it absorbs, wherever they come from (locals, constants, immediates, the stack).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// `x` and `y` are inline ints.
    BothSmallInt,
    /// `y` is not zero.
    NonZeroDivisor,
    /// `x` and `y` are floats.
    BothFloat,
    /// `x` and `y` are inline ints or floats, at least one a float.
    NumbersWithFloat,
    /// `x` and `y` are numbers the core computes with inline: two inline ints, or
    /// [`Guard::NumbersWithFloat`]. The result must stay inline too.
    InlineNumbers,
    /// `x` and `y` are strings.
    BothStr,
    /// The operand is a bool.
    Bool,
    /// The operand is an inline int.
    SmallInt,
    /// The operand is an inline int or a float.
    Number,
    /// The container is an array.
    Array,
    /// The container is a tuple.
    Tuple,
    /// The container is an array or a tuple.
    ArrayOrTuple,
    /// The index is an inline int in `0..len`.
    InBounds,
    /// The container is a host object that answers the index itself (a dict holding the
    /// key).
    HostAnswers,
    /// The sequence has exactly `a` items.
    LengthIsA,
    /// The callee is the guest function whose code id the cache's `aux` holds.
    CachedFunction,
    /// The callee is a builtin.
    Native,
    /// The iterator is the core's range iterator.
    RangeIter,
    /// The iterator is the core's array or tuple iterator.
    SeqIter,
    /// Global `a` is still empty (it reads the builtin cached in `data`).
    GlobalEmpty,
    /// The loop counter and end (locals `b` and `b + 1`) are inline ints.
    SmallIntBounds,
    /// The executor in the slot the cache's `aux` names exists.
    ExecutorInstalled,
}

/// What a specialized form does once its guards hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing beyond the absorbed instructions' own work (a type-independent fusion).
    None,
    /// `x + y` on inline ints; a result outside the inline range fails like a guard.
    IntAdd,
    /// `x - y` on inline ints; as [`Action::IntAdd`].
    IntSub,
    /// `x * y` on inline ints; as [`Action::IntAdd`].
    IntMul,
    /// The division or modulo kind `a` on inline ints.
    IntDivMod,
    /// `x + y` on floats.
    FloatAdd,
    /// `x - y` on floats.
    FloatSub,
    /// `x * y` on floats.
    FloatMul,
    /// Operator `a` on two numbers as floats; kinds the core does not compute inline
    /// fail like a guard.
    FloatArith,
    /// Concatenates two strings.
    StrConcat,
    /// Comparison `a` on inline ints.
    IntCompare,
    /// Comparison `a` on numbers as floats.
    FloatCompare,
    /// Comparison `a` on strings, bytewise.
    StrCompare,
    /// [`Action::IntCompare`], then the absorbed `JumpIfFalse`.
    IntCompareJump,
    /// [`Action::FloatCompare`], then the absorbed `JumpIfFalse`.
    FloatCompareJump,
    /// Branches on the bool.
    BranchBool,
    /// Branches on the int (zero is false).
    BranchInt,
    /// Negates the number; the inline minimum fails like a guard.
    Negate,
    /// Reads item `index` of the container.
    ReadItem,
    /// Writes the value at item `index` of the array.
    WriteItem,
    /// Asks the host object for the item.
    HostIndex,
    /// Pushes a frame for the cached function, arguments in place.
    EnterFrame,
    /// Calls the builtin.
    CallNative,
    /// Pushes the iterator's next item, or pops it and jumps when exhausted.
    NextOrExit,
    /// Stores the iterator's next item into the absorbed `StoreLocal`'s local, or pops
    /// the iterator and jumps when exhausted.
    NextToLocal,
    /// Pushes the `a` items, the first on top.
    Unpack,
    /// Stores the `a` items into the locals the absorbed stores name.
    UnpackToLocals,
    /// Pushes the value cached in `data`.
    PushCached,
    /// The absorbed operation on inline numbers ([`crate::arith::inline_arith`]); a result
    /// it cannot compute inline fails like a guard.
    InlineArith,
    /// The absorbed comparison on inline numbers, then its `JumpIfFalse`.
    InlineCompareJump,
    /// Stores the counter into the absorbed `StoreLocal`'s local and counts up, or jumps
    /// when the counter reached the end.
    CountToLocal,
    /// Jumps to the loop header and runs the loop's compiled code there
    /// ([`crate::jit::Executor`]).
    EnterExecutor,
    /// Stores the global and invalidates the compiled code that assumed its value.
    StoreWatched,
}

impl Action {
    /// True when the action itself can fail like a guard (its result would leave the
    /// inline range, or the operator is one it does not compute).
    pub const fn can_fail(self) -> bool {
        matches!(
            self,
            Action::IntAdd
                | Action::IntSub
                | Action::IntMul
                | Action::IntDivMod
                | Action::FloatArith
                | Action::Negate
                | Action::InlineArith
        )
    }
}

/// A specialized form's guards and action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// Checked in order; the first that fails sends the instruction to its family's
    /// generic behaviour.
    pub guards: &'static [Guard],
    /// What it does once they hold.
    pub action: Action,
}

/// When a superinstruction replaces the first instruction of its sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formed {
    /// When code is first quickened ([`crate::tier1::prime_caches`]), from the sequence
    /// alone.
    Priming,
    /// When the first instruction specializes, from the operands it sees.
    Specializing,
}

/// The instructions a superinstruction executes after its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fusion {
    /// Not a superinstruction.
    None,
    /// The instructions that follow, by family.
    Absorbs {
        /// Their families, in order.
        next: &'static [Op],
        /// True when each must still be its generic instruction when the fusion forms
        /// (not itself the head of a superinstruction, which would then never run).
        plain: bool,
        /// When it is formed.
        formed: Formed,
    },
    /// `a` `StoreLocal`s (`UnpackStore`).
    StoresA,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// The stack effect; `None` for a specialized form or superinstruction, which has
    /// its family's.
    pub stack: Option<StackRule>,
    /// Owns an inline cache (generic forms that specialize, and their specialized forms).
    pub cached: bool,
    /// What `b` holds.
    pub b: BUse,
    /// The smallest `a` the verifier accepts (beyond the operand kind's range check).
    pub a_min: u32,
    /// The largest `a` the verifier accepts.
    pub a_max: u32,
    /// What executing it may do. A specialized form lists its guard and its action's
    /// effects; when a guard fails, its family's effects apply.
    pub effects: Effects,
    /// Guards and action of a specialized form (`None` for a generic instruction).
    pub split: Option<Split>,
    /// The instructions it absorbs.
    pub fusion: Fusion,
    /// A form the VM installs itself, not tier 1's counters (`StoreGlobalWatched`, when a
    /// trace assumes a global): it needs no cache.
    pub installed: bool,
}

use Arity::N;
const N0: Arity = N(0);
const N1: Arity = N(1);
use Action as X;
use Guard as G;

impl Row {
    const BASE: Row = Row {
        stack: None,
        cached: false,
        b: BUse::Unused,
        a_min: 0,
        a_max: u32::MAX,
        effects: Effects::NONE,
        split: None,
        fusion: Fusion::None,
        installed: false,
    };

    /// A generic instruction that pops `pops` and pushes `pushes`.
    pub const fn op(pops: Arity, pushes: Arity) -> Row {
        Row::branch(pops, pushes, pushes)
    }

    /// A generic instruction that pushes `pushes` when it falls through and
    /// `branch_pushes` when it jumps.
    pub const fn branch(pops: Arity, pushes: Arity, branch_pushes: Arity) -> Row {
        Row {
            stack: Some(StackRule {
                pops,
                pushes,
                branch_pushes,
            }),
            ..Row::BASE
        }
    }

    /// A specialized form.
    pub const fn spec(guards: &'static [Guard], action: Action) -> Row {
        Row {
            effects: GUARD,
            split: Some(Split { guards, action }),
            ..Row::BASE
        }
    }

    /// A form the VM installs (not tier 1): no guards, and `action` on the family's
    /// operands.
    pub const fn installed(action: Action) -> Row {
        Row {
            split: Some(Split {
                guards: &[],
                action,
            }),
            installed: true,
            ..Row::BASE
        }
    }

    /// A superinstruction formed at priming that absorbs `next` (by family) and, when
    /// `guards` fail, does what its first instruction does.
    pub const fn fused(next: &'static [Op], guards: &'static [Guard], action: Action) -> Row {
        let effects = if guards.is_empty() {
            Effects::NONE
        } else {
            GUARD
        };
        Row {
            effects,
            split: Some(Split { guards, action }),
            fusion: Fusion::Absorbs {
                next,
                plain: false,
                formed: Formed::Priming,
            },
            ..Row::BASE
        }
    }

    /// A type-independent pair formed at priming: absorbs the plain instructions `next`.
    pub const fn plain(next: &'static [Op]) -> Row {
        Row {
            split: Some(Split {
                guards: &[],
                action: Action::None,
            }),
            fusion: Fusion::Absorbs {
                next,
                plain: true,
                formed: Formed::Priming,
            },
            ..Row::BASE
        }
    }

    /// Owns an inline cache; `b` is its index.
    pub const fn cached(self) -> Row {
        Row {
            cached: true,
            b: BUse::Cache,
            ..self
        }
    }

    /// `b` holds `what`.
    pub const fn b(self, what: BUse) -> Row {
        Row { b: what, ..self }
    }

    /// The smallest `a` allowed.
    pub const fn a_min(self, min: u32) -> Row {
        Row { a_min: min, ..self }
    }

    /// The largest `a` allowed.
    pub const fn a_max(self, max: u32) -> Row {
        Row { a_max: max, ..self }
    }

    /// Adds effects.
    pub const fn effects(self, e: Effects) -> Row {
        Row {
            effects: self.effects.with(e),
            ..self
        }
    }

    /// Absorbs `next` (by family), formed when it specializes.
    pub const fn fuses(self, next: &'static [Op], formed: Formed) -> Row {
        Row {
            fusion: Fusion::Absorbs {
                next,
                plain: false,
                formed,
            },
            ..self
        }
    }

    /// Absorbs `a` `StoreLocal`s (formed at priming).
    pub const fn fuses_stores(self) -> Row {
        Row {
            fusion: Fusion::StoresA,
            ..self
        }
    }
}

macro_rules! define_ops {
    ($( $(#[doc = $doc:literal])* $name:ident($operand:ident) in $family:ident = $row:expr; )*) => {
        /// Every instruction, generic and specialized, in table order. See the module docs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Op {
            $( $(#[doc = $doc])* $name, )*
        }

        /// The rows, indexed by `Op as usize`.
        const ROWS: &[Row] = &[$($row),*];

        impl Op {
            /// All instructions, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$name),*];

            /// The instruction's name as dumps print it.
            pub const fn name(self) -> &'static str {
                match self { $(Op::$name => stringify!($name),)* }
            }

            /// What the `a` operand means.
            #[inline]
            pub const fn operand(self) -> Operand {
                match self { $(Op::$name => Operand::$operand,)* }
            }

            /// The generic instruction this one specializes (itself for a generic one).
            #[inline]
            pub const fn family(self) -> Op {
                match self { $(Op::$name => Op::$family,)* }
            }

            /// The instruction's documentation, one string per line.
            pub const fn doc_lines(self) -> &'static [&'static str] {
                match self { $(Op::$name => &[$($doc),*],)* }
            }
        }
    };
}

define_ops! {
    /// Does nothing. Stack: `[] -> []`.
    Nop(None) in Nop = Row::op(N0, N0);
    /// Discards the top of the stack. Stack: `[v] -> []`.
    Pop(None) in Pop = Row::op(N1, N0);
    /// Duplicates the top of the stack. Stack: `[v] -> [v, v]`.
    Dup(None) in Dup = Row::op(N1, N(2));
    /// Swaps the two top values. Stack: `[a, b] -> [b, a]`.
    Swap(None) in Swap = Row::op(N(2), N(2));
    /// Pushes constant `a`. Stack: `[] -> [consts[a]]`.
    LoadConst(Const) in LoadConst = Row::op(N0, N1);
    /// Pushes the small int `a` (as `i32`). Stack: `[] -> [a]`.
    LoadInt(Imm) in LoadInt = Row::op(N0, N1);
    /// Pushes nil. Stack: `[] -> [nil]`.
    LoadNil(None) in LoadNil = Row::op(N0, N1);
    /// Pushes true. Stack: `[] -> [true]`.
    LoadTrue(None) in LoadTrue = Row::op(N0, N1);
    /// Pushes false. Stack: `[] -> [false]`.
    LoadFalse(None) in LoadFalse = Row::op(N0, N1);
    /// Pushes local `a`. Stack: `[] -> [locals[a]]`.
    LoadLocal(Local) in LoadLocal = Row::op(N0, N1);
    /// Pops into local `a`. Stack: `[v] -> []`.
    StoreLocal(Local) in StoreLocal = Row::op(N1, N0);
    /// Pushes global `a`; an empty global asks the frontend
    /// ([`crate::semantics::Semantics::global_empty`]). Stack: `[] -> [globals[a]]`.
    LoadGlobal(Global) in LoadGlobal = Row::op(N0, N1).cached().effects(RAISES.with(ALLOCS));
    /// Pops into global `a`. Stack: `[v] -> []`.
    StoreGlobal(Global) in StoreGlobal = Row::op(N1, N0);
    /// Binary arithmetic `a` (a [`BinOp`]); types the core does not handle go to the
    /// frontend's slow path. Stack: `[x, y] -> [x op y]`.
    Binary(BinOp) in Binary = Row::op(N(2), N1).cached().effects(SLOW_CALLS);
    /// Comparison `a` (a [`CmpOp`]). Stack: `[x, y] -> [x op y]`.
    Compare(CmpOp) in Compare = Row::op(N(2), N1).cached().effects(SLOW);
    /// Unary operation `a` (a [`UnOp`]). Stack: `[x] -> [op x]`.
    Unary(UnOp) in Unary = Row::op(N1, N1).cached().effects(SLOW);
    /// Jumps to `a`. A backward jump closes a loop: it is a garbage-collection safepoint
    /// and counts the loop's hotness in its cache. Stack: `[] -> []`.
    Jump(Target) in Jump = Row::op(N0, N0).cached().effects(ENDS.with(COLLECTS));
    /// Pops; jumps to `a` if the value is falsy. Stack: `[c] -> []`.
    JumpIfFalse(Target) in JumpIfFalse = Row::op(N1, N0).cached().effects(SLOW);
    /// Pops; jumps to `a` if the value is truthy. Stack: `[c] -> []`.
    JumpIfTrue(Target) in JumpIfTrue = Row::op(N1, N0).cached().effects(SLOW);
    /// If the top is falsy, jumps to `a` keeping it; otherwise pops it (`and`).
    /// Stack: `[c] -> [c]` (jump) or `[c] -> []` (fall through).
    JumpIfFalseOrPop(Target) in JumpIfFalseOrPop = Row::branch(N1, N0, N1).effects(SLOW);
    /// If the top is truthy, jumps to `a` keeping it; otherwise pops it (`or`).
    /// Stack: `[c] -> [c]` (jump) or `[c] -> []` (fall through).
    JumpIfTrueOrPop(Target) in JumpIfTrueOrPop = Row::branch(N1, N0, N1).effects(SLOW);
    /// Checks that the value `a` slots below the top is an int, raising the frontend's
    /// `for`-bound error otherwise. Stack: unchanged.
    CheckIntBound(Count) in CheckIntBound = Row::op(N0, N0).effects(RAISES);
    /// Counted loop head. Locals `b` (counter) and `b + 1` (end) hold ints: if
    /// counter < end, pushes the counter and increments it; otherwise jumps to `a`.
    /// Stack: `[] -> [i]` (continue) or `[] -> []` (exit).
    ForRange(Target) in ForRange = Row::branch(N0, N1, N0).b(BUse::CounterSlots).effects(ALLOCS);
    /// Calls the callee below `a` arguments. Stack: `[f, x1 .. xa] -> [result]`.
    Call(Count) in Call = Row::op(Arity::a_plus(1), N1).cached().a_max(MAX_ARGS).effects(SLOW_CALLS);
    /// Returns the top of the stack to the caller. Stack: `[v] -> []` (the frame ends).
    Return(None) in Return = Row::op(N1, N0).effects(ENDS);
    /// Builds an array of the top `a` values. Stack: `[x1 .. xa] -> [array]`.
    BuildArray(Count) in BuildArray = Row::op(Arity::a_plus(0), N1).effects(ALLOCS);
    /// Indexes a container. Stack: `[c, i] -> [c[i]]`.
    Index(None) in Index = Row::op(N(2), N1).cached().effects(SLOW);
    /// Stores into a container. Stack: `[c, i, v] -> []`.
    StoreIndex(None) in StoreIndex = Row::op(N(3), N0).cached().effects(SLOW);
    /// Stores into a container, in CPython's operand order. Stack: `[v, c, i] -> []`.
    StoreSubscr(None) in StoreSubscr = Row::op(N(3), N0).cached().effects(SLOW);
    /// Pushes a copy of the value `a` slots down (`a = 1` is the top; CPython's `COPY`).
    /// Stack: `[x, .. (a values)] -> [x, .., x]`.
    CopyN(Count) in CopyN = Row::op(Arity::a_plus(0), Arity::a_plus(1)).a_min(1);
    /// Swaps the top with the value `a` slots down (`a >= 2`; CPython's `SWAP`).
    SwapN(Count) in SwapN = Row::op(Arity::a_plus(0), Arity::a_plus(0)).a_min(2);
    /// Pushes local `a`, raising the frontend's unbound-local error if it is empty.
    /// Stack: `[] -> [locals[a]]`.
    LoadLocalChecked(Local) in LoadLocalChecked = Row::op(N0, N1).effects(RAISES);
    /// Empties local `a` (Python's `del x`). Stack: unchanged.
    DeleteLocal(Local) in DeleteLocal = Row::op(N0, N0);
    /// Replaces local `a` by a new cell holding its value. Stack: unchanged.
    MakeCell(Local) in MakeCell = Row::op(N0, N0).effects(ALLOCS);
    /// Pushes the contents of the cell in local `a` (the frontend's error if it is empty).
    /// Stack: `[] -> [v]`.
    LoadDeref(Local) in LoadDeref = Row::op(N0, N1).effects(RAISES);
    /// Pops into the cell in local `a`. Stack: `[v] -> []`.
    StoreDeref(Local) in StoreDeref = Row::op(N1, N0).effects(RAISES);
    /// Copies the running function's captured cells into locals `a ..`. Stack: unchanged.
    CopyFreeVars(Local) in CopyFreeVars = Row::op(N0, N0).effects(RAISES);
    /// Makes a function of code `a`. `b` flags: bit 0, a defaults tuple is on the stack;
    /// bit 1, a keyword-only defaults value; bit 3, a tuple of cells is on top.
    /// Stack: `[defaults?, kwdefaults?, cells?] -> [f]`.
    MakeFunction(Code) in MakeFunction = Row::op(Arity::BBits(MAKE_FUNCTION_FLAGS), N1).b(BUse::FunctionFlags).effects(ALLOCS);
    /// Replaces an iterable by an iterator. Stack: `[x] -> [iter]`.
    GetIter(None) in GetIter = Row::op(N1, N1).effects(SLOW);
    /// Advances the iterator on top: pushes the next value, or pops the iterator and jumps
    /// to `a` when it is exhausted. Stack: `[it] -> [it, v]` or `[it] -> []` (jump).
    ForIter(Target) in ForIter = Row::branch(N1, N(2), N0).cached().effects(SLOW_CALLS);
    /// Unpacks a sequence of exactly `a` items, the first on top.
    /// Stack: `[s] -> [s[a-1], .., s[0]]`.
    UnpackSequence(Count) in UnpackSequence = Row::op(N1, Arity::a_plus(0)).cached().effects(SLOW_CALLS);
    /// Builds a tuple of the top `a` values. Stack: `[x1 .. xa] -> [tuple]`.
    BuildTuple(Count) in BuildTuple = Row::op(Arity::a_plus(0), N1).effects(ALLOCS);
    /// Builds a map from `a` key/value pairs. Stack: `[k1, v1 .. ka, va] -> [map]`.
    BuildMap(Count) in BuildMap = Row::op(Arity::A { mul: 2, add: 0 }, N1).effects(SLOW);
    /// Builds a map from `a` values and a tuple of their keys. Stack: `[v1 .. va, keys] -> [map]`.
    BuildMapConstKeys(Count) in BuildMapConstKeys = Row::op(Arity::a_plus(1), N1).effects(SLOW);
    /// Builds a slice from `a` (2 or 3) parts. Stack: `[start, stop, step?] -> [slice]`.
    BuildSlice(Count) in BuildSlice = Row::op(Arity::a_plus(0), N1).a_min(2).a_max(3).effects(SLOW);
    /// Concatenates the top `a` strings. Stack: `[s1 .. sa] -> [s]`.
    BuildString(Count) in BuildString = Row::op(Arity::a_plus(0), N1).effects(ALLOCS);
    /// Formats a value for an f-string: `a & 3` is the conversion (0 none, 1 str, 2 repr,
    /// 3 ascii), `a & 4` says a format spec is on top. Stack: `[v, spec?] -> [s]`.
    FormatValue(Count) in FormatValue = Row::op(Arity::ABit { bit: 2, add: 1 }, N1).a_max(7).effects(SLOW_CALLS);
    /// Appends the top to the list `a` slots below it. Stack: `[list, .., v] -> [list, ..]`.
    ListAppend(Count) in ListAppend = Row::op(N1, N0).a_min(1).effects(RAISES.with(ALLOCS));
    /// Extends the list `a` slots below the top by the iterable on top.
    /// Stack: `[list, .., it] -> [list, ..]`.
    ListExtend(Count) in ListExtend = Row::op(N1, N0).a_min(1).effects(SLOW_CALLS);
    /// Adds a key/value pair to the map `a` slots below them.
    /// Stack: `[map, .., k, v] -> [map, ..]`.
    MapAdd(Count) in MapAdd = Row::op(N(2), N0).a_min(1).effects(SLOW);
    /// Converts the list on top to a tuple. Stack: `[list] -> [tuple]`.
    ListToTuple(None) in ListToTuple = Row::op(N1, N1).effects(SLOW);
    /// Loads attribute `consts[a]` (a string). Stack: `[obj] -> [obj.name]`.
    LoadAttr(Const) in LoadAttr = Row::op(N1, N1).effects(SLOW);
    /// Stores attribute `consts[a]`. Stack: `[v, obj] -> []`.
    StoreAttr(Const) in StoreAttr = Row::op(N(2), N0).effects(SLOW);
    /// Calls method `consts[a >> 8]` with `a & 0xFF` arguments.
    /// Stack: `[obj, x1 .. xn] -> [result]`.
    CallMethod(ConstArgc) in CallMethod = Row::op(Arity::Argc { add: 1 }, N1).effects(SLOW_CALLS);
    /// Calls method `consts[a >> 8]` with `a & 0xFF` arguments, the last ones named by the
    /// tuple on top. Stack: `[obj, x1 .. xn, names] -> [result]`.
    CallMethodKw(ConstArgc) in CallMethodKw = Row::op(Arity::Argc { add: 2 }, N1).effects(SLOW_CALLS);
    /// Calls with `a` arguments, the last ones named by the tuple on top.
    /// Stack: `[f, x1 .. xa, names] -> [result]`.
    CallKw(Count) in CallKw = Row::op(Arity::a_plus(2), N1).a_max(MAX_ARGS).effects(SLOW_CALLS);
    /// Identity test; `a = 1` negates it. Stack: `[x, y] -> [x is y]`.
    IsOp(Count) in IsOp = Row::op(N(2), N1).a_max(1);
    /// Membership test via the frontend; `a = 1` negates it. Stack: `[x, c] -> [x in c]`.
    ContainsOp(Count) in ContainsOp = Row::op(N(2), N1).a_max(1).effects(SLOW_CALLS);
    /// Imports module `consts[a]` (a string) via the frontend. Stack: `[] -> [module]`.
    Import(Const) in Import = Row::op(N0, N1).effects(SLOW);
    /// Raises the frontend's exception built from the top `a` (0 to 2) values.
    /// Stack: `[x1 .. xa] -> (never continues)`.
    Raise(Count) in Raise = Row::op(Arity::a_plus(0), N0).a_max(2).effects(ENDS.with(SLOW));
    /// Deletes an element (Python's `del c[i]`). Stack: `[c, i] -> []`.
    DeleteIndex(None) in DeleteIndex = Row::op(N(2), N0).effects(SLOW);

    // ---- Tier-1 specialized forms (see `crate::tier1`). Each has its family's operand
    // ---- and stack effect, guards its assumption, and falls back to the family's generic
    // ---- behaviour when the guard fails.

    /// `Binary(Add)` on two small ints.
    BinaryAddInt(BinOp) in Binary = Row::spec(&[G::BothSmallInt], X::IntAdd);
    /// `Binary(Sub)` on two small ints.
    BinarySubInt(BinOp) in Binary = Row::spec(&[G::BothSmallInt], X::IntSub);
    /// `Binary(Mul)` on two small ints.
    BinaryMulInt(BinOp) in Binary = Row::spec(&[G::BothSmallInt], X::IntMul);
    /// `Binary(a)` for a division or modulo kind on two small ints with a non-zero divisor.
    BinaryDivModInt(BinOp) in Binary = Row::spec(&[G::BothSmallInt, G::NonZeroDivisor], X::IntDivMod);
    /// `Binary(Add)` on two floats.
    BinaryAddFloat(BinOp) in Binary = Row::spec(&[G::BothFloat], X::FloatAdd);
    /// `Binary(Sub)` on two floats.
    BinarySubFloat(BinOp) in Binary = Row::spec(&[G::BothFloat], X::FloatSub);
    /// `Binary(Mul)` on two floats.
    BinaryMulFloat(BinOp) in Binary = Row::spec(&[G::BothFloat], X::FloatMul);
    /// `Binary(a)` (add, sub, mul, div) where both are numbers and at least one a float.
    BinaryFloatMixed(BinOp) in Binary = Row::spec(&[G::NumbersWithFloat], X::FloatArith);
    /// `Binary(Add)` on two strings.
    BinaryAddStr(BinOp) in Binary = Row::spec(&[G::BothStr], X::StrConcat).effects(ALLOCS);
    /// `Compare(a)` on two small ints.
    CompareInt(CmpOp) in Compare = Row::spec(&[G::BothSmallInt], X::IntCompare);
    /// `Compare(a)` on two floats (or a float and a small int).
    CompareFloat(CmpOp) in Compare = Row::spec(&[G::NumbersWithFloat], X::FloatCompare);
    /// `Compare(a)` on two strings.
    CompareStr(CmpOp) in Compare = Row::spec(&[G::BothStr], X::StrCompare);
    /// `Compare(a)` on two small ints fused with the following `JumpIfFalse`, which it
    /// executes too (the jump instruction stays in place as a valid target).
    CompareIntJumpIfFalse(CmpOp) in Compare = Row::spec(&[G::BothSmallInt], X::IntCompareJump).fuses(&[Op::JumpIfFalse], Formed::Specializing);
    /// `Compare(a)` on floats fused with the following `JumpIfFalse`.
    CompareFloatJumpIfFalse(CmpOp) in Compare = Row::spec(&[G::NumbersWithFloat], X::FloatCompareJump).fuses(&[Op::JumpIfFalse], Formed::Specializing);
    /// `JumpIfFalse` on a boolean.
    JumpIfFalseBool(Target) in JumpIfFalse = Row::spec(&[G::Bool], X::BranchBool);
    /// `JumpIfTrue` on a boolean.
    JumpIfTrueBool(Target) in JumpIfTrue = Row::spec(&[G::Bool], X::BranchBool);
    /// `Unary(Neg)` on a small int or float.
    UnaryNegNum(UnOp) in Unary = Row::spec(&[G::Number], X::Negate);
    /// `Index` of an array by an in-bounds non-negative small int.
    IndexArrayInt(None) in Index = Row::spec(&[G::Array, G::InBounds], X::ReadItem);
    /// `Index` of a tuple by an in-bounds non-negative small int.
    IndexTupleInt(None) in Index = Row::spec(&[G::Tuple, G::InBounds], X::ReadItem);
    /// `Index` of a host object that answers it directly (a dict with the key).
    IndexHost(None) in Index = Row::spec(&[G::HostAnswers], X::HostIndex);
    /// `JumpIfFalse` on a small int, in a language where zero is false.
    JumpIfFalseInt(Target) in JumpIfFalse = Row::spec(&[G::SmallInt], X::BranchInt);
    /// `JumpIfTrue` on a small int, in a language where zero is false.
    JumpIfTrueInt(Target) in JumpIfTrue = Row::spec(&[G::SmallInt], X::BranchInt);
    /// `StoreIndex` into an array at an in-bounds non-negative small int.
    StoreIndexArrayInt(None) in StoreIndex = Row::spec(&[G::Array, G::InBounds], X::WriteItem);
    /// `Call` of the guest function whose code is cached, with exactly matching arity.
    CallFunctionExact(Count) in Call = Row::spec(&[G::CachedFunction], X::EnterFrame).effects(CALLS.with(COLLECTS).with(RAISES));
    /// `Call` of a builtin.
    CallNative(Count) in Call = Row::spec(&[G::Native], X::CallNative).effects(SLOW_CALLS);
    /// `StoreSubscr` into an array at an in-bounds non-negative small int.
    StoreSubscrArrayInt(None) in StoreSubscr = Row::spec(&[G::Array, G::InBounds], X::WriteItem);
    /// `ForIter` over a core range iterator.
    ForIterRange(Target) in ForIter = Row::spec(&[G::RangeIter], X::NextOrExit).effects(ALLOCS);
    /// `ForIter` over a core iterator of an array or tuple.
    ForIterSeq(Target) in ForIter = Row::spec(&[G::SeqIter], X::NextOrExit);
    /// `UnpackSequence` of a tuple of exactly `a` items.
    UnpackTuple(Count) in UnpackSequence = Row::spec(&[G::Tuple, G::LengthIsA], X::Unpack);
    /// `UnpackSequence` of an array of exactly `a` items.
    UnpackArray(Count) in UnpackSequence = Row::spec(&[G::Array, G::LengthIsA], X::Unpack);
    /// `UnpackSequence a` followed by `a` stores to locals (a superinstruction, formed at
    /// quickening): an array or tuple of exactly `a` items goes straight into the locals
    /// the stores name; anything else is unpacked onto the stack as `UnpackSequence`
    /// does, and the stores run. It absorbs `a` instructions (the verifier checks them).
    UnpackStore(Count) in UnpackSequence = Row::spec(&[G::ArrayOrTuple, G::LengthIsA], X::UnpackToLocals).fuses_stores();
    /// `Jump` back to a loop header whose loop has compiled code: enters the executor in
    /// the cache's `aux` slot (CPython's `ENTER_EXECUTOR`).
    JumpExecutor(Target) in Jump = Row::spec(&[G::ExecutorInstalled], X::EnterExecutor).effects(SLOW_CALLS);
    /// `StoreGlobal` of a global that a tier-2 trace assumed unchanged: stores, then
    /// invalidates the traces that assumed it (the VM rewrites every `StoreGlobal` of a
    /// watched global into this form, so unwatched stores pay nothing).
    StoreGlobalWatched(Global) in StoreGlobal = Row::installed(X::StoreWatched);
    /// `LoadGlobal` of a slot that is still empty: pushes the value the frontend gave for
    /// it (a builtin), cached in the instruction's cache.
    LoadGlobalBuiltin(Global) in LoadGlobal = Row::spec(&[G::GlobalEmpty], X::PushCached);

    // ---- Tier-1 superinstructions, formed when code is first quickened (as CPython's
    // ---- `LOAD_FAST__LOAD_FAST`). Each is the first instruction of a sequence; it
    // ---- executes the whole sequence and skips the rest, which stays in place as valid
    // ---- jump targets. A guarded one whose guard fails does exactly what its first
    // ---- instruction does and continues with the next, so it needs no de-specialization.

    /// `LoadLocal a; LoadLocal b`.
    LoadLocalLoadLocal(Local) in LoadLocal = Row::plain(&[Op::LoadLocal]);
    /// `LoadLocal a; LoadInt k`.
    LoadLocalLoadInt(Local) in LoadLocal = Row::plain(&[Op::LoadInt]);
    /// `StoreLocal a; LoadLocal b`.
    StoreLocalLoadLocal(Local) in StoreLocal = Row::plain(&[Op::LoadLocal]);
    /// `StoreLocal a; StoreLocal b` (the stores after an unpacking).
    StoreLocalStoreLocal(Local) in StoreLocal = Row::plain(&[Op::StoreLocal]);
    /// `LoadLocal a; Binary(op)` when the top and local `a` are numbers the core computes
    /// inline (small ints, floats).
    LoadLocalArith(Local) in LoadLocal = Row::fused(&[Op::Binary], &[G::InlineNumbers], X::InlineArith).b(BUse::Seen);
    /// `LoadInt k; Binary(op)` when the top is a number the core computes inline with `k`.
    LoadIntArith(Imm) in LoadInt = Row::fused(&[Op::Binary], &[G::InlineNumbers], X::InlineArith).b(BUse::Seen);
    /// `LoadInt k; Compare(op); JumpIfFalse t` when the top is a small int or float.
    LoadIntCompareJump(Imm) in LoadInt = Row::fused(&[Op::Compare, Op::JumpIfFalse], &[G::InlineNumbers], X::InlineCompareJump).b(BUse::Seen);
    /// `LoadConst k; Binary(op)` when the top and the constant are numbers the core
    /// computes inline.
    LoadConstArith(Const) in LoadConst = Row::fused(&[Op::Binary], &[G::InlineNumbers], X::InlineArith).b(BUse::Seen);
    /// `LoadLocal a; LoadConst k`.
    LoadLocalLoadConst(Local) in LoadLocal = Row::plain(&[Op::LoadConst]);
    /// `LoadConst k; LoadLocal a`.
    LoadConstLoadLocal(Const) in LoadConst = Row::plain(&[Op::LoadLocal]);
    /// `LoadLocal a; Return`.
    ReturnLocal(Local) in LoadLocal = Row::fused(&[Op::Return], &[], X::None);
    /// `LoadLocal a; Index` when the top is an array or tuple and local `a` an in-bounds
    /// small int.
    LoadLocalIndex(Local) in LoadLocal = Row::fused(&[Op::Index], &[G::ArrayOrTuple, G::InBounds], X::ReadItem).b(BUse::Seen);
    /// `LoadLocal a; LoadInt k; Compare(op); JumpIfFalse t` when local `a` is a small int
    /// or float.
    LocalIntCompareJump(Local) in LoadLocal = Row::fused(&[Op::LoadInt, Op::Compare, Op::JumpIfFalse], &[G::InlineNumbers], X::InlineCompareJump).b(BUse::Seen);
    /// `LoadLocal a; LoadLocal b; Compare(op); JumpIfFalse t` when both locals are small
    /// ints, or numbers with a float.
    LocalLocalCompareJump(Local) in LoadLocal = Row::fused(&[Op::LoadLocal, Op::Compare, Op::JumpIfFalse], &[G::InlineNumbers], X::InlineCompareJump).b(BUse::Seen);
    /// `ForRange t; StoreLocal x`: the loop variable goes straight to its local.
    ForRangeStore(Target) in ForRange = Row::fused(&[Op::StoreLocal], &[G::SmallIntBounds], X::CountToLocal).effects(ALLOCS);
    /// `ForIterRange t; StoreLocal x`.
    ForIterRangeStore(Target) in ForIter = Row::spec(&[G::RangeIter], X::NextToLocal).fuses(&[Op::StoreLocal], Formed::Specializing).effects(ALLOCS);
    /// `ForIterSeq t; StoreLocal x`.
    ForIterSeqStore(Target) in ForIter = Row::spec(&[G::SeqIter], X::NextToLocal).fuses(&[Op::StoreLocal], Formed::Specializing);
    /// `LoadLocal a; LoadInt k; Binary(op)` when local `a` is a number the core computes
    /// inline with `k`.
    LocalIntArith(Local) in LoadLocal = Row::fused(&[Op::LoadInt, Op::Binary], &[G::InlineNumbers], X::InlineArith).b(BUse::Seen);
    /// `LoadLocal a; LoadLocal b; Binary(op)` when both locals are numbers the core
    /// computes inline.
    LocalLocalArith(Local) in LoadLocal = Row::fused(&[Op::LoadLocal, Op::Binary], &[G::InlineNumbers], X::InlineArith).b(BUse::Seen);
    /// `LoadLocal a; LoadConst k; Binary(op)` when local `a` and the constant are numbers
    /// the core computes inline.
    LocalConstArith(Local) in LoadLocal = Row::fused(&[Op::LoadConst, Op::Binary], &[G::InlineNumbers], X::InlineArith).b(BUse::Seen);
}

impl Op {
    /// The instruction's row.
    #[inline(always)]
    pub const fn row(self) -> &'static Row {
        &ROWS[self as usize]
    }

    /// The first line of the instruction's documentation.
    pub fn doc(self) -> &'static str {
        self.doc_lines().first().map_or("", |l| l.trim())
    }

    /// True for instructions that own an inline cache (the generic forms that can be
    /// quickened and all their specialized forms).
    #[inline(always)]
    pub const fn has_cache(self) -> bool {
        self.family().row().cached
    }

    /// True for quickened forms and superinstructions.
    #[inline(always)]
    pub fn is_specialized(self) -> bool {
        self.family() != self
    }

    /// For a superinstruction, the families of the instructions it absorbs after itself
    /// (`UnpackStore` absorbs `a` stores, which this does not list).
    pub const fn fused_successors(self) -> &'static [Op] {
        match self.row().fusion {
            Fusion::Absorbs { next, .. } => next,
            _ => &[],
        }
    }
}

/// The stack effect of `ins` (of its family, for a specialized one).
#[inline]
pub fn stack_effect(ins: crate::bytecode::Instr) -> StackEffect {
    match ins.op.family().row().stack {
        Some(s) => StackEffect {
            pops: s.pops.eval(ins.a, ins.b),
            pushes: s.pushes.eval(ins.a, ins.b),
            branch_pushes: s.branch_pushes.eval(ins.a, ins.b),
        },
        // Every family row has a stack rule (a test checks it).
        None => StackEffect {
            pops: 0,
            pushes: 0,
            branch_pushes: 0,
        },
    }
}

/// True for instructions after which execution never falls through.
#[inline]
pub fn is_terminator(op: Op) -> bool {
    op.family().row().effects.contains(ENDS)
}

/// True for instructions whose `a` is a jump target.
#[inline]
pub fn is_branch(op: Op) -> bool {
    matches!(op.operand(), Operand::Target)
}

const N_OPS: usize = Op::ALL.len();

const fn has_forms(family: Op) -> bool {
    let mut i = 0;
    while i < N_OPS {
        let op = Op::ALL[i];
        if op as u8 != family as u8 && op.family() as u8 == family as u8 {
            return true;
        }
        i += 1;
    }
    false
}

const fn count_families() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < N_OPS {
        let op = Op::ALL[i];
        if op.family() as u8 == op as u8 && has_forms(op) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The number of statistics families.
pub const N_STATS_FAMILIES: usize = count_families();

/// The families tier 1 reports on: every generic instruction that has specialized forms
/// or superinstructions, in table order.
pub const STATS_FAMILIES: [Op; N_STATS_FAMILIES] = {
    let mut out = [Op::Nop; N_STATS_FAMILIES];
    let (mut i, mut n) = (0, 0);
    while i < N_OPS {
        let op = Op::ALL[i];
        if op.family() as u8 == op as u8 && has_forms(op) {
            out[n] = op;
            n += 1;
        }
        i += 1;
    }
    out
};

/// For every instruction, the index of its family in [`STATS_FAMILIES`]
/// ([`N_STATS_FAMILIES`] for one without specialized forms).
const STATS_INDEX: [u8; N_OPS] = {
    let mut out = [N_STATS_FAMILIES as u8; N_OPS];
    let mut i = 0;
    while i < N_OPS {
        let fam = Op::ALL[i].family();
        let mut k = 0;
        while k < N_STATS_FAMILIES {
            if STATS_FAMILIES[k] as u8 == fam as u8 {
                out[i] = k as u8;
            }
            k += 1;
        }
        i += 1;
    }
    out
};

/// Index of `op`'s family in [`STATS_FAMILIES`]. Only instructions of those families
/// specialize, hit or miss, so only they are counted.
#[inline(always)]
pub fn stats_index(op: Op) -> usize {
    STATS_INDEX[op as usize] as usize
}

const fn count_prime_fusions() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < N_OPS {
        if is_prime_fusion(Op::ALL[i]) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn is_prime_fusion(op: Op) -> bool {
    matches!(
        op.row().fusion,
        Fusion::StoresA
            | Fusion::Absorbs {
                formed: Formed::Priming,
                ..
            }
    )
}

const fn fusion_rank(op: Op) -> usize {
    // Longer sequences first; among equals, guarded (family-matched) before plain.
    match op.row().fusion {
        Fusion::Absorbs { next, plain, .. } => next.len() * 2 + !plain as usize,
        Fusion::StoresA => 1,
        Fusion::None => 0,
    }
}

/// The superinstructions formed when code is first quickened, in the order tier 1 tries
/// them at each instruction: longest sequence first, and sequences that match absorbed
/// instructions by family before pairs that need plain ones.
pub const PRIME_FUSIONS: [Op; count_prime_fusions()] = {
    let mut out = [Op::Nop; count_prime_fusions()];
    let mut n = 0;
    let mut rank = 16;
    while rank > 0 {
        rank -= 1;
        let mut i = 0;
        while i < N_OPS {
            let op = Op::ALL[i];
            if is_prime_fusion(op) && fusion_rank(op) == rank {
                out[n] = op;
                n += 1;
            }
            i += 1;
        }
    }
    out
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Code, Instr, Loc};
    use alloc::string::String;
    use alloc::vec::Vec;

    fn full_doc(op: Op) -> String {
        let mut s = String::new();
        for l in op.doc_lines() {
            s.push_str(l.trim());
            s.push(' ');
        }
        s
    }

    /// Every `` `[..] -> [..]` `` stack picture in the prose, as (values before, values
    /// after, whether it shows only the top with `..` for the rest).
    fn prose_effects(op: Op) -> Vec<(u32, u32, bool)> {
        let doc = full_doc(op);
        let count = |side: &str| -> Option<(u32, bool)> {
            let inner = side.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
            let items: Vec<&str> = inner.split(',').map(str::trim).collect();
            let partial = items.contains(&"..");
            let n = items
                .iter()
                .filter(|i| !i.is_empty() && **i != "..")
                .count() as u32;
            Some((n, partial))
        };
        doc.split('`')
            .filter_map(|seg| {
                let (l, r) = seg.split_once("->")?;
                let ((p, lp), (q, rp)) = (count(l)?, count(r)?);
                Some((p, q, lp || rp))
            })
            .collect()
    }

    #[test]
    fn families_have_stack_rules_and_forms_inherit_them() {
        for &op in Op::ALL {
            assert_eq!(op.operand(), op.family().operand(), "{}", op.name());
            assert!(!op.doc().is_empty(), "{} has no doc", op.name());
            let fam = op.family();
            assert_eq!(fam.family(), fam, "{}'s family is itself a form", op.name());
            if op == fam {
                assert!(op.row().stack.is_some(), "{} has no stack rule", op.name());
                assert!(
                    op.row().split.is_none(),
                    "generic {} has a split",
                    op.name()
                );
            } else {
                assert!(op.row().stack.is_none(), "{} restates its stack", op.name());
                assert!(op.row().split.is_some(), "{} has no split", op.name());
                assert!(!op.row().cached, "{} sets its own cache flag", op.name());
            }
        }
    }

    #[test]
    fn stack_effects_agree_with_the_prose() {
        let mut checked = 0;
        for &op in Op::ALL.iter().filter(|op| op.family() == **op) {
            let Some(rule) = op.row().stack else { continue };
            let fixed = |a: Arity| match a {
                Arity::N(n) => Some(n as u32),
                _ => None,
            };
            let (Some(pops), Some(pushes), Some(branch)) = (
                fixed(rule.pops),
                fixed(rule.pushes),
                fixed(rule.branch_pushes),
            ) else {
                continue;
            };
            let prose = prose_effects(op);
            if full_doc(op).contains("Stack: unchanged") {
                assert_eq!((pops, pushes), (0, 0), "{}", op.name());
                checked += 1;
                continue;
            }
            assert!(!prose.is_empty(), "{} has no stack picture", op.name());
            for (p, q, partial) in prose {
                let fits = |pushed: u32| {
                    if partial {
                        // Only the top is shown: the difference must match.
                        p as i64 - q as i64 == pops as i64 - pushed as i64
                    } else {
                        p == pops && q == pushed
                    }
                };
                assert!(
                    fits(pushes) || fits(branch),
                    "{}: prose says {p} -> {q}, row says {pops} -> {pushes} / {branch}",
                    op.name()
                );
            }
            checked += 1;
        }
        assert!(checked > 30, "only {checked} rows checked");
    }

    #[test]
    fn variable_stack_effects_evaluate_their_operands() {
        let eff = |op, a, b| stack_effect(Instr::with_b(op, a, b));
        assert_eq!(eff(Op::Call, 3, 0).pops, 4);
        assert_eq!(eff(Op::CallKw, 3, 0).pops, 5);
        assert_eq!(eff(Op::CallMethod, (7 << 8) | 2, 0).pops, 3);
        assert_eq!(eff(Op::CallMethodKw, (7 << 8) | 2, 0).pops, 4);
        assert_eq!(eff(Op::BuildMap, 3, 0).pops, 6);
        assert_eq!(eff(Op::BuildMapConstKeys, 3, 0).pops, 4);
        assert_eq!(
            eff(Op::CopyN, 3, 0),
            StackEffect {
                pops: 3,
                pushes: 4,
                branch_pushes: 4
            }
        );
        assert_eq!(eff(Op::UnpackSequence, 5, 0).pushes, 5);
        assert_eq!(eff(Op::FormatValue, 4, 0).pops, 2);
        assert_eq!(eff(Op::FormatValue, 3, 0).pops, 1);
        assert_eq!(eff(Op::MakeFunction, 0, 0b1011).pops, 3);
        assert_eq!(eff(Op::MakeFunction, 0, 0b0001).pops, 1);
        let fi = eff(Op::ForIter, 0, 0);
        assert_eq!((fi.pops, fi.pushes, fi.branch_pushes), (1, 2, 0));
        // A specialized form has its family's effect.
        assert_eq!(eff(Op::CallFunctionExact, 2, 0), eff(Op::Call, 2, 0));
        assert_eq!(eff(Op::UnpackStore, 4, 0), eff(Op::UnpackSequence, 4, 0));
    }

    #[test]
    fn caches_belong_to_families_that_specialize_while_running() {
        for &fam in Op::ALL.iter().filter(|op| op.family() == **op) {
            let specializes = Op::ALL.iter().any(|&op| {
                op != fam
                    && op.family() == fam
                    && !op.row().installed
                    && !matches!(
                        op.row().fusion,
                        Fusion::StoresA
                            | Fusion::Absorbs {
                                formed: Formed::Priming,
                                ..
                            }
                    )
            });
            let want = specializes;
            assert_eq!(fam.has_cache(), want, "{}", fam.name());
            assert_eq!(fam.row().b == BUse::Cache, want, "{}", fam.name());
        }
        for &op in Op::ALL {
            assert_eq!(op.has_cache(), op.family().has_cache(), "{}", op.name());
        }
    }

    #[test]
    fn fused_successors_agree_with_the_prose() {
        let mut checked = 0;
        for &op in Op::ALL {
            let Fusion::Absorbs {
                next,
                formed: Formed::Priming,
                ..
            } = op.row().fusion
            else {
                continue;
            };
            // The doc opens with the sequence: `` `LoadLocal a; LoadInt k; Binary(op)` ``.
            let doc = full_doc(op);
            let seq = doc.split('`').nth(1).unwrap_or("");
            let names: Vec<&str> = seq
                .split(';')
                .map(|part| {
                    let part = part.trim();
                    let end = part
                        .find(|c: char| !c.is_ascii_alphanumeric())
                        .unwrap_or(part.len());
                    &part[..end]
                })
                .collect();
            let mut want = alloc::vec![op.family().name()];
            want.extend(next.iter().map(|o| o.name()));
            assert_eq!(names, want, "{}", op.name());
            assert_eq!(op.fused_successors(), next);
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} superinstructions checked");
    }

    #[test]
    fn every_specialized_form_counts_in_its_family_row() {
        for &op in Op::ALL {
            let fam = op.family();
            let has_forms = Op::ALL.iter().any(|&o| o != fam && o.family() == fam);
            if has_forms {
                assert_eq!(STATS_FAMILIES[stats_index(op)], fam, "{}", op.name());
            } else {
                assert_eq!(stats_index(op), N_STATS_FAMILIES, "{}", op.name());
            }
        }
        // The superinstructions' heads have rows of their own (they used to be counted
        // as `LoadAttr`).
        assert_eq!(
            STATS_FAMILIES[stats_index(Op::LocalIntArith)],
            Op::LoadLocal
        );
        assert_eq!(STATS_FAMILIES[stats_index(Op::LoadIntArith)], Op::LoadInt);
        assert!(!STATS_FAMILIES.contains(&Op::LoadAttr));
    }

    #[test]
    fn prime_fusions_form_from_their_sequences() {
        for &fused in PRIME_FUSIONS.iter() {
            let mut seq = alloc::vec![Instr::new(fused.family(), 2)];
            match fused.row().fusion {
                Fusion::Absorbs { next, .. } => {
                    seq.extend(next.iter().map(|&o| Instr::new(o, 0)));
                }
                _ => seq.extend([Instr::new(Op::StoreLocal, 0), Instr::new(Op::StoreLocal, 1)]),
            }
            seq.extend([Instr::new(Op::Nop, 0), Instr::new(Op::Return, 0)]);
            let n = seq.len();
            let code = Code::new(
                "t",
                seq,
                alloc::vec![Loc::default(); n],
                alloc::vec![],
                0,
                3,
            );
            crate::tier1::prime_caches(&code);
            assert_eq!(code.instr(0).op, fused, "{}", fused.name());
        }
        // A plain pair does not absorb the head of a longer superinstruction.
        let seq = alloc::vec![
            Instr::new(Op::StoreLocal, 0),
            Instr::new(Op::LoadLocal, 0),
            Instr::new(Op::LoadInt, 1),
            Instr::new(Op::Binary, 0),
            Instr::new(Op::Return, 0),
        ];
        let code = Code::new(
            "t",
            seq,
            alloc::vec![Loc::default(); 5],
            alloc::vec![],
            0,
            1,
        );
        crate::tier1::prime_caches(&code);
        assert_eq!(code.instr(0).op, Op::StoreLocal);
        assert_eq!(code.instr(1).op, Op::LocalIntArith);
    }

    #[test]
    fn type_feedback_lives_where_b_is_free() {
        let mut n = 0;
        for &op in Op::ALL {
            if op.row().b == BUse::Seen {
                assert_eq!(op.family().row().b, BUse::Unused, "{}", op.name());
                assert!(op.row().effects.contains(GUARD), "{}", op.name());
                n += 1;
            }
        }
        assert_eq!(n, 10);
    }

    #[test]
    fn splits_name_guards_exactly_where_the_row_says_guard() {
        for &op in Op::ALL {
            let guarded = op.row().split.is_some_and(|s| !s.guards.is_empty());
            assert_eq!(op.row().effects.contains(GUARD), guarded, "{}", op.name());
        }
    }
}
