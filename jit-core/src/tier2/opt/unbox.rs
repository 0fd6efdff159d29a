//! Unboxing: int and float arithmetic on raw machine numbers (`i64`, `f64`) instead of
//! `Value`s.
//!
//! The result of an int or float arithmetic uop, and a PHI of such results, becomes raw
//! when everything that uses it can take it raw: raw arithmetic, comparisons (which then
//! compare raw), PHIs that are raw themselves, and snapshots, which box raw values only
//! when an exit writes them back ([`crate::tier2::Repr`]). A value with any other use (an
//! index, a store into the heap, a helper's argument) stays boxed, and so, in turn, do the
//! values its computation takes: the choice is made to a fixpoint, so no `BOX` is ever
//! added to the loop. Inputs that are boxed where a raw one is needed are unboxed once: a
//! constant as `CONST_I64`/`CONST_F64`, anything else with `UNBOX_INT`/`UNBOX_FLOAT` at its
//! first raw use, or, for a value the preamble computed, just before the loop.
//!
//! In a peeled loop the loop-carried counters and accumulators so live as raw numbers
//! across iterations and are boxed only on the way out.

use alloc::vec;
use alloc::vec::Vec;

use super::super::table::Uop;
use super::super::{Inst, Trace, NO_EXIT, V};
use super::lattice::{Abs, Types};
use super::Removed;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    I64,
    F64,
}

/// The raw form of an arithmetic uop and the kind it computes.
fn raw_arith(op: Uop) -> Option<(Uop, Kind)> {
    Some(match op {
        Uop::ADD_INT => (Uop::ADD_I64, Kind::I64),
        Uop::SUB_INT => (Uop::SUB_I64, Kind::I64),
        Uop::MUL_INT => (Uop::MUL_I64, Kind::I64),
        Uop::DIVMOD_INT => (Uop::DIVMOD_I64, Kind::I64),
        Uop::ADD_FLOAT => (Uop::ADD_F64, Kind::F64),
        Uop::SUB_FLOAT => (Uop::SUB_F64, Kind::F64),
        Uop::MUL_FLOAT => (Uop::MUL_F64, Kind::F64),
        _ => return None,
    })
}

/// The raw comparison a comparison becomes when an input is raw, and its inputs' kind.
fn raw_cmp(inst: &Inst, abs: &[Abs]) -> Option<(Uop, Kind)> {
    let floats = |k: usize| {
        abs.get(inst.args[k].0 as usize)
            .is_some_and(|a| a.types.within(Types::FLOAT) && !a.types.is_none())
    };
    match inst.op {
        Uop::CMP_INT => Some((Uop::CMP_I64, Kind::I64)),
        Uop::CMP_NUM if floats(0) && floats(1) => Some((Uop::CMP_F64, Kind::F64)),
        _ => None,
    }
}

/// Unboxes what it can in `t`. `abs` is what the walk knew of each value, `phi_abs` what
/// each PHI was assumed to be at the loop's start.
pub(super) fn run(t: &mut Trace, abs: &[Abs], phi_abs: &[(V, Abs)], removed: &mut Vec<Removed>) {
    let n = t.n_values as usize;
    // The raw kind each value would have.
    let mut raw: Vec<Option<Kind>> = vec![None; n];
    for i in &t.insts {
        if let Some((_, k)) = raw_arith(i.op) {
            raw[i.out.0 as usize] = Some(k);
        }
    }
    for &(v, a) in phi_abs {
        let k = if a.is_int() {
            Some(Kind::I64)
        } else if a.types.within(Types::FLOAT) && !a.types.is_none() {
            Some(Kind::F64)
        } else {
            None
        };
        raw[v.0 as usize] = k;
    }
    // Where the loop starts (the unboxing of preamble values goes just before it).
    let loop_at = t
        .insts
        .iter()
        .find(|i| i.op == Uop::JUMP_LOOP)
        .map(|j| j.imm[2] as usize);
    let mut defined_at = vec![0; n];
    let mut consts_of: Vec<Option<u32>> = vec![None; n];
    for (k, i) in t.insts.iter().enumerate() {
        if i.out != V::NONE {
            defined_at[i.out.0 as usize] = k;
        }
        if i.op == Uop::CONST {
            consts_of[i.out.0 as usize] = Some(i.imm[0]);
        }
    }
    // True when `v`, boxed, would have to be unboxed each time the uop at `idx` runs: it
    // is not a constant, and both are in the loop (or there is no loop).
    let unboxed_each_time = |v: V, idx: usize| {
        consts_of[v.0 as usize].is_none()
            && loop_at.is_none_or(|l| idx >= l && defined_at[v.0 as usize] >= l)
    };
    // Demote to a fixpoint: a value stays raw only when every uop using it takes it raw,
    // and when making it does not unbox an input on every run.
    loop {
        let mut changed = false;
        for (idx, i) in t.insts.iter().enumerate() {
            if let (Some((_, k)), true) = (raw_arith(i.op), i.out != V::NONE) {
                // In a loop's preamble, which runs once per entry, raw arithmetic only
                // costs conversions: its results are unboxed where the loop takes them.
                let preamble = loop_at.is_some_and(|l| idx < l);
                let costly = preamble
                    || i.args[..2]
                        .iter()
                        .any(|&a| raw[a.0 as usize] != Some(k) && unboxed_each_time(a, idx));
                if raw[i.out.0 as usize].is_some() && costly {
                    raw[i.out.0 as usize] = None;
                    changed = true;
                }
            }
            let takes_raw = |raw: &[Option<Kind>]| -> Option<Kind> {
                if let Some((_, k)) = raw_arith(i.op) {
                    return raw[i.out.0 as usize].filter(|&o| o == k);
                }
                if let Some((_, k)) = raw_cmp(i, abs) {
                    return Some(k);
                }
                if i.op == Uop::PHI {
                    return raw[i.out.0 as usize];
                }
                None
            };
            for &a in &i.args {
                if a == V::NONE {
                    continue;
                }
                let have = raw[a.0 as usize];
                if have.is_some() && takes_raw(&raw) != have {
                    raw[a.0 as usize] = None;
                    changed = true;
                }
            }
            // A raw PHI needs a raw back edge.
            if i.op == Uop::PHI && raw[i.out.0 as usize].is_some() {
                let back = i.args[1];
                if back == V::NONE || raw[back.0 as usize] != raw[i.out.0 as usize] {
                    raw[i.out.0 as usize] = None;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    if raw.iter().all(Option::is_none) {
        return;
    }

    let mut out: Vec<Inst> = Vec::with_capacity(t.insts.len() + 8);
    // The raw version of each boxed value (and of each constant), once made.
    let mut unboxed: Vec<(V, Kind, V)> = Vec::new();
    let mut const_raw: Vec<(u32, Kind, V)> = Vec::new();
    let mut hoisted: Vec<Inst> = Vec::new();
    let mut new_loop_at = None;
    let insts = core::mem::take(&mut t.insts);
    for (idx, inst) in insts.iter().enumerate() {
        if Some(idx) == loop_at {
            new_loop_at = Some(out.len());
        }
        let mut ni = *inst;
        let conv = if let Some((rop, k)) = raw_arith(inst.op) {
            raw[inst.out.0 as usize].map(|_| (rop, k))
        } else if let Some((rop, k)) = raw_cmp(inst, abs) {
            // Only when an input is raw already: otherwise the comparison stays as is.
            let any_raw = inst.args[..2].iter().any(|a| raw[a.0 as usize] == Some(k));
            any_raw.then_some((rop, k))
        } else if inst.op == Uop::PHI {
            raw[inst.out.0 as usize].map(|k| (Uop::PHI, k))
        } else {
            None
        };
        if let Some((rop, k)) = conv {
            let nargs = if inst.op == Uop::PHI { 1 } else { 2 };
            for a in ni.args.iter_mut().take(nargs) {
                if raw[a.0 as usize] == Some(k) {
                    continue;
                }
                // A boxed input: its raw form, made once.
                let v = *a;
                let known = if let Some(c) = consts_of[v.0 as usize] {
                    const_raw.iter().find(|e| e.0 == c && e.1 == k).map(|e| e.2)
                } else {
                    unboxed.iter().find(|e| e.0 == v && e.1 == k).map(|e| e.2)
                };
                let r = match known {
                    Some(r) => r,
                    None => {
                        let r = V(t.n_values);
                        t.n_values += 1;
                        let (op, imm) = match (consts_of[v.0 as usize], k) {
                            (Some(c), Kind::I64) => (Uop::CONST_I64, [c, 0, 0, 0]),
                            (Some(c), Kind::F64) => (Uop::CONST_F64, [c, 0, 0, 0]),
                            (None, Kind::I64) => (Uop::UNBOX_INT, [0; 4]),
                            (None, Kind::F64) => (Uop::UNBOX_FLOAT, [0; 4]),
                        };
                        let args = if op == Uop::UNBOX_INT || op == Uop::UNBOX_FLOAT {
                            [v, V::NONE, V::NONE]
                        } else {
                            [V::NONE; 3]
                        };
                        let u = Inst {
                            op,
                            out: r,
                            args,
                            imm,
                            exit: NO_EXIT,
                        };
                        // A value the preamble made, first needed raw in the loop (or by
                        // a PHI's entry): unboxed once, before the loop.
                        let before_loop = loop_at.is_some_and(|l| {
                            (idx >= l || inst.op == Uop::PHI) && defined_at[v.0 as usize] < l
                        });
                        if before_loop {
                            hoisted.push(u);
                        } else {
                            out.push(u);
                        }
                        match consts_of[v.0 as usize] {
                            Some(c) => const_raw.push((c, k, r)),
                            None => unboxed.push((v, k, r)),
                        }
                        r
                    }
                };
                *a = r;
            }
            if inst.op != Uop::PHI {
                removed.push(Removed {
                    pass: "unbox",
                    inst: *inst,
                    what: "raw",
                });
                ni.op = rop;
            }
        }
        out.push(ni);
    }
    // The hoisted unboxings go just before the loop (before its PHIs).
    if let (Some(at), false) = (new_loop_at, hoisted.is_empty()) {
        let len = hoisted.len();
        out.splice(at..at, hoisted);
        new_loop_at = Some(at + len);
    }
    if let (Some(at), Some(j)) = (new_loop_at, out.iter_mut().find(|i| i.op == Uop::JUMP_LOOP)) {
        j.imm[2] = at as u32;
    }
    t.insts = out;
}
