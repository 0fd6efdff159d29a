//! Hand-written sample stencils that prove the pipeline (compile, read, patch, run):
//! constants into slots, checked integer arithmetic with guards that exit, a compare and
//! branch, the frame in memory, float arithmetic with constants in read-only data, a
//! runtime helper call, and returns. The stencils of real uops will be generated from
//! the uop table.

use crate::abi::{Regs, State};

// Constants into slots.

stencil! {
    /// `i0 = operand 0`.
    fn load_i0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, operand!(0), i1, i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// `i1 = operand 0`.
    fn load_i1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, operand!(0), i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// `i2 = operand 0`.
    fn load_i2(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, operand!(0), i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// `f0 = f64::from_bits(operand 0)`.
    fn load_f0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, i2, i3, f64::from_bits(operand!(0)), f1, f2, f3)
    }
}

stencil! {
    /// `f1 = f64::from_bits(operand 0)`.
    fn load_f1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, i2, i3, f0, f64::from_bits(operand!(0)), f2, f3)
    }
}

// Integer arithmetic with guards.

stencil! {
    /// `i0 = i0 + i1`, exiting on `i64` overflow.
    fn add_i0_i1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        let Some(v) = (i0 as i64).checked_add(i1 as i64) else {
            exit!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
        };
        next!(s, r, v as u64, i1, i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// `i0 = i0 * i2`, exiting on `i64` overflow.
    fn mul_i0_i2(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        let Some(v) = (i0 as i64).checked_mul(i2 as i64) else {
            exit!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
        };
        next!(s, r, v as u64, i1, i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// `i1 = i1 + 1`, exiting on `i64` overflow.
    fn inc_i1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        let Some(v) = (i1 as i64).checked_add(1) else {
            exit!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
        };
        next!(s, r, i0, v as u64, i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// Guard `i0 < operand 0` (signed); exits when it does not hold.
    fn guard_lt_i0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        if (i0 as i64) >= (operand!(0) as i64) {
            exit!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
        }
        next!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// Branch to the jump target while `i1 < i2` (signed), else continue: a loop's
    /// back edge.
    fn loop_lt_i1_i2(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        if (i1 as i64) < (i2 as i64) {
            jump!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
        }
        next!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
    }
}

// The frame in memory.

stencil! {
    /// `i0 = regs[operand 0]`.
    fn get_i0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        let v = *r.add(operand!(0) as usize);
        next!(s, r, v, i1, i2, i3, f0, f1, f2, f3)
    }
}

stencil! {
    /// `regs[operand 0] = i0`.
    fn set_i0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        *r.add(operand!(0) as usize) = i0;
        next!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
    }
}

// Floats; the constants of `neg` and `halve` live in read-only data.

stencil! {
    /// `f0 = f0 + f1`.
    fn fadd_f0_f1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, i2, i3, f0 + f1, f1, f2, f3)
    }
}

stencil! {
    /// `f0 = f0 * f1`.
    fn fmul_f0_f1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, i2, i3, f0 * f1, f1, f2, f3)
    }
}

stencil! {
    /// `f0 = -f0` (an `xorpd` with a sign mask in `.rodata`).
    fn fneg_f0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, i2, i3, -f0, f1, f2, f3)
    }
}

stencil! {
    /// `f0 = f0 * 0.5 + 0.25` (two constants in `.rodata`).
    fn fhalve_f0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        next!(s, r, i0, i1, i2, i3, f0 * 0.5 + 0.25, f1, f2, f3)
    }
}

// A runtime helper.

stencil! {
    /// `i0 = helper(state, i0, i1)`, the helper's address in operand 0.
    fn call_i0_i1(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        let f = helper!(0 as unsafe extern "C" fn(State, u64, u64) -> u64);
        let v = f(s, i0, i1);
        next!(s, r, v, i1, i2, i3, f0, f1, f2, f3)
    }
}

// Leaving compiled code.

stencil! {
    /// Returns `i0`.
    fn ret_i0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        i0
    }
}

stencil! {
    /// Returns the bits of `f0`.
    fn ret_f0(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        f0.to_bits()
    }
}

stencil! {
    /// Returns operand 0 (an exit number): the smallest exit stub.
    fn ret_operand(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        operand!(0)
    }
}

stencil! {
    /// Jumps to the jump target unconditionally (a loop's closing back edge).
    fn jump(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
        jump!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
    }
}

/// Keeps the `Regs` import used when every stencil above names it through the macro.
#[allow(dead_code)]
type _Regs = Regs;
