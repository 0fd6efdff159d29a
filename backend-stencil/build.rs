//! Builds the stencils: compiles `stencils/` with the rustc that builds the project
//! (`$RUSTC`, stable), reads the object file, checks every stencil (`src/objread.rs`)
//! and writes the table `$OUT_DIR/stencils.rs` that `src/stencil.rs` includes. On a
//! target other than x86-64 Linux the table is empty and the backend reports itself
//! unsupported.

use std::path::PathBuf;

#[path = "src/hole.rs"]
mod hole;
#[path = "src/objread.rs"]
mod objread;

fn main() {
    for path in ["stencils", "src/hole.rs", "src/objread.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("cargo sets {k}"));
    let rustc = env("RUSTC");
    let target = env("TARGET");
    let out_dir = PathBuf::from(env("OUT_DIR"));
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    // The unit tests compile stencils of their own with the same compiler.
    println!("cargo:rustc-env=STENCIL_RUSTC={rustc}");
    println!("cargo:rustc-env=STENCIL_TARGET={target}");
    let table = out_dir.join("stencils.rs");
    if !objread::supported_target(&target) {
        std::fs::write(&table, objread::render(&[], false)).unwrap();
        return;
    }
    let obj = out_dir.join("stencils.o");
    match objread::compile(&rustc, &target, &manifest.join("stencils/lib.rs"), &obj) {
        Ok(diagnostics) => {
            for line in diagnostics.lines().filter(|l| !l.trim().is_empty()) {
                println!("cargo:warning=stencils: {line}");
            }
        }
        Err(e) => fail(&format!("rustc could not compile the stencils:\n{e}")),
    }
    let bytes = std::fs::read(&obj).unwrap_or_else(|e| fail(&format!("{}: {e}", obj.display())));
    match objread::read(&bytes) {
        Ok(stencils) => std::fs::write(&table, objread::render(&stencils, true)).unwrap(),
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            fail(&format!(
                "{} problem(s) in the stencils (stencils/):\n{}",
                errors.len(),
                list.join("\n")
            ))
        }
    }
}

/// Stops the build with `message` (cargo shows a build script's stderr when it fails).
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
