//! Loads Python modules: compiles `.py` files with the installed CPython 3.11 (with a cache, so
//! a second run starts no Python at all) and reads `.pyc` files.
//!
//! The interpreter is `python3`, or whatever the `JIT_PYTHON` environment variable names. The
//! source is sent to it on standard input and compiled with `compile(source, filename,
//! "exec", dont_inherit=True)`, exactly as the import system does; it answers with a
//! hash-based `.pyc`. Compiled modules are cached in `$JIT_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/tiered-jit`, else `$HOME/.cache/tiered-jit`; with none of them set nothing
//! is cached. A cache entry is found by a hash of the source bytes, the file name given to
//! `compile`, the interpreter's path and the 3.11 magic number; the version check happens only
//! when Python runs, which is fine because only a 3.11 interpreter can have made an entry.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;

use crate::marshal::CodeObject;
use crate::pyc::{read_pyc, PycError, PycHeader, MAGIC_BYTES};

/// The environment variable naming the Python interpreter.
pub const PYTHON_ENV: &str = "JIT_PYTHON";

/// The environment variable naming the cache directory.
pub const CACHE_DIR_ENV: &str = "JIT_CACHE_DIR";

/// The interpreter used when `JIT_PYTHON` is not set.
pub const DEFAULT_PYTHON: &str = "python3";

/// The script Python runs. It prints its version first and stops there unless it is 3.11;
/// that part also parses under Python 2 so an old interpreter still gets a clear message.
/// Then it prints `OK` and a hash-based `.pyc`, or `SYNTAX`/`ERROR` and the exception's
/// fields as length-prefixed strings, which survive any characters in a message.
const COMPILE_SCRIPT: &str = r#"
import sys
v = sys.version_info
out = getattr(sys.stdout, "buffer", sys.stdout)
out.write(("JIT-PY %d.%d.%d\n" % (v[0], v[1], v[2])).encode("ascii"))
if (v[0], v[1]) == (3, 11):
    import importlib.util, marshal
    src = sys.stdin.buffer.read()
    def field(x):
        b = ("" if x is None else str(x)).encode("utf-8", "backslashreplace")
        return str(len(b)).encode("ascii") + b":" + b
    try:
        code = compile(src, sys.argv[1], "exec", dont_inherit=True)
    except SyntaxError as e:
        out.write(b"SYNTAX\n" + b"".join([field(x) for x in (type(e).__name__, e.msg, e.lineno, e.offset, e.text)]))
    except Exception as e:
        out.write(b"ERROR\n" + field(type(e).__name__) + field(e))
    else:
        flags = (1).to_bytes(4, "little")
        out.write(b"OK\n" + importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(src) + marshal.dumps(code))
out.flush()
"#;

/// Where the interpreter is and where compiled modules are cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoaderConfig {
    /// The interpreter: a path, or a name looked up in `PATH`.
    pub python: OsString,
    /// The cache directory, or `None` to compile every time.
    pub cache_dir: Option<PathBuf>,
}

impl LoaderConfig {
    /// The configuration the environment asks for (`JIT_PYTHON`, `JIT_CACHE_DIR`, ...).
    pub fn from_env() -> Self {
        let python = non_empty_env(PYTHON_ENV).unwrap_or_else(|| DEFAULT_PYTHON.into());
        LoaderConfig {
            python,
            cache_dir: default_cache_dir(),
        }
    }
}

fn non_empty_env(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The cache directory the environment asks for, if any.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = non_empty_env(CACHE_DIR_ENV) {
        return Some(dir.into());
    }
    // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
    if let Some(xdg) = non_empty_env("XDG_CACHE_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Some(xdg.join("tiered-jit"));
        }
    }
    non_empty_env("HOME").map(|home| PathBuf::from(home).join(".cache").join("tiered-jit"))
}

/// A loaded module.
#[derive(Clone, Debug)]
pub struct LoadedModule {
    /// The file it came from.
    pub path: PathBuf,
    /// The `.pyc` header (for a compiled source, the one Python wrote).
    pub header: PycHeader,
    /// The module's code object.
    pub code: Rc<CodeObject>,
    /// The source text, when loaded from source (invalid UTF-8 replaced), for error messages.
    pub source: Option<Rc<str>>,
    /// Whether the compiled code came from the cache rather than from running Python.
    pub from_cache: bool,
}

impl LoadedModule {
    /// Line `line` (1-based) of the source, without its line ending.
    pub fn source_line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        self.source.as_deref()?.lines().nth(index)
    }
}

/// A SyntaxError (or IndentationError, TabError) that Python reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxErrorInfo {
    /// The source file.
    pub path: PathBuf,
    /// The exception class name.
    pub kind: String,
    /// Python's message.
    pub message: String,
    /// The 1-based line.
    pub line: Option<u32>,
    /// The 1-based column (in characters, as Python counts).
    pub col: Option<u32>,
    /// The offending source line.
    pub text: Option<String>,
}

impl fmt::Display for SyntaxErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}: {}", self.kind, self.message)?;
        if let Some(text) = self
            .text
            .as_deref()
            .map(str::trim_end)
            .filter(|t| !t.is_empty())
        {
            write!(f, "\n    {text}")?;
            if let Some(col) = self.col.filter(|c| *c >= 1) {
                let pad: String = text
                    .chars()
                    .take(col as usize - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n    {pad}^")?;
            }
        }
        Ok(())
    }
}

/// Why a module could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// The interpreter is not a file and not found in `PATH`.
    PythonNotFound {
        /// The name or path that was configured.
        python: OsString,
    },
    /// The interpreter could not be started.
    PythonStart {
        /// The interpreter.
        python: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// The interpreter is not CPython 3.11.
    WrongPythonVersion {
        /// The interpreter.
        python: PathBuf,
        /// The version it reported.
        found: String,
    },
    /// The source has a syntax error.
    Syntax(SyntaxErrorInfo),
    /// `compile()` failed for another reason (for example a NUL byte in the source).
    Compile {
        /// The source file.
        path: PathBuf,
        /// The exception class name.
        kind: String,
        /// Python's message.
        message: String,
    },
    /// The interpreter failed or answered something unexpected.
    PythonFailed {
        /// The interpreter.
        python: PathBuf,
        /// The source file being compiled.
        path: PathBuf,
        /// What went wrong, with Python's standard error.
        detail: String,
    },
    /// A `.pyc` file is malformed or for another Python version.
    BadPyc {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        error: PycError,
    },
    /// The interpreter produced a `.pyc` this reader cannot read.
    BadCompilerOutput {
        /// The interpreter.
        python: PathBuf,
        /// The source file being compiled.
        path: PathBuf,
        /// What is wrong with the output.
        error: PycError,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            LoadError::PythonNotFound { python } => write!(
                f,
                "cannot find the Python interpreter {:?}; install CPython 3.11 or set {PYTHON_ENV} \
                 to one",
                python
            ),
            LoadError::PythonStart { python, error } => {
                write!(
                    f,
                    "cannot run the Python interpreter {}: {error}",
                    python.display()
                )
            }
            LoadError::WrongPythonVersion { python, found } => write!(
                f,
                "{} is Python {found}, but CPython 3.11 is required (set {PYTHON_ENV} to a \
                 python3.11)",
                python.display()
            ),
            LoadError::Syntax(info) => write!(f, "{info}"),
            LoadError::Compile {
                path,
                kind,
                message,
            } => {
                write!(f, "{}: {kind}: {message}", path.display())
            }
            LoadError::PythonFailed {
                python,
                path,
                detail,
            } => write!(
                f,
                "compiling {} with {} failed: {detail}",
                path.display(),
                python.display()
            ),
            LoadError::BadPyc { path, error } => write!(f, "{}: {error}", path.display()),
            LoadError::BadCompilerOutput {
                python,
                path,
                error,
            } => write!(
                f,
                "{} compiled {} into a .pyc this reader cannot read: {error}",
                python.display(),
                path.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Read { error, .. } | LoadError::PythonStart { error, .. } => Some(error),
            LoadError::BadPyc { error, .. } | LoadError::BadCompilerOutput { error, .. } => {
                Some(error)
            }
            _ => None,
        }
    }
}

/// Loads a `.py` file, compiling it with the interpreter the environment names.
pub fn load_source(path: &Path) -> Result<LoadedModule, LoadError> {
    load_source_with(&LoaderConfig::from_env(), path)
}

/// Loads a `.pyc` file written by CPython 3.11.
pub fn load_pyc_file(path: &Path) -> Result<LoadedModule, LoadError> {
    let bytes = read_file(path)?;
    let pyc = read_pyc(&bytes).map_err(|error| LoadError::BadPyc {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(LoadedModule {
        path: path.to_path_buf(),
        header: pyc.header,
        code: pyc.code,
        source: None,
        from_cache: false,
    })
}

/// Loads a `.py` file with an explicit configuration.
pub fn load_source_with(config: &LoaderConfig, path: &Path) -> Result<LoadedModule, LoadError> {
    let source = read_file(path)?;
    let filename = path.to_string_lossy().into_owned();
    let python = resolve_python(&config.python).ok_or_else(|| LoadError::PythonNotFound {
        python: config.python.clone(),
    })?;
    let key = cache_key(&python, &filename, &source);
    let entry = config
        .cache_dir
        .as_ref()
        .map(|dir| dir.join(format!("{key:032x}.tjc")));
    let text: Rc<str> = String::from_utf8_lossy(&source).into();
    let module = |pyc: crate::pyc::Pyc, from_cache| LoadedModule {
        path: path.to_path_buf(),
        header: pyc.header,
        code: pyc.code,
        source: Some(text.clone()),
        from_cache,
    };
    if let Some(pyc) = entry
        .as_deref()
        .and_then(|e| read_cache_entry(e, key, source.len()))
    {
        return Ok(module(pyc, true));
    }
    let pyc_bytes = compile_with_python(&python, path, &filename, &source)?;
    let pyc = read_pyc(&pyc_bytes).map_err(|error| LoadError::BadCompilerOutput {
        python: python.clone(),
        path: path.to_path_buf(),
        error,
    })?;
    if let Some(entry) = entry.as_deref() {
        // The cache only saves time, so failing to write it is not worth failing the load.
        let _ = write_cache_entry(entry, key, source.len(), &pyc_bytes);
    }
    Ok(module(pyc, false))
}

fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|error| LoadError::Read {
        path: path.to_path_buf(),
        error,
    })
}

/// Finds the interpreter without running it: a name without a slash is looked up in `PATH`.
fn resolve_python(python: &OsStr) -> Option<PathBuf> {
    let given = Path::new(python);
    if given.components().count() > 1 || given.is_absolute() {
        return is_executable(given).then(|| absolute(given));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(given))
        .find(|p| is_executable(p))
        .map(|p| absolute(&p))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Runs Python to compile `source`; returns the `.pyc` bytes it wrote.
fn compile_with_python(
    python: &Path,
    path: &Path,
    filename: &str,
    source: &[u8],
) -> Result<Vec<u8>, LoadError> {
    let mut child = Command::new(python)
        // -E and -S keep PYTHON* variables and site-packages from changing or slowing the
        // compile; -c and the file name as argv[1] work from Python 2 on.
        .args(["-E", "-S", "-c", COMPILE_SCRIPT, filename])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| LoadError::PythonStart {
            python: python.to_path_buf(),
            error,
        })?;
    let stdin = child.stdin.take();
    // A separate thread feeds standard input so a large source cannot deadlock against
    // Python's output filling its pipe.
    let output = std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(mut stdin) = stdin {
                // A wrong-version interpreter exits without reading; its version line says
                // why, so the broken pipe here is not the error to report.
                let _ = stdin.write_all(source);
            }
        });
        child.wait_with_output()
    })
    .map_err(|error| LoadError::PythonStart {
        python: python.to_path_buf(),
        error,
    })?;
    let failed = |what: &str| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr = stderr.trim();
        let mut detail = format!("{what} (exit status: {})", output.status);
        if !stderr.is_empty() {
            detail.push_str("; standard error:\n");
            detail.push_str(stderr);
        }
        LoadError::PythonFailed {
            python: python.to_path_buf(),
            path: path.to_path_buf(),
            detail,
        }
    };
    let stdout = output.stdout.as_slice();
    let Some((first, rest)) = split_line(stdout) else {
        return Err(failed("Python printed no version line"));
    };
    let Some(version) = first.strip_prefix(b"JIT-PY ") else {
        return Err(failed("Python printed no version line"));
    };
    let version = String::from_utf8_lossy(version).into_owned();
    let mut parts = version.split('.');
    if (parts.next(), parts.next()) != (Some("3"), Some("11")) {
        return Err(LoadError::WrongPythonVersion {
            python: python.to_path_buf(),
            found: version,
        });
    }
    let Some((status, body)) = split_line(rest) else {
        return Err(failed("Python stopped before compiling"));
    };
    match status {
        b"OK" if body.starts_with(&MAGIC_BYTES) => Ok(body.to_vec()),
        b"OK" => Err(failed("Python wrote a .pyc without the 3.11 magic number")),
        b"SYNTAX" => {
            let Some([kind, message, line, col, text]) = netstrings::<5>(body) else {
                return Err(failed(
                    "Python reported a syntax error in an unreadable form",
                ));
            };
            Err(LoadError::Syntax(SyntaxErrorInfo {
                path: path.to_path_buf(),
                kind,
                message,
                line: line.parse().ok(),
                col: col.parse().ok(),
                text: Some(text).filter(|t| !t.is_empty()),
            }))
        }
        b"ERROR" => {
            let Some([kind, message]) = netstrings::<2>(body) else {
                return Err(failed("Python reported an error in an unreadable form"));
            };
            Err(LoadError::Compile {
                path: path.to_path_buf(),
                kind,
                message,
            })
        }
        _ => Err(failed("Python answered something unexpected")),
    }
}

fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let newline = bytes.iter().position(|b| *b == b'\n')?;
    Some((bytes.get(..newline)?, bytes.get(newline + 1..)?))
}

/// Parses exactly `N` strings written as `<decimal length>:<bytes>`.
fn netstrings<const N: usize>(mut bytes: &[u8]) -> Option<[String; N]> {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for slot in out.iter_mut() {
        let colon = bytes.iter().position(|b| *b == b':')?;
        let len: usize = std::str::from_utf8(bytes.get(..colon)?)
            .ok()?
            .parse()
            .ok()?;
        let end = colon.checked_add(1)?.checked_add(len)?;
        *slot = String::from_utf8_lossy(bytes.get(colon + 1..end)?).into_owned();
        bytes = bytes.get(end..)?;
    }
    bytes.is_empty().then_some(out)
}

/// The tag at the start of every cache entry; a new layout gets a new tag.
const CACHE_TAG: &[u8; 8] = b"TJITPYC1";

/// The cache entry header: tag, key (16), source length (8), checksum of the `.pyc` (8).
const CACHE_HEADER_LEN: usize = 8 + 16 + 8 + 8;

fn cache_key(python: &Path, filename: &str, source: &[u8]) -> u128 {
    let mut h = Fnv1a128::new();
    h.write(CACHE_TAG);
    h.write(&MAGIC_BYTES);
    h.write(python.as_os_str().as_encoded_bytes());
    h.write(&[0]);
    h.write(filename.as_bytes());
    h.write(&[0]);
    h.write(&(source.len() as u64).to_le_bytes());
    h.write(source);
    h.finish()
}

/// Returns the cached `.pyc` if the entry exists and is intact; anything else is a miss.
fn read_cache_entry(entry: &Path, key: u128, source_len: usize) -> Option<crate::pyc::Pyc> {
    let bytes = std::fs::read(entry).ok()?;
    let header = bytes.get(..CACHE_HEADER_LEN)?;
    let pyc = bytes.get(CACHE_HEADER_LEN..)?;
    let field = |range: std::ops::Range<usize>| header.get(range);
    if field(0..8)? != CACHE_TAG
        || field(8..24)? != key.to_le_bytes()
        || field(24..32)? != (source_len as u64).to_le_bytes()
        || field(32..40)? != fnv1a_64(pyc).to_le_bytes()
    {
        return None;
    }
    read_pyc(pyc).ok()
}

fn write_cache_entry(entry: &Path, key: u128, source_len: usize, pyc: &[u8]) -> io::Result<()> {
    let dir = entry
        .parent()
        .ok_or_else(|| io::Error::other("cache entry has no directory"))?;
    std::fs::create_dir_all(dir)?;
    let mut bytes = Vec::with_capacity(CACHE_HEADER_LEN + pyc.len());
    bytes.extend_from_slice(CACHE_TAG);
    bytes.extend_from_slice(&key.to_le_bytes());
    bytes.extend_from_slice(&(source_len as u64).to_le_bytes());
    bytes.extend_from_slice(&fnv1a_64(pyc).to_le_bytes());
    bytes.extend_from_slice(pyc);
    // Writing to a private name and renaming means a reader never sees half an entry, even
    // with several processes filling the cache at once.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = entry.with_extension(format!("{}.{nanos}.tmp", std::process::id()));
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, entry).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// FNV-1a with a 64-bit state: the checksum of cache entries.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// FNV-1a with a 128-bit state: the cache key, wide enough that distinct sources colliding
/// is not a practical concern.
struct Fnv1a128(u128);

impl Fnv1a128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn new() -> Self {
        Fnv1a128(Self::OFFSET)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u128::from(*b)).wrapping_mul(Self::PRIME);
        }
    }

    fn finish(&self) -> u128 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn fnv_test_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
        let mut h = Fnv1a128::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }

    #[test]
    fn netstrings_parse_exactly() {
        let [a, b] = netstrings::<2>(b"3:abc0:").unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("abc", ""));
        assert!(netstrings::<2>(b"3:abc").is_none());
        assert!(netstrings::<1>(b"3:abcd").is_none());
        assert!(netstrings::<1>(b"99999999999999999999999:").is_none());
    }

    /// A scratch directory removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!(
                "tiered-jit-loader-{}-{name}-{n}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Whether `python3` is CPython 3.11; tests that need it are skipped otherwise.
    fn have_python311() -> bool {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.version_info[:2] == (3, 11))"])
            .output();
        let ok = out.is_ok_and(|o| o.stdout.starts_with(b"True"));
        if !ok {
            eprintln!("skipping: python3 is not CPython 3.11");
        }
        ok
    }

    #[cfg(unix)]
    fn write_script(path: &Path, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, body).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn compiles_caches_and_skips_python_on_a_hit() {
        if !have_python311() {
            return;
        }
        let scratch = Scratch::new("cache");
        let log = scratch.0.join("runs.log");
        let wrapper = scratch.0.join("python-wrapper");
        write_script(
            &wrapper,
            &format!(
                "#!/bin/sh\necho run >> '{}'\nexec python3 \"$@\"\n",
                log.display()
            ),
        );
        let src = scratch.0.join("m.py");
        std::fs::write(&src, "x = 1\n\ndef f(a):\n    return a + x\n").unwrap();
        let config = LoaderConfig {
            python: wrapper.into_os_string(),
            cache_dir: Some(scratch.0.join("cache")),
        };
        let runs = || std::fs::read_to_string(&log).map_or(0, |s| s.lines().count());

        let first = load_source_with(&config, &src).unwrap();
        assert!(!first.from_cache);
        assert_eq!(&*first.code.name, "<module>");
        assert_eq!(&*first.code.filename, src.to_string_lossy());
        assert_eq!(first.source_line(3), Some("def f(a):"));
        assert_eq!(runs(), 1);

        let second = load_source_with(&config, &src).unwrap();
        assert!(second.from_cache);
        assert_eq!(second.code, first.code);
        assert_eq!(runs(), 1, "a cache hit must not start Python");

        // A corrupt entry is ignored, recompiled and rewritten.
        let entries: Vec<_> = std::fs::read_dir(scratch.0.join("cache"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(entries.len(), 1);
        let mut bytes = std::fs::read(&entries[0]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        std::fs::write(&entries[0], &bytes).unwrap();
        let third = load_source_with(&config, &src).unwrap();
        assert!(!third.from_cache);
        assert_eq!(runs(), 2);
        assert!(load_source_with(&config, &src).unwrap().from_cache);
        std::fs::write(&entries[0], b"garbage").unwrap();
        assert!(!load_source_with(&config, &src).unwrap().from_cache);

        // A changed source is a different key.
        std::fs::write(&src, "x = 2\n").unwrap();
        assert!(!load_source_with(&config, &src).unwrap().from_cache);
        assert_eq!(runs(), 4);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        if !have_python311() {
            return;
        }
        let scratch = Scratch::new("syntax");
        let src = scratch.0.join("bad.py");
        std::fs::write(&src, "x = 1\ny = (2 +\nif x:\n").unwrap();
        let config = LoaderConfig {
            python: "python3".into(),
            cache_dir: None,
        };
        let err = load_source_with(&config, &src).unwrap_err();
        let LoadError::Syntax(info) = &err else {
            panic!("unexpected {err}")
        };
        assert_eq!(info.kind, "SyntaxError");
        assert_eq!(info.line, Some(2));
        let text = err.to_string();
        assert!(text.starts_with(&format!("{}:2:", src.display())), "{text}");

        std::fs::write(&src, "def f():\nreturn 1\n").unwrap();
        let err = load_source_with(&config, &src).unwrap_err();
        let LoadError::Syntax(info) = &err else {
            panic!("unexpected {err}")
        };
        assert_eq!(
            (info.kind.as_str(), info.line),
            ("IndentationError", Some(2))
        );

        std::fs::write(&src, "x = 1\0\n").unwrap();
        let err = load_source_with(&config, &src).unwrap_err();
        assert!(
            matches!(err, LoadError::Compile { .. } | LoadError::Syntax(_)),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn wrong_and_missing_interpreters_are_clear_errors() {
        let scratch = Scratch::new("version");
        let fake = scratch.0.join("python3.12");
        write_script(&fake, "#!/bin/sh\necho 'JIT-PY 3.12.1'\n");
        let src = scratch.0.join("m.py");
        std::fs::write(&src, "pass\n").unwrap();
        let config = LoaderConfig {
            python: fake.clone().into_os_string(),
            cache_dir: None,
        };
        let err = load_source_with(&config, &src).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, LoadError::WrongPythonVersion { .. }),
            "{text}"
        );
        assert!(text.contains("3.12.1") && text.contains("3.11"), "{text}");

        let broken = scratch.0.join("broken");
        write_script(&broken, "#!/bin/sh\necho oops >&2\nexit 3\n");
        let config = LoaderConfig {
            python: broken.into_os_string(),
            cache_dir: None,
        };
        let text = load_source_with(&config, &src).unwrap_err().to_string();
        assert!(text.contains("oops") && text.contains("m.py"), "{text}");

        let missing = scratch.0.join("no-such-python");
        let config = LoaderConfig {
            python: missing.into_os_string(),
            cache_dir: None,
        };
        let err = load_source_with(&config, &src).unwrap_err();
        assert!(matches!(err, LoadError::PythonNotFound { .. }), "{err}");

        let err = load_source_with(&config, &scratch.0.join("absent.py")).unwrap_err();
        assert!(err.to_string().contains("absent.py"), "{err}");
    }
}
