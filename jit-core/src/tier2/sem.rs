//! The semantics of the uops, defined once: the uop interpreter expands them in its
//! dispatch loop (`uop_semantics!`), and a native backend runs the uops it has no
//! stencil body for through [`step`], so that both execute exactly the same code.

use super::exits::Repr;
use super::table::Uop;
use super::{Inst, Trace, V};
use crate::arith;
use crate::bytecode::{BinOp, CmpOp};
use crate::heap::Obj;
use crate::interp::VmCore;
use crate::jit::{Helpers, JitState};
use crate::ops;
use crate::value::Value;

/// `vm!(stp)`: the running VM, from the state block `stp`.
macro_rules! vm {
    ($stp:ident) => {
        // SAFETY: `vm` is the running VM (the state block's contract); each borrow ends
        // before a helper, which makes its own, is called.
        unsafe { &mut *(*$stp).vm }
    };
}

/// The semantics of every uop but the loop's ends (`LOOP`, `JUMP_ROOT`, `JUMP_LOOP`), whose
/// arms the caller gives (`{ Uop::LOOP => .., }`): runs `$inst` (whose uop is `$op`) of
/// trace `$t` over the
/// register file `$regs` (the frame's locals at `$locals`, `$room` slots of stack from
/// there, the helper table `$helpers`), writes its output there, and evaluates to false when the uop
/// takes its exit. The uop interpreter expands it inside its dispatch loop, [`step`] for
/// one uop of a native backend's trace; one definition, no call in the interpreter's loop.
macro_rules! uop_semantics {
    (
        $inst:expr, $op:expr, $t:expr, $reprs:expr, $regs:ident, $st:expr, $locals:expr, $helpers:expr,
        $room:expr, $valid:expr, { $($control:tt)* }
    ) => {{
        let inst: Inst = $inst;
        // The uop: `inst.op`, or a constant where the caller runs one kind of uop (the
        // match then folds away).
        let op: Uop = $op;
        let t: &Trace = $t;
        let reprs: &[Repr] = $reprs;
        let stp: *mut JitState = $st;
        let valid: bool = $valid;
        let locals: *mut Value = $locals;
        let helpers: *const Helpers = $helpers;
        let room: usize = $room;
        // SAFETY: an input a uop takes as a `Value` (its table signature) is a boxed
        // value, whose register holds the bits of a value the trace loaded or
        // computed, live since (the collector runs only after a FLUSH).
        let arg = |k: usize| unsafe { Value::from_bits($regs[inst.args[k].0 as usize]) };
        // A raw input (`Ty::I64`, `Ty::F64`).
        let int = |k: usize| $regs[inst.args[k].0 as usize] as i64;
        let float = |k: usize| f64::from_bits($regs[inst.args[k].0 as usize]);
        // SAFETY: `stp` is the state block (valid for the whole run).
        let pending = || unsafe { (*stp).pending_exception != 0 };
        let mut out = Value::NIL;
        // The output's word when it is raw.
        let mut raw: Option<u64> = None;
        let ok: bool = match op {
            $($control)*
            Uop::LOAD_SLOT => {
                // SAFETY: the projector reads only slots of the trace's frames, which
                // lie inside the stack (`CHECK_CALL` checked the virtual ones).
                out = unsafe { *locals.add(inst.imm[0] as usize) };
                true
            }
            Uop::CONST => {
                out = t.consts[inst.imm[0] as usize];
                true
            }
            Uop::FLUSH => {
                let snap = &t.snapshots[inst.imm[0] as usize];
                // SAFETY: the snapshot's slots are the trace's frames' (see above).
                unsafe { (*stp).sp = snap.write_back(&$regs, reprs, locals) };
                true
            }
            Uop::LOAD_GLOBAL => {
                // SAFETY: `g` is a `Global` operand the verifier checked.
                out = unsafe { *(*stp).globals.add(inst.imm[0] as usize) };
                !out.is_empty()
            }
            Uop::GUARD_GLOBAL_EMPTY => {
                // SAFETY: as above.
                unsafe { *(*stp).globals.add(inst.imm[0] as usize) }.is_empty()
            }
            Uop::STORE_GLOBAL => {
                vm!(stp).store_global_from_trace(inst.imm[0], arg(0));
                true
            }
            Uop::CHECK_VALID => valid,
            Uop::GUARD_BOUND => !arg(0).is_empty(),
            Uop::CHECK_CALL => {
                // SAFETY: the helper table is the VM's.
                let max = unsafe { ((*helpers).max_call_depth)(stp) } as usize;
                let depth = vm!(stp).frame_count() + inst.imm[0] as usize - 1;
                depth <= max && (inst.imm[1] as usize) <= room
            }
            Uop::GUARD_BOTH_INT => Value::both_small_ints(arg(0), arg(1)),
            Uop::GUARD_BOTH_FLOAT => arg(0).is_float() && arg(1).is_float(),
            Uop::GUARD_NUMBERS_WITH_FLOAT => {
                let (x, y) = (arg(0), arg(1));
                is_num(x) && is_num(y) && (x.is_float() || y.is_float())
            }
            Uop::GUARD_INLINE_NUMBERS => is_num(arg(0)) && is_num(arg(1)),
            Uop::GUARD_BOTH_STR => {
                let heap = vm!(stp).heap();
                heap.as_str(arg(0)).is_some() && heap.as_str(arg(1)).is_some()
            }
            Uop::GUARD_BOOL => arg(0).as_bool().is_some(),
            Uop::GUARD_INT => arg(0).is_small_int(),
            Uop::GUARD_NUMBER => is_num(arg(0)),
            Uop::GUARD_ARRAY => vm!(stp).heap().as_array(arg(0)).is_some(),
            Uop::GUARD_TUPLE => vm!(stp).heap().as_tuple(arg(0)).is_some(),
            Uop::GUARD_SEQ => seq_len(vm!(stp), arg(0)).is_some(),
            Uop::GUARD_NOT_ARRAY => vm!(stp).heap().as_array(arg(0)).is_none(),
            Uop::GUARD_IN_BOUNDS => {
                let len = seq_len(vm!(stp), arg(0)).unwrap_or(0);
                matches!(arg(1).as_small_int(), Some(k) if k >= 0 && (k as usize) < len)
            }
            Uop::GUARD_LENGTH => seq_len(vm!(stp), arg(0)) == Some(inst.imm[0] as usize),
            Uop::GUARD_LEN_GE => {
                let len = seq_len(vm!(stp), arg(0)).map_or(-1, |n| n as i64);
                matches!(arg(1).as_small_int(), Some(n) if n <= len)
            }
            Uop::GUARD_RANGE_WITHIN => {
                let len = seq_len(vm!(stp), arg(1)).map_or(0, |n| n as i64);
                matches!(vm!(stp).heap().get(arg(0)), Some(Obj::RangeIter(r)) if r.within(len))
            }
            Uop::GUARD_NONZERO => arg(0).as_small_int() != Some(0),
            Uop::GUARD_FUNCTION => {
                matches!(vm!(stp).heap().as_function(arg(0)), Some(f) if f.code == inst.imm[0])
            }
            Uop::GUARD_NATIVE => matches!(vm!(stp).heap().get(arg(0)), Some(Obj::Native(_))),
            Uop::GUARD_RANGE_ITER => {
                matches!(vm!(stp).heap().get(arg(0)), Some(Obj::RangeIter(r)) if r.inline())
            }
            Uop::GUARD_SEQ_ITER => matches!(vm!(stp).heap().get(arg(0)), Some(Obj::SeqIter(_))),
            Uop::GUARD_TRUE => arg(0).as_bool() == Some(true),
            Uop::GUARD_FALSE => arg(0).as_bool() == Some(false),
            Uop::GUARD_INT_NONZERO => arg(0).as_small_int() != Some(0),
            Uop::GUARD_INT_ZERO => arg(0).as_small_int() == Some(0),
            Uop::ADD_INT | Uop::SUB_INT | Uop::MUL_INT | Uop::DIVMOD_INT => {
                let (x, y) = (arg(0).small_int_unchecked(), arg(1).small_int_unchecked());
                match int_arith(op, inst.imm[0], x, y) {
                    Some(r) => {
                        out = Value::small_int(r);
                        true
                    }
                    None => false,
                }
            }
            Uop::ADD_FLOAT | Uop::SUB_FLOAT | Uop::MUL_FLOAT => {
                let (x, y) = (arg(0).float_unchecked(), arg(1).float_unchecked());
                out = float_arith(op, x, y);
                true
            }
            Uop::FLOAT_ARITH => {
                let r = match (
                    arith::number_as_f64(arg(0)),
                    arith::number_as_f64(arg(1)),
                    BinOp::from_u32(inst.imm[0]),
                ) {
                    (Some(x), Some(y), Some(op)) => arith::float_binary(op, x, y),
                    _ => None,
                };
                match r {
                    Some(r) => {
                        out = Value::float(r);
                        true
                    }
                    None => false,
                }
            }
            Uop::INLINE_ARITH => match arith::inline_arith(inst.imm[0], arg(0), arg(1)) {
                Some(v) => {
                    out = v;
                    true
                }
                None => false,
            },
            Uop::NEG_NUM => {
                let v = arg(0);
                let r = if v.is_float() {
                    Some(Value::float(-v.float_unchecked()))
                } else {
                    Value::try_small_int(-v.small_int_unchecked())
                };
                match r {
                    Some(r) => {
                        out = r;
                        true
                    }
                    None => false,
                }
            }
            Uop::CONCAT_STR => {
                out = ops::concat(vm!(stp).heap_mut(), arg(0), arg(1)).unwrap_or(Value::NIL);
                true
            }
            Uop::CMP_INT | Uop::CMP_NUM | Uop::CMP_STR => {
                let cmp = CmpOp::from_u32(inst.imm[0]).unwrap_or(CmpOp::Eq);
                let r = match op {
                    Uop::CMP_INT => arith::compare_small_ints(cmp, arg(0), arg(1)),
                    Uop::CMP_NUM => {
                        arith::inline_compare_seen(cmp as u32, arg(0), arg(1), |_| {})
                    }
                    _ => {
                        let heap = vm!(stp).heap();
                        match (heap.as_str(arg(0)), heap.as_str(arg(1))) {
                            (Some(x), Some(y)) => {
                                Some(arith::cmp_ord(cmp, x.as_bytes().cmp(y.as_bytes())))
                            }
                            _ => None,
                        }
                    }
                };
                out = Value::bool(r.unwrap_or(false));
                true
            }
            Uop::IS => {
                out = Value::bool((arg(0) == arg(1)) != (inst.imm[0] == 1));
                true
            }
            Uop::READ_ITEM | Uop::ITEM => {
                let k = if op == Uop::ITEM {
                    inst.imm[0] as usize
                } else {
                    arg(1).small_int_unchecked() as usize
                };
                out = item(vm!(stp), arg(0), k).unwrap_or(Value::NIL);
                true
            }
            Uop::WRITE_ITEM => {
                if let Some(a) = vm!(stp).heap().as_array(arg(0)) {
                    a.set(arg(1).small_int_unchecked() as usize, arg(2));
                }
                true
            }
            Uop::HOST_INDEX => {
                let heap = vm!(stp).heap();
                let r = match heap.get(arg(0)) {
                    Some(Obj::Host(h)) => h.index_get(heap, arg(1)),
                    _ => None,
                };
                match r {
                    Some(v) => {
                        out = v;
                        true
                    }
                    None => false,
                }
            }
            Uop::ITER_NEXT => match ops::core_iter_next(vm!(stp).heap_mut(), arg(0)) {
                Some(Some(v)) => {
                    out = v;
                    true
                }
                _ => false,
            },
            Uop::BUILD_TUPLE | Uop::BUILD_ARRAY => {
                let (n, top) = (inst.imm[0] as usize, inst.imm[1] as usize);
                // SAFETY: a `FLUSH` wrote the `n` values below slot `top`, which lie in
                // the trace's frames.
                let items = unsafe { core::slice::from_raw_parts(locals.add(top - n), n) };
                let heap = vm!(stp).heap_mut();
                out = if op == Uop::BUILD_TUPLE {
                    heap.tuple(items.to_vec())
                } else {
                    let mut buf = heap.take_vec(n);
                    buf.extend_from_slice(items);
                    heap.array(buf)
                };
                true
            }
            Uop::BINARY | Uop::COMPARE => {
                let f = if op == Uop::BINARY {
                    // SAFETY: the helper table is the VM's.
                    unsafe { (*helpers).binary }
                } else {
                    // SAFETY: as above.
                    unsafe { (*helpers).compare }
                };
                // SAFETY: the state block is the running executor's; the operands are
                // live values of this run.
                let bits = unsafe { f(stp, inst.imm[0], arg(0).to_bits(), arg(1).to_bits()) };
                // SAFETY: a helper returns the bits of a live value (or EMPTY's).
                out = unsafe { Value::from_bits(bits) };
                !pending()
            }
            Uop::UNARY => {
                // SAFETY: as for `BINARY`.
                let bits = unsafe { ((*helpers).unary)(stp, inst.imm[0], arg(0).to_bits()) };
                // SAFETY: as for `BINARY`.
                out = unsafe { Value::from_bits(bits) };
                !pending()
            }
            Uop::TRUTHY => {
                // SAFETY: as for `BINARY`.
                let t = unsafe { ((*helpers).truthy)(stp, arg(0).to_bits()) };
                out = Value::bool(t == 1);
                t != 2
            }
            Uop::GET_ITER => {
                // SAFETY: as for `BINARY`.
                let bits = unsafe { ((*helpers).get_iter)(stp, arg(0).to_bits()) };
                // SAFETY: as for `BINARY`.
                out = unsafe { Value::from_bits(bits) };
                !pending()
            }
            Uop::ITER_NEXT_ANY => {
                // SAFETY: as for `CALL_NATIVE`: the iterator is just below `sp`.
                let bits = unsafe { ((*helpers).iter_next)(stp) };
                // SAFETY: as for `BINARY`.
                out = unsafe { Value::from_bits(bits) };
                !pending()
            }
            Uop::GUARD_NOT_EXHAUSTED => !arg(0).is_empty(),
            Uop::CALL_NATIVE => {
                // SAFETY: as for `BINARY`; the `FLUSH` before set `sp` to the call's
                // top, with the callee and its arguments just below.
                let bits = unsafe { ((*helpers).call_native)(stp, inst.imm[0]) };
                // SAFETY: as for `BINARY`.
                out = unsafe { Value::from_bits(bits) };
                !pending()
            }
            Uop::SLOW_OP => {
                let name = t.consts.get(inst.imm[3] as usize).copied();
                let name = name.unwrap_or(Value::NIL).to_bits();
                // SAFETY: as for `CALL_NATIVE`: the `FLUSH` before set `sp` to the
                // instruction's top, its operands just below.
                let bits = unsafe { ((*helpers).slow_op)(stp, inst.imm[0], inst.imm[1], name) };
                // SAFETY: as for `BINARY`.
                out = unsafe { Value::from_bits(bits) };
                !pending()
            }
            Uop::EXIT => false,
            Uop::PHI => {
                // Entering the loop from the preamble.
                raw = Some($regs[inst.args[0].0 as usize]);
                true
            }
            Uop::UNBOX_INT => {
                raw = Some(arg(0).small_int_unchecked() as u64);
                true
            }
            Uop::UNBOX_FLOAT => {
                raw = Some(arg(0).float_unchecked().to_bits());
                true
            }
            Uop::BOX_INT => {
                out = Value::small_int(int(0));
                true
            }
            Uop::BOX_FLOAT => {
                out = Value::float(float(0));
                true
            }
            Uop::CONST_I64 => {
                raw = Some(t.consts[inst.imm[0] as usize].small_int_unchecked() as u64);
                true
            }
            Uop::CONST_F64 => {
                raw = Some(t.consts[inst.imm[0] as usize].float_unchecked().to_bits());
                true
            }
            Uop::ADD_I64 | Uop::SUB_I64 | Uop::MUL_I64 | Uop::DIVMOD_I64 => {
                match int_arith(op, inst.imm[0], int(0), int(1)) {
                    Some(r) => {
                        raw = Some(r as u64);
                        true
                    }
                    None => false,
                }
            }
            Uop::ADD_F64 | Uop::SUB_F64 | Uop::MUL_F64 => {
                // The bits boxing would keep (a NaN in the tag space is canonical).
                raw = Some(float_arith(op, float(0), float(1)).to_bits());
                true
            }
            Uop::CMP_I64 => {
                let op = CmpOp::from_u32(inst.imm[0]).unwrap_or(CmpOp::Eq);
                out = Value::bool(arith::cmp_ord(op, int(0).cmp(&int(1))));
                true
            }
            Uop::CMP_F64 => {
                let op = CmpOp::from_u32(inst.imm[0]).unwrap_or(CmpOp::Eq);
                out = Value::bool(arith::cmp_f64(op, float(0), float(1)));
                true
            }
        };
        if ok && inst.out != V::NONE {
            $regs[inst.out.0 as usize] = raw.unwrap_or(out.to_bits());
        }
        ok
    }};
}

/// Runs uop `i` of trace `t`, a `Uop::ALL[N]` (not one of the loop's ends: `LOOP`,
/// `JUMP_ROOT`, `JUMP_LOOP`, which a backend lays out itself), over the register file
/// `regs`, whose values are held as `reprs` says; false when the uop takes its exit.
/// `valid` is false once the executor was invalidated. What a native backend calls for
/// a uop it has no code of its own for: one function per kind of uop, so that only that
/// uop's semantics are compiled into it.
///
/// # Safety
///
/// `st` is the state block of the running executor, stopped in trace `t` before uop `i`
/// (as for [`crate::jit::Executor::enter`]), which is a `Uop::ALL[N]`, and `regs` holds
/// every value the trace computed so far.
#[inline]
pub unsafe fn step<const N: usize>(
    st: *mut JitState,
    regs: &mut [u64],
    t: &Trace,
    reprs: &[Repr],
    i: usize,
    valid: bool,
) -> bool {
    let inst = t.insts[i];
    debug_assert_eq!(inst.op, Uop::ALL[N]);
    // SAFETY: `st` is the running executor's state block (the caller's promise).
    let (locals, helpers, end) = unsafe { ((*st).locals, (*st).helpers, (*st).stack_end) };
    let room = (end as usize - locals as usize) / core::mem::size_of::<Value>();
    let op = const { Uop::ALL[N] };
    debug_assert!(regs.len() >= t.n_values as usize);
    let mut regs = Unchecked(regs);
    uop_semantics!(inst, op, t, reprs, regs, st, locals, helpers, room, valid, {
        Uop::LOOP | Uop::JUMP_ROOT | Uop::JUMP_LOOP => false,
    })
}

/// A register file indexed without bounds checks: [`step`]'s, where the calls are many
/// and each does little. It holds at least the trace's `n_values` words, and every value
/// a trace names is numbered below `n_values` (the projector and the optimizer number
/// them so, and `Trace::n_values` counts them).
struct Unchecked<'a>(&'a mut [u64]);

impl core::ops::Index<usize> for Unchecked<'_> {
    type Output = u64;
    #[inline(always)]
    fn index(&self, k: usize) -> &u64 {
        debug_assert!(k < self.0.len());
        // SAFETY: `k` names a value of the trace, below `n_values` (see the type).
        unsafe { self.0.get_unchecked(k) }
    }
}

impl core::ops::IndexMut<usize> for Unchecked<'_> {
    #[inline(always)]
    fn index_mut(&mut self, k: usize) -> &mut u64 {
        debug_assert!(k < self.0.len());
        // SAFETY: as for `index`.
        unsafe { self.0.get_unchecked_mut(k) }
    }
}

impl core::ops::Deref for Unchecked<'_> {
    type Target = [u64];
    fn deref(&self) -> &[u64] {
        self.0
    }
}

/// The int arithmetic uops' result, boxed (`ADD_INT`, ...) or raw (`ADD_I64`, ...): `x op
/// y` for inline ints `x` and `y` (`imm` is `DIVMOD`'s `BinOp`), `None` when the uop exits
/// (the result leaves the inline range, a zero divisor).
pub(crate) fn int_arith(op: Uop, imm: u32, x: i64, y: i64) -> Option<i64> {
    let r = match op {
        // Inline ints are 48-bit: sums and differences fit an `i64`.
        Uop::ADD_INT | Uop::ADD_I64 => Some(x + y),
        Uop::SUB_INT | Uop::SUB_I64 => Some(x - y),
        Uop::MUL_INT | Uop::MUL_I64 => x.checked_mul(y),
        _ => BinOp::from_u32(imm).and_then(|op| arith::small_int_binary(op, x, y)),
    };
    r.filter(|&r| crate::value::fits_small(r))
}

/// The float arithmetic uops' result, boxed (`ADD_FLOAT`, ...) or raw (`ADD_F64`, ...),
/// as a `Value` (a NaN in the tag space made canonical).
pub(crate) fn float_arith(op: Uop, x: f64, y: f64) -> Value {
    Value::float(match op {
        Uop::ADD_FLOAT | Uop::ADD_F64 => x + y,
        Uop::SUB_FLOAT | Uop::SUB_F64 => x - y,
        _ => x * y,
    })
}

pub(crate) fn is_num(v: Value) -> bool {
    v.is_small_int() || v.is_float()
}

pub(crate) fn seq_len(vm: &VmCore, v: Value) -> Option<usize> {
    match vm.heap().get(v) {
        Some(Obj::Array(a)) => Some(a.len()),
        Some(Obj::Tuple(_)) => vm.heap().as_tuple(v).map(<[Value]>::len),
        _ => None,
    }
}

pub(crate) fn item(vm: &VmCore, v: Value, k: usize) -> Option<Value> {
    match vm.heap().get(v) {
        Some(Obj::Array(a)) => a.get(k),
        _ => vm.heap().as_tuple(v).and_then(|t| t.get(k).copied()),
    }
}
