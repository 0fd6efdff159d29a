//! `str` methods (`split`, `join`, `strip`, `find`, `replace`, `format`, ...) with
//! character (not byte) indices and CPython's results and errors.

use jit_core::heap::Heap;
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::calls::Args;
use super::errors::{check_args, exc, index_error, type_error, value_error};
use super::objects::{as_int, type_name};
use super::{Kw, PySemantics};
use crate::pyfmt::IntRef;

/// Python's `str.isspace` for one character.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn is_linebreak(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

use super::unicode::{self as uc, is_cased};

/// `str.split(None, maxsplit)`.
pub fn split_whitespace(s: &str, maxsplit: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start_matches(is_space);
    while !rest.is_empty() {
        if maxsplit >= 0 && out.len() as i64 >= maxsplit {
            out.push(rest.to_string());
            break;
        }
        let end = rest.find(is_space).unwrap_or(rest.len());
        out.push(rest[..end].to_string());
        rest = rest[end..].trim_start_matches(is_space);
    }
    out
}

/// `str.rsplit(None, maxsplit)`.
pub fn rsplit_whitespace(s: &str, maxsplit: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_end_matches(is_space);
    while !rest.is_empty() {
        if maxsplit >= 0 && out.len() as i64 >= maxsplit {
            out.push(rest.to_string());
            break;
        }
        let start = rest.rfind(is_space).map_or(0, |i| {
            i + rest[i..].chars().next().map_or(1, char::len_utf8)
        });
        out.push(rest[start..].to_string());
        rest = rest[..start].trim_end_matches(is_space);
    }
    out.reverse();
    out
}

/// `str.split(sep, maxsplit)` for a non-empty `sep`.
pub fn split_sep(s: &str, sep: &str, maxsplit: i64) -> Vec<String> {
    if maxsplit < 0 {
        s.split(sep).map(String::from).collect()
    } else {
        s.splitn(
            usize::try_from(maxsplit.saturating_add(1)).unwrap_or(usize::MAX),
            sep,
        )
        .map(String::from)
        .collect()
    }
}

/// `str.rsplit(sep, maxsplit)` for a non-empty `sep`.
pub fn rsplit_sep(s: &str, sep: &str, maxsplit: i64) -> Vec<String> {
    let mut v: Vec<String> = if maxsplit < 0 {
        s.rsplit(sep).map(String::from).collect()
    } else {
        s.rsplitn(
            usize::try_from(maxsplit.saturating_add(1)).unwrap_or(usize::MAX),
            sep,
        )
        .map(String::from)
        .collect()
    };
    v.reverse();
    v
}

/// `str.splitlines(keepends)`.
pub fn splitlines(s: &str, keepends: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_linebreak(c) {
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(_, '\n')) = iter.peek() {
                    iter.next();
                    end += 1;
                }
            }
            out.push(s[start..if keepends { end } else { i }].to_string());
            start = end;
        }
    }
    if start < s.len() {
        out.push(s[start..].to_string());
    }
    out
}

/// `str.title()`: titlecase after an uncased character, lowercase after a cased one.
pub fn title(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for (i, &c) in chars.iter().enumerate() {
        if prev_cased {
            uc::push_lower_at(&mut out, &chars, i);
        } else {
            uc::push_title(&mut out, c);
        }
        prev_cased = is_cased(c);
    }
    out
}

/// `str.capitalize()`: the first character titlecased, the rest lowercased.
pub fn capitalize(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            uc::push_title(&mut out, c);
        } else {
            uc::push_lower_at(&mut out, &chars, i);
        }
    }
    out
}

fn swapcase(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            uc::push_lower_at(&mut out, &chars, i);
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `str.istitle()`.
fn istitle(s: &str) -> bool {
    let (mut cased, mut prev) = (false, false);
    for c in s.chars() {
        if c.is_uppercase() || uc::is_titlecase(c) {
            if prev {
                return false;
            }
            prev = true;
            cased = true;
        } else if c.is_lowercase() {
            if !prev {
                return false;
            }
            prev = true;
            cased = true;
        } else {
            prev = false;
        }
    }
    cased
}

/// Resolves optional `start`/`end` character bounds (slice rules) to byte offsets; `None`
/// when the range is empty-and-invalid (`start > len` or `start > end`).
fn char_range(s: &str, start: Option<i64>, end: Option<i64>) -> Option<(usize, usize, usize)> {
    let ascii = s.is_ascii();
    let n = if ascii { s.len() } else { s.chars().count() } as i64;
    let fix = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n + 1) };
    let a = start.map_or(0, fix);
    let b = end.map_or(n, |e| fix(e).min(n));
    if a > n || a > b {
        return None;
    }
    let off = |i: i64| super::containers::char_offset(s, i as usize, ascii);
    Some((off(a), off(b), a as usize))
}

fn char_index(s: &str, byte: usize) -> usize {
    if s.is_ascii() {
        byte
    } else {
        s[..byte].chars().count()
    }
}

/// A `str` argument, or `TypeError: must be str, not int`.
fn str_arg(heap: &Heap, v: Value) -> Result<&str, Exception> {
    heap.as_str(v)
        .ok_or_else(|| type_error(format!("must be str, not {}", type_name(heap, v))))
}

/// An optional int bound (None allowed).
fn opt_int(heap: &Heap, v: Option<Value>) -> Result<Option<i64>, Exception> {
    match v {
        None => Ok(None),
        Some(v) if v.is_nil() => Ok(None),
        Some(v) => match as_int(heap, v) {
            Some(IntRef::Small(i)) => Ok(Some(i)),
            Some(IntRef::Big(b)) => Ok(Some(if b.sign() == num_bigint::Sign::Minus {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            })),
            None => Err(type_error(
                "slice indices must be integers or None or have an __index__ method",
            )),
        },
    }
}

fn int_arg(heap: &Heap, v: Value) -> Result<i64, Exception> {
    super::objects::small_index(heap, v)
}

fn pad(s: &str, width: i64, fill: char, left: i64) -> String {
    let n = s.chars().count() as i64;
    if width <= n {
        return s.to_string();
    }
    let total = width - n;
    let mut out = String::new();
    out.extend(std::iter::repeat_n(fill, left as usize));
    out.push_str(s);
    out.extend(std::iter::repeat_n(fill, (total - left) as usize));
    out
}

fn fill_char(heap: &Heap, v: Option<Value>) -> Result<char, Exception> {
    match v {
        None => Ok(' '),
        Some(v) => {
            let s = heap.as_str(v).ok_or_else(|| {
                type_error(format!(
                    "The fill character must be a unicode character, not {}",
                    type_name(heap, v)
                ))
            })?;
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(type_error(
                    "The fill character must be exactly one character long",
                )),
            }
        }
    }
}

impl PySemantics {
    /// `s.name(*args, **kw)` for a str `sv`.
    pub fn str_method(
        &mut self,
        vm: &mut VmCore,
        sv: Value,
        name: &str,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let qual = super::methods::Qual("str", name);
        let mut a = Args::new(name, args, kw);
        if name == "join" {
            a.no_kw()?;
            if args.len() != 1 {
                return Err(type_error(format!(
                    "str.join() takes exactly one argument ({} given)",
                    args.len()
                )));
            }
            return self.str_join(vm, sv, args[0]);
        }
        if name == "format" {
            let s = vm.heap().as_str(sv).unwrap_or("").to_string();
            let r = self.str_format(vm, &s, args, &a.kw)?;
            return Ok(vm.heap_mut().string(r));
        }
        let heap = vm.heap_mut();
        let s = heap.as_str(sv).unwrap_or("");
        let noargs = |a: &Args<'_>| -> Result<(), Exception> {
            if !a.kw.is_empty() {
                return Err(type_error(format!("{qual}() takes no keyword arguments")));
            }
            if !a.pos.is_empty() {
                return Err(type_error(format!(
                    "{qual}() takes no arguments ({} given)",
                    a.pos.len()
                )));
            }
            Ok(())
        };
        let bool_result = |a: &Args<'_>, f: &dyn Fn(&str) -> bool| -> Result<Value, Exception> {
            noargs(a)?;
            Ok(Value::bool(f(s)))
        };
        let text: String = match name {
            "upper" => {
                noargs(&a)?;
                s.to_uppercase()
            }
            "lower" => {
                noargs(&a)?;
                s.to_lowercase()
            }
            "casefold" => {
                noargs(&a)?;
                let mut out = String::with_capacity(s.len());
                s.chars().for_each(|c| uc::push_fold(&mut out, c));
                out
            }
            "title" => {
                noargs(&a)?;
                title(s)
            }
            "capitalize" => {
                noargs(&a)?;
                capitalize(s)
            }
            "swapcase" => {
                noargs(&a)?;
                swapcase(s)
            }
            "strip" | "lstrip" | "rstrip" => {
                a.no_kw()?;
                check_args(name, args.len(), 0, 1)?;
                let chars: Option<Vec<char>> = match args.first() {
                    None => None,
                    Some(&v) if v.is_nil() => None,
                    Some(&v) => Some(
                        heap.as_str(v)
                            .ok_or_else(|| type_error(format!("{name} arg must be None or str")))?
                            .chars()
                            .collect(),
                    ),
                };
                let pat = |c: char| match &chars {
                    None => is_space(c),
                    Some(cs) => cs.contains(&c),
                };
                match name {
                    "strip" => s.trim_matches(pat),
                    "lstrip" => s.trim_start_matches(pat),
                    _ => s.trim_end_matches(pat),
                }
                .to_string()
            }
            "replace" => {
                a.no_kw()?;
                check_args("replace", args.len(), 2, 3)?;
                let old = str_arg(heap, args[0])?;
                let new = str_arg(heap, args[1])?;
                let count = match args.get(2) {
                    Some(&c) => int_arg(heap, c)?,
                    None => -1,
                };
                if count < 0 {
                    s.replace(old, new)
                } else {
                    s.replacen(old, new, count as usize)
                }
            }
            "center" | "ljust" | "rjust" => {
                a.no_kw()?;
                check_args(name, args.len(), 1, 2)?;
                let width = int_arg(heap, args[0])?;
                if width > super::MAX_ITEMS as i64 {
                    return Err(super::errors::memory_error());
                }
                let fill = fill_char(heap, args.get(1).copied())?;
                let n = s.chars().count() as i64;
                let total = width.saturating_sub(n).max(0);
                let left = match name {
                    "ljust" => 0,
                    "rjust" => total,
                    // CPython's centering puts the extra fill on the right, unless both the
                    // padding and the width are odd.
                    _ => total / 2 + (total & width & 1),
                };
                pad(s, width, fill, left)
            }
            "zfill" => {
                a.no_kw()?;
                check_args("zfill", args.len(), 1, 1)?;
                let width = int_arg(heap, args[0])?;
                if width > super::MAX_ITEMS as i64 {
                    return Err(super::errors::memory_error());
                }
                let n = s.chars().count() as i64;
                if width <= n {
                    s.to_string()
                } else {
                    let zeros = "0".repeat((width - n) as usize);
                    match s.chars().next() {
                        Some(c @ ('+' | '-')) => format!("{c}{zeros}{}", &s[1..]),
                        _ => format!("{zeros}{s}"),
                    }
                }
            }
            "removeprefix" | "removesuffix" => {
                a.no_kw()?;
                check_args(name, args.len(), 1, 1)?;
                let x = str_arg(heap, args[0])?;
                if name == "removeprefix" {
                    s.strip_prefix(x).unwrap_or(s).to_string()
                } else {
                    s.strip_suffix(x).unwrap_or(s).to_string()
                }
            }
            "expandtabs" => {
                let size = match a.get(0, "tabsize")? {
                    Some(v) => int_arg(heap, v)?,
                    None => 8,
                };
                if size > 1 << 20 {
                    return Err(super::errors::memory_error());
                }
                a.done()?;
                let mut out = String::new();
                let mut col = 0i64;
                for c in s.chars() {
                    match c {
                        '\t' => {
                            if size > 0 {
                                let n = size - col % size;
                                out.extend(std::iter::repeat_n(' ', n as usize));
                                col += n;
                            }
                        }
                        '\n' | '\r' => {
                            out.push(c);
                            col = 0;
                        }
                        _ => {
                            out.push(c);
                            col += 1;
                        }
                    }
                }
                out
            }
            "split" | "rsplit" => {
                let sep = a.get(0, "sep")?;
                let maxsplit = a.get(1, "maxsplit")?;
                if args.len() > 2 {
                    return Err(type_error(format!(
                        "{name}() takes at most 2 arguments ({} given)",
                        args.len()
                    )));
                }
                a.done()?;
                let maxsplit = match maxsplit {
                    Some(m) => int_arg(heap, m)?,
                    None => -1,
                };
                let parts = match sep {
                    Some(v) if !v.is_nil() => {
                        let sep = heap.as_str(v).ok_or_else(|| {
                            type_error(format!("must be str or None, not {}", type_name(heap, v)))
                        })?;
                        if sep.is_empty() {
                            return Err(value_error("empty separator"));
                        }
                        if name == "split" {
                            split_sep(s, sep, maxsplit)
                        } else {
                            rsplit_sep(s, sep, maxsplit)
                        }
                    }
                    _ => {
                        if name == "split" {
                            split_whitespace(s, maxsplit)
                        } else {
                            rsplit_whitespace(s, maxsplit)
                        }
                    }
                };
                let items = parts.into_iter().map(|p| heap.string(p)).collect();
                return Ok(heap.array(items));
            }
            "splitlines" => {
                let keep = a.get(0, "keepends")?;
                a.done()?;
                let keep = keep.is_some_and(|k| super::ops::truthy(heap, k));
                let items = splitlines(s, keep)
                    .into_iter()
                    .map(|p| heap.string(p))
                    .collect();
                return Ok(heap.array(items));
            }
            "partition" | "rpartition" => {
                a.no_kw()?;
                check_args(name, args.len(), 1, 1)?;
                let sep = str_arg(heap, args[0])?;
                if sep.is_empty() {
                    return Err(value_error("empty separator"));
                }
                let found = if name == "partition" {
                    s.find(sep)
                } else {
                    s.rfind(sep)
                };
                let (x, y, z) = match found {
                    Some(i) => (
                        s[..i].to_string(),
                        sep.to_string(),
                        s[i + sep.len()..].to_string(),
                    ),
                    None if name == "partition" => (s.to_string(), String::new(), String::new()),
                    None => (String::new(), String::new(), s.to_string()),
                };
                let items = vec![heap.string(x), heap.string(y), heap.string(z)];
                return Ok(heap.tuple(items));
            }
            "find" | "rfind" | "index" | "rindex" | "count" => {
                a.no_kw()?;
                if args.is_empty() {
                    return Err(type_error(format!(
                        "{name}() takes at least 1 argument (0 given)"
                    )));
                }
                check_args(name, args.len(), 1, 3)?;
                let sub = str_arg(heap, args[0])?;
                let start = opt_int(heap, args.get(1).copied())?;
                let end = opt_int(heap, args.get(2).copied())?;
                let range = char_range(s, start, end);
                if name == "count" {
                    let n = match range {
                        None => 0,
                        Some((x, y, _)) => {
                            let hay = &s[x..y];
                            if sub.is_empty() {
                                hay.chars().count() + 1
                            } else {
                                hay.matches(sub).count()
                            }
                        }
                    };
                    return Ok(heap.int(n as i64));
                }
                let pos = range.and_then(|(x, y, cx)| {
                    let hay = &s[x..y];
                    let b = if name.starts_with('r') {
                        hay.rfind(sub)
                    } else {
                        hay.find(sub)
                    }?;
                    Some(cx + char_index(hay, b))
                });
                return match pos {
                    Some(p) => Ok(heap.int(p as i64)),
                    None if name.ends_with("find") => Ok(Value::small_int(-1)),
                    None => Err(value_error("substring not found")),
                };
            }
            "startswith" | "endswith" => {
                a.no_kw()?;
                if args.is_empty() {
                    return Err(type_error(format!(
                        "{name}() takes at least 1 argument (0 given)"
                    )));
                }
                check_args(name, args.len(), 1, 3)?;
                let start = opt_int(heap, args.get(1).copied())?;
                let end = opt_int(heap, args.get(2).copied())?;
                let Some((x, y, _)) = char_range(s, start, end) else {
                    return Ok(Value::FALSE);
                };
                let hay = &s[x..y];
                let test = |p: &str| {
                    if name == "startswith" {
                        hay.starts_with(p)
                    } else {
                        hay.ends_with(p)
                    }
                };
                let bad = || {
                    type_error(format!(
                        "{name} first arg must be str or a tuple of str, not {}",
                        type_name(heap, args[0])
                    ))
                };
                if let Some(p) = heap.as_str(args[0]) {
                    return Ok(Value::bool(test(p)));
                }
                if let Some(t) = heap.as_tuple(args[0]) {
                    for &p in t {
                        let p = heap.as_str(p).ok_or_else(|| {
                            type_error(format!(
                                "tuple for {name} must only contain str, not {}",
                                type_name(heap, p)
                            ))
                        })?;
                        if test(p) {
                            return Ok(Value::TRUE);
                        }
                    }
                    return Ok(Value::FALSE);
                }
                return Err(bad());
            }
            "isdigit" => return bool_result(&a, &|s| !s.is_empty() && s.chars().all(uc::is_digit)),
            "isnumeric" => {
                return bool_result(&a, &|s| !s.is_empty() && s.chars().all(uc::is_numeric))
            }
            "isdecimal" => {
                return bool_result(&a, &|s| !s.is_empty() && s.chars().all(uc::is_decimal))
            }
            "isalpha" => return bool_result(&a, &|s| !s.is_empty() && s.chars().all(uc::is_alpha)),
            "isalnum" => return bool_result(&a, &|s| !s.is_empty() && s.chars().all(uc::is_alnum)),
            "isspace" => return bool_result(&a, &|s| !s.is_empty() && s.chars().all(is_space)),
            "isascii" => return bool_result(&a, &|s| s.is_ascii()),
            "isupper" => {
                return bool_result(&a, &|s| {
                    s.chars().any(char::is_uppercase)
                        && !s.chars().any(|c| c.is_lowercase() || uc::is_titlecase(c))
                })
            }
            "islower" => {
                return bool_result(&a, &|s| {
                    s.chars().any(char::is_lowercase)
                        && !s.chars().any(|c| c.is_uppercase() || uc::is_titlecase(c))
                })
            }
            "istitle" => return bool_result(&a, &istitle),
            "isidentifier" => {
                return bool_result(&a, &|s| {
                    let mut cs = s.chars();
                    cs.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                        && cs.all(|c| c == '_' || c.is_alphanumeric())
                })
            }
            "isprintable" => {
                return bool_result(&a, &|s| s.chars().all(crate::pyfmt::is_printable))
            }
            _ => return Err(super::methods::no_attr(heap, sv, name)),
        };
        Ok(heap.string(text))
    }

    fn str_join(
        &mut self,
        vm: &mut VmCore,
        sep: Value,
        iterable: Value,
    ) -> Result<Value, Exception> {
        let items = match super::objects::seq_items(vm.heap(), iterable) {
            Some(items) => items,
            None => self.collect(vm, iterable)?,
        };
        let heap = vm.heap_mut();
        let sep = heap.as_str(sep).unwrap_or("");
        let mut out = String::new();
        for (i, &x) in items.iter().enumerate() {
            let Some(t) = heap.as_str(x) else {
                return Err(type_error(format!(
                    "sequence item {i}: expected str instance, {} found",
                    type_name(heap, x)
                )));
            };
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(t);
        }
        Ok(heap.string(out))
    }

    /// `fmt.format(*args, **kw)`.
    pub fn str_format(
        &mut self,
        vm: &mut VmCore,
        fmt: &str,
        args: &[Value],
        kw: &Kw,
    ) -> Result<String, Exception> {
        let mut out = String::new();
        let mut auto: Option<usize> = None;
        let mut manual = false;
        let chars: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '}' {
                if chars.get(i + 1) == Some(&'}') {
                    out.push('}');
                    i += 2;
                    continue;
                }
                return Err(value_error("Single '}' encountered in format string"));
            }
            if c != '{' {
                out.push(c);
                i += 1;
                continue;
            }
            if chars.get(i + 1) == Some(&'{') {
                out.push('{');
                i += 2;
                continue;
            }
            // A replacement field: find its matching '}' (the spec may nest one level).
            let mut depth = 1;
            let mut j = i + 1;
            while j < chars.len() {
                match chars[j] {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if j >= chars.len() {
                return Err(value_error(if depth > 1 {
                    "expected '}' before end of string"
                } else {
                    "Single '{' encountered in format string"
                }));
            }
            let field: String = chars[i + 1..j].iter().collect();
            i = j + 1;
            let (head, spec) = match field.find(':') {
                Some(k) => (&field[..k], Some(&field[k + 1..])),
                None => (field.as_str(), None),
            };
            let (name, conv) = match head.find('!') {
                Some(k) => (&head[..k], Some(&head[k + 1..])),
                None => (head, None),
            };
            let first_len = name.find(['.', '[']).unwrap_or(name.len());
            let (first, rest) = name.split_at(first_len);
            let mut value = if first.is_empty() {
                if manual {
                    return Err(value_error(
                        "cannot switch from manual field specification to automatic field numbering",
                    ));
                }
                let n = auto.map_or(0, |n| n + 1);
                auto = Some(n);
                *args.get(n).ok_or_else(|| {
                    index_error(format!(
                        "Replacement index {n} out of range for positional args tuple"
                    ))
                })?
            } else if let Ok(n) = first.parse::<usize>() {
                if auto.is_some() {
                    return Err(value_error(
                        "cannot switch from automatic field numbering to manual field specification",
                    ));
                }
                manual = true;
                *args.get(n).ok_or_else(|| {
                    index_error(format!(
                        "Replacement index {n} out of range for positional args tuple"
                    ))
                })?
            } else {
                match kw.iter().find(|(k, _)| k == first) {
                    Some(&(_, v)) => v,
                    None => return Err(exc("KeyError", crate::pyfmt::str_repr(first))),
                }
            };
            // Accessors: `.attr` and `[key]`.
            let mut rest = rest;
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix('.') {
                    let end = r.find(['.', '[']).unwrap_or(r.len());
                    value = self.get_attr(vm.heap_mut(), value, &r[..end])?;
                    rest = &r[end..];
                } else if let Some(r) = rest.strip_prefix('[') {
                    let end = r
                        .find(']')
                        .ok_or_else(|| value_error("Missing ']' in format string"))?;
                    let key = &r[..end];
                    let k = match key.parse::<i64>() {
                        Ok(n) => vm.heap_mut().int(n),
                        Err(_) => vm.heap_mut().str(key),
                    };
                    value = self.index(vm.heap_mut(), value, k)?;
                    rest = &r[end + 1..];
                } else {
                    return Err(value_error(
                        "Only '.' or '[' may follow ']' in format field specifier",
                    ));
                }
            }
            let p = self.printer(vm.heap());
            let converted = match conv {
                None => None,
                Some("s") => Some(p.str(value)?),
                Some("r") => Some(p.repr(value)?),
                Some("a") => Some(crate::pyfmt::ascii_escape(&p.repr(value)?)),
                Some(other) => {
                    return Err(value_error(format!(
                        "Unknown conversion specifier {}",
                        other.chars().next().unwrap_or(' ')
                    )))
                }
            };
            let spec = match spec {
                Some(sp) if sp.contains('{') => {
                    self.str_format_nested(vm, sp, args, kw, &mut auto, manual)?
                }
                Some(sp) => sp.to_string(),
                None => String::new(),
            };
            let p = self.printer(vm.heap());
            let piece = match converted {
                Some(c) => crate::pyfmt::format_str(&c, &spec).map_err(super::errors::from_fmt)?,
                None => p.format(value, &spec)?,
            };
            out.push_str(&piece);
        }
        Ok(out)
    }

    /// Expands `{...}` fields inside a format spec (one level, as CPython allows).
    fn str_format_nested(
        &mut self,
        vm: &mut VmCore,
        spec: &str,
        args: &[Value],
        kw: &Kw,
        auto: &mut Option<usize>,
        manual: bool,
    ) -> Result<String, Exception> {
        let mut out = String::new();
        let mut rest = spec;
        while let Some(k) = rest.find('{') {
            out.push_str(&rest[..k]);
            let end = rest[k..]
                .find('}')
                .ok_or_else(|| value_error("unmatched '{' in format spec"))?;
            let name = &rest[k + 1..k + end];
            let v = if name.is_empty() {
                if manual {
                    return Err(value_error(
                        "cannot switch from manual field specification to automatic field numbering",
                    ));
                }
                let n = auto.map_or(0, |n| n + 1);
                *auto = Some(n);
                args.get(n).copied()
            } else if let Ok(n) = name.parse::<usize>() {
                args.get(n).copied()
            } else {
                kw.iter().find(|(kk, _)| kk == name).map(|&(_, v)| v)
            };
            let v = v.ok_or_else(|| match name.parse::<usize>() {
                Ok(n) => index_error(format!(
                    "Replacement index {n} out of range for positional args tuple"
                )),
                Err(_) => exc("KeyError", crate::pyfmt::str_repr(name)),
            })?;
            out.push_str(&self.str(vm.heap(), v)?);
            rest = &rest[k + end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11.
    #[test]
    fn split_variants() {
        assert_eq!(split_whitespace("a b  c", -1), ["a", "b", "c"]);
        assert_eq!(split_whitespace(" a b  c ", 1), ["a", "b  c "]);
        assert_eq!(rsplit_whitespace(" a b ", 1), [" a", "b"]);
        assert!(split_whitespace("", -1).is_empty());
        assert_eq!(split_sep("a,b,,c", ",", -1), ["a", "b", "", "c"]);
        assert_eq!(rsplit_sep("a,b,,c", ",", 1), ["a,b,", "c"]);
        assert_eq!(split_sep("", ",", -1), [""]);
        assert_eq!(split_sep("a  b", " ", -1), ["a", "", "b"]);
        assert_eq!(splitlines("a\nb\r\nc\n", false), ["a", "b", "c"]);
        assert_eq!(splitlines("a\nb\r\nc\n", true), ["a\n", "b\r\n", "c\n"]);
    }

    #[test]
    fn case_changes() {
        assert_eq!(title("hello2world foo_bar"), "Hello2World Foo_Bar");
        assert_eq!(capitalize("hello World"), "Hello world");
        assert_eq!(swapcase("Hello"), "hELLO");
        assert_eq!("ßx".to_uppercase(), "SSX");
    }

    #[test]
    fn ranges_follow_find_rules() {
        // "abc".find("", 3) == 3, "abc".find("", 4) == -1, "abc".find("", 2, 1) == -1
        assert_eq!(char_range("abc", Some(3), None), Some((3, 3, 3)));
        assert_eq!(char_range("abc", Some(4), None), None);
        assert_eq!(char_range("abc", Some(2), Some(1)), None);
        assert_eq!(char_range("héllo", Some(-2), None), Some((4, 6, 3)));
        assert_eq!(pad("ab", 7, '*', 5 / 2 + (5 & 7 & 1)), "***ab**");
    }
}
