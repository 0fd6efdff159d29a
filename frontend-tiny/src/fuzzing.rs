//! Fuzzing logic for the Tiny frontend, shared by the cargo-fuzz target (`fuzz/`) and a
//! deterministic smoke test that runs under `cargo test`.

use jit_core::heap::Heap;
use jit_core::verify::verify_module;

/// Compiles arbitrary bytes as a Tiny program. Whatever the input, it either fails with a
/// diagnostic or produces bytecode the verifier accepts; a verifier rejection of compiled
/// code is a compiler bug and panics (which the fuzzer reports).
pub fn compile_any(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(program) = crate::parse_and_resolve("fuzz.tiny", source) else {
        return;
    };
    // SAFETY: the heap's values live in `module`, which is dropped with it here.
    let mut heap = unsafe { Heap::new() };
    let Ok(mut module) = crate::codegen::compile(&program, &mut heap) else {
        return;
    };
    if let Err(e) = verify_module(&mut module) {
        panic!("the compiler produced invalid bytecode: {e}\n--- source ---\n{source}");
    }
}

#[cfg(test)]
mod tests {
    /// A short deterministic run of the fuzz target over mutations of the golden corpus.
    #[test]
    fn compile_any_smoke() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.extension().is_none_or(|e| e != "tiny") {
                continue;
            }
            let src = std::fs::read(&p).unwrap();
            super::compile_any(&src);
            for _ in 0..20 {
                let mut m = src.clone();
                if m.is_empty() {
                    break;
                }
                let i = (next() as usize) % m.len();
                match next() % 3 {
                    0 => m[i] = next() as u8,
                    1 => {
                        m.remove(i);
                    }
                    _ => {
                        let pieces = b"(){}[];,.+-*/%<=>\"\n let fn for while";
                        m.insert(i, pieces[(next() as usize) % pieces.len()]);
                    }
                }
                super::compile_any(&m);
                count += 1;
            }
        }
        assert!(count > 1000);
    }
}
