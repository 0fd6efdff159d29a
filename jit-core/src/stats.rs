//! Counters the engine keeps about what it did, for `--stats` and `--stats-json`.

use alloc::string::String;
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
