//! Calling conventions: binding a guest function's arguments (defaults, keywords, and
//! CPython's exact `TypeError`s), and the small argument parser the builtins use.

use jit_core::bytecode::Code;
use jit_core::heap::Heap;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::dict::PyDict;
use super::errors::type_error;
use super::objects::host;
use super::Kw;

/// Joins names as CPython lists them: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`.
fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// CPython's `co_flags` bit for a `*args` parameter.
const CO_VARARGS: u32 = 0x04;
/// CPython's `co_flags` bit for a `**kwargs` parameter.
const CO_VARKEYWORDS: u32 = 0x08;

/// The argument values for a call of `func` (running `code`) with positional `args` and
/// keywords `kw`: exactly `code.arg_slots()` values, in CPython's local order: the
/// positional parameters, the keyword-only ones, then the `*args` tuple and the `**kwargs`
/// dict when the function has them.
pub fn bind(
    heap: &mut Heap,
    func: Value,
    code: &Code,
    args: &[Value],
    kw: Kw,
) -> Result<Vec<Value>, Exception> {
    let name = &code.name;
    let np = code.num_params as usize;
    let nk = code.num_kwonly as usize;
    let varargs = code.flags & CO_VARARGS != 0;
    let varkw = code.flags & CO_VARKEYWORDS != 0;
    let defaults: Vec<Value> = heap
        .as_function(func)
        .map(|f| f.defaults().to_vec())
        .unwrap_or_default();
    let ndef = defaults.len().min(np);
    let param_name = |i: usize| -> &str { code.local_names.get(i).map_or("?", |s| s.as_str()) };
    if args.len() > np && !varargs {
        let kwonly_given = kw
            .iter()
            .filter(|(k, _)| (np..np + nk).any(|i| param_name(i) == k))
            .count();
        let takes = if ndef > 0 {
            format!("from {} to {} positional arguments", np - ndef, np)
        } else if np == 1 {
            "1 positional argument".to_string()
        } else {
            format!("{np} positional arguments")
        };
        let given = args.len();
        let was = if given == 1 { "was" } else { "were" };
        if kwonly_given == 0 {
            return Err(type_error(format!(
                "{name}() takes {takes} but {given} {was} given"
            )));
        }
        return Err(type_error(format!(
            "{name}() takes {takes} but {given} positional argument{} (and {} keyword-only argument{}) were given",
            if given == 1 { "" } else { "s" },
            kwonly_given,
            if kwonly_given == 1 { "" } else { "s" }
        )));
    }
    let total = np + nk;
    let mut out = vec![Value::EMPTY; total];
    let npos = args.len().min(np);
    out[..npos].copy_from_slice(&args[..npos]);
    let mut extra_kw: Vec<(String, Value)> = Vec::new();
    for (k, v) in kw {
        match (0..total).find(|&i| param_name(i) == k) {
            Some(i) => {
                if !out[i].is_empty() {
                    return Err(type_error(format!(
                        "{name}() got multiple values for argument '{k}'"
                    )));
                }
                out[i] = v;
            }
            None if varkw => {
                if extra_kw.iter().any(|(e, _)| *e == k) {
                    return Err(type_error(format!(
                        "{name}() got multiple values for keyword argument '{k}'"
                    )));
                }
                extra_kw.push((k, v));
            }
            None => {
                return Err(type_error(format!(
                    "{name}() got an unexpected keyword argument '{k}'"
                )))
            }
        }
    }
    for i in np - ndef..np {
        if out[i].is_empty() {
            out[i] = defaults[i - (np - ndef)];
        }
    }
    let missing: Vec<&str> = (0..np)
        .filter(|&i| out[i].is_empty())
        .map(param_name)
        .collect();
    if !missing.is_empty() {
        return Err(type_error(format!(
            "{name}() missing {} required positional argument{}: {}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            name_list(&missing)
        )));
    }
    // Keyword-only parameters not given take their defaults (`__kwdefaults__`).
    if let Some(kwd) = heap.as_function(func).and_then(|f| f.kwdefaults()) {
        for (i, slot) in out.iter_mut().enumerate().take(total).skip(np) {
            if slot.is_empty() {
                let key = heap.str(param_name(i));
                if let Some(d) = super::objects::as_dict(heap, kwd) {
                    if let Some(v) = d.get(heap, key)? {
                        *slot = v;
                    }
                }
            }
        }
    }
    let missing: Vec<&str> = (np..total)
        .filter(|&i| out[i].is_empty())
        .map(param_name)
        .collect();
    if !missing.is_empty() {
        return Err(type_error(format!(
            "{name}() missing {} required keyword-only argument{}: {}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            name_list(&missing)
        )));
    }
    if varargs {
        let rest = args.get(np..).map(<[Value]>::to_vec).unwrap_or_default();
        out.push(heap.tuple(rest));
    }
    if varkw {
        let d = PyDict::new();
        for (k, v) in extra_kw {
            let key = heap.string(k);
            d.insert(heap, key, v)?;
        }
        out.push(host(heap, d));
    }
    Ok(out)
}

/// Positional and keyword arguments of a builtin call, consumed by name.
pub struct Args<'a> {
    /// The positional arguments.
    pub pos: &'a [Value],
    /// The keyword arguments not yet consumed.
    pub kw: Kw,
    /// The builtin's name, for messages (`print`, `list.sort`).
    pub name: &'a str,
}

impl<'a> Args<'a> {
    /// Arguments of builtin `name`.
    pub fn new(name: &'a str, pos: &'a [Value], kw: Kw) -> Args<'a> {
        Args { pos, kw, name }
    }

    /// Removes and returns keyword `key`.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        let i = self.kw.iter().position(|(k, _)| k == key)?;
        Some(self.kw.remove(i).1)
    }

    /// The positional argument `i`, or keyword `key` (an error if both are given).
    pub fn get(&mut self, i: usize, key: &str) -> Result<Option<Value>, Exception> {
        let kw = self.take(key);
        match (self.pos.get(i), kw) {
            (Some(_), Some(_)) => Err(type_error(format!(
                "argument for {}() given by name ('{key}') and position ({})",
                self.name,
                i + 1
            ))),
            (Some(&v), None) => Ok(Some(v)),
            (None, kw) => Ok(kw),
        }
    }

    /// Fails with CPython's message if keywords remain: `'x' is an invalid keyword argument
    /// for f()`.
    pub fn done(&self) -> Result<(), Exception> {
        match self.kw.first() {
            Some((k, _)) => Err(type_error(format!(
                "'{k}' is an invalid keyword argument for {}()",
                self.name
            ))),
            None => Ok(()),
        }
    }

    /// Fails when any keyword was given: `f() takes no keyword arguments`.
    pub fn no_kw(&self) -> Result<(), Exception> {
        if self.kw.is_empty() {
            Ok(())
        } else {
            Err(type_error(format!(
                "{}() takes no keyword arguments",
                self.name
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_like_cpython() {
        assert_eq!(name_list(&["a"]), "'a'");
        assert_eq!(name_list(&["a", "b"]), "'a' and 'b'");
        assert_eq!(name_list(&["a", "b", "c"]), "'a', 'b', and 'c'");
    }
}
