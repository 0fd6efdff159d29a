//! The bytecode verifier: proves the facts the interpreter's unchecked fast paths rely on.
//!
//! After [`verify_module`] accepts a module, for every code object:
//! - every operand is in range for its kind (constants, locals, globals, jump targets,
//!   operator kinds, the counter slots of `ForRange`, cache indices);
//! - there are at most [`MAX_CACHES`] cached instructions, so the cache indices
//!   [`Code::new`] assigns are all distinct (it cannot number more in 16 bits);
//! - the operand-stack depth at every instruction is the same along every path that
//!   reaches it, never negative, and at most [`Code::max_stack`], which it computes;
//! - execution never runs off the end of the code;
//! - and it records the operand-stack depth before every instruction
//!   ([`Code::stack_depth`]), which a frame's stack top is rebuilt from;
//! - a superinstruction (a fused compare-and-jump, a fused load-and-add, ...) is followed
//!   by the instructions it absorbs;
//! - every conditional jump goes forward, so every loop closes with an unconditional
//!   `Jump` backward: the interpreter's safepoints (and later, hot-loop counting) sit on
//!   backward `Jump`s only.
//!
//! *Architecture invariant:* the interpreter executes only verified code (it checks the
//! flag this sets), and tier-1 quickening keeps every fact above true: a specialized
//! instruction has its family's operand kind and stack effect.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::bytecode::{
    is_branch, is_terminator, stack_effect, BinOp, CmpOp, Code, Module, Op, Operand, UnOp,
};
use crate::optable::{BUse, Fusion, MAKE_FUNCTION_FLAGS};

/// Why a code object was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// The code object's name.
    pub code: String,
    /// The offending instruction, if the problem is at one.
    pub pc: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pc {
            Some(pc) => write!(
                f,
                "invalid bytecode in {} at {}: {}",
                self.code, pc, self.message
            ),
            None => write!(f, "invalid bytecode in {}: {}", self.code, self.message),
        }
    }
}

/// The largest operand stack a code object may use.
pub const MAX_STACK: u32 = 1 << 16;

/// The most cached instructions (see [`Op::has_cache`]) a code object may have: one per
/// 16-bit cache index.
pub const MAX_CACHES: usize = u16::MAX as usize + 1;

/// Verifies every code object of `module` and records each one's maximum stack depth.
pub fn verify_module(module: &mut Module) -> Result<(), VerifyError> {
    let n_codes = module.codes.len();
    let n_globals = module.global_names.len();
    if module.global_init.len() != n_globals {
        return Err(VerifyError {
            code: String::from("<module>"),
            pc: None,
            message: format!(
                "{} global names but {} initial values",
                n_globals,
                module.global_init.len()
            ),
        });
    }
    if module.entry as usize >= n_codes {
        return Err(VerifyError {
            code: String::from("<module>"),
            pc: None,
            message: format!(
                "entry code {} does not exist ({} codes)",
                module.entry, n_codes
            ),
        });
    }
    for code in &mut module.codes {
        verify_code(code, n_globals, n_codes)?;
    }
    Ok(())
}

/// Verifies one code object against a module with `n_globals` globals and `n_codes` code
/// objects.
pub fn verify_code(code: &mut Code, n_globals: usize, n_codes: usize) -> Result<(), VerifyError> {
    let err = |pc: Option<usize>, message: String| VerifyError {
        code: code.name.clone(),
        pc,
        message,
    };
    let n = code.instrs.len();
    if n == 0 {
        return Err(err(None, String::from("empty code")));
    }
    if n > u32::MAX as usize / 2 {
        return Err(err(None, String::from("code too long")));
    }
    if code.locs.len() != n {
        return Err(err(
            None,
            format!(
                "line table has {} entries for {} instructions",
                code.locs.len(),
                n
            ),
        ));
    }
    if code.num_params > code.num_locals {
        return Err(err(
            None,
            format!(
                "{} parameters but only {} locals",
                code.num_params, code.num_locals
            ),
        ));
    }
    let n_caches = code.caches.len();
    // Cache indices are 16 bits (`Instr::b`): past this many cached instructions two of
    // them would share a cache, and one specialization would read another's data.
    if n_caches > MAX_CACHES {
        return Err(err(
            None,
            format!(
                "too many cached instructions: {n_caches} (limit {MAX_CACHES}); split the function"
            ),
        ));
    }
    // Operands.
    for pc in 0..n {
        let ins = code.instr(pc);
        let a = ins.a as usize;
        let bad = |what: &str, limit: usize| {
            err(
                Some(pc),
                format!("{} operand {} out of range (limit {})", what, a, limit),
            )
        };
        match ins.op.operand() {
            Operand::None | Operand::Imm | Operand::Count => {}
            Operand::Const if a >= code.consts.len() => {
                return Err(bad("constant", code.consts.len()))
            }
            Operand::Local if a >= code.num_locals as usize => {
                return Err(bad("local", code.num_locals as usize))
            }
            Operand::Global if a >= n_globals => return Err(bad("global", n_globals)),
            Operand::Target if a >= n => return Err(bad("jump target", n)),
            Operand::BinOp if BinOp::from_u32(ins.a).is_none() => {
                return Err(bad("binary operator", BinOp::ALL.len()))
            }
            Operand::CmpOp if CmpOp::from_u32(ins.a).is_none() => {
                return Err(bad("comparison operator", CmpOp::ALL.len()))
            }
            Operand::UnOp if UnOp::from_u32(ins.a).is_none() => {
                return Err(bad("unary operator", UnOp::ALL.len()))
            }
            Operand::Code if a >= n_codes => return Err(bad("code", n_codes)),
            Operand::ConstArgc if (a >> 8) >= code.consts.len() => {
                return Err(bad("name constant", code.consts.len()))
            }
            _ => {}
        }
        let row = ins.op.family().row();
        match row.b {
            BUse::Cache if ins.b as usize >= n_caches => {
                return Err(err(Some(pc), format!("cache index {} out of range", ins.b)));
            }
            BUse::CounterSlots if ins.b as u32 + 1 >= code.num_locals => {
                return Err(err(
                    Some(pc),
                    format!(
                        "loop counter slots {} and {} out of range ({} locals)",
                        ins.b,
                        ins.b as u32 + 1,
                        code.num_locals
                    ),
                ));
            }
            BUse::FunctionFlags if ins.b & !MAKE_FUNCTION_FLAGS != 0 => {
                return Err(err(
                    Some(pc),
                    format!("bad flags {:#x} for {}", ins.b, ins.op.name()),
                ));
            }
            _ => {}
        }
        if ins.a < row.a_min || ins.a > row.a_max {
            return Err(err(
                Some(pc),
                format!("bad operand {} for {}", ins.a, ins.op.name()),
            ));
        }
        let stores = if ins.op.row().fusion == Fusion::StoresA {
            ins.a as usize
        } else {
            0
        };
        let absorbed = ins
            .op
            .fused_successors()
            .iter()
            .chain(core::iter::repeat_n(&Op::StoreLocal, stores));
        for (k, &want) in absorbed.enumerate() {
            let next = code.instrs.get(pc + 1 + k).map(|c| c.get().op.family());
            if next != Some(want) {
                return Err(err(
                    Some(pc),
                    format!("fused {} is not followed by {}", ins.op.name(), want.name()),
                ));
            }
        }
        if is_branch(ins.op) && !is_terminator(ins.op) && ins.a as usize <= pc {
            return Err(err(
                Some(pc),
                format!(
                    "conditional jump backward to {a}; loops must close with an unconditional Jump"
                ),
            ));
        }
    }
    if !is_terminator(code.instr(n - 1).op) {
        return Err(err(
            Some(n - 1),
            String::from("execution can run off the end of the code"),
        ));
    }
    // Stack depths, by a worklist over the control-flow graph.
    const UNSEEN: u32 = u32::MAX;
    let mut depth = vec![UNSEEN; n];
    let mut work: Vec<usize> = vec![0];
    depth[0] = 0;
    let mut max = 0u32;
    while let Some(pc) = work.pop() {
        let ins = code.instr(pc);
        let d = depth[pc];
        let eff = stack_effect(ins);
        if ins.op.family() == Op::CheckIntBound && ins.a >= d {
            return Err(err(
                Some(pc),
                format!("checks slot {} of a stack of depth {}", ins.a, d),
            ));
        }
        if eff.pops > d {
            return Err(err(
                Some(pc),
                format!(
                    "stack underflow: {} needs {} values, stack has {}",
                    ins.op.name(),
                    eff.pops,
                    d
                ),
            ));
        }
        let base = d - eff.pops;
        let mut flow =
            |target: usize, new_depth: u32, work: &mut Vec<usize>| -> Result<(), VerifyError> {
                if new_depth > MAX_STACK {
                    return Err(err(Some(pc), String::from("operand stack too deep")));
                }
                max = max.max(new_depth);
                if depth[target] == UNSEEN {
                    depth[target] = new_depth;
                    work.push(target);
                } else if depth[target] != new_depth {
                    return Err(err(
                        Some(target),
                        format!(
                            "stack depth {} here disagrees with depth {} arriving from {}",
                            depth[target], new_depth, pc
                        ),
                    ));
                }
                Ok(())
            };
        if ins.op.family() == Op::Return {
            continue;
        }
        if is_branch(ins.op) {
            flow(
                ins.a as usize,
                base.saturating_add(eff.branch_pushes),
                &mut work,
            )?;
        }
        if !is_terminator(ins.op) {
            if pc + 1 >= n {
                return Err(err(
                    Some(pc),
                    String::from("execution can run off the end of the code"),
                ));
            }
            flow(pc + 1, base.saturating_add(eff.pushes), &mut work)?;
        }
    }
    code.max_stack = max;
    code.stack_depths = depth;
    code.verified = true;
    Ok(())
}
