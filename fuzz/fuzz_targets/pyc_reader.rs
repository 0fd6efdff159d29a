//! Fuzzes the `.pyc`/marshal reader: arbitrary bytes give a code object or an error,
//! never a panic, a hang or an out-of-memory abort. Run: `cargo +nightly fuzz run pyc_reader`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = frontend_pybc::pyc::read_pyc(data);
    let _ = frontend_pybc::marshal::read_object(data);
});
