//! `repr(float)` (shortest round-trip digits) and `format(float, spec)`, as CPython's dtoa.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// Float to string (PyOS_double_to_string)
// ---------------------------------------------------------------------------------------------

/// Decimal digits of a finite non-negative double, in the form `_Py_dg_dtoa` returns them:
/// the value is `0.DIGITS * 10**decpt`, `digits` has no trailing zeros, and it is empty when a
/// non-zero value rounds to zero (`"0"` with `decpt == 1` for an exact zero).
pub(super) struct DecDigits {
    pub(super) digits: Vec<u8>,
    pub(super) decpt: i64,
}

impl DecDigits {
    pub(super) fn zero() -> Self {
        DecDigits {
            digits: vec![b'0'],
            decpt: 1,
        }
    }

    /// Parses Rust's `{:e}` output of a non-negative value (`d.ddde[-]N`).
    pub(super) fn from_rust_exp(s: &str) -> Self {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        DecDigits {
            digits,
            decpt: exp + 1,
        }
    }
}

/// `_Py_dg_dtoa` mode 0: the shortest digits that round-trip.
pub(super) fn dtoa_shortest(a: f64) -> DecDigits {
    if a == 0.0 {
        return DecDigits::zero();
    }
    let shortest = DecDigits::from_rust_exp(&format!("{a:e}"));
    // Among the shortest round-tripping strings dtoa picks the one nearest to the exact value
    // (ties to even); Rust may pick the other neighbour when the exact value is a tie.
    let n = shortest.digits.len();
    let nearest = format!("{:.*e}", n - 1, a);
    if nearest.parse::<f64>() == Ok(a) {
        let dd = DecDigits::from_rust_exp(&nearest);
        if dd.digits.len() == n {
            return dd;
        }
    }
    shortest
}

/// `_Py_dg_dtoa` mode 2: `n >= 1` significant digits, correctly rounded (half-even).
pub(super) fn dtoa_significant(a: f64, n: i64) -> DecDigits {
    if a == 0.0 {
        return DecDigits::zero();
    }
    // 767 significant digits represent every double exactly; more only adds zeros.
    let n = n.clamp(1, 800) as usize;
    DecDigits::from_rust_exp(&format!("{:.*e}", n - 1, a))
}

/// `_Py_dg_dtoa` mode 3: `n >= 0` digits after the decimal point, correctly rounded.
pub(super) fn dtoa_fixed(a: f64, n: i64) -> DecDigits {
    if a == 0.0 {
        return DecDigits::zero();
    }
    // 1074 fractional digits represent every double exactly.
    let p = n.clamp(0, 1100) as usize;
    let s = format!("{a:.p$}");
    let (int_part, frac_part) = s.split_once('.').unwrap_or((&s, ""));
    let mut decpt = int_part.len() as i64;
    let mut digits: Vec<u8> = Vec::with_capacity(s.len());
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if digits.is_empty() && b == b'0' {
            decpt -= 1;
        } else {
            digits.push(b);
        }
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        decpt = -n;
    }
    DecDigits { digits, decpt }
}

/// Flags for [`double_to_string`] (CPython's `Py_DTSF_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DtoaFlags {
    /// `Py_DTSF_SIGN`: always add a sign.
    pub sign: bool,
    /// `Py_DTSF_ADD_DOT_0`: give integral values a `.0` when not in exponent form.
    pub add_dot_0: bool,
    /// `Py_DTSF_ALT`: alternate form (`#`): keep the point and trailing zeros.
    pub alt: bool,
    /// `Py_DTSF_NO_NEG_0`: turn a negative zero result into a positive one (`z`).
    pub no_neg_0: bool,
}

/// The body of CPython's `format_float_short`, given the digits of `|x|`.
pub(super) fn format_float_short(
    negative: bool,
    dd: &DecDigits,
    code: u8,
    precision: i64,
    flags: DtoaFlags,
    upper: bool,
) -> PyFmtResult<String> {
    let digits = &dd.digits;
    let digits_len = digits.len() as i64;
    let mut decpt = dd.decpt;
    let mut sign = negative;
    if flags.no_neg_0 && sign && (digits_len == 0 || digits.as_slice() == b"0") {
        sign = false;
    }
    let mut vdigits_end = digits_len;
    let mut use_exp = false;
    match code {
        b'e' => {
            use_exp = true;
            vdigits_end = precision;
        }
        b'f' => vdigits_end = decpt + precision,
        b'g' => {
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            if decpt <= -4 || decpt > limit {
                use_exp = true;
            }
            if flags.alt {
                vdigits_end = precision;
            }
        }
        _ => {
            if decpt <= -4 || decpt > 16 {
                use_exp = true;
            }
        }
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    if !use_exp && flags.add_dot_0 {
        vdigits_end = vdigits_end.max(decpt + 1);
    } else {
        vdigits_end = vdigits_end.max(decpt);
    }

    let cap = (vdigits_end - vdigits_start).max(0) + 8;
    check_output_size(cap)?;
    let cap = cap as usize;
    let mut out = String::with_capacity(cap);
    if sign {
        out.push('-');
    } else if flags.sign {
        out.push('+');
    }
    // Zero padding on the left of the digit string.
    if decpt <= 0 {
        push_n(&mut out, '0', decpt - vdigits_start);
        out.push('.');
        push_n(&mut out, '0', -decpt);
    } else {
        push_n(&mut out, '0', -vdigits_start);
    }
    // The digits, with the decimal point if it falls inside them.
    let ascii = |d: &[u8]| d.iter().map(|&b| b as char).collect::<String>();
    if 0 < decpt && decpt <= digits_len {
        let k = decpt as usize;
        out.push_str(&ascii(&digits[..k]));
        out.push('.');
        out.push_str(&ascii(&digits[k..]));
    } else {
        out.push_str(&ascii(digits));
    }
    // Zeros on the right.
    if digits_len < decpt {
        push_n(&mut out, '0', decpt - digits_len);
        out.push('.');
        push_n(&mut out, '0', vdigits_end - decpt);
    } else {
        push_n(&mut out, '0', vdigits_end - digits_len);
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        out.push(if upper { 'E' } else { 'e' });
        out.push_str(&format!("{exp:+03}"));
    }
    Ok(out)
}

/// CPython's `PyOS_double_to_string(val, code, precision, flags)`.
///
/// `code` is one of `e E f F g G r`; any other character is treated as `'r'` (shortest
/// round-trip repr, `precision` ignored). Infinities and NaNs give `inf`/`nan` (`INF`/`NAN` for
/// upper-case codes); a NaN never gets a `-` sign. Fails only with `MemoryError` when the
/// result would be longer than 2**30 characters.
pub fn double_to_string(
    val: f64,
    code: char,
    precision: usize,
    flags: DtoaFlags,
) -> PyFmtResult<String> {
    let (code, upper) = match code {
        'e' | 'f' | 'g' => (code as u8, false),
        'E' | 'F' | 'G' => (code.to_ascii_lowercase() as u8, true),
        _ => (b'r', false),
    };
    let precision = i64::try_from(precision)
        .unwrap_or(i64::MAX / 4)
        .min(i64::MAX / 4);
    if val.is_nan() {
        let mut s = String::from(if flags.sign { "+" } else { "" });
        s.push_str(if upper { "NAN" } else { "nan" });
        return Ok(s);
    }
    let negative = val.is_sign_negative();
    if val.is_infinite() {
        let mut s = String::from(if negative {
            "-"
        } else if flags.sign {
            "+"
        } else {
            ""
        });
        s.push_str(if upper { "INF" } else { "inf" });
        return Ok(s);
    }
    let a = val.abs();
    let (dd, precision) = match code {
        b'e' => (dtoa_significant(a, precision + 1), precision + 1),
        b'f' => (dtoa_fixed(a, precision), precision),
        b'g' => {
            let p = precision.max(1);
            (dtoa_significant(a, p), p)
        }
        _ => (dtoa_shortest(a), 0),
    };
    format_float_short(negative, &dd, code, precision, flags, upper)
}

/// `repr(x)` / `str(x)` of a Python float, exactly as CPython 3.11.
pub fn float_repr(x: f64) -> String {
    // A repr has at most 17 digits plus sign, point and exponent: it cannot fail.
    let flags = DtoaFlags {
        add_dot_0: true,
        ..DtoaFlags::default()
    };
    double_to_string(x, 'r', 0, flags).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// format(float, spec)
// ---------------------------------------------------------------------------------------------

/// `format(x, spec)` for a Python float (also f-strings and `str.format`).
pub fn format_float(x: f64, spec: &str) -> PyFmtResult<String> {
    format_float_typed(x, spec, "float")
}

/// Like [`format_float`] but names `type_name` in error messages (for float subclasses).
pub fn format_float_typed(x: f64, spec: &str, type_name: &str) -> PyFmtResult<String> {
    if spec.is_empty() {
        return Ok(float_repr(x));
    }
    let spec = parse_format_spec(spec, type_name, '\0', '>')?;
    match spec.ty {
        '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%' => format_float_spec(x, &spec),
        other => Err(unknown_presentation_type(other, type_name)),
    }
}

/// `format_float_internal`: formats `val` with an already parsed spec whose type is one of
/// `'\0' e E f F g G n %`.
pub fn format_float_spec(val: f64, spec: &FormatSpec) -> PyFmtResult<String> {
    if spec.precision.is_some_and(|p| p > i64::from(i32::MAX)) {
        return Err(PyFmtError::value_error("precision too big"));
    }
    let mut flags = DtoaFlags {
        alt: spec.alternate,
        no_neg_0: spec.no_neg_0,
        ..Default::default()
    };
    let mut ty = spec.ty;
    let mut default_precision = 6;
    if ty == '\0' {
        flags.add_dot_0 = true;
        ty = 'r';
        default_precision = 0;
    }
    if ty == 'n' {
        ty = 'g';
    }
    let mut val = val;
    let mut add_pct = false;
    if ty == '%' {
        ty = 'f';
        val *= 100.0;
        add_pct = true;
    }
    let precision = match spec.precision {
        None => default_precision,
        Some(p) => {
            if ty == 'r' {
                ty = 'g';
            }
            p as usize
        }
    };
    let mut buf = double_to_string(val, ty, precision, flags)?;
    if add_pct {
        buf.push('%');
    }
    let (negative, body) = match buf.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, buf.as_str()),
    };
    let n_int = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, tail) = body.split_at(n_int);
    let (has_decimal, remainder) = match tail.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, tail),
    };
    let grouping = if spec.ty == 'n' {
        None
    } else {
        spec.grouping.params()
    };
    let parts = NumberParts {
        negative,
        prefix: "",
        digits,
        has_decimal,
        remainder,
    };
    fill_number(spec, &parts, grouping)
}
