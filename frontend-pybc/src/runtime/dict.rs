//! Python's `dict`: a compact, insertion-ordered hash table in CPython's layout (a dense
//! entry array in insertion order plus a sparse index table probed with CPython's
//! perturbation scheme), keyed by Python hashing and equality (`1`, `1.0` and `True` are
//! the same key).

use std::any::Any;
use std::cell::RefCell;

use jit_core::heap::{Heap, HostObject};
use jit_core::semantics::Exception;
use jit_core::value::Value;

use super::compare::key_eq;
use super::errors::runtime_error;
use super::hash::hash_value;

const FREE: u32 = u32::MAX;
const DUMMY: u32 = u32::MAX - 1;
const MIN_SIZE: usize = 8;

#[derive(Clone, Copy)]
struct Entry {
    hash: i64,
    /// `Value::EMPTY` for a deleted entry.
    key: Value,
    value: Value,
}

#[derive(Default)]
struct Table {
    entries: Vec<Entry>,
    /// Power-of-two sized (or empty): `FREE`, `DUMMY`, or an index into `entries`.
    indices: Vec<u32>,
    used: usize,
}

/// Where a probe for a key ended.
enum Probe {
    /// The key is at `entries[i]`, whose index slot is `slot`.
    Found { slot: usize, entry: usize },
    /// The key is absent; a new entry would go in index slot `slot`.
    Absent { slot: usize },
}

impl Table {
    fn probe(&self, heap: &Heap, key: Value, hash: i64) -> Probe {
        let mask = self.indices.len().wrapping_sub(1);
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        let mut first_dummy = None;
        // The index table always has free slots (its load is kept below 2/3), so the walk
        // ends; the bound is a belt-and-braces guarantee.
        for _ in 0..=self.indices.len() * 8 + 64 {
            match self.indices[i] {
                FREE => {
                    return Probe::Absent {
                        slot: first_dummy.unwrap_or(i),
                    }
                }
                DUMMY => {
                    if first_dummy.is_none() {
                        first_dummy = Some(i);
                    }
                }
                ix => {
                    let e = &self.entries[ix as usize];
                    if e.hash == hash && (e.key == key || key_eq(heap, e.key, key)) {
                        return Probe::Found {
                            slot: i,
                            entry: ix as usize,
                        };
                    }
                }
            }
            perturb >>= 5;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(perturb as usize)
                .wrapping_add(1))
                & mask;
        }
        Probe::Absent {
            slot: first_dummy.unwrap_or(0),
        }
    }

    /// Rebuilds the index table for at least `need` live entries, compacting `entries`.
    fn rebuild(&mut self, need: usize) {
        let mut size = MIN_SIZE;
        while size * 2 < need * 3 + 3 {
            size *= 2;
        }
        self.entries.retain(|e| !e.key.is_empty());
        self.indices.clear();
        self.indices.resize(size, FREE);
        let mask = size - 1;
        for (ix, e) in self.entries.iter().enumerate() {
            let mut perturb = e.hash as u64;
            let mut i = (e.hash as u64 as usize) & mask;
            while self.indices[i] != FREE {
                perturb >>= 5;
                i = (i
                    .wrapping_mul(5)
                    .wrapping_add(perturb as usize)
                    .wrapping_add(1))
                    & mask;
            }
            self.indices[i] = ix as u32;
        }
    }
}

/// A Python dict.
#[derive(Default)]
pub struct PyDict {
    t: RefCell<Table>,
}

fn busy() -> Exception {
    runtime_error("dictionary changed size during iteration")
}

impl PyDict {
    /// An empty dict.
    pub fn new() -> PyDict {
        PyDict::default()
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.t.try_borrow().map_or(0, |t| t.used)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value for `key`; `TypeError` when the key is unhashable.
    pub fn get(&self, heap: &Heap, key: Value) -> Result<Option<Value>, Exception> {
        let hash = hash_value(heap, key)?;
        let t = self.t.try_borrow().map_err(|_| busy())?;
        if t.used == 0 {
            return Ok(None);
        }
        Ok(match t.probe(heap, key, hash) {
            Probe::Found { entry, .. } => Some(t.entries[entry].value),
            Probe::Absent { .. } => None,
        })
    }

    /// Sets `key` to `value` (a new key goes last; an existing one keeps its place).
    pub fn insert(&self, heap: &Heap, key: Value, value: Value) -> Result<(), Exception> {
        let hash = hash_value(heap, key)?;
        let mut t = self.t.try_borrow_mut().map_err(|_| busy())?;
        if t.indices.is_empty() {
            t.rebuild(1);
        }
        match t.probe(heap, key, hash) {
            Probe::Found { entry, .. } => t.entries[entry].value = value,
            Probe::Absent { slot } => {
                let ix = t.entries.len() as u32;
                t.indices[slot] = ix;
                t.entries.push(Entry { hash, key, value });
                t.used += 1;
                if t.entries.len() * 3 >= t.indices.len() * 2 {
                    let need = t.used;
                    t.rebuild(need);
                }
            }
        }
        Ok(())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&self, heap: &Heap, key: Value) -> Result<Option<Value>, Exception> {
        let hash = hash_value(heap, key)?;
        let mut t = self.t.try_borrow_mut().map_err(|_| busy())?;
        if t.used == 0 {
            return Ok(None);
        }
        match t.probe(heap, key, hash) {
            Probe::Found { slot, entry } => {
                t.indices[slot] = DUMMY;
                let e = &mut t.entries[entry];
                let v = e.value;
                e.key = Value::EMPTY;
                e.value = Value::NIL;
                t.used -= 1;
                if t.used == 0 {
                    *t = Table::default();
                }
                Ok(Some(v))
            }
            Probe::Absent { .. } => Ok(None),
        }
    }

    /// Removes and returns the last item (`popitem`).
    pub fn pop_last(&self, heap: &Heap) -> Option<(Value, Value)> {
        let mut t = self.t.try_borrow_mut().ok()?;
        let pos = t.entries.iter().rposition(|e| !e.key.is_empty())?;
        let e = t.entries[pos];
        let Probe::Found { slot, .. } = t.probe(heap, e.key, e.hash) else {
            return None;
        };
        t.indices[slot] = DUMMY;
        t.entries.truncate(pos);
        t.used -= 1;
        if t.used == 0 {
            *t = Table::default();
        }
        Some((e.key, e.value))
    }

    /// Removes every item.
    pub fn clear(&self) {
        if let Ok(mut t) = self.t.try_borrow_mut() {
            *t = Table::default();
        }
    }

    /// The number of entry slots (live or deleted): iteration positions run below it.
    pub fn slots(&self) -> usize {
        self.t.try_borrow().map_or(0, |t| t.entries.len())
    }

    /// The live item at entry slot `i`.
    pub fn entry(&self, i: usize) -> Option<(Value, Value)> {
        let t = self.t.try_borrow().ok()?;
        let e = t.entries.get(i)?;
        (!e.key.is_empty()).then_some((e.key, e.value))
    }

    /// A snapshot of the items in order.
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.t.try_borrow().map_or_else(
            |_| Vec::new(),
            |t| {
                t.entries
                    .iter()
                    .filter(|e| !e.key.is_empty())
                    .map(|e| (e.key, e.value))
                    .collect()
            },
        )
    }

    /// A snapshot of the keys in order.
    pub fn keys(&self) -> Vec<Value> {
        self.items().into_iter().map(|(k, _)| k).collect()
    }
}

impl HostObject for PyDict {
    fn type_name(&self) -> &'static str {
        "dict"
    }
    fn index_get(&self, heap: &Heap, key: Value) -> Option<Value> {
        self.get(heap, key).ok().flatten()
    }
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        if let Ok(t) = self.t.try_borrow() {
            for e in &t.entries {
                visit(e.key);
                visit(e.value);
            }
        }
    }
    fn heap_size(&self) -> usize {
        self.t.try_borrow().map_or(0, |t| {
            t.entries.capacity() * std::mem::size_of::<Entry>() + t.indices.capacity() * 4
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
