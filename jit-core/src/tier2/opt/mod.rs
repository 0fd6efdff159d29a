//! The tier-2 optimizer: abstract interpretation of a trace over a type lattice, and
//! the passes built on it.
//!
//! A projected trace checks every type again at every use and restarts each loop
//! iteration from the frame's memory. The optimizer runs it once, abstractly: a forward
//! walk (`absint.rs`) gives every SSA value an abstract value on the lattice
//! (`lattice.rs`), the transfer functions coming from the uop table's signatures (a
//! uop's output type, what a guard `proves`). The passes decide what to do with the
//! facts, each in its own file and each switchable (`--opt`, [`Passes`]):
//!
//! - `peel` (`peel.rs`): loop peeling in LuaJIT's way. The loop body is emitted twice:
//!   once as a preamble, then again as the loop proper, its slot reads replaced by the
//!   preamble's values or by `PHI`s for the loop-carried ones. Everything the preamble
//!   established (types, constants, checked calls) holds in the loop, so its guards and
//!   loads go, and the loop no longer writes its locals back every iteration.
//! - `guards` (`guards.rs`): a guard whose fact is already established is removed.
//! - `consts` (`consts.rs`): constants propagate and fold (arithmetic, comparisons,
//!   identities, duplicate constants, globals the trace does not store, which become
//!   assumptions the VM watches).
//! - `bounds` (`bounds.rs`): int ranges from comparisons the trace branched on; an
//!   arithmetic uop whose result provably stays inline loses its overflow exit, and an
//!   index proven within a sequence's known length loses its bounds guard.
//! - `unbox` (`unbox.rs`): int and float arithmetic, and the PHIs carrying it, on raw
//!   `i64` and `f64` values; boxed only where they escape (an exit's snapshot boxes them
//!   as it writes them back).
//! - `dce` (`dce.rs`): uops whose results nothing uses, exits nothing takes, and
//!   snapshots nothing writes.
//!
//! A contradiction (a guard that could never pass, bottom on the lattice) abandons the
//! optimization: the unoptimized trace runs instead, and the statistics count it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use super::project::Cx;
use super::{Inst, Trace};

mod absint;
mod bounds;
mod consts;
mod dce;
mod guards;
pub mod lattice;
mod peel;
mod unbox;

/// A set of optimizer passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Passes(u8);

impl Passes {
    /// Loop peeling.
    pub const PEEL: Passes = Passes(1);
    /// Guard elimination.
    pub const GUARDS: Passes = Passes(2);
    /// Constant propagation and folding.
    pub const CONSTS: Passes = Passes(4);
    /// Overflow- and bounds-check elimination.
    pub const BOUNDS: Passes = Passes(8);
    /// Dead-code elimination.
    pub const DCE: Passes = Passes(16);
    /// Unboxing.
    pub const UNBOX: Passes = Passes(32);
    /// Bounds checks moved before loops (part of `BOUNDS`' work, off alone when such a
    /// check keeps failing: the executor then optimizes the loop again without it).
    pub const HOIST: Passes = Passes(64);
    /// No pass.
    pub const NONE: Passes = Passes(0);
    /// Every pass.
    pub const ALL: Passes = Passes(127);

    /// Every pass by its command-line name, with what it does.
    pub const NAMES: [(&'static str, Passes, &'static str); 7] = [
        (
            "peel",
            Passes::PEEL,
            "loop peeling: a preamble, then the loop with PHIs",
        ),
        (
            "guards",
            Passes::GUARDS,
            "removes guards whose fact is established",
        ),
        (
            "consts",
            Passes::CONSTS,
            "constant propagation and folding, constant globals",
        ),
        (
            "bounds",
            Passes::BOUNDS,
            "overflow- and bounds-check elimination by int ranges",
        ),
        (
            "hoist",
            Passes::HOIST,
            "a loop's bounds checks moved before it (with bounds)",
        ),
        (
            "unbox",
            Passes::UNBOX,
            "int and float arithmetic on raw i64 and f64",
        ),
        (
            "dce",
            Passes::DCE,
            "removes unused uops, exits and snapshots",
        ),
    ];

    /// True when every pass of `p` is in the set.
    pub const fn has(self, p: Passes) -> bool {
        self.0 & p.0 == p.0
    }

    /// The set with `p` on or off.
    pub const fn with(self, p: Passes, on: bool) -> Passes {
        if on {
            Passes(self.0 | p.0)
        } else {
            Passes(self.0 & !p.0)
        }
    }

    /// Parses `--opt`'s argument: comma-separated items applied left to right, starting
    /// from every pass: `all`, `none`, `NAME` (turn one on) or `-NAME` (turn one off).
    pub fn parse(spec: &str) -> Result<Passes, String> {
        let mut p = Passes::ALL;
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (on, name) = match item.strip_prefix('-') {
                Some(n) => (false, n),
                None => (true, item),
            };
            p = match (name, on) {
                ("all", true) => Passes::ALL,
                ("none", true) => Passes::NONE,
                _ => match Passes::NAMES.iter().find(|(n, _, _)| *n == name) {
                    Some(&(_, pass, _)) => p.with(pass, on),
                    None => {
                        let names: Vec<&str> = Passes::NAMES.iter().map(|n| n.0).collect();
                        return Err(alloc::format!(
                            "unknown optimizer pass `{item}` (expected all, none, or a pass \
                             name with an optional `-`: {})",
                            names.join(", ")
                        ));
                    }
                },
            };
        }
        Ok(p)
    }

    /// The names of the passes in the set, for dumps.
    pub fn names(self) -> Vec<&'static str> {
        Passes::NAMES
            .iter()
            .filter(|(_, p, _)| self.has(*p))
            .map(|(n, _, _)| *n)
            .collect()
    }
}

impl Default for Passes {
    fn default() -> Passes {
        Passes::ALL
    }
}

/// How tier 2 optimizes: the passes (`--opt`) and whether to dump each trace before and
/// after (`--dump opt`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OptConfig {
    /// The passes that run.
    pub passes: Passes,
    /// Dump every trace before and after optimization, with what each pass removed.
    pub dump: bool,
}

/// A uop a pass removed or rewrote, for `--dump opt`.
#[derive(Clone, Debug)]
pub(crate) struct Removed {
    /// The pass.
    pub pass: &'static str,
    /// The uop as it was (its inputs renamed to the optimized trace's values).
    pub inst: Inst,
    /// What became of it.
    pub what: &'static str,
}

/// Static counts of a trace, before or after optimization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Uops.
    pub uops: u64,
    /// Guard uops among them.
    pub guards: u64,
}

impl Counts {
    /// The counts of `t`.
    pub fn of(t: &Trace) -> Counts {
        Counts {
            uops: t.insts.len() as u64,
            guards: t.insts.iter().filter(|i| i.op.is_guard()).count() as u64,
        }
    }
}

/// Why the optimizer gave a trace up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Contradiction {
    /// The guard (its index in the walked trace) that could never pass.
    pub at: usize,
}

/// Optimizes `trace` with `passes`. A side trace passes the assumptions the VM watches
/// for its loop (`watched`), the only ones it may rely on, and what its parent knew of the
/// slots at its exit (`entry`, which its slot loads start from). `Err` when the lattice found a
/// contradiction (a guard that can never pass): the caller keeps the unoptimized trace.
pub(crate) fn optimize<'a>(
    trace: &Trace,
    cx: &'a Cx<'a>,
    passes: Passes,
    watched: Option<&'a [super::Assumption]>,
    entry: &'a [(u32, lattice::Abs)],
) -> Result<(Trace, Vec<Removed>), Contradiction> {
    let peeled = if passes.has(Passes::PEEL) {
        peel::peel(trace)
    } else {
        None
    };
    let input = peeled.as_ref().unwrap_or(trace);
    let walked = absint::run(input, cx, passes, watched, entry)?;
    let (mut out, mut removed) = (walked.trace, walked.removed);
    if passes.has(Passes::UNBOX) {
        unbox::run(&mut out, &walked.abs, &walked.phi_abs, &mut removed);
    }
    if passes.has(Passes::DCE) {
        dce::run(&mut out, &mut removed);
    }
    Ok((out, removed))
}

/// Writes `--dump opt`'s report of one trace: the passes, what each removed or
/// rewrote, and the counts before and after.
pub(crate) fn print_report(
    passes: Passes,
    before: Counts,
    after: Counts,
    removed: &[Removed],
    out: &mut String,
) {
    let _ = writeln!(out, "  passes: {}", passes.names().join(", "));
    for r in removed {
        let _ = write!(out, "  {:<7} {:<10} ", r.pass, r.what);
        super::text::print_inst(&r.inst, out);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "  uops {} -> {}, guards {} -> {}",
        before.uops, after.uops, before.guards, after.guards
    );
}

/// Optimizes a freshly projected trace by `cfg`, counts it in `stats` and dumps it to
/// `log` (as trace `index` of its loop): the trace to run, which is the unoptimized one
/// when the optimizer found a contradiction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish<'a>(
    trace: Trace,
    cx: &'a Cx<'a>,
    watched: Option<&'a [super::Assumption]>,
    entry: &'a [(u32, lattice::Abs)],
    cfg: OptConfig,
    stats: &mut crate::stats::Stats,
    clock: Option<fn() -> u64>,
    log: Option<&mut String>,
    index: u32,
) -> Trace {
    let before = Counts::of(&trace);
    let t0 = clock.map(|c| c());
    let result = if cfg.passes == Passes::NONE {
        Ok((trace.clone(), Vec::new()))
    } else {
        optimize(&trace, cx, cfg.passes, watched, entry)
    };
    if let (Some(c), Some(t0)) = (clock, t0) {
        stats.optimizer.optimize_ns += c().saturating_sub(t0);
    }
    let (out, removed, gave_up) = match result {
        Ok((t, r)) => (t, r, None),
        Err(c) => {
            stats.optimizer.abandoned += 1;
            (trace.clone(), Vec::new(), Some(c))
        }
    };
    let after = Counts::of(&out);
    stats.optimizer.traces.push(crate::stats::OptTrace {
        origin: out.origin.clone(),
        side: out.kind != super::TraceKind::Root,
        uops_before: before.uops,
        uops_after: after.uops,
        guards_before: before.guards,
        guards_after: after.guards,
    });
    if let Some(log) = log {
        if cfg.dump {
            log.push_str("-- before optimization --\n");
            super::text::print_trace(&trace, index, cx.module, cx.heap, log);
            print_report(cfg.passes, before, after, &removed, log);
            if let Some(c) = gave_up {
                let _ = writeln!(
                    log,
                    "  abandoned: uop {} can never pass; the trace runs unoptimized",
                    c.at
                );
            }
            log.push_str("-- after optimization --\n");
        }
        super::text::print_trace(&out, index, cx.module, cx.heap, log);
    }
    out
}

/// Optimizes a trace given in its text form (as `--dump uops` prints it) with `passes`,
/// against globals holding `globals`, and returns what `--dump opt` would show: what each
/// pass removed, the counts, and the optimized trace. For golden tests and for
/// experimenting with the optimizer without a program. The text's constants are numbers,
/// bools and nil; there are no code objects behind it.
pub fn optimize_text(
    text: &str,
    passes: Passes,
    globals: &[crate::value::Value],
) -> Result<String, String> {
    let trace = super::parse_trace(text).map_err(|e| alloc::format!("{e}"))?;
    let module = crate::bytecode::Module {
        file_name: String::new(),
        codes: Vec::new(),
        global_names: Vec::new(),
        global_init: Vec::new(),
        entry: 0,
    };
    // SAFETY: no object value ever meets this heap: parsed constants and the caller's
    // globals are immediates (`Abs::constant` asks the heap only about objects), and it
    // is dropped at the end of this call.
    let heap = unsafe { crate::heap::Heap::new() };
    if let Some(g) = globals.iter().find(|g| g.is_object()) {
        return Err(alloc::format!(
            "global {g:?} is an object; only immediates are allowed"
        ));
    }
    let cx = Cx {
        module: &module,
        heap: &heap,
        globals,
    };
    let before = Counts::of(&trace);
    let mut out = String::new();
    match optimize(&trace, &cx, passes, None, &[]) {
        Ok((t, removed)) => {
            print_report(passes, before, Counts::of(&t), &removed, &mut out);
            out.push_str(&super::print_trace_plain(&t, 0));
        }
        Err(c) => {
            let _ = writeln!(out, "  abandoned: uop {} can never pass", c.at);
        }
    }
    Ok(out)
}
