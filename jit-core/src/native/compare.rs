//! [`Compare`]: two backends compiling the same traces in one process, for compile-time
//! comparisons (`cargo xtask run --compare-compile`, the bench's compile-speed table).
//! The first backend's code runs; the second compiles every trace too, just before it,
//! and its code is freed at once. Its nanoseconds per uop go to
//! `NativeStats::compared_ns_per_uop`, trace by trace beside the first one's.

use alloc::rc::Rc;

use super::arena::ArenaStats;
use super::{CodeHandle, Compiled, EnterFn, Listener, TraceCompiler, TraceEnv};
use crate::stats::Stats;
use crate::tier2::tree::Node;

/// Runs `A`'s code; times `B` on the same traces.
pub struct Compare<A, B> {
    run: A,
    other: B,
}

impl<A: TraceCompiler, B: TraceCompiler> Compare<A, B> {
    /// `run`'s code runs, `other` compiles the same traces for the comparison.
    pub fn new(run: A, other: B) -> Self {
        Compare { run, other }
    }
}

impl<A: TraceCompiler, B: TraceCompiler> TraceCompiler for Compare<A, B> {
    fn name(&self) -> &'static str {
        self.run.name()
    }

    fn enter_fn(&self) -> EnterFn {
        self.run.enter_fn()
    }

    fn compile(
        &mut self,
        executor: &str,
        ti: usize,
        node: &Rc<Node>,
        env: &TraceEnv,
        stats: &mut Stats,
        clock: Option<fn() -> u64>,
    ) -> Option<Compiled> {
        // The other backend first, so that it does not find the trace in the caches
        // warmed by the one that runs. Its counters go to a scratch block.
        let t0 = clock.map(|c| c());
        let mut scratch = Stats::default();
        let other = self
            .other
            .compile(executor, ti, node, env, &mut scratch, clock);
        let spent = match (clock, t0) {
            (Some(c), Some(t0)) => c().saturating_sub(t0),
            _ => 0,
        };
        if let Some(o) = other {
            let uops = node.trace.insts.len().max(1) as f64;
            let ns = spent.saturating_sub(o.memory_ns) as f64 / uops;
            stats.native.compared = self.other.name();
            stats.native.compared_ns_per_uop.push(ns);
            self.other.free(o.code);
        }
        let mut made = self.run.compile(executor, ti, node, env, stats, clock)?;
        made.other_ns += spent;
        Some(made)
    }

    fn free(&mut self, code: CodeHandle) {
        self.run.free(code);
    }

    fn arena_stats(&self) -> ArenaStats {
        self.run.arena_stats()
    }

    fn set_listener(&mut self, f: Listener) {
        self.run.set_listener(f);
    }
}
