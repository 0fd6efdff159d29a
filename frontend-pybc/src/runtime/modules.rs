//! The built-in modules: `math` (libm results, CPython's domain and range errors, exact
//! int functions) and `sys` (`argv`, `maxsize`, the recursion limit, `exit`).

use jit_core::heap::Heap;
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::builtins::real_arg;
use super::errors::{exc, overflow_error, type_error, value_error};
use super::objects::{as_int, host, int_value, to_big, type_name, Ns, PyModule, B};
use super::ops::truthy;
use super::{Kw, PySemantics};
use crate::pyfmt::IntRef;

fn domain() -> Exception {
    value_error("math domain error")
}

fn range_err() -> Exception {
    overflow_error("math range error")
}

/// An exact int argument (`math.gcd`, `math.isqrt`, ...).
fn int_arg(heap: &Heap, v: Value) -> Result<BigInt, Exception> {
    match as_int(heap, v) {
        Some(i) => Ok(to_big(i)),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(heap, v)
        ))),
    }
}

/// Checks the result of a libm function: NaN from a non-NaN argument is a domain error,
/// infinity from a finite argument a range error (`can_overflow`) or a domain error.
fn checked(x: f64, r: f64, can_overflow: bool) -> Result<f64, Exception> {
    if r.is_nan() && !x.is_nan() {
        return Err(domain());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow { range_err() } else { domain() });
    }
    Ok(r)
}

/// `frexp` of a positive big int too large for a float: `b ~= x * 2^e`, `0.5 <= x < 1`,
/// `x` correctly rounded to 53 bits (CPython's `_PyLong_Frexp`).
fn frexp_big(b: &BigInt) -> (f64, i64) {
    let k = b.bits();
    let shift = k.saturating_sub(64);
    let top = (b >> shift).to_u64().unwrap_or(u64::MAX);
    let sticky = b.trailing_zeros().is_some_and(|tz| tz < shift);
    let mant = (top | u64::from(sticky)) as f64;
    let x = mant * f64::from_bits(0x3bf0_0000_0000_0000); // 2^-64
    if x >= 1.0 {
        (0.5, k as i64 + 1)
    } else {
        (x, k as i64)
    }
}

/// CPython's `loghelper`: `func` of an int (any size, via `frexp` past the float range)
/// or a float, with `math domain error` for non-positive arguments.
fn log_with(heap: &Heap, v: Value, func: fn(f64) -> f64) -> Result<f64, Exception> {
    if let Some(i) = as_int(heap, v) {
        let positive = match i {
            IntRef::Small(x) => x > 0,
            IntRef::Big(b) => b.is_positive(),
        };
        if !positive {
            return Err(domain());
        }
        return Ok(match (super::numbers::int_to_f64(i), i) {
            (Ok(x), _) => func(x),
            (Err(_), IntRef::Big(b)) => {
                let (x, e) = frexp_big(b);
                func(x) + func(2.0) * e as f64
            }
            (Err(_), IntRef::Small(x)) => func(x as f64),
        });
    }
    let x = real_arg(heap, v)?;
    if x.is_nan() || x == f64::INFINITY {
        return Ok(x);
    }
    if x <= 0.0 || x.is_infinite() {
        return Err(domain());
    }
    Ok(func(x))
}

fn floor_ceil(heap: &mut Heap, v: Value, ceil: bool) -> Result<Value, Exception> {
    if let Some(i) = as_int(heap, v) {
        return Ok(match i {
            IntRef::Small(x) => heap.int(x),
            IntRef::Big(_) => v,
        });
    }
    let x = real_arg(heap, v)?;
    let r = if ceil { x.ceil() } else { x.floor() };
    super::numbers::float_to_int(heap, r)
}

/// Shewchuk's exact summation as CPython's `math.fsum` does it.
fn fsum(xs: &[f64]) -> Result<f64, Exception> {
    let mut p: Vec<f64> = Vec::new();
    let (mut special, mut inf_sum) = (0.0f64, 0.0f64);
    for &xsave in xs {
        let mut x = xsave;
        let mut i = 0;
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        p.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                if xsave.is_finite() {
                    return Err(overflow_error("intermediate overflow in fsum"));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special += xsave;
                p.clear();
            } else {
                p.push(x);
            }
        }
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(value_error("-inf + inf in fsum"));
        }
        return Ok(special);
    }
    let mut n = p.len();
    let mut hi = 0.0;
    if n > 0 {
        n -= 1;
        hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
    }
    Ok(hi)
}

impl PySemantics {
    /// Builds module `name`.
    pub fn make_module(
        &mut self,
        heap: &mut Heap,
        name: &str,
    ) -> Result<(&'static str, Value), Exception> {
        match name {
            "math" => {
                let attrs = vec![
                    ("pi".to_string(), Value::float(std::f64::consts::PI)),
                    ("e".to_string(), Value::float(std::f64::consts::E)),
                    ("tau".to_string(), Value::float(std::f64::consts::TAU)),
                    ("inf".to_string(), Value::float(f64::INFINITY)),
                    ("nan".to_string(), Value::float(f64::NAN)),
                ];
                Ok(("math", module(heap, "math", Ns::Math, attrs)))
            }
            "sys" => {
                let argv: Vec<Value> = self.argv.iter().map(|a| heap.str(a)).collect();
                let argv = heap.array(argv);
                let maxsize = heap.int(i64::MAX);
                let mut attrs = vec![("argv".to_string(), argv), ("maxsize".to_string(), maxsize)];
                for (fd, name) in [(0, "stdin"), (1, "stdout"), (2, "stderr")] {
                    let stream = host(heap, super::objects::PyStream { fd });
                    attrs.push((name.to_string(), stream));
                }
                Ok(("sys", module(heap, "sys", Ns::Sys, attrs)))
            }
            "random" => Ok(("random", module(heap, "random", Ns::Random, Vec::new()))),
            "heapq" => Ok(("heapq", module(heap, "heapq", Ns::Heapq, Vec::new()))),
            "bisect" => Ok(("bisect", module(heap, "bisect", Ns::Bisect, Vec::new()))),
            "time" => Ok(("time", module(heap, "time", Ns::Time, Vec::new()))),
            "functools" => Ok((
                "functools",
                module(heap, "functools", Ns::Functools, Vec::new()),
            )),
            _ => Err(exc(
                "ModuleNotFoundError",
                format!("No module named '{name}'"),
            )),
        }
    }

    /// Calls function `b` of `math` or `sys`.
    pub fn call_module_fn(
        &mut self,
        vm: &mut VmCore,
        b: B,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        match b.ns() {
            Ns::Random => return self.call_random(vm, b, args, kw),
            Ns::Heapq | Ns::Bisect | Ns::Time | Ns::Functools => {
                return self.call_stdlib(vm, b, args, kw)
            }
            _ => {}
        }
        let name = b.name();
        let heap = vm.heap_mut();
        if b == B::MathIsclose {
            return isclose(heap, args, kw);
        }
        if !kw.is_empty() {
            return Err(type_error(format!(
                "math.{name}() takes no keyword arguments"
            )));
        }
        let exactly = |n: usize| -> Result<(), Exception> {
            if args.len() == n {
                return Ok(());
            }
            Err(if n == 1 {
                type_error(format!(
                    "math.{name}() takes exactly one argument ({} given)",
                    args.len()
                ))
            } else {
                type_error(format!("{name} expected {n} arguments, got {}", args.len()))
            })
        };
        let unary = |f: fn(f64) -> f64, overflow: bool| -> Result<Value, Exception> {
            exactly(1)?;
            let x = real_arg(heap, args[0])?;
            checked(x, f(x), overflow).map(Value::float)
        };
        match b {
            B::MathSqrt => unary(f64::sqrt, false),
            B::MathSin => unary(f64::sin, false),
            B::MathCos => unary(f64::cos, false),
            B::MathTan => unary(f64::tan, false),
            B::MathAsin => unary(f64::asin, false),
            B::MathAcos => unary(f64::acos, false),
            B::MathAtan => unary(f64::atan, false),
            B::MathSinh => unary(f64::sinh, true),
            B::MathCosh => unary(f64::cosh, true),
            B::MathTanh => unary(f64::tanh, false),
            B::MathExp => unary(f64::exp, true),
            B::MathFabs => unary(f64::abs, false),
            B::MathDegrees => unary(f64::to_degrees, true),
            B::MathRadians => unary(f64::to_radians, false),
            B::MathLog2 | B::MathLog10 => {
                exactly(1)?;
                let f = if b == B::MathLog2 {
                    f64::log2
                } else {
                    f64::log10
                };
                Ok(Value::float(log_with(heap, args[0], f)?))
            }
            B::MathLog => {
                if args.is_empty() || args.len() > 2 {
                    return Err(type_error("math.log requires 1 to 2 arguments"));
                }
                let num = log_with(heap, args[0], f64::ln)?;
                if let Some(&base) = args.get(1) {
                    let den = log_with(heap, base, f64::ln)?;
                    if den == 0.0 {
                        return Err(exc("ZeroDivisionError", "float division by zero"));
                    }
                    return Ok(Value::float(num / den));
                }
                Ok(Value::float(num))
            }
            B::MathAtan2 | B::MathPow | B::MathCopysign | B::MathFmod => {
                exactly(2)?;
                let (x, y) = (real_arg(heap, args[0])?, real_arg(heap, args[1])?);
                let r = match b {
                    B::MathAtan2 => x.atan2(y),
                    B::MathCopysign => x.copysign(y),
                    B::MathFmod => {
                        if y == 0.0 && !x.is_nan() || x.is_infinite() && !y.is_nan() {
                            return Err(domain());
                        }
                        x % y
                    }
                    _ => {
                        if x == 0.0 && y < 0.0 && y.is_finite() {
                            return Err(domain());
                        }
                        if x < 0.0 && x.is_finite() && y.is_finite() && y.fract() != 0.0 {
                            return Err(domain());
                        }
                        let r = x.powf(y);
                        if r.is_infinite() && x.is_finite() && y.is_finite() {
                            return Err(range_err());
                        }
                        r
                    }
                };
                Ok(Value::float(r))
            }
            B::MathHypot => {
                let mut acc = 0.0f64;
                for &a in args {
                    acc = acc.hypot(real_arg(heap, a)?);
                }
                Ok(Value::float(acc))
            }
            B::MathFloor | B::MathCeil | B::MathTrunc => {
                exactly(1)?;
                let v = args[0];
                if b == B::MathTrunc {
                    if as_int(heap, v).is_some() {
                        return floor_ceil(heap, v, false);
                    }
                    let x = real_arg(heap, v)?;
                    return super::numbers::float_to_int(heap, x.trunc());
                }
                floor_ceil(heap, v, b == B::MathCeil)
            }
            B::MathIsqrt => {
                exactly(1)?;
                let n = int_arg(heap, args[0])?;
                if n.is_negative() {
                    return Err(value_error("isqrt() argument must be nonnegative"));
                }
                Ok(int_value(heap, n.sqrt()))
            }
            B::MathGcd | B::MathLcm => {
                let mut acc = if b == B::MathGcd {
                    BigInt::zero()
                } else {
                    BigInt::one()
                };
                for &a in args {
                    let x = int_arg(heap, a)?;
                    acc = if b == B::MathGcd {
                        acc.gcd(&x)
                    } else {
                        acc.lcm(&x)
                    };
                }
                Ok(int_value(heap, acc.abs()))
            }
            B::MathFactorial => {
                exactly(1)?;
                let n = int_arg(heap, args[0])?;
                if n.is_negative() {
                    return Err(value_error("factorial() not defined for negative values"));
                }
                let n = n.to_u64().filter(|&n| n <= 100_000).ok_or_else(|| {
                    overflow_error("factorial() argument should not exceed 9223372036854775807")
                })?;
                let mut acc = BigInt::one();
                for k in 2..=n {
                    acc *= k;
                }
                Ok(int_value(heap, acc))
            }
            B::MathComb | B::MathPerm => {
                if b == B::MathComb {
                    exactly(2)?;
                } else if args.is_empty() || args.len() > 2 {
                    return Err(type_error(format!(
                        "perm expected at most 2 arguments, got {}",
                        args.len()
                    )));
                }
                let n = int_arg(heap, args[0])?;
                let k = match args.get(1) {
                    Some(&k) if !k.is_nil() => int_arg(heap, k)?,
                    _ => n.clone(),
                };
                if n.is_negative() {
                    return Err(value_error("n must be a non-negative integer"));
                }
                if k.is_negative() {
                    return Err(value_error("k must be a non-negative integer"));
                }
                if k > n {
                    return Ok(Value::small_int(0));
                }
                let k = k.to_u64().unwrap_or(u64::MAX);
                let k = if b == B::MathComb {
                    k.min((&n - k).to_u64().unwrap_or(k))
                } else {
                    k
                };
                if k > 1_000_000 {
                    return Err(super::errors::memory_error());
                }
                let mut acc = BigInt::one();
                for i in 0..k {
                    acc *= &n - i;
                    if b == B::MathComb {
                        acc /= i + 1;
                    }
                }
                Ok(int_value(heap, acc))
            }
            B::MathIsnan | B::MathIsinf | B::MathIsfinite => {
                exactly(1)?;
                let x = real_arg(heap, args[0]).or_else(|e| {
                    if as_int(heap, args[0]).is_some() {
                        Ok(1.0)
                    } else {
                        Err(e)
                    }
                })?;
                Ok(Value::bool(match b {
                    B::MathIsnan => x.is_nan(),
                    B::MathIsinf => x.is_infinite(),
                    _ => x.is_finite(),
                }))
            }
            B::MathProd => {
                exactly(1)?;
                let items = self.collect(vm, args[0])?;
                let base = vm.roots().len();
                vm.roots_mut().extend_from_slice(&items);
                let mut acc = Value::small_int(1);
                let mut r = Ok(());
                for x in items {
                    match jit_core::ops::binary(
                        vm.heap_mut(),
                        self,
                        jit_core::bytecode::BinOp::Mul,
                        acc,
                        x,
                    ) {
                        Ok(v) => {
                            acc = v;
                            vm.roots_mut().push(v);
                        }
                        Err(e) => {
                            r = Err(e);
                            break;
                        }
                    }
                }
                vm.roots_mut().truncate(base);
                r.map(|()| acc)
            }
            B::MathFsum => {
                exactly(1)?;
                let items = self.collect(vm, args[0])?;
                let mut xs = Vec::with_capacity(items.len());
                for x in items {
                    xs.push(real_arg(vm.heap(), x)?);
                }
                fsum(&xs).map(Value::float)
            }
            B::MathDist => {
                exactly(2)?;
                let p = self.collect(vm, args[0])?;
                // Collecting `q` may run guest code (an iterator): keep `p`'s items rooted.
                let base = vm.roots().len();
                vm.roots_mut().extend_from_slice(&p);
                let q = self.collect(vm, args[1]);
                vm.roots_mut().truncate(base);
                let q = q?;
                if p.len() != q.len() {
                    return Err(value_error(
                        "both points must have the same number of dimensions",
                    ));
                }
                let mut acc = 0.0f64;
                for (x, y) in p.into_iter().zip(q) {
                    let d = real_arg(vm.heap(), x)? - real_arg(vm.heap(), y)?;
                    acc = acc.hypot(d);
                }
                Ok(Value::float(acc))
            }
            B::SysSetrecursionlimit => {
                exactly(1)?;
                let n = int_arg(heap, args[0])?;
                if n < BigInt::one() {
                    return Err(value_error(
                        "recursion limit must be greater or equal than 1",
                    ));
                }
                self.recursion_limit = n.to_usize().unwrap_or(usize::MAX).min(1 << 24);
                Ok(Value::NIL)
            }
            B::SysGetrecursionlimit => {
                exactly(0).map_err(|_| {
                    type_error(format!(
                        "sys.getrecursionlimit() takes no arguments ({} given)",
                        args.len()
                    ))
                })?;
                Ok(heap.int(self.recursion_limit as i64))
            }
            B::SysExit => {
                let code = args.first().copied().unwrap_or(Value::NIL);
                let msg = if code.is_nil() {
                    String::new()
                } else {
                    self.str(heap, code)?
                };
                let _ = truthy(heap, code);
                Err(exc("SystemExit", msg))
            }
            _ => Err(type_error(format!("'{name}' is not callable"))),
        }
    }
}

fn module(heap: &mut Heap, name: &'static str, ns: Ns, attrs: Vec<(String, Value)>) -> Value {
    host(
        heap,
        PyModule {
            name,
            ns,
            attrs: std::cell::RefCell::new(attrs),
        },
    )
}

fn isclose(heap: &Heap, args: &[Value], kw: Kw) -> Result<Value, Exception> {
    let mut a = super::calls::Args::new("isclose", args, kw);
    let x = a
        .get(0, "a")?
        .ok_or_else(|| type_error("isclose() missing required argument 'a' (pos 1)"))?;
    let y = a
        .get(1, "b")?
        .ok_or_else(|| type_error("isclose() missing required argument 'b' (pos 2)"))?;
    let rel = a
        .take("rel_tol")
        .map(|v| real_arg(heap, v))
        .transpose()?
        .unwrap_or(1e-9);
    let abs = a
        .take("abs_tol")
        .map(|v| real_arg(heap, v))
        .transpose()?
        .unwrap_or(0.0);
    a.done()?;
    if rel < 0.0 || abs < 0.0 {
        return Err(value_error("tolerances must be non-negative"));
    }
    let (x, y) = (real_arg(heap, x)?, real_arg(heap, y)?);
    if x == y {
        return Ok(Value::TRUE);
    }
    if x.is_infinite() || y.is_infinite() {
        return Ok(Value::FALSE);
    }
    let diff = (y - x).abs();
    Ok(Value::bool(
        (diff <= (rel * y).abs() || diff <= (rel * x).abs()) || diff <= abs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fsum_is_exact() {
        // math.fsum([0.1]*10) == 1.0; sum([1e-16, 1, 1e16]) rounds up: 1.0000000000000002e16.
        assert_eq!(fsum(&[0.1; 10]).unwrap(), 1.0);
        assert_eq!(fsum(&[1e-16, 1.0, 1e16]).unwrap(), 1.0000000000000002e16);
        assert_eq!(
            fsum(&[f64::INFINITY, f64::NEG_INFINITY])
                .unwrap_err()
                .message,
            "-inf + inf in fsum"
        );
    }
}
