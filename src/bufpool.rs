//! Large buffers kept a little while for the next large message.
//!
//! The buffers of a large message are freed on another thread than the one that allocated
//! them: the session's copy of a payload being sent is made on the application's thread and
//! freed after onSuccess on a callback thread; a received payload is malloc'd on the engine's
//! thread and freed by the application. glibc gives the pages of such a block straight back to
//! the system (it trims the top of the arena the block came from), so the next message of the
//! same size faults every page in again: 256 faults per MiB, which perf showed costing more
//! than the copy and the socket together (1 MiB QoS 1: 138 faults and ~850 µs of CPU per
//! message; with no trimming at all, 35 faults and ~500 µs).
//!
//! Here up to [`MAX_BLOCKS`] such buffers (at least [`MIN`] bytes, at most [`MAX_BYTES`] in
//! all) wait for the next message that fits them. The engine frees those that waited
//! [`IDLE_MS`] unused, and all of them when the last client is gone; a process that stops
//! sending large messages is back to its size after a second.

use std::ptr::NonNull;

use crate::vg::Mutex;

/// Smaller buffers are left to malloc, which reuses them without faults (glibc's trim and
/// mmap thresholds start at 128 KiB).
pub const MIN: usize = 128 << 10;
/// Buffers kept at most, per kind (sent payloads, received payloads): as many as a burst has
/// in flight (each of 20 messages in flight comes back in turn, and an application woken by
/// onSuccess often publishes the next before the last is given back).
const MAX_BLOCKS: usize = 64;
/// Bytes kept at most, per kind: no more than such a burst had in use anyway.
const MAX_BYTES: usize = 64 << 20;
/// A buffer unused this long (milliseconds) is freed.
pub const IDLE_MS: u64 = 1000;

/// A buffer that can wait in a [`Pool`].
trait Block {
    fn capacity(&self) -> usize;
}

impl Block for Vec<u8> {
    fn capacity(&self) -> usize {
        Vec::capacity(self)
    }
}

/// A block from malloc, `usable` bytes long, freed when dropped.
struct Raw {
    ptr: NonNull<u8>,
    usable: usize,
}

// SAFETY: the block is owned by whoever holds the `Raw`; moving it between threads is fine.
unsafe impl Send for Raw {}

impl Block for Raw {
    fn capacity(&self) -> usize {
        self.usable
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: from malloc, owned by this `Raw` alone, freed once.
        unsafe { libc::free(self.ptr.as_ptr() as *mut libc::c_void) };
    }
}

/// Waiting buffers with the time (engine clock, ms) each was put back.
struct Pool<B> {
    blocks: Mutex<Vec<(B, u64)>>,
}

impl<B: Block> Pool<B> {
    const fn new() -> Pool<B> {
        Pool {
            blocks: Mutex::new(Vec::new()),
        }
    }

    /// The smallest waiting buffer of at least `len` bytes; not one more than twice as large
    /// (a small message would hold a large buffer for as long as the application keeps it);
    /// none for a small message (no lock taken).
    fn take(&self, len: usize) -> Option<B> {
        if len < MIN {
            return None;
        }
        let mut g = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        let (i, _) = g
            .iter()
            .enumerate()
            .filter(|(_, (b, _))| b.capacity() >= len && b.capacity() / 2 <= len)
            .min_by_key(|(_, (b, _))| b.capacity())?;
        Some(g.swap_remove(i).0)
    }

    /// Keep `b` (stamped `now`), making room by freeing the oldest; false when it is not
    /// kept (too small or too large), and then it has been freed.
    fn give(&self, b: B, now: u64) -> bool {
        let cap = b.capacity();
        if !(MIN..=MAX_BYTES).contains(&cap) {
            return false;
        }
        let mut g = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        let mut bytes: usize = g.iter().map(|(b, _)| b.capacity()).sum::<usize>() + cap;
        // Oldest first: `give` pushes at the end.
        while !g.is_empty() && (g.len() >= MAX_BLOCKS || bytes > MAX_BYTES) {
            bytes -= g.remove(0).0.capacity();
        }
        g.push((b, now));
        true
    }

    /// Free the buffers put back before `now - IDLE_MS`; returns when the oldest left is due.
    fn expire(&self, now: u64) -> Option<u64> {
        let mut g = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        g.retain(|(_, at)| at + IDLE_MS > now);
        g.first().map(|(_, at)| at + IDLE_MS)
    }

    fn clear(&self) {
        let old = std::mem::take(&mut *self.blocks.lock().unwrap_or_else(|e| e.into_inner()));
        drop(old);
    }
}

/// Copies of payloads being sent (the session's).
static SENT: Pool<Vec<u8>> = Pool::new();
/// Received payloads, malloc'd: the application frees them (`MQTTClient_freeMessage`).
static RECEIVED: Pool<Raw> = Pool::new();

/// An empty vector with room for at least `len` bytes: a waiting one when `len` is large.
pub fn take_vec(len: usize) -> Vec<u8> {
    match SENT.take(len) {
        Some(mut v) => {
            v.clear();
            v
        }
        None => Vec::with_capacity(len),
    }
}

/// Done with `v`: keep it for the next large message, or free it.
pub fn give_vec(v: Vec<u8>) {
    if SENT.give(v, crate::engine::clock_ms()) {
        after_give();
    }
}

/// A malloc'd block of at least `len` bytes (large) that waited here, if one fits. Its
/// contents are those of an earlier message: the caller overwrites them.
pub fn take_malloc(len: usize) -> Option<NonNull<u8>> {
    let raw = std::mem::ManuallyDrop::new(RECEIVED.take(len)?);
    Some(raw.ptr)
}

/// Done with a block from malloc (a payload the application gives back): keep it for the
/// next large message, or free it. NULL is ignored, as by `free`.
///
/// # Safety
/// `p` is NULL or came from malloc and is owned by no one else.
pub unsafe fn give_malloc(p: *mut libc::c_void) {
    let Some(ptr) = NonNull::new(p as *mut u8) else {
        return;
    };
    let raw = Raw {
        ptr,
        usable: usable_size(p),
    };
    if RECEIVED.give(raw, crate::engine::clock_ms()) {
        after_give();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn usable_size(p: *mut libc::c_void) -> usize {
    // SAFETY: `p` is a live block from malloc (the caller of `give_malloc` says so).
    unsafe { libc::malloc_usable_size(p) }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn usable_size(_: *mut libc::c_void) -> usize {
    0 // unknown: never kept
}

/// A buffer waits: make sure the engine frees it when it has waited long enough; with no
/// engine running (no client left) nothing would, so nothing waits.
fn after_give() {
    if !crate::engine::expire_buffers_at(crate::engine::clock_ms() + IDLE_MS) {
        clear();
    }
}

/// Free the buffers that waited [`IDLE_MS`] unused (the engine calls this when told to by
/// [`crate::engine::expire_buffers_at`]); returns when the next one is due.
pub fn expire(now: u64) -> Option<u64> {
    match (SENT.expire(now), RECEIVED.expire(now)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

type Guards = (
    crate::vg::MutexGuard<'static, Vec<(Vec<u8>, u64)>>,
    crate::vg::MutexGuard<'static, Vec<(Raw, u64)>>,
);

thread_local! {
    static FORK_GUARDS: std::cell::RefCell<Option<Guards>> = const { std::cell::RefCell::new(None) };
}

/// Before fork(): hold both locks, so that the child gets none of them locked (see the
/// engine's fork handlers).
pub(crate) fn fork_prepare() {
    let sent = SENT.blocks.lock().unwrap_or_else(|e| e.into_inner());
    let received = RECEIVED.blocks.lock().unwrap_or_else(|e| e.into_inner());
    FORK_GUARDS.with(|f| *f.borrow_mut() = Some((sent, received)));
}

/// After fork(), in the parent and in the child: release them (the child's copies of the
/// waiting buffers are its own, freed as the parent's would be).
pub(crate) fn fork_done() {
    FORK_GUARDS.with(|f| drop(f.borrow_mut().take()));
}

/// Free every waiting buffer (the last client is gone).
pub fn clear() {
    SENT.clear();
    RECEIVED.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent_waiting(cap: usize) -> bool {
        let g = SENT.blocks.lock().unwrap();
        g.iter().any(|(b, _)| b.capacity() == cap)
    }

    /// The engine frees a buffer that waited unused: a process that stopped sending large
    /// messages does not keep their memory.
    #[test]
    fn the_engine_frees_a_buffer_that_waited_a_second() {
        let engine = crate::engine::EngineRef::acquire().unwrap();
        // A capacity no other test asks for, to tell this buffer from theirs.
        let cap = MIN + 12_345;
        give_vec(Vec::with_capacity(cap));
        assert!(sent_waiting(cap));
        let start = std::time::Instant::now();
        while sent_waiting(cap) && start.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(!sent_waiting(cap), "still kept after {:?}", start.elapsed());
        drop(engine);
    }

    fn vec_of(cap: usize) -> Vec<u8> {
        Vec::with_capacity(cap)
    }

    #[test]
    fn a_large_buffer_is_reused_by_the_next_message_that_fits() {
        let pool: Pool<Vec<u8>> = Pool::new();
        let v = vec_of(1 << 20);
        let addr = v.as_ptr();
        assert!(pool.give(v, 10));
        // Too large for a small message, too small for a larger one.
        assert!(pool.take(MIN).is_none());
        assert!(pool.take((1 << 20) + 1).is_none());
        let back = pool.take(1000 * 1000).expect("fits");
        assert_eq!(back.as_ptr(), addr);
        assert!(pool.take(1000 * 1000).is_none(), "taken once");
    }

    #[test]
    fn small_and_huge_buffers_are_not_kept() {
        let pool: Pool<Vec<u8>> = Pool::new();
        assert!(!pool.give(vec_of(MIN - 1), 0));
        assert!(!pool.give(vec_of(MAX_BYTES + 1), 0));
        assert_eq!(pool.expire(0), None);
    }

    #[test]
    fn the_oldest_make_room_and_idle_ones_expire() {
        let pool: Pool<Vec<u8>> = Pool::new();
        for t in 0..MAX_BLOCKS as u64 + 2 {
            assert!(pool.give(vec_of(MIN + t as usize), t));
        }
        let n = pool.blocks.lock().unwrap().len();
        assert_eq!(n, MAX_BLOCKS);
        // The two oldest went; the oldest left was put back at 2.
        assert_eq!(pool.expire(0), Some(2 + IDLE_MS));
        assert_eq!(pool.expire(3 + IDLE_MS), Some(4 + IDLE_MS));
        assert_eq!(pool.blocks.lock().unwrap().len(), MAX_BLOCKS - 2);
        // The bytes limit too: one buffer of nearly all of it leaves room for no other.
        assert!(pool.give(vec_of(MAX_BYTES - MIN + 1), 9));
        assert_eq!(pool.blocks.lock().unwrap().len(), 1);
        pool.clear();
        assert_eq!(pool.expire(0), None);
    }

    #[test]
    fn a_received_payload_block_comes_back_for_the_next_one() {
        let pool: Pool<Raw> = Pool::new();
        // SAFETY: malloc of a nonzero size, checked.
        let p = unsafe { libc::malloc(300 << 10) };
        let ptr = NonNull::new(p as *mut u8).expect("malloc");
        assert!(pool.give(
            Raw {
                ptr,
                usable: usable_size(p).max(300 << 10)
            },
            0
        ));
        let back = pool.take(200 << 10).expect("fits");
        assert_eq!(back.ptr, ptr);
        drop(back); // freed
    }
}
