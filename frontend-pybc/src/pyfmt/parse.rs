//! `int(str)` and `float(str)`.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// int(str) and float(str)
// ---------------------------------------------------------------------------------------------

/// `_PyLong_DigitValue`: 0-9, a-z/A-Z as 10-35, 37 for anything else.
pub(super) fn digit_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'a'..=b'z' => u32::from(b - b'a') + 10,
        b'A'..=b'Z' => u32::from(b - b'A') + 10,
        _ => 37,
    }
}

/// Python's `int(s, base)` for a str `s` (`base` 0 or 2..=36), including surrounding
/// whitespace, sign, `_` separators, base prefixes, Unicode digits and the 4300-digit limit.
pub fn int_from_str(s: &str, base: i64) -> PyFmtResult<BigInt> {
    if base != 0 && !(2..=36).contains(&base) {
        return Err(PyFmtError::value_error(
            "int() base must be >= 2 and <= 36, or 0",
        ));
    }
    let err = || {
        PyFmtError::value_error(format!(
            "invalid literal for int() with base {base}: {}",
            repr_truncated(s, 200)
        ))
    };
    let buf = transform_decimal_and_space(s);
    let b: &[u8] = &buf;
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut negative = false;
    if at(i) == b'+' {
        i += 1;
    } else if at(i) == b'-' {
        negative = true;
        i += 1;
    }
    let mut base = base as u32;
    let mut error_if_nonzero = false;
    if base == 0 {
        base = if at(i) != b'0' {
            10
        } else {
            match at(i + 1) {
                b'x' | b'X' => 16,
                b'o' | b'O' => 8,
                b'b' | b'B' => 2,
                _ => {
                    error_if_nonzero = true;
                    10
                }
            }
        };
    }
    if at(i) == b'0'
        && ((base == 16 && matches!(at(i + 1), b'x' | b'X'))
            || (base == 8 && matches!(at(i + 1), b'o' | b'O'))
            || (base == 2 && matches!(at(i + 1), b'b' | b'B')))
    {
        i += 2;
        if at(i) == b'_' {
            i += 1;
        }
    }
    if at(i) == b'_' {
        return Err(err());
    }
    let start = i;
    let mut prev = 0u8;
    let mut clean: Vec<u8> = Vec::with_capacity(b.len());
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            if prev == b'_' {
                return Err(err());
            }
        } else if digit_value(c) < base {
            clean.push(c);
        } else {
            break;
        }
        prev = c;
        i += 1;
    }
    if prev == b'_' {
        return Err(err());
    }
    if !base.is_power_of_two() && clean.len() > INT_MAX_STR_DIGITS {
        return Err(PyFmtError::value_error(format!(
            "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: \
             value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
            clean.len()
        )));
    }
    if i == start {
        return Err(err());
    }
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    if i != b.len() {
        return Err(err());
    }
    // 12 digits of base 36 still fit in 63 bits.
    let value = if clean.len() <= 12 {
        let mut acc: i64 = 0;
        for &c in &clean {
            acc = acc * i64::from(base) + i64::from(digit_value(c));
        }
        BigInt::from(acc)
    } else {
        BigInt::parse_bytes(&clean, base).ok_or_else(err)?
    };
    if error_if_nonzero && !value.is_zero() {
        return Err(err());
    }
    Ok(if negative { -value } else { value })
}

/// Python's `float(s)` for a str `s`: decimal literals (with `_` between digits), `inf`,
/// `infinity`, `nan` in any case with optional sign, surrounding whitespace, Unicode digits.
pub fn float_from_str(s: &str) -> PyFmtResult<f64> {
    let err = || {
        PyFmtError::value_error(format!(
            "could not convert string to float: {}",
            str_repr(s)
        ))
    };
    let buf = transform_decimal_and_space(s);
    let nul = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    let cleaned: Cow<'_, [u8]> = if buf[..nul].contains(&b'_') {
        let mut dup = Vec::with_capacity(buf.len());
        let mut prev = 0u8;
        for &c in &buf[..nul] {
            if c == b'_' {
                if !prev.is_ascii_digit() {
                    return Err(err());
                }
            } else {
                dup.push(c);
                if prev == b'_' && !c.is_ascii_digit() {
                    return Err(err());
                }
            }
            prev = c;
        }
        if prev == b'_' || nul != buf.len() {
            return Err(err());
        }
        Cow::Owned(dup)
    } else {
        buf
    };
    let mut t: &[u8] = &cleaned;
    while let [first, rest @ ..] = t {
        if !is_c_space(*first) {
            break;
        }
        t = rest;
    }
    if t.is_empty() {
        return Err(err());
    }
    while t.len() > 1 && is_c_space(t[t.len() - 1]) {
        t = &t[..t.len() - 1];
    }
    parse_float_strict(t).ok_or_else(err)
}

/// Parses exactly `[sign] (digits [. digits] | . digits) [(e|E) [sign] digits]` or
/// `[sign] (inf | infinity | nan)` (any case); `None` unless the whole input matches.
pub(super) fn parse_float_strict(t: &[u8]) -> Option<f64> {
    let at = |i: usize| t.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let negative = at(0) == b'-';
    if matches!(at(0), b'+' | b'-') {
        i = 1;
    }
    let int_start = i;
    while at(i).is_ascii_digit() {
        i += 1;
    }
    let int_digits = &t[int_start..i];
    let mut frac_digits: &[u8] = &[];
    if at(i) == b'.' {
        i += 1;
        let fs = i;
        while at(i).is_ascii_digit() {
            i += 1;
        }
        frac_digits = &t[fs..i];
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        let rest = t.get(int_start..)?.to_ascii_lowercase();
        let v = match rest.as_slice() {
            b"inf" | b"infinity" => f64::INFINITY,
            b"nan" => f64::NAN,
            _ => return None,
        };
        return Some(if negative { -v } else { v });
    }
    let mut exp: &[u8] = b"0";
    let mut exp_negative = false;
    if matches!(at(i), b'e' | b'E') {
        let mut j = i + 1;
        let en = at(j) == b'-';
        if matches!(at(j), b'+' | b'-') {
            j += 1;
        }
        let es = j;
        while at(j).is_ascii_digit() {
            j += 1;
        }
        if j > es {
            exp = &t[es..j];
            exp_negative = en;
            i = j;
        }
    }
    if i != t.len() {
        return None;
    }
    let mut canon = String::with_capacity(t.len() + 8);
    if negative {
        canon.push('-');
    }
    let push = |canon: &mut String, d: &[u8]| canon.extend(d.iter().map(|&c| c as char));
    if int_digits.is_empty() {
        canon.push('0');
    } else {
        push(&mut canon, int_digits);
    }
    canon.push('.');
    if frac_digits.is_empty() {
        canon.push('0');
    } else {
        push(&mut canon, frac_digits);
    }
    canon.push('e');
    if exp_negative {
        canon.push('-');
    }
    push(&mut canon, exp);
    canon.parse::<f64>().ok()
}
