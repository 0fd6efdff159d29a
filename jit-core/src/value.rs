//! The one-word `Value`: NaN-boxing that keeps floats and small ints unboxed.
//!
//! # Encoding
//!
//! A `Value` is a `u64`. Every bit pattern below `TAG_MIN` (`0xFFF9 << 48`) is an IEEE
//! double, stored as its own bits; everything at or above it is a tagged non-float:
//!
//! | top 16 bits | meaning | low 48 bits |
//! |---|---|---|
//! | `< 0xFFF9` | `f64` | (part of the double) |
//! | `0xFFF9` | small int | two's-complement `i48` |
//! | `0xFFFA` | heap object | pointer to a [`GcBox`](crate::heap::GcBox) |
//! | `0xFFFB` | special | `0` nil, `2` false, `3` true, `4` empty |
//!
//! Why NaN-boxing rather than low-bit pointer tagging: the benchmarks this engine is
//! judged on are float-heavy (nbody, spectral-norm), and under pointer tagging every
//! float result is a heap allocation. Here float arithmetic never allocates, and int
//! arithmetic allocates only when a result leaves the 48-bit range (then it is boxed as
//! a full `i64`, and beyond `i64` the frontend decides: Tiny raises `integer overflow`,
//! Python promotes to a big integer). x86-64 user-space pointers fit in 48 bits.
//!
//! # NaN payloads
//!
//! Float operations do *not* only produce the canonical NaN. A NaN's sign and payload
//! can come from outside (a `.pyc` file stores a double's raw bits) and arithmetic
//! passes them through: on x86-64 an operation with a NaN operand returns that NaN with
//! its sign and payload, quieted if it was signaling (`0xFFF1_0000_0000_0007 + 0.0` is
//! `0xFFF9_0000_0000_0007`), and negation flips the sign bit of any NaN
//! (`-0x7FF9_0000_0000_0007` is `0xFFF9_0000_0000_0007`). Only a NaN made from non-NaN
//! operands (`0.0 / 0.0`, `inf - inf`) is the default NaN `0xFFF8...`. So a float
//! computed from a NaN can have bits at or above `TAG_MIN`, which read as a small int,
//! an object pointer or a special.
//!
//! The defence: `Value`'s field is private, and [`Value::float`], the one constructor
//! from an `f64`, replaces any NaN whose bits are at or above `TAG_MIN` with the
//! canonical quiet NaN `0x7FF8...` (every other double, NaNs below `TAG_MIN` included,
//! is kept bit for bit). Every float result, in the core and in the frontends, goes
//! through it; the only constructor from raw bits, [`Value::from_bits`], takes bits of an
//! existing `Value`. Compiled code that boxes a float result must apply the same rule.

use core::fmt;

/// The smallest bit pattern that is not a float.
pub const TAG_MIN: u64 = 0xFFF9 << 48;
const TAG_INT: u64 = layout::TAG_INT;
const TAG_OBJ: u64 = layout::TAG_OBJ;
const TAG_SPECIAL: u64 = layout::TAG_SPECIAL;
const PAYLOAD: u64 = layout::PAYLOAD;
const CANONICAL_NAN: u64 = layout::CANONICAL_NAN;

/// The encoding's constants, for code generators that build and test values inline
/// (the stencil backend's build script writes them into the stencils).
pub mod layout {
    /// The top 16 bits of an inline int.
    pub const TAG_INT: u64 = 0xFFF9 << 48;
    /// The top 16 bits of a heap object pointer: every value below it is a number.
    pub const TAG_OBJ: u64 = 0xFFFA << 48;
    /// The top 16 bits of the specials (`nil`, `false`, `true`, empty).
    pub const TAG_SPECIAL: u64 = 0xFFFB << 48;
    /// The low 48 bits: an inline int's two's complement, an object's address.
    pub const PAYLOAD: u64 = (1 << 48) - 1;
    /// The NaN a float whose bits would fall in the tagged range becomes.
    pub const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;
}

/// The smallest int stored inline.
pub const SMALL_INT_MIN: i64 = -(1 << 47);
/// The largest int stored inline.
pub const SMALL_INT_MAX: i64 = (1 << 47) - 1;

/// One NaN-boxed value. `Copy`: ownership of heap objects belongs to the collector,
/// which finds live objects through the roots (see [`crate::heap`]). A value does not
/// keep its object alive; the API makes whoever could leave one dangling promise not to
/// use it (see [`crate::heap::Heap::get`]), and forging one from bits is `unsafe`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(u64);

/// The coarse type of a value as the core sees it, for dispatch and specialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// An unboxed double.
    Float,
    /// An inline 48-bit int.
    SmallInt,
    /// A pointer to a heap object.
    Object,
    /// nil.
    Nil,
    /// true or false.
    Bool,
    /// The empty marker (an unbound slot; never visible to a program).
    Empty,
}

impl Value {
    /// The language's "no value" (`nil` in Tiny, `None` in Python).
    pub const NIL: Value = Value(TAG_SPECIAL);
    /// Boolean false.
    pub const FALSE: Value = Value(TAG_SPECIAL | 2);
    /// Boolean true.
    pub const TRUE: Value = Value(TAG_SPECIAL | 3);
    /// Marks an unbound local or global, and a `NULL` pushed by the Python call protocol.
    pub const EMPTY: Value = Value(TAG_SPECIAL | 4);

    /// A float. Never allocates. A NaN whose bits would fall in the tagged range
    /// (at or above `TAG_MIN`) becomes the canonical quiet NaN; see the module docs.
    #[inline(always)]
    pub fn float(f: f64) -> Value {
        let bits = f.to_bits();
        if bits >= TAG_MIN {
            Value(CANONICAL_NAN)
        } else {
            Value(bits)
        }
    }

    /// An int in the inline range. The caller guarantees `SMALL_INT_MIN <= i <= SMALL_INT_MAX`;
    /// use [`crate::heap::Heap::int`] for any `i64`.
    #[inline(always)]
    pub fn small_int(i: i64) -> Value {
        debug_assert!(fits_small(i));
        Value(TAG_INT | (i as u64 & PAYLOAD))
    }

    /// The inline int for `i`, or `None` when it needs boxing.
    #[inline(always)]
    pub fn try_small_int(i: i64) -> Option<Value> {
        if fits_small(i) {
            Some(Value::small_int(i))
        } else {
            None
        }
    }

    /// A boolean.
    #[inline(always)]
    pub fn bool(b: bool) -> Value {
        Value(TAG_SPECIAL | 2 | b as u64)
    }

    /// A heap object pointer. Used by the heap only.
    #[inline(always)]
    pub(crate) fn from_ptr<T>(p: *const T) -> Value {
        debug_assert!((p as u64) & !PAYLOAD == 0, "pointer above 48 bits");
        Value(TAG_OBJ | p as u64)
    }

    /// The raw bits, for hashing, dumps and compiled code.
    #[inline(always)]
    pub fn to_bits(self) -> u64 {
        self.0
    }

    /// Rebuilds a value from [`Value::to_bits`].
    ///
    /// # Safety
    ///
    /// Bits with the object tag (`0xFFFA` in the top 16 bits) must be those of a `Value`
    /// whose object is still live: it was allocated by the heap the value will be used
    /// with, and every collection since then saw it reachable (see
    /// [`crate::heap::Heap::collect`]). [`crate::heap::Heap::get`] dereferences the pointer
    /// in such bits, so forged or stale bits are undefined behaviour there. Any other bits
    /// make a float, an int or a special and are always sound. Never pass a double's
    /// raw bits: a NaN's may be a tagged value's; use [`Value::float`].
    #[inline(always)]
    pub unsafe fn from_bits(bits: u64) -> Value {
        Value(bits)
    }

    /// Which kind of value this is.
    #[inline(always)]
    pub fn tag(self) -> Tag {
        if self.0 < TAG_MIN {
            return Tag::Float;
        }
        match self.0 >> 48 {
            0xFFF9 => Tag::SmallInt,
            0xFFFA => Tag::Object,
            _ => match self.0 & PAYLOAD {
                0 => Tag::Nil,
                2 | 3 => Tag::Bool,
                _ => Tag::Empty,
            },
        }
    }

    /// True for an unboxed float.
    #[inline(always)]
    pub fn is_float(self) -> bool {
        self.0 < TAG_MIN
    }

    /// True for an inline int.
    #[inline(always)]
    pub fn is_small_int(self) -> bool {
        self.0 >> 48 == 0xFFF9
    }

    /// True when both are inline ints: one test on the combined tags.
    #[inline(always)]
    pub fn both_small_ints(a: Value, b: Value) -> bool {
        (a.0 >> 48 == 0xFFF9) & (b.0 >> 48 == 0xFFF9)
    }

    /// True for a heap object.
    #[inline(always)]
    pub fn is_object(self) -> bool {
        self.0 >> 48 == 0xFFFA
    }

    /// True for nil.
    #[inline(always)]
    pub fn is_nil(self) -> bool {
        self.0 == Value::NIL.0
    }

    /// True for either boolean.
    #[inline(always)]
    pub fn is_bool(self) -> bool {
        self.0 | 1 == Value::TRUE.0
    }

    /// True for the empty marker.
    #[inline(always)]
    pub fn is_empty(self) -> bool {
        self.0 == Value::EMPTY.0
    }

    /// The float, if this is one.
    #[inline(always)]
    pub fn as_float(self) -> Option<f64> {
        if self.is_float() {
            Some(f64::from_bits(self.0))
        } else {
            None
        }
    }

    /// The float, assuming [`Value::is_float`].
    #[inline(always)]
    pub fn float_unchecked(self) -> f64 {
        debug_assert!(self.is_float());
        f64::from_bits(self.0)
    }

    /// The inline int, if this is one (boxed ints are not included; see
    /// [`crate::heap::Heap::as_i64`]).
    #[inline(always)]
    pub fn as_small_int(self) -> Option<i64> {
        if self.is_small_int() {
            Some(self.small_int_unchecked())
        } else {
            None
        }
    }

    /// The inline int, assuming [`Value::is_small_int`].
    #[inline(always)]
    pub fn small_int_unchecked(self) -> i64 {
        ((self.0 << 16) as i64) >> 16
    }

    /// The boolean, if this is one.
    #[inline(always)]
    pub fn as_bool(self) -> Option<bool> {
        if self.is_bool() {
            Some(self.0 & 1 == 1)
        } else {
            None
        }
    }

    /// The object pointer, if this is a heap object.
    #[inline(always)]
    pub(crate) fn as_ptr<T>(self) -> Option<*mut T> {
        if self.is_object() {
            Some((self.0 & PAYLOAD) as *mut T)
        } else {
            None
        }
    }
}

/// True when `i` is stored inline.
#[inline(always)]
pub fn fits_small(i: i64) -> bool {
    (i << 16) >> 16 == i
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tag() {
            Tag::Float => write!(f, "{:?}", self.float_unchecked()),
            Tag::SmallInt => write!(f, "{}", self.small_int_unchecked()),
            Tag::Object => write!(f, "obj@{:#x}", self.0 & PAYLOAD),
            Tag::Nil => f.write_str("nil"),
            Tag::Bool => write!(f, "{}", self.0 & 1 == 1),
            Tag::Empty => f.write_str("<empty>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip() {
        for f in [
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let v = Value::float(f);
            assert_eq!(v.tag(), Tag::Float);
            assert_eq!(v.float_unchecked().to_bits(), f.to_bits());
        }
        let nan = Value::float(f64::from_bits(0xFFFF_0000_0000_0001));
        assert!(nan.is_float() && nan.float_unchecked().is_nan());
        let x86_nan = Value::float(f64::from_bits(0xFFF8_0000_0000_0000));
        assert!(x86_nan.is_float());
    }

    #[test]
    fn ints_round_trip() {
        for i in [0, 1, -1, SMALL_INT_MIN, SMALL_INT_MAX, 12345, -98765] {
            let v = Value::small_int(i);
            assert_eq!(v.tag(), Tag::SmallInt);
            assert_eq!(v.as_small_int(), Some(i));
        }
        assert!(!fits_small(SMALL_INT_MAX + 1));
        assert!(!fits_small(SMALL_INT_MIN - 1));
        assert!(Value::both_small_ints(
            Value::small_int(1),
            Value::small_int(-1)
        ));
        assert!(!Value::both_small_ints(
            Value::small_int(1),
            Value::float(1.0)
        ));
        assert!(!Value::both_small_ints(Value::NIL, Value::small_int(1)));
    }

    #[test]
    fn specials() {
        assert_eq!(Value::NIL.tag(), Tag::Nil);
        assert_eq!(Value::TRUE.as_bool(), Some(true));
        assert_eq!(Value::FALSE.as_bool(), Some(false));
        assert_eq!(Value::bool(true), Value::TRUE);
        assert!(Value::EMPTY.is_empty() && !Value::EMPTY.is_bool());
        assert!(!Value::NIL.is_bool());
    }
}
