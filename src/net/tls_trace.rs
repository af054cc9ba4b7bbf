//! What the trace says about TLS: the handshake steps and alerts (PROTOCOL, from OpenSSL's
//! info callback), each certificate of the server's chain as it is verified and the outcome
//! (PROTOCOL), the records exchanged (MAXIMUM, from the message callback), and a summary once
//! the handshake is done: protocol, cipher, peer certificate, verification, host name, ALPN,
//! PSK identity.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::Arc;

use foreign_types::ForeignTypeRef;
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslRef, SslVerifyMode};
use openssl::x509::{X509NameRef, X509Ref, X509StoreContextRef, X509VerifyResult};
use openssl_sys::SSL;

use super::tls::TlsOptions;
use crate::trace::{self, Level};
use crate::vg::{Mutex, OnceLock};

// OpenSSL's info callback `where` bits (ssl.h).
const CB_LOOP: c_int = 0x01;
const CB_EXIT: c_int = 0x02;
const CB_READ: c_int = 0x04;
const CB_ALERT: c_int = 0x4000;

// (The callback types are spelled out, not named: cbindgen would export a type alias.)
extern "C" {
    fn SSL_set_info_callback(
        ssl: *mut SSL,
        cb: Option<unsafe extern "C" fn(ssl: *const SSL, where_: c_int, ret: c_int)>,
    );
    fn SSL_set_msg_callback(
        ssl: *mut SSL,
        cb: Option<
            unsafe extern "C" fn(
                write_p: c_int,
                version: c_int,
                content_type: c_int,
                buf: *const c_void,
                len: usize,
                ssl: *mut SSL,
                arg: *mut c_void,
            ),
        >,
    );
    fn SSL_alert_type_string_long(value: c_int) -> *const c_char;
}

/// Where each connection keeps its socket number for the callbacks' lines (OpenSSL's own
/// SSL_get_fd does not know it: the socket is behind a BIO of the openssl crate).
fn fd_index() -> Option<Index<Ssl, i32>> {
    static INDEX: OnceLock<Option<Index<Ssl, i32>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

/// The socket of the connection a callback is about.
///
/// # Safety
/// `ssl` is a live SSL.
unsafe fn fd_of(ssl: *const SSL) -> i32 {
    // SAFETY: per the caller; only read through the reference.
    let r = unsafe { SslRef::from_ptr(ssl as *mut SSL) };
    fd_index().and_then(|i| r.ex_data(i).copied()).unwrap_or(-1)
}

fn c_text(p: *const c_char) -> String {
    if p.is_null() {
        return "?".into();
    }
    // SAFETY: OpenSSL returns static NUL-terminated strings here.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// `CN=localhost, O=Example` for a certificate name.
pub fn name_text(name: &X509NameRef) -> String {
    let parts: Vec<String> = name
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_else(|_| "?".into());
            format!("{key}={value}")
        })
        .collect();
    if parts.is_empty() {
        "(empty)".into()
    } else {
        parts.join(", ")
    }
}

/// The names a certificate is valid for (subjectAltName DNS and IP entries).
fn alt_names(cert: &X509Ref) -> String {
    let Some(names) = cert.subject_alt_names() else {
        return "none".into();
    };
    let v: Vec<String> = names
        .iter()
        .filter_map(|n| {
            if let Some(d) = n.dnsname() {
                Some(format!("DNS:{d}"))
            } else {
                n.ipaddress().map(|ip| match ip.len() {
                    4 => format!(
                        "IP:{}",
                        std::net::Ipv4Addr::from([ip[0], ip[1], ip[2], ip[3]])
                    ),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(ip);
                        format!("IP:{}", std::net::Ipv6Addr::from(a))
                    }
                    _ => "IP:?".into(),
                })
            }
        })
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(" ")
    }
}

/// Subject, issuer and expiry of a certificate, for one trace line.
pub fn cert_text(cert: &X509Ref) -> String {
    format!(
        "subject {}; issuer {}; valid until {}",
        name_text(cert.subject_name()),
        name_text(cert.issuer_name()),
        cert.not_after()
    )
}

fn verify_text(r: X509VerifyResult) -> String {
    format!("{} (X509 error {})", r.error_string(), r.as_raw())
}

/// One line before the handshake: where to, and what the options ask for.
pub fn connecting(fd: i32, host: &str, port: u16, opts: &TlsOptions) {
    if !trace::enabled(Level::Protocol) {
        return;
    }
    let trust = match (&opts.trust_store, &opts.ca_path) {
        (Some(f), Some(d)) => format!("CA file {f} and CA path {d}"),
        (Some(f), None) => format!("CA file {f}"),
        (None, Some(d)) => format!("CA path {d}"),
        (None, None) if opts.disable_default_trust_store => "no CA certificates".into(),
        (None, None) => "the default CA store".into(),
    };
    let own = match (&opts.key_store, &opts.private_key) {
        (Some(c), Some(k)) => format!("client certificate {c}, key {k}"),
        (Some(c), None) => format!("client certificate and key {c}"),
        _ => "no client certificate".into(),
    };
    let min = match opts.ssl_version {
        1 => "TLS 1.0",
        2 => "TLS 1.1",
        3 => "TLS 1.2",
        _ => "any",
    };
    trace::protocol(&format!(
        "TLS connecting to {host}:{port} on socket {fd}: {trust}; {own}; verify server \
         certificate: {}; check host name: {}; lowest version: {min}{}{}{}",
        yes(opts.server_cert_auth),
        yes(opts.verify_host),
        opts.ciphers
            .as_ref()
            .map_or(String::new(), |c| format!("; ciphers {c}")),
        opts.alpn
            .as_ref()
            .map_or(String::new(), |a| format!("; ALPN offers {}", alpn_list(a))),
        if opts.psk.is_some() {
            "; PSK callback set"
        } else {
            ""
        }
    ));
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// ALPN wire format (length-prefixed names) as `mqtt, x-amzn-mqtt-ca`.
fn alpn_list(wire: &[u8]) -> String {
    let mut names = Vec::new();
    let mut rest = wire;
    while let Some((&n, tail)) = rest.split_first() {
        let n = (n as usize).min(tail.len());
        names.push(String::from_utf8_lossy(&tail[..n]).into_owned());
        rest = &tail[n..];
    }
    names.join(", ")
}

/// The client certificate the context loaded.
pub fn client_certificate(file: &str, cert: Option<&X509Ref>) {
    if let Some(c) = cert {
        crate::trace!(
            Protocol,
            "TLS client certificate from {file}: {}",
            cert_text(c)
        );
    }
}

/// Have OpenSSL report this connection's handshake steps, alerts and (at MAXIMUM, when on
/// now) records, naming socket `fd`.
pub fn install(ssl: &mut SslRef, fd: i32) {
    if let Some(i) = fd_index() {
        ssl.set_ex_data(i, fd);
    }
    // SAFETY: a live SSL; the callbacks are plain functions that only read what they get.
    unsafe {
        SSL_set_info_callback(ssl.as_ptr(), Some(info_cb));
        if trace::enabled(Level::Maximum) {
            SSL_set_msg_callback(ssl.as_ptr(), Some(msg_cb));
        }
    }
}

unsafe extern "C" fn info_cb(ssl: *const SSL, where_: c_int, ret: c_int) {
    if !trace::enabled(Level::Protocol) {
        return;
    }
    // SAFETY: OpenSSL passes the live SSL the callback was set on.
    let fd = unsafe { fd_of(ssl) };
    if where_ & CB_ALERT != 0 {
        let dir = if where_ & CB_READ != 0 {
            "received"
        } else {
            "sent"
        };
        // SAFETY: OpenSSL's static description strings.
        let (kind, desc) = unsafe {
            (
                c_text(SSL_alert_type_string_long(ret)),
                c_text(openssl_sys::SSL_alert_desc_string_long(ret)),
            )
        };
        let desc = alert_name(ret & 0xff, desc);
        trace::protocol(&format!("TLS socket {fd}: alert {dir}: {kind}: {desc}"));
    } else if where_ & CB_LOOP != 0 {
        // SAFETY: as above.
        if unsafe { openssl_sys::SSL_is_init_finished(ssl) } != 0 {
            // TLS 1.3 session tickets after the handshake: "finished" again, nothing new.
            return;
        }
        // SAFETY: as above.
        let state = c_text(unsafe { openssl_sys::SSL_state_string_long(ssl) });
        trace::protocol(&format!("TLS socket {fd}: handshake: {state}"));
    } else if where_ & CB_EXIT != 0 && ret == 0 {
        // SAFETY: as above.
        let state = c_text(unsafe { openssl_sys::SSL_state_string_long(ssl) });
        trace::protocol(&format!("TLS socket {fd}: handshake failed in: {state}"));
    }
}

/// OpenSSL 3.0 has no words for the alerts TLS 1.3 added.
fn alert_name(code: c_int, openssl_words: String) -> String {
    let name = match code {
        109 => "missing extension",
        115 => "unknown PSK identity",
        116 => "certificate required",
        120 => "no application protocol",
        _ if openssl_words == "unknown" => return format!("alert number {code}"),
        _ => return openssl_words,
    };
    format!("{name} (alert number {code})")
}

unsafe extern "C" fn msg_cb(
    write_p: c_int,
    _version: c_int,
    content_type: c_int,
    buf: *const c_void,
    len: usize,
    ssl: *mut SSL,
    _arg: *mut c_void,
) {
    if !trace::enabled(Level::Maximum) {
        return;
    }
    let kind = match content_type {
        20 => "change cipher spec".to_string(),
        21 => "alert".to_string(),
        22 => {
            let t = if buf.is_null() || len == 0 {
                -1
            } else {
                // SAFETY: `buf` holds `len` >= 1 bytes of the message.
                i32::from(unsafe { *(buf as *const u8) })
            };
            format!("handshake message {}", handshake_name(t))
        }
        23 => "application data".to_string(),
        // Record headers and inner content types (256, 257): the lines above say enough.
        _ => return,
    };
    // SAFETY: the live SSL the callback was set on.
    let fd = unsafe { fd_of(ssl) };
    let dir = if write_p != 0 { "sent" } else { "received" };
    trace::log(
        Level::Maximum,
        &format!("TLS socket {fd}: {dir} {kind}, {len} bytes"),
    );
}

fn handshake_name(t: i32) -> String {
    let name = match t {
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        24 => "KeyUpdate",
        _ => return format!("type {t}"),
    };
    name.to_string()
}

/// The first certificate of the chain that failed verification, for the error line.
pub type FirstFailure = Arc<Mutex<Option<String>>>;

/// Verify the server's chain with `mode`, tracing each certificate's result; the first
/// failure is kept in the returned slot.
pub fn verify_with_trace(ssl: &mut SslRef, mode: SslVerifyMode) -> FirstFailure {
    let first: FirstFailure = Arc::new(Mutex::new(None));
    let slot = first.clone();
    ssl.set_verify_callback(mode, move |ok, ctx: &mut X509StoreContextRef| {
        let depth = ctx.error_depth();
        let cert = ctx
            .current_cert()
            .map_or("no certificate".into(), cert_text);
        if ok {
            crate::trace!(Protocol, "TLS certificate depth {depth}: {cert}: ok");
        } else {
            let why = verify_text(ctx.error());
            crate::trace!(Protocol, "TLS certificate depth {depth}: {cert}: {why}");
            let mut s = slot.lock().unwrap_or_else(|e| e.into_inner());
            if s.is_none() {
                *s = Some(format!("{why} at depth {depth}, {cert}"));
            }
        }
        ok
    });
    first
}

/// Why verification failed, for the error line: OpenSSL's verify result, with the
/// certificate it was about when the callback saw it.
pub fn verify_failure(ssl: &SslRef, first: &FirstFailure) -> Option<String> {
    let r = ssl.verify_result();
    if r.as_raw() == 0 {
        return None;
    }
    let seen = first.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Some(seen.unwrap_or_else(|| verify_text(r)))
}

/// The lines once the handshake is done.
pub fn handshake_done(ssl: &SslRef, fd: i32, host: &str, opts: &TlsOptions) {
    if !trace::enabled(Level::Protocol) {
        return;
    }
    let p = |s: String| trace::protocol(&format!("TLS socket {fd}: {s}"));
    p(format!(
        "handshake done with {host}: {}, cipher {}{}",
        ssl.version_str(),
        ssl.current_cipher().map_or("?", |c| c.name()),
        if ssl.session_reused() {
            ", session resumed"
        } else {
            ""
        }
    ));
    match ssl.peer_certificate() {
        Some(c) => {
            p(format!("server certificate: {}", cert_text(&c)));
            p(format!("server certificate names: {}", alt_names(&c)));
            let r = ssl.verify_result();
            if r.as_raw() == 0 {
                p("certificate verification: ok".into());
            } else {
                p(format!(
                    "certificate verification: {}, not enforced (enableServerCertAuth is 0)",
                    verify_text(r)
                ));
            }
        }
        None if opts.psk.is_some() => p("no server certificate: authenticated by the PSK".into()),
        None => p("no server certificate".into()),
    }
    if ssl.certificate().is_some() {
        p("our client certificate was available to the server".into());
    }
    if opts.alpn.is_some() {
        match ssl.selected_alpn_protocol() {
            Some(a) => p(format!(
                "ALPN: the server chose {}",
                String::from_utf8_lossy(a)
            )),
            None => p("ALPN: the server chose none".into()),
        }
    }
}

/// The host name check passed (or was not asked for).
pub fn host_checked(fd: i32, host: &str, checked: bool) {
    if checked {
        crate::trace!(
            Protocol,
            "TLS socket {fd}: host name check: the certificate is valid for {host}"
        );
    } else {
        crate::trace!(
            Protocol,
            "TLS socket {fd}: host name check: not done (verify is 0)"
        );
    }
}

/// The names a certificate has, for the host name error line.
pub fn names_of(cert: &X509Ref) -> String {
    format!(
        "subject {}, names {}",
        name_text(cert.subject_name()),
        alt_names(cert)
    )
}

/// The application's PSK callback answered.
pub fn psk_answer(hint: Option<&[u8]>, identity: &[u8], key_len: usize) {
    let hint = hint.map_or("none".into(), |h| {
        String::from_utf8_lossy(h.split(|&b| b == 0).next().unwrap_or(h)).into_owned()
    });
    if key_len == 0 {
        crate::trace!(
            Error,
            "TLS PSK: the application's ssl_psk_cb gave no key (server hint {hint})"
        );
        return;
    }
    let id = identity.split(|&b| b == 0).next().unwrap_or(identity);
    crate::trace!(
        Protocol,
        "TLS PSK: server hint {hint}; identity {}, key of {key_len} bytes",
        String::from_utf8_lossy(id)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_wire_format_reads_as_a_list() {
        assert_eq!(alpn_list(b"\x04mqtt\x08x-other1"), "mqtt, x-other1");
        // A length past the end is cut, not a panic.
        assert_eq!(alpn_list(b"\x09mqtt"), "mqtt");
    }

    #[test]
    fn tls13_alerts_have_names() {
        assert_eq!(
            alert_name(116, "unknown".into()),
            "certificate required (alert number 116)"
        );
        assert_eq!(alert_name(48, "unknown CA".into()), "unknown CA");
        assert_eq!(alert_name(200, "unknown".into()), "alert number 200");
    }
}
