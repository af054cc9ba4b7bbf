//! Tracing in Paho's terms: levels MAXIMUM(1) .. FATAL(7), an application callback set with
//! `setTraceCallback`, one level for everything set with `setTraceLevel` or
//! `MQTT_C_CLIENT_TRACE_LEVEL` (MINIMUM when neither says), and `MQTT_C_CLIENT_TRACE`
//! (ON/stdout, stderr, or a file name) to write the lines out.
//!
//! What each level adds (each level prints its own lines and those of every level above):
//! - FATAL, SEVERE: the library itself is broken (a panic caught at the C boundary, the event
//!   loop failing).
//! - ERROR: a call or a connection failed, and why (which option, file, OpenSSL reason).
//! - PROTOCOL: one line per MQTT packet sent or received, the TLS handshake and certificate
//!   checks.
//! - MINIMUM: the main steps of each client: create, connect attempts and sockets, publish,
//!   subscribe, completions, messages handed to the application, disconnect, destroy.
//! - MEDIUM: every API call with its result, every application callback run.
//! - MAXIMUM: bytes read and written, event loop wake-ups and timers, TLS records.
//!
//! Cost when off: [`enabled`] is one relaxed atomic load, and the [`crate::trace!`] macro
//! formats nothing unless it says yes.
//!
//! The callback never runs on the thread that traced the line: lines go to a queue that one
//! trace thread (started on demand, gone when the queue is empty) hands to the callback in
//! order. So the callback never runs under a lock of ours nor on the event loop thread, and
//! it may call any API function, `setTraceLevel` and `setTraceCallback` included. What it
//! traces itself is dropped rather than fed back to it. Each API function waits, before it
//! returns, until the lines traced so far have been delivered ([`sync`]), so a caller sees
//! the lines of a call by the time the call returns, as with Paho.

use crate::vg::{Condvar, Mutex, MutexGuard, OnceLock};
use std::cell::Cell;
use std::collections::VecDeque;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};

/// Paho's trace levels (MQTTCLIENT_TRACE_LEVELS / MQTTASYNC_TRACE_LEVELS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Everything: I/O sizes, event loop wake-ups, TLS records.
    Maximum = 1,
    /// API calls and application callbacks.
    Medium = 2,
    /// Main steps.
    Minimum = 3,
    /// One line per packet sent or received; TLS handshake.
    Protocol = 4,
    /// Errors.
    Error = 5,
    /// Severe errors.
    Severe = 6,
    /// Fatal errors.
    Fatal = 7,
}

/// Trace a line at a level, formatting it only when that level is traced:
/// `trace!(Minimum, "{id}: connecting to {uri}")`.
#[macro_export]
macro_rules! trace {
    ($level:ident, $($arg:tt)+) => {
        if $crate::trace::enabled($crate::trace::Level::$level) {
            $crate::trace::log($crate::trace::Level::$level, &::std::format!($($arg)+));
        }
    };
}

/// A trace callback as C gives it: `void cb(enum LEVELS level, char* message)`.
pub type CCallback = unsafe extern "C" fn(level: i32, message: *mut libc::c_char);

// CALLBACK, LEVEL and THRESHOLD are settings read without a lock; the function a callback
// points to is code, not data another thread wrote. For helgrind they are untracked (at each
// store) rather than ordered.
static CALLBACK: AtomicUsize = AtomicUsize::new(0);

/// No level set by `setTraceLevel` yet: the environment's (or MINIMUM) applies.
const UNSET: i32 = i32::MIN;
/// The level set by `setTraceLevel`, or UNSET.
static LEVEL: AtomicI32 = AtomicI32::new(UNSET);

/// [`THRESHOLD`] before the environment was read.
const NOT_READ: i32 = i32::MIN;
/// [`THRESHOLD`] when no line goes anywhere.
const OFF: i32 = i32::MAX;
/// The lowest level that goes anywhere: the trace level when a callback is set or
/// `MQTT_C_CLIENT_TRACE` names a destination, else OFF.
static THRESHOLD: AtomicI32 = AtomicI32::new(NOT_READ);
/// Serialises recomputing THRESHOLD (concurrent setters must not store a stale value).
static RECOMPUTE: Mutex<()> = Mutex::new(());

enum Sink {
    Stdout,
    Stderr,
    File(std::fs::File),
}

struct EnvTrace {
    /// Where `MQTT_C_CLIENT_TRACE` sends the lines, if anywhere.
    sink: Option<Sink>,
    /// `MQTT_C_CLIENT_TRACE_LEVEL`, if given and known.
    level: Option<i32>,
}

static ENV: OnceLock<EnvTrace> = OnceLock::new();

thread_local! {
    /// Set on the trace thread: lines traced while the callback runs are dropped.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
    /// Set on threads whose API calls must not wait for the trace thread (see `no_sync`).
    static NO_SYNC: Cell<bool> = const { Cell::new(false) };
}

fn env_trace() -> &'static EnvTrace {
    ENV.get_or_init(|| {
        let sink = std::env::var("MQTT_C_CLIENT_TRACE")
            .ok()
            .filter(|d| !d.is_empty())
            .and_then(|dest| match dest.as_str() {
                "ON" | "on" | "stdout" => Some(Sink::Stdout),
                "stderr" => Some(Sink::Stderr),
                path => std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .ok()
                    .map(Sink::File),
            });
        let level = std::env::var("MQTT_C_CLIENT_TRACE_LEVEL")
            .ok()
            .and_then(|l| parse_level(&l));
        EnvTrace { sink, level }
    })
}

/// A level name as `MQTT_C_CLIENT_TRACE_LEVEL` gives it (Paho also accepts a TRACE_ prefix).
fn parse_level(name: &str) -> Option<i32> {
    let name = name.trim();
    let name = name.strip_prefix("TRACE_").unwrap_or(name);
    Some(match name {
        "MAXIMUM" => 1,
        "MEDIUM" => 2,
        "MINIMUM" => 3,
        "PROTOCOL" => 4,
        "ERROR" => 5,
        "SEVERE" => 6,
        "FATAL" => 7,
        _ => return None,
    })
}

/// The level in force: `setTraceLevel`'s, else the environment's, else MINIMUM (as Paho).
fn level() -> i32 {
    match LEVEL.load(Ordering::SeqCst) {
        UNSET => env_trace().level.unwrap_or(Level::Minimum as i32),
        l => l,
    }
}

fn recompute() {
    let _g = RECOMPUTE.lock().unwrap_or_else(|e| e.into_inner());
    let on = CALLBACK.load(Ordering::SeqCst) != 0 || env_trace().sink.is_some();
    crate::vg::untrack(&THRESHOLD);
    THRESHOLD.store(if on { level() } else { OFF }, Ordering::SeqCst);
}

/// Install (or with `None` remove) the application's trace callback.
pub fn set_callback(cb: Option<CCallback>) {
    crate::vg::untrack(&CALLBACK);
    CALLBACK.store(cb.map_or(0, |f| f as usize), Ordering::SeqCst);
    recompute();
}

/// Set the trace level (for the callback and for `MQTT_C_CLIENT_TRACE` alike, as Paho).
pub fn set_level(level: i32) {
    // NOT_READ is reserved; anything at or below MAXIMUM traces everything anyway.
    crate::vg::untrack(&LEVEL);
    LEVEL.store(level.max(NOT_READ + 1), Ordering::SeqCst);
    recompute();
}

/// Whether a line at `level` would go anywhere (to skip formatting otherwise).
#[inline]
pub fn enabled(level: Level) -> bool {
    let t = THRESHOLD.load(Ordering::Relaxed);
    level as i32 >= t && (t != NOT_READ || first_enabled(level))
}

#[cold]
fn first_enabled(level: Level) -> bool {
    recompute();
    level as i32 >= THRESHOLD.load(Ordering::SeqCst)
}

/// Loaded and swapped only: helgrind counts a swap as a read, so no race is reported on it.
static BANNER: AtomicBool = AtomicBool::new(false);

/// Emit one trace line.
pub fn log(level: Level, msg: &str) {
    if !enabled(level) || IN_CALLBACK.with(Cell::get) {
        return;
    }
    // Which library and OpenSSL produced the trace, once, as Paho's trace starts.
    if !BANNER.load(Ordering::Relaxed)
        && enabled(Level::Minimum)
        && !BANNER.swap(true, Ordering::SeqCst)
    {
        for line in banner() {
            emit(Level::Minimum, &line);
        }
    }
    emit(level, msg);
}

fn banner() -> Vec<String> {
    #[allow(unused_mut)]
    let mut v = vec![format!(
        "trace of paho-mqtt-c-rs {} (the Eclipse Paho MQTT C client API in Rust), level {}",
        env!("CARGO_PKG_VERSION"),
        level()
    )];
    #[cfg(feature = "tls")]
    v.push(format!("TLS by {}", openssl::version::version()));
    v
}

fn emit(level: Level, msg: &str) {
    // Paho starts every trace line with the time, for the callback as for the file.
    let line = format!("{} {}", timestamp(), msg);
    if let Some(sink) = &env_trace().sink {
        write_line(sink, &line);
    }
    if CALLBACK.load(Ordering::SeqCst) != 0 {
        enqueue(level as i32, line);
    }
}

extern "C" {
    static mut stdout: *mut libc::FILE;
    static mut stderr: *mut libc::FILE;
}

/// Write a line through C's own stdout/stderr (so it keeps its place among the program's
/// printf output, as Paho's does), or to the file in one write.
fn write_line(sink: &Sink, line: &str) {
    let file = match sink {
        Sink::File(f) => {
            use std::io::Write;
            let mut f: &std::fs::File = f;
            let _ = f.write_all(format!("{line}\n").as_bytes());
            return;
        }
        // SAFETY: reading C's stdout/stderr pointers, which libc initialises before main.
        Sink::Stdout => unsafe { *std::ptr::addr_of!(stdout) },
        // SAFETY: as above.
        Sink::Stderr => unsafe { *std::ptr::addr_of!(stderr) },
    };
    let Ok(c) = CString::new(format!("{}\n", line.replace('\0', " "))) else {
        return;
    };
    // SAFETY: a valid FILE and a NUL-terminated string; stdio locks the stream itself.
    unsafe {
        libc::fputs(c.as_ptr(), file);
        libc::fflush(file);
    }
}

// ------------------------------------------------------------------------------------------
// Delivery to the application's callback
// ------------------------------------------------------------------------------------------

struct Queue {
    lines: VecDeque<(i32, String)>,
    /// A trace thread exists and will take the lines.
    running: bool,
    /// Threads waiting in `sync`.
    waiters: usize,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    lines: VecDeque::new(),
    running: false,
    waiters: 0,
});
/// Signalled when lines have been delivered (for `sync`).
static DELIVERED_CV: Condvar = Condvar::new();
/// Lines queued for the callback, ever.
static QUEUED: AtomicU64 = AtomicU64::new(0);
/// Lines handed to the callback (or dropped), ever. Read by `sync` without the lock: its
/// address is also the helgrind tag ordering a callback's work before the API call returns.
/// (It and QUEUED are only loaded and added to, which helgrind never counts as racing.)
static DELIVERED: AtomicU64 = AtomicU64::new(0);
static ATFORK: std::sync::Once = std::sync::Once::new();

fn queue() -> MutexGuard<'static, Queue> {
    QUEUE.lock().unwrap_or_else(|e| e.into_inner())
}

fn enqueue(level: i32, line: String) {
    ATFORK.call_once(|| {
        // SAFETY: registering three extern "C" functions that take no arguments.
        unsafe {
            libc::pthread_atfork(Some(fork_prepare), Some(fork_parent), Some(fork_child));
        }
    });
    let mut q = queue();
    q.lines.push_back((level, line));
    QUEUED.fetch_add(1, Ordering::SeqCst);
    if q.running {
        return;
    }
    q.running = true;
    drop(q);
    let started = std::thread::Builder::new()
        .name("mqtt-trace".into())
        .spawn(deliver_all)
        .is_ok();
    if !started {
        // No thread for the callback: the lines cannot be delivered, drop them.
        let mut q = queue();
        q.running = false;
        let n = q.lines.len() as u64;
        q.lines.clear();
        DELIVERED.fetch_add(n, Ordering::SeqCst);
        DELIVERED_CV.notify_all();
    }
}

/// The trace thread: hand every queued line to the callback, then end.
fn deliver_all() {
    IN_CALLBACK.with(|f| f.set(true));
    let mut q = queue();
    loop {
        let Some((level, line)) = q.lines.pop_front() else {
            q.running = false;
            if q.waiters > 0 {
                DELIVERED_CV.notify_all();
            }
            return;
        };
        drop(q);
        call_back(level, line);
        q = queue();
        // What the callback did is seen by a `sync` that finds this count without locking.
        crate::vg::happens_before(&DELIVERED as *const AtomicU64 as usize);
        DELIVERED.fetch_add(1, Ordering::SeqCst);
        if q.waiters > 0 {
            DELIVERED_CV.notify_all();
        }
    }
}

fn call_back(level: i32, line: String) {
    let cb = CALLBACK.load(Ordering::SeqCst);
    // The callback may have been removed, or the level raised, since the line was queued.
    if cb == 0 || level < THRESHOLD.load(Ordering::SeqCst) {
        return;
    }
    // SAFETY: only values stored by set_callback, which come from a CCallback, are nonzero.
    let f: CCallback = unsafe { std::mem::transmute::<usize, CCallback>(cb) };
    let Ok(c) = CString::new(line.replace('\0', " ")) else {
        return;
    };
    let raw = c.into_raw();
    // SAFETY: the callback gets a valid NUL-terminated string it may read (and, as Paho's
    // signature allows, write within) during the call.
    unsafe { f(level, raw) };
    // SAFETY: `raw` came from CString::into_raw just above.
    drop(unsafe { CString::from_raw(raw) });
}

/// Wait until every line traced so far has been handed to the callback. Every API function
/// calls this as it returns. Not on the trace thread itself, nor on threads marked with
/// [`no_sync`].
pub fn sync() {
    let target = QUEUED.load(Ordering::SeqCst);
    if DELIVERED.load(Ordering::SeqCst) >= target {
        crate::vg::happens_after(&DELIVERED as *const AtomicU64 as usize);
        return;
    }
    if IN_CALLBACK.with(Cell::get) || NO_SYNC.with(Cell::get) {
        return;
    }
    let mut q = queue();
    q.waiters += 1;
    while DELIVERED.load(Ordering::SeqCst) < target && q.running {
        q = DELIVERED_CV.wait(q).unwrap_or_else(|e| e.into_inner());
    }
    q.waiters -= 1;
}

/// Mark the calling thread as one whose API calls do not wait for the trace thread: the
/// callback threads, since a trace callback may wait for a callback (destroy does) that
/// would be waiting for it.
pub fn no_sync() {
    NO_SYNC.with(|f| f.set(true));
}

thread_local! {
    static FORK_GUARD: std::cell::RefCell<Option<MutexGuard<'static, Queue>>> =
        const { std::cell::RefCell::new(None) };
}

// fork() copies only the calling thread: hold the queue lock across it, and in the child
// forget the trace thread (it does not exist there) and the lines it had not delivered.
extern "C" fn fork_prepare() {
    let g = queue();
    FORK_GUARD.with(|f| *f.borrow_mut() = Some(g));
}

extern "C" fn fork_parent() {
    FORK_GUARD.with(|f| drop(f.borrow_mut().take()));
}

extern "C" fn fork_child() {
    FORK_GUARD.with(|f| {
        if let Some(mut q) = f.borrow_mut().take() {
            q.lines.clear();
            q.running = false;
            q.waiters = 0;
            DELIVERED.store(QUEUED.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    });
}

// ------------------------------------------------------------------------------------------
// Helpers for the lines themselves
// ------------------------------------------------------------------------------------------

/// Trace at ERROR level.
pub fn error(msg: &str) {
    log(Level::Error, msg);
}

/// Trace at SEVERE level.
pub fn severe(msg: &str) {
    log(Level::Severe, msg);
}

/// Trace at MINIMUM level.
pub fn minimum(msg: &str) {
    log(Level::Minimum, msg);
}

/// Trace at PROTOCOL level.
pub fn protocol(msg: &str) {
    log(Level::Protocol, msg);
}

/// The calling thread for API and callback lines: its name, or its pthread id.
pub fn thread_name() -> String {
    let t = std::thread::current();
    match t.name() {
        Some(n) => n.to_string(),
        // SAFETY: pthread_self has no preconditions.
        None => format!("thread {}", unsafe { libc::pthread_self() }),
    }
}

/// How an API function's return value reads in its MEDIUM exit line.
pub trait Returned {
    /// The value as the line shows it ("" for none).
    fn shown(&self) -> String;
}

impl Returned for () {
    fn shown(&self) -> String {
        String::new()
    }
}

impl Returned for i32 {
    fn shown(&self) -> String {
        format!(" {self}")
    }
}

impl<T> Returned for *const T {
    fn shown(&self) -> String {
        format!(" {:p}", *self)
    }
}

impl<T> Returned for *mut T {
    fn shown(&self) -> String {
        format!(" {:p}", *self)
    }
}

fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: an all-zero tm is a valid value to be overwritten.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    unsafe { libc::gmtime_r(&secs, &mut tm) };
    format!(
        "{:04}{:02}{:02} {:02}{:02}{:02}.{:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names() {
        assert_eq!(parse_level("MAXIMUM"), Some(1));
        assert_eq!(parse_level("TRACE_PROTOCOL"), Some(4));
        assert_eq!(parse_level("FATAL"), Some(7));
        assert_eq!(parse_level("loud"), None);
    }
}
