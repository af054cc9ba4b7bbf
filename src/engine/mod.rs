//! The event loop: one mio `Poll` and one thread for the whole process, shared by every
//! client. It owns readiness and timers and calls into [`Driver`]s; it never runs user code
//! (drivers hand callbacks to the dispatcher) and never sleeps to poll (its one timed wait,
//! the pause of read coalescing under a stream of QoS 0 messages, ends at any command).
//!
//! Sockets are registered by whichever thread opened them (mio's registry is thread-safe);
//! the loop learns of the driver through a command and then makes one catch-up call, so an
//! edge that fired before the driver was known is never lost.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use mio::{Events, Poll, Registry, Token, Waker};

use crate::vg::{Mutex, MutexGuard, OnceLock, Receiver, Sender};

/// What a readiness event says about a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready {
    /// Bytes (or the end of the stream, or an error) can be read.
    pub readable: bool,
    /// Bytes can be written.
    pub writable: bool,
    /// The peer has closed its side or the socket has an error, possibly behind bytes still
    /// to read: read until the socket says it would block, since no further event will come.
    pub closed: bool,
}

/// Something the loop drives: one connection of one client.
pub trait Driver: Send + Sync {
    /// The socket has readiness (or this is the catch-up call after registration).
    /// Returns the next deadline at which [`Driver::on_timeout`] must run, if any.
    fn on_ready(&self, ready: Ready, now: Instant) -> Option<Instant>;
    /// A deadline passed (possibly early or stale: check the real deadline).
    /// Returns the next deadline.
    fn on_timeout(&self, now: Instant) -> Option<Instant>;
}

enum Command {
    Add(usize, Arc<dyn Driver>, Option<Instant>),
    Remove(usize),
    Schedule(usize, Instant),
    Flush(usize),
    /// Nothing to do: ends the pause of read coalescing (see [`EngineRef::nudge`]).
    Nudge,
    Stop,
}

const WAKER: Token = Token(usize::MAX);

struct Running {
    registry: Arc<Registry>,
    waker: Arc<Waker>,
    polling: Arc<AtomicBool>,
    tx: Sender<Command>,
    thread: Option<JoinHandle<()>>,
    users: usize,
}

static ENGINE: Mutex<Option<Running>> = Mutex::new(None);
/// Only added to: helgrind counts a read-modify-write as a read, never in a race.
static NEXT_TOKEN: AtomicUsize = AtomicUsize::new(1);
static ATFORK: std::sync::Once = std::sync::Once::new();

thread_local! {
    /// The engine lock, held by the forking thread from `prepare` to `parent`/`child`.
    static FORK_GUARD: std::cell::RefCell<Option<MutexGuard<'static, Option<Running>>>> =
        const { std::cell::RefCell::new(None) };
}

// fork() copies only the calling thread. These handlers take the library's global locks
// before the fork so that none is copied in a locked state, and in the child they forget
// the loop and the callback pool, whose threads do not exist there: the first client the
// child creates starts fresh ones.
extern "C" fn fork_prepare() {
    let g = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    FORK_GUARD.with(|f| *f.borrow_mut() = Some(g));
    crate::client::dispatch::fork_prepare();
    crate::bufpool::fork_prepare();
}

extern "C" fn fork_parent() {
    crate::bufpool::fork_done();
    crate::client::dispatch::fork_parent();
    FORK_GUARD.with(|f| drop(f.borrow_mut().take()));
}

extern "C" fn fork_child() {
    crate::bufpool::fork_done();
    crate::client::dispatch::fork_child();
    FORK_GUARD.with(|f| {
        if let Some(mut g) = f.borrow_mut().take() {
            // Its thread is gone: dropping it would try to stop and join that thread.
            std::mem::forget(g.take());
        }
    });
}

/// Housekeeping the loop runs at a time any thread may ask for: the time, on [`clock_ms`]'s
/// clock, or 0 when nothing is asked. A hint carrying no data (a late or early run is
/// harmless): helgrind is told to ignore it (when the loop starts) instead of ordering it.
struct Due(AtomicU64);

impl Due {
    const fn new() -> Due {
        Due(AtomicU64::new(0))
    }

    /// Ask for a run at `at` unless one is asked for already (a later request never
    /// postpones an earlier one; the run itself asks again if more is due later); wakes the
    /// loop when this asks. False when no loop runs (no client is left).
    fn ask(&self, at: u64) -> bool {
        let guard = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
        let Some(running) = guard.as_ref() else {
            return false;
        };
        if self.arm(at) {
            let _ = running.waker.wake();
        }
        true
    }

    /// [`Due::ask`] from the loop itself, which needs no wake-up; true if this asked.
    fn arm(&self, at: u64) -> bool {
        self.0
            .compare_exchange(0, at, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }

    /// The time asked for, if any.
    fn at(&self) -> Option<u64> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            at => Some(at),
        }
    }

    /// Whether the time asked for has come (`now`); if so the request is taken.
    fn take_if_due(&self, now: u64) -> bool {
        let due = self.at().is_some_and(|at| now >= at);
        if due {
            self.clear();
        }
        due
    }

    fn clear(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// Heap trimming: when a burst of messages has passed, the free pages it left all over the heap
/// go back to the system (glibc keeps them otherwise, and the process stays at its peak).
/// Trimming walks the whole heap, so it runs at most once per [`TRIM_EVERY_MS`]; one asked for
/// sooner is left to the loop, which runs it when the time comes.
const TRIM_EVERY_MS: u64 = 1000;
/// Milliseconds since [`clock_ms`]'s start of the last trim (0: never). A hint like [`Due`]'s.
static LAST_TRIM_MS: AtomicU64 = AtomicU64::new(0);
/// When the loop must trim.
static TRIM_DUE: Due = Due::new();
/// When the loop must free the large buffers that waited unused in [`crate::bufpool`].
static BUFFERS_DUE: Due = Due::new();

/// Milliseconds on the engine's clock (that of [`expire_buffers_at`]).
pub fn clock_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    // +1 so that no real time reads as the "never" / "nothing" zero.
    START.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

fn trim_now(now_ms: u64) {
    LAST_TRIM_MS.store(now_ms, Ordering::Relaxed);
    TRIM_DUE.clear();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only gives free memory back.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A burst of messages has passed: give free heap pages back, now or (rate-limited) soon.
pub fn release_free_memory() {
    let now = clock_ms();
    let last = LAST_TRIM_MS.load(Ordering::Relaxed);
    if last == 0 || now.saturating_sub(last) >= TRIM_EVERY_MS {
        return trim_now(now);
    }
    TRIM_DUE.ask(last + TRIM_EVERY_MS);
}

/// Have the loop call [`crate::bufpool::expire`] at `due` (see [`clock_ms`]), unless it is to
/// call it sooner already. False when no loop runs (no client is left).
pub fn expire_buffers_at(due: u64) -> bool {
    BUFFERS_DUE.ask(due)
}

/// How long the loop may sleep before housekeeping is due.
fn housekeeping_wait() -> Option<std::time::Duration> {
    let due = match (TRIM_DUE.at(), BUFFERS_DUE.at()) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(std::time::Duration::from_millis(
        due.saturating_sub(clock_ms()),
    ))
}

/// Run the housekeeping whose time has come.
fn housekeeping() {
    let now = clock_ms();
    if TRIM_DUE.take_if_due(now) {
        trim_now(now);
    }
    if BUFFERS_DUE.take_if_due(now) {
        if let Some(next) = crate::bufpool::expire(now) {
            BUFFERS_DUE.arm(next);
        }
    }
}

/// A client's hold on the engine: while any exists the loop runs; the last one dropped
/// stops and joins the loop thread.
pub struct EngineRef {
    /// Shared, not cloned: a clone would duplicate the epoll descriptor for every client.
    registry: Arc<Registry>,
    waker: Arc<Waker>,
    /// The loop is (about to be) blocked in poll: only then does a command need the waker.
    polling: Arc<AtomicBool>,
    tx: Sender<Command>,
}

impl EngineRef {
    /// Start the loop if needed and take a hold on it.
    pub fn acquire() -> io::Result<EngineRef> {
        ATFORK.call_once(|| {
            // SAFETY: registering three extern "C" functions that take no arguments.
            unsafe {
                libc::pthread_atfork(Some(fork_prepare), Some(fork_parent), Some(fork_child));
            }
        });
        let mut guard = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            // Before the loop thread exists, so before any store to them (see each).
            crate::vg::untrack(&LAST_TRIM_MS);
            crate::vg::untrack(&TRIM_DUE.0);
            crate::vg::untrack(&BUFFERS_DUE.0);
            crate::vg::untrack(&PAUSING);
            let poll = Poll::new()?;
            let registry = Arc::new(poll.registry().try_clone()?);
            let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
            let (tx, rx) = crate::vg::unbounded();
            let polling = Arc::new(AtomicBool::new(false));
            // A wake-up hint: what a command carries is ordered by the channel.
            crate::vg::untrack(&*polling);
            let in_loop = polling.clone();
            let thread = std::thread::Builder::new()
                .name("mqtt-engine".into())
                .spawn(move || run(poll, rx, &in_loop))?;
            *guard = Some(Running {
                registry,
                waker,
                polling,
                tx,
                thread: Some(thread),
                users: 0,
            });
        }
        let running = guard.as_mut().ok_or_else(|| io::Error::other("engine"))?;
        running.users += 1;
        Ok(EngineRef {
            registry: running.registry.clone(),
            waker: running.waker.clone(),
            polling: running.polling.clone(),
            tx: running.tx.clone(),
        })
    }

    /// The registry to register sockets with.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// A fresh token, never reused in this process.
    pub fn new_token(&self) -> usize {
        NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
    }

    /// Tell the loop about a registered socket's driver; it gets a catch-up `on_ready`.
    pub fn add(&self, token: usize, driver: Arc<dyn Driver>, deadline: Option<Instant>) {
        self.send(Command::Add(token, driver, deadline));
    }

    /// Forget a driver (its socket should be closed or deregistered by the caller).
    pub fn remove(&self, token: usize) {
        self.send(Command::Remove(token));
    }

    /// Make sure the driver's `on_timeout` runs no later than `at`.
    pub fn schedule(&self, token: usize, at: Instant) {
        self.send(Command::Schedule(token, at));
    }

    /// Have the loop write the driver's pending output (a writable readiness call), so
    /// that many sends in a row leave in one write.
    pub fn flush(&self, token: usize) {
        self.send(Command::Flush(token));
    }

    /// The caller wrote to a socket itself (a synchronous client): if the loop is in the
    /// pause of read coalescing, end it, so that the answer is read the moment it comes. (A
    /// nudge that just misses the pause's start costs at most one pause.)
    pub fn nudge(&self) {
        fence(Ordering::SeqCst);
        if PAUSING.load(Ordering::SeqCst) {
            let _ = self.tx.send(Command::Nudge);
        }
    }

    fn send(&self, cmd: Command) {
        if self.tx.send(cmd).is_err() {
            return;
        }
        // A loop in the middle of a round reads the commands before it blocks again (see
        // `run`): no write to the waker then. The fences pair with the loop's.
        fence(Ordering::SeqCst);
        if self.polling.load(Ordering::SeqCst) {
            let _ = self.waker.wake();
        }
    }
}

impl Drop for EngineRef {
    fn drop(&mut self) {
        let mut guard = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
        let last = match guard.as_mut() {
            Some(r) => {
                r.users = r.users.saturating_sub(1);
                r.users == 0
            }
            None => false,
        };
        if last {
            if let Some(mut r) = guard.take() {
                let _ = r.tx.send(Command::Stop);
                let _ = r.waker.wake();
                drop(guard);
                if let Some(t) = r.thread.take() {
                    // Never join ourselves (a driver dropping the last hold on the loop thread).
                    if t.thread().id() != std::thread::current().id() {
                        let _ = t.join();
                    }
                }
                // No loop is left to free them when they have waited long enough.
                crate::bufpool::clear();
            }
        }
    }
}

struct Entry {
    driver: Arc<dyn Driver>,
    deadline: Option<Instant>,
}

struct Loop {
    entries: HashMap<usize, Entry>,
    timers: BinaryHeap<Reverse<(Instant, usize)>>,
    /// A command taken off the channel by the coalescing pause, to run before the others.
    early: Option<Command>,
}

impl Loop {
    /// The pause of read coalescing (see [`COALESCE_BYTES`]): until [`PAUSE`] has passed or
    /// a command comes, which ends it (and runs first in the round).
    fn pause(&mut self, rx: &Receiver<Command>) {
        PAUSING.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if rx.is_empty() {
            if let Ok(cmd) = rx.recv_timeout(PAUSE) {
                self.early = Some(cmd);
            }
        }
        PAUSING.store(false, Ordering::Relaxed);
    }

    /// Record the driver's next deadline. A later deadline than the queued one needs no new
    /// timer: the queued one fires early and the driver answers with its real deadline.
    fn set_deadline(&mut self, token: usize, at: Option<Instant>) {
        let Some(e) = self.entries.get_mut(&token) else {
            return;
        };
        match at {
            None => e.deadline = None,
            Some(new) => {
                if e.deadline.is_none_or(|cur| new < cur) {
                    e.deadline = Some(new);
                    self.timers.push(Reverse((new, token)));
                }
            }
        }
    }
}

/// Mark the calling thread (the loop) as a batch thread for the Linux scheduler: when a
/// socket or a client wakes it, it no longer preempts the thread running on that CPU but
/// runs at that thread's next scheduling point. Without this, on a busy CPU each send of the
/// application woke the loop, which preempted the sender, wrote that one message and slept
/// again: a context switch pair per message instead of one write per burst. The loop runs no
/// user code, so nothing of the application inherits the policy; its CPU share is unchanged.
fn batch_scheduling() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread; SCHED_BATCH takes priority 0.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
    }
}

/// Read coalescing, as a network card moderates its interrupts: after a round that read at
/// least [`COALESCE_BYTES`] of QoS 0 messages (a stream, which nobody acknowledges), the loop
/// gives the sockets [`PAUSE`] to fill before it looks at them again. A broker writes each
/// message as it comes; read as they come, QoS 0 messages cost a round (poll, read, TCP ACK,
/// a callback worker's wake-up) every one or two messages, and the process spent about three
/// times the CPU per message. Any command of the application (a publish, a flush) ends the
/// pause at once; bytes arriving in it wait at most the pause plus the kernel's timer slack.
/// QoS 1 and 2 traffic never starts a pause: the broker's window and ours move with every
/// acknowledgement, so holding those back would only slow the flow.
const COALESCE_BYTES: usize = 256;
/// See [`COALESCE_BYTES`].
const PAUSE: std::time::Duration = std::time::Duration::from_micros(20);

/// The loop is in (or entering) the pause of read coalescing. A hint like `polling`, carrying
/// no data: untracked for helgrind when the loop starts.
static PAUSING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Bytes of QoS 0 messages the drivers read in this round of the loop.
    static ROUND_BYTES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A driver read a QoS 0 message of `n` bytes: counted toward this round's
/// [`COALESCE_BYTES`] (on the loop thread; on another thread, counted and never looked at).
pub fn note_unacked_read(n: usize) {
    ROUND_BYTES.with(|c| c.set(c.get() + n));
}

fn run(mut poll: Poll, rx: Receiver<Command>, polling: &AtomicBool) {
    batch_scheduling();
    let mut events = Events::with_capacity(1024);
    let mut lp = Loop {
        entries: HashMap::new(),
        timers: BinaryHeap::new(),
        early: None,
    };
    crate::trace!(Minimum, "event loop started");
    loop {
        if ROUND_BYTES.with(|c| c.replace(0)) >= COALESCE_BYTES {
            lp.pause(&rx);
        }
        // Say we are about to block, then look for commands sent before that: a sender
        // either sees the flag and wakes us, or its command is seen here (Dekker, with the
        // fence in `EngineRef::send`).
        polling.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let timeout = if rx.is_empty() && lp.early.is_none() {
            let timer = lp
                .timers
                .peek()
                .map(|Reverse((at, _))| at.saturating_duration_since(Instant::now()));
            match (timer, housekeeping_wait()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        } else {
            Some(std::time::Duration::ZERO)
        };
        let r = poll.poll(&mut events, timeout);
        polling.store(false, Ordering::Relaxed);
        if let Err(e) = r {
            if e.kind() != io::ErrorKind::Interrupted {
                crate::trace!(Severe, "event loop: poll failed: {e}");
            }
        }
        housekeeping();
        // The callbacks that every driver queues in this round reach the callback pool at its
        // end, in one go: one wake-up of a worker per round, not one per connection, and the
        // worker does not preempt the loop halfway through.
        if !crate::client::dispatch::batched(|| lp.round(&events, &rx)) {
            return;
        }
    }
}

impl Loop {
    /// Handle the commands, readiness events and due timers of one round; false on Stop.
    fn round(&mut self, events: &Events, rx: &Receiver<Command>) -> bool {
        let now = Instant::now();
        // Commands first, so that drivers added since the last round are known.
        while let Some(cmd) = self.early.take().or_else(|| rx.try_recv().ok()) {
            match cmd {
                Command::Add(token, driver, deadline) => {
                    self.entries.insert(
                        token,
                        Entry {
                            driver: driver.clone(),
                            deadline: None,
                        },
                    );
                    // Anything may have happened before the loop knew the driver.
                    let all = Ready {
                        readable: true,
                        writable: true,
                        closed: true,
                    };
                    let next = driver.on_ready(all, now);
                    let at = earliest(next, deadline);
                    self.set_deadline(token, at);
                }
                Command::Remove(token) => {
                    self.entries.remove(&token);
                }
                Command::Schedule(token, at) => self.set_deadline(token, Some(at)),
                Command::Flush(token) => {
                    if let Some(driver) = self.entries.get(&token).map(|e| e.driver.clone()) {
                        let write = Ready {
                            readable: false,
                            writable: true,
                            closed: false,
                        };
                        let next = driver.on_ready(write, now);
                        self.set_deadline(token, next);
                    }
                }
                Command::Nudge => {}
                Command::Stop => {
                    crate::trace!(Minimum, "event loop stopped: no client left");
                    return false;
                }
            }
        }
        for ev in events.iter() {
            let token = ev.token().0;
            if token == WAKER.0 {
                continue;
            }
            let Some(driver) = self.entries.get(&token).map(|e| e.driver.clone()) else {
                continue;
            };
            let closed = ev.is_read_closed() || ev.is_error();
            let readable = ev.is_readable() || closed;
            let writable = ev.is_writable() || ev.is_write_closed();
            crate::trace!(
                Maximum,
                "event loop: connection {token}{}{}",
                if readable { " readable" } else { "" },
                if writable { " writable" } else { "" }
            );
            let ready = Ready {
                readable,
                writable,
                closed,
            };
            let next = driver.on_ready(ready, now);
            self.set_deadline(token, next);
        }
        let now = Instant::now();
        while let Some(Reverse((at, token))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(entry) = self.entries.get_mut(&token) else {
                continue;
            };
            if entry.deadline != Some(at) {
                continue; // stale
            }
            entry.deadline = None;
            crate::trace!(Maximum, "event loop: timer of connection {token} due");
            let driver = entry.driver.clone();
            let next = driver.on_timeout(now);
            self.set_deadline(token, next);
        }
        true
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Counts its readiness calls; a streaming one also reports a QoS 0 stream read in each,
    /// so that the loop pauses after each of its rounds.
    struct Counter {
        calls: AtomicUsize,
        stream: bool,
    }

    impl Counter {
        /// A counter added to a hold on the engine: the hold, the counter, its token.
        fn registered(stream: bool) -> (Arc<EngineRef>, Arc<Counter>, usize) {
            let engine = Arc::new(EngineRef::acquire().expect("engine"));
            let counter = Arc::new(Counter {
                calls: AtomicUsize::new(0),
                stream,
            });
            let token = engine.new_token();
            engine.add(token, counter.clone(), None);
            (engine, counter, token)
        }
    }

    impl Driver for Counter {
        fn on_ready(&self, _: Ready, _: Instant) -> Option<Instant> {
            if self.stream {
                note_unacked_read(COALESCE_BYTES);
            }
            self.calls.fetch_add(1, Ordering::SeqCst);
            None
        }
        fn on_timeout(&self, _: Instant) -> Option<Instant> {
            None
        }
    }

    /// Send a flush and wait (spinning, so as not to disturb the loop's timing) until it ran.
    fn flush_and_wait(engine: &EngineRef, token: usize, counter: &Counter) {
        let before = counter.calls.load(Ordering::SeqCst);
        engine.flush(token);
        let deadline = Instant::now() + Duration::from_secs(10);
        while counter.calls.load(Ordering::SeqCst) == before {
            assert!(Instant::now() < deadline, "a flush was never run");
            std::hint::spin_loop();
        }
    }

    /// Each command is sent when the loop has just finished the previous one, i.e. about to
    /// block: a command that slipped between its look at the queue and its sleep, without a
    /// write to the waker, would never be run (no timer wakes the loop here).
    #[test]
    fn a_command_sent_as_the_loop_goes_to_sleep_is_not_lost() {
        let (engine, counter, token) = Counter::registered(false);
        // One sender: with several, one's command could be run on another's wake-up.
        let sender = {
            let (engine, counter) = (engine.clone(), counter.clone());
            std::thread::spawn(move || {
                for _ in 0..3000 {
                    flush_and_wait(&engine, token, &counter);
                }
            })
        };
        assert!(sender.join().is_ok());
        engine.remove(token);
    }

    /// The command that ends a coalescing pause is kept and run, not dropped: every flush
    /// sent while the loop pauses after each round is answered.
    #[test]
    fn a_command_that_ends_a_coalescing_pause_is_run() {
        let (engine, counter, token) = Counter::registered(true);
        for _ in 0..2000 {
            flush_and_wait(&engine, token, &counter);
        }
        // A nudge with no pause to end, or one that ends it: either way nothing breaks.
        engine.nudge();
        engine.remove(token);
    }
}
