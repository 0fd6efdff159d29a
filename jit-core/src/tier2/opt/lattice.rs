//! The optimizer's type lattice: what is known about one SSA value of a trace.
//!
//! An [`Abs`] is a set of possible types ([`Types`], a bitset, so that "int or float" and
//! "not an array" are exact), refined by facts that let code disappear: a known constant,
//! an int range (non-negative, small enough not to overflow), non-zero, a known sequence
//! length, a known function code. The empty type set is bottom: a value that cannot
//! exist, which the abstract interpreter reports as a contradiction (the trace would
//! always exit there) rather than optimize on.
//!
//! Facts between values (an index within the bounds of a particular array) live in the
//! abstract interpreter's state, not here: they are about two values and some of them
//! die at a call.

use super::super::table::Ty;
use crate::heap::{Heap, Obj};
use crate::value::{Value, SMALL_INT_MAX, SMALL_INT_MIN};

/// A set of language-level types: each bit one type a value may have.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Types(pub u16);

impl Types {
    /// An inline int.
    pub const INT: Types = Types(1);
    /// A boxed (heap) int.
    pub const BIGINT: Types = Types(1 << 1);
    /// A float.
    pub const FLOAT: Types = Types(1 << 2);
    /// A bool.
    pub const BOOL: Types = Types(1 << 3);
    /// nil / `None`.
    pub const NIL: Types = Types(1 << 4);
    /// A string.
    pub const STR: Types = Types(1 << 5);
    /// An array (a list).
    pub const ARRAY: Types = Types(1 << 6);
    /// A tuple.
    pub const TUPLE: Types = Types(1 << 7);
    /// A guest function.
    pub const FUNCTION: Types = Types(1 << 8);
    /// A builtin.
    pub const NATIVE: Types = Types(1 << 9);
    /// The core's range iterator over inline ints (what `GUARD_RANGE_ITER` checks).
    pub const RANGE_ITER: Types = Types(1 << 10);
    /// The core's array or tuple iterator.
    pub const SEQ_ITER: Types = Types(1 << 11);
    /// Any other heap object (the frontend's objects; object shapes will refine this).
    pub const OBJECT: Types = Types(1 << 12);
    /// The empty marker of an unbound local.
    pub const EMPTY: Types = Types(1 << 13);

    /// No type: bottom.
    pub const NONE: Types = Types(0);
    /// Every type: unknown.
    pub const ALL: Types = Types((1 << 14) - 1);
    /// Inline ints and floats.
    pub const NUM: Types = Types(Self::INT.0 | Self::FLOAT.0);
    /// Arrays and tuples.
    pub const SEQ: Types = Types(Self::ARRAY.0 | Self::TUPLE.0);

    /// The union.
    pub const fn or(self, o: Types) -> Types {
        Types(self.0 | o.0)
    }

    /// The intersection.
    pub const fn and(self, o: Types) -> Types {
        Types(self.0 & o.0)
    }

    /// True when every type of `self` is in `o`.
    pub const fn within(self, o: Types) -> bool {
        self.0 & !o.0 == 0
    }

    /// True for bottom.
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }

    /// The types a signature type stands for (what a uop's output is, or what a guard
    /// establishes). The raw representations stand for the type they unbox.
    pub const fn of_ty(t: Ty) -> Types {
        match t {
            Ty::Unit => Types::NONE,
            Ty::Any => Types::ALL,
            Ty::Int | Ty::I64 => Types::INT,
            Ty::Float | Ty::F64 => Types::FLOAT,
            Ty::Num => Types::NUM,
            Ty::Bool => Types::BOOL,
            Ty::Str => Types::STR,
            Ty::Array => Types::ARRAY,
            Ty::Tuple => Types::TUPLE,
            Ty::Seq => Types::SEQ,
            Ty::Iter => Types(Self::RANGE_ITER.0 | Self::SEQ_ITER.0),
            Ty::RangeIter => Types::RANGE_ITER,
            Ty::SeqIter => Types::SEQ_ITER,
            Ty::Function => Types::FUNCTION,
            Ty::Native => Types::NATIVE,
            Ty::Bound => Types(Self::ALL.0 & !Self::EMPTY.0),
            Ty::NotArray => Types(Self::ALL.0 & !Self::ARRAY.0),
        }
    }

    /// The type of a known value.
    pub fn of_value(v: Value, heap: &Heap) -> Types {
        if v.is_small_int() {
            Types::INT
        } else if v.is_float() {
            Types::FLOAT
        } else if v.as_bool().is_some() {
            Types::BOOL
        } else if v.is_nil() {
            Types::NIL
        } else if v.is_empty() {
            Types::EMPTY
        } else {
            match heap.get(v) {
                Some(Obj::Int(_)) => Types::BIGINT,
                Some(Obj::Str(_)) => Types::STR,
                Some(Obj::Array(_)) => Types::ARRAY,
                Some(Obj::Tuple(_)) => Types::TUPLE,
                Some(Obj::Function(_)) => Types::FUNCTION,
                Some(Obj::Native(_)) => Types::NATIVE,
                Some(Obj::RangeIter(r)) if r.inline() => Types::RANGE_ITER,
                Some(Obj::SeqIter(_)) => Types::SEQ_ITER,
                _ => Types::OBJECT,
            }
        }
    }

    /// The names of the types, for dumps.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        const NAMES: [&str; 14] = [
            "int",
            "bigint",
            "float",
            "bool",
            "nil",
            "str",
            "array",
            "tuple",
            "function",
            "native",
            "range-iter",
            "seq-iter",
            "object",
            "empty",
        ];
        (0..NAMES.len())
            .filter(move |&i| self.0 & (1 << i) != 0)
            .map(|i| NAMES[i])
    }
}

impl core::fmt::Debug for Types {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if *self == Types::ALL {
            return f.write_str("any");
        }
        let mut first = true;
        for n in self.names() {
            if !first {
                f.write_str("|")?;
            }
            first = false;
            f.write_str(n)?;
        }
        if first {
            f.write_str("bottom")?;
        }
        Ok(())
    }
}

/// What is known about one value.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Abs {
    /// The types it may have.
    pub types: Types,
    /// Its value, when known.
    pub konst: Option<Value>,
    /// When it is an inline int: the least and greatest it can be.
    pub lo: i64,
    /// See `lo`.
    pub hi: i64,
    /// When it is an int: proven non-zero.
    pub nonzero: bool,
    /// When it is a tuple: its length (a tuple never changes).
    pub len: Option<u32>,
    /// When it is a guest function: its code object.
    pub code: Option<u32>,
}

impl Abs {
    /// Nothing known.
    pub const TOP: Abs = Abs {
        types: Types::ALL,
        konst: None,
        lo: SMALL_INT_MIN,
        hi: SMALL_INT_MAX,
        nonzero: false,
        len: None,
        code: None,
    };

    /// A value of the given types.
    pub const fn of(types: Types) -> Abs {
        Abs { types, ..Abs::TOP }
    }

    /// An inline int in `lo..=hi`.
    pub fn int_range(lo: i64, hi: i64) -> Abs {
        let mut a = Abs::of(Types::INT);
        a.lo = lo.max(SMALL_INT_MIN);
        a.hi = hi.min(SMALL_INT_MAX);
        a.nonzero = a.lo > 0 || a.hi < 0;
        a
    }

    /// A known value.
    pub fn constant(v: Value, heap: &Heap) -> Abs {
        let mut a = Abs::of(Types::of_value(v, heap));
        a.konst = Some(v);
        if let Some(i) = v.as_small_int() {
            a.lo = i;
            a.hi = i;
            a.nonzero = i != 0;
        }
        if let Some(t) = heap.as_tuple(v) {
            a.len = u32::try_from(t.len()).ok();
        }
        if let Some(f) = heap.as_function(v) {
            a.code = Some(f.code);
        }
        a
    }

    /// True for bottom: no value can be like this.
    pub fn is_bottom(&self) -> bool {
        self.types.is_none() || (self.types == Types::INT && self.lo > self.hi)
    }

    /// True when it is certainly an inline int.
    pub fn is_int(&self) -> bool {
        self.types.within(Types::INT) && !self.types.is_none()
    }

    /// Its int value, when known.
    pub fn int_value(&self) -> Option<i64> {
        if self.is_int() && self.lo == self.hi {
            Some(self.lo)
        } else {
            self.konst.and_then(Value::as_small_int)
        }
    }

    /// What both `self` and `o` say (a guard's refinement); bottom when they contradict.
    pub fn meet(&self, o: &Abs) -> Abs {
        let mut a = *self;
        a.types = self.types.and(o.types);
        a.konst = match (self.konst, o.konst) {
            (Some(x), Some(y)) if x.to_bits() != y.to_bits() => {
                a.types = Types::NONE;
                None
            }
            (x, y) => x.or(y),
        };
        a.lo = self.lo.max(o.lo);
        a.hi = self.hi.min(o.hi);
        a.nonzero = self.nonzero || o.nonzero;
        a.len = self.len.or(o.len);
        a.code = self.code.or(o.code);
        a.normalize()
    }

    /// What holds of either (a PHI's two inputs).
    pub fn join(&self, o: &Abs) -> Abs {
        Abs {
            types: self.types.or(o.types),
            konst: match (self.konst, o.konst) {
                (Some(x), Some(y)) if x.to_bits() == y.to_bits() => Some(x),
                _ => None,
            },
            lo: self.lo.min(o.lo),
            hi: self.hi.max(o.hi),
            nonzero: self.nonzero && o.nonzero,
            len: if self.len == o.len { self.len } else { None },
            code: if self.code == o.code { self.code } else { None },
        }
    }

    /// True when `self` says no more than `o` (every value `self` allows, `o` allows).
    pub fn within(&self, o: &Abs) -> bool {
        self.types.within(o.types)
            && (o.konst.is_none() || self.konst.map(Value::to_bits) == o.konst.map(Value::to_bits))
            && (self.types.and(Types::INT).is_none() || (self.lo >= o.lo && self.hi <= o.hi))
            && (!o.nonzero || self.nonzero)
            && (o.len.is_none() || self.len == o.len)
            && (o.code.is_none() || self.code == o.code)
    }

    /// Tightens the facts after a change: a range that excludes zero is non-zero, a
    /// non-zero range that touches zero moves off it, a one-point range is a constant.
    fn normalize(mut self) -> Abs {
        if self.types.and(Types::INT).is_none() {
            return self;
        }
        if self.nonzero {
            if self.lo == 0 {
                self.lo = 1;
            }
            if self.hi == 0 {
                self.hi = -1;
            }
        }
        if self.lo > self.hi && self.types == Types::INT {
            self.types = Types::NONE;
        }
        self.nonzero |= self.lo > 0 || self.hi < 0;
        if self.types == Types::INT && self.lo == self.hi && self.konst.is_none() {
            self.konst = Some(Value::small_int(self.lo));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meet_and_join() {
        let int = Abs::of(Types::INT);
        let num = Abs::of(Types::NUM);
        assert_eq!(num.meet(&int).types, Types::INT);
        assert_eq!(int.join(&Abs::of(Types::FLOAT)).types, Types::NUM);
        // Contradictions are bottom.
        assert!(int.meet(&Abs::of(Types::FLOAT)).is_bottom());
        assert!(Abs::int_range(0, 3).meet(&Abs::int_range(5, 9)).is_bottom());
        // A range that excludes zero is non-zero; non-zero moves a range off zero.
        assert!(Abs::int_range(1, 9).nonzero);
        let mut nz = Abs::int_range(0, 9);
        nz.nonzero = true;
        let m = nz.meet(&Abs::of(Types::INT));
        assert_eq!((m.lo, m.hi), (1, 9));
        // A one-point range is a constant.
        assert_eq!(
            Abs::of(Types::INT)
                .meet(&Abs::int_range(4, 4))
                .konst
                .and_then(Value::as_small_int),
            Some(4)
        );
        assert!(Abs::int_range(2, 3).within(&Abs::int_range(0, 9)));
        assert!(!Abs::int_range(0, 9).within(&Abs::int_range(2, 3)));
        assert!(int.within(&Abs::TOP));
        assert!(!Abs::TOP.within(&int));
    }
}
