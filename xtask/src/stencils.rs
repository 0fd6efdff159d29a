//! `cargo xtask stencils`: lists the stencils `backend-stencil` built (size, data,
//! holes), or disassembles one with `iced-x86`, its holes named at their offsets.

use std::fmt::Write as _;

use backend_stencil::hole::{Hole, Patch, Symbol};
use backend_stencil::stencil::{self, Stencil};
use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, OpKind};

/// Arguments of `cargo xtask stencils`.
#[derive(clap::Args, Debug)]
pub struct StencilsArgs {
    /// The stencil to disassemble; without it, every stencil is listed.
    name: Option<String>,
}

/// Runs the subcommand; returns the exit status.
pub fn main(args: &StencilsArgs) -> i32 {
    if !stencil::supported() {
        eprintln!("error: stencils are built for x86-64 Linux only; this build has none");
        return 1;
    }
    match &args.name {
        None => {
            print!("{}", list(stencil::all()));
            0
        }
        Some(name) => match stencil::get(name) {
            Some(s) => {
                print!("{}", disassemble(s));
                0
            }
            None => {
                eprintln!("error: no stencil named `{name}` (`cargo xtask stencils` lists them)");
                2
            }
        },
    }
}

/// A hole as `SYMBOL@OFFSET`.
fn hole_brief(h: &Hole) -> String {
    format!("{}@{}", h.symbol, h.offset)
}

/// The table of every stencil.
fn list(stencils: &[Stencil]) -> String {
    let width = stencils
        .iter()
        .map(|s| s.name().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(out, "{:width$}  CODE  DATA  HOLES", "NAME");
    let (mut code, mut data) = (0, 0);
    for s in stencils {
        code += s.code().len();
        data += s.data().len();
        let holes: Vec<String> = s.holes().iter().map(hole_brief).collect();
        let tail = if s.ends_in_continue_jmp() {
            " (tail jmp)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:width$}  {:4}  {:4}  {}{tail}",
            s.name(),
            s.code().len(),
            s.data().len(),
            holes.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "{} stencils, {code} bytes of code, {data} bytes of data; a tail jmp to the next \
         stencil (5 bytes) is deleted when stitched",
        stencils.len()
    );
    out
}

/// How a hole reads in the disassembly: its symbol, and the offset in the data for data.
fn hole_text(h: &Hole, ins: &Instruction) -> String {
    // The addend is relative to the hole; the offset it aims at is relative to the end
    // of the instruction (a PC-relative field) or absolute.
    let field_to_end = ins.next_ip() as i64 - i64::from(h.offset);
    let off = match h.patch {
        Patch::Abs64 => h.addend,
        Patch::Branch32 | Patch::Data32 => h.addend + field_to_end,
    };
    match (h.symbol, off) {
        (Symbol::Data, o) => format!("<data>+{o}"),
        (s, 0) => s.to_string(),
        (s, o) => format!("{s}{o:+}"),
    }
}

/// The disassembly of one stencil, holes marked.
fn disassemble(s: &Stencil) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} bytes of code, {} bytes of data, {} holes, {} operands",
        s.name(),
        s.code().len(),
        s.data().len(),
        s.holes().len(),
        s.operands()
    );
    if s.ends_in_continue_jmp() {
        out.push_str("ends in `jmp _JIT_CONTINUE`, deleted when the next stencil follows\n");
    }
    out.push('\n');
    let mut formatter = IntelFormatter::new();
    formatter
        .options_mut()
        .set_space_after_operand_separator(true);
    formatter.options_mut().set_hex_prefix("0x");
    formatter.options_mut().set_hex_suffix("");
    // A RIP-relative operand's displacement is a hole: show `[rip+0]`, not an address.
    formatter.options_mut().set_rip_relative_addresses(true);
    let mut decoder = Decoder::with_ip(64, s.code(), 0, DecoderOptions::NONE);
    let mut ins = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut ins);
        let start = ins.ip() as usize;
        let end = ins.next_ip() as usize;
        let holes: Vec<&Hole> = s
            .holes()
            .iter()
            .filter(|h| (start..end).contains(&(h.offset as usize)))
            .collect();
        let mut text = String::new();
        let branch = holes.iter().find(|h| h.patch == Patch::Branch32);
        match branch {
            Some(h) if ins.op0_kind() == OpKind::NearBranch64 => {
                formatter.format_mnemonic(&ins, &mut text);
                let _ = write!(text, " {}", hole_text(h, &ins));
            }
            _ => formatter.format(&ins, &mut text),
        }
        let bytes: Vec<String> = s.code()[start..end]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut line = format!("  {start:04x}  {:<30} {text}", bytes.join(" "));
        for h in &holes {
            let pad = 72usize.saturating_sub(line.len());
            let _ = write!(
                line,
                "{:pad$} ; hole +{}: {:?} {}",
                "",
                h.offset,
                h.patch,
                hole_text(h, &ins)
            );
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !s.data().is_empty() {
        let _ = writeln!(out, "\n<data> (aligned to {}):", s.data_align());
        for (i, chunk) in s.data().chunks(16).enumerate() {
            let bytes: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(out, "  {:04x}  {}", i * 16, bytes.join(" "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_stencil_and_its_holes() {
        if !stencil::supported() {
            return;
        }
        let text = list(stencil::all());
        assert!(text.starts_with("NAME"), "{text}");
        let add = text
            .lines()
            .find(|l| l.starts_with("add_i0_i1 "))
            .expect("add_i0_i1 listed");
        assert!(
            add.contains("_JIT_EXIT@8 _JIT_CONTINUE@16 (tail jmp)"),
            "{add}"
        );
    }

    #[test]
    fn the_disassembly_shows_the_holes_at_their_instructions() {
        if !stencil::supported() {
            return;
        }
        let text = disassemble(stencil::get("add_i0_i1").unwrap());
        assert!(text.contains("jo _JIT_EXIT"), "{text}");
        assert!(text.contains("jmp _JIT_CONTINUE"), "{text}");
        assert!(text.contains("; hole +8: Branch32 _JIT_EXIT"), "{text}");
        let text = disassemble(stencil::get("load_i0").unwrap());
        assert!(text.contains("; hole +2: Abs64 _JIT_OPERAND0"), "{text}");
        let text = disassemble(stencil::get("fhalve_f0").unwrap());
        assert!(
            text.contains("<data>+0") && text.contains("<data>+8"),
            "{text}"
        );
        assert!(text.contains("<data> (aligned to 8):"), "{text}");
    }
}
