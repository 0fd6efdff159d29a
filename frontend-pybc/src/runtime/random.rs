//! The `random` module, bit-for-bit CPython's: the MT19937 generator seeded as
//! `_randommodule.c` seeds it (`init_by_array` over the seed's 32-bit words), and the
//! Python-level algorithms of `random.py` (`_randbelow` by rejection on `getrandbits`,
//! `shuffle`, `sample`, `choices`, `gauss`), so seeded programs print the same numbers.

use jit_core::heap::{Heap, Obj};
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use super::builtins::real_arg;
use super::errors::{exc, index_error, type_error, value_error};
use super::objects::{as_int, int_value, to_big, type_name, B};
use super::{Kw, PySemantics};

const N: usize = 624;
const M: usize = 397;

/// The Mersenne Twister state.
pub struct Mt {
    mt: Box<[u32; N]>,
    index: usize,
    /// The second normal deviate `gauss` computed last time.
    gauss_next: Option<f64>,
}

impl Mt {
    /// A generator seeded from the clock (CPython seeds from the OS when no seed is given).
    pub fn new() -> Mt {
        let mut g = Mt {
            mt: Box::new([0; N]),
            index: N,
            gauss_next: None,
        };
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        g.seed_words(&[t as u32, (t >> 32) as u32, (t >> 64) as u32]);
        g
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    /// `init_by_array`.
    fn seed_words(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        let len = key.len().max(1);
        for _ in 0..N.max(len) {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key.get(j).copied().unwrap_or(0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= len {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
        }
        self.mt[0] = 0x8000_0000;
        self.index = N;
        self.gauss_next = None;
    }

    /// Seeds from a non-negative int, as `random.seed(n)` does.
    pub fn seed_int(&mut self, n: &BigInt) {
        let (_, digits) = n.abs().to_u32_digits();
        if digits.is_empty() {
            self.seed_words(&[0]);
        } else {
            self.seed_words(&digits);
        }
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        if self.index >= N {
            for k in 0..N {
                let y = (self.mt[k] & UPPER) | (self.mt[(k + 1) % N] & LOWER);
                let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
                self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: 53 random bits as a float in [0, 1).
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)`.
    pub fn getrandbits(&mut self, k: u64) -> BigInt {
        if k == 0 {
            return BigInt::zero();
        }
        if k <= 32 {
            return BigInt::from(self.next_u32() >> (32 - k));
        }
        let words = (k - 1) / 32 + 1;
        let mut left = k;
        let mut out = Vec::with_capacity(words as usize);
        for _ in 0..words {
            let mut r = self.next_u32();
            if left < 32 {
                r >>= 32 - left;
            }
            out.push(r);
            left = left.saturating_sub(32);
        }
        BigInt::from_slice(num_bigint::Sign::Plus, &out)
    }

    /// `_randbelow(n)` for `n > 0`: rejection sampling on `n.bit_length()` bits.
    pub fn below(&mut self, n: &BigInt) -> BigInt {
        let k = n.bits();
        loop {
            let r = self.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }

    /// `_randbelow` for a machine-sized bound.
    fn below_usize(&mut self, n: usize) -> usize {
        self.below(&BigInt::from(n)).to_usize().unwrap_or(0)
    }
}

impl Default for Mt {
    fn default() -> Mt {
        Mt::new()
    }
}

fn int_arg(heap: &Heap, v: Value) -> Result<BigInt, Exception> {
    match as_int(heap, v) {
        Some(i) => Ok(to_big(i)),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(heap, v)
        ))),
    }
}

fn seq_len(heap: &Heap, v: Value) -> Result<usize, Exception> {
    match heap.get(v) {
        Some(Obj::Array(a)) => Ok(a.len()),
        Some(Obj::Tuple(t)) => Ok(t.len()),
        Some(Obj::Str(s)) => Ok(s.chars().count()),
        _ => match super::range::parts(heap, v) {
            Some(r) => super::range::ssize(&r.len()).map(|n| n as usize),
            None => Err(type_error(format!(
                "object of type '{}' has no len()",
                type_name(heap, v)
            ))),
        },
    }
}

impl PySemantics {
    fn randrange(&mut self, heap: &mut Heap, args: &[Value]) -> Result<Value, Exception> {
        let start = int_arg(heap, args[0])?;
        let Some(&stop) = args.get(1) else {
            if start.is_positive() {
                let r = self.rng.below(&start);
                return Ok(int_value(heap, r));
            }
            return Err(value_error("empty range for randrange()"));
        };
        let stop = int_arg(heap, stop)?;
        let step = match args.get(2) {
            Some(&s) => int_arg(heap, s)?,
            None => BigInt::from(1),
        };
        let width = &stop - &start;
        if step == BigInt::from(1) {
            if width.is_positive() {
                let r = self.rng.below(&width);
                return Ok(int_value(heap, start + r));
            }
            return Err(value_error(format!(
                "empty range for randrange() ({start}, {stop}, {width})"
            )));
        }
        if step.is_zero() {
            return Err(value_error("zero step for randrange()"));
        }
        let n = if step.is_positive() {
            num_integer::Integer::div_floor(&(&width + &step - 1), &step)
        } else {
            num_integer::Integer::div_floor(&(&width + &step + 1), &step)
        };
        if !n.is_positive() {
            return Err(value_error("empty range for randrange()"));
        }
        let r = self.rng.below(&n);
        Ok(int_value(heap, start + step * r))
    }

    /// Calls function `b` of the `random` module.
    pub fn call_random(
        &mut self,
        vm: &mut VmCore,
        b: B,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let name = b.name();
        let mut a = super::calls::Args::new(name, args, kw);
        let need = |lo: usize, hi: usize| super::errors::check_args(name, args.len(), lo, hi);
        match b {
            B::RandomSeed => {
                let x = a.get(0, "a")?;
                a.done()?;
                let heap = vm.heap();
                match x {
                    None => self.rng = Mt::new(),
                    Some(v) if v.is_nil() => self.rng = Mt::new(),
                    Some(v) => {
                        if let Some(i) = as_int(heap, v) {
                            self.rng.seed_int(&to_big(i));
                        } else if v.is_float() {
                            let h = super::hash::hash_value(heap, v)?;
                            self.rng.seed_int(&BigInt::from(h));
                        } else if heap.as_str(v).is_some() {
                            return Err(exc(
                                "NotImplementedError",
                                "random.seed() with a str seed is not supported",
                            ));
                        } else {
                            return Err(type_error(
                                "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
                            ));
                        }
                    }
                }
                Ok(Value::NIL)
            }
            B::RandomRandom => {
                a.no_kw()?;
                need(0, 0)?;
                Ok(Value::float(self.rng.random()))
            }
            B::RandomUniform => {
                a.no_kw()?;
                need(2, 2)?;
                let (x, y) = (real_arg(vm.heap(), args[0])?, real_arg(vm.heap(), args[1])?);
                Ok(Value::float(x + (y - x) * self.rng.random()))
            }
            B::RandomGetrandbits => {
                a.no_kw()?;
                need(1, 1)?;
                let k = int_arg(vm.heap(), args[0])?;
                if k.is_negative() {
                    return Err(value_error("number of bits must be non-negative"));
                }
                let k = k
                    .to_u64()
                    .filter(|&k| k <= 1 << 32)
                    .ok_or_else(super::errors::memory_error)?;
                let r = self.rng.getrandbits(k);
                Ok(int_value(vm.heap_mut(), r))
            }
            B::RandomRandrange => {
                a.no_kw()?;
                need(1, 3)?;
                self.randrange(vm.heap_mut(), args)
            }
            B::RandomRandint => {
                a.no_kw()?;
                need(2, 2)?;
                let hi = int_arg(vm.heap(), args[1])? + 1;
                let hi = int_value(vm.heap_mut(), hi);
                self.randrange(vm.heap_mut(), &[args[0], hi])
            }
            B::RandomChoice => {
                a.no_kw()?;
                need(1, 1)?;
                let n = seq_len(vm.heap(), args[0])?;
                if n == 0 {
                    return Err(index_error("Cannot choose from an empty sequence"));
                }
                let i = self.rng.below_usize(n);
                self.index(vm.heap_mut(), args[0], Value::small_int(i as i64))
            }
            B::RandomShuffle => {
                a.no_kw()?;
                need(1, 1)?;
                let Some(list) = vm.heap().as_array(args[0]) else {
                    return Err(type_error(format!(
                        "'{}' object does not support item assignment",
                        type_name(vm.heap(), args[0])
                    )));
                };
                let mut items = list.to_vec();
                for i in (1..items.len()).rev() {
                    let j = self.rng.below_usize(i + 1);
                    items.swap(i, j);
                }
                list.replace(items);
                Ok(Value::NIL)
            }
            B::RandomSample => {
                let pop = a.get(0, "population")?;
                let k = a.get(1, "k")?;
                a.done()?;
                let (Some(pop), Some(k)) = (pop, k) else {
                    return Err(type_error("sample() missing required argument"));
                };
                if super::set::as_set(vm.heap(), pop).is_some() {
                    return Err(type_error(
                        "Population must be a sequence.  For dicts or sets, use sorted(d).",
                    ));
                }
                let n = seq_len(vm.heap(), pop)?;
                let k = int_arg(vm.heap(), k)?;
                let k = k
                    .to_usize()
                    .filter(|&k| k <= n)
                    .ok_or_else(|| value_error("Sample larger than population or is negative"))?;
                let mut setsize = 21usize;
                if k > 5 {
                    let e = ((k * 3) as f64).ln() / 4f64.ln();
                    setsize += 4usize.pow(e.ceil() as u32);
                }
                let mut picks = Vec::with_capacity(k);
                if n <= setsize {
                    let mut pool: Vec<usize> = (0..n).collect();
                    for i in 0..k {
                        let j = self.rng.below_usize(n - i);
                        picks.push(pool[j]);
                        pool[j] = pool[n - i - 1];
                    }
                } else {
                    let mut selected = std::collections::HashSet::new();
                    for _ in 0..k {
                        let mut j = self.rng.below_usize(n);
                        while selected.contains(&j) {
                            j = self.rng.below_usize(n);
                        }
                        selected.insert(j);
                        picks.push(j);
                    }
                }
                let mut out = Vec::with_capacity(k);
                for j in picks {
                    out.push(self.index(vm.heap_mut(), pop, Value::small_int(j as i64))?);
                }
                Ok(vm.heap_mut().array(out))
            }
            B::RandomChoices => {
                let pop = a.get(0, "population")?;
                let weights = a.get(1, "weights")?.filter(|w| !w.is_nil());
                let cum = a.take("cum_weights").filter(|w| !w.is_nil());
                let k = a.take("k");
                a.done()?;
                let Some(pop) = pop else {
                    return Err(type_error(
                        "choices() missing required argument 'population'",
                    ));
                };
                let k = match k {
                    Some(k) => int_arg(vm.heap(), k)?.to_usize().unwrap_or(0),
                    None => 1,
                };
                let n = seq_len(vm.heap(), pop)?;
                let cum: Option<Vec<f64>> = match (weights, cum) {
                    (Some(_), Some(_)) => {
                        return Err(type_error(
                            "Cannot specify both weights and cumulative weights",
                        ))
                    }
                    (Some(w), None) => {
                        let ws = self.collect(vm, w)?;
                        let mut acc = 0.0;
                        let mut out = Vec::with_capacity(ws.len());
                        for x in ws {
                            acc += real_arg(vm.heap(), x)?;
                            out.push(acc);
                        }
                        Some(out)
                    }
                    (None, Some(c)) => {
                        let cs = self.collect(vm, c)?;
                        let mut out = Vec::with_capacity(cs.len());
                        for x in cs {
                            out.push(real_arg(vm.heap(), x)?);
                        }
                        Some(out)
                    }
                    (None, None) => None,
                };
                let mut idx = Vec::with_capacity(k);
                match cum {
                    None => {
                        if n == 0 && k > 0 {
                            return Err(index_error("list index out of range"));
                        }
                        for _ in 0..k {
                            idx.push((self.rng.random() * n as f64).floor() as usize);
                        }
                    }
                    Some(cw) => {
                        if cw.len() != n {
                            return Err(value_error(
                                "The number of weights does not match the population",
                            ));
                        }
                        let total = cw.last().copied().unwrap_or(0.0);
                        if total <= 0.0 {
                            return Err(value_error("Total of weights must be greater than zero"));
                        }
                        if !total.is_finite() {
                            return Err(value_error("Total of weights must be finite"));
                        }
                        let hi = n - 1;
                        for _ in 0..k {
                            let x = self.rng.random() * total;
                            // bisect_right(cum_weights, x, 0, hi)
                            let (mut lo, mut h) = (0, hi);
                            while lo < h {
                                let mid = (lo + h) / 2;
                                if x < cw[mid] {
                                    h = mid;
                                } else {
                                    lo = mid + 1;
                                }
                            }
                            idx.push(lo);
                        }
                    }
                }
                let mut out = Vec::with_capacity(k);
                for j in idx {
                    out.push(self.index(vm.heap_mut(), pop, Value::small_int(j as i64))?);
                }
                Ok(vm.heap_mut().array(out))
            }
            B::RandomGauss => {
                let mu = a.get(0, "mu")?;
                let sigma = a.get(1, "sigma")?;
                a.done()?;
                let mu = mu.map_or(Ok(0.0), |v| real_arg(vm.heap(), v))?;
                let sigma = sigma.map_or(Ok(1.0), |v| real_arg(vm.heap(), v))?;
                let z = match self.rng.gauss_next.take() {
                    Some(z) => z,
                    None => {
                        let x2pi = self.rng.random() * std::f64::consts::TAU;
                        let g2rad = (-2.0 * (1.0 - self.rng.random()).ln()).sqrt();
                        self.rng.gauss_next = Some(x2pi.sin() * g2rad);
                        x2pi.cos() * g2rad
                    }
                };
                Ok(Value::float(mu + z * sigma))
            }
            B::RandomExpovariate => {
                a.no_kw()?;
                need(1, 1)?;
                let l = real_arg(vm.heap(), args[0])?;
                let x = -(1.0 - self.rng.random()).ln();
                if l == 0.0 {
                    return Err(exc("ZeroDivisionError", "float division by zero"));
                }
                Ok(Value::float(x / l))
            }
            _ => Err(type_error(format!("'{name}' is not callable"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by CPython 3.11 after `random.seed(...)`.
    #[test]
    fn matches_cpython_sequences() {
        let mut g = Mt::new();
        g.seed_int(&BigInt::from(42));
        assert_eq!(g.random(), 0.6394267984578837);
        assert_eq!(g.random(), 0.025010755222666936);
        g.seed_int(&BigInt::from(0));
        assert_eq!(g.random(), 0.8444218515250481);
        g.seed_int(&(BigInt::from(2).pow(70) + 5));
        assert_eq!(g.random(), 0.46679953776226335);
    }
}
