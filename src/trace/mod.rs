//! Tracing in Paho's terms: levels MAXIMUM(1) .. FATAL(6), an application callback set with
//! `setTraceCallback`/`setTraceLevel`, and the `MQTT_C_CLIENT_TRACE` /
//! `MQTT_C_CLIENT_TRACE_LEVEL` environment variables (ON/stdout, stderr, or a file name).
//!
//! The callback may be called from any library thread. It is never called while a trace
//! lock is held, and a trace call made from inside the callback is dropped, not re-entered.

use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Paho's trace levels (MQTTCLIENT_TRACE_LEVELS / MQTTASYNC_TRACE_LEVELS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Everything.
    Maximum = 1,
    /// Function entry/exit and more.
    Medium = 2,
    /// Main steps.
    Minimum = 3,
    /// One line per packet sent or received.
    Protocol = 4,
    /// Errors.
    Error = 5,
    /// Severe errors.
    Severe = 6,
    /// Fatal errors.
    Fatal = 7,
}

/// A trace callback as C gives it: `void cb(enum LEVELS level, char* message)`.
pub type CCallback = unsafe extern "C" fn(level: i32, message: *mut libc::c_char);

static CALLBACK: AtomicUsize = AtomicUsize::new(0);
// 0 means off.
static CB_LEVEL: AtomicI32 = AtomicI32::new(0);

enum Sink {
    Stdout,
    Stderr,
    File(std::fs::File),
}

struct EnvTrace {
    level: i32,
    sink: Mutex<Sink>,
}

static ENV: OnceLock<Option<EnvTrace>> = OnceLock::new();

thread_local! {
    static IN_TRACE: Cell<bool> = const { Cell::new(false) };
}

fn env_trace() -> &'static Option<EnvTrace> {
    ENV.get_or_init(|| {
        let dest = std::env::var("MQTT_C_CLIENT_TRACE").ok()?;
        let sink = match dest.as_str() {
            "ON" | "on" | "stdout" => Sink::Stdout,
            "stderr" => Sink::Stderr,
            path => Sink::File(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .ok()?,
            ),
        };
        let level = match std::env::var("MQTT_C_CLIENT_TRACE_LEVEL").as_deref() {
            Ok("MAXIMUM") => 1,
            Ok("MEDIUM") => 2,
            Ok("MINIMUM") => 3,
            Ok("PROTOCOL") => 4,
            Ok("ERROR") => 5,
            Ok("SEVERE") => 6,
            Ok("FATAL") => 7,
            _ => 2,
        };
        Some(EnvTrace {
            level,
            sink: Mutex::new(sink),
        })
    })
}

/// Install (or with `None` remove) the application's trace callback.
pub fn set_callback(cb: Option<CCallback>) {
    CALLBACK.store(cb.map_or(0, |f| f as usize), Ordering::SeqCst);
}

/// Set the level at which the callback receives lines.
pub fn set_level(level: i32) {
    CB_LEVEL.store(level, Ordering::SeqCst);
}

/// Whether a line at `level` would go anywhere (to skip formatting otherwise).
pub fn enabled(level: Level) -> bool {
    let l = level as i32;
    let cb = CALLBACK.load(Ordering::Relaxed) != 0 && l >= CB_LEVEL.load(Ordering::Relaxed);
    cb || env_trace().as_ref().is_some_and(|e| l >= e.level)
}

/// Emit one trace line.
pub fn log(level: Level, msg: &str) {
    if !enabled(level) {
        return;
    }
    if IN_TRACE.with(|f| f.replace(true)) {
        return;
    }
    let l = level as i32;
    // Paho starts every trace line with the time, for the callback as for the file.
    let msg = &format!("{} {}", timestamp(), msg);
    if let Some(env) = env_trace() {
        if l >= env.level {
            let line = format!("{msg}\n");
            if let Ok(mut sink) = env.sink.lock() {
                let _ = match &mut *sink {
                    Sink::Stdout => std::io::stdout().write_all(line.as_bytes()),
                    Sink::Stderr => std::io::stderr().write_all(line.as_bytes()),
                    Sink::File(f) => f.write_all(line.as_bytes()),
                };
            }
        }
    }
    let cb = CALLBACK.load(Ordering::SeqCst);
    if cb != 0 && l >= CB_LEVEL.load(Ordering::SeqCst) {
        // SAFETY: only values stored by set_callback, which come from a CCallback, are nonzero.
        let f: CCallback = unsafe { std::mem::transmute::<usize, CCallback>(cb) };
        if let Ok(c) = std::ffi::CString::new(msg.replace('\0', " ")) {
            let raw = c.into_raw();
            // SAFETY: the callback gets a valid NUL-terminated string it may read during the call.
            unsafe { f(l, raw) };
            // SAFETY: `raw` came from CString::into_raw just above.
            drop(unsafe { std::ffi::CString::from_raw(raw) });
        }
    }
    IN_TRACE.with(|f| f.set(false));
}

/// Trace at ERROR level.
pub fn error(msg: &str) {
    log(Level::Error, msg);
}

/// Trace at MINIMUM level.
pub fn minimum(msg: &str) {
    log(Level::Minimum, msg);
}

/// Trace at PROTOCOL level.
pub fn protocol(msg: &str) {
    log(Level::Protocol, msg);
}

fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
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
