//! The uop table: every micro-op of the trace IR, defined once.
//!
//! A row reads `NAME [immediates] (inputs) -> output, exits, effects;` with its doc
//! comment, in the manner of LuaJIT's `IRDEF`. From it come the [`Uop`] enum, its names
//! for the printer and the parser ([`Uop::name`], [`Uop::from_name`]), its signature on the
//! type lattice ([`Uop::inputs`], [`Uop::output`]), whether and why it can leave the
//! trace ([`Uop::exit`]), and its effects ([`Uop::effects`]); the uop interpreter and the
//! projector are written against these. Adding a uop is one row here and one arm in the
//! uops' semantics (`sem.rs`), which the compiler insists on; tier 3 runs it through its
//! generic stencil until it gets a stencil of its own (`backend-stencil/stencils/uops.rs`).
//!
//! Values flow between uops as SSA values (`v3`). The interpreter frame's slots (locals
//! and operand stack of the trace's frame and of the frames it entered virtually) are
//! memory: `LOAD_SLOT` reads one, and snapshots (`FLUSH`, exits, `LOOP`) write them back.
//! A slot is addressed by its offset from the trace's root frame's first local.

/// A type on the optimizer's lattice, as far as uop signatures need it: what an input
/// must be (a guard before the uop established it) and what an output is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// No value (a uop without output).
    Unit,
    /// Any value.
    Any,
    /// An inline int.
    Int,
    /// A float.
    Float,
    /// An inline int or a float.
    Num,
    /// A bool.
    Bool,
    /// A string.
    Str,
    /// An array (a list).
    Array,
    /// A tuple.
    Tuple,
    /// An array or a tuple.
    Seq,
    /// One of the core's iterators (range or sequence).
    Iter,
    /// The core's range iterator.
    RangeIter,
    /// The core's array or tuple iterator.
    SeqIter,
    /// A guest function.
    Function,
    /// A builtin.
    Native,
    /// Anything but the empty marker of an unbound local.
    Bound,
    /// Anything but an array.
    NotArray,
    /// An unboxed int: a raw `i64` in the inline range, not a `Value`.
    I64,
    /// An unboxed float: a raw `f64`, not a `Value`.
    F64,
}

impl Ty {
    /// True for the unboxed representations.
    pub const fn is_raw(self) -> bool {
        matches!(self, Ty::I64 | Ty::F64)
    }
}

/// How a uop can leave the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitKind {
    /// Never.
    Never,
    /// A type or value check failed: tier 1 re-executes the instruction.
    Guard,
    /// The trace assumed one side of a branch; the exit resumes on the other side.
    Branch,
    /// The operation cannot compute the result inline (overflow, an operator it does not
    /// do): tier 1 re-executes the instruction.
    Overflow,
    /// A helper raised the language's error: the frames are rebuilt and it unwinds from
    /// the instruction.
    Error,
    /// Unconditional: the trace ends at something it cannot express.
    Stop,
    /// The trace's assumptions were invalidated while it ran.
    Invalidated,
    /// A check the optimizer moved before a loop failed (tier 1 re-executes the
    /// instruction it was moved from). Such an exit grows no side trace: once hot, the
    /// loop is optimized again without moving checks.
    Hoisted,
}

impl ExitKind {
    /// The index of the reason in [`crate::stats::EXIT_REASONS`].
    pub const fn reason(self) -> usize {
        match self {
            ExitKind::Never | ExitKind::Guard => 0,
            ExitKind::Branch => 1,
            ExitKind::Overflow => 2,
            ExitKind::Error => 3,
            ExitKind::Stop => 4,
            ExitKind::Invalidated => 5,
            ExitKind::Hoisted => 6,
        }
    }

    /// The name the printer and parser use.
    pub const fn name(self) -> &'static str {
        crate::stats::EXIT_REASONS[self.reason()]
    }
}

/// What a uop does besides computing its output.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UEffects(u16);

/// Reads the interpreter frame's slots (memory).
pub const READS_FRAME: UEffects = UEffects(1);
/// Writes the interpreter frame's slots (memory) and the stack top.
pub const WRITES_FRAME: UEffects = UEffects(2);
/// Reads the globals.
pub const READS_GLOBALS: UEffects = UEffects(4);
/// Writes a global (and may invalidate traces).
pub const WRITES_GLOBALS: UEffects = UEffects(8);
/// Reads heap objects.
pub const READS_HEAP: UEffects = UEffects(16);
/// Changes heap objects.
pub const WRITES_HEAP: UEffects = UEffects(32);
/// Allocates.
pub const ALLOCATES: UEffects = UEffects(64);
/// Runs guest code or the frontend's slow paths, which may do anything.
pub const CALLS: UEffects = UEffects(128);
/// May collect garbage: every live value must be in the frame's memory first (a
/// `FLUSH` precedes it).
pub const COLLECTS: UEffects = UEffects(256);
/// A guard: checks a fact and exits when it does not hold.
pub const GUARD: UEffects = UEffects(512);

impl UEffects {
    /// No effects.
    pub const NONE: UEffects = UEffects(0);

    /// Both sets.
    pub const fn with(self, o: UEffects) -> UEffects {
        UEffects(self.0 | o.0)
    }

    /// True when every effect of `o` is in `self`.
    pub const fn contains(self, o: UEffects) -> bool {
        self.0 & o.0 == o.0
    }

    /// The effects' names, for dumps.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        const NAMES: [&str; 10] = [
            "reads-frame",
            "writes-frame",
            "reads-globals",
            "writes-globals",
            "reads-heap",
            "writes-heap",
            "allocates",
            "calls",
            "collects",
            "guard",
        ];
        (0..NAMES.len())
            .filter(move |&i| self.0 & (1 << i) != 0)
            .map(|i| NAMES[i])
    }
}

impl core::fmt::Debug for UEffects {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

const RF: UEffects = READS_FRAME;
const WF: UEffects = WRITES_FRAME;
const RH: UEffects = READS_HEAP;
const G: UEffects = GUARD.with(READS_HEAP);
const NONE: UEffects = UEffects::NONE;
const SLOW: UEffects = READS_HEAP.with(ALLOCATES).with(CALLS);

macro_rules! uops {
    ($( $(#[doc = $doc:literal])* $name:ident [$($imm:ident),*] ($($in:ident),*) -> $out:ident, $exit:ident, $fx:expr $(, proves ($($pr:ident),*))?; )*) => {
        /// Every uop, in table order. See the module docs.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Uop {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Uop {
            /// All uops, in table order.
            pub const ALL: &'static [Uop] = &[$(Uop::$name),*];

            /// The name the printer writes and the parser reads.
            pub const fn name(self) -> &'static str {
                match self { $(Uop::$name => stringify!($name),)* }
            }

            /// The names of the immediates, in order.
            pub const fn imms(self) -> &'static [&'static str] {
                match self { $(Uop::$name => &[$(stringify!($imm)),*],)* }
            }

            /// The types the inputs must have, in order.
            pub const fn inputs(self) -> &'static [Ty] {
                match self { $(Uop::$name => &[$(Ty::$in),*],)* }
            }

            /// The output's type ([`Ty::Unit`]: none).
            pub const fn output(self) -> Ty {
                match self { $(Uop::$name => Ty::$out,)* }
            }

            /// What a guard establishes about its inputs when it does not exit, input by
            /// input (empty: nothing beyond `inputs`); the optimizer's refinement.
            pub const fn proves(self) -> &'static [Ty] {
                match self { $(Uop::$name => &[$($(Ty::$pr),*)?],)* }
            }

            /// How it can leave the trace.
            pub const fn exit(self) -> ExitKind {
                match self { $(Uop::$name => ExitKind::$exit,)* }
            }

            /// What it does besides computing its output.
            pub const fn effects(self) -> UEffects {
                match self { $(Uop::$name => $fx,)* }
            }

            /// Its documentation, one string per line.
            pub const fn doc_lines(self) -> &'static [&'static str] {
                match self { $(Uop::$name => &[$($doc),*],)* }
            }
        }

        /// Per uop (by `Uop as usize`), the helper through which native code runs it with
        /// the core's semantics ([`crate::native::step_helper`]): one function per kind
        /// of uop, so that each holds only that uop's semantics.
        pub static STEP_HELPERS: [crate::native::StepHelper; Uop::ALL.len()] =
            [$(crate::native::step_helper::<{ Uop::$name as usize }>),*];
    };
}

uops! {
    // ---- Frame, constants, globals.

    /// Reads slot `slot` of the frame (offset from the root frame's first local).
    LOAD_SLOT [slot] () -> Any, Never, RF;
    /// The trace constant `k`.
    CONST [k] () -> Any, Never, NONE;
    /// Writes snapshot `snap`'s slots back to the frame and sets the stack top, so that
    /// everything live is in memory (before a uop that may collect or reads the stack).
    FLUSH [snap] () -> Unit, Never, WF;
    /// Reads global `g`; exits when it is empty (tier 1 asks the frontend).
    LOAD_GLOBAL [g] () -> Any, Guard, READS_GLOBALS.with(GUARD);
    /// Exits unless global `g` is still empty (a builtin the trace uses as a constant).
    GUARD_GLOBAL_EMPTY [g] () -> Unit, Guard, READS_GLOBALS.with(GUARD);
    /// Stores global `g`; the store may invalidate traces (the trace itself included).
    STORE_GLOBAL [g] (Any) -> Unit, Never, WRITES_GLOBALS;
    /// Exits when the trace was invalidated (after a uop that may have stored a global).
    CHECK_VALID [] () -> Unit, Invalidated, GUARD;
    /// Exits unless the value is bound (not the empty marker of an unassigned local).
    GUARD_BOUND [] (Any) -> Unit, Guard, GUARD, proves (Bound);
    /// Exits unless a call `depth` frames deeper than the trace's frame, whose frame ends
    /// at slot `top`, fits the call depth and the value stack (tier 1 then raises).
    CHECK_CALL [depth, top] () -> Unit, Guard, GUARD;

    // ---- Type guards.

    /// Exits unless both are inline ints.
    GUARD_BOTH_INT [] (Any, Any) -> Unit, Guard, GUARD, proves (Int, Int);
    /// Exits unless both are floats.
    GUARD_BOTH_FLOAT [] (Any, Any) -> Unit, Guard, GUARD, proves (Float, Float);
    /// Exits unless both are numbers (inline ints or floats) and one is a float.
    GUARD_NUMBERS_WITH_FLOAT [] (Any, Any) -> Unit, Guard, GUARD, proves (Num, Num);
    /// Exits unless both are numbers (inline ints or floats).
    GUARD_INLINE_NUMBERS [] (Any, Any) -> Unit, Guard, GUARD, proves (Num, Num);
    /// Exits unless both are strings.
    GUARD_BOTH_STR [] (Any, Any) -> Unit, Guard, G, proves (Str, Str);
    /// Exits unless it is a bool.
    GUARD_BOOL [] (Any) -> Unit, Guard, GUARD, proves (Bool);
    /// Exits unless it is an inline int.
    GUARD_INT [] (Any) -> Unit, Guard, GUARD, proves (Int);
    /// Exits unless it is a number.
    GUARD_NUMBER [] (Any) -> Unit, Guard, GUARD, proves (Num);
    /// Exits unless it is an array.
    GUARD_ARRAY [] (Any) -> Unit, Guard, G, proves (Array);
    /// Exits unless it is a tuple.
    GUARD_TUPLE [] (Any) -> Unit, Guard, G, proves (Tuple);
    /// Exits unless it is an array or a tuple.
    GUARD_SEQ [] (Any) -> Unit, Guard, G, proves (Seq);
    /// Exits if it is an array (whose in-place `+=` may run guest code).
    GUARD_NOT_ARRAY [] (Any) -> Unit, Guard, G, proves (NotArray);
    /// Exits unless the index is an inline int in `0..len` of the sequence.
    GUARD_IN_BOUNDS [] (Seq, Any) -> Unit, Guard, G, proves (Seq, Int);
    /// Exits unless the sequence has exactly `n` items.
    GUARD_LENGTH [n] (Seq) -> Unit, Guard, G, proves (Seq);
    /// Exits if the int is zero (a divisor).
    GUARD_NONZERO [] (Int) -> Unit, Guard, GUARD, proves (Int);
    /// Exits unless it is a guest function with code object `code`.
    GUARD_FUNCTION [code] (Any) -> Unit, Guard, G, proves (Function);
    /// Exits unless it is a builtin.
    GUARD_NATIVE [] (Any) -> Unit, Guard, G, proves (Native);
    /// Exits unless it is the core's range iterator, over inline ints (its next value and
    /// its end are inline, so everything it yields is).
    GUARD_RANGE_ITER [] (Any) -> Unit, Guard, G, proves (RangeIter);
    /// Exits unless it is the core's array or tuple iterator.
    GUARD_SEQ_ITER [] (Any) -> Unit, Guard, G, proves (SeqIter);
    /// Exits unless every value the range iterator has left to yield is an index in
    /// `0..len` of the sequence. The optimizer adds it before a peeled loop that indexes
    /// the sequence by the iterator's values, whose bounds checks then go.
    GUARD_RANGE_WITHIN [] (RangeIter, Seq) -> Unit, Guard, G, proves (RangeIter, Seq);
    /// Exits unless the int is at most the sequence's length. The optimizer adds it
    /// before a peeled loop that indexes the sequence by a value it compared below the
    /// int (`while i < n: a[i]`), whose bounds checks then go.
    GUARD_LEN_GE [] (Seq, Int) -> Unit, Guard, G, proves (Seq, Int);

    // ---- Branches: the trace follows one side; the exit resumes on the other.

    /// Exits unless true.
    GUARD_TRUE [] (Bool) -> Unit, Branch, GUARD, proves (Bool);
    /// Exits unless false.
    GUARD_FALSE [] (Bool) -> Unit, Branch, GUARD, proves (Bool);
    /// Exits if the int is zero.
    GUARD_INT_NONZERO [] (Int) -> Unit, Branch, GUARD, proves (Int);
    /// Exits unless the int is zero.
    GUARD_INT_ZERO [] (Int) -> Unit, Branch, GUARD, proves (Int);

    // ---- Arithmetic on known types.

    /// `x + y`; exits when the result leaves the inline range.
    ADD_INT [] (Int, Int) -> Int, Overflow, NONE;
    /// `x - y`; as `ADD_INT`.
    SUB_INT [] (Int, Int) -> Int, Overflow, NONE;
    /// `x * y`; as `ADD_INT`.
    MUL_INT [] (Int, Int) -> Int, Overflow, NONE;
    /// Division or modulo kind `op` (a `BinOp`); as `ADD_INT`.
    DIVMOD_INT [op] (Int, Int) -> Int, Overflow, NONE;
    /// `x + y` on floats.
    ADD_FLOAT [] (Float, Float) -> Float, Never, NONE;
    /// `x - y` on floats.
    SUB_FLOAT [] (Float, Float) -> Float, Never, NONE;
    /// `x * y` on floats.
    MUL_FLOAT [] (Float, Float) -> Float, Never, NONE;
    /// Operator `op` on two numbers as floats; exits for operators it does not compute.
    FLOAT_ARITH [op] (Num, Num) -> Float, Overflow, NONE;
    /// Operator `op` on two numbers the core computes inline; exits when it cannot.
    INLINE_ARITH [op] (Num, Num) -> Num, Overflow, NONE;
    /// Negates a number; exits for the inline minimum.
    NEG_NUM [] (Num) -> Num, Overflow, NONE;
    /// Concatenates two strings.
    CONCAT_STR [] (Str, Str) -> Str, Never, RH.with(ALLOCATES);
    /// Comparison `op` (a `CmpOp`) of inline ints.
    CMP_INT [op] (Int, Int) -> Bool, Never, NONE;
    /// Comparison `op` of numbers (inline ints or floats, in any mix).
    CMP_NUM [op] (Num, Num) -> Bool, Never, NONE;
    /// Comparison `op` of strings, bytewise.
    CMP_STR [op] (Str, Str) -> Bool, Never, RH;

    /// Identity: `x is y`, negated when `neg` is 1.
    IS [neg] (Any, Any) -> Bool, Never, NONE;

    // ---- Containers and iterators.

    /// Item `i` of the sequence (guarded in bounds).
    READ_ITEM [] (Seq, Int) -> Any, Never, RH;
    /// Stores into item `i` of the array (guarded in bounds).
    WRITE_ITEM [] (Array, Int, Any) -> Unit, Never, WRITES_HEAP;
    /// Item `i` of a sequence of known length (unpacking).
    ITEM [i] (Seq) -> Any, Never, RH;
    /// Asks a host object for an item; exits when it does not answer.
    HOST_INDEX [] (Any, Any) -> Any, Guard, G.with(ALLOCATES);
    /// Advances the iterator; when exhausted, exits past the loop (iterator popped).
    ITER_NEXT [] (Iter) -> Any, Branch, RH.with(WRITES_HEAP).with(ALLOCATES);
    /// Builds a tuple of the `n` values below slot `top` (flushed first).
    BUILD_TUPLE [n, top] () -> Tuple, Never, RF.with(ALLOCATES);
    /// Builds an array of the `n` values below slot `top` (flushed first).
    BUILD_ARRAY [n, top] () -> Array, Never, RF.with(ALLOCATES);

    // ---- The generic operations, through the helpers; a raise exits with the error.

    /// The generic binary operation `op` (an in-place `+=` is guarded not to be on a list,
    /// whose extension may run guest code).
    BINARY [op] (Any, Any) -> Any, Error, SLOW;
    /// The generic comparison `op`.
    COMPARE [op] (Any, Any) -> Any, Error, SLOW;
    /// The generic unary operation `op`.
    UNARY [op] (Any) -> Any, Error, SLOW;
    /// The language's truth of a value.
    TRUTHY [] (Any) -> Bool, Error, SLOW;
    /// An iterator over the value (the frontend's for its own types).
    GET_ITER [] (Any) -> Any, Error, SLOW;
    /// Advances the iterator in slot `top - 1` (flushed first), any kind: the core's
    /// inline, others through the frontend, which may run guest code. Outputs the item,
    /// or the empty marker when the iterator is exhausted.
    ITER_NEXT_ANY [top] () -> Any, Error, SLOW.with(RF).with(COLLECTS).with(WRITES_GLOBALS);
    /// Exits past the loop (iterator popped) when the item is the empty marker.
    GUARD_NOT_EXHAUSTED [] (Any) -> Unit, Branch, GUARD, proves (Bound);
    /// Calls the builtin below the `argc` arguments that end at slot `top` (flushed
    /// first); the callee may run guest code.
    CALL_NATIVE [argc, top] () -> Any, Error, SLOW.with(RF).with(COLLECTS).with(WRITES_GLOBALS);

    /// Runs tier-1 instruction `op` with operand `a` by its generic behaviour (a call, a
    /// method call, an index or store the core does not specialize, an attribute, a
    /// membership test, a slice) on its operands, flushed to the slots below `top`; `name`
    /// indexes the trace constants for the attribute and method instructions. Outputs the
    /// result, if the instruction has one.
    SLOW_OP [op, a, top, name] () -> Any, Error, SLOW.with(RF).with(COLLECTS).with(WRITES_GLOBALS);

    // ---- Trace control.

    /// The end of a root trace's loop body, the back edge at `at`: writes snapshot `snap`
    /// back, passes a safepoint (whose memory error is raised at `at`), exits if
    /// invalidated, and starts the trace again.
    LOOP [snap, at] () -> Unit, Never, WF.with(COLLECTS);
    /// The end of a side trace that reached the loop header: as `LOOP`, then continues in
    /// the root trace.
    JUMP_ROOT [snap, at] () -> Unit, Never, WF.with(COLLECTS);
    /// Leaves the trace: something it cannot express comes next.
    EXIT [] () -> Unit, Stop, NONE;

    // ---- Unboxed values (the optimizer's unboxing): raw machine numbers, not `Value`s.
    // Snapshots may hold them; an exit boxes them as it writes them back.

    /// The raw `i64` of an inline int.
    UNBOX_INT [] (Int) -> I64, Never, NONE;
    /// The raw `f64` of a float.
    UNBOX_FLOAT [] (Float) -> F64, Never, NONE;
    /// The inline int of a raw int (always in the inline range).
    BOX_INT [] (I64) -> Int, Never, NONE;
    /// The float of a raw float.
    BOX_FLOAT [] (F64) -> Float, Never, NONE;
    /// Trace constant `k`, an inline int, raw.
    CONST_I64 [k] () -> I64, Never, NONE;
    /// Trace constant `k`, a float, raw.
    CONST_F64 [k] () -> F64, Never, NONE;
    /// `x + y` on raw ints; exits when the result leaves the inline range.
    ADD_I64 [] (I64, I64) -> I64, Overflow, NONE;
    /// `x - y` on raw ints; as `ADD_I64`.
    SUB_I64 [] (I64, I64) -> I64, Overflow, NONE;
    /// `x * y` on raw ints; as `ADD_I64`.
    MUL_I64 [] (I64, I64) -> I64, Overflow, NONE;
    /// Division or modulo kind `op` (a `BinOp`) on raw ints; as `ADD_I64`.
    DIVMOD_I64 [op] (I64, I64) -> I64, Overflow, NONE;
    /// `x + y` on raw floats (a NaN result is canonical as if boxed).
    ADD_F64 [] (F64, F64) -> F64, Never, NONE;
    /// `x - y` on raw floats; as `ADD_F64`.
    SUB_F64 [] (F64, F64) -> F64, Never, NONE;
    /// `x * y` on raw floats; as `ADD_F64`.
    MUL_F64 [] (F64, F64) -> F64, Never, NONE;
    /// Comparison `op` (a `CmpOp`) of raw ints.
    CMP_I64 [op] (I64, I64) -> Bool, Never, NONE;
    /// Comparison `op` of raw floats (IEEE: false with a NaN, but for `!=`).
    CMP_F64 [op] (F64, F64) -> Bool, Never, NONE;

    // ---- Peeled loops (the optimizer's loop peeling).

    /// A loop-carried value at the start of a peeled loop's body: entering from the
    /// preamble it is its first input; each `JUMP_LOOP` makes it its second.
    PHI [] (Any, Any) -> Any, Never, NONE;
    /// The end of a peeled loop's body, the back edge at `at`: passes a safepoint (when a
    /// collection is due, snapshot `snap` is written back first; a memory error is raised
    /// at `at`), exits if invalidated, and goes round to uop `start`, where the loop
    /// starts: every PHI there takes its second input, all at once, and the loop goes on
    /// after them. The frame's memory is not written.
    JUMP_LOOP [snap, at, start] () -> Unit, Never, WF.with(COLLECTS);
}

impl Uop {
    /// The uop named `name`, as the printer writes it.
    pub fn from_name(name: &str) -> Option<Uop> {
        Uop::ALL.iter().copied().find(|u| u.name() == name)
    }

    /// The first line of its documentation.
    pub fn doc(self) -> &'static str {
        self.doc_lines().first().map_or("", |l| l.trim())
    }

    /// True for guard uops (they count in `guards_executed`).
    pub const fn is_guard(self) -> bool {
        self.effects().contains(GUARD)
    }

    /// True when it can leave the trace.
    pub const fn can_exit(self) -> bool {
        !matches!(self.exit(), ExitKind::Never)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_rows_are_consistent() {
        for &u in Uop::ALL {
            assert_eq!(Uop::from_name(u.name()), Some(u));
            assert!(!u.doc().is_empty(), "{} has no doc", u.name());
            assert!(u.inputs().len() <= 3, "{} has too many inputs", u.name());
            assert!(u.imms().len() <= 4, "{} has too many immediates", u.name());
            assert!(!u.inputs().contains(&Ty::Unit), "{}", u.name());
            // A guard can exit; only guards and the control uops exit for a guard reason.
            if u.is_guard() {
                assert!(u.can_exit(), "guard {} cannot exit", u.name());
            }
            // Whatever may collect has its operands in memory: it reads no SSA inputs.
            if u.effects().contains(COLLECTS) {
                assert!(
                    u.inputs().is_empty(),
                    "{} collects with SSA inputs",
                    u.name()
                );
            }
        }
    }
}
