//! Dead-code elimination: uops whose results nothing uses, and the exits and snapshots
//! nothing refers to any more.
//!
//! A value is live when a uop that stays uses it, when a snapshot that can still be
//! written back lists it (an exit's, a `FLUSH`'s, the loop end's), or when a live `PHI`
//! takes it on the back edge. A uop goes when its output is dead and it has no effect
//! besides reading: it cannot exit (a proven arithmetic uop has no exit any more), store,
//! call or collect. In a peeled loop that removes the slot loads and constants the
//! preamble already did, and PHIs nothing reads.
//!
//! Stores to locals are not uops here: a trace's writes to the frame are the snapshots'
//! entries, done only when an exit is taken, a `FLUSH` precedes a helper, or a
//! collection is due in a peeled loop. A local a peeled loop overwrites before any exit
//! is therefore never stored at all.

use alloc::vec;
use alloc::vec::Vec;

use super::super::table::{Uop, ALLOCATES, READS_FRAME, READS_GLOBALS, READS_HEAP};
use super::super::{Trace, NO_EXIT, V};
use super::Removed;

/// Removes the dead uops of `t`, then the exits and snapshots no uop refers to.
pub(super) fn run(t: &mut Trace, removed: &mut Vec<Removed>) {
    let n = t.n_values as usize;
    let mut live = vec![false; n];
    let removable = |op: Uop| {
        let pure = READS_FRAME
            .with(READS_HEAP)
            .with(READS_GLOBALS)
            .with(ALLOCATES);
        !op.is_guard() && pure.contains(op.effects())
    };
    // Backward to a fixpoint: a PHI's back-edge input becomes live only once the PHI is.
    loop {
        let mut changed = false;
        for inst in t.insts.iter().rev() {
            let needed = inst.out == V::NONE
                || live[inst.out.0 as usize]
                || !removable(inst.op)
                || inst.exit != NO_EXIT;
            if !needed {
                continue;
            }
            let mut mark = |v: V| {
                if v != V::NONE && !live[v.0 as usize] {
                    live[v.0 as usize] = true;
                    changed = true;
                }
            };
            for &a in &inst.args {
                mark(a);
            }
            for s in snapshots_of(t, inst) {
                for &(_, v) in &t.snapshots[s as usize].slots {
                    mark(v);
                }
            }
        }
        if !changed {
            break;
        }
    }
    let loop_at = t
        .insts
        .iter()
        .find(|i| i.op == Uop::JUMP_LOOP)
        .map(|j| j.imm[2] as usize);
    let mut new_loop_at = 0;
    let mut kept = Vec::with_capacity(t.insts.len());
    for (k, inst) in t.insts.iter().enumerate() {
        if Some(k) == loop_at {
            new_loop_at = kept.len() as u32;
        }
        let dead = inst.out != V::NONE
            && !live[inst.out.0 as usize]
            && removable(inst.op)
            && inst.exit == NO_EXIT;
        if dead {
            removed.push(Removed {
                pass: "dce",
                inst: *inst,
                what: "removed",
            });
        } else {
            kept.push(*inst);
        }
    }
    t.insts = kept;
    // `JUMP_LOOP` names where the loop starts, which moved.
    if let Some(j) = t.insts.iter_mut().find(|i| i.op == Uop::JUMP_LOOP) {
        j.imm[2] = new_loop_at;
    }
    compact(t);
}

/// The snapshots `inst` may write back: its exit's, and a `FLUSH`'s or a loop end's own.
fn snapshots_of(t: &Trace, inst: &super::super::Inst) -> impl Iterator<Item = u32> {
    let exit = (inst.exit != NO_EXIT).then(|| t.exits[inst.exit as usize].snapshot);
    let own = matches!(
        inst.op,
        Uop::FLUSH | Uop::LOOP | Uop::JUMP_ROOT | Uop::JUMP_LOOP
    )
    .then_some(inst.imm[0]);
    exit.into_iter().chain(own)
}

/// Drops the exits and snapshots no uop refers to, renumbering the rest.
fn compact(t: &mut Trace) {
    let mut exit_map = vec![u32::MAX; t.exits.len()];
    let mut snap_map = vec![u32::MAX; t.snapshots.len()];
    let mut exits = Vec::new();
    let mut snaps = Vec::new();
    let mut keep_snap = |s: u32, snaps: &mut Vec<_>, t: &Trace| -> u32 {
        if snap_map[s as usize] == u32::MAX {
            snap_map[s as usize] = snaps.len() as u32;
            snaps.push(t.snapshots[s as usize].clone());
        }
        snap_map[s as usize]
    };
    let mut insts = t.insts.clone();
    for inst in &mut insts {
        if inst.exit != NO_EXIT {
            let e = inst.exit as usize;
            if exit_map[e] == u32::MAX {
                let mut d = t.exits[e];
                d.snapshot = keep_snap(d.snapshot, &mut snaps, t);
                exit_map[e] = exits.len() as u32;
                exits.push(d);
            }
            inst.exit = exit_map[e];
        }
        if matches!(
            inst.op,
            Uop::FLUSH | Uop::LOOP | Uop::JUMP_ROOT | Uop::JUMP_LOOP
        ) {
            inst.imm[0] = keep_snap(inst.imm[0], &mut snaps, t);
        }
    }
    t.insts = insts;
    t.exits = exits;
    t.snapshots = snaps;
    if !t.exit_facts.is_empty() {
        let mut facts = vec![Vec::new(); t.exits.len()];
        for (old, &new) in exit_map.iter().enumerate() {
            if new != u32::MAX {
                facts[new as usize] = core::mem::take(&mut t.exit_facts[old]);
            }
        }
        t.exit_facts = facts;
    }
}
