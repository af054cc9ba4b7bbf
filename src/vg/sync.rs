//! std's Mutex, Condvar and OnceLock and crossbeam's channel, with the ordering they make
//! announced to helgrind (see the module above). Each has the API subset of its original
//! that the crate uses, with the same signatures, so a use reads as it would with std.

use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LockResult, PoisonError, WaitTimeoutResult};
use std::time::Duration;

use super::{forget, happens_after, happens_before, untrack};

/// `std::sync::Mutex`, whose lock orders (for helgrind) all that was done under it before
/// with all that is done under it after.
pub struct Mutex<T: ?Sized> {
    inner: std::sync::Mutex<T>,
}

/// The guard of a [`Mutex`]: unlocking announces the ordering.
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    // Dropped by hand: after the announcement, or handed to std's Condvar in a wait.
    inner: ManuallyDrop<std::sync::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            inner: std::sync::Mutex::new(value),
        }
    }
}

impl<T: ?Sized> Mutex<T> {
    fn tag(&self) -> usize {
        self as *const Self as *const () as usize
    }

    /// Lock it, as `std::sync::Mutex::lock` (poisoning included).
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        match self.inner.lock() {
            Ok(g) => Ok(MutexGuard::locked(self, g)),
            Err(e) => Err(PoisonError::new(MutexGuard::locked(self, e.into_inner()))),
        }
    }

    /// As `std::sync::Mutex::get_mut`: no lock, the borrow is exclusive already.
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        // Whatever made it exclusive (often the drop of the last `Arc`, whose ordering
        // helgrind does not see either) came after every unlock: so does this access.
        happens_after(self.tag());
        self.inner.get_mut()
    }
}

impl<T: ?Sized> Drop for Mutex<T> {
    fn drop(&mut self) {
        // The value is dropped after every unlock, as in `get_mut`; then the tag is free for
        // whatever is made at this address next.
        happens_after(self.tag());
        forget(self.tag());
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    fn locked(lock: &'a Mutex<T>, inner: std::sync::MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        happens_after(lock.tag());
        MutexGuard {
            lock,
            inner: ManuallyDrop::new(inner),
        }
    }

    /// Announce the unlock and hand over std's guard, for a wait that unlocks it.
    fn unlocking(self) -> (&'a Mutex<T>, std::sync::MutexGuard<'a, T>) {
        let mut me = ManuallyDrop::new(self);
        happens_before(me.lock.tag());
        // SAFETY: `me` is never dropped, so the guard is taken out exactly once.
        let inner = unsafe { ManuallyDrop::take(&mut me.inner) };
        (me.lock, inner)
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        happens_before(self.lock.tag());
        // SAFETY: the guard is dropped once, here; `unlocking` skips this drop.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// `std::sync::Condvar` for a [`Mutex`]: a wait unlocks and locks again, announced as such.
#[derive(Default)]
pub struct Condvar {
    inner: std::sync::Condvar,
}

impl Condvar {
    /// A condition variable nobody waits on.
    pub const fn new() -> Condvar {
        Condvar {
            inner: std::sync::Condvar::new(),
        }
    }

    /// As `std::sync::Condvar::wait`.
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let (lock, g) = guard.unlocking();
        match self.inner.wait(g) {
            Ok(g) => Ok(MutexGuard::locked(lock, g)),
            Err(e) => Err(PoisonError::new(MutexGuard::locked(lock, e.into_inner()))),
        }
    }

    /// As `std::sync::Condvar::wait_timeout`.
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let (lock, g) = guard.unlocking();
        match self.inner.wait_timeout(g, timeout) {
            Ok((g, r)) => Ok((MutexGuard::locked(lock, g), r)),
            Err(e) => {
                let (g, r) = e.into_inner();
                Err(PoisonError::new((MutexGuard::locked(lock, g), r)))
            }
        }
    }

    /// Wake one waiter.
    pub fn notify_one(&self) {
        self.inner.notify_one()
    }

    /// Wake every waiter.
    pub fn notify_all(&self) {
        self.inner.notify_all()
    }
}

/// `std::sync::OnceLock`: what the initialiser did happens before every use of the value.
pub struct OnceLock<T> {
    inner: std::sync::OnceLock<T>,
}

impl<T> OnceLock<T> {
    /// An empty cell.
    pub const fn new() -> OnceLock<T> {
        OnceLock {
            inner: std::sync::OnceLock::new(),
        }
    }

    fn tag(&self) -> usize {
        self as *const Self as usize
    }

    /// As `std::sync::OnceLock::get_or_init`.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        // The cell's own bytes (its state word, and the value stored after `f` returns) are
        // ordered by std's atomics; what `f` built elsewhere (heap) by the announcement made
        // before `f` returns, which precedes any thread's seeing the cell initialised.
        untrack(&self.inner);
        let v = self.inner.get_or_init(|| {
            let v = f();
            happens_before(self.tag());
            v
        });
        happens_after(self.tag());
        v
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> OnceLock<T> {
        OnceLock::new()
    }
}

/// Tags of channels: small numbers, never an address another annotation uses.
static NEXT_CHANNEL: AtomicUsize = AtomicUsize::new(1);

/// crossbeam's unbounded channel, whose messages are ordered (for helgrind) after what their
/// sender did before sending them. The channel's own slots are crossbeam's business (see
/// c-tests/helgrind-rust.supp).
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    // fetch_add is a read-modify-write, which helgrind never counts in a race.
    let tag = NEXT_CHANNEL.fetch_add(1, Ordering::Relaxed);
    (Sender { inner: tx, tag }, Receiver { inner: rx, tag })
}

/// The sending side of [`unbounded`].
pub struct Sender<T> {
    inner: crossbeam_channel::Sender<T>,
    tag: usize,
}

/// The receiving side of [`unbounded`].
pub struct Receiver<T> {
    inner: crossbeam_channel::Receiver<T>,
    tag: usize,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        Sender {
            inner: self.inner.clone(),
            tag: self.tag,
        }
    }
}

impl<T> Sender<T> {
    /// As `crossbeam_channel::Sender::send`.
    pub fn send(&self, msg: T) -> Result<(), crossbeam_channel::SendError<T>> {
        happens_before(self.tag);
        self.inner.send(msg)
    }
}

impl<T> Receiver<T> {
    fn received<E>(&self, r: Result<T, E>) -> Result<T, E> {
        if r.is_ok() {
            happens_after(self.tag);
        }
        r
    }

    /// As `crossbeam_channel::Receiver::try_recv`.
    pub fn try_recv(&self) -> Result<T, crossbeam_channel::TryRecvError> {
        self.received(self.inner.try_recv())
    }

    /// As `crossbeam_channel::Receiver::recv_timeout`.
    pub fn recv_timeout(
        &self,
        timeout: Duration,
    ) -> Result<T, crossbeam_channel::RecvTimeoutError> {
        self.received(self.inner.recv_timeout(timeout))
    }

    /// As `crossbeam_channel::Receiver::is_empty`.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn mutex_and_condvar_behave_as_std() {
        let m = Arc::new((Mutex::new(0u32), Condvar::new()));
        let m2 = m.clone();
        let t = std::thread::spawn(move || {
            *m2.0.lock().unwrap() = 1;
            m2.1.notify_all();
        });
        let mut g = m.0.lock().unwrap();
        while *g == 0 {
            g = m.1.wait(g).unwrap();
        }
        let (g, r) = m.1.wait_timeout(g, Duration::from_millis(1)).unwrap();
        assert!(r.timed_out());
        assert_eq!(*g, 1);
        drop(g);
        t.join().unwrap();
    }

    #[test]
    fn poisoned_mutex_still_gives_its_guard() {
        let m = Arc::new(Mutex::new(5));
        let m2 = m.clone();
        let _ = std::thread::spawn(move || {
            let _g = m2.lock().unwrap();
            panic!("poison it");
        })
        .join();
        let g = m.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(*g, 5);
    }

    #[test]
    fn channel_and_once_lock() {
        let (tx, rx) = unbounded();
        assert!(rx.is_empty());
        tx.clone().send(3).unwrap();
        assert_eq!(rx.try_recv(), Ok(3));
        assert!(rx.recv_timeout(Duration::from_millis(1)).is_err());
        let once = OnceLock::new();
        assert_eq!(*once.get_or_init(|| 1), 1);
        assert_eq!(*once.get_or_init(|| 2), 1);
    }
}
