//! The dispatch loop: one `match` over the instruction set, shared by the generic
//! interpreter and tier 1 (see the parent module for frames, the stack and reentrancy).

use super::{const_str, local_name, CallTarget, Frame, VmCore};
use crate::bytecode::{BinOp, Cache, CmpOp, Code, CodeId, Instr, Op, UnOp};
use crate::heap::Obj;
use crate::ops;
use crate::semantics::{Exception, Semantics};
use crate::stats::family_index;
use crate::tier1;
use crate::value::Value;

#[allow(clippy::too_many_lines)]
pub(super) fn run_loop<S: Semantics, const ADAPTIVE: bool, const STATS: bool>(
    core: &mut VmCore,
    sem: &mut S,
    stop_depth: usize,
) -> Result<Value, Exception> {
    let codes: *const Code = core.module.codes.as_ptr();
    let globals: *mut Value = core.globals.as_mut_ptr();
    let stack: *mut Value = core.stack;
    let Some(&frame) = core.frames.last() else {
        return Err(Exception::msg("internal error: no frame to run"));
    };
    // SAFETY (for every `unsafe` block in this function): the pointers above point into
    // vectors this VM owns and does not resize during the loop; the value stack is one
    // fixed allocation that never moves, and every frame is checked to fit in it when it
    // is pushed. `code` points into `module.codes`, which is not modified while running.
    // Instruction, constant, local, global and cache indices, jump targets and stack
    // depths were checked by the verifier (see the module docs), and quickening keeps
    // those facts (a specialized instruction has its family's operands and effect).
    // SAFETY: see the comment at the top of `run_loop`.
    let mut code: *const Code = unsafe { codes.add(frame.code as usize) };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut instrs: *const core::cell::Cell<Instr> = unsafe { (*code).instrs.as_ptr() };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut caches: *const core::cell::Cell<Cache> = unsafe { (*code).caches.as_ptr() };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut consts: *const Value = unsafe { (*code).consts.as_ptr() };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut ip = unsafe { instrs.add(frame.pc) };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut locals: *mut Value = unsafe { stack.add(frame.base) };
    // SAFETY: see the comment at the top of `run_loop`.
    let mut sp: *mut Value = unsafe { locals.add((*code).num_locals as usize) };

    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe {
                *sp = v;
                sp = sp.add(1);
            }
        }};
    }
    macro_rules! pop {
        () => {{
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe {
                sp = sp.sub(1);
                *sp
            }
        }};
    }
    macro_rules! drop_top {
        () => {{
            // SAFETY: see the comment at the top of `run_loop`.
            sp = unsafe { sp.sub(1) };
        }};
    }
    // Replaces the top `$n` values with what `$f` makes of them (a `Result`).
    macro_rules! replace_top {
        ($n:expr, |$items:ident| $f:expr) => {{
            let n = $n;
            // SAFETY: the verifier proved `n` values are on the stack.
            let $items = unsafe { core::slice::from_raw_parts(sp.sub(n), n) };
            let v = tri!($f);
            // SAFETY: see the comment at the top of `run_loop`.
            sp = unsafe { sp.sub(n) };
            push!(v);
        }};
    }
    macro_rules! peek {
        ($n:expr) => {{
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe { *sp.sub($n + 1) }
        }};
    }
    macro_rules! pc_of {
        ($p:expr) => {{
            // SAFETY: both pointers are into the same instruction array.
            unsafe { $p.offset_from(instrs) as usize }
        }};
    }
    macro_rules! stack_off {
        ($p:expr) => {{
            // SAFETY: both pointers are into the same stack vector.
            unsafe { $p.offset_from(stack) as usize }
        }};
    }
    macro_rules! tri {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => break Err(e),
            }
        };
    }
    macro_rules! hit {
        ($ins:expr) => {
            if STATS {
                core.stats.tier1[family_index($ins.op)].hits += 1;
            }
        };
    }
    macro_rules! cache_of {
        ($ins:expr) => {{
            // SAFETY: see the comment at the top of `run_loop`.
            unsafe { &*caches.add($ins.b as usize) }
        }};
    }
    // Counts down a generic instruction's cache; at zero, tries to specialize it for the
    // operands now on the stack.
    macro_rules! adapt {
        ($ins:expr) => {
            // The form is computed only when the counter reaches zero: a macro argument
            // is expanded where `specialize_after!` uses it, inside that branch.
            specialize_after!($ins, {
                let pc = pc_of!(ip) - 1;
                let depth = stack_off!(sp) - stack_off!(locals);
                // SAFETY: `locals..sp` is the current frame's initialized locals and
                // operand stack; `specialize` only reads its top operands.
                let operands = unsafe { core::slice::from_raw_parts(locals, depth) };
                // SAFETY: see the comment at the top of `run_loop`.
                let code_ref = unsafe { &*code };
                let zero_is_false = sem.zero_is_false();
                tier1::specialize(
                    &core.heap,
                    &core.module,
                    code_ref,
                    pc,
                    $ins,
                    operands,
                    zero_is_false,
                )
                .map(|(op, aux)| (op, aux, 0))
            })
        };
    }
    // Specializes the generic instruction being executed from what it just computed
    // (for families whose operands are not on the stack): counts down its cache and,
    // at zero, rewrites it to `$form` = `Some((op, aux, data))`, or backs off for
    // `None`. Evaluates to true when it rewrote the instruction.
    macro_rules! specialize_after {
        ($ins:expr, $form:expr) => {{
            let mut rewrote = false;
            if ADAPTIVE {
                let cell = cache_of!($ins);
                let mut c = cell.get();
                let fam = family_index($ins.op);
                if c.counter > 0 {
                    c.counter -= 1;
                } else {
                    match $form {
                        Some((op, aux, data)) => {
                            // SAFETY: `ip - 1` is the instruction being executed.
                            unsafe { (*ip.sub(1)).set(Instr { op, ..$ins }) };
                            c.counter = tier1::MISS_BUDGET;
                            c.aux = aux;
                            c.data = data;
                            core.stats.tier1[fam].specializations += 1;
                            rewrote = true;
                        }
                        None => {
                            tier1::back_off(&mut c);
                            core.stats.tier1[fam].failures += 1;
                        }
                    }
                }
                cell.set(c);
            }
            rewrote
        }};
    }
    // Records a failed guard of the specialized instruction being executed; after
    // `MISS_BUDGET` misses, rewrites it back to its generic form.
    macro_rules! miss {
        ($ins:expr) => {{
            let cell = cache_of!($ins);
            let mut c = cell.get();
            let fam = family_index($ins.op);
            core.stats.tier1[fam].misses += 1;
            if c.counter == 0 {
                // SAFETY: `ip - 1` is the instruction being executed.
                unsafe {
                    (*ip.sub(1)).set(Instr {
                        op: $ins.op.family(),
                        ..$ins
                    })
                };
                tier1::back_off(&mut c);
                core.stats.tier1[fam].despecializations += 1;
            } else {
                c.counter -= 1;
            }
            cell.set(c);
        }};
    }
    macro_rules! safepoint {
        () => {
            if core.heap.should_collect() || crate::heap::memory_exhausted() {
                tri!(core.safepoint_slow(sem, stack_off!(sp)));
            }
        };
    }
    macro_rules! generic_binary {
        ($ins:expr) => {{
            let b = pop!();
            let a = pop!();
            // SAFETY: the verifier checked the operand is a valid `BinOp`.
            let op: BinOp = unsafe { core::mem::transmute::<u8, BinOp>($ins.a as u8) };
            if op == BinOp::InplaceAdd && core.heap.as_array(a).is_some() {
                // `list += iterable` extends in place, from any iterable: the frontend's
                // list extension may need to run guest code (an iterator), so it gets
                // the VM.
                core.sp_hint = stack_off!(sp) + 2; // `a` and `b` stay rooted
                tri!(sem.list_extend(core, a, b));
                push!(a);
            } else {
                push!(tri!(ops::binary(&mut core.heap, sem, op, a, b)));
            }
        }};
    }
    // Advances the iterator `$it` on top of the stack the generic way: the core's own
    // iterators inline, others through the frontend (which may run guest code); pushes the
    // next item, or pops the iterator and leaves the loop.
    macro_rules! generic_for_iter {
        ($ins:expr, $it:expr) => {{
            let next = match ops::core_iter_next(&mut core.heap, $it) {
                Some(r) => r,
                None => {
                    core.sp_hint = stack_off!(sp);
                    tri!(sem.iter_next(core, $it))
                }
            };
            match next {
                Some(v) => push!(v),
                None => {
                    drop_top!();
                    jump_to!($ins.a);
                }
            }
        }};
    }
    macro_rules! generic_compare {
        ($ins:expr) => {{
            let b = pop!();
            let a = pop!();
            // SAFETY: the verifier checked the operand is a valid `CmpOp`.
            let op: CmpOp = unsafe { core::mem::transmute::<u8, CmpOp>($ins.a as u8) };
            push!(tri!(ops::compare(&mut core.heap, sem, op, a, b)));
        }};
    }
    macro_rules! jump_to {
        ($target:expr) => {{
            // SAFETY: the verifier checked every jump target is in range.
            ip = unsafe { instrs.add($target as usize) };
        }};
    }
    macro_rules! cond_jump {
        ($ins:expr, $jump_if:expr) => {{
            let v = pop!();
            let t = tri!(ops::truthy(&mut core.heap, sem, v));
            if t == $jump_if {
                jump_to!($ins.a);
            }
        }};
    }
    // Enters the guest function `$code_id` whose `$argc` arguments are on the stack.
    macro_rules! enter {
        ($code_id:expr, $argc:expr) => {{
            let new_depth = core.frames.len();
            // Read on every call: a program may change its limit (`sys.setrecursionlimit`).
            if new_depth > sem.max_call_depth() {
                break Err(sem.stack_overflow());
            }
            let code_id: CodeId = $code_id;
            // SAFETY: function objects are only created for code ids of this module
            // (checked by `FunctionObj` constructors in the frontends, and re-checked by
            // the `code_id < len` test in the generic call path).
            let callee: &Code = unsafe { &*codes.add(code_id as usize) };
            let base = stack_off!(sp) - $argc;
            let need = base + callee.num_locals as usize + callee.max_stack as usize;
            if need > core.stack_cap {
                break Err(sem.stack_overflow());
            }
            if let Some(f) = core.frames.last_mut() {
                f.pc = pc_of!(ip);
            }
            core.frames.push(Frame {
                code: code_id,
                base,
                pc: 0,
            });
            if STATS {
                core.stats.calls += 1;
                core.stats.max_depth = core.stats.max_depth.max(new_depth);
            }
            // SAFETY: the frame's locals and operand stack fit below `need`, which is
            // within the stack (grown above if needed).
            unsafe {
                locals = stack.add(base);
                let nl = callee.num_locals as usize;
                let init = callee.local_init;
                let mut p = locals.add($argc);
                let end = locals.add(nl);
                while p < end {
                    *p = init;
                    p = p.add(1);
                }
                sp = end;
            }
            code = callee;
            instrs = callee.instrs.as_ptr();
            caches = callee.caches.as_ptr();
            consts = callee.consts.as_ptr();
            ip = instrs;
            safepoint!();
        }};
    }
    macro_rules! generic_call {
        ($ins:expr) => {{
            let argc = $ins.a as usize;
            let callee = peek!(argc);
            let target = match core.heap.get(callee) {
                Some(Obj::Function(f)) if (f.code as usize) < core.module.codes.len() => {
                    CallTarget::Guest(f.code)
                }
                Some(Obj::Native(n)) => CallTarget::Native(n.id),
                _ => CallTarget::Other,
            };
            // SAFETY: the verifier proved `argc` arguments are on the stack.
            let args = unsafe { core::slice::from_raw_parts(sp.sub(argc), argc) };
            match target {
                CallTarget::Guest(code_id) => {
                    let callee_code = &core.module.codes[code_id as usize];
                    let params = callee_code.arg_slots() as usize;
                    if callee_code.takes_exactly(argc) {
                        enter!(code_id, argc);
                    } else {
                        let bound =
                            tri!(sem.bind_arguments(&mut core.heap, callee, callee_code, args));
                        if bound.len() != params {
                            break Err(Exception::msg(
                                "internal error: bind_arguments returned the wrong count",
                            ));
                        }
                        // SAFETY: the arguments are on the stack (see above).
                        sp = unsafe { sp.sub(argc) };
                        if stack_off!(sp) + params > core.stack_cap {
                            break Err(sem.stack_overflow());
                        }
                        for v in bound {
                            push!(v);
                        }
                        enter!(code_id, params);
                    }
                }
                CallTarget::Native(id) => {
                    core.sp_hint = stack_off!(sp);
                    let r = tri!(sem.call_native(core, id, args));
                    // SAFETY: the arguments and the callee slot below them are on the stack.
                    unsafe {
                        sp = sp.sub(argc);
                        *sp.sub(1) = r;
                    }
                }
                CallTarget::Other => {
                    core.sp_hint = stack_off!(sp);
                    let r = tri!(sem.call_slow(core, callee, args));
                    // SAFETY: the arguments and the callee slot below them are on the stack.
                    unsafe {
                        sp = sp.sub(argc);
                        *sp.sub(1) = r;
                    }
                }
            }
        }};
    }

    let result: Result<Value, Exception> = loop {
        // SAFETY: the verifier proved execution never runs off the end of the code.
        let ins = unsafe { (*ip).get() };
        // SAFETY: see the comment at the top of `run_loop`.
        ip = unsafe { ip.add(1) };
        if STATS {
            core.stats.instructions += 1;
        }
        match ins.op {
            Op::Nop => {}
            Op::Pop => {
                drop_top!();
            }
            Op::Dup => {
                let v = peek!(0);
                push!(v);
            }
            Op::Swap => {
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { core::ptr::swap(sp.sub(1), sp.sub(2)) };
            }
            // SAFETY: see the comment at the top of `run_loop`.
            Op::LoadConst => push!(unsafe { *consts.add(ins.a as usize) }),
            Op::LoadInt => push!(Value::small_int(ins.a as i32 as i64)),
            Op::LoadNil => push!(Value::NIL),
            Op::LoadTrue => push!(Value::TRUE),
            Op::LoadFalse => push!(Value::FALSE),
            // SAFETY: see the comment at the top of `run_loop`.
            Op::LoadLocal => push!(unsafe { *locals.add(ins.a as usize) }),
            Op::StoreLocal => {
                let v = pop!();
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { *locals.add(ins.a as usize) = v };
            }
            Op::LoadGlobal => {
                // SAFETY: see the comment at the top of `run_loop`.
                let v = unsafe { *globals.add(ins.a as usize) };
                if v.is_empty() {
                    let name = &core.module.global_names[ins.a as usize];
                    let r = tri!(sem.global_empty(&mut core.heap, name));
                    // An empty slot's value comes from the frontend (a builtin): tier 1
                    // caches it for as long as the slot stays empty.
                    specialize_after!(ins, Some((Op::LoadGlobalBuiltin, 0, r.to_bits())));
                    push!(r);
                } else {
                    push!(v);
                }
            }
            Op::LoadGlobalBuiltin => {
                // SAFETY: see the comment at the top of `run_loop`.
                let v = unsafe { *globals.add(ins.a as usize) };
                if v.is_empty() {
                    hit!(ins);
                    let bits = cache_of!(ins).get().data;
                    // SAFETY: the bits are a value `global_empty` returned, which the
                    // frontend keeps alive (see `Semantics::global_empty`).
                    push!(unsafe { Value::from_bits(bits) });
                    continue;
                }
                miss!(ins);
                push!(v);
            }
            Op::StoreGlobal => {
                let v = pop!();
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { *globals.add(ins.a as usize) = v };
            }
            Op::Binary => {
                adapt!(ins);
                generic_binary!(ins);
            }
            Op::Compare => {
                adapt!(ins);
                generic_compare!(ins);
            }
            Op::Unary => {
                adapt!(ins);
                let v = pop!();
                // SAFETY: the verifier checked the operand is a valid `UnOp`.
                let op: UnOp = unsafe { core::mem::transmute::<u8, UnOp>(ins.a as u8) };
                push!(tri!(ops::unary(&mut core.heap, sem, op, v)));
            }
            Op::Jump => {
                // SAFETY: the verifier checked every jump target is in range.
                let dest = unsafe { instrs.add(ins.a as usize) };
                if dest < ip {
                    safepoint!();
                }
                ip = dest;
            }
            Op::JumpIfFalse | Op::JumpIfTrue => {
                adapt!(ins);
                cond_jump!(ins, ins.op == Op::JumpIfTrue);
            }
            Op::JumpIfFalseOrPop => {
                let v = peek!(0);
                if tri!(ops::truthy(&mut core.heap, sem, v)) {
                    drop_top!();
                } else {
                    jump_to!(ins.a);
                }
            }
            Op::JumpIfTrueOrPop => {
                let v = peek!(0);
                if tri!(ops::truthy(&mut core.heap, sem, v)) {
                    jump_to!(ins.a);
                } else {
                    drop_top!();
                }
            }
            Op::CheckIntBound => {
                let v = peek!(ins.a as usize);
                if !core.heap.is_int(v) {
                    break Err(sem.bad_for_bound(&mut core.heap, v));
                }
            }
            Op::ForRangeStore => {
                let slot = ins.b as usize;
                // SAFETY: the verifier checked `slot + 1 < num_locals`, and that a
                // `StoreLocal` (with a valid local) follows.
                let (cv, ev, store) =
                    unsafe { (*locals.add(slot), *locals.add(slot + 1), (*ip).get()) };
                if Value::both_small_ints(cv, ev) {
                    let c = cv.small_int_unchecked();
                    if c < ev.small_int_unchecked() {
                        hit!(ins);
                        // `c < end <= SMALL_INT_MAX`, so `c + 1` is still small.
                        // SAFETY: see above; skips the absorbed `StoreLocal`.
                        unsafe {
                            *locals.add(store.a as usize) = cv;
                            *locals.add(slot) = Value::small_int(c + 1);
                            ip = ip.add(1);
                        }
                    } else {
                        jump_to!(ins.a);
                    }
                    continue;
                }
                // Boxed bounds: do what `ForRange` does; the `StoreLocal` runs next.
                let c = core.heap.as_i64(cv).unwrap_or(0);
                let e = core.heap.as_i64(ev).unwrap_or(0);
                if c < e {
                    push!(cv);
                    let next = core.heap.int(c + 1);
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *locals.add(slot) = next };
                } else {
                    jump_to!(ins.a);
                }
            }
            Op::ForRange => {
                let slot = ins.b as usize;
                // SAFETY: the verifier checked `slot + 1 < num_locals`.
                let (cv, ev) = unsafe { (*locals.add(slot), *locals.add(slot + 1)) };
                if Value::both_small_ints(cv, ev) {
                    let c = cv.small_int_unchecked();
                    if c < ev.small_int_unchecked() {
                        push!(cv);
                        // `c < end <= SMALL_INT_MAX`, so `c + 1` is still small.
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *locals.add(slot) = Value::small_int(c + 1) };
                    } else {
                        jump_to!(ins.a);
                    }
                } else {
                    // Bounds outside the inline range (checked to be ints by
                    // `CheckIntBound`).
                    let c = core.heap.as_i64(cv).unwrap_or(0);
                    let e = core.heap.as_i64(ev).unwrap_or(0);
                    if c < e {
                        push!(cv);
                        let next = core.heap.int(c + 1);
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *locals.add(slot) = next };
                    } else {
                        jump_to!(ins.a);
                    }
                }
            }
            Op::Call => {
                adapt!(ins);
                generic_call!(ins);
            }
            Op::Return => {
                let v = pop!();
                let done = match core.frames.pop() {
                    Some(f) => f,
                    None => break Ok(v),
                };
                if core.frames.len() <= stop_depth {
                    break Ok(v);
                }
                let Some(&caller) = core.frames.last() else {
                    break Ok(v);
                };
                // SAFETY: the callee slot sits just below the returning frame's base,
                // inside the caller's operand stack.
                unsafe {
                    sp = stack.add(done.base - 1);
                    *sp = v;
                    sp = sp.add(1);
                    code = codes.add(caller.code as usize);
                    instrs = (*code).instrs.as_ptr();
                    caches = (*code).caches.as_ptr();
                    consts = (*code).consts.as_ptr();
                    ip = instrs.add(caller.pc);
                    locals = stack.add(caller.base);
                }
            }
            Op::BuildArray => replace_top!(ins.a as usize, |items| {
                let mut buf = core.heap.take_vec(items.len());
                buf.extend_from_slice(items);
                Ok::<_, Exception>(core.heap.array(buf))
            }),
            Op::Index => {
                adapt!(ins);
                let i = pop!();
                let c = pop!();
                push!(tri!(ops::index(&mut core.heap, sem, c, i)));
            }
            Op::StoreSubscr => {
                adapt!(ins);
                let i = pop!();
                let c = pop!();
                let v = pop!();
                tri!(ops::store_index(&mut core.heap, sem, c, i, v));
            }
            Op::StoreSubscrArrayInt => {
                let (v, c, i) = (peek!(2), peek!(1), peek!(0));
                if let (Some(arr), Some(k)) = (core.heap.as_array(c), i.as_small_int()) {
                    if k >= 0 && arr.set(k as usize, v) {
                        hit!(ins);
                        // SAFETY: the verifier proved the three operands are on the stack.
                        sp = unsafe { sp.sub(3) };
                        continue;
                    }
                }
                miss!(ins);
                let i = pop!();
                let c = pop!();
                let v = pop!();
                tri!(ops::store_index(&mut core.heap, sem, c, i, v));
            }
            Op::StoreIndex => {
                adapt!(ins);
                let v = pop!();
                let i = pop!();
                let c = pop!();
                tri!(ops::store_index(&mut core.heap, sem, c, i, v));
            }
            Op::CopyN => {
                let v = peek!(ins.a as usize - 1);
                push!(v);
            }
            Op::SwapN => {
                // SAFETY: the verifier proved at least `a` values are on the stack.
                unsafe { core::ptr::swap(sp.sub(1), sp.sub(ins.a as usize)) };
            }
            Op::LoadLocalChecked => {
                // SAFETY: see the comment at the top of `run_loop`.
                let v = unsafe { *locals.add(ins.a as usize) };
                if v.is_empty() {
                    // SAFETY: see the comment at the top of `run_loop`.
                    let name = unsafe { local_name(&*code, ins.a) };
                    break Err(sem.unbound_local(name));
                }
                push!(v);
            }
            Op::DeleteLocal => {
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { *locals.add(ins.a as usize) = Value::EMPTY };
            }
            Op::MakeCell => {
                // SAFETY: see the comment at the top of `run_loop`.
                let v = unsafe { *locals.add(ins.a as usize) };
                let cell = core.heap.alloc(Obj::Cell(core::cell::Cell::new(v)));
                // SAFETY: see the comment at the top of `run_loop`.
                unsafe { *locals.add(ins.a as usize) = cell };
            }
            Op::LoadDeref => {
                // SAFETY: see the comment at the top of `run_loop`.
                let c = unsafe { *locals.add(ins.a as usize) };
                let v = match core.heap.get(c) {
                    Some(Obj::Cell(cell)) => cell.get(),
                    _ => Value::EMPTY,
                };
                if v.is_empty() {
                    // SAFETY: see the comment at the top of `run_loop`.
                    let name = unsafe { local_name(&*code, ins.a) };
                    break Err(sem.unbound_free(name));
                }
                push!(v);
            }
            Op::StoreDeref => {
                let v = pop!();
                // SAFETY: see the comment at the top of `run_loop`.
                let c = unsafe { *locals.add(ins.a as usize) };
                match core.heap.get(c) {
                    Some(Obj::Cell(cell)) => cell.set(v),
                    _ => break Err(Exception::msg("internal error: StoreDeref on a non-cell")),
                }
            }
            Op::CopyFreeVars => {
                if locals == stack {
                    break Err(Exception::msg(
                        "internal error: free variables in the entry code",
                    ));
                }
                // SAFETY: a frame other than the entry frame has its callee just below its
                // locals (see the module docs).
                let f = unsafe { *locals.sub(1) };
                let first = ins.a as usize;
                // SAFETY: see the comment at the top of `run_loop`.
                let nl = unsafe { (*code).num_locals as usize };
                match core.heap.as_function(f) {
                    Some(func) if first + func.cells().len() <= nl => {
                        for (i, &c) in func.cells().iter().enumerate() {
                            // SAFETY: `first + i < num_locals`, checked just above.
                            unsafe { *locals.add(first + i) = c };
                        }
                    }
                    _ => break Err(Exception::msg("internal error: bad free variables")),
                }
            }
            Op::MakeFunction => {
                let cells = if ins.b & 8 != 0 { Some(pop!()) } else { None };
                let kwdefaults = if ins.b & 2 != 0 { Some(pop!()) } else { None };
                let defaults = if ins.b & 1 != 0 { Some(pop!()) } else { None };
                let f = ops::make_function(&mut core.heap, ins.a, defaults, kwdefaults, cells);
                push!(f);
            }
            Op::GetIter => {
                let v = pop!();
                push!(tri!(ops::get_iter(&mut core.heap, sem, v)));
            }
            Op::ForIter => {
                adapt!(ins);
                let it = peek!(0);
                generic_for_iter!(ins, it);
            }
            Op::UnpackSequence | Op::UnpackTuple | Op::UnpackArray | Op::UnpackStore => {
                let v = peek!(0);
                let n = ins.a as usize;
                if ins.op == Op::UnpackStore {
                    // SAFETY: the verifier checked that `n` stores to valid locals follow.
                    if unsafe { ops::unpack_to_locals(&core.heap, v, n, ip, locals) } {
                        hit!(ins);
                        // SAFETY: skips the absorbed stores, which the verifier proved exist.
                        unsafe { (sp, ip) = (sp.sub(1), ip.add(n)) };
                        continue;
                    }
                } else if ins.op == Op::UnpackSequence {
                    adapt!(ins);
                }
                let guard = matches!(
                    (ins.op, core.heap.get(v)),
                    (Op::UnpackSequence, _)
                        | (Op::UnpackTuple, Some(Obj::Tuple(_)))
                        | (Op::UnpackArray, Some(Obj::Array(_)))
                );
                // SAFETY: the instruction's stack effect is `n - 1`, so the verifier proved
                // `n` slots from the operand's own fit in the frame.
                let dst = unsafe { core::slice::from_raw_parts_mut(sp.sub(1), n) };
                let done = guard && ops::unpack_exact(&core.heap, v, dst);
                if matches!(ins.op, Op::UnpackTuple | Op::UnpackArray) {
                    if done {
                        hit!(ins);
                    } else {
                        miss!(ins);
                    }
                }
                if done {
                    // SAFETY: as above.
                    sp = unsafe { sp.sub(1).add(n) };
                    continue;
                }
                // A failed `UnpackStore` leaves the items on the stack for its stores.
                drop_top!();
                core.sp_hint = stack_off!(sp) + 1; // `v` stays rooted
                let items = tri!(ops::unpack(core, sem, v, n));
                for &x in items.iter().rev() {
                    push!(x);
                }
            }
            Op::BuildTuple => replace_top!(ins.a as usize, |items| Ok::<_, Exception>(
                core.heap.tuple_of(items)
            )),
            Op::BuildMap => replace_top!(ins.a as usize * 2, |pairs| sem
                .build_map(&mut core.heap, pairs)),
            Op::BuildMapConstKeys => {
                let keys = pop!();
                replace_top!(ins.a as usize, |values| ops::build_map_const_keys(
                    &mut core.heap,
                    sem,
                    keys,
                    values
                ));
            }
            Op::BuildSlice => replace_top!(ins.a as usize, |parts| sem
                .build_slice(&mut core.heap, parts)),
            Op::BuildString => replace_top!(ins.a as usize, |parts| ops::build_string(
                &mut core.heap,
                parts
            )),
            Op::FormatValue => {
                let spec = if ins.a & 4 != 0 { Some(pop!()) } else { None };
                let v = pop!();
                let conversion = ins.a & 3;
                let r = if conversion == 0 && spec.is_none() && core.heap.as_str(v).is_some() {
                    v
                } else {
                    core.sp_hint = stack_off!(sp) + 1 + usize::from(spec.is_some());
                    tri!(sem.format_value(core, v, conversion, spec))
                };
                push!(r);
            }
            Op::ListAppend => {
                let v = pop!();
                let list = peek!(ins.a as usize - 1);
                match core.heap.as_array(list) {
                    Some(a) => a.push(v),
                    None => break Err(Exception::msg("internal error: ListAppend to a non-list")),
                }
            }
            Op::ListExtend => {
                let src = pop!();
                let list = peek!(ins.a as usize - 1);
                let items = ops::core_sequence(&core.heap, src);
                match (core.heap.as_array(list), items) {
                    (Some(a), Some(items)) => a.extend_from_slice(&items),
                    _ => {
                        core.sp_hint = stack_off!(sp) + 1; // `src` stays rooted
                        tri!(sem.list_extend(core, list, src));
                    }
                }
            }
            Op::MapAdd => {
                let v = pop!();
                let k = pop!();
                let map = peek!(ins.a as usize - 1);
                tri!(sem.map_add(&mut core.heap, map, k, v));
            }
            Op::ListToTuple => {
                let v = pop!();
                push!(tri!(ops::list_to_tuple(&mut core.heap, v)));
            }
            Op::LoadAttr => {
                let obj = pop!();
                // SAFETY: see `const_str`; the constant is a root and objects never move.
                let name = unsafe { const_str(&core.heap, *consts.add(ins.a as usize)) };
                push!(tri!(sem.load_attr(&mut core.heap, obj, name)));
            }
            Op::StoreAttr => {
                let obj = pop!();
                let v = pop!();
                // SAFETY: see `const_str`; the constant is a root and objects never move.
                let name = unsafe { const_str(&core.heap, *consts.add(ins.a as usize)) };
                tri!(sem.store_attr(&mut core.heap, obj, name, v));
            }
            Op::CallMethod | Op::CallMethodKw => {
                let kwnames = if ins.op == Op::CallMethodKw {
                    Some(pop!())
                } else {
                    None
                };
                let argc = (ins.a & 0xFF) as usize;
                // SAFETY: see `const_str`; the constant is a root and objects never move.
                let name = unsafe { const_str(&core.heap, *consts.add((ins.a >> 8) as usize)) };
                let obj = peek!(argc);
                // SAFETY: the verifier proved `argc` arguments are on the stack.
                let args = unsafe { core::slice::from_raw_parts(sp.sub(argc), argc) };
                core.sp_hint = stack_off!(sp) + usize::from(kwnames.is_some());
                let r = tri!(sem.call_method(core, obj, name, args, kwnames));
                // SAFETY: the arguments and the object slot below them are on the stack.
                unsafe {
                    sp = sp.sub(argc);
                    *sp.sub(1) = r;
                }
            }
            Op::CallKw => {
                let kwnames = pop!();
                let argc = ins.a as usize;
                let callee = peek!(argc);
                // SAFETY: the verifier proved `argc` arguments are on the stack.
                let args = unsafe { core::slice::from_raw_parts(sp.sub(argc), argc) };
                let guest = match core.heap.get(callee) {
                    Some(Obj::Function(f)) if (f.code as usize) < core.module.codes.len() => {
                        Some(f.code)
                    }
                    _ => None,
                };
                match guest {
                    Some(code_id) => {
                        let callee_code = &core.module.codes[code_id as usize];
                        let want = callee_code.arg_slots() as usize;
                        let bound = tri!(sem.bind_keywords(
                            &mut core.heap,
                            callee,
                            callee_code,
                            args,
                            kwnames
                        ));
                        if bound.len() != want || want > callee_code.num_locals as usize {
                            break Err(Exception::msg(
                                "internal error: bind_keywords returned the wrong count",
                            ));
                        }
                        // SAFETY: the arguments are on the stack (see above).
                        sp = unsafe { sp.sub(argc) };
                        if stack_off!(sp) + want > core.stack_cap {
                            break Err(sem.stack_overflow());
                        }
                        for v in bound {
                            push!(v);
                        }
                        enter!(code_id, want);
                    }
                    None => {
                        core.sp_hint = stack_off!(sp) + 1; // `kwnames` stays rooted
                        let r = tri!(sem.call_kw(core, callee, args, kwnames));
                        // SAFETY: the arguments and the callee slot below them are on the stack.
                        unsafe {
                            sp = sp.sub(argc);
                            *sp.sub(1) = r;
                        }
                    }
                }
            }
            Op::IsOp => {
                let b = pop!();
                let a = pop!();
                push!(Value::bool((a == b) != (ins.a == 1)));
            }
            Op::ContainsOp => {
                let c = pop!();
                let x = pop!();
                core.sp_hint = stack_off!(sp) + 2; // `c` and `x` stay rooted
                let r = tri!(sem.contains(core, c, x));
                push!(Value::bool(r != (ins.a == 1)));
            }
            Op::Import => {
                // SAFETY: see `const_str`; the constant is a root and objects never move.
                let name = unsafe { const_str(&core.heap, *consts.add(ins.a as usize)) };
                push!(tri!(sem.import(&mut core.heap, name)));
            }
            Op::Raise => {
                let n = ins.a as usize;
                // SAFETY: the verifier proved `n` values are on the stack.
                let args = unsafe { core::slice::from_raw_parts(sp.sub(n), n) };
                break Err(sem.raise(&mut core.heap, args));
            }
            Op::DeleteIndex => {
                let i = pop!();
                let c = pop!();
                tri!(sem.delete_index(&mut core.heap, c, i));
            }

            // ---- Tier-1 specialized forms.
            Op::BinaryAddInt | Op::BinarySubInt | Op::BinaryMulInt => {
                let (a, b) = (peek!(1), peek!(0));
                if Value::both_small_ints(a, b) {
                    let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
                    let r = match ins.op {
                        Op::BinaryAddInt => Some(x + y),
                        Op::BinarySubInt => Some(x - y),
                        _ => x.checked_mul(y),
                    };
                    if let Some(v) = r.and_then(Value::try_small_int) {
                        hit!(ins);
                        drop_top!();
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *sp.sub(1) = v };
                        continue;
                    }
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryDivModInt => {
                let (a, b) = (peek!(1), peek!(0));
                if Value::both_small_ints(a, b) && b.small_int_unchecked() != 0 {
                    let (x, y) = (a.small_int_unchecked(), b.small_int_unchecked());
                    // Inline ints are 48-bit, so none of these overflow an i64.
                    let r = match BinOp::from_u32(ins.a) {
                        Some(BinOp::DivTrunc) => x / y,
                        Some(BinOp::ModTrunc) => x % y,
                        Some(BinOp::FloorDiv) => {
                            let q = x / y;
                            if x % y != 0 && ((x < 0) != (y < 0)) {
                                q - 1
                            } else {
                                q
                            }
                        }
                        _ => ops::floor_mod(x, y),
                    };
                    if let Some(v) = Value::try_small_int(r) {
                        hit!(ins);
                        drop_top!();
                        // SAFETY: see the comment at the top of `run_loop`.
                        unsafe { *sp.sub(1) = v };
                        continue;
                    }
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryAddFloat | Op::BinarySubFloat | Op::BinaryMulFloat => {
                let (a, b) = (peek!(1), peek!(0));
                if a.is_float() && b.is_float() {
                    let (x, y) = (a.float_unchecked(), b.float_unchecked());
                    let r = match ins.op {
                        Op::BinaryAddFloat => x + y,
                        Op::BinarySubFloat => x - y,
                        _ => x * y,
                    };
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = Value::float(r) };
                    continue;
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryFloatMixed => {
                let (a, b) = (peek!(1), peek!(0));
                if a.is_float() || b.is_float() {
                    let x = tier1::number_as_f64(a);
                    let y = tier1::number_as_f64(b);
                    if let (Some(x), Some(y)) = (x, y) {
                        let op = BinOp::from_u32(ins.a).unwrap_or(BinOp::Add);
                        if let Some(r) = ops::float_binary(op, x, y) {
                            hit!(ins);
                            drop_top!();
                            // SAFETY: see the comment at the top of `run_loop`.
                            unsafe { *sp.sub(1) = Value::float(r) };
                            continue;
                        }
                    }
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::BinaryAddStr => {
                let (a, b) = (peek!(1), peek!(0));
                if let Some(v) = ops::concat(&mut core.heap, a, b) {
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = v };
                    continue;
                }
                miss!(ins);
                generic_binary!(ins);
            }
            Op::CompareInt | Op::CompareFloat | Op::CompareStr => {
                let (a, b) = (peek!(1), peek!(0));
                let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
                let r = match ins.op {
                    Op::CompareInt if Value::both_small_ints(a, b) => Some(ops::cmp_ord(
                        op,
                        a.small_int_unchecked().cmp(&b.small_int_unchecked()),
                    )),
                    Op::CompareFloat => tier1::compare_numbers(op, a, b),
                    Op::CompareStr => match (core.heap.as_str(a), core.heap.as_str(b)) {
                        (Some(x), Some(y)) => {
                            Some(ops::cmp_ord(op, x.as_bytes().cmp(y.as_bytes())))
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(r) = r {
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = Value::bool(r) };
                    continue;
                }
                miss!(ins);
                generic_compare!(ins);
            }
            Op::CompareIntJumpIfFalse | Op::CompareFloatJumpIfFalse => {
                let (a, b) = (peek!(1), peek!(0));
                let op = CmpOp::from_u32(ins.a).unwrap_or(CmpOp::Eq);
                let r = if ins.op == Op::CompareIntJumpIfFalse {
                    if Value::both_small_ints(a, b) {
                        Some(ops::cmp_ord(
                            op,
                            a.small_int_unchecked().cmp(&b.small_int_unchecked()),
                        ))
                    } else {
                        None
                    }
                } else {
                    tier1::compare_numbers(op, a, b)
                };
                if let Some(r) = r {
                    hit!(ins);
                    // SAFETY: see the comment at the top of `run_loop`.
                    sp = unsafe { sp.sub(2) };
                    // SAFETY: the verifier checked a fused compare is followed by a
                    // `JumpIfFalse`, whose target it also checked.
                    let jump = unsafe { (*ip).get() };
                    if r {
                        // SAFETY: see the comment at the top of `run_loop`.
                        ip = unsafe { ip.add(1) };
                    } else {
                        jump_to!(jump.a);
                    }
                    continue;
                }
                miss!(ins);
                generic_compare!(ins);
            }
            Op::JumpIfFalseBool | Op::JumpIfTrueBool => {
                let v = peek!(0);
                if let Some(b) = v.as_bool() {
                    hit!(ins);
                    drop_top!();
                    if b == (ins.op == Op::JumpIfTrueBool) {
                        jump_to!(ins.a);
                    }
                    continue;
                }
                miss!(ins);
                cond_jump!(ins, ins.op == Op::JumpIfTrueBool);
            }
            Op::UnaryNegNum => {
                let v = peek!(0);
                let r = if v.is_float() {
                    Some(Value::float(-v.float_unchecked()))
                } else if v.is_small_int() {
                    // The negation of a 48-bit int always fits in 48 bits except for the
                    // minimum, which `try_small_int` rejects.
                    Value::try_small_int(-v.small_int_unchecked())
                } else {
                    None
                };
                if let Some(r) = r {
                    hit!(ins);
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = r };
                    continue;
                }
                miss!(ins);
                let v = pop!();
                push!(tri!(ops::unary(&mut core.heap, sem, UnOp::Neg, v)));
            }
            Op::IndexArrayInt | Op::IndexTupleInt | Op::IndexHost => {
                let (c, i) = (peek!(1), peek!(0));
                let item = match (ins.op, core.heap.get(c)) {
                    (Op::IndexArrayInt, Some(Obj::Array(a))) => i
                        .as_small_int()
                        .and_then(|k| usize::try_from(k).ok())
                        .and_then(|k| a.get(k)),
                    (Op::IndexTupleInt, Some(Obj::Tuple(t))) => i
                        .as_small_int()
                        .and_then(|k| usize::try_from(k).ok())
                        .and_then(|k| t.get(k).copied()),
                    (Op::IndexHost, Some(Obj::Host(h))) => h.index_get(&core.heap, i),
                    _ => None,
                };
                if let Some(v) = item {
                    hit!(ins);
                    drop_top!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *sp.sub(1) = v };
                    continue;
                }
                miss!(ins);
                let i = pop!();
                let c = pop!();
                push!(tri!(ops::index(&mut core.heap, sem, c, i)));
            }
            Op::JumpIfFalseInt | Op::JumpIfTrueInt => {
                let v = peek!(0);
                if v.is_small_int() {
                    hit!(ins);
                    drop_top!();
                    let truthy = v.small_int_unchecked() != 0;
                    if truthy == (ins.op == Op::JumpIfTrueInt) {
                        jump_to!(ins.a);
                    }
                    continue;
                }
                miss!(ins);
                cond_jump!(ins, ins.op == Op::JumpIfTrueInt);
            }
            Op::StoreIndexArrayInt => {
                let (c, i, v) = (peek!(2), peek!(1), peek!(0));
                if let (Some(arr), Some(k)) = (core.heap.as_array(c), i.as_small_int()) {
                    if k >= 0 && arr.set(k as usize, v) {
                        hit!(ins);
                        // SAFETY: see the comment at the top of `run_loop`.
                        sp = unsafe { sp.sub(3) };
                        continue;
                    }
                }
                miss!(ins);
                let v = pop!();
                let i = pop!();
                let c = pop!();
                tri!(ops::store_index(&mut core.heap, sem, c, i, v));
            }
            Op::ForIterRangeStore | Op::ForIterSeqStore => {
                let it = peek!(0);
                let next = match (ins.op, core.heap.get(it)) {
                    (Op::ForIterRangeStore, Some(Obj::RangeIter(r))) => match r.advance() {
                        Some(i) => Value::try_small_int(i).map(Some),
                        None => Some(None),
                    },
                    (Op::ForIterSeqStore, Some(Obj::SeqIter(_))) => {
                        ops::core_iter_next(&mut core.heap, it)
                    }
                    _ => None,
                };
                // A range value outside the inline range was consumed by `advance`; hand
                // it over boxed rather than lose it.
                let next = match next {
                    None if ins.op == Op::ForIterRangeStore => match core.heap.get(it) {
                        Some(Obj::RangeIter(r)) => {
                            let i = r.next.get().wrapping_sub(r.step);
                            Some(Some(core.heap.int(i)))
                        }
                        _ => None,
                    },
                    other => other,
                };
                match next {
                    Some(Some(v)) => {
                        hit!(ins);
                        // SAFETY: the verifier checked a `StoreLocal` follows; skip it.
                        unsafe {
                            let store = (*ip).get();
                            *locals.add(store.a as usize) = v;
                            ip = ip.add(1);
                        }
                        continue;
                    }
                    Some(None) => {
                        hit!(ins);
                        drop_top!();
                        jump_to!(ins.a);
                        continue;
                    }
                    None => {}
                }
                miss!(ins);
                generic_for_iter!(ins, it);
            }
            Op::ForIterRange | Op::ForIterSeq => {
                let it = peek!(0);
                let guard = matches!(
                    (ins.op, core.heap.get(it)),
                    (Op::ForIterRange, Some(Obj::RangeIter(_)))
                        | (Op::ForIterSeq, Some(Obj::SeqIter(_)))
                );
                if guard {
                    hit!(ins);
                } else {
                    miss!(ins);
                }
                generic_for_iter!(ins, it);
            }
            Op::StoreLocalStoreLocal => {
                // SAFETY: the verifier checked the absorbed instruction follows and its
                // operand is valid; both stores' values are on the stack.
                unsafe {
                    let next = (*ip).get();
                    ip = ip.add(1);
                    *locals.add(ins.a as usize) = *sp.sub(1);
                    *locals.add(next.a as usize) = *sp.sub(2);
                    sp = sp.sub(2);
                }
            }
            Op::LoadLocalLoadLocal | Op::LoadLocalLoadInt | Op::StoreLocalLoadLocal => {
                // SAFETY: the verifier checked the absorbed instruction follows and its
                // operand is valid.
                let next = unsafe { (*ip).get() };
                if ins.op == Op::StoreLocalLoadLocal {
                    let v = pop!();
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe { *locals.add(ins.a as usize) = v };
                } else {
                    // SAFETY: see the comment at the top of `run_loop`.
                    push!(unsafe { *locals.add(ins.a as usize) });
                }
                if ins.op == Op::LoadLocalLoadInt {
                    push!(Value::small_int(next.a as i32 as i64));
                } else {
                    // SAFETY: see the comment at the top of `run_loop`.
                    push!(unsafe { *locals.add(next.a as usize) });
                }
                // SAFETY: skips the absorbed instruction, which the verifier proved exists.
                ip = unsafe { ip.add(1) };
            }
            Op::LoadLocalLoadConst | Op::LoadConstLoadLocal => {
                // SAFETY: the verifier checked the absorbed instruction follows; both
                // operands were checked in range.
                let (first, second) = unsafe {
                    let next = (*ip).get();
                    ip = ip.add(1);
                    if ins.op == Op::LoadLocalLoadConst {
                        (*locals.add(ins.a as usize), *consts.add(next.a as usize))
                    } else {
                        (*consts.add(ins.a as usize), *locals.add(next.a as usize))
                    }
                };
                push!(first);
                push!(second);
            }
            Op::LocalIntArith | Op::LocalLocalArith | Op::LocalConstArith => {
                // SAFETY: the verifier checked the two absorbed instructions follow and
                // their operands are valid.
                let (x, y, bin) = unsafe {
                    let (second, bin) = ((*ip).get(), (*ip.add(1)).get());
                    let y = match ins.op {
                        Op::LocalIntArith => Value::small_int(second.a as i32 as i64),
                        Op::LocalConstArith => *consts.add(second.a as usize),
                        _ => *locals.add(second.a as usize),
                    };
                    (*locals.add(ins.a as usize), y, bin)
                };
                if let Some(r) = tier1::inline_arith(bin.a, x, y) {
                    hit!(ins);
                    push!(r);
                    // SAFETY: skips the two absorbed instructions.
                    ip = unsafe { ip.add(2) };
                    continue;
                }
                push!(x);
            }
            Op::LoadLocalIndex => {
                // SAFETY: see the comment at the top of `run_loop`.
                let i = unsafe { *locals.add(ins.a as usize) };
                let c = peek!(0);
                if let Some(k) = i.as_small_int().and_then(|k| usize::try_from(k).ok()) {
                    let item = match core.heap.get(c) {
                        Some(Obj::Array(a)) => a.get(k),
                        Some(Obj::Tuple(t)) => t.get(k).copied(),
                        _ => None,
                    };
                    if let Some(v) = item {
                        hit!(ins);
                        // SAFETY: the top is on the stack; skips the absorbed `Index`.
                        unsafe {
                            *sp.sub(1) = v;
                            ip = ip.add(1);
                        }
                        continue;
                    }
                }
                push!(i);
            }
            Op::LocalIntCompareJump | Op::LocalLocalCompareJump => {
                // SAFETY: the verifier checked the three absorbed instructions follow and
                // their operands are valid.
                let (x, y, cmp, jump) = unsafe {
                    let (second, cmp, jump) = ((*ip).get(), (*ip.add(1)).get(), (*ip.add(2)).get());
                    let y = if ins.op == Op::LocalIntCompareJump {
                        Value::small_int(second.a as i32 as i64)
                    } else {
                        *locals.add(second.a as usize)
                    };
                    (*locals.add(ins.a as usize), y, cmp, jump)
                };
                if let Some(r) = tier1::inline_compare(cmp.a, x, y) {
                    hit!(ins);
                    if r {
                        // SAFETY: skips the three absorbed instructions.
                        ip = unsafe { ip.add(3) };
                    } else {
                        jump_to!(jump.a);
                    }
                    continue;
                }
                push!(x);
            }
            Op::ReturnLocal => {
                // SAFETY: see the comment at the top of `run_loop`.
                push!(unsafe { *locals.add(ins.a as usize) });
                // The absorbed `Return` runs next, as itself.
            }
            Op::LoadLocalArith | Op::LoadIntArith | Op::LoadConstArith => {
                // SAFETY: see the comment at the top of `run_loop`.
                let b = unsafe {
                    match ins.op {
                        Op::LoadLocalArith => *locals.add(ins.a as usize),
                        Op::LoadConstArith => *consts.add(ins.a as usize),
                        _ => Value::small_int(ins.a as i32 as i64),
                    }
                };
                // SAFETY: the verifier checked a `Binary` follows.
                let bin = unsafe { (*ip).get() };
                if let Some(r) = tier1::inline_arith(bin.a, peek!(0), b) {
                    hit!(ins);
                    // SAFETY: see the comment at the top of `run_loop`.
                    unsafe {
                        *sp.sub(1) = r;
                        ip = ip.add(1);
                    }
                    continue;
                }
                push!(b);
            }
            Op::LoadIntCompareJump => {
                let b = Value::small_int(ins.a as i32 as i64);
                // SAFETY: the verifier checked a `Compare` and a `JumpIfFalse` follow.
                let (cmp, jump) = unsafe { ((*ip).get(), (*ip.add(1)).get()) };
                if let Some(r) = tier1::inline_compare(cmp.a, peek!(0), b) {
                    hit!(ins);
                    drop_top!();
                    if r {
                        // SAFETY: skips the absorbed compare and jump.
                        ip = unsafe { ip.add(2) };
                    } else {
                        jump_to!(jump.a);
                    }
                    continue;
                }
                push!(b);
            }
            Op::CallFunctionExact => {
                let argc = ins.a as usize;
                let callee = peek!(argc);
                let want = cache_of!(ins).get().aux;
                if let Some(f) = core.heap.as_function(callee) {
                    if f.code == want {
                        hit!(ins);
                        enter!(want, argc);
                        continue;
                    }
                }
                miss!(ins);
                generic_call!(ins);
            }
            Op::CallNative => {
                let argc = ins.a as usize;
                let callee = peek!(argc);
                if let Some(Obj::Native(n)) = core.heap.get(callee) {
                    hit!(ins);
                    let id = n.id;
                    // SAFETY: the verifier proved `argc` arguments are on the stack.
                    let args = unsafe { core::slice::from_raw_parts(sp.sub(argc), argc) };
                    core.sp_hint = stack_off!(sp);
                    let r = tri!(sem.call_native(core, id, args));
                    // SAFETY: see the comment at the top of `run_loop`.
                    sp = unsafe { sp.sub(argc) };
                    // SAFETY: the callee slot is just below the arguments.
                    unsafe { *sp.sub(1) = r };
                    continue;
                }
                miss!(ins);
                generic_call!(ins);
            }
        }
    };
    match result {
        Ok(v) => Ok(v),
        Err(mut e) => {
            if e.traceback.is_empty() {
                let pc = pc_of!(ip).saturating_sub(1);
                e.traceback = core.traceback(pc);
            }
            core.frames.truncate(stop_depth);
            Err(e)
        }
    }
}
