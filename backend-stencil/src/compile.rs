//! Trace compilation: turns one trace of a tree into the steps the patcher lays out,
//! one or more stencils per uop, then exit stubs and out-of-line slow paths.
//!
//! ```text
//! [count] uop 0 .. uop k | JUMP_LOOP [phi moves] jump | exit stubs, shared exit | loop_slow stubs | bug stub
//! ```
//!
//! Every uop gets its own stencil when `stencils/uops.rs` has one (`uop_NAME`, or
//! `uop_NAME__Lt` for a compare's variant), and its generic stencil otherwise, which
//! calls [`jit_core::tier2::step`] for that one uop. Values live in the register file,
//! one word per SSA value as in the uop interpreter, so a trace's code and the exit path
//! agree on where each value is. A failing uop jumps straight to its exit's stub, which
//! puts which exit it was in a slot and jumps to the trace's shared exit: that enters
//! the exit's side trace directly once one is linked, or returns the exit to the
//! executor, which asks the tree where to go on.

use alloc::vec::Vec;

use jit_core::bytecode::{BinOp, CmpOp};
use jit_core::tier2::table::Uop;
use jit_core::tier2::tree::Node;
use jit_core::tier2::{NO_EXIT, V};

use crate::patch::{Step, Target};
use crate::stencil::{self, Stencil};

pub use jit_core::native::{
    ret, LEAVE_INVALID, LEAVE_RAISED, RET_BUG, RET_EXIT, RET_KIND, RET_LEAVE,
};

/// The stencils a trace is built from, looked up once.
#[derive(Debug)]
pub struct UopStencils {
    /// Each uop's own stencil (by `Uop as usize`), if it has one.
    native: Vec<Option<&'static Stencil>>,
    /// Each uop's generic stencil.
    generic: Vec<&'static Stencil>,
    /// The variants of the uops that have them, by uop, then by immediate:
    /// `uop_NAME__V`, `V` the immediate's `CmpOp` (compares) or `BinOp` (arithmetic).
    variants: Vec<Vec<Option<&'static Stencil>>>,
    looped: &'static Stencil,
    jump_loop: &'static Stencil,
    loop_slow: &'static Stencil,
    phi: &'static Stencil,
    jump: &'static Stencil,
    exit_stub: &'static Stencil,
    exit_to: &'static Stencil,
    exit_shared: &'static Stencil,
    count: &'static Stencil,
}

impl UopStencils {
    /// The table's stencils; `None` when this build has none (not x86-64 Linux).
    pub fn load() -> Option<UopStencils> {
        if !stencil::supported() {
            return None;
        }
        let named = |name: &str| stencil::get(name);
        let mut native = Vec::new();
        let mut generic = Vec::new();
        let mut variants = Vec::new();
        for op in Uop::ALL {
            native.push(named(&alloc::format!("uop_{}", op.name())));
            generic.push(named(&alloc::format!("generic_{}", op.name()))?);
            let variant =
                |v: &dyn core::fmt::Debug| named(&alloc::format!("uop_{}__{v:?}", op.name()));
            let by_imm: Vec<Option<&'static Stencil>> = (0..BinOp::ALL.len().max(CmpOp::ALL.len()))
                .map(|k| {
                    let cmp = CmpOp::ALL.get(k).and_then(|c| variant(c));
                    cmp.or_else(|| BinOp::ALL.get(k).and_then(|b| variant(b)))
                })
                .collect();
            variants.push(if by_imm.iter().any(Option::is_some) {
                by_imm
            } else {
                Vec::new()
            });
        }
        Some(UopStencils {
            native,
            generic,
            variants,
            looped: named("uop_LOOP")?,
            jump_loop: named("uop_JUMP_LOOP")?,
            loop_slow: named("loop_slow")?,
            phi: named("uop_PHI")?,
            jump: named("jump")?,
            exit_stub: named("exit_stub")?,
            exit_to: named("exit_to")?,
            exit_shared: named("exit_shared")?,
            count: named("count")?,
        })
    }

    /// The stencil `op` runs with immediate `imm`: its own (or its variant's for `imm`),
    /// else its generic one.
    fn of(&self, op: Uop, imm: u32) -> (&'static Stencil, bool) {
        let k = op as usize;
        let own = if self.variants[k].is_empty() {
            self.native[k]
        } else {
            self.variants[k].get(imm as usize).copied().flatten()
        };
        match own {
            Some(s) => (s, true),
            None => (self.generic[k], false),
        }
    }
}

/// What a trace's code refers to besides its own steps.
pub use jit_core::native::TraceEnv as Env;

/// The operands of the stencils that call the loop helper at uop `i` of trace `ti`
/// (`uop_LOOP`, `loop_slow`): the helper, the trace, the uop, the validity flag, and
/// what the trace returns when it leaves there.
fn loop_ops(env: &Env, node_addr: u64, ti: usize, i: usize) -> [u64; 6] {
    let leave = ret(RET_LEAVE, ti, i);
    [env.loop_helper, node_addr, i as u64, env.valid, leave, 0]
}
/// Where a step's jump or exit goes before the stubs' places are known.
#[derive(Clone, Copy, Debug)]
enum To {
    Step(usize),
    Addr(usize),
    ExitStub(u32),
    SlowStub(usize),
    Bug,
}

/// One step before layout.
#[derive(Clone, Copy, Debug)]
struct Item {
    stencil: &'static Stencil,
    ops: [u64; 6],
    jump: Option<To>,
    exit: Option<To>,
}

/// Builds traces' steps; keeps its buffers from one trace to the next.
#[derive(Debug, Default)]
pub struct Builder {
    items: Vec<Item>,
    /// Each uop's first step.
    first: Vec<usize>,
    /// `JUMP_LOOP` uops: (their index, the step of their PHI moves).
    slow: Vec<(usize, usize)>,
    /// Where the stubs start: exit stubs, slow paths, the bug report.
    stubs: [usize; 3],
    /// How many registers past the trace's values the PHI moves use.
    pub temps: usize,
    /// Uops compiled to their own stencil / to the generic one, last trace.
    pub native: usize,
    /// See `native`.
    pub generic: usize,
}

impl Builder {
    /// Lays out trace `ti` of a tree (`node`, at address `node_addr` for the helpers) as
    /// steps, and hands them to `emit`.
    pub fn build<R>(
        &mut self,
        st: &UopStencils,
        ti: usize,
        node: &Node,
        node_addr: u64,
        env: &Env,
        emit: impl FnOnce(&[Step<'_>]) -> R,
    ) -> R {
        let t = &node.trace;
        self.items.clear();
        self.first.clear();
        self.slow.clear();
        self.temps = 0;
        self.native = 0;
        self.generic = 0;
        let exit_of = |e: u32| {
            if e == NO_EXIT {
                To::Bug
            } else {
                To::ExitStub(e)
            }
        };
        for (i, inst) in t.insts.iter().enumerate() {
            self.first.push(self.items.len());
            if let Some(c) = env.counters {
                let ops = [c, 1, u64::from(inst.op.is_guard()), 0, 0, 0];
                self.items.push(Item {
                    stencil: st.count,
                    ops,
                    jump: None,
                    exit: None,
                });
            }
            let reg = |v: V| if v == V::NONE { 0 } else { u64::from(v.0) };
            match inst.op {
                Uop::LOOP | Uop::JUMP_ROOT => {
                    self.native += 1;
                    let ops = loop_ops(env, node_addr, ti, i);
                    let to_root = match env.root {
                        Some(a) if ti != 0 => To::Addr(a),
                        _ => To::Step(0),
                    };
                    self.items.push(Item {
                        stencil: st.looped,
                        ops,
                        jump: Some(to_root),
                        exit: None,
                    });
                }
                Uop::JUMP_LOOP => {
                    self.native += 1;
                    let moves = self.items.len() + 1;
                    self.slow.push((i, moves));
                    self.items.push(Item {
                        stencil: st.jump_loop,
                        ops: [0, 0, 0, env.valid, 0, 0],
                        jump: None,
                        exit: Some(To::SlowStub(self.slow.len() - 1)),
                    });
                    self.phi_moves(st, t, inst.imm[2] as usize);
                    let body = inst.imm[2] as usize + phis(t, inst.imm[2] as usize).count();
                    self.items.push(Item {
                        stencil: st.jump,
                        ops: [0; 6],
                        jump: Some(To::Step(self.first[body])),
                        exit: None,
                    });
                }
                op => {
                    let (stencil, own) = st.of(op, inst.imm[0]);
                    let ops = if own {
                        self.native += 1;
                        let aux = match op {
                            Uop::CONST => t.consts[inst.imm[0] as usize].to_bits(),
                            Uop::CONST_I64 => {
                                t.consts[inst.imm[0] as usize].small_int_unchecked() as u64
                            }
                            Uop::CONST_F64 => {
                                t.consts[inst.imm[0] as usize].float_unchecked().to_bits()
                            }
                            Uop::CHECK_VALID => env.valid,
                            _ => u64::from(inst.imm[0]),
                        };
                        let [a, b, c] = inst.args.map(reg);
                        [reg(inst.out), a, b, c, aux, 0]
                    } else {
                        self.generic += 1;
                        [
                            jit_core::native::step_helper_of(op),
                            node_addr,
                            i as u64,
                            0,
                            0,
                            0,
                        ]
                    };
                    self.items.push(Item {
                        stencil,
                        ops,
                        jump: None,
                        exit: Some(exit_of(inst.exit)),
                    });
                }
            }
        }
        // The stubs: one per exit, then the slow paths, then the bug report.
        let exits = self.items.len();
        let shared = exits + t.exits.len();
        for e in 0..t.exits.len() {
            self.items.push(Item {
                stencil: st.exit_to,
                ops: [ret(RET_EXIT, ti, e), 0, 0, 0, 0, 0],
                jump: Some(To::Step(shared)),
                exit: None,
            });
        }
        let ops = [0, env.links, env.link_helper, node_addr, 0, env.valid];
        self.items.push(Item {
            stencil: st.exit_shared,
            ops,
            jump: None,
            exit: None,
        });
        let slows = self.items.len();
        for &(i, moves) in &self.slow {
            let ops = loop_ops(env, node_addr, ti, i);
            self.items.push(Item {
                stencil: st.loop_slow,
                ops,
                jump: Some(To::Step(moves)),
                exit: None,
            });
        }
        let bug = self.items.len();
        self.stubs = [exits, slows, bug];
        self.items.push(Item {
            stencil: st.exit_stub,
            ops: [ret(RET_BUG, ti, 0), 0, 0, 0, 0, 0],
            jump: None,
            exit: None,
        });
        let resolve = |to: Option<To>| {
            to.map(|to| match to {
                To::Step(n) => Target::Step(n),
                To::Addr(a) => Target::Addr(a),
                To::ExitStub(e) => Target::Step(exits + e as usize),
                To::SlowStub(k) => Target::Step(slows + k),
                To::Bug => Target::Step(bug),
            })
        };
        let steps: Vec<Step<'_>> = self
            .items
            .iter()
            .map(|it| Step {
                stencil: it.stencil,
                operands: &it.ops,
                jump: resolve(it.jump),
                exit: resolve(it.exit),
            })
            .collect();
        emit(&steps)
    }

    /// What each stretch of the trace last built is, for dumps: the offset of its first
    /// byte (`offset` gives a step's) and a label (the uop as `--dump uops` prints it, and
    /// its stencil; the stubs).
    pub fn marks(
        &self,
        t: &jit_core::tier2::Trace,
        offset: impl Fn(usize) -> Option<usize>,
    ) -> Vec<(usize, alloc::string::String)> {
        let mut out = Vec::new();
        for (i, (&step, inst)) in self.first.iter().zip(&t.insts).enumerate() {
            let mut label = alloc::format!("{i:04}  ");
            jit_core::tier2::print_inst(inst, &mut label);
            let last = self.first.get(i + 1).copied().unwrap_or(self.stubs[0]);
            let names: Vec<&str> = self.items[step..last]
                .iter()
                .map(|it| it.stencil.name())
                .collect();
            label.push_str(&alloc::format!("    [{}]", names.join(" ")));
            out.extend(offset(step).map(|o| (o, label)));
        }
        let [exits, slows, bug] = self.stubs;
        let kinds = [
            (exits, "exit stubs"),
            (slows, "loop_slow stubs"),
            (bug, "bug stub"),
        ];
        for (step, what) in kinds {
            out.extend(offset(step).map(|o| (o, alloc::string::String::from(what))));
        }
        out
    }

    /// The moves of a `JUMP_LOOP`'s PHIs (those from `start`), all at once: straight
    /// when no PHI reads another's output, through temporaries past the trace's values
    /// otherwise.
    fn phi_moves(&mut self, st: &UopStencils, t: &jit_core::tier2::Trace, start: usize) {
        let outs: Vec<V> = phis(t, start).map(|p| p.out).collect();
        let tangled = phis(t, start).any(|p| outs.contains(&p.args[1]));
        let mov = |dst: u64, src: u64| Item {
            stencil: st.phi,
            ops: [dst, src, 0, 0, 0, 0],
            jump: None,
            exit: None,
        };
        if !tangled {
            for p in phis(t, start) {
                let it = mov(u64::from(p.out.0), u64::from(p.args[1].0));
                self.items.push(it);
            }
            return;
        }
        let base = u64::from(t.n_values);
        for (k, p) in phis(t, start).enumerate() {
            self.items
                .push(mov(base + k as u64, u64::from(p.args[1].0)));
        }
        for (k, p) in phis(t, start).enumerate() {
            self.items.push(mov(u64::from(p.out.0), base + k as u64));
        }
        self.temps = self.temps.max(outs.len());
    }
}

/// The PHIs of the loop that starts at uop `start`.
fn phis(
    t: &jit_core::tier2::Trace,
    start: usize,
) -> impl Iterator<Item = &jit_core::tier2::Inst> + Clone {
    t.insts[start..].iter().take_while(|p| p.op == Uop::PHI)
}
