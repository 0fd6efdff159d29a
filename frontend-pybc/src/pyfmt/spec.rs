//! The format-spec mini-language: parsing, grouping and padding.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// Format specification mini-language
// ---------------------------------------------------------------------------------------------

/// Thousands grouping requested by a format spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// No separator.
    None,
    /// `,` every three digits.
    Comma,
    /// `_` every three digits.
    Underscore,
    /// `_` every four digits (`b o x X` presentation types).
    UnderscoreFour,
}

impl Grouping {
    pub(super) fn sep_char(self) -> char {
        match self {
            Grouping::Comma => ',',
            _ => '_',
        }
    }

    /// Group size and separator (`None` when no grouping applies).
    pub(super) fn params(self) -> Option<(i64, char)> {
        match self {
            Grouping::None => None,
            Grouping::Comma => Some((3, ',')),
            Grouping::Underscore => Some((3, '_')),
            Grouping::UnderscoreFour => Some((4, '_')),
        }
    }
}

/// A parsed format spec (`[[fill]align][sign][z][#][0][width][grouping][.precision][type]`),
/// as CPython's `parse_internal_render_format_spec` produces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    /// Fill character (default `' '`).
    pub fill: char,
    /// One of `< > ^ =` (the object's default when not given).
    pub align: char,
    /// `'+'`, `'-'`, `' '`, or `None` when omitted.
    pub sign: Option<char>,
    /// `z`: coerce negative zero to positive zero.
    pub no_neg_0: bool,
    /// `#`: alternate form.
    pub alternate: bool,
    /// Minimum width.
    pub width: Option<i64>,
    /// Thousands grouping.
    pub grouping: Grouping,
    /// Precision.
    pub precision: Option<i64>,
    /// Presentation type, `'\0'` when omitted and the object has no default type (float).
    pub ty: char,
}

pub(super) fn type_char_for_msg(c: char) -> String {
    let cp = c as u32;
    if cp > 32 && cp < 128 {
        c.to_string()
    } else {
        format!("\\x{cp:x}")
    }
}

pub(super) fn unknown_presentation_type(ty: char, type_name: &str) -> PyFmtError {
    PyFmtError::value_error(format!(
        "Unknown format code '{}' for object of type '{}'",
        type_char_for_msg(ty),
        truncate_chars(type_name, 200)
    ))
}

pub(super) fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `get_integer` of `formatter_unicode.c`: reads decimal digits (any Unicode Nd digit) and
/// returns `(value, digits consumed)`.
pub(super) fn spec_get_integer(chars: &[char], pos: &mut usize) -> PyFmtResult<(i64, usize)> {
    let mut acc: i64 = 0;
    let mut n = 0;
    while let Some(d) = chars.get(*pos).and_then(|&c| decimal_value(c)) {
        let d = i64::from(d);
        if acc > (i64::MAX - d) / 10 {
            return Err(PyFmtError::value_error(
                "Too many decimal digits in format string",
            ));
        }
        acc = acc * 10 + d;
        *pos += 1;
        n += 1;
    }
    Ok((acc, n))
}

/// Parses a format spec the way CPython does for an object whose type is `type_name` (used in
/// error messages), with the object's default presentation type (`'d'` for int, `'s'` for str,
/// `'\0'` for float) and default alignment (`'>'` for numbers, `'<'` for strings).
pub fn parse_format_spec(
    spec: &str,
    type_name: &str,
    default_type: char,
    default_align: char,
) -> PyFmtResult<FormatSpec> {
    let chars: Vec<char> = spec.chars().collect();
    let end = chars.len();
    let mut pos = 0usize;
    let is_align = |c: char| matches!(c, '<' | '>' | '=' | '^');
    let mut f = FormatSpec {
        fill: ' ',
        align: default_align,
        sign: None,
        no_neg_0: false,
        alternate: false,
        width: None,
        grouping: Grouping::None,
        precision: None,
        ty: default_type,
    };
    let mut align_specified = false;
    let mut fill_specified = false;

    if end >= 2 && is_align(chars[1]) {
        f.align = chars[1];
        f.fill = chars[0];
        fill_specified = true;
        align_specified = true;
        pos = 2;
    } else if end >= 1 && is_align(chars[0]) {
        f.align = chars[0];
        align_specified = true;
        pos = 1;
    }
    if pos < end && matches!(chars[pos], '+' | '-' | ' ') {
        f.sign = Some(chars[pos]);
        pos += 1;
    }
    if pos < end && chars[pos] == 'z' {
        f.no_neg_0 = true;
        pos += 1;
    }
    if pos < end && chars[pos] == '#' {
        f.alternate = true;
        pos += 1;
    }
    if !fill_specified && pos < end && chars[pos] == '0' {
        f.fill = '0';
        if !align_specified && default_align == '>' {
            f.align = '=';
        }
        pos += 1;
    }
    let (width, consumed) = spec_get_integer(&chars, &mut pos)?;
    if consumed > 0 {
        f.width = Some(width);
    }
    if pos < end && chars[pos] == ',' {
        f.grouping = Grouping::Comma;
        pos += 1;
    }
    if pos < end && chars[pos] == '_' {
        if f.grouping != Grouping::None {
            return Err(PyFmtError::value_error("Cannot specify both ',' and '_'."));
        }
        f.grouping = Grouping::Underscore;
        pos += 1;
    }
    if pos < end && chars[pos] == ',' && f.grouping == Grouping::Underscore {
        return Err(PyFmtError::value_error("Cannot specify both ',' and '_'."));
    }
    if pos < end && chars[pos] == '.' {
        pos += 1;
        let (prec, consumed) = spec_get_integer(&chars, &mut pos)?;
        if consumed == 0 {
            return Err(PyFmtError::value_error(
                "Format specifier missing precision",
            ));
        }
        f.precision = Some(prec);
    }
    if end - pos > 1 {
        return Err(PyFmtError::value_error(format!(
            "Invalid format specifier '{}' for object of type '{}'",
            spec,
            truncate_chars(type_name, 200)
        )));
    }
    if end - pos == 1 {
        f.ty = chars[pos];
    }
    if f.grouping != Grouping::None {
        match f.ty {
            'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {}
            'b' | 'o' | 'x' | 'X' if f.grouping == Grouping::Underscore => {
                f.grouping = Grouping::UnderscoreFour;
            }
            other => {
                return Err(PyFmtError::value_error(format!(
                    "Cannot specify '{}' with '{}'.",
                    f.grouping.sep_char(),
                    type_char_for_msg(other)
                )));
            }
        }
    }
    Ok(f)
}

/// `_PyUnicode_InsertThousandsGrouping`: groups `digits` (ASCII), padding with zeros on the left
/// up to `min_width` characters.
pub(super) fn insert_grouping(
    digits: &str,
    min_width: i64,
    grouping: Option<(i64, char)>,
) -> String {
    let bytes = digits.as_bytes();
    let mut min_width = min_width.max(0);
    let mut remaining = bytes.len() as i64;
    let mut pos = bytes.len();
    // Pieces from right to left; each is [zeros][digits][separator].
    let mut pieces: Vec<(i64, usize, usize, bool)> = Vec::new();
    let mut use_sep = false;
    let mut broken = false;
    if let Some((group, _)) = grouping {
        loop {
            let len = group.min(remaining.max(min_width).max(1));
            let n_zeros = (len - remaining).max(0);
            let n_chars = remaining.min(len).max(0);
            let start = pos - n_chars as usize;
            pieces.push((n_zeros, start, pos, use_sep));
            use_sep = true;
            remaining -= n_chars;
            pos = start;
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                broken = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !broken {
        let len = remaining.max(min_width).max(1);
        let n_zeros = (len - remaining).max(0);
        let n_chars = remaining.min(len).max(0);
        let start = pos - n_chars as usize;
        pieces.push((n_zeros, start, pos, use_sep));
    }
    let sep = grouping.map_or(',', |g| g.1);
    let mut out = String::new();
    for &(n_zeros, start, stop, with_sep) in pieces.iter().rev() {
        push_n(&mut out, '0', n_zeros);
        out.push_str(&digits[start..stop]);
        if with_sep && grouping.is_some() {
            out.push(sep);
        }
    }
    out
}

/// The pieces of a formatted number: `[-]` `prefix` `digits` `[.]` `remainder`.
pub(super) struct NumberParts<'a> {
    pub(super) negative: bool,
    pub(super) prefix: &'a str,
    pub(super) digits: &'a str,
    pub(super) has_decimal: bool,
    pub(super) remainder: &'a str,
}

/// `calc_number_widths` + `fill_number`: applies sign, padding, alignment and grouping.
pub(super) fn fill_number(
    spec: &FormatSpec,
    parts: &NumberParts<'_>,
    grouping: Option<(i64, char)>,
) -> PyFmtResult<String> {
    let width = spec.width.unwrap_or(-1);
    check_output_size(width)?;
    let sign = match spec.sign {
        Some('+') => Some(if parts.negative { '-' } else { '+' }),
        Some(' ') => Some(if parts.negative { '-' } else { ' ' }),
        _ => parts.negative.then_some('-'),
    };
    let n_sign = i64::from(sign.is_some());
    let n_prefix = parts.prefix.chars().count() as i64;
    let n_decimal = i64::from(parts.has_decimal);
    let n_remainder = parts.remainder.chars().count() as i64;
    let n_non_digit = n_sign + n_prefix + n_decimal + n_remainder;
    let min_width = if spec.fill == '0' && spec.align == '=' {
        width - n_non_digit
    } else {
        0
    };
    let grouped = if parts.digits.is_empty() {
        String::new()
    } else {
        insert_grouping(parts.digits, min_width, grouping)
    };
    let n_grouped = grouped.len() as i64;
    let n_padding = width - (n_non_digit + n_grouped);
    let (mut lpad, mut spad, mut rpad) = (0, 0, 0);
    if n_padding > 0 {
        match spec.align {
            '<' => rpad = n_padding,
            '^' => {
                lpad = n_padding / 2;
                rpad = n_padding - lpad;
            }
            '=' => spad = n_padding,
            _ => lpad = n_padding,
        }
    }
    let mut out = String::with_capacity((n_non_digit + n_grouped + n_padding.max(0)) as usize);
    push_n(&mut out, spec.fill, lpad);
    if let Some(s) = sign {
        out.push(s);
    }
    out.push_str(parts.prefix);
    push_n(&mut out, spec.fill, spad);
    out.push_str(&grouped);
    if parts.has_decimal {
        out.push('.');
    }
    out.push_str(parts.remainder);
    push_n(&mut out, spec.fill, rpad);
    Ok(out)
}
