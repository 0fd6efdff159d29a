//! `repr(str)`, `ascii()` and `format(str, spec)`.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// repr(str) / ascii()
// ---------------------------------------------------------------------------------------------

pub(super) fn push_escape(out: &mut String, cp: u32) {
    use fmt::Write;
    // Writing to a String cannot fail.
    let _ = if cp < 0x100 {
        write!(out, "\\x{cp:02x}")
    } else if cp < 0x10000 {
        write!(out, "\\u{cp:04x}")
    } else {
        write!(out, "\\U{cp:08x}")
    };
}

/// CPython's `repr(s)` for a `str`: picks the quote character, escapes backslashes, quotes,
/// `\t \n \r`, other control characters and every non-printable character.
pub fn str_repr(s: &str) -> String {
    let has_squote = s.contains('\'');
    let has_dquote = s.contains('"');
    let quote = if has_squote && !has_dquote { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let cp = c as u32;
        if c == quote || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if c == '\t' {
            out.push_str("\\t");
        } else if c == '\n' {
            out.push_str("\\n");
        } else if c == '\r' {
            out.push_str("\\r");
        } else if cp < 0x20 || cp == 0x7f {
            push_escape(&mut out, cp);
        } else if cp < 0x7f || is_printable(c) {
            out.push(c);
        } else {
            push_escape(&mut out, cp);
        }
    }
    out.push(quote);
    out
}

/// Escapes every non-ASCII character as `\xNN`, `\uNNNN` or `\UNNNNNNNN` (what `ascii(obj)`
/// does to `repr(obj)`).
pub fn ascii_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            push_escape(&mut out, c as u32);
        }
    }
    out
}

/// `repr(s)` truncated to at most `n` characters (CPython's `%.<n>R`).
pub(super) fn repr_truncated(s: &str, n: usize) -> String {
    let r = str_repr(s);
    match r.char_indices().nth(n) {
        Some((i, _)) => r[..i].to_string(),
        None => r,
    }
}

// ---------------------------------------------------------------------------------------------
// format(str, spec)
// ---------------------------------------------------------------------------------------------

/// `format(s, spec)` for a Python str.
pub fn format_str(s: &str, spec: &str) -> PyFmtResult<String> {
    format_str_typed(s, spec, "str")
}

/// Like [`format_str`] but names `type_name` in error messages.
pub fn format_str_typed(s: &str, spec: &str, type_name: &str) -> PyFmtResult<String> {
    if spec.is_empty() {
        return Ok(s.to_string());
    }
    let spec = parse_format_spec(spec, type_name, 's', '<')?;
    if spec.ty != 's' {
        return Err(unknown_presentation_type(spec.ty, type_name));
    }
    format_str_spec(s, &spec)
}

/// `format_string_internal`: pads/truncates `s` according to a parsed spec of type `'s'`.
pub fn format_str_spec(s: &str, spec: &FormatSpec) -> PyFmtResult<String> {
    match spec.sign {
        Some(' ') => {
            return Err(PyFmtError::value_error(
                "Space not allowed in string format specifier",
            ))
        }
        Some(_) => {
            return Err(PyFmtError::value_error(
                "Sign not allowed in string format specifier",
            ))
        }
        None => {}
    }
    if spec.no_neg_0 {
        return Err(PyFmtError::value_error(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alternate {
        return Err(PyFmtError::value_error(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == '=' {
        return Err(PyFmtError::value_error(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let mut len = s.chars().count() as i64;
    let width = spec.width.unwrap_or(-1);
    let precision = spec.precision.unwrap_or(-1);
    if (width == -1 || width <= len) && (precision == -1 || precision >= len) {
        return Ok(s.to_string());
    }
    check_output_size(width)?;
    if precision >= 0 && len >= precision {
        len = precision;
    }
    let total = if width >= 0 { width.max(len) } else { len };
    let lpad = match spec.align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    let rpad = total - len - lpad;
    let mut out = String::with_capacity(s.len() + (total - len) as usize);
    push_n(&mut out, spec.fill, lpad);
    out.extend(s.chars().take(len as usize));
    push_n(&mut out, spec.fill, rpad);
    Ok(out)
}
