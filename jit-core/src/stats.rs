//! Counters the engine keeps about what it did, for `--stats` and `--stats-json`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::heap::GcStats;

/// The tier-1 specialization families, in report order: derived from the instruction
/// table (every generic instruction with specialized forms or superinstructions).
pub use crate::optable::STATS_FAMILIES as FAMILIES;

/// Index of `op`'s family in [`FAMILIES`] (see [`crate::optable::stats_index`]).
pub use crate::optable::stats_index as family_index;

/// Tier-1 counters for one family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FamilyStats {
    /// Times a generic instruction was rewritten into a specialized form.
    pub specializations: u64,
    /// Specialization attempts that found no form for the operands seen.
    pub failures: u64,
    /// Executions of a specialized form whose guard held (counted with `--stats` only).
    pub hits: u64,
    /// Executions of a specialized form whose guard failed.
    pub misses: u64,
    /// Times a specialized form was rewritten back to the generic one.
    pub despecializations: u64,
}

/// Why a tier-2 trace was left: the reasons of [`Tier2Stats::exits_by_reason`].
pub const EXIT_REASONS: [&str; 7] = [
    "guard",
    "branch",
    "overflow",
    "error",
    "stop",
    "invalidated",
    "hoisted",
];

/// Tier-2 counters (`--mode uops`; always counted, the uop interpreter is not the fast
/// path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tier2Stats {
    /// Root traces projected and installed at a loop header.
    pub traces: u64,
    /// Side traces projected from hot exits and linked to them.
    pub side_traces: u64,
    /// Projections abandoned (the loop stays in tier 1 and is offered again later).
    pub aborted: u64,
    /// Traces invalidated because an assumption they recorded changed.
    pub invalidations: u64,
    /// Exits taken (back to tier 1 or into a linked side trace).
    pub exits_taken: u64,
    /// Uops the uop interpreter executed.
    pub uops_executed: u64,
    /// Guard uops among them.
    pub guards_executed: u64,
    /// Exits taken, by reason, in [`EXIT_REASONS`] order.
    pub exits_by_reason: [u64; EXIT_REASONS.len()],
    /// Nanoseconds spent projecting traces (0 when the embedder gave no clock).
    pub projection_ns: u64,
}

impl Tier2Stats {
    /// The `"tier2"` object of the stats JSON.
    pub fn json(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"traces\": {}, \"side_traces\": {}, \"aborted\": {}, \"invalidations\": {}, \"exits_taken\": {}, \"uops_executed\": {}, \"guards_executed\": {}, \"projection_ns\": {}, \"exits_by_reason\": {{",
            self.traces,
            self.side_traces,
            self.aborted,
            self.invalidations,
            self.exits_taken,
            self.uops_executed,
            self.guards_executed,
            self.projection_ns
        );
        for (i, (r, n)) in EXIT_REASONS.iter().zip(self.exits_by_reason).enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "\"{r}\": {n}");
        }
        s.push_str("}}");
        s
    }

    /// The human-readable lines of `--stats`.
    pub fn render(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "tier2: {} traces, {} side traces, {} aborted, {} invalidated, projecting {:.6} s",
            self.traces,
            self.side_traces,
            self.aborted,
            self.invalidations,
            self.projection_ns as f64 / 1e9
        );
        let _ = writeln!(
            s,
            "tier2: {} uops executed ({} guards), {} exits taken",
            self.uops_executed, self.guards_executed, self.exits_taken
        );
        let _ = write!(s, "tier2 exits by reason:");
        for (r, n) in EXIT_REASONS.iter().zip(self.exits_by_reason) {
            let _ = write!(s, " {r} {n}");
        }
        s.push('\n');
    }
}

/// The optimizer's static counts for one trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptTrace {
    /// Where the trace came from (`function:line`).
    pub origin: String,
    /// A side trace (otherwise a loop's root trace).
    pub side: bool,
    /// Uops before optimization.
    pub uops_before: u64,
    /// Uops after.
    pub uops_after: u64,
    /// Guard uops before optimization.
    pub guards_before: u64,
    /// Guard uops after.
    pub guards_after: u64,
}

/// What the tier-2 optimizer did (`--mode uops`): static counts per trace and in total.
/// The dynamic counts, what actually ran, are [`Tier2Stats::uops_executed`] and
/// [`Tier2Stats::guards_executed`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptStats {
    /// Traces optimized.
    pub traces: Vec<OptTrace>,
    /// Traces whose optimization found a contradiction (a guard that can never pass) and
    /// was abandoned: they run unoptimized.
    pub abandoned: u64,
    /// Nanoseconds spent optimizing (0 when the embedder gave no clock).
    pub optimize_ns: u64,
}

impl OptStats {
    /// The totals over every trace: uops and guards, before and after.
    pub fn totals(&self) -> [u64; 4] {
        self.traces.iter().fold([0; 4], |t, x| {
            [
                t[0] + x.uops_before,
                t[1] + x.uops_after,
                t[2] + x.guards_before,
                t[3] + x.guards_after,
            ]
        })
    }

    /// The `"optimizer"` object of the stats JSON.
    pub fn json(&self) -> String {
        let t = self.totals();
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"uops_before\": {}, \"uops_after\": {}, \"guards_before\": {}, \"guards_after\": {}, \"abandoned\": {}, \"optimize_ns\": {}, \"traces\": [",
            t[0], t[1], t[2], t[3], self.abandoned, self.optimize_ns
        );
        for (i, x) in self.traces.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(
                s,
                "{{\"origin\": \"{}\", \"kind\": \"{}\", \"uops_before\": {}, \"uops_after\": {}, \"guards_before\": {}, \"guards_after\": {}}}",
                x.origin.replace('\\', "\\\\").replace('"', "\\\""),
                if x.side { "side" } else { "root" },
                x.uops_before,
                x.uops_after,
                x.guards_before,
                x.guards_after
            );
        }
        s.push_str("]}");
        s
    }

    /// The human-readable line of `--stats`.
    pub fn render(&self, s: &mut String) {
        let t = self.totals();
        let _ = writeln!(
            s,
            "optimizer: {} traces, uops {} -> {}, guards {} -> {}, {} abandoned, optimizing {:.6} s",
            self.traces.len(),
            t[0],
            t[1],
            t[2],
            t[3],
            self.abandoned,
            self.optimize_ns as f64 / 1e9
        );
    }
}

/// What a native backend did (`--mode stencil`): the traces it compiled, their code, and
/// the time it took.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NativeStats {
    /// The backend's name (`stencil`), empty when none compiled anything.
    pub backend: &'static str,
    /// Traces compiled (root and side traces).
    pub traces_compiled: u64,
    /// Uops compiled.
    pub uops_compiled: u64,
    /// Of them, those with code of their own (a stencil of their own; Cranelift IR of
    /// their own).
    pub own_code_uops: u64,
    /// Of them, those run through the core's semantics of the one uop (the generic
    /// stencil; a call of the step helper).
    pub generic_uops: u64,
    /// Stencils copied (uops, moves, counters, stubs).
    pub stencils: u64,
    /// Holes patched.
    pub holes_patched: u64,
    /// Bytes of code written (with the traces' read-only data and veneers).
    pub code_bytes: u64,
    /// Bytes of live code in executable memory at the last compile (freed traces no
    /// longer count), and the padding after it (pieces are aligned), in the regions
    /// mapped (shared by many traces).
    pub live_code_bytes: u64,
    /// See `live_code_bytes`.
    pub padding_bytes: u64,
    /// See `live_code_bytes`.
    pub mapped_bytes: u64,
    /// Nanoseconds spent compiling, all of it (0 when the embedder gave no clock).
    pub compile_ns: u64,
    /// Of them, the time the code arena took to map memory and change its protection
    /// (system calls, amortized over the traces that share a region).
    pub memory_ns: u64,
    /// Per trace compiled, nanoseconds per uop spent making its code (for the stencil
    /// backend, copying and patching: choosing each uop's stencils, copying them and
    /// filling their holes), the compile time without `memory_ns`.
    pub ns_per_uop: Vec<f64>,
    /// When another backend compiled the same traces for comparison
    /// (`jit_core::native::Compare`, `--compare-compile`): its name, else empty.
    pub compared: &'static str,
    /// Its nanoseconds per uop, trace by trace as `ns_per_uop`.
    pub compared_ns_per_uop: Vec<f64>,
}

impl NativeStats {
    /// The median of [`NativeStats::ns_per_uop`] (0 when nothing was timed).
    pub fn median_ns_per_uop(&self) -> f64 {
        median(&self.ns_per_uop)
    }

    /// The median of [`NativeStats::compared_ns_per_uop`].
    pub fn compared_median_ns_per_uop(&self) -> f64 {
        median(&self.compared_ns_per_uop)
    }

    /// The backend's object of the stats JSON (`"stencil": {..}`).
    pub fn json(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"traces_compiled\": {}, \"uops_compiled\": {}, \"own_code_uops\": {}, \"generic_uops\": {}, \"stencils\": {}, \"holes_patched\": {}, \"code_bytes\": {}, \"live_code_bytes\": {}, \"padding_bytes\": {}, \"mapped_bytes\": {}, \"compile_ns\": {}, \"memory_ns\": {}, \"mean_ns_per_trace\": {:.0}, \"median_ns_per_uop\": {:.1}, \"ns_per_uop\": [",
            self.traces_compiled,
            self.uops_compiled,
            self.own_code_uops,
            self.generic_uops,
            self.stencils,
            self.holes_patched,
            self.code_bytes,
            self.live_code_bytes,
            self.padding_bytes,
            self.mapped_bytes,
            self.compile_ns,
            self.memory_ns,
            self.compile_ns as f64 / self.traces_compiled.max(1) as f64,
            self.median_ns_per_uop()
        );
        list(&mut s, &self.ns_per_uop);
        s.push(']');
        if !self.compared.is_empty() {
            let _ = write!(
                s,
                ", \"compared\": {{\"backend\": \"{}\", \"median_ns_per_uop\": {:.1}, \"ns_per_uop\": [",
                self.compared,
                self.compared_median_ns_per_uop()
            );
            list(&mut s, &self.compared_ns_per_uop);
            s.push_str("]}");
        }
        s.push('}');
        s
    }

    /// Appends the human-readable lines.
    pub fn render(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "{}: {} traces compiled, {} uops ({} with code of their own, {} generic), {}{} bytes",
            self.backend,
            self.traces_compiled,
            self.uops_compiled,
            self.own_code_uops,
            self.generic_uops,
            if self.stencils > 0 {
                alloc::format!("{} stencils, {} holes, ", self.stencils, self.holes_patched)
            } else {
                String::new()
            },
            self.code_bytes
        );
        let _ = writeln!(
            s,
            "{}: executable memory: {} bytes of live code, {} of padding, {} mapped",
            self.backend, self.live_code_bytes, self.padding_bytes, self.mapped_bytes
        );
        let _ = writeln!(
            s,
            "{}: compile {:.6} s ({:.6} s mapping and protecting memory), code: median {:.1} ns per uop",
            self.backend,
            self.compile_ns as f64 / 1e9,
            self.memory_ns as f64 / 1e9,
            self.median_ns_per_uop()
        );
        if !self.compared.is_empty() {
            let (a, b) = (self.median_ns_per_uop(), self.compared_median_ns_per_uop());
            let _ = writeln!(
                s,
                "{}: the same traces through {}: median {:.1} ns per uop ({})",
                self.backend,
                self.compared,
                b,
                if a >= b {
                    alloc::format!("{:.1}x faster", a / b.max(1e-9))
                } else {
                    alloc::format!("{:.1}x slower", b / a.max(1e-9))
                }
            );
        }
    }
}

/// The median of `v` (0 when empty).
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Appends `v` as JSON numbers, comma-separated.
fn list(s: &mut String, v: &[f64]) {
    for (i, x) in v.iter().enumerate() {
        let _ = write!(s, "{}{x:.1}", if i > 0 { ", " } else { "" });
    }
}

/// Everything the engine counts.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Per family, in [`FAMILIES`] order.
    pub tier1: [FamilyStats; crate::optable::N_STATS_FAMILIES],
    /// Bytecode instructions executed (counted with `--stats` only).
    pub instructions: u64,
    /// Guest function calls.
    pub calls: u64,
    /// Times a loop's back edge counted down to hot (tier 1 only).
    pub hot_loops: u64,
    /// Executors the attached backend installed.
    pub executors: u64,
    /// Entries into compiled code.
    pub executor_entries: u64,
    /// Instructions at which the operand stack was not as deep as the verifier's depth
    /// table says (checked with `--stats`; always zero unless the engine has a bug).
    pub depth_mismatches: u64,
    /// The deepest call nesting reached.
    pub max_depth: usize,
    /// Tier 2's counters.
    pub tier2: Tier2Stats,
    /// The tier-2 optimizer's counts.
    pub optimizer: OptStats,
    /// The native backend's counts.
    pub native: NativeStats,
    /// The collector's counters, copied at the end of a run.
    pub gc: GcStats,
}

impl Stats {
    /// A human-readable summary.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "instructions executed: {}", self.instructions);
        let _ = writeln!(
            s,
            "guest calls: {} (max depth {})",
            self.calls, self.max_depth
        );
        let _ = writeln!(
            s,
            "loops: {} hot, {} executors, {} entries into compiled code",
            self.hot_loops, self.executors, self.executor_entries
        );
        let _ = writeln!(
            s,
            "stack depths differing from the verifier's: {}",
            self.depth_mismatches
        );
        if self.tier2 != Tier2Stats::default() {
            self.tier2.render(&mut s);
        }
        if self.optimizer != OptStats::default() {
            self.optimizer.render(&mut s);
        }
        if self.native.traces_compiled > 0 {
            self.native.render(&mut s);
        }
        let _ = writeln!(
            s,
            "gc: {} allocations, {} collections, {} freed, peak live {} bytes",
            self.gc.allocations, self.gc.collections, self.gc.freed, self.gc.peak_live_bytes
        );
        let _ = writeln!(
            s,
            "tier1 {:<14} {:>11} {:>9} {:>14} {:>12} {:>8}",
            "family", "specialized", "failed", "hits", "misses", "deopts"
        );
        for (f, st) in FAMILIES.iter().zip(self.tier1.iter()) {
            let _ = writeln!(
                s,
                "tier1 {:<14} {:>11} {:>9} {:>14} {:>12} {:>8}",
                f.name(),
                st.specializations,
                st.failures,
                st.hits,
                st.misses,
                st.despecializations
            );
        }
        s
    }

    /// The `"tier1"` object of the stats JSON.
    pub fn tier1_json(&self) -> String {
        let mut s = String::from("{");
        for (i, (f, st)) in FAMILIES.iter().zip(self.tier1.iter()).enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(
                s,
                "\"{}\": {{\"specializations\": {}, \"failures\": {}, \"hits\": {}, \"misses\": {}, \"despecializations\": {}}}",
                f.name(),
                st.specializations,
                st.failures,
                st.hits,
                st.misses,
                st.despecializations
            );
        }
        s.push('}');
        s
    }
}
