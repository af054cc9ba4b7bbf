//! `MQTTClient_*`: the synchronous API of libpaho-mqtt3c / 3cs.
//!
//! Each function checks its arguments the way Paho does (same return codes), reads option
//! structs only up to the `struct_version` the caller passed, converts to `client` types and
//! calls the Rust client. Everything handed back to C is malloc'd.

#![allow(non_snake_case)]
// The safety contract of every exported function is the one Paho documents in its header:
// valid handles, NUL-terminated strings and structs of the version they declare.
#![allow(clippy::missing_safety_doc)]
// c_ulong is u64 here but u32 on 32-bit targets: keep the conversions.
#![allow(clippy::useless_conversion)]

use std::borrow::Cow;
use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::client::mem::MallocStr;
use crate::client::{
    self, Client, ConnectOptions, Error, Listener, Message, Notice, VersionChoice,
};
use crate::ffi::common::{
    binary_bytes, boxed_properties, free_c_message, free_c_properties, malloc_token_array,
    message_to_c, needs_ssl_options, read_credentials, read_ssl_options, read_uri_list, read_will,
    take_back_message, unknown_error_text, version_choice,
};
use crate::ffi::convert::{properties_from_c, properties_to_c};
use crate::ffi::types::*;
use crate::ffi::{cstr, id_is};
use crate::ffi_boundary;
use crate::field;
use crate::protocol::{self, Properties, ProtocolVersion, Publish, QoS, SubscriptionOptions};
use crate::trace;
use crate::vg::{Mutex, MutexGuard};

#[derive(Clone, Copy)]
struct Callbacks {
    context: usize,
    connection_lost: MQTTClient_connectionLost,
    message_arrived: MQTTClient_messageArrived,
    delivery_complete: MQTTClient_deliveryComplete,
    disconnected: MQTTClient_disconnected,
    disconnected_context: usize,
    published: MQTTClient_published,
    published_context: usize,
}

struct SyncListener {
    cbs: Mutex<Callbacks>,
}

impl SyncListener {
    fn get(&self) -> Callbacks {
        *self.cbs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Listener for SyncListener {
    fn wants_messages(&self) -> bool {
        self.get().message_arrived.is_some()
    }

    fn notify(&self, notice: Notice) -> Option<Message> {
        let cbs = self.get();
        let ctx = cbs.context as *mut c_void;
        match notice {
            Notice::ConnectionLost { cause, by_server } => {
                let _ = cause;
                if by_server {
                    return None;
                }
                if let Some(f) = cbs.connection_lost {
                    // SAFETY: calling the application's callback with its own context.
                    unsafe { f(ctx, ptr::null_mut()) };
                }
                None
            }
            Notice::Message(mut m) => {
                let f = cbs.message_arrived?;
                let topic_len = m.topic.len();
                let topic = m.topic.take().into_raw();
                let msg = message_to_c(&mut m);
                // SAFETY: topic and msg are malloc'd and handed over; the callback frees them
                // when it returns nonzero.
                let rc = unsafe { f(ctx, topic, 0, msg) };
                if rc != 0 {
                    None
                } else {
                    // Not consumed: take the memory back and keep the message for later.
                    // SAFETY: both came from malloc above and the application declined them.
                    unsafe {
                        if let Some(t) = MallocStr::from_raw(topic, topic_len) {
                            m.topic = t;
                        }
                        take_back_message(&mut m, msg);
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
            Notice::Published {
                token,
                packet_type,
                reason,
                properties,
            } => {
                if let Some(f) = cbs.published {
                    let mut p = properties_to_c(&properties);
                    // SAFETY: application callback; `p` lives across the call and is freed after.
                    unsafe {
                        f(
                            cbs.published_context as *mut c_void,
                            token as c_int,
                            packet_type as c_int,
                            &mut p,
                            reason as c_int,
                        );
                        free_c_properties(&mut p);
                    }
                }
                None
            }
            Notice::OpDone { .. } => None,
            Notice::Disconnected { reason, properties } => {
                if let Some(f) = cbs.disconnected {
                    let mut p = properties_to_c(&properties);
                    // SAFETY: as above.
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

/// What an `MQTTClient` handle points to.
struct SyncClient {
    client: Client,
    /// MQTTVersion from createWithOptions (0 when not given).
    create_version: c_int,
    listener: Arc<SyncListener>,
    listener_installed: Mutex<bool>,
    /// Keeps `returned.serverURI` alive until the next connect or destroy.
    returned_uri: Mutex<Option<CString>>,
    /// A setting read without a lock (by any thread calling the API): untracked for helgrind
    /// when set, as it carries no data.
    command_timeout_ms: AtomicU64,
}

/// # Safety
/// `h` is NULL or a handle from MQTTClient_create not yet destroyed.
unsafe fn handle<'a>(h: MQTTClient) -> Option<&'a SyncClient> {
    if h.is_null() {
        None
    } else {
        // SAFETY: per the caller.
        Some(unsafe { &*(h as *const SyncClient) })
    }
}

fn err_code(e: &Error) -> c_int {
    match e {
        Error::Failure(_)
        | Error::Timeout
        | Error::NoMoreIds
        | Error::Destroyed
        | Error::BufferFull
        | Error::Incomplete => MQTTCLIENT_FAILURE,
        Error::Disconnected => MQTTCLIENT_DISCONNECTED,
        Error::MaxInflight => MQTTCLIENT_MAX_MESSAGES_INFLIGHT,
        Error::BadUtf8 => MQTTCLIENT_BAD_UTF8_STRING,
        Error::BadArgument(_) => MQTTCLIENT_FAILURE,
        Error::Refused { code, .. } => *code as c_int,
        Error::SslNotSupported => MQTTCLIENT_SSL_NOT_SUPPORTED,
        Error::BadProtocol => MQTTCLIENT_BAD_PROTOCOL,
        Error::Persistence(_) => MQTTCLIENT_PERSISTENCE_ERROR,
    }
}

/// At connect time a URI this library cannot use is a plain failure, as with Paho.
fn connect_err_code(e: &Error) -> c_int {
    match e {
        Error::SslNotSupported | Error::BadProtocol => MQTTCLIENT_FAILURE,
        other => err_code(other),
    }
}

fn trace_fail(func: &str, rc: c_int, why: &str) -> c_int {
    if rc != MQTTCLIENT_SUCCESS {
        crate::trace!(Error, "{func}: returning {rc}: {why}");
    }
    rc
}

// ------------------------------------------------------------------------------------------
// Library-wide
// ------------------------------------------------------------------------------------------

/// Process-wide initialisation; OpenSSL needs none from us.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_global_init(inits: *mut MQTTClient_init_options) {
    ffi_boundary!((), {
        let _ = inits;
    })
}

struct VersionInfo([MQTTClient_nameValue; 4]);
// SAFETY: only pointers to static, immutable strings.
unsafe impl Sync for VersionInfo {}

static VERSION_INFO: VersionInfo = VersionInfo([
    MQTTClient_nameValue {
        name: c"Product name".as_ptr(),
        value: c"Eclipse Paho Synchronous MQTT C Client Library (Rust implementation)".as_ptr(),
    },
    MQTTClient_nameValue {
        name: c"Version".as_ptr(),
        value: c"1.3.12".as_ptr(),
    },
    MQTTClient_nameValue {
        name: c"Build level".as_ptr(),
        value: c"paho-mqtt-c-rs 1.3.12".as_ptr(),
    },
    MQTTClient_nameValue {
        name: ptr::null(),
        value: ptr::null(),
    },
]);

/// Name/value pairs describing this library.
#[no_mangle]
pub extern "C" fn MQTTClient_getVersionInfo() -> *mut MQTTClient_nameValue {
    // The TLS library also names the OpenSSL it runs on, as Paho's does.
    #[cfg(feature = "tls")]
    {
        struct WithTls(Vec<MQTTClient_nameValue>);
        // SAFETY: pointers to static strings only.
        unsafe impl Sync for WithTls {}
        // SAFETY: as above.
        unsafe impl Send for WithTls {}
        static WITH_TLS: crate::vg::OnceLock<WithTls> = crate::vg::OnceLock::new();
        let v = WITH_TLS.get_or_init(|| {
            let mut v: Vec<MQTTClient_nameValue> = VERSION_INFO.0[..3].to_vec();
            for (name, value) in crate::net::tls::version_info() {
                v.push(MQTTClient_nameValue { name, value });
            }
            v.push(VERSION_INFO.0[3]);
            WithTls(v)
        });
        v.0.as_ptr() as *mut MQTTClient_nameValue
    }
    #[cfg(not(feature = "tls"))]
    {
        VERSION_INFO.0.as_ptr() as *mut MQTTClient_nameValue
    }
}

/// A message for a return code.
#[no_mangle]
pub extern "C" fn MQTTClient_strerror(code: c_int) -> *const c_char {
    ffi_boundary!(ptr::null(), {
        let s: &'static std::ffi::CStr = match code {
            0 => c"Success",
            -1 => c"Failure",
            -3 => c"Disconnected",
            -4 => c"Maximum in-flight messages amount reached",
            -5 => c"Invalid UTF8 string",
            -6 => c"Invalid (NULL) parameter",
            -7 => c"Topic containing NULL characters has been truncated",
            -8 => c"Bad structure",
            -9 => c"Invalid QoS value",
            -10 => c"SSL is not supported",
            -11 => c"Unrecognized MQTT version",
            -14 => c"Invalid protocol scheme",
            -15 => c"Options for wrong MQTT version",
            -16 => c"Client created for another version of MQTT",
            -17 => c"Zero length will topic on connect",
            _ => return unknown_error_text(code),
        };
        s.as_ptr()
    })
}

/// Free memory the library handed out.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_free(p: *mut c_void) {
    // SAFETY: p is NULL or came from malloc.
    unsafe { libc::free(p) }
}

/// Free a received message, its payload and its properties, and NULL the caller's pointer.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_freeMessage(msg: *mut *mut MQTTClient_message) {
    ffi_boundary!((), {
        if msg.is_null() {
            return;
        }
        // SAFETY: msg points to the caller's pointer variable.
        let m = unsafe { *msg };
        if !m.is_null() {
            // SAFETY: m is a message we allocated (or at least malloc'd by the caller).
            unsafe { free_c_message(m) };
        }
        // SAFETY: as above.
        unsafe { *msg = ptr::null_mut() };
    })
}

/// Set the trace callback.
#[no_mangle]
pub extern "C" fn MQTTClient_setTraceCallback(callback: MQTTClient_traceCallback) {
    trace::set_callback(callback);
}

/// Set the trace level of the callback.
#[no_mangle]
pub extern "C" fn MQTTClient_setTraceLevel(level: MQTTCLIENT_TRACE_LEVELS) {
    trace::set_level(level as c_int);
}

// ------------------------------------------------------------------------------------------
// Create / destroy / callbacks
// ------------------------------------------------------------------------------------------

/// Create a client.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_create(
    handle: *mut MQTTClient,
    serverURI: *const c_char,
    clientId: *const c_char,
    persistence_type: c_int,
    persistence_context: *mut c_void,
) -> c_int {
    // SAFETY: forwarded unchanged.
    unsafe {
        MQTTClient_createWithOptions(
            handle,
            serverURI,
            clientId,
            persistence_type,
            persistence_context,
            ptr::null_mut(),
        )
    }
}

/// Create a client with options (the MQTT version it will use).
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_createWithOptions(
    handle: *mut MQTTClient,
    serverURI: *const c_char,
    clientId: *const c_char,
    persistence_type: c_int,
    persistence_context: *mut c_void,
    options: *mut MQTTClient_createOptions,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        let _ = persistence_context;
        const F: &str = "MQTTClient_create";
        if handle.is_null() {
            return trace_fail(F, MQTTCLIENT_NULL_PARAMETER, "handle is NULL");
        }
        // SAFETY: C strings from the caller.
        let uri = match unsafe { cstr(serverURI) } {
            Ok(s) => s,
            Err(true) => return trace_fail(F, MQTTCLIENT_NULL_PARAMETER, "serverURI is NULL"),
            Err(false) => return trace_fail(F, MQTTCLIENT_BAD_UTF8_STRING, "serverURI not UTF-8"),
        };
        // SAFETY: as above.
        let id = match unsafe { cstr(clientId) } {
            Ok(s) => s,
            Err(true) => return trace_fail(F, MQTTCLIENT_NULL_PARAMETER, "clientId is NULL"),
            Err(false) => {
                return trace_fail(F, MQTTCLIENT_BAD_UTF8_STRING, "clientId is not valid UTF-8")
            }
        };
        let mut create_version = 0;
        if !options.is_null() {
            let sid = field!(options, struct_id);
            let ver = field!(options, struct_version);
            if !id_is(&sid, &CREATE_OPTIONS_ID)
                || !(0..=CLIENT_CREATE_OPTIONS_VERSION).contains(&ver)
            {
                return trace_fail(
                    F,
                    MQTTCLIENT_BAD_STRUCTURE,
                    "createOptions struct_id/version",
                );
            }
            create_version = field!(options, MQTTVersion);
        }
        if let Some(i) = uri.find("://") {
            match &uri[..i] {
                "tcp" | "mqtt" | "ws" => {}
                // Like Debian's build: TLS schemes are unknown to the non-TLS library.
                "ssl" | "mqtts" | "wss" if cfg!(feature = "tls") => {}
                _ => return trace_fail(F, MQTTCLIENT_BAD_PROTOCOL, "unknown URI scheme"),
            }
        }
        // SAFETY: the context is what the persistence type says (Paho's contract).
        let store = match unsafe {
            super::persist::open_store(persistence_type, persistence_context, id, uri, None)
        } {
            Ok(s) => s,
            Err(e) => return trace_fail(F, MQTTCLIENT_PERSISTENCE_ERROR, &e),
        };
        let client = match Client::new(uri, id) {
            Ok(c) => c,
            Err(e) => return trace_fail(F, err_code(&e), &format!("{e:?}")),
        };
        client.set_resend_without_session(true);
        if let Some(store) = store {
            // Paho reads the store back at create: its messages are pending tokens at once.
            if let Err(e) = client
                .set_store(store, true, true)
                .and_then(|_| client.restore())
            {
                client.destroy();
                return trace_fail(F, err_code(&e), &format!("{e:?}"));
            }
        }
        let listener = Arc::new(SyncListener {
            cbs: Mutex::new(Callbacks {
                context: 0,
                connection_lost: None,
                message_arrived: None,
                delivery_complete: None,
                disconnected: None,
                disconnected_context: 0,
                published: None,
                published_context: 0,
            }),
        });
        let sc = Box::new(SyncClient {
            client,
            create_version,
            listener,
            listener_installed: Mutex::new(false),
            returned_uri: Mutex::new(None),
            command_timeout_ms: AtomicU64::new(10_000),
        });
        // SAFETY: handle checked non-NULL.
        unsafe { *handle = Box::into_raw(sc) as MQTTClient };
        MQTTCLIENT_SUCCESS
    })
}

/// Destroy a client and NULL the caller's handle. Allowed from inside its own callbacks.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_destroy(handle: *mut MQTTClient) {
    ffi_boundary!((), {
        if handle.is_null() {
            return;
        }
        // SAFETY: the caller's handle variable.
        let h = unsafe { *handle };
        if h.is_null() {
            return;
        }
        // SAFETY: a handle from create; ownership returns to us.
        let sc = unsafe { Box::from_raw(h as *mut SyncClient) };
        sc.client.destroy();
        drop(sc);
        // SAFETY: as above.
        unsafe { *handle = ptr::null_mut() };
    })
}

fn install_listener(sc: &SyncClient) {
    let mut inst = sc.listener_flag();
    if !*inst {
        sc.client
            .set_listener(Some(sc.listener.clone() as Arc<dyn Listener>));
        *inst = true;
    }
}

impl SyncClient {
    fn listener_flag(&self) -> MutexGuard<'_, bool> {
        self.listener_installed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// Set the callbacks; not allowed while connected.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_setCallbacks(
    handle: MQTTClient,
    context: *mut c_void,
    cl: MQTTClient_connectionLost,
    ma: MQTTClient_messageArrived,
    dc: MQTTClient_deliveryComplete,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return trace_fail("MQTTClient_setCallbacks", MQTTCLIENT_FAILURE, "NULL handle");
        };
        if ma.is_none() {
            return trace_fail(
                "MQTTClient_setCallbacks",
                MQTTCLIENT_FAILURE,
                "messageArrived is NULL",
            );
        }
        {
            let mut c = sc.listener.cbs.lock().unwrap_or_else(|e| e.into_inner());
            c.context = context as usize;
            c.connection_lost = cl;
            c.message_arrived = ma;
            c.delivery_complete = dc;
        }
        install_listener(sc);
        MQTTCLIENT_SUCCESS
    })
}

/// Set the MQTT 5 disconnected callback.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_setDisconnected(
    handle: MQTTClient,
    context: *mut c_void,
    co: MQTTClient_disconnected,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return MQTTCLIENT_FAILURE;
        };
        {
            let mut c = sc.listener.cbs.lock().unwrap_or_else(|e| e.into_inner());
            c.disconnected = co;
            c.disconnected_context = context as usize;
        }
        install_listener(sc);
        MQTTCLIENT_SUCCESS
    })
}

/// Set the MQTT 5 published callback.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_setPublished(
    handle: MQTTClient,
    context: *mut c_void,
    co: MQTTClient_published,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return MQTTCLIENT_FAILURE;
        };
        {
            let mut c = sc.listener.cbs.lock().unwrap_or_else(|e| e.into_inner());
            c.published = co;
            c.published_context = context as usize;
        }
        install_listener(sc);
        MQTTCLIENT_SUCCESS
    })
}

/// # Safety
/// As for `handle`.
unsafe fn handle_ref<'a>(h: MQTTClient) -> Option<&'a SyncClient> {
    // SAFETY: forwarded.
    unsafe { handle(h) }
}

// ------------------------------------------------------------------------------------------
// Connect / disconnect
// ------------------------------------------------------------------------------------------

/// Read the connect options into ours, honouring struct_version. Err = Paho's code.
///
/// # Safety
/// `o` is non-NULL and points to a connect options struct of the version it declares.
unsafe fn read_connect_options(
    o: *const MQTTClient_connectOptions,
    v5: bool,
) -> Result<ConnectOptions, (c_int, String)> {
    let sid = field!(o, struct_id);
    let ver = field!(o, struct_version);
    if !id_is(&sid, &CONNECT_OPTIONS_ID) || !(0..=CLIENT_CONNECT_OPTIONS_VERSION).contains(&ver) {
        return Err((
            MQTTCLIENT_BAD_STRUCTURE,
            "connectOptions struct_id/version".into(),
        ));
    }
    let keep_alive = field!(o, keepAliveInterval);
    let clean = field!(o, cleansession) != 0;
    let mut opts = ConnectOptions {
        version: VersionChoice::Default,
        keep_alive: keep_alive.clamp(0, 65535) as u16,
        clean,
        will: None,
        username: None,
        password: None,
        connect_timeout: Duration::from_secs(field!(o, connectTimeout).max(1) as u64),
        timeout_per_uri: true,
        max_inflight: 0,
        send_window: 0,
        publish_window: 0,
        server_uris: Vec::new(),
        properties: Properties::default(),
        tls: None,
    };
    let will = field!(o, will);
    if !will.is_null() {
        // SAFETY: checked non-NULL; the caller's will struct.
        opts.will = Some(unsafe { read_will(will) }?);
    }
    // SAFETY: C strings from the caller.
    (opts.username, opts.password) =
        unsafe { read_credentials(field!(o, username), field!(o, password)) }?;
    if ver >= 1 && cfg!(feature = "tls") {
        let ssl = field!(o, ssl);
        if !ssl.is_null() {
            let sid = field!(ssl, struct_id);
            let sver = field!(ssl, struct_version);
            if !id_is(&sid, &SSL_OPTIONS_ID) || !(0..=SSL_OPTIONS_VERSION).contains(&sver) {
                return Err((
                    MQTTCLIENT_BAD_STRUCTURE,
                    "SSLOptions struct_id/version".into(),
                ));
            }
            // SAFETY: checked non-NULL with a known id and version.
            opts.tls = Some(unsafe { read_ssl_options(ssl) });
        }
    }
    if ver >= 2 {
        // SAFETY: the caller's array of serverURIcount strings.
        opts.server_uris =
            unsafe { read_uri_list(field!(o, serverURIcount), field!(o, serverURIs)) }?;
    }
    if ver >= 3 {
        opts.version = version_choice(field!(o, MQTTVersion))
            .ok_or((MQTTCLIENT_BAD_MQTT_VERSION, "MQTTVersion".to_string()))?;
    }
    if ver >= 5 && opts.password.is_none() {
        // SAFETY: the caller's buffer of `len` bytes.
        opts.password = unsafe { binary_bytes(field!(o, binarypwd)) };
    }
    // Paho's synchronous publish waits (it does not fail) when the window is full: one
    // message with `reliable`, else maxInflightMessages when set.
    if field!(o, reliable) != 0 {
        opts.publish_window = 1;
    } else if ver >= 6 {
        let m = field!(o, maxInflightMessages);
        if m > 0 {
            opts.publish_window = m as usize;
        }
    }
    let want5 = matches!(opts.version, VersionChoice::Exact(ProtocolVersion::V5));
    let cleanstart = ver >= 7 && field!(o, cleanstart) != 0;
    if want5 && opts.clean {
        return Err((
            MQTTCLIENT_BAD_MQTT_OPTION,
            "cleansession set for MQTT 5: use cleanstart".into(),
        ));
    }
    if !want5 && cleanstart {
        return Err((
            MQTTCLIENT_BAD_MQTT_OPTION,
            "cleanstart set for MQTT 3: use cleansession".into(),
        ));
    }
    if want5 {
        opts.clean = cleanstart;
    }
    let _ = v5;
    Ok(opts)
}

/// The `5` calls need a client created for MQTT 5 and the others one that is not (Paho's
/// MQTTCLIENT_WRONG_MQTT_VERSION); the options' own MQTTVersion may differ.
fn version_matches(sc: &SyncClient, v5_call: bool) -> Result<(), c_int> {
    if v5_call != (sc.create_version >= MQTTVERSION_5) {
        return Err(MQTTCLIENT_WRONG_MQTT_VERSION);
    }
    Ok(())
}

/// # Safety
/// `options` is non-NULL and valid for its version.
unsafe fn write_returned(
    sc: &SyncClient,
    options: *mut MQTTClient_connectOptions,
    c: &client::Connected,
) {
    let ver = field!(options, struct_version);
    if ver < 4 {
        return;
    }
    // Paho's synchronous client reports the URI without its scheme prefix.
    let bare = c
        .server_uri
        .split_once("://")
        .map_or(c.server_uri.as_str(), |(_, rest)| rest);
    let uri = CString::new(bare).unwrap_or_default();
    let p = uri.as_ptr();
    *sc.returned_uri.lock().unwrap_or_else(|e| e.into_inner()) = Some(uri);
    // SAFETY: version >= 4 has `returned`.
    unsafe {
        let r = ptr::addr_of_mut!((*options).returned);
        r.write(MQTTClient_connectOptions_returned {
            serverURI: p,
            MQTTVersion: c.version,
            sessionPresent: c.session_present as c_int,
        });
    }
}

/// Connect (MQTT 3.1 / 3.1.1). Returns 0, a CONNACK return code, or a negative error.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_connect(
    handle: MQTTClient,
    options: *mut MQTTClient_connectOptions,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        const F: &str = "MQTTClient_connect";
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return trace_fail(F, MQTTCLIENT_FAILURE, "NULL handle");
        };
        if options.is_null() {
            return trace_fail(F, MQTTCLIENT_NULL_PARAMETER, "options is NULL");
        }
        // SAFETY: checked non-NULL.
        let opts = match unsafe { read_connect_options(options, false) } {
            Ok(o) => o,
            Err((rc, why)) => return trace_fail(F, rc, &why),
        };
        if needs_ssl_options(sc.client.server_uri(), &opts.tls) {
            return trace_fail(F, MQTTCLIENT_NULL_PARAMETER, "TLS URI but no SSL options");
        }
        if let Err(rc) = version_matches(sc, false) {
            return trace_fail(F, rc, "MQTT 5 client or options: use MQTTClient_connect5");
        }
        match sc.client.connect(&opts) {
            Ok(c) => {
                // SAFETY: checked non-NULL.
                unsafe { write_returned(sc, options, &c) };
                MQTTCLIENT_SUCCESS
            }
            Err(e) => trace_fail(F, connect_err_code(&e), &format!("{e:?}")),
        }
    })
}

fn response(rc: c_int) -> MQTTResponse {
    MQTTResponse {
        reasonCode: rc,
        ..MQTTResponse::INITIALIZER
    }
}

/// Connect with MQTT 5.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_connect5(
    handle: MQTTClient,
    options: *mut MQTTClient_connectOptions,
    connectProperties: *mut MQTTProperties,
    willProperties: *mut MQTTProperties,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        const F: &str = "MQTTClient_connect5";
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return response(trace_fail(F, MQTTCLIENT_FAILURE, "NULL handle"));
        };
        if options.is_null() {
            return response(trace_fail(F, MQTTCLIENT_NULL_PARAMETER, "options is NULL"));
        }
        // SAFETY: checked non-NULL.
        let mut opts = match unsafe { read_connect_options(options, true) } {
            Ok(o) => o,
            Err((rc, why)) => return response(trace_fail(F, rc, &why)),
        };
        if needs_ssl_options(sc.client.server_uri(), &opts.tls) {
            return response(trace_fail(
                F,
                MQTTCLIENT_NULL_PARAMETER,
                "TLS URI but no SSL options",
            ));
        }
        if let Err(rc) = version_matches(sc, true) {
            return response(trace_fail(
                F,
                rc,
                "client or options not created for MQTT 5",
            ));
        }
        // SAFETY: NULL or the caller's property lists.
        match unsafe { properties_from_c(connectProperties) } {
            Ok(p) => opts.properties = p,
            Err(id) => {
                return response(trace_fail(
                    F,
                    MQTTCLIENT_FAILURE,
                    &format!("bad connect property {id}"),
                ))
            }
        }
        if let Some(w) = opts.will.as_mut() {
            // SAFETY: as above.
            match unsafe { properties_from_c(willProperties) } {
                Ok(p) => w.properties = p,
                Err(id) => {
                    return response(trace_fail(
                        F,
                        MQTTCLIENT_FAILURE,
                        &format!("bad will property {id}"),
                    ))
                }
            }
        }
        match sc.client.connect(&opts) {
            Ok(c) => {
                // SAFETY: checked non-NULL.
                unsafe { write_returned(sc, options, &c) };
                MQTTResponse {
                    reasonCode: 0,
                    properties: boxed_properties(&c.properties),
                    ..MQTTResponse::INITIALIZER
                }
            }
            Err(Error::Refused { code, properties }) => {
                crate::trace!(
                    Error,
                    "{F}: server refused the connection with reason code {code}"
                );
                MQTTResponse {
                    reasonCode: code as c_int,
                    properties: boxed_properties(&properties),
                    ..MQTTResponse::INITIALIZER
                }
            }
            Err(e) => response(trace_fail(F, connect_err_code(&e), &format!("{e:?}"))),
        }
    })
}

/// Whether the client is connected.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_isConnected(handle: MQTTClient) -> c_int {
    ffi_boundary!(0, {
        // SAFETY: a handle from create.
        match unsafe { handle_ref(handle) } {
            Some(sc) => sc.client.is_connected() as c_int,
            None => 0,
        }
    })
}

fn do_disconnect(handle: MQTTClient, timeout: c_int, reason: u8, props: Properties<'_>) -> c_int {
    // SAFETY: a handle from create.
    let Some(sc) = (unsafe { handle_ref(handle) }) else {
        return MQTTCLIENT_FAILURE;
    };
    let t = Duration::from_millis(timeout.max(0) as u64);
    match sc.client.disconnect(t, reason, props) {
        Ok(()) => MQTTCLIENT_SUCCESS,
        Err(e) => trace_fail("MQTTClient_disconnect", err_code(&e), &format!("{e:?}")),
    }
}

/// Disconnect, waiting up to `timeout` ms for in-flight messages.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_disconnect(handle: MQTTClient, timeout: c_int) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        do_disconnect(handle, timeout, 0, Properties::default())
    })
}

/// Disconnect with an MQTT 5 reason code and properties.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_disconnect5(
    handle: MQTTClient,
    timeout: c_int,
    reason: MQTTReasonCodes,
    props: *mut MQTTProperties,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: NULL or the caller's properties.
        let p = match unsafe { properties_from_c(props) } {
            Ok(p) => p,
            Err(_) => return MQTTCLIENT_FAILURE,
        };
        do_disconnect(handle, timeout, reason.clamp(0, 255) as u8, p)
    })
}

// ------------------------------------------------------------------------------------------
// Publish
// ------------------------------------------------------------------------------------------

fn check_topic(topic: *const c_char) -> Result<&'static str, c_int> {
    // SAFETY: a C string from the caller; the borrow does not outlive the call in practice.
    match unsafe { cstr(topic) } {
        Ok(t) => Ok(t),
        // Paho's UTF-8 check says no to NULL.
        Err(_) => Err(MQTTCLIENT_BAD_UTF8_STRING),
    }
}

#[allow(clippy::too_many_arguments)]
fn do_publish(
    f: &str,
    handle: MQTTClient,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retained: c_int,
    props: Properties<'_>,
    v5: bool,
) -> Result<c_int, c_int> {
    // SAFETY: a handle from create.
    let Some(sc) = (unsafe { handle_ref(handle) }) else {
        return Err(trace_fail(f, MQTTCLIENT_FAILURE, "NULL handle"));
    };
    let t = check_topic(topic).map_err(|rc| trace_fail(f, rc, "topic NULL or not UTF-8"))?;
    if t.contains(['+', '#']) {
        return Err(trace_fail(
            f,
            MQTTCLIENT_FAILURE,
            "wildcard in publish topic",
        ));
    }
    let Some(q) = client::qos_from_int(qos) else {
        return Err(trace_fail(f, MQTTCLIENT_BAD_QOS, "QoS must be 0, 1 or 2"));
    };
    if payloadlen < 0 {
        return Err(trace_fail(f, MQTTCLIENT_FAILURE, "negative payload length"));
    }
    if payloadlen > 0 && payload.is_null() {
        return Err(trace_fail(f, MQTTCLIENT_NULL_PARAMETER, "payload is NULL"));
    }
    // The 3.x publish calls are refused on a client created for MQTT 5 (the `5` ones are
    // accepted everywhere), as with Paho.
    if !v5 && sc.create_version >= MQTTVERSION_5 {
        return Err(trace_fail(
            f,
            MQTTCLIENT_WRONG_MQTT_VERSION,
            "use the MQTT 5 call on an MQTT 5 client",
        ));
    }
    let data: &[u8] = if payloadlen == 0 {
        &[]
    } else {
        // SAFETY: the caller's buffer of payloadlen bytes.
        unsafe { std::slice::from_raw_parts(payload as *const u8, payloadlen as usize) }
    };
    if let Err(e) = protocol::validate_topic_name(t) {
        return Err(trace_fail(f, MQTTCLIENT_FAILURE, &format!("topic: {e}")));
    }
    let msg = Publish {
        dup: false,
        qos: q,
        retain: retained != 0,
        topic: Cow::Borrowed(t),
        packet_id: 0,
        properties: props,
        payload: Cow::Borrowed(data),
    };
    match sc.client.publish(msg, None) {
        Ok(id) => Ok(id as c_int),
        Err(e) => Err(trace_fail(f, err_code(&e), &format!("{e:?}"))),
    }
}

/// Publish a payload.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_publish(
    handle: MQTTClient,
    topicName: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retained: c_int,
    dt: *mut MQTTClient_deliveryToken,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        match do_publish(
            "MQTTClient_publish",
            handle,
            topicName,
            payloadlen,
            payload,
            qos,
            retained,
            Properties::default(),
            false,
        ) {
            Ok(tok) => {
                // Paho leaves the token untouched for QoS 0.
                if !dt.is_null() && tok != 0 {
                    // SAFETY: the caller's token variable.
                    unsafe { *dt = tok };
                }
                MQTTCLIENT_SUCCESS
            }
            Err(rc) => rc,
        }
    })
}

/// Read a message struct honouring its version. Err = Paho's code.
///
/// # Safety
/// `m` is non-NULL and valid for its declared version.
unsafe fn read_message(
    m: *const MQTTClient_message,
) -> Result<(c_int, *const c_void, c_int, c_int, Properties<'static>), c_int> {
    let sid = field!(m, struct_id);
    let ver = field!(m, struct_version);
    if !id_is(&sid, &MESSAGE_ID) || !(0..=MESSAGE_VERSION).contains(&ver) {
        return Err(MQTTCLIENT_BAD_STRUCTURE);
    }
    let props = if ver >= 1 {
        // SAFETY: m is valid per the caller.
        let p = unsafe { ptr::addr_of!((*m).properties) };
        // SAFETY: version 1 has properties.
        unsafe { properties_from_c(p) }.map_err(|_| MQTTCLIENT_FAILURE)?
    } else {
        Properties::default()
    };
    Ok((
        field!(m, payloadlen),
        field!(m, payload) as *const c_void,
        field!(m, qos),
        field!(m, retained),
        props,
    ))
}

/// Publish a message struct.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_publishMessage(
    handle: MQTTClient,
    topicName: *const c_char,
    msg: *mut MQTTClient_message,
    dt: *mut MQTTClient_deliveryToken,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        if msg.is_null() {
            return trace_fail(
                "MQTTClient_publishMessage",
                MQTTCLIENT_NULL_PARAMETER,
                "message is NULL",
            );
        }
        // SAFETY: checked non-NULL.
        let (len, payload, qos, retained, _props) = match unsafe { read_message(msg) } {
            Ok(v) => v,
            Err(rc) => {
                return trace_fail("MQTTClient_publishMessage", rc, "message struct_id/version")
            }
        };
        match do_publish(
            "MQTTClient_publishMessage",
            handle,
            topicName,
            len,
            payload,
            qos,
            retained,
            Properties::default(),
            false,
        ) {
            Ok(tok) => {
                if !dt.is_null() && tok != 0 {
                    // SAFETY: the caller's token variable.
                    unsafe { *dt = tok };
                }
                // SAFETY: msg checked non-NULL; msgid exists in every version.
                unsafe { ptr::addr_of_mut!((*msg).msgid).write(tok) };
                MQTTCLIENT_SUCCESS
            }
            Err(rc) => rc,
        }
    })
}

/// Publish with MQTT 5 properties.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_publish5(
    handle: MQTTClient,
    topicName: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retained: c_int,
    properties: *mut MQTTProperties,
    dt: *mut MQTTClient_deliveryToken,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        // SAFETY: NULL or the caller's properties.
        let props = match unsafe { properties_from_c(properties) } {
            Ok(p) => p,
            Err(_) => return response(MQTTCLIENT_FAILURE),
        };
        match do_publish(
            "MQTTClient_publish5",
            handle,
            topicName,
            payloadlen,
            payload,
            qos,
            retained,
            props,
            true,
        ) {
            Ok(tok) => {
                if !dt.is_null() && tok != 0 {
                    // SAFETY: the caller's token variable.
                    unsafe { *dt = tok };
                }
                response(MQTTCLIENT_SUCCESS)
            }
            Err(rc) => response(rc),
        }
    })
}

/// Publish a message struct with MQTT 5 (its properties are used).
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_publishMessage5(
    handle: MQTTClient,
    topicName: *const c_char,
    msg: *mut MQTTClient_message,
    dt: *mut MQTTClient_deliveryToken,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        if msg.is_null() {
            return response(MQTTCLIENT_NULL_PARAMETER);
        }
        // SAFETY: checked non-NULL.
        let (len, payload, qos, retained, props) = match unsafe { read_message(msg) } {
            Ok(v) => v,
            Err(rc) => return response(rc),
        };
        match do_publish(
            "MQTTClient_publishMessage5",
            handle,
            topicName,
            len,
            payload,
            qos,
            retained,
            props,
            true,
        ) {
            Ok(tok) => {
                if !dt.is_null() && tok != 0 {
                    // SAFETY: the caller's token variable.
                    unsafe { *dt = tok };
                }
                // SAFETY: msg checked non-NULL.
                unsafe { ptr::addr_of_mut!((*msg).msgid).write(tok) };
                response(MQTTCLIENT_SUCCESS)
            }
            Err(rc) => response(rc),
        }
    })
}

/// Wait for a publish to complete. Returns at once when it does (no polling interval).
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_waitForCompletion(
    handle: MQTTClient,
    dt: MQTTClient_deliveryToken,
    timeout: std::ffi::c_ulong,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return MQTTCLIENT_FAILURE;
        };
        let Ok(tok) = u16::try_from(dt) else {
            return MQTTCLIENT_SUCCESS;
        };
        match sc
            .client
            .wait_for_completion(tok, Duration::from_millis(u64::from(timeout)))
        {
            Ok(()) => MQTTCLIENT_SUCCESS,
            Err(e) => trace_fail(
                "MQTTClient_waitForCompletion",
                err_code(&e),
                &format!("{e:?}"),
            ),
        }
    })
}

/// Tokens of publishes in flight, as a malloc'd array ending with -1 (NULL when none).
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_getPendingDeliveryTokens(
    handle: MQTTClient,
    tokens: *mut *mut MQTTClient_deliveryToken,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        if tokens.is_null() {
            return MQTTCLIENT_NULL_PARAMETER;
        }
        // SAFETY: the caller's pointer variable.
        unsafe { *tokens = ptr::null_mut() };
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return MQTTCLIENT_FAILURE;
        };
        let ids = sc.client.pending_tokens();
        match malloc_token_array(&ids) {
            Some(arr) => {
                // SAFETY: the caller's pointer variable.
                unsafe { *tokens = arr };
                MQTTCLIENT_SUCCESS
            }
            None => MQTTCLIENT_FAILURE,
        }
    })
}

// ------------------------------------------------------------------------------------------
// Subscribe / unsubscribe
// ------------------------------------------------------------------------------------------

/// # Safety
/// `topics` valid for `count` strings.
unsafe fn read_topics(topics: *const *mut c_char, count: c_int) -> Result<Vec<String>, c_int> {
    if topics.is_null() {
        return Err(MQTTCLIENT_NULL_PARAMETER);
    }
    let mut v = Vec::with_capacity(count.max(0) as usize);
    for i in 0..count.max(0) as usize {
        // SAFETY: i < count.
        let p = unsafe { *topics.add(i) };
        // SAFETY: a C string.
        match unsafe { cstr(p) } {
            Ok(t) => {
                if protocol::validate_topic_filter(t).is_err() {
                    // Paho sends it and fails when the server closes: FAILURE.
                    return Err(MQTTCLIENT_FAILURE);
                }
                v.push(t.to_string())
            }
            Err(_) => return Err(MQTTCLIENT_BAD_UTF8_STRING),
        }
    }
    Ok(v)
}

struct SubOutcome {
    rc: c_int,
    codes: Vec<u8>,
    properties: Properties<'static>,
    /// The connection speaks MQTT 5 (else the `5` calls report 0, not the granted QoS).
    v5: bool,
}

#[allow(clippy::too_many_arguments)]
fn do_subscribe(
    f: &str,
    handle: MQTTClient,
    count: c_int,
    topics: *const *mut c_char,
    qos: *const c_int,
    opts: *const MQTTSubscribe_options,
    props: *const MQTTProperties,
    v5: bool,
) -> SubOutcome {
    let fail = |rc| SubOutcome {
        rc,
        codes: Vec::new(),
        properties: Properties::default(),
        v5: false,
    };
    // SAFETY: a handle from create.
    let Some(sc) = (unsafe { handle_ref(handle) }) else {
        return fail(trace_fail(f, MQTTCLIENT_FAILURE, "NULL handle"));
    };
    if count <= 0 {
        return fail(trace_fail(f, MQTTCLIENT_FAILURE, "count must be positive"));
    }
    if qos.is_null() {
        return fail(trace_fail(f, MQTTCLIENT_NULL_PARAMETER, "qos is NULL"));
    }
    // SAFETY: the caller's array of `count` topics.
    let names = match unsafe { read_topics(topics, count) } {
        Ok(v) => v,
        Err(rc) => return fail(trace_fail(f, rc, "bad topic filter")),
    };
    let mut filters = Vec::with_capacity(names.len());
    for (i, name) in names.into_iter().enumerate() {
        // SAFETY: i < count.
        let q = unsafe { *qos.add(i) };
        let Some(q) = client::qos_from_int(q) else {
            return fail(trace_fail(f, MQTTCLIENT_BAD_QOS, "QoS must be 0, 1 or 2"));
        };
        let mut so = SubscriptionOptions {
            qos: q,
            no_local: false,
            retain_as_published: false,
            retain_handling: 0,
        };
        if !opts.is_null() {
            // SAFETY: the caller's array of `count` options.
            let o = unsafe { opts.add(i) };
            let sid = field!(o, struct_id);
            if !id_is(&sid, &SUBSCRIBE_OPTIONS_ID) {
                return fail(trace_fail(
                    f,
                    MQTTCLIENT_BAD_STRUCTURE,
                    "subscribe options struct_id",
                ));
            }
            so.no_local = field!(o, noLocal) != 0;
            so.retain_as_published = field!(o, retainAsPublished) != 0;
            so.retain_handling = field!(o, retainHandling).min(2);
        }
        filters.push((name, so));
    }
    // Like Paho, the 3.x and `5` calls both work on either kind of client.
    if !v5 && sc.create_version >= MQTTVERSION_5 {
        return fail(trace_fail(
            f,
            MQTTCLIENT_WRONG_MQTT_VERSION,
            "use the MQTT 5 call on an MQTT 5 client",
        ));
    }
    // SAFETY: NULL or the caller's properties.
    let p = match unsafe { properties_from_c(props) } {
        Ok(p) => p,
        Err(_) => return fail(MQTTCLIENT_FAILURE),
    };
    let timeout = Duration::from_millis(sc.command_timeout_ms.load(Ordering::Relaxed));
    match sc.client.subscribe(filters, p, timeout) {
        Ok(r) => SubOutcome {
            rc: MQTTCLIENT_SUCCESS,
            codes: r.codes,
            properties: r.properties,
            v5: sc.client.version() == ProtocolVersion::V5,
        },
        Err(e) => fail(trace_fail(f, err_code(&e), &format!("{e:?}"))),
    }
}

/// Subscribe to one filter; returns 0, or 0x80 when the server refused it.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_subscribe(
    handle: MQTTClient,
    topic: *const c_char,
    qos: c_int,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        let topics = [topic as *mut c_char];
        let qa = [qos];
        let r = do_subscribe(
            "MQTTClient_subscribe",
            handle,
            1,
            topics.as_ptr(),
            qa.as_ptr(),
            ptr::null(),
            ptr::null(),
            false,
        );
        if r.rc == MQTTCLIENT_SUCCESS && r.codes.first().is_some_and(|&c| c >= 0x80) {
            return r.codes[0] as c_int;
        }
        r.rc
    })
}

/// Subscribe to several filters; the granted QoS are written back into `qos`.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_subscribeMany(
    handle: MQTTClient,
    count: c_int,
    topic: *const *mut c_char,
    qos: *mut c_int,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        let r = do_subscribe(
            "MQTTClient_subscribeMany",
            handle,
            count,
            topic,
            qos,
            ptr::null(),
            ptr::null(),
            false,
        );
        if r.rc == MQTTCLIENT_SUCCESS {
            for (i, c) in r.codes.iter().enumerate().take(count as usize) {
                // SAFETY: i < count, the caller's array.
                unsafe { *qos.add(i) = *c as c_int };
            }
        }
        r.rc
    })
}

fn sub_response(r: SubOutcome, many: bool) -> MQTTResponse {
    if r.rc != MQTTCLIENT_SUCCESS {
        return response(r.rc);
    }
    let _ = many;
    let first = r.codes.first().copied().unwrap_or(0);
    let mut resp = MQTTResponse {
        reasonCode: if r.v5 || first >= 0x80 {
            first as c_int
        } else {
            0
        },
        reasonCodeCount: r.codes.len() as c_int,
        properties: boxed_properties(&r.properties),
        ..MQTTResponse::INITIALIZER
    };
    // Paho allocates the array only when there is more than one code.
    if r.codes.len() > 1 {
        let n = r.codes.len();
        // SAFETY: malloc of n ints, checked.
        let arr = unsafe { libc::malloc(n * std::mem::size_of::<c_int>()) } as *mut c_int;
        if !arr.is_null() {
            for (i, c) in r.codes.iter().enumerate() {
                // SAFETY: i < n.
                unsafe { arr.add(i).write(*c as c_int) };
            }
            resp.reasonCodes = arr;
            resp.reasonCodeCount = n as c_int;
        }
    }
    resp
}

/// Subscribe with MQTT 5 options and properties.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_subscribe5(
    handle: MQTTClient,
    topic: *const c_char,
    qos: c_int,
    opts: *mut MQTTSubscribe_options,
    props: *mut MQTTProperties,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        let topics = [topic as *mut c_char];
        let qa = [qos];
        sub_response(
            do_subscribe(
                "MQTTClient_subscribe5",
                handle,
                1,
                topics.as_ptr(),
                qa.as_ptr(),
                opts,
                props,
                true,
            ),
            false,
        )
    })
}

/// Subscribe to several filters with MQTT 5.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_subscribeMany5(
    handle: MQTTClient,
    count: c_int,
    topic: *const *mut c_char,
    qos: *mut c_int,
    opts: *mut MQTTSubscribe_options,
    props: *mut MQTTProperties,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        sub_response(
            do_subscribe(
                "MQTTClient_subscribeMany5",
                handle,
                count,
                topic,
                qos,
                opts,
                props,
                true,
            ),
            true,
        )
    })
}

fn do_unsubscribe(
    f: &str,
    handle: MQTTClient,
    count: c_int,
    topics: *const *mut c_char,
    props: *const MQTTProperties,
    v5: bool,
) -> SubOutcome {
    let fail = |rc| SubOutcome {
        rc,
        codes: Vec::new(),
        properties: Properties::default(),
        v5: false,
    };
    // SAFETY: a handle from create.
    let Some(sc) = (unsafe { handle_ref(handle) }) else {
        return fail(trace_fail(f, MQTTCLIENT_FAILURE, "NULL handle"));
    };
    if count <= 0 {
        return fail(trace_fail(f, MQTTCLIENT_FAILURE, "count must be positive"));
    }
    // SAFETY: the caller's array.
    let names = match unsafe { read_topics(topics, count) } {
        Ok(v) => v,
        Err(rc) => return fail(trace_fail(f, rc, "bad topic filter")),
    };
    let _ = v5;
    // SAFETY: NULL or the caller's properties.
    let p = match unsafe { properties_from_c(props) } {
        Ok(p) => p,
        Err(_) => return fail(MQTTCLIENT_FAILURE),
    };
    let timeout = Duration::from_millis(sc.command_timeout_ms.load(Ordering::Relaxed));
    match sc.client.unsubscribe(names, p, timeout) {
        Ok(r) => SubOutcome {
            rc: MQTTCLIENT_SUCCESS,
            codes: r.codes,
            properties: r.properties,
            v5: sc.client.version() == ProtocolVersion::V5,
        },
        Err(e) => fail(trace_fail(f, err_code(&e), &format!("{e:?}"))),
    }
}

/// Unsubscribe from one filter.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_unsubscribe(handle: MQTTClient, topic: *const c_char) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        let topics = [topic as *mut c_char];
        let r = do_unsubscribe(
            "MQTTClient_unsubscribe",
            handle,
            1,
            topics.as_ptr(),
            ptr::null(),
            false,
        );
        // MQTT 5: a refusal's reason code is the result, as with Paho.
        match r.codes.first() {
            Some(&c) if r.rc == MQTTCLIENT_SUCCESS && c != 0 => c as c_int,
            _ => r.rc,
        }
    })
}

/// Unsubscribe from several filters.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_unsubscribeMany(
    handle: MQTTClient,
    count: c_int,
    topic: *const *mut c_char,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // Paho refuses this one (but not MQTTClient_unsubscribe) on an MQTT 5 client.
        // SAFETY: a handle from create.
        if let Some(sc) = unsafe { handle_ref(handle) } {
            if sc.create_version >= MQTTVERSION_5 {
                return trace_fail(
                    "MQTTClient_unsubscribeMany",
                    MQTTCLIENT_WRONG_MQTT_VERSION,
                    "use MQTTClient_unsubscribeMany5 on an MQTT 5 client",
                );
            }
        }
        do_unsubscribe(
            "MQTTClient_unsubscribeMany",
            handle,
            count,
            topic,
            ptr::null(),
            false,
        )
        .rc
    })
}

/// Unsubscribe with MQTT 5 properties.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_unsubscribe5(
    handle: MQTTClient,
    topic: *const c_char,
    props: *mut MQTTProperties,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        let topics = [topic as *mut c_char];
        sub_response(
            do_unsubscribe(
                "MQTTClient_unsubscribe5",
                handle,
                1,
                topics.as_ptr(),
                props,
                true,
            ),
            false,
        )
    })
}

/// Unsubscribe from several filters with MQTT 5.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_unsubscribeMany5(
    handle: MQTTClient,
    count: c_int,
    topic: *const *mut c_char,
    props: *mut MQTTProperties,
) -> MQTTResponse {
    ffi_boundary!(response(MQTTCLIENT_FAILURE), {
        sub_response(
            do_unsubscribe(
                "MQTTClient_unsubscribeMany5",
                handle,
                count,
                topic,
                props,
                true,
            ),
            true,
        )
    })
}

// ------------------------------------------------------------------------------------------
// Receive without callbacks
// ------------------------------------------------------------------------------------------

/// Wait up to `timeout` ms for a message; on timeout returns success with `*message` NULL.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_receive(
    handle: MQTTClient,
    topicName: *mut *mut c_char,
    topicLen: *mut c_int,
    message: *mut *mut MQTTClient_message,
    timeout: std::ffi::c_ulong,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return MQTTCLIENT_FAILURE;
        };
        if topicName.is_null() || topicLen.is_null() || message.is_null() {
            return MQTTCLIENT_NULL_PARAMETER;
        }
        // Paho leaves the out-variables alone when not connected.
        if !sc.client.is_connected() {
            return MQTTCLIENT_DISCONNECTED;
        }
        // SAFETY: the caller's out-variables.
        unsafe {
            *topicName = ptr::null_mut();
            *topicLen = 0;
            *message = ptr::null_mut();
        }
        match sc.client.receive(Duration::from_millis(u64::from(timeout))) {
            Ok(Some(mut m)) => {
                // SAFETY: the caller's out-variables.
                unsafe {
                    *topicLen = m.topic.len() as c_int;
                    *topicName = m.topic.take().into_raw();
                    *message = message_to_c(&mut m);
                }
                MQTTCLIENT_SUCCESS
            }
            Ok(None) => MQTTCLIENT_SUCCESS,
            Err(e) => err_code(&e),
        }
    })
}

/// Single-threaded mode's pump. Our engine runs by itself, so this only yields the CPU.
#[no_mangle]
pub extern "C" fn MQTTClient_yield() {
    std::thread::yield_now();
}

/// How long subscribe/unsubscribe wait for their acknowledgement, in ms.
#[no_mangle]
pub unsafe extern "C" fn MQTTClient_setCommandTimeout(
    handle: MQTTClient,
    milliSeconds: std::ffi::c_ulong,
) -> c_int {
    ffi_boundary!(MQTTCLIENT_FAILURE, {
        // SAFETY: a handle from create.
        let Some(sc) = (unsafe { handle_ref(handle) }) else {
            return MQTTCLIENT_FAILURE;
        };
        // Paho refuses (and ignores) anything under five seconds.
        if u64::from(milliSeconds) < 5000 {
            return trace_fail(
                "MQTTClient_setCommandTimeout",
                MQTTCLIENT_FAILURE,
                "command timeout under 5000 ms",
            );
        }
        crate::vg::untrack(&sc.command_timeout_ms);
        sc.command_timeout_ms
            .store(u64::from(milliSeconds), Ordering::Relaxed);
        MQTTCLIENT_SUCCESS
    })
}

#[allow(dead_code)]
fn _qos_used(q: QoS) -> u8 {
    q as u8
}
