//! House rules, checked on every test run: each Rust file opens with a `//!` line, every
//! `unsafe` block has a `// SAFETY:` comment just above it, no `todo!`/`unimplemented!`
//! is left in, no file exceeds 1500 lines, and the tree is `rustfmt`-clean.

use std::path::{Path, PathBuf};
use std::process::Command;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if p.is_dir() {
            if !matches!(name.as_ref(), "target" | ".git" | "corpus" | "artifacts") {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn house_rules_hold() {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    assert!(files.len() > 20);
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let rel = f.strip_prefix(root()).unwrap().display().to_string();
        let lines: Vec<&str> = text.lines().collect();
        let first = lines
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .unwrap_or("");
        if !first.starts_with("//!") {
            problems.push(format!("{rel}: does not open with a //! line"));
        }
        if lines.len() > 1500 {
            problems.push(format!("{rel}: {} lines (limit 1500)", lines.len()));
        }
        for (i, l) in lines.iter().enumerate() {
            let code = l.split("//").next().unwrap_or("");
            if code.contains(concat!("todo", "!(")) || code.contains(concat!("unimplemented", "!("))
            {
                problems.push(format!("{rel}:{}: stub left in", i + 1));
            }
            let opens_unsafe = code.contains(concat!("unsafe", " {"));
            if opens_unsafe || code.trim_end().ends_with(concat!(" ", "unsafe")) {
                let window = &lines[i.saturating_sub(4)..=i];
                if !window.iter().any(|w| w.contains("SAFETY")) {
                    problems.push(format!(
                        "{rel}:{}: unsafe block without a SAFETY comment",
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "house rules broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tree_is_rustfmt_clean() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["fmt", "--all", "--check"])
        .current_dir(root())
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("not installed") => {
            eprintln!("note: rustfmt is not installed; skipping the format check");
        }
        Ok(o) => panic!(
            "cargo fmt --check failed:\n{}",
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(e) => eprintln!("note: cannot run cargo fmt ({e}); skipping the format check"),
    }
}
