//! Copy-and-patch: turns a sequence of steps (a stencil and its operands) into machine
//! code in a [`CodeArena`].
//!
//! A trace's code is laid out as
//!
//! ```text
//! [stencil 0][stencil 1]...[stencil n-1] pad [data 0][data 1]... pad [veneer]...
//! ```
//!
//! Each stencil's bytes are copied and every hole patched: operands by value, the
//! continuation with the next stencil's address (and a stencil's trailing `jmp` to the
//! very next stencil deleted), jump targets and exits with a step of the same trace or
//! an absolute address, read-only data with the copy of the stencil's data placed after
//! the code. A `Branch32` hole whose target is farther than ±2 GiB goes through a
//! veneer, `jmp [rip+0]` followed by the 64-bit target.
//!
//! The patcher works in two passes over the steps and one over each stencil's
//! precomputed hole table; it allocates nothing per step or hole (its two buffers are
//! reused from trace to trace).

use alloc::vec::Vec;
use core::fmt;

use jit_core::exec_mem::{ExecMemError, ExecMemory};
use jit_core::jit::JitState;

use crate::hole::{Patch, Symbol};
use crate::stencil::Stencil;
use jit_core::native::arena::{CodeArena, CodeHandle};

/// The signature every stencil has, and so the entry of a trace: the state block, the
/// value slots in memory, the integer slots `i0..i3` and the float slots `f0..f3`. It
/// returns what the trace's last stencil (or an exit) returns.
pub type StencilFn =
    unsafe extern "C" fn(*mut JitState, *mut u64, u64, u64, u64, u64, f64, f64, f64, f64) -> u64;

/// Where a jump target or an exit goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The start of step `n` of the same trace.
    Step(usize),
    /// Code at this address that follows the stencil signature ([`StencilFn`]): an exit
    /// stub, another trace, a function of the runtime.
    Addr(usize),
}

/// One stencil of a trace, with what fills its holes.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    /// The stencil.
    pub stencil: &'static Stencil,
    /// Operand `n` fills `_JIT_OPERANDn`; at least [`Stencil::operands`] of them.
    pub operands: &'a [u64],
    /// Fills `_JIT_JUMP_TARGET`, if the stencil has it.
    pub jump: Option<Target>,
    /// Fills `_JIT_EXIT`, if the stencil has it.
    pub exit: Option<Target>,
}

impl<'a> Step<'a> {
    /// A step with operands and no jump target or exit.
    pub fn new(stencil: &'static Stencil, operands: &'a [u64]) -> Self {
        Step {
            stencil,
            operands,
            jump: None,
            exit: None,
        }
    }

    /// With the jump target `t`.
    pub fn jump(self, t: Target) -> Self {
        Step {
            jump: Some(t),
            ..self
        }
    }

    /// With the exit `t`.
    pub fn exit(self, t: Target) -> Self {
        Step {
            exit: Some(t),
            ..self
        }
    }
}

/// Why a trace could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitError {
    /// No steps.
    Empty,
    /// Step `step` has fewer operands than its stencil uses.
    MissingOperand {
        /// The step.
        step: usize,
        /// The operand it lacks.
        operand: u8,
    },
    /// Step `step` has a jump target or exit hole and was given no target for it.
    MissingTarget {
        /// The step.
        step: usize,
        /// The hole.
        symbol: Symbol,
    },
    /// Step `step` targets a step that does not exist.
    BadStep {
        /// The step.
        step: usize,
        /// The step it names.
        target: usize,
    },
    /// The last step continues, but nothing follows it.
    FallsOffTheEnd,
    /// The executable-memory provider failed.
    Memory(ExecMemError),
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::Empty => f.write_str("a trace with no steps"),
            EmitError::MissingOperand { step, operand } => {
                write!(f, "step {step} lacks operand {operand}")
            }
            EmitError::MissingTarget { step, symbol } => {
                write!(f, "step {step} has no target for {symbol}")
            }
            EmitError::BadStep { step, target } => {
                write!(f, "step {step} targets step {target}, which does not exist")
            }
            EmitError::FallsOffTheEnd => {
                f.write_str("the last step continues, but nothing follows it")
            }
            EmitError::Memory(e) => write!(f, "{e}"),
        }
    }
}

impl From<ExecMemError> for EmitError {
    fn from(e: ExecMemError) -> Self {
        EmitError::Memory(e)
    }
}

/// Counters of the patcher.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PatchStats {
    /// Traces built.
    pub traces: u64,
    /// Stencils copied.
    pub stencils: u64,
    /// Holes patched.
    pub holes: u64,
    /// Bytes of code, data and veneers written.
    pub bytes: u64,
    /// Trailing `jmp`s to the next stencil deleted.
    pub jmps_deleted: u64,
    /// Veneers written for far targets.
    pub veneers: u64,
}

/// The size of a veneer: `jmp [rip+0]` (6 bytes), the target (8), two bytes of `int3`.
const VENEER: usize = 16;

/// Where the parts of a trace go, from the first pass.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// The end of the code (the last stencil's last byte).
    code_end: usize,
    /// Where the data starts.
    data_start: usize,
    /// Where the veneers start.
    veneer_start: usize,
    /// The most bytes the trace can take (every far hole with a veneer).
    max_len: usize,
}

/// Builds traces; keeps its buffers and counters from one trace to the next.
#[derive(Debug, Default)]
pub struct Patcher {
    /// Each step's offset in the trace.
    offsets: Vec<u32>,
    /// The trace being built.
    buf: Vec<u8>,
    stats: PatchStats,
}

/// A trace's code in an arena.
#[derive(Debug)]
pub struct Trace {
    code: CodeHandle,
}

impl Trace {
    /// Where it is in the arena (its entry is the first byte).
    pub fn code(&self) -> &CodeHandle {
        &self.code
    }

    /// The address of its entry, for [`Target::Addr`] in other traces.
    pub fn entry(&self) -> usize {
        self.code.addr()
    }

    /// Runs the trace from its first step with the given slots.
    ///
    /// # Safety
    ///
    /// - The arena it was built in is alive, and every address patched into it
    ///   ([`Target::Addr`] jump targets and exits, helper addresses among the operands) is
    ///   still live code that follows the stencil ABI ([`StencilFn`]; a helper its
    ///   stencil's declared signature).
    /// - What its stencils do with their operands and slots is sound for these inputs:
    ///   every `regs` index they use is within the slots `regs` points to, `state` is
    ///   valid for every helper it reaches, and every path ends in a stencil or exit that
    ///   returns.
    pub unsafe fn run(
        &self,
        state: *mut JitState,
        regs: *mut u64,
        ints: [u64; 4],
        floats: [f64; 4],
    ) -> u64 {
        // SAFETY: the code at the entry is a copy of a stencil with the `StencilFn`
        // signature (every stencil has it), patched and executable in the arena, which is
        // alive (the caller's promise).
        let f = unsafe { core::mem::transmute::<*mut u8, StencilFn>(self.code.ptr().as_ptr()) };
        let [i0, i1, i2, i3] = ints;
        let [f0, f1, f2, f3] = floats;
        // SAFETY: the caller promises the trace is sound to run with these inputs.
        unsafe { f(state, regs, i0, i1, i2, i3, f0, f1, f2, f3) }
    }

    /// Its code, for the arena to free once the trace is no longer run.
    pub fn into_code(self) -> CodeHandle {
        self.code
    }

    /// Frees its code (the trace was invalidated).
    pub fn free<M: ExecMemory>(self, arena: &mut CodeArena<M>) -> Result<(), ExecMemError> {
        arena.free(self.code)
    }
}

impl Patcher {
    /// A patcher with empty buffers.
    pub fn new() -> Self {
        Patcher::default()
    }

    /// Its counters.
    pub fn stats(&self) -> PatchStats {
        self.stats
    }

    /// Where step `n` of the trace last built starts, from the trace's first byte.
    pub fn step_offset(&self, n: usize) -> Option<usize> {
        self.offsets.get(n).map(|&o| o as usize)
    }

    /// Builds `steps` into `arena` and makes the code executable.
    pub fn emit<M: ExecMemory>(
        &mut self,
        arena: &mut CodeArena<M>,
        steps: &[Step<'_>],
    ) -> Result<Trace, EmitError> {
        self.emit_timed(arena, steps, None).map(|(t, _)| t)
    }

    /// As [`Patcher::emit`], and with a clock (nanoseconds), how long the arena took to
    /// find room and to make the code executable (mapping memory, changing its
    /// protection): the rest is copying and patching.
    pub fn emit_timed<M: ExecMemory>(
        &mut self,
        arena: &mut CodeArena<M>,
        steps: &[Step<'_>],
        clock: Option<fn() -> u64>,
    ) -> Result<(Trace, u64), EmitError> {
        let now = || clock.map_or(0, |c| c());
        let layout = self.layout(steps)?;
        let t0 = now();
        let r = arena.reserve(layout.max_len)?;
        let mut memory_ns = now().saturating_sub(t0);
        let len = match self.patch(r.addr(), steps, &layout) {
            Ok(len) => len,
            Err(e) => {
                arena.cancel(r);
                return Err(e);
            }
        };
        let t1 = now();
        let code = arena.commit(r, &self.buf[..len])?;
        memory_ns += now().saturating_sub(t1);
        Ok((Trace { code }, memory_ns))
    }

    /// Builds `steps` as code that will run at address `base`, into a buffer of the
    /// patcher's (for measurements and dumps); returns the bytes.
    pub fn build(&mut self, base: usize, steps: &[Step<'_>]) -> Result<&[u8], EmitError> {
        let layout = self.layout(steps)?;
        let len = self.patch(base, steps, &layout)?;
        Ok(&self.buf[..len])
    }

    /// The first pass: where each step goes, and how large the trace can be.
    fn layout(&mut self, steps: &[Step<'_>]) -> Result<Layout, EmitError> {
        let last = steps.last().ok_or(EmitError::Empty)?;
        if last.stencil.continues() {
            return Err(EmitError::FallsOffTheEnd);
        }
        self.offsets.clear();
        let mut at = 0usize;
        let mut data = 0usize;
        let mut data_align = 1;
        let mut far = 0;
        for (i, s) in steps.iter().enumerate() {
            self.offsets.push(at as u32);
            at += copy_len(steps, i);
            if !s.stencil.data().is_empty() {
                data = data.next_multiple_of(s.stencil.data_align()) + s.stencil.data().len();
                data_align = data_align.max(s.stencil.data_align());
            }
            far += s.stencil.far_holes();
        }
        let data_start = at.next_multiple_of(data_align.max(8));
        let veneer_start = (data_start + data).next_multiple_of(8);
        Ok(Layout {
            code_end: at,
            data_start,
            veneer_start,
            max_len: veneer_start + far * VENEER,
        })
    }

    /// The second pass: copies every stencil and its data into the buffer and patches
    /// every hole for code at `base`. Returns the trace's length.
    fn patch(&mut self, base: usize, steps: &[Step<'_>], l: &Layout) -> Result<usize, EmitError> {
        self.buf.clear();
        self.buf.resize(l.max_len, TRAP);
        let buf = &mut self.buf[..];
        let offsets = &self.offsets[..];
        let mut data_at = l.data_start;
        let mut veneer_at = l.veneer_start;
        let mut holes = 0u64;
        let mut deleted = 0u64;
        let resolve = |step: usize, t: Option<Target>, symbol| match t {
            Some(Target::Step(n)) => match offsets.get(n) {
                Some(&off) => Ok(base + off as usize),
                None => Err(EmitError::BadStep { step, target: n }),
            },
            Some(Target::Addr(a)) => Ok(a),
            None => Err(EmitError::MissingTarget { step, symbol }),
        };
        for (i, s) in steps.iter().enumerate() {
            let st = s.stencil;
            let at = offsets[i] as usize;
            let len = copy_len(steps, i);
            if len < st.code().len() {
                deleted += 1;
            }
            buf[at..at + len].copy_from_slice(&st.code()[..len]);
            let data_base = if st.data().is_empty() {
                0
            } else {
                data_at = data_at.next_multiple_of(st.data_align());
                let d = data_at;
                buf[d..d + st.data().len()].copy_from_slice(st.data());
                data_at += st.data().len();
                base + d
            };
            for h in st.holes() {
                let off = h.offset as usize;
                if off >= len {
                    // The deleted trailing `jmp`.
                    continue;
                }
                let value = match h.symbol {
                    Symbol::Operand(n) => match s.operands.get(n as usize) {
                        Some(&v) => v as usize,
                        None => {
                            return Err(EmitError::MissingOperand {
                                step: i,
                                operand: n,
                            })
                        }
                    },
                    Symbol::Continue => base + offsets[i + 1] as usize,
                    Symbol::JumpTarget => resolve(i, s.jump, h.symbol)?,
                    Symbol::Exit => resolve(i, s.exit, h.symbol)?,
                    Symbol::Data => data_base,
                };
                let p = at + off;
                let addr = base + p;
                match h.patch {
                    Patch::Abs64 => {
                        let v = (value as u64).wrapping_add(h.addend as u64);
                        buf[p..p + 8].copy_from_slice(&v.to_le_bytes());
                    }
                    Patch::Branch32 | Patch::Data32 => {
                        let rel = |t: usize| {
                            i32::try_from((t as i64).wrapping_add(h.addend) - addr as i64)
                        };
                        let disp = match rel(value) {
                            Ok(d) => d,
                            Err(_) if h.patch == Patch::Branch32 => {
                                // Too far: through a veneer after the data.
                                let v = veneer_at;
                                veneer_at += VENEER;
                                buf[v..v + 6].copy_from_slice(&[0xFF, 0x25, 0, 0, 0, 0]);
                                buf[v + 6..v + 14].copy_from_slice(&(value as u64).to_le_bytes());
                                self.stats.veneers += 1;
                                rel(base + v).expect("a veneer is within the trace")
                            }
                            Err(_) => unreachable!("read-only data is within the trace"),
                        };
                        buf[p..p + 4].copy_from_slice(&disp.to_le_bytes());
                    }
                }
                holes += 1;
            }
        }
        let len = if veneer_at > l.veneer_start {
            veneer_at
        } else if data_at > l.data_start {
            data_at
        } else {
            l.code_end
        };
        self.stats.traces += 1;
        self.stats.stencils += steps.len() as u64;
        self.stats.holes += holes;
        self.stats.jmps_deleted += deleted;
        self.stats.bytes += len as u64;
        Ok(len)
    }
}

/// The byte padding is filled with: `int3`.
const TRAP: u8 = 0xCC;

/// How many bytes of step `i`'s stencil are copied: all, less a trailing `jmp` to the
/// next stencil, which follows directly.
fn copy_len(steps: &[Step<'_>], i: usize) -> usize {
    let st = steps[i].stencil;
    if st.ends_in_continue_jmp() && i + 1 < steps.len() {
        st.code().len() - 5
    } else {
        st.code().len()
    }
}
