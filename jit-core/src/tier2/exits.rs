//! Snapshots and exits: how a trace leaves, and how the interpreter's state is rebuilt
//! exactly when it does.
//!
//! A [`Snapshot`] is the projector's picture of the frames at one point of the trace:
//! for every slot (offset from the root frame's first local) whose value is not already
//! in memory, the SSA value that belongs there; the operand-stack top; the frames the
//! trace entered virtually; and the instruction tier 1 resumes at. Writing it back and
//! pushing its virtual frames gives exactly the frames tier 1 would have had at that
//! instruction: the caller frames' resume points are the instructions after their calls,
//! and every frame's stack depth is the verifier's (the VM checks the innermost one).

use alloc::vec::Vec;

use super::table::ExitKind;
use super::V;
use crate::bytecode::CodeId;
use crate::interp::VmCore;
use crate::value::Value;

/// How a trace holds an SSA value: a `Value`'s bits, or a raw number (unboxed by the
/// optimizer) that an exit boxes as it writes it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// A `Value`.
    Boxed,
    /// A raw `i64` in the inline int range.
    I64,
    /// A raw `f64`.
    F64,
}

/// A frame the trace entered without pushing it: a call to a known function it followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VFrame {
    /// The callee's code object.
    pub code: CodeId,
    /// The slot of its first local.
    pub base: u32,
    /// Where its caller resumes when it returns (the instruction after the call).
    pub ret_pc: u32,
}

/// The frames' state at one point of a trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The instruction tier 1 resumes at, in the innermost frame.
    pub pc: u32,
    /// The stack top: one past the last live slot.
    pub sp: u32,
    /// The slots that differ from memory, and their values, by slot.
    pub slots: Vec<(u32, V)>,
    /// The virtual frames, outermost first (empty: the trace's own frame).
    pub frames: Vec<VFrame>,
}

/// One way out of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitDesc {
    /// Why it is taken.
    pub kind: ExitKind,
    /// The snapshot it writes back.
    pub snapshot: u32,
}

impl Snapshot {
    /// The code object of the innermost frame (`root` for the trace's own frame).
    pub fn innermost_code(&self, root: CodeId) -> CodeId {
        self.frames.last().map_or(root, |f| f.code)
    }

    /// Writes the snapshot's slots to the frame whose first local is `locals`, from the
    /// trace's values `regs` (held as `reprs` says: raw numbers are boxed here), and
    /// returns the new stack top.
    ///
    /// # Safety
    ///
    /// `locals` is the trace's root frame's first local in the value stack, and every
    /// slot up to `sp` lies inside the stack (the projector checked, with `CHECK_CALL`,
    /// that the virtual frames fit before entering them).
    pub(crate) unsafe fn write_back(
        &self,
        regs: &[u64],
        reprs: &[Repr],
        locals: *mut Value,
    ) -> *mut Value {
        for &(slot, v) in &self.slots {
            let k = v.0 as usize;
            let bits = regs.get(k).copied().unwrap_or(Value::NIL.to_bits());
            let value = match reprs.get(k).copied().unwrap_or(Repr::Boxed) {
                // SAFETY: a boxed value's register holds the bits of a value the trace
                // loaded or computed, live since (the collector ran only after a FLUSH
                // had put every live value in memory).
                Repr::Boxed => unsafe { Value::from_bits(bits) },
                // Raw ints stay in the inline range (their uops exit otherwise).
                Repr::I64 => Value::small_int(bits as i64),
                Repr::F64 => Value::float(f64::from_bits(bits)),
            };
            // SAFETY: the caller's promise covers every slot below `sp`, and the projector
            // records only such slots.
            unsafe { *locals.add(slot as usize) = value };
        }
        // SAFETY: as above.
        unsafe { locals.add(self.sp as usize) }
    }

    /// Pushes the snapshot's virtual frames as real ones on `vm`, above the running
    /// frame (the trace's root frame, based `root_base` values into the stack), setting
    /// each caller's resume point. Returns the innermost frame's base.
    pub(crate) fn materialize(&self, vm: &mut VmCore, root_base: usize) -> usize {
        let mut base = root_base;
        for f in &self.frames {
            base = root_base + f.base as usize;
            vm.push_virtual_frame(f.code, base, f.ret_pc as usize);
        }
        base
    }
}

/// True when an exit of this kind gets a side trace once it is hot: the other side of a
/// branch, the generic behaviour after a failed guard, and (once tier 1 has specialized
/// it) the instruction a trace stopped at. Errors and invalidations end the run.
pub(crate) fn wants_side_trace(kind: ExitKind) -> bool {
    matches!(
        kind,
        ExitKind::Branch | ExitKind::Guard | ExitKind::Overflow | ExitKind::Stop
    )
}
