//! The code arena: machine code for many small traces, packed into shared pages from an
//! [`ExecMemory`] provider, written only while its pages are not executable.
//!
//! *W^X:* every page of the arena is read+execute, except inside [`CodeArena::commit`]
//! and [`CodeArena::free`], which make the pages they write read+write (not executable),
//! write, and make them read+execute again before returning. No page is ever writable
//! and executable at once. Those two methods run no code but their own, so no compiled
//! code runs from a page while it is writable; code that shares the page with the one
//! being written is not executable for that moment, which is harmless because the
//! engine is single-threaded and compiles only between runs of compiled code.
//!
//! Space is handed out first-fit from a free list, in multiples of [`ALIGN`] bytes;
//! freeing (an invalidated trace) fills the space with `int3` and returns it to the list,
//! merged with its neighbours, and unmaps a region that becomes wholly free (keeping the
//! last one). Free space is filled with `int3` (`0xCC`) too, so a stray jump traps.

use alloc::vec::Vec;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::exec_mem::{ExecMemError, ExecMemory};

/// The alignment of every piece of code in the arena (a trace's entry).
pub const ALIGN: usize = 16;

/// The default size of a region mapped from the provider.
pub const DEFAULT_CHUNK: usize = 64 * 1024;

/// The byte free space is filled with: `int3`.
const TRAP: u8 = 0xCC;

/// Distinguishes arenas, so that a handle cannot be committed to or freed in another.
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Space reserved in an arena and not written yet: [`CodeArena::commit`] writes it,
/// [`CodeArena::cancel`] gives it back.
#[derive(Debug)]
#[must_use = "reserved space is lost unless committed or cancelled"]
pub struct Reservation {
    arena: u32,
    ptr: NonNull<u8>,
    len: usize,
}

impl Reservation {
    /// The address the code will have.
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// How many bytes may be committed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a reservation has at least [`ALIGN`] bytes.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Code written into an arena. It stays there (executable, unchanged) until it is given
/// to [`CodeArena::free`].
#[derive(Debug)]
pub struct CodeHandle {
    arena: u32,
    ptr: NonNull<u8>,
    /// The bytes of code.
    len: usize,
    /// The bytes held: `len` rounded up to [`ALIGN`].
    held: usize,
}

impl CodeHandle {
    /// The address of the first byte.
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// A pointer to the first byte (read+execute memory).
    pub fn ptr(&self) -> NonNull<u8> {
        self.ptr
    }

    /// How many bytes of code.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: committed code has at least one byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What an arena holds, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArenaStats {
    /// Mapped from the provider.
    pub mapped: usize,
    /// Live code.
    pub code: usize,
    /// Padding after live code (each piece is rounded up to [`ALIGN`]).
    pub padding: usize,
    /// Reserved and not committed yet.
    pub reserved: usize,
    /// Free for new code.
    pub free: usize,
    /// Pieces of live code.
    pub pieces: usize,
}

#[derive(Clone, Copy, Debug)]
struct Chunk {
    ptr: NonNull<u8>,
    len: usize,
}

impl Chunk {
    fn start(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

/// A free span: `len` bytes at address `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    len: usize,
}

/// Executable memory for many pieces of code, sharing pages. See the module docs.
pub struct CodeArena<M: ExecMemory> {
    mem: M,
    id: u32,
    chunk_size: usize,
    /// Mapped regions, by address.
    chunks: Vec<Chunk>,
    /// Free spans, by address; spans in different chunks are never merged.
    free: Vec<Span>,
    stats: ArenaStats,
}

impl<M: ExecMemory> core::fmt::Debug for CodeArena<M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CodeArena")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<M: ExecMemory> CodeArena<M> {
    /// An empty arena over `mem`, mapping regions of [`DEFAULT_CHUNK`] bytes (or the page
    /// size, if larger).
    pub fn new(mem: M) -> Self {
        Self::with_chunk_size(mem, DEFAULT_CHUNK)
    }

    /// An empty arena mapping regions of `chunk_size` bytes, rounded up to whole pages.
    pub fn with_chunk_size(mem: M, chunk_size: usize) -> Self {
        let page = mem.page_size();
        assert!(page.is_power_of_two() && page >= ALIGN);
        CodeArena {
            chunk_size: chunk_size.max(1).next_multiple_of(page),
            mem,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            chunks: Vec::new(),
            free: Vec::new(),
            stats: ArenaStats::default(),
        }
    }

    /// What the arena holds.
    pub fn stats(&self) -> ArenaStats {
        self.stats
    }

    /// Reserves at least `len` bytes (rounded up to [`ALIGN`]) for code, mapping a new
    /// region when no free span is large enough.
    pub fn reserve(&mut self, len: usize) -> Result<Reservation, ExecMemError> {
        let len = len.max(1).next_multiple_of(ALIGN);
        let i = match self.free.iter().position(|s| s.len >= len) {
            Some(i) => i,
            None => self.grow(len)?,
        };
        let span = &mut self.free[i];
        let start = span.start;
        span.start += len;
        span.len -= len;
        if span.len == 0 {
            self.free.remove(i);
        }
        self.stats.free -= len;
        self.stats.reserved += len;
        Ok(Reservation {
            arena: self.id,
            ptr: self.ptr_at(start),
            len,
        })
    }

    /// Gives back reserved space unwritten.
    pub fn cancel(&mut self, r: Reservation) {
        assert_eq!(r.arena, self.id, "a reservation of another arena");
        self.stats.reserved -= r.len;
        self.release(r.addr(), r.len);
    }

    /// Writes `code` (at most the reservation's length, at least one byte) into reserved
    /// space and makes it executable; the rest of the reservation goes back to the free
    /// list. On an error the space stays reserved and is lost (it is not executable).
    pub fn commit(&mut self, r: Reservation, code: &[u8]) -> Result<CodeHandle, ExecMemError> {
        assert_eq!(r.arena, self.id, "a reservation of another arena");
        assert!(
            !code.is_empty() && code.len() <= r.len,
            "committing {} bytes to a reservation of {}",
            code.len(),
            r.len
        );
        let held = code.len().next_multiple_of(ALIGN);
        self.stats.reserved -= r.len;
        if held < r.len {
            self.release(r.addr() + held, r.len - held);
        }
        if let Err(e) = self.write(r.ptr, held, |dst| {
            dst[..code.len()].copy_from_slice(code);
            dst[code.len()..].fill(TRAP);
        }) {
            // The space is lost; count it as reserved forever.
            self.stats.reserved += held;
            return Err(e);
        }
        self.stats.code += code.len();
        self.stats.padding += held - code.len();
        self.stats.pieces += 1;
        Ok(CodeHandle {
            arena: self.id,
            ptr: r.ptr,
            len: code.len(),
            held,
        })
    }

    /// Frees code: fills it with `int3` and returns its space.
    ///
    /// Freeing code that is still reachable (a trace another one jumps to, an executor the
    /// VM may enter) is not undefined behaviour by itself, but running it afterwards is:
    /// that is on whoever runs it ([`crate::patch::Trace::run`]'s contract).
    pub fn free(&mut self, h: CodeHandle) -> Result<(), ExecMemError> {
        assert_eq!(h.arena, self.id, "code of another arena");
        self.write(h.ptr, h.held, |dst| dst.fill(TRAP))?;
        self.stats.code -= h.len;
        self.stats.padding -= h.held - h.len;
        self.stats.pieces -= 1;
        self.release(h.addr(), h.held);
        Ok(())
    }

    /// The bytes of `h`, as written.
    pub fn code(&self, h: &CodeHandle) -> &[u8] {
        assert_eq!(h.arena, self.id, "code of another arena");
        // `h` came from `commit` of this arena (checked above) and was not freed (`free`
        // takes it by value), and the arena unmaps only on drop, which this borrow outlives.
        // SAFETY: so its `len` bytes are mapped and readable, and nothing writes them while
        // `&self` is borrowed (`write` needs `&mut self`).
        unsafe { core::slice::from_raw_parts(h.ptr.as_ptr(), h.len) }
    }

    /// Makes the pages under `len` bytes at `ptr` writable, lets `f` write those bytes,
    /// and makes the pages executable again.
    fn write(
        &mut self,
        ptr: NonNull<u8>,
        len: usize,
        f: impl FnOnce(&mut [u8]),
    ) -> Result<(), ExecMemError> {
        let page = self.mem.page_size();
        let addr = ptr.as_ptr() as usize;
        let first = addr & !(page - 1);
        let end = (addr + len).next_multiple_of(page);
        let pages = self.ptr_at(first);
        // SAFETY: `ptr..ptr+len` is space of one chunk (reserved or held code), so its
        // whole pages are page-aligned and inside that chunk, which is mapped. Nothing
        // borrows arena memory while we hold `&mut self` (`code` borrows `&self`), and no
        // compiled code runs during this method: it calls only `f`, which is ours.
        unsafe { self.mem.protect_write(pages, end - first)? };
        // SAFETY: the range is now mapped read+write and lies in memory the arena owns;
        // no other reference into it exists (as above).
        f(unsafe { core::slice::from_raw_parts_mut(ptr.as_ptr(), len) });
        // SAFETY: as for `protect_write`; the slice given to `f` is dead.
        unsafe { self.mem.protect_exec(pages, end - first) }
    }

    /// A pointer to address `addr` inside one of the chunks, derived from the chunk's
    /// pointer (so it carries the mapping's provenance).
    fn ptr_at(&self, addr: usize) -> NonNull<u8> {
        let c = self.chunk_of(addr);
        // SAFETY: `addr` lies inside chunk `c` (`chunk_of` checks), so the offset stays in
        // the mapping.
        unsafe { c.ptr.add(addr - c.start()) }
    }

    fn chunk_index(&self, addr: usize) -> usize {
        let i = self.chunks.partition_point(|c| c.start() <= addr);
        assert!(
            i > 0 && addr < self.chunks[i - 1].start() + self.chunks[i - 1].len,
            "address {addr:#x} is not in the arena"
        );
        i - 1
    }

    fn chunk_of(&self, addr: usize) -> Chunk {
        self.chunks[self.chunk_index(addr)]
    }

    fn is_chunk_start(&self, addr: usize) -> bool {
        self.chunks
            .binary_search_by_key(&addr, Chunk::start)
            .is_ok()
    }

    /// Maps a chunk that holds at least `len` bytes, fills it with `int3`, makes it
    /// executable, and returns the index of its free span.
    fn grow(&mut self, len: usize) -> Result<usize, ExecMemError> {
        let size = self
            .chunk_size
            .max(len.next_multiple_of(self.mem.page_size()));
        let ptr = self.mem.map(size)?;
        // SAFETY: `map` returned `size` fresh bytes, read+write, used by nothing else.
        unsafe { core::ptr::write_bytes(ptr.as_ptr(), TRAP, size) };
        // SAFETY: the whole region `map` just returned; the `write_bytes` above left no
        // reference into it.
        if let Err(e) = unsafe { self.mem.protect_exec(ptr, size) } {
            // SAFETY: exactly the region just mapped, which nothing uses.
            unsafe { self.mem.unmap(ptr, size) };
            return Err(e);
        }
        let chunk = Chunk { ptr, len: size };
        let at = self.chunks.partition_point(|c| c.start() < chunk.start());
        self.chunks.insert(at, chunk);
        self.stats.mapped += size;
        self.stats.free += size;
        let span = Span {
            start: chunk.start(),
            len: size,
        };
        let at = self.free.partition_point(|s| s.start < span.start);
        self.free.insert(at, span);
        Ok(at)
    }

    /// Returns `len` bytes at `start` to the free list, merging with neighbours in the
    /// same chunk, and unmaps the chunk when it is wholly free (and not the only one).
    fn release(&mut self, start: usize, len: usize) {
        self.stats.free += len;
        let mut at = self.free.partition_point(|s| s.start < start);
        let mut span = Span { start, len };
        if at < self.free.len()
            && self.free[at].start == start + len
            && !self.is_chunk_start(start + len)
        {
            span.len += self.free[at].len;
            self.free.remove(at);
        }
        if at > 0 {
            let prev = self.free[at - 1];
            if prev.start + prev.len == start && !self.is_chunk_start(start) {
                span = Span {
                    start: prev.start,
                    len: prev.len + span.len,
                };
                self.free.remove(at - 1);
                at -= 1;
            }
        }
        let ci = self.chunk_index(span.start);
        let chunk = self.chunks[ci];
        if span.start == chunk.start() && span.len == chunk.len && self.chunks.len() > 1 {
            self.chunks.remove(ci);
            self.stats.mapped -= chunk.len;
            self.stats.free -= chunk.len;
            // SAFETY: the chunk is a region `map` returned; all of it is free (no code,
            // no reservation), so nothing uses it, and it left `chunks` and `free`.
            unsafe { self.mem.unmap(chunk.ptr, chunk.len) };
            return;
        }
        self.free.insert(at, span);
    }
}

impl<M: ExecMemory> Drop for CodeArena<M> {
    fn drop(&mut self) {
        for c in self.chunks.drain(..) {
            // SAFETY: each chunk is a region `map` returned and not unmapped since. Code in
            // it may still be referenced by handles, but running it needs the arena alive
            // (`Trace::run`'s contract), and `code()` borrows the arena.
            unsafe { self.mem.unmap(c.ptr, c.len) };
        }
    }
}

#[cfg(all(test, unix, feature = "mmap"))]
mod tests {
    use super::*;
    use crate::native::mmap::MmapMemory;

    fn check_invariants<M: ExecMemory>(a: &CodeArena<M>) {
        let s = a.stats;
        assert_eq!(s.mapped, s.code + s.padding + s.reserved + s.free, "{s:?}");
        let free: usize = a.free.iter().map(|s| s.len).sum();
        assert_eq!(free, s.free);
        assert!(a
            .free
            .windows(2)
            .all(|w| w[0].start + w[0].len <= w[1].start));
    }

    #[test]
    fn small_pieces_share_a_page_and_freed_space_is_reused() {
        let mut a = CodeArena::new(MmapMemory::new());
        let mut handles = Vec::new();
        for i in 0..100u8 {
            let r = a.reserve(64).unwrap();
            let code = [0xC3 ^ i; 20];
            handles.push(a.commit(r, &code).unwrap());
            check_invariants(&a);
        }
        let s = a.stats();
        assert_eq!(s.mapped, DEFAULT_CHUNK, "one region holds them all");
        assert_eq!((s.code, s.padding, s.pieces), (2000, 1200, 100));
        assert_eq!(a.code(&handles[7]), &[0xC3 ^ 7; 20]);
        // Neighbours are packed: each piece is 20 bytes rounded to 32.
        assert_eq!(handles[1].addr() - handles[0].addr(), 32);
        let freed_at = handles[50].addr();
        a.free(handles.remove(50)).unwrap();
        check_invariants(&a);
        assert_eq!(a.stats().code, 1980);
        let r = a.reserve(20).unwrap();
        assert_eq!(r.addr(), freed_at, "first fit reuses the freed space");
        handles.push(a.commit(r, &[0x90; 20]).unwrap());
        for h in handles {
            a.free(h).unwrap();
            check_invariants(&a);
        }
        assert_eq!(a.stats().code, 0);
        assert_eq!(a.free.len(), 1, "the free list merged back to one span");
    }

    #[test]
    fn a_large_piece_gets_its_own_region_which_is_unmapped_when_freed() {
        let mut a = CodeArena::with_chunk_size(MmapMemory::new(), 4096);
        let small = a.reserve(16).unwrap();
        let small = a.commit(small, &[0xC3]).unwrap();
        let big = a.reserve(3 * 4096 + 1).unwrap();
        let big = a.commit(big, &[0x90; 3 * 4096 + 1]).unwrap();
        check_invariants(&a);
        let mapped = a.stats().mapped;
        assert!(mapped >= 4096 + 4 * 4096);
        a.free(big).unwrap();
        check_invariants(&a);
        assert!(a.stats().mapped < mapped, "the big region went back");
        let r = a.reserve(100).unwrap();
        a.cancel(r);
        check_invariants(&a);
        a.free(small).unwrap();
        check_invariants(&a);
        assert_eq!(a.stats().mapped, a.stats().free);
    }

    #[test]
    fn a_commit_shorter_than_its_reservation_gives_back_the_rest() {
        let mut a = CodeArena::new(MmapMemory::new());
        let r = a.reserve(1000).unwrap();
        let h = a.commit(r, &[0xC3; 17]).unwrap();
        check_invariants(&a);
        assert_eq!((a.stats().code, a.stats().padding), (17, 15));
        let r = a.reserve(16).unwrap();
        assert_eq!(r.addr(), h.addr() + 32);
        a.cancel(r);
    }

    #[test]
    #[should_panic(expected = "another arena")]
    fn code_of_another_arena_is_refused() {
        let mut a = CodeArena::new(MmapMemory::new());
        let mut b = CodeArena::new(MmapMemory::new());
        let r = a.reserve(16).unwrap();
        let h = a.commit(r, &[0xC3]).unwrap();
        let _ = b.free(h);
    }
}
