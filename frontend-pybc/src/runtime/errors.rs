//! Python exceptions as the core carries them: constructors with CPython's exact wording.

use jit_core::semantics::Exception;

use crate::pyfmt::PyFmtError;

/// An exception of `kind` with `message`.
pub fn exc(kind: &str, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

/// `TypeError: message`.
pub fn type_error(message: impl Into<String>) -> Exception {
    exc("TypeError", message)
}

/// `ValueError: message`.
pub fn value_error(message: impl Into<String>) -> Exception {
    exc("ValueError", message)
}

/// `IndexError: message`.
pub fn index_error(message: impl Into<String>) -> Exception {
    exc("IndexError", message)
}

/// `OverflowError: message`.
pub fn overflow_error(message: impl Into<String>) -> Exception {
    exc("OverflowError", message)
}

/// `ZeroDivisionError: message`.
pub fn zero_division(message: impl Into<String>) -> Exception {
    exc("ZeroDivisionError", message)
}

/// `AttributeError: message`.
pub fn attribute_error(message: impl Into<String>) -> Exception {
    exc("AttributeError", message)
}

/// `RuntimeError: message`.
pub fn runtime_error(message: impl Into<String>) -> Exception {
    exc("RuntimeError", message)
}

/// `RecursionError` for runaway nesting in a builtin (`repr`, comparison of nested lists).
pub fn recursion_error(what: &str) -> Exception {
    exc(
        "RecursionError",
        format!("maximum recursion depth exceeded{what}"),
    )
}

/// `MemoryError` (no message), for results too large to build.
pub fn memory_error() -> Exception {
    exc("MemoryError", "")
}

/// `TypeError: f() takes exactly one argument (2 given)` and friends, for builtins.
pub fn arg_count(name: &str, min: usize, max: usize, given: usize) -> Exception {
    if min == max {
        match min {
            0 => type_error(format!("{name}() takes no arguments ({given} given)")),
            1 => type_error(format!(
                "{name}() takes exactly one argument ({given} given)"
            )),
            n => type_error(format!("{name} expected {n} arguments, got {given}")),
        }
    } else if given < min {
        type_error(format!(
            "{name} expected at least {min} argument{}, got {given}",
            if min == 1 { "" } else { "s" }
        ))
    } else {
        type_error(format!(
            "{name} expected at most {max} argument{}, got {given}",
            if max == 1 { "" } else { "s" }
        ))
    }
}

/// Converts a formatting helper's error into a Python exception.
pub fn from_fmt(e: PyFmtError) -> Exception {
    exc(e.kind, e.msg)
}

/// Checks that a builtin got between `min` and `max` positional arguments.
pub fn check_args(name: &str, args: usize, min: usize, max: usize) -> Result<(), Exception> {
    if args < min || args > max {
        Err(arg_count(name, min, max, args))
    } else {
        Ok(())
    }
}
