//! The command line as a user meets it: exit statuses, help, errors, the demo, and the
//! no_std proof (built and run through `cargo xtask check-nostd`).

use std::process::Command;

fn xtask(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn demo_runs_when_no_file_is_given() {
    let (status, stdout, stderr) = xtask(&["run"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("embedded demo"));
    assert!(stdout.contains("fib(24) = 46368"));
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["check-nostd", "--help"],
    ] {
        let (status, stdout, _) = xtask(args);
        assert_eq!(status, 0);
        assert!(stdout.contains("Usage"), "{stdout}");
    }
}

#[test]
fn exit_statuses_follow_the_convention() {
    let ok = write_temp("ok.tiny", "print(1 + 2);\n");
    let (status, stdout, _) = xtask(&["run", ok.to_str().unwrap()]);
    assert_eq!((status, stdout.as_str()), (0, "3\n"));

    let rt = write_temp("rt.tiny", "print(1);\nprint(1 / 0);\n");
    let (status, stdout, stderr) = xtask(&["run", "--mode", "interp", rt.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert_eq!(stdout, "1\n");
    assert_eq!(
        stderr,
        format!("error: division by zero\nat {}:2:9\n", rt.display())
    );

    let ce = write_temp("ce.tiny", "print(y);\n");
    let (status, stdout, stderr) = xtask(&["run", ce.to_str().unwrap()]);
    assert_eq!((status, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("error: undefined variable 'y'\n"),
        "{stderr}"
    );

    let (status, _, stderr) = xtask(&["run", "/nonexistent/x.tiny"]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("cannot read /nonexistent/x.tiny"),
        "{stderr}"
    );
}

#[test]
fn unknown_and_unbuilt_modes_are_clear_errors() {
    let ok = write_temp("m.tiny", "print(1);\n");
    let (status, _, stderr) = xtask(&["run", "--mode", "warp", ok.to_str().unwrap()]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("interp") && stderr.contains("adaptive"),
        "{stderr}"
    );
    // `cranelift` is left out of a build for a host Cranelift has no ISA for; where it is
    // built, it runs.
    let (status, stdout, stderr) = xtask(&["run", "--mode", "cranelift", ok.to_str().unwrap()]);
    if status == 0 {
        assert_eq!(stdout, "1\n");
        return;
    }
    assert_eq!(status, 2);
    assert!(
        stderr.contains("not built") && stderr.contains("interp, adaptive"),
        "{stderr}"
    );
}

#[test]
fn stencil_mode_runs_and_shows_its_code() {
    let ok = write_temp(
        "loop.tiny",
        "let s = 0;\nlet i = 0;\nwhile i < 100 { s = s + i; i = i + 1; }\nprint(s);\n",
    );
    let (status, stdout, stderr) = xtask(&[
        "run",
        "--mode",
        "stencil",
        "--dump",
        "asm",
        "--stats",
        ok.to_str().unwrap(),
    ]);
    if stderr.contains("not built") {
        return; // a build without stencils (not x86-64 Linux)
    }
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, "4950\n");
    assert!(stderr.contains("== asm: stencil@"), "{stderr}");
    assert!(stderr.contains(" uop_LOAD_GLOBAL]"), "{stderr}");
    assert!(stderr.contains("stencil: 1 traces compiled"), "{stderr}");
}

#[test]
fn cranelift_mode_runs_and_shows_its_ir_code_and_compile_comparison() {
    let ok = write_temp(
        "cl.tiny",
        "let s = 0;\nlet i = 0;\nwhile i < 100 { s = s + i; i = i + 1; }\nprint(s);\n",
    );
    let json = ok.with_extension("json");
    let (status, stdout, stderr) = xtask(&[
        "run",
        "--mode",
        "cranelift",
        "--dump",
        "clif",
        "--dump",
        "asm",
        "--stats",
        "--compare-compile",
        "--stats-json",
        json.to_str().unwrap(),
        ok.to_str().unwrap(),
    ]);
    if stderr.contains("not built") {
        return; // a host Cranelift has no ISA for
    }
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, "4950\n");
    assert!(stderr.contains("== clif: cranelift@"), "{stderr}");
    assert!(
        stderr.contains("function u0:0(i64, i64) -> i64 tail"),
        "{stderr}"
    );
    assert!(stderr.contains("== asm: cranelift@"), "{stderr}");
    assert!(stderr.contains("LOAD_GLOBAL"), "{stderr}");
    assert!(stderr.contains("cranelift: 1 traces compiled"), "{stderr}");
    let doc = std::fs::read_to_string(&json).unwrap();
    assert!(
        doc.contains("\"cranelift\": {\"traces_compiled\": 1"),
        "{doc}"
    );
    if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        // The stencil backend compiled the same trace, timed.
        assert!(
            doc.contains("\"compared\": {\"backend\": \"stencil\""),
            "{doc}"
        );
    }
}

#[test]
fn dumps_and_stats_go_to_stderr() {
    let p = write_temp(
        "d.tiny",
        "let s = 0;\nfor i in 0 .. 100 { s = s + i; }\nprint(s);\n",
    );
    let json = p.with_extension("json");
    let (status, stdout, stderr) = xtask(&[
        "run",
        "--dump",
        "bytecode",
        "--dump",
        "specialized",
        "--stats",
        "--stats-json",
        json.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    assert_eq!((status, stdout.as_str()), (0, "4950\n"));
    assert!(stderr.contains("== bytecode =="));
    assert!(stderr.contains("ForRange"));
    assert!(stderr.contains("BinaryAddInt"), "{stderr}");
    assert!(stderr.contains("tier1 Binary"));
    let j = std::fs::read_to_string(json).unwrap();
    assert!(
        j.contains("\"tier1\": {") && j.contains("\"interpret_s\""),
        "{j}"
    );
}

#[test]
fn program_arguments_arrive_after_double_dash() {
    let p = write_temp("a.tiny", "print(args());\n");
    let (status, stdout, _) = xtask(&["run", p.to_str().unwrap(), "--", "7", "x y"]);
    assert_eq!((status, stdout.as_str()), (0, "[\"7\", \"x y\"]\n"));
}

#[test]
fn jit_core_is_no_std() {
    let (status, _, stderr) = xtask(&["check-nostd"]);
    assert_eq!(status, 0, "{stderr}");
}

/// Tier 1 de-specializes a site whose types keep changing, and still agrees with the
/// generic interpreter.
#[test]
fn type_churn_despecializes_and_agrees() {
    // Strings and big (boxed) ints alternate at one `+`; neither is an inline number, so
    // the generic instruction runs, specializes for one type and keeps missing.
    let src = "fn add(a, b) { return a + b; }\nlet s = 0;\nfor i in 0 .. 3000 {\n  if (i / 3) % 2 == 0 { s = add(\"a\", \"b\"); } else { s = add(1000000000000000, i); }\n}\nprint(s);\n";
    let p = write_temp("churn.tiny", src);
    let (s1, out_interp, _) = xtask(&["run", "--mode", "interp", p.to_str().unwrap()]);
    let (s2, out_adaptive, stderr) = xtask(&["run", "--stats", p.to_str().unwrap()]);
    assert_eq!((s1, s2), (0, 0));
    assert_eq!(out_interp, out_adaptive);
    let binary = stderr
        .lines()
        .find(|l| l.starts_with("tier1 Binary"))
        .expect("stats line");
    let cols: Vec<u64> = binary
        .split_whitespace()
        .skip(2)
        .map(|c| c.parse().unwrap())
        .collect();
    // specialized, failed, hits, misses, deopts
    assert!(cols[0] >= 2 && cols[3] > 0 && cols[4] > 0, "{binary}");
}
