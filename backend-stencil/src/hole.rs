//! The vocabulary of holes, shared by the build script (which finds them in the stencils'
//! object file, `objread.rs`) and the patcher (which fills them, `patch.rs`).
//!
//! A hole is a relocation in a stencil's machine code against one of the external
//! symbols the stencil ABI declares (`_JIT_OPERAND0`, `_JIT_CONTINUE`, ...), or against
//! the stencil's own read-only data. Its [`Symbol`] says what value fills it and its
//! [`Patch`] how the bytes are rewritten.

/// How a hole's bytes are rewritten, from the value `S` of its [`Symbol`], its addend `A`
/// and its own address `P`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patch {
    /// Eight bytes, `S + A` (`R_X86_64_64`): the immediate of a `movabs`. How a stencil
    /// gets an operand: any 64-bit value, exactly.
    Abs64,
    /// Four bytes, `S + A - P` (`R_X86_64_PLT32` or `R_X86_64_PC32` on the displacement
    /// of a `jmp`, `jcc` or `call` rel32). A target farther than ±2 GiB is reached through
    /// a veneer (an indirect `jmp`) the patcher places after the trace's code.
    Branch32,
    /// Four bytes, `S + A - P` (`R_X86_64_PC32` on a RIP-relative memory operand): a
    /// reference to the stencil's read-only data, which the patcher copies with the trace,
    /// so it is always in range.
    Data32,
}

impl Patch {
    /// How many bytes the hole covers.
    pub const fn size(self) -> usize {
        match self {
            Patch::Abs64 => 8,
            Patch::Branch32 | Patch::Data32 => 4,
        }
    }
}

/// What fills a hole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbol {
    /// `_JIT_OPERANDn`: the step's operand `n` (a constant, a slot index, a helper's
    /// address, ...).
    Operand(u8),
    /// `_JIT_CONTINUE`: the next stencil of the trace.
    Continue,
    /// `_JIT_JUMP_TARGET`: where a branch stencil goes (a loop's back edge, a side trace).
    JumpTarget,
    /// `_JIT_EXIT`: where a failing guard goes (an exit stub).
    Exit,
    /// The stencil's read-only data (float constants, masks); the addend is the offset in
    /// it (plus the usual `-4` of a PC-relative reference).
    Data,
}

/// The prefix every hole symbol starts with.
pub const HOLE_PREFIX: &str = "_JIT_";

/// How many operand holes a stencil may have (`_JIT_OPERAND0` .. `_JIT_OPERAND7`).
pub const MAX_OPERANDS: u8 = 8;

impl Symbol {
    /// The hole a symbol name denotes, if it is one.
    pub fn from_name(name: &str) -> Option<Symbol> {
        match name {
            "_JIT_CONTINUE" => Some(Symbol::Continue),
            "_JIT_JUMP_TARGET" => Some(Symbol::JumpTarget),
            "_JIT_EXIT" => Some(Symbol::Exit),
            _ => {
                let n = name.strip_prefix("_JIT_OPERAND")?;
                // One digit: `_JIT_OPERAND01` is not a hole.
                match n.as_bytes() {
                    &[d @ b'0'..=b'9'] if d - b'0' < MAX_OPERANDS => {
                        Some(Symbol::Operand(d - b'0'))
                    }
                    _ => None,
                }
            }
        }
    }

    /// True for the holes that transfer control (a `jmp`, `jcc` or `call` goes there).
    pub const fn is_code(self) -> bool {
        matches!(self, Symbol::Continue | Symbol::JumpTarget | Symbol::Exit)
    }
}

impl core::fmt::Display for Symbol {
    /// The symbol's name in the stencil sources (`<data>` for read-only data).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Symbol::Operand(n) => write!(f, "_JIT_OPERAND{n}"),
            Symbol::Continue => f.write_str("_JIT_CONTINUE"),
            Symbol::JumpTarget => f.write_str("_JIT_JUMP_TARGET"),
            Symbol::Exit => f.write_str("_JIT_EXIT"),
            Symbol::Data => f.write_str("<data>"),
        }
    }
}

/// One hole of a stencil.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hole {
    /// Where its bytes start, from the start of the stencil's code.
    pub offset: u32,
    /// How they are rewritten.
    pub patch: Patch,
    /// What fills it.
    pub symbol: Symbol,
    /// The relocation's addend (for [`Symbol::Data`], plus the offset in the data).
    pub addend: i64,
}
