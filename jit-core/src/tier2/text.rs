//! The text form of a trace: the printer behind `--dump uops`, and a parser that reads it
//! back (for golden tests and hand-written traces).
//!
//! ```text
//! trace 0 root at main:4 (code 0, header 3, start 3)
//!   assumes global 1 unchanged
//!   const k0 = 1
//!   0000  v0 = LOAD_SLOT #0
//!   0001  v1 = CONST #0
//!   0002  GUARD_BOTH_INT v0, v1 -> e0
//!   0003  v2 = ADD_INT v0, v1 -> e1
//!   0004  LOOP #2
//!   exit e0 guard s0
//!   exit e1 overflow s1
//!   snap s0 pc 3 sp 2 [] frames []
//!   snap s1 pc 3 sp 2 [] frames []
//!   snap s2 pc 3 sp 2 [0=v2] frames []
//! ```
//!
//! Values print as `v3`, as in `Debug`; a uop's inputs come first, then its immediates
//! (`#n`), then its exit. A snapshot lists `slot=value` pairs and its virtual frames as
//! `code/base/return-pc`. Constants print as the language-neutral form of their value;
//! the parser reads back ints, floats, `nil`, `true`, `false` and `<empty>`, and any other
//! constant (a string, a function) as `nil`, since it cannot allocate.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use super::exits::{ExitDesc, Snapshot, VFrame};
use super::table::{ExitKind, Ty, Uop};
use super::{Assumption, Inst, Trace, TraceKind, NO_EXIT, V};
use crate::bytecode::Module;
use crate::heap::{Heap, Obj};
use crate::value::Value;

/// The text form of `trace` (number `index` in its tree) without the program: constants
/// that are objects print as `<object>`, and global names are left out.
pub fn print_trace_plain(trace: &Trace, index: u32) -> String {
    let mut out = String::new();
    print_with(trace, index, None, &mut out);
    out
}

/// Appends the text form of `trace` (number `index` in its tree) to `out`, naming
/// constants and globals from `module` and `heap`.
pub fn print_trace(trace: &Trace, index: u32, module: &Module, heap: &Heap, out: &mut String) {
    print_with(trace, index, Some((module, heap)), out);
}

fn print_with(trace: &Trace, index: u32, names: Option<(&Module, &Heap)>, out: &mut String) {
    let kind = match trace.kind {
        TraceKind::Root => "root".to_string(),
        TraceKind::Side { parent, exit } => alloc::format!("side of {parent} exit e{exit}"),
    };
    let _ = writeln!(
        out,
        "trace {index} {kind} at {} (code {}, header {}, start {})",
        trace.origin, trace.code, trace.header_pc, trace.start_pc
    );
    for a in &trace.assumptions {
        match a {
            Assumption::GlobalUnchanged(g) => {
                let _ = write!(out, "  assumes global {g} unchanged");
                if let Some((module, _)) = names {
                    let name = module.global_names.get(*g as usize);
                    let _ = write!(out, " ; {}", name.map_or("?", String::as_str));
                }
                out.push('\n');
            }
        }
    }
    for (k, &c) in trace.consts.iter().enumerate() {
        let _ = writeln!(out, "  const k{k} = {}", const_text(c, names));
    }
    for (n, inst) in trace.insts.iter().enumerate() {
        let _ = write!(out, "  {n:04}  ");
        print_inst(inst, out);
        out.push('\n');
    }
    for (n, e) in trace.exits.iter().enumerate() {
        let _ = write!(out, "  exit e{n} {} s{}", e.kind.name(), e.snapshot);
        // Where a trace stops, name the instruction it could not express.
        if let (ExitKind::Stop, Some((module, _))) = (e.kind, names) {
            if let Some(s) = trace.snapshots.get(e.snapshot as usize) {
                let code = module.codes.get(s.innermost_code(trace.code) as usize);
                if let Some(code) = code.filter(|c| (s.pc as usize) < c.len()) {
                    let ins = code.instr(s.pc as usize);
                    let line = code.loc(s.pc as usize).line;
                    let _ = write!(out, " ; {} in {}:{line}", ins.op.name(), code.name);
                }
            }
        }
        out.push('\n');
    }
    for (n, s) in trace.snapshots.iter().enumerate() {
        let _ = write!(out, "  snap s{n} pc {} sp {} [", s.pc, s.sp);
        for (i, (slot, v)) in s.slots.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{slot}={v}");
        }
        out.push_str("] frames [");
        for (i, f) in s.frames.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{}/{}/{}", f.code, f.base, f.ret_pc);
        }
        out.push_str("]\n");
    }
}

/// Appends one uop: `v2 = ADD_INT v0, v1 -> e1`.
pub fn print_inst(inst: &Inst, out: &mut String) {
    if inst.out != V::NONE {
        let _ = write!(out, "{} = ", inst.out);
    }
    out.push_str(inst.op.name());
    let mut first = true;
    let mut sep = |out: &mut String| {
        out.push_str(if first { " " } else { ", " });
        first = false;
    };
    for v in &inst.args[..inst.op.inputs().len()] {
        sep(out);
        let _ = write!(out, "{v}");
    }
    for i in &inst.imm[..inst.op.imms().len()] {
        sep(out);
        let _ = write!(out, "#{i}");
    }
    if inst.exit != NO_EXIT {
        let _ = write!(out, " -> e{}", inst.exit);
    }
}

fn const_text(v: Value, names: Option<(&Module, &Heap)>) -> String {
    if let Some(i) = v.as_small_int() {
        return i.to_string();
    }
    if v.is_float() {
        let f = v.float_unchecked();
        let mut s = alloc::format!("{f:?}");
        if f.is_finite() && !s.contains(['.', 'e']) {
            s.push_str(".0");
        }
        return s;
    }
    if let Some(b) = v.as_bool() {
        return (if b { "true" } else { "false" }).to_string();
    }
    if v.is_nil() {
        return "nil".to_string();
    }
    if v.is_empty() {
        return "<empty>".to_string();
    }
    let Some((module, heap)) = names else {
        return "<object>".to_string();
    };
    match heap.get(v) {
        Some(Obj::Str(_)) => alloc::format!("{:?}", heap.as_str(v).unwrap_or("")),
        Some(Obj::Function(f)) => {
            let name = module
                .codes
                .get(f.code as usize)
                .map_or("?", |c| c.name.as_str());
            alloc::format!("<function {name}>")
        }
        Some(Obj::Native(n)) => alloc::format!("<builtin {}>", n.id),
        _ => "<object>".to_string(),
    }
}

/// A line the parser could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a trace in the printer's form (one trace; its index is ignored).
pub fn parse_trace(text: &str) -> Result<Trace, ParseError> {
    let mut t = Trace {
        kind: TraceKind::Root,
        code: 0,
        header_pc: 0,
        start_pc: 0,
        insts: Vec::new(),
        consts: Vec::new(),
        snapshots: Vec::new(),
        exits: Vec::new(),
        n_values: 0,
        assumptions: Vec::new(),
        exit_facts: Vec::new(),
        origin: String::new(),
    };
    let mut seen_header = false;
    for (n, raw) in text.lines().enumerate() {
        let err = |m: &str| ParseError {
            line: n + 1,
            message: m.to_string(),
        };
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("trace ") {
            if seen_header {
                return Err(err("a second trace"));
            }
            seen_header = true;
            parse_header(rest, &mut t).ok_or_else(|| err("bad trace header"))?;
        } else if let Some(rest) = line.strip_prefix("assumes global ") {
            let g = rest.split_whitespace().next().and_then(|g| g.parse().ok());
            let g = g.ok_or_else(|| err("bad assumption"))?;
            t.assumptions.push(Assumption::GlobalUnchanged(g));
        } else if let Some(rest) = line.strip_prefix("const k") {
            let (_, value) = rest.split_once(" = ").ok_or_else(|| err("bad constant"))?;
            t.consts.push(parse_const(value));
        } else if let Some(rest) = line.strip_prefix("exit e") {
            let mut w = rest.split_whitespace();
            let (_, kind, snap) = (w.next(), w.next(), w.next());
            let kind = kind
                .and_then(exit_kind)
                .ok_or_else(|| err("bad exit reason"))?;
            let snapshot = snap
                .and_then(|s| s.strip_prefix('s'))
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| err("bad exit snapshot"))?;
            t.exits.push(ExitDesc { kind, snapshot });
        } else if let Some(rest) = line.strip_prefix("snap s") {
            t.snapshots
                .push(parse_snapshot(rest).ok_or_else(|| err("bad snapshot"))?);
        } else if line.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            let body = line.split_once(char::is_whitespace).map_or("", |p| p.1);
            let inst = parse_inst(body.trim()).map_err(|m| err(&m))?;
            if inst.out != V::NONE {
                t.n_values = t.n_values.max(inst.out.0 + 1);
            }
            t.insts.push(inst);
        } else {
            return Err(err("not part of a trace"));
        }
    }
    if !seen_header {
        return Err(ParseError {
            line: 1,
            message: "no trace header".to_string(),
        });
    }
    Ok(t)
}

fn parse_header(rest: &str, t: &mut Trace) -> Option<()> {
    // `N root at ORIGIN (code C, header H, start S)` or `N side of P exit eE at ...`.
    let (_, rest) = rest.split_once(' ')?;
    let (kind, rest) = rest.split_once(" at ")?;
    t.kind = if kind == "root" {
        TraceKind::Root
    } else {
        let k = kind.strip_prefix("side of ")?;
        let (p, e) = k.split_once(" exit e")?;
        TraceKind::Side {
            parent: p.parse().ok()?,
            exit: e.parse().ok()?,
        }
    };
    let (origin, nums) = rest.rsplit_once(" (")?;
    t.origin = origin.to_string();
    let nums = nums.strip_suffix(')')?;
    for part in nums.split(", ") {
        let (k, v) = part.split_once(' ')?;
        let v: u32 = v.parse().ok()?;
        match k {
            "code" => t.code = v,
            "header" => t.header_pc = v,
            "start" => t.start_pc = v,
            _ => return None,
        }
    }
    Some(())
}

fn exit_kind(name: &str) -> Option<ExitKind> {
    [
        ExitKind::Guard,
        ExitKind::Branch,
        ExitKind::Overflow,
        ExitKind::Error,
        ExitKind::Stop,
        ExitKind::Invalidated,
        ExitKind::Hoisted,
    ]
    .into_iter()
    .find(|k| k.name() == name)
}

fn parse_value(s: &str) -> Option<V> {
    s.strip_prefix('v')?.parse().ok().map(V)
}

fn parse_const(s: &str) -> Value {
    match s {
        "nil" => Value::NIL,
        "true" => Value::TRUE,
        "false" => Value::FALSE,
        "<empty>" => Value::EMPTY,
        _ => {
            if let Ok(i) = s.parse::<i64>() {
                Value::try_small_int(i).unwrap_or(Value::NIL)
            } else if let Ok(f) = s.parse::<f64>() {
                Value::float(f)
            } else {
                Value::NIL
            }
        }
    }
}

fn parse_inst(s: &str) -> Result<Inst, String> {
    let (out, rest) = match s.split_once(" = ") {
        Some((o, r)) => (parse_value(o).ok_or("bad output value")?, r),
        None => (V::NONE, s),
    };
    let (rest, exit) = match rest.split_once(" -> e") {
        Some((r, e)) => (r, e.parse::<u32>().map_err(|_| "bad exit")?),
        None => (rest, NO_EXIT),
    };
    let (name, operands) = rest.split_once(' ').unwrap_or((rest, ""));
    let op = Uop::from_name(name).ok_or_else(|| alloc::format!("unknown uop {name}"))?;
    let mut args = [V::NONE; 3];
    let mut imm = [0u32; 4];
    let (mut na, mut ni) = (0, 0);
    for w in operands
        .split(", ")
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        if let Some(i) = w.strip_prefix('#') {
            *imm.get_mut(ni).ok_or("too many immediates")? =
                i.parse().map_err(|_| "bad immediate")?;
            ni += 1;
        } else {
            *args.get_mut(na).ok_or("too many inputs")? = parse_value(w).ok_or("bad input")?;
            na += 1;
        }
    }
    if na != op.inputs().len() || ni != op.imms().len() {
        return Err(alloc::format!(
            "{name} takes {} inputs and {} immediates",
            op.inputs().len(),
            op.imms().len()
        ));
    }
    if (out == V::NONE) != (op.output() == Ty::Unit) {
        return Err(alloc::format!("{name}: output does not match the table"));
    }
    Ok(Inst {
        op,
        out,
        args,
        imm,
        exit,
    })
}

fn parse_snapshot(rest: &str) -> Option<Snapshot> {
    // `N pc P sp SP [slot=v ...] frames [c/b/r ...]`
    let (head, tail) = rest.split_once(" [")?;
    let mut w = head.split_whitespace();
    let _n = w.next()?;
    if w.next()? != "pc" {
        return None;
    }
    let pc = w.next()?.parse().ok()?;
    if w.next()? != "sp" {
        return None;
    }
    let sp = w.next()?.parse().ok()?;
    let (slots_text, frames_text) = tail.split_once("] frames [")?;
    let frames_text = frames_text.strip_suffix(']')?;
    let mut slots = Vec::new();
    for p in slots_text.split_whitespace() {
        let (slot, v) = p.split_once('=')?;
        slots.push((slot.parse().ok()?, parse_value(v)?));
    }
    let mut frames = Vec::new();
    for f in frames_text.split_whitespace() {
        let mut it = f.split('/');
        frames.push(VFrame {
            code: it.next()?.parse().ok()?,
            base: it.next()?.parse().ok()?,
            ret_pc: it.next()?.parse().ok()?,
        });
    }
    Some(Snapshot {
        pc,
        sp,
        slots,
        frames,
    })
}
