//! Heap objects and the mark-and-sweep collector.
//!
//! Objects live in [`GcBox`]es, slots of chunks of 1024 allocated from the global
//! allocator, and never move; a free list threads the free slots, so allocating and
//! freeing an object costs no call into the allocator.
//! Memory is reclaimed by a non-moving mark-and-sweep collector that runs only at
//! *safepoints*: points in the interpreter loop (backward jumps and calls) where every
//! live value is in a root (the value stack, the globals, the constants, and whatever
//! the frontend reports through [`crate::semantics::Semantics::trace_roots`]).
//! Allocation itself never collects, so Rust code between two safepoints (a builtin, a
//! slow path) may hold `Value`s in locals freely, as long as it does not call back into
//! guest code (the `unsafe` [`crate::interp::VmCore::call_value`]) meanwhile.
//!
//! *Architecture invariant:* the only function that frees objects is
//! [`Heap::collect`], and it is `unsafe` because its caller promises that every value it
//! will use afterwards was reachable from the roots it passed in. The functions that may
//! call it ([`crate::interp::Vm::run`], [`crate::interp::VmCore::call_value`]) are `unsafe`
//! with the same promise, and so is [`Heap::new`] for the other way a value can dangle
//! (outliving its heap, or meeting another one). With those, and [`Value::from_bits`]
//! being `unsafe`, every object value safe code holds points to a live object.

use alloc::boxed::Box;
use alloc::collections::TryReserveError;
use alloc::string::String;
use alloc::vec::Vec;
use core::any::Any;
use core::cell::{Cell, UnsafeCell};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::bytecode::CodeId;
use crate::value::Value;

/// An object the frontend defines (Python's big integers, dicts, ranges, ...).
pub trait HostObject: Any {
    /// The language-level type name, for error messages and dumps.
    fn type_name(&self) -> &'static str;
    /// Calls `visit` on every value this object holds, so the collector keeps them alive.
    fn trace(&self, visit: &mut dyn FnMut(Value)) {
        let _ = visit;
    }
    /// `self[key]` when the object can answer it without running guest code or raising
    /// (a dict that has the key); `None` sends the access to the frontend's slow path.
    /// Tier 1 specializes element loads on host objects through this.
    fn index_get(&self, heap: &Heap, key: Value) -> Option<Value> {
        let _ = (heap, key);
        None
    }
    /// Bytes owned outside the object itself, for the collector's accounting.
    fn heap_size(&self) -> usize {
        0
    }
    /// Upcast for downcasting to the concrete type.
    fn as_any(&self) -> &dyn Any;
}

/// A growable array of values (Tiny's array, Python's list).
///
/// Interior mutability without a borrow flag: every safe method takes `&self`, borrows the
/// vector for the duration of the call only and never calls out (no closure, no trait
/// method of the caller's), so no two borrows can overlap. The one method that lends the
/// items to a closure, [`ArrayObj::with_ref`], is `unsafe` for that reason. The type is
/// `!Sync` (through `UnsafeCell`), so no other thread can touch it.
pub struct ArrayObj {
    items: UnsafeCell<Vec<Value>>,
}

impl ArrayObj {
    /// An array owning `items`.
    pub fn new(items: Vec<Value>) -> ArrayObj {
        ArrayObj {
            items: UnsafeCell::new(items),
        }
    }

    /// Runs `f` on the vector. Private: every caller passes a closure that only works on
    /// the vector it is given and calls nothing that could reach this array.
    #[inline(always)]
    fn edit<R>(&self, f: impl FnOnce(&mut Vec<Value>) -> R) -> R {
        // SAFETY: the borrow lives for the call of `f`; every caller (in this impl) passes
        // a closure that touches nothing but the vector, and no other borrow of it exists
        // (see the type's documentation), so the exclusive borrow is unique.
        f(unsafe { &mut *self.items.get() })
    }

    /// The number of elements.
    #[inline(always)]
    pub fn len(&self) -> usize {
        // SAFETY: the borrow ends within this expression and nothing else can hold one
        // (see the type's documentation).
        unsafe { (&*self.items.get()).len() }
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `i`, if in bounds.
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<Value> {
        // SAFETY: a short shared borrow that ends before returning (see the type's docs).
        unsafe { (&*self.items.get()).get(i).copied() }
    }

    /// Stores `v` at `i`; false when out of bounds.
    #[inline(always)]
    pub fn set(&self, i: usize, v: Value) -> bool {
        // SAFETY: a short exclusive borrow that ends before returning; no other borrow
        // of this vector exists (see the type's docs).
        let items = unsafe { &mut *self.items.get() };
        match items.get_mut(i) {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// Appends `v`.
    pub fn push(&self, v: Value) {
        self.edit(|items| items.push(v))
    }

    /// Removes and returns the last element.
    pub fn pop(&self) -> Option<Value> {
        self.edit(Vec::pop)
    }

    /// Appends a copy of `items`. (`items` cannot be this array's own storage: safe code
    /// never holds a slice of it.)
    #[inline]
    pub fn extend_from_slice(&self, items: &[Value]) {
        self.edit(|v| v.extend_from_slice(items))
    }

    /// Appends a copy of this array's items to `out`.
    #[inline]
    pub fn append_to(&self, out: &mut Vec<Value>) {
        // SAFETY: a short shared borrow that ends before returning; `out` is a vector of
        // the caller's, not this array's storage (which safe code cannot borrow).
        out.extend_from_slice(unsafe { &*self.items.get() })
    }

    /// Inserts `v` before index `i`; false, with nothing inserted, when `i > len`.
    pub fn insert(&self, i: usize, v: Value) -> bool {
        self.edit(|items| {
            if i > items.len() {
                return false;
            }
            items.insert(i, v);
            true
        })
    }

    /// Removes and returns the element at `i`, shifting the rest down; `None` when out of
    /// bounds.
    pub fn remove(&self, i: usize) -> Option<Value> {
        self.edit(|items| (i < items.len()).then(|| items.remove(i)))
    }

    /// Removes `count` elements starting at `start`, `step` apart (`step` at least 1: a
    /// block for 1), keeping the order of the rest. False, with nothing removed, when the
    /// last of them would be out of bounds or `step` is 0.
    pub fn remove_stepped(&self, start: usize, count: usize, step: usize) -> bool {
        if count == 0 {
            return true;
        }
        let last = (count - 1)
            .checked_mul(step)
            .and_then(|d| d.checked_add(start));
        self.edit(|items| {
            let Some(last) = last.filter(|&l| step > 0 && l < items.len()) else {
                return false;
            };
            if step == 1 {
                items.drain(start..=last);
            } else {
                let (mut idx, mut next) = (0, start);
                items.retain(|_| {
                    let gone = idx == next && idx <= last;
                    if gone {
                        next = next.saturating_add(step);
                    }
                    idx += 1;
                    !gone
                });
            }
            true
        })
    }

    /// Replaces the elements `lo..hi` with a copy of `items` (in place when the lengths
    /// agree); false, with nothing changed, when `lo > hi` or `hi > len`.
    pub fn splice(&self, lo: usize, hi: usize, items: &[Value]) -> bool {
        self.edit(|xs| {
            if lo > hi || hi > xs.len() {
                return false;
            }
            if hi - lo == items.len() {
                xs[lo..hi].copy_from_slice(items);
            } else {
                xs.splice(lo..hi, items.iter().copied());
            }
            true
        })
    }

    /// Reverses the elements in place.
    pub fn reverse(&self) {
        self.edit(|items| items.reverse())
    }

    /// Reserves room for `additional` more elements without aborting when the allocator
    /// refuses; returns the bytes the buffer grew by (for [`Heap::account`]).
    pub fn try_reserve(&self, additional: usize) -> Result<usize, TryReserveError> {
        self.edit(|items| {
            let before = items.capacity();
            items.try_reserve(additional)?;
            Ok((items.capacity() - before) * core::mem::size_of::<Value>())
        })
    }

    /// A copy of the elements, for operations that call out while iterating.
    pub fn to_vec(&self) -> Vec<Value> {
        // SAFETY: a short shared borrow that ends before returning (see the type's docs).
        unsafe { (&*self.items.get()).clone() }
    }

    /// The vector, taking the array apart.
    pub fn into_vec(self) -> Vec<Value> {
        self.items.into_inner()
    }

    /// Replaces the whole contents.
    pub fn replace(&self, items: Vec<Value>) {
        self.edit(|v| *v = items)
    }

    /// Runs `f` with shared access to the elements, without copying them.
    ///
    /// # Safety
    ///
    /// While `f` runs, nothing may change this array: `f` must not reach it through another
    /// path (a `Value` of it looked up in the heap) and call a method that changes it
    /// (`set`, `push`, `pop`, `replace`, ...). Reading it, and changing other arrays, is
    /// fine.
    #[inline(always)]
    pub unsafe fn with_ref<R>(&self, f: impl FnOnce(&[Value]) -> R) -> R {
        // SAFETY: the shared borrow lives for the call of `f`, during which the caller
        // promises that no exclusive borrow of this vector is made.
        f(unsafe { &*self.items.get() })
    }

    fn capacity_bytes(&self) -> usize {
        // SAFETY: a short shared borrow that ends before returning (see the type's docs).
        unsafe { (&*self.items.get()).capacity() * core::mem::size_of::<Value>() }
    }
}

/// A guest function: code plus what it closed over. Defaults, cells and the
/// keyword-only defaults share one slice (in that order), which keeps every heap object
/// within 32 bytes.
pub struct FunctionObj {
    /// The code it runs.
    pub code: CodeId,
    /// The number of defaults; the top bit says the last slot holds keyword-only defaults.
    n_defaults: u32,
    slots: Box<[Value]>,
}

const HAS_KWDEFAULTS: u32 = 1 << 31;

impl FunctionObj {
    /// A function running `code` with `defaults` for its trailing parameters (Python;
    /// empty for Tiny) and captured `cells` (Python closures).
    pub fn new(code: CodeId, defaults: &[Value], cells: &[Value]) -> FunctionObj {
        FunctionObj::with_kwdefaults(code, defaults, None, cells)
    }

    /// Like [`FunctionObj::new`], with a frontend value holding the defaults of
    /// keyword-only parameters (Python's `__kwdefaults__` dict).
    pub fn with_kwdefaults(
        code: CodeId,
        defaults: &[Value],
        kwdefaults: Option<Value>,
        cells: &[Value],
    ) -> FunctionObj {
        let slots: Box<[Value]> = defaults
            .iter()
            .chain(cells)
            .copied()
            .chain(kwdefaults)
            .collect();
        let flag = if kwdefaults.is_some() {
            HAS_KWDEFAULTS
        } else {
            0
        };
        FunctionObj {
            code,
            n_defaults: defaults.len() as u32 | flag,
            slots,
        }
    }

    /// Default values for the trailing parameters.
    pub fn defaults(&self) -> &[Value] {
        &self.slots[..(self.n_defaults & !HAS_KWDEFAULTS) as usize]
    }

    /// Captured cells.
    pub fn cells(&self) -> &[Value] {
        let end = self.slots.len() - usize::from(self.n_defaults & HAS_KWDEFAULTS != 0);
        &self.slots[(self.n_defaults & !HAS_KWDEFAULTS) as usize..end]
    }

    /// The keyword-only defaults value, if the function has one.
    pub fn kwdefaults(&self) -> Option<Value> {
        if self.n_defaults & HAS_KWDEFAULTS != 0 {
            self.slots.last().copied()
        } else {
            None
        }
    }
}

/// A tuple's items: up to two inline in the object, more in a separate block. Binary
/// trees of pairs are a common shape, and an inline pair saves a block per node.
pub struct TupleItems(TupleRepr);

enum TupleRepr {
    Inline(u8, [Value; 2]),
    Heap(Box<[Value]>),
}

impl TupleItems {
    /// Items owning `items`.
    pub fn new(items: Vec<Value>) -> TupleItems {
        if items.len() <= 2 {
            TupleItems::from_slice(&items)
        } else {
            TupleItems(TupleRepr::Heap(items.into_boxed_slice()))
        }
    }

    /// Items copied from `items`: no allocation for up to two.
    pub fn from_slice(items: &[Value]) -> TupleItems {
        if items.len() <= 2 {
            let mut inline = [Value::NIL; 2];
            inline[..items.len()].copy_from_slice(items);
            TupleItems(TupleRepr::Inline(items.len() as u8, inline))
        } else {
            TupleItems(TupleRepr::Heap(items.into()))
        }
    }

    /// Bytes held outside the object.
    fn heap_bytes(&self) -> usize {
        match &self.0 {
            TupleRepr::Inline(..) => 0,
            TupleRepr::Heap(b) => b.len() * core::mem::size_of::<Value>(),
        }
    }
}

impl core::ops::Deref for TupleItems {
    type Target = [Value];
    #[inline(always)]
    fn deref(&self) -> &[Value] {
        match &self.0 {
            TupleRepr::Inline(n, items) => &items[..*n as usize],
            TupleRepr::Heap(b) => b,
        }
    }
}

/// A builtin function implemented by the frontend (see
/// [`crate::semantics::Semantics::call_native`]).
pub struct NativeObj {
    /// The frontend's number for this builtin.
    pub id: u32,
    /// Its name, for printing and error messages.
    pub name: Box<str>,
    /// True when a call whose arguments are all ints and floats never runs guest code,
    /// stores no global and changes no object the program can reach: it computes its
    /// result or raises (`abs`, `float`, `math.sqrt`). Tier 2's optimizer keeps what it
    /// knows across such a call.
    pub pure_on_numbers: bool,
    /// True when such a call (arguments all ints and floats) returns a float, if it
    /// returns (`float`, `math.sqrt`): the optimizer knows the result's type.
    pub float_on_numbers: bool,
}

/// An iterator over an arithmetic progression of ints (Python's `iter(range(...))`).
pub struct RangeIter {
    /// The next value to yield.
    pub next: Cell<i64>,
    /// The end, exclusive.
    pub stop: i64,
    /// The step, never zero.
    pub step: i64,
}

impl RangeIter {
    /// True when every value it has left to yield is an inline int: the next one and the
    /// end are (the values lie between them).
    #[inline(always)]
    pub fn inline(&self) -> bool {
        crate::value::fits_small(self.next.get()) && crate::value::fits_small(self.stop)
    }

    /// True when every value it has left to yield lies in `0..len`.
    pub fn within(&self, len: i64) -> bool {
        let n = self.next.get();
        if self.step > 0 {
            // n, n + step, ... below `stop`.
            n >= self.stop || (n >= 0 && self.stop <= len)
        } else {
            // n, n + step, ... above `stop`.
            n <= self.stop || (self.stop >= -1 && n < len)
        }
    }

    /// The next value, advancing; `None` when exhausted.
    #[inline(always)]
    pub fn advance(&self) -> Option<i64> {
        let n = self.next.get();
        let more = if self.step > 0 {
            n < self.stop
        } else {
            n > self.stop
        };
        if !more {
            return None;
        }
        // Past the end the value no longer matters, only that it stays past the end.
        self.next.set(n.checked_add(self.step).unwrap_or(self.stop));
        Some(n)
    }
}

/// An iterator over an array or a tuple.
pub struct SeqIter {
    /// The array or tuple.
    pub seq: Value,
    /// The index of the next item.
    pub index: Cell<usize>,
}

/// A slice `start:stop:step` as `BuildSlice` makes it: any three values, nil where a part
/// was omitted. What the parts mean (clamping, negative steps) is the language's.
pub struct SliceObj {
    /// Start.
    pub start: Value,
    /// Stop.
    pub stop: Value,
    /// Step.
    pub step: Value,
}

/// Every kind of heap object.
pub enum Obj {
    /// An immutable UTF-8 string.
    Str(Box<str>),
    /// A mutable array/list.
    Array(ArrayObj),
    /// An immutable tuple.
    Tuple(TupleItems),
    /// An `i64` outside the inline 48-bit range.
    Int(i64),
    /// A guest function.
    Function(FunctionObj),
    /// A builtin function.
    Native(NativeObj),
    /// A mutable cell (a captured variable).
    Cell(Cell<Value>),
    /// An iterator over a range of ints.
    RangeIter(RangeIter),
    /// An iterator over an array or tuple.
    SeqIter(SeqIter),
    /// A slice.
    Slice(SliceObj),
    /// A frontend-defined object.
    Host(Box<dyn HostObject>),
}

/// The allocation unit: an object plus the collector's state for its slot.
///
/// Boxes live in [`Chunk`]s of [`CHUNK_SLOTS`]; a free slot holds `Obj::Int` with the
/// address of the next free slot (0 ends the list), so every slot always holds a valid
/// `Obj` and freeing one is an in-place replacement.
pub struct GcBox {
    state: Cell<u8>,
    /// The object.
    pub obj: Obj,
}

/// The object a free slot holds: a link to the next free slot (0 ends the list). It owns
/// nothing, so overwriting it without dropping leaks nothing.
fn free_link(next: Option<NonNull<GcBox>>) -> Obj {
    Obj::Int(next.map_or(0, |p| p.as_ptr() as usize) as i64)
}

/// The next free slot after a free slot holding `obj` (see [`free_link`]).
fn next_free(obj: &Obj) -> Option<NonNull<GcBox>> {
    match obj {
        Obj::Int(link) => NonNull::new(*link as usize as *mut GcBox),
        _ => None,
    }
}

/// Slot states.
const FREE: u8 = 0;
const LIVE: u8 = 1;
const MARKED: u8 = 2;

/// Slots per chunk: 1024 boxes of 40 bytes, one 40 KiB block from the global allocator.
const CHUNK_SLOTS: usize = 1024;

/// One block of [`CHUNK_SLOTS`] boxes, allocated and freed as a whole. Boxes never move.
struct Chunk {
    base: NonNull<GcBox>,
}

impl Chunk {
    fn layout() -> core::alloc::Layout {
        // The layout of a fixed-size array of boxes cannot overflow.
        core::alloc::Layout::array::<GcBox>(CHUNK_SLOTS).unwrap_or_else(|_| unreachable!())
    }

    /// A chunk of free boxes, linked in address order ahead of `next`.
    fn new(next: Option<NonNull<GcBox>>) -> Chunk {
        let layout = Chunk::layout();
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { alloc::alloc::alloc(layout) } as *mut GcBox;
        let Some(base) = NonNull::new(raw) else {
            alloc::alloc::handle_alloc_error(layout)
        };
        for i in 0..CHUNK_SLOTS {
            let link = if i + 1 < CHUNK_SLOTS {
                // SAFETY: `i + 1` is within the block.
                NonNull::new(unsafe { raw.add(i + 1) })
            } else {
                next
            };
            // SAFETY: `i` is within the freshly allocated block; writing initializes it.
            unsafe {
                raw.add(i).write(GcBox {
                    state: Cell::new(FREE),
                    obj: free_link(link),
                })
            };
        }
        Chunk { base }
    }

    fn slots(&self) -> *mut GcBox {
        self.base.as_ptr()
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: the block came from `alloc` with this layout in `Chunk::new`, all its
        // slots are initialized (free slots hold a link), and the heap drops a chunk only
        // when no value can reach its boxes any more.
        unsafe {
            core::ptr::drop_in_place(core::ptr::slice_from_raw_parts_mut(
                self.slots(),
                CHUNK_SLOTS,
            ));
            alloc::alloc::dealloc(self.slots() as *mut u8, Chunk::layout());
        }
    }
}

/// Counters the collector keeps, for `--stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GcStats {
    /// Objects allocated in total.
    pub allocations: u64,
    /// Collections run.
    pub collections: u64,
    /// Objects freed in total.
    pub freed: u64,
    /// The largest live byte count seen after a collection.
    pub peak_live_bytes: usize,
}

/// The collector never runs before this many bytes have been allocated.
const MIN_THRESHOLD: usize = 4 << 20;

/// Set by the embedder when the system allocator failed (it keeps a reserve to free so
/// that the failed request can still be served; see `xtask`'s allocator). The
/// interpreter polls it at its safepoints, together with [`Heap::should_collect`], and
/// raises the language's memory error there. A core atomic, not `std`: the core has no
/// allocator of its own.
pub static MEMORY_EXHAUSTED: AtomicBool = AtomicBool::new(false);

/// True when the embedder reported an allocation failure not yet raised as an error.
#[inline(always)]
pub fn memory_exhausted() -> bool {
    MEMORY_EXHAUSTED.load(Ordering::Relaxed)
}

/// All heap objects, and the accounting that decides when to collect.
pub struct Heap {
    chunks: Vec<Chunk>,
    /// The first free box; free boxes link through their `Obj::Int`.
    free: Option<NonNull<GcBox>>,
    /// Boxes in use (live, or dead and not yet swept).
    count: usize,
    bytes_since_gc: usize,
    live_bytes: usize,
    threshold: usize,
    /// The most live bytes allowed (`--max-heap`); `usize::MAX` when unlimited.
    limit: usize,
    /// Empty buffers of swept small arrays, by capacity (`spare[c - 1]` holds capacity
    /// `c`), for [`Heap::take_vec`]: a list slice per loop iteration then costs no call
    /// into the allocator, as pymalloc spares CPython.
    spare: [Vec<Vec<Value>>; SPARE_CLASSES],
    stats: GcStats,
}

/// Arrays with a buffer of up to this many values leave it for reuse when swept.
const SPARE_CLASSES: usize = 16;
/// Spare buffers kept per capacity: enough for the arrays one collection cycle frees in
/// a loop that slices small lists (at most 16 × 4096 × 128 bytes = 8 MiB in all, and the
/// buffers were allocated memory before the sweep anyway).
const SPARE_DEPTH: usize = 4096;

/// Passed to the root-enumerating closure of [`Heap::collect`].
pub struct Marker {
    worklist: Vec<NonNull<GcBox>>,
}

impl Marker {
    /// Marks `v` (and, transitively, everything it references) live.
    #[inline]
    pub fn mark(&mut self, v: Value) {
        if let Some(p) = v.as_ptr::<GcBox>() {
            // SAFETY: an object value always holds a non-null pointer from `Heap::alloc`.
            self.worklist.push(unsafe { NonNull::new_unchecked(p) });
        }
    }

    /// Marks every value in `vs`.
    pub fn mark_all(&mut self, vs: &[Value]) {
        for &v in vs {
            self.mark(v);
        }
    }
}

impl Heap {
    /// An empty heap.
    ///
    /// # Safety
    ///
    /// A [`Value`] is a plain word that does not keep its object alive and does not say
    /// which heap it belongs to, and [`Heap::get`] dereferences it. The caller promises,
    /// for the whole life of this heap:
    ///
    /// - its object values are used (looked up, stored into objects, marked) only with
    ///   this heap, and values of other heaps never with it (so two heaps are never
    ///   swapped or replaced under a running program, e.g. through a `&mut Heap` lent to
    ///   a slow path);
    /// - none of its object values is used after the heap is dropped (dropping a
    ///   [`crate::interp::Vm`] drops its heap).
    ///
    /// The other way a value dies, a collection, has its own contract
    /// ([`Heap::collect`], [`crate::interp::Vm::run`], [`crate::interp::VmCore::call_value`]).
    pub unsafe fn new() -> Heap {
        Heap {
            chunks: Vec::new(),
            free: None,
            count: 0,
            bytes_since_gc: 0,
            live_bytes: 0,
            threshold: MIN_THRESHOLD,
            limit: usize::MAX,
            spare: Default::default(),
            stats: GcStats::default(),
        }
    }

    /// Limits the heap to `bytes` (as the collector counts them): once a collection
    /// leaves more live, [`Heap::over_limit`] holds and the interpreter raises the
    /// language's memory error at that safepoint.
    pub fn set_limit(&mut self, bytes: usize) {
        self.limit = bytes;
        self.threshold = self.threshold.min(self.room());
    }

    /// Counts `bytes` an object grew by after its allocation (a list's buffer), so that
    /// growth, too, brings the next collection and the limit check nearer.
    pub fn account(&mut self, bytes: usize) {
        self.bytes_since_gc = self.bytes_since_gc.saturating_add(bytes);
    }

    /// True when the live heap, as of the last collection, exceeds the limit.
    pub fn over_limit(&self) -> bool {
        self.live_bytes > self.limit
    }

    /// True when `bytes` more could be allocated without passing the limit: frontends
    /// ask before a guest-sized request (`[0] * n`) and raise their memory error instead.
    pub fn fits(&self, bytes: usize) -> bool {
        bytes <= self.room().saturating_sub(self.bytes_since_gc)
    }

    /// What the limit leaves above the live heap (at least enough that the collector
    /// runs at some point).
    fn room(&self) -> usize {
        self.limit.saturating_sub(self.live_bytes).max(1)
    }

    /// Allocates `obj` and returns a value pointing to it. Never collects.
    #[inline]
    pub fn alloc(&mut self, obj: Obj) -> Value {
        let size = object_size(&obj);
        let p = match self.free {
            Some(p) => p,
            None => self.grow(),
        };
        // SAFETY: `p` heads the free list, so it is an initialized box in a live chunk that
        // no value refers to; its `Obj::Int` link owns nothing, so overwriting it without
        // dropping leaks nothing.
        unsafe {
            let b = p.as_ptr();
            self.free = next_free(&(*b).obj);
            core::ptr::addr_of_mut!((*b).obj).write(obj);
            (*b).state.set(LIVE);
        }
        self.count += 1;
        self.bytes_since_gc += size;
        self.stats.allocations += 1;
        Value::from_ptr(p.as_ptr())
    }

    /// An empty vector with room for `n` values, reusing the buffer of a swept array of
    /// that capacity when there is one. Build an array's items in it to save an
    /// allocation.
    #[inline]
    pub fn take_vec(&mut self, n: usize) -> Vec<Value> {
        if let Some(v) = n.checked_sub(1).and_then(|c| self.spare.get_mut(c)?.pop()) {
            return v;
        }
        Vec::with_capacity(n)
    }

    /// Adds a chunk of free boxes and returns the first.
    #[cold]
    fn grow(&mut self) -> NonNull<GcBox> {
        let chunk = Chunk::new(self.free);
        let first = chunk.base;
        self.chunks.push(chunk);
        self.free = Some(first);
        first
    }

    /// A string value.
    pub fn str(&mut self, s: &str) -> Value {
        self.alloc(Obj::Str(s.into()))
    }

    /// A string value owning `s`.
    pub fn string(&mut self, s: String) -> Value {
        self.alloc(Obj::Str(s.into_boxed_str()))
    }

    /// An int value: inline when it fits in 48 bits, boxed otherwise.
    #[inline]
    pub fn int(&mut self, i: i64) -> Value {
        match Value::try_small_int(i) {
            Some(v) => v,
            None => self.alloc(Obj::Int(i)),
        }
    }

    /// An array value owning `items`.
    pub fn array(&mut self, items: Vec<Value>) -> Value {
        self.alloc(Obj::Array(ArrayObj::new(items)))
    }

    /// The object `v` points to, or `None` for a non-object.
    ///
    /// The reference is valid while the heap is borrowed: objects are only freed by
    /// [`Heap::collect`], which needs `&mut self`.
    ///
    /// Sound for every `Value` safe code can hold: an object value is made only by
    /// [`Heap::alloc`] (or by the `unsafe` [`Value::from_bits`]), and it stops pointing to
    /// a live object only in ways whose callers promised not to use it again: a collection
    /// that did not see it ([`Heap::collect`], [`crate::interp::Vm::run`],
    /// [`crate::interp::VmCore::call_value`]) or the end of its heap ([`Heap::new`]).
    #[inline(always)]
    pub fn get(&self, v: Value) -> Option<&Obj> {
        let p = v.as_ptr::<GcBox>()?;
        // A collection needs `&mut self`, so none runs while the returned borrow lives.
        // SAFETY: `v` came from `alloc` on this heap (`Heap::new`'s contract; forged bits
        // need the `unsafe` `from_bits`) and its box is live: the functions that may
        // collect make their callers promise not to use a value the collection missed.
        Some(unsafe { &(*p).obj })
    }

    /// The `i64` of an inline or boxed int.
    #[inline]
    pub fn as_i64(&self, v: Value) -> Option<i64> {
        if let Some(i) = v.as_small_int() {
            return Some(i);
        }
        match self.get(v) {
            Some(Obj::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// True for an inline or boxed int.
    pub fn is_int(&self, v: Value) -> bool {
        self.as_i64(v).is_some()
    }

    /// The string, if `v` is one.
    #[inline]
    pub fn as_str(&self, v: Value) -> Option<&str> {
        match self.get(v) {
            Some(Obj::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The array, if `v` is one.
    #[inline(always)]
    pub fn as_array(&self, v: Value) -> Option<&ArrayObj> {
        match self.get(v) {
            Some(Obj::Array(a)) => Some(a),
            _ => None,
        }
    }

    /// The function, if `v` is one.
    #[inline(always)]
    pub fn as_function(&self, v: Value) -> Option<&FunctionObj> {
        match self.get(v) {
            Some(Obj::Function(f)) => Some(f),
            _ => None,
        }
    }

    /// The tuple's items, if `v` is a tuple.
    #[inline(always)]
    pub fn as_tuple(&self, v: Value) -> Option<&[Value]> {
        match self.get(v) {
            Some(Obj::Tuple(t)) => Some(t),
            _ => None,
        }
    }

    /// A tuple value owning `items`.
    pub fn tuple(&mut self, items: Vec<Value>) -> Value {
        self.alloc(Obj::Tuple(TupleItems::new(items)))
    }

    /// A tuple value of a copy of `items` (a pair needs no block of its own, and no
    /// temporary vector either).
    #[inline]
    pub fn tuple_of(&mut self, items: &[Value]) -> Value {
        self.alloc(Obj::Tuple(TupleItems::from_slice(items)))
    }

    /// The slice, if `v` is one.
    #[inline]
    pub fn as_slice(&self, v: Value) -> Option<&SliceObj> {
        match self.get(v) {
            Some(Obj::Slice(s)) => Some(s),
            _ => None,
        }
    }

    /// The host object of type `T`, if `v` is one.
    pub fn as_host<T: HostObject>(&self, v: Value) -> Option<&T> {
        match self.get(v) {
            Some(Obj::Host(h)) => h.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }

    /// Number of objects currently allocated (live or not yet collected).
    pub fn object_count(&self) -> usize {
        self.count
    }

    /// The collector's counters.
    pub fn stats(&self) -> GcStats {
        self.stats
    }

    /// Where the collector keeps its allocation volume since the last collection and
    /// the volume that triggers the next one, for compiled code's inline safepoint check
    /// ([`crate::jit::JitState::gc_allocated`]). Valid while the heap lives and does not
    /// move.
    pub fn gc_budget_ptrs(&self) -> (*const usize, *const usize) {
        (&raw const self.bytes_since_gc, &raw const self.threshold)
    }

    /// True when enough has been allocated since the last collection to run one.
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        self.bytes_since_gc >= self.threshold
    }

    /// Marks everything reachable from the roots that `roots` reports, then frees the rest.
    ///
    /// # Safety
    ///
    /// Every `Value` referring to a heap object that the caller (or anyone) uses after
    /// this call must be reachable from the roots marked by `roots`; any other object value
    /// dangles afterwards.
    pub unsafe fn collect(&mut self, roots: impl FnOnce(&mut Marker)) {
        let mut marker = Marker {
            worklist: Vec::new(),
        };
        roots(&mut marker);
        while let Some(p) = marker.worklist.pop() {
            // SAFETY: every pointer on the worklist came from a value the caller vouches is
            // live (a root) or from the fields of a live object, so it points to a `GcBox`
            // that has not been freed.
            let gcbox = unsafe { p.as_ref() };
            if gcbox.state.replace(MARKED) == MARKED {
                continue;
            }
            trace_obj(&gcbox.obj, &mut |v| marker.mark(v));
        }
        let mut live = 0usize;
        let mut freed = 0u64;
        let mut free: Option<NonNull<GcBox>> = None;
        let mut kept_empty = false;
        let spare = &mut self.spare;
        self.chunks.retain_mut(|chunk| {
            let slots = chunk.slots();
            let mut in_use = 0;
            for i in 0..CHUNK_SLOTS {
                // SAFETY: `i` is within the chunk, whose slots are all initialized.
                let b = unsafe { &*slots.add(i) };
                match b.state.get() {
                    MARKED => {
                        b.state.set(LIVE);
                        live += object_size(&b.obj);
                        in_use += 1;
                    }
                    LIVE => {
                        freed += 1;
                        b.state.set(FREE);
                        // SAFETY: the box is unreachable from the roots, so by this
                        // function's contract no value referring to it is used again and
                        // no reference to its object exists; replacing the object drops it
                        // exactly once, and the box becomes a free slot.
                        let dead = unsafe {
                            core::ptr::replace(
                                core::ptr::addr_of_mut!((*slots.add(i)).obj),
                                free_link(None),
                            )
                        };
                        if let Obj::Array(a) = dead {
                            let mut items = a.into_vec();
                            let class = items.capacity().wrapping_sub(1);
                            if let Some(s) = spare.get_mut(class) {
                                if s.len() < SPARE_DEPTH {
                                    items.clear();
                                    s.push(items);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            // An empty chunk goes back to the allocator, but one is kept so that a program
            // that allocates and drops in a loop does not map and unmap a chunk per cycle.
            if in_use == 0 && kept_empty {
                return false;
            }
            if in_use == 0 {
                kept_empty = true;
            }
            // Link the free slots, back to front so the list runs in address order.
            for i in (0..CHUNK_SLOTS).rev() {
                // SAFETY: as above; a free slot's object is a link that owns nothing.
                unsafe {
                    let b = slots.add(i);
                    if (*b).state.get() == FREE {
                        core::ptr::addr_of_mut!((*b).obj).write(free_link(free));
                        free = Some(NonNull::new_unchecked(b));
                    }
                }
            }
            true
        });
        self.free = free;
        self.count -= freed as usize;
        self.live_bytes = live;
        self.bytes_since_gc = 0;
        // Collect again once as much has been allocated as survived: the heap peaks near
        // twice its live size (memory is a target: at most CPython's peak), and the
        // marking work stays proportional to allocation.
        self.threshold = MIN_THRESHOLD.max(live).min(self.room());
        self.stats.collections += 1;
        self.stats.freed += freed;
        self.stats.peak_live_bytes = self.stats.peak_live_bytes.max(live);
    }
}

fn trace_obj(obj: &Obj, visit: &mut dyn FnMut(Value)) {
    match obj {
        Obj::Str(_) | Obj::Int(_) | Obj::Native(_) | Obj::RangeIter(_) => {}
        Obj::SeqIter(it) => visit(it.seq),
        // SAFETY: `visit` marks values (the collector's worklist) and changes no array.
        Obj::Array(a) => unsafe { a.with_ref(|items| items.iter().for_each(|&v| visit(v))) },
        Obj::Tuple(items) => items.iter().for_each(|&v| visit(v)),
        Obj::Function(f) => {
            f.slots.iter().for_each(|&v| visit(v));
        }
        Obj::Cell(c) => visit(c.get()),
        Obj::Slice(s) => {
            visit(s.start);
            visit(s.stop);
            visit(s.step);
        }
        Obj::Host(h) => h.trace(visit),
    }
}

fn object_size(obj: &Obj) -> usize {
    let extra = match obj {
        Obj::Str(s) => s.len(),
        Obj::Array(a) => a.capacity_bytes(),
        Obj::Tuple(t) => t.heap_bytes(),
        Obj::Function(f) => f.slots.len() * 8,
        Obj::Native(n) => n.name.len(),
        Obj::Int(_) | Obj::Cell(_) | Obj::RangeIter(_) | Obj::SeqIter(_) | Obj::Slice(_) => 0,
        Obj::Host(h) => h.heap_size(),
    };
    // What the allocator really spends: the box is a slot in a chunk, and a separate block
    // carries a header and is rounded up (about 16 bytes with glibc).
    const BLOCK_OVERHEAD: usize = 16;
    let blocks = usize::from(extra > 0);
    core::mem::size_of::<GcBox>() + extra + blocks * BLOCK_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_heap() -> Heap {
        // SAFETY: each test uses its heap's values with that heap only, within the test.
        unsafe { Heap::new() }
    }

    #[test]
    fn collect_frees_unreachable_and_keeps_reachable() {
        let mut heap = new_heap();
        let kept = heap.str("kept");
        let inner = heap.str("inner");
        let arr = heap.array(alloc::vec![inner, Value::small_int(3)]);
        for _ in 0..100 {
            heap.str("garbage");
        }
        // SAFETY: only `kept` and `arr` (and through it `inner`) are used afterwards.
        unsafe { heap.collect(|m| m.mark_all(&[kept, arr])) };
        assert_eq!(heap.object_count(), 3);
        assert_eq!(heap.as_str(kept), Some("kept"));
        let a = heap.as_array(arr).unwrap();
        assert_eq!(heap.as_str(a.get(0).unwrap()), Some("inner"));
    }

    #[test]
    fn slots_are_reused_and_empty_chunks_released() {
        let mut heap = new_heap();
        let n = 3 * CHUNK_SLOTS + 7;
        let keep: Vec<Value> = (0..n).map(|i| heap.str(&alloc::format!("s{i}"))).collect();
        assert_eq!(heap.chunks.len(), 4);
        // Keep every other string: each chunk stays in use, the freed slots are reused.
        let half: Vec<Value> = keep.iter().copied().step_by(2).collect();
        // SAFETY: only `half` is used afterwards.
        unsafe { heap.collect(|m| m.mark_all(&half)) };
        assert_eq!(heap.object_count(), half.len());
        for i in 0..n / 2 {
            heap.alloc(Obj::Int(i as i64 + (1 << 50)));
        }
        assert_eq!(
            heap.chunks.len(),
            4,
            "freed slots are reused before growing"
        );
        for (i, &v) in half.iter().enumerate() {
            assert_eq!(heap.as_str(v), Some(alloc::format!("s{}", 2 * i).as_str()));
        }
        // Drop everything: all chunks but one go back to the allocator.
        // SAFETY: no value is used afterwards.
        unsafe { heap.collect(|_| {}) };
        assert_eq!(heap.object_count(), 0);
        assert_eq!(heap.chunks.len(), 1);
        let v = heap.str("again");
        assert_eq!(heap.as_str(v), Some("again"));
    }

    #[test]
    fn cycles_are_collected() {
        let mut heap = new_heap();
        let a = heap.array(Vec::new());
        heap.as_array(a).unwrap().push(a);
        // SAFETY: no value is used afterwards.
        unsafe { heap.collect(|_| {}) };
        assert_eq!(heap.object_count(), 0);
    }

    #[test]
    fn objects_stay_small() {
        // Every object is one 40-byte block (a 32-byte `Obj` plus the mark), and a pair
        // needs no second block: binary trees must fit in CPython's memory.
        assert!(
            core::mem::size_of::<Obj>() <= 32,
            "Obj is {} bytes",
            core::mem::size_of::<Obj>()
        );
        assert!(core::mem::size_of::<GcBox>() <= 40);
        let mut heap = new_heap();
        let t = heap.tuple(alloc::vec![Value::small_int(1), Value::NIL]);
        assert_eq!(
            heap.as_tuple(t),
            Some(&[Value::small_int(1), Value::NIL][..])
        );
        let t3 = heap.tuple(alloc::vec![Value::TRUE; 3]);
        assert_eq!(heap.as_tuple(t3).map(<[Value]>::len), Some(3));
    }

    #[test]
    fn limit_is_checked_after_collection() {
        let mut heap = new_heap();
        heap.set_limit(1000);
        assert!(heap.fits(500) && !heap.fits(2000));
        let keep = heap.array(alloc::vec![Value::NIL; 200]);
        assert!(
            heap.should_collect(),
            "the limit brings the collection forward"
        );
        // SAFETY: `keep` is marked; no other value is used afterwards.
        unsafe { heap.collect(|m| m.mark(keep)) };
        assert!(heap.over_limit());
        // SAFETY: nothing is used afterwards.
        unsafe { heap.collect(|_| {}) };
        assert!(!heap.over_limit());
        heap.account(4000);
        assert!(heap.should_collect() && !heap.fits(1));
    }

    fn ints(a: &ArrayObj) -> Vec<i64> {
        a.to_vec()
            .iter()
            .map(|v| v.as_small_int().unwrap())
            .collect()
    }

    fn array_of(items: &[i64]) -> ArrayObj {
        ArrayObj::new(items.iter().map(|&i| Value::small_int(i)).collect())
    }

    #[test]
    fn array_insert_remove_reverse() {
        let a = array_of(&[1, 2, 3]);
        assert!(a.insert(0, Value::small_int(0)));
        assert!(
            a.insert(4, Value::small_int(4)),
            "inserting at the end appends"
        );
        assert!(!a.insert(6, Value::NIL), "past the end: nothing inserted");
        assert_eq!(ints(&a), [0, 1, 2, 3, 4]);
        assert_eq!(a.remove(1), Some(Value::small_int(1)));
        assert_eq!(a.remove(4), None);
        assert_eq!(ints(&a), [0, 2, 3, 4]);
        a.reverse();
        assert_eq!(ints(&a), [4, 3, 2, 0]);
        assert_eq!(a.pop(), Some(Value::small_int(0)));
        a.push(Value::small_int(9));
        assert_eq!(ints(&a), [4, 3, 2, 9]);
    }

    #[test]
    fn array_extend_and_append_to() {
        let a = array_of(&[1]);
        a.extend_from_slice(&[Value::small_int(2), Value::small_int(3)]);
        a.extend_from_slice(&[]);
        assert_eq!(ints(&a), [1, 2, 3]);
        let mut out = alloc::vec![Value::small_int(0)];
        a.append_to(&mut out);
        a.append_to(&mut out);
        let got: Vec<i64> = out.iter().map(|v| v.as_small_int().unwrap()).collect();
        assert_eq!(got, [0, 1, 2, 3, 1, 2, 3]);
        let grown = a.try_reserve(100).unwrap();
        assert!(grown >= 97 * core::mem::size_of::<Value>());
        assert_eq!(a.try_reserve(1).unwrap(), 0, "room was already there");
        assert!(a.try_reserve(usize::MAX).is_err());
        assert_eq!(ints(&a), [1, 2, 3]);
    }

    #[test]
    fn array_remove_stepped() {
        let a = array_of(&[0, 1, 2, 3, 4, 5, 6]);
        assert!(a.remove_stepped(1, 2, 1));
        assert_eq!(ints(&a), [0, 3, 4, 5, 6]);
        assert!(a.remove_stepped(0, 3, 2));
        assert_eq!(ints(&a), [3, 5]);
        assert!(!a.remove_stepped(1, 2, 1), "past the end: nothing removed");
        assert!(!a.remove_stepped(0, 2, 0), "a zero step is refused");
        assert!(!a.remove_stepped(1, 2, usize::MAX), "overflow is refused");
        assert!(a.remove_stepped(7, 0, 1), "removing nothing always works");
        assert_eq!(ints(&a), [3, 5]);
    }

    #[test]
    fn array_splice() {
        let a = array_of(&[0, 1, 2, 3]);
        assert!(a.splice(1, 3, &[Value::small_int(7), Value::small_int(8)]));
        assert_eq!(ints(&a), [0, 7, 8, 3]);
        assert!(a.splice(1, 3, &[Value::small_int(5)]));
        assert_eq!(ints(&a), [0, 5, 3]);
        assert!(a.splice(3, 3, &[Value::small_int(6), Value::small_int(6)]));
        assert_eq!(ints(&a), [0, 5, 3, 6, 6]);
        assert!(a.splice(0, 2, &[]));
        assert_eq!(ints(&a), [3, 6, 6]);
        assert!(!a.splice(2, 1, &[]), "lo > hi");
        assert!(!a.splice(0, 4, &[]), "hi > len");
        assert_eq!(ints(&a), [3, 6, 6]);
    }

    #[test]
    fn big_ints_are_boxed() {
        let mut heap = new_heap();
        let v = heap.int(i64::MAX);
        assert!(v.is_object());
        assert_eq!(heap.as_i64(v), Some(i64::MAX));
        assert!(heap.int(5).is_small_int());
    }
}
