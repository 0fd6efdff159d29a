//! CPython 3.11-compatible number and string formatting in pure Rust: `repr(float)`, `format()`
//! specs, printf-style `%`, `repr(str)`, `int(str)`, `float(str)` and `round()`.
//!
//! Every function reproduces CPython's output byte for byte and reports failures as a
//! [`PyFmtError`] that carries the exception type name and CPython's exact message.
//!
//! Overview of the public API:
//!
//! * floats: [`float_repr`], [`double_to_string`], [`format_float`], [`format_float_typed`]
//! * ints: [`format_int`], [`format_bigint`], [`format_int_typed`], [`int_to_decimal_string`],
//!   [`int_to_prefixed`]
//! * strings: [`format_str`], [`format_str_typed`], [`str_repr`], [`ascii_escape`], [`is_printable`]
//! * format specs: [`parse_format_spec`] / [`FormatSpec`], then [`format_float_spec`],
//!   [`format_int_spec`], [`format_str_spec`] (for callers that parse once or add types)
//! * printf-style: [`percent_format`] with [`PercentArg`] / [`PercentArgs`] / [`SimpleArg`]
//! * parsing: [`int_from_str`], [`float_from_str`]
//! * rounding and conversion: [`round_float`], [`round_float_to_int`], [`float_to_int`],
//!   [`round_int`], [`int_to_f64`]
//!
//! Known gaps: lone surrogates cannot live in a Rust `str`, so `%c` / `format(n, 'c')` of a
//! surrogate code point yields U+FFFD; the limit on int/str conversions is CPython's default
//! (4300 digits) and cannot be changed; outputs longer than 2**30 characters raise
//! `MemoryError` instead of being built; `round_int` returns 0 for absurdly negative
//! `ndigits` where CPython would try to build `10**-ndigits`.

use std::borrow::Cow;
use std::fmt;

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{FromPrimitive, ToPrimitive, Zero};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A Python exception raised by one of the formatting helpers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyFmtError {
    /// The exception type name, e.g. `"ValueError"`.
    pub kind: &'static str,
    /// The message exactly as `str(exc)` shows it in CPython.
    pub msg: String,
}

impl PyFmtError {
    /// Builds an error of the given exception type.
    pub fn new(kind: &'static str, msg: impl Into<String>) -> Self {
        PyFmtError {
            kind,
            msg: msg.into(),
        }
    }

    /// A `ValueError`.
    pub fn value_error(msg: impl Into<String>) -> Self {
        Self::new("ValueError", msg)
    }

    /// A `TypeError`.
    pub fn type_error(msg: impl Into<String>) -> Self {
        Self::new("TypeError", msg)
    }

    /// An `OverflowError`.
    pub fn overflow_error(msg: impl Into<String>) -> Self {
        Self::new("OverflowError", msg)
    }

    /// A `MemoryError` (empty message, as CPython prints it).
    pub fn memory_error() -> Self {
        Self::new("MemoryError", "")
    }
}

impl fmt::Display for PyFmtError {
    /// Formats like the last line of a CPython traceback: `ValueError: msg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.msg.is_empty() {
            f.write_str(self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.msg)
        }
    }
}

impl std::error::Error for PyFmtError {}

/// Result type of the formatting helpers.
pub type PyFmtResult<T> = Result<T, PyFmtError>;

/// CPython's default `sys.get_int_max_str_digits()`: decimal int/str conversions of more
/// digits raise `ValueError`.
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// Outputs (or paddings) longer than this many characters raise `MemoryError`.
pub(super) const MAX_OUTPUT_CHARS: i64 = 1 << 30;

pub(super) fn check_output_size(n: i64) -> PyFmtResult<()> {
    if n > MAX_OUTPUT_CHARS {
        Err(PyFmtError::memory_error())
    } else {
        Ok(())
    }
}

pub(super) fn push_n(out: &mut String, c: char, n: i64) {
    for _ in 0..n.max(0) {
        out.push(c);
    }
}

mod float;
mod int;
mod parse;
mod percent;
mod round;
mod spec;
mod strings;
#[cfg(test)]
mod tests;
mod unicode;

pub use float::*;
pub use int::*;
pub use parse::*;
pub use percent::*;
pub use round::*;
pub use spec::*;
pub use strings::*;
pub use unicode::*;
