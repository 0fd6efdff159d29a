//! Spawning and timing one benchmark run: wall time, peak memory (`wait4` rusage), exit status
//! and output, with a watchdog that kills runs that exceed a time limit.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Exit {
    /// Exited normally with this code.
    Code(i32),
    /// Killed by this signal (not by the watchdog).
    Signal(i32),
    /// Killed by the watchdog after the time limit.
    TimedOut(Duration),
}

/// What one finished run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// From just before spawning to the moment the process exited.
    pub wall: Duration,
    /// Peak resident set size of the process, in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    pub exit: Exit,
    /// Everything the program wrote to stdout (lossily decoded as UTF-8).
    pub stdout: String,
    /// The last few lines the program wrote to stderr, for error messages.
    pub stderr_tail: String,
}

impl Outcome {
    /// `None` for a successful run, else a one-line description of the failure.
    pub fn failure(&self) -> Option<String> {
        let what = match &self.exit {
            Exit::Code(0) => return None,
            Exit::Code(code) => format!("exit code {code}"),
            Exit::Signal(sig) => format!("killed by signal {sig}"),
            Exit::TimedOut(limit) => format!("timed out after {:.0} s", limit.as_secs_f64()),
        };
        let tail = self.stderr_tail.trim();
        Some(if tail.is_empty() {
            what
        } else {
            format!("{what}: {}", tail.replace('\n', " | "))
        })
    }
}

/// Runs `program args...` once with stdin closed, stdout and stderr captured in files under
/// `scratch`, and measures it. `Err` only when the process could not be started or waited for.
pub fn run_once(
    program: &Path,
    args: &[OsString],
    scratch: &Path,
    timeout: Duration,
) -> Result<Outcome, String> {
    let out_path = scratch.join("stdout");
    let err_path = scratch.join("stderr");
    let create = |p: &PathBuf| {
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(p)
            .map_err(|e| format!("cannot create {}: {e}", p.display()))
    };
    let mut out_file = create(&out_path)?;
    let mut err_file = create(&err_path)?;
    let stdout = out_file.try_clone().map_err(|e| e.to_string())?;
    let stderr = err_file.try_clone().map_err(|e| e.to_string())?;

    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let pid = child.id() as libc::pid_t;
    // From here on the child is reaped by `wait_for` below, never through `child`: std's
    // `Child` neither waits nor kills on drop, so dropping it is harmless.
    drop(child);

    let (wall, status, rusage, timed_out) = wait_for(pid, start, timeout)?;

    let exit = if timed_out {
        Exit::TimedOut(timeout)
    } else if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(-1)
    };
    Ok(Outcome {
        wall,
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: u64::try_from(rusage.ru_maxrss).unwrap_or(0),
        exit,
        stdout: read_all(&mut out_file),
        stderr_tail: tail_lines(&read_all(&mut err_file), 3),
    })
}

fn read_all(file: &mut File) -> String {
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(0)).is_ok() {
        let _ = file.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(n)..].join("\n");
    // Keep error messages readable even when a program dumps one enormous line.
    if tail.chars().count() > 400 {
        let cut: String = tail.chars().take(400).collect();
        format!("{cut}...")
    } else {
        tail
    }
}

/// Shared between the waiting thread and the watchdog: `true` once the child has exited.
type Finished = Arc<(Mutex<bool>, Condvar)>;

/// Waits for `pid` to exit, returning the wall time since `start`, the wait status, its rusage
/// and whether the watchdog had to kill it.
///
/// The child is waited for in two steps so the watchdog can never signal a recycled pid:
/// `waitid(WNOWAIT)` notices the exit but leaves a zombie (which keeps the pid reserved), the
/// `finished` flag is set under the lock the watchdog checks before `kill`, and only then
/// `wait4` reaps the zombie and collects its rusage.
fn wait_for(
    pid: libc::pid_t,
    start: Instant,
    timeout: Duration,
) -> Result<(Duration, libc::c_int, libc::rusage, bool), String> {
    let finished: Finished = Arc::new((Mutex::new(false), Condvar::new()));
    let watchdog = {
        let finished = Arc::clone(&finished);
        std::thread::spawn(move || {
            let (lock, cvar) = &*finished;
            let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            let (guard, _) = cvar
                .wait_timeout_while(guard, timeout, |done| !*done)
                .unwrap_or_else(|e| e.into_inner());
            if *guard {
                return false;
            }
            // SAFETY: `kill` has no memory-safety preconditions. `finished` is false and we hold
            // its lock, so the waiting thread has not reaped `pid` yet (it reaps only after
            // setting the flag under this lock): `pid` is still our child or its zombie, never
            // a recycled pid.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            true
        })
    };

    let wait_result = loop {
        // SAFETY: an all-zero `siginfo_t` is a valid value of this plain C struct.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a live, writable `siginfo_t` for the duration of the call.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 {
            break Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            break Err(format!("waitid({pid}) failed: {err}"));
        }
    };
    let wall = start.elapsed();
    {
        let (lock, cvar) = &*finished;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cvar.notify_all();
    }
    let timed_out = watchdog.join().unwrap_or(false);
    wait_result?;

    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `rusage` are live, writable locals of the types wait4 expects.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
        if rc == pid {
            return Ok((wall, status, rusage, timed_out));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4({pid}) failed: {err}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a shell script in a scratch directory of its own (tests run in parallel).
    fn sh(script: &str, timeout: Duration) -> Outcome {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("xtask-measure-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let args = [OsString::from("-c"), OsString::from(script)];
        let out = run_once(Path::new("/bin/sh"), &args, &dir, timeout).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        out
    }

    #[test]
    fn captures_output_status_and_memory() {
        let out = sh("echo hello; echo oops >&2; exit 3", Duration::from_secs(30));
        assert_eq!(out.stdout, "hello\n");
        assert_eq!(out.exit, Exit::Code(3));
        assert_eq!(out.failure().unwrap(), "exit code 3: oops");
        assert!(out.max_rss_kib > 0);
        let ok = sh("true", Duration::from_secs(30));
        assert_eq!(ok.failure(), None);
    }

    #[test]
    fn watchdog_kills_slow_runs() {
        let out = sh("sleep 5", Duration::from_millis(200));
        assert!(matches!(out.exit, Exit::TimedOut(_)));
        assert!(out.wall < Duration::from_secs(4));
    }

    #[test]
    fn missing_program_is_an_error() {
        let dir = std::env::temp_dir();
        assert!(run_once(
            Path::new("/nonexistent/prog"),
            &[],
            &dir,
            Duration::from_secs(1)
        )
        .is_err());
    }
}
