//! Formatting and converting ints (machine-size and big).

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// format(int, spec)
// ---------------------------------------------------------------------------------------------

/// A borrowed Python int: machine-sized or arbitrary precision.
#[derive(Clone, Copy, Debug)]
pub enum IntRef<'a> {
    /// A value that fits in an `i64`.
    Small(i64),
    /// An arbitrary-precision value.
    Big(&'a BigInt),
}

impl<'a> From<&'a BigInt> for IntRef<'a> {
    fn from(v: &'a BigInt) -> Self {
        IntRef::Big(v)
    }
}

impl From<i64> for IntRef<'_> {
    fn from(v: i64) -> Self {
        IntRef::Small(v)
    }
}

impl IntRef<'_> {
    pub(super) fn is_negative(self) -> bool {
        match self {
            IntRef::Small(v) => v < 0,
            IntRef::Big(b) => b.sign() == Sign::Minus,
        }
    }

    pub(super) fn to_i64(self) -> Option<i64> {
        match self {
            IntRef::Small(v) => Some(v),
            IntRef::Big(b) => b.to_i64(),
        }
    }

    /// Digits of `|self|` in `base` (2, 8, 10 or 16; lower case), enforcing the decimal digit
    /// limit for base 10.
    pub(super) fn abs_digits(self, base: u32) -> PyFmtResult<String> {
        let s = match self {
            IntRef::Small(v) => {
                let m = v.unsigned_abs();
                match base {
                    2 => format!("{m:b}"),
                    8 => format!("{m:o}"),
                    16 => format!("{m:x}"),
                    _ => m.to_string(),
                }
            }
            IntRef::Big(b) => {
                let mag = b.magnitude();
                // 2**14300 has more than 4300 decimal digits: refuse before converting.
                if base == 10 && mag.bits() > 14300 {
                    return Err(int_str_digits_error());
                }
                mag.to_str_radix(base)
            }
        };
        if base == 10 && s.len() > INT_MAX_STR_DIGITS {
            return Err(int_str_digits_error());
        }
        Ok(s)
    }
}

pub(super) fn int_str_digits_error() -> PyFmtError {
    PyFmtError::value_error(format!(
        "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; \
         use sys.set_int_max_str_digits() to increase the limit"
    ))
}

/// `str(n)` / `repr(n)` of a Python int (fails beyond [`INT_MAX_STR_DIGITS`] digits).
pub fn int_to_decimal_string(v: IntRef<'_>) -> PyFmtResult<String> {
    let digits = v.abs_digits(10)?;
    Ok(if v.is_negative() {
        format!("-{digits}")
    } else {
        digits
    })
}

/// `bin(n)`, `oct(n)`, `hex(n)` for `base` 2, 8, 16 (e.g. `-0x1f`); any other base gives the
/// decimal string without a prefix (and no digit limit).
pub fn int_to_prefixed(v: IntRef<'_>, base: u32) -> String {
    let (prefix, base) = match base {
        2 => ("0b", 2),
        8 => ("0o", 8),
        16 => ("0x", 16),
        _ => ("", 10),
    };
    let digits = match v {
        IntRef::Small(x) => IntRef::Small(x).abs_digits(base).unwrap_or_default(),
        IntRef::Big(b) => b.magnitude().to_str_radix(base),
    };
    let sign = if v.is_negative() { "-" } else { "" };
    format!("{sign}{prefix}{digits}")
}

/// `float(n)` for a Python int: correctly rounded (half-even), `OverflowError` when too large.
pub fn int_to_f64(v: IntRef<'_>) -> PyFmtResult<f64> {
    match v {
        IntRef::Small(x) => Ok(x as f64),
        IntRef::Big(b) => {
            let f = biguint_to_f64(b.magnitude());
            if f.is_infinite() {
                return Err(PyFmtError::overflow_error(
                    "int too large to convert to float",
                ));
            }
            Ok(if b.sign() == Sign::Minus { -f } else { f })
        }
    }
}

/// Correctly rounded conversion (infinite when out of range).
pub(super) fn biguint_to_f64(m: &BigUint) -> f64 {
    let bits = m.bits();
    if bits <= 64 {
        return m.to_u64().map_or(f64::INFINITY, |x| x as f64);
    }
    if bits > 1100 {
        return f64::INFINITY;
    }
    let shift = bits - 64;
    let top = (m >> shift).to_u64().unwrap_or(u64::MAX);
    let sticky = m.trailing_zeros().is_some_and(|tz| tz < shift);
    // The sticky bit lands far below the 53-bit mantissa, so one rounding step is exact.
    let mant = (top | u64::from(sticky)) as f64;
    let mut f = mant;
    let mut s = shift as i32;
    while s > 0 {
        let step = s.min(512);
        f *= 2f64.powi(step);
        s -= step;
    }
    f
}

/// `format(n, spec)` for a Python int that fits in an `i64`.
pub fn format_int(v: i64, spec: &str) -> PyFmtResult<String> {
    format_int_typed(IntRef::Small(v), spec, "int")
}

/// `format(n, spec)` for an arbitrary-precision Python int.
pub fn format_bigint(v: &BigInt, spec: &str) -> PyFmtResult<String> {
    format_int_typed(IntRef::Big(v), spec, "int")
}

/// `format(n, spec)` naming `type_name` in error messages. An empty spec gives the decimal
/// string; for `bool` (whose `format(b, '')` is `'True'`) the caller must handle that case.
pub fn format_int_typed(v: IntRef<'_>, spec: &str, type_name: &str) -> PyFmtResult<String> {
    if spec.is_empty() {
        return int_to_decimal_string(v);
    }
    let spec = parse_format_spec(spec, type_name, 'd', '>')?;
    match spec.ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => format_int_spec(v, &spec),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => format_float_spec(int_to_f64(v)?, &spec),
        other => Err(unknown_presentation_type(other, type_name)),
    }
}

/// `format_long_internal`: formats an int with a parsed spec of type `b c d o x X n`.
pub fn format_int_spec(v: IntRef<'_>, spec: &FormatSpec) -> PyFmtResult<String> {
    if spec.precision.is_some() {
        return Err(PyFmtError::value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(PyFmtError::value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    let grouping = if spec.ty == 'n' {
        None
    } else {
        spec.grouping.params()
    };
    if spec.ty == 'c' {
        if spec.sign.is_some() {
            return Err(PyFmtError::value_error(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alternate {
            return Err(PyFmtError::value_error(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let x = v.to_i64().ok_or_else(|| {
            PyFmtError::overflow_error("Python int too large to convert to C long")
        })?;
        let ch = code_point_to_char(x)?;
        let buf = ch.to_string();
        let parts = NumberParts {
            negative: false,
            prefix: "",
            digits: "",
            has_decimal: false,
            remainder: &buf,
        };
        return fill_number(spec, &parts, grouping);
    }
    let (base, prefix) = match spec.ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = v.abs_digits(base)?;
    if spec.ty == 'X' {
        digits.make_ascii_uppercase();
    }
    let prefix = if spec.alternate { prefix } else { "" };
    let parts = NumberParts {
        negative: v.is_negative(),
        prefix,
        digits: &digits,
        has_decimal: false,
        remainder: "",
    };
    fill_number(spec, &parts, grouping)
}

/// A code point for `%c` / `format(n, 'c')`; surrogates become U+FFFD (see module docs).
pub(super) fn code_point_to_char(x: i64) -> PyFmtResult<char> {
    if !(0..=0x10ffff).contains(&x) {
        return Err(PyFmtError::overflow_error("%c arg not in range(0x110000)"));
    }
    Ok(char::from_u32(x as u32).unwrap_or('\u{fffd}'))
}
