//! The stencil compiler's back half: compiles the stencil sources with rustc, reads the
//! object file, checks that every stencil keeps the rules the patcher relies on, and
//! renders the table of stencils as Rust source.
//!
//! `build.rs` includes this file (`#[path]`) and the crate compiles it only for its unit
//! tests, which feed hand-written stencils through the same rustc to check that each
//! broken rule fails with a message naming the stencil. See the crate docs for the ABI.

use std::fmt::{self, Write as _};
use std::path::Path;
use std::process::Command;

use object::elf;
use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionIndex,
    SectionKind, SymbolKind, SymbolSection,
};

use crate::hole::{Hole, Patch, Symbol, HOLE_PREFIX};

/// The rustc flags every stencil compile uses (besides `--target`, the source and `-o`).
pub const RUSTC_FLAGS: &[&str] = &[
    "--edition=2021",
    "--crate-type=lib",
    "--crate-name=stencils",
    "--emit=obj",
    "-Copt-level=3",
    "-Crelocation-model=static",
    // The code model, and why: `medium` is the one that gives every kind of hole the
    // instruction it needs.
    //
    // - `small` assumes every symbol's address fits in 32 bits: an operand
    //   (`&raw const _JIT_OPERAND0 as u64`) becomes `mov r32, imm32` with `R_X86_64_32`,
    //   which cannot hold a 64-bit value.
    // - `large` assumes nothing is in reach: operands become `movabs` (good), but so do the
    //   continuation, the exits and every float constant, so each `jmp` is `movabs r11;
    //   jmp r11` and a guard cannot jump to its exit directly (`jno` over an indirect jump).
    // - `medium` keeps code in reach and treats large data as far. Calls and jumps to
    //   external functions are `jmp`/`jcc`/`call` rel32 (`R_X86_64_PLT32`): the
    //   continuation is a plain `jmp` the patcher can delete, and a guard is one `jo`/`jne`
    //   straight to `_JIT_EXIT`. Holes declared as zero-sized statics (`[u8; 0]`) count as
    //   large data (LLVM treats a global of size 0 as large), so their address is a
    //   `movabs` immediate (`R_X86_64_64`): 64 bits, exactly. Constants in `.rodata.cst*`
    //   are small, reached RIP-relative (`R_X86_64_PC32`), and copied with the trace.
    "-Ccode-model=medium",
    "-Cpanic=abort",
    // One object file, and function sections (rustc's default for ELF): each stencil is
    // its own `.text.NAME` section with its own relocations.
    "-Ccodegen-units=1",
    "-Cdebuginfo=0",
    "-Cdebug-assertions=off",
    "-Coverflow-checks=off",
];

/// True for the targets the stencils are built for: x86-64 Linux.
pub fn supported_target(target: &str) -> bool {
    target.starts_with("x86_64-") && target.contains("-linux-")
}

/// Compiles the stencil crate rooted at `src` into the object file `out`, with `rustc`
/// for `target`. Returns rustc's diagnostics (warnings), or its error output.
pub fn compile(rustc: &str, target: &str, src: &Path, out: &Path) -> Result<String, String> {
    let output = Command::new(rustc)
        .args(RUSTC_FLAGS)
        .arg(format!("--target={target}"))
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(stderr)
    } else {
        Err(stderr)
    }
}

/// One stencil as read from the object file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StencilDef {
    /// Its symbol name.
    pub name: String,
    /// Its machine code, holes zeroed.
    pub code: Vec<u8>,
    /// Its read-only data (the `.rodata` sections it references, concatenated).
    pub data: Vec<u8>,
    /// The alignment the data needs.
    pub data_align: u64,
    /// Its holes, by offset.
    pub holes: Vec<Hole>,
    /// One more than the highest operand hole it uses.
    pub operands: u8,
    /// True when the code ends with `jmp _JIT_CONTINUE` (five bytes), which the patcher
    /// deletes when the next stencil follows.
    pub tail_jmp: bool,
}

/// A rule a stencil broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StencilError {
    /// The stencil (`<object>` for a problem with the file).
    pub stencil: String,
    /// What is wrong, and what to do about it.
    pub message: String,
}

impl fmt::Display for StencilError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stencil `{}`: {}", self.stencil, self.message)
    }
}

/// The name of an x86-64 ELF relocation type, for messages.
fn reloc_name(r_type: elf::RelocationType) -> String {
    let name = match r_type {
        elf::R_X86_64_64 => "R_X86_64_64",
        elf::R_X86_64_PC32 => "R_X86_64_PC32",
        elf::R_X86_64_GOT32 => "R_X86_64_GOT32",
        elf::R_X86_64_PLT32 => "R_X86_64_PLT32",
        elf::R_X86_64_GOTPCREL => "R_X86_64_GOTPCREL",
        elf::R_X86_64_32 => "R_X86_64_32",
        elf::R_X86_64_32S => "R_X86_64_32S",
        elf::R_X86_64_TPOFF32 => "R_X86_64_TPOFF32",
        elf::R_X86_64_PC64 => "R_X86_64_PC64",
        elf::R_X86_64_GOTPCRELX => "R_X86_64_GOTPCRELX",
        elf::R_X86_64_REX_GOTPCRELX => "R_X86_64_REX_GOTPCRELX",
        _ => return format!("ELF relocation type {}", r_type.0),
    };
    name.to_string()
}

/// The instruction a 32-bit PC-relative field belongs to, read from the bytes before it.
/// A RIP-relative memory operand is preceded by its ModRM byte, whose `mod` bits are
/// `00`, so it is never mistaken for an opcode here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    Call,
    Jmp,
    Jcc,
    Memory,
}

fn site(code: &[u8], offset: usize) -> Site {
    match (
        offset.checked_sub(2).map(|i| code[i]),
        offset.checked_sub(1).map(|i| code[i]),
    ) {
        (_, Some(0xE8)) => Site::Call,
        (_, Some(0xE9)) => Site::Jmp,
        (Some(0x0F), Some(0x80..=0x8F)) => Site::Jcc,
        _ => Site::Memory,
    }
}

/// Reads every stencil (every global function) of the object file `obj` and checks it.
/// Returns the stencils sorted by name, or every rule broken.
pub fn read(obj: &[u8]) -> Result<Vec<StencilDef>, Vec<StencilError>> {
    let file_error = |message: String| {
        vec![StencilError {
            stencil: "<object>".into(),
            message,
        }]
    };
    let file = object::File::parse(obj).map_err(|e| file_error(format!("not an object: {e}")))?;
    if file.architecture() != object::Architecture::X86_64
        || file.format() != object::BinaryFormat::Elf
    {
        return Err(file_error("not an x86-64 ELF object".into()));
    }
    let mut stencils = Vec::new();
    let mut errors = Vec::new();
    for sym in file.symbols() {
        if sym.kind() != SymbolKind::Text || !sym.is_global() || !sym.is_definition() {
            continue;
        }
        let name = sym.name().unwrap_or("<bad name>").to_string();
        match read_stencil(&file, &sym, &name) {
            Ok(s) => stencils.push(s),
            Err(message) => errors.extend(message.into_iter().map(|message| StencilError {
                stencil: name.clone(),
                message,
            })),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    stencils.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(stencils)
}

/// A piece of read-only data copied into a stencil's data blob: `len` bytes at `start`
/// in `section`, at `base` in the blob.
struct DataPart {
    section: SectionIndex,
    start: u64,
    len: u64,
    base: u64,
}

/// The entry size of a merged constant section, from its name (`.rodata.cst16` -> 16).
fn const_entry_size(section: &str) -> Option<u64> {
    let n = section.rsplit_once(".cst")?.1;
    n.parse().ok().filter(|n: &u64| n.is_power_of_two())
}

/// Reads one stencil: the function `sym`, alone in its section.
fn read_stencil(
    file: &object::File<'_>,
    sym: &object::Symbol<'_, '_>,
    name: &str,
) -> Result<StencilDef, Vec<String>> {
    let SymbolSection::Section(index) = sym.section() else {
        return Err(vec!["not in a section".into()]);
    };
    let section = file
        .section_by_index(index)
        .map_err(|e| vec![e.to_string()])?;
    let code = section.data().map_err(|e| vec![e.to_string()])?.to_vec();
    if sym.address() != section.address() || sym.size() != code.len() as u64 {
        return Err(vec![format!(
            "shares section `{}` with other code (stencils need function sections)",
            section.name().unwrap_or("?")
        )]);
    }
    let mut errors = Vec::new();
    let mut holes = Vec::new();
    // The pieces of read-only data this stencil references, copied into its data blob.
    let mut data_parts: Vec<DataPart> = Vec::new();
    let mut data = Vec::new();
    let mut data_align = 1;
    for (offset, reloc) in section.relocations() {
        let RelocationFlags::Elf { r_type } = reloc.flags() else {
            errors.push("a relocation that is not ELF".into());
            continue;
        };
        let RelocationTarget::Symbol(target) = reloc.target() else {
            errors.push(format!("a {} with no symbol", reloc_name(r_type)));
            continue;
        };
        let Ok(target) = file.symbol_by_index(target) else {
            errors.push("a relocation against a bad symbol index".into());
            continue;
        };
        let offset = offset as usize;
        let target_name = match target.kind() {
            SymbolKind::Section => target
                .section_index()
                .and_then(|i| file.section_by_index(i).ok())
                .and_then(|s| s.name().ok().map(str::to_string))
                .unwrap_or_else(|| "<section>".into()),
            _ => target.name().unwrap_or("<bad name>").to_string(),
        };
        // What fills the hole, and (for data) the offset of the target in the data blob.
        let (symbol, data_offset) = match target.section() {
            SymbolSection::Undefined => match Symbol::from_name(&target_name) {
                Some(s) => (s, 0),
                None if target_name.starts_with(HOLE_PREFIX) => {
                    errors.push(format!(
                        "references `{target_name}`, which is not a hole: the holes are \
                         _JIT_OPERAND0.._JIT_OPERAND7, _JIT_CONTINUE, _JIT_JUMP_TARGET and _JIT_EXIT"
                    ));
                    continue;
                }
                None => {
                    errors.push(format!(
                        "references `{target_name}`, which is not a hole (a panic path, a \
                         `memcpy`, or a function that was not inlined): a stencil may reach \
                         only holes and its read-only data"
                    ));
                    continue;
                }
            },
            SymbolSection::Section(ti) => {
                let Ok(ts) = file.section_by_index(ti) else {
                    errors.push(format!("references `{target_name}` in a bad section"));
                    continue;
                };
                if !matches!(
                    ts.kind(),
                    SectionKind::ReadOnlyData | SectionKind::ReadOnlyString
                ) {
                    errors.push(format!(
                        "references `{target_name}` in section `{}`, which is not a hole: only \
                         read-only data may be referenced (no calls to other functions, no \
                         writable statics)",
                        ts.name().unwrap_or("?")
                    ));
                    continue;
                }
                if ts.relocations().next().is_some() {
                    errors.push(format!(
                        "references read-only data `{}` that itself has relocations (a jump \
                         table, a panic's location, a table of addresses): not supported, since \
                         the data is copied with the trace unpatched; write a `match` as \
                         comparisons, pass a table as an operand, and leave no panic path",
                        ts.name().unwrap_or("?")
                    ));
                    continue;
                }
                // A constant in a merged constant section (`.rodata.cst8`, shared by
                // every function of the object) is copied alone: the entry its label
                // starts. Anything else is copied as its whole section.
                let entry = ts.name().ok().and_then(const_entry_size);
                let (start, len) = match entry {
                    Some(n) if target.kind() != SymbolKind::Section => (target.address(), n),
                    _ => (0, ts.size()),
                };
                let part = data_parts
                    .iter()
                    .find(|p| p.section == ti && p.start <= start && start < p.start + p.len);
                let base = match part {
                    Some(p) => p.base + (start - p.start),
                    None => {
                        let align = ts.align().max(1);
                        data_align = data_align.max(align);
                        let base = (data.len() as u64).next_multiple_of(align);
                        let bytes = ts
                            .data()
                            .ok()
                            .and_then(|d| d.get(start as usize..(start + len) as usize));
                        let Some(bytes) = bytes else {
                            errors.push(format!("cannot read the data `{target_name}` refers to"));
                            continue;
                        };
                        data.resize(base as usize, 0);
                        data.extend_from_slice(bytes);
                        data_parts.push(DataPart {
                            section: ti,
                            start,
                            len,
                            base,
                        });
                        base
                    }
                };
                (
                    Symbol::Data,
                    base as i64 + (target.address() - start) as i64,
                )
            }
            _ => {
                errors.push(format!("references `{target_name}`, which is not a hole"));
                continue;
            }
        };
        let patch = match r_type {
            elf::R_X86_64_64 => Patch::Abs64,
            elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 => match (site(&code, offset), symbol) {
                (Site::Call, s) if s.is_code() => {
                    errors.push(format!(
                        "reaches `{target_name}` with a `call` instead of a `jmp`: the call is \
                         not in tail position (its result is used, or something runs after \
                         it), or the callee's signature differs from the stencil's"
                    ));
                    continue;
                }
                (_, Symbol::Data) | (Site::Memory, _) => {
                    if symbol != Symbol::Data {
                        errors.push(format!(
                            "reads `{target_name}` RIP-relative: declare the hole as a \
                             zero-sized static (`[u8; 0]`) so that the medium code model \
                             loads its address with a 64-bit `movabs`"
                        ));
                        continue;
                    }
                    if site(&code, offset) != Site::Memory {
                        errors.push(format!("jumps into its read-only data `{target_name}`"));
                        continue;
                    }
                    Patch::Data32
                }
                _ => Patch::Branch32,
            },
            _ => {
                errors.push(format!(
                    "uses relocation kind {} (against `{target_name}`), which the patcher does \
                     not handle: it handles R_X86_64_64 (a `movabs` of a zero-sized hole), \
                     R_X86_64_PLT32/PC32 on a `jmp`/`jcc`/`call`, and R_X86_64_PC32 to \
                     read-only data",
                    reloc_name(r_type)
                ));
                continue;
            }
        };
        if offset + patch.size() > code.len() {
            errors.push(format!("a hole at {offset} runs past the end of the code"));
            continue;
        }
        holes.push(Hole {
            offset: offset as u32,
            patch,
            symbol,
            addend: reloc.addend() + data_offset,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    holes.sort_by_key(|h| h.offset);
    let operands = holes
        .iter()
        .filter_map(|h| match h.symbol {
            Symbol::Operand(n) => Some(n + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let len = code.len();
    let tail_jmp = len >= 5
        && code[len - 5] == 0xE9
        && holes
            .iter()
            .any(|h| h.offset as usize == len - 4 && h.symbol == Symbol::Continue);
    Ok(StencilDef {
        name: name.to_string(),
        code,
        data,
        data_align,
        holes,
        operands,
        tail_jmp,
    })
}

/// Renders the stencil table as Rust source, for `include!` in `stencil.rs`.
pub fn render(stencils: &[StencilDef], supported: bool) -> String {
    let mut out = String::new();
    out.push_str("// Generated by backend-stencil/build.rs from stencils/: do not edit.\n");
    let _ = writeln!(out, "const SUPPORTED: bool = {supported};");
    out.push_str("static STENCILS: &[Stencil] = &[\n");
    for s in stencils {
        let far = s
            .holes
            .iter()
            .filter(|h| h.patch == Patch::Branch32 && h.symbol != Symbol::Continue)
            .count();
        let _ = writeln!(out, "    Stencil {{\n        name: {:?},", s.name);
        let _ = writeln!(out, "        code: &{:?},", s.code);
        let _ = writeln!(out, "        data: &{:?},", s.data);
        let _ = writeln!(out, "        data_align: {},", s.data_align);
        out.push_str("        holes: &[\n");
        for h in &s.holes {
            let _ = writeln!(
                out,
                "            Hole {{ offset: {}, patch: Patch::{:?}, symbol: Symbol::{:?}, addend: {} }},",
                h.offset, h.patch, h.symbol, h.addend
            );
        }
        out.push_str("        ],\n");
        let _ = writeln!(out, "        operands: {},", s.operands);
        let _ = writeln!(out, "        far_holes: {far},");
        let _ = writeln!(out, "        tail_jmp: {},\n    }},", s.tail_jmp);
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles `body` (stencils, after the ABI's declarations) with the rustc and flags
    /// the build uses, and reads the object.
    fn stencils_of(test: &str, body: &str) -> Result<Vec<StencilDef>, Vec<StencilError>> {
        let dir = std::env::temp_dir().join(format!(
            "backend-stencil-test-{}-{test}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let abi = concat!(env!("CARGO_MANIFEST_DIR"), "/stencils/abi.rs");
        let src =
            format!("#![no_std]\n#[path = {abi:?}]\n#[macro_use]\nmod abi;\nuse abi::*;\n{body}\n");
        let src_path = dir.join("lib.rs");
        std::fs::write(&src_path, src).unwrap();
        let obj = dir.join("stencils.o");
        compile(
            env!("STENCIL_RUSTC"),
            env!("STENCIL_TARGET"),
            &src_path,
            &obj,
        )
        .unwrap_or_else(|e| panic!("rustc failed:\n{e}"));
        let bytes = std::fs::read(&obj).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        read(&bytes)
    }

    fn errors_of(test: &str, body: &str) -> Vec<String> {
        match stencils_of(test, body) {
            Ok(s) => panic!("expected errors, read {s:?}"),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn the_site_of_a_displacement_is_read_from_its_opcode() {
        assert_eq!(site(&[0xE8, 0, 0, 0, 0], 1), Site::Call);
        assert_eq!(site(&[0xE9, 0, 0, 0, 0], 1), Site::Jmp);
        assert_eq!(site(&[0x0F, 0x85, 0, 0, 0, 0], 2), Site::Jcc);
        // movsd xmm0, [rip + x]
        assert_eq!(site(&[0xF2, 0x0F, 0x10, 0x05, 0, 0, 0, 0], 4), Site::Memory);
    }

    #[test]
    fn a_good_stencil_has_its_holes() {
        if !supported_target(env!("STENCIL_TARGET")) {
            return;
        }
        let s = stencils_of(
            "good",
            "stencil! { fn add(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                let Some(v) = (i0 as i64).checked_add(operand!(0) as i64) else {
                    exit!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
                };
                next!(s, r, v as u64, i1, i2, i3, f0 * 0.5, f1, f2, f3)
            } }
            stencil! { fn triple(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                next!(s, r, i0, i1, i2, i3, f0 * 3.0, f1, f2, f3)
            } }",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.len(), 2);
        // Both constants are in one `.rodata.cst8`; each stencil copies only its own.
        assert_eq!(s[1].name, "triple");
        assert_eq!(s[1].data, 3.0f64.to_le_bytes());
        let s = &s[0];
        assert_eq!(s.name, "add");
        assert_eq!(s.operands, 1);
        assert!(s.tail_jmp, "{s:?}");
        let kinds: Vec<_> = s.holes.iter().map(|h| (h.patch, h.symbol)).collect();
        assert!(
            kinds.contains(&(Patch::Abs64, Symbol::Operand(0))),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(Patch::Branch32, Symbol::Exit)),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(Patch::Branch32, Symbol::Continue)),
            "{kinds:?}"
        );
        assert!(kinds.contains(&(Patch::Data32, Symbol::Data)), "{kinds:?}");
        assert_eq!(s.data, 0.5f64.to_le_bytes());
    }

    #[test]
    fn a_call_to_something_not_a_hole_fails_naming_the_stencil() {
        if !supported_target(env!("STENCIL_TARGET")) {
            return;
        }
        // A bounds check's panic path, and a `memcpy`.
        let e = errors_of(
            "nothole",
            "stencil! { fn panics(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                let t = [1u64, 2, 3];
                next!(s, r, t[i0 as usize], i1, i2, i3, f0, f1, f2, f3)
            } }
            stencil! { fn copies(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                core::ptr::copy_nonoverlapping(r.add(i1 as usize), r, i0 as usize);
                next!(s, r, i0, i1, i2, i3, f0, f1, f2, f3)
            } }",
        );
        // The panic path also references its location (read-only data with relocations).
        assert!(e.len() >= 2, "{e:?}");
        assert!(e
            .iter()
            .any(|e| e.starts_with("stencil `panics`: references `")
                && e.contains("panic")
                && e.contains("which is not a hole")));
        assert!(e
            .iter()
            .any(|e| e.starts_with("stencil `copies`: references `memcpy`")));
    }

    #[test]
    fn an_unhandled_relocation_kind_fails_naming_the_stencil() {
        if !supported_target(env!("STENCIL_TARGET")) {
            return;
        }
        // A 32-bit absolute address (`R_X86_64_32`) cannot hold an operand. LLVM never
        // emits one for a zero-sized hole under the medium code model, so inline
        // assembly asks for it.
        let e = errors_of(
            "reloc",
            "stencil! { fn small(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                let v: u32;
                core::arch::asm!(\"mov {0:e}, offset {1}\", out(reg) v, sym _JIT_OPERAND1);
                next!(s, r, v as u64, i1, i2, i3, f0, f1, f2, f3)
            } }",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with(
                "stencil `small`: uses relocation kind R_X86_64_32 (against `_JIT_OPERAND1`)"
            ),
            "{e:?}"
        );
    }

    #[test]
    fn a_continuation_reached_by_call_fails_naming_the_stencil() {
        if !supported_target(env!("STENCIL_TARGET")) {
            return;
        }
        let e = errors_of(
            "call",
            "stencil! { fn not_tail(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                _JIT_CONTINUE(s, r, i0, i1, i2, i3, f0, f1, f2, f3) + 1
            } }",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with(
                "stencil `not_tail`: reaches `_JIT_CONTINUE` with a `call` instead of a `jmp`"
            ),
            "{e:?}"
        );
    }

    #[test]
    fn a_jump_table_in_rodata_fails_naming_the_stencil() {
        if !supported_target(env!("STENCIL_TARGET")) {
            return;
        }
        let e = errors_of(
            "table",
            "stencil! { fn table(s, r, i0, i1, i2, i3, f0, f1, f2, f3) {
                let v = match i0 {
                    0 => i1.wrapping_mul(3),
                    1 => i1 ^ 77,
                    2 => i1.rotate_left(5),
                    3 => i1 / 7,
                    4 => i1.wrapping_add(i2),
                    5 => i2 >> 3,
                    _ => exit!(s, r, i0, i1, i2, i3, f0, f1, f2, f3),
                };
                next!(s, r, v, i1, i2, i3, f0, f1, f2, f3)
            } }",
        );
        assert!(
            e.iter().any(
                |e| e.starts_with("stencil `table`: references read-only data")
                    && e.contains("jump table")
            ),
            "{e:?}"
        );
    }

    #[test]
    fn rendering_gives_the_table() {
        let def = StencilDef {
            name: "x".into(),
            code: vec![0xE9, 0, 0, 0, 0],
            data: vec![],
            data_align: 1,
            holes: vec![Hole {
                offset: 1,
                patch: Patch::Branch32,
                symbol: Symbol::Continue,
                addend: -4,
            }],
            operands: 0,
            tail_jmp: true,
        };
        let text = render(&[def], true);
        assert!(text.contains("const SUPPORTED: bool = true;"));
        assert!(text.contains(
            "Hole { offset: 1, patch: Patch::Branch32, symbol: Symbol::Continue, addend: -4 }"
        ));
        assert!(text.contains("far_holes: 0,"));
    }
}
