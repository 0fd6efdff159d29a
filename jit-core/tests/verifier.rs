//! Verifier tests: hand-built malformed bytecode must be rejected with a clear error,
//! never a panic, and well-formed code (also after quickening) must be accepted.

use jit_core::bytecode::{BinOp, CmpOp, Code, Instr, Loc, Module, Op};
use jit_core::value::Value;
use jit_core::verify::verify_module;

fn module_with(code: Code, globals: usize) -> Module {
    Module {
        file_name: "t".into(),
        codes: vec![code],
        global_names: (0..globals).map(|i| format!("g{i}")).collect(),
        global_init: vec![Value::NIL; globals],
        entry: 0,
    }
}

fn code(instrs: Vec<Instr>, consts: Vec<Value>, params: u32, locals: u32) -> Code {
    let n = instrs.len();
    Code::new("f", instrs, vec![Loc::default(); n], consts, params, locals)
}

fn i(op: Op, a: u32) -> Instr {
    Instr::new(op, a)
}

/// Verifies and returns the error message, which must mention `needle`.
fn rejects(m: &mut Module, needle: &str) {
    let e = verify_module(m).expect_err("malformed code was accepted");
    let msg = e.to_string();
    assert!(
        msg.contains(needle),
        "message {msg:?} does not mention {needle:?}"
    );
}

#[test]
fn accepts_well_formed_code_and_computes_max_stack() {
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadInt, 1),
                i(Op::LoadInt, 2),
                i(Op::Binary, BinOp::Add as u32),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    verify_module(&mut m).unwrap();
    assert_eq!(m.codes[0].max_stack(), 2);
}

#[test]
fn rejects_jump_target_out_of_range() {
    let mut m = module_with(
        code(vec![i(Op::Jump, 7), i(Op::Return, 0)], vec![], 0, 0),
        0,
    );
    rejects(&mut m, "jump target operand 7 out of range");
}

#[test]
fn rejects_stack_underflow() {
    let mut m = module_with(
        code(
            vec![i(Op::Pop, 0), i(Op::LoadNil, 0), i(Op::Return, 0)],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "stack underflow");
}

#[test]
fn rejects_inconsistent_depth_at_merge() {
    // One path pushes a value before reaching pc 4, the other does not.
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadTrue, 0),
                i(Op::JumpIfFalse, 3),
                i(Op::LoadInt, 1),
                i(Op::Nop, 0),
                i(Op::LoadNil, 0),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "disagrees");
}

#[test]
fn rejects_constant_local_and_global_out_of_range() {
    let mut m = module_with(
        code(vec![i(Op::LoadConst, 0), i(Op::Return, 0)], vec![], 0, 0),
        0,
    );
    rejects(&mut m, "constant operand 0 out of range");
    let mut m = module_with(
        code(vec![i(Op::LoadLocal, 3), i(Op::Return, 0)], vec![], 0, 2),
        0,
    );
    rejects(&mut m, "local operand 3 out of range");
    let mut m = module_with(
        code(vec![i(Op::LoadGlobal, 1), i(Op::Return, 0)], vec![], 0, 0),
        1,
    );
    rejects(&mut m, "global operand 1 out of range");
}

#[test]
fn rejects_bad_operator_operands() {
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadNil, 0),
                i(Op::LoadNil, 0),
                i(Op::Binary, 99),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "binary operator");
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadNil, 0),
                i(Op::LoadNil, 0),
                i(Op::Compare, 6),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "comparison operator");
}

#[test]
fn rejects_running_off_the_end() {
    let mut m = module_with(code(vec![i(Op::LoadNil, 0)], vec![], 0, 0), 0);
    rejects(&mut m, "run off the end");
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadTrue, 0),
                i(Op::JumpIfFalse, 3),
                i(Op::Jump, 0),
                i(Op::Nop, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "run off the end");
}

#[test]
fn rejects_empty_code_and_bad_metadata() {
    let mut m = module_with(code(vec![], vec![], 0, 0), 0);
    rejects(&mut m, "empty code");
    let mut m = module_with(
        code(vec![i(Op::LoadNil, 0), i(Op::Return, 0)], vec![], 3, 1),
        0,
    );
    rejects(&mut m, "3 parameters but only 1 locals");
    let mut c = code(vec![i(Op::LoadNil, 0), i(Op::Return, 0)], vec![], 0, 0);
    c.locs.pop();
    let mut m = module_with(c, 0);
    rejects(&mut m, "line table");
    let mut m = module_with(
        code(vec![i(Op::LoadNil, 0), i(Op::Return, 0)], vec![], 0, 0),
        0,
    );
    m.entry = 5;
    rejects(&mut m, "entry code 5");
    let mut m = module_with(
        code(vec![i(Op::LoadNil, 0), i(Op::Return, 0)], vec![], 0, 0),
        2,
    );
    m.global_init.pop();
    rejects(&mut m, "initial values");
}

#[test]
fn rejects_loop_counter_slots_out_of_range() {
    let mut m = module_with(
        code(
            vec![
                Instr::with_b(Op::ForRange, 3, 1),
                i(Op::Pop, 0),
                i(Op::Jump, 0),
                i(Op::LoadNil, 0),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            2,
        ),
        0,
    );
    rejects(&mut m, "loop counter slots 1 and 2");
}

#[test]
fn rejects_backward_conditional_jumps() {
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadTrue, 0),
                i(Op::JumpIfTrue, 0),
                i(Op::LoadNil, 0),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "conditional jump backward");
}

#[test]
fn rejects_fused_compare_without_its_jump() {
    let mut m = module_with(
        code(
            vec![
                i(Op::LoadInt, 1),
                i(Op::LoadInt, 2),
                i(Op::CompareIntJumpIfFalse, CmpOp::Lt as u32),
                i(Op::Return, 0),
            ],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "is not followed by JumpIfFalse");
}

#[test]
fn rejects_check_deeper_than_the_stack() {
    let mut m = module_with(
        code(
            vec![i(Op::LoadInt, 1), i(Op::CheckIntBound, 1), i(Op::Return, 0)],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "checks slot 1");
}

#[test]
fn rejects_call_with_too_few_values() {
    let mut m = module_with(
        code(
            vec![i(Op::LoadNil, 0), i(Op::Call, 2), i(Op::Return, 0)],
            vec![],
            0,
            0,
        ),
        0,
    );
    rejects(&mut m, "stack underflow");
}

/// Every single-instruction mutation of a valid program either verifies or is rejected
/// with an error: the verifier never panics.
#[test]
fn mutations_never_panic() {
    let base = vec![
        i(Op::LoadInt, 0),
        i(Op::StoreLocal, 0),
        i(Op::LoadLocal, 0),
        i(Op::LoadInt, 10),
        i(Op::Compare, CmpOp::Lt as u32),
        i(Op::JumpIfFalse, 11),
        i(Op::LoadLocal, 0),
        i(Op::LoadInt, 1),
        i(Op::Binary, BinOp::Add as u32),
        i(Op::StoreLocal, 0),
        i(Op::Jump, 2),
        i(Op::LoadLocal, 0),
        i(Op::Return, 0),
    ];
    let mut accepted = 0;
    for pc in 0..base.len() {
        for &op in Op::ALL {
            for a in [0u32, 1, 2, 5, 11, 12, 13, 1000, u32::MAX] {
                let mut instrs = base.clone();
                instrs[pc] = Instr::new(op, a);
                let mut m = module_with(code(instrs, vec![Value::NIL], 0, 1), 1);
                if verify_module(&mut m).is_ok() {
                    accepted += 1;
                }
            }
        }
    }
    assert!(accepted > 0);
}

#[test]
fn unpack_store_must_be_followed_by_as_many_stores() {
    let body = |stores: u32| {
        let mut instrs = vec![i(Op::LoadConst, 0), i(Op::UnpackStore, 3)];
        instrs.extend((0..stores).map(|k| i(Op::StoreLocal, k)));
        instrs.extend([i(Op::LoadNil, 0), i(Op::Return, 0)]);
        code(instrs, vec![Value::NIL], 0, 3)
    };
    let mut ok = module_with(body(3), 0);
    verify_module(&mut ok).expect("three stores follow");
    let mut short = module_with(body(2), 0);
    rejects(&mut short, "is not followed by StoreLocal");
}

#[test]
fn operand_limits_come_from_the_instruction_table() {
    let mut checked = 0;
    for &op in Op::ALL {
        let row = op.family().row();
        let mut bad = Vec::new();
        if row.a_min > 0 {
            bad.push(row.a_min - 1);
        }
        if row.a_max < u32::MAX {
            bad.push(row.a_max + 1);
        }
        for a in bad {
            // The operand check runs before the stack analysis, so the rest of the
            // code does not need to make sense.
            let mut m = module_with(code(vec![i(op, a), i(Op::Return, 0)], vec![], 0, 1), 0);
            rejects(&mut m, &format!("bad operand {a} for {}", op.name()));
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} limits checked");
    // `MakeFunction`'s flags in `b` are the table's `MAKE_FUNCTION_FLAGS`.
    let f = Instr::with_b(Op::MakeFunction, 0, 0b0100);
    let mut m = module_with(code(vec![f, i(Op::Return, 0)], vec![], 0, 1), 0);
    rejects(&mut m, "bad flags 0x4 for MakeFunction");
}

/// `n` cached instructions (`LoadGlobal 0` each, popped), then `return nil`.
fn many_cached(n: usize) -> Module {
    let mut instrs = Vec::with_capacity(2 * n + 2);
    for _ in 0..n {
        instrs.push(i(Op::LoadGlobal, 0));
        instrs.push(i(Op::Pop, 0));
    }
    instrs.push(i(Op::LoadNil, 0));
    instrs.push(i(Op::Return, 0));
    module_with(code(instrs, vec![], 0, 0), 1)
}

#[test]
fn rejects_more_cached_instructions_than_cache_indices() {
    // Cache indices are 16 bits: 65,536 cached instructions each get their own cache.
    let mut m = many_cached(65_536);
    verify_module(&mut m).unwrap();
    assert_eq!(m.codes[0].num_caches(), 65_536);
    // One more would share a cache with another instruction: an error, not a silent
    // collision.
    let mut m = many_cached(65_537);
    let e = verify_module(&mut m).expect_err("65,537 cached instructions were accepted");
    assert_eq!(e.pc, None);
    assert_eq!(
        e.message,
        "too many cached instructions: 65537 (limit 65536); split the function"
    );
    let mut m = many_cached(100_000);
    rejects(&mut m, "too many cached instructions: 100000");
}
