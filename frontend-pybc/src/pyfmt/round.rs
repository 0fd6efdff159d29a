//! `round()` and float-to-int conversion.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// round() and float -> int
// ---------------------------------------------------------------------------------------------

/// `int(x)` for a float: truncates toward zero; `ValueError` for NaN, `OverflowError` for
/// infinities.
pub fn float_to_int(x: f64) -> PyFmtResult<BigInt> {
    if x.is_nan() {
        return Err(PyFmtError::value_error(
            "cannot convert float NaN to integer",
        ));
    }
    if x.is_infinite() {
        return Err(PyFmtError::overflow_error(
            "cannot convert float infinity to integer",
        ));
    }
    Ok(BigInt::from_f64(x.trunc()).unwrap_or_default())
}

/// Python's `round(x)` / `round(x, ndigits)` for a float.
///
/// With `ndigits == None` the result is the integral value (round half to even) that
/// `round(x)` would return as an int (convert it with [`float_to_int`]); NaN and infinities
/// raise as CPython does. With `Some(n)` the result is the float CPython returns, using
/// correctly rounded decimal arithmetic (`round(2.675, 2) == 2.67`).
pub fn round_float(x: f64, ndigits: Option<i64>) -> PyFmtResult<f64> {
    let Some(nd) = ndigits else {
        if x.is_nan() {
            return Err(PyFmtError::value_error(
                "cannot convert float NaN to integer",
            ));
        }
        if x.is_infinite() {
            return Err(PyFmtError::overflow_error(
                "cannot convert float infinity to integer",
            ));
        }
        return Ok(x.round_ties_even());
    };
    if !x.is_finite() {
        return Ok(x);
    }
    // NDIGITS_MAX and NDIGITS_MIN of floatobject.c.
    if nd > 323 {
        return Ok(x);
    }
    if nd < -308 {
        return Ok(0.0 * x);
    }
    let rounded = if nd >= 0 {
        format!("{:.*}", nd as usize, x).parse::<f64>().unwrap_or(x)
    } else {
        round_to_negative_digits(x, nd.unsigned_abs())
    };
    if rounded.is_infinite() {
        return Err(PyFmtError::overflow_error(
            "rounded value too large to represent",
        ));
    }
    Ok(rounded)
}

/// Rounds a finite `x` to a multiple of `10**k` (`k >= 1`), half to even on the exact value.
pub(super) fn round_to_negative_digits(x: f64, k: u64) -> f64 {
    let zero = 0.0f64.copysign(x);
    let a = x.abs();
    if a < 1.0 {
        return zero;
    }
    let int_digits = format!("{:.0}", a.trunc()).into_bytes();
    let sticky = a.fract() != 0.0;
    let len = int_digits.len() as u64;
    if len < k {
        return zero;
    }
    let keep = (len - k) as usize;
    let next = int_digits[keep];
    let rest_nonzero = sticky || int_digits[keep + 1..].iter().any(|&d| d != b'0');
    let last_odd = keep > 0 && (int_digits[keep - 1] - b'0') % 2 == 1;
    let up = next > b'5' || (next == b'5' && (rest_nonzero || last_odd));
    let mut kept: Vec<u8> = int_digits[..keep].to_vec();
    if up {
        let mut j = kept.len();
        loop {
            if j == 0 {
                kept.insert(0, b'1');
                break;
            }
            j -= 1;
            if kept[j] == b'9' {
                kept[j] = b'0';
            } else {
                kept[j] += 1;
                break;
            }
        }
    }
    if kept.is_empty() {
        return zero;
    }
    let digits: String = kept.iter().map(|&c| c as char).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{digits}e{k}").parse::<f64>().unwrap_or(zero)
}

/// `round(x)` for a float, as the int CPython returns.
pub fn round_float_to_int(x: f64) -> PyFmtResult<BigInt> {
    float_to_int(round_float(x, None)?)
}

/// `round(n, ndigits)` for an int: `n` itself when `ndigits >= 0`, else `n` rounded half to
/// even to a multiple of `10**-ndigits`. (CPython would try to build `10**-ndigits` for absurd
/// `ndigits`; this returns 0 as soon as the result must be 0.)
pub fn round_int(v: &BigInt, ndigits: i64) -> BigInt {
    if ndigits >= 0 {
        return v.clone();
    }
    let k = ndigits.unsigned_abs();
    // |v| has at most bits*log10(2)+1 decimal digits; if 10**(k-1) exceeds it, |v| < 10**k/2.
    let max_digits = v.bits() * 30103 / 100_000 + 1;
    if k > max_digits {
        return BigInt::zero();
    }
    let pow = num_traits::pow(BigInt::from(10u32), k as usize);
    let (mut q, r) = v.div_mod_floor(&pow);
    let twice: BigInt = &r * 2u32;
    if twice > pow || (twice == pow && q.is_odd()) {
        q += 1u32;
    }
    q * pow
}
