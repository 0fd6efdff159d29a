//! The backend running whole programs: a Tiny program whose loops, branches and calls
//! become traces with side traces gives the generic interpreter's output, no mapping is
//! ever writable and executable while its traces are live (checked in `/proc/self/maps`
//! each time a trace is compiled), and the statistics count what was compiled.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use backend_stencil::executor::StencilCompiler;
use backend_stencil::mmap::MmapMemory;
use frontend_tiny::driver::{run, RunConfig};
use jit_core::interp::Mode;
use jit_core::jit::Backend;
use jit_core::native::CodeEvent;

const PROGRAM: &str = "
fn weight(x) {
    if x % 3 == 0 { return x * 2; }
    return x + 1;
}
let total = 0;
let xs = [];
for i in 0 .. 3000 {
    push(xs, i % 17);
}
let f = 0.5;
for i in 0 .. 3000 {
    total = total + weight(xs[i]);
    if i % 5 == 0 { f = f * 1.0001 + 0.25; } else { f = f - 0.125; }
}
print(total);
print(f);
";

static EVENTS: AtomicUsize = AtomicUsize::new(0);
static RWX: AtomicUsize = AtomicUsize::new(0);

fn check_maps(e: &CodeEvent<'_>) {
    EVENTS.fetch_add(1, Ordering::Relaxed);
    assert!(!e.code.is_empty() && !e.marks.is_empty());
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let rwx = maps
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|p| p.starts_with("rwx"))
        })
        .count();
    RWX.fetch_add(rwx, Ordering::Relaxed);
}

fn checked_backend() -> Box<dyn Backend> {
    let mut b = StencilCompiler::backend(MmapMemory::new()).expect("stencils on this target");
    b.set_listener(check_maps);
    Box::new(b)
}

#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_program(cfg: &RunConfig) -> (String, jit_core::run::Outcome) {
    let buf = SharedBuf::default();
    let o = run("p.tiny", PROGRAM, cfg, Box::new(buf.clone()));
    let out = String::from_utf8_lossy(&buf.0.borrow()).into_owned();
    (out, o)
}

#[test]
fn a_program_runs_as_machine_code_with_no_writable_executable_page() {
    if !backend_stencil::stencil::supported() {
        return;
    }
    let (want, _) = run_program(&RunConfig::new(Mode::Interp));
    for hot in [None, Some(1)] {
        let cfg = RunConfig {
            stats: true,
            hot,
            backend: Some(checked_backend),
            ..RunConfig::new(Mode::Uops)
        };
        let (got, o) = run_program(&cfg);
        assert_eq!(o.status, 0, "{}", o.stderr);
        assert_eq!(got, want);
        let s = o.stats.expect("statistics");
        let n = &s.native;
        assert_eq!(n.backend, "stencil");
        assert!(n.traces_compiled >= 3, "root and side traces: {n:?}");
        assert!(s.tier2.side_traces >= 1, "{:?}", s.tier2);
        assert_eq!(n.uops_compiled, n.own_code_uops + n.generic_uops);
        assert!(n.own_code_uops > n.generic_uops, "{n:?}");
        assert!(n.code_bytes > 0 && n.holes_patched > 0);
        assert!(
            n.live_code_bytes > 0 && n.live_code_bytes <= n.code_bytes,
            "{n:?}"
        );
        assert!(
            n.mapped_bytes >= n.live_code_bytes + n.padding_bytes,
            "{n:?}"
        );
        assert!(s.tier2.uops_executed > 3000, "counted: {:?}", s.tier2);
    }
    assert!(EVENTS.load(Ordering::Relaxed) >= 6);
    assert_eq!(
        RWX.load(Ordering::Relaxed),
        0,
        "an rwx mapping while traces were live"
    );
}
