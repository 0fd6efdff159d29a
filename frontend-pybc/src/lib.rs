//! `frontend-pybc`: runs CPython 3.11 bytecode: the .pyc/marshal reader, the loader that
//! compiles .py with the installed CPython, translation to jit-core bytecode, Python semantics.
//! It runs a subset of Python: constructs it does not support yet (classes, exceptions,
//! generators, ...) are refused by the translation, naming the construct and its line.
pub mod driver;
pub mod loader;
pub mod marshal;
pub mod opcodes;
pub mod pyc;
pub mod pyfmt;
pub mod runtime;
pub mod translate;
