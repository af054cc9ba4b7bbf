//! Server URIs and opening transports.

pub mod tls;
#[cfg(feature = "tls")]
mod tls_trace;

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The transport a URI asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `tcp://`, `mqtt://` or no scheme.
    Tcp,
    /// `ssl://`, `mqtts://`, `tls://`.
    Ssl,
    /// `ws://`.
    Ws,
    /// `wss://`.
    Wss,
    /// `unix://path`.
    Unix,
}

/// A parsed server URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The scheme.
    pub scheme: Scheme,
    /// Host name or address, without IPv6 brackets (the socket path for unix).
    pub host: String,
    /// Port (default 1883, 8883 for TLS, 80/443 for websockets).
    pub port: u16,
    /// The path part of a websocket URI (`/mqtt` when absent).
    pub path: String,
}

/// Why a URI was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriError {
    /// Unknown scheme (Paho: MQTTCLIENT_BAD_PROTOCOL).
    BadProtocol,
    /// Empty host, bad port, unbalanced brackets (Paho: MQTTCLIENT_BAD_PROTOCOL / FAILURE).
    Malformed,
}

/// Parse a URI the way Paho accepts them: `scheme://host:port`, IPv6 in brackets, no scheme
/// meaning TCP.
pub fn parse_uri(uri: &str) -> Result<Endpoint, UriError> {
    let (scheme, rest) = match uri.find("://") {
        Some(i) => {
            let s = &uri[..i];
            let scheme = match s.to_ascii_lowercase().as_str() {
                "tcp" | "mqtt" => Scheme::Tcp,
                "ssl" | "mqtts" | "tls" => Scheme::Ssl,
                "ws" => Scheme::Ws,
                "wss" => Scheme::Wss,
                "unix" => Scheme::Unix,
                _ => return Err(UriError::BadProtocol),
            };
            (scheme, &uri[i + 3..])
        }
        None => (Scheme::Tcp, uri),
    };
    if scheme == Scheme::Unix {
        if rest.is_empty() {
            return Err(UriError::Malformed);
        }
        return Ok(Endpoint {
            scheme,
            host: rest.to_string(),
            port: 0,
            path: String::new(),
        });
    }
    let (hostport, path) = match rest.find('/') {
        Some(i) if matches!(scheme, Scheme::Ws | Scheme::Wss) => (&rest[..i], &rest[i..]),
        Some(i) => (&rest[..i], ""),
        None => (rest, ""),
    };
    let default_port = match scheme {
        Scheme::Tcp => 1883,
        Scheme::Ssl => 8883,
        Scheme::Ws => 80,
        Scheme::Wss => 443,
        Scheme::Unix => 0,
    };
    let (host, port_str) = if let Some(inner) = hostport.strip_prefix('[') {
        let close = inner.find(']').ok_or(UriError::Malformed)?;
        let host = &inner[..close];
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(UriError::Malformed),
        };
        (host, port)
    } else {
        match hostport.rfind(':') {
            Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(UriError::Malformed);
    }
    let port = match port_str {
        None => default_port,
        Some(p) => {
            let n: u32 = p.parse().map_err(|_| UriError::Malformed)?;
            if n == 0 || n > 65535 {
                return Err(UriError::Malformed);
            }
            n as u16
        }
    };
    Ok(Endpoint {
        scheme,
        host: host.to_string(),
        port,
        path: if path.is_empty() {
            "/mqtt".to_string()
        } else {
            path.to_string()
        },
    })
}

/// Resolve and connect with a deadline, trying each address in turn. The socket returned is
/// non-blocking with TCP_NODELAY set, and sends segments of at most [`MAX_SEGMENT`] bytes.
pub fn connect_tcp(ep: &Endpoint, deadline: Instant) -> io::Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (ep.host.as_str(), ep.port).to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "host name did not resolve",
        ));
    }
    let mut last = io::Error::new(io::ErrorKind::TimedOut, "connect timed out");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
        }
        match connect_addr(&addr, left.max(Duration::from_millis(1))) {
            Ok(s) => {
                s.set_nodelay(true)?;
                s.set_nonblocking(true)?;
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Set an integer socket option. Best effort callers ignore the result.
pub(crate) fn set_int_option(
    fd: std::os::fd::RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: a c_int option value of the right size; a bad descriptor is an error return.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &value as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Read an integer socket option.
pub(crate) fn int_option(
    fd: std::os::fd::RawFd,
    level: libc::c_int,
    name: libc::c_int,
) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: a c_int to fill and its size; a bad descriptor is an error return.
    let r = unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            &mut value as *mut libc::c_int as *mut libc::c_void,
            &mut len,
        )
    };
    if r == 0 {
        Ok(value)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Acknowledge at once what was just read on `fd` (Linux's TCP_QUICKACK; a no-op elsewhere):
/// a broker that holds its next packet back until the previous one is acknowledged (Nagle)
/// would otherwise wait out our delayed ACK.
pub(crate) fn quick_ack(fd: std::os::fd::RawFd) {
    #[cfg(target_os = "linux")]
    let _ = set_int_option(fd, libc::IPPROTO_TCP, libc::TCP_QUICKACK, 1);
    #[cfg(not(target_os = "linux"))]
    let _ = fd;
}

/// The largest TCP segment we send or ask the peer to send; it matters on loopback only
/// (64 KiB MTU; Ethernet's 1460 and jumbo frames' 8948 are below it). With the segment as large
/// as the broker's receive buffer, a fast publisher can fill that buffer and stop: Linux does
/// not send a segment larger than the window the broker offers, and the broker, once it has
/// read everything, announces its larger window only if it is at least twice the last one, so
/// both wait for the zero-window probe, 200 ms later. Seen with mosquitto and QoS 0 bursts in
/// ~1% of 20,000-message runs (~0.2% with this limit); costs ~10% on 1 MiB+ loopback
/// transfers.
pub const MAX_SEGMENT: libc::c_int = 16 * 1024;

/// Connect to one address within `timeout`, limiting the segment size before the handshake
/// (it is negotiated there: setting it later has no effect).
#[cfg(target_os = "linux")]
fn connect_addr(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    let domain = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: plain socket creation; the descriptor is owned right away.
    let raw = unsafe {
        libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            0,
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // Best effort: a failure leaves the system's segment size.
    let _ = set_int_option(
        fd.as_raw_fd(),
        libc::IPPROTO_TCP,
        libc::TCP_MAXSEG,
        MAX_SEGMENT,
    );
    // SAFETY: all-zero is a valid sockaddr_storage; the address is written in just below.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in, sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: as above.
            unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in6, sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    // SAFETY: a valid socket and an address of `len` bytes.
    let r = unsafe {
        libc::connect(
            fd.as_raw_fd(),
            &storage as *const _ as *const libc::sockaddr,
            len as libc::socklen_t,
        )
    };
    if r != 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINPROGRESS) {
            return Err(e);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
            }
            let mut pfd = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLOUT,
                revents: 0,
            };
            let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
            // SAFETY: one valid pollfd.
            match unsafe { libc::poll(&mut pfd, 1, ms) } {
                n if n > 0 => break,
                0 => continue,
                _ => {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
            }
        }
        let err = int_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_ERROR)?;
        if err != 0 {
            return Err(io::Error::from_raw_os_error(err));
        }
    }
    Ok(TcpStream::from(fd))
}

#[cfg(not(target_os = "linux"))]
fn connect_addr(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    TcpStream::connect_timeout(addr, timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let e = parse_uri("tcp://localhost:1884").unwrap();
        assert_eq!(
            (e.scheme, e.host.as_str(), e.port),
            (Scheme::Tcp, "localhost", 1884)
        );
        let e = parse_uri("mqtt://[::1]").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 1883));
        let e = parse_uri("ssl://h").unwrap();
        assert_eq!((e.scheme, e.port), (Scheme::Ssl, 8883));
        let e = parse_uri("127.0.0.1:99").unwrap();
        assert_eq!((e.scheme, e.port), (Scheme::Tcp, 99));
        assert_eq!(parse_uri("foo://h:1"), Err(UriError::BadProtocol));
        assert_eq!(parse_uri("tcp://h:0"), Err(UriError::Malformed));
        assert_eq!(parse_uri("tcp://h:70000"), Err(UriError::Malformed));
        assert_eq!(parse_uri("tcp://"), Err(UriError::Malformed));
        assert_eq!(parse_uri("tcp://[::1"), Err(UriError::Malformed));
        assert_eq!(parse_uri("ws://h:8080/x").unwrap().path, "/x");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn connects_with_the_segment_limit_and_reports_refusal() {
        use std::os::fd::AsRawFd;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let ep = parse_uri(&format!("tcp://127.0.0.1:{port}")).expect("uri");
        let deadline = Instant::now() + Duration::from_secs(5);
        let s = connect_tcp(&ep, deadline).expect("connect");
        let (peer, _) = listener.accept().expect("accept");
        let mss = int_option(s.as_raw_fd(), libc::IPPROTO_TCP, libc::TCP_MAXSEG).expect("MSS");
        assert!(mss > 0 && mss <= MAX_SEGMENT, "segment size {mss}");
        drop((s, peer));
        drop(listener);
        // Nothing listens there any more.
        let e = connect_tcp(&ep, deadline).expect_err("refused");
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    }
}
