//! printf-style `%` formatting.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// printf-style formatting: fmt % args
// ---------------------------------------------------------------------------------------------

/// The numeric view of a `%`-formatting argument.
#[derive(Clone, Debug)]
pub enum PyNum<'a> {
    /// An int (or bool) that fits in an `i64`.
    Int(i64),
    /// An arbitrary-precision int.
    BigInt(Cow<'a, BigInt>),
    /// A float.
    Float(f64),
}

/// What [`percent_format`] needs to know about one argument. Implement it for the caller's own
/// value type; errors raised while computing `str()`/`repr()` pass through unchanged.
pub trait PercentArg {
    /// The caller's exception type; formatting errors are converted into it.
    type Error: From<PyFmtError>;

    /// `type(arg).__name__`, used in error messages.
    fn type_name(&self) -> Cow<'_, str>;

    /// `str(arg)` (for `%s`).
    fn py_str(&self) -> Result<String, Self::Error>;

    /// `repr(arg)` (for `%r`).
    fn py_repr(&self) -> Result<String, Self::Error>;

    /// `ascii(arg)` (for `%a`); defaults to escaping `repr(arg)`.
    fn py_ascii(&self) -> Result<String, Self::Error> {
        Ok(ascii_escape(&self.py_repr()?))
    }

    /// `Some` for ints, bools and floats (and objects that convert like them); `None` for
    /// everything else (str, None, complex, containers, ...).
    fn as_number(&self) -> Option<PyNum<'_>>;

    /// The text when the argument is a str (used by `%c`).
    fn as_str(&self) -> Option<&str> {
        None
    }
}

/// The right-hand operand of `fmt % args`.
pub enum PercentArgs<'a, A: PercentArg> {
    /// A tuple: its items are the arguments.
    Tuple(&'a [A]),
    /// Any other single object that is not a mapping.
    Single(&'a A),
    /// An object for which `PyMapping_Check` holds and that is not a tuple or str (dict, list,
    /// ...): `%(key)s` looks keys up with `lookup`; plain `%s` uses `value` itself.
    Mapping {
        /// The mapping object itself.
        value: &'a A,
        /// `value[key]`.
        lookup: &'a mut dyn FnMut(&str) -> Result<A, A::Error>,
    },
}

impl<A: PercentArg> fmt::Debug for PercentArgs<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PercentArgs::Tuple(t) => write!(f, "Tuple(len={})", t.len()),
            PercentArgs::Single(_) => f.write_str("Single"),
            PercentArgs::Mapping { .. } => f.write_str("Mapping"),
        }
    }
}

/// `mapping[key]` for `%(key)s`.
type Lookup<'a, A> = dyn FnMut(&str) -> Result<A, <A as PercentArg>::Error> + 'a;

pub(super) enum CurArgs<'a, A> {
    Tuple(&'a [A]),
    One(&'a A),
    Owned(A),
}

pub(super) struct PercentCtx<'a, A: PercentArg> {
    pub(super) args: CurArgs<'a, A>,
    pub(super) arglen: i64,
    pub(super) argidx: i64,
    pub(super) dict: Option<&'a mut Lookup<'a, A>>,
}

impl<A: PercentArg> PercentCtx<'_, A> {
    /// `unicode_format_getnextarg`.
    pub(super) fn next_arg(&mut self) -> Result<&A, A::Error> {
        let idx = self.argidx;
        if idx < self.arglen {
            self.argidx += 1;
            let found = match &self.args {
                CurArgs::Tuple(t) => usize::try_from(idx).ok().and_then(|i| t.get(i)),
                CurArgs::One(a) => Some(*a),
                CurArgs::Owned(a) => Some(a),
            };
            if let Some(a) = found {
                return Ok(a);
            }
        }
        Err(PyFmtError::type_error("not enough arguments for format string").into())
    }
}

#[derive(Default)]
pub(super) struct ArgFlags {
    pub(super) ljust: bool,
    pub(super) sign: bool,
    pub(super) blank: bool,
    pub(super) alt: bool,
    pub(super) zero: bool,
}

/// Reads the format string the way `unicode_format_arg_parse` does: `ch` keeps its old value
/// when the string is exhausted.
pub(super) struct FmtReader<'s> {
    pub(super) chars: &'s [char],
    pub(super) pos: usize,
    pub(super) ch: char,
    pub(super) exhausted: bool,
}

impl FmtReader<'_> {
    pub(super) fn next(&mut self) -> bool {
        match self.chars.get(self.pos) {
            Some(&c) => {
                self.ch = c;
                self.pos += 1;
                true
            }
            None => {
                self.exhausted = true;
                false
            }
        }
    }
}

/// Reads a `*` width or precision argument (must be an int).
pub(super) fn star_arg<A: PercentArg>(a: &A) -> Result<BigInt, A::Error> {
    match a.as_number() {
        Some(PyNum::Int(i)) => Ok(BigInt::from(i)),
        Some(PyNum::BigInt(b)) => Ok(b.into_owned()),
        _ => Err(PyFmtError::type_error("* wants int").into()),
    }
}

/// Python's `fmt % args` for a str `fmt` (CPython's `PyUnicode_Format`).
///
/// Supports `%(key)`, flags `- + space # 0`, width and precision (digits or `*`), the ignored
/// length modifiers `h l L`, and conversions `d i u o x X e E f F g G c r s a %`.
pub fn percent_format<A: PercentArg>(
    fmt: &str,
    args: PercentArgs<'_, A>,
) -> Result<String, A::Error> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut ctx = match args {
        PercentArgs::Tuple(t) => PercentCtx {
            args: CurArgs::Tuple(t),
            arglen: t.len() as i64,
            argidx: 0,
            dict: None,
        },
        PercentArgs::Single(a) => PercentCtx {
            args: CurArgs::One(a),
            arglen: -1,
            argidx: -2,
            dict: None,
        },
        PercentArgs::Mapping { value, lookup } => PercentCtx {
            args: CurArgs::One(value),
            arglen: -1,
            argidx: -2,
            dict: Some(lookup),
        },
    };
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut pos = 0usize;
    while pos < chars.len() {
        if chars[pos] != '%' {
            let start = pos;
            while pos < chars.len() && chars[pos] != '%' {
                pos += 1;
            }
            out.extend(&chars[start..pos]);
            continue;
        }
        pos += 1;
        pos = percent_one(&chars, pos, &mut ctx, &mut out)?;
    }
    if ctx.argidx < ctx.arglen && ctx.dict.is_none() {
        return Err(
            PyFmtError::type_error("not all arguments converted during string formatting").into(),
        );
    }
    Ok(out)
}

/// `unicode_format_arg`: handles one conversion starting after its `%`; returns the new
/// position.
pub(super) fn percent_one<A: PercentArg>(
    chars: &[char],
    pos: usize,
    ctx: &mut PercentCtx<'_, A>,
    out: &mut String,
) -> Result<usize, A::Error> {
    if chars.get(pos) == Some(&'%') {
        out.push('%');
        return Ok(pos + 1);
    }
    let mut rd = FmtReader {
        chars,
        pos,
        ch: chars.get(pos).copied().unwrap_or('\0'),
        exhausted: false,
    };
    let mut flags = ArgFlags::default();
    let mut width: i64 = -1;
    let mut prec: i64 = -1;

    // Mapping key: %(name)s
    if chars.get(rd.pos) == Some(&'(') {
        let Some(lookup) = ctx.dict.as_mut() else {
            return Err(PyFmtError::type_error("format requires a mapping").into());
        };
        rd.pos += 1;
        let keystart = rd.pos;
        let mut pcount = 1;
        while pcount > 0 && rd.pos < chars.len() {
            rd.ch = chars[rd.pos];
            if rd.ch == ')' {
                pcount -= 1;
            } else if rd.ch == '(' {
                pcount += 1;
            }
            rd.pos += 1;
        }
        if pcount > 0 {
            return Err(PyFmtError::value_error("incomplete format key").into());
        }
        let key: String = chars[keystart..rd.pos - 1].iter().collect();
        let value = lookup(&key)?;
        ctx.args = CurArgs::Owned(value);
        ctx.arglen = -1;
        ctx.argidx = -2;
    }

    // Flags.
    while rd.next() {
        match rd.ch {
            '-' => flags.ljust = true,
            '+' => flags.sign = true,
            ' ' => flags.blank = true,
            '#' => flags.alt = true,
            '0' => flags.zero = true,
            _ => break,
        }
    }

    // Width.
    if rd.ch == '*' && !rd.exhausted {
        let w = star_arg(ctx.next_arg()?)?;
        width = w.to_i64().ok_or_else(|| {
            PyFmtError::overflow_error("Python int too large to convert to C ssize_t")
        })?;
        if width < 0 {
            flags.ljust = true;
            width = width.wrapping_neg();
        }
        rd.next();
    } else if rd.ch.is_ascii_digit() && !rd.exhausted {
        width = i64::from(rd.ch as u8 - b'0');
        while rd.next() {
            if !rd.ch.is_ascii_digit() {
                break;
            }
            let d = i64::from(rd.ch as u8 - b'0');
            if width > (i64::MAX - d) / 10 {
                return Err(PyFmtError::value_error("width too big").into());
            }
            width = width * 10 + d;
        }
    }

    // Precision.
    if rd.ch == '.' && !rd.exhausted {
        prec = 0;
        rd.next();
        if rd.ch == '*' && !rd.exhausted {
            let p = star_arg(ctx.next_arg()?)?;
            let p = p.to_i32().ok_or_else(|| {
                PyFmtError::overflow_error("Python int too large to convert to C int")
            })?;
            prec = i64::from(p.max(0));
            rd.next();
        } else if rd.ch.is_ascii_digit() && !rd.exhausted {
            prec = i64::from(rd.ch as u8 - b'0');
            while rd.next() {
                if !rd.ch.is_ascii_digit() {
                    break;
                }
                let d = i64::from(rd.ch as u8 - b'0');
                if prec > (i64::from(i32::MAX) - d) / 10 {
                    return Err(PyFmtError::value_error("precision too big").into());
                }
                prec = prec * 10 + d;
            }
        }
    }

    // Length modifiers are ignored.
    if !rd.exhausted && matches!(rd.ch, 'h' | 'l' | 'L') {
        rd.next();
    }
    if rd.exhausted {
        return Err(PyFmtError::value_error("incomplete format").into());
    }
    let ch = rd.ch;
    let end = rd.pos;

    // unicode_format_arg_format
    let arg = ctx.next_arg()?;
    let mut numeric_sign = false;
    let text: String = match ch {
        's' => arg.py_str()?,
        'r' => arg.py_repr()?,
        'a' => arg.py_ascii()?,
        'i' | 'd' | 'u' | 'o' | 'x' | 'X' => {
            numeric_sign = true;
            percent_long(arg, ch, flags.alt, prec)?
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            numeric_sign = true;
            let x = match arg.as_number() {
                Some(PyNum::Float(f)) => f,
                Some(PyNum::Int(i)) => i as f64,
                Some(PyNum::BigInt(b)) => int_to_f64(IntRef::Big(&b))?,
                None => {
                    return Err(PyFmtError::type_error(format!(
                        "must be real number, not {}",
                        truncate_chars(&arg.type_name(), 50)
                    ))
                    .into())
                }
            };
            let p = if prec < 0 { 6 } else { prec as usize };
            double_to_string(
                x,
                ch,
                p,
                DtoaFlags {
                    alt: flags.alt,
                    ..Default::default()
                },
            )?
        }
        'c' => percent_char(arg)?.to_string(),
        _ => {
            let cp = ch as u32;
            let shown = if (31..=126).contains(&cp) { ch } else { '?' };
            return Err(PyFmtError::value_error(format!(
                "unsupported format character '{shown}' (0x{cp:x}) at index {}",
                end - 1
            ))
            .into());
        }
    };
    percent_output(out, &text, ch, &flags, numeric_sign, width, prec)?;
    if ctx.dict.is_some() && ctx.argidx < ctx.arglen {
        return Err(
            PyFmtError::type_error("not all arguments converted during string formatting").into(),
        );
    }
    Ok(end)
}

/// `formatchar`: `%c` of a one-character str or an int code point.
pub(super) fn percent_char<A: PercentArg>(arg: &A) -> Result<char, A::Error> {
    if let Some(s) = arg.as_str() {
        let mut it = s.chars();
        return match (it.next(), it.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(PyFmtError::type_error("%c requires int or char").into()),
        };
    }
    match arg.as_number() {
        Some(PyNum::Int(i)) => Ok(code_point_to_char(i)?),
        Some(PyNum::BigInt(b)) => match b.to_i64() {
            Some(i) => Ok(code_point_to_char(i)?),
            None => Err(PyFmtError::overflow_error("%c arg not in range(0x110000)").into()),
        },
        _ => Err(PyFmtError::type_error("%c requires int or char").into()),
    }
}

/// `mainformatlong` + `_PyUnicode_FormatLong` for `%d %i %u %o %x %X`.
pub(super) fn percent_long<A: PercentArg>(
    arg: &A,
    ch: char,
    alt: bool,
    prec: i64,
) -> Result<String, A::Error> {
    let wrongtype = || -> A::Error {
        let what = if matches!(ch, 'o' | 'x' | 'X') {
            "an integer is required"
        } else {
            "a real number is required"
        };
        PyFmtError::type_error(format!(
            "%{ch} format: {what}, not {}",
            truncate_chars(&arg.type_name(), 200)
        ))
        .into()
    };
    let owned: BigInt;
    let v = match arg.as_number() {
        None => return Err(wrongtype()),
        Some(PyNum::Int(i)) => IntRef::Small(i),
        Some(PyNum::BigInt(b)) => {
            owned = b.into_owned();
            IntRef::Big(&owned)
        }
        Some(PyNum::Float(f)) => {
            if matches!(ch, 'o' | 'x' | 'X') {
                return Err(wrongtype());
            }
            owned = float_to_int(f)?;
            IntRef::Big(&owned)
        }
    };
    if prec > i64::from(i32::MAX) - 3 {
        return Err(PyFmtError::overflow_error("precision too large").into());
    }
    check_output_size(prec)?;
    let (base, prefix) = match ch {
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = v.abs_digits(base)?;
    if ch == 'X' {
        digits.make_ascii_uppercase();
    }
    let mut s = String::with_capacity(digits.len() + 4);
    if v.is_negative() {
        s.push('-');
    }
    if alt {
        s.push_str(prefix);
    }
    push_n(&mut s, '0', prec - digits.len() as i64);
    s.push_str(&digits);
    Ok(s)
}

/// `unicode_format_arg_output`: applies width, precision (truncation for `s r a`), sign and
/// zero padding to the converted text.
pub(super) fn percent_output(
    out: &mut String,
    text: &str,
    ch: char,
    flags: &ArgFlags,
    mut numeric_sign: bool,
    mut width: i64,
    prec: i64,
) -> PyFmtResult<()> {
    if width == -1 && prec == -1 && !(flags.sign || flags.blank) {
        out.push_str(text);
        return Ok(());
    }
    let fill = if numeric_sign && flags.zero { '0' } else { ' ' };
    let chars: Vec<char> = text.chars().collect();
    let mut len = chars.len() as i64;
    if (width == -1 || width <= len) && (prec == -1 || prec >= len) && !(flags.sign || flags.blank)
    {
        out.push_str(text);
        return Ok(());
    }
    check_output_size(width)?;
    if matches!(ch, 's' | 'r' | 'a') && prec >= 0 && len > prec {
        len = prec;
    }
    let mut pindex = 0usize;
    let mut signchar = '\0';
    if numeric_sign {
        match chars.first() {
            Some(&c) if c == '-' || c == '+' => {
                signchar = c;
                len -= 1;
                pindex = 1;
            }
            _ if flags.sign => signchar = '+',
            _ if flags.blank => signchar = ' ',
            _ => numeric_sign = false,
        }
    }
    if width < len {
        width = len;
    }
    if numeric_sign {
        if fill != ' ' {
            out.push(signchar);
        }
        if width > len {
            width -= 1;
        }
    }
    let alt_prefix = flags.alt && matches!(ch, 'x' | 'X' | 'o');
    if alt_prefix {
        if fill != ' ' {
            out.push('0');
            out.push(ch);
            pindex += 2;
        }
        width = (width - 2).max(0);
        len -= 2;
    }
    if width > len && !flags.ljust {
        push_n(out, fill, width - len);
        width = len;
    }
    if fill == ' ' {
        if numeric_sign {
            out.push(signchar);
        }
        if alt_prefix {
            out.push('0');
            out.push(ch);
            pindex += 2;
        }
    }
    if len > 0 {
        out.extend(chars.iter().skip(pindex).take(len as usize));
    }
    if width > len {
        push_n(out, ' ', width - len);
    }
    Ok(())
}

/// A ready-made [`PercentArg`] for plain values.
#[derive(Clone, Debug)]
pub enum SimpleArg<'a> {
    /// An int that fits in `i64`.
    Int(i64),
    /// An arbitrary-precision int.
    BigInt(&'a BigInt),
    /// A float.
    Float(f64),
    /// A str.
    Str(&'a str),
    /// A bool.
    Bool(bool),
    /// `None`.
    None,
}

impl PercentArg for SimpleArg<'_> {
    type Error = PyFmtError;

    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            SimpleArg::Int(_) | SimpleArg::BigInt(_) => "int",
            SimpleArg::Float(_) => "float",
            SimpleArg::Str(_) => "str",
            SimpleArg::Bool(_) => "bool",
            SimpleArg::None => "NoneType",
        })
    }

    fn py_str(&self) -> PyFmtResult<String> {
        match self {
            SimpleArg::Str(s) => Ok((*s).to_string()),
            _ => self.py_repr(),
        }
    }

    fn py_repr(&self) -> PyFmtResult<String> {
        match self {
            SimpleArg::Int(i) => Ok(i.to_string()),
            SimpleArg::BigInt(b) => int_to_decimal_string(IntRef::Big(b)),
            SimpleArg::Float(f) => Ok(float_repr(*f)),
            SimpleArg::Str(s) => Ok(str_repr(s)),
            SimpleArg::Bool(b) => Ok(if *b { "True" } else { "False" }.to_string()),
            SimpleArg::None => Ok("None".to_string()),
        }
    }

    fn as_number(&self) -> Option<PyNum<'_>> {
        match self {
            SimpleArg::Int(i) => Some(PyNum::Int(*i)),
            SimpleArg::BigInt(b) => Some(PyNum::BigInt(Cow::Borrowed(b))),
            SimpleArg::Float(f) => Some(PyNum::Float(*f)),
            SimpleArg::Bool(b) => Some(PyNum::Int(i64::from(*b))),
            SimpleArg::Str(_) | SimpleArg::None => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            SimpleArg::Str(s) => Some(s),
            _ => None,
        }
    }
}
