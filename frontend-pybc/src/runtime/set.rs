//! Python's `set` and `frozenset`, laid out exactly as CPython's `setobject.c` lays them
//! out (open addressing with linear probes then perturbation, the same resize points and
//! the same merge paths), so iteration and printing order match CPython for every key
//! whose hash is deterministic (ints, floats, tuples of them).

use std::any::Any;
use std::cell::RefCell;

use jit_core::heap::{Heap, HostObject};
use jit_core::interp::VmCore;
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::compare::key_eq;
use super::dict::PyDict;
use super::errors::{exc, runtime_error, type_error};
use super::hash::hash_value;
use super::objects::{host, type_name};
use super::{Kw, PySemantics};

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// One slot: unused (`key` EMPTY, `hash` 0), dummy (`key` EMPTY, `hash` -1) or active.
#[derive(Clone, Copy)]
struct Slot {
    hash: i64,
    key: Value,
}

const UNUSED: Slot = Slot {
    hash: 0,
    key: Value::EMPTY,
};

impl Slot {
    fn active(&self) -> bool {
        !self.key.is_empty()
    }
}

struct Table {
    slots: Vec<Slot>,
    fill: usize,
    used: usize,
    finger: usize,
}

impl Default for Table {
    fn default() -> Table {
        Table {
            slots: spare::take(MIN_SIZE),
            fill: 0,
            used: 0,
            finger: 0,
        }
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        spare::give(std::mem::take(&mut self.slots));
    }
}

/// Slot arrays of dead sets, by size, for the next sets: set-heavy code (a search making a
/// new frozenset per step) otherwise spends a malloc and a free per table, where CPython's
/// sets keep a small table inline. The sizes are powers of two from [`MIN_SIZE`]; up to
/// 1 MiB of arrays of each of the five smallest sizes is kept (dead sets come back at a
/// collection, in bulk, so the next cycle's new sets can take them).
mod spare {
    use super::{Slot, MIN_SIZE, UNUSED};
    use std::cell::RefCell;

    const CLASSES: usize = 5;
    const BYTES_PER_CLASS: usize = 1 << 20;

    thread_local! {
        static SPARE: RefCell<[Vec<Vec<Slot>>; CLASSES]> = RefCell::new(Default::default());
    }

    fn class(size: usize) -> Option<usize> {
        let c = (size / MIN_SIZE).trailing_zeros() as usize;
        (size.is_power_of_two() && size >= MIN_SIZE && c < CLASSES).then_some(c)
    }

    /// `size` unused slots.
    pub(super) fn take(size: usize) -> Vec<Slot> {
        let reused = class(size).and_then(|c| {
            SPARE
                .try_with(|s| s.try_borrow_mut().ok()?[c].pop())
                .ok()
                .flatten()
        });
        match reused {
            Some(mut v) => {
                v.fill(UNUSED);
                v
            }
            None => vec![UNUSED; size],
        }
    }

    /// Keeps `v` for reuse if its size is one of the small ones and there is room.
    pub(super) fn give(v: Vec<Slot>) {
        if let Some(c) = class(v.len()) {
            let _ = SPARE.try_with(|s| {
                if let Ok(mut s) = s.try_borrow_mut() {
                    let depth = BYTES_PER_CLASS / (v.len() * std::mem::size_of::<Slot>());
                    if s[c].len() < depth {
                        s[c].push(v);
                    }
                }
            });
        }
    }
}

fn insert_clean(slots: &mut [Slot], key: Value, hash: i64) {
    let mask = slots.len() - 1;
    let mut perturb = hash as u64;
    let mut i = hash as u64 as usize & mask;
    loop {
        if !slots[i].active() {
            slots[i] = Slot { hash, key };
            return;
        }
        if i + LINEAR_PROBES <= mask {
            for j in 1..=LINEAR_PROBES {
                if !slots[i + j].active() {
                    slots[i + j] = Slot { hash, key };
                    return;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
    }
}

impl Table {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot holding `key`, or `None`.
    fn lookup(&self, heap: &Heap, key: Value, hash: i64) -> Option<usize> {
        let mask = self.mask();
        let mut perturb = hash as u64;
        let mut i = hash as u64 as usize & mask;
        // The table always has unused slots, so the walk ends; the bound is a safeguard.
        for _ in 0..self.slots.len() * 4 + 64 {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                let e = self.slots[j];
                if e.hash == 0 && e.key.is_empty() {
                    return None;
                }
                if e.hash == hash && e.active() && (e.key == key || key_eq(heap, e.key, key)) {
                    return Some(j);
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
        None
    }

    fn add(&mut self, heap: &Heap, key: Value, hash: i64) {
        let mask = self.mask();
        let mut perturb = hash as u64;
        let mut i = hash as u64 as usize & mask;
        let mut free: Option<usize> = None;
        let target = 'search: loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                let e = self.slots[j];
                if e.hash == 0 && e.key.is_empty() {
                    break 'search j;
                }
                if e.hash == hash && e.active() && (e.key == key || key_eq(heap, e.key, key)) {
                    return;
                }
                if e.hash == -1 && e.key.is_empty() && free.is_none() {
                    free = Some(j);
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        };
        self.used += 1;
        if let Some(f) = free {
            self.slots[f] = Slot { hash, key };
            return;
        }
        self.fill += 1;
        self.slots[target] = Slot { hash, key };
        if self.fill * 5 >= mask * 3 {
            let n = if self.used > 50000 {
                self.used * 2
            } else {
                self.used * 4
            };
            self.resize(n);
        }
    }

    fn resize(&mut self, minused: usize) {
        let mut size = MIN_SIZE;
        while size <= minused {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, spare::take(size));
        self.fill = self.used;
        for e in &old {
            if e.active() {
                insert_clean(&mut self.slots, e.key, e.hash);
            }
        }
        spare::give(old);
    }

    fn discard(&mut self, heap: &Heap, key: Value, hash: i64) -> bool {
        match self.lookup(heap, key, hash) {
            Some(j) => {
                self.slots[j] = Slot {
                    hash: -1,
                    key: Value::EMPTY,
                };
                self.used -= 1;
                true
            }
            None => false,
        }
    }

    fn entries(&self) -> Vec<(Value, i64)> {
        self.slots
            .iter()
            .filter(|e| e.active())
            .map(|e| (e.key, e.hash))
            .collect()
    }

    /// CPython's `set_merge` of another set's table.
    fn merge(&mut self, heap: &Heap, other: &Table) {
        if other.used == 0 {
            return;
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            for (s, o) in self.slots.iter_mut().zip(&other.slots) {
                if o.active() {
                    *s = *o;
                }
            }
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for o in &other.slots {
                if o.active() {
                    insert_clean(&mut self.slots, o.key, o.hash);
                }
            }
            return;
        }
        for o in &other.slots {
            if o.active() {
                self.add(heap, o.key, o.hash);
            }
        }
    }

    /// CPython's `frozenset.__hash__`.
    fn frozen_hash(&self) -> i64 {
        let shuffle = |h: u64| ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167);
        let mut hash: u64 = 0;
        for e in &self.slots {
            hash ^= shuffle(e.hash as u64);
        }
        if (self.slots.len() - self.fill) & 1 == 1 {
            hash ^= shuffle(0);
        }
        if (self.fill - self.used) & 1 == 1 {
            hash ^= shuffle(u64::MAX);
        }
        hash ^= (self.used as u64 + 1).wrapping_mul(1_927_868_237);
        hash ^= (hash >> 11) ^ (hash >> 25);
        hash = hash.wrapping_mul(69069).wrapping_add(907_133_923);
        if hash == u64::MAX {
            590_923_713
        } else {
            hash as i64
        }
    }
}

/// A `set` (or a `frozenset` when `frozen`).
#[derive(Default)]
pub struct PySet {
    t: RefCell<Table>,
    /// True for a frozenset.
    pub frozen: bool,
}

fn busy() -> Exception {
    runtime_error("Set changed size during iteration")
}

impl PySet {
    /// An empty set.
    pub fn new(frozen: bool) -> PySet {
        PySet {
            t: RefCell::new(Table::default()),
            frozen,
        }
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.t.try_borrow().map_or(0, |t| t.used)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `key`.
    pub fn add(&self, heap: &Heap, key: Value) -> Result<(), Exception> {
        let hash = hash_value(heap, key)?;
        self.add_hashed(heap, key, hash)
    }

    fn add_hashed(&self, heap: &Heap, key: Value, hash: i64) -> Result<(), Exception> {
        self.t
            .try_borrow_mut()
            .map_err(|_| busy())?
            .add(heap, key, hash);
        Ok(())
    }

    /// True when `key` is in the set.
    pub fn contains(&self, heap: &Heap, key: Value) -> Result<bool, Exception> {
        let hash = hash_value(heap, key)?;
        Ok(self.contains_hashed(heap, key, hash))
    }

    fn contains_hashed(&self, heap: &Heap, key: Value, hash: i64) -> bool {
        self.t
            .try_borrow()
            .is_ok_and(|t| t.lookup(heap, key, hash).is_some())
    }

    /// Removes `key`; false when absent.
    pub fn discard(&self, heap: &Heap, key: Value) -> Result<bool, Exception> {
        let hash = hash_value(heap, key)?;
        Ok(self.discard_hashed(heap, key, hash))
    }

    fn discard_hashed(&self, heap: &Heap, key: Value, hash: i64) -> bool {
        self.t
            .try_borrow_mut()
            .is_ok_and(|mut t| t.discard(heap, key, hash))
    }

    /// The items with their hashes, in table (iteration) order.
    fn entries(&self) -> Vec<(Value, i64)> {
        self.t
            .try_borrow()
            .map_or_else(|_| Vec::new(), |t| t.entries())
    }

    /// The items in iteration order.
    pub fn items(&self) -> Vec<Value> {
        self.t.try_borrow().map_or_else(
            |_| Vec::new(),
            |t| {
                let mut out = Vec::with_capacity(t.used);
                out.extend(t.slots.iter().filter(|e| e.active()).map(|e| e.key));
                out
            },
        )
    }

    /// The number of slots (iteration positions run below it).
    pub fn slots(&self) -> usize {
        self.t.try_borrow().map_or(0, |t| t.slots.len())
    }

    /// The item in slot `i`, if active.
    pub fn slot(&self, i: usize) -> Option<Value> {
        let t = self.t.try_borrow().ok()?;
        t.slots.get(i).filter(|e| e.active()).map(|e| e.key)
    }

    /// Merges another set into this one (`set_update` from a set).
    fn merge(&self, heap: &Heap, other: &PySet) -> Result<(), Exception> {
        if std::ptr::eq(self, other) {
            return Ok(());
        }
        let o = other.t.try_borrow().map_err(|_| busy())?;
        self.t.try_borrow_mut().map_err(|_| busy())?.merge(heap, &o);
        Ok(())
    }

    /// Adds a dict's keys (CPython's dict path of `set_update_internal`).
    fn merge_dict(&self, heap: &Heap, d: &PyDict) -> Result<(), Exception> {
        let keys = d.keys();
        {
            let mut t = self.t.try_borrow_mut().map_err(|_| busy())?;
            if (t.fill + keys.len()) * 5 >= t.mask() * 3 {
                let n = (t.used + keys.len()) * 2;
                t.resize(n);
            }
        }
        for k in keys {
            self.add(heap, k)?;
        }
        Ok(())
    }

    /// `pop()`: removes an arbitrary item as CPython chooses it.
    pub fn pop(&self) -> Option<Value> {
        let mut t = self.t.try_borrow_mut().ok()?;
        if t.used == 0 {
            return None;
        }
        let n = t.slots.len();
        let mut i = t.finger & (n - 1);
        while !t.slots[i].active() {
            i = (i + 1) % n;
        }
        let key = t.slots[i].key;
        t.slots[i] = Slot {
            hash: -1,
            key: Value::EMPTY,
        };
        t.used -= 1;
        t.finger = i + 1;
        Some(key)
    }

    /// Removes everything.
    pub fn clear(&self) {
        if let Ok(mut t) = self.t.try_borrow_mut() {
            *t = Table::default();
        }
    }

    /// Removes dummies if more than a quarter of the table is dummies.
    fn compact(&self) {
        if let Ok(mut t) = self.t.try_borrow_mut() {
            if t.fill - t.used > t.mask() / 4 {
                let n = if t.used > 50000 {
                    t.used * 2
                } else {
                    t.used * 4
                };
                t.resize(n);
            }
        }
    }

    /// The frozenset hash.
    pub fn frozen_hash(&self) -> i64 {
        self.t.try_borrow().map_or(0, |t| t.frozen_hash())
    }

    /// True when every item of `self` is in `other`.
    pub fn is_subset(&self, heap: &Heap, other: &PySet) -> bool {
        if self.len() > other.len() {
            return false;
        }
        let (Ok(t), Ok(o)) = (self.t.try_borrow(), other.t.try_borrow()) else {
            return true;
        };
        t.slots
            .iter()
            .filter(|e| e.active())
            .all(|e| o.lookup(heap, e.key, e.hash).is_some())
    }

    /// A new set of this one's items that are (`inside`) or are not in `other`, added in
    /// this one's table order as CPython's `set_intersection` and `set_difference` add
    /// them, so the result's table (and iteration order) is CPython's. Both tables are
    /// borrowed once for the whole walk.
    fn filtered(
        &self,
        heap: &Heap,
        other: &PySet,
        inside: bool,
        frozen: bool,
    ) -> Result<PySet, Exception> {
        let t = self.t.try_borrow().map_err(|_| busy())?;
        let o = other.t.try_borrow().map_err(|_| busy())?;
        let mut out = Table::default();
        for e in t.slots.iter().filter(|e| e.active()) {
            if o.lookup(heap, e.key, e.hash).is_some() == inside {
                out.add(heap, e.key, e.hash);
            }
        }
        Ok(PySet {
            t: RefCell::new(out),
            frozen,
        })
    }
}

impl HostObject for PySet {
    fn type_name(&self) -> &'static str {
        if self.frozen {
            "frozenset"
        } else {
            "set"
        }
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        if let Ok(t) = self.t.try_borrow() {
            t.slots.iter().for_each(|e| visit(e.key));
        }
    }
    fn heap_size(&self) -> usize {
        self.slots() * std::mem::size_of::<Slot>()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The set, if `v` is a set or frozenset.
pub fn as_set(heap: &Heap, v: Value) -> Option<&PySet> {
    heap.as_host::<PySet>(v)
}

/// A new set (or frozenset) holding `items`.
pub fn new_set(heap: &mut Heap, items: &[Value], frozen: bool) -> Result<Value, Exception> {
    let s = PySet::new(frozen);
    for &x in items {
        s.add(heap, x)?;
    }
    Ok(host(heap, s))
}

/// A copy of set `v` (CPython's `set_copy`: a merge into an empty set).
fn copy_of(heap: &mut Heap, v: Value, frozen: bool) -> Result<Value, Exception> {
    let s = PySet::new(frozen);
    if let Some(src) = as_set(heap, v) {
        s.merge(heap, src)?;
    }
    Ok(host(heap, s))
}

/// The binary operators on sets: `|`, `&`, `-`, `^`; `None` when not both are sets.
pub fn set_binary(
    heap: &mut Heap,
    op: jit_core::bytecode::BinOp,
    a: Value,
    b: Value,
) -> Option<Result<Value, Exception>> {
    use jit_core::bytecode::BinOp;
    let frozen = as_set(heap, a)?.frozen;
    as_set(heap, b)?;
    Some(match op {
        BinOp::BitOr => union(heap, a, &[b], frozen),
        BinOp::BitAnd => intersection(heap, a, b, frozen),
        BinOp::Sub => difference(heap, a, b, frozen),
        BinOp::BitXor => symmetric_difference(heap, a, b, frozen),
        _ => return None,
    })
}

fn union(heap: &mut Heap, a: Value, others: &[Value], frozen: bool) -> Result<Value, Exception> {
    let r = copy_of(heap, a, frozen)?;
    for &o in others {
        update_from(heap, r, o)?;
    }
    Ok(r)
}

/// `set_update_internal` for a set or dict source; other iterables are the caller's.
fn update_from(heap: &Heap, target: Value, src: Value) -> Result<bool, Exception> {
    let Some(t) = as_set(heap, target) else {
        return Ok(false);
    };
    if let Some(o) = as_set(heap, src) {
        t.merge(heap, o)?;
        return Ok(true);
    }
    if let Some(d) = super::objects::as_dict(heap, src) {
        t.merge_dict(heap, d)?;
        return Ok(true);
    }
    Ok(false)
}

fn intersection(heap: &mut Heap, a: Value, b: Value, frozen: bool) -> Result<Value, Exception> {
    if a == b {
        return copy_of(heap, a, frozen);
    }
    let r = match (as_set(heap, a), as_set(heap, b)) {
        (Some(x), Some(y)) => {
            let (big, small) = if y.len() > x.len() { (y, x) } else { (x, y) };
            small.filtered(heap, big, true, frozen)?
        }
        _ => PySet::new(frozen),
    };
    Ok(host(heap, r))
}

fn difference(heap: &mut Heap, a: Value, b: Value, frozen: bool) -> Result<Value, Exception> {
    let (Some(x), Some(y)) = (as_set(heap, a), as_set(heap, b)) else {
        return copy_of(heap, a, frozen);
    };
    if x.len() >> 2 > y.len() {
        let r = copy_of(heap, a, frozen)?;
        difference_update(heap, r, b)?;
        return Ok(r);
    }
    let r = x.filtered(heap, y, false, frozen)?;
    Ok(host(heap, r))
}

fn difference_update(heap: &Heap, target: Value, other: Value) -> Result<(), Exception> {
    let Some(t) = as_set(heap, target) else {
        return Ok(());
    };
    if target == other {
        t.clear();
        return Ok(());
    }
    if let Some(o) = as_set(heap, other) {
        for (k, h) in o.entries() {
            t.discard_hashed(heap, k, h);
        }
    }
    t.compact();
    Ok(())
}

fn symmetric_difference(
    heap: &mut Heap,
    a: Value,
    b: Value,
    frozen: bool,
) -> Result<Value, Exception> {
    let r = copy_of(heap, b, frozen)?;
    symmetric_update(heap, r, a)?;
    Ok(r)
}

fn symmetric_update(heap: &Heap, target: Value, other: Value) -> Result<(), Exception> {
    let (Some(t), Some(o)) = (as_set(heap, target), as_set(heap, other)) else {
        return Ok(());
    };
    if target == other {
        t.clear();
        return Ok(());
    }
    for (k, h) in o.entries() {
        if !t.discard_hashed(heap, k, h) {
            t.add_hashed(heap, k, h)?;
        }
    }
    Ok(())
}

const SET_METHODS: &[&str] = &[
    "add",
    "remove",
    "discard",
    "pop",
    "clear",
    "copy",
    "update",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "isdisjoint",
    "intersection_update",
    "difference_update",
    "symmetric_difference_update",
];

const FROZENSET_METHODS: &[&str] = &[
    "copy",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "isdisjoint",
];

/// The method names of `set` (or `frozenset`).
pub fn set_methods(frozen: bool) -> &'static [&'static str] {
    if frozen {
        FROZENSET_METHODS
    } else {
        SET_METHODS
    }
}

impl PySemantics {
    /// `set(...)` / `frozenset(...)` / `BUILD_SET` from the items of `iterable`.
    pub fn set_from(
        &mut self,
        vm: &mut VmCore,
        iterable: Option<Value>,
        frozen: bool,
    ) -> Result<Value, Exception> {
        let s = host(vm.heap_mut(), PySet::new(frozen));
        if let Some(src) = iterable {
            if frozen && as_set(vm.heap(), src).is_some_and(|x| x.frozen) {
                return Ok(src);
            }
            self.set_update(vm, s, src)?;
        }
        Ok(s)
    }

    /// A new set holding `items` (`BUILD_SET`).
    pub fn build_set(&mut self, heap: &mut Heap, items: &[Value]) -> Result<Value, Exception> {
        new_set(heap, items, false)
    }

    /// `s.add(x)` (`SET_ADD`).
    pub fn set_add(&mut self, heap: &mut Heap, set: Value, x: Value) -> Result<(), Exception> {
        match as_set(heap, set) {
            Some(s) => s.add(heap, x),
            None => Err(runtime_error("internal error: SET_ADD target is not a set")),
        }
    }

    /// Adds the items of any iterable to `set` (`SET_UPDATE`, `s.update(it)`).
    pub fn set_update(&mut self, vm: &mut VmCore, set: Value, src: Value) -> Result<(), Exception> {
        if update_from(vm.heap(), set, src)? {
            return Ok(());
        }
        let base = vm.roots().len();
        vm.roots_mut().push(set);
        let items = self.collect(vm, src);
        vm.roots_mut().truncate(base);
        let items = items?;
        let heap = vm.heap();
        if let Some(s) = as_set(heap, set) {
            for x in items {
                s.add(heap, x)?;
            }
        }
        Ok(())
    }

    /// Materializes a method argument as a set value (sets pass through).
    fn as_set_arg(&mut self, vm: &mut VmCore, v: Value) -> Result<Value, Exception> {
        if as_set(vm.heap(), v).is_some() {
            return Ok(v);
        }
        self.set_from(vm, Some(v), false)
    }

    /// `s.name(*args)` for a set or frozenset `sv`.
    pub fn set_method(
        &mut self,
        vm: &mut VmCore,
        sv: Value,
        name: &str,
        args: &[Value],
        kw: Kw,
    ) -> Result<Value, Exception> {
        let frozen = as_set(vm.heap(), sv).is_some_and(|s| s.frozen);
        let tname = if frozen { "frozenset" } else { "set" };
        if !kw.is_empty() {
            return Err(type_error(format!(
                "{tname}.{name}() takes no keyword arguments"
            )));
        }
        if !set_methods(frozen).contains(&name) {
            return Err(super::methods::no_attr(vm.heap(), sv, name));
        }
        let one = |args: &[Value]| -> Result<Value, Exception> {
            if args.len() == 1 {
                Ok(args[0])
            } else {
                Err(type_error(format!(
                    "{tname}.{name}() takes exactly one argument ({} given)",
                    args.len()
                )))
            }
        };
        let none = |args: &[Value]| -> Result<(), Exception> {
            if args.is_empty() {
                Ok(())
            } else {
                Err(type_error(format!(
                    "{tname}.{name}() takes no arguments ({} given)",
                    args.len()
                )))
            }
        };
        match name {
            "add" => {
                let x = one(args)?;
                self.set_add(vm.heap_mut(), sv, x)?;
                Ok(Value::NIL)
            }
            "remove" | "discard" => {
                let x = one(args)?;
                let heap = vm.heap();
                let found = match as_set(heap, sv) {
                    Some(s) => s.discard(heap, x)?,
                    None => false,
                };
                if !found && name == "remove" {
                    return Err(exc("KeyError", self.repr(heap, x)?));
                }
                Ok(Value::NIL)
            }
            "pop" => {
                none(args)?;
                as_set(vm.heap(), sv)
                    .and_then(PySet::pop)
                    .ok_or_else(|| exc("KeyError", "'pop from an empty set'"))
            }
            "clear" => {
                none(args)?;
                if let Some(s) = as_set(vm.heap(), sv) {
                    s.clear();
                }
                Ok(Value::NIL)
            }
            "copy" => {
                none(args)?;
                if frozen {
                    return Ok(sv);
                }
                copy_of(vm.heap_mut(), sv, false)
            }
            "update" => {
                for &a in args {
                    self.set_update(vm, sv, a)?;
                }
                Ok(Value::NIL)
            }
            "union" => {
                let r = copy_of(vm.heap_mut(), sv, frozen)?;
                for &a in args {
                    self.set_update(vm, r, a)?;
                }
                Ok(r)
            }
            "intersection" | "difference" | "intersection_update" | "difference_update" => {
                let mut acc = sv;
                if args.is_empty() {
                    acc = copy_of(vm.heap_mut(), sv, frozen)?;
                }
                let base = vm.roots().len();
                for &a in args {
                    vm.roots_mut().push(acc);
                    let other = self.as_set_arg(vm, a);
                    let other = match other {
                        Ok(o) => o,
                        Err(e) => {
                            vm.roots_mut().truncate(base);
                            return Err(e);
                        }
                    };
                    acc = if name.starts_with("intersection") {
                        intersection(vm.heap_mut(), acc, other, frozen)?
                    } else {
                        difference(vm.heap_mut(), acc, other, frozen)?
                    };
                }
                vm.roots_mut().truncate(base);
                if name.ends_with("_update") {
                    let items = as_set(vm.heap(), acc).map(PySet::items).unwrap_or_default();
                    if let Some(s) = as_set(vm.heap(), sv) {
                        s.clear();
                        for x in items {
                            s.add(vm.heap(), x)?;
                        }
                    }
                    return Ok(Value::NIL);
                }
                Ok(acc)
            }
            "symmetric_difference" | "symmetric_difference_update" => {
                let other = one(args)?;
                let other = self.as_set_arg(vm, other)?;
                if name == "symmetric_difference" {
                    return symmetric_difference(vm.heap_mut(), sv, other, frozen);
                }
                symmetric_update(vm.heap(), sv, other)?;
                Ok(Value::NIL)
            }
            "issubset" | "issuperset" | "isdisjoint" => {
                let other = one(args)?;
                let other = self.as_set_arg(vm, other)?;
                let heap = vm.heap();
                let (Some(x), Some(y)) = (as_set(heap, sv), as_set(heap, other)) else {
                    return Ok(Value::FALSE);
                };
                Ok(Value::bool(match name {
                    "issubset" => x.is_subset(heap, y),
                    "issuperset" => y.is_subset(heap, x),
                    _ => !x
                        .entries()
                        .into_iter()
                        .any(|(k, h)| y.contains_hashed(heap, k, h)),
                }))
            }
            _ => Err(type_error(format!(
                "'{}' object has no method '{name}'",
                type_name(vm.heap(), sv)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(heap: &mut Heap, xs: &[i64]) -> Vec<i64> {
        let items: Vec<Value> = xs.iter().map(|&x| heap.int(x)).collect();
        let s = new_set(heap, &items, false).unwrap();
        as_set(heap, s)
            .unwrap()
            .items()
            .into_iter()
            .map(|v| heap.as_i64(v).unwrap())
            .collect()
    }

    // Orders printed by CPython 3.11 (`print({...})`).
    #[test]
    fn iteration_order_matches_cpython() {
        // SAFETY: the test uses this heap's values with it only, while it lives.
        let mut heap = unsafe { Heap::new() };
        assert_eq!(order(&mut heap, &[3, 1, 2]), [1, 2, 3]);
        assert_eq!(order(&mut heap, &[100, 5, 37, 8, 64]), [64, 100, 37, 5, 8]);
        // A set literal is a frozenset constant (marshalled in its own order) merged into an
        // empty set: {100, 5, 37, 8, 64} prints {64, 100, 5, 37, 8}.
        assert_eq!(order(&mut heap, &[64, 100, 37, 5, 8]), [64, 100, 5, 37, 8]);
        assert_eq!(order(&mut heap, &[-1, -2, 10, 1000]), [1000, 10, -1, -2]);
        let big: Vec<i64> = (0..20).map(|i| i * 7919 % 1000).collect();
        assert_eq!(
            order(&mut heap, &big),
            [
                0, 514, 271, 785, 919, 28, 542, 676, 433, 947, 190, 704, 838, 461, 595, 352, 866,
                109, 623, 757
            ]
        );
    }
}
