//! Checks the golden corpus against the frontend alone: every test with
//! status 2 must fail to compile with exactly its expected stderr, and every
//! other test must compile.

use std::fs;
use std::path::Path;

/// The parts of a `.expected` file.
struct Expected {
    status: i32,
    stdout: String,
    stderr: String,
}

fn parse_expected(text: &str) -> Option<Expected> {
    let rest = text.strip_prefix("status: ")?;
    let (status, rest) = rest.split_once('\n')?;
    let rest = rest.strip_prefix("--- stdout\n")?;
    let (stdout, stderr) = rest.split_once("--- stderr\n")?;
    Some(Expected {
        status: status.parse().ok()?,
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
    })
}

#[test]
fn golden_compile_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("tests/golden exists")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".tiny")?.to_string())
        })
        .collect();
    names.sort();
    assert!(names.len() >= 100, "only {} golden tests", names.len());

    let mut failures = Vec::new();
    let mut compile_errors = 0;
    for name in &names {
        let file_name = format!("{name}.tiny");
        let source = fs::read_to_string(dir.join(&file_name)).expect("readable source");
        let expected_text =
            fs::read_to_string(dir.join(format!("{name}.expected"))).unwrap_or_default();
        let Some(expected) = parse_expected(&expected_text) else {
            failures.push(format!("{name}: missing or malformed .expected"));
            continue;
        };
        match (
            expected.status,
            tiny::parse_and_resolve(&file_name, &source),
        ) {
            (2, Err(diagnostic)) => {
                compile_errors += 1;
                let rendered = diagnostic.render(&file_name, &source);
                if rendered != expected.stderr || !expected.stdout.is_empty() {
                    failures.push(format!(
                        "{name}: expected stderr\n{}got\n{rendered}",
                        expected.stderr
                    ));
                }
            }
            (2, Ok(_)) => failures.push(format!("{name}: compiled, expected a compile error")),
            (_, Err(diagnostic)) => failures.push(format!(
                "{name}: unexpected compile error\n{}",
                diagnostic.render(&file_name, &source)
            )),
            (_, Ok(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compile_errors > 0);
}

use frontend_tiny as tiny;
