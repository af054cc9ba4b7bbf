//! TLS through OpenSSL for `ssl://` and `mqtts://` (libpaho-mqtt3cs / 3as).
//!
//! The handshake runs on the connecting thread before the socket is handed to the engine
//! (that thread already blocks for the TCP connect and the CONNACK); it drives the
//! non-blocking socket with poll(2) until the connect deadline. Afterwards the stream is an
//! `SslStream` over the same non-blocking socket: OpenSSL's WANT_READ / WANT_WRITE come back
//! as `io::ErrorKind::WouldBlock`, which the client's read and write loops already handle.
//!
//! The options mean what Paho's `SSLSocket_createContext` makes of them; see `TlsOptions`.

use std::fmt;
use std::sync::Arc;

/// Gets each OpenSSL error line (Paho's `ssl_error_cb`).
pub type ErrorSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Fills in the PSK identity (NUL-terminated) and key from the server's hint; returns the
/// key length, 0 to refuse (Paho's `ssl_psk_cb`).
pub type PskSource = Arc<dyn Fn(Option<&[u8]>, &mut [u8], &mut [u8]) -> usize + Send + Sync>;

/// TLS settings of one connect, already read from the C struct up to its version.
#[derive(Clone, Default)]
pub struct TlsOptions {
    /// PEM file of trusted CA certificates (`trustStore`).
    pub trust_store: Option<String>,
    /// Directory of hashed CA certificates (`CApath`).
    pub ca_path: Option<String>,
    /// PEM file with our certificate chain, and the key when `private_key` is unset.
    pub key_store: Option<String>,
    /// PEM file with our private key.
    pub private_key: Option<String>,
    /// Passphrase of an encrypted private key.
    pub private_key_password: Option<Vec<u8>>,
    /// OpenSSL cipher list (`enabledCipherSuites`).
    pub ciphers: Option<String>,
    /// Verify the server's certificate chain (`enableServerCertAuth`).
    pub server_cert_auth: bool,
    /// MQTT_SSL_VERSION_*: 0 any, 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2 (taken as the lowest allowed).
    pub ssl_version: i32,
    /// Check the host name (or IP address) of the URI against the certificate (`verify`).
    pub verify_host: bool,
    /// Do not load OpenSSL's default CA locations when no CA is given.
    pub disable_default_trust_store: bool,
    /// ALPN protocols in wire format (length-prefixed names).
    pub alpn: Option<Vec<u8>>,
    /// OpenSSL error lines go here as well as to the trace.
    pub error_sink: Option<ErrorSink>,
    /// TLS-PSK identity and key.
    pub psk: Option<PskSource>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("trust_store", &self.trust_store)
            .field("ca_path", &self.ca_path)
            .field("key_store", &self.key_store)
            .field("private_key", &self.private_key)
            .field("ciphers", &self.ciphers)
            .field("server_cert_auth", &self.server_cert_auth)
            .field("ssl_version", &self.ssl_version)
            .field("verify_host", &self.verify_host)
            .field(
                "disable_default_trust_store",
                &self.disable_default_trust_store,
            )
            .field("alpn", &self.alpn)
            .field("error_sink", &self.error_sink.is_some())
            .field("psk", &self.psk.is_some())
            .finish()
    }
}

#[cfg(feature = "tls")]
pub use imp::{handshake, read, tcp, version_info, write, TlsStream};

#[cfg(feature = "tls")]
mod imp {
    use super::TlsOptions;
    use crate::net::tls_trace;
    use openssl::error::ErrorStack;
    use openssl::pkey::PKey;
    use openssl::ssl::{
        ErrorCode, SslContext, SslContextBuilder, SslMethod, SslMode, SslStream, SslVerifyMode,
        SslVersion,
    };
    use std::os::fd::AsRawFd;
    use std::time::Instant;

    /// The OpenSSL entries Paho's TLS libraries add to getVersionInfo: (name, value) as
    /// static C strings.
    pub fn version_info() -> Vec<(*const std::ffi::c_char, *const std::ffi::c_char)> {
        let names = [
            (c"OpenSSL version", openssl_sys::OPENSSL_VERSION),
            (c"OpenSSL flags", openssl_sys::OPENSSL_CFLAGS),
            (c"OpenSSL build timestamp", openssl_sys::OPENSSL_BUILT_ON),
            (c"OpenSSL platform", openssl_sys::OPENSSL_PLATFORM),
            (c"OpenSSL directory", openssl_sys::OPENSSL_DIR),
        ];
        openssl_sys::init();
        names
            .iter()
            // SAFETY: OpenSSL_version returns a static string for each of these keys.
            .map(|(n, k)| (n.as_ptr(), unsafe { openssl_sys::OpenSSL_version(*k) }))
            .collect()
    }

    /// An established TLS connection over the engine's non-blocking socket.
    pub type TlsStream = SslStream<Socket>;

    /// The socket under OpenSSL; notes whether OpenSSL read anything from it.
    pub struct Socket {
        tcp: mio::net::TcpStream,
        got_bytes: bool,
    }

    impl std::io::Read for Socket {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let r = self.tcp.read(buf);
            if matches!(r, Ok(n) if n > 0) {
                self.got_bytes = true;
            }
            r
        }
    }

    impl std::io::Write for Socket {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.tcp.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.tcp.flush()
        }
    }

    impl AsRawFd for Socket {
        fn as_raw_fd(&self) -> std::os::fd::RawFd {
            self.tcp.as_raw_fd()
        }
    }

    /// The TCP socket, for registering with the engine and socket options.
    pub fn tcp(s: &mut TlsStream) -> &mut mio::net::TcpStream {
        &mut s.get_mut().tcp
    }

    /// Read application data. TLS records that carry none (TLS 1.3 session tickets right
    /// after the handshake) are acknowledged at once: the client's own quick ACK follows only
    /// application bytes, and a broker with Nagle on holds CONNACK until its tickets are
    /// acknowledged, ~40 ms with Linux's delayed ACK.
    pub fn read(s: &mut TlsStream, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::Read;
        let r = s.read(buf);
        if std::mem::take(&mut s.get_mut().got_bytes) && !matches!(r, Ok(n) if n > 0) {
            crate::net::quick_ack(s.get_ref().tcp.as_raw_fd());
        }
        r
    }

    /// Report OpenSSL's error lines to the application's sink and the trace; returns them
    /// joined for the error message.
    fn report(opts: &TlsOptions, what: &str, errors: &ErrorStack) -> String {
        let mut lines = Vec::new();
        for e in errors.errors() {
            lines.push(e.to_string());
        }
        if lines.is_empty() {
            lines.push(format!("{what} failed"));
        }
        for l in &lines {
            crate::trace!(Error, "TLS {what}: {l}");
            if let Some(sink) = &opts.error_sink {
                sink(&format!("{l}\n"));
            }
        }
        format!("TLS {what}: {}", lines.join("; "))
    }

    fn fail(opts: &TlsOptions, what: &str, why: &str) -> String {
        crate::trace!(Error, "TLS {what}: {why}");
        if let Some(sink) = &opts.error_sink {
            sink(&format!("{what}: {why}\n"));
        }
        format!("TLS {what}: {why}")
    }

    /// Why a file named by an option cannot be read, if it cannot (OpenSSL's own words for
    /// this are "reason(2)" and the like).
    fn file_problem(path: &str) -> Option<String> {
        std::fs::File::open(path).err().map(|e| e.to_string())
    }

    fn context(opts: &TlsOptions) -> Result<SslContext, String> {
        let e = |what: &str, err: ErrorStack| report(opts, what, &err);
        // A file option's failure, with the OS's reason when the file cannot be opened.
        let e_file = |option: &str, path: &str, err: ErrorStack| {
            let why = report(opts, &format!("{option} {path}"), &err);
            match file_problem(path) {
                Some(p) => {
                    crate::trace!(Error, "TLS {option} {path}: cannot open the file: {p}");
                    format!("{why}; cannot open the file: {p}")
                }
                None => why,
            }
        };
        let mut b =
            SslContextBuilder::new(SslMethod::tls_client()).map_err(|x| e("SSL_CTX_new", x))?;
        // Paho lowers OpenSSL 3's default security level to 1 (older certificates keep working).
        b.set_security_level(1);
        let min = match opts.ssl_version {
            1 => Some(SslVersion::TLS1),
            2 => Some(SslVersion::TLS1_1),
            3 => Some(SslVersion::TLS1_2),
            _ => None,
        };
        if min.is_some() {
            b.set_min_proto_version(min)
                .map_err(|x| e("set_min_proto_version", x))?;
        }
        if let Some(ks) = &opts.key_store {
            b.set_certificate_chain_file(ks)
                .map_err(|x| e_file("keyStore", ks, x))?;
            // The key may be in the keyStore file itself.
            let key_file = opts.private_key.as_deref().unwrap_or(ks);
            let pem = std::fs::read(key_file)
                .map_err(|x| fail(opts, &format!("privateKey {key_file}"), &x.to_string()))?;
            let key = match &opts.private_key_password {
                Some(pw) => PKey::private_key_from_pem_passphrase(&pem, pw),
                // Never let OpenSSL prompt on the terminal for a passphrase.
                None => PKey::private_key_from_pem_callback(&pem, |_| Ok(0)),
            }
            .map_err(|x| e_file("privateKey", key_file, x))?;
            // OpenSSL refuses a key that does not match the certificate here.
            b.set_private_key(&key)
                .map_err(|x| e(&format!("privateKey {key_file}"), x))?;
        }
        if opts.trust_store.is_some() || opts.ca_path.is_some() {
            load_verify_locations(&mut b, opts)?;
        } else if !opts.disable_default_trust_store {
            b.set_default_verify_paths()
                .map_err(|x| e("default trust store", x))?;
        }
        if let Some(c) = &opts.ciphers {
            b.set_cipher_list(c)
                .map_err(|x| e(&format!("enabledCipherSuites {c:?}"), x))?;
        }
        if let Some(psk) = opts.psk.clone() {
            b.set_psk_client_callback(move |_ssl, hint, identity, key| {
                let n = psk(hint, identity, key);
                tls_trace::psk_answer(hint, identity, n);
                Ok(n)
            });
        }
        if let Some(p) = &opts.alpn {
            b.set_alpn_protos(p).map_err(|x| e("ALPN protos", x))?;
        }
        b.set_mode(SslMode::ACCEPT_MOVING_WRITE_BUFFER | SslMode::ENABLE_PARTIAL_WRITE);
        b.set_verify(verify_mode(opts));
        let ctx = b.build();
        if let Some(ks) = &opts.key_store {
            tls_trace::client_certificate(ks, ctx.certificate());
        }
        Ok(ctx)
    }

    fn verify_mode(opts: &TlsOptions) -> SslVerifyMode {
        if opts.server_cert_auth {
            SslVerifyMode::PEER
        } else {
            SslVerifyMode::NONE
        }
    }

    fn load_verify_locations(b: &mut SslContextBuilder, opts: &TlsOptions) -> Result<(), String> {
        let file = opts.trust_store.as_deref().map(std::path::Path::new);
        let dir = opts.ca_path.as_deref().map(std::path::Path::new);
        b.load_verify_locations(file, dir).map_err(|x| {
            let mut why = report(
                opts,
                &format!(
                    "trustStore {} CApath {}",
                    opts.trust_store.as_deref().unwrap_or("-"),
                    opts.ca_path.as_deref().unwrap_or("-")
                ),
                &x,
            );
            let problems = [
                (
                    "trustStore",
                    opts.trust_store
                        .as_deref()
                        .and_then(|f| file_problem(f).map(|p| (f, p))),
                ),
                (
                    "CApath",
                    opts.ca_path
                        .as_deref()
                        .and_then(|d| std::fs::read_dir(d).err().map(|e| (d, e.to_string()))),
                ),
            ];
            for (option, problem) in problems {
                if let Some((path, p)) = problem {
                    crate::trace!(Error, "TLS {option} {path}: cannot open it: {p}");
                    why = format!("{why}; {option} {path}: {p}");
                }
            }
            why
        })
    }

    /// Write; when the connection failed, add the TLS alert the server may have sent before
    /// closing (a server that refuses our certificate under TLS 1.3 says why only after our
    /// side of the handshake is done, so the first sign is a failed write).
    pub fn write(s: &mut TlsStream, buf: &[u8]) -> std::io::Result<usize> {
        use std::io::Write;
        match s.write(buf) {
            Err(e) if e.kind() != std::io::ErrorKind::WouldBlock => {
                let mut scratch = [0u8; 256];
                match s.ssl_read(&mut scratch) {
                    Err(r) => match r.ssl_error() {
                        Some(stack) => Err(std::io::Error::new(e.kind(), format!("{e}; {stack}"))),
                        None => Err(e),
                    },
                    Ok(_) => Err(e),
                }
            }
            r => r,
        }
    }

    /// Wait until the socket is readable (or writable) or the deadline passes.
    fn wait(fd: i32, write: bool, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        let mut p = libc::pollfd {
            fd,
            events: if write { libc::POLLOUT } else { libc::POLLIN },
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut p, 1, ms) };
        rc != 0
    }

    /// Checks the URI's host against the server certificate the way Paho does: as a DNS name
    /// first, then as an IP address.
    fn host_matches(cert: &openssl::x509::X509Ref, host: &str) -> bool {
        use foreign_types::ForeignTypeRef;
        let Ok(c_host) = std::ffi::CString::new(host) else {
            return false;
        };
        // SAFETY: a live certificate and a NUL-terminated host of the given length.
        unsafe {
            let x = cert.as_ptr();
            let rc = openssl_sys::X509_check_host(
                x,
                c_host.as_ptr(),
                host.len(),
                0,
                std::ptr::null_mut(),
            );
            if rc == 1 {
                return true;
            }
            openssl_sys::X509_check_ip_asc(x, c_host.as_ptr(), 0) == 1
        }
    }

    /// Run the TLS handshake on a connected non-blocking socket within the deadline.
    pub fn handshake(
        stream: mio::net::TcpStream,
        host: &str,
        opts: &TlsOptions,
        deadline: Instant,
    ) -> Result<TlsStream, String> {
        let fd = stream.as_raw_fd();
        let port = stream.peer_addr().map_or(0, |a| a.port());
        tls_trace::connecting(fd, host, port, opts);
        let ctx = context(opts)?;
        let mut ssl = openssl::ssl::Ssl::new(&ctx).map_err(|x| report(opts, "SSL_new", &x))?;
        tls_trace::install(&mut ssl, fd);
        let first_failure = tls_trace::verify_with_trace(&mut ssl, verify_mode(opts));
        // SNI, as Paho sends it (also for IP addresses, which OpenSSL accepts).
        if let Err(x) = ssl.set_hostname(host) {
            report(opts, "SNI", &x);
        }
        let socket = Socket {
            tcp: stream,
            got_bytes: false,
        };
        let mut s = SslStream::new(ssl, socket).map_err(|x| report(opts, "SSL_set_fd", &x))?;
        loop {
            match s.connect() {
                Ok(()) => break,
                Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                    if !wait(fd, e.code() == ErrorCode::WANT_WRITE, deadline) {
                        return Err(fail(opts, "handshake", "timed out"));
                    }
                }
                Err(e) => {
                    let verify = tls_trace::verify_failure(s.ssl(), &first_failure);
                    let mut why = match e.ssl_error() {
                        Some(stack) => report(opts, "handshake", stack),
                        None => fail(opts, "handshake", &e.to_string()),
                    };
                    if let Some(v) = verify {
                        why = fail(
                            opts,
                            "server certificate verification failed",
                            &format!("{v} ({why})"),
                        );
                    }
                    return Err(why);
                }
            }
        }
        tls_trace::handshake_done(s.ssl(), fd, host, opts);
        if opts.verify_host {
            let cert = s.ssl().peer_certificate();
            if !cert.as_ref().is_some_and(|c| host_matches(c, host)) {
                // Paho reports this one to the trace only, not to ssl_error_cb.
                let why = match &cert {
                    Some(c) => format!(
                        "the server certificate does not match host {host} (its {}; \
                         checked because the SSL option verify is 1)",
                        tls_trace::names_of(c)
                    ),
                    None => format!(
                        "the server sent no certificate to match host {host} against \
                         (checked because the SSL option verify is 1)"
                    ),
                };
                crate::trace!(Error, "TLS verify: {why}");
                return Err(format!("TLS verify: {why}"));
            }
        }
        tls_trace::host_checked(fd, host, opts.verify_host);
        Ok(s)
    }
}

#[cfg(all(test, feature = "tls"))]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    fn refused(opts: TlsOptions) -> (String, Vec<String>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let opts = TlsOptions {
            error_sink: Some(Arc::new(move |l: &str| {
                sink.lock().unwrap().push(l.to_string())
            })),
            ..opts
        };
        // The context is built before any byte is sent: a listener that never answers is
        // enough, and the handshake must not be reached.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        s.set_nonblocking(true).unwrap();
        let s = mio::net::TcpStream::from_std(s);
        let deadline = Instant::now() + Duration::from_millis(200);
        let err = match handshake(s, "localhost", &opts, deadline) {
            Ok(_) => panic!("handshake succeeded"),
            Err(e) => e,
        };
        let got = lines.lock().unwrap().clone();
        (err, got)
    }

    #[test]
    fn missing_ca_file_names_the_file_and_reaches_the_sink() {
        let (err, lines) = refused(TlsOptions {
            trust_store: Some("/nonexistent/ca.pem".into()),
            server_cert_auth: true,
            ..Default::default()
        });
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
        assert!(!lines.is_empty());
    }

    #[test]
    fn bad_cipher_list_is_refused() {
        let (err, _) = refused(TlsOptions {
            ciphers: Some("NO-SUCH-CIPHER".into()),
            disable_default_trust_store: true,
            ..Default::default()
        });
        assert!(err.contains("cipher"), "{err}");
    }

    #[test]
    fn silent_server_times_out() {
        let (err, _) = refused(TlsOptions {
            disable_default_trust_store: true,
            ..Default::default()
        });
        assert!(err.contains("timed out"), "{err}");
    }
}
