//! Python's object model on the core heap: the builtin table (functions, types, exception
//! classes and module functions, numbered by [`B`]), the host objects the runtime defines,
//! and the questions every other module asks ("what type is this value?", "is it an int?").

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::OnceLock;

use jit_core::heap::{Heap, HostObject, Obj};
use jit_core::semantics::Exception;
use jit_core::value::Value;
use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::dict::PyDict;
use super::errors::type_error;
use crate::pyfmt::IntRef;

/// Where a builtin lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ns {
    /// A builtin function (`print`), found by name in the builtins.
    Func,
    /// A builtin type (`int`), found by name in the builtins, callable.
    Type,
    /// A type only `type(x)` returns (`NoneType`, `list_iterator`).
    Hidden,
    /// A builtin exception class (`ValueError`).
    Exc,
    /// A function of the `math` module.
    Math,
    /// A function of the `sys` module.
    Sys,
    /// A function of the `random` module.
    Random,
    /// A function of the `heapq` module.
    Heapq,
    /// A function of the `bisect` module.
    Bisect,
    /// A function of the `time` module.
    Time,
    /// A function of the `functools` module.
    Functools,
}

macro_rules! builtins {
    ($( $var:ident = $name:literal in $ns:ident, )*) => {
        /// Every builtin value: a `Native` object's `id` is `B as u32`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum B { $( $var, )* }

        impl B {
            /// All builtins, in id order.
            pub const ALL: &'static [B] = &[$( B::$var, )*];

            /// Its Python name.
            #[inline]
            pub fn name(self) -> &'static str {
                match self { $( B::$var => $name, )* }
            }

            /// Where it lives.
            #[inline]
            pub fn ns(self) -> Ns {
                match self { $( B::$var => Ns::$ns, )* }
            }
        }
    };
}

builtins! {
    // Builtin functions.
    Print = "print" in Func,
    Len = "len" in Func,
    Abs = "abs" in Func,
    Min = "min" in Func,
    Max = "max" in Func,
    Sum = "sum" in Func,
    Repr = "repr" in Func,
    Ascii = "ascii" in Func,
    Isinstance = "isinstance" in Func,
    Iter = "iter" in Func,
    Next = "next" in Func,
    Round = "round" in Func,
    Divmod = "divmod" in Func,
    Pow = "pow" in Func,
    Sorted = "sorted" in Func,
    Hash = "hash" in Func,
    Chr = "chr" in Func,
    Ord = "ord" in Func,
    Any = "any" in Func,
    All = "all" in Func,
    Input = "input" in Func,
    Id = "id" in Func,
    Callable = "callable" in Func,
    Hex = "hex" in Func,
    Oct = "oct" in Func,
    Bin = "bin" in Func,
    Format = "format" in Func,
    Getattr = "getattr" in Func,
    Hasattr = "hasattr" in Func,
    Setattr = "setattr" in Func,
    Exit = "exit" in Func,
    Quit = "quit" in Func,
    // Builtin types.
    Int = "int" in Type,
    Bool = "bool" in Type,
    Float = "float" in Type,
    Str = "str" in Type,
    List = "list" in Type,
    Tuple = "tuple" in Type,
    Dict = "dict" in Type,
    Range = "range" in Type,
    Type = "type" in Type,
    Enumerate = "enumerate" in Type,
    Zip = "zip" in Type,
    Reversed = "reversed" in Type,
    Map = "map" in Type,
    Filter = "filter" in Type,
    Slice = "slice" in Type,
    Set = "set" in Type,
    Frozenset = "frozenset" in Type,
    Object = "object" in Type,
    // Types only `type()` gives.
    NoneType = "NoneType" in Hidden,
    Function = "function" in Hidden,
    BuiltinFunction = "builtin_function_or_method" in Hidden,
    Module = "module" in Hidden,
    Cell = "cell" in Hidden,
    MethodDescriptor = "method_descriptor" in Hidden,
    ListIterator = "list_iterator" in Hidden,
    TupleIterator = "tuple_iterator" in Hidden,
    RangeIterator = "range_iterator" in Hidden,
    LongRangeIterator = "longrange_iterator" in Hidden,
    StrIterator = "str_iterator" in Hidden,
    StrAsciiIterator = "str_ascii_iterator" in Hidden,
    ListReverseIterator = "list_reverseiterator" in Hidden,
    DictKeyIterator = "dict_keyiterator" in Hidden,
    DictValueIterator = "dict_valueiterator" in Hidden,
    DictItemIterator = "dict_itemiterator" in Hidden,
    DictReverseKeyIterator = "dict_reversekeyiterator" in Hidden,
    DictKeys = "dict_keys" in Hidden,
    DictValues = "dict_values" in Hidden,
    DictItems = "dict_items" in Hidden,
    TextIOWrapper = "_io.TextIOWrapper" in Hidden,
    SetIterator = "set_iterator" in Hidden,
    // Exception classes.
    BaseException = "BaseException" in Exc,
    Exception = "Exception" in Exc,
    ArithmeticError = "ArithmeticError" in Exc,
    AssertionError = "AssertionError" in Exc,
    AttributeError = "AttributeError" in Exc,
    ImportError = "ImportError" in Exc,
    IndexError = "IndexError" in Exc,
    KeyError = "KeyError" in Exc,
    LookupError = "LookupError" in Exc,
    MemoryError = "MemoryError" in Exc,
    ModuleNotFoundError = "ModuleNotFoundError" in Exc,
    NameError = "NameError" in Exc,
    NotImplementedError = "NotImplementedError" in Exc,
    OverflowError = "OverflowError" in Exc,
    RecursionError = "RecursionError" in Exc,
    RuntimeError = "RuntimeError" in Exc,
    StopIteration = "StopIteration" in Exc,
    SystemExit = "SystemExit" in Exc,
    TypeError = "TypeError" in Exc,
    UnboundLocalError = "UnboundLocalError" in Exc,
    ValueError = "ValueError" in Exc,
    ZeroDivisionError = "ZeroDivisionError" in Exc,
    KeyboardInterrupt = "KeyboardInterrupt" in Exc,
    EOFError = "EOFError" in Exc,
    // math.
    MathSqrt = "sqrt" in Math,
    MathSin = "sin" in Math,
    MathCos = "cos" in Math,
    MathTan = "tan" in Math,
    MathAsin = "asin" in Math,
    MathAcos = "acos" in Math,
    MathAtan = "atan" in Math,
    MathAtan2 = "atan2" in Math,
    MathSinh = "sinh" in Math,
    MathCosh = "cosh" in Math,
    MathTanh = "tanh" in Math,
    MathExp = "exp" in Math,
    MathLog = "log" in Math,
    MathLog2 = "log2" in Math,
    MathLog10 = "log10" in Math,
    MathFloor = "floor" in Math,
    MathCeil = "ceil" in Math,
    MathTrunc = "trunc" in Math,
    MathFabs = "fabs" in Math,
    MathIsqrt = "isqrt" in Math,
    MathGcd = "gcd" in Math,
    MathLcm = "lcm" in Math,
    MathPow = "pow" in Math,
    MathHypot = "hypot" in Math,
    MathFactorial = "factorial" in Math,
    MathIsnan = "isnan" in Math,
    MathIsinf = "isinf" in Math,
    MathIsfinite = "isfinite" in Math,
    MathCopysign = "copysign" in Math,
    MathFmod = "fmod" in Math,
    MathDegrees = "degrees" in Math,
    MathRadians = "radians" in Math,
    MathComb = "comb" in Math,
    MathPerm = "perm" in Math,
    MathIsclose = "isclose" in Math,
    MathProd = "prod" in Math,
    MathFsum = "fsum" in Math,
    MathDist = "dist" in Math,
    // sys.
    SysSetrecursionlimit = "setrecursionlimit" in Sys,
    SysGetrecursionlimit = "getrecursionlimit" in Sys,
    SysExit = "exit" in Sys,
    // random.
    RandomSeed = "seed" in Random,
    RandomRandom = "random" in Random,
    RandomUniform = "uniform" in Random,
    RandomGetrandbits = "getrandbits" in Random,
    RandomRandrange = "randrange" in Random,
    RandomRandint = "randint" in Random,
    RandomChoice = "choice" in Random,
    RandomShuffle = "shuffle" in Random,
    RandomSample = "sample" in Random,
    RandomChoices = "choices" in Random,
    RandomGauss = "gauss" in Random,
    RandomExpovariate = "expovariate" in Random,
    // heapq.
    HeapqHeappush = "heappush" in Heapq,
    HeapqHeappop = "heappop" in Heapq,
    HeapqHeapify = "heapify" in Heapq,
    HeapqHeapreplace = "heapreplace" in Heapq,
    HeapqHeappushpop = "heappushpop" in Heapq,
    HeapqNlargest = "nlargest" in Heapq,
    HeapqNsmallest = "nsmallest" in Heapq,
    // bisect.
    BisectBisectLeft = "bisect_left" in Bisect,
    BisectBisectRight = "bisect_right" in Bisect,
    BisectBisect = "bisect" in Bisect,
    BisectInsortLeft = "insort_left" in Bisect,
    BisectInsortRight = "insort_right" in Bisect,
    BisectInsort = "insort" in Bisect,
    // time.
    TimeTime = "time" in Time,
    TimePerfCounter = "perf_counter" in Time,
    TimeMonotonic = "monotonic" in Time,
    TimeProcessTime = "process_time" in Time,
    TimeTimeNs = "time_ns" in Time,
    TimePerfCounterNs = "perf_counter_ns" in Time,
    TimeSleep = "sleep" in Time,
    // functools.
    FunctoolsReduce = "reduce" in Functools,
}

impl B {
    /// The builtin numbered `id`.
    pub fn from_id(id: u32) -> Option<B> {
        B::ALL.get(id as usize).copied()
    }

    /// Its `Native` id.
    pub fn id(self) -> u32 {
        self as u32
    }

    /// True when a call on ints and floats only computes its result or raises (see
    /// [`jit_core::heap::NativeObj::pure_on_numbers`]): the numeric builtins and
    /// conversions, and `math`.
    pub fn pure_on_numbers(self) -> bool {
        use B::*;
        self.ns() == Ns::Math
            || matches!(
                self,
                Abs | Min
                    | Max
                    | Round
                    | Divmod
                    | Pow
                    | Hash
                    | Chr
                    | Hex
                    | Oct
                    | Bin
                    | Int
                    | Bool
                    | Float
                    | Str
                    | Repr
            )
    }

    /// True when a call on ints and floats returns a float (see
    /// [`jit_core::heap::NativeObj::float_on_numbers`]).
    pub fn float_on_numbers(self) -> bool {
        use B::*;
        matches!(
            self,
            Float
                | MathSqrt
                | MathSin
                | MathCos
                | MathTan
                | MathAsin
                | MathAcos
                | MathAtan
                | MathAtan2
                | MathSinh
                | MathCosh
                | MathTanh
                | MathExp
                | MathLog
                | MathLog2
                | MathLog10
                | MathFabs
                | MathPow
                | MathHypot
                | MathCopysign
                | MathFmod
                | MathDegrees
                | MathRadians
        )
    }

    /// True for type objects (including exception classes).
    pub fn is_type(self) -> bool {
        matches!(self.ns(), Ns::Type | Ns::Hidden | Ns::Exc)
    }

    /// The builtin reachable by `name` from module code (a global that was never set).
    pub fn global(name: &str) -> Option<B> {
        name_table().get(&(None, name)).copied()
    }

    /// The function `name` of the module whose functions live in `ns`.
    pub fn in_module(ns: Ns, name: &str) -> Option<B> {
        name_table().get(&(Some(ns), name)).copied()
    }

    /// The direct base class of a type (`None` for `object`).
    pub fn base(self) -> Option<B> {
        use B::*;
        Some(match self {
            Object => return None,
            Bool => Int,
            BaseException => Object,
            Exception | SystemExit | KeyboardInterrupt => BaseException,
            ArithmeticError | AssertionError | AttributeError | ImportError | LookupError
            | MemoryError | NameError | RuntimeError | StopIteration | TypeError | ValueError
            | EOFError => Exception,
            OverflowError | ZeroDivisionError => ArithmeticError,
            IndexError | KeyError => LookupError,
            ModuleNotFoundError => ImportError,
            UnboundLocalError => NameError,
            NotImplementedError | RecursionError => RuntimeError,
            _ => Object,
        })
    }

    /// True when `self` is `other` or derives from it.
    pub fn is_subtype(self, other: B) -> bool {
        let mut t = Some(self);
        while let Some(x) = t {
            if x == other {
                return true;
            }
            t = x.base();
        }
        false
    }
}

/// Builtins by name: `(None, name)` for the builtins namespace (functions, types,
/// exception classes), `(Some(ns), name)` for module functions. Built once.
fn name_table() -> &'static HashMap<(Option<Ns>, &'static str), B> {
    static TABLE: OnceLock<HashMap<(Option<Ns>, &'static str), B>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for &b in B::ALL {
            let key = match b.ns() {
                Ns::Func | Ns::Type | Ns::Exc => (None, b.name()),
                Ns::Hidden => continue,
                ns => (Some(ns), b.name()),
            };
            m.entry(key).or_insert(b);
        }
        m
    })
}

/// A Python int outside the `i64` range. Never holds a value that fits in an `i64` (those
/// are core ints): see [`int_value`].
pub struct PyLong(pub BigInt);

impl HostObject for PyLong {
    fn type_name(&self) -> &'static str {
        "int"
    }
    fn heap_size(&self) -> usize {
        (self.0.bits() / 8) as usize
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `range(start, stop, step)`; `step != 0`.
pub struct PyRange {
    /// First value.
    pub start: i64,
    /// End, exclusive.
    pub stop: i64,
    /// Step, never zero.
    pub step: i64,
}

impl PyRange {
    /// The number of values (as `i128`: a range over all of `i64` has 2^64 of them).
    pub fn len(&self) -> i128 {
        let (start, stop, step) = (self.start as i128, self.stop as i128, self.step as i128);
        if step > 0 && start < stop {
            (stop - start - 1) / step + 1
        } else if step < 0 && start > stop {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        }
    }

    /// True when the range has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th value, `0 <= i < len`.
    pub fn at(&self, i: i128) -> i64 {
        (self.start as i128 + i * self.step as i128) as i64
    }
}

impl HostObject for PyRange {
    fn type_name(&self) -> &'static str {
        "range"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `slice(start, stop, step)` is the core's slice object (None where a part is omitted).
pub use jit_core::heap::SliceObj as PySlice;

/// A module (`math`, `sys`): its functions come from the builtin table, its other
/// attributes are stored here.
pub struct PyModule {
    /// The module's name.
    pub name: &'static str,
    /// Where its functions live in [`B`].
    pub ns: Ns,
    /// Its data attributes, in definition order.
    pub attrs: RefCell<Vec<(String, Value)>>,
}

impl PyModule {
    /// The data attribute `name`.
    pub fn get(&self, name: &str) -> Option<Value> {
        let attrs = self.attrs.try_borrow().ok()?;
        attrs.iter().find(|(n, _)| n == name).map(|&(_, v)| v)
    }

    /// Sets the data attribute `name`.
    pub fn set(&self, name: &str, v: Value) {
        if let Ok(mut attrs) = self.attrs.try_borrow_mut() {
            match attrs.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = v,
                None => attrs.push((name.to_string(), v)),
            }
        }
    }
}

impl HostObject for PyModule {
    fn type_name(&self) -> &'static str {
        "module"
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        if let Ok(attrs) = self.attrs.try_borrow() {
            attrs.iter().for_each(|&(_, v)| visit(v));
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A method looked up without being called: `xs.append` (bound to `obj`), or `str.upper`
/// (unbound: `obj` is the type's native and the first call argument is the receiver).
pub struct PyMethod {
    /// The receiver, or the type for an unbound method.
    pub obj: Value,
    /// The method's name (from the type's method table).
    pub name: &'static str,
    /// The type whose method this is, for an unbound method.
    pub unbound: Option<B>,
}

impl HostObject for PyMethod {
    fn type_name(&self) -> &'static str {
        if self.unbound.is_some() {
            "method_descriptor"
        } else {
            "builtin_function_or_method"
        }
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        visit(self.obj);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `sys.stdin`, `sys.stdout` or `sys.stderr`.
pub struct PyStream {
    /// 0 for stdin, 1 for stdout, 2 for stderr.
    pub fd: u8,
}

impl HostObject for PyStream {
    fn type_name(&self) -> &'static str {
        "_io.TextIOWrapper"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An exception instance (`ValueError("bad")`): its class and constructor arguments.
pub struct PyExc {
    /// The exception class.
    pub ty: B,
    /// The constructor arguments.
    pub args: Box<[Value]>,
}

impl HostObject for PyExc {
    fn type_name(&self) -> &'static str {
        self.ty.name()
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        self.args.iter().for_each(|&v| visit(v));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Which part of a dict a view or iterator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictPart {
    /// The keys.
    Keys,
    /// The values.
    Values,
    /// `(key, value)` tuples.
    Items,
}

/// `d.keys()`, `d.values()`, `d.items()`: live views of a dict.
pub struct PyDictView {
    /// The dict.
    pub dict: Value,
    /// What it shows.
    pub part: DictPart,
}

impl HostObject for PyDictView {
    fn type_name(&self) -> &'static str {
        match self.part {
            DictPart::Keys => "dict_keys",
            DictPart::Values => "dict_values",
            DictPart::Items => "dict_items",
        }
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        visit(self.dict);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The runtime's iterators (the core owns the ones over ranges, lists and tuples).
pub enum IterKind {
    /// Over the characters of a str; `pos` is a byte offset.
    Str {
        /// The string.
        s: Value,
        /// Byte offset of the next character.
        pos: Cell<usize>,
        /// True when the string is ASCII (only changes the type name).
        ascii: bool,
    },
    /// Over a dict (or one of its views); `pos` indexes the dict's entry table.
    Dict {
        /// The dict.
        dict: Value,
        /// What it yields.
        part: DictPart,
        /// Index of the next entry to look at.
        pos: Cell<usize>,
        /// The dict's size when iteration started.
        len: usize,
        /// Iterates from the last entry backwards (`reversed(d)`).
        reverse: bool,
    },
    /// `enumerate(it, start)`.
    Enumerate {
        /// The underlying iterator.
        it: Value,
        /// The next count (an int value).
        count: Cell<Value>,
    },
    /// `zip(*its)`.
    Zip {
        /// The underlying iterators.
        its: Box<[Value]>,
    },
    /// `map(f, *its)`.
    Map {
        /// The function.
        f: Value,
        /// The underlying iterators.
        its: Box<[Value]>,
    },
    /// `filter(f, it)` (`f` None keeps truthy items).
    Filter {
        /// The predicate, or None.
        f: Value,
        /// The underlying iterator.
        it: Value,
    },
    /// Over a set: `pos` indexes its slot table.
    Set {
        /// The set.
        set: Value,
        /// Index of the next slot to look at.
        pos: Cell<usize>,
        /// The set's size when iteration started.
        len: usize,
    },
    /// `reversed(seq)` of a list, tuple or str: `next` is one past the next index.
    Reversed {
        /// The sequence.
        seq: Value,
        /// One past the index of the next item (0 when exhausted).
        next: Cell<usize>,
        /// True for a list (type name `list_reverseiterator`).
        list: bool,
    },
    /// Over a range past `i64` (see `range.rs`).
    LongRange {
        /// The next value.
        next: RefCell<BigInt>,
        /// The step.
        step: BigInt,
        /// How many values are left.
        left: RefCell<BigInt>,
    },
}

/// One of the runtime's iterators.
pub struct PyIter(pub IterKind);

impl HostObject for PyIter {
    fn type_name(&self) -> &'static str {
        match &self.0 {
            IterKind::Str { ascii: true, .. } => "str_ascii_iterator",
            IterKind::Str { .. } => "str_iterator",
            IterKind::Dict { reverse: true, .. } => "dict_reversekeyiterator",
            IterKind::Dict { part, .. } => match part {
                DictPart::Keys => "dict_keyiterator",
                DictPart::Values => "dict_valueiterator",
                DictPart::Items => "dict_itemiterator",
            },
            IterKind::Enumerate { .. } => "enumerate",
            IterKind::Set { .. } => "set_iterator",
            IterKind::Zip { .. } => "zip",
            IterKind::Map { .. } => "map",
            IterKind::Filter { .. } => "filter",
            IterKind::Reversed { list: true, .. } => "list_reverseiterator",
            IterKind::Reversed { .. } => "reversed",
            IterKind::LongRange { .. } => "longrange_iterator",
        }
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        match &self.0 {
            IterKind::Str { s, .. } => visit(*s),
            IterKind::Dict { dict, .. } => visit(*dict),
            IterKind::Set { set, .. } => visit(*set),
            IterKind::Enumerate { it, count } => {
                visit(*it);
                visit(count.get());
            }
            IterKind::Zip { its } => its.iter().for_each(|&v| visit(v)),
            IterKind::Map { f, its } => {
                visit(*f);
                its.iter().for_each(|&v| visit(v));
            }
            IterKind::Filter { f, it } => {
                visit(*f);
                visit(*it);
            }
            IterKind::Reversed { seq, .. } => visit(*seq),
            IterKind::LongRange { .. } => {}
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Allocates a host object.
pub fn host<T: HostObject>(heap: &mut Heap, obj: T) -> Value {
    heap.alloc(Obj::Host(Box::new(obj)))
}

/// The int `v` holds (bools count as 0 and 1), if it is one.
#[inline]
pub fn as_int(heap: &Heap, v: Value) -> Option<IntRef<'_>> {
    if let Some(i) = v.as_small_int() {
        return Some(IntRef::Small(i));
    }
    if let Some(b) = v.as_bool() {
        return Some(IntRef::Small(i64::from(b)));
    }
    match heap.get(v)? {
        Obj::Int(i) => Some(IntRef::Small(*i)),
        Obj::Host(h) => h
            .as_any()
            .downcast_ref::<PyLong>()
            .map(|l| IntRef::Big(&l.0)),
        _ => None,
    }
}

/// A number as an owned big int.
pub fn to_big(i: IntRef<'_>) -> BigInt {
    match i {
        IntRef::Small(x) => BigInt::from(x),
        IntRef::Big(b) => b.clone(),
    }
}

/// The int value of `b`, normalized: a core int when it fits in an `i64`.
pub fn int_value(heap: &mut Heap, b: BigInt) -> Value {
    match b.to_i64() {
        Some(i) => heap.int(i),
        None => host(heap, PyLong(b)),
    }
}

/// The int value of an `i128`.
pub fn int_from_i128(heap: &mut Heap, i: i128) -> Value {
    match i64::try_from(i) {
        Ok(x) => heap.int(x),
        Err(_) => host(heap, PyLong(BigInt::from(i))),
    }
}

/// The dict, if `v` is one.
pub fn as_dict(heap: &Heap, v: Value) -> Option<&PyDict> {
    heap.as_host::<PyDict>(v)
}

/// The string, if `v` is one.
pub fn as_str(heap: &Heap, v: Value) -> Option<&str> {
    heap.as_str(v)
}

/// The list or tuple items (copied), if `v` is one.
pub fn seq_items(heap: &Heap, v: Value) -> Option<Vec<Value>> {
    match heap.get(v)? {
        Obj::Array(a) => Some(a.to_vec()),
        Obj::Tuple(t) => Some(t.to_vec()),
        _ => None,
    }
}

/// The type of `v`, as its builtin type object.
pub fn type_of(heap: &Heap, v: Value) -> B {
    if v.is_float() {
        return B::Float;
    }
    if v.is_small_int() {
        return B::Int;
    }
    if v.is_bool() {
        return B::Bool;
    }
    if v.is_nil() || v.is_empty() {
        return B::NoneType;
    }
    match heap.get(v) {
        Some(Obj::Str(_)) => B::Str,
        Some(Obj::Array(_)) => B::List,
        Some(Obj::Tuple(_)) => B::Tuple,
        Some(Obj::Int(_)) => B::Int,
        Some(Obj::Function(_)) => B::Function,
        Some(Obj::Native(n)) => match B::from_id(n.id) {
            Some(b) if b.is_type() => B::Type,
            _ => B::BuiltinFunction,
        },
        Some(Obj::Cell(_)) => B::Cell,
        Some(Obj::RangeIter(_)) => B::RangeIterator,
        Some(Obj::Slice(_)) => B::Slice,
        Some(Obj::SeqIter(it)) => match heap.get(it.seq) {
            Some(Obj::Tuple(_)) => B::TupleIterator,
            _ => B::ListIterator,
        },
        Some(Obj::Host(h)) => host_type(h.as_ref()),
        None => B::Object,
    }
}

fn host_type(h: &dyn HostObject) -> B {
    let any = h.as_any();
    if any.is::<PyLong>() {
        B::Int
    } else if any.is::<PyDict>() {
        B::Dict
    } else if any.is::<PyRange>() || any.is::<super::range::PyLongRange>() {
        B::Range
    } else if any.is::<PyModule>() {
        B::Module
    } else if let Some(s) = any.downcast_ref::<super::set::PySet>() {
        if s.frozen {
            B::Frozenset
        } else {
            B::Set
        }
    } else if any.is::<PyStream>() {
        B::TextIOWrapper
    } else if let Some(e) = any.downcast_ref::<PyExc>() {
        e.ty
    } else if let Some(m) = any.downcast_ref::<PyMethod>() {
        if m.unbound.is_some() {
            B::MethodDescriptor
        } else {
            B::BuiltinFunction
        }
    } else if let Some(v) = any.downcast_ref::<PyDictView>() {
        match v.part {
            DictPart::Keys => B::DictKeys,
            DictPart::Values => B::DictValues,
            DictPart::Items => B::DictItems,
        }
    } else if let Some(it) = any.downcast_ref::<PyIter>() {
        match &it.0 {
            IterKind::Str { ascii: true, .. } => B::StrAsciiIterator,
            IterKind::Str { .. } => B::StrIterator,
            IterKind::Dict { reverse: true, .. } => B::DictReverseKeyIterator,
            IterKind::Dict { part, .. } => match part {
                DictPart::Keys => B::DictKeyIterator,
                DictPart::Values => B::DictValueIterator,
                DictPart::Items => B::DictItemIterator,
            },
            IterKind::Enumerate { .. } => B::Enumerate,
            IterKind::Set { .. } => B::SetIterator,
            IterKind::Zip { .. } => B::Zip,
            IterKind::Map { .. } => B::Map,
            IterKind::Filter { .. } => B::Filter,
            IterKind::Reversed { list: true, .. } => B::ListReverseIterator,
            IterKind::Reversed { .. } => B::Reversed,
            IterKind::LongRange { .. } => B::LongRangeIterator,
        }
    } else {
        B::Object
    }
}

/// `type(v).__name__`.
pub fn type_name(heap: &Heap, v: Value) -> &'static str {
    type_of(heap, v).name()
}

/// The builtin type object `v` is, if it is one.
pub fn as_type(heap: &Heap, v: Value) -> Option<B> {
    match heap.get(v) {
        Some(Obj::Native(n)) => B::from_id(n.id).filter(|b| b.is_type()),
        _ => None,
    }
}

/// An int argument that must fit in an `i64` (`range(...)` bounds, `chr`, repeat counts):
/// `OverflowError` for big ints, `TypeError` for non-ints.
pub fn small_index(heap: &Heap, v: Value) -> Result<i64, Exception> {
    match as_int(heap, v) {
        Some(IntRef::Small(i)) => Ok(i),
        Some(IntRef::Big(_)) => Err(super::errors::overflow_error(
            "Python int too large to convert to C ssize_t",
        )),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(heap, v)
        ))),
    }
}
