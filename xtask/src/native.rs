//! The native backends as `cargo xtask run` makes them, and what it shows of their code:
//! `--dump asm` disassembles every trace a native backend compiles (each uop's stretch
//! marked with the uop, and its stencils), `--dump clif` prints the Cranelift IR of each
//! trace, `--perf-map` writes `/tmp/perf-PID.map` so that `perf report` names the traces,
//! `--compare-compile` has the other native backend compile the same traces, timed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use backend_cranelift::CraneliftCompiler;
use backend_stencil::executor::StencilCompiler;
use backend_stencil::mmap::MmapMemory;
use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
use jit_core::jit::Backend;
use jit_core::native::{CodeEvent, Compare, NativeBackend, TraceCompiler};

static DUMP_ASM: AtomicBool = AtomicBool::new(false);
static DUMP_CLIF: AtomicBool = AtomicBool::new(false);
static PERF_MAP: AtomicBool = AtomicBool::new(false);
static COMPARE: AtomicBool = AtomicBool::new(false);

/// Turns `--dump asm`, `--dump clif`, `--perf-map` and `--compare-compile` on for the
/// backends made from now on.
pub fn configure(dump_asm: bool, dump_clif: bool, perf_map: bool, compare: bool) {
    DUMP_ASM.store(dump_asm, Ordering::Relaxed);
    DUMP_CLIF.store(dump_clif, Ordering::Relaxed);
    PERF_MAP.store(perf_map, Ordering::Relaxed);
    COMPARE.store(compare, Ordering::Relaxed);
}

/// True when some dump or the perf map wants to see the code.
fn listening() -> bool {
    [&DUMP_ASM, &DUMP_CLIF, &PERF_MAP]
        .iter()
        .any(|f| f.load(Ordering::Relaxed))
}

/// The Cranelift compiler over the operating system's memory, giving its IR when
/// `--dump clif` asked.
fn cranelift() -> Option<CraneliftCompiler<MmapMemory>> {
    match CraneliftCompiler::new(MmapMemory::new()) {
        Ok(c) if DUMP_CLIF.load(Ordering::Relaxed) => Some(c.with_ir()),
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("warning: the Cranelift backend cannot start ({e})");
            None
        }
    }
}

/// The backend of `compiler`, reporting its code as `configure` asked.
fn backend_of<C: TraceCompiler + 'static>(compiler: C) -> Box<dyn Backend> {
    let mut b = NativeBackend::new(compiler);
    if listening() {
        b.set_listener(on_code);
    }
    Box::new(b)
}

/// `compiler`'s backend; with `--compare-compile`, `other` compiles the same traces for
/// the comparison of compile times.
fn compared<A, B>(compiler: A, other: impl FnOnce() -> Option<B>) -> Box<dyn Backend>
where
    A: TraceCompiler + 'static,
    B: TraceCompiler + 'static,
{
    if COMPARE.load(Ordering::Relaxed) {
        if let Some(o) = other() {
            return backend_of(Compare::new(compiler, o));
        }
    }
    backend_of(compiler)
}

/// The Cranelift backend (`RunConfig::backend`); the uop interpreter where Cranelift
/// cannot start (`--mode cranelift` is refused before this where it has no ISA).
pub fn cranelift_backend() -> Box<dyn Backend> {
    match cranelift() {
        Some(c) => compared(c, || StencilCompiler::new(MmapMemory::new())),
        None => Box::new(jit_core::tier2::UopBackend),
    }
}

/// The stencil backend (`RunConfig::backend`).
pub fn stencil_backend() -> Box<dyn Backend> {
    // `--mode stencil` is refused before this on a build without stencils.
    match StencilCompiler::new(MmapMemory::new()) {
        Some(c) => compared(c, cranelift),
        None => Box::new(jit_core::tier2::UopBackend),
    }
}

fn on_code(e: &CodeEvent<'_>) {
    if let (true, Some(ir)) = (DUMP_CLIF.load(Ordering::Relaxed), e.ir) {
        let kind = if e.trace == 0 { "root" } else { "side" };
        eprint!(
            "== clif: {} trace {} ({kind}) ==\n{ir}",
            e.executor, e.trace
        );
    }
    if DUMP_ASM.load(Ordering::Relaxed) {
        eprint!("{}", disassemble(e));
    }
    if PERF_MAP.load(Ordering::Relaxed) {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        let line = format!(
            "{:x} {:x} {}#{}\n",
            e.addr,
            e.code.len(),
            e.executor,
            e.trace
        );
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path);
        if let Err(err) = file.and_then(|mut f| f.write_all(line.as_bytes())) {
            eprintln!("warning: cannot write {path}: {err}");
        }
    }
}

/// A trace's machine code, Intel syntax, each stretch under its mark.
pub fn disassemble(e: &CodeEvent<'_>) -> String {
    let mut out = String::new();
    let kind = if e.trace == 0 { "root" } else { "side" };
    let _ = writeln!(
        out,
        "== asm: {} trace {} ({kind}), {} bytes at {:#x} ==",
        e.executor,
        e.trace,
        e.code.len(),
        e.addr
    );
    let mut formatter = IntelFormatter::new();
    formatter
        .options_mut()
        .set_space_after_operand_separator(true);
    formatter.options_mut().set_hex_prefix("0x");
    formatter.options_mut().set_hex_suffix("");
    // Code ends where the last stub does; what follows is data and veneers.
    let code_end = e.insts_len.min(e.code.len());
    let mut decoder =
        Decoder::with_ip(64, &e.code[..code_end], e.addr as u64, DecoderOptions::NONE);
    let mut marks = e.marks.iter().peekable();
    let mut ins = Instruction::default();
    let mut text = String::new();
    while decoder.can_decode() {
        decoder.decode_out(&mut ins);
        let off = ins.ip() as usize - e.addr;
        while let Some((_, label)) = marks.next_if(|(o, _)| *o <= off) {
            let _ = writeln!(out, "  ; {label}");
        }
        text.clear();
        formatter.format(&ins, &mut text);
        let _ = writeln!(out, "    {off:05x}  {text}");
    }
    if code_end < e.code.len() {
        let _ = writeln!(
            out,
            "    {code_end:05x}  ({} bytes of read-only data and veneers)",
            e.code.len() - code_end
        );
    }
    out
}
