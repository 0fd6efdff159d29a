//! The benchmark manifest (`benches/suite.txt`): which programs exist, their sizes and categories;
//! [`Benchmark`] is also what the pyperformance suite produces, so both feed one pipeline.

use std::fmt;
use std::path::{Path, PathBuf};

/// The source language of one benchmark program, chosen by its file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Python (`.py`): runs under the engine's Python frontend, `python3` and `pypy3`.
    Python,
    /// The Tiny language (`.tiny`): runs under the engine only.
    Tiny,
}

impl Lang {
    /// The short name used in the manifest and in row labels.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "py",
            Lang::Tiny => "tiny",
        }
    }

    /// The file extension of programs in this language.
    pub fn extension(self) -> &'static str {
        match self {
            Lang::Python => "py",
            Lang::Tiny => "tiny",
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        match s {
            "py" => Some(Lang::Python),
            "tiny" => Some(Lang::Tiny),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a benchmark is a micro-benchmark or a larger kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// One language feature in a tight loop.
    Micro,
    /// A small complete program (Benchmarks Game style).
    Kernel,
    /// A benchmark of the pyperformance suite (not in the manifest).
    Pyperformance,
}

impl Category {
    /// The manifest spelling.
    pub fn name(self) -> &'static str {
        match self {
            Category::Micro => "micro",
            Category::Kernel => "kernel",
            Category::Pyperformance => "pyperformance",
        }
    }
}

/// One line of the manifest.
#[derive(Clone, Debug)]
pub struct Benchmark {
    /// Unique name; the programs are `<dir>/<name>.<ext>`.
    pub name: String,
    /// Micro-benchmark or kernel.
    pub category: Category,
    /// Counts toward the numeric-micro geometric mean (the tier-1 target).
    pub numeric_micro: bool,
    /// Size argument for a normal run.
    pub default_size: String,
    /// Size argument for `--quick`.
    pub quick_size: String,
    /// The programs, one per language, in manifest order.
    pub programs: Vec<(Lang, PathBuf)>,
}

/// Reads and parses `<dir>/suite.txt`.
pub fn load(dir: &Path) -> Result<Vec<Benchmark>, String> {
    let path = dir.join("suite.txt");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read benchmark manifest {}: {e}", path.display()))?;
    parse(&text, dir).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses manifest text; program paths are resolved against `dir`.
pub fn parse(text: &str, dir: &Path) -> Result<Vec<Benchmark>, String> {
    let mut out: Vec<Benchmark> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [name, category, numeric, default_size, quick_size, langs] = fields[..] else {
            return Err(format!(
                "line {line_no}: expected 6 fields (name category numeric default quick langs), \
                 found {}",
                fields.len()
            ));
        };
        let valid_name = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            return Err(format!("line {line_no}: bad benchmark name `{name}`"));
        }
        if out.iter().any(|b| b.name == name) {
            return Err(format!("line {line_no}: duplicate benchmark `{name}`"));
        }
        let category = match category {
            "micro" => Category::Micro,
            "kernel" => Category::Kernel,
            other => {
                return Err(format!(
                    "line {line_no}: category must be `micro` or `kernel`, not `{other}`"
                ))
            }
        };
        let numeric_micro = match numeric {
            "yes" => true,
            "no" => false,
            other => {
                return Err(format!(
                    "line {line_no}: numeric must be yes or no, not `{other}`"
                ))
            }
        };
        let mut programs = Vec::new();
        for lang in langs.split(',') {
            let Some(lang) = Lang::parse(lang) else {
                return Err(format!(
                    "line {line_no}: unknown language `{lang}` (py, tiny)"
                ));
            };
            if programs.iter().any(|(l, _)| *l == lang) {
                return Err(format!("line {line_no}: language `{lang}` listed twice"));
            }
            programs.push((lang, dir.join(format!("{name}.{}", lang.extension()))));
        }
        out.push(Benchmark {
            name: name.to_string(),
            category,
            numeric_micro,
            default_size: default_size.to_string(),
            quick_size: quick_size.to_string(),
            programs,
        });
    }
    if out.is_empty() {
        return Err("no benchmarks listed".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_comments() {
        let text = "# header\n\nfib micro yes 30 10 py,tiny # trailing\nnb kernel no 5 1 py\n";
        let suite = parse(text, Path::new("/b")).unwrap();
        assert_eq!(suite.len(), 2);
        assert_eq!(suite[0].name, "fib");
        assert!(suite[0].numeric_micro);
        assert_eq!(
            suite[0].programs[1],
            (Lang::Tiny, PathBuf::from("/b/fib.tiny"))
        );
        assert_eq!(suite[1].category, Category::Kernel);
        assert_eq!(suite[1].quick_size, "1");
    }

    #[test]
    fn rejects_bad_lines() {
        for bad in [
            "fib micro yes 30 10",
            "fib mikro yes 30 10 py",
            "fib micro maybe 30 10 py",
            "fib micro yes 30 10 rb",
            "fib micro yes 30 10 py,py",
            "f/b micro yes 30 10 py",
            "fib micro yes 1 1 py\nfib micro yes 1 1 py",
            "# nothing",
        ] {
            assert!(parse(bad, Path::new(".")).is_err(), "{bad}");
        }
    }

    /// The real manifest parses, every program exists, and each program's built-in default size
    /// is the manifest's default, so running a program by hand measures the same thing.
    #[test]
    fn real_suite_is_consistent() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches");
        let suite = load(&dir).unwrap();
        for bench in &suite {
            for (lang, path) in &bench.programs {
                let text = std::fs::read_to_string(path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let expected = match lang {
                    Lang::Python => format!("\nn = {}\n", bench.default_size),
                    Lang::Tiny => format!("\nlet n = {};\n", bench.default_size),
                };
                assert!(
                    text.contains(&expected),
                    "{} lacks `{}`",
                    path.display(),
                    expected.trim()
                );
            }
        }
    }
}
