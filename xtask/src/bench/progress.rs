//! The progress display on stderr: runs done of total, elapsed time and an estimate of the time
//! left. On a terminal it is one line rewritten in place with `\r`; otherwise (CI logs) a plain
//! line is printed every few seconds.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a non-terminal progress line is printed.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

pub struct Progress {
    total: usize,
    done: usize,
    start: Instant,
    /// Successful runs so far and the time they took, for the estimate.
    timed: u32,
    run_time: Duration,
    tty: bool,
    last_log: Option<Instant>,
    /// Whether a progress line is currently shown on the terminal and must be erased.
    drawn: bool,
}

impl Progress {
    /// A display for `total` runs, drawing on a terminal when stderr is one.
    pub fn new(total: usize) -> Progress {
        Progress::with_terminal(total, std::io::stderr().is_terminal())
    }

    fn with_terminal(total: usize, tty: bool) -> Progress {
        Progress {
            total,
            done: 0,
            start: Instant::now(),
            timed: 0,
            run_time: Duration::ZERO,
            tty,
            last_log: None,
            drawn: false,
        }
    }

    /// Announces the run about to start (`label`), redrawing or logging as appropriate.
    pub fn starting(&mut self, label: &str) {
        // `eprint!` (not a locked handle) so that test harnesses capture the display; stderr is
        // unbuffered, so the line appears at once.
        let line = self.line(label);
        if self.tty {
            // `\x1b[K` clears what a longer previous line left behind.
            eprint!("\r{line}\x1b[K");
            self.drawn = true;
        } else if self.last_log.is_none_or(|t| t.elapsed() >= LOG_INTERVAL) {
            eprintln!("{line}");
            self.last_log = Some(Instant::now());
        }
    }

    /// Records that a run finished: `Some(took)` for a successful run, `None` for a failed one
    /// (failures are often instant and would make the estimate too optimistic).
    pub fn finished(&mut self, took: Option<Duration>) {
        self.done += 1;
        if let Some(took) = took {
            self.timed += 1;
            self.run_time += took;
        }
    }

    /// Records that `n` planned runs will not happen (e.g. a cell failed), so the total shrinks.
    pub fn skipped(&mut self, n: usize) {
        self.total = self.total.saturating_sub(n);
    }

    /// Erases the terminal line (or logs a final line) before the report is printed.
    pub fn clear(&mut self) {
        if self.tty {
            if self.drawn {
                eprint!("\r\x1b[K");
            }
        } else {
            eprintln!(
                "bench: {} runs done in {}",
                self.done,
                clock(self.start.elapsed())
            );
        }
        self.drawn = false;
    }

    /// The progress line without terminal control characters.
    fn line(&self, label: &str) -> String {
        let elapsed = self.start.elapsed();
        let left = match self.estimate_left() {
            Some(d) => format!("~{} left", clock(d)),
            None => "estimating".to_string(),
        };
        let width = self.total.to_string().len();
        format!(
            "bench [{:>width$}/{}] {} elapsed, {left}  {label}",
            self.done,
            self.total,
            clock(elapsed)
        )
    }

    /// Remaining runs times the mean duration of the successful runs so far.
    fn estimate_left(&self) -> Option<Duration> {
        if self.timed == 0 {
            return None;
        }
        let remaining = u32::try_from(self.total.saturating_sub(self.done)).unwrap_or(u32::MAX);
        Some(
            (self.run_time / self.timed)
                .checked_mul(remaining)
                .unwrap_or(Duration::MAX),
        )
    }
}

/// `m:ss` (or `h:mm:ss`) for a duration.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(clock(Duration::from_secs(5)), "0:05");
        assert_eq!(clock(Duration::from_secs(125)), "2:05");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }

    #[test]
    fn estimate_uses_mean_run_time() {
        let mut p = Progress::with_terminal(10, false);
        assert_eq!(p.estimate_left(), None);
        p.finished(Some(Duration::from_secs(2)));
        p.finished(None);
        p.finished(Some(Duration::from_secs(4)));
        assert_eq!(p.estimate_left(), Some(Duration::from_secs(21)));
        assert!(p.line("fib/py python3").contains("[ 3/10]"));
        p.skipped(4);
        assert_eq!(p.estimate_left(), Some(Duration::from_secs(9)));
        assert!(p.line("fib/py python3").contains("[3/6]"));
    }
}
