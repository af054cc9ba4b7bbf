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
/// non-blocking with TCP_NODELAY set.
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
        match TcpStream::connect_timeout(&addr, left.max(Duration::from_millis(1))) {
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
}
