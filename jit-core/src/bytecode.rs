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
pub use crate::optable::{is_branch, is_terminator, stack_effect, Op, Operand, StackEffect};
use crate::value::Value;

/// Index of a code object in its [`Module`].
pub type CodeId = u32;

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
    /// The operand-stack depth before each instruction, computed by the verifier
    /// (`u32::MAX` where no path reaches). See [`Code::stack_depth`].
    pub(crate) stack_depths: Vec<u32>,
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
            stack_depths: Vec::new(),
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

    /// The operand-stack depth (values above the locals) before instruction `pc`, as the
    /// verifier proved it is on every path: `None` before verification and for an
    /// instruction no path reaches. A frame stopped at `pc` has its stack top at
    /// `base + num_locals + stack_depth(pc)`, which is how an exit rebuilds the frame
    /// it leaves to, values mid-expression included (CPython's frames keep their stack
    /// top for the same reason).
    pub fn stack_depth(&self, pc: usize) -> Option<u32> {
        self.stack_depths
            .get(pc)
            .copied()
            .filter(|&d| d != u32::MAX)
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
            + self.stack_depths.len() * core::mem::size_of::<u32>()
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
        describe_b(code, ins, out);
        out.push('\n');
    }
}

/// What tier 1 left in `b` that a reader of a dump wants to see: a superinstruction's type
/// feedback, and the executor a `JumpExecutor` enters.
fn describe_b(code: &Code, ins: Instr, out: &mut String) {
    use crate::optable::BUse;
    if ins.op.row().b == BUse::Seen && ins.b != 0 {
        use crate::tier1::{SEEN_ARRAY, SEEN_FLOAT, SEEN_INT, SEEN_TUPLE};
        let names = [
            (SEEN_INT, "int"),
            (SEEN_FLOAT, "float"),
            (SEEN_ARRAY, "array"),
            (SEEN_TUPLE, "tuple"),
        ];
        let seen: Vec<&str> = names
            .iter()
            .filter(|&&(bit, _)| ins.b & bit as u16 != 0)
            .map(|&(_, n)| n)
            .collect();
        let _ = write!(out, "  [seen {}]", seen.join(","));
    }
    if ins.op == Op::JumpExecutor {
        if let Some(c) = code.caches.get(ins.b as usize) {
            let _ = write!(out, "  [executor {}]", c.get().aux);
        }
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
    fn dumps_show_type_feedback() {
        let mut ins = Instr::new(Op::LocalIntArith, 0);
        ins.b = u16::from(crate::tier1::SEEN_INT | crate::tier1::SEEN_FLOAT);
        let instrs = alloc::vec![
            ins,
            Instr::new(Op::LoadInt, 1),
            Instr::new(Op::Binary, 0),
            Instr::new(Op::Return, 0),
        ];
        let code = Code::new(
            "f",
            instrs,
            alloc::vec![Loc::default(); 4],
            alloc::vec![],
            0,
            1,
        );
        let module = Module {
            file_name: "t".into(),
            codes: alloc::vec![],
            global_names: alloc::vec![],
            global_init: alloc::vec![],
            entry: 0,
        };
        // SAFETY: the heap holds no values and is dropped at the end of the test.
        let heap = unsafe { Heap::new() };
        let mut out = String::new();
        disassemble(&module, &code, &heap, &mut out);
        assert!(out.contains("LocalIntArith"), "{out}");
        assert!(out.contains("[seen int,float]"), "{out}");
    }

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
