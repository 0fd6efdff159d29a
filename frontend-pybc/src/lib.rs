//! `frontend-pybc`: runs CPython 3.11 bytecode: the .pyc/marshal reader, the loader that
//! compiles .py with the installed CPython, translation to jit-core bytecode, Python semantics.
pub mod loader;
pub mod marshal;
pub mod pyc;
