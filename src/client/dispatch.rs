//! Running user callbacks: each client has a serial queue, so its callbacks run one at a time
//! and in order; the queues are served by a shared pool of threads, so a callback that blocks
//! holds up only its own client. Threads start lazily, grow when every worker is busy, and
//! are joined when the last holder of the pool goes away.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::{JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct QState {
    jobs: VecDeque<Job>,
    scheduled: bool,
    running_on: Option<ThreadId>,
    closed: bool,
    /// Most jobs queued at once since the queue last ran dry.
    peak: usize,
}

struct QueueInner {
    st: Mutex<QState>,
    idle: Condvar,
}

/// A queue waiting to be handed to the pool, with the pool's sender.
type Deferred = (Arc<QueueInner>, Sender<Work>);

thread_local! {
    /// Queues that got work while [`batched`] runs on this thread, to be handed to the pool
    /// once at its end.
    static DEFERRED: std::cell::RefCell<Option<Vec<Deferred>>> =
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
        for (q, tx) in list {
            submit_to(&tx, q);
        }
    }
    r
}

/// One client's serial callback queue.
pub struct SerialQueue {
    inner: Arc<QueueInner>,
    pool: PoolRef,
}

enum Work {
    Run(Arc<QueueInner>),
    Stop,
}

struct Pool {
    tx: Sender<Work>,
    rx: Receiver<Work>,
    threads: Vec<JoinHandle<()>>,
    idle: usize,
    users: usize,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

thread_local! {
    static FORK_GUARD: std::cell::RefCell<Option<std::sync::MutexGuard<'static, Option<Pool>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Before fork(): hold the pool lock (see the engine's fork handlers).
pub(crate) fn fork_prepare() {
    let g = POOL.lock().unwrap_or_else(|e| e.into_inner());
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

/// Most worker threads the pool starts; beyond that, queues wait for a free worker.
const MAX_WORKERS: usize = 256;
/// Workers started on demand without further ado.
const MIN_WORKERS: usize = 2;
/// When every worker is busy and none has finished a job for this long, they are taken to
/// be blocked in callbacks, and the next submission starts another worker. So a callback
/// that blocks holds up only its own client, while thousands of clients with short
/// callbacks share a couple of threads.
const STALL: Duration = Duration::from_millis(20);

/// Nanoseconds since `EPOCH` when a worker last finished a job.
static LAST_PROGRESS: AtomicU64 = AtomicU64::new(0);
static EPOCH: OnceLock<Instant> = OnceLock::new();

fn nanos_now() -> u64 {
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

struct PoolRef {
    tx: Sender<Work>,
}

impl PoolRef {
    fn acquire() -> PoolRef {
        let mut g = POOL.lock().unwrap_or_else(|e| e.into_inner());
        let pool = g.get_or_insert_with(|| {
            let (tx, rx) = crossbeam_channel::unbounded();
            Pool {
                tx,
                rx,
                threads: Vec::new(),
                idle: 0,
                users: 0,
            }
        });
        pool.users += 1;
        PoolRef {
            tx: pool.tx.clone(),
        }
    }

    fn submit(&self, q: Arc<QueueInner>) {
        submit_to(&self.tx, q);
    }
}

/// Hand a queue with work to the pool, starting a worker if none is idle and either fewer
/// than MIN_WORKERS run or they all look stalled.
fn submit_to(tx: &Sender<Work>, q: Arc<QueueInner>) {
    {
        let mut g = POOL.lock().unwrap_or_else(|e| e.into_inner());
        // (the lock is released at the end of this block, before the send)
        if let Some(pool) = g.as_mut() {
            pool.threads.retain(|t| !t.is_finished());
            let n = pool.threads.len();
            let stalled = || {
                let last = LAST_PROGRESS.load(Ordering::Relaxed);
                nanos_now().saturating_sub(last) > STALL.as_nanos() as u64
            };
            if pool.idle == 0 && n < MAX_WORKERS && (n < MIN_WORKERS || stalled()) {
                let rx = pool.rx.clone();
                if let Ok(t) = std::thread::Builder::new()
                    .name("mqtt-callbacks".into())
                    .spawn(move || worker(rx))
                {
                    pool.threads.push(t);
                }
            } else if pool.idle > 0 {
                pool.idle -= 1; // that worker is now spoken for
            }
        }
    }
    let _ = tx.send(Work::Run(q));
}

impl Drop for PoolRef {
    fn drop(&mut self) {
        let mut g = POOL.lock().unwrap_or_else(|e| e.into_inner());
        let last = g.as_mut().is_some_and(|p| {
            p.users = p.users.saturating_sub(1);
            p.users == 0
        });
        if !last {
            return;
        }
        if let Some(pool) = g.take() {
            drop(g);
            for _ in 0..pool.threads.len() {
                let _ = pool.tx.send(Work::Stop);
            }
            let me = std::thread::current().id();
            for t in pool.threads {
                if t.thread().id() != me {
                    let _ = t.join();
                }
            }
        }
    }
}

fn worker(rx: Receiver<Work>) {
    // A trace callback may wait for a callback on this thread (destroy does): API calls made
    // here must not wait for the trace thread in turn.
    crate::trace::no_sync();
    loop {
        let work = rx.recv();
        match work {
            Ok(Work::Run(q)) => run_queue(&q),
            Ok(Work::Stop) | Err(_) => return,
        }
        let mut g = POOL.lock().unwrap_or_else(|e| e.into_inner());
        match g.as_mut() {
            Some(pool) => pool.idle += 1,
            None => return,
        }
    }
}

fn run_queue(q: &QueueInner) {
    // Picking up work counts as progress too: a pool idle for long is not a stalled one.
    LAST_PROGRESS.store(nanos_now(), Ordering::Relaxed);
    let me = std::thread::current().id();
    loop {
        let job = {
            let mut st = q.st.lock().unwrap_or_else(|e| e.into_inner());
            match st.jobs.pop_front() {
                Some(j) if !st.closed => {
                    st.running_on = Some(me);
                    j
                }
                _ => {
                    st.jobs.clear();
                    st.scheduled = false;
                    st.running_on = None;
                    let burst = std::mem::take(&mut st.peak) >= super::BURST;
                    q.idle.notify_all();
                    drop(st);
                    if burst {
                        // Thousands of messages delivered in a row leave holes all over the
                        // heap: give the free pages back.
                        crate::engine::release_free_memory();
                    }
                    return;
                }
            }
        };
        // A panicking callback must not take the worker or the process down.
        let _ = catch_unwind(AssertUnwindSafe(job));
        LAST_PROGRESS.store(nanos_now(), Ordering::Relaxed);
        let mut st = q.st.lock().unwrap_or_else(|e| e.into_inner());
        st.running_on = None;
        // Only close() waits for this.
        if st.closed {
            q.idle.notify_all();
        }
    }
}

impl SerialQueue {
    /// A new, empty queue holding the pool open.
    pub fn new() -> SerialQueue {
        SerialQueue {
            inner: Arc::new(QueueInner {
                st: Mutex::new(QState::default()),
                idle: Condvar::new(),
            }),
            pool: PoolRef::acquire(),
        }
    }

    /// Queue a job after those already queued.
    pub fn post(&self, job: Job) {
        self.push(job, false);
    }

    /// Queue a job before those already queued (redelivery of a refused message).
    pub fn post_front(&self, job: Job) {
        self.push(job, true);
    }

    fn push(&self, job: Job, front: bool) {
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
                    list.push((self.inner.clone(), self.pool.tx.clone()));
                    true
                }
                None => false,
            });
            if !deferred {
                self.pool.submit(self.inner.clone());
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
        while st.running_on.is_some() && st.running_on != Some(me) {
            st = self.inner.idle.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Default for SerialQueue {
    fn default() -> Self {
        Self::new()
    }
}
