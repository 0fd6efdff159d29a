//! The Cranelift backend running whole programs: a Tiny program whose loops, branches and
//! calls become traces with side traces gives the generic interpreter's output, at both
//! thresholds and with the optimizer on and off; no mapping is ever writable and
//! executable while its traces are live (checked in `/proc/self/maps` each time a trace
//! is compiled); linked exits are followed without a return to the executor; and a
//! [`Compare`] times a second compiler on the same traces.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use backend_cranelift::CraneliftCompiler;
use frontend_tiny::driver::{run, RunConfig};
use jit_core::interp::Mode;
use jit_core::jit::Backend;
use jit_core::native::mmap::MmapMemory;
use jit_core::native::{CodeEvent, Compare, NativeBackend};
use jit_core::tier2::{OptConfig, Passes};

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
static WITH_IR: AtomicUsize = AtomicUsize::new(0);
static RWX: AtomicUsize = AtomicUsize::new(0);

fn check_maps(e: &CodeEvent<'_>) {
    EVENTS.fetch_add(1, Ordering::Relaxed);
    assert!(!e.code.is_empty() && !e.marks.is_empty());
    if e.ir.is_some_and(|ir| ir.contains("function")) {
        WITH_IR.fetch_add(1, Ordering::Relaxed);
    }
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

fn compiler() -> CraneliftCompiler<MmapMemory> {
    CraneliftCompiler::new(MmapMemory::new()).expect("Cranelift supports this host")
}

fn checked_backend() -> Box<dyn Backend> {
    let mut b = NativeBackend::new(compiler().with_ir());
    b.set_listener(check_maps);
    Box::new(b)
}

fn compared_backend() -> Box<dyn Backend> {
    Box::new(NativeBackend::new(Compare::new(compiler(), compiler())))
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
fn a_program_runs_as_cranelift_code_with_no_writable_executable_page() {
    if !backend_cranelift::supported() {
        return;
    }
    let (want, _) = run_program(&RunConfig::new(Mode::Interp));
    for opt in ["all", "none"] {
        for hot in [None, Some(1)] {
            let cfg = RunConfig {
                stats: true,
                clock: Some(now_ns),
                hot,
                opt: OptConfig {
                    passes: Passes::parse(opt).unwrap(),
                    dump: false,
                },
                backend: Some(checked_backend),
                ..RunConfig::new(Mode::Uops)
            };
            let (got, o) = run_program(&cfg);
            assert_eq!(o.status, 0, "{}", o.stderr);
            assert_eq!(got, want, "--hot {hot:?} --opt {opt}");
            let s = o.stats.expect("statistics");
            let n = &s.native;
            assert_eq!(n.backend, "cranelift");
            assert!(n.traces_compiled >= 3, "root and side traces: {n:?}");
            assert!(s.tier2.side_traces >= 1, "{:?}", s.tier2);
            assert_eq!(n.uops_compiled, n.own_code_uops + n.generic_uops);
            assert!(n.own_code_uops > n.generic_uops, "{n:?}");
            assert_eq!(n.ns_per_uop.len() as u64, n.traces_compiled);
            assert!(
                n.live_code_bytes > 0 && n.live_code_bytes <= n.code_bytes + 4096,
                "{n:?}"
            );
            // Linked exits go straight into their side traces: the executor is
            // entered far less often than exits are taken.
            assert!(
                s.tier2.exits_taken > 10 * s.executor_entries,
                "exits {} entries {}",
                s.tier2.exits_taken,
                s.executor_entries
            );
        }
    }
    assert!(EVENTS.load(Ordering::Relaxed) >= 12);
    assert_eq!(
        WITH_IR.load(Ordering::Relaxed),
        EVENTS.load(Ordering::Relaxed)
    );
    assert_eq!(
        RWX.load(Ordering::Relaxed),
        0,
        "an rwx mapping while traces were live"
    );
}

#[test]
fn a_comparison_times_the_second_compiler_on_every_trace() {
    if !backend_cranelift::supported() {
        return;
    }
    let (want, _) = run_program(&RunConfig::new(Mode::Interp));
    let cfg = RunConfig {
        stats: true,
        clock: Some(now_ns),
        backend: Some(compared_backend),
        ..RunConfig::new(Mode::Uops)
    };
    let (got, o) = run_program(&cfg);
    assert_eq!(got, want);
    let n = o.stats.expect("statistics").native;
    assert_eq!(n.compared, "cranelift");
    assert_eq!(n.compared_ns_per_uop.len(), n.ns_per_uop.len());
    assert!(n.compared_ns_per_uop.iter().all(|&x| x > 0.0), "{n:?}");
    assert!(n
        .json()
        .contains("\"compared\": {\"backend\": \"cranelift\""));
}

fn now_ns() -> u64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}
