//! Loop peeling, in LuaJIT's way (`lj_opt_loop.c`): the loop body is emitted twice.
//!
//! A root trace is one iteration that starts from the frame's memory (`LOAD_SLOT`) and
//! ends with `LOOP`, which writes every slot back and starts over. Peeling keeps that
//! iteration as the *preamble* and appends a second copy, the loop proper, in which
//!
//! - a slot the iteration changes is a `PHI`: its preamble value on entry, the value the
//!   previous iteration left on each back edge;
//! - a slot it only reads is the preamble's value (its load runs once), unless a helper
//!   that may write the stack ran after the load (the projector then only knows the slot
//!   is in memory): the loop loads it again;
//! - the end is `JUMP_LOOP`, which moves the PHIs and goes round again without writing
//!   the frame (only a collection, which needs every value in memory, writes it).
//!
//! Since the loop's values now live across iterations without being written back, every
//! snapshot of the second copy also lists the loop-carried slots the iteration has not
//! written yet (until a `FLUSH` writes them), so an exit rebuilds the frame exactly.
//!
//! The optimizer then walks preamble and loop as one trace: whatever the preamble
//! established holds in the loop, which is where its guards and loads disappear.

use alloc::vec;
use alloc::vec::Vec;

use super::super::exits::{ExitDesc, Snapshot};
use super::super::table::Uop;
use super::super::{Inst, Trace, TraceKind, NO_EXIT, V};

/// The peeled form of `t`, or `None` when it is not a loop that can be peeled (a side
/// trace, a trace that stops with an exit).
pub(super) fn peel(t: &Trace) -> Option<Trace> {
    if t.kind != TraceKind::Root {
        return None;
    }
    let (last, body) = t.insts.split_last()?;
    if last.op != Uop::LOOP || body.iter().any(|i| i.op == Uop::LOOP) {
        return None;
    }
    let end = t.snapshots.get(last.imm[0] as usize)?.clone();
    // What each slot's value at the end of the iteration is, and which slots the
    // iteration only read (their value there is the one it loaded).
    let mut loaded: Vec<(u32, V)> = Vec::new();
    for i in body {
        if i.op == Uop::LOAD_SLOT {
            loaded.push((i.imm[0], i.out));
        }
    }
    let carried: Vec<(u32, V)> = end
        .slots
        .iter()
        .copied()
        .filter(|&(s, v)| s < end.sp && !loaded.contains(&(s, v)))
        .collect();
    // A slot the iteration read and then lost track of (a helper that may write the stack
    // ran since) is in memory at the end: the loop loads it again.
    let reload: Vec<u32> = loaded
        .iter()
        .map(|l| l.0)
        .filter(|&s| !end.slots.iter().any(|e| e.0 == s))
        .collect();

    let mut p = t.clone();
    p.insts.truncate(body.len());
    let fresh = |p: &mut Trace| {
        let v = V(p.n_values);
        p.n_values += 1;
        v
    };
    // The PHIs, one per carried slot; their back-edge inputs are filled in at the end.
    let phis_at = p.insts.len() as u32;
    let mut phi_of: Vec<(u32, V)> = Vec::new();
    for &(s, v) in &carried {
        let out = fresh(&mut p);
        phi_of.push((s, out));
        p.insts.push(Inst {
            op: Uop::PHI,
            out,
            args: [v, V::NONE, V::NONE],
            imm: [0; 4],
            exit: NO_EXIT,
        });
    }

    // The second copy. `rename` maps the first copy's values to the second's.
    let mut rename = vec![V::NONE; t.n_values as usize];
    // Slots whose loop-carried value is not in memory yet (until a FLUSH writes it).
    let mut pending: Vec<(u32, V)> = phi_of.clone();
    let map = |rename: &[V], v: V| -> V {
        if v == V::NONE {
            v
        } else {
            rename.get(v.0 as usize).copied().unwrap_or(v)
        }
    };
    for inst in body {
        if inst.op == Uop::LOAD_SLOT && !reload.contains(&inst.imm[0]) {
            let s = inst.imm[0];
            let to = phi_of
                .iter()
                .find(|&&(slot, _)| slot == s)
                .map_or(inst.out, |&(_, phi)| phi);
            rename[inst.out.0 as usize] = to;
            continue;
        }
        let mut ni = *inst;
        for a in &mut ni.args {
            *a = map(&rename, *a);
        }
        if inst.out != V::NONE {
            ni.out = fresh(&mut p);
            rename[inst.out.0 as usize] = ni.out;
        }
        if inst.exit != NO_EXIT {
            let desc = t.exits[inst.exit as usize];
            let snap = merged(&t.snapshots[desc.snapshot as usize], &pending, &rename);
            p.snapshots.push(snap);
            p.exits.push(ExitDesc {
                kind: desc.kind,
                snapshot: (p.snapshots.len() - 1) as u32,
            });
            ni.exit = (p.exits.len() - 1) as u32;
        }
        if inst.op == Uop::FLUSH {
            let snap = merged(&t.snapshots[inst.imm[0] as usize], &pending, &rename);
            p.snapshots.push(snap);
            ni.imm[0] = (p.snapshots.len() - 1) as u32;
            pending.clear();
        }
        p.insts.push(ni);
    }
    let jsnap = merged(&end, &pending, &rename);
    p.snapshots.push(jsnap);
    let snap = (p.snapshots.len() - 1) as u32;
    p.insts.push(Inst {
        op: Uop::JUMP_LOOP,
        out: V::NONE,
        args: [V::NONE; 3],
        // The fourth immediate, which the text form does not show, is the snapshot of the
        // preamble's end (the loop header after one iteration): the optimizer's walk gives
        // a check it adds before the loop an exit there, and clears it.
        imm: [snap, last.imm[1], phis_at, last.imm[0]],
        exit: NO_EXIT,
    });
    for (k, &(s, _)) in phi_of.iter().enumerate() {
        let v = end.slots.iter().find(|e| e.0 == s).map_or(V::NONE, |e| e.1);
        p.insts[phis_at as usize + k].args[1] = map(&rename, v);
    }
    Some(p)
}

/// `snap` of the first copy, for the second: its values renamed, plus every loop-carried
/// slot still pending that it does not list (below its stack top).
fn merged(snap: &Snapshot, pending: &[(u32, V)], rename: &[V]) -> Snapshot {
    let mut s = snap.clone();
    for e in &mut s.slots {
        e.1 = rename.get(e.1 .0 as usize).copied().unwrap_or(e.1);
    }
    for &(slot, v) in pending {
        if slot < s.sp && !s.slots.iter().any(|e| e.0 == slot) {
            s.slots.push((slot, v));
        }
    }
    s.slots.sort_unstable_by_key(|e| e.0);
    s
}
