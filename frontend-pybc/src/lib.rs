//! `frontend-pybc`: runs CPython 3.11 bytecode. The .pyc reader, translation to jit-core
//! bytecode and Python semantics are being built (see the open Python-frontend issue).
