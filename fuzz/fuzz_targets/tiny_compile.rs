//! Fuzzes the Tiny frontend and the verifier: any input compiles to verified bytecode or
//! is rejected with a diagnostic; nothing panics. Run: `cargo +nightly fuzz run tiny_compile`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| frontend_tiny::fuzzing::compile_any(data));
