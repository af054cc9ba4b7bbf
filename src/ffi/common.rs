//! Pieces both C APIs share: message and property memory handed to C.

use std::ffi::{c_int, c_void};
use std::ptr;

use crate::client::mem::MallocBuf;
use crate::client::Message;
use crate::ffi::convert::properties_to_c;
use crate::ffi::types::*;
use std::borrow::Cow;

use crate::client;
use crate::ffi::cstr;
use crate::ffi::id_is;
use crate::field;
use crate::protocol::{LastWill, Properties};

/// A malloc'd copy of `p` for an MQTTResponse (NULL when empty).
pub fn boxed_properties(p: &Properties<'_>) -> *mut MQTTProperties {
    if p.0.is_empty() {
        return ptr::null_mut();
    }
    let c = properties_to_c(p);
    // SAFETY: malloc of one MQTTProperties, checked for NULL.
    let b = unsafe { libc::malloc(std::mem::size_of::<MQTTProperties>()) } as *mut MQTTProperties;
    if b.is_null() {
        return b;
    }
    // SAFETY: fresh allocation of the right size.
    unsafe { b.write(c) };
    b
}

// ------------------------------------------------------------------------------------------
// Message memory
// ------------------------------------------------------------------------------------------

pub fn message_to_c(m: &mut Message) -> *mut MQTTClient_message {
    // The payload moves into the C message (no copy); `m` keeps an empty one until
    // `take_back_message` returns it.
    let payload = std::mem::replace(&mut m.payload, MallocBuf::copy_from(&[]));
    let (pp, plen) = payload.into_raw();
    let cm = MQTTClient_message {
        struct_id: MESSAGE_ID,
        struct_version: MESSAGE_VERSION,
        payloadlen: plen as c_int,
        payload: pp as *mut c_void,
        qos: m.qos as c_int,
        retained: m.retained as c_int,
        dup: m.dup as c_int,
        msgid: m.msgid as c_int,
        properties: properties_to_c(&m.properties),
    };
    // SAFETY: malloc of one message, checked.
    let p = unsafe { libc::malloc(std::mem::size_of::<MQTTClient_message>()) }
        as *mut MQTTClient_message;
    if p.is_null() {
        // SAFETY: pp came from into_raw just above.
        if let Some(back) = unsafe { MallocBuf::from_raw(pp, plen) } {
            m.payload = back;
        }
        return p;
    }
    // SAFETY: fresh allocation.
    unsafe { p.write(cm) };
    p
}

/// The application declined a message (messageArrived returned 0): move the payload back
/// into `m` for redelivery and free the rest of the C message.
///
/// # Safety
/// `c` came from `message_to_c(m)` and the application no longer uses it.
pub unsafe fn take_back_message(m: &mut Message, c: *mut MQTTClient_message) {
    if c.is_null() {
        return;
    }
    // SAFETY: per the caller, a message we built; its payload came from MallocBuf::into_raw.
    unsafe {
        let len = (*c).payloadlen.max(0) as usize;
        if let Some(back) = MallocBuf::from_raw((*c).payload as *mut u8, len) {
            m.payload = back;
        }
        free_c_properties(ptr::addr_of_mut!((*c).properties));
        libc::free(c as *mut c_void);
    }
}

/// Free a property list we handed out.
///
/// # Safety
/// `p` points to a valid property list whose memory is malloc'd.
pub unsafe fn free_c_properties(p: *mut MQTTProperties) {
    // SAFETY: forwarded contract.
    unsafe { crate::ffi::properties::free_properties(p) }
}

/// # Safety
/// `m` came from `message_to_c` (or is a message of the same shape, malloc'd).
pub unsafe fn free_c_message(m: *mut MQTTClient_message) {
    // SAFETY: per the caller.
    unsafe {
        // A large payload's block waits for the next large message (see bufpool).
        crate::bufpool::give_malloc((*m).payload);
        if (*m).struct_version >= 1 {
            free_c_properties(ptr::addr_of_mut!((*m).properties));
        }
        libc::free(m as *mut c_void);
    }
}

/// Read a will struct (the sync and async structs share this layout), honouring its
/// struct_version. Err carries Paho's code (the same number in both APIs) and why.
///
/// # Safety
/// `will` is non-NULL and points to a will struct of the version it declares.
pub unsafe fn read_will(
    will: *const MQTTClient_willOptions,
) -> Result<LastWill<'static>, (c_int, String)> {
    let wid = field!(will, struct_id);
    let wver = field!(will, struct_version);
    if !id_is(&wid, &WILL_OPTIONS_ID) || !(0..=WILL_OPTIONS_VERSION).contains(&wver) {
        return Err((
            MQTTCLIENT_BAD_STRUCTURE,
            "willOptions struct_id/version".into(),
        ));
    }
    // SAFETY: C strings from the caller.
    let topic = match unsafe { cstr(field!(will, topicName)) } {
        Ok(t) => t.to_string(),
        Err(true) => return Err((MQTTCLIENT_NULL_PARAMETER, "will topic is NULL".into())),
        Err(false) => return Err((MQTTCLIENT_BAD_UTF8_STRING, "will topic not UTF-8".into())),
    };
    if topic.is_empty() {
        return Err((MQTTCLIENT_0_LEN_WILL_TOPIC, "zero length will topic".into()));
    }
    let mut payload: Vec<u8> = Vec::new();
    let mut have_binary = false;
    if wver >= 1 {
        let bin = field!(will, payload);
        if !bin.data.is_null() {
            have_binary = true;
            if bin.len > 0 {
                // SAFETY: the caller's buffer of `len` bytes.
                payload =
                    unsafe { std::slice::from_raw_parts(bin.data as *const u8, bin.len as usize) }
                        .to_vec();
            }
        }
    }
    if !have_binary {
        let m = field!(will, message);
        if !m.is_null() {
            // SAFETY: a C string.
            payload = unsafe { std::ffi::CStr::from_ptr(m) }.to_bytes().to_vec();
        }
    }
    let qos = match client::qos_from_int(field!(will, qos)) {
        Some(q) => q,
        None => return Err((MQTTCLIENT_BAD_QOS, "will QoS".into())),
    };
    Ok(LastWill {
        topic: Cow::Owned(topic),
        payload: Cow::Owned(payload),
        qos,
        retain: field!(will, retained) != 0,
        properties: Properties::default(),
    })
}

/// Tokens as Paho hands them out: a malloc'd array ended by -1, or NULL when there are none.
/// `None` when malloc fails.
pub fn malloc_token_array(ids: &[u16]) -> Option<*mut c_int> {
    if ids.is_empty() {
        return Some(ptr::null_mut());
    }
    let n = ids.len() + 1;
    // SAFETY: malloc of n ints, checked below.
    let arr = unsafe { libc::malloc(n * std::mem::size_of::<c_int>()) } as *mut c_int;
    if arr.is_null() {
        return None;
    }
    for (i, id) in ids.iter().enumerate() {
        // SAFETY: i < n.
        unsafe { arr.add(i).write(c_int::from(*id)) };
    }
    // SAFETY: the last slot.
    unsafe { arr.add(n - 1).write(-1) };
    Some(arr)
}

thread_local! {
    static UNKNOWN_ERR: std::cell::RefCell<std::ffi::CString> =
        std::cell::RefCell::new(std::ffi::CString::default());
}

/// "Unknown error code N", as both strerror functions say it; valid until the same thread
/// asks again.
pub fn unknown_error_text(code: c_int) -> *const std::ffi::c_char {
    UNKNOWN_ERR.with(|b| {
        let s = std::ffi::CString::new(format!("Unknown error code {code}")).unwrap_or_default();
        let p = s.as_ptr();
        *b.borrow_mut() = s;
        p
    })
}

// ------------------------------------------------------------------------------------------
// TLS options
// ------------------------------------------------------------------------------------------

/// A C string option as an owned string; NULL is unset.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn opt_string(p: *const std::ffi::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller's C string.
    Some(
        unsafe { std::ffi::CStr::from_ptr(p) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// Read the caller's SSL options (both APIs share the layout), no field beyond its
/// struct_version. The struct id and version were checked by the caller.
///
/// # Safety
/// `o` is non-NULL and valid for its declared version.
pub unsafe fn read_ssl_options(o: *const MQTTClient_SSLOptions) -> crate::net::tls::TlsOptions {
    use crate::net::tls::TlsOptions;
    use std::sync::Arc;
    let ver = field!(o, struct_version);
    // SAFETY (all opt_string calls below): C strings from the caller's struct.
    let mut t = unsafe {
        TlsOptions {
            trust_store: opt_string(field!(o, trustStore)),
            key_store: opt_string(field!(o, keyStore)),
            private_key: opt_string(field!(o, privateKey)),
            private_key_password: opt_string(field!(o, privateKeyPassword)).map(|s| s.into_bytes()),
            ciphers: opt_string(field!(o, enabledCipherSuites)),
            server_cert_auth: field!(o, enableServerCertAuth) != 0,
            ..Default::default()
        }
    };
    if ver >= 1 {
        t.ssl_version = field!(o, sslVersion);
    }
    if ver >= 2 {
        t.verify_host = field!(o, verify) != 0;
        // SAFETY: as above.
        t.ca_path = unsafe { opt_string(field!(o, CApath)) };
    }
    if ver >= 3 {
        if let Some(cb) = field!(o, ssl_error_cb) {
            let ctx = field!(o, ssl_error_context) as usize;
            t.error_sink = Some(Arc::new(move |line: &str| {
                let c = std::ffi::CString::new(line.replace('\0', " ")).unwrap_or_default();
                // SAFETY: the application's callback with its own context.
                unsafe { cb(c.as_ptr(), line.len(), ctx as *mut c_void) };
            }));
        }
    }
    if ver >= 4 {
        if let Some(cb) = field!(o, ssl_psk_cb) {
            let ctx = field!(o, ssl_psk_context) as usize;
            t.psk = Some(Arc::new(
                move |hint: Option<&[u8]>, id: &mut [u8], key: &mut [u8]| {
                    let hint = hint.and_then(|h| std::ffi::CString::new(h).ok());
                    // SAFETY: the application's callback, given buffers of the sizes we pass.
                    let n = unsafe {
                        cb(
                            hint.as_ref().map_or(ptr::null(), |h| h.as_ptr()),
                            id.as_mut_ptr() as *mut std::ffi::c_char,
                            id.len() as std::ffi::c_uint,
                            key.as_mut_ptr(),
                            key.len() as std::ffi::c_uint,
                            ctx as *mut c_void,
                        )
                    };
                    (n as usize).min(key.len())
                },
            ));
        }
        t.disable_default_trust_store = field!(o, disableDefaultTrustStore) != 0;
    }
    if ver >= 5 {
        let p = field!(o, protos);
        let n = field!(o, protos_len);
        if !p.is_null() && n > 0 {
            // SAFETY: the caller's buffer of protos_len bytes.
            t.alpn = Some(unsafe { std::slice::from_raw_parts(p, n as usize) }.to_vec());
        }
    }
    t
}

/// Paho refuses a connect without SSL options (NULL_PARAMETER) when the client was created
/// for a TLS URI, in the TLS libraries.
pub fn needs_ssl_options(create_uri: &str, tls: &Option<crate::net::tls::TlsOptions>) -> bool {
    cfg!(feature = "tls")
        && tls.is_none()
        && ["ssl://", "mqtts://", "wss://"]
            .iter()
            .any(|s| create_uri.starts_with(s))
}

/// A user name and a password, as the connect options carry them.
pub type Credentials = (Option<String>, Option<Vec<u8>>);

/// User name and text password of a connect options struct (same codes in both APIs).
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string.
pub unsafe fn read_credentials(
    username: *const std::ffi::c_char,
    password: *const std::ffi::c_char,
) -> Result<Credentials, (c_int, String)> {
    // SAFETY: per the caller.
    let user = match unsafe { cstr(username) } {
        Ok(u) => Some(u.to_string()),
        Err(true) => None,
        Err(false) => return Err((MQTTCLIENT_BAD_UTF8_STRING, "username not UTF-8".into())),
    };
    let pass = (!password.is_null())
        // SAFETY: per the caller.
        .then(|| {
            unsafe { std::ffi::CStr::from_ptr(password) }
                .to_bytes()
                .to_vec()
        });
    Ok((user, pass))
}

/// The bytes of an `MQTTBinary`, or `None` when its data pointer is NULL.
///
/// # Safety
/// `bin.data` is NULL or valid for `bin.len` bytes.
pub unsafe fn binary_bytes(bin: MQTTBinary) -> Option<Vec<u8>> {
    if bin.data.is_null() || bin.len < 0 {
        return None;
    }
    // SAFETY: per the caller.
    Some(unsafe { std::slice::from_raw_parts(bin.data as *const u8, bin.len as usize) }.to_vec())
}

/// The `serverURIs` list of a connect options struct (same codes in both APIs).
///
/// # Safety
/// `uris` is NULL or an array of `n` NUL-terminated strings.
pub unsafe fn read_uri_list(
    n: c_int,
    uris: *const *mut std::ffi::c_char,
) -> Result<Vec<String>, (c_int, String)> {
    if n > 0 && uris.is_null() {
        let why = "serverURIcount > 0 but serverURIs is NULL";
        return Err((MQTTCLIENT_NULL_PARAMETER, why.into()));
    }
    let mut out = Vec::with_capacity(n.max(0) as usize);
    for i in 0..n.max(0) as usize {
        // SAFETY: the caller's array of n strings.
        match unsafe { cstr(*uris.add(i)) } {
            Ok(u) => out.push(u.to_string()),
            Err(_) => return Err((MQTTCLIENT_NULL_PARAMETER, "bad serverURIs entry".into())),
        }
    }
    Ok(out)
}

/// The protocol choice for an `MQTTVersion` field, `None` for a value Paho does not know.
pub fn version_choice(v: c_int) -> Option<crate::client::VersionChoice> {
    use crate::client::VersionChoice;
    use crate::protocol::ProtocolVersion;
    Some(match v {
        MQTTVERSION_DEFAULT => VersionChoice::Default,
        MQTTVERSION_3_1 => VersionChoice::Exact(ProtocolVersion::V31),
        MQTTVERSION_3_1_1 => VersionChoice::Exact(ProtocolVersion::V311),
        MQTTVERSION_5 => VersionChoice::Exact(ProtocolVersion::V5),
        _ => return None,
    })
}
