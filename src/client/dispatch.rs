//! Running user callbacks: each client has a serial queue, so its callbacks run one at a time
//! and in order; the queues are served by a shared pool of threads, so a callback that blocks
//! holds up only its own client. Threads start lazily, grow when every worker is busy, and
//! are joined when the last holder of the pool goes away.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{JoinHandle, ThreadId};

use crate::vg::{Condvar, Mutex, MutexGuard};

/// A job of a [`SerialQueue`]: run once, on a pool thread.
pub trait Task: Send + 'static {
    /// Run it.
    fn run(self);
}

/// The general job: any closure.
pub type Job = Box<dyn FnOnce() + Send>;

impl Task for Job {
    fn run(self) {
        self()
    }
}

struct QState<T> {
    jobs: VecDeque<T>,
    scheduled: bool,
    running_on: Option<ThreadId>,
    closed: bool,
    /// Threads in [`SerialQueue::close`] waiting for a running job: only then does the
    /// worker signal `idle` (a futex call per drained queue otherwise).
    closers: usize,
    /// Most jobs queued at once since the queue last ran dry.
    peak: usize,
}

struct QueueInner<T> {
    st: Mutex<QState<T>>,
    idle: Condvar,
}

/// What the pool sees of a queue, whatever its task type.
trait Runnable: Send + Sync {
    /// Run the queued jobs until the queue is empty or closed.
    fn run_queue(&self);
}

type Ready = Arc<dyn Runnable>;

thread_local! {
    /// Queues that got work while [`batched`] runs on this thread, to be handed to the pool
    /// once at its end.
    static DEFERRED: std::cell::RefCell<Option<Vec<Ready>>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `f`, handing the queues it fills to the pool only when it returns: a read of many
/// packets wakes a worker once, not once per callback.
pub fn batched<R>(f: impl FnOnce() -> R) -> R {
    let outer = DEFERRED.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_some() {
            false
        } else {
            *d = Some(Vec::new());
            true
        }
    });
    let r = f();
    if outer {
        let list = DEFERRED.with(|d| d.borrow_mut().take()).unwrap_or_default();
        if !list.is_empty() {
            let mut g = lock_pool();
            let mut wake = 0;
            for q in list {
                wake += usize::from(submit_locked(&mut g, q));
            }
            drop(g);
            for _ in 0..wake {
                WORK.notify_one();
            }
        }
    }
    r
}

/// One client's serial callback queue, of closures or of a task type of its own (so that the
/// common jobs need no allocation each).
pub struct SerialQueue<T: Task = Job> {
    inner: Arc<QueueInner<T>>,
    _pool: PoolRef,
}

/// The shared workers and the queues waiting for one. Workers sleep on [`WORK`]; a
/// submission wakes one only when one sleeps, so a busy pool costs no system call.
struct Pool {
    /// Queues with work that no worker has taken yet, in submission order.
    ready: VecDeque<Ready>,
    threads: Vec<JoinHandle<()>>,
    /// Workers asleep on `WORK` that no submission has woken yet.
    idle: usize,
    /// Wake-ups sent on `WORK` and not yet taken by a worker.
    wakeups: usize,
    users: usize,
    /// Which pool this is: workers of a pool that was stopped leave even if a new one starts.
    generation: u64,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);
static WORK: Condvar = Condvar::new();
/// Only added to: helgrind counts a read-modify-write as a read, never in a race.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// When a worker last picked up a queue or finished a job, in ms of the coarse clock. A hint
/// carrying no data: untracked for helgrind (when a queue is made, before any worker runs).
static LAST_PROGRESS: AtomicU64 = AtomicU64::new(0);

/// Milliseconds of CLOCK_MONOTONIC_COARSE: a few ns to read, where a job costs a few µs;
/// its resolution (a few ms) is fine against STALL.
fn coarse_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a timespec to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    (ts.tv_sec as u64) * 1000 + (ts.tv_nsec as u64) / 1_000_000
}

fn lock_pool() -> MutexGuard<'static, Option<Pool>> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    static FORK_GUARD: std::cell::RefCell<Option<MutexGuard<'static, Option<Pool>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Before fork(): hold the pool lock (see the engine's fork handlers).
pub(crate) fn fork_prepare() {
    let g = lock_pool();
    FORK_GUARD.with(|f| *f.borrow_mut() = Some(g));
}

/// After fork(), in the parent: release it.
pub(crate) fn fork_parent() {
    FORK_GUARD.with(|f| drop(f.borrow_mut().take()));
}

/// After fork(), in the child: forget the pool, whose workers do not exist here.
pub(crate) fn fork_child() {
    FORK_GUARD.with(|f| {
        if let Some(mut g) = f.borrow_mut().take() {
            std::mem::forget(g.take());
        }
    });
}

/// A drained job queue with at most this many slots frees them (see `run_queue`).
const SMALL_QUEUE: usize = 16;

/// Most worker threads the pool starts; beyond that, queues wait for a free worker.
const MAX_WORKERS: usize = 256;
/// Workers started on demand without further ado.
const MIN_WORKERS: usize = 2;
/// When every worker is busy and none has finished a job for this long, they are taken to
/// be blocked in callbacks, and the next submission starts another worker. So a callback
/// that blocks holds up only its own client, while thousands of clients with short
/// callbacks share a couple of threads.
const STALL_MS: u64 = 20;

struct PoolRef;

impl PoolRef {
    fn acquire() -> PoolRef {
        crate::vg::untrack(&LAST_PROGRESS);
        let mut g = lock_pool();
        let pool = g.get_or_insert_with(|| Pool {
            ready: VecDeque::new(),
            threads: Vec::new(),
            idle: 0,
            wakeups: 0,
            users: 0,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
        });
        pool.users += 1;
        PoolRef
    }
}

/// Hand a queue with work to the pool: claim a sleeping worker if there is one (true: the
/// caller signals `WORK` once it has let go of the pool lock, so that the worker does not
/// wake into a held lock), else start a worker if fewer than MIN_WORKERS run or they all look
/// stalled; otherwise the queue waits for the next worker to finish what it is running.
fn submit_locked(g: &mut Option<Pool>, q: Ready) -> bool {
    let Some(pool) = g.as_mut() else {
        return false;
    };
    pool.ready.push_back(q);
    if pool.idle > 0 {
        pool.idle -= 1;
        pool.wakeups += 1;
        return true;
    }
    let n = pool.threads.len();
    let stalled = || coarse_ms().saturating_sub(LAST_PROGRESS.load(Ordering::Relaxed)) > STALL_MS;
    if n >= MAX_WORKERS || (n >= MIN_WORKERS && !stalled()) {
        return false;
    }
    let generation = pool.generation;
    if let Ok(t) = std::thread::Builder::new()
        .name("mqtt-callbacks".into())
        .spawn(move || worker(generation))
    {
        pool.threads.push(t);
        // A worker just started counts as progress: the submissions right behind this one
        // wait for it instead of each starting another.
        LAST_PROGRESS.store(coarse_ms(), Ordering::Relaxed);
    }
    false
}

impl Drop for PoolRef {
    fn drop(&mut self) {
        let mut g = lock_pool();
        let last = g.as_mut().is_some_and(|p| {
            p.users = p.users.saturating_sub(1);
            p.users == 0
        });
        if !last {
            return;
        }
        if let Some(pool) = g.take() {
            drop(g);
            WORK.notify_all();
            let me = std::thread::current().id();
            for t in pool.threads {
                if t.thread().id() != me {
                    let _ = t.join();
                }
            }
        }
    }
}

fn worker(generation: u64) {
    // A trace callback may wait for a callback on this thread (destroy does): API calls made
    // here must not wait for the trace thread in turn.
    crate::trace::no_sync();
    let mut g = lock_pool();
    loop {
        let Some(pool) = g.as_mut().filter(|p| p.generation == generation) else {
            return;
        };
        if let Some(q) = pool.ready.pop_front() {
            drop(g);
            q.run_queue();
            drop(q);
            g = lock_pool();
            continue;
        }
        pool.idle += 1;
        loop {
            g = WORK.wait(g).unwrap_or_else(|e| e.into_inner());
            let Some(pool) = g.as_mut().filter(|p| p.generation == generation) else {
                return;
            };
            if pool.wakeups > 0 {
                pool.wakeups -= 1;
                break;
            }
            // A spurious wake-up: still counted in `idle`.
        }
    }
}

impl<T: Task> Runnable for QueueInner<T> {
    fn run_queue(&self) {
        run_queue(self)
    }
}

fn run_queue<T: Task>(q: &QueueInner<T>) {
    // Picking up work counts as progress too: a pool idle for long is not a stalled one.
    LAST_PROGRESS.store(coarse_ms(), Ordering::Relaxed);
    let me = std::thread::current().id();
    let mut st = q.st.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let job = match st.jobs.pop_front() {
            Some(j) if !st.closed => j,
            _ => {
                // A drained queue gives a small buffer back (10,000 idle clients kept ~700
                // bytes each in theirs); a large one, grown by a stream, stays for the next
                // burst.
                if st.jobs.capacity() <= SMALL_QUEUE {
                    st.jobs = VecDeque::new();
                } else {
                    st.jobs.clear();
                }
                st.scheduled = false;
                st.running_on = None;
                if st.closers > 0 {
                    q.idle.notify_all();
                }
                let burst = std::mem::take(&mut st.peak) >= super::BURST;
                drop(st);
                if burst {
                    // Thousands of messages delivered in a row leave holes all over the
                    // heap: give the free pages back.
                    crate::engine::release_free_memory();
                }
                return;
            }
        };
        st.running_on = Some(me);
        drop(st);
        // A panicking callback must not take the worker or the process down.
        let _ = catch_unwind(AssertUnwindSafe(|| job.run()));
        LAST_PROGRESS.store(coarse_ms(), Ordering::Relaxed);
        st = q.st.lock().unwrap_or_else(|e| e.into_inner());
        st.running_on = None;
        // Only close() waits for this.
        if st.closers > 0 {
            q.idle.notify_all();
        }
    }
}

impl<T: Task> SerialQueue<T> {
    /// A new, empty queue holding the pool open.
    pub fn new() -> SerialQueue<T> {
        SerialQueue {
            inner: Arc::new(QueueInner {
                st: Mutex::new(QState {
                    jobs: VecDeque::new(),
                    scheduled: false,
                    running_on: None,
                    closed: false,
                    closers: 0,
                    peak: 0,
                }),
                idle: Condvar::new(),
            }),
            _pool: PoolRef::acquire(),
        }
    }

    /// Queue a job after those already queued.
    pub fn post(&self, job: T) {
        self.push(job, false);
    }

    /// Queue a job before those already queued (redelivery of a refused message).
    pub fn post_front(&self, job: T) {
        self.push(job, true);
    }

    fn push(&self, job: T, front: bool) {
        let mut st = self.inner.st.lock().unwrap_or_else(|e| e.into_inner());
        if st.closed {
            return;
        }
        if front {
            st.jobs.push_front(job);
        } else {
            st.jobs.push_back(job);
        }
        st.peak = st.peak.max(st.jobs.len());
        if !st.scheduled {
            st.scheduled = true;
            drop(st);
            let deferred = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
                Some(list) => {
                    list.push(self.inner.clone());
                    true
                }
                None => false,
            });
            if !deferred {
                let mut g = lock_pool();
                let wake = submit_locked(&mut g, self.inner.clone());
                drop(g);
                if wake {
                    WORK.notify_one();
                }
            }
        }
    }

    /// Whether the calling thread is running one of this queue's jobs right now.
    pub fn is_current(&self) -> bool {
        let st = self.inner.st.lock().unwrap_or_else(|e| e.into_inner());
        st.running_on == Some(std::thread::current().id())
    }

    /// Drop queued jobs, refuse new ones, and wait for a running job to finish (unless it is
    /// the caller's own: destroy from inside a callback).
    pub fn close(&self) {
        let me = std::thread::current().id();
        let mut st = self.inner.st.lock().unwrap_or_else(|e| e.into_inner());
        st.closed = true;
        st.jobs.clear();
        st.closers += 1;
        while st.running_on.is_some() && st.running_on != Some(me) {
            st = self.inner.idle.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.closers -= 1;
    }
}

impl<T: Task> Default for SerialQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_queue_runs_its_jobs_in_order_one_at_a_time() {
        let q: SerialQueue = SerialQueue::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        for i in 0..500 {
            let (seen, tx) = (seen.clone(), tx.clone());
            q.post(Box::new(move || {
                seen.lock().map(|mut v| v.push(i)).ok();
                if i == 499 {
                    tx.send(()).ok();
                }
            }));
        }
        assert!(rx.recv_timeout(Duration::from_secs(10)).is_ok());
        let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(seen, (0..500).collect::<Vec<_>>());
    }

    #[test]
    fn a_blocked_job_holds_up_only_its_own_queue() {
        let (slow, fast): (SerialQueue, SerialQueue) = (SerialQueue::new(), SerialQueue::new());
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel();
        slow.post(Box::new(move || {
            started_tx.send(()).ok();
            release_rx.recv_timeout(Duration::from_secs(10)).ok();
        }));
        assert!(started_rx.recv_timeout(Duration::from_secs(10)).is_ok());
        // Every other worker may be busy too: the stall check starts another one.
        let (done_tx, done_rx) = mpsc::channel();
        for i in 0..20 {
            let done_tx = done_tx.clone();
            fast.post(Box::new(move || {
                done_tx.send(i).ok();
            }));
            std::thread::sleep(Duration::from_millis(5));
        }
        let got: Vec<i32> = (0..20)
            .map_while(|_| done_rx.recv_timeout(Duration::from_secs(5)).ok())
            .collect();
        release_tx.send(()).ok();
        assert_eq!(got, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn nothing_runs_after_close_from_inside_a_job() {
        let q = Arc::new(SerialQueue::<Job>::new());
        let ran = Arc::new(AtomicU64::new(0));
        let (tx, rx) = mpsc::channel();
        {
            let (q2, ran) = (q.clone(), ran.clone());
            q.post(Box::new(move || {
                ran.fetch_add(1, Ordering::SeqCst);
                q2.close();
                tx.send(()).ok();
            }));
        }
        for _ in 0..10 {
            let ran = ran.clone();
            q.post(Box::new(move || {
                ran.fetch_add(100, Ordering::SeqCst);
            }));
        }
        assert!(rx.recv_timeout(Duration::from_secs(10)).is_ok());
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}
