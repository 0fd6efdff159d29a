//! The pyperformance driver: one self-contained `.py` file per benchmark, made of our pyperf
//! shim (`pyperf_shim.py`), the benchmark's `run_benchmark.py` with `import pyperf` removed, and
//! an epilogue that prints what the workload computed; plus the per-benchmark table of loop
//! counts and checksums, and the mapping of driver lines back to `run_benchmark.py` lines.
//!
//! The benchmark's lines keep their order and count, so driver line `n + shim_lines` is
//! `run_benchmark.py` line `n`; error messages are rewritten with that offset.

/// The pyperf stand-in, written in the subset of Python the engine runs.
pub const SHIM: &str = include_str!("pyperf_shim.py");

/// What the harness knows about one benchmark beyond its source.
#[derive(Clone, Copy, Debug)]
pub struct Known {
    /// The benchmark's name (`bm_<name>` directory).
    pub name: &'static str,
    /// Loops for a normal run: about one second under CPython 3.11 (measured on the 2-core
    /// AMD EPYC development machine).
    pub loops: u32,
    /// Loops for `--quick`.
    pub quick_loops: u32,
    /// Whole-line replacements in `run_benchmark.py`, `(line, replacement)`; each line must
    /// occur exactly once. They keep the line count, so line numbers still map back.
    pub patches: &'static [(&'static str, &'static str)],
    /// Python run after the benchmark's main block (not in a probe run), printing state the
    /// workload left behind.
    pub epilogue: &'static str,
}

/// Benchmarks whose output would otherwise say little: `bench_time_func` workloads return a
/// time, so what they computed is printed by a patch or an epilogue. A benchmark absent from
/// the table still runs, with [`DEFAULT_LOOPS`] and the shim's generic output (the repr of
/// what a `bench_func` function returned, the loop count of a `bench_time_func` one).
pub const KNOWN: &[Known] = &[
    Known {
        name: "fannkuch",
        // bench_func: the shim prints the repr of the last call's result (the max flips).
        loops: 2,
        quick_loops: 1,
        patches: &[],
        epilogue: "",
    },
    Known {
        name: "nbody",
        loops: 8,
        quick_loops: 1,
        patches: &[],
        // advance() mutates the global system in place: its energy and every body's state
        // after the run depend on every step.
        epilogue: "print('energy:', repr(report_energy()))\n\
                   for (_r, _v, _m) in SYSTEM:\n    print(repr(_r), repr(_v), repr(_m))\n",
    },
    Known {
        name: "spectral_norm",
        loops: 7,
        quick_loops: 1,
        patches: &[(
            "    return pyperf.perf_counter() - t0",
            "    pyperf.checksum((vBv, vv, sum(u), sum(v))); return pyperf.perf_counter() - t0",
        )],
        epilogue: "",
    },
    Known {
        name: "unpack_sequence",
        // Tuples, then lists: about 1 s under python3 3.11 on the reference machine.
        loops: 60000,
        quick_loops: 100,
        patches: &[(
            "    return pyperf.perf_counter() - t0",
            "    pyperf.checksum((a, b, c, d, e, f, g, h, i, j)); return pyperf.perf_counter() - t0",
        )],
        epilogue: "",
    },
];

/// Loops for a benchmark the table does not know.
pub const DEFAULT_LOOPS: u32 = 1;

/// The table entry for `name`, if any.
pub fn known(name: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.name == name)
}

/// A generated driver.
#[derive(Clone, Debug, PartialEq)]
pub struct Driver {
    pub text: String,
    /// Lines before the benchmark's first line (the shim).
    pub offset: usize,
    /// Lines of `run_benchmark.py`.
    pub source_lines: usize,
}

impl Driver {
    /// Where driver line `line` comes from, e.g. `line 12` (of `run_benchmark.py`).
    pub fn describe_line(&self, line: usize) -> String {
        if line <= self.offset {
            format!("line {line} of the harness's pyperf shim")
        } else if line - self.offset <= self.source_lines {
            format!("line {}", line - self.offset)
        } else {
            format!(
                "line {} of the harness's epilogue",
                line - self.offset - self.source_lines
            )
        }
    }

    /// Rewrites every `line N` in an engine message to the benchmark's own line numbers.
    pub fn map_message(&self, message: &str) -> String {
        let mut out = String::new();
        let mut rest = message;
        while let Some(at) = rest.find("line ") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 5..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            match after[..digits].parse::<usize>() {
                Ok(n) if digits > 0 => out.push_str(&self.describe_line(n)),
                _ => out.push_str("line "),
            }
            rest = &after[digits..];
        }
        out.push_str(rest);
        out
    }
}

/// Builds the driver for benchmark `name` from its `run_benchmark.py` text and the
/// `extra_opts` of its `pyproject.toml` (the command-line arguments pyperformance gives it).
pub fn generate(name: &str, source: &str, extra_opts: &[String]) -> Result<Driver, String> {
    let entry = known(name);
    if source.contains(".bench_command(") {
        return Err(
            "times a command in a subprocess (bench_command), which the driver cannot stand in for"
                .to_string(),
        );
    }
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    // `from __future__` must open the file, so it moves above the shim.
    let mut future = String::new();
    for line in &mut lines {
        let indent = &line[..line.len() - line.trim_start().len()];
        let code = line.trim();
        if code.starts_with("from __future__ import ") && indent.is_empty() {
            future.push_str(code);
            future.push('\n');
            *line = "pass  # from __future__ import: moved to the top of the driver".to_string();
        } else if code == "import pyperf" {
            *line = format!("{indent}pass  # import pyperf: the shim above stands in");
        } else if let Some(names) = code.strip_prefix("from pyperf import ") {
            let names: Vec<&str> = names.split(',').map(str::trim).collect();
            if names.iter().any(|n| n.is_empty() || n.contains(' ')) {
                return Err(format!("cannot stand in for `{code}`"));
            }
            let targets = names.join(", ");
            let values: Vec<String> = names.iter().map(|n| format!("pyperf.{n}")).collect();
            *line = format!("{indent}{targets}, = {},", values.join(", "));
        }
    }
    for (from, to) in entry.map_or(&[][..], |k| k.patches) {
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].trim_end() == *from)
            .collect();
        match hits[..] {
            [i] => lines[i] = (*to).to_string(),
            _ => {
                return Err(format!(
                    "the harness's patch for `{}` matches {} lines, not one",
                    from.trim(),
                    hits.len()
                ))
            }
        }
    }
    if !lines.iter().any(|l| l.starts_with("if __name__ ==")) {
        return Err("no `if __name__ == \"__main__\":` block to run".to_string());
    }
    let quoted: Vec<String> = extra_opts.iter().map(|o| python_str(o)).collect();
    let opts_line = format!("pyperf.extra_opts = [{}]\n", quoted.join(", "));
    let offset = future.lines().count() + SHIM.lines().count() + 1;
    let mut text = String::with_capacity(SHIM.len() + source.len() + 256);
    text.push_str(&future);
    text.push_str(SHIM);
    text.push_str(&opts_line);
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    let epilogue = entry.map_or("", |k| k.epilogue);
    if !epilogue.trim().is_empty() {
        text.push_str(
            "\n# Epilogue of the harness: what the workload computed.\nif pyperf.loops > 0:\n",
        );
        for line in epilogue.lines() {
            text.push_str("    ");
            text.push_str(line);
            text.push('\n');
        }
    }
    Ok(Driver {
        text,
        offset,
        source_lines: lines.len(),
    })
}

/// A Python string literal for `s`.
fn python_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `extra_opts = [...]` list of a benchmark's `pyproject.toml` (strings only).
pub fn extra_opts(pyproject: &str) -> Vec<String> {
    let Some(line) = pyproject
        .lines()
        .find(|l| l.trim_start().starts_with("extra_opts"))
    else {
        return Vec::new();
    };
    let Some(list) = line.split_once('[').map(|(_, rest)| rest) else {
        return Vec::new();
    };
    let list = list.split(']').next().unwrap_or("");
    list.split(',')
        .map(|item| {
            item.trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string()
        })
        .filter(|item| !item.is_empty())
        .collect()
}

/// Third-party packages a benchmark needs: its `requirements.txt` and the `dependencies` of
/// its `pyproject.toml`, apart from `pyperf` (which the shim replaces).
pub fn needed_packages(requirements: Option<&str>, pyproject: Option<&str>) -> Vec<String> {
    let mut specs: Vec<String> = Vec::new();
    if let Some(text) = requirements {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() && !line.starts_with('-') {
                specs.push(line.to_string());
            }
        }
    }
    if let Some(text) = pyproject {
        let start = if text.starts_with("dependencies") {
            Some(0)
        } else {
            text.find("\ndependencies")
        };
        if let Some(start) = start {
            let list = &text[start..];
            let list = &list[list.find('[').map_or(list.len(), |i| i + 1)..];
            let list = &list[..list.find(']').unwrap_or(list.len())];
            for item in list.split(',') {
                let item = item.trim().trim_matches(|c| c == '"' || c == '\'');
                if !item.is_empty() {
                    specs.push(item.to_string());
                }
            }
        }
    }
    let mut names: Vec<String> = Vec::new();
    for spec in specs {
        let end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(spec.len());
        let name = spec[..end].to_string();
        let seen = names.iter().any(|n| n.eq_ignore_ascii_case(&name));
        if !name.is_empty() && !name.eq_ignore_ascii_case("pyperf") && !seen {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &str = "\"\"\"A fake benchmark.\"\"\"\n\nimport pyperf\n\n\ndef work(n):\n    \
                        return sum(range(n))\n\n\nif __name__ == \"__main__\":\n    \
                        runner = pyperf.Runner()\n    runner.bench_func('work', work, 10)\n";

    #[test]
    fn keeps_the_benchmark_lines_in_place() {
        let d = generate("fake", FAKE, &[]).unwrap();
        assert!(d.text.starts_with(SHIM));
        let lines: Vec<&str> = d.text.lines().collect();
        assert_eq!(lines[d.offset + 6 - 1], "def work(n):");
        assert_eq!(
            lines[d.offset + 3 - 1],
            "pass  # import pyperf: the shim above stands in"
        );
        assert_eq!(d.source_lines, FAKE.lines().count());
        assert_eq!(d.describe_line(d.offset + 7), "line 7");
        assert_eq!(d.describe_line(2), "line 2 of the harness's pyperf shim");
        assert_eq!(
            d.map_message(&format!("error: x.py: line {}: classes", d.offset + 4)),
            "error: x.py: line 4: classes"
        );
        assert_eq!(
            d.map_message("no line here, line x"),
            "no line here, line x"
        );
    }

    #[test]
    fn from_imports_and_patches() {
        let src = "from pyperf import Runner, perf_counter\nimport pyperf\nif __name__ == '__main__':\n    pass\n";
        let d = generate("fake", src, &[]).unwrap();
        assert!(d
            .text
            .contains("\nRunner, perf_counter, = pyperf.Runner, pyperf.perf_counter,\n"));
        // The real patches apply to a source that has their line once, and fail loudly if not.
        let src = "import pyperf\ndef f(loops):\n    return pyperf.perf_counter() - t0\n\
                   if __name__ == '__main__':\n    pass\n";
        let d = generate("unpack_sequence", src, &[]).unwrap();
        assert!(d.text.contains("pyperf.checksum((a, b, c"));
        let twice = format!("{src}    return pyperf.perf_counter() - t0\n");
        assert!(generate("unpack_sequence", &twice, &[])
            .unwrap_err()
            .contains("matches 2 lines"));
        assert!(generate("fake", "import pyperf\n", &[]).is_err());
        let src = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport pyperf\n\
                   if __name__ == '__main__':\n    runner.bench_command('x', [])\n";
        assert!(generate("fake", src, &[])
            .unwrap_err()
            .contains("bench_command"));
        let src = src.replace("runner.bench_command('x', [])", "pass");
        let d = generate("fake", &src, &[]).unwrap();
        assert!(d
            .text
            .starts_with("from __future__ import annotations\n# pyperf shim"));
        assert_eq!(
            d.text.lines().nth(d.offset + 1),
            Some("pass  # from __future__ import: moved to the top of the driver")
        );
        let d = generate("nbody", "if __name__ == '__main__':\n    pass\n", &[]).unwrap();
        assert!(d
            .text
            .contains("\nif pyperf.loops > 0:\n    print('energy:'"));
    }

    #[test]
    fn extra_opts_become_a_list() {
        let toml =
            "[tool.pyperformance]\nname = \"p\"\nextra_opts = [\"--pure-python\", \"pickle\"]\n";
        let opts = extra_opts(toml);
        assert_eq!(opts, vec!["--pure-python", "pickle"]);
        let d = generate("fake", "if __name__ == '__main__':\n    pass\n", &opts).unwrap();
        let line = d.text.lines().nth(d.offset - 1).unwrap();
        assert_eq!(line, r#"pyperf.extra_opts = ["--pure-python", "pickle"]"#);
        assert_eq!(python_str("a\"b\\"), r#""a\"b\\""#);
        assert!(extra_opts("[project]\n").is_empty());
    }

    #[test]
    fn packages_from_requirements_and_pyproject() {
        let req = "# pinned\nchameleon==4.6.0\nsix>=1.0  # why\n";
        let toml = "[project]\nname = \"x\"\ndependencies = [\"pyperf\", \"tomli\"]\n";
        assert_eq!(
            needed_packages(Some(req), Some(toml)),
            vec!["chameleon", "six", "tomli"]
        );
        assert_eq!(
            needed_packages(
                Some("Mako==1\n"),
                Some("dependencies = [\"pyperf\", \"mako\"]")
            ),
            vec!["Mako"]
        );
        assert!(needed_packages(None, Some("dependencies = [\"pyperf\"]\n")).is_empty());
        assert_eq!(
            needed_packages(None, Some("x\ndependencies = [\n  \"a[b]==1\",\n]\n")),
            vec!["a"]
        );
    }
}
