//! The table of stencils `build.rs` generated: each stencil's machine code, read-only
//! data and holes, in name order.

use crate::hole::{Hole, Patch, Symbol};

/// One stencil: machine code with holes, compiled from `stencils/` at build time.
///
/// The fields are private so that every stencil the patcher sees comes from the
/// generated table, whose holes `build.rs` checked lie inside the code.
#[derive(Debug)]
pub struct Stencil {
    name: &'static str,
    code: &'static [u8],
    data: &'static [u8],
    data_align: u64,
    holes: &'static [Hole],
    operands: u8,
    /// `Branch32` holes other than the continuation: each may need a veneer.
    far_holes: u8,
    tail_jmp: bool,
}

include!(concat!(env!("OUT_DIR"), "/stencils.rs"));

impl Stencil {
    /// Its name (the function's in `stencils/`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its machine code, holes zeroed.
    pub fn code(&self) -> &'static [u8] {
        self.code
    }

    /// Its read-only data (copied after the trace's code), possibly empty.
    pub fn data(&self) -> &'static [u8] {
        self.data
    }

    /// The alignment its data needs (a power of two).
    pub fn data_align(&self) -> usize {
        self.data_align as usize
    }

    /// Its holes, by offset.
    pub fn holes(&self) -> &'static [Hole] {
        self.holes
    }

    /// How many operands it takes (one more than its highest `_JIT_OPERANDn`).
    pub fn operands(&self) -> usize {
        self.operands as usize
    }

    /// True when its code ends with `jmp _JIT_CONTINUE`, which the patcher deletes when
    /// the next stencil follows.
    pub fn ends_in_continue_jmp(&self) -> bool {
        self.tail_jmp
    }

    /// True when it reaches `_JIT_CONTINUE` (so it cannot end a trace).
    pub fn continues(&self) -> bool {
        self.holes.iter().any(|h| h.symbol == Symbol::Continue)
    }

    pub(crate) fn far_holes(&self) -> usize {
        self.far_holes as usize
    }
}

/// True when stencils were built for this target (x86-64 Linux); elsewhere the table is
/// empty and the backend cannot compile anything.
pub fn supported() -> bool {
    SUPPORTED
}

/// Every stencil, sorted by name.
pub fn all() -> &'static [Stencil] {
    STENCILS
}

/// The stencil named `name`.
pub fn get(name: &str) -> Option<&'static Stencil> {
    STENCILS
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &STENCILS[i])
}

/// Keeps `Patch` named for the generated table when it is empty.
const _: Option<Patch> = None;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_its_holes_fit() {
        if !supported() {
            assert!(all().is_empty());
            return;
        }
        assert!(all().windows(2).all(|w| w[0].name < w[1].name));
        for s in all() {
            for h in s.holes() {
                assert!(
                    h.offset as usize + h.patch.size() <= s.code().len(),
                    "{}",
                    s.name
                );
            }
        }
        let add = get("add_i0_i1").expect("a sample stencil");
        assert!(add.ends_in_continue_jmp());
        assert!(add.holes().iter().any(|h| h.symbol == Symbol::Exit));
        assert!(get("no such stencil").is_none());
    }
}
