//! `MQTTAsync_*`: the asynchronous API of libpaho-mqtt3a / 3as.
//!
//! Calls return at once with a token; results arrive through onSuccess/onFailure on the
//! client's callback queue, in order with its other callbacks and never under our locks.
//! Connects (and automatic reconnects) run as jobs on a second, per-client control queue, so
//! a callback may wait for anything, including the connect of its own client.

#![allow(non_snake_case)]
// The safety contract of every exported function is the one Paho documents in its header:
// valid handles, NUL-terminated strings and structs of the version they declare.
#![allow(clippy::missing_safety_doc)]
// c_ulong is u64 here but u32 on 32-bit targets: keep the conversions.
#![allow(clippy::useless_conversion)]

use std::borrow::Cow;
use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::client::dispatch::SerialQueue;
use crate::client::mem::MallocStr;
use crate::client::{
    self, AckResult, Client, ConnectOptions, Error, Listener, Message, Notice, OfflineConfig,
    OpResult, VersionChoice,
};
use crate::ffi::common::{
    binary_bytes, free_c_message, free_c_properties, malloc_token_array, message_to_c,
    needs_ssl_options, read_credentials, read_ssl_options, read_uri_list, read_will,
    take_back_message, unknown_error_text, version_choice,
};
use crate::ffi::convert::{properties_from_c, properties_to_c};
use crate::ffi::persist::{open_store, Hooks};
use crate::ffi::types::*;
use crate::ffi::{cstr, id_is};
use crate::protocol::{self, Properties, ProtocolVersion, Publish, SubscriptionOptions};
use crate::session::idmap::IdMap;
use crate::vg::{Condvar, Mutex};
use crate::{ffi_boundary, field, trace};

/// What a pending operation calls back when it ends.
#[derive(Clone, Copy)]
struct OpCallbacks {
    on_success: MQTTAsync_onSuccess,
    on_failure: MQTTAsync_onFailure,
    on_success5: MQTTAsync_onSuccess5,
    on_failure5: MQTTAsync_onFailure5,
    context: usize,
}

impl OpCallbacks {
    fn none() -> Self {
        OpCallbacks {
            on_success: None,
            on_failure: None,
            on_success5: None,
            on_failure5: None,
            context: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.on_success.is_none()
            && self.on_failure.is_none()
            && self.on_success5.is_none()
            && self.on_failure5.is_none()
    }
}

/// Which call started an operation, with what its success data needs.
enum OpKind {
    Send {
        /// The topic, a NUL, then (QoS 0 only) the payload: one allocation per send for what
        /// onSuccess hands back. A QoS 1 or 2 message comes back from the session with its
        /// completion instead, so a large payload is not copied twice.
        copy: Box<[u8]>,
        topic_len: usize,
        qos: c_int,
        retained: c_int,
    },
    Subscribe {
        count: usize,
    },
    Unsubscribe,
}

struct PendingOp {
    kind: OpKind,
    cbs: OpCallbacks,
}

#[derive(Clone, Copy)]
struct ClientCallbacks {
    context: usize,
    connection_lost: MQTTAsync_connectionLost,
    message_arrived: MQTTAsync_messageArrived,
    delivery_complete: MQTTAsync_deliveryComplete,
    connected: MQTTAsync_connected,
    connected_context: usize,
    disconnected: MQTTAsync_disconnected,
    disconnected_context: usize,
    update_connect: MQTTAsync_updateConnectOptions,
    update_context: usize,
}

struct AsyncListener {
    cbs: Mutex<ClientCallbacks>,
    /// Whether messageArrived / deliveryComplete are set: asked by the engine per message,
    /// so kept apart from `cbs` and its lock. The callbacks themselves are read under that
    /// lock, so these carry no data: untracked for helgrind when stored.
    has_message_arrived: AtomicBool,
    has_delivery_complete: AtomicBool,
    ops: Mutex<IdMap<u64, PendingOp>>,
    owner: Mutex<Weak<AsyncInner>>,
}

impl AsyncListener {
    fn cbs(&self) -> ClientCallbacks {
        *self.cbs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Listener for AsyncListener {
    fn wants_messages(&self) -> bool {
        self.has_message_arrived.load(Ordering::Acquire)
    }

    fn wants_delivery_complete(&self) -> bool {
        self.has_delivery_complete.load(Ordering::Acquire)
    }

    fn wants_published(&self) -> bool {
        false // MQTTAsync has no published callback: onSuccess carries the outcome
    }

    fn notify(&self, notice: Notice) -> Option<Message> {
        let cbs = self.cbs();
        let ctx = cbs.context as *mut c_void;
        match notice {
            Notice::ConnectionLost { cause, by_server } => {
                let _ = cause;
                if let (Some(f), false) = (cbs.connection_lost, by_server) {
                    // SAFETY: the application's callback with its context.
                    unsafe { f(ctx, ptr::null_mut()) };
                }
                let owner = self
                    .owner
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .upgrade();
                if let Some(inner) = owner {
                    inner.start_reconnect();
                }
                None
            }
            Notice::Message(mut m) => {
                let f = cbs.message_arrived?;
                let topic_len = m.topic.len();
                let topic = m.topic.take().into_raw();
                let msg = message_to_c(&mut m) as *mut MQTTAsync_message;
                // SAFETY: topic and message are malloc'd and handed over; the application
                // frees them when it returns nonzero.
                let rc = unsafe { f(ctx, topic, topic_len as c_int, msg) };
                if rc != 0 {
                    None
                } else {
                    // SAFETY: both are ours again; the application declined them.
                    unsafe {
                        if let Some(t) = MallocStr::from_raw(topic, topic_len) {
                            m.topic = t;
                        }
                        take_back_message(&mut m, msg as *mut MQTTClient_message);
                    }
                    Some(m)
                }
            }
            Notice::DeliveryComplete(token) => {
                if let Some(f) = cbs.delivery_complete {
                    // SAFETY: application callback.
                    unsafe { f(ctx, token as c_int) };
                }
                None
            }
            Notice::OpDone { op, token, result } => {
                let pending = crate::session::idmap::remove_and_release(
                    &mut self.ops.lock().unwrap_or_else(|e| e.into_inner()),
                    &op,
                );
                if let Some(p) = pending {
                    finish_op(&p, token as c_int, &result);
                }
                None
            }
            Notice::Published { .. } => None,
            Notice::Disconnected { reason, properties } => {
                if let Some(f) = cbs.disconnected {
                    let mut p = properties_to_c(&properties);
                    // SAFETY: application callback; `p` is freed after the call.
                    unsafe {
                        f(
                            cbs.disconnected_context as *mut c_void,
                            &mut p,
                            reason as c_int,
                        );
                        free_c_properties(&mut p);
                    }
                }
                None
            }
        }
    }
}

/// Call onSuccess/onFailure (or their MQTT 5 forms) for a finished operation.
fn finish_op(p: &PendingOp, token: c_int, result: &OpResult) {
    let ctx = p.cbs.context as *mut c_void;
    match result {
        OpResult::Failed(e) => call_failure(&p.cbs, token, err_code(e), &format!("{e:?}"), 0),
        OpResult::Published {
            reason,
            properties,
            message,
        } => {
            if *reason >= 0x80 {
                call_failure(&p.cbs, token, MQTTASYNC_FAILURE, "publish refused", *reason);
                return;
            }
            let OpKind::Send {
                copy,
                topic_len,
                qos,
                retained,
            } = &p.kind
            else {
                return;
            };
            let topic = copy.as_ptr();
            let payload: &[u8] = match message {
                Some(m) => &m.payload,
                None => &copy[topic_len + 1..],
            };
            let message = MQTTAsync_message {
                struct_id: MESSAGE_ID,
                struct_version: MESSAGE_VERSION,
                payloadlen: payload.len() as c_int,
                payload: payload.as_ptr() as *mut c_void,
                qos: *qos,
                retained: *retained,
                dup: 0,
                msgid: token,
                properties: MQTTProperties::INITIALIZER,
            };
            let pub_ = MQTTAsync_successData_pub {
                message,
                destinationName: topic as *mut c_char,
            };
            if let Some(f) = p.cbs.on_success5 {
                let mut props = properties_to_c(properties);
                let mut d = MQTTAsync_successData5 {
                    struct_id: SUCCESS_DATA5_ID,
                    struct_version: SUCCESS_DATA5_VERSION,
                    token,
                    // Paho leaves the acknowledgement's reason code out of the success data.
                    reasonCode: 0,
                    properties: props,
                    alt: MQTTAsync_successData5_alt { pub_ },
                };
                // SAFETY: application callback; the data lives across the call.
                unsafe { f(ctx, &mut d) };
                // SAFETY: ours, malloc'd by properties_to_c.
                unsafe { free_c_properties(&mut props) };
            } else if let Some(f) = p.cbs.on_success {
                let mut d = MQTTAsync_successData {
                    token,
                    alt: MQTTAsync_successData_alt { pub_ },
                };
                // SAFETY: application callback.
                unsafe { f(ctx, &mut d) };
            }
        }
        OpResult::Acked(AckResult { codes, properties }) => {
            let is_sub = matches!(p.kind, OpKind::Subscribe { .. });
            let failed = codes.first().is_some_and(|&c| c >= 0x80)
                && (codes.len() == 1 || codes.iter().all(|&c| c >= 0x80));
            if let Some(f) = p.cbs.on_success5 {
                let mut list: Vec<c_int> = codes.iter().map(|&c| c as c_int).collect();
                let mut props = properties_to_c(properties);
                let codes5 = MQTTAsync_successData5_codes {
                    reasonCodeCount: list.len() as c_int,
                    reasonCodes: if list.len() > 1 {
                        list.as_mut_ptr()
                    } else {
                        ptr::null_mut()
                    },
                };
                let mut d = MQTTAsync_successData5 {
                    struct_id: SUCCESS_DATA5_ID,
                    struct_version: SUCCESS_DATA5_VERSION,
                    token,
                    reasonCode: codes.first().copied().unwrap_or(0) as c_int,
                    properties: props,
                    alt: if is_sub {
                        MQTTAsync_successData5_alt { sub: codes5 }
                    } else {
                        MQTTAsync_successData5_alt { unsub: codes5 }
                    },
                };
                if failed && p.cbs.on_failure5.is_some() {
                    call_failure(&p.cbs, token, MQTTASYNC_FAILURE, "refused", codes[0]);
                } else {
                    // SAFETY: application callback.
                    unsafe { f(ctx, &mut d) };
                }
                // SAFETY: ours.
                unsafe { free_c_properties(&mut props) };
                return;
            }
            if is_sub && failed && codes.len() == 1 {
                call_failure(
                    &p.cbs,
                    token,
                    MQTTASYNC_FAILURE,
                    "subscription refused",
                    codes[0],
                );
                return;
            }
            if let Some(f) = p.cbs.on_success {
                let mut list: Vec<c_int> = codes.iter().map(|&c| c as c_int).collect();
                let alt = match p.kind {
                    OpKind::Subscribe { count } if count > 1 => MQTTAsync_successData_alt {
                        qosList: list.as_mut_ptr(),
                    },
                    _ => MQTTAsync_successData_alt {
                        qos: list.first().copied().unwrap_or(0),
                    },
                };
                let mut d = MQTTAsync_successData { token, alt };
                // SAFETY: application callback; `list` outlives the call.
                unsafe { f(ctx, &mut d) };
            }
        }
    }
}

fn call_failure(cbs: &OpCallbacks, token: c_int, code: c_int, why: &str, reason: u8) {
    let ctx = cbs.context as *mut c_void;
    let msg = CString::new(why).unwrap_or_default();
    if let Some(f) = cbs.on_failure5 {
        let mut d = MQTTAsync_failureData5 {
            struct_id: FAILURE_DATA5_ID,
            struct_version: FAILURE_DATA5_VERSION,
            token,
            reasonCode: reason as c_int,
            properties: MQTTProperties::INITIALIZER,
            code,
            message: msg.as_ptr(),
            packet_type: 0,
        };
        // SAFETY: application callback.
        unsafe { f(ctx, &mut d) };
    } else if let Some(f) = cbs.on_failure {
        let mut d = MQTTAsync_failureData {
            token,
            code,
            message: msg.as_ptr(),
        };
        // SAFETY: application callback.
        unsafe { f(ctx, &mut d) };
    }
}

fn err_code(e: &Error) -> c_int {
    match e {
        Error::Failure(_) | Error::Timeout | Error::Destroyed | Error::BadArgument(_) => {
            MQTTASYNC_FAILURE
        }
        Error::NoMoreIds => MQTTASYNC_NO_MORE_MSGIDS,
        Error::Disconnected => MQTTASYNC_DISCONNECTED,
        Error::MaxInflight => MQTTASYNC_MAX_MESSAGES_INFLIGHT,
        Error::BadUtf8 => MQTTASYNC_BAD_UTF8_STRING,
        Error::Refused { code, .. } => *code as c_int,
        Error::SslNotSupported => MQTTASYNC_SSL_NOT_SUPPORTED,
        Error::BadProtocol => MQTTASYNC_BAD_PROTOCOL,
        Error::Persistence(_) => MQTTASYNC_PERSISTENCE_ERROR,
        Error::BufferFull => MQTTASYNC_MAX_BUFFERED_MESSAGES,
        Error::Incomplete => MQTTASYNC_OPERATION_INCOMPLETE,
    }
}

fn trace_fail(func: &str, rc: c_int, why: &str) -> c_int {
    if rc != MQTTASYNC_SUCCESS {
        crate::trace!(Error, "{func}: returning {rc}: {why}");
    }
    rc
}

/// Automatic reconnect settings and state.
struct Reconnect {
    enabled: bool,
    min: Duration,
    max: Duration,
    /// Bumped by disconnect/destroy/a new connect to cancel a waiting retry.
    generation: u64,
    running: bool,
}

/// What an `MQTTAsync` handle points to (through `Arc::into_raw`).
struct AsyncInner {
    client: Client,
    create_version: c_int,
    listener: Arc<AsyncListener>,
    control: SerialQueue,
    /// Only added to (helgrind counts that as a read, never racing).
    next_op: AtomicU64,
    /// The options of the last connect call, for reconnects.
    last_connect: Mutex<Option<(ConnectOptions, OpCallbacks)>>,
    reconnect: Mutex<Reconnect>,
    reconnect_cv: Condvar,
    /// Stored once with SeqCst (an exchange, which helgrind counts as a read) and loaded:
    /// never reported as racing, and what destroy does next is ordered by the locks it takes.
    destroyed: AtomicBool,
    /// The persistence hooks (shared with the store).
    hooks: Arc<Mutex<Hooks>>,
    me: Weak<AsyncInner>,
}

impl AsyncInner {
    fn op(&self, kind: OpKind, cbs: OpCallbacks) -> Option<u64> {
        if cbs.is_empty() {
            return None;
        }
        let id = self.next_op.fetch_add(1, Ordering::Relaxed);
        self.listener
            .ops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, PendingOp { kind, cbs });
        Some(id)
    }

    fn drop_op(&self, op: Option<u64>) {
        if let Some(op) = op {
            crate::session::idmap::remove_and_release(
                &mut self.listener.ops.lock().unwrap_or_else(|e| e.into_inner()),
                &op,
            );
        }
    }

    /// Run a connect attempt on the control queue; report through `cbs`; `auto` tells the
    /// connected callback whether this was an automatic reconnect.
    fn spawn_connect(&self, opts: ConnectOptions, cbs: OpCallbacks) {
        let Some(me) = self.me.upgrade() else {
            return;
        };
        self.control.post(Box::new(move || {
            let r = me.client.connect(&opts);
            me.report_connect(r, cbs, false, opts.server_uris.is_empty());
        }));
    }

    /// `strip`: report the URI without its scheme, as Paho does for the URI given at create
    /// (a URI from serverURIs is reported as given).
    fn report_connect(
        &self,
        r: Result<client::Connected, Error>,
        cbs: OpCallbacks,
        auto: bool,
        strip: bool,
    ) {
        if self.destroyed.load(Ordering::SeqCst) {
            return;
        }
        let listener = self.listener.clone();
        match r {
            Ok(c) => {
                {
                    let mut rc = self.reconnect.lock().unwrap_or_else(|e| e.into_inner());
                    rc.running = false;
                }
                self.client.post_job(Box::new(move || {
                    let shown = if strip {
                        c.server_uri
                            .split_once("://")
                            .map_or(c.server_uri.as_str(), |(_, rest)| rest)
                    } else {
                        c.server_uri.as_str()
                    };
                    let uri = CString::new(shown).unwrap_or_default();
                    let connect = MQTTAsync_successData_connect {
                        serverURI: uri.as_ptr() as *mut c_char,
                        MQTTVersion: c.version,
                        sessionPresent: c.session_present as c_int,
                    };
                    let ctx = cbs.context as *mut c_void;
                    if let Some(f) = cbs.on_success5 {
                        let mut props = properties_to_c(&c.properties);
                        let mut d = MQTTAsync_successData5 {
                            struct_id: SUCCESS_DATA5_ID,
                            struct_version: SUCCESS_DATA5_VERSION,
                            token: 0,
                            reasonCode: 0,
                            properties: props,
                            alt: MQTTAsync_successData5_alt { connect },
                        };
                        // SAFETY: application callback.
                        unsafe { f(ctx, &mut d) };
                        // SAFETY: ours.
                        unsafe { free_c_properties(&mut props) };
                    } else if let Some(f) = cbs.on_success {
                        let mut d = MQTTAsync_successData {
                            token: 0,
                            alt: MQTTAsync_successData_alt { connect },
                        };
                        // SAFETY: application callback.
                        unsafe { f(ctx, &mut d) };
                    }
                    let cc = listener.cbs();
                    if let Some(f) = cc.connected {
                        let cause = if auto {
                            c"automatic reconnect"
                        } else {
                            c"connect onSuccess called"
                        };
                        // SAFETY: application callback; the cause string is static.
                        unsafe {
                            f(
                                cc.connected_context as *mut c_void,
                                cause.as_ptr() as *mut c_char,
                            )
                        };
                    }
                }));
            }
            Err(e) => {
                let (code, reason) = match &e {
                    // Paho puts the CONNACK code in `code` for every version.
                    Error::Refused { code, .. } => (*code as c_int, 0),
                    Error::SslNotSupported | Error::BadProtocol => (MQTTASYNC_FAILURE, 0),
                    other => (err_code(other), 0),
                };
                crate::trace!(Error, "MQTTAsync_connect: failed: {e:?}");
                if auto {
                    return;
                }
                self.client.post_job(Box::new(move || {
                    call_failure(&cbs, 0, code, &format!("{e:?}"), reason);
                }));
            }
        }
    }

    /// The connection dropped: if automatic reconnect is on, retry with doubling waits.
    fn start_reconnect(&self) {
        if self.destroyed.load(Ordering::SeqCst) {
            return;
        }
        let generation = {
            let mut rc = self.reconnect.lock().unwrap_or_else(|e| e.into_inner());
            if !rc.enabled || rc.running {
                return;
            }
            rc.running = true;
            rc.generation
        };
        let Some(me) = self.me.upgrade() else {
            return;
        };
        self.control
            .post(Box::new(move || me.reconnect_loop(generation)));
    }

    fn reconnect_loop(&self, generation: u64) {
        let mut wait = {
            let rc = self.reconnect.lock().unwrap_or_else(|e| e.into_inner());
            rc.min
        };
        loop {
            // Wait, unless cancelled by disconnect, destroy or a new connect.
            {
                let mut rc = self.reconnect.lock().unwrap_or_else(|e| e.into_inner());
                let deadline = std::time::Instant::now() + wait;
                while rc.generation == generation && !self.destroyed.load(Ordering::SeqCst) {
                    let now = std::time::Instant::now();
                    if now >= deadline {
                        break;
                    }
                    rc = self
                        .reconnect_cv
                        .wait_timeout(rc, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
                if rc.generation != generation || self.destroyed.load(Ordering::SeqCst) {
                    rc.running = false;
                    return;
                }
            }
            let Some((mut opts, _)) = self
                .last_connect
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
            else {
                return;
            };
            self.apply_update_connect(&mut opts);
            crate::trace!(
                Minimum,
                "{}: automatic reconnect, after waiting {} ms",
                self.client.client_id(),
                wait.as_millis()
            );
            match self.client.connect(&opts) {
                Ok(c) => {
                    let strip = opts.server_uris.is_empty();
                    // This clears `running`: from then on a loss starts a new reconnect.
                    self.report_connect(Ok(c), OpCallbacks::none(), true, strip);
                    if !self.client.is_connected() {
                        // The connection dropped between CONNACK and the line above, when
                        // a loss still found this loop running and left the retry to it.
                        self.start_reconnect();
                    }
                    return;
                }
                Err(e) => {
                    crate::trace!(Error, "automatic reconnect failed: {e:?}");
                    let max = self.reconnect.lock().unwrap_or_else(|e| e.into_inner()).max;
                    wait = (wait * 2).min(max);
                }
            }
        }
    }

    /// Let the application change user name and password before a reconnect. What it sets
    /// is kept for the reconnects after this one too, as with Paho.
    fn apply_update_connect(&self, opts: &mut ConnectOptions) {
        self.update_connect_once(opts);
        if let Some((last, _)) = self
            .last_connect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            last.username = opts.username.clone();
            last.password = opts.password.clone();
        }
    }

    fn update_connect_once(&self, opts: &mut ConnectOptions) {
        let cbs = self.listener.cbs();
        let Some(f) = cbs.update_connect else {
            return;
        };
        let user = opts
            .username
            .as_deref()
            .map(|u| CString::new(u).unwrap_or_default());
        let pw = opts.password.clone().unwrap_or_default();
        let mut data = MQTTAsync_connectData {
            struct_id: CONNECT_DATA_ID,
            struct_version: CONNECT_DATA_VERSION,
            username: user.as_ref().map_or(ptr::null(), |u| u.as_ptr()),
            binarypwd: MQTTBinary {
                len: pw.len() as c_int,
                data: if opts.password.is_some() {
                    pw.as_ptr() as *const c_void
                } else {
                    ptr::null()
                },
            },
        };
        let (user_in, pw_in) = (data.username, data.binarypwd.data);
        // SAFETY: application callback; it may replace the pointers with its own memory.
        let rc = unsafe { f(cbs.update_context as *mut c_void, &mut data) };
        if rc == 0 {
            return;
        }
        // SAFETY: NULL or a C string from the application.
        opts.username = unsafe { cstr(data.username) }.ok().map(str::to_string);
        // SAFETY: the application's buffer of `len` bytes.
        opts.password = unsafe { binary_bytes(data.binarypwd) };
        // As with Paho, what the callback put in is the library's now (Paho's documentation:
        // allocated with MQTTAsync_malloc, i.e. malloc): we have copied it, so it goes.
        let user_out = data.username as *mut c_void;
        let pw_out = data.binarypwd.data as *mut c_void;
        if !user_out.is_null() && !std::ptr::eq(user_out, user_in as *const c_void) {
            // SAFETY: malloc'd by the application and handed over to us.
            unsafe { libc::free(user_out) };
        }
        if !pw_out.is_null() && !std::ptr::eq(pw_out, pw_in) && !std::ptr::eq(pw_out, user_out) {
            // SAFETY: as above.
            unsafe { libc::free(pw_out) };
        }
    }

    fn cancel_reconnect(&self) {
        let mut rc = self.reconnect.lock().unwrap_or_else(|e| e.into_inner());
        rc.generation += 1;
        rc.running = false;
        self.reconnect_cv.notify_all();
    }
}

/// # Safety
/// `h` is NULL or a live handle from MQTTAsync_create.
unsafe fn handle<'a>(h: MQTTAsync) -> Option<&'a AsyncInner> {
    if h.is_null() {
        None
    } else {
        // SAFETY: per the caller.
        Some(unsafe { &*(h as *const AsyncInner) })
    }
}

// ------------------------------------------------------------------------------------------
// Library-wide
// ------------------------------------------------------------------------------------------

/// Process-wide initialisation; nothing to do.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_global_init(inits: *mut MQTTAsync_init_options) {
    let _ = inits;
}

struct VersionInfo([MQTTAsync_nameValue; 4]);
// SAFETY: pointers to static strings only.
unsafe impl Sync for VersionInfo {}

static VERSION_INFO: VersionInfo = VersionInfo([
    MQTTAsync_nameValue {
        name: c"Product name".as_ptr(),
        value: c"Eclipse Paho Asynchronous MQTT C Client Library (Rust implementation)".as_ptr(),
    },
    MQTTAsync_nameValue {
        name: c"Version".as_ptr(),
        value: c"1.3.12".as_ptr(),
    },
    MQTTAsync_nameValue {
        name: c"Build level".as_ptr(),
        value: c"paho-mqtt-c-rs 1.3.12".as_ptr(),
    },
    MQTTAsync_nameValue {
        name: ptr::null(),
        value: ptr::null(),
    },
]);

/// Name/value pairs describing this library.
#[no_mangle]
pub extern "C" fn MQTTAsync_getVersionInfo() -> *mut MQTTAsync_nameValue {
    // The TLS library also names the OpenSSL it runs on, as Paho's does.
    #[cfg(feature = "tls")]
    {
        struct WithTls(Vec<MQTTAsync_nameValue>);
        // SAFETY: pointers to static strings only.
        unsafe impl Sync for WithTls {}
        // SAFETY: as above.
        unsafe impl Send for WithTls {}
        static WITH_TLS: crate::vg::OnceLock<WithTls> = crate::vg::OnceLock::new();
        let v = WITH_TLS.get_or_init(|| {
            let mut v: Vec<MQTTAsync_nameValue> = VERSION_INFO.0[..3].to_vec();
            for (name, value) in crate::net::tls::version_info() {
                v.push(MQTTAsync_nameValue { name, value });
            }
            v.push(VERSION_INFO.0[3]);
            WithTls(v)
        });
        v.0.as_ptr() as *mut MQTTAsync_nameValue
    }
    #[cfg(not(feature = "tls"))]
    {
        VERSION_INFO.0.as_ptr() as *mut MQTTAsync_nameValue
    }
}

/// A message for a return code.
#[no_mangle]
pub extern "C" fn MQTTAsync_strerror(code: c_int) -> *const c_char {
    ffi_boundary!(ptr::null(), {
        let s: &'static std::ffi::CStr = match code {
            0 => c"Success",
            -1 => c"Failure",
            -2 => c"Persistence error",
            -3 => c"Disconnected",
            -4 => c"Maximum in-flight messages amount reached",
            -5 => c"Invalid UTF8 string",
            -6 => c"Invalid (NULL) parameter",
            -7 => c"Topic containing NULL characters has been truncated",
            -8 => c"Bad structure",
            -9 => c"Invalid QoS value",
            -10 => c"Too many pending commands",
            -11 => c"Operation discarded before completion",
            -12 => c"No more messages can be buffered",
            -13 => c"SSL is not supported",
            -14 => c"Invalid protocol scheme",
            -15 => c"Options for wrong MQTT version",
            -16 => c"Client created for another version of MQTT",
            -17 => c"Zero length will topic on connect",
            -18 => c"Connect or disconnect command ignored",
            -19 => c"maxBufferedMessages in the connect options must be >= 0",
            _ => return unknown_error_text(code),
        };
        s.as_ptr()
    })
}

/// Allocate with malloc.
#[no_mangle]
pub extern "C" fn MQTTAsync_malloc(size: usize) -> *mut c_void {
    // SAFETY: plain malloc.
    unsafe { libc::malloc(size) }
}

/// Free memory the library handed out.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_free(p: *mut c_void) {
    // SAFETY: NULL or malloc'd.
    unsafe { libc::free(p) }
}

/// Free a received message and NULL the caller's pointer.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_freeMessage(msg: *mut *mut MQTTAsync_message) {
    ffi_boundary!((), {
        if msg.is_null() {
            return;
        }
        // SAFETY: the caller's pointer variable.
        let m = unsafe { *msg };
        if !m.is_null() {
            // SAFETY: a message we handed out (same layout as the sync one).
            unsafe { free_c_message(m as *mut MQTTClient_message) };
        }
        // SAFETY: as above.
        unsafe { *msg = ptr::null_mut() };
    })
}

/// Set the trace callback.
#[no_mangle]
pub extern "C" fn MQTTAsync_setTraceCallback(callback: MQTTAsync_traceCallback) {
    trace::set_callback(callback);
}

/// Set the trace level of the callback.
#[no_mangle]
pub extern "C" fn MQTTAsync_setTraceLevel(level: MQTTASYNC_TRACE_LEVELS) {
    trace::set_level(level as c_int);
}

// ------------------------------------------------------------------------------------------
// Create / destroy / callbacks
// ------------------------------------------------------------------------------------------

/// Create a client.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_create(
    handle: *mut MQTTAsync,
    serverURI: *const c_char,
    clientId: *const c_char,
    persistence_type: c_int,
    persistence_context: *mut c_void,
) -> c_int {
    // SAFETY: forwarded.
    unsafe {
        MQTTAsync_createWithOptions(
            handle,
            serverURI,
            clientId,
            persistence_type,
            persistence_context,
            ptr::null_mut(),
        )
    }
}

/// Create a client with options (offline buffering, MQTT version).
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_createWithOptions(
    handle: *mut MQTTAsync,
    serverURI: *const c_char,
    clientId: *const c_char,
    persistence_type: c_int,
    persistence_context: *mut c_void,
    options: *mut MQTTAsync_createOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        const F: &str = "MQTTAsync_create";
        if handle.is_null() {
            return trace_fail(F, MQTTASYNC_NULL_PARAMETER, "handle is NULL");
        }
        // SAFETY: C strings from the caller.
        let uri = match unsafe { cstr(serverURI) } {
            Ok(s) => s,
            Err(true) => return trace_fail(F, MQTTASYNC_NULL_PARAMETER, "serverURI is NULL"),
            Err(false) => return trace_fail(F, MQTTASYNC_BAD_UTF8_STRING, "serverURI not UTF-8"),
        };
        // SAFETY: as above.
        let id = match unsafe { cstr(clientId) } {
            Ok(s) => s,
            Err(true) => return trace_fail(F, MQTTASYNC_NULL_PARAMETER, "clientId is NULL"),
            Err(false) => return trace_fail(F, MQTTASYNC_BAD_UTF8_STRING, "clientId not UTF-8"),
        };
        let mut offline = OfflineConfig {
            enabled: false,
            max: 100,
            delete_oldest: false,
            before_first_connect: false,
        };
        let mut create_version = 0;
        let mut restore_messages = true;
        let mut persist_qos0 = true;
        if !options.is_null() {
            let sid = field!(options, struct_id);
            let ver = field!(options, struct_version);
            if !id_is(&sid, &CREATE_OPTIONS_ID)
                || !(0..=ASYNC_CREATE_OPTIONS_VERSION).contains(&ver)
            {
                return trace_fail(
                    F,
                    MQTTASYNC_BAD_STRUCTURE,
                    "createOptions struct_id/version",
                );
            }
            offline.enabled = field!(options, sendWhileDisconnected) != 0;
            let max = field!(options, maxBufferedMessages);
            if max <= 0 {
                return trace_fail(F, MQTTASYNC_MAX_BUFFERED, "maxBufferedMessages must be > 0");
            }
            offline.max = max as usize;
            if ver >= 1 {
                create_version = field!(options, MQTTVersion);
            }
            if ver >= 2 {
                offline.before_first_connect = field!(options, allowDisconnectedSendAtAnyTime) != 0;
                offline.delete_oldest = field!(options, deleteOldestMessages) != 0;
                restore_messages = field!(options, restoreMessages) != 0;
                persist_qos0 = field!(options, persistQoS0) != 0;
            }
        }
        if let Some(i) = uri.find("://") {
            match &uri[..i] {
                "tcp" | "mqtt" | "ws" => {}
                // Like Debian's build: TLS schemes are unknown to the non-TLS library.
                "ssl" | "mqtts" | "wss" if cfg!(feature = "tls") => {}
                _ => return trace_fail(F, MQTTASYNC_BAD_PROTOCOL, "unknown URI scheme"),
            }
        }
        let hooks = Arc::new(Mutex::new(Hooks::default()));
        // SAFETY: the context is what the persistence type says (Paho's contract).
        let store = match unsafe {
            open_store(
                persistence_type,
                persistence_context,
                id,
                uri,
                Some(hooks.clone()),
            )
        } {
            Ok(s) => s,
            Err(e) => return trace_fail(F, MQTTASYNC_PERSISTENCE_ERROR, &e),
        };
        let client = match Client::new(uri, id) {
            Ok(c) => c,
            Err(e) => return trace_fail(F, err_code(&e), &format!("{e:?}")),
        };
        client.set_offline(offline);
        client.set_deferred_writes(true);
        if let Some(store) = store {
            // Read back at the first connect, send or getPendingTokens, so that hooks set
            // after create apply to what is read.
            if let Err(e) = client.set_store(store, restore_messages, persist_qos0) {
                client.destroy();
                return trace_fail(F, err_code(&e), &format!("{e:?}"));
            }
        }
        let listener = Arc::new(AsyncListener {
            cbs: Mutex::new(ClientCallbacks {
                context: 0,
                connection_lost: None,
                message_arrived: None,
                delivery_complete: None,
                connected: None,
                connected_context: 0,
                disconnected: None,
                disconnected_context: 0,
                update_connect: None,
                update_context: 0,
            }),
            has_message_arrived: AtomicBool::new(false),
            has_delivery_complete: AtomicBool::new(false),
            ops: Mutex::new(IdMap::default()),
            owner: Mutex::new(Weak::new()),
        });
        client.set_listener(Some(listener.clone() as Arc<dyn Listener>));
        let inner = Arc::new_cyclic(|me| AsyncInner {
            client,
            create_version,
            listener: listener.clone(),
            control: SerialQueue::new(),
            next_op: AtomicU64::new(1),
            last_connect: Mutex::new(None),
            reconnect: Mutex::new(Reconnect {
                enabled: false,
                min: Duration::from_secs(1),
                max: Duration::from_secs(60),
                generation: 0,
                running: false,
            }),
            reconnect_cv: Condvar::new(),
            destroyed: AtomicBool::new(false),
            hooks,
            me: me.clone(),
        });
        *listener.owner.lock().unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(&inner);
        // SAFETY: handle checked non-NULL.
        unsafe { *handle = Arc::into_raw(inner) as MQTTAsync };
        MQTTASYNC_SUCCESS
    })
}

/// Destroy a client and NULL the caller's handle; allowed from inside its callbacks. No
/// callback of this client runs after it returns; pending operations get no callback.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_destroy(handle: *mut MQTTAsync) {
    ffi_boundary!((), {
        if handle.is_null() {
            return;
        }
        // SAFETY: the caller's handle variable.
        let h = unsafe { *handle };
        if h.is_null() {
            return;
        }
        // SAFETY: from Arc::into_raw in create; ownership of that count returns to us.
        let inner = unsafe { Arc::from_raw(h as *const AsyncInner) };
        inner.destroyed.store(true, Ordering::SeqCst);
        inner.cancel_reconnect();
        inner.client.destroy();
        inner.control.close();
        inner.client.set_listener(None);
        inner
            .listener
            .ops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        drop(inner);
        // SAFETY: as above.
        unsafe { *handle = ptr::null_mut() };
    })
}

fn update_cbs(handle: MQTTAsync, f: impl FnOnce(&mut ClientCallbacks)) -> c_int {
    // SAFETY: a live handle.
    let Some(inner) = (unsafe { handle_ref(handle) }) else {
        return MQTTASYNC_FAILURE;
    };
    let l = &inner.listener;
    let mut cbs = l.cbs.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut cbs);
    crate::vg::untrack(&l.has_message_arrived);
    crate::vg::untrack(&l.has_delivery_complete);
    l.has_message_arrived
        .store(cbs.message_arrived.is_some(), Ordering::Release);
    l.has_delivery_complete
        .store(cbs.delivery_complete.is_some(), Ordering::Release);
    MQTTASYNC_SUCCESS
}

/// # Safety
/// As for `handle`.
unsafe fn handle_ref<'a>(h: MQTTAsync) -> Option<&'a AsyncInner> {
    // SAFETY: forwarded.
    unsafe { handle(h) }
}

/// Set the main callbacks.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setCallbacks(
    handle: MQTTAsync,
    context: *mut c_void,
    cl: MQTTAsync_connectionLost,
    ma: MQTTAsync_messageArrived,
    dc: MQTTAsync_deliveryComplete,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        if ma.is_none() {
            return trace_fail(
                "MQTTAsync_setCallbacks",
                MQTTASYNC_FAILURE,
                "messageArrived is NULL",
            );
        }
        update_cbs(handle, |c| {
            c.context = context as usize;
            c.connection_lost = cl;
            c.message_arrived = ma;
            c.delivery_complete = dc;
        })
    })
}

/// Set the connection lost callback alone.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setConnectionLostCallback(
    handle: MQTTAsync,
    context: *mut c_void,
    cl: MQTTAsync_connectionLost,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        update_cbs(handle, |c| {
            c.context = context as usize;
            c.connection_lost = cl;
        })
    })
}

/// Set the message arrived callback alone.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setMessageArrivedCallback(
    handle: MQTTAsync,
    context: *mut c_void,
    ma: MQTTAsync_messageArrived,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        update_cbs(handle, |c| {
            c.context = context as usize;
            c.message_arrived = ma;
        })
    })
}

/// Set the delivery complete callback alone.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setDeliveryCompleteCallback(
    handle: MQTTAsync,
    context: *mut c_void,
    dc: MQTTAsync_deliveryComplete,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        update_cbs(handle, |c| {
            c.context = context as usize;
            c.delivery_complete = dc;
        })
    })
}

/// Set the connected callback (after every successful connect or reconnect).
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setConnected(
    handle: MQTTAsync,
    context: *mut c_void,
    co: MQTTAsync_connected,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        update_cbs(handle, |c| {
            c.connected = co;
            c.connected_context = context as usize;
        })
    })
}

/// Set the MQTT 5 disconnected callback.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setDisconnected(
    handle: MQTTAsync,
    context: *mut c_void,
    co: MQTTAsync_disconnected,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        update_cbs(handle, |c| {
            c.disconnected = co;
            c.disconnected_context = context as usize;
        })
    })
}

/// Set the callback that may update user name and password before each reconnect.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setUpdateConnectOptions(
    handle: MQTTAsync,
    context: *mut c_void,
    co: MQTTAsync_updateConnectOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        update_cbs(handle, |c| {
            c.update_connect = co;
            c.update_context = context as usize;
        })
    })
}

/// Transform what goes into the store (e.g. encrypt it); NULL removes the hook.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setBeforePersistenceWrite(
    handle: MQTTAsync,
    context: *mut c_void,
    co: MQTTPersistence_beforeWrite,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return MQTTASYNC_FAILURE;
        };
        inner.hooks.lock().unwrap_or_else(|e| e.into_inner()).before = (co, context as usize);
        MQTTASYNC_SUCCESS
    })
}

/// Transform what is read back from the store (e.g. decrypt it); NULL removes the hook.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_setAfterPersistenceRead(
    handle: MQTTAsync,
    context: *mut c_void,
    co: MQTTPersistence_afterRead,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return MQTTASYNC_FAILURE;
        };
        inner.hooks.lock().unwrap_or_else(|e| e.into_inner()).after = (co, context as usize);
        MQTTASYNC_SUCCESS
    })
}

// ------------------------------------------------------------------------------------------
// Connect / disconnect
// ------------------------------------------------------------------------------------------

struct AsyncConnect {
    opts: ConnectOptions,
    cbs: OpCallbacks,
    auto: bool,
    min: i32,
    max: i32,
}

/// # Safety
/// `o` non-NULL, valid for its declared version.
unsafe fn read_async_connect(
    o: *const MQTTAsync_connectOptions,
) -> Result<AsyncConnect, (c_int, String)> {
    let sid = field!(o, struct_id);
    let ver = field!(o, struct_version);
    if !id_is(&sid, &CONNECT_OPTIONS_ID) || !(0..=ASYNC_CONNECT_OPTIONS_VERSION).contains(&ver) {
        return Err((
            MQTTASYNC_BAD_STRUCTURE,
            "connectOptions struct_id/version".into(),
        ));
    }
    let mut opts = ConnectOptions {
        version: VersionChoice::Default,
        keep_alive: field!(o, keepAliveInterval).clamp(0, 65535) as u16,
        clean: field!(o, cleansession) != 0,
        will: None,
        username: None,
        password: None,
        connect_timeout: Duration::from_secs(field!(o, connectTimeout).max(1) as u64),
        timeout_per_uri: false,
        // Paho's async client queues what is beyond maxInflight rather than refusing it.
        max_inflight: 0,
        send_window: field!(o, maxInflight).max(0) as usize,
        publish_window: 0,
        server_uris: Vec::new(),
        properties: Properties::default(),
        tls: None,
    };
    let mut cbs = OpCallbacks {
        on_success: field!(o, onSuccess),
        on_failure: field!(o, onFailure),
        on_success5: None,
        on_failure5: None,
        context: field!(o, context) as usize,
    };
    let will = field!(o, will);
    if !will.is_null() {
        // SAFETY: same layout as the sync will struct.
        opts.will = Some(unsafe { read_will(will as *const MQTTClient_willOptions) }?);
    }
    // SAFETY: C strings from the caller.
    (opts.username, opts.password) =
        unsafe { read_credentials(field!(o, username), field!(o, password)) }?;
    if ver >= 1 {
        let ssl = field!(o, ssl);
        if !ssl.is_null() {
            let sid = field!(ssl, struct_id);
            let sver = field!(ssl, struct_version);
            if !id_is(&sid, &SSL_OPTIONS_ID) || !(0..=SSL_OPTIONS_VERSION).contains(&sver) {
                return Err((
                    MQTTASYNC_BAD_STRUCTURE,
                    "SSLOptions struct_id/version".into(),
                ));
            }
            if !cfg!(feature = "tls") {
                return Err((
                    MQTTASYNC_SSL_NOT_SUPPORTED,
                    "TLS options on a library without TLS".into(),
                ));
            }
            // SAFETY: checked non-NULL with a known id and version; same layout as the
            // sync struct.
            opts.tls = Some(unsafe { read_ssl_options(ssl as *const MQTTClient_SSLOptions) });
        }
    }
    if ver >= 2 {
        // SAFETY: the caller's array of serverURIcount strings.
        opts.server_uris =
            unsafe { read_uri_list(field!(o, serverURIcount), field!(o, serverURIs)) }?;
    }
    if ver >= 3 {
        opts.version = version_choice(field!(o, MQTTVersion))
            .ok_or((MQTTASYNC_WRONG_MQTT_VERSION, "MQTTVersion".to_string()))?;
    }
    let (mut auto, mut min, mut max) = (false, 1, 60);
    if ver >= 4 {
        auto = field!(o, automaticReconnect) != 0;
        min = field!(o, minRetryInterval);
        max = field!(o, maxRetryInterval);
    }
    if ver >= 5 && opts.password.is_none() {
        // SAFETY: the caller's buffer of `len` bytes.
        opts.password = unsafe { binary_bytes(field!(o, binarypwd)) };
    }
    if ver >= 6 {
        cbs.on_success5 = field!(o, onSuccess5);
        cbs.on_failure5 = field!(o, onFailure5);
        let v5 = matches!(opts.version, VersionChoice::Exact(ProtocolVersion::V5));
        let cleanstart = field!(o, cleanstart) != 0;
        if !v5 && (!field!(o, connectProperties).is_null() || !field!(o, willProperties).is_null())
        {
            return Err((
                MQTTASYNC_BAD_MQTT_OPTION,
                "MQTT 5 properties on an MQTT 3 connect".into(),
            ));
        }
        if v5 && opts.clean {
            return Err((
                MQTTASYNC_BAD_MQTT_OPTION,
                "cleansession set for MQTT 5: use cleanstart".into(),
            ));
        }
        if !v5 && cleanstart {
            return Err((
                MQTTASYNC_BAD_MQTT_OPTION,
                "cleanstart set for MQTT 3: use cleansession".into(),
            ));
        }
        if v5 {
            opts.clean = cleanstart;
            // SAFETY: NULL or the caller's property lists.
            opts.properties = unsafe { properties_from_c(field!(o, connectProperties)) }
                .map_err(|id| (MQTTASYNC_FAILURE, format!("bad connect property {id}")))?;
            if let Some(w) = opts.will.as_mut() {
                // SAFETY: as above.
                w.properties = unsafe { properties_from_c(field!(o, willProperties)) }
                    .map_err(|id| (MQTTASYNC_FAILURE, format!("bad will property {id}")))?;
            }
        }
    }
    Ok(AsyncConnect {
        opts,
        cbs,
        auto,
        min,
        max,
    })
}

/// Start connecting; the result comes through onSuccess/onFailure.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_connect(
    handle: MQTTAsync,
    options: *const MQTTAsync_connectOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        const F: &str = "MQTTAsync_connect";
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return trace_fail(F, MQTTASYNC_FAILURE, "NULL handle");
        };
        if options.is_null() {
            return trace_fail(F, MQTTASYNC_NULL_PARAMETER, "options is NULL");
        }
        // SAFETY: checked non-NULL.
        let c = match unsafe { read_async_connect(options) } {
            Ok(c) => c,
            Err((rc, why)) => return trace_fail(F, rc, &why),
        };
        if needs_ssl_options(inner.client.server_uri(), &c.opts.tls) {
            return trace_fail(F, MQTTASYNC_NULL_PARAMETER, "TLS URI but no SSL options");
        }
        let want5 = matches!(c.opts.version, VersionChoice::Exact(ProtocolVersion::V5));
        if (c.cbs.on_success5.is_some() || c.cbs.on_failure5.is_some()) && !want5 {
            return trace_fail(
                F,
                MQTTASYNC_BAD_MQTT_OPTION,
                "onSuccess5/onFailure5 need MQTTVersion 5",
            );
        }
        if want5 && inner.create_version < MQTTVERSION_5 {
            return trace_fail(
                F,
                MQTTASYNC_WRONG_MQTT_VERSION,
                "MQTT 5 connect on a client not created for MQTT 5",
            );
        }
        if inner.client.is_connected() {
            // Paho accepts a connect while connected and never answers it.
            trace::error("MQTTAsync_connect: already connected; the request is ignored");
            return MQTTASYNC_SUCCESS;
        }
        {
            let mut rc = inner.reconnect.lock().unwrap_or_else(|e| e.into_inner());
            rc.generation += 1;
            rc.running = false;
            rc.enabled = c.auto;
            rc.min = Duration::from_secs(c.min.max(1) as u64);
            rc.max = Duration::from_secs(c.max.max(c.min).max(1) as u64);
            inner.reconnect_cv.notify_all();
        }
        // From now on publishes may be buffered while disconnected (sendWhileDisconnected).
        inner.client.set_wants_connection(true);
        *inner.last_connect.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((c.opts.clone(), c.cbs));
        inner.spawn_connect(c.opts, c.cbs);
        MQTTASYNC_SUCCESS
    })
}

/// Reconnect now with the last connect's options (automatic reconnect must be configured).
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_reconnect(handle: MQTTAsync) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return MQTTASYNC_FAILURE;
        };
        // Paho answers success whether or not there is anything to do.
        if inner.client.is_connected() {
            return MQTTASYNC_SUCCESS;
        }
        let last = inner
            .last_connect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some((mut opts, _)) = last else {
            return MQTTASYNC_SUCCESS;
        };
        inner.cancel_reconnect();
        inner.apply_update_connect(&mut opts);
        let Some(me) = inner.me.upgrade() else {
            return MQTTASYNC_FAILURE;
        };
        inner.control.post(Box::new(move || {
            let r = me.client.connect(&opts);
            if r.is_err() {
                me.start_reconnect();
            }
            let strip = opts.server_uris.is_empty();
            me.report_connect(r, OpCallbacks::none(), true, strip);
        }));
        MQTTASYNC_SUCCESS
    })
}

/// Whether the client is connected.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_isConnected(handle: MQTTAsync) -> c_int {
    ffi_boundary!(0, {
        // SAFETY: a live handle.
        match unsafe { handle_ref(handle) } {
            Some(inner) => inner.client.is_connected() as c_int,
            None => 0,
        }
    })
}

/// Start disconnecting; onSuccess when done.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_disconnect(
    handle: MQTTAsync,
    options: *const MQTTAsync_disconnectOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        const F: &str = "MQTTAsync_disconnect";
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return trace_fail(F, MQTTASYNC_FAILURE, "NULL handle");
        };
        let mut timeout = 0;
        let mut cbs = OpCallbacks::none();
        let mut reason = 0u8;
        let mut props = Properties::default();
        if !options.is_null() {
            let sid = field!(options, struct_id);
            let ver = field!(options, struct_version);
            if !id_is(&sid, &DISCONNECT_OPTIONS_ID)
                || !(0..=DISCONNECT_OPTIONS_VERSION).contains(&ver)
            {
                return trace_fail(
                    F,
                    MQTTASYNC_BAD_STRUCTURE,
                    "disconnectOptions struct_id/version",
                );
            }
            timeout = field!(options, timeout);
            cbs.on_success = field!(options, onSuccess);
            cbs.on_failure = field!(options, onFailure);
            cbs.context = field!(options, context) as usize;
            // Version 1 brings the MQTT 5 fields. (Paho reads the MQTT 5 callbacks of a
            // version 0 struct too, past its end for a caller built with old headers; we
            // read no field beyond the version given.)
            if ver >= 1 {
                cbs.on_success5 = field!(options, onSuccess5);
                cbs.on_failure5 = field!(options, onFailure5);
                reason = field!(options, reasonCode).clamp(0, 255) as u8;
                // SAFETY: version 1 has properties.
                let p = unsafe { ptr::addr_of!((*options).properties) };
                // SAFETY: the caller's property list.
                props = match unsafe { properties_from_c(p) } {
                    Ok(p) => p,
                    Err(_) => return trace_fail(F, MQTTASYNC_FAILURE, "bad disconnect property"),
                };
            }
        }
        inner.cancel_reconnect();
        // After an explicit disconnect, sends are refused again even when buffering is on.
        inner.client.set_wants_connection(false);
        if !inner.client.is_connected() {
            return trace_fail(F, MQTTASYNC_DISCONNECTED, "not connected");
        }
        let Some(me) = inner.me.upgrade() else {
            return MQTTASYNC_FAILURE;
        };
        inner.control.post(Box::new(move || {
            let r =
                me.client
                    .disconnect(Duration::from_millis(timeout.max(0) as u64), reason, props);
            if me.destroyed.load(Ordering::SeqCst) {
                return;
            }
            me.client.post_job(Box::new(move || match r {
                Ok(()) => {
                    let ctx = cbs.context as *mut c_void;
                    if let Some(f) = cbs.on_success5 {
                        let mut d = MQTTAsync_successData5 {
                            struct_id: SUCCESS_DATA5_ID,
                            struct_version: SUCCESS_DATA5_VERSION,
                            token: 0,
                            reasonCode: 0,
                            properties: MQTTProperties::INITIALIZER,
                            alt: MQTTAsync_successData5_alt {
                                sub: MQTTAsync_successData5_codes {
                                    reasonCodeCount: 0,
                                    reasonCodes: ptr::null_mut(),
                                },
                            },
                        };
                        // SAFETY: application callback.
                        unsafe { f(ctx, &mut d) };
                    } else if let Some(f) = cbs.on_success {
                        let mut d = MQTTAsync_successData {
                            token: 0,
                            alt: MQTTAsync_successData_alt { qos: 0 },
                        };
                        // SAFETY: application callback.
                        unsafe { f(ctx, &mut d) };
                    }
                }
                Err(e) => call_failure(&cbs, 0, err_code(&e), &format!("{e:?}"), 0),
            }));
        }));
        MQTTASYNC_SUCCESS
    })
}

// ------------------------------------------------------------------------------------------
// Send / subscribe
// ------------------------------------------------------------------------------------------

/// The callbacks and MQTT 5 extras of a responseOptions, honouring its version.
struct Response {
    cbs: OpCallbacks,
    properties: Properties<'static>,
    sub_opts: Option<MQTTSubscribe_options>,
    sub_opts_list: Vec<MQTTSubscribe_options>,
}

/// # Safety
/// `r` is NULL or valid for its declared version.
unsafe fn read_response(r: *const MQTTAsync_responseOptions) -> Result<Response, c_int> {
    let mut out = Response {
        cbs: OpCallbacks::none(),
        properties: Properties::default(),
        sub_opts: None,
        sub_opts_list: Vec::new(),
    };
    if r.is_null() {
        return Ok(out);
    }
    // Paho does not check this struct's eye-catcher or version; read what the version has.
    let ver = field!(r, struct_version).min(RESPONSE_OPTIONS_VERSION);
    out.cbs.on_success = field!(r, onSuccess);
    out.cbs.on_failure = field!(r, onFailure);
    out.cbs.context = field!(r, context) as usize;
    if ver >= 1 {
        out.cbs.on_success5 = field!(r, onSuccess5);
        out.cbs.on_failure5 = field!(r, onFailure5);
        // SAFETY: version 1 has properties.
        let p = unsafe { ptr::addr_of!((*r).properties) };
        // SAFETY: the caller's list.
        out.properties = unsafe { properties_from_c(p) }.map_err(|_| MQTTASYNC_FAILURE)?;
        let so = field!(r, subscribeOptions);
        if id_is(&so.struct_id, &SUBSCRIBE_OPTIONS_ID) {
            out.sub_opts = Some(so);
        }
        let n = field!(r, subscribeOptionsCount);
        let list = field!(r, subscribeOptionsList);
        if n > 0 && !list.is_null() {
            for i in 0..n as usize {
                // SAFETY: the caller's array of n options.
                out.sub_opts_list.push(unsafe { *list.add(i) });
            }
        }
    }
    Ok(out)
}

/// # Safety
/// `r` NULL or a valid responseOptions.
unsafe fn write_token(r: *mut MQTTAsync_responseOptions, token: c_int) {
    if !r.is_null() {
        // SAFETY: token exists in every version.
        unsafe { ptr::addr_of_mut!((*r).token).write(token) };
    }
}

fn check_v5_match(inner: &AsyncInner, resp: &Response) -> Result<(), c_int> {
    let has5 = resp.cbs.on_success5.is_some() || resp.cbs.on_failure5.is_some();
    let has3 = resp.cbs.on_success.is_some() || resp.cbs.on_failure.is_some();
    if !has5 && !has3 {
        return Ok(());
    }
    let is5 = inner.create_version >= MQTTVERSION_5
        || inner.client.connected_version() == Some(ProtocolVersion::V5);
    if (has5 && !is5) || (has3 && is5) {
        return Err(MQTTASYNC_BAD_MQTT_OPTION);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn do_send(
    f: &str,
    handle: MQTTAsync,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retained: c_int,
    response: *mut MQTTAsync_responseOptions,
    mut props: Option<Properties<'static>>,
) -> c_int {
    // SAFETY: a live handle.
    let Some(inner) = (unsafe { handle_ref(handle) }) else {
        return trace_fail(f, MQTTASYNC_FAILURE, "NULL handle");
    };
    // SAFETY: a C string.
    let t = match unsafe { cstr(topic) } {
        Ok(t) => t,
        Err(_) => return trace_fail(f, MQTTASYNC_BAD_UTF8_STRING, "topic NULL or not UTF-8"),
    };
    if t.contains(['+', '#']) {
        return trace_fail(f, MQTTASYNC_FAILURE, "wildcard in publish topic");
    }
    let Some(q) = client::qos_from_int(qos) else {
        return trace_fail(f, MQTTASYNC_BAD_QOS, "QoS must be 0, 1 or 2");
    };
    if payloadlen < 0 {
        return trace_fail(f, MQTTASYNC_FAILURE, "negative payload length");
    }
    if payloadlen > 0 && payload.is_null() {
        return trace_fail(f, MQTTASYNC_NULL_PARAMETER, "payload is NULL");
    }
    if let Err(e) = protocol::validate_topic_name(t) {
        return trace_fail(f, MQTTASYNC_FAILURE, &format!("topic: {e}"));
    }
    // SAFETY: NULL or the caller's response options.
    let resp = match unsafe { read_response(response) } {
        Ok(r) => r,
        Err(rc) => return trace_fail(f, rc, "responseOptions struct_id/version"),
    };
    if let Err(rc) = check_v5_match(inner, &resp) {
        return trace_fail(f, rc, "callbacks for the wrong MQTT version");
    }
    let data: &[u8] = if payloadlen == 0 {
        &[]
    } else {
        // SAFETY: the caller's buffer of payloadlen bytes.
        unsafe { std::slice::from_raw_parts(payload as *const u8, payloadlen as usize) }
    };
    let properties = match props.take() {
        Some(p) if !p.0.is_empty() => p,
        _ => resp.properties.clone(),
    };
    let op = if resp.cbs.is_empty() {
        None
    } else {
        let kept: &[u8] = if q == crate::protocol::QoS::AtMostOnce {
            data
        } else {
            &[]
        };
        let mut copy = Vec::with_capacity(t.len() + 1 + kept.len());
        copy.extend_from_slice(t.as_bytes());
        copy.push(0);
        copy.extend_from_slice(kept);
        inner.op(
            OpKind::Send {
                copy: copy.into_boxed_slice(),
                topic_len: t.len(),
                qos,
                retained,
            },
            resp.cbs,
        )
    };
    let msg = Publish {
        dup: false,
        qos: q,
        retain: retained != 0,
        topic: Cow::Borrowed(t),
        packet_id: 0,
        properties,
        payload: Cow::Borrowed(data),
    };
    match inner.client.publish(msg, op) {
        Ok(token) => {
            // SAFETY: NULL or the caller's response options.
            unsafe { write_token(response, token as c_int) };
            MQTTASYNC_SUCCESS
        }
        Err(e) => {
            inner.drop_op(op);
            trace_fail(f, err_code(&e), &format!("{e:?}"))
        }
    }
}

/// Send a payload.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_send(
    handle: MQTTAsync,
    destinationName: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retained: c_int,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        do_send(
            "MQTTAsync_send",
            handle,
            destinationName,
            payloadlen,
            payload,
            qos,
            retained,
            response,
            None,
        )
    })
}

/// Send a message struct (its MQTT 5 properties are used).
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_sendMessage(
    handle: MQTTAsync,
    destinationName: *const c_char,
    msg: *const MQTTAsync_message,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        const F: &str = "MQTTAsync_sendMessage";
        if msg.is_null() {
            return trace_fail(F, MQTTASYNC_NULL_PARAMETER, "message is NULL");
        }
        let sid = field!(msg, struct_id);
        let ver = field!(msg, struct_version);
        if !id_is(&sid, &MESSAGE_ID) || !(0..=MESSAGE_VERSION).contains(&ver) {
            return trace_fail(F, MQTTASYNC_BAD_STRUCTURE, "message struct_id/version");
        }
        let props = if ver >= 1 {
            // SAFETY: version 1 has properties.
            let p = unsafe { ptr::addr_of!((*msg).properties) };
            // SAFETY: the caller's list.
            match unsafe { properties_from_c(p) } {
                Ok(p) => Some(p),
                Err(_) => return trace_fail(F, MQTTASYNC_FAILURE, "bad message property"),
            }
        } else {
            None
        };
        do_send(
            F,
            handle,
            destinationName,
            field!(msg, payloadlen),
            field!(msg, payload),
            field!(msg, qos),
            field!(msg, retained),
            response,
            props,
        )
    })
}

fn do_subscribe(
    f: &str,
    handle: MQTTAsync,
    count: c_int,
    topics: *const *mut c_char,
    qos: *const c_int,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    // SAFETY: a live handle.
    let Some(inner) = (unsafe { handle_ref(handle) }) else {
        return trace_fail(f, MQTTASYNC_FAILURE, "NULL handle");
    };
    if count <= 0 {
        return trace_fail(f, MQTTASYNC_FAILURE, "count must be positive");
    }
    if topics.is_null() || qos.is_null() {
        return trace_fail(f, MQTTASYNC_NULL_PARAMETER, "topics or qos is NULL");
    }
    // SAFETY: NULL or the caller's response options.
    let resp = match unsafe { read_response(response) } {
        Ok(r) => r,
        Err(rc) => return trace_fail(f, rc, "responseOptions struct_id/version"),
    };
    if let Err(rc) = check_v5_match(inner, &resp) {
        return trace_fail(f, rc, "callbacks for the wrong MQTT version");
    }
    let mut filters = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        // SAFETY: the caller's arrays of `count` entries.
        let (p, q) = unsafe { (*topics.add(i), *qos.add(i)) };
        // SAFETY: a C string.
        let t = match unsafe { cstr(p) } {
            Ok(t) => t,
            Err(_) => return trace_fail(f, MQTTASYNC_BAD_UTF8_STRING, "topic NULL or not UTF-8"),
        };
        if protocol::validate_topic_filter(t).is_err() {
            return trace_fail(f, MQTTASYNC_FAILURE, "invalid topic filter");
        }
        let Some(q) = client::qos_from_int(q) else {
            return trace_fail(f, MQTTASYNC_BAD_QOS, "QoS must be 0, 1 or 2");
        };
        // MQTT 5 subscribe options mean nothing to an MQTT 3 connection: Paho ignores them.
        let so = resp
            .sub_opts_list
            .get(i)
            .copied()
            .or(if count == 1 { resp.sub_opts } else { None })
            .filter(|_| inner.client.version() == ProtocolVersion::V5);
        filters.push((
            t.to_string(),
            SubscriptionOptions {
                qos: q,
                no_local: so.is_some_and(|o| o.noLocal != 0),
                retain_as_published: so.is_some_and(|o| o.retainAsPublished != 0),
                retain_handling: so.map_or(0, |o| o.retainHandling.min(2)),
            },
        ));
    }
    let op = inner.op(
        OpKind::Subscribe {
            count: count as usize,
        },
        resp.cbs,
    );
    match inner.client.start_subscribe(filters, resp.properties, op) {
        Ok(token) => {
            // SAFETY: NULL or the caller's response options.
            unsafe { write_token(response, token as c_int) };
            MQTTASYNC_SUCCESS
        }
        Err(e) => {
            inner.drop_op(op);
            trace_fail(f, err_code(&e), &format!("{e:?}"))
        }
    }
}

/// Subscribe to one filter.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_subscribe(
    handle: MQTTAsync,
    topic: *const c_char,
    qos: c_int,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        let topics = [topic as *mut c_char];
        let q = [qos];
        do_subscribe(
            "MQTTAsync_subscribe",
            handle,
            1,
            topics.as_ptr(),
            q.as_ptr(),
            response,
        )
    })
}

/// Subscribe to several filters.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_subscribeMany(
    handle: MQTTAsync,
    count: c_int,
    topic: *const *mut c_char,
    qos: *const c_int,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        do_subscribe(
            "MQTTAsync_subscribeMany",
            handle,
            count,
            topic,
            qos,
            response,
        )
    })
}

fn do_unsubscribe(
    f: &str,
    handle: MQTTAsync,
    count: c_int,
    topics: *const *mut c_char,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    // SAFETY: a live handle.
    let Some(inner) = (unsafe { handle_ref(handle) }) else {
        return trace_fail(f, MQTTASYNC_FAILURE, "NULL handle");
    };
    if count <= 0 {
        return trace_fail(f, MQTTASYNC_FAILURE, "count must be positive");
    }
    if topics.is_null() {
        return trace_fail(f, MQTTASYNC_NULL_PARAMETER, "topics is NULL");
    }
    // SAFETY: NULL or the caller's response options.
    let resp = match unsafe { read_response(response) } {
        Ok(r) => r,
        Err(rc) => return trace_fail(f, rc, "responseOptions struct_id/version"),
    };
    if let Err(rc) = check_v5_match(inner, &resp) {
        return trace_fail(f, rc, "callbacks for the wrong MQTT version");
    }
    let mut names = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        // SAFETY: the caller's array.
        let p = unsafe { *topics.add(i) };
        // SAFETY: a C string.
        match unsafe { cstr(p) } {
            Ok(t) if protocol::validate_topic_filter(t).is_ok() => names.push(t.to_string()),
            Ok(_) => return trace_fail(f, MQTTASYNC_FAILURE, "invalid topic filter"),
            Err(_) => return trace_fail(f, MQTTASYNC_BAD_UTF8_STRING, "topic NULL or not UTF-8"),
        }
    }
    let op = inner.op(OpKind::Unsubscribe, resp.cbs);
    match inner.client.start_unsubscribe(names, resp.properties, op) {
        Ok(token) => {
            // SAFETY: NULL or the caller's response options.
            unsafe { write_token(response, token as c_int) };
            MQTTASYNC_SUCCESS
        }
        Err(e) => {
            inner.drop_op(op);
            trace_fail(f, err_code(&e), &format!("{e:?}"))
        }
    }
}

/// Unsubscribe from one filter.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_unsubscribe(
    handle: MQTTAsync,
    topic: *const c_char,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        let topics = [topic as *mut c_char];
        do_unsubscribe(
            "MQTTAsync_unsubscribe",
            handle,
            1,
            topics.as_ptr(),
            response,
        )
    })
}

/// Unsubscribe from several filters.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_unsubscribeMany(
    handle: MQTTAsync,
    count: c_int,
    topic: *const *mut c_char,
    response: *mut MQTTAsync_responseOptions,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        do_unsubscribe("MQTTAsync_unsubscribeMany", handle, count, topic, response)
    })
}

// ------------------------------------------------------------------------------------------
// Tokens
// ------------------------------------------------------------------------------------------

/// Wait until `token` completes (returns at the event, no polling).
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_waitForCompletion(
    handle: MQTTAsync,
    token: MQTTAsync_token,
    timeout: std::ffi::c_ulong,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return MQTTASYNC_FAILURE;
        };
        let Ok(t) = u16::try_from(token) else {
            return MQTTASYNC_SUCCESS;
        };
        match inner
            .client
            .wait_token(t, Duration::from_millis(u64::from(timeout)))
        {
            Ok(()) => MQTTASYNC_SUCCESS,
            Err(e) => trace_fail(
                "MQTTAsync_waitForCompletion",
                err_code(&e),
                &format!("{e:?}"),
            ),
        }
    })
}

/// Whether `token` has completed.
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_isComplete(handle: MQTTAsync, token: MQTTAsync_token) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return MQTTASYNC_FAILURE;
        };
        match u16::try_from(token) {
            Ok(t) if inner.client.token_pending(t) => 0,
            _ => MQTTASYNC_TRUE,
        }
    })
}

/// Tokens not yet complete, as a malloc'd array ending with -1 (NULL when none).
#[no_mangle]
pub unsafe extern "C" fn MQTTAsync_getPendingTokens(
    handle: MQTTAsync,
    tokens: *mut *mut MQTTAsync_token,
) -> c_int {
    ffi_boundary!(MQTTASYNC_FAILURE, {
        if tokens.is_null() {
            return MQTTASYNC_NULL_PARAMETER;
        }
        // SAFETY: the caller's pointer variable.
        unsafe { *tokens = ptr::null_mut() };
        // SAFETY: a live handle.
        let Some(inner) = (unsafe { handle_ref(handle) }) else {
            return MQTTASYNC_FAILURE;
        };
        let ids = inner.client.pending_tokens();
        match malloc_token_array(&ids) {
            Some(arr) => {
                // SAFETY: the caller's pointer variable.
                unsafe { *tokens = arr };
                MQTTASYNC_SUCCESS
            }
            None => MQTTASYNC_FAILURE,
        }
    })
}
